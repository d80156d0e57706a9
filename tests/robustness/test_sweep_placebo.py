"""Date sweeps and placebos: the vectorised path equals statsmodels, truth is recovered, and
placebo p-values are uniform under the null."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from explorer.errors import SpecError
from explorer.io.series import from_frame
from explorer.robustness.fastols import batch_ols
from explorer.robustness.placebo import permutation_p, placebo_in_space, placebo_in_time
from explorer.robustness.sweep import sweep_dates, sweep_reference
from explorer.spec import Intervention, ItsSpec


def _series(n=120, *, t0=80, level=-3.0, phi=0.0, seed=0, gap=False):
    rng = np.random.default_rng(seed)
    t = np.arange(n)
    e = np.zeros(n)
    eps = rng.normal(size=n)
    for i in range(n):
        e[i] = (phi * e[i - 1] if i else 0.0) + eps[i]
    y = 20 + 0.05 * t + level * (t >= t0) + 2 * np.sin(2 * np.pi * t / 12) + e
    d = pd.DataFrame({"date": pd.date_range("2005-01-01", periods=n, freq="MS"), "y": y})
    if gap:
        d.loc[[10, 11, 57], "y"] = np.nan
    return from_frame(d, freq="M"), d


def _spec(date="2011-09", errors="hac", **kw):
    return ItsSpec(
        time="date", value="y", interventions=(Intervention("x", date),), errors=errors, **kw
    )


@pytest.mark.parametrize("errors", ["hac", "ols"])
@pytest.mark.parametrize("extra", [{}, {"seasonality": "month"}, {"hac_lags": 3, "log": True}])
def test_vectorised_sweep_equals_statsmodels_loop(errors, extra):
    s, _ = _series(gap=True)
    spec = _spec(errors=errors, **extra)
    res = sweep_dates(s, spec)
    assert res.path == "vectorised" and len(res.rows) > 50
    ref = sweep_reference(s, spec, "x", res.rows["date"])
    for col in ("level_change", "level_se", "slope_change", "slope_se", "ssr"):
        np.testing.assert_allclose(res.rows[col], ref[col], rtol=1e-8, atol=1e-10)


def test_vectorised_sweep_with_two_interventions_equals_loop():
    s, _ = _series(n=150)
    spec = ItsSpec(
        time="date",
        value="y",
        errors="hac",
        interventions=(
            Intervention("early", "2008-06", kind="level"),
            Intervention("x", "2011-09"),
        ),
    )
    res = sweep_dates(s, spec, label="x")
    ref = sweep_reference(s, spec, "x", res.rows["date"])
    np.testing.assert_allclose(res.rows["level_change"], ref["level_change"], rtol=1e-8)
    np.testing.assert_allclose(res.rows["level_se"], ref["level_se"], rtol=1e-8)
    # The moved date may pass the other intervention but never shares its period.
    assert not (res.rows["date"] == pd.Timestamp("2008-06-01")).any()


def test_sweep_equals_fit_its_at_sampled_dates():
    from explorer.models.fit import fit_its

    s, _ = _series()
    spec = _spec(seasonality="month")
    res = sweep_dates(s, spec, window=4)
    for _, row in res.rows.iloc[::3].iterrows():
        fit = fit_its(s, spec.with_date("x", row["date"].strftime("%Y-%m-%d")))
        lc = fit.interventions[0].level_change
        assert row["level_change"] == pytest.approx(lc.estimate, rel=1e-8)
        assert row["level_se"] == pytest.approx(lc.se, rel=1e-8)
        assert row["level_ci_low"] == pytest.approx(lc.ci_low, rel=1e-8)
        assert row["level_p_value"] == pytest.approx(lc.p_value, rel=1e-6, abs=1e-12)


def test_sweep_f_stat_is_the_classical_f_test():
    import statsmodels.api as sm

    s, d = _series()
    res = sweep_dates(s, _spec(), window=2)
    row = res.rows[res.rows["offset"] == 0].iloc[0]
    from explorer.robustness.sweep import gaussian_problem

    prob = gaussian_problem(s, _spec())
    full = sm.OLS(prob.y, prob.X).fit()
    R = np.zeros((2, prob.X.shape[1]))
    R[0, prob.cols.index("x:level")] = R[1, prob.cols.index("x:slope")] = 1.0
    f = full.f_test(R).fvalue
    assert row["f_stat"] == pytest.approx(float(np.squeeze(f)), rel=1e-8)


@pytest.mark.parametrize("phi", [0.0, 0.5])
def test_sweep_least_squares_date_recovers_true_break(phi):
    s, d = _series(n=150, t0=100, level=-5.0, phi=phi, seed=4)
    res = sweep_dates(s, _spec("2011-01", errors="hac"))
    assert res.best_date == d["date"][100]
    assert res.distance == 100 - 72  # 2011-01 is period 72


def test_sweep_window_and_trim_bound_the_dates():
    s, _ = _series(n=100)
    res = sweep_dates(s, _spec("2009-01"), window=5)
    assert res.rows["offset"].tolist() == list(range(-5, 6))
    full = sweep_dates(s, _spec("2009-01"), trim=0.2)
    assert full.rows["date"].min() == pd.Timestamp("2006-09-01")  # 20 points before
    assert full.rows["date"].max() == pd.Timestamp("2011-09-01")  # 20 points from it on


def test_structural_model_kept_out_of_sweep_with_note():
    s, _ = _series(n=60, t0=40)
    res = sweep_dates(s, _spec("2008-05", model="structural"), window=2)
    assert res.path == "vectorised"
    assert "kept out of sweeps" in res.note


def test_count_family_sweep_loops_over_fit_its():
    from explorer.models.fit import fit_its

    rng = np.random.default_rng(1)
    t = np.arange(60)
    d = pd.DataFrame(
        {
            "date": pd.date_range("2010-01-01", periods=60, freq="MS"),
            "y": rng.poisson(np.exp(3 + 0.01 * t - 0.3 * (t >= 40))),
        }
    )
    s = from_frame(d, freq="M")
    spec = ItsSpec(
        time="date", value="y", family="quasipoisson", interventions=(Intervention("x", "2013-05"),)
    )
    res = sweep_dates(s, spec, window=2)
    assert res.path == "loop" and len(res.rows) == 5
    fit = fit_its(s, spec.with_date("x", "2013-06"))
    row = res.rows[res.rows["date"] == pd.Timestamp("2013-06-01")].iloc[0]
    assert row["level_change"] == pytest.approx(fit.interventions[0].level_change.estimate)
    assert np.isfinite(res.rows["f_stat"]).all()
    strong = d.assign(y=rng.poisson(np.exp(3 + 0.01 * t - 1.0 * (t >= 40))))
    best = sweep_dates(from_frame(strong, freq="M"), spec, window=4).best_date
    assert best == pd.Timestamp("2013-05-01")  # least deviance at the true date


# -- placebos ----------------------------------------------------------------------------------
def test_permutation_p_counts_ties_and_attainable_minimum():
    assert permutation_p(2.0, [1.0, 2.0, -3.0]) == pytest.approx(3 / 4)
    assert permutation_p(-2.0, [1.0, -3.0, 3.0], two_sided=False) == pytest.approx(2 / 4)
    assert permutation_p(10.0, np.arange(9.0)) == pytest.approx(0.1)


def test_placebo_in_time_equals_statsmodels_on_the_pre_period():
    s, d = _series(n=120, t0=80)
    spec = _spec("2011-09")
    res = placebo_in_time(s, spec)
    pre = from_frame(d.iloc[:80], freq="M")
    ref = sweep_reference(pre, spec, "x", res.placebos["date"])
    np.testing.assert_allclose(res.placebos["estimate"], ref["level_change"], rtol=1e-8)
    np.testing.assert_allclose(res.placebos["se"], ref["level_se"], rtol=1e-8)
    assert res.placebos["date"].max() < pd.Timestamp("2011-09-01")
    assert res.n_placebos == 80 - 2 * 12 + 1  # trim 0.15 of 80 = 12 each side
    assert res.min_attainable_p == pytest.approx(1 / (res.n_placebos + 1))
    assert res.p_value <= 3 / (res.n_placebos + 1)  # a -3 step in noise of sd 1 ranks near the top


@pytest.mark.parametrize("phi,reps", [(0.0, 150), (0.4, 100)])
def test_placebo_p_values_uniform_under_null(phi, reps):
    from scipy import stats

    n = 100
    ps = []
    for rep in range(reps):
        s, _ = _series(n=n, t0=70, level=0.0, phi=phi, seed=1000 + rep)
        spec = _spec("2010-11", errors="hac", seasonality="month")
        ps.append(placebo_in_time(s, spec).p_value)
    ps = np.array(ps)
    assert stats.kstest(ps, "uniform").pvalue > 0.01
    assert 0.02 <= np.mean(ps <= 0.1) <= 0.2


def test_placebo_raw_estimates_are_conservative_under_null():
    # Ranking raw |estimate| compares the full-data fit with noisier pre-period fits: the
    # docstring's reason for studentising by default. Rejections at 10% stay at or under 10%.
    spec = _spec("2010-11", seasonality="month")
    ps = [
        placebo_in_time(
            _series(n=100, t0=70, level=0.0, seed=2000 + r)[0], spec, statistic="estimate"
        ).p_value
        for r in range(100)
    ]
    assert np.mean(np.array(ps) <= 0.1) <= 0.1


def test_placebo_needs_a_pre_period():
    s, _ = _series(n=60)
    with pytest.raises(SpecError, match="too few"):
        placebo_in_time(s, _spec("2005-06"))


def _panel(effect, seed=0, units=8, n=40):
    rng = np.random.default_rng(seed)
    t = np.arange(n)
    cols = {f"u{i}": 50 + rng.normal() * 5 + 0.3 * t + rng.normal(size=n) for i in range(units)}
    cols["u0"] = cols["u0"] + effect * (t >= 28)
    return pd.DataFrame(cols, index=pd.date_range("2000-01-01", periods=n, freq="MS"))


def test_placebo_in_space_equals_difference_fits():
    import dataclasses

    U = _panel(-6.0)
    ctrl = U.drop(columns="u0").mean(axis=1).to_numpy()
    s = dataclasses.replace(
        from_frame(pd.DataFrame({"date": U.index, "y": U["u0"].to_numpy()}), freq="M"),
        units=U,
        treated_unit="u0",
    )
    spec = ItsSpec(
        time="date",
        value="y",
        group="g",
        treated="u0",
        errors="hac",
        interventions=(Intervention("x", "2002-05"),),
    )
    res = placebo_in_space(s, spec)
    X = (
        __import__("explorer.robustness.sweep", fromlist=["gaussian_problem"])
        .gaussian_problem(
            s, ItsSpec(time="date", value="y", errors="hac", interventions=spec.interventions)
        )
        .X
    )
    direct = batch_ols(X, U["u0"].to_numpy() - ctrl, errors="hac").params[0, 2]
    assert res.effect == pytest.approx(direct, rel=1e-10)
    assert res.n_placebos == 7
    u3 = U["u3"].to_numpy() - U.drop(columns=["u0", "u3"]).mean(axis=1).to_numpy()
    est3 = res.placebos.set_index("unit").loc["u3", "estimate"]
    assert est3 == pytest.approx(batch_ols(X, u3, errors="hac").params[0, 2], rel=1e-10)
    assert res.p_value == pytest.approx(1 / 8)


def test_placebo_in_space_prop99_matches_published_difference(data_dir):
    # Linden (2015), itsa multiple-group ITS: difference in level change -2.806417.
    from explorer.io.loader import load_table
    from explorer.io.series import series_from_spec

    spec = ItsSpec(
        time="year_start",
        value="PacksPerCapita",
        group="State",
        treated="California",
        interventions=(Intervention("p99", "1989"),),
    )
    table = load_table(data_dir / "reference" / "prop99.csv", time="year_start")
    res = placebo_in_space(series_from_spec(table, spec), spec)
    assert res.effect == pytest.approx(-2.806417, abs=5e-6)
    assert res.n_placebos == 38


def test_partialled_out_fit_equals_full_batch_fit():
    from explorer.robustness.fastols import batch_partial_ols

    rng = np.random.default_rng(9)
    n = 90
    W = np.column_stack([np.ones(n), np.arange(n), rng.normal(size=(n, 3))])
    Z = rng.normal(size=(4, n, 2))
    y = rng.normal(size=n).cumsum()
    for errors in ("ols", "hac"):
        part = batch_partial_ols(W, Z, y, errors=errors)
        full = batch_ols(
            np.concatenate([np.broadcast_to(W, (4, n, 5)), Z], axis=2), y, errors=errors
        )
        np.testing.assert_allclose(part.params, full.params[:, 5:], rtol=1e-9)
        np.testing.assert_allclose(part.bse, full.bse[:, 5:], rtol=1e-9)
        np.testing.assert_allclose(part.ssr, full.ssr, rtol=1e-10)


def test_count_family_placebo_loops_over_fit_its():
    rng = np.random.default_rng(2)
    t = np.arange(48)
    d = pd.DataFrame(
        {
            "date": pd.date_range("2010-01-01", periods=48, freq="MS"),
            "y": rng.poisson(np.exp(3 + 0.01 * t - 0.5 * (t >= 36))),
        }
    )
    spec = ItsSpec(
        time="date",
        value="y",
        family="quasipoisson",
        interventions=(Intervention("x", "2013-01", kind="level"),),
    )
    res = placebo_in_time(from_frame(d, freq="M"), spec)
    assert res.path == "loop" and res.n_placebos == 36 - 2 * 5 + 1
    assert res.p_value <= 0.1


def test_given_date_is_swept_even_outside_the_trimming():
    s, _ = _series(n=100)
    res = sweep_dates(s, _spec("2005-08"), trim=0.15)  # period 7: inside the first 15%
    assert res.rows["offset"].iloc[0] == 0
    assert res.rows["date"].iloc[0] == pd.Timestamp("2005-08-01")
    assert (res.rows["offset"].iloc[1:] >= 8).all()  # then the trimmed range, from period 15


@pytest.mark.parametrize("extra", [{}, {"seasonality": "month", "log": True}], ids=["plain", "log"])
def test_ar1_sweep_is_vectorised_and_equals_the_loop_of_full_fits(extra):
    """AR(1) REML, the app's default errors: every column of the batched sweep equals the loop
    over ``fit_its`` (``_sweep_loop``) at every date, the ML-deviance criterion included."""
    from explorer.robustness.sweep import _sweep_loop

    s, _ = _series(phi=0.6, gap=True)
    spec = _spec(errors="ar", ar_order=1, **extra)
    res = sweep_dates(s, spec, window=6)
    assert res.path == "vectorised" and len(res.rows) == 13
    loop = _sweep_loop(s, spec, "x", pd.DatetimeIndex(res.rows["date"]))
    best = int(np.nanargmin(loop["criterion"]))
    assert res.best_date == res.rows["date"].iloc[best]
    for col in loop.columns.drop("criterion"):
        np.testing.assert_allclose(res.rows[col], loop[col], rtol=1e-8, atol=1e-10, err_msg=col)


def test_ar1_sweep_ranks_dates_by_ml_deviance_not_the_restricted_likelihood():
    """The restricted likelihood's -1/2 log|X'S^-1X| changes with the slope column's units, so it
    cannot rank dates; the sweep's best date is the exact ML fit's least deviance."""
    from explorer.models.fit import fit_its

    s, _ = _series(phi=0.5, level=-6.0, seed=4)
    spec = _spec(errors="ar", ar_order=1)
    res = sweep_dates(s, spec, window=5)
    ml = [
        -2
        * fit_its(
            s, replace(spec.with_date("x", d.strftime("%Y-%m")), extra=(("ar_method", "ml"),))
        ).fit.llf
        for d in res.rows["date"]
    ]
    assert res.best_date == res.rows["date"].iloc[int(np.argmin(ml))]
    assert res.best_date == pd.Timestamp("2011-09-01")  # the true break (t0 = 80)


@pytest.mark.parametrize("extra", [{}, {"log": True}], ids=["plain", "log"])
def test_ar1_placebos_are_batched_and_equal_the_loop_of_full_fits(extra):
    from explorer.models.fit import fit_its

    s, _ = _series(phi=0.6, seed=2)
    spec = _spec(errors="ar", ar_order=1, **extra)
    res = placebo_in_time(s, spec)
    assert res.path == "vectorised" and res.n_placebos > 30
    cut = pd.Timestamp("2011-09-01")
    pre = replace(
        s,
        dates=pd.DatetimeIndex(s.dates)[pd.DatetimeIndex(s.dates) < cut],
        y=np.asarray(s.y)[pd.DatetimeIndex(s.dates) < cut],
    )
    for i in (0, res.n_placebos // 2, res.n_placebos - 1):
        d = res.placebos["date"].iloc[i].strftime("%Y-%m")
        lc = fit_its(pre, spec.with_date("x", d)).interventions[0].level_change
        got = res.placebos.iloc[i]
        np.testing.assert_allclose([got["estimate"], got["se"]], [lc.estimate, lc.se], rtol=1e-8)
