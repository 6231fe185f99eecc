sep_probs <- rbind(c(.9, .8, .1, .1, .2, .1), c(.1, .2, .9, .8, .1, .2),
                   c(.1, .1, .2, .1, .9, .9))

test_that("align_classes undoes a permutation of the classes", {
  d <- simulate_lca(n = 2000, probs = sep_probs, class_size = c(.5, .3, .2), seed = 1)
  fit <- lca(d, 3, starts = 8, seed = 1, verbose = FALSE)
  shuffled <- permute_classes(fit, c(3, 1, 2))
  expect_equal(unname(shuffled$probs$item1[, "1"]), unname(fit$probs$item1[c(3, 1, 2), "1"]))
  expect_equal(shuffled$loglik, fit$loglik)
  al <- align_classes(shuffled, fit)
  expect_equal(al$probs, fit$probs)
  expect_equal(al$class_size, fit$class_size)
  expect_equal(al$posterior, fit$posterior)
  expect_equal(attr(al, "alignment")$distance, c(0, 0, 0))
  other <- lca(d[, 1:4], 2, verbose = FALSE, seed = 1)
  expect_error(align_classes(other, fit), class = "cscdemand_error_align")
})

test_that("bootstrap SEs of a one-class model match the binomial closed form", {
  d <- simulate_lca(n = 3000, seed = 2)
  fit <- lca(d, 1, verbose = FALSE)
  b <- lca_bootstrap(fit, reps = 300, seed = 1, verbose = FALSE)
  s <- b$summary[b$summary$term == "domestic_abuse=1|Class 1", ]
  p <- mean(d$domestic_abuse)
  expect_equal(s$std.error, sqrt(p * (1 - p) / 3000), tolerance = 0.15)
  expect_equal(s$estimate, p)
  expect_true(s$conf.low < p && p < s$conf.high)
  expect_equal(b$failed, 0)
})

test_that("bootstrap: labels aligned, classes recovered, reproducible for any threads", {
  d <- simulate_lca(n = 3000, probs = sep_probs, class_size = c(.5, .3, .2), seed = 3)
  fit <- lca(d, 3, starts = 8, seed = 1, verbose = FALSE)
  b1 <- lca_bootstrap(fit, reps = 25, seed = 5, threads = 1, verbose = FALSE)
  b2 <- lca_bootstrap(fit, reps = 25, seed = 5, threads = 2, verbose = FALSE)
  expect_identical(b1$draws, b2$draws)
  expect_true(all(b1$recovery$recovered > 0.9))
  sz <- b1$summary[startsWith(b1$summary$term, "Class"), ]
  expect_equal(sz$boot_mean, sz$estimate, tolerance = 0.05)
  expect_true(all(sz$std.error > 0 & sz$std.error < 0.05))
  expect_output(print(b1), "Class recovery")
  expect_error(lca_bootstrap(fit, reps = 0), class = "cscdemand_error_input")
})

test_that("BLRT rejects too few classes and not the true number", {
  d <- simulate_lca(n = 1500, probs = sep_probs, class_size = c(.5, .3, .2), seed = 4)
  # the 4-class fit of 3-class data creeps along a flat ridge and may stop
  # at maxiter: its convergence warning is not what this test is about
  bl <- suppressWarnings(lca_blrt(d, k = 2:4, reps = 19, starts = 3, fit_starts = 10, seed = 1,
                                  verbose = FALSE))
  tb <- bl$table
  expect_equal(tb$k, 2:4)
  expect_lt(tb$p_value[tb$k == 3], 0.06)
  expect_gt(tb$p_value[tb$k == 4], 0.05)
  # significant tests run all 19 (no pretest for 19); the non-significant
  # one stops at its first exceedance (Besag-Clifford, p = 1 / L)
  expect_equal(tb$reps[tb$k < 4], c(19, 19))
  hit <- which(bl$lr[["4"]] >= tb$LR[tb$k == 4])
  expect_equal(tb$reps[tb$k == 4], hit[1])
  expect_equal(tb$p_value[tb$k == 4], 1 / hit[1])
  bl2 <- suppressWarnings(lca_blrt(d, k = 4, reps = 5, starts = 2, fit_starts = 10, seed = 1,
                                   threads = 1, verbose = FALSE))
  bl3 <- suppressWarnings(lca_blrt(d, k = 4, reps = 5, starts = 2, fit_starts = 10, seed = 1,
                                   threads = 2, verbose = FALSE))
  expect_identical(bl2$lr, bl3$lr)
  expect_output(print(bl), "Bootstrap likelihood ratio")
  expect_error(lca_blrt(d, k = 1), class = "cscdemand_error_input")
})

