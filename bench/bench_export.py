"""Static export speed: a warm PNG (one Chromium kept running) against a cold one (new browser).

Issue 6 asks for a warm PNG export under 0.5 s. The baseline measured in the same run is the
cold export, which starts Chromium first: what every export would cost without the warm
renderer. Reported: the cold time, the median warm time over several exports (after one
warm-up) for the article and social presets, and the warm/cold ratio.
"""

from __future__ import annotations

import statistics
import time

import numpy as np
import pandas as pd


def _chart():
    from explorer import charts
    from explorer.io.series import from_frame
    from explorer.models.fit import fit_its
    from explorer.spec import Intervention, ItsSpec

    rng = np.random.default_rng(5)
    dates = pd.date_range("2012-01-01", periods=96, freq="MS")
    y = 200 - 0.8 * np.arange(96) - 25 * (dates >= "2016-01-01") + rng.normal(0, 4, 96)
    series = from_frame(pd.DataFrame({"date": dates, "y": y}), freq="M")
    spec = ItsSpec(time="date", value="y", interventions=(Intervention("gec", "2016-01-08"),))
    text = charts.ChartText(
        title="Traffic fell after the intervention",
        subtitle="Monthly counts, synthetic benchmark series",
        source="Evidence Explorer benchmark",
        notes=("Segmented regression with Newey-West errors.",),
    )
    return charts.its_chart(fit_its(series, spec), text=text, claim_window=("2014-06", "2016-07"))


def run() -> list[dict]:
    from explorer import export

    chart = _chart()
    r = export.Renderer()
    try:
        t0 = time.perf_counter()
        export.to_png(chart, renderer_=r)
        cold = time.perf_counter() - t0
        export.to_png(chart, renderer_=r)  # warm-up
        warm = {}
        for preset in ("article", "social"):
            times = []
            for _ in range(5):
                t0 = time.perf_counter()
                export.to_png(chart, preset=preset, renderer_=r)
                times.append(time.perf_counter() - t0)
            warm[preset] = statistics.median(times)
        starts = r.starts
    finally:
        r.stop()
    rows = [
        {
            "name": "export: cold PNG (starts Chromium)",
            "value": cold,
            "unit": "s",
            "target": "baseline",
            "ok": True,
        },
    ]
    for preset, t in warm.items():
        rows.append(
            {
                "name": f"export: warm PNG, {preset} preset (median of 5)",
                "value": t,
                "unit": "s",
                "target": "< 0.5 s",
                "ok": t < 0.5,
            }
        )
    rows.append(
        {
            "name": "export: warm/cold ratio (article)",
            "value": warm["article"] / cold,
            "unit": "x",
            "target": "<= 0.5x",
            "ok": warm["article"] / cold <= 0.5,
        }
    )
    rows.append(
        {
            "name": "export: browsers started for 12 PNGs",
            "value": starts,
            "unit": "",
            "target": "== 1",
            "ok": starts == 1,
        }
    )
    return rows
