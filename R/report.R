#' Knit the categories-of-demand report
#'
#' Renders the package's R Markdown report template (also available in
#' RStudio under *New R Markdown > From Template*, or with
#' `rmarkdown::draft("my-report.Rmd", template = "demand-report", package =
#' "cscdemand")`) on a council's extract or on the bundled example data, in
#' one call. A malformed data file stops the report at its first chunk with
#' the data layer's plain-English error.
#'
#' @param data Path to the council's CIN extract (CSV or Excel), a data frame,
#'   or `"example"` for the bundled `cin_example`.
#' @param output_file Path of the HTML report to write.
#' @param council Name shown in the report title.
#' @param k Numbers of classes to compare.
#' @param starts Random starts per model.
#' @param seed Seed for every random step.
#' @param group Grouping for invariance and tables (`"la"` or `"year"`).
#' @param threshold Small-number suppression threshold for published tables.
#' @param ... Further report parameters (`years`, `blrt_reps`, `boot_reps`,
#'   `cv_folds`).
#' @param quiet Suppress knitting progress output.
#' @return The path of the HTML report, invisibly.
#' @family report
#' @export
#' @examples
#' \dontrun{
#' demand_report("example", "demand-report.html")
#' }
demand_report <- function(data = "example", output_file = "demand-report.html",
                          council = NULL, k = 1:8, starts = 20, seed = 2020, group = "la",
                          threshold = 10, ..., quiet = TRUE) {
  rlang::check_installed(c("rmarkdown", "knitr"), reason = "to knit the report.")
  check_counts(k)
  check_count(threshold)
  if (!rmarkdown::pandoc_available()) {
    abort_input(c("Knitting the report needs pandoc.",
                  i = "Install it (Debian: {.code apt-get install pandoc}) or use RStudio, which ships it."))
  }
  if (is.character(data) && !identical(data, "example") && !file.exists(data)) {
    abort_input(c("The data file {.file {data}} does not exist.",
                  i = "Give the path of the council's extract, or {.val example}."),
                class = "cscdemand_error_file")
  }
  skeleton <- system.file("rmarkdown", "templates", "demand-report", "skeleton", "skeleton.Rmd",
                          package = "cscdemand")
  params <- list(data = data, k_min = min(k), k_max = max(k), starts = starts, seed = seed,
                 group = group, threshold = threshold, ...)
  if (!is.null(council)) params$council <- council
  out_dir <- dirname(output_file)
  if (!dir.exists(out_dir)) {
    abort_input(c("The folder {.file {out_dir}} for the report does not exist.",
                  i = "Create it first, or give another {.arg output_file}."),
                class = "cscdemand_error_file")
  }
  # absolute: rmarkdown resolves a relative output_file against the Rmd's folder
  output_file <- file.path(normalizePath(out_dir), basename(output_file))
  work <- tempfile("cscdemand-report")
  dir.create(work)
  on.exit(unlink(work, recursive = TRUE), add = TRUE)
  file.copy(skeleton, file.path(work, "report.Rmd"))
  cli::cli_progress_step("Knitting the demand report")
  tryCatch(
    rmarkdown::render(file.path(work, "report.Rmd"), output_file = output_file, params = params,
                      envir = new.env(parent = globalenv()), intermediates_dir = work,
                      quiet = quiet),
    error = function(e) {
      cnd <- e
      while (!inherits(cnd, "cscdemand_error") && !is.null(cnd$parent)) cnd <- cnd$parent
      if (inherits(cnd, "cscdemand_error")) rlang::cnd_signal(cnd)
      stop(e)
    }
  )
  cli::cli_progress_done()
  invisible(output_file)
}