test_that("cross-validation: held-out likelihood by hand for one class, peaks near truth", {
  d <- simulate_lca(n = 3000, probs = sep_probs, class_size = c(.5, .3, .2), seed = 6)
  d$la <- rep(c("A", "B", "C"), 1000)
  cv <- lca_cv(d, k = 1:4, group = "la", starts = 6, seed = 1, verbose = FALSE)
  items <- paste0("item", 1:6)
  f1 <- cv$folds[cv$folds$k == 1, ]
  for (g in 1:3) {
    test <- d[d$la == c("A", "B", "C")[g], items]
    train <- d[d$la != c("A", "B", "C")[g], items]
    p <- colMeans(train)
    ll <- mean(as.matrix(test) %*% log(p) + as.matrix(1 - test) %*% log(1 - p))
    expect_equal(f1$heldout_ll[g], ll, tolerance = 1e-10)
  }
  expect_equal(cv$table$k[which.max(cv$table$heldout_ll)], 3)
  kf <- lca_cv(d[items], k = 2:3, folds = 3, starts = 4, seed = 1, verbose = FALSE)
  expect_equal(sum(kf$folds$n_test[kf$folds$k == 2]), 3000)
  bs <- lca_cv(d[items], k = 2:3, folds = 3, method = "bootstrap", starts = 4, seed = 1,
               verbose = FALSE)
  expect_true(all(bs$folds$n_test > 0.3 * 3000 & bs$folds$n_test < 0.42 * 3000))
  expect_output(print(cv), "Highest held-out")
  expect_s3_class(plot(cv), "ggplot")
})

test_that("cross-validation started from the full-data fits reaches the same fold maxima", {
  d <- simulate_lca(n = 3000, probs = sep_probs, class_size = c(.5, .3, .2), seed = 6)
  items <- paste0("item", 1:6)
  en <- suppressWarnings(lca_enumerate(d[items], k = 1:4, starts = 10, seed = 3, verbose = FALSE))
  cold <- lca_cv(d[items], k = 1:4, folds = 4, starts = 20, seed = 1, verbose = FALSE)
  warm <- lca_cv(d[items], k = 1:4, folds = 4, starts = 2, seed = 1, verbose = FALSE, fits = en)
  # the same folds (same seed); up to the true K each fold's fit reaches the
  # maximum that 20 random starts reach
  expect_equal(warm$folds$n_test, cold$folds$n_test)
  up <- warm$folds$k <= 3
  expect_equal(warm$folds$train_ll[up], cold$folds$train_ll[up], tolerance = 1e-8)
  expect_equal(warm$folds$heldout_ll[up], cold$folds$heldout_ll[up], tolerance = 1e-8)
  # above it (a flat likelihood with several maxima) within 1e-4 of it, and the
  # held-out likelihood per episode within 0.01
  expect_equal(warm$folds$train_ll[!up], cold$folds$train_ll[!up], tolerance = 1e-4)
  expect_lt(max(abs(warm$folds$heldout_ll - cold$folds$heldout_ll)), 0.01)
  # a list of fits works, and fits of other items are refused
  expect_equal(lca_cv(d[items], k = 3, folds = 4, starts = 2, seed = 1, verbose = FALSE,
                      fits = list(en$fits[["k=3"]]))$table$heldout_ll,
               warm$table$heldout_ll[warm$table$k == 3])
  other <- lca(d[items[1:5]], k = 3, seed = 1, verbose = FALSE)
  expect_error(lca_cv(d[items], k = 3, folds = 4, seed = 1, verbose = FALSE, fits = list(other)),
               class = "cscdemand_error_coding")
  expect_error(lca_cv(d[items], k = 3, folds = 4, seed = 1, verbose = FALSE, fits = "k=3"),
               class = "cscdemand_error")
})

