"""``python -m explorer specs``: the specification curve (every defensible modelling choice).

Example::

    python -m explorer specs sicily.csv --time month_start --value aces \\
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

HELP = "specification curve: the effect under every defensible choice, and how many agree"


def add_arguments(p: argparse.ArgumentParser) -> None:
    add_data_arguments(p)
    add_model_arguments(p)
    g = p.add_argument_group("specification curve")
    g.add_argument("--label", help="the intervention whose effect is tracked (default: first)")
    g.add_argument(
        "--claimed-sign",
        choices=("fall", "rise"),
        help="the claim's direction (default: the main estimate's sign)",
    )
    g.add_argument("--include-ar", action="store_true", help="add AR(1)-error paths (slow)")
    g.add_argument("--include-negbin", action="store_true", help="add negative binomial paths")
    add_json_argument(p)


def run(args: argparse.Namespace) -> int:
    from explorer.robustness.curve import default_choices, specification_curve

    table, series, spec = series_and_spec_from_args(args)
    choices = default_choices(series, spec)
    if args.include_ar:
        choices["errors"] = [*choices["errors"], "ar:1"]
    if args.include_negbin and "quasipoisson" in choices["family"]:
        choices["family"] = [*choices["family"], "negbin"]
    sign = {"fall": -1, "rise": 1}.get(args.claimed_sign)
    res = specification_curve(series, spec, label=args.label, choices=choices, claimed_sign=sign)
    from explorer.robustness.verdict import specs_answer

    answer = specs_answer(res)
    out = {**envelope("specs", table, spec), **res.to_dict(), "verdict": answer.to_dict()}
    write_json(out, args.json)
    if args.json != "-":
        sys.stdout.write(
            f"{res.n_paths} forking paths ({int(res.rows['ok'].sum())} fitted); "
            f"{res.share_same_sign_significant:.0%} give a significant "
            f"{'fall' if res.claimed_sign < 0 else 'rise'}.\n"
        )
        sys.stdout.write(answer.sentence + "\n")
    return 0
