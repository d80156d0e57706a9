"""Methods: the models, their assumptions, the formulas, what each verdict means, references."""

import streamlit as st

from explorer import catalog

st.title("Methods")

st.header("Interrupted time series (segmented regression)")
st.write(
    "The default model fits one straight line (on the chosen scale) before the first "
    "intervention and lets each intervention change the level and, optionally, the slope. "
    "Time counts periods from 0 at the first observation; an intervention is treated from the "
    "first period that contains its date (the GEC, announced 8 January 2016, is treated from "
    "January 2016 in monthly data). The coding is Stata's `itsa` (Linden 2015): the level term "
    "is 1 from the first treated period on and the slope term counts periods since it, 0 in "
    "that period."
)
st.latex(
    r"g(\mathrm{E}[y_t]) = \beta_0 + \beta_1 t + \sum_k \left(\delta_k D_{kt} + "
    r"\gamma_k (t - T_k) D_{kt}\right) + \text{seasonality} + \text{covariates}"
)
st.write(
    "Here $D_{kt}$ is 1 from intervention $k$'s first treated period $T_k$ on. $\\delta_k$ is "
    "the level change, $\\gamma_k$ the slope change, and the post-intervention trend is "
    "$\\beta_1 + \\sum_{j: T_j \\le T_k} \\gamma_j$. The counterfactual is the same model with "
    "every intervention term switched off, with a 95% band from the coefficient covariance. "
    "$g$ is the identity (gaussian), or the log (gaussian on log(y), Poisson, quasi-Poisson, "
    "negative binomial): on the log scale effects are also reported as ratios, "
    "$e^{\\delta}$."
)

st.subheader("Families, errors, seasonality")
st.markdown(
    "- **gaussian**: ordinary least squares; **log**: OLS on log(y).\n"
    "- **poisson**, **quasipoisson** (scale = Pearson chi-squared / df, as Lopez Bernal et "
    "al. 2017), **negbin** (alpha estimated), with an optional offset entering as log(offset).\n"
    "- **errors**: `ols`; `hac` (Newey-West, lags floor(4 (n/100)^(2/9)) unless set, "
    "small-sample corrected as Stata's `newey`); `ar:P` (regression with AR(P) errors, every "
    "observation kept: the AR coefficients by restricted maximum likelihood (REML, as R's "
    "`nlme::gls`), then GLS with t intervals; exact ML, the likelihood SARIMAX maximises, "
    "undercovers in short series: 91% at n = 120 in our coverage study against 93.5% for "
    "REML); count families use model-based errors or HAC.\n"
    "- **seasonality**: month or day-of-week dummies, or K Fourier pairs "
    "sin(2 pi j x / period), cos(2 pi j x / period).\n"
    "- **control series** (comparative ITS): treated and control rows are stacked and every "
    "term gets a `diff:` interaction; the `diff:` intervention terms are the difference in "
    "level and slope change, treated minus control.\n"
    "- **sarimax** and **structural** models (unobserved components, Harvey & Durbin 1986) use "
    "state-space errors; **structural-forecast** fits the pre-period only and forecasts the "
    "rest, in the spirit of CausalImpact (Brodersen et al. 2015)."
)

st.subheader("Assumptions to check")
st.markdown(
    "- The pre-intervention trend would have continued unchanged (the counterfactual). "
    "Anything else that changed at the same time (a confounding event) is credited to the "
    "intervention unless it is modelled too.\n"
    "- Enough points on each side: at least 3 before the first intervention, 2 after a level "
    "and slope change, 1 after a level-only change; fewer than 8 in a segment fits with a "
    "caveat.\n"
    "- Errors that are not autocorrelated, or errors that account for it (HAC, AR). Short "
    "series with autocorrelated noise give intervals that are too narrow: the app's caveats "
    "quote how far, from the coverage study.\n"
    "- Interventions far enough apart to be told apart: two dates a period or two apart "
    "cannot be separated by this data."
)

st.header("Attribution of a claimed change")
st.write(
    "On the linear-predictor scale, where the parts add up (log for log and count models), "
    "the change between the fitted values at the claim's two dates is split into the trend "
    "already under way, each intervention's contribution (its level change plus its slope "
    "change accumulated up to the end date) and the remainder, each with a confidence "
    "interval from the coefficient covariance."
)
st.latex(
    r"\hat\eta_{end} - \hat\eta_{start} = \underbrace{\beta_1 (t_{end} - t_{start})}_{trend}"
    r" + \sum_k \underbrace{\delta_k + \gamma_k (t_{end} - T_k)}_{intervention\ k}"
    r" + \text{remainder}"
)

