"""Figures only the app draws (the claim timeline, the scenario small multiples).

Plain plotly, no Streamlit: the same figures can be exported with ``explorer.export``. The
palette is Okabe-Ito (colour-blind safe); every figure carries its source as an annotation so
that a screenshot or an export keeps it.
"""

from __future__ import annotations

import pandas as pd

OKABE_ITO = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442", "#000000"]
KIND_COLOURS = {
    "policy": "#0072B2",
    "platform enforcement": "#D55E00",
    "platform": "#D55E00",
    "attack": "#000000",
    "publication": "#CC79A7",
}


def _source_annotation(fig, source: str) -> None:
    fig.add_annotation(
        text=f"Source: {source}",
        xref="paper",
        yref="paper",
        x=0,
        y=-0.2,
        showarrow=False,
        xanchor="left",
        yanchor="top",
        font={"size": 11, "color": "#555"},
    )


def timeline(
    window_start: pd.Timestamp,
    window_end: pd.Timestamp,
    events: pd.DataFrame,
    *,
    title: str,
    source: str,
    highlight: str | None = None,
):
    """The claim's window as a band, with the catalogue's events as labelled markers.

    Parameters
    ----------
    window_start, window_end
        The claim's window (first day of its first and last periods).
    events
        The events catalogue (``label``, ``date``, ``kind``).
    highlight
        The key of the event the claim credits; drawn as a solid line.
    """
    import plotly.graph_objects as go

    ev = events.dropna(subset=["date"]).sort_values("date").reset_index(drop=True)
    lo = min(window_start, ev["date"].min()) - pd.DateOffset(months=2)
    hi = max(window_end, ev["date"].max()) + pd.DateOffset(months=2)
    fig = go.Figure()
    fig.add_vrect(
        x0=window_start,
        x1=window_end,
        fillcolor="#56B4E9",
        opacity=0.18,
        line_width=0,
        annotation_text="claim window",
        annotation_position="top left",
    )
    # Labels at alternating heights so that events a few weeks apart stay readable.
    levels = [0.85, 0.6, 0.35, 0.1]
    span = (hi - lo).total_seconds()
    for i, row in ev.iterrows():
        # Labels of events in the right third go on the left of their marker, to stay in view.
        right_third = (row["date"] - lo).total_seconds() > 0.66 * span
        y = levels[i % len(levels)]
        colour = KIND_COLOURS.get(str(row.get("kind", "")), "#555")
        solid = highlight is not None and row.get("key") == highlight
        fig.add_shape(
            type="line",
            x0=row["date"],
            x1=row["date"],
            y0=0,
            y1=y,
            line={"color": colour, "width": 3 if solid else 1, "dash": "solid" if solid else "dot"},
        )
        fig.add_trace(
            go.Scatter(
                x=[row["date"]],
                y=[y],
                mode="markers+text",
                marker={"color": colour, "size": 9},
                text=[str(row["label"])],
                textposition="middle left" if right_third else "middle right",
                textfont={"size": 12, "color": colour},
                name=str(row.get("kind", "")),
                hovertemplate=f"{row['label']}<br>%{{x|%d %b %Y}}<extra></extra>",
                showlegend=False,
            )
        )
    fig.update_layout(
        title={"text": title, "x": 0, "xanchor": "left"},
        height=380,
        margin={"l": 20, "r": 20, "t": 60, "b": 80},
        plot_bgcolor="white",
        yaxis={"visible": False, "range": [0, 1]},
        xaxis={"range": [lo, hi], "showgrid": True, "gridcolor": "#eee"},
    )
    _source_annotation(fig, source)
    return fig


def scenario_grid(frames: dict[str, pd.DataFrame], *, gec_date, source: str, cols: int = 3):
    """Small multiples: each scenario's observed series, fitted and counterfactual lines.

    ``frames`` maps a title to a frame indexed by date with ``observed`` and optionally
    ``fitted`` and ``counterfactual``.
    """
    from plotly.subplots import make_subplots

    import plotly.graph_objects as go

    names = list(frames)
    rows = (len(names) + cols - 1) // cols
    fig = make_subplots(rows=rows, cols=cols, subplot_titles=names, shared_xaxes=True,
                        vertical_spacing=0.12, horizontal_spacing=0.06)
    for i, name in enumerate(names):
        f = frames[name]
        r, c = i // cols + 1, i % cols + 1
        first = i == 0
        fig.add_trace(go.Scatter(x=f.index, y=f["observed"], mode="markers", name="observed",
                                 marker={"color": "#555", "size": 4}, showlegend=first,
                                 legendgroup="o"), row=r, col=c)
        if "fitted" in f:
            fig.add_trace(go.Scatter(x=f.index, y=f["fitted"], mode="lines", name="fitted",
                                     line={"color": OKABE_ITO[0]}, showlegend=first,
                                     legendgroup="f"), row=r, col=c)
        if "counterfactual" in f:
            fig.add_trace(go.Scatter(x=f.index, y=f["counterfactual"], mode="lines",
                                     name="without the GEC", showlegend=first, legendgroup="c",
                                     line={"color": OKABE_ITO[1], "dash": "dash"}), row=r, col=c)
        fig.add_vline(x=gec_date, line={"color": "#0072B2", "width": 1, "dash": "dot"}, row=r,
                      col=c)
    fig.update_layout(height=260 * rows + 80, margin={"l": 20, "r": 20, "t": 60, "b": 80},
                      plot_bgcolor="white", legend={"orientation": "h", "y": 1.06})
    _source_annotation(fig, source)
    return fig
