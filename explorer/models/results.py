"""The results of an interrupted time-series fit, with statsmodels' names.

``ItsResult`` holds ``params``, ``bse``, ``pvalues``, ``conf_int()`` and ``summary()`` like a
statsmodels results object, plus what an analyst of an intervention wants: one effect block per
intervention (level change, slope change, post-intervention trend), the pre-trend, the
counterfactual frame (``mean``, ``mean_ci_lower``, ``mean_ci_upper`` with the intervention terms
switched off), diagnostics, caveats and a sentence a journalist can paste. ``to_dict()`` is
exactly the JSON of ``python -m explorer analyze``.

Effects are linear combinations of the coefficients on the linear-predictor scale (log for
``--log`` and count families); their standard errors come from the coefficient covariance, and
log-scale effects are also given as ratios (exp of the estimate and of its interval ends).
The counterfactual, diagnostics, caveats and summary are computed on first use, so the sweeps
that refit hundreds of times pay only for the fit.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from explorer import schema
from explorer.periods import FREQ_NAMES
from explorer.spec import ItsSpec


@functools.lru_cache(maxsize=256)
def quantile(alpha: float, df: float | None) -> float:
    """The two-sided critical value: t(df), or the normal when df is None."""
    from scipy import special

    if df is None or not np.isfinite(df):
        return float(special.ndtri(1 - alpha / 2))
    return float(special.stdtrit(df, 1 - alpha / 2))


def _pvalues(z, df: float | None):
    """Two-sided p-values of t (df) or z statistics (scipy.special: no per-call overhead)."""
    from scipy import special

    z = np.abs(np.asarray(z, float))
    if df is None or not np.isfinite(df):
        return 2.0 * special.ndtr(-z)
    return 2.0 * special.stdtr(df, -z)


def _pvalue(z: float, df: float | None) -> float:
    if not np.isfinite(z):
        return float("nan")
    return float(_pvalues(z, df))


@dataclass(frozen=True)
class Effect:
    """One estimated quantity on the linear-predictor scale, with its interval and p-value.

    ``ratio``/``ratio_ci_low``/``ratio_ci_high`` are exp() of the estimate and interval on the
    log scale (rate or ratio of geometric means), None on the identity scale.
    """

    estimate: float
    se: float
    ci_low: float
    ci_high: float
    p_value: float
    ratio: float | None = None
    ratio_ci_low: float | None = None
    ratio_ci_high: float | None = None

    @classmethod
    def from_combination(
        cls, estimate: float, se: float, *, df: float | None, log: bool, alpha: float = 0.05
    ) -> Effect:
        q = quantile(alpha, df)
        lo, hi = estimate - q * se, estimate + q * se
        p = _pvalue(estimate / se if se > 0 else float("nan"), df)
        if log:
            return cls(estimate, se, lo, hi, p, math.exp(estimate), math.exp(lo), math.exp(hi))
        return cls(estimate, se, lo, hi, p)

    @property
    def significant(self) -> bool:
        return bool(self.ci_low > 0 or self.ci_high < 0)

    def to_dict(self) -> dict:
        d = {
            "estimate": self.estimate,
            "se": self.se,
            "ci_low": self.ci_low,
            "ci_high": self.ci_high,
            "p_value": self.p_value,
        }
        if self.ratio is not None:
            d.update(
                ratio=self.ratio, ratio_ci_low=self.ratio_ci_low, ratio_ci_high=self.ratio_ci_high
            )
        return d


@dataclass(frozen=True)
class InterventionEffect:
    """One intervention's effects. Comparative ITS: differences, treated minus control, with each
    group's own effects in ``groups``."""

    label: str
    date: str
    first_treated_period: pd.Timestamp
    kind: str
    level_change: Effect | None
    slope_change: Effect | None
    post_trend: Effect | None
    groups: dict | None = None  # {"treated": {...}, "control": {...}} of Effects
    extra: dict | None = None  # model-specific effects (structural-forecast: cumulative)

    def to_dict(self) -> dict:
        def ed(e):
            return None if e is None else e.to_dict()

        d = {
            "label": self.label,
            "date": self.date,
            "first_treated_period": self.first_treated_period.strftime("%Y-%m-%d"),
            "kind": self.kind,
            "level_change": ed(self.level_change),
            "slope_change": ed(self.slope_change),
            "post_trend": ed(self.post_trend),
        }
        if self.groups:
            d["groups"] = {g: {k: ed(v) for k, v in blk.items()} for g, blk in self.groups.items()}
        if self.extra:
            d.update({k: (ed(v) if isinstance(v, Effect) else v) for k, v in self.extra.items()})
        return d


