"""The landing page in a real browser at a phone's and a laptop's width (issue 16): the answer
is on screen first and the page does not overflow sideways. Screenshots in tests/artifacts/."""

from __future__ import annotations

import pytest

from tests.test_browser import ARTIFACTS, READY, browser, server, settle  # noqa: F401

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("width", [390, 1280])
def test_landing_answer_at_the_top_without_horizontal_overflow(server, browser, width):  # noqa: F811
    page = browser.new_page(viewport={"width": width, "height": 900})
    page.goto(server)
    page.wait_for_selector(".js-plotly-plot", timeout=60_000)
    settle(page)
    box = page.locator(".st-key-answer_box")
    box.wait_for(timeout=30_000)
    assert "Public data cannot confirm that the GEC caused" in box.inner_text()
    assert box.locator("[data-testid='stCode']").count() == 1
    top = box.bounding_box()
    assert top["y"] < 900  # the answer is in the first screen
    assert top["x"] + top["width"] <= width
    overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    page.screenshot(path=str(ARTIFACTS / f"landing-{width}.png"))
    page.screenshot(path=str(ARTIFACTS / f"landing-{width}-full.png"), full_page=True)
    page.close()
    assert overflow <= 0, overflow
