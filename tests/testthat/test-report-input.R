# What the report reads and how it says so (issue 23: items 6, 9, 10, 12).

# One council's two years of the example, as a data frame, as the object the
# reader returns and as XML returns written to a temporary folder (removed
# when the calling test ends).
example_routes <- function(env = parent.frame()) {
  one <- cin_example[cin_example$la == "E09000021" & cin_example$year %in% 2023:2024, ]
  list(one = one, a = read_cin_assessments(one),
       xml = write_cin_census_xml(one, withr::local_tempdir(.local_envir = env)))
}

test_that("report_data() takes every object the readers return, and every route gives the same episodes", {
  src <- example_routes()
  one <- src$one
  a <- src$a
  xml <- src$xml
  routes <- list(frame = report_data(one), assessments = report_data(a),
                 episodes = report_data(episode_factors(a)), xml = report_data(xml),
                 xml_object = report_data(read_cin_assessments(xml)))
  ref <- routes$frame
  keep <- c("council", "year", ref$items)
  for (r in names(routes)) {
    rd <- routes[[r]]
    expect_identical(rd$items, ref$items, info = r)
    expect_equal(as.data.frame(rd$episodes[keep]), as.data.frame(ref$episodes[keep]),
                 ignore_attr = TRUE, info = r)
    # the sample the likelihood ratio test runs on: the same episodes
    rows <- report_sample(rd, 500, seed = 2020)
    expect_equal(as.data.frame(rd$episodes[rows, ref$items]),
                 as.data.frame(ref$episodes[report_sample(ref, 500, seed = 2020), ref$items]),
                 ignore_attr = TRUE, info = r)
    expect_equal(rd$subtitle, "Simulated example data, reporting years 2022-23 to 2023-24", info = r)
  }
  # the same episodes in another row order give the same ordered table
  shuffled <- one[rev(seq_len(nrow(one))), ]
  expect_equal(as.data.frame(report_data(shuffled)$episodes[keep]), as.data.frame(ref$episodes[keep]),
               ignore_attr = TRUE)
})

test_that("report_sample() is a seeded random sample that leaves the user's random state alone", {
  d <- data.frame(x = 1:1000)
  set.seed(1)
  before <- .Random.seed
  s1 <- report_sample(d, 100, seed = 7)
  expect_identical(.Random.seed, before)
  expect_identical(s1, report_sample(d, 100, seed = 7))
  expect_false(identical(s1, report_sample(d, 100, seed = 8)))
  expect_length(unique(s1), 100)
  expect_false(is.unsorted(s1))
  expect_identical(report_sample(d, 5000, seed = 7), 1:1000)
  # spread over the whole table, not a block (a systematic sample would be
  # evenly spaced: this one is not)
  expect_gt(length(unique(diff(s1))), 20)
  expect_error(report_sample(d, 0, seed = 1), class = "cscdemand_error")
})

test_that("the subtitle names the source and the years actually read", {
  expect_identical(report_years_text(c(2025, 2023, 2024)), "2022-23 to 2024-25")
  expect_identical(report_years_text(2024), "2023-24")
  expect_identical(report_years_text(c(2022, 2024)), "2021-22 and 2023-24")
  expect_identical(report_years_text(NULL), "")
  ex <- cin_example[cin_example$la == "E09000021" & cin_example$year %in% 2023:2024, ]
  ex$true_class <- NULL  # as a council's own extract
  expect_identical(report_data(ex)$subtitle, "The council's CIN extract, reporting years 2022-23 to 2023-24")
  expect_identical(report_data(ex)$source, "the council's CIN extract")
  dir <- withr::local_tempdir()
  p <- write_cin_census_xml(ex, dir)
  for (f in p) {
    txt <- readLines(f, warn = FALSE)
    writeLines(sub("cscdemand synthetic", "Liquidlogic LCS", txt, fixed = TRUE), f)
  }
  rd <- report_data(p)
  expect_identical(rd$subtitle, "CIN census returns 2022-23 to 2023-24")
  expect_identical(rd$years_text, "2022-23 to 2023-24")
  # the years actually read: a year filter shows in the subtitle
  expect_identical(report_data(p, years = 2024)$subtitle, "CIN census returns 2023-24")
  # simulated data stay simulated on every route
  expect_match(report_data(episode_factors(cin_example))$subtitle, "^Simulated example data")
  expect_identical(report_data("example")$source, "simulated example data")
})

