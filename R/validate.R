# Validation of latent class solutions: label alignment, nonparametric
# bootstrap, bootstrap likelihood ratio test, cross-validation and
# split-sample replication. Everything works on the pattern table: resamples
# are new counts for the same patterns.

#' Align the classes of a model to a reference solution
#'
#' Relabels the classes of `fit` so that they match the classes of
#' `reference` as closely as possible (optimal assignment on the squared
#' distance between item-response probabilities, Hungarian algorithm). Use it
#' to compare a refit on a new year of data with last year's solution.
#'
#' @param fit A model from [lca()].
#' @param reference A model from [lca()] with the same items and categories
#'   (it may have more classes than `fit`, not fewer).
#' @return `fit` with its classes reordered, and an attribute `"alignment"`: a
#'   data frame with each class, its match in `reference` and the distance.
#' @family validation
#' @export
#' @examples
#' d <- simulate_lca(n = 2000, seed = 1)
#' a <- lca(d[1:1000, ], k = 3, seed = 1, verbose = FALSE)
#' b <- lca(d[1001:2000, ], k = 3, seed = 2, verbose = FALSE)
#' attr(align_classes(b, a), "alignment")
align_classes <- function(fit, reference) {
  check_lca_fit(fit)
  check_lca_fit(reference)
  if (!identical(fit$items, reference$items) || !identical(fit$levels, reference$levels)) {
    abort_input(c("{.arg fit} and {.arg reference} must have the same items and categories.",
                  i = "Fit both with the same {.arg items}."), class = "cscdemand_error_align")
  }
  if (fit$k > reference$k) {
    abort_input("{.arg reference} has fewer classes ({reference$k}) than {.arg fit} ({fit$k}).",
                class = "cscdemand_error_align")
  }
  a <- stack_item_probs(reference$probs)
  b <- stack_item_probs(fit$probs)
  cost <- class_distance(b, a)  # fit classes x reference classes
  assign <- as.integer(clue::solve_LSAP(cost))
  # assign[i]: reference class of fit class i. Order fit classes by it.
  perm <- order(assign)
  out <- permute_classes(fit, perm)
  attr(out, "alignment") <- data.frame(class = names(out$class_size),
                                       reference_class = names(reference$class_size)[assign[perm]],
                                       distance = cost[cbind(perm, assign[perm])],
                                       congruence = congruence(b[perm, , drop = FALSE],
                                                               a[assign[perm], , drop = FALSE]),
                                       stringsAsFactors = FALSE)
  out
}

stack_item_probs <- function(probs) do.call(cbind, unname(probs))

# Tucker's congruence coefficient between matched rows.
congruence <- function(a, b) rowSums(a * b) / sqrt(rowSums(a^2) * rowSums(b^2))

# Reorder the classes of a fit: class i of the result is class perm[i] of fit.
permute_classes <- function(fit, perm) {
  k <- fit$k
  nm <- paste("Class", seq_len(k))
  fit$class_size <- stats::setNames(unname(fit$class_size[perm]), nm)
  fit$class_size_group <- fit$class_size_group[, perm, drop = FALSE]
  colnames(fit$class_size_group) <- nm
  relabel <- function(m) {
    m <- m[perm, , drop = FALSE]
    rownames(m) <- nm
    m
  }
  fit$probs <- lapply(fit$probs, relabel)
  fit$par$probs_group <- lapply(fit$par$probs_group, function(pl) lapply(pl, relabel))
  fit$posterior <- fit$posterior[, perm, drop = FALSE]
  fit$par$logpi <- fit$par$logpi[, perm, drop = FALSE]
  fit$par$logrho <- fit$par$logrho[, perm, drop = FALSE]
  colnames(fit$posterior) <- colnames(fit$par$logpi) <- colnames(fit$par$logrho) <- nm
  fit$boundary <- boundary_table(fit$probs, fit$control$boundary)
  fit$fit <- fit_statistics(fit)
  fit
}

init_from_fit <- function(fit) list(list(logpi = fit$par$logpi, logrho = fit$par$logrho))

# Runs every replicate in one parallel C++ call. `counts` and `test` are P x R
# matrices of pattern counts (one column per replicate) for the patterns of
# `pt`, or data frames of entries (rep, pattern, count); each model is
# list(K, starts, init). With `sim` (a parametric bootstrap, blrt_sim_spec())
# every replicate draws its own data in C++ and `counts` is just the number
# of replicates. Returns log-likelihoods, held-out log-likelihoods,
# statuses and replications (R x models), and model 1's parameters.
# Within a replicate, every start runs the first stage (control$init_iter
# iterations) and only the best `final_starts` run on to convergence: the
# start from the full-sample solution is nearly converged already, and a
# random start is carried only when its first stage beats it (bootstrap and
# BLRT: 1; NULL: the lca_control() default).
run_replicates <- function(pt, counts, models, seed, control, threads, set_of = NULL,
                           test = NULL, final_starts = NULL, sim = NULL) {
  G <- length(pt$group_levels)
  if (is.null(set_of)) set_of <- set_map(length(pt$items), G)
  ent <- if (is.null(sim)) replicate_entries(counts, pt$group) else
    c(list(R = as.integer(counts)), replicate_entries(matrix(0, 0, 0), integer())[-1])
  te <- if (is.null(test)) replicate_entries(matrix(0, 0, 0), integer()) else
    replicate_entries(test, pt$group)
  starts <- max(vapply(models, function(m) m$starts + length(m$init), numeric(1)))
  if (!is.null(final_starts)) control$final_starts <- as.integer(final_starts)
  models <- lapply(models, function(m) {
    c(list(K = as.integer(m$K), starts = as.integer(m$starts), init = m$init),
      m[intersect(names(m), c("init_iter", "final_starts", "tol", "tol_par", "split_model0",
                              "adaptive", "max_starts", "min_best", "same_ll", "same_par"))])
  })
  cpp_lca_replicates(pt$y, pt$ncat, set_of, G, ent$R, ent$rep, ent$pattern, ent$group,
                     ent$count, te$rep, te$pattern, te$group, te$count, models, seed,
                     core_control(control, max(1L, starts)), threads, sim %||% list())
}

replicate_entries <- function(counts, group) {
  if (is.data.frame(counts)) {
    o <- order(counts$rep)
    e <- counts[o, ]
    return(list(R = max(e$rep), rep = as.integer(e$rep) - 1L, pattern = as.integer(e$pattern),
                group = as.integer(group[e$pattern]), count = as.numeric(e$count)))
  }
  counts <- as.matrix(counts)
  nz <- which(counts > 0, arr.ind = TRUE)
  nz <- nz[order(nz[, 2], nz[, 1]), , drop = FALSE]
  list(R = ncol(counts), rep = as.integer(nz[, 2]) - 1L, pattern = as.integer(nz[, 1]),
       group = as.integer(group[nz[, 1]]), count = as.numeric(counts[nz]))
}

check_reps <- function(reps, call = rlang::caller_env()) {
  check_count(reps, min = 1, arg = "reps", call = call)
  as.integer(reps)
}

