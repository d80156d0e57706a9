"""The Streamlit pages under AppTest: every page runs, shows its charts, and keeps its promises.

Set widgets by key and assert on what is shown. AppTest cannot read download bytes, so the
export kit is checked by its buttons here and by the export functions in their own tests.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import ROOT

APP = str(ROOT / "app.py")
TIMEOUT = 120


def app() -> AppTest:
    return AppTest.from_file(APP, default_timeout=TIMEOUT)


def on_page(page: str, **params) -> AppTest:
    """An app session opened on ``page`` (a path under app_pages/) with URL parameters."""
    at = app()
    for k, v in params.items():
        at.query_params[k] = v
    at.switch_page(f"app_pages/{page}.py")
    return at.run()


def no_trouble(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def qp(at: AppTest, key: str) -> list[str]:
    """A URL parameter's values as a list (AppTest gives a str for one value)."""
    v = at.query_params.get(key, [])
    return [v] if isinstance(v, str) else list(v)


def ivs(at: AppTest) -> list[str]:
    """The interventions in the URL (explorer.urlstate comma-joins them)."""
    return [t for v in qp(at, "iv") for t in v.split(",") if t]


def widget(at: AppTest, kind: str, base: str):
    """The widget whose key is ``base`` or ``base__<digest>``: widgets whose options depend on
    the data carry a digest of them in their key (app_pages._ui.state.widget_key)."""
    found = [w for w in getattr(at, kind) if w.key == base or str(w.key).startswith(base + "__")]
    assert len(found) == 1, [w.key for w in getattr(at, kind)]
    return found[0]


def app_state(at: AppTest):
    """The session's one analysis (app_pages._ui.state)."""
    return at.session_state["app_state"]


def level_metric(at: AppTest) -> str:
    found = [m.value for m in at.metric if m.label.startswith("Level change at")]
    assert found, [m.label for m in at.metric]
    return found[0]


def monthly_csv(n: int = 30, *, drop_at: int = 19, step: float = -20.0) -> bytes:
    rng = np.random.default_rng(7)
    dates = pd.date_range("2014-06-01", periods=n, freq="MS")
    y = 100 - 0.5 * np.arange(n) + np.where(np.arange(n) >= drop_at, step, 0.0)
    y = y + rng.normal(0, 1.0, n)
    return (
        pd.DataFrame({"month": dates.strftime("%Y-%m"), "visits": y.round(2)})
        .to_csv(index=False)
        .encode()
    )


# -- the landing page -------------------------------------------------------------------------
def test_landing_shows_the_ap_claim_without_a_public_series():
    at = app().run()
    no_trouble(at)
    assert len(at.get("plotly_chart")) >= 2  # the timeline and the scenario lab
    warnings = " ".join(w.value for w in at.warning)
    assert "No public series covers this claim" in warnings
    infos = " ".join(i.value for i in at.info)
    assert "19 months before" in infos
    assert at.metric[0].value == "-45%"
    assert qp(at, "claim") == ["AP-01"]


def test_landing_scenario_lab_fits_every_scenario():
    at = app().run()
    assert not at.dataframe  # a static table: the landing page loads no interactive grid
    table = at.table[0].value
    assert len(table) == 6
    shares = pd.concat([table["trend share"], table["GEC share"]])
    assert shares.str.fullmatch(r"-?\d+%").all() and "-0%" not in set(shares), shares
    # The GEC-only model must credit the GEC where the truth is a GEC step.
    row = table.set_index("scenario").loc[
        "A step down at the GEC announcement on top of a mild pre-existing decline"
    ]
    assert row["credits GEC"] == "yes"
    assert row["right?"] == "yes"
    # The data's own break falls in the month of the true step; none in a plain trend.
    assert "2016-01" in row["data's own breaks"]
    assert (
        table.set_index("scenario").loc["A decline already under way", "data's own breaks"]
        == "none"
    )


def test_landing_first_browser_run_on_a_cold_server_defers_the_lab(monkeypatch):
    """Nothing cached and a browser: the first run draws the claim and the timeline and only
    a status line for the lab; the next run (the browser's timed rerun ends in one) has it."""
    from app_pages import _claim_lab

    monkeypatch.setattr(_claim_lab, "_LAB_DONE", {})
    monkeypatch.setattr(_claim_lab, "_in_a_browser", lambda: True)
    at = app().run()
    no_trouble(at)
    assert at.session_state["lab_page_drawn"] is True
    assert len(at.get("plotly_chart")) == 5  # the timeline and the record, not the lab's grid
    assert not at.table
    assert "No public series covers this claim" in " ".join(w.value for w in at.warning)
    at.run()
    no_trouble(at)
    assert len(at.get("plotly_chart")) == 6 and len(at.table[0].value) == 6


