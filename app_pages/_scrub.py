"""Explore's date scrubber: drag an intervention's date and watch the fit follow, in the browser.

A Streamlit custom component (``st.components.v2``, no iframe) draws the ITS chart with plotly.js
and a range input; ``explorer.scrub.scrub_payload`` sends the coefficients of every reachable
date once, so dragging redraws the fitted line, the counterfactual and its band, the marker and
the headline effect without a server round trip. On release (or 0.6 s after the last arrow key)
the component sends the date back as a trigger and ``_on_commit`` writes it into the
intervention list, as the date slider's callback does: the fragment reruns, refits, and the URL,
effects table, caveats and export kit follow.

Assets: the component's JavaScript (``app_pages/_scrubber/scrubber.js``) and plotly's own bundled
``plotly/package_data/plotly.min.js`` are served by Streamlit's component asset route
(``/_stcore/bidi-components/<name>/<file>``, cached by the browser). That route serves the
``asset_dir`` of a component declared in an installed package's ``pyproject.toml``; this app is a
checkout, not an installed package, so ``_register`` declares the two asset directories on the
running server's component manager directly (the same ``ComponentManifest`` the scanner would
build; Streamlit is pinned, and any failure here only means the plain slider). No CDN, no npm.

Fallback to today's slider: under AppTest (its runtime is a mock that renders no components),
when the assets cannot be registered, when ``EXPLORER_SCRUBBER=0``, when the design is not
covered (the caption says why), and when the browser reports that plotly.js did not load.
"""

from __future__ import annotations

import logging
import os
import pathlib

import streamlit as st

log = logging.getLogger("explorer.app")

NAME = "explorer.scrubber"
PLOTLY = "explorer.plotlyjs"
ASSETS = pathlib.Path(__file__).with_name("_scrubber")
KEY = "xp_scrub"
CHOICE = "xp_scrub_label"
FAILED = "xp_scrub_failed"

_MOUNTS: dict[int, object] = {}  # id(component manager) -> mount callable (None: unavailable)


def _plotly_dir() -> pathlib.Path | None:
    import importlib.util

    spec = importlib.util.find_spec("plotly")
    if spec is None or not spec.origin:
        return None
    root = pathlib.Path(spec.origin).parent
    return root if (root / "package_data" / "plotly.min.js").is_file() else None


def streamlit_plotly_chunk() -> str | None:
    """The path, under the app's root, of Streamlit's own plotly chart code (a file named by
    its build hash, e.g. ``static/js/PlotlyChart.D9Z0_fxz.js``), or None if not found.

    The scrubber takes plotly.js from it: it defines ``window.Plotly`` when imported, it is the
    copy every ``st.plotly_chart`` of the app uses (so the 4.7 MB are loaded once for all pages,
    where the scrubber's own copy made the first Robustness page after Explore wait a second
    for Streamlit's), and Streamlit serves it as an immutable file, which the browser keeps
    compiled between visits. If it is missing or defines no Plotly, the scrubber loads plotly's
    bundled ``plotly.min.js`` (declared below) instead.
    """
    import streamlit

    js = pathlib.Path(streamlit.__file__).parent / "static" / "static" / "js"
    found = sorted(js.glob("PlotlyChart.*.js"))
    return f"static/js/{found[0].name}" if len(found) == 1 else None


def _register(manager):
    """Declare the two asset directories and the component on ``manager``; its mount callable."""
    from streamlit.components.v2.manifest_scanner import ComponentConfig, ComponentManifest

    plotly_root = _plotly_dir()
    if plotly_root is None or not (ASSETS / "scrubber.js").is_file():
        return None
    for name, asset_dir, root in (
        ("scrubber", ASSETS.name, ASSETS.parent),
        ("plotlyjs", "package_data", plotly_root),
    ):
        cfg = ComponentConfig(name=name, asset_dir=asset_dir)
        manager.register_from_manifest(
            ComponentManifest(name="explorer", version="1", components=[cfg]), root
        )
    return st.components.v2.component(NAME, js="scrubber.js", isolate_styles=False)


def _mount_fn():
    """The component's mount callable on the running server, or None (AppTest, no assets)."""
    from streamlit.runtime import Runtime

    if os.environ.get("EXPLORER_SCRUBBER", "1") == "0" or not Runtime.exists():
        return None
    runtime = Runtime.instance()
    if type(runtime) is not Runtime:  # AppTest's mock runtime: components do not render there
        return None
    manager = runtime.bidi_component_registry
    if id(manager) not in _MOUNTS:
        try:
            _MOUNTS[id(manager)] = _register(manager)
        except Exception:  # any failure here means the plain slider
            log.exception("date scrubber unavailable")
            _MOUNTS[id(manager)] = None
    return _MOUNTS[id(manager)]


