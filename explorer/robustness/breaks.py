"""Where does the data itself put a break? Sup-F, Bai (1997) intervals and Bai-Perron breaks.

The model is the series' own, without interventions: ``y ~ 1 + t`` (a break in level and trend,
as strucchange's ``y ~ t``) or ``y ~ 1`` (a mean shift, ``--no-trend``), with every coefficient
allowed to change at a break. The numbers follow R's strucchange (Zeileis et al. 2002, 2003),
which ``tests/robustness/test_breaks.py`` checks against values produced by
``scripts/strucchange_reference.R``:

- ``supf_test``: Andrews' (1993) sup-F over every split leaving ``trim`` of the data on each side
  (strucchange's ``Fstats``, F not divided by the number of coefficients), with the p-value from
  Hansen's (1997) response-surface approximation (strucchange's ``pvalue.Fstats``; the
  coefficients, Hansen's table as strucchange ships it, are in ``hansen1997_supf.csv``). The
  table assumes stationary regressors: for a mean shift (``y ~ 1``) its size is right (4.8% at
  5% in 1,000 simulated null series at n = 100 and 200), with a trend (``y ~ 1 + t``) it
  over-rejects somewhat (7.8-7.9%), exactly as strucchange does. ``pvalue="simulated"`` gives
  instead the finite-sample p-value for the design itself (sup-F of 2,000 null series with iid
  normal errors, all at once), whose size is right with a trend too.
- ``bai_perron``: the global least-squares partition with 1..M breaks by dynamic programming
  (Bai & Perron 2003), the number of breaks chosen by BIC (strucchange's ``summary``) or by LWZ
  (Liu, Wu & Zidek 1997: log(SSR/(n - p)) + p 0.299 (log n)^2.1 / n, p = (m+1)q + m).
- ``break_confint``: Bai's (1997) interval for each break, allowing different regressor moments
  and error variances in adjacent segments (strucchange's ``confint`` defaults).

Positions are 0-based indices of the **first observation of the new regime**; strucchange
reports the last observation of the old one, which is the same number counted from 1.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from explorer import paths
from explorer.errors import InputError
from explorer.robustness.fastols import prefix_ssr, segment_ssr

_HANSEN = paths.HANSEN_FILE


def trend_matrix(n: int, *, trend: bool = True, t: np.ndarray | None = None) -> np.ndarray:
    """The regressors of ``y ~ 1 + t`` (or ``y ~ 1``), t = 1..n unless given (gaps keep place)."""
    tt = np.arange(1.0, n + 1.0) if t is None else np.asarray(t, float)
    return np.column_stack([np.ones(n), tt]) if trend else np.ones((n, 1))


def min_segment(n: int, trim: float, q: int) -> int:
    """strucchange's h = floor(trim n), refused when too small to fit a segment."""
    if not 0 < trim < 0.5:
        raise InputError(f"--trim must be between 0 and 0.5 (got {trim}); 0.15 is customary.")
    h = int(np.floor(trim * n)) if trim < 1 else int(trim)
    if h <= q:
        raise InputError(
            f"With {n} observations and --trim {trim}, a segment would hold {h} point(s), too few "
            f"to fit {q} coefficient(s) on each side of a break: use a longer series or a larger "
            "--trim."
        )
    return h


# -- sup-F -------------------------------------------------------------------------------------
def _hansen_table() -> np.ndarray:
    return np.loadtxt(_HANSEN, delimiter=",", skiprows=1)


def supf_pvalue(stat: float, k: int, lam: float) -> float:
    """Hansen's (1997) approximate asymptotic p-value of sup-F (strucchange's ``pvalue.Fstats``).

    ``lam`` is ((n - from) to) / (from (n - to)); ``k`` the number of coefficients that break.
    """
    from scipy import stats

    table = _hansen_table()
    if k > int(table[:, 0].max()):
        raise InputError(f"Sup-F p-values are tabulated for up to 10 coefficients, not {k}.")
    beta = table[table[:, 0] == k][:, 2:]
    tau = lam if lam < 1 else 1.0 / (1.0 + np.sqrt(lam))
    dummy = np.maximum(beta[:, 0] + beta[:, 1] * stat, 0.0)
    pp = stats.chi2.sf(dummy, beta[:, 2])
    if tau == 0.5:
        return float(stats.chi2.sf(stat, k))
    if tau <= 0.01:
        return float(pp[24])
    if tau >= 0.49:
        return float(((0.5 - tau) * pp[0] + (tau - 0.49) * stats.chi2.sf(stat, k)) * 100)
    taua = (0.51 - tau) * 50
    t1 = int(np.floor(taua))
    return float((t1 + 1 - taua) * pp[t1 - 1] + (taua - t1) * pp[t1])


