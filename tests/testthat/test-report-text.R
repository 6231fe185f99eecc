# The argued choice of K and the deprivation sentences (issue 23: items 7, 10).

# The rule's criterion (k_rule_criterion) and the tables below: a table
# made by hand gets the rule's column equal to its BIC unless the test sets it.
with_rule <- function(tb, values = tb$BIC) {
  tb[[k_rule_criterion]] <- values
  tb
}
rule_k <- function(tb) tb$k[tb$k >= 2][which.min(tb[[k_rule_criterion]][tb$k >= 2])]

test_that("the K rule is what the text says: lowest of the rule's criterion with K >= 2, whatever the others say", {
  tab <- data.frame(k = 1:6, BIC = c(500, 450, 440, 445, 452, 460), SABIC = c(490, 440, 420, 418, 425, 440),
                    AIC = c(480, 430, 410, 400, 399, 405), CAIC = c(510, 455, 452, 460, 470, 480),
                    n_best = 5, n_finished = 5)
  cv <- data.frame(k = 1:6, heldout_ll = c(-5, -4.8, -4.7, -4.65, -4.6, -4.7))
  bl <- data.frame(k = 2:5, p_value = c(0.01, 0.01, 0.01, 0.4))
  r <- report_k_choice(tab, cv, bl, blrt_reps = 99, blrt_size = 3000, blrt_total = 18641, seed = 2020)
  expect_identical(r$k, rule_k(tab))
  expect_identical(r$rule, k_rule_criterion)
  expect_identical(r$k_cv, 5L)
  expect_equal(r$k_blrt, 4)
  expect_equal(r$k_ic, c(BIC = 3, SABIC = 4, AIC = 5, CAIC = 3))
  expect_false(r$agree)
  # every abbreviation spelled out where it first appears in the note
  expect_match(r$note, "CAIC (the consistent AIC) with three categories", fixed = TRUE)
  expect_match(r$text, paste0("the report takes the number with the lowest ", k_rule_label[[k_rule_criterion]]),
               fixed = TRUE)
  expect_match(r$text, "The rule was fixed before looking at the categories", fixed = TRUE)
  # constructed tables: the K used is the lowest of the rule's criterion among K >= 2, never another's
  set.seed(25)
  for (i in 1:200) {
    kk <- 1:sample(3:12, 1)
    tb <- data.frame(k = kk, BIC = stats::runif(length(kk)), AIC = stats::runif(length(kk)))
    tb <- with_rule(tb, stats::runif(length(kk)))
    cvr <- data.frame(k = kk, heldout_ll = stats::runif(length(kk)))
    blr <- data.frame(k = kk[-1], p_value = stats::runif(length(kk) - 1))
    got <- report_k_choice(tb, cvr, blr)
    expect_identical(got$k, kk[-1][which.min(tb[[k_rule_criterion]][-1])])
    expect_identical(got$k_bic, kk[which.min(tb$BIC)])
  }
  # the lowest BIC at K = 1: the best model with two or more classes, and the text says why
  tab1 <- with_rule(data.frame(k = 1:3, BIC = c(100, 120, 110), n_best = 3, n_finished = 3))
  r1 <- report_k_choice(tab1)
  expect_identical(r1$k, 3L)
  expect_match(r1$text, "a single category describes nothing", fixed = TRUE)
  expect_match(r1$note, "Lowest BIC with one category", fixed = TRUE)
  # the analyst's K
  r4 <- report_k_choice(tab, cv, k_use = 5)
  expect_identical(r4$k, 5)
  expect_match(r4$text, "as set by the analyst", fixed = TRUE)
  expect_match(r4$text, paste0("the lowest ", k_rule_criterion, " with at least two categories, gives ", count_words(rule_k(tab))),
               fixed = TRUE)
  expect_error(report_k_choice(data.frame(k = 1, BIC = 3)), class = "cscdemand_error_data")
})

test_that("the K text says where the criteria disagree, in plain words and in the note", {
  tab <- with_rule(data.frame(k = 1:6, BIC = c(500, 450, 440, 445, 452, 460), AIC = c(480, 430, 410, 400, 399, 405),
                              n_best = 5, n_finished = 5))
  cv <- data.frame(k = 1:6, heldout_ll = c(-5, -4.8, -4.7, -4.65, -4.6, -4.7))
  bl <- data.frame(k = 2:5, p_value = c(0.01, 0.01, 0.01, 0.4))
  r <- report_k_choice(tab, cv, bl, blrt_reps = 99, blrt_size = 3000, blrt_total = 18641, seed = 2020)
  expect_match(r$text, "They disagree: BIC and SABIC point to three; the bootstrap test to four; AIC and cross-validation to five", fixed = TRUE)
  # the study's comparison with the check, once, in the note (reader 10, F5)
  expect_match(r$note, paste0("In the simulation study, on the "), fixed = TRUE)
  expect_no_match(r$text, paste0("In the simulation study, on the "), fixed = TRUE)
  expect_no_match(r$text, "so the report prefers it to a check that points higher", fixed = TRUE)
  # a rate measured on other data, never a claim that the rule is the
  # strictest or a guarantee for these data
  expect_no_match(r$text, "stricter|does not show a category", perl = TRUE)
  expect_match(r$note, "Lowest BIC with three categories", fixed = TRUE)
  expect_match(r$note, "AIC with five categories.", fixed = TRUE)
  expect_match(r$note, "random sample of 3,000 of the 18,641 episodes", fixed = TRUE)
  # no "K", no undefined abbreviation, no seed without its meaning, no vignette
  expect_no_match(paste(r$text, r$note), "\\bK\\b|vignette|seed [0-9]", perl = TRUE)
  expect_match(r$note, "^\\*For the statistician: ")
  # both checks at the same K
  r5 <- report_k_choice(tab, data.frame(k = 1:6, heldout_ll = c(-5, -4.8, -4.7, -4.6, -4.65, -4.7)), bl)
  expect_match(r5$text, "cross-validation and the bootstrap test to four", fixed = TRUE)
  # a check below the rule's K: the sample's lower power is said only when there is a sample
  bl_low <- data.frame(k = 2:4, p_value = c(0.01, 0.3, 0.5))
  r6 <- report_k_choice(tab, NULL, bl_low, blrt_size = 3000, blrt_total = 18641, seed = 1)
  expect_match(r6$text, "the bootstrap test points to two", fixed = TRUE)
  expect_match(r6$text, paste0("run on a sample of the episodes, has less power than ", k_rule_criterion), fixed = TRUE)
  expect_no_match(report_k_choice(tab, NULL, bl_low)$text, "sample", fixed = TRUE)
  # what a check lower than the rule found, never that it "asks for stronger evidence"
  expect_match(report_k_choice(tab, NULL, bl_low)$text,
               "The bootstrap test finds no gain from the extra categories beyond what chance gives", fixed = TRUE)
  two_down <- report_k_choice(tab, data.frame(k = 1:6, heldout_ll = c(-5, -4.7, -4.8, -4.9, -5, -5)), bl_low)$text
  expect_match(two_down, "Cross-validation finds that the extra categories do not predict held-out episodes better", fixed = TRUE)
  expect_no_match(two_down, "stronger evidence|stricter", perl = TRUE)
  # BIC lowest at one category: the checks pointing to one are not said to ask for more than BIC
  tab_one <- with_rule(data.frame(k = 1:3, BIC = c(100, 120, 110)))
  t1 <- report_k_choice(tab_one, data.frame(k = 1:3, heldout_ll = c(-1, -2, -3)))$text
  expect_match(t1, "BIC, SABIC and cross-validation point to one", fixed = TRUE)
  expect_no_match(t1, "stronger evidence than", fixed = TRUE)
  # agreement
  bl2 <- data.frame(k = 2:4, p_value = c(0.01, 0.01, 0.3))
  cv2 <- data.frame(k = 1:6, heldout_ll = c(-5, -4.8, -4.6, -4.65, -4.66, -4.7))
  r2 <- report_k_choice(tab, cv2, bl2, blrt_reps = 99)
  expect_true(r2$agree)
  expect_match(r2$text, "Both point to the same number.", fixed = TRUE)
  expect_no_match(r2$text, "disagree", fixed = TRUE)
  # the largest K tried
  r7 <- report_k_choice(tab, data.frame(k = 1:6, heldout_ll = c(-5, -4.8, -4.7, -4.65, -4.6, -4.5)))
  expect_match(r7$text, "cross-validation to six (the most tried: it may favour still more)", fixed = TRUE)
  expect_match(r7$note, "highest with six categories (the most fitted)", fixed = TRUE)
  # a significant gain at every K: the test sets no upper limit, and says so
  r3 <- report_k_choice(tab, NULL, data.frame(k = 2:6, p_value = 0.01), blrt_reps = 99)
  expect_match(r3$note, "at every number tested, up to six categories, so it sets no upper limit", fixed = TRUE)
})

