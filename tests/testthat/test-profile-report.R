# report_data(): the data step of the report.

test_that("report_data names councils, picks one, and audits a year filter", {
  rd <- report_data("example", council = "leicestershire")
  expect_equal(rd$council, "Leicestershire")
  expect_setequal(rd$councils, c("Leicestershire", "Sunderland", "Kingston upon Thames"))
  expect_equal(sum(rd$own), sum(rd$episodes$la == "E10000018"))
  expect_equal(rd$subtitle, "Simulated example data")
  expect_match(rd$title, "Leicestershire$")
  rd2 <- report_data("example", council = 855, years = 2023)
  au <- rd2$audit
  kept <- as.numeric(gsub(",", "", au$Number[au$Step == "episodes kept"]))
  dropped <- as.numeric(gsub(",", "", au$Number[grepl("years chosen", au$Step)]))
  analysed <- as.numeric(gsub(",", "", au$Number[au$Step == "episodes analysed"]))
  expect_equal(analysed, nrow(rd2$episodes))
  expect_equal(kept, dropped + analysed)
  expect_true(all(rd2$episodes$year == 2023))
  # no council given: the one with most episodes, and its own subtitle on a council's extract
  one <- cin_example[cin_example$la == "E09000021", ]
  rd3 <- report_data(one)
  expect_equal(rd3$council, "Kingston upon Thames")
  expect_false(grepl("Example|Simulated", rd3$subtitle))
  expect_error(report_data("example", council = "Warwickshire"), class = "cscdemand_error_council")
})

test_that("the audit publishes no small count, in numbers or in detail text", {
  rd <- report_data("example")
  au <- rd$audit
  detail_nums <- as.numeric(unlist(regmatches(au$Detail, gregexpr("(?<=\\()[0-9]+(?=\\))", au$Detail, perl = TRUE))))
  expect_true(all(detail_nums >= 10))
  n <- suppressWarnings(as.numeric(gsub(",", "", au$Number[au$Counts == "rows or episodes"])))
  expect_true(all(is.na(n) | n == 0 | n >= 10))
  # a count of columns is not a count of children: shown as it is
  unused <- au[au$Step == "columns not used", ]
  expect_equal(as.numeric(unused$Number), length(strsplit(unused$Detail, ", ")[[1]]))
})

test_that("too few episodes: the error says every factor was dropped by min_count", {
  small <- cin_example[cin_example$la == "E09000021", ][1:5, ]
  expect_error(report_data(small), "every factor was dropped by", class = "cscdemand_error_data")
})
