"""Cached calls into the core on hashable keys: series, fits, attributions, robustness, charts.

Caching follows Streamlit's guidance for larger apps: the wrappers take hashable arguments only
(a dataset name and checksum, a frozen ``ItsSpec``), never result objects. Fits are held with
``st.cache_resource`` (results are read-only and not worth pickling) with a bounded number of
entries so a long session cannot fill the server's memory. Heavy modules (statsmodels, kaleido)
are imported inside the functions so that the landing page's first paint never waits for them.
"""

from __future__ import annotations

import gc
import sys

import pandas as pd
import streamlit as st

from app_pages._ui.tables import claims, dataset_caveats, dataset_title, events, source_line
from app_pages._ui.uploads import get_table

# -- memory ------------------------------------------------------------------------------------
_FROZEN_AT = 0  # len(sys.modules) when the long-lived objects were last frozen


def freeze_long_lived(new_modules: int = 20) -> bool:
    """Move the objects alive now (imported libraries, caches) out of the cyclic collector's way.

    The server runs with ``runner.postScriptGC = false`` (a full ``gc.collect(2)`` after every
    run walked ~180k objects of pandas, statsmodels and plotly: ~0.1 s per rerun). Python's own
    collector still runs, and its occasional full pass over those objects landed in a reader's
    request (seen: a 145 ms pause). After a run that imported libraries, one collection and
    ``gc.freeze()`` put what is alive into the permanent generation, so later full passes only
    walk newer objects. It happens a few times per process (when ``new_modules`` or more modules
    appeared since the last time); objects frozen are still freed by reference counting.
    Returns True if it froze.
    """
    global _FROZEN_AT
    n = len(sys.modules)
    if n - _FROZEN_AT < new_modules:
        return False
    _FROZEN_AT = n
    gc.collect()
    gc.freeze()
    return True


@st.cache_resource(max_entries=64, show_spinner=False)
def series(source: str, key: str, spec):
    """The analysable series for a table and a frozen spec."""
    from explorer.io.series import series_from_spec

    return series_from_spec(get_table(source, key), spec)


def fit(source: str, key: str, spec):
    """``fit_its`` on (source, dataset name or upload checksum, frozen spec): prefetched or cached."""
    hit = PREFETCHED.get((source, key, spec))
    return hit[0] if hit is not None else _fit_cached(source, key, spec)


# The spinner shows only while a fit really runs (a miss); cached and prefetched fits draw
# nothing extra, which keeps a date step's redraw small.
@st.cache_resource(max_entries=64, show_spinner="Fitting the model...")
def _fit_cached(source: str, key: str, spec):
    """``fit_its`` cached on (source, dataset name or upload checksum, frozen spec)."""
    from explorer.models.fit import fit_its

    return fit_its(series(source, key, spec), spec)


@st.cache_resource(max_entries=64, show_spinner=False)
def attribution(source: str, key: str, spec, claim):
    """``attribute`` cached on the same key plus the frozen ``ClaimSpec``."""
    from explorer.attribution import attribute

    return attribute(fit(source, key, spec), claim)


# -- robustness (each cached on the same hashable key as the fit) -----------------------------
def sweep(source: str, key: str, spec, label: str):
    """Computed ahead (``prefetch_robustness``) or cached."""
    hit = AHEAD.get(("sweep", source, key, spec, label))
    return hit if hit is not None else _sweep(source, key, spec, label)


@st.cache_resource(max_entries=32, show_spinner=False)
def _sweep(source: str, key: str, spec, label: str):
    from explorer.robustness.sweep import sweep_dates

    return sweep_dates(series(source, key, spec), spec, label=label)


def placebos(source: str, key: str, spec, label: str):
    """Computed ahead (``prefetch_robustness``) or cached."""
    hit = AHEAD.get(("placebos", source, key, spec, label))
    return hit if hit is not None else _placebos(source, key, spec, label)


@st.cache_resource(max_entries=32, show_spinner=False)
def _placebos(source: str, key: str, spec, label: str):
    from explorer.robustness.placebo import placebo_in_time

    return placebo_in_time(series(source, key, spec), spec, label=label)


@st.cache_resource(max_entries=16, show_spinner=False)
def placebos_in_space(source: str, key: str, spec, label: str):
    from explorer.robustness.placebo import placebo_in_space

    return placebo_in_space(series(source, key, spec), spec, label=label)


@st.cache_resource(max_entries=16, show_spinner=False)
def spec_curve(source: str, key: str, spec, label: str):
    from explorer.robustness.curve import specification_curve

    return specification_curve(series(source, key, spec), spec, label=label)


def power(source: str, key: str, spec, label: str):
    """Computed ahead (``prefetch_robustness``) or cached."""
    hit = AHEAD.get(("power", source, key, spec, label))
    return hit if hit is not None else _power(source, key, spec, label)


@st.cache_resource(max_entries=32, show_spinner=False)
def _power(source: str, key: str, spec, label: str):
    """The power simulation; for AR errors it tests with Newey-West (``power_note`` says so)."""
    from explorer.robustness.power import power_analysis

    return power_analysis(series(source, key, spec), power_spec(spec), label=label, n_draws=500)


