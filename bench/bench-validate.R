# Benchmarks for multi-group models and validation, one process.
# Rscript bench/bench-validate.R (package installed). Prints a table.
suppressPackageStartupMessages(library(cscdemand))
source("bench/sim-factors.R")
source("bench/bench-utils.R")
# Six councils, 15,000 episodes, shared 7-class solution.
d <- sim_factors(15000, K = 7)
d$.class <- NULL
d$la <- rep(sprintf("LA%d", 1:6), length.out = nrow(d))
items <- grep("^f", names(d), value = TRUE)
for (inv in c("invariant", "configural")) {
  r <- tm(lca(d, 7, group = "la", invariance = inv, starts = 10, seed = 1, threads = threads,
              verbose = FALSE, control = lca_control(init_iter = 0)))
  add(paste("6 LAs, 15k, K = 7,", inv), "cscdemand", r$time, 10, r$value$loglik)
  if (requireNamespace("glca", quietly = TRUE)) {
    suppressPackageStartupMessages(library(glca))
    gd <- d
    for (it in items) gd[[it]] <- gd[[it]] + 1L
    f <- as.formula(paste0("item(", paste(items, collapse = ","), ") ~ 1"))
    r <- tm(gl <- glca(f, group = la, data = gd, nclass = 7, measure.inv = inv == "invariant",
                       n.init = 1, testiter = 1, std.err = FALSE, seed = 1, verbose = FALSE))
    add(paste("6 LAs, 15k, K = 7,", inv), "glca", r$time, 1, gl$gof$loglik, "n.init = 1")
  }
}
# BLRT, K = 7 against 6, 100 replicates, 15,000 episodes.
d1 <- sim_factors(15000, K = 7)
r <- tm(bl <- lca_blrt(d1, k = 7, reps = 100, starts = 2, fit_starts = 20, seed = 1,
                       threads = threads, verbose = FALSE))
add("lca_blrt K = 7 vs 6, 100 reps, 15k", "cscdemand", r$time, 100, bl$table$loglik_k,
    sprintf("p = %.3f; target < 60 s", bl$table$p_value))
fit7 <- lca(d1, 7, starts = 20, seed = 1, threads = threads, verbose = FALSE)
r <- tm(b <- lca_bootstrap(fit7, reps = 200, seed = 1, threads = threads, verbose = FALSE))
add("lca_bootstrap K = 7, 200 reps, 15k", "cscdemand", r$time, 200, fit7$loglik,
    sprintf("failed %d; min recovery %.2f", b$failed, min(b$recovery$recovered)))
res <- do.call(rbind, rows)
res$speedup_vs_glca_per_start <- NA_real_
for (t in unique(res$task)) {
  g <- res$sec_per_start[res$task == t & res$implementation == "glca"]
  if (length(g)) {
    i <- res$task == t
    res$speedup_vs_glca_per_start[i] <- round(g / res$sec_per_start[i], 1)
  }
}
print(res, row.names = FALSE)
