"""The ITS chart: observed, fitted, counterfactual with its 95% band, and the interventions."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from explorer.charts.base import (
    COLORS,
    Chart,
    ChartText,
    as_date,
    band,
    esc,
    finish,
    new_figure,
    shade,
    vline,
)
from explorer.periods import period_label


def its_frame(result) -> pd.DataFrame:
    """The data behind the ITS chart: date, observed, fitted, counterfactual and its interval.

    Comparative ITS adds the control series (``control``). The counterfactual (the pre-intervention model carried forward) is given from the first
    intervention's first treated period on; before that it equals the fit and is left empty.
    """
    cf = result.counterfactual
    dates = pd.DatetimeIndex(cf.index)
    out = pd.DataFrame(
        {
            "date": dates,
            "observed": cf["observed"].to_numpy(dtype=float),
            "fitted": cf["fitted"].to_numpy(dtype=float),
        }
    )
    starts = [as_date(iv.first_treated_period) for iv in result.interventions]
    mask = dates >= min(starts) if starts else np.zeros(len(dates), bool)
    for src, dst in (
        ("mean", "counterfactual"),
        ("mean_ci_lower", "counterfactual_low"),
        ("mean_ci_upper", "counterfactual_high"),
    ):
        out[dst] = np.where(mask, cf[src].to_numpy(dtype=float), np.nan)
    name = _control_name(result)
    if name is not None:  # comparative ITS: the control is part of the evidence, so draw it
        out["control"] = pd.to_numeric(result.series.extra[name], errors="coerce").to_numpy(float)
    return out


def _control_name(result) -> str | None:
    spec, series = getattr(result, "spec", None), getattr(result, "series", None)
    if spec is None or series is None or not (spec.control or spec.group):
        return None
    extra = getattr(series, "extra", pd.DataFrame())
    for name in (spec.control, "control"):
        if name and name in extra.columns and len(extra) == len(result.counterfactual):
            return name
    return None


def its_chart(
    result,
    *,
    text: ChartText | None = None,
    value_label: str | None = None,
    claim_window: tuple[str, str] | None = None,
    freq: str | None = None,
    names: Mapping[str, str] | None = None,
) -> Chart:
    """The interrupted time-series chart of a fit.

    Observed points, the fitted model, the counterfactual with its 95% band from the first
    intervention on, a labelled vertical line per intervention and, optionally, the claim
    window shaded.

    Parameters
    ----------
    result
        An ``ItsResult`` (uses ``counterfactual``, ``interventions`` and ``spec``).
    text
        Title, subtitle, source and notes to draw.
    value_label
        The y axis title (default: the spec's value column).
    claim_window
        ``(start, end)`` dates of a claimed change, shaded.
    freq
        The series' frequency code, for date labels (default: from the result if it has one).
    names
        People's names for intervention labels (``{"gec": "GEC announced"}``) on the markers.

    Returns
    -------
    Chart

    Examples
    --------
    >>> chart = its_chart(result, text=ChartText(title="Coronary events fell"))  # doctest: +SKIP
    >>> chart.data.columns[:3].tolist()  # doctest: +SKIP
    ['date', 'observed', 'fitted']
    """
    import plotly.graph_objects as go

    data = its_frame(result)
    freq = freq or getattr(result, "freq", None)
    spec = getattr(result, "spec", None)
    ylabel = value_label or (spec.value if spec is not None else "value")
    fig = new_figure()
    if claim_window:
        shade(fig, claim_window[0], claim_window[1], "Claim window")
    x = data["date"]
    has_cf = data["counterfactual"].notna().any()
    if has_cf:
        band(
            fig,
            x,
            data["counterfactual_low"],
            data["counterfactual_high"],
            color=COLORS["counterfactual"],
            name="95% interval",
            legendrank=4,
        )
    fig.add_trace(
        go.Scatter(
            x=x,
            y=data["observed"],
            mode="markers",
            name="Observed",
            legendrank=1,
            marker=dict(color=COLORS["observed"], size=5, opacity=0.8),
        )
    )
    fig.add_trace(
        go.Scatter(
            x=x,
            y=data["fitted"],
            mode="lines",
            name="Fitted model",
            legendrank=2,
            line=dict(color=COLORS["fitted"], width=2.2),
        )
    )
    if has_cf:
        fig.add_trace(
            go.Scatter(
                x=x,
                y=data["counterfactual"],
                mode="lines",
                name="Without the intervention",
                legendrank=3,
                line=dict(color=COLORS["counterfactual"], width=2.2, dash="dash"),
            )
        )
    if "control" in data:
        what = result.spec.control or "mean of the other groups"
        fig.add_trace(
            go.Scatter(
                x=x,
                y=data["control"],
                mode="lines+markers",
                name=f"Control ({esc(what)})",
                legendrank=5,
                line=dict(color=COLORS["neutral"], width=1.5),
                marker=dict(color=COLORS["neutral"], size=4),
            )
        )
    from explorer.charts.events import label_anchor

    x_lo, x_hi = as_date(min(data["date"])), as_date(max(data["date"]))
    for i, iv in enumerate(
        sorted(result.interventions, key=lambda v: as_date(v.first_treated_period))
    ):
        when = str(getattr(iv, "date", None) or period_label(iv.first_treated_period))
        at = as_date(iv.first_treated_period)
        vline(
            fig,
            at,
            f"{esc((names or {}).get(iv.label, iv.label))} ({when})",
            color=COLORS["intervention"],
            row=i % 3,
            anchor=label_anchor(at, x_lo, x_hi),  # towards the wider side: inside the plot
        )
    fig.update_yaxes(title_text=esc(ylabel))
    fig.update_traces(hovertemplate="%{y:,.4~g}")
    return finish(fig, data, text, "its")
