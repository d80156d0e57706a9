"""Robustness: does the effect survive moved dates, the data's own breaks, placebos, other specs?

Works on the analysis of Explore & model (or the one in the URL). The verdict comes first, one
sentence per question; each check follows with its chart and numbers.
"""

import pandas as pd
import streamlit as st

from app_pages import _explore as xp
from app_pages import _ui as ui
from app_pages._ui import analysis as an
from app_pages._ui import state as app_state
from app_pages._ui.words import ERRORS_WORDS, FAMILY_WORDS, intervention_name
from explorer import charts
from explorer.errors import InputError
from explorer.robustness.verdict import period_word


def choices_in_words(frame: pd.DataFrame) -> pd.DataFrame:
    """The specification curve's choice columns in words (no bare 'start: 0.1', 'covariates: True')."""
    share = lambda v: "all data" if not v else f"first {v:.0%} dropped"  # noqa: E731
    end = lambda v: "all data" if not v else f"last {v:.0%} dropped"  # noqa: E731
    words = {
        "family": ("model family", str),
        "errors": ("standard errors", str),
        "seasonality": ("seasonality", lambda v: str(v) if v else "none"),
        "slope_change": (
            "change modelled",
            lambda v: "level and slope" if v in (True, "level+slope") else "level only",
        ),
        "start": ("series start", share),
        "end": ("series end", end),
        "covariates": ("covariates", lambda v: "in" if v in (True, "with") else "out"),
    }
    out = frame.copy()
    for col, (name, fn) in words.items():
        if col in out:
            out[name] = out.pop(col).map(fn)
    return out


st.title("Robustness")
for w in app_state.link_warnings():
    st.warning(ui.md_escape(w), icon=":material/link_off:")
events = ui.events()
names = an.event_names(events)
cur = an.current(events)
analysis = None
if cur.ready:
    try:
        ui.fit(cur.source, cur.key, cur.spec)
    except Exception as exc:  # noqa: BLE001 - the fit's refusal, in the app's words
        msg = an.fit_problem(exc).text() if isinstance(exc, InputError) else ui.APOLOGY
        st.error(ui.md_escape(msg), icon=":material/error:")
    else:
        analysis = (cur.source, cur.key, cur.spec)
        st.session_state["xp_last_good"] = analysis
        app_state.fitted(cur.state)  # a copied link reopens this page on the same analysis
else:
    xp.show_problems(cur)
    if cur.tbl is None and cur.state.source == "upload":
        st.page_link(
            "app_pages/explore.py",
            label="Upload the file on Explore & model",
            icon=":material/upload_file:",
        )
if analysis is None:
    analysis = st.session_state.get("xp_last_good")
    if analysis is not None:
        st.caption("Showing the last analysis that worked until the setup is fixed.")
if analysis is None:
    st.info("Set up an analysis with at least one intervention on Explore & model first.")
    st.stop()
source, key, spec = analysis
labels = [iv.label for iv in spec.interventions]
if st.session_state.get("rb_label") not in labels:
    st.session_state["rb_label"] = labels[0]
label = st.selectbox(
    "Intervention to test",
    labels,
    key="rb_label",
    format_func=lambda k: intervention_name(k, names),
)
src_line = ui.source_line(source, key)
st.caption(
    f"Data: {ui.md_escape(ui.dataset_title(source, key))} · value {ui.md_escape(spec.value)} · "
    f"{spec.model}, family {FAMILY_WORDS.get(spec.family, spec.family)}"
    f"{' on log scale' if spec.log else ''}, errors "
    f"{ERRORS_WORDS.get(spec.effective_errors, spec.effective_errors)}. "
    "Change these on Explore & model."
)

ui.caveats_box(source, key)
prov = ui.provenance(source, key)
data_notes = ui.dataset_caveats(source, key)  # on every exported image
verdict_box = st.container()

# -- 1. date sweep ------------------------------------------------------------------------------
st.header("Does the effect survive if the date moves?")
sw = None
with ui.guard(what="date sweep"), st.spinner("Sweeping the date..."):
    sw = ui.sweep(source, key, spec, label)
    rows = sw.rows
    frame = pd.DataFrame(
        {
            "date": rows["date"],
            "estimate": rows["level_change"],
            "ci_low": rows["level_ci_low"],
            "ci_high": rows["level_ci_high"],
        }
    )
    chart = charts.sweep_chart(
        frame,
        chosen=sw.given_date,
        least_squares=sw.best_date,
        best_by=sw.best_by,
        value_label="Level change, log points" if spec.log else f"Level change, {spec.value}",
        text=charts.ChartText(
            title=f"Level change at {intervention_name(label, names)} for every admissible date",
            subtitle=f"Vermillion: the date used; green: the best-fitting ({sw.best_by}) date",
            source=src_line,
            notes=data_notes,
        ),
    )
    ui.show_chart(chart, key="rb_sweep")
    ui.source_caption(src_line)
    ui.export_kit(chart, key="rb_sweep_x", results=sw, provenance=prov)
    if sw.note:
        st.info(ui.md_escape(sw.note))
    significant = (rows["level_ci_high"] < 0) | (rows["level_ci_low"] > 0)
    st.write(
        f"The best-fitting date is {sw.best_date:%B %Y}, {abs(sw.distance)} periods "
        f"{'after' if sw.distance > 0 else 'before'} the date used"
        if sw.distance
        else f"The best-fitting date is the date used ({sw.best_date:%B %Y})."
    )
    st.write(
        f"The level change is significant at {int(significant.sum())} of {len(rows)} "
        "candidate dates."
    )

