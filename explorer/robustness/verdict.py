"""The verdict: five questions a sceptical editor asks, each with an answer and one plain sentence.

1. Does the effect survive the sweep (moving the date a few periods)?
2. Where does the data's own break fall relative to the claimed date?
3. How large is the real effect among placebos?
4. How stable is it across specifications?
5. What could the data have detected?

``build_verdict`` reads the results of ``sweep``, ``breaks``, ``placebo``, ``specs`` and ``power``
(any may be missing) and returns one small frozen object the app's claim page and the CLI print.
It computes nothing new, so the sentences always agree with the numbers beside them.

When an answer supports the claim (``ok``): the level change keeps its sign and stays
significant at >= 80% of the dates within 3 periods; the claimed date lies inside the 95%
interval of the data's nearest own break; the placebo p-value is <= alpha (None when so few
placebos exist that no p-value can be that small); >= 80% of the specifications give a
significant change of the claimed sign; the power at the asked effect is >= 80%.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from explorer.periods import period_label

NEAR = 3  # periods either side of the claimed date that "moving the date a little" means
PERIOD_WORDS = {"D": "day", "W": "week", "M": "month", "Q": "quarter", "Y": "year"}
SIZE_TOLERANCE = (0.02, 0.09)  # a simulated test size outside this is flagged (nominal 0.05)
OVERALL = ("Survives", "Fragile", "Not distinguishable")


def period_word(freq: str | None, n: float = 2) -> str:
    """``month`` / ``months`` for monthly data (``period(s)`` for an unknown frequency)."""
    word = PERIOD_WORDS.get((freq or "")[:1].upper())
    if word is None:
        return "period" if n == 1 else "periods"
    return word if n == 1 else word + "s"


@dataclass(frozen=True)
class Answer:
    """One question: ``ok`` True (supports the claim), False (undermines it) or None (no answer)."""

    key: str
    question: str
    ok: bool | None
    sentence: str
    figures: tuple[tuple[str, object], ...] = ()

    def to_dict(self) -> dict:
        return {
            "key": self.key,
            "question": self.question,
            "ok": self.ok,
            "sentence": self.sentence,
            **dict(self.figures),
        }


@dataclass(frozen=True)
class Verdict:
    """The five answers for one intervention; ``verdict["placebo"]`` picks one by key."""

    label: str
    claimed_date: pd.Timestamp | None
    answers: tuple[Answer, ...]

    def __getitem__(self, key: str) -> Answer:
        return next(a for a in self.answers if a.key == key)

    @property
    def sentences(self) -> list[str]:
        return [a.sentence for a in self.answers]

    @property
    def overall(self) -> tuple[str, str]:
        """The label Methods promises, with one sentence: ``Survives``, ``Fragile`` or ``Not
        distinguishable`` (or ``Not yet judged`` while the date sweep is missing)."""
        ok = {a.key: a.ok for a in self.answers}
        if ok.get("sweep") is None:
            return ("Not yet judged", "The date sweep has not been computed, so no overall label.")
        if ok.get("power") is False or ok.get("placebo") is False:
            why = (
                "the data could not have detected an effect of this size"
                if ok.get("power") is False
                else "placebo dates give effects as large"
            )
            return ("Not distinguishable", f"Not distinguishable from the trend: {why}.")
        if ok.get("sweep") is False or ok.get("specs") is False or ok.get("breaks") is False:
            which = [
                w
                for k, w in (
                    ("sweep", "the exact date"),
                    ("specs", "one modelling choice"),
                    ("breaks", "where the data's own break falls"),
                )
                if ok.get(k) is False
            ]
            return ("Fragile", "Fragile: the effect depends on " + " and ".join(which) + ".")
        missing = [a.key for a in self.answers if a.ok is None]
        return (
            "Survives",
            "Survives every check computed"
            + (f" (not answered: {', '.join(missing)})." if missing else "."),
        )

    def to_dict(self) -> dict:
        return {
            "label": self.label,
            "claimed_date": self.claimed_date,
            "answers": [a.to_dict() for a in self.answers],
        }


def _fmt_date(d, freq: str | None) -> str:
    if d is None or (isinstance(d, float) and np.isnan(d)):
        return "?"
    return period_label(d, freq)


def _num(x: float) -> str:
    return f"{x:.3g}" if abs(x) < 1000 else f"{x:,.0f}"


def _periods_between(a, b, freq: str) -> int:
    from explorer.periods import period_ordinal

    oa, ob = period_ordinal([pd.Timestamp(a), pd.Timestamp(b)], freq)
    return int(ob - oa)


def sweep_answer(
    sweep, *, alpha: float = 0.05, near: int = NEAR, freq: str | None = None
) -> Answer:
    q = "Does the effect survive if the date moves a little?"
    rows = sweep.rows
    at = rows[rows["offset"] == 0]
    if not len(at):
        return Answer("sweep", q, None, "The claimed date is not among the dates swept.")
    near_rows = rows[rows["offset"].abs() <= near]
    sign = np.sign(at["level_change"].iloc[0])
    keep = (np.sign(near_rows["level_change"]) == sign) & (near_rows["level_p_value"] < alpha)
    share = float(keep.mean())
    ok = bool(share >= 0.8)
    off = sweep.distance
    where = "after" if off > 0 else "before" if off < 0 else "at"
    s = (
        f"The level change keeps its sign and stays significant for {int(keep.sum())} of "
        f"{len(near_rows)} dates within {near} {period_word(freq, near)} of the claimed date"
        + ("" if ok else ", so it hangs on the exact date chosen")
        + (
            "; the best-fitting date is the claimed one."
            if off == 0
            else f"; the best-fitting date, {_fmt_date(sweep.best_date, freq)}, is {abs(off)} "
            f"{period_word(freq, abs(off))} {where} it."
        )
    )
    return Answer(
        "sweep",
        q,
        ok,
        s,
        (
            ("share_near", share),
            ("n_near", len(near_rows)),
            ("best_date", sweep.best_date),
            ("distance_periods", off),
        ),
    )


def breaks_answer(breaks, claimed_date, freq: str) -> Answer:
    q = "Where does the data's own break fall relative to the claimed date?"
    sf = breaks.supf
    cands = breaks.breaks or (
        [{"date": sf["date"], "ci_low": sf["ci_low"], "ci_high": sf["ci_high"]}]
        if sf["p_value"] < 0.05
        else []
    )
    if not cands:
        return Answer(
            "breaks",
            q,
            None,
            f"The data show no clear break of their own (sup-F p = {sf['p_value']:.2f}, "
            f"{breaks.n_breaks} break(s) chosen by {breaks.criterion.upper()}).",
            (("supf_p_value", sf["p_value"]), ("n_breaks", breaks.n_breaks)),
        )
    from explorer.periods import to_period_start

    # The claimed date's period (2016-01-08 is the January 2016 period in monthly data).
    claimed_date = to_period_start([pd.Timestamp(claimed_date)], freq)[0]
    near = min(cands, key=lambda b: abs(_periods_between(claimed_date, b["date"], freq)))
    off = _periods_between(claimed_date, near["date"], freq)
    inside = (
        near["ci_low"] is not None
        and near["ci_high"] is not None
        and pd.Timestamp(near["ci_low"])
        <= pd.Timestamp(claimed_date)
        <= pd.Timestamp(near["ci_high"])
    )
    when = (
        "at the claimed date"
        if off == 0
        else f"{abs(off)} {period_word(freq, abs(off))} {'after' if off > 0 else 'before'} the "
        "claimed date"
    )
    s = (
        f"The data's own nearest break is in {_fmt_date(near['date'], freq)} "
        f"(95% CI {_fmt_date(near['ci_low'], freq)} to {_fmt_date(near['ci_high'], freq)}), {when}; "
        + (
            "the claimed date lies inside that interval."
            if inside
            else "the claimed date lies outside that interval."
        )
    )
    if sf["date"] is not None and pd.Timestamp(sf["date"]) != pd.Timestamp(near["date"]):
        s += (
            f" The single most likely break (sup-F) is {_fmt_date(sf['date'], freq)} "
            f"(p = {sf['p_value']:.2g})."
        )
    return Answer(
        "breaks",
        q,
        bool(inside),
        s,
        (
            ("nearest_break", near["date"]),
            ("distance_periods", off),
            ("claimed_inside_ci", bool(inside)),
            ("supf_p_value", sf["p_value"]),
        ),
    )


def placebo_answer(placebo, alpha: float = 0.05) -> Answer:
    q = "How large is the real effect among placebos?"
    n, p = placebo.n_placebos, placebo.p_value
    fakes = "fake dates" if placebo.kind == "time" else "control units treated as if treated"
    beaten = n - (placebo.rank - 1)
    floor = placebo.min_attainable_p
    at_floor = placebo.rank == 1 or p <= floor + 1e-12
    if at_floor:
        s = (
            f"The real effect is more extreme than every one of the {n} {fakes} (permutation "
            f"p = {p:.3f}: with {n} placebos no p below {floor:.3f} = 1/{n + 1} is possible)"
            + (
                f". That floor is above {alpha:g}, so the test cannot reach significance here; "
                "more placebos (a longer pre-period) would be needed."
                if floor > alpha
                else "."
            )
        )
    else:
        s = (
            f"The real effect is more extreme than {beaten} of {n} {fakes} (permutation "
            f"p = {p:.3f}"
            + (
                f"; with {n} placebos no p below {floor:.3f} is possible)"
                if floor > alpha / 2
                else ")"
            )
            + (
                "."
                if p <= alpha
                else f": {n - beaten} placebo(s) are as large or larger, so the effect is not unusual."
            )
        )
    ok = None if placebo.min_attainable_p > alpha else bool(p <= alpha)
    return Answer(
        "placebo",
        q,
        ok,
        s,
        (("p_value", p), ("n_placebos", n), ("min_attainable_p", placebo.min_attainable_p)),
    )


def specs_answer(specs) -> Answer:
    q = "How stable is it across specifications?"
    share = specs.share_same_sign_significant
    n = int(specs.rows["ok"].sum())
    direction = "fall" if specs.claimed_sign < 0 else "rise"
    f = specs.fitted["pct"]
    rng = (
        f" (estimates from {f.min():+.0f}% to {f.max():+.0f}%)"
        if len(f) and f.notna().any()
        else ""
    )
    s = f"{share:.0%} of {n} defensible specifications give a significant {direction}{rng}."
    return Answer(
        "specs",
        q,
        bool(share >= 0.8),
        s,
        (("share_same_sign_significant", share), ("n_paths", specs.n_paths)),
    )


def effect_words(value: float, scale: str, units: str | None = None) -> str:
    """An effect with its unit: percent on the log scale, else the series' own units."""
    if scale == "log":
        return f"{100 * (np.exp(value) - 1):+.1f}%"
    return f"{value:+.3g} {units or 'in the series own units'}"


