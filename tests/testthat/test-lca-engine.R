# The engine's contracts: the convergence rule, reproducibility and bad input.

sim_sparse <- function(n, K = 4, J = 12, seed = 1) {
  p <- withr::with_seed(seed, {
    p <- matrix(stats::runif(K * J, 0.01, 0.1), K, J)
    for (k in seq_len(K)) p[k, sample.int(J, 3)] <- stats::runif(3, 0.5, 0.9)
    p
  })
  simulate_lca(n, probs = p, class_size = seq(K, 1) / sum(seq(K, 1)), seed = seed + 1)
}

test_that("the default stopping rule certifies the maximum: poLCA from the solution gains < 1e-6", {
  skip_if_not_installed("poLCA")
  d <- sim_sparse(3000)
  fit <- quiet_starts(lca(d, 4, starts = 10, seed = 1, verbose = FALSE))
  expect_true(fit$converged)
  items <- fit$items
  dd <- d[items]
  for (it in items) dd[[it]] <- dd[[it]] + 1L
  f <- stats::as.formula(paste0("cbind(", paste(items, collapse = ","), ") ~ 1"))
  pl <- poLCA_quiet(f, dd, nclass = 4, probs.start = lapply(items, function(it) fit$probs[[it]]),
                    maxiter = 100000, tol = 1e-13)
  expect_lt(pl$llik - fit$loglik, 1e-6)
  expect_gt(pl$llik - fit$loglik, -1e-6)
})

test_that("the stopping rule does not loosen with the size of the data", {
  # 100 copies of the same rows (as weights): the gain poLCA finds must stay
  # absolute-small, not 100 times larger.
  d <- sim_sparse(600, K = 3, J = 8, seed = 3)
  f1 <- quiet_starts(lca(d, 3, starts = 10, seed = 2, verbose = FALSE))
  f100 <- quiet_starts(lca(d, 3, weights = rep(100, nrow(d)), starts = 10, seed = 2,
                           verbose = FALSE))
  expect_equal(f100$loglik, 100 * f1$loglik, tolerance = 1e-9)
  # the plain-R EM step from the weighted solution barely moves the likelihood
  y <- codes_of(f100, d)
  st <- ref_em_step(y, f100$class_size, f100$probs, w = rep(100, nrow(d)))
  gain <- ref_loglik(y, st$size, st$probs, w = rep(100, nrow(d))) -
    ref_loglik(y, f100$class_size, f100$probs, w = rep(100, nrow(d)))
  expect_lt(abs(gain), 1e-7)
})

test_that("all weights zero and absurd thread counts or seeds give classed errors", {
  d <- sim_sparse(200, K = 2, J = 6)
  expect_error(lca(d, 2, weights = rep(0, nrow(d)), verbose = FALSE),
               class = "cscdemand_error_weights")
  expect_error(lca(d, 2, threads = 1e10, verbose = FALSE), "at most 1024",
               class = "cscdemand_error_input")
  expect_error(lca(d, 2, seed = Inf, verbose = FALSE), class = "cscdemand_error_input")
  # a seed beyond 2^64 is reduced, not undefined: two calls agree
  a <- quiet_starts(lca(d, 2, seed = 2^70, starts = 3, verbose = FALSE))
  b <- quiet_starts(lca(d, 2, seed = 2^70, starts = 3, verbose = FALSE))
  expect_identical(a$starts$loglik, b$starts$loglik)
})

test_that("items stored as doubles are read safely (converted copies outlive the pointers)", {
  d <- sim_sparse(500, K = 2, J = 6, seed = 4)
  di <- d
  for (j in grep("^item", names(d))) di[[j]] <- as.integer(d[[j]])
  dd <- d
  for (j in grep("^item", names(d))) dd[[j]] <- as.double(d[[j]])
  gc()
  pi <- lca_patterns(di)
  pd <- lca_patterns(dd)
  expect_identical(pi$y, pd$y)
  expect_identical(pi$n, pd$n)
})

