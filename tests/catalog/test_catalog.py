"""The data catalogue: every folder in data/ against its descriptor, checksums, the build, the CLI."""

from __future__ import annotations

import csv
import dataclasses
import hashlib
import json
import shutil
import subprocess
import sys
import warnings

import pandas as pd
import pytest

from explorer import catalog
from explorer.errors import InputError
from tests.conftest import DATA, ROOT

RESOURCES = catalog.list_resources()
MINE = ("events", "published_figures", "reference", "scenarios")


def sha256(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def header(path) -> list[str]:
    with open(path, newline="", encoding="utf-8-sig") as fh:
        return next(csv.reader(fh))


def test_every_data_folder_has_a_descriptor_in_the_registry():
    # data/raw holds the raw inputs of make data, not a dataset.
    folders = sorted(p.name for p in DATA.iterdir() if p.is_dir() and p.name not in (".", "raw"))
    assert folders == sorted({d.name for d in RESOURCES})
    assert (DATA / "raw" / "README.md").is_file()
    assert set(MINE) <= set(folders)


@pytest.mark.parametrize("info", RESOURCES, ids=lambda d: d.key)
def test_resource_matches_its_descriptor(info):
    desc, res = info.descriptor, info.resource_descriptor
    assert desc.get("title") and desc.get("description")
    assert info.licence and info.licence != "unknown"
    assert info.sources and all(s.get("title") or s.get("citation") for s in info.sources)
    assert "derived_from" in desc
    assert info.path.is_file(), f"{info.path} missing: run make data"
    assert sha256(info.path) == info.sha256 == res["sha256"]
    fields = [f["name"] for f in res["schema"]["fields"]]
    assert all(f.get("type") and f.get("description") for f in res["schema"]["fields"])
    if info.path.suffix == ".csv":
        assert header(info.path) == fields
        if res.get("rows") is not None:
            with open(info.path, encoding="utf-8") as fh:
                assert sum(1 for _ in fh) - 1 == res["rows"]
    for col in (info.default_time, info.default_value, info.default_group, info.default_offset):
        assert col is None or col in fields


@pytest.mark.parametrize("info", [d for d in RESOURCES if d.name in MINE], ids=lambda d: d.key)
def test_my_resources_load_without_a_checksum_note(info):
    if info.default_time:
        with warnings.catch_warnings():
            warnings.simplefilter("error", catalog.ChecksumWarning)
            table = catalog.load_dataset(info.key)
        assert table.name == info.key and table.sha256 == info.sha256
        assert table.freq == info.frequency
        assert len(table.frame) == info.rows
        assert table.frame[table.time_column].min().strftime("%Y-%m-%d") == info.period[0]
        assert table.frame[table.time_column].max().strftime("%Y-%m-%d") == info.period[1]
        assert not any("CHECKSUM" in n for n in table.report.notes)
        if info.default_group:
            assert table.group_column == info.default_group
            assert info.default_treated in set(table.frame[info.default_group])
    else:
        with pytest.raises(InputError, match="not a time series"):
            catalog.load_dataset(info.key)
        assert len(catalog.read_frame(info.key)) == info.rows


def test_a_changed_file_warns_and_says_so_in_the_report(tmp_path):
    shutil.copytree(DATA / "scenarios", tmp_path / "scenarios")
    f = tmp_path / "scenarios" / "gec_step.csv"
    f.write_text(f.read_text().replace("2014-07-01,", "2014-07-01,1"), encoding="utf-8")
    with pytest.warns(catalog.ChecksumWarning, match="CHECKSUM MISMATCH"):
        table = catalog.load_dataset("scenarios/gec_step", root=tmp_path)
    assert any("CHECKSUM MISMATCH" in n and "make data" in n for n in table.report.notes)
    with pytest.warns(catalog.ChecksumWarning):
        catalog.read_frame("scenarios", "gec_step", root=tmp_path)
    # The untouched resource of the same dataset stays quiet.
    with warnings.catch_warnings():
        warnings.simplefilter("error", catalog.ChecksumWarning)
        catalog.load_dataset("scenarios/paris_ramp", root=tmp_path)


def test_unknown_names_list_the_known_ones():
    with pytest.raises(InputError, match="published_figures") as e:
        catalog.get_dataset("tweets_by_day_typo")
    assert "python -m explorer datasets" in str(e.value)
    with pytest.raises(InputError, match="reference/prop99"):
        catalog.get_dataset("reference/prop98")
    assert catalog.is_dataset_name("reference/prop99")
    assert not catalog.is_dataset_name("gec")
    assert catalog.dataset_path("reference", "sicily") == DATA / "reference" / "sicily.csv"


def test_dataset_info_defaults_and_key():
    p99 = catalog.get_dataset("reference/prop99")
    assert (p99.default_time, p99.default_value) == ("year_start", "PacksPerCapita")
    assert (p99.default_group, p99.default_treated) == ("State", "California")
    assert (
        p99.frequency == "Y" and p99.rows == 39 * 31 and p99.period == ("1970-01-01", "2000-01-01")
    )
    sic = catalog.get_dataset("reference")
    assert sic.key == "reference" and sic.resource == "sicily" and sic.default_offset == "stdpop"
    with pytest.raises(dataclasses.FrozenInstanceError):
        sic.name = "x"


def test_committed_data_is_what_make_data_builds(tmp_path):
    """Rebuilding into a temporary folder gives byte-identical files (deterministic, up to date),
    from the raw inputs committed in data/raw alone."""
    cmd = [sys.executable, str(ROOT / "scripts" / "build_data.py")]
    subprocess.run([*cmd, "--out", str(tmp_path), "--only", *MINE], check=True, capture_output=True)
    for name in MINE:
        built = sorted(p.name for p in (tmp_path / name).iterdir())
        assert built == sorted(p.name for p in (DATA / name).iterdir())
        for f in built:
            assert (tmp_path / name / f).read_bytes() == (DATA / name / f).read_bytes(), (
                f"{name}/{f}"
            )


def test_derived_files_record_their_inputs_and_are_not_copies(raw_data):
    for name in MINE:
        desc = catalog.get_dataset(name).descriptor
        src = desc["derived_from"]
        assert (ROOT / src["script"]).is_file() and src["inputs"]
        assert src["script_sha256"] == sha256(ROOT / src["script"])
        for inp in src["inputs"]:
            assert inp["root"] == "project"
            assert sha256(ROOT / inp["path"]) == inp["sha256"], inp["path"]
            if inp["path"].startswith("data/raw/"):
                assert inp["source"] and inp["licence"], inp["path"]
        raw = {sha256(p) for p in raw_data.rglob("*.csv")}
        assert not raw & {r["sha256"] for r in desc["resources"]}


def test_every_raw_input_is_used_sourced_and_licensed(raw_data):
    """Each committed raw file is the input of some dataset, with its source and licence."""
    used = {
        inp["path"]
        for d in catalog.list_datasets()
        for inp in d.descriptor["derived_from"].get("inputs", [])
    }
    files = {p.relative_to(ROOT).as_posix() for p in raw_data.rglob("*.csv")}
    assert files and files <= used, sorted(files - used)


def run_cli(*args):
    return subprocess.run(
        [sys.executable, "-m", "explorer", "datasets", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_cli_lists_the_catalogue():
    out = run_cli()
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert lines[0].split()[:4] == ["NAME", "TITLE", "ROWS", "PERIOD"]
    sicily = catalog.get_dataset("reference")
    row = next(line for line in lines if line.startswith("reference "))
    assert "59" in row and "monthly" in row and sicily.sha256[:12] in row
    assert any(line.startswith("scenarios/gec_step ") for line in lines)


def test_cli_json_parses_and_matches_the_descriptors(tmp_path):
    out = run_cli("--json", "-")
    assert out.returncode == 0, out.stderr
    got = {d["name"]: d for d in json.loads(out.stdout)["datasets"]}
    assert set(got) == {d.key for d in RESOURCES}
    p99 = got["reference/prop99"]
    assert (
        p99["rows"] == 1209
        and p99["frequency"] == "Y"
        and p99["period"] == ["1970-01-01", "2000-01-01"]
    )
    assert p99["sha256"] == sha256(DATA / "reference" / "prop99.csv")
    target = tmp_path / "cat.json"
    assert run_cli("--json", str(target)).returncode == 0
    assert json.loads(target.read_text())["datasets"] == json.loads(out.stdout)["datasets"]
    bad = run_cli("--json", str(tmp_path / "no" / "such" / "dir.json"))
    assert (
        bad.returncode == 2 and bad.stderr.startswith("error: ") and "Traceback" not in bad.stderr
    )


def _results(ref_id: str) -> dict:
    df = catalog.read_frame("reference", "published_results")
    rows = df[df["ref_id"] == ref_id]
    return {r.term: r for r in rows.itertuples()}


def test_bundled_sicily_reproduces_the_published_model_3():
    """Lopez Bernal et al. (2017) model 3, refitted with statsmodels on the bundled file."""
    import numpy as np
    import statsmodels.api as sm

    df = catalog.read_frame("reference", "sicily")
    X = pd.DataFrame(
        {
            "const": 1.0,
            "smokban": df["smokban"],
            "time": df["time"],
            **{
                f"{f}{k}": fn(2 * np.pi * k * df["month"] / 12)
                for k in (1, 2)
                for f, fn in (("sin", np.sin), ("cos", np.cos))
            },
        }
    )
    fit = sm.GLM(df["aces"], X, family=sm.families.Poisson(), offset=np.log(df["stdpop"])).fit(
        scale="X2"
    )
    want = _results("SIC-model3-level")
    rr = want["level_rr"]
    lo, hi = np.exp(fit.conf_int().loc["smokban"])
    got = {
        "level_rr": np.exp(fit.params["smokban"]),
        "dispersion": fit.scale,
        "trend_rr_per_year": np.exp(12 * fit.params["time"]),
    }
    for term, value in got.items():
        assert round(value, int(want[term].decimals)) == want[term].value, term
    assert (round(lo, 3), round(hi, 3)) == (rr.ci_low, rr.ci_high)


def test_bundled_prop99_reproduces_linden_2015():
    """Linden's single-group ITSA coefficients (OLS; itsa's Newey-West changes only the SEs)."""
    import numpy as np

    df = catalog.read_frame("reference", "prop99")
    for ref_id, rows in (
        ("P99-ITSA-CA", df[df["State"] == "California"]),
        (
            "P99-ITSA-controls",
            df[df["State"] != "California"]
            .groupby("Year", as_index=False)["PacksPerCapita"]
            .mean(),
        ),
    ):
        t = rows["Year"].to_numpy() - 1970
        post = (rows["Year"].to_numpy() >= 1989).astype(float)
        X = np.column_stack([np.ones_like(t), t, post, (rows["Year"].to_numpy() - 1989) * post])
        beta = np.linalg.lstsq(X, rows["PacksPerCapita"].to_numpy(), rcond=None)[0]
        want = _results(ref_id)
        got = {
            "intercept": beta[0],
            "pre_trend": beta[1],
            "level_change": beta[2],
            "slope_change": beta[3],
            "post_trend": beta[1] + beta[3],
        }
        for term, value in got.items():
            assert round(value, int(want[term].decimals)) == pytest.approx(want[term].value), term
    linden = _results("P99-ITSA-CA")
    assert (linden["intercept"].value, linden["level_change"].value) == (132.2258, -20.0581)
    assert linden["post_trend"].value == -3.274126 and linden["slope_change"].value == -1.494652
    assert _results("P99-ITSA-multi")["diff_level_change"].value == -2.806417