class ItsResult:
    """The fitted interrupted time series; build it with ``explorer.models.fit.fit_its``."""

    def __init__(
        self,
        *,
        series,
        spec: ItsSpec,
        params: pd.Series,
        cov: pd.DataFrame,
        df_resid: float | None,
        errors_used: str,
        n_obs: int,
        intercept: Effect | None,
        pre_trend: Effect | None,
        interventions: list[InterventionEffect],
        covariates: dict,
        raw=None,
        fit=None,
        counterfactual_fn=None,
        diagnostics_base: dict | None = None,
        caveats_base: tuple = (),
        cov_mult=None,
    ):
        self.series = series
        self.spec = spec
        self.params = params
        # cov on the fitted scale; the covariance is cov * outer(cov_mult, cov_mult) (see
        # explorer.its.RawFit.cov_mult): standard errors never square the outcome's units.
        self._cov = cov
        self.cov_mult = np.ones(len(params)) if cov_mult is None else np.asarray(cov_mult, float)
        self.df_resid = df_resid
        self.errors_used = errors_used
        self.n_obs = n_obs
        self.frequency = series.freq
        self.intercept = intercept
        self.pre_trend = pre_trend
        self.interventions = interventions
        self.covariates = covariates
        self.raw = raw  # the statsmodels results object
        self.fit = fit  # explorer.models.fit.RawFit (segmented models)
        self._counterfactual_fn = counterfactual_fn
        self._diagnostics_base = dict(diagnostics_base or {})
        self._caveats_base = tuple(caveats_base)

    # -- statsmodels' names ------------------------------------------------------------------
    @property
    def cov_params_(self) -> pd.DataFrame:
        """The coefficients' covariance in the outcome's units."""
        if (self.cov_mult == 1.0).all():
            return self._cov
        m = self.cov_mult
        with np.errstate(over="ignore", under="ignore"):
            return self._cov * np.outer(m, m)

    @functools.cached_property
    def bse(self) -> pd.Series:
        with np.errstate(over="ignore", under="ignore", invalid="ignore"):
            se = np.sqrt(np.clip(np.diag(self._cov.to_numpy()), 0, None)) * self.cov_mult
        return pd.Series(se, index=self.params.index)

    @functools.cached_property
    def tvalues(self) -> pd.Series:
        return self.params / self.bse

    @functools.cached_property
    def pvalues(self) -> pd.Series:
        return pd.Series(_pvalues(self.tvalues.to_numpy(), self.df_resid), index=self.params.index)

    def cov_params(self) -> pd.DataFrame:
        return self.cov_params_

    def conf_int(self, alpha: float = 0.05) -> pd.DataFrame:
        """Columns 0 and 1 (lower, upper), indexed by parameter, as statsmodels returns."""
        q = quantile(alpha, self.df_resid)
        b, se = self.params.to_numpy(), self.bse.to_numpy()
        return pd.DataFrame(np.column_stack([b - q * se, b + q * se]), index=self.params.index)

    @property
    def hac_lags(self) -> int | None:
        """The Newey-West lags the fit used, as recorded on it (None without HAC errors)."""
        return None if self.fit is None else self.fit.hac_lags

    @property
    def scale(self) -> str:
        return self.spec.scale

    @property
    def model(self) -> str:
        return self.spec.model

    @property
    def family(self) -> str:
        return self.spec.family

    def effect(self, weights: dict[str, float], alpha: float = 0.05) -> Effect:
        """Any linear combination of the coefficients, e.g. ``{"trend": 1, "x:slope": 1}``."""
        c = pd.Series(0.0, index=self.params.index)
        for k, w in weights.items():
            c[k] += w
        est = float(weighted_sum(c.to_numpy(), self.params.to_numpy()))
        se = float(combination_se(c.to_numpy(), self._cov.to_numpy(), self.cov_mult)[0])
        return Effect.from_combination(
            est, se, df=self.df_resid, log=self.scale == "log", alpha=alpha
        )

    # -- lazily computed views -----------------------------------------------------------------
    @functools.cached_property
    def counterfactual(self) -> pd.DataFrame:
        """Indexed by date: observed, fitted, mean, mean_ci_lower, mean_ci_upper (the
        counterfactual without the intervention terms, outcome scale), effect (observed - mean),
        effect_ci_lower, effect_ci_upper, cumulative_effect (from the first treated period)."""
        return self._counterfactual_fn(self)

    @functools.cached_property
    def diagnostics(self) -> dict:
        from explorer.models.report import diagnostics

        return diagnostics(self)

    @functools.cached_property
    def caveats(self) -> list[str]:
        from explorer.models.report import caveats

        return caveats(self)

    @functools.cached_property
    def summary_text(self) -> str:
        from explorer.models.report import plain_summary

        return plain_summary(self)

    def summary(self) -> str:
        """A text report: the coefficient table, each intervention's effects, the caveats."""
        ci = self.conf_int()
        dist = "t" if self.df_resid is not None else "z"
        lines = [
            f"Interrupted time series: {self.model}, family {self.family}"
            + (" on log(y)" if self.spec.log else "")
            + f", errors {self.errors_used}",
            f"Outcome {self.series.value_name!r}, {FREQ_NAMES.get(self.frequency, self.frequency)}"
            f", n = {self.n_obs}",
            "",
            f"{'':24s}{'coef':>12s}{'std err':>12s}{dist:>9s}{'P>|' + dist + '|':>9s}"
            f"{'[0.025':>12s}{'0.975]':>12s}",
        ]
        for name in self.params.index:
            lines.append(
                f"{name[:24]:24s}{self.params[name]:12.5g}{self.bse[name]:12.4g}"
                f"{self.tvalues[name]:9.3f}{self.pvalues[name]:9.3f}"
                f"{ci.loc[name, 0]:12.5g}{ci.loc[name, 1]:12.5g}"
            )
        lines += ["", self.summary_text]
        if self.caveats:
            lines += ["", "Caveats:"] + [f"- {c}" for c in self.caveats]
        return "\n".join(lines)

    def to_dict(self, *, series: bool = False) -> dict:
        """The JSON of ``python -m explorer analyze`` (``series=True`` adds the counterfactual)."""

        def ed(e):
            return None if e is None else e.to_dict()

        d = {
            "schema_version": schema.SCHEMA_VERSION,
            "spec": self.spec.to_dict(),
            "provenance": self.provenance(),
            "n_obs": self.n_obs,
            "frequency": self.frequency,
            "model": self.model,
            "family": self.family,
            "scale": self.scale,
            "errors": self.errors_used,
            "intercept": ed(self.intercept),
            "pre_trend": ed(self.pre_trend),
            "interventions": [iv.to_dict() for iv in self.interventions],
            "covariates": {k: ed(v) for k, v in self.covariates.items()},
            "coefficients": {
                name: {
                    "estimate": float(self.params[name]),
                    "se": float(self.bse[name]),
                    "ci_low": float(self.conf_int().loc[name, 0]),
                    "ci_high": float(self.conf_int().loc[name, 1]),
                    "p_value": float(self.pvalues[name]),
                }
                for name in self.params.index
            },
            "diagnostics": self.diagnostics,
            "caveats": self.caveats,
            "summary": self.summary_text,
        }
        if self.fit is not None and self.fit.comparative:
            d["comparative"] = {
                k: v for k, v in self.fit.comparative.items() if k in ("control", "pooled_units")
            }
        if series:
            cf = self.counterfactual.reset_index()
            cf["date"] = cf["date"].dt.strftime("%Y-%m-%d")
            d["counterfactual"] = cf.to_dict(orient="records")
        return d

    def provenance(self) -> dict:
        src = dict(self.series.source or {})
        return schema.provenance(src.get("name") or src.get("path"), src.get("sha256"))

    # -- construction from a segmented fit ------------------------------------------------------
    @classmethod
    def from_raw(cls, series, spec: ItsSpec, fit, *, counterfactual_fn=None) -> ItsResult:
        """Effects of a segmented fit (``explorer.models.fit.RawFit``), single-group or comparative.

        ``counterfactual_fn(result) -> DataFrame`` builds ``result.counterfactual``; the default
        is the segmented model's (the design with the intervention terms switched off).
        """
        params, cov, df = fit.params, fit.cov, fit.df_resid
        comparative = fit.comparative is not None
        log = spec.scale == "log"
        b, V = params.to_numpy(), cov.to_numpy()
        mult = getattr(fit, "cov_mult", None)
        mult = np.ones(len(b)) if mult is None else np.asarray(mult, float)
        where = {name: i for i, name in enumerate(params.index)}

        def eff(weights):
            c = np.zeros(len(b))
            for k, w in weights.items():
                c[where[k]] += w
            se = float(combination_se(c, V, mult)[0])
            return Effect.from_combination(float(weighted_sum(c, b)), se, df=df, log=log)

        def both(col):  # the treated group's own coefficient: base + diff in comparative ITS
            return {col: 1.0, f"diff:{col}": 1.0} if comparative else {col: 1.0}

        terms = sorted(fit.design.terms, key=lambda t: t.t0)
        by_label = {t.label: t for t in terms}
        ivs = []
        for iv in spec.interventions:
            term = by_label[iv.label]
            earlier = [t for t in terms if t.t0 <= term.t0 and t.slope_col]
            has_trend = "trend" in params.index
            post_w: dict[str, float] = dict(both("trend")) if has_trend else {}
            for t in earlier:
                for k, w in both(t.slope_col).items():
                    post_w[k] = post_w.get(k, 0.0) + w
            groups = None
            if comparative:
                lvl = eff({f"diff:{term.level_col}": 1.0})
                slope = eff({f"diff:{term.slope_col}": 1.0}) if term.slope_col else None
                ctrl_post = {"trend": 1.0, **{t.slope_col: 1.0 for t in earlier}}
                groups = {
                    "treated": {
                        "level_change": eff(both(term.level_col)),
                        "slope_change": eff(both(term.slope_col)) if term.slope_col else None,
                        "post_trend": eff(post_w),
                    },
                    "control": {
                        "level_change": eff({term.level_col: 1.0}),
                        "slope_change": eff({term.slope_col: 1.0}) if term.slope_col else None,
                        "post_trend": eff(ctrl_post),
                    },
                }
            else:
                lvl = eff({term.level_col: 1.0})
                slope = eff({term.slope_col: 1.0}) if term.slope_col else None
            ivs.append(
                InterventionEffect(
                    label=iv.label,
                    date=iv.date,
                    first_treated_period=term.first_treated,
                    kind=iv.kind,
                    level_change=lvl,
                    slope_change=slope,
                    post_trend=eff(post_w) if has_trend else None,
                    groups=groups,
                )
            )
        covs = {c: eff(both(c)) for c in fit.design.covariate_cols}
        diag = {}
        if comparative:
            diag["pre_trend_difference"] = eff({"diff:trend": 1.0}).to_dict()
            diag["intercept_difference"] = eff({"diff:const": 1.0}).to_dict()
            diag["control_pre_trend"] = eff({"trend": 1.0}).to_dict()
            diag["control_intercept"] = eff({"const": 1.0}).to_dict()
        return cls(
            series=series,
            spec=spec,
            params=params,
            cov=cov,
            df_resid=df,
            errors_used=spec.effective_errors,
            n_obs=int(fit.rows.sum()),
            intercept=eff(both("const")) if "const" in params.index else None,
            pre_trend=eff(both("trend")) if "trend" in params.index else None,
            interventions=ivs,
            covariates=covs,
            raw=fit.raw,
            fit=fit,
            counterfactual_fn=counterfactual_fn or segmented_counterfactual,
            diagnostics_base=diag,
            caveats_base=fit.design.caveats,
            cov_mult=mult,
        )


