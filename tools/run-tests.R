# Runs the full testthat suite against the installed package and ends with
# the totals line that CI reads: "N passed, N failed".
# Run from the package folder; .Rlib/ (where make installs) comes first.
if (dir.exists(".Rlib")) .libPaths(c(normalizePath(".Rlib"), .libPaths()))
Sys.setenv(NOT_CRAN = "true")
library(testthat)
library(cscdemand)
res <- testthat::test_dir("tests/testthat", package = "cscdemand", load_package = "installed",
                          reporter = testthat::ProgressReporter$new(show_praise = FALSE),
                          stop_on_failure = FALSE, stop_on_warning = FALSE)
df <- as.data.frame(res)
passed <- sum(df$passed)
failed <- sum(df$failed) + sum(df$error)
skipped <- sum(df$skipped)
bad <- df[df$failed > 0 | df$error, c("file", "test"), drop = FALSE]
if (nrow(bad)) {
  cat("\nFailed tests:\n")
  cat(sprintf("  %s: %s\n", bad$file, bad$test), sep = "")
}
cat(sprintf("\n%d skipped, %d warnings\n", skipped, sum(df$warning)))
cat(sprintf("%d passed, %d failed\n", passed, failed))
if (failed > 0) quit(status = 1)
