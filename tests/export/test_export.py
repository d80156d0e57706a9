"""Exports: exact-size PNG/SVG through one warm Chromium, failures as ExportUnavailable, offline
HTML, spreadsheet-safe CSV/Excel, results JSON, prose, and a bundle whose script refits the model."""

from __future__ import annotations

import csv
import io
import json
import os
import pathlib
import re
import signal
import struct
import subprocess
import sys
import xml.etree.ElementTree as ET
import zipfile

import numpy as np
import pandas as pd
import pytest

from explorer import charts, export
from explorer.charts.base import ChartText
from explorer.errors import ExportUnavailable, InputError
from explorer.io.series import from_frame
from explorer.models.fit import fit_its
from explorer.spec import Intervention, ItsSpec

HOSTILE = "<img src=x onerror=alert(1)></script><script>alert(2)</script>"


@pytest.fixture(scope="module")
def sicily(raw_data):
    d = pd.read_csv(raw_data / "reference" / "sicily.csv")
    d["date"] = pd.to_datetime(dict(year=d.year, month=d.month, day=1))
    series = from_frame(d, date="date", value="aces", freq="M", extra=("stdpop",))
    spec = ItsSpec(
        time="date",
        value="aces",
        interventions=(Intervention("ban", "2005-01", "level"),),
        family="quasipoisson",
        offset="stdpop",
        seasonality="fourier",
        fourier_k=2,
    )
    return fit_its(series, spec)


@pytest.fixture(scope="module")
def chart(sicily):
    text = ChartText(
        title="Coronary events fell",
        subtitle="Sicily",
        source="Lopez Bernal et al. 2017",
        notes=("Quasi-Poisson",),
    )
    return charts.its_chart(sicily, text=text)


def _png_size(b: bytes) -> tuple[int, int]:
    assert b[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", b[16:24])


# -- images -------------------------------------------------------------------------------------


@pytest.mark.parametrize("preset", ["article", "social", "square"])
def test_png_presets_are_exact_pixel_sizes(chart, preset):
    p = export.PRESETS[preset]
    assert _png_size(export.to_png(chart, preset=preset)) == (p.width, p.height)


def test_custom_size_and_scale(chart):
    assert _png_size(export.to_png(chart, width=800, height=500)) == (800, 500)
    assert _png_size(export.to_png(chart, width=320, height=200, scale=2)) == (640, 400)
    with pytest.raises(InputError, match="width"):
        export.to_png(chart, width=50, height=500)
    with pytest.raises(InputError, match="preset"):
        export.to_png(chart, preset="poster")


def test_one_warm_browser_serves_every_export(chart):
    assert export.static_export_available() is None
    r = export.renderer()
    export.to_png(chart)
    starts, pid = r.starts, r.pid
    for _ in range(3):
        export.to_svg(chart)
    assert (r.starts, r.pid) == (starts, pid)


def test_images_do_not_depend_on_the_previous_image(chart):
    # The warm page is reloaded only every RELOAD_EVERY renders: nothing may leak between images.
    other = charts.placebo_chart([1.0, 2, 2, 3, 5], real_effect=4.0, text=ChartText(title="B"))
    first = export.to_png(other, width=500, height=300)
    export.to_png(chart, preset="square")
    assert export.to_png(other, width=500, height=300) == first


def test_svg_carries_the_text_and_shows_hostile_text_literally(sicily):
    text = ChartText(title=HOSTILE, source="Agency & co")
    svg = export.to_svg(charts.its_chart(sicily, text=text)).decode("utf-8")
    root = ET.fromstring(svg)  # well-formed XML
    tags = {el.tag.split("}")[-1] for el in root.iter()}
    assert "img" not in tags and "script" not in tags and "a" not in tags
    shown = " ".join("".join(el.itertext()) for el in root.iter() if el.tag.endswith("text"))
    # drawn as the characters typed (wrapped lines are separate tspans: compare without spaces)
    assert "<imgsrc=xonerror=alert(1)></script><script>" in shown.replace(" ", "")
    assert "Source: Agency & co" in shown


def test_missing_browser_is_a_clear_error_and_the_rest_keeps_working(chart, monkeypatch):
    r = export.Renderer(path="/nonexistent/chromium")
    with pytest.raises(ExportUnavailable, match="not found at /nonexistent/chromium") as exc:
        export.to_png(chart, renderer_=r)
    assert "HTML, CSV and JSON exports still work" in str(exc.value)
    monkeypatch.setenv("EXPLORER_CHROMIUM", "/nonexistent/chrome2")
    assert export.browser_path() == "/nonexistent/chrome2"
    assert "not found at /nonexistent/chrome2" in export.static_export_available()
    with pytest.raises(ExportUnavailable, match="chrome2"):
        export.Renderer().render(chart.figure, fmt="png", width=300, height=200)
    assert "<html>" in export.to_html(chart)[:100]
    assert export.to_csv(chart).startswith(b"date,")


def test_browser_that_dies_at_start_is_export_unavailable(chart):
    r = export.Renderer(path="/bin/false")
    with pytest.raises(ExportUnavailable, match="could not be started"):
        export.to_png(chart, renderer_=r)
    assert not r.running


def test_a_crashed_browser_is_restarted_once(chart):
    r = export.renderer()  # the shared one: it must recover for every later export
    export.to_png(chart)
    pid, starts = r.pid, r.starts
    # Crash the Chromium this process started: SIGKILL to the child of choreographer's wrapper.
    kids = [
        int(c)
        for f in pathlib.Path(f"/proc/{pid}/task").glob("*/children")
        for c in f.read_text().split()
    ]
    assert len(kids) == 1
    os.kill(kids[0], signal.SIGKILL)
    r._kaleido.subprocess.wait(timeout=20)
    assert _png_size(export.to_png(chart, width=300, height=200)) == (300, 200)
    assert r.starts == starts + 1 and r.pid != pid


# -- HTML ---------------------------------------------------------------------------------------


def test_html_is_standalone_and_safe(sicily):
    page = export.to_html(charts.its_chart(sicily, text=ChartText(title=HOSTILE)))
    tags = re.findall(r"<script[^>]*>", page)
    assert tags and all("src" not in t for t in tags)  # nothing loaded from the network
    assert len(page) > 3_000_000 and "plotly.js v" in page  # plotly.js itself, inline
    assert "<img src=x" not in page and "</script><script>alert(2)" not in page
    assert "<title>&lt;img src=x" in page


# -- CSV and Excel ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "cell, expected",
    [
        ("=1+1", "'=1+1"),
        ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\rx", "'\rx"),
        ("-0.45", "-0.45"),
        ("+1.5e3", "+1.5e3"),
        ("plain", "plain"),
        ("", ""),
        (-0.45, -0.45),
        (3, 3),
        ("- 1", "'- 1"),
        ("-", "'-"),
    ],
)
def test_neutralise(cell, expected):
    assert export.neutralise(cell) == expected


