"""Attribution of a claimed change: how much was trend, how much each intervention, how much is left.

A claim says "X fell 45% between June 2014 and June 2016 because of Y". On the linear-predictor
scale, where the parts of a segmented model add up (log for ``--log`` and count families,
original units otherwise), the change between the two dates splits exactly into

- ``trend``: the pre-existing trend carried over the window (slope x periods);
- one component per intervention: its level change plus its accumulated slope change up to the
  end date (zero for an intervention that starts after the window);
- ``control`` (comparative ITS only): the change the control series saw too;
- ``offset`` (count models with an exposure): the change in log exposure;
- ``remainder``: everything else (seasonality, covariates and noise at the two ends).

Each modelled component has a delta-method interval from the coefficient covariance (the
components are linear in the coefficients, so this is exact for them). The change is the
observed one when both dates are observed, else the fitted one (said so in ``notes``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from explorer.errors import SpecError
from explorer.models.design import intervention_columns, seasonal_frame
from explorer.models.results import ItsResult, linear_predictor_rows, quantile
from explorer.periods import PERIOD_WORD, period_ordinal, period_start
from explorer.spec import ClaimSpec, parse_date


@dataclass(frozen=True)
class Component:
    """One part of the change on the linear-predictor scale, with its interval."""

    name: str
    change: float
    ci_low: float
    ci_high: float
    pct_change: float
    pct_ci_low: float
    pct_ci_high: float
    share_of_observed: float | None
    share_ci_low: float | None
    share_ci_high: float | None

    def to_dict(self) -> dict:
        return dict(self.__dict__)


@dataclass(frozen=True)
class Attribution:
    """The split of a claimed change; ``to_dict()`` is the CLI's ``attribution`` JSON."""

    window: tuple[pd.Timestamp, pd.Timestamp]
    scale: str
    basis: str  # "observed" or "fitted": which change is split
    observed_change: dict  # {"change", "pct"} of the basis
    fitted_change: dict
    claimed_change_pct: float | None
    components: list[Component]
    credited: str | None
    credited_share: float | None
    summary: str
    notes: list[str] = field(default_factory=list)

    def component(self, name: str) -> Component:
        for c in self.components:
            if c.name == name:
                return c
        raise KeyError(name)

    def to_dict(self) -> dict:
        return {
            "window": [d.strftime("%Y-%m-%d") for d in self.window],
            "scale": self.scale,
            "basis": self.basis,
            "observed_change": self.observed_change,
            "fitted_change": self.fitted_change,
            "claimed_change_pct": self.claimed_change_pct,
            "components": [c.to_dict() for c in self.components],
            "credited": self.credited,
            "credited_share": self.credited_share,
            "notes": list(self.notes),
            "summary": self.summary,
        }


def design_row(result: ItsResult, date: pd.Timestamp) -> tuple[pd.Series, bool]:
    """The series-design row for the period containing ``date`` -> (row, inside the data).

    Outside the data the row is extrapolated (trend, seasonality, intervention terms); covariates
    are unknown there and set to NaN.
    """
    fit = result.fit
    X = fit.design.X
    freq = result.frequency
    o = int(period_ordinal([date], freq)[0])
    start = period_start([o], freq)[0]
    if start in X.index:
        return X.loc[start].astype(float), True
    o0 = int(period_ordinal([X.index[0]], freq)[0])
    t = np.array([float(o - o0)])
    row = pd.Series(np.nan, index=X.columns)
    row["const"] = 1.0
    row["trend"] = t[0]
    season = seasonal_frame(
        pd.DatetimeIndex([start]), freq, result.spec.seasonality, result.spec.fourier_k
    )
    for c in season.columns:
        row[c] = season[c].iloc[0]
    for iv, term in zip(result.spec.interventions, fit.design.terms, strict=True):
        t_end = None
        if iv.kind == "temporary":
            t_end = int(period_ordinal([iv.until_timestamp], freq)[0] - o0)
        for c, v in intervention_columns(t, iv, term.t0, t_end).items():
            row[c] = v[0]
    return row, False


