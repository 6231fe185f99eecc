# Methods of a fitted latent class model (R/lca-methods.R): print and summary,
# logLik/nobs/coef, predict on new data, the tidiers and simulate(), each against
# quantities computed here from the fitted parameters.

methods_fixture <- local({
  fit <- NULL
  function() {
    if (is.null(fit)) {
      d <- simulate_lca(n = 800, seed = 21)[, c(1:5, 9)]
      set.seed(22)
      d$level <- sample(1:3, nrow(d), replace = TRUE, prob = c(.5, .3, .2))  # a 3-category item
      d$neglect[c(3, 40)] <- NA
      d$.class <- NULL
      fit <<- list(data = d, fit = lca(d, k = 3, starts = 8, seed = 1, threads = 1, verbose = FALSE))
    }
    fit
  }
})

# Posterior class probabilities from the definition: size_k * prod_j P(y_ij | k), normalised.
posterior_by_hand <- function(fit, data) {
  y <- codes_of(fit, data)
  t(vapply(seq_len(nrow(y)), function(i) {
    f <- unname(fit$class_size)
    for (j in seq_len(ncol(y))) if (!is.na(y[i, j])) f <- f * fit$probs[[j]][, y[i, j]]
    f / sum(f)
  }, numeric(fit$k)))
}

test_that("logLik() has df = the free parameters counted by hand, and nobs the rows", {
  fx <- methods_fixture()
  fit <- fx$fit
  ll <- logLik(fit)
  # (K - 1) class sizes + K * (C_j - 1) per item: 5 binary items and one with 3 categories
  df <- (3 - 1) + 3 * (5 * 1 + 1 * 2)
  expect_equal(attr(ll, "df"), df)
  expect_equal(attr(ll, "nobs"), nrow(fx$data))
  expect_equal(nobs(fit), nrow(fx$data))
  expect_equal(as.numeric(ll), ref_loglik(codes_of(fit, fx$data), fit$class_size, fit$probs),
               tolerance = 1e-9)
  expect_equal(AIC(fit), -2 * as.numeric(ll) + 2 * df)
  expect_equal(BIC(fit), -2 * as.numeric(ll) + df * log(800))
})

test_that("predict() on new data matches the posterior computed from the fitted probabilities", {
  fit <- methods_fixture()$fit
  set.seed(5)
  nd <- simulate_lca(n = 60, seed = 8)[, fit$items[1:5]]
  nd$level <- sample(1:3, 60, replace = TRUE)
  nd$neglect[1:4] <- NA        # partly missing rows
  nd[5, fit$items] <- NA       # a row with every item missing
  nd <- nd[c(6:60, 1:5), ]     # new data in its own order
  post <- predict(fit, nd, type = "posterior")
  expect_equal(dim(post), c(60L, 3L))
  expect_equal(rowSums(post), rep(1, 60), tolerance = 1e-12)
  ok <- rowSums(!is.na(nd[fit$items])) > 0
  expect_equal(unname(post[ok, ]), posterior_by_hand(fit, nd[ok, ]), tolerance = 1e-9,
               ignore_attr = TRUE)
  # every item missing: the class sizes
  expect_equal(unname(post[!ok, ]), unname(fit$class_size), tolerance = 1e-12)
  cls <- predict(fit, nd, type = "class")
  expect_equal(cls, max.col(posterior_by_hand(fit, nd), ties.method = "first"))
  # the fitted data in row order, with and without newdata
  expect_equal(predict(fit, type = "posterior"), predict(fit, methods_fixture()$data, type = "posterior"),
               tolerance = 1e-12, ignore_attr = TRUE)
  expect_error(predict(fit, nd[, -1]), class = "cscdemand_error_coding")
})

test_that("tidy(), coef() and glance() hold the fitted parameters with the documented columns", {
  fit <- methods_fixture()$fit
  tb <- generics::tidy(fit)
  expect_named(tb, c("term", "type", "item", "class", "category", "estimate"))
  # K sizes + K * C_j probabilities per item
  expect_equal(nrow(tb), 3 + 3 * (5 * 2 + 3))
  expect_equal(tb$estimate[tb$type == "class size"], unname(fit$class_size))
  lv <- tb[tb$item %in% "level", ]
  expect_equal(nrow(lv), 9L)
  for (i in seq_len(nrow(lv))) {
    expect_equal(lv$estimate[i], unname(fit$probs$level[lv$class[i], lv$category[i]]))
  }
  # probabilities of each item sum to 1 within each class
  pr <- tb[tb$type == "item probability", ]
  expect_equal(as.numeric(tapply(pr$estimate, paste(pr$item, pr$class), sum)), rep(1, 18),
               tolerance = 1e-12)
  expect_equal(coef(fit), stats::setNames(tb$estimate, tb$term))
  g <- generics::glance(fit)
  expect_equal(nrow(g), 1L)
  expect_equal(g$BIC, BIC(fit))
  expect_equal(g$npar, attr(logLik(fit), "df"))
})

test_that("augment() adds the modal class and the posterior of every row", {
  fx <- methods_fixture()
  fit <- fx$fit
  a <- generics::augment(fit, data = fx$data)
  expect_equal(names(a), c(names(fx$data), ".class", paste0(".prob_", 1:3)))
  expect_equal(as.matrix(a[paste0(".prob_", 1:3)]), posterior_by_hand(fit, fx$data),
               tolerance = 1e-9, ignore_attr = TRUE)
  expect_equal(a$.class, predict(fit, fx$data))
  # without data: one row per pattern, with its count
  p <- generics::augment(fit)
  expect_equal(sum(p$.n), nrow(fx$data))
  expect_equal(nrow(p), length(fit$patterns$n))
})

test_that("simulate() draws data shaped like the fit, with the fit's margins, and keeps the RNG", {
  fit <- methods_fixture()$fit
  s <- simulate(fit, seed = 3)
  expect_equal(dim(s), c(800L, 7L))
  expect_equal(names(s), c(fit$items, ".class"))
  expect_true(all(s$level %in% 1:3))
  expect_length(simulate(fit, nsim = 2, n = 10, seed = 1), 2)
  set.seed(1)
  before <- .Random.seed
  big <- simulate(fit, n = 40000, seed = 4)
  expect_identical(.Random.seed, before)
  # margins: P(item = 1) = sum_k size_k P(item = 1 | k)
  for (it in fit$items[1:5]) {
    m <- sum(fit$class_size * fit$probs[[it]][, "1"])
    expect_lt(abs(mean(big[[it]]) - m), 4 * sqrt(m * (1 - m) / 40000))
  }
  expect_equal(as.numeric(table(big$.class)) / 40000, unname(fit$class_size), tolerance = 0.05)
})

test_that("print() and summary() show the model (snapshots)", {
  fit <- methods_fixture()$fit
  expect_snapshot(print(fit))
  expect_snapshot(print(summary(fit)))
})