def test_landing_unknown_claim_in_url_warns_and_falls_back():
    at = app()
    at.query_params["claim"] = "NOPE-99"
    at.run()
    no_trouble(at)
    assert any("NOPE-99" in w.value.replace("\\", "") for w in at.warning)
    assert at.selectbox(key="claim_id").value == "AP-01"


def test_landing_other_claim_has_no_no_public_series_notice():
    at = app().run()
    at.selectbox(key="claim_id").set_value("TW-01").run()
    no_trouble(at)
    assert not any("No public series" in w.value for w in at.warning)
    assert qp(at, "claim") == ["TW-01"]


def test_landing_check_your_own_claim_attributes_the_change():
    at = app().run()
    at.button(key="own_example").click().run()
    no_trouble(at)
    summary = " ".join(s.value for s in at.success)
    assert "gec" in summary.lower() or "GEC" in summary
    # A table in words now (issue 16 item 6), no raw component names.
    comps = at.table[-1].value
    assert {"Trend already under way", "GEC announced"} <= set(comps["Part of the change"])


# -- explore & model --------------------------------------------------------------------------
def test_explore_fits_and_moving_the_date_changes_the_estimate():
    at = on_page("explore", ds="scenarios/gec_step")
    no_trouble(at)
    assert len(at.get("plotly_chart")) == 1
    before = level_metric(at)
    slider = widget(at, "select_slider", "xp_date_0")
    assert slider.value == "2016-01-01"
    slider.set_value("2015-06-01").run()
    no_trouble(at)
    after = level_metric(at)
    assert after != before
    assert "gec=2015-06-01" in ivs(at)


def test_explore_export_kit_is_built_when_its_popover_opens():
    at = on_page("explore")
    no_trouble(at)
    assert not at.get("download_button")  # closed: nothing built on a date step
    at.session_state["xp_export_open"] = True  # what opening the popover sets
    at.run()
    no_trouble(at)
    labels = {b.label for b in at.get("download_button")}
    assert {"PNG", "SVG", "HTML", "CSV", "JSON", "Bundle"} <= labels
    assert {t.label for t in at.text_area} >= {"Methods paragraph", "Alt text"}
    # In words a reader knows: the event's name and the estimator the fit used (auto: REML).
    methods = next(t.value for t in at.text_area if t.label == "Methods paragraph")
    assert "The intervention GEC announced (dated" in methods, methods
    assert "restricted maximum likelihood (REML)" in methods


def test_explore_export_size_outlives_the_closed_popover():
    at = on_page("explore")
    at.session_state["xp_export_open"] = True
    at.run()
    at.selectbox(key="xp_export_preset").set_value("square").run()
    at.session_state["xp_export_open"] = False
    at.run()
    at.session_state["xp_export_open"] = True
    at.run()
    no_trouble(at)
    assert at.selectbox(key="xp_export_preset").value == "square"


def test_explore_add_an_intervention_adds_a_row_and_its_slider():
    at = on_page("explore", ds="scenarios/gec_step")
    no_trouble(at)
    n = len(app_state(at).interventions)
    at.button(key="xp_add_row").click().run()
    no_trouble(at)
    rows = app_state(at).interventions
    assert len(rows) == n + 1 and rows[-1].label == f"event{n + 1}"
    assert widget(at, "select_slider", f"xp_date_{n}").value == rows[-1].date
    assert f"event{n + 1}=" in ",".join(ivs(at))


def test_explore_editor_edits_and_remove_ticks(monkeypatch):
    """The editor's callback: a changed cell is applied, a ticked row is dropped, and the
    editor is re-keyed so its next state starts clean."""
    import streamlit

    from app_pages import _explore as xp
    from explorer.spec import Intervention
    from explorer.urlstate import AppState

    state = {
        "app_state": AppState(
            interventions=(
                Intervention("gec", "2016-01-01"),
                Intervention("paris", "2015-11-13"),
                Intervention("wave", "2016-02-05"),
            )
        ),
        "xp_editor_version": 3,
        "xp_editor_3": {
            "edited_rows": {
                0: {"kind": "level only"},
                1: {"remove": True},
                "2": {"date": "2016-03", "kind": "ramp", "ramp": 4},
            },
            "added_rows": [],
            "deleted_rows": [],
        },
    }
    monkeypatch.setattr(streamlit, "session_state", state)
    xp._on_editor_change("xp_editor_3")
    assert state["app_state"].interventions == (
        Intervention("gec", "2016-01-01", "level"),
        Intervention("wave", "2016-03", "ramp", ramp=4),
    )
    assert state["xp_editor_version"] == 4
    # An edit that makes an impossible intervention is refused with the reason; nothing changes.
    state["xp_editor_4"] = {"edited_rows": {0: {"intervention": "a<b>"}}}
    before = state["app_state"]
    xp._on_editor_change("xp_editor_4")
    assert state["app_state"] == before
    assert "cannot be used" in state["xp_iv_error"]