def weighted_sum(A, b: np.ndarray):
    """``A @ b`` over the parameters some row weights: one none does (sigma2 of an outcome near
    1e300, infinite in its units) would turn 0 * inf into NaN."""
    A = np.asarray(A, float)
    used = (np.atleast_2d(A) != 0).any(axis=0)
    return A[..., used] @ np.asarray(b, float)[used]


def combination_se(C, V: np.ndarray, mult: np.ndarray) -> np.ndarray:
    """sqrt(c' D V D c) for each row c of ``C``, D = diag(mult), without squaring the units.

    The weights are scaled to at most 1 first, so an outcome near 1e-300 (or 1e300) gives
    standard errors near 1e-300 (or 1e300) rather than the root of an under- or overflow.
    """
    C = np.atleast_2d(np.asarray(C, float))
    with np.errstate(over="ignore", invalid="ignore"):
        W = np.where(C == 0, 0.0, C * mult)
    top = float(np.max(np.abs(W))) if W.size else 0.0
    if not (np.isfinite(top) and top > 0):
        top = 1.0
    W = W / top
    with np.errstate(under="ignore"):
        return top * np.sqrt(np.clip(np.einsum("ij,jk,ik->i", W, V, W), 0, None))


def linear_predictor_rows(
    result: ItsResult, X: pd.DataFrame, *, counterfactual: bool
) -> np.ndarray:
    """The rows of the fitted design (stacked form for comparative ITS) for the treated series
    at the rows of ``X`` (a design on the series' own columns), interventions on or off."""
    fit = result.fit
    Xn = X.to_numpy(dtype=float)
    iv_idx = [X.columns.get_loc(c) for c in fit.design.intervention_cols]
    if fit.comparative is not None:
        diff = Xn.copy()
        if counterfactual:
            diff[:, iv_idx] = 0.0
        rows = np.column_stack([Xn, diff])
    else:
        rows = Xn.copy()
        if counterfactual:
            rows[:, iv_idx] = 0.0
    k = rows.shape[1]
    extra = len(result.params) - k  # alpha, ar.L1, sigma2 ... do not enter the mean
    return np.column_stack([rows, np.zeros((len(rows), extra))]) if extra else rows


