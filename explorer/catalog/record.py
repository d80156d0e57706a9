"""The public record as evidence: published snapshots of the same quantity, grouped and harmonised.

The published figures (``explorer.catalog.claims``) hold several snapshots of the same quantities, taken
by different people over different periods. Read together they say more than any one card: the
followers per pro-IS account had already fallen to the government's "today" level before the GEC
existed, and Twitter was deleting more and more of the accounts being counted throughout the 45%
window. This module is that reading, as data:

- ``GROUPS`` declares each group: its unit, its points (a claim id, or a formula over claim ids
  such as ``"TW-06 / months"`` or ``"BM-01 x BM-04"``), the related rows left out and why, and
  one sentence each of what the group shows and what it cannot show. Sentences are templates
  filled from the table (``{value:BP-03}``, ``{period:BM-02}``, ``{event:gec}``), so no number
  in them is typed by hand.
- ``groups()`` / ``group(id)`` evaluate them against the catalogue: every point carries its
  value, range (``low``/``high``), period, verification status and source (publisher and title);
  a derived point also ``derived_from`` and a readable ``formula`` (``"TW-06 / 6 months"``).
- ``statuses(claim_id)`` keeps the two labels apart: "Reported as stated" (the quote was found in
  the sources: the ``verification`` column) and "Checkable with public data" (``CHECKABLE``).
- ``measurement_notes()`` (what the measurement itself does), ``what_would_settle_it()`` and
  ``consistency_checks()`` (Twitter's reports checked against each other).

Formulas, three shapes only: ``A / months`` (A spread over its own period, in calendar months),
``A x B`` (B a percent of A) and ``(A - B) / months`` (two totals with the same end: the months
before B's period). Plain functions over the catalogue; no plotting here (``explorer.charts.record``).
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass

import pandas as pd

from explorer.errors import InputError

STATUS_ORDER = ("VERIFIED", "PARTLY_VERIFIED", "UNVERIFIED")  # best first

REPORTED_AS_STATED = {
    "VERIFIED": (
        "verified",
        "Reported as stated: the figure was found, as quoted, in copies of its source. This is "
        "about the quotation, not the quantity: it does not mean the figure itself was checked.",
    ),
    "PARTLY_VERIFIED": (
        "partly",
        "Reported as stated, in part: the figure was found only in a secondary source or only in "
        "part (see the notes). The quantity itself was not checked.",
    ),
    "UNVERIFIED": (
        "unverified",
        "Not found in any source: do not cite it without a primary source.",
    ),
}

# "Checkable with public data": can the quantity itself be recomputed from what is public?
# Keyed by claim id, else by prefix. Reasons are templates like the group sentences.
CHECKABLE: dict[str, tuple[str, str]] = {
    "AP": (
        "no",
        "The government series and its definition were never released (AP-01's notes): the "
        "figure can be quoted, not recomputed.",
    ),
    "WSJ-01": ("no", "No source for it was found (WSJ-01): there is nothing to check it against."),
    "WSJ": (
        "no",
        "Known only through a secondary summary of a WSJ story; the Recorded Future analysis "
        "behind it is not among the public data.",
    ),
    "BM": (
        "partly",
        "The census report describes its method, but recounting needs the 2014 accounts and no "
        "public archive here reaches back that far (the public Fifth Tribe sample starts "
        "{start:FT-01}, FT-01).",
    ),
    "BP": (
        "partly",
        "The report describes its method; the public Fifth Tribe sample (FT-01) has follower "
        "counts, but for accounts that survived until May 2016, not the {period:BP-03} network.",
    ),
    "TW": (
        "partly",
        "Twitter's own counts: the suspended accounts cannot be recounted from public data, but "
        "Twitter's reports can be checked against each other (see the consistency checks).",
    ),
    "FT": (
        "yes",
        "Recounted by the explorer from the public Kaggle copy of the dataset (FT-01's notes).",
    ),
}

# Twitter's totals checked against each other: "A + B = C" over the table's values.
CONSISTENCY = ("TW-01 + TW-02 = TW-03", "TW-07 + TW-08 = TW-09", "TW-09 + TW-10 = TW-11")


@dataclass(frozen=True)
class Group:
    """One group of snapshots of the same quantity, declared as data (see ``GROUPS``)."""

    id: str
    title: str
    unit: str
    points: tuple[str, ...]  # claim ids or formulas over them
    shows: str
    cannot_show: str
    excluded: tuple[tuple[str, str], ...] = ()  # (claim id, why it is not in the group)


GROUPS: tuple[Group, ...] = (
    Group(
        id="followers",
        title="Followers per pro-IS Twitter account",
        unit="followers per account",
        points=("AP-03", "BM-02", "BP-03", "AP-04"),
        shows=(
            "Followers per account were {value:BM-02} in {period:BM-02} (BM-02) and {value:AP-03} "
            "in the government's {period:AP-03} figure (AP-03), but already {value:BP-03} among "
            "English-language supporters in {period:BP-03} (BP-03), before the GEC was announced "
            "on {event:gec}; the government's {value:AP-04} for {period:AP-04} (AP-04) is that "
            "same level."
        ),
        cannot_show=(
            "The four figures count different accounts by different methods (all supporters in "
            "2014, the English-language network in 2015, an unpublished government definition for "
            "AP-03 and AP-04), and the average was cut by waves of suspensions (BP-03's notes), so "
            "they cannot show that counter-messaging caused any of the fall."
        ),
    ),
    Group(
        id="supporters",
        title="English-language pro-IS supporter accounts",
        unit="accounts",
        points=("BM-01 x BM-04", "BP-02", "BP-01"),
        shows=(
            "English-language supporter accounts went from at least {value:BM-01xBM-04} in "
            "{period:BM-01xBM-04} (BM-01 x BM-04) to fewer than {value:BP-02} in the network at "
            "any given time, usually fewer than {value:BP-01} readily discoverable, in "
            "{period:BP-02} (BP-02, BP-01): a fall before the GEC was announced on {event:gec}."
        ),
        cannot_show=(
            "The 2014 census counts every account seen over four months, not all active at once "
            "(BM-01's notes), and applies the {value:BM-04} English share (BM-04) to a "
            "conservative total, while the 2015 figures are upper bounds from a different method: "
            "neither the size of the fall nor its cause can be read off them."
        ),
        excluded=(
            ("BM-01", "all languages; enters through BM-01 x BM-04"),
            ("BM-03", "the hyperactive core (500-2,000 accounts), not all supporters"),
            ("FT-01", "a convenience sample of 112 accounts, not a count of supporters"),
            ("DD-01", "counts tweets of the accounts it followed, not the accounts at a time"),
        ),
    ),
    Group(
        id="suspensions",
        title="Pro-IS accounts suspended per month",
        unit="accounts per month",
        points=(
            "BM-05 / months",
            "TW-01 / months",
            "TW-04",
            "TW-03 / months",
            "TW-02 / months",
            "TW-05",
            "WSJ-02",
            "(TW-07 - TW-06) / months",
            "TW-07 / months",
            "TW-06 / months",
            "TW-08 / months",
            "TW-09 / months",
            "TW-10 / months",
            "TW-11 / months",
        ),
        shows=(
            "Reported removals grew from at least {value:BM-05/month} a month in "
            "{period:BM-05/month} (BM-05) to {value:TW-04} in {period:TW-04} (TW-04) and "
            "{value:TW-06/month} in {period:TW-06/month} (TW-06): the accounts being counted were "
            "deleted in growing numbers through the 45% window, before and after the GEC was "
            "announced on {event:gec}."
        ),
        cannot_show=(
            "The intervals overlap and differ in length, Twitter's blog totals and its "
            "transparency reports are not strictly comparable (TW-07's notes), and a count of "
            "removed accounts says nothing about how much pro-IS content was posted or whether "
            "minds changed."
        ),
        excluded=(
            ("BM-06", "suspensions within a 20,000-account sample, not all accounts"),
            ("CW-01", "suspensions within a 722-account study set, 2017"),
            ("CW-04", "non-IS jihadist accounts"),
            ("WSJ-03", "accounts created, not removed"),
        ),
    ),
    Group(
        id="ratio",
        title="Anti-IS to pro-IS content online",
        unit="ratio",
        points=("AP-02",),
        shows=(
            "The government put anti-IS content at {value:AP-02} to 1 against pro-IS content in "
            "{period:AP-02} (AP-02)."
        ),
        cannot_show=(
            "It is one snapshot with no earlier value (AP-02's notes) from an unpublished keyword "
            "measure (AP-01's notes), so it cannot show a change, let alone what caused one."
        ),
        excluded=(("AL-01", "its ~8% anti-ISIS share is of interactions, and only in the notes"),),
    ),
)

MEASUREMENT = (
    (
        "suspensions_delete",
        "Suspensions delete the accounts being counted: a count of pro-IS traffic falls when "
        "accounts are removed, whether or not anyone changed their mind. Twitter reported "
        "{value:TW-03} accounts suspended in {period:TW-03} (TW-03); the GEC's own assessment "
        "credits suspensions as well as counter-messaging (AP-05); new accounts kept appearing as "
        "old ones went (WSJ-03).",
        ("TW-03", "AP-05", "WSJ-03", "BP-03"),
    ),
    (
        "lexicon",
        "The {value:AP-02}:1 anti:pro ratio (AP-02) is a lexicon measure: the government's "
        "method was reported as keyword-based, counting words such as 'Caliphate' against "
        "'Daesh' (AP-01's notes). It counts which words are used, not who uses them or why.",
        ("AP-02", "AP-01"),
    ),
    (
        "definition_unpublished",
        "The government's definition of pro-IS traffic was never published, nor the series "
        "behind the 45% figure (AP-01): which accounts and words were counted, and how suspended "
        "accounts were treated, is unknown.",
        ("AP-01", "AP-05"),
    ),
    (
        "public_sample",
        "The only public tweet sample (FT-01: {value:FT-01} tweets, {period:FT-01}) is of "
        "accounts that survived until May 2016, scraped backwards: it measures its collection and "
        "cannot show a 2014 -> 2016 decline.",
        ("FT-01",),
    ),
)

SETTLE = (
    (
        "government_series",
        "The government series behind the 45% figure, month by month from {start:AP-05}, with "
        "its definition: the keywords or accounts counted and how suspended accounts enter the "
        "count.",
        ("AP-01", "AP-05"),
    ),
    (
        "archive",
        "An archive of pro-IS accounts and their tweets from {start:AP-05} onwards, collected as "
        "it happened rather than scraped back from survivors (the public sample starts "
        "{start:FT-01}, FT-01), so that removed accounts are in it.",
        ("FT-01", "AP-05"),
    ),
    (
        "suspensions_by_month",
        "Twitter's pro-IS suspensions month by month over the same period, on one definition "
        "(its blog totals and transparency reports differ, TW-07), to tell accounts removed from "
        "minds changed.",
        ("TW-01", "TW-03", "TW-07"),
    ),
    (
        "ratio_baseline",
        "The anti:pro ratio (AP-02) for {start:AP-05}, on the same keyword list, so that "
        "{value:AP-02}:1 has something to be compared with.",
        ("AP-02",),
    ),
)

_ID = r"[A-Z]{2,3}-\d{2}"
_PER_MONTH = re.compile(rf"^({_ID}) / months$")
_SHARE = re.compile(rf"^({_ID}) x ({_ID})$")
_DIFF = re.compile(rf"^\(({_ID}) - ({_ID})\) / months$")
_FIELD = re.compile(r"\{(value|period|start|end|event):([^}]+)\}")


# -- dates ------------------------------------------------------------------------------------


def _end_exclusive(ts: pd.Timestamp, precision: str) -> pd.Timestamp:
    """The first day after a date given at ``precision`` (2016-07 at month -> 2016-08-01)."""
    if precision == "year":
        return pd.Timestamp(ts.year + 1, 1, 1)
    if precision == "month":
        return (ts + pd.offsets.MonthBegin(1)).normalize()
    return ts + pd.Timedelta(days=1)


def months_between(start: pd.Timestamp, end_exclusive: pd.Timestamp) -> float:
    """Calendar months from ``start`` to ``end_exclusive`` (fractions by days in that month).

    Examples
    --------
    >>> months_between(pd.Timestamp("2016-07-01"), pd.Timestamp("2017-01-01"))
    6.0
    """

    def pos(t: pd.Timestamp) -> float:
        return t.year * 12 + (t.month - 1) + (t.day - 1) / calendar.monthrange(t.year, t.month)[1]

    return pos(end_exclusive) - pos(start)


def period_bounds(point: dict) -> tuple[pd.Timestamp, pd.Timestamp]:
    """A point's period as ``[first day, last day]`` (a snapshot without a start: its end)."""
    end_p = point.get("period_end_precision") or "day"
    end = pd.Timestamp(point["period_end"])
    last = _end_exclusive(end, end_p) - pd.Timedelta(days=1)
    if point.get("period_start"):
        return pd.Timestamp(point["period_start"]), last
    return end, last


