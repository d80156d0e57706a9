"""data/reference: the two textbook ITS datasets and their published results, machine-readable.

- ``sicily.csv``: Lopez Bernal et al. (2017), with ``month_start`` (YYYY-MM-01) added.
- ``prop99.csv``: Abadie et al. (2010) / Linden (2015), long format kept, ``year_start`` added.
- ``published_results.csv``: one row per (model, term) from ``reference_results.csv``, with the
  number, its confidence interval or p-value, how many decimals the source gives and whether it
  is published, reproduced (authors' code / an independent fit) or derived (arithmetic).
"""

from __future__ import annotations

import pathlib
import re

import pandas as pd
from build_data import derived_from, input_entry, resource, write_package

RAW_SICILY = "reference/sicily.csv"
RAW_PROP99 = "reference/california_prop99.csv"
RAW_RESULTS = "reference/reference_results.csv"

SICILY_SRC = (
    "Lopez Bernal J, Cummins S, Gasparrini A (2017). Interrupted time series regression for the "
    "evaluation of public health interventions: a tutorial. Int J Epidemiol 46(1):348-355, "
    "doi:10.1093/ije/dyw098; authors' code github.com/gasparrini/2017_lopezbernal_IJE_codedata"
)
LINDEN_SRC = (
    "Linden A (2015). Conducting interrupted time-series analysis for single- and multiple-group "
    "comparisons. Stata Journal 15(2):480-500 (itsa); numbers quoted in Linden's power_itsa help "
    "file"
)
ABADIE_SRC = (
    "Abadie A, Diamond A, Hainmueller J (2010). Synthetic control methods for comparative case "
    "studies: estimating the effect of California's tobacco control program. J Am Stat Assoc "
    "105(490):493-505, doi:10.1198/jasa.2009.ap08746"
)
_NUM = r"-?\d+(?:\.\d+)?"


def _tok(text: str, pattern: str, group: int = 1) -> str:
    m = re.search(pattern, text)
    if not m:
        raise ValueError(f"{pattern!r} not found in {text!r}")
    return m.group(group)


def _decimals(token: str) -> int:
    return len(token.split(".")[1]) if "." in token else 0


def _row(ref_id, dataset, model, term, token, *, basis, source, ci=None, p=None, notes=""):
    return {
        "ref_id": ref_id,
        "dataset": dataset,
        "model": model,
        "term": term,
        "value": float(token),
        "ci_low": float(ci[0]) if ci else None,
        "ci_high": float(ci[1]) if ci else None,
        "p_value": float(p) if p is not None else None,
        "decimals": _decimals(token),
        "basis": basis,
        "source": source,
        "notes": notes,
    }


def _ci(text: str, prefix: str = "") -> tuple[str, str]:
    m = re.search(prefix + r"95% CI (\d+\.\d+)-(\d+\.\d+)", text)
    if not m:
        raise ValueError(f"no CI in {text!r}")
    return m.group(1), m.group(2)


