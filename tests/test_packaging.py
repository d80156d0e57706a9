"""The project as an analyst installs it: a wheel in a fresh virtual environment, used from a
folder outside the repository, with the whole bundled catalogue.

Slow (a venv and its dependencies, ~40 s with pip's cache), but `make test` runs it.
"""

from __future__ import annotations

import json
import pathlib
import subprocess
import sys
import zipfile

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
SICILY = [
    "analyze", "reference", "--value", "aces", "--offset", "stdpop", "--family", "quasipoisson",
    "--seasonality", "fourier:2", "--no-slope-change", "--intervention", "ban=2005-01",
]  # fmt: skip


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> pathlib.Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(out), str(ROOT)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    (whl,) = out.glob("*.whl")
    return whl


@pytest.fixture(scope="module")
def venv(wheel, tmp_path_factory) -> pathlib.Path:
    env = tmp_path_factory.mktemp("venv") / "v"
    subprocess.run([sys.executable, "-m", "venv", str(env)], check=True, timeout=120)
    r = subprocess.run(
        [str(env / "bin" / "pip"), "install", "-q", str(wheel)],
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert r.returncode == 0, r.stderr[-2000:]
    return env


def outside(venv, *cmd, cwd):
    """Run ``cmd`` from ``cwd`` with nothing of the checkout on the path."""
    return subprocess.run(
        list(cmd),
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=120,
        env={"PATH": f"{venv / 'bin'}:/usr/bin:/bin", "HOME": str(cwd)},
    )


def test_wheel_holds_every_module_and_the_catalogue(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    modules = {
        p.relative_to(ROOT).as_posix()
        for p in (ROOT / "explorer").rglob("*.py")
        if "__pycache__" not in p.parts
    }
    assert modules <= names, sorted(modules - names)[:5]
    data = {
        "explorer/_data/" + p.relative_to(ROOT / "data").as_posix()
        for p in (ROOT / "data").rglob("*")
        if p.is_file()
    }
    assert data <= names, sorted(data - names)[:5]
    assert {
        "explorer/models/coverage_results.json",
        "explorer/robustness/hansen1997_supf.csv",
    } <= names
    meta = next(n for n in names if n.endswith(".dist-info/METADATA"))
    text = zipfile.ZipFile(wheel).read(meta).decode()
    import explorer

    assert f"Version: {explorer.__version__}" in text
    for dep in ("statsmodels", "pandas", "plotly", "duckdb", "scipy"):
        assert f"Requires-Dist: {dep}" in text, dep
    entry = next(n for n in names if n.endswith(".dist-info/entry_points.txt"))
    assert "explorer = explorer.cli:main" in zipfile.ZipFile(wheel).read(entry).decode()


@pytest.mark.slow
def test_installed_explorer_works_outside_the_repository(venv, tmp_path):
    bin_ = venv / "bin"
    r = outside(venv, str(bin_ / "explorer"), "datasets", "--json", "-", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    names = {d["name"] for d in json.loads(r.stdout)["datasets"]}
    assert {"reference", "events", "published_figures", "fifthtribe", "scenarios"} <= names

    r = outside(venv, str(bin_ / "explorer"), *SICILY, "--json", "out.json", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    out = json.loads((tmp_path / "out.json").read_text())
    # Lopez Bernal et al. (2017), model 3: RR 0.885 (0.839-0.933).
    lc = out["interventions"][0]["level_change"]
    assert lc["ratio"] == pytest.approx(0.885, abs=0.0005)

    code = (
        "import sys, pathlib, explorer\n"
        "from explorer import catalog, paths\n"
        "from explorer.catalog import claims, events\n"
        "from explorer.tweets import lexicon\n"
        "from explorer.models.report import load_coverage\n"
        "from explorer.robustness.breaks import supf_pvalue\n"
        "assert 'site-packages' in explorer.__file__, explorer.__file__\n"
        "assert paths.DATA_DIR.is_relative_to(pathlib.Path(explorer.__file__).parent)\n"
        "for d in catalog.list_resources():\n"
        "    (catalog.load_dataset if d.frequency else catalog.read_frame)(d.key)\n"
        "print(len(catalog.list_resources()), len(events.load_events()),\n"
        "      len(claims.load_claims()), len(lexicon.load_lexicon().entries),\n"
        "      bool(load_coverage()), 0 < supf_pvalue(5.0, 1, 0.15) < 1,\n"
        "      paths.FIFTHTRIBE_TWEETS.is_file())\n"
    )
    r = outside(venv, str(bin_ / "python"), "-W", "error::UserWarning", "-c", code, cwd=tmp_path)
    assert r.returncode == 0, r.stderr[-2000:]
    n_res, n_events, n_claims, n_terms, cov, hansen, sample = r.stdout.split()
    assert int(n_res) >= 14 and int(n_events) >= 10 and int(n_claims) == 47
    assert int(n_terms) > 0 and cov == hansen == sample == "True"


def test_installed_version_comes_from_one_place():
    import explorer

    text = (ROOT / "pyproject.toml").read_text()
    assert 'dynamic = ["version"]' in text and "explorer.__version__" in text
    assert "\nversion =" not in text.split("[tool.")[0]
    assert explorer.__version__


def test_no_test_reads_outside_the_repository():
    """The suite runs in a fresh clone with nothing beside it: no test names the reference
    folder that developers happen to have next to the project, nor its environment variable."""
    needles = ("../" + "shared", "EXPLORER_" + "SHARED", "parent / " + '"shared"')
    hits = [
        f"{p.name}: {n}"
        for p in (ROOT / "tests").rglob("*.py")
        for n in needles
        if n in p.read_text(encoding="utf-8")
    ]
    assert not hits, hits


def test_one_numeric_column_needs_no_value_flag(tmp_path):
    f = tmp_path / "s.csv"
    rows = [f"2015-{m:02d},{10 + m % 3 - (m > 6) * 3}" for m in range(1, 13)]
    f.write_text("month,count\n" + "\n".join(rows) + "\n")
    r = subprocess.run(
        [sys.executable, "-m", "explorer", "analyze", str(f), "--intervention", "x=2015-07",
         "--json", "-"],
        capture_output=True, text=True, cwd=ROOT, timeout=120,
    )  # fmt: skip
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["spec"]["value"] == "count"
    assert "analysing column 'count', the only numeric column" in r.stderr
    g = tmp_path / "two.csv"
    g.write_text("month,a,b,label\n" + "\n".join(f"{x},1,2,z" for x in ("2015-01", "2015-02")))
    r = subprocess.run(
        [sys.executable, "-m", "explorer", "analyze", str(g), "--intervention", "x=2015-02"],
        capture_output=True, text=True, cwd=ROOT, timeout=120,
    )  # fmt: skip
    assert r.returncode == 2
    assert r.stderr.strip() == (
        "error: Say which column to analyse with --value (numeric columns: a, b)."
    )
