#' Estimated share of episodes in each class, with intervals
#'
#' The one definition of a category's size that the report uses everywhere:
#' the model's estimate of the share of episodes in each class, with a
#' confidence interval.
#'
#' * Without `data`: the fitted class sizes, with intervals from the observed
#'   information ([lca_se()], on the logit scale).
#' * With `data` (for example one council's episodes of a model fitted to
#'   several councils): the mean posterior probability of each class over the
#'   rows of `data`, which is the expected share of those episodes in each
#'   class. This is *proportional assignment*: each episode counts towards
#'   every class with its posterior probability, so the shares carry the
#'   classification error instead of inflating the largest class as counting
#'   each episode in its most likely (modal) class does. On the data the model
#'   was fitted to, it equals the fitted class sizes. Its standard error is
#'   the binomial one for the rows of `data`, inflated by the model's own
#'   loss of information from not observing the classes (the ratio of the
#'   fitted class size's variance to the binomial variance on the fitting
#'   data, at least 1); this is an approximation, stated as such.
#'
#' [class_crosstab()] with `posterior` counts episodes the same way, so its
#' category totals are these shares times the number of episodes.
#'
#' A share times the number of episodes is an estimated count, so the share
#' and interval of a class whose estimated size is under `threshold`, and of
#' one more class where the shares adding up to 100% would give it back, are
#' `NA` ([suppress_small()]'s engine).
#'
#' @section Shares per group (`by`):
#' `class_shares(fit, data, by = "council")` gives every group's shares at
#' once (for example each council's shares from a national model): one
#' prediction pass over `data` (the posteriors of its response patterns), the
#' model's standard errors computed once, then per group the mean posterior,
#' its interval (the binomial standard error for the group's episodes, times
#' the same design effect as above) and its own suppression (each group's
#' estimated counts against `threshold`). The result equals calling
#' `class_shares()` on each group's rows in turn, and is much faster with many
#' groups. Groups are listed in the order of the column's factor levels (or
#' sorted values); levels with no episodes are left out. A missing value in
#' the `by` column is an error naming the rows: give those episodes a group
#' (for example "Not known") or drop them first.
#'
#' @inheritParams class_assign
#' @param data Optional episode table with the model's item columns: shares
#'   among these episodes. Default: the model's own class sizes.
#' @param by Optional name of a column of `data` (such as `"council"` or
#'   `"la"`): shares per group of that column, computed in one pass (see the
#'   section *Shares per group*). Needs `data`.
#' @param level Confidence level (default 0.95).
#' @param threshold Small-number threshold (default 10; 0 turns it off).
#' @return A data frame with columns `class`, `name` (the class names set by
#'   [name_classes()]), `share`, `lower` and `upper` (percentages, `NA` where
#'   suppressed) and `suppressed`; attributes `n` (episodes) and `method`
#'   (`"model"` or `"proportional"`). With `by`: one row per group and class,
#'   with the group in a first column named after `by`, and attribute `n` the
#'   number of episodes per group (a named vector).
#' @family profiling
#' @export
#' @examples
#' d <- simulate_lca(n = 2000, seed = 3)
#' fit <- lca(d[1:8], k = 3, seed = 1, verbose = FALSE)
#' class_shares(fit)
#' class_shares(fit, d[1:500, ])
#' # every council's shares in one pass
#' d$council <- rep(c("North", "South", "East"), length.out = nrow(d))
#' class_shares(fit, d, by = "council")
class_shares <- function(fit, data = NULL, by = NULL, level = 0.95, threshold = 10) {
  check_lca_fit(fit)
  check_number(level, min = 0.5, max = 0.9999)
  check_threshold(threshold)
  pi <- unname(as.vector(fit$class_size))
  se_pi <- class_size_se(fit)
  if (!is.null(by)) {
    if (is.null(data)) {
      abort_input(c("{.arg by} needs {.arg data}: the episodes to share out by {.field {by}}.",
                    i = "Give the episodes, e.g. {.code class_shares(fit, episodes, by = \"council\")}."),
                  class = "cscdemand_error_column")
    }
    return(class_shares_by(fit, data, by, pi, se_pi, level, threshold))
  }
  if (is.null(data)) {
    return(shares_table(fit, pi, fit$nobs, se_pi, "model", level, threshold))
  }
  check_episodes(data, arg = "data")
  post <- stats::predict(fit, newdata = data, type = "posterior")
  est <- unname(colMeans(post))
  se <- shares_se(est, nrow(post), pi, se_pi, fit$nobs)
  shares_table(fit, est, nrow(post), se, "proportional", level, threshold)
}

# Every group's shares from one prediction pass (class_shares(by = )).
class_shares_by <- function(fit, data, by, pi, se_pi, level, threshold,
                            call = rlang::caller_env()) {
  check_episodes(data, arg = "data", call = call)
  check_column(data, by, arg = "by", call = call,
               hint = "Name a column of {.arg data} that holds each episode's group, such as {.field council}.")
  g <- data[[by]]
  if (anyNA(g)) {
    abort_input(c("Column {.field {by}} (the groups of {.arg by}) is missing in {rows_label(which(is.na(g)))} of {.arg data}.",
                  i = "Give those episodes a group (for example {.val Not known}) or drop them before calling {.fn class_shares}."),
                class = "cscdemand_error_column", call = call)
  }
  g <- if (is.factor(g)) droplevels(g) else factor(g)
  post <- stats::predict(fit, newdata = data, type = "posterior")
  sums <- rowsum(post, g, reorder = TRUE)
  n_g <- as.vector(table(g))
  out <- lapply(seq_along(n_g), function(i) {
    est <- unname(sums[i, ] / n_g[i])
    se <- shares_se(est, n_g[i], pi, se_pi, fit$nobs)
    tab <- shares_table(fit, est, n_g[i], se, "proportional", level, threshold)
    cbind(stats::setNames(data.frame(levels(g)[i], stringsAsFactors = FALSE), by), tab)
  })
  out <- do.call(rbind, out)
  rownames(out) <- NULL
  structure(out, n = stats::setNames(n_g, levels(g)), method = "proportional", level = level,
            by = by)
}

# Standard errors of proportional shares among n episodes: binomial, times the
# model's loss of information (the design effect, at least 1).
shares_se <- function(est, n, pi, se_pi, nobs) {
  deff <- pmax(1, se_pi^2 / (pi * (1 - pi) / nobs))
  sqrt(deff * est * (1 - est) / n)
}

# The table of shares with logit intervals and suppression of small classes.
shares_table <- function(fit, est, n, se, method, level, threshold) {
  z <- stats::qnorm(1 - (1 - level) / 2)
  half <- z * se / (est * (1 - est))
  lower <- stats::plogis(stats::qlogis(est) - half)
  upper <- stats::plogis(stats::qlogis(est) + half)
  hide <- hidden_totals(est * n, threshold)
  out <- data.frame(class = names(fit$class_size), name = unname(class_labels(fit)),
                    share = 100 * est, lower = 100 * lower, upper = 100 * upper,
                    suppressed = hide, stringsAsFactors = FALSE)
  out[hide, c("share", "lower", "upper")] <- NA
  structure(out, n = n, method = method, level = level)
}

# Standard errors of the fitted class sizes (observed information); NA where
# a size is on the boundary or the information is singular.
class_size_se <- function(fit) {
  se <- tryCatch(suppressMessages(lca_se(fit)), error = function(e) NULL)
  if (is.null(se)) return(rep(NA_real_, fit$k))
  sz <- se[se$type == "class size", , drop = FALSE]
  sz$std.error[match(names(fit$class_size), sz$class)]
}
