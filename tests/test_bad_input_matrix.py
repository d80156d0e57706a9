"""Every bad input ends in one clear message, through the CLI and through the app's upload path.

Each case is a made-up file plus the analysis asked of it. It goes through two doors:

* the CLI, in-process (``explorer.cli.main``): exit status 2 and exactly one ``error: ...`` line;
* the app: the bytes go through ``app_pages._ui.load_upload`` (what the uploader calls), then
  ``series_from_spec`` and ``fit_its`` inside ``app_pages._ui.guard`` (what the page wraps them
  in), with a recording container in place of the Streamlit column: exactly one ``error`` shown,
  the user's own message, never the "something went wrong on our side" apology.

Both must carry the same sentence fragment, which names the problem; the message must also say
what to do (checked loosely: it contains an imperative such as "use", "choose", "fix" ...).
"""

from __future__ import annotations

import contextlib
import io
import re
import subprocess
import sys
import time
import zipfile

import numpy as np
import pandas as pd
import pytest

from explorer.cli import main
from explorer.errors import InputError
from explorer.io import limits
from explorer.io.series import series_from_spec
from explorer.models.fit import fit_its
from explorer.spec import ItsSpec, parse_intervention
from tests.conftest import ROOT

# Words that tell the user what to do next; every message must contain one.
_ADVICE = re.compile(
    r"\b(use|choose|fix|check|save|export|add|aggregate|keep|move|drop|give|write|open|load|"
    r"rename|remove|try|name|say|separate|decompress|extract|the columns are)\b",
    re.I,
)


# -- made-up files -------------------------------------------------------------------------------
def monthly(n: int = 36, *, col: str = "count", cells=None, start: str = "2014-01") -> str:
    """A clean monthly CSV (values 100 + t + a small cycle), with cells overridden by index."""
    dates = pd.date_range(start, periods=n, freq="MS")
    y = [f"{100 + t + t % 5:.2f}" for t in range(n)]
    for i, v in (cells or {}).items():
        y[i] = v
    return f"month,{col}\n" + "".join(f"{d:%Y-%m},{v}\n" for d, v in zip(dates, y, strict=True))


def counts_with_offset(zero_at: int = 4) -> str:
    rows = [
        f"{d:%Y-%m},{10 + i % 7},{0 if i == zero_at else 1000}"
        for i, d in enumerate(pd.date_range("2014-01", periods=30, freq="MS"))
    ]
    return "month,count,pop\n" + "\n".join(rows) + "\n"


