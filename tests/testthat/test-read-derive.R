test_that("re-referral: within 12 months of the previous referral, boundary included", {
  d <- as.Date(c("2023-01-10", "2024-01-10", "2025-01-11",   # a: 12 months exactly; 12 months + 1 day
                 "2024-02-29", "2025-02-28", "2026-03-01",   # b: leap day -> 28 Feb next year
                 "2024-05-01", "2024-05-01",                 # c: same day twice = one referral
                 "2024-01-01", "2024-06-01",                 # a again in another council
                 NA))
  child <- c("a", "a", "a", "b", "b", "b", "c", "c", "a", "a", "d")
  la <- c(rep("X", 8), "Y", "Y", "X")
  got <- cin_rereferral(child, d, la = la)
  expect_identical(got, c(0L, 1L, 0L, 0L, 1L, 0L, 0L, 0L, 0L, 1L, NA))
  # order of the rows does not matter
  o <- c(3, 1, 10, 2, 11, 5, 4, 7, 9, 8, 6)
  expect_identical(cin_rereferral(child[o], d[o], la = la[o]), got[o])
  # the rule on its own: gap within 1..365 days (366 across a 29 February)
  expect_identical(cin_rereferral(c("e", "e"), as.Date(c("2023-03-01", "2024-03-01"))), c(0L, 1L))
  expect_identical(cin_rereferral(c("e", "e"), as.Date(c("2023-03-01", "2024-03-02"))), c(0L, 0L))
  expect_identical(cin_rereferral(c("e", "e", "e"), as.Date(c("2023-01-01", "2023-01-01", "2023-06-01"))),
                   c(0L, 0L, 1L))
  expect_error(cin_rereferral("a", "2024-01-01"), class = "cscdemand_error_input")
})

test_that("re-referrals match a slow pairwise computation on simulated data", {
  set.seed(4)
  n <- 400
  child <- sample(sprintf("c%02d", 1:60), n, replace = TRUE)
  d <- as.Date("2022-01-01") + sample(0:1200, n, replace = TRUE)
  got <- cin_rereferral(child, d)
  slow <- vapply(seq_len(n), function(i) {
    prev <- d[child == child[i] & d < d[i]]
    if (!length(prev)) return(0L)
    p <- max(prev)
    lim <- seq(p, by = "1 year", length.out = 2)[2]
    if (format(p, "%m-%d") == "02-29") lim <- as.Date(paste0(as.integer(format(p, "%Y")) + 1, "-02-28"))
    as.integer(d[i] <= lim)
  }, integer(1))
  expect_identical(got, slow)
})

test_that("age at referral in whole years", {
  b <- as.Date(c("2015-06-01", "2015-06-01", "2016-02-29", "2016-02-29", NA))
  at <- as.Date(c("2023-05-31", "2023-06-01", "2017-02-28", "2017-03-01", "2020-01-01"))
  expect_identical(cin_age_years(b, at), c(7L, 8L, 0L, 1L, NA))
})

derive_fixture <- function() {
  ep <- data.frame(
    la = "314", child_key = c("a", "b", "c", "d", "e", "f"),
    referral_date = as.Date(c("2023-05-01", "2023-06-01", "2023-07-01", "2023-08-01",
                              "2023-09-01", "2023-10-01")),
    birth_date = as.Date(c("2010-05-01", "2010-05-02", NA, "2020-01-01", "2022-12-31", "2001-01-01")),
    gender_raw = c("1", "2", "0", "9", NA, "1"), sex_raw = c(NA, NA, NA, NA, "f", "U"),
    ethnicity_raw = c("WBRI", "mwbc", "CHNE", "REFU", "NOBT", "ZZZZ"),
    disability_raw = c(0L, 1L, NA, 0L, 0L, 1L),
    source_raw = c("6", "2A", "05A", "10", "99", NA),
    need_raw = c("N1", "n2", "N9", "N0", "X", NA),
    closure_raw = c("RC8", "RC9", "rc1", NA, "RC7", "RC8"),
    nfa_raw = c("false", "TRUE", "0", "1", "junk", NA),
    icpc_date = as.Date(c(NA, NA, NA, NA, "2023-09-20", NA)),
    stringsAsFactors = FALSE)
  s47 <- data.frame(episode = c(3L, 4L, 4L), start = as.Date(c("2023-07-02", "2023-08-02", NA)),
                    icpc_date = as.Date(c(NA, "2023-08-15", NA)))
  cpp <- data.frame(episode = c(4L, 4L, 5L),
                    start = as.Date(c("2023-10-01", "2023-08-15", "2023-09-20")),
                    initial_cat = c("PHY", "", "mul"), latest_cat = c("PHY", "EMO", "MUL"),
                    stringsAsFactors = FALSE)
  cinp <- data.frame(episode = c(1L, 2L), start = as.Date(c(NA, "2023-06-20")))
  cin_derive_episodes(ep, s47, cpp, cinp)
}

