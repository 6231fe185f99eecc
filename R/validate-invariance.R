#' Test whether one class solution holds across groups
#'
#' Fits, for each number of classes, the *invariant* model (item-response
#' probabilities shared by all groups, class sizes per group) and the
#' *configural* model (item-response probabilities free in every group), and
#' compares them by log-likelihood ratio test, AIC and BIC, as in the
#' Kingston 2020 report (Table 3). Groups may be councils or years.
#'
#' The configural model is fitted group by group (see [lca()]): its classes
#' are matched to the invariant model's, and `fits` holds, per configural
#' fit, `alignment` (which classes of which groups match only weakly) and
#' `groups`.
#'
#' **Starts of the configural model.** Each group's K-class fit starts
#' from the invariant model's solution (that group's class sizes, the shared
#' item probabilities) and `configural_starts` random starts (default 4);
#' after `control$init_iter` iterations the 2 best run to convergence, which
#' is the invariant solution in almost every group. Fitted in this way at
#' K = 12 on the national simulation (150 groups of 1,600 to 100,000
#' episodes), every group of 6,000 episodes or more reached the maximum
#' that 60 random starts per group reach (within the stopping tolerance); in
#' groups near the smallest size (below) K-class maxima are many and flat,
#' and a group's fit can end 0.1 to 2 log-likelihood units below the best
#' found by many starts, which a few random starts do not change. Set
#' `configural_starts = NULL` for the adaptive starts of [lca()] in every
#' group.
#'
#' **Small groups.** A configural model fits a K-class model in every group,
#' which a group of a few hundred episodes cannot identify. Groups with
#' fewer than `min_group` episodes (by default 10 per parameter of one
#' group's K-class model at the largest K: \eqn{10 (K \sum_j (C_j - 1) + K -
#' 1)}, 3,590 episodes for 29 yes/no factors and K = 12) are pooled into one
#' group, "other councils", for every model of the comparison (so the models
#' stay nested). A message says so, the print method names how many, and
#' `pooled` lists them.
#'
#' **Item search (partial invariance).** With `search = TRUE` the search
#' asks which items differ in which groups, one (group, item) pair at a time,
#' by forward selection from the invariant model at the largest K. At each
#' step every pair not yet free is scored: one EM step from the current
#' maximum that gives the item its own probabilities in that one group (the
#' E-step's expected counts, one pass over the patterns, in C++). Twice the
#' step's gain in expected complete-data log-likelihood is the score; by the
#' EM inequality it is a lower bound on the pair's likelihood-ratio
#' statistic. The `search_refit` pairs with the largest scores are refitted
#' within their group (EM on that group's patterns over its class sizes and
#' the item's probabilities there, every other parameter held: a tighter
#' lower bound, `local_LR`, at the cost of one group's patterns), and only
#' the pair with the largest `local_LR` is refitted exactly (EM on all
#' groups from two starts, where the local fit stopped and the one-step
#' start, run until the log-likelihood still to gain is below 1e-7; the
#' better kept). That pair is freed if its p-value (chi-square with \eqn{K (C_j - 1)}
#' degrees of freedom) is below Holm's threshold \eqn{\alpha / (m - s + 1)}
#' at step \eqn{s}, where \eqn{m} is the number of (group, item) pairs
#' (items times groups) and \eqn{\alpha} is `search_alpha`: the thresholds
#' of Holm's procedure over all pairs, so that the chance of freeing any
#' pair that does not differ stays near \eqn{\alpha} whatever the number of
#' groups and items. The search stops at the first pair that fails its
#' threshold. Freeing pairs one at a time matters: a group whose invariant
#' fit is wrong on one item gains a little from freeing any of its items
#' (each absorbs part of the misfit), so testing items one at a time against
#' the invariant model flags items that do not differ; once the differing
#' pair is free, the others no longer gain.
#'
#' @inheritParams lca
#' @param k Numbers of classes to compare (default 6 and 7).
#' @param group Grouping column (e.g. `"la"` or `"year"`).
#' @param search Also look for the (group, item) pairs whose item
#'   probabilities differ (partial invariance) at the largest K (see
#'   Details).
#' @param search_starts Random starts added to the warm start of each
#'   refit in the search (default 0).
#' @param search_refit How many of the best-scoring pairs the search refits
#'   within their group at each step (default 5); the best of them is
#'   refitted exactly.
#' @param search_alpha Familywise error rate of the search's tests (default
#'   0.05; Holm's thresholds over all (group, item) pairs).
#' @param search_max Most pairs the search frees (default 20); a warning of
#'   class `cscdemand_warning_search` says when it stopped there.
#' @param min_group Groups with fewer episodes than this are pooled into one
#'   group (see Details). `NULL` (default): 10 per parameter of one group's
#'   K-class model; `0`: no pooling.
#' @param invariant_start Where the invariant model's EM starts:
#'   `"random"` (default) runs the random starts on the grouped patterns;
#'   `"pooled"` runs them on the pooled model (all groups as one, whose
#'   maximum is an invariant model with equal class sizes in every group;
#'   the patterns collapsed over groups, several times fewer rows), then EM
#'   once on the groups from the pooled maximum. `"pooled"` costs about one
#'   pooled fit plus one EM run; it reached the same maximum as 20 random
#'   starts on the national simulation (2.9 million episodes, 150 groups,
#'   K = 12), but when groups' classes differ strongly it can stop at a
#'   local maximum of the invariant model, so use it where the invariant
#'   model is roughly right (a national extract) and check it with the
#'   default on a subset.
#' @param configural_starts Random starts added, in each group's fit of the
#'   configural model, to the first start (the invariant model's solution):
#'   all run for `control$init_iter` iterations and the 2 best run to
#'   convergence (see Details). Default 4. `NULL`: the starts of [lca()]
#'   (`starts`, adaptive by default), many times slower with many groups.
#' @param ... Must be empty.
#' @return An object of class `cscdemand_invariance`: a list with `table`
#'   (one row per model: K, model, log-likelihood, parameters, AIC, BIC, and
#'   per K the likelihood-ratio statistic, df and p-value of invariant against
#'   configural, and which model each criterion prefers), `fits`, `group`,
#'   `groups` (the groups compared, "other councils" last when groups were
#'   pooled), `pooled` (the groups pooled), `seed`, and with `search = TRUE`
#'   `search` (one row per step: `group`, `item`, `score`, `local_LR`, the
#'   exact refit's `LR`,
#'   `df`, `p_value`, Holm's `threshold`, `freed`, `loglik` and the change
#'   in BIC), `free` (the pairs freed: `group`, `item`), `partial` (the
#'   model with those pairs free, an `lca()` fit whose `free` is that table)
#'   and `group_gain` (items x groups: the first step's scores, twice each
#'   group's one-step gain when the item is freed in that group alone).
#' @family latent class models
#' @export
#' @examples
#' d <- rbind(simulate_lca(n = 800, seed = 1), simulate_lca(n = 800, seed = 2))
#' d$la <- rep(c("A", "B"), each = 800)
#' inv <- lca_invariance(d, k = 2:3, group = "la", starts = 10, seed = 1)
#' inv
lca_invariance <- function(data, k = 6:7, group, items = NULL, weights = NULL, starts = NULL,
                           seed = NULL, threads = NULL, control = lca_control(),
                           search = FALSE, search_starts = 0L, search_refit = 5L,
                           search_alpha = 0.05, search_max = 20L, min_group = NULL,
                           invariant_start = c("random", "pooled"), configural_starts = 4L,
                           verbose = TRUE, ...) {
  rlang::check_dots_empty()
  invariant_start <- rlang::arg_match(invariant_start)
  check_counts(k)
  check_count(configural_starts, min = 0, allow_null = TRUE)
  check_count(search_starts, min = 0)
  check_count(search_refit, min = 1)
  check_number(search_alpha, min = 0, max = 1)
  check_count(search_max, min = 1)
  if (!is.null(min_group)) check_number(min_group, min = 0)
  if (missing(group) || !is.character(group) || length(group) != 1L) {
    abort_input("{.arg group} must name the grouping column, e.g. {.code group = \"la\"}.")
  }
  seed <- resolve_seed(seed)
  threads <- resolve_threads(threads)
  pt <- lca_patterns_for_fit(data, items, weights, group = group, verbose = verbose)
  if (length(pt$group_levels) < 2L) {
    abort_input(c("Grouping column {.field {group}} has only one group.",
                  i = "Invariance needs at least two councils or years."))
  }
  pt <- pool_small_groups(pt, max(k), min_group, group, verbose)
  warn_small_groups(pt, max(k))
  warn_constant_in_group(pt)
  fits <- list()
  for (kk in sort(unique(as.integer(k)))) {
    inv <- if (invariant_start == "pooled") {
      fit_invariant_pooled(pt, kk, starts, seed, threads, control, verbose)
    } else {
      lca(pt, k = kk, group = group, invariance = "invariant", starts = starts, seed = seed,
          threads = threads, control = control, verbose = verbose)
    }
    fits[[paste0("invariant k=", kk)]] <- inv
    cs <- configural_starts_control(configural_starts, starts, control)
    fits[[paste0("configural k=", kk)]] <- lca_fit_pt(
      pt, kk, "configural", NULL, starts = cs$starts, seed = seed, threads = threads,
      control = cs$control, verbose = verbose, reference = inv)
  }
  tab <- invariance_table(fits)
  s <- list()
  if (search) {
    kk <- max(k)
    s <- search_pairs(pt, kk, fits[[paste0("invariant k=", kk)]], search_starts, seed, threads,
                      control, search_refit, search_alpha, search_max)
  }
  structure(list(table = tab, fits = fits, search = s$steps, free = s$free, partial = s$partial,
                 group_gain = s$group_gain, group = group, groups = pt$group_levels,
                 pooled = pt$pooled %||% character(), seed = seed),
            class = "cscdemand_invariance")
}

