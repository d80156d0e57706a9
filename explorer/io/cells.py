"""From cell text to numbers and dates, as people write them in spreadsheets and CSV exports.

Used by ``explorer.io.loader``. Everything here is vectorised over a column (a pandas Series of
strings) and returns what it inferred, so the loader can report it instead of guessing silently:
the decimal mark and thousands separator of a file, and the format of a time column (ISO dates,
``YYYY-MM``, ``YYYY-Www`` weeks, quarters, plain years, ``dd/mm/yyyy`` or ``mm/dd/yyyy`` with the
evidence for the order chosen, month names).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from explorer.errors import InputError

# Cells read as missing: what statistical offices and spreadsheets put in empty cells.
MISSING = frozenset(
    "na n/a n.a. nan null none - -- \u2013 \u2014 . .. ... #n/a #na : nd missing".split()
) | {""}

# Columns whose values identify people or accounts: messages and notes never list them.
PRIVATE_COLUMN = re.compile(r"user|account|handle|screen|author|profile", re.I)

# -- numbers ---------------------------------------------------------------------------------
_SPACE_GROUP = re.compile(r"(?<=\d)[ \u00a0\u202f\u2009'\u2019](?=\d{3}(?!\d))")
_CURRENCY = re.compile(
    r"^([+-]?)\s*[$\u20ac\u00a3\u00a5]\s*|\s*(?:[$\u20ac\u00a3\u00a5]|EUR|USD|GBP)$"
)
_PARENS = re.compile(r"^\((.+)\)$")
_EXP = r"(?:[eE][+-]?\d+)?"
# Evidence for a decimal point / a decimal comma: forms that cannot be a thousands grouping.
_DOT_DEC = re.compile(
    rf"[+-]?(?:\d*\.\d{{1,2}}|\d*\.\d{{4,}}|\d{{4,}}\.\d+|0?\.\d+|\d{{1,3}}(?:,\d{{3}})+\.\d*|\d{{1,3}}(?:,\d{{3}}){{2,}}){_EXP}"
)
_COMMA_DEC = re.compile(
    rf"[+-]?(?:\d*,\d{{1,2}}|\d*,\d{{4,}}|\d{{4,}},\d+|0?,\d+|\d{{1,3}}(?:\.\d{{3}})+,\d*|\d{{1,3}}(?:\.\d{{3}}){{2,}}){_EXP}"
)
_AMBIG = {".": re.compile(r"[+-]?[1-9]\d{0,2}\.\d{3}"), ",": re.compile(r"[+-]?[1-9]\d{0,2},\d{3}")}
_GROUPED = {
    ".": re.compile(r"[+-]?\d{1,3}(?:,\d{3})+(?:\.\d*)?" + _EXP),
    ",": re.compile(r"[+-]?\d{1,3}(?:\.\d{3})+(?:,\d*)?" + _EXP),
}
# "=SUM(A1:A3)", "+cmd|...", "-2+3+cmd", "@SUM(...)": a formula (or a CSV-injection payload),
# not a value. A sign followed by a plain number is a number; "-inf" is an infinity, not a formula.
_FORMULA = re.compile(
    r"[=+\-@](?![\d\s.,]*(?:[eE][+-]?\d+)?%?$)(?!(?i:inf|infinity|nan)$).+", re.DOTALL
)


_LOOSE_NUMBER = re.compile(
    r"[(+\-\u2212]?\s*[$\u20ac\u00a3\u00a5]?\s*[\d.,][\d\s.,'\u2019\u00a0\u202f\u2009]*(?:[eE][+-]?\d+)?\s*%?\)?\s*"
    r"(?:[$\u20ac\u00a3\u00a5]|EUR|USD|GBP)?"
)


def may_be_numeric(col: pd.Series, sample: int = 200) -> bool:
    """Cheap screen: does any of the first ``sample`` filled cells look like a number?

    Examples
    --------
    >>> may_be_numeric(pd.Series(["n/a", "1,234.5"], dtype="str")), may_be_numeric(pd.Series(["abc"]))
    (True, False)
    """
    s = col[~is_missing(col.str.strip())].iloc[:sample].str.strip()
    return bool(s.str.fullmatch(_LOOSE_NUMBER).any())


def is_missing(s: pd.Series) -> pd.Series:
    """True where a (stripped) text cell means "no value" (``MISSING``: ``NA``, ``-``, ``..``).

    Examples
    --------
    >>> is_missing(pd.Series(["NA", "", "3", ".."], dtype="str")).tolist()
    [True, True, False, True]
    """
    return s.isna() | s.str.lower().isin(MISSING)


def _prepare(s: pd.Series) -> pd.Series:
    """Strip the decorations that never change a number's value: minus signs, spaces, currency."""
    s = s.str.strip().str.replace("\u2212", "-", regex=False)
    s = s.str.replace(r"^([+-])\s+(?=[\d.,])", r"\1", regex=True)
    s = s.str.replace(_SPACE_GROUP, "", regex=True)
    s = s.str.replace(_CURRENCY, r"\1", regex=True)
    return s.str.replace(_PARENS, r"-\1", regex=True)


