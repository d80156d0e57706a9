"""``python -m explorer placebo``: the real effect among fake dates (or fake treated units).

Example::

    python -m explorer placebo sicily.csv --time month_start --value aces \\
        --intervention ban=2005-01 --json -
"""

from __future__ import annotations

import argparse
import sys

from explorer.commands._common import (
    add_data_arguments,
    add_json_argument,
    add_model_arguments,
    series_and_spec_from_args,
    write_json,
)
from explorer.commands.sweep import envelope

HELP = "placebo tests: the real effect's rank among fake dates (or control units)"


def add_arguments(p: argparse.ArgumentParser) -> None:
    add_data_arguments(p)
    add_model_arguments(p)
    g = p.add_argument_group("placebo")
    g.add_argument("--label", help="the intervention to test (default: the first)")
    g.add_argument("--in-space", action="store_true", help="treat each control unit instead")
    g.add_argument("--trim", type=float, default=0.15, help="pre-period share kept each side")
    g.add_argument(
        "--statistic",
        default="t",
        choices=("t", "estimate"),
        help="rank |estimate/se| (t, default) or |estimate|",
    )
    g.add_argument("--one-sided", action="store_true", help="rank in the effect's direction only")
    add_json_argument(p)


def run(args: argparse.Namespace) -> int:
    from explorer.robustness.placebo import placebo_in_space, placebo_in_time

    table, series, spec = series_and_spec_from_args(args)
    kw = {"label": args.label, "statistic": args.statistic, "two_sided": not args.one_sided}
    if args.in_space:
        res = placebo_in_space(series, spec, **kw)
    else:
        res = placebo_in_time(series, spec, trim=args.trim, **kw)
    from explorer.robustness.verdict import placebo_answer

    answer = placebo_answer(res)
    out = {**envelope("placebo", table, spec), **res.to_dict(), "verdict": answer.to_dict()}
    write_json(out, args.json)
    if args.json != "-":
        sys.stdout.write(
            f"Real level change {res.effect:.4g}; {res.n_placebos} placebos "
            f"({'units' if res.kind == 'space' else 'dates'}); permutation p = {res.p_value:.3f} "
            f"(smallest attainable {res.min_attainable_p:.3f}).\n"
        )
        sys.stdout.write(answer.sentence + "\n")
    return 0