# -- 2. break tests -----------------------------------------------------------------------------
st.header("Where does the data itself break?")
bk = None
with ui.guard(what="break tests"), st.spinner("Testing for breaks..."):
    bk = ui.breaks(source, key, spec)
    sup = bk.supf
    c1, c2, c3 = st.columns(3)
    c1.metric("sup-F statistic", f"{sup['statistic']:.2f}")
    c2.metric("p-value", f"{sup['p_value']:.3g}", help=str(sup.get("p_method", "")))
    c3.metric("Most likely single break", f"{pd.Timestamp(sup['date']):%b %Y}")
    if bk.breaks:
        st.write(f"Bai-Perron ({bk.criterion.upper()}) selects {bk.n_breaks} break(s):")
        table = pd.DataFrame(bk.breaks).rename(
            columns={
                "date": "break (first period of new regime)",
                "ci_low": "95% CI from",
                "ci_high": "95% CI to",
            }
        )
        for col in table.columns:
            table[col] = pd.to_datetime(table[col]).dt.strftime("%Y-%m-%d").fillna("n/a")
        st.dataframe(table, hide_index=True, key="rb_breaks")
    else:
        st.write(f"Bai-Perron ({bk.criterion.upper()}) selects no break.")
    st.caption(
        f"Breaks in every coefficient of the series' own model without interventions "
        f"({bk.model}{', log scale' if spec.scale == 'log' else ''}); a break's date is the "
        "first period of the new regime."
    )

# -- 3. placebos --------------------------------------------------------------------------------
st.header("Are fake dates just as impressive?")
pl = None
with ui.guard(what="placebos"), st.spinner("Running placebo dates..."):
    pl = ui.placebos(source, key, spec, label)
    chart = charts.placebo_chart(
        pl.placebos,
        real_effect=pl.effect,
        value_label="Level change, log points" if spec.log else f"Level change, {spec.value}",
        text=charts.ChartText(
            title=f"{pl.n_placebos} placebo dates in the pre-period vs the real "
            f"{intervention_name(label, names)}",
            source=src_line,
            notes=data_notes,
        ),
    )
    ui.show_chart(chart, key="rb_placebo")
    ui.source_caption(src_line)
    ui.export_kit(chart, key="rb_placebo_x", results=pl, provenance=prov)
    st.write(
        f"Permutation p-value {pl.p_value:.3f} from {pl.n_placebos} placebo dates (the "
        f"smallest attainable with that many is {pl.min_attainable_p:.3f})."
    )

if getattr(ui.series(source, key, spec), "units", None) is not None:
    with ui.guard(what="placebos in space"), st.spinner("Treating each control unit..."):
        ps = ui.placebos_in_space(source, key, spec, label)
        chart = charts.placebo_chart(
            ps.placebos,
            real_effect=ps.effect,
            value_label="Difference in level change",
            text=charts.ChartText(
                title=f"{ps.n_placebos} control units treated as if they were treated",
                source=src_line,
                notes=data_notes,
            ),
        )
        ui.show_chart(chart, key="rb_placebo_space")
        ui.source_caption(src_line)
        ui.export_kit(chart, key="rb_placebo_space_x", results=ps, provenance=prov)
        st.write(
            f"In space: permutation p-value {ps.p_value:.3f} from {ps.n_placebos} units "
            f"(smallest attainable {ps.min_attainable_p:.3f})."
        )

# -- 4. power -----------------------------------------------------------------------------------
st.header("Could this series have detected an effect at all?")
pw = None
with ui.guard(what="power"), st.spinner("Simulating power..."):
    try:
        pw = ui.power(source, key, spec, label)
    except InputError as exc:  # not available for this design: say so, it is no mistake
        st.info(ui.plain(str(exc)), icon=":material/info:")
        pw = None