test_that("no sentence of the K text says 'significant' without the test and its level", {
  tab <- data.frame(k = 1:6, BIC = c(500, 450, 440, 445, 452, 460), SABIC = c(490, 440, 420, 418, 425, 440),
                    n_best = c(5, 5, 5, 1, 1, 1), n_finished = 5)
  cvs <- list(NULL, data.frame(k = 1:6, heldout_ll = c(-5, -4.8, -4.7, -4.65, -4.6, -4.7)))
  bls <- list(NULL, data.frame(k = 2:6, p_value = 0.01), data.frame(k = 2:5, p_value = c(0.01, 0.01, 0.3, 0.5)),
              data.frame(k = 2:3, p_value = c(0.2, 0.5)))
  for (cv in cvs) for (bl in bls) for (ku in list(NULL, 4)) for (sz in list(NULL, 3000)) {
    r <- report_k_choice(tab, cv, bl, k_use = ku, blrt_reps = 39, blrt_size = sz, blrt_total = 18641,
                         seed = 7, alpha = 0.05)
    sentences <- unlist(strsplit(c(r$text, r$note), "(?<=[.;])\\s+", perl = TRUE))
    sig <- grep("significan", sentences, value = TRUE, ignore.case = TRUE)
    for (s in sig) {
      expect_match(s, "likelihood ratio test", fixed = TRUE)
      expect_match(s, "at the 5% level", fixed = TRUE)
    }
    expect_equal(length(sig), as.integer(!is.null(bl)))
    expect_match(r$note, paste0("of the model with ", count_words(r$k), " categories was reached by ", tab$n_best[tab$k == r$k]), fixed = TRUE)
  }
})

test_that("pooled deprivation results are labelled pooled, with the council's own beside them", {
  own <- data.frame(class = c("Neglect", "Domestic abuse", "Disability"), n = 500,
                    odds_ratio = c(0.98, 1.01, 1.2), lower = NA, upper = NA,
                    p_value = c(0.3, 0.7, 0.0001))
  pooled <- data.frame(class = c("Neglect", "Domestic abuse", "Disability"), n = 5000,
                       odds_ratio = c(0.9, 1.01, 1.1), lower = NA, upper = NA,
                       p_value = c(0.0001, 0.7, 0.001))
  s <- deprivation_sentences(own, pooled, council = "Sunderland", n_councils = 3)
  expect_match(s[1], "^In all three councils together \\(pooled")
  expect_match(deprivation_sentences(own, pooled, council = "Sunderland", n_councils = 2)[1],
               "^In both councils together \\(pooled")
  expect_match(s[1], "*Neglect* is more common in more deprived", fixed = TRUE)
  expect_match(s[2], "^In Sunderland alone, \\*Disability\\* is more common in less deprived")
  expect_no_match(s[2], "Neglect", fixed = TRUE)
  expect_match(s[3], "not Sunderland", fixed = TRUE)
  # one council: no pooled sentence
  s1 <- deprivation_sentences(own, council = "Sunderland")
  expect_length(s1, 1)
  expect_match(s1, "^In Sunderland, ")
  # Holm across the categories: 0.02 with three categories is not significant
  own2 <- own
  own2$p_value <- c(0.02, 0.5, 0.6)
  expect_match(deprivation_sentences(own2, council = "X"), "no category's chance changes clearly", fixed = TRUE)
})

test_that("the K text does not contradict itself about cross-validation", {
  tb <- with_rule(data.frame(k = 1:4, BIC = c(100, 90, 95, 99), n_best = c(5, 3, 1, 1), n_finished = 5))
  r <- report_k_choice(tb, data.frame(k = 1:4, heldout_ll = c(-3, -2.9, -2.85, -2.8)))
  expect_match(r$text, "cross-validation to four (the most tried", fixed = TRUE)
  # the study's comparison with the check, once, in the note (reader 10, F5)
  expect_match(r$note, paste0("In the simulation study, on the "), fixed = TRUE)
  expect_no_match(r$text, paste0("In the simulation study, on the "), fixed = TRUE)
  expect_no_match(paste(r$text, r$note), "sets no upper limit", fixed = TRUE)
  expect_match(r$note, "found more than once", fixed = TRUE)
  expect_match(report_k_choice(tb[c(1, 3, 4, 2), ])$note, "found more than once", fixed = TRUE)
})

test_that("the deprivation text names the editions used, and 'Not known' only when the row is there", {
  # 2011 codes only link to IMD 2019 (link_imd()), and the sentence says so, with no IMD 2025
  linked <- link_imd(data.frame(lsoa = c("E01000001", "E01000002", "E01999999")), lsoa = "lsoa",
                     on_unknown = "keep")
  eds <- unique(stats::na.omit(linked$imd_edition))
  t19 <- imd_edition_text(eds, not_known = FALSE)
  expect_match(t19$sentence, paste0("IMD ", eds, " decile"))
  expect_no_match(t19$sentence, "Not known")
  expect_match(t19$reference, paste("English Indices of Deprivation", eds))
  expect_equal(lengths(regmatches(t19$reference, gregexpr("English Indices of Deprivation 20[0-9]{2}", t19$reference))), 1)
  if (identical(as.integer(eds), 2019L)) expect_no_match(t19$reference, "Deprivation 2025")
  # both vintages: both editions, each cited
  both <- imd_edition_text(c(2025, 2019, NA), not_known = TRUE)
  expect_match(both$sentence, "IMD 2019 and IMD 2025")
  expect_match(both$sentence, "\"Not known\"")
  expect_equal(sum(grepl("English Indices of Deprivation 20(19|25)", both$reference)), 2)
  expect_error(imd_edition_text(2010), class = "cscdemand_error_data")
})

# A cross-validation result with given fold-by-fold scores (rows: folds,
# columns: numbers of categories), as lca_cv() returns it.
fake_cv <- function(ll, ks) {
  fr <- data.frame(fold = rep(seq_len(nrow(ll)), times = ncol(ll)), k = rep(ks, each = nrow(ll)),
                   n_test = 100, heldout_ll = as.vector(ll))
  tab <- data.frame(k = ks, heldout_ll = colMeans(ll), se = apply(ll, 2, stats::sd) / sqrt(nrow(ll)))
  structure(list(table = tab, folds = fr, method = "kfold", seed = 1, group = NULL),
            class = "cscdemand_lca_cv")
}

