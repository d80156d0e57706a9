"""``python -m explorer answer CLAIM_ID``: the quotable answer for one published figure.

Examples::

    python -m explorer answer AP-01            # the sentence, three reasons and the citation
    python -m explorer answer AP-01 --json -   # the same as JSON on stdout
"""

from __future__ import annotations

import argparse
import sys
import textwrap

from explorer.commands._common import claims_envelope, write_json
from explorer.errors import InputError

HELP = (
    "one quotable sentence, three reasons with their sources and a citation for a published figure"
)


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("claim_id", metavar="CLAIM_ID", help="a published figure, e.g. AP-01")
    p.add_argument("--json", metavar="FILE|-", help="write the answer as JSON ('-' for stdout)")


def envelope() -> dict:
    """The fields the answer JSON starts with."""
    return claims_envelope("answer")


def text(ans) -> str:
    wrap = lambda t, i="": textwrap.fill(t, 100, initial_indent=i, subsequent_indent="   ")  # noqa: E731
    out = [wrap(ans.sentence), ""]
    out += [
        wrap(f"{r.text} [{', '.join(r.claim_ids)}]", f"{n}. ") for n, r in enumerate(ans.reasons, 1)
    ]
    out += ["", wrap(ans.citation)]
    return "\n".join(out) + "\n"


def run(args: argparse.Namespace) -> int:
    from explorer.answer import headline

    ans = headline(args.claim_id)  # an unknown id is an InputError: one line, exit 2
    if args.json:
        try:
            write_json({**envelope(), "answer": ans.to_dict()}, args.json)
        except OSError as exc:
            raise InputError(
                f"Cannot write {args.json!r} ({exc.strerror}): give a writable path or '-'."
            ) from None
        if args.json == "-":
            return 0
    sys.stdout.write(text(ans))
    return 0
