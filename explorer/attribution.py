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
    _require_additive_trend(result)
    ends = _claim_ends(result, claim)
    notes: list[str] = []

    # Rows of the fitted parameter vector (stacked form for comparative ITS).
    rows = linear_predictor_rows(
        result, pd.DataFrame([ends.s_row, ends.e_row]), counterfactual=False
    )
    delta = rows[1] - rows[0]
    b = result.params.to_numpy()
    V = result.cov_params_.to_numpy()
    weights = _component_weights(result, delta)
    if np.any(~np.isfinite(delta[: len(result.params.index)])):
        raise SpecError(
            "The claim window reaches outside the data and the model has covariates, which are "
            "unknown there: choose dates inside the data or drop the covariates."
        )
    offset_change = _offset_change(result, ends, notes)

    fitted_change = float(delta @ b) + offset_change
    basis, change, base_level = _change_to_split(
        result, ends, fitted_change, float(rows[0] @ b), notes
    )
    scale = _Scale(
        log=result.scale == "log",
        base_level=base_level,
        change=change,
        q=quantile(alpha, result.df_resid),
    )
    comps = _components(
        weights,
        b,
        V,
        delta,
        offset_change=offset_change if result.fit.log_offset is not None else None,
        basis=basis,
        scale=scale,
    )

    credited = _credited(result, claim, ends.window, notes)
    fmt = _date_format(result.frequency)
    credited_share = None
    if credited is not None:
        _note_credit_timing(result, credited, ends, fmt, notes)
        credited_share = next(c for c in comps if c.name == credited).share_of_observed
    obs_pct = scale.pct(change)
    summary = _summary(
        comps, change, obs_pct, basis, ends.window, fmt, claim, credited, credited_share, scale.log
    )
    return Attribution(
        window=ends.window,
        scale=result.scale,
        basis=basis,
        observed_change={"change": change, "pct": obs_pct},
        fitted_change={"change": fitted_change, "pct": scale.pct(fitted_change)},
        claimed_change_pct=claim.claimed_change_pct,
        components=comps,
        credited=credited,
        credited_share=credited_share,
        summary=" ".join([summary] + notes),
        notes=notes,
    )


# -- the steps of attribute ----------------------------------------------------------------------


def _require_additive_trend(result: ItsResult) -> None:
    """Refuse a fit whose parts do not add up (state-space models have no ``trend`` term)."""
    if result.fit is None or "trend" not in result.params.index:
        raise SpecError(
            "Attribution needs a model with a deterministic trend whose parts add up on the "
            "linear-predictor scale: use --model segmented (or sarimax) with --claim-start and "
            "--claim-end."
        )


@dataclass(frozen=True)
class _Ends:
    """The claim window's two ends on the series' period grid."""

    s_row: pd.Series  # design rows of the periods holding the start and end dates
    e_row: pd.Series
    s_start: pd.Timestamp | None  # those periods' first days when inside the data, else None
    e_start: pd.Timestamp | None
    o_s: int  # the start period's ordinal
    window: tuple[pd.Timestamp, pd.Timestamp]  # first days of the start and end periods

    @property
    def inside(self) -> bool:
        """Both ends fall inside the data."""
        return self.s_start is not None and self.e_start is not None


def _claim_ends(result: ItsResult, claim: ClaimSpec) -> _Ends:
    """The window's ends as design rows and periods; refuses a window within one period."""
    freq = result.frequency
    s_date, e_date = (
        parse_date(claim.start, what="claim start"),
        parse_date(claim.end, what="claim end"),
    )
    s_row, s_in = design_row(result, s_date)
    e_row, e_in = design_row(result, e_date)
    o_s, o_e = (int(period_ordinal([d], freq)[0]) for d in (s_date, e_date))
    if o_e <= o_s:
        raise SpecError(
            f"The claim window {claim.start} to {claim.end} falls within one "
            f"{PERIOD_WORD.get(freq, 'period')} of this series: widen it."
        )
    return _Ends(
        s_row=s_row,
        e_row=e_row,
        s_start=s_row.name if s_in else None,
        e_start=e_row.name if e_in else None,
        o_s=o_s,
        window=(period_start([o_s], freq)[0], period_start([o_e], freq)[0]),
    )


def _component_weights(result: ItsResult, delta: np.ndarray) -> list[tuple[str, np.ndarray]]:
    """Each modelled component as weights on the parameter vector (``delta`` restricted to its
    columns): the trend, one per intervention, and the control's for comparative ITS."""
    fit = result.fit
    names = list(result.params.index)
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
    return weights


def _offset_change(result: ItsResult, ends: _Ends, notes: list[str]) -> float:
    """The change in log exposure over the window (0 without an offset, or outside the data)."""
    fit = result.fit
    if fit.log_offset is None:
        return 0.0
    if ends.inside:
        lo = pd.Series(fit.log_offset, index=fit.design.X.index)
        return float(lo.loc[ends.e_start] - lo.loc[ends.s_start])
    notes.append(
        "The window reaches outside the data: the exposure there is unknown and taken as unchanged."
    )
    return 0.0


