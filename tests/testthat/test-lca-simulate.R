# simulate_lca() (R/lca-simulate.R): recovery of the class sizes and item
# probabilities it was given, and its seed handling.

test_that("simulate_lca() draws class sizes and item probabilities as given", {
  probs <- rbind(c(.9, .2, .5, .05), c(.1, .7, .5, .6))
  size <- c(.7, .3)
  n <- 20000
  d <- simulate_lca(n, probs = probs, class_size = size, seed = 3)
  expect_equal(dim(d), c(n, 5L))
  expect_equal(names(d), c(paste0("item", 1:4), ".class"))
  expect_true(all(unlist(d[1:4]) %in% 0:1))
  # class sizes within 4 standard errors
  share <- as.numeric(table(factor(d$.class, 1:2))) / n
  expect_true(all(abs(share - size) < 4 * sqrt(size * (1 - size) / n)))
  # P(item = 1 | class) within 4 standard errors, class by class
  for (k in 1:2) {
    nk <- sum(d$.class == k)
    obs <- colMeans(d[d$.class == k, 1:4])
    se <- sqrt(probs[k, ] * (1 - probs[k, ]) / nk)
    expect_true(all(abs(obs - probs[k, ]) < 4 * se), label = paste("class", k))
  }
  # unnormalised sizes are normalised
  d2 <- simulate_lca(n, probs = probs, class_size = 10 * size, seed = 3)
  expect_identical(d2, d)
})

test_that("the default model has 8 named items and three classes of 50/30/20%", {
  d <- simulate_lca(30000, seed = 4)
  expect_equal(ncol(d), 9L)
  expect_true("neglect" %in% names(d))
  share <- as.numeric(table(d$.class)) / nrow(d)
  expect_true(all(abs(share - c(.5, .3, .2)) < 4 * sqrt(.25 / nrow(d))))
  # class 2 is the domestic abuse class: 0.85 against 0.05 in class 1
  expect_equal(mean(d$domestic_abuse[d$.class == 2]), 0.85, tolerance = 0.03)
  expect_equal(mean(d$domestic_abuse[d$.class == 1]), 0.05, tolerance = 0.3)
})

test_that("seed makes the draw reproducible and leaves the caller's random stream untouched", {
  set.seed(99)
  before <- .Random.seed
  a <- simulate_lca(200, seed = 1)
  expect_identical(.Random.seed, before)
  expect_identical(simulate_lca(200, seed = 1), a)
  expect_false(identical(simulate_lca(200, seed = 2), a))
  # without a seed the caller's stream is used (and moves on)
  set.seed(7)
  b <- simulate_lca(200)
  set.seed(7)
  expect_identical(simulate_lca(200), b)
})

test_that("bad probabilities are a classed error", {
  expect_error(simulate_lca(10, probs = matrix(c(.5, 1.2), 1), class_size = 1),
               class = "cscdemand_error_input")
  expect_error(simulate_lca(10, probs = matrix(.5, 2, 3), class_size = c(.2, .3, .5)),
               class = "cscdemand_error_input")
  expect_error(simulate_lca(10, probs = c(.5, .5), class_size = 1), class = "cscdemand_error_input")
  expect_error(simulate_lca(-1), class = "cscdemand_error_input")
})
