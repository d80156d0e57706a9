"""Adapters from the export kit's buttons to ``explorer.export`` (no Streamlit here).

Each function returns bytes; ``deferred`` wraps one in a no-argument callable so that Streamlit
only renders an image when its download button is clicked.
"""

from __future__ import annotations

import functools
import json
import re

import pandas as pd


def slug(title: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-") or "chart"


def deferred(fn, *args, **kwargs):
    return functools.partial(fn, *args, **kwargs)


def image(fig, fmt: str, width: int, height: int) -> bytes:
    try:
        from explorer import export
    except ImportError:
        export = None
    if export is not None and hasattr(export, "figure_bytes"):
        return export.figure_bytes(fig, fmt=fmt, width=width, height=height)
    return fig.to_image(format=fmt, width=width, height=height)


def html(fig) -> bytes:
    return fig.to_html(include_plotlyjs=True, full_html=True).encode("utf-8")


def csv(data: pd.DataFrame) -> bytes:
    return data.to_csv(index=False).encode("utf-8")


def json_bytes(results) -> bytes:
    if hasattr(results, "to_dict") and not isinstance(results, pd.DataFrame):
        results = results.to_dict()
    elif isinstance(results, pd.DataFrame):
        results = results.to_dict(orient="records")
    return json.dumps(results, indent=2, default=str).encode("utf-8")
