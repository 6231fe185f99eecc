# The statistics of the report a statistician would sign (issue 23, second
# reader's findings 1, 7, 10 and 11): the headline interval of a share is
# the bootstrap one and the text compares it with the model-based one in a
# word that follows the numbers; "recovered" cannot sit beside factors that
# move by 48 points; the note under the table of fit says what a reader
# needs to weigh it.

stab_fit <- function() {
  d <- simulate_lca(n = 1500, seed = 2)
  list(d = d, fit = lca(d[1:8], k = 3, seed = 1, verbose = FALSE))
}

# A bootstrap made by hand: `reps` replicates equal to the fit, except that
# class `moving` has every item probability moved by `by` (on the
# probability scale, kept inside 0-1) in the first `n_moved` replicates.
fake_boot <- function(fit, reps = 20, moving = 1, n_moved = 2, by = 0.48) {
  ref <- cscdemand:::stack_item_probs(fit$probs)
  K <- fit$k
  draws <- t(vapply(seq_len(reps), function(r) {
    m <- ref
    if (r <= n_moved) {
      # move the class's profile: probabilities of level 1 up (or down) by
      # `by`, with their complements, so that each item still sums to 1
      lv <- unlist(lapply(fit$levels, seq_along))
      one <- which(lv == 2)
      up <- pmin(m[moving, one] + by, 0.99)
      down <- pmax(m[moving, one] - by, 0.01)
      new <- ifelse(up - m[moving, one] >= by - 1e-9, up, down)
      m[moving, one - 1] <- 1 - new
      m[moving, one] <- new
    }
    c(unname(fit$class_size), as.vector(m))
  }, numeric(K + length(ref))))
  structure(list(draws = draws, replicates = data.frame(rep = seq_len(reps), status = "ok"),
                 seed = 1, reps = reps), class = "cscdemand_lca_boot")
}

test_that("a category whose factors move by 48 points in some resamples is not 'recovered in 100%', and the text names it", {
  sf <- stab_fit()
  b <- fake_boot(sf$fit, reps = 20, moving = 2, n_moved = 2, by = 0.48)
  st <- report_stability(sf$fit, b)
  s <- st$stability
  # recovered by the stated definition: congruence >= 0.95 and every factor within 20 points
  expect_equal(s$recovered, c(1, 18 / 20, 1))
  expect_gte(s$change_p95[2], 40)
  expect_lt(max(s$change_p95[-2]), 1e-6)
  expect_identical(st$weak, s$name[2])
  expect_match(st$text, paste0("Read *", s$name[2], "* (recovered in 90%"), fixed = TRUE)
  expect_match(st$text, "moves by 20 points or more", fixed = TRUE)
  # the old definition (congruence alone) called it recovered in every resample
  ref <- cscdemand:::stack_item_probs(sf$fit$probs)
  K <- sf$fit$k
  cong <- t(apply(b$draws, 1, function(d) cscdemand:::congruence(matrix(d[K + seq_len(length(ref))], K), ref)))
  expect_true(all(cong[, 2] >= 0.95) || s$recovered[2] < 1)
  # no category can be "recovered" in every resample while its 95th percentile of movement passes the limit
  for (mv in 1:3) for (nm in c(0, 1, 3)) {
    x <- report_stability(sf$fit, fake_boot(sf$fit, 20, mv, nm, 0.3))$stability
    expect_false(any(x$recovered == 1 & x$change_p95 >= 20))
    expect_equal(x$recovered[mv], 1 - nm / 20)
  }
  # none moving: every category recovered, and the text says so
  calm <- report_stability(sf$fit, fake_boot(sf$fit, 20, 1, 0))
  expect_length(calm$weak, 0)
  expect_match(calm$text, "Every category was recovered in all the resamples, above the 95% of resamples this report asks of a stable category.", fixed = TRUE)
})

