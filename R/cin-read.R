#' Read a council's CIN assessment extract
#'
#' Reads the factors identified at the end of assessment from a CSV or Excel
#' file, or a data frame, in any of three layouts, checks every row, and
#' returns the assessments with their factor codes and an audit of everything
#' read, recoded or dropped.
#'
#' @section Layouts:
#' * **long**: one row per assessment and factor, as the CIN census
#'   `AssessmentFactorsList` (a column `factor` with one code per row).
#' * **codes**: one row per assessment, the codes in one cell, separated by
#'   commas, semicolons, bars or spaces (`"1B, 3B,4B"`).
#' * **wide**: one row per assessment, one 0/1 column per factor; columns are
#'   named by code (`3B`, `f_3b`, `X3B`) or by DfE column name
#'   (`Domestic_Abuse_parent`). Values 1/0, `TRUE`/`FALSE`, Y/N or yes/no;
#'   blank means not identified.
#'
#' `"auto"` picks wide when at least three columns are factor codes, else
#' codes when the factor column holds several codes in a cell, else long.
#'
#' @section Columns:
#' Names are matched ignoring case, spaces and punctuation, so the CIN census
#' names work as well (`LAchildID`, `CINreferralDate`,
#' `AssessmentAuthorisationDate`, `AssessmentFactors`). Use `columns` for
#' anything else. The templates in `system.file("templates", package =
#' "cscdemand")` list every column with its meaning.
#' * identifiers: `la` (council; or the argument `la`), `child_id`,
#'   `episode_id` (the CIN episode; if absent the episode is the child and
#'   referral date), `assessment_id` (if absent, the assessment is the episode
#'   and assessment date);
#' * dates: `referral_date`, `assessment_date` (authorised), as
#'   `YYYY-MM-DD`, `DD/MM/YYYY`, `DD-MM-YYYY`, `DD.MM.YYYY` or Excel day
#'   numbers; `year` (census year, as the year the collection ends; if absent
#'   it is taken from the assessment date, else the referral date, with years
#'   running April to March);
#' * optional characteristics: `age` (at referral), `gender`, `ethnicity`,
#'   `lsoa`, `referral_source`, `rereferral`, and outcome flags `nfa`,
#'   `not_in_need`, `cin_plan`, `s47`, `icpc`, `cp_plan`, `looked_after`,
#'   `step_down`; `true_class` (simulated data only).
#'
#' Row numbers in messages and in the audit are as in the file: for CSV, line
#' numbers counting the header as line 1; for Excel, the sheet row; for a data
#' frame, the row index.
#'
#' @param x Path to a `.csv` (or `.txt`, `.csv.gz`) or `.xlsx`/`.xls` file, or
#'   a data frame; or the path(s) of CIN census XML returns, read by
#'   [read_cin_census_xml()].
#' @param layout One of `"auto"` (default), `"long"`, `"codes"`, `"wide"`.
#' @param columns Optional named character vector mapping the standard names
#'   above to your column names, e.g. `c(child_id = "PersonRef", factor =
#'   "Factor")`.
#' @param la Council code or name to use when the data has no `la` column
#'   (default `"LA"`).
#' @param sheet Excel sheet (name or number); default the first.
#' @param on_unknown What to do with values that are not factor codes:
#'   `"error"` (default) lists them with their rows; `"drop"` drops them and
#'   counts them in the audit.
#' @param legacy Read 22B as 23A (abuse linked to faith or belief, numbered 22B
#'   in older guides). Default `TRUE`.
#' @param date_format Optional [strptime()] format for the dates, when they are
#'   in none of the usual forms.
#' @param verbose Print a one-line summary (default `FALSE`).
#' @return An object of class `cin_assessments`: a list with `assessments`
#'   (one row per assessment: `.assessment`, `.episode`, `.row` (first row in
#'   the file), identifiers, dates, `year` and the characteristics read),
#'   `factors` (one row per assessment and code: `assessment`, and `code`, a
#'   factor with the levels of `cin_factors$code`),
#'   `audit` (see [audit()]), `recodes` (each distinct value read, the code it
#'   became, the rule and the number of rows), `layout` and `source`.
#' @family CIN data
#' @export
#' @examples
#' path <- system.file("templates", "cin_long_template.csv", package = "cscdemand")
#' a <- read_cin_assessments(path)
#' a
#' audit(a)
#'
#' d <- data.frame(child_id = c("C1", "C1", "C2"),
#'                 referral_date = c("2023-05-02", "2023-05-02", "2023-06-10"),
#'                 factors = c("1b, 3B", "16A", "21"))
#' read_cin_assessments(d)
read_cin_assessments <- function(x, layout = c("auto", "long", "codes", "wide"), columns = NULL,
                                 la = "LA", sheet = NULL, on_unknown = c("error", "drop"),
                                 legacy = TRUE, date_format = NULL, verbose = FALSE) {
  layout <- rlang::arg_match(layout)
  on_unknown <- rlang::arg_match(on_unknown)
  check_flag(legacy)
  check_flag(verbose)
  if (!is.character(la) || length(la) != 1L || is.na(la)) {
    abort_input("{.arg la} must be a single council code or name.")
  }
  if (!is.null(columns) && (!is.character(columns) || is.null(names(columns)) ||
                            any(names(columns) == ""))) {
    abort_input(c("{.arg columns} must be a named character vector.",
                  i = "For example {.code columns = c(child_id = \"PersonRef\")}."))
  }
  if (cin_is_xml(x)) {
    return(read_cin_census_xml(x, on_unknown = on_unknown, legacy = legacy, verbose = verbose))
  }
  # No binding here: the builder can release the raw table as it goes.
  cin_assessments_from_table(cin_read_table(x, sheet = sheet), layout = layout,
                             columns = columns, la = la,
                             on_unknown = on_unknown, legacy = legacy,
                             date_format = date_format, verbose = verbose)
}

