# The C++ field parser (csv_parse.h) against the text reader it replaced
# (fread, every column as text), and its value rules against values written
# out by hand.

write_bytes <- function(txt) {
  path <- tempfile(fileext = ".csv")
  con <- file(path, "wb")
  writeBin(charToRaw(txt), con)
  close(con)
  path
}

read_engine <- function(path, engine, ...) {
  tryCatch(cin_assessments_from_table(cin_read_table(path, engine = engine), layout = "auto",
                                      columns = NULL, la = "LA", legacy = TRUE,
                                      date_format = NULL, verbose = FALSE, ...),
           error = function(e) e)
}

test_that("the parser reads values by the documented rules", {
  p <- write_bytes(paste0(
    "\ufeffa,b,c,d\r\n",
    " x , y ,\tz\t,NA\r\n",
    "\r\n",
    "\"NA\", \"  sp  \" ,\"a\"\"b\",\n",
    "   \n",
    "\"q,r\",NA ,,\"\"\n",
    "last,line,no,newline"))
  d <- cin_read_csv(p)
  expect_true(all(vapply(d, is.factor, logical(1))))
  expect_identical(names(d), c("a", "b", "c", "d"))
  expect_identical(lapply(d, as.character),
                   list(a = c("x", "NA", "q,r", "last"), b = c("y", "  sp  ", NA, "line"),
                        c = c("\tz\t", "a\"b", "", "no"), d = c(NA, "", "", "newline")))
  expect_identical(attr(d, "lines"), c(2L, 4L, 6L, 7L))
  # Distinct values are stored once, in first-seen order.
  p2 <- write_bytes("id,f\nA,1\nA,2\nB,1\nA,1\n")
  d2 <- cin_read_csv(p2)
  expect_identical(levels(d2$id), c("A", "B"))
  expect_identical(as.integer(d2$id), c(1L, 1L, 2L, 1L))
  expect_identical(as.integer(d2$f), c(1L, 2L, 1L, 1L))
  # Text that is not ASCII is marked UTF-8, as the file is read as UTF-8.
  p3 <- write_bytes("id,f\n\u00e9A,1\n")
  expect_identical(Encoding(levels(cin_read_csv(p3)$id)), "UTF-8")
  # A value over several lines goes to the text reader (no factors).
  p4 <- write_bytes("id,note\nA,\"two\nlines\"\n")
  d4 <- cin_read_csv(p4)
  expect_type(d4$note, "character")
  expect_identical(d4$note, "two\nlines")
})

test_that("the parser and the text reader give the same result on the fixtures", {
  files <- c("long_basic.csv", "long_bom.csv", "long_census_names.csv", "long_duplicates.csv",
             "long_missing_ids.csv", "codes_basic.csv", "codes_variants.csv", "wide_basic.csv",
             "wide_dfe_names.csv", "long_unknown_codes.csv", "long_bad_dates.csv")
  for (f in files) {
    p <- test_path("fixtures", "cin", f)
    for (ou in c("error", "drop")) {
      a <- read_engine(p, "auto", on_unknown = ou)
      b <- read_engine(p, "fread", on_unknown = ou)
      if (inherits(b, "error")) {
        expect_identical(class(a), class(b), info = f)
        expect_identical(conditionMessage(a), conditionMessage(b), info = f)
      } else {
        expect_identical(a, b, info = paste(f, ou))
      }
    }
  }
})

