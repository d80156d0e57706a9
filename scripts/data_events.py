"""data/events: interventions and confounders, one row each, dated from the published figures.

Every event cites one row of ``data/raw/published_figures.csv`` (``claim_id``); its date,
precision, source and verification status are read from that row, so the two tables cannot
disagree. The keys are the intervention presets of the CLI and the app (``--intervention gec``).
"""

from __future__ import annotations

import pathlib

import pandas as pd
from build_data import derived_from, input_entry, resource, write_package
from data_published_figures import RAW, normalise

KINDS = ("policy", "platform enforcement", "attack", "publication")

# key, label, kind, claim_id, one-line description. The date comes from the claim's period_start.
EVENTS = [
    (
        "cscc",
        "CSCC established (EO 13584)",
        "policy",
        "DT-01",
        "Executive Order 13584 sets up the State Department's Center for Strategic "
        "Counterterrorism Communications, the GEC's predecessor.",
    ),
    (
        "coalition",
        "Anti-ISIS coalition formed",
        "policy",
        "DT-02",
        "Washington forms the international coalition against IS (AP gives the month only).",
    ),
    (
        "census",
        "ISIS Twitter Census published",
        "publication",
        "DT-03",
        "Berger & Morgan (Brookings) publish the first census of ISIS-supporting Twitter accounts.",
    ),
    (
        "twitter_campaign",
        "Twitter suspension campaign under way",
        "platform enforcement",
        "TW-01",
        "Twitter dates its campaign 'since mid-2015' (TW-01); dated July 2015, the start of the "
        "window its own and Conway et al.'s counts use (TW-01, TW-03, TW-04); its transparency "
        "reports count from 1 Aug 2015 (TW-07), a month later.",
    ),
    (
        "paris",
        "Paris attacks",
        "attack",
        "DT-04",
        "ISIS attacks in Paris kill 130; Berger & Perez report a large suspension wave after them.",
    ),
    (
        "gec",
        "GEC announced",
        "policy",
        "DT-05",
        "The State Department announces the Global Engagement Center, replacing the CSCC.",
    ),
    (
        "twitter_125k",
        "Twitter: 125,000 accounts suspended",
        "platform enforcement",
        "DT-06",
        "Twitter announces more than 125,000 accounts suspended for promoting terrorism since "
        "mid-2015.",
    ),
    (
        "eo13721",
        "Executive Order 13721 signed",
        "policy",
        "DT-07",
        "Executive Order 13721 formally establishes the GEC, about two months after it was "
        "announced.",
    ),
    (
        "brussels",
        "Brussels attacks",
        "attack",
        "DT-08",
        "ISIS attacks in Brussels kill 32 (the day, 22 March, is general knowledge, not verified "
        "in the sources).",
    ),
    (
        "june_wave",
        "June 2016 suspension wave",
        "platform enforcement",
        "DT-09",
        "A large wave of ISIS account suspensions: 'hundreds and probably thousands' in 24 hours "
        "(J.M. Berger).",
    ),
    (
        "ap_story",
        "AP story: ISIS Twitter traffic down 45%",
        "publication",
        "DT-10",
        "The Associated Press reports officials' figure of a 45% fall in pro-IS Twitter traffic "
        "over two years.",
    ),
    (
        "twitter_235k",
        "Twitter: further 235,000 suspended",
        "platform enforcement",
        "DT-11",
        "Twitter announces 235,000 more accounts suspended since February (360,000 since mid-2015).",
    ),
    (
        "ndaa2017",
        "NDAA FY2017 widens GEC mandate",
        "policy",
        "DT-12",
        "The FY2017 defence act extends the GEC's mission to state propaganda and "
        "disinformation (month only).",
    ),
]