test_that("the headline intervals are the bootstrap's, and the word comparing them follows the widths", {
  sf <- stab_fit()
  b <- lca_bootstrap(sf$fit, reps = 30, seed = 4, verbose = FALSE)
  st <- report_stability(sf$fit, b)
  # on the fitted episodes: the percentile intervals of the bootstrap's class sizes
  sz <- b$summary[seq_len(sf$fit$k), ]
  expect_equal(st$shares$lower, 100 * sz$conf.low)
  expect_equal(st$shares$upper, 100 * sz$conf.high)
  # the council's episodes given as data: the same resamples when they are the fitted episodes
  st_all <- report_stability(sf$fit, b, data = sf$d)
  expect_equal(st_all$shares[c("share", "lower", "upper")], st$shares[c("share", "lower", "upper")], tolerance = 1e-6)
  # a subset: estimates are the subset's own class sizes (class_shares()),
  # the mean of its posteriors under those sizes (the report's proportional
  # counts, class_posterior()), inside their intervals; class_shares()'s
  # model-based beside them
  sub <- sf$d[1:600, ]
  st_sub <- report_stability(sf$fit, b, data = sub)
  cs <- class_shares(sf$fit, sub)
  expect_equal(st_sub$shares$share, cs$share, tolerance = 1e-6)
  expect_equal(st_sub$shares$share, 100 * unname(colMeans(class_posterior(sf$fit, sub))),
               tolerance = 1e-6)
  expect_equal(st_sub$shares$model_lower, cs$lower)
  expect_true(all(st_sub$shares$lower <= st_sub$shares$share & st_sub$shares$share <= st_sub$shares$upper))
  # the ratio of widths and the word
  r <- (st$shares$upper - st$shares$lower) / (st$shares$model_upper - st$shares$model_lower)
  expect_equal(st$width_ratio, r)
  expect_identical(st$comparison, interval_comparison(r))
  expect_match(st$text, paste("are", st$comparison, "the model-based ones"), fixed = TRUE)
  expect_identical(interval_comparison(c(2.1, 2.4, 2.05)), "much wider than")
  expect_identical(interval_comparison(c(2.1, 2.4, 1.9)), "wider than")
  expect_identical(interval_comparison(c(1.6, 1.8)), "wider than")
  expect_identical(interval_comparison(c(1.2, 1.3)), "a little wider than")
  expect_identical(interval_comparison(c(0.95, 1.05)), "about as wide as")
  expect_identical(interval_comparison(c(0.5, 0.7)), "narrower than")
  expect_no_match(st$text, "differ a little", fixed = TRUE)
  # a suppressed share is suppressed in both intervals
  st_small <- report_stability(sf$fit, b, data = sf$d[1:20, ], threshold = 10)
  hid <- class_shares(sf$fit, sf$d[1:20, ], threshold = 10)$suppressed
  expect_true(any(hid))
  expect_true(all(is.na(unlist(st_small$shares[hid, c("share", "lower", "upper", "model_lower", "model_upper")]))))
  expect_error(report_stability(sf$fit, list()), class = "cscdemand_error")
})

test_that("the note under the table of fit gives the penalties, the starts, the clarity and the sample", {
  tb <- data.frame(k = 1:4, entropy = c(NA, 0.55, 0.63, 0.85), nobs = 18641)
  n1 <- report_fit_note(tb, 3, blrt_size = 3000, blrt_total = 18641, seed = 2020)
  # SABIC's penalty per parameter is smaller than BIC's: the note says so, with both numbers
  expect_match(n1, sprintf("ln n = %.1f", log(18641)), fixed = TRUE)
  expect_match(n1, sprintf("ln((n + 2)/24) = %.1f", log(18643 / 24)), fixed = TRUE)
  expect_match(n1, "SABIC is the more lenient of the two", fixed = TRUE)
  expect_no_match(n1, "stricter", fixed = TRUE)
  # the clarity read on a stated scale, with its source
  expect_match(n1, "0.63, is medium", fixed = TRUE)
  expect_match(report_fit_note(tb, 2), "0.55, is low", fixed = TRUE)
  expect_match(report_fit_note(tb, 4), "0.85, is high", fixed = TRUE)
  expect_match(n1, "Clark and Muth\u00e9n, 2009", fixed = TRUE)
  # the sample of the bootstrap test: size, seed and why; none when the test used every episode
  expect_match(n1, "random sample of 3,000 of the 18,641 episodes, because each replicate refits two models", fixed = TRUE)
  expect_match(n1, "random-number seed (2020)", fixed = TRUE)
  expect_no_match(report_fit_note(tb, 3, blrt_size = 18641, blrt_total = 18641, seed = 1), "sample", fixed = TRUE)
  # the random starts: the counts of the column explained from the settings used
  ctl <- lca_control()
  expect_match(n1, paste0("batches of ", ctl$batch), fixed = TRUE)
  expect_match(report_fit_note(tb, 3, starts = 12), "from 12 random starts, as set by the analyst", fixed = TRUE)
  # screened starts (s8 reader, finding 5: "5 for one batch" beside "1 of 1",
  # "3 of 4"): the note says what the column counts now, never a fixed number
  expect_no_match(n1, "for one batch", fixed = TRUE)
  expect_match(n1, "The column counts the starts run to the end (its second number: at most 5 per batch, fewer when some were stopped early)",
               fixed = TRUE)
  expect_match(n1, "the ones that reached the best fit (its first number)", fixed = TRUE)
  expect_match(n1, "until one step gained less than a billionth of the log-likelihood", fixed = TRUE)
  n0 <- report_fit_note(tb, 3, control = lca_control(screen_tol = 0))
  expect_no_match(n0, "stopped there|fewer when", perl = TRUE)
})

