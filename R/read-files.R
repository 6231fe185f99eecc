# Reading a council's extract into an all-character table, with the position
# of every data row in the source: file line numbers for CSV (header = line
# 1, quoted values over several lines counted), sheet rows for Excel (rows
# above the table counted), row indices for a data frame. Nothing here sees
# identifiers as identifiers; no message repeats a cell or a line.

cin_read_table <- function(x, sheet = NULL, engine = "auto", call = rlang::caller_env()) {
  if (is.data.frame(x)) return(cin_read_data_frame(x, call = call))
  if (!is.character(x) || length(x) != 1L || is.na(x)) {
    abort_input(c("{.arg x} must be a file path or a data frame.",
                  x = "You supplied an object of class {.cls {class(x)}}."), call = call)
  }
  if (!file.exists(x)) {
    abort_input(c("File {.file {basename(x)}} does not exist.",
                  i = "Check the path and the working directory ({.code getwd()})."),
                class = "cscdemand_error_file", call = call)
  }
  cin_check_not_folder(x, call = call)
  if (isTRUE(file.info(x)$size == 0)) {
    abort_input(c("File {.file {basename(x)}} is empty.",
                  i = "Export the extract again, with a header row and at least one assessment."),
                class = "cscdemand_error_empty", call = call)
  }
  ext <- tolower(tools::file_ext(sub("\\.gz$", "", x)))
  # by content, not name: a workbook saved as .csv is read as a workbook, a
  # CSV file saved as .xls as CSV; other kinds are refused in cin_read_csv()
  sn <- cin_sniff(x)
  kind <- sn$kind
  if (kind %in% c("xlsx", "xls") ||
      (ext %in% c("xlsx", "xls", "xlsm") && !kind %in% c("text", names(cin_sniff_refusals())))) {
    tab <- cin_read_excel(x, sheet = sheet, call = call)
    if (!ext %in% c("xlsx", "xls", "xlsm")) tab$source <- paste0(tab$source, " (an Excel workbook)")
    return(tab)
  }
  df <- cin_read_csv(x, engine = engine, sn = sn, call = call)
  note <- attr(df, "note")
  attr(df, "note") <- NULL
  lines <- attr(df, "lines")
  attr(df, "lines") <- NULL
  multiline <- isTRUE(attr(df, "multiline"))
  attr(df, "multiline") <- NULL
  names(df) <- sub("^(\ufeff|\u00ef\u00bb\u00bf)", "", names(df))
  if (nrow(df) == 0L) {
    abort_input(c("File {.file {basename(x)}} has a header but no data rows.",
                  i = "Export the extract again with at least one assessment."),
                class = "cscdemand_error_empty", call = call)
  }
  list(data = df, rows = lines, source = paste0(basename(x), if (nzchar(note %||% "")) paste0(" (", note, ")")),
       skipped = 0L, multiline = multiline, unit = "Line")
}

cin_read_data_frame <- function(x, call = rlang::caller_env()) {
  df <- as.data.frame(x, stringsAsFactors = FALSE)
  for (i in seq_along(df)) {
    v <- df[[i]]
    if (inherits(v, "Date")) next
    else if (inherits(v, "POSIXt")) v <- format(v, "%Y-%m-%d")
    else if (is.logical(v)) v <- ifelse(is.na(v), NA_character_, ifelse(v, "1", "0"))
    else if (!is.character(v)) v <- as.character(v)
    df[[i]] <- v
  }
  if (nrow(df) == 0L) {
    abort_input(c("The data frame has no rows.",
                  i = "Check the query or filter that made it."),
                class = "cscdemand_error_empty", call = call)
  }
  list(data = df, rows = seq_len(nrow(df)), source = "a data frame", skipped = 0L,
       multiline = FALSE, unit = "Row")
}

