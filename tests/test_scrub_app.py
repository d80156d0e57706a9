"""The date scrubber's fallback under AppTest, where custom components do not render: Explore
keeps today's date slider (and its refit), and says why when the model refits per step."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from tests.conftest import ROOT
from tests.test_app import widget

TIMEOUT = 120


def explore(**params) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    for k, v in params.items():
        at.query_params[k] = v
    at.switch_page("app_pages/explore.py")
    return at.run()


def test_without_the_component_the_slider_and_static_chart_stay():
    at = explore(ds="scenarios/gec_step")
    assert not at.exception and not at.error
    assert len(at.get("plotly_chart")) == 1  # the static chart, not the scrubber
    assert not at.get("bidi_component")
    slider = widget(at, "select_slider", "xp_date_0")
    before = [m.value for m in at.metric if m.label.startswith("Level change at")]
    slider.set_value("2015-06-01").run()
    after = [m.value for m in at.metric if m.label.startswith("Level change at")]
    assert after != before
    assert not any("drag it on the chart" in c.value for c in at.caption)


def test_a_model_the_sweep_does_not_batch_says_it_refits_on_release():
    at = explore(ds="scenarios/gec_step", errors="ar:2")
    assert not at.exception
    assert any("refits on release" in c.value for c in at.caption), [c.value for c in at.caption]
    assert widget(at, "select_slider", "xp_date_0").value == "2016-01-01"


def test_the_default_ar1_errors_are_dragged_live():
    """Auto errors on a gaussian segmented model are AR(1) by REML: the scrubber covers them,
    so no "refits on release" note (the AppTest has no component: the slider stays)."""
    at = explore(ds="scenarios/gec_step")
    assert not at.exception
    assert any("AR(1)" in c.value for c in at.caption), [c.value for c in at.caption]
    assert not any("refits on release" in c.value for c in at.caption)


def test_the_component_is_not_mounted_outside_a_served_app(monkeypatch):
    from app_pages import _scrub

    assert _scrub._mount_fn() is None  # no runtime at all
    monkeypatch.setenv("EXPLORER_SCRUBBER", "0")
    assert _scrub._mount_fn() is None
