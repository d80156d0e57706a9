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
    return re.sub(r"[^a-z0-9]+", "-", str(title).lower()).strip("-")[:60] or "chart"


def deferred(fn, *args, **kwargs):
    return functools.partial(fn, *args, **kwargs)


def image(chart, fmt: str, width: int, height: int) -> bytes:
    """PNG or SVG of the chart laid out at exactly width x height, text drawn on it."""
    fig = chart.sized(width, height)
    return fig.to_image(format=fmt, width=width, height=height)


def html(chart) -> bytes:
    return chart.figure.to_html(include_plotlyjs=True, full_html=True).encode("utf-8")


def csv(chart) -> bytes:
    return chart.data.to_csv(index=False).encode("utf-8")


def json_bytes(results) -> bytes:
    if isinstance(results, pd.DataFrame):
        results = results.to_dict(orient="records")
    elif hasattr(results, "to_dict"):
        results = results.to_dict()
    return json.dumps(results, indent=2, default=str).encode("utf-8")
