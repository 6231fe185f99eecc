# report_data(): the data step of the report.

# Units of audit lines that do not count children (a count of one is in the
# singular: "1 factor")
not_children_units <- c("returns", "files", "columns", "factors", "tables", "layouts",
                        "return", "file", "column", "factor", "table", "layout")

test_that("report_data names councils, picks one, and audits a year filter", {
  rd <- report_data("example", council = "leicestershire")
  expect_equal(rd$council, "Leicestershire")
  expect_setequal(rd$councils, c("Leicestershire", "Sunderland", "Kingston upon Thames"))
  expect_equal(sum(rd$own), sum(rd$episodes$la == "E10000018"))
  expect_equal(rd$subtitle, "Simulated example data, reporting years 2021-22 to 2023-24")
  expect_match(rd$title, "Leicestershire$")
  rd2 <- report_data("example", council = 855, years = 2023)
  au <- rd2$audit
  kept <- as.numeric(gsub(",", "", au$Number[au$Step == "Episodes kept"]))
  dropped <- as.numeric(gsub(",", "", au$Number[grepl("years chosen", au$Step)]))
  analysed <- as.numeric(gsub(",", "", au$Number[au$Step == "Episodes analysed"]))
  # the audit is of the council's own episodes (the model's are every council's)
  expect_equal(analysed, sum(rd2$own))
  expect_equal(kept, dropped + analysed)
  expect_true(all(rd2$episodes$year == 2023))
  # no council given: the one with most episodes, and its own subtitle on a council's extract
  one <- cin_example[cin_example$la == "E09000021", ]
  one$true_class <- NULL  # a council's own extract has no true classes
  rd3 <- report_data(one)
  expect_equal(rd3$council, "Kingston upon Thames")
  expect_false(grepl("Example|Simulated", rd3$subtitle))
  # synthetic XML returns (write_cin_census_xml() marks them) are called simulated;
  # a council's own return (any other SoftwareCode) is not
  ex <- cin_example[cin_example$la == "E09000021" & cin_example$year == 2024, ]
  dir <- withr::local_tempdir()
  p <- write_cin_census_xml(ex, dir)
  expect_match(report_data(p)$subtitle, "^Simulated example data")
  txt <- readLines(p[1], warn = FALSE)
  writeLines(sub("cscdemand synthetic", "Liquidlogic LCS", txt, fixed = TRUE), p[1])
  expect_equal(report_data(p)$subtitle, "CIN census returns 2023-24")
  expect_error(report_data("example", council = "Warwickshire"), class = "cscdemand_error_council")
})

test_that("the audit publishes no small count, in numbers or in detail text", {
  rd <- report_data("example")
  au <- rd$audit
  det <- gsub("\\([0-9]{1,2}[A-F]?\\)|[0-9]+ (distinct codes|factors analysed)|not present: [0-9]+", "", au$Detail)
  detail_nums <- as.numeric(gsub(",", "", unlist(regmatches(det, gregexpr("(?<=: )[0-9][0-9,]*", det, perl = TRUE)))))
  expect_gt(length(detail_nums), 5)
  expect_true(all(detail_nums >= 10))
  about_children <- !au$Unit %in% not_children_units
  expect_true(all(au$Unit[about_children] %in%
                    c("children", "episodes", "assessments", "codes", "cells", "values", "rows")))
  expect_identical(au$Unit[au$Step %in% c("Episodes kept", "Episodes analysed")], "episodes")
  n <- suppressWarnings(as.numeric(gsub(",", "", au$Number[about_children])))
  expect_true(all(is.na(n) | n == 0 | n >= 10))
  # the extract's columns the report does not use are the analyst's (audit()), not the report's
  expect_false("Columns not used" %in% au$Step)
  expect_true("columns not used" %in% attr(rd, "audit_counts")$step)
  # the extract's column names are not for the report
  expect_false(any(grepl("birth_date|closure_reason_code", au$Detail)))
})

test_that("too few episodes: the error names what was dropped and the arguments to change (review)", {
  small <- cin_example[cin_example$la == "E09000021", ][1:5, ]
  err <- expect_error(report_data(small), class = "cscdemand_error_data")
  msg <- conditionMessage(err)
  expect_match(msg, "every factor was dropped", fixed = TRUE)
  # report_data() has no min_count: the message points to its own arguments
  expect_false(grepl("min_count", msg, fixed = TRUE))
  expect_match(msg, "`data`", fixed = TRUE)
  expect_match(msg, "`years`", fixed = TRUE)
  # what was supplied: the number of episodes (a count of this small extract is
  # not published, so the message gives it against the threshold)
  expect_match(msg, "episode", fixed = TRUE)
})