st.header("Robustness and what the verdict means")
st.markdown(
    "- **Date sweep**: the intervention date moved over every admissible period; if the "
    "effect is as large at dates when nothing happened, the date is not special. The "
    "least-squares date (minimum residual sum of squares) is where the data fit a break best.\n"
    "- **Break tests**: Andrews' sup-F test for one break at an unknown date (p-values by "
    "Hansen 1997) with Bai's (1997) interval for the date; several breaks by Bai & Perron's "
    "(1998, 2003) dynamic programme, chosen by BIC. If the data's own break falls long before "
    "the credited event, the decline was already under way.\n"
    "- **Placebos**: the same model at every fake date in the pre-period (in time) or on each "
    "control unit (in space); the real effect's rank among them is a permutation p-value, "
    "and the smallest p-value the number of placebos allows is shown.\n"
    "- **Specification curve**: the estimate under every defensible combination of choices "
    "(Simonsohn, Simmons & Nelson 2020); the share with the claimed sign and significance.\n"
    "- **Power and minimum detectable effect**: simulated from the fitted pre-period model; "
    "'no significant effect' with low power is not evidence of no effect.\n"
    "- **Verdict**: one sentence per question. *Survives* means the effect keeps its sign and "
    "significance across the sweep window, stands out among the placebos and across "
    "specifications; *fragile* means it depends on the exact date or on one choice; "
    "*not distinguishable* means the data could not have told it from the trend."
)

st.header("What these methods cannot do")
st.write(
    "No method recovers a cause from two endpoints: the scenario lab shows six series that "
    "fall by the same 45% for six reasons. An interrupted time series credits whatever "
    "happened at the intervention date; it cannot tell the GEC from Twitter's suspension "
    "waves in the same months unless both are modelled and far enough apart."
)

st.header("Validation")
st.write(
    "The models are tested against published numbers kept in the bundled `reference` data "
    "(Lopez Bernal et al. 2017: Sicily smoking ban, quasi-Poisson RR 0.885, 95% CI "
    "0.839-0.933; Linden 2015: California Proposition 99, level change -20.0581) and every "
    "family and error option against a direct statsmodels fit."
)
with st.expander("The published reference results"):
    st.dataframe(
        catalog.read_frame("reference", "published_results"),
        hide_index=True,
        key="methods_reference",
    )

st.header("References")
st.markdown(
    "- Lopez Bernal J, Cummins S, Gasparrini A (2017). Interrupted time series regression for "
    "the evaluation of public health interventions: a tutorial. *International Journal of "
    "Epidemiology* 46(1):348-355. doi:10.1093/ije/dyw098\n"
    "- Linden A (2015). Conducting interrupted time-series analysis for single- and "
    "multiple-group comparisons. *Stata Journal* 15(2):480-500.\n"
    "- Bai J, Perron P (1998). Estimating and testing linear models with multiple structural "
    "changes. *Econometrica* 66(1):47-78; (2003) Computation and analysis of multiple "
    "structural change models. *Journal of Applied Econometrics* 18(1):1-22.\n"
    "- Andrews DWK (1993). Tests for parameter instability and structural change with unknown "
    "change point. *Econometrica* 61(4):821-856. Hansen BE (1997). Approximate asymptotic "
    "p values for structural-change models. *J Business & Economic Statistics* 15(1):60-67.\n"
    "- Brodersen KH, Gallusser F, Koehler J, Remy N, Scott SL (2015). Inferring causal impact "
    "using Bayesian structural time-series models. *Annals of Applied Statistics* "
    "9(1):247-274.\n"
    "- Harvey AC, Durbin J (1986). The effects of seat belt legislation on British road "
    "casualties. *JRSS A* 149(3):187-227.\n"
    "- Simonsohn U, Simmons JP, Nelson LD (2020). Specification curve analysis. *Nature Human "
    "Behaviour* 4:1208-1214.\n"
    "- Abadie A, Diamond A, Hainmueller J (2010). Synthetic control methods for comparative "
    "case studies. *JASA* 105(490):493-505."
)
