"""Small shared UI helpers for the pages: cached calls into the core, error display, sources.

Caching follows Streamlit's guidance for larger apps: the wrappers take hashable arguments only
(a dataset name and checksum, a frozen ``ItsSpec``), never result objects. Fits are held with
``st.cache_resource`` (results are read-only and not worth pickling) with a bounded number of
entries so a long session cannot fill the server's memory.

Heavy modules (statsmodels through ``explorer.its``, kaleido through ``explorer.export``) are
imported inside the functions so that the landing page's first paint never waits for them.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
from collections import OrderedDict

import pandas as pd
import streamlit as st

from explorer.errors import InputError

log = logging.getLogger("explorer.app")

VERIFICATION_COLOURS = {"VERIFIED": "green", "PARTLY_VERIFIED": "orange", "UNVERIFIED": "red"}
VERIFICATION_TEXT = {
    "VERIFIED": "Verified",
    "PARTLY_VERIFIED": "Partly verified",
    "UNVERIFIED": "Unverified",
}
APOLOGY = (
    "Sorry, something went wrong on our side while computing this part of the page. The rest "
    "of the page still works. If it keeps happening, please report it with the page's URL."
)


# -- error handling ----------------------------------------------------------------------------
@contextlib.contextmanager
def guard(where=None, *, what: str = "this part"):
    """Show the user's mistakes with ``st.error`` (their message) and bugs as a short apology.

    ``where`` is the container next to the control that caused the error. Streamlit's own
    control-flow exceptions (rerun, stop) derive from BaseException and pass through untouched.
    """
    box = where if where is not None else st
    try:
        yield
    except InputError as exc:
        box.error(str(exc), icon=":material/error:")
    except Exception:  # noqa: BLE001 - the app must never show a traceback
        log.exception("unexpected error in %s", what)
        box.error(APOLOGY, icon=":material/sentiment_dissatisfied:")


def source_caption(text: str, *, verification: str | None = None, where=None) -> None:
    """The source line under a chart (plain text: never HTML)."""
    box = where if where is not None else st
    if verification:
        box.caption(f"Source: {text} · {VERIFICATION_TEXT.get(verification, verification)}")
    else:
        box.caption(f"Source: {text}")


def badge(verification: str, where=None) -> None:
    box = where if where is not None else st
    box.badge(
        VERIFICATION_TEXT.get(verification, verification),
        color=VERIFICATION_COLOURS.get(verification, "gray"),
        icon=":material/verified:" if verification == "VERIFIED" else ":material/help:",
    )


# -- bundled reference data --------------------------------------------------------------------
@st.cache_data(max_entries=1, show_spinner=False)
def claims() -> pd.DataFrame:
    """The published figures with their verification status."""
    try:
        from explorer.claims import load_claims
    except ImportError:  # TEMPORARY until explorer.claims lands: remove then
        return _fallback_claims()
    return load_claims()


@st.cache_data(max_entries=1, show_spinner=False)
def events() -> pd.DataFrame:
    """The events catalogue (interventions and confounders)."""
    try:
        from explorer.events import load_events
    except ImportError:  # TEMPORARY until explorer.events lands: remove then
        return _fallback_events()
    return load_events()


@st.cache_data(max_entries=1, show_spinner=False)
def dataset_infos() -> pd.DataFrame:
    """One row per bundled dataset: name, title, licence, sha256, default columns."""
    from explorer.catalog import get_dataset, list_datasets

    rows = []
    for item in list_datasets():
        name = item if isinstance(item, str) else getattr(item, "name", str(item))
        info = get_dataset(name)
        rows.append(
            {
                "name": name,
                "title": info.title,
                "licence": info.licence,
                "sha256": info.sha256,
                "default_time": info.default_time,
                "default_value": info.default_value,
            }
        )
    return pd.DataFrame(rows)


@st.cache_resource(max_entries=16, show_spinner=False)
def table(name: str, sha256: str = ""):
    """A bundled dataset's loaded ``Table`` (the checksum is part of the key)."""
    from explorer.catalog import load_dataset

    return load_dataset(name)


# Uploaded tables live here, keyed by the bytes' checksum, so fits can be cached on
# (checksum, spec) like bundled data. Bounded: the oldest uploads are forgotten first.
_UPLOADS: OrderedDict[str, object] = OrderedDict()
_MAX_UPLOADS = 8


