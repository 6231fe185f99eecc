# Cost of the BLRT (issue 25 target: 100 replicates of 7 vs 6 classes on
# 15,000 x 24 in under 15 s on 2 cores), on the data of bench-replicates.R.
#   Rscript bench/bench-blrt.R [replicates] [early]
# Prints elapsed and CPU time (user + system of both threads) of
# lca_blrt(k = 7, early_stop = FALSE) (with "early": the default sequential
# rules, which stop this clearly significant test after 40 replicates),
# and of its parts: the observed fits
# (lca() with adaptive starts, K = 6 and 7) and the replicates; and per
# replicate the random starts run and how many fits were not replicated.
# On a shared machine elapsed time says little: CPU / 2 is what 2 free
# cores would take.
source("bench/bench-process.R")  # CSCDEMAND_BENCH_LOAD=installed times the installed build
suppressMessages(load_pkg())
source("bench/sim-factors.R")
args <- commandArgs(trailingOnly = TRUE)
reps <- if (length(args) >= 1) as.integer(args[1]) else 100L
early <- length(args) >= 2 && identical(args[2], "early")
threads <- 2L
d <- sim_factors(15000)
pt <- lca_patterns(d, items = grep("^f", names(d), value = TRUE))
cpu <- function(t) sum(t[c("user.self", "sys.self", "user.child", "sys.child")], na.rm = TRUE)
load_before <- readLines("/proc/loadavg", warn = FALSE)
t_fit <- system.time(for (k in 6:7) suppressWarnings(lca(pt, k, seed = 1, threads = threads,
                                                          verbose = FALSE)))
t_all <- system.time(bl <- suppressWarnings(
  lca_blrt(pt, k = 7, reps = reps, seed = 1, threads = threads, verbose = FALSE,
           early_stop = early)))
rp <- bl$replicates[["7"]]
cat("load average before:", load_before, "\nafter:", readLines("/proc/loadavg", warn = FALSE), "\n")
cat(sprintf("BLRT 7 vs 6, %d replicates%s, 15,000 x 24 (%d patterns): %.1f s elapsed, %.1f s CPU\n",
            reps, if (early) sprintf(" (early stopping: %d run)", bl$table$reps) else "",
            length(pt$n), t_all[["elapsed"]], cpu(t_all)))
cat(sprintf("  of which the observed fits (K = 6, 7, adaptive): %.1f s elapsed, %.1f s CPU\n",
            t_fit[["elapsed"]], cpu(t_fit)))
cat(sprintf("  p = %.3f, k_worse %d, not replicated %d\n", bl$table$p_value, bl$table$k_worse,
            if (is.null(bl$table$not_replicated)) NA else bl$table$not_replicated))
if (!is.null(rp)) {
  cat(sprintf("  starts per replicate: K-1 mean %.1f (max %d), K mean %.1f (max %d)\n",
              mean(rp$starts_k_minus_1), max(rp$starts_k_minus_1), mean(rp$starts_k),
              max(rp$starts_k)))
}
