"""Faults in the machinery, not in the user's input: each is reported and nothing else breaks.

* Chromium (kaleido's browser) missing: PNG/SVG say so in one line (CLI exit 3, a caption in the
  app's export kit); analyses, HTML, CSV and JSON keep working.
* A bundled dataset whose bytes no longer match its checksum: a visible warning (CLI stderr,
  the app's page), never silence, and the data still load.
* A corrupt cache entry: the on-disk coverage study the caveats quote, the events table cached
  by file stamp, and the app's bounded upload cache: each is rebuilt, ignored or reported.
"""

from __future__ import annotations

import contextlib
import io
import json
import shutil
import subprocess
import sys
import warnings

import numpy as np
import pandas as pd
import pytest

from explorer import catalog
from explorer.cli import main
from tests.conftest import DATA, ROOT

SCENARIO = "scenarios/gec_step"


def run_cli(args: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        rc = main(args)
    return rc, out.getvalue(), err.getvalue()


# -- Chromium missing ---------------------------------------------------------------------------
def test_cli_without_chromium_says_so_and_html_csv_json_still_work(tmp_path):
    """A fresh process with no browser (as on a server without Debian's chromium)."""
    env = {
        "PATH": "/usr/bin:/bin",
        "EXPLORER_CHROMIUM": "/nonexistent/chromium",
        "HOME": str(tmp_path),
    }
    code = (
        "import sys; from explorer.cli import main\n"
        "a = ['chart', 'scenarios/gec_step', '--intervention', 'gec']\n"
        f"png = main(a + ['--out', r'{tmp_path}/c.png'])\n"
        f"html = main(a + ['--out', r'{tmp_path}/c.html', '--data-out', r'{tmp_path}/c.csv'])\n"
        f"js = main(['analyze', 'scenarios/gec_step', '--intervention', 'gec', '--json', r'{tmp_path}/r.json'])\n"
        "print(png, html, js)\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert proc.stdout.split()[-3:] == ["3", "0", "0"], (proc.stdout, proc.stderr)
    errors = [line for line in proc.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and "Chromium" in errors[0] and "HTML" in errors[0], proc.stderr
    assert "Traceback" not in proc.stderr
    assert not (tmp_path / "c.png").exists()
    assert (tmp_path / "c.html").read_text().startswith("<!doctype html>")
    assert (tmp_path / "c.csv").read_bytes().startswith(b"date,")
    assert json.loads((tmp_path / "r.json").read_text())["interventions"]


def test_app_without_chromium_runs_and_says_png_svg_are_unavailable(monkeypatch):
    from streamlit.testing.v1 import AppTest

    from app_pages._ui import downloads as _export

    monkeypatch.setenv("EXPLORER_CHROMIUM", "/nonexistent/chromium")
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.query_params["ds"] = SCENARIO
    at.switch_page("app_pages/explore.py")
    at.run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert len(at.get("plotly_chart")) == 1
    at.session_state["xp_export_open"] = True  # open the export popover
    at.run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    shown = " ".join(c.value for c in at.caption) + " ".join(w.value for w in at.warning)
    assert "PNG and SVG export needs Chromium" in shown.replace("\\", ""), shown
    # The download callback itself never raises: it hands back a note instead of an image.
    from explorer import charts
    from explorer.export.files import Renderer

    r = Renderer(path="/nonexistent/chromium")
    monkeypatch.setattr("explorer.export.files._RENDERER", r)
    fig = charts.its_chart(_scenario_fit())
    assert _export.image(fig, "png", 300, 200).startswith(b"Image export unavailable")
    assert _export.csv(fig).startswith(b"date,")


def _scenario_fit():
    from explorer.io.series import series_from_spec
    from explorer.models.fit import fit_its
    from explorer.spec import ItsSpec, parse_intervention

    table = catalog.load_dataset(SCENARIO)
    spec = ItsSpec(
        time=table.time_column, value="value", interventions=(parse_intervention("gec=2016-01-08"),)
    )
    return fit_its(series_from_spec(table, spec), spec)


# -- checksum mismatch -------------------------------------------------------------------------
@pytest.fixture
def tampered(tmp_path, monkeypatch):
    """A copy of the catalogue with one value of gec_step changed, and the catalogue pointed at it."""
    root = tmp_path / "data"
    shutil.copytree(DATA, root, ignore=shutil.ignore_patterns("*.parquet"))
    info = catalog.get_dataset(SCENARIO, root=root)
    lines = info.path.read_text().splitlines()
    date, value = lines[5].split(",")
    lines[5] = f"{date},{float(value) + 1:.6f}"
    info.path.write_text("\n".join(lines) + "\n")
    monkeypatch.setattr(catalog.datasets, "DATA_DIR", root)
    return root


def test_cli_warns_about_a_changed_dataset_and_still_analyses(tampered):
    rc, out, err = run_cli(["analyze", SCENARIO, "--intervention", "gec", "--json", "-"])
    assert rc == 0
    (line,) = [x for x in err.splitlines() if "CHECKSUM MISMATCH" in x]
    assert line.startswith("warning: ") and "make data" in line, err
    doc = json.loads(out)
    assert doc["provenance"]["sha256"] != catalog.get_dataset(SCENARIO, root=DATA).sha256


def test_app_shows_a_changed_dataset_as_a_warning_not_only_in_a_collapsed_panel(tampered):
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    # A server started on the changed files (earlier tests cached the good table in-process).
    st.cache_data.clear()
    st.cache_resource.clear()

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.query_params["ds"] = SCENARIO
    at.switch_page("app_pages/explore.py")
    at.run()
    assert not at.exception
    warned = [w.value for w in at.warning if "CHECKSUM MISMATCH" in w.value.replace("\\", "")]
    assert warned, [w.value for w in at.warning]
    assert len(at.get("plotly_chart")) == 1  # the analysis still runs on the data as they are


# -- corrupt cache entries -----------------------------------------------------------------------
@pytest.mark.parametrize(
    "content",
    [
        "{not json",
        "[]",
        '{"results": [{"errors": "hac"}]}',
        '{"results": "x"}',
        '{"results": [{"errors": "hac", "n": 0, "coverage": "high"}]}',
    ],
    ids=["not-json", "a-list", "rows-without-fields", "results-not-a-list", "bad-values"],
)
def test_a_corrupt_coverage_study_is_ignored(content, tmp_path, monkeypatch):
    """The caveats quote a cached simulation study; a damaged file must not break any fit."""
    from explorer.models import report

    bad = tmp_path / "coverage_results.json"
    bad.write_text(content)
    monkeypatch.setattr(report, "COVERAGE_FILE", bad)
    r = _scenario_fit()
    caveats = r.caveats
    assert isinstance(caveats, list)
    assert not any("coverage study" in c for c in caveats)
    assert r.summary()


def test_the_events_cache_follows_the_file(tmp_path, monkeypatch):
    """The events table is cached by (path, mtime, sha256): a changed file is read again."""
    from explorer.catalog import events

    root = tmp_path / "data"
    shutil.copytree(DATA, root, ignore=shutil.ignore_patterns("*.parquet"))
    monkeypatch.setattr(catalog.datasets, "DATA_DIR", root)
    before = events.load_events()
    info = catalog.get_dataset(events.DATASET, root=root)
    text = info.path.read_text()
    info.path.write_text(text.replace("CSCC established", "CSCC founded", 1))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        after = events.load_events()
    assert before.to_csv() != after.to_csv()
    assert (after["label"].astype(str).str.contains("CSCC founded")).any()


def test_an_evicted_upload_asks_for_the_file_again():
    from app_pages import _ui as ui
    from explorer.errors import InputError

    def body(k: int) -> bytes:
        y = 10 + k + np.arange(12) % 5
        return (
            pd.DataFrame({"month": [f"2016-{m:02d}" for m in range(1, 13)], "n": y})
            .to_csv(index=False)
            .encode()
        )

    import streamlit as st

    st.session_state.clear()
    before = ui.uploads.total_bytes()
    first, _ = ui.load_upload(body(0), "a.csv")
    for k in range(1, ui.uploads.MAX_PER_SESSION + 1):
        ui.load_upload(body(k), f"{k}.csv")
    # A session keeps its own last MAX_PER_SESSION uploads; its oldest one is asked for again.
    assert len(st.session_state["uploads"]) == ui.uploads.MAX_PER_SESSION
    with pytest.raises(InputError, match="upload it again"):
        ui.get_table("upload", first)
    held = sum(u.nbytes for u in st.session_state["uploads"].values())
    assert ui.uploads.total_bytes() - before == held > 0
    # Dropping the session's state gives its bytes back to the server-wide budget.
    st.session_state.clear()
    import gc

    gc.collect()
    assert ui.uploads.total_bytes() == before


def test_an_upload_past_the_server_wide_limit_is_refused_not_evicting_others(monkeypatch):
    import streamlit as st

    from app_pages import _ui as ui
    from explorer.errors import InputError

    st.session_state.clear()
    monkeypatch.setattr(ui.uploads, "MAX_TOTAL_BYTES", ui.uploads.total_bytes() + 10)
    with pytest.raises(InputError, match="holding as many uploaded files"):
        ui.load_upload(b"month,n\n2016-01,1\n2016-02,2\n2016-03,3\n", "x.csv")
    assert not st.session_state.get("uploads")
