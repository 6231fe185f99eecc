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

test_that("a table of the sector's exports is read as text: names standardised, pandas' index dropped", {
  d <- data.frame(X = 0:2, `la child id` = c("C1", "C2", "C3"), `CIN Referral Date` = as.Date("2023-05-01") + 0:2,
                  n = c(1.5, NA, 3), note = c("a", " ", ""), check.names = FALSE)
  f <- cin_sector_frame(d, "tables", std = c("LAchildID", "CINreferralDate"), alias = c(note = "Notes"))  # a name written "note" is read as "Notes"
  expect_identical(names(f), c("LAchildID", "CINreferralDate", "n", "Notes"))
  expect_identical(f$CINreferralDate, c("2023-05-01", "2023-05-02", "2023-05-03"))
  expect_identical(f$n, c("1.5", NA, "3"))
  expect_identical(f$Notes, c("a", NA, NA))
  # the index counted from 1 is dropped too; a first column that is data is kept
  expect_identical(names(cin_drop_index(data.frame(index = 1:2, a = 1))), "a")
  expect_identical(names(cin_drop_index(data.frame(X = c(0, 2), a = 1))), c("X", "a"))
  expect_identical(names(cin_drop_index(data.frame(id = 0:1, a = 1))), c("id", "a"))
  expect_identical(names(cin_drop_index(data.frame(X = integer(), a = integer()))), "a")
  expect_identical(cin_std_names(c("LACHILDID", "Cin Referral Date", "other"), c("LAchildID", "CINreferralDate")),
                   c("LAchildID", "CINreferralDate", "other"))
})

test_that("codes listed in one cell are split in each of the tools' forms", {
  x <- c('["1A","2B"]', "1A,2B", "[1A, 2B]", "['1A', '2B']", "['1A' '2B']", "3C", "[]", NA, "null", "['1A']")
  expect_identical(cin_json_codes(x),
                   c(rep(list(c("1A", "2B")), 5), list("3C", character(), character(), character(), "1A")))
})
