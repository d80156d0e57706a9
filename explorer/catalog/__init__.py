"""The bundled catalogue in ``data/``: datasets, events, published claims, simulated scenarios.

``datasets`` (list, describe, load with checksum), ``events`` (interventions and confounders,
the presets behind ``--intervention gec``), ``claims`` (the published figures around the 45%
claim), ``scenarios`` (seeded SIMULATED series with their truth).
"""

from explorer.catalog.claims import FACTS, claim_window, get_claim, load_claims
from explorer.catalog.datasets import (
    ChecksumWarning,
    DatasetInfo,
    dataset_path,
    get_dataset,
    is_dataset_name,
    list_datasets,
    list_resources,
    load_dataset,
    read_frame,
    verify,
)
from explorer.catalog.events import load_events, presets, resolve
from explorer.catalog.scenarios import generate, truth

__all__ = [
    "FACTS",
    "ChecksumWarning",
    "DatasetInfo",
    "claim_window",
    "dataset_path",
    "generate",
    "get_claim",
    "get_dataset",
    "is_dataset_name",
    "list_datasets",
    "list_resources",
    "load_claims",
    "load_dataset",
    "load_events",
    "presets",
    "read_frame",
    "resolve",
    "truth",
    "verify",
]
