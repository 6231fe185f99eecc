test_that("primary suppression hides 1..threshold-1 and keeps true zeros", {
  df <- data.frame(a = c(0, 1, 9, 10, 50), b = c(0, 50, 50, 50, 50))
  out <- publish_table(df, "a", threshold = 10)
  expect_equal(out$a, c(0, NA, NA, 10, 50))
  expect_equal(attr(attr(out, "suppressed"), "reason")[, "a"],
               c(NA, "primary", "primary", NA, NA))
  # user threshold: only the 1 is primary; the column total is public, so the
  # smallest positive other cell (9) is suppressed with it
  out5 <- publish_table(df, "a", threshold = 5)
  expect_equal(out5$a, c(0, NA, NA, 10, 50))
  expect_equal(attr(attr(out5, "suppressed"), "reason")[, "a"],
               c(NA, "primary", "secondary", NA, NA))
  # threshold 0 switches it off
  expect_equal(publish_table(df, "a", threshold = 0)$a, df$a)
  # posterior-weighted (non-integer) expected counts too
  expect_true(is.na(publish_table(data.frame(a = c(0.4, 20)), "a")$a[1]))
})

test_that("secondary suppression on a hand-worked table", {
  # Primary: 3. Row 1 needs a complement: 20 (smallest positive).
  # Column 2 then needs one: 30; column 3 needs one: 25 (the 0 is not chosen).
  x <- rbind(c(50, 3, 20), c(40, 30, 25), c(60, 45, 0))
  out <- publish_table(as.data.frame(x), c("V1", "V2", "V3"), threshold = 10)
  expected <- rbind(c(FALSE, TRUE, TRUE), c(FALSE, TRUE, TRUE), c(FALSE, FALSE, FALSE))
  expect_equal(unname(attr(out, "suppressed")[, ]), expected)
  expect_equal(unname(attr(attr(out, "suppressed"), "reason")[1, ]), c(NA, "primary", "secondary"))
  expect_equal(out$V1, c(50, 40, 60))
  expect_equal(out$V3, c(NA, NA, 0))
})

test_that("a suppressed bridge between two protected blocks is caught", {
  # Two 2 x 2 blocks, each with two suppressed cells per line, joined by one
  # cell (1, 3): every line has >= 2 suppressed cells, yet (1, 3) is fixed by
  # the totals. Checked independently by rank.
  mask <- matrix(FALSE, 4, 4)
  mask[1:2, 1:2] <- TRUE
  mask[3:4, 3:4] <- TRUE
  mask[1, 3] <- TRUE
  expect_equal(which(disclosed_by_rank(mask)), which(which(mask) == 9))
  expect_equal(which(recoverable_cells(mask)), 9L)
  x <- matrix(50, 4, 4)
  res <- suppress_matrix(x, 10, primary = mask)
  expect_true(res$suppressed[1, 4])
  expect_equal(sum(res$suppressed), 10)
  expect_safe_suppression(x, res$suppressed, 10)
})

test_that("random tables: nothing below the threshold survives, nothing is recoverable", {
  set.seed(11)
  for (i in 1:60) {
    nr <- sample(1:6, 1)
    nc <- sample(1:5, 1)
    x <- matrix(rpois(nr * nc, sample(c(3, 8, 20, 60), 1)), nr, nc)
    s <- suppress_matrix(x, 10)$suppressed
    expect_safe_suppression(x, s, 10)
  }
})

test_that("publish_table works within groups", {
  df <- data.frame(g = rep(c("a", "b"), each = 2), n1 = c(5, 40, 40, 40), n2 = c(40, 40, 40, 40))
  out <- publish_table(df, c("n1", "n2"), by = "g")
  s <- attr(out, "suppressed")
  expect_true(all(s[1:2, ]))
  expect_false(any(s[3:4, ]))
})

test_that("wilson_ci agrees with prop.test(correct = FALSE)", {
  for (xn in list(c(3, 20), c(0, 15), c(15, 15), c(47, 133))) {
    ci <- wilson_ci(xn[1], xn[2], 0.9)
    ref <- suppressWarnings(stats::prop.test(xn[1], xn[2], conf.level = 0.9, correct = FALSE))$conf.int
    expect_equal(c(ci$lower, ci$upper), as.vector(ref), tolerance = 1e-10)
  }
  expect_true(is.na(wilson_ci(0, 0)$lower))
})
