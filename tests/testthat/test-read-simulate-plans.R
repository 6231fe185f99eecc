# The plan, conference and pre-proceedings fields of the return: simulated
# with known truth, written, read back exactly, and derived as DfE counts them.

episodes_all <- function(a) {
  episode_factors(a, exclude = NULL, min_count = 0, no_factors = "keep", other_only = "keep")
}

# each derived field of the episodes read equals the simulator's truth
expect_plan_truth <- function(ep, d, cols = cin_plan_columns()) {
  tr <- d[!duplicated(d$episode_id), ]
  m <- match(paste(ep$child_id, ep$referral_date), paste(tr$child_id, tr$referral_date))
  expect_false(anyNA(m))
  for (cl in cols) {
    expect_true(cl %in% names(ep), label = cl)
    expect_identical(ep[[cl]], tr[[cl]][m], label = cl)
  }
}

test_that("plan lengths, repeat plans, reviews and ICPC timeliness round-trip exactly", {
  d <- simulate_cin(las = c("E09000021", "E08000024"), years = 2023:2024, n_episodes = 1500,
                    seed = 11)
  pp_cols <- c("pre_proceedings", grep("^(pp_|fgdm_|court_)", cin_plan_columns(), value = TRUE))
  plan_cols <- setdiff(cin_plan_columns(), pp_cols)
  expect_false(any(c("pre_proceedings", "pp_start") %in% names(d)))  # before 2026-27
  paths <- write_cin_census_xml(d, withr::local_tempdir())
  ep <- episodes_all(read_cin_assessments(paths))
  expect_plan_truth(ep, d, plan_cols)
  expect_false("pre_proceedings" %in% names(ep))  # not collected: no column
  # the latest return's copy of a plan is used, whatever the order of the files
  ep_rev <- episodes_all(read_cin_assessments(rev(paths)))
  expect_plan_truth(ep_rev, d, plan_cols)
  # one file per council holding every year
  paths2 <- write_cin_census_xml(d, withr::local_tempdir(), by = "council")
  expect_plan_truth(episodes_all(read_cin_assessments(paths2)), d, plan_cols)
  # the same fields from the data frame (the example data's route)
  expect_plan_truth(episodes_all(read_cin_assessments(d)), d, plan_cols)
  # the simulation has what the tests need: ended and open plans, repeats, late ICPCs
  tr <- d[!duplicated(d$episode_id), ]
  expect_gt(sum(!is.na(tr$cp_plan_days)), 50)
  expect_gt(sum(tr$cp_plan == 1 & is.na(tr$cp_plan_days)), 0)
  expect_gt(sum(tr$repeat_cp_plan == 1, na.rm = TRUE), 10)
  expect_gt(sum(tr$icpc_timely == 0, na.rm = TRUE), 10)
  expect_true(all(tr$cp_plan_days >= 0 & tr$cin_plan_days >= 0, na.rm = TRUE))
})

test_that("the pre-proceedings and FGDM module (2026-27) round-trips exactly", {
  withr::local_options(cscdemand.today = as.Date("2028-12-31"))  # the year is not over yet
  d <- simulate_cin(years = 2026:2027, n_episodes = 2500, seed = 12)
  paths <- write_cin_census_xml(d, withr::local_tempdir())
  xml <- readLines(paths[2])
  expect_true(any(grepl("<PreProceedingsandFGDM><PPStartDate>", xml, fixed = TRUE)))
  expect_false(any(grepl("PreProceedingsandFGDM", readLines(paths[1]), fixed = TRUE)))
  ep <- episodes_all(read_cin_assessments(paths))
  expect_plan_truth(ep, d)
  tr <- d[!duplicated(d$episode_id), ]
  # collected only for episodes in the 2026-27 return
  expect_identical(is.na(tr$pre_proceedings),
                   tr$year < 2027 & !is.na(tr$closure_date) & tr$closure_date < as.Date("2026-04-01"))
  expect_gt(sum(tr$pre_proceedings == 1, na.rm = TRUE), 20)
  expect_gt(sum(tr$fgdm_held == 1, na.rm = TRUE), 5)
  expect_true(all(tr$pp_start <= as.Date("2027-03-31"), na.rm = TRUE))
})

