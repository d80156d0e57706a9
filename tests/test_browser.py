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


def test_moving_the_date_updates_chart_and_numbers_and_the_url_reopens_it(server, browser):
    page = open_page(browser, f"{server}/explore?ds=scenarios%2Fgec_step")
    before_text, before_chart = level_text(page), chart_state(page)
    thumb = page.locator("[data-testid='stSlider'] input[type='range']").first
    thumb.focus()
    for _ in range(3):
        page.keyboard.press("ArrowLeft")
    page.wait_for_function(
        "(t) => !document.body.innerText.includes(t)", arg=before_text, timeout=30_000
    )
    settle(page)
    after_text, after_chart = level_text(page), chart_state(page)
    assert after_text != before_text
    assert after_chart != before_chart
    assert "Oct 2015" in page.locator("[data-testid='stSlider']").first.inner_text()
    page.screenshot(path=str(ARTIFACTS / "explore_moved.png"))
    url = page.url
    assert "gec%3D2015-10-01" in url or "gec=2015-10-01" in url
    page.close()

    again = open_page(browser, url)
    assert level_text(again) == after_text
    assert chart_state(again) == after_chart
    again.close()


def test_png_export_downloads_a_png_of_the_chosen_size(server, browser):
    page = open_page(browser, f"{server}/explore?ds=scenarios%2Fgec_step")
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
