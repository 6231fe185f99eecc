#' Estimated share of episodes in each class, with intervals
#'
#' The one definition of a category's size that the report uses everywhere:
#' the model's estimate of the share of episodes in each class, with a
#' confidence interval.
#'
#' * Without `data`: the fitted class sizes, with intervals from the observed
#'   information ([lca_se()], on the logit scale).
#' * With `data` (for example one council's episodes of a model fitted to
#'   several councils): the class sizes of those episodes, estimated by
#'   maximum likelihood with the model's item probabilities held (EM over
#'   the sizes alone, from the mean posterior probability of each class).
#'   At that estimate each share is the mean posterior probability of the
#'   class over the rows of `data`, the posteriors computed with these
#'   episodes' own class sizes. This is *proportional assignment*: each
#'   episode counts towards every class with its posterior probability, so
#'   the shares carry the classification error instead of inflating the
#'   largest class as counting each episode in its most likely (modal) class
#'   does. The posteriors under the model's overall sizes would pull every
#'   group's shares towards the overall sizes (by more than their standard
#'   error in a council of a national model); on the data the model was
#'   fitted to the two are the same, the fitted class sizes. The standard
#'   error is from the observed information of those sizes (exact, as the
#'   log-likelihood is the log of a linear function of them), which counts
#'   both the sampling of the episodes and the uncertainty of their classes,
#'   plus the variance that the estimated item probabilities add to the
#'   model's own class sizes (their variance from [lca_se()] less their
#'   variance with the item probabilities known; the same for every group,
#'   negligible for a council of a national model, and on the fitted data it
#'   makes the interval the model's own; 0 for a model fitted with groups).
#'
#' [class_crosstab()] with `posterior` counts episodes the same way, so on
#' the data the model was fitted to its category totals are these shares
#' times the number of episodes (for other episodes, give it the posteriors
#' under their own class sizes, [class_posterior()], to keep that).
#'
#' A share times the number of episodes is an estimated count, so the share
#' and interval of a class whose estimated size is under `threshold`, and of
#' one more class where the shares adding up to 100% would give it back, are
#' `NA` ([suppress_small()]'s engine).
#'
#' @section Shares per group (`by`):
#' `class_shares(fit, data, by = "council")` gives every group's shares at
#' once (for example each council's shares from a national model): one
#' prediction pass over `data` (the posteriors of its response patterns),
#' then per group its shares as above (maximum likelihood over the group's
#' class sizes, the groups' EM run together), their intervals from each
#' group's observed information, and each group's own suppression (its
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
  if (!is.null(by)) {
    if (is.null(data)) {
      abort_input(c("{.arg by} needs {.arg data}: the episodes to share out by {.field {by}}.",
                    i = "Give the episodes, e.g. {.code class_shares(fit, episodes, by = \"council\")}."),
                  class = "cscdemand_error_column")
    }
    return(class_shares_by(fit, data, by, level, threshold))
  }
  if (is.null(data)) {
    pi <- unname(as.vector(fit$class_size))
    return(shares_table(fit, pi, fit$nobs, class_size_se(fit), "model", level, threshold))
  }
  check_episodes(data, arg = "data")
  post <- stats::predict(fit, newdata = data, type = "posterior")
  m <- group_shares_ml(post, rep(1L, nrow(post)), 1L, model_prior(fit, data), rho_variance(fit))
  shares_table(fit, m$est[1L, ], nrow(post), m$se[1L, ], "proportional", level, threshold)
}

# Every group's shares from one prediction pass (class_shares(by = )).
class_shares_by <- function(fit, data, by, level, threshold, call = rlang::caller_env()) {
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
  n_g <- as.vector(table(g))
  m <- group_shares_ml(post, as.integer(g), nlevels(g), model_prior(fit, data), rho_variance(fit))
  out <- lapply(seq_along(n_g), function(i) {
    tab <- shares_table(fit, m$est[i, ], n_g[i], m$se[i, ], "proportional", level, threshold)
    cbind(stats::setNames(data.frame(levels(g)[i], stringsAsFactors = FALSE), by), tab)
  })
  out <- do.call(rbind, out)
  rownames(out) <- NULL
  structure(out, n = stats::setNames(n_g, levels(g)), method = "proportional", level = level,
            by = by)
}

