#' Methods for latent class models
#'
#' Print, summarise, plot and query a model from [lca()].
#'
#' @param x,object A model from [lca()].
#' @param digits Digits for printed probabilities.
#' @param ... Unused.
#' @name lca-methods
#' @return `print()` and `print(summary())` return their input invisibly;
#'   `summary()` returns a `summary.cscdemand_lca` list; `logLik()` a `logLik`
#'   object with `df` and `nobs`; `coef()` a named vector of class sizes and
#'   item-response probabilities; `nobs()` the (weighted) number of rows.
#' @examples
#' d <- simulate_lca(n = 1000, seed = 3)
#' fit <- lca(d, k = 3, seed = 1)
#' print(fit)
#' summary(fit)
#' AIC(fit); BIC(fit)
#' head(coef(fit))
NULL

#' @rdname lca-methods
#' @export
print.cscdemand_lca <- function(x, digits = 3, ...) {
  f <- x$fit
  cat(sprintf("Latent class model: %d %s, %d items, %s episodes (%s unique patterns)\n",
              x$k, if (x$k == 1) "class" else "classes", length(x$items), fmt_num(x$nobs, 0),
              fmt_num(length(x$patterns$n), 0)))
  cat(sprintf("Log-likelihood %s (df = %d)   AIC %s   BIC %s   entropy %s\n",
              fmt_num(x$loglik, 3), x$npar, fmt_num(f$AIC, 1), fmt_num(f$BIC, 1),
              if (is.na(f$entropy)) "-" else fmt_num(f$entropy, 3)))
  cat(sprintf("Best log-likelihood reached by %d of %d starts run to convergence; %s after %d iterations\n",
              x$n_best, x$n_finished, x$status, x$iterations))
  cat("\nClass sizes:\n")
  sz <- round(x$class_size, digits)
  if (!is.null(x$class_names)) {
    nm <- unname(x$class_names[names(sz)])
    cat(sprintf("  %-9s %6.3f  %s\n", names(sz), unname(sz), nm), sep = "")
  } else {
    print(sz)
  }
  invisible(x)
}

#' @rdname lca-methods
#' @export
summary.cscdemand_lca <- function(object, ...) {
  probs <- lca_probs_table(object)
  structure(list(
    k = object$k, items = object$items, fit = object$fit,
    class_size = data.frame(class = names(object$class_size), proportion = object$class_size,
                            n = object$class_size * object$nobs, row.names = NULL),
    class_size_group = object$class_size_group,
    probs = object$probs, probs_table = probs,
    classification = classification_table(object),
    starts = object$starts, boundary = object$boundary,
    bvr = if (length(object$items) > 1L) utils::head(lca_bvr(object), 10) else NULL,
    seed = object$seed, threads = object$threads, status = object$status,
    audit = object$patterns$audit
  ), class = "summary.cscdemand_lca")
}