def _date_words(ts: pd.Timestamp, precision: str) -> str:
    if precision == "year":
        return f"{ts.year}"
    if precision == "month":
        return ts.strftime("%B %Y")
    return f"{ts.day} {ts.strftime('%B %Y')}"


def _period_words(start, start_p, end, end_p) -> str:
    """``Jun-Oct 2015``, ``2014``, ``July 2016``, ``1 Jul 2016-31 Dec 2016``."""
    if start is None or pd.isna(start):
        return _date_words(pd.Timestamp(end), end_p or "day")
    start, end = pd.Timestamp(start), pd.Timestamp(end)
    last = _end_exclusive(end, end_p) - pd.Timedelta(days=1)
    if start.day == 1 and last == start + pd.offsets.MonthEnd(0):  # one calendar month
        return start.strftime("%B %Y")
    if start_p == end_p == "month":
        if start.year == end.year and (start.month, end.month) == (1, 12):
            return f"{start.year}"
        if start.year == end.year:
            return f"{start.strftime('%b')}-{end.strftime('%b %Y')}"
        return f"{start.strftime('%b %Y')}-{end.strftime('%b %Y')}"
    if start.day == 1 and _end_exclusive(end, end_p).day == 1:  # whole months, given by day
        last = end if end_p == "day" else _end_exclusive(end, end_p) - pd.Timedelta(days=1)
        if start.year == last.year:
            if (start.month, last.month) == (1, 12):
                return f"{start.year}"
            return f"{start.strftime('%b')}-{last.strftime('%b %Y')}"
        return f"{start.strftime('%b %Y')}-{last.strftime('%b %Y')}"
    same_year = "%b" if start.year == end.year else "%b %Y"
    a = (
        start.strftime(same_year)
        if start_p == "month"
        else f"{start.day} {start.strftime(same_year)}"
    )
    b = _date_words(end, end_p or "day").replace(end.strftime("%B"), end.strftime("%b"))
    return f"{a}-{b}"