def published_results(raw: pd.DataFrame) -> pd.DataFrame:
    """The machine-readable results table (see the module docstring)."""
    r = raw.set_index("ref_id")
    rows = []
    reproduced = "reproduced (authors' R code, refitted)"
    # Sicily, models 1-2: only reproduced numbers (the paper's text was not available).
    models = {
        "SIC-model1-level": "poisson, offset log(stdpop), time, level change (smokban)",
        "SIC-model2-level": "quasipoisson (scale = Pearson X2/df), offset log(stdpop), time, "
        "level change (smokban)",
    }
    for rid, model in models.items():
        x = r.loc[rid]
        unc = x["reproduced_uncertainty"]
        rows.append(
            _row(
                rid,
                "sicily",
                model,
                "level_rr",
                x["reproduced_value"],
                basis=reproduced,
                source=SICILY_SRC,
                ci=_ci(unc),
                notes="smoking ban Jan 2005 (time 37)",
            )
        )
        if "quasi" in model:
            rows.append(
                _row(
                    rid,
                    "sicily",
                    model,
                    "dispersion",
                    _tok(unc, rf"dispersion ({_NUM})"),
                    basis=reproduced,
                    source=SICILY_SRC,
                )
            )
    x = r.loc["SIC-model3-level"]
    unc = x["published_uncertainty"]
    m3 = "quasipoisson, offset log(stdpop), time, harmonic(month, 2, 12), level change"
    rows += [
        _row(
            "SIC-model3-level",
            "sicily",
            m3,
            "level_rr",
            x["published_value"],
            basis="published",
            source=SICILY_SRC,
            ci=_ci(unc),
            notes="the paper's headline model (model 3)",
        ),
        _row(
            "SIC-model3-level",
            "sicily",
            m3,
            "dispersion",
            _tok(unc, rf"dispersion ({_NUM})"),
            basis="published",
            source=SICILY_SRC,
        ),
        _row(
            "SIC-model3-level",
            "sicily",
            m3,
            "trend_rr_per_year",
            _tok(unc, rf"trend ({_NUM})/yr"),
            basis="published",
            source=SICILY_SRC,
            notes="exp(12 * time coefficient)",
        ),
    ]
    x = r.loc["SIC-model4"]
    unc = x["reproduced_uncertainty"]
    m4 = (
        "quasipoisson, offset log(stdpop), time, harmonic(month, 2, 12), level change and slope "
        "change (time - 36) * smokban (additional material, corrected parameterisation)"
    )
    note4 = (
        "the authors code the slope as (time - 36) * smokban, 1 in January 2005; itsa coding "
        "(explorer.models.design) is 0 there, so its level RR equals this level RR times the slope RR"
    )
    rows += [
        _row(
            "SIC-model4",
            "sicily",
            m4,
            "level_rr",
            _tok(x["reproduced_value"], rf"level ({_NUM})"),
            basis=reproduced,
            source=SICILY_SRC,
            ci=_ci(unc, "level "),
            notes=note4,
        ),
        _row(
            "SIC-model4",
            "sicily",
            m4,
            "slope_rr_per_month",
            _tok(x["reproduced_value"], rf"slope ({_NUM})"),
            basis=reproduced,
            source=SICILY_SRC,
            ci=_ci(unc, "slope "),
            p=_tok(unc, rf"slope p=({_NUM})"),
            notes=note4,
        ),
    ]
    # Prop 99 (Linden 2015): single-group ITSA on California and on the mean of the controls.
    terms = ("intercept", "pre_trend", "level_change", "post_trend")
    for rid in ("P99-ITSA-CA", "P99-ITSA-controls"):
        x = r.loc[rid]
        model = "OLS with Newey-West lag 1 (Stata itsa), trperiod 1989, _t = year - 1970, on " + (
            "California" if rid.endswith("CA") else "the mean of the 38 control states"
        )
        toks = [t.strip() for t in x["published_value"].split(";")]
        assert len(toks) == 4, toks
        for term, tok in zip(terms, toks, strict=True):
            rows.append(_row(rid, "prop99", model, term, tok, basis="published", source=LINDEN_SRC))
        slope = float(toks[3]) - float(toks[1])
        places = min(_decimals(toks[1]), _decimals(toks[3]))
        rows.append(
            _row(
                rid,
                "prop99",
                model,
                "slope_change",
                f"{slope:.{places}f}",
                basis="derived",
                source=LINDEN_SRC,
                notes="post_trend - pre_trend",
            )
        )
        if rid.endswith("CA"):
            unc = x["reproduced_uncertainty"]
            for term, label in (
                ("pre_trend", "_t"),
                ("level_change", "_x"),
                ("slope_change", "_xt"),
            ):
                rows.append(
                    _row(
                        rid,
                        "prop99",
                        model,
                        f"{term}.se",
                        _tok(unc, rf"{label} ({_NUM})"),
                        basis="reproduced (statsmodels HAC, not compared with Stata)",
                        source=LINDEN_SRC,
                        notes="Newey-West lag 1 standard error",
                    )
                )
            note = x["notes"]
            for term, pat in (
                ("counterfactual_1989", rf"counterfactual ({_NUM})"),
                ("predicted_1989", rf"predicted ({_NUM})"),
            ):
                rows.append(
                    _row(
                        rid,
                        "prop99",
                        model,
                        term,
                        _tok(note, pat),
                        basis="published",
                        source=LINDEN_SRC,
                        notes="packs per capita in 1989",
                    )
                )
            rows.append(
                _row(
                    rid,
                    "prop99",
                    model,
                    "pct_change_1989",
                    "-" + _tok(note, rf"\(({_NUM})% decrease"),
                    basis="published",
                    source=LINDEN_SRC,
                    notes="predicted vs counterfactual in 1989, percent",
                )
            )
    x = r.loc["P99-ITSA-multi"]
    model = "multiple-group ITSA (itsa, treatid California, trperiod 1989, lag 1): pooled OLS"
    rows += [
        _row(
            "P99-ITSA-multi",
            "prop99",
            model,
            "diff_level_change",
            _tok(x["published_value"], rf"^({_NUM})"),
            basis="published",
            source=LINDEN_SRC,
            p=_tok(x["published_value"], rf"\(P=({_NUM})\)"),
            notes="California minus controls (_z_x1989)",
        ),
        _row(
            "P99-ITSA-multi",
            "prop99",
            model,
            "diff_slope_change",
            x["reproduced_value"].split(";")[1].strip(),
            basis="reproduced (OLS); p published",
            source=LINDEN_SRC,
            p=_tok(x["published_value"], rf"P=({_NUM}) for _z_x_t1989"),
            notes="California minus controls (_z_x_t1989)",
        ),
    ]
    out = pd.DataFrame(rows)
    assert not out.duplicated(["ref_id", "term"]).any()
    return out


