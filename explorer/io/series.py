"""The analysable series: one outcome on a regular period grid, with the columns a spec needs.

``SeriesData`` is what every fit, sweep, placebo and chart consumes. ``extract_series`` builds it
from a loaded table and a spec (time, value, group/treated, control, offset, covariates) and
refuses what cannot be analysed, with a message that says what to do.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from explorer.errors import quote


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


def extract_series(
    table,
    *,
    value: str,
    group: str | None = None,
    treated: str | None = None,
    control: str | None = None,
    offset: str | None = None,
    covariates: tuple = (),
    min_obs: int = 4,
) -> SeriesData:
    """The series to analyse, taken from a loaded ``Table``, refusing what cannot be analysed.

    Dates become period starts (``explorer.periods.to_period_start``) and are sorted. Missing
    periods are reported in ``gaps`` and stay missing (never filled with zeros).

    Parameters
    ----------
    table
        An ``explorer.io.loader.Table``.
    value
        The outcome column.
    group, treated
        Long data: the column that tells the series apart and the treated series' value in it
        (``group`` defaults to the column the loader recognised). The control is then the mean
        of the other groups, in ``extra["control"]``, and ``units`` holds every group side by side.
    control
        Wide data: a column holding a control series (kept in ``extra`` under its own name).
    offset
        Exposure column (entering a count model as log(offset)); must be positive.
    covariates
        Extra regressor columns.
    min_obs
        Fewest observed periods the requested model needs.

    Returns
    -------
    SeriesData

    Raises
    ------
    InputError
        A column that does not exist or is not numeric (with a sample cell), long data without a
        chosen series, a date repeated within the series, too few observations, a series that
        does not vary, or a non-positive offset.

    Examples
    --------
    >>> from explorer.io.loader import load_table
    >>> t = load_table(b"month,n\\n2016-01,5\\n2016-02,7\\n2016-04,6\\n2016-05,9\\n2016-06,8\\n")
    >>> s = extract_series(t, value="n")
    >>> s.n, [f"{g:%Y-%m}" for g in s.gaps]
    (5, ['2016-03'])
    """
    from explorer.periods import to_period_start

    frame, tcol, freq = table.frame, table.time_column, table.freq
    value, group = _outcome_and_group(table, value, group, treated)
    keys = treated_unit = None
    rows = frame
    if group is not None:
        group, keys, treated_unit = _treated_group(frame, group, treated)
        rows = frame[keys == treated_unit]
    roles = [("control", control), ("offset", offset)] + [("covariate", c) for c in covariates]
    cols = _role_columns(table, rows, value, group, roles)

    dates = to_period_start(rows[tcol], freq)
    _no_repeats(dates, tcol, group is not None, frame)
    order = np.argsort(dates.asi8, kind="stable")
    dates = dates[order]
    data = pd.DataFrame({k: v.to_numpy()[order] for k, v in cols.items()})
    y = data[value].to_numpy(dtype=float)
    extra = (
        data.drop(columns=[value]) if len(data.columns) > 1 else pd.DataFrame(index=range(len(y)))
    )
    units = None
    if group is not None:
        units, wide = _other_units(table, keys, treated_unit, value, dates, y)
        if "control" not in extra.columns:
            extra = extra.assign(control=wide.reindex(dates).mean(axis=1).to_numpy())

    observed = np.isfinite(y)
    _refuse_unanalysable(y, observed, value, treated_unit, freq, min_obs)
    if offset:
        _check_offset(frame, extra, offset, observed, dates)
    return SeriesData(
        dates=pd.DatetimeIndex(dates),
        freq=freq,
        y=y,
        value_name=value,
        extra=extra.reset_index(drop=True),
        units=units,
        treated_unit=treated_unit,
        gaps=_gaps(dates, observed, freq),
        source={"name": table.name, "path": getattr(table, "path", None), "sha256": table.sha256},
    )


# -- the steps of extract_series -----------------------------------------------------------------


def _outcome_and_group(
    table, value: str, group: str | None, treated: str | None
) -> tuple[str, str | None]:
    """-> (the outcome column, the group column or None): refuses the time column as the
    outcome, a treated series in single-series data, and stacked series with none chosen."""
    from explorer.errors import InputError

    frame, tcol = table.frame, table.time_column
    value = _column(frame, value, "value")
    if value == tcol:
        raise InputError(
            f"{quote(value)} is the time column; choose a column of values to analyse."
        )
    if group is None and treated is not None:
        group = table.group_column
        if group is None:
            raise InputError(
                f"A treated series ({quote(treated)}) was named but the data hold a single series: name "
                "the column that holds the groups (--group)."
            )
    if group is None and table.group_column is not None:
        g = table.group_column
        names = _group_keys(frame[g]).unique()
        raise InputError(
            f"This file stacks {len(names)} series, told apart by column {quote(g)} ({_listing(names, column=g)}). "
            f"Choose the one to analyse: group={quote(g)} and treated=<one of them> (CLI: --group {g} "
            f"--treated {'NAME' if 'not listed' in _listing(names, column=g) else names[0]})."
        )
    return value, group


def _treated_group(
    frame: pd.DataFrame, group: str, treated: str | None
) -> tuple[str, pd.Series, str]:
    """Long data -> (the group column, every row's group as text, the treated group's name as
    the data write it); refuses a missing or unknown treated group."""
    from explorer.errors import InputError

    group = _column(frame, group, "group")
    keys = _group_keys(frame[group])
    names = keys.unique()
    if treated is None:
        raise InputError(
            f"Long data grouped by {quote(group)}: say which group is treated (--treated), one of "
            f"{_listing(names, column=group)}."
        )
    t = str(treated).strip()
    if t not in set(names):
        low = {n.lower(): n for n in names}
        if t.lower() not in low:
            raise InputError(
                f"There is no group {quote(treated)} in column {quote(group)}. The groups are: "
                f"{_listing(names, 12, column=group)}."
            )
        t = low[t.lower()]
    return group, keys, t


def _role_columns(
    table, rows: pd.DataFrame, value: str, group: str | None, roles: list[tuple[str, str | None]]
) -> dict[str, pd.Series]:
    """The outcome and every named role's column (control, offset, covariates) as floats, keyed
    by column name; refuses a column given two roles."""
    from explorer.errors import InputError

    cols = {value: _numeric(table, rows, value, "value")}
    for role, c in roles:
        if c:
            name = _column(table.frame, c, role)
            if name == value or name == group:
                what = "outcome" if name == value else "group column"
                raise InputError(
                    f"Column {quote(name)} is the {what} and cannot also be the {role}: choose "
                    f"another column for the {role}."
                )
            if name in cols:
                raise InputError(
                    f"Column {quote(name)} is named twice (as {role} and as another role): give "
                    "each role its own column."
                )
            cols[name] = _numeric(table, rows, name, role)
    return cols


def _other_units(
    table, keys: pd.Series, treated_unit: str, value: str, dates, y: np.ndarray
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Long data -> (every unit side by side on the treated series' dates, the treated unit
    first; the other units on their own dates); refuses a unit with two rows for a period."""
    from explorer.errors import InputError
    from explorer.periods import to_period_start

    frame = table.frame
    others = frame[keys != treated_unit]
    ov = _numeric(table, others, value, "value")
    od = to_period_start(others[table.time_column], table.freq)
    long = pd.DataFrame(
        {"date": od, "unit": keys[keys != treated_unit].to_numpy(), "v": ov.to_numpy()}
    )
    dup = long.duplicated(["date", "unit"])
    if dup.any():
        r = long[dup].iloc[0]
        raise InputError(
            f"Group {r['unit']!r} has more than one row for {r['date']:%Y-%m-%d}: each group needs "
            "one value per period. Aggregate the rows first."
        )
    wide = long.pivot(index="date", columns="unit", values="v")
    units = wide.reindex(dates).rename_axis(index="date", columns=None)
    units.insert(0, treated_unit, y)
    return units, wide


