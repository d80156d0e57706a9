"""The app's speed in a real browser, as ratios against a trivial Streamlit + plotly app.

Both apps are served by ``streamlit run`` and driven by Playwright on Debian's Chromium in the
same run, so the shared machine's load hits both alike. Measured:

- navigation to first chart (``page.goto`` until a ``.js-plotly-plot`` is drawn), for the first
  session after the server starts (cold: imports, caches empty) and for later sessions
  (``WARM`` per round); target: the app's landing page at most 1.3x the trivial app's;
- rerun after a date change (a keyboard step on the date slider until the chart's data change
  and the script is idle), median of ``REPEATS`` steps per round; target at most 1.5x the
  trivial app's rerun after a slider change.

The two apps take turns for ``ROUNDS`` rounds (a fresh server each, so every round also gives
a first-session figure) and each figure is the median over the rounds. On a shared two-core
machine a burst of someone else's work lasts seconds: measured one app after the other, it
lands on one side of the ratio; taking turns spreads it over both.
"""

from __future__ import annotations

import os
import pathlib
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

ROOT = pathlib.Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
ARGS = (
    "--headless --no-sandbox --disable-gpu --disable-quic --no-first-run "
    "--disable-background-networking --disable-component-update --disable-sync"
).split()
READY = "[data-testid='stApp'][data-test-script-state='notRunning']"
REPEATS = 5  # date steps per round (the trivial app's slider has five to its left)
WARM = 3  # later sessions per round
ROUNDS = 5

TRIVIAL = """
import numpy as np
import plotly.graph_objects as go
import streamlit as st

st.title("Trivial")
k = st.select_slider("Date", options=[f"2015-{m:02d}" for m in range(1, 13)], value="2015-06")
i = int(k[-2:])
x = np.arange(26)
st.plotly_chart(go.Figure(go.Scatter(x=x, y=np.where(x >= i, 50.0, 100.0) - x)))
st.metric("Level", f"{i}")
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _serve(script: pathlib.Path, cwd: pathlib.Path, env: dict | None = None):
    port = _free_port()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            str(script),
            "--server.headless",
            "true",
            "--server.port",
            str(port),
            "--browser.gatherUsageStats",
            "false",
        ],
        cwd=cwd,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=None if env is None else {**os.environ, **env},
    )
    url = f"http://localhost:{port}"
    for _ in range(240):
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=1):
                return proc, url
        except OSError:
            time.sleep(0.25)
    proc.kill()
    raise RuntimeError(f"{script} did not start")


def _first_chart(browser, url: str) -> float:
    page = browser.new_page(viewport={"width": 1400, "height": 1600})
    t0 = time.perf_counter()
    page.goto(url)
    page.wait_for_selector(".js-plotly-plot .main-svg", timeout=120_000)
    dt = time.perf_counter() - t0
    page.wait_for_selector(READY, timeout=120_000)
    page.close()
    return dt


_DATA = (
    "(() => { const el = document.querySelector('.js-plotly-plot');"
    " return el && el.data ? JSON.stringify(el.data.map(t => t.y)) : null; })()"
)
_CHART = f"() => {_DATA}"
_CHANGED = f"(b) => {{ const now = {_DATA}; return now !== null && now !== b; }}"


def _reruns(browser, url: str, n: int) -> list[float]:
    """Step the first slider left n times; time each step until the chart's data change."""
    page = browser.new_page(viewport={"width": 1400, "height": 1600})
    page.goto(url)
    page.wait_for_selector(".js-plotly-plot .main-svg", timeout=120_000)
    page.wait_for_selector(READY, timeout=120_000)
    page.wait_for_timeout(500)
    times = []
    for _ in range(n):
        before = page.evaluate(_CHART)
        thumb = page.locator("[data-testid='stSlider'] input[type='range']").first
        thumb.focus()
        t0 = time.perf_counter()
        page.keyboard.press("ArrowLeft")
        page.wait_for_function(_CHANGED, arg=before, timeout=60_000, polling=10)
        page.wait_for_selector(READY, timeout=60_000)
        times.append(time.perf_counter() - t0)
        page.wait_for_timeout(300)
    page.close()
    return times


def _measure(script: pathlib.Path, cwd: pathlib.Path, first_path: str, rerun_path: str, browser):
    """One round for one app: a fresh server, its first session, later sessions, reruns.

    The app runs with ``EXPLORER_SCRUBBER=0``: its rerun is the date slider's (the scrubber,
    which redraws in the browser and commits on release, is measured in ``bench_scrub``)."""
    proc, url = _serve(script, cwd, None if cwd != ROOT else {"EXPLORER_SCRUBBER": "0"})
    try:
        cold = _first_chart(browser, url + first_path)
        warm = [_first_chart(browser, url + first_path) for _ in range(WARM)]
        reruns = _reruns(browser, url + rerun_path, REPEATS)
    finally:
        proc.terminate()
        proc.wait(timeout=15)
    return [cold], warm, reruns


def run() -> list[dict]:
    from playwright.sync_api import sync_playwright

    med = statistics.median
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as p:
        trivial = pathlib.Path(tmp) / "trivial.py"
        trivial.write_text(TRIVIAL)
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        apps = (
            ((trivial, pathlib.Path(tmp), "", ""), ([], [], [])),
            ((ROOT / "app.py", ROOT, "", "/explore?ds=scenarios%2Fgec_step"), ([], [], [])),
        )
        for _ in range(ROUNDS):
            for args, acc in apps:
                for into, values in zip(acc, _measure(*args, browser), strict=True):
                    into.extend(values)
        browser.close()
    t_cold, t_warm, t_rerun = (med(x) for x in apps[0][1])
    a_cold, a_warm, a_rerun = (med(x) for x in apps[1][1])

    def row(name, value, base, limit, what):
        ratio = value / base
        return {
            "name": f"{name} ({value:.2f} s vs trivial app {base:.2f} s)",
            "value": ratio,
            "unit": "x",
            "target": f"<= {limit}x {what}",
            "ok": ratio <= limit,
        }

    return [
        row(
            f"app first chart, first session after server start (median of {ROUNDS} starts)",
            a_cold,
            t_cold,
            1.3,
            "the trivial app's",
        ),
        row("app first chart, later sessions (median)", a_warm, t_warm, 1.3, "the trivial app's"),
        row(
            "app rerun after a date change (median)",
            a_rerun,
            t_rerun,
            1.5,
            "the trivial app's rerun",
        ),
    ]


if __name__ == "__main__":
    for r in run():
        print(r)
