"""Controls of the "Explore & model" page, drawn from the app state and writing back into it.

The analysis is one frozen ``AppState`` (``app_pages._ui.state``); every widget here is given
the state's value before it is drawn and writes its change back through a callback, so the
controls always show what is fitted and another page (Robustness, Check a claim) sees the same
analysis. Options that cannot apply are disabled with the reason beside them.
"""

from __future__ import annotations

from dataclasses import replace

import pandas as pd
import streamlit as st

from app_pages._ui import analysis as an
from app_pages._ui import plain
from app_pages._ui import state as app_state
from app_pages._ui.words import (
    ERRORS_WORDS,
    FAMILY_WORDS,
    KIND_CODES,
    KIND_WORDS,
    MODEL_WORDS,
    SEASON_WORDS,
    in_app_words,
    intervention_name,
)
from explorer.periods import display_format

FAMILIES = ["gaussian", "poisson", "quasipoisson", "negbin"]
ERRORS_FOR = {
    "gaussian": ["auto", "ols", "hac", "ar:1", "ar:2"],
    "count": ["auto", "model", "hac"],
}
SEASONALITY = ["none", "month", "dow", "fourier:1", "fourier:2", "fourier:3"]
MODELS = ["segmented", "sarimax", "structural", "structural-forecast"]
DEFAULT_DATASET = an.DEFAULT_DATASET


def errors_options(family: str) -> list[str]:
    return ERRORS_FOR["gaussian" if family == "gaussian" else "count"]


def errors_key(family: str) -> str:
    return app_state.widget_key("xp_errors", errors_options(family))


# -- model options -----------------------------------------------------------------------------
def _on_family(key: str) -> None:
    family = st.session_state.get(key)
    state = app_state.current()
    changes: dict = {"family": family}
    if family != "gaussian":
        if state.log:
            changes["log"] = False
        if state.errors not in ERRORS_FOR["count"]:
            changes["errors"] = "auto"
        if state.model != "segmented":
            changes["model"] = "segmented"
    else:
        if state.errors not in ERRORS_FOR["gaussian"]:
            changes["errors"] = "auto"
        if state.offset:
            changes["offset"] = None
    app_state.update(**changes)


def model_options(cur) -> None:
    """Family, errors, seasonality, model, log scale, Newey-West lags, covariates, control and
    offset, each drawn from the state; the ones that cannot apply are disabled with the reason."""
    state = cur.state
    counts = state.family != "gaussian"
    usable = an.numeric_columns(cur.tbl, exclude=(state.time, state.value, state.group))
    c1, c2 = st.columns(2)
    app_state.seed("xp_family", state.family)
    c1.selectbox(
        "Family",
        FAMILIES,
        key="xp_family",
        format_func=FAMILY_WORDS.get,
        on_change=_on_family,
        args=("xp_family",),
    )
    opts = errors_options(state.family)
    ekey = errors_key(state.family)
    app_state.seed(ekey, state.errors if state.errors in opts else "auto")
    c2.selectbox(
        "Errors",
        opts,
        key=ekey,
        format_func=ERRORS_WORDS.get,
        on_change=app_state.writer(ekey, "errors"),
        help="auto: AR(1) by REML for gaussian fits (the coverage study's choice), model-based "
        "for counts. AR errors are for the gaussian family only.",
    )
    note = an.auto_note(state)
    if note:
        c2.caption(note)
    c3, c4 = st.columns(2)
    app_state.seed("xp_season", state.seasonality if state.seasonality in SEASONALITY else "none")
    c3.selectbox(
        "Seasonality",
        SEASONALITY,
        key="xp_season",
        format_func=SEASON_WORDS.get,
        on_change=app_state.writer("xp_season", "seasonality"),
    )
    app_state.seed("xp_model", state.model)
    c4.selectbox(
        "Model",
        MODELS,
        key="xp_model",
        format_func=MODEL_WORDS.get,
        on_change=app_state.writer("xp_model", "model"),
        disabled=counts,
        help="State-space models are gaussian: for counts choose Family: gaussian with Log scale"
        if counts
        else None,
    )
    app_state.seed("xp_log", bool(state.log))
    st.checkbox(
        "Log scale",
        key="xp_log",
        on_change=app_state.writer("xp_log", "log", bool),
        disabled=counts,
        help=(
            f"The {FAMILY_WORDS[state.family]} family already models log(mean): log scale is "
            "for the gaussian family only"
            if counts
            else "Gaussian on log(y): effects also as ratios"
        ),
    )
    if auto_or(state) == "hac":
        lkey = "xp_lags"
        app_state.seed(lkey, state.hac_lags)
        n = len(cur.periods) if cur.periods is not None else 0
        st.number_input(
            "Newey-West lags",
            min_value=0,
            max_value=max(n - 1, 0),
            step=1,
            key=lkey,
            placeholder="rule of thumb: floor(4 (n/100)^(2/9))",
            on_change=app_state.writer(lkey, "hac_lags", lambda v: None if v is None else int(v)),
            help="Empty: the usual rule of thumb; the fit's caption says the lag used",
        )
    c6, c7 = st.columns(2)
    ckey = app_state.widget_key("xp_covariates", usable)
    app_state.seed(ckey, [c for c in state.covariates if c in usable])
    c6.multiselect(
        "Covariates",
        usable,
        key=ckey,
        format_func=str,
        on_change=app_state.writer(ckey, "covariates", tuple),
        disabled=not usable,
        help=None if usable else "These data have no other numeric columns to adjust for",
    )
    opts = [""] + usable
    kkey = app_state.widget_key("xp_control", opts)
    app_state.seed(kkey, state.control if state.control in usable else "")
    c7.selectbox(
        "Control series",
        opts,
        key=kkey,
        format_func=lambda c: c or "none",
        on_change=app_state.writer(kkey, "control", lambda v: v or None),
        disabled=not usable or bool(state.group),
        help="Long data already compare the treated group with the others"
        if state.group
        else (None if usable else "These data have no other numeric column"),
    )
    okey = app_state.widget_key("xp_offset", opts)
    app_state.seed(okey, state.offset if state.offset in usable else "")
    st.selectbox(
        "Offset (exposure)",
        opts,
        key=okey,
        format_func=lambda c: c or "none",
        on_change=app_state.writer(okey, "offset", lambda v: v or None),
        disabled=not counts or not usable,
        help="Count families: a population or exposure column, entering as log(offset), so "
        "effects are on rates"
        + ("" if counts else " (choose a count family under Family to use one)"),
    )


