"""Small shared UI helpers for the pages: cached calls into the core, error display, sources.

Caching follows Streamlit's guidance for larger apps: the wrappers take hashable arguments only
(a dataset name and checksum, a frozen ``ItsSpec``), never result objects. Fits are held with
``st.cache_resource`` (results are read-only and not worth pickling) with a bounded number of
entries so a long session cannot fill the server's memory.

Heavy modules (statsmodels through ``explorer.its``, kaleido through ``explorer.export``) are
imported inside the functions so that the landing page's first paint never waits for them.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import gc
import hashlib
import logging
import sys
import threading
from collections import OrderedDict

import pandas as pd
import streamlit as st

from explorer.errors import ExplorerError, InputError

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
    except ExplorerError as exc:  # user mistakes and FitError/ExportUnavailable: their advice
        # A message may name the app's own control where the CLI's names a flag (app_text).
        box.error(md_escape(getattr(exc, "app_text", None) or str(exc)), icon=":material/error:")
    except Exception:
        log.exception("unexpected error in %s", what)
        box.error(APOLOGY, icon=":material/sentiment_dissatisfied:")


def source_caption(text: str, *, verification: str | None = None, where=None) -> None:
    """The source line under a chart (plain text: never HTML)."""
    box = where if where is not None else st
    # Sources can carry an uploaded file's name: escaped so it shows as typed.
    text = md_escape(text)
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


# -- memory ------------------------------------------------------------------------------------
_FROZEN_AT = 0  # len(sys.modules) when the long-lived objects were last frozen


def freeze_long_lived(new_modules: int = 20) -> bool:
    """Move the objects alive now (imported libraries, caches) out of the cyclic collector's way.

    The server runs with ``runner.postScriptGC = false`` (a full ``gc.collect(2)`` after every
    run walked ~180k objects of pandas, statsmodels and plotly: ~0.1 s per rerun). Python's own
    collector still runs, and its occasional full pass over those objects landed in a reader's
    request (seen: a 145 ms pause). After a run that imported libraries, one collection and
    ``gc.freeze()`` put what is alive into the permanent generation, so later full passes only
    walk newer objects. It happens a few times per process (when ``new_modules`` or more modules
    appeared since the last time); objects frozen are still freed by reference counting.
    Returns True if it froze.
    """
    global _FROZEN_AT
    n = len(sys.modules)
    if n - _FROZEN_AT < new_modules:
        return False
    _FROZEN_AT = n
    gc.collect()
    gc.freeze()
    return True


# -- bundled reference data --------------------------------------------------------------------
@st.cache_resource(max_entries=1, show_spinner=False)
def claims() -> pd.DataFrame:
    """The published figures with their verification status."""
    from explorer.claims import load_claims

    return load_claims()


@st.cache_resource(max_entries=1, show_spinner=False)
def events() -> pd.DataFrame:
    """The events catalogue (interventions and confounders)."""
    from explorer.events import load_events

    return load_events()


@st.cache_resource(max_entries=1, show_spinner=False)
def dataset_infos() -> pd.DataFrame:
    """One row per bundled time series (catalogue resources with a frequency)."""
    from explorer.catalog import list_resources

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
    if source == "upload":
        if key not in _UPLOADS:
            raise InputError("The uploaded file is no longer in memory: upload it again.")
        return _UPLOADS[key]
    return table(key, dataset_sha(key))


@st.cache_resource(max_entries=64, show_spinner=False)
def series(source: str, key: str, spec):
    """The analysable series for a table and a frozen spec."""
    from explorer.series import series_from_spec

    return series_from_spec(get_table(source, key), spec)


def fit(source: str, key: str, spec):
    """``fit_its`` on (source, dataset name or upload checksum, frozen spec): prefetched or cached."""
    hit = _PREFETCHED.get((source, key, spec))
    return hit[0] if hit is not None else _fit_cached(source, key, spec)


# The spinner shows only while a fit really runs (a miss); cached and prefetched fits draw
# nothing extra, which keeps a date step's redraw small.
@st.cache_resource(max_entries=64, show_spinner="Fitting the model...")
def _fit_cached(source: str, key: str, spec):
    """``fit_its`` cached on (source, dataset name or upload checksum, frozen spec)."""
    from explorer.its import fit_its

    return fit_its(series(source, key, spec), spec)


@st.cache_resource(max_entries=64, show_spinner=False)
def attribution(source: str, key: str, spec, claim):
    """``attribute`` cached on the same key plus the frozen ``ClaimSpec``."""
    from explorer.attribution import attribute

    return attribute(fit(source, key, spec), claim)


# -- small display helpers ---------------------------------------------------------------------
_MD_SPECIAL = "\\`*_{}[]()#+-.!|<>~$"


def md_escape(text: str) -> str:
    """Escape Markdown so labels from data or users are shown as typed, never interpreted."""
    return "".join("\\" + ch if ch in _MD_SPECIAL else ch for ch in str(text))


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
        _seed(f"{key}_dataset", default if default in names else names[0], names)
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


def export_kit(chart, *, key: str, results=None, where=None) -> None:
    """The export kit of one chart (an ``explorer.charts.Chart``).

    PNG / SVG at a chosen preset size with the title, source and notes drawn on the image,
    standalone HTML, the data behind the chart as CSV; for a fit also the results as JSON,
    a methods paragraph and alt text to paste, and a reproducibility bundle (zip).

    Nothing inside the popover is built until it is opened (``on_change="rerun"``): a moved
    date redraws one button, not the kit, and files are made only when their button is
    clicked (``data=`` takes a callable), so drawing the page never waits for kaleido.
    Chromium missing makes the image buttons say so, nothing else.
    """
    from app_pages import _export as ex
    from explorer.export import PRESETS

    box = where if where is not None else st
    title = chart.text.title or chart.kind
    slug = ex.slug(title)
    pop = box.popover("Export", icon=":material/download:", key=f"{key}_open", on_change="rerun")
    if not pop.open:
        return
    with pop:
        # The size outlives the closed popover (its widget's state does not).
        last = st.session_state.get(f"{key}_size", list(PRESETS)[1])
        preset = st.selectbox(
            "Image size",
            list(PRESETS),
            index=list(PRESETS).index(last) if last in PRESETS else 1,
            key=f"{key}_preset",
            format_func=lambda p: PRESETS[p].label,
        )
        st.session_state[f"{key}_size"] = preset
        w, h = PRESETS[preset].width, PRESETS[preset].height
        c1, c2, c3 = st.columns(3)
        c1.download_button(
            "PNG",
            ex.deferred(ex.image, chart, "png", w, h),
            f"{slug}-{w}x{h}.png",
            "image/png",
            key=f"{key}_png",
            on_click="ignore",
        )
        c2.download_button(
            "SVG",
            ex.deferred(ex.image, chart, "svg", w, h),
            f"{slug}-{w}x{h}.svg",
            "image/svg+xml",
            key=f"{key}_svg",
            on_click="ignore",
        )
        c3.download_button(
            "HTML",
            ex.deferred(ex.html, chart, w, h),
            f"{slug}.html",
            "text/html",
            key=f"{key}_html",
            on_click="ignore",
        )
        c1.download_button(
            "CSV",
            ex.deferred(ex.csv, chart),
            f"{slug}.csv",
            "text/csv",
            key=f"{key}_csv",
            on_click="ignore",
        )
        if results is not None:
            c2.download_button(
                "JSON",
                ex.deferred(ex.json_bytes, results),
                f"{slug}.json",
                "application/json",
                key=f"{key}_json",
                on_click="ignore",
            )
        if ex.is_fit(results):
            c3.download_button(
                "Bundle",
                ex.deferred(ex.bundle, results, chart),
                f"{slug}-reproduce.zip",
                "application/zip",
                key=f"{key}_zip",
                on_click="ignore",
                help="Data, spec, versions and a plain statsmodels script",
            )
            with ui_guard_quiet():
                st.text_area(
                    "Methods paragraph", ex.methods(results), key=f"{key}_methods", height=120
                )
                st.text_area("Alt text", ex.alt(results, title), key=f"{key}_alt", height=90)
        st.caption("Images carry the title, subtitle, source line and notes.")
        from explorer.export import static_export_available

        missing = static_export_available()  # no browser: say so before anyone clicks PNG
        if missing:
            st.caption(md_escape(missing))


@contextlib.contextmanager
def ui_guard_quiet():
    """Optional extras (prose exports): a failure hides them instead of breaking the kit."""
    try:
        yield
    except Exception:
        log.exception("optional export text failed")


def core_ready(*modules: str) -> bool:
    """True when the core modules a section needs are importable (they land one by one)."""
    import importlib.util

    return all(importlib.util.find_spec(f"explorer.{m}") is not None for m in modules)


def verdict_block(source: str, key: str, spec) -> None:
    """The robustness verdict, one sentence per question (own-claim section)."""
    if not spec.interventions:
        return
    st.subheader("Verdict")
    with guard(what="verdict"):
        label = spec.interventions[-1].label
        lines = verdict_lines(
            source,
            key,
            spec,
            label,
            sweep=sweep(source, key, spec, label),
            breaks=breaks(source, key, spec),
            placebos=placebos(source, key, spec, label),
            power=power(source, key, spec, label),
        )
        for line in lines:
            st.markdown(f"- {md_escape(line)}")


def verdict_lines(
    source, key, spec, label, *, sweep=None, breaks=None, placebos=None, power=None, specs=None
) -> list[str]:
    """One plain sentence per robustness question (``explorer.verdict``)."""
    from explorer.verdict import build_verdict

    iv = next(i for i in spec.interventions if i.label == label)
    v = build_verdict(
        label=label,
        claimed_date=iv.timestamp,
        freq=series(source, key, spec).freq,
        sweep=sweep,
        breaks=breaks,
        placebo=placebos,
        specs=specs,
        power=power,
    )
    return [f"{a.question} {a.sentence}" for a in v.answers]


# -- tables and labels -------------------------------------------------------------------------
def column_mapping(tbl, *, key: str):
    """Time and value columns (and treated group for long data).

    Defaults come from the URL (``{key}_url_*`` set by the page) or the catalogue; they are
    written into the widgets' state once, before the widgets exist, so a user's later choice
    is never overridden.
    """
    cols = list(tbl.frame.columns)
    suffix = tbl.sha256[:8]
    c1, c2 = st.columns(2)
    time_key, value_key = f"{key}_time_{suffix}", f"{key}_value_{suffix}"
    _seed(time_key, st.session_state.get(f"{key}_url_time") or tbl.time_column, cols)
    time = c1.selectbox("Time column", cols, key=time_key)
    values = numeric_columns(tbl, exclude=(time,)) or [c for c in cols if c != time]
    _seed(value_key, st.session_state.get(f"{key}_url_value") or default_value(tbl), values)
    value = c2.selectbox("Value column", values, key=value_key)
    group = treated = None
    if getattr(tbl, "group_column", None):
        group = tbl.group_column
        units = sorted(str(u) for u in tbl.frame[group].dropna().unique())
        treated_key = f"{key}_treated_{suffix}"
        _seed(
            treated_key, st.session_state.get(f"{key}_url_treated") or _default_treated(tbl), units
        )
        treated = st.selectbox(f"Treated {group}", units, key=treated_key)
    return time, value, group, treated


def _seed(widget_key: str, wanted, options) -> None:
    """Give a widget its initial value once (and repair a value that is no longer offered)."""
    current = st.session_state.get(widget_key)
    if current is None or current not in options:
        st.session_state[widget_key] = wanted if wanted in options else options[0]


def _default_treated(tbl) -> str | None:
    infos = dataset_infos().set_index("name")
    name = getattr(tbl, "name", None)
    if name in infos.index and infos.loc[name, "default_treated"]:
        return str(infos.loc[name, "default_treated"])
    return None


def default_value(tbl) -> str | None:
    name = getattr(tbl, "name", None)
    if name:
        try:
            info = dataset_infos().set_index("name")
            if name in info.index:
                return info.loc[name, "default_value"]
        except Exception:  # noqa: BLE001 - a default is a convenience only
            return None
    return None


def numeric_columns(tbl, *, exclude=()) -> list[str]:
    f = tbl.frame
    return [c for c in f.columns if c not in exclude and pd.api.types.is_numeric_dtype(f[c])]


def periods_of(tbl, time: str) -> pd.DatetimeIndex:
    from explorer.design import to_period_start

    d = pd.to_datetime(tbl.frame[time], errors="coerce").dropna().unique()
    return to_period_start(pd.DatetimeIndex(d).sort_values(), tbl.freq).unique()


def loader_report(tbl) -> None:
    """What the loader inferred (encoding, delimiter, dates, frequency) and any gaps."""
    rep = tbl.report
    d = rep.to_dict() if hasattr(rep, "to_dict") else {}
    for note in getattr(rep, "notes", []) or []:
        if note.startswith("CHECKSUM MISMATCH"):  # never only inside a collapsed panel
            st.warning(md_escape(note), icon=":material/gpp_maybe:")
    gaps = list(getattr(rep, "gaps", []) or [])
    label = "What the loader inferred" + (f" · {len(gaps)} missing periods" if gaps else "")
    with st.expander(label, expanded=bool(gaps)):
        for note in getattr(rep, "notes", []) or []:
            st.markdown(f"- {md_escape(note)}")
        if gaps:
            st.warning(
                f"{len(gaps)} periods are missing and stay missing (never filled): "
                + ", ".join(str(g)[:10] for g in gaps[:12])
                + (" ..." if len(gaps) > 12 else "")
            )
        rest = {k: v for k, v in d.items() if k not in ("notes", "gaps")}
        if rest:
            st.json(rest, expanded=False)
        st.caption(f"sha256 {tbl.sha256[:16]}…, {len(tbl.frame)} rows, frequency {tbl.freq}")


def dataset_title(source: str, key: str) -> str:
    row = _dataset_rows().get(key) if source == "dataset" else None
    return str(row["title"]) if row else "Uploaded series"


@st.cache_resource(max_entries=64, show_spinner=False)
def source_line(source: str, key: str) -> str:
    if source == "dataset":
        from explorer.catalog import get_dataset

        info = get_dataset(key)
        names = [
            str(s.get("title") or s.get("path")) if isinstance(s, dict) else str(s)
            for s in info.sources or []
        ]
        lic = f" Licence: {info.licence}." if info.licence else ""
        return ("; ".join(names[:2]) if names else info.title) + "." + lic
    return "uploaded file (sha256 " + key[:12] + ")"


def spec_subtitle(spec, result) -> str:
    fam = spec.family + (" on log scale" if spec.log else "")
    return f"{spec.model} ITS, {fam}, errors {result.errors_used}"


def effect_text(e, scale: str) -> str:
    """'-12.0% (95% CI -20.1% to -3.2%)' on the log scale, else the estimate in units."""
    if e is None:
        return "n/a"
    if scale == "log" and e.ratio is not None:
        pct = lambda r: f"{100 * (r - 1):+.1f}%"  # noqa: E731
        return f"{pct(e.ratio)} ({pct(e.ratio_ci_low)} to {pct(e.ratio_ci_high)})"
    return f"{e.estimate:+.3g} ({e.ci_low:+.3g} to {e.ci_high:+.3g})"


# -- robustness (each cached on the same hashable key as the fit) -----------------------------
@st.cache_resource(max_entries=32, show_spinner=False)
def sweep(source: str, key: str, spec, label: str):
    from explorer.sweep import sweep_dates

    return sweep_dates(series(source, key, spec), spec, label=label)


@st.cache_resource(max_entries=32, show_spinner=False)
def placebos(source: str, key: str, spec, label: str):
    from explorer.placebo import placebo_in_time

    return placebo_in_time(series(source, key, spec), spec, label=label)


@st.cache_resource(max_entries=16, show_spinner=False)
def placebos_in_space(source: str, key: str, spec, label: str):
    from explorer.placebo import placebo_in_space

    return placebo_in_space(series(source, key, spec), spec, label=label)


@st.cache_resource(max_entries=16, show_spinner=False)
def spec_curve(source: str, key: str, spec, label: str):
    from explorer.specs import specification_curve

    return specification_curve(series(source, key, spec), spec, label=label)


@st.cache_resource(max_entries=32, show_spinner=False)
def power(source: str, key: str, spec, label: str):
    from explorer.power import power_analysis

    return power_analysis(series(source, key, spec), spec, label=label, n_draws=500)


@st.cache_resource(max_entries=32, show_spinner=False)
def breaks(source: str, key: str, spec, max_breaks: int = 3):
    """sup-F and Bai-Perron on the series' own trend model (no interventions)."""
    from explorer.breaks import find_breaks

    return find_breaks(
        series(source, key, spec), max_breaks=max_breaks, use_log=spec.scale == "log"
    )


