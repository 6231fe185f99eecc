# Benchmark of the multi-group models across councils: the invariant model,
# the configural model fitted group by group (against the old joint EM over
# all groups at once), and the partial-invariance item search warm-started
# from the invariant solution (against the old search from random starts).
# Run from the package root after installing, preferably niced:
#   nice -n 10 Rscript bench/bench-invariance.R [episodes] [K ...] [--old] [--adaptive]
# Defaults: 500,000 episodes, K = 7 and 12, 152 councils sized as their
# published episodes with factors (DfE C3, latest year), 24 factors; three
# councils have a different item f03. `--old` also times the old joint-EM
# configural model (8 starts, as in issue 27) and the old item search (8
# random starts per item), and compares their log-likelihoods; `--adaptive`
# also times the configural model with the adaptive starts (starts = NULL).
suppressPackageStartupMessages(library(cscdemand))
source("bench/sim-factors.R")
source("bench/bench-utils.R")
args <- commandArgs(trailingOnly = TRUE)
old <- "--old" %in% args
adaptive <- "--adaptive" %in% args
nums <- suppressWarnings(as.numeric(args[!args %in% c("--old", "--adaptive")]))
n <- if (length(nums) && !is.na(nums[1])) nums[1] else 5e5
ks <- if (length(nums) > 1) as.integer(nums[-1]) else c(7L, 12L)

la <- context_factors[context_factors$measure == "episodes_with_factors" &
                        context_factors$level == "Local authority" &
                        context_factors$year == max(context_factors$year), ]
la <- utils::head(la[order(-la$count), ], 152)
bench_data <- function(n, K) {
  d <- sim_factors(n, K = K)
  set.seed(K)
  d$la <- sample(la$name, n, replace = TRUE, prob = la$count)
  differ <- la$name[c(10, 60, 120)]  # f03 does not follow the classes there
  sel <- d$la %in% differ
  d$f03[sel] <- stats::rbinom(sum(sel), 1, 0.5)
  d$.class <- NULL
  list(data = d, differ = differ)
}

# Elapsed and CPU seconds (user + system of every thread of this process):
# on a shared machine the elapsed time depends on the load, the CPU time less.
tm <- function(expr) {
  t <- system.time(val <- force(expr))
  list(time = t[["elapsed"]], cpu = t[["user.self"]] + t[["sys.self"]], value = val)
}
out <- list()
row <- function(K, stage, impl, r, ll, note = "") {
  out[[length(out) + 1L]] <<- data.frame(K = K, stage = stage, implementation = impl,
                                         seconds = round(r$time, 1), cpu = round(r$cpu, 1),
                                         loglik = round(ll, 3), note = note,
                                         stringsAsFactors = FALSE)
  cat(sprintf("K = %d | %s | %s | %.1f s | CPU %.1f s | %s\n", K, stage, impl, r$time, r$cpu,
              note))
}
for (K in ks) {
  b <- bench_data(n, K)
  items <- grep("^f", names(b$data), value = TRUE)
  r <- tm(pt <- lca_patterns(b$data, items = items, group = "la"))
  row(K, "patterns", "lca_patterns", r, NA, sprintf("%d patterns, %d councils", length(pt$n),
                                                   length(pt$group_levels)))
  r_i <- tm(fi <- suppressWarnings(lca(pt, K, group = "la", starts = 20, seed = 1,
                                      threads = threads, verbose = FALSE)))
  row(K, "invariant, 20 starts", "joint EM", r_i, fi$loglik)
  r_c <- tm(fc <- suppressWarnings(cscdemand:::lca_fit_pt(
    pt, K, "configural", NULL, starts = 20, seed = 1, threads = threads,
    control = lca_control(), verbose = FALSE, reference = fi)))
  al <- fc$alignment
  row(K, "configural, 20 starts per council", "group by group", r_c, fc$loglik,
      sprintf("min replications %d; %d of %d classes not clearly matched (%d councils)",
              min(fc$groups$n_best), sum(!al$matched), nrow(al),
              length(unique(al$group[!al$matched]))))
  if (adaptive) {
    r <- tm(fc3 <- suppressWarnings(cscdemand:::lca_fit_pt(
      pt, K, "configural", NULL, starts = NULL, seed = 1, threads = threads,
      control = lca_control(), verbose = FALSE, reference = fi)))
    row(K, "configural, adaptive starts per council", "group by group", r, fc3$loglik,
        sprintf("%d starts in all", nrow(fc3$starts)))
  }
  r_s <- tm(s <- cscdemand:::search_pairs(pt, K, fi, 0L, 1, threads, lca_control(), 2L, 0.05, 20L))
  row(K, "item search, (council, item) pairs, 2 refits per step", "warm", r_s, NA,
      sprintf("freed %s; f03 differs in %s", paste(s$free$group, s$free$item, collapse = ", "),
              paste(b$differ, collapse = ", ")))
  row(K, "invariant + configural + item search", "total",
      list(time = r_i$time + r_c$time + r_s$time, cpu = r_i$cpu + r_c$cpu + r_s$cpu), NA,
      "target < 180 s (K = 12, 152 councils)")
  if (old) {
    set_c <- cscdemand:::set_map(length(items), length(pt$group_levels), seq_along(items))
    r <- tm(fo <- suppressWarnings(cscdemand:::fit_lca_patterns(
      pt, K, starts = 8L, seed = 1, threads = threads, control = lca_control(), verbose = FALSE,
      set_of = set_c)))
    row(K, "configural, 8 starts", "old joint EM", r, fo$loglik,
        sprintf("new (20 per council) - old LL = %.6f", fc$loglik - fo$loglik))
    r <- tm(f8 <- suppressWarnings(cscdemand:::lca_fit_pt(
      pt, K, "configural", NULL, starts = 8, seed = 1, threads = threads,
      control = lca_control(), verbose = FALSE, reference = fi)))
    row(K, "configural, 8 starts per council", "group by group", r, f8$loglik,
        sprintf("new - old LL = %.6f", f8$loglik - fo$loglik))
    r <- tm(olds <- vapply(items, function(item) {
      suppressWarnings(lca(pt, K, group = "la", invariance = "partial", free = item, starts = 8,
                           seed = 1, threads = threads, verbose = FALSE))$loglik
    }, numeric(1)))
    d_ll <- it$loglik[match(items, it$item)] - olds
    row(K, "item search, 8 random starts per item", "old", r, NA,
        sprintf("warm - old LL: min %.6f, max %.6f", min(d_ll), max(d_ll)))
  }
}
res <- do.call(rbind, out)
print(res, row.names = FALSE, right = FALSE)
