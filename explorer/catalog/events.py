"""The interventions and confounders (``data/events``): the presets behind ``--intervention gec``.

Each event has a short ``key`` (gec, paris, twitter_125k, ...), a label, a date with its
precision (day or month), a kind (policy, platform enforcement, attack, publication), one line
of description and the published figure (``claim_id``) it is dated from.

``resolve`` plugs into ``explorer.spec.parse_intervention(text, resolve=resolve)``. It returns
the *key* as the intervention's label, so ``--intervention gec`` and
``--intervention gec=2016-01-08`` give the same spec and the same model terms (``gec:level``);
charts look the human label up with ``label_for``.
"""

from __future__ import annotations

import pandas as pd

from explorer.errors import SpecError

DATASET = "events"
KINDS = ("policy", "platform enforcement", "attack", "publication")

_cache: dict[tuple, pd.DataFrame] = {}


def load_events() -> pd.DataFrame:
    """The events table, sorted by date: key, label, date (datetime), precision, kind, ...

    Examples
    --------
    >>> load_events().set_index("key").loc["gec", "date"].strftime("%Y-%m-%d")
    '2016-01-08'
    """
    from explorer.catalog import datasets as catalog

    info = catalog.get_dataset(DATASET)
    stamp = (str(info.path), info.path.stat().st_mtime_ns, info.sha256)
    if stamp not in _cache:
        _cache.clear()
        _cache[stamp] = catalog.read_frame(DATASET)
    return _cache[stamp].copy()


def date_text(date: pd.Timestamp, precision: str) -> str:
    """``2016-01-08`` for day precision, ``2015-07`` for month precision."""
    return date.strftime("%Y-%m" if precision == "month" else "%Y-%m-%d")


def resolve(key: str) -> tuple[str, str]:
    """A catalogue key -> ``(label, date)`` for ``explorer.spec.parse_intervention``.

    The label returned is the key itself (see the module docstring); the date is written at the
    event's precision (``2015-07`` for the month-precision Twitter campaign).

    Raises
    ------
    SpecError
        If the key is not in the catalogue; the message lists the known keys.

    Examples
    --------
    >>> resolve("gec")
    ('gec', '2016-01-08')
    """
    ev = load_events()
    k = str(key).strip().lower()
    row = ev[ev["key"] == k]
    if row.empty:
        raise SpecError(
            f"Unknown intervention {key!r}: use one of the events {', '.join(ev['key'])}, or set "
            "one by hand as LABEL=DATE (e.g. gec=2016-01-08)."
        )
    r = row.iloc[0]
    return str(r["key"]), date_text(r["date"], r["precision"])


def label_for(key: str) -> str:
    """The human label of an event key (the key itself if it is not an event)."""
    ev = load_events()
    row = ev[ev["key"] == key]
    return str(row["label"].iloc[0]) if len(row) else key


def presets(*, start=None, end=None, kinds=None) -> list[dict]:
    """The events as intervention presets, by date, optionally inside ``[start, end]``.

    Parameters
    ----------
    start, end
        Keep only events dated inside this range (anything ``pd.Timestamp`` reads).
    kinds
        Keep only these kinds (e.g. ``("policy", "platform enforcement")``).

    Returns
    -------
    list of dict
        ``key``, ``label``, ``date`` (text at the event's precision, as ``--intervention``
        takes it), ``precision``, ``kind``, ``description``, ``claim_id``, ``verification``,
        ``source_url``.
    """
    ev = load_events()
    if start is not None:
        ev = ev[ev["date"] >= pd.Timestamp(start)]
    if end is not None:
        ev = ev[ev["date"] <= pd.Timestamp(end)]
    if kinds is not None:
        bad = sorted(set(kinds) - set(KINDS))
        if bad:
            raise SpecError(f"Unknown event kind {bad[0]!r}: use one of {', '.join(KINDS)}.")
        ev = ev[ev["kind"].isin(list(kinds))]
    cols = ["key", "label", "precision", "kind", "description", "claim_id", "verification"]
    out = []
    for r in ev.to_dict("records"):
        d = {c: str(r[c]) for c in cols}
        d["date"] = date_text(r["date"], r["precision"])
        d["source_url"] = str(r["source_url"])
        out.append(d)
    return out
