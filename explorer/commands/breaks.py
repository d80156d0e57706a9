"""``python -m explorer breaks``: where does the series itself break? Sup-F and Bai-Perron.

Example (the Nile, as in strucchange)::

    python -m explorer breaks nile.csv --time year --value flow --no-trend --json -
"""

from __future__ import annotations

import argparse
import sys

from explorer.commands._common import add_data_arguments, add_json_argument, write_json
from explorer.commands.sweep import envelope

HELP = "find the series' own breaks: sup-F test (Hansen p-value), Bai-Perron dates with CIs"


def add_arguments(p: argparse.ArgumentParser) -> None:
    add_data_arguments(p)
    g = p.add_argument_group("breaks")
    g.add_argument("--max-breaks", type=int, default=3, metavar="M", help="at most M breaks (3)")
    g.add_argument("--trim", type=float, default=0.15, help="minimum segment share (0.15)")
    g.add_argument("--criterion", default="bic", choices=("bic", "lwz"), help="break count (bic)")
    g.add_argument("--no-trend", action="store_true", help="mean shifts only (y ~ 1)")
    g.add_argument("--log", action="store_true", help="test log(y)")
    g.add_argument(
        "--pvalue",
        default="hansen",
        choices=("hansen", "simulated"),
        help="sup-F p-value: Hansen's approximation (as strucchange) or simulated for this design",
    )
    g.add_argument(
        "--intervention",
        action="append",
        default=[],
        metavar="SPEC",
        help="the claimed date (LABEL=DATE or a catalogue key) to compare the breaks with",
    )
    add_json_argument(p)


def run(args: argparse.Namespace) -> int:
    from explorer.commands._common import series_and_spec_from_args
    from explorer.robustness.breaks import find_breaks

    table, series, spec = series_and_spec_from_args(args)
    res = find_breaks(
        series,
        trend=not args.no_trend,
        max_breaks=args.max_breaks,
        trim=args.trim,
        criterion=args.criterion,
        use_log=args.log,
        pvalue=args.pvalue,
    )
    out = {**envelope("breaks", table, spec), **res.to_dict()}
    answer = None
    if spec.interventions:  # compare the data's own breaks with the claimed date
        from explorer.periods import to_period_start
        from explorer.robustness.verdict import breaks_answer

        claimed = to_period_start([spec.interventions[0].timestamp], series.freq)[0]
        answer = breaks_answer(res, claimed, series.freq)
        out["verdict"] = answer.to_dict()
    write_json(out, args.json)
    if args.json != "-":
        sf = res.supf
        sys.stdout.write(
            f"sup-F = {sf['statistic']:.2f} (p = {sf['p_value']:.3g}, {sf['p_method']}) at "
            f"{sf['date']:%Y-%m-%d}; {res.n_breaks} break(s) by {res.criterion.upper()}: "
            + (", ".join(f"{b['date']:%Y-%m-%d}" for b in res.breaks) or "none")
            + "\n"
        )
        if answer is not None:
            sys.stdout.write(answer.sentence + "\n")
    return 0
