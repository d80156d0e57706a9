"""The "same 45%, different causes" lab: SIMULATED monthly series with a known truth.

Every scenario is an index of pro-IS tweet volume (100 in June 2014) from 2014-06 to 2016-07
(26 months) that falls exactly 45% between its first and last months, as the AP story's figure
did, but each for a different reason. ``truth(name)`` records the reason (which intervention,
when, what kind of change and its size on the log scale, or none), so a test or the app can
check whether a method recovers it. The numbers are simulated, not observed: the government
series behind the 45% was never released.

The log index is ``trend * t + effects(t) + seasonal(t) + noise(t)``. The noise is pinned to
zero in the first and last month (a linear "bridge" is subtracted), and the trend is chosen so
the deterministic part falls exactly log(0.55): the drop is then exactly 45% whatever the seed,
and the truth does not depend on the seed. Interventions use the explorer's own coding
(``explorer.models.design.intervention_columns``: a ramp reaches 1/N of its change in its first month).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from explorer.errors import InputError

START, END = "2014-06-01", "2016-07-01"
N_MONTHS = 26
TOTAL_CHANGE = -0.45  # the AP / GEC figure, as a proportion
LOG_TOTAL = math.log1p(TOTAL_CHANGE)
BASE = 100.0
DECIMALS = 6  # values are rounded so the bundled CSVs and generate() agree exactly
# Seeds of the bundled CSVs (data/scenarios/), one per scenario.
DEFAULT_SEEDS = {
    "trend_only": 101,
    "gec_step": 102,
    "suspension_steps": 103,
    "paris_ramp": 104,
    "levelling_off": 105,
    "noisy_seasonal": 106,
}


@dataclass(frozen=True)
class _Scenario:
    description: str
    why: str
    interventions: tuple[dict, ...] = ()  # key, date, kind, effect_log (, ramp)
    shape: str = "linear"  # linear or levelling (exponential approach to a floor)
    tau: float = 0.0  # months, for the levelling shape
    noise_sd: float = 0.03
    ar1: float = 0.0
    seasonal_amplitude: float = 0.0  # log scale, 12-month sine peaking in March


_SPECS: dict[str, _Scenario] = {
    "trend_only": _Scenario(
        "A decline already under way: a steady log-linear fall, no intervention effect.",
        "Every month falls by the same proportion from June 2014 on; nothing changes at any "
        "intervention date, so crediting the GEC (or anything else) is wrong.",
    ),
    "gec_step": _Scenario(
        "A step down at the GEC announcement (January 2016) on top of a mild pre-existing decline.",
        "Most of the fall is a one-off drop in January 2016, the month the GEC was announced; "
        "a mild decline was already under way before it.",
        ({"key": "gec", "date": "2016-01", "kind": "level", "effect_log": -0.45},),
    ),
    "suspension_steps": _Scenario(
        "Steps down at Twitter's suspension waves (mid-2015, February 2016, June 2016).",
        "The fall comes in three drops at Twitter's suspension waves; the GEC month has no "
        "effect of its own.",
        (
            {"key": "twitter_campaign", "date": "2015-07", "kind": "level", "effect_log": -0.2},
            {"key": "twitter_125k", "date": "2016-02", "kind": "level", "effect_log": -0.15},
            {"key": "june_wave", "date": "2016-06", "kind": "level", "effect_log": -0.15},
        ),
    ),
    "paris_ramp": _Scenario(
        "A gradual fall over four months after the Paris attacks (November 2015).",
        "After the Paris attacks the level falls linearly over four months (November 2015 to "
        "February 2016), overlapping the GEC announcement, which itself does nothing.",
        ({"key": "paris", "date": "2015-11", "kind": "ramp", "ramp": 4, "effect_log": -0.4},),
    ),
    "levelling_off": _Scenario(
        "A decline that levels off: fast at first, nearly flat by 2016; no intervention effect.",
        "The fall decelerates smoothly (an exponential approach to a floor, time constant 6 "
        "months); a segmented fit at January 2016 sees a 'slope change' no intervention caused.",
        shape="levelling",
        tau=6.0,
        noise_sd=0.02,
    ),
    "noisy_seasonal": _Scenario(
        "A trend with autocorrelated (AR(1)) noise and a yearly cycle; no intervention effect.",
        "A steady decline plus a 12-month seasonal cycle and AR(1) noise (phi 0.6): runs of "
        "high or low months that naive standard errors mistake for effects.",
        noise_sd=0.06,
        ar1=0.6,
        seasonal_amplitude=0.08,
    ),
}

SCENARIOS: dict[str, str] = {name: s.description for name, s in _SPECS.items()}
"""Scenario names, in display order, with one-line descriptions."""


def dates() -> pd.DatetimeIndex:
    """The 26 month starts from 2014-06-01 to 2016-07-01."""
    return pd.date_range(START, END, freq="MS")


def _spec(name: str) -> _Scenario:
    if name not in _SPECS:
        raise InputError(f"Unknown scenario {name!r}: use one of {', '.join(_SPECS)}.")
    return _SPECS[name]


def _effects(s: _Scenario) -> np.ndarray:
    """Sum of the interventions' log-scale effects per month, in the explorer's own coding."""
    from explorer.models.design import intervention_columns
    from explorer.periods import first_treated_ordinal, period_ordinal
    from explorer.spec import Intervention

    idx = dates()
    ords = period_ordinal(idx, "M")
    t = (ords - ords[0]).astype(float)
    total = np.zeros(N_MONTHS)
    for iv in s.interventions:
        spec_iv = Intervention(iv["key"], iv["date"], kind=iv["kind"], ramp=iv.get("ramp"))
        t0 = int(first_treated_ordinal(spec_iv.timestamp, "M") - ords[0])
        level = next(iter(intervention_columns(t, spec_iv, t0, None).values()))
        total += iv["effect_log"] * level
    return total


def _seasonal(s: _Scenario) -> np.ndarray:
    month = dates().month.to_numpy(dtype=float)
    return s.seasonal_amplitude * np.sin(2 * np.pi * month / 12.0)


def _deterministic(s: _Scenario) -> tuple[np.ndarray, float]:
    """The noise-free log path (0 in the first month) and its trend per month."""
    t = np.arange(N_MONTHS, dtype=float)
    fixed = _effects(s) + _seasonal(s)
    fixed = fixed - fixed[0]
    if s.shape == "levelling":
        shape = 1.0 - np.exp(-t / s.tau)
        path = (LOG_TOTAL - fixed[-1]) * shape / shape[-1] + fixed
        return path, 0.0
    trend = (LOG_TOTAL - fixed[-1]) / t[-1]
    return trend * t + fixed, float(trend)


def _noise(s: _Scenario, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    shocks = rng.normal(0.0, s.noise_sd, N_MONTHS)
    e = np.empty(N_MONTHS)
    # Stationary start: the first value has the AR(1) process's marginal variance.
    e[0] = shocks[0] / math.sqrt(1.0 - s.ar1**2)
    for i in range(1, N_MONTHS):
        e[i] = s.ar1 * e[i - 1] + shocks[i]
    # Pin the ends to zero so the first-to-last change is exactly the deterministic one.
    bridge = e[0] + (e[-1] - e[0]) * np.arange(N_MONTHS) / (N_MONTHS - 1)
    return e - bridge


def generate(name: str, *, seed: int | None = None) -> pd.DataFrame:
    """One SIMULATED scenario series.

    Parameters
    ----------
    name
        A key of ``SCENARIOS``.
    seed
        Seed of the noise; None uses the seed of the bundled CSV (``DEFAULT_SEEDS``).

    Returns
    -------
    pandas.DataFrame
        Columns ``date`` (month start, datetime) and ``value`` (index, 100 in June 2014; 55 in
        July 2016 exactly, to ``DECIMALS`` decimals).

    Raises
    ------
    InputError
        If the name is not a scenario.

    Examples
    --------
    >>> df = generate("gec_step", seed=1)
    >>> round(float(df["value"].iloc[-1] / df["value"].iloc[0]) - 1, 6)
    -0.45
    """
    s = _spec(name)
    seed = DEFAULT_SEEDS[name] if seed is None else int(seed)
    path, _ = _deterministic(s)
    values = np.round(BASE * np.exp(path + _noise(s, seed)), DECIMALS)
    return pd.DataFrame({"date": dates(), "value": values})


def truth(name: str) -> dict:
    """What really drives the scenario (independent of the seed).

    Returns
    -------
    dict
        ``scenario``, ``description``, ``explanation``, ``interventions`` (list of ``key``,
        ``date``, ``kind``, ``ramp``, ``effect_log``, ``effect_pct``; empty when no
        intervention has an effect), ``trend_log_per_month`` (null for the levelling shape),
        ``shape``, ``noise`` (``sd``, ``ar1``, pinned ends), ``seasonal_amplitude_log`` and the
        decomposition of the total log change into trend, interventions and seasonality.

    Examples
    --------
    >>> truth("gec_step")["interventions"][0]["key"]
    'gec'
    """
    s = _spec(name)
    path, trend = _deterministic(s)
    effects, seasonal = _effects(s), _seasonal(s)
    ivs = [
        {
            "key": iv["key"],
            "date": iv["date"],
            "kind": iv["kind"],
            "ramp": iv.get("ramp"),
            "effect_log": iv["effect_log"],
            "effect_pct": round(100 * math.expm1(iv["effect_log"]), 4),
        }
        for iv in s.interventions
    ]
    from_iv = float(effects[-1] - effects[0])
    from_season = float(seasonal[-1] - seasonal[0])
    return {
        "scenario": name,
        "description": s.description,
        "explanation": s.why,
        "interventions": ivs,
        "shape": s.shape,
        "trend_log_per_month": None if s.shape == "levelling" else _r(trend),
        "levelling_time_constant_months": s.tau if s.shape == "levelling" else None,
        "noise": {"sd": s.noise_sd, "ar1": s.ar1, "ends_pinned": True},
        "seasonal_amplitude_log": s.seasonal_amplitude,
        "total_change_pct": _r(100 * TOTAL_CHANGE),
        "log_change": {
            "total": _r(LOG_TOTAL),
            "interventions": _r(from_iv),
            "seasonality": _r(from_season),
            "trend_or_shape": _r(float(path[-1]) - from_iv - from_season),
        },
    }


def _r(x: float) -> float:
    """Rounded for JSON, with -0.0 shown as 0.0."""
    return round(float(x), 10) + 0.0
