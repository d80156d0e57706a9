"""The app's words (issue 15): no core message reaches the app naming a CLI flag."""

from __future__ import annotations

import ast
import re

import pytest

from app_pages._ui.words import in_app_words
from tests.conftest import ROOT

FLAG = re.compile(r"--[a-z][\w-]*")


def _texts_with_flags() -> list[str]:
    """Every string literal (and f-string piece) in explorer/, outside the CLI, naming a flag."""
    out = []
    for path in sorted((ROOT / "explorer").rglob("*.py")):
        if "commands" in path.parts or path.name in ("cli.py", "__main__.py"):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            parts = []
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                parts = [node.value]
            elif isinstance(node, ast.JoinedStr):
                parts = [v.value for v in node.values if isinstance(v, ast.Constant)]
            out += [p for p in parts if FLAG.search(p)]
    return sorted(set(out))


TEXTS = _texts_with_flags()


def test_the_core_has_flag_texts_to_translate():
    assert len(TEXTS) > 30  # the scan finds the messages (a broken scan would pass vacuously)


@pytest.mark.parametrize("text", TEXTS, ids=[t[:40] for t in TEXTS])
def test_no_flag_survives_the_translation(text):
    assert not FLAG.search(in_app_words(text)), in_app_words(text)


@pytest.mark.parametrize(
    "cli, app",
    [
        ("use --family quasipoisson or negbin.", "use Family: quasi-Poisson or negative binomial."),
        (
            "Drop --log, or use --family gaussian --log.",
            "untick Log scale, or use Family: gaussian with Log scale ticked.",
        ),
        (
            "use a level-only change (:level), or drop one",
            "use a level-only change (Kind: level only), or drop one",
        ),
        ("use --errors hac", "use Errors: Newey-West (HAC)"),
        (
            "Use --family poisson/quasipoisson for counts",
            "Use Family: Poisson or quasi-Poisson for counts",
        ),
    ],
)
def test_the_named_messages_of_the_issue(cli, app):
    assert in_app_words(cli) == app