test_that("the simulated rate of repeat plans (DfE table D3) is recovered", {
  d <- simulate_cin(years = 2024, n_episodes = 6000, seed = 13, layout = "codes")
  p <- cin_sim_repeat_rate("E09000021", 2024)
  cp <- context_published
  expect_equal(p, cp$percent[cp$source == "D3" & cp$measure == "cpp_subsequent" &
                               cp$code == "E09000021" & cp$year == 2024] / 100)
  ep <- episodes_all(read_cin_assessments(d))
  has <- ep$cp_plan == 1
  # a child's first plan in the data is a repeat with the D3 rate
  start <- d$cpp_start[match(ep$episode_id, d$episode_id)]
  o <- which(has)[order(ep$child_id[has], start[has])]
  first_plan <- rep(FALSE, nrow(ep))
  first_plan[o[!duplicated(ep$child_id[o])]] <- TRUE
  n <- sum(first_plan)
  x <- sum(ep$repeat_cp_plan[first_plan])
  expect_gt(n, 300)
  expect_lt(abs(x / n - p), 4 * sqrt(p * (1 - p) / n))
  # a later plan of the same child is always a repeat
  later <- has & !first_plan
  expect_true(all(ep$repeat_cp_plan[later] == 1))
})

test_that("hand-written returns: plan lengths, repeats, reviews, timeliness and bad values", {
  cpp <- function(start, end = "", prev = "0", reviews = character()) {
    paste0("<ChildProtectionPlans><CPPstartDate>", start, "</CPPstartDate>",
           if (nzchar(end)) paste0("<CPPendDate>", end, "</CPPendDate>"),
           "<InitialCategoryOfAbuse>NEG</InitialCategoryOfAbuse><NumberOfPreviousCPP>", prev,
           "</NumberOfPreviousCPP>",
           if (length(reviews)) paste0("<Reviews>", paste0("<CPPreviewDate>", reviews, "</CPPreviewDate>", collapse = ""), "</Reviews>"),
           "</ChildProtectionPlans>")
  }
  s47 <- function(start, icpc, target = NULL, not_req = "false") {
    paste0("<Section47><S47ActualStartDate>", start, "</S47ActualStartDate>",
           if (!is.null(target)) paste0("<InitialCPCtarget>", target, "</InitialCPCtarget>"),
           if (nzchar(icpc)) paste0("<DateOfInitialCPC>", icpc, "</DateOfInitialCPC>"),
           "<ICPCnotRequired>", not_req, "</ICPCnotRequired></Section47>")
  }
  cinp <- "<CINPlanDates><CINPlanStartDate>2023-06-01</CINPlanStartDate><CINPlanEndDate>2023-06-30</CINPlanEndDate></CINPlanDates>"
  a1 <- cin_test_ep("2023-04-20", extra = paste0(s47("2023-05-01", "2023-05-22"),  # 14 working days (8 May a bank holiday)
                                                 cpp("2023-05-22", "2023-11-22", "0", c("2023-08-22", "2023-11-01"))))
  a2 <- cin_test_ep("2023-12-01", auth = "2023-12-20",
                    extra = paste0(s47("2024-01-02", "2024-01-24"),  # 16 working days, no target: late
                                   cpp("2024-01-24", "", "0")))
  b1 <- cin_test_ep("2023-05-10", extra = paste0(cinp, s47("2023-05-12", "2023-06-05", target = "2023-06-05"),
                                                 cpp("2023-06-05", "2023-06-01", "2")))
  c1 <- cin_test_ep("2023-07-03", auth = "2023-07-20", extra = s47("2023-07-04", "", not_req = "true"))
  txt <- cin_test_xml(c(cin_test_child("A", paste0(a1, a2)), cin_test_child("B", b1),
                        cin_test_child("C", c1)))
  a <- read_cin_assessments(write_xml_file(txt))
  ep <- episodes_all(a)
  ep <- ep[order(ep$child_id, ep$referral_date), ]
  expect_identical(ep$cp_plan_days, c(184L, NA, NA, NA))  # B's end is before its start
  expect_identical(ep$cin_plan_days, c(NA, NA, 29L, NA))
  expect_identical(ep$previous_cp_plans, c(0L, 0L, 2L, NA))
  # A's second plan follows a plan in the data; B's return counts two before
  expect_identical(ep$repeat_cp_plan, c(0L, 1L, 1L, NA))
  expect_identical(ep$cp_plan_reviews, c(2L, 0L, 0L, NA))
  # A: the coronation holiday (8 May 2023) is not a working day; B: 15
  # working days, the spring bank holiday (29 May 2023) not counted, on the
  # return's own target date
  expect_identical(ep$icpc_working_days, c(14L, 16L, 15L, NA))
  expect_identical(ep$icpc_timely, c(1L, 0L, 1L, NA))
  expect_identical(ep$icpc_not_required, c(0L, 0L, 0L, 1L))
  expect_identical(ep$assessment_reviewed, c(0L, 0L, 0L, 0L))
  au <- audit(a)
  line <- au$step == "dates implausible: CPPendDate before its start"
  expect_equal(au$n[line], 1)
  expect_match(au$detail[line], "file 1 child 2 episode 1")
  expect_false(any(grepl("SECRET|\\bB\\b", au$detail)))
})

