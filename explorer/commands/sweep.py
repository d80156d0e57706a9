"""``python -m explorer sweep``: refit with the intervention moved over every admissible date.

Example::

    python -m explorer sweep sicily.csv --time month_start --value aces \\
        --intervention ban=2005-01 --window 6 --json -
"""

from __future__ import annotations

import argparse
import sys

from explorer.commands._common import (
    add_data_arguments,
    add_json_argument,
    add_model_arguments,
    provenance,
    series_and_spec_from_args,
    write_json,
)
from explorer.errors import InputError
from explorer.schema import SCHEMA_VERSION

HELP = "move an intervention date over every admissible period: effects, SSR and F per date"


def add_arguments(p: argparse.ArgumentParser) -> None:
    add_data_arguments(p)
    add_model_arguments(p)
    g = p.add_argument_group("sweep")
    g.add_argument("--label", help="the intervention to move (default: the first)")
    g.add_argument("--window", type=int, metavar="N", help="periods each side (default: all)")
    g.add_argument("--trim", type=float, default=0.15, help="share kept each side (default 0.15)")
    g.add_argument(
        "--allow-structural",
        action="store_true",
        help="loop over structural fits instead of using the segmented regression (slow)",
    )
    add_json_argument(p)


def envelope(command: str, table, spec) -> dict:
    """The fields every robustness command's JSON starts with."""
    return {
        "schema_version": SCHEMA_VERSION,
        "command": command,
        "spec": spec.to_dict(),
        "provenance": provenance(table),
    }


def run(args: argparse.Namespace) -> int:
    from explorer.robustness.sweep import sweep_dates

    if args.window is not None and args.window < 1:
        raise InputError("--window must be 1 or more periods.")
    table, series, spec = series_and_spec_from_args(args)
    res = sweep_dates(
        series,
        spec,
        label=args.label,
        window=args.window,
        trim=args.trim,
        allow_structural=args.allow_structural,
    )
    from explorer.robustness.verdict import sweep_answer

    answer = sweep_answer(res, freq=series.freq)
    out = {**envelope("sweep", table, spec), **res.to_dict(), "verdict": answer.to_dict()}
    write_json(out, args.json)
    if args.json != "-":
        r = res.rows
        sys.stdout.write(
            f"{len(r)} dates swept for {res.label!r} ({res.path}, {res.errors} errors). "
            f"Best-fitting date: {res.best_date:%Y-%m-%d}, {res.distance:+d} period(s) from "
            f"{res.given_date:%Y-%m-%d}.\n"
        )
        if res.note:
            sys.stdout.write(res.note + "\n")
        sys.stdout.write(answer.sentence + "\n")
    return 0