def auto_or(state) -> str:
    return an.auto_errors(state)


# -- columns -------------------------------------------------------------------------------------
def _column_box(where, label: str, options: list[str], key: str, field: str, value) -> None:
    """A selectbox over data-dependent ``options`` showing the state's ``field`` (``value``)."""
    wkey = app_state.widget_key(key, options)
    app_state.seed(wkey, value)
    where.selectbox(
        label, options, key=wkey, format_func=str, on_change=app_state.writer(wkey, field)
    )


def column_mapping(cur, *, key: str = "xp") -> None:
    """Time and value columns (and the treated group for long data), drawn from the state."""
    tbl, state = cur.tbl, cur.state
    cols = [str(c) for c in tbl.frame.columns]
    c1, c2 = st.columns(2)
    if state.time in cols:
        _column_box(c1, "Time column", cols, f"{key}_time", "time", state.time)
    else:
        c1.caption(f"Time: {plain(state.time or '')}")
    values = an.numeric_columns(tbl, exclude=(state.time,)) or [c for c in cols if c != state.time]
    if state.value in values:
        _column_box(c2, "Value column", values, f"{key}_value", "value", state.value)
    if state.group:
        units = sorted(str(u) for u in tbl.frame[state.group].dropna().unique())
        if state.treated in units:
            label = f"Treated {plain(state.group)}"
            _column_box(st, label, units, f"{key}_treated", "treated", state.treated)


# -- interventions -------------------------------------------------------------------------------
COLUMNS = ["remove", "intervention", "date", "kind", "ramp", "until"]


def _rows(state, names) -> pd.DataFrame:
    rows = [
        {
            "remove": False,
            "intervention": intervention_name(iv.label, names),
            "date": iv.date,
            "kind": KIND_WORDS.get(iv.kind, iv.kind),
            "ramp": iv.ramp,
            "until": iv.until or "",
        }
        for iv in state.interventions
    ]
    frame = pd.DataFrame(rows, columns=COLUMNS)
    frame["remove"] = frame["remove"].astype(bool)
    frame["ramp"] = pd.array(frame["ramp"], dtype="Int64")
    return frame


def column_order(state) -> list[str]:
    """The table's columns: ramp and until only when an intervention uses them, so the columns
    a reader needs fit the page's narrow left column."""
    kinds = {iv.kind for iv in state.interventions}
    cols = ["remove", "intervention", "date", "kind"]
    cols += ["ramp"] if "ramp" in kinds else []
    cols += ["until"] if "temporary" in kinds else []
    return cols


def _set_ivs(ivs) -> None:
    app_state.update(interventions=tuple(ivs))
    st.session_state.pop("xp_iv_error", None)
    an.rekey_editor()


