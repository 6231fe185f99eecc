# Calibration of the bootstrap likelihood ratio test (issue 25): data sets
# simulated from a model with a known number of classes K - 1, tested K - 1
# against K classes by lca_blrt(); under this null the p-values should be
# uniform and the test should reject at 5% in 5% of the data sets.
#
#   Rscript bench/accuracy-blrt.R [design] [data sets] [replicates] [first]
#
# design: "kingston" (7 Kingston-shaped classes, 24 factors, n = 3,000, 8 vs 7)
# or "simple" (3 classes, 8 items, n = 1,000, 4 vs 3); see bench/blrt-designs.R.
# replicates: bootstrap replicates per data set (default 19). With R
# replicates the p-value (1 + #{LR_r >= LR})/(R + 1) takes the values
# j/(R + 1) and, under the null, P(p <= j/(R + 1)) = j/(R + 1) exactly, so
# with R = 19 "p <= 0.05" is an exact 5% test. The uniformity check accounts
# for this discreteness: a Kolmogorov-Smirnov test of the randomised p-value
# p - U/(R + 1) (U uniform, seeded), which is exactly uniform under the null,
# and a chi-squared test of the R + 1 possible values against equal counts.
# first: number of the first data set (to extend a run, or to split one
# over processes). Each data set's result is appended to
# accuracy-blrt-<design><BLRT_TAG>.rds in BLRT_OUT (default .), so an
# interrupted run keeps what it did; the summary covers every data set in
# every accuracy-blrt-<design>*.rds there (data sets 0 just summarises).
# BLRT_EARLY=1: the default sequential test (early_stop = TRUE); its p-value
# h/L or (1 + h)/(L + 1) is not on the grid j/(R + 1), so the check is of
# validity, P(p <= u) <= u: the rejection rate at 5%, the largest excess of
# the empirical distribution function over u on a grid of u, and a KS test
# of p itself (conservative where p is super-uniform). Its results go to
# accuracy-blrt-<design>-early<BLRT_TAG>.rds.
source("bench/bench-process.R")
suppressMessages(load_pkg())
source("bench/blrt-designs.R")
args <- commandArgs(trailingOnly = TRUE)
design <- if (length(args) >= 1) args[1] else "simple"
D <- if (length(args) >= 2) as.integer(args[2]) else 20L
R <- if (length(args) >= 3) as.integer(args[3]) else 19L
first <- if (length(args) >= 4) as.integer(args[4]) else 1L
threads <- as.integer(Sys.getenv("BLRT_THREADS", "2"))
ds <- blrt_designs()[[design]]
out_dir <- Sys.getenv("BLRT_OUT", ".")
early <- identical(Sys.getenv("BLRT_EARLY"), "1")
stem <- paste0(design, if (early) "-early")
out_file <- file.path(out_dir, sprintf("accuracy-blrt-%s%s.rds", stem, Sys.getenv("BLRT_TAG")))
res <- if (file.exists(out_file)) readRDS(out_file) else NULL

for (i in seq(first, length.out = D)) {
  if (!is.null(res) && i %in% res$set) next
  d <- blrt_data(ds, seed = 1000 + i)
  pt <- lca_patterns(d, items = colnames(ds$probs))
  t <- system.time(bl <- suppressWarnings(
    lca_blrt(pt, k = ds$k, reps = R, seed = 7 + i, threads = threads, verbose = FALSE,
             early_stop = early)))
  tb <- bl$table
  row <- data.frame(set = i, p = tb$p_value, LR = tb$LR, LR_fit = if (is.null(tb$LR_fit)) NA_real_ else tb$LR_fit,
                    reps = tb$reps, k_worse = tb$k_worse,
                    not_replicated = if (is.null(tb$not_replicated)) NA_integer_ else tb$not_replicated,
                    elapsed = t[["elapsed"]], cpu = sum(t[c("user.self", "sys.self")]))
  res <- rbind(res, row)
  saveRDS(res, out_file)
}

