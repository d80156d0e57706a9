"""Periods: the frequency codes, their names, period arithmetic and how a period is written.

Frequencies are the explorer's codes ``D`` (daily), ``W`` (weekly, weeks start on Monday), ``M``,
``Q`` and ``Y``; a period is named by its first day. ``period_ordinal`` numbers periods so that
consecutive ones differ by 1, ``period_start`` goes back; every module that counts or labels
periods (the loader, the design, sweeps, charts, prose, the verdict) uses these.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from explorer.errors import SpecError

FREQUENCIES = ("D", "W", "M", "Q", "Y")
FREQ_NAMES = {"D": "daily", "W": "weekly", "M": "monthly", "Q": "quarterly", "Y": "yearly"}
# One period's word ("3 months"); also DuckDB's date_trunc unit for the tweet archives.
PERIOD_WORD = {"D": "day", "W": "week", "M": "month", "Q": "quarter", "Y": "year"}
# How a period is written in data, charts and prose: as short as its frequency allows.
LABEL_FORMAT = {"D": "%Y-%m-%d", "W": "%Y-%m-%d", "M": "%Y-%m", "Q": "%Y-%m", "Y": "%Y"}
# How the app's widgets show a period to a reader.
DISPLAY_FORMAT = {"D": "%d %b %Y", "W": "week of %d %b %Y", "M": "%b %Y", "Q": "%b %Y", "Y": "%Y"}


def period_ordinal(dates, freq: str) -> np.ndarray:
    """Integer index of the period containing each date (consecutive periods differ by 1)."""
    # numpy datetime64 unit casts (which floor) instead of pandas field access: the design is
    # rebuilt for every fit of a sweep, and the pandas route cost more than the fit itself.
    if isinstance(dates, pd.DatetimeIndex) and dates.tz is None:
        v = dates.to_numpy()
    else:
        v = pd.DatetimeIndex(pd.to_datetime(dates)).tz_localize(None).to_numpy()
    if freq in ("D", "W"):
        days = v.astype("datetime64[D]").astype(np.int64)
        return days if freq == "D" else (days - 4) // 7  # 1970-01-05, a Monday, is day 4
    if freq in ("M", "Q", "Y"):
        months = v.astype("datetime64[M]").astype(np.int64) + 1970 * 12
        return months if freq == "M" else months // 3 if freq == "Q" else months // 12
    raise SpecError(f"Unknown frequency {freq!r}: use one of {', '.join(FREQUENCIES)}.")


def period_start(ordinals, freq: str) -> pd.DatetimeIndex:
    """The first day of each period ordinal (inverse of ``period_ordinal``)."""
    o = np.asarray(ordinals, dtype=np.int64)
    if freq in ("D", "W"):
        days = o if freq == "D" else o * 7 + 4  # 1970-01-05, a Monday, is day 4
        return pd.DatetimeIndex(days.astype("datetime64[D]").astype("datetime64[us]"))
    # Months since 1970 as numpy datetime64: pd.to_datetime on a year/month dict costs ~1 ms
    # a call, more than the regression it feeds.
    if freq == "M":
        return _months_since_1970(o - 1970 * 12)
    if freq == "Q":
        return _months_since_1970((o // 4 - 1970) * 12 + (o % 4) * 3)
    if freq == "Y":
        return _months_since_1970((o - 1970) * 12)
    raise SpecError(f"Unknown frequency {freq!r}: use one of {', '.join(FREQUENCIES)}.")


def _months_since_1970(m: np.ndarray) -> pd.DatetimeIndex:
    return pd.DatetimeIndex(m.astype("datetime64[M]").astype("datetime64[us]"))


def to_period_start(dates, freq: str) -> pd.DatetimeIndex:
    """Each date replaced by the first day of its period."""
    return period_start(period_ordinal(dates, freq), freq)


def first_treated_ordinal(date: pd.Timestamp, freq: str) -> int:
    return int(period_ordinal([date], freq)[0])


def period_label(date, freq: str | None = None) -> str:
    """A period written as short as its frequency allows (``2016-01`` for months and quarters,
    ``2016`` for years, the full date otherwise or when ``freq`` is None).

    Examples
    --------
    >>> period_label("2016-01-01", "M"), period_label("2016-01-01", "Y"), period_label("2016-01-04")
    ('2016-01', '2016', '2016-01-04')
    """
    return pd.Timestamp(date).strftime(LABEL_FORMAT.get(freq or "", "%Y-%m-%d"))


def display_format(freq: str) -> str:
    """The strftime format the app's widgets use for a period of this frequency."""
    return DISPLAY_FORMAT.get(freq, "%Y-%m-%d")
