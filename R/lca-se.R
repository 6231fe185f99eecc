# Standard errors of a latent class model from the observed information.
#
# Unconstrained parameters: per group, class-size logits against class 1;
# per (item, parameter set, class), category logits against the first
# category. The observed information is minus the Hessian of the
# log-likelihood, computed exactly on the pattern table by Louis' identity
# (lca_info_observed()); lca_gradient() is the analytic score, which the tests
# difference numerically to check it. Probabilities get delta-method SEs.

# Unconstrained parameter vector of a fit (or of log-parameter matrices).
lca_theta <- function(logpi, logrho, blocks, ncat) {
  g <- as.vector(t(logpi[, -1, drop = FALSE] - logpi[, 1]))
  b <- unlist(lapply(seq_len(nrow(blocks)), function(i) {
    rows <- blocks$start[i] + seq_len(ncat[blocks$item[i]])
    lr <- logrho[rows, , drop = FALSE]
    as.vector(t(sweep(lr[-1, , drop = FALSE], 2, lr[1, ])))  # class-major within block
  }))
  c(g, b)
}

lca_unpack <- function(theta, G, K, blocks, ncat) {
  ng <- G * (K - 1L)
  gam <- matrix(theta[seq_len(ng)], G, K - 1L, byrow = TRUE)
  lp <- cbind(0, gam)
  logpi <- lp - apply(lp, 1, log_sum_exp_r)
  if (G == 1L) logpi <- matrix(logpi, 1)
  R <- sum(ncat[blocks$item])
  logrho <- matrix(0, R, K)
  pos <- ng
  for (i in seq_len(nrow(blocks))) {
    C <- ncat[blocks$item[i]]
    m <- (C - 1L) * K
    beta <- matrix(theta[pos + seq_len(m)], C - 1L, K, byrow = TRUE)
    pos <- pos + m
    lr <- rbind(0, beta)
    lr <- sweep(lr, 2, apply(lr, 2, log_sum_exp_r))
    logrho[blocks$start[i] + seq_len(C), ] <- lr
  }
  list(logpi = logpi, logrho = logrho)
}

log_sum_exp_r <- function(x) {
  m <- max(x)
  m + log(sum(exp(x - m)))
}

# Analytic gradient of the log-likelihood with respect to theta.
lca_gradient <- function(theta, pt, K, set_of, blocks) {
  G <- length(pt$group_levels)
  par <- lca_unpack(theta, G, K, blocks, pt$ncat)
  sc <- cpp_lca_posterior(pt$y, pt$ncat, pt$group, G, set_of, par$logpi, par$logrho)
  wpost <- sc$posterior * pt$n  # P x K
  pig <- exp(par$logpi)
  gg <- rowsum(wpost, pt$group, reorder = TRUE)  # G x K
  gN <- as.numeric(rowsum(pt$n, pt$group, reorder = TRUE))
  ggrad <- gg - pig * gN
  out_g <- as.vector(t(ggrad[, -1, drop = FALSE]))
  out_b <- unlist(lapply(seq_len(nrow(blocks)), function(i) {
    j <- blocks$item[i]
    s <- blocks$set[i]
    C <- pt$ncat[j]
    use <- set_of[j, pt$group] == s & !is.na(pt$y[, j])
    yj <- pt$y[use, j]
    w <- wpost[use, , drop = FALSE]
    Nc <- rowsum(w, factor(yj, levels = seq_len(C)), reorder = TRUE)  # C x K
    Nc[is.na(Nc)] <- 0
    M <- colSums(w)
    rho <- exp(par$logrho[blocks$start[i] + seq_len(C), , drop = FALSE])
    gr <- Nc - sweep(rho, 2, M, `*`)
    as.vector(t(gr[-1, , drop = FALSE]))
  }))
  c(out_g, out_b)
}

