"""Could this series have detected the effect? Power and minimum detectable effect by simulation.

The null world is the fitted pre-period model: the pre-period trend (and seasonality,
covariates, earlier interventions) carried forward, plus AR(p) noise with the pre-period
residuals' autocorrelation and innovation variance (Yule-Walker). Each draw is analysed with
exactly the spec's model (same design, same OLS or Newey-West errors), all draws at once through
``explorer.robustness.fastols.batch_ols``.

Adding an effect delta to a draw (delta times the level, or slope, column of the design) moves
that coefficient's estimate by exactly delta and leaves the residuals, hence the standard
errors, unchanged (the column is in the design's span). So one set of null draws gives the power
at every delta: power(delta) = share of draws with |b + delta| / se > t crit. The minimum
detectable effect (MDE) is the smallest |delta| with power >= 80% in the effect's direction.

Gaussian models (``--log`` included: effects are then on the log scale and also given in
percent) and count families (Poisson draws around the pre-period mean with a latent AR(p)
log-normal factor for overdispersion and autocorrelation, fitted by batched IRLS; see
``_count_draws``: for counts the shift is an approximation, checked by direct simulation).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from explorer.errors import InputError, SpecError
from explorer.robustness.fastols import batch_ols, batch_poisson
from explorer.robustness.sweep import gaussian_problem, term_index
from explorer.spec import ItsSpec


@dataclass(frozen=True)
class PowerResult:
    """Power at the asked effect, the MDE, and the power curve behind them."""

    label: str
    kind: str  # "level" or "slope"
    effect: float | None
    power: float | None
    mde: float
    alpha: float
    target: float
    n_draws: int
    size: float  # power at delta = 0: the test's actual rejection rate under the null
    ar: tuple[float, ...]
    sigma: float
    scale: str  # "identity" or "log"
    curve: pd.DataFrame  # effect, power
    errors: str
    method: str = "shift"  # see the module docstring; counts: "shift+direct"
    mde_check_power: float | None = None  # counts: power simulated directly at the MDE

    @property
    def mde_pct(self) -> float | None:
        return 100.0 * (np.exp(self.mde) - 1.0) if self.scale == "log" else None

    def to_dict(self) -> dict:
        return {
            "label": self.label,
            "kind": self.kind,
            "effect": self.effect,
            "power": self.power,
            "mde": self.mde,
            "mde_pct": self.mde_pct,
            "alpha": self.alpha,
            "target_power": self.target,
            "n_draws": self.n_draws,
            "size": self.size,
            "ar": list(self.ar),
            "sigma": self.sigma,
            "scale": self.scale,
            "errors": self.errors,
            "method": "simulation from the fitted pre-period model with AR(p) noise",
            "power_method": self.method,
            "mde_check_power": self.mde_check_power,
            "curve": self.curve.to_dict(orient="records"),
        }


def simulate_ar(phi, sigma: float, n: int, draws: int, rng, burn: int = 100) -> np.ndarray:
    """``draws`` AR(p) paths of length n (vectorised across draws; loop over time only)."""
    phi = np.asarray(phi, float)
    p = len(phi)
    e = rng.normal(scale=sigma, size=(draws, n + burn))
    if p == 0:
        return e[:, burn:]
    x = np.zeros_like(e)
    for i in range(n + burn):
        acc = e[:, i].copy()
        for j in range(1, min(p, i) + 1):
            acc += phi[j - 1] * x[:, i - j]
        x[:, i] = acc
    return x[:, burn:]


def power_analysis(
    series,
    spec: ItsSpec,
    *,
    effect: float | None = None,
    kind: str = "level",
    label: str | None = None,
    n_draws: int = 1000,
    alpha: float = 0.05,
    target: float = 0.8,
    ar_order: int = 1,
    seed: int = 0,
) -> PowerResult:
    """Power to detect ``effect`` at the spec's date, and the minimum detectable effect.

    Parameters
    ----------
    series, spec
        The data and the analysis (gaussian, OLS or HAC errors).
    effect
        The change to detect, on the model's scale (log scale under ``--log``); None reports
        only the MDE (in the direction of the observed estimate).
    kind
        ``level`` or ``slope`` change.
    label
        The intervention (default the first).
    n_draws, alpha, target, ar_order, seed
        Simulation size, test level, power wanted for the MDE, AR order of the noise, seed.

    Returns
    -------
    PowerResult

    Examples
    --------
    >>> from explorer.io.series import from_frame
    >>> from explorer.spec import Intervention
    >>> d = pd.DataFrame({"date": pd.date_range("2010-01-01", periods=60, freq="MS"),
    ...                   "y": np.random.default_rng(1).normal(size=60)})
    >>> s = ItsSpec(time="date", value="y", interventions=(Intervention("x", "2013-01"),),
    ...             errors="ols")
    >>> 0.8 < power_analysis(from_frame(d, freq="M"), s, effect=3.0).power <= 1.0
    True
    """
    if spec.model != "segmented" or spec.control is not None or spec.group is not None:
        raise InputError(
            "Power is simulated for single-series segmented models: drop --model, --control "
            "and --group (simulate the treated series alone)."
        )
    if spec.effective_errors not in ("ols", "hac", "model"):
        raise InputError(
            "Power is simulated with --errors ols or hac (counts: model or hac); AR(P) errors "
            "are not covered: use --errors hac, which the simulation's AR noise then tests."
        )
    if not spec.interventions:
        raise SpecError("Power needs the intervention date: give it with --intervention.")
    if kind not in ("level", "slope"):
        raise InputError(f"Unknown effect kind {kind!r}: use level or slope.")
    label = label or spec.interventions[0].label
    prob = gaussian_problem(series, replace(spec, family="gaussian") if spec.is_count else spec)
    term = term_index(prob, label)
    col = term.level_col if kind == "level" else term.slope_col
    if col is None:
        raise InputError(
            f"Intervention {label!r} has no slope change in this spec: use --effect-kind level."
        )
    j = prob.cols.index(col)
    # The null model: every column except this and later interventions, fitted on the pre-period.
    later = {x.label for x in prob.design.terms if x.t0 >= term.t0}
    drop = {c for x in prob.design.terms if x.label in later for c in (x.level_col, x.slope_col)}
    keep = [i for i, c in enumerate(prob.cols) if c not in drop]
    pre = prob.t < term.t0
    if pre.sum() <= len(keep) + ar_order + 2:
        raise SpecError(
            f"Only {int(pre.sum())} observations before {label!r}: too few to fit the pre-period "
            "model the simulation needs. Use a longer pre-period."
        )
    rng = np.random.default_rng(seed)
    sim = _count_draws if spec.is_count else _gaussian_draws
    b, se, c, phi, sigma, direct = sim(
        series, spec, prob, keep, pre, j, ar_order, n_draws, rng, alpha
    )

    def power_at(delta):
        return float(np.mean(np.abs((b + delta) / se) > c))

    sign = np.sign(effect) if effect else -1.0
    if effect is None:
        sign = np.sign(_observed(series, spec, prob, j)) or -1.0
    scale_se = float(np.median(se))
    lo, hi = 0.0, scale_se
    while power_at(sign * hi) < target and hi < 1e6 * scale_se:
        hi *= 2
    for _ in range(60):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if power_at(sign * mid) < target else (lo, mid)
    mde = float(sign * hi)
    grid = np.linspace(0, 2 * abs(mde), 21) * sign
    curve = pd.DataFrame({"effect": grid, "power": [power_at(g) for g in grid]})
    power = None if effect is None else (power_at(effect) if direct is None else direct(effect))
    return PowerResult(
        label=label,
        kind=kind,
        effect=effect,
        power=power,
        mde=mde,
        alpha=alpha,
        target=target,
        n_draws=n_draws,
        size=power_at(0.0),
        ar=tuple(float(x) for x in phi),
        sigma=float(sigma),
        scale=spec.scale,
        curve=curve,
        errors=spec.effective_errors,
        method="shift" if direct is None else "shift+direct",
        mde_check_power=None if direct is None else direct(mde),
    )


def _observed(series, spec, prob, j) -> float:
    if spec.is_count:
        off = _log_offset(series, spec, prob)
        return float(batch_poisson(prob.X, prob.y, offset=off).params[0, j])
    return float(batch_ols(prob.X, prob.y, errors="ols").params[0, j])


def _gaussian_draws(series, spec, prob, keep, pre, j, ar_order, n_draws, rng, alpha):
    """Null draws of the pre-period model plus AR noise, fitted by batched OLS/HAC."""
    X0 = prob.X[pre][:, keep]
    beta0 = np.linalg.lstsq(X0, prob.y[pre], rcond=None)[0]
    phi, sigma = _yule_walker(prob.y[pre] - X0 @ beta0, ar_order)
    mu = prob.X[:, keep] @ beta0
    t_int = prob.t.astype(int)
    noise = simulate_ar(phi, sigma, int(t_int.max()) + 1, n_draws, rng)[:, t_int]
    fit = batch_ols(
        prob.X, mu[None, :] + noise, errors=spec.effective_errors, hac_lags=spec.hac_lags
    )
    return fit.params[:, j], fit.bse[:, j], fit.crit(alpha), phi, sigma, None


def _log_offset(series, spec, prob) -> np.ndarray | None:
    if not spec.offset:
        return None
    return np.log(series.extra[spec.offset].to_numpy(float)[prob.rows])


def _count_draws(series, spec, prob, keep, pre, j, ar_order, n_draws, rng, alpha):
    """Counts: Poisson around the pre-period mean times a latent log-normal AR(p) factor.

    The latent factor's variance matches the pre-period's Pearson overdispersion
    (phi = 1 + mean(mu) (exp(s^2) - 1)) and its autocorrelation that of the Pearson residuals;
    draws are analysed by batched IRLS with the spec's errors (quasi-Poisson or Poisson;
    negbin is analysed as quasi-Poisson). Power at a given effect is simulated directly (fresh
    Poisson draws with the effect in the mean, same latent noise); the power curve and the MDE
    use the shift approximation b + delta on the null draws, and ``mde_check_power`` is the
    power simulated directly at the MDE.
    """
    from scipy import stats

    off = _log_offset(series, spec, prob)
    off0 = np.zeros(len(prob.y)) if off is None else off
    X0 = prob.X[:, keep]
    f0 = batch_poisson(X0[pre], prob.y[pre], offset=off0[pre], quasi=True)
    mu_pre = np.exp(X0[pre] @ f0.params[0] + off0[pre])
    disp = float(f0.ssr[0]) / max(int(pre.sum()) - len(keep), 1)
    s2 = float(np.log1p(max(disp - 1.0, 0.0) / np.mean(mu_pre)))
    phi, _ = _yule_walker(f0.resid[0], ar_order)
    t_int = prob.t.astype(int)
    lat = simulate_ar(phi, 1.0, int(t_int.max()) + 1, n_draws, rng)[:, t_int]
    lat = lat / (lat.std() or 1.0) * np.sqrt(s2) - s2 / 2.0
    mean0 = np.exp(X0 @ f0.params[0] + off0)
    quasi = spec.family != "poisson"
    errors = "hac" if spec.effective_errors == "hac" else "model"
    crit = float(stats.norm.isf(alpha / 2))
    seed = int(rng.integers(2**31))

    def fit(delta):
        lam = mean0 * np.exp(lat + delta * prob.X[:, j])
        Y = np.random.default_rng(seed).poisson(lam)
        return batch_poisson(
            prob.X, Y, offset=off, errors=errors, quasi=quasi, hac_lags=spec.hac_lags
        )

    null = fit(0.0)

    def direct(delta):
        r = fit(delta)
        return float(np.mean(np.abs(r.params[:, j] / r.bse[:, j]) > crit))

    return null.params[:, j], null.bse[:, j], crit, phi, np.sqrt(s2), direct


def _yule_walker(resid: np.ndarray, order: int) -> tuple[np.ndarray, float]:
    """AR coefficients and innovation s.d. of the pre-period residuals (order 0: white noise)."""
    if order <= 0:
        return np.zeros(0), float(np.std(resid, ddof=1))
    from statsmodels.regression.linear_model import yule_walker

    phi, sigma = yule_walker(resid, order=order, method="mle", result_object=False)
    return np.atleast_1d(phi), float(sigma)