test_that("derived fields agree with a hand computation", {
  ep <- derive_fixture()
  expect_identical(ep$age, c(13L, 13L, NA, 3L, 0L, 22L))
  expect_identical(ep$gender, c("Male", "Female", "Unknown", "Unknown", "Female", "Unknown"))
  expect_identical(ep$ethnicity, c("WBRI", "MWBC", "CHNE", "REFU", "NOBT", NA))
  expect_identical(as.character(ep$ethnic_group), c("White", "Mixed", "Other", "Not known", "Not known", NA))
  expect_identical(levels(ep$ethnic_group), cin_ethnic_groups())
  expect_identical(ep$disability, c(0L, 1L, NA, 0L, 0L, 1L))
  expect_identical(ep$referral_source, c("Police", "Schools", "LA services: social care", "Unknown", NA, NA))
  expect_identical(ep$primary_need, c("Abuse or neglect", "Child's disability or illness",
                                      "Cases other than children in need", "Not stated", NA, NA))
  expect_identical(ep$closure_reason[1:3], c("Case closed after assessment, no further action",
                                             "Case closed after assessment, referred to early help",
                                             "Adopted"))
  expect_identical(ep$nfa, c(1L, 1L, 0L, 1L, 0L, 1L))
  expect_identical(ep$not_in_need, c(1L, 1L, 0L, 0L, 0L, 1L))
  expect_identical(ep$step_down, c(0L, 1L, 0L, 0L, 0L, 0L))
  expect_identical(ep$cin_plan, c(0L, 1L, 0L, 0L, 0L, 0L))
  expect_identical(ep$s47, c(0L, 0L, 1L, 1L, 0L, 0L))
  expect_identical(ep$icpc, c(0L, 0L, 0L, 1L, 1L, 0L))
  expect_identical(ep$cp_plan, c(0L, 0L, 0L, 1L, 1L, 0L))
  expect_identical(as.character(ep$threshold),
                   c("Assessed not in need", "CIN plan", "Section 47", "CP plan", "CP plan",
                     "Assessed not in need"))
  expect_true(ep$threshold[4] > ep$threshold[3])
  # the first plan of episode 4 has no initial category: its latest is used
  expect_identical(as.character(ep$cp_category), c(NA, NA, NA, "Emotional abuse", "Multiple", NA))
  u <- attr(ep, "unknown")
  expect_identical(u$ethnicity, 6L)
  expect_identical(u$referral_source, 5L)
  expect_identical(u$primary_need, 5L)
  expect_identical(u$nfa, 5L)
})

test_that("code lists have the DfE codes", {
  rs <- cin_code_labels("referral_source")
  expect_true(all(c("1A", "2A", "3E", "4", "5D", "6", "10") %in% rs$code))
  expect_identical(cin_code_labels("closure_reason")$code, paste0("RC", 1:9))
  expect_identical(cin_code_labels("primary_need")$code, paste0("N", 0:9))
  eth <- cin_code_labels("ethnicity")
  expect_setequal(unique(eth$group), cin_ethnic_groups())
  expect_identical(eth$group[eth$code %in% c("REFU", "NOBT")], c("Not known", "Not known"))
  expect_identical(cin_thresholds()[c(1, 2, 6)],
                   c("Assessed not in need", "In need, no plan", "CP plan"))
})

test_that("an assessed episode with no outcome flag was found in need with no plan", {
  th <- cin_threshold_from_flags(not_in_need = c(1, 0, 0, 0, 0, 1),
                                 cin_plan = c(0, 0, 1, 1, 0, 0), s47 = c(0, 0, 0, 1, 1, 0),
                                 icpc = c(0, 0, 0, 0, 1, 0), cp_plan = c(0, 0, 0, 0, 1, 0))
  expect_identical(as.character(th), c("Assessed not in need", "In need, no plan", "CIN plan",
                                       "Section 47", "CP plan", "Assessed not in need"))
  # the same rule as the report's episode_threshold() on flags
  ep <- data.frame(not_in_need = c(1, 0, 0, 0, 0), cin_plan = c(0, 0, 1, 1, 0),
                   s47 = c(0, 0, 0, 1, 1), icpc = c(0, 0, 0, 0, 1), cp_plan = c(0, 0, 0, 0, 1))
  expect_identical(as.character(episode_threshold(ep)),
                   as.character(do.call(cin_threshold_from_flags, ep)))
})

