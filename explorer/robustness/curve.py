"""Does the answer hang on one modelling choice? The specification curve.

Following Simonsohn, Simmons & Nelson (2020, "Specification curve analysis", Nature Human
Behaviour 4:1208-1214): the main estimate (the level change at the claimed intervention) under
every combination of the choices an analyst could defensibly make (family, errors, seasonality,
slope change or not, start and end of the window, covariates in or out), sorted, with the
choices kept beside each estimate so the app can draw them beneath the curve. Plus
leave-one-intervention-out. Estimates are put on one scale, the percent change at the first
treated period (100 (exp(b) - 1) on the log scale; 100 b / counterfactual level on the identity
scale), because a curve mixing counts and logs is otherwise meaningless.

Gaussian OLS/HAC paths use the fast path; the rest call ``explorer.models.fit.fit_its``. A path that
cannot be fitted (too few points after trimming, a model that does not converge) is kept with
its reason and left out of the shares.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from explorer.errors import ExplorerError, SpecError
from explorer.robustness.fastols import batch_ols
from explorer.robustness.sweep import fast_path, gaussian_problem, term_index
from explorer.spec import ItsSpec

CHOICES = ("family", "errors", "seasonality", "slope_change", "start", "end", "covariates")


@dataclass(frozen=True)
class SpecsResult:
    """Every forking path's estimate (sorted), its choices, and the share agreeing with the claim."""

    label: str
    rows: pd.DataFrame  # CHOICES + estimate, se, p_value, pct, pct_ci_low, pct_ci_high, ok, reason
    leave_one_out: pd.DataFrame  # dropped, estimate, p_value, pct
    claimed_sign: int
    alpha: float

    @property
    def n_paths(self) -> int:
        return len(self.rows)

    @property
    def fitted(self) -> pd.DataFrame:
        return self.rows[self.rows["ok"]]

    @property
    def share_same_sign_significant(self) -> float:
        f = self.fitted
        if not len(f):
            return float("nan")
        hit = (np.sign(f["estimate"]) == self.claimed_sign) & (f["p_value"] < self.alpha)
        return float(hit.mean())

    @property
    def share_same_sign(self) -> float:
        f = self.fitted
        return (
            float((np.sign(f["estimate"]) == self.claimed_sign).mean()) if len(f) else float("nan")
        )

    def chart_frame(self) -> pd.DataFrame:
        """Fitted paths as ``estimate, ci_low, ci_high`` (percent) plus the choices, sorted,
        for ``explorer.charts.base.spec_curve_chart``."""
        f = self.fitted
        out = f[list(CHOICES)].copy()
        out["slope_change"] = out["slope_change"].map({True: "level+slope", False: "level"})
        out["covariates"] = out["covariates"].map({True: "with", False: "without"})
        out[["start", "end"]] = out[["start", "end"]].map(lambda v: f"-{v:.0%}" if v else "full")
        out.insert(0, "ci_high", f["pct_ci_high"])
        out.insert(0, "ci_low", f["pct_ci_low"])
        out.insert(0, "estimate", f["pct"])
        return out.reset_index(drop=True)

    def to_dict(self) -> dict:
        cols = [
            *CHOICES,
            "estimate",
            "se",
            "p_value",
            "pct",
            "pct_ci_low",
            "pct_ci_high",
            "ok",
            "reason",
        ]
        return {
            "label": self.label,
            "n_paths": self.n_paths,
            "n_fitted": int(self.rows["ok"].sum()),
            "claimed_sign": self.claimed_sign,
            "alpha": self.alpha,
            "share_same_sign": self.share_same_sign,
            "share_same_sign_significant": self.share_same_sign_significant,
            "rows": self.rows[cols].to_dict(orient="records"),
            "leave_one_out": self.leave_one_out.to_dict(orient="records"),
        }


def default_choices(series, spec: ItsSpec) -> dict[str, list]:
    """The defensible options for this series: counts get count families, frequency sets seasonality."""
    y = np.asarray(series.y, float)
    y = y[np.isfinite(y)]
    fams = ["gaussian"]
    if (y > 0).all():
        fams.append("gaussian-log")
    if (y >= 0).all() and np.allclose(y, np.round(y)):
        # Quasi-Poisson covers overdispersed counts; the negative binomial's ML fit can take
        # seconds per path and fail to converge, so it joins the curve only when asked.
        fams.append("quasipoisson")
    seas = {
        "M": ["none", "month"],
        "W": ["none", "fourier:2"],
        "D": ["none", "dow"],
        "Q": ["none", "fourier:1"],
    }.get(series.freq, ["none"])
    return {
        "family": fams,
        # Errors per family (see ``_errors_for``): regression AR(1) errors are a state-space fit
        # of about a second each, so they join the curve only when asked (--include-ar).
        "errors": ["ols", "hac"],
        "seasonality": seas,
        "slope_change": [True, False],
        "start": [0.0, 0.1],
        "end": [0.0, 0.1],
        "covariates": [True, False] if spec.covariates else [True],
    }


def _errors_for(family: str, errors: list[str]) -> list[str]:
    """Count families take model-based or Newey-West errors; OLS and AR(P) are gaussian only."""
    if family.startswith("gaussian"):
        return [e for e in errors if e != "model"]
    return ["model"] + [e for e in errors if e == "hac"]


