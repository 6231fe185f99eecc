# The last stages of the reader (R/read-assemble.R): the assessment table,
# the characteristics and the finished object. The state is built by the
# earlier stages, as in test-read-stages.R (tab_of() is in helper-cin.R).

stages_to_codes <- function(df, layout = "codes", rows = seq_len(nrow(df))) {
  s <- cin_stage_columns(tab_of(df, rows), layout, NULL, TRUE)
  s <- cin_stage_identifiers(s, "LA", call = NULL)
  s <- cin_stage_dates(s, NULL)
  s <- cin_stage_rows(s, "keep")
  cin_stage_codes(s, "error", TRUE)
}

# Three assessments on four rows: child a's on two rows (codes layout), b's
# with no assessment date, c's with 21 among other codes.
assemble_df <- function() {
  data.frame(child_id = c("a", "a", "b", "c"),
             referral_date = c("2023-03-20", "2023-03-20", "2023-05-01", "2023-06-01"),
             assessment_date = c("2023-04-02", "2023-04-02", NA, "2023-06-10"),
             factor = c("1B", "3B", "16A", "21, 4B"),
             age = c("4", "4", "11", "7"), s47 = c("0", "1", NA, "0"),
             lsoa = c(" e01000001", "e01000001", "", "E01000002"),
             cp_plan_days = c("30", "30", "", "12"), repeat_cp_plan = c("1", "1", NA, "0"))
}

test_that("assessments stage: one row per assessment, its first row, and the census year", {
  s <- cin_stage_assessments(stages_to_codes(assemble_df(), rows = 11:14), call = NULL)
  a <- s$assessments
  expect_identical(a$.assessment, 1:3)
  expect_identical(a$.row, c(11L, 13L, 14L))
  expect_identical(a$child_id, c("a", "b", "c"))
  expect_identical(a$referral_date, as.Date(c("2023-03-20", "2023-05-01", "2023-06-01")))
  # year of the assessment date (a's referral is in 2022-23), else of the referral
  expect_identical(a$year, c(2024L, 2024L, 2024L))
  expect_identical(census_year(a$referral_date), c(2023L, 2024L, 2024L))
  # the codes layout: a's second row is counted as combined
  expect_identical(s$audit$n[s$audit$step == "rows combined: same assessment on several rows"], 1)
  expect_identical(s$audit$detail[s$audit$step == "rows combined: same assessment on several rows"],
                   "rows 12")
  # the long layout has an assessment on several rows: nothing to count
  long <- assemble_df()[c("child_id", "referral_date", "assessment_date", "factor")]
  long$factor[4] <- "4B"
  s <- cin_stage_assessments(stages_to_codes(long, layout = "long"), call = NULL)
  expect_identical(nrow(s$assessments), 3L)
  expect_false(any(grepl("rows combined", s$audit$step)))
  # a year column is read (2023-24 is 2024), and checked
  y <- transform(assemble_df(), year = c("2023-24", "2023-24", "2022/23", "2024"))
  s <- cin_stage_assessments(stages_to_codes(y), call = NULL)
  expect_identical(s$assessments$year, c(2024L, 2023L, 2024L))
  y$year[3] <- "1890"
  e <- expect_error(cin_stage_assessments(stages_to_codes(y, rows = 11:14), call = NULL),
                    class = "cscdemand_error_number")
  expect_match(conditionMessage(e), "year")
  expect_match(conditionMessage(e), "13")
})

test_that("characteristics stage: outcomes from any row, numbers checked, plan fields missing stay missing", {
  s <- stages_to_codes(assemble_df())
  s <- cin_stage_characteristics(cin_stage_assessments(s, call = NULL), call = NULL)
  a <- s$assessments
  expect_identical(a$age, c(4L, 11L, 7L))
  # an outcome is yes when any row of the assessment says yes (a: rows 1 and 2);
  # a missing outcome is no, a missing plan field stays missing
  expect_identical(a$s47, c(1L, 0L, 0L))
  expect_identical(a$lsoa, c("E01000001", NA, "E01000002"))
  expect_identical(a$cp_plan_days, c(30L, NA, 12L))
  expect_identical(a$repeat_cp_plan, c(1L, NA, 0L))
  bad <- transform(assemble_df(), age = c("4", "4", "31", "7"))
  e <- expect_error(cin_stage_characteristics(cin_stage_assessments(stages_to_codes(bad), call = NULL),
                                              call = NULL),
                    class = "cscdemand_error_number")
  expect_match(conditionMessage(e), "age")
  bad <- transform(assemble_df(), s47 = c("0", "maybe", NA, "0"))
  expect_error(cin_stage_characteristics(cin_stage_assessments(stages_to_codes(bad), call = NULL),
                                         call = NULL),
               class = "cscdemand_error_flag")
})

test_that("finish stage: codes ordered within each assessment, rule 8869 and unused columns in the audit", {
  df <- cbind(assemble_df(), notes = "x", ..11 = "y")
  s <- stages_to_codes(df, rows = 11:14)
  expect_identical(s$unused, c("notes", "..11"))
  out <- cin_stage_finish(cin_stage_characteristics(cin_stage_assessments(s, call = NULL), call = NULL))
  expect_s3_class(out, "cin_assessments")
  expect_identical(names(out), c("assessments", "factors", "audit", "recodes", "layout", "source",
                                 "missing"))
  expect_identical(levels(out$factors$code), cin_codes_all())
  # "21, 4B" is given in that order; codes within an assessment follow the code list
  expect_identical(out$factors$assessment, c(1L, 1L, 2L, 3L, 3L))
  expect_identical(as.character(out$factors$code), c("1B", "3B", "16A", "4B", "21"))
  au <- out$audit
  at <- function(step) au[au$step == step, c("n", "detail")]
  expect_identical(at("assessments with 21 combined with other codes (rule 8869)")$n, 1)
  expect_match(at("assessments with 21 combined with other codes (rule 8869)")$detail, "^rows 14;")
  expect_identical(at("columns not used")$detail, "notes, unnamed column 11")
  expect_identical(at("assessments")$n, 3)
  expect_identical(at("episodes")$n, 3)
  expect_identical(at("factor codes kept")$n, 5)
  expect_identical(at("factor codes kept")$detail, "5 distinct codes")
  expect_identical(out$layout, "codes")
  expect_identical(nrow(out$missing), 0L)
  # the finished object reads like the same data through the public reader
  ref <- read_cin_assessments(df[1:9])
  expect_identical(out$factors, ref$factors)
  expect_identical(out$assessments[names(out$assessments) != ".row"],
                   ref$assessments[names(out$assessments) != ".row"])
})
