test_that("K = 1 gives the marginal proportions and the closed-form log-likelihood", {
  d <- simulate_lca(n = 3000, seed = 11)
  d$domestic_abuse[c(3, 50, 700)] <- NA
  d$neglect[c(5, 6)] <- NA
  fit <- lca(d, k = 1, seed = 1, verbose = FALSE)
  items <- setdiff(names(d), ".class")
  ll <- 0
  for (it in items) {
    x <- d[[it]][!is.na(d[[it]])]
    p <- mean(x)
    expect_equal(unname(fit$probs[[it]][1, "1"]), p, tolerance = 1e-10)
    ll <- ll + sum(x) * log(p) + sum(1 - x) * log(1 - p)
  }
  expect_equal(fit$loglik, ll, tolerance = 1e-10)
  expect_equal(fit$npar, length(items))
  expect_equal(unname(fit$class_size), 1)
})

test_that("the fitted likelihood and EM fixed point agree with a plain-R reference", {
  d <- simulate_lca(n = 400, seed = 5)
  d$neglect[c(1, 10, 20)] <- NA
  fit <- lca(d, k = 3, starts = 10, seed = 3, verbose = FALSE,
             control = lca_control(tol = 1e-14, maxiter = 50000))
  y <- codes_of(fit, d)
  expect_equal(ref_loglik(y, fit$class_size, fit$probs), fit$loglik, tolerance = 1e-9)
  step <- ref_em_step(y, fit$class_size, fit$probs)
  expect_equal(step$size, unname(fit$class_size), tolerance = 1e-6)
  for (j in seq_along(fit$items)) {
    expect_equal(step$probs[[j]], unname(fit$probs[[j]]), tolerance = 1e-5)
  }
})

test_that("polytomous items with missing values match the plain-R reference", {
  set.seed(8)
  n <- 600
  cls <- sample(1:2, n, TRUE, prob = c(0.6, 0.4))
  mk <- function(p1, p2) {
    x <- ifelse(cls == 1, sample(1:3, n, TRUE, p1), sample(1:3, n, TRUE, p2))
    factor(c("low", "mid", "high")[x], levels = c("low", "mid", "high"))
  }
  d <- data.frame(a = mk(c(.7, .2, .1), c(.1, .3, .6)), b = mk(c(.6, .3, .1), c(.2, .2, .6)),
                  c = mk(c(.5, .4, .1), c(.1, .1, .8)), e = mk(c(.8, .1, .1), c(.3, .3, .4)))
  d$a[sample(n, 40)] <- NA
  d$c[sample(n, 25)] <- NA
  fit <- lca(d, k = 2, starts = 10, seed = 2, verbose = FALSE,
             control = lca_control(tol = 1e-14, maxiter = 50000))
  expect_equal(fit$npar, 1 + 2 * 4 * 2)
  expect_equal(colnames(fit$probs$a), c("low", "mid", "high"))
  y <- codes_of(fit, d)
  expect_equal(ref_loglik(y, fit$class_size, fit$probs), fit$loglik, tolerance = 1e-9)
  step <- ref_em_step(y, fit$class_size, fit$probs)
  expect_equal(step$size, unname(fit$class_size), tolerance = 1e-6)
})

test_that("frequency weights equal expanded rows", {
  d <- simulate_lca(n = 2000, seed = 21)[, 1:6]
  key <- do.call(paste, d)
  agg <- d[!duplicated(key), ]
  agg$w <- as.numeric(table(key)[key[!duplicated(key)]])
  f1 <- lca(d, k = 2, starts = 8, seed = 4, verbose = FALSE)
  f2 <- lca(agg, k = 2, weights = "w", starts = 8, seed = 4, verbose = FALSE)
  expect_equal(f2$nobs, 2000)
  expect_equal(f2$loglik, f1$loglik, tolerance = 1e-8)
  expect_equal(f2$probs, f1$probs, tolerance = 1e-6)
  expect_equal(length(f2$patterns$n), length(f1$patterns$n))
})

test_that("parameters are recovered from simulated data with known classes", {
  truth <- rbind(c(.9, .8, .1, .1, .2, .1), c(.1, .2, .9, .8, .1, .2), c(.1, .1, .2, .1, .9, .9))
  d <- simulate_lca(n = 20000, probs = truth, class_size = c(.5, .3, .2), seed = 99)
  fit <- lca(d, k = 3, starts = 10, seed = 1, verbose = FALSE)
  est <- t(vapply(seq_len(3), function(k) vapply(fit$probs, function(m) m[k, "1"], 0), numeric(6)))
  perm <- match_classes(truth, est)
  expect_lt(max(abs(est[perm, ] - truth)), 0.03)
  expect_lt(max(abs(fit$class_size[perm] - c(.5, .3, .2))), 0.02)
  # classes come largest first
  expect_true(all(diff(fit$class_size) <= 0))
  # modal assignment agrees with the truth for most rows
  agree <- mean(predict(fit, d) == match(d$.class, perm))
  expect_gt(agree, 0.9)
})

