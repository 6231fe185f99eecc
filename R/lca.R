#' Fit a latent class model
#'
#' Fits a K-class latent class model by maximum likelihood with the EM
#' algorithm, run in C++ on the table of unique response patterns. All random
#' starts run in one call, in parallel; each start draws from its own random
#' stream derived from `seed` and the start number, so the result is identical
#' for any number of threads.
#'
#' Random starts follow a two-stage scheme (as Mplus `STARTS`): every start is
#' run for `control$init_iter` iterations, then the best `control$final_starts`
#' of them are run to convergence. Half the starts are drawn at random
#' (Dirichlet item probabilities) and half are seeded from the data (k-means++
#' on the response patterns); see `lca_control(start_values = )`.
#'
#' By default (`starts = NULL`) the number of starts adapts: batches of
#' `control$batch` starts run until the best solution has been reached by
#' `control$min_best` starts (the same log-likelihood within
#' `control$same_ll`, and the same probabilities within `control$same_par`
#' after matching the classes), or `control$max_starts` starts have run. A
#' number, `starts = N`, runs exactly N starts. The fit keeps every start's
#' log-likelihood and reports how many starts reached the best solution
#' (replications); if only one did, it warns, because the maximum may be
#' local.
#'
#' Classes are returned largest first, so refits are comparable.
#'
#' @inheritParams lca_patterns
#' @param data A data frame with one row per episode, or an `lca_patterns`
#'   table from [lca_patterns()].
#' @param k Number of latent classes (a whole number, at least 1).
#' @param starts Number of random starts. `NULL` (default) adapts: batches of
#'   starts until the best solution is replicated (see Details).
#' @param seed Seed for the random starts. `NULL` draws one from R's random
#'   number generator (so `set.seed()` governs it); the seed used is stored in
#'   the fit.
#' @param threads Number of threads. `NULL` uses `getOption("cscdemand.threads")`,
#'   else at most 2.
#' @param control Fine settings from [lca_control()].
#' @param verbose Show progress and messages.
#' @param group Optional grouping column (councils or years) for a
#'   multi-group model: class sizes are estimated per group.
#' @param invariance With `group`: `"invariant"` (item-response probabilities
#'   shared by all groups; the default), `"configural"` (free in every group)
#'   or `"partial"` (free for the items named in `free`). The configural model
#'   shares no parameter between groups, so its maximum likelihood is the sum
#'   of the groups' own K-class maxima: it is fitted group by group (groups in
#'   parallel, `starts` starts per group plus one from the invariant model,
#'   each group's starts from its own random stream; with the adaptive
#'   default a group's starts also stop after a batch that does not improve
#'   its best, `lca_control(patience = 1)` unless set), and each group's classes
#'   are matched to the invariant model's by optimal assignment on their item
#'   probabilities. A class nearer another invariant class than half the
#'   distance between the two is not matched clearly: the fit's `alignment`
#'   table marks it (`matched = FALSE`) and a warning of class
#'   `cscdemand_warning_alignment` names its groups.
#' @param free Items whose probabilities differ between groups when
#'   `invariance = "partial"`.
#' @return An object of class `cscdemand_lca`, a list with components, in this
#'   order: `call`, `k`, `items`, `levels`, `class_size` (overall class
#'   proportions), `class_size_group` (per group), `probs` (one K x C matrix of
#'   item-response probabilities per item), `loglik`, `npar`, `nobs`,
#'   `fit` (one-row data frame of fit statistics), `posterior` (pattern by class),
#'   `patterns` (the [lca_patterns()] table), `starts` (one row per start),
#'   `converged`, `iterations`, `trace`, `seed`, `threads`, `control`, `par`
#'   (log-scale parameters used by `predict()`), `boundary` (item-response
#'   probabilities at 0 or 1), `n_best`, `n_finished`, `status`, `stopped`
#'   (what ended the starts: `"fixed"` for a set number, `"replicated"`,
#'   `"patience"` or `"max_starts"`; see [lca_control()]), then
#'   `invariance` and `free`; [name_classes()] adds `class_names`. A
#'   configural fit also has `groups` (per group: episodes, log-likelihood,
#'   starts, replications of the best, iterations, status) and `alignment`
#'   (per group and class: share, expected episodes, distance to the matched
#'   invariant class, largest probability difference, half the distance to
#'   the nearest other invariant class, `matched`); its `starts` table has a
#'   row per group and start, and its `n_best` and `n_finished` are the
#'   fewest of any group.
#' @seealso [lca_enumerate()] to compare numbers of classes; [lca_control()].
#' @family latent class models
#' @export
#' @examples
#' d <- simulate_lca(n = 2000, seed = 1)
#' fit <- lca(d, k = 3, seed = 42)
#' fit
#' summary(fit)
#' head(predict(fit, d))
lca <- function(data, k, items = NULL, weights = NULL, group = NULL,
                invariance = c("invariant", "configural", "partial"), free = NULL,
                starts = NULL, seed = NULL, threads = NULL, control = lca_control(),
                verbose = TRUE) {
  call <- match.call()
  invariance <- rlang::arg_match(invariance)
  check_count(k, min = 1)
  check_count(starts, min = 1, allow_null = TRUE)
  check_flag(verbose)
  if (!inherits(control, "lca_control")) {
    abort_input(c("{.arg control} must come from {.fn lca_control}.",
                  i = "For example {.code control = lca_control(maxiter = 10000)}."))
  }
  threads <- resolve_threads(threads)
  seed <- resolve_seed(seed)
  pt <- lca_patterns_for_fit(data, items, weights, group = group, verbose = verbose)
  fit <- lca_fit_pt(pt, as.integer(k), invariance, free, starts = starts, seed = seed,
                    threads = threads, control = control, verbose = verbose)
  fit$call <- call
  fit
}

