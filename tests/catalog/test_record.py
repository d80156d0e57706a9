"""The public record as evidence: ``explorer.record``, ``python -m explorer record`` and its chart.

The JSON is checked against the committed published-figures table read here with the ``csv``
module (not through ``explorer.claims``), row by row: a published point must equal its row, a
derived point must be recomputed from its ``derived_from`` rows by its ``formula``.
"""

from __future__ import annotations

import calendar
import csv
import json
import re
import subprocess
import sys

import pandas as pd
import pytest

from explorer.catalog import record
from explorer.cli import main
from explorer.errors import InputError
from explorer.schema import SCHEMA_VERSION

ID = re.compile(r"[A-Z]{2,3}-\d{2}")
ORDER = ("VERIFIED", "PARTLY_VERIFIED", "UNVERIFIED")


@pytest.fixture(scope="module")
def rows(data_dir) -> dict[str, dict]:
    with open(data_dir / "published_figures" / "published_figures.csv", encoding="utf-8") as fh:
        return {r["claim_id"]: r for r in csv.DictReader(fh)}


@pytest.fixture(scope="module")
def out(tmp_path_factory) -> dict:
    path = tmp_path_factory.mktemp("record") / "record.json"
    assert main(["record", "--json", str(path)]) == 0
    return json.loads(path.read_text(encoding="utf-8"))


def points(out):
    return [(g, p) for g in out["groups"] for p in g["points"]]


def _last_day(text: str, precision: str) -> pd.Timestamp:
    t = pd.Timestamp(text)
    if precision == "month":
        return t.replace(day=calendar.monthrange(t.year, t.month)[1])
    return t


def _months(start: pd.Timestamp, last_day: pd.Timestamp) -> float:
    """Calendar months from ``start`` to the end of ``last_day`` (written apart from the module)."""
    nxt = last_day + pd.Timedelta(days=1)
    whole = (nxt.year - start.year) * 12 + (nxt.month - start.month)
    return (
        whole
        + (nxt.day - 1) / calendar.monthrange(nxt.year, nxt.month)[1]
        - (start.day - 1) / calendar.monthrange(start.year, start.month)[1]
    )


def _value(row: dict) -> float:
    v = float(row["value"])
    return v / 100 if row["unit"] == "percent" else v


def recompute(formula: str, rows: dict) -> float:
    """Evaluate a point's readable formula with the table's values (percents as fractions)."""
    expr = re.sub(r"(\d+(?:\.\d+)?) months", r"\1", formula).replace(" x ", " * ")
    expr = ID.sub(lambda m: repr(_value(rows[m.group(0)])), expr)
    assert re.fullmatch(r"[\d.\s()*/+-]+", expr), f"unexpected formula {formula!r}"
    return eval(expr)  # only numbers and operators are left


# -- the JSON against the table, row by row ---------------------------------------------------


def test_every_published_point_equals_its_row(out, rows):
    seen = 0
    for _, p in points(out):
        if p.get("derived_from"):
            continue
        r = rows[p["claim_id"]]
        seen += 1
        assert p["value"] == float(r["value"]), p["claim_id"]
        assert (p["low"], p["high"]) == (float(r["value_low"]), float(r["value_high"]))
        assert p["period_start"] == (r["period_start"] or None)
        assert p["period_end"] == (r["period_end"] or None)
        assert p["verification"] == r["verification"]
        assert (p.get("bound") or "") == r["bound"]
        assert r["source_publisher"] in p["source"] and r["source_title"] in p["source"]
        assert "formula" not in p
    assert seen >= 10