# The class sizes each row's posterior was computed with (rows x K): the
# model's sizes, of the row's group for a model fitted with groups.
model_prior <- function(fit, data) {
  pig <- exp(fit$par$logpi)
  gv <- fit$patterns$group_var
  if (is.null(gv) || nrow(pig) == 1L) return(pig[rep(1L, nrow(data)), , drop = FALSE])
  pig[match(as.character(data[[gv]]), fit$patterns$group_levels), , drop = FALSE]
}

# Each group's class sizes by maximum likelihood, the item probabilities
# held: `post` (rows x K) the posteriors computed with the sizes `prior`
# (rows x K), `g` each row's group (1..G). A row's class likelihoods are
# proportional to post / prior, so the group's log-likelihood in its sizes
# w is sum_i log(sum_k w_k f_ik) up to a constant: the log of a linear
# function, whose observed information over the first K - 1 sizes (the last
# is 1 minus their sum) is exactly sum_i s_i s_i' with s_ik = f_ik / f_i -
# f_iK / f_i, the f_i at w. Returns `est` and `se` (G x K; se NA where the
# information is singular, e.g. a class absent from the group).
group_shares_ml <- function(post, g, G, prior, extra = 0) {
  r <- post / prior
  r[!is.finite(r)] <- 0
  rows <- split(seq_along(g), factor(g, levels = seq_len(G)))
  K <- ncol(post)
  est <- se <- matrix(NA_real_, G, K)
  for (i in seq_len(G)) {
    m <- shares_newton(r[rows[[i]], , drop = FALSE], colMeans(post[rows[[i]], , drop = FALSE]))
    est[i, ] <- m$w
    se[i, ] <- sqrt(m$se^2 + extra)
  }
  list(est = est, se = se)
}

# The part of a share's variance that comes from the model's item
# probabilities (held as known by group_shares_ml()): on the fitted data,
# the fitted sizes' variance (observed information of the whole model,
# lca_se()) less their variance with the item probabilities known (the
# same data, group_shares_ml()'s information). An estimation error in the
# item probabilities moves every group's posteriors alike, so this is added
# to every group's variance (at national size it is negligible; on the
# fitted data it makes the interval the model's own). Models fitted with
# groups: 0.
rho_variance <- function(fit) {
  if (length(fit$patterns$group_levels) > 1L || fit$k == 1L) return(0)
  se_pi <- class_size_se(fit)
  if (anyNA(se_pi)) return(0)
  pi <- unname(as.vector(fit$class_size))
  r <- fit$posterior / rep(pi, each = nrow(fit$posterior))
  known <- shares_newton(r, pi, n = fit$patterns$n, maxiter = 1L)$se
  pmax(0, se_pi^2 - known^2)
}

