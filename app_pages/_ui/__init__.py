"""The UI toolkit the page scripts share (``from app_pages import _ui as ui``).

``guard`` (errors on screen, captions, badges, ``md_escape``) < ``tables`` (bundled reference
tables and datasets) < ``uploads`` (uploaded files, the data source picker) < ``cache`` (fits,
attributions, robustness and charts cached on hashable keys; ``freeze_long_lived``) <
``prefetch`` (neighbouring dates and the Robustness results computed ahead) ; ``exportkit`` (the export popover, its files
made by ``downloads``), ``show`` (charts at the column's width, the data's caveats) and
``widgets`` (column mapping, the loader's report, labels, the verdict block) sit on top. Every
module is light to import: the core's heavy modules load inside the functions that need them.
"""

from app_pages._ui.analysis import numeric_columns, periods_of
from app_pages._ui.cache import (
    attribution,
    breaks,
    fit,
    freeze_long_lived,
    its_chart,
    placebos,
    placebos_in_space,
    power,
    power_note,
    residuals,
    series,
    spec_curve,
    spec_subtitle,
    sweep,
    timeline,
)
from app_pages._ui.exportkit import export_kit
from app_pages._ui.guard import (
    APOLOGY,
    VERIFICATION_COLOURS,
    VERIFICATION_TEXT,
    badge,
    guard,
    md_escape,
    plain,
    source_caption,
    ui_guard_quiet,
)
from app_pages._ui.prefetch import prefetch_neighbours, prefetch_robustness
from app_pages._ui.show import caveat_reminder, caveats_box, reader_is_dark, show_chart
from app_pages._ui.tables import (
    PROVENANCE,
    claims,
    dataset_caveats,
    dataset_infos,
    dataset_sha,
    dataset_title,
    events,
    provenance,
    source_line,
    table,
)
from app_pages._ui.uploads import data_source_picker, get_table, load_upload
from app_pages._ui.widgets import (
    effect_text,
    loader_report,
    overall_label,
    verdict_block,
    verdict_lines,
)

__all__ = [
    "APOLOGY",
    "PROVENANCE",
    "VERIFICATION_COLOURS",
    "VERIFICATION_TEXT",
    "attribution",
    "badge",
    "breaks",
    "caveat_reminder",
    "caveats_box",
    "claims",
    "data_source_picker",
    "dataset_caveats",
    "dataset_infos",
    "dataset_sha",
    "dataset_title",
    "effect_text",
    "events",
    "export_kit",
    "fit",
    "freeze_long_lived",
    "get_table",
    "guard",
    "its_chart",
    "load_upload",
    "loader_report",
    "md_escape",
    "numeric_columns",
    "overall_label",
    "periods_of",
    "plain",
    "placebos",
    "placebos_in_space",
    "power",
    "power_note",
    "prefetch_neighbours",
    "prefetch_robustness",
    "provenance",
    "reader_is_dark",
    "residuals",
    "series",
    "show_chart",
    "source_caption",
    "source_line",
    "spec_curve",
    "spec_subtitle",
    "sweep",
    "table",
    "timeline",
    "ui_guard_quiet",
    "verdict_block",
    "verdict_lines",
]