def test_every_derived_point_is_recomputed_from_its_rows_and_formula(out, rows):
    seen = 0
    for g, p in points(out):
        if not p.get("derived_from"):
            continue
        seen += 1
        ids = ID.findall(p["formula"])
        assert p["derived_from"] == list(dict.fromkeys(ids)), p["point_id"]
        assert p["claim_id"] == ids[0]
        inputs = [rows[i] for i in p["derived_from"]]
        # the value, from the formula as written (months rounded to two decimals there) ...
        assert p["value"] == pytest.approx(recompute(p["formula"], rows), rel=2e-3, abs=0.5)
        # ... and exactly, with the months counted from the rows' own periods
        a = inputs[0]
        start = pd.Timestamp(a["period_start"])
        if p["formula"].startswith("("):  # (A - B) / months: A's start to B's start
            b = inputs[1]
            assert a["period_end"] == b["period_end"]
            months = _months(start, pd.Timestamp(b["period_start"]) - pd.Timedelta(days=1))
            exact = (float(a["value"]) - float(b["value"])) / months
            assert p["period_end"] == (
                pd.Timestamp(b["period_start"]) - pd.Timedelta(days=1)
            ).strftime("%Y-%m-%d")
        elif " x " in p["formula"]:
            exact = _value(a) * _value(inputs[1])
            assert p["period_end"] == a["period_end"]
        else:
            months = _months(start, _last_day(a["period_end"], a["period_end_precision"]))
            exact = float(a["value"]) / months
            assert p["period_end"] == a["period_end"]
            assert p["low"] == pytest.approx(float(a["value_low"]) / months, abs=0.5)
            assert p["high"] == pytest.approx(float(a["value_high"]) / months, abs=0.5)
        assert p["value"] == pytest.approx(exact, abs=0.5), p["point_id"]
        assert p["period_start"] == a["period_start"]
        assert p["unit"] == g["unit"]
        assert p["verification"] == max((r["verification"] for r in inputs), key=ORDER.index)
        for r in inputs:
            assert r["source_publisher"] in p["source"] and r["source_title"] in p["source"]
    assert seen >= 10


def test_tw06_is_62815_accounts_a_month_over_six_months(out):
    (p,) = [p for _, p in points(out) if p["point_id"] == "TW-06/month"]
    assert p["value"] == 62815.0 and p["formula"] == "TW-06 / 6 months"
    assert p["derived_from"] == ["TW-06"] and p["months"] == 6.0
    assert (p["period_start"], p["period_end"]) == ("2016-07-01", "2016-12-31")
    assert p["calculation"] == "376,890 / 6 months = 62,815"
    assert p["verification"] == "VERIFIED" and "Twitter Inc." in p["source"]


def test_the_groups_hold_the_snapshots_the_issue_names(out):
    by = {g["id"]: g for g in out["groups"]}
    assert list(by) == ["followers", "supporters", "suspensions", "ratio"]

    def ids(g):
        return {i for p in g["points"] for i in [p["claim_id"], *p.get("derived_from", [])]}

    assert ids(by["followers"]) == {"BM-02", "AP-03", "BP-03", "AP-04"}
    assert {"BM-01", "BM-04", "BP-01", "BP-02"} <= ids(by["supporters"])
    assert {f"TW-{i:02d}" for i in range(1, 12)} <= ids(by["suspensions"])
    assert ids(by["ratio"]) == {"AP-02"}
    english = {p["point_id"]: p for p in by["supporters"]["points"]}["BM-01xBM-04"]
    assert english["value"] == 46000 * 18 / 100 and english["bound"] == "lower"
    assert english["formula"] == "BM-01 x BM-04"
    assert {p["point_id"]: p for p in by["followers"]["points"]}["BP-03"]["low"] == 300
    for g in out["groups"]:
        assert g["unit"] and g["title"] and g["points"]
        assert g["claim_ids"] == sorted(ids(g))
        for p in g["points"]:
            assert p["verification"] and p["source"] and "link" not in p["source"].lower()


def _numbers(text: str) -> list[float]:
    text = re.sub(r"\d{4}-\d{2}(-\d{2})?", " ", text)  # ISO dates
    text = ID.sub(" ", text)
    return [float(n.replace(",", "")) for n in re.findall(r"\d[\d,]*(?:\.\d+)?", text)]


