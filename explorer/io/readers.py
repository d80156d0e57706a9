"""Bytes to a raw table: recognise the file type, decode text, sniff the delimiter, open workbooks.

The first half of ``explorer.io.loader``: it turns a path or an upload into a DataFrame of text cells
(CSV/TSV, any delimiter, UTF-8 with or without BOM, UTF-16, Windows-1252) or typed cells (``.xlsx``,
Parquet), enforcing the limits in ``explorer.io.limits`` *before* a parser allocates anything large.
Binary files, archives, PDFs, web pages and damaged workbooks are refused with an ``InputError``;
no parser exception reaches the user.
"""

from __future__ import annotations

import codecs
import csv
import io
import os
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from explorer.errors import InputError, quote
from explorer.io import limits


def read_frame(source, *, filename: str | None = None, sheet: str | None = None) -> RawFrame:
    """Read ``source`` (a path or bytes) into a ``RawFrame`` of cells, before any interpretation.

    Parameters
    ----------
    source
        A path or the bytes of an upload.
    filename
        The upload's name (an extension hint for messages).
    sheet
        Workbooks: the sheet to read (default: the first).

    Returns
    -------
    RawFrame

    Raises
    ------
    InputError
        Empty, oversized, binary or damaged files, files that are not tables.

    Examples
    --------
    >>> rf = read_frame(b"sep=;\\ndate;n\\n2016-01;1,5\\n")
    >>> rf.kind, rf.delimiter, rf.frame.columns.tolist(), rf.frame["n"].tolist()
    ('text', ';', ['date', 'n'], ['1,5'])
    """
    raw, name, path = _read_source(source, filename)
    notes: list[str] = []
    kind = _sniff_kind(raw, name)
    encoding = delimiter = sheet_used = None
    if kind == "xlsx":
        frame, sheet_used = _read_xlsx(raw, sheet, notes)
    elif kind == "parquet":
        frame = _read_parquet(raw, notes)
    else:
        text, encoding = _decode(raw, notes)
        frame, delimiter = _read_text(text, notes)
    if sheet and kind != "xlsx":
        notes.append(f"The sheet {sheet!r} was ignored: this is a {kind} file, not a workbook.")
    return RawFrame(frame, raw, name, path, kind, encoding, delimiter, sheet_used, notes)


@dataclass
class RawFrame:
    """A file's cells before any interpretation, and how the bytes were read."""

    frame: pd.DataFrame
    raw: bytes
    name: str
    path: str | None
    kind: str  # text, xlsx or parquet
    encoding: str | None
    delimiter: str | None
    sheet: str | None
    notes: list[str]


# -- bytes in --------------------------------------------------------------------------------
def _read_source(source, filename):
    if isinstance(source, (bytes, bytearray, memoryview)):
        raw = bytes(source)
        name = Path(filename).name if filename else "upload"
        path = None
    elif isinstance(source, (str, os.PathLike)):
        p = Path(source)
        if not p.is_file():
            raise InputError(f"No file at {str(p)!r}: check the path.")
        size = p.stat().st_size
        _check_size(size, p.name)
        raw = p.read_bytes()
        name, path = filename or p.name, str(p)
    else:
        raise InputError(
            f"Cannot read a {type(source).__name__}: pass a file path or the file's bytes."
        )
    _check_size(len(raw), name)
    if not raw.strip(b" \t\r\n\x00\xef\xbb\xbf\xff\xfe"):
        raise InputError(
            f"{name} is empty: there is nothing to load. Check that the right file was chosen."
        )
    return raw, name, path


def _check_size(n: int, name: str) -> None:
    if n > limits.MAX_UPLOAD_BYTES:
        raise InputError(
            f"{name} is {limits.human_bytes(n)}, over the {limits.human_bytes(limits.MAX_UPLOAD_BYTES)} "
            "limit. Aggregate it first (one row per day, week or month) or keep only the columns needed."
        )