test_that("cross-validation is read with its noise: paired fold differences (issue 23, fifth reading)", {
  # the reader's case: K = 5 to 8 within 0.015 of each other, folds varying
  # by about 0.1, so "cross-validation points to 6" over-reads the table
  set.seed(3)
  fold_level <- stats::rnorm(5, 0, 0.1)
  means <- c(-7.19, -7.07, -7.02, -6.967, -6.906, -6.891, -6.896, -6.896)
  e <- cbind(matrix(0, 5, 4), c(-0.04, -0.02, 0, 0.02, 0.04), c(0.04, -0.04, 0.02, 0, -0.02),
             c(0, 0.04, -0.04, -0.02, 0.02), c(0.02, 0, 0.04, -0.04, -0.02))
  ll <- outer(fold_level, means, `+`) + e
  out <- report_cv_text(fake_cv(ll, 1:8))
  best <- which.max(colMeans(ll))
  # the paired standard error, as t.test computes it
  se <- vapply(setdiff(1:8, best), function(k) stats::t.test(ll[, best], ll[, k], paired = TRUE)$stderr, 0)
  d <- colMeans(ll)[best] - colMeans(ll)[setdiff(1:8, best)]
  expect_equal(out$near, sort(c(best, setdiff(1:8, best)[d < 2 * se])))
  expect_true(all(5:8 %in% out$near))
  expect_false(any(1:4 %in% out$near))
  expect_match(out$text, "cannot tell models with five to eight categories apart", fixed = TRUE)
  expect_no_match(out$text, "points to")
  # one colon to a sentence (reader 9: "... than with seven: compared fold by fold ...: a difference")
  sentences <- strsplit(out$text, "(?<=\\.) (?=[A-Z])", perl = TRUE)[[1]]
  expect_true(all(lengths(regmatches(sentences, gregexpr(":", sentences))) <= 1), info = out$text)
  # the chart's unpaired bars overlap for numbers the paired comparison tells
  # apart: the text says what its comparison is, naming exactly those (s8
  # reader, finding 9); the bars from the cv table's own standard errors
  tab <- fake_cv(ll, 1:8)$table
  ov <- setdiff(tab$k[abs(tab$heldout_ll[best] - tab$heldout_ll) < 2 * (tab$se + tab$se[best])], out$near)
  expect_gt(length(ov), 0)
  expect_match(out$text, paste0("the comparison here is of paired differences across the same folds, which vary less ",
                                "(a fold that is hard to predict is hard for every model), so ",
                                and_list(vapply(ov, count_words, ""))), fixed = TRUE)
  # bars that do not overlap: no such sentence
  sep <- outer(rep(0, 5), c(-7.5, -7, -6.5), `+`) + matrix(stats::rnorm(15, 0, 0.001), 5, 3)
  expect_no_match(report_cv_text(fake_cv(sep, 1:3))$text, "paired differences", fixed = TRUE)
  # a clear winner is named, with its smallest gap and that gap's standard error
  ll2 <- outer(fold_level, c(-7.2, -7.0, -6.8, -6.95), `+`) + matrix(stats::rnorm(20, 0, 0.005), 5, 4)
  out2 <- report_cv_text(fake_cv(ll2, 1:4))
  expect_equal(out2$near, 3)
  gap <- mean(ll2[, 3] - ll2[, 4])
  expect_match(out2$text, paste0("separates three categories .* to four categories, is ",
                                 formatC(gap, format = "f", digits = 4)))
  expect_error(report_cv_text(list()), class = "cscdemand_error")
})

test_that("the HTML report is finished for screen readers: language and header scopes", {
  f <- withr::local_tempfile(fileext = ".html")
  writeLines(c("<!DOCTYPE html>", "<html xmlns=\"http://www.w3.org/1999/xhtml\">", "<head><script>var s = '<th>';</script></head>",
               "<body>", "<table><thead><tr class=\"header\"><th>Age</th><th style=\"text-align: right;\">All</th></tr></thead>",
               "<tbody><tr><td>0-4</td><td>12</td></tr></tbody></table>", "</body></html>"), f)
  report_html_finish(f)
  h <- readLines(f)
  expect_match(h[2], "<html lang=\"en-GB\" xmlns=", fixed = TRUE)
  # every heading cell has its scope, wherever the attribute falls (a right-aligned heading has others first)
  expect_equal(lengths(regmatches(h[5], gregexpr("<th[^>]* scope=\"col\"", h[5]))), 2L)
  expect_match(h[5], "<thead>", fixed = TRUE)
  # scripts in the head are left alone; a second pass changes nothing
  expect_match(h[3], "'<th>'", fixed = TRUE)
  report_html_finish(f)
  expect_identical(readLines(f), h)
})

test_that("the report's rule is the one the K-selection study supports, and its text quotes the study", {
  # the study's table, read here from the shipped CSV, complete data sets only
  st <- utils::read.csv(system.file("extdata", "k_selection_study.csv", package = "cscdemand"))
  done <- paste(st$k_true, st$n, st$rep) %in% with(st[st$criterion == "CAIC", ], paste(k_true, n, rep))
  st <- st[done, ]
  ics <- c("BIC", "SABIC", "AIC", "CAIC")
  hit <- sapply(ics, function(ic) mean(st$k_pick[st$criterion == ic] == st$k_true[st$criterion == ic]))
  over <- sapply(ics, function(ic) mean(st$k_pick[st$criterion == ic] > st$k_true[st$criterion == ic]))
  # the rule fixed with the study: of the information criteria the report
  # always has, the one that picks the true K most often among those that
  # choose too many categories in at most 10% of the data sets
  ok <- over <= 0.10
  expect_identical(k_rule_criterion, names(which.max(hit[ok])))
  tab <- data.frame(k = 1:6, BIC = c(500, 450, 440, 445, 452, 460), SABIC = c(490, 440, 420, 418, 425, 440),
                    AIC = c(480, 430, 410, 400, 399, 405), CAIC = c(510, 455, 452, 460, 470, 480),
                    n_best = 5, n_finished = 5)
  r <- report_k_choice(tab)
  n_sets <- sum(st$criterion == k_rule_criterion)
  # the study's counts once, in the note; the text says in words how the rule did and which way it erred (reader 10, F5)
  expect_match(r$note, paste0(": ", n_sets, " data sets from latent class models"), fixed = TRUE)
  expect_no_match(r$text, paste0("of the ", n_sets), fixed = TRUE)
  expect_match(r$text, "when it missed, it chose too few (merging small or similar categories with others), never too many", fixed = TRUE)
  # counts of data sets, not percentages: a difference of one data set is visible as one
  cnt <- function(x) { m <- round(x * n_sets); if (m == 0) "none" else as.character(m) }
  expect_match(r$note, paste0("picked the true number of categories in ", cnt(hit[[k_rule_criterion]]), " of the ", n_sets), fixed = TRUE)
  expect_match(r$note, paste0("The rule (lowest ", k_rule_criterion, ", at least two categories)"), fixed = TRUE)
  expect_match(r$note, paste0("too many in ", cnt(over[[k_rule_criterion]])), fixed = TRUE)
  expect_no_match(r$text, "[0-9]%", perl = TRUE)
  gap <- abs(round(n_sets * hit[[k_rule_criterion]]) - round(n_sets * hit[["BIC"]]))
  expect_identical(grepl("about as often as BIC", r$text, fixed = TRUE), gap <= 1)
  # the rule's column, when a table made by hand lacks it, from the
  # log-likelihood as lca_enumerate() computes it
  d <- simulate_lca(n = 800, seed = 3)
  en <- lca_enumerate(d, k = 1:3, starts = 3, seed = 1, verbose = FALSE)$table
  bare <- en[c("k", "loglik", "npar", "nobs")]
  expect_equal(k_rule_column(bare, k_rule_criterion)[[k_rule_criterion]], en[[k_rule_criterion]])
  expect_identical(report_k_choice(bare)$k, report_k_choice(en)$k)
  if (k_rule_criterion != "BIC") {
    expect_error(report_k_choice(data.frame(k = 1:3, BIC = 3:1)), class = "cscdemand_error_data")
  }
})

# A K-selection study table made by hand: `sets` data sets of `k_true`
# classes at `n` episodes, with each criterion's pick.
fake_study <- function(picks, k_true = 7, n = 30000) {
  st <- do.call(rbind, lapply(seq_along(picks[[1]]), function(i) {
    data.frame(k_true = k_true, n = n, rep = i, seed = i, criterion = names(picks),
               k_pick = vapply(picks, `[`, numeric(1), i), cpu_s = 1)
  }))
  path <- withr::local_tempfile(fileext = ".csv", .local_envir = parent.frame())
  utils::write.csv(st, path, row.names = FALSE)
  k_study_rates(path)
}

