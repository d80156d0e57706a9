"""One analysis across the whole app (issue 15), under AppTest: each numbered problem of the issue.

1. page navigation keeps the analysis; 2. controls show what was fitted (after an upload too);
3. links reopen (uploads by checksum, ramp/until, the URL is the last analysis that worked);
4. uploads are per session; 5. messages in the app's words, all at once, "auto" errors;
6. typed dates are kept and interventions have human names.
"""

from __future__ import annotations

import hashlib
import re

import numpy as np
import pandas as pd
from streamlit.testing.v1 import AppTest

from tests.conftest import ROOT
from tests.test_app import level_metric, monthly_csv, qp, widget

APP = str(ROOT / "app.py")


def session(page: str | None = None, **params) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=180)
    for k, v in params.items():
        at.query_params[k] = v
    if page:
        at.switch_page(f"app_pages/{page}.py")
    return at.run()


def go(at: AppTest, page: str) -> AppTest:
    return at.switch_page(f"app_pages/{page}.py").run()


def errors(at: AppTest) -> list[str]:
    return [e.value.replace("\\", "").replace("\u200d", "") for e in at.error]


def no_exception(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]


def counts_csv(n: int = 36, seed: int = 3) -> bytes:
    rng = np.random.default_rng(seed)
    dates = pd.date_range("2014-01-01", periods=n, freq="MS")  # the GEC inside
    lam = np.exp(4 + 0.01 * np.arange(n) - 0.3 * (np.arange(n) >= 20))
    return (
        pd.DataFrame({"month": dates.strftime("%Y-%m"), "deaths": rng.poisson(lam)})
        .to_csv(index=False)
        .encode()
    )


def upload(at: AppTest, name: str, data: bytes, key: str = "xp") -> AppTest:
    if at.radio(key=f"{key}_mode").value != "Upload a file":
        at.radio(key=f"{key}_mode").set_value("Upload a file").run()
    return at.file_uploader(key=f"{key}_upload").upload(name, data, "text/csv").run()


def plain_text(s: str) -> str:
    return s.replace("\\", "").replace("\u200d", "")


# -- 1. navigation ------------------------------------------------------------------------------
def test_explore_robustness_explore_keeps_every_setting_and_the_numbers():
    at = session("explore", ds="reference")
    no_exception(at)
    at.selectbox(key="xp_family").set_value("quasipoisson").run()
    widget(at, "selectbox", "xp_offset").set_value("stdpop").run()
    at.selectbox(key="xp_season").set_value("fourier:2").run()
    no_exception(at)
    assert not errors(at), errors(at)
    before = level_metric(at)
    url = dict(at.query_params)
    go(at, "robustness")
    no_exception(at)
    caption = " ".join(plain_text(c.value) for c in at.caption)
    assert "quasi-Poisson" in caption and "Sicily" in caption
    go(at, "explore")
    no_exception(at)
    assert at.selectbox(key="xp_family").value == "quasipoisson"
    assert widget(at, "selectbox", "xp_offset").value == "stdpop"
    assert at.selectbox(key="xp_season").value == "fourier:2"
    assert at.selectbox(key="xp_dataset").value == "reference"
    assert level_metric(at) == before
    assert dict(at.query_params) == url


def test_an_upload_survives_a_round_trip_through_robustness():
    at = session("explore")
    upload(at, "visits.csv", monthly_csv())
    no_exception(at)
    before = level_metric(at)
    go(at, "robustness")
    no_exception(at)
    assert not any("went wrong" in e for e in errors(at))
    go(at, "explore")
    assert at.radio(key="xp_mode").value == "Upload a file"
    assert level_metric(at) == before


# -- 2. controls show what was fitted -----------------------------------------------------------
def test_family_box_after_an_upload_shows_the_family_fitted():
    at = session("explore")
    at.selectbox(key="xp_family").set_value("poisson").run()
    upload(at, "deaths.csv", counts_csv())
    no_exception(at)
    assert at.selectbox(key="xp_family").value == "poisson"
    caption = " ".join(plain_text(c.value) for c in at.caption)
    assert "family Poisson" in caption
    assert qp(at, "family") == ["poisson"]


def test_the_slider_after_an_upload_keeps_its_date_over_reruns():
    at = session("explore")
    upload(at, "visits.csv", monthly_csv())
    slider = widget(at, "select_slider", "xp_date_0")
    slider.set_value("2015-06-01").run()
    for _ in range(2):
        at.run()
        no_exception(at)
        assert widget(at, "select_slider", "xp_date_0").value == "2015-06-01"
    assert "Jun 2015" in " ".join(m.label for m in at.metric)


