"""Segmented regression, the toolkit under ``explorer.models.fit.fit_its``: one statsmodels call.

Every fit is a thin wrapper around one statsmodels call, so its numbers are statsmodels' numbers
(the tests compare each family x errors combination with a direct statsmodels fit to 1e-8):

========================  ==================================================================
gaussian, ``ols``         ``OLS(y, X).fit()`` (t intervals, n - k df)
gaussian, ``hac``         ``OLS(y, X).fit(cov_type="HAC", maxlags=L, use_correction=True)``:
                          Newey-West with the n/(n-k) small-sample factor and t(n - k)
                          intervals, the convention of Stata's ``newey`` (and so ``itsa``)
gaussian, ``ar:P``        regression with AR(P) errors, every observation kept, by REML
                          (statsmodels' ``GLS`` at the REML AR covariance, t(n-k)), or with
                          ``extra=(("ar_method", "ml"),)`` by the exact ML of
                          ``SARIMAX(y, X, order=(P, 0, 0))`` (``explorer.models.ar``)
poisson                   ``GLM(y, X, Poisson(), exposure=offset)``; ``hac`` as above
quasipoisson              the same with ``scale="X2"`` (Pearson chi2 / df)
negbin                    ``NegativeBinomial(y, X, exposure=offset)`` (discrete; alpha estimated)
========================  ==================================================================

``--log`` fits the gaussian models to log(y). A control series (comparative ITS, as ``itsa``'s
multiple-group design) stacks treated and control rows and adds ``diff:`` interactions for every
term: the ``diff:`` intervention terms are the difference in level and slope change (treated
minus control). Long data pools every control unit, as ``itsa`` does, so its Newey-West errors
match Stata's panel ``newey``.

Comparative ITS (``explorer.models.comparative``) and the state-space models
(``explorer.models.statespace``) reuse ``RawFit``, ``model_inputs`` and ``statsmodels_fit`` from
here; ``explorer.models.fit`` chooses among them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from explorer.errors import FitError, SpecError
from explorer.io.series import SeriesData
from explorer.models.ar import fit_ar_errors
from explorer.models.design import Design
from explorer.spec import ItsSpec


def default_hac_lags(n: int) -> int:
    """Newey-West's rule of thumb, floor(4 (n/100)^(2/9))."""
    return int(math.floor(4.0 * (n / 100.0) ** (2.0 / 9.0)))


def check_hac_lags(lags: int, n: int) -> None:
    """Refuse Newey-West lags the series cannot support (``lags >= n``).

    With that many lags the Bartlett weights are all near 1 and the long-run variance collapses
    towards the sum of every residual autocovariance, which OLS makes nearly zero: on 36 points
    10,000 lags gave a standard error of 0.017 for a true 0.74. The message names the CLI flag;
    ``app_text`` says the same for the app (its "Newey-West lags" box).
    """
    if lags is None or lags < n:
        return
    d = default_hac_lags(n)
    head = (
        f"Newey-West errors with {lags} lags need more observations than lags, but the series "
        f"has {n} usable observation(s): the most it allows is {n - 1} (the usual choice for "
        f"{n} points is {d}, and more than {n // 4} is unreliable)."
    )
    exc = SpecError(f"{head} Use --hac-lags {d}, or leave --hac-lags out for that default.")
    exc.app_text = f"{head} Set Newey-West lags to {d}, or clear the box for that default."
    raise exc


def outcome_unit(y) -> float:
    """A power of two near the outcome's largest magnitude (1 for an all-zero outcome).

    Gaussian fits divide the outcome by it and multiply every number back: division by a power
    of two is exact, so ordinary series get the same bits, while a series near 1e-300 (whose
    squared residuals underflow to a standard error of 0) or 1e300 (whose squares overflow)
    gets the answer its rescaled copy gets.
    """
    v = np.abs(np.asarray(y, float))
    v = v[np.isfinite(v)]
    m = float(v.max()) if len(v) else 0.0
    return float(2.0 ** np.frexp(m)[1]) if m > 0 else 1.0