def sicily(raw: pd.DataFrame) -> pd.DataFrame:
    out = raw.copy()
    out.insert(
        0,
        "month_start",
        pd.to_datetime({"year": raw["year"], "month": raw["month"], "day": 1}).dt.strftime(
            "%Y-%m-%d"
        ),
    )
    return out


def prop99(raw: pd.DataFrame) -> pd.DataFrame:
    out = raw.copy()
    out.insert(0, "year_start", raw["Year"].astype(int).astype(str) + "-01-01")
    return out


SICILY_FIELDS = [
    ("month_start", "date", "month (first day)", "The month, named by its first day (added)."),
    ("year", "integer", "year", "Calendar year."),
    ("month", "integer", "month", "Month of the year, 1-12."),
    ("aces", "integer", "events per month", "Hospital admissions for acute coronary events."),
    ("time", "integer", "months", "Month counter, 1 = January 2002."),
    (
        "smokban",
        "integer",
        "0/1",
        "1 from January 2005 (time 37), when the smoking ban took effect.",
    ),
    ("pop", "number", "persons", "Population of Sicily."),
    (
        "stdpop",
        "number",
        "persons",
        "Age-standardised population (the paper's offset, log(stdpop)).",
    ),
]
PROP99_FIELDS = [
    ("year_start", "date", "year (first day)", "The year, named by its first day (added)."),
    ("State", "string", None, "US state; California is treated, the other 38 are controls."),
    ("Year", "integer", "year", "Calendar year, 1970-2000."),
    ("PacksPerCapita", "number", "packs per person per year", "Cigarette sales per capita."),
    ("treated", "integer", "0/1", "1 for California from 1989 on (Proposition 99)."),
]
RESULTS_FIELDS = [
    ("ref_id", "string", None, "Row id in reference_results.csv (one model)."),
    ("dataset", "string", None, "Resource the model was fitted on: sicily or prop99."),
    ("model", "string", None, "The model exactly enough to refit it."),
    ("term", "string", None, "Which number (level_rr, pre_trend, ...; '.se' = standard error)."),
    ("value", "number", "see term", "The number."),
    ("ci_low", "number", "see term", "Lower end of the 95% confidence interval, if given."),
    ("ci_high", "number", "see term", "Upper end of the 95% confidence interval, if given."),
    ("p_value", "number", None, "p-value, if given."),
    ("decimals", "integer", "decimal places", "Decimals the source gives: compare to this many."),
    ("basis", "string", None, "published, reproduced (how) or derived (arithmetic on published)."),
    ("source", "string", None, "Citation."),
    ("notes", "string", None, "What to watch when comparing."),
]


def _fields(spec):
    return [{"name": n, "type": t, "unit": u, "description": d} for n, t, u, d in spec]


