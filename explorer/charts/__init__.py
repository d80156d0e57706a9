"""Plotly figures for articles, each a ``Chart`` (figure + the data behind it + ``ChartText``).

``base`` (``Chart``, ``ChartText``, palette, ``decorate``, ``esc``), ``its`` (the ITS chart),
``events`` (a claim's events timeline), ``robustness`` (sweep, placebo, specification curve,
ACF), ``scenarios`` (the scenario lab's small multiples). plotly is imported when a figure is
built, so importing this package is cheap.
"""

from explorer.charts.attribution import attribution_chart
from explorer.charts.base import (
    COLORS,
    DEFAULT_SIZE,
    OKABE_ITO,
    Chart,
    ChartText,
    app_figure,
    decorate,
    esc,
    iter_text,
    palette,
)
from explorer.charts.events import events_timeline
from explorer.charts.its import its_chart, its_frame
from explorer.charts.lines import lines_chart, power_chart
from explorer.charts.robustness import acf_chart, placebo_chart, spec_curve_chart, sweep_chart
from explorer.charts.scenarios import scenario_grid

__all__ = [
    "COLORS",
    "DEFAULT_SIZE",
    "OKABE_ITO",
    "Chart",
    "ChartText",
    "acf_chart",
    "app_figure",
    "attribution_chart",
    "decorate",
    "esc",
    "events_timeline",
    "its_chart",
    "its_frame",
    "iter_text",
    "lines_chart",
    "palette",
    "placebo_chart",
    "power_chart",
    "scenario_grid",
    "spec_curve_chart",
    "sweep_chart",
]
