"""Pieces of the "Check a claim" page: the claim card, the scenario lab, "check your own claim".

Kept out of the page script so that the page reads like a description of the UI.
"""

from __future__ import annotations

import re

import pandas as pd
import streamlit as st

from app_pages import _ui as ui
from explorer import charts
from explorer.charts import scenarios as scenario_charts

# Claims whose underlying series was never published (the AP / GEC traffic figures): the
# figures catalogue says so in its notes ("not released publicly").
_NO_SERIES_HINTS = ("not released publicly", "never released", "not released")
SCENARIO_SOURCE = "SIMULATED series (explorer.catalog.scenarios), not observed data"


def window_of(claim) -> tuple[pd.Timestamp, pd.Timestamp] | None:
    """The claim's window as (first day of start period, first day of end period), or None."""
    start, end = claim.get("period_start"), claim.get("period_end")
    if pd.isna(start) or pd.isna(end):
        return None
    return pd.Timestamp(start), pd.Timestamp(end)


def lacks_public_series(claim) -> bool:
    """True when the figure's notes say the series behind it was never released."""
    if claim.get("no_public_series") is not None and not pd.isna(claim.get("no_public_series")):
        return bool(claim["no_public_series"])
    text = f"{claim.get('notes', '')} {claim.get('claim_id', '')}".lower()
    return any(h in text for h in _NO_SERIES_HINTS) or str(claim.get("claim_id")) in (
        "AP-01",
        "AP-05",
    )


def credited_event(claim, events: pd.DataFrame):
    """The event the claim credits (the GEC for the AP / GEC figures), or None."""
    key = claim.get("credit") if "credit" in claim else None
    if key is None or pd.isna(key):
        text = f"{claim.get('quantity', '')} {claim.get('notes', '')}".lower()
        key = "gec" if ("gec" in text or str(claim.get("claim_id", "")).startswith("AP")) else None
    if key is None:
        return None
    hit = events.loc[events["key"] == key]
    return None if hit.empty else hit.iloc[0].to_dict()


def months_between(start, later) -> int:
    """Whole calendar months from ``start``'s month to ``later``'s month."""
    a, b = pd.Timestamp(start), pd.Timestamp(later)
    return (b.year - a.year) * 12 + (b.month - a.month)


def _format_value(claim) -> str:
    v, unit = claim.get("value"), str(claim.get("unit") or "")
    if v is None or pd.isna(v):
        return "n/a"
    if unit.startswith("percent"):
        return f"{v:+g}%"
    return f"{v:,.0f}" if float(v).is_integer() else f"{v:,g}"


def _period_text(claim) -> str:
    start, end = claim.get("period_start"), claim.get("period_end")
    fmt = lambda d: pd.Timestamp(d).strftime("%B %Y")  # noqa: E731
    if not pd.isna(start) and not pd.isna(end):
        return f"{fmt(start)} to {fmt(end)}"
    if not pd.isna(end):
        return f"as of {fmt(end)}"
    if not pd.isna(start):
        return f"from {fmt(start)}"
    return "no period given"


def claim_card(claim) -> None:
    """Value, period, source links and verification badge of one published figure."""
    with st.container(border=True):
        left, right = st.columns([1, 3])
        from app_pages import _answer

        left.metric(
            str(claim["claim_id"]),
            _format_value(claim),
            help=ui.md_escape(_answer._value_help(claim)),
        )
        _answer.status_labels(str(claim["claim_id"]), where=left)
        right.markdown(f"**{ui.md_escape(str(claim['quantity']))}**")
        right.write(f"Period: {_period_text(claim)}")
        right.markdown(f"Sources: {_answer.source_links(claim)}")
        if claim.get("notes") and not pd.isna(claim.get("notes")):
            with right.expander("Verification notes"):
                st.text(str(claim["notes"]))


# -- scenario lab ------------------------------------------------------------------------------
def _lab_spec():
    from explorer.spec import Intervention, ItsSpec

    return ItsSpec(
        time="date",
        value="value",
        interventions=(Intervention("gec", "2016-01-08"),),
        log=True,
    )


def _claim_spec():
    from explorer.catalog.claims import claim_window

    return claim_window("AP-01", credit="gec")


def _component(att: dict, name: str) -> dict:
    for c in att.get("components", []):
        if c.get("name") == name:
            return c
    return {}


def scenario_lab(events: pd.DataFrame) -> None:
    """Fit and attribute every bundled scenario; the fits fill in as they finish.

    In the first browser session after the server starts (nothing cached yet) the fits wait
    until the page above them has been drawn: importing statsmodels and fitting take the
    server's interpreter for a second or two, and the browser is still fetching the timeline's
    chart code from that same server (and parsing it, ~1 s here, on a CPU the fits would
    share). The section then shows a status line, and the browser's timed rerun of it a second
    later (``_lab_after_first_paint``) starts the fits. Measured here on fresh servers (five
    starts each, taking turns with ``bench_app``'s trivial app): first chart 1.26x the trivial
    app's with the fits at once, 1.09x with the wait. Later sessions find the lab cached.
    """
    if not _lab_ready() and _defer_lab():
        _lab_after_first_paint()
        return
    _lab_now()


