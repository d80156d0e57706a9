"""Tweet-level archives -> per-period series: activity, followers, stance and collection coverage.

One DuckDB SQL path for every size: CSV (streamed, any size) or Parquet, one file, many or a glob.
The scan keeps only what the series need (time, account, follower count, the hashtags of each
tweet); the text is read once, inside SQL, to extract hashtags and is never stored, returned,
printed or logged. Hashtags are normalised in Python on the *distinct* hashtags only (a few
thousand, however many tweets) and joined back, so Arabic and Latin matching rules live in one
place (``explorer.tweets.lexicon.normalise``) and cost nothing per row.

Coverage: an account is *observed* in every period from the one holding its first collected
tweet to the one holding its last. Archives such as Fifth Tribe's were scraped backwards from
each account's latest tweet, so early periods are seen through few accounts; where no account is
observed, counts are missing (NA), not zero.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import glob
import math
import os
import pathlib
import re
import tempfile
import time
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import pandas as pd

from explorer import paths
from explorer.errors import InputError, quote
from explorer.io import limits
from explorer.schema import clean

FIELDS = ("time", "account", "followers", "text", "hashtags")
FORMATS = {
    # The Kaggle file's own column names; times are month/day/year hour:minute.
    "fifthtribe": {
        "mapping": {
            "time": "time",
            "account": "username",
            "followers": "followers",
            "text": "tweets",
        },
        "time_format": "%m/%d/%Y %H:%M",
    },
    "generic": {
        "mapping": {
            "time": "time",
            "account": "account",
            "followers": "followers",
            "text": "text",
            "hashtags": "hashtags",
        },
        "time_format": None,
    },
}
FREQ_TRUNC = {"D": "day", "W": "week", "M": "month", "Q": "quarter", "Y": "year"}
FREQ_STEP = {"D": "1 day", "W": "7 days", "M": "1 month", "Q": "3 months", "Y": "1 year"}
# Tweets dated before Twitter's first tweet or after tomorrow (UTC) are misread times (a year
# 200000, a 9999 placeholder): they are left out and counted, never let to stretch the grid of
# periods over millennia. Early tweets inside the window are kept even when far from the bulk:
# archives scraped backwards (Fifth Tribe's) genuinely hold a thin early tail.
TWITTER_START = "2006-03-21"
HASH_LIMIT = 256 * 2**20  # inputs larger than this are not hashed for the provenance record
LOW_COVERAGE = 0.5  # below this share of the peak number of observed accounts: coverage "low"
# A hashtag is '#' then letters, combining marks (Arabic diacritics), digits or underscores, not
# glued to a word, '&', '/' or '#' before it (so no URL fragments "page#top", HTML entities
# "&#39;" or "#a#b" chains), as Twitter reads them. All-digit tags ("#1") are not hashtags
# either; they are dropped from the distinct set in Python, as a regex rule for them costs 4x.
HASHTAG_RE = r"(?:^|[^\p{L}\p{M}\p{N}_&/#])#([\p{L}\p{M}\p{N}_]+)"
TAGLIST_RE = r"#?([\p{L}\p{M}\p{N}_]+)"
# The scan takes HASHTAG_RE's whole match (the character before the '#' included): RE2 finds whole
# matches a sixth faster than it extracts a group, and the prefix is cut off in Python on the
# distinct matches (``_tag_of``), where it costs nothing per row.
HASHTAG_MATCH_RE = HASHTAG_RE.replace("#([", "#[").replace("]+)", "]+")

FIFTHTRIBE_CAVEATS = (
    "The tweets are extremist propaganda: only counts, hashtag frequencies and follower "
    "statistics are derived; no text, user names or descriptions are kept.",
    "A convenience sample of 112 accounts that survived until May 2016, scraped backwards: 95% "
    "of tweets fall in January-May 2016 and only 30 before August 2015. Tweet counts per period "
    "measure the collection, not ISIS's activity; the sample cannot show a 2014 -> 2016 decline.",
    "Follower counts are those recorded with each tweet at collection; an account's value for a "
    "period is the one on its last tweet in that period.",
)
GENERIC_CAVEATS = (
    "Counts measure what the archive collected: where few accounts are observed (coverage "
    "'low') a fall in tweets may be a fall in collection.",
)


@dataclass(frozen=True)
class IngestResult:
    """The series built from a tweet archive.

    Attributes
    ----------
    series
        One row per period from the first to the last: ``date`` (the period's first day),
        ``n_tweets``, ``n_active_accounts``, ``mean_followers``, ``median_followers``,
        ``n_accounts_observed``, ``coverage_share``, ``coverage`` ("none", "low" or "ok"),
        ``n_<stance>`` and ``n_<stance>_accounts`` per lexicon stance and ``anti_pro_ratio``
        (when the lexicon has both ``anti`` and ``pro``). Counts are NA where coverage is
        "none".
    hashtags
        ``date, hashtag, count``: uses per period of each of the top K hashtags (ranked by
        uses over the whole archive; normalised spelling, with ``#``); only periods where the
        count is positive.
    meta
        JSON-ready notes: inputs, rows read, accounts, date range, coverage notes, caveats,
        the lexicon's version and sources, column descriptions (the sidecar ``<out>.json``).
    """

    series: pd.DataFrame
    hashtags: pd.DataFrame
    meta: dict = field(default_factory=dict)

    def sidecar(self) -> str:
        """``meta`` as the JSON text of the ``<out>.json`` sidecar (NaN as null)."""
        import json

        return json.dumps(clean(self.meta), indent=2, ensure_ascii=False) + "\n"


def fifthtribe_sample() -> pathlib.Path | None:
    """The bundled text-free Fifth Tribe file (time, account pseudonym, followers, hashtags per
    tweet; read with ``format="generic"``), or None if the catalogue lacks it. The Kaggle file
    itself, with the tweets' text, is never committed."""
    return paths.FIFTHTRIBE_TWEETS if paths.FIFTHTRIBE_TWEETS.is_file() else None


def parse_mapping(text: str | None) -> dict[str, str]:
    """``time=COL,account=COL,...`` -> ``{"time": "COL", ...}``.

    Raises
    ------
    InputError
        An item without ``=`` or a field other than time, account, followers, text, hashtags.

    Examples
    --------
    >>> parse_mapping("time=created_at,account=user_id")
    {'time': 'created_at', 'account': 'user_id'}
    """
    out: dict[str, str] = {}
    for item in (text or "").split(","):
        if not item.strip():
            continue
        key, sep, col = item.partition("=")
        key = key.strip().lower()
        if not sep or key not in FIELDS:
            raise InputError(
                f"Bad --map item {item.strip()!r}: write FIELD=COLUMN with FIELD one of "
                f"{', '.join(FIELDS)} (e.g. --map time=created_at,account=user_id)."
            )
        out[key] = col.strip()
    return out


def ingest(
    sources,
    *,
    format: str = "generic",
    mapping: dict[str, str] | None = None,
    lexicon=None,
    freq: str = "D",
    tz: str | None = None,
    top_k: int = 20,
    time_format: str | None = None,
    progress: Callable[[float, str], None] | None = None,
    memory_limit: str = "1GB",
    threads: int | None = None,
) -> IngestResult:
    """Aggregate tweets into one row per period with activity, followers, stance and coverage.

    Parameters
    ----------
    sources
        A path, a glob (``archive/*.parquet``), bytes of an uploaded CSV/Parquet file, or a list
        of these. CSV (optionally .gz) and Parquet; not both in one call.
    format
        ``fifthtribe`` (the Kaggle file's columns, times ``%m/%d/%Y %H:%M``) or ``generic``
        (columns time, account, followers, text and/or hashtags; ISO 8601 times).
    mapping
        Column names overriding the format's: keys time, account, followers, text, hashtags.
        ``hashtags`` (a column of ``#a #b`` or ``a,b`` strings, or a list) is used instead of
        extracting hashtags from ``text``.
    lexicon
        An ``explorer.tweets.lexicon.Lexicon``, or anything ``load_lexicon`` takes (None: bundled).
    freq
        D, W (weeks start Monday), M, Q or Y.
    tz
        IANA time zone: times without an offset are taken as UTC and converted to this zone's
        local time before assigning periods. None (default): no conversion.
    top_k
        How many hashtags to count per period (ranked by uses over the whole archive).
    time_format
        strptime format of the time column (overrides the format's).
    progress
        Called as ``progress(fraction, message)`` between steps and while the scan runs.
    memory_limit, threads
        DuckDB settings; beyond the limit DuckDB spills to a temporary directory.

    Returns
    -------
    IngestResult

    Raises
    ------
    InputError
        Files missing or unreadable, required columns absent, times that cannot be read, no
        tweets, an unknown format, frequency or time zone.

    Examples
    --------
    >>> res = ingest("tweets.csv", format="fifthtribe", freq="W")  # doctest: +SKIP
    >>> res.series[["date", "n_tweets", "coverage"]].head()  # doctest: +SKIP
    """
    import duckdb

    from explorer.tweets.lexicon import Lexicon, load_lexicon, normalise

    t_start = time.perf_counter()
    report = progress or (lambda f, m: None)
    _check_options(format, freq, tz, top_k, memory_limit, threads)
    lex = lexicon if isinstance(lexicon, Lexicon) else load_lexicon(lexicon)

    with tempfile.TemporaryDirectory(prefix="explorer-ingest-") as tmp:
        files, kind = _resolve_sources(sources, pathlib.Path(tmp))
        # The files' checksums for the provenance record, computed beside the scan (hashlib
        # releases the interpreter lock): a 120 MB CSV's sha256 is a tenth of a second.
        hashing = concurrent.futures.ThreadPoolExecutor(max_workers=1)
        hashed = hashing.submit(lambda: [_input_entry(f) for f in files])
        hashing.shutdown(wait=False)
        report(0.02, f"reading {len(files)} {kind} file(s)")
        con = _connect(duckdb, pathlib.Path(tmp), memory_limit, threads)
        try:
            with _duckdb_errors(duckdb, memory_limit):
                _configure(con)
                _create_source_view(con, files, kind)
                m, tfmt, counts, left_out = _read_tweets(
                    con, format, mapping, time_format, tz, freq, report
                )
                report(0.65, "aggregating per period")
                series, totals = _aggregate(con, freq)
                report(0.8, "matching hashtags")
                stance, tags = _hashtags(con, lex, normalise, top_k)
        finally:
            con.close()
            inputs = hashed.result()

    series = _assemble(series, stance, lex)
    n_rows, n_no_account, n_bad_followers = counts
    run = IngestRun(
        inputs=inputs,
        kind=kind,
        format=format,
        mapping=m,
        time_format=tfmt,
        freq=freq,
        tz=tz,
        top_k=top_k,
        lex=lex,
        series=series,
        totals=totals,
        n_rows=n_rows,
        n_no_account=n_no_account,
        n_bad_followers=n_bad_followers,
        left_out=left_out,
        elapsed=time.perf_counter() - t_start,
    )
    meta = _meta(run)
    report(1.0, "done")
    return IngestResult(series=series, hashtags=tags, meta=meta)


def _check_options(format, freq, tz, top_k, memory_limit, threads) -> None:
    """Refuse an unknown format, frequency or time zone and impossible DuckDB settings."""
    if format not in FORMATS:
        raise InputError(f"Unknown format {format!r}: use fifthtribe or generic.")
    if freq not in FREQ_TRUNC:
        raise InputError(f"Unknown frequency {freq!r}: use D, W, M, Q or Y.")
    if tz:
        _check_tz(tz)
    if top_k < 0:
        raise InputError("top_k must be 0 or more.")
    if not re.fullmatch(r"\d+(\.\d+)?\s*([KMGT]i?B|B)", str(memory_limit).strip(), re.I):
        raise InputError(f"Memory limit {memory_limit!r}: write a size such as 800MB or 2GB.")
    if threads is not None and int(threads) < 1:
        raise InputError("threads must be 1 or more.")


def _connect(duckdb, tmp: pathlib.Path, memory_limit: str, threads: int | None):
    """A DuckDB connection that spills to ``tmp`` beyond ``memory_limit``."""
    con = duckdb.connect(
        config={
            "memory_limit": memory_limit,
            "threads": int(threads or min(4, os.cpu_count() or 1)),
            "temp_directory": str(tmp / "spill"),
            "preserve_insertion_order": False,
        }
    )
    return con


def _configure(con) -> None:
    con.execute("SET TimeZone = 'UTC'")
    # query_progress() only reports when the progress bar is on (printing it is not).
    con.execute("SET enable_progress_bar = true")
    con.execute("SET enable_progress_bar_print = false")


def _read_tweets(con, format, mapping, time_format, tz, freq, report):
    """The source view's columns mapped and scanned into table ``tw``; refuses a file read as one
    column, no tweets, or unreadable times. -> (mapping, time format, (rows, rows without an
    account, follower values that are not numbers), the tweets left out as dated outside
    Twitter's years)."""
    cols = _describe(con)
    if len(cols) == 1 and any(sep in next(iter(cols)) for sep in ",;\t|"):
        raise InputError(
            "The CSV could not be split into columns (read as one column): look for an "
            "unclosed quote or rows with more fields than the header, and re-export it."
        )
    spec = FORMATS[format]
    m = _resolve_mapping(cols, spec["mapping"], mapping or {}, format)
    tfmt = time_format or spec["time_format"]
    exprs = _select_exprs(m, cols, tfmt, tz, freq)
    _scan(con, exprs, report)
    n_rows, n_bad, n_no_account, n_no_followers = con.execute(
        "SELECT count(*), count(*) FILTER (ts IS NULL), "
        "count(*) FILTER (account IS NULL), count(*) FILTER (followers IS NULL) FROM tw"
    ).fetchone()
    # Follower cells that are not numbers are told apart from empty ones only where a follower
    # count is missing: the common file with none missing pays nothing per row for the check.
    n_bad_followers = 0
    if n_no_followers and m["followers"]:
        n_bad_followers = con.execute(
            f"SELECT count(*) FROM src WHERE {exprs['bad_followers']}"
        ).fetchone()[0]
    if n_rows == 0:
        raise InputError(
            "The file has no tweets (only a header, or nothing): check that you gave "
            "the right file."
        )
    if n_bad:
        _raise_bad_times(con, exprs, m["time"], n_bad, n_rows, tfmt)
    left_out = _drop_out_of_range(con, n_rows, m["time"])
    _check_period_count(con, freq)
    return m, tfmt, (n_rows, n_no_account, n_bad_followers), left_out


# --- inputs -----------------------------------------------------------------------------------


def _input_error(cli: str, app: str | None = None) -> InputError:
    """An InputError whose CLI message names flags and whose ``app_text`` (shown by the app's
    guard) names the Ingest page's controls instead."""
    exc = InputError(cli)
    exc.app_text = app or cli
    return exc


def _check_tz(tz: str) -> None:
    import zoneinfo

    try:
        zoneinfo.ZoneInfo(tz)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise InputError(
            f"Unknown time zone {tz!r}: use an IANA name such as UTC, Europe/London or "
            "Asia/Baghdad."
        ) from None


def _resolve_sources(sources, tmp: pathlib.Path) -> tuple[list[str], str]:
    """Paths, globs or uploaded bytes -> (file paths, 'csv' | 'parquet')."""
    items = sources if isinstance(sources, list | tuple) else [sources]
    if not items:
        raise InputError("No input files: give a CSV or Parquet file, several, or a glob.")
    files: list[str] = []
    for i, item in enumerate(items):
        if isinstance(item, bytes | bytearray | memoryview):
            data = bytes(item)
            suffix = (
                ".parquet"
                if data[:4] == b"PAR1"
                else ".csv.gz"
                if data[:2] == b"\x1f\x8b"
                else ".csv"
            )
            p = tmp / f"upload{i}{suffix}"
            p.write_bytes(data)
            if suffix == ".csv.gz":
                _check_gzip_size(p)
            files.append(str(p))
            continue
        text = os.fspath(item)
        if any(ch in text for ch in "*?["):
            hits = sorted(glob.glob(text, recursive=True))
            if not hits:
                raise InputError(f"No file matches {text!r}: check the pattern and the folder.")
            files.extend(hits)
            continue
        p = pathlib.Path(text)
        if p.is_dir():
            raise InputError(
                f"{text!r} is a folder: give its files or a glob such as {text}/*.parquet."
            )
        if not p.is_file():
            raise InputError(f"File {text!r} not found: check the path.")
        files.append(str(p))
    for f in files:
        _check_not_empty_or_binary(f)
    kinds = {_kind(f) for f in files}
    if len(kinds) > 1:
        raise InputError(
            "Mixed CSV and Parquet inputs: ingest them separately, or convert one kind."
        )
    return files, kinds.pop()


def _check_gzip_size(path: pathlib.Path) -> None:
    """Refuse an uploaded .gz that expands beyond ``limits.MAX_INGEST_DECOMPRESSED``.

    Streams the decompression (1 MB at a time, nothing kept) before DuckDB reads the file: the
    upload limit counts compressed bytes, and 1.5 MB of gzip can hold 525 MB of rows.
    """
    import gzip
    import zlib

    limit = limits.MAX_INGEST_DECOMPRESSED
    total = 0
    try:
        with gzip.open(path, "rb") as fh:
            while block := fh.read(1 << 20):
                total += len(block)
                if total > limit:
                    raise InputError(
                        f"The uploaded .gz file expands to more than {limits.human_bytes(limit)} "
                        f"(the limit for a decompressed upload): split the archive into smaller "
                        "files, or run python -m explorer ingest on it from the command line."
                    )
    except (OSError, EOFError, zlib.error):
        raise InputError(
            "The uploaded .gz file is damaged or truncated: compress it again, or upload the "
            "CSV itself."
        ) from None


def _utf16(head: bytes) -> bool:
    """A UTF-16 byte-order mark, or (without one) NUL in every other byte of ASCII text."""
    if head[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return True
    sample = head[: len(head) // 2 * 2]
    if len(sample) < 8:
        return False
    even, odd = sample[0::2], sample[1::2]
    for zeros, text in ((odd, even), (even, odd)):
        if zeros.count(0) >= 0.9 * len(zeros) and text.count(0) <= 0.1 * len(text):
            return True
    return False


def _check_not_empty_or_binary(path: str) -> None:
    name = pathlib.Path(path).name
    if os.path.getsize(path) == 0:
        raise InputError(f"File {name!r} is empty: export the tweets again or pick another file.")
    with open(path, "rb") as fh:
        head = fh.read(4096)
    if head[:4] == b"PAR1" or head[:2] == b"\x1f\x8b":
        return
    if _utf16(head):
        raise InputError(
            f"File {quote(name)} is UTF-16 text, not UTF-8: save it again as UTF-8 CSV (Excel: "
            "Save As > 'CSV UTF-8'; a text editor: encoding UTF-8; or iconv -f UTF-16 -t UTF-8)."
        )
    if b"\x00" in head:
        raise InputError(
            f"File {name!r} is binary, not CSV text or Parquet: export the tweets as UTF-8 CSV "
            "or Parquet."
        )


def _input_entry(path: str) -> dict:
    """Name, size and (up to 256 MB, about a quarter of a second) sha256 of an input file."""
    import hashlib

    size = os.path.getsize(path)
    digest = None
    if size <= HASH_LIMIT:
        h = hashlib.sha256()
        with open(path, "rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                h.update(block)
        digest = h.hexdigest()
    return {"name": pathlib.Path(path).name, "bytes": size, "sha256": digest}


def _kind(path: str) -> str:
    low = path.lower()
    if low.endswith((".parquet", ".pq")):
        return "parquet"
    if low.endswith((".csv", ".tsv", ".txt", ".csv.gz", ".tsv.gz")):
        return "csv"
    with open(path, "rb") as fh:
        return "parquet" if fh.read(4) == b"PAR1" else "csv"


def _sql_str(s: str) -> str:
    return "'" + s.replace("'", "''") + "'"


def _create_source_view(con, files: list[str], kind: str) -> None:
    flist = "[" + ", ".join(_sql_str(f) for f in files) + "]"
    # Files whose columns come in different orders are matched by name; one file needs no
    # matching (and its CSV scan is a tenth quicker without it).
    by_name = ", union_by_name = true" if len(files) > 1 else ""
    if kind == "parquet":
        sql = f"SELECT * FROM read_parquet({flist}{by_name})"
    elif len(files) == 1:
        # One file is sniffed once: DuckDB writes the read_csv call with the dialect it found
        # and detection off, so the view's later uses (its columns, the scan) do not sniff the
        # file again (each sniff is ~15 ms on a 120 MB file).
        sql = _sniffed_csv(con, files[0])
    else:
        # Every column as text: times and counts are parsed by us, with our error messages,
        # instead of by a type sniffer that looks only at the first rows.
        sql = (
            f"SELECT * FROM read_csv({flist}, header = true, all_varchar = true{by_name}, "
            "quote = '\"', escape = '\"')"
        )
    con.execute(f"CREATE TEMP VIEW src AS {sql}")


def _sniffed_csv(con, path: str) -> str:
    """``SELECT * FROM read_csv(...)`` for one CSV with the dialect DuckDB's sniffer found spelt
    out and detection off. (sniff_csv's own Prompt column does not quote the path.)"""
    delim, quote_, escape, new_line, comment, skip, header, columns = con.execute(
        "SELECT Delimiter, Quote, Escape, NewLineDelimiter, Comment, SkipRows, HasHeader, Columns "
        f"FROM sniff_csv({_sql_str(path)}, header = true, all_varchar = true, "
        "quote = '\"', escape = '\"')"
    ).fetchone()
    cols = ", ".join(f"{_sql_str(c['name'])}: 'VARCHAR'" for c in columns)
    comment = "" if comment == "(empty)" else comment
    return (
        f"SELECT * FROM read_csv({_sql_str(path)}, auto_detect = false, all_varchar = true, "
        f"delim = {_sql_str(delim)}, quote = {_sql_str(quote_)}, escape = {_sql_str(escape)}, "
        f"new_line = {_sql_str(new_line)}, comment = {_sql_str(comment)}, skip = {int(skip)}, "
        f"header = {'true' if header else 'false'}, columns = {{{cols}}})"
    )


def _describe(con) -> dict[str, str]:
    return {r[0]: r[1] for r in con.execute("DESCRIBE src").fetchall()}


def _resolve_mapping(
    cols: dict[str, str], defaults: dict[str, str], given: dict[str, str], format: str
) -> dict[str, str | None]:
    """Which input column serves each field; required ones must exist, optional ones may not."""
    names = list(cols)
    m: dict[str, str | None] = {}
    for f in FIELDS:
        col = given.get(f, defaults.get(f))
        if col == "":
            col = None
        if col is not None and col not in cols:
            if f in given or f in ("time", "account") or format == "fifthtribe" and f != "hashtags":
                hint = _closest(col, names)
                ft = FORMATS["fifthtribe"]["mapping"].values()
                if format == "generic" and all(c in cols for c in ft):
                    hint += "This looks like the Fifth Tribe file: add --format fifthtribe. "
                raise InputError(
                    f"No column {col!r} for the {f} field (columns: {', '.join(names[:20])}). "
                    f"{hint}Map it with --map {f}=COLUMN"
                    + (" or use --format generic." if format == "fifthtribe" else ".")
                )
            col = None
        m[f] = col
    if m["text"] is None and m["hashtags"] is None:
        raise InputError(
            "Neither a text nor a hashtags column was found: map one with --map text=COLUMN or "
            "--map hashtags=COLUMN."
        )
    return m


def _closest(col: str, names: list[str]) -> str:
    low = {n.lower(): n for n in names}
    if col.lower() in low:
        return f"Did you mean {low[col.lower()]!r}? "
    return ""


def _q(col: str) -> str:
    return '"' + col.replace('"', '""') + '"'


def _select_exprs(m, cols, tfmt, tz, freq) -> dict[str, str]:
    tcol, ttype = _q(m["time"]), cols[m["time"]].upper()
    if ttype.startswith("TIMESTAMP WITH TIME ZONE") or ttype == "TIMESTAMPTZ":
        ts = f"{tcol}::TIMESTAMP"  # shown in UTC (the session's zone)
    elif ttype.startswith("TIMESTAMP") or ttype == "DATE":
        ts = f"{tcol}::TIMESTAMP"
    elif ttype == "VARCHAR":
        if tfmt:
            ts = f"try_strptime(trim({tcol}), {_sql_str(tfmt)})"
        else:
            # The TIMESTAMPTZ cast honours offsets (+05:00) but costs a third of the CSV parse;
            # 'YYYY-MM-DD[ HH:MM[:SS]]' cannot carry one, so it takes the plain cast.
            plain = f"length({tcol}) <= 16 OR (length({tcol}) = 19 AND {tcol}[17] = ':')"
            ts = (
                f"CASE WHEN {plain} THEN TRY_CAST({tcol} AS TIMESTAMP) "
                f"ELSE TRY_CAST(trim({tcol}) AS TIMESTAMPTZ)::TIMESTAMP END"
            )
    else:
        raise InputError(
            f"The time column {m['time']!r} holds {ttype.lower()} values, not times: give ISO "
            "8601 times (2016-01-08 14:30) or map another column with --map time=COLUMN."
        )
    if tz:
        ts = f"timezone({_sql_str(tz)}, ({ts})::TIMESTAMPTZ)"
    acc = f"nullif(trim(CAST({_q(m['account'])} AS VARCHAR)), '')"
    if m["followers"]:
        fc = _q(m["followers"])
        fol = f"TRY_CAST({fc} AS DOUBLE)"
        bad_fol = f"({fol} IS NULL AND nullif(trim(CAST({fc} AS VARCHAR)), '') IS NOT NULL)"
    else:
        fol, bad_fol = "NULL::DOUBLE", "false"
    if m["hashtags"]:
        hc, htype = _q(m["hashtags"]), cols[m["hashtags"]].upper()
        src = f"array_to_string({hc}, ' ')" if htype.endswith("[]") else f"CAST({hc} AS VARCHAR)"
        tags = f"regexp_extract_all({src}, {_sql_str(TAGLIST_RE)}, 1)"
    else:
        ttype = cols[m["text"]].upper()
        if ttype != "VARCHAR":
            what = (
                f"The text column {quote(m['text'])} holds {ttype.lower()} values, not tweet text"
            )
            raise _input_error(
                f"{what}: map the column with the tweets' words with --map text=COLUMN, or a "
                "column of hashtags with --map hashtags=COLUMN.",
                f"{what}: write text=COLUMN (the column with the tweets' words) or "
                "hashtags=COLUMN in the 'Column mapping' box.",
            )
        # Most tweets carry no hashtag: skipping the regex for them halves the scan.
        tc = _q(m["text"])
        tags = (
            f"CASE WHEN contains({tc}, '#') THEN "
            f"regexp_extract_all({tc}, {_sql_str(HASHTAG_MATCH_RE)}, 0) END"
        )
    return {
        "ts": ts,
        "account": acc,
        "followers": fol,
        "bad_followers": bad_fol,
        "tags": tags,
        "trunc": FREQ_TRUNC[freq],
        "step": FREQ_STEP[freq],
    }


def _scan(con, e: dict[str, str], report) -> None:
    """The one pass over the input: a compact per-tweet table without the text."""
    sql = (
        "CREATE TEMP TABLE tw AS SELECT *, date_trunc('" + e["trunc"] + "', ts)::DATE AS p "
        f"FROM (SELECT {e['ts']} AS ts, {e['account']} AS account, "
        f"{e['followers']} AS followers, "
        f"{e['tags']} AS tags FROM src)"
    )
    _run_with_progress(con, sql, report, 0.05, 0.6, "scanning tweets")


def _run_with_progress(con, sql: str, report, lo: float, hi: float, msg: str) -> None:
    """Run one long statement in a worker thread; report DuckDB's progress from this thread.

    The callback runs only in the caller's thread (Streamlit widgets cannot be updated from
    another one); DuckDB releases the GIL while it works, so polling costs nothing.
    """
    import threading

    failure: list[BaseException] = []

    def work():
        try:
            con.execute(sql)
        except BaseException as exc:  # noqa: BLE001 - re-raised in the caller's thread
            failure.append(exc)

    report(lo, msg)
    th = threading.Thread(target=work, daemon=True)
    th.start()
    try:
        while th.is_alive():
            th.join(0.25)
            if not th.is_alive():
                break
            try:
                pct = con.query_progress()
            except Exception:  # noqa: BLE001 - progress is best effort, never fatal
                pct = -1
            if pct is not None and pct >= 0:
                report(lo + (hi - lo) * min(pct, 100.0) / 100.0, msg)
    except BaseException:
        # The callback raised (a Streamlit rerun, Ctrl-C): stop the scan before the caller
        # closes the connection and removes the run's folder with DuckDB's spill in it.
        con.interrupt()
        th.join()
        raise
    if failure:
        raise failure[0]
    report(hi, msg)


def _raise_bad_times(con, e, tcol: str, n_bad: int, n_rows: int, tfmt: str | None):
    row = con.execute(
        f"SELECT CAST({_q(tcol)} AS VARCHAR) FROM src WHERE ({e['ts']}) IS NULL LIMIT 1"
    ).fetchone()
    example = "an empty cell" if row is None or row[0] in (None, "") else repr(str(row[0])[:40])
    expected = f"the format {tfmt}" if tfmt else "ISO 8601 (2016-01-08 14:30)"
    raise InputError(
        f"{n_bad:,} of {n_rows:,} time values in column {tcol!r} cannot be read as {expected} "
        f"(first: {example}). Fix or drop those rows, or give the right format "
        "(--format fifthtribe for m/d/Y H:M, or --time-format)."
    )


def _drop_out_of_range(con, n_rows: int, tcol: str) -> dict:
    """Delete tweets dated before Twitter's start or after tomorrow (UTC); say how many."""
    lo = TWITTER_START
    hi = (pd.Timestamp.now("UTC").tz_localize(None).normalize() + pd.Timedelta(days=2)).strftime(
        "%Y-%m-%d"
    )
    outside = f"(ts < TIMESTAMP '{lo}' OR ts >= TIMESTAMP '{hi}')"
    # Strings, not timestamps: Python's datetime stops at year 9999.
    n, first, last = con.execute(
        f"SELECT count(*), CAST(min(ts) AS VARCHAR), CAST(max(ts) AS VARCHAR) FROM tw "
        f"WHERE {outside}"
    ).fetchone()
    last_day = (pd.Timestamp(hi) - pd.Timedelta(days=1)).strftime("%Y-%m-%d")
    info = {"n": int(n), "allowed": [lo, last_day], "earliest": first, "latest": last}
    if not n:
        return info
    if n == n_rows:
        raise _input_error(
            f"All {n:,} tweets are dated outside {lo} (Twitter's start) to {last_day} (first: "
            f"{first}): check the time column {quote(tcol)}, or give its format with --time-format "
            "or --map time=COLUMN.",
            f"All {n:,} tweets are dated outside {lo} (Twitter's start) to {last_day} (first: "
            f"{first}): check the time column, or map another in the 'Column mapping' box "
            "(time=COLUMN).",
        )
    con.execute(f"DELETE FROM tw WHERE {outside}")
    return info


def _check_period_count(con, freq: str) -> None:
    """Refuse a grid of more than ``limits.MAX_INGEST_PERIODS`` periods before building it."""
    days = con.execute("SELECT max(p) - min(p) FROM tw").fetchone()[0]
    per = {"D": 1, "W": 7, "M": 30.44, "Q": 91.31, "Y": 365.25}[freq]
    n = int(days / per) + 1 if days is not None else 0
    if n > limits.MAX_INGEST_PERIODS:
        unit = {"D": "days", "W": "weeks", "M": "months", "Q": "quarters", "Y": "years"}[freq]
        head = (
            f"The tweets span about {n:,} {unit}, over the limit of "
            f"{limits.MAX_INGEST_PERIODS:,} periods"
        )
        raise _input_error(
            f"{head}: use a longer period (--freq W, M or Y), or ingest a shorter stretch.",
            f"{head}: choose a longer Period (week or month), or upload a shorter stretch.",
        )


@contextlib.contextmanager
def _duckdb_errors(duckdb, memory_limit: str):
    """DuckDB's errors about the input, and running out of memory, as one-line InputErrors."""
    try:
        yield
    except duckdb.OutOfMemoryException:
        raise InputError(
            f"DuckDB ran out of memory at memory_limit={memory_limit} even with spilling to "
            "disk: raise --memory-limit, or ingest fewer files at a time."
        ) from None
    except (
        duckdb.IOException,
        duckdb.InvalidInputException,
        duckdb.ConversionException,
        duckdb.BinderException,
    ) as exc:
        raise InputError(_duckdb_message(exc)) from None


def _duckdb_message(exc: Exception) -> str:
    first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    if "sniffing file" in first:  # DuckDB's CSV sniffer: it names the server's own copy
        return (
            "The tweet file's columns could not be worked out (its delimiter, quoting or header "
            "row): look for an unclosed quote or rows with more fields than the header, and "
            "save it as a comma-separated CSV with a header row, in UTF-8."
        )
    return (
        f"The tweet file could not be read ({_no_paths(first)[:200]}). Check that it is a CSV "
        "with a header row or a Parquet file, in UTF-8."
    )


def _no_paths(text: str) -> str:
    """A message with every file path cut to the file's name: an upload is read from a copy in
    the server's temporary folder, whose path is nobody's business."""
    text = re.sub(
        r'"((?:[A-Za-z]:)?[/\\][^"]*)"', lambda m: quote(pathlib.PurePath(m.group(1)).name), text
    )
    return re.sub(r"(?<![\w.])(?:[A-Za-z]:)?[/\\](?:[^\s/\\\"']+[/\\])+([^\s/\\\"']+)", r"\1", text)


# --- aggregation ------------------------------------------------------------------------------


def _aggregate(con, freq: str) -> tuple[pd.DataFrame, dict]:
    """Per-period activity, followers and observed accounts, on the full grid of periods."""
    step = FREQ_STEP[freq]
    # One statement: DuckDB keeps the per-account table (``pa``) in memory once for its three uses,
    # and the archive's totals come back as columns of the first row.
    # One follower value per account and period: the one on its last tweet, ties going to the
    # larger. The tie-break is packed into one HUGEINT key (a struct key is 3x slower).
    series = con.execute(
        f"""
        WITH pa AS MATERIALIZED (
            SELECT p, account,
                   arg_max(followers, epoch_us(ts)::HUGEINT * 1099511627776
                           + least(greatest(followers, 0), 1099511627775)::HUGEINT)
                       FILTER (WHERE followers IS NOT NULL) AS fol
            FROM tw WHERE account IS NOT NULL GROUP BY p, account),
        tweets AS (
            SELECT p AS date, count(*) AS n_tweets, min(ts) AS t0, max(ts) AS t1
            FROM tw GROUP BY p),
        bounds AS (SELECT min(date) AS p0, max(date) AS p1 FROM tweets),
        grid AS (
            SELECT unnest(generate_series(p0::TIMESTAMP, p1::TIMESTAMP, INTERVAL '{step}'))::DATE
                AS date
            FROM bounds),
        acc AS (
            SELECT p AS date, count(*) AS n_active_accounts, avg(fol) AS mean_followers,
                   median(fol) AS median_followers
            FROM pa GROUP BY p),
        spans AS (SELECT account, min(p) AS p0, max(p) AS p1 FROM pa GROUP BY account),
        starts AS (SELECT p0 AS date, count(*) AS s FROM spans GROUP BY p0),
        ends AS (SELECT p1 AS date, count(*) AS e FROM spans GROUP BY p1),
        obs AS (
            -- accounts started by this period, minus those ended before it
            SELECT g.date,
                   sum(coalesce(s, 0)) OVER w - sum(coalesce(e, 0)) OVER w + coalesce(e, 0)
                       AS n_accounts_observed
            FROM grid g LEFT JOIN starts USING (date) LEFT JOIN ends USING (date)
            WINDOW w AS (ORDER BY g.date ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW))
        SELECT g.date, coalesce(n_tweets, 0) AS n_tweets,
               coalesce(n_active_accounts, 0) AS n_active_accounts,
               mean_followers, median_followers, obs.n_accounts_observed,
               (SELECT count(*) FROM spans) AS _n_accounts,
               (SELECT min(t0) FROM tweets) AS _t0, (SELECT max(t1) FROM tweets) AS _t1
        FROM grid g LEFT JOIN tweets USING (date) LEFT JOIN acc USING (date)
             LEFT JOIN obs USING (date)
        ORDER BY g.date
        """
    ).df()
    first = series.iloc[0]
    totals = {
        "n_accounts": int(first["_n_accounts"]),
        "first_tweet": first["_t0"],
        "last_tweet": first["_t1"],
    }
    series = series.drop(columns=["_n_accounts", "_t0", "_t1"])
    return series, totals


def _hashtags(con, lex, normalise, top_k: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Stance counts per period, and uses per period of the top K hashtags."""
    # Distinct hashtag spellings with their uses: a few thousand, however many tweets, so plain
    # Python (no pandas) keys them.
    keys = lex.keys()
    uses: dict[str, int] = {}
    spellings: list[tuple[str, str, str | None]] = []
    for raw, n in con.execute(
        "SELECT tag, count(*) FROM (SELECT unnest(tags) AS tag FROM tw) GROUP BY tag"
    ).fetchall():
        tag = _tag_of(raw)
        key = normalise(tag)
        if key == "" or _all_digits(tag):
            continue
        uses[key] = uses.get(key, 0) + n
        spellings.append((raw, key, keys.get(key)))
    rank = {k: i for i, k in enumerate(sorted(uses, key=lambda k: (-uses[k], k))[:top_k])}

    # One pass over the tweets' hashtags for both tables, kept to the spellings of a stance or
    # of a top-K hashtag. Stance: tweets (not uses) per period, so a tweet with two pro hashtags
    # counts once; top K: uses per period.
    wanted = [
        (r, st, k if k in rank else None) for r, k, st in spellings if st is not None or k in rank
    ]
    con.register(
        "tagjoin",
        pd.DataFrame(
            {
                "raw": pd.array([w[0] for w in wanted], dtype="string"),
                "stance": pd.array([w[1] for w in wanted], dtype="string"),
                "key": pd.array([w[2] for w in wanted], dtype="string"),
            }
        ),
    )
    both = con.execute(
        "WITH h AS MATERIALIZED ("
        "  SELECT tid, p, account, stance, key FROM ("
        "    SELECT rowid AS tid, p, account, unnest(tags) AS raw FROM tw) JOIN tagjoin USING (raw)) "
        "SELECT p AS date, stance, NULL AS key, count(DISTINCT tid) AS n, "
        "       count(DISTINCT account) AS n_acc "
        "FROM h WHERE stance IS NOT NULL GROUP BY p, stance "
        "UNION ALL "
        "SELECT p, NULL, key, count(*), NULL FROM h WHERE key IS NOT NULL GROUP BY p, key"
    ).fetchall()
    stance = pd.DataFrame(
        [(d, st, n, na) for d, st, _, n, na in both if st is not None],
        columns=["date", "stance", "n", "n_acc"],
    )
    top = sorted((d, rank[k], k, n) for d, st, k, n, _ in both if st is None)
    tags = pd.DataFrame(
        {
            "date": pd.to_datetime([t[0] for t in top]),
            "hashtag": ["#" + t[2] for t in top],
            "count": pd.array([t[3] for t in top], dtype="int64"),
        }
    )
    return stance, tags


def _tag_of(match: str) -> str:
    """The hashtag in one of the scan's matches: ``'x#tag'`` or ``'#tag'`` from a text (the
    character before the ``#`` is part of HASHTAG_MATCH_RE's match), ``'tag'`` from a column of
    hashtags."""
    return match[match.find("#") + 1 :]


def _all_digits(tag: str) -> bool:
    return all(unicodedata.category(c)[0] == "N" for c in tag)


def _assemble(series: pd.DataFrame, stance: pd.DataFrame, lex) -> pd.DataFrame:
    s = series.copy()
    s["date"] = pd.to_datetime(s["date"])
    s["n_accounts_observed"] = s["n_accounts_observed"].fillna(0).astype("int64")
    # Relative to the best-observed period: archives are rarely complete anywhere, and what
    # matters is where the collection thins out compared with its own peak.
    peak = int(s["n_accounts_observed"].max()) if len(s) else 0
    s["coverage_share"] = (s["n_accounts_observed"] / peak).round(4) if peak else 0.0
    s["coverage"] = "ok"
    s.loc[s["coverage_share"] < LOW_COVERAGE, "coverage"] = "low"
    s.loc[s["n_accounts_observed"] == 0, "coverage"] = "none"
    stance = stance.assign(date=pd.to_datetime(stance["date"]))
    for st in lex.stances:
        part = stance[stance["stance"] == st].set_index("date")
        s[f"n_{st}"] = s["date"].map(part["n"]).fillna(0).astype("int64")
        s[f"n_{st}_accounts"] = s["date"].map(part["n_acc"]).fillna(0).astype("int64")
    counts = ["n_tweets", "n_active_accounts"] + [
        c for st in lex.stances for c in (f"n_{st}", f"n_{st}_accounts")
    ]
    unobserved = s["coverage"] == "none"
    for c in counts:
        s[c] = s[c].astype("Int64")
        s.loc[unobserved, c] = pd.NA
    if {"anti", "pro"} <= set(lex.stances):
        pro = s["n_pro"].astype("Float64")
        s["anti_pro_ratio"] = (s["n_anti"].astype("Float64") / pro.where(pro > 0)).astype(float)
    s["mean_followers"] = s["mean_followers"].astype(float)
    s["median_followers"] = s["median_followers"].astype(float)
    return s.reset_index(drop=True)


def _is_bundled_sample(inputs: list[dict]) -> bool:
    """True when an input is the bundled text-free Fifth Tribe file (by sha256, so a copy or an
    upload of it counts too): its caveats then travel with the series."""
    sample = fifthtribe_sample()
    if sample is None:
        return False
    digest = _input_entry(str(sample))["sha256"]
    return any(inp.get("sha256") == digest for inp in inputs)


@dataclass(frozen=True)
class IngestRun:
    """What one ``ingest`` read and found: the facts its ``meta`` (and sidecar) report."""

    inputs: list[dict]  # each input file: path, bytes, sha256
    kind: str  # csv or parquet
    format: str  # fifthtribe or generic
    mapping: dict  # role (time, account, ...) -> column used
    time_format: str | None
    freq: str
    tz: str | None
    top_k: int
    lex: object  # the explorer.tweets.lexicon.Lexicon matched against
    series: pd.DataFrame  # the per-period series, assembled
    totals: dict  # n_accounts, first_tweet, last_tweet
    n_rows: int
    n_no_account: int
    n_bad_followers: int
    left_out: dict  # tweets dated outside Twitter's years: n, allowed, earliest, latest
    elapsed: float  # seconds


def _meta(run: IngestRun) -> dict:
    import duckdb

    import explorer

    s = run.series
    lex = run.lex
    cov = s["coverage"].value_counts()
    fmt = "%Y-%m-%d"
    fifthtribe = run.format == "fifthtribe" or _is_bundled_sample(run.inputs)
    caveats = list(FIFTHTRIBE_CAVEATS if fifthtribe else GENERIC_CAVEATS)
    line = _left_out_line(run.left_out)
    if line:
        caveats.append(line)
    return {
        "kind": "tweet_ingest",
        "explorer": explorer.__version__,
        "duckdb": duckdb.__version__,
        "inputs": run.inputs,
        "input_kind": run.kind,
        "format": run.format,
        "mapping": run.mapping,
        "time_format": run.time_format,
        "freq": run.freq,
        "tz": run.tz or "none (times used as given)",
        "rows_read": int(run.n_rows),
        "left_out_out_of_range": run.left_out,
        "accounts": run.totals["n_accounts"],
        "first_tweet": _iso(run.totals["first_tweet"]),
        "last_tweet": _iso(run.totals["last_tweet"]),
        "date_range": [s["date"].iloc[0].strftime(fmt), s["date"].iloc[-1].strftime(fmt)],
        "n_periods": len(s),
        "coverage": {
            "none": int(cov.get("none", 0)),
            "low": int(cov.get("low", 0)),
            "ok": int(cov.get("ok", 0)),
            "low_threshold": LOW_COVERAGE,
        },
        "notes": _notes(run),
        "caveats": caveats,
        "lexicon": lex.describe(),
        "top_k": run.top_k,
        "columns": column_descriptions(lex.stances, "anti_pro_ratio" in s.columns),
        "elapsed_s": round(run.elapsed, 3),
    }


def _notes(run: IngestRun) -> list[str]:
    """How to read the series: coverage, stance counts, and what this input lacked."""
    s, lex = run.series, run.lex
    notes = [
        "Zero counts are zeros only where the period was observed: in periods with coverage "
        "'none' no account's collected history spans the period, so counts are left empty (not "
        "collected, not silent).",
        f"An account is observed from the period of its first collected tweet to that of its "
        f"last; coverage is 'low' where fewer accounts are observed than {LOW_COVERAGE:.0%} of "
        "the best-observed period's: read changes there as changes in collection.",
        "Stance counts are tweets with at least one lexicon hashtag of that stance (a tweet "
        "may count for two stances); hashtags are matched whole, after normalisation.",
    ]
    if lex.describe()["n_assumptions"]:
        notes.append(
            f"{lex.describe()['n_assumptions']} of the lexicon's {len(lex.entries)} terms are "
            "the project's assumptions, not cited findings (see lexicon.terms)."
        )
    if "anti_pro_ratio" not in s.columns:
        notes.append("No anti:pro ratio: the lexicon lacks an 'anti' or a 'pro' stance.")
    if run.n_no_account:
        notes.append(f"{run.n_no_account:,} tweets have no account: counted as tweets only.")
    if run.n_bad_followers:
        notes.append(f"{run.n_bad_followers:,} follower values were not numbers and were ignored.")
    if run.mapping.get("followers") is None:
        notes.append("No followers column: follower statistics are empty.")
    line = _left_out_line(run.left_out)
    if line:
        notes.append(line)
    return notes


def _left_out_line(out: dict) -> str | None:
    """The sentence saying how many tweets dated outside Twitter's years were left out."""
    if not out["n"]:
        return None
    return (
        f"{out['n']:,} tweets dated outside {out['allowed'][0]} (Twitter's start) to "
        f"{out['allowed'][1]} were left out as misread times (earliest {out['earliest']}, "
        f"latest {out['latest']}); the counts do not include them."
    )


def _iso(ts) -> str | None:
    if ts is None or (isinstance(ts, float) and math.isnan(ts)):
        return None
    return pd.Timestamp(ts).isoformat()


def column_descriptions(stances: Sequence[str], ratio: bool = True) -> dict[str, str]:
    """One line per output column (for sidecars and data descriptors)."""
    d = {
        "date": "first day of the period (ISO)",
        "n_tweets": "tweets in the period (empty where coverage is 'none')",
        "n_active_accounts": "distinct accounts that tweeted in the period",
        "mean_followers": "mean follower count over the accounts active in the period (one value per account: the one on its last tweet in the period)",
        "median_followers": "median of the same per-account follower counts",
        "n_accounts_observed": "accounts whose collected history (first to last tweet) spans the period",
        "coverage_share": "n_accounts_observed / its maximum over all periods",
        "coverage": f"none (no account observed), low (share < {LOW_COVERAGE}) or ok",
    }
    for st in stances:
        d[f"n_{st}"] = f"tweets with at least one '{st}' lexicon hashtag"
        d[f"n_{st}_accounts"] = f"distinct accounts posting such '{st}' tweets"
    if ratio:
        d["anti_pro_ratio"] = "n_anti / n_pro (empty where n_pro is 0)"
    return d


def write_result(result: IngestResult, out, *, hashtags_out=None) -> list[pathlib.Path]:
    """Write the series (``.csv`` or ``.parquet``) and its sidecar ``<out>.json``.

    Returns
    -------
    list of pathlib.Path
        The files written.

    Raises
    ------
    InputError
        ``out`` is neither .csv nor .parquet, or its folder does not exist.
    """

    paths = []
    for target, frame in ((out, result.series), (hashtags_out, result.hashtags)):
        if target is None:
            continue
        p = pathlib.Path(target)
        if p.suffix.lower() not in (".csv", ".parquet"):
            raise InputError(f"--out {p.name!r}: write .csv or .parquet.")
        if not p.parent.is_dir():
            raise InputError(f"Folder {str(p.parent)!r} does not exist: create it first.")
        f = frame.copy()
        if p.suffix.lower() == ".csv":
            f["date"] = f["date"].dt.strftime("%Y-%m-%d")
            f.to_csv(p, index=False, lineterminator="\n")
        else:
            f.to_parquet(p, index=False)
        paths.append(p)
    side = pathlib.Path(str(out) + ".json")
    side.write_text(result.sidecar(), encoding="utf-8")
    paths.append(side)
    return paths
