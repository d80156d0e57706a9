"""The loader: every accepted format and every refusal, on files made here.

Each refusal test checks that the message says what is wrong (naming the column, cell or date)
and how to fix it, since that message is all a user of the app or the CLI sees.
"""

from __future__ import annotations

import io
import json
import re
import zipfile

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from explorer.errors import InputError
from explorer.io import limits
from explorer.io.loader import LoadReport, Table, load_table


def load(text: str | bytes, name: str = "data.csv", **kw) -> Table:
    raw = text.encode("utf-8") if isinstance(text, str) else text
    return load_table(raw, filename=name, **kw)


def refused(text, *fragments, name: str = "data.csv", **kw) -> str:
    with pytest.raises(InputError) as exc:
        load(text, name, **kw)
    msg = str(exc.value)
    for f in fragments:
        assert f.lower() in msg.lower(), msg
    return msg


def monthly_csv(n=12, sep=",", start="2015-01", values=None) -> str:
    dates = pd.period_range(start, periods=n, freq="M").strftime("%Y-%m")
    values = values if values is not None else [10 + i for i in range(n)]
    return f"month{sep}count\n" + "".join(
        f"{d}{sep}{v}\n" for d, v in zip(dates, values, strict=True)
    )


# -- text formats ----------------------------------------------------------------------------
def test_csv_iso_dates_daily():
    t = load("date,value\n2016-01-01,1.5\n2016-01-02,2\n2016-01-03,3.25\n2016-01-04,4\n")
    assert isinstance(t.report, LoadReport)
    assert t.time_column == "date" and t.freq == "D"
    assert t.frame["date"].dtype.kind == "M"
    assert t.frame["value"].tolist() == [1.5, 2.0, 3.25, 4.0]
    assert (t.report.delimiter, t.report.encoding, t.report.decimal) == (",", "UTF-8", ".")
    assert t.report.n_rows == 4 and t.report.n_columns == 2 and not t.report.long_format
    assert t.group_column is None and t.name == "data.csv" and len(t.sha256) == 64


def test_tsv():
    t = load("week\tn\n2016-W01\t5\n2016-W02\t6\n2016-W03\t7\n", name="x.tsv")
    assert t.report.delimiter == "\t" and t.freq == "W"
    assert list(t.frame["week"].dt.strftime("%Y-%m-%d")) == [
        "2016-01-04",
        "2016-01-11",
        "2016-01-18",
    ]
    assert t.report.date_format.startswith("YYYY-Www")


def test_semicolon_decimal_comma_and_dot_thousands():
    t = load(
        "Monat;Besuche;Anteil\n2016-01;1.234,5;12,5%\n2016-02;1.100,0;13,0%\n2016-03;998,25;9,75%\n"
    )
    assert t.report.delimiter == ";" and t.report.decimal == "," and t.report.thousands == "."
    assert t.frame["Besuche"].tolist() == [1234.5, 1100.0, 998.25]
    assert t.frame["Anteil"].tolist() == [12.5, 13.0, 9.75]
    assert any("% signs" in n for n in t.report.notes)


def test_comma_thousands_and_spaces_and_percent():
    t = load(
        'date,views,share,people\n2016-01-01,"1,234",45%,12 345\n2016-01-02,"12,000.5",50.5%,1 000\n'
        '2016-01-03,"1,000,000",7%,999\n'
    )
    assert t.frame["views"].tolist() == [1234.0, 12000.5, 1_000_000.0]
    assert t.frame["share"].tolist() == [45.0, 50.5, 7.0]
    assert t.frame["people"].tolist() == [12345.0, 1000.0, 999.0]
    assert t.report.decimal == "." and "," in t.report.thousands


