"""The journalist's answer: one quotable sentence, three reasons with their sources, a citation.

``headline(claim_id)`` reads the published figures (``explorer.catalog.claims``), the events catalogue
(``explorer.catalog.events``), the public record (``explorer.catalog.record``: its groups, the two statuses and
what the measurement does) and, when there is a series, an attribution
(``explorer.attribution.Attribution.to_dict()``), and writes the answer from them. Nothing in the
wording is typed per claim: the months between a window and the event it is credited to, the
record's values before that event and the statuses are all computed here, so a corrected
catalogue changes the answer. Every reason cites the claim ids its text names.

Four shapes, chosen from the data:

- a change over a window credited to an event (AP-01, AP-05): can public data confirm that the
  event caused it? (the window's start against the event's date, the record before the event,
  what the measurement does);
- a figure no source holds (verification UNVERIFIED): do not cite it;
- a snapshot in a record group (AP-03, BP-03, TW-06): what it says, what its group shows and
  cannot show;
- anything else: the two statuses and their reasons.

No Streamlit, no statsmodels: the landing page draws the answer before any model is fitted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd

from explorer.errors import InputError

# The event each source credits, by claim id or prefix: the AP story of 9 July 2016 (AP-*)
# reports officials crediting the GEC. Claims that name an event key in their own words (AP-05:
# "assessed by the GEC") are found without this table.
CREDITS = {"AP": "gec"}

_ID = re.compile(r"\b[A-Z]{2,3}-\d{2}\b")
_CHANGE_WORDS = re.compile(r"^(change|decline|fall|drop|rise|increase)\s+in\s+", re.IGNORECASE)
# A change over a window (as ``explorer.catalog.claims.claim_window`` reads one): a percent whose
# quantity says it changed.
_IS_CHANGE = re.compile(r"\b(change|decline|fall|fell|drop|plunge)", re.IGNORECASE)


@dataclass(frozen=True)
class Reason:
    """One reason: a plain sentence and the claim ids it cites (in the order they appear)."""

    text: str
    claim_ids: tuple[str, ...]

    def to_dict(self) -> dict:
        return {"text": self.text, "claim_ids": list(self.claim_ids)}


@dataclass(frozen=True)
class HeadlineAnswer:
    """The answer for one published figure.

    ``sentence`` is the line to quote, ``reasons`` three short reasons with their claim ids,
    ``citation`` the line to paste under it; ``quote`` is both, as the copy button copies them.
    """

    claim_id: str
    kind: str  # "credited_change", "unverified", "record_snapshot" or "statuses"
    sentence: str
    reasons: tuple[Reason, ...]
    citation: str
    reported_as_stated: dict
    checkable: dict

    @property
    def claim_ids(self) -> tuple[str, ...]:
        ids = [self.claim_id] + [c for r in self.reasons for c in r.claim_ids]
        return tuple(dict.fromkeys(ids))

    @property
    def quote(self) -> str:
        return f"{self.sentence}\n{self.citation}"

    def to_dict(self) -> dict:
        return {
            "claim_id": self.claim_id,
            "kind": self.kind,
            "sentence": self.sentence,
            "reasons": [r.to_dict() for r in self.reasons],
            "citation": self.citation,
            "claim_ids": list(self.claim_ids),
            "reported_as_stated": dict(self.reported_as_stated),
            "checkable": dict(self.checkable),
        }


# -- small words ----------------------------------------------------------------------------------


def _reason(text: str, *extra: str) -> Reason:
    ids = list(dict.fromkeys(_ID.findall(text) + list(extra)))
    return Reason(text, tuple(ids))


def _day(ts) -> str:
    ts = pd.Timestamp(ts)
    return f"{ts.day} {ts:%B %Y}"


def _month(ts) -> str:
    return pd.Timestamp(ts).strftime("%B %Y")


def _event_date(e: dict) -> str:
    return _month(e["date"]) if e.get("precision") == "month" else _day(e["date"])


def _months(a, b) -> int:
    a, b = pd.Timestamp(a), pd.Timestamp(b)
    return (b.year - a.year) * 12 + (b.month - a.month)


def event_subject(e: dict) -> tuple[str, str]:
    """An event label as (subject, happened): ``GEC announced`` -> ``("the GEC", "the GEC was
    announced")``; a label not ending in a past participle is both (``Paris attacks``)."""
    words = str(e["label"]).split()
    if len(words) > 1 and words[-1].endswith("ed"):
        rest = " ".join(words[:-1])
        subject = f"the {rest}" if rest.isupper() else rest
        return subject, f"{subject} was {words[-1]}"
    label = str(e["label"])
    return label, label


def _lower_first(text: str, vocabulary: str) -> str:
    """Lower-case the first word mid-sentence unless the data only ever write it capitalised
    (``Followers`` -> ``followers``; ``Islamic``, ``English-language`` stay)."""
    first = text.split(" ", 1)[0]
    low = first[:1].lower() + first[1:]
    if low != first and re.search(rf"(?<![\w-]){re.escape(low)}(?![\w-])", vocabulary):
        return low + text[len(first) :]
    return text


def _what(c: dict, vocabulary: str = "") -> str:
    """The claimed change in words: ``the 45% fall in Islamic State Twitter traffic``."""
    q = _CHANGE_WORDS.sub("", str(c["quantity"]).strip())
    q = re.sub(r"\s+over the past .*$", "", q)
    q = _lower_first(q, vocabulary)
    v = c.get("value")
    if v is None:
        return q
    if c.get("unit") == "percent":
        word = "fall" if v < 0 else "rise"
        return f"the {abs(v):g}% {word} in {q}"
    return f"the change in {q}"


def credited_event(c: dict, events: pd.DataFrame) -> dict | None:
    """The event a figure is credited to: named in its quantity (an event key as a word), else
    ``CREDITS`` by claim id or prefix; None when nothing is credited."""
    keys = set(events["key"].astype(str))
    words = set(re.findall(r"[a-z0-9_]+", str(c.get("quantity") or "").lower()))
    named = sorted(keys & words)
    cid = str(c["claim_id"])
    key = named[0] if named else CREDITS.get(cid) or CREDITS.get(cid.split("-")[0])
    hit = events.loc[events["key"] == key] if key else events.iloc[0:0]
    return None if hit.empty else hit.iloc[0].to_dict()


# -- the record before an event ------------------------------------------------------------------


def _ends(p: dict) -> tuple[pd.Timestamp, pd.Timestamp]:
    from explorer.catalog.record import period_bounds

    return period_bounds(p)


def record_before(group: dict, start, before) -> tuple[dict, dict] | None:
    """The first and last points of a record group that lie inside ``[start, before)``, or None
    when fewer than two do (snapshots by their end date)."""
    start, before = pd.Timestamp(start), pd.Timestamp(before)
    inside = [p for p in group["points"] if _ends(p)[1] < before and _ends(p)[0] >= start]
    if len(inside) < 2:
        return None
    inside.sort(key=lambda p: _ends(p)[1])
    return inside[0], inside[-1]


def _value(p: dict) -> str:
    bound = {"lower": "at least ", "upper": "at most "}.get(p.get("bound") or "", "")
    return bound + p["value_text"]


def _cite(p: dict) -> str:
    return ", ".join(p.get("derived_from") or [p["claim_id"]])


def _went(group: dict, first: dict, last: dict, vocabulary: str) -> str:
    unit = group["unit"]
    verb = "fell" if last["value"] < first["value"] else "rose"
    return (
        f"{_lower_first(group['title'], vocabulary)} {verb} from {_value(first)} {unit} in "
        f"{first['period_words']} ({_cite(first)}) to {_value(last)} in "
        f"{last['period_words']} ({_cite(last)})"
    )


def _group_of(cid: str, groups: list[dict]) -> dict | None:
    for g in groups:
        if any(cid == p["claim_id"] or cid in p.get("derived_from", []) for p in g["points"]):
            return g
    return None


# -- the answer -----------------------------------------------------------------------------------


def headline(
    claim_id: str,
    *,
    claims: pd.DataFrame | None = None,
    events: pd.DataFrame | None = None,
    attribution: dict | None = None,
) -> HeadlineAnswer:
    """The quotable answer for one published figure.

    Parameters
    ----------
    claim_id
        A published figure (``AP-01``).
    claims, events
        The published figures and the events catalogue (default: the bundled ones); the answer is
        written from whatever they hold.
    attribution
        ``Attribution.to_dict()`` of a fitted series covering the claim, if there is one: its
        split of the change becomes a reason.

    Returns
    -------
    HeadlineAnswer

    Raises
    ------
    InputError
        Unknown claim id (the message lists the known ids).

    Examples
    --------
    >>> a = headline("AP-01")
    >>> a.sentence.startswith("Public data cannot confirm that the GEC caused")
    True
    """
    from explorer.catalog import record
    from explorer.catalog.claims import load_claims
    from explorer.catalog.events import load_events

    claims = load_claims() if claims is None else claims
    events = load_events() if events is None else events
    rows = record.claim_rows(claims)
    cid = str(claim_id).strip().upper()
    if cid not in rows:
        raise InputError(
            f"There is no published figure {claim_id!r}: use one of {', '.join(rows)}."
        )
    c = rows[cid]
    st = record.statuses(cid, rows)
    groups = record.groups(claims=claims)
    event = credited_event(c, events)
    is_change = c.get("unit") == "percent" and bool(_IS_CHANGE.search(str(c["quantity"])))
    if c["verification"] == "UNVERIFIED":
        kind = "unverified"
        sentence, reasons = _unverified(c, st, claims)
    elif is_change and c.get("period_start") and c.get("period_end") and event is not None:
        kind = "credited_change"
        sentence, reasons = _credited(c, st, event, rows, groups, claims, attribution)
    elif _group_of(cid, groups) is not None:
        kind = "record_snapshot"
        sentence, reasons = _snapshot(c, st, _group_of(cid, groups), rows)
    else:
        kind = "statuses"
        sentence, reasons = _statuses_only(c, st, rows)
    return HeadlineAnswer(
        claim_id=cid,
        kind=kind,
        sentence=sentence,
        reasons=tuple(reasons[:3]),
        citation=_citation(c, reasons),
        reported_as_stated=st["reported_as_stated"],
        checkable=st["checkable"],
    )


def _can(check: str) -> str:
    return {"yes": "can", "partly": "can only partly", "no": "cannot"}.get(check, "cannot")


def _credited(c, st, event, rows, groups, claims, attribution):
    from explorer.catalog import record

    cid = c["claim_id"]
    subject, happened = event_subject(event)
    check = st["checkable"]["status"]
    vocabulary = " ".join([str(r.get("quantity") or "") for r in rows.values()])
    what = _what(c, vocabulary)
    start = pd.Timestamp(c["period_start"])
    months = _months(start, event["date"])
    ev_id = str(event.get("claim_id") or "")
    ev_cite = f" ({ev_id})" if _ID.fullmatch(ev_id) else ""

    if months > 0:
        timing = f"its window starts in {_month(start)}, {months} months before {happened}"
    elif months == 0:
        timing = f"its window starts the month {happened}"
    else:
        timing = f"its window starts {-months} months after {happened}"
    twins = [
        r
        for r in rows.values()
        if r["claim_id"] != cid
        and r.get("period_start") == c.get("period_start")
        and r.get("value") == c.get("value")
        and r.get("unit") == c.get("unit")
    ]
    twin = (
        f"; {twins[0]['claim_id']} ({_publisher(twins[0])}) dates it the same way" if twins else ""
    )
    r1 = _reason(
        f"Timing: {timing} on {_event_date(event)}{ev_cite}, by the dates of {cid}{twin}. "
        + (
            f"Whatever fell before then cannot be {subject}'s doing."
            if months > 0
            else f"The change after {happened} is the part {subject} could have caused."
        ),
        cid,
    )

    # What the public record shows before the event, from the record groups.
    moves = []
    for g in groups:
        fl = record_before(g, start, event["date"])
        if fl is not None:
            first, last = fl
            change = (last["value"] - first["value"]) / abs(first["value"] or 1)
            moves.append((change, g, first, last))
    # Every quantity that fell (in the record's group order), and the one that rose most.
    falls = [m for m in moves if m[0] < 0]
    rises = sorted((m for m in moves if m[0] > 0), key=lambda m: -m[0])[:1]
    if falls or rises:
        fell = "; ".join(_went(g, a, b, vocabulary) for _, g, a, b in falls)
        rose = "; ".join(_went(g, a, b, vocabulary) for _, g, a, b in rises)
        r2 = _reason(
            f"The public record: before {happened}, "
            + (fell + (", while " + rose if rose else "") if fell else rose)
            + ".",
        )
        titles = [_lower_first(g["title"], vocabulary) for _, g, _, _ in falls]
        record_clause = (
            f"; the public record shows {' and '.join(titles)} already falling before "
            f"{subject} existed"
            if falls
            else ""
        )
    else:
        r2 = _reason(
            f"The public record holds no two figures of one quantity between "
            f"{_month(start)} and {happened}, so it cannot show what was already changing."
        )
        record_clause = ""

    if attribution and attribution.get("credited"):
        share = attribution.get("credited_share")
        scale = "log scale" if attribution.get("scale") == "log" else "series' own units"
        share_text = "no share" if share is None else f"{100 * share:.0f}%"
        r3 = _reason(
            f"On the series checked, a segmented model attributes {share_text} of the change "
            f"(on the {scale}) to {attribution['credited']}; "
            + (" ".join(attribution.get("notes", [])[:1]) or "see the split below."),
            cid,
        )
    else:
        notes = {n["id"]: n for n in record.measurement_notes(claims=claims)}
        deleted = notes.get("suspensions_delete")
        measure = ""
        if deleted:  # its first sentence, with the figures it rests on
            first = deleted["text"].split(". ")[0].rstrip(".")
            measure = f" {first} ({', '.join(deleted['claim_ids'][:2])})."
        r3 = _reason(f"Checkable with public data: {check}. {st['checkable']['tooltip']}{measure}")

    sentence = (
        f"Public data {_can(check)} confirm that {subject} caused {what}: {timing}{record_clause}."
    )
    return sentence, [r1, r2, r3]


def _reported_words(status: str) -> str:
    return {
        "verified": "is reported as stated in",
        "partly": "is only partly found in",
        "unverified": "is not found in",
    }[status]


def _figure(c: dict, rows: dict) -> str:
    from explorer.catalog import record

    if c.get("value") is None:  # a date or a text, not a number
        return f'"{c["quantity"]}"'
    p = record.evaluate(c["claim_id"], rows)
    bound = {"lower": "at least ", "upper": "at most "}.get(p.get("bound") or "", "")
    if p["unit"] == "ratio":
        return f"{bound}{p['value_text']}:1 ratio ({p['period_words']})"
    unit = "" if p["unit"] == "percent" else f" {p['unit']}"
    return f"{bound}{p['value_text']}{unit} ({p['period_words']})"


def _publisher(row: dict) -> str:
    """The publisher without its parenthesised detail (``Associated Press``)."""
    return (row.get("source_publisher") or row.get("source_title") or "its source").split(" (")[0]


def _snapshot(c, st, group, rows):
    check = st["checkable"]["status"]
    pub = _publisher(c)
    tail = {
        "yes": "and can be recomputed from public data",
        "partly": "but public data can check it only in part",
        "no": "but public data cannot check it",
    }.get(check, "and whether public data can check it was not assessed")
    sentence = (
        f"{c['claim_id']}'s {_figure(c, rows)} {_reported_words(st['reported_as_stated']['status'])} "
        f"{pub}, {tail}."
    )
    reasons = [
        _reason(f"What the record shows ({group['title']}): {group['shows']}", c["claim_id"]),
        _reason(f"What it cannot show: {group['cannot_show']}"),
        _reason(
            f"Checkable with public data: {check}. {st['checkable']['tooltip']}", c["claim_id"]
        ),
    ]
    return sentence, reasons


def _unverified(c, st, claims):
    from explorer.catalog import record

    sentence = (
        f"Do not cite {c['claim_id']} ({c['quantity']}): it was not found in any source, so "
        "nothing can be checked against it."
    )
    settle = record.what_would_settle_it(claims=claims)
    reasons = [
        _reason(
            f"Reported as stated: unverified. {st['reported_as_stated']['tooltip']}", c["claim_id"]
        ),
        _reason(
            f"Checkable with public data: {st['checkable']['status']}. {st['checkable']['tooltip']}"
        ),
    ]
    if settle:
        reasons.append(
            _reason(
                f"What would settle the question instead: {settle[0]['text']} "
                f"({', '.join(settle[0]['claim_ids'])})"
            )
        )
    return sentence, reasons


def _statuses_only(c, st, rows):
    check = st["checkable"]["status"]
    figure = _figure(c, rows)
    sentence = (
        f"{c['claim_id']}'s {figure} {_reported_words(st['reported_as_stated']['status'])} "
        f"{_publisher(c)}; public data "
        f"{_can(check) if check in ('yes', 'partly', 'no') else 'may not'} check it."
    )
    notes = str(c.get("notes") or "").split(". ")
    reasons = [
        _reason(
            f"Reported as stated: {st['reported_as_stated']['status']}. {st['reported_as_stated']['tooltip']}",
            c["claim_id"],
        ),
        _reason(
            f"Checkable with public data: {check}. {st['checkable']['tooltip']}", c["claim_id"]
        ),
        _reason(f"From the catalogue's notes: {notes[0].rstrip('.')}.", c["claim_id"]),
    ]
    return sentence, reasons


def _citation(c: dict, reasons) -> str:
    import explorer
    from explorer.catalog import record

    ids = list(dict.fromkeys([c["claim_id"]] + [i for r in reasons for i in r.claim_ids]))
    src = record.source_text(c) if (c.get("source_publisher") or c.get("source_title")) else ""
    when = f", {_day(c['as_of_date'])}" if c.get("as_of_date") else ""
    return (
        f"Source: Evidence Explorer {explorer.__version__}, check of {c['claim_id']}"
        + (f" ({src}{when})" if src else "")
        + f"; published figures cited: {', '.join(ids)}."
    )
