test_that("bad items give classed errors that name the column and the fix", {
  d <- simulate_lca(n = 200, seed = 1)
  bad <- d
  bad$neglect[c(4, 9)] <- c(2, 0.5)
  expect_error(lca(bad, 2, verbose = FALSE), class = "cscdemand_error_item")
  expect_snapshot(lca(bad, 2, verbose = FALSE), error = TRUE)

  const <- d
  const$neglect <- 1
  expect_error(lca(const, 2, verbose = FALSE), class = "cscdemand_error_item")
  expect_snapshot(lca(const, 2, verbose = FALSE), error = TRUE)

  allna <- d
  allna$neglect <- NA_real_
  expect_error(lca(allna, 2, verbose = FALSE), class = "cscdemand_error_item")

  chr <- d
  chr$neglect <- ifelse(chr$neglect == 1, "yes", "no")
  expect_error(lca(chr, 2, verbose = FALSE), class = "cscdemand_error_item")
  expect_snapshot(lca(chr, 2, verbose = FALSE), error = TRUE)

  expect_error(lca(d, 2, items = c("neglect", "nope"), verbose = FALSE),
               class = "cscdemand_error_input")
})

test_that("bad k, starts, weights and data give classed errors", {
  d <- simulate_lca(n = 200, seed = 1)
  expect_error(lca(d, 0, verbose = FALSE), class = "cscdemand_error_input")
  expect_error(lca(d, 2.5, verbose = FALSE), class = "cscdemand_error_input")
  expect_error(lca(d, 2, starts = 0, verbose = FALSE), class = "cscdemand_error_input")
  small <- data.frame(a = c(0, 1, 0), b = c(1, 0, 1))
  expect_error(lca(small, 3, verbose = FALSE), class = "cscdemand_error_k")
  expect_snapshot(lca(small, 3, verbose = FALSE), error = TRUE)

  w <- rep(1, 200)
  w[7] <- -1
  expect_error(lca(d, 2, weights = w, verbose = FALSE), class = "cscdemand_error_weights")
  w[7] <- NA
  expect_error(lca(d, 2, weights = w, verbose = FALSE), class = "cscdemand_error_weights")
  expect_snapshot(lca(d, 2, weights = w, verbose = FALSE), error = TRUE)
  expect_error(lca(d, 2, weights = "nope", verbose = FALSE), class = "cscdemand_error_input")

  expect_error(lca(d[0, ], 2, verbose = FALSE), class = "cscdemand_error_input")
  expect_error(lca(as.matrix(d), 2, verbose = FALSE), class = "cscdemand_error_input")
  expect_error(lca(d, 2, control = list(maxiter = 3), verbose = FALSE),
               class = "cscdemand_error_input")
  expect_error(lca_control(tol = -1), class = "cscdemand_error_input")
})

test_that("rows with every item missing are dropped and counted", {
  d <- simulate_lca(n = 300, seed = 1)
  d[c(2, 5, 9), 1:8] <- NA
  pt <- lca_patterns(d)
  expect_equal(pt$n_all_missing, 3)
  expect_equal(sum(pt$n), 297)
  expect_equal(pt$audit$rows, c(300, 3, 297))
  expect_true(all(is.na(pt$row_index[c(2, 5, 9)])))
  expect_output(print(pt), "3 rows with every item missing")
  fit <- lca(pt, 2, seed = 1, verbose = FALSE)
  expect_equal(fit$nobs, 297)
})

test_that("item coding: logical, 0/1, 1..C integers and factors", {
  d <- data.frame(a = c(TRUE, FALSE, TRUE, NA), b = c(0L, 1L, 1L, 0L), c = c(1, 2, 3, 2),
                  e = factor(c("x", "y", "x", "y")))
  pt <- lca_patterns(d)
  expect_equal(pt$ncat, c(a = 2, b = 2, c = 3, e = 2))
  expect_equal(pt$levels$c, c("1", "2", "3"))
  expect_equal(pt$levels$e, c("x", "y"))
  expect_equal(unname(pt$y[1, ]), c(2L, 1L, 1L, 1L))
  expect_true(is.na(pt$y[4, "a"]))
})

test_that("pattern collapsing counts each unique row once", {
  d <- simulate_lca(n = 5000, seed = 2)[, 1:8]
  pt <- lca_patterns(d)
  key <- do.call(paste, d)
  expect_equal(length(pt$n), length(unique(key)))
  expect_equal(sort(pt$n), sort(as.numeric(table(key))))
  # the pattern of each row reproduces the row
  expect_equal(unname(pt$y[pt$row_index, ]) - 1L, unname(as.matrix(d)) * 1L)
})

test_that("an episode table's factor columns are the default items", {
  ep <- episode_factors(read_cin_assessments(cin_example[cin_example$year == 2022, ]))
  pt <- lca_patterns(ep)
  expect_equal(pt$items, factor_columns(ep))
  expect_equal(sum(pt$n), nrow(ep))
})
