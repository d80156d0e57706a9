# Reference numbers for tests/robustness/test_breaks.py, from R's strucchange
# (Zeileis et al. 2002, 2003).
# Run:  Rscript scripts/strucchange_reference.R   (writes tests/data/strucchange_reference.json
# and the two series as tests/data/nile.csv and tests/data/uk_driver_deaths.csv).
# The tests never need R: they read the files this script wrote.
# Data: R's datasets package. Nile: annual flow of the Nile at Aswan, 1871-1970, 10^8 m^3
# (Cobb 1978; Durbin & Koopman 2001). UKDriverDeaths: monthly car drivers killed or seriously
# injured in Great Britain, 1969-1984 (Harvey & Durbin 1986).
suppressMessages(library(strucchange))
out <- list(strucchange_version = as.character(packageVersion("strucchange")),
            r_version = R.version.string)

one <- function(y, formula_rhs, h = 0.15, breaks = 3) {
  n <- length(y); t <- seq_len(n)
  f <- if (formula_rhs == "1") y ~ 1 else y ~ t
  fs <- Fstats(f, from = h)
  st <- sctest(fs, type = "supF")
  bp <- breakpoints(f, h = h, breaks = breaks)
  s <- summary(bp)
  nb <- which.min(s$RSS["BIC", ]) - 1
  res <- list(n = n, h = floor(h * n),
              fstats = as.numeric(fs$Fstats), fstats_from = as.integer(floor(h * n)),
              supf = unname(st$statistic), supf_p = unname(st$p.value),
              supf_point = fs$breakpoint, lambda = fs$par,
              rss = unname(s$RSS["RSS", ]), bic = unname(s$RSS["BIC", ]),
              bic_breaks = unname(nb))
  # breakpoints and Bai (1997) intervals for every number of breaks 1..breaks
  for (m in 1:breaks) {
    ci <- suppressWarnings(confint(bp, breaks = m)$confint)
    res[[paste0("breaks_", m)]] <- list(lower = unname(ci[, 1]), point = unname(ci[, 2]),
                                        upper = unname(ci[, 3]))
  }
  res
}
data("Nile"); data("UKDriverDeaths")
out$nile_mean <- one(as.numeric(Nile), "1")
out$nile_trend <- one(as.numeric(Nile), "t")
out$ukdd_log_trend <- one(log(as.numeric(UKDriverDeaths)), "t")
write.csv(data.frame(year = 1871:1970, flow = as.numeric(Nile)), "tests/data/nile.csv",
          row.names = FALSE)
dd <- seq(as.Date("1969-01-01"), by = "month", length.out = length(UKDriverDeaths))
write.csv(data.frame(month = format(dd, "%Y-%m"), deaths = as.numeric(UKDriverDeaths)),
          "tests/data/uk_driver_deaths.csv", row.names = FALSE)
# The Hansen (1997) response-surface coefficients strucchange uses for sup-F p-values
# (sc.beta.sup: 25 trimming values x k = 1..40 regressors); we ship k <= 10.
b <- strucchange:::sc.beta.sup[1:250, ]
write.csv(data.frame(k = rep(1:10, each = 25), row = rep(1:25, 10), b0 = b[, 1], b1 = b[, 2],
                     df = b[, 3]), "explorer/hansen1997_supf.csv", row.names = FALSE)
# Minimal JSON writer (no extra R packages needed).
tojson <- function(x) {
  if (is.list(x)) {
    if (!is.null(names(x))) {
      return(paste0("{", paste0('"', names(x), '": ', sapply(x, tojson), collapse = ", "), "}"))
    }
    return(paste0("[", paste0(sapply(x, tojson), collapse = ", "), "]"))
  }
  if (is.character(x)) return(paste0('"', x, '"'))
  v <- ifelse(is.na(x), "null", formatC(x, digits = 15, format = "g"))
  if (length(x) == 1) v else paste0("[", paste0(v, collapse = ", "), "]")
}
writeLines(tojson(out), "tests/data/strucchange_reference.json")
