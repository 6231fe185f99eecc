# Reference tools for the latent class tests: a slow, plain-R EM written
# directly from the model's definition (no shared code with the C++ core),
# label matching, and closed forms.

# Log-likelihood of a latent class model on raw rows (data frame of integer
# categories 1..C, NA = missing), written from the definition.
ref_loglik <- function(y, size, probs, w = rep(1, nrow(y))) {
  K <- length(size)
  ll <- 0
  for (i in seq_len(nrow(y))) {
    f <- size
    for (j in seq_len(ncol(y))) {
      v <- y[i, j]
      if (!is.na(v)) f <- f * probs[[j]][, v]
    }
    ll <- ll + w[i] * log(sum(f))
  }
  ll
}

# One EM update on raw rows (for the fixed-point check).
ref_em_step <- function(y, size, probs, w = rep(1, nrow(y))) {
  K <- length(size)
  N <- nrow(y)
  post <- matrix(rep(size, each = N), N, K)
  for (j in seq_len(ncol(y))) {
    v <- y[, j]
    ok <- !is.na(v)
    post[ok, ] <- post[ok, ] * t(probs[[j]][, v[ok], drop = FALSE])
  }
  post <- post / rowSums(post)
  wp <- post * w
  size_new <- colSums(wp) / sum(w)
  probs_new <- lapply(seq_len(ncol(y)), function(j) {
    C <- ncol(probs[[j]])
    v <- y[, j]
    ok <- !is.na(v)
    m <- sapply(seq_len(C), function(c) colSums(wp[ok & v == c, , drop = FALSE]))
    if (K == 1) m <- matrix(m, nrow = 1)
    m / rowSums(m)
  })
  list(size = size_new, probs = probs_new)
}

# Integer codes 1..C of a fitted model's items from a data frame.
codes_of <- function(fit, data) {
  out <- sapply(fit$items, function(it) {
    x <- data[[it]]
    if (is.factor(x)) return(as.integer(x))
    if (identical(fit$levels[[it]], c("0", "1"))) return(as.integer(x) + 1L)
    as.integer(x)
  })
  matrix(out, nrow = nrow(data))
}

# Best permutation of classes of `b` to match `a` (both K x J matrices of
# probabilities): brute force for small K, greedy beyond.
match_classes <- function(a, b) {
  K <- nrow(a)
  perms <- function(v) {
    if (length(v) <= 1) return(list(v))
    out <- list()
    for (i in seq_along(v)) for (p in perms(v[-i])) out[[length(out) + 1]] <- c(v[i], p)
    out
  }
  if (K <= 6) {
    ps <- perms(seq_len(K))
    d <- vapply(ps, function(p) sum((a - b[p, , drop = FALSE])^2), numeric(1))
    return(ps[[which.min(d)]])
  }
  left <- seq_len(K)
  out <- integer(K)
  for (k in seq_len(K)) {
    d <- vapply(left, function(l) sum((a[k, ] - b[l, ])^2), numeric(1))
    out[k] <- left[which.min(d)]
    left <- setdiff(left, out[k])
  }
  out
}

# Stack item-response probabilities of a fit into one K x sum(C) matrix.
stack_probs <- function(probs) do.call(cbind, unname(probs))

poLCA_probs <- function(pl) lapply(pl$probs, function(m) unname(m))

poLCA_quiet <- function(...) {
  out <- NULL
  utils::capture.output(out <- suppressWarnings(poLCA::poLCA(..., verbose = FALSE)))
  out
}

# Muffles the "best value reached once" warning where a test is about something else.
quiet_starts <- function(expr) {
  withCallingHandlers(expr, cscdemand_warning_starts = function(w) invokeRestart("muffleWarning"))
}
