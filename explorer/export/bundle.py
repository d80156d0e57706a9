"""The reproducibility bundle: a zip that lets anyone check the numbers without this app.

It holds the data as analysed, the design matrix as fitted, the spec, the software versions and
a short plain-statsmodels ``reproduce.py`` that refits the model and prints its coefficients
and each intervention's level change. ``explorer.export.files`` re-exports ``repro_bundle``.
"""

from __future__ import annotations

import io
import json
import zipfile

import numpy as np
import pandas as pd

from explorer.export.files import neutralise, results_json_bytes, to_csv

_STATSMODELS = "\nparams, bse = res.params, res.bse  # indexed by the design's column names"
_FIT_CODE = {
    "ols": "res = sm.OLS(y, X).fit()" + _STATSMODELS,
    "hac": 'res = sm.OLS(y, X).fit(cov_type="HAC", cov_kwds={{"maxlags": {lags}, "use_correction": True}}, use_t=True)'
    + _STATSMODELS,
    "poisson": "res = sm.GLM(y, X, family=sm.families.Poisson(), exposure=exposure).fit({kw})"
    + _STATSMODELS,
    "negbin": (
        "pois = sm.GLM(y, X, family=sm.families.Poisson(), exposure=exposure).fit()\n"
        "mu = pois.mu\n"
        "a0 = max(np.sum((y - mu) ** 2 / mu - 1) / max(len(y) - X.shape[1], 1) / mu.mean(), 1e-3)\n"
        "model = sm.NegativeBinomial(y, X, exposure=exposure)\n"
        'res = model.fit(start_params=np.r_[pois.params, a0], method="bfgs", maxiter=2000, gtol=1e-10, disp=0)\n'
        'res = model.fit(start_params=res.params, method="newton", maxiter=100, disp=0{kw})'
        + _STATSMODELS
    ),
    # AR(p) errors by REML (the explorer's default): phi is the explorer's estimate; given phi
    # the fit is plain GLS with the AR(p) correlation matrix (statsmodels' GLS reproduces it).
    "ar_gls": (
        "from scipy.linalg import toeplitz\n"
        "from statsmodels.tsa.arima_process import arma_acf\n"
        "phi = np.array({phi!r})  # AR coefficients estimated by the explorer (REML)\n"
        "sigma = toeplitz(arma_acf(np.r_[1.0, -phi], [1.0], lags=len(y)))\n"
        "res = sm.GLS(y, X, sigma=sigma).fit()" + _STATSMODELS
    ),
    # SARIMAX (also for AR errors by exact ML): as the explorer does, the outcome standardised and the
    # regressors rescaled to [-1, 1] for the optimiser, and the numbers mapped back.
    "sarimax": (
        "scale = np.abs(X.to_numpy()).max(axis=0)\n"
        "scale[scale == 0] = 1.0\n"
        "loc, sd = y.mean(), (y.std() or 1.0)\n"
        "res = sm.tsa.SARIMAX((y - loc) / sd, exog=X.to_numpy() / scale, order={order}, "
        'seasonal_order={seasonal}).fit(disp=0, maxiter=500, cov_type="oim")\n'
        "names = list(X.columns) + list(res.model.param_names[X.shape[1]:])\n"
        "m = np.r_[sd / scale, [sd**2 if n == 'sigma2' else 1.0 for n in names[len(scale):]]]\n"
        "params = pd.Series(np.asarray(res.params) * m, index=names)\n"
        'params[[n == "const" for n in names]] += loc\n'
        "bse = pd.Series(np.asarray(res.bse) * m, index=names)"
    ),
}

_SCRIPT = '''"""Refit the model of this bundle with plain statsmodels and print its numbers.

Made by Evidence Explorer {version}. Run:  python reproduce.py   (needs pandas, numpy, statsmodels)

design.csv holds the regressors exactly as the explorer built them:
  y          the outcome as modelled{y_note}
  const      intercept
  trend      periods since the first observation (gaps keep their place)
  LABEL:level  1 from the intervention's first treated period on (a ramp rises to 1)
  LABEL:slope  periods since the first treated period (0 before it)
  sin/cos/month_/dow_  seasonal terms; other columns are covariates{diff_note}
data.csv is the series itself; spec.json the full specification.
"""

import numpy as np
import pandas as pd
import statsmodels.api as sm

d = pd.read_csv("design.csv")
y = d.pop("y").to_numpy(dtype=float)
exposure = d.pop("exposure").to_numpy(dtype=float) if "exposure" in d else None
X = d.astype(float)

# {model_line}
{fit}

print(pd.DataFrame({{"coef": params, "std err": bse}}).to_string())
print()
{effects}
'''


def _hac_kw(result) -> str:
    return f'cov_type="HAC", cov_kwds={{"maxlags": {result.hac_lags}, "use_correction": True}}'