# lca() on a checked pattern table. `reference`: the invariant fit the
# configural model's classes are matched to (NULL: fitted here).
lca_fit_pt <- function(pt, k, invariance, free, starts, seed, threads, control, verbose,
                       reference = NULL, call = rlang::caller_env()) {
  set_of <- invariance_map(pt, invariance, free, call = call)
  fit <- if (invariance == "configural") {
    fit_configural(pt, k = k, starts = starts, seed = seed, threads = threads,
                   control = control, verbose = verbose, reference = reference, call = call)
  } else {
    fit_lca_patterns(pt, k = k, starts = starts, seed = seed, threads = threads,
                     control = control, verbose = verbose, set_of = set_of, call = call)
  }
  fit$invariance <- if (length(pt$group_levels) > 1L) invariance else "single group"
  fit$free <- if (invariance == "partial") free else if (invariance == "configural") pt$items else character()
  fit
}

# Which items have group-specific probabilities (J x G parameter-set map).
invariance_map <- function(pt, invariance, free, call = rlang::caller_env()) {
  J <- length(pt$items)
  G <- length(pt$group_levels)
  if (invariance != "invariant" && is.null(pt$group_var)) {
    abort_input(c("{.code invariance = \"{invariance}\"} needs groups.",
                  i = "Name the grouping column with {.arg group}, e.g. {.code group = \"la\"}."),
                call = call)
  }
  if (invariance == "partial") {
    if (is.null(free) || !is.character(free) || !all(free %in% pt$items)) {
      abort_input(c("{.arg free} must name the items whose probabilities differ between groups.",
                    x = "Not items: {.val {setdiff(free, pt$items)}}.",
                    i = "Items: {.field {pt$items}}."), call = call)
    }
    return(set_map(J, G, match(free, pt$items)))
  }
  if (invariance == "configural") return(set_map(J, G, seq_len(J)))
  set_map(J, G)
}

