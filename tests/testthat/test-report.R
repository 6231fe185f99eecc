# Knits the report template on the example data (small settings) and checks
# the HTML: every section and figure, no small counts, no identifiers.

html_text <- function(path) paste(readLines(path, warn = FALSE), collapse = "\n")

html_tables <- function(html) {
  tabs <- regmatches(html, gregexpr("<table.*?</table>", html))[[1]]
  lapply(tabs, function(t) {
    head <- regmatches(t, gregexpr("<th[^>]*>(.*?)</th>", t))[[1]]
    head <- trimws(gsub("<[^>]+>", "", head))
    rows <- regmatches(t, gregexpr("<tr.*?</tr>", t))[[1]]
    cells <- lapply(rows, function(r) {
      td <- regmatches(r, gregexpr("<td[^>]*>(.*?)</td>", r))[[1]]
      trimws(gsub("<[^>]+>", "", td))
    })
    cells <- cells[lengths(cells) == length(head)]
    if (!length(cells)) return(NULL)
    m <- do.call(rbind, cells)
    colnames(m) <- head
    m
  })
}

test_that("the report knits on the example data with every section, figure and rule", {
  skip_if_not(rmarkdown::pandoc_available(), "pandoc is needed to knit the report")
  out <- withr::local_tempfile(fileext = ".html")
  suppressMessages(demand_report("example", out, k = 1:4, starts = 4, seed = 1,
                                 blrt_reps = 4, boot_reps = 5, cv_folds = 3))
  expect_true(file.exists(out))
  html <- html_text(out)
  sections <- c("Data and audit", "Factor prevalence", "Context",
                "Choosing the number of classes", "Stability and invariance",
                "The categories", "Who is in each category and what happens",
                "Deprivation", "Methods and caveats")
  for (s in sections) expect_match(html, paste0("<h1>", s, "</h1>"), fixed = TRUE)
  n_fig <- lengths(regmatches(html, gregexpr("<img src=\"data:image/png", html)))
  expect_gte(n_fig, 12)
  expect_no_match(html, "could not be computed")
  # no count cell below the threshold in any published table
  for (m in html_tables(html)) {
    for (col in intersect(colnames(m), c("episodes", "n", "count"))) {
      v <- suppressWarnings(as.numeric(gsub(",", "", m[, col])))
      v <- v[!is.na(v)]
      expect_true(all(v == 0 | v >= 10), info = col)
    }
  }
  # no identifiers
  ids <- unique(c(cin_example$child_id[1:50], cin_example$episode_id[1:50]))
  for (id in ids) expect_no_match(html, id, fixed = TRUE)
  # the page loads in headless Chromium (the script fails on a load error)
  script <- test_path("..", "..", "tools", "screenshot-report.sh")
  if (nzchar(Sys.which("chromium")) && file.exists(script)) {
    png <- withr::local_tempfile(fileext = ".png")
    status <- system2("bash", c(script, out, png), stdout = FALSE, stderr = FALSE)
    expect_equal(status, 0)
    expect_gt(file.size(png), 10000)
  }
})

test_that("a malformed data file stops with the data layer's plain-English error", {
  skip_if_not(rmarkdown::pandoc_available(), "pandoc is needed to knit the report")
  bad <- withr::local_tempfile(fileext = ".csv")
  writeLines(c("ChildID,Factors", "A1,\"3A,99Z\"", "A2,4B"), bad)
  out <- withr::local_tempfile(fileext = ".html")
  expect_error(suppressMessages(demand_report(bad, out)), class = "cscdemand_error")
  expect_false(file.exists(out))
  expect_error(demand_report(tempfile(fileext = ".csv"), out), class = "cscdemand_error_file")
  expect_error(demand_report("example", file.path(tempfile(), "no", "r.html")),
               class = "cscdemand_error_file")
})

test_that("a relative output file lands in the working directory", {
  skip_if_not(rmarkdown::pandoc_available(), "pandoc is needed to knit the report")
  dir <- withr::local_tempdir()
  withr::local_dir(dir)
  res <- suppressMessages(demand_report("example", "r.html", k = 1:2, starts = 2, seed = 1,
                                        blrt_reps = 2, boot_reps = 2, cv_folds = 2))
  expect_true(file.exists(file.path(dir, "r.html")))
  expect_equal(normalizePath(res), normalizePath(file.path(dir, "r.html")))
})
