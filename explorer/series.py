"""The analysable series: one outcome on a regular period grid, with the columns a spec needs.

``SeriesData`` is what every fit, sweep, placebo and chart consumes. ``extract_series`` builds it
from a loaded table and a spec (time, value, group/treated, control, offset, covariates) and
refuses what cannot be analysed, with a message that says what to do.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd


@dataclass(frozen=True, eq=False)
class SeriesData:
    """One series ready for modelling.

    Attributes
    ----------
    dates
        Period start dates, sorted and unique (missing periods may be absent or have NaN ``y``).
    freq
        Frequency code: D, W, M, Q or Y.
    y
        The outcome (float; NaN where missing: gaps are never filled).
    value_name
        The outcome column's name, for labels.
    extra
        Other columns aligned with ``dates``: the offset, covariates and the control series,
        under their own column names (the control of long data is named ``control``).
    units
        Long data only: every unit's series side by side (dates x units), for in-space placebos.
    treated_unit
        Long data only: which column of ``units`` is treated.
    gaps
        Period start dates missing from the grid (reported, never filled).
    source
        Provenance: ``{"name": ..., "path": ..., "sha256": ...}``.
    """

    dates: pd.DatetimeIndex
    freq: str
    y: np.ndarray
    value_name: str = "value"
    extra: pd.DataFrame = field(default_factory=pd.DataFrame)
    units: pd.DataFrame | None = None
    treated_unit: str | None = None
    gaps: tuple = ()
    source: dict = field(default_factory=dict)

    @property
    def n(self) -> int:
        return int(np.isfinite(self.y).sum())

    def frame(self) -> pd.DataFrame:
        """The series as a DataFrame indexed by date: ``y`` and the extra columns."""
        df = pd.DataFrame({"y": self.y}, index=pd.DatetimeIndex(self.dates, name="date"))
        if len(self.extra.columns):
            df = pd.concat([df, self.extra.set_axis(df.index)], axis=1)
        return df


def from_frame(
    df: pd.DataFrame,
    *,
    date: str = "date",
    value: str = "y",
    freq: str,
    extra: tuple[str, ...] = (),
    source: dict | None = None,
) -> SeriesData:
    """A ``SeriesData`` from a tidy frame that is already clean (tests, scenarios, benchmarks).

    No checks beyond sorting: user files go through ``extract_series``.
    """
    d = df.sort_values(date)
    return SeriesData(
        dates=pd.DatetimeIndex(pd.to_datetime(d[date])),
        freq=freq,
        y=d[value].to_numpy(dtype=float),
        value_name=value,
        extra=d[list(extra)].reset_index(drop=True) if extra else pd.DataFrame(),
        source=dict(source or {}),
    )
