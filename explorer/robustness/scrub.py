"""The date scrubber's payload: every admissible date of one intervention, as coefficients.

Explore's scrubber redraws the fit in the browser while an intervention's date is dragged, so the
browser needs the numbers for every date it can reach, computed once. ``scrub_payload`` fits the
spec with intervention ``label`` at each admissible date (the others held) in one batched QR
(``explorer.fastols.batch_ols``, the path ``explorer.sweep`` uses) and sends, per date, only the
coefficients and the covariance block the paths need; the browser turns them into lines:

- fitted path: ``X(t0) b``, where ``X(t0)`` is the fixed design columns (sent once) plus the
  moved intervention's columns, which the browser rebuilds from ``t0`` with the same coding as
  ``explorer.design.intervention_columns`` (level, level and slope, ramp, temporary);
- counterfactual: ``Xc b`` with every intervention column at zero (``segmented_counterfactual``);
  those columns do not depend on the date, so its band ``Xc V Xc'`` needs only the covariance
  block of the non-intervention columns (``vcf``, upper triangle);
- headline: the moved intervention's level (and slope) change with its 95% interval.

Sending paths instead (four series of n points per date) would cost 4 n numbers per date, about
1 MB for a 700-point daily series even with 50 dates; coefficients cost k + p(p + 1)/2 + 6
numbers per date whatever the length (``tests/robustness/test_scrub.py`` bounds a 700-point
daily series).
Dates are limited to ``window`` periods either side of the current date (at most
``2 window + 1`` dates), narrowed so that the per-date part stays within ``BUDGET`` numbers
(monthly seasonality: 13 counterfactual columns, 91 covariances a date, about 21 dates either
side); the server sends a new window after each commit. ``paths`` is the
browser's arithmetic in numpy: the tests compare it with ``fit_its`` at every date (1e-8).

AR(1) errors by REML (the app's default for a gaussian segmented model) are fitted at every date
in one pass too (``explorer.models.ar.ar1_reml_batch``: the same search as the single fit).
Designs the batched paths do not cover (count families fitted by IRLS, AR(p > 1) or exact-ML AR
errors, comparative and state-space models) get no payload and a reason string.
No Streamlit here: ``app_pages/_scrubber`` draws it.
"""

from __future__ import annotations

import math

import numpy as np

from explorer.spec import ItsSpec

WINDOW = 120  # periods either side of the current date: at most 241 dates in a payload
BUDGET = 5000  # numbers per payload for the per-date part; wide designs get a narrower window
VERSION = 1


def not_covered(spec: ItsSpec) -> str | None:
    """Why dragging cannot redraw live for ``spec`` (None when it can)."""
    from explorer.robustness.sweep import ar1_batched, fast_path

    if fast_path(spec) or ar1_batched(spec):
        return None
    head = (
        "Dragging redraws live only for gaussian segmented models with OLS, Newey-West or AR(1) "
        "errors (the ones fitted at every date in one pass); "
    )
    if spec.model != "segmented":
        why = f"the {spec.model} model is a state-space fit of its own at every date"
    elif spec.family != "gaussian":
        why = f"the {spec.family} family is fitted by iterations at every date"
    elif spec.control is not None or spec.group is not None:
        why = "a comparative model stacks the control's rows"
    elif spec.effective_errors.startswith("ar:") and spec.effective_errors != "ar:1":
        why = f"AR({spec.ar_order}) errors need a search over {spec.ar_order} coefficients per date"
    elif spec.effective_errors.startswith("ar:"):
        why = "exact maximum likelihood needs its own search and Hessian per date"
    else:
        why = f"errors {spec.effective_errors} are not batched"
    return head + why + ", so this model refits on release."


DIGITS = 15  # significant digits sent: 5e-16 relative, far inside the tests' 1e-8


def _num(a) -> list:
    """A float array as JSON numbers: integers where exact (shorter), None for NaN/inf, else
    ``DIGITS`` significant digits (JSON's shortest repr of a double takes up to 17)."""
    a = np.asarray(a, float)
    fin = np.isfinite(a)
    if fin.all() and np.all(a == np.round(a)) and np.all(np.abs(a) < 2**53):
        return a.astype(np.int64).tolist()
    return [
        float(f"{v:.{DIGITS}g}") if f else None
        for v, f in zip(a.ravel().tolist(), fin.ravel().tolist(), strict=True)
    ]


