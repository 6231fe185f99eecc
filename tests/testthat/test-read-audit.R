test_that("audit_table suppresses small counts in n and inside the detail text", {
  d <- data.frame(stage = c("read", "factors", "factors", "episodes", "read", "episodes"),
                  step = c("rows read", "factors excluded", "factors dropped: fewer than 10 episodes",
                           "episodes with no factors or only 21: dropped", "columns not used",
                           "episodes kept"),
                  n = c(500, 7, 3, 12, 2, 400),
                  detail = c("from x.csv (3 rows above the header skipped)",
                             "8D (1), 8F (1), 9A (6), 12A (3), 20 (40), 21 (12); not present: 2",
                             "18A (2), 22A (2), 23A (5)",
                             "4 coded 21, 8 with no code", "V6, notes", "12 factor columns: 1B, 3B"),
                  unit = c("rows", "factors", "factors", "rows", "columns", "rows"),
                  stringsAsFactors = FALSE)
  class(d) <- c("cin_audit", "data.frame")
  t <- audit_table(d)
  expect_equal(names(t), c("stage", "step", "n", "detail"))
  # counts of factor types and columns are not counts of children
  expect_equal(t$n, c("500", "", "", "12", "", "400"))
  expect_equal(t$detail[2], "7 factors: 8D (c), 8F (c), 9A (c), 12A (c), 20 (40), 21 (12); not present: 2")
  expect_equal(t$detail[3], "3 factors: 18A (c), 22A (c), 23A (c)")
  expect_equal(t$detail[5], "2 columns: V6, notes")
  expect_equal(t$detail[4], "c coded 21, c with no code")
  expect_equal(t$detail[1], "from x.csv (c rows above the header skipped)")
  expect_equal(t$detail[6], "12 factor columns: 1B, 3B")
  # a higher threshold hides more; every remaining number is a code or at least the threshold
  t50 <- audit_table(d, threshold = 50)
  expect_equal(t50$n[4], "c")
  expect_match(t50$detail[2], "20 \\(c\\), 21 \\(c\\)")
  expect_error(audit_table(d, threshold = 0), class = "cscdemand_error_input")
})

test_that("audit_table leaves out row positions and hides the count kept when a drop is hidden", {
  d <- data.frame(child_id = c(paste0("C", 1:30), NA, NA), referral_date = "2023-05-01",
                  factor = "1B")
  a <- read_cin_assessments(d)
  expect_equal(attr(audit(a), "rows"), c(read = 32, kept = 30, dropped = 2))
  t <- audit_table(a)
  expect_equal(t$n[t$step == "rows dropped: missing identifier"], "c")
  # otherwise 32 - 30 would give the 2 dropped
  expect_equal(t$n[t$step == "rows kept"], "c")
  expect_equal(t$n[t$step == "rows read"], "32")
  expect_false(any(grepl("31|rows 3", t$detail)))
  ep <- episode_factors(a, exclude = NULL, min_count = 0)
  t <- audit_table(ep)
  expect_true("rows kept" %in% t$step)
})

test_that("rows read = rows kept + rows dropped on every route, with a line for every drop", {
  skip_if_not_installed("readxl")
  skip_if(!nzchar(Sys.which("zip")))
  cells <- rbind(c("child_id", "referral_date", "assessment_date", "factor", "gender"),
                 c("C1", "2023-05-01", "2023-05-03", "1B", "F"),
                 c("C1", "2023-05-01", "2023-05-03", "1B", "F"),    # duplicate
                 c(" ", "2023-05-01", "2023-05-03", "3B", "F"),     # blank id
                 c("C2", "2042-05-01", "2042-05-03", "3B", "M"),   # future
                 c("C3", "2023-06-01", "2023-05-03", "4B", "M"),   # referral after
                 c("C4", "2023-05-01", "2023-05-03", "", "M"))     # no code
  df <- as.data.frame(cells[-1, ], stringsAsFactors = FALSE)
  names(df) <- cells[1, ]
  csv <- tempfile(fileext = ".csv")
  utils::write.csv(df, csv, row.names = FALSE)
  xlsx <- tempfile(fileext = ".xlsx")
  write_test_xlsx(cells, xlsx, first_row = 2)
  for (layout in c("long", "codes")) {
    for (src in list(df, csv, xlsx)) {
      for (imp in c("keep", "drop")) {
        a <- read_cin_assessments(src, layout = layout, implausible_dates = imp)
        au <- audit(a)
        r <- attr(au, "rows")
        expect_equal(r[["read"]], 6)
        expect_equal(r[["read"]], r[["kept"]] + r[["dropped"]])
        expect_equal(r[["dropped"]], sum(au$n[grepl("^rows dropped", au$step)]))
        expect_equal(au$n[au$step == "rows read"], 6)
        expect_equal(r[["dropped"]], (if (imp == "drop") 3 else 1) + (layout != "long"))
      }
    }
  }
})

test_that("the audit keeps its row accounting when lines are added", {
  a <- cin_audit_new()
  attr(a, "rows") <- c(read = 3, kept = 2, dropped = 1)
  a <- cin_audit_add(a, "read", "x", 1)
  a <- cin_audit_bind(a, cin_audit_add(cin_audit_new(), "codes", "y", 2, unit = "columns"))
  expect_equal(attr(a, "rows"), c(read = 3, kept = 2, dropped = 1))
  expect_equal(a$unit, c("rows", "columns"))
  expect_s3_class(a, "cin_audit")
})
