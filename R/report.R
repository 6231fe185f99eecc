#' Knit the categories-of-demand report about one council
#'
#' Renders the package's R Markdown report template (also available in
#' RStudio under *New R Markdown > From Template*, or with
#' `rmarkdown::draft("my-report.Rmd", template = "demand-report", package =
#' "cscdemand")`) about one council, in one call: its context beside England,
#' its region and its DfE statistical neighbours; the choice of the number of
#' categories (BIC, cross-validation, bootstrap likelihood ratio test); the
#' categories, named and explained; the Kingston tables (fit and invariance,
#' shares by council and deprivation, thresholds, re-referrals, referral
#' source, category of abuse) and the table of likelihood ratios ("x N more or
#' less likely", the method of Leicestershire County Council's needs analysis)
#' with written findings; the rule that chose the number of categories and where
#' the criteria disagree; results pooled over councils labelled as pooled, beside
#' the council's own; and a list of references. With several councils in the data, the model
#' is fitted to all of them (as the research did) and the report adds the
#' cross-council invariance and comparison sections; the tables about
#' people are of the chosen council's episodes.
#'
#' Every count in every table and sentence passes through small-number
#' suppression (counts from 1 to `threshold - 1` are shown as "c", with
#' secondary suppression where a total would reveal them). No identifier is
#' shown. A section that cannot be computed says so, and the rest of the
#' report is still written.
#'
#' @param data The CIN data, in any form the package reads: a path to a CSV
#'   or Excel extract, a vector of CIN census XML paths or a data frame (all
#'   read by [read_cin_assessments()]); a `cin_assessments` object from
#'   [read_cin_assessments()], [read_cin_census_xml()] or the sector readers
#'   ([read_cin_d2i()], [read_cin_liia()], [read_cin_ssd()]); a `cin_episodes`
#'   table from [episode_factors()]; a [report_data()] object; or
#'   `"example"` for the bundled, simulated [cin_example]. Every route gives
#'   the same tables for the same data.
#' @param council The council the report is about: a name, DfE number or ONS
#'   code, matched as [find_council()] does (`"Leics"` is an error listing the
#'   closest names; `"Leicestershire"`, `855` and `"E10000018"` all work).
#'   `NULL` (the default) takes the only council in the data or, with
#'   several, the one with the most episodes.
#' @param output_file Path of the report. Its extension (`.html`, `.docx`,
#'   `.pdf`) chooses the format when `output_format` is `NULL`. Default
#'   `"demand-report"` plus the format's extension, in the working directory.
#' @param output_format `"html"` (self-contained), `"word"` (a `.docx` with
#'   real Word tables) or `"pdf"` (only where LaTeX is installed); `NULL` to
#'   take it from `output_file` (HTML if that has no known extension).
#' @param k Numbers of classes to compare (default `1:8`).
#' @param starts Random starts per model. `NULL` (the default) runs them in
#'   batches until the best fit is found by more than one start (see
#'   [lca_control()]), as [lca()] does: a fixed 20 left the best fit at eight
#'   categories found by one start only, with a warning.
#' @param seed Seed for every random step.
#' @param threshold Small-number suppression threshold (default 10).
#' @param class_names Optional names for the categories, one per class in
#'   class order (or named `"Class 1"`, ...), replacing the suggested names of
#'   [suggest_class_names()].
#' @param years Optional DfE reporting years to keep (the audit says how many
#'   episodes the filter dropped).
#' @param lsoa Optional lookup of each child's neighbourhood, for the
#'   deprivation section: a data frame or the path of a CSV file with a child
#'   id column and an LSOA code column (2011 or 2021 codes), as exported from
#'   the case management system; joined by child id with [link_lsoa()], and
#'   the children not found are counted in the audit. It replaces an `lsoa`
#'   column of the extract. The CIN census return holds no addresses, so
#'   without it (or an `lsoa` column in a CSV or Excel extract) the report
#'   says how to add deprivation instead of showing it.
#' @param ... Further report parameters: `k_use` (force the number of
#'   classes), `blrt_reps` (default 99, so p-values go down to 0.01),
#'   `blrt_starts` (4: random starts per batch in each replicate fit, see
#'   [lca_blrt()]), `blrt_sample` (3000: the test runs on a random
#'   sample of this many episodes drawn with `seed` by [report_sample()], the
#'   same whatever the route in, as the research fitted samples of 2,500 per
#'   council; it is the slowest step), `boot_reps` (50), `cv_folds` (5).
#' @param quiet Suppress knitting progress output.
#' @return The path of the report, invisibly.
#' @family report
#' @export
#' @examples
#' \dontrun{
#' demand_report("example", council = "Leicestershire", output_file = "leics.docx")
#' demand_report("our_cin_extract.csv", council = "Warwickshire", output_format = "html")
#' # CIN census returns, with the children's LSOAs exported from the case system
#' demand_report(c("cin_2023.xml", "cin_2024.xml"), lsoa = "child_lsoa.csv")
#' }
demand_report <- function(data = "example", council = NULL, output_file = NULL,
                          output_format = NULL, k = 1:8, starts = NULL, seed = 2020,
                          threshold = 10, class_names = NULL, years = NULL, lsoa = NULL,
                          ..., quiet = TRUE) {
  rlang::check_installed(c("rmarkdown", "knitr"), reason = "to knit the report.")
  if (is.character(council) && length(council) == 1L && grepl("\\.(html?|docx|pdf)$", council) &&
      is.null(output_file)) {
    output_file <- council # the old call demand_report(data, "report.html")
    council <- NULL
  }
  check_counts(k)
  check_count(threshold)
  if (!rmarkdown::pandoc_available()) {
    abort_input(c("Knitting the report needs pandoc.",
                  i = "Install it (Debian: {.code apt-get install pandoc}) or use RStudio, which ships it."))
  }
  report_check_data(data)
  if (!is.null(council)) find_council(council, verbose = FALSE) # a misspelling stops here
  fmt <- report_format(output_file, output_format)
  output_file <- report_check_output(fmt$file)
  rd <- report_data(data, council = council, years = years, threshold = threshold, lsoa = lsoa)
  params <- list(data = rd, council = council, k_min = min(k), k_max = max(k),
                 starts = starts, seed = seed, threshold = threshold,
                 class_names = class_names, years = years, ...)
  unknown <- setdiff(names(params), report_param_names)
  if (length(unknown)) {
    abort_input(c("Unknown report parameter{?s}: {.arg {unknown}}.",
                  i = "Report parameters: {.arg {report_param_names}}."))
  }
  skeleton <- system.file("rmarkdown", "templates", "demand-report", "skeleton", "skeleton.Rmd",
                          package = "cscdemand")
  work <- tempfile("cscdemand-report")
  dir.create(work)
  on.exit(unlink(work, recursive = TRUE), add = TRUE)
  file.copy(skeleton, file.path(work, "report.Rmd"))
  files_dir <- sub("\\.[^.]*$", "_files", output_file)
  had_files <- dir.exists(files_dir)
  cli::cli_progress_step("Knitting the demand report")
  tryCatch(
    rmarkdown::render(file.path(work, "report.Rmd"), output_format = fmt$format,
                      output_file = output_file, params = params,
                      envir = new.env(parent = globalenv()), intermediates_dir = work,
                      quiet = quiet),
    error = function(e) {
      if (!had_files) unlink(files_dir, recursive = TRUE)
      cnd <- e
      while (!inherits(cnd, "cscdemand_error") && !is.null(cnd$parent)) cnd <- cnd$parent
      if (inherits(cnd, "cscdemand_error")) rlang::cnd_signal(cnd)
      stop(e)
    }
  )
  cli::cli_progress_done()
  invisible(output_file)
}

