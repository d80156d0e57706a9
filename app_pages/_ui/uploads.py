"""Uploaded files, kept per session, and the data source picker bound to the app state.

Each session keeps its own uploads in ``st.session_state`` (at most ``MAX_PER_SESSION``, the
oldest of that session forgotten first); together they may hold at most ``MAX_TOTAL_BYTES`` of
tables, and an upload that would pass that limit is refused with a message rather than evicting
another reader's file. A session's uploads are released when Streamlit drops the session.
"""

from __future__ import annotations

import hashlib
import threading
import weakref
from collections import OrderedDict
from dataclasses import dataclass

import pandas as pd
import streamlit as st

from app_pages._ui import state as app_state
from app_pages._ui.guard import guard, md_escape
from app_pages._ui.tables import dataset_infos, dataset_sha, table
from explorer.errors import InputError

MAX_PER_SESSION = 4
MAX_TOTAL_BYTES = 3 * 2**30  # in-memory size of every session's uploaded tables together
_KEY = "uploads"
_LOCK = threading.Lock()
_TOTAL = [0]  # bytes held by every session's uploads


@dataclass(frozen=True)
class Upload:
    table: object
    name: str
    rows: int
    nbytes: int


class _SessionUploads(OrderedDict):
    """One session's uploads by sha256; what they hold is subtracted from the total when the
    session's state is dropped (``weakref.finalize``)."""

    def __init__(self):
        super().__init__()
        self.held = [0]
        weakref.finalize(self, _release, self.held)


def _release(held: list) -> None:
    with _LOCK:
        _TOTAL[0] -= held[0]
        held[0] = 0


def total_bytes() -> int:
    return _TOTAL[0]


def _store() -> _SessionUploads:
    store = st.session_state.get(_KEY)
    if not isinstance(store, _SessionUploads):
        store = st.session_state[_KEY] = _SessionUploads()
    return store


def _size(tbl) -> int:
    try:
        return int(tbl.frame.memory_usage(deep=True).sum())
    except Exception:  # noqa: BLE001 - a size estimate only
        return 0


def upload_key(sha: str, sheet: str | None = None) -> str:
    """The key of an upload's table: its checksum, and the sheet read from a workbook."""
    return f"{sha}|{sheet}" if sheet else sha


def load_upload(data: bytes, filename: str, *, sheet=None, time=None):
    """Load uploaded bytes with the project's loader into this session; (key, Table), the key
    being ``upload_key(sha256, sheet)``.

    Raises InputError (the loader's message, or the server's memory limit).
    """
    from explorer.io.loader import load_table

    sha = upload_key(hashlib.sha256(data).hexdigest(), sheet)
    store = _store()
    if sha in store:
        store.move_to_end(sha)
        return sha, store[sha].table
    tbl = load_table(data, filename=filename, sheet=sheet, time=time)
    nbytes = _size(tbl)
    with _LOCK:
        if _TOTAL[0] + nbytes > MAX_TOTAL_BYTES:
            raise InputError(
                "The server is holding as many uploaded files as it can right now, so this one "
                "was not loaded: try again in a few minutes (your current analysis is kept)."
            )
        _TOTAL[0] += nbytes
        store.held[0] += nbytes
    store[sha] = Upload(tbl, str(filename), len(tbl.frame), nbytes)
    while len(store) > MAX_PER_SESSION:
        _, old = store.popitem(last=False)
        with _LOCK:
            _TOTAL[0] -= old.nbytes
            store.held[0] -= old.nbytes
    return sha, tbl


def uploaded(sha: str | None) -> Upload | None:
    """This session's upload with checksum ``sha``, or None."""
    if not sha:
        return None
    return _store().get(sha)


def get_table(source: str, key: str):
    """The table for ``("dataset", name)`` or ``("upload", sha256)`` (this session's)."""
    if source == "upload":
        up = uploaded(key)
        if up is None:
            raise InputError(
                "This analysis used an uploaded file that this session does not have: upload "
                "it again under Data (Upload a file)."
            )
        return up.table
    return table(key, dataset_sha(key))


def state_upload_key(state) -> str | None:
    return upload_key(state.upload_sha, state.upload_sheet) if state.upload_sha else None