#' Standard errors of a latent class model
#'
#' Standard errors of the class sizes and item-response probabilities, by the
#' delta method from the covariance matrix of the logit parameters. Three
#' estimates of that covariance matrix are offered:
#' * `"observed"` (default): the inverse of the observed information, minus
#'   the Hessian of the log-likelihood, computed exactly from the response
#'   patterns (Louis' identity: the complete-data information minus the
#'   information lost by not observing the classes), so its cost grows with
#'   the number of distinct patterns, not of episodes. The usual choice for
#'   maximum likelihood.
#' * `"opg"`: the inverse of the outer product of the per-episode scores
#'   (the BHHH estimate), as poLCA reports. It estimates the same matrix as
#'   `"observed"` when the model is right; in small samples the two differ
#'   (on poLCA's carcinoma data, n = 118, by up to about 12%).
#' * `"sandwich"`: `H^-1 B H^-1` with `H` the observed information and `B`
#'   the outer product: robust when the model is wrong (for example, local
#'   dependence between items).
#'
#' Multi-group models give the overall class sizes (weighted by group size)
#' with delta-method standard errors over every group's class sizes.
#' Parameters at the boundary (probability 0 or 1, logit beyond +/-15) have no
#' finite standard error: they get `NA`, the column `note` says why, and a
#' message counts them; [lca_bootstrap()] gives intervals for them.
#'
#' @param fit A model from [lca()].
#' @param level Confidence level for the intervals (computed on the logit
#'   scale and transformed back, so they stay inside 0 to 1).
#' @param type `"observed"`, `"opg"` or `"sandwich"` (see Details).
#' @return A data frame like [tidy()][lca-tidiers] with `std.error`,
#'   `conf.low`, `conf.high` and `note`, and an attribute `"vcov"`: the
#'   covariance matrix of the logit parameters.
#' @family latent class models
#' @export
#' @examples
#' d <- simulate_lca(n = 2000, seed = 1)
#' fit <- lca(d, k = 3, seed = 1, verbose = FALSE)
#' head(lca_se(fit))
#' head(lca_se(fit, type = "opg"))
lca_se <- function(fit, level = 0.95, type = c("observed", "opg", "sandwich")) {
  check_lca_fit(fit)
  type <- rlang::arg_match(type)
  pt <- fit$patterns
  K <- fit$k
  set_of <- fit$par$set_of
  blocks <- param_blocks(pt$ncat, set_of)
  theta <- lca_theta(fit$par$logpi, fit$par$logrho, blocks, pt$ncat)
  bound <- !is.finite(theta) | abs(theta) > 15
  theta[!is.finite(theta)] <- sign(theta[!is.finite(theta)]) * 30
  free <- which(!bound)
  V <- lca_vcov(theta, free, pt, K, set_of, blocks, type)
  se <- lca_delta_se(fit, V, blocks)
  td <- lca_se_table(fit, se, blocks, level)
  attr(td, "vcov") <- V
  td
}

# Covariance of the logit parameters (NA rows/columns for boundary ones).
lca_vcov <- function(theta, free, pt, K, set_of, blocks, type) {
  m <- length(theta)
  info_obs <- function() lca_info_observed(theta, pt, K, set_of, blocks)[free, free, drop = FALSE]
  info_opg <- function() {
    S <- lca_scores(theta, pt, K, set_of, blocks)[, free, drop = FALSE]
    crossprod(S, S * pt$n)
  }
  inv <- function(A) tryCatch(solve(A), error = function(e) NULL)
  Vf <- switch(type,
    observed = inv(info_obs()),
    opg = inv(info_opg()),
    sandwich = {
      Hi <- inv(info_obs())
      if (is.null(Hi)) NULL else Hi %*% info_opg() %*% Hi
    })
  V <- matrix(NA_real_, m, m)
  if (is.null(Vf) || any(diag(Vf) < 0)) {
    warn_cscdemand(c("The information matrix is singular: standard errors are not available.",
                     i = "The model may be over-fitted or not identified; try fewer classes."),
                   class = "cscdemand_warning_se")
  } else {
    V[free, free] <- Vf
  }
  V
}

