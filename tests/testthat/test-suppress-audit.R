# lp_target_ranges() (suppress-audit.R): the attacker's range of a hidden sum
# by linear programming, on systems small enough to solve by hand. Its wider
# tests (against enumeration, on the pathway tables) are in
# test-profile-linked-small.R and test-suppress.R.

test_that("a hidden cell pinned by a published total has a range of width 0; one nothing bounds is free", {
  # x1 hidden, x2 shown, x1 + x2 published: x1 = 10 - 6 = 4 exactly.
  # x3 is in no published sum: anything from 0 up.
  x <- c(4, 6, 5)
  r <- lp_target_ranges(x, pub = list(c(1, 2), 2), targets = list(1, 3, c(1, 2)))
  expect_equal(colnames(r), c("lo", "hi"))
  expect_equal(unname(r[1, ]), c(4, 4))
  expect_equal(unname(r[2, ]), c(0, Inf))
  expect_equal(unname(r[3, ]), c(10, 10))
})

test_that("two hidden cells sharing published sums: the ranges worked out by hand", {
  # x1 + x2 = 5 and x2 + x3 = 8, all hidden, x >= 0: x2 runs over [0, 5],
  # so x1 = 5 - x2 over [0, 5], x3 = 8 - x2 over [3, 8] and
  # x1 + x3 = 13 - 2 x2 over [3, 13].
  x <- c(2, 3, 5)
  r <- lp_target_ranges(x, pub = list(c(1, 2), c(2, 3)), targets = list(1, 2, 3, c(1, 3)))
  expect_equal(unname(r), rbind(c(0, 5), c(0, 5), c(3, 8), c(3, 13)))
  # a published sum given twice (the same episodes in two tables) is one
  # equation, and changes nothing
  r2 <- lp_target_ranges(x, pub = list(c(1, 2), c(2, 1), c(3, 2), c(2, 3)), targets = list(1, 2, 3, c(1, 3)))
  expect_equal(r2, r)
  expect_equal(lp_system(x, list(c(1, 2), c(2, 1), c(3, 2), c(2, 3)))$rhs, c(5, 8))
  # with only the first sum published, x3 is free and x1 + x3 has no upper end
  r3 <- lp_target_ranges(x, pub = list(c(1, 2)), targets = list(1, 3, c(1, 3)))
  expect_equal(unname(r3), rbind(c(0, 5), c(0, Inf), c(0, Inf)))
})

test_that("nothing published: every range is from 0 to Inf", {
  r <- lp_target_ranges(c(3, 7), pub = list(), targets = list(1, 2))
  expect_equal(unname(r), rbind(c(0, Inf), c(0, Inf)))
})

test_that("a programme that fails gives a range of width 0 at the true value (the safe side)", {
  # x1 = -2 published with x >= 0 has no solution: lpSolve reports it
  # infeasible, and the target is taken as pinned at its value
  r <- lp_target_ranges(c(-2, 5), pub = list(1, c(1, 2)), targets = list(1, 2, c(1, 2)))
  expect_equal(unname(r[, "hi"] - r[, "lo"]), c(0, 0, 0))
  expect_equal(unname(r[, "lo"]), c(-2, 5, 3))
})

test_that("lp_range_kept(): a new sum cannot change a range when both end solutions already give it", {
  x <- c(2, 3, 5)
  s <- lp_range(lp_system(x, list(c(1, 2), c(2, 3))), x, 1, solutions = TRUE)
  expect_equal(s$range, c(0, 5))
  # x1 + x2 = 5 holds at both ends: publishing it again changes nothing
  expect_true(lp_range_kept(s, c(1, 2), 5))
  # x2 alone is 5 at one end and 0 at the other: publishing x2 = 3 may
  expect_false(lp_range_kept(s, 2, 3))
  expect_false(lp_range_kept(list(range = c(0, 5), lo = NULL, hi = NULL), c(1, 2), 5))
})
