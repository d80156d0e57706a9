"""The date scrubber in a real browser (issue 18), against the trivial Streamlit + plotly app.

Three servers take turns for ``ROUNDS`` rounds (fresh each round): the trivial app of
``bench_app``, the app, and the app with ``EXPLORER_SCRUBBER=0`` (today's slider). Measured:

- one keyboard step on the scrubber to the redrawn chart, timed inside the page (keydown to the
  first animation frame whose chart data changed), against the same for the trivial app's rerun
  after a slider step; targets: at most 0.5x and under 50 ms;
- redraws per second while the scrubber is dragged across a 700-point daily series
  (``plotly_afterplot`` events over a scripted drag of 120 dates); target at least 20;
- release to committed state (pointer up until the URL holds the date, the effects table has
  changed and the script is idle) against today's rerun after a slider step (key press until the
  chart changed and the script is idle, the ``bench_app`` measure); target no slower;
- Explore's first chart (navigation until the scrubber's chart is drawn) against the trivial
  app's first chart; target at most 1.2x;
- Robustness complete for the same 700-point daily series (navigation until the script is idle)
  against Explore's time for it (upload until the scrubber's chart is drawn); target 2x.

Each figure is the median over the rounds (and over the steps within a round).
"""

from __future__ import annotations

import os
import pathlib
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

import numpy as np
import pandas as pd

from bench.bench_app import ARGS, CHROMIUM, READY, TRIVIAL, _free_port

ROOT = pathlib.Path(__file__).resolve().parents[1]
ROUNDS = 3
STEPS = 5
# The app's own defaults: auto errors are AR(1) by REML for these gaussian series (batched).
EXPLORE = "/explore?ds=scenarios%2Fgec_step"
CHART = "[data-testid=scrubChart]"

# Keydown to the first animation frame whose chart data differ, in the page's clock. Polled per
# frame rather than on ``plotly_afterplot``: Streamlit replaces its chart's element on a rerun.
_ARM = """(sel) => {
    const ys = () => { const gd = document.querySelector(sel);
                       return gd && gd.data ? JSON.stringify(gd.data.map(t => t.y)) : null; };
    const before = ys();
    window.__lat = new Promise(res => {
        let t0 = null;
        const give_up = setTimeout(() => res(NaN), 30000);
        window.addEventListener('keydown', () => { t0 = performance.now(); },
                                {capture: true, once: true});
        const tick = () => {
            const now = t0 === null ? null : ys();
            if (now !== null && now !== before) { clearTimeout(give_up); res(performance.now() - t0); }
            else requestAnimationFrame(tick);
        };
        requestAnimationFrame(tick);
    });
}"""


def _serve(script: pathlib.Path, cwd: pathlib.Path, env: dict | None = None):
    port = _free_port()
    cmd = [sys.executable, "-m", "streamlit", "run", str(script), "--server.headless", "true"]
    cmd += ["--server.port", str(port), "--browser.gatherUsageStats", "false"]
    proc = subprocess.Popen(
        cmd,
        cwd=cwd,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, **(env or {})},
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


def _page(browser, url: str, chart: str):
    page = browser.new_page(viewport={"width": 1400, "height": 1600})
    t0 = time.perf_counter()
    page.goto(url)
    page.wait_for_selector(f"{chart} .main-svg", timeout=120_000)
    first = time.perf_counter() - t0
    page.wait_for_selector(READY, timeout=120_000)
    page.wait_for_timeout(500)
    return page, first


def _key_latency(page, chart: str, thumb: str, n: int) -> list[float]:
    """Keydown to the redrawn chart, in the page's own clock (ms); steps right (the slider
    steps of ``_slider_reruns`` go left)."""
    out = []
    for _ in range(n):
        page.evaluate(_ARM, chart)
        page.locator(thumb).first.focus()
        page.keyboard.press("ArrowRight")
        out.append(page.evaluate("window.__lat"))
        page.wait_for_timeout(900)  # the scrubber commits 0.6 s after the last key
        page.wait_for_selector(READY, timeout=60_000)
    return out


