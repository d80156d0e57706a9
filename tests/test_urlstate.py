"""URL state: round trips, warnings with defaults for bad links, and never an exception."""

from __future__ import annotations

import string
from urllib.parse import parse_qs, urlencode

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from explorer.spec import Intervention, ItsSpec
from explorer.urlstate import DEFAULT, PARAMS, AppState, from_query, from_spec, to_query, to_spec


def test_defaults_give_an_empty_query_and_back():
    assert to_query(DEFAULT) == {}
    assert from_query({}) == (DEFAULT, [])


def test_full_state_round_trips_through_a_real_url():
    state = AppState(
        page="explore",
        dataset="sicily",
        time="month_start",
        value="aces",
        offset="stdpop",
        covariates=("deaths, all", "100% sure"),
        interventions=(
            Intervention("ban", "2005-01", "level"),
            Intervention("ramp up", "2005-06", "ramp", ramp=3),
            Intervention("tmp", "2006-01", "temporary", until="2006-04"),
        ),
        family="quasipoisson",
        errors="hac",
        seasonality="fourier:2",
        hac_lags=3,
        claim_start="2004-06",
        claim_end="2006-07",
        claimed_change=-45.0,
        credit="ban",
    )
    q = to_query(state)
    assert all(isinstance(k, str) and isinstance(v, str) for k, v in q.items())
    # Through an actual URL query string, as a browser would carry it.
    back = {k: v[-1] for k, v in parse_qs(urlencode(q), keep_blank_values=True).items()}
    assert from_query(back) == (state, [])
    assert q["iv"] == "ban=2005-01:level,ramp up=2005-06:ramp=3,tmp=2006-01:until=2006-04"


def test_repeated_parameters_are_read_like_comma_joined_ones():
    a, w1 = from_query({"iv": ["a=2016-01", "b=2017-01:level"]})
    b, w2 = from_query({"iv": "a=2016-01,b=2017-01:level"})
    assert a == b and not w1 and not w2
    assert [iv.label for iv in a.interventions] == ["a", "b"]


@pytest.mark.parametrize(
    "params, field, expected",
    [
        ({"family": "binomial"}, "family", "gaussian"),
        ({"errors": "robust"}, "errors", "auto"),
        ({"season": "fourier:0"}, "seasonality", "none"),
        ({"lags": "-3"}, "hac_lags", None),
        ({"model": "prophet"}, "model", "segmented"),
        ({"log": "maybe"}, "log", False),
        ({"page": "admin"}, "page", None),
        ({"cs": "2016-13"}, "claim_start", None),
        ({"cc": "lots"}, "claimed_change", None),
        ({"ds": "x" * 300}, "dataset", None),
    ],
)
def test_each_bad_parameter_warns_and_uses_its_default(params, field, expected):
    state, warnings = from_query(params)
    assert getattr(state, field) == expected
    assert len(warnings) == 1 and "link" in warnings[0]


def test_bad_intervention_is_dropped_and_the_good_one_kept():
    state, warnings = from_query({"iv": "good=2016-01,<script>=2016-02,late=2016-99,good=2017-01"})
    assert [iv.label for iv in state.interventions] == ["good"]
    assert len(warnings) == 3
    assert not any("<" in w or ">" in w for w in warnings)  # user text is not echoed as markup


def test_options_valid_alone_but_not_together_are_reset():
    state, warnings = from_query({"family": "poisson", "log": "1", "iv": "x=2016-01"})
    assert (state.family, state.log) == ("gaussian", False)
    assert [iv.label for iv in state.interventions] == ["x"]
    assert any("reset" in w for w in warnings)


def test_unknown_dataset_is_dropped_when_the_catalogue_is_given():
    state, warnings = from_query({"ds": "nope"}, datasets={"sicily"})
    assert state.dataset is None and warnings


def test_catalogue_keys_resolve_when_a_resolver_is_given():
    state, warnings = from_query({"iv": "gec"}, resolve=lambda k: (k, "2016-01-08"))
    assert state.interventions == (Intervention("gec", "2016-01-08"),) and not warnings
    state, warnings = from_query({"iv": "gec"})
    assert state.interventions == () and warnings


def test_state_and_spec_agree():
    spec = ItsSpec(
        time="date",
        value="y",
        interventions=(Intervention("gec", "2016-01-08"),),
        family="gaussian",
        errors="ar",
        ar_order=2,
        seasonality="fourier",
        fourier_k=2,
    )
    state = from_spec(spec, dataset="scenarios", page="explore")
    assert to_spec(state) == spec
    assert from_query(to_query(state)) == (state, [])


# -- properties ---------------------------------------------------------------------------------