@dataclass(frozen=True)
class SupF:
    """Sup-F over every admissible split: ``index`` is the first observation after the break."""

    statistic: float
    p_value: float
    index: int
    fstats: np.ndarray  # F at splits first..last (index of the new regime's first observation)
    first: int
    lam: float
    p_method: str = "Hansen (1997) approximation"


def _fstats(y, Z, frm: int) -> np.ndarray:
    """F at every split ``frm..n-frm`` (strucchange's Fstats); y may be (B, n)."""
    n, k = Z.shape
    # Only segments [0, j) and [j, n) are needed: forward and backward prefix SSRs.
    fwd = prefix_ssr(y, Z, k + 1)  # [j - k - 1] -> SSR of y[:j]
    bwd = prefix_ssr(y[..., ::-1], Z[::-1], k + 1)  # [m - k - 1] -> SSR of the last m points
    splits = np.arange(frm, n - frm + 1)
    u = fwd[..., splits - k - 1] + bwd[..., n - splits - k - 1]
    return (fwd[..., -1:] - u) / (u / (n - 2 * k))


def supf_simulated_pvalue(stat: float, Z, frm: int, *, draws: int = 2000, seed: int = 0) -> float:
    """Share of ``draws`` null series (iid normal errors) with a sup-F at least ``stat``.

    Under iid normal errors the F statistics do not depend on the coefficients or the error
    variance, so this is the finite-sample null distribution for this very design (trend and
    all), where Hansen's asymptotic table assumes stationary regressors.
    """
    Z = np.asarray(Z, float)
    sup = _fstats(np.random.default_rng(seed).normal(size=(draws, len(Z))), Z, frm).max(axis=1)
    return float((1 + np.sum(sup >= stat)) / (draws + 1))


def supf_test(
    y, Z=None, *, trim: float = 0.15, pvalue: str = "hansen", draws: int = 2000, seed: int = 0
) -> SupF:
    """Andrews' sup-F test for one break in every coefficient of y on Z (default ``y ~ 1 + t``).

    Parameters
    ----------
    y
        The outcome, no missing values.
    Z
        Regressors, first column the constant; default ``trend_matrix(len(y))``.
    trim
        Share of the observations kept on each side of every candidate break.
    pvalue
        ``hansen`` (Hansen's 1997 approximation, as strucchange) or ``simulated``
        (``supf_simulated_pvalue``: ``draws`` null series of this design, iid normal errors).
    draws, seed
        For ``simulated``.

    Returns
    -------
    SupF

    Examples
    --------
    >>> y = np.r_[np.zeros(30), 3 * np.ones(30)] + np.sin(np.arange(60))
    >>> supf_test(y, trend_matrix(60, trend=False)).index
    30
    """
    y = np.asarray(y, float)
    n = len(y)
    Z = trend_matrix(n) if Z is None else np.asarray(Z, float)
    k = Z.shape[1]
    frm = min_segment(n, trim, k)
    to = n - frm
    f = _fstats(y, Z, frm)
    lam = ((n - frm) * to) / (frm * (n - to))
    i = int(np.argmax(f))
    stat = float(f[i])
    if pvalue == "hansen":
        return SupF(stat, supf_pvalue(stat, k, lam), frm + i, f, frm, lam)
    if pvalue == "simulated":
        p = supf_simulated_pvalue(stat, Z, frm, draws=draws, seed=seed)
        how = f"simulation: {draws} null series of this design with iid normal errors"
        return SupF(stat, p, frm + i, f, frm, lam, how)
    raise InputError(f"Unknown p-value method {pvalue!r}: use hansen or simulated.")


# -- Bai-Perron -------------------------------------------------------------------------------
@dataclass(frozen=True)
class BreakFit:
    """The best partition for each number of breaks 0..M, and the criteria over them."""

    n: int
    q: int
    h: int
    breakpoints: tuple[tuple[int, ...], ...]  # [m] -> the m break indices
    rss: np.ndarray
    bic: np.ndarray
    lwz: np.ndarray
    rss_matrix: np.ndarray = field(repr=False)

    def selected(self, criterion: str = "bic") -> int:
        crit = {"bic": self.bic, "lwz": self.lwz}[criterion]
        return int(np.argmin(crit))


