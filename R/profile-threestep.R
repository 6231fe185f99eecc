#' Give each episode its class
#'
#' Adds the modal class (the class with the highest posterior probability)
#' to the episode table, as a factor labelled with the class names set by
#' [name_classes()] (or "Class 1", ...), ready for [class_profile()],
#' [class_pathways()], [class_trends()] and [class_by_group()]. Optionally
#' adds the posterior probabilities too.
#'
#' Modal assignment misclassifies some episodes (see the `class_error` column
#' of `glance(fit)`), which pulls differences between classes towards zero;
#' use [class_outcome()] for bias-corrected class-outcome relations.
#'
#' @param fit A model from [lca()].
#' @param data The episode table with the model's item columns.
#' @param column Name of the new class column (default `"class"`).
#' @param posterior Also add columns `.prob_1`, ... with the posterior class
#'   probabilities (default `FALSE`).
#' @return `data` with the class column (a factor) added.
#' @family profiling
#' @export
#' @examples
#' d <- simulate_lca(n = 1000, seed = 3)
#' fit <- lca(d, k = 3, seed = 1, verbose = FALSE)
#' d <- class_assign(fit, d)
#' table(d$class)
class_assign <- function(fit, data, column = "class", posterior = FALSE) {
  check_lca_fit(fit)
  check_episodes(data, arg = "data")
  check_flag(posterior)
  if (!is.character(column) || length(column) != 1L || is.na(column) || !nzchar(column)) {
    abort_input("{.arg column} must be one column name.", class = "cscdemand_error_column")
  }
  post <- stats::predict(fit, newdata = data, type = "posterior")
  lab <- class_labels(fit)
  data[[column]] <- factor(unname(lab)[max.col(post, ties.method = "first")], levels = unname(lab))
  if (posterior) {
    for (k in seq_len(ncol(post))) data[[paste0(".prob_", k)]] <- post[, k]
  }
  data
}

#' Relate latent classes to an outcome, correcting for classification error
#'
#' Estimates the distribution of a categorical outcome (or characteristic)
#' within each latent class, \eqn{P(Z = l \mid X = t)}, by four methods:
#'
#' * `"modal"`: cross-tabulate the outcome by modal class. Misclassified
#'   episodes pull the classes together, so differences are understated when
#'   the entropy is modest.
#' * `"proportional"`: weight each episode by its posterior probabilities.
#'   Also biased towards zero differences, as the outcome was not in the model.
#' * `"bch"`: the BCH correction (Bolck, Croon and Hagenaars 2004; Vermunt
#'   2010). With \eqn{D_{ts} = P(W = s \mid X = t)} the classification error
#'   matrix (true class \eqn{t}, modal class \eqn{s}), estimated from the
#'   posteriors, an episode with modal class \eqn{s} gets weight
#'   \eqn{(D^{-1})_{st}} for class \eqn{t}; the weighted outcome proportions
#'   are unbiased. Weights can be negative, so estimates can fall slightly
#'   outside 0..1 in small classes.
#' * `"ml"`: Vermunt's (2010) maximum likelihood correction: a latent class
#'   model for the modal class and the outcome in which the modal class is an
#'   indicator with error probabilities fixed at \eqn{D}, fitted by EM on the
#'   modal class by outcome table. Standard errors from the observed
#'   information (numerical Hessian) and the delta method. The model for the
#'   modal class and one categorical outcome is saturated, so the ML and BCH
#'   estimates coincide whenever the BCH estimates lie inside 0..1; ML keeps
#'   them in range when BCH would not (weak separation, small classes).
#'
#' Standard errors of the modal, proportional and BCH estimates are
#' linearisation (sandwich) errors of a weighted proportion, treating the
#' weights (and \eqn{D}) as fixed, as in Vermunt (2010); intervals are
#' estimate \eqn{\pm z} SE. They treat the first step (the latent class
#' model, and so \eqn{D}) as known, so they are too small when the entropy
#' is low: in `bench/accuracy-threestep.R`, 95% intervals of the BCH and ML
#' estimates covered the truth in 90% to 100% of replicates at entropy 0.83 but
#' in 46% to 94% at entropy 0.44. Missing outcomes are a level of their own,
#' `"(missing)"`.
#'
#' Small numbers: the modal estimates times the class sizes give counts, so
#' for every method the estimates of a class and outcome level whose modal
#' count (episodes with that modal class and level) is from 1 to
#' `threshold - 1` are suppressed (set to `NA`), with secondary suppression
#' on the table of modal class by outcome, whose rows add up to the class
#' sizes and columns to the outcome totals, as in [class_profile()].
#'
#' @inheritParams class_assign
#' @param outcome Name of the outcome column in `data` (categorical: a factor,
#'   text, 0/1 or logical).
#' @param method One or more of `"bch"`, `"ml"`, `"proportional"`, `"modal"`
#'   (default: all four).
#' @param level Confidence level (default 0.95).
#' @param threshold Small-number threshold (default 10; 0 turns suppression
#'   off).
#' @return A data frame of class `cscdemand_class_outcome` with columns
#'   `method`, `class`, `outcome` (the level), `estimate`, `se`, `lower`,
#'   `upper`, `suppressed`; attribute `D` holds the classification error matrix. `plot()`
#'   draws the estimates with their intervals, one colour per method.
#' @references
#' Bolck A, Croon M, Hagenaars J (2004). Estimating latent structure models
#' with categorical variables: one-step versus three-step estimators.
#' *Political Analysis* 12, 3-27.
#'
#' Vermunt JK (2010). Latent class modeling with covariates: two improved
#' three-step approaches. *Political Analysis* 18, 450-469.
#' @family profiling
#' @export
#' @examples
#' d <- simulate_lca(n = 2000, seed = 3)
#' d$cp_plan <- rbinom(nrow(d), 1, c(0.05, 0.2, 0.5)[d$.class])
#' fit <- lca(d[1:8], k = 3, seed = 1, verbose = FALSE)
#' est <- class_outcome(fit, d, "cp_plan")
#' est[est$outcome == "1", ]
#' plot(est)
class_outcome <- function(fit, data, outcome, method = c("bch", "ml", "proportional", "modal"),
                          level = 0.95, threshold = 10) {
  check_lca_fit(fit)
  check_episodes(data, arg = "data")
  check_column(data, outcome)
  method <- rlang::arg_match(method, multiple = TRUE)
  check_number(level, min = 0.5, max = 0.9999)
  check_threshold(threshold)
  if (fit$k < 2L) {
    abort_input("A class-outcome relation needs a model with at least 2 classes.",
                class = "cscdemand_error_class")
  }
  z <- characteristic_factor(data[[outcome]])
  if (nlevels(z) < 2L) {
    abort_input(c("Outcome {.field {outcome}} has only one level ({.val {levels(z)}}).",
                  i = "Choose an outcome that varies between episodes."),
                class = "cscdemand_error_one_level")
  }
  post <- stats::predict(fit, newdata = data, type = "posterior")
  res <- three_step(post, z, method, level)
  W <- factor(max.col(post, ties.method = "first"), levels = seq_len(fit$k))
  modal_n <- as.data.frame.matrix(table(W, z))
  mask <- attr(publish_table(modal_n, names(modal_n), threshold), "suppressed")
  res$suppressed <- mask[cbind(res$class, match(res$outcome, levels(z)))]
  res[res$suppressed, c("estimate", "se", "lower", "upper")] <- NA
  lab <- class_labels(fit)
  res$class <- factor(unname(lab)[res$class], levels = unname(lab))
  structure(res, class = c("cscdemand_class_outcome", "data.frame"), D = attr(res, "D"))
}

