# Files are read by what they hold, not by their names (R/read-sniff.R):
# UTF-16 text and files separated by tabs, semicolons or bars give the same
# result as the comma-separated UTF-8 file; workbooks saved as .csv are read
# as workbooks; documents, archives, web pages and other data formats are
# refused with a message that says what the file is.

fx <- function(f) test_path("fixtures", "cin", f)

write_bytes <- function(bytes, name, envir = parent.frame()) {
  p <- file.path(withr::local_tempdir(.local_envir = envir), name)
  writeBin(bytes, p)
  p
}

# Lines written with a line end after each (one file in a fresh folder).
write_lines_file <- function(lines, name, eol = "\n") {
  write_bytes(charToRaw(paste0(paste(lines, collapse = eol), eol)), name, envir = parent.frame())
}

# Bytes (raw) or lines (character) written gzipped.
write_gz <- function(x, name) {
  p <- file.path(withr::local_tempdir(.local_envir = parent.frame()), name)
  con <- gzfile(p, "wb")
  if (is.raw(x)) writeBin(x, con) else writeLines(x, con)
  close(con)
  p
}

utf16 <- function(text, le = TRUE, bom = TRUE) {
  b <- iconv(list(charToRaw(enc2utf8(text))), from = "UTF-8", to = if (le) "UTF-16LE" else "UTF-16BE",
             toRaw = TRUE)[[1]]
  if (bom) b <- c(if (le) as.raw(c(0xff, 0xfe)) else as.raw(c(0xfe, 0xff)), b)
  b
}

same_read <- function(a, b) {
  expect_identical(a$assessments, b$assessments)
  expect_identical(a$factors, b$factors)
  expect_identical(a$layout, b$layout)
}

# A table with values that hold commas, quotes and every separator.
hostile_table <- function(seed) {
  set.seed(seed)
  n <- 40
  pick <- c("White, British", "Any other \"mixed\"", "a;b", "x|y", "tab\there", " lead", "plain", "")
  data.frame(child_id = sprintf("C%03d", seq_len(n)),
             referral_date = format(as.Date("2023-04-01") + sample(0:300, n, TRUE)),
             factor = sample(c("1B", "3B", "4B", "16A"), n, TRUE),
             ethnicity = sample(pick, n, TRUE), stringsAsFactors = FALSE)
}

test_that("tab, semicolon and bar files read as the comma file, values with commas and quotes kept", {
  for (seed in 1:3) {
    d <- hostile_table(seed)
    dir <- withr::local_tempdir()
    comma <- file.path(dir, "comma.csv")
    utils::write.csv(d, comma, row.names = FALSE)
    ref <- read_cin_assessments(comma, layout = "long")
    for (sep in c("\t", ";", "|")) {
      p <- file.path(dir, "other.csv")
      # quote only what needs it (the separator, a quote or a line break), as Excel does
      q <- d
      for (j in seq_along(q)) {
        v <- q[[j]]
        need <- grepl(sep, v, fixed = TRUE) | grepl("\"", v, fixed = TRUE)
        q[[j]] <- ifelse(need, paste0("\"", gsub("\"", "\"\"", v, fixed = TRUE), "\""), v)
      }
      writeLines(c(paste(names(q), collapse = sep), do.call(paste, c(q, sep = sep))), p)
      a <- read_cin_assessments(p, layout = "long")
      same_read(a, ref)
      expect_match(a$source, paste0("(", c("\t" = "tab", ";" = "semicolon", "|" = "bar")[[sep]],
                                    "-separated)"), fixed = TRUE)
      expect_match(audit(a)$detail[1], "separated", fixed = TRUE)
    }
  }
})

