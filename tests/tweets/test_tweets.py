"""Tweet ingest: per-period series checked against plain Python/pandas ground truth.

Ground truth is computed here without DuckDB or the ingest code: the Fifth Tribe sample (read
with the csv module and datetime.strptime) and synthetic archives from the committed generator.
"""

from __future__ import annotations

import collections
import csv
import datetime as dt
import hashlib
import importlib.util
import json
import statistics
import subprocess
import sys
import unicodedata

import pandas as pd
import pytest

from explorer.errors import InputError
from explorer.tweets.lexicon import load_lexicon, normalise
from explorer.tweets.pipeline import fifthtribe_sample, ingest, parse_mapping, write_result
from tests.conftest import ROOT

DERIVED = ROOT / "data" / "raw" / "fifthtribe" / "tweets_textfree.csv"

_spec = importlib.util.spec_from_file_location(
    "synth", ROOT / "scripts" / "make_synthetic_tweets.py"
)
synth = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(synth)


# --- independent ground truth ---------------------------------------------------------------


def period_of(t: dt.datetime, freq: str) -> dt.date:
    d = t.date()
    if freq == "D":
        return d
    if freq == "W":
        return d - dt.timedelta(days=d.weekday())
    return d.replace(day=1)


def next_period(d: dt.date, freq: str) -> dt.date:
    if freq == "D":
        return d + dt.timedelta(days=1)
    if freq == "W":
        return d + dt.timedelta(days=7)
    return (d.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def _word(c: str) -> bool:
    return unicodedata.category(c)[0] in "LMN" or c == "_"


def hashtags_of(text: str) -> list[str]:
    """'#' + a run of letters, marks, digits or '_' (by Unicode category), not all digits, and
    not preceded by a word character, '&', '/' or '#'."""
    out, i = [], 0
    while i < len(text):
        if text[i] == "#" and (i == 0 or not (_word(text[i - 1]) or text[i - 1] in "&/#")):
            j = i + 1
            while j < len(text) and _word(text[j]):
                j += 1
            tag = text[i + 1 : j]
            if tag and not all(unicodedata.category(c)[0] == "N" for c in tag):
                out.append(tag)
                i = j
                continue
        i += 1
    return out


def truth(rows, freq: str, lex=None):
    """rows: (time, account, followers, text) -> dict of per-period truths."""
    n = collections.Counter()
    active = collections.defaultdict(set)
    last = {}  # (period, account) -> (time, followers)
    first_p, last_p = {}, {}
    stance_n = collections.Counter()
    stance_acc = collections.defaultdict(set)
    for t, acc, fol, text in rows:
        p = period_of(t, freq)
        n[p] += 1
        active[p].add(acc)
        key = (p, acc)
        if key not in last or (t, fol) > last[key]:
            last[key] = (t, fol)
        first_p[acc] = min(first_p.get(acc, p), p)
        last_p[acc] = max(last_p.get(acc, p), p)
        if lex is not None:
            for s in {lex.stance_of(h) for h in hashtags_of(text)} - {None}:
                stance_n[(p, s)] += 1
                stance_acc[(p, s)].add(acc)
    grid, p = [], min(n)
    while p <= max(n):
        grid.append(p)
        p = next_period(p, freq)
    fol = collections.defaultdict(list)
    for (p, _), (_, f) in last.items():
        fol[p].append(f)
    observed = {g: sum(first_p[a] <= g <= last_p[a] for a in first_p) for g in grid}
    return {
        "grid": grid,
        "n": n,
        "active": {p: len(a) for p, a in active.items()},
        "mean": {p: statistics.fmean(v) for p, v in fol.items()},
        "median": {p: statistics.median(v) for p, v in fol.items()},
        "observed": observed,
        "stance_n": stance_n,
        "stance_acc": {k: len(v) for k, v in stance_acc.items()},
    }


@pytest.fixture(scope="module")
def ft_path(tmp_path_factory):
    """A synthetic file in the layout of Fifth Tribe's Kaggle file (harmless text; the real
    file holds extremist text and is never in the repository)."""
    return synth.make_kaggle(tmp_path_factory.mktemp("kaggle") / "tweets.csv", 3000, seed=7)


@pytest.fixture(scope="module")
def ft_rows(ft_path):
    with ft_path.open(encoding="utf-8", newline="") as fh:
        return [
            (
                dt.datetime.strptime(r["time"], "%m/%d/%Y %H:%M"),
                r["username"],
                float(r["followers"]),
                r["tweets"],
            )
            for r in csv.DictReader(fh)
        ]


@pytest.fixture(scope="module")
def derived_rows():
    """The committed text-free derivative of the real file, read with the csv module: (time,
    pseudonym, followers, hashtags as a '#a #b' string)."""
    with DERIVED.open(encoding="utf-8", newline="") as fh:
        return [
            (
                dt.datetime.strptime(r["time"], "%Y-%m-%d %H:%M"),
                r["account"],
                float(r["followers"]),
                r["hashtags"],
            )
            for r in csv.DictReader(fh)
        ]


def check_against_truth(res, tr):
    s = res.series
    assert [d.date() for d in s["date"]] == tr["grid"]
    for row in s.itertuples(index=False):
        p = row.date.date()
        assert row.n_accounts_observed == tr["observed"][p]
        if tr["observed"][p] == 0:
            assert row.coverage == "none" and pd.isna(row.n_tweets)
            continue
        assert row.n_tweets == tr["n"].get(p, 0), p
        assert row.n_active_accounts == tr["active"].get(p, 0), p
        if p in tr["mean"]:
            assert row.mean_followers == pytest.approx(tr["mean"][p], rel=1e-12)
            assert row.median_followers == pytest.approx(tr["median"][p], rel=1e-12)
        else:
            assert pd.isna(row.mean_followers) and pd.isna(row.median_followers)


# --- Fifth Tribe sample ----------------------------------------------------------------------


@pytest.mark.parametrize("freq", ["D", "W", "M"])
def test_fifthtribe_counts_followers_and_coverage_match_plain_python(ft_path, ft_rows, freq):
    res = ingest(ft_path, format="fifthtribe", freq=freq)
    tr = truth(ft_rows, freq)
    check_against_truth(res, tr)
    assert res.series["n_tweets"].sum() == len(ft_rows) == res.meta["rows_read"]
    assert res.meta["accounts"] == len({r[1] for r in ft_rows})
    first = min(r[0] for r in ft_rows)
    assert res.meta["first_tweet"] == first.isoformat()


def test_fifthtribe_stance_and_hashtags_match_plain_python(ft_path, ft_rows):
    lex = load_lexicon()
    res = ingest(ft_path, format="fifthtribe", freq="M", top_k=15)
    tr = truth(ft_rows, "M", lex)
    s = res.series.set_index(res.series["date"].dt.date)
    assert sum(tr["stance_n"].values()) > 0  # the sample does use lexicon hashtags
    for p in s.index:
        for st in ("pro", "anti"):
            assert s.loc[p, f"n_{st}"] == tr["stance_n"].get((p, st), 0)
            assert s.loc[p, f"n_{st}_accounts"] == tr["stance_acc"].get((p, st), 0)
    ratio = s["n_anti"].astype(float) / s["n_pro"].astype(float).where(s["n_pro"] > 0)
    pd.testing.assert_series_equal(s["anti_pro_ratio"], ratio, check_names=False)

    # Top hashtags: uses per month of each normalised hashtag.
    uses = collections.Counter()
    for t, _, _, text in ft_rows:
        for h in hashtags_of(text):
            uses[(period_of(t, "M"), normalise(h))] += 1
    total = collections.Counter()
    for (_, k), c in uses.items():
        total[k] += c
    top = sorted(total, key=lambda k: (-total[k], k))[:15]
    got = res.hashtags
    assert sorted(set(got["hashtag"])) == sorted("#" + k for k in top)
    for r in got.itertuples(index=False):
        assert r.count == uses[(r.date.date(), r.hashtag[1:])]
    assert len(got) == sum(1 for (p, k) in uses if k in top)


def test_fifthtribe_outputs_hold_no_names_or_text(ft_path, ft_rows, tmp_path):
    res = ingest(ft_path, format="fifthtribe", freq="W")
    written = write_result(res, tmp_path / "w.csv", hashtags_out=tmp_path / "h.csv")
    blob = "\n".join(p.read_text(encoding="utf-8") for p in written)
    names = {r[1] for r in ft_rows}
    assert not [n for n in names if n in blob]
    # No long run of words from any tweet survives (text is reduced to hashtags).
    sample = [r[3][:40] for r in ft_rows[::500] if len(r[3]) >= 40]
    assert sample and not [t for t in sample if t in blob]
    assert set(res.hashtags.columns) == {"date", "hashtag", "count"}
    meta = json.loads((tmp_path / "w.csv.json").read_text(encoding="utf-8"))
    assert json.loads(res.sidecar()) == meta
    assert fifthtribe_sample().samefile(DERIVED)
    assert any("not ISIS's activity" in c for c in meta["caveats"])
    assert any(
        "Zero counts are zeros only where the period was observed" in n for n in meta["notes"]
    )
    assert meta["lexicon"]["version"] == load_lexicon().version


# --- synthetic archives ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory):
    d = tmp_path_factory.mktemp("synth")
    csv_path = synth.make(d / "t.csv", 20_000, seed=3, n_accounts=300, days=90, pool=400)
    df = pd.read_csv(csv_path)
    df["time"] = pd.to_datetime(df["time"])
    # The same tweets as two Parquet files, for the glob and the Parquet path.
    half = len(df) // 2
    df.iloc[:half].to_parquet(d / "part-0.parquet", index=False)
    df.iloc[half:].to_parquet(d / "part-1.parquet", index=False)
    return d, csv_path, df


def test_synthetic_daily_counts_and_stance_match_pandas(synthetic):
    _, csv_path, df = synthetic
    res = ingest(csv_path, freq="D")
    s = res.series.set_index("date")
    day = df["time"].dt.floor("D")
    n = df.groupby(day).size()
    active = df.groupby(day)["account"].nunique()
    assert (s.loc[n.index, "n_tweets"].to_numpy() == n.to_numpy()).all()
    assert (s.loc[active.index, "n_active_accounts"].to_numpy() == active.to_numpy()).all()
    # Stance from the generator's own labels, not from the lexicon code.
    for st in ("pro", "anti"):
        tags = {t for t, v in synth.STANCE_TAGS.items() if v == st}
        has = df["text"].str.split().map(lambda words, tags=tags: bool(tags & set(words)))
        exp = has.groupby(day).sum()
        exp_acc = df[has].groupby(day[has])["account"].nunique()
        assert exp.sum() > 0
        assert (s.loc[exp.index, f"n_{st}"].to_numpy() == exp.to_numpy()).all()
        got_acc = s[f"n_{st}_accounts"]
        assert (got_acc.loc[exp_acc.index].to_numpy() == exp_acc.to_numpy()).all()
        assert got_acc.drop(exp_acc.index).eq(0).all()


def test_csv_parquet_glob_and_bytes_agree(synthetic):
    d, csv_path, df = synthetic
    a = ingest(csv_path, freq="W").series
    b = ingest(str(d / "part-*.parquet"), freq="W").series
    c = ingest([d / "part-0.parquet", d / "part-1.parquet"], freq="W").series
    e = ingest(csv_path.read_bytes(), freq="W").series
    for other in (b, c, e):
        pd.testing.assert_frame_equal(a, other)
    assert (a["date"].dt.day_of_week == 0).all()
    m = ingest(csv_path, freq="M").series
    assert (m["date"].dt.day == 1).all() and m["n_tweets"].sum() == a["n_tweets"].sum()
    q = ingest(csv_path, freq="Q").series
    assert set(q["date"].dt.month) <= {1, 4, 7, 10} and q["n_tweets"].sum() == len(df)


def test_progress_is_reported_up_to_done(synthetic):
    _, csv_path, _ = synthetic
    import threading

    seen, threads = [], set()

    def progress(frac, msg):
        seen.append(frac)
        threads.add(threading.get_ident())

    res = ingest(csv_path, freq="D", progress=progress)
    assert seen[-1] == 1.0 and seen == sorted(seen) and len(seen) >= 4
    # Only from the caller's thread: Streamlit cannot update a widget from another one.
    assert threads == {threading.get_ident()}
    assert res.meta["inputs"][0]["sha256"] == hashlib.sha256(csv_path.read_bytes()).hexdigest()


# --- hand-made files ------------------------------------------------------------------------


def write_csv(path, header, rows):
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        w.writerows(rows)
    return path


def raw_file(path, data: bytes):
    path.write_bytes(data)
    return path


HAND = [
    # time, account, followers, text, expected stances
    ("2016-01-01 10:00", "a", 10, "#Daesh out", {"anti"}),
    ("2016-01-01 11:00", "b", 20, "#دَاعِش", {"anti"}),
    ("2016-01-01 12:00", "c", 30, "#CALIPHATE and #caliphate", {"pro"}),
    ("2016-01-01 13:00", "c", 31, "#Dae_sh #الخلافـــة", {"anti", "pro"}),
    ("2016-01-01 14:00", "d", 40, "#الدولة_الاسلامية", {"pro"}),
    ("2016-01-01 15:00", "d", 41, "#Caliphate_News #daeshbad #tag", set()),
    ("2016-01-01 16:00", "e", 50, "no hashtag, Daesh as a word", set()),
    ("2016-01-02 09:00", "a", 11, "#ＤＡＥＳＨ!", {"anti"}),
    ("2016-01-02 09:30", "b", 21, "(#Khilafah) x#Daesh page#caliphate &#39;", {"pro"}),
]


def test_stance_counts_on_hand_made_tweets(tmp_path):
    p = write_csv(
        tmp_path / "h.csv",
        ["time", "account", "followers", "text"],
        [r[:4] for r in HAND],
    )
    s = ingest(p, freq="D").series.set_index(pd.Index(["d1", "d2"]))
    for day, rows in (("d1", HAND[:7]), ("d2", HAND[7:])):
        for st in ("pro", "anti"):
            mine = [r for r in rows if st in r[4]]
            assert s.loc[day, f"n_{st}"] == len(mine)
            assert s.loc[day, f"n_{st}_accounts"] == len({r[1] for r in mine})
    assert s.loc["d1", "n_tweets"] == 7 and s.loc["d1", "n_active_accounts"] == 5
    # One value per account: its follower count on its last tweet of the day.
    assert s.loc["d1", "mean_followers"] == pytest.approx((10 + 20 + 31 + 41 + 50) / 5)
    assert s.loc["d1", "median_followers"] == 31
    assert s.loc["d1", "anti_pro_ratio"] == pytest.approx(3 / 3)
    assert s.loc["d2", "anti_pro_ratio"] == pytest.approx(1 / 1)


def test_follower_cells_that_are_not_numbers_are_counted_apart_from_empty_ones(tmp_path):
    rows = [
        ("2016-01-01 10:00", "a", "10", "#Daesh"),
        ("2016-01-01 11:00", "b", "n/a", "x"),
        ("2016-01-01 12:00", "c", "", "x"),
        ("2016-01-01 13:00", "d", "   ", "x"),
        ("2016-01-01 14:00", "e", "12k", "x"),
        ("2016-01-01 15:00", "f", "30", "x"),
    ]
    res = ingest(write_csv(tmp_path / "f.csv", ["time", "account", "followers", "text"], rows))
    assert "2 follower values were not numbers and were ignored." in res.meta["notes"]
    assert res.series["mean_followers"].iloc[0] == pytest.approx(20.0)
    # Some missing, none wrong: no note. All numbers: no note either.
    res = ingest(write_csv(tmp_path / "g.csv", ["time", "account", "followers", "text"], rows[2:4]))
    assert not [n for n in res.meta["notes"] if "follower values" in n]
    res = ingest(write_csv(tmp_path / "h.csv", ["time", "account", "followers", "text"], rows[:1]))
    assert not [n for n in res.meta["notes"] if "follower values" in n]


def test_csv_files_with_columns_in_different_orders_are_matched_by_name(tmp_path):
    a = write_csv(
        tmp_path / "a.csv",
        ["time", "account", "followers", "text"],
        [("2016-01-01 10:00", "a", 10, "#Daesh"), ("2016-01-02 10:00", "b", 20, "#caliphate")],
    )
    b = write_csv(
        tmp_path / "b.csv",
        ["text", "followers", "account", "time"],
        [("#caliphate #x", 30, "c", "2016-01-02 11:00")],
    )
    s = ingest([a, b], freq="D").series
    assert s["n_tweets"].tolist() == [1, 2] and s["n_pro"].tolist() == [0, 2]
    assert s["n_anti"].tolist() == [1, 0] and s["mean_followers"].tolist() == [10.0, 25.0]


def test_hashtags_column_mapping_and_custom_lexicon(tmp_path):
    p = write_csv(
        tmp_path / "m.csv",
        ["created_at", "user", "tags"],
        [
            ("2016-03-01T10:00:00", "u1", "Foo_Bar, baz"),
            ("2016-03-01T11:00:00", "u2", "#foobar #FOOBAR"),
            ("2016-03-02T11:00:00", "u2", "baz"),
        ],
    )
    lex = "term,stance,language,source,confidence\n#FooBar,pro,en,ASSUMPTION: test,0.5\n"
    res = ingest(
        p,
        mapping=parse_mapping("time=created_at,account=user,hashtags=tags"),
        lexicon=lex.encode(),
        top_k=5,
    )
    s = res.series
    assert s["n_pro"].tolist() == [2, 0] and "n_anti" not in s and "anti_pro_ratio" not in s
    assert any("No anti:pro ratio" in n for n in res.meta["notes"])
    assert any("No followers column" in n for n in res.meta["notes"])
    assert s["mean_followers"].isna().all()
    h = res.hashtags
    assert dict(zip(h["hashtag"] + h["date"].dt.strftime("%d"), h["count"], strict=True)) == {
        "#foobar01": 3,
        "#baz01": 1,
        "#baz02": 1,
    }


def test_coverage_flags_on_a_file_with_a_gap(tmp_path):
    rows = [
        ("2016-01-01 10:00", "a", 1, "x"),
        ("2016-01-03 10:00", "a", 1, "x"),
        ("2016-01-08 10:00", "b", 1, "x"),
        ("2016-01-10 10:00", "b", 1, "x"),
    ]
    p = write_csv(tmp_path / "gap.csv", ["time", "account", "followers", "text"], rows)
    s = ingest(p, freq="D").series
    assert len(s) == 10
    exp = ["ok"] * 3 + ["none"] * 4 + ["ok"] * 3
    assert s["coverage"].tolist() == exp
    assert s["n_tweets"].isna().tolist() == [c == "none" for c in exp]
    assert s.loc[1, "n_tweets"] == 0  # observed and silent: a real zero
    # Two more accounts: one spans the whole file, one only the first days.
    rows += [("2016-01-01 09:00", "c", 1, "x"), ("2016-01-10 09:00", "c", 1, "x")]
    rows += [("2016-01-01 09:00", "d", 1, "x"), ("2016-01-03 09:00", "d", 1, "x")]
    p = write_csv(tmp_path / "gap2.csv", ["time", "account", "followers", "text"], rows)
    s = ingest(p, freq="D").series
    assert s["n_accounts_observed"].tolist() == [3, 3, 3, 1, 1, 1, 1, 2, 2, 2]
    assert s["coverage"].tolist() == ["ok"] * 3 + ["low"] * 4 + ["ok"] * 3
    assert s["n_tweets"].notna().all()


def test_time_zone_conversion(tmp_path):
    rows = [("2016-01-01 02:00:00", "a", 1, "x"), ("2016-01-01T02:00:00+05:00", "b", 1, "x")]
    p = write_csv(tmp_path / "tz.csv", ["time", "account", "followers", "text"], rows)
    plain = ingest(p, freq="D").series
    # The offset one is 2015-12-31 21:00 UTC; the naive one stays as given.
    assert plain["date"].dt.strftime("%Y-%m-%d").tolist() == ["2015-12-31", "2016-01-01"]
    assert plain["n_tweets"].tolist() == [1, 1]
    ny = ingest(p, freq="D", tz="America/New_York").series
    assert ny["date"].dt.strftime("%Y-%m-%d").tolist() == ["2015-12-31"]
    assert ny["n_tweets"].tolist() == [2]
    with pytest.raises(InputError, match="Unknown time zone"):
        ingest(p, tz="Mars/Olympus")


# --- refusals -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("make", "kwargs", "needle"),
    [
        (lambda d: write_csv(d / "x.csv", ["a", "b"], [(1, 2)]), {}, "No column 'time'"),
        (
            lambda d: write_csv(
                d / "x.csv", ["time", "account", "text"], [("1/6/2015 21:07", "a", "t")]
            ),
            {},
            "cannot be read as ISO 8601",
        ),
        (
            lambda d: write_csv(
                d / "x.csv",
                ["time", "account", "text"],
                [("2016-01-01", "a", "t"), ("yesterday", "a", "t"), ("", "a", "t")],
            ),
            {},
            "2 of 3 time values",
        ),
        (
            lambda d: write_csv(
                d / "x.csv",
                ["time", "username", "followers", "tweets"],
                [("2016-01-01 10:00", "a", 1, "t")],
            ),
            {"format": "fifthtribe"},
            "format %m/%d/%Y %H:%M",
        ),
        (lambda d: write_csv(d / "x.csv", ["time", "account", "text"], []), {}, "no tweets"),
        (lambda d: raw_file(d / "x.csv", b""), {}, "is empty"),
        (
            lambda d: raw_file(
                d / "x.csv", b'time,account,text\n2016-01-01,a,"open\n2016-01-02,b,t\n'
            ),
            {},
            "could not be split into columns",
        ),
        (lambda d: raw_file(d / "x.csv", b"PK\x03\x04\x00\x00"), {}, "binary"),
        (
            lambda d: raw_file(d / "x.parquet", b"PAR1junk"),
            {},
            "could not be read",
        ),
        (
            lambda d: write_csv(d / "x.csv", ["time", "account"], [("2016-01-01", "a")]),
            {},
            "Neither a text nor a hashtags column",
        ),
        (lambda d: d / "missing.csv", {}, "not found"),
        (lambda d: d, {}, "is a folder"),
        (lambda d: str(d / "*.parquet"), {}, "No file matches"),
        (
            lambda d: write_csv(
                d / "x.csv", ["time", "account", "text"], [("2016-01-01", "a", "t")]
            ),
            {"mapping": {"followers": "fans"}},
            "No column 'fans' for the followers field",
        ),
        (
            lambda d: write_csv(
                d / "x.csv", ["time", "account", "text"], [("2016-01-01", "a", "t")]
            ),
            {"freq": "H"},
            "Unknown frequency",
        ),
        (
            lambda d: write_csv(
                d / "x.csv", ["time", "account", "text"], [("2016-01-01", "a", "t")]
            ),
            {"format": "twitter"},
            "Unknown format",
        ),
        (
            lambda d: write_csv(
                d / "x.csv", ["time", "account", "text"], [("2016-01-01", "a", "t")]
            ),
            {"memory_limit": "lots"},
            "write a size such as",
        ),
    ],
)
def test_bad_inputs_raise_input_error_with_a_fix(tmp_path, make, kwargs, needle):
    src = make(tmp_path)
    with pytest.raises(InputError) as err:
        ingest(src, **kwargs)
    msg = str(err.value)
    assert needle in msg
    assert len(msg) < 400 and "Traceback" not in msg