# The engine, on a posterior matrix and an outcome factor (no fit needed).
three_step <- function(post, z, method, level = 0.95) {
  K <- ncol(post)
  L <- nlevels(z)
  zq <- stats::qnorm(1 - (1 - level) / 2)
  W <- max.col(post, ties.method = "first")
  Y <- indicator_matrix(z)
  D <- error_matrix(post, W)
  out <- list()
  wmean <- function(w, m) {
    est <- se <- matrix(NA_real_, K, L)
    for (t in seq_len(K)) {
      sw <- sum(w[, t])
      est[t, ] <- colSums(w[, t] * Y) / sw
      for (l in seq_len(L)) se[t, l] <- sqrt(sum(w[, t]^2 * (Y[, l] - est[t, l])^2)) / abs(sw)
    }
    list(est = est, se = se, method = m)
  }
  for (m in method) {
    r <- switch(m,
      modal = wmean(outer(W, seq_len(K), `==`) * 1, m),
      proportional = wmean(post, m),
      bch = wmean(solve(D)[W, , drop = FALSE], m),
      ml = three_step_ml(W, z, D, post)
    )
    out[[m]] <- data.frame(method = m, class = rep(seq_len(K), L),
                           outcome = rep(levels(z), each = K), estimate = as.vector(r$est),
                           se = as.vector(r$se), stringsAsFactors = FALSE)
  }
  res <- do.call(rbind, out)
  res$lower <- res$estimate - zq * res$se
  res$upper <- res$estimate + zq * res$se
  rownames(res) <- NULL
  attr(res, "D") <- D
  res
}

# D[t, s] = P(modal class s | true class t), from the posteriors.
error_matrix <- function(post, W) {
  K <- ncol(post)
  D <- vapply(seq_len(K), function(s) colSums(post[W == s, , drop = FALSE]), numeric(K))
  D <- D / rowSums(D)
  dimnames(D) <- list(true = colnames(post), modal = colnames(post))
  D
}