test_that("errors in a tab file name the same line as in the original file", {
  hdr <- "child_id\treferral_date\tfactor\tethnicity"
  rows <- sprintf("C%d\t2023-05-01\t3B\tWBRI", 1:8)
  p <- write_lines_file(c(hdr, rows[1:4], "C9\t2023-05-01\t3B", rows[5:8]), "short.txt")
  e <- tryCatch(read_cin_assessments(p), error = identity)
  expect_s3_class(e, "cscdemand_error_csv")
  expect_match(conditionMessage(e), "Line 6 of 'short.txt'", fixed = TRUE)
  p <- write_lines_file(c(hdr, rows[1:2], "C9\t2023-05-01\t3B\tW \"x\" B", rows[3:8]), "quote.txt")
  e <- tryCatch(read_cin_assessments(p), error = identity)
  expect_s3_class(e, "cscdemand_error_csv")
  expect_match(conditionMessage(e), "Line 4 of 'quote.txt'", fixed = TRUE)
  # a value over several lines is reported at its line, as in a comma file
  lines <- c(hdr, rows[1:2], "C9\t2023-05-01\t3B\t\"two\nlines\"", rows[3:4])
  p <- write_lines_file(lines, "multi.txt")
  e <- tryCatch(read_cin_assessments(p), error = identity)
  p2 <- write_lines_file(gsub("\t", ",", lines), "multi.txt")
  e2 <- tryCatch(read_cin_assessments(p2), error = identity)
  expect_match(conditionMessage(e), "line 4", fixed = TRUE)
  expect_identical(conditionMessage(e), conditionMessage(e2))
  expect_identical(class(e), class(e2))
})

test_that("the separator is read from the header line", {
  expect_identical(cpp_csv_header_delim("a,b;c"), ",")
  expect_identical(cpp_csv_header_delim("a\tb\tc"), "\t")
  expect_identical(cpp_csv_header_delim("a;b;c"), ";")
  expect_identical(cpp_csv_header_delim("a|b|c"), "|")
  expect_identical(cpp_csv_header_delim("\"a,b\";c"), ";")     # a comma inside quotes is a value
  expect_identical(cpp_csv_header_delim("single"), ",")
  expect_identical(cpp_csv_header_delim("a;b\nc,d,e"), ";")    # only the first line counts
})

test_that("UTF-16 text (with or without a byte-order mark, either byte order) reads as UTF-8", {
  txt <- paste0(paste(readLines(fx("long_basic.csv")), collapse = "\r\n"), "\r\n")
  ref <- read_cin_assessments(fx("long_basic.csv"))
  for (le in c(TRUE, FALSE)) {
    for (bom in c(TRUE, FALSE)) {
      if (!le && !bom) next  # big-endian without a mark: found by its zero bytes too
      a <- read_cin_assessments(write_bytes(utf16(txt, le, bom), "u16.csv"))
      same_read(a, ref)
      expect_match(a$source, "UTF-16 text", fixed = TRUE)
    }
  }
  a <- read_cin_assessments(write_bytes(utf16(txt, le = FALSE, bom = FALSE), "u16be.csv"))
  same_read(a, ref)
  # Excel's "Unicode Text": UTF-16 and tabs; gzipped
  tabbed <- gsub(",", "\t", txt, fixed = TRUE)
  p <- write_bytes(utf16(tabbed), "unicode.txt")
  a <- read_cin_assessments(p)
  same_read(a, ref)
  expect_match(a$source, "UTF-16 text, tab-separated", fixed = TRUE)
  gz <- write_gz(utf16(txt), "u16.csv.gz")
  same_read(read_cin_assessments(gz), ref)
  # text beyond ASCII survives
  d <- data.frame(child_id = c("C1", "C2"), referral_date = "2023-05-01", factor = "3B",
                  ethnicity = c("Zo\u00eb", "\u0141ukasz"))
  p8 <- file.path(withr::local_tempdir(), "u8.csv")
  utils::write.csv(d, p8, row.names = FALSE, fileEncoding = "UTF-8")
  a8 <- read_cin_assessments(p8, layout = "long")
  a16 <- read_cin_assessments(write_bytes(utf16(paste(readLines(p8, encoding = "UTF-8"), collapse = "\n")),
                                          "u16.csv"), layout = "long")
  same_read(a16, a8)
  expect_true("Zo\u00eb" %in% a16$assessments$ethnicity)
  # no temporary copy is left behind
  expect_length(list.files(tempdir(), pattern = "^cscdemand-text"), 0L)
})