def _change_to_split(
    result: ItsResult, ends: _Ends, fitted_change: float, eta_s: float, notes: list[str]
) -> tuple[str, float, float]:
    """-> (basis, change, base level): the observed change if both ends are observed, else the
    model's fitted change (from the fitted linear predictor ``eta_s`` at the start)."""
    log = result.scale == "log"
    y = pd.Series(np.asarray(result.series.y, float), index=pd.DatetimeIndex(result.series.dates))

    def obs_at(start):
        if start is None or start not in y.index or not np.isfinite(y[start]):
            return None
        v = y[start]
        return (math.log(v) if v > 0 else None) if log else v

    ys, ye = obs_at(ends.s_start), obs_at(ends.e_start)
    if ys is not None and ye is not None:
        return "observed", ye - ys, ys
    missing = [
        d.strftime("%Y-%m-%d") for d, v in ((ends.window[0], ys), (ends.window[1], ye)) if v is None
    ]
    notes.append(
        f"The data have no observation at {' and '.join(missing)}: the change split is the "
        "model's fitted change, extrapolated along the fitted trend where the window leaves "
        "the data (which assumes that trend held there)."
    )
    return "fitted", fitted_change, eta_s


@dataclass(frozen=True)
class _Scale:
    """Turns a change on the linear-predictor scale into percent and a share of the change."""

    log: bool
    base_level: float | None  # the start's level (identity scale: percent of it)
    change: float  # the change being split
    q: float  # the intervals' critical value

    def pct(self, v):
        if v is None or not np.isfinite(v):
            return None
        if self.log:
            return 100.0 * (math.exp(v) - 1.0)
        return 100.0 * v / self.base_level if self.base_level not in (0, None) else None

    def share(self, v):
        return v / self.change if self.change != 0 else None

    def component(self, name: str, est: float, se: float) -> Component:
        lo, hi = est - self.q * se, est + self.q * se
        s_lo, s_hi = self.share(lo), self.share(hi)
        if s_lo is not None and s_lo > s_hi:
            s_lo, s_hi = s_hi, s_lo
        pct, share = self.pct, self.share
        return Component(name, est, lo, hi, pct(est), pct(lo), pct(hi), share(est), s_lo, s_hi)

    def known(self, name: str, v: float) -> Component:
        """A component known exactly (no interval): the exposure's change."""
        p, s = self.pct(v), self.share(v)
        return Component(name, v, v, v, p, p, p, s, s, s)


def _components(
    weights: list[tuple[str, np.ndarray]],
    b: np.ndarray,
    V: np.ndarray,
    delta: np.ndarray,
    *,
    offset_change: float | None,
    basis: str,
    scale: _Scale,
) -> list[Component]:
    """The modelled components with delta-method intervals, the offset's (``offset_change``,
    None without an offset), and the remainder: what they leave of the change being split."""
    comps = []
    total_w = np.zeros(len(b))
    for name, w in weights:
        total_w += w
        comps.append(scale.component(name, float(w @ b), math.sqrt(max(float(w @ V @ w), 0.0))))
    if offset_change is not None:
        comps.append(scale.known("offset", offset_change))
    explained = float(total_w @ b) + (0.0 if offset_change is None else offset_change)
    if basis == "observed":
        # the observed change is fixed: the rest is uncertain
        rem_var = float(total_w @ V @ total_w)
    else:
        rw = delta - total_w
        rem_var = float(rw @ V @ rw)
    remainder = scale.change - explained
    comps.append(scale.component("remainder", remainder, math.sqrt(max(rem_var, 0.0))))
    return comps


def _credited(
    result: ItsResult,
    claim: ClaimSpec,
    window: tuple[pd.Timestamp, pd.Timestamp],
    notes: list[str],
) -> str | None:
    """The intervention the claim credits: its ``credit``, else the last one treated inside the
    window (None, with a note, when there is none)."""
    labels = [iv.label for iv in result.interventions]
    if claim.credit is not None:
        if claim.credit not in labels:
            raise SpecError(
                f"The claim credits {claim.credit!r}, which is not one of the interventions "
                f"({', '.join(labels) or 'none'}): add it with --intervention or fix --credit."
            )
        return claim.credit
    inside = [iv for iv in result.interventions if window[0] < iv.first_treated_period <= window[1]]
    if not inside:
        notes.append("No intervention starts inside the claim window, so none is credited.")
        return None
    return inside[-1].label


def _date_format(freq: str) -> str:
    return "%Y-%m-%d" if freq in ("D", "W") else "%Y" if freq == "Y" else "%Y-%m"


def _note_credit_timing(
    result: ItsResult, credited: str, ends: _Ends, fmt: str, notes: list[str]
) -> None:
    """Notes when the window starts before the credited intervention or ends before it starts."""
    freq = result.frequency
    per = PERIOD_WORD.get(freq, "period")
    window = ends.window
    iv = next(i for i in result.interventions if i.label == credited)
    gap = int(period_ordinal([iv.first_treated_period], freq)[0]) - ends.o_s
    if gap > 0:
        notes.append(
            f"The claim window starts in {window[0].strftime(fmt)}, {gap} {per}s before "
            f"{credited} ({iv.first_treated_period.strftime(fmt)}): the change before then "
            "cannot be its doing."
        )
    if iv.first_treated_period > window[1]:
        notes.append(
            f"{credited} starts after the claim window ends: it contributes nothing to it."
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
