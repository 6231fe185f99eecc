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
  sp$class_names <- fit$class_names
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
  check_data_frame(newdata)
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

#' Score a council's episodes against a fitted or frozen model
#'
#' Builds the episodes of a CIN extract the way scoring needs them and
#' assigns each to the model's classes. [episode_factors()] by default
#' removes factors recorded in fewer than 10 episodes and the Kingston
#' exclusions, which suits fitting but not scoring: in one council's year a
#' factor of the national model is often rare, and its column would be
#' missing. `lca_score()` keeps every factor whatever its count
#' (`exclude = NULL, min_count = 0`), so every item of the model is there,
#' and scores each episode. Use it to place one council's new year in the
#' categories of a national model from [lca_freeze()].
#'
#' @param object A model from [lca()] or [lca_freeze()], fitted on episode
#'   factor flags (items named by CIN factor codes, or by the names of
#'   `merge`).
#' @param assessments A `cin_assessments` object from
#'   [read_cin_assessments()], or a path or data frame it reads.
#' @param type `"class"` (default): the episodes with the column `class`,
#'   the most likely class (a factor of the class names given by
#'   [name_classes()], else `"Class 1"`, ...); `"posterior"`: also one
#'   column per class (`"Class 1"`, ...) with its posterior probability.
#' @param no_factors,other_only Passed to [episode_factors()] (default
#'   `"keep"`: every episode is scored).
#' @param ... Passed to [episode_factors()] (for example `merge`) and so to
#'   [read_cin_assessments()].
#' @return The `cin_episodes` table of the extract with `class` (and, for
#'   `"posterior"`, one column per class) added.
#' @family national scale
#' @export
#' @examples
#' fit <- lca(episode_factors(cin_example), k = 3, seed = 1, verbose = FALSE)
#' fz <- lca_freeze(fit)
#' scored <- lca_score(fz, cin_example[cin_example$year == 2022, ])
#' table(scored$class)
lca_score <- function(object, assessments, type = c("class", "posterior"),
                      no_factors = "keep", other_only = "keep", ...) {
  type <- rlang::arg_match(type)
  if (!inherits(object, c("cscdemand_lca", "cscdemand_lca_frozen"))) {
    abort_input(c("{.arg object} must be a model from {.fn lca} or {.fn lca_freeze}.",
                  x = "It is of class {.cls {class(object)[1]}}."))
  }
  sp <- scoring_spec(object)
  ep <- episode_factors(assessments, exclude = NULL, min_count = 0, no_factors = no_factors,
                        other_only = other_only, drop_empty = FALSE, ...)
  miss <- setdiff(sp$items, names(ep))
  if (length(miss)) {
    abort_input(c("The model's item{?s} {.field {miss}} {?is/are} not among the episodes' factor columns.",
                  i = "The model was fitted on other columns: build the same ones, for example with {.arg merge}."),
                class = "cscdemand_error_coding")
  }
  post <- predict(object, as.data.frame(ep), type = "posterior")
  labels <- if (is.null(object$class_names)) sp$classes else unname(object$class_names[sp$classes])
  ep$class <- factor(labels[max.col(post, ties.method = "first")], levels = labels)
  if (type == "posterior") {
    for (k in seq_along(sp$classes)) ep[[sp$classes[k]]] <- post[, k]
  }
  ep
}
