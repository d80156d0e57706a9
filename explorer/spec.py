"""Frozen, hashable analysis specifications.

An ``ItsSpec`` says everything needed to reproduce a fit: which columns, which interventions (and
what kind of change each may make), the family, the errors, seasonality, covariates, control and
model. It is hashable so the app can cache fits on ``(dataset checksum, spec)``; it round-trips
through plain dicts (``to_dict`` / ``from_dict``) for JSON output and URL state.

Dates are kept as the strings the user gave (``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``) so the spec
prints back exactly as typed; ``Intervention.timestamp`` gives the parsed date.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace

import pandas as pd

from explorer.errors import SpecError

FAMILIES = ("gaussian", "poisson", "quasipoisson", "negbin")
COUNT_FAMILIES = ("poisson", "quasipoisson", "negbin")
MODELS = ("segmented", "sarimax", "structural", "structural-forecast")
KINDS = ("level_slope", "level", "ramp", "temporary")

_DATE_RE = re.compile(r"^\d{4}(-\d{1,2}(-\d{1,2})?)?$")
_LABEL_RE = re.compile(r"^[\w .&()'/+-]{1,60}$", re.UNICODE)


def parse_date(text: str, *, what: str = "date") -> pd.Timestamp:
    """Parse ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` into a Timestamp (the first day it names).

    Raises
    ------
    SpecError
        If the text is not one of those forms or is not a real calendar date.
    """
    s = str(text).strip()
    if not _DATE_RE.match(s):
        raise SpecError(
            f"The {what} {s!r} is not a date this explorer reads: write it as YYYY, YYYY-MM or "
            "YYYY-MM-DD (for example 2016-01 or 2016-01-08)."
        )
    parts = [int(p) for p in s.split("-")]
    while len(parts) < 3:
        parts.append(1)
    try:
        return pd.Timestamp(year=parts[0], month=parts[1], day=parts[2])
    except ValueError as exc:
        raise SpecError(f"The {what} {s!r} is not a calendar date ({exc}).") from None


@dataclass(frozen=True)
class Intervention:
    """One intervention: a label, the date it took effect, and the kind of change it may make.

    kind
        ``level_slope`` (a level and a slope change, the default), ``level`` (level only),
        ``ramp`` (the level moves linearly to its full change over ``ramp`` periods), or
        ``temporary`` (a level change from ``date`` until, not including, ``until``).
    """

    label: str
    date: str
    kind: str = "level_slope"
    ramp: int | None = None
    until: str | None = None

    def __post_init__(self):
        if not self.label or not _LABEL_RE.match(self.label):
            raise SpecError(
                f"The intervention label {self.label!r} cannot be used: use 1-60 letters, digits, "
                "spaces or . & ( ) ' / + - _ (for example gec or twitter_wave_1)."
            )
        parse_date(self.date, what=f"date of intervention {self.label!r}")
        if self.kind not in KINDS:
            raise SpecError(
                f"Unknown kind {self.kind!r} for intervention {self.label!r}: use one of "
                f"{', '.join(KINDS)}."
            )
        if self.kind == "ramp" and (self.ramp is None or int(self.ramp) < 1):
            raise SpecError(
                f"Intervention {self.label!r} is a ramp: give its length in periods, e.g. "
                f"{self.label}={self.date}:ramp=3."
            )
        if self.kind == "temporary":
            if not self.until:
                raise SpecError(
                    f"Intervention {self.label!r} is temporary: give its end date, e.g. "
                    f"{self.label}={self.date}:until=2016-06."
                )
            if parse_date(self.until, what="end date") <= self.timestamp:
                raise SpecError(
                    f"Intervention {self.label!r} ends ({self.until}) before it starts "
                    f"({self.date}): the end date must come after the start."
                )

    @property
    def timestamp(self) -> pd.Timestamp:
        return parse_date(self.date)

    @property
    def until_timestamp(self) -> pd.Timestamp | None:
        return parse_date(self.until) if self.until else None

    @property
    def has_slope(self) -> bool:
        return self.kind == "level_slope"

    def to_text(self) -> str:
        """The CLI form, ``LABEL=DATE[:level|:ramp=N|:until=DATE]``."""
        suffix = {"level_slope": "", "level": ":level"}.get(self.kind)
        if suffix is None:
            suffix = f":ramp={self.ramp}" if self.kind == "ramp" else f":until={self.until}"
        return f"{self.label}={self.date}{suffix}"


def parse_intervention(
    text: str,
    *,
    resolve: Callable[[str], tuple[str, str]] | None = None,
    slope_change: bool = True,
) -> Intervention:
    """Parse ``LABEL=DATE[:level|:ramp=N|:until=DATE]`` or a catalogue key such as ``gec``.

    Parameters
    ----------
    text
        The flag's value.
    resolve
        Maps a catalogue key (``gec``) to ``(label, date)``; raises ``SpecError`` if unknown.
    slope_change
        False applies ``--no-slope-change``: interventions without an explicit kind are level-only.

    Examples
    --------
    >>> parse_intervention("gec=2016-01-08:level").kind
    'level'
    """
    s = str(text).strip()
    head, *mods = s.split(":")
    if "=" in head:
        label, date = (p.strip() for p in head.split("=", 1))
    else:
        if resolve is None:
            raise SpecError(
                f"Intervention {s!r} has no date: write LABEL=DATE (e.g. gec=2016-01-08) or "
                "use a name from the events catalogue."
            )
        label, date = resolve(head.strip())
    kind = "level_slope" if slope_change else "level"
    ramp = until = None
    for m in mods:
        m = m.strip()
        if m == "level":
            kind = "level"
        elif m in ("slope", "level_slope"):
            kind = "level_slope"
        elif m.startswith("ramp="):
            kind = "ramp"
            try:
                ramp = int(m.split("=", 1)[1])
            except ValueError:
                raise SpecError(
                    f"In {s!r}, the ramp length must be a whole number of periods (e.g. ramp=3)."
                ) from None
        elif m.startswith("until="):
            kind, until = "temporary", m.split("=", 1)[1].strip()
        else:
            raise SpecError(
                f"Unknown option {m!r} in intervention {s!r}: use :level, :ramp=N or :until=DATE."
            )
    return Intervention(label=label, date=date, kind=kind, ramp=ramp, until=until)


def parse_errors(text: str | None) -> tuple[str | None, int | None]:
    """``ols``, ``hac``, ``model``, ``ar:P`` or None -> (kind, AR order)."""
    if text is None or text == "" or text == "auto":
        return None, None
    s = str(text).strip().lower()
    if s in ("ols", "hac", "model"):
        return s, None
    m = re.fullmatch(r"ar:?(\d+)", s)
    if m and int(m.group(1)) >= 1:
        return "ar", int(m.group(1))
    raise SpecError(
        f"Unknown errors {text!r}: use ols, hac (Newey-West), model (model-based, count "
        "families) or ar:P (AR(P) errors, e.g. ar:1)."
    )


def parse_seasonality(text: str | None) -> tuple[str, int]:
    """``none``, ``dow``, ``month`` or ``fourier:K`` -> (kind, K)."""
    s = (text or "none").strip().lower()
    if s in ("none", "dow", "month"):
        return s, 0
    m = re.fullmatch(r"fourier:(\d+)", s)
    if m and int(m.group(1)) >= 1:
        return "fourier", int(m.group(1))
    raise SpecError(
        f"Unknown seasonality {text!r}: use none, dow, month or fourier:K (K harmonic pairs, "
        "e.g. fourier:2)."
    )


@dataclass(frozen=True)
class ItsSpec:
    """Everything that defines one interrupted time-series fit.

    Parameters
    ----------
    time, value
        Column names in the loaded table (``time`` may be ``"YEAR,MONTH"``).
    interventions
        Any number of ``Intervention``; may be empty (a plain trend fit, as the break tests use).
    group, treated
        Long data: the group column and the treated group's value; the control is the mean of
        the other groups unless ``control`` names a column of wide data.
    control
        A control series column for comparative ITS (difference in level and slope changes).
    offset
        Exposure column entering as log(offset) (statsmodels' ``exposure=``).
    covariates
        Extra regressors (column names).
    family
        gaussian, poisson, quasipoisson or negbin (alpha estimated).
    log
        Gaussian on log(y); effects are then also given as ratios.
    errors
        ols, hac, model, ar (with ``ar_order``), or None for the model's default: gaussian -> hac,
        count families -> model-based; sarimax and structural models use state-space errors.
    hac_lags
        Newey-West lags; None means floor(4 (n/100)^(2/9)).
    seasonality, fourier_k
        none, dow, month, or fourier with K harmonic pairs.
    model
        segmented (regression), sarimax, structural, structural-forecast.
    """

    time: str
    value: str
    interventions: tuple[Intervention, ...] = ()
    group: str | None = None
    treated: str | None = None
    control: str | None = None
    offset: str | None = None
    covariates: tuple[str, ...] = ()
    family: str = "gaussian"
    log: bool = False
    errors: str | None = None
    ar_order: int | None = None
    hac_lags: int | None = None
    seasonality: str = "none"
    fourier_k: int = 0
    model: str = "segmented"
    extra: tuple[tuple[str, str], ...] = field(default=())

    def __post_init__(self):
        if not isinstance(self.interventions, tuple):
            object.__setattr__(self, "interventions", tuple(self.interventions))
        if not isinstance(self.covariates, tuple):
            object.__setattr__(self, "covariates", tuple(self.covariates))
        if self.family not in FAMILIES:
            raise SpecError(f"Unknown family {self.family!r}: use one of {', '.join(FAMILIES)}.")
        if self.model not in MODELS:
            raise SpecError(f"Unknown model {self.model!r}: use one of {', '.join(MODELS)}.")
        if self.errors not in (None, "ols", "hac", "model", "ar"):
            raise SpecError(f"Unknown errors {self.errors!r}: use ols, hac, model or ar:P.")
        if self.errors == "ar" and not self.ar_order:
            object.__setattr__(self, "ar_order", 1)
        if self.seasonality not in ("none", "dow", "month", "fourier"):
            raise SpecError(
                f"Unknown seasonality {self.seasonality!r}: use none, dow, month or fourier:K."
            )
        if self.seasonality == "fourier" and self.fourier_k < 1:
            raise SpecError("Fourier seasonality needs at least one harmonic pair: fourier:1.")
        if self.log and self.family != "gaussian":
            raise SpecError(
                f"--log applies to the gaussian family only; the {self.family} family already "
                "models log(mean). Drop --log, or use --family gaussian --log."
            )
        if self.family in COUNT_FAMILIES and self.errors in ("ar", "ols"):
            what = "AR errors" if self.errors == "ar" else "OLS errors"
            raise SpecError(
                f"{what} are not available for the {self.family} family: count models use "
                "model-based errors (--errors model, the default) or Newey-West (--errors hac)."
            )
        if self.family == "gaussian" and self.errors == "model":
            object.__setattr__(self, "errors", "ols")
        if self.hac_lags is not None and self.hac_lags < 0:
            raise SpecError("--hac-lags must be 0 or more.")
        labels = [iv.label for iv in self.interventions]
        dup = {x for x in labels if labels.count(x) > 1}
        if dup:
            raise SpecError(
                f"Intervention label {sorted(dup)[0]!r} is used twice: give each intervention "
                "its own label."
            )
        if self.treated is not None and self.group is None:
            raise SpecError("--treated needs --group: name the column that holds the groups.")
        if self.group is not None and self.treated is None:
            raise SpecError(
                f"Long data grouped by {self.group!r}: say which group is treated with --treated."
            )

    # -- derived -------------------------------------------------------------------------
    @property
    def is_count(self) -> bool:
        return self.family in COUNT_FAMILIES

    @property
    def scale(self) -> str:
        """The linear-predictor scale: ``log`` for --log and count families, else ``identity``."""
        return "log" if (self.log or self.is_count) else "identity"

    @property
    def effective_errors(self) -> str:
        """The errors actually used: the explicit choice, or the model's default."""
        if self.model in ("sarimax", "structural", "structural-forecast"):
            return "state-space"
        if self.errors is not None:
            return f"ar:{self.ar_order}" if self.errors == "ar" else self.errors
        return "model" if self.is_count else "hac"

    @property
    def seasonality_text(self) -> str:
        return f"fourier:{self.fourier_k}" if self.seasonality == "fourier" else self.seasonality

    def with_interventions(self, interventions) -> ItsSpec:
        return replace(self, interventions=tuple(interventions))

    def with_date(self, label: str, date: str) -> ItsSpec:
        """A copy with one intervention moved (the app's date slider, the sweeps)."""
        ivs = tuple(
            replace(iv, date=date) if iv.label == label else iv for iv in self.interventions
        )
        if ivs == self.interventions and label not in {iv.label for iv in self.interventions}:
            raise SpecError(f"There is no intervention labelled {label!r} to move.")
        return replace(self, interventions=ivs)

    def to_dict(self) -> dict:
        d = asdict(self)
        d["interventions"] = [asdict(iv) for iv in self.interventions]
        d["covariates"] = list(self.covariates)
        d["errors_used"] = self.effective_errors
        d["extra"] = dict(self.extra)
        return d

    @classmethod
    def from_dict(cls, d: dict) -> ItsSpec:
        try:
            return cls._from_dict(d)
        except SpecError:
            raise
        except (TypeError, ValueError, AttributeError) as exc:  # a malformed saved spec
            raise SpecError(
                f"The saved analysis settings cannot be read ({exc}). Set the analysis up again."
            ) from None

    @classmethod
    def _from_dict(cls, d: dict) -> ItsSpec:
        d = dict(d)
        d.pop("errors_used", None)
        d["interventions"] = tuple(Intervention(**iv) for iv in d.get("interventions", ()))
        d["covariates"] = tuple(d.get("covariates", ()))
        d["extra"] = tuple(sorted(dict(d.get("extra") or {}).items()))
        known = set(cls.__dataclass_fields__)
        unknown = set(d) - known
        if unknown:
            raise SpecError(f"Unknown spec fields: {', '.join(sorted(unknown))}.")
        return cls(**d)


@dataclass(frozen=True)
class ClaimSpec:
    """A claimed change to attribute: window, claimed change in percent, credited intervention."""

    start: str
    end: str
    claimed_change_pct: float | None = None
    credit: str | None = None

    def __post_init__(self):
        if parse_date(self.end, what="claim end") <= parse_date(self.start, what="claim start"):
            raise SpecError(
                f"The claim window ends ({self.end}) before it starts ({self.start}): "
                "--claim-end must come after --claim-start."
            )


def parse_claimed_change(text: str | float | None) -> float | None:
    """``-45%``, ``-45`` or ``-45.0`` -> -45.0 (percent)."""
    if text is None or text == "":
        return None
    s = str(text).strip().replace("%", "").replace("\u2212", "-")
    try:
        v = float(s)
    except ValueError:
        v = float("nan")
    if v != v or v in (float("inf"), float("-inf")):  # "nan", "inf", "1e999" parse as floats
        raise SpecError(
            f"The claimed change {text!r} is not a number: write it in percent, e.g. -45% or -45."
        ) from None
    return v