test_that("replication on random halves and on councils", {
  d <- simulate_lca(n = 4000, probs = sep_probs, class_size = c(.5, .3, .2), seed = 7)
  r <- lca_replicate(d, 3, seed = 1, starts = 8)
  expect_true(all(r$comparison$congruence > 0.98))
  expect_true(all(r$comparison$max_abs_diff < 0.1))
  d$la <- rep(c("A", "B"), 2000)
  r2 <- lca_replicate(d, 3, split = "la", seed = 1, starts = 8)
  expect_equal(names(r2$fits), c("A", "B"))
  expect_output(print(r2), "Replication")
  expect_error(lca_replicate(d, 3, split = "nope"), class = "cscdemand_error_input")
})

test_that("replicate engine: one call fits every replicate like separate fits would", {
  d <- simulate_lca(n = 800, probs = sep_probs, class_size = c(.5, .3, .2), seed = 6)
  pt <- lca_patterns(d, items = grep("^item", names(d), value = TRUE))
  counts <- withr::with_seed(1, stats::rmultinom(4, sum(pt$n), pt$n / sum(pt$n)))
  ctl <- lca_control(tol = 1e-12)
  fit <- lca(pt, 3, starts = 10, seed = 1, verbose = FALSE, control = ctl)
  rr <- run_replicates(pt, counts, list(list(K = 1L, starts = 0L, init = list()),
                                        list(K = 3L, starts = 0L, init = init_from_fit(fit))),
                       seed = 5, control = ctl, threads = 2L,
                       test = matrix(pt$n, nrow(counts), 4) - pmin(pt$n, counts))
  for (r in 1:4) {
    # K = 1 has a closed form: marginal proportions under replicate r's counts
    y <- pt$y
    ll1 <- sum(vapply(seq_len(ncol(y)), function(j) {
      tab <- tapply(counts[, r], factor(y[, j], levels = 1:2), sum)
      tab[is.na(tab)] <- 0
      sum(ifelse(tab > 0, tab * log(tab / sum(tab)), 0))
    }, numeric(1)))
    expect_equal(rr$loglik[r, 1], ll1, tolerance = 1e-9)
    # K = 3 from the full-sample solution: a separate lca() on the same counts agrees
    pr <- pt
    pr$n <- counts[, r]
    one <- lca(pr, 3, starts = 1, seed = 1, verbose = FALSE, control = ctl)
    expect_equal(rr$loglik[r, 2], one$loglik, tolerance = 1e-6)
  }
  # held-out scores: K = 1 held-out LL from the replicate's marginal proportions
  te <- pt$n - pmin(pt$n, counts[, 1])
  p1 <- sapply(seq_len(ncol(pt$y)), function(j) sum(counts[pt$y[, j] == 2, 1]) / sum(counts[, 1]))
  held <- sum(te * rowSums(sapply(seq_len(ncol(pt$y)), function(j) {
    ifelse(pt$y[, j] == 2, log(p1[j]), log(1 - p1[j]))
  })))
  expect_equal(rr$heldout[1, 1], held, tolerance = 1e-9)
})