# CSV: check the structure first (a quote-aware scan in C++ that counts the
# fields of every record and finds stray or unclosed quotes), then read the
# checked text. A line with the wrong number of fields is an error naming the
# line, never padded or shifted. Gzipped files are decompressed with base R.
# The usual engine ("auto") parses the file in C++ into one factor per column
# (codes into the column's distinct values: no text per row); a file with a
# quoted value over several lines goes to the base reader, and "fread" keeps
# the earlier engine (all columns as text), for comparison.
# The usual engine first tries the fast path, which parses without the scan
# and gives up at anything the scan would look at (see csv_parse.h); a file
# it reads is read exactly as the scan and the parse would read it.
cin_read_csv <- function(path, engine = c("auto", "fread", "base"), sn = NULL,
                         call = rlang::caller_env()) {
  engine <- match.arg(engine)
  # UTF-16 text, or tabs or semicolons: read from a UTF-8 comma-separated
  # copy with the same lines (read-sniff.R); other kinds are refused.
  # `sn`: the file's cin_sniff(), when the caller has it already.
  txt <- cin_text_file(path, sn = sn, call = call)
  if (!is.null(txt$dir)) on.exit(unlink(txt$dir, recursive = TRUE), add = TRUE)
  df <- tryCatch(cin_read_csv_file(txt$file, engine = engine, call = call),
                 cscdemand_error = function(e) {
                   if (grepl("separated", txt$note, fixed = TRUE)) {
                     e$body <- c(e$body, i = paste0(
                       "The file is ", txt$note, ": it was read as a comma-separated copy with ",
                       "the same lines, so where this message says comma, read the file's own separator."))
                   }
                   stop(e)
                 })
  attr(df, "note") <- txt$note
  df
}

cin_read_csv_file <- function(path, engine, call) {
  if (engine == "auto" && isTRUE(getOption("cscdemand.csv_fast", TRUE))) {
    df <- cin_csv_fast(path)
    if (!is.null(df)) return(df)
  }
  src <- cin_csv_source(path)
  on.exit(if (!identical(src$file, path)) unlink(src$file), add = TRUE)
  scan <- src$scan
  src$scan <- NULL
  cin_csv_check(scan, path, call = call)
  n_rec <- length(scan$line) - 1L
  n_col <- scan$fields[1]
  scan$fields <- NULL  # checked: every record has n_col fields
  df <- if (engine == "auto" && !scan$multiline && n_rec > 0L) {
    cin_csv_columns(src$file, n_col, n_rec)
  }
  if (is.null(df)) df <- cin_read_csv_text(src$file, scan, engine)
  if (nrow(df) != n_rec || ncol(df) != n_col) {
    abort_input(c("Could not read {.file {basename(path)}} as a CSV file.",
                  x = "The reader found {nrow(df)} data row{?s}; the file has {n_rec}.",
                  i = "Save the extract again as CSV UTF-8 and read it again."),
                class = c("cscdemand_error_csv", "cscdemand_error_file"), call = call)
  }
  df <- cin_csv_header(df, src$file, scan$line[1],
                       if (length(scan$line) > 1L) scan$line[2] - 1L else scan$line[1])
  # Lines 1..n with no gap (no blank line, no value over several lines):
  # stored as a compact sequence, not a vector as long as the file.
  n_ln <- length(scan$line)
  attr(df, "lines") <- if (n_ln > 1L && identical(scan$line[n_ln], n_ln)) {
    seq.int(2L, n_ln)
  } else {
    scan$line[-1L]
  }
  attr(df, "multiline") <- scan$multiline
  df
}

