"""From the app state to a fit: the data it names, its columns filled in, every problem at once.

``resolve`` fills what the state leaves to the data (time, value, treated group; the dataset's
presets; interventions that fall inside a newly picked dataset) and returns the state the page
then stores, so each control shows exactly what is fitted. ``build`` turns the state into the
frozen ``ItsSpec`` and lists every problem of the setup, each naming the control to change, in
the app's words. Errors "auto" are the app's own default: AR(1) by REML for gaussian segmented
fits (the coverage study's choice: 91% at n = 26 where Newey-West covered 76%), model-based for
counts, the model's own for state-space fits.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import pandas as pd
import streamlit as st

from app_pages._ui.words import FAMILY_WORDS, in_app_words, intervention_name
from explorer.errors import InputError
from explorer.urlstate import AppState

DEFAULT_DATASET = "scenarios"
DEFAULT_PRESETS = ("gec",)


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a setup: the control to change and what to do, in the app's words."""

    control: str
    message: str

    def text(self) -> str:
        return f"{self.control}: {self.message}"


# -- errors "auto" --------------------------------------------------------------------------------
def auto_errors(state: AppState) -> str:
    """What errors "auto" means here (``ols``/``hac``/``model``/``ar:P`` text, or the model's)."""
    if state.errors != "auto":
        return state.errors
    if state.model != "segmented":
        return "auto"  # state-space models use their own errors
    if state.family != "gaussian":
        return "model"
    if state.control or state.group:
        return "hac"  # the comparative design stacks two series: Newey-West, as itsa does
    return "ar:1"


def auto_note(state: AppState) -> str | None:
    """The sentence saying which errors "auto" picked and why (None when not auto)."""
    if state.errors != "auto":
        return None
    picked = auto_errors(state)
    why = {
        "ar:1": "AR(1) by REML, the method whose 95% intervals came closest to 95% in the "
        "project's coverage study (Methods)",
        "model": "model-based, the count family's own",
        "hac": "Newey-West (HAC), as Stata's itsa uses for comparative designs",
        "auto": "the state-space model's own",
    }[picked]
    return f"Errors auto: {why}."


# -- resolving the state against its data ------------------------------------------------------------
def infos_row(name: str | None) -> dict:
    from app_pages._ui.tables import _dataset_rows

    return _dataset_rows().get(name or "", {}) if name else {}


def numeric_columns(tbl, *, exclude=()) -> list[str]:
    f = tbl.frame
    return [c for c in f.columns if c not in exclude and pd.api.types.is_numeric_dtype(f[c])]


def resolve(state: AppState, tbl, events: pd.DataFrame) -> tuple[AppState, list[str]]:
    """The state with what it leaves to the data filled in; plain-text notes of what changed.

    Columns the data lack are replaced (the note says so); the interventions are fitted to the
    data once per new table (``fit_ivs_to_data``).
    """
    from explorer.urlstate import column_warnings

    notes: list[str] = []
    row = infos_row(state.dataset) if state.source == "dataset" else {}
    cols = [str(c) for c in tbl.frame.columns]
    kw: dict = {}
    if state.source == "dataset" and not state.dataset:
        kw["dataset"] = DEFAULT_DATASET
    time = state.time
    if not time or not all(c in cols for c in time.split(",")):
        time = tbl.time_column
    values = numeric_columns(tbl, exclude=(time,)) or [c for c in cols if c != time]
    value = state.value if state.value in values else None
    if value is None:
        dv = row.get("default_value")
        value = dv if dv in values else (values[0] if values else None)
    requested = {"time": state.time, "value": state.value}
    notes += column_warnings(
        requested, {"time": cols, "value": values}, {"time": time, "value": value}
    )
    kw.update(time=time, value=value)
    group = getattr(tbl, "group_column", None)
    kw["group"] = group
    if group:
        units = sorted(str(u) for u in tbl.frame[group].dropna().unique())
        treated = state.treated if state.treated in units else None
        if treated is None:
            dt = row.get("default_treated")
            treated = dt if dt in units else (units[0] if units else None)
            if state.treated:
                notes.append(
                    f"The treated group {state.treated[:40]!r} is not in these data; "
                    f"{str(treated)[:40]!r} is used (choose another under 'Treated')."
                )
        kw["treated"] = treated
    else:
        kw["treated"] = None
    usable = numeric_columns(tbl, exclude=(time, value, group))
    cov = tuple(c for c in state.covariates if c in usable)
    if cov != state.covariates:
        notes.append(
            "Covariates the data lack were dropped: "
            + ", ".join(repr(c[:40]) for c in state.covariates if c not in usable)
            + "."
        )
    kw["covariates"] = cov
    for name, what in (("control", "control series"), ("offset", "offset")):
        v = getattr(state, name)
        if v and v not in usable:
            notes.append(f"The {what} column {v[:40]!r} is not in these data and was dropped.")
            kw[name] = None
    new = replace(state, **kw)
    new = _preset_on_new_data(new)
    new = fit_ivs_to_data(new, tbl, events)
    placed = st.session_state.pop("app_placed_note", None)
    if placed:
        notes.append(placed)
    return new, notes