#' Fine settings for latent class models
#'
#' @param maxiter Maximum EM iterations for a start run to convergence.
#' @param tol,tol_par Convergence. Every EM cycle starts with two plain EM
#'   steps; from them the rate at which EM closes in on the maximum is
#'   estimated, and with it the log-likelihood still to be gained and the
#'   distance (largest change of any probability) to the maximum. A start has
#'   converged when the gain left is below `tol` (absolute, in log-likelihood
#'   units, whatever the size of the data) and the distance is below
#'   `tol_par`. Gains below the rounding level of the log-likelihood count as
#'   zero.
#' @param init_iter Iterations of the first stage, run for every random start
#'   (default 50, SQUAREM-accelerated: long enough for the stage-one
#'   log-likelihood to predict which starts reach the best solution).
#'   0 runs every start to convergence.
#' @param final_starts Number of best first-stage starts run to convergence.
#'   `NULL` (default) uses `max(4, ceiling(starts / 4))`.
#' @param same_ll,same_par Two starts reached the same solution when their
#'   log-likelihoods differ by less than `same_ll` (absolute) and, after
#'   matching their classes, every probability differs by less than
#'   `same_par`. The default `same_ll = 1e-3` (a likelihood-ratio difference
#'   of 0.002, far below anything a test or information criterion can see)
#'   allows for how closely EM reaches a flat maximum: starts that converged
#'   to the same probabilities can end some 1e-5 apart in log-likelihood, and
#'   a tighter `same_ll` would count one solution found four times as four
#'   different ones (and warn that the best was not replicated). Different
#'   solutions within `same_ll` are still told apart by `same_par`.
#' @param start_values How random starts are drawn: `"mixed"` (default;
#'   Dirichlet and data-seeded starts in turn), `"random"` (item
#'   probabilities from Dirichlet(1, ..., 1)) or `"seeded"` (k-means++ on the
#'   response patterns: seed patterns far apart, every pattern given to its
#'   nearest seed, one M-step).
#' @param batch,max_starts,min_best The adaptive default (`starts = NULL`):
#'   starts run in batches of `batch` until `min_best` starts reach the best
#'   solution or `max_starts` starts have run.
#' @param patience Adaptive starts also stop after `patience` batches in a
#'   row that did not raise the best log-likelihood (by more than
#'   `same_ll`), even though the best is not yet replicated. `NULL`
#'   (default): never in [lca()] (the 200-start cap applies), 1 in
#'   [lca_enumerate()], where models above the number of classes the data
#'   support rarely replicate their best and would otherwise run to the cap,
#'   and 1 for each group's fit of a configural model (whose first start is
#'   the invariant solution; small groups seldom replicate a K-class best).
#'   The fit's `stopped` says which rule ended the starts, and the warning
#'   about an unreplicated best says when patience did.
#' @param screen_tol,screen_margin Screening of the starts run to
#'   convergence (relative to the size of the log-likelihood, so the same
#'   setting suits 3,000 or 3 million episodes). With `screen_tol` > 0 each
#'   such start first runs until one EM step raises the log-likelihood by
#'   less than `screen_tol` times its absolute value; only the starts then
#'   within `screen_margin` times its absolute value of the best screened
#'   log-likelihood so far (of this batch or an earlier one) run on to
#'   convergence (`tol`, `tol_par`, within `maxiter` iterations in all); the
#'   others stop there (status `"screened"` in the fit's `starts` table, with
#'   their log-likelihood in column `loglik_screen`; they do not count as run
#'   to convergence). Starts heading for the same maximum screen close
#'   together and all run on, so replications are counted as before; starts
#'   of a model with more classes than the data support crawl along a flat
#'   likelihood for thousands of iterations, and screening runs only the
#'   promising ones on. `NULL` (default): 0 (off) in [lca()], `1e-9` in
#'   [lca_enumerate()]. The best start always runs on to convergence; if it
#'   reaches `maxiter` first, the fit says so (`converged`, a warning, and a
#'   mark in the enumeration's table).
#' @param empty_class A class smaller than this fraction of the data is empty
#'   (the start is recorded as degenerate and not used if any other start works).
#' @param boundary Item-response probabilities within this distance of 0 or 1
#'   are flagged as boundary estimates.
#' @return An object of class `lca_control`.
#' @family latent class models
#' @export
#' @examples
#' lca_control(maxiter = 10000, init_iter = 0)
lca_control <- function(maxiter = 5000, tol = 1e-9, tol_par = 1e-7, init_iter = 50,
                        final_starts = NULL, same_ll = 1e-3, same_par = 1e-3,
                        empty_class = 1e-8, boundary = 1e-6,
                        start_values = c("mixed", "random", "seeded"), batch = 20,
                        max_starts = 200, min_best = 3, patience = NULL, screen_tol = NULL,
                        screen_margin = 1e-7) {
  start_values <- rlang::arg_match(start_values)
  check_count(batch, min = 1)
  check_count(max_starts, min = 1)
  check_count(min_best, min = 1)
  check_count(patience, min = 0, allow_null = TRUE)
  if (!is.null(screen_tol)) check_number(screen_tol, min = 0)
  check_number(screen_margin, min = 0)
  check_number(same_par, min = 0)
  check_count(maxiter, min = 1)
  check_number(tol, min = 0)
  check_number(tol_par, min = 0)
  check_count(init_iter, min = 0)
  check_count(final_starts, min = 1, allow_null = TRUE)
  check_number(same_ll, min = 0)
  check_number(empty_class, min = 0, max = 1)
  check_number(boundary, min = 0, max = 0.5)
  structure(list(maxiter = as.integer(maxiter), tol = tol, tol_par = tol_par, init_iter = as.integer(init_iter),
                 final_starts = final_starts, same_ll = same_ll, same_par = same_par,
                 empty_class = empty_class, boundary = boundary, start_values = start_values,
                 batch = as.integer(batch), max_starts = as.integer(max_starts),
                 min_best = as.integer(min_best),
                 patience = if (!is.null(patience)) as.integer(patience),
                 screen_tol = screen_tol, screen_margin = screen_margin),
            class = "lca_control")
}

