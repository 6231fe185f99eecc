# Benchmark: the cscdemand GLMM kernel against glmmTMB (negative binomial,
# random intercept) and lme4::glmer (logistic, random intercept), in one
# process, at equal estimates.
#
# Run from the package root with the package installed (not load_all(), which
# compiles without optimisation):
#   R CMD INSTALL . && Rscript bench/bench-glmm.R
# Threads for cscdemand: environment variable CSCDEMAND_BENCH_THREADS (default 2).
suppressPackageStartupMessages({
  library(cscdemand)
  library(glmmTMB)
  library(lme4)
})
threads <- as.integer(Sys.getenv("CSCDEMAND_BENCH_THREADS", "2"))
timed <- function(expr) {
  gc(FALSE)
  t <- system.time(value <- expr)[["elapsed"]]
  list(value = value, sec = t)
}
max_rel <- function(a, b) max(abs(a - b) / pmax(abs(b), 1e-8))
rows <- list()

# ---- 1. Negative binomial GLMM: every LSOA of 150 councils ---------------------
d <- simulate_imd_rates(n_la = 150, seed = 2019)
ours <- timed(glmm_ri(d, "referrals", c("imd_decile", "la_imd_decile"), exposure = "children",
                      family = "negbin", random = "la_code", threads = threads))
ref <- timed(glmmTMB(referrals ~ imd_decile + la_imd_decile + (1 | la_code) +
                       offset(log(children)), family = nbinom2, data = d))
rows[[1]] <- data.frame(
  model = "NB GLMM, LSOA rates (Laplace)", rows = nrow(d), groups = length(unique(d$la_code)),
  reference = "glmmTMB", cscdemand_sec = ours$sec, reference_sec = ref$sec,
  speedup = ref$sec / ours$sec,
  max_rel_coef_diff = max_rel(coef(ours$value), fixef(ref$value)$cond),
  max_rel_se_diff = max_rel(sqrt(diag(vcov(ours$value))), sqrt(diag(vcov(ref$value)$cond))),
  loglik_diff = as.numeric(logLik(ours$value)) - as.numeric(logLik(ref$value)))

# ---- 2. Logistic GLMM: 600,000 episodes -----------------------------------------
set.seed(600000)
n <- 600000
lsoa <- sample(seq_len(nrow(d)), n, replace = TRUE, prob = d$referrals + 1)
la <- d$la_code[lsoa]
b <- setNames(rnorm(length(unique(la)), 0, 0.4), unique(la))
ep <- data.frame(la_code = la, imd_decile = d$imd_decile[lsoa],
                 la_imd_decile = d$la_imd_decile[lsoa],
                 gender = sample(c("Female", "Male"), n, TRUE),
                 age_band = sample(c("0-4", "5-9", "10-15", "16+"), n, TRUE,
                                   prob = c(0.3, 0.3, 0.3, 0.1)))
eta <- -2 - 0.06 * ep$imd_decile + 0.03 * ep$la_imd_decile + 0.1 * (ep$gender == "Male") +
  c(`0-4` = 0.3, `5-9` = 0, `10-15` = -0.1, `16+` = -0.4)[ep$age_band] + b[ep$la_code]
ep$cp_plan <- rbinom(n, 1, plogis(eta))
ours <- timed(glmm_ri(ep, "cp_plan", c("imd_decile", "la_imd_decile", "gender", "age_band"),
                      family = "binomial", random = "la_code", threads = threads))
ref <- timed(glmer(cp_plan ~ imd_decile + la_imd_decile + gender + age_band + (1 | la_code),
                   family = binomial, data = ep, nAGQ = 1))
# glmer orders factor levels alphabetically as cscdemand does
rows[[2]] <- data.frame(
  model = "Logistic GLMM, episodes (Laplace)", rows = n, groups = length(unique(la)),
  reference = "lme4::glmer", cscdemand_sec = ours$sec, reference_sec = ref$sec,
  speedup = ref$sec / ours$sec,
  max_rel_coef_diff = max_rel(coef(ours$value), fixef(ref$value)),
  max_rel_se_diff = max_rel(sqrt(diag(vcov(ours$value))), sqrt(diag(as.matrix(vcov(ref$value))))),
  loglik_diff = as.numeric(logLik(ours$value)) - as.numeric(logLik(ref$value)))

# ---- 3. The same with adaptive quadrature (cscdemand only; glmer nAGQ > 1 on
# 600,000 rows is also timed: it is the slow part of the script) -------------------
ours9 <- timed(glmm_ri(ep, "cp_plan", c("imd_decile", "la_imd_decile", "gender", "age_band"),
                       family = "binomial", random = "la_code", nagq = 9, threads = threads))
ref9 <- timed(glmer(cp_plan ~ imd_decile + la_imd_decile + gender + age_band + (1 | la_code),
                    family = binomial, data = ep, nAGQ = 9))
rows[[3]] <- data.frame(
  model = "Logistic GLMM, episodes (AGQ, 9 points)", rows = n, groups = length(unique(la)),
  reference = "lme4::glmer", cscdemand_sec = ours9$sec, reference_sec = ref9$sec,
  speedup = ref9$sec / ours9$sec,
  max_rel_coef_diff = max_rel(coef(ours9$value), fixef(ref9$value)),
  max_rel_se_diff = max_rel(sqrt(diag(vcov(ours9$value))), sqrt(diag(as.matrix(vcov(ref9$value))))),
  loglik_diff = as.numeric(logLik(ours9$value)) - as.numeric(logLik(ref9$value)))

out <- do.call(rbind, rows)
cat("cscdemand GLMM benchmark (threads = ", threads, ", ", R.version.string, ")\n", sep = "")
print(format(out, digits = 3), row.names = FALSE)
cat("\nAggregated binomial rows fitted by cscdemand:",
    ours$value$convergence$aggregated_rows, "\n")