test_that("files that are not text tables are refused, saying what they are", {
  kinds <- list(
    pdf = list(c(charToRaw("%PDF-1.4\n%"), as.raw(c(0xe2, 0xe3)), charToRaw("\n1 0 obj\n")), "a PDF document"),
    html = list(charToRaw("<!DOCTYPE html>\n<html><head><title>Sign in</title></head></html>\n"),
                "a web page"),
    html2 = list(charToRaw("  <html><body><table><tr><td>child_id</td></tr></table></body></html>"),
                 "a web page"),
    docx = list(c(as.raw(c(0x50, 0x4b, 0x03, 0x04)), as.raw(rep(0, 26)), charToRaw("word/document.xml")),
                "a Word document"),
    zip = list(c(as.raw(c(0x50, 0x4b, 0x03, 0x04)), as.raw(rep(0, 26)), charToRaw("extract.csv")),
               "a zip archive"),
    sqlite = list(c(charToRaw("SQLite format 3"), as.raw(rep(0, 90))), "a SQLite database"),
    parquet = list(c(charToRaw("PAR1"), as.raw(1:50)), "a Parquet file"),
    spss = list(c(charToRaw("$FL2@(#) IBM SPSS STATISTICS"), as.raw(rep(0, 40))), "an SPSS data file"),
    stata = list(charToRaw("<stata_dta><header><release>118</release></header>"), "a Stata data file"),
    utf32 = list(c(as.raw(c(0xff, 0xfe, 0, 0)), charToRaw("a")), "UTF-32 text"))
  for (k in names(kinds)) {
    for (ext in c(".csv", ".xml", "")) {
      p <- write_bytes(kinds[[k]][[1]], paste0("extract", ext))
      e <- tryCatch(read_cin_assessments(p), error = identity)
      expect_s3_class(e, "cscdemand_error_format")
      expect_match(conditionMessage(e), kinds[[k]][[2]], fixed = TRUE, info = paste(k, ext))
      expect_match(conditionMessage(e), paste0("'extract", ext, "'"), fixed = TRUE)
    }
  }
  # the sector readers refuse them too
  p <- write_bytes(kinds$pdf[[1]], "cin_flat.csv")
  expect_error(read_cin_liia(p), class = "cscdemand_error_format")
  # a web page saved with an Excel name (some case systems export reports so)
  p <- write_bytes(kinds$html[[1]], "report.xls")
  e <- tryCatch(read_cin_assessments(p), error = identity)
  expect_s3_class(e, "cscdemand_error_format")
  expect_match(conditionMessage(e), "web page", fixed = TRUE)
})

test_that("a workbook saved with a .csv name is read as a workbook, a CSV file named .xls as CSV", {
  skip_if_not_installed("readxl")
  skip_if(!nzchar(Sys.which("zip")))
  m <- rbind(c("child_id", "referral_date", "factor"), c("C1", "2023-05-01", "3B"),
             c("C2", "2023-05-02", "1B"), c("C2", "2023-05-02", "4B"))
  dir <- withr::local_tempdir()
  x <- file.path(dir, "extract.xlsx")
  write_test_xlsx(m, x)
  ref <- read_cin_assessments(x)
  p <- file.path(dir, "extract.csv")
  file.copy(x, p)
  a <- read_cin_assessments(p)
  same_read(a, ref)
  expect_match(a$source, "an Excel workbook", fixed = TRUE)
  e <- tryCatch(read_cin_liia(p), error = identity)       # a CSV-only reader says what to do
  expect_s3_class(e, "cscdemand_error_format")
  expect_match(conditionMessage(e), "Excel workbook", fixed = TRUE)
  c2 <- file.path(dir, "really_csv.xls")
  writeLines(apply(m, 1, paste, collapse = ","), c2)
  same_read(read_cin_assessments(c2), ref)
})

test_that("CIN census returns in UTF-16 or gzipped read as the UTF-8 return", {
  path <- system.file("extdata", "cin_census_example.xml", package = "cscdemand")
  ref <- read_cin_assessments(path)
  txt <- paste(readLines(path, encoding = "UTF-8"), collapse = "\n")
  txt16 <- sub("encoding=\"UTF-8\"", "encoding=\"UTF-16\"", txt, fixed = TRUE)
  a <- read_cin_assessments(write_bytes(utf16(txt16), "return.xml"))
  expect_identical(a$assessments, ref$assessments)
  expect_identical(a$factors, ref$factors)
  # found as XML by content when the name does not say so
  a <- read_cin_assessments(write_bytes(utf16(txt16, le = FALSE), "return.dat"))
  expect_identical(a$assessments, ref$assessments)
  gz <- write_gz(txt, "return.xml.gz")
  a <- read_cin_assessments(gz)
  expect_identical(a$assessments, ref$assessments)
  # a workbook with an .xml name
  skip_if_not_installed("readxl")
  skip_if(!nzchar(Sys.which("zip")))
  x <- file.path(withr::local_tempdir(), "return.xml")
  write_test_xlsx(rbind(c("child_id", "factor"), c("C1", "3B")), x)
  expect_error(read_cin_assessments(x), class = "cscdemand_error_format")
})

