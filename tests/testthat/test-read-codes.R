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

codes_stage <- function(df, layout, on_unknown = "error", rows = seq_len(nrow(df))) {
  s <- cin_stage_columns(tab_of(df, rows), layout, NULL, TRUE)
  s <- cin_stage_identifiers(s, "LA", call = NULL)
  s <- cin_stage_dates(s, NULL)
  s <- cin_stage_rows(s, "keep")
  cin_stage_codes(s, on_unknown, TRUE, call = NULL)
}

test_that("codes stage, wide layout: flags per code column, missing flags kept and counted, same code combined", {
  w <- data.frame(child_id = c("a", "b", "c", "d"), referral_date = "2023-05-01",
                  `1B` = c("1", "0", NA, ""), X3B = c("0", "1", "1", "0"), f_3b = c("1", "1", "0", "0"),
                  `4B` = c("0", "0", "0", "0"), check.names = FALSE)
  s <- codes_stage(w, "wide")
  got <- split(cin_codes_all()[s$pair_code], s$pair_row)
  expect_identical(lapply(got, sort), list(`1` = c("1B", "3B"), `2` = "3B", `3` = "3B"))
  expect_identical(s$miss_row, 3L)
  expect_identical(cin_codes_all()[s$miss_code], "1B")
  au <- s$audit
  expect_identical(au$n[au$step == "flags missing (NA): kept as missing"], 1)
  expect_match(au$detail[au$step == "flags missing (NA): kept as missing"], "^1B \\(1\\)")
  expect_identical(au$n[au$step == "columns combined: same code"], 2)
  expect_identical(au$n[au$step == "rows with no factor flagged"], 1)
  # row b's 3B from two columns is one code
  expect_identical(au$n[au$step == "codes dropped: duplicate within an assessment"], 1)
  w$X3B[2] <- "2"
  expect_error(codes_stage(w, "wide"), class = "cscdemand_error_flag")
})

test_that("codes stage: unknown codes stop the read naming rows, or are dropped and counted", {
  df <- data.frame(child_id = c("a", "b", "c", "d"), referral_date = "2023-05-01",
                   factor = c("1B, ZZ", "QQ", "3B", "QQ"))
  e <- expect_error(codes_stage(df, "codes", rows = 5:8), class = "cscdemand_error_unknown_code")
  expect_match(conditionMessage(e), "Rows 5, 6, and 8|Rows 5, 6 and 8|Rows 5, 6, 8")
  expect_match(conditionMessage(e), "on_unknown")
  s <- codes_stage(df, "codes", on_unknown = "drop", rows = 5:8)
  expect_identical(cin_codes_all()[s$pair_code], c("1B", "3B"))
  expect_identical(s$pair_row, c(1L, 3L))
  au <- s$audit
  expect_identical(au$n[au$step == "codes dropped: unknown code"], 3)  # QQ counted on both rows
  expect_identical(au$detail[au$step == "codes dropped: unknown code"], "ZZ, QQ; rows 5, 6, 8")
})
