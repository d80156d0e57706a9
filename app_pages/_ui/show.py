"""Charts on the page and the data's caveats beside them.

``show_chart`` draws a ``Chart`` at the column's width for the reader's light or dark theme: the
title and subtitle as page text above it (they wrap on a phone, where text drawn on a figure was
clipped), the figure from ``explorer.charts.base.app_figure``. Exports keep every word on the
image (``exportkit``). ``caveats_box`` shows a dataset's own caveats on every page that uses it.
"""

from __future__ import annotations

import re
import weakref

import streamlit as st

from app_pages._ui.guard import md_escape
from app_pages._ui.tables import dataset_caveats

# chart -> {dark: figure}: a rerun that shows the same cached chart reuses its app figure.
_APP_FIGURES: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def reader_is_dark() -> bool:
    """True when the reader's page is dark (Streamlit's theme, which follows their system)."""
    try:
        return getattr(st.context.theme, "type", None) == "dark"
    except Exception:  # noqa: BLE001 - no browser context (scripts, tests): light
        return False


def app_figure(chart):
    from explorer.charts.base import app_figure as build

    dark = reader_is_dark()
    figs = _APP_FIGURES.setdefault(chart, {})
    if dark not in figs:
        figs[dark] = build(chart, dark=dark)
    return figs[dark]


def show_chart(chart, *, key: str, where=None, title: bool = True) -> None:
    """Title, subtitle and the chart at the column's width (the source caption follows it).

    ``title=False`` when the page's heading above already is the chart's title."""
    box = where if where is not None else st
    if chart.text.title and title:
        box.markdown(f"**{md_escape(chart.text.title)}**")
    if chart.text.subtitle:
        box.caption(md_escape(chart.text.subtitle))
    box.plotly_chart(
        app_figure(chart),
        key=key,
        width="stretch",
        theme="streamlit",
        alt=chart.text.title or chart.kind,
    )


def caveats_box(source: str, key: str, where=None) -> None:
    """The data's own caveats as one warning (nothing when it has none)."""
    caveats = dataset_caveats(source, key)
    if not caveats:
        return
    from app_pages._ui.words import in_app_words

    box = where if where is not None else st
    items = "\n".join(f"- {md_escape(in_app_words(c))}" for c in caveats)
    box.warning(f"**Caveats of this data**\n\n{items}", icon=":material/warning:")


def caveat_reminder(source: str, key: str) -> None:
    """Beside a result: the data's caveats apply to it, quoting the sentence of them that says
    what the data cannot show (a reader who scrolled to the numbers sees it there too)."""
    caveats = dataset_caveats(source, key)
    if not caveats:
        return
    limits = [
        s.strip()
        for c in caveats
        for s in re.split(r"(?<=\.)\s+", c)
        if re.search(r"\bcannot\b|\bnot observations\b", s)
    ]
    text = "These numbers describe this data as collected; its caveats (under Data, above) apply"
    text += f": {limits[0]}" if limits else "."
    st.warning(md_escape(text), icon=":material/warning:")
