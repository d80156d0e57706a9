"""Property-based tests: random input either works or raises ``InputError``, never anything else.

The entry points a user's text reaches: the loader (file bytes), the spec parsers
(``parse_intervention``, ``parse_errors``, ``parse_seasonality``, ``parse_date``,
``parse_claimed_change``), ``ItsSpec`` / ``ItsSpec.from_dict``, ``build_design`` with random
dates and interventions, and the URL parser ``explorer.urlstate`` (which must not raise at all:
a bad link warns and falls back). Anything other than ``InputError`` escaping is a bug.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from explorer.errors import InputError
from explorer.models.design import build_design
from explorer.periods import FREQUENCIES
from explorer.spec import (
    FAMILIES,
    MODELS,
    ClaimSpec,
    Intervention,
    ItsSpec,
    parse_claimed_change,
    parse_date,
    parse_errors,
    parse_intervention,
    parse_seasonality,
)
from explorer.urlstate import PARAMS

SETTINGS = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Text that looks like what users type: pieces of the real grammar mixed with noise.
_PIECES = st.sampled_from(
    [
        "gec",
        "x",
        "=",
        ":",
        "level",
        "ramp=",
        "until=",
        "slope",
        "2016",
        "-01",
        "-08",
        "2015-13",
        "0",
        "3",
        "-1",
        " ",
        ",",
        "ar",
        "ar:",
        "fourier:",
        "hac",
        "ols",
        "model",
        "none",
        "month",
        "dow",
        "\u0661\u0662",
        "%",
        "\u2212",
        "e5",
        "nan",
        "inf",
        "1e999",
        "..",
        "/",
        "<b>",
        "\x00",
    ]
)
USERISH = st.one_of(
    st.text(max_size=40),
    st.lists(_PIECES, max_size=8).map("".join),
)


def works_or_input_error(fn, *args, **kw):
    try:
        return fn(*args, **kw)
    except InputError as exc:
        assert str(exc).strip(), "an InputError must carry a message"
        return None


# -- spec parsers ---------------------------------------------------------------------------------
@SETTINGS
@given(USERISH, st.booleans(), st.booleans())
def test_parse_intervention(text, slope, with_resolver):
    from explorer.catalog.events import resolve

    iv = works_or_input_error(
        parse_intervention, text, resolve=resolve if with_resolver else None, slope_change=slope
    )
    if iv is not None:
        assert isinstance(iv, Intervention)
        # What parses prints back to text that parses to the same intervention.
        assert parse_intervention(iv.to_text()) == iv


@SETTINGS
@given(USERISH)
def test_parse_errors_and_seasonality(text):
    e = works_or_input_error(parse_errors, text)
    if e is not None:
        kind, order = e
        assert kind in (None, "ols", "hac", "model", "ar")
        assert (order is None) == (kind != "ar") and (order is None or order >= 1)
    s = works_or_input_error(parse_seasonality, text)
    if s is not None:
        assert s[0] in ("none", "dow", "month", "fourier") and (s[1] >= 1) == (s[0] == "fourier")


@SETTINGS
@given(USERISH)
def test_parse_date_and_claimed_change(text):
    d = works_or_input_error(parse_date, text)
    if d is not None:
        assert isinstance(d, pd.Timestamp)
    c = works_or_input_error(parse_claimed_change, text)
    if c is not None:
        # A claimed change is a finite percentage; "nan" or "1e999" is not a claim.
        assert math.isfinite(c), (text, c)


_NAMES = st.one_of(st.none(), st.text(max_size=12), st.sampled_from(["y", "date", "pop"]))


@st.composite
def spec_kwargs(draw):
    kw = {
        "time": draw(st.text(max_size=10)),
        "value": draw(st.text(max_size=10)),
        "family": draw(st.one_of(st.sampled_from(FAMILIES), st.text(max_size=8))),
        "model": draw(st.one_of(st.sampled_from(MODELS), st.text(max_size=8))),
        "errors": draw(st.sampled_from([None, "ols", "hac", "model", "ar", "bogus"])),
        "ar_order": draw(st.one_of(st.none(), st.integers(-3, 5))),
        "hac_lags": draw(st.one_of(st.none(), st.integers(-3, 30))),
        "log": draw(st.booleans()),
        "seasonality": draw(st.sampled_from(["none", "dow", "month", "fourier", "weekly"])),
        "fourier_k": draw(st.integers(-2, 6)),
        "group": draw(_NAMES),
        "treated": draw(_NAMES),
        "control": draw(_NAMES),
        "offset": draw(_NAMES),
        "covariates": tuple(draw(st.lists(st.text(max_size=6), max_size=3))),
    }
    ivs = []
    for _ in range(draw(st.integers(0, 3))):
        iv = works_or_input_error(
            Intervention,
            draw(st.one_of(st.sampled_from(["gec", "wave", "a b"]), st.text(max_size=8))),
            draw(st.one_of(st.sampled_from(["2015-06", "2016-01-08", "2016"]), USERISH)),
            draw(st.sampled_from(["level_slope", "level", "ramp", "temporary", "odd"])),
            draw(st.one_of(st.none(), st.integers(-1, 6))),
            draw(st.one_of(st.none(), st.sampled_from(["2016-06", "2014-01", "x"]))),
        )
        if iv is not None:
            ivs.append(iv)
    kw["interventions"] = tuple(ivs)
    return kw


@SETTINGS
@given(spec_kwargs())
def test_itsspec_construction_and_round_trip(kw):
    spec = works_or_input_error(ItsSpec, **kw)
    if spec is not None:
        assert hash(spec) == hash(ItsSpec.from_dict(spec.to_dict()))
        assert ItsSpec.from_dict(spec.to_dict()) == spec


@SETTINGS
@given(
    st.dictionaries(
        st.sampled_from(
            [
                "time",
                "value",
                "family",
                "interventions",
                "covariates",
                "extra",
                "errors",
                "log",
                "nonsense",
                "hac_lags",
                "fourier_k",
            ]
        ),
        st.one_of(
            st.none(),
            st.text(max_size=6),
            st.integers(-2, 3),
            st.booleans(),
            st.lists(
                st.one_of(
                    st.text(max_size=4),
                    st.dictionaries(
                        st.sampled_from(["label", "date", "kind", "colour"]),
                        st.text(max_size=8),
                        max_size=3,
                    ),
                ),
                max_size=2,
            ),
        ),
        max_size=6,
    )
)
def test_itsspec_from_dict_of_anything(d):
    """A spec read back from JSON (a bundle, a saved analysis) is a spec or a SpecError."""
    spec = works_or_input_error(ItsSpec.from_dict, d)
    if spec is not None:
        assert isinstance(spec, ItsSpec)


@st.composite
def dates_and_ivs(draw):
    freq = draw(st.sampled_from(FREQUENCIES))
    n = draw(st.integers(0, 40))
    start = pd.Timestamp("2010-01-01") + pd.Timedelta(days=draw(st.integers(0, 3000)))
    from explorer.periods import period_ordinal, period_start

    o0 = int(period_ordinal([start], freq)[0])
    steps = np.cumsum(
        [0] + draw(st.lists(st.integers(1, 3), min_size=max(n - 1, 0), max_size=max(n - 1, 0)))
    )
    dates = (
        period_start(o0 + np.asarray(steps[:n], dtype=np.int64), freq)
        if n
        else pd.DatetimeIndex([])
    )
    ivs = []
    for i in range(draw(st.integers(0, 3))):
        day = start + pd.Timedelta(days=draw(st.integers(-400, 5000)))
        kind = draw(st.sampled_from(["level_slope", "level", "ramp", "temporary"]))
        until = (day + pd.Timedelta(days=draw(st.integers(1, 900)))).strftime("%Y-%m-%d")
        ivs.append(
            Intervention(
                f"iv{i}",
                day.strftime("%Y-%m-%d"),
                kind,
                ramp=draw(st.integers(1, 5)) if kind == "ramp" else None,
                until=until if kind == "temporary" else None,
            )
        )
    season = draw(st.sampled_from(["none", "dow", "month", "fourier"]))
    observed = (
        np.asarray(draw(st.lists(st.booleans(), min_size=n, max_size=n)), bool) if n else None
    )
    return dates, freq, tuple(ivs), season, observed


@SETTINGS
@given(dates_and_ivs())
def test_build_design_on_random_dates_and_interventions(case):
    dates, freq, ivs, season, observed = case
    spec = ItsSpec(
        time="date",
        value="y",
        interventions=ivs,
        seasonality=season,
        fourier_k=2 if season == "fourier" else 0,
    )
    design = works_or_input_error(build_design, dates, freq, spec, observed=observed)
    if design is not None:
        X = design.X
        assert len(X) == len(dates) and np.isfinite(X.to_numpy()).all()
        assert [t.label for t in design.terms] == [iv.label for iv in ivs]


# -- the URL parser -------------------------------------------------------------------------------
_KEYS = st.sampled_from([*PARAMS, "zzz"])
_VALUES = st.one_of(USERISH, st.lists(USERISH, max_size=3), st.text(min_size=1900, max_size=2100))


@SETTINGS
@given(st.dictionaries(_KEYS, _VALUES, max_size=10))
def test_urlstate_never_raises_and_its_spec_is_valid_or_an_input_error(params):
    from explorer.urlstate import AppState, from_query, to_query, to_spec

    state, warnings = from_query(params, datasets=["scenarios", "sicily"])
    assert isinstance(state, AppState)
    for w in warnings:
        assert isinstance(w, str) and "<" not in w and "[" not in w and "\n" not in w
    spec = works_or_input_error(to_spec, state, time="date", value="y")
    if spec is not None:
        assert isinstance(spec, ItsSpec)
    # What was read writes back to a URL that reads to the same state, without warnings.
    again, w2 = from_query(to_query(state), datasets=["scenarios", "sicily"])
    assert again == state and not w2, w2


# -- the loader -----------------------------------------------------------------------------------
_CELL = st.one_of(
    st.sampled_from(
        [
            "",
            "NA",
            "n/a",
            "-",
            "1",
            "-0.45",
            "1,234.5",
            "1.234,5",
            "12%",
            "(3)",
            "\u22122",
            "=1+1",
            "inf",
            "nan",
            "1e400",
            "2016-01-08",
            "08/01/2016",
            "2016-W02",
            "2016Q1",
            "Jan 2016",
            "\u00e9",
            '"',
            "a\nb",
            "\t",
        ]
    ),
    st.text(max_size=8),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.integers(-(10**12), 10**12).map(str),
)


@st.composite
def csv_files(draw):
    ncol = draw(st.integers(1, 5))
    nrow = draw(st.integers(0, 30))
    sep = draw(st.sampled_from([",", ";", "\t", "|"]))
    header = [
        draw(
            st.one_of(
                st.sampled_from(["date", "month", "year", "value", "n", ""]), st.text(max_size=6)
            )
        )
        for _ in range(ncol)
    ]
    dated = draw(st.booleans())
    start = pd.Timestamp("2014-01-01")
    lines = [sep.join(header)]
    for i in range(nrow):
        cells = [draw(_CELL) for _ in range(ncol)]
        if dated:
            cells[0] = f"{start + pd.DateOffset(months=i):%Y-%m}"
        lines.append(sep.join(cells))
    codec = draw(st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "cp1252"]))
    text = "\n".join(lines) + draw(st.sampled_from(["", "\n", "\r\n"]))
    try:
        return text.encode(codec)
    except UnicodeEncodeError:
        return text.encode("utf-8")


@SETTINGS
@given(csv_files(), st.sampled_from(["data.csv", "data.xlsx", "x.parquet", "upload"]))
def test_loader_and_series_on_random_tables(raw, name):
    from explorer.io.loader import load_table
    from explorer.io.series import extract_series

    table = works_or_input_error(load_table, raw, filename=name)
    if table is None:
        return
    assert table.freq in FREQUENCIES and len(table.frame) == table.report.n_rows
    for col in table.frame.columns:
        if col == table.time_column:
            continue
        s = works_or_input_error(extract_series, table, value=col)
        if s is not None:
            assert np.isfinite(s.y).sum() >= 4 and not np.isinf(s.y).any()


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_fit_on_random_valid_looking_series_is_a_result_or_an_explorer_error(data):
    """Random short series and spec options: a result with finite effects, or a clear error."""
    from explorer.errors import ExplorerError
    from explorer.io.series import from_frame
    from explorer.models.fit import fit_its

    n = data.draw(st.integers(6, 30))
    y = np.asarray(data.draw(st.lists(st.integers(0, 50), min_size=n, max_size=n)), float)
    assume(y.max() > y.min())
    dates = pd.date_range("2014-01-01", periods=n, freq="MS")
    k = data.draw(st.integers(1, n))
    family = data.draw(st.sampled_from(FAMILIES))
    log = family == "gaussian" and data.draw(st.booleans())
    spec = ItsSpec(
        time="date",
        value="y",
        family=family,
        log=log,
        interventions=(Intervention("x", f"{dates[k - 1]:%Y-%m}"),),
        errors=data.draw(
            st.sampled_from([None, "hac"] + (["ols", "ar"] if family == "gaussian" else []))
        ),
    )
    series = from_frame(pd.DataFrame({"date": dates, "y": y}), freq="M")
    try:
        r = fit_its(series, spec)
    except ExplorerError as exc:
        assert str(exc).strip()
        return
    lc = r.interventions[0].level_change
    assert math.isfinite(lc.estimate)
    text = r.summary()
    assert "nan" not in text.lower().replace("nan-", ""), text


def test_works_or_input_error_lets_other_exceptions_through():
    with pytest.raises(ZeroDivisionError):
        works_or_input_error(lambda: 1 / 0)
    assert works_or_input_error(ClaimSpec, "2016-01", "2015-01") is None


# -- the lexicon upload ---------------------------------------------------------------------------
_LEX_CELL = st.one_of(
    st.sampled_from(
        [
            "#daesh",
            "caliphate",
            "pro",
            "anti",
            "neutral",
            "en",
            "ar",
            "0.5",
            "1",
            "2",
            "-1",
            "",
            "=cmd",
            "\u0627\u0644\u062f\u0648\u0644\u0629",
            "Pro",
            "a b",
        ]
    ),
    st.text(max_size=8),
)


@SETTINGS
@given(
    st.lists(st.lists(_LEX_CELL, min_size=0, max_size=6), max_size=8),
    st.booleans(),
    st.sampled_from(["utf-8", "utf-16", "cp1252"]),
)
def test_lexicon_upload_is_a_lexicon_or_an_input_error(rows, header, codec):
    """``load_lexicon(bytes)`` is what the Ingest page calls with an uploaded CSV."""
    from explorer.tweets.lexicon import COLUMNS, load_lexicon

    lines = ([",".join(COLUMNS)] if header else []) + [",".join(r) for r in rows]
    try:
        raw = "\n".join(lines).encode(codec)
    except UnicodeEncodeError:
        raw = "\n".join(lines).encode("utf-8")
    lex = works_or_input_error(load_lexicon, raw)
    if lex is not None:
        for e in lex.entries:
            assert e.term and 0 <= e.confidence <= 1


@SETTINGS
@given(st.text(max_size=40), st.integers(0, 5000))
def test_lexicon_from_a_typed_path_or_text(text, pad):
    """The CLI's ``--lexicon`` value: a path, or CSV text; long or odd names are user errors."""
    from explorer.tweets.lexicon import load_lexicon

    works_or_input_error(load_lexicon, text + "x" * pad)