#' Nonparametric bootstrap of a latent class model
#'
#' Resamples the episodes (multinomial reweighting of the pattern counts),
#' refits the model from the full-sample solution and a few random starts,
#' aligns the labels to the full-sample classes by optimal assignment, and
#' summarises the replicates: standard errors and percentile intervals of the
#' class sizes and item-response probabilities, and for each class how often
#' it is recovered (matched with a congruence of at least `recovery`).
#'
#' @param fit A model from [lca()].
#' @param reps Number of bootstrap replicates.
#' @param starts Random starts per replicate, besides the full-sample
#'   solution (default 0: every replicate starts from the full-sample
#'   solution, as mclust does, which keeps the labels aligned). Random starts
#'   run a first stage and go on to convergence only if they beat it.
#' @param level Confidence level of the percentile intervals.
#' @param recovery Congruence (Tucker's coefficient of the item-response
#'   profile) above which a replicate class counts as the same class.
#' @inheritParams lca
#' @return An object of class `cscdemand_lca_boot`: `summary` (one row per
#'   parameter: estimate, bootstrap mean, SE, interval), `recovery` (per class:
#'   share of replicates that recovered it), `replicates` (per replicate:
#'   log-likelihood and status), `failed` (number of failed replicates),
#'   `draws` (matrix of aligned parameter draws) and `seed`.
#' @family validation
#' @export
#' @examples
#' d <- simulate_lca(n = 1000, seed = 1)
#' fit <- lca(d, k = 3, seed = 1, verbose = FALSE)
#' b <- lca_bootstrap(fit, reps = 20, seed = 1)
#' b
lca_bootstrap <- function(fit, reps = 200, starts = 0, level = 0.95, recovery = 0.95,
                          seed = NULL, threads = NULL, verbose = TRUE) {
  check_lca_fit(fit)
  reps <- check_reps(reps)
  check_count(starts, min = 0)
  check_number(level, min = 0.5, max = 0.999)
  seed <- resolve_seed(seed)
  threads <- resolve_threads(threads)
  pt <- fit$patterns
  N <- sum(pt$n)
  ref <- stack_item_probs(fit$probs)
  est <- c(fit$class_size, stats::setNames(as.vector(ref), param_names(fit)))
  draws <- matrix(NA_real_, reps, length(est), dimnames = list(NULL, names(est)))
  ll <- rep(NA_real_, reps)
  cong <- matrix(NA_real_, reps, fit$k, dimnames = list(NULL, names(fit$class_size)))
  status <- rep("ok", reps)
  counts <- with_local_seed(seed, stats::rmultinom(reps, round(N), pt$n / N))
  # Parameters to 1e-5 (not the fit's 1e-7): 13% fewer EM iterations, and
  # measured on 200 replicates of 15,000 episodes (K = 7) every probability
  # within 2e-5 of the strict fit, far below the standard errors (~1e-2).
  ctl <- fit$control
  ctl$tol_par <- max(ctl$tol_par %||% 1e-7, 1e-5)
  rr <- run_replicates(pt, counts, list(list(K = fit$k, starts = starts,
                                            init = init_from_fit(fit))),
                       seed, ctl, threads, set_of = fit$par$set_of, final_starts = 1L)
  layout <- boot_layout(fit)
  for (r in seq_len(reps)) {
    if (is.na(rr$loglik[r, 1]) || rr$status[r, 1] == 2L) {
      status[r] <- "failed"
      next
    }
    rb <- boot_probs(layout, list(logpi = rr$logpi[[r]], logrho = rr$logrho[[r]]))
    cost <- class_distance(rb$probs, ref)
    assign <- as.integer(clue::solve_LSAP(cost))
    perm <- order(assign)
    draws[r, ] <- c(rb$size[perm], as.vector(rb$probs[perm, , drop = FALSE]))
    cong[r, ] <- congruence(rb$probs[perm, , drop = FALSE], ref)
    ll[r] <- rr$loglik[r, 1]
  }
  failed <- sum(status == "failed")
  if (failed > 0) {
    warn_cscdemand("{failed} of {reps} bootstrap replicate{?s} failed and {?was/were} left out.",
                   class = "cscdemand_warning_bootstrap")
  }
  alpha <- (1 - level) / 2
  ok <- status == "ok"
  smry <- data.frame(
    term = names(est), estimate = unname(est),
    boot_mean = colMeans(draws[ok, , drop = FALSE]),
    std.error = apply(draws[ok, , drop = FALSE], 2, stats::sd),
    conf.low = apply(draws[ok, , drop = FALSE], 2, stats::quantile, alpha, names = FALSE),
    conf.high = apply(draws[ok, , drop = FALSE], 2, stats::quantile, 1 - alpha, names = FALSE),
    row.names = NULL, stringsAsFactors = FALSE)
  rec <- data.frame(class = names(fit$class_size),
                    recovered = colMeans(cong[ok, , drop = FALSE] >= recovery),
                    mean_congruence = colMeans(cong[ok, , drop = FALSE]),
                    row.names = NULL)
  structure(list(summary = smry, recovery = rec,
                 replicates = data.frame(rep = seq_len(reps), loglik = ll, status = status),
                 failed = failed, draws = draws, level = level, seed = seed, reps = reps),
            class = "cscdemand_lca_boot")
}

param_names <- function(fit) {
  cats <- unlist(lapply(fit$items, function(it) paste0(it, "=", fit$levels[[it]])))
  as.vector(outer(names(fit$class_size), cats, function(a, b) paste0(b, "|", a)))
}

# What boot_probs() needs of a fit, computed once for all replicates: the
# group sizes and the parameter rows of each item's first set.
boot_layout <- function(fit) {
  pt <- fit$patterns
  G <- length(pt$group_levels)
  gN <- as.numeric(tapply(pt$n, factor(pt$group, levels = seq_len(G)), sum))
  gN[is.na(gN)] <- 0
  blocks <- param_blocks(pt$ncat, fit$par$set_of)
  rows <- unlist(lapply(seq_along(pt$items), function(j) {
    b <- blocks[blocks$item == j & blocks$set == 0L, ]
    b$start + seq_len(pt$ncat[j])
  }))
  list(gN = gN, rows = rows)
}

# Class sizes and stacked item probabilities (K x sum C) of a light refit.
boot_probs <- function(layout, res) {
  size <- colSums(exp(res$logpi) * layout$gN) / sum(layout$gN)
  list(size = size, probs = t(exp(res$logrho[layout$rows, , drop = FALSE])))
}

#' @export
print.cscdemand_lca_boot <- function(x, ...) {
  ok <- sum(x$replicates$status == "ok")
  cat(sprintf("Nonparametric bootstrap: %d replicates (%d failed), seed %s\n", x$reps,
              x$failed, format(x$seed)))
  cat("\nClass recovery (share of replicates matching each class):\n")
  r <- x$recovery
  r$recovered <- round(r$recovered, 3)
  r$mean_congruence <- round(r$mean_congruence, 3)
  print(r, row.names = FALSE)
  cat(sprintf("\nClass sizes with bootstrap SE and %g%% percentile interval:\n", 100 * x$level))
  s <- x$summary[startsWith(x$summary$term, "Class"), c("term", "estimate", "std.error",
                                                          "conf.low", "conf.high")]
  s[-1] <- lapply(s[-1], round, 4)
  print(s, row.names = FALSE)
  invisible(x)
}

