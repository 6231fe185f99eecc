# Building the reader's tables from census returns (R/read-census-build.R).
# Returns are written in the layout of the sector's sample returns
# (helper-cin-returns.R).

test_that("unknown codes are listed once per place", {
  p <- rt_write(rt_return(c(rt_child("A"), rt_child("B", rt_episode(
    assessments = rt_assessment(factors = c("3B", "ZZ", "QQ")))))))
  e <- expect_error(read_cin_census_xml(p), class = "cscdemand_error_unknown_code")
  expect_match(conditionMessage(e), "At file 1 child 2 episode 1.", fixed = TRUE)
  expect_no_match(conditionMessage(e), "episode 1; file 1 child 2 episode 1")
  a <- read_cin_census_xml(p, on_unknown = "drop")
  au <- audit(a)
  st <- au$step == "factor codes dropped: not a CIN factor code"
  expect_equal(au$n[st], 2)
  expect_identical(au$detail[st], "values \"ZZ\", \"QQ\"; file 1 child 2 episode 1")
  expect_equal(cin_pos_label(data.frame(file = 1, child_pos = c(1, 2), ep_pos = 1), c(2, 2, 1, 2)),
               "file 1 child 2 episode 1; file 1 child 1 episode 1")
})

test_that("a return's audit names places in the return, never rows of an internal table", {
  p <- rt_write(rt_return(c(
    rt_child("A", rt_episode(assessments = rt_assessment(factors = c("3B", "3B", "21")))),
    rt_child("B", rt_episode(assessments = rt_assessment(factors = character()))),
    rt_child("C"))))
  au <- audit(read_cin_census_xml(p))
  expect_false(any(grepl("^rows [0-9]", au$detail)))
  expect_identical(au$detail[au$step == "assessments with no factor code"],
                   "file 1 child 2 episode 1; the assessment is kept with no factors from these rows")
  expect_identical(au$detail[au$step == "codes dropped: duplicate within an assessment"],
                   "file 1 child 1 episode 1")
  expect_match(au$detail[grepl("rule 8869", au$step)], "^file 1 child 1 episode 1; 21 is removed")
  # lists cut at ten rows keep the count of the rest
  d <- cin_census_row_places(
    structure(data.frame(stage = "codes", step = "x", n = 12, detail = "rows 1, 2, 3 and 9 more; why",
                         unit = "rows", stringsAsFactors = FALSE), class = c("cin_audit", "data.frame")),
    row_ep = c(1L, 1L, 2L), ep = data.frame(file = 1, child_pos = c(4, 5), ep_pos = c(1, 2)))
  expect_identical(d$detail, "file 1 child 4 episode 1; file 1 child 5 episode 2 (and 9 more codes); why")
})

# The stacked and checked tables of returns, as cin_census_build() has them
# before merging.
census_tables <- function(...) {
  paths <- list(...)
  tabs <- lapply(seq_along(paths), function(i) cin_xml_tables(paths[[i]], i))
  cin_census_check(cin_census_stack(tabs, call = NULL), legacy = TRUE, call = NULL)$tables
}

test_that("cin_census_merge() keeps one copy of an episode in two returns, the latest's, with every assessment", {
  # child A's episode is in both returns: its first assessment (same start)
  # with other codes in the later one, a second assessment only in the later
  # one; child B's episode only in the earlier return, with the same referral
  # date; child A's second episode (another referral date) only in the later
  r1 <- rt_write(rt_return(c(rt_child("A", rt_episode(cpp = "2023-06-01")),
                             rt_child("B")), year = 2023), name = "r1.xml")
  r2 <- rt_write(rt_return(rt_child("A", c(
    rt_episode(assessments = c(rt_assessment(factors = c("3B", "4B", "2A")),
                               rt_assessment(start = "2023-08-01", auth = "2023-08-20",
                                             factors = "1B")),
               cpp = "2023-06-01"),
    rt_episode(ref = "2024-01-05", assessments = rt_assessment("2024-01-08", "2024-02-01", "6A")))),
    year = 2024), name = "r2.xml")
  st <- census_tables(r2, r1)  # the order of the files does not matter: the year does
  st$cpp$end[st$cpp$rank == 2L] <- as.Date("2024-01-10")  # the plan ended after return 1
  mg <- cin_census_merge(st)
  expect_identical(mg$merged, 1L)
  expect_identical(mg$merged_as, 1L)
  expect_identical(mg$merged_codes, 2L)  # the earlier copy's 3B and 4B
  ep <- mg$tables$episodes
  expect_identical(nrow(ep), 3L)
  expect_setequal(paste(ep$child_key, ep$referral_date),
                  c("A 2023-05-10", "A 2024-01-05", "B 2023-05-10"))
  a_ep <- which(ep$child_key == "A" & ep$referral_date == as.Date("2023-05-10"))
  expect_identical(ep$file[a_ep], 1L)  # the copy of the later return (file 1 here)
  as <- mg$tables$assessments
  expect_identical(as$start[as$episode == a_ep], as.Date(c("2023-05-12", "2023-08-01")))
  f <- mg$tables$factors
  codes_of <- function(e) {
    lapply(which(as$episode == e), function(i) f$value[f$assessment == i])
  }
  expect_identical(codes_of(a_ep), list(c("3B", "4B", "2A"), "1B"))
  expect_identical(codes_of(which(ep$child_key == "B")), list(c("3B", "4B")))
  expect_identical(nrow(f), 7L)
  expect_true(all(f$assessment %in% seq_len(nrow(as))))
  expect_identical(mg$tables$cpp$episode, a_ep)
  expect_identical(mg$tables$cpp$end, as.Date("2024-01-10"))
  # nothing to merge: every episode kept as it is
  one <- cin_census_merge(census_tables(r1))
  expect_identical(c(one$merged, one$merged_as, one$merged_codes), c(0L, 0L, 0L))
  expect_identical(nrow(one$tables$episodes), 2L)
})
