"""Synthetic tweet archives for the benchmarks and tests: seeded, harmless, any size.

Columns (the ``generic`` ingest format): ``time`` (ISO 8601 text in CSV, a timestamp in Parquet),
``account``, ``followers``, ``text``. The text is neutral filler words plus 0-3 hashtags drawn
from a Zipf-like vocabulary that includes the lexicon's terms in several spellings (case,
underscores, Arabic diacritics and tatweel), so stance matching does real work.

    python scripts/make_synthetic_tweets.py OUT.csv --rows 1000000
    python scripts/make_synthetic_tweets.py OUT.parquet --rows 10000000

Files go wherever you say (the benchmarks use a temporary folder); none are committed.

``make_kaggle`` writes a small file in the layout of Fifth Tribe's Kaggle file instead (name,
username, description, location, followers, numberstatuses, time as ``m/d/Y H:M``, tweets),
harmless text included, for the tests of ``scripts/derive_fifthtribe.py`` and of
``--format fifthtribe``: accounts scraped backwards from May 2016, texts with the hashtag edge
cases (URL fragments, HTML entities, ``#a#b`` chains, all-digit tags, quoted commas and line
breaks).

    python scripts/make_synthetic_tweets.py OUT.csv --rows 3000 --kaggle
"""

from __future__ import annotations

import argparse
import pathlib

import numpy as np

WORDS = (
    "news update today city report market weather road bridge school match river train "
    "photo video morning evening week people council water power field music"
).split()
# Lexicon terms as people write them, with the stance the bundled lexicon gives each.
STANCE_TAGS = {
    "#Caliphate": "pro",
    "#caliphate": "pro",
    "#CALIPHATE": "pro",
    "#Khilafah": "pro",
    "#الخلافة": "pro",
    "#الخلافـــة": "pro",
    "#دولة_الخلافة": "pro",
    "#Daesh": "anti",
    "#daesh": "anti",
    "#Dae_sh": "anti",
    "#داعش": "anti",
    "#دَاعِش": "anti",
    "#NotInMyName": "anti",
}
CHUNK = 1_000_000


def _vocabulary(rng: np.random.Generator, n_tags: int) -> tuple[np.ndarray, np.ndarray]:
    tags = [f"#tag{i:04d}" for i in range(n_tags)] + list(STANCE_TAGS)
    w = 1.0 / np.arange(1, n_tags + 1) ** 1.1
    w = 0.95 * w / w.sum()
    # Each stance spelling gets a fixed share of draws, so every archive size exercises matching.
    w = np.concatenate([w, np.full(len(STANCE_TAGS), 0.05 / len(STANCE_TAGS))])
    return np.array(tags, dtype=object), w / w.sum()


def _text_pool(rng: np.random.Generator, n: int, n_tags: int) -> np.ndarray:
    tags, p = _vocabulary(rng, n_tags)
    pool = []
    for _ in range(n):
        words = list(rng.choice(WORDS, size=rng.integers(6, 16)))
        for t in rng.choice(tags, size=rng.integers(0, 4), p=p):
            words.insert(int(rng.integers(0, len(words) + 1)), t)
        pool.append(" ".join(words))
    return np.array(pool, dtype=object)