def load_upload(data: bytes, filename: str, *, sheet=None, time=None):
    """Load uploaded bytes with the project's loader; returns (key, Table). Raises InputError."""
    from explorer.loader import load_table

    sha = hashlib.sha256(data).hexdigest()
    key = f"{sha}|{sheet or ''}|{time or ''}"
    if key not in _UPLOADS:
        _UPLOADS[key] = load_table(data, filename=filename, sheet=sheet, time=time)
        while len(_UPLOADS) > _MAX_UPLOADS:
            _UPLOADS.popitem(last=False)
    _UPLOADS.move_to_end(key)
    return key, _UPLOADS[key]


def get_table(source: str, key: str):
    """The table for ``("dataset", name)`` or ``("upload", key)``."""
    if source == "scenario":
        return None
    if source == "upload":
        if key not in _UPLOADS:
            raise InputError("The uploaded file is no longer in memory: upload it again.")
        return _UPLOADS[key]
    return table(key)


@st.cache_resource(max_entries=64, show_spinner=False)
def series(source: str, key: str, spec):
    """The analysable series for a table and a frozen spec."""
    if source == "scenario":
        # The scenario lab's SIMULATED series, generated with the bundled CSV's seed.
        from explorer.scenarios import generate
        from explorer.series import from_frame

        return from_frame(generate(key), date="date", value="value", freq="M",
                          source={"name": f"scenarios/{key}", "simulated": True})
    from explorer.series import series_from_spec

    return series_from_spec(get_table(source, key), spec)


@st.cache_resource(max_entries=64, show_spinner=False)
def fit(source: str, key: str, spec):
    """``fit_its`` cached on (source, dataset name or upload checksum, frozen spec)."""
    from explorer.its import fit_its

    return fit_its(series(source, key, spec), spec)


@st.cache_resource(max_entries=64, show_spinner=False)
def attribution(source: str, key: str, spec, claim):
    """``attribute`` cached on the same key plus the frozen ``ClaimSpec``."""
    from explorer.attribution import attribute

    return attribute(fit(source, key, spec), claim)


# -- TEMPORARY fallbacks while explorer.claims / explorer.events are being written ------------
_SHARED_FIGURES = "/work/shared/data/published_figures.csv"


def _fallback_claims() -> pd.DataFrame:
    d = pd.read_csv(_SHARED_FIGURES)
    d["verification"] = d["notes"].str.extract(r"^(VERIFIED|PARTLY VERIFIED|UNVERIFIED)")[0]
    d["verification"] = d["verification"].str.replace(" ", "_").fillna("UNVERIFIED")
    d["value"] = pd.to_numeric(d["value"], errors="coerce")
    for c in ("period_start", "period_end"):
        d[c] = pd.to_datetime(d[c], errors="coerce", format="mixed")
    return d


def _fallback_events() -> pd.DataFrame:
    d = _fallback_claims()
    keys = {
        "DT-02": ("coalition", "Anti-ISIS coalition formed", "policy"),
        "DT-04": ("paris", "Paris attacks", "attack"),
        "DT-05": ("gec", "GEC announced", "policy"),
        "DT-06": ("twitter_125k", "Twitter: 125,000 suspensions", "platform enforcement"),
        "DT-07": ("eo13721", "EO 13721 signed", "policy"),
        "DT-08": ("brussels", "Brussels attacks", "attack"),
        "DT-09": ("june_wave", "June 2016 suspension wave", "platform enforcement"),
        "DT-10": ("ap_story", "AP story", "publication"),
        "DT-11": ("twitter_235k", "Twitter: +235,000 suspensions", "platform enforcement"),
    }
    rows = []
    for cid, (key, label, kind) in keys.items():
        r = d.loc[d.claim_id == cid].iloc[0]
        rows.append(
            {
                "key": key,
                "label": label,
                "date": r["period_start"],
                "precision": "day",
                "kind": kind,
                "description": r["quantity"],
                "source": r["source_title"],
            }
        )
    return pd.DataFrame(rows)


# -- small display helpers ---------------------------------------------------------------------
_MD_SPECIAL = "\\`*_{}[]()#+-.!|<>~$"


def md_escape(text: str) -> str:
    """Escape Markdown so labels from data or users are shown as typed, never interpreted."""
    return "".join("\\" + ch if ch in _MD_SPECIAL else ch for ch in str(text))


def counterfactual_frame(result) -> pd.DataFrame:
    """observed / fitted / counterfactual (+ band) indexed by date, from an ItsResult."""
    cf = result.counterfactual.copy()
    if "date" in cf.columns:
        cf = cf.set_index("date")
    out = pd.DataFrame(index=pd.DatetimeIndex(cf.index, name="date"))
    out["observed"] = cf["observed"].to_numpy()
    out["fitted"] = cf["fitted"].to_numpy()
    out["counterfactual"] = cf["mean"].to_numpy()
    if "mean_ci_lower" in cf:
        out["counterfactual_lower"] = cf["mean_ci_lower"].to_numpy()
        out["counterfactual_upper"] = cf["mean_ci_upper"].to_numpy()
    return out


