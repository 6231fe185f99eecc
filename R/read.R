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
#'   commas, semicolons, bars, spaces or line breaks (`"1B, 3B,4B"`; a cell
#'   with codes on several lines, as Excel's Alt+Enter writes, is read).
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
#' numbers counting the header as line 1 (a quoted value over several lines
#' counts all its lines); for Excel, the sheet row (blank rows above the table
#' counted); for a data frame, the row index. Messages and printed objects
#' show these positions, never identifier values.
#'
#' @section Checks:
#' A CSV file is checked before it is read: a line with more or fewer fields
#' than the header (for example codes written `1B,3B` without quotes), a stray
#' or unclosed double quote, stops with an error naming the line and the fix;
#' nothing is padded or shifted. A quoted value over several lines is read;
#' in an identifier, date or characteristic column, or a codes cell holding
#' text that is not codes, it stops with an error naming its line (a quote
#' opened by mistake). A binary file stops with an error of class
#' `cscdemand_error_format`. Identifiers are trimmed of surrounding spaces
#' on every route, and a blank or all-space identifier is missing. Dates with
#' a time and a UTC offset are read as the local date written. A code with a
#' space between digits (`"1 8B"`) is ambiguous, so it is reported as unknown,
#' never guessed. In the wide layout a missing (`NA`) flag stays missing, and
#' is counted; codes in a `factors` column of a wide file are read as well.
#' Rows read equal rows kept plus rows dropped; see [audit()] and
#' [audit_table()].
#'
#' @param x Path to a `.csv` (or `.txt`, `.csv.gz`) or `.xlsx`/`.xls` file, or
#'   a data frame; or the path(s) of CIN census XML returns, read by
#'   [read_cin_census_xml()]. A file is read by what it holds, not by its
#'   name: UTF-16 text (Excel's "Unicode Text", database tools) and files
#'   separated by tabs, semicolons or bars are read as the comma-separated
#'   UTF-8 file would be, with the same line numbers (the audit's first line
#'   says so); a workbook saved with a `.csv` name is read as a workbook, and
#'   an XML return is found by its content. PDF and Word documents, zip
#'   archives, web pages, SQLite, Parquet, SPSS and Stata files stop with an
#'   error of class `cscdemand_error_format` that says what the file is and
#'   how to read it. The sector's own layouts are recognised by their
#'   columns: the LIIA CIN log (`LAchildID`, `Type`, `Date` with its event
#'   types) is read by [read_cin_liia()] and the folder of Data to Insight's
#'   CIN validator export by [read_cin_d2i()] (the audit says so); a single
#'   table of that export (`LAchildID` with `CINdetailsID`) or of the
#'   Standard Safeguarding Dataset (`cina_`, `cinf_`, `cine_` columns) stops
#'   with an error of class `cscdemand_error_layout` naming the reader to use
#'   (unless `columns` names its columns).
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
#' @param implausible_dates What to do with dates that are implausible: not a
#'   date, before 1990, in the future, or a referral after its assessment
#'   (in a census return, every date element is checked, and `ReferralNFA`;
#'   see [read_cin_census_xml()]). One policy on every route:
#'   `"keep"` (default) keeps the row or episode and counts it in the audit
#'   with the reason and its place (file line, sheet row, or file, child and
#'   episode position); `"drop"` drops those rows or episodes and counts
#'   them; `"stop"` stops with an error of class
#'   `cscdemand_error_implausible_date` naming the place.
#' @return An object of class `cin_assessments`: a list with `assessments`
#'   (one row per assessment: `.assessment`, `.episode`, `.row` (first row in
#'   the file), identifiers, dates, `year` and the characteristics read),
#'   `factors` (one row per assessment and code: `assessment`, and `code`, a
#'   factor with the levels of `cin_factors$code`),
#'   `audit` (see [audit()]), `recodes` (each distinct value read, the code it
#'   became, the rule and the number of rows), `layout`, `source` and
#'   `missing` (wide layout: one row per assessment and code whose flag was
#'   missing, `NA`; empty otherwise).
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
                                 legacy = TRUE, date_format = NULL, verbose = FALSE,
                                 implausible_dates = c("keep", "drop", "stop")) {
  layout <- rlang::arg_match(layout)
  on_unknown <- rlang::arg_match(on_unknown)
  implausible_dates <- cin_date_policy(implausible_dates)
  check_flag(legacy)
  check_flag(verbose)
  check_string(la, what = "a single council code or name")
  if (!is.null(columns) && (!is.character(columns) || is.null(names(columns)) ||
                            any(names(columns) == ""))) {
    abort_input(c("{.arg columns} must be a named character vector.",
                  i = "For example {.code columns = c(child_id = \"PersonRef\")}."))
  }
  if (cin_is_xml(x)) {
    return(read_cin_census_xml(x, on_unknown = on_unknown, legacy = legacy, verbose = verbose,
                               implausible_dates = implausible_dates))
  }
  if (cin_is_d2i_folder(x)) {
    return(cin_sector_dispatch("d2i", x, la, on_unknown, legacy, verbose, implausible_dates))
  }
  # The raw table goes in a box the builder empties, so that it can release
  # the table as it goes (a promise passed as an argument would keep it alive
  # until the builder returns).
  box <- new.env(parent = emptyenv())
  box$tab <- cin_read_table(x, sheet = sheet)
  sector <- cin_sector_layout(box$tab$data)
  if (sector == "liia") {
    return(cin_sector_dispatch("liia", box$tab$data, la, on_unknown, legacy, verbose,
                               implausible_dates))
  }
  if (nzchar(sector) && is.null(columns)) cin_sector_refuse(sector, names(box$tab$data))
  cin_assessments_from_table(box, layout = layout,
                             columns = columns, la = la,
                             on_unknown = on_unknown, legacy = legacy,
                             date_format = date_format, verbose = verbose,
                             implausible_dates = implausible_dates)
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

# The sector's layouts that read_cin_assessments() recognises and reads with
# their own reader (the LIIA log; the folder of Data to Insight's export),
# saying so in the audit. `la` is the general reader's: its default ("LA")
# leaves the council to the file (the log's LA column, the export's LEA).
cin_sector_dispatch <- function(layout, x, la, on_unknown, legacy, verbose, implausible_dates) {
  if (layout == "liia") {
    has_la <- "la" %in% cin_key(names(x))
    a <- read_cin_liia(x, la = if (has_la && identical(la, "LA")) NULL else la,
                       on_unknown = on_unknown, legacy = legacy, verbose = verbose,
                       implausible_dates = implausible_dates)
    what <- "the LIIA CIN event log (one row per event), read by read_cin_liia()"
  } else {
    a <- read_cin_d2i(x, la = if (identical(la, "LA")) NULL else la,
                      on_unknown = on_unknown, legacy = legacy, verbose = verbose,
                      implausible_dates = implausible_dates)
    what <- "the folder of Data to Insight's CIN validator export, read by read_cin_d2i()"
  }
  a <- cin_sector_note(a, cin_audit_add(cin_audit_new(), "read", "layout recognised", 1, what,
                                        unit = "layout"))
  if (verbose) cli::cli_inform("Recognised {what}.")
  a
}
