# Each stage of the reader on its own.

scan_text <- function(txt, chunk = 1e6) {
  r <- if (is.raw(txt)) txt else charToRaw(txt)
  starts <- seq(1, max(1, length(r)), by = chunk)
  i <- 0L
  cpp_csv_scan(function() {
    i <<- i + 1L
    if (i > length(starts) || !length(r)) return(raw())
    r[starts[i]:min(length(r), starts[i] + chunk - 1)]
  })
}

test_that("the CSV scan counts fields and lines, and finds broken quotes, across chunk borders", {
  txt <- paste0("a,b,c\n", "1,\"x,\ny\",3\r\n", "\n", "4,\"he said \"\"hi\"\"\",6\n", "  \n",
                "7,8,9")
  whole <- scan_text(txt)
  expect_equal(whole$line, c(1L, 2L, 5L, 7L))
  expect_equal(whole$fields, c(3L, 3L, 3L, 3L))
  expect_equal(whole$blank, c(4L, 6L))
  expect_true(whole$multiline)
  expect_equal(whole$error, 0L)
  for (k in 1:7) expect_equal(scan_text(txt, chunk = k), whole, info = k)
  bad <- list(c("a,b\n1,x\"y\n", 1L, 2L), c("a,b\n1,\"x\"y\n", 2L, 2L),
              c("a,b\n1,2\n3,\"open\n4,5\n", 3L, 3L))
  for (b in bad) {
    for (k in c(1, 3, 100)) {
      s <- scan_text(b[1], chunk = k)
      expect_equal(c(s$error, s$error_line), as.integer(b[2:3]), info = paste(b[1], k))
    }
  }
  nul <- c(charToRaw("a,b\n1,"), as.raw(0), charToRaw("\n"))
  expect_equal(unlist(scan_text(nul)[c("error", "error_line")]), c(error = 4L, error_line = 2L))
})

test_that("cin_csv_check names the first bad line, the count of others, and the fix", {
  scan <- list(line = c(1L, 2L, 4L, 5L, 9L), fields = c(3L, 3L, 4L, 3L, 4L), error = 0L)
  e <- tryCatch(cin_csv_check(scan, "x.csv"), error = identity)
  expect_s3_class(e, "cscdemand_error_csv")
  expect_match(conditionMessage(e), "Line 4 of .+ has 4 fields; the header \\(line 1\\) has 3 \\(and 1 more line: 9\\)")
  expect_silent(cin_csv_check(list(line = 1:3, fields = c(2L, 2L, 2L), error = 0L), "x.csv"))
})

test_that("columns stage: layout, unnamed cells beside the factor column, columns not used", {
  df <- data.frame(child_id = "a", referral_date = "2023-05-01", factor = "1B", ..4 = "3B",
                   notes = "x", ..6 = "y", check.names = FALSE)
  s <- cin_stage_columns(tab_of(df), "auto", NULL, TRUE)
  expect_equal(s$layout, "codes")
  expect_equal(s$extra, "..4")
  expect_equal(s$unused, c("notes", "..6"))
  expect_equal(unname(s$std[c("child_id", "factor")]), c("child_id", "factor"))
  w <- data.frame(child_id = "a", referral_date = "2023-05-01", `1B` = 1, X3B = 0, f_4b = 1,
                  check.names = FALSE)
  s <- cin_stage_columns(tab_of(w), "auto", NULL, TRUE)
  expect_equal(s$layout, "wide")
  expect_equal(s$code_cols$code, c("1B", "3B", "4B"))
  expect_error(cin_stage_columns(tab_of(w[1:2]), "auto", NULL, TRUE),
               class = "cscdemand_error_columns")
})

test_that("identifiers, dates and rows stages: one trim rule, flags, and the row accounting", {
  df <- data.frame(child_id = c(" a", "a ", "   ", "b", "b", "c"),
                   referral_date = c("2023-05-01", "2023-05-01", "2023-05-01", "2042-01-01",
                                     "2042-01-01", "2023-05-09"),
                   assessment_date = c("2023-05-03", "2023-05-03", "2023-05-03", "2042-01-02",
                                       "2042-01-02", "2023-05-02"),
                   factor = c("1B", "3B", "1B", "4B", "4B", "1B"))
  s <- cin_stage_columns(tab_of(df, rows = 11:16), "codes", NULL, TRUE)
  s <- cin_stage_identifiers(s, "LA", call = NULL)
  expect_equal(s$ids$child_id, c("a", "a", NA, "b", "b", "c"))
  expect_identical(s$dup, 5L)  # positions of the rows
  s <- cin_stage_dates(s, NULL)
  expect_identical(s$implausible[[1]], c(4L, 5L))
  expect_identical(s$implausible[[2]], 6L)
  k <- cin_stage_rows(s, "keep")
  expect_equal(k$keep, c(1L, 2L, 4L, 6L))
  expect_equal(k$rows_k, c(11L, 12L, 14L, 16L))
  expect_equal(attr(k$audit, "rows"), c(read = 6, kept = 4, dropped = 2))
  expect_equal(k$ep_num, c(1L, 1L, 2L, 3L))
  d <- cin_stage_rows(s, "drop")
  expect_equal(d$keep, c(1L, 2L))
  expect_equal(attr(d$audit, "rows"), c(read = 6, kept = 2, dropped = 4))
  expect_match(d$audit$detail[d$audit$step == "rows dropped: date before 1990 or in the future"],
               "rows 14$")
})

test_that("pair keys do not collide for any code index", {
  n <- length(cin_codes_all())
  g <- expand.grid(row = 1:50, code = seq_len(n))
  expect_false(anyDuplicated(cin_pair_key(g$row, g$code)) > 0)
  expect_false(anyDuplicated(cin_pair_key(g$row, g$code, n_codes = n)) > 0)
})

test_that("rows with no value at all are dropped as blank rows, apart from missing identifiers", {
  p <- tempfile(fileext = ".csv")
  writeLines(c("child_id,referral_date,factor", "a,2023-05-01,1B", ",,", ",2023-05-01,3B", " , ,"), p)
  au <- audit(read_cin_assessments(p))
  expect_equal(au$n[au$step == "rows dropped: blank row"], 2)
  expect_match(au$detail[au$step == "rows dropped: blank row"], "rows 3, 5")
  expect_equal(au$n[au$step == "rows dropped: missing identifier"], 1)
  expect_equal(attr(au, "rows"), c(read = 4, kept = 1, dropped = 3))
})

test_that("cpp_distinct_at() agrees with anyDuplicated() on the subset", {
  set.seed(3)
  for (i in 1:200) {
    x <- sample(c(1:20, NA), sample(1:40, 1), replace = TRUE)
    at <- sample.int(length(x), sample(0:length(x), 1))
    expect_identical(cpp_distinct_at(x, at), !anyDuplicated(x[at]))
  }
  expect_identical(cpp_distinct_at(c(-5L, 3L, -5L), c(1L, 3L)), FALSE)
  expect_identical(cpp_distinct_at(c(-5L, 3L, -5L), 1:2), TRUE)
  # too wide a range for a bitmap: NA, and the caller hashes
  expect_identical(cpp_distinct_at(c(1L, .Machine$integer.max), 1:2), NA)
  expect_error(cpp_distinct_at(1:3, 4L))
})