def test_ambiguous_thousands_reported_in_semicolon_file():
    t = load("jahr;wert\n2014;1,234\n2015;2,5\n2016;3,75\n")
    assert t.report.decimal == ","
    assert t.frame["wert"].tolist() == [1.234, 2.5, 3.75]
    t = load("year;value\n2014;1.234\n2015;2.345\n2016;3.456\n")
    assert t.frame["value"].tolist() == [1234.0, 2345.0, 3456.0]
    assert any("could be a thousand or a decimal" in n for n in t.report.notes)


def test_sheet_for_a_csv_is_noted():
    t = load(monthly_csv(5), sheet="Data")
    assert any("sheet 'Data' was ignored" in n for n in t.report.notes)


def test_utf8_bom():
    t = load(("\ufeff" + monthly_csv(6)).encode("utf-8"))
    assert t.report.encoding == "UTF-8 with BOM"
    assert t.time_column == "month" and t.frame.columns[0] == "month"


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-le", "utf-16-be"])
def test_utf16(codec):
    raw = monthly_csv(6, sep="\t").encode(codec)
    t = load(raw)
    assert t.report.encoding.startswith("UTF-16")
    assert t.frame["count"].tolist() == [10.0, 11.0, 12.0, 13.0, 14.0, 15.0]


def test_windows_1252_is_read_with_a_note():
    t = load(
        "région;valeur\n2016-01;1\n2016-02;2\n2016-03;3\n".replace("région", "r\xe9gion").encode(
            "cp1252"
        )
    )
    assert t.report.encoding == "Windows-1252"
    assert "région" in t.frame.columns
    assert any("not UTF-8" in n for n in t.report.notes)


def test_title_lines_above_header_and_footer_total_dropped():
    text = "Monthly visits, source: example\n\n" + monthly_csv(6) + "Total,75\n"
    t = load(text)
    assert len(t.frame) == 6 and t.frame["count"].sum() == 75
    notes = " ".join(t.report.notes)
    assert "above the header" in notes and "'Total'" in notes


# -- time columns ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    "cells, freq, first, fmt",
    [
        (["2016-01-04", "2016-01-05", "2016-01-06", "2016-01-07"], "D", "2016-01-04", "YYYY-MM-DD"),
        (["2016-01-04 10:00:00", "2016-01-05 10:00:00", "2016-01-06 11:30:00", "2016-01-07 09:00:00"], "D", "2016-01-04 10:00", "YYYY-MM-DD HH:MM:SS"),
        (["2016-01-04T00:00:00Z", "2016-01-11T00:00:00Z", "2016-01-18T00:00:00Z", "2016-01-25T00:00:00Z"], "W", "2016-01-04", "YYYY-MM-DD HH:MM:SS"),
        (["2016-01", "2016-02", "2016-03", "2016-04"], "M", "2016-01-01", "YYYY-MM"),
        (["2015-W52", "2015-W53", "2016-W01", "2016-W02"], "W", "2015-12-21", "YYYY-Www (ISO week)"),
        (["2015Q3", "2015Q4", "2016Q1", "2016Q2"], "Q", "2015-07-01", "YYYY-Qn"),
        (["2013", "2014", "2015", "2016"], "Y", "2013-01-01", "YYYY"),
        (["Jan 2016", "Feb 2016", "Mar 2016", "Apr 2016"], "M", "2016-01-01", "%b %Y"),
        (["2016/01/31", "2016/02/29", "2016/03/31", "2016/04/30"], "M", "2016-01-31", "YYYY/MM/DD"),
    ],
)  # fmt: skip
def test_time_formats(cells, freq, first, fmt):
    t = load("period,value\n" + "".join(f"{c},{i + 1}\n" for i, c in enumerate(cells)))
    assert t.freq == freq
    assert t.frame["period"].iloc[0] == pd.Timestamp(first)
    assert t.report.date_format == fmt
    assert t.frame["value"].tolist() == [1.0, 2.0, 3.0, 4.0]


def test_month_end_dates_are_read_as_months():
    t = load("date,v\n2016-01-31,1\n2016-02-29,2\n2016-03-31,3\n2016-04-30,4\n")
    assert t.freq == "M"
    assert any("last day of each month" in n for n in t.report.notes)


