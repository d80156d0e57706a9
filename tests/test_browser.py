"""The app in a real browser: Playwright on Debian's Chromium against ``streamlit run``.

The fixture starts the server on a free port, polls ``/_stcore/health`` and each test waits for
``[data-testid='stApp'][data-test-script-state='notRunning']`` instead of sleeping. Screenshots
go to tests/artifacts/ (gitignored) so a person can look at what the browser drew.
"""

from __future__ import annotations

import os
import socket
import struct
import subprocess
import sys
import time
import urllib.request

import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
ARGS = (
    "--headless --no-sandbox --disable-gpu --disable-quic --no-first-run "
    "--disable-background-networking --disable-component-update --disable-sync"
).split()
ARTIFACTS = ROOT / "tests" / "artifacts"
READY = "[data-testid='stApp'][data-test-script-state='notRunning']"
VIEWPORT = {"width": 1400, "height": 2400}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server():
    """``streamlit run app.py`` on a free port; yields its base URL."""
    port = free_port()
    log = open(ARTIFACTS.mkdir(parents=True, exist_ok=True) or ARTIFACTS / "server.log", "w")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            "app.py",
            "--server.headless",
            "true",
            "--server.port",
            str(port),
            "--browser.gatherUsageStats",
            "false",
        ],
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
        env={**os.environ},
    )
    url = f"http://localhost:{port}"
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=1) as r:
                if r.status == 200:
                    break
        except OSError:
            time.sleep(0.25)
    else:
        proc.kill()
        pytest.fail("streamlit did not become healthy within 60 s (see tests/artifacts/server.log)")
    yield url
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
    log.close()