def attribute(result: ItsResult, claim: ClaimSpec, *, alpha: float = 0.05) -> Attribution:
    """Split the change over a claim's window into trend, interventions and remainder.

    Parameters
    ----------
    result
        A segmented fit from ``explorer.models.fit.fit_its``.
    claim
        The window (start, end), the claimed change in percent (optional) and the intervention
        the claim credits (default: the last intervention treated inside the window).
    alpha
        1 - the confidence level of the intervals.

    Returns
    -------
    Attribution

    Raises
    ------
    SpecError
        A state-space model (attribution needs the segmented model's additive terms), an
        unknown credited label, or a window with covariates outside the data.

    Examples
    --------
    >>> # a = attribute(fit_its(series, spec), ClaimSpec("2014-06", "2016-06", -45.0, "gec"))
    >>> # a.component("gec").share_of_observed
    """
    if result.fit is None or "trend" not in result.params.index:
        raise SpecError(
            "Attribution needs a model with a deterministic trend whose parts add up on the "
            "linear-predictor scale: use --model segmented (or sarimax) with --claim-start and "
            "--claim-end."
        )
    freq = result.frequency
    fit = result.fit
    log = result.scale == "log"
    s_date, e_date = (
        parse_date(claim.start, what="claim start"),
        parse_date(claim.end, what="claim end"),
    )
    s_row, s_in = design_row(result, s_date)
    e_row, e_in = design_row(result, e_date)
    s_start, e_start = s_row.name if s_in else None, e_row.name if e_in else None
    o_s, o_e = (int(period_ordinal([d], freq)[0]) for d in (s_date, e_date))
    if o_e <= o_s:
        raise SpecError(
            f"The claim window {claim.start} to {claim.end} falls within one "
            f"{PERIOD_WORD.get(freq, 'period')} of this series: widen it."
        )
    window = (period_start([o_s], freq)[0], period_start([o_e], freq)[0])
    labels = [iv.label for iv in result.interventions]
    notes: list[str] = []

    # Rows of the fitted parameter vector (stacked form for comparative ITS).
    rows = linear_predictor_rows(result, pd.DataFrame([s_row, e_row]), counterfactual=False)
    delta = rows[1] - rows[0]
    names = list(result.params.index)
    b = result.params.to_numpy()
    V = result.cov_params_.to_numpy()
    comparative = fit.comparative is not None

    def mask(cols_base: list[str], *, diff: bool | None) -> np.ndarray:
        """delta restricted to the given series columns (base, diff: or both parts)."""
        m = np.zeros(len(names))
        for c in cols_base:
            targets = []
            if not comparative or diff in (None, False):
                targets.append(c)
            if comparative and diff in (None, True):
                targets.append(f"diff:{c}")
            for t in targets:
                i = names.index(t)
                m[i] = delta[i]
        return m

    weights: list[tuple[str, np.ndarray]] = [("trend", mask(["trend"], diff=None))]
    for term in fit.design.terms:
        cols = [term.level_col] + ([term.slope_col] if term.slope_col else [])
        weights.append((term.label, mask(cols, diff=True if comparative else None)))
    if comparative:
        weights.append(("control", mask(fit.design.intervention_cols, diff=False)))
    if np.any(~np.isfinite(delta[: len(names)])):
        raise SpecError(
            "The claim window reaches outside the data and the model has covariates, which are "
            "unknown there: choose dates inside the data or drop the covariates."
        )
    offset_change = 0.0
    if fit.log_offset is not None:
        lo = pd.Series(fit.log_offset, index=fit.design.X.index)
        if s_in and e_in:
            offset_change = float(lo.loc[e_start] - lo.loc[s_start])
        else:
            notes.append(
                "The window reaches outside the data: the exposure there is unknown and taken as unchanged."
            )

    # The change to split: observed if both ends are observed, else the model's fitted change.
    y = pd.Series(np.asarray(result.series.y, float), index=pd.DatetimeIndex(result.series.dates))

    def obs_at(start):
        if start is None or start not in y.index or not np.isfinite(y[start]):
            return None
        v = y[start]
        return (math.log(v) if v > 0 else None) if log else v

    ys, ye = obs_at(s_start), obs_at(e_start)
    fitted_change = float(delta @ b) + offset_change
    eta_s = float(rows[0] @ b)
    if ys is not None and ye is not None:
        basis, change, base_level = "observed", ye - ys, ys
    else:
        basis, change, base_level = "fitted", fitted_change, eta_s
        missing = [
            d.strftime("%Y-%m-%d") for d, v in ((window[0], ys), (window[1], ye)) if v is None
        ]
        notes.append(
            f"The data have no observation at {' and '.join(missing)}: the change split is the "
            "model's fitted change, extrapolated along the fitted trend where the window leaves "
            "the data (which assumes that trend held there)."
        )

    q = quantile(alpha, result.df_resid)

    def pct(v):
        if v is None or not np.isfinite(v):
            return None
        if log:
            return 100.0 * (math.exp(v) - 1.0)
        return 100.0 * v / base_level if base_level not in (0, None) else None

    def share(v):
        return v / change if change != 0 else None

    def make(name, est, se):
        lo, hi = est - q * se, est + q * se
        s_lo, s_hi = share(lo), share(hi)
        if s_lo is not None and s_lo > s_hi:
            s_lo, s_hi = s_hi, s_lo
        return Component(name, est, lo, hi, pct(est), pct(lo), pct(hi), share(est), s_lo, s_hi)

    comps = []
    total_w = np.zeros(len(names))
    for name, w in weights:
        total_w += w
        comps.append(make(name, float(w @ b), math.sqrt(max(float(w @ V @ w), 0.0))))
    if fit.log_offset is not None:
        comps.append(
            Component(
                "offset",
                offset_change,
                offset_change,
                offset_change,
                pct(offset_change),
                pct(offset_change),
                pct(offset_change),
                share(offset_change),
                share(offset_change),
                share(offset_change),
            )
        )
    explained = float(total_w @ b) + offset_change
    if basis == "observed":
        rem_var = float(
            total_w @ V @ total_w
        )  # the observed change is fixed: the rest is uncertain
    else:
        rw = delta - total_w
        rem_var = float(rw @ V @ rw)
    comps.append(make("remainder", change - explained, math.sqrt(max(rem_var, 0.0))))

    # Which intervention does the claim credit, and does the window start before it?
    if claim.credit is not None:
        if claim.credit not in labels:
            raise SpecError(
                f"The claim credits {claim.credit!r}, which is not one of the interventions "
                f"({', '.join(labels) or 'none'}): add it with --intervention or fix --credit."
            )
        credited = claim.credit
    else:
        inside = [
            iv for iv in result.interventions if window[0] < iv.first_treated_period <= window[1]
        ]
        credited = inside[-1].label if inside else None
        if credited is None:
            notes.append("No intervention starts inside the claim window, so none is credited.")
    per = PERIOD_WORD.get(freq, "period")
    fmt = "%Y-%m-%d" if freq in ("D", "W") else "%Y" if freq == "Y" else "%Y-%m"
    if credited is not None:
        iv = next(i for i in result.interventions if i.label == credited)
        gap = int(period_ordinal([iv.first_treated_period], freq)[0]) - o_s
        if gap > 0:
            notes.append(
                f"The claim window starts in {window[0].strftime(fmt)}, {gap} {per}s before "
                f"{credited} ({iv.first_treated_period.strftime(fmt)}): the change before "
                f"{credited} cannot be its doing."
            )
        if iv.first_treated_period > window[1]:
            notes.append(
                f"{credited} starts after the claim window ends: it contributes nothing to it."
            )
    credited_share = None
    if credited is not None:
        credited_share = next(c for c in comps if c.name == credited).share_of_observed
    obs_pct = pct(change)
    summary = _summary(
        comps, change, obs_pct, basis, window, fmt, claim, credited, credited_share, log
    )
    return Attribution(
        window=window,
        scale=result.scale,
        basis=basis,
        observed_change={"change": change, "pct": obs_pct},
        fitted_change={"change": fitted_change, "pct": pct(fitted_change)},
        claimed_change_pct=claim.claimed_change_pct,
        components=comps,
        credited=credited,
        credited_share=credited_share,
        summary=" ".join([summary] + notes),
        notes=notes,
    )


