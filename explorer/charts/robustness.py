"""Robustness charts: the date sweep, the placebo distribution, the specification curve, the ACF.

They take plain DataFrames (``date, estimate, ci_low, ci_high`` and the like), so they do not
depend on how the robustness modules compute them. The shared pieces (palette, ``Chart``,
``decorate``, escaping) live in ``explorer.charts.base``, which re-exports every builder here.
"""

from __future__ import annotations

import html
import math
from collections.abc import Sequence

import numpy as np
import pandas as pd

from explorer.charts.base import (
    COLORS,
    DEFAULT_SIZE,
    Chart,
    ChartText,
    as_date,
    band,
    esc,
    finish,
    new_figure,
    vline,
)
from explorer.periods import period_label


def _need(frame: pd.DataFrame, cols: Sequence[str], what: str) -> None:
    missing = [c for c in cols if c not in frame.columns]
    if missing:
        from explorer.errors import InputError

        raise InputError(
            f"The {what} needs columns {', '.join(missing)} (it has {', '.join(map(str, frame.columns))})."
        )


def sweep_chart(
    frame: pd.DataFrame,
    *,
    chosen=None,
    least_squares=None,
    value_label: str = "Estimated level change",
    text: ChartText | None = None,
    best_by: str = "least squares",
) -> Chart:
    """The date sweep: the estimate against the intervention date, with its 95% band.

    Parameters
    ----------
    frame
        Columns ``date, estimate, ci_low, ci_high`` (one row per candidate date).
    chosen
        The date the analysis uses (vermillion line).
    least_squares
        The best-fitting date (green line).
    value_label
        The y axis title.
    text
        Words on the chart.
    best_by
        How ``least_squares`` was chosen (``SweepResult.best_by``), for its label.

    Returns
    -------
    Chart
    """
    import plotly.graph_objects as go

    _need(frame, ("date", "estimate", "ci_low", "ci_high"), "sweep chart")
    data = frame[["date", "estimate", "ci_low", "ci_high"]].copy()
    data["date"] = pd.to_datetime(data["date"])
    data = data.sort_values("date")
    fig = new_figure()
    band(
        fig,
        data["date"],
        data["ci_low"],
        data["ci_high"],
        color=COLORS["fitted"],
        name="95% interval",
    )
    fig.add_trace(
        go.Scatter(
            x=data["date"],
            y=data["estimate"],
            mode="lines+markers",
            name="Estimate",
            line=dict(color=COLORS["fitted"], width=2),
            marker=dict(size=4),
            hovertemplate="%{y:,.4~g}",
        )
    )
    fig.add_hline(y=0, line=dict(color="#888888", width=1))
    row = 0
    if chosen is not None:
        vline(
            fig,
            as_date(chosen),
            f"Chosen date ({period_label(chosen)})",
            color=COLORS["intervention"],
            row=row,
        )
        row += 1
    if least_squares is not None:
        vline(
            fig,
            as_date(least_squares),
            f"Best fit, {best_by} ({period_label(least_squares)})",
            color=COLORS["alternative"],
            row=row,
            dash="dash",
        )
    fig.update_yaxes(title_text=esc(value_label))
    return finish(fig, data, text, "sweep")


