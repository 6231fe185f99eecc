#' Freeze a latent class model for scoring new episodes
#'
#' Keeps only what scoring needs: the parameters, the item coding (categories
#' of each item), the grouping, the class names, the factor-code mapping
#' (which CIN code each item stands for, when known) and the package
#' version. A frozen model is small, can be saved with [saveRDS()] and used
#' with `predict()` on new data (for example next year's episodes) without
#' the original data.
#'
#' @param fit A model from [lca()].
#' @param codes Optional named character vector mapping item names to CIN
#'   factor codes (e.g. `c(f_3A = "3A")`), stored for reference.
#' @return An object of class `cscdemand_lca_frozen`.
#' @family national scale
#' @export
#' @examples
#' d <- simulate_lca(n = 2000, seed = 1)
#' fz <- lca_freeze(lca(d, k = 3, seed = 1, verbose = FALSE))
#' f <- tempfile(fileext = ".rds")
#' saveRDS(fz, f)
#' table(predict(readRDS(f), simulate_lca(n = 500, seed = 2)))
lca_freeze <- function(fit, codes = NULL) {
  check_lca_fit(fit)
  sp <- scoring_spec(fit)
  sp$class_size <- fit$class_size
  sp$probs <- fit$probs
  sp$codes <- codes
  sp$invariance <- fit$invariance %||% "single group"
  sp$nobs <- fit$nobs
  sp$loglik <- fit$loglik
  sp$version <- as.character(utils::packageVersion("cscdemand"))
  sp$created <- format(Sys.time(), "%Y-%m-%d")
  structure(sp, class = "cscdemand_lca_frozen")
}

#' @rdname lca_freeze
#' @param object A frozen model.
#' @param newdata A data frame with the model's item columns (and its grouping
#'   column, if any).
#' @param type `"class"` or `"posterior"`.
#' @param batch_size Rows scored at a time (bounds memory on very large data).
#' @param ... Unused.
#' @export
predict.cscdemand_lca_frozen <- function(object, newdata, type = c("class", "posterior"),
                                         batch_size = 1e6, ...) {
  type <- rlang::arg_match(type)
  if (!is.data.frame(newdata)) abort_input("{.arg newdata} must be a data frame.")
  miss <- setdiff(c(object$items, object$group_var), names(newdata))
  if (length(miss)) {
    abort_input(c("{.arg newdata} lacks column{?s} {.field {miss}}.",
                  i = "The model was fitted with items {.field {object$items}}."),
                class = "cscdemand_error_coding")
  }
  check_count(batch_size)
  n <- nrow(newdata)
  starts <- seq(1, max(n, 1), by = batch_size)
  out <- if (type == "class") integer(n) else matrix(NA_real_, n, ncol(object$logpi),
                                                     dimnames = list(NULL, object$classes))
  for (s in starts) {
    rows <- s:min(n, s + batch_size - 1)
    post <- score_rows(object, newdata[rows, , drop = FALSE])
    if (type == "class") out[rows] <- max.col(post, ties.method = "first")
    else out[rows, ] <- post
  }
  out
}

#' @export
print.cscdemand_lca_frozen <- function(x, ...) {
  cat(sprintf("Frozen latent class model: %d classes, %d items (cscdemand %s, %s)\n",
              ncol(x$logpi), length(x$items), x$version, x$created))
  cat("Items:", paste(x$items, collapse = ", "), "\n")
  cat("Class sizes:", paste(sprintf("%.3f", x$class_size), collapse = " "), "\n")
  invisible(x)
}