#' Bootstrap stability of the number of classes
#'
#' Can each class of a solution be found again on resampled data by a fit
#' that does not know it? Each replicate resamples the episodes (multinomial
#' reweighting of the pattern counts, the same resamples for every K) and
#' fits the model afresh from `starts` random starts only, never from the
#' full-data solution; its classes are matched one to one to the full-data
#' classes (Hungarian algorithm) by their Jaccard agreement. A class's
#' stability is its mean matched Jaccard over the replicates, as in Hennig's
#' (2007) `clusterboot`; a solution is stable when every class is. The
#' chosen K is the largest K whose classes are all stable (one class always
#' is).
#'
#' Unlike [lca_bootstrap()], whose replicates start from the full-data
#' solution (right for standard errors, but a class split in two is then
#' found again as readily as a real one), the fresh fits here can split a
#' spurious class differently in every resample, so the split halves get a
#' low Jaccard agreement.
#'
#' The Jaccard agreement of full-data class c (posterior probabilities
#' \eqn{a_{pc}}{a[p, c]} for pattern p) and replicate class d (\eqn{b_{pd}}{b[p, d]},
#' the replicate's parameters applied to the same patterns) is
#' \eqn{J = \sum_p n_p \min(a_{pc}, b_{pd}) / \sum_p n_p \max(a_{pc}, b_{pd})}{J = sum(n * pmin(a, b)) / sum(n * pmax(a, b))},
#' \eqn{n_p}{n} the full-data count of pattern p: the Jaccard index of two
#' sets of episodes with membership counted by posterior probability. It is
#' 1 when the two fits give every pattern the same posterior; a class that
#' the replicate does not find at all gets about 0. Hennig reads a mean
#' Jaccard of 0.75 or more as a stable class and 0.5 or less as a dissolved
#' one.
#'
#' @param x A model from [lca()], a list of such models fitted to the same
#'   data (one per K), or the result of [lca_enumerate()].
#' @param reps Bootstrap replicates (the same resamples for every K).
#' @param starts Random starts of each replicate's fit (the best
#'   [lca_control()] `final_starts` of them run to convergence).
#' @param stable Mean Jaccard agreement at or above which a class is stable.
#' @inheritParams lca
#' @return An object of class `cscdemand_lca_stability`: `k` (the largest K
#'   whose classes are all stable, `NA` if none), `table` (per K: the
#'   smallest mean Jaccard of its classes, whether all are stable, failed
#'   replicates), `classes` (per K and class: class size, mean Jaccard, share
#'   of replicates in which the class dissolved, i.e. Jaccard at most 0.5),
#'   `jaccard` (per K, a replicates by classes matrix of matched Jaccard
#'   agreements), `reps`, `starts`, `stable` and `seed`.
#' @references Hennig, C. (2007). Cluster-wise assessment of cluster
#'   stability. *Computational Statistics & Data Analysis*, 52, 258-271.
#' @family validation
#' @export
#' @examples
#' d <- simulate_lca(n = 1000, seed = 1)
#' en <- lca_enumerate(d, k = 1:3, seed = 1, verbose = FALSE)
#' s <- lca_stability(en, reps = 5, starts = 5, seed = 1, verbose = FALSE)
#' s
#' s$k
lca_stability <- function(x, reps = 20, starts = 10, stable = 0.75, seed = NULL,
                          threads = NULL, verbose = TRUE) {
  fits <- stability_fits(x)
  reps <- check_reps(reps)
  check_count(starts, min = 1)
  check_number(stable, min = 0, max = 1)
  seed <- resolve_seed(seed)
  threads <- resolve_threads(threads)
  pt <- fits[[1]]$patterns
  N <- sum(pt$n)
  counts <- with_local_seed(seed, stats::rmultinom(reps, round(N), pt$n / N))
  per_k <- vector("list", length(fits))
  for (i in seq_along(fits)) {
    if (verbose) cli::cli_inform("Stability of K = {fits[[i]]$k}: {reps} resample{?s}.")
    per_k[[i]] <- stability_one_k(fits[[i]], counts, starts, seed, threads)
  }
  stability_result(fits, per_k, reps, starts, stable, seed)
}

# The models of lca_stability(): one per K, fitted to the same patterns.
stability_fits <- function(x, call = rlang::caller_env()) {
  fits <- if (inherits(x, "cscdemand_lca_enum")) x$fits else if (inherits(x, "cscdemand_lca"))
    list(x) else x
  if (!is.list(fits) || !length(fits) || !all(vapply(fits, inherits, logical(1), "cscdemand_lca"))) {
    abort_input(c("{.arg x} must be a model from {.fn lca}, a list of such models or the result of {.fn lca_enumerate}.",
                  x = "You supplied {.cls {class(x)}}."), call = call)
  }
  y1 <- fits[[1]]$patterns
  same <- vapply(fits, function(f) identical(f$patterns$y, y1$y) && identical(f$patterns$n, y1$n) &&
                   identical(f$patterns$group, y1$group), logical(1))
  if (!all(same)) {
    abort_input(c("The models in {.arg x} were not fitted to the same data.",
                  x = "Model{?s} {which(!same)} differ{?s/} from the first in {?its/their} patterns or counts.",
                  i = "Fit every K to the same data, e.g. with {.fn lca_enumerate}."),
                class = "cscdemand_error_stability", call = call)
  }
  ks <- vapply(fits, function(f) as.integer(f$k), integer(1))
  fits[order(ks)]
}

# Matched Jaccard agreements (replicates x classes) of one model: each
# replicate fitted from random starts only, its classes matched to the
# model's. NA for a failed replicate; K = 1 is 1 by definition.
stability_one_k <- function(fit, counts, starts, seed, threads) {
  reps <- ncol(counts)
  k <- fit$k
  out <- matrix(if (k == 1L) 1 else NA_real_, reps, k, dimnames = list(NULL, names(fit$class_size)))
  if (k == 1L) return(out)
  pt <- fit$patterns
  G <- length(pt$group_levels)
  set_of <- fit$par$set_of
  post <- function(logpi, logrho) cpp_lca_posterior(pt$y, pt$ncat, pt$group, G, set_of, logpi, logrho)$posterior
  a <- post(fit$par$logpi, fit$par$logrho)
  ctl <- fit$control
  ctl$tol_par <- max(ctl$tol_par %||% 1e-7, 1e-5)
  rr <- run_replicates(pt, counts, list(list(K = k, starts = starts, init = list())),
                       stream_seed(seed, k), ctl, threads, set_of = set_of)
  for (r in seq_len(reps)) {
    if (is.na(rr$loglik[r, 1]) || rr$status[r, 1] == 2L) next
    J <- class_jaccard(a, post(rr$logpi[[r]], rr$logrho[[r]]), pt$n)
    m <- as.integer(clue::solve_LSAP(J, maximum = TRUE))
    out[r, ] <- J[cbind(seq_len(k), m)]
  }
  out
}

# Fuzzy Jaccard agreement of every class of posterior `a` (patterns x K1)
# with every class of `b` (patterns x K2), patterns weighted by `n`:
# sum(n * pmin(a[, c], b[, d])) / sum(n * pmax(a[, c], b[, d])).
class_jaccard <- function(a, b, n) {
  J <- matrix(0, ncol(a), ncol(b))
  for (d in seq_len(ncol(b))) {
    mn <- pmin(a, b[, d])
    J[, d] <- colSums(n * mn) / colSums(n * (a + b[, d] - mn))
  }
  J
}

