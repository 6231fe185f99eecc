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

# Squared distance between class profiles (rows of a and b).
class_distance <- function(a, b) {
  outer(seq_len(nrow(a)), seq_len(nrow(b)),
        Vectorize(function(i, j) sum((a[i, ] - b[j, ])^2)))
}

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

# A light fit on new counts for the patterns of `pt`: log-likelihood and
# log-parameters only (used inside resampling loops).
refit_counts <- function(pt, n, k, starts, seed, threads, control, set_of, init = list()) {
  cpp_lca_fit(pt$y, pt$ncat, n, pt$group, length(pt$group_levels), k, set_of, starts, seed,
              core_control(control, starts), init, threads, FALSE)
}

init_from_fit <- function(fit) list(list(logpi = fit$par$logpi, logrho = fit$par$logrho))

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
#' @param starts Random starts per replicate, besides the full-sample solution.
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
lca_bootstrap <- function(fit, reps = 200, starts = 2, level = 0.95, recovery = 0.95,
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
  if (verbose) cli::cli_progress_bar("Bootstrap", total = reps, clear = TRUE)
  for (r in seq_len(reps)) {
    res <- refit_counts(pt, as.numeric(counts[, r]), fit$k, starts + 1L, stream_seed(seed, r), threads,
                        fit$control, fit$par$set_of, init_from_fit(fit))
    if (res$best < 1L) {
      status[r] <- "failed"
    } else {
      rb <- boot_probs(fit, res)
      cost <- class_distance(rb$probs, ref)
      assign <- as.integer(clue::solve_LSAP(cost))
      perm <- order(assign)
      draws[r, ] <- c(rb$size[perm], as.vector(rb$probs[perm, , drop = FALSE]))
      cong[r, ] <- congruence(rb$probs[perm, , drop = FALSE], ref)
      ll[r] <- res$loglik
    }
    if (verbose) cli::cli_progress_update()
  }
  if (verbose) cli::cli_progress_done()
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

# Class sizes and stacked item probabilities (K x sum C) of a light refit.
boot_probs <- function(fit, res) {
  pt <- fit$patterns
  G <- length(pt$group_levels)
  gN <- as.numeric(tapply(pt$n, factor(pt$group, levels = seq_len(G)), sum))
  size <- colSums(exp(res$logpi) * gN) / sum(gN)
  blocks <- param_blocks(pt$ncat, fit$par$set_of)
  rows <- unlist(lapply(seq_along(pt$items), function(j) {
    b <- blocks[blocks$item == j & blocks$set == 0L, ]
    b$start + seq_len(pt$ncat[j])
  }))
  list(size = size, probs = t(exp(res$logrho[rows, , drop = FALSE])))
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

#' Bootstrap likelihood ratio test of K-1 against K classes
#'
#' The parametric bootstrap likelihood ratio test (BLRT) of Nylund, Asparouhov
#' and Muthen (2007): for each K, data sets are simulated from the fitted
#' (K-1)-class model, both models are refitted to each, and the observed
#' likelihood-ratio statistic is compared with the bootstrap distribution.
#' Each replicate's (K-1)-class model starts from the fitted (K-1)-class
#' solution; the K-class model from the fitted K-class solution and `starts`
#' random starts. Replicates are reproducible by `seed`, for any thread count.
#'
#' @param data A data frame, an `lca_patterns` table, or a model from [lca()]
#'   (its pattern table is used).
#' @param k The numbers of classes K to test against K-1 (each at least 2).
#' @param reps Bootstrap replicates per K.
#' @param starts Random starts for the K-class model in each replicate.
#' @param fit_starts Random starts for the models fitted to the data.
#' @inheritParams lca
#' @return An object of class `cscdemand_lca_blrt`: a data frame-like list
#'   with `table` (K, log-likelihoods, LR statistic, bootstrap p-value,
#'   replicates used) and `lr` (the bootstrap statistics per K).
#' @family validation
#' @export
#' @examples
#' d <- simulate_lca(n = 1000, seed = 1)
#' lca_blrt(d, k = 2:4, reps = 19, seed = 1)
lca_blrt <- function(data, k = 2:10, reps = 100, starts = 4, fit_starts = 20, items = NULL,
                     seed = NULL, threads = NULL, control = lca_control(), verbose = TRUE) {
  check_counts(k, min = 2)
  reps <- check_reps(reps)
  seed <- resolve_seed(seed)
  threads <- resolve_threads(threads)
  pt <- if (inherits(data, "cscdemand_lca")) data$patterns else lca_patterns_for_fit(data, items, NULL, verbose = verbose)
  if (length(pt$group_levels) > 1L) {
    abort_input("{.fn lca_blrt} works on single-group models; fit without {.arg group}.")
  }
  k <- sort(unique(as.integer(k)))
  ks <- sort(unique(c(k - 1L, k)))
  fits <- lapply(ks, function(kk) lca(pt, k = kk, starts = fit_starts, seed = seed,
                                      threads = threads, control = control, verbose = FALSE))
  names(fits) <- ks
  N <- round(sum(pt$n))
  miss <- anyNA(pt$y)
  rows <- list()
  lrs <- list()
  if (verbose) cli::cli_progress_bar("BLRT", total = length(k) * reps, clear = TRUE)
  for (kk in k) {
    f0 <- fits[[as.character(kk - 1L)]]
    f1 <- fits[[as.character(kk)]]
    lr_obs <- 2 * (f1$loglik - f0$loglik)
    lr <- rep(NA_real_, reps)
    for (r in seq_len(reps)) {
      sim <- with_local_seed(stream_seed(seed, kk, r, 0), {
        s <- simulate_from_probs(N, f0$class_size, f0$probs, f0$levels)
        s$.class <- NULL
        if (miss) {
          # the same missingness as the data: each simulated row takes the
          # missing-item mask of a randomly drawn observed row
          src <- sample.int(length(pt$n), N, replace = TRUE, prob = pt$n)
          for (j in seq_along(pt$items)) s[[j]][is.na(pt$y[src, j])] <- NA
        }
        s
      })
      spt <- build_patterns(sim, items = pt$items, coding = stats::setNames(pt$levels, pt$items))
      spt_f0 <- remap_init(f0, spt)
      spt_f1 <- remap_init(f1, spt)
      r0 <- refit_counts(spt, spt$n, kk - 1L, 1L, stream_seed(seed, kk, r, 1), threads, control,
                         set_map(length(pt$items), 1L), spt_f0)
      r1 <- refit_counts(spt, spt$n, kk, starts + 1L, stream_seed(seed, kk, r, 2), threads, control,
                         set_map(length(pt$items), 1L), spt_f1)
      if (r0$best >= 1L && r1$best >= 1L) lr[r] <- 2 * (r1$loglik - r0$loglik)
      if (verbose) cli::cli_progress_update()
    }
    used <- sum(!is.na(lr))
    rows[[length(rows) + 1L]] <- data.frame(
      k = kk, loglik_k = f1$loglik, loglik_k_minus_1 = f0$loglik, LR = lr_obs,
      p_value = (1 + sum(lr >= lr_obs, na.rm = TRUE)) / (1 + used), reps = used)
    lrs[[as.character(kk)]] <- lr
  }
  if (verbose) cli::cli_progress_done()
  structure(list(table = do.call(rbind, rows), lr = lrs, seed = seed, fits = fits),
            class = "cscdemand_lca_blrt")
}

# Starting values of a fitted model in the parameter layout of another
# pattern table with the same items (the layout depends only on the items).
remap_init <- function(fit, pt) list(list(logpi = fit$par$logpi[1, , drop = FALSE],
                                          logrho = fit$par$logrho))

#' @export
print.cscdemand_lca_blrt <- function(x, ...) {
  cat("Bootstrap likelihood ratio test (K-1 against K classes)\n")
  tb <- x$table
  out <- data.frame(K = tb$k, `LL (K)` = fmt_num(tb$loglik_k, 2),
                    `LL (K-1)` = fmt_num(tb$loglik_k_minus_1, 2), LR = fmt_num(tb$LR, 2),
                    p = format.pval(tb$p_value, digits = 3), reps = tb$reps, check.names = FALSE)
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
#' @inheritParams lca
#' @return An object of class `cscdemand_lca_cv` with `table` (per K: mean
#'   held-out log-likelihood per episode and its standard error over folds)
#'   and `folds` (per fold and K).
#' @family validation
#' @export
#' @examples
#' d <- simulate_lca(n = 2000, seed = 1)
#' cv <- lca_cv(d, k = 1:4, folds = 4, starts = 5, seed = 1, verbose = FALSE)
#' cv
lca_cv <- function(data, k = 1:10, folds = 5, method = c("kfold", "bootstrap"), group = NULL,
                   items = NULL, starts = 10, seed = NULL, threads = NULL,
                   control = lca_control(), verbose = TRUE) {
  method <- rlang::arg_match(method)
  check_counts(k)
  check_count(folds, min = 2)
  seed <- resolve_seed(seed)
  threads <- resolve_threads(threads)
  if (!is.null(group)) {
    if (!is.data.frame(data) || !group %in% names(data)) {
      abort_input("{.arg group} must name a column of {.arg data} (a data frame).")
    }
    gcol <- data[[group]]
    data <- data[setdiff(names(data), group)]
  }
  pt <- lca_patterns_for_fit(data, items, NULL, verbose = verbose)
  if (length(pt$group_levels) > 1L) abort_input("Use {.arg group} to hold out groups.")
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
  J <- length(pt$items)
  rows <- list()
  if (verbose) cli::cli_progress_bar("Cross-validation", total = length(fold_counts) * length(k),
                                     clear = TRUE)
  for (i in seq_along(fold_counts)) {
    fc <- fold_counts[[i]]
    if (method == "bootstrap") {
      train <- fc$train
      test <- fc$test
    } else {
      test <- fc
      train <- pt$n - fc
    }
    for (kk in sort(unique(as.integer(k)))) {
      res <- refit_counts(pt, as.numeric(train), kk, if (kk == 1L) 1L else starts, stream_seed(seed, kk, i),
                          threads, control, set_map(J, 1L))
      held <- NA_real_
      if (res$best >= 1L) {
        sc <- cpp_lca_posterior(pt$y, pt$ncat, pt$group, 1L, set_map(J, 1L), res$logpi,
                                res$logrho)
        held <- sum(test * sc$ll_pattern) / sum(test)
      }
      rows[[length(rows) + 1L]] <- data.frame(fold = i, k = kk, n_test = sum(test),
                                              heldout_ll = held)
      if (verbose) cli::cli_progress_update()
    }
  }
  if (verbose) cli::cli_progress_done()
  fr <- do.call(rbind, rows)
  tab <- do.call(rbind, lapply(split(fr, fr$k), function(x) {
    data.frame(k = x$k[1], heldout_ll = mean(x$heldout_ll, na.rm = TRUE),
               se = stats::sd(x$heldout_ll, na.rm = TRUE) / sqrt(sum(!is.na(x$heldout_ll))))
  }))
  rownames(tab) <- NULL
  structure(list(table = tab, folds = fr, method = method, seed = seed,
                 group = group), class = "cscdemand_lca_cv")
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
  if (!is.data.frame(data)) abort_input("{.arg data} must be a data frame.")
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
