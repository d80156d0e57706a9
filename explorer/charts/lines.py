"""Plain line charts, styled and exported like the others: the power curve and Ingest's series."""

from __future__ import annotations

import pandas as pd

from explorer.charts.base import COLORS, Chart, ChartText, esc, finish, new_figure, palette


def lines_chart(
    frame: pd.DataFrame,
    *,
    x: str,
    ys: dict[str, str],
    text: ChartText | None = None,
    value_label: str | None = None,
    x_label: str | None = None,
    kind: str = "lines",
    markers: bool = False,
) -> Chart:
    """One line per column of ``frame`` (``ys``: column -> its name in words)."""
    import plotly.graph_objects as go

    fig = new_figure()
    for (col, name), colour in zip(ys.items(), palette(len(ys)), strict=False):
        fig.add_trace(
            go.Scatter(
                x=frame[x],
                y=pd.to_numeric(frame[col], errors="coerce"),
                mode="lines+markers" if markers else "lines",
                name=esc(name),
                line=dict(color=colour, width=2),
                marker=dict(size=4),
                hovertemplate="%{y:,.4~g}",
            )
        )
    if value_label:
        fig.update_yaxes(title_text=esc(value_label))
    if x_label:
        fig.update_xaxes(title_text=esc(x_label))
    data = frame[[x, *ys]].rename(columns={c: n for c, n in ys.items()})
    return finish(fig, data, text, kind)


def power_chart(
    curve: pd.DataFrame,
    *,
    mde: float | None = None,
    text: ChartText | None = None,
    effect_label: str = "Level change",
) -> Chart:
    """Power against the size of the effect, with 80% power and the minimum detectable effect."""
    chart = lines_chart(
        curve,
        x="effect",
        ys={"power": "Power"},
        text=text,
        value_label="Power (share of simulations that find it)",
        x_label=effect_label,
        kind="power",
        markers=True,
    )
    fig = chart.figure
    fig.update_layout(hovermode="closest")
    fig.add_hline(y=0.8, line=dict(color=COLORS["neutral"], dash="dot", width=1.2))
    if mde is not None and pd.notna(mde):
        fig.add_vline(x=float(mde), line=dict(color=COLORS["intervention"], dash="dot", width=1.6))
        fig.add_annotation(
            x=float(mde),
            y=0.8,
            text=esc("80% power"),
            showarrow=False,
            xanchor="left",
            yanchor="bottom",
            xshift=4,
            font=dict(color=COLORS["intervention"]),
        )
    fig.update_yaxes(range=[0, 1.05], tickformat=".0%")
    return chart
