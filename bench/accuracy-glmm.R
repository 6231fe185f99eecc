# Validation: on data simulated with a known social gradient, a known
# council-level ("inverse intervention") effect, council random intercepts and
# NB dispersion, do the 95% intervals of imd_gradient()/glmm_ri() cover the
# truth at the nominal rate? Also for the episode-level logistic model.
#
# Run from the package root with the package installed:
#   R CMD INSTALL . && Rscript bench/accuracy-glmm.R
# Replicates: environment variable CSCDEMAND_VALIDATE_REPS (default 200).
suppressPackageStartupMessages(library(cscdemand))
reps <- as.integer(Sys.getenv("CSCDEMAND_VALIDATE_REPS", "200"))
set.seed(20240601)
z <- qnorm(0.975)
covers <- function(est, se, truth) abs(est - truth) <= z * se

# ---- NB GLMM of LSOA rates: 60 councils (about 13,000 LSOAs) per replicate ---
nb <- t(vapply(seq_len(reps), function(r) {
  d <- simulate_imd_rates(n_la = 60, child_ratio = 0.88, la_ratio = 1.03, sigma = 0.25,
                          theta = 8)
  truth <- attr(d, "truth")
  fit <- suppressWarnings(glmm_ri(d, "referrals", c("imd_decile", "la_imd_decile"),
                                  exposure = "children", family = "negbin", random = "la_code"))
  se <- sqrt(diag(fit$vcov_psi))
  c(covers(fit$psi, se, truth), fit$psi - truth, converged = fit$convergence$code == 0)
}, numeric(11)))
colnames(nb) <- c(paste0("cover_", c("intercept", "imd_decile", "la_imd_decile", "log_sigma",
                                     "log_theta")),
                  paste0("bias_", c("intercept", "imd_decile", "la_imd_decile", "log_sigma",
                                    "log_theta")), "converged")

# ---- Logistic GLMM of episodes: 40 councils x 250 episodes ------------------------
bin <- t(vapply(seq_len(reps), function(r) {
  J <- 40
  la <- rep(sprintf("LA%02d", seq_len(J)), each = 250)
  la_dec <- rep(sample(1:10, J, TRUE), each = 250)
  b <- rnorm(J, 0, 0.5)[rep(seq_len(J), each = 250)]
  dec <- sample(1:10, length(la), TRUE)
  male <- rbinom(length(la), 1, 0.5)
  truth <- c(-1.5, -0.08, 0.05, 0.2, log(0.5))
  y <- rbinom(length(la), 1, plogis(truth[1] + truth[2] * dec + truth[3] * la_dec +
                                      truth[4] * male + b))
  ep <- data.frame(y, imd_decile = dec, la_imd_decile = la_dec, male, la)
  fit <- suppressWarnings(glmm_ri(ep, "y", c("imd_decile", "la_imd_decile", "male"),
                                  family = "binomial", random = "la", nagq = 5))
  se <- sqrt(diag(fit$vcov_psi))
  c(covers(fit$psi, se, truth), fit$psi - truth, converged = fit$convergence$code == 0)
}, numeric(11)))
colnames(bin) <- c(paste0("cover_", c("intercept", "imd_decile", "la_imd_decile", "male",
                                      "log_sigma")),
                   paste0("bias_", c("intercept", "imd_decile", "la_imd_decile", "male",
                                     "log_sigma")), "converged")

summarise <- function(m, model) {
  cv <- grep("^cover_", colnames(m))
  bs <- grep("^bias_", colnames(m))
  data.frame(model = model, parameter = sub("^cover_", "", colnames(m)[cv]),
             coverage = colMeans(m[, cv]), mc_se = sqrt(0.95 * 0.05 / nrow(m)),
             mean_bias = colMeans(m[, bs]), converged = mean(m[, "converged"]),
             row.names = NULL)
}
out <- rbind(summarise(nb, "NB GLMM, 60 councils (Laplace)"),
             summarise(bin, "Logistic GLMM, 40 x 250 (AGQ 5)"))
cat("Coverage of 95% Wald intervals over", reps, "replicates\n")
print(format(out, digits = 3), row.names = FALSE)