# The observed information (minus the Hessian of the log-likelihood) at theta,
# exactly, by Louis' identity on the pattern table: with s_pk the complete-data
# score of pattern p in class k, s_p = sum_k post_pk s_pk its observed score
# and A the expected complete-data information,
#   I = A - sum_p n_p [sum_k post_pk s_pk s_pk' - s_p s_p'].
# s_pk is zero outside the class sizes of p's group and class k's item
# parameters, so each (group, class) adds a small block. Cost: a few
# cross-products over the patterns, instead of 2 x (number of parameters)
# score evaluations for a numerical Hessian.
lca_info_observed <- function(theta, pt, K, set_of, blocks) {
  G <- length(pt$group_levels)
  par <- lca_unpack(theta, G, K, blocks, pt$ncat)
  post <- cpp_lca_posterior(pt$y, pt$ncat, pt$group, G, set_of, par$logpi, par$logrho)$posterior
  S <- lca_scores(theta, pt, K, set_of, blocks)
  m <- length(theta)
  info <- matrix(0, m, m)
  pig <- exp(par$logpi)
  nb <- nrow(blocks)
  C1 <- pt$ncat[blocks$item] - 1L
  pos <- G * (K - 1L) + c(0L, cumsum(C1 * K))[seq_len(nb)]
  for (g in seq_len(G)) {
    rows <- which(pt$group == g)
    if (!length(rows)) next
    n <- pt$n[rows]
    gcols <- if (K > 1L) (g - 1L) * (K - 1L) + seq_len(K - 1L) else integer()
    blk <- which(blocks$set == set_of[cbind(blocks$item, g)])
    icols <- unlist(lapply(blk, function(i) pos[i] + seq_len(C1[i] * K)))
    cols <- c(gcols, icols)
    Sg <- S[rows, cols, drop = FALSE]
    info[cols, cols] <- info[cols, cols] + crossprod(Sg, Sg * n)  # + sum n s_p s_p'
    if (K > 1L) {  # expected complete-data information of the class sizes
      p1 <- pig[g, -1]
      info[gcols, gcols] <- info[gcols, gcols] + sum(n) * (diag(p1, K - 1L) - tcrossprod(p1))
    }
    for (k in seq_len(K)) {
      w <- n * post[rows, k]
      cls <- lca_class_scores(pt, rows, k, K, blocks, blk, pos, C1, par$logrho,
                              if (K > 1L) pig[g, -1] else numeric())
      kc <- c(gcols, cls$cols)
      info[kc, kc] <- info[kc, kc] - crossprod(cls$S, cls$S * w) + cls$A(w)
    }
  }
  (info + t(info)) / 2
}

# Complete-data scores of the patterns `rows` in class k (columns: the group's
# class sizes, then class k's item parameters at `cols`) and a function giving
# the complete-data information of those item parameters for weights w.
lca_class_scores <- function(pt, rows, k, K, blocks, blk, pos, C1, logrho, p1) {
  gs <- if (K > 1L) matrix(-p1, length(rows), K - 1L, byrow = TRUE) else matrix(0, length(rows), 0)
  if (k > 1L) gs[, k - 1L] <- gs[, k - 1L] + 1
  parts <- lapply(blk, function(i) {
    j <- blocks$item[i]
    yj <- pt$y[rows, j]
    rho <- exp(logrho[blocks$start[i] + seq_len(C1[i] + 1L), k])
    obs <- !is.na(yj)
    sc <- vapply(seq_len(C1[i]) + 1L, function(c) obs * ((yj %in% c) - rho[c]), numeric(length(rows)))
    list(S = matrix(sc, length(rows)), cols = pos[i] + (seq_len(C1[i]) - 1L) * K + k,
         rho = rho[-1], obs = obs)
  })
  S <- cbind(gs, do.call(cbind, lapply(parts, `[[`, "S")))
  cols <- unlist(lapply(parts, `[[`, "cols"))
  A <- function(w) {  # block-diagonal: one multinomial-logit block per item
    out <- matrix(0, ncol(S), ncol(S))
    at <- ncol(gs)
    for (pr in parts) {
      ix <- at + seq_along(pr$rho)
      out[ix, ix] <- sum(w[pr$obs]) * (diag(pr$rho, length(pr$rho)) - tcrossprod(pr$rho))
      at <- at + length(pr$rho)
    }
    out
  }
  list(S = S, cols = cols, A = A)
}

# Per-episode scores (one row per pattern, one column per logit parameter,
# in the order of lca_theta()): the summands of lca_gradient().
lca_scores <- function(theta, pt, K, set_of, blocks) {
  G <- length(pt$group_levels)
  par <- lca_unpack(theta, G, K, blocks, pt$ncat)
  post <- cpp_lca_posterior(pt$y, pt$ncat, pt$group, G, set_of, par$logpi, par$logrho)$posterior
  S <- matrix(0, nrow(pt$y), length(theta))
  pig <- exp(par$logpi)
  for (g in seq_len(G)) {
    rows <- which(pt$group == g)
    cols <- (g - 1L) * (K - 1L) + seq_len(K - 1L)
    if (K > 1L) {
      S[rows, cols] <- post[rows, -1, drop = FALSE] -
        matrix(pig[g, -1], length(rows), K - 1L, byrow = TRUE)
    }
  }
  pos <- G * (K - 1L)
  for (i in seq_len(nrow(blocks))) {
    j <- blocks$item[i]
    C <- pt$ncat[j]
    use <- which(set_of[j, pt$group] == blocks$set[i] & !is.na(pt$y[, j]))
    rho <- exp(par$logrho[blocks$start[i] + seq_len(C), , drop = FALSE])
    for (c in seq_len(C)[-1]) {
      for (k in seq_len(K)) {
        S[use, pos + (c - 2L) * K + k] <- post[use, k] * ((pt$y[use, j] == c) - rho[c, k])
      }
    }
    pos <- pos + (C - 1L) * K
  }
  S
}

