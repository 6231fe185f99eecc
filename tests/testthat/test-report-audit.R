# The report's audit table: nothing in it can be worked out by subtraction,
# and it carries no record locations.

# The audit of three simulated returns of one council (the counts a second
# reader differenced: 3,887 - 180 - 47 - 37 - 3,621 gave the hidden 2).
richmond_audit <- function(rare = 2, outside = NULL) {
  steps <- c("census returns read", "child records read", "episodes read (CINdetails)",
             "assessments read", "dates implausible: CINclosureDate in the future",
             "factor codes read", "episodes merged: in two or more returns",
             "assessments merged: in two or more returns", "factor codes of merged assessments",
             "children kept (with an assessment)", "rows read", "assessments", "episodes",
             "factor codes kept", "episodes built", "episodes with no factors or only 21: dropped",
             "episodes with only 20 (Other): dropped", "factors excluded",
             "episodes dropped: only excluded factors", "factors dropped: fewer than 10 episodes",
             "episodes dropped: only rare factors", "episodes kept")
  n <- c(3, 4710, 5741, 6599, 1, 17436, 1854, 2154, 5771, 3030, 11665, 4445, 3887, 11665, 3887,
         180, 47, 15, 37, 2, rare, 3887 - 180 - 47 - 37 - rare)
  unit <- ifelse(steps %in% c("census returns read"), "files",
                 ifelse(grepl("^factors", steps), "factors", "rows"))
  detail <- rep("", length(steps))
  detail[5] <- paste("file 3 child 1833 episode 1, file 1 child 22 episode 2 and 3 more;",
                     "the episode is kept (a value that is not a date is set to missing);",
                     "drop them with implausible_dates = \"drop\"")
  detail[16] <- "180 coded 21, 0 with no code"
  detail[19] <- "rows 4, 18 and 35 more"
  au <- data.frame(stage = "episodes", step = steps, n = n, detail = detail, unit = unit,
                   stringsAsFactors = FALSE)
  if (!is.null(outside)) {
    au <- rbind(au, data.frame(stage = "report", step = "episodes outside the years chosen: dropped",
                               n = outside, detail = "years kept: 2024", unit = "rows"))
  }
  rbind(au, data.frame(stage = "report", step = "episodes analysed",
                       n = au$n[nrow(au)] - (outside %||% 0), detail = "", unit = "rows"))
}

# An attacker's range for each hidden step of a chain: the published start
# minus the published end minus the shown steps is what the hidden steps add
# up to; each lies between 0 and that sum.
chain_widths <- function(tab, start, parts, ends) {
  num <- function(v) suppressWarnings(as.numeric(gsub(",", "", v)))
  st <- tolower(attr(tab, "steps"))
  s <- num(tab$Number[grepl(start, st)][1])
  e <- num(tab$Number[st %in% ends & tab$Number != "c"])[1]
  p <- grepl(parts, st)
  if (is.na(s) || is.na(e)) return(Inf)
  s - e - sum(num(tab$Number[p & tab$Number != "c"]))
}

test_that("the report's audit protects steps that are differences of published lines", {
  for (rare in c(2, 7)) {
    au <- richmond_audit(rare)
    tab <- report_audit(au, 10)
    attr(tab, "steps") <- au$step
    expect_equal(tab$Number[au$step == "episodes dropped: only rare factors"], "c")
    w <- chain_widths(tab, "^episodes built$", "^episodes.*dropped", c("episodes kept", "episodes analysed"))
    expect_gte(w, 10)
    # the 37 goes with it (the smallest other step), not the 180
    expect_equal(tab$Number[au$step == "episodes dropped: only excluded factors"], "c")
    expect_equal(tab$Number[au$step == "episodes with no factors or only 21: dropped"], "180")
    expect_equal(tab$Number[au$step == "episodes analysed"], fmt_int(au$n[nrow(au)]))
  }
  # a small step in a stretch of its own (between "episodes kept" and "episodes
  # analysed") cannot be protected by other steps: "episodes kept" is hidden
  au <- richmond_audit(rare = 20, outside = 4)
  tab <- report_audit(au, 10)
  expect_equal(tab$Number[au$step == "episodes outside the years chosen: dropped"], "c")
  expect_equal(tab$Number[au$step == "episodes kept"], "c")
  attr(tab, "steps") <- au$step
  expect_gte(chain_widths(tab, "^episodes built$", "^episodes.*(dropped|outside)", "episodes analysed"), 10)
  # merged episodes: episodes read - merged = episodes
  au <- richmond_audit()
  au$n[au$step == "episodes merged: in two or more returns"] <- 6
  au$n[au$step == "episodes"] <- 5741 - 6
  tab <- report_audit(au, 10)
  # "episodes" is printed again as "episodes built": the count read is hidden
  expect_equal(tab$Number[au$step == "episodes merged: in two or more returns"], "c")
  expect_equal(tab$Number[au$step == "episodes read (CINdetails)"], "c")
})