test_that("lca() without items says which it used, refuses identifiers, warns on many categories", {
  d <- sim_sparse(300, K = 2, J = 5, seed = 6)
  expect_message(quiet_starts(lca(d, 2, starts = 3, seed = 1)), class = "cscdemand_message_items")
  msg <- tryCatch(quiet_starts(lca(d, 2, starts = 3, seed = 1)),
                  cscdemand_message_items = function(m) conditionMessage(m))
  expect_match(msg, "Using 5 items")
  expect_false(grepl(".class", msg, fixed = TRUE))
  # identifier-like columns: by name, and by a different value on every row
  d_id <- cbind(child_id = seq_len(nrow(d)), d)
  expect_error(lca(d_id, 2, verbose = FALSE), "identifiers", class = "cscdemand_error_item")
  d_id2 <- cbind(serial = sample.int(1e6, nrow(d)), d)
  expect_error(lca(d_id2, 2, verbose = FALSE), "serial", class = "cscdemand_error_item")
  d_la <- cbind(LAchildID = seq_len(nrow(d)), d)
  expect_error(lca(d_la, 2, verbose = FALSE), class = "cscdemand_error_item")
  # naming the items is always allowed
  items <- grep("^item", names(d), value = TRUE)
  expect_silent(quiet_starts(lca(d_id, 2, items = items, starts = 3, seed = 1, verbose = FALSE)))
  # an age-like item with many categories
  d_age <- d
  d_age$age <- rep_len(1:40, nrow(d))
  expect_warning(quiet_starts(lca(d_age, 2, starts = 3, seed = 1, verbose = FALSE)),
                 class = "cscdemand_warning_categories")
})

test_that("lca_replicate() uses an episode table's factor columns, not its identifiers", {
  ep <- episode_factors(simulate_cin(las = c("E09000021", "E09000027"), years = 2024,
                                     n_episodes = 800, seed = 1))
  expect_true(length(attr(ep, "factors")) > 3)
  rp <- suppressWarnings(lca_replicate(ep, 2, split = "la", seed = 1, starts = 3))
  expect_identical(rp$fits[[1]]$items, attr(ep, "factors"))
})

test_that("predict() without newdata gives one row per fitted row, in row order", {
  d <- sim_sparse(400, K = 2, J = 6, seed = 7)
  d$item1[c(5, 9)] <- NA
  d[12, grep("^item", names(d))] <- NA   # every item missing
  d$la <- rep(c("A", "B"), length.out = nrow(d))
  fit <- quiet_starts(lca(d, 2, group = "la", starts = 4, seed = 1, verbose = FALSE))
  pp <- predict(fit, type = "posterior")
  expect_equal(dim(pp), c(nrow(d), 2L))
  expect_equal(pp, predict(fit, d, type = "posterior"), tolerance = 1e-12)
  expect_equal(unname(pp[12, ]), unname(fit$class_size_group["B", ]))
  expect_identical(predict(fit), max.col(pp, ties.method = "first"))
  expect_identical(predict(fit, type = "class"), predict(fit, d))
})

test_that("an EM step on the linear scale equals the log-space step, also at the boundary", {
  set.seed(11)
  J <- 8
  y <- unique(matrix(sample(1:2, 400 * J, replace = TRUE, prob = c(.7, .3)), ncol = J))
  y[sample(length(y), 20)] <- NA_integer_  # some missing items
  n <- as.numeric(sample(1:50, nrow(y), replace = TRUE))
  K <- 3
  step <- function(p1) {
    # p1: J x K probabilities of category 2; rows of logrho are (item, category)
    lr <- matrix(0, 2 * J, K)
    lr[seq(1, 2 * J, 2), ] <- log1p(-p1)
    lr[seq(2, 2 * J, 2), ] <- log(p1)
    cpp_lca_em_step_check(y, rep(2L, J), n, matrix(log(c(.5, .3, .2)), 1), lr)
  }
  moderate <- matrix(runif(J * K, 0.05, 0.9), J, K)
  extreme <- moderate
  extreme[1, 1] <- exp(-700)    # beyond the linear range for patterns with item 1
  extreme[2, 2] <- 0            # an exact zero (floored in log space)
  extreme[3, 3] <- 1 - 1e-300   # the reference category at the floor
  extreme[5, 3] <- 1 - 1e-300   # twice: the base of class 3 is beyond the linear range
  extreme[4, 1] <- exp(-300)
  for (p1 in list(moderate, extreme)) {
    s <- step(p1)
    expect_equal(s$ll_linear, s$ll_log, tolerance = 1e-12)
    expect_equal(s$ll_linear, s$ll_direct, tolerance = 1e-12)
    fin <- is.finite(s$logrho_log)
    expect_identical(fin, is.finite(s$logrho_linear))
    expect_equal(exp(s$logrho_linear), exp(s$logrho_log), tolerance = 1e-12)
    expect_equal(s$logpi_linear, s$logpi_log, tolerance = 1e-12)
  }
  # the log-likelihood by hand, with the class sizes and probabilities above
  p1 <- moderate
  lik <- sapply(seq_len(nrow(y)), function(i) {
    sum(c(.5, .3, .2) * sapply(1:K, function(k) {
      obs <- !is.na(y[i, ])
      prod(ifelse(y[i, obs] == 2, p1[obs, k], 1 - p1[obs, k]))
    }))
  })
  expect_equal(step(moderate)$ll_linear, sum(n * log(lik)), tolerance = 1e-12)
})