test_that("a check pointing to more categories is argued from the study's table, both ways (s6 reader, finding 2)", {
  tab <- data.frame(k = 1:8, BIC = c(500, 450, 440, 445, 452, 460, 470, 480),
                    SABIC = c(490, 440, 420, 418, 415, 410, 405, 406), n_best = c(1, 5, 5, 5, 5, 5, 5, 2),
                    n_finished = c(1, 5, 5, 5, 5, 5, 5, 10))
  cv <- data.frame(k = 1:8, heldout_ll = c(-5, -4.8, -4.7, -4.65, -4.6, -4.55, -4.5, -4.4))
  # the text of report_k_choice() for these tables, with the study given
  say <- function(study) {
    crit <- list(k = 7, k_best = 7, k_rule = 7, k_use = NULL, k_cv = 8L, k_blrt = NA, agree = FALSE,
                 rule = k_rule_criterion, study = study, cv_near = NULL, k_ic = c(BIC = tab$k[which.min(tab$BIC)], SABIC = 7))
    # the plain words, then the study's comparison (the note's, once)
    paste(c(report_k_disagree(crit, tab, NULL, NULL), k_up_study(crit, "cross-validation")), collapse = " ")
  }
  plain <- function(study) {
    crit <- list(k = 7, k_best = 7, k_rule = 7, k_use = NULL, k_cv = 8L, k_blrt = NA, agree = FALSE,
                 rule = k_rule_criterion, study = study, cv_near = NULL, k_ic = c(BIC = tab$k[which.min(tab$BIC)], SABIC = 7))
    paste(report_k_disagree(crit, tab, NULL, NULL), collapse = " ")
  }
  # the same words as the report's own call, on the shipped study
  expect_identical(plain(k_study_rates()), sub(" The measures are .*$", "",
                                             sub("^.*(The report also ran)", "\\1", report_k_choice(with_rule(tab, tab$SABIC), cv)$text)))
  base <- c(7, 7, 7, 7, 7, 7, 7, 7, 6, 6)
  ic <- function(p) list(BIC = p, SABIC = p, AIC = p, CAIC = p)
  rule <- k_rule_criterion
  # the rule and cross-validation equally good, and disagreeing: no reason to prefer either
  tie <- fake_study(c(ic(c(base[1:8], 7, 6)), list(CV = c(base[1:8], 6, 7))))
  t1 <- say(tie)
  expect_match(t1, paste0("on the 10 data sets where both were run, ", rule, " found the number of categories the data were made with in 9 and cross-validation in 9"), fixed = TRUE)
  expect_match(t1, paste0("in the 2 where they disagreed, ", rule, " was right in 1 and cross-validation in 1"), fixed = TRUE)
  expect_match(t1, "So the study gives little to choose between them (at most one data set apart).", fixed = TRUE)
  # the reason the report keeps its number, said once (reader 10, F5)
  expect_equal(lengths(regmatches(t1, gregexpr("fixed in advance", t1, fixed = TRUE))), 1)
  # one data set of difference is not a reason
  one <- fake_study(c(ic(base), list(CV = c(8, 7, 7, 7, 7, 7, 7, 7, 6, 6))))
  expect_match(say(one), "So the study gives little to choose between them", fixed = TRUE)
  # never a reason the table does not give
  expect_no_match(t1, "prefers it to a check that points higher", fixed = TRUE)
  # cross-validation chooses too many in the study: a reason for the rule
  over <- fake_study(c(ic(base), list(CV = c(8, 8, 7, 7, 7, 7, 7, 7, 6, 6))))
  t2 <- say(over)
  expect_match(t2, "cross-validation in 2; in the 2 where they disagreed", fixed = TRUE)
  expect_match(t2, paste0("So the study gives a reason to prefer ", rule, " when the two disagree."), fixed = TRUE)
  # cross-validation better in the study: said, and the larger model deserves a look
  better <- fake_study(c(ic(base), list(CV = rep(7, 10))))
  t3 <- say(better)
  expect_match(t3, "So in the study cross-validation did better.", fixed = TRUE)
  # but one measure of three pointing higher is not "the evidence favours more" (reader 12, N1)
  expect_no_match(t3, "favours more|only because", perl = TRUE)
  expect_match(t3, "The report keeps seven because its rule was fixed in advance, and the measures are divided", fixed = TRUE)
  # never disagreeing in the study: it cannot say which to trust here
  t4 <- say(fake_study(c(ic(base), list(CV = base))))
  expect_match(t4, "they never disagreed. So the study cannot say which to trust when they disagree.", fixed = TRUE)
  # a best fit found by few starts in the larger model: said, since it biases against that model
  expect_match(t1, "The best fit with eight categories was found by only 2 of 10 random starts", fixed = TRUE)
  # too few data sets with the check: the study is not quoted for it
  few <- fake_study(c(ic(base[1:3]), list(CV = base[1:3])))
  expect_match(say(few), "The simulation study ran cross-validation on only three data sets, so it cannot say which of SABIC and cross-validation to trust", fixed = TRUE)
})

test_that("the K text's study numbers are the shipped table's, computed, on the data sets both criteria ran on", {
  st <- utils::read.csv(system.file("extdata", "k_selection_study.csv", package = "cscdemand"))
  st$set <- paste(st$k_true, st$n, st$rep)
  rule <- k_rule_criterion
  a <- st[st$criterion == rule, ]
  b <- st[st$criterion == "CV", ]
  both <- intersect(a$set, b$set)
  a <- a[match(both, a$set), ]
  b <- b[match(both, b$set), ]
  dis <- a$k_pick != b$k_pick
  tab <- data.frame(k = 1:8, SABIC = c(490, 440, 420, 418, 415, 410, 405, 406), BIC = c(500, 450, 440, 445, 452, 460, 470, 480))
  tab$SABIC -> sab
  tab <- with_rule(tab, sab)
  r <- report_k_choice(tab, data.frame(k = 1:8, heldout_ll = c(-5, -4.8, -4.7, -4.65, -4.6, -4.55, -4.5, -4.4)))
  expect_match(r$note, paste0("on the ", length(both), " data sets where both were run, ", rule,
                              " found the number of categories the data were made with in ", sum(a$k_pick == a$k_true),
                              " and cross-validation in ", sum(b$k_pick == b$k_true)), fixed = TRUE)
  if (!any(dis)) expect_match(r$note, "they never disagreed", fixed = TRUE) else
    expect_match(r$note, paste0("in the ", sum(dis), " where they disagreed"), fixed = TRUE)
  # the note's classes and sizes are the table's, not words written once
  sizes <- vapply(range(st$n[st$set %in% st$set[st$criterion == "CAIC"]]), format, "", big.mark = ",", scientific = FALSE)
  expect_match(r$note, paste0("of ", sizes[1], " to ", sizes[2], " episodes"), fixed = TRUE)
  expect_match(r$note, paste0("models with ", and_list(sort(unique(st$k_true))), " classes"), fixed = TRUE)
  expect_no_match(r$note, "Kingston and national", fixed = TRUE)
})

test_that("the invariance note names the model whose best fit was not replicated, and what that does", {
  # an invariance result by hand: BIC prefers the shared categories
  tb <- data.frame(k = 3, model = c("invariant", "configural"), loglik = c(-1000, -950), npar = c(60, 120),
                   BIC = c(2400, 2700))
  inv <- list(table = tb, fits = list(
    `invariant k=3` = list(loglik = -1000.1234),
    `configural k=3` = list(loglik = -950.5, groups = data.frame(group = c("A", "B"), loglik = c(-1400.25, -2100.75)))))
  msg <- function(ll) paste0("The best log-likelihood (", fmt_num(ll, 3), ") was reached by only 1 of 5 starts run to convergence.")
  expect_length(report_invariance_starts(inv, 3), 0)
  expect_length(report_invariance_starts(inv, 3, msg(-123.456)), 0)
  # the shared model short of its maximum, and BIC prefers it anyway: stands
  s <- report_invariance_starts(inv, 3, msg(-1000.1234))
  expect_length(s, 1)
  expect_match(s, "^The best fit of the model with the same categories in every council \\(60 parameters\\)")
  expect_match(s, "BIC's preference for it stands.", fixed = TRUE)
  expect_no_match(s, "free in each council", fixed = TRUE)
  # one council's own fit of the free model: the free model is named, with the gap to close
  s <- report_invariance_starts(inv, 3, c("Other warning.", msg(-2100.75)))
  expect_match(s, "^The best fit of the model with categories free in each council \\(120 parameters, a set per council\\)")
  expect_match(s, "BIC prefers the model with the same categories in every council by 300", fixed = TRUE)
  expect_match(s, "would have to be 150 higher", fixed = TRUE)
  expect_match(s, "p-value may be too high.", fixed = TRUE)
  # a log-likelihood with thousands (formatted with commas)
  inv$fits[["configural k=3"]]$groups$loglik[2] <- -21659.54
  expect_length(report_invariance_starts(inv, 3, msg(-21659.54)), 1)
  # the shared model short, BIC preferring the free one: the p-value may be too low
  inv$table$BIC <- c(2700, 2400)
  expect_match(report_invariance_starts(inv, 3, msg(-1000.1234)), "p-value may be too low.", fixed = TRUE)
  # both
  expect_length(report_invariance_starts(inv, 3, c(msg(-1000.1234), msg(-950.5))), 2)
  expect_error(report_invariance_starts(list(), 3), class = "cscdemand_error")
  # on a real check, with its own warnings
  d <- simulate_lca(n = 600, seed = 3)
  d$council <- rep(c("A", "B"), 300)
  msgs <- character()
  real <- withCallingHandlers(
    lca_invariance(d, k = 2, group = "council", starts = 3, seed = 1, verbose = FALSE),
    cscdemand_warning_starts = function(w) {
      msgs <<- c(msgs, conditionMessage(w))
      invokeRestart("muffleWarning")
    }, warning = function(w) invokeRestart("muffleWarning"))
  out <- report_invariance_starts(real, 2, msgs)
  expect_type(out, "character")
  expect_lte(length(out), 2)
})

