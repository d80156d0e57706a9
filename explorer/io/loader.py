"""Load the files journalists and analysts actually have into a tidy table, and say what was inferred.

``load_table`` takes a path or uploaded bytes (CSV, TSV, ``;``-separated with decimal commas,
UTF-8 with or without BOM, UTF-16, Excel ``.xlsx``, Parquet) and returns a ``Table``: the frame
with numbers parsed and the time column as dates, its frequency, and a ``LoadReport`` of every
inference (encoding, delimiter, decimal mark, date format and day/month order, gaps, long format)
with plain-sentence notes on anything doubtful. Files it cannot use are refused with an
``InputError`` that says what is wrong and how to fix it; parser errors never escape raw.

What the series must satisfy for a given analysis (one value per period, enough observations,
variation) is checked by ``explorer.io.series.extract_series``; intervention dates by
``explorer.models.design``.
"""

from __future__ import annotations

import hashlib
import math
import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from explorer.errors import InputError, quote
from explorer.io import cells
from explorer.io.readers import read_frame
from explorer.periods import FREQ_NAMES, period_ordinal, period_start

_TIME_HINT = re.compile(
    r"(date|time|period|day|week|month|year|quarter|datum|fecha|jahr|ann[eé]e|a[nñ]o|anno|jaar|"
    r"zeit|periode|semaine|mois|fy|dt)",
    re.I,
)
_YEARISH = re.compile(r"(year|yr|date|time|period|jahr|ann[eé]e|a[nñ]o|anno|jaar|^fy)", re.I)
_YEAR_NAME = re.compile(r"^(year|yr|jahr|ann[eé]e|a[nñ]o|anno|jaar|ano)$", re.I)
_MONTH_NAME = re.compile(r"^(month|mon|mo|monat|mois|mes|mese|maand|month_?num(ber)?)$", re.I)
_QUARTER_NAME = re.compile(r"^(quarter|qtr|q|quartal|trimestre)$", re.I)
_GROUP_HINT = re.compile(
    r"(group|unit|state|country|region|series|name|category|id|code|area|place|city|county|"
    r"account|platform|site|source|district|province|land|pays)",
    re.I,
)
_MAX_FOOTER = 5  # trailing rows without a date ("Total", "Source: ...") dropped with a note


@dataclass(frozen=True)
class LoadReport:
    """What the loader inferred from a file, for the app's "how this file was read" panel."""

    encoding: str | None
    delimiter: str | None
    decimal: str | None
    thousands: str | None
    date_format: str
    dayfirst: bool | None
    frequency: str
    gaps: tuple[pd.Timestamp, ...]
    n_rows: int
    n_columns: int
    long_format: bool
    notes: tuple[str, ...] = ()
    file_type: str = "csv"
    sheet: str | None = None

    def to_dict(self) -> dict:
        """The report as JSON-able plain types (dates as ``YYYY-MM-DD``)."""
        return {
            "file_type": self.file_type,
            "sheet": self.sheet,
            "encoding": self.encoding,
            "delimiter": self.delimiter,
            "decimal": self.decimal,
            "thousands": self.thousands,
            "date_format": self.date_format,
            "dayfirst": self.dayfirst,
            "frequency": self.frequency,
            "frequency_name": FREQ_NAMES.get(self.frequency, self.frequency),
            "gaps": [f"{g:%Y-%m-%d}" for g in self.gaps],
            "n_rows": int(self.n_rows),
            "n_columns": int(self.n_columns),
            "long_format": bool(self.long_format),
            "notes": list(self.notes),
        }


@dataclass(frozen=True, eq=False)
class Table:
    """A loaded file: the frame, its time column and frequency, and how it was read.

    Attributes
    ----------
    frame
        The file's columns: numbers parsed where a column is numeric, the time column as
        ``datetime64``; for a year + month pair a new ``period`` column holds the dates.
    time_column
        Name of the parsed time column in ``frame``.
    freq
        D, W, M, Q or Y.
    report
        The ``LoadReport``.
    sha256
        Hex digest of the raw bytes.
    name
        The file name (or the dataset's name when loaded from the catalogue).
    group_column
        The column that tells stacked series apart in long data, if one was recognised.
    path
        The file's path when loaded from disk, else None.
    """

    frame: pd.DataFrame
    time_column: str
    freq: str
    report: LoadReport
    sha256: str
    name: str
    group_column: str | None = None
    path: str | None = None


