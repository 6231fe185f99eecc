# Validation study (not a unit test): how often do BIC, the BLRT and
# cross-validation pick the true number of classes, and how often does BIC
# prefer the invariant model when groups truly share one solution (and not
# when one group differs)? Rscript bench/accuracy-lca.R [replications]
suppressPackageStartupMessages(library(cscdemand))
source("bench/sim-factors.R")
args <- commandArgs(trailingOnly = TRUE)
R <- if (length(args)) as.integer(args[1]) else 20L
K <- 4L
res <- data.frame()
for (r in seq_len(R)) {
  p <- sim_factor_probs(K = K, J = 12, seed = 100 + r)
  d <- simulate_lca(3000, probs = p, class_size = c(.4, .3, .2, .1), seed = r)
  d$.class <- NULL
  en <- lca_enumerate(d, k = 2:6, starts = 20, seed = r, verbose = FALSE)
  bic_k <- en$table$k[which.min(en$table$BIC)]
  bl <- suppressWarnings(lca_blrt(d, k = 2:6, reps = 39, starts = 3, fit_starts = 20, seed = r,
                                  verbose = FALSE))
  blrt_k <- { s <- bl$table$k[bl$table$p_value >= 0.05]; if (length(s)) min(s) - 1L else 6L }
  cv <- lca_cv(d, k = 2:6, folds = 5, starts = 10, seed = r, verbose = FALSE)
  cv_k <- cv$table$k[which.max(cv$table$heldout_ll)]
  # invariance: two groups sharing the solution, and two groups differing
  g_same <- d
  g_same$la <- rep(c("A", "B"), 1500)
  q <- p
  q[, 1:4] <- q[, c(4, 1, 2, 3)]
  d2 <- simulate_lca(1500, probs = q, class_size = c(.4, .3, .2, .1), seed = 1000 + r)
  d2$.class <- NULL
  g_diff <- rbind(d[1:1500, ], d2)
  g_diff$la <- rep(c("A", "B"), each = 1500)
  inv_same <- suppressWarnings(lca_invariance(g_same, k = K, group = "la", starts = 10, seed = r,
                                              verbose = FALSE))
  inv_diff <- suppressWarnings(lca_invariance(g_diff, k = K, group = "la", starts = 10, seed = r,
                                              verbose = FALSE))
  res <- rbind(res, data.frame(rep = r, bic_k = bic_k, blrt_k = blrt_k, cv_k = cv_k,
                               same_prefers_invariant = inv_same$table$preferred_BIC[1] == "invariant",
                               diff_prefers_configural = inv_diff$table$preferred_BIC[1] == "configural"))
  cat(sprintf("rep %d: BIC %d, BLRT %d, CV %d, invariant|same %s, configural|diff %s\n", r,
              bic_k, blrt_k, cv_k, tail(res$same_prefers_invariant, 1),
              tail(res$diff_prefers_configural, 1)))
}
cat(sprintf("\nTrue K = %d over %d replications:\n", K, R))
cat(sprintf("  BIC picks K:  %.0f%%\n", 100 * mean(res$bic_k == K)))
cat(sprintf("  BLRT picks K: %.0f%%\n", 100 * mean(res$blrt_k == K)))
cat(sprintf("  CV picks K:   %.0f%%\n", 100 * mean(res$cv_k == K)))
cat(sprintf("  BIC prefers invariant when groups share a solution: %.0f%%\n",
            100 * mean(res$same_prefers_invariant)))
cat(sprintf("  BIC prefers configural when one group differs:      %.0f%%\n",
            100 * mean(res$diff_prefers_configural)))
