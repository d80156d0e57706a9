"""Does the effect survive if the date moves? Refit with one intervention at every admissible date.

For gaussian segmented models with OLS or Newey-West errors, every candidate date is fitted at
once by ``explorer.robustness.fastols.batch_ols``: the designs differ only in the moved
intervention's columns, so they are stacked and solved together. AR(1) errors by REML (the app's
default for such models) are fitted at every date at once by ``explorer.models.ar.ar1_reml_batch``
(the single fit's own search, batched), dates ranked by the exact ML deviance. That path equals a plain
statsmodels loop to 1e-8 (``sweep_reference`` is that loop; the tests and the benchmark use it).
Other models loop over ``explorer.models.fit.fit_its``. Structural models are kept out of sweeps by
default: each fit is a state-space optimisation of about a second, so a sweep over a hundred
dates would take minutes; the sweep then uses the segmented regression with the same family and
errors, and says so in ``note``.

The F statistic at each date is the classical F test of the moved intervention's terms against
the same model without them (RSS-based, divided by the number of terms); on the loop path it is
the Wald statistic of those terms divided by their number, and the best date is the one of least
deviance rather than of least (Pearson) sum of squares.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from explorer.errors import InputError, SpecError
from explorer.models.design import Design, build_design, check_segments, intervention_columns
from explorer.models.segmented import hac_lags_for
from explorer.periods import period_start
from explorer.robustness.fastols import BatchFit, batch_ols, batch_partial_ols, outcome_units
from explorer.spec import ItsSpec

STRUCTURAL = ("structural", "structural-forecast")


@dataclass(frozen=True, eq=False)
class Problem:
    """The regression a spec describes on a series, observed rows only, ready for batching."""

    X: np.ndarray
    y: np.ndarray
    t: np.ndarray
    dates: pd.DatetimeIndex
    cols: list[str]
    design: Design
    ords0: int  # period ordinal of the first date (t = ordinal - ords0)
    rows: np.ndarray | None = None  # mask of the series' rows kept (observed, finite design)


def fast_path(spec: ItsSpec) -> bool:
    """True when the vectorised path applies: gaussian segmented regression, OLS or HAC errors."""
    return (
        spec.family == "gaussian"
        and spec.model == "segmented"
        and spec.effective_errors in ("ols", "hac")
        and spec.control is None
        and spec.group is None
    )


def ar1_batched(spec: ItsSpec) -> bool:
    """True for AR(1) errors by REML on a gaussian segmented model (the app's default errors):
    ``explorer.models.ar.ar1_reml_batch`` fits every date at once by the single fit's search."""
    return (
        spec.family == "gaussian"
        and spec.model == "segmented"
        and spec.effective_errors == "ar:1"
        and dict(spec.extra).get("ar_method", "reml") == "reml"
        and spec.control is None
        and spec.group is None
    )


def gaussian_problem(series, spec: ItsSpec, *, interventions=None) -> Problem:
    """Design and outcome for ``spec`` on ``series`` (log(y) under ``--log``), missing rows dropped."""
    from explorer.periods import period_ordinal

    y = np.asarray(series.y, float)
    if spec.log:
        if np.any(y[np.isfinite(y)] <= 0):
            raise InputError("--log needs a positive outcome: drop --log or remove zero values.")
        y = np.log(y)
    obs = np.isfinite(y)
    cov = None
    if spec.covariates:
        missing = [c for c in spec.covariates if c not in series.extra.columns]
        if missing:
            raise InputError(f"Covariate {missing[0]!r} is not in the data: check --covariate.")
        cov = series.extra[list(spec.covariates)].reset_index(drop=True)
    d = build_design(
        series.dates, series.freq, spec, observed=obs, covariates=cov, interventions=interventions
    )
    X = d.X.to_numpy(float)
    keep = obs & np.isfinite(X).all(axis=1)
    return Problem(
        X=X[keep],
        y=y[keep],
        t=d.t[keep],
        dates=pd.DatetimeIndex(series.dates)[keep],
        cols=list(d.X.columns),
        design=d,
        ords0=int(period_ordinal(series.dates[:1], series.freq)[0]),
        rows=keep,
    )


def term_index(prob: Problem, label: str):
    for term in prob.design.terms:
        if term.label == label:
            return term
    raise SpecError(f"There is no intervention labelled {label!r} to move.")


def admissible_t0(
    prob: Problem, label: str, *, window: int | None = None, trim: float = 0.15
) -> np.ndarray:
    """Time indices where intervention ``label`` can be placed.

    Every observed period that passes the design's segment rules (``build_design``); with
    ``window`` those within that many periods of the given date, otherwise the whole range with
    at least floor(trim n) observations on each side (strucchange's trimming), plus the given
    date itself.
    """
    term = term_index(prob, label)
    others = [x for x in prob.design.terms if x.label != label]
    t = prob.t
    cand = np.unique(t[1:]).astype(int)
    if window is not None:
        cand = cand[np.abs(cand - term.t0) <= int(window)]
    else:
        h = int(np.floor(trim * len(t)))
        n_before = np.searchsorted(t, cand, side="left")
        cand = cand[(n_before >= max(h, 1)) & (len(t) - n_before >= max(h, 1))]
    # The given date always takes part (if the segment rules allow it), even when the trimming
    # or a gap in the data would leave it out: the sweep is read relative to it.
    cand = np.union1d(cand, [term.t0]).astype(int)
    obs = np.ones(len(t), bool)
    ok = []
    for c in cand:
        try:
            check_segments([*others, replace(term, t0=int(c))], t, obs, prob.design.freq)
        except SpecError:
            continue
        ok.append(int(c))
    return np.array(ok, dtype=int)


def designs_at(prob: Problem, spec: ItsSpec, label: str, t0s) -> np.ndarray:
    """(B, n, k) designs with intervention ``label`` moved to each time index in ``t0s``."""
    term = term_index(prob, label)
    iv = next(i for i in spec.interventions if i.label == label)
    cols = [prob.cols.index(term.level_col)]
    if term.slope_col:
        cols.append(prob.cols.index(term.slope_col))
    t0s = np.asarray(t0s, int)
    Xb = np.broadcast_to(prob.X, (len(t0s), *prob.X.shape)).copy()
    span = None
    if iv.kind == "temporary":
        from explorer.periods import first_treated_ordinal

        span = first_treated_ordinal(iv.until_timestamp, prob.design.freq) - prob.ords0 - term.t0
    for b, t0 in enumerate(t0s):
        new = intervention_columns(prob.t, iv, int(t0), None if span is None else int(t0 + span))
        for c, v in zip(cols, new.values(), strict=True):
            Xb[b, :, c] = v
    return Xb


def fit_moved(prob: Problem, spec: ItsSpec, label: str, t0s) -> tuple[BatchFit, list[str]]:
    """Fit the spec with ``label`` at each of ``t0s``; coefficients of its own columns only."""
    term = term_index(prob, label)
    names = [c for c in (term.level_col, term.slope_col) if c]
    idx = [prob.cols.index(c) for c in names]
    fixed = [i for i in range(len(prob.cols)) if i not in idx]
    Xb = designs_at(prob, spec, label, t0s)[:, :, idx]
    fit = batch_partial_ols(
        prob.X[:, fixed], Xb, prob.y, errors=spec.effective_errors, hac_lags=spec.hac_lags
    )
    return fit, names


@dataclass(frozen=True)
class SweepResult:
    """One row per candidate date: effects with CIs, SSR, log-likelihood and F against no break."""

    label: str
    given_date: pd.Timestamp
    rows: pd.DataFrame
    best_date: pd.Timestamp
    distance: int  # periods from the given date to the least-squares date (best - given)
    errors: str
    path: str  # "vectorised" or "loop"
    note: str = ""
    best_by: str = "least squares"  # or "least deviance" (count families, AR errors: exact ML)

    def chart_frame(self, kind: str = "level") -> pd.DataFrame:
        """``date, estimate, ci_low, ci_high`` of the level (or slope) change, for ``sweep_chart``."""
        r = self.rows
        return pd.DataFrame(
            {
                "date": r["date"],
                "estimate": r[f"{kind}_change"],
                "ci_low": r[f"{kind}_ci_low"],
                "ci_high": r[f"{kind}_ci_high"],
            }
        )

    def to_dict(self) -> dict:
        cols = [
            "date",
            "level_change",
            "level_ci_low",
            "level_ci_high",
            "level_p_value",
            "slope_change",
            "slope_ci_low",
            "slope_ci_high",
            "ssr",
            "loglik",
            "f_stat",
        ]
        return {
            "label": self.label,
            "given_date": self.given_date,
            "best_date": self.best_date,
            "distance_periods": self.distance,
            "errors": self.errors,
            "path": self.path,
            "note": self.note,
            "best_by": self.best_by,
            "rows": [
                dict(zip(cols, r, strict=True)) for r in self.rows[cols].itertuples(index=False)
            ],
        }


def effect_rows(
    fit: BatchFit, prob: Problem, label: str, alpha: float = 0.05, names: list[str] | None = None
) -> dict:
    """Level and slope change of ``label`` (estimate, se, CI, p) from stacked fits.

    ``names`` lists the fit's columns when it covers only some of ``prob.cols`` (``fit_moved``).
    """
    term = term_index(prob, label)
    cols = prob.cols if names is None else names
    crit, p = fit.crit(alpha), fit.pvalues()
    out = {}
    for name, col in (("level", term.level_col), ("slope", term.slope_col)):
        if col is None:
            for s in ("change", "se", "ci_low", "ci_high", "p_value"):
                out[f"{name}_{s}"] = np.full(fit.params.shape[0], np.nan)
            continue
        j = cols.index(col)
        est, se = fit.params[:, j], fit.bse[:, j]
        out.update(
            {
                f"{name}_change": est,
                f"{name}_se": se,
                f"{name}_ci_low": est - crit * se,
                f"{name}_ci_high": est + crit * se,
                f"{name}_p_value": p[:, j],
            }
        )
    return out


def sweep_dates(
    series,
    spec: ItsSpec,
    *,
    label: str | None = None,
    window: int | None = None,
    trim: float = 0.15,
    allow_structural: bool = False,
) -> SweepResult:
    """Refit with intervention ``label`` moved to every admissible date.

    Parameters
    ----------
    series
        A ``SeriesData``.
    spec
        The analysis; ``label`` defaults to its first intervention.
    window
        Periods each side of the given date; None scans the whole admissible range with ``trim``.
    trim
        Share of observations kept on each side when scanning the whole range.
    allow_structural
        Loop over structural fits instead of substituting the segmented regression (slow).

    Returns
    -------
    SweepResult

    Raises
    ------
    SpecError
        No intervention to move, or no admissible date.
    """
    if not spec.interventions:
        raise SpecError("A sweep moves an intervention date: give one with --intervention.")
    label = label or spec.interventions[0].label
    note = ""
    if spec.model in STRUCTURAL and not allow_structural:
        note = (
            f"The {spec.model} model is kept out of sweeps (each fit takes about a second, so a "
            "sweep would take minutes); this sweep uses the segmented regression with the same "
            "family and errors."
        )
        spec = replace(spec, model="segmented")
    batched = fast_path(spec) or ar1_batched(spec)
    prob = gaussian_problem(series, replace(spec, family="gaussian", log=spec.log and batched))
    t0s = admissible_t0(prob, label, window=window, trim=trim)
    if len(t0s) == 0:
        raise SpecError(
            f"No admissible date for {label!r}: the series is too short for the trimming or the "
            "window. Widen --window, lower --trim, or use a longer series."
        )
    given = term_index(prob, label)
    dates = period_start(prob.ords0 + t0s, series.freq)
    if fast_path(spec):
        rows, path = _sweep_fast(prob, spec, label, t0s), "vectorised"
    elif ar1_batched(spec):
        rows, path = _sweep_ar1(prob, spec, label, t0s), "vectorised"
    else:
        rows, path = _sweep_loop(series, spec, label, dates), "loop"
    rows.insert(0, "date", dates)
    rows["offset"] = t0s - given.t0  # periods from the given date
    # The least-squares date; for likelihood fits (count families, AR errors) the date of least
    # deviance (-2 log-likelihood): their residual "SSR" is a Pearson statistic, and a
    # quasi-Poisson log-likelihood is divided by a scale that changes with the date. For AR
    # errors it is the exact ML deviance: a restricted (REML) likelihood carries
    # -1/2 log|X' S^-1 X|, which differs between designs (and even with a column's units), so
    # it cannot rank dates.
    crit = rows.pop("criterion").to_numpy(float) if "criterion" in rows else None
    if crit is not None and np.isfinite(crit).any():
        best, best_by = int(np.nanargmin(crit)), "least deviance"
    else:
        best, best_by = int(np.nanargmin(rows["ssr"].to_numpy())), "least squares"
    return SweepResult(
        label=label,
        given_date=given.first_treated,
        rows=rows,
        best_date=dates[best],
        distance=int(t0s[best] - given.t0),
        errors=spec.effective_errors,
        path=path,
        note=note,
        best_by=best_by,
    )


def _restricted_ssr(prob: Problem, label: str) -> tuple[float, int]:
    term = term_index(prob, label)
    drop = {term.level_col, term.slope_col}
    keep = [i for i, c in enumerate(prob.cols) if c not in drop]
    fit = batch_ols(prob.X[:, keep], prob.y, errors="ols")
    return float(fit.ssr[0]), len(prob.cols) - len(keep)


def _sweep_fast(prob: Problem, spec: ItsSpec, label: str, t0s) -> pd.DataFrame:
    fit, names = fit_moved(prob, spec, label, t0s)
    ssr0, q = _restricted_ssr(prob, label)
    rows = pd.DataFrame(effect_rows(fit, prob, label, names=names))
    rows["ssr"] = fit.ssr
    unit = float(outcome_units(prob.y))
    if unit != 1.0:  # sums of squares of an outcome near 1e-300 or 1e300 leave the range
        scaled = replace(prob, y=prob.y / unit)
        fit, _ = fit_moved(scaled, spec, label, t0s)
        ssr0, q = _restricted_ssr(scaled, label)
        rows["loglik"] = fit.loglik() - fit.nobs * np.log(unit)
    else:
        rows["loglik"] = fit.loglik()
    rows["f_stat"] = ((ssr0 - fit.ssr) / q) / (fit.ssr / fit.df_resid)
    rows["t0"] = t0s
    return rows


def _sweep_ar1(prob: Problem, spec: ItsSpec, label: str, t0s) -> pd.DataFrame:
    """AR(1) REML at every date in one pass: the loop's columns, by the single fit's search."""
    from scipy import stats

    from explorer.models.ar import ar1_ml_llf_batch, ar1_reml_batch

    Xb = designs_at(prob, spec, label, t0s)
    r = ar1_reml_batch(Xb, prob.y)
    se = np.sqrt(np.clip(np.diagonal(r["cov"], axis1=1, axis2=2), 0, None))
    df = float(r["df_resid"])
    crit = float(stats.t.ppf(0.975, df))
    term = term_index(prob, label)
    out: dict = {}
    for name, col in (("level", term.level_col), ("slope", term.slope_col)):
        if col is None:
            for s in ("change", "se", "ci_low", "ci_high", "p_value"):
                out[f"{name}_{s}"] = np.full(len(t0s), np.nan)
            continue
        j = prob.cols.index(col)
        est, sj = r["params"][:, j], se[:, j]
        out.update(
            {
                f"{name}_change": est,
                f"{name}_se": sj,
                f"{name}_ci_low": est - crit * sj,
                f"{name}_ci_high": est + crit * sj,
                f"{name}_p_value": 2.0 * stats.t.sf(np.abs(est / sj), df),
            }
        )
    rows = pd.DataFrame(out)
    rows["ssr"] = r["ssr"]
    rows["loglik"] = r["llf"]
    idx = [prob.cols.index(c) for c in (term.level_col, term.slope_col) if c]
    b = r["params"][:, idx]
    V = r["cov"][:, idx][:, :, idx]
    rows["f_stat"] = np.einsum("di,di->d", b, np.linalg.solve(V, b[..., None])[..., 0]) / len(idx)
    rows["criterion"] = -2.0 * ar1_ml_llf_batch(Xb, prob.y)
    rows["t0"] = t0s
    return rows


def _sweep_loop(series, spec: ItsSpec, label: str, dates) -> pd.DataFrame:
    """Count families, AR errors, comparative and state-space models: one full fit per date."""
    from explorer.models.fit import fit_its

    recs = []
    ar_reml = (
        spec.family == "gaussian"
        and spec.effective_errors.startswith("ar:")
        and dict(spec.extra).get("ar_method", "reml") == "reml"
    )
    for d in dates:
        spec_d = spec.with_date(label, d.strftime("%Y-%m-%d"))
        res = fit_its(series, spec_d)
        iv = next(x for x in res.interventions if x.label == label)
        rec = {}
        for name in ("level", "slope"):
            e = getattr(iv, f"{name}_change", None)
            vals = (
                (np.nan,) * 5 if e is None else (e.estimate, e.se, e.ci_low, e.ci_high, e.p_value)
            )
            for s, v in zip(("change", "se", "ci_low", "ci_high", "p_value"), vals, strict=True):
                rec[f"{name}_{s}"] = v
        fit = getattr(res, "fit", None)
        llf = getattr(fit, "llf", None)
        resid = getattr(fit, "resid", None)
        ssr = float(np.sum(np.asarray(resid, float) ** 2)) if resid is not None else np.nan
        raw = getattr(res, "raw", None)
        dev = getattr(raw, "deviance", None)
        crit = float(dev) if dev is not None else (np.nan if llf is None else -2.0 * float(llf))
        if ar_reml:  # dates are ranked by the exact ML deviance (see sweep_dates)
            ml = fit_its(series, replace(spec_d, extra=(*spec.extra, ("ar_method", "ml"))))
            crit = -2.0 * float(ml.fit.llf)
        rec.update(
            ssr=ssr,
            loglik=np.nan if llf is None else float(llf),
            f_stat=_wald_f(res, iv),
            criterion=crit,
        )
        recs.append(rec)
    return pd.DataFrame(recs)


def _wald_f(res, iv) -> float:
    """Wald F (chi2 / q) of an intervention's own terms from a full fit; NaN if not found."""
    names = [f"{iv.label}:level"] + ([f"{iv.label}:slope"] if iv.slope_change else [])
    try:
        # on the fitted scale (explorer.results.ItsResult.cov_mult): no squared units
        m = pd.Series(res.cov_mult, index=res.params.index)[names].to_numpy(float)
        b = res.params[names].to_numpy(float) / m
        V = res._cov.loc[names, names].to_numpy(float)
        return float(b @ np.linalg.solve(V, b) / len(names))
    except (KeyError, AttributeError, np.linalg.LinAlgError):
        return float("nan")


def sweep_reference(series, spec: ItsSpec, label: str, dates) -> pd.DataFrame:
    """The plain statsmodels loop the vectorised sweep must equal (tests, benchmarks).

    One ``build_design`` and one ``statsmodels.OLS(...).fit()`` per date; level/slope change, SE,
    SSR.
    """
    import statsmodels.api as sm

    errors = spec.effective_errors
    recs = []
    for d in dates:
        s = spec.with_date(label, pd.Timestamp(d).strftime("%Y-%m-%d"))
        prob = gaussian_problem(series, s)
        m = sm.OLS(prob.y, prob.X)
        if errors == "hac":
            lags = hac_lags_for(spec, len(prob.y))
            r = m.fit(
                cov_type="HAC", cov_kwds={"maxlags": lags, "use_correction": True}, use_t=True
            )
        else:
            r = m.fit()
        term = term_index(prob, label)
        j = prob.cols.index(term.level_col)
        rec = {"level_change": r.params[j], "level_se": r.bse[j], "ssr": r.ssr}
        if term.slope_col:
            js = prob.cols.index(term.slope_col)
            rec.update(slope_change=r.params[js], slope_se=r.bse[js])
        recs.append(rec)
    return pd.DataFrame(recs)
