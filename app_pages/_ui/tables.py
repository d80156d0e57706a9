"""The bundled reference tables and datasets, cached once per server (``st.cache_resource``)."""

from __future__ import annotations

import pandas as pd
import streamlit as st


# -- bundled reference data --------------------------------------------------------------------
@st.cache_resource(max_entries=1, show_spinner=False)
def claims() -> pd.DataFrame:
    """The published figures with their verification status."""
    from explorer.catalog.claims import load_claims

    return load_claims()


@st.cache_resource(max_entries=1, show_spinner=False)
def events() -> pd.DataFrame:
    """The events catalogue (interventions and confounders)."""
    from explorer.catalog.events import load_events

    return load_events()


@st.cache_resource(max_entries=1, show_spinner=False)
def dataset_infos() -> pd.DataFrame:
    """One row per bundled time series (catalogue resources with a frequency)."""
    from explorer.catalog.datasets import list_resources

    rows = [
        {
            "name": info.key,
            "title": info.title,
            "licence": info.licence,
            "sha256": info.sha256,
            "frequency": info.frequency,
            "default_time": info.default_time,
            "default_value": info.default_value,
            "default_group": info.default_group,
            "default_treated": info.default_treated,
            "default_offset": info.default_offset,
            "default_intervention": info.default_intervention,
            "default_errors": info.default_errors,
            "default_hac_lags": info.default_hac_lags,
        }
        for info in list_resources()
        if info.frequency
    ]
    return pd.DataFrame(rows)


@st.cache_resource(max_entries=1, show_spinner=False)
def _dataset_rows() -> dict[str, dict]:
    """``dataset_infos`` as a dict by name: the lookups on every rerun stay microseconds."""
    return {row["name"]: row for row in dataset_infos().to_dict(orient="records")}


def dataset_sha(name: str) -> str:
    row = _dataset_rows().get(name)
    return str(row["sha256"]) if row else ""


@st.cache_resource(max_entries=16, show_spinner=False)
def table(name: str, sha256: str):
    """A bundled dataset's loaded ``Table``; the checksum in the key reloads a rebuilt file."""
    from explorer.catalog.datasets import load_dataset

    return load_dataset(name)


# Uploaded tables live here, keyed by the bytes' checksum, so fits can be cached on
# (checksum, spec) like bundled data. Bounded: the oldest uploads are forgotten first.


# Where an upload came from, when the app made it (Ingest's "Send to Explore & model"): upload key
# -> {"title", "source", "caveats"}. A file a reader uploads has none and is named by checksum.
PROVENANCE: dict[str, dict] = {}


def dataset_title(source: str, key: str) -> str:
    if source == "upload" and key in PROVENANCE:
        return str(PROVENANCE[key].get("title") or "Uploaded series")
    row = _dataset_rows().get(key) if source == "dataset" else None
    return str(row["title"]) if row else "Uploaded series"


def dataset_caveats(source: str, key: str) -> tuple[str, ...]:
    """The data's own caveats (``datapackage.json`` ``caveats``; an Ingest series keeps its
    sample's): shown on every page that uses the data and drawn in every exported image."""
    if source == "upload":
        return tuple(PROVENANCE.get(key, {}).get("caveats") or ())
    return _dataset_caveats(key)


@st.cache_resource(max_entries=64, show_spinner=False)
def _dataset_caveats(key: str) -> tuple[str, ...]:
    from explorer.catalog.datasets import get_dataset

    return tuple(get_dataset(key).caveats)


def provenance(source: str, key: str) -> dict:
    """Source line and caveats for the results JSON."""
    return {
        "data": dataset_title(source, key),
        "source": source_line(source, key),
        "caveats": list(dataset_caveats(source, key)),
    }


def source_line(source: str, key: str) -> str:
    if source == "upload" and key in PROVENANCE:
        return str(PROVENANCE[key]["source"])
    return _source_line(source, key)


@st.cache_resource(max_entries=64, show_spinner=False)
def _source_line(source: str, key: str) -> str:
    if source == "dataset":
        from explorer.catalog.datasets import get_dataset

        info = get_dataset(key)
        names = [
            str(s.get("title") or s.get("path")) if isinstance(s, dict) else str(s)
            for s in info.sources or []
        ]
        lic = f" Licence: {info.licence}." if info.licence else ""
        return ("; ".join(names[:2]) if names else info.title) + "." + lic
    return "uploaded file (sha256 " + key[:12] + ")"