# A cross-validation result by hand: `folds` folds, per K a mean held-out
# log-likelihood and a fold-to-fold spread (paired across K by the fold's
# own offset, so differences between Ks have their own noise).
fake_cv <- function(means, spread, folds = 5, seed = 1) {
  set.seed(seed)
  off <- stats::rnorm(folds, 0, 0.05)
  fr <- do.call(rbind, lapply(seq_along(means), function(k) {
    e <- stats::rnorm(folds, 0, spread[k])
    e <- e - mean(e)
    data.frame(fold = seq_len(folds), k = k, heldout_ll = means[k] + off + e)
  }))
  tb <- do.call(rbind, lapply(split(fr, fr$k), function(x) data.frame(k = x$k[1], heldout_ll = mean(x$heldout_ll),
                                                                  se = stats::sd(x$heldout_ll) / sqrt(folds))))
  structure(list(table = tb, folds = fr), class = "cscdemand_lca_cv")
}

test_that("the K text says when the council is outside the study's sizes, and then quotes no verdict from it (s7 reader: 1,659 episodes, study from 3,000)", {
  sets <- attr(k_study_rates(), "sets")
  lo <- min(sets$n)
  hi <- max(sets$n)
  tab <- with_rule(data.frame(k = 1:6, BIC = c(500, 450, 440, 445, 452, 460), n_best = 5, n_finished = 5),
                   c(490, 440, 420, 418, 415, 416))
  cv <- data.frame(k = 1:6, heldout_ll = c(-5, -4.8, -4.7, -4.65, -4.6, -4.5))
  at <- function(n) report_k_choice(transform(tab, nobs = n), cv)
  small <- at(lo - 1)
  expect_identical(small$study_range, "below")
  expect_match(small$text, paste0("the study's smallest data sets had ", format(lo, big.mark = ","), " episodes, and this model was fitted to ",
                                  format(lo - 1, big.mark = ","), ", fewer than any of them: the study's figures do not apply to this report"),
               fixed = TRUE)
  # no verdict drawn from the study's comparison of the rule and the check
  expect_no_match(paste(small$text, small$note), "So the study gives|In the simulation study, on the", perl = TRUE)
  expect_match(small$text, "so it cannot say whether to trust the rule or cross-validation here", fixed = TRUE)
  # inside the range: no such sentence, the comparison quoted
  mid <- at(lo)
  expect_identical(mid$study_range, "inside")
  expect_no_match(mid$text, "fewer than any of them|more than any of them", perl = TRUE)
  expect_match(mid$note, "In the simulation study, on the", fixed = TRUE)
  big <- at(hi + 1)
  expect_identical(big$study_range, "above")
  expect_match(big$text, "more than any of them, so its figures are for smaller data sets than this one", fixed = TRUE)
  # the size as the caller writes it (a pooled model: not the exact count)
  expect_match(report_k_choice(transform(tab, nobs = lo - 1), cv, n_text = "about 2,000")$text,
               "this model was fitted to about 2,000, fewer", fixed = TRUE)
  # the trend by size is the study's own: the rule's too-few count at its smallest size
  rule <- k_rule_criterion
  s <- sets[sets$n == lo & !is.na(sets[[rule]]), ]
  if (mean(s[[rule]] < s$k_true) > mean(sets[[rule]][sets$n > lo] < sets$k_true[sets$n > lo], na.rm = TRUE)) {
    expect_match(small$text, paste0(sum(s[[rule]] < s$k_true), " of ", nrow(s), " at ", format(lo, big.mark = ","), " episodes"),
                 fixed = TRUE)
  }
})

test_that("cross-validation that cannot single out its number is not called agreement, and a number left out of its list is explained (s7 reader)", {
  # SABIC and cross-validation both best at six, but cross-validation cannot
  # tell six from four, five and eight; seven is told apart (it varies little)
  means <- c(-5, -4.8, -4.7, -4.601, -4.6005, -4.6, -4.603, -4.602)
  spread <- c(0.01, 0.01, 0.01, 0.02, 0.02, 0.0005, 0.0005, 0.02)
  cv <- fake_cv(means, spread)
  ct <- report_cv_text(cv)
  expect_identical(ct$best, 6L)
  expect_true(all(c(4, 5, 8) %in% ct$near))
  expect_false(7 %in% ct$near)
  expect_match(ct$text, "Seven categories, inside that range, is told apart from six while numbers on either side are not", fixed = TRUE)
  expect_match(ct$text, "so cross-validation does not single out one number between four and eight", fixed = TRUE)
  tab <- with_rule(data.frame(k = 1:8, BIC = c(500, 450, 440, 445, 452, 460, 470, 480), n_best = 5, n_finished = 5),
                   c(490, 440, 420, 418, 415, 410, 412, 416))
  bl <- data.frame(k = 6:7, p_value = c(0.01, 0.4))
  r <- report_k_choice(tab, cv, bl)
  expect_true(r$agree)
  expect_no_match(r$text, "point to the same number|points to the same number", perl = TRUE)
  expect_match(r$text, "Cross-validation scores six categories highest, but cannot tell six apart from four, five and eight", fixed = TRUE)
  expect_match(r$text, "the bootstrap test points to six", fixed = TRUE)
  # a clear preference: agreement said as before
  clear <- fake_cv(c(-5, -4.8, -4.7, -4.65, -4.62, -4.5, -4.6, -4.65), rep(0.001, 8))
  expect_length(report_cv_text(clear)$near, 1)
  expect_match(report_k_choice(tab, clear, bl)$text, "Both point to the same number.", fixed = TRUE)
})

test_that("criteria several categories apart are said, with what it means for how firm the categories are (s7 reader: BIC three, SABIC seven)", {
  tab <- data.frame(k = 1:8, BIC = c(500, 450, 440, 445, 452, 460, 470, 480),
                    SABIC = c(490, 440, 420, 418, 415, 410, 405, 406),
                    CAIC = c(510, 455, 445, 450, 460, 470, 480, 490), n_best = 5, n_finished = 5)
  tab <- with_rule(tab, tab$SABIC)
  r <- report_k_choice(tab)
  expect_identical(r$k_ic[["BIC"]], 3)
  expect_equal(as.numeric(r$spread), 4)
  expect_match(r$text, "The measures are four categories apart (BIC and CAIC three and SABIC (the rule) seven)", fixed = TRUE)
  expect_match(r$text, "so the data do not settle how many categories there are: seven is the rule's choice, not a firm finding", fixed = TRUE)
  expect_match(r$text, "With three categories some of this report's would be merged.", fixed = TRUE)
  # AIC alone far off is not "the measures" (it chose too many in the study)
  near <- with_rule(data.frame(k = 1:6, BIC = c(500, 450, 440, 438, 452, 460), AIC = c(480, 430, 410, 400, 399, 398)),
                    c(490, 440, 420, 418, 425, 440))
  r2 <- report_k_choice(near)
  expect_lt(as.numeric(r2$spread), 2)
  expect_no_match(r2$text, "The measures are", fixed = TRUE)
  # one category apart: not called a disagreement this large
  one <- report_k_choice(with_rule(data.frame(k = 1:6, BIC = c(500, 450, 440, 438, 452, 460)), c(490, 440, 420, 418, 417, 440)))
  expect_no_match(one$text, "not a firm finding", fixed = TRUE)
})

test_that("a best fit reached by fewer than half the starts is not 'found more than once' alone", {
  tab <- with_rule(data.frame(k = 1:3, BIC = c(500, 450, 440), n_best = c(1, 5, 2), n_finished = c(1, 5, 10)))
  r <- report_k_choice(tab)
  expect_match(r$note, "reached by 2 of 10 random starts, so the same best fit was found more than once, but by fewer than half of them", fixed = TRUE)
  tab$n_best[3] <- 6
  expect_no_match(report_k_choice(tab)$note, "fewer than half", fixed = TRUE)
})