@dataclass
class NumberStyle:
    """How a file writes numbers: its decimal mark and thousands separator, with the evidence."""

    decimal: str = "."
    thousands: str | None = None
    notes: list[str] = field(default_factory=list)


def infer_number_style(columns: list[pd.Series], *, delimiter: str | None) -> NumberStyle:
    """Decide the decimal mark of a file from every text column (one mark per file).

    A cell such as ``12,5`` or ``0,25`` can only be a decimal comma; ``1,234.5`` only a decimal
    point. When the file shows neither (only integers, or only ``1,234``-like cells), a
    ``;``-separated file is read with decimal commas (the European convention that uses ``;``
    because ``,`` is taken) and anything else with decimal points, and the doubt is reported.

    Parameters
    ----------
    columns
        The file's text columns that may hold numbers.
    delimiter
        The file's delimiter (None for workbooks and Parquet).

    Returns
    -------
    NumberStyle

    Examples
    --------
    >>> s = infer_number_style([pd.Series(["1.234,5", "12,25"], dtype="str")], delimiter=";")
    >>> s.decimal, s.thousands
    (',', '.')
    """
    dot = comma = 0
    ambiguous = {".": 0, ",": 0}
    grouped = {".": False, ",": False}  # keyed by the decimal mark the grouping implies
    spaces = False
    for col in columns:
        # Distinct values are evidence enough (and 100x fewer in long files); cap the work.
        raw = pd.Series(col[~is_missing(col)].str.strip().unique()[:20_000], dtype="str")
        if raw.empty:
            continue
        plain = raw.str.fullmatch(r"[+-]?[0-9]*[.,]?[0-9]*")  # nothing to clean: skip the regexes
        s = raw.where(plain, _prepare(raw.where(~plain, "")).str.rstrip("%").str.strip())
        spaced = raw.str.contains(_SPACE_GROUP, regex=True) & s.str.fullmatch(
            r"[+-]?[\d.,]+" + _EXP
        )
        spaces = spaces or bool(spaced.any())
        dot += int(s.str.fullmatch(_DOT_DEC).sum())
        comma += int(s.str.fullmatch(_COMMA_DEC).sum())
        for mark, rx in _AMBIG.items():
            ambiguous[mark] += int(s.str.fullmatch(rx).sum())
        for mark, rx in _GROUPED.items():
            grouped[mark] = grouped[mark] or bool(s.str.fullmatch(rx).any())
    style = NumberStyle()
    if dot > comma:
        style.decimal = "."
    elif comma > dot:
        style.decimal = ","
    else:
        style.decimal = "," if delimiter == ";" else "."
    if dot and comma:
        style.notes.append(
            f"Numbers are written both with decimal points ({dot} values) and decimal commas "
            f"({comma} values); read with a decimal {'point' if style.decimal == '.' else 'comma'}. "
            "Check the values, and write every number the same way."
        )
    other = "," if style.decimal == "." else "."
    if not dot and not comma and ambiguous[other]:
        example = "1,234" if other == "," else "1.234"
        meaning = "1234" if style.decimal == "." else "1.234"
        why = "the file is ';'-separated" if delimiter == ";" else "that is the usual reading"
        style.notes.append(
            f"Numbers like {example} could be a thousand or a decimal fraction; read as {meaning} "
            f"because {why}. If that is wrong, write the numbers without grouping marks."
        )
    if ambiguous[other] or dot or comma:
        style.thousands = other if (ambiguous[other] or grouped[style.decimal]) else None
    if spaces:
        style.thousands = (style.thousands + " and spaces") if style.thousands else "space"
    return style