# The starts of each group's fit in the configural model: the invariant
# solution (always the first start) and `extra` random starts, all run for
# control$init_iter iterations, of which the 2 best (unless
# control$final_starts says otherwise) run to convergence. Per group the
# invariant solution is near a maximum already, so the random starts rarely
# win and cost most of the time when run to convergence. `extra = NULL`:
# `starts` (the adaptive batches of lca() when NULL).
configural_starts_control <- function(extra, starts, control) {
  if (is.null(extra)) return(list(starts = starts, control = control))
  control$final_starts <- control$final_starts %||% 2L
  list(starts = 1L + as.integer(extra), control = control)
}

# The invariant model from the pooled one (`invariant_start = "pooled"`).
# The pooled model (all groups as one, the patterns collapsed over groups)
# is the invariant model with the same class sizes in every group, so its
# maximum is a point of the invariant model's parameter space: the random
# starts run on the pooled table (a fraction of the grouped rows), and EM
# on the groups runs once, from the pooled maximum (each group's sizes
# start at the pooled ones; its trace is not recorded). When groups differ
# strongly this can end at a local maximum of the invariant model, which
# is why it is not the default. The fit's `starts`, `n_best`, `n_finished`
# and `stopped` are the pooled model's; `start_from` is "pooled".
fit_invariant_pooled <- function(pt, k, starts, seed, threads, control, verbose) {
  J <- length(pt$items)
  G <- length(pt$group_levels)
  one <- pool_groups(pt, pt$group_levels, "all")
  pooled <- fit_lca_patterns(one, k = k, starts = starts, seed = seed, threads = threads,
                             control = control, verbose = verbose)
  init <- list(list(logpi = matrix(pooled$par$logpi[1L, ], G, k, byrow = TRUE),
                    logrho = unname(pooled$par$logrho)))
  fit <- fit_lca_patterns(pt, k = k, starts = 1L, seed = seed, threads = threads,
                          control = control, verbose = verbose, set_of = set_map(J, G),
                          init = init, trace = FALSE)
  fit$starts <- pooled$starts
  fit$n_best <- pooled$n_best
  fit$n_finished <- pooled$n_finished
  fit$stopped <- pooled$stopped
  fit$fit <- fit_statistics(fit)
  fit$invariance <- "invariant"
  fit$free <- character()
  fit$start_from <- "pooled"
  fit
}