def test_year_and_month_columns_auto_and_explicit():
    text = "year,month,aces,time\n" + "".join(
        f"{2002 + i // 12},{i % 12 + 1},{700 + i},{i + 1}\n" for i in range(18)
    )
    for kw in ({}, {"time": "year,month"}, {"time": "YEAR, MONTH"}):
        t = load(text, **kw)
        assert t.time_column == "period" and t.freq == "M"
        assert t.frame.columns[0] == "period" and "year" in t.frame.columns
        assert t.frame["period"].iloc[13] == pd.Timestamp("2003-02-01")
    assert "time" in t.frame.columns and t.frame["time"].iloc[-1] == 18


def test_year_and_month_names_and_year_quarter():
    t = load("Year,Month,n\n2016,Jan,1\n2016,February,2\n2016,mar,3\n", time="Year,Month")
    assert list(t.frame["period"].dt.month) == [1, 2, 3]
    t = load("year,quarter,n\n2016,1,1\n2016,2,2\n2016,3,3\n2016,4,4\n")
    assert t.freq == "Q" and list(t.frame["period"].dt.month) == [1, 4, 7, 10]


def test_explicit_time_column_is_used_and_checked():
    text = "id,when,v\n1,2016-01,3\n2,2016-02,4\n3,2016-03,5\n"
    assert load(text, time="when").time_column == "when"
    refused(text, "no column 'nope'", "'when'", time="nope")
    refused(text, "column 'v' does not hold dates", "none of its cells", time="v")


def test_day_first_detected_from_a_day_above_12():
    cells = [f"{d:02d}/04/2016" for d in range(1, 29)]
    t = load("date,v\n" + "".join(f"{c},{i}\n" for i, c in enumerate(cells)))
    assert t.report.dayfirst is True and t.freq == "D"
    assert t.frame["date"].iloc[2] == pd.Timestamp("2016-04-03")
    note = " ".join(t.report.notes)
    assert "could be day/month or month/day" in note and "13/04/2016" in note
    assert t.report.date_format == "%d/%m/%Y"


def test_month_first_detected_us_dates_with_times():
    cells = [f"4/{d}/2016 {d}:05" for d in range(1, 20)]
    t = load("time,v\n" + "".join(f"{c},{i}\n" for i, c in enumerate(cells)))
    assert t.report.dayfirst is False
    assert t.frame["time"].iloc[4] == pd.Timestamp("2016-04-05 05:05")
    assert "month/day" in " ".join(t.report.notes)


def test_fully_ambiguous_dates_resolved_by_regularity():
    # First of each month, day/month: read month/day they would jump from 12 Jan to 1 Jan 2017.
    cells = [f"01/{m:02d}/2016" for m in range(1, 13)] + ["01/01/2017", "01/02/2017"]
    t = load("date,v\n" + "".join(f"{c},{i}\n" for i, c in enumerate(cells)))
    assert t.report.dayfirst is True and t.freq == "M"
    assert any("regular" in n for n in t.report.notes)


def test_fully_ambiguous_short_series_says_so_and_can_be_forced():
    text = "date,v\n01/02/2016,1\n01/03/2016,2\n01/04/2016,3\n01/05/2016,4\n"
    t = load(text)
    assert t.report.dayfirst is True
    assert any("nothing in the file tells the two apart" in n for n in t.report.notes)
    t = load(text, dayfirst=False)
    assert t.report.dayfirst is False and t.freq == "D"
    assert t.frame["date"].iloc[0] == pd.Timestamp("2016-01-02")


def test_mixed_day_month_orders_refused():
    refused("date,v\n25/04/2016,1\n04/26/2016,2\n27/04/2016,3\n", "mix", "25/04/2016", "YYYY-MM-DD")