@dataclass
class ParsedNumbers:
    values: pd.Series  # float, NaN where missing or unparseable
    missing: pd.Series  # bool: the cell means "no value"
    bad: pd.Series  # bool: text that is not a number
    formula: pd.Series  # bool: text that looks like a spreadsheet formula
    percent: bool


def parse_numbers(col: pd.Series, style: NumberStyle) -> ParsedNumbers:
    """Parse a text column with the file's number style; report what would not parse.

    Examples
    --------
    >>> p = parse_numbers(pd.Series(["1,5", "45%", "(2)", "=A1", "NA"], dtype="str"), NumberStyle(","))
    >>> p.values.tolist()[:3], p.formula.tolist(), p.percent
    ([1.5, 45.0, -2.0], [False, False, False, True, False], True)
    """
    s = (col.astype("str") if col.dtype != "str" else col).fillna("").str.strip()
    missing = s.str.lower().isin(MISSING)
    uniq = pd.Series(s[~missing].unique(), dtype="str")
    parsed, pct = _parse_distinct(uniq, style)
    values = s.map(pd.Series(parsed.to_numpy(), index=uniq.to_numpy())).astype(float)
    values = values.where(~missing)
    bad = ~missing & values.isna()
    formula = bad & s.str.fullmatch(_FORMULA)
    return ParsedNumbers(values, missing, bad, formula, pct)


def _parse_distinct(u: pd.Series, style: NumberStyle) -> tuple[pd.Series, bool]:
    """Numbers for distinct cell texts: plain numbers directly, the rest through the cleaning."""
    fast = pd.to_numeric(u, errors="coerce").astype(float)
    if style.decimal == ",":  # "1.234" is a thousand here, not what to_numeric reads
        fast = fast.where(~u.str.contains(".", regex=False))
        simple = u.str.fullmatch(r"[+-]?[0-9]*,[0-9]+")  # "12,5": no grouping to untangle
        if simple.any():
            swapped = pd.to_numeric(u[simple].str.replace(",", ".", regex=False), errors="coerce")
            fast = fast.where(~simple, swapped.reindex(u.index))
    slow = fast.isna()
    pct = False
    if slow.any():
        t = _prepare(u[slow])
        is_pct = t.str.endswith("%")
        t = t.str.rstrip("%").str.strip()
        if style.decimal == ".":
            t = t.where(~t.str.fullmatch(_GROUPED["."]), t.str.replace(",", "", regex=False))
        else:
            grouped = t.str.fullmatch(_GROUPED[","])
            t = t.where(~grouped, t.str.replace(".", "", regex=False))
            t = t.str.replace(",", ".", regex=False)
        cleaned = pd.to_numeric(t, errors="coerce").astype(float)
        fast = fast.where(~slow, cleaned)
        pct = bool((is_pct & cleaned.notna()).any())
    return fast.where(np.isfinite(fast)), pct


# -- dates -----------------------------------------------------------------------------------
@dataclass
class ParsedDates:
    """A parsed time column: dates (NaT where not parsed) and what was inferred."""

    dates: pd.Series
    fmt: str
    dayfirst: bool | None = None
    notes: list[str] = field(default_factory=list)


