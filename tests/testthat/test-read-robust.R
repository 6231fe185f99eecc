# CSV files as Excel and other tools write them: quoted values over several
# lines (RFC 4180; Alt+Enter in an Excel cell), and files that are not text.

# Lines joined as Excel writes them: CRLF between records, a bare line feed
# inside a quoted cell.
excel_csv <- function(lines, env = parent.frame()) {
  p <- withr::local_tempfile(fileext = ".csv", .local_envir = env)
  writeBin(charToRaw(paste0(paste(lines, collapse = "\r\n"), "\r\n")), p)
  p
}

codes_of <- function(a) {
  lapply(split(as.character(a$factors$code), a$factors$assessment), sort)
}

test_that("codes on several lines of one cell are read, one or more per line", {
  hdr <- "child_id,referral_date,factors,note"
  p <- excel_csv(c(hdr, 'C1,2023-05-01,"3B\n4B",x', 'C2,2023-05-01,"1B, \n16A\n",x',
                   "C3,2023-05-01,2A,x", 'C4,2023-05-01,"21",x'))
  a <- read_cin_assessments(p)
  expect_identical(a$layout, "codes")
  expect_equal(nrow(a$assessments), 4L)
  expect_equal(codes_of(a), list("1" = c("3B", "4B"), "2" = c("16A", "1B"), "3" = "2A", "4" = "21"))
  # each record at the line it starts on: 2-3, 4-6, 7, 8
  expect_equal(a$assessments$.row, c(2L, 4L, 7L, 8L))
  # the long layout (one code per row) with one cell of two codes
  p <- excel_csv(c("child_id,referral_date,factor", 'C1,2023-05-01,"3B\n4B"', "C2,2023-05-01,1B"))
  expect_equal(codes_of(read_cin_assessments(p)), list("1" = c("3B", "4B"), "2" = "1B"))
  # a data frame holding the same cells (read from Excel, or a database)
  d <- data.frame(child_id = c("C1", "C2"), referral_date = "2023-05-01",
                  factors = c("3B\r\n4B", "1B\n16A"))
  expect_equal(codes_of(read_cin_assessments(d)), list("1" = c("3B", "4B"), "2" = c("16A", "1B")))
})

test_that("line numbers after values over several lines stay right in later messages", {
  hdr <- "child_id,referral_date,factors,note"
  # record k starts at a known line: header 1, then 2-3, 4-6, 7, 8-9, 10
  lines <- c(hdr, 'C1,2023-05-01,"3B\n4B",x', 'C2,2023-05-01,"1B\n16A\n2A",x',
             "C3,2023-05-01,9Z,x", 'C4,2023-05-01,3B,"a\nnote"', "C5,1970-05-01,QQ,x")
  p <- excel_csv(lines)
  e <- expect_error(read_cin_assessments(p), class = "cscdemand_error_unknown_code")
  expect_match(conditionMessage(e), "Rows 7, 10", fixed = TRUE)
  a <- read_cin_assessments(p, on_unknown = "drop")
  expect_equal(a$assessments$.row, c(2L, 4L, 7L, 8L, 10L))
  au <- audit(a)
  expect_match(au$detail[au$step == "codes dropped: unknown code"], "rows 7, 10$")
  expect_match(au$detail[grepl("before 1990", au$step)], "^rows 10;")
  e <- expect_error(read_cin_assessments(p, on_unknown = "drop", implausible_dates = "stop"),
                    class = "cscdemand_error_implausible_date")
  expect_match(conditionMessage(e), "Line 10", fixed = TRUE)
})

test_that("a quote opened by mistake is still named by its line, never its text", {
  hdr <- "child_id,referral_date,factors"
  # the codes cell swallows the next record (an identifier and a date)
  p <- excel_csv(c(hdr, "C1,2023-05-01,3B", 'SECRET7,2023-05-01,"3B', 'SECRET8,2023-05-02,3B"',
                   "C3,2023-05-01,3B"))
  for (ou in c("error", "drop")) {
    e <- expect_error(read_cin_assessments(p, on_unknown = ou), class = "cscdemand_error_csv")
    expect_match(conditionMessage(e), "at line 3", fixed = TRUE)
    expect_no_match(conditionMessage(e), "SECRET")
  }
  # an identifier or a date over several lines
  p <- excel_csv(c(hdr, '"SECRET\n9",2023-05-01,3B'))
  e <- expect_error(read_cin_assessments(p), class = "cscdemand_error_csv")
  expect_match(conditionMessage(e), "Column child_id has a value over several lines, at line 2",
               fixed = TRUE)
  expect_no_match(conditionMessage(e), "SECRET")
  # a line break at the end of a value is white space
  p <- excel_csv(c(hdr, '"C1\n",2023-05-01,"3B\n"'))
  expect_equal(nrow(read_cin_assessments(p)$factors), 1L)
})

test_that("a binary file stops with a classed error on every route", {
  set.seed(2407)
  bytes <- list(random = as.raw(sample(0:255, 4000, TRUE)),
                no_nul = as.raw(sample(1:255, 4000, TRUE)),
                header_then_binary = c(charToRaw("child_id,referral_date,factor\nC1,2023-05-01,3B\n"),
                                       as.raw(sample(c(0:9, 11:255), 600, TRUE))))
  for (nm in names(bytes)) {
    for (ext in c(".csv", ".txt", ".xml", ".xlsx", "")) {
      p <- withr::local_tempfile(fileext = ext)
      writeBin(bytes[[nm]], p)
      e <- tryCatch(read_cin_assessments(p), error = identity)
      expect_s3_class(e, "cscdemand_error_format")
      expect_match(conditionMessage(e), "binary file", fixed = TRUE, label = paste(nm, ext))
    }
  }
  p <- withr::local_tempfile(fileext = ".xml")
  writeBin(bytes$random, p)
  expect_error(read_cin_census_xml(p), class = "cscdemand_error_format")
  # text is not binary: UTF-16 (zero bytes), a stray NUL in a CSV file (the
  # scan names its line), Windows-1252 text
  expect_false(cin_sniff_binary(iconv("child_id,factor\nC1,3B\n", "UTF-8", "UTF-16LE", toRaw = TRUE)[[1]]))
  expect_false(cin_sniff_binary(c(charToRaw("child_id,referral_date,factor\nC1,2023-05-01,3B"),
                                  as.raw(0), charToRaw("\nC2,2023-05-01,3B\n"))))
  expect_false(cin_sniff_binary(as.raw(c(utf8ToInt("caf"), 0xe9, 10, utf8ToInt("na\u00efve")[1:2]))))
})