KEYS = [*PARAMS, "other"]
text = st.text(max_size=60)
near = st.sampled_from(
    [
        "",
        "1",
        "0",
        "gaussian",
        "poisson",
        "ar:2",
        "fourier:3",
        "2016-01",
        "x=2016-01",
        "x=2016-01:ramp=0",
        "a=2016,b=2016",
        "-45%",
        "nan",
        "1e400",
    ]
)


@settings(max_examples=400, deadline=None)
@given(
    st.dictionaries(
        st.one_of(st.sampled_from(KEYS), text),
        st.one_of(text, near, st.lists(st.one_of(text, near), max_size=3)),
    )
)
def test_random_links_never_raise(params):
    state, warnings = from_query(params)
    assert isinstance(state, AppState)
    assert isinstance(warnings, list) and all(isinstance(w, str) for w in warnings)
    # Whatever was read writes back to a link that reads back the same, without warnings.
    again, w2 = from_query(to_query(state))
    assert again == state and w2 == []


labels = st.text(string.ascii_letters + string.digits + " _-", min_size=1, max_size=12).filter(
    lambda s: s.strip() == s and s[0] not in "-"
)
dates = st.dates(min_value=__import__("datetime").date(1990, 1, 1)).map(lambda d: d.isoformat())


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(labels, dates, st.sampled_from(["level_slope", "level"])),
        max_size=4,
        unique_by=lambda t: t[0],
    ),
    st.sampled_from(["gaussian", "poisson", "quasipoisson", "negbin"]),
    st.lists(
        st.text(min_size=1, max_size=15).filter(
            lambda s: s.strip() == s and all(ord(c) >= 32 for c in s)
        ),
        max_size=3,
        unique=True,
    ),
)
def test_valid_states_round_trip(ivs, family, covs):
    state = AppState(
        interventions=tuple(Intervention(label, date, kind) for label, date, kind in ivs),
        family=family,
        covariates=tuple(covs),
    )
    assert from_query(to_query(state)) == (state, [])


def _intervention(label, date, kind, ramp, until_days):
    import datetime

    if kind == "ramp":
        return Intervention(label, date, "ramp", ramp=ramp)
    if kind == "temporary":
        end = datetime.date.fromisoformat(date) + datetime.timedelta(days=until_days)
        return Intervention(label, date, "temporary", until=end.isoformat())
    return Intervention(label, date, kind)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(
            labels,
            st.dates(
                min_value=__import__("datetime").date(1990, 1, 1),
                max_value=__import__("datetime").date(2030, 1, 1),
            ).map(lambda d: d.isoformat()),
            st.sampled_from(["level_slope", "level", "ramp", "temporary"]),
            st.integers(1, 24),
            st.integers(1, 800),
        ),
        max_size=4,
        unique_by=lambda t: t[0],
    ),
    st.one_of(st.none(), st.from_regex(r"[0-9a-f]{64}", fullmatch=True)),
    st.one_of(st.none(), st.integers(0, 10**9)),
    st.one_of(st.none(), st.sampled_from(["2014-06", "2015-01-08"])),
    st.one_of(st.none(), st.floats(-99, 99, allow_nan=False).map(lambda v: round(v, 1))),
)
def test_every_option_of_the_state_survives_a_real_url(ivs, sha, rows, start, change):
    """Ramp, until, the upload's checksum and the claim inputs: through a browser's query
    string and back, nothing is lost (issue 15: ramp and until were dropped)."""
    state = AppState(
        interventions=tuple(_intervention(*t) for t in ivs),
        upload_sha=sha,
        upload_name="my data, 2016.csv" if sha else None,
        upload_rows=rows if sha else None,
        dataset=None if sha else "scenarios",
        claim_start=start,
        claim_end="2016-07" if start else None,
        claimed_change=change,
        credit="gec" if start else None,
    )
    q = to_query(state)
    back = {k: v[-1] for k, v in parse_qs(urlencode(q), keep_blank_values=True).items()}
    assert from_query(back) == (state, [])
    if q:
        assert q["v"] == "2"


def test_a_version_1_own_claim_link_reads_as_today_s_parameters():
    state, warnings = from_query(
        {
            "own_ds": "scenarios",
            "own_value": "value",
            "own_credit": "gec",
            "own_start": "2015-01",
            "own_end": "2016-06",
            "own_claimed": "-30",
        }
    )
    assert not warnings
    assert (state.dataset, state.value, state.credit) == ("scenarios", "value", "gec")
    assert (state.claim_start, state.claim_end, state.claimed_change) == ("2015-01", "2016-06", -30)


def test_an_upload_link_needs_a_real_checksum():
    state, warnings = from_query({"up": "x.csv", "upsha": "not-a-sha", "uprows": "12"})
    assert state.upload_sha is None and warnings and "sha256" in warnings[0]
    state, warnings = from_query({"upsha": "A" * 64, "uprows": "12", "ds": "sicily"})
    assert state.upload_sha == "a" * 64 and state.upload_rows == 12 and state.dataset is None
    assert state.source == "upload"
