"""Reliability: no hangs, no scale-dependent numbers, no lags beyond the data (issue 17)."""

from __future__ import annotations

import contextlib
import io
import signal
import subprocess
import sys
import warnings

import pytest

from tests.conftest import ROOT

# -- 1. the CLI shows each warning once and returns ------------------------------------------
_WARN_ONCE = (
    "import sys, warnings\n"
    "import explorer.cli as cli, explorer.commands.datasets as d\n"
    "def run(args):\n"
    "    warnings.warn('the default will change', FutureWarning)\n"
    "    return 0\n"
    "d.run = run\n"
    "sys.exit(cli.main(['datasets']))\n"
)


def test_cli_with_a_warning_returns_in_a_fresh_interpreter():
    """Before the fix, showing a recorded warning recorded it again: an endless loop."""
    p = subprocess.run(
        [sys.executable, "-c", _WARN_ONCE], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert p.returncode == 0, p.stderr[-2000:]
    assert p.stderr.count("the default will change") == 1, p.stderr[-2000:]


@contextlib.contextmanager
def _deadline(seconds: int):
    def boom(*_):
        raise TimeoutError(f"still running after {seconds} s")

    old = signal.signal(signal.SIGALRM, boom)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


@pytest.mark.parametrize("category", [FutureWarning, RuntimeWarning, UserWarning])
def test_cli_prints_an_injected_library_warning_once(monkeypatch, category):
    from explorer import cli
    from explorer.commands import datasets

    def run(args):
        warnings.warn("a library says something", category, stacklevel=1)
        return 0

    shown = []
    monkeypatch.setattr(datasets, "run", run)
    # pytest records warnings itself, so stand in for the printer the CLI calls once it is done.
    monkeypatch.setattr(warnings, "showwarning", lambda msg, cat, *a, **k: shown.append(str(msg)))
    with _deadline(20), contextlib.redirect_stdout(io.StringIO()):
        with warnings.catch_warnings():
            warnings.simplefilter("always")
            rc = cli.main(["datasets"])
    assert rc == 0
    assert shown == ["a library says something"], shown[:5]


def test_cli_checksum_warning_is_one_line_once(monkeypatch):
    from explorer import cli
    from explorer.commands import datasets

    class ChecksumWarning(UserWarning):
        pass

    def run(args):
        warnings.warn("the bundled file changed", ChecksumWarning, stacklevel=1)
        return 0

    monkeypatch.setattr(datasets, "run", run)
    err = io.StringIO()
    with _deadline(20), contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        rc = cli.main(["datasets"])
    assert rc == 0
    assert err.getvalue() == "warning: the bundled file changed\n"


# -- 2. a series' scale does not change the answer -------------------------------------------
def _scaled_series(factor: float):
    import numpy as np
    import pandas as pd

    from explorer.io.series import from_frame

    rng = np.random.default_rng(7)
    n = 48
    e = np.zeros(n)
    for t in range(n):  # AR(1) noise, so HAC and AR(1) have something to do
        e[t] = (0.4 * e[t - 1] if t else 0.0) + rng.normal()
    y = 100 + 0.8 * np.arange(n) + e
    y[24:] -= 6
    d = pd.DataFrame({"date": pd.date_range("2014-01-01", periods=n, freq="MS"), "y": y * factor})
    return from_frame(d, freq="M")


def _spec(errors: str, **kw):
    from explorer.spec import Intervention, ItsSpec

    err, order = ("ar", int(errors.split(":")[1])) if errors.startswith("ar") else (errors, None)
    return ItsSpec(
        time="date",
        value="y",
        interventions=(Intervention("x", "2016-01"),),
        errors=err,
        ar_order=order,
        **kw,
    )


FACTORS = [1e-300, 1e-150, 1e150, 1e300]


@pytest.mark.parametrize("errors", ["ols", "hac", "ar:1", "ar:1-ml"])
@pytest.mark.parametrize("factor", FACTORS)
def test_scale_of_the_series_scales_every_effect_exactly(errors, factor):
    from explorer.models.fit import fit_its

    extra = ()
    if errors.endswith("-ml"):
        errors, extra = errors[: -len("-ml")], (("ar_method", "ml"),)
    spec = _spec(errors, extra=extra)
    # ML's errors come from a numerical Hessian (steps relative to the estimates): 1e-5.
    rel = 1e-5 if extra else 1e-8
    base = fit_its(_scaled_series(1.0), spec)
    big = fit_its(_scaled_series(factor), spec)
    assert big.errors_used == base.errors_used
    for e0, e1 in [
        (base.intercept, big.intercept),
        (base.pre_trend, big.pre_trend),
        (base.interventions[0].level_change, big.interventions[0].level_change),
        (base.interventions[0].slope_change, big.interventions[0].slope_change),
        (base.interventions[0].post_trend, big.interventions[0].post_trend),
    ]:
        assert e1.se > 0
        for a in ("estimate", "se", "ci_low", "ci_high"):
            assert getattr(e1, a) == pytest.approx(getattr(e0, a) * factor, rel=rel), a
        assert e1.p_value == pytest.approx(e0.p_value, rel=rel)
        assert e1.estimate / e1.se == pytest.approx(e0.estimate / e0.se, rel=rel)
    names = [c for c in base.params.index if not c.startswith(("ar.", "sigma2"))]
    for name in names:
        assert big.params[name] == pytest.approx(base.params[name] * factor, rel=rel)
        assert big.bse[name] == pytest.approx(base.bse[name] * factor, rel=rel)
        assert big.tvalues[name] == pytest.approx(base.tvalues[name], rel=rel)
        assert big.pvalues[name] == pytest.approx(base.pvalues[name], rel=rel)
    for name in base.params.index:
        if name.startswith("ar."):  # unit-free
            assert big.params[name] == pytest.approx(base.params[name], rel=rel)
    cf0, cf1 = base.counterfactual, big.counterfactual
    for col in ("mean", "mean_ci_lower", "mean_ci_upper"):
        assert cf1[col].to_numpy() == pytest.approx(cf0[col].to_numpy() * factor, rel=rel)
    assert big.diagnostics["durbin_watson"] == pytest.approx(
        base.diagnostics["durbin_watson"], rel=rel
    )


@pytest.mark.parametrize("factor", FACTORS)
def test_scale_does_not_change_the_vectorised_paths(factor):
    import numpy as np

    from explorer.models.segmented import ols_params_bse
    from explorer.robustness.fastols import batch_ols, batch_partial_ols
    from explorer.robustness.sweep import sweep_dates

    rng = np.random.default_rng(3)
    n = 40
    X = np.column_stack([np.ones(n), np.arange(n), (np.arange(n) >= 20).astype(float)])
    y = 5 + 0.3 * np.arange(n) + rng.normal(size=n)
    for errors in ("ols", "hac"):
        p0, s0 = ols_params_bse(y, X, errors)
        p1, s1 = ols_params_bse(y * factor, X, errors)
        assert p1 == pytest.approx(p0 * factor, rel=1e-8) and s1 == pytest.approx(
            s0 * factor, rel=1e-8
        )
        f0, f1 = batch_ols(X, y, errors=errors), batch_ols(X, y * factor, errors=errors)
        assert (f1.bse > 0).all()
        assert f1.params == pytest.approx(f0.params * factor, rel=1e-8)
        assert f1.bse == pytest.approx(f0.bse * factor, rel=1e-8)
        assert f1.pvalues() == pytest.approx(f0.pvalues(), rel=1e-8)
        Y = np.vstack([y, y[::-1]])
        g0, g1 = batch_ols(X, Y, errors=errors), batch_ols(X, Y * factor, errors=errors)
        assert g1.bse == pytest.approx(g0.bse * factor, rel=1e-8)
        Z = np.stack([X[:, 2:], np.roll(X[:, 2:], 3, axis=0)])
        h0 = batch_partial_ols(X[:, :2], Z, y, errors=errors)
        h1 = batch_partial_ols(X[:, :2], Z, y * factor, errors=errors)
        assert h1.bse == pytest.approx(h0.bse * factor, rel=1e-8)
    spec = _spec("hac")
    s0 = sweep_dates(_scaled_series(1.0), spec).rows
    s1 = sweep_dates(_scaled_series(factor), spec).rows
    for col in ("level_change", "level_se", "slope_se"):
        assert s1[col].to_numpy() == pytest.approx(s0[col].to_numpy() * factor, rel=1e-8)
    for col in ("level_p_value", "f_stat"):
        assert s1[col].to_numpy() == pytest.approx(s0[col].to_numpy(), rel=1e-8)


@pytest.mark.parametrize("factor", ["1e-300", "1e300"])
def test_cli_json_for_a_tiny_or_huge_series_has_real_standard_errors(tmp_path, factor):
    import json

    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(0)
    y = 100 + np.arange(36) + rng.normal(0, 2, 36)
    y[18:] -= 10
    path = tmp_path / "scaled.csv"
    pd.DataFrame(
        {"month": pd.date_range("2014-01", periods=36, freq="MS").strftime("%Y-%m"), "count": y}
    ).assign(count=lambda d: d["count"] * float(factor)).to_csv(path, index=False)
    p = subprocess.run(
        [sys.executable, "-m", "explorer", "analyze", str(path), "--value", "count"]
        + ["--intervention", "x=2015-07", "--json", "-"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert p.returncode == 0, p.stderr[-2000:]
    assert "Warning" not in p.stderr, p.stderr[-2000:]
    lvl = json.loads(p.stdout)["interventions"][0]["level_change"]
    assert lvl["se"] > 0 and lvl["ci_low"] < lvl["estimate"] < lvl["ci_high"]
    assert lvl["se"] / abs(lvl["estimate"]) == pytest.approx(0.0954, abs=0.01)


# -- 3. Newey-West lags the series can support -----------------------------------------------
def _lags_csv(tmp_path):
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(0)
    y = 100 + np.arange(36) + rng.normal(0, 2, 36)
    y[18:] -= 10
    path = tmp_path / "lags.csv"
    months = pd.date_range("2014-01", periods=36, freq="MS").strftime("%Y-%m")
    pd.DataFrame({"month": months, "count": y}).to_csv(path, index=False)
    return path


@pytest.mark.parametrize("lags", [36, 10000])
def test_cli_refuses_newey_west_lags_beyond_the_data(tmp_path, lags):
    from tests.test_bad_input_matrix import run_cli

    path = _lags_csv(tmp_path)
    rc, out, err = run_cli(
        ["analyze", str(path), "--value", "count", "--intervention", "x=2015-07"]
        + ["--hac-lags", str(lags)]
    )
    assert rc == 2, (out, err)
    (line,) = err.splitlines()
    assert line.startswith("error: ") and "--hac-lags" in line
    assert "the most it allows is 35" in line and f"{lags} lags" in line


def _counts():
    from dataclasses import replace

    import numpy as np

    s = _scaled_series(1.0)
    return replace(s, y=np.round(np.asarray(s.y, float)))


def test_lags_beyond_the_data_are_refused_on_every_path():
    import numpy as np

    from explorer.errors import SpecError
    from explorer.models.fit import fit_its
    from explorer.models.segmented import ols_params_bse
    from explorer.robustness.fastols import batch_ols, batch_partial_ols, batch_poisson

    n = 36
    X = np.column_stack([np.ones(n), np.arange(n), (np.arange(n) >= 18).astype(float)])
    y = np.random.default_rng(1).poisson(20, n).astype(float)
    calls = [
        lambda: ols_params_bse(y, X, "hac", hac_lags=n),
        lambda: batch_ols(X, y, errors="hac", hac_lags=n),
        lambda: batch_partial_ols(X[:, :2], X[None, :, 2:], y, errors="hac", hac_lags=n),
        lambda: batch_poisson(X, y, errors="hac", hac_lags=n),
        lambda: fit_its(_scaled_series(1.0), _spec("hac", hac_lags=48)),
        lambda: fit_its(_counts(), _spec("hac", hac_lags=100, family="poisson")),
    ]
    for call in calls:
        with pytest.raises(SpecError, match="the most it allows is"):
            call()
    # n - 1 is the most allowed, and it fits
    assert fit_its(_scaled_series(1.0), _spec("hac", hac_lags=47)).interventions


def test_app_names_its_own_lags_setting():
    from app_pages._ui import guard
    from explorer.models.fit import fit_its
    from tests.test_bad_input_matrix import Box

    box = Box()
    with guard(box, what="lags"):
        fit_its(_scaled_series(1.0), _spec("hac", hac_lags=10000))
    (shown,) = box.errors
    shown = shown.replace("\\", "")  # the app's Markdown escapes, read as the reader sees them
    assert "Set Newey-West lags to 3" in shown and "--hac-lags" not in shown
    assert "47" in shown


def test_many_lags_carry_a_caveat_and_few_do_not():
    from explorer.models.fit import fit_its

    many = fit_its(_scaled_series(1.0), _spec("hac", hac_lags=13))  # > 48 / 4
    few = fit_its(_scaled_series(1.0), _spec("hac", hac_lags=12))
    assert any("quarter of the series" in c for c in many.caveats)
    assert not any("quarter of the series" in c for c in few.caveats)