def placebo_chart(
    estimates,
    *,
    real_effect: float,
    bins: int | None = None,
    value_label: str = "Estimated effect",
    text: ChartText | None = None,
) -> Chart:
    """The placebo distribution (a histogram) with the real effect marked.

    Parameters
    ----------
    estimates
        Placebo estimates: a sequence, or a DataFrame with an ``estimate`` column.
    real_effect
        The estimate at the real date/unit (vermillion line).
    bins
        Number of bins (default: numpy's "auto", at most 40).
    value_label, text
        The x axis title and the words on the chart.

    Returns
    -------
    Chart
        Its data: ``bin_start, bin_end, count`` (what the bars show).
    """
    import plotly.graph_objects as go

    if isinstance(estimates, pd.DataFrame):
        _need(estimates, ("estimate",), "placebo chart")
        estimates = estimates["estimate"]
    vals = np.asarray(list(estimates), dtype=float)
    vals = vals[np.isfinite(vals)]
    lo_hi = np.concatenate([vals, [real_effect]]) if math.isfinite(real_effect) else vals
    if bins is None:
        edges = np.histogram_bin_edges(vals if len(vals) else lo_hi, bins="auto")
        if len(edges) > 41:
            edges = np.histogram_bin_edges(vals, bins=40)
    else:
        edges = np.histogram_bin_edges(vals, bins=bins)
    if len(lo_hi):  # widen so the real effect falls on the axis
        step = edges[1] - edges[0] if len(edges) > 1 else 1.0
        while lo_hi.min() < edges[0]:
            edges = np.concatenate([[edges[0] - step], edges])
        while lo_hi.max() > edges[-1]:
            edges = np.concatenate([edges, [edges[-1] + step]])
    counts, edges = np.histogram(vals, bins=edges)
    data = pd.DataFrame({"bin_start": edges[:-1], "bin_end": edges[1:], "count": counts})
    fig = new_figure()
    fig.update_layout(hovermode="closest", bargap=0.05)
    fig.add_trace(
        go.Bar(
            x=(edges[:-1] + edges[1:]) / 2,
            y=counts,
            width=np.diff(edges),
            marker=dict(color=COLORS["neutral"]),
            name="Placebo estimates",
            hovertemplate="%{x:,.3~g}: %{y}<extra></extra>",
        )
    )
    vline(
        fig,
        real_effect,
        f"Real effect: {real_effect:.3g}",
        color=COLORS["intervention"],
        dash="solid",
    )
    fig.update_xaxes(title_text=esc(value_label))
    fig.update_yaxes(title_text="Number of placebos")
    return finish(fig, data, text, "placebo")


def spec_curve_chart(
    frame: pd.DataFrame,
    *,
    choices: Sequence[str] | None = None,
    highlight=None,
    value_label: str = "Estimated effect",
    text: ChartText | None = None,
) -> Chart:
    """The specification curve: estimates sorted, with the choices behind each beneath.

    Parameters
    ----------
    frame
        One row per specification: ``estimate, ci_low, ci_high`` and one column per choice
        (e.g. ``family``, ``errors``, ``seasonality``).
    choices
        The choice columns to show (default: every column other than the estimates).
    highlight
        Row label (index value) of the specification the analysis uses, drawn in vermillion.
    value_label, text
        The y axis title and the words on the chart.

    Returns
    -------
    Chart
        Its data: ``rank, estimate, ci_low, ci_high`` and the choice columns, sorted.
    """
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    _need(frame, ("estimate", "ci_low", "ci_high"), "specification curve")
    choices = (
        list(choices)
        if choices is not None
        else [
            c
            for c in frame.columns
            if c not in ("estimate", "ci_low", "ci_high", "p_value", "rank")
        ]
    )
    data = frame.sort_values("estimate", kind="stable")
    marked = data.index == highlight if highlight is not None else np.zeros(len(data), bool)
    data = data.reset_index(drop=True)
    data.insert(0, "rank", np.arange(1, len(data) + 1))
    data = data[["rank", "estimate", "ci_low", "ci_high", *choices]]
    rows = [(c, v) for c in choices for v in dict.fromkeys(data[c].astype(str))]
    # The choice panel needs about 18 px a row at the default size; the estimates keep the rest.
    lower = min(0.6, max(0.25, 18 * len(rows) / (DEFAULT_SIZE[1] - 150)))
    fig = make_subplots(
        rows=2, cols=1, shared_xaxes=True, row_heights=[1 - lower, lower], vertical_spacing=0.04
    )
    fig.update_layout(template="plotly_white", hovermode="closest")
    excludes0 = (data["ci_low"] > 0) | (data["ci_high"] < 0)
    color = np.where(
        marked, COLORS["intervention"], np.where(excludes0, COLORS["fitted"], COLORS["neutral"])
    )
    fig.add_trace(
        go.Scatter(
            x=data["rank"],
            y=data["estimate"],
            mode="markers",
            name="Estimate (95% CI)",
            marker=dict(color=list(color), size=6),
            error_y=dict(
                type="data",
                symmetric=False,
                array=data["ci_high"] - data["estimate"],
                arrayminus=data["estimate"] - data["ci_low"],
                color="#bbbbbb",
                thickness=1,
                width=0,
            ),
            hovertemplate="%{y:,.4~g}<extra></extra>",
        ),
        row=1,
        col=1,
    )
    fig.add_hline(y=0, line=dict(color="#888888", width=1), row=1, col=1)
    labels = [f"{esc(c)}: {esc(v)}" for c, v in rows]
    for c, v in rows:
        used = data[c].astype(str) == v
        fig.add_trace(
            go.Scatter(
                x=data["rank"][used],
                y=[f"{esc(c)}: {esc(v)}"] * int(used.sum()),
                mode="markers",
                marker=dict(color="#333333", size=5, symbol="square"),
                showlegend=False,
                hoverinfo="skip",
            ),
            row=2,
            col=1,
        )
    fig.update_yaxes(title_text=esc(value_label), row=1, col=1)
    fig.update_yaxes(
        categoryorder="array",
        categoryarray=labels[::-1],
        tickmode="array",  # every choice labelled: plotly would skip some when crowded
        tickvals=labels,
        ticktext=labels,
        tickfont=dict(size=11),
        row=2,
        col=1,
        showgrid=False,
    )
    fig.update_xaxes(title_text="Specifications, sorted by estimate", row=2, col=1)
    # Choice labels sit left of the lower panel: ask ``decorate`` for room for the longest.
    fig.update_layout(meta={"left_chars": max((len(html.unescape(x)) for x in labels), default=0)})
    return finish(fig, data, text, "spec_curve")