def power_spec(spec):
    """The spec the power simulation fits: AR(P) errors would need a REML fit per simulated
    series (minutes), so the simulation, whose noise is AR, tests with Newey-West instead."""
    from dataclasses import replace

    return replace(spec, errors="hac", ar_order=None) if spec.errors == "ar" else spec


def power_note(spec) -> str | None:
    if spec.errors != "ar":
        return None
    return (
        f"The fit uses AR({spec.ar_order}) errors; the power simulation tests each of its "
        "simulated series with Newey-West errors instead (a REML fit per simulated series "
        "would take minutes), so its power and size describe that test."
    )


def breaks(source: str, key: str, spec, max_breaks: int = 3):
    """Computed ahead (``prefetch_robustness``) or cached."""
    hit = AHEAD.get(("breaks", source, key, spec, max_breaks))
    return hit if hit is not None else _breaks(source, key, spec, max_breaks)


@st.cache_resource(max_entries=32, show_spinner=False)
def _breaks(source: str, key: str, spec, max_breaks: int = 3):
    """sup-F and Bai-Perron on the series' own trend model (no interventions)."""
    from explorer.robustness.breaks import find_breaks

    return find_breaks(
        series(source, key, spec), max_breaks=max_breaks, use_log=spec.scale == "log"
    )


def residuals(source: str, key: str, spec):
    """Computed ahead (``prefetch_robustness``) or cached."""
    hit = AHEAD.get(("residuals", source, key, spec, None))
    return hit if hit is not None else _residuals(source, key, spec)


@st.cache_resource(max_entries=32, show_spinner=False)
def _residuals(source: str, key: str, spec):
    """``diagnose`` on the cached fit: the residuals behind the ACF chart and its Ljung-Box line."""
    from explorer.robustness.residuals import diagnose

    return diagnose(series(source, key, spec), spec, result=fit(source, key, spec))


def its_chart(source: str, key: str, spec):
    """The ITS chart of a fit: prefetched (a neighbouring date) or built and cached."""
    hit = PREFETCHED.get((source, key, spec))
    return hit[1] if hit is not None else _its_chart_cached(source, key, spec)


PREFETCHED: dict = {}
# The Robustness page's results computed in the background after Explore fitted them (the
# page opened next finds them ready): (name, source, key, spec, label or argument) -> result.
AHEAD: dict = {}


def chart_text(title: str, source: str, spec, result, caveats: tuple[str, ...] = ()):
    """The ITS chart's words: the data's own caveats first (they travel with every image made
    from it), then the model's first caveat."""
    from explorer import charts

    return charts.ChartText(
        title=title,
        subtitle=spec_subtitle(spec, result),
        source=source,
        notes=tuple(caveats) + tuple(result.caveats[:1]),
    )


@st.cache_resource(max_entries=64, show_spinner=False)
def _its_chart_cached(source: str, key: str, spec):
    from explorer import charts

    result = fit(source, key, spec)
    words = (dataset_title(source, key), source_line(source, key))
    caveats = dataset_caveats(source, key)
    return charts.its_chart(
        result, text=chart_text(*words, spec, result, caveats), names=event_names()
    )


def event_names() -> dict[str, str]:
    """Catalogue key -> the event's name (``gec`` -> ``GEC announced``)."""
    ev = events()
    return dict(zip(ev["key"], ev["label"], strict=False))


def with_names(text: str, names: dict[str, str]) -> str:
    """A core sentence with intervention keys in their catalogue names ("After gec (2016-01)"
    -> "After GEC announced (2016-01)"); only whole keys followed by " (" or in quotes."""
    import re

    for key, name in names.items():
        text = re.sub(rf"(?<![\w']){re.escape(key)}(?= \()", name, text)
        text = text.replace(f"'{key}'", f"'{name}'")
    return text


@st.cache_resource(max_entries=64, show_spinner=False)
def timeline(claim_id: str, credit: str | None):
    """A claim's window against the events catalogue (the landing page's first chart)."""
    from explorer import charts
    from explorer.catalog.record import statuses

    claim = claims().set_index("claim_id").loc[claim_id]
    start, end = pd.Timestamp(claim["period_start"]), pd.Timestamp(claim["period_end"])
    # Both labels, never "(Verified)": that was about the quotation, not the drop.
    both = statuses(claim_id)
    return charts.events_timeline(
        events(),
        window=(start, end),
        credit=credit,
        span=(start - pd.DateOffset(months=5), end + pd.DateOffset(months=3)),
        text=charts.ChartText(
            title=f"{claim_id}: the claim's window against the events",
            subtitle=(
                f"{claim['quantity']}. {both['reported_as_stated']['label']}; "
                f"{both['checkable']['label'].lower()}"
            ),
            source=f"{claim['source_publisher']}; events catalogue",
        ),
    )


def spec_subtitle(spec, result) -> str:
    from app_pages._ui.words import ERRORS_WORDS, FAMILY_WORDS, MODEL_WORDS

    fam = FAMILY_WORDS.get(spec.family, spec.family) + (" on log scale" if spec.log else "")
    model = MODEL_WORDS.get(spec.model, spec.model)
    errors = ERRORS_WORDS.get(result.errors_used, result.errors_used)
    return f"{model}, {fam}, errors {errors}"
