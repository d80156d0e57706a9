"""Error display and the small text helpers every page uses: ``guard`` (user mistakes as
``st.error``, bugs as a short apology), source captions, verification badges, ``md_escape``.
"""

from __future__ import annotations

import contextlib
import logging
import re

import streamlit as st

from explorer.errors import ExplorerError

log = logging.getLogger("explorer.app")

VERIFICATION_COLOURS = {"VERIFIED": "green", "PARTLY_VERIFIED": "orange", "UNVERIFIED": "red"}
VERIFICATION_TEXT = {
    "VERIFIED": "Verified",
    "PARTLY_VERIFIED": "Partly verified",
    "UNVERIFIED": "Unverified",
}
APOLOGY = (
    "Sorry, something went wrong on our side while computing this part of the page. The rest "
    "of the page still works. If it keeps happening, please report it with the page's URL."
)


# -- error handling ----------------------------------------------------------------------------
@contextlib.contextmanager
def guard(where=None, *, what: str = "this part"):
    """Show the user's mistakes with ``st.error`` (their message) and bugs as a short apology.

    ``where`` is the container next to the control that caused the error. Streamlit's own
    control-flow exceptions (rerun, stop) derive from BaseException and pass through untouched.
    """
    box = where if where is not None else st
    try:
        yield
    except ExplorerError as exc:  # user mistakes and FitError/ExportUnavailable: their advice
        # The core's messages name CLI flags; in the app they name the controls instead.
        from app_pages._ui.words import in_app_words

        text = getattr(exc, "app_text", None) or in_app_words(str(exc))
        box.error(md_escape(text), icon=":material/error:")
    except Exception:  # the app must never show a traceback (logged with its traceback)
        log.exception("unexpected error in %s", what)
        box.error(APOLOGY, icon=":material/sentiment_dissatisfied:")


def source_caption(text: str, *, verification: str | None = None, where=None) -> None:
    """The source line under a chart (plain text: never HTML)."""
    box = where if where is not None else st
    # Sources can carry an uploaded file's name: escaped so it shows as typed.
    text = md_escape(text)
    if verification:
        box.caption(f"Source: {text} · {VERIFICATION_TEXT.get(verification, verification)}")
    else:
        box.caption(f"Source: {text}")


def badge(verification: str, where=None) -> None:
    box = where if where is not None else st
    box.badge(
        VERIFICATION_TEXT.get(verification, verification),
        color=VERIFICATION_COLOURS.get(verification, "gray"),
        icon=":material/verified:" if verification == "VERIFIED" else ":material/help:",
    )


# -- small display helpers ---------------------------------------------------------------------
# Every ASCII punctuation character may be backslash-escaped in CommonMark; escaping them all
# leaves no Markdown, HTML, LaTeX ($) or Streamlit directive syntax to interpret.
_MD_SPECIAL = frozenset("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~")
ZWJ = "\u200d"  # zero-width joiner: invisible, but no autolink pattern matches across it
# remark-gfm turns bare "www.host", "scheme://host" and "user@host" into live links after the
# escapes above are resolved, so those patterns are broken with a ZWJ instead; so are Streamlit's
# ":shortcode:" emoji/icons and ":colour[...]" directives.
_AUTOLINK = re.compile(
    r"(?i)(?<=www)(?=\.)"  # www|.host
    r"|(?<=:)(?=//)"  # scheme:|//host
    r"|(?<=@)"  # user@|host
    r"|(?<=:)(?=[\w+/-]+:|[a-z]+(?:-[a-z]+)?\[)"  # :|smile:  :|red[...]
)


def plain(text) -> str:
    """User- or data-derived text as inert Markdown: shown as typed, never interpreted.

    The one way such text (URL parameters, file and column names, group values, catalogue
    text, messages quoting any of these) reaches anything Streamlit renders as Markdown:
    bodies, widget labels, options, captions, metrics, help, tabs and expanders. Every ASCII
    punctuation character is backslash-escaped (no link, image, HTML, emphasis, heading, table,
    LaTeX or directive survives), autolink and shortcode patterns are broken with an invisible
    zero-width joiner, and line breaks become spaces (no block structure).

    Examples
    --------
    >>> plain("[x](https://e.example)")
    '\\[x\\]\\(https\\:\u200d\\/\\/e\\.example\\)'
    """
    s = "" if text is None else str(text)
    s = _AUTOLINK.sub(ZWJ, re.sub(r"[\r\n]+", " ", s))
    return "".join("\\" + ch if ch in _MD_SPECIAL else ch for ch in s)


md_escape = plain  # the older name, kept for existing callers


@contextlib.contextmanager
def ui_guard_quiet():
    """Optional extras (prose exports): a failure hides them instead of breaking the kit."""
    try:
        yield
    except Exception:  # the app must never show a traceback (logged with its traceback)
        log.exception("optional export text failed")