test_that("Excel's separator line (sep=;) is skipped, and the lines keep their numbers", {
  ref <- read_cin_assessments(fx("long_basic.csv"))
  body <- readLines(fx("long_basic.csv"))
  for (sep in c(";", ",", "\t")) {
    lines <- c(paste0("sep=", sep), gsub(",", sep, body, fixed = TRUE))
    p <- write_lines_file(lines, "hint.csv", eol = "\r\n")
    a <- read_cin_assessments(p)
    expect_identical(a$assessments[setdiff(names(a$assessments), ".row")],
                     ref$assessments[setdiff(names(ref$assessments), ".row")])
    expect_identical(a$assessments$.row, ref$assessments$.row + 1L)  # one line more above
    expect_match(a$source, "sep=", fixed = TRUE)
  }
  lines <- c("sep=;", "child_id;referral_date;factor", "C1;2023-05-01;3B", "C2;2023-05-01")
  p <- write_lines_file(lines, "hint.csv")
  e <- tryCatch(read_cin_assessments(p), error = identity)
  expect_s3_class(e, "cscdemand_error_csv")
  expect_match(conditionMessage(e), "Line 4 of 'hint.csv'", fixed = TRUE)
})

test_that("a folder given for a file is a classed error with the fix", {
  d <- withr::local_tempdir()
  for (f in list(function() read_cin_assessments(d), function() read_cin_census_xml(d),
                 function() read_cin_liia(d))) {
    e <- tryCatch(f(), error = identity)
    expect_s3_class(e, "cscdemand_error_file")
    expect_match(conditionMessage(e), "is a folder", fixed = TRUE)
  }
})

test_that("text after a closing quote is an error in every separator, never a shifted value", {
  for (bad in c('"3B",1B', '"3B" ,1B', '"3B"x')) {
    semi <- c("child_id;referral_date;factor;ethnicity", "C1;2023-05-01;3B;WBRI",
              paste0("C2;2023-05-02;", bad), "C3;2023-05-03;1B;WBRI")
    p <- write_lines_file(semi, "semi.csv")
    e <- tryCatch(read_cin_assessments(p, layout = "long"), error = identity)
    expect_s3_class(e, "cscdemand_error_csv")
    expect_match(conditionMessage(e), "Line 3 of 'semi.csv'", fixed = TRUE)
    expect_match(conditionMessage(e), "semicolon-separated", fixed = TRUE)  # the separator is named
  }
})

test_that("damaged files stop with a classed error and leave no temporary copy", {
  before <- list.files(tempdir(), pattern = "^cscdemand-text")
  lines <- c("child_id\treferral_date\tfactor", sprintf("C%05d\t2023-05-01\t3B", 1:20000))
  gz <- write_gz(lines, "big.csv.gz")
  b <- readBin(gz, raw(), file.size(gz))
  at <- floor(length(b) * 0.7)
  b[at:(at + 200)] <- as.raw(0x55)
  writeBin(b, gz)
  e <- suppressWarnings(tryCatch(read_cin_assessments(gz), error = identity))
  expect_s3_class(e, "cscdemand_error_file")
  expect_match(conditionMessage(e), "'big.csv.gz'", fixed = TRUE)
  txt <- paste0(paste(readLines(fx("long_basic.csv")), collapse = "\n"), "\n")
  odd <- c(utf16(txt), as.raw(0x0a))                          # half a character at the end
  surrogate <- utf16(txt)
  surrogate[101:102] <- as.raw(c(0x00, 0xd8))                  # a lone high surrogate
  for (bytes in list(odd, surrogate)) {
    e <- tryCatch(read_cin_assessments(write_bytes(bytes, "u16.csv")), error = identity)
    expect_s3_class(e, "cscdemand_error_encoding")
    expect_match(conditionMessage(e), "not valid UTF-16", fixed = TRUE)
  }
  expect_setequal(list.files(tempdir(), pattern = "^cscdemand-text"), before)
  # a gzipped tab file's errors name the file as given
  bad <- c("child_id\treferral_date\tfactor", "C1\t2023-05-01\t3B", "C2\t2023-05-01")
  gz2 <- write_gz(bad, "tab_err.csv.gz")
  e <- tryCatch(read_cin_assessments(gz2), error = identity)
  expect_match(conditionMessage(e), "Line 3 of 'tab_err.csv.gz'", fixed = TRUE)
})

