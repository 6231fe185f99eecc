test_that("class_profile reproduces a hand-computed 2 x 3 table", {
  ep <- hand_episodes()
  prof <- class_profile(ep, "class", "kind", threshold = 0, p_adjust = "none")
  expect_s3_class(prof, "cscdemand_profile")
  expect_equal(nrow(prof), 6)
  x <- prof[prof$level == "x", ]
  expect_equal(as.character(x$class), c("A", "B", "C"))
  expect_equal(x$n, c(12, 6, 10))
  expect_equal(x$n_class, c(20, 30, 50))
  expect_equal(x$n_other, c(16, 22, 18))
  expect_equal(x$n_other_class, c(80, 70, 50))
  expect_equal(x$pct, c(60, 20, 20))
  expect_equal(x$pct_other, 100 * c(16 / 80, 22 / 70, 18 / 50))
  expect_equal(x$ratio, c(3, (6 / 30) / (22 / 70), (10 / 50) / (18 / 50)))
  # Katz interval for class A: log 3 +/- z sqrt(1/12 - 1/20 + 1/16 - 1/80)
  se <- sqrt(1 / 12 - 1 / 20 + 1 / 16 - 1 / 80)
  expect_equal(x$lower[1], exp(log(3) - qnorm(0.975) * se))
  expect_equal(x$upper[1], exp(log(3) + qnorm(0.975) * se))
  p_ref <- c(prop.test(c(12, 16), c(20, 80), correct = FALSE)$p.value,
             prop.test(c(6, 22), c(30, 70), correct = FALSE)$p.value,
             prop.test(c(10, 18), c(50, 50), correct = FALSE)$p.value)
  expect_equal(x$p_value, p_ref)
  expect_equal(x$flag, c("much higher", if (p_ref[2] < 0.05) "lower" else "",
                         if (p_ref[3] < 0.05) "lower" else ""))
  expect_equal(x$display, c("x3.00", "x0.64", "x0.56"))
  # The y level mirrors it: 8 of 20 against 64 of 80.
  expect_equal(prof$ratio[prof$level == "y" & prof$class == "A"], (8 / 20) / (64 / 80))
})

test_that("flags rest on the test; the x2 mark and an optional size cut-off", {
  fl <- profile_flag(c(2.5, 1.6, 1.2, 0.6, 0.4, 3, NA, 1.34, 0.9), c(rep(0.01, 5), 0.2, NA, 0.001, 0.04),
                     c(5, 5, 5, 5, 5, 5, 0, 300, 300), 0.05, c(1, 2))
  expect_equal(fl, c("much higher", "higher", "higher", "lower", "much lower", "", "n/a",
                     "higher", "lower"))
  # an explicit size cut-off still applies on top of the test
  fl <- profile_flag(c(2.5, 1.6, 1.2, 0.6, 0.4), rep(0.01, 5), rep(5, 5), 0.05, c(1.5, 2))
  expect_equal(fl, c("much higher", "higher", "", "lower", "much lower"))
})

test_that("n/a where the class has none; missing values are a counted level", {
  ep <- data.frame(class = rep(c("A", "B"), each = 20),
                   src = c(rep("police", 20), rep(c("school", "police"), 8), NA, NA, NA, NA))
  prof <- class_profile(ep, "class", "src", threshold = 0)
  s <- prof[prof$level == "school" & prof$class == "A", ]
  expect_equal(s$n, 0)
  expect_true(is.na(s$ratio))
  expect_equal(s$display, "n/a")
  expect_equal(s$flag, "n/a")
  m <- prof[prof$level == "Missing", ]
  expect_equal(m$n, c(0, 4))
  expect_equal(m$pct, c(0, 20))
  # police is found only... in both classes; school only in B: "only here" is
  # the display when the other classes have none.
  expect_equal(prof$display[prof$level == "school" & prof$class == "B"], "only here")
})