test_that("the audit reads as English: factor names first, no element or column names, separators", {
  rd <- report_data("example")
  au <- rd$audit
  txt <- paste(c(au$Step, au$Detail), collapse = " ")
  # the council's own episodes (with several councils in the data): the
  # episodes of Leicestershire recording 3C, from the raw rows
  leics <- cin_example[cin_example$la == "E10000018", ]
  n3c <- length(unique(leics$episode_id[grepl("(^|,)3C(,|$)", leics$factors)]))
  expect_match(txt, paste0("Domestic abuse - other person (3C): ", format(n3c, big.mark = ",")), fixed = TRUE)
  expect_match(txt, "only \"No factors identified\" (21)", fixed = TRUE)
  expect_no_match(txt, "CINdetails|AssessmentFactors|LAchildID")
  expect_no_match(txt, "birth_date|referral_source_code|cp_category_code")
  expect_no_match(txt, "coded 21", fixed = TRUE)
  # excluded factors no episode records: a sentence, not "not present: 1"
  # (the line's count is the factors it names and those it counts)
  expect_match(txt, "; one more excluded factor is not recorded in any episode", fixed = TRUE)
  expect_no_match(txt, "not present:", fixed = TRUE)
  # no line of process (the extract's columns not used), and no detail that
  # repeats its step
  expect_false("Columns not used" %in% au$Step)
  no_f <- grep("No factors identified", au$Step)
  expect_false(grepl("^[0-9,]+ with only \"No factors identified\" \\(21\\)$", au$Detail[no_f]))
  # no count of 1,000 or more without its separator (years excepted)
  bare <- as.numeric(unlist(regmatches(txt, gregexpr("(?<![0-9,.A-Za-z_-])[0-9]{4,}(?![0-9A-Za-z_.-])", txt, perl = TRUE))))
  expect_true(all(bare >= 1990 & bare <= 2099))
  # a count of columns under the threshold is shown, never "c"
  cols <- au$Unit %in% c("columns", "factors")
  expect_true(any(cols))
  expect_false(any(au$Number[cols] == "c"))
  # and the first letter of each step a capital
  expect_true(all(grepl("^[A-Z]", au$Step)))
  # R's words and catch-alls are not a reader's: no "data frame", and each
  # count not of children names its own unit
  expect_no_match(paste(unlist(au), collapse = " "), "data frame|columns or codes")
  expect_identical(au$Unit[au$Step == "Factors excluded"], "factors")
  # "Rows read" repeats the count of "Factor codes kept": one line, with its detail
  # (the council's own audit: the rows read are the whole extract's, so
  # where they came from is said on the line of its assessments)
  expect_match(au$Detail[grepl("^assessments", attr(au, "steps"))], "from the simulated example data", fixed = TRUE)
  rdf <- report_data(cin_example[cin_example$la == "E09000021", ])
  expect_no_match(paste(unlist(rdf$audit), collapse = " "), "data frame")
  # the XML route: census element names go too
  one <- cin_example[cin_example$la == "E09000021" & cin_example$year == 2024, ]
  rdx <- report_data(write_cin_census_xml(one, withr::local_tempdir()))
  expect_no_match(paste(rdx$audit$Step, rdx$audit$Detail, collapse = " "), "CINdetails|AssessmentFactors")
})

test_that("report_big_marks() formats counts but not years, codes or file names", {
  expect_identical(report_big_marks("from 22617 assessments; years 2023 and 2024; cin_2024.xml; 12345"),
                   "from 22,617 assessments; years 2023 and 2024; cin_2024.xml; 12,345")
  # a count that looks like a year is still a count (Other (20): 2035)
  expect_identical(report_big_marks(c("Other (20): 2035", "year 2024", "")),
                   c("Other (20): 2,035", "year 2024", ""))
})

test_that("p-values are never written as 0 or 1, and a bootstrap floor is respected", {
  expect_identical(format_p(c(0.5, 0.0312, 0.004, 1e-9, 1, NA, 0.9991, 0)),
                   c("0.50", "0.031", "< 0.01", "< 0.001", "> 0.99", "", "> 0.99", "< 0.001"))
  # a bootstrap p-value at its floor says what it is, not "<= 0.01"
  expect_identical(format_p(c(0.01, 0.2, 0.76), floor = 1 / 100),
                   c("0.01 (the lowest 99 replicates can give)", "0.20", "0.76"))
  expect_identical(format_p(c(0.01, 0.01), floor = c(1 / 100, 1 / 1000)),
                   c("0.01 (the lowest 99 replicates can give)", "0.010"))
  expect_identical(format_p(1 / 21, floor = 1 / 21), "0.048 (the lowest 20 replicates can give)")
  expect_identical(format_p(0.03, floor = 0.03), "0.03 (the lowest this test can give)")
  expect_identical(format_p(c(0.01, 0.5), floor = 0.01, short = TRUE), c("0.01 (lowest possible)", "0.50"))
  expect_false(any(grepl("\u2264|<=", format_p(c(1 / 100, 1 / 1000), floor = c(1 / 100, 1 / 1000)))))
  expect_error(format_p("0.1"), class = "cscdemand_error")
  expect_error(format_p(c(0.1, 0.2, 0.3), floor = c(0.1, 0.2)), class = "cscdemand_error")
})