# Groups too small for a K-class model of their own (fewer episodes than
# `min_group`, by default min_group_size()) pooled into one group, "other
# councils", so that the configural model and the item search compare groups
# that can identify K classes; said in a message, counted in the result
# (`pooled`). Nothing is pooled when fewer than two groups would be left
# (warn_small_groups() then warns) or when `min_group = 0`.
pool_small_groups <- function(pt, k, min_group, group, verbose) {
  limit <- min_group %||% min_group_size(pt$ncat, k)
  gN <- tapply(pt$n, factor(pt$group, levels = seq_along(pt$group_levels)), sum)
  gN[is.na(gN)] <- 0
  small <- pt$group_levels[gN < limit]
  if (!length(small) || length(small) == length(pt$group_levels)) {
    return(pt)
  }
  label <- paste("other", group_noun(group, 2, count = FALSE))
  if (label %in% pt$group_levels) label <- paste0(label, " (pooled)")
  if (verbose) {
    cli::cli_inform(c("i" = "{length(small)} {group_noun(group, length(small), count = FALSE)} with fewer than {format(limit, big.mark = ',')} episodes (10 per parameter of a {k}-class model) pooled as {.val {label}} for the multi-group models.",
                      " " = "Set {.arg min_group} to change the limit; {.code min_group = 0} pools none."),
                    class = "cscdemand_message_pooled")
  }
  pool_groups(pt, small, label)
}

