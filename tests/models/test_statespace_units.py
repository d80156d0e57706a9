"""State-space models give the same answer in any units of the outcome and the covariates.

``explorer.models.statespace`` fits the outcome standardised and maps every number back; these
tests check the mapping (effects, intervals, counterfactual frame, variance parameters,
log-likelihood) against the same series in other units, and against plain statsmodels.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from explorer.io.series import from_frame
from explorer.models.fit import fit_its
from explorer.spec import Intervention, ItsSpec

N = 48
T = np.arange(N, dtype=float)
IV = (Intervention("x", "2016-01"),)  # period 24 of 48 monthly periods from 2014-01


def noisy_series(factor=1.0, cov_factor=1.0, seed=2):
    rng = np.random.default_rng(seed)
    z = rng.normal(0, 1, N).cumsum() * 0.3 + rng.normal(0, 1, N)
    e = rng.normal(0, 1.5, N)  # noise the covariate does not explain
    y = 50 + 0.2 * T + 2 * np.sin(2 * np.pi * T / 12) + np.where(T >= 24, -6, 0) + z + e
    d = pd.DataFrame(
        {
            "date": pd.date_range("2014-01", periods=N, freq="MS"),
            "y": y * factor,
            "z": z * cov_factor,
        }
    )
    return from_frame(d, freq="M", extra=("z",))


def spec(model, **kw) -> ItsSpec:
    return ItsSpec(time="date", value="y", model=model, interventions=IV, **kw)


CASES = [
    ("sarimax", {}),
    ("sarimax", {"covariates": ("z",)}),
    ("sarimax", {"log": True}),
    ("structural", {}),
    ("structural", {"covariates": ("z",), "seasonality": "month"}),
    ("structural", {"log": True}),
    ("structural-forecast", {"covariates": ("z",)}),
    ("structural-forecast", {"log": True}),
]


@pytest.mark.parametrize("factor", [1e-6, 1e12])
@pytest.mark.parametrize(("model", "kw"), CASES, ids=[f"{m}-{'-'.join(k)}" for m, k in CASES])
def test_every_number_moves_with_the_units(model, kw, factor):
    """y * factor (covariate in other units too): effects, z, frame and variances follow exactly."""
    a = fit_its(noisy_series(), spec(model, **kw))
    b = fit_its(noisy_series(factor, cov_factor=1e6), spec(model, **kw))
    k = 1.0 if kw.get("log") else factor  # log: units only add a constant to log y
    ea, eb = a.interventions[0].level_change, b.interventions[0].level_change
    assert eb.estimate / k == pytest.approx(ea.estimate, rel=1e-4)
    assert eb.se / k == pytest.approx(ea.se, rel=1e-3)
    assert eb.se > 0
    assert (eb.ci_low / k, eb.ci_high / k) == pytest.approx((ea.ci_low, ea.ci_high), rel=1e-3)
    assert eb.p_value == pytest.approx(ea.p_value, rel=1e-3, abs=1e-6)
    fa, fb = a.counterfactual, b.counterfactual
    cols = ["mean", "mean_ci_lower", "mean_ci_upper", "fitted", "effect", "cumulative_effect"]
    if model == "structural-forecast":
        fa, fb = fa.iloc[1:], fb.iloc[1:]  # row 0: the diffuse prior's prediction, not data
    tol = 1e-4 * float(np.nanstd(fa["observed"]))  # effects near 0: on the data's scale
    for c in cols:  # on y's own scale (exp of the model with --log): all scale by factor
        np.testing.assert_allclose(fb[c] / factor, fa[c], rtol=1e-3, atol=tol, err_msg=c)
    var_a = a.params[[n for n in a.params.index if n.startswith("sigma2")]]
    var_b = b.params[var_a.index]
    # a variance at its boundary (0) is compared on the scale of the largest one
    np.testing.assert_allclose(var_b / k**2, var_a, rtol=2e-3, atol=1e-6 * var_a.max())
    if "z" in kw.get("covariates", ()):
        assert b.params["z"] * 1e6 / k == pytest.approx(a.params["z"], rel=1e-3)


@pytest.mark.parametrize("model", ["sarimax", "structural"])
def test_log_likelihood_is_in_the_outcomes_units(model):
    """Fitting standardised data must not change the reported log-likelihood's meaning:
    y * c gives llf - n_eff log(c), as the Gaussian density in the new units does."""
    a = fit_its(noisy_series(), spec(model))
    b = fit_its(noisy_series(1e3), spec(model))
    n_eff = N - (1 if model == "structural" else 0)  # the local level's diffuse start
    assert b.fit.llf == pytest.approx(a.fit.llf - n_eff * np.log(1e3), abs=1e-3)
    assert b.fit.aic == pytest.approx(a.fit.aic + 2 * n_eff * np.log(1e3), abs=2e-3)


def test_sarimax_matches_plain_statsmodels_in_the_data_units():
    """At the data's own scale the explorer's numbers are statsmodels' SARIMAX: the same
    log-likelihood at the reported parameters, and the same maximum."""
    import statsmodels.api as sm

    r = fit_its(noisy_series(), spec("sarimax"))
    X = r.fit.X.to_numpy()
    y = np.asarray(r.fit.y_model)[r.fit.rows]
    scale = np.abs(X).max(axis=0)
    model = sm.tsa.SARIMAX(y, exog=X / scale, order=(1, 0, 0))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        direct = model.fit(disp=0, maxiter=500)
    p = r.params.to_numpy() * np.r_[scale, 1.0, 1.0]
    assert model.loglike(p) == pytest.approx(r.fit.llf, abs=1e-6)
    assert r.fit.llf == pytest.approx(direct.llf, abs=1e-4)
    assert r.interventions[0].level_change.estimate == pytest.approx(
        direct.params[2] / scale[2], rel=1e-3
    )


@pytest.mark.parametrize("model", ["sarimax", "structural"])
def test_standardised_data_are_fitted_exactly_as_before(model):
    """Data already with mean 0 and sd 1: standardising is the identity, so the fit is plain
    statsmodels on the data (no rescaling of results to hide a difference)."""
    import statsmodels.api as sm

    y0 = np.asarray(noisy_series().y, float)
    y0 = (y0 - y0.mean()) / y0.std()
    d = pd.DataFrame({"date": pd.date_range("2014-01", periods=N, freq="MS"), "y": y0})
    r = fit_its(from_frame(d, freq="M"), spec(model))
    X = r.fit.X.to_numpy()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if model == "sarimax":
            scale = np.abs(X).max(axis=0)
            direct = sm.tsa.SARIMAX(y0, exog=X / scale, order=(1, 0, 0)).fit(
                disp=0, maxiter=500, cov_type="oim"
            )
            want = np.asarray(direct.params) / np.r_[scale, 1.0, 1.0]
        else:
            direct = sm.tsa.UnobservedComponents(y0, exog=X, level="llevel").fit(
                disp=0, maxiter=500
            )
            want = np.asarray(direct.params)
    np.testing.assert_allclose(r.params.to_numpy(), want, rtol=1e-5, atol=1e-8)