# -- data source picker ------------------------------------------------------------------------
def data_source_picker(*, key: str, default: str | None = None):
    """Bundled dataset or uploaded file -> (source, key, Table), or None.

    A bad upload shows the loader's message right under the uploader and the previous good
    table (kept in ``st.session_state``) stays in use, so nothing on screen is lost.
    """
    infos = dataset_infos()
    names = infos["name"].tolist()
    titles = dict(zip(infos["name"], infos["title"], strict=False))
    mode = st.radio("Data", ["Bundled dataset", "Upload a file"], horizontal=True,
                    key=f"{key}_mode")
    good = f"{key}_last_good_upload"
    if mode == "Bundled dataset":
        idx = names.index(default) if default in names else 0
        name = st.selectbox("Dataset", names, index=idx, format_func=lambda n: titles.get(n, n),
                            key=f"{key}_dataset")
        with guard(what="loading a bundled dataset"):
            return "dataset", name, table(name)
        return None
    up = st.file_uploader("CSV, TSV, Excel or Parquet", key=f"{key}_upload",
                          type=["csv", "tsv", "txt", "xlsx", "parquet"])
    box = st.container()
    if up is not None:
        try:
            k, tbl = load_upload(up.getvalue(), up.name)
            st.session_state[good] = k
            return "upload", k, tbl
        except InputError as exc:
            box.error(str(exc), icon=":material/error:")
    k = st.session_state.get(good)
    if k and k in _UPLOADS:
        if up is not None:
            box.caption("Still showing the last file that loaded.")
        return "upload", k, _UPLOADS[k]
    return None


# -- export kit --------------------------------------------------------------------------------
PRESETS = {
    "Article column (700 x 450)": (700, 450),
    "Social (1200 x 675)": (1200, 675),
    "Square (1080 x 1080)": (1080, 1080),
}


def export_kit(fig, data: pd.DataFrame, *, key: str, title: str, results=None,
               where=None) -> None:
    """Download buttons for a chart: PNG / SVG (chosen size), HTML, the data as CSV, JSON.

    Images are rendered only when a button is clicked (``data=`` takes a callable), so drawing
    the page never waits for kaleido.
    """
    from app_pages import _export as ex

    box = where if where is not None else st
    with box.popover("Export", icon=":material/download:"):
        preset = st.selectbox("Size", list(PRESETS), index=1, key=f"{key}_preset")
        w, h = PRESETS[preset]
        slug = ex.slug(title)
        c1, c2, c3 = st.columns(3)
        c1.download_button("PNG", ex.deferred(ex.image, fig, "png", w, h), f"{slug}.png",
                           "image/png", key=f"{key}_png", on_click="ignore")
        c2.download_button("SVG", ex.deferred(ex.image, fig, "svg", w, h), f"{slug}.svg",
                           "image/svg+xml", key=f"{key}_svg", on_click="ignore")
        c3.download_button("HTML", ex.deferred(ex.html, fig), f"{slug}.html", "text/html",
                           key=f"{key}_html", on_click="ignore")
        c1.download_button("CSV", ex.deferred(ex.csv, data), f"{slug}.csv", "text/csv",
                           key=f"{key}_csv", on_click="ignore")
        if results is not None:
            c2.download_button("JSON", ex.deferred(ex.json_bytes, results), f"{slug}.json",
                               "application/json", key=f"{key}_json", on_click="ignore")
        st.caption("Images carry the title, the source line and the notes.")


def core_ready(*modules: str) -> bool:
    """True when the core modules a section needs are importable (they land one by one)."""
    import importlib.util

    return all(importlib.util.find_spec(f"explorer.{m}") is not None for m in modules)


def verdict_block(source: str, key: str, spec) -> None:
    """The robustness verdict, one sentence per question."""
    if not core_ready("verdict"):
        return
    v = verdict(source, key, spec)
    st.subheader("Verdict")
    for line in _verdict_lines(v):
        st.markdown(f"- {md_escape(line)}")


@st.cache_resource(max_entries=32, show_spinner=False)
def verdict(source: str, key: str, spec):
    from explorer.verdict import verdict as make_verdict

    return make_verdict(series(source, key, spec), spec)


def _verdict_lines(v) -> list[str]:
    d = v.to_dict() if hasattr(v, "to_dict") else dict(v)
    lines = d.get("sentences") or d.get("lines")
    if lines:
        return [str(x) for x in lines]
    return [str(x.get("sentence", x)) if isinstance(x, dict) else str(x)
            for x in d.get("answers", [])]