# One group's sizes w from its rows' class likelihood ratios `r` (rows x
# K), from `w` (the mean posterior under the model's sizes): Newton steps
# on the first K - 1 sizes with the exact information above (a few steps
# from that start), and an EM step (w = mean posterior at w, which never
# lowers the likelihood and keeps w in the simplex) wherever Newton's step
# would leave the simplex, lower the likelihood or the information is
# singular; stops when no size moves by more than `tol`.
shares_newton <- function(r, w, n = rep(1, nrow(r)), tol = 1e-10, maxiter = 2000L) {
  K <- ncol(r)
  if (K == 1L) return(list(w = 1, se = 0))
  A <- rbind(diag(K - 1L), -1)
  ll <- function(v) sum(n * log(drop(r %*% v)))
  cur <- ll(w)
  for (it in seq_len(maxiter)) {
    fw <- drop(r %*% w)
    f <- r / fw
    s <- f[, -K, drop = FALSE] - f[, K]
    info <- crossprod(s * sqrt(n))
    step <- tryCatch(drop(A %*% solve(info, colSums(s * n))), error = function(e) NULL)
    new <- if (!is.null(step)) w + step
    if (is.null(new) || any(new < 0) || ll(new) < cur - 1e-12) {
      new <- colSums(f * n * rep(w, each = nrow(f))) / sum(n)
    }
    done <- max(abs(new - w)) < tol
    w <- new
    cur <- ll(w)
    if (done) break
  }
  f <- r / drop(r %*% w)
  s <- f[, -K, drop = FALSE] - f[, K]
  V <- tryCatch(A %*% solve(crossprod(s * sqrt(n))) %*% t(A), error = function(e) NULL)
  list(w = w, se = if (is.null(V)) rep(NA_real_, K) else sqrt(pmax(diag(V), 0)))
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

#' Posterior class probabilities under the episodes' own class sizes
#'
#' Each episode's probabilities of belonging to each class, for the episodes
#' of `data` (for example one council's episodes of a model fitted to
#' several councils pooled), computed by Bayes' rule with the model's item
#' probabilities and the class sizes of these episodes themselves: the sizes
#' of [class_shares()] (maximum likelihood with the item probabilities
#' held), not the model's sizes. \eqn{P(k \mid y_i) \propto \pi_k P(y_i \mid k)}
#' with \eqn{\pi} the episodes' own sizes. The posteriors under the model's
#' sizes ([predict()]) pull a council's counts towards the pooled sizes;
#' these do not, and their mean over the rows is exactly the council's
#' shares (the maximum likelihood estimate is a fixed point of the mean
#' posterior), so tables counted with them ([class_crosstab()],
#' [class_profile()]) have category totals equal to [class_shares()] times
#' the number of episodes. On the data the model was fitted to (without
#' groups) the sizes are the model's own and these are the model's
#' posteriors.
#'
#' @inheritParams class_shares
#' @param data Episode table with the model's item columns.
#' @return A matrix, one row per row of `data` and one column per class
#'   (named by the class names set by [name_classes()], else the class
#'   labels), with attribute `sizes`: the class sizes used (a named vector).
#' @family profiling
#' @export
#' @examples
#' d <- simulate_lca(n = 2000, seed = 3)
#' fit <- lca(d[1:8], k = 3, seed = 1, verbose = FALSE)
#' p <- class_posterior(fit, d[1:500, ])
#' colMeans(p)
#' attr(p, "sizes")
class_posterior <- function(fit, data) {
  check_lca_fit(fit)
  check_episodes(data, arg = "data")
  post <- stats::predict(fit, newdata = data, type = "posterior")
  w <- own_sizes(post, model_prior(fit, data))
  out <- own_reweight(post, model_prior(fit, data), w)
  nm <- unname(class_labels(fit))
  colnames(out) <- nm
  attr(out, "sizes") <- stats::setNames(w, nm)
  out
}

# The rows' own class sizes (maximum likelihood, item probabilities held)
# from their posteriors `post` under the sizes `prior` (rows x K); `n`
# optional row weights (rows of weight 0 are left out).
own_sizes <- function(post, prior, n = rep(1, nrow(post))) {
  r <- post / prior
  r[!is.finite(r)] <- 0
  keep <- n > 0 & rowSums(r) > 0
  r <- r[keep, , drop = FALSE]
  n <- n[keep]
  shares_newton(r, colSums(post[keep, , drop = FALSE] * n) / sum(n), n = n)$w
}

# Bayes' rule again with the sizes w: posterior_ik proportional to
# w_k P(y_i | k) = w_k post_ik / prior_ik.
own_reweight <- function(post, prior, w) {
  r <- post / prior
  r[!is.finite(r)] <- 0
  p <- r * rep(w, each = nrow(r))
  p / rowSums(p)
}
