"""The app's speed measures that are behaviour, not timing: what runs when, and what is cached.

Timings themselves live in ``make bench`` (ratios in one run); these tests pin the mechanisms the
benchmarks rely on, so a refactor cannot silently undo them.
"""

from __future__ import annotations

import threading
import time
import tomllib
from pathlib import Path

import pandas as pd
import pytest

from explorer.catalog.datasets import load_dataset
from explorer.spec import Intervention, ItsSpec

ROOT = Path(__file__).resolve().parents[1]


def test_streamlit_does_not_force_a_full_garbage_collection_after_every_run():
    # gc.collect(2) walks every object of pandas, statsmodels and plotly: ~0.1 s per rerun.
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert config["runner"]["postScriptGC"] is False


@pytest.fixture
def ui(monkeypatch):
    from app_pages._ui import cache, prefetch

    # An earlier in-process app test may still have a prefetch queued on the one worker:
    # let it finish before this test owns the (emptied) store.
    prefetch._PREFETCH_POOL.submit(lambda: None).result(timeout=60)
    monkeypatch.setattr(cache, "PREFETCHED", {})
    return prefetch


def _spec(date: str) -> ItsSpec:
    return ItsSpec(
        time="date", value="value", interventions=(Intervention("gec", date, "level_slope"),)
    )


def test_prefetch_fits_the_neighbouring_dates_when_the_server_is_idle(ui):
    tbl = load_dataset("scenarios/gec_step")
    specs = [_spec("2015-05-01"), _spec("2015-07-01")]
    ui._prefetch(
        "dataset",
        "scenarios/gec_step",
        specs,
        tbl,
        ("t", "s", (), {"gec": "GEC announced"}),
        threading.current_thread(),
    )
    assert set(ui.cache.PREFETCHED) == {("dataset", "scenarios/gec_step", sp) for sp in specs}
    result, chart = ui.cache.PREFETCHED[("dataset", "scenarios/gec_step", specs[0])]
    assert result.interventions[0].label == "gec"
    assert chart.figure is not None
    # The marker carries the catalogue's name, as the page's own chart does.
    assert "GEC announced" in chart.figure.to_json()


def test_prefetch_stands_aside_while_another_session_runs_its_script(ui):
    # Under load the CPU belongs to readers waiting for their pages, not to guesses.
    release = threading.Event()
    other = threading.Thread(target=release.wait, name="ScriptRunner.scriptThread", daemon=True)
    other.start()
    try:
        tbl = load_dataset("scenarios/gec_step")
        ui._prefetch(
            "dataset",
            "scenarios/gec_step",
            [_spec("2015-05-01")],
            tbl,
            ("t", "s", (), {"gec": "GEC announced"}),
            threading.current_thread(),
        )
        assert ui.cache.PREFETCHED == {}
    finally:
        release.set()
        other.join()
    # The session that asked for the prefetch does not count as "another session": the work
    # waits for that run to finish (its own page first), then goes ahead.
    owner = threading.Thread(
        target=lambda: time.sleep(0.3), name="ScriptRunner.scriptThread", daemon=True
    )
    owner.start()
    ui._prefetch(
        "dataset",
        "scenarios/gec_step",
        [_spec("2015-05-01")],
        load_dataset("scenarios/gec_step"),
        ("t", "s", (), {"gec": "GEC announced"}),
        owner,
    )
    assert not owner.is_alive() and len(ui.cache.PREFETCHED) == 1


def test_the_robustness_results_are_computed_ahead_as_the_page_computes_them(ui, monkeypatch):
    """After Explore fits, the Robustness page's five results are computed in the background
    into ``cache.AHEAD``, equal to the page's own calls, and the page's calls return them."""
    from app_pages._ui import cache

    monkeypatch.setattr(cache, "AHEAD", {})
    tbl = load_dataset("scenarios/gec_step")
    spec = ItsSpec(
        time="date", value="value", errors="ar", ar_order=1,
        interventions=(Intervention("gec", "2016-01-08", "level_slope"),),
    )  # fmt: skip
    ui._robust_ahead("dataset", "scenarios/gec_step", spec, "gec", tbl, threading.current_thread())
    names = {k[0] for k in cache.AHEAD}
    assert names == {"sweep", "breaks", "placebos", "power", "residuals"}, names
    sw = cache.AHEAD[("sweep", "dataset", "scenarios/gec_step", spec, "gec")]
    assert cache.sweep("dataset", "scenarios/gec_step", spec, "gec") is sw
    from explorer.io.series import series_from_spec
    from explorer.robustness.sweep import sweep_dates

    again = sweep_dates(series_from_spec(tbl, spec), spec, label="gec")
    pd.testing.assert_frame_equal(sw.rows, again.rows)
    pl = cache.placebos("dataset", "scenarios/gec_step", spec, "gec")
    assert pl is cache.AHEAD[("placebos", "dataset", "scenarios/gec_step", spec, "gec")]


def test_long_lived_objects_are_frozen_once_after_imports_not_on_every_run(monkeypatch):
    import gc
    import sys

    from app_pages._ui import cache as _ui

    collections = []
    monkeypatch.setattr(gc, "collect", lambda *a: collections.append(a) or 0)
    monkeypatch.setattr(gc, "freeze", lambda: None)
    monkeypatch.setattr(_ui, "_FROZEN_AT", 0)
    assert _ui.freeze_long_lived() is True  # libraries were imported since "the last time"
    assert _ui._FROZEN_AT == len(sys.modules)
    assert _ui.freeze_long_lived() is False  # nothing new: no collection on this run
    assert len(collections) == 1
    monkeypatch.setattr(_ui, "_FROZEN_AT", len(sys.modules) - 25)
    assert _ui.freeze_long_lived() is True  # a page imported statsmodels: freeze again


def test_the_robustness_work_ahead_stands_aside_for_a_crowd(ui, monkeypatch):
    """More than a few readers connected: no Robustness results are guessed for them."""
    from app_pages._ui import cache

    monkeypatch.setattr(cache, "AHEAD", {})
    submitted = []
    monkeypatch.setattr(ui._PREFETCH_POOL, "submit", lambda *a, **k: submitted.append(a))
    monkeypatch.setattr(ui, "get_table", lambda source, key: None)
    monkeypatch.setattr(ui, "_crowded", lambda: True)
    ui.prefetch_robustness("dataset", "scenarios/gec_step", _spec("2016-01-08"), "gec")
    assert submitted == []
    monkeypatch.setattr(ui, "_crowded", lambda: False)
    ui.prefetch_robustness("dataset", "scenarios/gec_step", _spec("2016-01-08"), "gec")
    assert len(submitted) == 1