# Vermunt's ML three-step for a distal outcome: EM on the W x Z table with
# the W-given-X probabilities fixed at D.
three_step_ml <- function(W, z, D, post, maxiter = 10000, tol = 1e-12) {
  K <- ncol(D)
  L <- nlevels(z)
  n <- as.matrix(table(factor(W, levels = seq_len(K)), z))
  pi <- colMeans(post)
  p <- matrix(colSums(n) / sum(n), K, L, byrow = TRUE)
  ll_of <- function(pi, p) {
    cell <- t(D) %*% (pi * p)  # S x L: sum_t D[t,s] pi_t p_t(l)
    sum(n[n > 0] * log(cell[n > 0]))
  }
  ll_old <- -Inf
  converged <- FALSE
  for (it in seq_len(maxiter)) {
    cell <- t(D) %*% (pi * p)
    # E-step and M-step: expected counts of (t, l).
    m <- matrix(0, K, L)
    for (l in seq_len(L)) {
      r <- ifelse(cell[, l] > 0, n[, l] / cell[, l], 0)   # per modal class s
      m[, l] <- pi * p[, l] * as.vector(D %*% r)
    }
    pi <- rowSums(m) / sum(m)
    p <- m / rowSums(m)
    ll <- ll_of(pi, p)
    if (abs(ll - ll_old) < tol * (1 + abs(ll))) {
      converged <- TRUE
      break
    }
    ll_old <- ll
  }
  if (!converged) {
    warn_cscdemand(c("The ML three-step estimates did not converge in {maxiter} EM iterations.",
                     i = "Their values are the last iteration's; compare them with {.code method = \"bch\"}."),
                   class = "cscdemand_warning_convergence")
  }
  se <- ml_se(n, D, pi, p)
  list(est = p, se = se, method = "ml")
}

# Observed-information SEs of p_t(l) for the ML three-step, by a numerical
# Hessian in log-odds parameters and the delta method. NA where the estimate
# is on the boundary.
ml_se <- function(n, D, pi, p) {
  K <- nrow(p)
  L <- ncol(p)
  if (any(p < 1e-8) || any(pi < 1e-8)) return(matrix(NA_real_, K, L))
  unpack <- function(th) {
    a <- c(0, th[seq_len(K - 1L)])
    pi <- exp(a - max(a)); pi <- pi / sum(pi)
    b <- matrix(th[-seq_len(K - 1L)], K, L - 1L)
    p <- t(apply(cbind(0, b), 1, function(v) { e <- exp(v - max(v)); e / sum(e) }))
    if (L == 1L) p <- t(p)
    list(pi = pi, p = p)
  }
  negll <- function(th) {
    u <- unpack(th)
    cell <- t(D) %*% (u$pi * u$p)
    -sum(n[n > 0] * log(cell[n > 0]))
  }
  th <- c(log(pi[-1] / pi[1]), as.vector(log(p[, -1, drop = FALSE] / p[, 1])))
  H <- tryCatch(stats::optimHess(th, negll), error = function(e) NULL)
  V <- if (is.null(H)) NULL else tryCatch(solve(H), error = function(e) NULL)
  if (is.null(V) || any(!is.finite(V)) || any(diag(V) < 0)) return(matrix(NA_real_, K, L))
  g <- function(th) as.vector(unpack(th)$p)
  h <- 1e-5
  J <- vapply(seq_along(th), function(i) {
    e <- replace(numeric(length(th)), i, h)
    (g(th + e) - g(th - e)) / (2 * h)
  }, numeric(K * L))
  matrix(sqrt(pmax(0, rowSums((J %*% V) * J))), K, L)
}

#' @rdname class_outcome
#' @param x A result of `class_outcome()`.
#' @param ... Unused.
#' @export
plot.cscdemand_class_outcome <- function(x, ...) {
  d <- as.data.frame(unclass(x), stringsAsFactors = FALSE)
  d$method <- factor(d$method, levels = c("modal", "proportional", "bch", "ml"))
  ggplot2::ggplot(d, ggplot2::aes(x = .data$class, y = .data$estimate, colour = .data$method)) +
    ggplot2::geom_pointrange(ggplot2::aes(ymin = .data$lower, ymax = .data$upper),
                             position = ggplot2::position_dodge(width = 0.5), na.rm = TRUE) +
    ggplot2::facet_wrap(ggplot2::vars(.data$outcome)) +
    ggplot2::scale_y_continuous(labels = function(v) paste0(100 * v, "%")) +
    ggplot2::labs(x = NULL, y = "Proportion in class", colour = "Method",
                  title = "Outcome by latent class") +
    ggplot2::theme_minimal() +
    ggplot2::theme(axis.text.x = ggplot2::element_text(angle = 30, hjust = 1))
}
