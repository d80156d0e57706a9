"""data/fifthtribe: daily, weekly and monthly series from Fifth Tribe's "How ISIS Uses Twitter".

Built by ``explorer.tweets.ingest`` (the same code as ``python -m explorer ingest``, generic
layout with a hashtags column) from ``data/raw/fifthtribe/tweets_textfree.csv``: the text-free
per-tweet file that ``scripts/derive_fifthtribe.py`` makes from the Kaggle file (time, account
pseudonym, followers, hashtags). The Kaggle file holds extremist text and is never committed;
``make data-check`` confirms the derivative where the Kaggle file is at hand. Only counts,
follower statistics, stance counts and hashtag frequencies leave this script.
"""

from __future__ import annotations

import pathlib

from build_data import ROOT, derived_from, input_entry, resource, write_package

from explorer.tweets.lexicon import DEFAULT_LEXICON, load_lexicon
from explorer.tweets.pipeline import FIFTHTRIBE_CAVEATS, ingest

CITATION = "Fifth Tribe (2016), How ISIS Uses Twitter, Kaggle"
FREQS = {"D": ("daily", "day"), "W": ("weekly", "week (Monday)"), "M": ("monthly", "month")}
TOP_K = 25

CAVEATS = [
    "The text is extremist propaganda. Never display tweet text, descriptions or user names; "
    "these files hold counts, hashtag frequencies and follower statistics only.",
    "It is a convenience sample of accounts that survived until May 2016, scraped backwards: 95% "
    "of tweets fall in Jan-May 2016, only 30 before Aug 2015. Tweet counts per period measure "
    "the collection, not ISIS's activity; it cannot show a 2014 -> 2016 decline.",
    "CC0 per the Kaggle page (as quoted in a 2016 copy of it); cite 'Fifth Tribe (2016), How "
    "ISIS Uses Twitter, Kaggle'.",
    "Coverage: an account is observed from its first to its last collected tweet. Zero counts "
    "are zeros only where the period was observed (coverage 'ok' or 'low'); periods no account "
    "spans would have empty counts (coverage 'none'). 'low' marks periods observed through fewer "
    "than half as many accounts as the best-covered period.",
    "Stance counts use the bundled hashtag lexicon (data/lexicon): only #Caliphate and #Daesh "
    "are cited (AP, 2016-07-09); the other terms are assumptions. Pro-IS accounts also use "
    "anti-IS hashtags, so n_anti here counts hashtags, not opponents.",
]


def _fields(series, unit: str, stances) -> list[dict]:
    from explorer.tweets.pipeline import column_descriptions

    desc = column_descriptions(stances, "anti_pro_ratio" in series.columns)
    types = {"date": "date", "coverage": "string", "coverage_share": "number"}
    units = {
        "date": f"{unit} (first day)",
        "n_tweets": "tweets",
        "n_active_accounts": "accounts",
        "mean_followers": "followers per account",
        "median_followers": "followers per account",
        "n_accounts_observed": "accounts",
        "coverage_share": "share (0-1)",
        "coverage": None,
        "anti_pro_ratio": "ratio",
    }
    out = []
    for c in series.columns:
        t = types.get(c) or ("integer" if c.startswith("n_") else "number")
        u = units.get(c, "accounts" if c.endswith("_accounts") else "tweets")
        out.append({"name": c, "type": t, "unit": u, "description": desc[c]})
    return out


RAW = "fifthtribe/tweets_textfree.csv"


def build(raw_dir: pathlib.Path, out: pathlib.Path) -> None:
    raw = pathlib.Path(raw_dir) / RAW
    lex = load_lexicon()
    resources, tags = [], None
    for freq, (name, unit) in FREQS.items():
        res = ingest(raw, format="generic", freq=freq, lexicon=lex, top_k=TOP_K, threads=2)
        s = res.series.copy()
        s["date"] = s["date"].dt.strftime("%Y-%m-%d")
        # Rounded so the bytes do not depend on summation order.
        for c in ("mean_followers", "median_followers"):
            s[c] = s[c].round(2)
        s["anti_pro_ratio"] = s["anti_pro_ratio"].round(4)
        m = res.meta
        resources.append(
            resource(
                out,
                s,
                f"{name}.csv",
                name=name,
                title=f"Fifth Tribe sample: tweets, active accounts, followers and stance per {unit.split()[0]}",
                fields=_fields(s, unit, lex.stances),
                frequency=freq,
                analysis={"time": "date", "value": "n_tweets"},
                coverage=m["coverage"],
                notes=m["notes"],
            )
        )
        if freq == "M":
            tags = res.hashtags.assign(date=res.hashtags["date"].dt.strftime("%Y-%m-%d"))
            totals = {"rows_read": m["rows_read"], "accounts": m["accounts"]}
            span = (m["first_tweet"], m["last_tweet"])
    resources.append(
        resource(
            out,
            tags,
            "hashtags_monthly.csv",
            name="hashtags_monthly",
            title=f"Fifth Tribe sample: uses per month of its {TOP_K} most used hashtags",
            fields=[
                {
                    "name": "date",
                    "type": "date",
                    "unit": "month (first day)",
                    "description": "the month",
                },
                {
                    "name": "hashtag",
                    "type": "string",
                    "description": "the hashtag, normalised (case-folded, underscores dropped, "
                    "Arabic letter variants unified)",
                },
                {
                    "name": "count",
                    "type": "integer",
                    "unit": "uses",
                    "description": "uses of the hashtag in the month (months without a use are absent)",
                },
            ],
            period_columns=("date", "date"),
        )
    )
    write_package(
        out,
        {
            "name": "fifthtribe",
            "title": "How ISIS Uses Twitter (Fifth Tribe, 2016): activity, followers and stance per period",
            "description": (
                f"Per-period aggregates of the {totals['rows_read']:,} tweets from "
                f"{totals['accounts']} pro-IS accounts in Fifth Tribe's Kaggle sample "
                f"({span[0][:10]} to {span[1][:10]}): tweets, active accounts, follower "
                "statistics, accounts observed (collection coverage), pro/anti stance counts "
                "from the hashtag lexicon, and the top hashtags per month. Built with "
                "'python -m explorer ingest' from a text-free per-tweet derivative of the Kaggle "
                "file (time, account pseudonym, followers, hashtags). The tweets themselves are "
                "not included."
            ),
            "citation": CITATION,
            "licenses": [
                {
                    "name": "CC0-1.0",
                    "title": "CC0 1.0 (per the Kaggle page, as quoted in a 2016 copy of it)",
                    "path": "https://creativecommons.org/publicdomain/zero/1.0/",
                }
            ],
            "sources": [
                {
                    "title": "How ISIS Uses Twitter (Kaggle dataset by Khuram Zaman / Fifth Tribe)",
                    "citation": CITATION,
                    "path": "https://www.kaggle.com/fifthtribe/how-isis-uses-twitter",
                }
            ],
            "derived_from": derived_from(
                __file__,
                [
                    input_entry(raw, raw_dir),
                    input_entry(ROOT / "scripts" / "derive_fifthtribe.py"),
                    input_entry(DEFAULT_LEXICON),
                    input_entry(ROOT / "explorer" / "tweets" / "pipeline.py"),
                ],
                function="explorer.tweets.ingest(format='generic')",
                lexicon_version=lex.version,
            ),
            "caveats": CAVEATS + [c for c in FIFTHTRIBE_CAVEATS[2:]],
            "resources": resources,
        },
    )
