"""The app's whole state <-> a flat dict of strings for ``st.query_params`` (pure functions).

A copied URL reproduces the analysis: dataset, columns, interventions with their kinds, model
options, and the claim being checked. Reading never raises: a parameter that cannot be used
gives a warning (plain text, safe to show) and its default, so a mistyped or hostile link opens
the app with defaults rather than an error page.

URL format (every value one string; parameters at their default are left out):

=========  =======================================================  =======================
param      meaning                                                  example
=========  =======================================================  =======================
page       page to open: check, explore, robustness, data,          ``page=explore``
           methods, ingest (the page's own URL path also works)
ds         catalogue dataset name                                   ``ds=sicily``
time       time column (``YEAR,MONTH`` for two columns)             ``time=month_start``
value      outcome column                                           ``value=aces``
group      long data: the group column                              ``group=state``
treated    long data: the treated group                             ``treated=California``
control    control series column                                    ``control=other``
offset     exposure column (count families)                         ``offset=stdpop``
cov        covariate columns, comma-joined                          ``cov=temp,rain``
iv         interventions, comma-joined, each as the CLI writes it:  ``iv=gec=2016-01-08,``
           ``LABEL=DATE[:level|:ramp=N|:until=DATE]``                ``wave=2015-04:level``
family     gaussian, poisson, quasipoisson, negbin                  ``family=quasipoisson``
log        1 for gaussian on log(y)                                 ``log=1``
errors     ols, hac, model, ar:P                                    ``errors=ar:1``
season     none, month, dow, fourier:K                              ``season=fourier:2``
lags       Newey-West lags                                          ``lags=3``
model      segmented, sarimax, structural, structural-forecast      ``model=sarimax``
claim      id of a published claim (the Check page)                 ``claim=ap-45``
cs, ce     claim window start and end (YYYY, YYYY-MM, YYYY-MM-DD)   ``cs=2014-06&ce=2016-07``
cc         claimed change in percent                                ``cc=-45``
credit     label or catalogue key of the credited intervention      ``credit=gec``
up         an uploaded file's name (never its contents)             ``up=visits.csv``
upsha      the uploaded file's sha256 (64 hex digits)               ``upsha=8b4ab9...``
uprows     the uploaded file's row count                            ``uprows=36``
upsheet    the workbook sheet read from the uploaded file           ``upsheet=Data``
v          the URL format's version (written whenever the URL       ``v=2``
           holds anything; links without it are version 1)
=========  =======================================================  =======================

An analysis of an uploaded file keeps the file's name, checksum and row count in the link, so
whoever opens it is asked for that file, and only a file with the same checksum restores it.

Version 1 links (before ``v=2``) wrote the "Check your own claim" inputs as ``own_ds``,
``own_value``, ``own_credit``, ``own_start``, ``own_end`` and ``own_claimed``; they are read as
``ds``, ``value``, ``credit``, ``cs``, ``ce`` and ``cc`` (the newer name wins when both are given).

List items (``iv``, ``cov``) are comma-joined; a comma or ``%`` inside an item (a column name
such as ``"deaths, all"``) is written ``%2C`` / ``%25`` first. Repeated parameters
(``iv=a=2016&iv=b=2017``, as ``st.query_params.get_all`` returns them) are read too. Parameters
this module does not know are ignored (other pages may add their own).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, fields, replace

from explorer.errors import SpecError
from explorer.spec import (
    FAMILIES,
    MODELS,
    ClaimSpec,
    Intervention,
    ItsSpec,
    parse_claimed_change,
    parse_date,
    parse_errors,
    parse_intervention,
    parse_seasonality,
)

PAGES = ("check", "explore", "robustness", "data", "methods", "ingest")
MAX_VALUE = 2000  # characters per parameter
MAX_ITEMS = 20  # interventions or covariates
_NAME_MAX = 200
_SAFE = re.compile(r"[^\w .:=,+\-/%]")
# Warnings are shown with st.warning (Markdown): no markup or link syntax may survive in them.
_PLAIN = re.compile(r"[^\w .,:;=+\-/%()'\"!?]")


@dataclass(frozen=True)
class AppState:
    """Everything a link restores. Column options are None when the dataset's defaults apply."""

    page: str | None = None
    dataset: str | None = None
    time: str | None = None
    value: str | None = None
    group: str | None = None
    treated: str | None = None
    control: str | None = None
    offset: str | None = None
    covariates: tuple[str, ...] = ()
    interventions: tuple[Intervention, ...] = ()
    family: str = "gaussian"
    log: bool = False
    errors: str = "auto"  # auto, ols, hac, model or ar:P
    seasonality: str = "none"  # none, month, dow or fourier:K
    hac_lags: int | None = None
    model: str = "segmented"
    claim: str | None = None
    claim_start: str | None = None
    claim_end: str | None = None
    claimed_change: float | None = None
    credit: str | None = None
    upload_name: str | None = None
    upload_sha: str | None = None
    upload_rows: int | None = None
    upload_sheet: str | None = None

    @property
    def source(self) -> str:
        """``upload`` when the analysis is of an uploaded file, else ``dataset``."""
        return "upload" if self.upload_sha else "dataset"