stability_result <- function(fits, per_k, reps, starts, stable, seed) {
  ks <- vapply(fits, function(f) as.integer(f$k), integer(1))
  classes <- do.call(rbind, lapply(seq_along(fits), function(i) {
    j <- per_k[[i]]
    ok <- stats::complete.cases(j)
    data.frame(k = ks[i], class = colnames(j), size = unname(fits[[i]]$class_size),
               mean_jaccard = colMeans(j[ok, , drop = FALSE]),
               dissolved = colMeans(j[ok, , drop = FALSE] <= 0.5), row.names = NULL)
  }))
  tab <- data.frame(k = ks, min_jaccard = vapply(split(classes$mean_jaccard, classes$k), min, numeric(1)),
                    failed = vapply(per_k, function(j) sum(!stats::complete.cases(j)), integer(1)),
                    row.names = NULL)
  tab$stable <- !is.na(tab$min_jaccard) & tab$min_jaccard >= stable
  failed <- sum(tab$failed)
  if (failed > 0) {
    warn_cscdemand("{failed} stability replicate fit{?s} failed and {?was/were} left out.",
                   class = "cscdemand_warning_bootstrap")
  }
  k <- if (any(tab$stable)) max(tab$k[tab$stable]) else NA_integer_
  structure(list(k = k, table = tab, classes = classes, jaccard = stats::setNames(per_k, paste0("k=", ks)),
                 reps = reps, starts = starts, stable = stable, seed = seed),
            class = "cscdemand_lca_stability")
}

#' @export
print.cscdemand_lca_stability <- function(x, ...) {
  cat(sprintf("Bootstrap stability: %d replicates, each fitted from %d random starts; seed %s\n",
              x$reps, x$starts, format(x$seed)))
  tb <- x$table
  print(data.frame(K = tb$k, `smallest mean Jaccard` = round(tb$min_jaccard, 3),
                   stable = ifelse(tb$stable, "yes", "no"), failed = tb$failed, check.names = FALSE),
        row.names = FALSE)
  cat(sprintf("Largest K whose classes are all stable (mean Jaccard >= %g): %s\n", x$stable,
              if (is.na(x$k)) "none" else x$k))
  invisible(x)
}

#' Bootstrap likelihood ratio test of K-1 against K classes
#'
#' The parametric bootstrap likelihood ratio test (BLRT) of Nylund, Asparouhov
#' and Muthen (2007): for each K, data sets are simulated from the fitted
#' (K-1)-class model, both models are refitted to each, and the observed
#' likelihood-ratio statistic is compared with the bootstrap distribution.
#'
#' **Why the level holds.** The statistic of the test, `LR`, is computed on
#' the data by exactly the procedure every replicate uses on its simulated
#' data: the same starts rule, tolerances, iteration caps and search, and a
#' random stream chosen by the same rule. Under the null the data and the
#' replicates are then draws from (nearly) the same (K-1)-class model passed
#' through the same function, so the observed statistic is exchangeable with
#' the replicates' (up to the parametric bootstrap's use of the fitted model
#' for the true one), and the p-value below is uniform whatever the search
#' misses: a search that stops short of a K-class maximum shrinks the
#' observed statistic and the replicates' alike. (Comparing a thoroughly
#' searched observed fit with cheaper replicate fits is what made an
#' earlier version reject a true 7-class model in 11% of Kingston-shaped
#' data sets at 5%; see issue 25.) The models shown (`fits`,
#' `loglik_k`, `loglik_k_minus_1` and their `LR_fit`) are the thorough fits
#' of [lca()] with adaptive starts (`fit_starts = NULL`, in batches of at
#' least 50); they generate the replicates ((K-1) classes) but do not enter
#' the statistic (K classes).
#'
#' The procedure, on the data and on each replicate: the (K-1)-class model
#' starts from the fitted (K-1)-class solution (which generated the
#' replicates) and `starts` random starts; the K-class model from the
#' (K-1)-class solution just found with each class split in turn (under the
#' null the K-class maximum is usually such a split), and `starts` random
#' starts. Every start runs 40 EM iterations and the best three go on to
#' convergence (one batch: the level does not depend on how deep the search
#' is, as the data and the replicates get the same one, and deeper searches
#' were measured to add little: four batches raised the mean statistic by 1%
#' on Kingston-shaped data at 2.2 times the cost).
#' `not_replicated` counts the replicates where a best fit was reached only
#' once (as Mplus's TECH14 warns; with one batch this is common, and it no
#' longer bears on the level, only on power); `k_worse` the replicates whose K-class fit
#' ended below their (K-1)-class fit (a local maximum; their statistic is 0).
#' Replicates are simulated and fitted in parallel in C++ and are
#' reproducible by `seed`, for any thread count.
#'
#' The p-value is (1 + the number of replicates with a statistic at least the
#' observed one) / (1 + replicates): with the observed statistic exchangeable
#' with the replicates', under the null it is uniform on 1/(R+1), ..., 1 (up
#' to the bootstrap approximation), so with `reps` = 19, 39 or 99 the 5% test
#' has level 5%. The calibration on simulated data with a known number of
#' classes is in the package's bench/accuracy-blrt.R and bench/RESULTS.md.
#'
#' @param data A data frame, an `lca_patterns` table, or a model from [lca()]
#'   (its pattern table is used).
#' @param k The numbers of classes K to test against K-1 (each at least 2).
#' @param reps Bootstrap replicates per K.
#' @param starts Random starts per batch for each model in each replicate,
#'   and on the data, besides the fixed ones (the generating (K-1)-class
#'   solution; the (K-1)-class solution just found with each of its classes
#'   split in two).
#' @param alpha Significance level for early stopping.
#' @param early_stop Stop adding replicates (in batches of 10) when the
#'   answer is settled. A clearly non-significant test stops at the
#'   replicate where the h-th reaches the observed statistic, h the fewest
#'   with h / `reps` > `alpha` (5 for 99 replicates); its p-value is then
#'   h / L, L the replicates run (Besag and Clifford 1991: a valid p-value,
#'   and the decision is the one all `reps` replicates would give). A clearly
#'   significant one stops when no replicate has reached the statistic after
#'   the first n, n the smallest multiple of 10 for which this can raise the
#'   level by at most 0.002 (40 of 99 replicates; a pretest as in Davidson
#'   and MacKinnon 2000); its p-value is then 1 / (n + 1). `reps` in the
#'   table says how many replicates each p-value rests on.
#' @param fit_starts Random starts for the models fitted to the data. `NULL`
#'   (default): adaptive, as [lca()], in batches of at least 50 starts until
#'   the best solution is replicated.
#' @inheritParams lca
#' @return An object of class `cscdemand_lca_blrt`: a data frame-like list
#'   with `table` (K, the thorough fits' log-likelihoods and `LR_fit`, twice
#'   their difference; `LR`, the statistic of the test (see Details),
#'   bootstrap p-value,
#'   replicates used, `k_worse`: replicates whose K-class fit was worse than
#'   their (K-1)-class fit, a local maximum, `not_replicated`: replicates
#'   whose best (K-1)- or K-class fit was reached by one start only, and
#'   `stopped_early`), `lr` (the bootstrap statistics per K), `replicates`
#'   (per K: each replicate's two log-likelihoods, the starts each fit ran and
#'   whether both were replicated), `seed` and `fits`. All replicates of a batch run in one
#'   parallel C++ call; multi-group models (invariant) are simulated group by
#'   group.
#' @family validation
#' @export
#' @examples
#' d <- simulate_lca(n = 1000, seed = 1)
#' lca_blrt(d, k = 2:4, reps = 19, seed = 1)
lca_blrt <- function(data, k = 2:10, reps = 100, starts = 4, fit_starts = NULL, items = NULL,
                     seed = NULL, threads = NULL, control = lca_control(), verbose = TRUE,
                     alpha = 0.05, early_stop = TRUE) {
  check_counts(k, min = 2)
  reps <- check_reps(reps)
  check_count(starts, min = 0)
  check_count(fit_starts, min = 1, allow_null = TRUE)
  check_number(alpha, min = 0, max = 1)
  check_flag(early_stop)
  seed <- resolve_seed(seed)
  threads <- resolve_threads(threads)
  if (inherits(data, "cscdemand_lca")) {
    pt <- data$patterns
    if (!identical(data$invariance, "single group") && !identical(data$invariance, "invariant")) {
      abort_input("{.fn lca_blrt} tests single-group or invariant multi-group models.")
    }
  } else {
    pt <- lca_patterns_for_fit(data, items, NULL, verbose = verbose)
  }
  pt <- canonical_patterns(pt)
  grp <- pt$group_var
  k <- sort(unique(as.integer(k)))
  ks <- sort(unique(c(k - 1L, k)))
  fits <- lapply(ks, function(kk) lca(pt, k = kk, group = grp, starts = fit_starts, seed = seed,
                                      threads = threads, control = blrt_fit_control(control),
                                      verbose = FALSE))
  names(fits) <- ks
  rows <- list()
  lrs <- list()
  reps_tab <- list()
  for (kk in k) {
    out <- blrt_one(pt, fits[[as.character(kk - 1L)]], fits[[as.character(kk)]], reps, starts,
                    seed, control, threads, alpha, early_stop)
    rows[[length(rows) + 1L]] <- out$row
    lrs[[as.character(kk)]] <- out$lr
    reps_tab[[as.character(kk)]] <- out$replicates
  }
  structure(list(table = do.call(rbind, rows), lr = lrs, seed = seed, fits = fits,
                 alpha = alpha, replicates = reps_tab), class = "cscdemand_lca_blrt")
}

