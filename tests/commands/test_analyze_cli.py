"""``python -m explorer analyze``: the JSON contract the app and the acceptance checks rely on,
and one-line errors with exit status 2 for bad input."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from explorer.cli import main

EFFECT_KEYS = {"estimate", "se", "ci_low", "ci_high", "p_value"}
RATIO_KEYS = {"ratio", "ratio_ci_low", "ratio_ci_high"}
TOP_KEYS = {
    "schema_version",
    "spec",
    "provenance",
    "n_obs",
    "frequency",
    "model",
    "family",
    "errors",
    "intercept",
    "pre_trend",
    "interventions",
    "covariates",
    "diagnostics",
    "caveats",
    "summary",
}


@pytest.fixture()
def monthly(tmp_path):
    rng = np.random.default_rng(11)
    dates = pd.date_range("2014-06-01", "2016-07-01", freq="MS")
    t = np.arange(len(dates))
    y = np.exp(np.log(900) - 0.02 * t - 0.1 * (dates >= "2016-01-01") + rng.normal(0, 0.03, len(t)))
    path = tmp_path / "traffic.csv"
    pd.DataFrame(
        {"month": dates.strftime("%Y-%m"), "tweets": y.round(1), "accounts": 100 + t}
    ).to_csv(path, index=False)
    return path


def run(capsys, *argv):
    code = main(["analyze", *map(str, argv)])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_json_contract_with_attribution_and_series(capsys, monthly):
    code, out, err = run(
        capsys,
        monthly,
        "--time",
        "month",
        "--value",
        "tweets",
        "--log",
        "--intervention",
        "gec=2016-01-08",
        "--claim-start",
        "2014-06",
        "--claim-end",
        "2016-06",
        "--claimed-change=-45%",
        "--series",
        "--json",
        "-",
    )
    assert code == 0, err
    j = json.loads(out)
    assert TOP_KEYS <= set(j) and "attribution" in j and "counterfactual" in j
    assert j["schema_version"] == 1 and j["model"] == "segmented" and j["family"] == "gaussian"
    assert j["errors"] == "hac" and j["frequency"] == "M" and j["n_obs"] == 26
    assert set(j["provenance"]) >= {"dataset", "sha256", "explorer", "statsmodels", "pandas"}
    assert len(j["provenance"]["sha256"]) == 64
    iv = j["interventions"][0]
    assert iv["label"] == "gec" and iv["first_treated_period"] == "2016-01-01"
    for key in ("level_change", "slope_change", "post_trend"):
        assert set(iv[key]) == EFFECT_KEYS | RATIO_KEYS
    assert set(j["pre_trend"]) == EFFECT_KEYS | RATIO_KEYS
    a = j["attribution"]
    assert a["window"] == ["2014-06-01", "2016-06-01"] and a["scale"] == "log"
    assert a["claimed_change_pct"] == -45.0 and a["credited"] == "gec"
    assert set(a["observed_change"]) == {"change", "pct"}
    names = [c["name"] for c in a["components"]]
    assert names == ["trend", "gec", "remainder"]
    for c in a["components"]:
        assert {"name", "change", "ci_low", "ci_high", "pct_change", "share_of_observed"} <= set(c)
    assert "19 months before gec" in a["summary"]
    row = j["counterfactual"][0]
    assert {
        "date",
        "observed",
        "fitted",
        "mean",
        "mean_ci_lower",
        "mean_ci_upper",
        "effect",
        "cumulative_effect",
    } <= set(row)
    assert "NaN" not in out


def test_identity_scale_has_no_ratios_and_text_output(capsys, monthly, tmp_path):
    dest = tmp_path / "out.json"
    code, out, err = run(
        capsys,
        monthly,
        "--time",
        "month",
        "--value",
        "tweets",
        "--errors",
        "ar:1",
        "--intervention",
        "gec=2016-01",
        "--json",
        dest,
    )
    assert code == 0, err
    j = json.loads(dest.read_text())
    assert set(j["interventions"][0]["level_change"]) == EFFECT_KEYS
    assert j["errors"] == "ar:1" and "ar.L1" in j["coefficients"]
    assert "After gec (2016-01) the level" in out  # the text report went to stdout


def test_catalogue_dataset_by_name(capsys):
    code, out, err = run(
        capsys,
        "reference",
        "--value",
        "aces",
        "--offset",
        "stdpop",
        "--family",
        "quasipoisson",
        "--seasonality",
        "fourier:2",
        "--no-slope-change",
        "--intervention",
        "ban=2005-01",
        "--json",
        "-",
    )
    assert code == 0, err
    lc = json.loads(out)["interventions"][0]["level_change"]
    assert round(lc["ratio"], 3) == 0.885
    assert json.loads(out)["interventions"][0]["slope_change"] is None


@pytest.mark.parametrize(
    "args,needle",
    [
        (["--value", "nope"], "nope"),
        (["--value", "tweets", "--errors", "ar:x"], "Unknown errors"),
        (["--value", "tweets", "--family", "poisson", "--errors", "ar:1"], "not available"),
        (["--value", "tweets", "--intervention", "x=2019-01"], "after the last observation"),
        (
            ["--value", "tweets", "--intervention", "x=2016-01", "--claim-start", "2015-01"],
            "--claim-end",
        ),
        (
            [
                "--value",
                "tweets",
                "--intervention",
                "x=2016-01",
                "--claim-start",
                "2015-01",
                "--claim-end",
                "2016-06",
                "--credit",
                "gec",
            ],
            "not one of the interventions",
        ),
        (
            ["--value", "tweets", "--intervention", "x=2016-01", "--offset", "accounts"],
            "count families",
        ),
    ],
)
def test_bad_input_is_one_line_and_exit_2(capsys, monthly, args, needle):
    code, out, err = run(capsys, monthly, "--time", "month", *args)
    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and needle in lines[0], err


def test_control_with_covariates_is_refused(capsys, tmp_path):
    d = pd.DataFrame(
        {
            "month": pd.date_range("2015-01-01", periods=30, freq="MS").strftime("%Y-%m"),
            "y": np.linspace(10, 5, 30) + np.tile([0.1, -0.1], 15),
            "ctrl": np.linspace(9, 6, 30),
            "x": np.tile([1.0, 2.0, 0.5], 10),
        }
    )
    path = tmp_path / "w.csv"
    d.to_csv(path, index=False)
    code, _, err = run(
        capsys,
        path,
        "--time",
        "month",
        "--value",
        "y",
        "--control",
        "ctrl",
        "--covariate",
        "x",
        "--intervention",
        "a=2016-01",
    )
    assert code == 2 and "Covariates cannot be combined with a control" in err
    code, out, err = run(
        capsys,
        path,
        "--time",
        "month",
        "--value",
        "y",
        "--control",
        "ctrl",
        "--intervention",
        "a=2016-01",
        "--json",
        "-",
    )
    assert code == 0, err
    j = json.loads(out)
    assert j["comparative"]["control"] == "ctrl" and "groups" in j["interventions"][0]
