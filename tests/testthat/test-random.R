# The randomness module (R/random.R) and the thread-count invariance of every
# stochastic function.

test_that("a seed argument leaves the user's random-number state untouched", {
  set.seed(99)
  before <- .Random.seed
  x <- with_local_seed(1, stats::runif(3))
  expect_identical(.Random.seed, before)
  expect_identical(x, with_local_seed(1, stats::runif(3)))
  restore <- local_seed(2)
  y <- stats::runif(1)
  restore()
  expect_identical(.Random.seed, before)
  expect_identical(y, withr::with_seed(2, stats::runif(1)))
  # NULL seed: the user's stream is used (and advanced)
  set.seed(5)
  a <- with_local_seed(NULL, stats::runif(1))
  set.seed(5)
  expect_identical(a, stats::runif(1))
})

test_that("stream seeds are valid R seeds and do not collide across index tuples", {
  s <- stream_seed(1, 1:5)
  expect_length(s, 1L)
  # the BLRT's old scheme seed + 7919 * (1000 k + r) collided for r >= 1000:
  # (k = 2, r = 1000) and (k = 3, r = 0) had the same stream
  grid <- expand.grid(k = 2:10, r = 0:1500, role = 0:2)
  seeds <- mapply(function(k, r, role) stream_seed(123, k, r, role), grid$k, grid$r, grid$role)
  expect_true(all(seeds >= 0 & seeds < 2^31 - 1 & seeds == round(seeds)))
  # a 32-bit hash of 40,527 tuples: a handful of chance collisions at most,
  # none of them structural (the old scheme gave 4,000+)
  expect_lt(sum(duplicated(seeds)), 5)
  expect_false(stream_seed(123, 2, 1000, 0) == stream_seed(123, 3, 0, 0))
  expect_false(stream_seed(1, 2) == stream_seed(2, 2))
  expect_error(stream_seed(1, -1), class = "cscdemand_error_internal")
})

test_that("every stochastic function gives identical results with 1 and 2 threads", {
  d <- simulate_lca(n = 600, seed = 3)
  run <- function(threads) {
    suppressWarnings({
      fit <- lca(d, 2, starts = 6, seed = 11, threads = threads, verbose = FALSE)
      d2 <- d
      d2$la <- rep(c("A", "B"), length.out = nrow(d))
      list(
        lca = fit[c("loglik", "class_size", "probs", "starts")],
        adaptive = lca(d, 3, seed = 12, threads = threads, verbose = FALSE,
                       control = lca_control(batch = 4))[c("loglik", "starts", "n_best")],
        enum = lca_enumerate(d, k = 1:2, starts = 4, seed = 2, threads = threads,
                             verbose = FALSE)$table,
        boot = lca_bootstrap(fit, reps = 5, seed = 4, threads = threads, verbose = FALSE)[
          c("summary", "replicates")],
        blrt = lca_blrt(d, k = 2, reps = 4, starts = 2, fit_starts = 4, seed = 5,
                        threads = threads, verbose = FALSE)$table,
        cv = lca_cv(d, k = 1:2, folds = 2, starts = 3, seed = 6, threads = threads,
                    verbose = FALSE)$table,
        rep = lca_replicate(d, 2, seed = 7, threads = threads, starts = 4,
                            verbose = FALSE)$comparison,
        inv = lca_invariance(d2, k = 2, group = "la", starts = 3, seed = 8, threads = threads,
                             verbose = FALSE)$table,
        glmm = coef(glmm_ri(simulate_imd_rates(n_la = 12, seed = 9), "referrals",
                            predictors = "imd_decile", exposure = "children",
                            threads = threads))
      )
    })
  }
  one <- run(1L)
  two <- run(2L)
  for (nm in names(one)) expect_identical(one[[nm]], two[[nm]], label = nm)
  expect_false(is.null(one$boot$summary))
})
