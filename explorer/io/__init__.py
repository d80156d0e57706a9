"""Reading data: bytes -> cells -> a ``Table`` -> one ``SeriesData`` on a period grid.

``readers`` (file types, decoding, delimiters, .xlsx, Parquet) -> ``cells`` (numbers and dates
from cell text) -> ``loader`` (``load_table``: time column, frequency, long data, the report) ->
``series`` (``extract_series`` / ``series_from_spec``). ``limits`` holds the size limits.
"""

from explorer.io.loader import LoadReport, Table, load_table
from explorer.io.series import SeriesData, extract_series, series_from_spec

__all__ = ["LoadReport", "SeriesData", "Table", "extract_series", "load_table", "series_from_spec"]