def _p(v) -> str:
    if v is None or not np.isfinite(v):
        return "n/a"
    return f"{v:+.0f}%" if abs(v) >= 10 else f"{v:+.1f}%"


def _share(v) -> str:
    return "n/a" if v is None or not np.isfinite(v) else f"{100 * v:.0f}%"


def _summary(
    comps, change, obs_pct, basis, window, fmt, claim, credited, credited_share, log
) -> str:
    what = "changed" if basis == "observed" else "changed, by the model's fit,"
    head = (
        f"Between {window[0].strftime(fmt)} and {window[1].strftime(fmt)} the series {what} by "
        f"{_p(obs_pct)}"
    )
    if claim.claimed_change_pct is not None:
        head += f" (the claim says {_p(claim.claimed_change_pct)})"
    scale_word = "log change" if log else "change"
    parts = []
    for c in comps:
        if c.name == "remainder":
            continue
        who = "the pre-existing trend" if c.name == "trend" else c.name
        parts.append(
            f"{who} accounts for {_p(c.pct_change)} (95% CI {_p(c.pct_ci_low)} to "
            f"{_p(c.pct_ci_high)}; {_share(c.share_of_observed)} of the {scale_word})"
        )
    rem = comps[-1]
    text = head + ": " + ", ".join(parts) + f", and {_p(rem.pct_change)} is left unexplained."
    if credited is not None:
        text += (
            f" The data attribute {_share(credited_share)} of the {scale_word} to {credited}, "
            "the intervention the claim credits."
        )
    return text
