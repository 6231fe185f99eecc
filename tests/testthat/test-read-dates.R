# The one policy for implausible dates (R/read-dates.R), on every route, and
# the places it names. Returns are written in the layout of the sector's
# sample returns (helper-cin-returns.R).

test_that("the policy argument is checked the same way on every route", {
  expect_identical(cin_date_policy(c("keep", "drop", "stop")), "keep")
  expect_identical(cin_date_policy("stop"), "stop")
  expect_error(cin_date_policy("no"), class = "rlang_error")
  d <- data.frame(child_id = "C1", referral_date = "2023-05-01", factors = "3B")
  expect_error(read_cin_assessments(d, implausible_dates = "no"), "implausible_dates")
  p <- rt_write(rt_return(rt_child("C1")))
  expect_error(read_cin_census_xml(p, implausible_dates = "no"), "implausible_dates")
  for (f in list(read_cin_assessments, read_cin_census_xml)) {
    expect_identical(eval(formals(f)$implausible_dates), cin_date_policies())
  }
})

test_that("a return dated 1970 reads: kept and flagged by place, dropped, or stopped", {
  # the dates of the public sample returns: referral 1970, assessment 1970-71
  ep70 <- rt_episode(ref = "1970-10-06", closure = "1971-02-27", reason = "RC1",
                     icpc = "1970-12-06", cinp = "1971-01-24", s47 = "1970-06-02",
                     s47_icpc = "1970-06-17", cpp = "1970-02-17",
                     assessments = rt_assessment("1970-06-03", "1971-07-18", c("2A", "2B")))
  ep00 <- rt_episode(ref = "2000-05-02", assessments = rt_assessment("2000-05-03", "2000-06-01", "3B"))
  p <- rt_write(rt_return(c(rt_child("SECRET1", ep70, birth = "1965-03-27"),
                            rt_child("SECRET2", ep00, birth = "1995-01-01"))))
  a <- read_cin_census_xml(p)
  expect_equal(nrow(a$assessments), 2L)
  expect_equal(a$assessments$year, c(1971L, 2001L))
  expect_equal(a$assessments$referral_date, as.Date(c("1970-10-06", "2000-05-02")))
  expect_equal(a$assessments$age, c(5L, 5L))
  expect_equal(sort(as.character(a$factors$code)), c("2A", "2B", "3B"))
  au <- audit(a)
  fl <- au[grepl("^dates implausible", au$step), ]
  expect_true("dates implausible: CINreferralDate before 1990" %in% fl$step)
  # every flag is the first child's only episode, never the second child
  expect_true(all(startsWith(fl$detail, "file 1 child 1 episode 1;")))
  expect_no_match(paste(au$detail, collapse = " "), "SECRET|child 2")
  # drop: the 1970 episode goes, the 2000 one stays; counted
  d <- read_cin_census_xml(p, implausible_dates = "drop")
  expect_equal(d$assessments$year, 2001L)
  aud <- audit(d)
  expect_equal(aud$n[aud$step == "episodes dropped: implausible date"], 1)
  expect_equal(aud$n[aud$step == "episodes read (CINdetails)"], aud$n[aud$step == "episodes"] + 1)
  # stop: a classed error naming the place, not a row of an internal table
  e <- expect_error(read_cin_census_xml(p, implausible_dates = "stop"),
                    class = "cscdemand_error_implausible_date")
  expect_match(conditionMessage(e), "file 1 child 1 episode 1")
  expect_no_match(conditionMessage(e), "SECRET")
  # the CSV check of a year column never speaks for a return, on any setting
  for (ou in c("error", "drop")) {
    r <- tryCatch(read_cin_assessments(p, on_unknown = ou), error = identity)
    expect_s3_class(r, "cin_assessments")
  }
  ep <- episode_factors(a, min_count = 0)
  expect_equal(nrow(ep), 2L)
})

# Child 2 of three carries one bad value in the element named; the others
# are good. Each date element, and ReferralNFA, follows the one policy.
bad_value_cases <- function() {
  bad <- "2023-02-30"
  list(
    PersonBirthDate = rt_child("B", birth = bad),
    CINreferralDate = rt_child("B", rt_episode(ref = "1970-10-06")),
    CINclosureDate = rt_child("B", rt_episode(closure = bad, reason = "RC8")),
    DateOfInitialCPC = rt_child("B", rt_episode(icpc = bad)),
    AssessmentActualStartDate = rt_child("B", rt_episode(assessments = rt_assessment(start = bad))),
    AssessmentAuthorisationDate = rt_child("B", rt_episode(assessments = rt_assessment(auth = bad))),
    S47ActualStartDate = rt_child("B", rt_episode(s47 = bad)),
    "Section47/DateOfInitialCPC" = rt_child("B", rt_episode(s47 = "2023-05-11", s47_icpc = bad)),
    CPPstartDate = rt_child("B", rt_episode(cpp = bad)),
    CINPlanStartDate = rt_child("B", rt_episode(cinp = bad)),
    ReferralNFA = rt_child("B", rt_episode(nfa = "maybe")),
    future = rt_child("B", rt_episode(closure = format(Sys.Date() + 400), reason = "RC8")),
    closure_first = rt_child("B", rt_episode(closure = "2023-05-01", reason = "RC8")))
}

