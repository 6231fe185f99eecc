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

test_that("print() says the patterns, items, rows, groups and dropped rows (snapshot)", {
  d <- data.frame(a = c(1, 0, 1, 1, NA, 0), b = c(0, 0, 0, 0, NA, 1), g = c("x", "x", "y", "y", "y", "x"))
  pt <- lca_patterns(d, items = c("a", "b"))
  # 3 unique patterns (10, 00, 01) of 2 items from the 5 rows with an item
  expect_equal(length(pt$n), 3L)
  expect_snapshot(print(pt))
  utils::capture.output(v <- withVisible(print(pt)))
  expect_false(v$visible)
  pg <- lca_patterns(d, items = c("a", "b"), group = "g")
  # by group: (x: 10, 00, 01), (y: 10) -> 4 patterns
  expect_equal(length(pg$n), 4L)
  expect_snapshot(print(pg))
  # weighted: the rows are the sum of the weights of the rows kept (row 5 has no item)
  pw <- lca_patterns(d, items = c("a", "b"), weights = c(1, 2, 0.5, 1.5, 4, 2))
  expect_output(print(pw), "3 unique patterns of 2 items from 7 rows (weighted)", fixed = TRUE)
})