# The control of the observed fits: adaptive batches of at least 50 starts.
# A fit that stops at a local maximum biases the test: a (K-1)-class one
# inflates the observed LR and generates the replicates from the wrong
# model, a K-class one shrinks it. On Kingston-shaped data (7 classes, 24
# factors, 3,000 episodes) a 7-class maximum 3.8 log-likelihood units above
# a local one was reached by 3 or 4 starts in 150, while the local one was
# reached by 5 of the first 20: batches of 20 stopped there.
blrt_fit_control <- function(control) {
  control$batch <- max(control$batch %||% 20L, 50L)
  control
}

# The pattern table with its patterns in a canonical order (by group, then
# item by item), whatever the order of the rows it was built from: data-seeded
# starts and the simulated rows' missing-item masks follow the pattern order,
# so without this the same episodes in another order (another route in, or
# a sample) could give another p-value.
canonical_patterns <- function(pt) {
  o <- do.call(order, c(list(pt$group), lapply(seq_len(ncol(pt$y)), function(j) pt$y[, j])))
  pt$y <- pt$y[o, , drop = FALSE]
  pt$n <- pt$n[o]
  pt$group <- pt$group[o]
  if (!is.null(pt$row_index)) pt$row_index <- match(pt$row_index, o)
  pt
}

# The test of K-1 (f0) against K (f1) classes: replicates simulated from f0
# in batches of 10; each batch is one parallel C++ call (blrt_models()).
# Two sequential rules (early_stop), both with a level that can be stated:
# - Besag and Clifford (1991), exact: once h_stop replicates reach the
#   observed statistic (blrt_h_stop()), stop; the p-value is then
#   h_stop / L, L the replicate at which the h_stop-th exceedance came, a
#   valid p-value (P(p <= u) <= u under the null), and the decision is the
#   one all `reps` replicates would give. A clearly non-significant test
#   stops after about h_stop / p replicates.
# - a pretest for significance (as Davidson and MacKinnon 2000, and Mplus,
#   stop a clearly significant test early): no replicate has reached the
#   observed statistic after n_sig replicates (blrt_n_sig()), the first
#   batch end at which stopping raises the level by at most 0.002.
blrt_one <- function(pt, f0, f1, reps, starts, seed, control, threads, alpha, early_stop) {
  kk <- f1$k
  mods <- blrt_models(f0, f1, starts, control)
  obs <- blrt_statistic(pt, mods, stream_seed(seed, kk, 0, 3), control, threads)
  lr_obs <- obs$lr
  h_stop <- blrt_h_stop(reps, alpha)
  n_sig <- blrt_n_sig(reps, h_stop)
  lr <- numeric()
  reps_tab <- list()
  worse <- 0L
  done <- 0L
  stopped <- FALSE
  while (done < reps) {
    b <- seq.int(done + 1L, min(reps, done + 10L))
    rr <- run_replicates(pt, length(b), mods, stream_seed(seed, kk, b[1], 3), control, threads,
                         sim = blrt_sim_spec(pt, f0, seed, b[1] - 1L))
    l0 <- rr$loglik[, 1]
    l1 <- rr$loglik[, 2]
    worse <- worse + sum(l1 < l0 - 1e-6, na.rm = TRUE)
    lr <- c(lr, ifelse(is.na(l0) | is.na(l1), NA_real_, 2 * pmax(0, l1 - l0)))
    reps_tab[[length(reps_tab) + 1L]] <- blrt_replicate_rows(b, rr)
    done <- max(b)
    used <- sum(!is.na(lr))
    if (early_stop && done < reps) {
      h <- sum(lr >= lr_obs, na.rm = TRUE)
      if (h >= h_stop || (h == 0L && used >= n_sig)) {
        stopped <- TRUE
        break
      }
    }
  }
  if (worse > 0) {
    warn_cscdemand(c("In {worse} of {done} BLRT replicate{?s} the {kk}-class fit was worse than the {kk - 1}-class fit (a local maximum).",
                     i = "Their statistic was set to 0. Raise {.arg starts} to reduce this."),
                   class = "cscdemand_warning_blrt")
  }
  rt <- do.call(rbind, reps_tab)
  p <- blrt_p_sequential(lr, lr_obs, if (early_stop) h_stop else Inf)
  row <- data.frame(k = kk, loglik_k = f1$loglik, loglik_k_minus_1 = f0$loglik,
                    LR_fit = 2 * (f1$loglik - f0$loglik), LR = lr_obs, p_value = p$p, reps = p$reps, k_worse = worse,
                    not_replicated = sum(!rt$replicated, na.rm = TRUE), stopped_early = stopped)
  list(row = row, lr = lr, replicates = rt)
}