report_param_names <- c("data", "council", "k_min", "k_max", "k_use", "starts", "seed",
                        "threshold", "class_names", "years", "blrt_reps", "blrt_starts", "blrt_sample",
                        "boot_reps", "cv_folds")

report_check_data <- function(data, call = rlang::caller_env()) {
  if (is.character(data) && !identical(data, "example")) {
    miss <- data[!file.exists(data)]
    if (length(miss)) {
      abort_input(c("The data file {.file {miss[1]}} does not exist.",
                    i = "Give the path of the council's extract, or {.val example}."),
                  class = "cscdemand_error_file", call = call)
    }
  }
  invisible(data)
}

# The rmarkdown output format and the output file, from either.
report_format <- function(output_file, output_format, call = rlang::caller_env()) {
  ext_of <- c(html = "html", htm = "html", docx = "word", pdf = "pdf")
  if (!is.null(output_format)) {
    output_format <- rlang::arg_match0(tolower(output_format), c("html", "word", "docx", "pdf"),
                                       arg_nm = "output_format", error_call = call)
    if (output_format == "docx") output_format <- "word"
  }
  ext <- if (is.null(output_file)) NA_character_ else tolower(tools::file_ext(output_file))
  from_ext <- unname(ext_of[ext])
  if (!is.null(output_format) && !is.na(from_ext) && from_ext != output_format) {
    abort_input(c("{.arg output_file} {.file {output_file}} does not match {.arg output_format} = {.val {output_format}}.",
                  i = "Give one of them, or make the extension match."),
                class = "cscdemand_error_format", call = call)
  }
  kind <- if (!is.null(output_format)) output_format else if (!is.na(from_ext)) from_ext else "html"
  suffix <- c(html = ".html", word = ".docx", pdf = ".pdf")[[kind]]
  if (is.null(output_file)) {
    output_file <- paste0("demand-report", suffix)
  } else if (is.na(from_ext)) {
    output_file <- paste0(output_file, suffix)
  }
  if (kind == "pdf" && !nzchar(Sys.which("pdflatex")) && !nzchar(Sys.which("xelatex"))) {
    abort_input(c("A PDF report needs LaTeX, which is not installed.",
                  i = "Knit to Word ({.val word}) and save as PDF, or install LaTeX (for example {.code tinytex::install_tinytex()})."),
                class = "cscdemand_error_format", call = call)
  }
  format <- switch(kind,
    html = report_html_format(),
    word = report_word_format(),
    pdf = rmarkdown::pdf_document(toc = TRUE, toc_depth = 2, fig_caption = TRUE))
  list(format = format, file = output_file, kind = kind)
}