test_that("one bad value never blocks the others: every date element, one policy", {
  cases <- bad_value_cases()
  for (el in names(cases)) {
    p <- rt_write(rt_return(c(rt_child("A"), cases[[el]], rt_child("C"))))
    a <- read_cin_census_xml(p)
    expect_equal(nrow(a$assessments), 3L, label = el)
    au <- audit(a)
    fl <- au[grepl("^dates implausible", au$step), ]
    expect_equal(nrow(fl), 1L, label = el)
    elem <- switch(el, future = "CINclosureDate in the future",
                   closure_first = "CINclosureDate before the referral", el)
    expect_match(fl$step, elem, fixed = TRUE, label = el)
    expect_match(fl$detail, "^file 1 child 2 episode 1; the episode is kept", label = el)
    d <- read_cin_census_xml(p, implausible_dates = "drop")
    expect_equal(nrow(d$assessments), 2L, label = el)
    aud <- audit(d)
    expect_equal(aud$n[aud$step == "episodes dropped: implausible date"], 1, label = el)
    expect_equal(aud$detail[aud$step == "episodes dropped: implausible date"],
                 "file 1 child 2 episode 1", label = el)
    e <- tryCatch(read_cin_census_xml(p, implausible_dates = "stop"), error = identity)
    expect_s3_class(e, "cscdemand_error_implausible_date")
    expect_match(conditionMessage(e), "file 1 child 2 episode 1", fixed = TRUE, label = el)
    expect_match(conditionMessage(e), sub(" .*", "", elem), fixed = TRUE, label = el)
  }
})

test_that("a value that is not a date is missing when kept; others are kept as written", {
  cases <- bad_value_cases()
  p <- rt_write(rt_return(c(rt_child("A"), cases$AssessmentAuthorisationDate)))
  a <- read_cin_census_xml(p)
  expect_equal(a$assessments$assessment_date, as.Date(c("2023-06-20", NA)))
  early <- rt_child("B", rt_episode(assessments = rt_assessment(auth = "2023-04-01")))
  a <- read_cin_census_xml(rt_write(rt_return(c(rt_child("A"), early))))
  expect_equal(a$assessments$assessment_date, as.Date(c("2023-06-20", "2023-04-01")))
  # a ReferralNFA that is neither true nor false: missing, counted once
  a <- read_cin_census_xml(rt_write(rt_return(c(rt_child("A"), cases$ReferralNFA))))
  au <- audit(a)
  expect_false(any(grepl("values not in the code list: nfa", au$step)))
  expect_equal(au$n[au$step == "dates implausible: ReferralNFA not true or false"], 1)
})

test_that("several returns: places name the file, and each place once", {
  p1 <- rt_write(rt_return(c(rt_child("A"), rt_child("B")), year = 2023), "a.xml")
  bad <- rt_child("D", c(rt_episode(ref = "2023-06-01"),
                         rt_episode(ref = "2023-08-01",
                                    assessments = rt_assessment("2023-02-30", "2023-02-31"))))
  p2 <- rt_write(rt_return(c(rt_child("C"), bad), year = 2024), "b.xml")
  a <- read_cin_census_xml(c(p1, p2))
  au <- audit(a)
  fl <- au[grepl("^dates implausible", au$step), ]
  expect_equal(fl$n, c(1, 1))
  expect_true(all(startsWith(fl$detail, "file 2 child 2 episode 2;")))
  e <- expect_error(read_cin_census_xml(c(p1, p2), implausible_dates = "stop"),
                    class = "cscdemand_error_implausible_date")
  expect_match(conditionMessage(e), "At file 2 child 2 episode 2.", fixed = TRUE)
})