warn_small_groups <- function(pt, k) {
  gN <- tapply(pt$n, pt$group, sum)
  small <- pt$group_levels[gN < 10 * k]
  if (length(small)) {
    limit <- 10 * k
    warn_cscdemand(c("{cli::qty(length(small))}Group{?s} {.val {small}} {?has/have} fewer than {limit} episodes (10 per class).",
                     i = "Estimates for small groups are unstable; consider merging them."),
                   class = "cscdemand_warning_small_group")
  }
  invisible(small)
}

# One row per model (invariant, configural) and K, with the likelihood-ratio
# test of invariant against configural and the model each criterion prefers.
invariance_table <- function(fits) {
  tab <- do.call(rbind, lapply(fits, function(f) {
    data.frame(k = f$k, model = f$invariance, loglik = f$loglik, npar = f$npar, AIC = AIC(f),
               BIC = BIC(f), stringsAsFactors = FALSE)
  }))
  rownames(tab) <- NULL
  tab$LR <- NA_real_
  tab$df <- NA_real_
  tab$p_value <- NA_real_
  tab$preferred_AIC <- tab$preferred_BIC <- tab$preferred_LR <- NA_character_
  for (kk in unique(tab$k)) {
    i <- which(tab$k == kk & tab$model == "invariant")
    c <- which(tab$k == kk & tab$model == "configural")
    lr <- max(0, 2 * (tab$loglik[c] - tab$loglik[i]))
    df <- tab$npar[c] - tab$npar[i]
    p <- stats::pchisq(lr, df, lower.tail = FALSE)
    tab$LR[c] <- lr
    tab$df[c] <- df
    tab$p_value[c] <- p
    tab$preferred_AIC[c(i, c)] <- tab$model[c(i, c)][which.min(tab$AIC[c(i, c)])]
    tab$preferred_BIC[c(i, c)] <- tab$model[c(i, c)][which.min(tab$BIC[c(i, c)])]
    tab$preferred_LR[c(i, c)] <- if (p < 0.05) "configural" else "invariant"
  }
  tab
}