lca_patterns_for_fit <- function(data, items, weights, group = NULL, verbose = FALSE,
                                 call = rlang::caller_env()) {
  if (inherits(data, "lca_patterns")) {
    if (!is.null(group) && !identical(group, data$group_var)) {
      abort_input(c("The pattern table was built without grouping column {.field {group}}.",
                    i = "Rebuild it with {.code lca_patterns(data, group = \"{group}\")}."),
                  call = call)
    }
    if (!is.null(items) && !setequal(items, data$items)) {
      abort_input(c("{.arg items} does not match the items of the pattern table.",
                    i = "The table has {.field {data$items}}."), call = call)
    }
    return(data)
  }
  build_patterns(data, items = items, weights = weights, group = group, verbose = verbose,
                 call = call)
}

# The configural model (R/lca-groups.R): one K-class fit per group, the
# classes of each group matched to `reference` (by default the invariant
# model with the same starts and seed, whose warnings about starts are not
# the configural model's), assembled as one fit in the reference's class
# order. Its starts table has one row per group and start (column `group`);
# `n_best` and `n_finished` are the fewest over groups.
fit_configural <- function(pt, k, starts, seed, threads, control, verbose, reference = NULL,
                           call = rlang::caller_env()) {
  J <- length(pt$items)
  G <- length(pt$group_levels)
  if (is.null(reference)) {
    reference <- withCallingHandlers(
      fit_lca_patterns(pt, k = k, starts = starts, seed = seed, threads = threads,
                       control = control, verbose = verbose, set_of = set_map(J, G), call = call),
      cscdemand_warning_starts = function(w) invokeRestart("muffleWarning"))
  }
  set_of <- set_map(J, G, seq_len(J))
  adaptive <- is.null(starts) && k > 1L
  n_starts <- if (k == 1L) 1L else as.integer(starts %||% control$batch %||% 20L)
  ctl <- core_control(control, n_starts, adaptive)
  ctl$empty_class <- 0  # a class may be empty in one group (as in the joint model)
  # each group's adaptive starts (the first is the invariant solution) stop
  # after a batch that does not improve the group's best, unless set
  if (is.null(control$patience)) ctl$patience <- 1L
  res <- fit_lca_groups(pt, k, reference$par, set_of, n_starts, seed, threads, ctl)
  fit <- new_lca_fit(pt, res, k = k, set_of = set_of, starts = length(res$final_ll), seed = seed,
                     threads = threads, control = control, two_stage = ctl$final_starts > 0L,
                     verbose = verbose, reorder = FALSE, call = call)
  fit$starts <- cbind(group = pt$group_levels[res$start_group], fit$starts,
                      stringsAsFactors = FALSE)
  fit$n_best <- min(res$groups$n_best[res$groups$n > 0])
  fit$n_finished <- min(res$groups$n_finished[res$groups$n > 0])
  fit$fit <- fit_statistics(fit)
  fit$groups <- res$groups
  fit$alignment <- res$alignment
  warn_configural(fit, k)
  fit
}

