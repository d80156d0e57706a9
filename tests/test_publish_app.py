"""Issue 16 items 6-8 in the app (AppTest): "Check your own claim" as a finished result with its
inputs in the URL, and a dataset's caveats on every page that uses it (Ingest's series too)."""

from __future__ import annotations

import json

from tests.test_app import no_trouble, on_page, qp

RAW = ("share_of_observed", "pct_ci_low", "pct_ci_high", "share_ci", "pct_change")


def _chart(at, key):
    hits = [c for c in at.get("plotly_chart") if c.proto.id and key in c.proto.id]
    assert hits, [c.proto.id for c in at.get("plotly_chart")]
    return json.loads(hits[0].proto.spec)


def test_own_claim_is_a_finished_result_in_words_with_its_inputs_in_the_url():
    at = on_page("check_claim", ds="scenarios/gec_step")
    at.button(key="own_example").click().run()
    no_trouble(at)
    its, split = _chart(at, "own_its"), _chart(at, "own_split")
    assert its["layout"]["shapes"][0]["type"] == "rect"  # the claim window, shaded
    names = {t.get("name") for t in its["data"]}
    assert {"Observed", "Fitted model", "Without the intervention", "95% interval"} <= names
    assert split["data"][0]["y"][:3] == [
        "Observed change",
        "Trend already under way",
        "GEC announced",
    ]
    assert split["data"][0]["error_x"]["array"]  # intervals
    table = at.table[-1].value
    assert list(table.columns) == [
        "Part of the change",
        "Change on its own",
        "95% interval",
        "Share of the change",
        "What it means",
    ]
    shown = " ".join(str(v) for v in table.to_numpy().ravel()) + " ".join(
        at.table[-1].value.columns
    )
    summary = " ".join(s.value for s in at.success)
    for raw in RAW:
        assert raw not in shown and raw not in summary
    assert "accounts for \\-" not in summary and "accounts for -" not in summary
    assert "a fall of" in summary
    # Both charts' export kits are drawn (each an Export popover).
    kits = {p.proto.id.rsplit("-", 1)[-1] for p in at.get("popover")}
    assert {"own_its_x_open", "own_split_x_open"} <= kits, kits
    # The window note names the event, not its key.
    notes = " ".join(i.value.replace("\\", "") for i in at.info)
    assert "before GEC announced (2016-01)" in notes and "gec" not in notes, notes
    assert qp(at, "ds") == ["scenarios/gec_step"]
    assert qp(at, "credit") == ["gec"] and qp(at, "cc") == ["-45"]
    assert qp(at, "cs") == ["2014-06"] and qp(at, "ce") == ["2016-07"]


def test_a_reopened_own_claim_link_restores_its_inputs_and_result():
    """A version 1 link (own_* parameters) still reopens the check."""
    at = on_page(
        "check_claim",
        own_ds="scenarios",
        own_value="value",
        own_credit="gec",
        own_start="2015-01",
        own_end="2016-06",
        own_claimed="-30",
    )
    no_trouble(at)
    assert at.text_input(key="own_start").value == "2015-01"
    assert at.text_input(key="own_claimed").value == "-30"
    assert at.selectbox(key="own_dataset").value == "scenarios"
    summary = " ".join(s.value for s in at.success)
    shown = summary.replace("\\", "")  # escaped Markdown: read it as the reader sees it
    assert "2015" in shown and "the claim says -30%" in shown, summary
    _chart(at, "own_split")


def test_fifth_tribe_caveats_show_on_explore_and_robustness_and_travel_on_the_chart():
    at = on_page("explore", ds="fifthtribe")
    no_trouble(at)
    warn = " ".join(w.value for w in at.warning)
    assert "Caveats of this data" in warn and "2014 \\-\\> 2016 decline" in warn, warn
    spec = _chart(at, "xp_chart")
    assert any("2014 -> 2016 decline" in n for n in spec["layout"]["meta"]["notes"])
    at.switch_page("app_pages/robustness.py").run()
    no_trouble(at)
    assert "2014 \\-\\> 2016 decline" in " ".join(w.value for w in at.warning)


def test_a_series_sent_from_ingest_keeps_the_fifth_tribe_source_and_caveats():
    at = on_page("ingest")
    at.button(key="in_go").click().run()
    no_trouble(at)
    spec = _chart(at, "in_chart")  # the ingest chart: titled, sourced
    assert "Fifth Tribe" in spec["layout"]["meta"]["source"]
    at.button(key="in_send").click().run()
    no_trouble(at)
    captions = " ".join(c.value for c in at.caption)
    assert "Fifth Tribe" in captions and "uploaded file (sha256" not in captions, captions
    assert "cannot show a 2014 \\-\\> 2016 decline" in " ".join(w.value for w in at.warning)
    spec = _chart(at, "xp_chart")
    assert "Fifth Tribe" in spec["layout"]["meta"]["source"]
    assert any("2014 -> 2016 decline" in n for n in spec["layout"]["meta"]["notes"])


def test_words_typed_in_the_export_kit_reach_the_files_and_outlive_the_popover():
    """Title, source and byline edited in the kit: the embed code, alt text and the edited
    chart the buttons export carry them; closing and reopening the kit keeps them."""
    at = on_page("explore", ds="scenarios/gec_step")
    at.session_state["xp_export_open"] = True
    at.run()
    no_trouble(at)
    at.text_input(key="xp_export_w_title").set_value("Traffic fell before the GEC").run()
    at.text_input(key="xp_export_w_byline").set_value("Graphic: A. Reporter").run()
    no_trouble(at)
    code = " ".join(c.value for c in at.code)
    assert 'title="Traffic fell before the GEC"' in code
    alt = next(t.value for t in at.text_area if t.label == "Alt text")
    assert "Traffic fell before the GEC" in alt
    words = at.session_state["xp_export_words"]["values"]
    assert words["byline"] == "Graphic: A. Reporter"
    at.session_state["xp_export_open"] = False
    at.run()
    at.session_state["xp_export_open"] = True
    at.run()
    assert at.text_input(key="xp_export_w_title").value == "Traffic fell before the GEC"