def _frame():
    return pd.DataFrame(
        {
            "date": pd.to_datetime(["2016-01-01", "2016-02-01"]),
            "=bad header": [1.5, -0.45],
            "label": ['=HYPERLINK("http://evil")', "-0.45"],
        }
    )


def test_csv_is_datawrapper_ready_and_formula_safe():
    rows = list(csv.reader(io.StringIO(export.to_csv(_frame()).decode("utf-8"))))
    assert rows[0] == ["date", "'=bad header", "label"]
    assert rows[1] == ["2016-01-01", "1.5", '\'=HYPERLINK("http://evil")']
    assert rows[2] == ["2016-02-01", "-0.45", "-0.45"]


def test_chart_csv_round_trips_the_numbers(chart):
    back = pd.read_csv(io.BytesIO(export.to_csv(chart)), parse_dates=["date"])
    assert back.columns.tolist() == chart.data.columns.tolist()
    pd.testing.assert_frame_equal(
        back, chart.data, check_dtype=False, check_exact=False, rtol=1e-12
    )


def test_excel_has_text_never_formulas():
    from openpyxl import load_workbook

    ws = load_workbook(io.BytesIO(export.to_excel(_frame()))).active
    values = [[c.value for c in row] for row in ws.iter_rows()]
    assert values[0] == ["date", "'=bad header", "label"]
    assert values[1][2] == '\'=HYPERLINK("http://evil")' and values[2][1] == -0.45
    assert all(c.data_type != "f" for row in ws.iter_rows() for c in row)


# -- results, prose, bundle -----------------------------------------------------------------------


def test_results_json_is_the_cli_schema(sicily):
    d = export.results_json(sicily, provenance={"dataset": "sicily", "sha256": "abc"})
    ref = sicily.to_dict()
    assert set(d) == set(ref)
    assert d["provenance"] == {"dataset": "sicily", "sha256": "abc"}
    lc = d["interventions"][0]["level_change"]
    assert lc["estimate"] == pytest.approx(sicily.interventions[0].level_change.estimate, abs=0)
    json.loads(export.results_json_bytes(sicily))  # strict JSON, no NaN