# -- the table --------------------------------------------------------------------------------


def _rows(claims: pd.DataFrame | None = None) -> dict[str, dict]:
    """The published figures by claim id (``claims``: another table of the same columns)."""
    from explorer.catalog.claims import load_claims

    df = load_claims() if claims is None else claims
    out = {}
    for r in df.to_dict("records"):
        out[str(r["claim_id"])] = {k: (None if _missing(v) or v == "" else v) for k, v in r.items()}
    return out


def claim_rows(claims: pd.DataFrame | None = None) -> dict[str, dict]:
    """The published figures as ``{claim_id: row dict}`` (missing values as None), as the
    templates, ``statuses`` and ``evaluate`` read them."""
    return _rows(claims)


def _missing(v) -> bool:
    try:
        return bool(pd.isna(v))
    except (TypeError, ValueError):
        return False


def _iso(ts) -> str | None:
    return None if ts is None else pd.Timestamp(ts).strftime("%Y-%m-%d")


def source_text(row: dict) -> str:
    """``Publisher, "Title"``: how a source is named (never "link 1")."""
    pub, title = row.get("source_publisher") or "", row.get("source_title") or ""
    if pub and title:
        return f'{pub}, "{title}"'
    return pub or title or "source not recorded"


def _worst(statuses) -> str:
    return max(statuses, key=STATUS_ORDER.index)


