# find_council() and the council resolver (R/reference-councils.R).

test_that("councils are found by DfE number, ONS code (current or former) and name", {
  expect_equal(find_council(937)$name, "Warwickshire")
  expect_equal(find_council("937")$name, "Warwickshire")
  expect_equal(find_council("E10000031")$name, "Warwickshire")
  expect_equal(find_council("e10000031")$name, "Warwickshire")
  expect_equal(find_council("E10000002")$name, "Buckinghamshire") # former code
  expect_equal(find_council("E06000060")$la_number, 825L)
  expect_equal(find_council("warwickshire")$la_number, 937L)
  expect_equal(find_council("  WARWICKSHIRE ")$la_number, 937L)
  expect_equal(find_council("Bristol")$name, "Bristol, City of")
  expect_equal(find_council("City of Bristol")$name, "Bristol, City of")
  expect_equal(find_council("Durham")$name, "County Durham")
  expect_equal(find_council("Bournemouth Christchurch & Poole")$la_number, 839L)
  expect_equal(find_council("BCP")$la_number, 839L)
  expect_equal(find_council("Kingston upon Hull")$la_number,
               context_councils$la_number[context_councils$name == "Kingston upon Hull, City of"])
  # Two councils called Dorset (before and after 2019): the current one.
  expect_equal(find_council("Dorset")$la_number, 838L)
  expect_equal(find_council(835)$name, "Dorset")
  # Abolished councils can be named.
  expect_equal(find_council("Northamptonshire")$la_number, 928L)
})

test_that("whole-word and district names resolve with a message", {
  expect_message(r <- find_council("Hull"), "Kingston upon Hull")
  expect_equal(r$name, "Kingston upon Hull, City of")
  expect_message(r <- find_council("Stratford-on-Avon"), "district of Warwickshire")
  expect_equal(r$la_number, 937L)
  code <- context_districts$district_code[context_districts$district_name == "Rugby"]
  expect_message(r <- find_council(code), "Rugby")
  expect_equal(r$la_number, 937L)
  expect_silent(find_council("Hull", verbose = FALSE))
})

test_that("a council that does not exist is a classed error listing the closest names", {
  err <- expect_error(find_council("Warwickshre"), class = "cscdemand_error_council")
  expect_s3_class(err, "cscdemand_error_input")
  expect_equal(err$closest[1], "Warwickshire")
  expect_match(conditionMessage(err), "Warwickshre", fixed = TRUE)
  expect_match(conditionMessage(err), "Closest names", fixed = TRUE)

  err <- expect_error(find_council("Atlantis"), class = "cscdemand_error_council")
  expect_length(err$closest, 5)
  expect_true(all(err$closest %in% context_councils$name))

  err <- expect_error(find_council("Kingston"), class = "cscdemand_error_council")
  expect_setequal(err$closest, c("Kingston upon Thames", "Kingston upon Hull, City of"))

  expect_error(find_council(999), class = "cscdemand_error_council")
  expect_error(find_council("E10099999"), class = "cscdemand_error_council")
  expect_error(find_council(c(937, 938)), class = "cscdemand_error_council")
  expect_error(find_council(NA), class = "cscdemand_error_council")
  expect_error(council_context("Warwickshre"), class = "cscdemand_error_council")
  expect_snapshot(find_council("Warwickshre"), error = TRUE)
})
