# The checks of `make review`, on the reports of tools/review.R (the folder is
# CSCDEMAND_REVIEW_DIR). Each check is a function of R/report-review.R, tested
# on crafted documents in tests/testthat/test-report-review.R. A failure lists
# every problem found, with where it is.
review <- Sys.getenv("CSCDEMAND_REVIEW_DIR", "review")
manifest <- utils::read.csv(file.path(review, "manifest.csv"), stringsAsFactors = FALSE)
threshold <- 10
rv <- asNamespace("cscdemand")

expect_no_problems <- function(problems) {
  lines <- paste0("  ", problems$where, ": ", problems$problem)
  expect(nrow(problems) == 0,
         paste0(nrow(problems), " problem", if (nrow(problems) != 1) "s", ":\n",
                paste(utils::head(lines, 30), collapse = "\n"),
                if (nrow(problems) > 30) paste0("\n  ... and ", nrow(problems) - 30, " more") else ""))
  invisible(problems)
}

for (i in seq_len(nrow(manifest))) {
  m <- manifest[i, ]
  dir <- file.path(review, m$dir)
  report <- rv$review_read(file.path(dir, paste0("report.", m$format)))
  who <- paste0(m$council, " (", m$format, "): ")

  test_that(paste0(who, "every page is rendered, and it knitted in under 60 s of CPU"), {
    expect_true(m$pages_ok)
    expect_gt(length(list.files(file.path(dir, "pages"), "\\.png$")), 5)
    # CPU time (elapsed time measures the machine's load as much as the report)
    expect_lt(if (is.null(m$cpu_seconds)) m$seconds else m$cpu_seconds, 60)
  })
  if (m$format == "docx") {
    test_that(paste0(who, "no page is more than 40% blank at its foot, but where a section ends a page by design"), {
      expect_no_problems(rv$review_blank_pages(file.path(dir, "pages", "report.pdf"), report))
    })
    test_that(paste0(who, "words fit their Word columns"), {
      expect_no_problems(rv$review_words_fit(report))
    })
    test_that(paste0(who, "the footer has page numbers and the contents are filled"), {
      expect_no_problems(rv$review_page_numbers(report))
      expect_no_problems(rv$review_contents_filled(report))
      # as LibreOffice printed it: "Page i of n" on every page, headings listed on page 1
      pdf <- file.path(dir, "pages", "report.pdf")
      n <- length(list.files(file.path(dir, "pages"), "\\.png$"))
      for (p in seq_len(n)) {
        txt <- system2("pdftotext", c("-f", p, "-l", p, "-layout", shQuote(pdf), "-"), stdout = TRUE)
        expect_true(any(grepl(sprintf("Page %d of %d", p, n), txt)), info = paste("page", p))
      }
      first <- system2("pdftotext", c("-f", 1, "-l", 1, shQuote(pdf), "-"), stdout = TRUE)
      for (h in c("Summary", "Data and audit", "Deprivation")) {
        expect_true(any(startsWith(trimws(first), h)), info = paste("contents entry", h))
      }
      # each entry with its page number, as LibreOffice laid the pages out
      lay <- system2("pdftotext", c("-f", 1, "-l", 1, "-layout", shQuote(pdf), "-"), stdout = TRUE)
      expect_false(any(grepl("Reference source not found", lay)))
      for (h in c("Summary", "Data and audit", "Deprivation")) {
        expect_true(any(grepl(paste0("^\\s*", h, "\\b.*[. ]([0-9]+)\\s*$"), lay)), info = paste("page number of", h))
      }
    })
  }
  if (m$format == "html") {
    test_that(paste0(who, "printed, every page is numbered and a link's address is not repeated"), {
      pdf <- file.path(dir, "pages", "report.pdf")
      n <- length(list.files(file.path(dir, "pages"), "\\.png$"))
      txt <- system2("pdftotext", c("-layout", shQuote(pdf), "-"), stdout = TRUE)
      for (p in c(1, n)) expect_true(any(grepl(sprintf("Page %d of %d", p, n), txt)), info = paste("page", p))
      doi <- regmatches(txt, regexpr("https://doi\\.org/[^ )]+", txt))
      expect_true(length(doi) >= 1)
      expect_equal(sum(lengths(regmatches(txt, gregexpr("doi.org", txt, fixed = TRUE)))), length(unique(doi)))
    })
  }
  test_that(paste0(who, "no row of ten times the threshold or more has more than half its cells suppressed"), {
    expect_no_problems(rv$review_suppressed_rows(report$tables, threshold))
  })
  test_that(paste0(who, "no group of hidden cells sharing a total adds up, by subtraction, to under the threshold"), {
    expect_no_problems(rv$review_hidden_sums(report$tables, threshold))
  })
  test_that(paste0(who, "no all-zero rows"), {
    expect_no_problems(rv$review_zero_rows(report$tables))
  })
  test_that(paste0(who, "no other council's name used as a label"), {
    expect_no_problems(rv$review_council_labels(report$text, m$council))
  })
  test_that(paste0(who, "no other council's figures printed by name in a table"), {
    expect_no_problems(rv$review_council_tables(report$tables, m$council))
  })
  test_that(paste0(who, "the audit table cannot be differenced, and no record location is printed"), {
    expect_no_problems(rv$review_audit_differences(report$tables, threshold))
    expect_no_problems(rv$review_record_locations(report$text, report$tables))
  })
  test_that(paste0(who, "no \"times less likely\""), {
    expect_no_problems(rv$review_phrasing(report$text))
  })
  test_that(paste0(who, "no count under the threshold behind any plotted value"), {
    plots <- readRDS(file.path(dir, "plots.rds"))
    expect_gt(length(plots), 3)
    expect_no_problems(rv$review_plot_counts(plots, threshold))
  })
  test_that(paste0(who, "no figure's text is cut off or runs into other text"), {
    pr <- readRDS(file.path(dir, "figure-text.rds"))
    expect_no_problems(if (nrow(pr)) data.frame(where = paste0(pr$chunk, ", ", pr$where), problem = pr$problem) else
                         rv$review_problems())
  })
  test_that(paste0(who, "every chart of a table by category draws what its table shows"), {
    expect_no_problems(rv$review_chart_tables(readRDS(file.path(dir, "plots.rds")), report$tables))
  })
}

# the same figures under the same numbers in both formats of a council
for (council in unique(manifest$council)) {
  m <- manifest[manifest$council == council, ]
  if (!all(c("docx", "html") %in% m$format)) next
  test_that(paste0(council, ": the figures are numbered 1, 2, 3, ... and the same in Word and HTML"), {
    txt <- lapply(c("docx", "html"), function(f) {
      rv$review_read(file.path(review, m$dir[m$format == f], paste0("report.", f)))$text
    })
    expect_gt(nrow(rv$review_figure_captions(txt[[1]])), 3)
    expect_no_problems(rv$review_figure_numbers(txt[[1]], txt[[2]]))
  })
}
