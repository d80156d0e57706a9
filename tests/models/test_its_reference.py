"""The ITS core against published numbers, to the decimals they were printed with.

- Lopez Bernal, Cummins & Gasparrini (2017), Sicily smoking ban: Poisson and quasi-Poisson
  models with offset log(stdpop) (their models 1-4; model 4 in their own slope coding).
- Linden (2015), Stata ``itsa`` on California's Proposition 99: single-group (California; the
  mean of the 38 other states) and multiple-group, Newey-West lag 1.

The published values live in ``data/reference/published_results.csv`` (with the decimals
printed); the data are the bundled copies in ``data/reference/``.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from explorer.catalog.datasets import load_dataset
from explorer.io.series import series_from_spec
from explorer.models.fit import fit_its
from explorer.spec import Intervention, ItsSpec

PUB = None


def published(ref_id: str, term: str) -> pd.Series:
    global PUB
    if PUB is None:
        from tests.conftest import DATA

        PUB = pd.read_csv(DATA / "reference" / "published_results.csv")
    row = PUB[(PUB.ref_id == ref_id) & (PUB.term == term)]
    assert len(row) == 1, (ref_id, term)
    return row.iloc[0]


def same(got: float, ref: pd.Series, field: str = "value") -> None:
    """Equal when rounded to the number of decimals the source printed."""
    d = int(ref["decimals"])
    assert round(got, d) == pytest.approx(float(ref[field]), abs=0.51 * 10**-d), (got, ref[field])


@pytest.fixture(scope="module")
def sicily():
    return load_dataset("reference")


@pytest.fixture(scope="module")
def prop99():
    return load_dataset("reference/prop99")


def sicily_fit(table, *, family, seasonality="none", k=0):
    spec = ItsSpec(
        time=table.time_column,
        value="aces",
        interventions=(Intervention("ban", "2005-01", kind="level"),),
        family=family,
        offset="stdpop",
        seasonality=seasonality,
        fourier_k=k,
    )
    return fit_its(series_from_spec(table, spec), spec)


def test_sicily_model3_quasipoisson_with_harmonics(sicily):
    r = sicily_fit(sicily, family="quasipoisson", seasonality="fourier", k=2)
    lc = r.interventions[0].level_change
    ref = published("SIC-model3-level", "level_rr")
    same(lc.ratio, ref)
    same(lc.ratio_ci_low, ref, "ci_low")
    same(lc.ratio_ci_high, ref, "ci_high")
    same(r.diagnostics["dispersion"], published("SIC-model3-level", "dispersion"))
    same(math.exp(12 * r.pre_trend.estimate), published("SIC-model3-level", "trend_rr_per_year"))
    assert r.errors_used == "model"


def test_sicily_model1_poisson_and_model2_quasipoisson(sicily):
    r1 = sicily_fit(sicily, family="poisson")
    ref = published("SIC-model1-level", "level_rr")
    lc = r1.interventions[0].level_change
    (
        same(lc.ratio, ref),
        same(lc.ratio_ci_low, ref, "ci_low"),
        same(lc.ratio_ci_high, ref, "ci_high"),
    )
    # Poisson on these overdispersed counts: the caveat says so.
    assert any("overdispersed" in c for c in r1.caveats)
    r2 = sicily_fit(sicily, family="quasipoisson")
    ref = published("SIC-model2-level", "level_rr")
    lc = r2.interventions[0].level_change
    (
        same(lc.ratio, ref),
        same(lc.ratio_ci_low, ref, "ci_low"),
        same(lc.ratio_ci_high, ref, "ci_high"),
    )
    same(r2.diagnostics["dispersion"], published("SIC-model2-level", "dispersion"))


def test_sicily_model4_in_their_coding_and_ours(sicily):
    """Their slope term I(time-36):smokban is 1 in the first treated month; ours (itsa's) is 0.

    Fitting their design by hand reproduces their numbers; ours has the same slope, and its
    level change equals theirs plus one month of slope change (the two codings' only difference).
    """
    import statsmodels.api as sm

    f = sicily.frame.sort_values(sicily.time_column)
    m = f["month"].to_numpy(float)
    X = pd.DataFrame(
        {
            "const": 1.0,
            "smokban": f["smokban"].to_numpy(float),
            "time": f["time"].to_numpy(float),
            "sin1": np.sin(2 * np.pi * m / 12),
            "cos1": np.cos(2 * np.pi * m / 12),
            "sin2": np.sin(4 * np.pi * m / 12),
            "cos2": np.cos(4 * np.pi * m / 12),
            "slope": (f["time"].to_numpy(float) - 36) * f["smokban"].to_numpy(float),
        }
    )
    theirs = sm.GLM(
        f["aces"].to_numpy(float),
        X,
        family=sm.families.Poisson(),
        exposure=f["stdpop"].to_numpy(float),
    ).fit(scale="X2")
    ci = np.exp(theirs.conf_int())
    ref_l, ref_s = (
        published("SIC-model4", "level_rr"),
        published("SIC-model4", "slope_rr_per_month"),
    )
    same(math.exp(theirs.params["smokban"]), ref_l)
    same(ci.loc["smokban", 0], ref_l, "ci_low"), same(ci.loc["smokban", 1], ref_l, "ci_high")
    same(math.exp(theirs.params["slope"]), ref_s)
    same(ci.loc["slope", 0], ref_s, "ci_low"), same(ci.loc["slope", 1], ref_s, "ci_high")
    assert round(theirs.pvalues["slope"], 3) == pytest.approx(float(ref_s["p_value"]), abs=1e-9)

    spec = ItsSpec(
        time=sicily.time_column,
        value="aces",
        interventions=(Intervention("ban", "2005-01"),),
        family="quasipoisson",
        offset="stdpop",
        seasonality="fourier",
        fourier_k=2,
    )
    ours = fit_its(series_from_spec(sicily, spec), spec)
    iv = ours.interventions[0]
    assert iv.slope_change.estimate == pytest.approx(theirs.params["slope"], abs=1e-10)
    assert iv.level_change.estimate == pytest.approx(
        theirs.params["smokban"] + theirs.params["slope"], abs=1e-10
    )


def prop99_spec(table, **kw):
    return ItsSpec(
        time=table.time_column,
        value="PacksPerCapita",
        interventions=(Intervention("prop99", "1989"),),
        errors="hac",
        hac_lags=1,
        **kw,
    )


def test_prop99_california_itsa(prop99):
    spec = prop99_spec(prop99, group="State", treated="California")
    from dataclasses import replace

    # The single-group fit: the long file restricted to California.
    single = replace(spec, group=None, treated=None)
    frame = prop99.frame[prop99.frame["State"] == "California"]
    from explorer.io.series import from_frame

    s = from_frame(frame, date=prop99.time_column, value="PacksPerCapita", freq="Y")
    r = fit_its(s, single)
    iv = r.interventions[0]
    same(r.intercept.estimate, published("P99-ITSA-CA", "intercept"))
    same(r.pre_trend.estimate, published("P99-ITSA-CA", "pre_trend"))
    same(iv.level_change.estimate, published("P99-ITSA-CA", "level_change"))
    same(iv.slope_change.estimate, published("P99-ITSA-CA", "slope_change"))
    same(iv.post_trend.estimate, published("P99-ITSA-CA", "post_trend"))
    cf = r.counterfactual.loc["1989-01-01"]
    same(cf["mean"], published("P99-ITSA-CA", "counterfactual_1989"))
    same(100 * (cf["fitted"] / cf["mean"] - 1), published("P99-ITSA-CA", "pct_change_1989"))
    # The help file prints the 1989 prediction as 78.842, but its own coefficients give
    # 132.2258 - 19 * 1.779474 - 20.0581 = 78.358, which is also what its -20.38% implies
    # (78.358 / 98.416 - 1): we test against the coefficients and the percentage.
    assert cf["fitted"] == pytest.approx(132.2258 - 19 * 1.779474 - 20.0581, abs=1e-3)


def test_prop99_newey_west_is_statas_convention(prop99):
    """statsmodels' HAC without correction reproduces the reference SEs; we scale by n/(n-k) as
    Stata's newey does (so SEs are sqrt(31/27) larger) and use t(n-k) intervals."""
    from explorer.io.series import from_frame

    frame = prop99.frame[prop99.frame["State"] == "California"]
    s = from_frame(frame, date=prop99.time_column, value="PacksPerCapita", freq="Y")
    r = fit_its(s, prop99_spec(prop99))
    factor = math.sqrt(31 / 27)
    same(r.bse["trend"] / factor, published("P99-ITSA-CA", "pre_trend.se"))
    same(r.bse["prop99:level"] / factor, published("P99-ITSA-CA", "level_change.se"))
    same(r.bse["prop99:slope"] / factor, published("P99-ITSA-CA", "slope_change.se"))
    assert r.df_resid == 27


def test_prop99_multiple_group_itsa(prop99):
    spec = prop99_spec(prop99, group="State", treated="California")
    r = fit_its(series_from_spec(prop99, spec), spec)
    iv = r.interventions[0]
    ref = published("P99-ITSA-multi", "diff_level_change")
    same(iv.level_change.estimate, ref)
    # Stata's panel newey (within-state lags, n/(n-k)) gives the published P = 0.631.
    assert round(iv.level_change.p_value, 3) == pytest.approx(float(ref["p_value"]), abs=1e-9)
    ref = published("P99-ITSA-multi", "diff_slope_change")
    same(iv.slope_change.estimate, ref)
    # Published P = 0.136; we get 0.1368 (the only figure we match to 0.001, not to the digit).
    assert iv.slope_change.p_value == pytest.approx(float(ref["p_value"]), abs=0.0015)
    ctrl = iv.groups["control"]
    same(ctrl["level_change"].estimate, published("P99-ITSA-controls", "level_change"))
    same(ctrl["post_trend"].estimate, published("P99-ITSA-controls", "post_trend"))
    same(
        r.diagnostics["control_intercept"]["estimate"], published("P99-ITSA-controls", "intercept")
    )
    same(
        r.diagnostics["control_pre_trend"]["estimate"], published("P99-ITSA-controls", "pre_trend")
    )
    treated = iv.groups["treated"]
    same(treated["level_change"].estimate, published("P99-ITSA-CA", "level_change"))
    same(r.pre_trend.estimate, published("P99-ITSA-CA", "pre_trend"))
    assert r.to_dict()["comparative"]["pooled_units"] == 38
