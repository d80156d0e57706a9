"""``python -m explorer power``: power to detect an effect, and the minimum detectable effect.

Example::

    python -m explorer power sicily.csv --time month_start --value aces --log \\
        --intervention ban=2005-01 --effect -0.1 --json -
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
from explorer.errors import InputError

HELP = "power to detect a level/slope change by simulation, and the minimum detectable effect"


def add_arguments(p: argparse.ArgumentParser) -> None:
    add_data_arguments(p)
    add_model_arguments(p)
    g = p.add_argument_group("power")
    g.add_argument("--label", help="the intervention (default: the first)")
    g.add_argument(
        "--effect",
        type=float,
        metavar="X",
        help="the change to detect, on the model's scale (log scale with --log)",
    )
    g.add_argument("--effect-kind", default="level", choices=("level", "slope"))
    g.add_argument("--draws", type=int, default=1000, help="simulated series (1000)")
    g.add_argument("--alpha", type=float, default=0.05, help="test level (0.05)")
    g.add_argument("--ar-order", type=int, default=1, help="AR order of the simulated noise (1)")
    g.add_argument("--seed", type=int, default=0)
    add_json_argument(p)


def run(args: argparse.Namespace) -> int:
    from explorer.robustness.power import power_analysis

    if args.draws < 100:
        raise InputError("--draws must be at least 100 for a usable power estimate.")
    if not 0 < args.alpha < 0.5:
        raise InputError("--alpha must be between 0 and 0.5 (e.g. 0.05).")
    table, series, spec = series_and_spec_from_args(args)
    res = power_analysis(
        series,
        spec,
        effect=args.effect,
        kind=args.effect_kind,
        label=args.label,
        n_draws=args.draws,
        alpha=args.alpha,
        ar_order=args.ar_order,
        seed=args.seed,
    )
    from explorer.robustness.verdict import power_answer

    answer = power_answer(res)
    out = {**envelope("power", table, spec), **res.to_dict(), "verdict": answer.to_dict()}
    write_json(out, args.json)
    if args.json != "-":
        msg = f"Minimum detectable {res.kind} change (80% power): {res.mde:.4g}"
        if res.mde_pct is not None:
            msg += f" ({res.mde_pct:+.1f}%)"
        if res.power is not None:
            msg += f"; power to detect {res.effect:g}: {res.power:.0%}"
        sys.stdout.write(msg + f" [{res.n_draws} draws, AR{tuple(round(a, 3) for a in res.ar)}]\n")
        sys.stdout.write(answer.sentence + "\n")
    return 0
