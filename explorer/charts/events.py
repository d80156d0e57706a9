"""A claim's events timeline: the claim window, interventions and confounders on one axis."""

from __future__ import annotations

import pandas as pd

from explorer.charts.base import (
    COLORS,
    DEFAULT_SIZE,
    OKABE_ITO,
    Chart,
    ChartText,
    as_date,
    esc,
    finish,
    new_figure,
    shade,
)
from explorer.periods import period_label


def _events_frame(events) -> pd.DataFrame:
    if isinstance(events, pd.DataFrame):
        df = events.copy()
    else:
        rows = []
        for e in events:
            get = e.get if isinstance(e, dict) else (lambda k, _e=e: getattr(_e, k, None))
            rows.append({k: get(k) for k in ("key", "label", "date", "kind")})
        df = pd.DataFrame(rows, columns=["key", "label", "date", "kind"])
    for col in ("key", "label", "kind"):
        if col not in df:
            df[col] = ""
    df["date"] = pd.to_datetime(df["date"])
    return df.sort_values("date").reset_index(drop=True)


_LABEL_CHARS = 44  # longer event names are shortened on the chart (in full in hover and data)
_MAX_LEVELS = 10
# Kinds of event by colour; vermillion (and orange, too close to it) are kept for the event a
# claim credits, so the legend never shows the credited colour for another kind.
KIND_COLORS = {
    "policy": OKABE_ITO["blue"],
    "platform enforcement": OKABE_ITO["green"],
    "attack": OKABE_ITO["black"],
    "publication": OKABE_ITO["purple"],
}
_KIND_CYCLE = [OKABE_ITO[k] for k in ("sky", "grey", "yellow")]


def _label_levels(df: pd.DataFrame, lo, hi) -> list[tuple[int, str, str]]:
    """Per event: (stem level, label anchor, label text), so that labels do not overlap.

    Greedy, by date: each label goes on the lowest level where it fits, drawn to the right of
    its stem or else to its left, inside the axis and clear of every label on that level.
    Widths are estimated at the app's default size (export sizes scale fonts with the width,
    so they stay close).
    """
    span_days = max((hi - lo).days, 1)
    plot_px = DEFAULT_SIZE[0] - 80
    days_per_px = span_days / plot_px
    placed: list[list[tuple[pd.Timestamp, pd.Timestamp]]] = [[] for _ in range(_MAX_LEVELS)]
    out = []
    for _, row in df.iterrows():
        text = str(row["label"])
        short = text if len(text) <= _LABEL_CHARS else text[: _LABEL_CHARS - 1].rstrip() + "\u2026"
        width = pd.Timedelta(days=(len(short) * 13 * 0.56 + 10) * days_per_px)
        d = row["date"]
        spot = None
        for level in range(_MAX_LEVELS):
            for anchor, a, b in (("left", d, d + width), ("right", d - width, d)):
                if a < lo or b > hi:
                    continue
                if all(b < x or a > y for x, y in placed[level]):
                    spot = (level, anchor, a, b)
                    break
            if spot:
                break
        if spot is None:  # no room left: the stem stays, the label goes (in the hover and data)
            out.append((0, "left", ""))
            continue
        level, anchor, a, b = spot
        placed[level].append((a, b))
        out.append((level, anchor, short))
    return out


