# Issue 23 item 7, "Pooled is not the council": a council's figures from a
# model fitted to several councils pooled use the council's own class sizes
# (maximum likelihood with the pooled item probabilities held), not the
# pooled sizes, which pull its shares towards the pooled shares.

# Council A (3,000 episodes, true sizes 75/15/10%) pooled with a larger
# council B (30,000 episodes, 30/35/35%): the pooled sizes are about
# 34/33/33%, and the default item probabilities of simulate_lca() leave
# enough classification error for the pooled sizes to matter.
plain <- function(m) {
  attr(m, "sizes") <- NULL
  unname(m)
}

own_sizes_case <- function() {
  a <- simulate_lca(3000, class_size = c(0.75, 0.15, 0.10), seed = 11)
  b <- simulate_lca(30000, class_size = c(0.30, 0.35, 0.35), seed = 12)
  a$council <- "A"
  b$council <- "B"
  d <- rbind(a, b)
  items <- names(d)[1:8]
  fit <- lca(d[items], k = 3, seed = 1, starts = 4, verbose = FALSE)
  # fitted classes matched to the true ones by their item probabilities
  truep <- rbind(c(0.05, 0.10, 0.05, 0.10, 0.05, 0.20, 0.05, 0.10),
                 c(0.85, 0.60, 0.10, 0.15, 0.10, 0.30, 0.05, 0.20),
                 c(0.60, 0.70, 0.70, 0.60, 0.55, 0.65, 0.40, 0.50))
  p1 <- sapply(fit$probs, function(m) m[, "1"])
  map <- apply(p1, 1, function(p) which.min(colSums((t(truep) - p)^2)))
  mine <- d[d$council == "A", ]
  # the estimand: council A's share of episodes in each true class
  truth <- as.vector(table(factor(mine$.class, 1:3))) / nrow(mine)
  list(fit = fit, mine = mine, truth = truth[map], map = map)
}

test_that("a council of a pooled model: its posteriors and shares recover its own class sizes, not the pooled ones", {
  cs <- own_sizes_case()
  fit <- cs$fit
  mine <- cs$mine
  expect_setequal(cs$map, 1:3)
  sh <- class_shares(fit, mine, threshold = 0)
  se <- (sh$upper - sh$lower) / 100 / (2 * stats::qnorm(0.975))  # logit interval: about 2 x 1.96 se
  post_own <- class_posterior(fit, mine)
  # the report's posteriors average to the council's own ML sizes exactly
  expect_equal(unname(colMeans(post_own)), sh$share / 100, tolerance = 1e-8)
  expect_equal(unname(attr(post_own, "sizes")), sh$share / 100, tolerance = 1e-8)
  # ... which recover the truth within 3 standard errors (seen: 0.6 se at most)
  expect_true(all(abs(colMeans(post_own) - cs$truth) < 3 * se))
  # the posteriors under the pooled sizes are biased towards the pooled
  # shares by more than that (seen: 6.5 se for the large class)
  old <- colMeans(stats::predict(fit, mine, type = "posterior"))
  pooled <- unname(as.vector(fit$class_size))
  big <- which.max(cs$truth)
  expect_gt(abs(old[big] - cs$truth[big]), 4 * se[big])
  expect_true(all(sign(old - cs$truth) == sign(pooled - cs$truth)))
  # Bayes' rule with the own sizes: p_ik proportional to pi_k P(y_i | k)
  lik <- sapply(seq_len(3), function(k) {
    apply(sapply(names(fit$probs), function(it) fit$probs[[it]][k, as.character(mine[[it]])]), 1, prod)
  })
  ref <- lik * rep(sh$share / 100, each = nrow(lik))
  expect_equal(plain(post_own), unname(ref / rowSums(ref)), tolerance = 1e-8)
})

test_that("the headline shares and their bootstrap intervals use the council's own sizes (report_stability)", {
  cs <- own_sizes_case()
  fit <- cs$fit
  mine <- cs$mine
  bt <- lca_bootstrap(fit, reps = 20, seed = 1, verbose = FALSE)
  st <- report_stability(fit, bt, data = mine, threshold = 0)$shares
  sh <- class_shares(fit, mine, threshold = 0)
  se <- (sh$upper - sh$lower) / 100 / (2 * stats::qnorm(0.975))
  # the point estimate is the ML share, the tables' totals' share
  expect_equal(st$share, sh$share, tolerance = 1e-6)
  expect_equal(st$share, 100 * unname(colMeans(class_posterior(fit, mine))), tolerance = 1e-6)
  expect_true(all(abs(st$share / 100 - cs$truth) < 3 * se))
  # every resample's shares are that resample's own sizes: the truth is
  # inside the bootstrap interval (under the pooled sizes it was not:
  # 62-67% against 76% for the large class)
  expect_true(all(st$lower / 100 <= cs$truth & cs$truth <= st$upper / 100))
})

test_that("the summary's shares and the tables' totals agree under the council's own sizes", {
  cs <- own_sizes_case()
  fit <- cs$fit
  mine <- cs$mine
  mine$v <- rep(c("x", "y", "z"), length.out = nrow(mine))
  post_own <- class_posterior(fit, mine)
  sh <- class_shares(fit, mine, threshold = 10)
  got <- report_shares_counted(sh, post_own)
  ct <- class_crosstab(mine, var = "v", posterior = post_own, threshold = 10)
  tot <- attr(ct, "printed")
  expect_equal(unname(unlist(tot[nrow(tot), colnames(post_own)])), got$episodes)
  # each total is the council's estimated share times its episodes, to the rounding
  expect_lt(max(abs(got$episodes - sh$share / 100 * nrow(mine))), 1)
  expect_equal(sum(got$episodes), nrow(mine))
})

test_that("on the council's own data alone the own sizes are the model's: nothing changes", {
  d <- simulate_lca(3000, class_size = c(0.6, 0.25, 0.15), seed = 6)
  fit <- lca(d[1:8], k = 3, seed = 1, starts = 4, verbose = FALSE)
  p <- class_posterior(fit, d)
  expect_equal(unname(attr(p, "sizes")), unname(as.vector(fit$class_size)), tolerance = 1e-5)
  expect_equal(plain(p), unname(stats::predict(fit, d, type = "posterior")), tolerance = 1e-5)
  bt <- lca_bootstrap(fit, reps = 10, seed = 1, verbose = FALSE)
  st <- report_stability(fit, bt, data = d, threshold = 0)$shares
  expect_equal(st$share / 100, unname(as.vector(fit$class_size)), tolerance = 1e-5)
  # one class: every posterior is 1
  f1 <- lca(d[1:8], k = 1, verbose = FALSE)
  expect_equal(plain(class_posterior(f1, d[1:50, ])), matrix(1, 50, 1))
})

test_that("class_posterior() checks its input", {
  d <- simulate_lca(500, seed = 5)
  fit <- lca(d[1:8], k = 2, seed = 1, starts = 2, verbose = FALSE)
  expect_error(class_posterior(fit, d[2:8]), class = "cscdemand_error")
  expect_error(class_posterior(list(), d), class = "cscdemand_error")
})