def xlsx_bomb() -> bytes:
    """A zip that looks like a workbook and inflates one member 1000-fold (50 MB of zeros)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/workbook.xml", "<workbook/>")
        z.writestr("xl/worksheets/sheet1.xml", b"\0" * (50 * limits.MB))
    return buf.getvalue()


def wide() -> str:
    header = "month," + ",".join(f"c{i}" for i in range(limits.MAX_COLUMNS + 5)) + ",count"
    ones = ",".join("1" for _ in range(limits.MAX_COLUMNS + 5))
    return header + "\n" + "".join(f"2014-{m:02d},{ones},{m}\n" for m in range(1, 13))


IV = ["x=2015-06"]

# id -> (file name, bytes, spec options, fragment the message must contain)
CASES = {
    "empty": ("data.csv", b"", {}, "is empty"),
    "whitespace only": ("data.csv", b" \r\n\t\n", {}, "is empty"),
    "header only": ("data.csv", b"month,count\n", {}, "no rows of data"),
    "binary": ("data.csv", bytes(range(256)) * 20, {}, "binary data"),
    "pdf renamed to csv": ("data.csv", b"%PDF-1.7\n" + b"\x00" * 100, {}, "PDF"),
    "wrong encoding (utf-8 BOM, cp1252 body)": (
        "data.csv",
        b"\xef\xbb\xbf" + monthly(col="d\u00e9c\u00e8s").encode("cp1252"),
        {},
        "byte-order mark",
    ),
    "no dates": (
        "data.csv",
        b"name,count\nalpha,1\nbeta,2\ngamma,3\ndelta,4\n",
        {},
        "No column holds dates",
    ),
    "mixed date formats": (
        "data.csv",
        (
            "date,count\n2014-01-01,1\n02/01/2014,2\nJan 3 2014,3\n"
            + "".join(f"2014-01-{d:02d},{d}\n" for d in range(4, 20))
        ).encode(),
        {},
        "not a date like the others",
    ),
    "text in numbers": ("data.csv", monthly(cells={5: "12a"}).encode(), {}, "'12a'"),
    "inf in numbers": ("data.csv", monthly(cells={5: "inf"}).encode(), {}, "'inf'"),
    "-inf in numbers": ("data.csv", monthly(cells={5: "-inf"}).encode(), {}, "'-inf'"),
    "every value NaN": (
        "data.csv",
        monthly(cells=dict.fromkeys(range(36), "NaN")).encode(),
        {},
        "0 observed",
    ),
    "repeated dates": ("data.csv", (monthly() + "2014-03,5\n").encode(), {}, "appears 2 times"),
    "too few points": ("data.csv", monthly(n=3).encode(), {"ivs": ["x=2014-03"]}, "at least"),
    "constant series": (
        "data.csv",
        monthly(cells=dict.fromkeys(range(36), "5")).encode(),
        {},
        "same value",
    ),
    "zero under --log": ("data.csv", monthly(cells={4: "0"}).encode(), {"log": True}, "--log"),
    "negative under --log": ("data.csv", monthly(cells={4: "-3"}).encode(), {"log": True}, "--log"),
    "negative count (poisson)": (
        "data.csv",
        monthly(cells={4: "-3"}).encode(),
        {"family": "poisson"},
        "negative",
    ),
    "negative count (negbin)": (
        "data.csv",
        monthly(cells={4: "-3"}).encode(),
        {"family": "negbin"},
        "negative",
    ),
    "non-integer count (poisson)": (
        "data.csv",
        monthly(cells={4: "3.5"}).encode(),
        {"family": "poisson"},
        "whole numbers",
    ),
    "non-integer count (quasipoisson)": (
        "data.csv",
        monthly(cells={4: "3.5"}).encode(),
        {"family": "quasipoisson"},
        "whole numbers",
    ),
    "non-integer count (negbin)": (
        "data.csv",
        monthly(cells={4: "3.5"}).encode(),
        {"family": "negbin"},
        "whole numbers",
    ),
    "zero offset": (
        "data.csv",
        counts_with_offset().encode(),
        {"family": "poisson", "offset": "pop", "ivs": ["x=2015-01"]},
        "offset",
    ),
    "intervention after the data": (
        "data.csv",
        monthly().encode(),
        {"ivs": ["x=2030-01"]},
        "after the last",
    ),
    "intervention before the data": (
        "data.csv",
        monthly().encode(),
        {"ivs": ["x=2001-01"]},
        "before the first",
    ),
    "intervention not a date": ("data.csv", monthly().encode(), {"ivs": ["x=soon"]}, "not a date"),
    "interventions on the same date": (
        "data.csv",
        monthly().encode(),
        {"ivs": ["x=2015-06", "y=2015-06-20"]},
        "same period",
    ),
    "same label twice": (
        "data.csv",
        monthly().encode(),
        {"ivs": ["x=2015-06", "x=2016-01"]},
        "used twice",
    ),
    "spreadsheet zip bomb": ("data.xlsx", xlsx_bomb(), {}, "expands to"),
    "zip that is not a workbook": (
        "data.xlsx",
        b"PK\x03\x04" + b"\x00" * 200,
        {},
        "cannot be opened",
    ),
    "very wide file": ("data.csv", wide().encode(), {}, "columns, over the limit"),
    "unknown value column": (
        "data.csv",
        monthly().encode(),
        {"value": "nope"},
        "no value column 'nope'",
    ),
    "dates in year 9999": (
        "data.csv",
        monthly(start="9997-01").encode(),
        {"ivs": ["x=9998-06"]},
        "out of the supported range",
    ),
    "dates in year 1": (
        "data.csv",
        b"date,count\n" + b"".join(f"0001-{m:02d}-01,{m}\n".encode() for m in range(1, 13)),
        {},
        "out of the supported range",
    ),
    "number too large (-1e309)": (
        "data.csv",
        monthly(cells={5: "-1e309"}).encode(),
        {},
        "too large",
    ),
    "number too large (1e400)": (
        "data.csv",
        monthly(cells={5: "1e400"}).encode(),
        {},
        "'1e400', a number too large",
    ),
    "1 MB column name": (
        "data.csv",
        monthly(col="c" * limits.MB).encode(),
        {"value": "nope"},
        "(1,048,576 characters)",
    ),
}


def cli_args(path, opts: dict) -> list[str]:
    args = ["analyze", str(path), "--value", opts.get("value", "count")]
    for iv in opts.get("ivs", IV):
        args += ["--intervention", iv]
    if opts.get("log"):
        args.append("--log")
    if opts.get("family"):
        args += ["--family", opts["family"]]
    if opts.get("offset"):
        args += ["--offset", opts["offset"]]
    return args


def run_cli(args: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        rc = main(args)
    return rc, out.getvalue(), err.getvalue()


class Box:
    """Stands in for the Streamlit container next to a control: records what is shown."""

    def __init__(self):
        self.errors: list[str] = []

    def error(self, body, **_kw):
        self.errors.append(str(body))


def run_app(raw: bytes, filename: str, opts: dict) -> list[str]:
    """The app's path: load_upload -> series_from_spec -> fit_its, inside the page's guard."""
    from app_pages import _ui as ui

    box = Box()
    with ui.guard(box, what="matrix"):
        _key, table = ui.load_upload(raw, filename)
        spec = ItsSpec(
            time=table.time_column,
            value=opts.get("value", "count"),
            interventions=tuple(parse_intervention(t) for t in opts.get("ivs", IV)),
            family=opts.get("family", "gaussian"),
            log=bool(opts.get("log")),
            offset=opts.get("offset"),
        )
        fit_its(series_from_spec(table, spec), spec)
    # What the reader sees: the app escapes Markdown in messages (see tests/test_security.py).
    return [re.sub(r"\\(.)", r"\1", e) for e in box.errors]


def assert_clear(message: str, fragment: str) -> None:
    assert fragment.lower() in message.lower(), message
    assert "Traceback" not in message and "Error:" not in message, message
    assert len(message) < 600, message
    assert _ADVICE.search(message), f"no advice in: {message}"


@pytest.mark.parametrize("case", list(CASES), ids=list(CASES))
def test_cli_ends_in_one_clear_line(case, tmp_path):
    name, raw, opts, fragment = CASES[case]
    path = tmp_path / name
    path.write_bytes(raw)
    rc, out, err = run_cli(cli_args(path, opts))
    assert rc == 2, (rc, out, err)
    lines = err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), err
    assert_clear(lines[0][len("error: ") :], fragment)


@pytest.mark.parametrize("case", list(CASES), ids=list(CASES))
def test_app_upload_shows_one_clear_message(case):
    from app_pages._ui import APOLOGY
    from app_pages._ui.words import in_app_words

    name, raw, opts, fragment = CASES[case]
    shown = run_app(raw, name, opts)
    assert len(shown) == 1, shown
    assert shown[0] != APOLOGY, "a user mistake was reported as our bug"
    # The app names its controls where the CLI names flags ("--log" -> "Log scale").
    assert_clear(shown[0], in_app_words(fragment))
    assert not re.search(r"--[a-z]", shown[0]), shown[0]


def test_same_message_through_both_doors(tmp_path):
    """The CLI and the app say the same thing about the same file (one core, two doors)."""
    for case in ("text in numbers", "repeated dates", "interventions on the same date"):
        name, raw, opts, _ = CASES[case]
        (tmp_path / name).write_bytes(raw)
        _, _, err = run_cli(cli_args(tmp_path / name, opts))
        (shown,) = run_app(raw, name, opts)
        assert err.strip() == "error: " + " ".join(shown.split())


def test_a_nan_cell_is_a_reported_gap_not_an_error(tmp_path):
    """One ``NaN`` (or empty) cell is a missing value: it stays missing and is reported."""
    path = tmp_path / "gap.csv"
    path.write_text(monthly(cells={7: "NaN", 9: ""}))
    rc, out, err = run_cli(cli_args(path, {}) + ["--json", "-"])
    assert rc == 0, err
    import json

    doc = json.loads(out)
    assert doc["n_obs"] == 34


def test_non_finite_numbers_in_typed_files_are_refused(tmp_path):
    """Parquet and Excel hold real floats: an infinity there is refused like the text 'inf'."""
    dates = pd.date_range("2014-01", periods=36, freq="MS")
    y = 100 + np.arange(36.0)
    y[5] = np.inf
    frame = pd.DataFrame({"month": dates, "count": y})
    frame.to_parquet(tmp_path / "inf.parquet")
    for f in ("inf.parquet",):
        rc, _, err = run_cli(cli_args(tmp_path / f, {}))
        assert rc == 2, err
        assert "inf" in err.lower() and "2014-06" in err, err


# -- size limits: the real limits, not patched ones ---------------------------------------------
def test_file_over_the_upload_limit_is_refused_before_it_is_read(tmp_path):
    path = tmp_path / "big.csv"
    with open(path, "wb") as f:
        f.write(b"month,count\n")
        f.truncate(limits.MAX_UPLOAD_BYTES + 1)  # sparse: no 50 MB written
    t0 = time.perf_counter()
    rc, _, err = run_cli(cli_args(path, {}))
    assert rc == 2 and "over the 50 MB limit" in err, err
    assert time.perf_counter() - t0 < 2.0  # refused on its size, not after parsing

    shown = run_app(b"month,count\n" + b"0" * limits.MAX_UPLOAD_BYTES, "big.csv", {})
    assert len(shown) == 1 and "over the 50 MB limit" in shown[0], shown


def _events_csv(path, n: int) -> None:
    """``n`` rows of event-level data (one row per tweet, 30 s apart): the raw file people have."""
    start = np.datetime64("2016-01-01T00:00:00", "s")
    stamps = np.datetime_as_string(start + np.arange(n, dtype=np.int64) * 30, unit="s")
    with open(path, "w") as f:
        f.write("time,count\n")
        f.write(",1\n".join(stamps.tolist()))
        f.write(",1\n")


def test_file_over_the_row_limit_is_refused(tmp_path):
    path = tmp_path / "rows.csv"
    _events_csv(path, limits.MAX_ROWS + 1)
    rc, _, err = run_cli(cli_args(path, {}))
    assert rc == 2 and "more than 1,000,000 rows" in err, err


def test_a_million_row_file_ends_in_a_clear_message_in_bounded_time(tmp_path):
    """1,000,000 event rows (at the limit) load and are refused as "aggregate first".

    Run in a subprocess: a public server cannot give one upload a minute of CPU. The budget is
    the child's CPU time (about 6 s here), which other load on a shared machine does not
    inflate the way it does wall time; the wall-clock timeout only guards against a hang.
    """
    import resource

    path = tmp_path / "million.csv"
    _events_csv(path, limits.MAX_ROWS)
    args = cli_args(path, {})
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "explorer", *args],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=180,
        )
    except subprocess.TimeoutExpired:
        pytest.fail("a 1,000,000-row file was still loading after 180 s (a hang)")
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    assert cpu < 20, f"refusing a 1,000,000-row file took {cpu:.1f} CPU-seconds"
    assert proc.returncode == 2, proc.stderr
    (line,) = proc.stderr.splitlines()
    assert "Aggregate" in line, line


def test_input_error_is_the_only_user_error_type():
    """The app's guard and the CLI both key on InputError; SpecError must stay one of them."""
    from explorer.errors import SpecError

    assert issubclass(SpecError, InputError)
