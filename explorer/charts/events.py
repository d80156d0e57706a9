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


_WRAP = 22  # characters per line of an event's name: two short lines fit half a phone's plot
# Kinds of event by colour; vermillion (and orange, too close to it) are kept for the event a
# claim credits, so the legend never shows the credited colour for another kind.
KIND_COLORS = {
    "policy": OKABE_ITO["blue"],
    "platform enforcement": OKABE_ITO["green"],
    "attack": OKABE_ITO["black"],
    "publication": OKABE_ITO["purple"],
}
_KIND_CYCLE = [OKABE_ITO[k] for k in ("sky", "grey", "yellow")]
ROW_PX = 38  # height of one event's row


def wrap_label(text: str, width: int = _WRAP) -> list[str]:
    """An event's name in lines of at most ``width`` characters (a longer word stays whole)."""
    import textwrap

    return textwrap.wrap(str(text), width, break_long_words=False) or [""]


def label_anchor(date, lo, hi) -> str:
    """Which side of its dot a name is written: towards the wider part of the axis, so that a
    name of at most half the plot's width always stays inside it, at any chart width."""
    frac = (as_date(date) - lo) / max(hi - lo, pd.Timedelta(days=1))
    return "left" if frac < 0.5 else "right"


def events_timeline(
    events,
    *,
    window: tuple[str, str] | None = None,
    credit: str | None = None,
    text: ChartText | None = None,
    span: tuple[str, str] | None = None,
) -> Chart:
    """A claim's window against the events catalogue: one row per event, the window shaded.

    Each event is a dot at its date on its own row, its name beside the dot on the side with
    more room (wrapped at 22 characters), so names never overlap and stay inside the plot at
    any width from a phone's 390 px up.

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
    n = len(df)
    for i, row in df.iterrows():
        y = -i  # one row per event, earliest at the top: names never collide
        credited = credit is not None and credit in (str(row["key"]), str(row["label"]))
        color = COLORS["intervention"] if credited else kind_color[str(row["kind"] or "")]
        if credited:
            credited_label = str(row["label"])
        lines = [esc(x) for x in wrap_label(row["label"])]
        label = "<br>".join(f"<b>{x}</b>" for x in lines) if credited else "<br>".join(lines)
        fig.add_trace(
            go.Scatter(
                x=[lo, row["date"]],
                y=[y, y],
                mode="lines+markers",
                line=dict(color=color, width=1, dash="dot"),
                marker=dict(size=[0, 10], color=color),
                name=esc(row["label"]),
                showlegend=False,
                hovertemplate=f"{esc(row['label'])}<br>%{{x|%Y-%m-%d}}<extra>{esc(row['kind'])}</extra>",
            )
        )
        anchor = label_anchor(row["date"], lo, hi)
        fig.add_annotation(
            x=row["date"],
            y=y,
            text=label,
            showarrow=False,
            yanchor="middle",
            xanchor=anchor,
            align=anchor,
            xshift=8 if anchor == "left" else -8,
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
    fig.update_yaxes(visible=False, range=[-(n - 1) - 0.7, 0.7])
    fig.update_xaxes(range=[lo, hi], showgrid=True)
    data = df[["date", "label", "kind", "in_window"]]
    height = max(DEFAULT_SIZE[1], 170 + ROW_PX * n)
    return finish(fig, data, text, "timeline", height=height)
