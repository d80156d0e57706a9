"""Explore & model: a dataset or an upload, interventions, model options -> fit, chart, effects.

The analysis is the session's one ``AppState`` (``app_pages._ui.state``): every control is drawn
from it and writes back into it, so this page, Robustness and Check a claim show the same
analysis. Every change refits and redraws at once (fits are cached on the data's checksum and
the frozen spec). The interventions and the results are one ``st.fragment``: moving a date
reruns only that part. Every problem of a setup shows at once beside the controls, the last
analysis that worked stays on screen, and the URL keeps that analysis until a new one fits.
"""

import streamlit as st

from app_pages import _explore as xp
from app_pages import _scrub as scrub
from app_pages import _ui as ui
from app_pages._ui import analysis as an
from app_pages._ui import state as app_state
from app_pages._ui.cache import with_names
from app_pages._ui.words import ERRORS_WORDS, FAMILY_WORDS, intervention_name

st.title("Explore & model")
for w in app_state.link_warnings():
    st.warning(ui.md_escape(w), icon=":material/link_off:")
events = ui.events()
names = an.event_names(events)

data_col, model_col = st.columns(2, gap="large")
with data_col:
    st.subheader("Data")
    ui.data_source_picker(key="xp", default=xp.DEFAULT_DATASET)
cur = an.current(events)
if cur.tbl is None and app_state.good() is None:
    st.stop()  # the picker says which file the link needs
with data_col:
    if cur.tbl is not None:
        for note in cur.notes:  # columns the link or the old data named that these lack
            st.warning(ui.md_escape(note), icon=":material/link_off:")
        ui.caveats_box(cur.source, cur.key)
        xp.column_mapping(cur)
        ui.loader_report(cur.tbl)
with model_col:
    st.subheader("Model")
    if cur.tbl is not None:
        xp.model_options(cur)
    # The setup's problems beside the controls they name (the interventions' ones beside the
    # interventions, in the fragment below); all of them at once.
    for p in cur.problems:
        if p.control not in ("Interventions", "Data"):
            st.error(ui.md_escape(p.text()), icon=":material/error:")


# The effects table's columns in words (the CSV export keeps the machine names).
EFFECT_COLUMNS = {
    "estimate": ("estimate", "In the series' units; on the log scale, a change in log points"),
    "ci_low": ("95% CI low", "Lower end of the 95% confidence interval"),
    "ci_high": ("95% CI high", "Upper end of the 95% confidence interval"),
    "p_value": ("p-value", "Two-sided, against no change"),
    "ratio": ("rate ratio", "After / without the intervention (log scale and count models)"),
    "ratio_ci_low": ("ratio 95% CI low", "Lower end of the rate ratio's 95% interval"),
    "ratio_ci_high": ("ratio 95% CI high", "Upper end of the rate ratio's 95% interval"),
}


@st.fragment
def analysis():
    """The interventions' table, then their dates on the left and the fit on the right; reruns
    alone when a date moves."""
    cur = an.current(events)
    st.subheader("Interventions")
    if cur.tbl is not None:  # the table across the page: every column fits
        xp.interventions_editor(cur, events)
    left, right = st.columns([1, 2], gap="large")
    fitted = None
    with left:
        if cur.tbl is not None:
            scrubbed = scrub.controls(cur.source, cur.key, cur.spec) if cur.ready else None
            xp.date_sliders(cur, events, skip=scrubbed[0] if scrubbed else None)
        else:
            scrubbed = None
        ivs_box = st.container()
    if cur.ready:
        box = ivs_box
        try:
            fitted = ui.fit(cur.source, cur.key, cur.spec)
        except Exception as exc:
            from explorer.errors import ExplorerError

            if isinstance(exc, ExplorerError):
                box.error(ui.md_escape(an.fit_problem(exc).text()), icon=":material/error:")
            else:
                import logging

                logging.getLogger("explorer.app").exception("fit failed")
                box.error(ui.APOLOGY, icon=":material/sentiment_dissatisfied:")
            box.caption(ui.md_escape(app_state.link_note()))
        else:
            st.session_state["xp_last_good"] = (cur.source, cur.key, cur.spec)
            app_state.fitted(cur.state)
    else:
        xp.show_problems(cur, ivs_box, only=("Interventions",))
    with right:
        results(fitted, scrubbed if fitted is not None else None)
    if fitted is not None and cur.spec.interventions:
        # The next step of a dragged date is usually one period away: have it ready.
        ui.prefetch_neighbours(
            cur.source,
            cur.key,
            cur.spec,
            cur.spec.interventions[0].label,
            cur.periods,
            cur.tbl.freq,
        )
        ui.prefetch_robustness(cur.source, cur.key, cur.spec, cur.spec.interventions[0].label)


def results(current, scrubbed=None) -> None:
    shown = st.session_state.get("xp_last_good")
    if shown is None:
        st.info("Fix the setup on the left to fit a model (the messages say what to change).")
        return
    source, key, spec = shown
    if current is None:
        st.caption("Still showing the last analysis that worked; fix the input on the left.")
    try:
        result = ui.fit(source, key, spec)
    except Exception:  # noqa: BLE001 - e.g. the upload behind it is gone: nothing to redraw
        st.info("Fix the setup on the left to fit a model.")
        return
    if current is not None and scrub.draw(scrubbed):
        chart = scrub.export_chart(source, key, spec)  # built only once the kit is opened
    else:
        chart = ui.its_chart(source, key, spec)
        ui.show_chart(chart, key="xp_chart")
    ui.source_caption(ui.source_line(source, key))
    if source == "upload":
        st.caption(
            "The link records this file's name, row count and checksum, never its contents: "
            "whoever opens it is asked for the same file."
        )
    ui.export_kit(chart, key="xp_export", results=result, provenance=ui.provenance(source, key))
    st.subheader("Effects")
    if result.interventions and result.interventions[0].level_change is not None:
        first = result.interventions[0]
        st.metric(
            f"Level change at {ui.plain(intervention_name(first.label, names))} "
            f"({first.first_treated_period:%b %Y})",
            ui.effect_text(first.level_change, result.scale),
            help="Estimate with its 95% confidence interval",
        )
    st.dataframe(
        xp.effect_table(result, names),
        hide_index=True,
        key="xp_effects",
        column_config={
            c: st.column_config.NumberColumn(label, format="%.4g", help=why)
            for c, (label, why) in EFFECT_COLUMNS.items()
        },
    )
    st.write(ui.md_escape(with_names(result.summary_text, names)))
    ui.caveat_reminder(source, key)
    for caveat in result.caveats:
        st.warning(ui.md_escape(with_names(caveat, names)), icon=":material/warning:")
    fam = FAMILY_WORDS.get(result.family, result.family)
    used = ERRORS_WORDS.get(result.errors_used, result.errors_used)
    st.caption(
        ui.md_escape(f"Model: {result.model}, family {fam}, errors {used}, n = {result.n_obs}.")
    )


analysis()