test_that("a pooled model's number of episodes is written exactly: BIC and AIC beside it give it back (reader 12, N3), and no text promises it rounded", {
  own <- 1659
  for (n_all in c(1700, 5284, 18641, 60210, 250000)) {
    p <- report_pooled_total(n_all, own)
    expect_true(p$pooled)
    expect_identical(p$text, format(n_all, big.mark = ",", scientific = FALSE))
    expect_no_match(p$text, "about", fixed = TRUE)
  }
  # the reason rounding promised nothing: BIC - AIC = p (ln n - 2) gives n back
  tb <- data.frame(k = 2, loglik = -50000, npar = 209, nobs = 18634)
  tb <- k_rule_column(k_rule_column(tb, "BIC"), "AIC")
  expect_equal(round(exp((round(tb$BIC, 1) - round(tb$AIC, 1)) / tb$npar + 2)), 18634, tolerance = 10 / 18634)  # within ten episodes, printed to 0.1
  expect_identical(report_pooled_total(1659, 1659), list(text = "1,659", pooled = FALSE, safe = TRUE))
  expect_false(report_pooled_total(1665, 1659)$safe)
  expect_true(report_pooled_total(1669, 1659)$safe)
  # the K text, the fit note and the stability text print the exact number
  tab <- data.frame(k = 1:4, BIC = c(500, 450, 440, 445), SABIC = c(490, 440, 420, 430), n_best = 5, n_finished = 5,
                    entropy = c(NA, 0.7, 0.7, 0.7), nobs = 5284)
  txt <- report_pooled_total(5284, own)$text
  bl <- data.frame(k = 3:4, p_value = c(0.01, 0.5))
  r <- report_k_choice(tab, NULL, bl, blrt_reps = 99, blrt_size = 3000, blrt_total = 5284, seed = 1, n_text = txt)
  fn <- report_fit_note(tab, 3, blrt_size = 3000, blrt_total = 5284, seed = 1, n_text = txt)
  st <- stability_text(data.frame(name = "A", recovered = 1, change_median = 1, change_p95 = 2), ratio = c(0.5, 0.6),
                       word = "narrower than", weak = character(), reps = 50, max_change = 20, recovery = 0.95,
                       level = 0.95, n = own, nobs = 5284, nobs_text = txt)
  all_txt <- paste(r$text, r$note, fn, st)
  expect_no_match(all_txt, "about 5,300", fixed = TRUE)
  expect_match(fn, "With 5,284 episodes, BIC charges", fixed = TRUE)
  expect_match(r$note, "random sample of 3,000 of the 5,284 episodes", fixed = TRUE)
  expect_match(st, "5,284 episodes", fixed = TRUE)
  # the template and the help no longer promise a rounded number
  skel <- readLines(system.file("rmarkdown", "templates", "demand-report", "skeleton", "skeleton.Rmd", package = "cscdemand"))
  expect_false(any(grepl("given rounded", skel, fixed = TRUE)))
  expect_true(any(grepl("n_fit$text, \" episodes in all", skel, fixed = TRUE)))
})

test_that("other councils with fewer episodes than the threshold in all are not pooled (their count would come back from the fit)", {
  sim <- simulate_cin(las = c("Richmond upon Thames", "Kingston upon Thames"), years = 2025, seed = 3)
  # keep 4 of the other council's (Kingston upon Thames') episodes
  other_la <- "E09000021"
  keep_ep <- utils::head(unique(sim$episode_id[sim$la == other_la]), 4)
  few <- sim[sim$la != other_la | sim$episode_id %in% keep_ep, ]
  rd <- suppressMessages(report_data(few, council = "Richmond upon Thames"))
  expect_true(rd$others_left_out)
  expect_length(rd$councils, 1)
  expect_true(all(rd$own))
  expect_message(report_data(few, council = "Richmond upon Thames"), "too few to pool")
  # enough of them: pooled as before
  rd2 <- report_data(sim, council = "Richmond upon Thames")
  expect_false(rd2$others_left_out)
  expect_length(rd2$councils, 2)
})

test_that("the note gives the rule's margin over the next best number, and calls a near tie one", {
  tab <- with_rule(data.frame(k = 1:4, BIC = c(500, 450, 440, 445)), c(490, 440, 420.5, 420.4))
  r <- report_k_choice(tab)
  expect_match(r$note, paste0(k_rule_criterion, " is lower with four categories than with the next best, three categories, by 0.1: a near tie"), fixed = TRUE)
  tab2 <- with_rule(data.frame(k = 1:4, BIC = c(500, 450, 440, 445)), c(490, 440, 400, 430))
  expect_match(report_k_choice(tab2)$note, "than with the next best, four categories, by 30.0.", fixed = TRUE)
  expect_no_match(report_k_choice(tab2)$note, "near tie", fixed = TRUE)
})

test_that("the summary carries the K section's hedges, from the same quantities (s8 reader, finding 4)", {
  tab <- data.frame(k = 1:8, BIC = c(500, 450, 440, 445, 452, 460, 470, 480),
                    SABIC = c(490, 440, 420, 418, 415, 410, 405, 406),
                    CAIC = c(510, 455, 445, 450, 460, 470, 480, 490), n_best = 5, n_finished = 5)
  tab <- with_rule(tab, tab$SABIC)
  r <- report_k_choice(tab)
  s <- report_k_summary(r)
  # the body's words, and the body's range of the measures
  expect_match(r$text, "seven is the rule's choice, not a firm finding", fixed = TRUE)
  expect_match(s, "Seven is the rule's choice: the data do not settle the number, and the measures range from three to seven categories",
               fixed = TRUE)
  # "not a firm finding" once, in the body (reader 10, F5)
  expect_no_match(s, "not a firm finding", fixed = TRUE)
  # no hedge in the body, none in the summary
  one <- report_k_choice(with_rule(data.frame(k = 1:6, BIC = c(500, 450, 440, 438, 452, 460)), c(490, 440, 420, 418, 417, 440)))
  expect_null(report_k_summary(one))
  # a council smaller than the study's data sets: said in the summary too
  lo <- min(attr(k_study_rates(), "sets")$n)
  small <- report_k_choice(transform(tab, nobs = lo - 1))
  expect_match(report_k_summary(small), "and the study that checked the rule had no data set as small as this one", fixed = TRUE)
  # the analyst's number is the analyst's
  expect_match(report_k_summary(report_k_choice(tab, k_use = 5)), "Five is the analyst's choice", fixed = TRUE)
})

test_that("'supports seven' from a fit whose best was reached by one start says so (s8 reader, finding 5)", {
  tab <- with_rule(data.frame(k = 1:8, BIC = c(500, 450, 440, 445, 452, 460, 470, 480), n_best = c(1, 5, 5, 4, 3, 3, 4, 1),
                              n_finished = c(1, 5, 5, 4, 4, 4, 4, 1)),
                   c(490, 440, 420, 418, 415, 410, 408, 409))
  bl <- data.frame(k = 6:8, p_value = c(0.01, 0.03, 0.45))
  r <- report_k_choice(tab, blrt = bl, blrt_reps = 99)
  expect_match(r$note, "so it supports seven; but the best fit with eight categories was reached by one start only", fixed = TRUE)
  tab$n_best[8] <- 3
  tab$n_finished[8] <- 4
  expect_no_match(report_k_choice(tab, blrt = bl, blrt_reps = 99)$note, "one start only", fixed = TRUE)
})

test_that("the study note says each criterion's counts in words, with the data sets it ran on (s8 reader: '31 and 1 of 42')", {
  tab <- with_rule(data.frame(k = 1:6, BIC = c(500, 450, 440, 445, 452, 460), n_best = 5, n_finished = 5),
                   c(490, 440, 420, 418, 415, 416))
  r <- k_study_rates()
  note <- report_k_choice(tab)$note
  expect_no_match(note, "[0-9]+ and ([0-9]+|none)( of [0-9]+)?[;)]", perl = TRUE)
  o <- setdiff(intersect(c("BIC", "SABIC", "CV", "AIC"), rownames(r)), k_rule_criterion)[1]
  nm <- c(BIC = "BIC", SABIC = "SABIC", CV = "cross-validation", AIC = "AIC")[[o]]
  expect_match(note, paste0(nm, if (r[o, "data_sets"] != r[k_rule_criterion, "data_sets"]) paste0(", run on ", r[o, "data_sets"], " of them,"),
                            " found it in "), fixed = TRUE)
})

