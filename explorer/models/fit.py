"""``fit_its(series, spec) -> ItsResult``: the one entry point to every model.

It reads the spec and hands the series to the model that fits it: segmented regression
(``explorer.models.segmented``), comparative ITS with a control (``explorer.models.comparative``)
or a state-space model (``explorer.models.statespace``); then it refuses results that would
print NaN or infinite numbers.
"""

from __future__ import annotations

import numpy as np

from explorer.errors import FitError
from explorer.io.series import SeriesData
from explorer.models.design import Design, build_design
from explorer.models.segmented import fit_single, model_inputs, outcome_unit
from explorer.spec import ItsSpec


def fit_its(series: SeriesData, spec: ItsSpec):
    """Fit the interrupted time-series model ``spec`` describes to ``series``.

    Parameters
    ----------
    series
        The outcome on its period grid, with the offset, covariates and control in ``extra``.
    spec
        The frozen specification (family, errors, interventions, seasonality, model ...).

    Returns
    -------
    explorer.models.results.ItsResult
        statsmodels-style ``params``/``bse``/``pvalues``/``conf_int()``, one effect block per
        intervention, the counterfactual frame, diagnostics, caveats and a plain summary.

    Raises
    ------
    SpecError
        The spec cannot be fitted to this series (dates outside the data, too few points,
        a missing column, AR errors with a count family ...).
    FitError
        statsmodels could not estimate the model.

    Examples
    --------
    >>> from explorer.io.series import from_frame
    >>> from explorer.spec import Intervention
    >>> noise = np.tile([0.1, -0.1], 12)
    >>> d = pd.DataFrame({"date": pd.date_range("2015-01-01", periods=24, freq="MS"),
    ...                   "y": np.r_[np.arange(12.0), np.arange(12.0) - 5] + noise})
    >>> s = ItsSpec(time="date", value="y", interventions=(Intervention("x", "2016-01"),),
    ...             errors="ols")
    >>> round(fit_its(from_frame(d, freq="M"), s).interventions[0].level_change.estimate, 1)
    -16.9
    """
    from explorer.models.results import ItsResult

    if spec.model != "segmented":
        from explorer.models import statespace as its_statespace

        return _checked(its_statespace.fit(series, spec))
    inputs = model_inputs(series, spec)
    design = build_design(
        series.dates,
        series.freq,
        spec,
        observed=inputs["rows"],
        covariates=inputs["covariates"],
    )
    _check_separation(spec, design, inputs)
    if spec.control is not None or spec.group is not None:
        from explorer.models.comparative import fit_comparative

        raw = fit_comparative(series, spec, design, inputs)
    else:
        raw = fit_single(spec, design, inputs)
    try:
        result = ItsResult.from_raw(series, spec, raw)
    except OverflowError:  # exp() of a runaway log-scale coefficient
        raise FitError(
            "An effect is too large to express as a ratio (a coefficient ran off to infinity). "
            "Try --family gaussian, fewer terms, or a longer series."
        ) from None
    return _checked(result)


def _check_separation(spec: ItsSpec, design: Design, inputs: dict) -> None:
    """Count models: a segment whose counts are all zero sends its log level to minus infinity."""
    if not spec.is_count or not design.terms:
        return
    y, rows = inputs["y"], inputs["rows"]
    order = sorted(design.terms, key=lambda term: term.t0)
    edges = [-np.inf] + [term.t0 for term in order] + [np.inf]
    for i in range(len(edges) - 1):
        seg = rows & (design.t >= edges[i]) & (design.t < edges[i + 1])
        if seg.any() and not (y[seg] > 0).any():
            if i == 0:
                where = f"before {order[0].label!r}"
            else:
                nxt = f" until {order[i].label!r}" if i < len(order) else " on"
                where = f"from {order[i - 1].label!r}{nxt}"
            raise FitError(
                f"The outcome is zero in every period {where}: a {spec.family} model puts that "
                "segment's level at log(0), minus infinity, so its change cannot be estimated "
                "(separation). Use --family gaussian, or move the intervention so that each "
                "segment has some non-zero counts."
            )


def _checked(result):
    """Refuse a result that would print NaN/inf, or zero standard errors from an exact fit."""
    fit = result.fit
    if fit is None:  # structural-forecast: no regression fit to check
        return result
    y = np.asarray(fit.y_model, float)[np.asarray(fit.rows, bool)]
    resid = np.asarray(fit.resid, float)
    resid = resid[np.isfinite(resid)]
    unit = outcome_unit(y)  # scale-free: squares of values near 1e300 overflow
    y, resid = y / unit, resid / unit
    spread = float(np.std(y)) if len(y) > 1 else 0.0
    if spread > 0 and len(resid) and float(np.sqrt(np.mean(resid**2))) <= 1e-9 * spread:
        raise FitError(
            "The model fits every observation exactly (the residuals are zero), so its standard "
            "errors, intervals and p-values mean nothing. Check that the outcome is measured "
            "data and not a formula of time; with real data, use fewer terms."
        )
    for iv in result.interventions:
        for e in (iv.level_change, iv.slope_change, iv.post_trend):
            if e is not None and not np.isfinite([e.estimate, e.se]).all():
                raise FitError(
                    f"The standard errors of {iv.label!r} could not be computed (the model's "
                    "covariance matrix is singular). Try fewer terms (no covariates or "
                    "seasonality), --errors ols, or a longer series."
                )
    return result