def _lab_now() -> None:
    if not _lab_ready():
        # First session after the server starts: fit one scenario at a time, with progress.
        from explorer.catalog.scenarios import SCENARIOS

        spec, claim = _lab_spec(), _claim_spec()
        with st.status("Fitting the six scenarios...", expanded=False) as status:
            for name in SCENARIOS:
                status.update(label=f"Fitting the scenario {name}...")
                ui.attribution("dataset", _scenario_key(name), spec, claim)
            status.update(label="Scenario fits done", state="complete")
    with ui.guard(what="scenario lab"):
        table, chart = _lab_results()
        _show_lab(table, chart)


def _defer_lab() -> bool:
    """Wait for the first paint? Only in a browser's first run of the page (browsers run the
    fragment timer that ends the wait; scripted clients and AppTest get the fits at once)."""
    return not st.session_state.get("lab_page_drawn") and _in_a_browser()


def _in_a_browser() -> bool:
    headers = st.context.headers
    return bool(headers) and headers.get("User-Agent", "").startswith("Mozilla/")


@st.fragment(run_every=1.0)
def _lab_after_first_paint() -> None:
    if not st.session_state.get("lab_page_drawn"):
        # The page's first run: mark it; the browser reruns this fragment once it has drawn.
        st.session_state["lab_page_drawn"] = True
        st.status("Fitting the six scenarios once the page above has been drawn...")
        return
    _lab_now()
    # The lab is cached now: a full rerun draws it inline and ends this fragment's timer.
    st.rerun()


def _scenario_key(name: str) -> str:
    from explorer.catalog.scenarios import SCENARIOS

    return "scenarios" if name == next(iter(SCENARIOS)) else f"scenarios/{name}"


# Set once the lab's results are cached in this server process (sessions share the cache).
_LAB_DONE: dict = {}


def _lab_ready() -> bool:
    return _LAB_DONE.get("done", False)


@st.cache_resource(max_entries=1, show_spinner=False)
def _lab_results():
    """The scenario table and small-multiples chart (the same for every session: built once)."""
    from explorer.catalog.scenarios import SCENARIOS, truth

    spec, claim = _lab_spec(), _claim_spec()
    rows, frames = [], {}
    for name in SCENARIOS:
        key = _scenario_key(name)
        res = ui.fit("dataset", key, spec)
        att = ui.attribution("dataset", key, spec, claim).to_dict()
        gec, trend = _component(att, "gec"), _component(att, "trend")
        rest = _component(att, "remainder")
        true_keys = [i["key"] for i in truth(name)["interventions"]]
        # The model credits the GEC only for a significant part in the claim's direction: a
        # significant GEC term that pushed against the fall (a negative share) is no credit.
        gec_found = _significant(gec) and (gec.get("share_of_observed") or 0) > 0
        rows.append(
            {
                "key": name,
                "scenario": scenario_words(name),
                "true cause": ", ".join(event_words(k) for k in true_keys)
                or "none (trend or its shape)",
                "trend share": trend.get("share_of_observed"),
                "GEC share": gec.get("share_of_observed"),
                "GEC 95% CI (log)": _ci_text(gec),
                "remainder share": rest.get("share_of_observed"),
                "credits GEC": "yes"
                if gec_found
                else ("no: significant, but against the fall" if _significant(gec) else "no"),
                "right?": "yes" if gec_found == ("gec" in true_keys) else "NO",
                "data's own breaks": _break_text(ui.breaks("dataset", key, spec)),
            }
        )
        frames[name] = charts.its_frame(res)
    chart = scenario_charts.scenario_grid(
        frames,
        gec_date=pd.Timestamp("2016-01-01"),
        text=charts.ChartText(
            title="Six simulated series, each down 45%, for six different reasons",
            subtitle="Log-scale segmented fit with the GEC (January 2016) as the intervention",
            notes=("Dots: observed; blue line: the fit; orange dashes: the fit without the GEC.",),
            source=SCENARIO_SOURCE,
        ),
    )
    _LAB_DONE["done"] = True
    return pd.DataFrame(rows), chart