_MAGIC = [
    (b"%PDF", "a PDF document", "Export the table from its source as CSV or Excel"),
    (b"\x89PNG", "a PNG image", "Load the data behind the image, as CSV or Excel"),
    (b"\xff\xd8\xff", "a JPEG image", "Load the data behind the image, as CSV or Excel"),
    (b"GIF8", "a GIF image", "Load the data behind the image, as CSV or Excel"),
    (b"\x1f\x8b", "gzip-compressed", "Decompress it first"),
    (
        b"\xd0\xcf\x11\xe0",
        "an old Excel (.xls) or Word file",
        "Open it and save it as .xlsx or CSV",
    ),
    (b"SQLite format 3\x00", "an SQLite database", "Export the table as CSV"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive", "Extract the CSV or Excel file first"),
    (b"Rar!", "a RAR archive", "Extract the CSV or Excel file first"),
    (b"\x7fELF", "a program, not data", "Choose the data file"),
    (b"BZh9", "bzip2-compressed", "Decompress it first"),
]


def _sniff_kind(raw: bytes, name: str) -> str:
    """``xlsx``, ``parquet`` or ``text``, decided by content (the extension only sharpens messages)."""
    ext = Path(name).suffix.lower()
    if raw[:4] == b"PAR1":
        return "parquet"
    if raw[:4] == b"PK\x03\x04":
        return "xlsx"
    for magic, what, fix in _MAGIC:
        if raw.startswith(magic):
            raise InputError(f"{name} is {what}, not a table this explorer reads. {fix}.")
    if ext in (".xlsx", ".xlsm"):
        raise InputError(
            f"{name} is named like an Excel file but is not one (an .xlsx file is a zip archive). "
            "Open it in a spreadsheet program and save it as .xlsx or CSV."
        )
    if ext in (".parquet", ".pq"):
        raise InputError(
            f"{name} is named like a Parquet file but does not start with PAR1: it may be truncated."
        )
    return "text"


# -- text files ------------------------------------------------------------------------------
_BOMS = [
    (codecs.BOM_UTF32_LE, "utf-32", "UTF-32 (BOM)"),
    (codecs.BOM_UTF32_BE, "utf-32", "UTF-32 (BOM)"),
    (codecs.BOM_UTF8, "utf-8-sig", "UTF-8 with BOM"),
    (codecs.BOM_UTF16_LE, "utf-16", "UTF-16 (BOM)"),
    (codecs.BOM_UTF16_BE, "utf-16", "UTF-16 (BOM)"),
]


def _decode(raw: bytes, notes: list[str]) -> tuple[str, str]:
    for bom, codec, label in _BOMS:
        if raw.startswith(bom):
            try:
                return _text_or_binary(raw.decode(codec)), label
            except UnicodeDecodeError:
                raise InputError(
                    f"The file starts with a {label.split(' ')[0]} byte-order mark but its content is "
                    "not valid in that encoding: it may be damaged. Save it again as UTF-8 CSV."
                ) from None
    head = raw[:4000]
    # UTF-16 without a BOM: ASCII text then has a NUL beside every character.
    if len(head) >= 8 and head.count(0) > len(head) // 3:
        odd, even = head[1::2].count(0), head[0::2].count(0)
        codec = "utf-16-le" if odd > 2 * even else "utf-16-be" if even > 2 * odd else None
        if codec:
            try:
                text = raw.decode(codec)
                notes.append(
                    "The file is UTF-16 without a byte-order mark; read as " + codec.upper() + "."
                )
                return _text_or_binary(text), codec.upper()
            except UnicodeDecodeError:
                pass
        raise InputError(_binary_message())
    try:
        return _text_or_binary(raw.decode("utf-8")), "UTF-8"
    except UnicodeDecodeError:
        pass
    for codec, label in (("cp1252", "Windows-1252"), ("latin-1", "Latin-1")):
        try:
            text = _text_or_binary(raw.decode(codec))
        except UnicodeDecodeError:
            continue
        notes.append(
            f"The file is not UTF-8; read as {label} (Western European). If accented letters look "
            "wrong, save the file as UTF-8 and load it again."
        )
        return text, label
    raise InputError(_binary_message())  # pragma: no cover - latin-1 decodes every byte


def _binary_message() -> str:
    return (
        "The file holds binary data, not text: it is not a CSV, Excel (.xlsx) or Parquet file. "
        "Export the table from its source as CSV or .xlsx."
    )


def _text_or_binary(text: str) -> str:
    sample = text[:65536]
    if not sample:
        return text
    bad = sum(1 for ch in sample if (ord(ch) < 32 and ch not in "\t\n\r\f\v") or ch in "\x7f\ufffd")
    if "\x00" in sample or bad > max(2, len(sample) // 100):
        raise InputError(_binary_message())
    if "\x00" in text:
        raise InputError(_binary_message())
    start = sample.lstrip()[:200].lower()
    if start.startswith(("<!doctype html", "<html", "<?xml")):
        raise InputError(
            "The file is a web page or XML document, not a table. Download the data itself as CSV "
            "or Excel (look for a 'download data' link)."
        )
    if start.startswith(("{", "[")):
        try:
            import json

            json.loads(text)
        except ValueError:
            pass
        else:
            raise InputError("The file is JSON, not a table. Export the data as CSV or Excel.")
    return text


_DATA_CELL = re.compile(r"\s*[+-]?\d")
_DELIMS = ("\t", ";", ",", "|")
_DELIM_NAMES = {"\t": "tab", ";": "semicolon", ",": "comma", "|": "vertical bar"}


_PATH = re.compile(r"(?:[A-Za-z]:\\|/)(?:[^\s'\"():,]+[/\\])+[^\s'\"():,]*")


def _no_paths(exc) -> str:
    """A library's error text with file paths (the server's temporary files) taken out."""
    return _PATH.sub("<file>", str(exc))[:200]


def _rows(text: str, delim: str):
    """Yield (line number where the row ends, cells)."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delim, quotechar='"')
    try:
        for row in reader:
            yield reader.line_num, row
    except csv.Error as exc:
        raise InputError(
            f'The file cannot be read as a table ({_no_paths(exc)}). Check for an unclosed quote (") or a '
            "very long cell, and save it again as CSV."
        ) from None


def _sniff_delimiter(text: str) -> tuple[str, int]:
    """The delimiter, and how many rows above the header to skip (titles, blank lines)."""
    sample = text[:65536]
    if len(text) > len(sample):  # do not cut a row in half
        sample = sample[: sample.rfind("\n") + 1] or sample
    best = None
    for d in _DELIMS:
        rows: list[int] = []  # cells per non-blank row
        first: list[list[str]] = []  # the first rows' cells
        blank_after: set[int] = set()  # non-blank rows followed by a blank line
        for _, row in _rows(sample, d):
            if any(c.strip() for c in row):
                rows.append(len(row))
                if len(rows) <= 12:
                    first.append(row)
            elif rows:
                blank_after.add(len(rows) - 1)
            if len(rows) >= 200:
                break
        if not rows:
            continue
        counts = pd.Series(rows)
        width = int(counts[counts >= 2].mode().max()) if (counts >= 2).any() else 1
        if width < 2:
            continue
        header = int(np.argmax(counts.to_numpy() >= 2))  # rows above with one cell are titles
        # A title that happens to contain the delimiter, then a blank line, then the table.
        # Only when nothing above the blank line looks like data (no cell starts with a number).
        later = [i + 1 for i in blank_after if header <= i < 10 and i + 1 < len(rows)]
        later = [
            k for k in later if not any(_DATA_CELL.match(c) for r in first[header:k] for c in r)
        ]
        if later and counts.iloc[max(later)] >= width:
            header = max(later)
        body = counts.iloc[header:]
        score = (float((body == counts.iloc[header]).mean()), -header, width)
        if best is None or score > best[0]:
            best = (score, d, header)
    if best is None:
        raise InputError(
            "Only one column was found, but a time series needs at least a time column and a "
            "value column. Separate the columns with commas, semicolons or tabs."
        )
    return best[1], best[2]


def _read_text(text: str, notes: list[str]) -> tuple[pd.DataFrame, str]:
    hint = re.match(r"\s*sep=(.)[ \t]*\r?\n", text[:20], re.I)
    if hint:  # Excel's "sep=;" first line names the delimiter
        text = text[hint.end() :]
        notes.append(f"The first line names the delimiter ({hint.group(0).strip()}).")
    delim, skip = _sniff_delimiter(text)
    if hint and hint.group(1) in _DELIMS and hint.group(1) != delim:
        delim, skip = hint.group(1), 0
    if not skip and len(text) > 200_000:
        fast = _read_text_fast(text, delim)
        if fast is not None:
            return fast, delim
    rows: list[list[str]] = []
    header: list[str] | None = None
    seen = 0
    for line, row in _rows(text, delim):
        if not any(c.strip() for c in row):
            continue
        seen += 1
        if seen <= skip:
            continue
        if header is None:
            header = row
            if len(header) > limits.MAX_COLUMNS:
                raise InputError(
                    f"The file has {len(header)} columns, over the limit of {limits.MAX_COLUMNS}. "
                    "Keep only the columns needed (the time column and the series to analyse)."
                )
            continue
        if len(row) != len(header):
            row = _fit_row(row, header, line, delim)
        rows.append(row)
        if len(rows) > limits.MAX_ROWS:
            raise InputError(
                f"The file has more than {limits.MAX_ROWS:,} rows. Aggregate it first (one row per "
                "day, week or month) and load the result."
            )
    if header is None:
        raise InputError(
            "The file has no header row and no data. Check that the right file was chosen."
        )
    if skip:
        notes.append(f"Skipped {skip} line(s) above the header (titles or notes).")
    frame = pd.DataFrame(rows, columns=range(len(header)), dtype="str")
    if not rows:
        frame = pd.DataFrame({i: pd.Series(dtype="str") for i in range(len(header))})
    frame.columns = header
    return frame, delim


def _read_text_fast(text: str, delim: str) -> pd.DataFrame | None:
    """pandas' C parser for large, well-formed files; None sends the file down the careful path
    (ragged rows, odd quoting), which also produces the messages."""
    try:
        df = pd.read_csv(
            io.StringIO(text),
            sep=delim,
            header=None,
            dtype="str",
            keep_default_na=False,
            na_filter=False,
            skip_blank_lines=True,
            engine="c",
        )
    except Exception:  # noqa: BLE001 - ParserError and friends: the csv module says what is wrong
        return None
    if df.empty or len(df.columns) > limits.MAX_COLUMNS or len(df) > limits.MAX_ROWS + 1:
        return None  # the careful path says what is wrong
    df = df.fillna("")
    header = [str(c) for c in df.iloc[0]]
    df = df.iloc[1:].reset_index(drop=True)
    blank = (df.apply(lambda c: c.str.strip() == "")).all(axis=1)
    if blank.any():
        df = df[~blank].reset_index(drop=True)
    df.columns = header
    return df


def _fit_row(row: list[str], header: list[str], line: int, delim: str) -> list[str]:
    if len(row) < len(header):
        return row + [""] * (len(header) - len(row))
    if not any(c.strip() for c in row[len(header) :]):
        return row[: len(header)]
    hint = ""
    if delim == "," and any(re.fullmatch(r"\d+", c.strip()) for c in row[1:]):
        hint = (
            " If numbers use decimal commas (12,5), separate the columns with semicolons or put "
            "quotes around those numbers."
        )
    raise InputError(
        f"Line {line} has {len(row)} cells but the header names {len(header)} columns, so the "
        f"columns cannot be lined up.{hint} Put quotes around cells that contain a "
        f"{_DELIM_NAMES[delim]}."
    )


# -- spreadsheets and Parquet ----------------------------------------------------------------
def _check_zip(raw: bytes) -> zipfile.ZipFile:
    try:
        zf = zipfile.ZipFile(io.BytesIO(raw))
        infos = zf.infolist()
    except Exception:  # noqa: BLE001 - BadZipFile, NotImplementedError, OSError...: all damage
        raise InputError(
            "The file looks like a zip or Excel file but cannot be opened: it may be truncated. "
            "Save it again as .xlsx or CSV."
        ) from None
    names = {i.filename for i in infos}
    if "xl/workbook.xml" not in names:
        what = "an OpenDocument spreadsheet (.ods)" if "content.xml" in names else "a zip archive"
        raise InputError(
            f"The file is {what}, not an Excel .xlsx workbook. Save it as .xlsx or CSV."
        )
    # The sizes declared in the zip directory bound what zipfile (and openpyxl) will inflate.
    total = sum(i.file_size for i in infos)
    if total > limits.MAX_XLSX_UNCOMPRESSED:
        raise InputError(
            f"The workbook expands to {limits.human_bytes(total)} when opened (limit "
            f"{limits.human_bytes(limits.MAX_XLSX_UNCOMPRESSED)}). Keep only the sheet and columns "
            "needed, or save that sheet as CSV."
        )
    big = [i for i in infos if i.file_size > 10 * limits.MB]
    if any(i.file_size / max(i.compress_size, 1) > limits.MAX_XLSX_RATIO for i in big):
        raise InputError(
            "The workbook expands to over "
            f"{limits.MAX_XLSX_RATIO} times its size when opened, as 'zip bombs' do; it was not "
            "opened. Save the sheet as CSV and load that."
        )
    return zf


def _has_formulas(zf: zipfile.ZipFile) -> bool:
    """Whether any worksheet holds a formula (``<f>`` element), read in chunks, not all at once."""
    for name in zf.namelist():
        if not name.startswith("xl/worksheets/"):
            continue
        with zf.open(name) as fh:
            tail = b""
            while chunk := fh.read(1 << 20):
                if b"<f" in tail + chunk:
                    return True
                tail = chunk[-2:]
    return False


def sheet_names(raw: bytes) -> list[str]:
    """The worksheets of an .xlsx workbook, in order ([] for anything that is not one).

    >>> sheet_names(b"month,n")
    []
    """
    if not raw.startswith(b"PK"):
        return []
    try:
        import openpyxl

        _check_zip(raw)
        wb = openpyxl.load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
        try:
            return list(wb.sheetnames)
        finally:
            wb.close()
    except Exception:  # noqa: BLE001 - not a readable workbook: the loader will say why
        return []


def _read_xlsx(raw: bytes, sheet: str | None, notes: list[str]) -> tuple[pd.DataFrame, str]:
    zf = _check_zip(raw)
    try:
        formulas = _has_formulas(zf)
    except Exception:  # noqa: BLE001 - a bad CRC or deflate stream: the file is damaged
        raise InputError(
            "The Excel file is damaged (its compressed parts do not read back): open it and save "
            "it again as .xlsx or CSV."
        ) from None
    if formulas:
        notes.append(
            "The workbook has formulas: their last saved results were read (a formula never "
            "calculated, as in files written by scripts, reads as missing)."
        )
    import openpyxl

    try:
        wb = openpyxl.load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many types for damaged files
        raise InputError(
            f"The Excel file cannot be opened ({type(exc).__name__}): it may be damaged or "
            "password-protected. Open it and save it again as .xlsx or CSV."
        ) from None
    try:
        names = wb.sheetnames
        if sheet is None:
            chosen = names[0]
            if len(names) > 1:
                notes.append(
                    f"Read the first sheet, {chosen!r}, of {len(names)} ({', '.join(map(repr, names[1:4]))}...)."
                )
        elif sheet in names:
            chosen = sheet
        else:
            low = {n.lower(): n for n in names}
            if sheet.lower() not in low:
                raise InputError(
                    f"There is no sheet {sheet!r} in the workbook. Its sheets are: "
                    f"{', '.join(map(repr, names))}."
                )
            chosen = low[sheet.lower()]
        rows = []
        empty_run = 0
        for row in wb[chosen].iter_rows(values_only=True):
            # Styled but empty rows (a format applied to a whole column) count in the sheet's
            # dimension: stop after a long run of them instead of reading a million.
            rows.append(row)
            if all(c is None or (isinstance(c, str) and not c.strip()) for c in row):
                empty_run += 1
                if empty_run >= _EMPTY_ROWS_STOP:
                    notes.append(
                        f"Stopped reading the sheet at row {len(rows) - empty_run + 1:,}, the first "
                        f"of {_EMPTY_ROWS_STOP:,} empty (formatted) rows: anything further down "
                        "was not read."
                    )
                    break
            else:
                empty_run = 0
            if len(rows) > limits.MAX_ROWS + 50:
                raise InputError(
                    f"The sheet has more than {limits.MAX_ROWS:,} rows. Aggregate it first (one row "
                    "per day, week or month)."
                )
        merged = _merged_cells(zf, getattr(wb[chosen], "_worksheet_path", None))
    except InputError:
        raise
    except Exception as exc:  # noqa: BLE001 - openpyxl's errors on a damaged sheet vary
        raise InputError(
            f"The sheet cannot be read ({type(exc).__name__}): save it again as .xlsx or CSV."
        ) from None
    finally:
        wb.close()
    del rows[len(rows) - empty_run :]
    if merged:
        notes.append(
            f"The sheet has {merged:,} merged cell range(s): only the top-left cell of each holds "
            "the value, so the other cells read as gaps. Unmerge them and fill the values in to "
            "use them."
        )
    try:
        frame = _cells_frame(rows, notes)
    except InputError as exc:
        if len(names) < 2:
            raise
        others = [n for n in names if n != chosen]
        listed = ", ".join(quote(n, 40) for n in names[:8]) + (" ..." if len(names) > 8 else "")
        head = f"{exc} The sheet read was {quote(chosen, 40)}; the workbook's sheets are {listed}."
        new = InputError(
            f"{head} Choose the sheet with the data with --sheet {quote(others[0], 40)}."
        )
        new.app_text = f"{head} Choose the sheet with the data under Sheet, below the file."
        raise new from None
    return frame, chosen


_EMPTY_ROWS_STOP = 1_000


def _merged_cells(zf: zipfile.ZipFile, part: str | None) -> int:
    """How many ``<mergeCell>`` ranges the worksheet part declares (read in chunks)."""
    if not part:
        return 0
    part = part.lstrip("/")
    try:
        n, tail = 0, b""
        with zf.open(part) as fh:
            while block := fh.read(1 << 20):
                chunk = tail + block
                n += chunk.count(b"<mergeCell ")
                tail = chunk[-16:]
                n -= tail.count(b"<mergeCell ")  # counted again with the next block
        return n + tail.count(b"<mergeCell ")
    except (KeyError, OSError, zipfile.BadZipFile):
        return 0


def _cells_frame(rows: list[tuple], notes: list[str]) -> pd.DataFrame:
    """Spreadsheet rows (typed cells) -> a frame; the header is the first row with 2+ cells."""

    def filled(r):
        return sum(1 for c in r if c is not None and str(c).strip() != "")

    start = next((i for i, r in enumerate(rows[:50]) if filled(r) >= 2), None)
    if start is None:
        if not any(filled(r) for r in rows):
            raise InputError(
                "The sheet is empty: there is nothing to load. Choose the sheet that holds the data."
            )
        raise InputError(
            "Only one column was found, but a time series needs at least a time column and a "
            "value column. Put them side by side in the sheet."
        )
    if start:
        notes.append(f"Skipped {start} row(s) above the header (titles or notes).")
    width = max(
        (
            max((j for j, c in enumerate(r) if c is not None and str(c).strip() != ""), default=-1)
            + 1
        )
        for r in rows[start:]
    )
    if width > limits.MAX_COLUMNS:
        raise InputError(f"The sheet has {width} columns, over the limit of {limits.MAX_COLUMNS}.")
    header = [("" if c is None else str(c)) for c in rows[start]][:width]
    header += [""] * (width - len(header))
    body = [list(r[:width]) + [None] * (width - len(r)) for r in rows[start + 1 :] if filled(r)]
    cols = {}
    for j in range(width):
        vals = [r[j] for r in body]
        cols[j] = _typed_column(vals)
    frame = pd.DataFrame(cols)
    frame.columns = header
    return frame


def _typed_column(vals: list) -> pd.Series:
    import datetime as dt

    present = [v for v in vals if v is not None and not (isinstance(v, str) and not v.strip())]
    if present and all(isinstance(v, (dt.datetime, dt.date)) for v in present):
        return pd.Series(
            pd.to_datetime([v if v is not None and not isinstance(v, str) else None for v in vals])
        )
    if not present or all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in present):
        return pd.Series(
            [np.nan if v is None or isinstance(v, str) else float(v) for v in vals], dtype=float
        )

    def text(v):
        if v is None:
            return ""
        if isinstance(v, float) and v.is_integer():
            return str(int(v))
        if isinstance(v, (dt.datetime, dt.date)):
            return v.isoformat(sep=" ") if isinstance(v, dt.datetime) else v.isoformat()
        return str(v)

    return pd.Series([text(v) for v in vals], dtype="str")


def _read_parquet(raw: bytes, notes: list[str]) -> pd.DataFrame:
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        pf = pq.ParquetFile(pa.BufferReader(raw))
        md = pf.metadata
        size = sum(md.row_group(i).total_byte_size for i in range(md.num_row_groups))
        if md.num_rows > limits.MAX_ROWS:
            raise InputError(
                f"The Parquet file has {md.num_rows:,} rows, over the limit of {limits.MAX_ROWS:,}. "
                "Aggregate it first (one row per day, week or month)."
            )
        if md.num_columns > limits.MAX_COLUMNS:
            raise InputError(
                f"The Parquet file has {md.num_columns} columns, over the limit of {limits.MAX_COLUMNS}."
            )
        if size > limits.MAX_DECOMPRESSED_BYTES:
            raise InputError(
                f"The Parquet file expands to {limits.human_bytes(size)} (limit "
                f"{limits.human_bytes(limits.MAX_DECOMPRESSED_BYTES)}): keep only the columns needed."
            )
        frame = pf.read().to_pandas()
    except InputError:
        raise
    except Exception as exc:  # noqa: BLE001 - pyarrow's errors for damaged files vary by version
        raise InputError(
            f"The Parquet file cannot be read ({type(exc).__name__}): it may be truncated or damaged. "
            "Write it again, or export the table as CSV."
        ) from None
    out = {}
    for c in frame.columns:
        s = frame[c]
        if isinstance(s.dtype, pd.CategoricalDtype) or s.dtype == object:
            sample = s.dropna()
            import datetime as dt

            if len(sample) and all(isinstance(v, dt.date) for v in sample.iloc[:100]):
                s = pd.to_datetime(s)
            else:
                s = s.map(
                    lambda v: "" if v is None or (isinstance(v, float) and np.isnan(v)) else str(v)
                ).astype("str")
        elif pd.api.types.is_bool_dtype(s.dtype):
            s = s.astype(float)
        elif pd.api.types.is_string_dtype(s.dtype):
            s = s.fillna("").astype("str")
        out[str(c)] = s
    return pd.DataFrame(out)
