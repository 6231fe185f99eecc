# The small helpers of R/utils.R that no other test file covers: threads,
# seeds, rows in messages, numbers, `%||%`. (format_p(), count_words() and
# and_list() are tested in test-report-input.R and test-report-text.R.)

test_that("resolve_threads(): the argument, else the option, else at most 2; a bad value is a classed error", {
  expect_identical(resolve_threads(3), 3L)
  withr::local_options(cscdemand.threads = 5L)
  expect_identical(resolve_threads(NULL), 5L)
  withr::local_options(cscdemand.threads = NULL)
  expect_identical(resolve_threads(NULL), min(2L, RcppParallel::defaultNumThreads()))
  expect_error(resolve_threads(0), class = "cscdemand_error_input")
  expect_error(resolve_threads(1.5), class = "cscdemand_error_input")
  e <- tryCatch(resolve_threads(5000), error = identity)
  expect_s3_class(e, "cscdemand_error_input")
  expect_match(conditionMessage(e), "at most 1024")
})

test_that("resolve_seed(): NULL draws from R's generator (so set.seed() governs it); a seed is kept as given", {
  a <- withr::with_seed(42, resolve_seed(NULL))
  expect_identical(withr::with_seed(42, resolve_seed(NULL)), a)
  expect_identical(a, withr::with_seed(42, sample.int(.Machine$integer.max, 1L)))
  expect_identical(resolve_seed(7), 7)
  expect_identical(resolve_seed(0), 0)
  expect_error(resolve_seed(-1), class = "cscdemand_error_input")
  expect_error(resolve_seed(Inf), class = "cscdemand_error_input")
})

test_that("rows in messages: the first five, then how many more", {
  expect_identical(format_rows(c(3, 9, 12)), "3, 9, 12")
  expect_identical(format_rows(1:5), "1, 2, 3, 4, 5")
  expect_identical(format_rows(1:8), "1, 2, 3, 4, 5 and 3 more")
  expect_identical(format_rows(c(10, 20, 30), max = 2), "10, 20 and 1 more")
  expect_identical(rows_label(7), "Row 7")
  expect_identical(rows_label(c(7, 8)), "Rows 7, 8")
  expect_identical(rows_label(101:112), "Rows 101, 102, 103, 104, 105 and 7 more")
})

test_that("fmt_num() writes fixed decimals with thousands separators; %||% replaces NULL only", {
  expect_identical(fmt_num(c(1234567.891, 0.5, -2)), c("1,234,567.89", "0.50", "-2.00"))
  expect_identical(fmt_num(12.345, 1), "12.3")
  expect_identical(NULL %||% 3, 3)
  expect_identical(0 %||% 3, 0)
  expect_identical(NA %||% 3, NA)
})