test_that("the CSV route takes the same policy: stop names the lines", {
  p <- withr::local_tempfile(fileext = ".csv")
  writeLines(c("child_id,referral_date,assessment_date,factors",
               "C1,2023-05-01,2023-05-20,3B", "C2,1970-05-01,1970-05-20,3B",
               "C3,2023-05-01,2023-05-20,3B", "C4,2023-06-01,2023-05-20,4B"), p)
  a <- read_cin_assessments(p)
  expect_equal(nrow(a$assessments), 4L)
  expect_equal(nrow(read_cin_assessments(p, implausible_dates = "drop")$assessments), 2L)
  e <- expect_error(read_cin_assessments(p, implausible_dates = "stop"),
                    class = "cscdemand_error_implausible_date")
  expect_s3_class(e, "cscdemand_error_date")
  expect_match(conditionMessage(e), "Line 3", fixed = TRUE)
  expect_no_match(conditionMessage(e), "C2")
  d <- utils::read.csv(p, colClasses = "character")
  e <- expect_error(read_cin_assessments(d, implausible_dates = "stop"),
                    class = "cscdemand_error_implausible_date")
  expect_match(conditionMessage(e), "Row 2", fixed = TRUE)
})

test_that("a return with no factor codes reads; one with no assessment names the file", {
  # only an unauthorised assessment with no factors, and one with an empty
  # FactorsIdentifiedAtAssessment (as Data to Insight's sample return)
  p <- rt_write(rt_return(c(
    rt_child("A", rt_episode(assessments = rt_assessment(auth = NA, factors = NULL))),
    rt_child("B", rt_episode(assessments = rt_assessment(factors = character()))),
    rt_child("C", rt_episode(assessments = character())))))
  a <- read_cin_census_xml(p)
  expect_equal(nrow(a$assessments), 2L)
  expect_equal(nrow(a$factors), 0L)
  au <- audit(a)
  expect_equal(au$n[au$step == "factor codes read"], 0)
  expect_equal(au$n[au$step == "episodes with no assessment: not read as assessments"], 1)
  expect_equal(episode_factors(a, no_factors = "keep", min_count = 0)$n_factors, c(0L, 0L))
  # every code unknown and dropped: the same
  p2 <- rt_write(rt_return(rt_child("A", rt_episode(assessments = rt_assessment(factors = c("ZZ", "QQ"))))))
  a2 <- read_cin_census_xml(p2, on_unknown = "drop")
  expect_equal(nrow(a2$factors), 0L)
  expect_equal(audit(a2)$n[audit(a2)$step == "factor codes dropped: not a CIN factor code"], 2)
  # nothing at all to analyse: a classed error naming the file
  p3 <- rt_write(rt_return(rt_child("A", rt_episode(assessments = character()))), "empty.xml")
  e <- expect_error(read_cin_census_xml(p3), class = "cscdemand_error_empty")
  expect_match(conditionMessage(e), "empty.xml", fixed = TRUE)
  # every episode dropped by a policy: said so
  p4 <- rt_write(rt_return(rt_child("A", rt_episode(ref = "1970-01-05"))), "old.xml")
  e <- expect_error(read_cin_census_xml(p4, implausible_dates = "drop"), class = "cscdemand_error_empty")
  expect_match(conditionMessage(e), "old.xml.*Every episode was dropped: implausible date")
  # the cell splitter takes zero-length and all-missing input
  expect_identical(cin_split_cells(character()), list())
  expect_identical(cin_split_cells(NA), list(character()))
  expect_identical(cin_tokenise(character())$codes, list())
})

# A LIIA CIN log (one row per event, as liia-tools writes it) of two
# children: one referred in 1970 (as the public samples are), one in 2000.
liia_two_children <- function() {
  ev <- function(id, ref, type, date, factors = NA) {
    data.frame(LAchildID = id, Date = date, Type = type, CINreferralDate = ref,
               ReferralSource = "1A", PrimaryNeedCode = "N1", ReferralNFA = "0",
               AssessmentActualStartDate = if (grepl("^Assessment", type)) date else NA,
               AssessmentAuthorisationDate = if (type == "AssessmentAuthorisationDate") date else NA,
               Factors = factors, PersonBirthDate = "1965-03-27", GenderCurrent = "1",
               Ethnicity = "WBRI", Disabilities = "NONE", YEAR = "2023", LA = "Barnet",
               stringsAsFactors = FALSE)
  }
  rbind(ev("SECRETA", "1970-10-06", "CINreferralDate", "1970-10-06"),
        ev("SECRETA", "1970-10-06", "AssessmentAuthorisationDate", "1971-07-18", "2A,2B"),
        ev("SECRETB", "2000-05-02", "CINreferralDate", "2000-05-02"),
        ev("SECRETB", "2000-05-02", "AssessmentAuthorisationDate", "2000-06-01", "3B"))
}

