# Where the BLRT's search falls short: for data sets of a BLRT design
# (bench/blrt-designs.R), compares each fit the test uses with a reference
# fit of many adaptive starts (batches of 20 until the best solution is
# reached 3 times, up to 200) on the same data:
#   - the observed (K-1)- and K-class fits (lca_blrt's fit_starts);
#   - each replicate's (K-1)- and K-class fits (the replicate engine).
# A replicate K fit below its reference shrinks that replicate's LR; a
# replicate (K-1) fit below its reference inflates it; an observed K fit
# below its reference shrinks the observed LR; an observed (K-1) fit below
# it inflates the observed LR and moves the generating model.
#   Rscript bench/diag-blrt-search.R [design] [data sets] [replicates] [label]
source("bench/bench-process.R")
suppressMessages(load_pkg())
source("bench/blrt-designs.R")
args <- commandArgs(trailingOnly = TRUE)
design <- if (length(args) >= 1) args[1] else "kingston"
D <- if (length(args) >= 2) as.integer(args[2]) else 5L
R <- if (length(args) >= 3) as.integer(args[3]) else 20L
engine <- if (length(args) >= 4) args[4] else "current"
threads <- 2L
ds <- blrt_designs()[[design]]
K <- ds$k
ctl <- lca_control()
replicate_table <- function(pt, sim, r) {
  keep <- sim$entries$rep == r
  pr <- pt
  pr$y <- sim$y[keep, , drop = FALSE]
  pr$n <- sim$n[keep]
  pr$group <- sim$group[keep]
  pr$row_index <- NULL
  pr$n_rows <- sum(pr$n)
  pr
}
ref_fit <- function(pt, k, seed) {
  suppressWarnings(lca(pt, k, seed = seed, threads = threads, verbose = FALSE))$loglik
}
# The fits of lca_blrt(pt, k = K, reps = R, seed = seed, early_stop = FALSE):
# the observed fits, and each replicate's (K-1)- and K-class log-likelihoods.
blrt_search <- function(pt, K, R, seed) {
  bl <- suppressWarnings(lca_blrt(pt, k = K, reps = R, seed = seed, threads = threads,
                                  verbose = FALSE, early_stop = FALSE))
  if (!is.null(bl$replicates)) {
    rp <- bl$replicates[[as.character(K)]]
    return(list(f0 = bl$fits[[1]], f1 = bl$fits[[2]], l0 = rp$loglik_k_minus_1, l1 = rp$loglik_k,
                pt = bl$fits[[1]]$patterns))
  }
  # the package before issue 25: the same fits, rerun to see each replicate's two fits
  fits <- lapply(c(K - 1L, K), function(kk) suppressWarnings(
    lca(pt, k = kk, starts = 20, seed = seed, threads = threads, verbose = FALSE)))
  mods <- cscdemand:::blrt_models(fits[[1]], fits[[2]], 2L, ctl)
  l0 <- l1 <- numeric()
  for (b0 in seq(1L, R, by = 20L)) {
    b <- seq.int(b0, min(R, b0 + 19L))
    rr <- cscdemand:::run_replicates(pt, length(b), mods, cscdemand:::stream_seed(seed, K, b[1], 3),
                                     ctl, threads, sim = cscdemand:::blrt_sim_spec(pt, fits[[1]], seed, b[1] - 1L))
    l0 <- c(l0, rr$loglik[, 1])
    l1 <- c(l1, rr$loglik[, 2])
  }
  stopifnot(isTRUE(all.equal(2 * pmax(0, l1 - l0), bl$lr[[1]])))
  list(f0 = fits[[1]], f1 = fits[[2]], l0 = l0, l1 = l1)
}
out <- list()
for (i in seq_len(D)) {
  d <- blrt_data(ds, seed = 1000 + i)
  pt <- lca_patterns(d, items = colnames(ds$probs))
  seed <- 7 + i
  t0 <- proc.time()[["elapsed"]]
  rr <- blrt_search(pt, K, R, seed)
  t_blrt <- proc.time()[["elapsed"]] - t0
  if (!is.null(rr$pt)) pt <- rr$pt
  sim <- cscdemand:::blrt_simulate(pt, rr$f0, seq_len(R), seed)
  ref0 <- ref1 <- numeric(R)
  for (r in seq_len(R)) {
    pr <- replicate_table(pt, sim, r)
    ref0[r] <- ref_fit(pr, K - 1L, 99 + r)
    ref1[r] <- ref_fit(pr, K, 99 + r)
  }
  obs_ref0 <- ref_fit(pt, K - 1L, 99)
  obs_ref1 <- ref_fit(pt, K, 99)
  out[[i]] <- data.frame(set = i, rep = seq_len(R), l0 = rr$l0, l1 = rr$l1,
                         ref0 = pmax(ref0, rr$l0), ref1 = pmax(ref1, rr$l1),
                         obs0 = rr$f0$loglik, obs1 = rr$f1$loglik,
                         obs_ref0 = max(obs_ref0, rr$f0$loglik), obs_ref1 = max(obs_ref1, rr$f1$loglik),
                         time = t_blrt)
  o <- out[[i]]
  cat(sprintf("set %d: obs misses K-1 %.2f, K %.2f; replicate K-1 misses > 0.01: %d of %d (max %.2f); K misses > 0.01: %d (max %.2f); LR obs %.2f; BLRT time %.1f s\n",
              i, o$obs_ref0[1] - o$obs0[1], o$obs_ref1[1] - o$obs1[1],
              sum(o$ref0 - o$l0 > 0.01), R, max(o$ref0 - o$l0),
              sum(o$ref1 - o$l1 > 0.01), max(o$ref1 - o$l1), 2 * (o$obs1[1] - o$obs0[1]), t_blrt))
}
res <- do.call(rbind, out)
saveRDS(res, file.path(Sys.getenv("BLRT_OUT", "."), sprintf("diag-blrt-%s-%s.rds", design, engine)))
m0 <- res$ref0 - res$l0
m1 <- res$ref1 - res$l1
cat(sprintf("\n%s, %d data sets x %d replicates, engine %s\n", ds$label, D, R, engine))
cat(sprintf("replicate K-1 fits below the reference by > 0.01: %.1f%% (mean miss %.3f)\n", 100 * mean(m0 > 0.01), mean(m0)))
cat(sprintf("replicate K fits below the reference by > 0.01: %.1f%% (mean miss %.3f, largest %.2f)\n", 100 * mean(m1 > 0.01), mean(m1), max(m1)))
cat(sprintf("mean replicate LR: engine %.2f, reference %.2f\n", mean(2 * (res$l1 - res$l0)), mean(2 * (res$ref1 - res$ref0))))
ob <- res[!duplicated(res$set), ]
cat(sprintf("observed K-1 fits below the reference by > 0.01: %d of %d; K fits: %d of %d (mean miss %.3f)\n",
            sum(ob$obs_ref0 - ob$obs0 > 0.01), nrow(ob), sum(ob$obs_ref1 - ob$obs1 > 0.01), nrow(ob),
            mean(ob$obs_ref1 - ob$obs1)))
