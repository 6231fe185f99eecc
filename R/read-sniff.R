# What a file holds, from its first bytes, never its name. Extracts arrive
# as workbooks saved with a .csv name, web pages saved by a download that
# failed, UTF-16 text from Excel's "Unicode Text" or a database tool, and
# files separated by tabs or semicolons (Excel in many locales). Read as
# comma-separated UTF-8, each gives an error about quotes on line 1 that does
# not help; here each is either read (a workbook by the Excel route, UTF-16
# and other separators through a UTF-8 comma-separated copy, same lines) or
# refused with a message that says what the file is and what to do.

# A folder given where a file is wanted: a classed error with the fix.
cin_check_not_folder <- function(path, call = rlang::caller_env()) {
  dirs <- path[dir.exists(path)]
  if (length(dirs)) {
    abort_input(c("{.file {basename(dirs[1])}} is a folder, not a file.",
                  i = "Give the path of the extract, or list the returns in the folder with {.code list.files(folder, pattern = \"[.]xml$\", full.names = TRUE)}."),
                class = "cscdemand_error_file", call = call)
  }
  invisible(path)
}

cin_sniff <- function(path) {
  con <- gzfile(path, "rb")  # reads plain files as they are, and gzip decompressed
  on.exit(close(con))
  b <- readBin(con, raw(), 65536L)
  list(kind = cin_sniff_kind(b), encoding = cin_sniff_encoding(b), head = b)
}

cin_sniff_starts <- function(b, bytes) {
  length(b) >= length(bytes) && identical(b[seq_along(bytes)], as.raw(bytes))
}

cin_sniff_has <- function(b, text) {
  length(b) > 0L && grepl(text, rawToChar(b[b != as.raw(0)]), fixed = TRUE, useBytes = TRUE)
}

cin_sniff_kind <- function(b) {
  if (cin_sniff_starts(b, c(0x50, 0x4b, 0x03, 0x04))) {  # zip: Office files are zip archives
    if (cin_sniff_has(b, "xl/")) return("xlsx")
    if (cin_sniff_has(b, "word/")) return("docx")
    if (cin_sniff_has(b, "ppt/")) return("pptx")
    return("zip")
  }
  if (cin_sniff_starts(b, c(0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1))) return("xls")
  if (cin_sniff_starts(b, charToRaw("%PDF"))) return("pdf")
  if (cin_sniff_starts(b, c(charToRaw("SQLite format 3"), 0))) return("sqlite")
  if (cin_sniff_starts(b, charToRaw("PAR1"))) return("parquet")
  if (cin_sniff_starts(b, charToRaw("$FL2")) || cin_sniff_starts(b, charToRaw("$FL3"))) {
    return("spss")
  }
  if (cin_sniff_starts(b, charToRaw("<stata_dta>"))) return("stata")
  if (cin_sniff_starts(b, c(0xff, 0xfe, 0, 0)) || cin_sniff_starts(b, c(0, 0, 0xfe, 0xff))) {
    return("utf32")
  }
  if (cin_sniff_binary(b)) return("binary")
  # text: markup or not (UTF-16 read through its low bytes)
  # (ASCII bytes only, blanks dropped: "<!DOCTYPE html>" is "<!doctypehtml>")
  t <- b[b > as.raw(0x20) & b < as.raw(0x80)]
  t <- tolower(rawToChar(utils::head(t, 4000L)))
  if (!startsWith(t, "<")) return("text")
  # a web page, also after a comment ("<!-- saved from url=... -->")
  if (startsWith(t, "<!doctypehtml") || startsWith(t, "<table") || grepl("<(html|head|body)[ >/]", t)) {
    return("html")
  }
  "xml"
}

# "utf-16le", "utf-16be" (by the byte-order mark, or by the zero bytes of
# ASCII text) or "" (UTF-8 or single-byte text: the reader's own checks).
cin_sniff_encoding <- function(b) {
  if (cin_sniff_starts(b, c(0xff, 0xfe)) && !cin_sniff_starts(b, c(0xff, 0xfe, 0, 0))) {
    return("utf-16le")
  }
  if (cin_sniff_starts(b, c(0xfe, 0xff))) return("utf-16be")
  # no mark: ASCII text from the first character (its zero byte second in
  # little-endian, first in big-endian), zero bytes on one side only (a few on
  # the other: characters such as U+0100)
  n <- length(b) - length(b) %% 2L
  if (n < 4L) return("")
  odd <- b[seq(1L, n, by = 2L)] == as.raw(0)
  even <- b[seq(2L, n, by = 2L)] == as.raw(0)
  if (!odd[1] && even[1] && mean(even) > 0.4 && mean(odd) < 0.2) return("utf-16le")
  if (odd[1] && !even[1] && mean(odd) > 0.4 && mean(even) < 0.2) return("utf-16be")
  ""
}

