"""The Robustness page (issue 16, item 5): the overall label, month words, units, the spec
curve's rows in words and a pointer from what is not computed to its toggle."""

from __future__ import annotations

from tests.test_app import no_trouble, on_page


def _md(at) -> str:
    return "\n".join(m.value for m in at.markdown)


def test_robustness_shows_the_overall_label_and_points_at_the_toggle():
    at = on_page("robustness", ds="scenarios/gec_step", log="1")
    no_trouble(at)
    md = _md(at)
    assert any(
        f"**Overall: {label}.**" in md for label in ("Survives", "Fragile", "Not distinguishable")
    ), md[:400]
    assert "period(s)" not in md and "months of the claimed date" in md
    assert "Run the specification curve" in md  # the missing answer says where to get it
    mde = next(m for m in at.metric if m.label.startswith("Minimum detectable"))
    assert mde.value.endswith("%")  # percent on the log scale
    size = next(m for m in at.metric if m.label.startswith("Test size"))
    assert size.help.startswith("How often the test finds an effect when there is none")


def test_specification_curve_rows_are_in_words():
    at = on_page("robustness", ds="scenarios/gec_step", log="1")
    at.toggle(key="rb_specs_on").set_value(True).run()
    no_trouble(at)
    texts = " ".join(a.get("text", "") for c in at.get("plotly_chart") for a in _annotations(c))
    assert "start: 0.0" not in texts and "covariates: True" not in texts
    assert "series start: all data" in texts or "series start: first 10% dropped" in texts
    assert "Rows beneath the curve" in " ".join(c.value for c in at.caption)


def _annotations(chart):
    import json

    spec = json.loads(chart.proto.spec)
    layout = spec.get("layout", {})
    ticks = [
        {"text": t}
        for ax in layout.values()
        if isinstance(ax, dict)
        for t in ax.get("ticktext", []) or []
    ]
    return list(layout.get("annotations", [])) + ticks
