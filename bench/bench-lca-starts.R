# Default random starts: how often does lca(k = 7) reach the best
# log-likelihood known (from 500 starts) on simulated sets of about 3,000
# episodes x 24-27 factors, over seeds 1 to 10? Two kinds of data: "cin"
# (simulate_cin(), the Kingston classes, the realistic case) and "sparse"
# (bench/sim-factors.R, well separated).
# Run from the package root: Rscript bench/bench-lca-starts.R cin|sparse [data seeds]
suppressMessages(pkgload::load_all(quiet = TRUE))
source("bench/sim-factors.R")
threads <- 2L
args <- commandArgs(trailingOnly = TRUE)
kind <- if (length(args)) args[1] else "cin"
data_seeds <- if (length(args) > 1) as.integer(args[-1]) else 1:2
run <- function(pt, best, starts, control) {
  res <- vapply(1:10, function(s) {
    t <- system.time(f <- suppressWarnings(lca(pt, 7, starts = starts, seed = s, threads = threads,
                                               verbose = FALSE, control = control)))
    c(f$loglik, t[[3]], f$n_best, nrow(f$starts))
  }, numeric(4))
  gap <- best - res[1, ]
  data.frame(within_0.01 = sum(gap < 0.01), within_0.1 = sum(gap < 0.1),
             worst_gap = round(max(gap), 4), mean_seconds = round(mean(res[2, ]), 2),
             mean_replications = mean(res[3, ]), mean_starts = mean(res[4, ]))
}
settings <- if (Sys.getenv("BENCH_VARIANTS") == "1") list(
  "default, Dirichlet starts" = list(NULL, lca_control(start_values = "random")),
  "default, mixed, init_iter = 20" = list(NULL, lca_control(init_iter = 20)),
  "default, Dirichlet, init_iter = 50" = list(NULL, lca_control(init_iter = 50, start_values = "random"))
) else list(
  "starts = 20, Dirichlet, init_iter = 20 (the old scheme)" =
    list(20, lca_control(start_values = "random", init_iter = 20)),
  "default (adaptive, mixed, init_iter = 50)" = list(NULL, lca_control())
)
for (ds in data_seeds) {
  if (kind == "cin") {
    d <- episode_factors(simulate_cin(las = "E09000021", years = 2024, n_episodes = 3200,
                                      seed = ds))
    pt <- lca_patterns(d, items = attr(d, "factors"))
  } else {
    d <- sim_factors(3000, seed = ds)
    pt <- lca_patterns(d, items = grep("^f", names(d), value = TRUE))
  }
  best <- suppressWarnings(lca(pt, 7, starts = 500, seed = 2024, threads = threads,
                               verbose = FALSE,
                               control = lca_control(final_starts = 100)))$loglik
  cat(sprintf("\n%s data seed %d (%d episodes, %d items): best known (500 starts) %.4f\n",
              kind, ds, sum(pt$n), length(pt$items), best))
  out <- do.call(rbind, lapply(names(settings), function(nm) {
    cbind(setting = nm, run(pt, best, settings[[nm]][[1]], settings[[nm]][[2]]))
  }))
  print(out, row.names = FALSE)
}
