# Writing simulated data as census returns (R/read-simulate-xml.R).

test_that("write_cin_census_xml() errors say what was supplied and the fix (review)", {
  e <- expect_error(write_cin_census_xml(list(a = 1), tempfile()), class = "cscdemand_error_input")
  expect_match(conditionMessage(e), "You supplied a list", fixed = TRUE)
  expect_match(conditionMessage(e), "simulate_cin", fixed = TRUE)
  d <- simulate_cin(years = 2024, n_episodes = 20, layout = "long", seed = 1)
  e <- expect_error(write_cin_census_xml(d[setdiff(names(d), "gender")], tempfile()),
                    class = "cscdemand_error_input")
  expect_match(conditionMessage(e), "gender", fixed = TRUE)
  expect_match(conditionMessage(e), "You supplied a data frame without", fixed = TRUE)
  e <- expect_error(write_cin_census_xml(d, c("a", "b")), class = "cscdemand_error_input")
  expect_match(conditionMessage(e), "You supplied a character vector", fixed = TRUE)
  e <- expect_error(write_cin_census_xml(d, tempfile(), namespace = "yes"), class = "cscdemand_error_input")
  expect_match(conditionMessage(e), "You supplied", fixed = TRUE)
})

test_that("by = \"council\" writes one file per council holding every year, each episode once", {
  d <- simulate_cin(las = c("E09000021", "E08000024"), years = 2023:2024, n_episodes = 120,
                    layout = "long", seed = 2)
  e <- d[!duplicated(d$episode_id), ]
  paths <- write_cin_census_xml(d, withr::local_tempdir(), by = "council")
  expect_setequal(basename(paths), c("cin_E09000021.xml", "cin_E08000024.xml"))
  for (p in paths) {
    la <- sub("^cin_(.+)\\.xml$", "\\1", basename(p))
    t <- cin_xml_tables(p)
    expect_identical(t$header$lea, c(E09000021 = "314", E08000024 = "394")[[la]])
    expect_identical(t$header$year, "2024")
    expect_identical(t$header$reference_date, "2024-03-31")
    # the council's episodes of both years, and no other council's
    expect_equal(nrow(t$episodes), sum(e$la == la), info = la)
    expect_equal(sort(unique(t$children$child_id)), sort(unique(e$child_id[e$la == la])), info = la)
  }
  au <- audit(read_cin_assessments(paths))
  expect_equal(au$n[au$step == "episodes merged: in two or more returns"], 0)
  expect_equal(au$n[au$step == "episodes read (CINdetails)"], nrow(e))
  # by return (the default): one file per council and year
  by_return <- write_cin_census_xml(d, withr::local_tempdir())
  expect_setequal(basename(by_return), paste0("cin_", rep(c("E09000021", "E08000024"), 2), "_",
                                              rep(2023:2024, each = 2), ".xml"))
  expect_error(write_cin_census_xml(d, withr::local_tempdir(), by = "year"), "by")
})
