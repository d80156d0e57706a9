"""The segmented-regression design matrix shared by every fit, sweep and placebo.

Coding (as Stata's ``itsa``): time ``trend`` counts periods from 0 at the first observation (gaps
in the data keep their place: a missing month still advances time). An intervention's first
treated period is the period that contains its date (the GEC, announced 2016-01-08, is treated
from January 2016 in monthly data). Its level term is 1 from that period on; its slope term
counts periods since it and is 0 in that first period.

Period arithmetic (ordinals, first days, labels) is in ``explorer.periods``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from explorer.errors import SpecError
from explorer.periods import FREQ_NAMES, first_treated_ordinal, period_ordinal, period_start
from explorer.spec import Intervention, ItsSpec

# Length of the seasonal cycle used by fourier:K, and its phase within the cycle.
SEASON_PERIOD = {"D": 7.0, "W": 365.25 / 7.0, "M": 12.0, "Q": 4.0}

MIN_PRE = 3  # observations before the first intervention
MIN_AFTER_SLOPE = 2  # after a level-and-slope change (in its own segment)
MIN_AFTER_LEVEL = 1  # after a level-only change
SHORT_SEGMENT = 8  # fewer than this fits, with a caveat


@dataclass(frozen=True)
class Term:
    """The design columns of one intervention and where it starts."""

    label: str
    kind: str
    level_col: str
    slope_col: str | None
    first_treated: pd.Timestamp  # first day of the first treated period
    t0: int  # its time index (periods since the first observation)


@dataclass(frozen=True)
class Design:
    """A design matrix with its bookkeeping.

    ``X`` has columns ``const``, ``trend``, the seasonal terms, the intervention terms (in the
    spec's order) and any covariates, indexed by the series' dates. ``t`` is the time index.
    """

    X: pd.DataFrame
    terms: tuple[Term, ...]
    t: np.ndarray
    freq: str
    seasonal_cols: tuple[str, ...]
    covariate_cols: tuple[str, ...]
    caveats: tuple[str, ...]

    @property
    def intervention_cols(self) -> list[str]:
        cols = []
        for term in self.terms:
            cols.append(term.level_col)
            if term.slope_col:
                cols.append(term.slope_col)
        return cols


def seasonal_frame(dates: pd.DatetimeIndex, freq: str, kind: str, k: int = 0) -> pd.DataFrame:
    """Seasonal regressors: month/day-of-week dummies (first level dropped) or K Fourier pairs.

    Fourier terms follow ``tsModel::harmonic(x, K, period)`` as Lopez Bernal et al. (2017) used
    it: sin(2 pi j x / period), cos(2 pi j x / period) for j = 1..K, with x the month (1-12) in
    monthly data, the day of week (0-6) in daily data, the day of year / 7 in weekly data, the
    quarter in quarterly data.
    """
    idx = pd.DatetimeIndex(dates)
    if kind == "none":
        return pd.DataFrame(index=idx)
    if kind == "month":
        if freq not in ("D", "W", "M"):
            raise SpecError(
                f"Month dummies need daily, weekly or monthly data; this series is "
                f"{FREQ_NAMES.get(freq, freq)}. Use --seasonality none."
            )
        cols = {f"month_{m}": (idx.month == m).astype(float) for m in range(2, 13)}
        return pd.DataFrame(cols, index=idx)
    if kind == "dow":
        if freq != "D":
            raise SpecError(
                "Day-of-week dummies need daily data; use --seasonality month or fourier:K "
                f"for {FREQ_NAMES.get(freq, freq)} data."
            )
        names = ["tue", "wed", "thu", "fri", "sat", "sun"]
        cols = {f"dow_{n}": (idx.day_of_week == i + 1).astype(float) for i, n in enumerate(names)}
        return pd.DataFrame(cols, index=idx)
    if kind == "fourier":
        if freq not in SEASON_PERIOD:
            raise SpecError("Yearly data has no seasonal cycle: use --seasonality none.")
        period = SEASON_PERIOD[freq]
        if 2 * k >= period:
            raise SpecError(
                f"fourier:{k} asks for more harmonic pairs than a cycle of {period:g} periods "
                f"holds: use at most fourier:{max(1, int((period - 1) // 2))}."
            )
        x = {
            "M": idx.month.to_numpy(dtype=float),
            "D": idx.day_of_week.to_numpy(dtype=float),
            "W": idx.day_of_year.to_numpy(dtype=float) / 7.0,
            "Q": idx.quarter.to_numpy(dtype=float),
        }[freq]
        cols = {}
        for j in range(1, k + 1):
            cols[f"sin{j}"] = np.sin(2 * np.pi * j * x / period)
            cols[f"cos{j}"] = np.cos(2 * np.pi * j * x / period)
        return pd.DataFrame(cols, index=idx)
    raise SpecError(f"Unknown seasonality {kind!r}.")


def intervention_columns(
    t: np.ndarray, iv: Intervention, t0: int, t_end: int | None
) -> dict[str, np.ndarray]:
    """The regressors of one intervention on time index ``t`` (see the module docstring)."""
    after = (t >= t0).astype(float)
    if iv.kind == "level_slope":
        return {f"{iv.label}:level": after, f"{iv.label}:slope": (t - t0) * after}
    if iv.kind == "level":
        return {f"{iv.label}:level": after}
    if iv.kind == "ramp":
        return {f"{iv.label}:level": np.clip((t - t0 + 1) / float(iv.ramp), 0.0, 1.0) * after}
    if iv.kind == "temporary":
        return {f"{iv.label}:level": ((t >= t0) & (t < t_end)).astype(float)}
    raise SpecError(f"Unknown intervention kind {iv.kind!r}.")


def build_design(
    dates,
    freq: str,
    spec: ItsSpec,
    *,
    observed: np.ndarray | None = None,
    covariates: pd.DataFrame | None = None,
    interventions: tuple[Intervention, ...] | None = None,
) -> Design:
    """Build the segmented-regression design for ``spec`` on the series' dates.

    Parameters
    ----------
    dates
        The series' period start dates, sorted, unique (missing periods may simply be absent).
    freq
        The series' frequency code.
    spec
        The specification (its seasonality and interventions are used here).
    observed
        Boolean mask of rows whose outcome is observed; segment lengths count only those.
    covariates
        Columns to append (aligned to ``dates``).
    interventions
        Override ``spec.interventions`` (sweeps move one date without building a new spec).

    Returns
    -------
    Design

    Raises
    ------
    SpecError
        An intervention date outside the data, two interventions in the same period, or too few
        observations to estimate a segment's terms (3 before the first intervention, 2 after a
        level-and-slope change, 1 after a level-only change).

    Examples
    --------
    >>> from explorer.spec import ItsSpec, Intervention
    >>> dates = pd.date_range("2015-01-01", periods=24, freq="MS")
    >>> s = ItsSpec(time="date", value="y", interventions=(Intervention("gec", "2016-01-08"),))
    >>> build_design(dates, "M", s).X.columns.tolist()
    ['const', 'trend', 'gec:level', 'gec:slope']
    """
    idx = pd.DatetimeIndex(dates)
    ords = period_ordinal(idx, freq)
    if len(ords) == 0:
        raise SpecError("The series has no observations.")
    t = (ords - ords[0]).astype(float)
    obs = np.ones(len(t), bool) if observed is None else np.asarray(observed, bool)
    ivs = spec.interventions if interventions is None else tuple(interventions)
    first_o, last_o = (
        ords[obs].min() if obs.any() else ords[0],
        ords[obs].max() if obs.any() else ords[-1],
    )
    # Only the error messages need these as dates (built there: they cost more than the fit).

    cols: dict[str, np.ndarray] = {"const": np.ones(len(t)), "trend": t}
    season_cols: tuple[str, ...] = ()
    if spec.seasonality != "none":
        season = seasonal_frame(idx, freq, spec.seasonality, spec.fourier_k)
        season_cols = tuple(season.columns)
        for c in season.columns:
            cols[c] = season[c].to_numpy()

    terms: list[Term] = []
    caveats: list[str] = []
    for iv in ivs:
        o = first_treated_ordinal(iv.timestamp, freq)
        fmt = "%Y-%m-%d" if freq in ("D", "W") else "%Y-%m"
        if o <= first_o:
            first = period_start([first_o], freq)[0]
            raise SpecError(
                f"Intervention {iv.label!r} ({iv.date}) is at or before the first observation "
                f"({first.strftime(fmt)}): there is no pre-period. Choose a date after "
                f"{first.strftime(fmt)}."
            )
        if o > last_o:
            last = period_start([last_o], freq)[0]
            raise SpecError(
                f"Intervention {iv.label!r} ({iv.date}) is after the last observation "
                f"({last.strftime(fmt)}). Choose a date inside the data."
            )
        t0 = int(o - ords[0])
        t_end = None
        if iv.kind == "temporary":
            t_end = int(first_treated_ordinal(iv.until_timestamp, freq) - ords[0])
        new = intervention_columns(t, iv, t0, t_end)
        cols.update(new)
        names = list(new)
        terms.append(
            Term(
                label=iv.label,
                kind=iv.kind,
                level_col=names[0],
                slope_col=names[1] if len(names) > 1 else None,
                first_treated=period_start([o], freq)[0],
                t0=t0,
            )
        )

    caveats += check_segments(terms, t, obs, freq)
    # One block and object-dtype names: a dict of columns with pandas 3's Arrow string names
    # costs several times the OLS fit it feeds.
    X = pd.DataFrame(
        np.column_stack(list(cols.values())), index=idx, columns=pd.Index(list(cols), dtype=object)
    )
    cov_cols: tuple[str, ...] = ()
    if covariates is not None and len(covariates.columns):
        cov = covariates.set_axis(idx)
        clash = [c for c in cov.columns if c in X.columns]
        if clash:
            raise SpecError(f"Covariate {clash[0]!r} clashes with a model term: rename the column.")
        X = pd.concat([X, cov.astype(float)], axis=1)
        cov_cols = tuple(cov.columns)
    return Design(
        X=X,
        terms=tuple(terms),
        t=t,
        freq=freq,
        seasonal_cols=season_cols,
        covariate_cols=cov_cols,
        caveats=tuple(caveats),
    )


def check_segments(terms: list[Term], t: np.ndarray, obs: np.ndarray, freq: str) -> list[str]:
    """Enforce the minimum points per segment; return caveats for short ones."""
    caveats = []
    order = sorted(terms, key=lambda x: x.t0)
    for a, b in zip(order, order[1:], strict=False):
        if a.t0 == b.t0:
            raise SpecError(
                f"Interventions {a.label!r} and {b.label!r} fall in the same period "
                f"({a.first_treated:%Y-%m-%d}): their effects cannot be told apart. Move one "
                "of them or drop it."
            )
    tobs = t[obs]
    if order:
        n_pre = int((tobs < order[0].t0).sum())
        if n_pre < MIN_PRE:
            raise SpecError(
                f"Only {n_pre} observation(s) before intervention {order[0].label!r}: at least "
                f"{MIN_PRE} are needed to estimate the pre-intervention level and trend. Move the "
                "date later or use a longer series."
            )
        if n_pre < SHORT_SEGMENT:
            caveats.append(
                f"Only {n_pre} observations before {order[0].label!r}: the pre-intervention "
                "trend is poorly pinned down, so effects are uncertain."
            )
    for i, term in enumerate(order):
        # A level change needs a point of its own before the next intervention starts; a slope
        # change needs two points before the next intervention that changes the slope again.
        end = order[i + 1].t0 if i + 1 < len(order) else np.inf
        n_seg = int(((tobs >= term.t0) & (tobs < end)).sum())
        nxt = f" before {order[i + 1].label!r}" if i + 1 < len(order) else ""
        if n_seg < MIN_AFTER_LEVEL:
            raise SpecError(
                f"No observation from {term.label!r}{nxt}: its level change cannot be "
                "estimated. Move the dates apart or drop an intervention."
            )
        if term.slope_col:
            later = [o for o in order[i + 1 :] if o.slope_col]
            s_end = later[0].t0 if later else np.inf
            n_slope = int(((tobs >= term.t0) & (tobs < s_end)).sum())
            if n_slope < MIN_AFTER_SLOPE:
                nxt_s = f" before {later[0].label!r}" if later else ""
                raise SpecError(
                    f"Only {n_slope} observation(s) from {term.label!r}{nxt_s}: at least "
                    f"{MIN_AFTER_SLOPE} are needed to estimate a slope change. Move the dates "
                    "apart, use a level-only change (:level), or drop an intervention."
                )
        if n_seg < SHORT_SEGMENT:
            caveats.append(
                f"Only {n_seg} observation(s) in the segment starting at {term.label!r}: its "
                "effect estimates rest on few points."
            )
    return caveats