test_that("binary characteristics report the yes level; suppression by hand", {
  ep <- hand_episodes()
  prof <- class_profile(ep, "class", "flag", threshold = 0)
  expect_equal(prof$level, rep("yes", 3))
  expect_equal(prof$n, c(15, 15, 10))
  both <- class_profile(ep, "class", "flag", binary = "both", threshold = 0)
  expect_equal(both$level, rep(c("no", "yes"), 3))
  # Threshold 10 on (no, yes) x (A, B, C) = (5, 15, 40; 15, 15, 10):
  # primary no-A (5); complements no-B (row), yes-A and yes-B (columns).
  sup <- class_profile(ep, "class", "flag", threshold = 10)
  expect_equal(sup$suppressed, c(TRUE, TRUE, FALSE))
  expect_equal(sup$n, c(NA, NA, 10))
  expect_equal(sup$display, c("c", "c", "x0.33")) # 10/50 against 30/50
  expect_true(all(is.na(unlist(sup[1:2, c("pct", "n_other", "pct_other", "ratio", "lower",
                                             "upper", "p_value")]))))
  both <- class_profile(ep, "class", "flag", binary = "both")
  expect_equal(both$suppressed, c(TRUE, TRUE, TRUE, TRUE, FALSE, FALSE))
})

test_that("published profiles leave no small or recoverable cell", {
  set.seed(5)
  ep <- data.frame(class = sample(c("A", "B", "C", "D"), 300, TRUE, prob = c(.5, .3, .15, .05)),
                   age = sample(c("0-4", "5-9", "10-15", "16+", NA), 300, TRUE,
                                prob = c(.3, .3, .3, .07, .03)))
  raw <- class_profile(ep, "class", "age", threshold = 0)
  pub <- class_profile(ep, "class", "age", threshold = 10)
  expect_false(any(!is.na(pub$n) & pub$n > 0 & pub$n < 10))
  x <- matrix(raw$n, ncol = 4)
  mask <- matrix(pub$suppressed, ncol = 4)
  expect_safe_suppression(x, mask, 10)
  # n_other of a suppressed cell would give it away: it is hidden too
  expect_true(all(is.na(pub$n_other[pub$suppressed])))
})

test_that("a class with fewer episodes than the threshold shows no total, and nothing gives it back (review)", {
  ep <- data.frame(class = rep(c("A", "B", "C"), c(200, 150, 6)),
                   g = c(rep(c("F", "M"), 100), rep(c("F", "M"), 75), rep("F", 6)))
  pub <- class_profile(ep, "class", "g", threshold = 10)
  # C (6) is small; B's total is hidden as its complement (the totals add up to
  # the 356 episodes)
  hid <- pub$class %in% c("B", "C")
  expect_true(all(is.na(pub$n_class[hid])))
  expect_true(all(is.na(pub$n_other_class[hid])))
  expect_equal(unique(pub$n_class[!hid]), 200)
  # a shown count over its percentage would give the total back: the columns go
  expect_true(all(pub$suppressed[hid]))
  expect_true(all(is.na(pub$pct[hid])))
  x <- matrix(class_profile(ep, "class", "g", threshold = 0)$n, ncol = 3)
  expect_safe_suppression(x, matrix(pub$suppressed, ncol = 3), 10)
  # with a threshold of 5 nothing is small
  expect_equal(class_profile(ep, "class", "g", threshold = 5)$n_class, rep(c(200, 150, 6), each = 2))
})

test_that("posterior-weighted profiles: hand-computed and equal to modal for 0/1 posteriors", {
  ep <- data.frame(kind = c("x", "x", "y", "y"))
  post <- rbind(c(0.5, 0.5), c(1, 0), c(0, 1), c(0.5, 0.5))
  prof <- class_profile(ep, vars = "kind", posterior = post, threshold = 0)
  r <- prof[prof$level == "x" & prof$class == "Class 1", ]
  expect_equal(c(r$n, r$n_class, r$pct, r$pct_other, r$ratio), c(1.5, 2, 75, 25, 3))
  expect_equal(attr(prof, "method"), "proportional")
  ep <- hand_episodes()
  onehot <- 1 * outer(ep$class, c("A", "B", "C"), `==`)
  colnames(onehot) <- c("A", "B", "C")
  a <- class_profile(ep, "class", c("kind", "flag"), threshold = 0)
  b <- class_profile(ep, vars = c("kind", "flag"), posterior = onehot, threshold = 0)
  expect_equal(as.data.frame(unclass(a))[, 1:15], as.data.frame(unclass(b))[, 1:15])
})

test_that("no identifiers reach the profile", {
  ep <- hand_episodes()
  prof <- class_profile(ep, "class", c("kind", "flag"))
  expect_false("child_id" %in% names(prof))
  chr <- unlist(lapply(prof, function(v) as.character(v)))
  expect_false(any(chr %in% ep$child_id))
})