@pytest.mark.parametrize(
    "extra, words",
    [
        ((), "AR(1) errors estimated by restricted maximum likelihood (REML)"),
        ((("ar_method", "ml"),), "AR(1) errors estimated by exact maximum likelihood"),
    ],
)
def test_methods_paragraph_names_the_ar_estimator_that_was_used(extra, words):
    """The app's default AR(1) errors are REML: the paragraph said maximum likelihood."""
    from explorer.catalog import load_dataset
    from explorer.io.series import series_from_spec
    from explorer.models.fit import fit_its
    from explorer.spec import Intervention, ItsSpec

    spec = ItsSpec(
        time="date", value="value", errors="ar", ar_order=1, extra=extra,
        interventions=(Intervention("gec", "2016-01"),),
    )  # fmt: skip
    res = fit_its(series_from_spec(load_dataset("scenarios/gec_step"), spec), spec)
    assert words in export.methods_paragraph(res)


def test_methods_paragraph_and_alt_text_say_what_was_done(sicily):
    text = export.methods_paragraph(sicily)
    lc = sicily.interventions[0].level_change
    pct = [100 * (np.exp(v) - 1) for v in (lc.estimate, lc.ci_low, lc.ci_high)]
    for needle in (
        "quasi-Poisson",
        "monthly series aces from 2002-01 to 2006-11",
        "n = 59",
        "log(stdpop)",
        "2 Fourier harmonic pair(s)",
        "change in level only",
        "2005-01",
        f"{pct[0]:.0f}% (95% CI {pct[1]:.0f}% to {pct[2]:.1f}%",
        "model-based standard errors scaled by the Pearson chi-squared dispersion",
    ):
        assert needle in text, needle
    for caveat in sicily.caveats:
        assert caveat.rstrip(".") in text
    alt = export.alt_text(sicily, title="Coronary events fell")
    assert alt.startswith("Coronary events fell.")
    assert "aces from 2002-01 to 2006-11" in alt and "ban (2005-01-01)" in alt
    assert sicily.summary_text in alt


def test_bundle_scripts_refit_every_family_to_1e_6(sicily, tmp_path):
    rng = np.random.default_rng(3)
    dates = pd.date_range("2012-01-01", periods=60, freq="MS")
    t = np.arange(60.0)
    mu = np.exp(4 + 0.01 * t - 0.3 * (dates >= "2015-01-01"))
    y = rng.negative_binomial(10, 10 / (10 + mu)).astype(float)
    series = from_frame(pd.DataFrame({"date": dates, "y": y}), freq="M")
    z = zipfile.ZipFile(io.BytesIO(export.repro_bundle(sicily)))
    assert {"data.csv", "design.csv", "spec.json", "versions.json", "reproduce.py"} <= set(
        z.namelist()
    )
    assert json.loads(z.read("spec.json")) == sicily.spec.to_dict()
    assert set(json.loads(z.read("versions.json"))) >= {"explorer", "statsmodels", "pandas"}
    data = pd.read_csv(io.BytesIO(z.read("data.csv")))
    assert data.columns.tolist()[:3] == ["date", "aces", "stdpop"] and len(data) == 59
    z.extractall(tmp_path / "sicily")
    results, dirs = {"sicily": sicily}, [str(tmp_path / "sicily")]
    variants = {
        "gaussian-hac": dict(errors="hac"),
        "gaussian-ols-log": dict(errors="ols", log=True),
        "negbin": dict(family="negbin"),
        "sarimax": dict(model="sarimax"),
        "poisson-hac": dict(family="poisson", errors="hac"),
        "gaussian-ar1-reml": dict(errors="ar", ar_order=1, log=True),
    }
    for name, kw in variants.items():
        spec = ItsSpec(
            time="date",
            value="y",
            interventions=(Intervention("a", "2014-01", "level"), Intervention("b", "2015-01")),
            **kw,
        )
        d = tmp_path / name
        zipfile.ZipFile(io.BytesIO(export.repro_bundle(fit_its(series, spec)))).extractall(d)
        results[d.name] = fit_its(series, spec)
        dirs.append(str(d))
    # One interpreter runs the three scripts (statsmodels imports once), each in its folder.
    code = (
        "import os, runpy, sys\n"
        "for d in sys.argv[1:]:\n"
        "    os.chdir(d); print('bundle', os.path.basename(d), sep='\\t'); runpy.run_path('reproduce.py')\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, *dirs], capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 0, out.stderr
    printed, current = {}, None
    for line in out.stdout.splitlines():
        parts = line.split("\t")
        if parts[0] == "bundle":
            current = parts[1]
        elif parts[0] == "level_change":
            printed[(current, parts[1])] = float(parts[2])
    assert len(printed) == 13
    for name, result in results.items():
        for iv in result.interventions:
            assert printed[(name, iv.label)] == pytest.approx(iv.level_change.estimate, abs=1e-6)
