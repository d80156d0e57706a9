"""Models: a frozen ``ItsSpec`` and a ``SeriesData`` in, an ``ItsResult`` out.

``fit`` (``fit_its``, the dispatcher) chooses among ``segmented`` (segmented regression, every
family and errors choice), ``comparative`` (with a control), ``ar`` (regression with AR(p)
errors) and ``statespace`` (SARIMAX, structural models). ``design`` builds the design matrix,
``results`` holds ``ItsResult`` and its effects, ``report`` the diagnostics, caveats and the
plain-language summary, ``validate`` the coverage study the caveats quote.

statsmodels is imported inside the functions that fit, so importing this package is cheap.
"""

from explorer.models.design import Design, build_design
from explorer.models.fit import fit_its
from explorer.models.results import Effect, InterventionEffect, ItsResult

__all__ = ["Design", "Effect", "InterventionEffect", "ItsResult", "build_design", "fit_its"]
