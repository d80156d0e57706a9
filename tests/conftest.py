"""Shared fixtures: paths to the project, its bundled data and the raw reference data."""

from __future__ import annotations

import os
import pathlib

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
DATA = ROOT / "data"
SHARED = pathlib.Path(os.environ.get("EXPLORER_SHARED", ROOT.parent / "shared")) / "data"


@pytest.fixture(scope="session")
def root() -> pathlib.Path:
    return ROOT


@pytest.fixture(scope="session")
def data_dir() -> pathlib.Path:
    return DATA


@pytest.fixture(scope="session")
def shared_data() -> pathlib.Path:
    """The raw reference data beside the project (../shared/data). CI has it; fail if absent."""
    assert SHARED.is_dir(), f"reference data not found at {SHARED} (set EXPLORER_SHARED)"
    return SHARED


def pytest_sessionfinish(session, exitstatus):
    # The app freezes long-lived objects after imports (app_pages._ui.freeze_long_lived); AppTest
    # runs it in this process. Unfreeze so interpreter exit frees them as usual.
    import gc

    gc.unfreeze()
