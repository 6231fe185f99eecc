# Targets of the replicate engine (issue 16, part 3): BLRT with 100
# replicates, K = 7 against 6, on 15,000 episodes under 10 s; bootstrap with
# 200 replicates under 5 s. Run from the package root after compiling with
# optimisation (pkgbuild::compile_dll(debug = FALSE) or an installed package):
#   Rscript bench/bench-replicates.R
suppressMessages(pkgload::load_all(quiet = TRUE))
source("bench/sim-factors.R")
threads <- 2L
d <- sim_factors(15000)
pt <- lca_patterns(d, items = grep("^f", names(d), value = TRUE))
fit <- suppressWarnings(lca(pt, 7, seed = 1, threads = threads, verbose = FALSE))
t_boot <- system.time(b <- lca_bootstrap(fit, reps = 200, seed = 1, threads = threads,
                                         verbose = FALSE))[["elapsed"]]
t_blrt <- system.time(bl <- suppressWarnings(
  lca_blrt(pt, k = 7, reps = 100, seed = 1, threads = threads, verbose = FALSE,
           early_stop = FALSE)))[["elapsed"]]
t_blrt_es <- system.time(bl2 <- suppressWarnings(
  lca_blrt(pt, k = 7, reps = 100, seed = 1, threads = threads, verbose = FALSE)))[["elapsed"]]
t_cv <- system.time(cv <- lca_cv(pt, k = 6:8, folds = 5, seed = 1, threads = threads,
                                 verbose = FALSE))[["elapsed"]]
print(data.frame(
  task = c("bootstrap, 200 replicates, K = 7", "BLRT 7 vs 6, 100 replicates (no early stop)",
           "BLRT 7 vs 6, default early stopping", "5-fold CV, K = 6..8"),
  seconds = round(c(t_boot, t_blrt, t_blrt_es, t_cv), 2),
  detail = c(sprintf("%d failed", b$failed),
             sprintf("p = %.3f, reps %d, K-fit worse than K-1 in %d", bl$table$p_value,
                     bl$table$reps, bl$table$k_worse),
             sprintf("p = %.3f, reps %d (stopped early: %s)", bl2$table$p_value, bl2$table$reps,
                     bl2$table$stopped_early),
             paste(sprintf("K=%d: %.4f", cv$table$k, cv$table$heldout_ll), collapse = "; "))))