# The partial-invariance search: forward selection of (group, item) pairs.
# Each step scores freeing every pair not yet free (pair_scores(): twice the
# gain of one EM step that gives the item its own probabilities in that one
# group, from the current model's maximum; a lower bound on the pair's
# likelihood-ratio statistic, one pass over the patterns for all pairs),
# refits the `refit` best-scoring pairs within their group
# (local_refit_pair()), refits the best of those exactly (refit_pair():
# from where its local fit stopped and from its one EM step, plus `extra`
# random starts, to the search tolerance),
# and frees that pair if its p-value (chi-square, K (C_j - 1) df) is below Holm's
# threshold alpha / (m - s + 1) at step s, where m = items x groups is the
# number of pairs tested. Freeing the pair absorbs that group's misfit on
# that item, so the next step scores the others against a model that no
# longer carries it (a group's misfit on one item no longer shows up as a
# gain on its other items). Stops at the first pair that fails its
# threshold, or after `max_steps` freed pairs (with a warning). Returns
# `steps` (one row per step), `free` (the pairs freed), `partial` (the
# final model) and `group_gain` (the first step's scores, items x groups).
search_pairs <- function(pt, k, base, extra, seed, threads, control, refit, alpha, max_steps) {
  m <- length(pt$items) * length(pt$group_levels)
  ctl <- search_control(control)
  cur <- base
  steps <- list()
  first <- NULL
  for (s in seq_len(max_steps + 1L)) {
    sc <- pair_scores(pt, cur)
    if (is.null(first)) first <- sc$gain
    open <- which(!sc$own)
    if (!length(open) || s > max_steps) break
    cand <- open[order(-sc$gain[open])][seq_len(min(refit, length(open)))]
    loc <- lapply(cand, function(i) local_refit_pair(pt, cur, sc, i, ctl))
    b <- which.max(vapply(loc, function(l) l$lr, numeric(1)))
    fit <- refit_pair(pt, k, loc[[b]], extra, seed, threads, ctl)
    lr <- max(0, 2 * (fit$loglik - cur$loglik))
    jg <- arrayInd(cand[b], dim(sc$gain))
    df <- k * (pt$ncat[jg[1]] - 1L)
    p <- stats::pchisq(lr, df, lower.tail = FALSE)
    thr <- alpha / (m - s + 1)
    steps[[s]] <- data.frame(step = s, group = pt$group_levels[jg[2]], item = pt$items[jg[1]],
                             score = sc$gain[cand[b]], local_LR = loc[[b]]$lr, LR = lr,
                             df = df, p_value = p, threshold = thr, freed = p < thr,
                             loglik = fit$loglik, BIC_change = BIC(fit) - BIC(cur),
                             stringsAsFactors = FALSE)
    if (!(p < thr)) break
    cur <- fit
  }
  steps <- do.call(rbind, steps)
  if (length(steps)) rownames(steps) <- NULL
  if (length(steps) && nrow(steps) == max_steps && all(steps$freed)) {
    warn_cscdemand(c("The item search stopped after {max_steps} freed pair{?s} with the last still significant.",
                     i = "More groups and items may differ; raise {.arg search_max}."),
                   class = "cscdemand_warning_search")
  }
  free <- if (length(steps)) steps[steps$freed, c("group", "item"), drop = FALSE]
  free <- free %||% data.frame(group = character(), item = character())
  rownames(free) <- NULL
  cur$invariance <- "partial"
  cur$free <- free
  list(steps = steps, free = free, partial = cur, group_gain = first)
}

# The exact refit of freeing one pair, from `st` (local_refit_pair(): the
# set map with the pair free): two starts, where its group-local EM stopped
# and the one EM step from the current maximum (plus `extra` random ones),
# each to the search tolerance (in parallel), the better kept: the freer
# model can have nearby maxima, and the two starts can end at different
# ones.
refit_pair <- function(pt, k, st, extra, seed, threads, ctl) {
  withCallingHandlers(
    fit_lca_patterns(pt, k = k, starts = 2L + as.integer(extra), seed = seed, threads = threads,
                     control = ctl, verbose = FALSE, set_of = st$set_of,
                     init = list(st$par, st$onestep), trace = FALSE),
    cscdemand_warning_starts = function(w) invokeRestart("muffleWarning"),
    cscdemand_warning_convergence = function(w) invokeRestart("muffleWarning"))
}

