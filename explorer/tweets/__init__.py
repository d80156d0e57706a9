"""Tweet archives -> per-period series (counts, followers, stance, coverage); text never kept.

``pipeline`` (``ingest`` -> ``IngestResult``, ``write_result``), ``lexicon`` (the hashtag
stance lexicon and ``normalise``). duckdb is imported when an archive is read.
"""

from explorer.tweets.lexicon import Lexicon, load_lexicon, normalise
from explorer.tweets.pipeline import (
    IngestResult,
    column_descriptions,
    fifthtribe_sample,
    ingest,
    parse_mapping,
    write_result,
)

__all__ = [
    "IngestResult",
    "Lexicon",
    "column_descriptions",
    "fifthtribe_sample",
    "ingest",
    "load_lexicon",
    "normalise",
    "parse_mapping",
    "write_result",
]
