# Shipped rates and percentages are rounded to three decimal places (data-raw/context.R).
expect_rounded <- function(shipped, exact, digits = 3) {
  expect_equal(length(shipped), length(exact))
  expect_true(all(abs(shipped - exact) <= 0.5 * 10^-digits + 1e-9),
              label = "shipped values equal the exact values to three decimal places")
}

# The public source files the shipped tables are built from (data-raw/), for tests that
# check shipped numbers against the source itself. Set CSCDEMAND_SHARED_DATA to the
# folder; by default it sits beside the package root. Tests skip where it is absent.
shared_data_file <- function(name) {
  dir <- Sys.getenv("CSCDEMAND_SHARED_DATA",
                    testthat::test_path("..", "..", "data-raw", "sources"))
  path <- file.path(dir, name)
  if (!file.exists(path)) testthat::skip(paste("source file not available:", name))
  path
}

# DfE's 2025 statistical neighbours of one council, straight from the published file.
sn25_from_csv <- function(la_number) {
  x <- utils::read.csv(shared_data_file("sn_model_2025_wide.csv"), colClasses = "character",
                       fileEncoding = "UTF-8-BOM", check.names = FALSE)
  r <- x[as.integer(x$old_la_code) == la_number, ]
  data.frame(neighbour_number = as.integer(unlist(r[paste0("SN_", 1:10)])),
             closeness = trimws(unlist(r[paste0("SN_", 1:10, "P")])),
             stringsAsFactors = FALSE, row.names = NULL)
}
