"""The app's own words: controls' option labels, intervention names, and core messages with the
CLI's flags replaced by the controls that do the same thing.

The core's messages speak the CLI (``--family quasipoisson``, ``Drop --log``, ``(:level)``), which
is right on a terminal; in the app a message names the control beside it (``Family:
quasi-Poisson``, ``untick Log scale``, ``Kind: level only``). ``in_app_words`` makes that
translation; a test runs it over every string literal in ``explorer/`` that names a flag.
"""

from __future__ import annotations

import re

FAMILY_WORDS = {
    "gaussian": "gaussian",
    "poisson": "Poisson",
    "quasipoisson": "quasi-Poisson",
    "negbin": "negative binomial",
}
ERRORS_WORDS = {
    "auto": "auto",
    "ols": "OLS",
    "hac": "Newey-West (HAC)",
    "ar:1": "AR(1) by REML",
    "ar:2": "AR(2) by REML",
    "model": "model-based",
}
SEASON_WORDS = {
    "none": "none",
    "month": "month of year",
    "dow": "day of week",
    "fourier:1": "Fourier, 1 pair",
    "fourier:2": "Fourier, 2 pairs",
    "fourier:3": "Fourier, 3 pairs",
}
MODEL_WORDS = {
    "segmented": "segmented regression",
    "sarimax": "SARIMAX",
    "structural": "structural (local level)",
    "structural-forecast": "structural forecast",
}
KIND_WORDS = {
    "level_slope": "level + slope",
    "level": "level only",
    "ramp": "ramp",
    "temporary": "temporary",
}
KIND_CODES = {v: k for k, v in KIND_WORDS.items()}


def _family(m: re.Match) -> str:
    names = [FAMILY_WORDS.get(x, x) for x in m.group(1).split("/")]
    return "Family: " + " or ".join(names)


def _errors(m: re.Match) -> str:
    return "Errors: " + ERRORS_WORDS.get(m.group(1), m.group(1))


_RULES: tuple[tuple[re.Pattern, object], ...] = tuple(
    (re.compile(p), r)
    for p, r in (
        # A note for command-line readers is not for the app's (the app's words come first).
        (r"\s*\(on the command line, [^)]*\)", ""),
        (r"--family gaussian --log", "Family: gaussian with Log scale ticked"),
        (r"--family quasipoisson or negbin", "Family: quasi-Poisson or negative binomial"),
        (r"--family ([a-z/]+)", _family),
        (r"[Dd]rop --log", "untick Log scale"),
        (r"--log", "Log scale"),
        (r"--errors (ar:\d|hac|model|ols)", _errors),
        (r"--hac-lags", "Newey-West lags"),
        (r"--no-slope-change", "Kind: level only"),
        (r"--effect-kind level", "Kind: level only"),
        (r"\(:level\)", "(Kind: level only)"),
        (r"--treated VALUE", "Treated group"),
        (r"--treated", "Treated group"),
        (r"--group COL", "the group column"),
        (r"--group", "the group column"),
        (r"--control COL", "Control series"),
        (r"--control", "Control series"),
        (r"--covariate COL", "Covariates"),
        (r"--covariate", "Covariates"),
        (r"--offset", "Offset (exposure)"),
        (r"--seasonality (\w+)", lambda m: "Seasonality: " + SEASON_WORDS.get(m[1], m[1])),
        (r"--model (\S+)", lambda m: "Model: " + MODEL_WORDS.get(m[1], m[1])),
        (r"--model", "Model"),
        (r"--intervention( gec)?", "Interventions"),
        (r"--claim-start", "Claim window start"),
        (r"--claim-end", "Claim window end"),
        (r"--credit", "Credited intervention"),
        (r"--sheet", "the sheet (move the data to the workbook's first sheet)"),
        (r"--time-format", "a date format (write the dates as YYYY-MM-DD)"),
        (r"--max-breaks", "the number of breaks"),
        (r"--trim", "the trimming"),
        (r"--window", "the window"),
        (r"--reps", "the number of simulations"),
        (r"--freq W", "weekly periods"),
        (r"--format (fifthtribe|generic)", r"Layout: \1"),
        (r"--map( \w+)?", "the column mapping"),
        (r"--memory-limit", "the memory limit"),
        (r"--no-trend", "no trend"),
        (r"--sizes", "the sizes"),
        (r"--json", "JSON"),
        (r"--out", "the output file"),
        # CLI syntax for an intervention's options: the table's columns do it in the app.
        (r"e\.g\. [^\s=]+=[^\s:]+:ramp=\d+", "in the interventions table's ramp column"),
        (r"e\.g\. [^\s=]+=[^\s:]+:until=[\d-]+", "in the interventions table's until column"),
        (r"use :level, :ramp=N or :until=DATE", "choose a kind in the interventions table"),
        (r"ramp=3", "a ramp of 3 periods"),
        (r"--([a-z][\w-]*)", lambda m: m[1].replace("-", " ")),  # anything left: no dashes
    )
)


def in_app_words(text: str) -> str:
    """A core message with the CLI's flags replaced by the app's controls.

    >>> in_app_words("use --family quasipoisson or negbin.")
    'use Family: quasi-Poisson or negative binomial.'
    >>> in_app_words("Drop --log, or use --family gaussian --log.")
    'untick Log scale, or use Family: gaussian with Log scale ticked.'
    """
    out = str(text)
    for pattern, repl in _RULES:
        out = pattern.sub(repl, out)
    return out


def intervention_name(label: str, names: dict[str, str] | None = None) -> str:
    """An intervention's name for people: the events catalogue's label for a catalogue key
    (``gec`` -> ``GEC announced``), else the label as given."""
    if names and label in names:
        return str(names[label])
    return str(label)