def _path_spec(spec: ItsSpec, label: str, c: dict) -> ItsSpec:
    from explorer.spec import parse_errors, parse_seasonality

    fam = c["family"]
    errors, ar = parse_errors(c["errors"])
    count = fam in ("poisson", "quasipoisson", "negbin")
    if count and errors in ("ols", "ar"):
        raise SpecError(f"{c['errors']} errors do not apply to the {fam} family")
    if count:
        errors = "model" if errors is None else errors
    season, k = parse_seasonality(c["seasonality"])
    ivs = tuple(
        replace(iv, kind="level_slope" if c["slope_change"] else "level")
        if iv.label == label and iv.kind in ("level", "level_slope")
        else iv
        for iv in spec.interventions
    )
    return replace(
        spec,
        family="gaussian" if fam.startswith("gaussian") else fam,
        log=fam == "gaussian-log",
        errors=errors,
        ar_order=ar,
        seasonality=season,
        fourier_k=k,
        interventions=ivs,
        covariates=spec.covariates if c["covariates"] else (),
    )


def _window(series, start: float, end: float):
    n = len(series.dates)
    a, b = int(np.floor(start * n)), n - int(np.floor(end * n))
    if a == 0 and b == n:
        return series
    sl = slice(a, b)
    return replace(
        series,
        dates=pd.DatetimeIndex(series.dates)[sl],
        y=np.asarray(series.y)[sl],
        extra=series.extra.iloc[sl].reset_index(drop=True)
        if len(series.extra.columns)
        else series.extra,
        units=None if series.units is None else series.units.iloc[sl],
    )


def estimate_path(series, spec: ItsSpec, label: str, alpha: float = 0.05) -> dict:
    """Level change of ``label`` (model scale) with its percent change at the first treated period."""
    from scipy import stats

    if fast_path(spec):
        prob = gaussian_problem(series, spec)
        fit = batch_ols(prob.X, prob.y, errors=spec.effective_errors, hac_lags=spec.hac_lags)
        term = term_index(prob, label)
        j = prob.cols.index(term.level_col)
        b, se, p = fit.params[0, j], fit.bse[0, j], fit.pvalues()[0, j]
        q = fit.crit(alpha)
        row = int(np.searchsorted(prob.t, term.t0))
        x = prob.X[row].copy()
        for tt in prob.design.terms:
            for col in (tt.level_col, tt.slope_col):
                if col and tt.t0 >= term.t0:
                    x[prob.cols.index(col)] = 0.0
        cf = float(x @ fit.params[0])
    else:
        from explorer.models.fit import fit_its

        res = fit_its(series, spec)
        iv = next(x for x in res.interventions if x.label == label)
        e = iv.level_change
        b, se, p = e.estimate, e.se, e.p_value
        q = (e.ci_high - e.estimate) / e.se if e.se > 0 else stats.norm.isf(alpha / 2)
        cfr = res.counterfactual
        cfr = cfr() if callable(cfr) else cfr
        cf = float(cfr["mean"].loc[iv.first_treated_period]) if spec.scale == "identity" else np.nan
    lo, hi = b - q * se, b + q * se
    if spec.scale == "log":
        pct = [100 * (np.exp(v) - 1) for v in (b, lo, hi)]
    else:
        pct = [100 * v / cf if cf else np.nan for v in (b, lo, hi)]
    return {
        "estimate": float(b),
        "se": float(se),
        "p_value": float(p),
        "pct": pct[0],
        "pct_ci_low": pct[1],
        "pct_ci_high": pct[2],
    }


def specification_curve(
    series,
    spec: ItsSpec,
    *,
    label: str | None = None,
    choices: dict[str, list] | None = None,
    claimed_sign: int | None = None,
    alpha: float = 0.05,
) -> SpecsResult:
    """The level change of ``label`` under every combination of ``choices``.

    Parameters
    ----------
    series, spec
        The data and the main analysis.
    label
        The intervention whose effect is tracked (default the first).
    choices
        Options per choice (keys of ``CHOICES``); missing keys take ``default_choices``.
        ``start``/``end`` are shares of the series cut from each end.
    claimed_sign
        -1 for a claimed fall, +1 for a rise; default the main spec's estimate's sign.
    alpha
        Significance level.

    Returns
    -------
    SpecsResult
    """
    if not spec.interventions:
        raise SpecError(
            "A specification curve tracks an intervention's effect: give --intervention."
        )
    label = label or spec.interventions[0].label
    opts = {**default_choices(series, spec), **(choices or {})}
    if claimed_sign is None:
        claimed_sign = int(np.sign(estimate_path(series, spec, label, alpha)["estimate"])) or -1
    recs = []
    rest = CHOICES[2:]
    combos = [
        {"family": fam, "errors": err, **dict(zip(rest, other, strict=True))}
        for fam in opts["family"]
        for err in _errors_for(fam, opts["errors"])
        for other in itertools.product(*(opts[k] for k in rest))
    ]
    for c in combos:
        rec = {**c, "ok": True, "reason": ""}
        try:
            s = _path_spec(spec, label, c)
            rec.update(estimate_path(_window(series, c["start"], c["end"]), s, label, alpha))
        except (ExplorerError, ValueError, np.linalg.LinAlgError) as exc:
            rec.update(ok=False, reason=" ".join(str(exc).split())[:200])
        recs.append(rec)
    rows = pd.DataFrame(recs)
    if rows.empty:
        raise SpecError("No specification to fit: every choice list is empty.")
    for col in ("estimate", "se", "p_value", "pct", "pct_ci_low", "pct_ci_high"):
        if col not in rows:
            rows[col] = np.nan
    rows = rows.sort_values("pct", na_position="last", kind="stable").reset_index(drop=True)
    loo = []
    for iv in spec.interventions:
        if iv.label == label:
            continue
        try:
            e = estimate_path(
                series,
                spec.with_interventions([x for x in spec.interventions if x.label != iv.label]),
                label,
                alpha,
            )
            loo.append({"dropped": iv.label, **e})
        except ExplorerError as exc:
            loo.append({"dropped": iv.label, "reason": str(exc)})
    return SpecsResult(label, rows, pd.DataFrame(loo), int(claimed_sign), alpha)