def load_table(
    source,
    *,
    filename: str | None = None,
    sheet: str | None = None,
    time: str | None = None,
    dayfirst: bool | None = None,
) -> Table:
    """Read a CSV/TSV, ``.xlsx`` or Parquet file into a ``Table``.

    Parameters
    ----------
    source
        A path (``str`` or ``Path``) or the raw bytes of an upload.
    filename
        The upload's file name (its extension is a hint; the content decides).
    sheet
        Excel only: the sheet to read (default: the first).
    time
        The time column's name, ``"YEAR,MONTH"`` for separate year and month (or quarter)
        columns, or None to detect it.
    dayfirst
        Force the order of ``dd/mm/yyyy``-like dates; None detects it from the data and reports
        the evidence in ``report.notes``.

    Returns
    -------
    Table

    Raises
    ------
    InputError
        The file is empty, too large, binary, has no data rows, no readable dates, or cannot be
        parsed; the message says what is wrong and how to fix it.

    Examples
    --------
    >>> t = load_table(b"month;visits\\n2016-01;1.234,5\\n2016-02;1.100,0\\n", filename="v.csv")
    >>> t.freq, t.report.decimal, float(t.frame["visits"].iloc[0])
    ('M', ',', 1234.5)
    """
    rf = read_frame(source, filename=filename, sheet=sheet)
    frame, notes = rf.frame, rf.notes
    if len(frame.index) == 0:
        cols = ", ".join(str(c).strip() for c in frame.columns[:8])
        raise InputError(
            f"The file has a header ({cols}) but no rows of data. Add the data rows below the "
            "header and load it again."
        )
    frame = _tidy_columns(frame, notes)

    tcol, parsed = _choose_time(frame, time, dayfirst, notes)
    frame = _apply_time(frame, tcol, parsed, notes)
    style = _parse_number_columns(frame, tcol, rf.delimiter, notes)
    frame = frame.reset_index(drop=True)

    freq = _frequency(frame[tcol], notes)
    if freq == "W":
        frame = _align_weeks(frame, tcol, notes)
    gaps = _gaps(frame[tcol], freq, notes)
    group = _detect_group(frame, tcol, notes)
    if group is None:
        _note_repeats(frame, tcol, notes)
    return Table(
        frame=frame,
        time_column=tcol,
        freq=freq,
        report=LoadReport(
            encoding=rf.encoding,
            delimiter=rf.delimiter,
            decimal=style.decimal if style else None,
            thousands=style.thousands if style else None,
            date_format=parsed.fmt,
            dayfirst=parsed.dayfirst,
            frequency=freq,
            gaps=tuple(gaps),
            n_rows=len(frame),
            n_columns=len(frame.columns),
            long_format=group is not None,
            notes=tuple(dict.fromkeys(notes)),
            file_type=rf.kind,
            sheet=rf.sheet,
        ),
        sha256=hashlib.sha256(rf.raw).hexdigest(),
        name=rf.name,
        group_column=group,
        path=rf.path,
    )


# -- columns, time, numbers ------------------------------------------------------------------
def _tidy_columns(frame: pd.DataFrame, notes: list[str]) -> pd.DataFrame:
    """Unique, stripped column names; drop unnamed columns that hold nothing."""
    names, seen, keep = [], {}, []
    for j, c in enumerate(frame.columns):
        col = frame.iloc[:, j]
        name = str(c).strip().lstrip("\ufeff")
        empty = col.isna().all() or (col.dtype == "str" and cells.is_missing(col.str.strip()).all())
        if not name and empty:
            continue
        if not name:
            name = f"column_{j + 1}"
        if name in seen:
            seen[name] += 1
            new = f"{name}_{seen[name]}"
            notes.append(f"Two columns are named {quote(name)}; the second is called {quote(new)}.")
            name = new
        seen.setdefault(name, 1)
        names.append(name)
        keep.append(j)
    out = frame.iloc[:, keep].copy()
    out.columns = names
    if len(out.columns) < 2:
        raise InputError(
            "Only one column holds data, but a time series needs at least a time column and a "
            "value column."
        )
    return out