# The group-local refit of freeing pair `i` (an index into the items x
# groups score matrix): EM on group g's patterns alone over the parameters
# the pair changes in that group's likelihood (its class sizes and item j's
# probabilities there), every other parameter held at the current maximum
# `cur`. It starts at `cur`, so each step only climbs (each M-step is the
# maximum of the expected complete-data log-likelihood over those
# parameters), and the other groups' likelihoods do not change: twice the
# gain, `lr`, is a lower bound on the pair's likelihood-ratio statistic,
# above the one-step score. Cheap (one group's patterns per iteration);
# returns `lr` and `set_of`, `par` (the full layout) for the exact refit.
local_refit_pair <- function(pt, cur, sc, i, ctl) {
  jg <- arrayInd(i, dim(sc$gain))
  j <- jg[1]
  g <- jg[2]
  st <- sc$start(j, g)
  onestep <- st$par
  nb <- param_blocks(pt$ncat, st$set_of)
  rows <- function(it, set) nb$start[nb$item == it & nb$set == set] + seq_len(pt$ncat[it])
  rj <- rows(j, st$set_of[j, g])
  ob <- param_blocks(pt$ncat, cur$par$set_of)
  sel <- which(pt$group == g)
  y <- pt$y[sel, , drop = FALSE]
  n <- pt$n[sel]
  one <- rep(1L, length(sel))
  so1 <- matrix(0L, length(pt$items), 1L)
  lj <- sum(pt$ncat[seq_len(j - 1L)]) + seq_len(pt$ncat[j])  # item j in the one-group layout
  logpi <- st$par$logpi[g, , drop = FALSE]
  logrho <- st$par$logrho[unlist(lapply(seq_along(pt$items), function(it) {
    rows(it, st$set_of[it, g])
  })), , drop = FALSE]
  logrho[lj, ] <- cur$par$logrho[ob$start[ob$item == j & ob$set == cur$par$set_of[j, g]] +
                                   seq_len(pt$ncat[j]), ]
  # every other item's part of each pattern's log-likelihood per class, fixed:
  # one C++ pass with flat class sizes and item j left out (log 1)
  fixed <- logrho
  fixed[lj, ] <- 0
  ps <- cpp_lca_posterior(y, pt$ncat, one, 1L, so1, matrix(0, 1L, ncol(logpi)), fixed)
  l0 <- log(ps$posterior) + ps$ll_pattern
  em <- local_em(l0, y[, j], n, logpi[1L, ], logrho[lj, , drop = FALSE], ctl)
  logpi[1L, ] <- em$logpi
  logrho[lj, ] <- em$logrho
  st$par$logpi[g, ] <- logpi[1L, ]
  st$par$logrho[rj, ] <- logrho[lj, ]
  list(lr = em$lr, iter = em$iter, set_of = st$set_of, par = st$par, onestep = onestep)
}

# EM over one group's class sizes `logpi` (K) and one item's probabilities
# `logrho` (C x K), every other item's part of the patterns' log-likelihood
# per class held in `l0` (patterns x K); `yj` the item's codes (NA or 0:
# missing), `n` the counts. Starts at the given values and stops when a
# step gains less than ctl$tol. Returns the parameters, `lr` (twice the
# gain over the start) and `iter`.
local_em <- function(l0, yj, n, logpi, logrho, ctl) {
  P <- nrow(l0)
  C <- nrow(logrho)
  ok <- !is.na(yj) & yj >= 1L & yj <= C  # missing: NA or 0
  ll0 <- ll <- -Inf
  for (it in seq_len(ctl$maxiter)) {
    lk <- l0 + rep(logpi, each = P)
    lk[ok, ] <- lk[ok, ] + logrho[yj[ok], , drop = FALSE]
    m <- lk[cbind(seq_len(P), max.col(lk, ties.method = "first"))]
    ex <- exp(lk - m)
    tot <- rowSums(ex)
    old <- ll
    ll <- sum(n * (m + log(tot)))
    if (it == 1L) ll0 <- ll else if (ll - old < ctl$tol) break
    w <- n * ex / tot
    cw <- colSums(w)
    logpi <- log(cw / sum(cw))
    e <- matrix(0, C, ncol(w))
    for (c in seq_len(C)) e[c, ] <- colSums(w[ok & yj == c, , drop = FALSE])
    et <- colSums(e)
    keep <- et > 0
    logrho[, keep] <- log(e[, keep, drop = FALSE]) - rep(log(et[keep]), each = C)
  }
  list(logpi = logpi, logrho = logrho, lr = 2 * (ll - ll0), iter = it)
}