test_that("the years error says what was supplied and the fix (review)", {
  d <- cin_example[cin_example$la == "E09000021", c("child_id", "episode_id", "assessment_id", "factors")]
  err <- expect_error(report_data(d, years = 2023), class = "cscdemand_error_column")
  msg <- conditionMessage(err)
  expect_match(msg, "2023", fixed = TRUE)
  expect_match(msg, "year", fixed = TRUE)
  expect_match(msg, "Drop `years`", fixed = TRUE)
})

test_that("a prebuilt report_data() is re-checked against the threshold asked for (review)", {
  # 5 episodes of 2024 of the report's council (the one with most episodes)
  # are dropped by the year filter: a small count
  ex <- cin_example[cin_example$year == 2023 |
                      cin_example$episode_id %in% unique(cin_example$episode_id[cin_example$year == 2024 &
                                                                                  cin_example$la == "E10000018"])[1:5], ]
  step <- "Episodes outside the years chosen: dropped"
  rd1 <- report_data(ex, years = 2023, threshold = 1)
  expect_equal(rd1$audit$Number[rd1$audit$Step == step], "5")
  # passed on with the default threshold (10), as demand_report() and the
  # template do, the 5 must not survive
  rd10 <- report_data(rd1, years = 2023, threshold = 10)
  # hidden: on its own a "c", or on one line with its complement
  at <- grep("episodes outside the years chosen", attr(rd10$audit, "steps"))
  expect_length(at, 1)
  expect_true(rd10$audit$Number[at] == "c" || as.numeric(gsub(",", "", rd10$audit$Number[at])) >= 10)
  expect_false(rd10$audit$Number[at] == "5")
  expect_equal(rd10$audit, report_data(ex, years = 2023, threshold = 10)$audit)
  expect_equal(report_data(rd1)$audit, rd10$audit)
  # and lowered again from the object built at 10: the same as built at 1
  expect_equal(report_data(rd10, threshold = 1)$audit, rd1$audit)
  expect_equal(attr(rd10, "threshold"), 10)
  # a prebuilt object is about one council and years: other ones are an error
  expect_equal(rd1$council, "Leicestershire")
  expect_error(report_data(rd1, council = "Kingston upon Thames"), class = "cscdemand_error_council")
  expect_equal(report_data(rd1, council = 855)$council, "Leicestershire")
  expect_error(report_data(rd1, years = 2024), class = "cscdemand_error_data")
  # an object without its counts (made by hand, or by an older version) is rebuilt by the user
  old <- rd1
  attr(old, "audit_counts") <- NULL
  expect_error(report_data(old), class = "cscdemand_error_data")
})

test_that("printing report_data() shows no identifier and no small count", {
  rd <- report_data("example", council = "Leicestershire")
  out <- paste(capture.output(print(rd)), collapse = "\n")
  expect_match(out, "Leicestershire")
  ids <- unique(as.character(rd$episodes$child_id))
  expect_false(any(vapply(utils::head(ids, 200), function(i) grepl(i, out, fixed = TRUE),
                          logical(1))))
  rd1 <- report_data(rd, threshold = 1e6)  # every count is now small
  out1 <- paste(capture.output(print(rd1)), collapse = "\n")
  expect_match(out1, "fewer than 1,000,000")
  expect_false(grepl(format(nrow(rd$episodes), big.mark = ","), out1, fixed = TRUE))
  # no count under the threshold in the audit's detail text either
  # (counts of codes and columns are not about children, and codes are names)
  det <- gsub("[0-9]+ (distinct codes|factors analysed)|not present: [0-9, ]+|\\([0-9]{1,2}[A-F]?\\)|[0-9]+ (more )?factors?,( each)? recorded fewer than [0-9,]+ times",
              "", rd1$audit$Detail)
  nums <- as.numeric(unlist(regmatches(det, gregexpr("(?<![A-Za-z0-9])[0-9]+(?![0-9A-Za-z])",
                                                      det, perl = TRUE))))
  expect_false(any(nums > 0 & nums < 1e6))
})

test_that("the report's audit shows the number of census files read: files are not children", {
  ex <- cin_example[cin_example$la == "E09000021", ]
  dir <- withr::local_tempdir()
  p <- write_cin_census_xml(ex, dir)
  rd <- report_data(p)
  row <- rd$audit[rd$audit$Step == "CIN census returns read", ]
  expect_identical(row$Number, as.character(length(p)))  # 3 files, under the threshold, shown
  expect_identical(row$Unit, "returns")
  expect_no_match(row$Detail, "\\.xml|E09")
  # records: a child in two returns has two (reader 9, R6)
  expect_identical(rd$audit$Unit[rd$audit$Step == "Child records read"], "child records")
  expect_identical(rd$audit$Unit[rd$audit$Step == "Factor codes read"], "codes")
  small <- rd$audit[!rd$audit$Unit %in% not_children_units, ]
  nums <- suppressWarnings(as.numeric(gsub(",", "", small$Number)))
  expect_true(all(is.na(nums) | nums == 0 | nums >= 10))
})
