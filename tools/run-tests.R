# Runs the full testthat suite against the installed package and ends with
# the totals line that CI reads: "N passed, N failed".
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
cat(sprintf("\n%d skipped, %d warnings\n", skipped, sum(df$warning)))
cat(sprintf("%d passed, %d failed\n", passed, failed))
if (failed > 0) quit(status = 1)