#' @export
print.cin_assessments <- function(x, ...) {
  n_a <- nrow(x$assessments)
  n_e <- length(unique(x$assessments$.episode))
  n_la <- length(unique(x$assessments$la))
  cat("<cin_assessments> ", x$layout, " layout from ", x$source, "\n", sep = "")
  cat(format(n_a, big.mark = ","), " assessments in ", format(n_e, big.mark = ","),
      " episodes, ", n_la, " council", if (n_la != 1) "s", "; ",
      format(nrow(x$factors), big.mark = ","), " factor codes (",
      length(unique(x$factors$code)), " distinct)\n", sep = "")
  yrs <- sort(unique(x$assessments$year))
  if (length(yrs)) cat("Census years: ", paste(yrs, collapse = ", "), "\n", sep = "")
  extra <- intersect(names(x$assessments), cin_characteristics())
  if (length(extra)) cat("Characteristics: ", paste(extra, collapse = ", "), "\n", sep = "")
  cat("See audit() for what was read, recoded and dropped.\n")
  invisible(x)
}

#' @export
as.data.frame.cin_assessments <- function(x, row.names = NULL, optional = FALSE, ...) {
  a <- x$assessments
  f <- x$factors
  out <- a[f$assessment, , drop = FALSE]
  out$factor <- as.character(f$code)
  rownames(out) <- NULL
  out
}

# ---------------------------------------------------------------------------
# Column dictionary

cin_column_aliases <- function() {
  list(
    la = c("la", "lacode", "localauthority", "localauthoritycode", "newlacode", "oldlacode",
           "laname", "council", "lanum"),
    child_id = c("childid", "lachildid", "child", "personid", "childref", "childreference",
                 "clientid", "personref"),
    episode_id = c("episodeid", "episode", "cindetailsid", "cinepisodeid", "referralid",
                   "episoderef", "cinid"),
    assessment_id = c("assessmentid", "assessment", "assessmentref"),
    referral_date = c("referraldate", "cinreferraldate", "dateofreferral", "referralstartdate"),
    assessment_date = c("assessmentdate", "assessmentauthorisationdate", "assessmentauthoriseddate",
                        "dateassessmentauthorised", "assessmentenddate",
                        "assessmentauthoriseddt"),
    factor = c("factor", "factors", "factorcode", "factorcodes", "code", "codes",
               "assessmentfactor", "assessmentfactors", "assessmentfactorslist",
               "assessmentfactorcode", "assessmentfactorcodes"),
    year = c("year", "censusyear", "collectionyear", "timeperiod"),
    age = c("age", "ageatreferral", "agereferral"),
    gender = c("gender", "sex"),
    ethnicity = c("ethnicity", "ethnicgroup", "ethnic"),
    lsoa = c("lsoa", "lsoa11", "lsoacode", "lsoa11cd", "lsoa2011"),
    referral_source = c("referralsource", "source", "sourceofreferral"),
    rereferral = c("rereferral", "repeatreferral", "rereferralwithin12months"),
    nfa = c("nfa", "nofurtheraction", "referralnfa"),
    not_in_need = c("notinneed", "assessednotinneed", "assessednotcin", "notcin"),
    cin_plan = c("cinplan", "cin", "childinneedplan"),
    s47 = c("s47", "section47", "s47enquiry"),
    icpc = c("icpc", "initialcpconference", "initialchildprotectionconference"),
    cp_plan = c("cpplan", "childprotectionplan", "cpp"),
    looked_after = c("lookedafter", "cla", "lac", "lookedafterchild"),
    step_down = c("stepdown", "stepdowntoearlyhelp", "earlyhelp"),
    true_class = c("trueclass", "simulatedclass"),
    ethnic_group = c("ethnicgroup", "majorethnicgroup"), disability = c("disability", "disabled"),
    primary_need = c("primaryneed", "primaryneedcode"), closure_reason = c("closurereason", "reasonforclosure"),
    threshold = c("threshold", "highestthreshold"), cp_category = c("cpcategory", "categoryofabuse")
  )
}

cin_outcomes <- function() {
  c("nfa", "not_in_need", "cin_plan", "s47", "icpc", "cp_plan", "looked_after", "step_down")
}

cin_characteristics <- function() {
  c("age", "gender", "ethnicity", "lsoa", "referral_source", "rereferral", cin_outcomes(),
    "true_class", "ethnic_group", "disability", "primary_need", "closure_reason", "threshold",
    "cp_category")
}

cin_key <- function(x) gsub("[^a-z0-9]", "", tolower(x))

# ---------------------------------------------------------------------------
# Reading files into an all-character data frame with a row offset.

