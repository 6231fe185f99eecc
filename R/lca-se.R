# Standard errors of a latent class model from the observed information.
#
# Unconstrained parameters: per group, class-size logits against class 1;
# per (item, parameter set, class), category logits against the first
# category. The observed information is minus the Hessian of the
# log-likelihood, obtained by central differences of the analytic gradient
# (score) computed on the pattern table. Probabilities get delta-method SEs.

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
#' Standard errors from the observed information matrix (minus the Hessian of
#' the log-likelihood in the logit parameterisation, by central differences of
#' the analytic score), with delta-method standard errors for the class sizes
#' and item-response probabilities. Parameters at the boundary (probability 0
#' or 1) have no finite standard error and are returned as `NA`.
#'
#' @param fit A model from [lca()].
#' @param level Confidence level for the intervals (computed on the logit
#'   scale and transformed back, so they stay inside 0 to 1).
#' @return A data frame like [tidy()][lca-tidiers] with `std.error`,
#'   `conf.low` and `conf.high`, and an attribute `"vcov"`: the covariance
#'   matrix of the logit parameters.
#' @family latent class models
#' @export
#' @examples
#' d <- simulate_lca(n = 2000, seed = 1)
#' fit <- lca(d, k = 3, seed = 1, verbose = FALSE)
#' head(lca_se(fit))
lca_se <- function(fit, level = 0.95) {
  check_lca_fit(fit)
  pt <- fit$patterns
  K <- fit$k
  G <- length(pt$group_levels)
  set_of <- fit$par$set_of
  blocks <- param_blocks(pt$ncat, set_of)
  theta <- lca_theta(fit$par$logpi, fit$par$logrho, blocks, pt$ncat)
  m <- length(theta)
  bound <- !is.finite(theta) | abs(theta) > 15
  theta[!is.finite(theta)] <- sign(theta[!is.finite(theta)]) * 30
  H <- matrix(0, m, m)
  free <- which(!bound)
  for (i in free) {
    h <- 1e-4 * max(1, abs(theta[i]))
    tp <- theta
    tm <- theta
    tp[i] <- tp[i] + h
    tm[i] <- tm[i] - h
    H[, i] <- (lca_gradient(tp, pt, K, set_of, blocks) -
                 lca_gradient(tm, pt, K, set_of, blocks)) / (2 * h)
  }
  H <- (H + t(H)) / 2
  V <- matrix(NA_real_, m, m)
  info <- -H[free, free, drop = FALSE]
  Vf <- tryCatch(solve(info), error = function(e) NULL)
  if (is.null(Vf) || any(diag(Vf) < 0)) {
    warn_cscdemand(c("The observed information matrix is singular: standard errors are not available.",
                     i = "The model may be over-fitted or not identified; try fewer classes."),
                   class = "cscdemand_warning_se")
  } else {
    V[free, free] <- Vf
  }
  z <- stats::qnorm(1 - (1 - level) / 2)
  # Delta method, block by block.
  ng <- G * (K - 1L)
  se_pi <- matrix(NA_real_, G, K)
  for (g in seq_len(G)) {
    idx <- (g - 1L) * (K - 1L) + seq_len(K - 1L)
    p <- exp(fit$par$logpi[g, ])
    Jm <- -outer(p, p[-1])
    Jm[cbind(2:K, seq_len(K - 1L))] <- p[-1] * (1 - p[-1])
    if (K > 1L) se_pi[g, ] <- sqrt(pmax(0, diag(Jm %*% V[idx, idx, drop = FALSE] %*% t(Jm))))
    else se_pi[g, ] <- 0
  }
  pos <- ng
  se_rho <- matrix(NA_real_, nrow(fit$par$logrho), K)
  for (i in seq_len(nrow(blocks))) {
    C <- pt$ncat[blocks$item[i]]
    rows <- blocks$start[i] + seq_len(C)
    for (k in seq_len(K)) {
      idx <- pos + (seq_len(C - 1L) - 1L) * K + k
      p <- exp(fit$par$logrho[rows, k])
      Jm <- -outer(p, p[-1])
      Jm[cbind(2:C, seq_len(C - 1L))] <- p[-1] * (1 - p[-1])
      se_rho[rows, k] <- sqrt(pmax(0, diag(Jm %*% V[idx, idx, drop = FALSE] %*% t(Jm))))
    }
    pos <- pos + (C - 1L) * K
  }
  # Assemble in the order of tidy(): overall class sizes (group 1 when G = 1),
  # then item probabilities of parameter set 0.
  td <- tidy.cscdemand_lca(fit)
  td$std.error <- NA_real_
  is_size <- td$type == "class size"
  if (G == 1L) td$std.error[is_size] <- se_pi[1, ]
  b0 <- blocks[blocks$set == 0L, ]
  for (j in seq_along(pt$items)) {
    rows <- b0$start[b0$item == j] + seq_len(pt$ncat[j])
    sel <- which(td$item == pt$items[j])
    cat_i <- match(td$category[sel], pt$levels[[j]])
    cls_i <- match(td$class[sel], names(fit$class_size))
    td$std.error[sel] <- se_rho[cbind(rows[cat_i], cls_i)]
  }
  est <- pmin(pmax(td$estimate, 1e-12), 1 - 1e-12)
  lse <- td$std.error / (est * (1 - est))
  td$conf.low <- stats::plogis(stats::qlogis(est) - z * lse)
  td$conf.high <- stats::plogis(stats::qlogis(est) + z * lse)
  attr(td, "vcov") <- V
  td
}