def controls(source: str, key: str, spec):
    """Left column: pick the intervention to drag; ``(label, data)`` for ``draw``, or None.

    Draws a selector when there are several interventions, and says why when the model refits
    per step instead. None means: keep every date slider as it is.
    """
    if spec is None or not spec.interventions or st.session_state.get(FAILED):
        return None
    from explorer.robustness.scrub import not_covered

    reason = not_covered(spec)
    if reason:
        from app_pages._ui import plain

        st.caption(plain(reason))
        return None
    if _mount_fn() is None:
        return None
    labels = [iv.label for iv in spec.interventions]
    if st.session_state.get(CHOICE) not in labels:
        st.session_state[CHOICE] = labels[0]
    if len(labels) > 1:
        from app_pages._ui import plain
        from app_pages._ui.cache import event_names

        names = event_names()
        st.selectbox(
            "Date to drag on the chart",
            labels,
            key=CHOICE,
            format_func=lambda k: names.get(k, k),
            help="The other interventions stay at their dates (their sliders below)",
        )
    label = st.session_state[CHOICE]
    from explorer.errors import ExplorerError

    try:
        data = _data(source, key, spec, label)
    except ExplorerError:  # the fit beside it shows the user's error; the slider still works
        return None
    except Exception:
        log.exception("date scrubber payload")
        return None
    if data is None:
        return None
    return label, data


@st.cache_resource(max_entries=16, show_spinner=False)
def _data(source: str, key: str, spec, label: str):
    from app_pages import _ui as ui
    from explorer.robustness.scrub import scrub_payload

    payload, _ = scrub_payload(ui.series(source, key, spec), spec, label)
    if payload is None:
        return None
    from app_pages._ui.cache import event_names
    from app_pages._ui.words import ERRORS_WORDS, FAMILY_WORDS, MODEL_WORDS

    names = event_names()
    # People's names on the markers and the headline (the payload keeps its numbers as sent).
    payload = {
        **payload,
        "label": names.get(payload["label"], payload["label"]),
        "held_labels": [names.get(x, x) for x in payload.get("held_labels") or []],
    }
    return {
        "payload": payload,
        "plotly_chunk": streamlit_plotly_chunk(),
        "title": ui.dataset_title(source, key),
        "subtitle": f"{MODEL_WORDS.get(spec.model, spec.model)}, "
        f"{FAMILY_WORDS.get(spec.family, spec.family)}"
        + (" on log scale" if spec.log else "")
        + f", errors {ERRORS_WORDS.get(spec.effective_errors, spec.effective_errors)}",
    }


def slider_note(label: str) -> None:
    """What replaces the slider of the intervention being dragged (``label``: its name)."""
    from app_pages._ui import plain

    st.caption(
        f"Date of {plain(label)}: drag it on the chart (or focus the slider under the chart and "
        "use the arrow keys); the fit follows as you drag and the table updates on release."
    )


def draw(scrubbed) -> bool:
    """Right column: the scrubber chart. False when it cannot be drawn (draw the static chart)."""
    mount = _mount_fn()
    if scrubbed is None or mount is None:
        return False
    label, data = scrubbed
    from app_pages._ui import plain

    # Title and subtitle as page text (they wrap on a phone), as every other chart has them.
    st.markdown(f"**{plain(data['title'])}**")
    st.caption(plain(data["subtitle"]))
    mount(
        key=KEY,
        data=data,
        height="content",  # the CSS fixes the plot box, so nothing shifts as it loads
        on_commit_change=_on_commit,
        on_failed_change=_on_failed,
    )
    return True


def export_chart(source: str, key: str, spec, kit: str = "xp_export"):
    """The static chart for the export kit beside the scrubber: built only while the kit is
    open (a closed kit reads only its title), so a committed date does not wait for a figure
    nobody sees (about 0.1 s)."""
    from types import SimpleNamespace

    from app_pages import _ui as ui
    from explorer.charts import ChartText

    if st.session_state.get(f"{kit}_open"):
        return ui.its_chart(source, key, spec)
    return SimpleNamespace(text=ChartText(title=ui.dataset_title(source, key)), kind="its")


def _on_commit() -> None:
    """The released date: into the intervention list, as the date slider's callback does."""
    state = st.session_state.get(KEY) or {}
    date = state.get("commit") if hasattr(state, "get") else None
    label = st.session_state.get(CHOICE)
    if not isinstance(date, str) or not label:
        return
    from dataclasses import replace

    from app_pages._ui import state as app_state

    ivs = tuple(
        replace(iv, date=date[:10]) if iv.label == label else iv
        for iv in app_state.current().interventions
    )
    app_state.update(interventions=ivs)


def _on_failed() -> None:
    """The browser could not load plotly.js: back to the slider for this session."""
    state = st.session_state.get(KEY) or {}
    log.warning("date scrubber failed in the browser: %s", state.get("failed"))
    st.session_state[FAILED] = True