def build(raw: pathlib.Path, out: pathlib.Path) -> None:
    paths = {k: raw / v for k, v in (("s", RAW_SICILY), ("p", RAW_PROP99), ("r", RAW_RESULTS))}
    raw_s = pd.read_csv(paths["s"])
    raw_p = pd.read_csv(paths["p"])
    raw_r = pd.read_csv(paths["r"], dtype=str, keep_default_na=False)
    unstated = {
        "name": "unstated",
        "title": "Sicily: no licence stated; the authors' published supplementary data, used "
        "with citation",
        "path": "https://github.com/gasparrini/2017_lopezbernal_IJE_codedata",
    }
    adh = {
        "name": "unstated",
        "title": "Prop 99: no licence stated; Abadie et al. (2010)'s replication data (the long "
        "layout of R synthdid's california_prop99), used with citation",
        "path": "https://economics.mit.edu/files/11859",
    }
    resources = [
        resource(
            out,
            sicily(raw_s),
            "sicily.csv",
            name="sicily",
            title="Acute coronary events in Sicily and the 2005 smoking ban (monthly, 2002-2006)",
            fields=_fields(SICILY_FIELDS),
            frequency="M",
            analysis={
                "time": "month_start",
                "value": "aces",
                "offset": "stdpop",
                "intervention": "smokban=2005-01",
            },
            licenses=[unstated],
            sources=[
                {
                    "title": "Lopez Bernal et al. (2017)",
                    "citation": SICILY_SRC,
                    "path": "https://doi.org/10.1093/ije/dyw098",
                }
            ],
        ),
        resource(
            out,
            prop99(raw_p),
            "prop99.csv",
            name="prop99",
            title="Cigarette sales per capita, 39 US states, and California's Proposition 99 "
            "(yearly, 1970-2000)",
            fields=_fields(PROP99_FIELDS),
            frequency="Y",
            analysis={
                "time": "year_start",
                "value": "PacksPerCapita",
                "group": "State",
                "treated": "California",
                "intervention": "prop99=1989",
                # Linden (2015) fits itsa with Newey-West lag 1: the app's preset keeps it.
                "errors": "hac",
                "hac_lags": 1,
            },
            licenses=[adh],
            sources=[
                {
                    "title": "Abadie, Diamond & Hainmueller (2010)",
                    "citation": ABADIE_SRC,
                    "path": "https://doi.org/10.1198/jasa.2009.ap08746",
                },
                {
                    "title": "Linden (2015)",
                    "citation": LINDEN_SRC,
                    "path": "https://www.stata-journal.com/article.html?article=st0389",
                },
            ],
        ),
        resource(
            out,
            published_results(raw_r),
            "published_results.csv",
            name="published_results",
            title="Published and reproduced results for Sicily and Prop 99, one row per number",
            fields=_fields(RESULTS_FIELDS),
            frequency=None,
            analysis={},
            primaryKey=["ref_id", "term"],
        ),
    ]
    write_package(
        out,
        {
            "name": "reference",
            "title": "Reference ITS datasets with published results (Sicily smoking ban, "
            "California Prop 99)",
            "description": (
                "Two textbook interrupted time-series datasets and their published results, for "
                "tests and the Methods page: Lopez Bernal et al. (2017)'s Sicily smoking-ban "
                "series (quasi-Poisson level change RR 0.885, 95% CI 0.839-0.933) and "
                "California's Proposition 99 as analysed by Linden (2015) with Stata's itsa."
            ),
            "licenses": [unstated, adh],
            "sources": [
                {
                    "title": "Lopez Bernal et al. (2017)",
                    "citation": SICILY_SRC,
                    "path": "https://doi.org/10.1093/ije/dyw098",
                },
                {
                    "title": "Abadie, Diamond & Hainmueller (2010)",
                    "citation": ABADIE_SRC,
                    "path": "https://doi.org/10.1198/jasa.2009.ap08746",
                },
                {
                    "title": "Linden (2015)",
                    "citation": LINDEN_SRC,
                    "path": "https://www.stata-journal.com/article.html?article=st0389",
                },
            ],
            "derived_from": derived_from(__file__, [input_entry(p, raw) for p in paths.values()]),
            "caveats": [
                "Sicily models 1, 2 and 4 are reproduced from the authors' R code, not read "
                "from the paper (its text was not available); model 3 matches the published "
                "0.885 (0.839-0.933).",
                "Linden's numbers come from his power_itsa help file (Stata Journal table not "
                "seen); the standard errors listed are statsmodels' Newey-West, not Stata's.",
                "Prop 99 is long data, one row per state and year: choose State as the group and California as the treated state (on the command line, --group State --treated California).",
            ],
            "resources": resources,
        },
    )