def events_timeline(
    events,
    *,
    window: tuple[str, str] | None = None,
    credit: str | None = None,
    text: ChartText | None = None,
    span: tuple[str, str] | None = None,
) -> Chart:
    """A claim's window against the events catalogue: one stem per event, the window shaded.

    Parameters
    ----------
    events
        ``explorer.catalog.events.load_events()`` output: objects or dicts with ``key, label, date,
        kind``, or a DataFrame with those columns.
    window
        The claim's ``(start, end)``, shaded.
    credit
        The key (or label) of the intervention the claim credits: drawn in vermillion, bold.
    text
        Words on the chart.
    span
        ``(start, end)`` of the axis; default: the window with 30% (at least six months) on
        each side, or all the events. Only events inside it are drawn and listed.

    Returns
    -------
    Chart
        Its data: ``date, label, kind, in_window``.
    """
    import plotly.graph_objects as go

    df = _events_frame(events)
    w0 = w1 = None
    if window:
        w0, w1 = as_date(window[0]), as_date(window[1])
    if span:
        lo, hi = as_date(span[0]), as_date(span[1])
    elif window:
        # The window and some context on each side; a catalogue of years would crowd it out.
        pad = max(pd.Timedelta(days=183), (w1 - w0) * 0.3)
        lo, hi = w0 - pad, w1 + pad
    elif len(df):
        pad = max(pd.Timedelta(days=60), (df["date"].max() - df["date"].min()) * 0.08)
        lo, hi = df["date"].min() - pad, df["date"].max() + pad
    else:
        lo, hi = pd.Timestamp("2014-01-01"), pd.Timestamp("2017-01-01")
    df = df[(df["date"] >= lo) & (df["date"] <= hi)].reset_index(drop=True)
    df["in_window"] = (df["date"] >= w0) & (df["date"] <= w1) if window else False
    fig = new_figure()
    fig.update_layout(hovermode="closest")
    if window:
        # Named in the legend: a label inside the shading sat on the axis line.
        shade(fig, w0, w1, None)
    kinds = list(dict.fromkeys(df["kind"].fillna("").astype(str)))
    others = [k for k in kinds if k not in KIND_COLORS]
    kind_color = {
        **{k: _KIND_CYCLE[i % len(_KIND_CYCLE)] for i, k in enumerate(others)},
        **KIND_COLORS,
    }
    credited_label = None
    levels = _label_levels(df, lo, hi)
    step = 0.6
    for i, row in df.iterrows():
        level, anchor, short = levels[i]
        y = 1.0 + level * step
        credited = credit is not None and credit in (str(row["key"]), str(row["label"]))
        color = COLORS["intervention"] if credited else kind_color[str(row["kind"] or "")]
        if credited:
            credited_label = str(row["label"])
        label = f"<b>{esc(short)}</b>" if credited else esc(short)
        fig.add_trace(
            go.Scatter(
                x=[row["date"], row["date"]],
                y=[0, y],
                mode="lines+markers",
                line=dict(color=color, width=1.4),
                marker=dict(size=[0, 8], color=color),
                name=esc(row["label"]),
                showlegend=False,
                hovertemplate=f"{esc(row['label'])}<br>%{{x|%Y-%m-%d}}<extra>{esc(row['kind'])}</extra>",
            )
        )
        if not short:
            continue
        fig.add_annotation(
            x=row["date"],
            y=y,
            text=label,
            showarrow=False,
            yanchor="bottom",
            xanchor=anchor,
            xshift=2 if anchor == "left" else -2,
            font=dict(color=color),
            bgcolor="rgba(255,255,255,0.85)",
        )
    legend = []  # the stems carry no legend entries of their own
    if credited_label:
        legend.append((f"Credited: {credited_label}", COLORS["intervention"], "circle"))
    legend += [(k, kind_color[k], "circle") for k in kinds if k]
    if window:
        legend.append(
            (
                f"Claim window {period_label(w0, 'M')} to {period_label(w1, 'M')}",
                "#cfcfcf",
                "square",
            )
        )
    for name, colour, symbol in legend:
        if name:
            fig.add_trace(
                go.Scatter(
                    x=[None],
                    y=[None],
                    mode="markers",
                    name=esc(name),
                    marker=dict(size=11 if symbol == "square" else 9, color=colour, symbol=symbol),
                    hoverinfo="skip",
                )
            )
    fig.add_hline(y=0, line=dict(color="#888888", width=1))
    top = max((lv for lv, _, _ in levels), default=0)
    fig.update_yaxes(visible=False, range=[-0.3, 1.0 + top * step + 0.9])
    fig.update_xaxes(range=[lo, hi])
    data = df[["date", "label", "kind", "in_window"]]
    return finish(fig, data, text, "timeline")