def _number(v: float) -> float:
    """Derived counts to whole units; small numbers (ratios) to three significant digits."""
    if abs(v) >= 100:
        return float(round(v))
    return float(f"{v:.3g}")


def fmt_number(v: float) -> str:
    """``62,815``; small non-integers to three significant digits (``0.18``)."""
    return f"{v:,.0f}" if abs(v) >= 100 or float(v).is_integer() else f"{v:,.3g}"


def _months_text(m: float) -> str:
    return f"{m:.2f}".rstrip("0").rstrip(".")


# -- statuses ---------------------------------------------------------------------------------


def statuses(claim_id: str, rows: dict | None = None) -> dict:
    """The two labels of a published figure, never merged.

    Returns
    -------
    dict
        ``reported_as_stated``: ``{status: verified|partly|unverified, label, tooltip}`` (from
        the ``verification`` column, i.e. the notes); ``checkable``: ``{status: yes|partly|no|
        not assessed, label, tooltip}`` (``CHECKABLE``).

    Examples
    --------
    >>> s = statuses("AP-01")
    >>> (s["reported_as_stated"]["status"], s["checkable"]["status"])
    ('verified', 'no')
    """
    rows = rows if rows is not None else _rows()
    cid = str(claim_id).strip().upper()
    if cid not in rows:
        raise InputError(
            f"There is no published figure {claim_id!r}: use one of {', '.join(rows)}."
        )
    status, tip = REPORTED_AS_STATED[rows[cid]["verification"]]
    check = CHECKABLE.get(cid) or CHECKABLE.get(cid.split("-")[0])
    if check is None:
        c_status, c_tip = (
            "not assessed",
            "Whether public data can check this figure was not assessed.",
        )
    else:
        c_status, c_tip = check[0], fill(check[1], rows=rows)
    return {
        "reported_as_stated": {
            "status": status,
            "label": f"Reported as stated: {status}",
            "tooltip": tip,
        },
        "checkable": {
            "status": c_status,
            "label": f"Checkable with public data: {c_status}",
            "tooltip": c_tip,
        },
    }


