"""``python -m explorer``: the command line, one subcommand per module in ``explorer.commands``.

Each command module defines ``HELP`` (one line), ``add_arguments(parser)`` and ``run(args) -> int``.
Modules are imported only when listed, and heavy imports happen inside ``run``, so ``--help``
stays fast. User errors (``InputError``) become exit status 2 and a single ``error: ...`` line.
"""

from __future__ import annotations

import argparse
import importlib
import sys
import warnings

from explorer.errors import ExportUnavailable, FitError, InputError

# Subcommand name -> module under explorer.commands.
COMMANDS = {
    "datasets": "datasets",
    "analyze": "analyze",
    "sweep": "sweep",
    "breaks": "breaks",
    "placebo": "placebo",
    "specs": "specs",
    "power": "power",
    "chart": "chart",
    "ingest": "ingest",
    "record": "record",
    "answer": "answer",
}


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage mistake is one line and exit status 2 like every other user error."""

    def error(self, message: str):
        sys.stderr.write(f"error: {message} (see '{self.prog} --help')\n")
        raise SystemExit(2)


def _commands() -> dict[str, object]:
    return {
        name: importlib.import_module(f"explorer.commands.{modname}")
        for name, modname in COMMANDS.items()
    }


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="python -m explorer",
        description=(
            "Evidence Explorer: fit interrupted time-series models and test whether a claimed "
            "change is attributable to an intervention."
        ),
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for name, mod in _commands().items():
        p = sub.add_parser(name, help=mod.HELP, description=mod.HELP)
        mod.add_arguments(p)
        p.set_defaults(_run=mod.run)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "command", None):
        parser.print_help()
        return 2
    caught: list = []
    try:
        # Record while the command runs, show once recording has stopped: a warning shown
        # inside catch_warnings(record=True) is recorded again, into the list being shown.
        with warnings.catch_warnings(record=True) as caught:
            try:
                return int(args._run(args) or 0)
            except (InputError, FitError) as exc:
                # A model that cannot be estimated is, for the user, a spec to change: same contract.
                msg = " ".join(str(exc).split())
                sys.stderr.write(f"error: {msg}\n")
                return 2
            except ExportUnavailable as exc:
                sys.stderr.write(f"error: {' '.join(str(exc).split())}\n")
                return 3
            except KeyboardInterrupt:
                return 130
    finally:
        _show(caught)


def _show(caught) -> None:
    """A changed bundled dataset is one ``warning: ...`` line; other warnings print as usual."""
    for w in list(caught):
        if w.category.__name__ == "ChecksumWarning":
            sys.stderr.write(f"warning: {' '.join(str(w.message).split())}\n")
        else:
            warnings.showwarning(w.message, w.category, w.filename, w.lineno)
