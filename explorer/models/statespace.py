"""State-space interrupted time series: ``sarimax``, ``structural`` and ``structural-forecast``.

- ``sarimax``: seasonal ARIMA errors around the segmented regression (const, trend, seasonal
  terms, intervention terms, covariates as exogenous regressors). The regressors are rescaled
  to [-1, 1] (a trend running to 1,000 otherwise strands the optimiser) and the coefficients
  mapped back. Orders from the spec's ``extra``: ``order="p,d,q"`` (default 1,0,0) and
  ``seasonal_order="P,D,Q,s"`` (default none).
- ``structural``: an unobserved-components model (local level; ``extra trend=1`` for a local
  linear trend; a stochastic seasonal when the spec has seasonality) with the intervention terms
  and covariates as regressors, as Harvey & Durbin (1986) modelled the UK seat-belt law.
- ``structural-forecast``: CausalImpact's idea without the MCMC wait: fit the structural model
  to the pre-period only (covariates and the control series as regressors), forecast the rest,
  and read the effect as observed minus forecast, pointwise, averaged and cumulated, with
  intervals from 2,000 seeded simulated forecast paths (state and observation noise; the
  parameters are held at their estimates, unlike CausalImpact's posterior draws).

All three use the gaussian family (``--log`` for a multiplicative model); their errors are the
state-space model's own ("state-space").

All three fit the outcome standardised (mean 0, standard deviation 1 over the fitted rows) and
map every number back: the optimisers start from unit-scale values and stop on absolute
tolerances, so an outcome in billions otherwise lands elsewhere (or on a standard error of 0).
Standardising makes the answer the same in any units, and for ``--log`` whatever the additive
constant the units put on log y. Covariates (and a control) are scaled to [-1, 1] likewise. The
statsmodels results in ``result.raw`` stay on the standardised scale: (loc, s) are kept in
``fit.extra["standardised"]`` (structural-forecast: ``_diagnostics_base["_standardised"]``).
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from explorer.errors import FitError, SpecError
from explorer.models.ar import ar_exog_scale
from explorer.models.design import SEASON_PERIOD, build_design
from explorer.models.results import Effect, InterventionEffect, ItsResult, add_effect_columns
from explorer.models.segmented import RawFit, model_inputs
from explorer.spec import ItsSpec

N_SIMULATIONS = 2000


def fit(series, spec: ItsSpec) -> ItsResult:
    """Dispatch on ``spec.model`` (see the module docstring)."""
    if spec.is_count:
        raise SpecError(
            f"The {spec.model} model is gaussian: for counts use --family gaussian --log, or "
            "--model segmented with a count family."
        )
    inputs = model_inputs(series, _as_covariates(spec))
    if spec.model == "sarimax":
        return _fit_sarimax(series, spec, inputs)
    if spec.model == "structural":
        return _fit_structural(series, spec, inputs)
    return _fit_forecast(series, spec, inputs)


def _as_covariates(spec: ItsSpec) -> ItsSpec:
    """A control series enters state-space models as one more regressor (as in CausalImpact)."""
    from dataclasses import replace

    if spec.control is None and spec.group is None:
        return spec
    name = spec.control or "control"
    return replace(
        spec, control=None, group=None, treated=None, covariates=spec.covariates + (name,)
    )


def _standardiser(y_model, rows) -> tuple[float, float]:
    """(loc, s): the fitted rows' mean and standard deviation (s = 1 for a constant outcome).

    Both move with the units (and loc with log y's additive constant), so the standardised
    outcome, and the fit on it, do not.
    """
    v = np.asarray(y_model, float)[np.asarray(rows, bool)]
    loc, s = float(np.mean(v)), float(np.std(v))
    return (loc, s) if np.isfinite(s) and s > 0 else (loc, 1.0)


def _unscale(res, names, col_scale: dict, loc: float, s: float):
    """Params and covariance in the outcome's units from a fit on the standardised outcome.

    ``col_scale`` maps each regressor's name to the scale its column was divided by: its
    coefficient is multiplied by s / scale (the intercept also gets loc back); variances
    (``sigma2...``) by s**2; AR/MA coefficients are unit-free.
    """
    m = np.array(
        [
            s / col_scale[n] if n in col_scale else s**2 if n.startswith("sigma2") else 1.0
            for n in names
        ]
    )
    params = pd.Series(np.asarray(res.params) * m, index=names)
    if "const" in col_scale:
        params["const"] += loc
    cov = pd.DataFrame(np.asarray(res.cov_params()) * np.outer(m, m), index=names, columns=names)
    return params, cov


def _llf_aic(res, n_eff: int, s: float) -> tuple[float, float]:
    """Log-likelihood and AIC in the outcome's units: the density of the n_eff non-diffuse
    observations picks up the Jacobian -n_eff log(s) of the standardisation."""
    shift = n_eff * np.log(s)
    return float(res.llf) - shift, float(res.aic) + 2 * shift


def _extra(spec: ItsSpec, key: str, default=None):
    return dict(spec.extra).get(key, default)


def orders(spec: ItsSpec):
    def parse(text, n):
        try:
            vals = tuple(int(v) for v in str(text).split(","))
        except ValueError:
            vals = ()
        if len(vals) != n or min(vals) < 0:
            raise SpecError(f"SARIMAX order {text!r} must be {n} whole numbers, e.g. 1,0,0.")
        return vals

    order = parse(_extra(spec, "order", "1,0,0"), 3)
    seasonal = _extra(spec, "seasonal_order")
    return order, (parse(seasonal, 4) if seasonal else (0, 0, 0, 0))


def _fit_sarimax(series, spec: ItsSpec, inputs) -> ItsResult:
    import statsmodels.api as sm

    cspec = _as_covariates(spec)
    rows = inputs["rows"]
    design = build_design(
        series.dates, series.freq, cspec, observed=rows, covariates=inputs["covariates"]
    )
    order, seasonal = orders(spec)
    X = design.X.loc[rows]
    if order[1] + seasonal[1] > 0:
        X = X.drop(columns=["const"])  # differencing removes the level
    scale = ar_exog_scale(X)
    loc, s = _standardiser(inputs["y_model"], rows)
    y = (inputs["y_model"][rows] - loc) / s
    model = sm.tsa.SARIMAX(y, exog=X.to_numpy() / scale, order=order, seasonal_order=seasonal)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            res = model.fit(disp=0, maxiter=500, cov_type="oim")
    except (np.linalg.LinAlgError, ValueError) as exc:
        raise FitError(f"SARIMAX could not be fitted ({exc}): try a simpler order.") from None
    names = list(X.columns) + list(res.model.param_names[X.shape[1] :])
    params, cov = _unscale(res, names, dict(zip(X.columns, scale, strict=True)), loc, s)
    burn = order[1] + seasonal[1] * max(seasonal[3], 1)  # differencing: the diffuse start
    llf, aic = _llf_aic(res, int(rows.sum()) - burn, s)
    raw = RawFit(
        params=params,
        cov=cov,
        df_resid=None,
        raw=res,
        design=_design_without(design, X.columns),
        X=X,
        rows=rows,
        y_model=inputs["y_model"],
        log_offset=None,
        resid=np.asarray(res.resid) * s,
        llf=llf,
        aic=aic,
        extra={
            "innovations": np.asarray(res.standardized_forecasts_error[0])[burn:],
            "standardised": (loc, s),
        },
    )
    return ItsResult.from_raw(series, spec, raw)  # errors_used: "state-space", from the spec


def _design_without(design, columns):
    """The design restricted to the columns a model used (SARIMAX with differencing drops const)."""
    from dataclasses import replace

    return replace(design, X=design.X[list(columns)])


def _uc_kwargs(spec: ItsSpec, freq: str) -> dict:
    kw = {
        "level": "lltrend" if str(_extra(spec, "trend", "0")) in ("1", "true", "yes") else "llevel"
    }
    if spec.seasonality != "none":
        period = SEASON_PERIOD.get(freq)
        if spec.seasonality == "dow":
            period = 7
        if period is None:
            raise SpecError("Yearly data has no seasonal cycle: use --seasonality none.")
        if float(period).is_integer():
            kw["seasonal"] = int(period)
        else:  # weekly data: a trigonometric seasonal of the year
            kw["freq_seasonal"] = [{"period": period, "harmonics": max(spec.fourier_k, 2)}]
    return kw


def _fit_structural(series, spec: ItsSpec, inputs) -> ItsResult:
    import statsmodels.api as sm

    cspec = _as_covariates(spec)
    rows = inputs["rows"]
    design = build_design(
        series.dates, series.freq, cspec, observed=rows, covariates=inputs["covariates"]
    )
    cols = list(design.intervention_cols) + list(design.covariate_cols)
    loc, s = _standardiser(inputs["y_model"], rows)
    # the Kalman filter skips gaps exactly
    y = np.where(rows, (inputs["y_model"] - loc) / s, np.nan)
    exog, scale = None, np.ones(0)
    if cols:
        exog = design.X[cols].to_numpy()
        exog = np.where(np.isfinite(exog), exog, 0.0)
        # Covariates come in any units: their columns go to [-1, 1]. The intervention columns
        # do not depend on the data's units and stay as built.
        scale = ar_exog_scale(exog[rows])
        scale[: len(design.intervention_cols)] = 1.0
        exog = exog / scale
    model = sm.tsa.UnobservedComponents(y, exog=exog, **_uc_kwargs(spec, series.freq))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            res = model.fit(disp=0, maxiter=500)
    except (np.linalg.LinAlgError, ValueError) as exc:
        raise FitError(f"The structural model could not be fitted ({exc}).") from None
    params, cov = _unscale(res, _beta_names(res, cols), dict(zip(cols, scale, strict=True)), 0.0, s)
    llf, aic = _llf_aic(res, int(rows.sum()) - int(res.loglikelihood_burn), s)
    raw = RawFit(
        params=params,
        cov=cov,
        df_resid=None,
        raw=res,
        design=_design_without(design, cols),
        X=design.X.loc[rows, cols],
        rows=rows,
        y_model=inputs["y_model"],
        log_offset=None,
        resid=np.asarray(res.resid)[rows] * s,
        llf=llf,
        aic=aic,
        extra={
            "innovations": np.asarray(res.standardized_forecasts_error[0])[1:],
            "standardised": (loc, s),
        },
    )
    return ItsResult.from_raw(series, spec, raw, counterfactual_fn=_structural_counterfactual)


def _beta_names(res, cols) -> list[str]:
    """The model's parameter names with ``beta.xK`` replaced by the K-th regressor's name."""
    return [
        cols[int(n.split(".x")[1]) - 1] if n.startswith("beta.x") else n
        for n in res.model.param_names
    ]


def _structural_counterfactual(result: ItsResult, alpha: float = 0.05) -> pd.DataFrame:
    """Smoothed level (+ seasonal) + covariates: the series without the intervention terms.

    The interval combines the smoothed states' variance with the covariate coefficients'; the
    intervention coefficients' uncertainty belongs to the effect, not the counterfactual.
    """
    from scipy import stats

    res = result.raw
    fit = result.fit
    X = fit.design.X
    loc, s = fit.extra["standardised"]
    signal = np.asarray(res.level.smoothed, float).copy()
    var = np.asarray(res.level.smoothed_cov, float).copy()
    parts = [getattr(res, "seasonal", None)] + list(getattr(res, "freq_seasonal", None) or [])
    for part in parts:  # weekly data: the trigonometric seasonal is freq_seasonal
        if part is not None and part["smoothed"] is not None:
            signal += np.asarray(part["smoothed"], float)
            var += np.asarray(part["smoothed_cov"], float)
    signal, var = signal * s + loc, var * s**2  # states of the standardised outcome
    cov_cols = list(fit.design.covariate_cols)
    if cov_cols:
        signal += X[cov_cols].to_numpy() @ result.params[cov_cols].to_numpy()
    iv_cols = list(fit.design.intervention_cols)
    effect = X[iv_cols].to_numpy() @ result.params[iv_cols].to_numpy() if iv_cols else 0.0
    q = stats.norm.ppf(1 - alpha / 2)
    se = np.sqrt(np.clip(var, 0, None))
    inv = np.exp if result.scale == "log" else (lambda v: v)
    frame = pd.DataFrame(
        {
            "observed": np.asarray(result.series.y, float),
            "fitted": inv(signal + effect),
            "mean": inv(signal),
            "mean_ci_lower": inv(signal - q * se),
            "mean_ci_upper": inv(signal + q * se),
        },
        index=pd.DatetimeIndex(result.series.dates, name="date"),
    )
    return add_effect_columns(frame, result)


def _fit_forecast(series, spec: ItsSpec, inputs) -> ItsResult:
    import statsmodels.api as sm

    if len(spec.interventions) != 1:
        raise SpecError(
            "structural-forecast compares the period after one intervention with a forecast "
            f"from before it: give exactly one intervention (got {len(spec.interventions)})."
        )
    cspec = _as_covariates(spec)
    rows = inputs["rows"]
    design = build_design(
        series.dates, series.freq, cspec, observed=rows, covariates=inputs["covariates"]
    )
    term = design.terms[0]
    dates = pd.DatetimeIndex(series.dates)
    pre = dates < term.first_treated
    cols = list(design.covariate_cols)
    y = np.where(rows, inputs["y_model"], np.nan)
    loc, s = _standardiser(inputs["y_model"], rows & pre)
    Xc, scale = (design.X[cols].to_numpy(), None) if cols else (None, np.ones(0))
    if Xc is not None and not np.isfinite(Xc).all():
        raise SpecError(
            "structural-forecast needs the covariates and control at every date (they drive the "
            "forecast): fill or drop the rows where they are missing."
        )
    if Xc is not None:  # covariates in any units: columns in [-1, 1] over the fitted rows
        scale = ar_exog_scale(Xc[pre])
        Xc = Xc / scale
    model = sm.tsa.UnobservedComponents(
        (y[pre] - loc) / s, exog=None if Xc is None else Xc[pre], **_uc_kwargs(spec, series.freq)
    )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            res = model.fit(disp=0, maxiter=500)
            h = int((~pre).sum())
            fc = res.get_forecast(steps=h, exog=None if Xc is None else Xc[~pre])
            inpred = res.get_prediction()
            sims = res.simulate(
                h,
                anchor="end",
                repetitions=N_SIMULATIONS,
                exog=None if Xc is None else Xc[~pre],
                rng=np.random.default_rng(20160108),
            )
    except (np.linalg.LinAlgError, ValueError) as exc:
        raise FitError(f"The structural forecast could not be fitted ({exc}).") from None
    # back from the standardised outcome to its own units
    sims = np.asarray(sims).reshape(h, -1) * s + loc  # (steps, repetitions)
    fc_mean = np.asarray(fc.predicted_mean) * s + loc
    mean = np.r_[np.asarray(inpred.predicted_mean) * s + loc, fc_mean]
    ci = np.vstack([np.asarray(inpred.conf_int()), np.asarray(fc.conf_int())]) * s + loc
    post_obs = y[~pre]
    ok = np.isfinite(post_obs)
    point = post_obs[ok] - fc_mean[ok]
    draws = post_obs[ok][:, None] - sims[ok]  # simulated effects: observed minus simulated path
    avg = _draw_effect(point.mean(), draws.mean(axis=0), spec.scale == "log")
    cum = _draw_effect(point.sum(), draws.sum(axis=0), False)  # a sum of log ratios is no ratio
    params, cov = _unscale(res, _beta_names(res, cols), dict(zip(cols, scale, strict=True)), 0.0, s)
    llf, aic = _llf_aic(res, int((rows & pre).sum()) - int(res.loglikelihood_burn), s)
    iv = InterventionEffect(
        label=term.label,
        date=spec.interventions[0].date,
        first_treated_period=term.first_treated,
        kind="forecast",
        level_change=avg,
        slope_change=None,
        post_trend=None,
        extra={"average_effect": avg, "cumulative_effect": cum},
    )
    inv = np.exp if spec.scale == "log" else (lambda v: v)
    frame = pd.DataFrame(
        {
            "observed": np.asarray(series.y, float),
            "fitted": inv(mean),
            "mean": inv(mean),
            "mean_ci_lower": inv(ci[:, 0]),
            "mean_ci_upper": inv(ci[:, 1]),
        },
        index=pd.DatetimeIndex(dates, name="date"),
    )
    diag = {
        "n_pre_fitted": int(pre.sum()),
        "forecast_steps": h,
        "simulations": N_SIMULATIONS,
        "_resid": np.asarray(res.standardized_forecasts_error[0])[1:],
        "_standardised": (loc, s),
        "llf": llf,
        "aic": aic,
    }
    result = ItsResult(
        series=series,
        spec=spec,
        params=params,
        cov=cov,
        df_resid=None,
        errors_used="state-space",
        n_obs=int(rows.sum()),
        intercept=None,
        pre_trend=None,
        interventions=[iv],
        covariates={},
        raw=res,
        fit=None,
        counterfactual_fn=lambda r: add_effect_columns(frame, r),
        diagnostics_base=diag,
        caveats_base=tuple(design.caveats)
        + (
            "structural-forecast intervals hold the model's parameters at their estimates "
            "(CausalImpact also draws them), so they are somewhat narrow in short pre-periods.",
        ),
    )
    return result


def _draw_effect(estimate: float, draws: np.ndarray, log: bool) -> Effect:
    """An Effect from simulated draws: percentile interval, two-sided tail probability."""
    lo, hi = np.percentile(draws, [2.5, 97.5])
    se = float(np.std(draws, ddof=1))
    tail = min(np.mean(draws <= 0), np.mean(draws >= 0))
    p = float(min(1.0, 2 * tail))
    if log:
        return Effect(
            float(estimate),
            se,
            float(lo),
            float(hi),
            p,
            float(np.exp(estimate)),
            float(np.exp(lo)),
            float(np.exp(hi)),
        )
    return Effect(float(estimate), se, float(lo), float(hi), p)
