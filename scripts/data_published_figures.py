"""data/published_figures: the claims and dates around them, normalised (all 47 rows kept).

From ``data/raw/published_figures.csv``: the value becomes a number (ranges such as
``15000-18000`` give ``value_low``/``value_high`` and their midpoint as ``value``), the unit is
split from its qualifier (``accounts (more than)`` -> ``accounts`` + ``more than``, with
``bound`` = lower), dates become ISO dates with their precision, and ``verification`` is the
status the notes start with.
"""

from __future__ import annotations

import pathlib
import re

import pandas as pd
from build_data import derived_from, input_entry, resource, write_package

RAW = "published_figures.csv"
VERIFICATION = {
    "VERIFIED": "VERIFIED",
    "PARTLY VERIFIED": "PARTLY_VERIFIED",
    "UNVERIFIED": "UNVERIFIED",
}
_RANGE = re.compile(r"^(-?\d+(?:\.\d+)?)-(\d+(?:\.\d+)?)$")
_UNIT = re.compile(r"^(?P<unit>[^(]*?)\s*\((?P<q>.*)\)$")
_LOWER = ("at least", "more than", "greater than")
_UPPER = ("fewer than", "less than", "at most")


def verification(notes: str) -> str:
    """VERIFIED / PARTLY_VERIFIED / UNVERIFIED from the start of the notes."""
    s = notes.strip()
    # "PARTLY VERIFIED" is tested before "VERIFIED" so the longer status wins.
    for prefix in ("PARTLY VERIFIED", "UNVERIFIED", "VERIFIED"):
        if s.startswith(prefix):
            return VERIFICATION[prefix]
    raise ValueError(f"notes do not start with a verification status: {s[:40]!r}")


def parse_value(text: str) -> tuple[float | None, float | None, float | None, str]:
    """-> (value, low, high, kind): kind is point, range (value = midpoint) or missing."""
    s = text.strip().replace(",", "")
    if not s:
        return None, None, None, "missing"
    m = _RANGE.match(s)
    if m:
        low, high = float(m.group(1)), float(m.group(2))
        return (low + high) / 2.0, low, high, "range"
    v = float(s)
    return v, v, v, "point"


def parse_unit(text: str) -> tuple[str, str, str]:
    """-> (unit, qualifier, bound) with bound lower, upper or empty."""
    s = text.strip()
    m = _UNIT.match(s)
    unit, qual = (m.group("unit").strip(), m.group("q").strip()) if m else (s, "")
    q = qual.lower()
    bound = (
        "lower" if any(w in q for w in _LOWER) else "upper" if any(w in q for w in _UPPER) else ""
    )
    return unit, qual, bound


def parse_date(text: str) -> tuple[str, str]:
    """``2016``, ``2016-07`` or ``2016-07-09`` -> (ISO first day, year|month|day); '' -> ('', '')."""
    s = text.strip()
    if not s:
        return "", ""
    parts = s.split("-")
    precision = {1: "year", 2: "month", 3: "day"}[len(parts)]
    y, m, d = (int(p) for p in (parts + ["1", "1"])[:3])
    return pd.Timestamp(year=y, month=m, day=d).strftime("%Y-%m-%d"), precision


def _first_url(text: str) -> str:
    m = re.search(r"https?://\S+", text)
    return m.group(0).rstrip(";,") if m else ""


def normalise(raw: pd.DataFrame) -> pd.DataFrame:
    """The normalised table (one row per raw row, same order)."""
    rows = []
    for r in raw.to_dict("records"):
        value, low, high, kind = parse_value(r["value"])
        unit, qual, bound = parse_unit(r["unit"])
        start, start_p = parse_date(r["period_start"])
        end, end_p = parse_date(r["period_end"])
        as_of, as_of_p = parse_date(r["as_of_date"])
        rows.append(
            {
                "claim_id": r["claim_id"],
                "prefix": r["claim_id"].split("-")[0],
                "quantity": r["quantity"],
                "value": value,
                "value_low": low,
                "value_high": high,
                "value_kind": kind,
                "value_text": r["value"],
                "unit": unit,
                "unit_qualifier": qual,
                "bound": bound,
                "period_start": start,
                "period_start_precision": start_p,
                "period_end": end,
                "period_end_precision": end_p,
                "as_of_date": as_of,
                "as_of_precision": as_of_p,
                "verification": verification(r["notes"]),
                "source_title": r["source_title"],
                "source_publisher": r["source_publisher"],
                "source_url": _first_url(r["source_url_or_citation"]),
                "source_url_or_citation": r["source_url_or_citation"],
                "notes": r["notes"],
            }
        )
    return pd.DataFrame(rows)