# Delta-method SEs of the class sizes (per group and overall) and of the
# item-response probabilities, from V (logit scale).
lca_delta_se <- function(fit, V, blocks) {
  pt <- fit$patterns
  K <- fit$k
  G <- length(pt$group_levels)
  jac <- function(p) {  # d softmax / d logits (reference category 1)
    Jm <- -outer(p, p[-1])
    Jm[cbind(2:length(p), seq_len(length(p) - 1L))] <- p[-1] * (1 - p[-1])
    Jm
  }
  gN <- as.numeric(tapply(pt$n, factor(pt$group, levels = seq_len(G)), sum))
  gN[is.na(gN)] <- 0
  ng <- G * (K - 1L)
  J_all <- matrix(0, K, max(ng, 1L))
  se_pi <- matrix(if (K == 1L) 0 else NA_real_, G, K)
  for (g in seq_len(G)) {
    if (K == 1L) next
    idx <- (g - 1L) * (K - 1L) + seq_len(K - 1L)
    Jm <- jac(exp(fit$par$logpi[g, ]))
    se_pi[g, ] <- sqrt(pmax(0, diag(Jm %*% V[idx, idx, drop = FALSE] %*% t(Jm))))
    J_all[, idx] <- Jm * gN[g] / sum(gN)
  }
  se_overall <- if (K == 1L) rep(0, K) else {
    sqrt(pmax(0, diag(J_all %*% V[seq_len(ng), seq_len(ng), drop = FALSE] %*% t(J_all))))
  }
  pos <- ng
  se_rho <- matrix(NA_real_, nrow(fit$par$logrho), K)
  for (i in seq_len(nrow(blocks))) {
    C <- pt$ncat[blocks$item[i]]
    rows <- blocks$start[i] + seq_len(C)
    for (k in seq_len(K)) {
      idx <- pos + (seq_len(C - 1L) - 1L) * K + k
      Jm <- jac(exp(fit$par$logrho[rows, k]))
      se_rho[rows, k] <- sqrt(pmax(0, diag(Jm %*% V[idx, idx, drop = FALSE] %*% t(Jm))))
    }
    pos <- pos + (C - 1L) * K
  }
  list(pi = se_pi, overall = se_overall, rho = se_rho)
}

# Assembled in the order of tidy(): overall class sizes, then item
# probabilities of parameter set 0.
lca_se_table <- function(fit, se, blocks, level) {
  pt <- fit$patterns
  td <- tidy.cscdemand_lca(fit)
  td$std.error <- NA_real_
  is_size <- td$type == "class size"
  td$std.error[is_size] <- se$overall[match(td$class[is_size], names(fit$class_size))]
  b0 <- blocks[blocks$set == 0L, ]
  for (j in seq_along(pt$items)) {
    rows <- b0$start[b0$item == j] + seq_len(pt$ncat[j])
    sel <- which(td$item == pt$items[j])
    cat_i <- match(td$category[sel], pt$levels[[j]])
    cls_i <- match(td$class[sel], names(fit$class_size))
    td$std.error[sel] <- se$rho[cbind(rows[cat_i], cls_i)]
  }
  eps <- fit$control$boundary %||% 1e-6
  at_bound <- !is_size & (td$estimate < eps | td$estimate > 1 - eps)
  td$std.error[at_bound] <- NA_real_
  td$note <- ifelse(at_bound, "boundary: estimate at 0 or 1, no finite standard error", "")
  if (any(at_bound)) {
    cli::cli_inform(c(i = "{sum(at_bound)} estimate{?s} {?is/are} on the boundary (0 or 1): standard error{?s} {?is/are} {.code NA} (see column {.field note}).",
                      " " = "Use {.fn lca_bootstrap} for intervals that include them."),
                    class = "cscdemand_message_boundary")
  }
  z <- stats::qnorm(1 - (1 - level) / 2)
  est <- pmin(pmax(td$estimate, 1e-12), 1 - 1e-12)
  lse <- td$std.error / (est * (1 - est))
  td$conf.low <- stats::plogis(stats::qlogis(est) - z * lse)
  td$conf.high <- stats::plogis(stats::qlogis(est) + z * lse)
  td <- td[c(setdiff(names(td), "note"), "note")]
  attr(td, "vcov") <- NULL
  td
}