# What each refused kind is, and the fix.
cin_sniff_refusals <- function() {
  list(
    docx = c("a Word document", "Ask for the extract as CSV or Excel: a document cannot be read as data."),
    pptx = c("a PowerPoint file", "Ask for the extract as CSV or Excel: slides cannot be read as data."),
    zip = c("a zip archive", "Unzip it ({.code utils::unzip()}) and read the CSV or Excel file inside."),
    pdf = c("a PDF document", "Ask for the extract as CSV or Excel: a PDF report cannot be read as data."),
    html = c("a web page (HTML)", paste(
      "A download that saved a sign-in or error page gives this, and some systems save",
      "reports as web pages with an Excel name: download the extract again, or open it",
      "in Excel and save it as CSV UTF-8.")),
    sqlite = c("a SQLite database", paste(
      "Read the table with {.code DBI::dbReadTable()} and pass the data frame, or read",
      "Standard Safeguarding Dataset tables with {.fn read_cin_ssd}.")),
    parquet = c("a Parquet file", "Read it with {.code arrow::read_parquet()} and pass the data frame."),
    spss = c("an SPSS data file", paste(
      "Read it with {.code haven::read_sav()}, turn labelled codes into text with",
      "{.code haven::as_factor()}, and pass the data frame.")),
    stata = c("a Stata data file", "Read it with {.code haven::read_dta()} and pass the data frame."),
    utf32 = c("UTF-32 text", "Save it again as CSV UTF-8."),
    binary = c("a binary file", paste(
      "Its first bytes are control codes, not characters (an image, a program, an",
      "encrypted or damaged download): give the extract as CSV UTF-8 or Excel, or the",
      "return as its XML file."))
  )
}

# Bytes that are not text: more than 5% control codes (other than tab, line
# feed, form feed and carriage return) in a file that is not UTF-16 (whose
# zero bytes are characters). A text file with a stray NUL byte is text: the
# CSV scan names its line.
cin_sniff_binary <- function(b) {
  if (length(b) < 8L || nzchar(cin_sniff_encoding(b))) return(FALSE)
  ctrl <- (b < as.raw(0x20) & !b %in% as.raw(c(9L, 10L, 12L, 13L))) | b == as.raw(0x7f)
  mean(ctrl) > 0.05
}

# Stops unless the file can be read as text; a workbook stops only with
# `excel_fix` (a reader that takes workbooks checks for them first).
cin_sniff_refuse <- function(path, kind, what = "a CSV file or a CIN census return",
                             excel_fix = NULL, call = rlang::caller_env()) {
  r <- cin_sniff_refusals()[[kind]]
  if (!is.null(excel_fix) && kind %in% c("xlsx", "xls")) r <- c("an Excel workbook", excel_fix)
  if (is.null(r)) return(invisible(NULL))
  abort_input(c("{.file {basename(path)}} is {r[1]}, not {what}.", i = r[2]),
              class = c("cscdemand_error_format", "cscdemand_error_file"), call = call)
}

