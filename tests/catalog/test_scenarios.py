"""The "same 45%, different causes" scenarios: exact 45% falls, seeds, bundled CSVs, truth."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest

from explorer import catalog
from explorer.catalog import scenarios
from explorer.errors import InputError
from explorer.models.design import build_design
from explorer.spec import Intervention, ItsSpec

NAMES = list(scenarios.SCENARIOS)


def test_six_scenarios_in_order_with_descriptions():
    assert NAMES == [
        "trend_only",
        "gec_step",
        "suspension_steps",
        "paris_ramp",
        "levelling_off",
        "noisy_seasonal",
    ]
    assert all(len(d) > 20 for d in scenarios.SCENARIOS.values())
    with pytest.raises(InputError, match="gec_step"):
        scenarios.generate("gec", seed=1)


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("seed", [0, 1, 7, 12345])
def test_every_series_falls_exactly_45_percent(name, seed):
    df = scenarios.generate(name, seed=seed)
    assert list(df.columns) == ["date", "value"]
    assert df["date"].tolist() == list(pd.date_range("2014-06-01", "2016-07-01", freq="MS"))
    assert df["value"].iloc[0] == pytest.approx(100.0, abs=1e-9)
    assert df["value"].iloc[-1] / df["value"].iloc[0] - 1 == pytest.approx(-0.45, abs=1e-9)
    assert (df["value"] > 0).all()


@pytest.mark.parametrize("name", NAMES)
def test_reproducible_from_the_seed(name):
    a, b = scenarios.generate(name, seed=3), scenarios.generate(name, seed=3)
    pd.testing.assert_frame_equal(a, b)
    c = scenarios.generate(name, seed=4)
    assert not np.array_equal(a["value"].to_numpy(), c["value"].to_numpy())


@pytest.mark.parametrize("name", NAMES)
def test_bundled_csv_is_the_generator_output_and_descriptor_holds_the_truth(name):
    info = catalog.get_dataset(f"scenarios/{name}")
    res = info.resource_descriptor
    bundled = pd.read_csv(info.path)
    fresh = scenarios.generate(name, seed=res["seed"])
    assert res["seed"] == scenarios.DEFAULT_SEEDS[name]
    assert bundled["date"].tolist() == fresh["date"].dt.strftime("%Y-%m-%d").tolist()
    assert np.array_equal(bundled["value"].to_numpy(), fresh["value"].to_numpy())
    assert res["truth"] == json.loads(json.dumps(scenarios.truth(name)))
    assert "SIMULATED" in res["title"] and "SIMULATED" in info.descriptor["title"]
    assert "SIMULATED" in info.descriptor["description"]
    assert all("SIMULATED" in f["description"] for f in res["schema"]["fields"])


def test_truth_decomposition_adds_up_and_names_the_cause():
    for name in NAMES:
        t = scenarios.truth(name)
        parts = t["log_change"]
        total = parts["interventions"] + parts["seasonality"] + parts["trend_or_shape"]
        assert total == pytest.approx(math.log(0.55), abs=1e-8)
        assert t["total_change_pct"] == -45.0
    assert scenarios.truth("trend_only")["interventions"] == []
    assert [iv["key"] for iv in scenarios.truth("gec_step")["interventions"]] == ["gec"]
    assert scenarios.truth("gec_step")["interventions"][0]["date"] == "2016-01"
    assert {iv["key"] for iv in scenarios.truth("suspension_steps")["interventions"]} == {
        "twitter_campaign",
        "twitter_125k",
        "june_wave",
    }
    paris = scenarios.truth("paris_ramp")["interventions"][0]
    assert (paris["key"], paris["kind"], paris["ramp"]) == ("paris", "ramp", 4)
    assert scenarios.truth("levelling_off")["trend_log_per_month"] is None


def _ols(name: str, seed: int) -> dict:
    """Fit log(value) on the true design (the explorer's own coding); return the coefficients."""
    t = scenarios.truth(name)
    df = scenarios.generate(name, seed=seed)
    ivs = tuple(
        Intervention(iv["key"], iv["date"], kind=iv["kind"], ramp=iv["ramp"])
        for iv in t["interventions"]
    )
    spec = ItsSpec(time="date", value="value", interventions=ivs)
    X = build_design(pd.DatetimeIndex(df["date"]), "M", spec).X
    beta, *_ = np.linalg.lstsq(X.to_numpy(), np.log(df["value"].to_numpy()), rcond=None)
    return dict(zip(X.columns, beta, strict=True))


@pytest.mark.parametrize("name", ["trend_only", "gec_step", "suspension_steps", "paris_ramp"])
def test_the_recorded_truth_is_recoverable_by_the_true_model(name):
    """Averaged over seeds, OLS on the true design recovers the recorded effects and trend."""
    t = scenarios.truth(name)
    fits = [_ols(name, seed) for seed in range(40)]
    for iv in t["interventions"]:
        est = np.mean([f[f"{iv['key']}:level"] for f in fits])
        assert est == pytest.approx(iv["effect_log"], abs=0.03), iv["key"]
    assert np.mean([f["trend"] for f in fits]) == pytest.approx(t["trend_log_per_month"], abs=0.003)


def test_noisy_seasonal_has_autocorrelated_noise_around_its_truth():
    t = scenarios.truth("noisy_seasonal")
    months = pd.date_range("2014-06-01", "2016-07-01", freq="MS").month.to_numpy()
    season = t["seasonal_amplitude_log"] * np.sin(2 * np.pi * months / 12)
    path = t["trend_log_per_month"] * np.arange(26) + season - season[0]
    r1 = []
    for seed in range(200):
        v = scenarios.generate("noisy_seasonal", seed=seed)["value"].to_numpy()
        e = np.log(v / 100) - path
        assert abs(e[0]) < 1e-6 and abs(e[-1]) < 1e-6  # ends pinned
        r1.append(np.corrcoef(e[:-1], e[1:])[0, 1])
    assert np.mean(r1) > 0.3
    # The trend-only scenario's noise is independent: far weaker autocorrelation.
    r0 = []
    base = scenarios.truth("trend_only")["trend_log_per_month"] * np.arange(26)
    for seed in range(200):
        e = np.log(scenarios.generate("trend_only", seed=seed)["value"].to_numpy() / 100) - base
        r0.append(np.corrcoef(e[:-1], e[1:])[0, 1])
    assert np.mean(r0) < np.mean(r1) - 0.3


def test_levelling_off_decelerates():
    v = np.log(scenarios.generate("levelling_off", seed=0)["value"].to_numpy())
    first_year, last_year = v[12] - v[0], v[25] - v[13]
    assert first_year < 3 * last_year < 0  # most of the fall comes early