if pw is not None:
    from explorer.robustness.verdict import SIZE_TOLERANCE, effect_words, size_advice

    if ui.power_note(spec):
        st.caption(ui.md_escape(ui.power_note(spec)))

    mde = effect_words(pw.mde, pw.scale, f"(in {spec.value})")
    c1, c2 = st.columns(2)
    c1.metric("Minimum detectable level change (80% power)", ui.md_escape(mde))
    c2.metric(
        "Test size under no effect",
        f"{pw.size:.2f}",
        help="How often the test finds an effect when there is none; it should be near 0.05.",
    )
    if not SIZE_TOLERANCE[0] <= pw.size <= SIZE_TOLERANCE[1]:
        advice = size_advice(pw.errors, pw.size)
        if pw.errors == "ols":
            advice += " (Errors, on Explore & model)"
        st.warning(
            f"The test's size is {pw.size:.2f}, far from 0.05: with no effect at all it rejects "
            f"{pw.size:.0%} of the time, so its p-values and this power are not to be taken at "
            f"face value: {advice}.",
            icon=":material/warning:",
        )
    chart = charts.power_chart(
        pw.curve,
        mde=pw.mde,
        effect_label="Level change, log points" if spec.log else f"Level change, {spec.value}",
        text=charts.ChartText(
            title="Could this series have detected a level change at "
            f"{intervention_name(label, names)}?",
            subtitle=(
                f"Power against the size of a level change: {pw.n_draws} simulations from the "
                "fitted pre-period model with AR noise"
            ),
            source=src_line,
            notes=data_notes,
        ),
    )
    ui.show_chart(chart, key="rb_power")
    ui.source_caption(src_line)
    ui.export_kit(chart, key="rb_power_x", results=pw, provenance=prov)

# -- 5. diagnostics -----------------------------------------------------------------------------
st.header("Diagnostics")
with ui.guard(what="diagnostics"):
    result = ui.fit(source, key, spec)
    d = result.diagnostics
    c1, c2, c3 = st.columns(3)
    if d.get("durbin_watson") is not None:
        c1.metric("Durbin-Watson", f"{d['durbin_watson']:.2f}", help="Near 2: no lag-1 autocorr.")
    # one set of residuals (explorer.models.report.residuals: AR innovations, Pearson residuals
    # for counts) behind both the Ljung-Box figure and the ACF chart under it
    dg = ui.residuals(source, key, spec) if d.get("ljung_box") else None
    if dg is not None:
        lb = dg.ljung_box
        c2.metric("Ljung-Box p", f"{lb['p_value']:.3g}", help=f"At {lb['lags']} lags.")
    c3.metric("Pre-period points", d.get("n_pre", "n/a"))
    if dg is not None and dg.n > 4:
        chart = charts.acf_chart(
            dg.acf.loc[dg.acf["lag"] >= 1, ["lag", "acf"]],
            nobs=dg.n,
            lag_unit=period_word(ui.series(source, key, spec).freq),
            text=charts.ChartText(
                title="Autocorrelation of the residuals", source=src_line, notes=data_notes
            ),
        )
        ui.show_chart(chart, key="rb_acf")
        ui.export_kit(chart, key="rb_acf_x")

# -- 6. specification curve (slow: on demand) -------------------------------------------------
st.header("Does the answer hang on one modelling choice?")
sc = None
if st.toggle(
    "Run the specification curve (refits every combination; can take 10 s or more)",
    key="rb_specs_on",
):
    with ui.guard(what="specification curve"), st.spinner("Fitting every specification..."):
        sc = ui.spec_curve(source, key, spec, label)
        ok = sc.fitted.reset_index(drop=True)
        frame = choices_in_words(
            ok.assign(ci_low=ok["pct_ci_low"], ci_high=ok["pct_ci_high"], estimate=ok["pct"])
        )
        chart = charts.spec_curve_chart(
            frame[
                [
                    "estimate",
                    "ci_low",
                    "ci_high",
                    "model family",
                    "standard errors",
                    "seasonality",
                    "change modelled",
                    "series start",
                    "series end",
                    "covariates",
                ]
            ],
            value_label="Level change, %",
            text=charts.ChartText(
                title=f"{sc.n_paths} specifications of the {intervention_name(label, names)} effect",
                source=src_line,
                notes=data_notes,
            ),
        )
        ui.show_chart(chart, key="rb_specs")
        ui.export_kit(chart, key="rb_specs_x", results=sc, provenance=prov)
        st.write(
            f"{sc.share_same_sign_significant:.0%} of the {len(ok)} fitted paths give an effect "
            "of the same sign and significant."
        )
        st.caption(
            "Rows beneath the curve: the choices behind each estimate (model family, standard "
            "errors, seasonality, level change only or level and slope, how much of the series' "
            "start or end is dropped, covariates in or out); estimates are level changes in "
            "percent."
        )

# -- the verdict, drawn at the top --------------------------------------------------------------
with verdict_box:
    st.subheader("Verdict")
    with ui.guard(what="verdict"):
        overall, why = ui.overall_label(
            source, key, spec, label, sweep=sw, breaks=bk, placebo=pl, power=pw, specs=sc
        )
        st.markdown(f"**Overall: {ui.md_escape(overall)}.** {ui.md_escape(why)}")
        lines = ui.verdict_lines(
            source, key, spec, label, sweep=sw, breaks=bk, placebos=pl, power=pw, specs=sc
        )
        for line in lines:
            st.markdown(f"- {ui.md_escape(line)}")
