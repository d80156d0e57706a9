"""Fifth Tribe's Kaggle file -> the text-free tweet-level file committed in ``data/raw``.

The Kaggle file ("How ISIS Uses Twitter", Fifth Tribe 2016, CC0) holds extremist tweet text,
user names, descriptions and locations, so it is never committed. This script keeps, per tweet,
only what the bundled series need:

``time``
    ``YYYY-MM-DD HH:MM`` (the Kaggle file's ``m/d/Y H:M``, unchanged in value).
``account``
    A pseudonym ``acct-001``, ``acct-002``, ... numbered in order of the account's first row in
    the file (not a hash of the public user name, which anyone could recompute).
``followers``
    The follower count recorded with the tweet, as written in the file.
``hashtags``
    The tweet's hashtags, space separated (``#a #b``), extracted by the same expression as
    ``explorer.tweets.ingest`` (``HASHTAG_RE``, in DuckDB); empty when the tweet has none.

``data/fifthtribe/`` is then built from this file by ``explorer.tweets.ingest`` with the
``generic`` layout, whose ``hashtags`` column replaces the text, and equals what the raw file
gives under ``--format fifthtribe`` (tested on a synthetic file in the Kaggle layout).

Usage::

    python scripts/derive_fifthtribe.py KAGGLE_TWEETS.csv [--out FILE]  # write the derivative
    python scripts/derive_fifthtribe.py KAGGLE_TWEETS.csv --check      # compare with data/raw

``--check`` exits 1 when the committed file differs from what the raw file gives.
"""

from __future__ import annotations

import argparse
import csv
import io
import pathlib
import sys

ROOT = pathlib.Path(__file__).resolve().parents[1]
DERIVED = ROOT / "data" / "raw" / "fifthtribe" / "tweets_textfree.csv"
COLUMNS = ("time", "account", "followers", "hashtags")
KAGGLE_COLUMNS = ("username", "followers", "time", "tweets")
TIME_FORMAT = "%m/%d/%Y %H:%M"


def derive(kaggle_csv: str | pathlib.Path) -> bytes:
    """The derivative's bytes (UTF-8 CSV, ``\\n`` line ends) from the Kaggle CSV at this path.

    Raises
    ------
    SystemExit
        The file lacks a Kaggle column or holds a time that is not ``m/d/Y H:M``.
    """
    import duckdb

    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    from explorer.tweets.pipeline import HASHTAG_RE

    path = pathlib.Path(kaggle_csv)
    con = duckdb.connect()
    try:
        src = (
            f"read_csv('{_sql(str(path))}', header = true, all_varchar = true, "
            "quote = '\"', escape = '\"')"
        )
        cols = {r[0] for r in con.execute(f"DESCRIBE SELECT * FROM {src}").fetchall()}
        missing = [c for c in KAGGLE_COLUMNS if c not in cols]
        if missing:
            raise SystemExit(
                f"error: {path.name} has no column {missing[0]!r}: give the Kaggle file "
                f"(columns {', '.join(KAGGLE_COLUMNS)} among others)"
            )
        # Row order is the file's (insertion order is preserved by default), so pseudonyms
        # follow first appearance.
        rows = con.execute(
            f"""SELECT time, try_strptime(trim(time), '{TIME_FORMAT}') AS ts,
                       nullif(trim(username), '') AS account, followers,
                       CASE WHEN contains(tweets, '#')
                            THEN regexp_extract_all(tweets, '{_sql(HASHTAG_RE)}', 1) END
                FROM {src}"""
        ).fetchall()
    finally:
        con.close()
    ids: dict[str, str] = {}
    buf = io.StringIO(newline="")
    out = csv.writer(buf, lineterminator="\n")
    out.writerow(COLUMNS)
    for i, (raw_time, ts, account, followers, tags) in enumerate(rows, start=2):
        if ts is None:
            raise SystemExit(f"error: row {i}: time {raw_time!r} is not {TIME_FORMAT}")
        if account is None:
            pseudonym = ""
        else:
            pseudonym = ids.setdefault(account, f"acct-{len(ids) + 1:03d}")
        out.writerow(
            [
                ts.strftime("%Y-%m-%d %H:%M"),
                pseudonym,
                followers or "",
                " ".join("#" + t for t in tags or ()),
            ]
        )
    return buf.getvalue().encode("utf-8")


def _sql(s: str) -> str:
    return s.replace("'", "''")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("kaggle_csv", help="the Kaggle file (tweets.csv)")
    parser.add_argument("--out", default=str(DERIVED), help="where to write the derivative")
    parser.add_argument(
        "--check", action="store_true", help="compare with the committed file instead"
    )
    args = parser.parse_args(argv)
    if not pathlib.Path(args.kaggle_csv).is_file():
        sys.stderr.write(f"error: {args.kaggle_csv} not found: give the Kaggle tweets.csv\n")
        return 2
    data = derive(args.kaggle_csv)
    target = pathlib.Path(args.out)
    if args.check:
        same = target.is_file() and target.read_bytes() == data
        rows = data.count(b"\n") - 1
        if same:
            print(f"{target}: matches what {args.kaggle_csv} gives ({rows} tweets)")
            return 0
        sys.stderr.write(
            f"{target} differs from what {args.kaggle_csv} gives ({rows} tweets): run "
            f"python scripts/derive_fifthtribe.py {args.kaggle_csv} and make data\n"
        )
        return 1
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
    rows = data.count(b"\n") - 1
    print(f"{target}: {rows} tweets, {len(data):,} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