def _slider_reruns(page, n: int) -> list[float]:
    """Today's rerun: a key on the date slider until the chart changed and the script is idle."""
    # null while Streamlit swaps the chart element during the rerun: wait for the new one
    data = (
        "(() => { const p = document.querySelector('.js-plotly-plot');"
        " return p && p.data ? JSON.stringify(p.data.map(t => t.y)) : null; })()"
    )
    out = []
    for _ in range(n):
        before = page.evaluate(f"() => {data}")
        page.locator("[data-testid='stSlider'] input[type='range']").first.focus()
        t0 = time.perf_counter()
        page.keyboard.press("ArrowLeft")
        page.wait_for_function(
            f"(b) => {{ const d = {data}; return d !== null && d !== b; }}",
            arg=before,
            timeout=60_000,
            polling=10,
        )
        page.wait_for_selector(READY, timeout=60_000)
        out.append(time.perf_counter() - t0)
        page.wait_for_timeout(300)
    return out


def _thumb(page, thumb: float = 16.0):
    """The range thumb's centre and the distance of one date (the thumb stays inside the box)."""
    rng = page.locator("[data-testid=scrubRange]")
    box, top = rng.bounding_box(), int(rng.get_attribute("max"))
    step = (box["width"] - thumb) / top
    x = box["x"] + thumb / 2 + step * int(rng.input_value())
    return x, box["y"] + box["height"] / 2, step


def _redraws(page) -> int:
    return page.evaluate(f"() => Number(document.querySelector('{CHART}').dataset.redraws || 0)")


def _release(page, moves: int = 6) -> float:
    """Drag ``moves`` dates (left if negative), release, and time the commit (URL, table, idle)."""
    table = (
        "() => [...document.querySelectorAll('[data-testid=stDataFrame]')].pop()"
        ".querySelector('table').textContent"
    )
    before = page.evaluate(table)
    x, y, step = _thumb(page)
    page.mouse.move(x, y)
    page.mouse.down()
    for k in range(1, abs(moves) + 1):
        page.mouse.move(x + (k if moves > 0 else -k) * step, y)
    page.wait_for_timeout(200)
    date = page.evaluate("() => document.querySelector('.xs-root').dataset.date")
    t0 = time.perf_counter()
    page.mouse.up()
    page.wait_for_function(
        f"([d, b]) => location.search.includes(d) && ({table})() !== b",
        arg=[date, before],
        timeout=60_000,
        polling=10,
    )
    page.wait_for_selector(READY, timeout=60_000)
    return time.perf_counter() - t0


def _daily_csv(path: pathlib.Path, n: int = 700) -> None:
    rng = np.random.default_rng(18)
    t = np.arange(n)
    dates = pd.date_range("2014-09-01", periods=n, freq="D")
    y = 200 + 0.1 * t - 30 * (dates >= "2016-01-08") + rng.normal(0, 8, n)
    pd.DataFrame({"date": dates.strftime("%Y-%m-%d"), "tweets": y.round(2)}).to_csv(
        path, index=False
    )


def _daily(browser, url: str, csv: pathlib.Path) -> tuple[float, float, float]:
    """Upload the daily series on Explore, drag across it, then open Robustness.

    Returns (Explore upload to chart s, redraws per second while dragging, Robustness s)."""
    page, _ = _page(browser, url + "/explore", CHART)
    page.get_by_text("Upload a file").click()
    page.wait_for_selector(READY, timeout=60_000)
    t0 = time.perf_counter()
    page.locator("[data-testid='stFileUploaderDropzoneInput']").set_input_files(str(csv))
    page.wait_for_function(  # no chart while no file is chosen: wait for the upload's own
        "() => { const g = document.querySelector('[data-testid=scrubChart]');"
        " return g && g.data && g.data[2].x.length >= 700; }",
        timeout=120_000,
    )
    page.wait_for_selector(READY, timeout=120_000)
    explore = time.perf_counter() - t0
    page.wait_for_timeout(500)
    x, y, step = _thumb(page)
    page.mouse.move(x, y)
    page.mouse.down()
    r0, t0 = _redraws(page), time.perf_counter()
    for k in range(1, 121):
        page.mouse.move(x - k * step * 0.95, y)
    page.wait_for_timeout(50)
    rate = (_redraws(page) - r0) / (time.perf_counter() - t0)
    page.keyboard.press("Escape")
    page.mouse.move(x, y)
    page.mouse.up()
    page.wait_for_timeout(1000)
    page.wait_for_selector(READY, timeout=60_000)
    t0 = time.perf_counter()
    page.locator("[data-testid='stSidebarNavLink']").filter(has_text="Robustness").click()
    page.wait_for_selector("h1:has-text('Robustness')", timeout=60_000)
    page.wait_for_timeout(100)
    page.wait_for_selector(READY, timeout=300_000)
    robustness = time.perf_counter() - t0
    page.close()
    return explore, rate, robustness


