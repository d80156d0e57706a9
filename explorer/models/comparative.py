"""Comparative ITS: the treated series against a control, as Stata's ``itsa`` multiple-group design.

Treated and control rows are stacked and every term is interacted with ``treated`` (itsa's
``_z``): the ``diff:`` intervention terms are the difference in level and slope change, treated
minus control; the plain terms are the control's own. Long data pools each control unit (the
control coefficients then equal those of the mean series, and the errors are itsa's); wide data
stacks the one control column. Newey-West errors are Stata's panel ``newey``: Bartlett-weighted
autocovariances within each unit only, times n/(n-k), t(n-k) intervals (this reproduces Linden's
published P = 0.631 for Prop 99's difference in level change).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from explorer.errors import SpecError
from explorer.io.series import SeriesData
from explorer.models.design import Design
from explorer.models.segmented import (
    RawFit,
    check_hac_lags,
    check_rank,
    column,
    hac_lags_for,
    outcome_unit,
    raw_from,
    rescaled,
    statsmodels_fit,
)
from explorer.spec import ItsSpec


def _control_column(series: SeriesData, spec: ItsSpec) -> tuple[np.ndarray, str]:
    for name in (spec.control, "control"):
        if name and name in series.extra.columns:
            return column(series, name, "control"), name
    raise SpecError(
        f"No control series {spec.control!r} in the data: name a column of wide data with "
        "--control COL, or use long data with --group COL --treated VALUE."
    )


def fit_comparative(series: SeriesData, spec: ItsSpec, design: Design, inputs: dict) -> RawFit:
    """Treated and control rows stacked, every term interacted with ``treated`` (itsa's ``_z``).

    Long data pools each control unit (as ``itsa`` does; the control coefficients equal those of
    the mean series); wide data stacks the control column. Newey-West errors are Stata's panel
    ``newey``: autocovariances within each unit only, n/(n-k) factor, t(n-k) intervals.
    """
    if spec.effective_errors.startswith("ar:"):
        raise SpecError(
            "AR errors are not available for comparative ITS with a control series: use "
            "--errors hac (Newey-West within each series, as itsa) or ols."
        )
    if spec.is_count and spec.effective_errors == "hac":
        raise SpecError(
            "Comparative count models use model-based errors: drop --errors hac, or use "
            "--family gaussian --errors hac."
        )
    if spec.covariates:
        # The control rows would borrow the treated series' covariate values: refuse rather
        # than fit something that looks like itsa's covariate adjustment and is not.
        raise SpecError(
            "Covariates cannot be combined with a control series yet (the control's own "
            "covariate values are not in the data): drop --covariate, or drop the control and "
            "use the control series as a covariate (--covariate COL)."
        )
    rows = inputs["rows"]
    panels = _control_panels(series, spec)
    base = design.X.loc[rows]
    names = list(base.columns)
    ys, xs, groups = [inputs["y_model"][rows]], [base.to_numpy()], [np.zeros(rows.sum())]
    offs = [None if inputs["log_offset"] is None else inputs["log_offset"][rows]]
    ctrl_names = []
    for j, (label, values) in enumerate(panels):
        v = values[rows]
        keep = np.isfinite(v)
        if spec.log:
            if (v[keep] <= 0).any():
                raise SpecError(f"--log needs a positive control series; {label!r} has zeros.")
            v = np.log(np.where(keep, v, np.nan))
        ys.append(v[keep])
        xs.append(base.to_numpy()[keep])
        groups.append(np.full(keep.sum(), j + 1.0))
        offs.append(None if offs[0] is None else offs[0][keep])
        ctrl_names.append(label)
    z = np.concatenate([np.full(len(ys[0]), 1.0)] + [np.zeros(len(v)) for v in ys[1:]])
    Xb = np.vstack(xs)
    Xs = np.column_stack([Xb, Xb * z[:, None]])
    cols = names + [f"diff:{c}" for c in names]
    X = pd.DataFrame(Xs, columns=cols)
    y = np.concatenate(ys)
    g = np.concatenate(groups)
    check_rank(Xs, cols)
    log_offset = None if offs[0] is None else np.concatenate(offs)
    unit = outcome_unit(y) if rescaled(spec) else 1.0  # see explorer.models.segmented
    if spec.family == "gaussian" and spec.effective_errors == "hac":
        import statsmodels.api as sm

        res = sm.OLS(y / unit, X).fit()
        lags = hac_lags_for(spec, int(rows.sum()))
        check_hac_lags(lags, int(rows.sum()))
        cov = panel_newey_cov(Xs, np.asarray(res.resid), g, lags)
        raw = raw_from(res, float(res.df_resid), spec, design, X, rows, inputs, unit=unit)
        raw.cov = pd.DataFrame(cov, index=cols, columns=cols)
        raw.hac_lags = lags
    else:
        res, df = statsmodels_fit(spec, y / unit, X, log_offset)
        raw = raw_from(res, df, spec, design, X, rows, inputs, unit=unit)
    treated = z == 1
    raw.resid = np.asarray(raw.resid)[treated] if len(raw.resid) == len(z) else raw.resid
    raw.comparative = {
        "control": spec.control or "mean of the other groups",
        "units": ctrl_names,
        "pooled_units": len(ctrl_names),
    }
    return raw


def _control_panels(series: SeriesData, spec: ItsSpec) -> list[tuple[str, np.ndarray]]:
    """Every control unit of long data (pooled as itsa does), else the one control column."""
    if spec.control is None and series.units is not None and series.treated_unit is not None:
        others = [c for c in series.units.columns if c != series.treated_unit]
        if others:
            u = series.units.reindex(pd.DatetimeIndex(series.dates))
            return [(str(c), u[c].to_numpy(dtype=float)) for c in others]
    values, name = _control_column(series, spec)
    return [(name, values)]


def panel_newey_cov(X: np.ndarray, resid: np.ndarray, groups: np.ndarray, lags: int) -> np.ndarray:
    """Stata's ``newey`` on panel data: Bartlett-weighted autocovariances within each panel only,
    times n/(n-k). Rows must be in time order within each panel."""
    xu = X * resid[:, None]
    S = xu.T @ xu
    for gval in np.unique(groups):
        a = xu[groups == gval]
        for lag in range(1, lags + 1):
            if lag >= len(a):
                break
            w = 1.0 - lag / (lags + 1.0)
            c = a[lag:].T @ a[:-lag]
            S += w * (c + c.T)
    B = np.linalg.inv(X.T @ X)
    n, k = X.shape
    return B @ S @ B * n / (n - k)
