"""Hostile text from links and uploads is shown inert on every page (AppTest).

Every URL parameter (``explorer.urlstate.PARAMS`` and the pages' own ``claim``) and an upload's
column and group names carry Markdown links, images, HTML and bare autolinks. Whatever Streamlit
renders as Markdown (bodies, labels, radio and slider options, captions, metrics, help, expander
and tab labels) must hold them escaped: ``app_pages._ui.plain``. Selectbox and multiselect
options are plain text in Streamlit (checked in Chromium by tests/test_hostile_browser.py), so
they are not Markdown and not checked here.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from explorer.urlstate import PARAMS
from tests.test_app import on_page

LINK = "![t](http://evil.example/p.png) [Verify your account](https://evil.example/login)"
BARE = "www.evil.example/login https://evil.example/x me@evil.example <b>x</b>"
HOSTILE = f"{LINK} {BARE}"
# One set with every parameter hostile; one with values that survive validation to reach labels.
EVERY = {**{p: HOSTILE for p in PARAMS if p != "page"}, "claim": HOSTILE}
LABELS = {
    "ds": "www.evil.example/login",
    "iv": "www.evil.example/login=2016-01,[x](https://evil.example)=2016-06",
    "value": "www.evil.example/v",
    "credit": "www.evil.example/c",
    "claim": "www.evil.example/login",
}
PAGES = ["check_claim", "explore", "robustness", "data_sources", "methods", "ingest"]

_UNESC = re.compile(r"\\(.)")


def shown(text: str) -> str:
    """What the reader sees: escapes resolved, zero-width joiners dropped."""
    return _UNESC.sub(r"\1", text).replace("\u200d", "")


def live(text: str) -> list[str]:
    """Link, image, HTML or autolink patterns that survive in Markdown source ``text``."""
    resolved = _UNESC.sub(r"\1", text)  # what remark-gfm's autolink pass sees
    bad = []
    if re.search(r"(?<!\\)\]\s*\(", text):
        bad.append("](")
    if re.search(r"(?<!\\)!\[", text):
        bad.append("![")
    if re.search(r"(?<!\\)<", text):
        bad.append("<")
    if re.search(r"(?i)(https?://|(?<![\w.])www\.)[\w-]", resolved):
        bad.append("autolink")
    if re.search(r"[\w.+-]@[\w-]+\.\w", resolved):
        bad.append("e-mail")
    return bad


def markdown_texts(at) -> list[tuple[str, str]]:
    """(where, text) of everything on the page that Streamlit renders as Markdown."""
    out = []
    for kind in (
        "markdown",
        "caption",
        "warning",
        "error",
        "info",
        "success",
        "title",
        "header",
        "subheader",
        "exception",
    ):
        for el in at.get(kind):
            out.append((kind, str(getattr(el, "value", ""))))
    for el in at.get("metric"):
        for f in ("label", "value", "delta", "help"):
            out.append((f"metric.{f}", str(getattr(el, f, "") or "")))
    for kind in (
        "selectbox",
        "multiselect",
        "radio",
        "select_slider",
        "slider",
        "checkbox",
        "toggle",
        "button",
        "text_input",
        "number_input",
        "file_uploader",
        "expander",
        "tab",
        "status",
        "popover",
        "download_button",
        "data_editor",
    ):
        for el in at.get(kind):
            for f in ("label", "help"):
                v = getattr(el, f, None)
                if v is None and hasattr(el, "proto"):
                    v = getattr(el.proto, f, None)
                out.append((f"{kind}.{f}", str(v or "")))
            if kind in ("radio", "select_slider"):
                out += [(f"{kind}.option", str(o)) for o in el.options]
    return out


def assert_inert(at) -> list[str]:
    texts = markdown_texts(at)
    hostile = [(w, t) for w, t in texts if "evil" in shown(t)]
    for where, text in hostile:
        assert not live(text), (where, live(text), text)
    return [t for _, t in hostile]


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("params", [EVERY, LABELS], ids=["every", "labels"])
def test_hostile_url_parameters_are_inert_on_every_page(page, params):
    at = on_page(page, **params)
    assert not at.exception, [e.value for e in at.exception]
    echoed = assert_inert(at)
    if page in ("check_claim", "explore") or (page == "robustness" and params is LABELS):
        assert echoed, f"{page}: no hostile text echoed; is the test looking in the right place?"


def hostile_long_csv() -> bytes:
    rng = np.random.default_rng(3)
    dates = pd.date_range("2014-06-01", periods=30, freq="MS").strftime("%Y-%m")
    groups = [f"{LINK} g{i} www.evil.example/g{i}" for i in range(3)]
    rows = [
        {
            "month": d,
            f"{LINK} www.evil.example/unit": g,
            f"{LINK} www.evil.example/y": 100 - j + rng.normal(),
        }
        for g in groups
        for j, d in enumerate(dates)
    ]
    return pd.DataFrame(rows).to_csv(index=False).encode()


def test_hostile_upload_column_and_group_names_are_inert():
    at = on_page("explore", iv="www.evil.example/login=2016-01")
    at.radio(key="xp_mode").set_value("Upload a file").run()
    at.file_uploader(key="xp_upload").upload(
        f"{LINK} www.evil.example.csv", hostile_long_csv(), "text/csv"
    ).run()
    assert not at.exception, [e.value for e in at.exception]
    echoed = assert_inert(at)
    assert any(t.startswith("Treated") for t in echoed), echoed
    assert any("Date of" in t for t in echoed), echoed
    # The labels still read as typed.
    assert any(f"Treated {LINK} www.evil.example/unit" == shown(t) for t in echoed)