VERSION = 2
DEFAULT = AppState()
# Every parameter the URL format above defines, in its table's order.
PARAMS = (
    "page",
    "ds",
    "time",
    "value",
    "group",
    "treated",
    "control",
    "offset",
    "cov",
    "iv",
    "family",
    "log",
    "errors",
    "season",
    "lags",
    "model",
    "claim",
    "cs",
    "ce",
    "cc",
    "credit",
    "up",
    "upsha",
    "uprows",
    "upsheet",
    "v",
)
# Version 1 names of the own-claim inputs -> today's parameters.
LEGACY = {
    "own_ds": "ds",
    "own_value": "value",
    "own_credit": "credit",
    "own_start": "cs",
    "own_end": "ce",
    "own_claimed": "cc",
}
_SHA = re.compile(r"[0-9a-f]{64}")
_COLUMNS = {
    "ds": "dataset",
    "time": "time",
    "value": "value",
    "group": "group",
    "treated": "treated",
    "control": "control",
    "offset": "offset",
    "claim": "claim",
    "credit": "credit",
}


# -- writing ----------------------------------------------------------------------------------


def _quote_item(s: str) -> str:
    return str(s).replace("%", "%25").replace(",", "%2C")


def _unquote_item(s: str) -> str:
    return s.replace("%2C", ",").replace("%2c", ",").replace("%25", "%")


def to_query(state: AppState) -> dict[str, str]:
    """The state as a flat dict of strings, defaults left out (compact URLs).

    Examples
    --------
    >>> s = AppState(dataset="sicily", interventions=(Intervention("ban", "2005-01", "level"),))
    >>> to_query(s)
    {'ds': 'sicily', 'iv': 'ban=2005-01:level'}
    """
    q: dict[str, str] = {}
    if state.page:
        q["page"] = state.page
    for param, attr in _COLUMNS.items():
        v = getattr(state, attr)
        if v:
            q[param] = str(v)
    if state.covariates:
        q["cov"] = ",".join(_quote_item(c) for c in state.covariates)
    if state.interventions:
        q["iv"] = ",".join(iv.to_text() for iv in state.interventions)
    if state.family != DEFAULT.family:
        q["family"] = state.family
    if state.log:
        q["log"] = "1"
    if state.errors not in ("auto", "", None):
        q["errors"] = state.errors
    if state.seasonality != "none":
        q["season"] = state.seasonality
    if state.hac_lags is not None:
        q["lags"] = str(int(state.hac_lags))
    if state.model != DEFAULT.model:
        q["model"] = state.model
    if state.claim_start:
        q["cs"] = state.claim_start
    if state.claim_end:
        q["ce"] = state.claim_end
    if state.claimed_change is not None:
        q["cc"] = f"{state.claimed_change:g}"
    if state.upload_sha:
        q["upsha"] = state.upload_sha
        if state.upload_name:
            q["up"] = state.upload_name
        if state.upload_rows is not None:
            q["uprows"] = str(int(state.upload_rows))
        if state.upload_sheet:
            q["upsheet"] = state.upload_sheet
        q.pop("ds", None)  # the upload is the data
    if q:
        q["v"] = str(VERSION)
    return q


# -- reading ----------------------------------------------------------------------------------


def _show(value: str) -> str:
    """A parameter value safe to echo in a warning (no markup survives), shortened."""
    s = _SAFE.sub("?", str(value))
    return repr(s if len(s) <= 40 else s[:37] + "...")