# Warnings of a configural fit: groups whose best solution was reached by
# one start only of three or more run to convergence (lca_invariance()'s
# default runs two per group, the invariant solution and the best random
# start, and does not ask for replication), and classes matched to the
# reference only by elimination.
warn_configural <- function(fit, k) {
  gr <- fit$groups
  once <- gr$group[gr$n > 0 & gr$n_best < 2L & gr$n_finished > 2L]
  if (k > 1L && length(once)) {
    warn_cscdemand(c("In {length(once)} group{?s} ({.val {utils::head(once, 5)}}{if (length(once) > 5) ', ...' else ''}) the best log-likelihood was reached by only one start.",
                     i = "Those groups' maxima may be local. Refit with more starts, e.g. {.code starts = 50}."),
                   class = "cscdemand_warning_starts")
  }
  al <- fit$alignment
  weak <- al[!al$matched, , drop = FALSE]
  if (nrow(weak)) {
    grp <- unique(weak$group)
    warn_cscdemand(c("{nrow(weak)} class{?es} in {length(grp)} group{?s} ({.val {utils::head(grp, 5)}}{if (length(grp) > 5) ', ...' else ''}) could not be matched clearly to the invariant model's classes.",
                     i = "Their item probabilities are nearer another class (or as near); see {.code fit$alignment} (column {.field matched}). Small groups identify a configural model weakly: consider merging them."),
                   class = "cscdemand_warning_alignment")
  }
  invisible(fit)
}

# Parameter-set map (J x G, 0-based): which item-probability set each item
# uses in each group. Single-group and invariant models share set 0.
set_map <- function(J, G, free_items = integer()) {
  m <- matrix(0L, J, G)
  if (length(free_items)) m[free_items, ] <- rep(seq_len(G) - 1L, each = length(free_items))
  m
}

fit_lca_patterns <- function(pt, k, starts, seed, threads, control, verbose,
                             set_of = NULL, init = list(), trace = TRUE,
                             call = rlang::caller_env()) {
  P <- length(pt$n)
  G <- length(pt$group_levels)
  J <- length(pt$items)
  if (k > P) {
    abort_input(c("{k} classes cannot be fitted to {P} unique response pattern{?s}.",
                  i = "Use {.code k <= {P}}, or more items."), class = "cscdemand_error_k",
                call = call)
  }
  if (is.null(set_of)) set_of <- set_map(J, G)
  adaptive <- is.null(starts) && k > 1L
  starts <- if (k == 1L) 1L else as.integer(starts %||% control$batch %||% 20L)
  ctl <- core_control(control, starts, adaptive)
  ctl$keep_trace <- trace  # FALSE: the best start is not run again to record its trace
  ctl$screen_tol <- control$screen_tol %||% 0
  ctl$screen_margin <- control$screen_margin %||% 1e-7
  two_stage <- ctl$final_starts > 0L
  res <- cpp_lca_fit(pt$y, pt$ncat, pt$n, pt$group, G, k, set_of, starts, seed, ctl, init,
                     threads, verbose && interactive())
  res$adaptive <- adaptive
  starts <- length(res$final_ll)
  if (res$best < 1L) {
    cli::cli_abort(c("Every one of the {starts} random start{?s} failed.",
                     i = "Try fewer classes, or check the items for near-empty categories."),
                   class = c("cscdemand_error_fit", "cscdemand_error"), call = call)
  }
  new_lca_fit(pt, res, k = k, set_of = set_of, starts = starts, seed = seed, threads = threads,
              control = control, two_stage = two_stage, verbose = verbose, call = call)
}

