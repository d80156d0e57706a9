"""The published figures (``data/published_figures``): the claims to check and what surrounds them.

``load_claims()`` is the normalised table (typed value, unit, ISO dates with precision, and a
``verification`` status to show next to every figure); ``get_claim`` picks one row;
``claim_window`` turns a claimed change into the ``ClaimSpec`` the attribution uses.

``FACTS`` are the points the explorer must state wherever it checks the headline claim (AP-01).
"""

from __future__ import annotations

import re

import pandas as pd

from explorer.errors import InputError
from explorer.spec import ClaimSpec

DATASET = "published_figures"
HEADLINE = "AP-01"
VERIFICATION = ("VERIFIED", "PARTLY_VERIFIED", "UNVERIFIED")

FACTS = {
    "no_public_series": (
        "The government series behind the 45% figure was never released: the explorer cannot "
        "re-estimate the claim from its own data and works from what is public."
    ),
    "decline_predates_gec": (
        "The GEC's own assessment dates the 45% decline 'since June 2014' (AP-05), about 19 "
        "months before the GEC was announced on 2016-01-08, and credits counter-messaging and "
        "account suspensions."
    ),
    "followers_before_gec": (
        "Berger & Perez already measured 300-400 followers per English-language supporter "
        "account in June-October 2015 (BP-03), before the GEC existed."
    ),
    "wsj_40_unverified": (
        "The WSJ 'down 40%' figure (WSJ-01) could not be found in any source: do not cite it."
    ),
}

_CHANGE = re.compile(r"\b(change|decline|fall|fell|drop|plunge)", re.IGNORECASE)


def load_claims() -> pd.DataFrame:
    """The 47 published figures, normalised (see ``data/published_figures/datapackage.json``).

    Examples
    --------
    >>> load_claims().set_index("claim_id").loc["AP-01", "value"]
    np.float64(-45.0)
    """
    from explorer.catalog import datasets as catalog

    return catalog.read_frame(DATASET)


def get_claim(claim_id: str) -> dict:
    """One published figure as a dict (dates as Timestamps, missing values as None).

    Raises
    ------
    InputError
        If there is no such claim id; the message lists the known ids.
    """
    df = load_claims()
    cid = str(claim_id).strip().upper()
    row = df[df["claim_id"] == cid]
    if row.empty:
        raise InputError(
            f"There is no published figure {claim_id!r}: use one of {', '.join(df['claim_id'])}."
        )
    return {k: (None if pd.isna(v) else v) for k, v in row.iloc[0].to_dict().items()}


def _text(date, precision) -> str:
    fmt = {"year": "%Y", "month": "%Y-%m"}.get(precision, "%Y-%m-%d")
    return pd.Timestamp(date).strftime(fmt)


def claim_window(claim_id: str = HEADLINE, *, credit: str | None = None) -> ClaimSpec:
    """The claim's window (and claimed change, for a percent change) as a ``ClaimSpec``.

    Dates are written at the source's precision: AP-01 gives ``2014-06`` to ``2016-07``.

    Parameters
    ----------
    claim_id
        A published figure with a period start and end (default AP-01, the 45% claim).
    credit
        The intervention the claim credits (an events key such as ``gec``), if any.

    Raises
    ------
    InputError
        Unknown id, or a figure without a start and end (a date or a snapshot, not a change).

    Examples
    --------
    >>> w = claim_window("AP-01", credit="gec")
    >>> (w.start, w.end, w.claimed_change_pct)
    ('2014-06', '2016-07', -45.0)
    """
    c = get_claim(claim_id)
    if c["period_start"] is None or c["period_end"] is None:
        raise InputError(
            f"{c['claim_id']} ({c['quantity']}) has no start and end date, so it is not a change "
            "over a window: pick a figure with both, such as AP-01 or AP-05."
        )
    change = None
    if c["unit"] == "percent" and c["value"] is not None and _CHANGE.search(c["quantity"]):
        change = float(c["value"])
    return ClaimSpec(
        start=_text(c["period_start"], c["period_start_precision"]),
        end=_text(c["period_end"], c["period_end_precision"]),
        claimed_change_pct=change,
        credit=credit,
    )