# -- frequency, gaps, long data --------------------------------------------------------------
@pytest.mark.parametrize(
    "dates, freq",
    [
        (pd.date_range("2016-01-01", periods=10, freq="D"), "D"),
        (pd.date_range("2016-01-03", periods=10, freq="W-SUN"), "W"),
        (pd.date_range("2016-01-01", periods=10, freq="MS"), "M"),
        (pd.date_range("2016-01-01", periods=10, freq="QS"), "Q"),
        (pd.date_range("2006-01-01", periods=10, freq="YS"), "Y"),
    ],
)
def test_frequency_inferred(dates, freq):
    t = load("date,v\n" + "".join(f"{d:%Y-%m-%d},{i}\n" for i, d in enumerate(dates)))
    assert t.freq == freq and t.report.frequency == freq and t.report.gaps == ()


def test_gaps_are_reported_and_stay_missing():
    text = "month,n\n2016-01,5\n2016-02,6\n2016-05,9\n2016-06,8\n"
    t = load(text)
    assert t.report.gaps == (pd.Timestamp("2016-03-01"), pd.Timestamp("2016-04-01"))
    assert len(t.frame) == 4 and 0 not in t.frame["n"].tolist()
    assert any("2 monthly period(s) have no row" in n for n in t.report.notes)
    d = t.report.to_dict()
    assert json.loads(json.dumps(d))["gaps"] == ["2016-03-01", "2016-04-01"]


def test_long_data_recognised():
    rows = [
        f"{s},{y},{100 + i + j}\n"
        for j, s in enumerate(["A", "B", "C"])
        for i, y in enumerate(range(2000, 2008))
    ]
    t = load("State,Year,Packs\n" + "".join(rows))
    assert t.group_column == "State" and t.report.long_format
    assert t.time_column == "Year" and t.freq == "Y" and len(t.frame) == 24


def test_event_level_rows_noted():
    text = "time,n\n" + "".join(f"2016-01-0{d} 0{h}:00,1\n" for d in range(1, 4) for h in range(3))
    t = load(text)
    assert t.freq == "D" and t.group_column is None
    assert any("one row per event" in n for n in t.report.notes)


# -- spreadsheets and Parquet ----------------------------------------------------------------
def _xlsx(path, sheets: dict, title: str | None = None):
    import openpyxl

    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        if title:
            ws.append([title])
        for r in rows:
            ws.append(r)
    wb.save(path)
    return path


def test_xlsx_first_and_named_sheet(tmp_path):
    import datetime as dt

    rows_a = [["date", "visits"]] + [[dt.datetime(2016, m, 1), m * 10] for m in range(1, 7)]
    rows_b = [["year", "value"]] + [[2000 + i, i * 1.5] for i in range(5)]
    p = _xlsx(
        tmp_path / "book.xlsx", {"Monthly": rows_a, "Yearly": rows_b}, title="Visits (thousands)"
    )
    t = load_table(p)
    assert t.report.file_type == "xlsx" and t.report.sheet == "Monthly" and t.freq == "M"
    assert t.frame["visits"].tolist() == [10.0, 20.0, 30.0, 40.0, 50.0, 60.0]
    assert any("first sheet" in n for n in t.report.notes)
    assert any("above the header" in n for n in t.report.notes)
    t = load_table(p, sheet="yearly")
    assert t.report.sheet == "Yearly" and t.freq == "Y" and t.time_column == "year"
    with pytest.raises(InputError, match="no sheet 'Daily'.*'Monthly', 'Yearly'"):
        load_table(p, sheet="Daily")


def test_xlsx_text_cells_parsed_like_csv(tmp_path):
    rows = [["month", "share"]] + [[f"2016-0{m}", f"{m},5%"] for m in range(1, 6)]
    p = _xlsx(tmp_path / "t.xlsx", {"S": rows})
    t = load_table(p)
    assert t.freq == "M" and t.frame["share"].tolist() == [1.5, 2.5, 3.5, 4.5, 5.5]