# The settings the C++ core reads, with the two-stage scheme resolved.
# `starts` is the number of starts, or the batch size when `adaptive`.
core_control <- function(control, starts, adaptive = FALSE) {
  final <- control$final_starts %||% max(4L, ceiling(starts / 4))
  two_stage <- control$init_iter > 0 && final < starts
  list(maxiter = control$maxiter, tol = control$tol, tol_par = control$tol_par %||% 1e-7,
       init_iter = if (two_stage) control$init_iter else 0L,
       final_starts = if (two_stage) as.integer(final) else 0L,
       empty_class = control$empty_class,
       start_type = match(control$start_values %||% "mixed", c("random", "seeded", "mixed")) - 1L,
       adaptive = adaptive, batch = as.integer(starts),
       max_starts = as.integer(control$max_starts %||% 200L),
       min_best = as.integer(control$min_best %||% 3L),
       patience = as.integer(control$patience %||% 0L),
       same_ll = control$same_ll, same_par = control$same_par %||% 1e-3)
}

new_lca_fit <- function(pt, res, k, set_of, starts, seed, threads, control, two_stage, verbose,
                        reorder = TRUE, call = rlang::caller_env()) {
  res$final_ll[is.nan(res$final_ll)] <- NA_real_
  res$stage1_ll[is.nan(res$stage1_ll)] <- NA_real_
  G <- length(pt$group_levels)
  J <- length(pt$items)
  N <- sum(pt$n)
  gN <- as.numeric(tapply(pt$n, factor(pt$group, levels = seq_len(G)), sum))
  gN[is.na(gN)] <- 0
  # Canonical order: largest class first (overall size), unless the caller
  # keeps its order (the configural model keeps the reference's).
  pi_g <- exp(res$logpi)
  size <- colSums(pi_g * gN) / N
  ord <- if (reorder) order(-size, seq_len(k)) else seq_len(k)
  logpi <- res$logpi[, ord, drop = FALSE]
  logrho <- res$logrho[, ord, drop = FALSE]
  post <- res$posterior[, ord, drop = FALSE]
  size <- size[ord]
  classes <- paste("Class", seq_len(k))
  names(size) <- classes
  colnames(logpi) <- colnames(logrho) <- colnames(post) <- classes
  rownames(logpi) <- pt$group_levels

  blocks <- param_blocks(pt$ncat, set_of)
  probs_all <- lapply(seq_len(max(set_of) + 1L), function(s) {
    out <- lapply(seq_len(J), function(j) {
      b <- blocks[blocks$item == j & blocks$set == s - 1L, ]
      if (nrow(b) == 0L) b <- blocks[blocks$item == j & blocks$set == 0L, ]
      rows <- b$start + seq_len(pt$ncat[j])
      m <- t(exp(logrho[rows, , drop = FALSE]))
      dimnames(m) <- list(classes, pt$levels[[j]])
      m
    })
    names(out) <- pt$items
    out
  })
  probs <- probs_all[[1]]

  npar <- G * (k - 1L) + k * sum(vapply(seq_len(J), function(j) {
    (max(set_of[j, ]) + 1L) * (pt$ncat[j] - 1L)
  }, numeric(1)))

  # Start table.
  st <- data.frame(
    start = seq_len(starts),
    loglik_stage1 = if (two_stage) res$stage1_ll else NA_real_,
    iter_stage1 = if (two_stage) res$stage1_iter else NA_integer_,
    loglik_screen = if (length(res$screen_ll)) res$screen_ll else NA_real_,
    loglik = res$final_ll,
    iterations = ifelse(is.na(res$final_ll), NA_integer_, res$final_iter),
    status = status_labels[res$start_status + 1L],
    stringsAsFactors = FALSE
  )
  best_ll <- res$loglik
  finished <- st$status %in% c("converged", "maxiter", "empty class")
  st$best <- res$same == 1L
  n_best <- sum(st$best)
  n_finished <- sum(finished)
  converged <- status_labels[res$status + 1L] == "converged"

  bound <- boundary_table(probs, control$boundary)
  fit <- structure(list(
    call = NULL, k = k, items = pt$items, levels = pt$levels,
    class_size = size, class_size_group = exp(logpi),
    probs = probs, loglik = best_ll, npar = npar, nobs = N,
    fit = NULL, posterior = post, patterns = pt, starts = st,
    converged = converged, iterations = res$iter, trace = res$trace,
    seed = seed, threads = threads, control = control,
    par = list(logpi = logpi, logrho = logrho, set_of = set_of, probs_group = probs_all,
               ll_pattern = res$ll_pattern),
    boundary = bound, n_best = n_best, n_finished = n_finished,
    status = status_labels[res$status + 1L]
  ), class = "cscdemand_lca")
  fit$fit <- fit_statistics(fit)
  if (!converged) {
    warn_cscdemand(c("The best start did not converge in {control$maxiter} EM iterations.",
                     i = "Raise {.code control = lca_control(maxiter = )} or loosen {.arg tol}."),
                   class = "cscdemand_warning_convergence")
  }
  stopped <- if (!isTRUE(res$adaptive)) "fixed" else if (isTRUE(res$stalled)) "patience"
    else if (n_best >= (control$min_best %||% 3L)) "replicated" else "max_starts"
  fit$stopped <- stopped
  if (k > 1L && n_best < 2L && n_finished > 1L && stopped == "patience") {
    warn_cscdemand(c("The best log-likelihood ({fmt_num(best_ll, 3)}) was reached by only 1 of {n_finished} starts run to convergence; the starts stopped after {starts} because the best did not improve over {patience_text(control)} ({.code lca_control(patience = )}).",
                     i = "It may be a local maximum, as is common above the number of classes the data support. For a firmer answer refit with {.code lca_control(patience = 0)} or more starts."),
                   class = "cscdemand_warning_starts")
  } else if (k > 1L && n_best < 2L && n_finished > 1L) {
    warn_cscdemand(c("The best log-likelihood ({fmt_num(best_ll, 3)}) was reached by only 1 of {n_finished} starts run to convergence.",
                     i = "It may be a local maximum. Refit with more starts, e.g. {.code starts = {max(100, 5 * starts)}}, or a larger {.code lca_control(final_starts = )}."),
                   class = "cscdemand_warning_starts")
  }
  if (npar > G * (prod(pt$ncat) - 1)) {
    warn_cscdemand(c("The model has {npar} parameters but the data have only {G * (prod(pt$ncat) - 1)} free cell probabilities: it is not identified.",
                     i = "Use fewer classes or more items."), class = "cscdemand_warning_identification")
  }
  fit
}

