# The sector's table layouts (R/read-sector-layouts.R).

test_that("the sector's CSV tables go through the reader's structure check", {
  dir <- withr::local_tempdir()
  p <- file.path(dir, "AssessmentFactorsList.csv")
  writeLines(c("LAchildID,CINreferralDate,AssessmentFactors",
               "C1,2023-05-02,\"1B,3B\"",
               "C2,2023-05-03,2B,4A"), p)  # line 3: an unquoted comma adds a field
  e <- tryCatch(cin_read_csv_chr(p), error = function(e) e)
  expect_s3_class(e, "cscdemand_error_csv")
  expect_match(conditionMessage(e), "Line 3 of .*AssessmentFactorsList.csv.* has 4 fields")
  expect_false(grepl("C2", conditionMessage(e), fixed = TRUE))  # no identifier
  writeLines(c("\ufeffLAchildID,CINreferralDate,AssessmentFactors",
               "C1,2023-05-02,\"1B,3B\"", "C2,,NA", "C3,2023-05-04,\"\""), p, useBytes = TRUE)
  d <- cin_read_csv_chr(p)
  expect_identical(names(d), c("LAchildID", "CINreferralDate", "AssessmentFactors"))
  expect_identical(d$AssessmentFactors, c("1B,3B", NA, NA))
  expect_identical(d$CINreferralDate, c("2023-05-02", NA, "2023-05-04"))
  expect_true(is.character(d$LAchildID))
})

test_that("cin_sector_layout() recognises each of the sector's layouts from its columns", {
  liia <- data.frame(LAchildID = "C1", Date = "2023-05-01", Type = c("CINreferralDate", "CPPstartDate"),
                     Factors = NA)
  expect_identical(cin_sector_layout(liia), "liia")
  # names as a tool may write them: any case or spacing
  expect_identical(cin_sector_layout(stats::setNames(liia, c("la child id", "DATE", " type ", "factors"))),
                   "liia")
  # the log's columns with no event type of the log is not the log
  expect_identical(cin_sector_layout(transform(liia, Type = "referral")), "")
  d2i <- data.frame(LAchildID = "C1", CINdetailsID = 1, CINreferralDate = "2023-05-01")
  expect_identical(cin_sector_layout(d2i), "d2i")
  expect_identical(cin_sector_layout(stats::setNames(d2i, c("LA_child_ID", "cin_details_id", "x"))),
                   "d2i")
  # a LIIA log with CINdetailsID but no event types is read as the validator's table
  expect_identical(cin_sector_layout(cbind(transform(liia, Type = "x"), CINdetailsID = 1)), "d2i")
  ssd <- data.frame(cina_assessment_id = 1, cina_referral_id = 2, cina_assessment_start_date = "2023-05-01")
  expect_identical(cin_sector_layout(ssd), "ssd")
  expect_identical(cin_sector_layout(data.frame(CINF_factor_code = "1B")), "ssd")
  # a council's extract (the general reader's layouts) is none of them
  extract <- utils::read.csv(test_path("fixtures", "cin", "long_basic.csv"), colClasses = "character")
  expect_identical(cin_sector_layout(extract), "")
  expect_identical(cin_sector_layout(data.frame(child_id = "C1", Type = "CPPstartDate", Date = "x")), "")
  expect_identical(cin_sector_layout(data.frame()), "")
})
