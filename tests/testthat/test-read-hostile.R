# Hostile extracts (issue: nothing lost, nothing leaked, nothing crashes).
# Each test builds its input by hand and knows the right answer.

csv_file <- function(lines, ext = ".csv") {
  p <- tempfile(fileext = ext)
  writeLines(lines, p)
  p
}
hdr <- "child_id,referral_date,factors,gender"
good_rows <- function(n) sprintf("C%d,2023-05-%02d,3B,F", seq_len(n), (seq_len(n) %% 28) + 1)

read_error <- function(...) tryCatch(read_cin_assessments(...), error = identity)

test_that("a malformed quoted value after good rows is an error naming its line (no crash)", {
  p <- csv_file(c(hdr, good_rows(110), '"Jane "Jo" Smith",2023-05-01,3B,F'))
  e <- read_error(p)
  expect_s3_class(e, "cscdemand_error_csv")
  expect_match(conditionMessage(e), "Line 112 ")
  expect_false(grepl("Jane|Smith", conditionMessage(e)))
})

test_that("an unbalanced quote stops with its line, instead of swallowing the rest", {
  p <- csv_file(c(hdr, 'C1,2023-05-01,"3B,F', "C2,2023-05-01,3B,F", "C3,2023-05-01,3B,F"))
  e <- read_error(p)
  expect_s3_class(e, "cscdemand_error_csv")
  expect_match(conditionMessage(e), "Line 2 .*never closed")
  p <- csv_file(c(hdr, 'C1,2023-05-01,3"B,F', "C2,2023-05-01,3B,F"))
  expect_match(conditionMessage(read_error(p)), "Line 2 .*does not start with a quote")
})

test_that("an unquoted comma in the codes column or a short row names the line and the fix", {
  p <- csv_file(c(hdr, "C1,2023-05-01,3B,F", "C2,2023-05-01,1B,3B,F"))
  e <- read_error(p)
  expect_s3_class(e, "cscdemand_error_csv")
  expect_match(conditionMessage(e), "Line 3 of .+ has 5 fields; the header \\(line 1\\) has 4")
  expect_match(conditionMessage(e), "double quotes")
  expect_false(grepl("C2", conditionMessage(e)))
  p <- csv_file(c(hdr, "C1,2023-05-01,F", "C2,2023-05-01,3B,F", "C3,2023-05-01,F"))
  e <- read_error(p)
  expect_match(conditionMessage(e), "Line 2 of .+ has 3 fields.*1 more line: 4")
  expect_match(conditionMessage(e), "A cell is missing")
  # the same file, quoted, is read with both codes
  p <- csv_file(c(hdr, "C1,2023-05-01,3B,F", 'C2,2023-05-01,"1B,3B",F'))
  a <- read_cin_assessments(p)
  expect_equal(as.character(a$factors$code[a$factors$assessment == 2]), c("1B", "3B"))
})

test_that("line numbers count quoted values over several lines; the base reader agrees", {
  p <- csv_file(c("child_id,referral_date,factors,note", 'C1,2023-05-01,3B,"two', 'lines"',
                  "C2,2023-05-01,3B,x", "C3,2023-05-01,9Z,x"))
  e <- read_error(p)
  expect_s3_class(e, "cscdemand_error_unknown_code")
  expect_match(conditionMessage(e), "Row 5")
  a <- read_cin_assessments(p, on_unknown = "drop")
  expect_equal(a$assessments$.row, c(2L, 4L, 5L))
  expect_equal(attr(cin_read_csv(p, engine = "base"), "lines"), c(2L, 4L, 5L))
  # a quote opened by mistake and closed lines later, in a column that is read
  p <- csv_file(c("child_id,referral_date,factors", 'C1,2023-05-01,"3B', 'C2,2023-05-01,3B"',
                  "C3,2023-05-01,3B"))
  expect_match(conditionMessage(read_error(p)), "line 2")
  # blank lines are skipped, and later lines keep their numbers
  p <- csv_file(c(hdr, "", "C1,2023-05-01,3B,F", "   ", "C2,2023-05-01,9Z,F"))
  expect_match(conditionMessage(read_error(p)), "Row 5")
})

test_that("gzipped CSV is read with base R", {
  p <- tempfile(fileext = ".csv.gz")
  con <- gzfile(p, "w")
  writeLines(c(hdr, good_rows(3)), con)
  close(con)
  a <- read_cin_assessments(p)
  expect_equal(nrow(a$assessments), 3L)
  expect_equal(a$assessments$.row, 2:4)
  con <- gzfile(p, "w")
  writeLines(c(hdr, good_rows(3), "C9,2023-05-01,3B"), con)
  close(con)
  expect_match(conditionMessage(read_error(p)), "Line 5 of .+ has 3 fields")
})