def run() -> list[dict]:
    from playwright.sync_api import sync_playwright

    med = statistics.median
    acc: dict[str, list[float]] = {}

    def add(name, values):
        acc.setdefault(name, []).extend(values if isinstance(values, list) else [values])

    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as p:
        tmpd = pathlib.Path(tmp)
        trivial = tmpd / "trivial.py"
        trivial.write_text(TRIVIAL)
        csv = tmpd / "daily700.csv"
        _daily_csv(csv)
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        for _ in range(ROUNDS):
            proc, url = _serve(trivial, tmpd)
            try:
                page, _ = _page(browser, url, ".js-plotly-plot")  # warms the server
                page.close()
                page, first = _page(browser, url, ".js-plotly-plot")
                add("trivial_first", first)
                add(
                    "trivial_key",
                    _key_latency(page, ".js-plotly-plot", "[data-testid='stSlider'] input", STEPS),
                )
                add("trivial_rerun", _slider_reruns(page, STEPS))
                page.close()
            finally:
                proc.terminate()
                proc.wait(timeout=15)
            proc, url = _serve(ROOT / "app.py", ROOT, {"EXPLORER_SCRUBBER": "0"})
            try:
                page, _ = _page(browser, url + EXPLORE, ".js-plotly-plot")
                page.close()
                page, _ = _page(browser, url + EXPLORE, ".js-plotly-plot")
                add("today_rerun", _slider_reruns(page, STEPS))
                page.close()
            finally:
                proc.terminate()
                proc.wait(timeout=15)
            proc, url = _serve(ROOT / "app.py", ROOT)
            try:
                page, _ = _page(browser, url + EXPLORE, CHART)
                page.close()
                page, first = _page(browser, url + EXPLORE, CHART)
                add("app_first", first)
                add("scrub_key", _key_latency(page, CHART, "[data-testid=scrubRange]", STEPS))
                add("release", [_release(page, m) for m in (-6, 4, -6)])
                page.close()
                explore, rate, rob = _daily(browser, url, csv)
                add("daily_explore", explore)
                add("drag_rate", rate)
                add("robustness", rob)
            finally:
                proc.terminate()
                proc.wait(timeout=15)
        browser.close()
    m = {k: med(v) for k, v in acc.items()}
    rows = []

    def row(name, value, unit, target, ok):
        rows.append({"name": name, "value": value, "unit": unit, "target": target, "ok": ok})

    key_ratio = m["scrub_key"] / m["trivial_key"]
    row(
        f"scrubber key step to redrawn chart ({m['scrub_key']:.0f} ms vs trivial app's rerun "
        f"{m['trivial_key']:.0f} ms, in-page)",
        key_ratio,
        "x",
        "<= 0.5x the trivial app's rerun and < 50 ms",
        key_ratio <= 0.5 and m["scrub_key"] < 50,
    )
    row(
        "scrubber redraws per second while dragging a 700-point daily series",
        m["drag_rate"],
        "/s",
        ">= 20 /s",
        m["drag_rate"] >= 20,
    )
    rel = m["release"] / m["today_rerun"]
    row(
        f"release to committed state ({m['release']:.2f} s vs today's slider rerun "
        f"{m['today_rerun']:.2f} s; trivial app {m['trivial_rerun']:.2f} s)",
        rel,
        "x",
        "<= 1x today's rerun",
        rel <= 1.0,
    )
    first = m["app_first"] / m["trivial_first"]
    row(
        f"Explore first chart with the scrubber ({m['app_first']:.2f} s vs trivial app "
        f"{m['trivial_first']:.2f} s)",
        first,
        "x",
        "<= 1.2x the trivial app's",
        first <= 1.2,
    )
    rob = m["robustness"] / m["daily_explore"]
    row(
        f"Robustness complete, 700-point daily series ({m['robustness']:.2f} s vs Explore "
        f"{m['daily_explore']:.2f} s for it)",
        rob,
        "x",
        "<= 2x Explore's time for the same series",
        rob <= 2.0,
    )
    return rows


if __name__ == "__main__":
    for r in run():
        print(r)