FIELDS = [
    ("claim_id", "string", None, "Identifier of the figure: prefix (source family) and number."),
    (
        "prefix",
        "string",
        None,
        "Source family: AP (Associated Press, 9 Jul 2016), WSJ, BM (Berger & Morgan 2015), BP "
        "(Berger & Perez 2016), TW (Twitter), CW (Conway et al. 2017), DD (Alexander 2017), AL "
        "(Alfifi et al.), FT (Fifth Tribe), DT (key dates).",
    ),
    ("quantity", "string", None, "What the figure measures, as stated by the source."),
    (
        "value",
        "number",
        "see unit",
        "The figure as a number; for a range (value_kind = range) the MIDPOINT of value_low and "
        "value_high; empty when the source gives no number (dates, unverified figures).",
    ),
    ("value_low", "number", "see unit", "Lower end of a range; equals value for a single number."),
    ("value_high", "number", "see unit", "Upper end of a range; equals value for a single number."),
    ("value_kind", "string", None, "point, range (value is the midpoint) or missing."),
    ("value_text", "string", None, "The value exactly as written in the raw table."),
    ("unit", "string", None, "Unit without its qualifier (accounts, percent, tweets, date, ...)."),
    (
        "unit_qualifier",
        "string",
        None,
        "The qualifier the raw unit carried in brackets (more than, at least, 63% of 722, ...).",
    ),
    (
        "bound",
        "string",
        None,
        "lower if the figure is a minimum (at least, more than), upper if a maximum (fewer "
        "than), empty otherwise.",
    ),
    ("period_start", "date", None, "First day of the period the figure covers (ISO date)."),
    ("period_start_precision", "string", None, "year, month or day: what period_start names."),
    (
        "period_end",
        "date",
        None,
        "The last period covered, named by its first day (2016-07-01 with precision month "
        "means July 2016, inclusive).",
    ),
    ("period_end_precision", "string", None, "year, month or day: what period_end names."),
    ("as_of_date", "date", None, "When the source published the figure (first day of it)."),
    ("as_of_precision", "string", None, "year, month or day: what as_of_date names."),
    (
        "verification",
        "string",
        None,
        "VERIFIED, PARTLY_VERIFIED or UNVERIFIED: the status the notes start with; show it "
        "next to the figure.",
    ),
    ("source_title", "string", None, "Title of the source."),
    ("source_publisher", "string", None, "Publisher of the source."),
    ("source_url", "string", None, "The first URL given for the source."),
    ("source_url_or_citation", "string", None, "All URLs / the citation, as in the raw table."),
    ("notes", "string", None, "The curators' notes, starting with the verification status."),
]


def build(raw_dir: pathlib.Path, out: pathlib.Path) -> None:
    raw_path = raw_dir / RAW
    raw = pd.read_csv(raw_path, dtype=str, keep_default_na=False, encoding="utf-8")
    table = normalise(raw)
    fields = [{"name": n, "type": t, "unit": u, "description": d} for n, t, u, d in FIELDS]
    res = resource(
        out,
        table,
        "published_figures.csv",
        name="published_figures",
        title="Published figures on ISIS on Twitter, with sources and verification status",
        fields=fields,
        frequency=None,
        analysis={},
        period_columns=("period_start", "period_end"),
        primaryKey=["claim_id"],
    )
    write_package(
        out,
        {
            "name": "published_figures",
            "title": "Published figures: the 45% claim and the numbers and dates around it",
            "description": (
                "47 figures and dates from the AP story (9 July 2016), Berger & Morgan (2015), "
                "Berger & Perez (2016), Twitter's announcements and transparency reports, "
                "Conway et al. (2017) and others, each with its source and whether the curators "
                "could verify it (VERIFIED / PARTLY_VERIFIED / UNVERIFIED)."
            ),
            "licenses": [
                {
                    "name": "MIT",
                    "title": "Compilation: MIT (this project); the figures are facts quoted "
                    "with citation from their sources",
                    "path": "https://opensource.org/licenses/MIT",
                }
            ],
            "sources": [
                {
                    "title": "Published figures compiled by hand from public sources",
                    "citation": "One source per row (source_title, source_publisher, "
                    "source_url_or_citation); headline: Associated Press, 'AP Exclusive: "
                    "Islamic State's Twitter traffic plunges', 9 July 2016.",
                    "path": "https://whdh.com/news/us-world/ap-exclusive-islamic-states-twitter-traffic-plunges/",
                }
            ],
            "derived_from": derived_from(__file__, [input_entry(raw_path, raw_dir)]),
            "caveats": [
                "The government series behind the 45% figure (AP-01) was never released: the "
                "claim cannot be re-estimated from its own data.",
                "The GEC's own assessment (AP-05) dates the 45% decline 'since June 2014', about "
                "19 months before the GEC was announced (2016-01-08), and credits "
                "counter-messaging and account suspensions.",
                "Berger & Perez (BP-03) already measured 300-400 followers per English-language "
                "supporter account in June-October 2015, before the GEC existed.",
                "The WSJ 'down 40%' figure (WSJ-01) could not be found in any source: do not "
                "cite it.",
                "Ranges are stored as low/high with their midpoint in value; bounds ('more "
                "than', 'fewer than') are in the bound column, not in the number.",
            ],
            "resources": [res],
        },
    )
