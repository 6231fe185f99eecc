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
                       n = au$n[au$step == "episodes kept"] - (outside %||% 0), detail = "",
                       unit = "rows"))
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

# The line of the report's audit that a step of the audit is printed on.
line_of <- function(tab, step) which(vapply(strsplit(attr(tab, "steps"), " + ", fixed = TRUE),
                                            function(s) step %in% s, logical(1)))

# Each chain of the published audit balances: the start less every step
# published between it and the end is the end.
chain_balances <- function(tab, start, parts, end) {
  num <- function(v) as.numeric(gsub(",", "", v))
  st <- strsplit(attr(tab, "steps"), " + ", fixed = TRUE)
  has <- function(re) which(vapply(st, function(x) any(grepl(re, x)), logical(1)))
  s <- has(start)[1]
  e <- has(end)[1]
  p <- has(parts)
  p <- p[p > s & p < e]
  if (any(tab$Number[c(s, e, p)] == "c")) return(FALSE)
  num(tab$Number[s]) - sum(num(tab$Number[p])) == num(tab$Number[e])
}

test_that("the report's audit protects steps that are differences of published lines", {
  for (rare in c(2, 7)) {
    au <- richmond_audit(rare)
    tab <- report_audit(au, 10)
    # the 2 and its complement, the 37, are one line with their sum: no "c"
    # that hides 37, and the chain balances in print
    i <- line_of(tab, "episodes dropped: only rare factors")
    expect_equal(i, line_of(tab, "episodes dropped: only excluded factors"))
    expect_equal(tab$Number[i], fmt_int(37 + rare))
    expect_equal(tab$Step[i], "Episodes dropped: only excluded factors or only rare factors")
    expect_false(any(tab$Number[tab$Unit == "episodes"] == "c"))
    expect_true(chain_balances(tab, "^episodes built$", "^episodes.*dropped", "^episodes analysed$"))
    expect_equal(tab$Number[line_of(tab, "episodes with no factors or only 21: dropped")], "180")
    expect_equal(tab$Number[line_of(tab, "episodes analysed")], fmt_int(au$n[nrow(au)]))
    # "episodes kept" repeats "episodes analysed": one line
    expect_equal(line_of(tab, "episodes kept"), line_of(tab, "episodes analysed"))
    expect_equal(sum(tab$Number == fmt_int(au$n[nrow(au)])), 1)
  }
  # a small step in a stretch of its own (between "episodes kept" and "episodes
  # analysed") cannot be protected by other steps: "episodes kept" is hidden
  au <- richmond_audit(rare = 20, outside = 4)
  tab <- report_audit(au, 10)
  # ... and the 4 is one line with the smallest other step of the stretch
  i <- line_of(tab, "episodes outside the years chosen: dropped")
  expect_equal(i, line_of(tab, "episodes dropped: only rare factors"))
  expect_equal(tab$Number[i], "24")
  expect_equal(tab$Number[line_of(tab, "episodes kept")], "c")
  expect_true(chain_balances(tab, "^episodes built$", "^episodes.*(dropped|outside)", "^episodes analysed$"))
  expect_gte(chain_widths(structure(tab, steps = attr(tab, "steps")), "^episodes built$",
                          "^episodes.*(dropped|outside)", "episodes analysed"), 10)
  # merged episodes: episodes read - merged = episodes
  au <- richmond_audit()
  au$n[au$step == "episodes merged: in two or more returns"] <- 6
  au$n[au$step == "episodes"] <- 5741 - 6
  tab <- report_audit(au, 10)
  # "episodes" is printed again as "episodes built": the count read is hidden
  expect_equal(tab$Number[line_of(tab, "episodes merged: in two or more returns")], "c")
  expect_equal(tab$Number[line_of(tab, "episodes read (CINdetails)")], "c")
})