def _iv_from(row: dict):
    from explorer.spec import Intervention

    kind = KIND_CODES.get(str(row.get("kind") or ""), row.get("kind") or "level_slope")
    ramp = row.get("ramp")
    ramp = None if ramp is None or pd.isna(ramp) else int(ramp)
    if kind == "ramp" and ramp is None:
        ramp = 3
    until = str(row.get("until") or "").strip() or None
    if kind != "ramp":
        ramp = None
    if kind != "temporary":
        until = None
    return Intervention(
        str(row.get("label") or "").strip(), _cell(row.get("date")), kind, ramp=ramp, until=until
    )


def _on_editor_change(editor_key: str) -> None:
    """Apply the editor's edits to the state: changed cells, then the ticked ``remove`` rows.
    An edit that makes an impossible intervention is refused with the reason (kept until the
    next edit); the state, and so the fit on screen, stays as it was."""
    from explorer.errors import SpecError

    delta = st.session_state.get(editor_key) or {}
    state = app_state.current()
    rows = [
        {
            "label": iv.label,
            "date": iv.date,
            "kind": KIND_WORDS.get(iv.kind, iv.kind),
            "ramp": iv.ramp,
            "until": iv.until,
        }
        for iv in state.interventions
    ]
    drop = {int(i) for i in delta.get("deleted_rows") or []}
    for idx, changes in (delta.get("edited_rows") or {}).items():
        i = int(idx)
        if i < len(rows):
            for col, val in changes.items():
                if col == "remove":
                    if val:
                        drop.add(i)
                elif col == "intervention":  # a new name: the intervention's new label
                    rows[i]["label"] = val
                elif col in ("date", "kind", "ramp", "until"):
                    rows[i][col] = val
    try:
        ivs = [_iv_from(r) for i, r in enumerate(rows) if i not in drop]
        labels = [iv.label for iv in ivs]
        if len(set(labels)) < len(labels):
            raise SpecError("two interventions have the same label: give each its own label.")
    except SpecError as exc:
        st.session_state["xp_iv_error"] = in_app_words(str(exc))
        an.rekey_editor()
        return
    _set_ivs(ivs)


def _cell(val) -> str:
    if val is not None and not isinstance(val, str):
        return pd.Timestamp(val).strftime("%Y-%m-%d")
    return "" if val is None else str(val).strip()


def _on_add_presets(events: pd.DataFrame) -> None:
    """Move the chosen catalogue events into the interventions and clear the picker."""
    from explorer.spec import Intervention

    ivs = list(app_state.current().interventions)
    have = {iv.label for iv in ivs}
    for k in st.session_state.get("xp_add_presets", []):
        if k not in have:
            d = pd.Timestamp(events.loc[events["key"] == k, "date"].iloc[0])
            ivs.append(Intervention(k, d.strftime("%Y-%m-%d")))
    st.session_state["xp_add_presets"] = []
    _set_ivs(ivs)


def interventions_editor(cur, events: pd.DataFrame) -> None:
    """The table of interventions (name, date, kind; ramp and until when used).

    Rows are added from the catalogue picker or the "Add an intervention" button and removed
    with the table's "drop" ticks. The table keeps a fixed number of rows between those edits:
    Streamlit then keys it on its columns rather than its values, so a date moved on a slider
    updates its cell in place instead of rebuilding the table on every step.
    """
    names = an.event_names(events)
    pick, table = st.columns([1, 2], gap="large")
    pick.multiselect(
        "Add events from the catalogue",
        list(names),
        format_func=names.get,
        key="xp_add_presets",
        placeholder="Paris attacks, Twitter's suspension waves, ...",
        on_change=_on_add_presets,
        args=(events,),
    )
    key = f"xp_editor_{st.session_state.get('xp_editor_version', 0)}"
    table.data_editor(
        _rows(cur.state, names),
        key=key,
        num_rows="fixed",
        hide_index=True,
        column_order=column_order(cur.state),
        on_change=_on_editor_change,
        args=(key,),
        column_config={
            "remove": st.column_config.CheckboxColumn(
                "drop", help="Tick to remove this intervention", width=40
            ),
            "intervention": st.column_config.TextColumn(
                "intervention",
                required=True,
                max_chars=60,
                width=120,
                help="The events catalogue's name for its events; type a new name to rename "
                "(letters, digits, spaces and . & ( ) ' / + - _). The slider's help shows the "
                "key the link and the command line use.",
            ),
            "date": st.column_config.TextColumn(
                "date", help="YYYY, YYYY-MM or YYYY-MM-DD", required=True, width=84
            ),
            "kind": st.column_config.SelectboxColumn(
                "kind",
                options=list(KIND_WORDS.values()),
                required=True,
                width=92,
                help="level + slope: a level and a slope change; level only; ramp: the level "
                "moves to its full change over 'ramp' periods; temporary: a level change "
                "until the 'until' date",
            ),
            "ramp": st.column_config.NumberColumn(
                "ramp",
                min_value=1,
                max_value=120,
                step=1,
                width=56,
                help="Ramp length in periods (kind: ramp)",
            ),
            "until": st.column_config.TextColumn(
                "until", width=90, help="End date of a temporary change (kind: temporary)"
            ),
        },
    )
    err = st.session_state.get("xp_iv_error")
    if err:
        table.error("Interventions: " + plain(err), icon=":material/error:")
    pick.button(
        "Add an intervention",
        icon=":material/add:",
        key="xp_add_row",
        on_click=_on_add_row,
        args=(new_row_date(cur.periods if cur.periods is not None else []),),
        help="A new row dated in the middle of the data; rename it and move its date",
    )