test_that("a row left out of the table of likelihood ratios gives the reason its cells show", {
  key <- c("Gender: Female", "Gender: Female", "Gender: Unknown", "Gender: Unknown", "Age: 0-4", "Age: 0-4")
  ratio <- c("x1.10", "x0.90", "c", "c", "n/a", "")
  note <- ratio_gone_note(c("Gender: Unknown", "Age: 0-4"), ratio, key)
  expect_match(note, "\u201cGender: Unknown\u201d is left out: in its row every cell is suppressed", fixed = TRUE)
  expect_match(note, "\u201cAge: 0-4\u201d is left out: in its row no category has an episode", fixed = TRUE)
  # all suppressed: never the clause about categories with no such episode
  only <- ratio_gone_note("Gender: Unknown", ratio, key)
  expect_no_match(only, "no such episode|has an episode", perl = TRUE)
  # on a profile with proportional sharing: a small Unknown row is suppressed, not empty
  set.seed(3)
  n <- 2000
  post <- matrix(stats::runif(n * 3), n, 3)
  post <- post / rowSums(post)
  colnames(post) <- c("A", "B", "C")
  ep <- data.frame(gender = sample(c("Female", "Male", "Unknown"), n, TRUE, prob = c(0.497, 0.497, 0.006)))
  prof <- class_profile(ep, vars = "gender", posterior = post, threshold = 10)
  tab <- profile_ratio_table(prof)
  nt <- attr(tab, "note")
  if (!is.null(nt)) expect_no_match(nt, "or the category has no such episode", fixed = TRUE)
})

test_that("audit details leave out the parts that count nothing", {
  out <- report_audit_detail(c("a", "b", "c"),
                             c("180 coded 21, 0 with no code",
                               "120 distinct children in the returns; 0 with no assessment read",
                               "0 with no code, 5 coded 21"))
  expect_false(any(grepl("(^|[^0-9])0 with", out)))
  expect_match(out[1], "^180 with only")
  expect_identical(out[2], "120 distinct children in the returns")
  expect_match(out[3], "^5 with only")
  expect_match(report_audit_detail("a", "3 coded 21, 4 with no code"), "4 with no code", fixed = TRUE)
})

test_that("the table of outcomes hides exactly the cells the table of likelihood ratios hides", {
  # the report's table of outcomes takes the "yes" row of each flag's yes/no
  # table of counts, as class_profile() counts it
  set.seed(11)
  n <- 1500
  post <- matrix(stats::rgamma(n * 4, shape = c(3, 1, 0.2, 0.1)), n, 4, byrow = TRUE)
  post <- post / rowSums(post)
  colnames(post) <- c("A", "B", "C", "D")
  ep <- data.frame(nfa = stats::rbinom(n, 1, 0.04), step_down = stats::rbinom(n, 1, 0.3))
  prof <- class_profile(ep, vars = c("nfa", "step_down"), posterior = post, threshold = 10)
  hidden_any <- FALSE
  for (v in c("nfa", "step_down")) {
    y <- factor(ifelse(ep[[v]] == 1, "yes", "no"), levels = c("no", "yes"))
    ct <- class_crosstab(data.frame(.level = y), var = ".level", posterior = post, threshold = 10, label = "Outcome")
    row <- ct[ct[[1]] == "yes", , drop = FALSE]
    p <- prof[prof$variable == v & prof$level == "yes", ]
    for (k in colnames(post)) {
      shown <- if (k %in% names(row)) row[[k]] != "c" else FALSE
      expect_identical(shown, !p$suppressed[p$class == k], info = paste(v, k))
      hidden_any <- hidden_any || !shown
    }
  }
  expect_true(hidden_any)
})