def _refuse_unanalysable(
    y: np.ndarray,
    observed: np.ndarray,
    value: str,
    treated_unit: str | None,
    freq: str,
    min_obs: int,
) -> None:
    """Refuses a series with fewer than ``min_obs`` observed periods or with one value only."""
    from explorer.errors import InputError
    from explorer.periods import FREQ_NAMES

    n = int(observed.sum())
    what = f"{quote(value)}" + (f" for {quote(treated_unit)}" if treated_unit is not None else "")
    if n < min_obs:
        raise InputError(
            f"The series {what} has {n} observed {FREQ_NAMES.get(freq, freq)} value(s); this model "
            f"needs at least {min_obs}. Use a longer series or a finer frequency."
        )
    if np.nanmax(y) == np.nanmin(y):
        raise InputError(
            f"The series {what} has the same value ({np.nanmax(y):g}) in every period: there is "
            "nothing to analyse. Check that the right column was chosen."
        )


def _check_offset(
    frame: pd.DataFrame, extra: pd.DataFrame, offset: str, observed: np.ndarray, dates
) -> None:
    """Refuses an offset that is not positive (or missing) where the series is observed."""
    from explorer.errors import InputError

    off = extra[_column(frame, offset, "offset")].to_numpy(dtype=float)
    bad = observed & ~(np.isfinite(off) & (off > 0))
    if bad.any():
        raise InputError(
            f"The offset column {quote(offset)} must be positive where the series is observed (it "
            f"enters as log(offset)); it is {off[bad][0]:g} at {dates[bad][0]:%Y-%m-%d}. Fix the "
            "column or drop the offset."
        )


