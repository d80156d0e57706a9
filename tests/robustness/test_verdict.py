"""The verdict's answers follow the numbers; residual diagnostics are statsmodels' own."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from explorer.io.series import from_frame
from explorer.robustness.breaks import find_breaks
from explorer.robustness.curve import specification_curve
from explorer.robustness.placebo import placebo_in_time
from explorer.robustness.power import power_analysis
from explorer.robustness.residuals import diagnose, residual_diagnostics
from explorer.robustness.sweep import sweep_dates
from explorer.robustness.verdict import build_verdict
from explorer.schema import clean
from explorer.spec import Intervention, ItsSpec


def _series(level, *, t0=72, n=96, seed=3):
    rng = np.random.default_rng(seed)
    t = np.arange(n)
    y = 100 + 0.1 * t + level * (t >= t0) + rng.normal(scale=2, size=n)
    return from_frame(
        pd.DataFrame({"date": pd.date_range("2010-01-01", periods=n, freq="MS"), "y": y}), freq="M"
    )


SPEC = ItsSpec(time="date", value="y", interventions=(Intervention("x", "2016-01"),))
SMALL = {"start": [0.0], "end": [0.0]}


def _verdict(s, spec=SPEC, claimed="2016-01"):
    return build_verdict(
        label="x",
        claimed_date=claimed,
        freq="M",
        sweep=sweep_dates(s, spec),
        breaks=find_breaks(s),
        placebo=placebo_in_time(s, spec),
        specs=specification_curve(s, spec, choices=SMALL),
        power=power_analysis(s, spec, effect=-8.0, n_draws=300),
    )


def test_verdict_supports_a_real_effect_at_the_claimed_date():
    v = _verdict(_series(-8.0))
    assert [a.key for a in v.answers] == ["sweep", "breaks", "placebo", "specs", "power"]
    assert all(a.ok for a in v.answers), v.sentences
    assert "inside that interval" in v["breaks"].sentence
    # A claimed day inside the break's period (the GEC's 2016-01-08 in monthly data) is inside.
    from explorer.robustness.verdict import breaks_answer

    day = breaks_answer(find_breaks(_series(-8.0)), "2016-01-08", "M")
    assert day.ok is True and "at the claimed date" in day.sentence
    assert v["placebo"].figures and dict(v["placebo"].figures)["n_placebos"] > 40
    json.dumps(clean(v.to_dict()), allow_nan=False)  # the CLI/app export path


def test_verdict_flags_a_break_that_came_before_the_claimed_date():
    # The real step is at 2015-01 (t = 60); the claim credits 2016-01.
    v = _verdict(_series(-8.0, t0=60))
    assert v["breaks"].ok is False
    assert "12 months before the claimed date" in v["breaks"].sentence
    assert dict(v["sweep"].figures)["distance_periods"] == -12


def test_verdict_on_noise_does_not_support_the_claim():
    v = _verdict(_series(0.0, seed=8))
    assert v["sweep"].ok is False
    assert v["specs"].ok is False
    assert v["power"].ok is True  # an 8-unit step would have been seen: absence means something


def test_verdict_without_results_answers_none():
    v = build_verdict(label="x")
    assert all(a.ok is None for a in v.answers)
    assert v["power"].sentence == "Not computed for this claim."


def test_placebo_answer_says_when_too_few_placebos_for_significance():
    from explorer.robustness.placebo import PlaceboResult
    from explorer.robustness.verdict import placebo_answer

    pl = PlaceboResult(
        "time",
        "x",
        -5.0,
        1.0,
        pd.DataFrame(
            {
                "date": pd.date_range("2000-01-01", periods=9, freq="MS"),
                "estimate": np.zeros(9),
                "se": np.ones(9),
            }
        ),
        0.1,
        "t",
        True,
        "vectorised",
    )
    a = placebo_answer(pl)
    assert a.ok is None and "no p below 0.100" in a.sentence


def test_residual_diagnostics_are_statsmodels_numbers():
    import statsmodels.api as sm
    from statsmodels.stats.diagnostic import acorr_breusch_godfrey, acorr_ljungbox
    from statsmodels.stats.stattools import jarque_bera
    from statsmodels.tsa.stattools import acf

    rng = np.random.default_rng(0)
    X = sm.add_constant(np.arange(80.0))
    e = np.zeros(80)
    for i in range(1, 80):
        e[i] = 0.6 * e[i - 1] + rng.normal()
    y = X @ [1.0, 0.1] + e
    r = sm.OLS(y, X).fit()
    d = residual_diagnostics(r.resid, raw=r, nlags=8)
    np.testing.assert_allclose(d.acf["acf"], acf(r.resid, nlags=8, fft=False), rtol=1e-12)
    lb = acorr_ljungbox(r.resid, lags=[8], return_df=True)
    assert d.ljung_box["statistic"] == pytest.approx(float(lb["lb_stat"].iloc[0]), rel=1e-12)
    assert d.breusch_godfrey["statistic"] == pytest.approx(
        acorr_breusch_godfrey(r, nlags=8, result_object=False)[0], rel=1e-12
    )
    assert d.jarque_bera["statistic"] == pytest.approx(jarque_bera(r.resid)[0], rel=1e-12)
    assert d.band == pytest.approx(1.96 / np.sqrt(80))
    assert d.ljung_box["p_value"] < 0.05
    assert any("autocorrelated" in x for x in d.sentences())
    y[30] += 15  # one influential outlier
    r = sm.OLS(y, X).fit()
    d = residual_diagnostics(r.resid, raw=r, nlags=8)
    np.testing.assert_allclose(d.influence["cooks_d"], r.get_influence().cooks_distance[0])
    assert 30 in d.influential


def test_diagnose_uses_fit_its_residuals():
    from explorer.models.fit import fit_its

    s = _series(-8.0)
    spec = ItsSpec(
        time="date", value="y", errors="ols", interventions=(Intervention("x", "2016-01"),)
    )
    d = diagnose(s, spec)
    res = fit_its(s, spec)
    np.testing.assert_allclose(d.influence["resid"], res.fit.resid, rtol=1e-12)
    assert d.influence["date"].iloc[0] == pd.Timestamp("2010-01-01")
    assert d.breusch_godfrey is not None and np.isfinite(d.influence["cooks_d"]).all()


@pytest.mark.parametrize(
    "kw", [{"errors": "ar"}, {"family": "poisson"}, {"model": "sarimax"}, {"errors": "hac"}]
)
def test_diagnose_and_the_fit_share_one_definition_of_the_residuals(kw):
    """AR and state-space innovations, Pearson residuals for counts: the ACF ``diagnose`` gives
    the app's chart and the fit's own Ljung-Box figure come from the same residuals."""
    from statsmodels.tsa.stattools import acf

    from explorer.models.fit import fit_its
    from explorer.models.report import residuals

    s = _series(-8.0)
    if kw.get("family") == "poisson":  # whole numbers
        s = from_frame(pd.DataFrame({"date": s.dates, "y": np.round(s.y)}), freq="M")
    spec = ItsSpec(time="date", value="y", interventions=(Intervention("x", "2016-01"),), **kw)
    res = fit_its(s, spec)
    d = diagnose(s, spec, result=res)
    assert d.ljung_box == res.diagnostics["ljung_box"]
    r = residuals(res)
    if "innovations" in res.fit.extra:
        np.testing.assert_allclose(r, res.fit.extra["innovations"])
    np.testing.assert_allclose(d.acf["acf"], acf(r, nlags=d.ljung_box["lags"], fft=False))
    np.testing.assert_allclose(diagnose(s, spec).acf["acf"], d.acf["acf"])  # refitted: the same
