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
#' @inheritParams class_assign
#' @param data Optional episode table with the model's item columns: shares
#'   among these episodes. Default: the model's own class sizes.
#' @param level Confidence level (default 0.95).
#' @param threshold Small-number threshold (default 10; 0 turns it off).
#' @return A data frame with columns `class`, `name` (the class names set by
#'   [name_classes()]), `share`, `lower` and `upper` (percentages, `NA` where
#'   suppressed) and `suppressed`; attributes `n` (episodes) and `method`
#'   (`"model"` or `"proportional"`).
#' @family profiling
#' @export
#' @examples
#' d <- simulate_lca(n = 2000, seed = 3)
#' fit <- lca(d[1:8], k = 3, seed = 1, verbose = FALSE)
#' class_shares(fit)
#' class_shares(fit, d[1:500, ])
class_shares <- function(fit, data = NULL, level = 0.95, threshold = 10) {
  check_lca_fit(fit)
  check_number(level, min = 0.5, max = 0.9999)
  check_threshold(threshold)
  pi <- unname(as.vector(fit$class_size))
  se_pi <- class_size_se(fit)
  if (is.null(data)) {
    est <- pi
    n <- fit$nobs
    se <- se_pi
    method <- "model"
  } else {
    check_episodes(data, arg = "data")
    post <- stats::predict(fit, newdata = data, type = "posterior")
    n <- nrow(post)
    est <- unname(colMeans(post))
    deff <- pmax(1, se_pi^2 / (pi * (1 - pi) / fit$nobs))
    se <- sqrt(deff * est * (1 - est) / n)
    method <- "proportional"
  }
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