# -- points -----------------------------------------------------------------------------------


def point_id(expr: str) -> str:
    """A point's id: the claim id, or the formula without spaces (``TW-06/month``)."""
    return expr.replace("(", "").replace(")", "").replace(" ", "").replace("months", "month")


def _base(row: dict) -> dict:
    return {
        "period_start": _iso(row.get("period_start")),
        "period_start_precision": row.get("period_start_precision"),
        "period_end": _iso(row.get("period_end")),
        "period_end_precision": row.get("period_end_precision"),
    }


def _finish_point(pt: dict, inputs: list[dict], rows: dict) -> dict:
    ids = [r["claim_id"] for r in inputs]
    pt["verification"] = _worst([r["verification"] for r in inputs])
    st = statuses(pt["claim_id"], rows)
    if len(inputs) > 1:  # the weakest of the inputs
        st["reported_as_stated"]["status"] = REPORTED_AS_STATED[pt["verification"]][0]
    pt["reported_as_stated"] = st["reported_as_stated"]["status"]
    pt["checkable"] = st["checkable"]["status"]
    pt["checkable_reason"] = st["checkable"]["tooltip"]
    sources = list(dict.fromkeys(source_text(r) for r in inputs))
    pt["source"] = "; ".join(sources)
    pt["sources"] = [
        {
            "claim_id": r["claim_id"],
            "publisher": r.get("source_publisher"),
            "title": r.get("source_title"),
            "url": r.get("source_url"),
        }
        for r in inputs
    ]
    pt["period_words"] = _period_words(
        pt["period_start"],
        pt["period_start_precision"],
        pt["period_end"],
        pt["period_end_precision"],
    )
    if len(ids) > 1 or "formula" in pt:
        pt["derived_from"] = list(dict.fromkeys(ids))
    return pt


