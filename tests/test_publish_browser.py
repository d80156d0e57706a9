"""Charts to publish in a real browser (issue 16 item 8): at a phone's 390 px and a laptop's
1280 px the pages do not overflow sideways, charts take the column's width and no text drawn
in a chart's legend, axis titles or labels (the timeline's event names, intervention lines'
labels, panel names) is cut at its edges; chart titles are page text above the chart.
Screenshots in tests/artifacts/publish-*.png."""

from __future__ import annotations

import pytest

from tests.test_browser import ARTIFACTS, browser, server, settle  # noqa: F401

pytestmark = pytest.mark.browser

CLIPPED = """() => {
  const out = [];
  for (const plot of document.querySelectorAll('.js-plotly-plot')) {
    const box = plot.getBoundingClientRect();
    if (box.width === 0) continue;
    for (const t of plot.querySelectorAll('.legendtext, .gtitle, .xtitle, .ytitle, .annotation-text')) {
      const r = t.getBoundingClientRect();
      if (r.width === 0) continue;
      if (r.left < box.left - 1 || r.right > box.right + 1)
        out.push([t.textContent.slice(0, 60), Math.round(r.left), Math.round(r.right),
                  Math.round(box.left), Math.round(box.right)]);
    }
  }
  return out;
}"""

# Plotly charts, and Explore's date scrubber (a component drawing plotly itself), each against
# the column that holds it.
WIDTHS = """() => [...document.querySelectorAll('[data-testid="stPlotlyChart"], .xs-root')]
  .map(e => [e.getBoundingClientRect().width, e.parentElement.getBoundingClientRect().width])"""


@pytest.mark.parametrize("width", [390, 1280])
@pytest.mark.parametrize("path", ["", "explore?ds=fifthtribe"])
def test_charts_fit_the_column_without_overflow_or_clipped_text(server, browser, width, path):  # noqa: F811
    page = browser.new_page(viewport={"width": width, "height": 900})
    page.goto(f"{server}/{path}")
    page.wait_for_selector(".js-plotly-plot", timeout=90_000)
    settle(page)
    page.wait_for_timeout(1500)
    overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    clipped = page.evaluate(CLIPPED)
    widths = page.evaluate(WIDTHS)
    name = path.split("?")[0] or "landing"
    page.screenshot(path=str(ARTIFACTS / f"publish-{name}-{width}.png"))
    charts_ = page.locator("[data-testid='stPlotlyChart']")
    for i in range(min(charts_.count(), 3)):
        charts_.nth(i).scroll_into_view_if_needed()
        page.wait_for_timeout(500)
        charts_.nth(i).screenshot(path=str(ARTIFACTS / f"publish-{name}-{width}-chart{i}.png"))
    page.close()
    assert overflow <= 0, overflow
    assert not clipped, clipped
    assert widths and all(abs(w - col) <= 2 for w, col in widths), widths  # column width


LOOK = """() => {
  const app = getComputedStyle(document.querySelector('[data-testid="stApp"]')).backgroundColor;
  // The first chart with points: the scrubber draws its moving lines and a static base layer.
  const plot = [...document.querySelectorAll('.js-plotly-plot')].find(
    g => g.querySelector('.scatterlayer .point') && g.querySelector('.xtick text'));
  const tick = plot.querySelector('.xtick text');
  const dots = [...plot.querySelectorAll('.scatterlayer .point')].map(p => p.style.fill);
  return {app, tick: tick ? getComputedStyle(tick).fill : null, dots: dots.slice(0, 3)};
}"""


def _luminance(css: str) -> float:
    import re

    r, g, b = (int(x) for x in re.findall(r"\d+", css)[:3])
    return (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_app_and_its_charts_follow_the_reader_s_theme(server, browser, scheme):  # noqa: F811
    """A reader whose system is dark gets a dark page and charts drawn for it (light text and
    light observed points); a light reader the opposite. Screenshots: publish-theme-*.png."""
    ctx = browser.new_context(viewport={"width": 1280, "height": 1400}, color_scheme=scheme)
    page = ctx.new_page()
    page.goto(f"{server}/explore?ds=scenarios%2Fgec_step")
    page.wait_for_selector(".js-plotly-plot .scatterlayer .point", timeout=90_000)
    settle(page)
    page.wait_for_timeout(1500)
    look = page.evaluate(LOOK)
    page.screenshot(path=str(ARTIFACTS / f"publish-theme-{scheme}.png"))
    ctx.close()
    page_dark = _luminance(look["app"]) < 0.3
    assert page_dark == (scheme == "dark"), look
    dots = [d for d in look["dots"] if d]
    assert look["tick"] and dots, look
    if scheme == "dark":  # light text and points on the dark page
        assert _luminance(look["tick"]) > 0.5 and all(_luminance(d) > 0.5 for d in dots), look
    else:  # Streamlit's grey ticks and black points on white
        assert _luminance(look["tick"]) < 0.6 and all(_luminance(d) < 0.3 for d in dots), look
