"""Do fake interventions give effects just as large? Placebos in time and in space.

In time: the series is cut just before the intervention's first treated period and the
intervention is placed at every admissible fake date of that pre-period (``trim`` of the
pre-period kept on each side, and the design's segment rules), so no placebo sees treated data.
In space (long data): each control unit is treated as if it were the treated one.

The real effect's rank among the placebos gives a permutation p-value,
(1 + #{placebos at least as extreme}) / (n + 1), two-sided. By default the estimates are ranked
studentised (|estimate / se|, ``statistic="t"``): the placebo fits see less data than the real
one (only the pre-period), so their raw estimates are noisier and ranking |estimate| makes the
test conservative (about 2% rejections at the 5% level under the null in the seeded simulation
of ``tests/robustness/test_sweep_placebo.py``), while the studentised ranks give p-values
uniform under the null. ``statistic="estimate"`` ranks the raw level changes. With n placebos
no p-value below 1/(n + 1) is attainable: ``min_attainable_p`` says so.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from explorer.errors import InputError, SpecError
from explorer.robustness.fastols import batch_ols
from explorer.robustness.sweep import (
    admissible_t0,
    ar1_batched,
    designs_at,
    effect_rows,
    fast_path,
    fit_moved,
    gaussian_problem,
    term_index,
)
from explorer.spec import ItsSpec


@dataclass(frozen=True)
class PlaceboResult:
    """The real effect, every placebo estimate, and the permutation p-value."""

    kind: str  # "time" or "space"
    label: str
    effect: float
    effect_se: float
    placebos: pd.DataFrame  # columns: date (time) or unit (space), estimate, se
    p_value: float
    statistic: str
    two_sided: bool
    path: str

    @property
    def n_placebos(self) -> int:
        return len(self.placebos)

    @property
    def min_attainable_p(self) -> float:
        return 1.0 / (self.n_placebos + 1)

    @property
    def rank(self) -> int:
        """1 + the number of placebos at least as extreme as the real effect."""
        return int(round(self.p_value * (self.n_placebos + 1)))

    def to_dict(self) -> dict:
        key = "date" if self.kind == "time" else "unit"
        return {
            "kind": self.kind,
            "label": self.label,
            "effect": self.effect,
            "effect_se": self.effect_se,
            "placebos": [
                {key: r[0], "estimate": r[1], "se": r[2]}
                for r in self.placebos[[key, "estimate", "se"]].itertuples(index=False)
            ],
            "n_placebos": self.n_placebos,
            "p_value": self.p_value,
            "min_attainable_p": self.min_attainable_p,
            "statistic": self.statistic,
            "two_sided": self.two_sided,
            "path": self.path,
        }


def permutation_p(real: float, placebos, *, two_sided: bool = True) -> float:
    """(1 + #{placebo at least as extreme as ``real``}) / (n + 1).

    Examples
    --------
    >>> permutation_p(3.0, [1.0, -4.0, 2.0])
    0.5
    """
    p = np.asarray(placebos, float)
    p = p[np.isfinite(p)]
    if two_sided:
        extreme = np.abs(p) >= abs(real) - 1e-12 * abs(real)
    else:
        s = 1.0 if real >= 0 else -1.0
        extreme = s * p >= s * real - 1e-12 * abs(real)
    return float((1 + extreme.sum()) / (len(p) + 1))


def _stat(est, se, statistic):
    return np.asarray(est, float) / (np.asarray(se, float) if statistic == "t" else 1.0)


def _label(spec: ItsSpec, label: str | None) -> str:
    if not spec.interventions:
        raise SpecError("A placebo test needs the real intervention: give it with --intervention.")
    return label or spec.interventions[0].label


def _real_effect(series, spec: ItsSpec, label: str, prob=None) -> tuple[float, float]:
    if fast_path(spec):
        prob = prob or gaussian_problem(series, spec)
        fit = batch_ols(prob.X, prob.y, errors=spec.effective_errors, hac_lags=spec.hac_lags)
        e = effect_rows(fit, prob, label)
        return float(e["level_change"][0]), float(e["level_se"][0])
    from explorer.models.fit import fit_its

    res = fit_its(series, spec)
    iv = next(x for x in res.interventions if x.label == label)
    return float(iv.level_change.estimate), float(iv.level_change.se)


def placebo_in_time(
    series,
    spec: ItsSpec,
    *,
    label: str | None = None,
    trim: float = 0.15,
    statistic: str = "t",
    two_sided: bool = True,
) -> PlaceboResult:
    """The real level change against the same model at every fake date of the pre-period.

    Parameters
    ----------
    series, spec
        The data and the analysis.
    label
        The intervention to test (default the first).
    trim
        Share of the pre-period kept on each side of every fake date.
    statistic
        ``estimate`` (rank |level change|) or ``t`` (rank |level change / se|).
    two_sided
        False ranks in the real effect's direction only.

    Returns
    -------
    PlaceboResult

    Raises
    ------
    SpecError
        The pre-period is too short to hold a fake date.
    """
    label = _label(spec, label)
    if statistic not in ("estimate", "t"):
        raise InputError(f"Unknown placebo statistic {statistic!r}: use estimate or t.")
    batched = fast_path(spec) or ar1_batched(spec)
    full = gaussian_problem(series, replace(spec, family="gaussian", log=spec.log and batched))
    real, real_se = _real_effect(series, spec, label, full if fast_path(spec) else None)
    cut = term_index(full, label).first_treated
    keep = np.asarray(pd.DatetimeIndex(series.dates) < cut)
    pre = replace(
        series,
        dates=pd.DatetimeIndex(series.dates)[keep],
        y=np.asarray(series.y)[keep],
        extra=series.extra.loc[keep].reset_index(drop=True)
        if len(series.extra.columns)
        else series.extra,
        units=None if series.units is None else series.units.loc[keep],
    )
    ivs = [iv for iv in spec.interventions if iv.label != label and iv.timestamp < cut]
    me = next(iv for iv in spec.interventions if iv.label == label)
    n_pre = int(np.isfinite(pre.y).sum())
    mid = pd.DatetimeIndex(pre.dates)[np.isfinite(pre.y)][n_pre // 2] if n_pre >= 2 else None
    try:
        pspec = spec.with_interventions([*ivs, replace(me, date=mid.strftime("%Y-%m-%d"))])
        prob = gaussian_problem(pre, replace(pspec, family="gaussian", log=spec.log and batched))
        t0s = admissible_t0(prob, label, trim=trim)
    except (SpecError, AttributeError):
        t0s = np.array([], int)
    if len(t0s) == 0:
        raise SpecError(
            f"Only {n_pre} observations before {label!r}: too few to place a fake intervention "
            "date with enough data on each side. Use a longer pre-period or a smaller --trim."
        )
    from explorer.periods import period_start

    dates = period_start(prob.ords0 + t0s, series.freq)
    if fast_path(spec):
        fit, names = fit_moved(prob, pspec, label, t0s)
        e = effect_rows(fit, prob, label, names=names)
        est, se, path = e["level_change"], e["level_se"], "vectorised"
    elif ar1_batched(spec):  # AR(1) by REML: every placebo date at once, the full fit's search
        from explorer.models.ar import ar1_reml_batch

        r = ar1_reml_batch(designs_at(prob, pspec, label, t0s), prob.y)
        j = prob.cols.index(term_index(prob, label).level_col)
        est, se, path = r["params"][:, j], np.sqrt(r["cov"][:, j, j]), "vectorised"
    else:
        from explorer.models.fit import fit_its

        est, se = [], []
        for d in dates:
            res = fit_its(pre, pspec.with_date(label, d.strftime("%Y-%m-%d")))
            lc = next(x for x in res.interventions if x.label == label).level_change
            est.append(lc.estimate)
            se.append(lc.se)
        est, se, path = np.array(est), np.array(se), "loop"
    placebos = pd.DataFrame({"date": dates, "estimate": est, "se": se})
    p = permutation_p(
        float(_stat(real, real_se, statistic)), _stat(est, se, statistic), two_sided=two_sided
    )
    return PlaceboResult("time", label, real, real_se, placebos, p, statistic, two_sided, path)


def placebo_in_space(
    series,
    spec: ItsSpec,
    *,
    label: str | None = None,
    statistic: str = "t",
    two_sided: bool = True,
) -> PlaceboResult:
    """Each control unit treated as if it were the treated one (long data).

    With a control (comparative ITS, the default for long data) each unit's effect is the
    difference between its level change and that of the mean of the other controls (the real
    treated unit never serves as a control); without, each unit's own level change. Gaussian
    models fit every unit at once: the pooled, fully interacted model gives the same point
    estimate as the level change of the difference series, so that is what is ranked.

    Raises
    ------
    InputError
        The data are not long (no units), or there is only one control.
    """
    label = _label(spec, label)
    if series.units is None or series.treated_unit is None:
        raise InputError(
            "In-space placebos need long data with several units: give --group COL and "
            "--treated VALUE."
        )
    U = series.units.astype(float)
    treated = series.treated_unit
    controls = [c for c in U.columns if c != treated]
    if len(controls) < 2:
        raise InputError(
            f"In-space placebos need at least two control units; found {len(controls)}."
        )
    comparative = spec.group is not None or spec.control is not None
    names = [treated, *controls]
    Y = []
    for u in names:
        y = U[u].to_numpy()
        if comparative:
            pool = [c for c in controls if c != u]
            y = y - U[pool].mean(axis=1).to_numpy()
        Y.append(y)
    Y = np.array(Y)
    ok = np.isfinite(Y).all(axis=0)
    gspec = replace(spec, group=None, treated=None, control=None)
    if not fast_path(gspec) or spec.log:
        raise InputError(
            "In-space placebos are computed for gaussian models on the original scale: use "
            "--family gaussian without --log (the estimate is then in the outcome's units)."
        )
    base = replace(series, y=np.where(ok, Y[0], np.nan), units=None, treated_unit=None)
    prob = gaussian_problem(base, gspec)
    fit = batch_ols(prob.X, Y[:, ok], errors=gspec.effective_errors, hac_lags=spec.hac_lags)
    e = effect_rows(fit, prob, label)
    est, se = e["level_change"], e["level_se"]
    placebos = pd.DataFrame({"unit": controls, "estimate": est[1:], "se": se[1:]})
    p = permutation_p(
        float(_stat(est[0], se[0], statistic)),
        _stat(est[1:], se[1:], statistic),
        two_sided=two_sided,
    )
    return PlaceboResult(
        "space", label, float(est[0]), float(se[0]), placebos, p, statistic, two_sided, "vectorised"
    )