def test_sentences_use_only_numbers_from_the_table(out, rows):
    known = {1.0}  # "6 to 1", "6:1"
    for r in rows.values():
        for col in ("value", "value_low", "value_high"):
            if r[col]:
                known.add(abs(float(r[col])))
    for _, p in points(out):
        known |= {p["value"], p["low"], p["high"]}
    texts = [t for g in out["groups"] for t in (g["shows"], g["cannot_show"])]
    texts += [m["text"] for m in out["measurement"] + out["what_would_settle_it"]]
    for text in texts:
        assert "{" not in text, text
        for cid in ID.findall(text):
            assert cid in rows, cid
        for n in _numbers(text):
            assert n in known or 1990 < n < 2030 or n <= 31, (n, text)  # years and days allowed


def test_measurement_and_what_would_settle_it(out, rows):
    m = {x["id"]: x for x in out["measurement"]}
    assert {"suspensions_delete", "lexicon", "definition_unpublished"} <= set(m)
    assert "delete the accounts being counted" in m["suspensions_delete"]["text"]
    assert "6:1" in m["lexicon"]["text"] and "AP-02" in m["lexicon"]["claim_ids"]
    assert "never published" in m["definition_unpublished"]["text"]
    s = {x["id"]: x for x in out["what_would_settle_it"]}
    assert {"government_series", "archive"} <= set(s)
    assert "definition" in s["government_series"]["text"]
    assert rows["AP-05"]["period_start"] == "2014-06-01"  # the GEC's "since June 2014"
    assert "June 2014" in s["government_series"]["text"] and "June 2014" in s["archive"]["text"]
    assert (
        "6 January 2015" in s["archive"]["text"] and rows["FT-01"]["period_start"] == "2015-01-06"
    )
    for x in out["measurement"] + out["what_would_settle_it"]:
        assert x["claim_ids"] and set(x["claim_ids"]) <= set(rows)


def test_twitter_reports_add_up(out):
    checks = {c["check"]: c for c in out["consistency"]}
    assert set(checks) == set(record.CONSISTENCY)
    assert all(c["holds"] for c in checks.values())


# -- the two statuses -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "cid, reported, checkable",
    [
        ("AP-01", "verified", "no"),
        ("WSJ-01", "unverified", "no"),
        ("WSJ-02", "partly", "no"),
        ("TW-06", "verified", "partly"),
        ("BP-03", "verified", "partly"),
        ("FT-01", "verified", "yes"),
    ],
)
def test_reported_as_stated_and_checkable_are_separate(cid, reported, checkable):
    s = record.statuses(cid)
    assert s["reported_as_stated"]["status"] == reported
    assert s["checkable"]["status"] == checkable
    assert s["reported_as_stated"]["label"].startswith("Reported as stated")
    assert s["checkable"]["label"].startswith("Checkable with public data")
    assert s["reported_as_stated"]["tooltip"] and s["checkable"]["tooltip"]
    assert s["reported_as_stated"]["tooltip"] != s["checkable"]["tooltip"]


def test_every_point_carries_both_statuses(out, rows):
    words = {"VERIFIED": "verified", "PARTLY_VERIFIED": "partly", "UNVERIFIED": "unverified"}
    for _, p in points(out):
        assert p["reported_as_stated"] == words[p["verification"]]
        assert p["checkable"] in ("yes", "partly", "no")
        assert p["checkable_reason"]
    assert record.statuses("AP-01")["checkable"]["status"] == "no"  # the headline: quote only


# -- the command line -------------------------------------------------------------------------


def test_json_envelope_and_one_group(capsys, data_dir):
    assert main(["record", "suspensions", "--json", "-"]) == 0
    cap = capsys.readouterr()
    r = json.loads(cap.out)
    assert r["schema_version"] == SCHEMA_VERSION and r["command"] == "record"
    pkg = json.loads((data_dir / "published_figures" / "datapackage.json").read_text())
    assert r["provenance"]["sha256"] == pkg["resources"][0]["sha256"]
    assert [g["id"] for g in r["groups"]] == ["suspensions"]
    assert "NaN" not in cap.out and cap.err == ""