# The statistic of the test on one data set (the observed one; a replicate's
# is the same computation inside the parallel call, as the tests check):
# the fits of blrt_models() searched as in every replicate, with the same
# starts rule, tolerances, caps and stream rule, from counts in one column.
# So under the null the observed statistic is exchangeable with the
# replicates' (up to the parametric bootstrap's use of f0 for the truth),
# whatever the search misses: a search that falls short shrinks both alike.
blrt_statistic <- function(pt, mods, seed, control, threads) {
  rr <- run_replicates(pt, matrix(pt$n, ncol = 1L), mods, seed, control, threads)
  l0 <- rr$loglik[1, 1]
  l1 <- rr$loglik[1, 2]
  if (is.na(l0) || is.na(l1)) {
    cli::cli_abort(c("The BLRT's fits to the data failed.",
                     i = "Check the data with {.fn lca} first."),
                   class = c("cscdemand_error_fit", "cscdemand_error"))
  }
  list(lr = 2 * max(0, l1 - l0), loglik = c(l0, l1), worse = l1 < l0 - 1e-6)
}

# The Besag-Clifford stopping count: the fewest exceedances h with
# h / reps > alpha, so that both the sequential p-value (h / L >= h / reps)
# and the p-value of all `reps` replicates ((1 + h) / (1 + reps) >= h / reps)
# exceed alpha: stopping there never changes the decision.
blrt_h_stop <- function(reps, alpha) {
  as.integer(floor(alpha * reps + 1e-9)) + 1L
}

# The pretest's length: the first batch end n (a multiple of 10) at which
# stopping with no exceedance in n replicates raises the level of the test
# of all `reps` by at most `excess`; Inf when there is none. The rise is
# exact: under the null the observed statistic's rank among the reps + 1 is
# uniform, and the decision changes only when it beats the first n
# replicates but h_stop or more of the other reps - n, which has probability
# sum_{j >= h_stop} choose(reps - n, j) / choose(reps, j) / (reps + 1).
# For 99 replicates: n = 40 (a rise of 0.0016); 199: 50; 39: 30; 19: none.
blrt_n_sig <- function(reps, h_stop, excess = 0.002) {
  for (n in seq.int(10L, length.out = max(0L, (reps - h_stop) %/% 10L), by = 10L)) {
    if (blrt_pretest_excess(reps, n, h_stop) <= excess) return(n)
  }
  Inf
}

blrt_pretest_excess <- function(reps, n, h_stop) {
  j <- seq.int(h_stop, reps - n)
  sum(exp(lchoose(reps - n, j) - lchoose(reps, j))) / (reps + 1)
}

# The p-value of blrt_one()'s sequential test (Besag and Clifford 1991):
# h_stop / L when the h_stop-th exceedance came at (non-failed) replicate L,
# else (1 + h) / (1 + R) over the R replicates that ran; `reps` is L or R.
blrt_p_sequential <- function(lr, lr_obs, h_stop) {
  lr <- lr[!is.na(lr)]
  hit <- which(lr >= lr_obs)
  if (length(hit) >= h_stop) {
    L <- hit[h_stop]
    return(list(p = h_stop / L, reps = L))
  }
  list(p = blrt_p_value(lr, lr_obs), reps = length(lr))
}

# The bootstrap p-value (1 + #{LR_r >= LR_obs}) / (1 + R) over the replicates
# that ran (Davison and Hinkley 1997, eq. 4.11): under the null, with the
# observed statistic exchangeable with the R replicates, P(p <= j / (R + 1))
# = j / (R + 1) exactly (ties aside), so with R = 19, 39 or 99 the test of
# level 0.05 is exact.
blrt_p_value <- function(lr, lr_obs) {
  lr <- lr[!is.na(lr)]
  (1 + sum(lr >= lr_obs)) / (1 + length(lr))
}

# Per replicate: the (K-1)- and K-class log-likelihoods, the random starts
# each fit ran, and whether both fits' best log-likelihoods were reached by
# at least two starts (blrt_search$min_best).
blrt_replicate_rows <- function(b, rr) {
  data.frame(rep = b, loglik_k_minus_1 = rr$loglik[, 1], loglik_k = rr$loglik[, 2],
             starts_k_minus_1 = rr$n_starts[, 1], starts_k = rr$n_starts[, 2],
             replicated = rr$n_best[, 1] >= blrt_search$min_best &
               rr$n_best[, 2] >= blrt_search$min_best)
}

# The two fits of every replicate and of the data (blrt_statistic()): one
# procedure for both, so the observed statistic is exchangeable with the
# replicates' (issue 25; a thorough observed fit against cheaper replicate
# fits made the test reject too often). The search is still thorough (the
# idea of Mplus's LRTSTARTS), for power and so that LR is near the thorough
# fits' LR_fit: each fit is
# a batch of warm starts plus `starts` random ones (Dirichlet and
# data-seeded in turn), every start a first stage of blrt_search$init_iter
# EM iterations and the best blrt_search$carry run on to convergence; then
# further batches of random starts until the best log-likelihood has been
# reached by blrt_search$min_best starts (within blrt_search$same_ll), or
# blrt_search$batches batches have run. Warm starts: for K-1, the
# generating parameters f0 (under the null the replicate's maximum is
# usually next to them); for K, the (K-1)-class solution just found with each
# of its classes split in two (split_model0: under the null the K-class
# maximum is usually such a split), and nothing from the observed K-class fit
# f1 (it would be the answer on the data, not a start: the asymmetry again).
# The K-class fit creeps along flat directions, so it stops at a
# log-likelihood gain of 1e-6 and a parameter distance of 1e-3: its
# log-likelihood is then within 0.01 of the strict fit from the same start.
blrt_models <- function(f0, f1, starts, control) {
  s <- blrt_search
  adapt <- function(n_init) {
    list(starts = as.integer(starts), init_iter = s$init_iter, final_starts = s$carry,
         adaptive = TRUE, max_starts = as.integer(s$batches * (n_init + starts)),
         min_best = s$min_best, same_ll = s$same_ll, same_par = 1)
  }
  list(c(list(K = f0$k, init = list(blrt_init(f0))), adapt(1L)),
       c(list(K = f1$k, init = list(), tol = max(control$tol, 1e-6),
              tol_par = max(control$tol_par %||% 1e-7, 1e-3), split_model0 = TRUE),
         adapt(f1$k - 1L)))
}

# The replicate search (blrt_models()); a start is carried to convergence
# after `init_iter` first-stage iterations when it is among the best `carry`
# of its batch; two starts reached the same maximum when their
# log-likelihoods differ by less than `same_ll` (an LR difference of 0.02).
# Since the data's statistic is computed by this same search
# (blrt_statistic()), a search that misses a maximum no longer biases the
# level: the search's depth buys power only (a larger LR under the
# alternative). Measured on a Kingston-shaped data set (8 vs 7 classes,
# n = 3,000, 10 replicates, one batch of 7 splits + 4 random starts, CPU at
# load 9-10): 4 batches 12.8 s, mean LR 49.26; 2 batches 9.8 s, 48.79;
# 1 batch 5.9 s, 48.77 (replicate LRs spread about 6). So one batch: 2.2
# times cheaper for 0.5 of LR. Adding the observed K-class fit as a start
# (the earlier scheme) raised the mean LR by 0.4 at 14.1 s, and cannot be
# used on the data (it is the data's answer, not a start).
blrt_search <- list(init_iter = 40L, carry = 3L, min_best = 2L, same_ll = 0.01, batches = 1L)