test_that("codes in header-less cells beside the factor column are all read (Excel and CSV)", {
  skip_if_not_installed("readxl")
  skip_if(!nzchar(Sys.which("zip")))
  m <- rbind(c("child_id", "referral_date", "factor", NA, NA, "gender"),
             c("C1", "2023-05-01", "3B", "4B", "16A", "F"),
             c("C2", "2023-05-02", "1B", NA, NA, "M"),
             c("C3", "2023-05-02", "1 8B", NA, NA, "M"))
  p <- tempfile(fileext = ".xlsx")
  write_test_xlsx(m, p, first_row = 3)  # two blank rows above the header
  e <- read_error(p)
  expect_match(conditionMessage(e), "Row 6")  # sheet row 6, the blank rows counted
  a <- read_cin_assessments(p, on_unknown = "drop")
  expect_equal(a$assessments$.row, 4:6)
  expect_equal(sort(as.character(a$factors$code[a$factors$assessment == 1])), c("16A", "3B", "4B"))
  au <- audit(a)
  expect_equal(au$n[au$step == "rows with codes in unnamed cells next to the factor column"], 1)
  # the same in a CSV file
  p <- csv_file(c("child_id,referral_date,factor,,", "C1,2023-05-01,3B,4B,16A",
                  "C2,2023-05-02,1B,,"))
  a <- read_cin_assessments(p)
  expect_equal(a$layout, "codes")
  expect_equal(nrow(a$factors), 4L)
  # and in a data frame read by the user with readxl (names ...4, ...5)
  d <- data.frame(child_id = c("C1", "C2"), referral_date = "2023-05-01", factor = c("3B", "1B"),
                  ...4 = c("4B", NA), ...5 = c("16A", NA), check.names = FALSE)
  expect_equal(nrow(read_cin_assessments(d)$factors), 4L)
})

test_that("an Excel error names the sheet row when blank rows lead the sheet", {
  skip_if_not_installed("readxl")
  skip_if(!nzchar(Sys.which("zip")))
  m <- rbind(c("child_id", "referral_date", "factor"), c("C1", "2023-05-01", "3B"),
             c("C2", "2023-05-02", "1B"), c("C3", "2023-05-02", "3B"),
             c("C4", "2023-05-02", "1B"), c("C5", "31/02/2023", "1B"))
  p <- tempfile(fileext = ".xlsx")
  write_test_xlsx(m, p, first_row = 2)
  expect_match(conditionMessage(read_error(p)), "Row 7")
})

test_that("a wide file's factors column is read and NA flags stay missing, counted", {
  d <- data.frame(child_id = c("a", "b", "c"), referral_date = "2023-05-01",
                  `1B` = c("1", "0", "1"), `3B` = c("0", "1", NA), `4B` = c(NA, "0", "0"),
                  factors = c("24A", "", NA), check.names = FALSE)
  a <- read_cin_assessments(d)
  expect_equal(a$layout, "wide")
  expect_true("24A" %in% as.character(a$factors$code[a$factors$assessment == 1]))
  au <- audit(a)
  expect_equal(au$n[au$step == "codes read from the factor column of a wide file"], 1)
  expect_equal(au$n[au$step == "flags missing (NA): kept as missing"], 2)
  ep <- episode_factors(a, exclude = NULL, min_count = 0)
  expect_true(is.na(ep[["4B"]][1]))
  expect_true(is.na(ep[["3B"]][3]))
  expect_equal(ep[["3B"]][1:2], c(0L, 1L))
  expect_equal(audit(ep)$n[audit(ep)$step == "factor flags missing (NA)"], 2)
  # in a CSV file "NA" is missing and a blank cell is 0
  p <- csv_file(c("child_id,referral_date,1B,3B,4B", "a,2023-05-01,1,NA,", "b,2023-05-01,0,1,1"))
  ep <- episode_factors(read_cin_assessments(p), exclude = NULL, min_count = 0)
  expect_equal(ep[["3B"]], c(NA, 1L))
  expect_equal(ep[["4B"]], c(0L, 1L))
  # A cell missing in two assessments of one episode, or in several codes
  # merged into one column, is one missing cell.
  d2 <- data.frame(child_id = c("a", "a", "b"), episode_id = c("e1", "e1", "e2"),
                   assessment_id = c("x1", "x2", "x3"), referral_date = "2023-05-01",
                   `1B` = c(NA, NA, "1"), `18A` = c(NA, "0", "0"), `18B` = c(NA, "0", NA),
                   `3B` = c("1", "0", "0"), check.names = FALSE)
  ep2 <- episode_factors(read_cin_assessments(d2), exclude = NULL, min_count = 0,
                         merge = list(physical = c("18A", "18B")))
  expect_identical(ep2[["1B"]], c(NA, 1L))
  expect_identical(ep2[["physical"]], c(NA, NA_integer_))
  expect_equal(audit(ep2)$n[audit(ep2)$step == "factor flags missing (NA)"], 3)
})