test_that("the parser and the text reader agree on hostile values, row by row", {
  set.seed(20241129)
  base <- readLines(test_path("fixtures", "cin", "long_basic.csv"), warn = FALSE)
  edits <- list(
    function(l) gsub(",", " , ", l),                  # spaces around every value
    function(l) sub("\"C1\"", "\"  C1 \"", l),         # spaces inside quotes
    function(l) sub("\"C1\"", "NA", l),                # a missing identifier
    function(l) sub("\"C1\"", "\"NA\"", l),            # the text NA, quoted
    function(l) sub("\"C1\"", "\"\"", l),              # empty identifier
    function(l) sub("\"3B\"", " 3b ", l),              # lower case, unquoted
    function(l) sub("\"3B\"", "\"18a\"", l),           # legacy code
    function(l) sub("\"3B\"", "", l),                  # blank code
    function(l) sub("\"3B\"", "\"1B;3B\"", l),         # several codes
    function(l) sub("\"2023-05-02\"", "02/05/2023", l), # UK date
    function(l) sub("\"2023-05-02\"", " 2023-05-02T10:00:00Z ", l),
    function(l) sub("\"2023-05-30\"", "NA", l),        # missing date
    function(l) paste0(l, "\r"),                       # Windows line ending
    function(l) sub("\"E09000021\"", "\"E09000021\xa0\"", l, useBytes = TRUE),
    function(l) sub("\"C1\"", "C\xe91", l, useBytes = TRUE)) # Windows-1252 byte
  n_same <- 0L
  for (it in seq_len(60)) {
    lines <- base
    for (k in seq_len(sample(1:4, 1))) {
      i <- 1L + sample.int(length(lines) - 1L, 1L)
      lines[i] <- edits[[sample(length(edits), 1L)]](lines[i])
    }
    if (it %% 5 == 0) lines <- append(lines, "", after = sample(length(lines), 1L))
    p <- write_bytes(paste0(paste(lines, collapse = "\n"), "\n"))
    ou <- sample(c("error", "drop"), 1)
    a <- read_engine(p, "auto", on_unknown = ou)
    b <- read_engine(p, "fread", on_unknown = ou)
    info <- paste(lines, collapse = "\n")
    if (inherits(b, "error")) {
      expect_identical(class(a), class(b), info = info)
      expect_identical(conditionMessage(a), conditionMessage(b), info = info)
    } else {
      expect_identical(a, b, info = info)
      n_same <- n_same + 1L
    }
    unlink(p)
  }
  expect_gt(n_same, 20L)
})

test_that("lazy identifier text gives the same result, and behaves as text", {
  withr::local_options(cscdemand.csv_lazy_min = 0)
  files <- c("long_basic.csv", "long_bom.csv", "long_census_names.csv", "long_duplicates.csv",
             "long_missing_ids.csv", "codes_basic.csv", "wide_basic.csv", "long_unknown_codes.csv",
             "long_bad_dates.csv")
  for (f in files) {
    p <- test_path("fixtures", "cin", f)
    a <- read_engine(p, "auto", on_unknown = "drop")
    b <- read_engine(p, "fread", on_unknown = "drop")
    if (inherits(b, "error")) {
      expect_identical(conditionMessage(a), conditionMessage(b), info = f)
    } else {
      expect_identical(a, b, info = f)
      expect_identical(episode_factors(a, min_count = 0), episode_factors(b, min_count = 0),
                       info = f)
    }
  }
  p <- write_bytes("child_id,episode_id,referral_date,factor\n C1 ,E1,2023-05-02,3B\nC1,E1,2023-05-02,4B\nC2,NA,2023-06-01,1A\nC3,E3,2023-06-01,\"NA\"\n")
  a <- read_engine(p, "auto", on_unknown = "drop")
  id <- a$assessments$child_id
  expect_true(cpp_is_lazy_text(a$assessments$episode_id))
  expect_identical(id, c("C1", "C3"))
  expect_identical(a$assessments$episode_id[2:1], c("E3", "E1"))
  expect_identical(a$assessments$episode_id[c(NA, 5L)], c(NA_character_, NA_character_))
  f <- tempfile(fileext = ".rds")
  saveRDS(a, f)
  expect_identical(readRDS(f), a)
  id2 <- a$assessments$episode_id
  id2[1] <- "X"
  expect_identical(id2, c("X", "E3"))
  expect_identical(a$assessments$episode_id, c("E1", "E3"))
  expect_identical(paste(a$assessments$episode_id), c("E1", "E3"))
  expect_identical(unique(c(a$assessments$episode_id, "E1")), c("E1", "E3"))
})