test_that("BLRT: early stopping, local maxima counted, multi-group (invariant) models", {
  d <- simulate_lca(n = 1200, probs = sep_probs, class_size = c(.5, .3, .2), seed = 8)
  # 2 classes against 1 on 3-class data: no replicate reaches the observed
  # statistic; with reps = 300 the pretest stops after 50 (blrt_n_sig())
  bl <- lca_blrt(d, k = 2, reps = 300, starts = 2, fit_starts = 10, seed = 1, verbose = FALSE)
  expect_true(bl$table$stopped_early)
  expect_equal(bl$table$reps, 50)
  expect_equal(bl$table$p_value, 1 / 51)
  # 4 against 3 classes: p clearly above 0.05 long before 300 replicates
  b4 <- suppressWarnings(lca_blrt(d, k = 4, reps = 300, starts = 2, fit_starts = 10, seed = 1,
                                  verbose = FALSE))
  expect_true(b4$table$stopped_early)
  expect_lt(b4$table$reps, 300)
  expect_gt(b4$table$p_value, 0.05)
  # Besag-Clifford: with reps = 40, three exceedances (3 / 40 > 0.05) settle
  # it; the test stops at the end of the batch where the third came, and its
  # p-value is 3 / L, L the replicate of the third exceedance (not the
  # replicates run), on the same replicates as the longer run
  b5 <- suppressWarnings(lca_blrt(d, k = 4, reps = 40, starts = 2, fit_starts = 10, seed = 1,
                                  verbose = FALSE))
  hit <- which(b4$lr[["4"]] >= b4$table$LR)
  expect_gte(length(hit), 3)
  expect_true(b5$table$stopped_early)
  expect_equal(b5$table$reps, hit[3])
  expect_equal(b5$table$p_value, 3 / hit[3])
  expect_identical(b5$lr[["4"]], b4$lr[["4"]][seq_len(10 * ceiling(hit[3] / 10))])
  # ... and 2 v 1 (no replicate reaches the statistic, as above) has none:
  # the pretest stops it after 30 of 40 (blrt_n_sig(40, 3)); with 19
  # replicates there is no pretest, so all 19 run
  b6 <- lca_blrt(d, k = 2, reps = 40, starts = 2, fit_starts = 10, seed = 1, verbose = FALSE)
  expect_equal(sum(b6$lr[["2"]] >= b6$table$LR), 0)
  expect_equal(b6$table$reps, 30)
  expect_true(b6$table$stopped_early)
  expect_identical(b6$lr[["2"]], bl$lr[["2"]][1:30])
  b7 <- lca_blrt(d, k = 2, reps = 19, starts = 2, fit_starts = 10, seed = 1, verbose = FALSE)
  expect_equal(b7$table$reps, 19)
  expect_false(b7$table$stopped_early)
  expect_true(all(c("k_worse", "stopped_early") %in% names(bl$table)))
  full <- lca_blrt(d, k = 2, reps = 25, starts = 2, fit_starts = 10, seed = 1, verbose = FALSE,
                   early_stop = FALSE)
  expect_equal(full$table$reps, 25)
  expect_identical(full$lr[["2"]][1:25], bl$lr[["2"]][1:25])
  # two councils sharing the solution: the grouped test rejects 2 classes, not 3
  d$la <- rep(c("A", "B"), 600)
  fit3 <- lca(d, 3, group = "la", starts = 10, seed = 1, verbose = FALSE)
  pg <- lca_patterns(d, items = grep("^item", names(d), value = TRUE), group = "la")
  bg <- suppressWarnings(lca_blrt(pg, k = 3:4, reps = 19, starts = 2, fit_starts = 10, seed = 2,
                                  verbose = FALSE, early_stop = FALSE))
  expect_lt(bg$table$p_value[bg$table$k == 3], 0.06)
  expect_gt(bg$table$p_value[bg$table$k == 4], 0.05)
  expect_equal(bg$fits[["3"]]$loglik, fit3$loglik, tolerance = 1e-6)
})

test_that("replicate engine: per-model stage one and tolerances take effect", {
  d <- simulate_lca(n = 1500, probs = sep_probs, class_size = c(.5, .3, .2), seed = 11)
  pt <- lca_patterns(d, items = grep("^item", names(d), value = TRUE))
  counts <- withr::with_seed(2, stats::rmultinom(3, sum(pt$n), pt$n / sum(pt$n)))
  ctl <- lca_control()
  strict <- list(K = 3L, starts = 6L, init = list(), init_iter = 0L)
  loose <- c(strict[1:3], list(init_iter = 0L, tol = 1e-3, tol_par = 0.05))
  staged <- c(strict[1:3], list(init_iter = 5L, final_starts = 1L))
  rr <- run_replicates(pt, counts, list(strict, loose, staged), seed = 3, control = ctl,
                       threads = 1L)
  # the loose rule stops earlier, and no higher than the strict one
  expect_true(all(rr$iter[, 2] < rr$iter[, 1]))
  expect_true(all(rr$loglik[, 2] <= rr$loglik[, 1] + 1e-8))
  # stage one: 6 starts x 5 iterations, then one start to convergence, which
  # reaches the strict maximum (checked against a separate 20-start lca())
  expect_true(all(rr$iter[, 3] < rr$iter[, 1]))
  for (r in 1:3) {
    pr <- pt
    pr$n <- counts[, r]
    one <- lca(pr, 3, starts = 20, seed = 1, verbose = FALSE)
    expect_equal(rr$loglik[r, 3], one$loglik, tolerance = 1e-6)
    expect_equal(rr$loglik[r, 1], one$loglik, tolerance = 1e-6)
  }
})

