"""Reliability: no hangs, no scale-dependent numbers, no lags beyond the data (issue 17)."""

from __future__ import annotations

import contextlib
import io
import signal
import subprocess
import sys
import warnings

import pytest

from tests.conftest import ROOT

# -- 1. the CLI shows each warning once and returns ------------------------------------------
_WARN_ONCE = (
    "import sys, warnings\n"
    "import explorer.cli as cli, explorer.commands.datasets as d\n"
    "def run(args):\n"
    "    warnings.warn('the default will change', FutureWarning)\n"
    "    return 0\n"
    "d.run = run\n"
    "sys.exit(cli.main(['datasets']))\n"
)


def test_cli_with_a_warning_returns_in_a_fresh_interpreter():
    """Before the fix, showing a recorded warning recorded it again: an endless loop."""
    p = subprocess.run(
        [sys.executable, "-c", _WARN_ONCE], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert p.returncode == 0, p.stderr[-2000:]
    assert p.stderr.count("the default will change") == 1, p.stderr[-2000:]


@contextlib.contextmanager
def _deadline(seconds: int):
    def boom(*_):
        raise TimeoutError(f"still running after {seconds} s")

    old = signal.signal(signal.SIGALRM, boom)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


@pytest.mark.parametrize("category", [FutureWarning, RuntimeWarning, UserWarning])
def test_cli_prints_an_injected_library_warning_once(monkeypatch, category):
    from explorer import cli
    from explorer.commands import datasets

    def run(args):
        warnings.warn("a library says something", category, stacklevel=1)
        return 0

    shown = []
    monkeypatch.setattr(datasets, "run", run)
    # pytest records warnings itself, so stand in for the printer the CLI calls once it is done.
    monkeypatch.setattr(warnings, "showwarning", lambda msg, cat, *a, **k: shown.append(str(msg)))
    with _deadline(20), contextlib.redirect_stdout(io.StringIO()):
        with warnings.catch_warnings():
            warnings.simplefilter("always")
            rc = cli.main(["datasets"])
    assert rc == 0
    assert shown == ["a library says something"], shown[:5]


def test_cli_checksum_warning_is_one_line_once(monkeypatch):
    from explorer import cli
    from explorer.commands import datasets

    class ChecksumWarning(UserWarning):
        pass

    def run(args):
        warnings.warn("the bundled file changed", ChecksumWarning, stacklevel=1)
        return 0

    monkeypatch.setattr(datasets, "run", run)
    err = io.StringIO()
    with _deadline(20), contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        rc = cli.main(["datasets"])
    assert rc == 0
    assert err.getvalue() == "warning: the bundled file changed\n"
