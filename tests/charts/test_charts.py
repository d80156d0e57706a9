"""Chart builders: the data behind each chart, the text drawn on it, escaping, palette, layout."""

from __future__ import annotations

import html

import numpy as np
import pandas as pd
import pytest

from explorer import charts
from explorer.charts.base import COLORS, OKABE_ITO, ChartText, esc
from explorer.errors import InputError
from explorer.io.series import from_frame
from explorer.models.fit import fit_its
from explorer.spec import Intervention, ItsSpec

HOSTILE = '<img src=x onerror=alert(1)> <a href="javascript:alert(2)">click</a> & co'


@pytest.fixture(scope="module")
def synthetic():
    rng = np.random.default_rng(7)
    dates = pd.date_range("2014-01-01", periods=48, freq="MS")
    t = np.arange(48.0)
    y = 100 - 0.5 * t - 12 * (dates >= "2016-01-01") + rng.normal(0, 1.5, 48)
    y[5] = np.nan  # a gap: kept as a gap, never filled
    series = from_frame(pd.DataFrame({"date": dates, "y": y}), freq="M")
    spec = ItsSpec(
        time="date",
        value="y",
        interventions=(Intervention("gec", "2016-01-08"), Intervention("wave", "2017-01", "level")),
    )
    return series, fit_its(series, spec)


def _deco(fig):
    return [a for a in fig.layout.annotations if a.name == charts.base._DECO]


def test_its_frame_is_the_data_drawn(synthetic):
    series, result = synthetic
    chart = charts.its_chart(result)
    d = chart.data
    assert d.columns.tolist() == [
        "date",
        "observed",
        "fitted",
        "counterfactual",
        "counterfactual_low",
        "counterfactual_high",
    ]
    assert len(d) == 48 and d["date"].iloc[0] == pd.Timestamp("2014-01-01")
    np.testing.assert_array_equal(d["observed"].to_numpy(), series.y)
    cf = result.counterfactual
    pre = d["date"] < pd.Timestamp("2016-01-01")
    assert d.loc[pre, "counterfactual"].isna().all()
    np.testing.assert_allclose(d.loc[~pre, "counterfactual"], cf["mean"][~pre.to_numpy()])
    np.testing.assert_allclose(
        d.loc[~pre, "counterfactual_high"], cf["mean_ci_upper"][~pre.to_numpy()]
    )
    # ... and the figure draws exactly these columns.
    by_name = {t.name: t for t in chart.figure.data}
    np.testing.assert_array_equal(np.asarray(by_name["Observed"].y, float), d["observed"])
    np.testing.assert_allclose(np.asarray(by_name["Fitted model"].y, float), d["fitted"])
    np.testing.assert_allclose(
        np.asarray(by_name["Without the intervention"].y, float), d["counterfactual"]
    )


def test_its_chart_marks_each_intervention_and_the_claim_window(synthetic):
    _, result = synthetic
    chart = charts.its_chart(result, claim_window=("2015-06", "2016-07"))
    lines = [s for s in chart.figure.layout.shapes if s.type == "line"]
    assert sorted(pd.Timestamp(s.x0) for s in lines) == [
        pd.Timestamp("2016-01-01"),
        pd.Timestamp("2017-01-01"),
    ]
    assert all(s.line.color == COLORS["intervention"] for s in lines)
    rects = [s for s in chart.figure.layout.shapes if s.type == "rect"]
    assert [(pd.Timestamp(r.x0), pd.Timestamp(r.x1)) for r in rects] == [
        (pd.Timestamp("2015-06-01"), pd.Timestamp("2016-07-01"))
    ]
    texts = [a.text for a in chart.figure.layout.annotations]
    assert "gec (2016-01-08)" in texts and "wave (2017-01)" in texts and "Claim window" in texts


def test_title_subtitle_source_and_notes_are_drawn_on_the_figure(synthetic):
    _, result = synthetic
    text = ChartText(title="Fell", subtitle="Monthly", source="Agency X", notes=("n1", "n2"))
    fig = charts.its_chart(result, text=text).figure
    deco = [a.text for a in _deco(fig)]
    assert deco == ["<b>Fell</b>", "Monthly", "Source: Agency X<br>Note: n1<br>Note: n2"]
    # Title above the plot area, the foot below it, both in pixels from its edges.
    title, _, foot = _deco(fig)
    assert title.yanchor == "top" and title.yshift > 0 and foot.yshift < 0