test_that("BLRT replicates' search ends near the maxima of a many-start fit", {
  # Since issue 25 the data's statistic is computed by the replicates' own
  # search (next test), so a search that misses a maximum does not move the
  # level; its depth buys power (and an LR near the thorough fits' LR_fit).
  # The one-batch search (blrt_models()) must still end at the (K-1)-class
  # maximum of an independent many-start fit of the same replicate data,
  # and near the K-class one.
  d <- simulate_lca(n = 1500, probs = sep_probs, class_size = c(.5, .3, .2), seed = 12)
  pt <- lca_patterns(d, items = grep("^item", names(d), value = TRUE))
  f0 <- lca(pt, 3, seed = 1, verbose = FALSE)
  f1 <- suppressWarnings(lca(pt, 4, seed = 1, verbose = FALSE))
  R <- 6
  sim <- blrt_simulate(pt, f0, seq_len(R), 7)  # the data the replicates below fit
  mods <- blrt_models(f0, f1, 4L, lca_control())
  rr <- run_replicates(pt, R, mods, 9, lca_control(), 2L, sim = blrt_sim_spec(pt, f0, 7, 0L))
  for (r in seq_len(R)) {
    pr <- blrt_replicate_patterns(pt, sim, r)
    expect_equal(sum(pr$n), sum(pt$n))
    best0 <- lca(pr, 3, starts = 60, seed = 2, verbose = FALSE)$loglik
    best1 <- suppressWarnings(lca(pr, 4, starts = 60, seed = 2, verbose = FALSE))$loglik
    expect_lt(abs(rr$loglik[r, 1] - best0), 0.01)
    expect_gt(rr$loglik[r, 2], best1 - 0.25)
    expect_gte(rr$loglik[r, 2], rr$loglik[r, 1] - 1e-6)
  }
  # one batch each: the generating model + 4 random starts; the 3 splits of
  # the replicate's 3-class solution + 4 random starts
  expect_identical(unname(rr$n_starts[, 1]), rep(5L, R))
  expect_identical(unname(rr$n_starts[, 2]), rep(7L, R))
})

test_that("BLRT: the observed statistic is a replicate's procedure applied to the observed data", {
  # Issue 25: the test is exact only if the observed statistic and the
  # replicates' are exchangeable under the null, so the observed one must be
  # computed by the same search as every replicate's (same starts rule,
  # tolerances, caps and stream rule), not by the thorough fits the report
  # shows. On these data the thorough 4-class fit ends 7e-4 above the
  # replicates' search, so the thorough LR (the old statistic) differs.
  d <- simulate_lca(n = 1000, seed = 3)
  seed <- 11
  bl <- suppressWarnings(lca_blrt(d, k = 4, reps = 11, starts = 4, seed = seed, verbose = FALSE,
                                  early_stop = FALSE))
  pt <- canonical_patterns(suppressMessages(lca_patterns(d)))
  f0 <- bl$fits[["3"]]
  mods <- blrt_models(f0, bl$fits[["4"]], 4L, lca_control())
  # the procedure applied to replicates 1 and 11 (the first of each batch of
  # 10) gives exactly their log-likelihoods in the test
  sim <- blrt_simulate(pt, f0, 1:11, seed)
  rt <- bl$replicates[["4"]]
  for (r in c(1L, 11L)) {
    st <- blrt_statistic(blrt_replicate_patterns(pt, sim, r), mods, stream_seed(seed, 4, r, 3),
                         lca_control(), 2L)
    expect_identical(st$loglik, c(rt$loglik_k_minus_1[r], rt$loglik_k[r]))
    expect_identical(st$lr, bl$lr[["4"]][r])
  }
  # and applied to the observed data it gives the observed statistic
  obs <- blrt_statistic(pt, mods, stream_seed(seed, 4, 0, 3), lca_control(), 1L)
  expect_identical(bl$table$LR, obs$lr)
  expect_identical(bl$table$LR_fit, 2 * (bl$fits[["4"]]$loglik - f0$loglik))
  expect_gt(abs(bl$table$LR - bl$table$LR_fit), 1e-4)
  # the K-class search takes nothing from the observed K-class fit
  expect_length(mods[[2]]$init, 0L)
  expect_true(mods[[2]]$split_model0)
})

