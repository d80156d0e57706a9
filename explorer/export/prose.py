"""Prose to paste beside a chart: a methods paragraph and alt text, written from a fitted result.

Both say what was done (model, family, errors, dates), the effect with its interval, and the
main caveat, in plain sentences a journalist can paste. ``explorer.export.files`` re-exports them.
"""

from __future__ import annotations

_FAMILY_TEXT = {
    "gaussian": "a linear (Gaussian) segmented regression",
    "poisson": "a Poisson segmented regression (log link)",
    "quasipoisson": "a quasi-Poisson segmented regression (log link, overdispersion estimated)",
    "negbin": "a negative binomial segmented regression (log link, dispersion estimated)",
}
_MODEL_TEXT = {
    "sarimax": "a regression with ARIMA errors (SARIMAX, state space)",
    "structural": "a structural time-series model (state space)",
    "structural-forecast": "a structural time-series forecast from the pre-intervention data "
    "(as CausalImpact)",
}
_KIND_TEXT = {
    "level_slope": "a change in level and in trend",
    "level": "a change in level only",
    "ramp": "a level change phased in over {ramp} periods",
    "temporary": "a temporary level change until {until}",
}


def _errors_text(result) -> str:
    errors = str(result.errors_used)
    if errors == "hac":
        return f"Newey-West (HAC) standard errors with {result.hac_lags} lag(s)"
    if errors == "ols":
        return "conventional OLS standard errors"
    if errors == "model":
        extra = (
            " scaled by the Pearson chi-squared dispersion"
            if result.family == "quasipoisson"
            else ""
        )
        return f"model-based standard errors{extra}"
    if errors.startswith("ar"):
        fit = getattr(result, "fit", None)
        method = (getattr(fit, "extra", None) or {}).get("ar_method", "reml")
        how = (
            "restricted maximum likelihood (REML) with t(n - k) intervals"
            if method == "reml"
            else "exact maximum likelihood"
        )
        return f"AR({errors.split(':')[-1]}) errors estimated by {how}"
    return "state-space errors"


def _period_range(result) -> tuple[str, str, str]:
    from explorer.periods import FREQ_NAMES, period_label

    cf = result.counterfactual
    obs = cf.index[cf["observed"].notna()]
    freq = result.frequency
    return period_label(obs.min(), freq), period_label(obs.max(), freq), FREQ_NAMES.get(freq, "")


def _effect_text(result, e, *, per: str | None = None) -> str:
    """An effect with its 95% interval, as a percent change on the log scale."""
    from explorer.models.report import format_number, percent_change, percent_text

    if e is None:
        return "not estimated"
    unit = f" per {per}" if per else ""
    if result.scale == "log":
        est, lo, hi = percent_change(e)
        return f"{'+' if est >= 0 else ''}{percent_text(est)}{unit} (95% CI {percent_text(lo)} to {percent_text(hi)}; p = {e.p_value:.3g})"
    return f"{'+' if e.estimate >= 0 else ''}{format_number(e.estimate)}{unit} (95% CI {format_number(e.ci_low)} to {format_number(e.ci_high)}; p = {e.p_value:.3g})"


def methods_paragraph(result) -> str:
    """A methods paragraph to paste under an article or into a report, generated from the fit.

    Says the model, family, errors, data span, each intervention's coding and estimated effect
    with its 95% interval, and the caveats.

    Examples
    --------
    >>> print(methods_paragraph(fit_its(series, spec)))  # doctest: +SKIP
    We fitted a quasi-Poisson segmented regression (log link, ...) to the monthly series aces ...
    """
    from explorer.periods import PERIOD_WORD

    spec = result.spec
    start, end, freq_name = _period_range(result)
    per = PERIOD_WORD.get(result.frequency, "period")
    model = _MODEL_TEXT.get(spec.model) or _FAMILY_TEXT.get(spec.family, spec.family)
    outcome = f"log({spec.value})" if spec.log else spec.value
    parts = [
        f"We fitted {model} to the {freq_name} series {outcome} from {start} to {end} "
        f"(n = {result.n_obs}), with {_errors_text(result)}."
    ]
    extras = []
    if spec.offset:
        extras.append(f"an offset of log({spec.offset})")
    if spec.seasonality != "none":
        extras.append(
            f"{spec.fourier_k} Fourier harmonic pair(s) for seasonality"
            if spec.seasonality == "fourier"
            else f"{'month' if spec.seasonality == 'month' else 'day-of-week'} dummies for seasonality"
        )
    if spec.covariates:
        extras.append(f"covariates {', '.join(spec.covariates)}")
    if spec.control or spec.group:
        extras.append(
            f"a control series ({spec.control or 'the mean of the other groups'}), so effects are "
            "differences between the treated and the control series"
        )
    if extras:
        parts.append("The model includes " + "; ".join(extras) + ".")
    if not result.interventions:
        parts.append("No intervention was specified: the model describes the trend only.")
    for iv in result.interventions:
        kind = _KIND_TEXT.get(iv.kind, iv.kind).format(
            ramp=getattr(
                next((x for x in spec.interventions if x.label == iv.label), None), "ramp", ""
            ),
            until=getattr(
                next((x for x in spec.interventions if x.label == iv.label), None), "until", ""
            ),
        )
        when = iv.first_treated_period.strftime("%Y-%m-%d")
        s = f"The intervention {iv.label} (dated {iv.date}, first treated period starting {when}) was coded as {kind}"
        s += f"; the estimated level change was {_effect_text(result, iv.level_change)}"
        if iv.slope_change is not None:
            s += f" and the trend change {_effect_text(result, iv.slope_change, per=per)}"
        parts.append(s + ".")
    if result.pre_trend is not None and result.interventions:
        parts.append(
            f"The pre-intervention trend was {_effect_text(result, result.pre_trend, per=per)}."
        )
    scale = (
        "percent changes (exp of the log-scale coefficients)"
        if result.scale == "log"
        else "changes in the outcome's units"
    )
    parts.append(f"Effects are {scale} with 95% confidence intervals.")
    if result.caveats:
        parts.append(
            "Caveats: " + " ".join(c if c.endswith(".") else c + "." for c in result.caveats)
        )
    parts.append(
        f"Computed with Evidence Explorer (statsmodels {result.provenance().get('statsmodels')})."
    )
    return " ".join(parts)


def alt_text(result, *, title: str | None = None) -> str:
    """Alt text for the ITS chart of ``result``: what is drawn and what it shows, in plain words."""
    start, end, freq_name = _period_range(result)
    spec = result.spec
    ivs = ", ".join(
        f"{iv.label} ({iv.first_treated_period.strftime('%Y-%m-%d')})"
        for iv in result.interventions
    )
    parts = []
    if title:
        parts.append(f"{title.rstrip('.')}.")
    parts.append(
        f"Chart of the {freq_name} series {spec.value} from {start} to {end}: observed values as "
        "dots and the fitted model as a solid line"
    )
    if result.interventions:
        parts[-1] += (
            ", with a dashed line and shaded 95% band for what the model expects without the "
            f"intervention(s), and vertical lines at {ivs}."
        )
    else:
        parts[-1] += "."
    summary = str(result.summary_text or "").strip()
    if summary:
        parts.append(summary)
    return " ".join(parts)
