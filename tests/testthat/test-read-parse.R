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

test_that("dates are read in each accepted form, with a time or zone dropped, and bad ones named by row", {
  v <- c("2023-05-01", "01/05/2023", "1-5-2023", "2023/05/01", "01.05.2023",
         "2023-05-01T23:30:00+01:00", "2023-05-01 10:00", "2023-05-01T10:00:00Z", "45047", "", "NA", NA)
  d <- cin_parse_dates(v, "referral_date", seq_along(v))
  expect_identical(as_date(d), as.Date(c(rep("2023-05-01", 9), NA, NA, NA)))
  # Excel day numbers as numbers, Date columns, and factors give the same days
  expect_identical(cin_parse_dates(c(45047, 45047.75, NA), "x", 1:3),
                   as.numeric(as.Date(c("2023-05-01", "2023-05-01", NA))))
  expect_identical(as_date(cin_parse_dates(as.Date("2023-05-01"), "x", 1L)), as.Date("2023-05-01"))
  f <- factor(c("01/05/2023", "2023-05-02", "01/05/2023"))
  expect_identical(as.numeric(cin_parse_dates(f, "x", 1:3)),
                   cin_parse_dates(as.character(f), "x", 1:3))
  expect_identical(as_date(cin_parse_dates("1 May 2023", "x", 1L, format = "%d %B %Y")),
                   as.Date("2023-05-01"))
  e <- expect_error(cin_parse_dates(c("2023-05-01", "May 1st", "2023-13-01"), "referral_date", 11:13),
                    class = "cscdemand_error_date")
  expect_match(conditionMessage(e), "referral_date")
  expect_match(conditionMessage(e), "Rows 12 and 13|Rows 12, 13")
  expect_match(conditionMessage(e), "date_format")
  expect_error(cin_parse_dates(c(45047, 123), "x", 1:2), "Row 2", class = "cscdemand_error_date")
})

test_that("flags and whole numbers: the accepted values, blank and missing, and bad values named by row", {
  v <- c("1", "Y", "yes", "TRUE", "x", "0", "N", "no", "false", "", " ", NA, "NA")
  expect_identical(cin_parse_flags(v, "s47", seq_along(v)), c(rep(1L, 5), rep(0L, 6), 0L, 0L))
  expect_identical(cin_parse_flags(v, "s47", seq_along(v), na = NA_integer_),
                   c(rep(1L, 5), rep(0L, 6), NA, NA))
  e <- expect_error(cin_parse_flags(c("1", "maybe", "2"), "s47", 21:23), class = "cscdemand_error_flag")
  expect_match(conditionMessage(e), "s47")
  expect_match(conditionMessage(e), "Rows 22 and 23|Rows 22, 23")
  expect_identical(cin_parse_int(c("4", " 17 ", "", NA, "0"), "age", 1:5, max = 25),
                   c(4L, 17L, NA, NA, 0L))
  for (bad in c("2.5", "26", "-1", "four")) {
    e <- expect_error(cin_parse_int(c("3", bad), "age", c(7L, 8L), max = 25),
                      class = "cscdemand_error_number")
    expect_match(conditionMessage(e), "Row 8", info = bad)
  }
})

test_that("columns are matched by name or alias, an exact standard name first", {
  std <- cin_match_columns(c("LA Child ID", "Referral Date", "Factors", "Sex", "Notes"), NULL)
  expect_identical(std[c("child_id", "referral_date", "factor", "gender")],
                   c(child_id = "LA Child ID", referral_date = "Referral Date", factor = "Factors",
                     gender = "Sex"))
  expect_false("Notes" %in% std)
  # a column named as the standard name wins over an alias, whatever the order
  std <- cin_match_columns(c("Code", "factor", "child"), NULL)
  expect_identical(std[["factor"]], "factor")
  # of two aliases, the one earlier in the dictionary, whatever the column order
  std <- cin_match_columns(c("Assessment End Date", "Assessment Authorisation Date"), NULL)
  expect_identical(std[["assessment_date"]], "Assessment Authorisation Date")
  # given by hand: used as given, and checked
  std <- cin_match_columns(c("kid", "when", "codes"), c(child_id = "kid", referral_date = "when"))
  expect_identical(std[c("child_id", "referral_date", "factor")],
                   c(child_id = "kid", referral_date = "when", factor = "codes"))
  expect_error(cin_match_columns(c("kid"), c(pupil = "kid")), "pupil", class = "cscdemand_error_columns")
  expect_error(cin_match_columns(c("kid"), c(child_id = "child")), "child",
               class = "cscdemand_error_columns")
})

test_that("text in Windows-1252 is made UTF-8, and the values fixed are counted", {
  df <- data.frame(x = c("caf\xe9", "ok", "\x93quoted\x94"), y = factor(c("na\xefve", "na\xefve", "b")),
                   stringsAsFactors = FALSE)
  names(df)[2] <- "\xe9tat"
  r <- cin_fix_encoding(df)
  expect_identical(r$data$x, c("caf\u00e9", "ok", "\u201cquoted\u201d"))
  expect_identical(as.character(r$data[[2]]), c("na\u00efve", "na\u00efve", "b"))
  expect_identical(names(r$data)[2], "\u00e9tat")
  expect_identical(r$n, 5L)  # 1 name, 2 cells of x, 2 rows of the factor
  ok <- data.frame(x = c("caf\u00e9", "a"))
  expect_identical(cin_fix_encoding(ok), list(data = ok, n = 0L))
})
