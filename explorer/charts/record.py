"""The public record drawn over time: one group of published snapshots against the interventions.

``record_chart(group)`` draws every point of an ``explorer.catalog.record`` group as an interval: a
horizontal bar over the period the figure covers, a vertical bar over its range (``low`` to
``high``) and a marker at the value, whose shape says whether the figure is a bound (triangle up:
at least; down: at most) and whether it was reported as stated only in part (hollow). The
intervention dates from the events catalogue are dashed lines (the GEC in vermillion) and the 45%
claim's window is shaded. Hover gives each point's source, formula and both statuses.

Same conventions as ``explorer.charts`` (a ``Chart`` with the figure, the data behind it and its
``ChartText``; Okabe-Ito colours; all text escaped), using only its public names.
"""

from __future__ import annotations

import pandas as pd

from explorer.charts.base import COLORS, DEFAULT_SIZE, Chart, ChartText, decorate, esc, palette

# The events drawn by default: the intervention credited, the rival explanation, the claim's date.
DEFAULT_EVENTS = ("twitter_campaign", "gec", "ap_story")
_MAX_LEVELS = 4


def _publisher(point: dict) -> str:
    pubs = [(s.get("publisher") or "").split(" (")[0] for s in point.get("sources", [])]
    return " / ".join(dict.fromkeys(p for p in pubs if p)) or "unknown publisher"


def _symbol(point: dict) -> str:
    if point["verification"] == "UNVERIFIED":
        return "x"
    base = {"lower": "triangle-up", "upper": "triangle-down"}.get(
        point.get("bound") or "", "circle"
    )
    return base + ("-open" if point["verification"] == "PARTLY_VERIFIED" else "")


def _hover(point: dict, unit: str) -> str:
    from explorer.catalog.record import fmt_number

    value = point["value_text"]
    bound = {"lower": "at least ", "upper": "at most "}.get(point.get("bound") or "", "")
    lines = [
        f"<b>{esc(point['point_id'])}</b>: {esc(bound + value)} {esc(unit)}",
        esc(point["period_words"]),
    ]
    if point.get("formula"):
        lines.append(esc(point.get("calculation") or point["formula"]))
    elif point["low"] != point["high"]:
        lines.append(esc(f"range {fmt_number(point['low'])}-{fmt_number(point['high'])}"))
    lines.append(esc(f"Source: {point['source']}"))
    lines.append(
        esc(
            f"Reported as stated: {point['reported_as_stated']} · "
            f"Checkable with public data: {point['checkable']}"
        )
    )
    return "<br>".join(lines)


NARROW_PLOT_PX = 300  # the plot's width on a 390 px phone: labels are laid out to fit it
LEVEL_PX = 34  # one level of (up to two-line) labels


def _levels(events: list[dict], lo: pd.Timestamp, hi: pd.Timestamp) -> list[tuple[int, str, str]]:
    """Per event (by date): (label row, anchor, label in lines), greedy so that labels do not
    overlap even at a phone's width: each name wraps at 22 characters and is written towards
    the wider part of the axis (so it stays inside the plot), on the first free row."""
    from explorer.charts.events import label_anchor, wrap_label

    days_per_px = max((hi - lo).days, 1) / NARROW_PLOT_PX
    placed: list[list[tuple[pd.Timestamp, pd.Timestamp]]] = []
    out = []
    for e in events:
        lines = wrap_label(e["label"])
        width = pd.Timedelta(days=(max(len(x) for x in lines) * 11 * 0.56 + 10) * days_per_px)
        anchor = label_anchor(e["date"], lo, hi)
        start, end = (
            (e["date"], e["date"] + width) if anchor == "left" else (e["date"] - width, e["date"])
        )
        level = next(
            (i for i, row in enumerate(placed) if all(end < a or start > b for a, b in row)), None
        )
        if level is None:
            if len(placed) >= _MAX_LEVELS:  # no room: the line stays, the label is in the notes
                out.append((0, anchor, ""))
                continue
            placed.append([])
            level = len(placed) - 1
        placed[level].append((start, end))
        out.append((level, anchor, "\n".join(lines)))
    return out


