"""Residual diagnostics as data the app plots: ACF/PACF with bands, Ljung-Box, Breusch-Godfrey,
Jarque-Bera normality and influence (Cook's distance).

Every number is statsmodels' own (``acf``, ``pacf``, ``acorr_ljungbox``, ``acorr_breusch_godfrey``,
``jarque_bera``, ``get_influence().cooks_distance``) applied to the residuals of the fit
``explorer.models.fit.fit_its`` made, as ``explorer.models.report.residuals`` defines them (the
ones the fit's own Ljung-Box and Durbin-Watson figures use): standardised innovations for AR and
state-space models, Pearson residuals for count families, raw residuals otherwise.
Breusch-Godfrey needs a least-squares fit and is None otherwise; Cook's distance needs a
regression and is NaN where the model has none.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from explorer.models.report import ljung_box_lags, residuals
from explorer.spec import ItsSpec


@dataclass(frozen=True)
class Diagnostics:
    """Residual checks; ``acf`` has columns lag, acf, pacf; ``influence`` date, resid, cooks_d."""

    n: int
    acf: pd.DataFrame
    band: float  # +-1.96 / sqrt(n): the white-noise band drawn around the ACF/PACF
    ljung_box: dict
    breusch_godfrey: dict | None
    jarque_bera: dict
    influence: pd.DataFrame
    cooks_threshold: float  # 4 / n, the usual rule of thumb

    @property
    def influential(self) -> list:
        d = self.influence
        return list(d.loc[d["cooks_d"] > self.cooks_threshold, "date"])

    def sentences(self) -> list[str]:
        out = []
        lb = self.ljung_box
        if lb["p_value"] < 0.05:
            out.append(
                f"The residuals are autocorrelated (Ljung-Box p = {lb['p_value']:.3f} at "
                f"{lb['lags']} lags): OLS standard errors are too small; prefer hac or ar:1 errors."
            )
        else:
            out.append(f"No sign of residual autocorrelation (Ljung-Box p = {lb['p_value']:.2f}).")
        if self.jarque_bera["p_value"] < 0.05:
            out.append(
                "The residuals are not normal (Jarque-Bera p = "
                f"{self.jarque_bera['p_value']:.3f}): look for outliers or a missing term."
            )
        if self.influential:
            out.append(
                f"{len(self.influential)} observation(s) have a large influence on the fit "
                "(Cook's distance above 4/n)."
            )
        return out

    def to_dict(self) -> dict:
        return {
            "n": self.n,
            "acf": self.acf.to_dict(orient="records"),
            "band": self.band,
            "ljung_box": self.ljung_box,
            "breusch_godfrey": self.breusch_godfrey,
            "jarque_bera": self.jarque_bera,
            "influence": self.influence.to_dict(orient="records"),
            "cooks_threshold": self.cooks_threshold,
            "influential": self.influential,
            "sentences": self.sentences(),
        }


def residual_diagnostics(resid, *, dates=None, raw=None, nlags: int | None = None) -> Diagnostics:
    """Diagnostics of one residual series.

    Parameters
    ----------
    resid
        Residuals in time order.
    dates
        Their dates (default 0..n-1).
    raw
        The statsmodels results object behind them, for Breusch-Godfrey (least squares only)
        and Cook's distance.
    nlags
        Lags for the ACF and the tests; default ``ljung_box_lags(n)``: min(10, n // 5), at least 1.

    Returns
    -------
    Diagnostics
    """
    from statsmodels.stats.diagnostic import acorr_breusch_godfrey, acorr_ljungbox
    from statsmodels.stats.stattools import jarque_bera
    from statsmodels.tsa.stattools import acf, pacf

    r = np.asarray(resid, float)
    n = len(r)
    L = ljung_box_lags(n) if nlags is None else int(nlags)
    dates = pd.RangeIndex(n) if dates is None else pd.DatetimeIndex(dates)
    from explorer.models.segmented import outcome_unit

    rs = r / outcome_unit(r)  # the tests are scale-free; squares of 1e-300 underflow
    a = acf(rs, nlags=L, fft=False)
    p = pacf(rs, nlags=min(L, n // 2 - 1), method="ywadjusted")
    p = np.r_[p, np.full(L + 1 - len(p), np.nan)]
    lb = acorr_ljungbox(rs, lags=[L], return_df=True)
    jb, jbp, skew, kurt = jarque_bera(rs)
    bg = None
    cooks = np.full(n, np.nan)
    if raw is not None:
        import statsmodels.regression.linear_model as lm

        if isinstance(getattr(raw, "model", None), lm.RegressionModel):
            lm_stat, lm_p, _, _ = acorr_breusch_godfrey(raw, nlags=L, result_object=False)
            bg = {"statistic": float(lm_stat), "p_value": float(lm_p), "lags": L}
        try:
            cooks = np.asarray(raw.get_influence().cooks_distance[0], float)
        except (AttributeError, NotImplementedError, ValueError):
            pass
    return Diagnostics(
        n=n,
        acf=pd.DataFrame({"lag": np.arange(L + 1), "acf": a, "pacf": p}),
        band=float(1.96 / np.sqrt(n)),
        ljung_box={
            "statistic": float(lb["lb_stat"].iloc[0]),
            "p_value": float(lb["lb_pvalue"].iloc[0]),
            "lags": L,
        },
        breusch_godfrey=bg,
        jarque_bera={
            "statistic": float(jb),
            "p_value": float(jbp),
            "skew": float(skew),
            "kurtosis": float(kurt),
        },
        influence=pd.DataFrame({"date": list(dates), "resid": r, "cooks_d": cooks}),
        cooks_threshold=4.0 / n,
    )


def diagnose(series, spec: ItsSpec, *, nlags: int | None = None, result=None) -> Diagnostics:
    """Diagnose the residuals of ``spec`` fitted to ``series``.

    ``result`` is that fit if it is already made (the app's cached fit); otherwise ``fit_its``
    makes it. The residuals are ``explorer.models.report.residuals(result)``, so with the default
    ``nlags`` the Ljung-Box test here is the one in ``result.diagnostics``.
    """
    if result is None:
        from explorer.models.fit import fit_its

        result = fit_its(series, spec)
    r = residuals(result)
    keep = np.isfinite(r)
    fit = getattr(result, "fit", None)
    if fit is None:
        return residual_diagnostics(r[keep], nlags=nlags)
    dates = pd.DatetimeIndex(series.dates)[fit.rows]
    dates = dates[len(dates) - len(r) :]  # innovations may start after a burn-in
    # Breusch-Godfrey and Cook's distance come from the statsmodels fit, when its residuals are
    # these (not innovations, not a stacked comparative fit, none dropped)
    own = "innovations" not in fit.extra and not fit.comparative and keep.all()
    raw = result.raw if own else None
    return residual_diagnostics(r[keep], dates=dates[keep], raw=raw, nlags=nlags)