test_that("the sector readers take the same policy: a valid child is never lost with a bad one", {
  log <- liia_two_children()
  a <- read_cin_liia(log)
  expect_equal(sort(a$assessments$year), c(1971L, 2001L))
  expect_equal(sort(as.character(a$factors$code)), c("2A", "2B", "3B"))
  d <- read_cin_liia(log, implausible_dates = "drop")
  expect_equal(d$assessments$year, 2001L)
  expect_equal(as.character(d$factors$code), "3B")
  e <- expect_error(read_cin_liia(log, implausible_dates = "stop"),
                    class = "cscdemand_error_implausible_date")
  expect_no_match(conditionMessage(e), "SECRET")
  # recognised by read_cin_assessments(), which passes the policy on
  d2 <- read_cin_assessments(log, implausible_dates = "drop")
  expect_equal(d2$assessments$year, 2001L)
  expect_error(read_cin_assessments(log, implausible_dates = "stop"),
               class = "cscdemand_error_implausible_date")
  # Data to Insight's tables (the earlier export: one row per factor code)
  ep <- data.frame(LAchildID = c("A", "B"), CINdetailsID = 1,
                   CINreferralDate = c("1970-10-06", "2000-05-02"))
  as <- data.frame(LAchildID = c("A", "A", "B"), CINdetailsID = 1,
                   AssessmentActualStartDate = c("1970-10-07", "1970-10-07", "2000-05-03"),
                   AssessmentAuthorisationDate = c("1971-07-18", "1971-07-18", "2000-06-01"),
                   AssessmentFactors = c("2A", "2B", "3B"))
  tabs <- list(CINdetails = ep, Assessments = as)
  expect_equal(sort(read_cin_d2i(tabs, la = "201")$assessments$year), c(1971L, 2001L))
  expect_equal(read_cin_d2i(tabs, la = "201", implausible_dates = "drop")$assessments$year, 2001L)
  e <- expect_error(read_cin_d2i(tabs, la = "201", implausible_dates = "stop"),
                    class = "cscdemand_error_implausible_date")
  expect_match(conditionMessage(e), "file 1 child 1 episode 1", fixed = TRUE)
  for (f in list(read_cin_d2i, read_cin_liia, read_cin_ssd)) {
    expect_identical(eval(formals(f)$implausible_dates), cin_date_policies())
  }
})

test_that("the rules of each date element: an expected birth date may be in the future", {
  ch <- function(expected, id = "B") {
    sub("</PersonBirthDate>", paste0("</PersonBirthDate><ExpectedPersonBirthDate>", expected,
                                     "</ExpectedPersonBirthDate>"), rt_child(id), fixed = TRUE)
  }
  p <- rt_write(rt_return(c(rt_child("A"), ch(format(Sys.Date() + 100)), ch("1066-04-13", "C"))))
  a <- read_cin_census_xml(p, implausible_dates = "stop")
  expect_equal(nrow(a$assessments), 3L)
  p <- rt_write(rt_return(c(rt_child("A"), ch("2023-02-30"))))
  e <- expect_error(read_cin_census_xml(p, implausible_dates = "stop"),
                    class = "cscdemand_error_implausible_date")
  expect_match(conditionMessage(e), "ExpectedPersonBirthDate not a date")
  # a rule against another date of the same part, for elements that need one
  st <- list(episodes = data.frame(child = 1L, referral_date = as.Date("2023-05-01")),
             cpp = data.frame(episode = 1L, start_raw = "2023-06-01", end_raw = "2023-05-01"))
  sp <- cin_census_date_specs()
  expect_true(all(c("table", "raw", "col", "element", "future", "floor", "after_ref", "after_col")
                  %in% names(sp)))
  # CPPendDate is one row of the specs, held to its plan's start
  expect_equal(sp$after_col[sp$element == "CPPendDate"], "start")
  r <- cin_census_dates(st, sp = sp)
  expect_equal(r$flags$reason, "before its start")
  expect_equal(r$tables$cpp$end, as.Date("2023-05-01"))
  # a part a route does not have is skipped; a missing raw column gives NA dates
  r <- cin_census_dates(list(episodes = st$episodes, cpp = data.frame(episode = 1L)))
  expect_equal(r$tables$cpp$start, as.Date(NA))
})

test_that("the sector's tables with no rows stop with a classed error naming them", {
  ep <- data.frame(LAchildID = "C1", CINdetailsID = 1, CINreferralDate = "2023-05-01")
  as <- data.frame(LAchildID = "C1", CINdetailsID = 1, AssessmentActualStartDate = "2023-05-02",
                   AssessmentAuthorisationDate = "2023-05-20", AssessmentFactors = "3B")
  e <- expect_error(read_cin_d2i(list(CINdetails = ep[0, ], Assessments = as[0, ]), la = "201"),
                    class = "cscdemand_error_empty")
  expect_match(conditionMessage(e), "Data to Insight")
  e <- expect_error(read_cin_d2i(list(CINdetails = ep, Assessments = as[0, ]), la = "201"),
                    class = "cscdemand_error_empty")
  log <- liia_two_children()
  e <- expect_error(read_cin_liia(log[0, ]), class = "cscdemand_error")
  expect_false(inherits(e, "simpleError"))
})
