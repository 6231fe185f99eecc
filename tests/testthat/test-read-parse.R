# Parsing values and grouping identifiers (R/read-parse.R).

test_that("year is derived from dates April to March, or read as 2023-24", {
  expect_equal(census_year(as.Date(c("2023-03-31", "2023-04-01", "2024-01-15"))),
               c(2023L, 2024L, 2024L))
  d <- data.frame(child_id = "a", referral_date = "2023-05-01", factor = "1B", year = "2023-24")
  expect_equal(read_cin_assessments(d)$assessments$year, 2024L)
})

test_that("grouping identifiers gives the same partition with and without data.table", {
  a <- c("x", "y", "x", "z", "y", "x")
  b <- c(1, 1, 1, 2, 2, 1)
  g1 <- cin_group(list(a, b))
  g2 <- group_id(a, b)
  expect_equal(match(g1, g1), match(g2, g2))
  expect_equal(match(g2, g2), c(1L, 2L, 1L, 4L, 5L, 1L))
  expect_equal(cin_id(c(" a", "b ", "", NA, "c")), c("a", "b", NA, NA, "c"))
})

test_that("sorted and unsorted extracts give the same episodes", {
  d <- utils::read.csv(test_path("fixtures", "cin", "long_basic.csv"), colClasses = "character")
  set.seed(3)
  shuffled <- d[sample(nrow(d)), ]
  e1 <- episode_factors(d, exclude = NULL, min_count = 0, no_factors = "keep", other_only = "keep")
  e2 <- episode_factors(shuffled, exclude = NULL, min_count = 0, no_factors = "keep",
                        other_only = "keep")
  fc <- factor_columns(e1)
  o1 <- order(e1$episode_id)
  o2 <- order(e2$episode_id)
  expect_equal(as.matrix(e1[o1, fc]), as.matrix(e2[o2, fc]), ignore_attr = TRUE)
  # runs: episode ids repeated in two places fall back to full grouping
  expect_equal(cin_group(list(c("a", "a", "b", "a"))), c(1L, 1L, 2L, 1L))
  expect_equal(cin_group(list(c("a", "a", "b", "c"))), c(1L, 1L, 2L, 3L))
})
