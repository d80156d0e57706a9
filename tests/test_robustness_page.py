"""The Robustness page (issue 16, item 5): the overall label, month words, units, the spec
curve's rows in words and a pointer from what is not computed to its toggle."""

from __future__ import annotations

import pytest

from tests.test_app import no_trouble, on_page


def _md(at) -> str:
    return "\n".join(m.value for m in at.markdown)


def test_robustness_shows_the_overall_label_and_points_at_the_toggle():
    at = on_page("robustness", ds="scenarios/gec_step", log="1")
    no_trouble(at)
    md = _md(at)
    assert any(
        f"**Overall: {label}.**" in md for label in ("Survives", "Fragile", "Not distinguishable")
    ), md[:400]
    assert "period(s)" not in md and "months of the claimed date" in md
    assert "Run the specification curve" in md  # the missing answer says where to get it
    mde = next(m for m in at.metric if m.label.startswith("Minimum detectable"))
    assert mde.value.endswith("%")  # percent on the log scale
    size = next(m for m in at.metric if m.label.startswith("Test size"))
    assert size.help.startswith("How often the test finds an effect when there is none")


def test_specification_curve_rows_are_in_words():
    at = on_page("robustness", ds="scenarios/gec_step", log="1")
    at.toggle(key="rb_specs_on").set_value(True).run()
    no_trouble(at)
    texts = " ".join(a.get("text", "") for c in at.get("plotly_chart") for a in _annotations(c))
    assert "start: 0.0" not in texts and "covariates: True" not in texts
    assert "series start: all data" in texts or "series start: first 10% dropped" in texts
    assert "Rows beneath the curve" in " ".join(c.value for c in at.caption)


def _annotations(chart):
    import json

    spec = json.loads(chart.proto.spec)
    layout = spec.get("layout", {})
    ticks = [
        {"text": t}
        for ax in layout.values()
        if isinstance(ax, dict)
        for t in ax.get("ticktext", []) or []
    ]
    return list(layout.get("annotations", [])) + ticks


def _acf_chart(at):
    """The residual ACF chart's figure (plotly JSON), or None."""
    import json

    for c in at.get("plotly_chart"):
        if "Autocorrelation of the residuals" in c.proto.spec:
            return json.loads(c.proto.spec)
    return None


def test_count_models_get_their_residual_acf_chart():
    """GLM results have no ``.resid``: the chart now draws the Pearson residuals ``diagnose``
    uses, the same ones behind the Ljung-Box figure above it."""
    at = on_page(
        "robustness",
        ds="reference",
        value="aces",
        offset="stdpop",
        family="poisson",
        iv="ban=2005-01",
    )
    no_trouble(at)
    assert _acf_chart(at) is not None, [c.proto.spec[:200] for c in at.get("plotly_chart")]
    assert any(m.label == "Ljung-Box p" for m in at.metric)


def _values(v):
    """A plotly JSON array: a list, or plotly 6's typed array {"dtype", "bdata"}."""
    import base64

    import numpy as np

    if isinstance(v, dict) and "bdata" in v:
        return np.frombuffer(base64.b64decode(v["bdata"]), dtype=v["dtype"]).astype(float)
    return np.asarray(v, dtype=float)


def test_ar1_acf_chart_agrees_with_its_ljung_box_line():
    """For ar:1 the chart used to plot raw residuals (Ljung-Box 47.2 on Sicily) under a
    Ljung-Box figure of the innovations (27.9). Now the Ljung-Box Q rebuilt from the chart's own
    bars, n(n+2) sum r_k^2 / (n-k), is the statistic behind the p-value shown above it."""
    import numpy as np
    from scipy import stats

    at = on_page("robustness", ds="reference", value="aces", errors="ar:1", iv="ban=2005-01")
    no_trouble(at)
    fig = _acf_chart(at)
    assert fig is not None
    bars = next(t for t in fig["data"] if t.get("type") == "bar")
    r, lags = _values(bars["y"]), _values(bars["x"])
    n = 59  # Sicily's months
    q = n * (n + 2) * np.sum(r**2 / (n - lags))
    assert q == pytest.approx(27.867, abs=1e-3)  # the innovations', not the raw residuals' 47.2
    shown = next(m for m in at.metric if m.label == "Ljung-Box p")
    assert shown.value == f"{stats.chi2.sf(q, len(r)):.3g}"


def test_the_sweep_chart_names_the_event_and_how_its_best_date_was_chosen():
    """Auto errors are AR(1) here: the best date is the least (ML) deviance, not least squares,
    and the chart says so, with the event's name rather than its label."""
    at = on_page("robustness", ds="scenarios/gec_step")
    no_trouble(at)
    specs = [c.proto.spec for c in at.get("plotly_chart")]
    sweep = next(s for s in specs if "for every admissible date" in s)
    assert "Level change at GEC announced for every admissible date" in sweep
    assert "Best fit, least deviance" in sweep and "least squares" not in sweep
    assert "Level change, value" in sweep and "identity scale" not in sweep
    at = on_page("robustness", ds="scenarios/gec_step", errors="hac")
    sweep = next(c.proto.spec for c in at.get("plotly_chart") if "admissible" in c.proto.spec)
    assert "Best fit, least squares" in sweep


def test_power_and_acf_speak_of_the_event_the_units_and_the_test_the_simulation_used():
    at = on_page("robustness", ds="scenarios/gec_step")
    no_trouble(at)
    specs = [c.proto.spec for c in at.get("plotly_chart")]
    power = next(s for s in specs if "Could this series have detected" in s)
    assert "level change at GEC announced?" in power and "identity scale" not in power
    acf = next(s for s in specs if "Autocorrelation of the residuals" in s)
    assert "Lag (months)" in acf
    # The fit has AR(1) errors and the simulation tests with Newey-West: no advice to switch
    # to errors that allow for autocorrelation, which the fit already has.
    words = " ".join(w.value for w in at.warning) + " ".join(m.value for m in at.markdown)
    assert "allow for autocorrelation" not in words