def _light(row: dict) -> dict:
    """A row's value and period as the sentence templates read them (no statuses)."""
    pt = _base(row)
    pt.update(value=row["value"], low=row["value_low"], high=row["value_high"], unit=row["unit"])
    pt["period_words"] = _period_words(
        pt["period_start"],
        pt["period_start_precision"],
        pt["period_end"],
        pt["period_end_precision"],
    )
    return pt


def _need(rows: dict, cid: str, expr: str) -> dict:
    if cid not in rows:
        raise InputError(
            f"The record formula {expr!r} names {cid}, which is not a published figure."
        )
    row = rows[cid]
    if row.get("value") is None:
        raise InputError(f"The record formula {expr!r} needs a value for {cid}, which has none.")
    return row


def evaluate(expr: str, rows: dict | None = None) -> dict:
    """One point of a group: a claim id as published, or a formula over claim ids.

    Examples
    --------
    >>> p = evaluate("TW-06 / months")
    >>> (p["value"], p["formula"], p["derived_from"])
    (62815.0, 'TW-06 / 6 months', ['TW-06'])
    """
    rows = rows if rows is not None else _rows()
    expr = " ".join(expr.split())
    if m := _PER_MONTH.match(expr):
        a = _need(rows, m.group(1), expr)
        pt = _base(a)
        first, last = period_bounds(pt)
        months = months_between(first, last + pd.Timedelta(days=1))
        vals = (a["value"] / months, a["value_low"] / months, a["value_high"] / months)
        unit = f"{a['unit']} per month"
        formula = f"{a['claim_id']} / {_months_text(months)} months"
        calc = f"{fmt_number(a['value'])} / {_months_text(months)} months"
        inputs, bound, qualifier = [a], a.get("bound"), a.get("unit_qualifier")
    elif m := _SHARE.match(expr):
        a, b = _need(rows, m.group(1), expr), _need(rows, m.group(2), expr)
        if b["unit"] != "percent":
            raise InputError(f"In {expr!r}, {b['claim_id']} must be a percent (it is {b['unit']}).")
        if (a["period_start"], a["period_end"]) != (b["period_start"], b["period_end"]):
            raise InputError(
                f"In {expr!r}, {a['claim_id']} and {b['claim_id']} cover different periods."
            )
        pt = _base(a)
        vals = (
            a["value"] * b["value"] / 100,
            a["value_low"] * b["value_low"] / 100,
            a["value_high"] * b["value_high"] / 100,
        )
        unit, months = a["unit"], None
        formula = f"{a['claim_id']} x {b['claim_id']}"
        calc = f"{fmt_number(a['value'])} x {fmt_number(b['value'])}%"
        inputs, bound, qualifier = [a, b], a.get("bound") or b.get("bound"), a.get("unit_qualifier")
    elif m := _DIFF.match(expr):
        a, b = _need(rows, m.group(1), expr), _need(rows, m.group(2), expr)
        if a["unit"] != b["unit"] or a["period_end"] != b["period_end"]:
            raise InputError(
                f"In {expr!r}, {a['claim_id']} and {b['claim_id']} must share a unit and an end date."
            )
        if b.get("bound"):
            raise InputError(f"In {expr!r}, {b['claim_id']} is a bound and cannot be subtracted.")
        before_b = pd.Timestamp(b["period_start"]) - pd.Timedelta(days=1)
        pt = {
            "period_start": _iso(a["period_start"]),
            "period_start_precision": a["period_start_precision"],
            "period_end": _iso(before_b),
            "period_end_precision": "day",
        }
        months = months_between(pd.Timestamp(a["period_start"]), pd.Timestamp(b["period_start"]))
        vals = (
            (a["value"] - b["value"]) / months,
            (a["value_low"] - b["value_high"]) / months,
            (a["value_high"] - b["value_low"]) / months,
        )
        unit = f"{a['unit']} per month"
        formula = f"({a['claim_id']} - {b['claim_id']}) / {_months_text(months)} months"
        calc = (
            f"({fmt_number(a['value'])} - {fmt_number(b['value'])}) / {_months_text(months)} months"
        )
        inputs, bound, qualifier = [a, b], a.get("bound"), None
    elif re.fullmatch(_ID, expr):
        a = _need(rows, expr, expr)
        pt = _base(a)
        pt.update(
            {
                "point_id": expr,
                "claim_id": expr,
                "quantity": a["quantity"],
                "value": float(a["value"]),
                "low": float(a["value_low"]),
                "high": float(a["value_high"]),
                "value_text": _value_words(
                    {
                        "low": a["value_low"],
                        "high": a["value_high"],
                        "value": a["value"],
                        "unit": a["unit"],
                    }
                ),
                "unit": a["unit"],
                "bound": a.get("bound"),
                "qualifier": a.get("unit_qualifier"),
            }
        )
        return _finish_point(pt, [a], rows)
    else:
        raise InputError(
            f"Cannot read the record formula {expr!r}: use a claim id, 'ID / months', 'ID x ID' "
            "or '(ID - ID) / months'."
        )
    value, low, high = (_number(v) for v in vals)
    pt.update(
        {
            "point_id": point_id(expr),
            "claim_id": inputs[0]["claim_id"],
            "quantity": f"{inputs[0]['quantity']} ({formula})",
            "value": value,
            "low": min(low, high),
            "high": max(low, high),
            "value_text": fmt_number(value),
            "unit": unit,
            "bound": bound,
            "qualifier": qualifier,
            "formula": formula,
            "calculation": f"{calc} = {fmt_number(value)}",
        }
    )
    if months is not None:
        pt["months"] = round(months, 4)
    return _finish_point(pt, inputs, rows)


