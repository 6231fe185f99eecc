# Fit statistics of a fitted model, checked by hand (R/lca-fit-stats.R).

test_that("fit statistics: entropy, classification table and SABIC/CAIC by hand", {
  d <- simulate_lca(n = 1500, seed = 12)
  fit <- lca(d, k = 3, starts = 6, seed = 1, verbose = FALSE)
  post <- predict(fit, d, type = "posterior")
  N <- nrow(d)
  ent <- 1 - sum(-post * log(post)) / (N * log(3))
  expect_equal(fit$fit$entropy, ent, tolerance = 1e-10)
  modal <- max.col(post)
  tab <- rowsum(post, modal)
  expect_equal(unname(classification_table(fit)), unname(tab), tolerance = 1e-10)
  expect_equal(fit$fit$SABIC, -2 * fit$loglik + fit$npar * log((N + 2) / 24))
  expect_equal(fit$fit$CAIC, -2 * fit$loglik + fit$npar * (log(N) + 1))
  expect_equal(fit$fit$smallest_n, min(fit$class_size) * N)
})

test_that("bivariate residuals of a one-class model are Pearson tests of independence", {
  d <- simulate_lca(n = 1000, seed = 31)
  fit <- lca(d, k = 1, verbose = FALSE)
  b <- lca_bvr(fit)
  row <- b[b$item1 == "domestic_abuse" & b$item2 == "neglect", ]
  x2 <- suppressWarnings(stats::chisq.test(table(d$domestic_abuse, d$neglect), correct = FALSE))
  expect_equal(row$bvr, unname(x2$statistic), tolerance = 1e-10)
  expect_equal(nrow(b), choose(8, 2))
  # A 3-class model removes the local dependence the one-class model shows.
  fit3 <- lca(d, k = 3, starts = 6, seed = 1, verbose = FALSE)
  expect_lt(max(lca_bvr(fit3)$bvr), max(b$bvr))
})
