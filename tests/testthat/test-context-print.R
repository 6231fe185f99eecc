# Print output of the council context objects, as snapshots.

test_that("council context prints one small table per measure", {
  x <- council_context("West Northamptonshire", years = 2021:2022,
                       measures = c("referrals", "rereferrals"))
  expect_snapshot(print(x))
})

test_that("context tables print suppressed cells as c", {
  d <- data.frame(x = c(rep("a", 50), rep("b", 30), rep(NA, 15), rep("Don't know", 5)))
  expect_snapshot(print(context_table(d, "x")))
})

test_that("the extract comparison prints differences and statuses", {
  e <- data.frame(la = 937, year = 2025, f_3A = c(rep(1, 1000), rep(0, 10)),
                  f_16A = c(rep(1, 888), rep(0, 122)))
  expect_snapshot(print(compare_published(e, verbose = FALSE)))
})

test_that("input errors name the argument and the fix", {
  expect_snapshot(council_context(937, measures = "referals"), error = TRUE)
  expect_snapshot(council_context(937, years = 2030), error = TRUE)
  expect_snapshot(compare_published(data.frame(la = 937, year = 2025, f_3A = c(0, 1, 2))),
                  error = TRUE)
  expect_snapshot(find_council("Kingston"), error = TRUE)
})