def chunks(
    n_rows: int,
    *,
    seed: int = 0,
    n_accounts: int = 20_000,
    start: str = "2014-06-01",
    days: int = 730,
    n_tags: int = 2_000,
    pool: int = 20_000,
):
    """Yield pyarrow Tables of at most 1M rows making ``n_rows`` synthetic tweets."""
    import pyarrow as pa

    rng = np.random.default_rng(seed)
    texts = _text_pool(rng, pool, n_tags)
    accounts = np.array([f"acct{i:06d}" for i in range(n_accounts)], dtype=object)
    base_followers = rng.lognormal(6.0, 1.5, n_accounts).astype(np.int64)
    # Account activity is skewed: a few accounts post much of the traffic.
    act = rng.pareto(1.5, n_accounts) + 1.0
    act /= act.sum()
    t0 = np.datetime64(start, "s")
    for lo in range(0, n_rows, CHUNK):
        n = min(CHUNK, n_rows - lo)
        a = rng.choice(n_accounts, size=n, p=act)
        secs = rng.integers(0, days * 86_400, size=n)
        yield pa.table(
            {
                "time": pa.array(t0 + secs.astype("timedelta64[s]"), pa.timestamp("s")),
                "account": pa.array(accounts[a], pa.string()),
                "followers": pa.array(base_followers[a] + secs // 86_400, pa.int64()),
                "text": pa.array(texts[rng.integers(0, len(texts), size=n)], pa.string()),
            }
        )


def make(path, n_rows: int, **kwargs) -> pathlib.Path:
    """Write ``n_rows`` synthetic tweets to ``path`` (.csv or .parquet); return the path."""
    import pyarrow as pa
    import pyarrow.csv as pcsv
    import pyarrow.parquet as pq

    path = pathlib.Path(path)
    if path.suffix == ".parquet":
        writer = None
        for tbl in chunks(n_rows, **kwargs):
            if writer is None:
                # Dictionary-encode accounts only, as archive exports usually do; text stays plain.
                writer = pq.ParquetWriter(path, tbl.schema, use_dictionary=["account"])
            writer.write_table(tbl)
        if writer is not None:
            writer.close()
        return path
    with pcsv.CSVWriter(path, _csv_schema()) as writer:
        for tbl in chunks(n_rows, **kwargs):
            iso = pa.compute.strftime(tbl["time"], format="%Y-%m-%d %H:%M:%S")
            writer.write_table(tbl.set_column(0, "time", iso))
    return path


def _csv_schema():
    import pyarrow as pa

    return pa.schema(
        [
            ("time", pa.string()),
            ("account", pa.string()),
            ("followers", pa.int64()),
            ("text", pa.string()),
        ]
    )


KAGGLE_COLUMNS = (
    "name",
    "username",
    "description",
    "location",
    "followers",
    "numberstatuses",
    "time",
    "tweets",
)
# Texts that exercise what the hashtag extraction must (and must not) count.
EDGE_TEXTS = (
    "see page#top and &#39;quoted&#39; words",
    "#a#b chain then #Daesh, at last",
    "numbers #2016 and #1 are not hashtags but #x2016 is",
    'a "quoted, comma" line\nwith a break #Caliphate',
    "#الخلافـــة #دولة_الخلافة بيان",
    "trailing hash # and ## double",
)


def make_kaggle(path, n_rows: int = 3000, *, seed: int = 0, n_accounts: int = 40) -> pathlib.Path:
    """Write ``n_rows`` synthetic tweets in the Kaggle file's layout to ``path``; return it."""
    import csv
    import datetime as dt

    rng = np.random.default_rng(seed)
    texts = list(_text_pool(rng, 400, 60)) + list(EDGE_TEXTS) * 10
    end = dt.datetime(2016, 5, 13, 23, 0)
    # Scraped backwards: every account's tweets run back from May 2016, a few of them far.
    spans = rng.pareto(1.2, n_accounts) * 30 + 3
    share = rng.pareto(1.5, n_accounts) + 1.0
    per = np.maximum(1, np.round(share / share.sum() * n_rows)).astype(int)
    per[0] += n_rows - per.sum()
    rows = []
    for a in range(n_accounts):
        back = np.sort(rng.uniform(0, min(spans[a], 480), per[a]))[::-1]
        fol = int(rng.lognormal(6.0, 1.2))
        for days in back:
            t = end - dt.timedelta(days=float(days))
            rows.append(
                (
                    f"Synthetic Name {a}",
                    f"synth_user_{a:03d}",
                    f"harmless description {a}, words",
                    "" if a % 3 else "Somewhere, Nowhere",
                    str(fol + int(480 - days)),
                    str(100 + a),
                    f"{t.month}/{t.day}/{t.year} {t.hour}:{t.minute:02d}",
                    texts[int(rng.integers(0, len(texts)))],
                )
            )
    path = pathlib.Path(path)
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(KAGGLE_COLUMNS)
        w.writerows(rows)
    return path


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out", help="OUT.csv or OUT.parquet")
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--accounts", type=int, default=20_000)
    ap.add_argument("--kaggle", action="store_true", help="the Fifth Tribe Kaggle layout (CSV)")
    args = ap.parse_args(argv)
    if args.kaggle:
        make_kaggle(args.out, args.rows, seed=args.seed, n_accounts=min(args.accounts, 200))
    else:
        make(args.out, args.rows, seed=args.seed, n_accounts=args.accounts)
    print(f"wrote {args.rows:,} synthetic tweets to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