test_that("narrower bootstrap intervals are explained by what the data are, not by a fixed sentence", {
  sf <- stab_fit()
  b <- lca_bootstrap(sf$fit, reps = 30, seed = 4, verbose = FALSE)
  st_sub <- report_stability(sf$fit, b, data = sf$d[1:600, ])
  if (identical(st_sub$comparison, "narrower than")) {
    # what the numbers show: where the definitions come from, no claim which interval is right
    expect_match(st_sub$text, "shares of the 600 episodes here with the categories' definitions", fixed = TRUE)
    expect_match(st_sub$text, "which of the two is right is not settled here", fixed = TRUE)
    expect_no_match(st_sub$text, "overstates", fixed = TRUE)
  }
  # the model-based interval of a subset's shares (class_shares(): the
  # subset's own information plus the definitions' uncertainty) is about
  # as wide as the bootstrap's, an independent measure of the same thing,
  # in the median; category by category from 0.75 to 1.17 times, which the
  # word says (not "about as wide" for all)
  expect_gt(stats::median(st_sub$width_ratio), 0.9)
  expect_lt(stats::median(st_sub$width_ratio), 1.15)
  expect_identical(st_sub$comparison, "sometimes narrower and sometimes wider than")
  expect_match(st_sub$text, "which of the two is right is not settled here", fixed = TRUE)
  st_small <- report_stability(sf$fit, b, data = sf$d[1:100, ])
  if (identical(st_small$comparison, "narrower than")) {
    expect_match(st_small$text, "which of the two is right is not settled here", fixed = TRUE)
    expect_no_match(st_small$text, "overstates", fixed = TRUE)
  }
  st <- report_stability(sf$fit, b)
  if (identical(st$comparison, "narrower than")) {
    expect_match(st$text, "within the noise of 30 resamples", fixed = TRUE)
    expect_no_match(st$text, "overstates", fixed = TRUE)
  }
  expect_true(identical(st_small$comparison, "narrower than") || identical(st$comparison, "narrower than"))
})

test_that("the stability text does not claim which interval is right (s6 reader: 'overstates' was not shown)", {
  st <- data.frame(name = c("A", "B"), recovered = 1, change_median = 2, change_p95 = 5)
  # bootstrap intervals 0.4 times as wide, on 3,010 of 18,641 episodes
  txt <- stability_text(st, ratio = c(0.39, 0.41), word = "narrower than", weak = character(), reps = 50,
                        max_change = 20, recovery = 0.95, level = 0.95, n = 3010, nobs = 18641)
  expect_no_match(txt, "overstates", fixed = TRUE)
  expect_match(txt, "shares of the 3,010 episodes here with the categories' definitions taken from the model fitted to all 18,641 episodes", fixed = TRUE)
  expect_match(txt, "which of the two is right is not settled here", fixed = TRUE)
  # class_shares() no longer scales the whole model's standard errors to the
  # council's episodes (it estimates the council's own sizes), so the text
  # must not say it does
  expect_no_match(txt, "scaled to|square root", perl = TRUE)
})

test_that("the word comparing the intervals is true of every category's ratio, not of their median (s7 reader: 'a little wider' beside 0.9 to 2.7)", {
  # the reader's case: a median a little over 1, a range from under 0.9 to 2.7
  r <- c(0.86, 1.2, 1.25, 1.3, 2.7)
  expect_identical(interval_comparison(r), "sometimes narrower and sometimes wider than")
  expect_identical(interval_comparison(c(0.95, 1.2, 1.3, 2.7)), "about as wide as or wider than")
  expect_identical(interval_comparison(c(0.5, 0.95, 1.0)), "narrower than or about as wide as")
  expect_identical(interval_comparison(c(1.2, 1.3, 1.7)), "wider than")
  # the word holds for every ratio: each ratio's own band is among the word's
  set.seed(1)
  for (i in 1:200) {
    r <- exp(stats::rnorm(sample(2:8, 1), stats::rnorm(1, 0, 0.4), 0.4))
    w <- interval_comparison(r)
    bands <- unique(ifelse(r < 0.9, "narrower", ifelse(r < 1.15, "about as wide", "wider")))
    # the narrowest and the widest category's bands are both in the word
    ends <- unique(ifelse(range(r) < 0.9, "narrower", ifelse(range(r) < 1.15, "about as wide", "wider")))
    for (b in ends) expect_match(w, b, fixed = TRUE, info = paste(round(r, 2), collapse = " "))
    if (!"narrower" %in% bands) expect_no_match(w, "narrower", fixed = TRUE)
    if (!"wider" %in% bands) expect_no_match(w, "wider", fixed = TRUE)
  }
  st <- data.frame(name = c("A", "B"), recovered = 1, change_median = 2, change_p95 = 5)
  txt <- stability_text(st, ratio = r <- c(0.86, 2.7), word = interval_comparison(r), weak = character(), reps = 50,
                        max_change = 20, recovery = 0.95, level = 0.95, n = 1000, nobs = 1000)
  expect_match(txt, "sometimes narrower and sometimes wider than the model-based ones (from 0.9 to 2.7 times as wide", fixed = TRUE)
  expect_no_match(txt, "a little wider", fixed = TRUE)
})