def _choose_time(frame, time, dayfirst, notes):
    """Pick and parse the time column: (column name, ParsedDates)."""
    if time is not None and str(time).strip().lower() not in ("", "auto"):
        spec = str(time).strip()
        if "," in spec:
            ycol, mcol = (_column(frame, p.strip()) for p in spec.split(",", 1))
            return "period", _year_month(frame, ycol, mcol)
        col = _column(frame, spec)
        parsed = cells.parse_dates(frame[col], dayfirst=dayfirst, allow=("year", "compact"))
        if parsed is None or parsed.dates.notna().sum() == 0:
            _refuse_out_of_range_dates(frame, [col])
            # No cell is quoted: a column with no date at all may be free text (even tweets).
            raise InputError(
                f"Column {quote(col)} does not hold dates this explorer reads: none of its cells is a "
                "date. Use YYYY-MM-DD, YYYY-MM, YYYY-Www, YYYY-Qn or YYYY, or give year and month "
                "columns as time='year,month'."
            )
        return col, parsed

    cols = list(frame.columns)
    year_col = next((c for c in cols if _YEAR_NAME.match(c)), None)
    sub_col = next((c for c in cols if _MONTH_NAME.match(c) or _QUARTER_NAME.match(c)), None)
    found, partial = [], None
    for rank_name, c in sorted(
        enumerate(cols), key=lambda ic: (not _TIME_HINT.search(ic[1]), ic[0])
    ):
        allow = ("year",) if (_YEARISH.search(c) or c == cols[0]) else ()
        parsed = cells.parse_dates(frame[c], dayfirst=dayfirst, allow=allow)
        if parsed is None:
            continue
        if not _mostly_parsed(frame[c], parsed):
            if partial is None and parsed.dates.notna().mean() >= 0.5:
                partial = (c, parsed)  # a date column with a bad cell: say which cell
            continue
        found.append((parsed.fmt == "YYYY", rank_name, c, parsed))
        if parsed.fmt != "YYYY":
            break
    full = [f for f in found if not f[0]]
    if full:
        _, _, c, parsed = full[0]
        return c, parsed
    if year_col and sub_col:
        try:
            parsed = _year_month(frame, year_col, sub_col)
        except InputError:
            parsed = None
        if parsed is not None:
            notes.append(
                f"Combined the {quote(year_col)} and {quote(sub_col)} columns into dates (new column 'period')."
            )
            return "period", parsed
    if found:
        _, _, c, parsed = found[0]
        return c, parsed
    if partial is not None:
        return partial  # _apply_time names the cell that is not a date
    _refuse_out_of_range_dates(frame, cols)
    raise InputError(
        f"No column holds dates this explorer reads (columns: {', '.join(map(quote, cols[:10]))}). "
        "Write dates as YYYY-MM-DD, YYYY-MM, YYYY-Www or YYYY, name the time column with time=..., "
        "or give year and month columns as time='year,month'."
    )


_DATE_LIKE = re.compile(r"\s*([+-]?\d{1,6})-(?:\d{1,2}|W\d{2}|Q[1-4])(?:-\d{1,2})?(?:[T ].*)?\s*")