test_that("same seed gives identical results for 1 and 2 threads", {
  d <- simulate_lca(n = 3000, seed = 7)
  f1 <- lca(d, k = 3, starts = 12, seed = 123, threads = 1, verbose = FALSE)
  f2 <- lca(d, k = 3, starts = 12, seed = 123, threads = 2, verbose = FALSE)
  expect_identical(f1$loglik, f2$loglik)
  expect_identical(f1$probs, f2$probs)
  expect_identical(f1$starts, f2$starts)
  expect_identical(f1$posterior, f2$posterior)
  f3 <- lca(d, k = 3, starts = 12, seed = 124, threads = 2, verbose = FALSE)
  expect_false(identical(f1$starts$loglik_stage1, f3$starts$loglik_stage1))
})

test_that("seed = NULL draws from R's generator, so set.seed() governs the fit", {
  d <- simulate_lca(n = 500, seed = 7)
  set.seed(10)
  f1 <- lca(d, k = 2, starts = 4, verbose = FALSE)
  set.seed(10)
  f2 <- lca(d, k = 2, starts = 4, verbose = FALSE)
  expect_identical(f1$seed, f2$seed)
  expect_identical(f1$starts, f2$starts)
})

test_that("every start is recorded and replication of the best value is counted", {
  d <- simulate_lca(n = 2000, seed = 3)
  fit <- lca(d, k = 3, starts = 20, seed = 1, control = lca_control(final_starts = 6),
             verbose = FALSE)
  st <- fit$starts
  expect_equal(nrow(st), 20)
  expect_equal(sum(!is.na(st$loglik)), 6)
  expect_equal(sum(st$status == "stage 1 only"), 14)
  expect_equal(max(st$loglik, na.rm = TRUE), fit$loglik)
  expect_equal(fit$n_best, sum(st$best))
  # the starts carried to stage two are the best of stage one
  carried <- which(!is.na(st$loglik))
  expect_true(all(st$loglik_stage1[carried] >= max(st$loglik_stage1[-carried])))
  one <- lca(d, k = 3, starts = 5, seed = 1, control = lca_control(init_iter = 0),
             verbose = FALSE)
  expect_true(all(is.na(one$starts$loglik_stage1)))
  expect_equal(sum(!is.na(one$starts$loglik)), 5)
})

test_that("a best value reached only once gives a classed warning", {
  d <- simulate_lca(n = 300, seed = 3)
  expect_warning(
    fit <- lca(d, k = 6, starts = 3, seed = 2, control = lca_control(init_iter = 0),
               verbose = FALSE),
    class = "cscdemand_warning_starts"
  )
  expect_equal(fit$n_best, 1)
  expect_warning(
    fit <- lca(d, k = 3, starts = 1, seed = 2, control = lca_control(init_iter = 0, maxiter = 5),
               verbose = FALSE),
    class = "cscdemand_warning_convergence"
  )
  expect_false(fit$converged)
  expect_equal(fit$status, "maxiter")
})

test_that("degenerate data never give NaN", {
  # two items perfectly related: boundary estimates at 0 and 1
  d <- data.frame(a = rep(c(0, 1), each = 50), b = rep(c(0, 1), each = 50),
                  c = rep(c(0, 1, 0, 1), 25))
  fit <- suppressWarnings(lca(d, k = 2, starts = 10, seed = 1, verbose = FALSE))
  expect_true(is.finite(fit$loglik))
  expect_false(anyNA(unlist(fit$probs)))
  expect_gt(nrow(fit$boundary), 0)
  expect_output(print(summary(fit)), "Boundary estimates")
})