def test_mixed_files_and_bad_mapping_are_refused(tmp_path):
    pq = tmp_path / "a.parquet"
    pd.DataFrame({"time": ["2016-01-01"], "account": ["a"], "text": ["t"]}).to_parquet(pq)
    csv_file = write_csv(
        tmp_path / "b.csv", ["time", "account", "text"], [("2016-01-01", "a", "t")]
    )
    with pytest.raises(InputError, match="Mixed CSV and Parquet"):
        ingest([pq, csv_file])
    with pytest.raises(InputError, match="Bad --map item"):
        parse_mapping("time:created_at")


# --- the CLI --------------------------------------------------------------------------------


def test_cli_writes_series_and_sidecar(ft_path, tmp_path):
    out = tmp_path / "monthly.csv"
    r = subprocess.run(
        [
            sys.executable,
            "-m",
            "explorer",
            "ingest",
            str(ft_path),
            "--format",
            "fifthtribe",
            "--freq",
            "M",
            "--out",
            str(out),
            "--hashtags-out",
            str(tmp_path / "tags.parquet"),
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )
    assert r.returncode == 0, r.stderr
    with ft_path.open(encoding="utf-8", newline="") as fh:
        n = sum(1 for _ in csv.DictReader(fh))
    assert f"{n:,} tweets from 40 accounts" in r.stdout
    df = pd.read_csv(out)
    assert df.columns[:3].tolist() == ["date", "n_tweets", "n_active_accounts"]
    assert df["n_tweets"].sum() == n
    assert pd.read_parquet(tmp_path / "tags.parquet")["count"].gt(0).all()
    meta = json.loads(out.with_name("monthly.csv.json").read_text(encoding="utf-8"))
    first = pd.read_csv(ft_path)["time"].map(lambda t: dt.datetime.strptime(t, "%m/%d/%Y %H:%M"))
    assert meta["rows_read"] == n and meta["freq"] == "M"
    assert meta["date_range"][0] == first.min().strftime("%Y-%m-01")


@pytest.mark.parametrize(
    "extra",
    [
        ["--out", "x.txt"],
        ["--out", "x.csv"],  # generic format on the Fifth Tribe columns
        ["--format", "fifthtribe", "--lexicon", "nope.csv", "--out", "x.csv"],
        ["--format", "fifthtribe", "--map", "nonsense", "--out", "x.csv"],
    ],
)
def test_cli_bad_input_is_exit_2_and_one_line(ft_path, tmp_path, extra):
    r = subprocess.run(
        [sys.executable, "-m", "explorer", "ingest", str(ft_path), *extra],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=120,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
    )
    assert r.returncode == 2
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), r.stderr
    assert not (tmp_path / "x.csv").exists()


