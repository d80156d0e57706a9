"""``python -m explorer chart``: exact PNG size, text on the image, the data behind it as CSV."""

from __future__ import annotations

import struct

import pandas as pd
import pytest

from explorer.cli import main

FLAGS = [
    "--time",
    "month_start",
    "--value",
    "aces",
    "--offset",
    "stdpop",
    "--family",
    "quasipoisson",
    "--seasonality",
    "fourier:2",
    "--no-slope-change",
    "--intervention",
    "ban=2005-01",
]


@pytest.fixture(scope="module")
def sicily_csv(raw_data, tmp_path_factory):
    d = pd.read_csv(raw_data / "reference" / "sicily.csv")
    d["month_start"] = pd.to_datetime(dict(year=d.year, month=d.month, day=1)).dt.strftime("%Y-%m")
    path = tmp_path_factory.mktemp("cli") / "sicily.csv"
    d.to_csv(path, index=False)
    return path, d


def test_png_is_exactly_the_asked_size_and_csv_is_the_data(sicily_csv, tmp_path, capsys):
    path, raw = sicily_csv
    png, csv = tmp_path / "c.png", tmp_path / "c.csv"
    rc = main(
        [
            "chart",
            str(path),
            *FLAGS,
            "--title",
            "Fell",
            "--source",
            "Lopez Bernal 2017",
            "--out",
            str(png),
            "--width",
            "900",
            "--height",
            "500",
            "--data-out",
            str(csv),
        ]
    )
    assert rc == 0, capsys.readouterr().err
    head = png.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n" and struct.unpack(">II", head[16:24]) == (900, 500)
    data = pd.read_csv(csv)
    assert data.columns.tolist() == [
        "date",
        "observed",
        "fitted",
        "counterfactual",
        "counterfactual_low",
        "counterfactual_high",
    ]
    assert len(data) == 59 and data["observed"].tolist() == raw["aces"].astype(float).tolist()
    assert data.loc[data["date"] < "2005-01-01", "counterfactual"].isna().all()
    assert data.loc[data["date"] >= "2005-01-01", "counterfactual"].notna().all()


def test_svg_and_html_carry_title_source_and_notes(sicily_csv, tmp_path):
    path, _ = sicily_csv
    for name in ("c.svg", "c.html"):
        out = tmp_path / name
        rc = main(
            [
                "chart",
                str(path),
                *FLAGS,
                "--title",
                "Events fell",
                "--subtitle",
                "Sicily",
                "--source",
                "Lopez Bernal & co",
                "--note",
                "n one",
                "--out",
                str(out),
            ]
        )
        assert rc == 0
        text = out.read_text(encoding="utf-8")
        for needle in ("Events fell", "Sicily", "n one"):
            assert needle in text
        assert "Lopez Bernal &amp; co" in text  # escaped once, shown as "&"


def test_json_alongside_is_the_analyze_schema(sicily_csv, tmp_path, capsys):
    path, _ = sicily_csv
    rc = main(["chart", str(path), *FLAGS, "--out", str(tmp_path / "c.html"), "--json", "-"])
    assert rc == 0
    import json

    out = json.loads(capsys.readouterr().out)
    assert out["interventions"][0]["label"] == "ban" and out["provenance"]["sha256"]


@pytest.mark.parametrize(
    "extra, message",
    [
        (["--out", "c.gif"], "end the file name in .png, .svg or .html"),
        (["--out", "c.png", "--width", "20"], "width 20 is out of range"),
        (["--out", "c.png", "--claim-start", "2004-01"], "Give both --claim-start and --claim-end"),
    ],
)
def test_user_mistakes_are_one_line_and_exit_2(sicily_csv, tmp_path, capsys, extra, message):
    path, _ = sicily_csv
    extra = [str(tmp_path / x) if x.startswith("c.") else x for x in extra]
    assert main(["chart", str(path), *FLAGS, *extra]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and message in err and err.count("\n") == 1


def test_without_chromium_png_fails_with_one_clear_line(sicily_csv, tmp_path, capsys, monkeypatch):
    from explorer import export

    path, _ = sicily_csv
    monkeypatch.setenv("EXPLORER_CHROMIUM", "/nonexistent/chromium")
    monkeypatch.setattr(
        export.files, "_RENDERER", export.Renderer()
    )  # a fresh one reads the variable
    rc = main(["chart", str(path), *FLAGS, "--out", str(tmp_path / "c.png")])
    err = capsys.readouterr().err
    assert rc == 3 and not (tmp_path / "c.png").exists()
    assert err.startswith(
        "error: PNG and SVG export needs Chromium, which was not found at /nonexistent"
    )
    assert err.count("\n") == 1 and "Traceback" not in err
