"""Charts to publish (issue 16 items 6-8), without Streamlit: the attribution chart, words
edited for export, the app's copy of a figure, caveats in the images' notes, the CDN HTML."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from explorer import charts
from explorer.attribution import attribute
from explorer.catalog.datasets import get_dataset, load_dataset
from explorer.charts.base import _DECO
from explorer.export.files import embed_snippet, plotly_cdn_url, to_html
from explorer.io.series import series_from_spec
from explorer.models.fit import fit_its
from explorer.spec import ClaimSpec, Intervention, ItsSpec


@pytest.fixture(scope="module")
def fitted():
    tbl = load_dataset("scenarios/gec_step")
    spec = ItsSpec(
        time=tbl.time_column, value="value", interventions=(Intervention("gec", "2016-01-08"),)
    )
    result = fit_its(series_from_spec(tbl, spec), spec)
    att = attribute(result, ClaimSpec("2014-06", "2016-07", -45.0, "gec"))
    return result, att


def _words(fig) -> str:
    return " ".join(a.text or "" for a in fig.layout.annotations if a.name == _DECO)


def test_attribution_chart_has_a_bar_and_interval_per_part(fitted):
    _, att = fitted
    chart = charts.attribution_chart(
        att, labels={"gec": "GEC announced"}, text=charts.ChartText(title="Split", source="S")
    )
    bar = chart.figure.data[0]
    assert list(bar.y) == [
        "Observed change",
        "Trend already under way",
        "GEC announced",
        "Remainder (noise, seasonality)",
    ]
    d = att.to_dict()
    gec = next(c for c in d["components"] if c["name"] == "gec")
    i = list(bar.y).index("GEC announced")
    assert bar.x[i] == pytest.approx(gec["pct_change"])
    assert bar.x[i] + bar.error_x.array[i] == pytest.approx(gec["pct_ci_high"])
    assert bar.x[i] - bar.error_x.arrayminus[i] == pytest.approx(gec["pct_ci_low"])
    assert bar.marker.color[i] == charts.COLORS["intervention"]  # the credited part
    assert "Source: S" in _words(chart.figure)
    assert list(chart.data.columns) == [
        "part",
        "change_pct",
        "ci_low_pct",
        "ci_high_pct",
        "share_pct",
    ]
    assert not any("share_of_observed" in c or "pct_ci" in c for c in chart.data["part"])


def test_words_edited_in_the_kit_are_drawn_with_a_byline(fitted):
    result, _ = fitted
    chart = charts.its_chart(result, text=charts.ChartText(title="Old", source="Src"))
    text = chart.text.edited(title="New title", byline="A. Reporter", notes="one\ntwo\n")
    assert text.notes == ("one", "two") and text.source == "Src"
    edited = chart.with_text(text)
    words = _words(edited.sized(1200, 675))
    assert "New title" in words and "Old" not in words
    assert "Chart: A. Reporter" in words and "Note: one" in words and "Note: two" in words
    assert chart.text.title == "Old"  # the original is untouched


def test_fifth_tribe_caveats_are_in_the_exported_images_notes():
    info = get_dataset("fifthtribe")
    key = next(c for c in info.caveats if "cannot show a 2014 -> 2016 decline" in c)
    chart = charts.lines_chart(
        pd.DataFrame({"date": pd.date_range("2016-01-01", periods=5, freq="W"), "n": range(5)}),
        x="date",
        ys={"n": "Tweets"},
        text=charts.ChartText(title="T", source="Fifth Tribe", notes=info.caveats),
    )
    for w, h in ((640, 400), (1200, 675), (1080, 1080)):
        fig = chart.sized(w, h)
        words = re.sub(r"<br>", " ", _words(fig))
        assert "cannot show a 2014 -&gt; 2016 decline" in words or key[:40] in words
        # the notes never push the plot area below a third of the image
        m = fig.layout.margin
        assert h - m.t - m.b > h / 3, (w, h, m.t, m.b)


def test_app_figure_takes_the_column_width_with_the_legend_below(fitted):
    result, _ = fitted
    chart = charts.its_chart(
        result, text=charts.ChartText(title="A long title " * 6, subtitle="Sub", source="Src")
    )
    fig = charts.app_figure(chart)
    assert fig.layout.width is None and fig.layout.autosize
    assert not [a for a in fig.layout.annotations if a.name == _DECO]  # title is page text
    assert fig.layout.legend.y < 0 and fig.layout.legend.yanchor == "top"
    assert fig.layout.meta["source"] == "Src"  # the words travel with the figure
    assert fig.layout.paper_bgcolor == "rgba(0,0,0,0)"
    dark = charts.app_figure(chart, dark=True)
    observed = next(t for t in dark.data if t.name == "Observed")
    assert observed.marker.color != "#000000"  # black points would vanish on a dark page
    assert chart.figure.layout.width == 640  # exports still lay out the original


def test_cdn_html_is_small_and_loads_plotly_from_the_cdn(fitted):
    result, _ = fitted
    chart = charts.its_chart(result, text=charts.ChartText(title="CDN <b>chart</b>", source="S"))
    page = to_html(chart, plotlyjs="cdn")
    assert len(page.encode()) < 100_000
    srcs = re.findall(r'<script[^>]+src="([^"]+)"', page)
    assert any(s.startswith("https://cdn.plot.ly/") for s in srcs), srcs
    assert plotly_cdn_url().startswith("https://cdn.plot.ly/plotly-")
    assert "<title>CDN &lt;b&gt;chart&lt;/b&gt;</title>" in page
    offline = to_html(chart)
    assert len(offline.encode()) > 1_000_000 and "cdn.plot.ly" not in offline.split("<body>")[0]


def test_embed_snippet_is_an_escaped_iframe():
    code = embed_snippet('https://x.org/a.html?"><script>', width=640, height=400, title="T <b>")
    assert code.startswith("<iframe ") and code.endswith("</iframe>")
    assert "<script>" not in code and "&quot;&gt;&lt;script&gt;" in code
    assert 'height="400"' in code and "max-width:640px" in code


def test_power_chart_marks_80_percent_and_the_mde():
    curve = pd.DataFrame({"effect": np.linspace(0, 1, 6), "power": np.linspace(0.05, 1, 6)})
    chart = charts.power_chart(curve, mde=0.6, text=charts.ChartText(title="Power", source="Src"))
    assert chart.kind == "power"
    assert any(s.y0 == 0.8 for s in chart.figure.layout.shapes)
    assert any(s.x0 == 0.6 for s in chart.figure.layout.shapes)
    assert "Source: Src" in _words(chart.figure)