cin_read_table <- function(x, sheet = NULL, call = rlang::caller_env()) {
  if (is.data.frame(x)) {
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
    return(list(data = df, offset = 0L, source = "a data frame", skipped = 0L, trimmed = FALSE))
  }
  if (!is.character(x) || length(x) != 1L || is.na(x)) {
    abort_input(c("{.arg x} must be a file path or a data frame.",
                  x = "You supplied an object of class {.cls {class(x)}}."), call = call)
  }
  if (!file.exists(x)) {
    abort_input(c("File {.file {x}} does not exist.",
                  i = "Check the path and the working directory ({.path {getwd()}})."),
                class = "cscdemand_error_file", call = call)
  }
  if (isTRUE(file.info(x)$size == 0)) {
    abort_input(c("File {.file {basename(x)}} is empty.",
                  i = "Export the extract again, with a header row and at least one assessment."),
                class = "cscdemand_error_empty", call = call)
  }
  ext <- tolower(tools::file_ext(sub("\\.gz$", "", x)))
  if (ext %in% c("xlsx", "xls", "xlsm")) {
    return(cin_read_excel(x, sheet = sheet, call = call))
  }
  df <- tryCatch(cin_read_csv(x), error = function(e) {
    abort_input(c("Could not read {.file {basename(x)}} as a CSV file.",
                  x = "{conditionMessage(e)}",
                  i = "Check the line named above (a stray quote, a comma inside a value, a footer), or save the extract again as CSV UTF-8."),
                class = "cscdemand_error_file", call = call)
  })
  notes <- attr(df, "notes")
  attr(df, "notes") <- NULL
  names(df) <- sub("^\ufeff", "", names(df))
  names(df) <- sub("^\u00ef\u00bb\u00bf", "", names(df))
  if (nrow(df) == 0L) {
    abort_input(c("File {.file {basename(x)}} has a header but no data rows.",
                  i = "Export the extract again with at least one assessment."),
                class = "cscdemand_error_empty", call = call)
  }
  list(data = df, offset = 1L, source = basename(x), skipped = 0L, trimmed = TRUE,
       notes = notes)
}

cin_read_csv <- function(path, engine = c("auto", "base")) {
  engine <- match.arg(engine)
  if (engine == "auto" && requireNamespace("data.table", quietly = TRUE)) {
    # Every column as text (codes such as 03B and identifiers keep their
    # zeros), except date columns, which fread parses itself when they are
    # ISO dates (much faster than in R); other date forms stay text.
    first <- readLines(path, n = 1L, warn = FALSE, encoding = "UTF-8")
    first <- sub("^\ufeff", "", sub("^\u00ef\u00bb\u00bf", "", first))
    hdr <- tryCatch(names(utils::read.csv(text = first, nrows = 0L, check.names = FALSE)),
                    error = function(e) character())
    al <- cin_column_aliases()
    is_date <- cin_key(hdr) %in% c(al$referral_date, al$assessment_date, "referraldate",
                                   "assessmentdate")
    cc <- if (any(is_date) && !anyDuplicated(hdr)) {
      list(character = hdr[!is_date])
    } else {
      "character"
    }
    notes <- character()
    df <- withCallingHandlers(
      data.table::fread(path, colClasses = cc, encoding = "UTF-8",
                        na.strings = c("", "NA"), showProgress = FALSE,
                        data.table = FALSE, check.names = FALSE, strip.white = TRUE,
                        fill = TRUE),
      warning = function(w) {
        notes <<- c(notes, conditionMessage(w))
        invokeRestart("muffleWarning")
      })
    # Lines fread could not read would be lost: refuse rather than drop them.
    lost <- grep("Stopped early|[Dd]iscarded", notes, value = TRUE)
    if (length(lost)) stop(lost[1], call. = FALSE)
    attr(df, "notes") <- notes
  } else {
    # Base R: a line with the wrong number of fields would be wrapped or
    # padded silently, so check the field counts first.
    nf <- utils::count.fields(path, sep = ",", quote = "\"", comment.char = "",
                              blank.lines.skip = TRUE)
    bad <- which(is.na(nf) | nf != nf[1])
    if (length(bad)) {
      stop("Line ", bad[1], " has ", if (is.na(nf[bad[1]])) "an unclosed quote" else
             paste(nf[bad[1]], "fields"), "; the header has ", nf[1], " fields.", call. = FALSE)
    }
    df <- utils::read.csv(path, colClasses = "character", fileEncoding = "UTF-8-BOM",
                          na.strings = c("", "NA"), check.names = FALSE,
                          strip.white = TRUE, comment.char = "")
  }
  df
}

cin_read_excel <- function(path, sheet = NULL, call = rlang::caller_env()) {
  if (!requireNamespace("readxl", quietly = TRUE)) {
    abort_input(c("Reading Excel files needs the {.pkg readxl} package.",
                  i = "Install it with {.code install.packages(\"readxl\")}, or save the sheet as CSV."),
                class = "cscdemand_error_dependency", call = call)
  }
  raw <- tryCatch(
    readxl::read_excel(path, sheet = sheet %||% 1L, col_names = FALSE, col_types = "text",
                       .name_repair = "minimal"),
    error = function(e) {
      abort_input(c("Could not read sheet {.val {sheet %||% 1}} of {.file {basename(path)}}.",
                    x = conditionMessage(e),
                    i = "Check the sheet name with {.code readxl::excel_sheets()}."),
                  class = "cscdemand_error_file", call = call)
    })
  raw <- as.data.frame(raw, stringsAsFactors = FALSE)
  if (nrow(raw) == 0L) {
    abort_input(c("Sheet {.val {sheet %||% 1}} of {.file {basename(path)}} is empty.",
                  i = "Choose the sheet holding the extract with {.arg sheet}."),
                class = "cscdemand_error_empty", call = call)
  }
  # Find the header row: the first of the top 30 rows with at least two
  # recognised column names (titles and notes above the table are skipped).
  known <- c(unlist(cin_column_aliases()), cin_key(cin_codes_all()))
  score <- vapply(seq_len(min(30L, nrow(raw))), function(i) {
    v <- cin_key(unlist(raw[i, ], use.names = FALSE))
    sum(v %in% known | grepl("^(x|f|factor)?0*[0-9]{1,2}[a-f]?$", v) & !is.na(v))
  }, numeric(1))
  h <- which(score >= 2)[1]
  if (is.na(h)) {
    abort_input(c("No header row found in the first 30 rows of {.file {basename(path)}}.",
                  i = "The header needs at least two recognised column names, such as {.field child_id} and {.field factor}.",
                  i = "See the templates in {.code system.file(\"templates\", package = \"cscdemand\")}."),
                class = "cscdemand_error_columns", call = call)
  }
  hdr <- unlist(raw[h, ], use.names = FALSE)
  keep <- !is.na(hdr) & trimws(hdr) != ""
  df <- raw[-seq_len(h), keep, drop = FALSE]
  names(df) <- trimws(hdr[keep])
  # Drop wholly empty trailing rows (Excel often has them), counting them.
  empty <- rowSums(!is.na(df) & df != "") == 0
  if (nrow(df) == 0L || all(empty)) {
    abort_input(c("Sheet {.val {sheet %||% 1}} of {.file {basename(path)}} has a header but no data rows.",
                  i = "Check the sheet holds the extract."),
                class = "cscdemand_error_empty", call = call)
  }
  list(data = df, offset = as.integer(h), source = basename(path), skipped = as.integer(h - 1L))
}