def size_advice(errors: str | None, size: float) -> str:
    """What to do about a simulated test size far from 5%, for the errors the test used."""
    if size < SIZE_TOLERANCE[0]:
        return "the test is conservative here: a longer series would sharpen it"
    if errors == "hac":
        return (
            "Newey-West errors are over-confident in short series: read this power as "
            "optimistic, or use a longer series"
        )
    if errors in ("ols", None):
        return "try errors that allow for autocorrelation, or a longer series"
    return "a longer series would help"


def power_answer(power, units: str | None = None) -> Answer:
    q = "What could the data have detected?"
    mde = effect_words(power.mde, power.scale, units)
    s = f"This series detects a {power.kind} change as large as {mde} (or larger in size) 80% of the time"
    if power.effect is not None:
        s += (
            f"; a change of {effect_words(power.effect, power.scale, units)} would be detected "
            f"{power.power:.0%} of the time"
        )
    s += "."
    ok = None if power.power is None else bool(power.power >= power.target)
    size = getattr(power, "size", None)
    size_ok = size is None or SIZE_TOLERANCE[0] <= size <= SIZE_TOLERANCE[1]
    if not size_ok:
        s += (
            f" Warning: with no effect at all the test still rejects {size:.0%} of the time, not "
            "5%, so its p-values and this power cannot be taken at face value "
            f"({size_advice(getattr(power, 'errors', None), size)})."
        )
    return Answer(
        "power",
        q,
        ok,
        s,
        (("mde", power.mde), ("power", power.power), ("size", size), ("size_ok", size_ok)),
    )