test_that("the report's audit carries no record locations, and a hidden line hides its detail", {
  au <- richmond_audit()
  tab <- report_audit(au, 10)
  expect_false(any(grepl("file [0-9c]+ child|child [0-9c]+ episode|\\brows [0-9]", tab$Detail)))
  expect_false(any(grepl("implausible_dates", tab$Detail, fixed = TRUE)))
  expect_match(tab$Detail[au$step == "dates implausible: CINclosureDate in the future"],
               "^the episode is kept")
  # a step hidden as a complement shows none of its counts in the detail
  au$n[au$step == "episodes with no factors or only 21: dropped"] <- 30
  au$n[au$step == "episodes dropped: only excluded factors"] <- 40
  au$detail[au$step == "episodes with no factors or only 21: dropped"] <- "30 coded 21, 0 with no code"
  au$n[au$step == "episodes kept"] <- 3887 - 30 - 47 - 40 - 2
  au$n[au$step == "episodes analysed"] <- au$n[au$step == "episodes kept"]
  tab <- report_audit(au, 10)
  i <- au$step == "episodes with no factors or only 21: dropped"
  expect_equal(tab$Number[i], "c")
  expect_false(grepl("30", tab$Detail[i]))
  # audit() for the analyst keeps them
  expect_match(audit_public_text("file 3 child 1833 episode 1; kept", 10), "^kept$")
})

test_that("the report's audit gives the number of returns read, not their file names", {
  au <- richmond_audit()
  au$detail[1] <- "cin_E09000027_2023.xml, cin_E09000027_2024.xml, Smith J export 2025.xml"
  tab <- report_audit(au, 10)
  expect_equal(tab$Detail[1], "3 returns")
  expect_false(any(grepl("\\.xml|cin_E09|Smith", tab$Detail)))
  au$n[1] <- 1
  expect_equal(report_audit(au, 10)$Detail[1], "1 return")
})

test_that("audit_table protects the rows and episodes chains by the same rule", {
  au <- richmond_audit()
  class(au) <- c("cin_audit", "data.frame")
  t <- audit_table(au)
  expect_equal(t$n[t$step == "episodes dropped: only rare factors"], "c")
  expect_equal(t$n[t$step == "episodes dropped: only excluded factors"], "c")
  expect_equal(t$n[t$step == "episodes kept"], "3,621")
  expect_false(any(grepl("child 1833", t$detail)))
})

test_that("the review finds an audit table that can be differenced, and record locations", {
  au <- richmond_audit()
  as_printed <- function(tab) rbind(names(tab), as.matrix(tab))
  # the report's audit before this fix: only the 2 hidden, and positions printed
  old <- report_audit(au, 10)
  old$Number[au$step == "episodes dropped: only excluded factors"] <- "37"
  old$Detail[5] <- "file c child c episode c; the episode is kept"
  bad <- as_printed(old)
  p <- review_audit_differences(list(bad), 10)
  expect_equal(nrow(p), 1)
  expect_match(p$problem, "add up to 2 by subtraction")
  expect_equal(nrow(review_record_locations(character(), list(bad))), 1)
  expect_equal(nrow(review_record_locations("At file 3 child 1833 episode 1.")), 1)
  good <- as_printed(report_audit(au, 10))
  expect_equal(nrow(review_audit_differences(list(good), 10)), 0)
  expect_equal(nrow(review_record_locations(character(), list(good))), 0)
})