# -- sentences --------------------------------------------------------------------------------


def _value_words(p: dict) -> str:
    if p["low"] != p["high"]:
        return f"{fmt_number(p['low'])}-{fmt_number(p['high'])}"
    text = fmt_number(p["value"])
    return f"{text}%" if p.get("unit") == "percent" else text


def fill(template: str, *, rows: dict | None = None, points: dict | None = None) -> str:
    """A sentence template with ``{value:ID}``, ``{period:ID}``, ``{start:ID}``, ``{end:ID}``
    (ID a point id of the group or a claim id) and ``{event:KEY}`` (an event's date) filled in.
    """
    rows = rows if rows is not None else _rows()
    points = points or {}
    events = None

    def one(m: re.Match) -> str:
        nonlocal events
        kind, key = m.group(1), m.group(2)
        if kind == "event":
            if events is None:
                from explorer.catalog.events import load_events

                events = load_events().set_index("key")
            if key not in events.index:
                raise InputError(
                    f"The record text names event {key!r}, which is not in the catalogue."
                )
            e = events.loc[key]
            return e["date"].strftime("%Y-%m-%d" if e["precision"] == "day" else "%Y-%m")
        p = points.get(key)
        if p is None:
            if key not in rows:
                raise InputError(f"The record text names {key!r}, which is not a published figure.")
            p = _light(rows[key])
        if kind == "value":
            return _value_words(p)
        if kind == "period":
            return p["period_words"]
        col = "period_start" if kind == "start" else "period_end"
        prec = p.get(f"{col}_precision") or "day"
        if not p.get(col):
            return "an unstated date"
        return _date_words(pd.Timestamp(p[col]), prec)

    return _FIELD.sub(one, template)