test_that("the E-step in blocks of patterns (many patterns, K up to 16) equals one EM step in R", {
  # 5,000 patterns: the E-step runs in blocks (2,048 patterns each, the last
  # takes the rest) whose sums are added in order; K = 14 takes the unrolled
  # kernel. One EM step written out in R (posteriors from the log joint,
  # expected counts, proportions) is the reference.
  set.seed(12)
  J <- 16
  K <- 14
  y <- unique(matrix(sample(1:2, 6000 * J, replace = TRUE, prob = c(.6, .4)), ncol = J))
  expect_gt(nrow(y), 2 * 2048)
  n <- as.numeric(sample(1:20, nrow(y), replace = TRUE))
  p1 <- matrix(runif(J * K, 0.05, 0.95), J, K)
  pi0 <- prop.table(runif(K, 1, 2))
  lr <- matrix(0, 2 * J, K)
  lr[seq(1, 2 * J, 2), ] <- log1p(-p1)
  lr[seq(2, 2 * J, 2), ] <- log(p1)
  s <- cpp_lca_em_step_check(y, rep(2L, J), n, matrix(log(pi0), 1), lr)
  x <- y == 2
  lj <- sweep(x %*% log(p1) + (!x) %*% log1p(-p1), 2, log(pi0), "+")
  m <- apply(lj, 1, max)
  lf <- m + log(rowSums(exp(lj - m)))
  post <- exp(lj - lf) * n
  expect_equal(s$ll_linear, sum(n * lf), tolerance = 1e-12)
  expect_equal(s$ll_log, sum(n * lf), tolerance = 1e-12)
  expect_equal(s$ll_direct, sum(n * lf), tolerance = 1e-12)
  p1_new <- crossprod(x, post) / matrix(colSums(post), J, K, byrow = TRUE)
  expect_equal(exp(s$logrho_linear[seq(2, 2 * J, 2), ]), unname(p1_new), tolerance = 1e-10)
  expect_equal(exp(s$logrho_log[seq(2, 2 * J, 2), ]), unname(p1_new), tolerance = 1e-10)
  expect_equal(exp(drop(s$logpi_linear)), colSums(post) / sum(n), tolerance = 1e-10)
})

test_that("a start run alone on several threads gives the fit it gives on one", {
  # With fewer starts left than threads, each start spreads its E-step over
  # the threads (blocks of patterns added in a fixed order): the fit must be
  # identical to the one-thread fit, for one start, for a batch whose last
  # start runs alone, and for the replay of the best start.
  set.seed(8)
  pr <- matrix(runif(4 * 16, 0.1, 0.9), 4, 16, dimnames = list(NULL, paste0("f", 1:16)))
  d <- simulate_lca(n = 20000, probs = pr, class_size = c(.4, .3, .2, .1), seed = 8)
  expect_gt(nrow(unique(d)), 2 * 2048)
  for (starts in c(1, 3)) {
    f1 <- lca(d, k = 4, starts = starts, seed = 9, threads = 1, verbose = FALSE)
    f2 <- lca(d, k = 4, starts = starts, seed = 9, threads = 2, verbose = FALSE)
    expect_identical(f1$loglik, f2$loglik)
    expect_identical(f1$probs, f2$probs)
    expect_identical(f1$starts, f2$starts)
    expect_identical(f1$trace, f2$trace)
  }
})

test_that("the trace is recorded as the starts run: monotone, ends at the fit, one path", {
  # The best start's trace (the log-likelihood at the start of each EM
  # cycle) is kept while every start runs, stage by stage, instead of running
  # the best start again to record it. It must be the best start's whole
  # path: never falling (EM with a safeguarded SQUAREM step), ending just
  # below the final log-likelihood, and the path of a shorter run is the
  # beginning of a longer one's (the same start, the same steps).
  d <- simulate_lca(n = 2000, seed = 21)
  for (ctl in list(lca_control(init_iter = 0), lca_control())) {
    f <- lca(d, k = 3, starts = 6, seed = 4, control = ctl, verbose = FALSE)
    tr <- f$trace
    expect_gt(length(tr), 5)
    expect_true(all(diff(tr) >= -1e-8 * abs(f$loglik)))
    expect_lte(tail(tr, 1), f$loglik + 1e-8)
    expect_equal(tail(tr, 1), f$loglik, tolerance = 1e-6)
  }
  short <- quiet_starts(suppressWarnings(lca(d, k = 3, starts = 1, seed = 4, verbose = FALSE,
                                             control = lca_control(init_iter = 0, maxiter = 20))))
  long <- lca(d, k = 3, starts = 1, seed = 4, verbose = FALSE, control = lca_control(init_iter = 0))
  expect_gt(length(long$trace), length(short$trace))
  expect_identical(long$trace[seq_along(short$trace)], short$trace)
})