test_that("bad input gives classed errors naming the column and the fix", {
  ep <- hand_episodes()
  expect_snapshot(class_profile(ep, "cluster", "kind"), error = TRUE)
  ep$one <- "same"
  expect_snapshot(class_profile(ep, "class", c("kind", "one")), error = TRUE)
  expect_error(class_profile(ep, "class", "nope"), class = "cscdemand_error_column")
  expect_error(class_profile(ep, "class", c("kind", "class")), class = "cscdemand_error_column")
  expect_error(class_profile(ep[ep$class == "A", ], "class", "kind"), class = "cscdemand_error_class")
  expect_error(class_profile(ep, "class", "kind", flags = c(2, 1.5)), class = "cscdemand_error_input")
  expect_error(class_profile(ep, vars = "kind", posterior = matrix(0.5, 3, 2)),
               class = "cscdemand_error_posterior")
  expect_error(class_profile(list(a = 1), "class", "kind"), class = "cscdemand_error_data")
  ep$class[1:2] <- NA
  expect_warning(class_profile(ep, "class", "kind"), class = "cscdemand_warning_missing_class")
})

test_that("print output", {
  ep <- hand_episodes()
  expect_snapshot(print(class_profile(ep, "class", c("kind", "flag"), threshold = 0)))
  expect_snapshot(print(class_profile(ep, "class", c("kind", "flag"))))
})

test_that("plot is a log-scale dot chart of the unsuppressed ratios", {
  ep <- hand_episodes()
  prof <- class_profile(ep, "class", c("kind", "flag"), threshold = 0)
  p <- plot(prof)
  expect_s3_class(p, "ggplot")
  expect_equal(p$scales$get_scales("x")$trans$name, "log-10")
  geoms <- vapply(p$layers, function(l) class(l$geom)[1], "")
  expect_true("GeomPoint" %in% geoms)
  expect_equal(nrow(p$data), sum(is.finite(prof$ratio)))
  expect_equal(sort(p$data$ratio), sort(prof$ratio[is.finite(prof$ratio)]))
  expect_true(inherits(p$facet, "FacetWrap"))
  pub <- plot(class_profile(ep, "class", "flag"))
  expect_equal(nrow(pub$data), 1)
})

test_that("summary lists the flagged characteristics per class", {
  ep <- hand_episodes()
  s <- summary(class_profile(ep, "class", c("kind", "flag"), threshold = 0))
  expect_s3_class(s, "summary.cscdemand_profile")
  a <- s[s$class == "A", ]
  expect_equal(a$characteristic, c("kind: x", "flag: yes", "kind: y"))
  expect_equal(a$direction, c("higher", "higher", "lower"))
  expect_equal(a$strength, rep("much", 3))
  expect_equal(a$ratio, c(3, (15 / 20) / (25 / 80), (8 / 20) / (64 / 80)))
  expect_snapshot(print(s))
})

test_that("p-values can be adjusted for multiple comparisons before flagging", {
  ep <- hand_episodes()
  raw <- class_profile(ep, "class", c("kind", "flag"), threshold = 0, p_adjust = "none")
  holm <- class_profile(ep, "class", c("kind", "flag"), threshold = 0, p_adjust = "holm")
  # kind has two levels: "y in a class against the others" is the test of
  # "x", so the family is every flag test and kind's x tests, y sharing x's
  same <- raw$variable == "kind" & raw$level == "y"
  expect_identical(raw$p_value[same], raw$p_value[raw$variable == "kind" & raw$level == "x"])
  expect_equal(holm$p_value[!same], p.adjust(raw$p_value[!same], "holm"))
  expect_identical(holm$p_value[same], holm$p_value[raw$variable == "kind" & raw$level == "x"])
  expect_equal(holm$flag, profile_flag(holm$ratio, holm$p_value, holm$n, 0.05, c(1, 2)))
  # Holm is the default
  expect_equal(class_profile(ep, "class", c("kind", "flag"), threshold = 0)$p_value, holm$p_value)
  expect_error(class_profile(ep, "class", "kind", p_adjust = "nope"))
})

