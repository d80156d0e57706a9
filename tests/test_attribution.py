"""Attribution of a claimed change: the parts add up, their intervals are the delta method's,
and the window's relation to the credited intervention is said in words."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from explorer.attribution import attribute
from explorer.errors import SpecError
from explorer.io.series import from_frame
from explorer.models.fit import fit_its
from explorer.spec import ClaimSpec, Intervention, ItsSpec

DATES = pd.date_range("2014-06-01", "2016-07-01", freq="MS")  # the AP's window and a month


def series(seed=3, *, level=-0.10, slope=0.0, trend=-0.02, noise=0.03):
    rng = np.random.default_rng(seed)
    t = np.arange(len(DATES), dtype=float)
    after = (DATES >= "2016-01-01").astype(float)
    t0 = int(np.argmax(after))
    log_y = np.log(1000) + trend * t + level * after + slope * (t - t0) * after
    y = np.exp(log_y + rng.normal(0, noise, len(t)))
    return from_frame(pd.DataFrame({"date": DATES, "y": y}), freq="M")


def spec(*ivs, **kw):
    kw.setdefault("errors", "ols")
    return ItsSpec(time="date", value="y", interventions=tuple(ivs), **kw)


GEC = Intervention("gec", "2016-01-08")


def test_parts_add_up_to_the_observed_change_on_the_log_scale():
    s = series()
    r = fit_its(s, spec(GEC, log=True))
    a = attribute(r, ClaimSpec("2014-06", "2016-06", -45.0))
    y = pd.Series(s.y, index=s.dates)
    observed = math.log(y["2016-06-01"]) - math.log(y["2014-06-01"])
    assert a.basis == "observed" and a.scale == "log"
    assert a.observed_change["change"] == pytest.approx(observed, abs=1e-12)
    assert a.observed_change["pct"] == pytest.approx(100 * (math.exp(observed) - 1), abs=1e-9)
    assert sum(c.change for c in a.components) == pytest.approx(observed, abs=1e-12)
    assert [c.name for c in a.components] == ["trend", "gec", "remainder"]
    assert sum(c.share_of_observed for c in a.components) == pytest.approx(1.0, abs=1e-12)
    # trend: 24 months of the pre-trend; gec: level + 5 months of slope change at 2016-06.
    b = r.params
    assert a.component("trend").change == pytest.approx(24 * b["trend"], abs=1e-12)
    assert a.component("gec").change == pytest.approx(
        b["gec:level"] + 5 * b["gec:slope"], abs=1e-12
    )


def test_intervals_are_the_delta_method_on_the_coefficient_covariance():
    r = fit_its(series(), spec(GEC, log=True))
    a = attribute(r, ClaimSpec("2014-06", "2016-06"))
    e = r.effect({"gec:level": 1.0, "gec:slope": 5.0})
    g = a.component("gec")
    assert (g.ci_low, g.ci_high) == pytest.approx((e.ci_low, e.ci_high), abs=1e-12)
    assert g.pct_ci_low == pytest.approx(100 * (math.exp(e.ci_low) - 1), abs=1e-9)
    t = a.component("trend")
    et = r.effect({"trend": 24.0})
    assert (t.ci_low, t.ci_high) == pytest.approx((et.ci_low, et.ci_high), abs=1e-12)
    # The remainder's uncertainty is that of everything modelled (the observed change is fixed).
    rem = a.component("remainder")
    both = r.effect({"trend": 24.0, "gec:level": 1.0, "gec:slope": 5.0})
    assert rem.ci_high - rem.ci_low == pytest.approx(both.ci_high - both.ci_low, rel=1e-10)


def test_credit_defaults_to_the_last_intervention_in_the_window_and_window_start_is_flagged():
    ivs = (Intervention("early", "2015-03", kind="level"), GEC)
    r = fit_its(series(), spec(*ivs, log=True))
    a = attribute(r, ClaimSpec("2014-06", "2016-06", -45.0))
    assert a.credited == "gec"
    assert any("19 months before gec" in n for n in a.notes)
    assert "19 months before gec" in a.summary and "the claim says -45%" in a.summary
    assert a.credited_share == pytest.approx(a.component("gec").share_of_observed)
    a2 = attribute(r, ClaimSpec("2014-06", "2015-09", None, "early"))
    assert a2.credited == "early" and a2.claimed_change_pct is None
    # gec starts after this window: it contributes exactly nothing.
    assert a2.component("gec").change == 0.0
    with pytest.raises(SpecError, match="not one of the interventions"):
        attribute(r, ClaimSpec("2014-06", "2016-06", None, "twitter"))


def test_the_decline_already_under_way_gets_most_of_the_credit():
    """A steady decline with no real effect at the GEC: the trend carries the change."""
    r = fit_its(series(level=0.0, trend=-0.025, noise=0.02), spec(GEC, log=True))
    a = attribute(r, ClaimSpec("2014-06", "2016-06", -45.0))
    assert a.component("trend").share_of_observed > 0.8
    g = a.component("gec")
    assert g.ci_low < 0 < g.ci_high


def test_identity_scale_percentages_use_the_starting_value():
    s = series()
    r = fit_its(s, spec(GEC))
    a = attribute(r, ClaimSpec("2014-06", "2016-06"))
    y0 = float(pd.Series(s.y, index=s.dates)["2014-06-01"])
    assert a.scale == "identity"
    tr = a.component("trend")
    assert tr.change == pytest.approx(24 * r.params["trend"], abs=1e-9)
    assert tr.pct_change == pytest.approx(100 * tr.change / y0, rel=1e-12)


def test_window_outside_the_data_uses_the_fitted_change_and_says_so():
    r = fit_its(series(), spec(GEC, log=True))
    a = attribute(r, ClaimSpec("2014-01", "2016-06"))
    assert a.basis == "fitted"
    assert a.component("trend").change == pytest.approx(29 * r.params["trend"], abs=1e-12)
    assert any("no observation at 2014-01-01" in n for n in a.notes)
    assert a.component("remainder").change == pytest.approx(0.0, abs=1e-12)


def test_count_model_offset_is_its_own_component():
    rng = np.random.default_rng(1)
    t = np.arange(len(DATES))
    pop = 1e5 * (1 + 0.01 * t)
    mu = pop * 1e-3 * np.exp(-0.01 * t - 0.1 * (DATES >= "2016-01-01"))
    d = pd.DataFrame({"date": DATES, "y": rng.poisson(mu).astype(float), "pop": pop})
    s = from_frame(d, freq="M", extra=("pop",))
    r = fit_its(s, spec(GEC, family="poisson", offset="pop", errors=None))
    a = attribute(r, ClaimSpec("2014-06", "2016-06"))
    off = a.component("offset")
    assert off.change == pytest.approx(math.log(pop[24] / pop[0]), abs=1e-12)
    assert sum(c.change for c in a.components) == pytest.approx(
        a.observed_change["change"], abs=1e-12
    )
    assert a.to_dict()["components"][-1]["name"] == "remainder"


def test_state_space_models_are_refused():
    r = fit_its(series(), spec(GEC, model="structural", errors=None))
    with pytest.raises(SpecError, match="segmented"):
        attribute(r, ClaimSpec("2014-06", "2016-06"))
