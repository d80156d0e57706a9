"""``python -m explorer record [GROUP]``: the public record as evidence, as a table or as JSON.

Examples::

    python -m explorer record                       # every group, as readable tables
    python -m explorer record suspensions --json -  # one group as JSON on stdout
"""

from __future__ import annotations

import argparse
import sys
import textwrap

from explorer.commands._common import claims_envelope, write_json
from explorer.errors import InputError

HELP = "the published snapshots of the same quantities, grouped, harmonised and sourced"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "group",
        metavar="GROUP",
        nargs="?",
        help="one group (followers, supporters, suspensions, ratio); default: all",
    )
    p.add_argument("--json", metavar="FILE|-", help="write the record as JSON ('-' for stdout)")


def envelope() -> dict:
    """The fields the record JSON starts with."""
    return claims_envelope("record")


def _wrap(text: str, indent: str = "  ") -> str:
    return textwrap.fill(text, 100, initial_indent=indent, subsequent_indent=indent)


def _value(p: dict) -> str:
    return {"lower": ">= ", "upper": "<= "}.get(p.get("bound") or "", "") + p["value_text"]


def table_text(rec: dict) -> str:
    """The groups as plain-text tables, each with what it shows and cannot show."""
    out = []
    for g in rec["groups"]:
        out.append(f"{g['id']}: {g['title']} ({g['unit']})")
        rows = [
            ("POINT", "VALUE", "PERIOD", "REPORTED AS STATED", "CHECKABLE", "FORMULA", "SOURCE")
        ]
        for p in g["points"]:
            src = p["source"] if len(p["source"]) <= 60 else p["source"][:57] + "..."
            rows.append(
                (
                    p["point_id"],
                    _value(p),
                    p["period_words"],
                    p["reported_as_stated"],
                    p["checkable"],
                    p.get("calculation", "as published"),
                    src,
                )
            )
        widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
        for r in rows:
            out.append(
                "  " + "  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip()
            )
        out.append(_wrap(f"Shows: {g['shows']}"))
        out.append(_wrap(f"Cannot show: {g['cannot_show']}"))
        out.append("")
    out.append("What the measurement does:")
    out += [_wrap(f"- {m['text']}") for m in rec["measurement"]]
    out.append("What would settle it:")
    out += [_wrap(f"- {m['text']}") for m in rec["what_would_settle_it"]]
    return "\n".join(out) + "\n"


def run(args: argparse.Namespace) -> int:
    from explorer.catalog import record

    rec = record.record(args.group)  # an unknown GROUP is an InputError: one line, exit 2
    if args.json:
        try:
            write_json({**envelope(), **rec}, args.json)
        except OSError as exc:
            raise InputError(
                f"Cannot write {args.json!r} ({exc.strerror}): give a writable path or '-'."
            ) from None
        if args.json == "-":
            return 0
    sys.stdout.write(table_text(rec))
    return 0