def build_verdict(
    *,
    label: str,
    claimed_date=None,
    freq: str = "M",
    sweep=None,
    breaks=None,
    placebo=None,
    specs=None,
    power=None,
    alpha: float = 0.05,
    units: str | None = None,
) -> Verdict:
    """The five answers from whichever results are given (missing ones answer None).

    Examples
    --------
    >>> build_verdict(label="gec").answers[0].ok is None
    True
    """
    missing = "Not computed for this claim."
    # Where each missing answer is computed (the Robustness page's sections and its toggle).
    where = {
        "specs": " Turn on 'Run the specification curve' on the Robustness page to compute it.",
        "breaks": " The break tests run on the Robustness page.",
    }
    qs = {
        "sweep": "Does the effect survive if the date moves a little?",
        "breaks": "Where does the data's own break fall relative to the claimed date?",
        "placebo": "How large is the real effect among placebos?",
        "specs": "How stable is it across specifications?",
        "power": "What could the data have detected?",
    }
    got = {
        "sweep": sweep and sweep_answer(sweep, alpha=alpha, freq=freq),
        "breaks": breaks and claimed_date is not None and breaks_answer(breaks, claimed_date, freq),
        "placebo": placebo and placebo_answer(placebo, alpha),
        "specs": specs and specs_answer(specs),
        "power": power and power_answer(power, units),
    }
    answers = tuple(got[k] or Answer(k, qs[k], None, missing + where.get(k, "")) for k in qs)
    return Verdict(label, None if claimed_date is None else pd.Timestamp(claimed_date), answers)