test_that("hand-written 2026-27 return: the pre-proceedings module", {
  withr::local_options(cscdemand.today = as.Date("2028-12-31"))
  pp <- function(offer, fac, outcome, court = "", reviews = "2") {
    paste0("<PreProceedingsandFGDM><PPStartDate>2026-09-09</PPStartDate><LBPSentDate>2026-09-20</LBPSentDate>",
           "<FGDMMeetingOffer>", offer, "</FGDMMeetingOffer><FGDMMeetingFac>", fac, "</FGDMMeetingFac>",
           "<ReviewMeetingsCount>", reviews, "</ReviewMeetingsCount>",
           "<StepDecisionDate>2026-12-01</StepDecisionDate><PPOutcome>", outcome, "</PPOutcome>",
           if (nzchar(court)) paste0("<CourtAppDate>", court, "</CourtAppDate>"), "</PreProceedingsandFGDM>")
  }
  e1 <- cin_test_ep("2026-06-01", auth = "2026-06-20", extra = pp("1", "1", "A", "2026-12-18"))
  e2 <- cin_test_ep("2026-06-02", auth = "2026-06-20", extra = pp("true", "maybe", "D", reviews = "two"))
  e3 <- cin_test_ep("2026-06-03", auth = "2026-06-20")
  txt <- cin_test_xml(c(cin_test_child("A", e1), cin_test_child("B", e2), cin_test_child("C", e3)),
                      year = 2027)
  a <- read_cin_assessments(write_xml_file(txt), on_unknown = "drop")
  ep <- episodes_all(a)
  ep <- ep[order(ep$child_id), ]
  expect_identical(ep$pre_proceedings, c(1L, 1L, 0L))
  expect_identical(ep$pp_letter, c(1L, 1L, NA))
  expect_identical(ep$fgdm_offered, c(1L, 1L, NA))
  expect_identical(ep$fgdm_held, c(1L, NA, NA))  # "maybe" is not a boolean
  expect_identical(ep$court_application, c(1L, 0L, NA))
  expect_identical(ep$pp_outcome, c("A", NA, NA))  # D is not an outcome code
  expect_identical(ep$pp_days, c(83L, 83L, NA))  # 9 September to 1 December
  expect_identical(ep$pp_review_meetings, c(2L, NA, NA))
  au <- audit(a)
  for (f in c("pp_outcome", "fgdm_held", "pp_review_meetings")) {
    expect_equal(au$n[au$step == paste0("values not in the code list: ", f)], 1, label = f)
  }
  expect_match(au$detail[au$step == "values not in the code list: fgdm_held"], "file 1 child 2 episode 1")
  # a 2025-26 return does not collect the module: no column at all
  txt0 <- cin_test_xml(cin_test_child("A", cin_test_ep("2025-06-01", auth = "2025-06-20")), year = 2026)
  expect_false("pre_proceedings" %in% names(episodes_all(read_cin_assessments(write_xml_file(txt0)))))
})

test_that("plan fields in a table are checked by column and row", {
  d <- simulate_cin(years = 2024, n_episodes = 60, seed = 14, layout = "codes")
  d$previous_cp_plans <- as.character(d$previous_cp_plans)
  d$previous_cp_plans[3] <- "two"
  err <- expect_error(read_cin_assessments(d), class = "cscdemand_error_number")
  expect_match(conditionMessage(err), "previous_cp_plans")
  expect_match(conditionMessage(err), "Row 3")
  d <- simulate_cin(years = 2024, n_episodes = 60, seed = 14, layout = "codes")
  d$icpc_timely[5] <- "maybe"
  expect_error(read_cin_assessments(d), class = "cscdemand_error_flag")
})
