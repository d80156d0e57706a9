"""Everything that leaves the app or the CLI as a file, and the words beside a chart.

``files`` (PNG/SVG through one warm Chromium, offline HTML, formula-safe CSV/Excel, results
JSON, the size presets), ``prose`` (methods paragraph, alt text), ``bundle`` (the
reproducibility zip). kaleido and statsmodels are imported only when an export needs them.
"""

from explorer.export.bundle import repro_bundle
from explorer.export.files import (
    PRESETS,
    Preset,
    Renderer,
    browser_path,
    embed_snippet,
    neutralise,
    plotly_cdn_url,
    renderer,
    results_json,
    results_json_bytes,
    static_export_available,
    to_csv,
    to_excel,
    to_html,
    to_image,
    to_png,
    to_svg,
)
from explorer.export.prose import alt_text, methods_paragraph

__all__ = [
    "PRESETS",
    "Preset",
    "Renderer",
    "alt_text",
    "browser_path",
    "methods_paragraph",
    "neutralise",
    "renderer",
    "repro_bundle",
    "results_json",
    "results_json_bytes",
    "static_export_available",
    "to_csv",
    "to_excel",
    "embed_snippet",
    "plotly_cdn_url",
    "to_html",
    "to_image",
    "to_png",
    "to_svg",
]