test_that("codes with a space between digits are reported, never guessed", {
  d <- data.frame(child_id = 1:4, referral_date = "2023-05-01",
                  factor = c("2 1", "1 2A", "1 8B", "4 b"))
  e <- read_error(d)
  expect_s3_class(e, "cscdemand_error_unknown_code")
  expect_match(conditionMessage(e), "Rows 1, 2, 3:")
  expect_match(conditionMessage(e), "ambiguous")
  a <- read_cin_assessments(d, on_unknown = "drop")
  expect_equal(as.character(a$factors$code), "4B")
  expect_equal(audit(a)$n[audit(a)$step == "codes dropped: unknown code"], 3)
  expect_true(is.na(normalise_cin_codes("1 8B")))
  expect_equal(normalise_cin_codes(c("20 21", "4 b")), c(NA, "4B"), ignore_attr = TRUE)
})

test_that("dates with a time and an offset are the local date written", {
  d <- data.frame(child_id = c("a", "b", "c"), factor = "1B",
                  referral_date = c("2024-04-01T00:30:00+01:00", "2024-03-31T23:30:00Z",
                                    "2024-04-01 00:15:00 +0100"))
  a <- read_cin_assessments(d)
  expect_equal(a$assessments$referral_date, as.Date(c("2024-04-01", "2024-03-31", "2024-04-01")))
  expect_equal(a$assessments$year, c(2025L, 2024L, 2025L))
  p <- csv_file(c("child_id,referral_date,factor", "a,2024-04-01T00:30:00+01:00,1B"))
  expect_equal(read_cin_assessments(p)$assessments$referral_date, as.Date("2024-04-01"))
})

test_that("identifiers follow one rule on every route: trimmed, blank or all-space is missing", {
  lines <- c("child_id,referral_date,factor", '"C1      ",2023-05-01,1B', "C1,2023-05-01,3B",
             '"   ",2023-05-01,3B', "\t,2023-05-01,4B")
  from_csv <- read_cin_assessments(csv_file(lines))
  d <- data.frame(child_id = c("C1      ", "C1", "   ", "\t"), referral_date = "2023-05-01",
                  factor = c("1B", "3B", "3B", "4B"))
  from_df <- read_cin_assessments(d)
  for (a in list(from_csv, from_df)) {
    expect_equal(nrow(a$assessments), 1L)
    expect_equal(a$assessments$child_id, "C1")
    expect_equal(audit(a)$n[audit(a)$step == "rows dropped: missing identifier"], 2)
  }
})

test_that("implausible dates are flagged, and dropped on request", {
  d <- data.frame(child_id = 1:4, factor = "1B",
                  referral_date = c("0024-05-01", "2042-01-01", "2023-06-01", "2023-05-01"),
                  assessment_date = c("2023-05-03", "2042-02-01", "2023-05-01", "2023-05-02"))
  a <- read_cin_assessments(d)
  au <- audit(a)
  expect_equal(nrow(a$assessments), 4L)
  expect_equal(au$n[au$step == "rows with a date before 1990 or in the future (kept)"], 2)
  expect_match(au$detail[au$step == "rows with a date before 1990 or in the future (kept)"],
               "rows 1, 2")
  expect_equal(au$n[au$step == "rows with a referral after its assessment (kept)"], 1)
  a <- read_cin_assessments(d, implausible_dates = "drop")
  expect_equal(a$assessments$.row, 4L)
  expect_equal(attr(audit(a), "rows"), c(read = 4, kept = 1, dropped = 3))
  expect_error(read_cin_assessments(d, implausible_dates = "no"))
})

test_that("printed episode tables and messages show positions, not identifiers", {
  d <- data.frame(child_id = c("Olivia Smith", "Olivia Smith", "Noah Jones"),
                  episode_id = c("EP-OliviaSmith", "EP-OliviaSmith", "EP-NoahJones"),
                  referral_date = c("2023-05-02", "2023-05-02", "2023-06-10"),
                  factor = c("1B", "3B", "3B"))
  ep <- episode_factors(d, exclude = NULL, min_count = 0)
  out <- paste(capture.output(print(ep), print(read_cin_assessments(d)), print(audit(ep)),
                              print(audit_table(ep))), collapse = "\n")
  expect_false(grepl("Olivia|Noah|EP-", out))
  expect_match(out, "Identifier columns \\(values not shown\\): child_id, episode_id")
  d$referral_date[3] <- "soon"
  e <- read_error(d)
  expect_match(conditionMessage(e), "Row 3")
  expect_false(grepl("Noah|EP-", conditionMessage(e)))
})