_MONTHS = {
    m: i
    for i, m in enumerate(
        ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"],
        start=1,
    )
}
_TIME = r"(?:[T ](?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2})(?:\.\d+)?)?\s*(?P<ampm>[AaPp][Mm])?)?"
_TZ = r"(?P<tz>Z|[+-]\d{2}:?\d{2})?"
FAMILIES = {
    "year": re.compile(r"(?P<y>\d{4})(?:\.0+)?"),
    "iso": re.compile(
        rf"(?P<y>\d{{4}})(?P<sep>[-/.])(?P<m>\d{{1,2}})(?P<sep2>[-/.])(?P<d>\d{{1,2}}){_TIME}{_TZ}"
    ),
    "ym": re.compile(r"(?P<y>\d{4})[-/.](?P<m>\d{1,2})"),
    "my": re.compile(r"(?P<m>\d{1,2})[-/.](?P<y>\d{4})"),
    "week": re.compile(r"(?P<y>\d{4})-?[Ww](?P<w>\d{1,2})(?:-?(?P<d>[1-7]))?"),
    "quarter": re.compile(
        r"(?P<y>\d{4})\s*[-/ ]?\s*[Qq](?P<q>[1-4])|[Qq](?P<q2>[1-4])[\s/-]*(?P<y2>\d{4})"
    ),
    "dmy": re.compile(
        rf"(?P<a>\d{{1,2}})(?P<sep>[-/.])(?P<b>\d{{1,2}})(?P<sep2>[-/.])(?P<y>\d{{4}}|\d{{2}}){_TIME}"
    ),
    "monthname": re.compile(r".*[A-Za-z]{3}.*"),
    "compact": re.compile(r"(?P<y>(?:19|20)\d{2})(?P<m>\d{2})(?P<d>\d{2})"),
}
_FMT = {
    "year": "YYYY",
    "ym": "YYYY-MM",
    "my": "MM/YYYY",
    "week": "YYYY-Www (ISO week)",
    "quarter": "YYYY-Qn",
    "compact": "YYYYMMDD",
}
_NAME_FORMATS = [
    "%b %Y", "%B %Y", "%b-%Y", "%B-%Y", "%b-%y", "%Y-%b", "%Y %b", "%b %y", "%d %b %Y", "%d %B %Y",
    "%d-%b-%Y", "%d-%b-%y", "%b %d, %Y", "%B %d, %Y", "%b %d %Y", "%B %d %Y", "%a %b %d %Y",
]  # fmt: skip


def _fiscal_years(m: pd.DataFrame) -> bool:
    """``2015-16``, ``2016/17``: every second part is the next year's last two digits, and at
    least one cannot be a month."""
    y, nxt = pd.to_numeric(m["y"]), pd.to_numeric(m["m"])
    return bool(((y + 1) % 100 == nxt).all() and (nxt > 12).any() and (m["m"].str.len() == 2).all())


def _frame_dates(y, m, d=1, H=0, M=0, S=0) -> pd.Series:
    parts = pd.DataFrame({"year": y, "month": m, "day": d, "hour": H, "minute": M, "second": S})
    parts = parts.astype("float")
    ok = parts.notna().all(axis=1)
    ok &= (
        parts["month"].between(1, 12)
        & parts["day"].between(1, 31)
        & parts["year"].between(1000, 2999)
    )
    ok &= (
        parts["hour"].between(0, 23)
        & parts["minute"].between(0, 59)
        & parts["second"].between(0, 59)
    )
    out = pd.Series(pd.NaT, index=parts.index, dtype="datetime64[us]")
    if ok.any():
        p = parts[ok].astype("int64")
        out[ok] = pd.to_datetime(p, errors="coerce").astype("datetime64[us]")
    return out


def _num(g: pd.Series, default=0) -> pd.Series:
    if g is None:
        return default
    try:  # regex groups of digits: a direct cast is much faster than to_numeric
        return g.astype(float).fillna(default)
    except (TypeError, ValueError):
        return pd.to_numeric(g, errors="coerce").fillna(default)


def _clock(m: pd.DataFrame):
    H = _num(m.get("H"))
    if "ampm" in m:
        pm = m["ampm"].fillna("").str.lower() == "pm"
        am = m["ampm"].fillna("").str.lower() == "am"
        H = H.where(~(pm & (H < 12)), H + 12).where(~(am & (H == 12)), 0)
    return H, _num(m.get("M")), _num(m.get("S"))


def _years(y: pd.Series, notes: list[str]) -> pd.Series:
    y = pd.to_numeric(y, errors="coerce")
    short = y < 100
    if short.any():
        notes.append("Two-digit years were read as 1969-2068 (e.g. 16 as 2016).")
        y = y.where(~short, np.where(y < 69, 2000 + y, 1900 + y))
    return y


