"""The session's one analysis: a frozen ``AppState`` in ``st.session_state``, and the URL.

Every page reads the same state (``current``) and writes it back through its widgets'
callbacks (``update``), so Explore, Robustness and Check a claim always show one analysis, and
a widget never shows a value that was not fitted: each widget is given the state's value before
it is drawn (``seed``), under a key that changes when its options do.

The URL holds the last state that worked (``fitted``), never a setup that fails: whoever opens a
copied link sees an analysis, and while the current setup fails the page says that the link
still holds the last one that worked (``link_note``). The format is ``explorer.urlstate``'s.
"""

from __future__ import annotations

import hashlib
from dataclasses import replace

import streamlit as st

from explorer import urlstate
from explorer.urlstate import AppState

STATE = "app_state"
GOOD = "app_state_good"
WARNINGS = "app_state_link_warnings"
DEFAULT_DATASET = "scenarios"


def current() -> AppState:
    """The session's analysis; on its first run, read from the URL (warnings kept for later)."""
    ss = st.session_state
    if STATE not in ss:
        from app_pages._ui.tables import dataset_infos
        from explorer.catalog import events as events_mod

        params = {k: st.query_params.get_all(k) for k in st.query_params}
        state, warnings = urlstate.from_query(
            params, datasets=dataset_infos()["name"].tolist(), resolve=events_mod.resolve
        )
        ss[STATE] = replace(state, page=None)
        ss[WARNINGS] = list(warnings)
        ss["app_state_from_link"] = bool(params)
    return ss[STATE]


def put(state: AppState) -> None:
    st.session_state[STATE] = state


def update(**changes) -> AppState:
    """Replace fields of the state (a callback's write-back); returns the new state."""
    state = replace(current(), **changes)
    put(state)
    return state


def from_link() -> bool:
    """True when the session was opened with URL parameters."""
    current()
    return bool(st.session_state.get("app_state_from_link"))


def link_warnings() -> list[str]:
    """The link's warnings (plain text), once: the first page that shows them takes them."""
    current()
    return st.session_state.pop(WARNINGS, None) or []


# -- the last analysis that worked, and the URL ----------------------------------------------------
def good() -> AppState | None:
    return st.session_state.get(GOOD)


def fitted(state: AppState) -> None:
    """``state`` fitted: remember it as the last good analysis and write it into the URL."""
    st.session_state[GOOD] = state
    write_url(state)


def write_url(state: AppState) -> None:
    params = urlstate.to_query(replace(state, page=None))
    have = {k: st.query_params.get(k) for k in st.query_params}
    if have != params:
        st.query_params.from_dict(params)


def link_note() -> str:
    """What the page says while the current setup fails."""
    if good() is None:
        return "Nothing has fitted yet, so the page's link holds no analysis."
    return "The page's link still holds the last analysis that worked (shown below)."


# -- widgets drawn from the state -----------------------------------------------------------------
def widget_key(base: str, options=()) -> str:
    """``base``, suffixed with a digest of the options when they depend on the data: a widget
    whose options change gets a new key, so it never keeps a value from the old options."""
    if not options:
        return base
    digest = hashlib.sha1(repr(tuple(options)).encode()).hexdigest()[:8]
    return f"{base}__{digest}"


def seed(key: str, value) -> None:
    """Give widget ``key`` the state's value before it is drawn (every run)."""
    if st.session_state.get(key, object()) != value:
        st.session_state[key] = value


def writer(key: str, field: str, convert=None):
    """A widget callback writing the widget's value into the state's ``field``."""

    def _write() -> None:
        value = st.session_state.get(key)
        update(**{field: convert(value) if convert else value})

    return _write
