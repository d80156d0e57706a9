"""Every family x errors combination equals a direct statsmodels fit on a design built by hand.

The hand-built design (numpy, not ``explorer.models.design``) also checks the itsa coding: time from 0,
level 1 from the first treated period, slope 0 there. Tolerance 1e-8 where the fit is a closed
form or a fixed point; the AR and negative binomial maxima are also checked against independent
optimisations.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

from explorer.io.series import from_frame
from explorer.models.ar import ar_profile_fit
from explorer.models.fit import fit_its
from explorer.models.segmented import ols_params_bse
from explorer.spec import Intervention, ItsSpec

N = 72
T0 = 40  # first treated month (2016-05 for a series starting 2013-01)
DATES = pd.date_range("2013-01-01", periods=N, freq="MS")


def data(seed=7):
    rng = np.random.default_rng(seed)
    t = np.arange(N, dtype=float)
    after = (t >= T0).astype(float)
    e = np.zeros(N)
    for i in range(1, N):
        e[i] = 0.5 * e[i - 1] + rng.normal(0, 0.05)
    x = rng.normal(size=N).cumsum() / 5
    pop = 1000 + 10 * t
    season = 0.1 * np.sin(2 * np.pi * DATES.month.to_numpy() / 12)
    eta = np.log(pop) - 3 + 0.004 * t - 0.2 * after - 0.005 * (t - T0) * after + season + 0.05 * x
    counts = rng.negative_binomial(20, 20 / (20 + np.exp(eta + e)))
    gauss = 50 + 0.2 * t - 4 * after - 0.1 * (t - T0) * after + 10 * season + 2 * x + 20 * e
    return pd.DataFrame(
        {"date": DATES, "y": gauss, "count": counts.astype(float), "x": x, "pop": pop}
    )


def hand_design(*, seasonality="none", covariate=True, slope=True) -> pd.DataFrame:
    t = np.arange(N, dtype=float)
    after = (t >= T0).astype(float)
    cols = {"const": np.ones(N), "trend": t}
    month = DATES.month.to_numpy()
    if seasonality == "month":
        for m in range(2, 13):
            cols[f"month_{m}"] = (month == m).astype(float)
    if seasonality == "fourier":
        for j in (1, 2):
            cols[f"sin{j}"] = np.sin(2 * np.pi * j * month / 12)
            cols[f"cos{j}"] = np.cos(2 * np.pi * j * month / 12)
    cols["iv:level"] = after
    if slope:
        cols["iv:slope"] = (t - T0) * after
    X = pd.DataFrame(cols)
    if covariate:
        X["x"] = data()["x"].to_numpy()
    return X


def ours(
    family="gaussian",
    errors=None,
    *,
    log=False,
    seasonality="none",
    hac_lags=None,
    ar=None,
    extra=(),
):
    d = data()
    k = 2 if seasonality == "fourier" else 0
    spec = ItsSpec(
        time="date",
        value="count" if family != "gaussian" else "y",
        interventions=(Intervention("iv", "2016-05-20"),),
        family=family,
        log=log,
        errors=errors,
        ar_order=ar,
        hac_lags=hac_lags,
        seasonality=seasonality,
        fourier_k=k,
        covariates=("x",),
        offset="pop" if family != "gaussian" else None,
        extra=extra,
    )
    s = from_frame(d, value=spec.value, freq="M", extra=("x", "pop"))
    return fit_its(s, spec), d


def close(res, direct_params, direct_bse, tol=1e-8):
    p = np.asarray(direct_params)
    b = np.asarray(direct_bse)
    k = len(p)
    np.testing.assert_allclose(res.params.to_numpy()[:k], p, rtol=tol, atol=tol)
    np.testing.assert_allclose(res.bse.to_numpy()[:k], b, rtol=tol, atol=tol)


@pytest.mark.parametrize("seasonality", ["none", "month", "fourier"])
@pytest.mark.parametrize("log", [False, True])
def test_gaussian_ols_and_hac(seasonality, log):
    X = hand_design(seasonality=seasonality)
    r, d = ours(errors="ols", log=log, seasonality=seasonality)
    y = np.log(d["y"]) if log else d["y"]
    assert list(r.params.index) == list(X.columns)
    direct = sm.OLS(y, X).fit()
    close(r, direct.params, direct.bse)
    np.testing.assert_allclose(r.pvalues, direct.pvalues, rtol=1e-8)
    np.testing.assert_allclose(r.conf_int(), direct.conf_int(), rtol=1e-8)
    for lags in (None, 3):
        r, _ = ours(errors="hac", log=log, seasonality=seasonality, hac_lags=lags)
        L = 3 if lags else int(np.floor(4 * (N / 100) ** (2 / 9)))
        direct = sm.OLS(y, X).fit(
            cov_type="HAC", cov_kwds={"maxlags": L, "use_correction": True}, use_t=True
        )
        close(r, direct.params, direct.bse)
        np.testing.assert_allclose(r.conf_int(), direct.conf_int(), rtol=1e-8)
        assert r.diagnostics["hac_lags"] == L
        # The fast path the sweeps reuse gives the same numbers.
        p, b = ols_params_bse(np.asarray(y), X.to_numpy(), "hac", L)
        np.testing.assert_allclose(p, r.params, rtol=1e-10)
        np.testing.assert_allclose(b, r.bse, rtol=1e-10)


@pytest.mark.parametrize("family", ["poisson", "quasipoisson"])
@pytest.mark.parametrize("errors", ["model", "hac"])
def test_poisson_families(family, errors):
    X = hand_design(seasonality="fourier")
    r, d = ours(family, errors, seasonality="fourier")
    model = sm.GLM(d["count"], X, family=sm.families.Poisson(), exposure=d["pop"])
    if errors == "hac":
        direct = model.fit(cov_type="HAC", cov_kwds={"maxlags": 3, "use_correction": True})
    else:
        direct = model.fit(scale="X2" if family == "quasipoisson" else None)
    close(r, direct.params, direct.bse)
    assert r.scale == "log"
    lc = r.interventions[0].level_change
    assert lc.ratio == pytest.approx(np.exp(direct.params["iv:level"]), rel=1e-10)
    if family == "quasipoisson" and errors == "model":
        assert r.diagnostics["dispersion"] == pytest.approx(direct.scale, rel=1e-10)


@pytest.mark.parametrize("errors", ["model", "hac"])
def test_negative_binomial_estimates_alpha(errors):
    X = hand_design()
    r, d = ours("negbin", errors)
    model = sm.NegativeBinomial(d["count"], X, exposure=d["pop"])
    kw = (
        {"cov_type": "HAC", "cov_kwds": {"maxlags": 3, "use_correction": True}}
        if errors == "hac"
        else {}
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        # A fixed point: Newton from our estimates stays there, with statsmodels' own errors.
        direct = model.fit(start_params=r.params.to_numpy(), method="newton", disp=0, **kw)
        # An independent search from statsmodels' default start reaches the same maximum.
        nm = model.fit(method="nm", maxiter=50000, disp=0, xtol=1e-12, ftol=1e-14)
    close(r, direct.params, direct.bse)
    assert "alpha" in r.params.index and r.params["alpha"] > 0
    np.testing.assert_allclose(r.params.to_numpy(), nm.params, rtol=1e-4, atol=1e-5)
    assert r.raw.llf >= nm.llf - 1e-9
    assert r.diagnostics["negbin_alpha"] == pytest.approx(r.params["alpha"])


@pytest.mark.parametrize("p", [1, 2])
def test_ar_errors_exact_ml_is_sarimax_likelihood(p):
    X = hand_design()
    r, d = ours(errors="ar", ar=p, extra=(("ar_method", "ml"),))
    y = d["y"].to_numpy()
    assert r.errors_used == f"ar:{p}" and r.n_obs == N and r.df_resid is None
    assert r.diagnostics["ar_method"] == "ml"
    k = X.shape[1]
    # 1. The profile maximum on the unscaled design agrees (and, for p = 1, an independent
    #    Prais-Winsten profile written out here).
    b, phi, s2, ll = ar_profile_fit(y, X.to_numpy(), p)
    if p == 1:
        b_pw, rho_pw = _prais_winsten_ml(y, X.to_numpy())
        np.testing.assert_allclose(r.params.to_numpy()[:k], b_pw, rtol=1e-6, atol=1e-7)
        assert r.params["ar.L1"] == pytest.approx(rho_pw, abs=1e-6)
    np.testing.assert_allclose(r.params.to_numpy()[:k], b, rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(r.params[[f"ar.L{i}" for i in range(1, p + 1)]], phi, atol=1e-6)
    # 2. statsmodels' SARIMAX on the raw design, at our estimates: the same log-likelihood
    #    (every observation counted) and the same observed-information errors (the numerical
    #    Hessian, SARIMAX's cov_type="approx").
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sx = sm.tsa.SARIMAX(y, exog=X, order=(p, 0, 0))
        at_ours = sx.smooth(r.params.to_numpy(), cov_type="approx")
        searched = sx.fit(disp=0, maxiter=2000) if p == 1 else at_ours
    assert at_ours.llf == pytest.approx(ll, abs=1e-8)
    assert at_ours.nobs == N
    np.testing.assert_allclose(r.bse.to_numpy(), at_ours.bse, rtol=1e-5)
    assert r.raw.llf == pytest.approx(at_ours.llf, abs=1e-8)
    np.testing.assert_allclose(
        r.fit.extra["innovations"], at_ours.standardized_forecasts_error[0], atol=1e-8
    )
    # 3. statsmodels' own numerical search does not find a higher likelihood.
    assert searched.llf <= at_ours.llf + 1e-7
    if p == 1:
        np.testing.assert_allclose(
            r.params.to_numpy()[:k], searched.params[:k], rtol=1e-2, atol=1e-3
        )


def _prais_winsten_ml(y, X):
    """Exact AR(1) ML by the Prais-Winsten transform and a scalar search over rho."""
    from scipy import optimize

    n = len(y)

    def nll(rho):
        w = np.sqrt(1 - rho**2)
        ys = np.r_[w * y[0], y[1:] - rho * y[:-1]]
        Xs = np.vstack([w * X[0], X[1:] - rho * X[:-1]])
        b = np.linalg.lstsq(Xs, ys, rcond=None)[0]
        r = ys - Xs @ b
        return 0.5 * n * np.log(r @ r / n) - 0.5 * np.log(1 - rho**2), b

    o = optimize.minimize_scalar(
        lambda r: nll(r)[0], bounds=(-0.99, 0.99), method="bounded", options={"xatol": 1e-12}
    )
    return nll(o.x)[1], o.x


@pytest.mark.parametrize("p", [1, 2])
def test_ar_errors_reml_is_statsmodels_gls_at_the_reml_estimate(p):
    """The default ar:P: REML for the AR coefficients, then statsmodels' GLS with the AR
    covariance (every observation kept) for the coefficients, errors and t(n-k) intervals."""
    from scipy import linalg
    from statsmodels.tsa.arima_process import arma_acovf

    X = hand_design()
    r, d = ours(errors="ar", ar=p)
    y = d["y"].to_numpy()
    assert r.diagnostics["ar_method"] == "reml" and r.df_resid == N - X.shape[1]
    phi = r.params[[f"ar.L{i}" for i in range(1, p + 1)]].to_numpy()

    def sigma(ph):
        return linalg.toeplitz(arma_acovf(np.r_[1, -ph], [1.0], nobs=N))

    gls = sm.GLS(y, X, sigma=sigma(phi)).fit()
    close(r, gls.params, gls.bse)
    np.testing.assert_allclose(r.conf_int().to_numpy()[: X.shape[1]], gls.conf_int(), rtol=1e-8)
    assert r.params["sigma2"] == pytest.approx(gls.scale, rel=1e-8)

    def reml(ph):  # the restricted log-likelihood with dense matrices, up to a constant
        S = sigma(ph)
        g = sm.GLS(y, X, sigma=S).fit()
        Si = np.linalg.inv(S)
        return -0.5 * (
            (N - X.shape[1]) * np.log(g.scale)
            + np.linalg.slogdet(S)[1]
            + np.linalg.slogdet(X.T @ Si @ X)[1]
        )

    at = reml(phi)
    for i in range(p):
        for step in (1e-3, -1e-3):
            moved = phi.copy()
            moved[i] += step
            assert reml(moved) < at


def test_fast_path_ols_and_refusals():
    X = hand_design()
    r, d = ours(errors="ols")
    p, b = ols_params_bse(d["y"].to_numpy(), X.to_numpy(), "ols")
    np.testing.assert_allclose(p, r.params, rtol=1e-10)
    np.testing.assert_allclose(b, r.bse, rtol=1e-10)
    from explorer.errors import SpecError

    with pytest.raises(SpecError, match="not available for the poisson"):
        ItsSpec(time="date", value="y", family="poisson", errors="ar")


def test_comparative_its_is_itsa_pooled_regression():
    """Treated minus control: the diff: terms equal the difference of the two separate fits,
    and the panel Newey-West is statsmodels' within-panel HAC times n/(n-k)."""
    from statsmodels.stats.sandwich_covariance import cov_nw_panel

    d = data()
    rng = np.random.default_rng(3)
    d["ctrl"] = d["y"] + rng.normal(0, 1, N) - 0.05 * np.arange(N)
    spec = ItsSpec(
        time="date",
        value="y",
        interventions=(Intervention("iv", "2016-05"),),
        control="ctrl",
        errors="hac",
        hac_lags=2,
    )
    r = fit_its(from_frame(d, freq="M", extra=("ctrl",)), spec)
    X = hand_design(covariate=False)
    a = sm.OLS(d["y"], X).fit()
    c = sm.OLS(d["ctrl"], X).fit()
    for col in X.columns:
        assert r.params[f"diff:{col}"] == pytest.approx(a.params[col] - c.params[col], abs=1e-8)
        assert r.params[col] == pytest.approx(c.params[col], abs=1e-8)
    Z = np.r_[np.ones(N), np.zeros(N)]
    Xs = np.vstack([X, X])
    pooled = sm.OLS(np.r_[d["y"], d["ctrl"]], np.column_stack([Xs, Xs * Z[:, None]])).fit()
    V = cov_nw_panel(pooled, 2, [(0, N), (N, 2 * N)], use_correction=False)
    n, k = 2 * N, Xs.shape[1] * 2
    np.testing.assert_allclose(r.cov_params().to_numpy(), V * n / (n - k), rtol=1e-8)
    assert r.interventions[0].level_change.estimate == pytest.approx(r.params["diff:iv:level"])