def _arrow(s: pd.Series):
    import pyarrow as pa

    return pa.array(s.astype(object).where(s.notna(), None).to_numpy(), type=pa.string())


def fullmatch(s: pd.Series, rx: re.Pattern) -> pd.Series:
    """``s.str.fullmatch(rx)`` through pyarrow's RE2 when the pattern allows (10-50x faster on
    large columns), else Python's ``re``. False where ``s`` is missing."""
    try:
        import pyarrow.compute as pc

        out = pc.match_substring_regex(_arrow(s), f"^(?:{rx.pattern})$")
        return (
            pd.Series(out.to_numpy(zero_copy_only=False), index=s.index).fillna(False).astype(bool)
        )
    except Exception:  # noqa: BLE001 - ArrowInvalid for patterns RE2 does not support
        return s.str.fullmatch(rx).fillna(False).astype(bool)


def _extract(s: pd.Series, rx: re.Pattern) -> pd.DataFrame:
    """``s.str.extract(rx)`` (named groups; NaN for groups that did not take part), via RE2."""
    try:
        import pyarrow as pa
        import pyarrow.compute as pc

        out = pc.extract_regex(_arrow(s), f"^(?:{rx.pattern})$")
        cols = {}
        for i, name in enumerate(rx.groupindex):
            f = out.field(i)
            f = pc.if_else(pc.equal(f, ""), pa.scalar(None, pa.string()), f)  # RE2: "" if unused
            cols[name] = pd.Series(pd.array(f, dtype="str"), index=s.index)
        return pd.DataFrame(cols, index=s.index)
    except Exception:  # noqa: BLE001 - as above: RE2 refuses the pattern, Python's re takes it
        return s.str.extract(rx)