def test_parquet(tmp_path):
    df = pd.DataFrame(
        {
            "date": pd.date_range("2016-01-01", periods=8, freq="MS"),
            "n": np.arange(8) * 2.0,
            "label": list("abcdefgh"),
        }
    )
    p = tmp_path / "d.parquet"
    df.to_parquet(p)
    t = load_table(p)
    assert t.report.file_type == "parquet" and t.freq == "M"
    assert t.frame["n"].tolist() == df["n"].tolist() and t.frame["label"].tolist() == list(
        "abcdefgh"
    )
    assert load_table(p.read_bytes(), filename="upload.parquet").sha256 == t.sha256


# -- refusals --------------------------------------------------------------------------------
@pytest.mark.parametrize("raw", [b"", b"   \n\n", b"\xef\xbb\xbf\n"])
def test_empty_file_refused(raw):
    refused(raw, "empty")


def test_header_only_refused():
    refused("date,value\n", "header", "no rows", "date, value")


@pytest.mark.parametrize(
    "raw, what",
    [
        (bytes(range(256)) * 8, "binary"),
        (b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj", "PDF"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, ".xls"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 50, "image"),
        (b"\x1f\x8b\x08\x00" + b"\x00" * 50, "gzip"),
        (b"<!DOCTYPE html><html><body>hi</body></html>", "web page"),
        (b'[{"date": "2016-01", "v": 1}]', "JSON"),
    ],
)
def test_binary_and_non_tables_refused(raw, what):
    refused(raw, what)


def test_zip_that_is_not_a_workbook_refused():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("data.csv", "date,v\n2016-01,1\n")
    refused(buf.getvalue(), "zip archive", ".xlsx or CSV", name="data.zip")


def test_damaged_workbook_and_parquet_refused(tmp_path):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("xl/workbook.xml", "<not really")
    refused(buf.getvalue(), "cannot be opened", name="broken.xlsx")
    p = tmp_path / "d.parquet"
    pd.DataFrame({"date": pd.date_range("2016-01-01", periods=5), "v": range(5)}).to_parquet(p)
    refused(p.read_bytes()[:-30], "parquet", name="d.parquet")
    refused(b"date,v\n2016-01,1\n", "named like an excel file", name="fake.xlsx")


def test_xlsx_zip_bomb_refused_before_openpyxl_opens_it(monkeypatch):
    import openpyxl

    def boom(*a, **k):  # pragma: no cover - must not be reached
        raise AssertionError("openpyxl opened a zip bomb")

    monkeypatch.setattr(openpyxl, "load_workbook", boom)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("xl/workbook.xml", "<workbook/>")
        zf.writestr("xl/worksheets/sheet1.xml", b"\x20" * (20 * 1024 * 1024))
    assert len(buf.getvalue()) < 200_000
    refused(buf.getvalue(), "zip bomb", name="bomb.xlsx")
    monkeypatch.setattr(limits, "MAX_XLSX_UNCOMPRESSED", 1024)
    small = io.BytesIO()
    with zipfile.ZipFile(small, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("xl/workbook.xml", "<workbook/>" * 50)
        zf.writestr("xl/worksheets/sheet1.xml", "<sheetData/>" * 100)
    refused(small.getvalue(), "expands to 2 KB", "limit 1 KB", name="big.xlsx")


def test_size_limits(monkeypatch, tmp_path):
    monkeypatch.setattr(limits, "MAX_UPLOAD_BYTES", 100)
    refused(monthly_csv(12), "over the 100 bytes limit")
    p = tmp_path / "big.csv"
    p.write_text(monthly_csv(12))
    with pytest.raises(InputError, match="limit"):
        load_table(p)
    monkeypatch.setattr(limits, "MAX_UPLOAD_BYTES", 50 * limits.MB)
    monkeypatch.setattr(limits, "MAX_ROWS", 10)
    refused(monthly_csv(12), "more than 10 rows", "aggregate")
    monkeypatch.setattr(limits, "MAX_COLUMNS", 3)
    refused("date,a,b,c\n2016-01,1,2,3\n", "4 columns", "limit of 3")


def test_upload_limit_matches_streamlit_config(root):
    import tomllib

    cfg = tomllib.loads((root / ".streamlit" / "config.toml").read_text())
    assert limits.MAX_UPLOAD_BYTES == cfg["server"]["maxUploadSize"] * limits.MB


def test_no_parseable_dates_refused():
    refused(
        "name,value\nalpha,1\nbeta,2\n", "no column holds dates", "'name', 'value'", "YYYY-MM-DD"
    )


def test_undated_row_in_the_middle_refused():
    text = "month,n\n2016-01,1\n2016-02,2\nsoon,3\n2016-04,4\n2016-05,5\n2016-06,6\n2016-07,7\n2016-08,8\n2016-09,9\n"
    refused(text, "data row 3", "'soon'", "not a date")


def test_short_file_undated_row_is_not_a_footer():
    refused("date,v\n2016-01,1\n2016-02,2\nfoo,3\n2016-04,4\n2016-05,4\n", "data row 3", "'foo'")


def test_single_column_refused():
    refused("date\n2016-01\n2016-02\n", "one column", "value column")


def test_ragged_row_refused_with_decimal_comma_hint():
    refused("date,value\n2016-01,1,5\n2016-02,2,5\n", "line 2 has 3 cells", "semicolons")


@pytest.mark.parametrize(
    "cell", ["=SUM(B2:B3)", "+cmd|' /C calc'!A0", "-2+3+cmd|' /C calc'!A0", "@SUM(1+1)*cmd"]
)
def test_formula_cells_in_numeric_column_refused(cell):
    text = (
        f'date,n\n2016-01,1\n2016-02,2\n2016-03,"{cell.replace(chr(34), chr(34) * 2)}"\n2016-04,4\n'
    )
    refused(text, "column 'n'", "formula", "values only")


@pytest.mark.parametrize("cell", ["inf", "-inf", "+Infinity"])
def test_infinities_are_refused_as_infinite_not_as_formulas(cell):
    from explorer.io.series import extract_series

    t = load(f"date,n\n2016-01,1\n2016-02,2\n2016-03,{cell}\n2016-04,4\n2016-05,5\n")
    with pytest.raises(
        InputError, match=rf"column 'n' holds an infinite value \('{re.escape(cell)}'\)"
    ):
        extract_series(t, value="n")


def test_signed_numbers_are_not_formulas():
    t = load("date,n\n2016-01,-1\n2016-02,+2\n2016-03,- 3\n2016-04,(4)\n")
    assert t.frame["n"].tolist() == [-1.0, 2.0, -3.0, -4.0]


def test_mostly_numeric_column_kept_as_text_with_note():
    t = load("date,n\n2016-01,1\n2016-02,two\n2016-03,3\n2016-04,4\n")
    assert t.frame["n"].dtype == "str"
    assert any("mostly numbers" in n and "'two'" in n for n in t.report.notes)


def test_missing_markers_read_as_missing():
    t = load("date,n\n2016-01,1\n2016-02,NA\n2016-03,\n2016-04,-\n2016-05,5\n")
    assert t.frame["n"].isna().tolist() == [False, True, True, True, False]


def test_path_errors():
    with pytest.raises(InputError, match="No file"):
        load_table("/nonexistent/file.csv")
    with pytest.raises(InputError, match="file path or the file's bytes"):
        load_table(12345)


# -- property: anything either loads or is refused with InputError --------------------------
_csvish = st.lists(
    st.lists(
        st.one_of(
            st.sampled_from(
                [
                    "2016-01",
                    "2016-01-05",
                    "05/01/2016",
                    "2016",
                    "W",
                    "1,5",
                    "=A1",
                    "",
                    "NA",
                    '"',
                    "45%",
                ]
            ),
            st.integers(-(10**6), 10**6).map(str),
            st.floats(allow_nan=True, allow_infinity=True).map(str),
            st.text(max_size=8),
        ),
        min_size=1,
        max_size=5,
    ),
    min_size=0,
    max_size=12,
)


def _loads_or_refuses(raw: bytes, name: str) -> None:
    from explorer.io.series import extract_series

    try:
        t = load_table(raw, filename=name)
    except InputError as exc:
        assert str(exc).strip()
        return
    assert isinstance(t, Table) and t.freq in ("D", "W", "M", "Q", "Y")
    json.dumps(t.report.to_dict())
    for col in t.frame.columns:
        if col == t.time_column:
            continue
        try:
            extract_series(t, value=col)
        except InputError:
            pass


@settings(
    max_examples=int(__import__("os").environ.get("LOADER_EXAMPLES", 150)),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(
    st.binary(max_size=400), st.sampled_from(["f.csv", "f.tsv", "f.xlsx", "f.parquet", "upload"])
)
def test_property_random_bytes(raw, name):
    _loads_or_refuses(raw, name)


@settings(
    max_examples=int(__import__("os").environ.get("LOADER_EXAMPLES", 150)),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(
    _csvish, st.sampled_from([",", ";", "\t"]), st.sampled_from(["utf-8", "utf-16", "utf-8-sig"])
)
def test_property_csvish_text(rows, sep, codec):
    text = "\n".join(sep.join(r) for r in [["date", "value"], *rows])
    _loads_or_refuses(text.encode(codec, errors="replace"), "f.csv")


def _mutations(base: bytes, rng, n: int):
    for _ in range(n):
        raw = bytearray(base)
        op = rng.choice(["truncate", "flip", "scribble", "insert"])
        if op == "truncate":
            raw = raw[: rng.randrange(1, len(raw))]
        elif op == "flip":
            raw[rng.randrange(len(raw))] ^= 1 << rng.randrange(8)
        elif op == "scribble":
            for _ in range(20):
                raw[rng.randrange(len(raw))] = rng.randrange(256)
        else:
            i = rng.randrange(len(raw))
            raw[i:i] = rng.choice([b",", b";", b"\n", b'"', b"=", b"\x00", b"%"]) * rng.randrange(
                1, 4
            )
        yield bytes(raw)


def test_damaged_files_load_or_refuse(tmp_path):
    """Truncated and bit-flipped workbooks, Parquet and CSV files: a Table or an InputError."""
    import datetime as dt
    import random

    xlsx = _xlsx(
        tmp_path / "m.xlsx",
        {
            "S": [["date", "n", "label"]]
            + [[dt.datetime(2016, m, 1), m * 1.5, f"x{m}"] for m in range(1, 13)]
        },
    ).read_bytes()
    buf = io.BytesIO()
    pd.DataFrame(
        {"date": pd.date_range("2016-01-01", periods=12, freq="MS"), "n": range(12)}
    ).to_parquet(buf)
    csv = "date;n;m\n" + "".join(
        f"{d:%d/%m/%Y};{i},5;{i * 1000:,}\n"
        for i, d in enumerate(pd.date_range("2016-01-01", periods=30))
    )
    rng = random.Random(20160108)
    for base, name in ((xlsx, "a.xlsx"), (buf.getvalue(), "a.parquet"), (csv.encode(), "a.csv")):
        for raw in _mutations(base, rng, 60):
            _loads_or_refuses(raw, name)


def test_large_files_take_the_fast_parser_with_the_same_result(monkeypatch):
    """Files over 200 kB go through pandas' C parser; it must give what the csv module gives."""
    from explorer.io import readers

    rng = np.random.default_rng(7)
    days = pd.date_range("2000-01-01", periods=6000)
    lines = ["date;note;value;share"]
    for i, d in enumerate(days):
        note = ['"a; b"', '"line\nbreak"', "", '"quote ""x"""'][i % 4]
        lines.append(
            f"{d:%d/%m/%Y};{note};{rng.integers(0, 10**6):,}".replace(",", ".") + f";{i % 100},5%"
        )
        if i % 1000 == 0:
            lines.append("")  # blank lines are skipped
    text = "\n".join(lines) + "\n"
    assert len(text) > 200_000
    calls = []
    real = readers._read_text_fast
    monkeypatch.setattr(readers, "_read_text_fast", lambda *a: calls.append(1) or real(*a))
    fast = load(text)
    assert calls, "the fast parser was not used"
    monkeypatch.setattr(readers, "_read_text_fast", lambda *a: None)
    careful = load(text)
    pd.testing.assert_frame_equal(fast.frame, careful.frame)
    assert fast.report == careful.report
    assert fast.freq == "D" and fast.report.dayfirst is True and len(fast.frame) == 6000
    assert fast.frame["note"].iloc[1] == "line\nbreak" and fast.frame["share"].iloc[3] == 3.5


def test_excel_sep_hint_and_fiscal_years():
    t = load("sep=;\nyear;spend\n2013-14;1,5\n2014-15;2,5\n2015-16;3,5\n2016-17;4\n")
    assert t.report.delimiter == ";" and t.freq == "Y"
    assert list(t.frame["year"].dt.year) == [2013, 2014, 2015, 2016]
    assert t.frame["spend"].tolist() == [1.5, 2.5, 3.5, 4.0]
    assert any("fiscal" in n for n in t.report.notes)
    # "2011-12" alone is December 2011: months stay months
    assert load("m,v\n2011-11,1\n2011-12,2\n2012-01,3\n").freq == "M"


def test_xlsx_formulas_read_as_saved_results_with_a_note(tmp_path):
    import datetime as dt

    rows = [["date", "n", "double"]] + [
        [dt.datetime(2016, m, 1), m, f"=B{m + 1}*2"] for m in range(1, 7)
    ]
    t = load_table(_xlsx(tmp_path / "f.xlsx", {"S": rows}))
    # openpyxl writes formulas without results, as scripts do: they read as missing, never 0
    assert t.frame["double"].isna().all() and t.frame["n"].tolist() == [1, 2, 3, 4, 5, 6]
    assert any("formulas" in n and "missing" in n for n in t.report.notes)


@pytest.mark.parametrize(
    "column, first, expected_first, how",
    [
        ("Week", "2014-06-01", "2014-06-02", "starting on a Sunday"),  # Google Trends
        ("week_ending", "2014-06-01", "2014-05-26", "containing it"),  # Mon-Sun, ends Sunday
        ("Week ending", "2014-06-07", "2014-06-02", "containing it"),  # CDC: ends Saturday
        ("week ending", "2014-06-02", "2014-05-26", "ending on a Monday"),
        ("week beginning", "2014-06-06", "2014-06-09", "starting on a Friday"),
        ("week", "2014-06-04", "2014-06-02", "containing it"),
    ],
)
def test_weekly_dates_placed_on_the_monday_week_they_mostly_cover(
    column, first, expected_first, how
):
    d = pd.date_range(first, periods=6, freq="7D")
    t = load(f"{column},n\n" + "".join(f"{x:%Y-%m-%d},{i + 1}\n" for i, x in enumerate(d)))
    assert t.freq == "W" and t.report.gaps == ()
    from explorer.periods import to_period_start

    # the week every consumer (extract_series, the app) will put the first row in
    assert to_period_start(t.frame[t.time_column], "W")[0] == pd.Timestamp(expected_first)
    # the file's own dates are kept, unless the row moves to another week: then its Monday
    kept = first if how == "containing it" else expected_first
    assert t.frame[t.time_column].iloc[0] == pd.Timestamp(kept)
    assert any(how in n for n in t.report.notes), t.report.notes


@pytest.mark.parametrize("module", ["loader", "readers", "cells", "limits", "series"])
def test_docstring_examples_run(module):
    import doctest
    import importlib

    result = doctest.testmod(importlib.import_module(f"explorer.io.{module}"))
    assert result.attempted > 0 and result.failed == 0
