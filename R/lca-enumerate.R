#' Fit latent class models over a range of numbers of classes
#'
#' Fits [lca()] for each number of classes in `k` on one pattern table (built
#' once) and collects the fit statistics into a table: log-likelihood,
#' parameters, AIC, BIC, sample-size adjusted BIC, CAIC, relative entropy,
#' smallest class and start replication. `print()` shows the table, `plot()`
#' the elbow plot of the information criteria.
#'
#' With the adaptive starts (`starts = NULL`), each K stops adding batches
#' of starts when its best solution is replicated, or after a batch that did
#' not improve the best (`lca_control(patience = 1)`, unless `control` sets
#' it), or at `max_starts`. Models above the number of classes the data
#' support have many maxima of nearly equal height and seldom replicate their
#' best, so without the patience rule they would run to the 200-start cap.
#' Such a model's warning (collected in one warning at the end) says the
#' starts stopped for patience; its `stopped` component is `"patience"`.
#'
#' The starts run to convergence are screened (`lca_control(screen_tol =
#' 1e-9)` unless `control` sets it): each runs until one EM step gains less
#' than a billionth of the log-likelihood, and only those then near the best
#' run on to full convergence. Above the number of classes the data support
#' the likelihood is flat (redundant classes) and EM crawls: at 2.9 million
#' episodes a 13-class start on 12-class data ran to the 5,000-iteration cap.
#' Screening stops most such starts early. A fit whose best start reached
#' `maxiter` before converging is marked in the table (column `converged`)
#' and by `print()`, and named in the warning. For a bound on the time, set
#' `lca_control(maxiter = )`: the fits above the supported K then stop
#' there, marked as not converged (their log-likelihoods are lower bounds
#' of their maxima, which is what the information criteria of a model
#' already rejected need).
#'
#' `stop_past` (off by default) stops the enumeration once that many K in a
#' row have had a BIC above the lowest so far: the models beyond are the
#' costliest and, by BIC, not wanted. The table then ends there, and
#' `stopped_at` says where.
#'
#' @inheritParams lca
#' @param k Numbers of classes to fit (default 1 to 10).
#' @param stop_past `NULL` (default: fit every K in `k`) or a whole number:
#'   stop after that many K in a row whose BIC is above the lowest BIC so
#'   far.
#' @param ... Further arguments passed to [lca()] for every model.
#' @return An object of class `cscdemand_lca_enum`: a list with `fits` (the
#'   models, named `"k=1"`, ...), `table` (the fit table), `seed` and
#'   `stopped_at` (the last K fitted when `stop_past` ended the enumeration
#'   early, else `NULL`).
#' @family latent class models
#' @export
#' @examples
#' d <- simulate_lca(n = 2000, seed = 1)
#' en <- lca_enumerate(d, k = 1:4, starts = 10, seed = 1)
#' en
#' plot(en)
lca_enumerate <- function(data, k = 1:10, items = NULL, weights = NULL, starts = NULL,
                          seed = NULL, threads = NULL, control = lca_control(),
                          stop_past = NULL, verbose = TRUE) {
  check_counts(k)
  check_flag(verbose)
  check_count(stop_past, min = 1, allow_null = TRUE)
  k <- sort(unique(as.integer(k)))
  seed <- resolve_seed(seed)
  threads <- resolve_threads(threads)
  pt <- lca_patterns_for_fit(data, items, weights, verbose = verbose)
  if (is.null(control$patience)) control$patience <- 1L
  if (is.null(control$screen_tol)) control$screen_tol <- 1e-9
  P <- length(pt$n)
  if (any(k > P)) {
    abort_input(c("{max(k)} classes cannot be fitted to {P} unique response patterns.",
                  i = "Use {.code k <= {P}}."), class = "cscdemand_error_k")
  }
  fits <- vector("list", length(k))
  names(fits) <- paste0("k=", k)
  warns <- list()
  if (verbose) {
    cli::cli_progress_bar("Fitting K = {k[i]} classes", total = length(k), clear = TRUE,
                          .envir = environment())
  }
  stopped_at <- NULL
  best_bic <- Inf
  above <- 0L
  for (i in seq_along(k)) {
    if (!is.null(stop_past) && above >= stop_past) {
      stopped_at <- k[i - 1L]
      break
    }
    if (verbose) cli::cli_progress_update(set = i - 1L, .envir = environment())
    fits[[i]] <- withCallingHandlers(
      lca(pt, k = k[i], starts = starts, seed = seed, threads = threads, control = control,
          verbose = FALSE),
      cscdemand_warning = function(w) {
        warns[[length(warns) + 1L]] <<- paste0("K = ", k[i], ": ", conditionMessage(w))
        invokeRestart("muffleWarning")
      }
    )
    bic <- fits[[i]]$fit$BIC
    if (bic < best_bic) {
      best_bic <- bic
      above <- 0L
    } else {
      above <- above + 1L
    }
  }
  if (verbose) cli::cli_progress_done(.envir = environment())
  fits <- fits[!vapply(fits, is.null, logical(1))]
  tab <- do.call(rbind, lapply(fits, function(f) f$fit))
  rownames(tab) <- NULL
  if (length(warns)) {
    warn_cscdemand(c("Some models raised warnings:", stats::setNames(unlist(warns), rep("!", length(warns)))),
                   class = "cscdemand_warning_enumerate")
  }
  structure(list(fits = fits, table = tab, seed = seed, stopped_at = stopped_at,
                 call = match.call()),
            class = "cscdemand_lca_enum")
}

