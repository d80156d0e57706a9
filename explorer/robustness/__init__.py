"""Robustness: what a sceptical editor asks of one fit at one chosen date.

``sweep`` (move the date), ``breaks`` (where the series itself breaks), ``placebo`` (fake dates,
fake units), ``curve`` (the specification curve), ``power`` (what the series could detect),
``residuals`` (ACF, Ljung-Box and friends of a fit's residuals), ``verdict`` (five answers in
plain sentences). ``fastols`` is the batched least squares under the first four.
"""

from explorer.robustness.breaks import BreakResult, find_breaks
from explorer.robustness.curve import SpecsResult, specification_curve
from explorer.robustness.placebo import PlaceboResult, placebo_in_space, placebo_in_time
from explorer.robustness.power import PowerResult, power_analysis
from explorer.robustness.residuals import Diagnostics, diagnose, residual_diagnostics
from explorer.robustness.sweep import SweepResult, sweep_dates
from explorer.robustness.verdict import Verdict, build_verdict

__all__ = [
    "BreakResult",
    "Diagnostics",
    "PlaceboResult",
    "PowerResult",
    "SpecsResult",
    "SweepResult",
    "Verdict",
    "build_verdict",
    "diagnose",
    "find_breaks",
    "placebo_in_space",
    "placebo_in_time",
    "power_analysis",
    "residual_diagnostics",
    "specification_curve",
    "sweep_dates",
]