def column_warnings(requested: Mapping, available: Mapping, used: Mapping) -> list[str]:
    """Plain-text warnings for the link's ``time``/``value`` columns that the data lack.

    ``requested`` maps a parameter to the link's column (or None), ``available`` to the columns
    that control offers, ``used`` to the column the page chose instead.

    >>> column_warnings({"value": "deaths"}, {"value": ["count"]}, {"value": "count"})
    ["The link's value column 'deaths' is not in this data; 'count' is shown instead (choose another under 'Value column')."]
    """
    label = {"time": "Time column", "value": "Value column"}
    out = []
    for key, col in requested.items():
        have = available.get(key, ())
        if not col or col in have or (key == "time" and all(c in have for c in col.split(","))):
            continue
        out.append(
            f"The link's {key} column {_show(col)} is not in this data; {_show(used.get(key))} "
            f"is shown instead (choose another under {label.get(key, key)!r})."
        )
    return [_PLAIN.sub("?", w) for w in out]


def _values(params: Mapping, key: str) -> list[str]:
    """Every value of ``key``: a string, or a list of them (repeated parameters)."""
    v = params.get(key)
    if v is None:
        return []
    if isinstance(v, list | tuple):
        return [str(x) for x in v]
    return [str(v)]


def _one(params: Mapping, key: str, warnings: list[str]) -> str | None:
    vals = [v for v in _values(params, key) if v != ""]
    if not vals:
        return None
    v = vals[-1]
    if len(v) > MAX_VALUE:
        warnings.append(f"The link's {key} is too long ({len(v)} characters) and was ignored.")
        return None
    return v


def _name(params, key, warnings) -> str | None:
    v = _one(params, key, warnings)
    if v is None:
        return None
    if len(v) > _NAME_MAX or any(ord(ch) < 32 for ch in v):
        warnings.append(f"The link's {key}={_show(v)} is not a usable name and was ignored.")
        return None
    return v


def _items(params, key, warnings) -> list[str]:
    items = []
    for v in _values(params, key):
        if len(v) > MAX_VALUE:
            warnings.append(f"The link's {key} is too long ({len(v)} characters) and was ignored.")
            continue
        items += [_unquote_item(x).strip() for x in v.split(",") if x.strip()]
    if len(items) > MAX_ITEMS:
        warnings.append(
            f"The link lists {len(items)} {key} values; only the first {MAX_ITEMS} were used."
        )
        items = items[:MAX_ITEMS]
    return items


def _interventions(params, warnings, resolve) -> tuple[Intervention, ...]:
    ivs: list[Intervention] = []
    for text in _items(params, "iv", warnings):
        try:
            iv = parse_intervention(text, resolve=resolve)
        except SpecError as exc:
            warnings.append(f"The link's intervention {_show(text)} was ignored: {exc}")
            continue
        except Exception:  # noqa: BLE001 - a resolver's own failure: still only a warning
            warnings.append(
                f"The link's intervention {_show(text)} could not be read and was ignored."
            )
            continue
        if any(x.label == iv.label for x in ivs):
            warnings.append(
                f"The link names intervention {_show(iv.label)} twice; the first was kept."
            )
            continue
        ivs.append(iv)
    return tuple(ivs)


def _choice(params, key, allowed, default, warnings):
    v = _one(params, key, warnings)
    if v is None:
        return default
    if v not in allowed:
        warnings.append(
            f"The link's {key}={_show(v)} is not one of {', '.join(allowed)}; using {default}."
        )
        return default
    return v


def _parsed(params, key, parse, default, warnings, what):
    v = _one(params, key, warnings)
    if v is None:
        return default
    try:
        return parse(v)
    except SpecError as exc:
        warnings.append(f"The link's {what} {_show(v)} was ignored: {exc}")
        return default


def _lags(text: str) -> int:
    if not re.fullmatch(r"\d{1,3}", text.strip()):
        raise SpecError("give a whole number of lags from 0 to 999.")
    return int(text)


def _errors_text(text: str) -> str:
    kind, order = parse_errors(text)
    return "auto" if kind is None else f"ar:{order}" if kind == "ar" else kind