test_that("a file past the parser's first 65,536 rows reads as with the text reader", {
  skip_on_cran()
  withr::local_options(cscdemand.csv_lazy_min = 1000)
  set.seed(7)
  n <- 70000L
  ep <- sprintf("E%06d", rep(seq_len(n / 2L), each = 2L))
  d <- data.frame(child_id = sub("E", "C", ep), episode_id = ep,
                  referral_date = format(as.Date("2021-04-01") + sample(0:700, n, TRUE)),
                  factor = sample(c("1B", "3B", "4B", "21", "2A"), n, TRUE))
  d$referral_date <- ave(d$referral_date, d$episode_id, FUN = function(x) x[1])
  d$child_id[c(5L, 69001L)] <- c(" ", "NA")
  p <- tempfile(fileext = ".csv")
  utils::write.csv(d, p, row.names = FALSE)
  a <- read_engine(p, "auto", on_unknown = "drop")
  b <- read_engine(p, "fread", on_unknown = "drop")
  expect_true(cpp_is_lazy_text(a$assessments$episode_id))
  expect_identical(a, b)
  # A missing child id makes its row an episode of its own (the key is
  # council, child and episode).
  expect_identical(nrow(a$assessments), 35002L)
})

test_that("the fast path reads exactly what the structure scan and the parse read", {
  # Each file is read twice: on the fast path (no scan; it gives way to the
  # scan at anything the scan would look at) and with the scan first. The
  # tables, their line numbers and any error must be identical.
  read_both <- function(bytes) {
    p <- tempfile(fileext = ".csv")
    writeBin(bytes, p)
    on.exit(unlink(p))
    one <- function(fast) {
      withr::local_options(cscdemand.csv_fast = fast)
      tryCatch(cin_read_csv(p), error = function(e) e)
    }
    list(fast = one(TRUE), scan = one(FALSE))
  }
  same <- function(r, info) {
    if (inherits(r$scan, "error")) {
      expect_s3_class(r$fast, "error")
      expect_identical(class(r$fast), class(r$scan), info = info)
      expect_identical(conditionMessage(r$fast), conditionMessage(r$scan), info = info)
    } else {
      expect_identical(r$fast, r$scan, info = info)
    }
  }
  cases <- c(
    "a,b\n1,2\n3,4\n",                      # plain
    "a,b\n1,2\n3,4",                        # no line end at the end
    "\n\n a,b\n1,2\n\n3,4\n\n",             # blank lines before, inside, after
    "a,b\r\n1,2\r\n \r\n3,4\r\n",           # CRLF, a line of a space and a CR
    "\ufeffa,b\n1,2\n",                     # byte-order mark
    "\"a\",\"b,c\"\n1,2\n",                 # quoted header
    "a,b\n\"1\",\"x\"\"y\"\n",              # doubled quote
    "a,b\n \"1\" , \"2\" \n",               # spaces around quotes
    "a,b\n\"1\"\t\r,2\n",                   # tab and CR after a quote
    "a,b\n1\"x,2\n",                        # a quote inside an unquoted value
    "a,b\n\"1\"x,2\n",                      # text after a closing quote
    "a,b\n\"1\" \"x\",2\n",                 # a second quoted part
    "a,b\n\"1,2\n",                         # a quote never closed
    "a,b\n\"1\n2\",3\n",                    # a value over two lines
    "a,b\n1,2,3\n",                         # too many fields
    "a,b\n1\n",                             # too few fields
    "a,b\n",                                # header only
    "a,b\n\n\n",                            # header and blank lines
    "a\"b,c\n1,2\n",                        # a stray quote in the header
    "a,b\r1,2\r",                           # old Mac line ends (one line)
    "a,b\n1,\r\"2\"\n",                     # a CR before a quote
    "   \n",                                # nothing but blanks
    "a,b\nNA, NA \n\"NA\",\n")              # missing and quoted NA
  for (x in cases) same(read_both(charToRaw(enc2utf8(x))), x)
  # A NUL byte (not text).
  same(read_both(c(charToRaw("a,b\n1,"), as.raw(0), charToRaw("\n"))), "NUL")
  same(read_both(c(charToRaw("a,"), as.raw(0), charToRaw("b\n1,2\n"))), "NUL in header")
  # Random files: rows of three values (quoted, spaced, missing, blank
  # lines), some with a byte that matters to the structure put in anywhere.
  set.seed(42)
  vals <- c("a", " b ", "\"a,b\"", "\"x\"\"y\"\"", "", "NA", "\"NA\"", " \"q\" ", "c\td")
  alphabet <- charToRaw(",\"\n\r \ta")
  n_read <- 0L
  for (i in seq_len(300)) {
    rows <- vapply(seq_len(sample(1:6, 1)), function(j) {
      if (runif(1) < 0.1) return(" ")
      paste(sample(vals, 3, replace = TRUE), collapse = ",")
    }, character(1))
    bytes <- charToRaw(paste0("a,b,c\n", paste(rows, collapse = sample(c("\n", "\r\n"), 1)),
                              sample(c("\n", ""), 1)))
    if (runif(1) < 0.4) {
      at <- sample.int(length(bytes) + 1L, 1L) - 1L
      bytes <- append(bytes, sample(alphabet, 1), after = at)
    }
    r <- read_both(bytes)
    same(r, rawToChar(bytes))
    if (!inherits(r$scan, "error")) n_read <- n_read + 1L
  }
  expect_gt(n_read, 80L)  # many of them are readable files
  # The fast path is taken where it can be, and gives way where it must.
  fast_takes <- function(x) {
    p <- tempfile(fileext = ".csv")
    writeBin(charToRaw(x), p)
    on.exit(unlink(p))
    !is.null(cin_csv_fast(p))
  }
  expect_true(fast_takes("a,b\n \"1\" ,\"x\"\"y\"\n\n3,4"))
  expect_false(fast_takes("a,b\n1\"x,2\n"))
  expect_false(fast_takes("a,b\n\"1\n2\",3\n"))
  expect_false(fast_takes("a,b\n1,2,3\n"))
})

