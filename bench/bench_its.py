"""Speed of the ITS core against the bare statsmodels fits it wraps, measured in the same run.

Each pair is timed interleaved (bare, ours, bare, ours, ...) and compared by medians, so load
from other processes on a shared machine hits both sides alike.

- ``segmented``: ``fit_its`` (gaussian, HAC errors: the default) from a ``SeriesData`` to the
  effects, against ``statsmodels.OLS(y, X).fit(cov_type="HAC")`` on the prebuilt design with
  its params/bse/pvalues/conf_int read: the wrapper's whole overhead (design, checks, effects)
  is in the ratio. Target <= 1.5x and < 50 ms at n = 100 and 1,000.
- ``ar:1``: our exact-likelihood fit against ``SARIMAX(y, X, order=(1, 0, 0)).fit()``.
- ``structural`` and ``structural-forecast`` at n = 200: under 2 s.
"""

from __future__ import annotations

import time
import warnings

import numpy as np
import pandas as pd


def _series(n: int, freq: str, seed: int = 1):
    from explorer.io.series import from_frame

    rng = np.random.default_rng(seed)
    code = {"D": "D", "M": "MS"}[freq]
    dates = pd.date_range("2000-01-01", periods=n, freq=code)
    t = np.arange(n)
    e = np.zeros(n)
    for i in range(1, n):
        e[i] = 0.5 * e[i - 1] + rng.normal()
    y = 50 + 0.02 * t - 3 * (t >= n // 2) + e
    return from_frame(pd.DataFrame({"date": dates, "y": y}), freq=freq), dates


def _paired(bare, ours, reps: int) -> tuple[float, float]:
    bare(), ours()  # warm caches and imports
    tb, to = [], []
    for _ in range(reps):
        t0 = time.perf_counter()
        bare()
        t1 = time.perf_counter()
        ours()
        t2 = time.perf_counter()
        tb.append(t1 - t0)
        to.append(t2 - t1)
    return float(np.median(tb)), float(np.median(to))


def run() -> list[dict]:
    import statsmodels.api as sm

    from explorer.models.fit import fit_its
    from explorer.spec import Intervention, ItsSpec

    rows = []
    for n, freq in ((100, "M"), (1000, "D")):
        s, dates = _series(n, freq)
        spec = ItsSpec(
            time="date", value="y", interventions=(Intervention("x", str(dates[n // 2].date())),)
        )
        X = fit_its(s, spec).fit.X
        y = s.y
        lags = int(np.floor(4 * (n / 100) ** (2 / 9)))

        def bare(X=X, y=y, lags=lags):
            r = sm.OLS(y, X).fit(
                cov_type="HAC", cov_kwds={"maxlags": lags, "use_correction": True}, use_t=True
            )
            return r.params, r.bse, r.pvalues, r.conf_int()

        def ours(s=s, spec=spec):
            r = fit_its(s, spec)
            return r.params, r.bse, r.pvalues, r.conf_int(), r.interventions

        tb, to = _paired(bare, ours, 60)
        rows.append(
            {
                "name": f"segmented hac n={n}: fit_its / bare OLS-HAC",
                "value": to / tb,
                "unit": "x",
                "target": "<= 1.5x",
                "ok": to / tb <= 1.5,
            }
        )
        rows.append(
            {
                "name": f"segmented hac n={n}: fit_its time",
                "value": 1000 * to,
                "unit": "ms",
                "target": "< 50 ms",
                "ok": to < 0.05,
            }
        )

    # AR(1) errors: exact likelihood vs statsmodels' SARIMAX search, n = 200.
    s, dates = _series(200, "M")
    spec = ItsSpec(
        time="date",
        value="y",
        interventions=(Intervention("x", str(dates[100].date())),),
        errors="ar",
        ar_order=1,
    )
    X = fit_its(s, spec).fit.X

    def sarimax(X=X, y=s.y):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return (
                sm.tsa.SARIMAX(y, exog=X.to_numpy(), order=(1, 0, 0))
                .fit(disp=0, cov_type="approx")
                .bse
            )

    tb, to = _paired(sarimax, lambda: fit_its(s, spec).interventions, 11)
    rows.append(
        {
            "name": "ar:1 n=200: fit_its / SARIMAX.fit",
            "value": to / tb,
            "unit": "x",
            "target": "<= 1.5x",
            "ok": to / tb <= 1.5,
        }
    )

    for model in ("structural", "structural-forecast", "sarimax"):
        sp = ItsSpec(
            time="date",
            value="y",
            interventions=(Intervention("x", str(dates[100].date())),),
            model=model,
            seasonality="fourier",
            fourier_k=1,
        )
        fit_its(s, sp)
        ts = []
        for _ in range(3):
            t0 = time.perf_counter()
            r = fit_its(s, sp)
            _ = r.counterfactual
            ts.append(time.perf_counter() - t0)
        t = float(np.median(ts))
        rows.append(
            {
                "name": f"{model} n=200 (fit + counterfactual)",
                "value": t,
                "unit": "s",
                "target": "< 2 s",
                "ok": t < 2.0,
            }
        )
    return rows