# "the last batch of 20" / "the last 2 batches of 20" (the patience rule).
patience_text <- function(control) {
  p <- control$patience %||% 1L
  paste(if (p == 1L) "the last batch" else paste("the last", p, "batches"), "of", control$batch)
}

# Layout of the C++ parameter table: one block per (item, set), items in order.
param_blocks <- function(ncat, set_of) {
  J <- length(ncat)
  out <- list()
  start <- 0L
  for (j in seq_len(J)) {
    for (s in seq_len(max(set_of[j, ]) + 1L) - 1L) {
      out[[length(out) + 1L]] <- data.frame(item = j, set = s, start = start)
      start <- start + ncat[j]
    }
  }
  do.call(rbind, out)
}

boundary_table <- function(probs, eps) {
  rows <- lapply(names(probs), function(it) {
    m <- probs[[it]]
    idx <- which(m < eps | m > 1 - eps, arr.ind = TRUE)
    if (!length(idx)) return(NULL)
    data.frame(item = it, class = rownames(m)[idx[, 1]], category = colnames(m)[idx[, 2]],
               estimate = m[idx], stringsAsFactors = FALSE)
  })
  out <- do.call(rbind, rows)
  if (is.null(out)) {
    out <- data.frame(item = character(), class = character(), category = character(),
                      estimate = numeric(), stringsAsFactors = FALSE)
  }
  out
}

