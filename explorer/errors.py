"""The project's own exceptions.

``InputError`` is the user's mistake (a bad file, an impossible spec, a bad flag): its message says
what is wrong *and* how to fix it. The CLI turns it into exit status 2 and one line ``error: ...``;
the app shows it with ``st.error`` next to the control that caused it. Anything else is a bug.
"""


class ExplorerError(Exception):
    """Base class of every error the explorer raises on purpose."""


class InputError(ExplorerError, ValueError):
    """The user's input (file, column, flag, URL parameter) cannot be used as given.

    The message must say what is wrong and how to fix it, in one or two plain sentences.
    """


class SpecError(InputError):
    """The analysis specification is impossible for this data (dates, terms, family, errors)."""


class FitError(ExplorerError):
    """A model could not be estimated (non-convergence, singular covariance, collinearity).

    The message says what failed and what to try instead.
    """


class ExportUnavailable(ExplorerError):
    """A static export (PNG/SVG) cannot be made here: Chromium is missing or crashed.

    The message says what happened and what still works (HTML, CSV, JSON exports) and how to fix it.
    The app shows it beside the export buttons and keeps working; the CLI prints one line.
    """


QUOTE_LIMIT = 80


def quote(value, limit: int = QUOTE_LIMIT) -> str:
    """``repr`` of user text for a message, cut to ``limit`` characters with the length said.

    Every message that echoes a column name, cell or parameter goes through this, so a 1 MB
    column name makes a one-line error, not a 1 MB one.
    """
    text = str(value)
    if len(text) <= limit:
        return repr(text)
    return repr(text[:limit]) + f"... ({len(text):,} characters)"
