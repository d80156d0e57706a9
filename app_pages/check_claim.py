"""Check a claim (landing page): the claim card, its window against the events, the scenario lab.

Opened on the AP's -45% claim. The claim card and the timeline paint first (no statsmodels);
the scenario lab's fits fill in underneath as they finish.
"""

from dataclasses import replace

import streamlit as st

from app_pages import _answer as answer
from app_pages import _claim_lab as lab
from app_pages import _ui as ui
from app_pages._ui import state as app_state

DEFAULT_CLAIM = "AP-01"

st.title("Check a claim")
st.write(
    "Officials said Islamic State's Twitter traffic fell 45% and credited the State "
    "Department's Global Engagement Center (GEC). Was the fall the GEC's doing, or was it "
    "already under way? Pick a published figure to see what the public record can and cannot say."
)

claims = ui.claims()
ids = claims["claim_id"].tolist()
for w in app_state.link_warnings():
    st.warning(ui.md_escape(w), icon=":material/link_off:")
state = app_state.current()
requested = state.claim or DEFAULT_CLAIM
if requested not in ids:
    if st.session_state.get("claim_warned") != requested:
        st.session_state["claim_warned"] = requested
        st.warning(
            f"The link asks for claim “{ui.plain(requested)}”, which is not in the catalogue; "
            f"showing {DEFAULT_CLAIM} instead."
        )
    requested = DEFAULT_CLAIM
    state = app_state.update(claim=requested)
labels = {r.claim_id: f"{r.claim_id} · {r.quantity}" for r in claims.itertuples()}
app_state.seed("claim_id", requested)
claim_id = st.selectbox(
    "Published figure",
    ids,
    format_func=labels.get,
    key="claim_id",
    on_change=app_state.writer("claim_id", "claim"),
)
# The claim picked is part of the link; the rest of it stays the last analysis that worked.
good = app_state.good()
if good is not None:
    app_state.fitted(replace(good, claim=claim_id))
elif st.query_params.get("claim") != claim_id:
    st.query_params["claim"] = claim_id
claim = claims.loc[claims["claim_id"] == claim_id].iloc[0]
events = ui.events()

answer.answer_box(claim_id)
lab.claim_card(claim)
window = lab.window_of(claim)
credited = lab.credited_event(claim, events)

if lab.lacks_public_series(claim):
    st.warning(
        "**No public series covers this claim.** The figure was given to the Associated Press "
        "by US officials; the government series behind the 45% was never released, and no "
        "public dataset measures pro-IS Twitter traffic from June 2014 to July 2016 (the Fifth "
        "Tribe tweet sample starts in 2015 and was collected backwards from May 2016). What can "
        "be checked is the claim's logic: its window, the events inside it, and what a series "
        "falling 45% could look like under different causes (the scenario lab below).",
        icon=":material/info:",
    )

if window is not None:
    start, end = window
    if credited is not None:
        months = lab.months_between(start, credited["date"])
        if months > 0:
            st.info(
                f"The decline's window starts in {start:%B %Y}, **{months} months before** "
                f"the credited event ({credited['label']}, {credited['date']:%-d %B %Y}). "
                "Whatever fell before then cannot be that intervention's doing.",
                icon=":material/schedule:",
            )
    chart = ui.timeline(claim_id, None if credited is None else credited.get("key"))
    ui.show_chart(chart, key="timeline")
    ui.source_caption(f"{claim['source_title']} ({claim['source_publisher']}); events catalogue")
    ui.export_kit(chart, key="timeline")
else:
    st.info("This figure has no time window, so there is no timeline to draw.")

st.divider()
st.header("The public record as evidence")
st.write(
    "The published figures hold several snapshots of the same quantities, taken by different "
    "people over different periods. Read together, against the interventions:"
)
answer.record_section(claim_id)
answer.measurement_box()

st.divider()
st.header("Scenario lab: the same 45%, different causes")
st.write(
    "Six **simulated** series all fall exactly 45% from June 2014 to July 2016, each for a "
    "different reason. The endpoints are identical; only a model of the whole path can tell "
    "the causes apart. Each is fitted live with the GEC (January 2016) as the intervention and "
    "the 45% split into the trend already under way, the GEC's part and the remainder."
)
lab.scenario_lab(events)

st.divider()
st.header("Check your own claim")
lab.own_claim(events)
