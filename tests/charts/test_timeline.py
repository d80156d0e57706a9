"""The landing page's timeline (issue 16, item 8's timeline part): labels that fit, the AP story
labelled, colours that match the legend, the window named in the legend, not over the axis."""

from __future__ import annotations

import pandas as pd

from explorer import charts
from explorer.catalog.events import load_events


def ap01_timeline():
    s, e = pd.Timestamp("2014-06-01"), pd.Timestamp("2016-07-01")
    return charts.events_timeline(
        load_events(),
        window=(s, e),
        credit="gec",
        span=(s - pd.DateOffset(months=5), e + pd.DateOffset(months=3)),
    )


def test_every_event_is_labelled_in_full_and_the_ap_story_too():
    chart = ap01_timeline()
    # Names wrap over lines of at most 22 characters: read them as one line.
    texts = [
        a.text.replace("</b><br><b>", " ").replace("<br>", " ")
        for a in chart.figure.layout.annotations
    ]
    for label in chart.data["label"]:
        assert label in texts or f"<b>{label}</b>" in texts, label
    assert "AP story: ISIS Twitter traffic down 45%" in texts
    assert "Twitter: 125,000 accounts suspended" in texts
    assert not any(t.endswith("\u2026") for t in texts)


def test_stem_colours_match_the_legend_and_the_credited_colour_is_its_own():
    chart = ap01_timeline()
    legend = {t.name: t.marker.color for t in chart.figure.data if t.x and t.x[0] is None}
    assert legend["Credited: GEC announced"] == charts.COLORS["intervention"]
    others = {k: v for k, v in legend.items() if not k.startswith(("Credited", "Claim window"))}
    assert charts.COLORS["intervention"] not in others.values()
    assert charts.OKABE_ITO["orange"] not in others.values()  # too close to vermillion
    kinds = load_events().set_index("label")["kind"]
    for t in chart.figure.data:
        if t.x and t.x[0] is not None and t.name != "GEC announced":
            assert t.line.color == legend[kinds[t.name]], t.name
    gec = next(t for t in chart.figure.data if t.name == "GEC announced")
    assert gec.line.color == charts.COLORS["intervention"]


def test_the_claim_window_is_named_in_the_legend_not_drawn_over_the_axis():
    chart = ap01_timeline()
    assert not [a for a in chart.figure.layout.annotations if "Claim window" in (a.text or "")]
    assert "Claim window 2014-06 to 2016-07" in [t.name for t in chart.figure.data]


def test_an_exported_timeline_writes_each_name_on_one_line():
    """The app wraps names for a phone; an image of known width (640 x 400 and up) has room
    for one line each, so its rows fit the preset's height."""
    chart = ap01_timeline()
    assert any("<br>" in (a.text or "") for a in chart.figure.layout.annotations)
    fig = chart.sized(640, 400)
    texts = [a.text for a in fig.layout.annotations if a.text]
    assert not any("<br>" in t for t in texts if "Twitter" in t or "GEC" in t), texts
    assert "Twitter: 125,000 accounts suspended" in texts
    assert "<b>GEC announced</b>" in texts
