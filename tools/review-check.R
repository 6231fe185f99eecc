# `make review`, step 2: the checks a reviewer would make, as testthat tests
# (tools/review/test-review.R), on the reports tools/review.R knitted. Usage:
#   Rscript tools/review-check.R [folder]   (default: review/)
# Exits with status 1 when a check fails, listing every problem found.
if (dir.exists(".Rlib")) .libPaths(c(normalizePath(".Rlib"), .libPaths()))
library(testthat)
library(cscdemand)
args <- commandArgs(trailingOnly = TRUE)
Sys.setenv(CSCDEMAND_REVIEW_DIR = normalizePath(if (length(args)) args[1] else "review", mustWork = TRUE))
res <- as.data.frame(test_file("tools/review/test-review.R", reporter = ProgressReporter$new(show_praise = FALSE),
                               stop_on_failure = FALSE))
failed <- sum(res$failed) + sum(res$error)
cat(sprintf("\n%d checks passed, %d failed\n", sum(res$passed), failed))
if (failed > 0) quit(status = 1)
