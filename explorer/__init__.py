"""Evidence Explorer core: load a series, fit interrupted time-series models, attribute a claimed change.

Importable without Streamlit: the CLI (``python -m explorer``), the tests, the benchmarks and the
app all call the functions in this package. Heavy dependencies (statsmodels, duckdb, plotly) are
imported lazily inside the functions that need them, so ``import explorer`` stays fast.
"""

__version__ = "0.1.0"

from explorer.errors import ExplorerError, InputError, SpecError

__all__ = ["ExplorerError", "InputError", "SpecError", "__version__"]
