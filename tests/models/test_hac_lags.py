"""The Newey-West lag a fit used is recorded once, on the fit, and every reader shows that number:
the diagnostics (and so the CLI JSON), the methods paragraph and the reproduction bundle. The
default-lag rule itself is written once in ``explorer/``."""

from __future__ import annotations

import io
import re
import zipfile

import numpy as np
import pandas as pd
import pytest

from explorer.export.bundle import repro_bundle
from explorer.export.prose import methods_paragraph
from explorer.io.series import from_frame
from explorer.models.fit import fit_its
from explorer.models.segmented import default_hac_lags
from explorer.spec import Intervention, ItsSpec
from tests.conftest import ROOT

PKG = ROOT / "explorer"


@pytest.fixture(scope="module")
def sicily(raw_data):
    d = pd.read_csv(raw_data / "reference" / "sicily.csv")
    d["date"] = pd.to_datetime(dict(year=d.year, month=d.month, day=1))
    return from_frame(d, date="date", value="aces", freq="M", extra=("stdpop",))


def _spec(**kw) -> ItsSpec:
    return ItsSpec(time="date", value="aces", interventions=(Intervention("ban", "2005-01"),), **kw)


def _shown(result) -> dict:
    """The lag as each reader shows it."""
    prose = re.search(r"with (\d+) lag\(s\)", methods_paragraph(result))
    script = zipfile.ZipFile(io.BytesIO(repro_bundle(result))).read("reproduce.py").decode()
    maxlags = re.search(r'"maxlags": (\d+)', script)
    return {
        "fit": result.hac_lags,
        "diagnostics": result.diagnostics.get("hac_lags"),
        "json": result.to_dict()["diagnostics"].get("hac_lags"),
        "prose": int(prose.group(1)) if prose else None,
        "bundle": int(maxlags.group(1)) if maxlags else None,
    }


@pytest.mark.parametrize("lags", [3, 5])  # 3 is also Sicily's default (n = 59); 5 is not
def test_an_explicit_lag_is_the_one_every_reader_shows(sicily, lags):
    r = fit_its(sicily, _spec(errors="hac", hac_lags=lags))
    assert r.fit.hac_lags == lags
    assert set(_shown(r).values()) == {lags}


def test_the_default_lag_is_the_same_everywhere(sicily):
    r = fit_its(sicily, _spec(errors="hac"))
    expected = default_hac_lags(r.n_obs)
    assert set(_shown(r).values()) == {expected}


def test_count_models_with_hac_record_their_lag(sicily):
    r = fit_its(sicily, _spec(family="poisson", offset="stdpop", errors="hac", hac_lags=3))
    assert set(_shown(r).values()) == {3}


def test_no_hac_no_lag(sicily):
    for kw in ({"errors": "ols"}, {"errors": "ar"}, {"family": "quasipoisson"}):
        r = fit_its(sicily, _spec(**kw))
        assert r.hac_lags is None
        assert "hac_lags" not in r.diagnostics


def test_comparative_its_records_the_panel_lag():
    n = 48
    rng = np.random.default_rng(3)
    d = pd.DataFrame({"date": pd.date_range("2014-01-01", periods=n, freq="MS")})
    d["aces"] = 10 + 0.1 * np.arange(n) + rng.normal(0, 1, n)
    d["ctrl"] = d["aces"] + rng.normal(0, 1, n)
    spec = ItsSpec(
        time="date",
        value="aces",
        interventions=(Intervention("ban", "2016-01"),),
        control="ctrl",
        errors="hac",
    )
    r = fit_its(from_frame(d, date="date", value="aces", freq="M", extra=("ctrl",)), spec)
    assert r.hac_lags == default_hac_lags(n)  # the treated rows, as Stata's panel newey
    assert r.diagnostics["hac_lags"] == r.hac_lags


def test_the_default_lag_rule_is_written_once():
    rule = re.compile(r"\*\*\s*\(\s*2(\.0)?\s*/\s*9(\.0)?\s*\)")
    hits = [
        str(p.relative_to(PKG.parent))
        for p in sorted(PKG.rglob("*.py"))
        for line in p.read_text(encoding="utf-8").splitlines()
        if rule.search(line)
    ]
    assert hits == ["explorer/models/segmented.py"], hits
    from explorer.models import segmented
    from explorer.robustness import fastols

    assert fastols.default_hac_lags is segmented.default_hac_lags
