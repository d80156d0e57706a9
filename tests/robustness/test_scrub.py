"""The date scrubber's payload (explorer.scrub): what the browser draws at each date equals the
full fit at that date (``fit_its``) and the vectorised sweep (``sweep_dates``) to 1e-8, and the
payload stays small for long daily series."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from explorer.io.series import from_frame
from explorer.models.fit import fit_its
from explorer.robustness.scrub import BUDGET, not_covered, paths, payload_bytes, scrub_payload
from explorer.robustness.sweep import sweep_dates
from explorer.spec import Intervention, ItsSpec


def _series(n=120, *, freq="MS", gap=True, seed=0):
    rng = np.random.default_rng(seed)
    t = np.arange(n)
    y = 20 + 0.05 * t - 3.0 * (t >= int(0.65 * n)) + 2 * np.sin(2 * np.pi * t / 12)
    d = pd.DataFrame({"date": pd.date_range("2005-01-01", periods=n, freq=freq), "y": y})
    d["y"] += rng.normal(size=n)
    if gap:
        d.loc[[10, 11, 57], "y"] = np.nan
    return from_frame(d, freq="M" if freq == "MS" else freq)


def _spec(*ivs, errors="hac", **kw):
    if errors.startswith("ar:"):  # the app's spelling, ar:P
        kw.setdefault("ar_order", int(errors.split(":")[1]))
        errors = "ar"
    return ItsSpec(time="date", value="y", interventions=ivs, errors=errors, **kw)


X = Intervention("x", "2011-09")
EARLY = Intervention("early", "2007-06", kind="level")


def _close(a, b, what):
    a, b = np.asarray(a, float), np.asarray(b, float)
    assert np.array_equal(np.isnan(a), np.isnan(b)), what
    scale = max(1.0, float(np.nanmax(np.abs(b))))
    np.testing.assert_allclose(a, b, rtol=1e-8, atol=1e-8 * scale, equal_nan=True, err_msg=what)


@pytest.mark.parametrize("errors", ["ols", "hac", "ar:1"])
@pytest.mark.parametrize("ivs", [(X,), (EARLY, X)], ids=["one", "held"])
@pytest.mark.parametrize("extra", [{}, {"seasonality": "month", "log": True}], ids=["plain", "log"])
def test_payload_equals_fit_its_at_every_date(errors, ivs, extra):
    s = _series()
    spec = _spec(*ivs, errors=errors, **extra)
    payload, reason = scrub_payload(s, spec, "x")
    assert reason == "" and len(payload["t0"]) > 20
    json.dumps(payload, allow_nan=False)  # what the browser receives
    assert payload["date"][payload["current"]] == "2011-09-01"
    for i in range(len(payload["t0"])):
        fit = fit_its(s, spec.with_date("x", payload["date"][i]))
        cf = fit.counterfactual
        got = paths(payload, i)
        for mine, theirs in (
            ("fitted", "fitted"),
            ("mean", "mean"),
            ("low", "mean_ci_lower"),
            ("high", "mean_ci_upper"),
        ):
            _close(got[mine], cf[theirs], f"{mine} at {payload['date'][i]}")
        iv = next(v for v in fit.interventions if v.label == "x")
        for name in ("level", "slope"):
            e = getattr(iv, f"{name}_change")
            _close(payload[name][i], [e.estimate, e.ci_low, e.ci_high], f"{name} {i}")


def test_payload_equals_the_vectorised_sweep():
    s = _series()
    spec = _spec(EARLY, X)
    payload, _ = scrub_payload(s, spec, "x", window=12)
    sweep = sweep_dates(s, spec, label="x", window=12)
    assert payload["date"] == [d.strftime("%Y-%m-%d") for d in sweep.rows["date"]]
    lv = np.asarray(payload["level"])
    for j, col in enumerate(("level_change", "level_ci_low", "level_ci_high")):
        np.testing.assert_allclose(lv[:, j], sweep.rows[col], rtol=1e-8)
    np.testing.assert_allclose(np.asarray(payload["slope"])[:, 0], sweep.rows["slope_change"])


@pytest.mark.parametrize("kind", ["level", "ramp"])
def test_other_kinds_rebuild_the_moved_columns_as_the_design_does(kind):
    s = _series(gap=False)
    iv = Intervention("x", "2011-09", kind=kind, ramp=3 if kind == "ramp" else None)
    spec = _spec(iv)
    payload, _ = scrub_payload(s, spec, "x", window=6)
    assert payload["slope"] is None
    for i in (0, len(payload["t0"]) // 2, len(payload["t0"]) - 1):
        fit = fit_its(s, spec.with_date("x", payload["date"][i]))
        _close(paths(payload, i)["fitted"], fit.counterfactual["fitted"], kind)


@pytest.mark.parametrize(
    "kw, words",
    [
        ({"errors": "ar", "ar_order": 2}, "AR(2) errors need a search over 2"),
        ({"errors": "ar", "ar_order": 1, "extra": (("ar_method", "ml"),)}, "exact maximum"),
        ({"family": "poisson", "errors": "model"}, "poisson family"),
        ({"model": "structural"}, "structural model"),
    ],
)
def test_designs_the_sweep_does_not_batch_get_a_reason(kw, words):
    spec = _spec(X, **{"errors": "hac", **kw})
    payload, reason = scrub_payload(_series(), spec, "x")
    assert payload is None
    assert words in reason and "refits on release" in reason
    assert reason.startswith("Dragging redraws live only for gaussian")
    assert not_covered(_spec(X)) is None
    assert not_covered(_spec(X, errors="ar:1")) is None  # the app's default errors


def test_ar1_payload_on_a_long_autocorrelated_daily_series_equals_fit_its():
    """AR(1) REML at 700 daily points, rho near 0.7: the batched search lands where the
    single fit's does (the numbers most sensitive to phi are the intervals)."""
    rng = np.random.default_rng(3)
    n = 700
    e = np.zeros(n)
    for i in range(1, n):
        e[i] = 0.7 * e[i - 1] + rng.normal()
    t = np.arange(n)
    d = pd.DataFrame({"date": pd.date_range("2015-01-01", periods=n), "y": 50 + 0.01 * t + 3 * e})
    d.loc[d.index >= 400, "y"] -= 4
    s = from_frame(d, freq="D")
    spec = _spec(Intervention("x", "2016-02-05"), errors="ar:1")
    payload, reason = scrub_payload(s, spec, "x")
    assert reason == "" and len(payload["t0"]) > 100
    for i in np.linspace(0, len(payload["t0"]) - 1, 7).astype(int):
        fit = fit_its(s, spec.with_date("x", payload["date"][i]))
        got = paths(payload, i)
        _close(got["low"], fit.counterfactual["mean_ci_lower"], f"band at {i}")
        e = next(v for v in fit.interventions if v.label == "x").level_change
        _close(payload["level"][i], [e.estimate, e.ci_low, e.ci_high], f"level at {i}")


@pytest.mark.parametrize("season", ["none", "dow"])
def test_a_700_point_daily_series_stays_small(season):
    s = _series(700, freq="D", gap=True)
    spec = _spec(Intervention("x", "2006-06-01"), seasonality=season)
    payload, _ = scrub_payload(s, spec, "x")
    size = payload_bytes(payload)
    assert size < 150_000, size
    assert len(payload["t0"]) <= 241
    per_date = len(payload["beta"][0]) + len(payload["vcf"][0]) + 8
    assert len(payload["t0"]) * per_date <= BUDGET
    # The window is centred on the current date.
    cur = payload["current"]
    assert abs(cur - (len(payload["t0"]) - 1 - cur)) <= 1
