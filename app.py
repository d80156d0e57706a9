"""Evidence Explorer: the Streamlit entry point.

Sets the page config and runs ``st.navigation`` over the thin page scripts in ``app_pages/``.
Everything statistical lives in ``explorer/`` (no Streamlit there); the pages only collect
widgets, call the core through the cached wrappers in ``app_pages/_ui.py`` and show results.
"""

import logging
import pathlib
import sys

import streamlit as st
from streamlit.errors import FragmentHandledException

# Streamlit's event loop (sending each element to the browser) shares the interpreter lock with
# the script and the background prefetch thread. At Python's default 5 ms switch interval each
# of a rerun's ~40 messages could wait a full slice behind the prefetch; 0.5 ms lets them out
# as they are made (measured: the last message of a date change arrived ~100 ms sooner).
sys.setswitchinterval(0.0005)

st.set_page_config(
    page_title="Evidence Explorer",
    # A local file (scripts/make_icon.py): a ":material/..." icon made every browser fetch the
    # favicon from fonts.gstatic.com.
    page_icon=str(pathlib.Path(__file__).with_name("app_pages") / "_assets" / "icon.png"),
    layout="wide",
    menu_items={
        "About": "Interrupted time-series evidence explorer: was the drop already under way?"
    },
)

pages = [
    st.Page(
        "app_pages/check_claim.py",
        title="Check a claim",
        icon=":material/fact_check:",
        url_path="check",
        default=True,
    ),
    st.Page(
        "app_pages/explore.py",
        title="Explore & model",
        icon=":material/insights:",
        url_path="explore",
    ),
    st.Page(
        "app_pages/robustness.py",
        title="Robustness",
        icon=":material/verified:",
        url_path="robustness",
    ),
    st.Page(
        "app_pages/data_sources.py",
        title="Data & sources",
        icon=":material/dataset:",
        url_path="data_sources",
    ),
    st.Page(
        "app_pages/ingest.py",
        title="Ingest tweets",
        icon=":material/upload_file:",
        url_path="ingest",
    ),
    st.Page(
        "app_pages/methods.py", title="Methods", icon=":material/menu_book:", url_path="methods"
    ),
]

page = st.navigation(pages)
try:
    page.run()
except FragmentHandledException:
    raise  # a fragment already showed its own error
except Exception:
    logging.getLogger("explorer.app").exception("uncaught error on page %s", page.title)
    st.error(
        "Sorry, something went wrong while drawing this page. Please reload it; if it keeps "
        "happening, report it with the page's URL.",
        icon=":material/sentiment_dissatisfied:",
    )
finally:
    from app_pages._ui import freeze_long_lived

    freeze_long_lived()