def test_table_without_json(capsys):
    assert main(["record", "followers"]) == 0
    text = capsys.readouterr().out
    assert text.startswith("followers: Followers per pro-IS Twitter account")
    for cid in ("AP-03", "BM-02", "BP-03", "AP-04"):
        assert cid in text
    assert "300-400" in text and "Cannot show:" in text and "What would settle it:" in text


def test_unknown_group_is_one_line_listing_the_groups_and_exit_2(capsys):
    assert main(["record", "nope", "--json", "-"]) == 2
    cap = capsys.readouterr()
    assert cap.out == ""
    lines = cap.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: Unknown record group 'nope'")
    for gid in record.group_ids():
        assert gid in lines[0]
    with pytest.raises(InputError):
        record.group("nope")


def test_cli_in_a_fresh_interpreter(root):
    p = subprocess.run(
        [sys.executable, "-m", "explorer", "record", "ratio", "--json", "-"],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert p.returncode == 0, p.stderr
    assert json.loads(p.stdout)["groups"][0]["points"][0]["claim_id"] == "AP-02"


@pytest.mark.parametrize(
    "expr, message",
    [
        ("XX-99", "not a published figure"),
        ("TW-06 x TW-07", "must be a percent"),
        ("TW-06 + TW-07", "Cannot read"),
        ("WSJ-01 / months", "has none"),
    ],
)
def test_bad_formulas_are_input_errors(expr, message):
    with pytest.raises(InputError, match=message):
        record.evaluate(expr)


# -- the chart --------------------------------------------------------------------------------


@pytest.mark.parametrize("gid", ["followers", "supporters", "suspensions", "ratio"])
def test_chart_one_trace_per_point_with_source_and_status(gid, rows):
    from explorer.charts.base import iter_text
    from explorer.charts.record import record_chart

    g = record.group(gid)
    chart = record_chart(g)
    traces = [t for t in chart.figure.data if isinstance(t.meta, dict) and "point_id" in t.meta]
    assert [t.meta["point_id"] for t in traces] == [p["point_id"] for p in g["points"]]
    for t, p in zip(traces, g["points"], strict=True):
        hover = t.text[0]
        assert f"Reported as stated: {p['reported_as_stated']}" in hover
        assert f"Checkable with public data: {p['checkable']}" in hover
        assert rows[p["claim_id"]]["source_publisher"].replace("&", "&amp;") in hover
        assert min(t.y[3], t.y[4]) == p["low"] and max(t.y[3], t.y[4]) == p["high"]
        assert t.y[0] == t.y[1] == p["value"] and t.x[0] <= t.x[1]
    for p in g["points"]:
        for s in p["sources"]:
            assert s["publisher"].split(" (")[0] in chart.text.source
    assert chart.kind == "record" and len(chart.data) == len(g["points"])
    assert chart.data["value"].tolist() == [p["value"] for p in g["points"]]
    gec = [
        s for s in chart.figure.layout.shapes if s.type == "line" and str(s.x0)[:10] == "2016-01-08"
    ]
    assert len(gec) == 1
    drawn = " ".join(iter_text(chart))
    assert "GEC announced" in drawn and "(Verified)" not in drawn
    assert "(Verified)" not in (chart.text.subtitle or "")


def test_chart_period_bars_follow_the_precision():
    from explorer.charts.record import record_chart

    chart = record_chart("followers")
    bars = {t.meta["point_id"]: (t.x[0], t.x[1]) for t in chart.figure.data if t.meta}
    assert bars["AP-03"] == (pd.Timestamp("2014-01-01"), pd.Timestamp("2014-12-31"))
    assert bars["AP-04"] == (pd.Timestamp("2016-07-01"), pd.Timestamp("2016-07-31"))  # "today"
