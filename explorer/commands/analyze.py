"""``python -m explorer analyze``: fit an interrupted time series and, if asked, attribute a claim.

Example (the bundled Sicily data of Lopez Bernal et al. 2017)::

    python -m explorer analyze sicily.csv --time month_start --value aces --offset stdpop \\
        --family quasipoisson --seasonality fourier:2 --no-slope-change \\
        --intervention ban=2005-01 --json -
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

HELP = "fit an interrupted time-series model; split a claimed change into trend and interventions"


def add_arguments(p: argparse.ArgumentParser) -> None:
    add_data_arguments(p)
    add_model_arguments(p)
    g = p.add_argument_group("attribution of a claimed change")
    g.add_argument("--claim-start", metavar="DATE", help="start of the claim's window")
    g.add_argument("--claim-end", metavar="DATE", help="end of the claim's window")
    g.add_argument(
        "--claimed-change", metavar="PCT", help="the claimed change in percent, e.g. -45%%"
    )
    g.add_argument("--credit", metavar="LABEL", help="the intervention the claim credits")
    p.add_argument("--series", action="store_true", help="add the counterfactual frame to the JSON")
    add_json_argument(p)


def claim_from_args(args: argparse.Namespace):
    """The ``ClaimSpec`` the --claim-* flags describe, or None."""
    from explorer.spec import ClaimSpec, parse_claimed_change

    if not (args.claim_start or args.claim_end):
        if args.claimed_change or args.credit:
            raise InputError(
                "--claimed-change and --credit need the claim's window: add --claim-start DATE "
                "and --claim-end DATE."
            )
        return None
    if not (args.claim_start and args.claim_end):
        raise InputError("Give both --claim-start and --claim-end (the claim's window).")
    return ClaimSpec(
        start=args.claim_start,
        end=args.claim_end,
        claimed_change_pct=parse_claimed_change(args.claimed_change),
        credit=args.credit,
    )


def run(args: argparse.Namespace) -> int:
    from explorer.attribution import attribute
    from explorer.models.fit import fit_its

    claim = claim_from_args(args)
    table, series, spec = series_and_spec_from_args(args)
    result = fit_its(series, spec)
    out = result.to_dict(series=args.series)
    out["provenance"] = provenance(table)
    att = attribute(result, claim) if claim is not None else None
    if att is not None:
        out["attribution"] = att.to_dict()
    write_json(out, args.json)
    if args.json != "-":
        sys.stdout.write(result.summary() + "\n")
        if att is not None:
            sys.stdout.write("\nAttribution: " + att.summary + "\n")
    return 0
