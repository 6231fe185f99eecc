# Benchmark of the latent class engine against poLCA and glca, in one process.
# Run from the package root after installing: Rscript bench/bench-lca.R
# Prints a table of times, ratios and log-likelihoods.
suppressPackageStartupMessages({
  library(cscdemand)
  library(poLCA)
})
source("bench/sim-factors.R")
have_glca <- requireNamespace("glca", quietly = TRUE)
if (have_glca) suppressPackageStartupMessages(library(glca))
source("bench/bench-utils.R")
peak_mb <- function() {
  x <- readLines("/proc/self/status")
  as.numeric(sub("\\D*(\\d+).*", "\\1", grep("^VmHWM", x, value = TRUE))) / 1024
}

# 1. 15,000 episodes, 24 binary items, 7 classes: per start.
d15 <- sim_factors(15000)
items <- grep("^f", names(d15), value = TRUE)
f <- as.formula(paste0("cbind(", paste(items, collapse = ","), ") ~ 1"))
d15p <- d15[items] + 1L
n_polca <- 3L
set.seed(1)
r <- tm(capture.output(pl <- poLCA(f, d15p, nclass = 7, nrep = n_polca, maxiter = 3000,
                                   verbose = FALSE)))
add("15k x 24, K = 7", "poLCA", r$time, n_polca, pl$llik, "each start to convergence")
r <- tm(lca(d15, k = 7, starts = 20, seed = 1, threads = 1, verbose = FALSE,
            control = lca_control(init_iter = 0)))
add("15k x 24, K = 7", "cscdemand (1 thread)", r$time, 20, r$value$loglik, "each start to convergence")
r <- tm(lca(d15, k = 7, starts = 20, seed = 1, threads = threads, verbose = FALSE,
            control = lca_control(init_iter = 0)))
add("15k x 24, K = 7", sprintf("cscdemand (%d threads)", threads), r$time, 20, r$value$loglik,
    "each start to convergence")
if (have_glca) {
  gd <- d15p
  gf <- as.formula(paste0("item(", paste(items, collapse = ","), ") ~ 1"))
  r <- tm(capture.output(gl <- glca(gf, data = gd, nclass = 7, n.init = 1, testiter = 1, std.err = FALSE,
                                          verbose = FALSE, seed = 1)))
  add("15k x 24, K = 7", "glca", r$time, 1, gl$gof$loglik, "n.init = 1")
}

# 2. lca_enumerate(k = 1:10), 50 starts per K, 15,000 episodes.
r <- tm(lca_enumerate(d15, k = 1:10, starts = 50, seed = 1, threads = threads, verbose = FALSE))
add("enumerate K = 1..10, 50 starts, 15k", "cscdemand", r$time, 500,
    r$value$table$loglik[7], "target < 30 s; loglik shown for K = 7")

# 3. 1.5 million episodes, K = 12, 20 starts.
d15m <- sim_factors(1500000, K = 12)
invisible(gc(reset = TRUE))
r <- tm({
  pt <- lca_patterns(d15m)
  lca(pt, k = 12, starts = 20, seed = 1, threads = threads, verbose = FALSE)
})
add("1.5M x 24, K = 12", "cscdemand", r$time, 20, r$value$loglik,
    sprintf("%d patterns; peak process memory %.0f MB", length(pt$n), peak_mb()))

res <- do.call(rbind, rows)
base <- res$sec_per_start[res$implementation == "poLCA"]
res$speedup_vs_poLCA_per_start <- ifelse(res$task == "15k x 24, K = 7",
                                         round(base / res$sec_per_start, 1), NA)
print(res, row.names = FALSE)