# The settings of the search's refits. The search reports likelihood-ratio
# statistics, not parameters, so a refit stops when the log-likelihood it
# could still gain is below 1e-7 (the LR is then within 2e-7 of its
# maximum, far below any threshold a test uses), whatever the distance of
# the small groups' freed probabilities to their maximum.
search_control <- function(control) {
  control$tol <- min(control$tol, 1e-7)
  control$tol_par <- 1
  control
}

# The parameter-set map with item j free in group g: a set of its own, the
# next unused set number of item j.
free_pair <- function(set_of, j, g) {
  set_of[j, g] <- max(set_of[j, ]) + 1L
  set_of
}

# Scores of freeing each (item, group) pair, from the expected counts of the
# E-step at the current maximum `cur` (one C++ pass, groups.h): `gain`
# (items x groups) twice group g's gain of the expected complete-data
# log-likelihood when item j's probabilities in group g alone take their
# M-step values (a lower bound on the pair's likelihood-ratio statistic, by
# the EM inequality); `own` the pairs already free (the group alone uses its
# set; scored 0); `start(j, g)` the set map with the pair free and the
# parameters after that EM step, where its refit starts.
pair_scores <- function(pt, cur) {
  G <- length(pt$group_levels)
  J <- length(pt$items)
  set_of <- cur$par$set_of
  e <- cpp_lca_expected_counts(pt$y, pt$ncat, pt$n, pt$group, G, cur$posterior)
  off <- c(0L, cumsum(G * pt$ncat))
  blocks <- param_blocks(pt$ncat, set_of)
  block_rows <- function(j, s) {
    blocks$start[blocks$item == j & blocks$set == s] + seq_len(pt$ncat[j])
  }
  step <- function(j, g) {
    ej <- e[off[j] + (g - 1L) * pt$ncat[j] + seq_len(pt$ncat[j]), , drop = FALSE]
    rho <- cur$par$logrho[block_rows(j, set_of[j, g]), , drop = FALSE]
    tot <- colSums(ej)
    lp <- log(ej) - rep(log(tot), each = nrow(ej))
    lp[, !(tot > 0)] <- rho[, !(tot > 0)]
    list(e = ej, lp = lp, rho = rho)
  }
  own <- t(apply(set_of, 1L, function(s) s > 0L & tabulate(s + 1L, max(s) + 1L)[s + 1L] == 1L))
  if (G == 1L) own <- t(own)
  gain <- matrix(0, J, G, dimnames = list(pt$items, pt$group_levels))
  for (j in seq_len(J)) {
    for (g in seq_len(G)[!own[j, ]]) {
      s <- step(j, g)
      gain[j, g] <- 2 * sum(ifelse(s$e > 0, s$e * (s$lp - s$rho), 0))
    }
  }
  start <- function(j, g) {
    new <- free_pair(set_of, j, g)
    nb <- param_blocks(pt$ncat, new)
    rows <- lapply(seq_len(nrow(nb)), function(b) {
      i <- nb$item[b]
      if (i == j && nb$set[b] == new[j, g]) return(step(j, g)$lp)
      cur$par$logrho[block_rows(i, nb$set[b]), , drop = FALSE]
    })
    list(set_of = new, par = list(logpi = unname(cur$par$logpi), logrho = unname(do.call(rbind, rows))))
  }
  list(gain = gain, own = own, start = start)
}