#' @rdname lca-methods
#' @export
print.summary.cscdemand_lca <- function(x, digits = 3, ...) {
  f <- x$fit
  cat(sprintf("Latent class model: %d %s\n", x$k, if (x$k == 1) "class" else "classes"))
  cat("\nFit statistics\n")
  stats <- c(`Log-likelihood` = f$loglik, Parameters = f$npar, Episodes = f$nobs,
             AIC = f$AIC, BIC = f$BIC, SABIC = f$SABIC, CAIC = f$CAIC,
             `Relative entropy` = f$entropy, `Classification error` = f$class_error,
             `Smallest class (n)` = f$smallest_n, `Smallest class (%)` = f$smallest_pct,
             `G-squared` = f$Gsq, `Pearson X2` = f$Chisq, `df` = f$df)
  print(data.frame(value = format(signif(stats, 8), big.mark = ",", scientific = FALSE,
                                  drop0trailing = TRUE)), quote = FALSE)
  cat("\nClass sizes\n")
  cs <- x$class_size
  cs$proportion <- round(cs$proportion, digits)
  cs$n <- round(cs$n, 1)
  print(cs, row.names = FALSE)
  cat("\nItem-response probabilities\n")
  for (it in names(x$probs)) {
    m <- x$probs[[it]]
    if (ncol(m) == 2L && identical(colnames(m), c("0", "1"))) next
    cat(" ", it, "\n")
    print(round(m, digits))
  }
  bin <- vapply(x$probs, function(m) identical(colnames(m), c("0", "1")), logical(1))
  if (any(bin)) {
    cat("  P(item = 1) for binary items\n")
    m <- vapply(x$probs[bin], function(m) m[, "1"], numeric(x$k))
    if (x$k == 1L) m <- matrix(m, nrow = 1, dimnames = list("Class 1", names(x$probs)[bin]))
    print(round(t(m), digits))
  }
  cat("\nClassification (rows: modal class; columns: latent class; expected counts)\n")
  print(round(x$classification, 1))
  avepp <- diag(x$classification) / rowSums(x$classification)
  cat("Average posterior probability of the modal class:\n")
  print(round(avepp, digits))
  cat("\nRandom starts\n")
  st <- x$starts
  cat(sprintf("  %d starts; %d run to convergence; %d reached the best log-likelihood; seed %s; %d thread%s\n",
              nrow(st), sum(!is.na(st$loglik)), sum(st$best), format(x$seed), x$threads,
              if (x$threads == 1) "" else "s"))
  tab <- table(st$status)
  cat("  Status:", paste(names(tab), tab, sep = " = ", collapse = ", "), "\n")
  if (nrow(x$boundary)) {
    cat("\nBoundary estimates (probability at 0 or 1):\n")
    print(utils::head(x$boundary, 20), row.names = FALSE)
  }
  if (!is.null(x$bvr)) {
    cat("\nLargest bivariate residuals (local dependence; above about 4 is worth a look)\n")
    b <- x$bvr
    b$bvr <- round(b$bvr, 2)
    print(utils::head(b, 5), row.names = FALSE)
  }
  invisible(x)
}

#' @rdname lca-methods
#' @export
logLik.cscdemand_lca <- function(object, ...) {
  structure(object$loglik, df = object$npar, nobs = object$nobs, class = "logLik")
}

#' @rdname lca-methods
#' @export
nobs.cscdemand_lca <- function(object, ...) object$nobs

#' @rdname lca-methods
#' @export
coef.cscdemand_lca <- function(object, ...) {
  tb <- tidy.cscdemand_lca(object)
  stats::setNames(tb$estimate, tb$term)
}

lca_probs_table <- function(fit) {
  rows <- lapply(names(fit$probs), function(it) {
    m <- fit$probs[[it]]
    data.frame(item = it, class = rep(rownames(m), ncol(m)),
               category = rep(colnames(m), each = nrow(m)), estimate = as.vector(m),
               stringsAsFactors = FALSE)
  })
  do.call(rbind, rows)
}

#' Tidy, glance and augment a latent class model
#'
#' `tidy()` gives one row per parameter (class sizes and item-response
#' probabilities), `glance()` one row of fit statistics, `augment()` the data
#' with each row's modal class and posterior class probabilities.
#'
#' @param x A model from [lca()].
#' @param data For `augment()`: the data the model was fitted to (default: the
#'   pattern table of the fit, one row per pattern).
#' @param ... Unused.
#' @return A data frame.
#' @name lca-tidiers
#' @examples
#' d <- simulate_lca(n = 1000, seed = 3)
#' fit <- lca(d, k = 3, seed = 1)
#' generics::tidy(fit)
#' generics::glance(fit)
#' head(generics::augment(fit, data = d))
NULL

#' @rdname lca-tidiers
#' @export
tidy.cscdemand_lca <- function(x, ...) {
  sizes <- data.frame(term = paste0("size[", names(x$class_size), "]"), type = "class size",
                      item = NA_character_, class = names(x$class_size), category = NA_character_,
                      estimate = unname(x$class_size), stringsAsFactors = FALSE)
  pr <- lca_probs_table(x)
  pr <- data.frame(term = paste0(pr$item, "=", pr$category, "|", pr$class),
                   type = "item probability", item = pr$item, class = pr$class,
                   category = pr$category, estimate = pr$estimate, stringsAsFactors = FALSE)
  out <- rbind(sizes, pr)
  rownames(out) <- NULL
  out
}

#' @rdname lca-tidiers
#' @export
glance.cscdemand_lca <- function(x, ...) x$fit