# ---------------------------------------------------------------------------
# Parsers for column types. Each works on unique values.

cin_parse_dates <- function(v, col, rows, format = NULL, call = rlang::caller_env()) {
  if (inherits(v, "Date")) return(as.numeric(unclass(v)))
  if (is.numeric(v)) {
    # Excel day numbers read as numbers.
    bad <- which(!is.na(v) & (v <= 20000 | v >= 80000))
    if (length(bad)) {
      abort_input(c("Column {.field {col}} has {length(bad)} number{?s} that {?is/are} not a date.",
                    x = "{cli::qty(length(bad))}Row{?s} {format_rows(rows[bad])}: {.val {utils::head(unique(v[bad]), 5)}}.",
                    i = "Write dates as YYYY-MM-DD or DD/MM/YYYY."),
                  class = "cscdemand_error_date", call = call)
    }
    return(floor(as.numeric(v)) - 25569)  # days since 1899-12-30 -> since 1970-01-01
  }
  u <- unique(v)
  u <- u[!is.na(u) & trimws(u) != ""]
  out_u <- rep(as.Date(NA), length(u))
  s <- trimws(sub("[T ][0-9]{1,2}:[0-9]{2}(:[0-9]{2})?(\\.[0-9]+)?Z?$", "", trimws(u)))
  if (!is.null(format)) {
    out_u <- as.Date(s, format = format)
  } else {
    fmts <- c("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%Y/%m/%d", "%d.%m.%Y")
    pats <- c("^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}$", "^[0-9]{1,2}/[0-9]{1,2}/[0-9]{4}$",
              "^[0-9]{1,2}-[0-9]{1,2}-[0-9]{4}$", "^[0-9]{4}/[0-9]{1,2}/[0-9]{1,2}$",
              "^[0-9]{1,2}\\.[0-9]{1,2}\\.[0-9]{4}$")
    for (k in seq_along(fmts)) {
      hit <- is.na(out_u) & grepl(pats[k], s)
      if (any(hit)) out_u[hit] <- as.Date(s[hit], format = fmts[k])
    }
    serial <- is.na(out_u) & grepl("^[0-9]{5}(\\.[0-9]+)?$", s)
    if (any(serial)) {
      n <- floor(as.numeric(s[serial]))
      ok <- n > 20000 & n < 80000
      d <- as.Date(n, origin = "1899-12-30")
      d[!ok] <- NA
      out_u[serial] <- d
    }
  }
  bad_u <- u[is.na(out_u)]
  if (length(bad_u)) {
    bad <- which(v %in% bad_u)
    abort_input(c("Column {.field {col}} has {length(bad)} date{?s} that cannot be read.",
                  x = "{cli::qty(length(bad))}Row{?s} {format_rows(rows[bad])}: {.val {utils::head(unique(v[bad]), 5)}}.",
                  i = "Write dates as YYYY-MM-DD or DD/MM/YYYY, or give {.arg date_format} (e.g. {.code \"%d %b %Y\"})."),
                class = "cscdemand_error_date", call = call)
  }
  as.numeric(unclass(out_u))[match(v, u)]
}

as_date <- function(x) structure(as.numeric(x), class = "Date")

cin_parse_flags <- function(v, col, rows, call = rlang::caller_env()) {
  u <- unique(v)
  k <- tolower(trimws(u))
  val <- rep(NA_integer_, length(u))
  val[k %in% c("1", "1.0", "y", "yes", "true", "t", "x")] <- 1L
  val[is.na(k) | k %in% c("0", "0.0", "n", "no", "false", "f", "")] <- 0L
  bad_u <- u[is.na(val)]
  if (length(bad_u)) {
    bad <- which(v %in% bad_u)
    abort_input(c("Column {.field {col}} must hold 0/1 flags.",
                  x = "{cli::qty(length(bad))}Row{?s} {format_rows(rows[bad])}: {.val {utils::head(unique(v[bad]), 5)}}.",
                  i = "Use 1 (or Y, yes, TRUE) for yes and 0 (or N, no, FALSE, blank) for no."),
                class = "cscdemand_error_flag", call = call)
  }
  val[match(v, u)]
}

cin_parse_int <- function(v, col, rows, min = 0, max = Inf, call = rlang::caller_env()) {
  u <- unique(v)
  su <- trimws(u)
  su[!is.na(su) & su == ""] <- NA
  nu <- suppressWarnings(as.numeric(su))
  bad_u <- (!is.na(su) & is.na(nu)) | (!is.na(nu) & (nu != round(nu) | nu < min | nu > max))
  iu <- match(v, u)
  if (any(bad_u)) {
    bad <- which(bad_u[iu])
    abort_input(c("Column {.field {col}} must hold whole numbers between {min} and {max}.",
                  x = "{cli::qty(length(bad))}Row{?s} {format_rows(rows[bad])}: {.val {utils::head(unique(v[bad]), 5)}}.",
                  i = "Correct those cells or leave them blank."),
                class = "cscdemand_error_number", call = call)
  }
  as.integer(nu)[iu]
}