# A file the CSV reader can read: the file itself when it is comma-separated
# text that is not UTF-16, else a UTF-8 comma-separated copy with the same
# lines, named as the file (inside a temporary folder, so that messages name
# the user's file). Refused kinds stop here. Returns the path, the folder to
# remove afterwards (or NULL) and a note for the audit (or "").
cin_text_file <- function(path, sn = NULL, call = rlang::caller_env()) {
  sn <- sn %||% cin_sniff(path)
  cin_sniff_refuse(path, sn$kind, what = "a CSV file", call = call,
                   excel_fix = "Save the sheet as CSV UTF-8, or read it with {.fn read_cin_assessments}.")
  utf16 <- nzchar(sn$encoding)
  head <- if (utf16) cin_utf16_to_utf8(sn$head, sn$encoding, partial = TRUE) else sn$head
  # old Mac line ends (a carriage return alone): each becomes a line feed
  cr_only <- any(head == as.raw(0x0d)) && !any(head == as.raw(0x0a))
  if (cr_only) head[head == as.raw(0x0d)] <- as.raw(0x0a)
  lines <- cin_head_lines(head)
  # Excel's separator line ("sep=;") as the file's first line: blanked in the copy
  h <- if (cin_sniff_starts(head, c(0xef, 0xbb, 0xbf))) head[-(1:3)] else head
  on_line_1 <- length(h) >= 4L && all(h[1:4] > as.raw(0) & h[1:4] < as.raw(0x80)) &&
    tolower(rawToChar(h[1:4])) == "sep="
  hint <- if (on_line_1 && length(lines)) {
    regmatches(lines[1], regexec("^sep=([,;|\t])\r?$", lines[1], ignore.case = TRUE,
                                 useBytes = TRUE))[[1]]
  } else {
    character()
  }
  delim <- if (length(hint)) hint[2] else cin_guess_delim(lines)
  if (!utf16 && !cr_only && delim == "," && !length(hint)) {
    return(list(file = path, dir = NULL, note = ""))
  }
  dir <- cin_temp_folder(call)
  done <- FALSE
  on.exit(if (!done) unlink(dir, recursive = TRUE), add = TRUE)
  out <- file.path(dir, basename(path))
  src <- path
  if (utf16 || cr_only || cin_is_gzip(path)) {  # else rewritten straight from the file
    src <- cin_plain_utf8(path, sn, dir = dir, cr_to_lf = cr_only, call = call)$file
  }
  if (delim != "," || length(hint)) {
    tmp <- file.path(dir, "comma.csv")
    cpp_csv_redelimit(enc2native(path.expand(src)), enc2native(path.expand(tmp)), delim,
                      blank_first = length(hint) > 0L)
    if (!identical(src, path)) unlink(src)
    file.rename(tmp, out)
  }
  note <- c(if (utf16) "UTF-16 text", if (cr_only) "old Mac line ends",
            if (delim != ",") paste0(cin_delim_name(delim), "-separated"),
            if (length(hint)) paste0("first line \"sep=", if (delim == "\t") "\\t" else delim, "\" skipped"))
  done <- TRUE
  list(file = out, dir = dir, note = paste(note, collapse = ", "))
}

cin_temp_folder <- function(call = rlang::caller_env()) {
  dir <- tempfile("cscdemand-text")
  if (!dir.create(dir, showWarnings = FALSE)) {
    abort_input(c("Cannot make a temporary folder to convert the file.",
                  i = "Check that R's temporary folder ({.code tempdir()}) is writable and the disk is not full."),
                class = "cscdemand_error_file", call = call)
  }
  dir
}

# A plain (not gzipped) UTF-8 copy of a file, named as the file, in `dir`
# (a new temporary folder by default), carriage returns made line feeds with
# `cr_to_lf`: list(file, dir). The folder goes if the copy fails.
cin_plain_utf8 <- function(path, sn = cin_sniff(path), dir = NULL, cr_to_lf = FALSE,
                           call = rlang::caller_env()) {
  own <- is.null(dir)
  if (own) dir <- cin_temp_folder(call)
  done <- FALSE
  on.exit(if (!done && own) unlink(dir, recursive = TRUE), add = TRUE)
  out <- file.path(dir, basename(path))
  con <- gzfile(path, "rb")
  bytes <- tryCatch(cin_read_all(con), error = function(e) {
    abort_input(c("{.file {basename(path)}} cannot be read to the end: {conditionMessage(e)}.",
                  i = "A gzipped file that was cut off or damaged gives this: copy or download it again."),
                class = "cscdemand_error_file", call = call)
  }, finally = close(con))
  if (nzchar(sn$encoding)) {
    bytes <- cin_utf16_to_utf8(bytes, sn$encoding, partial = FALSE, path = path, call = call)
  }
  if (cr_to_lf) bytes[bytes == as.raw(0x0d)] <- as.raw(0x0a)
  writeBin(bytes, out)
  done <- TRUE
  list(file = out, dir = dir)
}

