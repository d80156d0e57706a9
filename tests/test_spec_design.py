"""The spec parser and the design coding (Stata itsa's: slope 0 in the first treated period)."""

import numpy as np
import pandas as pd
import pytest

from explorer.errors import SpecError
from explorer.models.design import build_design
from explorer.periods import period_ordinal, period_start, to_period_start
from explorer.spec import ClaimSpec, Intervention, ItsSpec, parse_claimed_change, parse_intervention

MONTHS = pd.date_range("2014-06-01", "2016-07-01", freq="MS")


def spec(*ivs, **kw):
    return ItsSpec(time="date", value="y", interventions=tuple(ivs), **kw)


def test_gec_is_treated_from_january_2016_with_itsa_slope_coding():
    d = build_design(MONTHS, "M", spec(parse_intervention("gec=2016-01-08")))
    x = d.X
    assert d.terms[0].first_treated == pd.Timestamp("2016-01-01")
    assert x.loc["2015-12-01", "gec:level"] == 0 and x.loc["2016-01-01", "gec:level"] == 1
    assert x.loc["2016-01-01", "gec:slope"] == 0 and x.loc["2016-03-01", "gec:slope"] == 2
    assert x["trend"].iloc[0] == 0 and x["trend"].iloc[-1] == len(MONTHS) - 1


def test_gaps_keep_their_place_in_time():
    dates = MONTHS.delete([3, 4])
    d = build_design(dates, "M", spec())
    assert d.t[3] == 5


@pytest.mark.parametrize(
    "text,kind",
    [
        ("a=2016", "level_slope"),
        ("a=2016-01:level", "level"),
        ("a=2016-01:ramp=3", "ramp"),
        ("a=2016-01:until=2016-04", "temporary"),
    ],
)
def test_intervention_kinds_parse_and_print_back(text, kind):
    iv = parse_intervention(text)
    assert iv.kind == kind and parse_intervention(iv.to_text()) == iv


def test_ramp_and_temporary_columns():
    d = build_design(MONTHS, "M", spec(parse_intervention("r=2016-01:ramp=4")))
    assert list(d.X.loc["2015-12-01":"2016-05-01", "r:level"]) == [0, 0.25, 0.5, 0.75, 1, 1]
    d = build_design(MONTHS, "M", spec(parse_intervention("p=2016-01:until=2016-03")))
    assert list(d.X.loc["2015-12-01":"2016-04-01", "p:level"]) == [0, 1, 1, 0, 0]


@pytest.mark.parametrize(
    "ivs,msg",
    [
        (("a=2013-01",), "no pre-period"),
        (("a=2017-01",), "after the last observation"),
        (("a=2014-08",), "at least 3"),
        (("a=2016-07",), "at least 2"),
        (("a=2016-01", "b=2016-01-20"), "same period"),
    ],
)
def test_impossible_dates_are_refused_with_advice(ivs, msg):
    with pytest.raises(SpecError, match=msg):
        build_design(MONTHS, "M", spec(*(parse_intervention(i) for i in ivs)))


def test_level_only_change_needs_one_point_after():
    d = build_design(MONTHS, "M", spec(parse_intervention("a=2016-07:level")))
    assert d.X["a:level"].sum() == 1


def test_fourier_terms_match_harmonic_of_month():
    d = build_design(MONTHS, "M", spec(seasonality="fourier", fourier_k=2))
    m = MONTHS.month.to_numpy()
    assert np.allclose(d.X["cos2"], np.cos(4 * np.pi * m / 12))


@pytest.mark.parametrize("freq", ["D", "W", "M", "Q", "Y"])
def test_period_ordinals_round_trip(freq):
    dates = pd.to_datetime(["2015-03-18", "2016-01-08", "2016-12-31"])
    starts = to_period_start(dates, freq)
    assert (period_ordinal(starts, freq) == period_ordinal(dates, freq)).all()
    assert (period_start(period_ordinal(dates, freq), freq) == starts).all()


def test_spec_is_hashable_and_round_trips():
    s = spec(parse_intervention("gec=2016-01-08"), family="quasipoisson", offset="pop")
    assert hash(s) == hash(ItsSpec.from_dict(s.to_dict()))
    assert s.effective_errors == "model" and s.scale == "log"


@pytest.mark.parametrize(
    "kw,msg",
    [
        ({"family": "poisson", "errors": "ar"}, "not available"),
        ({"family": "poisson", "log": True}, "gaussian"),
        ({"family": "tweedie"}, "Unknown family"),
    ],
)
def test_bad_specs(kw, msg):
    with pytest.raises(SpecError, match=msg):
        spec(**kw)


def test_claims():
    assert parse_claimed_change("-45%") == -45.0 == parse_claimed_change("-45")
    with pytest.raises(SpecError):
        ClaimSpec(start="2016-07", end="2014-06")
    with pytest.raises(SpecError):
        Intervention(label="x", date="July 2016")
