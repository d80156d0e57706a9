"""Published figures (every raw row kept, verification from the notes) and the events catalogue."""

from __future__ import annotations

import pandas as pd
import pytest

from explorer.catalog import claims, events
from explorer.errors import InputError, SpecError
from explorer.spec import parse_intervention

# The dates the issue requires, at the precision the sources give them.
REQUIRED = {
    "coalition": ("2014-09", "month", "policy"),
    "twitter_campaign": ("2015-07", "month", "platform enforcement"),
    "paris": ("2015-11-13", "day", "attack"),
    "gec": ("2016-01-08", "day", "policy"),
    "twitter_125k": ("2016-02-05", "day", "platform enforcement"),
    "eo13721": ("2016-03-14", "day", "policy"),
    "brussels": ("2016-03-22", "day", "attack"),
    "june_wave": ("2016-06-18", "day", "platform enforcement"),
    "ap_story": ("2016-07-09", "day", "publication"),
    "twitter_235k": ("2016-08-18", "day", "platform enforcement"),
}


@pytest.fixture(scope="module")
def raw(raw_data) -> pd.DataFrame:
    return pd.read_csv(raw_data / "published_figures.csv", dtype=str, keep_default_na=False)


@pytest.fixture(scope="module")
def table() -> pd.DataFrame:
    return claims.load_claims()


def test_every_raw_row_is_kept_in_order(raw, table):
    assert len(raw) == 47 and len(table) == 47
    assert table["claim_id"].tolist() == raw["claim_id"].tolist()
    assert table["notes"].tolist() == raw["notes"].tolist()


def test_verification_is_taken_from_the_start_of_the_notes(raw, table):
    assert set(table["verification"]) <= set(claims.VERIFICATION)
    for note, status in zip(raw["notes"], table["verification"], strict=True):
        first = note.split()[0].rstrip(":.")
        expected = {"VERIFIED": "VERIFIED", "PARTLY": "PARTLY_VERIFIED", "UNVERIFIED": "UNVERIFIED"}
        assert status == expected[first], note[:40]
    by_id = table.set_index("claim_id")["verification"]
    assert by_id["WSJ-01"] == "UNVERIFIED" and by_id["WSJ-02"] == "PARTLY_VERIFIED"
    assert by_id["AP-01"] == "VERIFIED"


def test_values_are_typed_and_ranges_split(raw, table):
    t = table.set_index("claim_id")
    assert t["value"].dtype == float
    assert (t.loc["TW-04", ["value_low", "value_high", "value"]] == [15000, 18000, 16500]).all()
    assert t.loc["TW-04", "value_kind"] == "range" and t.loc["BP-03", "value"] == 350
    assert pd.isna(t.loc["WSJ-01", "value"]) and t.loc["WSJ-01", "value_kind"] == "missing"
    for r in raw.itertuples():
        if r.value and "-" not in r.value[1:]:
            assert t.loc[r.claim_id, "value"] == float(r.value)
    assert (t.loc["TW-01", "unit"], t.loc["TW-01", "bound"]) == ("accounts", "lower")
    assert t.loc["BP-02", "bound"] == "upper" and t.loc["AP-01", "unit"] == "percent"


def test_dates_are_iso_with_their_precision(raw, table):
    t = table.set_index("claim_id")
    assert t.loc["AP-01", "period_start"] == pd.Timestamp("2014-06-01")
    assert t.loc["AP-01", "period_start_precision"] == "month"
    assert t.loc["TW-01", "period_end_precision"] == "day"
    assert t.loc["AL-01", "as_of_precision"] == "year"
    for r in raw.itertuples():
        for col in ("period_start", "period_end", "as_of_date"):
            text = getattr(r, col)
            got = t.loc[r.claim_id, col]
            if not text:
                assert pd.isna(got)
            else:
                assert got.strftime("%Y-%m-%d")[: len(text)] == text


def test_claim_window_of_the_headline_claim():
    w = claims.claim_window("AP-01", credit="gec")
    assert (w.start, w.end, w.claimed_change_pct, w.credit) == ("2014-06", "2016-07", -45.0, "gec")
    assert claims.claim_window("BP-03").claimed_change_pct is None  # followers, not a change
    with pytest.raises(InputError, match="no start and end"):
        claims.claim_window("DT-05")
    with pytest.raises(InputError, match="AP-01"):
        claims.get_claim("AP-99")
    assert claims.get_claim("ap-05")["period_start"] == pd.Timestamp("2014-06-01")


def test_facts_the_explorer_must_state():
    assert "June 2014" in claims.FACTS["decline_predates_gec"]
    assert "19 months" in claims.FACTS["decline_predates_gec"]
    assert "never released" in claims.FACTS["no_public_series"]


def test_required_events_have_their_exact_dates():
    ev = events.load_events().set_index("key")
    for key, (date, precision, kind) in REQUIRED.items():
        assert key in ev.index, key
        assert ev.loc[key, "precision"] == precision, key
        assert events.date_text(ev.loc[key, "date"], precision) == date, key
        assert ev.loc[key, "kind"] == kind, key
        assert events.resolve(key) == (key, date)
    assert set(ev["kind"]) <= set(events.KINDS)
    assert ev.index.is_unique and ev["date"].is_monotonic_increasing


def test_events_are_dated_from_their_cited_published_figure(table):
    t = table.set_index("claim_id")
    for r in events.load_events().itertuples():
        assert r.description and r.label and r.source_url.startswith("http")
        c = t.loc[r.claim_id]
        assert r.date == c["period_start"], r.key
        assert r.verification == c["verification"]


def test_resolve_plugs_into_the_spec_parser():
    by_key = parse_intervention("gec", resolve=events.resolve)
    by_hand = parse_intervention("gec=2016-01-08")
    assert by_key == by_hand
    ramp = parse_intervention("paris:ramp=3", resolve=events.resolve)
    assert (ramp.label, ramp.date, ramp.kind, ramp.ramp) == ("paris", "2015-11-13", "ramp", 3)
    with pytest.raises(SpecError, match="twitter_125k") as e:
        parse_intervention("gce", resolve=events.resolve)
    assert "LABEL=DATE" in str(e.value)


def test_presets_filter_by_window_and_kind():
    inside = events.presets(start="2014-06-01", end="2016-07-31")
    keys = [p["key"] for p in inside]
    assert "gec" in keys and "cscc" not in keys and "twitter_235k" not in keys
    assert {p["kind"] for p in events.presets(kinds=["attack"])} == {"attack"}
    assert [p["key"] for p in events.presets(kinds=["attack"])] == ["paris", "brussels"]
    with pytest.raises(SpecError, match="platform enforcement"):
        events.presets(kinds=["war"])
    assert events.label_for("gec") == "GEC announced" and events.label_for("x") == "x"
