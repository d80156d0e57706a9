"""The command line as a user runs it, in a fresh interpreter: help, user errors, light imports."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.conftest import ROOT


def run(*args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, capture_output=True, text=True, timeout=timeout
    )


def test_help_lists_commands():
    p = run("-m", "explorer", "--help")
    assert p.returncode == 0, p.stderr
    assert "usage: python -m explorer" in p.stdout and "datasets" in p.stdout


@pytest.mark.parametrize(
    "args, fragment",
    [
        (["no-such-command"], "invalid choice"),
        (["analyze", "{bad}", "--value", "n"], "binary data"),
        (["analyze", "{empty}", "--value", "n"], "is empty"),
    ],
)
def test_user_error_is_one_line_and_exit_2(tmp_path, args, fragment):
    bad = tmp_path / "bad.csv"
    bad.write_bytes(bytes(range(256)) * 4)
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    args = [a.format(bad=bad, empty=empty) for a in args]
    p = run("-m", "explorer", *args)
    assert p.returncode == 2, (p.stdout, p.stderr)
    lines = p.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), p.stderr
    assert fragment in lines[0] and "Traceback" not in p.stderr


def test_importing_the_core_does_not_import_streamlit():
    code = (
        "import importlib, pkgutil, sys, explorer\n"
        "assert 'streamlit' not in sys.modules, 'import explorer pulled in streamlit'\n"
        "for m in pkgutil.walk_packages(explorer.__path__, 'explorer.'):\n"
        "    if m.name != 'explorer.__main__':\n"
        "        importlib.import_module(m.name)\n"
        "bad = sorted(k for k in sys.modules if k == 'streamlit' or k.startswith('streamlit.'))\n"
        "assert not bad, bad[:3]\n"
        "print('ok')\n"
    )
    p = run("-c", code)
    assert p.returncode == 0 and p.stdout.strip() == "ok", p.stderr


def test_import_explorer_is_light():
    p = run(
        "-c",
        "import sys, explorer; print(' '.join(m for m in ('statsmodels', 'plotly', 'duckdb', 'openpyxl') if m in sys.modules))",
    )
    assert p.returncode == 0 and p.stdout.strip() == "", p.stdout + p.stderr