test_that("the separator is the one that splits the lines alike, not the first line's", {
  expect_identical(cin_guess_delim(c("id\tname (code, text)\tfactor", "C1\tWBRI\t3B", "C2\tWBRI\t1B")), "\t")
  expect_identical(cin_guess_delim(c("CIN assessments | Warwickshire | 2023-24",
                                     "child_id,referral_date,factor", "C1,2023-05-01,3B",
                                     "C2,2023-05-01,1B")), ",")
  expect_identical(cin_guess_delim(c("a;b;c", "1;2;3")), ";")
  expect_identical(cin_guess_delim(c("a,b;c", "1,2;3")), ",")            # a tie: comma
  expect_identical(cin_guess_delim(c("\"x;y\",b", "\"1;2\",3")), ",")    # quoted separators
  expect_identical(cin_guess_delim("single"), ",")
  expect_identical(cin_guess_delim(character()), ",")
  # a tab file with a comma in a header name reads as tab-separated
  d <- c("child_id\treferral_date\tfactor\tethnicity (code, text)", "C1\t2023-05-01\t3B\tWBRI",
         "C2\t2023-05-01\t1B\tWBRI", "C3\t2023-05-01\t4B\tWBRI")
  a <- read_cin_assessments(write_lines_file(d, "t.txt"))
  expect_equal(nrow(a$assessments), 3L)
  expect_match(a$source, "tab-separated", fixed = TRUE)
})

test_that("web pages behind a comment, padded UTF-8 and UTF-16 without a mark are told apart", {
  page <- charToRaw("<!-- saved from url=(0014)about:internet -->\n<html><head><meta charset=\"utf-8\"></head><body></body></html>")
  for (name in c("report.xls", "report.csv", "report.xml")) {
    e <- tryCatch(read_cin_assessments(write_bytes(page, name)), error = identity)
    expect_s3_class(e, "cscdemand_error_format")
    expect_match(conditionMessage(e), "web page", fixed = TRUE)
  }
  csv <- charToRaw(paste0(paste(readLines(fx("long_basic.csv")), collapse = "\n"), "\n"))
  expect_identical(cin_sniff_encoding(c(csv, rep(as.raw(c(0x20, 0)), 2000))), "")
  wide <- utf16(paste0("child_id,referral_date,factor,name\n",
                       paste0("C", 1:50, ",2023-05-01,3B,\u0100\u4e00x", collapse = "\n"), "\n"),
                bom = FALSE)
  expect_identical(cin_sniff_encoding(wide), "utf-16le")
})

test_that("a sep= line below a blank line is not taken for Excel's separator line", {
  lines <- c("", "sep=;", "child_id;referral_date;factor", "C1;2023-05-01;3B")
  p <- write_lines_file(lines, "late.csv")
  e <- tryCatch(read_cin_assessments(p), error = identity)
  expect_s3_class(e, "cscdemand_error")
  expect_no_match(conditionMessage(e), "skipped", fixed = TRUE)
})

test_that("old Mac line ends (a carriage return alone) read as the same lines", {
  ref <- read_cin_assessments(fx("long_basic.csv"))
  body <- readLines(fx("long_basic.csv"))
  for (sep in c(",", ";")) {
    p <- write_lines_file(gsub(",", sep, body, fixed = TRUE), "mac.csv", eol = "\r")
    a <- read_cin_assessments(p)
    same_read(a, ref)
    expect_match(a$source, "old Mac line ends", fixed = TRUE)
  }
  bad <- c("child_id,referral_date,factor", "C1,2023-05-01,3B", "C2,2023-05-01")
  e <- tryCatch(read_cin_assessments(write_bytes(charToRaw(paste(bad, collapse = "\r")), "mac.csv")),
                error = identity)
  expect_match(conditionMessage(e), "Line 3 of 'mac.csv'", fixed = TRUE)
})