def hac_lags_for(spec: ItsSpec, n: int) -> int:
    """The Newey-West lags a HAC fit of ``n`` rows uses: ``spec.hac_lags``, else the default."""
    return default_hac_lags(n) if spec.hac_lags is None else int(spec.hac_lags)


@dataclass
class RawFit:
    """What every model hands to ``ItsResult``: coefficients, covariance, and how to read them.

    ``params``/``cov`` are indexed by design column (plus ``alpha``, ``ar.L1``, ``sigma2`` ... where
    the model has them); ``df_resid`` is None when intervals use the normal distribution.
    """

    params: pd.Series
    cov: pd.DataFrame
    df_resid: float | None
    raw: object  # the statsmodels results object
    design: Design  # the treated series' design (all rows, observed or not)
    X: pd.DataFrame  # the design actually fitted (stacked for comparative ITS)
    rows: np.ndarray  # boolean mask of the treated series' rows that entered the fit
    y_model: np.ndarray  # the outcome on the modelled scale (log y for --log), all rows
    log_offset: np.ndarray | None  # log(exposure) for count families, all rows
    resid: np.ndarray  # residuals of the treated rows fitted (Pearson residuals for counts)
    pearson_chi2: float | None = None
    scale: float | None = None
    llf: float | None = None
    aic: float | None = None
    extra: dict = field(default_factory=dict)
    comparative: dict | None = None  # {"control": name, "panels": k} for comparative ITS
    # Per-parameter units of ``cov`` (None: cov is in the outcome's units). A gaussian fit on
    # y / u keeps cov on that scale, the covariance being cov * outer(cov_mult, cov_mult):
    # variances of an outcome near 1e-300 or 1e300 would under- or overflow.
    cov_mult: np.ndarray | None = None
    hac_lags: int | None = None  # the Newey-West lags the fit used (None: no HAC errors)


