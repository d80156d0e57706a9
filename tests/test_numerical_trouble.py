"""Numerical trouble is caught and explained, never printed as NaN or inf.

Perfect collinearity, separation in count models (a segment of all zeros), a perfect fit (zero
residual variance), non-convergence of SARIMAX / structural / negative binomial fits and a
singular covariance either stop with an explorer error that says what failed and what to try,
or give a result whose every printed number is finite and whose caveats say what went wrong.
Through the CLI each is one ``error:`` line with exit status 2.
"""

from __future__ import annotations

import contextlib
import dataclasses
import io
import re

import numpy as np
import pandas as pd
import pytest

from explorer.errors import ExplorerError, FitError, InputError
from explorer.io.series import from_frame
from explorer.models.fit import fit_its
from explorer.spec import Intervention, ItsSpec

N = 30
T = np.arange(N, dtype=float)
IV = (Intervention("x", "2015-07"),)  # period 18 of 30 monthly periods from 2014-01
_NUMBERISH_NAN = re.compile(r"(?<![A-Za-z])(nan|-?inf)(?![A-Za-z])", re.I)


def series(y, **extra) -> object:
    d = pd.DataFrame({"date": pd.date_range("2014-01", periods=len(y), freq="MS"), "y": y})
    for k, v in extra.items():
        d[k] = v
    return from_frame(d, freq="M", extra=tuple(extra))


def spec(**kw) -> ItsSpec:
    kw.setdefault("interventions", IV)
    return ItsSpec(time="date", value="y", **kw)


def noisy(seed: int = 1) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return 50 + 0.3 * T + np.where(T >= 18, -8, 0) + rng.normal(0, 3, N)


def assert_explains(exc: Exception, *words: str) -> None:
    msg = str(exc)
    for w in words:
        assert w.lower() in msg.lower(), msg
    assert re.search(r"\b(use|try|drop|move|remove|check|choose)\b", msg, re.I), f"no advice: {msg}"
    assert not msg.lower().startswith("statsmodels could not fit"), f"nested message: {msg}"


def assert_no_nan_printed(result) -> None:
    text = result.summary()
    assert not _NUMBERISH_NAN.search(text), text
    for iv in result.interventions:
        for e in (iv.level_change, iv.slope_change):
            if e is not None:
                assert np.isfinite([e.estimate, e.se, e.ci_low, e.ci_high]).all(), e


# -- perfect collinearity -------------------------------------------------------------------------
COLLINEAR = {
    "covariate equal to the trend": {"c": T},
    "constant covariate": {"c": np.ones(N)},
    "covariate equal to the level dummy": {"c": (T >= 18).astype(float)},
    "two identical covariates": {"c": T**2, "d": T**2},
}


@pytest.mark.parametrize("case", list(COLLINEAR))
@pytest.mark.parametrize(
    "kw",
    [
        {"errors": "ols"},
        {"errors": "hac"},
        {"errors": "ar"},
        {"family": "poisson"},
        {"family": "negbin"},
    ],
    ids=["ols", "hac", "ar1", "poisson", "negbin"],
)
def test_perfect_collinearity_is_named_with_the_terms(case, kw):
    cols = COLLINEAR[case]
    y = np.round(noisy())
    with pytest.raises(InputError) as info:
        fit_its(series(y, **cols), spec(covariates=tuple(cols), **kw))
    assert_explains(info.value, "collinear", *cols)


# -- separation: a segment of zeros in a count model -------------------------------------------
@pytest.mark.parametrize(
    "kw",
    [
        {"family": "poisson"},
        {"family": "quasipoisson"},
        {"family": "negbin"},
        {"family": "poisson", "errors": "hac"},
    ],
    ids=["poisson", "quasipoisson", "negbin", "poisson-hac"],
)
def test_separation_all_zero_after_the_intervention(kw):
    y = np.where(T >= 18, 0.0, 20 + T % 3)
    with pytest.raises(ExplorerError) as info:
        fit_its(series(y), spec(**kw))
    assert_explains(info.value, "zero", "'x'")


def test_separation_all_zero_before_the_intervention():
    y = np.where(T >= 18, 20 + T % 3, 0.0)
    with pytest.raises(ExplorerError) as info:
        fit_its(series(y), spec(family="quasipoisson"))
    assert_explains(info.value, "zero")


def test_zeros_that_do_not_fill_a_segment_are_fine():
    y = np.where(T >= 18, T % 2, 20 + T % 3)  # zeros and ones after: a real fall, estimable
    r = fit_its(series(y), spec(family="quasipoisson"))
    assert_no_nan_printed(r)
    assert r.interventions[0].level_change.estimate < -2


# -- a perfect fit ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "kw",
    [{"errors": "ols"}, {"errors": "hac"}, {"errors": "ar"}, {"model": "sarimax"}],
    ids=["ols", "hac", "ar1", "sarimax"],
)
def test_an_exact_fit_is_refused_not_given_zero_standard_errors(kw):
    y = 10 + 2 * T + np.where(T >= 18, 5, 0)
    with pytest.raises(ExplorerError) as info:
        fit_its(series(y), spec(**kw))
    assert_explains(info.value, "exactly")