def missing_upload_text(state) -> str:
    """The sentence for a link to an upload this session does not have."""
    rows = f"{state.upload_rows:,} rows, " if state.upload_rows is not None else ""
    name = state.upload_name or "(name not recorded)"
    if state.upload_sheet:
        name += f", sheet {state.upload_sheet}"
    return (
        f"This analysis used an uploaded file {name} ({rows}sha256 {state.upload_sha[:12]}...): "
        "upload it to continue."
    )


# -- data source picker ------------------------------------------------------------------------
MODES = ["Bundled dataset", "Upload a file"]


def data_source_picker(*, key: str, default: str | None = None):
    """Bundled dataset or uploaded file, drawn from and written into the app state.

    Returns (source, key, Table) for the state's data, or None when there are none yet (upload
    mode with no file, or a link's upload not given yet: the page then says which file).
    A bad upload shows the loader's message under the uploader; the state, and so the analysis
    on screen, is unchanged.
    """
    state = app_state.current()
    infos = dataset_infos()
    names = infos["name"].tolist()
    titles = distinguishable_titles(infos)
    mode_key = f"{key}_mode"
    choice = f"{key}_mode_choice"  # outlives the widget, which Streamlit drops off its page
    derived = MODES[1] if state.source == "upload" else MODES[0]
    # The radio follows the state when something else changed its source (a link, Ingest).
    if st.session_state.get(f"{mode_key}_for") != state.source:
        st.session_state[f"{mode_key}_for"] = state.source
        st.session_state[choice] = derived
    app_state.seed(mode_key, st.session_state.get(choice, derived))
    mode = st.radio(
        "Data", MODES, horizontal=True, key=mode_key, on_change=_on_mode, args=(mode_key,)
    )
    if mode == MODES[0]:
        ds_key = f"{key}_dataset"
        name = (
            state.dataset if state.dataset in names else (default if default in names else names[0])
        )
        app_state.seed(ds_key, name)
        st.selectbox(
            "Dataset",
            names,
            format_func=lambda n: titles.get(n, n),
            key=ds_key,
            on_change=_on_dataset,
            args=(ds_key,),
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
        data = up.getvalue()
        sha = _file_sha(key, up.file_id, data)
        sheet = _sheet_picker(key, up, data, sha, state)
        choice = (up.file_id, sheet)
        if st.session_state.get(f"{key}_upload_seen") != choice:
            st.session_state[f"{key}_upload_seen"] = choice
            state = _take_upload(key, up.name, data, sha, sheet, state, box)
        elif st.session_state.get(f"{key}_upload_error"):
            box.error(md_escape(st.session_state[f"{key}_upload_error"]), icon=":material/error:")
    differs = st.session_state.pop(f"{key}_upload_differs", None)
    if differs:
        box.warning(md_escape(differs), icon=":material/difference:")
    if state.source != "upload":
        box.caption("Upload a file to analyse it; until then the analysis below is unchanged.")
        return None
    have = uploaded(state_upload_key(state))
    if have is None:
        box.info(md_escape(missing_upload_text(state)), icon=":material/upload_file:")
        return None
    if st.session_state.get(f"{key}_upload_error"):
        box.caption("Still showing the last file that loaded.")
    return "upload", state_upload_key(state), have.table


def _file_sha(key: str, file_id: str, data: bytes) -> str:
    """The file's sha256, computed once per uploaded file."""
    memo = st.session_state.get(f"{key}_upload_sha")
    if not memo or memo[0] != file_id:
        memo = (file_id, hashlib.sha256(data).hexdigest())
        st.session_state[f"{key}_upload_sha"] = memo
    return memo[1]


def _sheet_picker(key: str, up, data: bytes, sha: str, state) -> str | None:
    """A workbook with several sheets: pick the one with the data (the link's, if it is this
    file); None for any other file."""
    from explorer.io.readers import sheet_names

    if not str(up.name).lower().endswith((".xlsx", ".xlsm")):
        return None
    memo = st.session_state.get(f"{key}_upload_sheets")
    if not memo or memo[0] != up.file_id:
        memo = (up.file_id, sheet_names(data))
        st.session_state[f"{key}_upload_sheets"] = memo
    sheets = memo[1]
    if len(sheets) < 2:
        return None
    want = state.upload_sheet if state.upload_sha == sha else None
    skey = app_state.widget_key(f"{key}_sheet", (up.file_id, *sheets))
    if skey not in st.session_state:
        st.session_state[skey] = want if want in sheets else sheets[0]
    return st.selectbox(
        "Sheet", sheets, key=skey, help="The workbook's sheet that holds the time series"
    )


def _take_upload(key, name, data, sha, sheet, state, box):
    """Load the file (and sheet) into this session and make it the analysis's data."""
    # A link's file this session does not have yet: its settings are to be restored.
    wanted = state.upload_sha
    from_link = bool(wanted) and uploaded(state_upload_key(state)) is None
    try:
        k, tbl = load_upload(data, name, sheet=sheet)
    except InputError as exc:
        from app_pages._ui.words import in_app_words

        text = getattr(exc, "app_text", None) or in_app_words(str(exc))
        box.error(md_escape(text), icon=":material/error:")
        st.session_state[f"{key}_upload_error"] = text
        return state
    st.session_state.pop(f"{key}_upload_error", None)
    if wanted and wanted != sha and from_link:
        st.session_state[f"{key}_upload_differs"] = (
            f"This file ({name}, sha256 {sha[:12]}...) differs from the one the analysis used "
            f"({state.upload_name or 'unnamed'}, sha256 {wanted[:12]}...): its numbers will not "
            "match the link's. The settings were applied to this file where its columns allow."
        )
    # The link's own file restores its analysis; any other file starts from its own columns
    # (the model options and the interventions that fit it are kept).
    reset = {} if from_link else _column_reset()
    state = app_state.update(
        dataset=None,
        upload_sha=sha,
        upload_name=name,
        upload_rows=len(tbl.frame),
        upload_sheet=sheet,
        **reset,
    )
    st.session_state[f"{key}_mode_for"] = state.source
    return state


FREQ_WORDS = {"D": "Daily", "W": "Weekly", "M": "Monthly", "Q": "Quarterly", "Y": "Yearly"}


def distinguishable_titles(infos) -> dict[str, str]:
    """Dataset titles for the picker; titles alike in their first 40 characters (the three
    Fifth Tribe series) get their frequency first, so a cut label still tells them apart."""
    titles = dict(zip(infos["name"], infos["title"], strict=False))
    freqs = dict(zip(infos["name"], infos["frequency"], strict=False))
    heads = [str(t)[:40] for t in titles.values()]
    out = {}
    for name, title in titles.items():
        if heads.count(str(title)[:40]) > 1:
            out[name] = f"{FREQ_WORDS.get(freqs.get(name), freqs.get(name))} · {title}"
        else:
            out[name] = str(title)
    return out


def _on_mode(mode_key: str) -> None:
    st.session_state[f"{mode_key}_choice"] = st.session_state.get(mode_key)
    state = app_state.current()
    if st.session_state.get(mode_key) == MODES[0] and state.source == "upload":
        app_state.update(
            upload_sha=None,
            upload_name=None,
            upload_rows=None,
            upload_sheet=None,
            **_column_reset(),
        )
        st.session_state[f"{mode_key}_for"] = "dataset"


def _on_dataset(ds_key: str) -> None:
    state = app_state.current()
    new = st.session_state.get(ds_key)
    app_state.update(dataset=new, **_column_reset(), **preset_method(state, new))


def preset_method(state, new: str | None) -> dict:
    """Errors and Newey-West lags on picking dataset ``new``: its paper's method if it has one
    (Prop 99: Newey-West lag 1, as Linden's itsa); back to auto when leaving such a preset
    unchanged; otherwise the user's choice stays."""
    from app_pages._ui.tables import _dataset_rows

    rows = _dataset_rows()
    row = rows.get(new or "", {})
    old = rows.get(state.dataset or "", {}) if state.source == "dataset" else {}

    def preset(r):
        e = r.get("default_errors")
        if not isinstance(e, str) or not e:
            return None
        lags = r.get("default_hac_lags")
        return e, (None if lags is None or pd.isna(lags) else int(lags))

    if preset(row):
        errors, lags = preset(row)
        return {"errors": errors, "hac_lags": lags}
    if preset(old) and (state.errors, state.hac_lags) == preset(old):
        return {"errors": "auto", "hac_lags": None}
    return {}


def _column_reset() -> dict:
    """New data: the columns are the new data's defaults (the model options are kept)."""
    return dict(
        time=None, value=None, group=None, treated=None, control=None, offset=None, covariates=()
    )
