"""Check a claim (issue 16): the answer on top, two statuses, named sources, the public record,
what the measurement does, what would settle it, and a scenario lab that reads in words."""

from __future__ import annotations

from explorer.answer import headline
from tests.test_app import app, no_trouble


def _shown(text: str) -> str:
    """Markdown as the reader sees it: the app's escapes and autolink breakers removed."""
    return (text or "").replace("\\", "").replace("\u200d", "")


def _md(at) -> str:
    return "\n".join(_shown(m.value) for m in at.markdown)


def test_the_answer_comes_first_with_three_sourced_reasons_and_a_copy_block():
    at = app().run()
    no_trouble(at)
    md = [m.value for m in at.markdown]
    a = headline("AP-01")
    first = next(i for i, m in enumerate(md) if m.startswith("**Public data cannot confirm"))
    card = next(i for i, m in enumerate(md) if "Change in Islamic State Twitter traffic" in m)
    assert first < card  # the answer sits above the claim card
    assert "19 months before the GEC was announced" in md[first]
    reasons = md[first + 1]
    assert reasons.count("*(sources: ") == 3 and "DT\\-05" in reasons
    assert [c.value for c in at.code][0] == a.quote  # st.code: the copy icon copies this
    assert a.citation in at.code[0].value


def test_the_answer_follows_the_selected_claim():
    at = app().run()
    at.selectbox(key="claim_id").set_value("BP-03").run()
    no_trouble(at)
    assert at.code[0].value.startswith("BP-03's 300-400 followers per account")


def test_two_statuses_with_real_tooltips_and_a_figure_help_that_explains():
    at = app().run()
    labels = {m.value: _shown(m.help) for m in at.markdown if m.value.startswith("**Reported as")}
    labels |= {m.value: _shown(m.help) for m in at.markdown if m.value.startswith("**Checkable")}
    assert labels["**Reported as stated:** verified"].startswith("Reported as stated: the figure")
    assert "not the quantity" in labels["**Reported as stated:** verified"]
    assert "never released" in labels["**Checkable with public data:** no"]
    metric = at.metric[0]
    assert metric.help != "percent" and "whether it was found as stated" in metric.help
    assert not [b for b in at.get("badge") if "Verified" in str(b.proto)]


def test_source_links_are_named_by_publisher_and_title():
    at = app().run()
    md = _md(at)
    assert "link 1" not in md
    assert '[Associated Press, "AP Exclusive: Islamic State' in md
    assert "[copy at westhawaiitoday.com](https://westhawaiitoday.com/" in md


def test_no_verified_in_the_timeline_subtitle_or_source_line():
    at = app().run()
    from app_pages import _ui

    chart = _ui.timeline("AP-01", "gec")
    assert "(Verified)" not in (chart.text.subtitle or "")
    assert "Checkable with public data: no".lower() in chart.text.subtitle.lower()
    assert not [c for c in at.caption if c.value.endswith("· Verified")]


def test_the_public_record_is_drawn_with_what_each_group_shows_and_cannot_show():
    at = app().run()
    md = _md(at)
    titles = [_shown(h.value) for h in at.subheader]
    for t in ("Followers per pro-IS Twitter account", "Pro-IS accounts suspended per month"):
        assert t in titles, titles
    assert md.count("**What it shows.**") == 4 and md.count("**What it cannot show.**") == 4
    # Derivations and statuses in the sources list.
    assert "TW-06 / 6 months: 376,890 / 6 months = 62,815" in md
    assert "checkable with public data: partly" in md
    assert len(at.get("plotly_chart")) >= 6  # timeline, four record groups, the lab
    counts = [e.label for e in at.expander if e.label.startswith("Sources and statuses")]
    assert "Sources and statuses (1 figure)" in counts, counts  # the ratio's one snapshot
    assert not [c for c in counts if c.endswith("(1 figures)")]


def test_what_the_measurement_does_and_what_would_settle_it():
    at = app().run()
    md = _md(at)
    assert "What the measurement does" in [_shown(h.value) for h in at.subheader]
    assert "Suspensions delete the accounts being counted" in md
    assert "lexicon measure" in md
    assert "**What would settle it.**" in md
    assert "The government series behind the 45% figure" in md


def test_scenario_lab_reads_in_words_and_explains_shares():
    at = app().run()
    table = at.table[0].value
    assert "trend_only" not in set(table["scenario"]) and "paris_ramp" not in set(table["scenario"])
    assert "A decline already under way" in set(table["scenario"])
    assert "gec" not in set(table["true cause"]) and "GEC announced" in set(table["true cause"])
    captions = " ".join(c.value for c in at.caption)
    assert "a share above 100% means" in captions
    share = table["GEC share"].str.rstrip("%").astype(float)
    assert not ((share < 0) & (table["credits GEC"] == "yes")).any()


def test_the_scenario_panels_are_named_in_words():
    import json

    at = app().run()
    grid = next(c for c in at.get("plotly_chart") if "Six simulated series" in c.proto.spec)
    texts = [a.get("text", "") for a in json.loads(grid.proto.spec)["layout"]["annotations"]]
    panels = [t for t in texts if t.startswith("<b>")]
    assert len(panels) == 6, texts
    assert not any("_" in t for t in panels), panels
    assert "<b>Trend only</b>" in panels and "<b>GEC step</b>" in panels