# -- 3. links -----------------------------------------------------------------------------------
def test_an_upload_link_asks_for_the_file_and_restores_the_same_numbers():
    data = counts_csv()
    first = session("explore")
    upload(first, "deaths.csv", data)
    first.selectbox(key="xp_family").set_value("quasipoisson").run()
    numbers = level_metric(first)
    link = {k: v for k, v in first.query_params.items()}
    sha = hashlib.sha256(data).hexdigest()
    assert link["upsha"] == sha and link["up"] == "deaths.csv" and link["uprows"] == "36"
    # Opened elsewhere: asked for the file by name, rows and checksum; no page crashes.
    for page in ("explore", "robustness", "check_claim"):
        other = session(page, **link)
        no_exception(other)
        shown = " ".join(plain_text(i.value) for i in [*other.info, *other.error])
        if page != "check_claim":
            assert f"deaths.csv (36 rows, sha256 {sha[:12]}...)" in shown, shown
        assert not any("went wrong" in e for e in errors(other))
    other = session("explore", **link)
    upload(other, "deaths-copy.csv", data)
    no_exception(other)
    assert level_metric(other) == numbers
    assert other.selectbox(key="xp_family").value == "quasipoisson"
    go(other, "robustness")
    no_exception(other)
    assert not any("went wrong" in e for e in errors(other))
    # A different file says it differs.
    third = session("explore", **link)
    upload(third, "other.csv", counts_csv(seed=9))
    warned = " ".join(plain_text(w.value) for w in third.warning)
    assert "differs from the one the analysis used" in warned


def test_a_failing_setup_leaves_the_url_at_the_last_analysis_that_worked():
    at = session("explore", ds="reference")
    no_exception(at)
    good = dict(at.query_params)
    # What an edit in the interventions table does: the ban moved before the data.
    from dataclasses import replace

    from explorer.spec import Intervention

    state = at.session_state["app_state"]
    at.session_state["app_state"] = replace(
        state, interventions=(Intervention("smokban", "1990-01"),)
    )
    at.run()
    no_exception(at)
    shown = errors(at)
    assert any("Interventions:" in e and "first period" in e for e in shown), shown
    captions = " ".join(plain_text(c.value) for c in at.caption)
    assert "still holds the last analysis that worked" in captions
    assert dict(at.query_params) == good
    assert level_metric(at)  # the last analysis that worked is still on screen


def test_ramp_and_until_survive_the_link():
    at = session("explore", ds="scenarios/paris_ramp", iv="paris=2015-11:ramp=3")
    no_exception(at)
    assert not errors(at), errors(at)
    assert "paris=2015-11:ramp=3" in qp(at, "iv")[0]
    state = at.session_state["app_state"]
    assert state.interventions[0].kind == "ramp" and state.interventions[0].ramp == 3
    at = session("explore", ds="scenarios/gec_step", iv="tmp=2015-06:until=2016-01")
    no_exception(at)
    assert not errors(at), errors(at)
    assert qp(at, "iv") == ["tmp=2015-06:until=2016-01"]


def test_own_claim_inputs_are_in_the_link_and_reopen():
    at = session()
    at.button(key="own_example").click().run()
    no_exception(at)
    assert qp(at, "cs") == ["2014-06"] and qp(at, "ce") == ["2016-07"]
    assert qp(at, "cc") == ["-45"] and qp(at, "credit") == ["gec"]
    link = dict(at.query_params)
    again = session(None, **link)
    no_exception(again)
    assert again.text_input(key="own_start").value == "2014-06"
    assert again.text_input(key="own_claimed").value == "-45"
    assert any(s for s in again.success)  # the result sentence is back


# -- 4. uploads per session -----------------------------------------------------------------------
def test_nine_sessions_uploading_different_files_each_keep_theirs():
    sessions = []
    for i in range(9):
        at = session("explore")
        upload(at, f"visits{i}.csv", monthly_csv(step=-5.0 - 3 * i))
        no_exception(at)
        sessions.append((at, level_metric(at)))
    for at, shown in sessions:
        at.run()
        no_exception(at)
        assert not any("upload it again" in e for e in errors(at))
        assert level_metric(at) == shown


# -- 5. messages --------------------------------------------------------------------------------
def test_every_problem_shows_at_once_in_the_apps_words():
    at = session("explore", ds="reference", iv="early=1990-01,late=2030-01", family="poisson")
    no_exception(at)
    shown = errors(at)
    assert len([e for e in shown if e.startswith("Interventions:")]) == 2, shown
    assert not any("--" in e for e in shown), shown


def test_a_core_refusal_names_the_control_not_the_flag():
    at = session("explore", ds="scenarios")
    at.selectbox(key="xp_family").set_value("poisson").run()  # non-integer values
    shown = errors(at)
    assert shown and not any(re.search(r"--[a-z]", e) for e in shown), shown
    assert any("Family: gaussian" in e for e in shown), shown


def test_controls_that_cannot_apply_are_disabled():
    at = session("explore", ds="reference")
    at.selectbox(key="xp_family").set_value("poisson").run()
    assert at.checkbox(key="xp_log").disabled
    errors_box = widget(at, "selectbox", "xp_errors")
    assert "ar:1" not in errors_box.options and "AR(1) by REML" not in errors_box.options
    assert at.selectbox(key="xp_model").disabled
    at.selectbox(key="xp_family").set_value("gaussian").run()
    assert not at.checkbox(key="xp_log").disabled
    assert widget(at, "selectbox", "xp_offset").disabled


