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
#' @inheritParams lca
#' @param k Numbers of classes to fit (default 1 to 10).
#' @param ... Further arguments passed to [lca()] for every model.
#' @return An object of class `cscdemand_lca_enum`: a list with `fits` (the
#'   models, named `"k=1"`, ...), `table` (the fit table) and `seed`.
#' @family latent class models
#' @export
#' @examples
#' d <- simulate_lca(n = 2000, seed = 1)
#' en <- lca_enumerate(d, k = 1:4, starts = 10, seed = 1)
#' en
#' plot(en)
lca_enumerate <- function(data, k = 1:10, items = NULL, weights = NULL, starts = NULL,
                          seed = NULL, threads = NULL, control = lca_control(),
                          verbose = TRUE) {
  check_counts(k)
  check_flag(verbose)
  k <- sort(unique(as.integer(k)))
  seed <- resolve_seed(seed)
  threads <- resolve_threads(threads)
  pt <- lca_patterns_for_fit(data, items, weights, verbose = verbose)
  if (is.null(control$patience)) control$patience <- 1L
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
  for (i in seq_along(k)) {
    if (verbose) cli::cli_progress_update(set = i - 1L, .envir = environment())
    fits[[i]] <- withCallingHandlers(
      lca(pt, k = k[i], starts = starts, seed = seed, threads = threads, control = control,
          verbose = FALSE),
      cscdemand_warning = function(w) {
        warns[[length(warns) + 1L]] <<- paste0("K = ", k[i], ": ", conditionMessage(w))
        invokeRestart("muffleWarning")
      }
    )
  }
  if (verbose) cli::cli_progress_done(.envir = environment())
  tab <- do.call(rbind, lapply(fits, function(f) f$fit))
  rownames(tab) <- NULL
  if (length(warns)) {
    warn_cscdemand(c("Some models raised warnings:", stats::setNames(unlist(warns), rep("!", length(warns)))),
                   class = "cscdemand_warning_enumerate")
  }
  structure(list(fits = fits, table = tab, seed = seed, call = match.call()),
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
  cat(sprintf("Latent class models for K = %d to %d (%s episodes)\n", min(tb$k), max(tb$k),
              fmt_num(tb$nobs[1], 0)))
  print(out, row.names = FALSE)
  best <- vapply(c("AIC", "BIC", "SABIC", "CAIC"), function(s) tb$k[which.min(tb[[s]])], numeric(1))
  cat("Lowest:", paste0(names(best), " at K = ", best, collapse = "; "), "\n")
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
