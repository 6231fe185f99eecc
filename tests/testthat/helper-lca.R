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

# Shared by test-lca-groups.R (configural fits, alignment) and
# test-validate-invariance.R (the partial-invariance search and pooling).
truth_probs <- rbind(c(.9, .8, .1, .1, .2, .1, .7), c(.1, .2, .9, .8, .1, .2, .6),
                     c(.1, .1, .2, .1, .9, .9, .1))

# Groups drawn from one set of classes, each group's classes listed in its
# own (permuted) order, with sizes per group.
permuted_groups <- function(n = c(900, 700, 500), seed = 1, order = list(1:3, c(3, 1, 2), c(2, 3, 1)),
                            sizes = list(c(.5, .3, .2), c(.3, .4, .3), c(.2, .3, .5))) {
  out <- lapply(seq_along(n), function(g) {
    o <- order[[g]]
    d <- simulate_lca(n[g], probs = truth_probs[o, ], class_size = sizes[[g]][o], seed = seed + g)
    d$la <- LETTERS[g]
    d
  })
  do.call(rbind, out)
}

# Six councils from one set of classes; `differ` gives (group, item, the
# item's probabilities in that group for classes 1-3) for the pairs that differ.
six_councils <- function(seed, differ = list(), n = c(1500, 1200, 1000, 900, 800, 700)) {
  do.call(rbind, lapply(seq_along(n), function(g) {
    p <- truth_probs
    for (dd in differ) if (dd$g == g) p[, dd$j] <- dd$p
    d <- simulate_lca(n[g], probs = p, class_size = c(.5, .3, .2), seed = seed + g)
    d$la <- LETTERS[g]
    d
  }))
}
three_pairs <- list(list(g = 1, j = 5, p = c(.6, .5, .95)), list(g = 1, j = 2, p = c(.5, .6, .5)),
                    list(g = 3, j = 7, p = c(.3, .9, .5)))