def _season_text(text: str) -> str:
    kind, k = parse_seasonality(text)
    if kind == "fourier" and k > 26:
        raise SpecError("at most fourier:26 (weekly data) is meaningful.")
    return f"fourier:{k}" if kind == "fourier" else kind


def _date_text(text: str) -> str:
    parse_date(text)
    return text.strip()


def _change(text: str) -> float:
    v = parse_claimed_change(text)
    if v is None or not math.isfinite(v) or abs(v) > 1e6:
        raise SpecError("give the claimed change in percent, e.g. -45.")
    return v


def from_query(
    params: Mapping,
    *,
    datasets: Collection[str] | None = None,
    resolve: Callable[[str], tuple[str, str]] | None = None,
) -> tuple[AppState, list[str]]:
    """Read the state from URL parameters; never raises.

    Parameters
    ----------
    params
        ``st.query_params`` or a dict of strings (or of lists of strings for repeated keys,
        e.g. ``{k: st.query_params.get_all(k) for k in st.query_params}``).
    datasets
        Known dataset names; an unknown ``ds`` then warns and is dropped.
    resolve
        Maps a catalogue key (``iv=gec``) to ``(label, date)``; without it an intervention
        needs ``LABEL=DATE``.

    Returns
    -------
    (AppState, list of str)
        The state, and one plain-text warning per parameter that was replaced by its default.

    Examples
    --------
    >>> state, warnings = from_query({"family": "quasipoisson", "iv": "ban=2005-01:level"})
    >>> state.family, state.interventions[0].kind, warnings
    ('quasipoisson', 'level', [])
    >>> print(from_query({"family": "binomial"})[1][0])
    The link's family='binomial' is not one of gaussian, poisson, quasipoisson, negbin; using gaussian.
    """
    warnings: list[str] = []
    try:
        state = _read(params, warnings, datasets, resolve)
    except Exception:  # noqa: BLE001 - the promise is "warnings and defaults, never a crash"
        warnings.append("The link's settings could not be read; the defaults are shown.")
        state = DEFAULT
    return state, [_PLAIN.sub("?", w) for w in warnings]


def _read(params, warnings, datasets, resolve) -> AppState:
    if not isinstance(params, Mapping):
        params = dict(params or {})
    if any(k in params for k in LEGACY):
        params = dict(params)
        for old, new in LEGACY.items():
            if old in params and not _values(params, new):
                params[new] = params[old]
    kw: dict = {}
    page = _one(params, "page", warnings)
    if page is not None:
        if page in PAGES:
            kw["page"] = page
        else:
            warnings.append(f"The link's page={_show(page)} is unknown; opening the first page.")
    for param, attr in _COLUMNS.items():
        kw[attr] = _name(params, param, warnings)
    if kw["dataset"] is not None and datasets is not None and kw["dataset"] not in datasets:
        warnings.append(
            f"The link's dataset {_show(kw['dataset'])} is not in the catalogue and was ignored."
        )
        kw["dataset"] = None
    cov = []
    for c in _items(params, "cov", warnings):
        if len(c) > _NAME_MAX or any(ord(ch) < 32 for ch in c):
            warnings.append(f"The link's covariate {_show(c)} is not a usable column name.")
        elif c not in cov:
            cov.append(c)
    kw["covariates"] = tuple(cov)
    kw["interventions"] = _interventions(params, warnings, resolve)
    kw["family"] = _choice(params, "family", FAMILIES, DEFAULT.family, warnings)
    kw["model"] = _choice(params, "model", MODELS, DEFAULT.model, warnings)
    log = _one(params, "log", warnings)
    if log is not None:
        if log.lower() in ("1", "true", "yes", "0", "false", "no"):
            kw["log"] = log.lower() in ("1", "true", "yes")
        else:
            warnings.append(f"The link's log={_show(log)} should be 1 or 0; using 0.")
    kw["errors"] = _parsed(params, "errors", _errors_text, "auto", warnings, "errors")
    kw["seasonality"] = _parsed(params, "season", _season_text, "none", warnings, "seasonality")
    kw["hac_lags"] = _parsed(params, "lags", _lags, None, warnings, "lags")
    kw["claim_start"] = _parsed(params, "cs", _date_text, None, warnings, "claim start")
    kw["claim_end"] = _parsed(params, "ce", _date_text, None, warnings, "claim end")
    if kw["claim_start"] and kw["claim_end"]:
        try:
            ClaimSpec(kw["claim_start"], kw["claim_end"])
        except SpecError as exc:
            warnings.append(f"The link's claim window was ignored: {exc}")
            kw["claim_start"] = kw["claim_end"] = None
    kw["claimed_change"] = _parsed(params, "cc", _change, None, warnings, "claimed change")
    kw.update(_upload(params, warnings))
    if kw.get("upload_sha"):
        kw["dataset"] = None
    return _consistent(AppState(**kw), warnings)