#' @export
print.cscdemand_invariance <- function(x, ...) {
  tb <- x$table
  cat("Measurement invariance across ", group_noun(x$group, length(x$groups)), "\n", sep = "")
  out <- data.frame(K = tb$k, model = tb$model, LL = fmt_num(tb$loglik, 2), npar = tb$npar,
                    AIC = fmt_num(tb$AIC, 1), BIC = fmt_num(tb$BIC, 1),
                    LR = ifelse(is.na(tb$LR), "", fmt_num(tb$LR, 2)),
                    df = ifelse(is.na(tb$df), "", tb$df),
                    p = ifelse(is.na(tb$p_value), "", format_p(tb$p_value)))
  print(out, row.names = FALSE)
  if (length(x$pooled)) {
    cat(sprintf("%s pooled as \"%s\" (too few episodes for a model of their own)\n",
                group_noun(x$group, length(x$pooled)), utils::tail(x$groups, 1)))
  }
  best <- tb[which.min(tb$BIC), ]
  cat(sprintf("Lowest BIC: %s model with K = %d\n", best$model, best$k))
  if (!is.null(x$search)) print_search(x)
  invisible(x)
}

# The item search's steps: the pairs freed, then the first that was not.
print_search <- function(x) {
  st <- x$search
  cat("\nItems that differ between ", group_noun(x$group, 2, count = FALSE),
      " (partial invariance, one group and item freed at a time, Holm's thresholds):\n", sep = "")
  if (!any(st$freed)) cat("None: the invariant model holds for every item.\n")
  print(data.frame(step = st$step, group = st$group, item = st$item, LR = round(st$LR, 2),
                   df = st$df, p = format_p(st$p_value), threshold = signif(st$threshold, 3),
                   freed = ifelse(st$freed, "yes", "no"), check.names = FALSE),
        row.names = FALSE)
  invisible(x)
}

#' @rdname lca_invariance
#' @param x An object from `lca_invariance()`.
#' @export
plot.cscdemand_invariance <- function(x, ...) {
  tb <- x$table
  long <- rbind(data.frame(k = tb$k, model = tb$model, criterion = "AIC", value = tb$AIC),
                data.frame(k = tb$k, model = tb$model, criterion = "BIC", value = tb$BIC))
  ggplot2::ggplot(long, ggplot2::aes(x = .data$k, y = .data$value, colour = .data$model)) +
    ggplot2::geom_line() +
    ggplot2::geom_point() +
    ggplot2::facet_wrap(~criterion, scales = "free_y") +
    ggplot2::scale_x_continuous(breaks = unique(tb$k)) +
    ggplot2::labs(x = "Number of classes (K)", y = "Information criterion (lower is better)",
                  colour = NULL) +
    ggplot2::theme_minimal()
}

# Warns when an item takes a single value within a group: its probabilities
# cannot be estimated separately for that group (configural or partial).
warn_constant_in_group <- function(pt) {
  bad <- character()
  for (g in seq_along(pt$group_levels)) {
    sel <- pt$group == g
    for (j in seq_along(pt$items)) {
      v <- pt$y[sel, j]
      v <- unique(v[!is.na(v) & pt$n[sel][!is.na(v)] > 0])
      if (length(v) < 2L) bad <- c(bad, paste0(pt$items[j], " in ", pt$group_levels[g]))
    }
  }
  if (length(bad)) {
    warn_cscdemand(c("Some items take one value only within a group: {.val {bad}}.",
                     i = "Their group-specific probabilities sit at 0 or 1 in the configural model; consider merging small groups or dropping the item."),
                   class = "cscdemand_warning_group_item")
  }
  invisible(bad)
}

# The groups of an invariance model in words: "three councils", "two reporting
# years", or "four groups of <column>" for a column without a known name.
group_noun <- function(group, n, count = TRUE) {
  nouns <- c(la = "council", council = "council", la_code = "council", la_name = "council",
             la_number = "council", region = "region", year = "reporting year",
             gender = "gender", age_group = "age group", ethnic_group = "ethnic group",
             ethnicity = "ethnicity")
  noun <- nouns[tolower(group)]
  if (is.na(noun)) {
    return(if (count) paste0(count_words(n), " groups of ", group) else paste0("groups of ", group))
  }
  plural <- if (n == 1) noun else if (grepl("y$", noun)) sub("y$", "ies", noun) else paste0(noun, "s")
  if (count) paste(count_words(n), plural) else plural
}