def bai_perron(y, Z=None, *, max_breaks: int = 3, trim: float = 0.15) -> BreakFit:
    """Least-squares break dates for 0..``max_breaks`` breaks (Bai & Perron 2003).

    Parameters
    ----------
    y, Z, trim
        As ``supf_test``; every segment holds at least floor(trim n) observations.
    max_breaks
        M; lowered to what the trimming allows (strucchange's ceiling(n/h) - 2).

    Returns
    -------
    BreakFit
    """
    y = np.asarray(y, float)
    n = len(y)
    Z = trend_matrix(n) if Z is None else np.asarray(Z, float)
    q = Z.shape[1]
    h = min_segment(n, trim, q)
    if max_breaks < 1:
        raise InputError("--max-breaks must be 1 or more.")
    M = min(int(max_breaks), int(np.ceil(n / h)) - 2)
    R = segment_ssr(y, Z, h)
    R = np.where(np.isnan(R), np.inf, R)
    # best[s][j]: least SSR of the first j observations in s + 1 segments; arg[s][j]: last start.
    best = [R[0].copy()]
    arg = [np.zeros(n + 1, int)]
    for _s in range(1, M + 1):
        cand = best[-1][:n, None] + R  # row b: last segment starts at b; column j: ends at j
        a = np.argmin(cand, axis=0)
        best.append(cand[a, np.arange(n + 1)])
        arg.append(a)
    bps, rss = [()], [float(R[0, n])]
    for m in range(1, M + 1):
        j, cut = n, []
        for s in range(m, 0, -1):
            j = int(arg[s][j])
            cut.append(j)
        bps.append(tuple(sorted(cut)))
        rss.append(float(best[m][n]))
    rss = np.array(rss)
    ms = np.arange(M + 1)
    bic = n * (np.log(rss) + 1 - np.log(n) + np.log(2 * np.pi)) + np.log(n) * (q + 1) * (ms + 1)
    p = (ms + 1) * q + ms
    lwz = np.log(rss / (n - p)) + p * 0.299 * np.log(n) ** 2.1 / n
    return BreakFit(n, q, h, tuple(bps), rss, bic, lwz, R)


# -- Bai (1997) confidence intervals ------------------------------------------------------------
def _pargmax_v(x: float, xi: float, phi1: float, phi2: float) -> float:
    """P(argmax V <= x) for Bai's (1997) two-sided Brownian motion with drift (strucchange)."""
    from scipy.stats import norm

    phi = xi * (phi2 / phi1) ** 2
    if x < 0:
        x = abs(x)
        fr = xi / phi
        return float(
            -np.exp(np.log(x) / 2 - x / 8 - np.log(2 * np.pi) / 2)
            - (phi / xi * (phi + 2 * xi) / (phi + xi))
            * np.exp(fr * (1 + fr) * x / 2 + norm.logcdf(-(0.5 + fr) * np.sqrt(x)))
            + np.exp(
                np.log(x / 2 - 2 + (phi + 2 * xi) ** 2 / ((phi + xi) * xi))
                + norm.logcdf(-np.sqrt(x) / 2)
            )
        )
    fr = xi**2 / phi
    with np.errstate(divide="ignore"):
        return float(
            1
            + np.sqrt(fr) * np.exp(np.log(x) / 2 - fr * x / 8 - np.log(2 * np.pi) / 2)
            + (xi / phi * (2 * phi + xi) / (phi + xi))
            * np.exp((phi + xi) * x / 2 + norm.logcdf(-(phi + xi / 2) / np.sqrt(phi) * np.sqrt(x)))
            - np.exp(
                np.log((2 * phi + xi) ** 2 / ((phi + xi) * phi) - 2 + fr * x / 2)
                + norm.logcdf(-np.sqrt(fr) * np.sqrt(x) / 2)
            )
        )


def break_confint(y, Z, breaks, *, level: float = 0.95) -> list[tuple[float, float]]:
    """Bai's (1997) interval for each break (indices as elsewhere: first point of the new regime).

    Returns ``(low, high)`` per break, unclipped (they may run past the data, as strucchange's
    do), or ``(nan, nan)`` where the interval cannot be computed.
    """
    from scipy.optimize import brentq

    y = np.asarray(y, float)
    Z = np.asarray(Z, float)
    n = len(y)
    a2 = (1 - level) / 2
    bp = [0, *breaks, n]
    segs = []
    for lo, hi in zip(bp[:-1], bp[1:], strict=False):
        X, yy = Z[lo:hi], y[lo:hi]
        b = np.linalg.lstsq(X, yy, rcond=None)[0]
        r = yy - X @ b
        segs.append((b, X.T @ X / len(yy), float(r @ r) / len(yy)))
    out = []
    for i in range(1, len(bp) - 1):
        (b1, Q1, s1), (b2, Q2, s2) = segs[i - 1], segs[i]
        d = b2 - b1
        q1, q2 = float(d @ Q1 @ d), float(d @ Q2 @ d)
        xi, phi1, phi2 = q2 / q1, np.sqrt(s1), np.sqrt(s2)

        def f(x, lev, xi=xi, phi1=phi1, phi2=phi2):
            return _pargmax_v(x, xi, phi1, phi2) - lev

        p0 = _pargmax_v(0.0, xi, phi1, phi2)
        if not np.isfinite(p0) or p0 < a2 or p0 > 1 - a2:
            out.append((np.nan, np.nan))
            continue
        ub = lb = 0.0
        while _pargmax_v(ub, xi, phi1, phi2) < 1 - a2:
            ub += 1000
        while _pargmax_v(lb, xi, phi1, phi2) > a2:
            lb -= 1000
        upper = brentq(f, 0.0, ub, args=(1 - a2,), xtol=1e-10) * phi1**2 / q1
        lower = brentq(f, lb, 0.0, args=(a2,), xtol=1e-10) * phi1**2 / q1
        out.append((bp[i] - np.ceil(upper), bp[i] - np.floor(lower)))
    return out