@pytest.fixture(scope="module")
def browser():
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(f"no {CHROMIUM}: make test installs Debian's chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


def open_page(browser, url: str):
    page = browser.new_page(viewport=VIEWPORT, accept_downloads=True)
    page.goto(url)
    page.wait_for_selector(".js-plotly-plot", timeout=60_000)
    settle(page)
    return page


def settle(page) -> None:
    """Wait until the script has finished its run (and give the charts a frame to draw)."""
    page.wait_for_selector(READY, timeout=60_000)
    page.wait_for_timeout(300)
    page.wait_for_selector(READY, timeout=60_000)


def level_text(page) -> str:
    metric = page.locator("[data-testid='stMetric']").filter(has_text="Level change at")
    return metric.locator("[data-testid='stMetricValue']").inner_text()


def chart_state(page) -> str:
    """The fitted line of the ITS chart, as drawn in the browser."""
    return page.evaluate(
        """() => {
            const el = document.querySelector('.js-plotly-plot');
            const tr = el.data.find(t => t.name === 'Fitted model');
            return JSON.stringify(tr ? tr.y : null);
        }"""
    )


def test_landing_renders_chart_and_says_no_public_series(server, browser):
    page = open_page(browser, server)
    assert page.locator("[data-testid='stException']").count() == 0
    assert "No public series covers this claim" in page.inner_text("body")
    assert page.locator(".js-plotly-plot").count() >= 1
    # The scenario lab fills in (on a cold server, after the page above has been drawn).
    page.wait_for_selector("[data-testid='stTable']", timeout=90_000)
    settle(page)
    assert page.locator(".js-plotly-plot").count() >= 2
    assert "once the page above has been drawn" not in page.inner_text("body")
    page.screenshot(path=str(ARTIFACTS / "landing.png"))
    page.close()


def scrub_state(page) -> dict:
    """What the date scrubber shows: its date, headline, redraw count and fitted line."""
    return page.evaluate(
        """() => {
            const root = document.querySelector('.xs-root');
            const gd = document.querySelector('[data-testid=scrubChart]');
            const tr = gd.data.find(t => t.name === 'Fitted model');
            return {date: root.dataset.date, redraws: Number(gd.dataset.redraws || 0),
                    headline: document.querySelector('[data-testid=scrubHeadline]').innerText,
                    label: document.querySelector('.xs-label').innerText, fitted: tr.y};
        }"""
    )


def effects_table(page) -> str:
    """The effects table's cells as text (the grid's accessible table, full precision)."""
    return page.evaluate(
        "() => [...document.querySelectorAll('[data-testid=stDataFrame]')].pop()"
        ".querySelector('table').textContent"
    )


def expected_fit(date: str, errors: str = "hac"):
    """``fit_its`` of the page's analysis with the GEC at ``date`` (``errors`` hac, or ar:1 as
    the app's auto errors choose for this gaussian series)."""
    from explorer.catalog import load_dataset
    from explorer.io.series import series_from_spec
    from explorer.models.fit import fit_its
    from explorer.spec import Intervention, ItsSpec

    ar = {"errors": "ar", "ar_order": 1} if errors == "ar:1" else {"errors": errors}
    spec = ItsSpec(time="date", value="value", interventions=(Intervention("gec", date),), **ar)
    return fit_its(series_from_spec(load_dataset("scenarios/gec_step"), spec), spec)


def test_moving_the_date_updates_chart_and_numbers_and_the_url_reopens_it(server, browser):
    page = open_page(browser, f"{server}/explore?ds=scenarios%2Fgec_step&errors=hac")
    page.wait_for_selector("[data-testid=scrubChart] .main-svg")
    before_text, before_chart = level_text(page), chart_state(page)
    page.locator("[data-testid=scrubRange]").focus()
    for _ in range(3):  # arrow keys step one period each, committed once they rest
        page.keyboard.press("ArrowLeft")
    page.wait_for_function(
        "(t) => !document.body.innerText.includes(t)", arg=before_text, timeout=30_000
    )
    settle(page)
    after_text, after_chart = level_text(page), chart_state(page)
    assert after_text != before_text
    assert after_chart != before_chart
    assert "Oct 2015" in scrub_state(page)["label"]
    page.screenshot(path=str(ARTIFACTS / "explore_moved.png"))
    url = page.url
    assert "gec%3D2015-10-01" in url or "gec=2015-10-01" in url
    page.close()

    again = open_page(browser, url)
    again.wait_for_selector("[data-testid=scrubChart] .main-svg")
    assert level_text(again) == after_text
    assert chart_state(again) == after_chart
    again.close()


@pytest.mark.parametrize("errors", ["hac", "ar:1"], ids=["newey-west", "auto-ar1"])
def test_dragging_the_scrubber_redraws_without_the_server_and_release_commits(
    server, browser, errors
):
    # hac asked for in the link; auto errors are AR(1) by REML for this series (no parameter).
    query = "&errors=hac" if errors == "hac" else ""
    page = open_page(browser, f"{server}/explore?ds=scenarios%2Fgec_step{query}")
    page.wait_for_selector("[data-testid=scrubChart] .main-svg")
    start, url0, table0 = scrub_state(page), page.url, effects_table(page)
    rng = page.locator("[data-testid=scrubRange]")
    box, top = rng.bounding_box(), int(rng.get_attribute("max"))
    step = box["width"] / top
    x = box["x"] + step * int(rng.input_value())
    y = box["y"] + box["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    seen = []
    for k in range(1, 9):
        page.mouse.move(x - k * step, y)
        page.wait_for_function(
            "(d) => document.querySelector('.xs-root').dataset.date !== d",
            arg=(seen[-1] if seen else start)["date"],
            timeout=10_000,
        )
        seen.append(scrub_state(page))
        # No server round trip while the pointer is down: no rerun, URL unchanged.
        assert page.locator(READY).count() == 1 and page.url == url0
    assert len({s["date"] for s in seen}) == 8
    assert len({s["headline"] for s in seen}) >= 6
    assert seen[-1]["redraws"] >= start["redraws"] + 8
    # The browser's lines are the full fit's at the dragged date (1e-8).
    mid = seen[3]
    fit = expected_fit(mid["date"], errors)
    import numpy as np

    got = np.array([np.nan if v is None else v for v in mid["fitted"]], float)
    np.testing.assert_allclose(got, fit.counterfactual["fitted"], rtol=1e-8)
    lc = fit.interventions[0].level_change
    assert mid["headline"] == f"{lc.estimate:+.3g} ({lc.ci_low:+.3g} to {lc.ci_high:+.3g})"
    page.screenshot(path=str(ARTIFACTS / f"explore_dragging_{errors}.png"))

    page.mouse.up()
    final = seen[-1]["date"]
    page.wait_for_function("(d) => location.search.includes(d)", arg=final, timeout=30_000)
    settle(page)
    table = effects_table(page)
    assert table != table0
    lc = expected_fit(final, errors).interventions[0].level_change
    assert repr(lc.estimate)[:10] in table
    assert level_text(page) == seen[-1]["headline"]
    page.close()


def test_png_export_downloads_a_png_of_the_chosen_size(server, browser):
    page = open_page(browser, f"{server}/explore?ds=scenarios%2Fgec_step&errors=hac")
    page.locator("[data-testid='stPopoverButton']").first.click()
    png = page.locator("[data-testid='stDownloadButton'] button").filter(has_text="PNG").first
    png.wait_for()
    with page.expect_download(timeout=90_000) as dl:
        png.click()
    assert dl.value.suggested_filename.endswith("-1200x675.png")
    path = dl.value.path()
    data = open(path, "rb").read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", data[:80]
    w, h = struct.unpack(">II", data[16:24])
    assert (w, h) == (1200, 675)
    (ARTIFACTS / "export_social.png").write_bytes(data)
    page.close()


@pytest.mark.parametrize("chunk", ["streamlit's", "blocked"])
def test_the_scrubber_draws_with_streamlit_s_plotly_or_falls_back_to_plotly_s_file(
    server, browser, chunk
):
    """The scrubber takes plotly.js from Streamlit's own chart code (one copy for every page,
    kept compiled by the browser); if that cannot be loaded it uses plotly's bundled file."""
    page = browser.new_page(viewport=VIEWPORT)
    asked: list[str] = []
    page.on("request", lambda r: asked.append(r.url))
    if chunk == "blocked":
        page.route("**/static/js/PlotlyChart.*.js", lambda route: route.abort())
    page.goto(f"{server}/explore?ds=scenarios%2Fgec_step")
    page.wait_for_selector("[data-testid=scrubChart] .main-svg", timeout=60_000)
    settle(page)
    own = [u for u in asked if u.endswith("/plotly.min.js")]
    streamlit = [u for u in asked if "/static/js/PlotlyChart." in u]
    assert streamlit, asked[-20:]
    if chunk == "blocked":
        assert own, "the fallback loaded no plotly.js"
    else:
        assert not own, own  # one plotly.js for the whole app
    # Either way the chart is the scrubber's, drawn and draggable.
    assert page.evaluate(
        "() => document.querySelector('[data-testid=scrubChart]').data.length >= 3"
    )
    page.close()