test_that("a ratio resting on fewer than threshold episodes of the other classes is hidden", {
  # Level "z": 40 episodes in A, 3 in B and 2 in C. The ratio of A would
  # give back the 5 of B and C together (n_other) from published totals.
  ep <- data.frame(class = rep(c("A", "B", "C"), c(100, 100, 100)),
                   v = c(rep("z", 40), rep("w", 60), rep("z", 3), rep("w", 97),
                         rep("z", 2), rep("w", 98)))
  # Shown, the 40 would also pin the 3 and 2 of B and C to 0..5 from the row
  # total (range narrower than the threshold), so it is hidden with them.
  p <- class_profile(ep, "class", "v")
  za <- p[p$level == "z" & p$class == "A", ]
  expect_true(is.na(za$n))
  expect_true(is.na(za$ratio) && is.na(za$n_other) && is.na(za$pct_other) && is.na(za$p_value))
  expect_equal(za$display, "c")
  expect_false(any(grepl("\\bz\\b", profile_findings(p))))
  rt <- profile_ratio_table(p)
  # a row with no ratio that can be published is left out, and the note says so
  expect_false(any(grepl(": z$", rt$Characteristic)))
  expect_match(attr(rt, "note"), "v: z", fixed = TRUE)
  # with threshold 0 the ratio is there: (40/100) / (5/200)
  p0 <- class_profile(ep, "class", "v", threshold = 0)
  expect_equal(p0$ratio[p0$level == "z" & p0$class == "A"], 16)
})

test_that("levels with no episode are left out of the profile (no rows of n/a)", {
  ep <- data.frame(class = rep(c("A", "B"), c(50, 50)),
                   v = factor(rep(c("x", "y"), 50), levels = c("x", "y", "Not known")))
  p <- class_profile(ep, "class", "v")
  expect_equal(sort(unique(p$level)), c("x", "y"))
})

test_that("a small Unknown level is counted with Female, as in its table, and the ratios compare Female or unknown with Male (issue 23)", {
  cnt <- rbind(Female = c(515, 351, 687, 956, 711, 579, 576),
               Male = c(496, 336, 1108, 1068, 713, 522, 638),
               Unknown = c(3, 2, 8, 4, 4, 7, 3))
  ep <- episodes_from_counts(cnt)
  p <- class_profile(ep, "class", "g")
  # hiding Unknown's small cells would hide cells of Female and Male: it is
  # counted with Female (31 episodes, under 1% of the row) before
  # suppressing, as class_crosstab() counts it, so no cell is hidden and the
  # ratios are shown; Unknown is published in no category, so no ratio can
  # give its counts back (reader 10, F1: ratios with the totals pinned them
  # when Unknown was a row of its own)
  expect_equal(unique(p$level), c("Female or unknown", "Male"))
  expect_false(any(p$suppressed))
  fu <- p[p$level == "Female or unknown", ]
  a <- cnt["Female", ] + cnt["Unknown", ]
  A <- colSums(cnt)
  expect_equal(fu$ratio, unname((a / A) / ((sum(a) - a) / (sum(A) - A))), tolerance = 1e-12)
  expect_match(attr(p, "note")[["g"]], "Unknown \\(31 episodes\\) is counted with female")
})

test_that("with posterior weights the test carries the weights and holds its level under no association", {
  # posteriors of varied certainty (median largest probability about 0.84);
  # a characteristic independent of them. The old test treated the expected
  # counts as counts (variance 1/A + 1/B): it rejected under 1% at the 5% level.
  set.seed(7)
  N <- 2000
  z <- sample(3, N, TRUE, prob = c(.5, .3, .2))
  W <- exp(2.5 * outer(z, 1:3, "==") + matrix(rnorm(N * 3), N))
  W <- W / rowSums(W)
  colnames(W) <- c("a", "b", "c")
  p <- unlist(lapply(1:400, function(r) {
    y <- rbinom(N, 1, 0.3)
    class_profile(data.frame(y = y), vars = "y", posterior = W, p_adjust = "none", threshold = 0)$p_value
  }))
  expect_gt(mean(p < 0.05), 0.03)
  expect_lt(mean(p < 0.05), 0.07)
  expect_gt(stats::ks.test(p, "punif")$p.value, 0.01)
  # the variance by simulation: p1 - p0 over many characteristics, against the formula
  y <- matrix(rbinom(N * 2000, 1, 0.3), N)
  d <- colSums(W[, 1] * y) / sum(W[, 1]) - colSums((1 - W[, 1]) * y) / sum(1 - W[, 1])
  wv <- profile_weight_sums(W, 1)
  expect_equal(stats::var(d), 0.3 * 0.7 * unname(wv$c2[1]), tolerance = 0.08)
  # with 0/1 weights the formulas are the pooled test and Katz's interval
  M <- 1 * outer(z, 1:3, "==")
  colnames(M) <- c("a", "b", "c")
  y <- rbinom(N, 1, 0.2 + 0.1 * (z == 1))
  pr <- class_profile(data.frame(y = y), vars = "y", posterior = M, p_adjust = "none", threshold = 0)
  a <- sum(y[z == 1]); A <- sum(z == 1); b <- sum(y[z != 1]); B <- N - A
  pt <- suppressWarnings(stats::prop.test(c(a, b), c(A, B), correct = FALSE))
  expect_equal(pr$p_value[1], pt$p.value, tolerance = 1e-8)
  se <- sqrt(1 / a - 1 / A + 1 / b - 1 / B)
  expect_equal(pr$lower[1], (a / A) / (b / B) * exp(-stats::qnorm(0.975) * se), tolerance = 1e-8)
})

