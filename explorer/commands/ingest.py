"""``python -m explorer ingest``: tweet archives -> a per-period series with stance and coverage.

Prints counts only (rows, accounts, periods, coverage); never tweet text or account names.
"""

from __future__ import annotations

import argparse
import sys

HELP = (
    "turn tweet files (CSV or Parquet, any size) into a per-period series with stance and coverage"
)


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "files", nargs="+", metavar="FILE", help="CSV/Parquet files or globs ('a/*.parquet')"
    )
    p.add_argument(
        "--format",
        default="generic",
        choices=["fifthtribe", "generic"],
        help="column layout: fifthtribe (Kaggle file) or generic (default)",
    )
    p.add_argument(
        "--map",
        dest="mapping",
        metavar="FIELD=COL,...",
        help="columns for time, account, followers, text, hashtags "
        "(e.g. time=created_at,account=user_id)",
    )
    p.add_argument(
        "--lexicon", metavar="FILE", help="stance lexicon CSV (default: the bundled one)"
    )
    p.add_argument(
        "--freq",
        default="D",
        choices=["D", "W", "M", "Q", "Y"],
        help="period: D, W (weeks start Monday), M, Q, Y (default D)",
    )
    p.add_argument("--tz", help="convert times (taken as UTC) to this IANA zone (default: none)")
    p.add_argument(
        "--time-format", help="strptime format of the time column (e.g. '%%d/%%m/%%Y %%H:%%M')"
    )
    p.add_argument(
        "--top-k", type=int, default=20, help="hashtags to count per period (default 20)"
    )
    p.add_argument(
        "--hashtags-out", metavar="FILE", help="also write the top-K hashtag counts (.csv/.parquet)"
    )
    p.add_argument(
        "--out",
        required=True,
        metavar="FILE",
        help="output series (.csv or .parquet); a sidecar FILE.json is written beside it",
    )
    p.add_argument(
        "--memory-limit",
        default="1GB",
        help="DuckDB memory limit before spilling to disk (default 1GB)",
    )
    p.add_argument("--threads", type=int, help="DuckDB threads (default: up to 4)")
    p.add_argument("--quiet", action="store_true", help="no progress on stderr")


def run(args: argparse.Namespace) -> int:
    import pathlib

    from explorer.errors import InputError
    from explorer.tweets.pipeline import ingest, parse_mapping, write_result

    out = pathlib.Path(args.out)
    if out.suffix.lower() not in (".csv", ".parquet"):
        raise InputError(f"--out {out.name!r}: the series is written as .csv or .parquet.")
    if not out.parent.is_dir():
        raise InputError(f"--out: folder {str(out.parent)!r} does not exist; create it first.")

    def progress(frac: float, msg: str) -> None:
        if not args.quiet and sys.stderr.isatty():
            sys.stderr.write(f"\r{frac:4.0%} {msg:<30}")
            sys.stderr.flush()

    res = ingest(
        args.files,
        format=args.format,
        mapping=parse_mapping(args.mapping),
        lexicon=args.lexicon,
        freq=args.freq,
        tz=args.tz,
        top_k=args.top_k,
        time_format=args.time_format,
        progress=progress,
        memory_limit=args.memory_limit,
        threads=args.threads,
    )
    if not args.quiet and sys.stderr.isatty():
        sys.stderr.write("\n")
    written = write_result(res, out, hashtags_out=args.hashtags_out)
    m = res.meta
    cov = m["coverage"]
    print(
        f"{m['rows_read']:,} tweets from {m['accounts']:,} accounts -> {m['n_periods']} "
        f"{args.freq} periods {m['date_range'][0]}..{m['date_range'][1]} "
        f"(coverage: {cov['ok']} ok, {cov['low']} low, {cov['none']} none)"
    )
    out_of_range = m.get("left_out_out_of_range") or {}
    if out_of_range.get("n"):
        lo, hi = out_of_range["allowed"]
        print(f"left out {out_of_range['n']:,} tweets dated outside {lo}..{hi} (see the sidecar)")
    for p in written:
        print(f"wrote {p}")
    return 0
