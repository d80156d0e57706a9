"""extract_series: from a loaded table to the series a model needs, and its refusals."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from explorer.errors import InputError
from explorer.io.loader import load_table
from explorer.io.series import SeriesData, extract_series, series_from_spec
from explorer.spec import Intervention, ItsSpec


def table(text: str, **kw):
    return load_table(text.encode(), filename="t.csv", **kw)


def long_text(groups=("A", "B", "C"), years=range(2000, 2010)) -> str:
    rows = [
        f"{g},{y},{100 + 10 * j + i * (j + 1)},{1000 + i}\n"
        for j, g in enumerate(groups)
        for i, y in enumerate(years)
    ]
    return "region,year,value,pop\n" + "".join(rows)


def test_dates_become_sorted_period_starts_and_gaps_stay_missing():
    t = table(
        "date,n,pop\n2016-03-31,3,10\n2016-01-31,1,10\n2016-02-29,2,11\n2016-06-30,6,12\n2016-07-31,,12\n2016-08-31,8,13\n"
    )
    s = extract_series(t, value="n", offset="pop")
    assert isinstance(s, SeriesData) and s.freq == "M"
    assert [f"{d:%Y-%m-%d}" for d in s.dates] == [
        "2016-01-01", "2016-02-01", "2016-03-01", "2016-06-01", "2016-07-01", "2016-08-01"
    ]  # fmt: skip
    assert s.y[:3].tolist() == [1.0, 2.0, 3.0] and np.isnan(s.y[4])
    assert 0.0 not in s.y.tolist()
    assert s.gaps == (
        pd.Timestamp("2016-04-01"),
        pd.Timestamp("2016-05-01"),
        pd.Timestamp("2016-07-01"),
    )
    assert s.n == 5 and s.extra["pop"].tolist() == [10.0, 11.0, 10.0, 12.0, 12.0, 13.0]
    assert s.source == {"name": "t.csv", "path": None, "sha256": t.sha256}
    assert s.units is None and s.treated_unit is None


def test_wide_control_and_covariates_under_their_names():
    t = table(
        "month,y,ctl,temp\n2016-01,1,5,0.5\n2016-02,3,6,0.1\n2016-03,2,7,0.3\n2016-04,5,8,0.2\n"
    )
    s = extract_series(t, value="y", control="ctl", covariates=("temp",))
    assert list(s.extra.columns) == ["ctl", "temp"]
    assert s.extra["ctl"].tolist() == [5.0, 6.0, 7.0, 8.0]
    assert s.frame().columns.tolist() == ["y", "ctl", "temp"]


def test_long_data_control_is_mean_of_other_groups():
    t = table(long_text())
    assert t.group_column == "region"
    s = extract_series(t, value="value", group="region", treated="B", offset="pop")
    f = t.frame
    expected = f[f.region != "B"].groupby("year")["value"].mean().to_numpy()
    assert np.allclose(s.extra["control"].to_numpy(), expected)
    assert s.y.tolist() == f[f.region == "B"]["value"].tolist()
    assert s.treated_unit == "B" and list(s.units.columns) == ["B", "A", "C"]
    assert s.units.shape == (10, 3) and (s.units.index == s.dates).all()
    assert list(s.extra.columns) == ["pop", "control"]
    # the group column defaults to the one the loader recognised; group names ignore case
    s2 = extract_series(t, value="value", treated="b")
    assert s2.treated_unit == "B" and np.allclose(s2.y, s.y)


def test_long_data_refusals():
    t = table(long_text())
    with pytest.raises(InputError, match=r"stacks 3 series.*'region'.*--group region --treated A"):
        extract_series(t, value="value")
    with pytest.raises(InputError, match=r"say which group is treated.*'A', 'B', 'C'"):
        extract_series(t, value="value", group="region")
    with pytest.raises(InputError, match=r"no group 'Z' in column 'region'.*'A', 'B', 'C'"):
        extract_series(t, value="value", group="region", treated="Z")


def test_non_numeric_value_refused_with_the_cell_and_date():
    t = table("date,n\n2016-01,1\n2016-02,2\n2016-03,twelve\n2016-04,4\n2016-05,5\n")
    with pytest.raises(InputError) as exc:
        extract_series(t, value="n")
    msg = str(exc.value)
    assert "'n'" in msg and "'twelve'" in msg and "2016-03-01" in msg and "Fix that cell" in msg


def test_text_column_as_value_refused():
    t = table(long_text())
    with pytest.raises(InputError, match=r"column 'region' holds text, not numbers \(10 of its 10"):
        extract_series(t, value="region", group="region", treated="A")


def test_repeated_dates_refused_naming_the_date():
    t = table(
        "date,kind,n\n2016-01,x,1\n2016-02,x,2\n2016-02,y,3\n2016-03,x,4\n2016-04,x,5\n2016-05,x,5\n"
    )
    with pytest.raises(InputError) as exc:
        extract_series(t, value="n")
    msg = str(exc.value)
    assert "2016-02-01 appears 2 times" in msg and "Aggregate" in msg and "group column" in msg


def test_too_few_observations_refused_saying_how_many_are_needed():
    t = table("month,n\n2016-01,1\n2016-02,2\n2016-03,\n2016-04,4\n")
    with pytest.raises(
        InputError, match=r"has 3 observed monthly value\(s\); this model needs at least 4"
    ):
        extract_series(t, value="n")
    with pytest.raises(InputError, match="at least 10"):
        extract_series(
            table("month,n\n2016-01,1\n2016-02,2\n2016-04,4\n2016-05,4\n2016-06,1\n"),
            value="n",
            min_obs=10,
        )


def test_constant_series_refused():
    t = table("month,n\n2016-01,7\n2016-02,7\n2016-03,7\n2016-04,7\n2016-05,\n")
    with pytest.raises(InputError, match=r"same value \(7\) in every period"):
        extract_series(t, value="n")


def test_bad_offset_and_unknown_columns_refused():
    t = table("month,n,pop\n2016-01,1,10\n2016-02,2,0\n2016-03,3,10\n2016-04,4,10\n")
    with pytest.raises(InputError, match=r"offset column 'pop' must be positive.*0 at 2016-02-01"):
        extract_series(t, value="n", offset="pop")
    with pytest.raises(InputError, match=r"no value column 'm'.*'month', 'n', 'pop'"):
        extract_series(t, value="m")
    with pytest.raises(InputError, match="no covariate column 'x'"):
        extract_series(t, value="n", covariates=("x",))
    t2 = table("month,n,c\n2016-01,1,a\n2016-02,2,b\n2016-03,3,c\n2016-04,4,d\n")
    with pytest.raises(InputError, match=r"The control column 'c' holds text, not numbers"):
        extract_series(t2, value="n", control="c")
    with pytest.raises(InputError, match="is the time column"):
        extract_series(t, value="month")


def test_series_from_spec():
    t = table(long_text())
    spec = ItsSpec(
        time="year",
        value="value",
        group="region",
        treated="C",
        offset="pop",
        interventions=(Intervention("x", "2005"),),
    )
    s = series_from_spec(t, spec)
    assert s.treated_unit == "C" and s.extra.columns.tolist() == ["pop", "control"]
    with pytest.raises(InputError, match="load the file with time='pop'"):
        series_from_spec(t, ItsSpec(time="pop", value="value", group="region", treated="C"))


def _itsa_ols(s: SeriesData, start: str) -> np.ndarray:
    """OLS of y on const, trend, level and slope change (Stata itsa coding) -> coefficients."""
    t = np.arange(len(s.y), dtype=float)
    t0 = int(np.flatnonzero(s.dates >= pd.Timestamp(start))[0])
    post = (t >= t0).astype(float)
    X = np.column_stack([np.ones_like(t), t, post, (t - t0) * post])
    return np.linalg.lstsq(X, s.y, rcond=None)[0]


def test_prop99_extraction_reproduces_linden_2015(raw_data):
    """The series extracted from the raw Prop 99 file give Linden's (2015) published OLS
    coefficients, for California and for the mean of the 38 other states (to 4 decimals)."""
    t = load_table(raw_data / "reference" / "california_prop99.csv")
    s = extract_series(t, value="PacksPerCapita", treated="California")
    assert s.n == 31 and s.units.shape == (31, 39)
    b = _itsa_ols(s, "1989")
    assert b[:3] == pytest.approx([132.2258, -1.779474, -20.0581], abs=1e-4)
    assert b[1] + b[3] == pytest.approx(-3.274126, abs=1e-4)  # post-period trend
    control = SeriesData(dates=s.dates, freq="Y", y=s.extra["control"].to_numpy())
    c = _itsa_ols(control, "1989")
    assert c[:3] == pytest.approx([135.4995, -0.5477701, -17.25168], abs=1e-4)


def test_sicily_year_month_columns(raw_data):
    t = load_table(raw_data / "reference" / "sicily.csv")
    s = extract_series(t, value="aces", offset="stdpop")
    assert s.n == 59 and s.freq == "M" and s.gaps == ()
    assert s.dates[0] == pd.Timestamp("2002-01-01") and s.dates[-1] == pd.Timestamp("2006-11-01")
    assert s.y[0] == 728 and s.extra["stdpop"].iloc[0] == pytest.approx(379875.3)


def test_series_from_spec_needs_enough_points_for_the_model():
    from explorer.io.series import min_observations

    spec = ItsSpec(
        time="month",
        value="n",
        interventions=(Intervention("a", "2016-04"), Intervention("b", "2016-06", kind="level")),
        seasonality="fourier",
        fourier_k=2,
    )
    assert min_observations(spec) == 2 + 4 + 3 + 1  # const+trend, 2 harmonic pairs, 3 terms, +1
    assert min_observations(ItsSpec(time="month", value="n")) == 4
    text = "month,n\n" + "".join(f"2016-{m:02d},{m * 3 % 7}\n" for m in range(1, 10))
    with pytest.raises(
        InputError, match=r"has 9 observed monthly value\(s\); this model needs at least 10"
    ):
        series_from_spec(table(text), spec)
    assert series_from_spec(table(text + "2016-10,4\n"), spec).n == 10


def test_bounded_values_like_google_trends_less_than_one_refused_with_advice():
    t = table("Week,isis\n2014-06-01,40\n2014-06-08,<1\n2014-06-15,38\n2014-06-22,35\n")
    with pytest.raises(
        InputError, match=r"holds '<1' \(at 2014-06-09\): a value given only as a bound"
    ):
        extract_series(t, value="isis")


def test_free_text_and_account_names_are_never_quoted_in_messages():
    """Messages reach the app's screen: text columns (tweets) and account names stay out."""
    secret = ["sentence number one here", "another private sentence", "third secret words", "x y z"]
    rows = "".join(
        f"2016-01-0{d},{u},{secret[(d + i) % 4]},{d + i}\n"
        for d in range(1, 6)
        for i, u in enumerate(["acct_a", "acct_b"])
    )
    t = table("date,username,text,n\n" + rows)
    assert t.group_column == "username"
    msgs = list(t.report.notes)
    for kw in (
        {"value": "n"},
        {"value": "n", "group": "username"},
        {"value": "n", "group": "username", "treated": "nobody"},
        {"value": "text", "group": "username", "treated": "acct_a"},
    ):
        with pytest.raises(InputError) as exc:
            extract_series(t, **kw)
        msgs.append(str(exc.value))
    with pytest.raises(InputError) as exc:
        table("date,username,text,n\n" + rows, time="text")
    msgs.append(str(exc.value))
    joined = " ".join(msgs)
    assert "not listed" in joined and "holds text, not numbers" in joined
    for word in ("acct_a", "acct_b", "sentence", "secret", "private"):
        assert word not in joined, (word, joined)


def test_one_column_cannot_play_two_roles():
    from explorer.errors import InputError
    from explorer.io.loader import load_table
    from explorer.io.series import extract_series

    t = load_table(
        b"month,n,pop\n2016-01,5,10\n2016-02,7,11\n2016-03,6,12\n2016-04,9,13\n2016-05,8,14\n"
    )
    with pytest.raises(InputError, match="cannot also be the offset"):
        extract_series(t, value="n", offset="n")
    with pytest.raises(InputError, match="named twice"):
        extract_series(t, value="n", offset="pop", covariates=("pop",))
