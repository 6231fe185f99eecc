# lca_patterns(): rows to the table of unique patterns (R/patterns.R).

test_that("pattern collapsing counts each unique row once", {
  d <- simulate_lca(n = 5000, seed = 2)[, 1:8]
  pt <- lca_patterns(d)
  key <- do.call(paste, d)
  expect_equal(length(pt$n), length(unique(key)))
  expect_equal(sort(pt$n), sort(as.numeric(table(key))))
  # the pattern of each row reproduces the row
  expect_equal(unname(pt$y[pt$row_index, ]) - 1L, unname(as.matrix(d)) * 1L)
})