# The header as written: empty names become ..k (k = the column position),
# as readers rename them in their own ways. The header is read from the
# physical lines the scan found it on (`first`, up to the line before the
# first record, `last`): blank lines above it, lines of spaces, tabs or
# carriage returns, are not read as a header, and a carriage return is never
# a line end (as for the scan).
cin_csv_header <- function(df, file, first, last) {
  txt <- cpp_csv_line_range(enc2native(path.expand(file)), first, last)
  txt <- gsub("\r", "", txt, fixed = TRUE)
  lines <- strsplit(txt, "\n", fixed = TRUE)[[1]]
  while (length(lines) > 1L && !nzchar(trimws(lines[length(lines)]))) {
    lines <- lines[-length(lines)]  # blank lines between the header and the data
  }
  hdr <- tryCatch(
    names(utils::read.csv(text = paste(lines, collapse = "\n"), nrows = 0L,
                          check.names = FALSE, colClasses = "character", encoding = "UTF-8")),
    error = function(e) rep(NA_character_, ncol(df)))  # no usable name: unnamed columns
  if (length(hdr) == ncol(df)) {
    hdr <- trimws(hdr)
    names(df) <- ifelse(is.na(hdr) | hdr == "", paste0("..", seq_along(hdr)), hdr)
  }
  df
}

# The fast path (an uncompressed file, parsed in C++ without the structure
# scan): the table with its "lines" and "multiline" attributes, or NULL when
# the file needs the scan (a quoting problem, a wrong field count, a value
# over several lines, a NUL byte, no data row) or is gzipped.
cin_csv_fast <- function(path) {
  if (cin_is_gzip(path)) return(NULL)
  lazy_min <- getOption("cscdemand.csv_lazy_min", 65536)
  r <- cpp_csv_read_fast(enc2native(path.expand(path)), as.numeric(lazy_min), interactive())
  if (r$error != 0L) return(NULL)
  cols <- r$columns
  n <- length(cols[[1]])
  df <- structure(cols, names = paste0("V", seq_along(cols)), class = "data.frame",
                  row.names = c(NA_integer_, -n))
  # The records' lines: those after the header that are not blank.
  first <- as.integer(r$header_line) + 1L
  last <- as.integer(r$lines)
  blank <- r$blank[r$blank > r$header_line]
  lines <- if (length(blank)) {
    setdiff(seq.int(first, last), blank)
  } else {
    seq.int(first, last)
  }
  if (length(lines) != n) return(NULL)  # cannot happen: then trust the scan
  df <- cin_csv_header(df, path, r$header_line, lines[1] - 1L)
  attr(df, "lines") <- lines
  attr(df, "multiline") <- FALSE
  df
}

# The C++ field parser (inst/include/cscdemand/csv_parse.h): a data frame of
# factors, or NULL if the parser declines the file (then the text reader
# reads it). A column with many distinct values (identifiers) gets lazy
# levels: R strings are made only for the values the result keeps. Both
# parsers can be interrupted, and show a progress bar in an interactive
# session when the read lasts a few seconds.
cin_csv_columns <- function(file, ncol, nrow) {
  lazy_min <- getOption("cscdemand.csv_lazy_min", 65536)
  r <- cpp_csv_read_columns(enc2native(path.expand(file)), as.integer(ncol), as.integer(nrow),
                            as.numeric(lazy_min), as.numeric(file.size(file)), interactive())
  if (r$error != 0L) return(NULL)
  cols <- r$columns
  structure(cols, names = paste0("V", seq_along(cols)), class = "data.frame",
            row.names = c(NA_integer_, -as.integer(nrow)))
}