# Starting values of a fit in the core's layout (every group's class sizes).
blrt_init <- function(fit) list(logpi = fit$par$logpi, logrho = fit$par$logrho)

# The generating model of the BLRT's replicates, for the C++ core: f0's
# parameters, each group's number of rows (its observed count, rounded), and
# the observed counts whose missing-item masks simulated rows copy. Replicate
# r (1-based, over all batches) draws from stream (seed, K, r); the core
# draws and collapses every replicate's rows inside the parallel loop
# (simulate_replicate() in replicates.h).
blrt_sim_spec <- function(pt, f0, seed, first) {
  G <- length(pt$group_levels)
  gN <- round(as.numeric(tapply(pt$n, factor(pt$group, levels = seq_len(G)), sum)))
  gN[is.na(gN)] <- 0
  list(K = f0$k, logpi = f0$par$logpi, logrho = f0$par$logrho, group_rows = gN,
       n = as.numeric(pt$n), group = as.integer(pt$group),
       seed = stream_seed(seed, f0$k + 1L, 0), first = as.integer(first))
}

# The data of replicates `b` (1-based) as one pattern table whose entries say
# which replicate each pattern belongs to: the same draws the BLRT fits
# (used by tests and diagnostics).
blrt_simulate <- function(pt, f0, b, seed) {
  G <- length(pt$group_levels)
  spec <- blrt_sim_spec(pt, f0, seed, b[1] - 1L)
  sims <- cpp_lca_simulate_replicates(pt$y, pt$ncat, set_map(length(pt$items), G), G,
                                      length(b), spec)
  y <- do.call(rbind, lapply(sims, `[[`, "y"))
  colnames(y) <- pt$items
  np <- vapply(sims, function(s) length(s$n), integer(1))
  list(y = y, n = unlist(lapply(sims, `[[`, "n")), ncat = pt$ncat, items = pt$items,
       levels = pt$levels, group = unlist(lapply(sims, `[[`, "group")),
       group_levels = pt$group_levels,
       entries = data.frame(rep = rep(seq_along(b), np), pattern = seq_len(sum(np)),
                            count = unlist(lapply(sims, `[[`, "n"))))
}

# Replicate r of blrt_simulate()'s draws as a pattern table of its own.
blrt_replicate_patterns <- function(pt, sim, r) {
  keep <- sim$entries$rep == r
  pt$y <- sim$y[keep, , drop = FALSE]
  pt$n <- sim$n[keep]
  pt$group <- sim$group[keep]
  pt$row_index <- NULL
  pt$n_rows <- sum(pt$n)
  pt
}

#' @export
print.cscdemand_lca_blrt <- function(x, ...) {
  cat("Bootstrap likelihood ratio test (K-1 against K classes)\n")
  tb <- x$table
  out <- data.frame(K = tb$k, `LL (K)` = fmt_num(tb$loglik_k, 2),
                    `LL (K-1)` = fmt_num(tb$loglik_k_minus_1, 2), LR = fmt_num(tb$LR, 2),
                    p = format_p(tb$p_value, floor = 1 / (tb$reps + 1)), reps = tb$reps, check.names = FALSE)
  print(out, row.names = FALSE)
  invisible(x)
}

#' Cross-validated log-likelihood over numbers of classes
#'
#' Splits the episodes into folds (at random, or by council with
#' `group`), fits each K on all but one fold and scores the held-out fold:
#' the held-out log-likelihood per episode is higher for models that
#' generalise. With `method = "bootstrap"`, each replicate fits a bootstrap
#' resample and scores the out-of-bag episodes.
#'
#' @param data A data frame or an `lca_patterns` table.
#' @param k Numbers of classes.
#' @param folds Number of folds (k-fold) or bootstrap replicates.
#' @param method `"kfold"` or `"bootstrap"`.
#' @param group Optional column whose values define the folds (hold out whole
#'   councils or years).
#' @param fits Optional models already fitted to the same episodes and items:
#'   an [lca_enumerate()] result or a list of [lca()] fits (one group). Each
#'   fold's model with K classes then also starts from the full-data fit with
#'   K classes, and a random start runs on to convergence only when its first
#'   stage beats that start (as in [lca_bootstrap()]). The fold's maximum is
#'   nearly always the one next to the full-data maximum, so this cuts the
#'   time several-fold; the `starts` random starts still look for a better
#'   one. Ks without a fit use random starts only.
#' @inheritParams lca
#' @return An object of class `cscdemand_lca_cv` with `table` (per K: mean
#'   held-out log-likelihood per episode and its standard error over folds)
#'   and `folds` (per fold and K: `heldout_ll` per held-out episode, and
#'   `train_ll`, the log-likelihood the fit reached on the training part).
#' @family validation
#' @export
#' @examples
#' d <- simulate_lca(n = 2000, seed = 1)
#' cv <- lca_cv(d, k = 1:4, folds = 4, starts = 5, seed = 1, verbose = FALSE)
#' cv
lca_cv <- function(data, k = 1:10, folds = 5, method = c("kfold", "bootstrap"), group = NULL,
                   items = NULL, starts = 10, seed = NULL, threads = NULL,
                   control = lca_control(), verbose = TRUE, fits = NULL) {
  method <- rlang::arg_match(method)
  check_counts(k)
  check_count(folds, min = 2)
  seed <- resolve_seed(seed)
  threads <- resolve_threads(threads)
  if (!is.null(group)) {
    check_data_frame(data)
    check_column_name(group, data)
    gcol <- data[[group]]
    data <- data[setdiff(names(data), group)]
  }
  pt <- lca_patterns_for_fit(data, items, NULL, verbose = verbose)
  N <- sum(pt$n)
  if (any(pt$n != round(pt$n))) {
    abort_input("Cross-validation needs whole-number counts (no fractional weights).")
  }
  row_pat <- rep(seq_along(pt$n), pt$n)
  P <- length(pt$n)
  fold_counts <- with_local_seed(seed, {
    if (!is.null(group)) {
      if (method == "bootstrap") abort_input("{.arg group} works with {.code method = \"kfold\"}.")
      ri <- pt$row_index
      ok <- !is.na(ri)
      g <- factor(gcol[ok])
      lapply(levels(g), function(l) tabulate(ri[ok][g == l], P))
    } else if (method == "kfold") {
      f <- sample(rep(seq_len(folds), length.out = length(row_pat)))
      lapply(seq_len(folds), function(i) tabulate(row_pat[f == i], P))
    } else {
      lapply(seq_len(folds), function(i) {
        drawn <- sample.int(length(row_pat), length(row_pat), replace = TRUE)
        inbag <- tabulate(drawn, length(row_pat))
        list(train = tabulate(rep(row_pat, inbag), P), test = tabulate(row_pat[inbag == 0], P))
      })
    }
  })
  train <- sapply(fold_counts, function(fc) if (method == "bootstrap") fc$train else pt$n - fc)
  test <- sapply(fold_counts, function(fc) if (method == "bootstrap") fc$test else fc)
  train <- matrix(as.numeric(train), nrow = P)
  test <- matrix(as.numeric(test), nrow = P)
  ks <- sort(unique(as.integer(k)))
  warm <- cv_warm_starts(fits, pt)
  models <- lapply(ks, function(kk) {
    f <- warm[[as.character(kk)]]
    if (kk == 1L || is.null(f)) return(list(K = kk, starts = if (kk == 1L) 1L else starts, init = list()))
    list(K = kk, starts = starts, init = init_from_fit(f), final_starts = 1L)
  })
  rr <- run_replicates(pt, train, models, stream_seed(seed, 1), control, threads, test = test)
  n_test <- colSums(test)
  fr <- data.frame(fold = rep(seq_len(ncol(test)), times = length(ks)),
                   k = rep(ks, each = ncol(test)),
                   n_test = rep(n_test, times = length(ks)),
                   heldout_ll = as.vector(rr$heldout) / rep(n_test, times = length(ks)),
                   train_ll = as.vector(rr$loglik))
  fr$heldout_ll[as.vector(rr$status) == 2L] <- NA_real_
  fr$train_ll[as.vector(rr$status) == 2L] <- NA_real_
  tab <- do.call(rbind, lapply(split(fr, fr$k), function(x) {
    data.frame(k = x$k[1], heldout_ll = mean(x$heldout_ll, na.rm = TRUE),
               se = stats::sd(x$heldout_ll, na.rm = TRUE) / sqrt(sum(!is.na(x$heldout_ll))))
  }))
  rownames(tab) <- NULL
  structure(list(table = tab, folds = fr, method = method, seed = seed,
                 group = group), class = "cscdemand_lca_cv")
}