def test_user_text_is_escaped_everywhere_it_is_drawn(synthetic):
    series, result = synthetic
    bad_spec = ItsSpec(time="date", value=HOSTILE, interventions=(Intervention("a&b", "2016-01"),))
    bad_series = from_frame(
        pd.DataFrame({"date": series.dates, HOSTILE: series.y}), value=HOSTILE, freq="M"
    )
    res = fit_its(bad_series, bad_spec)
    text = ChartText(title=HOSTILE, subtitle=HOSTILE, source=HOSTILE, notes=(HOSTILE,))
    chart = charts.its_chart(res, text=text)
    drawn = list(charts.iter_text(chart))
    assert drawn and not any("<img" in s or "<a " in s or "& co" in s for s in drawn)
    joined = " ".join(drawn)
    assert "&lt;img src=x onerror=alert(1)&gt;" in joined and "a&amp;b (2016-01)" in joined
    # Unescaping what is drawn gives back exactly what the user typed (no text is lost).
    assert HOSTILE in html.unescape(
        joined.replace("<br>", " ").replace("<b>", "").replace("</b>", "")
    )
    events = [{"key": "k", "label": HOSTILE, "date": "2016-01-08", "kind": "<b>policy</b>"}]
    tl = charts.events_timeline(events, window=("2015-01", "2016-06"))
    assert not any("<img" in s or "<b>policy" in s for s in charts.iter_text(tl))


def test_esc_neutralises_markup():
    assert esc('<a href="x">&</a>') == '&lt;a href="x"&gt;&amp;&lt;/a&gt;'
    assert esc(None) == ""


def test_long_titles_wrap_and_the_plot_area_makes_room(synthetic):
    _, result = synthetic
    short = charts.its_chart(result, text=ChartText(title="Short")).figure
    long_title = (
        "A much longer title that cannot possibly fit on one line of an article column " * 2
    )
    long = charts.its_chart(result, text=ChartText(title=long_title)).figure
    assert _deco(long)[0].text.count("<br>") >= 2
    assert long.layout.margin.t > short.layout.margin.t


def test_sized_lays_out_again_without_duplicating_text(synthetic):
    _, result = synthetic
    chart = charts.its_chart(result, text=ChartText(title="T", source="S"))
    fig = chart.sized(1200, 675)
    fig2 = charts.decorate(fig, chart.text, width=1080, height=1080)
    assert (fig2.layout.width, fig2.layout.height) == (1080, 1080)
    assert len(_deco(fig2)) == 2
    assert fig2.layout.font.size > chart.figure.layout.font.size  # bigger text on a big card
    assert chart.figure.layout.width == charts.DEFAULT_SIZE[0]  # the original is untouched


def test_colours_are_okabe_ito(synthetic):
    _, result = synthetic
    fig = charts.its_chart(result).figure
    allowed = {c.lower() for c in OKABE_ITO.values()}
    used = set()
    for t in fig.data:
        if t.line and t.line.color:
            used.add(t.line.color.lower())
        if t.marker and isinstance(t.marker.color, str):
            used.add(t.marker.color.lower())
    assert used and used <= allowed
    assert charts.palette(9)[7] == charts.palette(9)[0]


