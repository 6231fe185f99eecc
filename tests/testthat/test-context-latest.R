# context_latest(): a figure DfE did not publish is never printed as a number
# (least of all 0), a published zero keeps a note, and every note cited exists.

# Every cell of the table against the context it came from; the problems
# found, as text (one expectation per table keeps the loop over councils fast).
cell_problems <- function(tab, ctx, council) {
  notes <- attr(tab, "notes")
  cited <- function(cell) regmatches(cell, gregexpr("\\([a-z]\\)", cell))[[1]]
  letters_have <- sub(" .*$", "", notes)
  x <- ctx[ctx$year == attr(tab, "year"), ]
  cmp <- c(Council = council, Region = "Region", `Statistical neighbours` = "Statistical neighbours",
           England = "England")
  out <- character()
  bad <- function(...) out <<- c(out, paste(council, ...))
  for (i in seq_len(nrow(tab))) {
    m <- unique(x$measure[x$label == tab$Measure[i]])
    for (k in names(cmp)) {
      cell <- tab[[cmp[[k]]]][i]
      r <- x[x$measure == m & x$comparator == k, ]
      if (!all(cited(cell) %in% letters_have)) bad(m, k, "cites a note that is not there:", cell)
      if (!nrow(r) || is.na(r$value)) {
        if (!grepl("^not available \\([a-z]\\)$", cell)) bad(m, k, "withheld, but printed as", cell)
        else if (!grepl("^\\([a-z]\\) Not available: .*DfE mark", notes[letters_have == cited(cell)])) bad(m, k, "note does not say why")
      } else {
        if (abs(as.numeric(sub(" .*$", "", cell)) - r$value) > 0.05 + 1e-9) bad(m, k, "printed", cell, "for", r$value)
        if (r$value == 0 && r$count %in% 0 && !grepl("^0\\.0 \\([a-z]\\)", cell)) bad(m, k, "published zero without its note")
      }
    }
  }
  out
}
cell_ok <- function(tab, ctx, council) expect_identical(cell_problems(tab, ctx, council), character())

test_that("Sunderland's published zero is DfE's figure, with a note; withheld years are not available", {
  ctx <- council_context("Sunderland", years = c(2022, 2025), verbose = FALSE)
  # straight from DfE's C1 file: 2025 no further action "0", 2022 "c"
  c1 <- utils::read.csv(shared_data_file("c1_children_in_need_referrals_and_rereferrals_2013_to_2025.csv"),
                        colClasses = "character", check.names = FALSE)
  src <- c1[c1$geographic_level == "Local authority" & c1$la_name == "Sunderland", ]
  expect_identical(src$no_further_action_count[src$time_period == "2025"], "0")
  expect_identical(src$no_further_action_count[src$time_period == "2022"], "c")

  t25 <- context_latest(ctx, year = 2025)
  nfa <- t25$Sunderland[t25$Measure == "Referrals ending in no further action"]
  expect_match(nfa, "^0\\.0 \\(a\\)$")
  expect_match(attr(t25, "notes")[1], "DfE published 0 for Sunderland.*not a missing value")
  # as many other councils as the source has zeros that year
  zeros <- sum(c1$geographic_level == "Local authority" & c1$time_period == "2025" &
                 c1$no_further_action_count == "0")
  expect_match(attr(t25, "notes")[1], paste0("; ", count_words(zeros - 1), " other councils also published 0"))
  # a mean over fewer neighbours says how many, under ten in words
  expect_true(any(grepl("Mean of the [a-z]+ statistical neighbours \\(of 10\\) with a published figure",
                        attr(t25, "notes"))))
  cell_ok(t25, ctx, "Sunderland")

  t22 <- context_latest(ctx, year = 2022)
  nfa <- t22$Sunderland[t22$Measure == "Referrals ending in no further action"]
  expect_match(nfa, "^not available \\([a-z]\\)$")
  expect_false(grepl("[0-9]", nfa))
  expect_match(paste(attr(t22, "note")), "Suppressed to protect confidentiality .*DfE mark \"c\"")
  cell_ok(t22, ctx, "Sunderland")
})

test_that("no council's table prints a withheld figure as a number, for any headline measure", {
  cc <- cscdemand::context_councils
  cc <- cc[cc$current, ]
  c1 <- utils::read.csv(shared_data_file("c1_children_in_need_referrals_and_rereferrals_2013_to_2025.csv"),
                        colClasses = "character", check.names = FALSE)
  c1 <- c1[c1$geographic_level == "Local authority" & c1$time_period == "2025", ]
  for (la in cc$la_number) {
    ctx <- council_context(la, years = 2025, verbose = FALSE)
    council <- attr(ctx, "council")$name
    tab <- context_latest(ctx, year = 2025)
    cell_ok(tab, ctx, council)
    # against the source itself: a mark in DfE's file is "not available" here
    s <- c1[as.integer(c1$old_la_code) == la, ]
    if (nrow(s) == 1) {
      nfa <- tab[[council]][tab$Measure == "Referrals ending in no further action"]
      if (s$no_further_action_count %in% c("c", "x", "z", "u")) expect_match(nfa, "^not available", info = council)
      if (identical(s$no_further_action_count, "0")) expect_match(nfa, "^0\\.0 \\(", info = council)
    }
  }
})

test_that("context_latest() checks its input", {
  expect_error(context_latest(data.frame()), class = "cscdemand_error_input")
})
