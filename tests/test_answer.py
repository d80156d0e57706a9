"""The journalist's answer (explorer.answer): generated from the catalogue, never typed per claim."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pandas as pd
import pytest

from explorer.answer import HeadlineAnswer, headline
from explorer.catalog.claims import load_claims
from explorer.catalog.events import load_events
from explorer.errors import InputError
from tests.conftest import ROOT

ID = re.compile(r"\b[A-Z]{2,3}-\d{2}\b")


def test_ap01_says_public_data_cannot_confirm_the_gec_caused_the_fall():
    a = headline("AP-01")
    assert isinstance(a, HeadlineAnswer)
    s = a.sentence
    assert s.startswith("Public data cannot confirm that the GEC caused the 45% fall")
    assert "19 months before the GEC was announced" in s
    assert "June 2014" in s
    assert "public record shows followers per pro-IS Twitter account" in s
    assert len(a.reasons) == 3
    # The public record before the GEC: BM-02's 1,004 to BP-03's 300-400.
    assert "1,004" in a.reasons[1].text and "300-400" in a.reasons[1].text
    assert {"BM-02", "BP-03"} <= set(a.reasons[1].claim_ids)
    assert "DT-05" in a.reasons[0].claim_ids and "AP-05" in a.reasons[0].claim_ids
    assert "Suspensions delete the accounts being counted" in a.reasons[2].text
    assert a.checkable["status"] == "no" and a.reported_as_stated["status"] == "verified"


def test_every_reason_cites_the_ids_its_text_names_and_only_real_ones():
    ids = set(load_claims()["claim_id"])
    for cid in ("AP-01", "AP-03", "BP-03", "TW-06", "WSJ-01", "FT-01"):
        a = headline(cid)
        for r in a.reasons:
            assert r.claim_ids, (cid, r.text)
            assert set(ID.findall(r.text)) <= set(r.claim_ids), (cid, r.text)
            assert set(r.claim_ids) <= ids
        assert all(i in a.citation for i in a.claim_ids)
        assert a.quote == f"{a.sentence}\n{a.citation}"


def test_a_record_snapshot_gets_its_group_and_both_statuses():
    a = headline("BP-03")
    assert a.kind == "record_snapshot"
    assert a.sentence.startswith("BP-03's 300-400 followers per account (Jun-Oct 2015)")
    assert "reported as stated in George Washington University" in a.sentence
    assert "public data can check it only in part" in a.sentence
    assert "already 300-400 among English-language supporters" in a.reasons[0].text
    assert a.reasons[2].text.startswith("Checkable with public data: partly.")


def test_a_figure_no_source_holds_says_do_not_cite():
    a = headline("WSJ-01")
    assert a.kind == "unverified"
    assert a.sentence.startswith("Do not cite WSJ-01")
    assert "not found in any source" in a.sentence


def test_a_derived_point_finds_its_group():
    a = headline("TW-06")
    assert a.kind == "record_snapshot"
    assert "376,890 accounts (Jul-Dec 2016)" in a.sentence
    assert "62,815" in a.reasons[0].text  # TW-06 / 6 months, from the suspensions group


def test_changing_the_data_changes_the_wording():
    claims, events = load_claims(), load_events()
    before = headline("AP-01", claims=claims, events=events)
    moved = events.copy()
    moved.loc[moved["key"] == "gec", "date"] = pd.Timestamp("2015-03-01")
    later = headline("AP-01", claims=claims, events=moved)
    assert "9 months before the GEC was announced" in later.sentence
    assert "19 months" not in later.sentence
    # Before March 2015 the record holds no two figures of a quantity: that reason changes too.
    assert later.reasons[1].text != before.reasons[1].text
    edited = claims.copy()
    edited.loc[edited["claim_id"] == "AP-01", "period_start"] = pd.Timestamp("2015-06-01")
    edited.loc[edited["claim_id"] == "AP-01", "value"] = -30.0
    again = headline("AP-01", claims=edited, events=events)
    assert "the 30% fall" in again.sentence and "7 months before" in again.sentence
    relabelled = events.copy()
    relabelled.loc[relabelled["key"] == "gec", "label"] = "CSCC renamed"
    assert "the CSCC caused" in headline("AP-01", claims=claims, events=relabelled).sentence


def test_an_attribution_becomes_a_reason():
    att = {"credited": "gec", "credited_share": 0.25, "scale": "log", "notes": ["Window note."]}
    a = headline("AP-01", attribution=att)
    assert "attributes 25% of the change (on the log scale) to gec" in a.reasons[2].text


def test_to_dict_is_json_and_unknown_ids_are_input_errors():
    d = headline("AP-01").to_dict()
    json.dumps(d)
    assert d["claim_id"] == "AP-01" and len(d["reasons"]) == 3
    assert {"text", "claim_ids"} == set(d["reasons"][0])
    with pytest.raises(InputError, match="no published figure"):
        headline("XX-99")


def test_cli_answer_json_and_text():
    out = subprocess.run(
        [sys.executable, "-m", "explorer", "answer", "AP-01", "--json", "-"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    d = json.loads(out)
    assert d["command"] == "answer" and d["provenance"]["dataset"] == "published_figures"
    assert d["answer"] == headline("AP-01").to_dict()
    bad = subprocess.run(
        [sys.executable, "-m", "explorer", "answer", "NOPE"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert bad.returncode == 2 and bad.stderr.startswith("error: There is no published figure")