#' @export
print.cscdemand_lca_enum <- function(x, ...) {
  tb <- x$table
  out <- data.frame(
    K = tb$k, LL = fmt_num(tb$loglik, 2), npar = tb$npar,
    AIC = fmt_num(tb$AIC, 1), BIC = fmt_num(tb$BIC, 1), SABIC = fmt_num(tb$SABIC, 1),
    CAIC = fmt_num(tb$CAIC, 1),
    entropy = ifelse(is.na(tb$entropy), "-", fmt_num(tb$entropy, 3)),
    `smallest %` = fmt_num(tb$smallest_pct, 1),
    `best LL reached` = paste0(tb$n_best, "/", tb$n_finished),
    check.names = FALSE
  )
  conv <- if (is.null(tb$converged)) rep(TRUE, nrow(tb)) else tb$converged
  if (!all(conv)) out$converged <- ifelse(conv, "yes", "NO")
  cat(sprintf("Latent class models for K = %d to %d (%s episodes)\n", min(tb$k), max(tb$k),
              fmt_num(tb$nobs[1], 0)))
  print(out, row.names = FALSE)
  best <- vapply(c("AIC", "BIC", "SABIC", "CAIC"), function(s) tb$k[which.min(tb[[s]])], numeric(1))
  cat("Lowest:", paste0(names(best), " at K = ", best, collapse = "; "), "\n")
  if (!all(conv)) {
    cat(sprintf("Not converged (best start stopped at the iteration limit; its LL is a lower bound): K = %s\n",
                paste(tb$k[!conv], collapse = ", ")))
  }
  if (!is.null(x$stopped_at)) {
    cat(sprintf("Stopped after K = %d (stop_past: BIC above its lowest for the last K in a row)\n",
                x$stopped_at))
  }
  invisible(x)
}

#' @rdname lca_enumerate
#' @param x An object from `lca_enumerate()`.
#' @param criteria Information criteria to plot.
#' @export
plot.cscdemand_lca_enum <- function(x, criteria = c("BIC", "AIC", "SABIC"), ...) {
  tb <- x$table
  criteria <- rlang::arg_match(criteria, c("AIC", "BIC", "SABIC", "CAIC"), multiple = TRUE)
  long <- do.call(rbind, lapply(criteria, function(s) {
    data.frame(k = tb$k, criterion = s, value = tb[[s]], stringsAsFactors = FALSE)
  }))
  ggplot2::ggplot(long, ggplot2::aes(x = .data$k, y = .data$value, colour = .data$criterion)) +
    ggplot2::geom_line() +
    ggplot2::geom_point() +
    ggplot2::scale_x_continuous(breaks = tb$k) +
    ggplot2::labs(x = "Number of classes (K)", y = "Information criterion (lower is better)",
                  colour = NULL, title = "Elbow plot") +
    ggplot2::theme_minimal()
}
