"""Packaging beyond what pyproject.toml can say: the bundled catalogue in the wheel.

The catalogue lives in ``data/`` beside ``explorer/`` in a checkout; an installed package gets
it as ``explorer/_data`` (``explorer.paths`` looks there first), so ``pip install .`` gives a
working ``explorer datasets`` and ``explorer analyze reference ...`` with no checkout at hand.
"""

import pathlib

from setuptools import find_packages, setup

ROOT = pathlib.Path(__file__).resolve().parent
DATA_DIRS = sorted(
    p.relative_to(ROOT / "data").as_posix()
    for p in (ROOT / "data").rglob("*")
    if p.is_dir() and "__pycache__" not in p.parts
)

setup(
    packages=[
        *find_packages(include=["explorer", "explorer.*"]),
        "explorer._data",
        *(f"explorer._data.{d.replace('/', '.')}" for d in DATA_DIRS),
    ],
    package_dir={"explorer._data": "data"},
    package_data={
        "explorer": ["*.json", "*.csv"],
        "explorer.models": ["*.json"],  # the coverage study the caveats quote
        "explorer.robustness": ["*.csv"],  # Hansen's sup-F p-value table
        "explorer._data": ["*.md"],
        **{f"explorer._data.{d.replace('/', '.')}": ["*"] for d in DATA_DIRS},
    },
)