# --- the bundled data/fifthtribe ------------------------------------------------------------


def _script(name: str):
    sys.path.insert(0, str(ROOT / "scripts"))
    spec = importlib.util.spec_from_file_location(name, ROOT / "scripts" / f"{name}.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_derivative_gives_the_same_series_as_the_kaggle_file(ft_path, tmp_path):
    """The text-free derivative (generic layout, hashtags column) and the Kaggle-layout file
    it comes from give identical series and hashtags at every frequency."""
    derived = tmp_path / "textfree.csv"
    derived.write_bytes(_script("derive_fifthtribe").derive(ft_path))
    for freq in ("D", "W", "M"):
        a = ingest(ft_path, format="fifthtribe", freq=freq, top_k=25)
        b = ingest(derived, format="generic", freq=freq, top_k=25)
        pd.testing.assert_frame_equal(a.series, b.series)
        pd.testing.assert_frame_equal(a.hashtags, b.hashtags)
        for k in ("rows_read", "accounts", "first_tweet", "last_tweet", "coverage", "notes"):
            assert a.meta[k] == b.meta[k], k


def test_derivative_holds_no_text_names_or_descriptions(ft_path, ft_rows, tmp_path):
    blob = _script("derive_fifthtribe").derive(ft_path).decode("utf-8")
    header, *lines = blob.splitlines()
    assert header == "time,account,followers,hashtags" and len(lines) == len(ft_rows)
    raw = pd.read_csv(ft_path, dtype=str)
    for col in ("name", "username", "description", "location"):
        assert not [v for v in set(raw[col].dropna()) if v in blob], col
    # Pseudonyms follow first appearance in the file, not the user names' spelling.
    order = list(dict.fromkeys(raw["username"]))
    got = list(dict.fromkeys(r.split(",")[1] for r in lines))
    assert got == [f"acct-{i:03d}" for i in range(1, len(order) + 1)]
    # Every hashtag field is exactly the tweet's hashtags (the edge cases included).
    for line, (_, _, _, text) in zip(lines, ft_rows, strict=True):
        # All-digit tags ("#1") stay here and are dropped by ingest, as in the raw scan.
        tags = [t for t in line.rsplit(",", 1)[1].split() if not t[1:].isdigit()]
        assert tags == ["#" + h for h in hashtags_of(text)]
    assert "#Daesh" in blob and "#x2016" in blob and ",#a " in blob
    assert "#top" not in blob and "#39" not in blob


def test_derive_script_check_mode(ft_path, tmp_path):
    out = tmp_path / "d.csv"
    cmd = [sys.executable, str(ROOT / "scripts" / "derive_fifthtribe.py"), str(ft_path)]
    assert subprocess.run([*cmd, "--out", str(out)], capture_output=True).returncode == 0
    ok = subprocess.run([*cmd, "--out", str(out), "--check"], capture_output=True, text=True)
    assert ok.returncode == 0 and "matches" in ok.stdout
    out.write_text(out.read_text() + "2016-05-13 00:00,acct-999,1,\n")
    bad = subprocess.run([*cmd, "--out", str(out), "--check"], capture_output=True, text=True)
    assert bad.returncode == 1 and "differs" in bad.stderr


@pytest.mark.parametrize("freq", ["D", "W", "M"])
def test_bundled_derivative_matches_plain_python(derived_rows, freq):
    """The committed derivative, read by ingest, equals a plain-Python count of its rows."""
    res = ingest(DERIVED, format="generic", freq=freq)
    check_against_truth(res, truth(derived_rows, freq))
    assert res.meta["rows_read"] == len(derived_rows) == 17410
    assert res.meta["accounts"] == len({r[1] for r in derived_rows}) == 112


def test_bundled_derivative_has_no_text():
    with DERIVED.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert list(rows[0]) == ["time", "account", "followers", "hashtags"]
    assert {r["account"] for r in rows} == {f"acct-{i:03d}" for i in range(1, 113)}
    # Only hashtags: every token of the last column is '#' and one word.
    toks = [t for r in rows for t in r["hashtags"].split()]
    assert toks and all(t.startswith("#") and "#" not in t[1:] and "/" not in t for t in toks)


def test_bundled_fifthtribe_is_what_the_script_builds(raw_data, tmp_path):
    _script("data_fifthtribe").build(raw_data, tmp_path)
    here = ROOT / "data" / "fifthtribe"
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(p.name for p in here.iterdir())
    for p in tmp_path.iterdir():
        assert p.read_bytes() == (here / p.name).read_bytes(), f"{p.name}: run make data"
    d = json.loads((here / "datapackage.json").read_text(encoding="utf-8"))
    assert d["licenses"][0]["name"] == "CC0-1.0"
    assert d["citation"] == "Fifth Tribe (2016), How ISIS Uses Twitter, Kaggle"
    assert any("scraped backwards" in c for c in d["caveats"])
    assert any("Never display tweet text" in c for c in d["caveats"])
    freqs = {r["name"]: r["frequency"] for r in d["resources"]}
    assert freqs == {"daily": "D", "weekly": "W", "monthly": "M", "hashtags_monthly": None}
    for r in d["resources"]:
        f = here / r["path"]
        assert hashlib.sha256(f.read_bytes()).hexdigest() == r["sha256"]
        with f.open(encoding="utf-8") as fh:
            assert next(csv.reader(fh)) == [x["name"] for x in r["schema"]["fields"]]
        if r["frequency"]:
            assert r["analysis"] == {"time": "date", "value": "n_tweets"}
    monthly = pd.read_csv(here / "monthly.csv")
    assert monthly["n_tweets"].sum() == 17410


def test_bundled_sample_keeps_the_fifthtribe_caveats_in_any_layout(tmp_path):
    """The text-free sample is read with the generic layout, yet it is Fifth Tribe's sample:
    its caveats (convenience sample, scraped backwards) travel with it, also as an upload."""
    for src in (DERIVED, DERIVED.read_bytes()):
        res = ingest(src, format="generic", freq="M")
        assert any("cannot show a 2014 -> 2016 decline" in c for c in res.meta["caveats"])
    other = tmp_path / "o.csv"
    other.write_text("time,account,hashtags\n2016-01-01 10:00,a,#x\n")
    assert not any("2014 -> 2016" in c for c in ingest(other).meta["caveats"])


def test_sidecar_json_keeps_tweet_times_in_iso_and_periods_as_dates(synthetic):
    """The sidecar goes through explorer.schema.clean (which writes timestamps as YYYY-MM-DD):
    times of day are ISO strings before they get there, so nothing is cut to a date."""
    _, csv_path, df = synthetic
    res = ingest(csv_path, freq="W")

    def walk(v):
        if isinstance(v, dict):
            return [x for w in v.values() for x in walk(w)]
        if isinstance(v, list | tuple):
            return [x for w in v for x in walk(w)]
        return [v]

    assert not [v for v in walk(res.meta) if isinstance(v, pd.Timestamp | dt.datetime)]
    side = json.loads(res.sidecar())
    assert side["first_tweet"] == df["time"].min().isoformat()
    assert side["last_tweet"] == df["time"].max().isoformat()
    assert all(len(d) == 10 for d in side["date_range"])
    assert res.sidecar().endswith("}\n") and "NaN" not in res.sidecar()
