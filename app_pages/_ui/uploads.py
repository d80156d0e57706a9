"""Uploaded files (the last few kept by checksum) and the data source picker."""

from __future__ import annotations

import hashlib
from collections import OrderedDict

import streamlit as st

from app_pages._ui.guard import guard, md_escape
from app_pages._ui.tables import dataset_infos, dataset_sha, table
from explorer.errors import InputError

UPLOADS: OrderedDict[str, object] = OrderedDict()
MAX_UPLOADS = 8


def load_upload(data: bytes, filename: str, *, sheet=None, time=None):
    """Load uploaded bytes with the project's loader; returns (key, Table). Raises InputError."""
    from explorer.io.loader import load_table

    sha = hashlib.sha256(data).hexdigest()
    key = f"{sha}|{sheet or ''}|{time or ''}"
    if key not in UPLOADS:
        UPLOADS[key] = load_table(data, filename=filename, sheet=sheet, time=time)
        while len(UPLOADS) > MAX_UPLOADS:
            UPLOADS.popitem(last=False)
    UPLOADS.move_to_end(key)
    return key, UPLOADS[key]


def get_table(source: str, key: str):
    """The table for ``("dataset", name)`` or ``("upload", key)``."""
    if source == "upload":
        if key not in UPLOADS:
            raise InputError("The uploaded file is no longer in memory: upload it again.")
        return UPLOADS[key]
    return table(key, dataset_sha(key))


# -- data source picker ------------------------------------------------------------------------
def data_source_picker(*, key: str, default: str | None = None):
    """Bundled dataset or uploaded file -> (source, key, Table), or None.

    A bad upload shows the loader's message right under the uploader and the previous good
    table (kept in ``st.session_state``) stays in use, so nothing on screen is lost.
    """
    infos = dataset_infos()
    names = infos["name"].tolist()
    titles = dict(zip(infos["name"], infos["title"], strict=False))
    mode = st.radio(
        "Data", ["Bundled dataset", "Upload a file"], horizontal=True, key=f"{key}_mode"
    )
    good = f"{key}_last_good_upload"
    if mode == "Bundled dataset":
        seed(f"{key}_dataset", default if default in names else names[0], names)
        name = st.selectbox(
            "Dataset", names, format_func=lambda n: titles.get(n, n), key=f"{key}_dataset"
        )
        with guard(what="loading a bundled dataset"):
            return "dataset", name, table(name, dataset_sha(name))
        return None
    up = st.file_uploader(
        "CSV, TSV, Excel or Parquet",
        key=f"{key}_upload",
        type=["csv", "tsv", "txt", "xlsx", "parquet"],
    )
    box = st.container()
    if up is not None:
        try:
            k, tbl = load_upload(up.getvalue(), up.name)
            st.session_state[good] = k
            return "upload", k, tbl
        except InputError as exc:
            box.error(md_escape(str(exc)), icon=":material/error:")
    k = st.session_state.get(good)
    if k and k in UPLOADS:
        if up is not None:
            box.caption("Still showing the last file that loaded.")
        return "upload", k, UPLOADS[k]
    return None


def seed(widget_key: str, wanted, options) -> None:
    """Give a widget its initial value once (and repair a value that is no longer offered)."""
    current = st.session_state.get(widget_key)
    if current is None or current not in options:
        st.session_state[widget_key] = wanted if wanted in options else options[0]