test_that("the weighted test with a fitted model's posteriors: size under no association, power against a known difference", {
  # Why its variance p(1 - p) sum c_i^2 is smaller than the binomial one with
  # the expected counts as sizes, p1(1 - p1)/A + p0(1 - p0)/B: an episode
  # shared between the category and the others adds to both percentages, so
  # p1 and p0 move together and their difference varies less. Given the
  # weights (functions of the factors alone), a characteristic unrelated to
  # the categories is unrelated to the weights, so the variance is exact under
  # that null; classification uncertainty shows as a smaller difference
  # (attenuation, less power), not as a larger null variance. The binomial
  # variance with expected counts is too large: its test is conservative.
  d <- simulate_lca(n = 3000, seed = 11)
  items <- setdiff(names(d), ".class")
  fit <- lca(d, k = 3, items = items, seed = 1, starts = 4, verbose = FALSE)
  W <- predict(fit, d[items], type = "posterior")
  colnames(W) <- paste("Class", 1:3)
  expect_lt(stats::median(apply(W, 1, max)), 0.99)  # classification is uncertain
  z <- d$.class
  target <- which(table(z) == min(table(z)))[1]
  k <- which.max(colSums(W[z == target, , drop = FALSE]) / colSums(W))
  binom_p <- function(pr) {
    zz <- (pr$pct - pr$pct_other) / 100 /
      sqrt(pr$pct / 100 * (1 - pr$pct / 100) / pr$n_class + pr$pct_other / 100 * (1 - pr$pct_other / 100) / pr$n_other_class)
    2 * stats::pnorm(-abs(zz))
  }
  set.seed(3)
  run <- function(effect) {
    t(vapply(1:300, function(r) {
      y <- stats::rbinom(nrow(d), 1, 0.25 + effect * (z == target))
      pr <- class_profile(data.frame(y = y), vars = "y", posterior = W, p_adjust = "none", threshold = 0)
      pr <- pr[as.integer(pr$class) == k, ]
      c(p = pr$p_value, binom = binom_p(pr), ratio = pr$ratio)
    }, numeric(3)))
  }
  null <- run(0)
  expect_gt(mean(null[, "p"] < 0.05), 0.025)
  expect_lt(mean(null[, "p"] < 0.05), 0.08)
  expect_lt(mean(null[, "binom"] < 0.05), 0.04)   # the binomial variance is too large
  expect_true(all(null[, "p"] <= null[, "binom"] + 1e-12))
  alt <- run(0.10)                                 # true ratio 0.35 / 0.25 = 1.4
  expect_gt(mean(alt[, "p"] < 0.05), 0.8)
  expect_gt(mean(alt[, "p"] < 0.05), mean(alt[, "binom"] < 0.05))
  # the shared episodes pull the estimated ratio towards 1, never past it
  expect_lt(mean(alt[, "ratio"]), 1.4)
  expect_gt(mean(alt[, "ratio"]), 1.1)
})

test_that("rows taken out of a profile, and the findings' source rows, print without error", {
  set.seed(1)
  ep <- data.frame(class = sample(c("A", "B"), 400, TRUE),
                   v = sample(c("x", "y"), 400, TRUE))
  p <- class_profile(ep, "class", "v")
  sub <- p[p$class == "A", ]
  expect_output(print(sub), "x")
  fi <- profile_findings(class_profile(ep, "class", "v", threshold = 0), min_episodes = 0)
  expect_identical(class(attr(fi, "rows")), "data.frame")
  expect_output(print(fi))
})
