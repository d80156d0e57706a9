"""What every chart shares: ``Chart``, ``ChartText``, the Okabe-Ito palette, ``decorate`` (title,
subtitle, source and notes drawn on the figure) and the small drawing helpers the builders in
``explorer.charts.its``, ``.events``, ``.robustness`` and ``.scenarios`` use.

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
    byline: str | None = None  # "Chart: <name>", drawn after the source line

    def edited(self, **changes) -> ChartText:
        """A copy with some fields replaced (the export kit's edits); ``notes`` may be one string
        with one note per line."""
        import dataclasses

        notes = changes.get("notes")
        if isinstance(notes, str):
            changes["notes"] = tuple(n.strip() for n in notes.splitlines() if n.strip())
        clean = {
            k: (v if k == "notes" else (str(v).strip() or None if v is not None else None))
            for k, v in changes.items()
        }
        return dataclasses.replace(self, **clean)

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
        series. ``explorer.export.files.to_csv`` writes it.
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
        if self.kind == "timeline" and width >= 560:
            # Names wrap for a phone's plot in the app; an image of known width has room for
            # each on one line, so its rows fit the preset's height (640 x 400 included).
            for a in fig.layout.annotations or ():
                if a.name != _DECO and a.text and "<br>" in a.text:
                    a.text = a.text.replace("</b><br><b>", " ").replace("<br>", " ")
        decorate(fig, self.text, width=width, height=height)
        return fig

    def with_text(self, text: ChartText) -> Chart:
        """The same chart with other words on it (laid out again at the default size)."""
        import plotly.graph_objects as go

        fig = go.Figure(self.figure)
        decorate(fig, text, width=DEFAULT_SIZE[0], height=DEFAULT_SIZE[1])
        return Chart(figure=fig, data=self.data, text=text, kind=self.kind)


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


def _foot_lines(text: ChartText, inner: float, size: float) -> list[str]:
    lines = []
    line = " · ".join(
        x
        for x in (text.source and f"Source: {text.source}", text.byline and f"Chart: {text.byline}")
        if x
    )
    if line:
        lines += _wrap(line, inner, size)
    for note in text.notes:
        if note:
            lines += _wrap(f"Note: {note}", inner, size)
    return lines


def _foot(text: ChartText, inner: float, size: int, *, max_h: float) -> tuple[list[str], int]:
    """The source, byline and notes as lines that take at most ``max_h`` pixels: the font
    shrinks (to 8 px at the least) before lines are cut, and a cut ends in an ellipsis that
    points at the data's notes (the full caveats travel in the CSV's JSON and the app)."""
    for s in range(size, 7, -1):
        lines = _foot_lines(text, inner, s)
        if len(lines) * s * 1.3 <= max_h:
            return lines, s
    keep = max(1, int(max_h / (8 * 1.3)))
    lines = _foot_lines(text, inner, 8)
    if len(lines) > keep:
        lines = lines[: keep - 1] + [esc("... (more notes: see the results JSON)")]
    return lines, 8


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
    foot, foot_size = _foot(text, inner, sizes["small"], max_h=0.36 * height)

    def block(n, size):
        return n * size * 1.3

    title_h, sub_h = block(len(title), sizes["title"]), block(len(subtitle), sizes["subtitle"])
    foot_h = block(len(foot), foot_size)
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
                font=dict(size=foot_size, color="#555555"),
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


def new_figure():
    """A new figure for the chart builders, which finish it with ``finish``.

    Plotly validates every property set on a figure against its schema, walking the layout's
    tree on each update; with the template attached (thousands of properties) that made the
    landing page's timeline take 0.2-0.4 s to build. The builders only set known properties
    (the tests draw and export every chart), so the figure skips validation (traces still
    validate themselves) and the template is attached last, by ``finish``.
    """
    import plotly.graph_objects as go

    fig = go.Figure(layout={"template": {}}, _validate=False)
    fig.update_layout(hovermode="x unified")
    return fig


def finish(
    fig, data: pd.DataFrame, text: ChartText | None, kind: str, *, height: int | None = None
) -> Chart:
    """Decorate ``fig`` at the app's size (``height`` for charts that grow with their rows)."""
    import plotly.io as pio

    text = text or ChartText()
    decorate(fig, text, width=DEFAULT_SIZE[0], height=height or DEFAULT_SIZE[1])
    fig.update_layout(template=pio.templates["plotly_white"])
    return Chart(figure=fig, data=data.reset_index(drop=True), text=text, kind=kind)


def rgba(hex_color: str, alpha: float) -> str:
    h = hex_color.lstrip("#")
    r, g, b = (int(h[i : i + 2], 16) for i in (0, 2, 4))
    return f"rgba({r},{g},{b},{alpha})"