# Word: the shipped reference document (A4, Arial, page numbers, table style),
# and the layout pandoc cannot do finished in the document (report_docx_finish()).
report_word_format <- function() {
  rlang::check_installed("xml2", reason = "to lay out the Word report.")
  # the contents' heading as a UK council writes it (pandoc's default is "Table of Contents")
  fmt <- rmarkdown::word_document(toc = TRUE, toc_depth = 2, fig_caption = TRUE,
                                  reference_docx = report_reference_docx(),
                                  pandoc_args = c("--metadata", "toc-title=Contents"))
  report_format_finish(fmt, report_docx_finish)
}

# The output folder must exist and be writable; the file is made absolute
# (rmarkdown resolves a relative output_file against the Rmd's folder).
report_check_output <- function(output_file, call = rlang::caller_env()) {
  out_dir <- dirname(output_file)
  if (!dir.exists(out_dir)) {
    abort_input(c("The folder {.file {out_dir}} for the report does not exist.",
                  i = "Create it first, or give another {.arg output_file}."),
                class = "cscdemand_error_file", call = call)
  }
  probe <- tempfile("write-test", tmpdir = out_dir)
  ok <- suppressWarnings(tryCatch(file.create(probe), error = function(e) FALSE))
  if (isTRUE(ok)) unlink(probe)
  if (!isTRUE(ok) || (file.exists(output_file) && file.access(output_file, 2) != 0)) {
    abort_input(c("The report cannot be written to {.file {output_file}}: the folder or file is read-only.",
                  i = "Give an {.arg output_file} in a folder you can write to."),
                class = "cscdemand_error_file", call = call)
  }
  file.path(normalizePath(out_dir), basename(output_file))
}