def acf_chart(
    acf,
    *,
    nobs: int,
    alpha: float = 0.05,
    text: ChartText | None = None,
    value_label: str = "Autocorrelation of residuals",
    lag_unit: str = "periods",
) -> Chart:
    """Residual autocorrelation bars with the white-noise band, +-z/sqrt(n).

    Parameters
    ----------
    acf
        Autocorrelations from lag 1: a sequence, or a DataFrame with ``lag`` and ``acf``.
    nobs
        Number of residuals (sets the band).
    alpha
        Band level (0.05 gives 95%).
    text, value_label
        Words on the chart and the y axis title.
    lag_unit
        What one lag is (``months``, ``days``...), for the x axis title.

    Returns
    -------
    Chart
        Its data: ``lag, acf, band_low, band_high``.
    """
    import plotly.graph_objects as go
    from scipy import stats

    if isinstance(acf, pd.DataFrame):
        _need(acf, ("lag", "acf"), "ACF chart")
        data = acf[["lag", "acf"]].copy()
    else:
        vals = np.asarray(list(acf), dtype=float)
        data = pd.DataFrame({"lag": np.arange(1, len(vals) + 1), "acf": vals})
    band = float(stats.norm.ppf(1 - alpha / 2) / math.sqrt(max(nobs, 1)))
    data["band_low"], data["band_high"] = -band, band
    fig = new_figure()
    fig.update_layout(hovermode="closest", bargap=0.5)
    outside = data["acf"].abs() > band
    fig.add_trace(
        go.Bar(
            x=data["lag"],
            y=data["acf"],
            name="Autocorrelation",
            marker=dict(color=np.where(outside, COLORS["intervention"], COLORS["fitted"]).tolist()),
            hovertemplate="lag %{x}: %{y:.3f}<extra></extra>",
        )
    )
    fig.add_hrect(y0=-band, y1=band, fillcolor="rgba(153,153,153,0.2)", line_width=0, layer="below")
    fig.add_hline(y=0, line=dict(color="#888888", width=1))
    fig.update_xaxes(title_text=f"Lag ({esc(lag_unit)})", dtick=1 if len(data) <= 24 else None)
    fig.update_yaxes(title_text=esc(value_label))
    return finish(fig, data, text, "acf")
