"""Size limits on what the explorer reads, checked in code (not only by Streamlit's upload widget).

``MAX_UPLOAD_BYTES`` matches ``server.maxUploadSize`` in ``.streamlit/config.toml`` (50 MB); the
CLI and the loader apply it to files on disk as well, so every entry point refuses the same
files. The row and column limits keep one request from holding the app's memory; the
decompressed-size limits stop "zip bombs" (a small ``.xlsx`` or Parquet file that expands to
gigabytes) before openpyxl or pyarrow open them.
"""

from __future__ import annotations

MB = 1024 * 1024

MAX_UPLOAD_BYTES = 50 * MB  # == server.maxUploadSize (MB) in .streamlit/config.toml
MAX_ROWS = 1_000_000  # data rows (a century of daily data is 36,525)
MAX_COLUMNS = 1_000
MAX_XLSX_UNCOMPRESSED = 300 * MB  # total uncompressed size of an .xlsx zip's members
MAX_XLSX_RATIO = 200  # compression ratio of a member over 10 MB; spreadsheet XML is ~10-30x
MAX_DECOMPRESSED_BYTES = 500 * MB  # Parquet: total uncompressed size of its row groups
# Tweet ingest (explorer.tweets.pipeline): an uploaded .gz may expand to at most this many bytes
# (50 MB of compressed upload can otherwise be half a gigabyte of rows), and a series may hold at
# most this many periods (daily from Twitter's start, 2006-03-21, to today is about 7,400).
MAX_INGEST_DECOMPRESSED = 500 * MB
MAX_INGEST_PERIODS = 10_000


def human_bytes(n: int) -> str:
    """A byte count for messages, in binary megabytes as Streamlit counts them.

    Examples
    --------
    >>> human_bytes(52428800), human_bytes(2048), human_bytes(12)
    ('50 MB', '2 KB', '12 bytes')
    """
    if n >= MB:
        return f"{n / MB:.0f} MB"
    if n >= 1024:
        return f"{n / 1024:.0f} KB"
    return f"{n} bytes"