def _gaps(dates, observed: np.ndarray, freq: str) -> tuple:
    """Every period from the first row to the last without an observed value."""
    from explorer.periods import period_ordinal, period_start

    o = period_ordinal(dates, freq)
    if not len(o):
        return ()
    grid = np.arange(o.min(), o.max() + 1)
    return tuple(period_start(np.setdiff1d(grid, o[observed]), freq))


def min_observations(spec) -> int:
    """Fewest observed periods a spec's regression can be estimated from: one more than its
    number of coefficients (constant, trend, seasonal terms, intervention terms, covariates),
    and never fewer than 4.

    Examples
    --------
    >>> from explorer.spec import Intervention, ItsSpec
    >>> min_observations(ItsSpec(time="t", value="y", interventions=(Intervention("a", "2016"),)))
    5
    """
    season = {"none": 0, "dow": 6, "month": 11}.get(spec.seasonality, 2 * spec.fourier_k)
    terms = sum(2 if iv.kind == "level_slope" else 1 for iv in spec.interventions)
    return max(4, 2 + season + terms + len(spec.covariates) + 1)


def series_from_spec(table, spec) -> SeriesData:
    """``extract_series`` with the columns an ``ItsSpec`` names (value, group, control, ...).

    ``min_obs`` comes from the spec (``min_observations``), so a refusal says how many periods
    that model needs.

    Raises
    ------
    InputError
        The spec's time column is not the one the table was loaded with, or any refusal of
        ``extract_series``.

    Examples
    --------
    >>> from explorer.io.loader import load_table
    >>> from explorer.spec import ItsSpec
    >>> t = load_table(b"year,n\\n2010,1\\n2011,3\\n2012,2\\n2013,5\\n")
    >>> series_from_spec(t, ItsSpec(time="year", value="n")).y.tolist()
    [1.0, 3.0, 2.0, 5.0]
    """
    from explorer.errors import InputError

    time = (spec.time or "").strip()
    if time and time.lower() != "auto" and "," not in time and time != table.time_column:
        if time.lower() != table.time_column.lower():
            raise InputError(
                f"The table was loaded with {table.time_column!r} as its time column, but the "
                f"analysis asks for {quote(time)}: load the file with time={quote(time)}."
            )
    return extract_series(
        table,
        value=spec.value,
        group=spec.group,
        treated=spec.treated,
        control=spec.control,
        offset=spec.offset,
        covariates=tuple(spec.covariates),
        min_obs=min_observations(spec),
    )


def _column(frame: pd.DataFrame, name: str, what: str) -> str:
    from explorer.errors import InputError

    if name in frame.columns:
        return name
    low = [c for c in frame.columns if str(c).lower() == str(name).lower()]
    if len(low) == 1:
        return low[0]
    raise InputError(
        f"There is no {what} column {quote(name)}. The columns are: "
        f"{', '.join(quote(c) for c in frame.columns[:20])}."
    )