def its_chart(source: str, key: str, spec):
    """The ITS chart of a fit: prefetched (a neighbouring date) or built and cached."""
    hit = _PREFETCHED.get((source, key, spec))
    return hit[1] if hit is not None else _its_chart_cached(source, key, spec)


def prefetch_neighbours(source: str, key: str, spec, label: str, periods, freq: str) -> None:
    """Fit and draw the periods either side of ``label``'s date in a background thread.

    Dragging a date moves one period at a time: the next step then finds its fit and chart
    ready. Pure core calls (no Streamlit in the thread), kept in a small bounded dict.
    """
    from explorer.design import to_period_start

    iv = next((i for i in spec.interventions if i.label == label), None)
    if iv is None:
        return
    options = [d.strftime("%Y-%m-%d") for d in periods]
    current = to_period_start([iv.timestamp], freq)[0].strftime("%Y-%m-%d")
    if current not in options:
        return
    i = options.index(current)
    todo = []
    for j in (i - 1, i + 1):
        if 0 <= j < len(options):
            other = spec.with_date(label, options[j])
            if (source, key, other) not in _PREFETCHED:
                todo.append(other)
    if todo:
        words = (dataset_title(source, key), source_line(source, key))
        _PREFETCH_POOL.submit(
            _prefetch,
            source,
            key,
            todo,
            get_table(source, key),
            words,
            threading.current_thread(),
        )


