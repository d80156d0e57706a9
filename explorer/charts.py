"""Plotly figures for articles: the ITS chart and a claim's events timeline (robustness charts in
``explorer.charts_robustness``, re-exported here).

Every builder returns a ``Chart``: the plotly figure, the data behind it (a tidy DataFrame with one
date or x column and one column per series, ready for CSV and Datawrapper) and the text drawn on
it (``ChartText``: title, subtitle, source line, notes). The text is drawn *on* the figure as
annotations, so a PNG pasted into a CMS still carries its source; ``Chart.sized(width, height)``
lays it out again for an export size (fonts and wrapping follow the width).

Design choices, for readers of the figures:

- Okabe-Ito colours (safe for the common colour-vision deficiencies); observed points black,
  the fitted model blue, the counterfactual orange and dashed, interventions vermillion.
- Readable at an article column (640 px): 13 px text there, larger for social cards.
- Everything a user can type (titles, labels, column names, event names) is plain text: ``esc``
  neutralises ``& < >`` because plotly renders a subset of HTML (``<a>``, ``<b>``, ``<br>``) in
  any text it draws.

Robustness charts take plain DataFrames (``date, estimate, ci_low, ci_high``) so they do not
depend on how the robustness modules compute them.
"""

from __future__ import annotations

import html
import textwrap
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

# Okabe & Ito (2008), "Color Universal Design": distinguishable with the common deficiencies.
OKABE_ITO = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky": "#56B4E9",
    "green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "purple": "#CC79A7",
    "grey": "#999999",
}
# Kinds of series and marks, by role: the same role has the same colour on every chart.
COLORS = {
    "observed": OKABE_ITO["black"],
    "fitted": OKABE_ITO["blue"],
    "counterfactual": OKABE_ITO["orange"],
    "intervention": OKABE_ITO["vermillion"],
    "alternative": OKABE_ITO["green"],
    "neutral": OKABE_ITO["grey"],
}
_CYCLE = [OKABE_ITO[k] for k in ("blue", "orange", "green", "vermillion", "purple", "sky", "black")]

DEFAULT_SIZE = (640, 420)  # how the app shows a chart (an article column)
_DECO = "explorer-deco"  # name tag of the text annotations that ``decorate`` owns
_FONT = "Arial, Helvetica, sans-serif"


def esc(text) -> str:
    """User text as plotly plain text: ``&``, ``<`` and ``>`` become entities.

    Plotly renders a subset of HTML in every string it draws; escaped, a label such as
    ``<img src=x onerror=alert(1)>`` is shown literally instead of being interpreted.

    Examples
    --------
    >>> esc("<b>A & B</b>")
    '&lt;b&gt;A &amp; B&lt;/b&gt;'
    """
    return html.escape("" if text is None else str(text), quote=False)


@dataclass(frozen=True)
class ChartText:
    """The words drawn on a chart. All plain text (escaped when drawn)."""

    title: str | None = None
    subtitle: str | None = None
    source: str | None = None
    notes: tuple[str, ...] = ()

    def __post_init__(self):
        if isinstance(self.notes, str):
            object.__setattr__(self, "notes", (self.notes,))
        elif not isinstance(self.notes, tuple):
            object.__setattr__(self, "notes", tuple(self.notes or ()))


@dataclass(frozen=True, eq=False)
class Chart:
    """A figure, the data behind it and the words on it.

    Attributes
    ----------
    figure
        The plotly figure, laid out at ``DEFAULT_SIZE`` (the app may stretch its width).
    data
        The data behind the chart: the first column is the date (or x), then one column per
        series. ``explorer.export.to_csv`` writes it.
    text
        Title, subtitle, source and notes (drawn on the figure).
    kind
        ``its``, ``timeline``, ``sweep``, ``placebo``, ``spec_curve`` or ``acf``.
    """

    figure: object
    data: pd.DataFrame
    text: ChartText = field(default_factory=ChartText)
    kind: str = "chart"

    def sized(self, width: int, height: int):
        """A copy of the figure laid out for exactly ``width`` x ``height`` CSS pixels."""
        import plotly.graph_objects as go

        fig = go.Figure(self.figure)
        decorate(fig, self.text, width=width, height=height)
        return fig