def _show_lab(table: pd.DataFrame, chart) -> None:
    st.plotly_chart(chart.figure, key="scenario_grid", width="content")
    ui.source_caption(SCENARIO_SOURCE)
    # A static table: six rows read like an article's table, and the landing page then needs
    # no interactive grid (its ~1.4 MB of browser code would compete with the first chart).
    shown = table[
        [
            "scenario",
            "true cause",
            "data's own breaks",
            "trend share",
            "GEC share",
            "credits GEC",
            "right?",
        ]
    ].copy()
    for c in ("trend share", "GEC share"):
        shown[c] = shown[c].map(lambda v: "" if pd.isna(v) else f"{round(100 * v)}%")  # no "-0%"
    st.table(shown, hide_index=True)
    st.caption(
        "Shares are parts of the observed change on the log scale and add up to 100% with the "
        "remainder: a share above 100% means that part alone would have fallen further than the "
        "series did, offset by a part that pushed the other way (a negative share). 'Credits "
        "GEC' is yes only for a significant GEC part in the direction of the fall."
    )
    wrong = table.loc[table["right?"] == "NO", "scenario"].tolist()
    st.write(
        f"A segmented model with the GEC as its only intervention gets {len(table) - len(wrong)} "
        f"of {len(table)} scenarios right"
        + (f"; it is wrong about {', '.join(wrong)}" if wrong else "")
        + ". A significant 'GEC effect' appears wherever something else changed near January "
        "2016 (another event, or a decline that was slowing down anyway). Telling these apart "
        "needs designs beyond the endpoints and beyond one date: the data's own break dates "
        "(Bai-Perron on the log series, no intervention assumed), the other "
        "events in the model, placebo dates and a control series (see Robustness)."
    )
    ui.export_kit(chart, key="scenarios", results=table)


def scenario_words(name: str) -> str:
    """A scenario's name in words: its description up to the first ';' or ':' (no brackets)."""
    from explorer.catalog.scenarios import SCENARIOS

    text = re.sub(r"\s*\([^()]*(\([^()]*\))?[^()]*\)", "", SCENARIOS.get(name, name))
    return re.split(r"[;:]", text)[0].strip().rstrip(".")


def event_words(key: str) -> str:
    """An event key as its catalogue label (``gec`` -> ``GEC announced``)."""
    ev = ui.events()
    hit = ev.loc[ev["key"] == key, "label"]
    return str(hit.iloc[0]) if len(hit) else key


def _break_text(bk) -> str:
    """Bai-Perron break dates (first month of each new regime), or 'none'."""
    dates = [pd.Timestamp(b["date"]).strftime("%Y-%m") for b in bk.breaks]
    return ", ".join(dates) if dates else "none"


def _significant(c: dict) -> bool:
    lo, hi = c.get("ci_low"), c.get("ci_high")
    return lo is not None and hi is not None and (lo > 0 or hi < 0)


def _ci_text(c: dict) -> str:
    if not c or c.get("ci_low") is None:
        return ""
    return f"{c['ci_low']:.2f} to {c['ci_high']:.2f}"


# -- check your own claim -------------------------------------------------------------------------
def own_claim(events: pd.DataFrame) -> None:
    """Series (bundled or uploaded), claimed change, window, credited intervention -> attribution."""
    st.write(
        "Have a series that does cover a claim? Pick a bundled dataset or upload a file, enter "
        "the claimed change, its window and the intervention it is credited to."
    )
    src = ui.data_source_picker(key="own", default="scenarios/gec_step")
    if src is None:
        return
    source, key, tbl = src
    cols = ui.numeric_columns(tbl, exclude=(tbl.time_column,))
    default = ui.default_value(tbl)
    value = st.selectbox(
        "Value column",
        cols,
        key=f"own_value_{tbl.sha256[:8]}",
        index=cols.index(default) if default in cols else 0,
    )
    ev = events.dropna(subset=["date"])
    labels = dict(zip(ev["key"], ev["label"], strict=False))
    c1, c2, c3 = st.columns(3)
    credit = c1.selectbox(
        "Credited intervention",
        list(labels),
        format_func=labels.get,
        index=list(labels).index("gec") if "gec" in labels else 0,
        key="own_credit",
    )
    start = c2.text_input("Claim window start", "2014-06", key="own_start")
    end = c3.text_input("Claim window end", "2016-07", key="own_end")
    claimed = st.text_input("Claimed change (%)", "-45", key="own_claimed")
    if st.button("Check the claim", key="own_go", type="primary"):
        st.session_state["own_request"] = (source, key, value, credit, start, end, claimed)
    request = st.session_state.get("own_request")
    if request is None or request[:2] != (source, key):
        return
    source, key, value, credit, start, end, claimed = request
    from explorer.spec import ClaimSpec, Intervention, ItsSpec, parse_claimed_change

    box = st.container()
    with ui.guard(box, what="own claim"):
        row = ev.loc[ev["key"] == credit].iloc[0]
        iv = Intervention(credit, pd.Timestamp(row["date"]).strftime("%Y-%m-%d"))
        spec = ItsSpec(time=tbl.time_column, value=value, interventions=(iv,))
        claim = ClaimSpec(
            start=start, end=end, claimed_change_pct=parse_claimed_change(claimed), credit=credit
        )
        with st.spinner("Fitting and attributing..."):
            att = ui.attribution(source, key, spec, claim)
        d = att.to_dict()
        st.success(ui.md_escape(d.get("summary", "")), icon=":material/summarize:")
        st.dataframe(pd.DataFrame(d.get("components", [])), hide_index=True, key="own_components")
        ui.verdict_block(source, key, spec)