test_that("lists of names that hold commas are joined with semicolons, so the reader counts them right (reader 9, R1)", {
  cats <- c("Parental substance misuse, some with neglect", "Domestic abuse",
            "Disability, some with child mental health", "Physical abuse", "Harm outside the home")
  txt <- and_list(cats)
  # five items, four separators: a reader splitting at the separators finds five names
  expect_length(strsplit(sub("; and ", "; ", txt, fixed = TRUE), "; ", fixed = TRUE)[[1]], 5)
  expect_identical(txt, paste0("Parental substance misuse, some with neglect; Domestic abuse; ",
                               "Disability, some with child mental health; Physical abuse; and Harm outside the home"))
  expect_identical(or_list(cats[2:3]), "Domestic abuse; or Disability, some with child mental health")
  # names without commas read as before
  expect_identical(and_list(c("Neglect", "Domestic abuse", "Physical abuse")), "Neglect, Domestic abuse and Physical abuse")
  expect_identical(or_list(c("A&E", "GP", "other")), "A&E, GP or other")
  expect_identical(and_list("Neglect"), "Neglect")
  # the referral sources of one family pooled in a table's note: each family a
  # sentence, the members with commas counted right
  tab <- matrix(c(40, 3, 50, 6, 2, 4, 30, 45, 50, 40, 1, 2, 20, 30, 44, 50), ncol = 2, byrow = TRUE,
                dimnames = list(c("Individual: acquaintance", "Individual: family member, relative or carer",
                                  "Individual: other", "Individual: self", "Health: A&E", "Health: GP",
                                  "Police", "Schools"), c("A", "B")))
  note <- merge_sparse_families(tab, 10)$note
  expect_match(note, paste0("Individual: acquaintance; Individual: family member, relative or carer; and Individual: other ",
                            "are counted together as \u201cIndividual: acquaintance; family member, relative or carer; or other\u201d."), fixed = TRUE)
  expect_match(note, "\\. Health: A&E and Health: GP are counted together as .Health.\\. On their own")
})

test_that("a comma inside a quoted name needs no semicolons", {
  expect_identical(and_list(c("\u201cDisability, some with child mental health\u201d (40%)", "\u201cNeglect\u201d (30%)")),
                   "\u201cDisability, some with child mental health\u201d (40%) and \u201cNeglect\u201d (30%)")
})

# The template's own helpers (its setup chunk), evaluated as the knit does.
skeleton_helpers <- function(names) {
  rmd <- system.file("rmarkdown", "templates", "demand-report", "skeleton", "skeleton.Rmd", package = "cscdemand")
  lines <- readLines(rmd)
  open <- grep("^```\\{r", lines)
  close <- grep("^```\\s*$", lines)
  code <- unlist(lapply(open, function(o) lines[seq.int(o + 1L, min(close[close > o]) - 1L)]))
  env <- new.env(parent = asNamespace("cscdemand"))
  env$n_tab <- 0
  for (e in parse(text = code)) {
    if (is.call(e) && identical(e[[1]], as.name("<-")) && is.name(e[[2]]) && as.character(e[[2]]) %in% names) eval(e, env)
  }
  env
}

test_that("a table shown as a sentence keeps its note, and joined outcome rows keep every table's note (reader 9)", {
  env <- skeleton_helpers(c("say", "show_table", "rbind_noted"))
  one <- data.frame(Disability = "Disabled", n = "40")
  attr(one, "sentence") <- "Every episode analysed is of a disabled child."
  attr(one, "note") <- "Not known is counted with Disabled: with fewer than 10 episodes it could not be shown."
  out <- paste(capture.output(env$show_table(one, "Disability")), collapse = " ")
  expect_match(out, "Every episode analysed is of a disabled child.", fixed = TRUE)
  expect_match(out, "Not known is counted with Disabled", fixed = TRUE)
  # the "yes" rows of two outcome tables, each with its own note
  a <- data.frame(Outcome = "No further action", A = "c", B = "40")
  attr(a, "note") <- "Note of the first table."
  b <- data.frame(Outcome = "Section 47 enquiry", A = "c", B = "55")
  attr(b, "note") <- "Note of the second table."
  c2 <- data.frame(Outcome = "CP plan", A = "12", B = "55")
  attr(c2, "note") <- "Note of the first table."
  ot <- env$rbind_noted(list(a, b, c2))
  expect_identical(attr(ot, "note"), c("Note of the first table.", "Note of the second table."))
  printed <- paste(capture.output(env$show_table(ot, "Outcomes")), collapse = " ")
  expect_match(printed, "Note of the second table.", fixed = TRUE)
  expect_equal(nrow(ot), 3)
})

test_that("the report's date is written as British English writes it: 7 December 2026, not 07 (reader 9)", {
  rmd <- readLines(system.file("rmarkdown", "templates", "demand-report", "skeleton", "skeleton.Rmd", package = "cscdemand"))
  line <- grep("^date:", rmd, value = TRUE)
  expect_length(line, 1)
  code <- sub("^date: \"`r (.*)`\"$", "\\1", line)
  on_day <- function(d) eval(parse(text = gsub("Sys.Date()", paste0("as.Date(\"", d, "\")"), code, fixed = TRUE)))
  withr::with_locale(c(LC_TIME = "C"), {
    expect_identical(on_day("2026-12-07"), "7 December 2026")
    expect_identical(on_day("2026-12-17"), "17 December 2026")
    expect_identical(on_day("2026-01-10"), "10 January 2026")
  })
})

test_that("the template's own list joins quoted items with commas as the package does (reader 9)", {
  env <- skeleton_helpers("and_list")
  q <- c("the table of likelihood ratios (\"Child in need plan, at any step: yes\")", "the lengths of child in need plans")
  expect_identical(env$and_list(q), and_list(q))
  expect_identical(env$and_list(q), paste(q[1], "and", q[2]))
  cats <- c("Disability, some with child mental health", "Physical abuse", "Harm outside the home")
  expect_identical(env$and_list(cats), and_list(cats))
})

test_that("a bootstrap test stopped early prints a bound, and Methods says what the replicates give (reader 10, F6)", {
  # 40 replicates, none reaching the data's statistic: 1/41 = 0.024 is a bound, not a value
  bl <- data.frame(k = 6:8, p_value = c(1 / 41, 1 / 41, 0.31), reps = c(40, 40, 99))
  got <- report_blrt_p(bl$p_value, bl$reps, 99)
  expect_identical(got, c("< 0.03 (stopped after 40 replicates)", "< 0.03 (stopped after 40 replicates)", "0.31"))
  expect_false(any(grepl("0.024", got, fixed = TRUE)))
  # at the floor of all 99 replicates: format_p()'s floor; no replicates column: as before
  expect_identical(report_blrt_p(c(0.01, 0.2), c(99, 99), 99), c("0.01 (lowest possible)", "0.20"))
  # the bound is a bound after rounding: never below the p-value it stands for
  for (r in c(10, 20, 30, 40, 50, 60)) {
    b <- as.numeric(sub("^< ([0-9.]+) .*$", "\\1", report_blrt_p(1 / (r + 1), r, 99)))
    expect_gt(b, 1 / (r + 1))
  }
  txt <- report_blrt_reps_text(bl, 99)
  expect_match(txt, "up to 99 replicates, which give p-values down to 0.01", fixed = TRUE)
  expect_match(txt, "stopped after 40 replicates with none as large as the data's gives only an upper bound, under 0.03", fixed = TRUE)
  expect_identical(report_blrt_reps_text(bl[3, ], 99), "up to 99 replicates, which give p-values down to 0.01")
})

test_that("p-values have one style: two significant figures, trailing zero kept (reader 10, F6)", {
  expect_identical(format_p(c(0.05, 0.0995, 0.041, 0.3)), c("0.050", "0.10", "0.041", "0.30"))
})