def _server_busy(owner) -> bool:
    """True while another session's script runs (not ``owner``'s): prefetch only when idle."""
    return any(
        t is not owner and t.name == "ScriptRunner.scriptThread" and t.is_alive()
        for t in threading.enumerate()
    )


def _prefetch(source, key, specs, tbl, words, owner=None) -> None:
    from explorer import charts
    from explorer.its import fit_its
    from explorer.series import series_from_spec

    for sp in specs:
        if _server_busy(owner):
            return  # under load the CPU belongs to the readers waiting for their pages
        try:
            result = fit_its(series_from_spec(tbl, sp), sp)
            chart = charts.its_chart(result, text=_chart_text(*words, sp, result))
        except Exception:  # noqa: BLE001 - a neighbour that cannot be fitted is simply not ready
            continue
        _PREFETCHED[(source, key, sp)] = (result, chart)
        while len(_PREFETCHED) > 16:
            _PREFETCHED.pop(next(iter(_PREFETCHED)))


_PREFETCHED: dict = {}
_PREFETCH_POOL = concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="prefetch")


def _chart_text(title: str, source: str, spec, result):
    from explorer import charts

    return charts.ChartText(
        title=title,
        subtitle=spec_subtitle(spec, result),
        source=source,
        notes=tuple(result.caveats[:1]),
    )


@st.cache_resource(max_entries=64, show_spinner=False)
def _its_chart_cached(source: str, key: str, spec):
    from explorer import charts

    result = fit(source, key, spec)
    words = (dataset_title(source, key), source_line(source, key))
    return charts.its_chart(result, text=_chart_text(*words, spec, result))


@st.cache_resource(max_entries=64, show_spinner=False)
def timeline(claim_id: str, credit: str | None):
    """A claim's window against the events catalogue (the landing page's first chart)."""
    from explorer import charts

    claim = claims().set_index("claim_id").loc[claim_id]
    start, end = pd.Timestamp(claim["period_start"]), pd.Timestamp(claim["period_end"])
    return charts.events_timeline(
        events(),
        window=(start, end),
        credit=credit,
        span=(start - pd.DateOffset(months=5), end + pd.DateOffset(months=3)),
        text=charts.ChartText(
            title=f"{claim_id}: the claim's window against the events",
            subtitle=f"{claim['quantity']} ({VERIFICATION_TEXT[claim['verification']]})",
            source=f"{claim['source_publisher']}; events catalogue",
        ),
    )
