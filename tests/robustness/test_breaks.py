"""Break tests against R's strucchange, known breaks recovered, sup-F size under the null.

The reference numbers in tests/data/strucchange_reference.json were produced by
``Rscript scripts/strucchange_reference.R`` (strucchange 1.5.3, R 4.2.2); R is not needed here.
Series: R's datasets package: Nile (annual flow at Aswan, 1871-1970; Cobb 1978) and
UKDriverDeaths (monthly, 1969-1984; Harvey & Durbin 1986).
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from explorer.errors import InputError
from explorer.io.series import from_frame
from explorer.robustness.breaks import (
    bai_perron,
    break_confint,
    find_breaks,
    supf_pvalue,
    supf_test,
    trend_matrix,
)
from tests.conftest import ROOT

HERE = ROOT / "tests" / "data"
REF = json.loads((HERE / "strucchange_reference.json").read_text())
NILE = pd.read_csv(HERE / "nile.csv")
UKDD = pd.read_csv(HERE / "uk_driver_deaths.csv")
CASES = {
    "nile_mean": (NILE["flow"].to_numpy(float), False),
    "nile_trend": (NILE["flow"].to_numpy(float), True),
    "ukdd_log_trend": (np.log(UKDD["deaths"].to_numpy(float)), True),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_supf_matches_strucchange(case):
    y, trend = CASES[case]
    ref = REF[case]
    res = supf_test(y, trend_matrix(len(y), trend=trend), trim=0.15)
    # Fstats: every F statistic, the sup, its position, lambda; sctest: Hansen's p-value.
    np.testing.assert_allclose(res.fstats, ref["fstats"], rtol=1e-9)
    assert res.statistic == pytest.approx(ref["supf"], rel=1e-10)
    assert (
        res.index == ref["supf_point"]
    )  # R's last old-regime obs (1-based) = our first new (0-based)
    assert res.lam == pytest.approx(ref["lambda"], rel=1e-12)
    assert res.p_value == pytest.approx(ref["supf_p"], rel=1e-6, abs=1e-15)


@pytest.mark.parametrize("case", sorted(CASES))
def test_bai_perron_matches_strucchange(case):
    y, trend = CASES[case]
    ref = REF[case]
    Z = trend_matrix(len(y), trend=trend)
    fit = bai_perron(y, Z, max_breaks=3, trim=0.15)
    assert fit.h == ref["h"]
    np.testing.assert_allclose(fit.rss, ref["rss"], rtol=1e-9)
    np.testing.assert_allclose(fit.bic, ref["bic"], rtol=1e-10)
    assert fit.selected("bic") == ref["bic_breaks"]
    for m in (1, 2, 3):
        r = ref[f"breaks_{m}"]
        assert list(fit.breakpoints[m]) == list(np.atleast_1d(r["point"]))
        ci = break_confint(y, Z, fit.breakpoints[m])
        assert [c[0] for c in ci] == list(np.atleast_1d(r["lower"]))
        assert [c[1] for c in ci] == list(np.atleast_1d(r["upper"]))


def test_nile_break_dates_first_period_of_new_regime():
    d = NILE.assign(date=pd.to_datetime(NILE["year"].astype(str) + "-01-01"))
    res = find_breaks(from_frame(d, value="flow", freq="Y"), trend=False)
    # strucchange's breakdates(breakpoints(Nile ~ 1)) is 1898, the old regime's last year.
    assert res.n_breaks == 1
    assert res.breaks[0]["date"] == pd.Timestamp("1899-01-01")
    assert res.supf["date"] == pd.Timestamp("1899-01-01")
    assert res.supf["ci_low"] == pd.Timestamp("1896-01-01")  # R: lower 25 -> 1871 + 25
    assert res.supf["ci_high"] == pd.Timestamp("1903-01-01")  # R: upper 32
    assert res.table[1]["bic"] == pytest.approx(REF["nile_mean"]["bic"][1], rel=1e-10)


def test_supf_scan_equals_statsmodels_loop():
    import statsmodels.api as sm

    rng = np.random.default_rng(5)
    n = 80
    y = 3 + 0.1 * np.arange(n) + rng.normal(size=n)
    Z = trend_matrix(n)
    res = supf_test(y, Z)
    ssr0 = sm.OLS(y, Z).fit().ssr
    loop = []
    for k in range(res.first, n - res.first + 1):
        u = sm.OLS(y[:k], Z[:k]).fit().ssr + sm.OLS(y[k:], Z[k:]).fit().ssr
        loop.append((ssr0 - u) / (u / (n - 4)))
    np.testing.assert_allclose(res.fstats, loop, rtol=1e-8)


def _sim(n, t0, *, level=0.0, slope=0.0, phi=0.0, seed=0):
    rng = np.random.default_rng(seed)
    e = np.zeros(n)
    eps = rng.normal(size=n)
    for i in range(n):
        e[i] = (phi * e[i - 1] if i else 0.0) + eps[i]
    t = np.arange(n)
    return 10 + 0.05 * t + level * (t >= t0) + slope * np.maximum(t - t0, 0) + e


@pytest.mark.parametrize("phi", [0.0, 0.5])
@pytest.mark.parametrize("level,slope", [(4.0, 0.0), (3.0, -0.2)])
def test_known_level_break_recovered(level, slope, phi):
    n, t0 = 150, 90
    y = _sim(n, t0, level=level, slope=slope, phi=phi, seed=11)
    d = pd.DataFrame({"date": pd.date_range("2000-01-01", periods=n, freq="MS"), "y": y})
    res = find_breaks(from_frame(d, freq="M"), max_breaks=3)
    truth = d["date"][t0]
    assert res.supf["p_value"] < 0.01
    assert res.supf["date"] == truth
    assert res.supf["ci_low"] <= truth <= res.supf["ci_high"]
    nearest = min(res.breaks, key=lambda b: abs((b["date"] - truth).days))
    assert nearest["date"] == truth
    assert nearest["ci_low"] <= truth <= nearest["ci_high"]


@pytest.mark.parametrize("phi", [0.0, 0.5])
def test_known_slope_break_recovered(phi):
    # A pure kink (no jump) is identified less sharply than a jump, and Bai's interval assumes a
    # jump, so only the date is checked: within 6 periods of the truth in every seed (12 with
    # AR(0.5) noise, whose slow swings look like kinks themselves).
    n, t0 = 150, 90
    tol = 6 if phi == 0 else 12
    for seed in range(5):
        y = _sim(n, t0, slope=0.25, phi=phi, seed=seed)
        res = supf_test(y, trend_matrix(n))
        assert res.p_value < 0.01
        assert abs(res.index - t0) <= tol
        fit = bai_perron(y, trend_matrix(n), max_breaks=3)
        m = fit.selected("bic")
        assert m >= 1 and min(abs(b - t0) for b in fit.breakpoints[m]) <= tol


def test_no_break_mostly_found_none():
    d = pd.DataFrame(
        {"date": pd.date_range("2000-01-01", periods=120, freq="MS"), "y": _sim(120, 60, seed=3)}
    )
    res = find_breaks(from_frame(d, freq="M"))
    assert res.n_breaks == 0 and res.breaks == []
    assert res.supf["p_value"] > 0.05


def test_supf_size_under_null_near_5_percent():
    # 400 seeded null series y ~ 1 (a mean-shift test, where Hansen's approximation applies):
    # rejections at 5% must fall in a binomial 99% band around 5% (2.4% to 7.9%).
    rng = np.random.default_rng(2024)
    n, reps = 100, 400
    Z = trend_matrix(n, trend=False)
    rej = sum(supf_test(rng.normal(size=n), Z).p_value < 0.05 for _ in range(reps))
    assert 0.024 <= rej / reps <= 0.079


def test_supf_trend_model_size_is_reported_caveat():
    # With a trend regressor the asymptotic table over-rejects somewhat (about 8% at 5% in 1,000
    # reps at n = 100 and 200), as strucchange's does; the module docstring says so. Guard the
    # figure it quotes: between 5% and 11% in 400 reps.
    rng = np.random.default_rng(99)
    n, reps = 100, 400
    Z = trend_matrix(n)
    rej = sum(
        supf_test(Z @ [1.0, 0.05] + rng.normal(size=n), Z).p_value < 0.05 for _ in range(reps)
    )
    assert 0.05 <= rej / reps <= 0.11


def test_simulated_pvalue_has_the_right_size_with_a_trend():
    # Where Hansen's table over-rejects (about 8%), the design's own null distribution does not.
    rng = np.random.default_rng(99)
    n, reps = 100, 300
    Z = trend_matrix(n)
    rej = sum(
        supf_test(
            Z @ [1.0, 0.05] + rng.normal(size=n), Z, pvalue="simulated", draws=300, seed=r
        ).p_value
        < 0.05
        for r in range(reps)
    )
    assert 0.024 <= rej / reps <= 0.079


def test_simulated_pvalue_agrees_with_hansen_for_a_mean_shift():
    from explorer.robustness.breaks import supf_simulated_pvalue

    Z = trend_matrix(300, trend=False)
    for stat in (6.0, 9.0, 12.0):
        sim = supf_simulated_pvalue(stat, Z, 45, draws=4000, seed=1)
        lam = (255 * 255) / (45 * 45)
        assert sim == pytest.approx(supf_pvalue(stat, 1, lam), abs=0.015)


def test_batched_prefix_ssr_equals_one_at_a_time():
    from explorer.robustness.fastols import prefix_ssr

    rng = np.random.default_rng(4)
    Y = rng.normal(size=(3, 50)).cumsum(axis=1)
    Z = trend_matrix(50)
    batch = prefix_ssr(Y, Z, 3)
    for b in range(3):
        np.testing.assert_allclose(batch[b], prefix_ssr(Y[b], Z, 3), rtol=1e-9, atol=1e-9)


def test_hansen_pvalue_is_chi2_at_half_trim():
    from scipy import stats

    # lambda = 1 (tau = 0.5) is a single candidate: the p-value is chi2(k).
    assert supf_pvalue(5.0, 2, 1.0) == pytest.approx(stats.chi2.sf(5.0, 2))


def test_bad_trim_and_short_series_are_input_errors():
    with pytest.raises(InputError, match="trim"):
        supf_test(np.arange(50.0), trim=0.6)
    with pytest.raises(InputError, match="too few"):
        supf_test(np.arange(12.0), trim=0.1)