test_that("the header is the first line that is not blank, as the scan finds it", {
  names_of <- function(x) {
    p <- tempfile(fileext = ".csv")
    writeBin(charToRaw(x), p)
    on.exit(unlink(p))
    vapply(c(TRUE, FALSE), function(fast) {
      withr::local_options(cscdemand.csv_fast = fast)
      paste(names(cin_read_csv(p)), collapse = "|")
    }, character(1))
  }
  # lines of spaces, tabs or carriage returns above the header
  expect_identical(names_of("  \na,b\n1,2\n"), rep("a|b", 2))
  expect_identical(names_of("\t\na,b\n1,2\n"), rep("a|b", 2))
  expect_identical(names_of("\r\r\na,b\n1,2\n"), rep("a|b", 2))
  # a carriage return inside the header is not a line end
  expect_identical(names_of("a,\rb\n1,2\n"), rep("a|b", 2))
  # a header with no usable name: unnamed columns
  expect_identical(names_of("\"\"\n1\n"), rep("..1", 2))
  # blank lines between the header and the data
  expect_identical(names_of("a,b\n \n\n1,2\n"), rep("a|b", 2))
  expect_identical(read_cin_assessments(write_bytes(
    "  \nchild_id,referral_date,factor\nC1,2023-05-02,3B\n"))$assessments$.row, 3L)
})

test_that("a header far wider than the data gives way to the scan without a huge allocation", {
  p <- tempfile(fileext = ".csv")
  writeBin(charToRaw(paste0(paste(rep("a", 5000), collapse = ","), "\n", strrep("1,2\n", 1e5))), p)
  expect_null(cin_csv_fast(p))
  expect_error(cin_read_csv(p), class = "cscdemand_error_csv")
})

test_that("the parsers give the same columns with the progress bar on", {
  p <- test_path("fixtures", "cin", "long_basic.csv")
  withr::local_options(cli.progress_show_after = 0)
  expect_identical(cpp_csv_read_fast(p, 65536, TRUE), cpp_csv_read_fast(p, 65536, FALSE))
  n <- length(readLines(p)) - 1L
  ncol <- length(strsplit(readLines(p, 1), ",")[[1]])
  a <- cpp_csv_read_columns(p, ncol, n, 65536, file.size(p), TRUE)
  b <- cpp_csv_read_columns(p, ncol, n, 65536, file.size(p), FALSE)
  expect_identical(a, b)
  expect_identical(a$columns, cpp_csv_read_fast(p, 65536, FALSE)$columns)
})