test_that("the note's rule on gaps from published figures is judged on the printed values (reader 10, Table 3)", {
  # 806 of 6,288 is 12.82% (printed 12.8) against 17.8 published: 5.0 apart as printed, 4.98 unrounded
  pct <- 100 * c(806, 2199, 956) / 6288
  pub <- c("17.8", "40.2", "14.3")
  expect_identical(report_published_gaps(pct, pub, 5), c(1L, 2L))
  expect_identical(report_published_gaps(c(12.84, NA), c("17.8", "20"), 5), 1L)  # 12.8 v 17.8 as printed: 5.0
  expect_identical(report_published_gaps(c(12.86, 10), c("17.8", "not available"), 5), integer())  # 12.9: 4.9
})

test_that("a chart's caption mentions grey only when the chart draws it (reader 10, Figure 8)", {
  set.seed(8)
  ep <- data.frame(class = sample(c("A", "B"), 400, TRUE), v = sample(c("x", "y"), 400, TRUE))
  none <- class_crosstab(ep, "class", "v")
  expect_false(any(attr(none, "suppressed")))
  expect_identical(report_grey_clause(none), "")
  ep <- data.frame(class = rep(c("A", "B"), each = 200), v = sample(c("x", "y"), 400, TRUE))
  ep$v[c(1:30, 201:205)] <- "z"  # five in B: hidden, with a complement
  some <- class_crosstab(ep, "class", "v")
  expect_true(any(attr(some, "suppressed")))
  expect_match(report_grey_clause(some), "grey: the cells the table suppresses", fixed = TRUE)
})

test_that("the number-of-categories section makes each point once, numbers in words, and says where the evidence leans (reader 10, F5)", {
  # Nottingham's table (reader 10): SABIC, BIC and CAIC six; cross-validation
  # eight; the bootstrap test significant at six, seven and eight (stopped early)
  tb <- data.frame(k = 1:8, loglik = c(-45884.2, -45141.3, -44672.7, -44252.1, -43847.8, -43630.0, -43558.0, -43505.8),
                   npar = c(28, 57, 86, 115, 144, 173, 202, 231), nobs = 6288,
                   n_best = c(1, 5, 3, 4, 5, 5, 5, 3), n_finished = c(1, 5, 3, 4, 5, 5, 5, 3))
  for (ic in c("BIC", "SABIC", "AIC", "CAIC")) tb <- k_rule_column(tb, ic)
  cv <- data.frame(k = 1:8, heldout_ll = c(-7.3014, -7.1873, -7.1250, -7.0660, -7.0001, -6.9717, -6.9662, -6.9638))
  bl <- data.frame(k = 6:8, p_value = 1 / 41, reps = 40)
  kc <- report_k_choice(tb, cv, bl, blrt_reps = 99, blrt_size = 3000, blrt_total = 6288, seed = 2020)
  expect_identical(kc$k, 6L)
  both <- paste(kc$text, kc$note)
  n_of <- function(x, pat) lengths(regmatches(x, gregexpr(pat, x, fixed = TRUE)))
  # the reason the rule keeps its number: once (it was twice in consecutive sentences)
  expect_equal(n_of(both, "fixed in advance"), 1)
  expect_equal(n_of(both, "fixed before looking"), 1)
  # the study's counts: once, in the note
  st <- k_study_rates()[k_rule_criterion, ]
  counts <- paste0(round(st$hit * st$data_sets), " of the ", st$data_sets)
  expect_equal(n_of(kc$note, counts), 1)
  expect_equal(n_of(kc$text, counts), 0)
  # one style for numbers of categories in the text: words ("eight", never "point to 8")
  expect_no_match(kc$text, "(point|points) to [0-9]", perl = TRUE)
  expect_no_match(kc$note, "[0-9]-class", perl = TRUE)
  # two of five measures point higher: said as a fact, no "favours more" (reader 12, N1)
  expect_match(kc$text, "BIC, SABIC and CAIC point to six; AIC, cross-validation and the bootstrap test to eight", fixed = TRUE)
  expect_no_match(kc$text, "favours more", fixed = TRUE)
  expect_match(kc$text, "most of the measures other than AIC point to six too", fixed = TRUE)
  expect_equal(n_of(both, "not a firm finding"), 1)
  expect_no_match(report_k_summary(kc), "not a firm finding", fixed = TRUE)
  # shorter than the ~900 words reader 10 counted
  expect_lt(length(strsplit(both, "\\s+")[[1]]), 700)
  # a rule that did better than the check in the study: no such claim
  better_rule <- fake_study(c(list(BIC = rep(7, 10), SABIC = rep(7, 10), AIC = rep(7, 10), CAIC = rep(7, 10)),
                              list(CV = c(8, 8, 7, 7, 7, 7, 7, 7, 7, 7))))
  crit <- list(k = 7, k_best = 7, k_rule = 7, k_use = NULL, k_cv = 8L, k_blrt = NA, agree = FALSE,
               rule = k_rule_criterion, study = better_rule, cv_near = NULL)
  t <- paste(report_k_disagree(crit, data.frame(k = 1:8, n_best = 5, n_finished = 5), NULL, NULL), collapse = " ")
  expect_no_match(t, "favours more", fixed = TRUE)
  expect_match(t, "in the study the rule did better than the check when the two disagreed", fixed = TRUE)
})

test_that("a measure at one category reads 'one category', never 'one categories' (reader 10, plural agreement)", {
  tab <- with_rule(data.frame(k = 1:5, BIC = c(400, 410, 420, 430, 440), CAIC = c(400, 410, 420, 430, 440),
                              n_best = 5, n_finished = 5), c(500, 450, 440, 430, 445))
  r <- report_k_choice(tab)
  expect_identical(r$k, 4L)
  expect_match(r$text, "With one category all of this report's would be merged", fixed = TRUE)
  expect_no_match(paste(r$text, r$note, report_k_summary(r)), "\\b(one|1) categories\\b", perl = TRUE)
})

test_that("the K text says which measures point where, and 'favours more' only when most of them point higher (reader 12, N1)", {
  # fit tables made by hand: SABIC (the rule) at seven; BIC and CAIC at
  # seven or eight; cross-validation and the bootstrap test at seven or eight
  at <- function(kk) c(500, 450, 440, 430, 420, 410, 400, if (kk == 8) 395 else 405)  # lowest at kk (7 or 8)
  fit <- function(bic_k, cv_k, blrt_k, aic = FALSE) {
    tb <- data.frame(k = 1:8, SABIC = at(7), BIC = at(bic_k), CAIC = at(bic_k), n_best = 5, n_finished = 5)
    if (aic) tb$AIC <- at(8)
    cv <- data.frame(k = 1:8, heldout_ll = -10 + c(0, 1, 2, 3, 4, 5, 6, 6 + (cv_k == 8) - 0.5 * (cv_k == 7)))
    bl <- data.frame(k = 7:8, p_value = c(0.01, if (blrt_k == 8) 0.01 else 0.31))
    report_k_choice(tb, cv, bl, blrt_reps = 99)
  }
  one <- fit(7, 8, 7)          # 1 of 5 higher: cross-validation
  expect_identical(c(one$k, one$k_cv, one$k_blrt, one$k_ic[["BIC"]]), c(7, 8, 7, 7))
  expect_match(one$text, "BIC, SABIC, CAIC and the bootstrap test point to seven; cross-validation to eight", fixed = TRUE)
  expect_no_match(one$text, "favours more", fixed = TRUE)
  expect_match(one$text, "most of the measures point to seven too", fixed = TRUE)
  # Sunderland's case (reader 12): AIC and cross-validation at eight
  sun <- fit(7, 8, 7, aic = TRUE)
  expect_match(sun$text, "BIC, SABIC, CAIC and the bootstrap test point to seven; AIC and cross-validation to eight", fixed = TRUE)
  expect_no_match(sun$text, "favours more|only because", perl = TRUE)
  two <- fit(7, 8, 8)          # 2 of 5 higher
  expect_match(two$text, "BIC, SABIC and CAIC point to seven; cross-validation and the bootstrap test to eight", fixed = TRUE)
  expect_no_match(two$text, "favours more", fixed = TRUE)
  four <- fit(8, 8, 8)         # 4 of 5 higher
  expect_identical(c(four$k, four$k_ic[["BIC"]]), c(7, 8))
  expect_match(four$text, "Four of the five measures point to more than seven categories, so the evidence shown here favours more than seven.", fixed = TRUE)
  expect_match(four$text, "the model with eight categories deserves a look", fixed = TRUE)
})