# -- non-convergence ------------------------------------------------------------------------------
def test_negative_binomial_non_convergence_says_what_to_try(monkeypatch):
    """Fault injection: the optimiser reports failure; the error says what to use instead."""
    from statsmodels.discrete.discrete_model import NegativeBinomial

    real_fit = NegativeBinomial.fit

    def failing_fit(self, *a, **kw):
        res = real_fit(self, *a, **{**kw, "maxiter": 1})
        res.mle_retvals["converged"] = False
        return res

    monkeypatch.setattr(NegativeBinomial, "fit", failing_fit)
    rng = np.random.default_rng(5)
    mu = np.exp(3 + 0.01 * T)
    y = rng.negative_binomial(4, 4 / (4 + mu)).astype(float)
    with pytest.raises(FitError) as info:
        fit_its(series(y), spec(family="negbin"))
    assert_explains(info.value, "converge", "quasipoisson")


@pytest.mark.parametrize("model", ["sarimax", "structural"])
def test_state_space_non_convergence_is_stated_in_the_result(model, monkeypatch):
    """Fault injection: the optimiser gets 2 iterations, so it really stops short."""
    from statsmodels.tsa.statespace import mlemodel

    real_fit = mlemodel.MLEModel.fit

    def short_fit(self, *a, **kw):
        kw["maxiter"] = 2
        return real_fit(self, *a, **kw)

    monkeypatch.setattr(mlemodel.MLEModel, "fit", short_fit)
    y = noisy(3)
    try:
        r = fit_its(series(y), spec(model=model))
    except ExplorerError as exc:
        assert_explains(exc, "converge")
        return
    assert not r.raw.mle_retvals["converged"]
    assert any("converge" in c for c in r.caveats), r.caveats
    assert_no_nan_printed(r)


# -- singular covariance ----------------------------------------------------------------------------
@pytest.mark.parametrize("kw", [{"errors": "hac"}, {"family": "quasipoisson"}], ids=["hac", "qp"])
def test_singular_covariance_is_an_explained_fit_error(kw, monkeypatch):
    """Fault injection: the fit's covariance comes back NaN (as a singular Hessian gives)."""
    import explorer.models.segmented as segmented

    real = segmented.raw_from

    def singular(*a, **k):
        raw = real(*a, **k)
        return dataclasses.replace(raw, cov=raw.cov * np.nan)

    monkeypatch.setattr(segmented, "raw_from", singular)
    with pytest.raises(FitError) as info:
        fit_its(series(np.round(noisy())), spec(**kw))
    assert_explains(info.value, "standard error")


# -- through the CLI: one line, exit 2 ---------------------------------------------------------------
def test_cli_reports_numerical_trouble_in_one_line(tmp_path):
    from explorer.cli import main

    y = np.where(T >= 18, 0, 20 + T % 3).astype(int)
    dates = pd.date_range("2014-01", periods=N, freq="MS").strftime("%Y-%m")
    path = tmp_path / "zeros.csv"
    pd.DataFrame({"month": dates, "n": y}).to_csv(path, index=False)
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        rc = main(
            [
                "analyze",
                str(path),
                "--value",
                "n",
                "--family",
                "poisson",
                "--intervention",
                "x=2015-07",
            ]
        )
    assert rc == 2
    (line,) = err.getvalue().splitlines()
    assert line.startswith("error: ") and "zero" in line


def test_healthy_fits_print_no_nan():
    """The guard: ordinary fits of every family print only finite numbers."""
    y = np.round(noisy())
    for kw in ({}, {"errors": "ar"}, {"family": "quasipoisson"}, {"log": True}):
        assert_no_nan_printed(fit_its(series(y), spec(**kw)))
    rng = np.random.default_rng(5)  # overdispersed counts for the negative binomial
    mu = np.exp(3 + 0.01 * T - 0.3 * (T >= 18))
    assert_no_nan_printed(
        fit_its(series(rng.negative_binomial(4, 4 / (4 + mu)).astype(float)), spec(family="negbin"))
    )


def test_negative_binomial_without_overdispersion_is_refused_quickly():
    import time

    y = 20.0 + T % 2
    t0 = time.perf_counter()
    with pytest.raises(FitError) as info:
        fit_its(series(y), spec(family="negbin"))
    assert time.perf_counter() - t0 < 5
    assert_explains(info.value, "overdispersion", "poisson")


# -- units ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("model", ["segmented", "sarimax", "structural"])
@pytest.mark.parametrize("factor", [1e-3, 1e3, 1e9])
def test_the_units_of_the_outcome_do_not_change_the_answer(model, factor):
    """Counts, thousands or billions: the same series must give the same effect and z-statistic.

    A state-space optimiser started at unit-scale values settles elsewhere (or reports a
    standard error of 0) when the outcome is in other units: silently wrong numbers.
    """
    rng = np.random.default_rng(1)
    t = np.arange(40.0)
    y = 50 + 0.3 * t + np.where(t >= 24, -8, 0) + rng.normal(0, 3, 40)
    iv = (Intervention("x", "2016-01"),)
    fits = [
        fit_its(series(y * f), ItsSpec(time="date", value="y", model=model, interventions=iv))
        for f in (1.0, factor)
    ]
    (a, b) = (r.interventions[0].level_change for r in fits)
    assert b.estimate / factor == pytest.approx(a.estimate, rel=0.01)
    assert b.estimate / b.se == pytest.approx(a.estimate / a.se, rel=0.01)