# -- the fast path the robustness sweeps reuse -----------------------------------------------
def ols_params_bse(
    y: np.ndarray, X: np.ndarray, errors: str = "hac", hac_lags: int | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Gaussian OLS coefficients and standard errors for plain arrays (no pandas, no results).

    Parameters
    ----------
    y, X
        Outcome (n,) and design (n, k), rows already filtered to the observed ones.
    errors
        ``ols`` or ``hac`` (Newey-West, n/(n-k) factor as Stata's ``newey``).
    hac_lags
        Newey-West lags; None means ``default_hac_lags(n)``.

    Returns
    -------
    (params, bse)
        numpy arrays of length k, identical to ``fit_its``'s for the same design.

    Examples
    --------
    >>> X = np.column_stack([np.ones(5), np.arange(5.0)])
    >>> ols_params_bse(2 + 3 * np.arange(5.0), X, "ols")[0].round(6).tolist()
    [2.0, 3.0]
    """
    import statsmodels.api as sm

    unit = outcome_unit(y)  # exact rescaling: no squares under- or overflow
    y = np.asarray(y, float) / unit
    X = np.asarray(X, float)
    if errors == "ols":
        res = sm.OLS(y, X).fit()
    elif errors == "hac":
        lags = default_hac_lags(len(y)) if hac_lags is None else int(hac_lags)
        check_hac_lags(lags, len(y))
        res = sm.OLS(y, X).fit(
            cov_type="HAC", cov_kwds={"maxlags": lags, "use_correction": True}, use_t=True
        )
    else:
        raise SpecError(f"The fast path fits ols or hac errors, not {errors!r}.")
    return np.asarray(res.params) * unit, np.asarray(res.bse) * unit


# -- inputs ----------------------------------------------------------------------------------
def column(series: SeriesData, name: str, what: str) -> np.ndarray:
    if name not in series.extra.columns:
        raise SpecError(
            f"The {what} column {name!r} is not in the series (columns available: "
            f"{', '.join(map(str, series.extra.columns)) or 'none'}). Check the column name."
        )
    return pd.to_numeric(series.extra[name], errors="coerce").to_numpy(dtype=float)


def model_inputs(series: SeriesData, spec: ItsSpec) -> dict:
    """The arrays a fit needs, checked: outcome on the model scale, offset, covariates, mask."""
    y = np.asarray(series.y, dtype=float)
    rows = np.isfinite(y)
    cov = None
    if spec.covariates:
        cov = pd.DataFrame(
            {c: column(series, c, "covariate") for c in spec.covariates},
            index=pd.DatetimeIndex(series.dates),
        )
        rows &= np.isfinite(cov.to_numpy()).all(axis=1)
    log_offset = None
    if spec.offset:
        if not spec.is_count:
            raise SpecError(
                "--offset applies to count families (poisson, quasipoisson, negbin): add "
                "--family quasipoisson, or divide the outcome by the exposure yourself."
            )
        off = column(series, spec.offset, "offset")
        bad = rows & np.isfinite(off) & (off <= 0)
        if bad.any():
            raise SpecError(
                f"The offset column {spec.offset!r} has {int(bad.sum())} zero or negative "
                "value(s); log(exposure) needs positive numbers. Fix or drop those rows."
            )
        rows &= np.isfinite(off)
        with np.errstate(divide="ignore", invalid="ignore"):
            log_offset = np.log(off)
    y_model = y
    if spec.log:
        bad = rows & (y <= 0)
        if bad.any():
            raise SpecError(
                f"--log needs positive values, but {int(bad.sum())} observation(s) are zero or "
                "negative. Use --family poisson/quasipoisson for counts with zeros, or drop --log."
            )
        with np.errstate(divide="ignore", invalid="ignore"):
            y_model = np.log(y)
    if spec.is_count and (y[rows] < 0).any():
        raise SpecError(
            f"The {spec.family} family models counts, but the outcome has negative values. "
            "Use --family gaussian."
        )
    if spec.is_count:
        frac = rows & (np.abs(y - np.round(y)) > 1e-9)
        if frac.any():
            i = int(np.flatnonzero(frac)[0])
            raise SpecError(
                f"The {spec.family} family models counts, which are whole numbers, but the outcome "
                f"is {y[i]:g} at {pd.Timestamp(series.dates[i]):%Y-%m-%d}. Use --family gaussian "
                "(with --log for rates), or analyse the counts with the rate's denominator as "
                "--offset."
            )
    if rows.sum() < 5:
        raise SpecError(
            f"Only {int(rows.sum())} usable observation(s): an interrupted time series needs "
            "at least 5 (and 8 or more on each side of an intervention to say much)."
        )
    return {"y": y, "y_model": y_model, "rows": rows, "covariates": cov, "log_offset": log_offset}


def check_rank(X: np.ndarray, names) -> None:
    rank = np.linalg.matrix_rank(X)
    if rank < X.shape[1]:
        raise SpecError(
            "The model's terms are collinear (the design matrix has rank "
            f"{rank} < {X.shape[1]} columns: {', '.join(names)}). Drop a covariate or "
            "seasonal term, or move interventions apart."
        )


def fit_single(spec: ItsSpec, design: Design, inputs: dict) -> RawFit:
    rows = inputs["rows"]
    X = design.X.loc[rows] if not rows.all() else design.X
    y = inputs["y_model"][rows]
    lo = inputs["log_offset"]
    unit = outcome_unit(y) if rescaled(spec) else 1.0
    res, df = statsmodels_fit(spec, y / unit, X, None if lo is None else lo[rows])
    return raw_from(res, df, spec, design, X, rows, inputs, unit=unit)


def rescaled(spec: ItsSpec) -> bool:
    """Gaussian OLS and HAC fits divide the outcome by ``outcome_unit`` (AR fits do it inside)."""
    return spec.family == "gaussian" and not spec.effective_errors.startswith("ar:")


def statsmodels_fit(spec: ItsSpec, y, X: pd.DataFrame, log_offset):
    """One direct statsmodels fit; returns (results, df for t intervals or None)."""
    errors = spec.effective_errors
    n = len(y)
    names = list(X.columns)
    if spec.family != "gaussian" or errors.startswith("ar:"):
        check_rank(X.to_numpy(), names)
    X = X.to_numpy(dtype=float)  # numpy in, names put back by raw_from: less pandas overhead
    lags = hac_lags_for(spec, n)
    if errors == "hac":
        check_hac_lags(lags, n)
    hac = {"cov_type": "HAC", "cov_kwds": {"maxlags": lags, "use_correction": True}}
    try:
        if spec.family == "gaussian" and errors.startswith("ar:"):
            # Our own REML / ML (explorer.models.ar): no statsmodels.api import (1.2 s in a
            # fresh process) before the app's default fit draws its first chart.
            method = dict(spec.extra).get("ar_method", "reml")
            res = fit_ar_errors(y, pd.DataFrame(X, columns=names), spec.ar_order or 1, method)
            return res, res.df_resid
        import statsmodels.api as sm

        if spec.family == "gaussian":
            if errors in ("ols", "hac"):
                res = sm.OLS(y, X).fit(**({"use_t": True, **hac} if errors == "hac" else {}))
                if res.model.rank < X.shape[1]:  # computed by the fit's pseudo-inverse
                    check_rank(X, names)
                return res, float(res.df_resid)
        exposure = None if log_offset is None else np.exp(log_offset)
        kw = hac if errors == "hac" else {}
        if spec.family in ("poisson", "quasipoisson"):
            model = sm.GLM(y, X, family=sm.families.Poisson(), exposure=exposure)
            if spec.family == "quasipoisson" and errors != "hac":
                kw = {"scale": "X2"}
            return model.fit(**kw), None
        return fit_negbin(y, X, exposure, kw), None
    except SpecError:  # collinearity found by check_rank: its own message
        raise
    except (np.linalg.LinAlgError, ValueError, OverflowError) as exc:
        raise FitError(
            f"statsmodels could not fit the {spec.family} model ({exc}). Try fewer terms, "
            "another family, or a longer series."
        ) from None


def fit_negbin(y, X, exposure, cov_kw: dict):
    """statsmodels' discrete NegativeBinomial (NB2, alpha estimated).

    Newton's method from statsmodels' default start diverges on series with a large exposure
    (alpha steps below zero), so: start from the Poisson fit with the moment estimate of alpha,
    run BFGS, then polish with Newton so the gradient is zero to machine precision.
    """
    import warnings

    import statsmodels.api as sm

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        pois = sm.GLM(y, X, family=sm.families.Poisson(), exposure=exposure).fit()
        mu = np.asarray(pois.mu)
        yy = np.asarray(y, float)
        a0 = np.sum((yy - mu) ** 2 / mu - 1.0) / max(len(yy) - X.shape[1], 1) / mu.mean()
        if not a0 > 0:  # no overdispersion: the optimiser would crawl to alpha = 0 for minutes
            raise FitError(
                "The negative binomial model finds no overdispersion (the counts vary no more "
                "than Poisson counts), so alpha would be 0: use --family poisson or quasipoisson."
            )
        start = np.r_[np.asarray(pois.params), max(a0, 1e-3)]
        model = sm.NegativeBinomial(y, X, exposure=exposure)
        res = model.fit(start_params=start, method="bfgs", maxiter=2000, gtol=1e-10, disp=0)
        res = model.fit(start_params=res.params, method="newton", maxiter=100, disp=0, **cov_kw)
    if not res.mle_retvals.get("converged", True) or not np.all(np.isfinite(res.params)):
        raise FitError(
            "The negative binomial model did not converge: try --family quasipoisson, which "
            "handles overdispersion without estimating alpha."
        )
    if res.params[-1] < 1e-6:  # alpha at its boundary: no standard error, z = inf
        raise FitError(
            "The negative binomial model finds no overdispersion (alpha is 0), so it is the "
            "Poisson model and alpha has no standard error: use --family poisson or quasipoisson."
        )
    return res


def raw_from(res, df, spec, design, X, rows, inputs, unit: float = 1.0) -> RawFit:
    """``unit``: the gaussian outcome was divided by it (``outcome_unit``); numbers come back in
    the outcome's units, the covariance stays on the fitted scale with ``cov_mult``."""
    names = list(X.columns)
    # the Jacobian of y -> y / unit in the log-likelihood
    shift = len(np.asarray(res.resid)) * math.log(unit) if unit != 1.0 else 0.0
    with np.errstate(over="ignore"):  # the variance of a series near 1e300 is out of range
        u2 = np.float64(unit) ** 2
    if spec.family == "gaussian" and spec.effective_errors.startswith("ar:"):
        pnames = pd.Index(res.param_names, dtype=object)
        params = pd.Series(res.params, index=pnames)
        mult = np.asarray(res.cov_mult, float)  # explorer.its_ar standardises the outcome
        return RawFit(
            params=params,
            cov=pd.DataFrame(res.cov, index=pnames, columns=pnames),
            df_resid=res.df_resid,
            raw=res,
            design=design,
            X=X,
            rows=rows,
            y_model=inputs["y_model"],
            log_offset=inputs["log_offset"],
            resid=res.resid,
            llf=res.llf,
            aic=res.aic,
            scale=res.sigma2,
            extra={"ar": res.phi.tolist(), "innovations": res.innovations, "ar_method": res.method},
            cov_mult=None if (mult == 1.0).all() else mult,
        )
    # object-dtype names: pandas 3's default Arrow strings cost more than the OLS fit itself
    index = pd.Index(_param_names(res, names), dtype=object)
    params = pd.Series(np.asarray(res.params), index=index)
    cov = pd.DataFrame(np.asarray(res.cov_params()), index=index, columns=index)
    pearson = None
    extra: dict = {}
    if spec.is_count:
        mu = np.asarray(res.predict()) if spec.family == "negbin" else np.asarray(res.mu)
        yy = np.asarray(res.model.endog, float)
        if spec.family == "negbin":
            alpha = float(params["alpha"])
            pearson = float(np.sum((yy - mu) ** 2 / (mu + alpha * mu**2)))
            extra["alpha"] = alpha
        else:
            pearson = float(np.sum((yy - mu) ** 2 / mu))
            alpha = 0.0
        resid = (yy - mu) / np.sqrt(mu + alpha * mu**2)  # Pearson residuals
    else:
        resid = np.asarray(res.resid) * unit
    mult = None
    if unit != 1.0:  # gaussian OLS/HAC on y / unit: every coefficient is in units of y
        mult = np.full(len(params), unit)
        params = params * unit
    return RawFit(
        params=params,
        cov=cov,
        df_resid=df,
        raw=res,
        design=design,
        X=X,
        rows=rows,
        y_model=inputs["y_model"],
        log_offset=inputs["log_offset"],
        resid=resid,
        pearson_chi2=pearson,
        scale=float(getattr(res, "scale", np.nan) * u2),
        llf=float(res.llf) - shift if hasattr(res, "llf") else None,
        aic=float(res.aic) + 2 * shift if hasattr(res, "aic") else None,
        extra=extra,
        cov_mult=mult,
        hac_lags=hac_lags_for(spec, len(X)) if spec.effective_errors == "hac" else None,
    )


def _param_names(res, names):
    k = len(np.asarray(res.params))
    return names + ["alpha"] * (k - len(names)) if k > len(names) else names