test_that("predict scores new patterns, missing items and all-missing rows", {
  d <- simulate_lca(n = 2000, seed = 4)
  fit <- lca(d, k = 3, starts = 8, seed = 1, verbose = FALSE)
  p_fit <- predict(fit, d, type = "posterior")
  expect_equal(p_fit, fit$posterior[fit$patterns$row_index, ], ignore_attr = TRUE)
  nd <- d[1:3, ]
  nd[1, ] <- c(1, 1, 1, 1, 1, 1, 1, 1, NA)
  nd[2, 1:8] <- NA
  nd[3, 3] <- NA
  pp <- predict(fit, nd, type = "posterior")
  expect_equal(rowSums(pp), rep(1, 3))
  expect_equal(unname(pp[2, ]), unname(fit$class_size), tolerance = 1e-12)
  # Bayes' rule by hand for row 3
  y <- unlist(nd[3, fit$items])
  f <- fit$class_size
  for (j in seq_along(y)) if (!is.na(y[j])) f <- f * fit$probs[[j]][, y[j] + 1]
  expect_equal(unname(pp[3, ]), unname(f / sum(f)), tolerance = 1e-12)
  expect_identical(predict(fit, nd), max.col(pp, ties.method = "first"))
  expect_error(predict(fit, d[, 1:3]), class = "cscdemand_error_coding")
  bad <- d
  bad$neglect[2] <- 3
  expect_error(predict(fit, bad), class = "cscdemand_error_coding")
})

test_that("simulate() draws from the fitted model", {
  d <- simulate_lca(n = 3000, seed = 4)
  # the 4 starts run to convergence end within 3e-5 of each other with the
  # same probabilities: one solution found four times, not four (the old
  # same_ll = 1e-6 counted it once and warned that it was not replicated)
  expect_no_warning(fit <- lca(d, k = 3, starts = 8, seed = 1, verbose = FALSE))
  expect_equal(fit$n_best, 4)
  s1 <- simulate(fit, seed = 1, n = 50000)
  s2 <- simulate(fit, seed = 1, n = 50000)
  expect_identical(s1, s2)
  expect_equal(as.numeric(prop.table(table(s1$.class))), unname(fit$class_size), tolerance = 0.02)
  p1 <- as.vector(tapply(s1$neglect, s1$.class, mean))
  expect_equal(unname(p1), unname(fit$probs$neglect[, "1"]), tolerance = 0.03)
})

test_that("methods: logLik, AIC, BIC, coef, tidy, glance, augment", {
  d <- simulate_lca(n = 1500, seed = 12)
  fit <- lca(d, k = 2, starts = 6, seed = 1, verbose = FALSE)
  ll <- logLik(fit)
  expect_equal(attr(ll, "df"), fit$npar)
  expect_equal(AIC(fit), -2 * fit$loglik + 2 * fit$npar)
  expect_equal(BIC(fit), -2 * fit$loglik + log(1500) * fit$npar)
  expect_equal(nobs(fit), 1500)
  td <- tidy(fit)
  expect_equal(nrow(td), 2 + 2 * 8 * 2)
  expect_equal(sum(td$estimate[td$type == "class size"]), 1)
  expect_equal(length(coef(fit)), nrow(td))
  gl <- glance(fit)
  expect_equal(nrow(gl), 1)
  expect_equal(gl$BIC, BIC(fit))
  au <- augment(fit, data = d)
  expect_equal(nrow(au), 1500)
  expect_equal(au$.class, predict(fit, d))
  expect_equal(au$.prob_1 + au$.prob_2, rep(1, 1500))
  expect_s3_class(plot(fit), "ggplot")
  expect_output(print(fit), "Latent class model")
})

test_that("patience stops adaptive starts after a batch that does not improve the best, and says so", {
  set.seed(1)  # noise: a 4-class model has many maxima of nearly equal height
  d <- as.data.frame(matrix(rbinom(3000 * 10, 1, 0.3), 3000, 10))
  ctl <- lca_control(batch = 5, max_starts = 40, patience = 1)
  w <- tryCatch(lca(d, 4, seed = 1, control = ctl, verbose = FALSE),
                cscdemand_warning_starts = function(w) w)
  expect_match(conditionMessage(w), "did not improve over the last batch of 5")
  a <- quiet_starts(lca(d, 4, seed = 1, control = ctl, verbose = FALSE))
  expect_identical(a$stopped, "patience")
  expect_equal(nrow(a$starts), 10L)
  # the best came from the first batch; the second did not beat it
  expect_lte(which.max(a$starts$loglik), 5L)
  # without patience the same starts go on until the best is replicated
  b <- suppressWarnings(lca(d, 4, seed = 1, control = lca_control(batch = 5, max_starts = 40),
                            verbose = FALSE))
  expect_true(b$stopped %in% c("replicated", "max_starts"))
  expect_gt(nrow(b$starts), 10L)
  expect_identical(b$starts$loglik[1:10], a$starts$loglik)
  # (noise: the best of six fixed starts does not converge in maxiter, and says so)
  expect_warning(f6 <- quiet_starts(lca(d, 4, starts = 6, seed = 1, verbose = FALSE)),
                 class = "cscdemand_warning_convergence")
  expect_identical(f6$stopped, "fixed")
  # lca_enumerate() uses patience = 1 unless the control sets it
  # (screening off: lca_enumerate() screens by default, lca() does not)
  en <- suppressWarnings(lca_enumerate(d, k = 4, seed = 1, verbose = FALSE,
                                       control = lca_control(batch = 5, max_starts = 40,
                                                             screen_tol = 0)))
  expect_identical(en$fits[["k=4"]]$stopped, "patience")
  expect_identical(en$fits[["k=4"]]$loglik, a$loglik)
  expect_error(lca_control(patience = -1), class = "cscdemand_error_input")
})