# -- groups -----------------------------------------------------------------------------------


def group_ids() -> list[str]:
    return [g.id for g in GROUPS]


def _spec(group_id: str) -> Group:
    gid = str(group_id).strip().lower()
    for g in GROUPS:
        if g.id == gid:
            return g
    raise InputError(f"Unknown record group {group_id!r}: use one of {', '.join(group_ids())}.")


def _group_dict(g: Group, rows: dict) -> dict:
    pts = sorted(
        (evaluate(e, rows) for e in g.points),
        key=lambda p: (p["period_start"] or p["period_end"], p["period_end"]),
    )
    for p in pts:
        if p["unit"] != g.unit:
            raise InputError(f"{p['point_id']} is in {p['unit']}, not the {g.id} group's {g.unit}.")
    by_id = {p["point_id"]: p for p in pts}
    return {
        "id": g.id,
        "title": g.title,
        "unit": g.unit,
        "shows": fill(g.shows, rows=rows, points=by_id),
        "cannot_show": fill(g.cannot_show, rows=rows, points=by_id),
        "claim_ids": sorted(
            {c for p in pts for c in ([p["claim_id"]] + p.get("derived_from", []))}
        ),
        "excluded": [{"claim_id": c, "why": why} for c, why in g.excluded],
        "points": pts,
    }


def group(group_id: str) -> dict:
    """One group, evaluated: ``id, title, unit, shows, cannot_show, claim_ids, excluded, points``.

    Raises
    ------
    InputError
        Unknown group (the message lists the groups).
    """
    return _group_dict(_spec(group_id), _rows())


def groups(*, claims: pd.DataFrame | None = None) -> list[dict]:
    """Every group, evaluated against the catalogue (or ``claims``, a table of the same columns)."""
    rows = _rows(claims)
    return [_group_dict(g, rows) for g in GROUPS]


def _notes(items, rows: dict) -> list[dict]:
    return [{"id": i, "text": fill(t, rows=rows), "claim_ids": list(c)} for i, t, c in items]


def measurement_notes(*, claims: pd.DataFrame | None = None) -> list[dict]:
    """What the measurement itself does (``id, text, claim_ids``)."""
    return _notes(MEASUREMENT, _rows(claims))


def what_would_settle_it(*, claims: pd.DataFrame | None = None) -> list[dict]:
    """The data that would answer the question, so a journalist knows what to ask for."""
    return _notes(SETTLE, _rows(claims))


def consistency_checks() -> list[dict]:
    """Twitter's totals checked against each other (``check, values, holds``)."""
    rows = _rows()
    out = []
    for text in CONSISTENCY:
        left, right = text.split(" = ")
        a, b = (x.strip() for x in left.split(" + "))
        va, vb, vc = (float(_need(rows, c, text)["value"]) for c in (a, b, right.strip()))
        out.append(
            {
                "check": text,
                "calculation": f"{fmt_number(va)} + {fmt_number(vb)} = {fmt_number(va + vb)} (reported {fmt_number(vc)})",
                "holds": va + vb == vc,
                "claim_ids": [a, b, right.strip()],
            }
        )
    return out


def record(group_id: str | None = None) -> dict:
    """The whole record (or one group) as one JSON-ready dict, without the envelope."""
    rows = _rows()
    gs = (
        [_group_dict(_spec(group_id), rows)] if group_id else [_group_dict(g, rows) for g in GROUPS]
    )
    return {
        "groups": gs,
        "measurement": _notes(MEASUREMENT, rows),
        "what_would_settle_it": _notes(SETTLE, rows),
        "consistency": consistency_checks(),
    }
