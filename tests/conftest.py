"""Shared fixtures: paths to the project, its bundled data and the committed raw inputs.

Nothing here reads outside the repository: the raw reference tables are committed under
``data/raw`` (with their sources and licences in the datasets' ``datapackage.json``).
"""

from __future__ import annotations

import pathlib

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
DATA = ROOT / "data"
RAW = DATA / "raw"


@pytest.fixture(scope="session")
def root() -> pathlib.Path:
    return ROOT


@pytest.fixture(scope="session")
def data_dir() -> pathlib.Path:
    return DATA


@pytest.fixture(scope="session")
def raw_data() -> pathlib.Path:
    """The committed raw inputs of ``make data`` (``data/raw``)."""
    return RAW


def pytest_sessionfinish(session, exitstatus):
    # The app freezes long-lived objects after imports (app_pages._ui.freeze_long_lived); AppTest
    # runs it in this process. Unfreeze so interpreter exit frees them as usual.
    import gc

    gc.unfreeze()
