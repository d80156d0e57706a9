"""``python -m explorer datasets``: the bundled data catalogue, as a table or as JSON."""

from __future__ import annotations

import argparse
import json
import sys

HELP = "list the bundled datasets (name, title, rows, period, frequency, licence, sha256)"

_FREQ = {"D": "daily", "W": "weekly", "M": "monthly", "Q": "quarterly", "Y": "yearly"}


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--json", metavar="FILE|-", help="write the catalogue as JSON ('-' for stdout)")


def _period(info) -> str:
    if not info.period:
        return "-"
    fmt = {"M": 7, "Q": 7, "Y": 4}.get(info.frequency or "", 10)
    return f"{info.period[0][:fmt]}..{info.period[1][:fmt]}"


def _short(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 3] + "..."


def table_text(infos) -> str:
    """The catalogue as a plain-text table, one line per resource."""
    rows = [("NAME", "TITLE", "ROWS", "PERIOD", "FREQ", "LICENCE", "SHA256")]
    for d in infos:
        rows.append(
            (
                d.key,
                _short(d.title, 48),
                "-" if d.rows is None else str(d.rows),
                _period(d),
                _FREQ.get(d.frequency, "-"),
                _short(d.licence_name, 20),
                d.sha256[:12],
            )
        )
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in rows]
    return "\n".join(lines) + "\n"


def run(args: argparse.Namespace) -> int:
    from explorer import catalog
    from explorer.errors import InputError

    infos = catalog.list_resources()
    if not infos:
        raise InputError("The catalogue is empty: run 'make data' to build data/.")
    if args.json:
        text = json.dumps({"datasets": [d.to_dict() for d in infos]}, indent=2) + "\n"
        if args.json == "-":
            sys.stdout.write(text)
        else:
            try:
                with open(args.json, "w", encoding="utf-8") as fh:
                    fh.write(text)
            except OSError as exc:
                raise InputError(
                    f"Cannot write {args.json!r} ({exc.strerror}): give a writable path or '-'."
                ) from None
        return 0
    sys.stdout.write(table_text(infos))
    return 0