test_that("the invariance print reads as English: across three councils", {
  expect_identical(group_noun("la", 3), "three councils")
  expect_identical(group_noun("la", 12), "12 councils")
  expect_identical(count_words(c(0, 1, 2, 9, 10, 1234)), c("no", "one", "two", "nine", "10", "1,234"))
  expect_identical(group_noun("council", 1), "one council")
  expect_identical(group_noun("year", 2), "two reporting years")
  expect_identical(group_noun("team", 4), "four groups of team")
  inv <- structure(list(table = data.frame(k = 2, model = c("configural", "invariant"), loglik = c(-10, -12),
                                           npar = c(20, 12), AIC = 1, BIC = c(2, 1), LR = c(NA, 4),
                                           df = c(NA, 8), p_value = c(NA, 0.9999)),
                        items = NULL, group = "la", groups = c("a", "b", "c")),
                   class = "cscdemand_invariance")
  out <- capture.output(print(inv))
  expect_match(out[1], "Measurement invariance across three councils", fixed = TRUE)
  expect_false(any(grepl("groups of la", out, fixed = TRUE)))
  expect_true(any(grepl("> 0.99", out, fixed = TRUE)))
})

test_that("the sector readers' objects go in too, and the subtitle names their tables", {
  d <- simulate_cin(years = 2023:2024, n_episodes = 1500, layout = "long", seed = 9)
  e <- d[!duplicated(d$episode_id), ]
  f <- function(x) format(x, "%Y-%m-%d")
  tabs <- list(
    CINdetails = data.frame(LAchildID = e$child_id, CINdetailsID = e$episode_id,
                            CINreferralDate = f(e$referral_date), ReferralNFA = "false"),
    Assessments = data.frame(LAchildID = d$child_id, CINdetailsID = d$episode_id,
                             AssessmentActualStartDate = f(pmax(d$referral_date, d$assessment_date - 3)),
                             AssessmentAuthorisationDate = f(d$assessment_date),
                             AssessmentFactors = d$factor))
  a <- read_cin_d2i(tabs, la = "314")
  rd <- report_data(a)
  expect_match(rd$subtitle, "^Data to Insight .*, reporting years 2022-23 to 2023-24$")
  expect_match(rd$source, "^the council's Data to Insight")
  # the same factors, episode for episode, as the data frame the tables came from
  ref <- report_data(d)
  expect_identical(rd$items, ref$items)
  expect_equal(colSums(as.data.frame(rd$episodes[rd$items])), colSums(as.data.frame(ref$episodes[ref$items])))
})

test_that("the report's BLRT gives the same p-values and K on every route in", {
  # issue 25: a data frame, XML returns, the objects the readers return; the
  # sample the test runs on is drawn with the recorded seed
  src <- example_routes()
  one <- src$one
  a <- src$a
  xml <- src$xml
  routes <- list(frame = report_data(one), assessments = report_data(a),
                 xml = report_data(xml), xml_object = report_data(read_cin_assessments(xml)),
                 shuffled = report_data(one[rev(seq_len(nrow(one))), ]))
  items <- routes$frame$items[1:8]
  # each route through the template's steps: the enumeration on every
  # episode, the rule's K, cross-validation, the tests next to that K on the
  # seeded sample, and the K the report states
  choose <- function(rd) {
    ep <- rd$episodes
    en <- suppressWarnings(lca_enumerate(ep, k = 1:4, items = items, starts = 3, seed = 2020,
                                         verbose = FALSE))
    cv <- suppressWarnings(lca_cv(ep[items], k = 1:4, folds = 3, starts = 2, seed = 2020,
                                  verbose = FALSE))
    k_use <- report_k_choice(en$table)$k
    bl <- suppressWarnings(report_blrt(rd, items, k = 2:4, k_use = k_use, reps = 9, sample = 400,
                                       seed = 2020))
    list(table = en$table, cv = cv$table, blrt = bl,
         choice = report_k_choice(en$table, cv = cv, blrt = bl, blrt_reps = 9, seed = 2020))
  }
  runs <- lapply(routes, choose)
  ref <- runs$frame$blrt
  expect_identical(attr(ref, "sample"), 400)
  expect_identical(attr(ref, "seed"), 2020)
  for (r in names(runs)) {
    expect_equal(runs[[r]]$table$loglik, runs$frame$table$loglik, tolerance = 1e-8, info = r)
    expect_equal(runs[[r]]$cv$heldout_ll, runs$frame$cv$heldout_ll, tolerance = 1e-8, info = r)
    expect_identical(runs[[r]]$blrt$k, ref$k, info = r)
    expect_identical(runs[[r]]$blrt$p_value, ref$p_value, info = r)
    expect_equal(runs[[r]]$blrt$LR, ref$LR, tolerance = 1e-8, info = r)
    ch <- runs[[r]]$choice
    expect_identical(ch[c("k", "k_rule", "k_bic", "k_cv", "k_blrt")],
                     runs$frame$choice[c("k", "k_rule", "k_bic", "k_cv", "k_blrt")], info = r)
    expect_identical(ch$text, runs$frame$choice$text, info = r)
  }
  # the BLRT's K is read from the tests themselves (not a constant)
  expect_identical(runs$frame$choice$k_blrt, {
    ns <- ref$k[ref$p_value > 0.05]
    if (length(ns)) min(ns) - 1 else max(ref$k)
  })
  # the sample is the one report_sample() draws with that seed, and another
  # seed draws another sample
  rows <- report_sample(routes$frame, 400, seed = 2020)
  d <- routes$frame$episodes[rows, items]
  d <- d[vapply(d, function(v) length(unique(v[!is.na(v)])) > 1, logical(1))]
  direct <- suppressWarnings(lca_blrt(d, k = ref$k[1], reps = 9, seed = 2020, verbose = FALSE))
  expect_identical(direct$table$p_value, ref$p_value[1])
  expect_false(identical(report_sample(routes$frame, 400, seed = 2021), rows))
})