# The full-data fits lca_cv(fits = ) starts from, by K; they must be fitted
# to the same items with the same categories, in one group.
cv_warm_starts <- function(fits, pt, call = rlang::caller_env()) {
  if (is.null(fits)) return(list())
  if (inherits(fits, "cscdemand_lca_enum")) fits <- fits$fits
  if (inherits(fits, "cscdemand_lca")) fits <- list(fits)
  ok <- is.list(fits) && all(vapply(fits, inherits, logical(1), "cscdemand_lca"))
  if (!ok) {
    abort_input(c("{.arg fits} must be an {.fn lca_enumerate} result or a list of {.fn lca} fits.",
                  x = "You supplied {.obj_type_friendly {fits}}."), call = call)
  }
  for (f in fits) {
    same <- identical(f$patterns$items, pt$items) && identical(f$patterns$levels, pt$levels) &&
      nrow(f$par$logpi) == 1L
    if (!same) {
      abort_input(c("The fit with {f$k} class{?es} in {.arg fits} is not of the same items, categories and one group as {.arg data}.",
                    i = "Give fits of the same episodes and items (e.g. from {.fn lca_enumerate}), or leave {.arg fits} out."),
                  class = "cscdemand_error_coding", call = call)
    }
  }
  stats::setNames(fits, vapply(fits, function(f) as.character(f$k), ""))
}

#' @export
print.cscdemand_lca_cv <- function(x, ...) {
  cat(sprintf("Cross-validated log-likelihood per episode (%s, %d folds)\n", x$method,
              length(unique(x$folds$fold))))
  tb <- x$table
  print(data.frame(K = tb$k, heldout_ll = round(tb$heldout_ll, 5), se = round(tb$se, 5)),
        row.names = FALSE)
  cat(sprintf("Highest held-out log-likelihood at K = %d\n", tb$k[which.max(tb$heldout_ll)]))
  invisible(x)
}

#' @rdname lca_cv
#' @param x An object from `lca_cv()`.
#' @param ... Unused.
#' @export
plot.cscdemand_lca_cv <- function(x, ...) {
  tb <- x$table
  ggplot2::ggplot(tb, ggplot2::aes(x = .data$k, y = .data$heldout_ll)) +
    ggplot2::geom_line() +
    ggplot2::geom_pointrange(ggplot2::aes(ymin = .data$heldout_ll - 2 * .data$se,
                                          ymax = .data$heldout_ll + 2 * .data$se)) +
    ggplot2::scale_x_continuous(breaks = tb$k) +
    ggplot2::labs(x = "Number of classes (K)", y = "Held-out log-likelihood per episode",
                  title = "Cross-validation") +
    ggplot2::theme_minimal()
}

#' Replicate a class solution on independent samples
#'
#' Fits the same model on independent parts of the data (two random halves,
#' or each council or year separately) and compares each part's classes with
#' those of the first part after optimal matching: the Kingston check that
#' the classes are not an artefact of one sample.
#'
#' @param data A data frame with one row per episode.
#' @param k Number of classes.
#' @param split `"half"` for two random halves, or the name of a grouping
#'   column (each group is fitted separately).
#' @param ... Passed to [lca()].
#' @inheritParams lca
#' @return An object of class `cscdemand_lca_replicate`: `fits` (one per
#'   part), and `comparison` (per part and class: matched class of the first
#'   part, congruence, largest absolute difference of item probabilities,
#'   class sizes).
#' @family validation
#' @export
#' @examples
#' d <- simulate_lca(n = 3000, seed = 1)
#' lca_replicate(d, k = 3, seed = 1, starts = 10)
lca_replicate <- function(data, k, split = "half", items = NULL, seed = NULL, threads = NULL,
                          verbose = FALSE, ...) {
  check_count(k)
  seed <- resolve_seed(seed)
  check_data_frame(data)
  if (identical(split, "half")) {
    half <- with_local_seed(seed, sample(rep(1:2, length.out = nrow(data))))
    parts <- split(seq_len(nrow(data)), half)
    names(parts) <- c("half 1", "half 2")
  } else {
    if (!is.character(split) || length(split) != 1L || !split %in% names(data)) {
      abort_input(c("{.arg split} must be {.val half} or the name of a grouping column.",
                    x = "{.val {format(split)}} is neither."))
    }
    parts <- split(seq_len(nrow(data)), data[[split]])
  }
  if (is.null(items)) {
    items <- default_items(data, exclude = if (!identical(split, "half")) split, verbose = verbose)
  }
  fits <- lapply(parts, function(rows) {
    lca(data[rows, , drop = FALSE], k = k, items = items, seed = seed, threads = threads,
        verbose = verbose, ...)
  })
  ref <- fits[[1]]
  comp <- do.call(rbind, lapply(names(fits)[-1], function(nm) {
    al <- align_classes(fits[[nm]], ref)
    fits[[nm]] <<- al
    a <- stack_item_probs(al$probs)
    b <- stack_item_probs(ref$probs)
    data.frame(part = nm, class = names(ref$class_size), congruence = congruence(a, b),
               max_abs_diff = apply(abs(a - b), 1, max),
               size_reference = unname(ref$class_size), size_part = unname(al$class_size),
               stringsAsFactors = FALSE)
  }))
  structure(list(fits = fits, comparison = comp, split = split, seed = seed),
            class = "cscdemand_lca_replicate")
}

#' @export
print.cscdemand_lca_replicate <- function(x, ...) {
  cat(sprintf("Replication of a %d-class solution across %d parts (%s)\n", x$fits[[1]]$k,
              length(x$fits), if (identical(x$split, "half")) "random halves" else x$split))
  cp <- x$comparison
  cp[c("congruence", "max_abs_diff", "size_reference", "size_part")] <-
    lapply(cp[c("congruence", "max_abs_diff", "size_reference", "size_part")], round, 3)
  print(cp, row.names = FALSE)
  invisible(x)
}