#' @rdname lca-tidiers
#' @export
augment.cscdemand_lca <- function(x, data = NULL, ...) {
  if (is.null(data)) {
    pt <- x$patterns
    out <- as.data.frame(pt$y)
    out$.n <- pt$n
    post <- x$posterior
  } else {
    post <- predict.cscdemand_lca(x, newdata = data, type = "posterior")
    out <- data
  }
  out$.class <- max.col(post, ties.method = "first")
  out$.class[rowSums(is.na(post)) > 0] <- NA_integer_
  pp <- as.data.frame(post)
  names(pp) <- paste0(".prob_", seq_len(x$k))
  cbind(out, pp)
}

#' Class predictions for new episodes
#'
#' Posterior class probabilities (or the modal class) for new data, scored with
#' the fitted parameters. New data may contain response patterns not seen in
#' fitting and missing item values; a row with every item missing gets the
#' class sizes as its posterior.
#'
#' @param object A model from [lca()].
#' @param newdata A data frame with the model's item columns. `NULL`
#'   (default) scores the fitted data: one row per row of the data the model
#'   was fitted to, in row order (as [stats::predict.lm()]); rows with every
#'   item missing get the class sizes of their group.
#' @param type `"class"` (modal class, an integer) or `"posterior"` (a matrix
#'   of class probabilities, one row per row of `newdata`).
#' @param ... Unused.
#' @return An integer vector or a numeric matrix.
#' @export
#' @examples
#' d <- simulate_lca(n = 1000, seed = 3)
#' fit <- lca(d, k = 3, seed = 1)
#' table(predict(fit, d))
predict.cscdemand_lca <- function(object, newdata = NULL, type = c("class", "posterior"), ...) {
  type <- rlang::arg_match(type)
  if (is.null(newdata)) {
    post <- fitted_row_posterior(object)
  } else {
    check_data_frame(newdata, what = "a data frame with the model's item columns")
    miss <- setdiff(object$items, names(newdata))
    if (length(miss)) {
      abort_input(c("{.arg newdata} lacks item column{?s} {.field {miss}}.",
                    i = "The model was fitted with {.field {object$items}}."),
                  class = "cscdemand_error_coding")
    }
    grp <- object$patterns$group_var
    if (!is.null(grp) && !grp %in% names(newdata)) {
      abort_input(c("{.arg newdata} lacks the grouping column {.field {grp}}."),
                  class = "cscdemand_error_coding")
    }
    post <- score_rows(object, newdata)
  }
  if (type == "posterior") return(post)
  max.col(post, ties.method = "first")
}

# Posterior of every fitted row, in row order, from the pattern posteriors.
fitted_row_posterior <- function(object, call = rlang::caller_env()) {
  pt <- object$patterns
  if (is.null(pt$row_index)) {
    abort_input(c("The model was fitted to a table of pattern counts, so its rows are not known.",
                  i = "Give the episodes in {.arg newdata}, e.g. {.code predict(fit, episodes)}."),
                class = "cscdemand_error_coding", call = call)
  }
  post <- object$posterior[pt$row_index, , drop = FALSE]
  rownames(post) <- NULL
  allmiss <- which(is.na(pt$row_index))
  if (length(allmiss)) {
    gi <- if (is.null(pt$row_group)) rep(1L, length(allmiss)) else pt$row_group[allmiss]
    post[allmiss, ] <- exp(object$par$logpi)[gi, , drop = FALSE]
  }
  post
}

# What scoring needs from a fitted or frozen model.
scoring_spec <- function(object) {
  if (inherits(object, "cscdemand_lca_frozen")) return(object)
  pt <- object$patterns
  list(items = object$items, levels = object$levels, ncat = pt$ncat,
       group_var = pt$group_var, group_levels = pt$group_levels,
       set_of = object$par$set_of, logpi = object$par$logpi, logrho = object$par$logrho,
       classes = names(object$class_size))
}

