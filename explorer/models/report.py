"""Diagnostics, caveats and the plain-language summary of an ``ItsResult``.

Caveats are plain sentences the app shows under the result: too few pre-period points,
residual autocorrelation under OLS errors, Newey-West in short series, interventions too close
to separate, overdispersion under Poisson, gaps. Where they quote how far intervals undercover,
the figures come from the committed coverage study (``make validate``,
``explorer/models/coverage_results.json``).
"""

from __future__ import annotations

import json
import math
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from explorer import paths
from explorer.periods import PERIOD_WORD

if TYPE_CHECKING:
    from explorer.models.results import Effect

COVERAGE_FILE = paths.COVERAGE_FILE
CLOSE_CORRELATION = 0.8  # intervention columns this correlated cannot be told apart reliably
HIGH_VIF = 10.0


def residuals(result) -> np.ndarray:
    """The residuals of a fit, one definition for every check and chart: AR and state-space
    models' standardised innovations, Pearson residuals for counts, plain residuals otherwise
    (the treated series' for comparative ITS)."""
    fit = result.fit
    if fit is None:
        return np.asarray(result._diagnostics_base.get("_resid", []), float)
    if "innovations" in fit.extra:
        return np.asarray(fit.extra["innovations"], float)
    return np.asarray(fit.resid, float)