blrt_calibration <- function(res, R, seed = 1) {
  p <- res$p
  n <- length(p)
  rej <- mean(p <= 0.05 + 1e-12)
  u <- withr::with_seed(seed, stats::runif(n))  # the randomisation, fixed
  prand <- p - u / (R + 1)
  cells <- table(factor(round(p * (R + 1)), levels = seq_len(R + 1)))
  # an exact test of equal cell probabilities (the counts are small)
  list(n = n, reject = rej, se = sqrt(0.05 * 0.95 / n), se_hat = sqrt(rej * (1 - rej) / n),
       deciles = stats::quantile(prand, c(.1, .3, .5, .7, .9)),
       ks = suppressWarnings(stats::ks.test(prand, "punif"))$p.value,
       chisq = stats::chisq.test(cells, simulate.p.value = TRUE, B = 2000)$p.value,
       not_replicated = mean(res$not_replicated / res$reps, na.rm = TRUE),
       elapsed = mean(res$elapsed), cpu = mean(res$cpu))
}
blrt_null_sequential <- function(R, alpha, n) {
  h_stop <- cscdemand:::blrt_h_stop(R, alpha)
  n_sig <- cscdemand:::blrt_n_sig(R, h_stop)
  withr::with_seed(2, vapply(seq_len(n), function(i) {
    v <- stats::runif(R + 1)
    done <- 0L
    repeat {
      done <- min(R, done + 10L)
      lr <- v[1 + seq_len(done)]
      h <- sum(lr >= v[1])
      if (done >= R || h >= h_stop || (h == 0L && done >= n_sig)) break
    }
    cscdemand:::blrt_p_sequential(lr, v[1], h_stop)$p
  }, numeric(1)))
}
blrt_compare_discrete <- function(p, null) {
  lev <- sort(unique(round(null, 6)))
  prob <- as.numeric(table(factor(round(null, 6), levels = lev))) / length(null)
  obs <- as.numeric(table(factor(round(p, 6), levels = lev)))
  # pool neighbouring values until each cell expects 5 or more
  cell <- integer(length(lev))
  acc <- 0
  id <- 1L
  for (i in seq_along(lev)) {
    cell[i] <- id
    acc <- acc + prob[i] * length(p)
    if (acc >= 5) {
      id <- id + 1L
      acc <- 0
    }
  }
  if (acc > 0 && id > 1L) cell[cell == id] <- id - 1L
  pe <- tapply(prob, cell, sum)
  ob <- tapply(obs, cell, sum)
  list(cells = length(pe), p = stats::chisq.test(ob, p = pe / sum(pe))$p.value)
}
files <- list.files(out_dir, sprintf("^accuracy-blrt-%s.*[.]rds$", stem), full.names = TRUE)
if (!early) files <- files[!grepl("-early", basename(files))]
all <- do.call(rbind, lapply(files, function(f) {
  x <- readRDS(f)
  if (is.null(x$LR_fit)) x$LR_fit <- NA_real_
  x
}))
all <- all[!duplicated(all$set), ]
if (!early) all <- all[all$reps == R, ]
n <- nrow(all)
k_rej <- sum(all$p <= 0.05 + 1e-12)
ci <- stats::binom.test(k_rej, n)$conf.int
cat(sprintf("%s%s\n  data sets %d, %d replicates each%s\n", ds$label,
            if (early) " (early_stop = TRUE)" else "", n, R,
            if (early) sprintf(" at most (mean run %.1f)", mean(all$reps)) else ""))
cat(sprintf("  rejected at 5%%: %.1f%% (%d of %d; exact 95%% interval %.1f%% to %.1f%%)\n",
            100 * k_rej / n, k_rej, n, 100 * ci[1], 100 * ci[2]))
if (!early) {
  cal <- blrt_calibration(all, R)
  cat("  randomised p-value deciles (10/30/50/70/90%):", sprintf("%.2f", cal$deciles), "\n")
  cat(sprintf("  Kolmogorov-Smirnov p (randomised p against uniform): %.3f; chi-squared p (the %d values): %.3f\n",
              cal$ks, R + 1, cal$chisq))
} else {
  u <- seq(0.01, 1, by = 0.01)
  ex <- vapply(u, function(v) mean(all$p <= v + 1e-12) - v, numeric(1))
  cat(sprintf("  largest excess of P(p <= u) over u (u = 0.01, ..., 1): %.3f at u = %.2f (binomial SE there %.3f)\n",
              max(ex), u[which.max(ex)], sqrt(u[which.max(ex)] * (1 - u[which.max(ex)]) / n)))
  cat("  p-value deciles (10/30/50/70/90%):",
      sprintf("%.2f", stats::quantile(all$p, c(.1, .3, .5, .7, .9))), "\n")
  cat(sprintf("  Kolmogorov-Smirnov p (p against uniform; conservative for a super-uniform p): %.3f\n",
              suppressWarnings(stats::ks.test(all$p, "punif"))$p.value))
  # The exact null distribution of the sequential p-value: with the observed
  # statistic exchangeable with the replicates', its rank among them is
  # uniform; run lca_blrt()'s rules (batches of 10, Besag-Clifford stop,
  # pretest) on ranks and compare the p-values' distribution with it
  # (chi-squared over its distinct values, the rarer ones pooled).
  null <- blrt_null_sequential(R, 0.05, 20000)
  tab <- blrt_compare_discrete(all$p, null)
  cat(sprintf("  against the exact null distribution of the sequential p (%d cells): chi-squared p %.3f\n",
              tab$cells, tab$p))
}
if (any(!is.na(all$LR_fit))) {
  cat(sprintf("  test statistic below the thorough fits' LR by %.2f on average (max %.2f)\n",
              mean(all$LR_fit - all$LR, na.rm = TRUE), max(all$LR_fit - all$LR, na.rm = TRUE)))
}
cat(sprintf("  replicates whose best fit was not reached twice: %.1f%%\n",
            100 * mean(all$not_replicated / all$reps, na.rm = TRUE)))
cat(sprintf("  time per data set: %.1f s elapsed, %.1f s CPU (%d threads, load average %s)\n",
            mean(all$elapsed), mean(all$cpu), threads, readLines("/proc/loadavg", warn = FALSE)))