test_that("every chain of the published audit balances, whatever the small steps", {
  set.seed(23)
  for (r in 1:60) {
    drops <- sample(c(0:12, 30:60, 150:200), 4, TRUE)
    au <- richmond_audit()
    steps <- c("episodes with no factors or only 21: dropped", "episodes with only 20 (Other): dropped",
               "episodes dropped: only excluded factors", "episodes dropped: only rare factors")
    au$n[match(steps, au$step)] <- drops
    au$n[au$step %in% c("episodes kept", "episodes analysed")] <- 3887 - sum(drops)
    au$detail[au$step == steps[1]] <- ""
    tab <- report_audit(au, 10)
    num <- suppressWarnings(as.numeric(gsub(",", "", tab$Number)))
    # no published count of episodes under 10 (zeros aside)
    expect_false(any(num[tab$Unit == "episodes"] %in% 1:9))
    # either the chain balances in print, or its end is hidden
    if (tab$Number[line_of(tab, "episodes analysed")] != "c") {
      expect_true(chain_balances(tab, "^episodes built$", "^episodes.*dropped", "^episodes analysed$"),
                  info = paste(drops, collapse = " "))
    }
    # a "c" left is a small step (1 to 9) or protects one by itself
    hid <- tab$Number == "c" & tab$Unit == "episodes"
    expect_true(sum(hid) != 1 || tab$Number[line_of(tab, "episodes analysed")] == "c")
  }
})

test_that("the returns are counted with their years, never named by file; units in their own column", {
  au <- richmond_audit()
  au$detail[1] <- "cin_E09000027_2023.xml, cin_E09000027_2024.xml, cin_E09000027_2025.xml"
  tab <- report_audit(au, 10, years = 2023:2025)
  expect_equal(names(tab), c("Step", "Number", "Unit", "Detail"))
  expect_equal(tab$Step[1], "CIN census returns read")
  expect_equal(tab$Number[1], "3")
  expect_equal(tab$Unit[1], "returns")
  expect_equal(tab$Detail[1], "reporting years 2022-23 to 2024-25")
  expect_false(any(grepl("\\.xml|E09000027", unlist(tab))))
  # a file name in any other detail goes too
  au$detail[3] <- "from cin_E09000027_2023.xml, cin_E09000027_2024.xml"
  expect_false(any(grepl("\\.xml", report_audit(au, 10)$Detail)))
  # repeated lines are one: 3,887 once, 11,665 once
  expect_equal(sum(tab$Number == "3,887"), 1)
  expect_equal(sum(tab$Number == "11,665"), 1)
  expect_equal(tab$Unit[tab$Number == "11,665"], "codes")
})

test_that("rare factors are counted, never named with a small count (presence disclosure)", {
  au <- richmond_audit()
  i <- au$step == "factors excluded"
  au$detail[i] <- "1C (89), 2C (115), 8B (3), 8C (5), 8D (2), 9A (45), 20 (633); not present: 1"
  j <- au$step == "factors dropped: fewer than 10 episodes"
  au$detail[j] <- "19A (8), 22A (8)"
  tab <- report_audit(au, 10)
  ex <- tab$Detail[line_of(tab, "factors excluded")]
  expect_false(grepl("Privately fostered|8B|8C|8D", ex))
  expect_match(ex, "three more factors, each recorded fewer than 10 times", fixed = TRUE)
  expect_match(ex, "Alcohol misuse - other person (1C): 89", fixed = TRUE)
  dr <- tab$Detail[line_of(tab, "factors dropped: fewer than 10 episodes")]
  expect_false(grepl("genital|22A|19A|Sexual", dr))
  expect_equal(dr, "two factors, each recorded fewer than 10 times")
  # no factor anywhere in the table is named next to a "c"
  expect_false(any(grepl("\\([0-9]{1,2}[A-F]?\\): c\\b", tab$Detail)))
})