test_that("BLRT data are drawn from the (K-1)-class model, with the observed missing masks", {
  probs <- sep_probs
  d <- simulate_lca(n = 4000, probs = probs, class_size = c(.5, .3, .2), seed = 3)
  d$item2[seq(1, 4000, by = 4)] <- NA  # a quarter missing on item 2
  pt <- lca_patterns(d, items = grep("^item", names(d), value = TRUE))
  f0 <- lca(pt, 3, starts = 10, seed = 1, verbose = FALSE)
  sim <- blrt_simulate(pt, f0, 1:20, 5)
  w <- sim$n / sum(sim$n)
  # item margins P(item = 2) implied by f0 against the simulated share
  for (j in seq_along(pt$items)) {
    implied <- sum(f0$class_size * f0$probs[[j]][, 2])
    obs <- !is.na(sim$y[, j])
    got <- sum(w[obs] * (sim$y[obs, j] == 2)) / sum(w[obs])
    se <- sqrt(implied * (1 - implied) / (20 * sum(pt$n) * sum(w[obs])))
    expect_lt(abs(got - implied), 4 * se)
  }
  expect_equal(sum(w[is.na(sim$y[, 2])]), 0.25, tolerance = 0.01)
  expect_equal(sum(w[is.na(sim$y[, 1])]), 0)
  # every replicate has the observed number of rows; streams differ by replicate
  per <- tapply(sim$n, sim$entries$rep, sum)
  expect_true(all(per == 4000))
  again <- blrt_simulate(pt, f0, 3:4, 5)  # replicates 3 and 4 alone: the same draws
  expect_equal(again$n, sim$n[sim$entries$rep %in% 3:4])
  expect_false(identical(sim$n[sim$entries$rep == 1], sim$n[sim$entries$rep == 2]))
})

test_that("cross-validation runs on a multi-group pattern table", {
  d <- simulate_lca(n = 1200, probs = sep_probs, class_size = c(.5, .3, .2), seed = 9)
  d$la <- rep(c("A", "B"), 600)
  pg <- lca_patterns(d, items = grep("^item", names(d), value = TRUE), group = "la")
  cv <- lca_cv(pg, k = 1:4, folds = 3, starts = 4, seed = 1, verbose = FALSE)
  expect_equal(cv$table$k, 1:4)
  expect_true(all(is.finite(cv$table$heldout_ll)))
  expect_gt(cv$table$heldout_ll[3], cv$table$heldout_ll[2])
})