def test_events_timeline_marks_the_window_and_the_credited_event():
    events = pd.DataFrame(
        {
            "key": ["a", "gec", "c", "d"],
            "label": ["Before", "GEC", "Inside", "After"],
            "date": pd.to_datetime(["2013-01-01", "2016-01-08", "2015-03-01", "2017-05-01"]),
            "kind": ["policy", "policy", "attack", "platform enforcement"],
        }
    )
    chart = charts.events_timeline(
        events, window=("2014-06", "2016-07"), credit="gec", span=("2012-01", "2018-01")
    )
    d = chart.data
    assert d["label"].tolist() == ["Before", "Inside", "GEC", "After"]  # sorted by date
    assert d["in_window"].tolist() == [False, True, True, False]
    labels = {a.text: a for a in chart.figure.layout.annotations}
    assert labels["<b>GEC</b>"].font.color == COLORS["intervention"]
    assert "Inside" in labels
    legend = sorted(t.name for t in chart.figure.data if t.showlegend is not False)
    assert legend == [
        "Claim window 2014-06 to 2016-07",
        "Credited: GEC",
        "attack",
        "platform enforcement",
        "policy",
    ]
    # Also from objects with attributes, as explorer.catalog.events gives them.
    from types import SimpleNamespace

    objs = [SimpleNamespace(key="x", label="X", date="2016-01-01", kind="policy")]
    assert charts.events_timeline(objs).data["label"].tolist() == ["X"]


def test_events_timeline_on_the_catalogue():
    from explorer.catalog.events import load_events

    ev = load_events()
    w0, w1 = pd.Timestamp("2014-06-01"), pd.Timestamp("2016-07-01")
    chart = charts.events_timeline(ev, window=("2014-06", "2016-07"), credit="gec")
    # Default span: the window with 30% of its length (here more than six months) each side.
    lo, hi = w0 - (w1 - w0) * 0.3, w1 + (w1 - w0) * 0.3
    shown = ev[(ev["date"] >= lo) & (ev["date"] <= hi)]
    assert chart.data["label"].tolist() == shown["label"].tolist() and len(shown) < len(ev)
    assert chart.data["in_window"].sum() == ((ev["date"] >= w0) & (ev["date"] <= w1)).sum()
    gec = [a for a in chart.figure.layout.annotations if a.text == "<b>GEC announced</b>"]
    assert len(gec) == 1 and gec[0].font.color == COLORS["intervention"]


def test_timeline_names_have_their_own_rows_and_face_the_wider_side():
    """Crowded events (12 in six months) still never share a row, and each name is written
    towards the wider part of the axis in lines of at most 22 characters: a name is then at
    most half the plot's width from its dot, inside the plot at any width."""
    dates = pd.date_range("2015-01-01", periods=12, freq="15D")
    df = pd.DataFrame(
        {
            "key": [f"e{i}" for i in range(12)],
            "label": [f"Event number {i} with a long descriptive name" for i in range(12)],
            "date": dates,
            "kind": "policy",
        }
    )
    chart = charts.events_timeline(df, span=(dates[0] - pd.Timedelta(days=30), dates[-1]))
    anns = list(chart.figure.layout.annotations)
    marks = [a for a in anns if a.y is not None and a.yref in (None, "y")]
    assert sorted(a.y for a in marks) == sorted(-i for i in range(12))  # one row each
    lo, hi = dates[0] - pd.Timedelta(days=30), dates[-1]
    for a in marks:
        lines = a.text.split("<br>")
        assert all(len(x) <= 22 or " " not in x for x in lines), lines
        frac = (pd.Timestamp(a.x) - lo) / (hi - lo)
        assert a.xanchor == ("left" if frac < 0.5 else "right")
    assert chart.figure.layout.height >= 170 + 38 * 12


def test_sweep_chart_draws_the_frame_and_marks_both_dates():
    frame = pd.DataFrame(
        {
            "date": pd.date_range("2015-01-01", periods=6, freq="MS")[::-1],
            "estimate": [1.0, 2, 3, 4, 5, 6],
            "ci_low": [0.0, 1, 2, 3, 4, 5],
            "ci_high": [2.0, 3, 4, 5, 6, 7],
            "extra": 1,
        }
    )
    chart = charts.sweep_chart(frame, chosen="2015-03-01", least_squares="2015-05-01")
    assert chart.data.columns.tolist() == ["date", "estimate", "ci_low", "ci_high"]
    assert chart.data["date"].is_monotonic_increasing
    assert chart.data["estimate"].tolist() == [6.0, 5, 4, 3, 2, 1]
    xs = {
        pd.Timestamp(s.x0): s.line.color
        for s in chart.figure.layout.shapes
        if s.type == "line" and s.x0 == s.x1
    }
    assert xs == {
        pd.Timestamp("2015-03-01"): COLORS["intervention"],
        pd.Timestamp("2015-05-01"): COLORS["alternative"],
    }
    with pytest.raises(InputError, match="ci_low"):
        charts.sweep_chart(frame.drop(columns="ci_low"))