def test_auto_errors_are_ar1_by_reml_and_say_so():
    at = session("explore", ds="scenarios/gec_step")
    no_exception(at)
    captions = " ".join(plain_text(c.value) for c in at.caption)
    assert "Errors auto: AR(1) by REML" in captions
    assert "errors AR(1) by REML" in captions
    warnings = " ".join(plain_text(w.value) for w in at.warning)
    assert "Newey-West" not in warnings
    widget(at, "selectbox", "xp_errors").set_value("hac").run()
    warnings = " ".join(plain_text(w.value) for w in at.warning)
    assert "covered 76%" in warnings


# -- 6. dates and labels --------------------------------------------------------------------------
def test_a_typed_date_is_kept_until_the_slider_moves():
    at = session("explore", ds="scenarios/gec_step", iv="gec=2016-01-08")
    for _ in range(2):
        at.run()
        no_exception(at)
        assert qp(at, "iv") == ["gec=2016-01-08"]
        assert widget(at, "select_slider", "xp_date_0").value == "2016-01-01"
    widget(at, "select_slider", "xp_date_0").set_value("2015-10-01").run()
    assert qp(at, "iv") == ["gec=2015-10-01"]


def test_interventions_show_their_catalogue_names():
    at = session("explore", ds="scenarios/gec_step")
    assert widget(at, "select_slider", "xp_date_0").label == "Date of GEC announced"
    assert level_metric(at)
    assert any(m.label.startswith("Level change at GEC announced") for m in at.metric)
    tables = [d.value for d in at.dataframe if "effect" in d.value.columns]
    assert tables and set(tables[0]["intervention"]) == {"GEC announced"}


def test_dataset_names_are_distinguishable():
    at = session("explore")
    box = at.selectbox(key="xp_dataset")
    shown = [plain_text(o) for o in box.options]
    fifth = [o for o in shown if "Fifth Tribe" in o]
    assert len(fifth) == 3 and len({o[:40] for o in fifth}) == 3, fifth


def test_the_prop99_preset_keeps_linden_s_newey_west_lag_1():
    """Picking Prop 99 sets Errors to Newey-West with lag 1 (Linden's itsa); leaving it
    unchanged goes back to auto. The level change is Linden's multi-group -2.806417."""
    at = session("explore")
    at.selectbox(key="xp_dataset").set_value("reference/prop99").run()
    no_exception(at)
    assert widget(at, "selectbox", "xp_errors").value == "hac"
    assert at.number_input(key="xp_lags").value == 1
    assert qp(at, "errors") == ["hac"] and qp(at, "lags") == ["1"]
    tables = [d.value for d in at.dataframe if "effect" in d.value.columns]
    table = tables[0]
    row = table[table["effect"].str.contains("level change")]
    assert round(float(row["estimate"].iloc[0]), 6) == -2.806417, table
    at.selectbox(key="xp_dataset").set_value("reference").run()
    assert widget(at, "selectbox", "xp_errors").value == "auto"
    # A link naming only the dataset opens on the preset too.
    linked = session("explore", ds="reference/prop99")
    assert widget(linked, "selectbox", "xp_errors").value == "hac"
    assert qp(linked, "lags") == ["1"]


def test_a_workbook_s_sheet_is_picked_in_the_app_and_kept_in_the_link():
    """Data on the second sheet: the message names the sheets and the Sheet box; picking
    'Data' fits, and the link records the sheet so a re-upload restores it."""
    from tests.test_reliability_ingest import workbook

    raw = workbook(cover=True)
    at = session("explore")
    if at.radio(key="xp_mode").value != "Upload a file":
        at.radio(key="xp_mode").set_value("Upload a file").run()
    at.file_uploader(key="xp_upload").upload("book.xlsx", raw, "application/octet-stream").run()
    no_exception(at)
    shown = errors(at)
    assert any("'Data'" in e and "under Sheet" in e for e in shown), shown
    box = widget(at, "selectbox", "xp_sheet")
    assert box.options == ["Cover", "Data"] and box.value == "Cover"
    box.set_value("Data").run()
    no_exception(at)
    assert not errors(at), errors(at)
    assert level_metric(at)
    assert qp(at, "upsheet") == ["Data"] and qp(at, "uprows") == ["36"]
    link = dict(at.query_params)
    other = session("explore", **link)
    shown = " ".join(plain_text(i.value) for i in other.info)
    assert "book.xlsx, sheet Data (36 rows" in shown, shown
    other.file_uploader(key="xp_upload").upload("book.xlsx", raw, "application/octet-stream").run()
    no_exception(other)
    assert widget(other, "selectbox", "xp_sheet").value == "Data"
    assert level_metric(other) == level_metric(at)