score_rows <- function(object, newdata, call = rlang::caller_env()) {
  sp <- scoring_spec(object)
  coding <- stats::setNames(sp$levels, sp$items)
  grp <- sp$group_var
  if (!is.null(grp)) {
    unknown <- setdiff(unique(as.character(newdata[[grp]])), sp$group_levels)
    if (length(unknown)) {
      abort_input(c("Groups {.val {unknown}} of {.field {grp}} were not in the fitted data.",
                    i = "The model knows {.val {sp$group_levels}}."),
                  class = "cscdemand_error_coding", call = call)
    }
  }
  cols <- lapply(sp$items, function(it) recode_item(newdata[[it]], it, coding[[it]], call = call))
  G <- length(sp$group_levels)
  g <- if (is.null(grp)) NULL else match(as.character(newdata[[grp]]), sp$group_levels)
  np <- cpp_patterns(lapply(cols, `[[`, "codes"), vapply(cols, `[[`, integer(1), "offset"),
                     sp$ncat, g, G, NULL)
  k <- ncol(sp$logpi)
  post <- matrix(NA_real_, nrow(newdata), k, dimnames = list(NULL, sp$classes))
  if (length(np$n)) {
    sc <- cpp_lca_posterior(np$y, sp$ncat, np$group, G, sp$set_of, sp$logpi, sp$logrho)
    ok <- !is.na(np$row_index)
    post[ok, ] <- sc$posterior[np$row_index[ok], , drop = FALSE]
  }
  allmiss <- is.na(np$row_index)
  if (any(allmiss)) {
    prior <- exp(sp$logpi)
    gi <- if (is.null(g)) rep(1L, sum(allmiss)) else g[allmiss]
    post[allmiss, ] <- prior[gi, , drop = FALSE]
  }
  post
}

#' @rdname lca-methods
#' @param nsim Number of simulated data sets.
#' @param seed Seed for R's random number generator (restored afterwards), as
#'   in [stats::simulate()].
#' @param n Rows per simulated data set (default: the fitted number of rows,
#'   rounded).
#' @export
simulate.cscdemand_lca <- function(object, nsim = 1, seed = NULL, n = NULL, ...) {
  if (!is.null(seed)) {
    restore_rng <- local_seed(seed)
    on.exit(restore_rng(), add = TRUE)
  }
  n <- n %||% round(object$nobs)
  check_count(n)
  sims <- lapply(seq_len(nsim), function(i) {
    simulate_from_probs(n, object$class_size, object$probs, object$levels)
  })
  if (nsim == 1L) sims[[1]] else sims
}

#' Profile plot of a latent class model
#'
#' For binary items, the probability of each factor in each class (one line
#' per class); for polytomous items, stacked bars of category probabilities
#' per class.
#'
#' @param x A model from [lca()].
#' @param ... Unused.
#' @return A ggplot object.
#' @export
#' @examples
#' d <- simulate_lca(n = 1000, seed = 3)
#' plot(lca(d, k = 3, seed = 1))
plot.cscdemand_lca <- function(x, ...) {
  pr <- lca_probs_table(x)
  pr$item <- factor(pr$item, levels = x$items)
  sizes <- paste0(names(x$class_size), " (", round(100 * x$class_size), "%)")
  pr$class <- factor(sizes[match(pr$class, names(x$class_size))], levels = sizes)
  binary <- all(vapply(x$levels, identical, logical(1), c("0", "1")))
  if (binary) {
    pr <- pr[pr$category == "1", ]
    ggplot2::ggplot(pr, ggplot2::aes(x = .data$item, y = .data$estimate, colour = .data$class,
                                     group = .data$class)) +
      ggplot2::geom_line() +
      ggplot2::geom_point() +
      ggplot2::scale_y_continuous(limits = c(0, 1)) +
      ggplot2::labs(x = NULL, y = "Probability of the factor", colour = NULL,
                    title = "Item-response probabilities by class") +
      ggplot2::theme_minimal() +
      ggplot2::theme(axis.text.x = ggplot2::element_text(angle = 45, hjust = 1))
  } else {
    ggplot2::ggplot(pr, ggplot2::aes(x = .data$item, y = .data$estimate, fill = .data$category)) +
      ggplot2::geom_col() +
      ggplot2::facet_wrap(~class) +
      ggplot2::labs(x = NULL, y = "Probability", fill = "Category",
                    title = "Item-response probabilities by class") +
      ggplot2::theme_minimal() +
      ggplot2::theme(axis.text.x = ggplot2::element_text(angle = 45, hjust = 1))
  }
}
