"""State and controls of the "Explore & model" page.

The page's whole state (dataset, columns, interventions, model options) is kept in
``st.session_state`` under ``xp_*`` keys and mirrored into ``st.query_params``, so a copied URL
reopens the same analysis. The interventions live in one list (``xp_ivs``); the editor and the
date sliders both write into it through callbacks, which run before the page is drawn, so the
two controls always agree.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from app_pages import _ui as ui
from explorer.periods import display_format

FAMILIES = ["gaussian", "poisson", "quasipoisson", "negbin"]
ERRORS = ["auto", "ols", "hac", "ar:1", "ar:2", "model"]
SEASONALITY = ["none", "month", "dow", "fourier:1", "fourier:2", "fourier:3"]
MODELS = ["segmented", "sarimax", "structural", "structural-forecast"]
KIND_OPTIONS = ["level_slope", "level"]
DEFAULT_DATASET = "scenarios"
# Interventions offered when a dataset is first opened (keys of the events catalogue).
DEFAULT_PRESETS = ("gec",)


# -- state <-> URL (the format is explorer.urlstate's) -----------------------------------------
def init_from_url() -> None:
    """On the session's first run of this page, read the URL into the widgets' state.

    ``explorer.urlstate.from_query`` never raises: a parameter it cannot use comes back as a
    warning (plain text) and its default, which the page shows with ``st.warning``.
    """
    if st.session_state.get("xp_init"):
        return
    st.session_state["xp_init"] = True
    from explorer import urlstate
    from explorer.catalog import events as events_mod

    params = {k: st.query_params.get_all(k) for k in st.query_params}
    state, warnings = urlstate.from_query(
        params, datasets=ui.dataset_infos()["name"].tolist(), resolve=events_mod.resolve
    )
    st.session_state["xp_family"] = state.family
    st.session_state["xp_log"] = bool(state.log)
    st.session_state["xp_errors"] = state.errors if state.errors in ERRORS else "auto"
    st.session_state["xp_season"] = (
        state.seasonality if state.seasonality in SEASONALITY else "none"
    )
    st.session_state["xp_model"] = state.model
    st.session_state["xp_control"] = state.control or ""
    st.session_state["xp_offset"] = state.offset or ""
    st.session_state["xp_covariates"] = list(state.covariates)
    if state.dataset:
        st.session_state["xp_dataset"] = state.dataset
    for name in ("time", "value", "treated"):
        if getattr(state, name):
            st.session_state[f"xp_url_{name}"] = getattr(state, name)
    if state.interventions:
        st.session_state["xp_ivs"] = [
            {"label": iv.label, "date": iv.date, "kind": iv.kind} for iv in state.interventions
        ]
    if warnings:
        st.session_state["xp_url_warning"] = " ".join(warnings)


def warn_url_columns(tbl, time: str, value: str) -> None:
    """Once per data, warn when the link's time/value columns are not in them (the page then
    shows its own choice, which used to happen silently)."""
    from explorer import urlstate

    requested = {n: st.session_state.get(f"xp_url_{n}") for n in ("time", "value")}
    if not any(requested.values()) or st.session_state.get("xp_url_cols_for") == tbl.sha256:
        return
    st.session_state["xp_url_cols_for"] = tbl.sha256
    cols = list(tbl.frame.columns)
    available = {"time": cols, "value": ui.numeric_columns(tbl, exclude=(time,)) or cols}
    for w in urlstate.column_warnings(requested, available, {"time": time, "value": value}):
        st.warning(ui.md_escape(w), icon=":material/link_off:")


def write_url(source: str, key: str, spec) -> None:
    """Mirror the analysis into the URL (``explorer.urlstate.to_query``: defaults left out)."""
    from explorer import urlstate

    state = urlstate.from_spec(spec, dataset=key if source == "dataset" else None)
    params = urlstate.to_query(state)
    current = {k: st.query_params.get(k) for k in st.query_params}
    if current != params:
        st.query_params.from_dict(params)


# -- interventions -----------------------------------------------------------------------------
def default_ivs(events: pd.DataFrame) -> list[dict]:
    rows = []
    for key in DEFAULT_PRESETS:
        hit = events.loc[events["key"] == key]
        if not hit.empty:
            rows.append(
                {
                    "label": key,
                    "date": pd.Timestamp(hit.iloc[0]["date"]).strftime("%Y-%m-%d"),
                    "kind": "level_slope",
                }
            )
    return rows


def fit_ivs_to_data(key: str, tbl, events: pd.DataFrame) -> None:
    """When the data change, keep the interventions that fall inside them; if none does, use
    the dataset's own documented intervention (Sicily's ban, Prop 99) or the GEC if it falls
    inside, so a newly picked dataset opens on a fit rather than an out-of-range error.
    """
    if st.session_state.get("xp_ivs_for") == key:
        return
    first_run = "xp_ivs_for" not in st.session_state
    st.session_state["xp_ivs_for"] = key
    if first_run and "xp_ivs" in st.session_state:
        return  # the URL set them: respect the link exactly
    dates = pd.DatetimeIndex(tbl.frame[tbl.time_column].dropna())
    lo, hi = dates.min(), dates.max()

    def inside(iv) -> bool:
        try:
            return lo < pd.Timestamp(iv["date"]) <= hi
        except (ValueError, TypeError):
            return False

    ivs = [iv for iv in st.session_state.get("xp_ivs") or default_ivs(events) if inside(iv)]
    if not ivs:
        info = ui.dataset_infos().set_index("name")
        text = info["default_intervention"].get(key) if "default_intervention" in info else None
        if isinstance(text, str) and text:
            from explorer.spec import parse_intervention

            iv = parse_intervention(text)
            ivs = [{"label": iv.label, "date": iv.date, "kind": iv.kind}]
    st.session_state["xp_ivs"] = ivs
    _rekey_editor()


def _rekey_editor() -> None:
    """A new key for the interventions table: its next state starts from the list, clean."""
    st.session_state["xp_editor_version"] = st.session_state.get("xp_editor_version", 0) + 1


def _on_editor_change(editor_key: str) -> None:
    """Apply the editor's edits to the intervention list: changed cells, then the rows ticked
    ``remove`` (and, should a caller allow them, added or deleted rows)."""
    delta = st.session_state.get(editor_key) or {}
    ivs = [dict(iv) for iv in st.session_state.get("xp_ivs", [])]
    drop = {int(i) for i in delta.get("deleted_rows") or []}
    for idx, changes in (delta.get("edited_rows") or {}).items():
        i = int(idx)
        if i < len(ivs):
            for col, val in changes.items():
                if col == "remove":
                    if val:
                        drop.add(i)
                elif col in ("label", "date", "kind"):
                    ivs[i][col] = _cell(col, val)
    for row in delta.get("added_rows") or []:
        ivs.append(
            {
                "label": str(row.get("label") or f"event{len(ivs) + 1}"),
                "date": _cell("date", row.get("date")) or "",
                "kind": row.get("kind") or "level_slope",
            }
        )
    ivs = [iv for i, iv in enumerate(ivs) if i not in drop]
    st.session_state["xp_ivs"] = ivs
    _rekey_editor()


def _cell(col: str, val):
    if col == "date" and val is not None and not isinstance(val, str):
        return pd.Timestamp(val).strftime("%Y-%m-%d")
    return "" if val is None else str(val).strip()


def _on_slider_change(i: int, key: str) -> None:
    ivs = st.session_state.get("xp_ivs", [])
    if i < len(ivs):
        ivs[i] = {**ivs[i], "date": st.session_state[key]}
        st.session_state["xp_ivs"] = list(ivs)


def _on_add_presets(events: pd.DataFrame) -> None:
    """Move the chosen catalogue events into the intervention list and clear the picker."""
    ivs = list(st.session_state.get("xp_ivs", []))
    have = {iv["label"] for iv in ivs}
    for k in st.session_state.get("xp_add_presets", []):
        if k not in have:
            d = pd.Timestamp(events.loc[events["key"] == k, "date"].iloc[0])
            ivs.append({"label": k, "date": d.strftime("%Y-%m-%d"), "kind": "level_slope"})
    st.session_state["xp_ivs"] = ivs
    st.session_state["xp_add_presets"] = []
    _rekey_editor()


def interventions_editor(events: pd.DataFrame, periods: pd.DatetimeIndex) -> None:
    """The table of interventions (label, date, kind), prefilled from the events catalogue.

    Rows are added from the catalogue picker or the "Add an intervention" button and removed
    with the table's "drop" ticks (its ``remove`` column). The table keeps a fixed number of rows between those
    edits: Streamlit then keys it on its columns rather than its values, so a date moved on a
    slider updates its cell in place instead of rebuilding the table on every step.
    """
    if "xp_ivs" not in st.session_state:
        st.session_state["xp_ivs"] = default_ivs(events)
    presets = dict(zip(events["key"], events["label"], strict=False))
    st.multiselect(
        "Add events from the catalogue",
        list(presets),
        format_func=lambda k: presets[k],
        key="xp_add_presets",
        placeholder="Paris attacks, Twitter's suspension waves, ...",
        on_change=_on_add_presets,
        args=(events,),
    )
    key = f"xp_editor_{st.session_state.get('xp_editor_version', 0)}"
    frame = pd.DataFrame(st.session_state["xp_ivs"], columns=["label", "date", "kind"])
    frame["remove"] = False
    st.data_editor(
        frame,
        key=key,
        num_rows="fixed",
        hide_index=True,
        column_order=("remove", "label", "date", "kind"),
        on_change=_on_editor_change,
        args=(key,),
        column_config={
            # Pixel widths: the four columns fit the page's narrow left column, the tick first.
            "label": st.column_config.TextColumn("label", required=True, max_chars=60, width=64),
            "date": st.column_config.TextColumn(
                "date", help="YYYY, YYYY-MM or YYYY-MM-DD", required=True, width=84
            ),
            "kind": st.column_config.SelectboxColumn(
                "kind",
                options=KIND_OPTIONS,
                required=True,
                help="level_slope: a level and a slope change; level: a level change only",
                width=86,
            ),
            "remove": st.column_config.CheckboxColumn(
                "drop", help="Tick to remove this intervention", width=62
            ),
        },
    )
    st.button(
        "Add an intervention",
        icon=":material/add:",
        key="xp_add_row",
        on_click=_on_add_row,
        args=(new_row_date(periods),),
        help="A new row dated in the middle of the data; rename it and move its date",
    )


def new_row_date(periods: pd.DatetimeIndex) -> str:
    """Where a new intervention starts: the data's middle period (or today if no data)."""
    if len(periods) == 0:
        return pd.Timestamp.today().strftime("%Y-%m-%d")
    return pd.Timestamp(periods[len(periods) // 2]).strftime("%Y-%m-%d")


def _on_add_row(date: str) -> None:
    ivs = list(st.session_state.get("xp_ivs", []))
    have = {iv["label"] for iv in ivs}
    n = len(ivs) + 1
    while f"event{n}" in have:
        n += 1
    ivs.append({"label": f"event{n}", "date": date, "kind": "level_slope"})
    st.session_state["xp_ivs"] = ivs
    _rekey_editor()


def date_sliders(periods: pd.DatetimeIndex, freq: str, skip: str | None = None) -> None:
    """One slider per intervention over the data's periods; moving one refits at once.

    ``skip`` is the intervention whose date is dragged on the chart (``app_pages._scrub``).
    """
    from explorer.periods import to_period_start

    options = [d.strftime("%Y-%m-%d") for d in periods]
    fmt = display_format(freq)
    for i, iv in enumerate(st.session_state.get("xp_ivs", [])):
        key = f"xp_date_{i}"
        if skip is not None and iv.get("label") == skip:
            from app_pages import _scrub

            _scrub.slider_note(skip)
            continue
        try:
            current = to_period_start([pd.Timestamp(iv["date"])], freq)[0].strftime("%Y-%m-%d")
        except (ValueError, TypeError):
            continue
        if current not in options:
            st.caption(
                f"{ui.md_escape(iv['label'])}: {ui.md_escape(iv['date'])} is outside the data "
                f"({options[0]} to {options[-1]})."
            )
            continue
        # Keep the slider in step with the list (an edit in the table may have moved it).
        if st.session_state.get(key) != current:
            st.session_state[key] = current
        st.select_slider(
            f"Date of {ui.plain(iv['label'])}",
            options=options,
            key=key,
            format_func=lambda s: pd.Timestamp(s).strftime(fmt),
            on_change=_on_slider_change,
            args=(i, key),
        )


# -- model options -----------------------------------------------------------------------------
def model_options(columns: list[str]) -> None:
    c1, c2 = st.columns(2)
    c3, c4 = st.columns(2)
    c1.selectbox("Family", FAMILIES, key="xp_family")
    c2.selectbox(
        "Errors",
        ERRORS,
        key="xp_errors",
        help="auto: Newey-West (HAC) for gaussian, model-based for counts",
    )
    c3.selectbox("Seasonality", SEASONALITY, key="xp_season")
    c4.selectbox("Model", MODELS, key="xp_model")
    c6, c7 = st.columns(2)
    st.checkbox("Log scale", key="xp_log", help="Gaussian on log(y): effects also as ratios")
    valid_cov = [c for c in st.session_state.get("xp_covariates", []) if c in columns]
    st.session_state["xp_covariates"] = valid_cov
    c6.multiselect("Covariates", columns, key="xp_covariates")
    ctrl = st.session_state.get("xp_control", "")
    if ctrl not in [""] + columns:
        st.session_state["xp_control"] = ""
    c7.selectbox(
        "Control series", [""] + columns, key="xp_control", format_func=lambda c: c or "none"
    )
    off = st.session_state.get("xp_offset", "")
    if off not in [""] + columns:
        st.session_state["xp_offset"] = ""
    st.selectbox(
        "Offset (exposure)",
        [""] + columns,
        key="xp_offset",
        format_func=lambda c: c or "none",
        help="Count families: a population or exposure column, entering as log(offset), "
        "so effects are on rates",
    )


def build_spec(time: str, value: str, *, group=None, treated=None):
    """The frozen ItsSpec from the page's state. Raises SpecError with the user's fix."""
    from explorer.spec import Intervention, ItsSpec, parse_errors, parse_seasonality

    ivs = tuple(
        Intervention(str(iv["label"]), str(iv["date"]), iv.get("kind") or "level_slope")
        for iv in st.session_state.get("xp_ivs", [])
    )
    errors = st.session_state.get("xp_errors", "auto")
    ekind, order = parse_errors(None if errors == "auto" else errors)
    skind, k = parse_seasonality(st.session_state.get("xp_season", "none"))
    return ItsSpec(
        time=time,
        value=value,
        interventions=ivs,
        group=group or None,
        treated=treated or None,
        control=st.session_state.get("xp_control") or None,
        offset=st.session_state.get("xp_offset") or None,
        covariates=tuple(st.session_state.get("xp_covariates", [])),
        family=st.session_state.get("xp_family", "gaussian"),
        log=bool(st.session_state.get("xp_log", False)),
        errors=ekind,
        ar_order=order,
        seasonality=skind,
        fourier_k=k,
        model=st.session_state.get("xp_model", "segmented"),
    )


# -- results -------------------------------------------------------------------------------------
def effect_table(result) -> pd.DataFrame:
    """One row per intervention and effect: estimate, 95% CI, p-value (and ratio on log scale)."""
    rows = []
    for iv in result.interventions:
        for name in ("level_change", "slope_change", "post_trend"):
            e = getattr(iv, name)
            if e is None:
                continue
            row = {
                "intervention": iv.label,
                "effect": name.replace("_", " "),
                "estimate": e.estimate,
                "ci_low": e.ci_low,
                "ci_high": e.ci_high,
                "p_value": e.p_value,
            }
            if e.ratio is not None:
                row.update(
                    ratio=e.ratio, ratio_ci_low=e.ratio_ci_low, ratio_ci_high=e.ratio_ci_high
                )
            rows.append(row)
    return pd.DataFrame(rows)


def current_analysis(events: pd.DataFrame):
    """(source, key, spec) of the analysis on Explore & model, else the URL's, else the default.

    Lets the Robustness page open straight from a shared link without visiting Explore first.
    """
    init_from_url()
    last = st.session_state.get("xp_last_good")
    if last is not None:
        return last
    name = st.session_state.get("xp_dataset", DEFAULT_DATASET)
    tbl = ui.table(name, ui.dataset_sha(name))
    infos = ui.dataset_infos().set_index("name")
    time = st.session_state.get("xp_url_time") or tbl.time_column
    value = st.session_state.get("xp_url_value") or ui.default_value(tbl)
    group = tbl.group_column
    treated = st.session_state.get("xp_url_treated") or (
        infos.loc[name, "default_treated"] if group and name in infos.index else None
    )
    if "xp_ivs" not in st.session_state:
        st.session_state["xp_ivs"] = default_ivs(events)
    return "dataset", name, build_spec(time, value, group=group, treated=treated)
