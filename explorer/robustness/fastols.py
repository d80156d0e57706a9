"""Batched least squares: many gaussian OLS fits at once, with OLS or Newey-West (HAC) errors.

Sweeps, break scans, placebos and power simulations refit the same kind of regression hundreds
of times, changing one column (a moved date) or the outcome (a simulated draw). Looping over
``statsmodels.OLS`` spends almost all its time in Python overhead; here the fits are stacked on a
leading batch axis and solved in one call to numpy's batched QR. Results equal statsmodels to
about 1e-10 (``tests/robustness/test_sweep_placebo.py`` checks 1e-8):

- ``errors="ols"`` is ``OLS(y, X).fit()`` (t distribution, df = n - k);
- ``errors="hac"`` is ``OLS(y, X).fit(cov_type="HAC", cov_kwds={"maxlags": L,
  "use_correction": True}, use_t=True)``: Bartlett kernel, the n/(n - k) factor and t(n - k)
  intervals, Stata's ``newey`` convention, exactly as ``explorer.models.fit.fit_its`` fits it.

Shapes: ``X`` is (B, n, k) or (n, k) (shared by every fit); ``y`` is (B, n) or (n,).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from explorer.models.segmented import default_hac_lags  # the one definition of the default


def outcome_units(y: np.ndarray) -> np.ndarray:
    """Per outcome (last axis), a power of two near its largest |y| (1 if all zero).

    The fits divide y by it and multiply back (exact), so an outcome near 1e-300 or 1e300 gets
    the standard errors of its rescaled copy instead of the roots of under- or overflows.
    """
    a = np.abs(np.asarray(y, float))
    m = np.max(np.where(np.isfinite(a), a, 0.0), axis=-1) if a.size else np.zeros(a.shape[:-1])
    return np.where(m > 0, np.exp2(np.frexp(m)[1].astype(float)), 1.0)


def _check_lags(lags: int, n: int) -> None:
    from explorer.models.segmented import check_hac_lags  # one message for every path

    check_hac_lags(lags, n)


@dataclass(frozen=True)
class BatchFit:
    """Stacked OLS fits: ``params`` (B, k), ``bse`` (B, k), ``resid`` (B, n), ``ssr`` (B,)."""

    params: np.ndarray
    bse: np.ndarray
    resid: np.ndarray
    ssr: np.ndarray
    cov: np.ndarray
    nobs: int
    df_resid: int
    use_t: bool

    def tvalues(self) -> np.ndarray:
        return self.params / self.bse

    def pvalues(self) -> np.ndarray:
        """Two-sided p-values (t with df_resid)."""
        from scipy import stats

        z = np.abs(self.tvalues())
        if self.use_t:
            return 2.0 * stats.t.sf(z, self.df_resid)
        return 2.0 * stats.norm.sf(z)

    def crit(self, alpha: float = 0.05) -> float:
        from scipy import stats

        if self.use_t:
            return float(stats.t.isf(alpha / 2.0, self.df_resid))
        return float(stats.norm.isf(alpha / 2.0))

    def loglik(self) -> np.ndarray:
        """Gaussian log-likelihood at the ML variance (statsmodels' ``llf``)."""
        n = self.nobs
        return -0.5 * n * (np.log(2.0 * np.pi * self.ssr / n) + 1.0)


def _qr_solve(X: np.ndarray, Y: np.ndarray):
    """Least squares through QR (not the normal equations: trend columns make X'X ill-conditioned)."""
    Q, R = np.linalg.qr(X)  # batched over leading axes
    qty = np.einsum("...nk,...n->...k", Q, Y)
    beta = np.linalg.solve(R, qty[..., None])[..., 0]
    Rinv = np.linalg.inv(R)
    xtx_inv = Rinv @ np.swapaxes(Rinv, -1, -2)
    return beta, xtx_inv


def hac_meat(scores: np.ndarray, lags: int) -> np.ndarray:
    """Bartlett-weighted sum of score cross-products, sum_l w_l (G_l + G_l'), scores (B, n, k)."""
    sT = np.swapaxes(scores, -1, -2)
    S = sT @ scores
    for lag in range(1, lags + 1):
        w = 1.0 - lag / (lags + 1.0)
        G = sT[:, :, lag:] @ scores[:, :-lag]
        S += w * (G + np.swapaxes(G, -1, -2))
    return S


def batch_ols(
    X: np.ndarray, y: np.ndarray, *, errors: str = "ols", hac_lags: int | None = None
) -> BatchFit:
    """Fit B gaussian regressions at once.

    Parameters
    ----------
    X
        Designs, (B, n, k), or one design (n, k) shared by every outcome.
    y
        Outcomes, (B, n), or one outcome (n,) shared by every design.
    errors
        ``ols`` or ``hac`` (Newey-West, Bartlett kernel).
    hac_lags
        Newey-West lags; None means ``default_hac_lags(n)``.

    Returns
    -------
    BatchFit

    Examples
    --------
    >>> X = np.column_stack([np.ones(5), np.arange(5.0)])
    >>> batch_ols(X, 2 + 3 * np.arange(5.0)).params.round(6).tolist()
    [[2.0, 3.0]]
    """
    X = np.asarray(X, dtype=float)
    y = np.asarray(y, dtype=float)
    if X.ndim == 2 and y.ndim == 1:
        X, y = X[None], y[None]
    n, k = X.shape[-2], X.shape[-1]
    unit = outcome_units(y)  # scalar for one outcome, (B,) for many
    y = y / np.expand_dims(unit, -1)
    if X.ndim == 2:
        # One design, many outcomes: a single QR serves every draw (power simulations).
        Q, R = np.linalg.qr(X)
        beta = np.linalg.solve(R, Q.T @ y.T).T
        Rinv = np.linalg.inv(R)
        xtx_inv = np.broadcast_to(Rinv @ Rinv.T, (y.shape[0], k, k))
        resid = y - beta @ X.T
        Xb = np.broadcast_to(X, (y.shape[0], n, k))
    else:
        if y.ndim == 1:
            y = np.broadcast_to(y, X.shape[:-1])
        beta, xtx_inv = _qr_solve(X, y)
        resid = y - np.einsum("bnk,bk->bn", X, beta)
        Xb = X
    ssr = np.einsum("bn,bn->b", resid, resid)
    df = n - k
    if errors == "ols":
        cov = xtx_inv * (ssr / df)[:, None, None]
        use_t = True
    elif errors == "hac":
        lags = default_hac_lags(n) if hac_lags is None else int(hac_lags)
        _check_lags(lags, n)
        S = hac_meat(Xb * resid[:, :, None], lags)
        cov = xtx_inv @ S @ xtx_inv * (n / df)
        use_t = True
    else:
        raise ValueError(f"batch_ols handles errors 'ols' or 'hac', not {errors!r}")
    bse = np.sqrt(np.clip(np.einsum("bii->bi", cov), 0.0, None))
    return _unscaled(BatchFit(beta, bse, resid, ssr, cov, n, df, use_t), unit)


def _unscaled(fit: BatchFit, unit) -> BatchFit:
    """``fit`` of y / unit in y's units (ssr and cov may leave the floating-point range)."""
    u = np.broadcast_to(np.asarray(unit, float).reshape(-1), (fit.params.shape[0],))
    if (u == 1.0).all():
        return fit
    with np.errstate(over="ignore", under="ignore"):
        return BatchFit(
            fit.params * u[:, None],
            fit.bse * u[:, None],
            fit.resid * u[:, None],
            fit.ssr * u**2,
            fit.cov * (u**2)[:, None, None],
            fit.nobs,
            fit.df_resid,
            fit.use_t,
        )


def segment_ssr(y: np.ndarray, Z: np.ndarray, min_len: int) -> np.ndarray:
    """SSR of OLS of y on Z over every segment [i, j) with j - i >= min_len (NaN elsewhere).

    ``Z``'s first column must be the constant. For each start i every end j is done at once from
    cumulative cross-products; the other columns and y are first re-centred on row i, so the
    normal equations stay well conditioned for trends hundreds of periods long. The matrix of
    segment SSRs is all Bai & Perron's (2003) dynamic programme needs.

    Returns
    -------
    ndarray, (n, n + 1)
        ``out[i, j]`` is the SSR of observations i..j-1.
    """
    y = np.asarray(y, float)
    Z = np.asarray(Z, float)
    n = len(y)
    out = np.full((n, n + 1), np.nan)
    for i in range(0, n - min_len + 1):
        out[i, i + min_len :] = prefix_ssr(y[i:], Z[i:], min_len)
    return out


def prefix_ssr(y: np.ndarray, Z: np.ndarray, min_len: int) -> np.ndarray:
    """SSR of OLS of y[:j] on Z[:j] for every j = min_len..n (``Z[:, 0]`` the constant).

    Cumulative cross-products after re-centring on the first row (see ``segment_ssr``). ``y``
    may be (B, n): the cross-products of Z are then shared by every outcome.
    """
    Zi = np.array(Z, float)
    Zi[:, 1:] -= Zi[0, 1:]
    y = np.asarray(y, float)
    ZZ = np.cumsum(Zi[:, :, None] * Zi[:, None, :], axis=0)[min_len - 1 :]
    if y.ndim == 1:
        yi = y - y[0]
        Zy = np.cumsum(Zi * yi[:, None], axis=0)[min_len - 1 :]
        yy = np.cumsum(yi * yi)[min_len - 1 :]
        b = np.linalg.solve(ZZ, Zy[..., None])[..., 0]
        return np.maximum(yy - np.einsum("jq,jq->j", Zy, b), 0.0)
    yi = y - y[:, :1]
    Zy = np.cumsum(Zi[None] * yi[:, :, None], axis=1)[:, min_len - 1 :]
    yy = np.cumsum(yi * yi, axis=1)[:, min_len - 1 :]
    inv = np.linalg.inv(ZZ)
    quad = np.zeros_like(yy)
    for q in range(Zi.shape[1]):  # Zy' (Z'Z)^-1 Zy, q^2 flat passes (q is 1 or 2 here)
        for r in range(Zi.shape[1]):
            quad += inv[None, :, q, r] * Zy[:, :, q] * Zy[:, :, r]
    return np.maximum(yy - quad, 0.0)


def batch_partial_ols(
    W: np.ndarray, Z: np.ndarray, y: np.ndarray, *, errors: str = "ols", hac_lags: int | None = None
) -> BatchFit:
    """The coefficients of Z in B regressions of y on [W, Z_b]: W shared, Z_b (B, n, q) moving.

    Frisch-Waugh-Lovell: with W partialled out once (one QR), each fit is a q-column regression
    of M_W y on M_W Z_b, which gives Z_b's coefficients, the residuals and the SSR of the full
    regression. The rows of (X'X)^-1 X' that belong to Z_b are (Z~'Z~)^-1 Z~', so the OLS and
    Newey-West covariances of those coefficients need only the partialled-out columns. This is
    what makes a sweep cost O(B n q^2) instead of O(B n k^2). Returned arrays cover Z only.
    """
    W = np.asarray(W, float)
    Z = np.asarray(Z, float)
    y = np.asarray(y, float)
    n, p = W.shape
    q = Z.shape[-1]
    k = p + q
    unit = outcome_units(y)
    y = y / unit
    Q, _ = np.linalg.qr(W)
    yt = y - Q @ (Q.T @ y)
    Zt = Z - Q @ (np.swapaxes(Q, 0, 1) @ Z)  # (B, n, q)
    ZtT = np.swapaxes(Zt, -1, -2)
    A = np.linalg.inv(ZtT @ Zt)  # (B, q, q)
    g = (A @ (ZtT @ yt[:, None]))[..., 0]
    resid = yt[None, :] - np.einsum("bnq,bq->bn", Zt, g)
    ssr = np.einsum("bn,bn->b", resid, resid)
    df = n - k
    if errors == "ols":
        cov = A * (ssr / df)[:, None, None]
    elif errors == "hac":
        lags = default_hac_lags(n) if hac_lags is None else int(hac_lags)
        _check_lags(lags, n)
        cov = A @ hac_meat(Zt * resid[:, :, None], lags) @ A * (n / df)
    else:
        raise ValueError(f"batch_partial_ols handles errors 'ols' or 'hac', not {errors!r}")
    bse = np.sqrt(np.clip(np.einsum("bii->bi", cov), 0.0, None))
    return _unscaled(BatchFit(g, bse, resid, ssr, cov, n, df, True), unit)


def batch_poisson(
    X: np.ndarray,
    Y: np.ndarray,
    *,
    offset: np.ndarray | None = None,
    errors: str = "model",
    quasi: bool = True,
    hac_lags: int | None = None,
    maxiter: int = 50,
    tol: float = 1e-10,
) -> BatchFit:
    """B Poisson GLMs (log link) on one design by batched IRLS, as ``statsmodels.GLM``.

    ``errors="model"``: model-based covariance, scaled by Pearson chi2 / (n - k) when ``quasi``
    (``fit(scale="X2")``); ``errors="hac"``: Newey-West on the score x (y - mu) with the n/(n - k)
    factor (``fit(cov_type="HAC", cov_kwds={"maxlags": L, "use_correction": True})``). Intervals
    use the normal distribution, as statsmodels' GLM does. ``resid`` holds Pearson residuals and
    ``ssr`` the Pearson chi2.
    """
    X = np.asarray(X, float)
    Y = np.atleast_2d(np.asarray(Y, float))
    n, k = X.shape
    off = np.zeros(n) if offset is None else np.asarray(offset, float)
    eta = np.log(Y + 0.5) - off  # statsmodels' start: mu = (y + mean(y)) / 2 also converges here
    beta = np.zeros((Y.shape[0], k))
    XX = (X[:, :, None] * X[:, None, :]).reshape(n, k * k)  # X'WX for every draw in one GEMM

    def xtwx(w):
        return (w @ XX).reshape(-1, k, k)

    for _ in range(maxiter):
        mu = np.exp(eta + off)
        z = eta + (Y - mu) / mu
        new = np.linalg.solve(xtwx(mu), ((mu * z) @ X)[:, :, None])[..., 0]
        done = np.max(np.abs(new - beta)) < tol * (1 + np.max(np.abs(new)))
        beta = new
        eta = beta @ X.T
        if done:
            break
    mu = np.exp(eta + off)
    H = np.linalg.inv(xtwx(mu))
    pearson = (Y - mu) / np.sqrt(mu)
    chi2 = np.einsum("bn,bn->b", pearson, pearson)
    df = n - k
    if errors == "hac":
        lags = default_hac_lags(n) if hac_lags is None else int(hac_lags)
        _check_lags(lags, n)
        cov = H @ hac_meat(X[None] * (Y - mu)[:, :, None], lags) @ H * (n / df)
    elif errors == "model":
        cov = H * (chi2 / df)[:, None, None] if quasi else H
    else:
        raise ValueError(f"batch_poisson handles errors 'model' or 'hac', not {errors!r}")
    bse = np.sqrt(np.clip(np.einsum("bii->bi", cov), 0.0, None))
    return BatchFit(beta, bse, pearson, chi2, cov, n, df, False)