# Census year (ending year) of a date: April to March.
census_year <- function(d) {
  u <- unique(d)
  lt <- as.POSIXlt(u)
  as.integer(lt$year + 1900L + (lt$mon >= 3L))[match(d, u)]
}

# Identifiers: trimmed only when some value has surrounding white space
# (cheap checks first, as the vectors can have millions of rows); blank
# values become NA.
cin_id <- function(v, trim = TRUE) {
  if (is.null(v)) return(NULL)
  if (!is.character(v)) v <- as.character(v)
  pad <- function(f) any(f(v, " ") | f(v, "\t"), na.rm = TRUE)
  if (trim && (pad(startsWith) || pad(endsWith))) v <- trimws(v)
  nz <- nzchar(v)  # TRUE for NA
  if (!all(nz)) v[!nz] <- NA
  v
}

# One integer id per distinct combination of the vectors in `parts`. Uses
# data.table's radix grouping when available (fast on millions of strings),
# else base R hashing.
cin_group <- function(parts) {
  n <- length(parts[[1]])
  # Extracts are usually sorted, so each key is one run of rows: find the
  # runs in one pass, and use them if the last part differs between runs
  # (then no key can come back in a later run).
  if (n > 1L) {
    r <- cpp_run_ids(parts)
    if (!anyDuplicated(parts[[length(parts)]][r$starts])) return(r$id)
  }
  if (requireNamespace("data.table", quietly = TRUE)) {
    return(as.integer(data.table::frankv(parts, ties.method = "dense")))
  }
  do.call(group_id, parts)
}

# Combine several vectors into one integer group id (first-seen order).
group_id <- function(...) {
  vs <- list(...)
  g <- NULL
  for (v in vs) {
    h <- match(v, unique(v))
    if (is.null(g)) {
      g <- h
    } else {
      key <- as.numeric(g) * (max(h) + 1) + h
      g <- match(key, unique(key))
    }
  }
  g
}

# ---------------------------------------------------------------------------
# The main builder.