def segmented_counterfactual(result: ItsResult, alpha: float = 0.05) -> pd.DataFrame:
    """The regression's counterfactual: intervention terms set to 0 (comparative ITS: the
    ``diff:`` intervention terms, so the control's own change stays in). Intervals are for the
    mean (x' V x on the linear predictor), mapped through exp on the log scale: for ``--log``
    that is the geometric mean (median) of y, for count models the expected count."""
    fit = result.fit
    X = fit.design.X
    b = result.params.to_numpy()
    full = linear_predictor_rows(result, X, counterfactual=False)
    cf = linear_predictor_rows(result, X, counterfactual=True)
    off = fit.log_offset if fit.log_offset is not None else 0.0
    eta = weighted_sum(full, b) + off
    eta_cf = weighted_sum(cf, b) + off
    se = combination_se(cf, result._cov.to_numpy(), result.cov_mult)
    q = quantile(alpha, result.df_resid)
    lo, hi = eta_cf - q * se, eta_cf + q * se
    inv = np.exp if result.scale == "log" else (lambda v: v)
    frame = pd.DataFrame(
        {
            "observed": np.asarray(result.series.y, float),
            "fitted": inv(eta),
            "mean": inv(eta_cf),
            "mean_ci_lower": inv(lo),
            "mean_ci_upper": inv(hi),
        },
        index=pd.DatetimeIndex(result.series.dates, name="date"),
    )
    return add_effect_columns(frame, result)


def add_effect_columns(frame: pd.DataFrame, result: ItsResult) -> pd.DataFrame:
    """effect = observed - counterfactual mean (CausalImpact's point effect), its interval, and
    the cumulative effect from the first treated period on (NaN before it; gaps add nothing)."""
    frame = frame.copy()
    frame["effect"] = frame["observed"] - frame["mean"]
    frame["effect_ci_lower"] = frame["observed"] - frame["mean_ci_upper"]
    frame["effect_ci_upper"] = frame["observed"] - frame["mean_ci_lower"]
    starts = [iv.first_treated_period for iv in result.interventions]
    cum = pd.Series(np.nan, index=frame.index)
    if starts:
        post = frame.index >= min(starts)
        cum[post] = frame["effect"][post].fillna(0.0).cumsum()
        cum[post & frame["observed"].isna().to_numpy()] = np.nan
    frame["cumulative_effect"] = cum
    return frame
