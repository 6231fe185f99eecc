# Fit statistics of a latent class model, computed from the pattern table.

fit_statistics <- function(fit) {
  pt <- fit$patterns
  n <- pt$n
  N <- sum(n)
  k <- fit$k
  ll <- fit$loglik
  npar <- fit$npar
  post <- fit$posterior
  modal <- max.col(post, ties.method = "first")
  # Relative entropy (1 = perfect separation).
  plogp <- ifelse(post > 0, post * log(post), 0)
  ent <- if (k > 1L) 1 - sum(n * -rowSums(plogp)) / (N * log(k)) else NA_real_
  cls <- classification_table(fit)
  avepp <- diag(cls) / rowSums(cls)
  size_n <- fit$class_size * N
  gsq <- gsquared(fit)
  data.frame(
    k = k, loglik = ll, npar = npar, nobs = N,
    AIC = -2 * ll + 2 * npar,
    BIC = -2 * ll + npar * log(N),
    SABIC = -2 * ll + npar * log((N + 2) / 24),
    CAIC = -2 * ll + npar * (log(N) + 1),
    entropy = ent,
    class_error = 1 - sum(diag(cls)) / N,
    min_avepp = if (k > 1L) min(avepp, na.rm = TRUE) else NA_real_,
    smallest_n = min(size_n), smallest_pct = 100 * min(fit$class_size),
    Gsq = gsq$Gsq, Chisq = gsq$Chisq, df = gsq$df,
    n_best = fit$n_best, n_finished = fit$n_finished,
    converged = fit$converged,
    stringsAsFactors = FALSE
  )
}

# Modal class (rows) against latent class (columns): expected counts.
classification_table <- function(fit) {
  post <- fit$posterior
  n <- fit$patterns$n
  modal <- max.col(post, ties.method = "first")
  k <- fit$k
  tab <- matrix(0, k, k, dimnames = list(modal = colnames(post), latent = colnames(post)))
  for (m in seq_len(k)) {
    sel <- modal == m
    if (any(sel)) tab[m, ] <- colSums(post[sel, , drop = FALSE] * n[sel])
  }
  tab
}

# Likelihood-ratio (G^2) and Pearson statistics against the saturated
# multinomial model of the full cross-classification. Defined only when no
# item is missing; the Pearson statistic includes the expected counts of the
# patterns never observed.
gsquared <- function(fit) {
  pt <- fit$patterns
  if (anyNA(pt$y)) return(list(Gsq = NA_real_, Chisq = NA_real_, df = NA_real_))
  G <- length(pt$group_levels)
  gN <- as.numeric(tapply(pt$n, factor(pt$group, levels = seq_len(G)), sum))
  e <- gN[pt$group] * exp(fit$par$ll_pattern)
  o <- pt$n
  pos <- o > 0
  gsq <- 2 * sum(o[pos] * log(o[pos] / e[pos]))
  chisq <- sum((o - e)^2 / e) + (sum(gN) - sum(e))
  cells <- prod(as.numeric(pt$ncat))
  df <- G * (cells - 1) - fit$npar
  list(Gsq = gsq, Chisq = chisq, df = if (df > 0) df else NA_real_)
}

#' Bivariate residuals: local dependence between pairs of items
#'
#' For each pair of items, compares the observed two-way table with the table
#' expected under the latent class model (local independence given the
#' class). The bivariate residual is the Pearson statistic of that table
#' divided by its degrees of freedom, as in Latent GOLD; values well above
#' about 4 suggest the two items are related beyond what the classes explain.
#' Rows missing either item are left out of that pair's table (the model's
#' expected table uses the same rows).
#'
#' @param fit A fitted model from [lca()].
#' @return A data frame with one row per pair of items: `item1`, `item2`,
#'   `bvr`, `df`, ordered by decreasing `bvr`.
#' @family latent class models
#' @export
#' @examples
#' d <- simulate_lca(n = 1000, seed = 2)
#' fit <- lca(d, k = 3, seed = 1)
#' head(lca_bvr(fit))
lca_bvr <- function(fit) {
  check_lca_fit(fit)
  pt <- fit$patterns
  J <- length(pt$items)
  if (J < 2L) return(data.frame(item1 = character(), item2 = character(), bvr = numeric(), df = numeric()))
  n <- pt$n
  k <- fit$k
  # One-hot indicator of observed categories (P x sum C), and observed flags (P x J).
  offs <- c(0L, cumsum(pt$ncat))
  X <- matrix(0, nrow(pt$y), offs[J + 1L])
  for (j in seq_len(J)) {
    yj <- pt$y[, j]
    ok <- !is.na(yj)
    X[cbind(which(ok), offs[j] + yj[ok])] <- 1
  }
  Obs <- !is.na(pt$y)
  O <- crossprod(X * n, X)
  G <- length(pt$group_levels)
  pig <- exp(fit$par$logpi)  # G x K
  rho <- do.call(rbind, lapply(seq_len(J), function(j) t(fit$probs[[j]])))  # sumC x K
  E <- matrix(0, ncol(X), ncol(X))
  # Expand observed flags to category columns.
  Ocat <- Obs[, rep(seq_len(J), pt$ncat), drop = FALSE] * 1
  for (kk in seq_len(k)) {
    wk <- n * pig[pt$group, kk]
    Mk <- crossprod(Ocat * wk, Ocat)
    E <- E + Mk * tcrossprod(rho[, kk])
  }
  pairs <- utils::combn(J, 2)
  out <- lapply(seq_len(ncol(pairs)), function(i) {
    a <- pairs[1, i]
    b <- pairs[2, i]
    ra <- offs[a] + seq_len(pt$ncat[a])
    rb <- offs[b] + seq_len(pt$ncat[b])
    o <- O[ra, rb]
    e <- E[ra, rb]
    df <- (pt$ncat[a] - 1) * (pt$ncat[b] - 1)
    pos <- e > 0
    data.frame(item1 = pt$items[a], item2 = pt$items[b],
               bvr = sum((o[pos] - e[pos])^2 / e[pos]) / df, df = df,
               stringsAsFactors = FALSE)
  })
  out <- do.call(rbind, out)
  out <- out[order(-out$bvr), ]
  rownames(out) <- NULL
  out
}