def _group_keys(col: pd.Series) -> pd.Series:
    """Group labels as text (whole numbers without a trailing .0), so users can type them."""
    if pd.api.types.is_numeric_dtype(col.dtype):
        return col.map(
            lambda v: "" if pd.isna(v) else (str(int(v)) if float(v).is_integer() else str(v))
        )
    return col.astype("str").str.strip()


def _listing(names, k: int = 5, column: str = "") -> str:
    """Some group names, for a message; none for columns of account names (never shown)."""
    from explorer.io.cells import PRIVATE_COLUMN

    names = [str(n) for n in names]
    if PRIVATE_COLUMN.search(column):
        return f"{len(names)} values, not listed"
    return ", ".join(repr(n) for n in names[:k]) + (
        f" and {len(names) - k} more" if len(names) > k else ""
    )


def _numeric(table, rows: pd.DataFrame, col: str, what: str) -> pd.Series:
    """The column as floats, or an InputError quoting a cell that is not a number."""
    from explorer.errors import InputError

    s = rows[col]
    if pd.api.types.is_numeric_dtype(s.dtype) and not pd.api.types.is_bool_dtype(s.dtype):
        v = s.astype(float)
        inf = np.isinf(v.to_numpy())
        if inf.any():  # Parquet/Excel floats: an infinity would otherwise pass as "missing"
            i = v.index[np.flatnonzero(inf)[0]]
            when = rows[table.time_column].get(i)
            at = f" at {when:%Y-%m-%d}" if isinstance(when, pd.Timestamp) else ""
            raise InputError(
                f"The {what} column {quote(col)} holds an infinite value ({v[i]:g}){at}. Fix that cell "
                "(or leave it empty for a missing value), or choose another column."
            )
        return v
    if pd.api.types.is_bool_dtype(s.dtype):
        return s.astype(float)
    text = s.astype("str").str.strip()
    from explorer.io.cells import NumberStyle, is_missing, parse_numbers

    style = NumberStyle(decimal=getattr(table.report, "decimal", None) or ".")
    parsed = parse_numbers(text, style)
    bad = parsed.bad if parsed.bad.any() else ~is_missing(text)
    if not bad.any():
        return parsed.values
    if parsed.values.notna().sum() < bad.sum():
        # Mostly text: say so without quoting it (free-text columns may hold tweets).
        raise InputError(
            f"The {what} column {quote(col)} holds text, not numbers ({int(bad.sum())} of its "
            f"{int((~parsed.missing).sum())} filled cells are not numbers). Choose a column of "
            "numbers."
        )
    i = bad[bad].index[0]
    when = rows[table.time_column].get(i)
    at = f" (at {when:%Y-%m-%d})" if isinstance(when, pd.Timestamp) else ""
    cell = str(text[i])[:40]
    if re.fullmatch(r"[+-]?(inf|infinity)", cell, re.I):
        raise InputError(
            f"The {what} column {quote(col)} holds an infinite value ({quote(cell)}){at}. Fix that cell "
            "(or leave it empty for a missing value), or choose another column."
        )
    if re.fullmatch(r"[<>]\s*\d+([.,]\d+)?", cell):  # Google Trends' "<1", suppressed counts
        raise InputError(
            f"The {what} column {quote(col)} holds {quote(cell)}{at}: a value given only as a bound, not a "
            "number. Replace such cells with a number you can defend (and say so), or leave them "
            "empty for missing values."
        )
    raise InputError(
        f"The {what} column {quote(col)} holds text, not numbers: {quote(cell)}{at}. Fix that "
        "cell (or leave it empty for a missing value), or choose another column."
    )


def _no_repeats(dates, tcol, grouped, frame) -> None:
    from explorer.errors import InputError

    dup = pd.Index(dates).duplicated()
    if not dup.any():
        return
    d = dates[dup][0]
    n = int((dates == d).sum())
    if grouped:
        raise InputError(
            f"{d:%Y-%m-%d} appears {n} times within the chosen group: each period needs one value. "
            "Aggregate the rows first (sum or mean per period)."
        )
    text = [c for c in frame.columns if c != tcol and frame[c].dtype == "str"]
    hint = f" or choose a group column (e.g. {text[0]!r})" if text else ""
    raise InputError(
        f"{d:%Y-%m-%d} appears {n} times, but a single series needs one value per period. "
        f"Aggregate the rows per period (sum or mean){hint}."
    )