def test_explore_url_restores_the_analysis():
    params = {"ds": "scenarios/paris_ramp", "iv": "paris=2015-11-13", "log": "1", "errors": "ols"}
    at = on_page("explore", **params)
    no_trouble(at)
    assert at.selectbox(key="xp_dataset").value == "scenarios/paris_ramp"
    assert at.checkbox(key="xp_log").value is True
    assert widget(at, "selectbox", "xp_errors").value == "ols"
    assert "Paris attacks" in level_metric_label(at)  # the catalogue's name for "paris"
    # The URL the page writes back reproduces the same state.
    again = on_page("explore", **{k: qp(at, k) for k in at.query_params})
    assert level_metric(again) == level_metric(at)


def level_metric_label(at: AppTest) -> str:
    return next(m.label for m in at.metric if m.label.startswith("Level change at"))


def test_explore_invalid_url_parameters_warn_and_use_defaults():
    at = on_page("explore", family="banana", iv="gec=not-a-date", ds="nope")
    assert not at.exception
    text = " ".join(w.value for w in at.warning).replace("\\", "")
    assert "family='banana'" in text and "dataset 'nope'" in text
    assert "gec=not-a-date" in text
    assert at.selectbox(key="xp_family").value == "gaussian"
    assert len(at.get("plotly_chart")) == 1


def test_explore_impossible_spec_shows_error_and_keeps_the_last_result():
    at = on_page("explore", ds="scenarios/gec_step", errors="ar:1")
    before = level_metric(at)
    # Poisson on a series of non-integer values: the core refuses, in the app's words.
    at.selectbox(key="xp_family").set_value("poisson").run()
    assert not at.exception
    shown = [e.value.replace("\\", "") for e in at.error]
    assert any("Family: gaussian" in e for e in shown), shown
    assert level_metric(at) == before
    assert len(at.get("plotly_chart")) == 1
    # AR errors do not apply to counts: the family change set errors back to auto.
    assert widget(at, "selectbox", "xp_errors").value == "auto"


def test_explore_bad_upload_keeps_the_previous_result():
    at = on_page("explore")
    at.radio(key="xp_mode").set_value("Upload a file").run()
    at.file_uploader(key="xp_upload").upload("visits.csv", monthly_csv(), "text/csv").run()
    no_trouble(at)
    good = level_metric(at)
    assert len(at.get("plotly_chart")) == 1
    at.file_uploader(key="xp_upload").upload("bad.csv", b"month,visits\n", "text/csv").run()
    assert not at.exception
    assert any("no rows of data" in e.value for e in at.error)
    assert level_metric(at) == good
    assert len(at.get("plotly_chart")) == 1


def test_explore_editor_adds_an_event_from_the_catalogue():
    at = on_page("explore", ds="scenarios/suspension_steps")
    at.multiselect(key="xp_add_presets").set_value(["twitter_campaign"]).run()
    no_trouble(at)
    assert any(t.startswith("twitter_campaign=2015-07") for t in ivs(at))
    assert len(at.select_slider) == 2
    assert "Twitter suspension campaign under way" in " ".join(
        at.dataframe[-1].value["intervention"]
    )


def test_explore_interventions_too_close_show_the_spec_error_and_keep_the_chart():
    at = on_page("explore", ds="scenarios/suspension_steps")
    before = level_metric(at)
    at.multiselect(key="xp_add_presets").set_value(["twitter_125k"]).run()
    assert not at.exception
    assert any("Move the dates apart" in e.value for e in at.error)
    assert level_metric(at) == before
    assert len(at.get("plotly_chart")) == 1


# -- the other pages --------------------------------------------------------------------------
def test_robustness_page_runs_with_verdict_and_charts():
    at = on_page("robustness", ds="scenarios/gec_step", log="1")
    no_trouble(at)
    assert len(at.get("plotly_chart")) >= 3  # sweep, placebos, residual ACF
    verdict = " ".join(m.value for m in at.markdown)
    assert "Does the effect survive if the date moves" in verdict
    assert "What could the data have detected" in verdict
    assert {m.label for m in at.metric} >= {"sup-F statistic", "p-value"}


