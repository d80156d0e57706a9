"""Where the project's files are: the bundled catalogue and the package's own tables.

One place for file locations, so a module moved between subpackages never has to count
``parents[...]`` again. In a checkout the catalogue is the project's ``data/`` folder beside
``explorer/``; an installed wheel carries the same files as ``explorer/_data`` (``setup.py``
maps ``data/`` there), so ``pip install`` gives the whole catalogue with no checkout at hand.
``$EXPLORER_DATA`` points elsewhere (a test's folder, a deployment's copy).
"""

from __future__ import annotations

import os
import pathlib

PACKAGE_DIR = pathlib.Path(__file__).resolve().parent
PROJECT_DIR = PACKAGE_DIR.parent


def _data_dir() -> pathlib.Path:
    env = os.environ.get("EXPLORER_DATA")
    if env:
        return pathlib.Path(env)
    installed = PACKAGE_DIR / "_data"
    if installed.is_dir():
        return installed
    return PROJECT_DIR / "data"


DATA_DIR = _data_dir()
LEXICON_DIR = DATA_DIR / "lexicon"
# The text-free per-tweet derivative of Fifth Tribe's Kaggle file (scripts/derive_fifthtribe.py).
FIFTHTRIBE_TWEETS = DATA_DIR / "raw" / "fifthtribe" / "tweets_textfree.csv"
COVERAGE_FILE = PACKAGE_DIR / "models" / "coverage_results.json"
HANSEN_FILE = PACKAGE_DIR / "robustness" / "hansen1997_supf.csv"