# The XML reader's file: refuse what is not XML text; UTF-16 or gzipped
# returns are read from a plain UTF-8 copy named as the file. list(file, dir).
cin_xml_file <- function(path, call = rlang::caller_env()) {
  sn <- cin_sniff(path)
  cin_sniff_refuse(path, sn$kind, what = "a CIN census return", call = call,
                   excel_fix = "Read it with {.fn read_cin_assessments}, or choose the return's XML file.")
  if (!nzchar(sn$encoding) && !cin_is_gzip(path)) return(list(file = path, dir = NULL))
  cin_plain_utf8(path, sn, call = call)
}

cin_delim_name <- function(delim) {
  switch(delim, "\t" = "tab", ";" = "semicolon", "|" = "bar", "comma")
}

cin_is_gzip <- function(path) {
  magic <- readBin(path, raw(), 2L)
  length(magic) == 2L && magic[1] == as.raw(0x1f) && magic[2] == as.raw(0x8b)
}

cin_read_all <- function(con) {
  chunks <- list()
  repeat {
    r <- readBin(con, raw(), 16777216L)
    if (!length(r)) break
    chunks[[length(chunks) + 1L]] <- r
  }
  if (length(chunks) == 1L) chunks[[1L]] else do.call(c, chunks)
}

# The first lines of a file's head (the last, perhaps cut, dropped when
# there are others): blank lines left out.
cin_head_lines <- function(b) {
  if (cin_sniff_starts(b, c(0xef, 0xbb, 0xbf))) b <- b[-(1:3)]
  b <- b[b != as.raw(0)]
  lines <- strsplit(rawToChar(b), "\n", fixed = TRUE, useBytes = TRUE)[[1]]
  if (length(lines) > 1L && !identical(b[length(b)], as.raw(0x0a))) lines <- lines[-length(lines)]
  lines <- lines[grepl("[^[:space:]]", lines, useBytes = TRUE)]
  utils::head(lines, 30L)
}

# The separator of a file, from its first lines: of comma, tab, semicolon
# and bar (outside quotes), the one that splits the most lines into the
# same number of fields, 2 or more (a title line above the header, or a
# comma in a header name, does not decide it); a comma on a tie, or when
# nothing splits.
cin_guess_delim <- function(lines) {
  if (!length(lines)) return(",")
  bare <- gsub("\"[^\"]*(\"|$)", "\"\"", lines, useBytes = TRUE)  # quoted values emptied
  score <- vapply(c(",", "\t", ";", "|"), function(d) {
    n <- lengths(regmatches(bare, gregexpr(d, bare, fixed = TRUE, useBytes = TRUE))) + 1L
    n <- n[n >= 2L]
    if (!length(n)) return(0L)
    max(tabulate(n))
  }, integer(1))
  if (max(score) == 0L) return(",")
  names(score)[which.max(score)]
}

# UTF-16 bytes as UTF-8 bytes, the byte-order mark dropped. `partial`: the
# first bytes of a file (an odd last byte or a split character is cut).
cin_utf16_to_utf8 <- function(b, encoding, partial, path = NULL, call = rlang::caller_env()) {
  from <- if (encoding == "utf-16le") "UTF-16LE" else "UTF-16BE"
  if (length(b) >= 2L && (cin_sniff_starts(b, c(0xff, 0xfe)) || cin_sniff_starts(b, c(0xfe, 0xff)))) {
    b <- b[-(1:2)]
  }
  if (partial) {  # a cut character (a surrogate pair is 4 bytes) is dropped
    b <- b[seq_len(length(b) - length(b) %% 2L)]
    for (cut in c(0L, 2L, 4L)) {
      out <- iconv(list(b[seq_len(max(0L, length(b) - cut))]), from = from, to = "UTF-8",
                   toRaw = TRUE)[[1]]
      if (!is.null(out) && !any(out == as.raw(0))) return(out)
    }
    return(raw(0))
  }
  out <- iconv(list(b), from = from, to = "UTF-8", toRaw = TRUE)[[1]]
  # iconv hands back the bytes unchanged when they are not UTF-16; converted
  # text has no zero byte
  if (is.null(out) || any(out == as.raw(0))) {
    abort_input(c("{.file {basename(path)}} looks like UTF-16 text but is not valid UTF-16 (half a character, or a character that does not exist).",
                  i = "Save it again as CSV UTF-8."),
                class = c("cscdemand_error_encoding", "cscdemand_error_file"), call = call)
  }
  out
}