test_that("the report's audit carries no record locations, and a hidden line hides its detail", {
  au <- richmond_audit()
  tab <- report_audit(au, 10)
  expect_false(any(grepl("file [0-9c]+ child|child [0-9c]+ episode|\\brows [0-9]", tab$Detail)))
  expect_false(any(grepl("implausible_dates", tab$Detail, fixed = TRUE)))
  expect_match(tab$Detail[line_of(tab, "dates implausible: CINclosureDate in the future")],
               "^the episode is kept")
  # a step hidden as a complement shows none of its counts in the detail
  au$n[au$step == "episodes with no factors or only 21: dropped"] <- 30
  au$n[au$step == "episodes dropped: only excluded factors"] <- 40
  au$detail[au$step == "episodes with no factors or only 21: dropped"] <- "30 coded 21, 0 with no code"
  au$n[au$step == "episodes kept"] <- 3887 - 30 - 47 - 40 - 2
  au$n[au$step == "episodes analysed"] <- au$n[au$step == "episodes kept"]
  tab <- report_audit(au, 10)
  i <- line_of(tab, "episodes with no factors or only 21: dropped")
  expect_match(tab$Number[i], "^[0-9,]+$")
  expect_false(grepl("30 coded|30 with", tab$Detail[i]))
  # audit() for the analyst keeps them
  expect_match(audit_public_text("file 3 child 1833 episode 1; kept", 10), "^kept$")
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
  i <- line_of(old, "episodes dropped: only excluded factors")
  old <- rbind(old[seq_len(i), ], old[i:nrow(old), ])
  old$Step[i:(i + 1)] <- c("Episodes dropped: only excluded factors", "Episodes dropped: only rare factors")
  old$Number[i:(i + 1)] <- c("37", "c")
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

# The chain of one council's episodes worked out from the raw rows, step by
# step as the audit reads: only "No factors identified" (21) or nothing,
# only "Other" (20), only excluded factors, only factors rare in all the
# councils' data; the rest are analysed.
council_chain <- function(raw, la, items) {
  r <- raw[raw$la == la, ]
  codes <- tapply(r$factors, r$episode_id, function(f) unique(unlist(strsplit(f[!is.na(f)], ","))))
  s <- lapply(codes, setdiff, "21")
  no_f <- lengths(s) == 0
  only20 <- !no_f & vapply(s, identical, logical(1), "20")
  s2 <- lapply(s, setdiff, kingston_exclusions())
  excl <- !no_f & !only20 & lengths(s2) == 0
  rare <- !no_f & !only20 & !excl & lengths(lapply(s2, intersect, items)) == 0
  c(assessments = nrow(r), built = length(codes), no_factors = sum(no_f), only20 = sum(only20),
    excluded = sum(excl), rare = sum(rare), analysed = sum(!no_f & !only20 & !excl & !rare))
}

test_that("with several councils, the report's audit is of the council's own episodes (finding 4)", {
  # two councils, 500 episodes each: some factors are rare in the two together
  ids <- unlist(lapply(c("E09000021", "E08000024"), function(l) {
    utils::head(unique(cin_example$episode_id[cin_example$la == l]), 500)
  }))
  raw <- cin_example[cin_example$episode_id %in% ids, ]
  rd <- report_data(raw, council = "Kingston upon Thames")
  expect_true(rd$audit_own)
  au <- attr(rd, "audit_counts")
  n_of <- function(step) au$n[au$step == step]
  ref <- council_chain(raw, "E09000021", rd$items)
  expect_gt(ref[["rare"]], 0)  # the case the pooled rule reaches into
  expect_equal(n_of("assessments"), ref[["assessments"]])
  expect_equal(n_of("episodes built"), ref[["built"]])
  expect_equal(n_of("episodes with no factors or only 21: dropped"), ref[["no_factors"]])
  expect_equal(n_of("episodes with only 20 (Other): dropped"), ref[["only20"]])
  expect_equal(n_of("episodes dropped: only excluded factors"), ref[["excluded"]])
  expect_equal(n_of("episodes dropped: only rare factors"), ref[["rare"]])
  expect_equal(n_of("episodes analysed"), ref[["analysed"]])
  expect_equal(n_of("episodes analysed"), sum(rd$own))
  # nothing of the other council: no count of all the rows, no pooled count
  expect_false(any(c(nrow(raw), length(ids)) %in% au$n))
  expect_false("rows read" %in% au$step)
  # years: the council's episodes outside them
  rd2 <- report_data(raw, council = "Kingston upon Thames", years = 2022)
  au2 <- attr(rd2, "audit_counts")
  expect_equal(au2$n[au2$step == "episodes outside the years chosen: dropped"],
               ref[["analysed"]] - sum(rd2$own))
  expect_equal(au2$n[au2$step == "episodes analysed"], sum(rd2$own))
  # one council in the data: the audit is the read's own
  one <- report_data(raw[raw$la == "E09000021", ])
  expect_true(one$audit_own)
  expect_true("rows read" %in% attr(one, "audit_counts")$step)
})

test_that("a factor code in brackets is not taken for a count of the audit", {
  x <- paste("Other (20): 508; Privately fostered (8B): 2; Privately fostered (8C): 2;",
             "Privately fostered (8D): 1; Trafficking (12A): 25; UASC (9A): 34")
  out <- audit_public_text(x, 10)
  expect_match(out, "Other (20): ", fixed = TRUE)
  expect_match(out, "(8B): c", fixed = TRUE)
  # the small ones are protected by a count, not by a code
  expect_equal(length(gregexpr(": c", out, fixed = TRUE)[[1]]), 4)
})

test_that("a council's audit from several councils' data is the audit of its rows read alone", {
  # the example's factors are all common in the three councils together, so
  # the council's chain is that of its own rows read with no rare-factor rule
  rd <- report_data("example", council = "Kingston upon Thames")
  alone <- episode_factors(read_cin_assessments(cin_example[cin_example$la == "E09000021", ]), min_count = 0)
  a <- attr(rd, "audit_counts")
  a <- a[a$stage != "report", ]
  b <- as.data.frame(audit(alone))
  b <- b[b$step != "rows read", ]
  expect_identical(a$step, b$step)
  expect_equal(a$n, b$n)
  same <- !a$step %in% c("episodes kept", "assessments")
  expect_identical(a$detail[same], b$detail[same])
  # where the rows came from, said on the council's assessments
  expect_identical(a$detail[a$step == "assessments"], "from a data frame")
})

test_that("a factor hidden only to protect rare ones is not called rare (s6 reader, the audit in plain English)", {
  rd <- report_data("example", council = "Kingston upon Thames")
  ex <- rd$audit$Detail[rd$audit$Step == "Factors excluded"]
  au <- attr(rd, "audit_counts")
  raw <- au$detail[au$step == "factors excluded"]
  pairs <- regmatches(raw, gregexpr("[0-9]{1,2}[A-F]? \\([0-9]+\\)", raw))[[1]]
  cnt <- as.numeric(sub("^.*\\(([0-9]+)\\)$", "\\1", pairs))
  n_rare <- sum(cnt < 10)
  n_named <- lengths(regmatches(ex, gregexpr("\\([0-9]{1,2}[A-F]?\\): [0-9,]+", ex)))
  n_hidden <- length(cnt) - n_named
  expect_gt(n_hidden, n_rare)  # a complement was hidden with the rare factors
  expect_match(ex, paste0(count_words(n_hidden), " more factors, not counted one by one: ", count_words(n_rare),
                          " recorded fewer than 10 times"), fixed = TRUE)
  expect_no_match(ex, "each recorded fewer than", fixed = TRUE)
})

test_that("factors hidden only as complements are not said to be rare, nor 'no recorded fewer than'", {
  x <- "Neglect (2B): 40; Self-harm (7A): c; Gangs (24A): c"
  raw <- "Neglect (2B): 40; Self-harm (7A): 12; Gangs (24A): 15"
  out <- report_rare_factors(x, 10, raw = raw)
  expect_identical(out, "Neglect (2B): 40; two more factors, hidden so that their counts cannot be worked out")
  # one rare and one complement: the rare one counted, the other explained
  raw2 <- "Neglect (2B): 40; Self-harm (7A): 4; Gangs (24A): 15"
  out2 <- report_rare_factors(x, 10, raw = raw2)
  expect_match(out2, "two more factors, not counted one by one: one recorded fewer than 10 times", fixed = TRUE)
})

test_that("a council's audit names the rare-factor threshold the read used, and its last lines are written once", {
  sim <- simulate_cin(las = c("E09000027", "E09000021"), years = 2023:2024, scale = 0.3, seed = 77)
  a <- read_cin_assessments(sim)
  la <- unique(as.character(a$assessments$la))[1]
  for (mc in c(10, 40)) {
    rin <- report_read(a, min_count = mc)
    items <- factor_columns(rin$episodes)
    n <- sum(as.character(rin$episodes$la) == la)
    au <- report_council_audit(rin, la, n, items)
    rare <- au$step[au$stage == "factors" & grepl("fewer than", au$step)]
    # at 40 some factors are rare in the pooled data; the line says 40, not the default
    if (length(rare)) expect_equal(rare, paste0("factors dropped: fewer than ", mc, " episodes"))
    if (mc == 40) expect_length(rare, 1)
    expect_equal(sum(au$step == "episodes analysed"), 1)
  }
  rd <- report_data(sim, council = la, years = 2024)
  counts <- attr(rd, "audit_counts")
  expect_equal(sum(counts$step == "episodes analysed"), 1)
  expect_equal(sum(counts$step == "episodes outside the years chosen: dropped"), 1)
})

test_that("steps counted together read as one label, never two pasted whole (s7 reader: 'dropped or episodes dropped')", {
  j <- report_join_steps(c("Episodes with only \"Other\" (20): dropped", "Episodes dropped: only rare factors"))
  expect_identical(j, "Episodes dropped: only \"Other\" (20) or only rare factors")
  expect_identical(report_join_steps(c("Episodes dropped: only excluded factors", "Episodes dropped: only rare factors")),
                   "Episodes dropped: only excluded factors or only rare factors")
  # on the audit: the only-20 step and the rare step small together
  au <- richmond_audit(rare = 2)
  au$n[au$step == "episodes with only 20 (Other): dropped"] <- 4
  au$n[au$step == "episodes kept"] <- au$n[au$step == "episodes kept"] + 43
  au$n[au$step == "episodes analysed"] <- au$n[au$step == "episodes kept"]
  au$n[au$step == "episodes dropped: only excluded factors"] <- 37
  tab <- report_audit(au, 10)
  expect_false(any(grepl(": dropped or ", tab$Step, fixed = TRUE)))
  expect_false(any(grepl("dropped.*dropped", tab$Step)))
})

test_that("the count of distinct codes says when 'No factors identified' (21), a code but not a factor, is among them (s7 reader: 43 codes, 42 factors)", {
  au <- richmond_audit()
  au$detail[au$step == "factor codes kept"] <- "44 distinct codes"
  with21 <- report_audit(au, 10, codes = c("1B", "21", "3B"))
  d <- with21$Detail[grepl("factor codes kept", attr(with21, "steps"))]
  expect_match(d, "44 distinct codes, one of them \"No factors identified\" (21), which is not a factor", fixed = TRUE)
  without <- report_audit(au, 10, codes = c("1B", "3B"))
  expect_no_match(without$Detail[grepl("factor codes kept", attr(without, "steps"))], "No factors identified", fixed = TRUE)
  # on read returns: the codes of the audit are the factors the audit accounts for, and 21
  sim <- simulate_cin(las = "Richmond upon Thames", years = 2024:2025, seed = 7)
  rd <- report_data(sim, council = "Richmond upon Thames")
  au <- attr(rd, "audit_counts")
  n_codes <- as.numeric(sub(" .*$", "", au$detail[au$step == "factor codes kept"]))
  excl <- au$detail[au$step == "factors excluded"]
  n_excl <- length(gregexpr("\\([0-9]+\\)", sub(";.*$", "", excl))[[1]])
  n_rare <- au$n[au$step == "factors dropped: fewer than 10 episodes"]
  n_rare <- if (length(n_rare)) n_rare else 0
  accounted <- length(rd$items) + n_excl + n_rare
  line <- rd$audit$Detail[grepl("factor codes kept", attr(rd$audit, "steps"))]
  if (n_codes == accounted + 1) expect_match(line, "No factors identified", fixed = TRUE)
  expect_true(n_codes == accounted || grepl("No factors identified", line, fixed = TRUE))
})

test_that("a merged row that still hides cells of other rows is not said to spare them (s7 reader: notes that contradict themselves)", {
  kept <- "Other or not known is kept as a row of its own, not counted with another ethnic group: its small numbers are suppressed with some cells of the other rows, so they cannot be worked out."
  n1 <- crosstab_note(c("Other", "Not known"), kept, still_hides = TRUE)
  expect_no_match(n1, "need not hide", fixed = TRUE)
  expect_match(n1, "so that fewer cells of the other rows are hidden", fixed = TRUE)
  expect_match(crosstab_note(c("Other", "Not known")), "need not hide cells of the other rows", fixed = TRUE)
  # on a table: whenever the kept note is there, the merge note does not say "need not hide"
  for (note in ethnic_crosstab_notes()) {
    if (grepl("suppressed with some cells of the other rows", note, fixed = TRUE)) {
      expect_no_match(note, "need not hide cells of the other rows", fixed = TRUE)
    }
  }
})

test_that("each audit line says what its number counts, and no detail claims what did not happen (reader 9, R6)", {
  au <- richmond_audit()
  au$detail[au$step == "factor codes read"] <- "AssessmentFactors values split at commas"
  au$detail[au$step == "children kept (with an assessment)"] <- "3030 distinct children in the returns; 0 with no assessment read"
  au$detail[au$step == "factors excluded"] <- "1C (89), 2C (115), 8B (3), 8C (5), 8D (2), 9A (45), 20 (633); not present: 1"
  au <- rbind(au[1:14, ], data.frame(stage = "lsoa", step = "assessments with no LSOA in the lookup", n = 0,
                                     detail = "of 4445; 0 lookup rows blank", unit = "rows"), au[-(1:14), ])
  tab <- report_audit(au, 10)
  line <- function(step) tab[line_of(tab, step), ]
  # child records are records (a child in two returns has two), not children
  expect_identical(line("child records read")$Unit, "child records")
  expect_identical(line("children kept (with an assessment)")$Unit, "children")
  # a detail that only repeated the line's number says what the equality means
  expect_match(line("children kept (with an assessment)")$Detail, "^every child in the returns had an assessment")
  # how codes are counted, not a repair these data may never have needed
  expect_no_match(line("factor codes read")$Detail, "were split")
  # a line of none: no clause of zeros
  z <- line("assessments with no LSOA in the lookup")
  expect_identical(z$Number, "0")
  expect_identical(z$Detail, "none of 4,445")
  # the counts after the factors' names are episodes, and names are words, not acronyms
  ex <- line("factors excluded")$Detail
  expect_match(ex, "Alcohol misuse - other person (1C): 89 episodes; ", fixed = TRUE)
  expect_match(ex, "Unaccompanied asylum-seeking child (9A): 45 episodes", fixed = TRUE)
  expect_no_match(ex, "UASC", fixed = TRUE)
  expect_no_match(ex, "\\): [0-9,]+(;|$)")
  # a state, not a bare noun
  expect_false("Assessments" %in% tab$Step)
  expect_true("Assessments kept" %in% tab$Step)
  # a children-kept line whose children differ from those in the returns keeps its count
  au$detail[au$step == "children kept (with an assessment)"] <- "3100 distinct children in the returns; 70 with no assessment read"
  expect_match(report_audit(au, 10)$Detail[line_of(report_audit(au, 10), "children kept (with an assessment)")],
               "3,100 distinct children in the returns; 70 with no assessment read", fixed = TRUE)
})

test_that("the audit's words agree with its numbers: 'the other ... its count', '1 factor', records matched to children (reader 10)", {
  # three hidden factors, two rare and one complement: "the other ... its count" (old: "their counts")
  x <- "Neglect (2B): 40; Self-harm (7A): c; Gangs (24A): c; Trafficking (12A): c"
  raw <- "Neglect (2B): 40; Self-harm (7A): 4; Gangs (24A): 15; Trafficking (12A): 3"
  out <- report_rare_factors(x, 10, raw = raw)
  expect_match(out, "three more factors, not counted one by one: two recorded fewer than 10 times, the other hidden so that its count cannot be worked out", fixed = TRUE)
  raw2 <- "Neglect (2B): 40; Self-harm (7A): 4; Gangs (24A): 15; Trafficking (12A): 13"
  expect_match(report_rare_factors(x, 10, raw = raw2), "one recorded fewer than 10 times, the others hidden so that their counts", fixed = TRUE)
  # a unit agrees with a number of one, on any line not about children
  au <- richmond_audit()
  au$n[au$step == "factors excluded"] <- 1
  au$n[au$step == "census returns read"] <- 1
  tab <- report_audit(au, 10)
  line <- function(step) tab[line_of(tab, step), ]
  expect_identical(line("factors excluded")$Unit, "factor")
  expect_identical(line("census returns read")$Unit, "return")
  expect_false(any(tab$Number == "1" & grepl("s$", tab$Unit)))
  expect_identical(unit_singular(c("factors", "children", "child records", "returns", "categories")),
                   c("factor", "child", "child record", "return", "category"))
  # child records read (4,710) to children kept (3,030): the step between is said
  au <- richmond_audit()
  au$detail[au$step == "children kept (with an assessment)"] <- "3030 distinct children in the returns"
  kept <- line_of(report_audit(au, 10), "children kept (with an assessment)")
  d <- report_audit(au, 10)$Detail[kept]
  expect_match(d, "counted once (the records matched by the child's id), so the 4,710 child records are 3,030 children", fixed = TRUE)
  # some children without an assessment: the matching is said, no equation claimed
  au$detail[au$step == "children kept (with an assessment)"] <- "3100 distinct children in the returns; 70 with no assessment read"
  d2 <- report_audit(au, 10)$Detail[kept]
  expect_match(d2, "counted once (the records matched by the child's id)", fixed = TRUE)
  expect_no_match(d2, "child records are", fixed = TRUE)
})
