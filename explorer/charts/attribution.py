"""The split of a claimed change as a chart: trend, each intervention, remainder, with intervals.

Takes ``explorer.attribution.Attribution.to_dict()`` (or the ``Attribution``): one horizontal bar
per part, its percent change over the claim's window with the 95% interval as whiskers, beside
the observed change (and the claimed one, dashed). On the log scale the parts multiply rather
than add (-20% then -20% is -36%), which the subtitle says; their shares of the log change, which
do add up to 100%, are in the data.
"""

from __future__ import annotations

import pandas as pd

from explorer.charts.base import COLORS, Chart, ChartText, esc, finish, new_figure

PART_WORDS = {
    "trend": "Trend already under way",
    "remainder": "Remainder (noise, seasonality)",
    "control": "Change the control saw too",
    "offset": "Change in exposure",
}


def part_words(name: str, labels: dict | None = None) -> str:
    """A component's name in words (an intervention by its label, e.g. ``GEC announced``)."""
    return (labels or {}).get(name) or PART_WORDS.get(name) or str(name)


def attribution_frame(att, labels: dict | None = None) -> pd.DataFrame:
    """One row per part: ``part``, percent change and its 95% interval, share of the change."""
    d = att.to_dict() if hasattr(att, "to_dict") else dict(att)
    rows = [
        {
            "part": "Observed change" if d.get("basis") == "observed" else "Fitted change",
            "change_pct": (d.get("observed_change") or {}).get("pct"),
            "ci_low_pct": None,
            "ci_high_pct": None,
            "share_pct": 100.0,
        }
    ]
    for c in d.get("components", []):
        share = c.get("share_of_observed")
        rows.append(
            {
                "part": part_words(c["name"], labels),
                "change_pct": c.get("pct_change"),
                "ci_low_pct": c.get("pct_ci_low"),
                "ci_high_pct": c.get("pct_ci_high"),
                "share_pct": None if share is None else 100.0 * share,
            }
        )
    return pd.DataFrame(rows)


def attribution_chart(
    att,
    *,
    labels: dict | None = None,
    credited: str | None = None,
    text: ChartText | None = None,
) -> Chart:
    """Bars of the observed change and of each part of it, with 95% intervals.

    Parameters
    ----------
    att
        An ``Attribution`` or its ``to_dict()``.
    labels
        Intervention key -> words for it (``{"gec": "GEC announced"}``).
    credited
        The part the claim credits (drawn in the intervention colour; default: ``att``'s).
    text
        Title, subtitle, source and notes.
    """
    import plotly.graph_objects as go

    d = att.to_dict() if hasattr(att, "to_dict") else dict(att)
    credited = credited or d.get("credited")
    data = attribution_frame(d, labels)
    names = ["__observed__"] + [c["name"] for c in d.get("components", [])]
    colours = []
    for n in names:
        if n == "__observed__":
            colours.append(COLORS["observed"])
        elif n == credited:
            colours.append(COLORS["intervention"])
        elif n == "trend":
            colours.append(COLORS["fitted"])
        else:
            colours.append(COLORS["neutral"])
    y = [esc(p) for p in data["part"]]
    x = data["change_pct"].astype(float)
    lo, hi = data["ci_low_pct"].astype(float), data["ci_high_pct"].astype(float)
    fig = new_figure()
    fig.update_layout(hovermode="closest", bargap=0.35)
    fig.add_trace(
        go.Bar(
            x=x,
            y=y,
            orientation="h",
            marker=dict(color=colours),
            error_x=dict(
                type="data",
                symmetric=False,
                array=(hi - x).clip(lower=0).fillna(0),
                arrayminus=(x - lo).clip(lower=0).fillna(0),
                color="#555555",
                thickness=1.4,
                width=5,
            ),
            text=[_pct(v) for v in x],
            textposition="outside",
            cliponaxis=False,
            name="Change over the window",
            showlegend=False,
            hovertemplate="%{y}: %{x:+.1f}%<extra></extra>",
        )
    )
    claimed = d.get("claimed_change_pct")
    if claimed is not None:
        fig.add_vline(x=float(claimed), line=dict(color=COLORS["counterfactual"], dash="dash"))
        fig.add_annotation(
            x=float(claimed),
            y=1,
            yref="paper",
            yanchor="bottom",
            text=esc(f"claimed {_pct(claimed)}"),
            showarrow=False,
            font=dict(color=COLORS["counterfactual"]),
        )
    fig.add_vline(x=0, line=dict(color="#888888", width=1))
    fig.update_yaxes(autorange="reversed", showgrid=False)
    fig.update_xaxes(title_text="Change over the claim's window (%)", ticksuffix="%")
    longest = max((len(p) for p in data["part"]), default=10)
    fig.update_layout(meta={"left_chars": min(longest, 32)})
    return finish(fig, data, text, "attribution")


def _pct(v) -> str:
    if v is None or pd.isna(v):
        return ""
    return f"{v:+.0f}%" if abs(v) >= 10 else f"{v:+.1f}%"