cin_assessments_from_table <- function(tab, layout, columns, la, on_unknown, legacy,
                                       date_format, verbose, call = rlang::caller_env()) {
  df <- tab$data
  src <- tab$source
  tab$data <- NULL
  tab_info <- tab
  rm(tab)  # the identifier columns are released once grouped (memory, GC time)
  tab <- tab_info
  n_rows <- nrow(df)
  rows <- seq_len(n_rows) + tab$offset
  audit <- cin_audit_new()
  audit <- cin_audit_add(audit, "read", "rows read", n_rows,
                         paste0("from ", tab$source,
                                if (tab$skipped > 0) paste0(" (", tab$skipped,
                                                            " rows above the header skipped)")))
  for (nt in tab$notes) {
    audit <- cin_audit_add(audit, "read", "CSV reader note", 0, nt)
  }
  # Text that is not valid UTF-8 (files saved by Excel as "CSV" on Windows)
  # is read as Windows-1252, and counted.
  enc <- cin_fix_encoding(df)
  df <- enc$data
  if (enc$n > 0L) {
    audit <- cin_audit_add(audit, "read", "cells re-encoded from Windows-1252", enc$n,
                           "not valid UTF-8; save the extract as CSV UTF-8 to avoid this")
  }
  nms <- names(df)
  if (anyDuplicated(nms[nms != ""])) {
    dup <- unique(nms[duplicated(nms) & nms != ""])
    abort_input(c("Column name{?s} {.field {dup}} appear{?s/} more than once.",
                  i = "Rename or remove the repeated columns."),
                class = "cscdemand_error_columns", call = call)
  }
  # Map columns to standard names.
  std <- cin_match_columns(nms, columns, call = call)
  # Wide factor columns.
  col_codes <- cin_match_codes(nms, legacy = legacy)
  is_code_col <- !is.na(col_codes$code) & !nms %in% std & !cin_key(nms) %in% c("la", "year")
  if (layout == "auto") {
    if (sum(is_code_col) >= 3L) {
      layout <- "wide"
    } else if ("factor" %in% names(std)) {
      fv <- df[[std[["factor"]]]]
      layout <- if (any(grepl("[[:alnum:]][[:space:]]*[,;|/+&][[:space:]]*[[:alnum:]]",
                              utils::head(fv[!is.na(fv)], 10000L)))) "codes" else "long"
    } else {
      abort_input(c("Cannot tell the layout: no factor column and fewer than three factor-code columns.",
                    x = "Columns found: {.field {nms}}.",
                    i = "Name the factor column {.field factor} (long or codes layout), or name one column per code such as {.field 1B}, {.field 3B} (wide layout).",
                    i = "Or map your names with {.arg columns}, e.g. {.code columns = c(factor = \"Code\")}."),
                  class = "cscdemand_error_columns", call = call)
    }
  }
  if (layout %in% c("long", "codes") && !"factor" %in% names(std)) {
    abort_input(c("The {layout} layout needs a factor column.",
                  x = "None of the columns {.field {nms}} is a factor column.",
                  i = "Name it {.field factor}, or map it with {.code columns = c(factor = \"YourName\")}."),
                class = "cscdemand_error_columns", call = call)
  }
  if (layout == "wide" && !any(is_code_col)) {
    abort_input(c("The wide layout needs one column per factor code.",
                  x = "No column is named by a factor code.",
                  i = "Name the columns by code ({.field 1B}, {.field 3B}) or DfE name ({.field Domestic_Abuse_parent})."),
                class = "cscdemand_error_columns", call = call)
  }
  # Identifiers.
  has <- function(s) s %in% names(std)
  if (!has("episode_id") && !(has("child_id") && has("referral_date"))) {
    abort_input(c("Cannot identify episodes.",
                  x = "Need an {.field episode_id} column, or both {.field child_id} and {.field referral_date}.",
                  i = "Columns found: {.field {nms}}.",
                  i = "Map your names with {.arg columns}, e.g. {.code columns = c(child_id = \"LAchildID\", referral_date = \"CINreferralDate\")}."),
                class = "cscdemand_error_columns", call = call)
  }
  get <- function(s) if (has(s)) df[[std[[s]]]] else NULL
  trim <- !isTRUE(tab$trimmed)
  la_v <- cin_id(get("la"), trim)
  if (is.null(la_v)) la_v <- rep(la, n_rows)
  child <- cin_id(get("child_id"), trim)
  episode <- cin_id(get("episode_id"), trim)
  assess <- cin_id(get("assessment_id"), trim)
  ref_date <- if (has("referral_date")) {
    cin_parse_dates(get("referral_date"), std[["referral_date"]], rows, date_format, call = call)
  }
  ass_date <- if (has("assessment_date")) {
    cin_parse_dates(get("assessment_date"), std[["assessment_date"]], rows, date_format, call = call)
  }
  # Rows with a missing identifier.
  miss <- is.na(la_v)
  why <- character()
  if (!is.null(episode)) {
    miss <- miss | is.na(episode)
  } else {
    miss <- miss | is.na(child) | is.na(ref_date)
  }
  if (!is.null(assess)) miss <- miss | is.na(assess)
  # Exact duplicate rows (codes and wide layouts; in long layout a duplicate
  # row is a duplicate factor, counted below).
  dup_rows <- rep(FALSE, n_rows)
  if (layout != "long") {
    dup_rows <- duplicated(df) & !miss
  }
  drop_rows <- miss | dup_rows
  if (any(miss)) {
    audit <- cin_audit_add(audit, "read", "rows dropped: missing identifier", sum(miss),
                           paste0("rows ", format_rows(rows[miss], 10L)))
  }
  if (any(dup_rows)) {
    audit <- cin_audit_add(audit, "read", "rows dropped: exact duplicate", sum(dup_rows),
                           paste0("rows ", format_rows(rows[dup_rows], 10L)))
  }
  keep <- which(!drop_rows)
  if (!length(keep)) {
    abort_input(c("No rows left after dropping rows with missing identifiers.",
                  x = "Every row lacks {.field {if (is.null(episode)) c('child_id', 'referral_date') else 'episode_id'}} or {.field la}.",
                  i = "Check the identifier columns are filled in."),
                class = "cscdemand_error_empty", call = call)
  }
  all_kept <- length(keep) == n_rows
  at_keep <- function(v) if (is.null(v) || all_kept) v else v[keep]
  la_k <- at_keep(la_v)
  child_k <- at_keep(child)
  ep_k <- at_keep(episode)
  as_k <- at_keep(assess)
  ref_k <- at_keep(ref_date)
  ad_k <- at_keep(ass_date)
  rows_k <- at_keep(rows)
  # Episode and assessment keys.
  ep_parts <- list(la_k)
  if (!is.null(ep_k)) {
    if (!is.null(child_k)) ep_parts <- c(ep_parts, list(child_k))
    ep_parts <- c(ep_parts, list(ep_k))
  } else {
    ep_parts <- c(ep_parts, list(child_k, as.numeric(ref_k)))
  }
  ep_id <- cin_group(ep_parts)
  if (!is.null(as_k)) {
    as_id <- cin_group(list(ep_id, as_k))
  } else if (!is.null(ad_k) && layout == "long") {
    as_id <- cin_group(list(ep_id, ifelse(is.na(ad_k), -1, as.numeric(ad_k))))
  } else if (layout == "long") {
    as_id <- ep_id
  } else {
    # codes/wide: one row per assessment
    as_id <- if (!is.null(ad_k)) cin_group(list(ep_id, ifelse(is.na(ad_k), -1, as.numeric(ad_k))))
             else seq_along(ep_id)
  }
  # First row of each assessment; keep the identifiers there and release the
  # full-length identifier vectors.
  first <- !duplicated(as_id)
  fi <- which(first)
  id_first <- list(la = la_k[fi], child_id = child_k[fi], episode_id = ep_k[fi],
                   assessment_id = as_k[fi])
  rm(la_v, child, episode, assess, la_k, child_k, ep_k, as_k, ep_parts)
  for (s_id in c("la", "child_id", "episode_id", "assessment_id")) {
    if (has(s_id)) df[[std[[s_id]]]] <- NULL
  }
  # Factor pairs (row index within keep, code).
  if (layout %in% c("long", "codes")) {
    fv <- at_keep(df[[std[["factor"]]]])
    u <- unique(fv)
    iu <- match(fv, u)
    tk <- cin_tokenise(u, legacy = legacy)
    len <- lengths(tk$codes)
    if (all(len[iu] <= 1L)) {
      has_code <- len[iu] == 1L
      pair_row <- which(has_code)
      cu <- vapply(tk$codes, function(z) if (length(z)) z[1] else NA_character_, character(1))
      pair_code <- cu[iu][has_code]
    } else {
      pair_row <- rep(seq_along(fv), len[iu])
      pair_code <- unlist(tk$codes[iu], use.names = FALSE)
    }
    ulen <- lengths(tk$unknown)
    unk_rows <- which(ulen[iu] > 0L)
    if (length(unk_rows)) {
      bad_vals <- unique(unlist(tk$unknown[iu[unk_rows]]))
      if (on_unknown == "error") {
        fcol <- std[["factor"]]
        abort_input(c("Column {.field {fcol}} has {length(unk_rows)} row{?s} with values that are not CIN factor codes.",
                      x = "{cli::qty(length(unk_rows))}Row{?s} {format_rows(rows_k[unk_rows])}: {.val {utils::head(bad_vals, 8)}}.",
                      i = "Correct them (valid codes are in {.code cin_factors$code}), or use {.code on_unknown = \"drop\"} to drop them and count them in the audit."),
                    class = "cscdemand_error_unknown_code", call = call)
      }
      n_bad <- sum(ulen[iu])
      audit <- cin_audit_add(audit, "codes", "codes dropped: unknown code", n_bad,
                             paste0(paste(utils::head(bad_vals, 10), collapse = ", "),
                                    "; rows ", format_rows(rows_k[unk_rows], 10L)))
    }
    blank <- which(len[iu] == 0L & ulen[iu] == 0L)
    if (length(blank)) {
      audit <- cin_audit_add(audit, "codes", "rows with no factor code (blank)", length(blank),
                             paste0("rows ", format_rows(rows_k[blank], 10L),
                                    "; the assessment is kept with no factors from these rows"))
    }
    rules <- tk$rules
    # Rows per token (a token inside a multi-code cell counts once per row).
    cnt <- tabulate(iu, length(u))
    parts <- lapply(strsplit(ifelse(is.na(u), "", u), "[,;|/+&]+"), function(p) {
      p <- trimws(p)
      unique(p[p != ""])
    })
    tok_n <- tapply(rep(cnt, lengths(parts)), unlist(parts), sum)
    rules$rows <- as.integer(tok_n[rules$value])
  } else {
    code_cols <- nms[is_code_col]
    codes <- col_codes$code[is_code_col]
    pr <- vector("list", length(code_cols))
    for (j in seq_along(code_cols)) {
      fl <- cin_parse_flags(at_keep(df[[code_cols[j]]]), code_cols[j], rows_k, call = call)
      pr[[j]] <- which(fl == 1L)
    }
    pair_row <- unlist(pr, use.names = FALSE)
    pair_code <- rep(codes, lengths(pr))
    rules <- data.frame(value = code_cols, code = codes, rule = col_codes$rule[is_code_col],
                        rows = lengths(pr), stringsAsFactors = FALSE)
    if (anyDuplicated(codes)) {
      d <- unique(codes[duplicated(codes)])
      audit <- cin_audit_add(audit, "codes", "columns combined: same code", sum(codes %in% d),
                             paste0(paste(code_cols[codes %in% d], collapse = ", "),
                                    " (flags combined with OR)"))
    }
    none <- setdiff(seq_along(keep), pair_row)
    if (length(none)) {
      audit <- cin_audit_add(audit, "codes", "rows with no factor flagged", length(none),
                             "kept as assessments with no factors")
    }
  }
  rules <- rules[rules$rule != "blank", , drop = FALSE]
  recoded <- rules[!rules$rule %in% c("as written", "unknown", "several codes in one cell"), ,
                   drop = FALSE]
  if (nrow(recoded)) {
    for (r in unique(recoded$rule)) {
      rr <- recoded[recoded$rule == r, ]
      audit <- cin_audit_add(audit, "codes", paste0("codes recoded: ", r), sum(rr$rows, na.rm = TRUE),
                             paste(utils::head(paste0(rr$value, " -> ", rr$code), 12), collapse = ", "))
    }
  }
  # Duplicate factor codes within an assessment.
  pa <- as_id[pair_row]
  pc <- match(pair_code, cin_codes_all())
  key <- as.numeric(pa) * 64 + pc
  dupf <- duplicated(key)
  if (any(dupf)) {
    audit <- cin_audit_add(audit, "codes", "codes dropped: duplicate within an assessment",
                           sum(dupf), paste0("rows ", format_rows(rows_k[pair_row[dupf]], 10L)))
  }
  pr <- pair_row[!dupf]
  pc <- pc[!dupf]
  # Assessment table: first row of each assessment.
  # Ids from runs are already 1, 2, ... in order of first appearance.
  # (sorted, from 1 to the number of distinct values).
  in_order <- function(g, n_distinct) {
    g[1L] == 1L && g[length(g)] == n_distinct && !is.unsorted(g)
  }
  n_as <- length(fi)
  n_ep_d <- sum(!duplicated(ep_id[fi]))
  # Renumber assessments and episodes 1..n in first-seen order.
  as_num <- if (in_order(as_id, n_as)) as_id else match(as_id, as_id[fi])
  ep_num <- if (in_order(ep_id, n_ep_d)) ep_id else match(ep_id, unique(ep_id))
  assessments <- data.frame(.assessment = seq_len(n_as), .episode = ep_num[fi],
                            .row = rows_k[fi], la = id_first$la, stringsAsFactors = FALSE)
  if (!is.null(id_first$child_id)) assessments$child_id <- id_first$child_id
  if (!is.null(id_first$episode_id)) assessments$episode_id <- id_first$episode_id
  if (!is.null(id_first$assessment_id)) assessments$assessment_id <- id_first$assessment_id
  if (!is.null(ref_k)) assessments$referral_date <- as_date(ref_k[fi])
  if (!is.null(ad_k)) assessments$assessment_date <- as_date(ad_k[fi])
  if (has("year")) {
    yv <- at_keep(get("year"))
    yu <- unique(yv)
    yv <- gsub("^([0-9]{4})[-/]([0-9]{2})$", "20\\2", trimws(yu))[match(yv, yu)]
    y <- cin_parse_int(yv, std[["year"]], rows_k,
                       min = 1990, max = 2100, call = call)
    assessments$year <- y[fi]
  } else {
    d <- if (!is.null(ad_k)) ad_k[fi] else if (!is.null(ref_k)) ref_k[fi] else NULL
    if (!is.null(d)) {
      yy <- census_year(as_date(d))
      if (!is.null(ad_k) && !is.null(ref_k)) {
        yy[is.na(yy)] <- census_year(as_date(ref_k[fi][is.na(yy)]))
      }
      assessments$year <- yy
    }
  }
  # Rows that duplicate an assessment already seen, in codes/wide layouts.
  if (layout != "long") {
    n_comb <- sum(!first)
    if (n_comb) {
      audit <- cin_audit_add(audit, "read", "rows combined: same assessment on several rows",
                             n_comb, paste0("rows ", format_rows(rows_k[!first], 10L)))
    }
  }
  # Characteristics.
  for (s in intersect(cin_characteristics(), names(std))) {
    v <- at_keep(df[[std[[s]]]])
    if (s == "age") {
      v <- cin_parse_int(v, std[[s]], rows_k, min = 0, max = 25, call = call)
    } else if (s %in% c(cin_outcomes(), "rereferral")) {
      v <- cin_parse_flags(v, std[[s]], rows_k, call = call)
      # Outcomes: any row of the assessment says yes.
      out_v <- integer(n_as)
      out_v[unique(as_num[v == 1L])] <- 1L
      assessments[[s]] <- out_v
      next
    } else if (s == "lsoa") {
      v <- toupper(trimws(v))
    } else {
      v <- trimws(v)
    }
    assessments[[s]] <- v[fi]
  }
  ignored <- setdiff(nms, c(unname(std), nms[is_code_col]))
  if (length(ignored)) {
    audit <- cin_audit_add(audit, "read", "columns not used", length(ignored),
                           paste(utils::head(ignored, 20), collapse = ", "))
  }
  f_as <- as_num[pr]
  ord <- order(f_as, pc, method = "radix")
  # Codes as a factor (levels in cin_factors order): compact, and cheap for
  # R's garbage collector on millions of rows.
  factors <- data.frame(assessment = f_as[ord],
                        code = structure(pc[ord], levels = cin_codes_all(), class = "factor"))
  # Rule 8869: 21 must stand alone.
  has21 <- factors$assessment[factors$code == "21"]
  n_codes <- tabulate(factors$assessment, n_as)
  viol <- has21[n_codes[has21] > 1L]
  if (length(viol)) {
    audit <- cin_audit_add(audit, "codes", "assessments with 21 combined with other codes (rule 8869)",
                           length(viol), paste0("rows ", format_rows(assessments$.row[viol], 10L),
                                               "; 21 is removed when episodes are built"))
  }
  audit <- cin_audit_add(audit, "read", "assessments", n_as, "")
  audit <- cin_audit_add(audit, "read", "episodes", length(unique(assessments$.episode)), "")
  audit <- cin_audit_add(audit, "read", "factor codes kept", nrow(factors),
                         paste0(length(unique(factors$code)), " distinct codes"))
  rownames(assessments) <- NULL
  out <- structure(list(assessments = assessments, factors = factors, audit = audit,
                        recodes = rules, layout = layout, source = tab$source),
                   class = "cin_assessments")
  if (verbose) {
    cli::cli_inform("Read {n_as} assessment{?s} in {length(unique(assessments$.episode))} episode{?s} ({layout} layout).")
  }
  out
}