# The text readers: every column as text (fread, else base R).
cin_read_csv_text <- function(file, scan, engine) {
  if (length(scan$blank)) {
    # Blank lines: removed before reading (readers disagree about them).
    txt <- readLines(file, warn = FALSE, encoding = "UTF-8")
    file <- tempfile(fileext = ".csv")
    on.exit(unlink(file), add = TRUE)
    writeLines(txt[-scan$blank[scan$blank <= length(txt)]], file, useBytes = TRUE)
  }
  # fread guesses its quoting rule, and can guess wrong around values over
  # several lines: those (rare) files go to the base reader.
  fast <- engine != "base" && !scan$multiline && requireNamespace("data.table", quietly = TRUE)
  if (fast) {
    data.table::fread(file, sep = ",", quote = "\"", header = TRUE, colClasses = "character",
                      encoding = "UTF-8", na.strings = "NA", showProgress = FALSE,
                      data.table = FALSE, check.names = FALSE, strip.white = TRUE,
                      fill = FALSE, blank.lines.skip = FALSE)
  } else {
    utils::read.csv(file, colClasses = "character", fileEncoding = "UTF-8-BOM",
                    na.strings = "NA", check.names = FALSE, strip.white = TRUE,
                    comment.char = "", quote = "\"", blank.lines.skip = FALSE)
  }
}

# Scan a file in chunks; a gzipped file is decompressed to a temporary file
# on the way (base R, no extra package).
cin_csv_source <- function(path) {
  gz <- cin_is_gzip(path)
  if (!gz) {
    # Read by the scanner itself: no copy of the file passes through R.
    return(list(scan = cpp_csv_scan_file(enc2native(path.expand(path))), file = path))
  }
  con <- if (gz) gzfile(path, "rb") else file(path, "rb")
  on.exit(close(con))
  out <- if (gz) tempfile(fileext = ".csv") else path
  out_con <- if (gz) file(out, "wb")
  if (gz) on.exit(close(out_con), add = TRUE)
  first <- TRUE
  next_chunk <- function() {
    r <- readBin(con, raw(), 16777216L)
    if (gz && length(r)) writeBin(r, out_con)
    if (first && length(r) >= 3L && identical(r[1:3], as.raw(c(0xef, 0xbb, 0xbf)))) {
      r <- r[-(1:3)]  # the byte-order mark is not part of the first value
    }
    first <<- FALSE
    r
  }
  scan <- cpp_csv_scan(next_chunk)
  if (gz && scan$error == 0L) {
    while (length(next_chunk())) NULL  # the rest of the file, if the scan stopped early
  }
  list(scan = scan, file = out)
}

# Errors from the structure scan: name the line and the fix, never the text.
cin_csv_check <- function(scan, path, call = rlang::caller_env()) {
  f <- basename(path)
  cls <- c("cscdemand_error_csv", "cscdemand_error_file")
  if (scan$error != 0L) {
    line <- scan$error_line
    problem <- switch(scan$error,
      "a double quote inside a value that does not start with a quote",
      "text after the closing quote of a quoted value (a quote inside a quoted value must be doubled: \"\")",
      "a double quote that opens a value and is never closed",
      "a NUL byte (the file is not text)")
    abort_input(c("Line {line} of {.file {f}} cannot be read: it has {problem}.",
                  i = "Correct that line (quote a value containing commas or quotes, and double the quotes inside it), or export the extract again as CSV UTF-8."),
                class = cls, call = call)
  }
  if (!length(scan$line)) {
    abort_input(c("File {.file {f}} has no header row.",
                  i = "Export the extract again, with a header row and at least one assessment."),
                class = "cscdemand_error_empty", call = call)
  }
  n_hdr <- scan$fields[1]
  bad <- which(scan$fields != n_hdr)
  if (length(bad)) {
    lines <- scan$line[bad]
    nf <- scan$fields[bad[1]]
    more <- if (length(bad) > 1L) paste0(" (and ", length(bad) - 1L, " more line", if (length(bad) > 2L) "s", ": ", format_rows(lines[-1], 5L), ")") else ""
    fix <- if (nf > n_hdr) {
      "A value holding a comma (several codes such as 1B,3B) must be in double quotes (\"1B,3B\"), or separate the codes with semicolons."
    } else {
      "A cell is missing: add the empty cell (two commas in a row) or the value."
    }
    abort_input(c("Line {lines[1]} of {.file {f}} has {nf} field{?s}; the header (line {scan$line[1]}) has {n_hdr}{more}.",
                  i = fix,
                  i = "Nothing was read, so no field is shifted into the wrong column."),
                class = cls, call = call)
  }
  invisible(scan)
}