test_that("BLRT p-value is (1 + #{replicate LR >= observed LR}) / (1 + replicates)", {
  # the formula by hand: ties count as exceedances, failed replicates are left out
  expect_equal(blrt_p_value(c(1, 2, 3, NA), 2), 3 / 4)
  expect_equal(blrt_p_value(numeric(19), 1), 1 / 20)
  expect_equal(blrt_p_value(rep(5, 19), 5), 1)
  # the Besag-Clifford stopping count: the fewest h with h / reps > alpha
  expect_identical(blrt_h_stop(99, 0.05), 5L)
  expect_identical(blrt_h_stop(100, 0.05), 6L)
  expect_identical(blrt_h_stop(19, 0.05), 1L)
  # its p-value h / L at the h-th exceedance (failed replicates left out),
  # else the full formula; stopping never changes the decision
  expect_equal(blrt_p_sequential(c(0, 5, NA, 0, 5, 5), 4, 2), list(p = 2 / 4, reps = 4L))
  expect_equal(blrt_p_sequential(c(0, 5, 0), 4, 2), list(p = 2 / 4, reps = 3L))
  # the pretest's rise of the level, exact (ranks uniform under the null)
  # against simulation: the observed statistic beats the first n
  # replicates but not h_stop of the rest
  expect_identical(blrt_n_sig(99, 5), 40L)
  expect_identical(blrt_n_sig(19, 1), Inf)
  expect_lte(blrt_pretest_excess(99, 40, 5), 0.002)
  u <- withr::with_seed(3, matrix(stats::runif(100 * 40000), 100))
  rk <- apply(u, 2, function(v) c(sum(v[2:11] >= v[1]), sum(v[-1] >= v[1])))
  expect_equal(mean(rk[1, ] == 0 & rk[2, ] >= 5), blrt_pretest_excess(99, 10, 5),
               tolerance = 4 * sqrt(0.05 / 40000) / 0.05)
  for (i in 1:200) {
    lr <- withr::with_seed(i, stats::rexp(99))
    obs <- withr::with_seed(i + 1000, stats::rexp(1, 0.5))
    seq_p <- blrt_p_sequential(lr, obs, blrt_h_stop(99, 0.05))$p
    expect_identical(seq_p <= 0.05, blrt_p_value(lr, obs) <= 0.05)
  }
  d <- simulate_lca(n = 800, probs = sep_probs, class_size = c(.5, .3, .2), seed = 21)
  bl <- suppressWarnings(lca_blrt(d, k = 3:4, reps = 9, seed = 3, verbose = FALSE,
                                  early_stop = FALSE))
  for (kk in c("3", "4")) {
    tb <- bl$table[bl$table$k == as.integer(kk), ]
    rp <- bl$replicates[[kk]]
    # LR_fit is twice the log-likelihood gain of the fits it reports; the
    # test's statistic LR (the replicates' search on the data) ends at the
    # same maxima here, well-separated classes
    expect_equal(tb$LR_fit, 2 * (tb$loglik_k - tb$loglik_k_minus_1))
    expect_equal(tb$LR, tb$LR_fit, tolerance = 1e-3)
    expect_equal(bl$lr[[kk]], 2 * pmax(0, rp$loglik_k - rp$loglik_k_minus_1))
    expect_equal(tb$p_value, (1 + sum(bl$lr[[kk]] >= tb$LR)) / (1 + 9))
    expect_equal(tb$not_replicated, sum(!rp$replicated))
  }
  # the observed fits are the adaptive fits of lca(): searched until replicated
  for (kk in 2:4) {
    ref <- suppressWarnings(lca(d, kk, seed = 3, verbose = FALSE,
                                control = lca_control(batch = 50)))
    expect_equal(bl$fits[[as.character(kk)]]$loglik, ref$loglik, tolerance = 1e-6)
  }
})

test_that("BLRT: the same episodes in another order, or as a fit or pattern table, give the same test", {
  d <- simulate_lca(n = 900, probs = sep_probs, class_size = c(.5, .3, .2), seed = 22)
  d$item3[seq(5, 900, by = 9)] <- NA  # missing items: the simulated masks follow the patterns
  items <- grep("^item", names(d), value = TRUE)
  run <- function(x) suppressWarnings(lca_blrt(x, k = 3, reps = 9, seed = 4, verbose = FALSE))
  ref <- run(d)
  shuffled <- d[withr::with_seed(1, sample(nrow(d))), ]
  for (x in list(shuffled, lca_patterns(shuffled, items = items),
                 lca(shuffled, 3, starts = 4, seed = 1, verbose = FALSE))) {
    got <- run(x)
    expect_identical(got$lr, ref$lr)
    expect_identical(got$table$p_value, ref$table$p_value)
    expect_equal(got$table$LR, ref$table$LR, tolerance = 1e-8)
  }
  # the canonical order keeps every row with its pattern
  pt <- lca_patterns(shuffled, items = items)
  cp <- canonical_patterns(pt)
  expect_equal(cp$y[cp$row_index[!is.na(cp$row_index)], ], pt$y[pt$row_index[!is.na(pt$row_index)], ],
               ignore_attr = TRUE)
  expect_equal(sum(cp$n), sum(pt$n))
})