test_that("'not stable' states its threshold, and one resample either side of it is no cliff (s7 reader: 94% unstable, 96% not)", {
  st <- data.frame(name = c("A", "B", "C", "D"), recovered = c(0.94, 0.96, 0.76, 1), change_median = 2,
                   change_p95 = c(20, 18, 32, 4))
  txt <- stability_text(st, ratio = c(1, 1.1), word = "about as wide as", weak = c("A", "C"), reps = 50,
                        max_change = 20, recovery = 0.95, level = 0.95, n = 1000, nobs = 1000)
  # the threshold is stated where the judgement is made
  expect_match(txt, "the 95% of resamples this report asks of a stable category", fixed = TRUE)
  # 94% and 96% are one resample apart of 50: both borderline, neither called unstable nor left unmentioned
  expect_match(txt, "*A* (recovered in 94%) and *B* (recovered in 96%) are close to", fixed = TRUE)
  expect_match(txt, "borderline", fixed = TRUE)
  expect_no_match(txt, "Read *A*", fixed = TRUE)
  # far below: not stable, with the threshold
  expect_match(txt, "Read *C* (recovered in 76%; its factors move by up to 32 points at the 95th percentile) with care", fixed = TRUE)
  expect_match(txt, "falls short of the 95%", fixed = TRUE)
  # the band follows the noise of the resamples: with 2,000 resamples 94% is clearly under 95%
  expect_identical(as.vector(stability_band(c(0.94, 0.96, 0.76, 1), 50)), c("borderline", "borderline", "unstable", "stable"))
  expect_identical(as.vector(stability_band(c(0.94, 0.96), 2000)), c("unstable", "stable"))
  # the summary's sentence: threshold stated, the borderline ones not called unstable
  s <- report_stability_summary(list(stability = st, resamples = 50))
  expect_match(s, "*C* is not stable", fixed = TRUE)
  expect_match(s, "short of the 95% this report asks of a stable category", fixed = TRUE)
  # every borderline category, whichever side of 95%: the section reads both
  # "with some care", so the summary does too (s8 reader, finding 4)
  expect_match(s, "and *A* and *B* are borderline: recovered in 94% and 96% of the resamples, close to that threshold given the noise of 50 resamples", fixed = TRUE)
  expect_match(report_stability_summary(list(stability = st[c(2, 4), ], resamples = 50)), "*B* is borderline", fixed = TRUE)
  expect_null(report_stability_summary(list(stability = st[4, ], resamples = 50)))
  # no cliff: as recovery falls by one resample at a time from 100%, the text
  # goes stable -> borderline -> unstable, never straight from stable to unstable
  seen <- vapply(50:30, function(m) as.vector(stability_band(m / 50, 50)), "")
  expect_identical(rle(seen)$values, c("stable", "borderline", "unstable"))
})

test_that("printed percentages follow one rule: half away from zero, the summary rounding the tables' value (s8 reader, finding 12)", {
  # 13.46 prints 13.5 in a table and so 14 in the summary, like 25.5 -> 26
  expect_identical(format_pct(c(13.46, 25.5, 29.46), 0), c("14", "26", "30"))
  expect_identical(format_pct(c(13.46, 0.125, 0.05, -2.45, NA), 1), c("13.5", "0.1", "0.1", "-2.5", NA))
  expect_identical(format_pct(0.125, 2, table_digits = 2), "0.13")
  expect_identical(format_pct(c(12.45, 2.675), 1), c("12.5", "2.7"))
  expect_identical(format_pct(-0.01, 1), "0.0")
  # agrees with exact decimal arithmetic on halves (no binary artefact)
  h <- (0:199 + 0.5) / 10
  expect_identical(format_pct(h, 0, table_digits = 0), as.character(floor(h + 0.5)))
})

test_that("the stability text rounds as the tables do (format_pct(): halves away from zero)", {
  # 5 of 8 resamples: 62.5%, which round() makes 62 and the tables 63
  st <- data.frame(name = "C", recovered = 0.625, change_median = 2, change_p95 = 32)
  s <- report_stability_summary(list(stability = st, resamples = 8))
  expect_match(s, "63%", fixed = TRUE)
  expect_no_match(s, "62%", fixed = TRUE)
  txt <- stability_text(st, ratio = c(1.25, 1.35), word = "wider than", weak = "C", reps = 8,
                        max_change = 20, recovery = 0.95, level = 0.95, n = 1000, nobs = 1000)
  expect_match(txt, "recovered in 63%", fixed = TRUE)
  # the widths as format_pct() prints them (1.25 is 1.3, not 1.2)
  expect_match(txt, "from 1.3 to 1.4 times as wide", fixed = TRUE)
})