def _parse_family(name: str, s: pd.Series, *, dayfirst: bool | None, notes: list[str]):
    """Parse the cells ``s`` (all matching family ``name``); return (dates, fmt, dayfirst)."""
    rx = FAMILIES[name]
    if name == "monthname":
        best, best_n, best_fmt = None, -1, None
        for f in _NAME_FORMATS:
            d = pd.to_datetime(s, format=f, errors="coerce")
            if d.notna().sum() > best_n:
                best, best_n, best_fmt = d, int(d.notna().sum()), f
                if best_n == len(s):
                    break
        return best.astype("datetime64[us]"), best_fmt, None
    m = _extract(s, rx)
    if "sep2" in m:  # 2016-01/05 is not a date: both separators must agree
        m.loc[m["sep"] != m["sep2"], :] = np.nan
    if name == "year":
        return _frame_dates(m["y"], 1), _FMT[name], None
    if name == "ym" and _fiscal_years(m):
        notes.append(
            f"Periods like {s.iloc[0]} were read as years starting in their first year "
            "(fiscal or academic years), named by that year."
        )
        return _frame_dates(m["y"], 1), "YYYY-YY (year spanning two calendar years)", None
    if name in ("ym", "my"):
        return _frame_dates(m["y"], m["m"]), _FMT[name], None
    if name == "compact":
        return _frame_dates(m["y"], m["m"], m["d"]), _FMT[name], None
    if name == "quarter":
        y = m["y"].fillna(m["y2"])
        q = pd.to_numeric(m["q"].fillna(m["q2"]), errors="coerce")
        return _frame_dates(y, (q - 1) * 3 + 1), _FMT[name], None
    if name == "week":
        out = pd.Series(pd.NaT, index=s.index, dtype="datetime64[us]")
        for i, (y, w, d) in zip(s.index, m[["y", "w", "d"]].itertuples(index=False), strict=True):
            try:
                out[i] = pd.Timestamp.fromisocalendar(
                    int(y), int(w), int(d) if isinstance(d, str) else 1
                )
            except (ValueError, TypeError):
                pass
        return out, _FMT[name], None
    H, M, S = _clock(m)
    has_time = bool(m["H"].notna().any()) if "H" in m else False
    seconds = bool(m["S"].notna().any()) if has_time else False
    clock = (" HH:MM" + (":SS" if seconds else "")) if has_time else ""
    if name == "iso":
        if m["tz"].notna().any():
            notes.append(
                "Time-zone offsets were dropped: each time is read as its local clock time."
            )
        fmt = ("YYYY-MM-DD" if (m["sep"].dropna() == "-").all() else "YYYY/MM/DD") + clock
        return _frame_dates(m["y"], m["m"], m["d"], H, M, S), fmt, None
    # dd/mm/yyyy or mm/dd/yyyy: decide the order from the data, and say why.
    a, b = pd.to_numeric(m["a"]), pd.to_numeric(m["b"])
    y = _years(m["y"], notes)
    sep = m["sep"].dropna().iloc[0] if m["sep"].notna().any() else "/"
    ylen = "%Y" if (m["y"].str.len() == 4).all() else "%y"
    fmts = {True: f"%d{sep}%m{sep}{ylen}", False: f"%m{sep}%d{sep}{ylen}"}
    clock = (" %I:%M" if m["ampm"].notna().any() else " %H:%M") if has_time else ""
    clock += (":%S" if seconds else "") + (" %p" if has_time and m["ampm"].notna().any() else "")
    # Cells that fit neither order (32/01/2016) are left unparsed for the caller to report.
    fits = ((a <= 31) & (b <= 12)) | ((a <= 12) & (b <= 31))
    a, b = a.where(fits), b.where(fits)
    can = {
        True: bool(((a <= 31) & (b <= 12))[fits].all()),
        False: bool(((a <= 12) & (b <= 31))[fits].all()),
    }
    readings = {k: _frame_dates(y, b if k else a, a if k else b, H, M, S) for k in (True, False)}
    if dayfirst is not None:
        if not can[dayfirst]:
            raise InputError(
                f"The dates cannot be read {'day/month' if dayfirst else 'month/day'}: "
                f"{s[(b > 12) if dayfirst else (a > 12)].iloc[0]!r} has no such month. Drop the "
                "day/month setting and let the explorer detect the order."
            )
        notes.append(f"Dates read as {'day/month' if dayfirst else 'month/day'}, as requested.")
        return readings[dayfirst], fmts[dayfirst] + clock, dayfirst
    if can[True] and can[False]:
        choice, why = _by_regularity(readings)
        example = s.iloc[0]
        notes.append(
            f"Dates like {example} could be day/month or month/day; read as "
            f"{'day/month' if choice else 'month/day'} because {why}. If that is wrong, write the "
            "dates as YYYY-MM-DD."
        )
        return readings[choice], fmts[choice] + clock, choice
    if can[True] or can[False]:
        choice = can[True]
        evidence = s[(a > 12) if choice else (b > 12)].iloc[0]
        if ((a <= 12) & (b <= 12)).any():
            notes.append(
                f"Dates like {s[(a <= 12) & (b <= 12)].iloc[0]} could be day/month or month/day; "
                f"read as {'day/month' if choice else 'month/day'} because {evidence} appears."
            )
        return readings[choice], fmts[choice] + clock, choice
    dm, md = s[a > 12].iloc[0], s[b > 12].iloc[0]
    raise InputError(
        f"The dates mix day/month ({dm}) and month/day ({md}) orders, so none of them can be trusted. "
        "Write every date as YYYY-MM-DD and load the file again."
    )


def _by_regularity(readings: dict) -> tuple[bool, str]:
    """Pick the day/month order whose dates form the more regular series."""
    from explorer.periods import period_ordinal

    def gaps(d: pd.Series) -> float:
        u = pd.DatetimeIndex(d.dropna().unique()).sort_values()
        if len(u) < 2:
            return 0.0
        for f in ("Y", "Q", "M", "W", "D"):
            o = period_ordinal(u, f)
            if len(np.unique(o)) == len(o):
                return (o.max() - o.min() + 1 - len(o)) / len(o)
        return np.inf

    g = {k: gaps(v) for k, v in readings.items()}
    if g[True] < g[False]:
        return True, "that gives a regular series and month/day does not"
    if g[False] < g[True]:
        return False, "that gives a regular series and day/month does not"
    return (
        True,
        "nothing in the file tells the two apart and day/month is the common reading outside the US",
    )