# -- on a series -------------------------------------------------------------------------------
@dataclass(frozen=True)
class BreakResult:
    """Sup-F and the selected Bai-Perron breaks of a series, with dates (first new-regime period)."""

    supf: dict  # statistic, p_value, p_method, date, ci_low, ci_high
    breaks: list  # [{date, ci_low, ci_high}]
    criterion: str
    n_breaks: int
    model: str  # "y ~ 1 + t" or "y ~ 1"
    trim: float
    max_breaks: int
    table: list  # per number of breaks: m, rss, bic, lwz, dates

    def to_dict(self) -> dict:
        return {
            "model": self.model,
            "trim": self.trim,
            "max_breaks": self.max_breaks,
            "supf": self.supf,
            "breaks": self.breaks,
            "criterion": self.criterion,
            "n_breaks": self.n_breaks,
            "table": self.table,
            "date_convention": "a break's date is the first period of the new regime",
        }


def find_breaks(
    series,
    *,
    trend: bool = True,
    max_breaks: int = 3,
    trim: float = 0.15,
    criterion: str = "bic",
    use_log: bool = False,
    level: float = 0.95,
    pvalue: str = "hansen",
) -> BreakResult:
    """Sup-F test and Bai-Perron breaks of ``series``' own model (no interventions).

    Parameters
    ----------
    series
        A ``SeriesData``; missing periods are dropped, the trend keeps their place.
    trend
        ``y ~ 1 + t`` (True) or a mean shift ``y ~ 1``.
    max_breaks, trim, criterion
        M, the share of observations per segment, and ``bic`` or ``lwz``.
    use_log
        Test log(y) (``--log``).
    level
        Confidence level of the Bai (1997) intervals.
    pvalue
        Sup-F p-value: ``hansen`` (strucchange's) or ``simulated`` (exact for this design under
        iid normal errors; better with a trend, see the module docstring).

    Returns
    -------
    BreakResult

    Raises
    ------
    InputError
        Too few observations for the trimming, an unknown criterion, or non-positive y with log.
    """
    from explorer.periods import period_ordinal, period_start

    if criterion not in ("bic", "lwz"):
        raise InputError(f"Unknown criterion {criterion!r}: use bic or lwz.")
    y = np.asarray(series.y, float)
    ok = np.isfinite(y)
    if use_log:
        if np.any(y[ok] <= 0):
            raise InputError("--log needs a positive outcome: drop --log or remove zero values.")
        y = np.log(np.where(ok, y, 1.0))
    y = y[ok]
    ords = period_ordinal(pd.DatetimeIndex(series.dates)[ok], series.freq)
    n = len(y)
    if n < 8:
        raise InputError(f"Only {n} observations: break tests need at least 8 (better 30 or more).")
    Z = trend_matrix(n, trend=trend, t=(ords - ords[0] + 1).astype(float))

    def date(i):
        if not np.isfinite(i):
            return None
        i = int(min(max(i, 0), n - 1))  # intervals may run past the data: clip to it
        return period_start([ords[i]], series.freq)[0]

    sf = supf_test(y, Z, trim=trim, pvalue=pvalue)
    fit = bai_perron(y, Z, max_breaks=max_breaks, trim=trim)
    ci1 = break_confint(y, Z, (sf.index,), level=level)[0]
    m = fit.selected(criterion)
    cis = break_confint(y, Z, fit.breakpoints[m], level=level) if m else []
    table = [
        {
            "m": k,
            "rss": float(fit.rss[k]),
            "bic": float(fit.bic[k]),
            "lwz": float(fit.lwz[k]),
            "dates": [date(i) for i in fit.breakpoints[k]],
        }
        for k in range(len(fit.rss))
    ]
    return BreakResult(
        supf={
            "statistic": sf.statistic,
            "p_value": sf.p_value,
            "p_method": sf.p_method,
            "date": date(sf.index),
            "ci_low": date(ci1[0]),
            "ci_high": date(ci1[1]),
        },
        breaks=[
            {"date": date(i), "ci_low": date(lo), "ci_high": date(hi)}
            for i, (lo, hi) in zip(fit.breakpoints[m], cis, strict=True)
        ],
        criterion=criterion,
        n_breaks=m,
        model="y ~ 1 + t" if trend else "y ~ 1",
        trim=trim,
        max_breaks=len(fit.rss) - 1,
        table=table,
    )