@pytest.mark.parametrize("page", ["data_sources", "methods", "ingest"])
def test_static_pages_run(page):
    at = on_page(page)
    no_trouble(at)
    assert at.title


def test_data_sources_lists_every_dataset_with_licence_and_checksum():
    from explorer.catalog.datasets import list_resources

    at = on_page("data_sources")
    cat = at.dataframe[0].value
    keys = {r.key for r in list_resources()}
    assert set(cat["dataset"]) == keys
    assert cat["licence"].str.len().min() > 0
    assert len(at.get("download_button")) == len(keys)


def test_first_paint_does_not_import_statsmodels():
    """The claim card and timeline need no statsmodels: only the fits below them import it."""
    import subprocess
    import sys

    code = (
        "import sys\n"
        "import app_pages._ui, app_pages._claim_lab, app_pages._explore\n"
        "from explorer import charts\nfrom explorer.catalog import claims, events\n"
        "c = claims.load_claims(); ev = events.load_events()\n"
        "charts.events_timeline(ev, window=('2014-06', '2016-07'), credit='gec')\n"
        "print(sorted(m for m in ('statsmodels', 'scipy', 'kaleido') if m in sys.modules))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip().splitlines()[-1] == "[]"


def test_ingest_builds_counts_only_and_sends_the_series_to_explore():
    at = on_page("ingest")
    no_trouble(at)
    at.button(key="in_go").click().run()
    no_trouble(at)
    series = at.dataframe[0].value
    assert {"n_tweets", "n_accounts_observed", "coverage"} <= set(series.columns)
    assert not {"tweets", "username", "name", "description"} & set(series.columns)
    assert any("convenience sample" in w.value for w in at.warning)
    at.button(key="in_send").click().run()
    assert not at.exception
    assert at.radio(key="xp_mode").value == "Upload a file"


def test_robustness_on_long_data_adds_placebos_in_space():
    at = on_page("robustness", ds="reference/prop99", iv="prop99=1989")
    no_trouble(at)
    assert any("control units treated" in str(c.proto.spec) for c in at.get("plotly_chart"))
    assert any("In space: permutation p-value" in m.value for m in at.markdown)


def test_explore_switching_to_sicily_reproduces_lopez_bernal_with_the_offset():
    """A newly picked dataset opens on its own documented intervention, not on an
    out-of-range GEC; with the offset and harmonics the app shows model 3's RR 0.885."""
    at = on_page("explore")
    no_trouble(at)
    at.selectbox(key="xp_dataset").set_value("reference").run()
    no_trouble(at)
    assert "smokban=2005-01" in ivs(at)
    at.selectbox(key="xp_family").set_value("quasipoisson").run()
    at.selectbox(key="xp_season").set_value("fourier:2").run()
    widget(at, "selectbox", "xp_offset").set_value("stdpop").run()
    from dataclasses import replace

    state = app_state(at)
    ban = replace(state.interventions[0], kind="level")
    at.session_state["app_state"] = replace(state, interventions=(ban,))
    at.session_state["xp_editor_version"] = 99
    at.run()
    no_trouble(at)
    assert qp(at, "offset") == ["stdpop"] and "smokban=2005-01:level" in ivs(at)
    table = next(d.value for d in at.dataframe if "effect" in d.value.columns)
    row = table[(table["intervention"] == "smokban") & (table["effect"] == "level change")]
    assert round(float(row["ratio"].iloc[0]), 3) == 0.885


def test_explore_reminds_of_the_data_s_caveats_beside_its_numbers():
    """A significant "GEC effect" on the Fifth Tribe sample comes with the sentence of its
    caveats that says what it cannot show, under the effects (not only at the top)."""
    at = on_page("explore", ds="fifthtribe")
    assert not at.exception
    near = [w.value for w in at.warning if w.value.startswith("These numbers describe")]
    assert len(near) == 1 and "cannot show a 2014" in near[0], near
    # Caveats with nothing a reader could misread as a finding (Sicily's are about sources).
    at = on_page("explore", ds="reference", value="aces", iv="ban=2005-01")
    assert not at.exception
    near = [w.value.replace("\\", "") for w in at.warning]
    near = [w for w in near if w.startswith("These numbers describe")]
    assert len(near) == 1 and near[0].endswith("apply."), near
    # The caveats box speaks of the app's controls, not CLI flags (Prop 99's says which state).
    box = [w.value.replace("\\", "") for w in at.warning if "Caveats of this data" in w.value]
    assert box and "--group" not in box[0] and "--treated" not in box[0], box