def _rows(a) -> list:
    """A (B, m) float array as a list of rows of ``_num`` numbers."""
    a = np.asarray(a, float)
    flat = _num(a.ravel())
    m = a.shape[1]
    return [flat[i : i + m] for i in range(0, len(flat), m)]


def scrub_payload(
    series, spec: ItsSpec, label: str | None = None, *, window: int = WINDOW
) -> tuple[dict | None, str]:
    """The scrubber's data for moving ``label`` (default: the first intervention).

    Returns
    -------
    (payload, reason)
        ``payload`` is a JSON-ready dict (None when the design is not covered, with ``reason``
        saying why; ``reason`` is "" otherwise). Keys: ``v``, ``label``, ``kind``, ``ramp``,
        ``span``, ``freq``, ``log``, ``dates``, ``observed``, ``t``, ``fixed`` (columns except the
        moved ones, all rows), ``fixed_cols``, ``cf`` (indices into ``fixed`` of the columns kept
        in the counterfactual), ``held`` (first treated dates of the other interventions),
        ``q`` (the t quantile), and per admissible date ``t0``, ``date``, ``beta`` (fixed columns
        then the moved ones), ``vcf`` (upper triangle of the counterfactual columns'
        covariance), ``level`` and ``slope`` (``[estimate, ci_low, ci_high]`` per date; ``slope``
        None for a level-only kind); ``current``
        is the index of the spec's own date.

    Raises
    ------
    SpecError, InputError
        As ``explorer.sweep.gaussian_problem`` and ``admissible_t0`` do.
    """
    from explorer.models.results import quantile
    from explorer.periods import first_treated_ordinal, period_start
    from explorer.robustness.sweep import admissible_t0, designs_at, gaussian_problem, term_index

    if not spec.interventions:
        return None, "Add an intervention to drag its date."
    reason = not_covered(spec)
    if reason:
        return None, reason
    label = label or spec.interventions[0].label
    prob = gaussian_problem(series, spec)
    term = term_index(prob, label)
    iv = next(i for i in spec.interventions if i.label == label)
    # Per date: k coefficients, p(p + 1)/2 covariances, 6 effect numbers, t0 and the date.
    ncf = sum(c not in prob.design.intervention_cols for c in prob.cols)
    per_date = len(prob.cols) + ncf * (ncf + 1) // 2 + 8
    window = max(1, min(int(window), (BUDGET // per_date - 1) // 2))
    t0s = admissible_t0(prob, label, window=window)
    if len(t0s) == 0:
        return None, f"No other admissible date for {label!r}."
    fit = _fit_at(designs_at(prob, spec, label, t0s), prob.y, spec)
    cols = prob.cols
    moved = [c for c in (term.level_col, term.slope_col) if c]
    fixed = [c for c in cols if c not in moved]
    order = [cols.index(c) for c in fixed + moved]
    ivcols = set(prob.design.intervention_cols)
    cf = [j for j, c in enumerate(fixed) if c not in ivcols]
    cf_idx = [cols.index(fixed[j]) for j in cf]
    V = fit.cov[:, cf_idx][:, :, cf_idx]
    iu = np.triu_indices(len(cf_idx))
    X_all = prob.design.X
    q = quantile(0.05, float(fit.df_resid))
    log = spec.scale == "log"

    def eff(col):
        if col is None:
            return None
        j = cols.index(col)
        est, se = fit.params[:, j], fit.bse[:, j]
        return _rows(np.column_stack([est, est - q * se, est + q * se]))

    span = None
    if iv.kind == "temporary":
        span = first_treated_ordinal(iv.until_timestamp, prob.design.freq) - prob.ords0 - term.t0
    others = [x for x in prob.design.terms if x.label != label]
    held = [x.first_treated.strftime("%Y-%m-%d") for x in others]
    starts = period_start(prob.ords0 + t0s, series.freq)
    return {
        "v": VERSION,
        "label": label,
        "kind": iv.kind,
        "ramp": getattr(iv, "ramp", None),
        "span": None if span is None else int(span),
        "freq": series.freq,
        "log": log,
        "value": spec.value,
        "dates": [d.strftime("%Y-%m-%d") for d in series.dates],
        "observed": _num(series.y),
        "t": _num(prob.design.t),
        "fixed_cols": fixed,
        "fixed": [_num(X_all[c].to_numpy(float)) for c in fixed],
        "cf": cf,
        "held": held,
        "held_labels": [x.label for x in others],
        "q": q,
        "t0": t0s.tolist(),
        "date": [d.strftime("%Y-%m-%d") for d in starts],
        "beta": _rows(fit.params[:, order]),
        "vcf": _rows(V[:, iu[0], iu[1]]),
        "level": eff(term.level_col),
        "slope": eff(term.slope_col),
        "current": int(np.flatnonzero(t0s == term.t0)[0]) if term.t0 in t0s else 0,
    }, ""


def _fit_at(Xb: np.ndarray, y: np.ndarray, spec: ItsSpec):
    """Every design of ``Xb`` fitted as the spec's errors say: ``params``, ``bse``, ``cov``,
    ``df_resid`` (a BatchFit, or the AR(1) REML fits in the same shape)."""
    from types import SimpleNamespace

    from explorer.robustness.fastols import batch_ols
    from explorer.robustness.sweep import ar1_batched

    if ar1_batched(spec):
        from explorer.models.ar import ar1_reml_batch

        r = ar1_reml_batch(Xb, y)
        bse = np.sqrt(np.clip(np.diagonal(r["cov"], axis1=1, axis2=2), 0, None))
        return SimpleNamespace(params=r["params"], bse=bse, cov=r["cov"], df_resid=r["df_resid"])
    return batch_ols(Xb, y, errors=spec.effective_errors, hac_lags=spec.hac_lags)


def moved_columns(payload: dict, t0: int) -> np.ndarray:
    """The moved intervention's columns at ``t0``, (n, 1 or 2): the browser's formulas."""
    t = np.asarray(payload["t"], float)
    after = (t >= t0).astype(float)
    kind = payload["kind"]
    if kind == "level_slope":
        return np.column_stack([after, (t - t0) * after])
    if kind == "ramp":
        return np.clip((t - t0 + 1) / float(payload["ramp"]), 0.0, 1.0)[:, None] * after[:, None]
    if kind == "temporary":
        return ((t >= t0) & (t < t0 + payload["span"])).astype(float)[:, None]
    return after[:, None]


def paths(payload: dict, i: int) -> dict[str, np.ndarray]:
    """What the browser draws for date ``i`` of a payload: fitted, counterfactual and its band
    (outcome scale, all rows; NaN where a design value is missing)."""
    F = np.column_stack([np.asarray(c, dtype=float) for c in payload["fixed"]])  # None -> NaN
    b = np.asarray(payload["beta"][i], float)
    X = np.column_stack([F, moved_columns(payload, payload["t0"][i])])
    eta = X @ b
    C = F[:, payload["cf"]]
    eta_cf = C @ b[payload["cf"]]
    p = len(payload["cf"])
    V = np.zeros((p, p))
    V[np.triu_indices(p)] = payload["vcf"][i]
    V = V + np.triu(V, 1).T
    se = np.sqrt(np.clip(np.einsum("ij,jk,ik->i", C, V, C), 0, None))
    lo, hi = eta_cf - payload["q"] * se, eta_cf + payload["q"] * se
    inv = np.exp if payload["log"] else (lambda v: v)
    return {"fitted": inv(eta), "mean": inv(eta_cf), "low": inv(lo), "high": inv(hi)}


def payload_bytes(payload: dict) -> int:
    """Size of the payload as the browser receives it (compact JSON)."""
    import json

    return len(json.dumps(payload, separators=(",", ":"), allow_nan=False))


def effect_text(e, log: bool) -> str:
    """``[est, lo, hi]`` as the app's headline text (``app_pages._ui.effect_text``'s format)."""
    if e is None:
        return "n/a"
    if log:
        pct = lambda r: f"{100 * (math.exp(r) - 1):+.1f}%"  # noqa: E731
        return f"{pct(e[0])} ({pct(e[1])} to {pct(e[2])})"
    return f"{e[0]:+.3g} ({e[1]:+.3g} to {e[2]:+.3g})"