def _refuse_out_of_range_dates(frame: pd.DataFrame, cols) -> None:
    """A column of dates like 9999-01 or 0001-01-01 is out of range, not 'no dates'."""
    lo, hi = pd.Timestamp.min.year, pd.Timestamp.max.year
    for c in cols:
        col = frame[c]
        if col.dtype != "str" and col.dtype != object:
            continue
        sample = col.dropna().astype(str).head(200)
        m = sample.str.extract(_DATE_LIKE.pattern, expand=False).dropna()
        if len(m) < max(1, len(sample) // 2):
            continue
        years = pd.to_numeric(m, errors="coerce")
        out = (years <= lo) | (years >= hi)
        if out.any():
            cell = sample[m.index[out.to_numpy()][0]]
            raise InputError(
                f"Column {quote(c)} holds dates out of the supported range, e.g. {quote(cell)}: "
                f"dates must fall between {pd.Timestamp.min:%Y-%m-%d} and "
                f"{pd.Timestamp.max:%Y-%m-%d} (pandas' Timestamp range). Fix or drop those rows."
            )


def _column(frame: pd.DataFrame, name: str) -> str:
    if name in frame.columns:
        return name
    low = [c for c in frame.columns if c.lower() == name.lower()]
    if len(low) == 1:
        return low[0]
    raise InputError(
        f"There is no column {quote(name)}. The columns are: {', '.join(map(quote, frame.columns[:20]))}."
    )


def _mostly_parsed(col: pd.Series, parsed) -> bool:
    """Every non-empty cell parsed, except possibly a few footer rows at the end."""
    present = ~(_blank(col))
    bad = present & parsed.dates.isna()
    if not present.any() or parsed.dates.notna().sum() < 1:
        return False
    return not bad.any() or _is_footer(bad, ~present)


def _is_footer(bad: pd.Series, blank: pd.Series) -> bool:
    """The undated rows are a few rows at the very end (below the last date), like a total."""
    pos = np.flatnonzero(bad.to_numpy())
    tail = (bad | blank).to_numpy()[pos.min() :] if len(pos) else []
    return 0 < len(pos) <= _MAX_FOOTER and bool(np.all(tail))


def _blank(col: pd.Series) -> pd.Series:
    if col.dtype == "str" or col.dtype == object:
        return cells.is_missing(col.astype("str").str.strip())
    return col.isna()


def _year_month(frame, ycol, mcol):
    years = pd.to_numeric(
        frame[ycol].astype("str").str.strip().str.replace(r"\.0+$", "", regex=True), errors="coerce"
    )
    quarter = bool(_QUARTER_NAME.match(mcol))
    if quarter:
        q = pd.to_numeric(frame[mcol].astype("str").str.strip().str.lstrip("Qq"), errors="coerce")
        months = ((q - 1) * 3 + 1).where(q.between(1, 4))
    else:
        months = cells.month_numbers(frame[mcol])
    bad = (~_blank(frame[ycol]) & (years.isna() | ~years.between(1000, 2999))) | (
        ~_blank(frame[mcol]) & months.isna()
    )
    if bad.any():
        i = bad[bad].index[0]
        raise InputError(
            f"Data row {i + 1}: year {str(frame[ycol][i])!r} and {'quarter' if quarter else 'month'} "
            f"{str(frame[mcol][i])!r} do not make a date. Years must be like 2016 and months 1-12 "
            "or names (Jan, January)."
        )
    dates = cells._frame_dates(years, months)
    return cells.ParsedDates(
        dates, "year + quarter columns" if quarter else "year + month columns", None, []
    )


def _apply_time(frame, tcol, parsed, notes) -> pd.DataFrame:
    """Put the parsed dates in the frame; drop footer rows and rows without a date, with notes."""
    if parsed.fmt.startswith("year + ") and "period" in frame.columns:
        raise InputError(
            "The file already has a column named 'period': rename it, or give the time column "
            "by name instead of as year,month."
        )
    notes.extend(parsed.notes)
    frame = frame.copy()
    raw = frame[tcol] if tcol in frame.columns else pd.Series("", index=frame.index, dtype="str")
    blank = _blank(raw) if tcol in frame.columns else parsed.dates.isna()
    bad = ~blank & parsed.dates.isna()
    if bad.any():
        pos = np.flatnonzero(bad.to_numpy())
        if _is_footer(bad, blank):
            first = str(raw.iloc[pos[0]])[:40]
            notes.append(
                f"Dropped {len(pos)} row(s) at the end without a date (starting {quote(first)}): a total or footnote."
            )
        else:
            first = str(raw.iloc[pos[0]])[:40]
            raise InputError(
                f"Data row {pos[0] + 1} (below the header) of column {quote(tcol)} holds {quote(first)}, which is not a date like the "
                f"others ({parsed.fmt}). Fix or remove that row and load the file again."
            )
    undated = parsed.dates.isna()
    n_blank = int((undated & ~bad).sum())
    if n_blank:
        notes.append(f"Ignored {n_blank} row(s) with no date.")
    if parsed.fmt.startswith("year + "):
        frame.insert(0, "period", parsed.dates)
    else:
        frame[tcol] = parsed.dates
    frame = frame[~undated]
    if frame.empty:
        raise InputError(f"No row of column {quote(tcol)} holds a date. Check the time column.")
    return frame


def _too_large(bad: pd.Series) -> str | None:
    """The first cell written as a finite number that overflows to infinity (``-1e309``)."""
    for cell in bad.head(1000):
        text = str(cell).strip()
        if re.fullmatch(r"[+-]?(?:\d+\.?\d*|\.\d+)[eE][+-]?\d+", text) and math.isinf(float(text)):
            return text
    return None


def _parse_number_columns(frame, tcol, delimiter, notes):
    for c in frame.columns:  # a column with no value at all is an empty numeric column
        if c != tcol and frame[c].dtype == "str" and _blank(frame[c]).all():
            frame[c] = np.nan
    text_cols = [
        c
        for c in frame.columns
        if c != tcol and frame[c].dtype == "str" and cells.may_be_numeric(frame[c])
    ]
    if not text_cols:
        return cells.NumberStyle(decimal=".")
    style = cells.infer_number_style([frame[c] for c in text_cols], delimiter=delimiter)
    notes.extend(style.notes)
    for c in text_cols:
        p = cells.parse_numbers(frame[c], style)
        ok = int(p.values.notna().sum())
        n_bad = int(p.bad.sum())
        huge = _too_large(frame[c][p.bad])
        if huge is not None:
            raise InputError(
                f"Column {quote(c)} holds {quote(huge)}, a number too large to compute with "
                "(beyond about 1.8e308, the floating-point range). Fix the cell, or rescale the "
                "column (e.g. divide it by 1e300) and load it again."
            )
        if ok and p.formula.any() and ok >= n_bad - int(p.formula.sum()):
            cell = frame[c][p.formula].iloc[0]
            raise InputError(
                f"Column {quote(c)} holds {quote(cell, 40)}, which looks like a spreadsheet formula, not a "
                "value. Export the sheet with values only (copy, then paste special > values) and "
                "load it again."
            )
        if ok and not n_bad:
            frame[c] = p.values
            if p.percent:
                notes.append(f"Column {quote(c)} has % signs: read 45% as 45 (percent).")
        elif ok and ok >= n_bad:
            cell = frame[c][p.bad].iloc[0]
            notes.append(
                f"Column {quote(c)} is mostly numbers but {n_bad} cell(s) are text, e.g. {quote(cell, 40)}; "
                "it is kept as text."
            )
    return style


# -- frequency, gaps, long data --------------------------------------------------------------
def coarsest_frequency(dates: pd.DatetimeIndex) -> str | None:
    """The coarsest frequency at which every distinct date falls in a period of its own.

    Monthly dates on the 1st are also distinct days and weeks; quarters would merge two of them,
    so the answer is M. None when two dates share a day (event-level rows).

    Examples
    --------
    >>> coarsest_frequency(pd.to_datetime(["2016-01-31", "2016-02-29", "2016-04-30"]))
    'M'
    """
    u = pd.DatetimeIndex(dates).unique()
    for f in ("Y", "Q", "M", "W", "D"):
        if len(np.unique(period_ordinal(u, f))) == len(u):
            return f
    return None


def grid_gaps(dates, freq: str) -> list[pd.Timestamp]:
    """Period starts between the first and last date with no date of their own.

    Examples
    --------
    >>> [f"{g:%Y-%m}" for g in grid_gaps(pd.to_datetime(["2016-01-01", "2016-04-01"]), "M")]
    ['2016-02', '2016-03']
    """
    o = np.unique(period_ordinal(pd.DatetimeIndex(dates).dropna(), freq))
    if len(o) < 2:
        return []
    missing = np.setdiff1d(np.arange(o.min(), o.max() + 1), o)
    return list(period_start(missing, freq)) if len(missing) else []


def _frequency(dates: pd.Series, notes) -> str:
    u = pd.DatetimeIndex(dates.dropna().unique()).sort_values()
    freq = coarsest_frequency(u)
    if freq is None:
        per_day = dates.dt.normalize().value_counts()
        day = per_day.index[0]
        notes.append(
            f"Several rows share a day (e.g. {day:%Y-%m-%d} has {int(per_day.iloc[0])}): this looks "
            "like one row per event. Count or sum them per day, week or month before analysing."
        )
        return "D"
    starts = period_start(period_ordinal(u, freq), freq)
    if freq in ("M", "Q", "Y") and not (u == starts).all():
        ends = period_start(period_ordinal(u, freq) + 1, freq) - pd.Timedelta(days=1)
        where = "the last day of each" if (u == ends).all() else "different days within each"
        unit = {"M": "month", "Q": "quarter", "Y": "year"}[freq]
        notes.append(
            f"Dates fall on {where} {unit}; each row is read as its {unit} "
            f"({FREQ_NAMES[freq]} data)."
        )
    if freq == "D" and (u != u.normalize()).any():
        notes.append("Times of day were ignored: the data are read as daily.")
    return freq


def _align_weeks(frame: pd.DataFrame, tcol: str, notes: list[str]) -> pd.DataFrame:
    """Put weekly dates on the explorer's Monday-to-Sunday weeks, and say how.

    A date is read as the Monday week that contains it, except where that week would overlap the
    data's own week by a day or two: a week named by its first day, a Sunday (as Google Trends
    writes them) or a Friday/Saturday when the column says so ("week beginning"), is read as the
    Monday week it mostly covers; a week named by its last day ("week ending" Monday-Wednesday)
    likewise. The dates in the frame are then those Mondays.
    """
    d = frame[tcol]
    days = d.dropna().dt.day_of_week.unique()
    if len(days) != 1:
        notes.append(
            "Weekly dates fall on different weekdays; each is read as the Monday-to-Sunday week "
            "containing it."
        )
        return frame
    day = int(days[0])
    name = tcol.lower()
    ends = bool(re.search(r"end", name))
    starts = bool(re.search(r"start|begin|commenc|from", name))
    if day == 0 and not ends:
        return frame
    weekday = pd.Timestamp("2024-01-01") + pd.Timedelta(days=day)  # a Monday + day
    wname = weekday.day_name()
    shift = 0
    if ends and day in (0, 1, 2):
        shift, how = -3, f"weeks ending on a {wname}"
    elif day == 6 and not ends:
        shift, how = 3, "weeks starting on a Sunday (as Google Trends writes them)"
    elif starts and day in (4, 5):
        shift, how = 3, f"weeks starting on a {wname}"
    if not shift:
        notes.append(
            f"Weekly dates fall on {wname}s; each is read as the Monday-to-Sunday week containing it."
        )
        return frame
    aligned = (d + pd.Timedelta(days=shift)).dt.normalize()
    aligned = aligned - pd.to_timedelta(aligned.dt.day_of_week, unit="D")
    first = d.dropna().iloc[0]
    notes.append(
        f"Weekly dates fall on {wname}s, read as {how}: each row is placed in the Monday-to-Sunday "
        f"week it mostly covers ({first:%Y-%m-%d} becomes the week of "
        f"{aligned[d.dropna().index[0]]:%Y-%m-%d})."
    )
    frame = frame.copy()
    frame[tcol] = aligned.astype(d.dtype)
    return frame


def _gaps(dates: pd.Series, freq: str, notes: list[str]) -> list[pd.Timestamp]:
    u = pd.DatetimeIndex(dates.dropna().unique())
    gaps = grid_gaps(u, freq) if coarsest_frequency(u) is not None else []
    if gaps:
        shown = ", ".join(f"{g:%Y-%m-%d}" for g in gaps[:5]) + (", ..." if len(gaps) > 5 else "")
        notes.append(
            f"{len(gaps)} {FREQ_NAMES[freq]} period(s) have no row ({shown}); they stay missing, "
            "never filled with zeros."
        )
    return gaps


def _detect_group(frame, tcol, notes) -> str | None:
    """The column that tells stacked series apart, when dates repeat (long data)."""
    dates = frame[tcol]
    if not dates.duplicated().any():
        return None
    if coarsest_frequency(pd.DatetimeIndex(dates.dropna().unique())) is None:
        return None  # event-level rows, not stacked series
    cols = [c for c in frame.columns if c != tcol]
    text = [c for c in cols if frame[c].dtype == "str"]
    ints = [
        c
        for c in cols
        if c not in text
        and _GROUP_HINT.search(c)
        and pd.api.types.is_numeric_dtype(frame[c])
        and (frame[c].dropna() == frame[c].dropna().round()).all()
    ]
    order = sorted(text, key=lambda c: not _GROUP_HINT.search(c)) + ints
    for c in order:
        k = frame[c].nunique(dropna=True)
        if 2 <= k <= max(2, len(frame) // 2) and not frame.duplicated([tcol, c]).any():
            counts = frame.groupby(c, observed=True)[tcol].count()
            if counts.min() < 2:  # a label on a row or two, not a series of its own
                continue
            some = ", ".join(map(str, counts.index[:4])) + (", ..." if k > 4 else "")
            if cells.PRIVATE_COLUMN.search(c):
                some = "values not listed"
            notes.append(
                f"Long data: {k} series stacked, told apart by column {quote(c)} ({some})."
            )
            return c
    return None


def _note_repeats(frame, tcol, notes):
    d = frame[tcol]
    dup = d[d.duplicated(keep=False)]
    if len(dup) and not any("one row per event" in n for n in notes):
        first = dup.iloc[0]
        notes.append(
            f"Some dates appear more than once (e.g. {first:%Y-%m-%d}, {int((d == first).sum())} times) "
            "and no column tells the series apart: aggregate them, or choose a group column."
        )
