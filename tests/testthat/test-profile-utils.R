test_that("wilson_ci agrees with prop.test(correct = FALSE)", {
  for (xn in list(c(3, 20), c(0, 15), c(15, 15), c(47, 133))) {
    ci <- wilson_ci(xn[1], xn[2], 0.9)
    ref <- suppressWarnings(stats::prop.test(xn[1], xn[2], conf.level = 0.9, correct = FALSE))$conf.int
    expect_equal(c(ci$lower, ci$upper), as.vector(ref), tolerance = 1e-10)
  }
  expect_true(is.na(wilson_ci(0, 0)$lower))
})