def classify(s: pd.Series) -> str | None:
    """The date family most cells of ``s`` (stripped, non-missing text) belong to, or None.

    Examples
    --------
    >>> classify(pd.Series(["2016-W01", "2016-W02"], dtype="str"))
    'week'
    """
    best, best_n = None, 0
    if len(s) > 5000:  # the first and last cells are evidence enough to name the family
        s = pd.concat([s.iloc[:4000], s.iloc[-1000:]])
    for name, rx in FAMILIES.items():
        n = int(fullmatch(s, rx).sum())
        if n > best_n:
            best, best_n = name, n
    return best


def parse_dates(
    col: pd.Series, *, dayfirst: bool | None = None, allow: tuple = ()
) -> ParsedDates | None:
    """Parse a time column, or return None if it does not look like one.

    Parameters
    ----------
    col
        The column: datetimes (from a spreadsheet or Parquet), integers (years) or text.
    dayfirst
        Force the order of ``dd/mm/yyyy``-like dates; None detects it from the data.
    allow
        Date families accepted only when asked for: ``"year"`` (plain years, which are also
        plausible counts) and ``"compact"`` (``YYYYMMDD``, also plausible identifiers).

    Returns
    -------
    ParsedDates or None
        ``dates`` is NaT where a cell is missing or does not parse (the caller decides).

    Raises
    ------
    InputError
        ``dd/mm`` and ``mm/dd`` orders mixed in one column, or a forced order the data rule out.

    Examples
    --------
    >>> p = parse_dates(pd.Series(["03/04/2016", "25/04/2016"], dtype="str"))
    >>> p.dates.dt.strftime("%Y-%m-%d").tolist(), p.fmt, p.dayfirst
    (['2016-04-03', '2016-04-25'], '%d/%m/%Y', True)
    """
    notes: list[str] = []
    if pd.api.types.is_datetime64_any_dtype(col.dtype):
        d = col
        if getattr(d.dt, "tz", None) is not None:
            d = d.dt.tz_localize(None)
            notes.append("Time zones were dropped: each time is read as its local clock time.")
        d = d.astype("datetime64[us]")
        timed = bool((d.dropna() != d.dropna().dt.normalize()).any())
        return ParsedDates(d, "date-time" if timed else "date", None, notes)
    if pd.api.types.is_numeric_dtype(col.dtype) and not pd.api.types.is_bool_dtype(col.dtype):
        v = col.astype(float)
        ok = v.dropna()
        if len(ok) and (ok == ok.round()).all():
            text = v.map(lambda x: "" if pd.isna(x) else str(int(x)))
            return parse_dates(text.astype("str"), dayfirst=dayfirst, allow=allow)
        return None
    s = col.astype("str").str.strip()
    present = s[~is_missing(s)]
    if present.empty:
        return None
    # Parse each distinct text once (long data repeat every date once per group).
    uniq = pd.Series(present.unique(), dtype="str")
    fam = classify(uniq)
    if fam is None or (fam in ("year", "compact") and fam not in allow):
        return None
    matched = uniq[fullmatch(uniq, FAMILIES[fam])]
    if fam == "monthname":  # any text matches the family: try a few cells before all of them
        probe, _, _ = _parse_family(fam, matched.iloc[:20], dayfirst=None, notes=[])
        if probe.notna().sum() == 0:
            return None
    dates, fmt, df = _parse_family(fam, matched, dayfirst=dayfirst, notes=notes)
    lookup = pd.Series(dates.to_numpy(), index=matched.to_numpy())
    out = s.map(lookup).astype("datetime64[us]")
    return ParsedDates(out, fmt, df, notes)


def month_numbers(col: pd.Series) -> pd.Series:
    """Months as 1-12 from numbers (``3``, ``03``, ``3.0``), names (``Mar``, ``March``) or ``Q1``.

    Examples
    --------
    >>> month_numbers(pd.Series(["3", "March", "dec"])).tolist()
    [3.0, 3.0, 12.0]
    """
    s = col.astype("str").str.strip().str.lower()
    n = pd.to_numeric(s.str.replace(r"\.0+$", "", regex=True), errors="coerce")
    names = s.str[:3].map(_MONTHS)
    q = pd.to_numeric(s.str.extract(r"^q([1-4])$")[0], errors="coerce")
    return n.fillna(names.astype(float)).fillna((q - 1) * 3 + 1)