def band(fig, x, low, high, *, color: str, name: str, legend: bool = True, **kw) -> None:
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
            fillcolor=rgba(color, 0.22),
            name=name,
            showlegend=legend,
            hoverinfo="skip",
            **kw,
        )
    )


def vline(
    fig, x, label: str, *, color: str, row: int = 0, dash: str = "dot", anchor: str = "left", **kw
) -> None:
    """A labelled vertical line at ``x`` (labels staggered by ``row`` so close dates stay
    legible; ``anchor="right"`` writes the label to the line's left, for lines near the right
    edge, so it stays inside the plot)."""
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
        xanchor=anchor,
        xshift=3 if anchor == "left" else -3,
        yshift=-row * 16,
        text=label,
        showarrow=False,
        align=anchor,
        font=dict(color=color),
        bgcolor="rgba(255,255,255,0.75)",
    )


def as_date(x) -> pd.Timestamp:
    return pd.Timestamp(x)


def shade(fig, start, end, label: str | None, *, xref: str = "x") -> None:
    fig.add_shape(
        type="rect",
        x0=as_date(start),
        x1=as_date(end),
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
        x=as_date(start),
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


# -- the app's copy of a figure -----------------------------------------------------------------
DARK = {
    "text": "#e6e6e6",
    "muted": "#aaaaaa",
    "grid": "#3a3d45",
    "line": "#80848c",
    "bg": "#0e1117",
}
LIGHT = {
    "text": "#222222",
    "muted": "#555555",
    "grid": "#e5e5e5",
    "line": "#888888",
    "bg": "#ffffff",
}


def app_figure(chart: Chart, *, dark: bool = False):
    """The figure as the app draws it: the column's width, for a light or a dark page.

    The title and subtitle go above the chart as page text (they wrap at any width, so a phone
    never clips them) and the source below it (``app_pages._ui``); the figure itself keeps
    the plot, its marks and labels, with the legend under the plot (at 390 px a legend above
    it wrapped over the title) and colours that read on the reader's theme (Streamlit's
    ``theme="streamlit"``; black observed points turn light grey on a dark page). Exports use
    ``Chart.sized`` instead, with every word drawn on the image.
    """
    import plotly.graph_objects as go

    pal = DARK if dark else LIGHT
    # A copy without plotly's validation (the chart's figure was validated when it was built):
    # validating the copy again cost 10-15 ms per chart on every page that shows one.
    fig = go.Figure(chart.figure.to_dict(), _validate=False)
    anns = []
    for a in fig.layout.annotations or ():
        if a.name == _DECO:
            continue
        if dark:
            if a.bgcolor and str(a.bgcolor).startswith("rgba(255,255,255"):
                a.bgcolor = "rgba(14,17,23,0.75)"
            if a.font and a.font.color in ("#555555", "#444444", "#111111", "#222222", "#000000"):
                a.font.color = pal["muted"]
        anns.append(a)
    if dark:
        for t in fig.data:
            for part in ("marker", "line"):
                obj = getattr(t, part, None)
                if obj is not None and getattr(obj, "color", None) in ("#000000", "black"):
                    obj.color = pal["text"]
        for s in fig.layout.shapes or ():
            if s.line and s.line.color in ("#000000", "black", "#222222"):
                s.line.color = pal["text"]
    base = _base_font(DEFAULT_SIZE[0])
    m = fig.layout.margin
    meta = dict(fig.layout.meta) if isinstance(fig.layout.meta, dict) else {}
    t = chart.text  # the words travel with the app's figure too (drawn as page text)
    meta.update(title=t.title, subtitle=t.subtitle, source=t.source, notes=list(t.notes))
    fig.layout.annotations = anns  # (update_layout would merge the lists element-wise)
    fig.update_layout(
        meta=meta,
        width=None,
        autosize=True,
        height=int(fig.layout.height or DEFAULT_SIZE[1]),
        margin=dict(l=m.l, r=m.r, t=round(base * 1.2), b=round(base * 2.4), pad=0),
        paper_bgcolor="rgba(0,0,0,0)",
        plot_bgcolor="rgba(0,0,0,0)",
        font=dict(family=_FONT, size=base, color=pal["text"]),
        legend=dict(
            orientation="h",
            x=0,
            xanchor="left",
            y=-0.1,
            yanchor="top",
            font=dict(size=base - 1, color=pal["text"]),
        ),
    )
    fig.update_xaxes(linecolor=pal["line"], automargin=True)
    fig.update_yaxes(gridcolor=pal["grid"], zerolinecolor=pal["line"], automargin=True)
    return fig