def new_row_date(periods) -> str:
    """Where a new intervention starts: the data's middle period (or today if no data)."""
    if len(periods) == 0:
        return pd.Timestamp.today().strftime("%Y-%m-%d")
    return pd.Timestamp(periods[len(periods) // 2]).strftime("%Y-%m-%d")


def _on_add_row(date: str) -> None:
    from explorer.spec import Intervention

    ivs = list(app_state.current().interventions)
    have = {iv.label for iv in ivs}
    n = len(ivs) + 1
    while f"event{n}" in have:
        n += 1
    ivs.append(Intervention(f"event{n}", date))
    _set_ivs(ivs)


def slider_key(i: int, cur) -> str:
    return app_state.widget_key(f"xp_date_{i}", (cur.tbl.sha256, cur.tbl.freq))


def _on_slider_change(i: int, key: str) -> None:
    ivs = list(app_state.current().interventions)
    if i < len(ivs):
        ivs[i] = replace(ivs[i], date=st.session_state[key])
        app_state.update(interventions=tuple(ivs))


def date_sliders(cur, events, skip: str | None = None) -> None:
    """One slider per intervention over the data's periods; moving one refits at once.

    The slider shows the period a date falls in; the date itself stays as typed (2016-01-08)
    until the slider is moved. ``skip`` is the intervention dragged on the chart (``_scrub``).
    """
    from explorer.periods import to_period_start

    names = an.event_names(events)
    periods = cur.periods
    if periods is None or len(periods) == 0:
        return
    options = [d.strftime("%Y-%m-%d") for d in periods]
    fmt = display_format(cur.tbl.freq)
    for i, iv in enumerate(cur.state.interventions):
        name = intervention_name(iv.label, names)
        if skip is not None and iv.label == skip:
            from app_pages import _scrub

            _scrub.slider_note(name)
            continue
        current = to_period_start([iv.timestamp], cur.tbl.freq)[0].strftime("%Y-%m-%d")
        if current not in options:
            st.caption(
                f"{plain(name)}: {plain(iv.date)} is outside the data "
                f"({options[0]} to {options[-1]})."
            )
            continue
        key = slider_key(i, cur)
        app_state.seed(key, current)
        st.select_slider(
            f"Date of {plain(name)}",
            options=options,
            key=key,
            format_func=lambda s: pd.Timestamp(s).strftime(fmt),
            on_change=_on_slider_change,
            args=(i, key),
            help=f"Key in the link and on the command line: {plain(iv.label)}"
            + (
                "" if current == iv.date else f". Typed as {plain(iv.date)}; kept until you move it"
            ),
        )


# -- results -------------------------------------------------------------------------------------
def effect_table(result, names: dict | None = None) -> pd.DataFrame:
    """One row per intervention and effect: estimate, 95% CI, p-value (and ratio on log scale)."""
    rows = []
    for iv in result.interventions:
        for name in ("level_change", "slope_change", "post_trend"):
            e = getattr(iv, name)
            if e is None:
                continue
            row = {
                "intervention": intervention_name(iv.label, names),
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


def show_problems(cur, box=None, only=None) -> None:
    """Every problem of the setup at once (those naming the controls in ``only``, when given),
    each naming its control, and what the link holds."""
    target = box if box is not None else st
    for p in cur.problems:
        if only is None or p.control in only:
            target.error(plain(p.text()), icon=":material/error:")
    if cur.problems:
        target.caption(plain(app_state.link_note()))