test_that("the report's BLRT tests only next to the chosen K, and agrees with testing every K", {
  # issue 25 (cost): from k_use upwards while significant, or downwards
  # while not; the K it supports is the one the sequence from K = 2 gives
  probs <- rbind(c(.9, .8, .1, .1, .2, .1), c(.1, .2, .9, .8, .1, .2),
                 c(.1, .1, .2, .1, .9, .9))
  d <- simulate_lca(n = 1500, probs = probs, class_size = c(.5, .3, .2), seed = 8)
  items <- grep("^item", names(d), value = TRUE)
  run <- function(k_use, threads = 2L) {
    suppressWarnings(report_blrt(d, items, k = 2:5, k_use = k_use, reps = 19, starts = 2,
                                 sample = 5000, seed = 1, threads = threads))
  }
  every <- suppressWarnings(lca_blrt(d[items], k = 2:5, reps = 19, starts = 2, seed = 1,
                                     verbose = FALSE))$table
  expect_identical(every$p_value <= 0.05, c(TRUE, TRUE, FALSE, FALSE))  # 3 classes
  k_of <- function(bl) report_k_choice(data.frame(k = 1:5, BIC = 5:1, SABIC = 5:1), blrt = bl)$k_blrt
  up <- run(3)  # 3 against 2 significant, then 4 against 3 not: stop
  expect_identical(up$k, 3:4)
  expect_identical(names(up), names(every))
  expect_identical(up$p_value, every$p_value[every$k %in% 3:4])
  down <- run(5)  # 5 against 4 not significant: down to the first significant test
  expect_identical(down$k, 3:5)
  expect_identical(down$p_value, every$p_value[every$k %in% 3:5])
  expect_equal(k_of(up), k_of(every))
  expect_equal(k_of(down), k_of(every))
  expect_equal(k_of(every), 3)
  # the seed, not the thread count, decides which tests run and their results
  expect_identical(run(5, threads = 1L), down)
  # the text names the Ks tested
  txt <- report_k_choice(data.frame(k = 1:5, BIC = 5:1, SABIC = 5:1), blrt = up, blrt_reps = 19)$note
  expect_match(txt, "of one category fewer against each number of categories from three to four, (up to )?19 replicates")
  expect_identical(grepl("up to 19", txt, fixed = TRUE), any(up$reps < 19))
})

test_that("the report's invariance check stops its starts as the enumeration does (patience)", {
  # Without patience, an invariant model whose best fit is not replicated
  # (common at the K a large extract supports) ran to the 200-start cap: in a
  # 200,000-episode knit 115 s of CPU for the log-likelihood its first batch
  # had found (bench/RESULTS.md). The call in the template must pass it.
  rmd <- system.file("rmarkdown", "templates", "demand-report", "skeleton", "skeleton.Rmd",
                     package = "cscdemand")
  lines <- readLines(rmd)
  open <- grep("^```\\{r", lines)
  close <- grep("^```\\s*$", lines)
  code <- unlist(lapply(open, function(o) lines[seq.int(o + 1L, min(close[close > o]) - 1L)]))
  expr <- parse(text = code)
  calls <- list()
  find <- function(e) {
    if (is.call(e)) {
      if (identical(e[[1]], as.name("lca_invariance"))) calls[[length(calls) + 1L]] <<- e
      for (a in as.list(e)[-1]) if (!missing(a)) find(a)
    }
  }
  for (e in expr) find(e)
  expect_length(calls, 1L)
  ctl <- calls[[1]]$control
  expect_false(is.null(ctl))
  expect_identical(eval(ctl)$patience, 1L)
})
