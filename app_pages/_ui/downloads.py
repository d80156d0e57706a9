"""Adapters from the export kit's buttons to ``explorer.export.files`` (no Streamlit here).

Each function returns bytes; ``deferred`` wraps one in a no-argument callable so that Streamlit
only renders a file when its download button is clicked. Images go through the export module's
one warm Chromium; if it is missing, the PNG/SVG file is a short text saying so (a download
callback cannot show a message on the page) and every other export keeps working.
"""

from __future__ import annotations

import functools
import re

import pandas as pd


def slug(title: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", str(title).lower()).strip("-")[:60] or "chart"


def deferred(fn, *args, **kwargs):
    return functools.partial(fn, *args, **kwargs)


def image(chart, fmt: str, width: int, height: int) -> bytes:
    """PNG or SVG of the chart laid out at exactly width x height, text drawn on it."""
    from explorer.errors import ExportUnavailable
    from explorer.export.files import to_image

    try:
        return to_image(chart, fmt=fmt, width=width, height=height)
    except ExportUnavailable as exc:
        return f"Image export unavailable: {exc}\n".encode()


def html(chart, width: int, height: int, plotlyjs: str = "inline") -> bytes:
    from explorer.export.files import to_html

    return to_html(chart, width=width, height=height, plotlyjs=plotlyjs).encode("utf-8")


def csv(chart) -> bytes:
    from explorer.export.files import to_csv

    return to_csv(chart)


def is_fit(results) -> bool:
    return results is not None and hasattr(results, "counterfactual") and hasattr(results, "spec")


def json_bytes(results, provenance: dict | None = None) -> bytes:
    """The results as JSON; ``provenance`` (the data's source and caveats) goes in with them."""
    import json

    if is_fit(results):
        from explorer.export.files import results_json_bytes

        return results_json_bytes(results, provenance=provenance)
    if isinstance(results, pd.DataFrame):
        results = results.to_dict(orient="records")
    elif hasattr(results, "to_dict"):
        results = results.to_dict()
    if provenance is not None:
        results = {"results": results, "provenance": provenance}
    return json.dumps(results, indent=2, default=str).encode("utf-8")


def bundle(result, chart) -> bytes:
    from explorer.export.bundle import repro_bundle

    return repro_bundle(result, chart=chart)


def methods(result) -> str:
    """The methods paragraph, interventions by their catalogue names ("GEC announced")."""
    from app_pages._ui.cache import event_names, with_names
    from explorer.export.prose import methods_paragraph

    return with_names(methods_paragraph(result), event_names())


def alt(result, title: str | None) -> str:
    from app_pages._ui.cache import event_names, with_names
    from explorer.export.prose import alt_text

    return with_names(alt_text(result, title=title), event_names())