# -- layout -----------------------------------------------------------------------------------


def _base_font(width: int) -> int:
    # 13 px at an article column; bigger on social cards, which are viewed shrunk.
    return int(min(22, max(12, round(13 * width / 640))))


def _wrap(text: str, width_px: float, size: float, *, bold: bool = False) -> list[str]:
    """Plain text -> escaped lines that fit ``width_px`` (plotly never wraps by itself)."""
    per_char = size * (0.60 if bold else 0.53)  # average glyph width of Arial, with slack
    chars = max(12, int(width_px / per_char))
    lines = []
    for para in str(text).splitlines() or [""]:
        lines += textwrap.wrap(para, chars, break_long_words=True) or [""]
    return [esc(line) for line in lines]


def decorate(fig, text: ChartText, *, width: int, height: int):
    """Lay ``fig`` out at ``width`` x ``height`` with the title, subtitle, source and notes on it.

    Idempotent: the text annotations it added before are replaced, so a chart can be laid out
    again for each export size. Positions are in pixels (annotation shifts from the plot area's
    edges), so they hold whatever the figure's size.

    Parameters
    ----------
    fig
        A plotly figure (changed in place and returned).
    text
        The words to draw.
    width, height
        Figure size in CSS pixels.

    Returns
    -------
    plotly.graph_objects.Figure
    """
    base = _base_font(width)
    pad = round(base * 0.9)
    sizes = {"title": round(base * 1.35), "subtitle": base, "small": max(10, round(base * 0.8))}
    inner = width - 2 * pad
    title = _wrap(text.title, inner, sizes["title"], bold=True) if text.title else []
    subtitle = _wrap(text.subtitle, inner, sizes["subtitle"]) if text.subtitle else []
    foot = []
    if text.source:
        foot += _wrap(f"Source: {text.source}", inner, sizes["small"])
    for note in text.notes:
        if note:
            foot += _wrap(f"Note: {note}", inner, sizes["small"])

    def block(n, size):
        return n * size * 1.3

    title_h, sub_h = block(len(title), sizes["title"]), block(len(subtitle), sizes["subtitle"])
    foot_h = block(len(foot), sizes["small"])
    named = [t for t in fig.data if t.showlegend is not False and t.name]
    show_legend = len(named) > 1
    legend_h = 0.0
    if show_legend:
        # plotly wraps a horizontal legend by itself, into a grid of equal columns once it
        # does not fit on one line: reserve as many rows as it will need.
        avail = max(width - 2 * pad, 100)
        widths = [len(html.unescape(t.name)) * (sizes["small"] + 1) * 0.56 + 44 for t in named]
        rows = 1 if sum(widths) <= avail else -(-len(widths) // max(1, int(avail // max(widths))))
        legend_h = rows * (sizes["small"] + 9) + base * 0.3
    top = pad + title_h + (base * 0.3 if subtitle else 0) + sub_h + legend_h + base * 0.6
    # x tick labels (and an x axis title, if any) sit between the plot and the foot.
    x_titled = any(
        getattr(getattr(fig.layout[k], "title", None), "text", None)
        for k in fig.layout
        if k.startswith("xaxis")
    )
    bottom = pad + foot_h + base * (2.4 + (1.5 if x_titled else 0.0))
    meta = fig.layout.meta if isinstance(fig.layout.meta, dict) else {}
    # Charts with category labels on the left (the spec curve) ask for room in characters.
    left = max(round(base * 4.6), round(int(meta.get("left_chars", 0)) * base * 0.55) + pad)
    right = round(base * 1.5)

    keep = [a for a in (fig.layout.annotations or ()) if a.name != _DECO]
    deco = []
    y_px = top - pad  # distance from the plot area's top edge to the figure's top, minus pad
    for lines, size, bold in ((title, sizes["title"], True), (subtitle, sizes["subtitle"], False)):
        if not lines:
            continue
        body = "<br>".join(f"<b>{x}</b>" if bold else x for x in lines)
        deco.append(
            dict(
                name=_DECO,
                text=body,
                xref="paper",
                yref="paper",
                x=0,
                y=1,
                xanchor="left",
                yanchor="top",
                xshift=-(left - pad),
                yshift=y_px,
                showarrow=False,
                align="left",
                font=dict(size=size, color="#111111" if bold else "#444444"),
            )
        )
        y_px -= block(len(lines), size) + (base * 0.3 if bold else 0)
    if foot:
        deco.append(
            dict(
                name=_DECO,
                text="<br>".join(foot),
                xref="paper",
                yref="paper",
                x=0,
                y=0,
                xanchor="left",
                yanchor="bottom",
                xshift=-(left - pad),
                yshift=-(bottom - pad),
                showarrow=False,
                align="left",
                font=dict(size=sizes["small"], color="#555555"),
            )
        )
    fig.update_layout(
        width=width,
        height=height,
        autosize=False,
        margin=dict(l=left, r=right, t=round(top), b=round(bottom), pad=0),
        font=dict(family=_FONT, size=base, color="#222222"),
        paper_bgcolor="white",
        plot_bgcolor="white",
        showlegend=show_legend,
        legend=dict(
            orientation="h",
            x=0,
            y=1,
            xanchor="left",
            yanchor="bottom",
            bgcolor="rgba(0,0,0,0)",
            traceorder="normal",
            font=dict(size=sizes["small"] + 1),
        ),
        annotations=keep + deco,
        title=None,
    )
    fig.update_xaxes(showgrid=False, linecolor="#888888", ticks="outside", automargin=False)
    fig.update_yaxes(gridcolor="#e5e5e5", zerolinecolor="#bbbbbb", automargin=False)
    return fig


def _figure():
    """A new figure for the chart builders, which finish it with ``_finish``.

    Plotly validates every property set on a figure against its schema, walking the layout's
    tree on each update; with the template attached (thousands of properties) that made the
    landing page's timeline take 0.2-0.4 s to build. The builders only set known properties
    (the tests draw and export every chart), so the figure skips validation (traces still
    validate themselves) and the template is attached last, by ``_finish``.
    """
    import plotly.graph_objects as go

    fig = go.Figure(layout={"template": {}}, _validate=False)
    fig.update_layout(hovermode="x unified")
    return fig


def _finish(fig, data: pd.DataFrame, text: ChartText | None, kind: str) -> Chart:
    import plotly.io as pio

    text = text or ChartText()
    decorate(fig, text, width=DEFAULT_SIZE[0], height=DEFAULT_SIZE[1])
    fig.update_layout(template=pio.templates["plotly_white"])
    return Chart(figure=fig, data=data.reset_index(drop=True), text=text, kind=kind)


def _rgba(hex_color: str, alpha: float) -> str:
    h = hex_color.lstrip("#")
    r, g, b = (int(h[i : i + 2], 16) for i in (0, 2, 4))
    return f"rgba({r},{g},{b},{alpha})"


def _band(fig, x, low, high, *, color: str, name: str, legend: bool = True, **kw) -> None:
    """A shaded interval: the lower edge invisible, the upper filled down to it."""
    import plotly.graph_objects as go

    fig.add_trace(
        go.Scatter(
            x=x,
            y=low,
            mode="lines",
            line=dict(width=0),
            showlegend=False,
            hoverinfo="skip",
            name=name,
            **kw,
        )
    )
    fig.add_trace(
        go.Scatter(
            x=x,
            y=high,
            mode="lines",
            line=dict(width=0),
            fill="tonexty",
            fillcolor=_rgba(color, 0.22),
            name=name,
            showlegend=legend,
            hoverinfo="skip",
            **kw,
        )
    )


def _vline(fig, x, label: str, *, color: str, row: int = 0, dash: str = "dot", **kw) -> None:
    """A labelled vertical line at ``x`` (labels staggered by ``row`` so close dates stay legible)."""
    fig.add_shape(
        type="line",
        x0=x,
        x1=x,
        xref=kw.get("xref", "x"),
        yref="paper",
        y0=0,
        y1=1,
        line=dict(color=color, width=1.6, dash=dash),
        layer="above",
    )
    fig.add_annotation(
        x=x,
        xref=kw.get("xref", "x"),
        y=1,
        yref="paper",
        yanchor="top",
        xanchor="left",
        xshift=3,
        yshift=-row * 16,
        text=label,
        showarrow=False,
        align="left",
        font=dict(color=color),
        bgcolor="rgba(255,255,255,0.75)",
    )


def _date(x) -> pd.Timestamp:
    return pd.Timestamp(x)


def _fmt_date(ts, freq: str | None = None) -> str:
    ts = pd.Timestamp(ts)
    if freq in ("M", "Q"):
        return ts.strftime("%Y-%m")
    if freq == "Y":
        return ts.strftime("%Y")
    return ts.strftime("%Y-%m-%d")


# -- the ITS chart ----------------------------------------------------------------------------


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
    starts = [_date(iv.first_treated_period) for iv in result.interventions]
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
    fig = _figure()
    if claim_window:
        _shade(fig, claim_window[0], claim_window[1], "Claim window")
    x = data["date"]
    has_cf = data["counterfactual"].notna().any()
    if has_cf:
        _band(
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
    for i, iv in enumerate(
        sorted(result.interventions, key=lambda v: _date(v.first_treated_period))
    ):
        when = str(getattr(iv, "date", None) or _fmt_date(iv.first_treated_period))
        _vline(
            fig,
            _date(iv.first_treated_period),
            f"{esc(iv.label)} ({when})",
            color=COLORS["intervention"],
            row=i % 3,
        )
    fig.update_yaxes(title_text=esc(ylabel))
    fig.update_traces(hovertemplate="%{y:,.4~g}")
    return _finish(fig, data, text, "its")


def _shade(fig, start, end, label: str | None, *, xref: str = "x") -> None:
    fig.add_shape(
        type="rect",
        x0=_date(start),
        x1=_date(end),
        xref=xref,
        y0=0,
        y1=1,
        yref="paper",
        fillcolor="rgba(153,153,153,0.18)",
        line=dict(width=0),
        layer="below",
    )
    if not label:  # named in the legend instead
        return
    fig.add_annotation(
        x=_date(start),
        xref=xref,
        y=0,
        yref="paper",
        xanchor="left",
        yanchor="bottom",
        xshift=3,
        yshift=3,
        text=esc(label),
        showarrow=False,
        font=dict(color="#555555"),
    )


# -- a claim's events timeline ----------------------------------------------------------------


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
    its stem or else to its left, inside the axis and clear of every label on that level. Widths are estimated at the app's default size (export sizes
    scale fonts with the width, so they stay close).
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
        ``explorer.events.load_events()`` output: objects or dicts with ``key, label, date,
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
        w0, w1 = _date(window[0]), _date(window[1])
    if span:
        lo, hi = _date(span[0]), _date(span[1])
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
    fig = _figure()
    fig.update_layout(hovermode="closest")
    if window:
        # Named in the legend: a label inside the shading sat on the axis line.
        _shade(fig, w0, w1, None)
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
            (f"Claim window {_fmt_date(w0, 'M')} to {_fmt_date(w1, 'M')}", "#cfcfcf", "square")
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
    return _finish(fig, data, text, "timeline")


def palette(n: int) -> list[str]:
    """``n`` Okabe-Ito colours in the project's order (cycled beyond seven)."""
    return [_CYCLE[i % len(_CYCLE)] for i in range(n)]


def iter_text(chart: Chart) -> Iterable[str]:
    """Every string drawn on the figure (annotations, trace names, axis titles): for tests."""
    fig = chart.figure
    for a in fig.layout.annotations or ():
        yield a.text or ""
    for t in fig.data:
        yield t.name or ""
    for ax in (fig.layout.xaxis, fig.layout.yaxis):
        if ax.title and ax.title.text:
            yield ax.title.text


# The robustness builders live in ``explorer.charts_robustness`` (which takes its helpers from
# here); callers keep using ``charts.sweep_chart`` and friends through this lazy re-export.
_ROBUSTNESS = ("acf_chart", "placebo_chart", "spec_curve_chart", "sweep_chart")


def __getattr__(name: str):
    if name in _ROBUSTNESS:
        from explorer import charts_robustness

        return getattr(charts_robustness, name)
    raise AttributeError(f"module 'explorer.charts' has no attribute {name!r}")
