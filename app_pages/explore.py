"""Explore & model: a dataset or an upload, interventions, model options -> fit, chart, effects.

Every change refits and redraws at once (fits are cached on the dataset checksum and the frozen
spec). A bad upload or an impossible spec shows its message next to the control that caused it,
and the last analysis that worked stays on screen.
"""

import streamlit as st

from app_pages import _explore as xp
from app_pages import _ui as ui
from explorer import charts

st.title("Explore & model")
xp.init_from_url()
if st.session_state.get("xp_url_warning"):
    st.warning(ui.md_escape(st.session_state.pop("xp_url_warning")), icon=":material/link_off:")
events = ui.events()

left, right = st.columns([1, 2], gap="large")
with left:
    st.subheader("Data")
    picked = ui.data_source_picker(key="xp", default=xp.DEFAULT_DATASET)
    columns_box = st.container()
    st.subheader("Interventions")
    xp.interventions_editor(events)
    ivs_box = st.container()
    st.subheader("Model")
    options_box = st.container()

spec = current = None
if picked is not None:
    source, key, tbl = picked
    with columns_box:
        time, value, group, treated = ui.column_mapping(tbl, key="xp")
        ui.loader_report(tbl)
    with ivs_box:
        periods = ui.periods_of(tbl, time)
        xp.date_sliders(periods, tbl.freq)
    with options_box:
        numeric = ui.numeric_columns(tbl, exclude=(time, value, group))
        xp.model_options(numeric)
    with ui.guard(options_box, what="building the spec"):
        spec = xp.build_spec(time, value, group=group, treated=treated)
    if spec is not None:
        xp.write_url(source, key, time, value, {"group": group, "treated": treated})
        with ui.guard(ivs_box, what="fitting"), st.spinner("Fitting..."):
            current = ui.fit(source, key, spec)
            st.session_state["xp_last_good"] = (source, key, spec)

with right:
    shown = st.session_state.get("xp_last_good")
    if shown is None:
        st.info("Choose a dataset (or upload a file) and at least one intervention to fit.")
    else:
        source, key, spec = shown
        if current is None:
            st.caption("Still showing the last analysis that worked; fix the input on the left.")
        result = ui.fit(source, key, spec)
        title = ui.dataset_title(source, key)
        chart = charts.its_chart(
            result,
            text=charts.ChartText(
                title=title,
                subtitle=ui.spec_subtitle(spec, result),
                source=ui.source_line(source, key),
                notes=tuple(result.caveats[:1]),
            ),
        )
        st.plotly_chart(chart.figure, key="xp_chart", width="content")
        ui.source_caption(ui.source_line(source, key))
        ui.export_kit(chart, key="xp_export", results=result)
        st.subheader("Effects")
        if result.interventions and result.interventions[0].level_change is not None:
            first = result.interventions[0]
            st.metric(
                f"Level change at {first.label} ({first.first_treated_period:%b %Y})",
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