def _upload(params, warnings) -> dict:
    """The uploaded file a link names: its checksum (required), name and row count."""
    sha = _one(params, "upsha", warnings)
    name = _name(params, "up", warnings)
    rows = _one(params, "uprows", warnings)
    if sha is None:
        if name is not None or rows is not None:
            warnings.append("The link names an uploaded file but not its checksum (upsha).")
        return {}
    sha = sha.strip().lower()
    if not _SHA.fullmatch(sha):
        warnings.append(
            f"The link's upsha={_show(sha)} is not a sha256 checksum (64 hex digits); "
            "the uploaded file it names was ignored."
        )
        return {}
    out = {
        "upload_sha": sha,
        "upload_name": name,
        "upload_sheet": _name(params, "upsheet", warnings),
    }
    if rows is not None:
        if re.fullmatch(r"\d{1,12}", rows.strip()):
            out["upload_rows"] = int(rows)
        else:
            warnings.append(f"The link's uprows={_show(rows)} is not a row count; it was ignored.")
    return out


_MODEL_FIELDS = ("family", "log", "errors", "seasonality", "hac_lags", "model")
_DATA_FIELDS = ("group", "treated", "control", "offset", "covariates")


def _consistent(state: AppState, warnings: list[str]) -> AppState:
    """Options that are each valid but impossible together: fall back step by step."""
    for reset, what in (
        (None, None),
        (_MODEL_FIELDS, "model options"),
        (_DATA_FIELDS, "column options"),
        (("interventions",), "interventions"),
    ):
        if reset:
            state = replace(state, **{f: getattr(DEFAULT, f) for f in reset})
        try:
            to_spec(state, time=state.time or "time", value=state.value or "value")
        except SpecError as exc:
            if reset is None:
                warnings.append(f"The link's settings do not fit together ({exc}).")
            continue
        if what:
            warnings.append(f"The link's {what} were reset to their defaults.")
        return state
    return DEFAULT


# -- state <-> spec ---------------------------------------------------------------------------


def to_spec(state: AppState, *, time: str | None = None, value: str | None = None) -> ItsSpec:
    """The ``ItsSpec`` a state describes (``time``/``value`` fill in the dataset's defaults).

    Raises
    ------
    SpecError
        The options do not fit together, or no time/value column is known.
    """
    t, v = state.time or time, state.value or value
    if not t or not v:
        raise SpecError("Say which columns hold the dates and the values (time and value).")
    errors, ar_order = parse_errors(state.errors)
    season, k = parse_seasonality(state.seasonality)
    return ItsSpec(
        time=t,
        value=v,
        interventions=state.interventions,
        group=state.group,
        treated=state.treated,
        control=state.control,
        offset=state.offset,
        covariates=state.covariates,
        family=state.family,
        log=state.log,
        errors=errors,
        ar_order=ar_order,
        hac_lags=state.hac_lags,
        seasonality=season,
        fourier_k=k,
        model=state.model,
    )


def from_spec(spec: ItsSpec, **others) -> AppState:
    """The state for a spec, plus ``others`` (page, dataset, claim fields)."""
    errors = (
        "auto"
        if spec.errors is None
        else f"ar:{spec.ar_order}"
        if spec.errors == "ar"
        else spec.errors
    )
    kw = dict(
        time=spec.time,
        value=spec.value,
        group=spec.group,
        treated=spec.treated,
        control=spec.control,
        offset=spec.offset,
        covariates=tuple(spec.covariates),
        interventions=tuple(spec.interventions),
        family=spec.family,
        log=spec.log,
        errors=errors,
        seasonality=spec.seasonality_text,
        hac_lags=spec.hac_lags,
        model=spec.model,
    )
    known = {f.name for f in fields(AppState)}
    kw.update({k: v for k, v in others.items() if k in known})
    return AppState(**kw)