def _preset_on_new_data(state: AppState) -> AppState:
    """A dataset whose paper's method is its preset (Prop 99: Newey-West lag 1) opens with it
    when the errors were left at auto, also from a link that names only the dataset; picking
    the dataset in the box does the same (``uploads.preset_method``)."""
    data_key = _data_key(state)
    if st.session_state.get("app_preset_for") == data_key:
        return state
    st.session_state["app_preset_for"] = data_key
    row = infos_row(state.dataset) if state.source == "dataset" else {}
    errors = row.get("default_errors")
    if not isinstance(errors, str) or not errors or state.errors != "auto" or state.hac_lags:
        return state
    lags = row.get("default_hac_lags")
    return replace(state, errors=errors, hac_lags=None if pd.isna(lags) else int(lags))


def _data_key(state: AppState) -> str:
    if state.upload_sha:
        return f"{state.upload_sha}|{state.upload_sheet or ''}"
    return state.dataset or DEFAULT_DATASET


def default_ivs(events: pd.DataFrame) -> tuple:
    from explorer.spec import Intervention

    out = []
    for key in DEFAULT_PRESETS:
        hit = events.loc[events["key"] == key]
        if not hit.empty:
            out.append(Intervention(key, pd.Timestamp(hit.iloc[0]["date"]).strftime("%Y-%m-%d")))
    return tuple(out)