def ljung_box_lags(n: int) -> int:
    """Lags of the Ljung-Box test (and the residual ACF drawn with it): min(10, n / 5), at least 1."""
    return max(1, min(10, n // 5))


def diagnostics(result) -> dict:
    """Durbin-Watson, Ljung-Box, dispersion, segment lengths, collinearity, fit statistics."""
    from statsmodels.stats.diagnostic import acorr_ljungbox
    from statsmodels.stats.stattools import durbin_watson

    d = {k: v for k, v in result._diagnostics_base.items() if not k.startswith("_")}
    r = residuals(result)
    r = r[np.isfinite(r)]
    if len(r):  # both tests are scale-free; squares of residuals near 1e-300 underflow
        from explorer.models.segmented import outcome_unit

        r = r / outcome_unit(r)
    if len(r) > 3:
        d["durbin_watson"] = float(durbin_watson(r))
        lags = ljung_box_lags(len(r))
        lb = acorr_ljungbox(r, lags=[lags], return_df=True)
        d["ljung_box"] = {
            "lags": lags,
            "statistic": float(lb["lb_stat"].iloc[0]),
            "p_value": float(lb["lb_pvalue"].iloc[0]),
        }
    fit = result.fit
    dates = result.series.dates
    obs = np.isfinite(np.asarray(result.series.y, float))
    starts = sorted(iv.first_treated_period for iv in result.interventions)
    d["n_obs"] = result.n_obs
    d["n_pre"] = int((obs & (dates < starts[0])).sum()) if starts else int(obs.sum())
    d["n_post"] = {
        iv.label: int((obs & (dates >= iv.first_treated_period)).sum())
        for iv in result.interventions
    }
    d["gaps"] = _gaps(dates[obs], result.frequency)
    if fit is None:
        return d
    if fit.pearson_chi2 is not None:
        k = len(fit.X.columns)
        d["pearson_chi2"] = fit.pearson_chi2
        d["dispersion"] = fit.pearson_chi2 / (len(fit.X) - k)
    if "alpha" in fit.extra:
        d["negbin_alpha"] = fit.extra["alpha"]
    if "ar" in fit.extra:
        d["ar_coefficients"] = fit.extra["ar"]
        d["ar_method"] = fit.extra.get("ar_method")
    if result.hac_lags is not None:
        d["hac_lags"] = result.hac_lags
    for name in ("llf", "aic"):
        v = getattr(fit, name)
        if v is not None and np.isfinite(v):
            d[name] = v
    rsq = getattr(fit.raw, "rsquared", None)
    if rsq is not None:
        d["r_squared"] = float(rsq)
    d["collinearity"] = collinearity(fit)
    return d


def _gaps(observed_dates, freq: str) -> int:
    """Periods between the first and last observation without an observed value."""
    from explorer.periods import period_ordinal

    if len(observed_dates) < 2:
        return 0
    o = period_ordinal(observed_dates, freq)
    return int(o.max() - o.min() + 1 - len(np.unique(o)))


def collinearity(fit) -> dict:
    """How far the intervention terms can be told apart: their largest pairwise correlation and
    variance inflation factors (against every other non-constant term)."""
    X = fit.design.X.loc[fit.rows]
    cols = [c for c in X.columns if c != "const" and X[c].std() > 0]
    ivc = [c for c in fit.design.intervention_cols if c in cols]
    out: dict = {"max_abs_correlation": None, "pair": None, "vif": {}}
    if len(cols) >= 2 and ivc:
        corr = np.corrcoef(X[cols].to_numpy().T)
        inv = np.linalg.pinv(corr)
        out["vif"] = {c: float(inv[cols.index(c), cols.index(c)]) for c in ivc}
        labels = {c: c.split(":")[0] for c in ivc}
        best = (0.0, None)
        for i, a in enumerate(ivc):
            for b in ivc[i + 1 :]:
                if labels[a] == labels[b]:
                    continue  # one intervention's own level and slope are meant to correlate
                r = abs(corr[cols.index(a), cols.index(b)])
                if r > best[0]:
                    best = (float(r), [labels[a], labels[b]])
        if best[1]:
            out["max_abs_correlation"], out["pair"] = best
    return out


def _coverage_sentence(errors: str, n: int) -> str | None:
    """'in our coverage study ... covered 83% at n = 60' for the nearest n studied."""
    cov = load_coverage()
    if not cov:
        return None
    key = (
        errors
        if errors in ("ols", "hac", "ar:1:ml")
        else "ar:1"
        if errors.startswith("ar:")
        else errors
    )
    rows = [r for r in cov.get("results", []) if r.get("errors") == key]
    if not rows:
        return None
    r = min(rows, key=lambda r: abs(math.log(r["n"]) - math.log(max(n, 2))))
    return (
        f"in our coverage study (AR(1) noise, rho = {cov.get('rho', 0.5)}, "
        f"{cov.get('reps', '?')} simulated series), nominal 95% intervals for the level change "
        f"covered {100 * r['coverage']:.0f}% of the time at n = {r['n']}"
    )


def caveats(result) -> list[str]:
    """Plain sentences about what limits this result."""
    out = list(result._caveats_base)
    d = result.diagnostics
    errors = result.errors_used
    lb = d.get("ljung_box", {})
    autocorrelated = lb.get("p_value", 1.0) < 0.05
    if errors == "ols" and autocorrelated:
        s = _coverage_sentence("ols", result.n_obs)
        out.append(
            f"The residuals are autocorrelated (Ljung-Box p = {lb['p_value']:.3f}), so OLS "
            "standard errors are too small"
            + (f": {s}." if s else ".")
            + " Use --errors ar:1 or --errors hac."
        )
    elif errors == "ols" and result.spec.family == "gaussian":
        s = _coverage_sentence("ols", result.n_obs)
        if s:
            out.append(
                "OLS errors assume independent noise; if the series is autocorrelated, " + s + "."
            )
    if errors == "hac" and result.n_obs < 150:
        s = _coverage_sentence("hac", result.n_obs)
        if s:
            out.append(
                "Newey-West (HAC) intervals are too narrow in short series: "
                + s
                + ". For a gaussian model consider AR(1) errors (errors: ar:1)."
            )
    lags = d.get("hac_lags")
    if errors == "hac" and lags is not None and lags > result.n_obs / 4:
        from explorer.models.segmented import default_hac_lags

        out.append(
            f"Newey-West with {lags} lags on {result.n_obs} observations uses more lags than a "
            "quarter of the series, so each long-run covariance rests on few pairs of residuals "
            "and the intervals are unreliable (too narrow or too wide). Use fewer lags (the "
            f"usual choice here is {default_hac_lags(result.n_obs)}) or AR(1) errors."
        )
    if errors.startswith("ar:") and result.n_obs < 100:
        ml = d.get("ar_method") == "ml"
        s = _coverage_sentence("ar:1:ml" if ml else "ar:1", result.n_obs)
        if s:
            what = "maximum-likelihood AR-error" if ml else "AR-error (REML)"
            out.append(f"{what} intervals are too narrow in short series: " + s + ".")
    disp = d.get("dispersion")
    if result.spec.family == "poisson" and disp is not None and disp > 1.5:
        out.append(
            f"The counts are overdispersed (Pearson chi2/df = {disp:.2f}), so Poisson standard "
            "errors are too small: use --family quasipoisson or negbin."
        )
    col = d.get("collinearity") or {}
    r = col.get("max_abs_correlation")
    if r is not None and r > CLOSE_CORRELATION:
        a, b = col["pair"]
        out.append(
            f"Interventions {a!r} and {b!r} are too close to separate (their terms correlate "
            f"at {r:.2f}): the data cannot say which of them made a change. Report them "
            "together, or drop one."
        )
    elif any(v > HIGH_VIF for v in (col.get("vif") or {}).values()):
        worst = max(col["vif"], key=col["vif"].get)
        out.append(
            f"The term {worst!r} is nearly collinear with the others (variance inflation "
            f"{col['vif'][worst]:.0f}): its effect is poorly determined."
        )
    if d.get("gaps"):
        out.append(
            f"{d['gaps']} period(s) are missing from the series; they were left out, not filled "
            "(Newey-West and AR errors treat the remaining rows as consecutive)."
        )
    mle = getattr(result.raw, "mle_retvals", None)
    if isinstance(mle, dict) and mle.get("converged") is False:
        out.append(
            f"The {result.model} fit did not converge (the optimiser stopped before it found the "
            "best fit), so these estimates may be off. Try --log, a simpler model "
            "(--model segmented), or a longer series."
        )
    out.extend(_ramp_caveats(result))
    if result.fit is not None and result.fit.comparative is not None:
        out.append(
            "Comparative ITS: effects are differences between the treated series and the "
            "control; they assume the control would have changed as the treated series did "
            "without the intervention."
        )
    return out


def _ramp_caveats(result) -> list[str]:
    """A ramp longer than the data after its start: its full change is an extrapolation."""
    from explorer.periods import period_ordinal

    dates = result.series.dates
    if not len(dates):
        return []
    last = int(period_ordinal(pd.DatetimeIndex([dates.max()]), result.frequency)[0])
    first = {iv.label: iv.first_treated_period for iv in result.interventions}
    out = []
    for iv in result.spec.interventions:
        if iv.kind != "ramp" or not iv.ramp or iv.label not in first:
            continue
        start = int(period_ordinal(pd.DatetimeIndex([first[iv.label]]), result.frequency)[0])
        seen = last - start + 1
        if 0 < seen < int(iv.ramp):
            out.append(
                f"The ramp for {iv.label!r} takes {int(iv.ramp)} periods but the data end "
                f"{seen} period(s) after it starts: its full change is extrapolated beyond the "
                f"data, not observed. Use a ramp of at most {seen} periods, or more data."
            )
    return out


def format_number(x: float) -> str:
    a = abs(x)
    if a >= 100:
        return f"{x:,.0f}"
    if a >= 10:
        return f"{x:.1f}"
    if a >= 0.1:
        return f"{x:.2f}"
    return f"{x:.3g}"


def percent_change(e: Effect) -> tuple[float, float, float]:
    return tuple(100 * (math.exp(v) - 1) for v in (e.estimate, e.ci_low, e.ci_high))


def percent_text(v: float) -> str:
    a = abs(v)
    return f"{v:.0f}%" if a >= 10 else f"{v:.1f}%" if a >= 1 else f"{v:.2f}%"


def plain_summary(result) -> str:
    """One sentence per intervention, and the pre-trend, that a journalist can paste."""
    per = PERIOD_WORD.get(result.frequency, "period")
    log = result.scale == "log"
    fmt = (
        "%Y-%m-%d"
        if result.frequency in ("D", "W")
        else "%Y-%m"
        if result.frequency != "Y"
        else "%Y"
    )
    rel = " relative to the control" if result.fit is not None and result.fit.comparative else ""
    parts = []
    for iv in result.interventions:
        when = iv.first_treated_period.strftime(fmt)
        lc = iv.level_change
        if lc is None:
            continue
        if iv.extra and "average_effect" in iv.extra:
            parts.append(_forecast_sentence(result, iv, when))
            continue
        if log:
            est, lo, hi = percent_change(lc)
            verb = "fell" if est < 0 else "rose"
            s = (
                f"After {iv.label} ({when}) the level{rel} {verb} by {percent_text(abs(est))} "
                f"(95% CI {percent_text(lo)} to {percent_text(hi)})"
            )
        else:
            verb = "fell" if lc.estimate < 0 else "rose"
            s = (
                f"After {iv.label} ({when}) the level{rel} {verb} by {format_number(abs(lc.estimate))} "
                f"(95% CI {format_number(lc.ci_low)} to {format_number(lc.ci_high)})"
            )
        if not lc.significant:
            s += ", not distinguishable from no change"
        sc = iv.slope_change
        if sc is not None:
            if log:
                e, lo, hi = percent_change(sc)
                s += f"; the trend changed by {percent_text(e)} a {per} (95% CI {percent_text(lo)} to {percent_text(hi)})"
            else:
                s += f"; the trend changed by {format_number(sc.estimate)} a {per} (95% CI {format_number(sc.ci_low)} to {format_number(sc.ci_high)})"
        parts.append(s)
    pt = result.pre_trend
    if pt is not None and np.isfinite(pt.estimate) and parts:
        if log:
            e = 100 * (math.exp(pt.estimate) - 1)
            amount = percent_text(abs(e))
        else:
            e = pt.estimate
            amount = format_number(abs(e))
        state = "falling" if e < 0 else "rising"
        if not pt.significant:
            trend = f"before it the series had no clear trend ({'-' if e < 0 else '+'}{amount} a {per}, not significant)"
        else:
            trend = f"the series was already {state} {amount} a {per} before it"
        parts[-1] += f"; {trend}"
    if not parts:
        return "No intervention was specified: the model describes the trend only."
    return ". ".join(parts) + "."


def _forecast_sentence(result, iv, when: str) -> str:
    e = iv.extra["average_effect"]
    if result.scale == "log":
        est, lo, hi = percent_change(e)
        return (
            f"After {iv.label} ({when}) the series averaged {percent_text(est)} against the forecast "
            f"from before it (95% interval {percent_text(lo)} to {percent_text(hi)})"
        )
    return (
        f"After {iv.label} ({when}) the series averaged {format_number(e.estimate)} against the forecast "
        f"from before it (95% interval {format_number(e.ci_low)} to {format_number(e.ci_high)})"
    )


def load_coverage() -> dict | None:
    """The committed coverage study (``make validate``), or None if it has not been run."""
    try:
        cov = json.loads(COVERAGE_FILE.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    # A damaged file (hand edits, a half-written run) is ignored rather than breaking caveats.
    rows = cov.get("results") if isinstance(cov, dict) else None
    ok = isinstance(rows, list) and all(
        isinstance(r, dict)
        and isinstance(r.get("errors"), str)
        and isinstance(r.get("n"), int | float)
        and r["n"] > 0
        and isinstance(r.get("coverage"), int | float)
        for r in rows
    )
    return cov if ok else None
