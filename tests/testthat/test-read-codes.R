# The codes stage of the reader (R/read-codes.R). tab_of() is in helper-cin.R.

test_that("codes stage: pairs per kept row, duplicates within an assessment counted", {
  df <- data.frame(child_id = c("a", "a", "b"), referral_date = "2023-05-01",
                   factor = c("1B, 3B, 1b", "16A", ""))
  s <- cin_stage_columns(tab_of(df), "codes", NULL, TRUE)
  s <- cin_stage_identifiers(s, "LA", call = NULL)
  s <- cin_stage_dates(s, NULL)
  s <- cin_stage_rows(s, "keep")
  s <- cin_stage_codes(s, "error", TRUE)
  expect_equal(s$pair_row, c(1L, 1L, 2L))
  expect_equal(cin_codes_all()[s$pair_code], c("1B", "3B", "16A"))
  expect_equal(s$audit$n[s$audit$step == "codes dropped: duplicate within an assessment"], 1)
  expect_equal(s$audit$n[s$audit$step == "rows with no factor code (blank)"], 1)
  expect_equal(s$rules$rows[s$rules$value == "1b"], 1L)
})