cin_read_excel <- function(path, sheet = NULL, call = rlang::caller_env()) {
  if (!requireNamespace("readxl", quietly = TRUE)) {
    abort_input(c("Reading Excel files needs the {.pkg readxl} package.",
                  i = "Install it with {.code install.packages(\"readxl\")}, or save the sheet as CSV."),
                class = "cscdemand_error_dependency", call = call)
  }
  sh <- sheet %||% 1L
  # A range from A1 keeps leading blank rows, so row i is sheet row i.
  raw <- tryCatch(
    readxl::read_excel(path, sheet = sh, col_names = FALSE, col_types = "text",
                       .name_repair = "minimal",
                       range = readxl::cell_limits(c(1L, 1L), c(NA, NA))),
    error = function(e) {
      abort_input(c("Could not read sheet {.val {sh}} of {.file {basename(path)}}.",
                    x = conditionMessage(e),
                    i = "Check the sheet name with {.code readxl::excel_sheets()}."),
                  class = "cscdemand_error_file", call = call)
    })
  raw <- as.data.frame(raw, stringsAsFactors = FALSE)
  if (nrow(raw) == 0L || all(is.na(raw))) {
    abort_input(c("Sheet {.val {sh}} of {.file {basename(path)}} is empty.",
                  i = "Choose the sheet holding the extract with {.arg sheet}."),
                class = "cscdemand_error_empty", call = call)
  }
  h <- cin_excel_header(raw, path, call = call)
  hdr <- trimws(unlist(raw[h, ], use.names = FALSE))
  df <- raw[-seq_len(h), , drop = FALSE]
  # Unnamed columns are kept (as ..1, ..2 by position) when they hold values:
  # codes spread over header-less cells are read, other values are counted.
  unnamed <- is.na(hdr) | hdr == ""
  has_val <- vapply(df, function(v) any(!is.na(v) & trimws(v) != ""), logical(1))
  keep <- !unnamed | has_val
  names(df) <- ifelse(unnamed, paste0("..", seq_along(hdr)), hdr)
  df <- df[, keep, drop = FALSE]
  # Trailing rows with no value at all (Excel often has them) are not rows.
  filled <- which(rowSums(!is.na(df) & df != "") > 0)
  if (!length(filled)) {
    abort_input(c("Sheet {.val {sh}} of {.file {basename(path)}} has a header but no data rows.",
                  i = "Check the sheet holds the extract."),
                class = "cscdemand_error_empty", call = call)
  }
  df <- df[seq_len(max(filled)), , drop = FALSE]
  rownames(df) <- NULL
  list(data = df, rows = h + seq_len(nrow(df)), source = basename(path),
       skipped = as.integer(h - 1L), multiline = FALSE, unit = "Row")
}

# The header row: the first of the top 30 rows with at least two recognised
# column names (titles and notes above the table are skipped).
cin_excel_header <- function(raw, path, call = rlang::caller_env()) {
  known <- c(unlist(cin_column_aliases()), cin_key(cin_codes_all()))
  score <- vapply(seq_len(min(30L, nrow(raw))), function(i) {
    v <- cin_key(unlist(raw[i, ], use.names = FALSE))
    sum(!is.na(v) & (v %in% known | grepl("^(x|f|factor)?0*[0-9]{1,2}[a-f]?$", v)))
  }, numeric(1))
  h <- which(score >= 2)[1]
  if (is.na(h)) {
    abort_input(c("No header row found in the first 30 rows of {.file {basename(path)}}.",
                  i = "The header needs at least two recognised column names, such as {.field child_id} and {.field factor}.",
                  i = "See the templates in {.code system.file(\"templates\", package = \"cscdemand\")}."),
                class = "cscdemand_error_columns", call = call)
  }
  h
}
