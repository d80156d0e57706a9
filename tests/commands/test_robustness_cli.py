"""The robustness subcommands' JSON contracts (issue 5) and their error contract."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest

from explorer.cli import main

ISO = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _subprocess(root, *args):
    """The real entry point, as a user runs it (once: each start-up imports statsmodels)."""
    p = subprocess.run(
        [sys.executable, "-m", "explorer", *map(str, args), "--json", "-"],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert p.returncode == 0, p.stderr
    return json.loads(p.stdout)


@pytest.fixture
def _run(capsys):
    """``python -m explorer`` in-process: same parser, same code, no interpreter start-up."""

    def run(root, *args):
        assert main([*map(str, args), "--json", "-"]) == 0
        return json.loads(capsys.readouterr().out)

    return run


@pytest.fixture(scope="module")
def sicily(data_dir):
    return [
        data_dir / "reference" / "sicily.csv",
        "--time",
        "month_start",
        "--value",
        "aces",
        "--intervention",
        "ban=2005-01",
    ]


def _envelope(out, command):
    assert out["schema_version"] == 1 and out["command"] == command
    assert out["provenance"]["sha256"] and "spec" in out


def test_sweep_json(root, sicily):
    out = _subprocess(root, "sweep", *sicily, "--window", "6")
    _envelope(out, "sweep")
    assert len(out["rows"]) == 13
    for row in out["rows"]:
        assert ISO.match(row["date"])
        for k in ("level_change", "slope_change", "ssr", "f_stat"):
            assert isinstance(row[k], float)
    assert out["best_date"] in [r["date"] for r in out["rows"]]
    assert out["given_date"] == "2005-01-01" and isinstance(out["distance_periods"], int)


def test_breaks_json_nile(_run, root):
    out = _run(
        root,
        "breaks",
        root / "tests" / "data" / "nile.csv",
        "--time",
        "year",
        "--value",
        "flow",
        "--no-trend",
        "--max-breaks",
        "3",
        "--trim",
        "0.15",
    )
    _envelope(out, "breaks")
    sf = out["supf"]
    assert set(sf) >= {"statistic", "p_value", "date", "ci_low", "ci_high"}
    assert sf["statistic"] == pytest.approx(75.9297694274854, rel=1e-10)  # strucchange
    assert sf["date"] == "1899-01-01" and "Hansen" in sf["p_method"]
    assert out["criterion"] == "bic" and out["n_breaks"] == 1
    assert out["breaks"] == [
        {"date": "1899-01-01", "ci_low": "1896-01-01", "ci_high": "1903-01-01"}
    ]
    assert "verdict" not in out  # no claimed date to compare with
    claimed = _run(
        root,
        "breaks",
        root / "tests" / "data" / "nile.csv",
        "--time",
        "year",
        "--value",
        "flow",
        "--no-trend",
        "--intervention",
        "aswan=1902",
    )
    assert claimed["verdict"]["ok"] is True and claimed["verdict"]["distance_periods"] == -3


def test_placebo_json(_run, root, sicily, data_dir):
    out = _run(root, "placebo", *sicily)
    _envelope(out, "placebo")
    assert isinstance(out["effect"], float)
    assert out["n_placebos"] == len(out["placebos"]) > 10
    assert all(ISO.match(p["date"]) and isinstance(p["estimate"], float) for p in out["placebos"])
    assert out["min_attainable_p"] == pytest.approx(1 / (out["n_placebos"] + 1))
    assert out["min_attainable_p"] <= out["p_value"] <= 1
    space = _run(
        root,
        "placebo",
        data_dir / "reference" / "prop99.csv",
        "--time",
        "year_start",
        "--value",
        "PacksPerCapita",
        "--group",
        "State",
        "--treated",
        "California",
        "--intervention",
        "p99=1989",
        "--in-space",
    )
    assert space["n_placebos"] == 38 and {"unit", "estimate"} <= set(space["placebos"][0])
    assert space["effect"] == pytest.approx(-2.806417, abs=5e-6)


def test_specs_and_power_json(_run, root, sicily):
    out = _run(root, "specs", *sicily, "--claimed-sign", "fall")
    _envelope(out, "specs")
    assert out["n_paths"] == len(out["rows"]) > 30
    assert 0 <= out["share_same_sign_significant"] <= 1
    assert {
        "family",
        "errors",
        "seasonality",
        "slope_change",
        "start",
        "end",
        "covariates",
        "estimate",
    } <= set(out["rows"][0])
    pw = _run(root, "power", *sicily, "--log", "--effect", "-0.1", "--draws", "500")
    _envelope(pw, "power")
    assert 0 <= pw["power"] <= 1 and pw["mde"] < 0 and pw["n_draws"] == 500


@pytest.mark.parametrize(
    "args,needle",
    [
        (["sweep", "--window", "0"], "--window"),
        (["placebo", "--in-space"], "long data"),
        (["power", "--model", "structural", "--effect", "-0.1"], "segmented"),
        (["breaks", "--trim", "0.7"], "--trim"),
    ],
)
def test_errors_are_one_line_exit_2(capsys, sicily, args, needle):
    cmd, *rest = args
    argv = [cmd, *map(str, sicily), *rest]
    if cmd == "breaks":
        argv = [cmd, *map(str, sicily[:5]), *rest]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and err.count("\n") == 1 and needle in err