def record_chart(
    group,
    *,
    events: tuple[str, ...] | None = DEFAULT_EVENTS,
    claim_id: str | None = "AP-01",
    text: ChartText | None = None,
    log_y: bool | None = None,
) -> Chart:
    """One record group over time: each point an interval, against the interventions.

    Parameters
    ----------
    group
        A group id (``followers``, ``supporters``, ``suspensions``, ``ratio``) or a group dict
        from ``explorer.catalog.record.group``.
    events
        Event keys from the catalogue to draw as lines (inside the axis span); ``None``: none.
    claim_id
        The claim whose window is shaded (default AP-01, the 45% claim); ``None``: no shading.
    text
        Words on the chart; default: the group's title, what it shows, its publishers and what
        it cannot show.
    log_y
        Log value axis; default when the values span more than 30 times.

    Returns
    -------
    Chart
        ``kind="record"``; one trace per point (its ``meta`` holds the ``point_id``) and its data
        one row per point: ``period_start, period_end, point_id, claim_id, value, low, high, ...``.
    """
    import plotly.graph_objects as go
    import plotly.io as pio

    from explorer.catalog import record
    from explorer.catalog.claims import claim_window
    from explorer.catalog.events import load_events

    g = record.group(group) if isinstance(group, str) else group
    pts = g["points"]
    spans = [record.period_bounds(p) for p in pts]
    lo = min(a for a, _ in spans)
    hi = max(b for _, b in spans)
    window = None
    if claim_id:
        w = claim_window(claim_id)
        window = (pd.Timestamp(w.start), pd.Timestamp(w.end) + pd.offsets.MonthEnd(0))
        lo, hi = min(lo, window[0]), max(hi, window[1])
    pad = max(pd.Timedelta(days=60), (hi - lo) * 0.06)
    lo, hi = lo - pad, hi + pad

    fig = go.Figure(layout={"template": {}}, _validate=False)
    fig.update_layout(hovermode="closest")
    if window:
        fig.add_shape(
            type="rect",
            x0=window[0],
            x1=window[1],
            y0=0,
            y1=1,
            yref="paper",
            fillcolor="rgba(153,153,153,0.15)",
            line=dict(width=0),
            layer="below",
        )
        fig.add_annotation(
            x=window[0],
            y=0,
            yref="paper",
            xanchor="left",
            yanchor="bottom",
            xshift=3,
            yshift=3,
            showarrow=False,
            text=esc(f"{claim_id} claim window"),
            font=dict(color="#555555"),
        )

    publishers = list(dict.fromkeys(_publisher(p) for p in pts))
    colour = dict(zip(publishers, palette(len(publishers)), strict=True))
    shown: set[str] = set()
    rows = []
    for p, (first, last) in zip(pts, spans, strict=True):
        mid = first + (last - first) / 2
        pub = _publisher(p)
        hover = _hover(p, g["unit"])
        fig.add_trace(
            go.Scatter(
                x=[first, last, None, mid, mid, None, mid],
                y=[p["value"], p["value"], None, p["low"], p["high"], None, p["value"]],
                mode="lines+markers",
                line=dict(color=colour[pub], width=2.6),
                marker=dict(
                    size=[0, 0, 0, 0, 0, 0, 11],
                    color=colour[pub],
                    symbol=_symbol(p),
                    line=dict(width=1.6, color=colour[pub]),
                ),
                connectgaps=False,
                name=esc(pub),
                legendgroup=pub,
                showlegend=pub not in shown,
                text=[hover] * 7,
                hovertemplate="%{text}<extra></extra>",
                meta={"point_id": p["point_id"]},
            )
        )
        shown.add(pub)
        rows.append(
            {
                "period_start": first,
                "period_end": last,
                "point_id": p["point_id"],
                "claim_id": p["claim_id"],
                "value": p["value"],
                "low": p["low"],
                "high": p["high"],
                "bound": p.get("bound") or "",
                "unit": g["unit"],
                "verification": p["verification"],
                "reported_as_stated": p["reported_as_stated"],
                "checkable": p["checkable"],
                "formula": p.get("formula") or "",
                "derived_from": " ".join(p.get("derived_from") or []),
                "source": p["source"],
            }
        )

    drawn = []
    if events:
        ev = load_events()
        ev = ev[ev["key"].isin(list(events)) & (ev["date"] >= lo) & (ev["date"] <= hi)]
        drawn = ev.sort_values("date").to_dict("records")
    for e, (level, anchor, short) in zip(drawn, _levels(drawn, lo, hi), strict=True):
        gec = e["key"] == "gec"
        color = COLORS["intervention"] if gec else COLORS["neutral"]
        fig.add_shape(
            type="line",
            x0=e["date"],
            x1=e["date"],
            y0=0,
            y1=1,
            yref="paper",
            line=dict(color=color, width=1.8 if gec else 1.2, dash="dash" if gec else "dot"),
            layer="below",
        )
        if short:
            fig.add_annotation(
                x=e["date"],
                y=1,
                yref="paper",
                yanchor="top",
                xanchor=anchor,
                xshift=3 if anchor == "left" else -3,
                yshift=-level * LEVEL_PX,
                showarrow=False,
                align=anchor,
                text="<br>".join(f"<b>{esc(x)}</b>" if gec else esc(x) for x in short.split("\n")),
                font=dict(color=color if gec else "#555555"),
                bgcolor="rgba(255,255,255,0.8)",
            )

    values = [v for p in pts for v in (p["low"], p["high"]) if v and v > 0]
    if log_y is None:
        log_y = bool(values) and max(values) / min(values) > 30
    top = max(p["high"] for p in pts)
    if log_y:
        import math

        low_exp = math.floor(math.log10(min(values) / 4))
        high_exp = math.ceil(math.log10(top * 12))
        ticks = [10**k for k in range(low_exp, high_exp + 1)]
        fig.update_yaxes(
            type="log",
            range=[math.log10(min(values) / 4), math.log10(top * 12)],
            tickvals=ticks,
            ticktext=[f"{t:,}" for t in ticks],
        )
    else:
        fig.update_yaxes(range=[0, top * 1.6], rangemode="tozero", tickformat=",~r")
    fig.update_xaxes(range=[lo, hi], type="date")

    if text is None:
        unlabelled = [
            e["label"] for e, (_, _, s) in zip(drawn, _levels(drawn, lo, hi), strict=True) if not s
        ]
        notes = [
            g["cannot_show"],
            "Bars: the period each figure covers and its range. Triangle up: at least; down: at "
            "most; hollow: reported as stated only in part.",
        ]
        if unlabelled:
            notes.append("Unlabelled lines: " + "; ".join(unlabelled) + ".")
        text = ChartText(
            title=g["title"],
            subtitle=f"{g['unit'].capitalize()}, as published or derived, against the interventions",
            source="; ".join(publishers) + " (published figures compiled by the Evidence Explorer)",
            notes=tuple(notes),
        )
    decorate(fig, text, width=DEFAULT_SIZE[0], height=DEFAULT_SIZE[1])
    fig.update_layout(template=pio.templates["plotly_white"])
    data = pd.DataFrame(rows)
    if drawn:
        data.attrs["events"] = [
            {"key": e["key"], "label": e["label"], "date": e["date"].strftime("%Y-%m-%d")}
            for e in drawn
        ]
    return Chart(figure=fig, data=data, text=text, kind="record")
