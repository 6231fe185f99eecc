test_that("cin_factors has the 44 census codes with the Kingston defaults", {
  expect_equal(nrow(cin_factors), 44L)
  expect_false(anyDuplicated(cin_factors$code) > 0)
  expect_setequal(kingston_exclusions(),
                  c("1C", "2C", "3C", "4C", "5C", "6C", "8B", "8C", "8D", "8E", "8F",
                    "9A", "12A", "20", "21"))
  expect_equal(sum(cin_factors$kingston_keep), 29L)
  expect_equal(cin_factors$concerns[cin_factors$code == "3B"], "parent/carer")
  expect_equal(cin_factors$first_year[cin_factors$code == "24A"], 2022L)
  expect_equal(cin_factors$first_year[cin_factors$code %in% c("18B", "19C")], c(2021L, 2021L))
  expect_equal(cin_factors$code[cin_factors$legacy], c("18A", "19A"))
  expect_true(is.na(cin_factors$dfe_column[cin_factors$code == "21"]))
})

test_that("codes are read in any case, spacing, with zeros, prefixes and legacy numbers", {
  x <- c("3b", " 3 B ", "03B", "X3B", "factor_3b", "F3B", "3-B", "3.b", "20", "020", "21A",
         "22B", "23a", "18A", "18b", "19C", "24A")
  got <- normalise_cin_codes(x)
  expect_equal(as.vector(got), c(rep("3B", 8), "20", "20", "21", "23A", "23A", "18A", "18B",
                                 "19C", "24A"))
  expect_equal(attr(got, "rule")[c(1, 3, 12)],
               c("case or spacing", "leading zero or prefix", "legacy 22B -> 23A"))
  expect_equal(as.vector(normalise_cin_codes("22B", legacy = FALSE)), NA_character_)
})

test_that("DfE column names and labels map to codes", {
  x <- c("Domestic_Abuse_parent", "domestic_abuse_parent", "Neglect", "Child_criminal_exploitation",
         "Physical_Abuse_unknown", "Physical_Abuse_adult_on_child", "Privately_fostered",
         "Other", "No factors identified", "Self-harm")
  expect_equal(as.vector(normalise_cin_codes(x)),
               c("3B", "3B", "16A", "24A", "18A", "18C", "8F", "20", "21", "15A"))
  # every DfE C3 column maps back to its code
  cf <- cin_factors[!is.na(cin_factors$dfe_column) & cin_factors$dfe_column != "Privately_fostered", ]
  expect_equal(as.vector(normalise_cin_codes(cf$dfe_column)), cf$code)
})

test_that("unknown codes give NA or a classed error listing them", {
  got <- normalise_cin_codes(c("3B", "99Z", "", NA, "3"))
  expect_equal(as.vector(got), c("3B", NA, NA, NA, NA))
  expect_equal(attr(got, "rule"), c("as written", "unknown", "blank", "blank", "unknown"))
  expect_error(normalise_cin_codes(c("3B", "99Z"), on_unknown = "error"),
               class = "cscdemand_error_unknown_code")
  expect_error(normalise_cin_codes(1:3), class = "cscdemand_error_input")
  expect_snapshot(normalise_cin_codes(c("1A", "Q1", "Q2"), on_unknown = "error"), error = TRUE)
})

test_that("legacy abuse merges name the split codes", {
  m <- legacy_abuse_merges()
  expect_equal(m$physical_abuse, c("18A", "18B", "18C"))
  expect_true(all(unlist(m) %in% cin_factors$code))
})
