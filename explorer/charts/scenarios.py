"""The one figure only the app draws: the scenario lab's small multiples.

Plain plotly, no Streamlit; the words (title, source) are drawn by ``explorer.charts.base.decorate``
like every other chart, so exports carry them. Colours follow ``explorer.charts.base.COLORS``.
"""

from __future__ import annotations

import pandas as pd

from explorer.charts.base import COLORS, Chart, decorate, esc


def scenario_grid(frames: dict[str, pd.DataFrame], *, gec_date, text, cols: int = 3):
    """Small multiples: each scenario's observed series, the fit and the no-GEC counterfactual.

    Parameters
    ----------
    frames
        Scenario name -> ``explorer.charts.its.its_frame(result)``.
    gec_date
        Where to draw the GEC line.
    text
        ``explorer.charts.base.ChartText`` drawn on the figure.

    Returns
    -------
    explorer.charts.base.Chart
        Its data: date plus one observed column per scenario.
    """
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    names = list(frames)
    rows = (len(names) + cols - 1) // cols
    fig = make_subplots(
        rows=rows,
        cols=cols,
        shared_xaxes=True,
        vertical_spacing=0.16 if rows <= 2 else 0.1,
        horizontal_spacing=0.06,
    )
    for i, name in enumerate(names):
        f = frames[name]
        r, c = i // cols + 1, i % cols + 1
        fig.add_trace(
            go.Scatter(
                x=f["date"],
                y=f["observed"],
                mode="markers",
                name="Observed",
                marker={"color": COLORS["observed"], "size": 4},
                showlegend=False,
                legendgroup="o",
            ),
            row=r,
            col=c,
        )
        fig.add_trace(
            go.Scatter(
                x=f["date"],
                y=f["fitted"],
                mode="lines",
                name="Fitted model",
                line={"color": COLORS["fitted"]},
                showlegend=False,
                legendgroup="f",
            ),
            row=r,
            col=c,
        )
        fig.add_trace(
            go.Scatter(
                x=f["date"],
                y=f["counterfactual"],
                mode="lines",
                name="Without the GEC",
                showlegend=False,
                legendgroup="c",
                line={"color": COLORS["counterfactual"], "dash": "dash"},
            ),
            row=r,
            col=c,
        )
        # The name sits inside the panel, bottom left (empty: every series starts high), so it
        # never collides with the title and subtitle that decorate draws above the plots.
        n = "" if i == 0 else str(i + 1)
        fig.add_annotation(
            text=f"<b>{esc(name)}</b>",
            xref=f"x{n} domain",
            yref=f"y{n} domain",
            x=0.02,
            y=0.04,
            xanchor="left",
            yanchor="bottom",
            showarrow=False,
            font={"size": 11},
        )
        fig.add_vline(
            x=gec_date,
            line={"color": COLORS["intervention"], "width": 1, "dash": "dot"},
            row=r,
            col=c,
        )
    fig.update_layout(template="plotly_white", legend={"orientation": "h"})
    fig.update_xaxes(dtick="M12", tickformat="%Y", tickangle=0)
    data = (
        pd.concat([f.set_index("date")["observed"].rename(n) for n, f in frames.items()], axis=1)
        .rename_axis("date")
        .reset_index()
    )
    height = 240 * rows + 140
    decorate(fig, text, width=900, height=height)
    return Chart(figure=fig, data=data, text=text, kind="scenarios")