test_that("cin_rereferral() errors say what was supplied and the fix (review)", {
  err <- expect_error(cin_rereferral(c("id9", "id9"), c("2024-01-01", "2024-02-01")),
                      class = "cscdemand_error_input")
  expect_match(conditionMessage(err), "You supplied a character vector", fixed = TRUE)
  expect_match(conditionMessage(err), "as.Date", fixed = TRUE)
  err <- expect_error(cin_rereferral(c("id9", "id9"), as.Date("2024-01-01"), la = c("X", "X", "X")),
                      class = "cscdemand_error_input")
  msg <- conditionMessage(err)
  expect_match(msg, "2 values of `child`, 1 of `referral_date` and 3 of `la`", fixed = TRUE)
  expect_match(msg, "one value per referral", fixed = TRUE)
  # identifiers never appear in a message
  expect_false(grepl("id9", msg, fixed = TRUE))
})

test_that("working days: closed forms and a day-by-day count", {
  d <- as.Date
  expect_identical(cin_add_working_days(d("2024-01-01"), 15), d("2024-01-22"))  # Monday
  expect_identical(cin_add_working_days(d("2024-01-06"), 15), d("2024-01-26"))  # Saturday
  expect_identical(cin_add_working_days(d("2024-01-05"), 1), d("2024-01-08"))   # Friday
  expect_identical(cin_working_days(d("2024-01-05"), d("2024-01-08")), 1L)
  expect_identical(cin_working_days(d("2024-01-06"), d("2024-01-07")), 0L)
  # across the origin; 1 January 1970 was a bank holiday
  expect_identical(cin_working_days(d("1969-12-29"), d("1970-01-12")), 9L)
  withr::local_seed(1)
  from <- d("2015-01-01") + sample.int(4000, 200)
  gap <- sample.int(60, 200, replace = TRUE) - 1L
  hol <- cin_bank_holidays(2014:2027)
  slow <- vapply(seq_along(from), function(i) {
    days <- seq(from[i], by = 1, length.out = gap[i] + 1L)[-1L]
    sum(!format(days, "%u") %in% c("6", "7") & !days %in% hol)
  }, integer(1))
  expect_identical(cin_working_days(from, from + gap), slow)
  k <- sample.int(30, 200, replace = TRUE)
  to <- cin_add_working_days(from, k)
  expect_identical(cin_working_days(from, to), k)
  expect_true(all(!format(to, "%u") %in% c("6", "7")))
  expect_false(any(to %in% hol))
})

test_that("bank holidays are England's, as published (2019-2026), and working days skip them", {
  d <- as.Date
  published <- d(c(
    "2019-01-01", "2019-04-19", "2019-04-22", "2019-05-06", "2019-05-27", "2019-08-26", "2019-12-25", "2019-12-26",
    "2020-01-01", "2020-04-10", "2020-04-13", "2020-05-08", "2020-05-25", "2020-08-31", "2020-12-25", "2020-12-28",
    "2021-01-01", "2021-04-02", "2021-04-05", "2021-05-03", "2021-05-31", "2021-08-30", "2021-12-27", "2021-12-28",
    "2022-01-03", "2022-04-15", "2022-04-18", "2022-05-02", "2022-06-02", "2022-06-03", "2022-08-29", "2022-09-19",
    "2022-12-26", "2022-12-27",
    "2023-01-02", "2023-04-07", "2023-04-10", "2023-05-01", "2023-05-08", "2023-05-29", "2023-08-28", "2023-12-25",
    "2023-12-26",
    "2024-01-01", "2024-03-29", "2024-04-01", "2024-05-06", "2024-05-27", "2024-08-26", "2024-12-25", "2024-12-26",
    "2025-01-01", "2025-04-18", "2025-04-21", "2025-05-05", "2025-05-26", "2025-08-25", "2025-12-25", "2025-12-26",
    "2026-01-01", "2026-04-03", "2026-04-06", "2026-05-04", "2026-05-25", "2026-08-31", "2026-12-25", "2026-12-28"))
  expect_identical(cin_bank_holidays(2019:2026), published)
  # Easter across the calendar's range, against known dates
  expect_identical(cin_easter_sunday(c(1990L, 2000L, 2008L, 2011L, 2038L)),
                   d(c("1990-04-15", "2000-04-23", "2008-03-23", "2011-04-24", "2038-04-25")))
  # 15 working days from a section 47 started before Easter 2024 (29 March, 1 April)
  expect_identical(cin_add_working_days(d("2024-03-25"), 15), d("2024-04-17"))
  expect_identical(cin_working_days(d("2024-03-25"), d("2024-04-17")), 15L)
  # Christmas: 20 December 2023 + 5 working days skips 25 and 26 December
  expect_identical(cin_add_working_days(d("2023-12-20"), 5), d("2023-12-29"))
  expect_identical(cin_working_days(d("2023-12-29"), d("2023-12-20")), -5L)
  expect_identical(cin_working_days(d(NA), d("2023-12-20")), NA_integer_)
})