def _bundle_design(result) -> tuple[pd.DataFrame, str] | None:
    """The fitted regressors (with ``y`` and ``exposure``) and the script's fitting code, or None
    for a model the script does not cover (structural models)."""

    fit, spec = result.fit, result.spec
    if fit is None or spec.model not in ("segmented", "sarimax"):
        return None
    X = fit.X.reset_index(drop=True).astype(float)
    if fit.comparative is not None:  # stacked treated and control rows: the model has them
        model = result.raw.model
        y = np.asarray(model.endog, dtype=float).ravel()
        if fit.cov_mult is not None:  # a gaussian fit on y / unit (explorer.its.outcome_unit)
            y = y * float(fit.cov_mult[0])
        log_exposure = getattr(model, "exposure", None)
    else:
        y = np.asarray(fit.y_model, dtype=float)[fit.rows]
        log_exposure = None if fit.log_offset is None else np.asarray(fit.log_offset)[fit.rows]
    design = pd.concat([pd.DataFrame({"y": y}), X], axis=1)
    if log_exposure is not None:
        design["exposure"] = np.exp(np.asarray(log_exposure, dtype=float))
    errors = spec.effective_errors
    if spec.model == "sarimax":
        from explorer.models.statespace import orders

        order, seasonal = orders(spec)
        code = _FIT_CODE["sarimax"].format(order=tuple(order), seasonal=tuple(seasonal))
    elif spec.family == "gaussian":
        if errors.startswith("ar") and getattr(result.raw, "method", None) == "reml":
            phi = [float(x) for x in np.atleast_1d(result.raw.phi)]
            code = _FIT_CODE["ar_gls"].format(phi=phi)
        elif errors.startswith("ar"):
            code = _FIT_CODE["sarimax"].format(
                order=(spec.ar_order or 1, 0, 0), seasonal=(0, 0, 0, 0)
            )
        elif errors == "hac":
            code = _FIT_CODE["hac"].format(lags=result.hac_lags)
        else:
            code = _FIT_CODE["ols"]
    elif spec.family in ("poisson", "quasipoisson"):
        kw = (
            _hac_kw(result)
            if errors == "hac"
            else 'scale="X2"'
            if spec.family == "quasipoisson"
            else ""
        )
        code = _FIT_CODE["poisson"].format(kw=kw)
    else:
        code = _FIT_CODE["negbin"].format(kw=", " + _hac_kw(result) if errors == "hac" else "")
    return design, code


def repro_bundle(result, *, chart=None, provenance: dict | None = None) -> bytes:
    """A zip that lets anyone check the numbers without this app.

    Contents: ``data.csv`` (the series as analysed), ``design.csv`` (the regressors as fitted),
    ``spec.json``, ``results.json``, ``versions.json``, ``reproduce.py`` (a short plain
    statsmodels script that refits the model and prints the coefficients and each intervention's
    level change), ``chart.csv`` (the data behind the chart, if given) and ``README.txt``.

    Parameters
    ----------
    result
        An ``ItsResult`` of a segmented model (state-space models get the data and spec, and a
        script that says it covers segmented regressions only).
    chart
        Optionally the ``Chart`` whose data to include.
    provenance
        Overrides ``result.provenance()`` (e.g. the loaded table's name and checksum).

    Returns
    -------
    bytes
        The zip file.
    """
    import platform

    import numpy as np
    import statsmodels

    import explorer

    files: dict[str, bytes] = {}
    series = result.series
    data = series.frame().reset_index().rename(columns={"y": result.spec.value})
    files["data.csv"] = to_csv(data)
    files["spec.json"] = (json.dumps(result.spec.to_dict(), indent=2) + "\n").encode()
    files["results.json"] = results_json_bytes(result, provenance=provenance)
    files["versions.json"] = (
        json.dumps(
            {
                "explorer": explorer.__version__,
                "python": platform.python_version(),
                "statsmodels": statsmodels.__version__,
                "pandas": pd.__version__,
                "numpy": np.__version__,
            },
            indent=2,
        )
        + "\n"
    ).encode()
    if chart is not None:
        files["chart.csv"] = to_csv(chart)
    comparative = result.fit is not None and result.fit.comparative is not None
    built = _bundle_design(result)
    if built is None:
        script = (
            f'print("This bundle holds the data and spec of a {result.spec.model} model; its script '
            "reproduces segmented regressions and SARIMAX only. Refit with: python -m explorer "
            'analyze data.csv ... (see spec.json).")\n'
        )
    else:
        design, code = built
        header = [neutralise(str(c)) for c in design.columns]
        files["design.csv"] = to_csv(design)
        effects = []
        for iv in result.interventions:
            col = f"diff:{iv.label}:level" if comparative else f"{iv.label}:level"
            if col in design.columns:
                name = header[list(design.columns).index(col)]
                effects.append(
                    f'print("level_change", {iv.label!r}, repr(float(params[{name!r}])), sep="\\t")'
                )
        y_note = " (log of the series: --log)" if result.spec.log else ""
        diff_note = (
            "\n  diff:*     the same terms times 'treated': differences treated minus control\n"
            "  (comparative ITS: coefficients match the explorer; its Newey-West errors are\n"
            "  computed within each series, which plain OLS HAC does not do)"
            if comparative
            else ""
        )
        if result.spec.effective_errors.startswith("ar"):
            diff_note += (
                "\n  (AR errors: by REML, the explorer's default, the script takes the explorer's\n"
                "  AR coefficients and refits by GLS; by exact ML it refits SARIMAX, which agrees\n"
                "  to the optimiser's tolerance)"
            )
        script = _SCRIPT.format(
            version=explorer.__version__,
            y_note=y_note,
            diff_note=diff_note,
            model_line=f"{result.spec.family}, errors {result.spec.effective_errors}",
            fit=code,
            effects="\n".join(effects) or 'print("no intervention terms")',
        )
    files["reproduce.py"] = script.encode()
    files["README.txt"] = (
        b"Evidence Explorer reproducibility bundle.\n\n"
        b"python reproduce.py   refits the model with statsmodels and prints the coefficients\n"
        b"                      and each intervention's level change (compare with results.json).\n"
        b"data.csv              the series as analysed; design.csv the regressors as fitted.\n"
        b"spec.json             the specification; versions.json the software versions.\n"
    )
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, content in files.items():
            z.writestr(name, content)
    return buf.getvalue()
