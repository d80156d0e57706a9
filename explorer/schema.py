"""The JSON every command and export writes: its schema version, provenance and clean values.

One definition, so ``python -m explorer analyze --json``, the app's "results JSON" download, the
reproducibility bundle and the tweet sidecars cannot drift apart.
"""

from __future__ import annotations

import math

SCHEMA_VERSION = 1


def provenance(dataset: str | None, sha256: str | None) -> dict:
    """Which data and which software produced a result.

    Parameters
    ----------
    dataset
        The catalogue name or file name of the data.
    sha256
        The data's checksum (None when unknown).

    Returns
    -------
    dict
        ``dataset``, ``sha256`` and the versions of explorer, statsmodels and pandas.

    Examples
    --------
    >>> sorted(provenance("reference", None))
    ['dataset', 'explorer', 'pandas', 'sha256', 'statsmodels']
    """
    import pandas as pd
    import statsmodels

    import explorer

    return {
        "dataset": dataset,
        "sha256": sha256,
        "explorer": explorer.__version__,
        "statsmodels": statsmodels.__version__,
        "pandas": pd.__version__,
    }


def clean(obj):
    """JSON-safe copy: NaN/inf -> null, numpy scalars -> Python, timestamps -> ``YYYY-MM-DD``.

    Every period in the project starts at midnight, so a date is all a timestamp carries; values
    with a time of day (a tweet's ``first_tweet``) are formatted as ISO strings before they get
    here.

    Examples
    --------
    >>> clean({"a": float("nan"), "b": (1, 2)})
    {'a': None, 'b': [1, 2]}
    """
    import numpy as np
    import pandas as pd

    if isinstance(obj, dict):
        return {str(k): clean(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [clean(v) for v in obj]
    if isinstance(obj, pd.Timestamp):
        return obj.strftime("%Y-%m-%d")
    if isinstance(obj, np.generic):
        obj = obj.item()
    if isinstance(obj, float) and not math.isfinite(obj):
        return None
    return obj