def fit_ivs_to_data(state: AppState, tbl, events: pd.DataFrame) -> AppState:
    """When the data change, keep the interventions that fall inside them; if none does, use
    the dataset's own documented intervention (Sicily's ban, Prop 99) or the GEC if it falls
    inside, so a newly picked dataset opens on a fit rather than an out-of-range error. A link's
    interventions (the session's first data) are kept exactly."""
    data_key = _data_key(state)
    seen = st.session_state.get("app_ivs_for")
    if seen == data_key:
        return state
    st.session_state["app_ivs_for"] = data_key
    if seen is None and state.interventions:
        return state  # the URL (or another page) set them: respect them exactly
    dates = pd.DatetimeIndex(pd.to_datetime(tbl.frame[tbl.time_column], errors="coerce").dropna())
    if dates.empty:
        return state
    lo, hi = dates.min(), dates.max()
    ivs = tuple(
        iv for iv in (state.interventions or default_ivs(events)) if lo < iv.timestamp <= hi
    )
    if not ivs:
        text = infos_row(state.dataset).get("default_intervention") if state.dataset else None
        if isinstance(text, str) and text:
            from explorer.spec import parse_intervention

            ivs = (parse_intervention(text),)
    if not ivs:
        # No catalogue event inside these data: one intervention at the middle period, named
        # so that nobody takes it for a real event, to move to the date to test.
        from explorer.periods import to_period_start
        from explorer.spec import Intervention

        periods = to_period_start(pd.DatetimeIndex(dates.unique()).sort_values(), tbl.freq).unique()
        if len(periods) >= 6:
            mid = pd.Timestamp(periods[len(periods) // 2]).strftime("%Y-%m-%d")
            ivs = (Intervention("event1", mid),)
            st.session_state["app_placed_note"] = (
                f"No catalogue event falls inside these data, so an intervention event1 was "
                f"placed at the middle period ({mid}): move it to the date you want to test."
            )
    rekey_editor()
    return replace(state, interventions=ivs)


def rekey_editor() -> None:
    """A new key for the interventions table: its next state starts from the state, clean."""
    st.session_state["xp_editor_version"] = st.session_state.get("xp_editor_version", 0) + 1


# -- the spec and every problem of the setup -------------------------------------------------------------
def build(state: AppState, tbl, periods, freq: str, names: dict | None = None):
    """(ItsSpec or None, list of Problem): every problem at once, each naming its control."""
    from explorer.errors import SpecError
    from explorer.urlstate import to_spec

    problems: list[Problem] = []
    fam = FAMILY_WORDS.get(state.family, state.family)
    counts = state.family != "gaussian"
    if not state.time or not state.value:
        problems.append(Problem("Value column", "these data have no numeric column to analyse."))
    if not state.interventions:
        problems.append(
            Problem(
                "Interventions",
                "add at least one (pick events from the catalogue, or Add an intervention).",
            )
        )
    problems += _date_problems(state, periods, freq, names)
    if state.log and counts:
        problems.append(
            Problem(
                "Log scale",
                f"applies to the gaussian family only; the {fam} family "
                "already models log(mean). Untick Log scale, or choose Family: gaussian.",
            )
        )
    errors = auto_errors(state)
    if counts and errors in ("ols",) or counts and errors.startswith("ar:"):
        problems.append(
            Problem(
                "Errors",
                f"{errors} is not available for the {fam} family: count models use "
                "model-based or Newey-West errors. Choose Errors: auto.",
            )
        )
    if state.offset and not counts:
        problems.append(
            Problem(
                "Offset (exposure)",
                "applies to count families: choose Family: Poisson, "
                "quasi-Poisson or negative binomial, or set Offset to none.",
            )
        )
    if state.model != "segmented" and counts:
        problems.append(
            Problem(
                "Model",
                f"{state.model} is a gaussian model: choose Family: gaussian (tick "
                "Log scale for counts), or Model: segmented regression.",
            )
        )
    if state.value and state.value in tbl.frame.columns:
        y = pd.to_numeric(tbl.frame[state.value], errors="coerce")
        if state.log and (y <= 0).any():
            problems.append(
                Problem(
                    "Log scale",
                    f"needs positive values, but {int((y <= 0).sum())} are zero "
                    "or negative: untick Log scale, or choose Family: Poisson.",
                )
            )
        if counts and (y < 0).any():
            problems.append(
                Problem(
                    "Family",
                    f"{fam} models counts, but {int((y < 0).sum())} values are "
                    "negative: choose Family: gaussian.",
                )
            )
    if problems:
        return None, problems
    try:
        spec = to_spec(replace(state, errors=errors))  # "auto" errors as the app means them
    except SpecError as exc:
        return None, [Problem("Model", in_app_words(str(exc)))]
    return spec, []


def _date_problems(state, periods, freq, names) -> list[Problem]:
    from explorer.periods import display_format, first_treated_ordinal, period_ordinal

    if len(periods) == 0:
        return []
    out = []
    fmt = display_format(freq)
    first_o = int(period_ordinal([periods[0]], freq)[0])
    last_o = int(period_ordinal([periods[-1]], freq)[0])
    for iv in state.interventions:
        o = int(first_treated_ordinal(iv.timestamp, freq))
        name = intervention_name(iv.label, names)
        if o <= first_o:
            out.append(
                Problem(
                    "Interventions",
                    f"{name} ({iv.date}) is at or before the data's first "
                    f"period ({periods[0].strftime(fmt)}), so there is no before: move its "
                    "date later, or drop it.",
                )
            )
        elif o > last_o:
            out.append(
                Problem(
                    "Interventions",
                    f"{name} ({iv.date}) is after the data's last period "
                    f"({periods[-1].strftime(fmt)}): move its date inside the data, or drop it.",
                )
            )
    return out


def fit_problem(exc: Exception) -> Problem:
    """A fit's own refusal (an InputError from the core), in the app's words."""
    if isinstance(exc, InputError):
        return Problem("Model", in_app_words(str(exc)))
    return Problem("Model", "the model could not be fitted: " + in_app_words(str(exc)))


# -- the current analysis, as every page reads it ----------------------------------------------------
@dataclass(frozen=True)
class Current:
    """The state resolved against its data: what a page fits and shows."""

    state: AppState
    source: str | None
    key: str | None
    tbl: object
    spec: object
    problems: tuple[Problem, ...]
    notes: tuple[str, ...] = ()
    periods: object = None

    @property
    def ready(self) -> bool:
        return self.spec is not None and not self.problems


def event_names(events: pd.DataFrame) -> dict[str, str]:
    return dict(zip(events["key"], events["label"], strict=False))


def current(events: pd.DataFrame) -> Current:
    """The session's analysis resolved against its data (stored back, so every control shows
    what is fitted); problems listed, not raised."""
    from app_pages._ui import state as app_state
    from app_pages._ui.tables import dataset_sha, table
    from app_pages._ui.uploads import missing_upload_text, state_upload_key, uploaded

    state = app_state.current()
    if state.source == "upload":
        up = uploaded(state_upload_key(state))
        if up is None:
            return Current(
                state, None, None, None, None, (Problem("Data", missing_upload_text(state)),)
            )
        source, key, tbl = "upload", state_upload_key(state), up.table
    else:
        key = state.dataset if infos_row(state.dataset) else DEFAULT_DATASET
        if state.dataset and key != state.dataset:
            state = app_state.update(dataset=key)
        source, tbl = "dataset", table(key, dataset_sha(key))
    memo = st.session_state.get("app_current")
    if memo is not None and memo[0] == (state, key, tbl.sha256):
        return memo[1]  # the same state and data as a moment ago (the fragment below the page)
    new, notes = resolve(state, tbl, events)
    if new != state:
        app_state.put(new)
    periods = periods_of(tbl, new.time)
    spec, problems = build(new, tbl, periods, tbl.freq, event_names(events))
    cur = Current(new, source, key, tbl, spec, tuple(problems), tuple(notes), periods)
    # The notes are said once; a second look at the same resolved state has none to say.
    st.session_state["app_current"] = ((new, key, tbl.sha256), replace(cur, notes=()))
    return cur


def periods_of(tbl, time: str) -> pd.DatetimeIndex:
    from explorer.periods import to_period_start

    if not time or time not in tbl.frame.columns:
        time = tbl.time_column
    d = pd.to_datetime(tbl.frame[time], errors="coerce").dropna().unique()
    return to_period_start(pd.DatetimeIndex(d).sort_values(), tbl.freq).unique()
