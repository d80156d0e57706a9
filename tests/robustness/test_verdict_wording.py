"""Verdict wording (issue 16, item 5): right at the p floor, units, day/week/month words, the
power size flagged, the overall label Methods promises, pointers to what computes the missing."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd

from explorer.robustness.verdict import (
    Answer,
    Verdict,
    build_verdict,
    effect_words,
    period_word,
    placebo_answer,
    power_answer,
    sweep_answer,
)


def _placebo(rank, n=15, kind="time"):
    return SimpleNamespace(
        n_placebos=n, p_value=rank / (n + 1), rank=rank, kind=kind, min_attainable_p=1 / (n + 1)
    )


def test_beating_every_placebo_at_the_floor_says_so_and_never_not_unusual():
    a = placebo_answer(_placebo(1))
    assert "more extreme than every one of the 15 fake dates" in a.sentence
    assert "no p below 0.062 = 1/16 is possible" in a.sentence
    assert "not unusual" not in a.sentence and "common" not in a.sentence
    assert a.ok is None  # the floor is above 0.05: no answer either way
    b = placebo_answer(_placebo(5))
    assert "more extreme than 11 of 15" in b.sentence and "not unusual" in b.sentence


def _power(scale, mde, effect=None, size=0.05):
    return SimpleNamespace(
        scale=scale, mde=mde, kind="level", effect=effect, power=0.9, target=0.8, size=size
    )


def test_effects_carry_units_percent_on_the_log_scale_else_the_series_units():
    assert effect_words(np.log(0.5), "log") == "-50.0%"
    s = power_answer(_power("identity", -692.0, effect=-100.0), units="n_tweets").sentence
    assert "-692 n_tweets" in s and "-100 n_tweets" in s
    s = power_answer(_power("log", np.log(0.8), effect=np.log(0.9))).sentence
    assert "-20.0%" in s and "-10.0%" in s and "log scale" not in s


def test_a_power_size_far_from_five_percent_is_flagged():
    ok = power_answer(_power("log", -0.2))
    assert "Warning" not in ok.sentence and dict(ok.figures)["size_ok"]
    bad = power_answer(_power("log", -0.2, size=0.21))
    assert "Warning: with no effect at all the test still rejects 21% of the time" in bad.sentence
    assert dict(bad.figures)["size_ok"] is False


def test_period_words_follow_the_frequency():
    assert period_word("D", 3) == "days" and period_word("W", 1) == "week"
    assert period_word("M", 2) == "months" and period_word(None, 2) == "periods"
    rows = pd.DataFrame(
        {"offset": [-1, 0, 1], "level_change": [-1.0, -1, -1], "level_p_value": [0.01] * 3}
    )
    sw = SimpleNamespace(rows=rows, distance=2, best_date=pd.Timestamp("2016-01-10"))
    s = sweep_answer(sw, freq="D").sentence
    assert "within 3 days" in s and "2 days after" in s and "period" not in s


def _v(**ok):
    return Verdict(
        "gec",
        None,
        tuple(
            Answer(k, k, ok.get(k), "") for k in ("sweep", "breaks", "placebo", "specs", "power")
        ),
    )


def test_overall_label_is_one_of_the_three_methods_promises():
    assert (
        _v(sweep=True, breaks=True, placebo=True, specs=True, power=True).overall[0] == "Survives"
    )
    assert _v(sweep=False, power=True).overall[0] == "Fragile"
    assert "exact date" in _v(sweep=False).overall[1]
    assert _v(sweep=True, power=False).overall[0] == "Not distinguishable"
    assert _v(sweep=True, placebo=False).overall[0] == "Not distinguishable"
    assert _v().overall[0] == "Not yet judged"


def test_not_computed_points_at_the_toggle():
    v = build_verdict(label="gec")
    assert "Run the specification curve" in v["specs"].sentence