cin_fix_encoding <- function(df) {
  n <- 0L
  fix <- function(v) {
    bad <- !validUTF8(v)
    if (any(bad)) {
      bad <- bad & !is.na(v)
      n <<- n + sum(bad)
      v[bad] <- iconv(v[bad], from = "CP1252", to = "UTF-8", sub = "?")
      still <- !is.na(v) & !validUTF8(v)
      v[still] <- iconv(v[still], from = "latin1", to = "UTF-8", sub = "?")
    }
    v
  }
  names(df) <- fix(names(df))
  for (i in seq_along(df)) if (is.character(df[[i]])) df[[i]] <- fix(df[[i]])
  list(data = df, n = n)
}

cin_match_columns <- function(nms, columns, call = rlang::caller_env()) {
  al <- cin_column_aliases()
  keys <- cin_key(nms)
  std <- character()
  if (!is.null(columns)) {
    bad_std <- setdiff(names(columns), names(al))
    if (length(bad_std)) {
      abort_input(c("{.arg columns} names {.val {bad_std}} {?is/are} not standard column names.",
                    i = "Standard names: {.val {names(al)}}."),
                  class = "cscdemand_error_columns", call = call)
    }
    miss <- setdiff(columns, nms)
    if (length(miss)) {
      abort_input(c("Column{?s} {.field {miss}} given in {.arg columns} {?is/are} not in the data.",
                    i = "Columns found: {.field {nms}}."),
                  class = "cscdemand_error_columns", call = call)
    }
    std <- columns
  }
  for (s in setdiff(names(al), names(std))) {
    hit <- which(keys %in% c(cin_key(s), al[[s]]) & !nms %in% std)
    if (length(hit) > 1L) {
      # Prefer an exact standard name, else the first alias in order.
      pref <- hit[keys[hit] == cin_key(s)]
      if (!length(pref)) pref <- hit[order(match(keys[hit], al[[s]]))][1]
      hit <- pref[1]
    }
    if (length(hit)) std[[s]] <- nms[hit]
  }
  std
}
