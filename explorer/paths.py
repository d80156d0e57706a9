"""Where the project's files are: the bundled catalogue, the package's own tables, shared inputs.

One place for file locations, so a module moved between subpackages never has to count
``parents[...]`` again. ``EXPLORER_DATA`` overrides the catalogue's folder.
"""

from __future__ import annotations

import os
import pathlib

PACKAGE_DIR = pathlib.Path(__file__).resolve().parent
PROJECT_DIR = PACKAGE_DIR.parent
DATA_DIR = pathlib.Path(os.environ.get("EXPLORER_DATA", PROJECT_DIR / "data"))
LEXICON_DIR = PROJECT_DIR / "data" / "lexicon"
COVERAGE_FILE = PACKAGE_DIR / "models" / "coverage_results.json"
HANSEN_FILE = PACKAGE_DIR / "robustness" / "hansen1997_supf.csv"
