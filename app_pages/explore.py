"""Explore & model: a dataset or an upload, interventions, model options -> fit, chart, effects.

Every change refits and redraws at once (fits are cached on the dataset checksum and the frozen
spec). The interventions and the results are one ``st.fragment``: moving a date or editing the
table reruns only that part, which keeps dragging a date as quick as in a trivial app. A bad
upload or an impossible spec shows its message next to the control that caused it, and the last
analysis that worked stays on screen.
"""

import streamlit as st

from app_pages import _explore as xp
from app_pages import _scrub as scrub
from app_pages import _ui as ui

st.title("Explore & model")
xp.init_from_url()
if st.session_state.get("xp_url_warning"):
    st.warning(ui.md_escape(st.session_state.pop("xp_url_warning")), icon=":material/link_off:")
events = ui.events()

data_col, model_col = st.columns(2, gap="large")
with data_col:
    st.subheader("Data")
    picked = ui.data_source_picker(key="xp", default=xp.DEFAULT_DATASET)
if picked is None:
    st.info("Choose a dataset (or upload a file) to start.")
    st.stop()
source, key, tbl = picked
xp.fit_ivs_to_data(key, tbl, events)
with data_col:
    ui.caveats_box(source, key)
    time, value, group, treated = ui.column_mapping(tbl, key="xp")
    xp.warn_url_columns(tbl, time, value)
    ui.loader_report(tbl)
with model_col:
    st.subheader("Model")
    xp.model_options(ui.numeric_columns(tbl, exclude=(time, value, group)))
    options_box = st.container()


@st.fragment
def analysis(source, key, tbl, time, value, group, treated):
    """Interventions on the left, the fit on the right; reruns alone when a date moves."""
    left, right = st.columns([1, 2], gap="large")
    current = None
    spec = None
    with ui.guard(options_box, what="building the spec"):
        spec = xp.build_spec(time, value, group=group, treated=treated)
    with left:
        st.subheader("Interventions")
        periods = ui.periods_of(tbl, time)
        xp.interventions_editor(events, periods)
        scrubbed = scrub.controls(source, key, spec)  # the date dragged on the chart, or None
        xp.date_sliders(periods, tbl.freq, skip=scrubbed[0] if scrubbed else None)
        ivs_box = st.container()
    if spec is not None:
        xp.write_url(source, key, spec)
        with ui.guard(ivs_box, what="fitting"):
            current = ui.fit(source, key, spec)
            st.session_state["xp_last_good"] = (source, key, spec)
    with right:
        results(current, scrubbed)
    if current is not None and spec.interventions:
        # The next step of a dragged date is usually one period away: have it ready.
        ui.prefetch_neighbours(source, key, spec, spec.interventions[0].label, periods, tbl.freq)


def results(current, scrubbed=None) -> None:
    shown = st.session_state.get("xp_last_good")
    if shown is None:
        st.info("Add at least one intervention inside the data's range to fit.")
        return
    source, key, spec = shown
    if current is None:
        st.caption("Still showing the last analysis that worked; fix the input on the left.")
    result = ui.fit(source, key, spec)
    if current is not None and scrub.draw(scrubbed):
        chart = scrub.export_chart(source, key, spec)  # built only once the kit is opened
    else:
        chart = ui.its_chart(source, key, spec)
        ui.show_chart(chart, key="xp_chart")
    ui.source_caption(ui.source_line(source, key))
    if source == "upload":
        st.caption("An uploaded file is not part of the link: share the file with the link.")
    ui.export_kit(chart, key="xp_export", results=result, provenance=ui.provenance(source, key))
    st.subheader("Effects")
    if result.interventions and result.interventions[0].level_change is not None:
        first = result.interventions[0]
        st.metric(
            f"Level change at {ui.plain(first.label)} ({first.first_treated_period:%b %Y})",
            ui.effect_text(first.level_change, result.scale),
            help="Estimate with its 95% confidence interval",
        )
    st.dataframe(
        xp.effect_table(result),
        hide_index=True,
        key="xp_effects",
        column_config={
            c: st.column_config.NumberColumn(format="%.4g")
            for c in (
                "estimate",
                "ci_low",
                "ci_high",
                "p_value",
                "ratio",
                "ratio_ci_low",
                "ratio_ci_high",
            )
        },
    )
    st.write(ui.md_escape(result.summary_text))
    for caveat in result.caveats:
        st.warning(ui.md_escape(caveat), icon=":material/warning:")
    st.caption(
        f"Model: {result.model}, family {result.family}, errors {result.errors_used}, "
        f"n = {result.n_obs}."
    )


analysis(source, key, tbl, time, value, group, treated)
