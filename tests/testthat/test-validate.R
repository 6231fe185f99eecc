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
  bl <- lca_blrt(d, k = 2:4, reps = 19, starts = 3, fit_starts = 10, seed = 1, verbose = FALSE)
  tb <- bl$table
  expect_equal(tb$k, 2:4)
  expect_lt(tb$p_value[tb$k == 3], 0.06)
  expect_gt(tb$p_value[tb$k == 4], 0.05)
  expect_true(all(tb$reps == 19))
  bl2 <- lca_blrt(d, k = 4, reps = 5, starts = 2, fit_starts = 10, seed = 1, threads = 1,
                  verbose = FALSE)
  bl3 <- lca_blrt(d, k = 4, reps = 5, starts = 2, fit_starts = 10, seed = 1, threads = 2,
                  verbose = FALSE)
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