def test_placebo_histogram_counts_every_estimate_and_shows_the_real_effect():
    rng = np.random.default_rng(1)
    est = rng.normal(0, 1, 200)
    chart = charts.placebo_chart(np.r_[est, np.nan], real_effect=-5.0)
    d = chart.data
    assert d["count"].sum() == 200
    assert d["bin_start"].iloc[0] <= -5.0 <= d["bin_end"].iloc[-1]
    np.testing.assert_array_equal(
        d["count"], np.histogram(est, bins=np.r_[d["bin_start"], d["bin_end"].iloc[-1]])[0]
    )
    assert [s.x0 for s in chart.figure.layout.shapes] == [-5.0]
    df_chart = charts.placebo_chart(pd.DataFrame({"estimate": est}), real_effect=0.1, bins=10)
    assert len(df_chart.data) >= 10


def test_spec_curve_sorts_and_lists_the_choices():
    frame = pd.DataFrame(
        {
            "estimate": [0.3, -0.2, 0.1],
            "ci_low": [0.1, -0.5, -0.1],
            "ci_high": [0.5, 0.1, 0.3],
            "family": ["gaussian", "poisson", "gaussian"],
            "errors": ["hac", "model", "ols"],
        },
        index=["s1", "s2", "s3"],
    )
    chart = charts.spec_curve_chart(frame, highlight="s3")
    d = chart.data
    assert d["estimate"].tolist() == [-0.2, 0.1, 0.3] and d["rank"].tolist() == [1, 2, 3]
    top = chart.figure.data[0]
    assert list(top.marker.color) == [COLORS["neutral"], COLORS["intervention"], COLORS["fitted"]]
    rows = {t.y[0]: list(t.x) for t in chart.figure.data[1:]}
    assert rows["family: gaussian"] == [2, 3] and rows["errors: model"] == [1]


def test_acf_chart_band_is_white_noise_interval():
    chart = charts.acf_chart([0.5, 0.1, -0.05], nobs=100)
    d = chart.data
    assert d["lag"].tolist() == [1, 2, 3]
    assert d["band_high"].iloc[0] == pytest.approx(1.959964 / 10, rel=1e-5)
    colors = chart.figure.data[0].marker.color
    assert colors[0] == COLORS["intervention"] and colors[1] == COLORS["fitted"]


def test_comparative_its_draws_the_control_series():
    rng = np.random.default_rng(2)
    dates = pd.date_range("2014-01-01", periods=40, freq="MS")
    t = np.arange(40.0)
    ctl = 50 + 0.2 * t + rng.normal(0, 1, 40)
    y = ctl + 5 - 8 * (dates >= "2016-01-01") + rng.normal(0, 1, 40)
    series = from_frame(pd.DataFrame({"date": dates, "y": y, "ctl": ctl}), freq="M", extra=("ctl",))
    spec = ItsSpec(
        time="date", value="y", control="ctl", interventions=(Intervention("x", "2016-01"),)
    )
    chart = charts.its_chart(fit_its(series, spec))
    np.testing.assert_allclose(chart.data["control"], ctl)
    trace = [t for t in chart.figure.data if t.name == "Control (ctl)"]
    assert len(trace) == 1 and trace[0].line.color == COLORS["neutral"]


def test_an_x_axis_title_gets_room_above_the_source_line():
    text = ChartText(source="Agency")
    frame = pd.DataFrame(
        {
            "date": pd.date_range("2015-01-01", periods=3, freq="MS"),
            "estimate": [1.0, 2, 3],
            "ci_low": [0.0, 1, 2],
            "ci_high": [2.0, 3, 4],
        }
    )
    untitled = charts.sweep_chart(frame, text=text).figure  # dates need no axis title
    titled = charts.placebo_chart([1.0, 2.0, 2.5], real_effect=0.0, text=text).figure
    assert titled.layout.margin.b > untitled.layout.margin.b