# EM iterations of every start of a fit (stage one of the starts not carried on)
em_work <- function(f) {
  st <- f$starts
  sum(st$iterations, na.rm = TRUE) + sum(st$iter_stage1[is.na(st$iterations)], na.rm = TRUE)
}

test_that("screened starts keep the maximum at the true K and save EM work above it", {
  d <- simulate_lca(n = 5000, seed = 11)  # 3 true classes
  en <- suppressWarnings(lca_enumerate(d, k = 1:5, seed = 1, verbose = FALSE))
  expect_true(all(en$table$converged[en$table$k <= 3]))
  # a fit above it converged, or the printed table says it did not
  bad <- en$table$k[!en$table$converged]
  if (length(bad)) expect_output(print(en), paste0("Not converged.*K = ", paste(bad, collapse = ", ")))
  # at and below the true K: the maxima of 60 starts each run to convergence
  # from its start (no stage one, no screening)
  for (k in 2:3) {
    ref <- quiet_starts(lca(d, k, starts = 60, seed = 2, control = lca_control(init_iter = 0),
                            verbose = FALSE))
    expect_lt(abs(en$fits[[k]]$loglik - ref$loglik), 1e-6)
  }
  # above it, starts crawl along a flat likelihood: screening stops most of
  # them early (status "screened", their LL kept), and only the promising
  # ones run on to convergence
  f5 <- en$fits[["k=5"]]
  st <- f5$starts
  expect_gt(sum(st$status == "screened"), 0)
  expect_true(all(is.na(st$loglik[st$status == "screened"])))
  expect_true(all(is.finite(st$loglik_screen[st$status == "screened"])))
  expect_true(all(st$status[st$best] == "converged"))
  old <- suppressWarnings(lca(d, 5, seed = 1, control = lca_control(patience = 1, screen_tol = 0),
                              verbose = FALSE))
  expect_lt(em_work(f5), em_work(old) / 2)
  # the same seed gives the same fit on 1 and 2 threads with screening
  one <- suppressWarnings(lca(d, 5, seed = 1, threads = 1, verbose = FALSE,
                              control = lca_control(patience = 1, screen_tol = 1e-9)))
  expect_identical(one$loglik, f5$loglik)
  expect_identical(one$starts, f5$starts)
})

test_that("the enumeration says which fits stopped at the iteration limit", {
  d <- simulate_lca(n = 5000, seed = 11)
  w <- NULL
  en <- withCallingHandlers(
    lca_enumerate(d, k = 3:5, seed = 1, verbose = FALSE, control = lca_control(maxiter = 100)),
    warning = function(cnd) {
      w <<- c(w, conditionMessage(cnd))
      invokeRestart("muffleWarning")
    })
  expect_true(en$table$converged[en$table$k == 3])
  bad <- en$table$k[!en$table$converged]
  expect_gt(length(bad), 0)
  expect_true(all(bad > 3))
  expect_true(all(vapply(en$fits[paste0("k=", bad)], function(f) f$status, "") == "maxiter"))
  out <- capture.output(print(en))
  expect_true(any(grepl(paste0("Not converged.*K = ", paste(bad, collapse = ", ")), out)))
  expect_true(any(grepl(paste0("K = ", bad[1], ": The best start did not converge in 100"), w)))
})

test_that("stop_past ends the enumeration once BIC has risen, and says so", {
  d <- simulate_lca(n = 5000, seed = 11)
  full <- suppressWarnings(lca_enumerate(d, k = 1:6, seed = 1, verbose = FALSE))
  kmin <- full$table$k[which.min(full$table$BIC)]
  expect_equal(kmin, 3)
  en <- suppressWarnings(lca_enumerate(d, k = 1:6, seed = 1, stop_past = 1, verbose = FALSE))
  expect_equal(en$table$k, 1:4)
  expect_identical(en$stopped_at, 4L)
  expect_equal(en$table$loglik, full$table$loglik[1:4])
  expect_output(print(en), "Stopped after K = 4")
  expect_null(full$stopped_at)
  expect_error(lca_enumerate(d, k = 1:2, stop_past = 0), class = "cscdemand_error_input")
})