FIELDS = [
    ("key", "string", None, "Short id used on the CLI and in the app: --intervention KEY."),
    ("label", "string", None, "Human-readable name for charts and tables."),
    (
        "date",
        "date",
        None,
        "When it happened (ISO date; the first day of the month if month precision).",
    ),
    ("precision", "string", None, "day or month: what the date names."),
    ("kind", "string", None, "policy, platform enforcement, attack or publication."),
    ("description", "string", None, "One line on what happened and why it matters here."),
    ("claim_id", "string", None, "The row of published_figures this event is dated from."),
    ("verification", "string", None, "That row's status: VERIFIED, PARTLY_VERIFIED or UNVERIFIED."),
    ("source_title", "string", None, "Title of the source (from the claim row)."),
    ("source_publisher", "string", None, "Publisher of the source (from the claim row)."),
    ("source_url", "string", None, "URL of the source (from the claim row)."),
]


def events_table(claims: pd.DataFrame) -> pd.DataFrame:
    """The events table from the normalised published figures."""
    by_id = claims.set_index("claim_id")
    rows = []
    for key, label, kind, claim_id, description in EVENTS:
        assert kind in KINDS, (key, kind)
        c = by_id.loc[claim_id]
        precision = c["period_start_precision"]
        assert precision in ("day", "month"), (key, precision)
        rows.append(
            {
                "key": key,
                "label": label,
                "date": c["period_start"],
                "precision": precision,
                "kind": kind,
                "description": description,
                "claim_id": claim_id,
                "verification": c["verification"],
                "source_title": c["source_title"],
                "source_publisher": c["source_publisher"],
                "source_url": c["source_url"],
            }
        )
    return pd.DataFrame(rows).sort_values(["date", "key"], kind="stable").reset_index(drop=True)


def build(raw_dir: pathlib.Path, out: pathlib.Path) -> None:
    raw_path = raw_dir / RAW
    raw = pd.read_csv(raw_path, dtype=str, keep_default_na=False, encoding="utf-8")
    table = events_table(normalise(raw))
    fields = [{"name": n, "type": t, "unit": u, "description": d} for n, t, u, d in FIELDS]
    res = resource(
        out,
        table,
        "events.csv",
        name="events",
        title="Interventions and confounders, 2011-2016",
        fields=fields,
        frequency=None,
        analysis={},
        period_columns=("date", "date"),
        primaryKey=["key"],
    )
    write_package(
        out,
        {
            "name": "events",
            "title": "Events: the interventions and confounders around the 45% claim",
            "description": (
                "Policies (anti-ISIS coalition, GEC announcement, EO 13721), Twitter's "
                "suspension campaign and waves, attacks (Paris, Brussels) and publications (AP "
                "story), one row each with its date, precision, kind and source. These are the "
                "intervention presets: --intervention gec resolves here."
            ),
            "licenses": [
                {
                    "name": "MIT",
                    "title": "Compilation: MIT (this project); dates are facts quoted with "
                    "citation from their sources",
                    "path": "https://opensource.org/licenses/MIT",
                }
            ],
            "sources": [
                {
                    "title": "Published figures (DT-xx and TW-xx rows), compiled by hand",
                    "citation": "One source per row (claim_id, source_title, source_url); "
                    "see data/published_figures.",
                    "path": "data/published_figures/published_figures.csv",
                }
            ],
            "derived_from": derived_from(
                __file__,
                [
                    input_entry(raw_path, raw_dir),
                    input_entry(pathlib.Path(__file__).with_name("data_published_figures.py")),
                ],
            ),
            "caveats": [
                "Month-precision events (coalition, twitter_campaign, ndaa2017) are dated to the "
                "first day of the month; in monthly data that month is the first treated one.",
                "'Twitter's suspension campaign' has no single start date: Twitter says 'since "
                "mid-2015'; we use July 2015 (its transparency reports start 1 Aug 2015). Move "
                "the date to see how much that choice matters.",
                "Many events cluster between November 2015 and March 2016 (Paris, suspension "
                "wave, GEC, 125,000 suspensions, EO 13721, Brussels): monthly data cannot tell "
                "their effects apart.",
            ],
            "resources": [res],
        },
    )
