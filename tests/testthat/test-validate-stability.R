# lca_stability(): bootstrap stability with every resample fitted afresh.

stab_probs <- rbind(c(.9, .8, .1, .1, .2, .1), c(.1, .2, .9, .8, .1, .2),
                    c(.1, .1, .2, .1, .9, .9))

test_that("Jaccard agreement: hand values, and the set Jaccard for hard posteriors", {
  a <- rbind(c(1, 0), c(.5, .5), c(0, 1))
  n <- c(2, 1, 1)
  J <- class_jaccard(a, a, n)
  # by hand: classes 1 and 2 share only pattern 2 (min 0.5, once);
  # max is 1, 0.5, 1 on counts 2, 1, 1, so 0.5 / 3.5
  expect_equal(J, rbind(c(1, 1 / 7), c(1 / 7, 1)))
  # hard posteriors: the Jaccard index of two sets of episodes
  set.seed(1)
  P <- 40
  n <- sample(1:5, P, replace = TRUE)
  ca <- sample(1:3, P, replace = TRUE)
  cb <- sample(1:4, P, replace = TRUE)
  A <- diag(3)[ca, ]
  B <- diag(4)[cb, ]
  ep_a <- rep(ca, n)
  ep_b <- rep(cb, n)
  ids <- seq_along(ep_a)
  set_j <- outer(1:3, 1:4, Vectorize(function(c, d) {
    length(intersect(ids[ep_a == c], ids[ep_b == d])) / length(union(ids[ep_a == c], ids[ep_b == d]))
  }))
  expect_equal(class_jaccard(A, B, n), set_j)
})

test_that("stability agrees with its definition: a refit of each resample, matched by hand", {
  d <- simulate_lca(n = 1500, probs = stab_probs[1:2, ], class_size = c(.6, .4), seed = 11)
  fit <- lca(d, 2, starts = 5, seed = 1, verbose = FALSE)
  s <- lca_stability(fit, reps = 3, starts = 10, seed = 7, threads = 1, verbose = FALSE)
  pt <- fit$patterns
  N <- sum(pt$n)
  set.seed(7)
  counts <- stats::rmultinom(3, N, pt$n / N)
  y <- pt$y - 1L
  # posterior of every pattern, from the definition
  post_of <- function(f) {
    p <- sapply(seq_len(f$k), function(c) {
      f$class_size[c] * apply(sapply(seq_len(ncol(y)), function(j) {
        pr <- f$probs[[j]][c, "1"]
        ifelse(y[, j] == 1, pr, 1 - pr)
      }), 1, prod)
    })
    p / rowSums(p)
  }
  a <- post_of(fit)
  for (r in 1:3) {
    keep <- counts[, r] > 0
    dr <- as.data.frame(y[keep, , drop = FALSE])
    fr <- lca(dr, 2, weights = counts[keep, r], starts = 10, seed = r, verbose = FALSE)
    b <- post_of(fr)
    jac <- function(u, v) sum(pt$n * pmin(u, v)) / sum(pt$n * pmax(u, v))
    same <- c(jac(a[, 1], b[, 1]), jac(a[, 2], b[, 2]))
    swap <- c(jac(a[, 1], b[, 2]), jac(a[, 2], b[, 1]))
    want <- if (sum(same) >= sum(swap)) same else swap
    expect_equal(unname(s$jaccard[["k=2"]][r, ]), want, tolerance = 1e-3)
  }
  expect_equal(s$classes$mean_jaccard, unname(colMeans(s$jaccard[["k=2"]])))
  expect_equal(s$table$min_jaccard, min(colMeans(s$jaccard[["k=2"]])))
})

test_that("stability keeps the true K and rejects a split class (the old criterion did not)", {
  for (sd in c(3, 4)) {
    d <- simulate_lca(n = 3000, probs = stab_probs, class_size = c(.5, .3, .2), seed = sd)
    en <- lca_enumerate(d, k = 1:4, seed = sd, verbose = FALSE)
    s <- lca_stability(en, reps = 12, starts = 10, seed = sd, verbose = FALSE)
    expect_identical(s$k, 3L)
    expect_true(all(s$table$stable[s$table$k <= 3]))
    expect_false(s$table$stable[s$table$k == 4])
    # a split class: some class of the 4-class model dissolves
    expect_true(max(s$classes$dissolved[s$classes$k == 4]) > 0.3)
  }
  # resamples started from the full-data solution find the split again
  old <- lca_bootstrap(en$fits[["k=4"]], reps = 12, seed = 4, verbose = FALSE)
  expect_true(all(old$recovery$recovered >= 0.9))
})

test_that("stability: the same for any thread count; input errors", {
  d <- simulate_lca(n = 1000, probs = stab_probs, class_size = c(.5, .3, .2), seed = 5)
  en <- lca_enumerate(d, k = 1:3, seed = 1, verbose = FALSE)
  s1 <- lca_stability(en, reps = 4, starts = 4, seed = 2, threads = 1, verbose = FALSE)
  s2 <- lca_stability(en$fits, reps = 4, starts = 4, seed = 2, threads = 2, verbose = FALSE)
  expect_identical(s1$jaccard, s2$jaccard)
  expect_identical(s1$table$k, 1:3)
  expect_output(print(s1), "Largest K whose classes are all stable")
  other <- lca(simulate_lca(n = 1000, seed = 9), 2, starts = 3, seed = 1, verbose = FALSE)
  expect_error(lca_stability(list(en$fits[[2]], other)), class = "cscdemand_error_stability")
  expect_error(lca_stability(d), class = "cscdemand_error_input")
  expect_error(lca_stability(en, reps = 0), class = "cscdemand_error_input")
})
