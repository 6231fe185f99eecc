
two_councils <- function(n = 1500, differ = FALSE, seed = 1) {
  p <- rbind(c(.9, .8, .1, .1, .2, .1), c(.1, .2, .9, .8, .1, .2), c(.1, .1, .2, .1, .9, .9))
  q <- p
  if (differ) q[, 1:3] <- q[, c(3, 1, 2)]
  a <- simulate_lca(n, probs = p, class_size = c(.5, .3, .2), seed = seed)
  b <- simulate_lca(n, probs = q, class_size = c(.3, .4, .3), seed = seed + 100)
  d <- rbind(a, b)
  d$la <- rep(c("North", "South"), each = n)
  d
}

test_that("multi-group fits: parameter counts and structure", {
  d <- two_councils()
  inv <- lca(d, 3, group = "la", starts = 10, seed = 1, verbose = FALSE)
  con <- lca(d, 3, group = "la", invariance = "configural", starts = 10, seed = 1,
             verbose = FALSE)
  par <- lca(d, 3, group = "la", invariance = "partial", free = c("item1", "item2"),
             starts = 10, seed = 1, verbose = FALSE)
  expect_equal(inv$npar, 2 * 2 + 3 * 6)
  expect_equal(con$npar, 2 * 2 + 2 * 3 * 6)
  expect_equal(par$npar, 2 * 2 + 3 * 6 + 3 * 2)
  expect_true(con$loglik >= par$loglik - 1e-6)
  expect_true(par$loglik >= inv$loglik - 1e-6)
  expect_equal(dim(inv$class_size_group), c(2, 3))
  expect_equal(rowSums(inv$class_size_group), c(North = 1, South = 1))
  # class sizes per group recover the truth (matched by item profile)
  north <- inv$class_size_group["North", ]
  expect_equal(sort(unname(north)), sort(c(.5, .3, .2)), tolerance = 0.08)
  # configural fit = separate fits per group (same likelihood)
  items <- paste0("item", 1:6)
  ln <- lca(d[d$la == "North", ], 3, items = items, starts = 10, seed = 1, verbose = FALSE)
  ls <- lca(d[d$la == "South", ], 3, items = items, starts = 10, seed = 1, verbose = FALSE)
  expect_equal(con$loglik, ln$loglik + ls$loglik, tolerance = 1e-7)
  expect_error(lca(d, 3, invariance = "configural", verbose = FALSE),
               class = "cscdemand_error_input")
  expect_error(lca(d, 3, group = "la", invariance = "partial", free = "nope", verbose = FALSE),
               class = "cscdemand_error_input")
  # predict uses the group's class sizes
  p <- predict(inv, d[c(1, 2000), ], type = "posterior")
  expect_equal(rowSums(p), c(1, 1))
})

test_that("invariance table prefers the invariant model only when groups share a solution", {
  same <- lca_invariance(two_councils(), k = 3, group = "la", starts = 10, seed = 1,
                         verbose = FALSE)
  expect_equal(same$table$preferred_BIC[1], "invariant")
  # the groups' classes really differ: some cannot be matched to the invariant ones
  expect_warning(
    diff <- quiet_starts(lca_invariance(two_councils(differ = TRUE), k = 3, group = "la",
                                        starts = 10, seed = 1, verbose = FALSE)),
    class = "cscdemand_warning_alignment")
  expect_equal(diff$table$preferred_BIC[1], "configural")
  expect_equal(diff$table$df[2], diff$table$npar[2] - diff$table$npar[1])
  expect_output(print(diff), "Lowest BIC")
  expect_s3_class(plot(diff), "ggplot")
})

test_that("invariant and configural log-likelihoods agree with glca", {
  skip_if_not_installed("glca")
  suppressPackageStartupMessages(library(glca))
  d <- two_councils(n = 600, seed = 3)
  items <- paste0("item", 1:6)
  gd <- d
  for (it in items) gd[[it]] <- gd[[it]] + 1L
  f <- stats::as.formula(paste0("item(", paste(items, collapse = ","), ") ~ 1"))
  gi <- glca::glca(f, group = la, data = gd, nclass = 3, measure.inv = TRUE, n.init = 20,
                   maxiter = 10000, eps = 1e-10, seed = 1, verbose = FALSE)
  gc <- glca::glca(f, group = la, data = gd, nclass = 3, measure.inv = FALSE, n.init = 20,
                   maxiter = 10000, eps = 1e-10, seed = 1, verbose = FALSE)
  ctl <- lca_control(tol = 1e-13)
  inv <- lca(d, 3, group = "la", starts = 30, seed = 1, control = ctl, verbose = FALSE)
  con <- lca(d, 3, group = "la", invariance = "configural", starts = 30, seed = 1,
             control = ctl, verbose = FALSE)
  expect_lt(abs(inv$loglik - gi$gof$loglik), 1e-4)
  expect_lt(abs(con$loglik - gc$gof$loglik), 1e-4)
  expect_equal(inv$npar, gi$model$npar)
  expect_equal(con$npar, gc$model$npar)
  expect_equal(AIC(inv), gi$gof$AIC, tolerance = 1e-6)
  expect_equal(BIC(con), gc$gof$BIC, tolerance = 1e-6)
})

test_that("the item search finds the item that differs between two groups", {
  d <- two_councils(n = 1500)
  # make item 5 differ between councils (swap its probabilities in the South)
  south <- d$la == "South"
  d$item5[south] <- 1L - d$item5[south]
  inv <- quiet_starts(lca_invariance(d, k = 3, group = "la", starts = 8, seed = 1,
                                     search = TRUE, verbose = FALSE))
  # freeing item 5 in either council frees it between the two: one pair only
  expect_equal(inv$free$item, "item5")
  expect_equal(nrow(inv$free), 1L)
  expect_equal(dim(inv$group_gain), c(6L, 2L))
  expect_equal(inv$search$df[1], 3)
  expect_lt(inv$search$BIC_change[1], 0)
  expect_output(print(inv), "Items that differ")
})

test_that("an item constant within a group gives a classed warning", {
  d <- two_councils(n = 500)
  d$item6[d$la == "South"] <- 0L
  expect_warning(quiet_starts(lca_invariance(d, k = 2, group = "la", starts = 4, seed = 1,
                                             verbose = FALSE)),
                 class = "cscdemand_warning_group_item")
})

test_that("a small group (3 episodes, or fewer than 10 x K) warns and still fits unpooled", {
  d <- two_councils(n = 400, seed = 5)
  tiny <- d[d$la == "South", ][1:3, ]
  tiny$la <- "Tiny"
  d3 <- rbind(d, tiny)
  expect_warning(expect_warning(expect_warning(
    inv <- quiet_starts(lca_invariance(d3, k = 2, group = "la", starts = 5, seed = 1,
                                       min_group = 0, verbose = FALSE)),
    class = "cscdemand_warning_small_group"), class = "cscdemand_warning_group_item"),
    class = "cscdemand_warning_alignment")
  expect_equal(nrow(inv$table), 2L)
  # a group of 3 episodes cannot identify its classes: reported, not hidden
  al <- inv$fits[["configural k=2"]]$alignment
  expect_false(all(al$matched[al$group == "Tiny"]))
  expect_true(all(is.finite(inv$table$loglik)))
  # two small groups: the message names both, with a plural verb
  tiny2 <- tiny
  tiny2$la <- "Wee"
  w <- tryCatch(lca_invariance(rbind(d3, tiny2), k = 2, group = "la", starts = 5, seed = 1,
                               min_group = 0, verbose = FALSE),
                cscdemand_warning_small_group = function(w) w)
  expect_match(conditionMessage(w), "Groups .*Tiny.*Wee.* have fewer than 20 episodes")
})

test_that("the sequential search frees exactly the simulated (council, item) pairs", {
  d <- six_councils(10, three_pairs)
  inv <- quiet_starts(lca_invariance(d, k = 3, group = "la", starts = 20, seed = 1,
                                     search = TRUE, verbose = FALSE))
  expect_setequal(paste(inv$free$group, inv$free$item), c("A item5", "A item2", "C item7"))
  st <- inv$search
  expect_equal(nrow(st), 4L)  # three freed, then the first that fails its threshold
  expect_equal(st$freed, c(TRUE, TRUE, TRUE, FALSE))
  # Holm's thresholds over the 7 x 6 pairs
  expect_equal(st$threshold, 0.05 / (42 - 0:3))
  expect_equal(st$df, rep(3, 4))
  expect_equal(st$p_value, pchisq(st$LR, 3, lower.tail = FALSE))
  # the score (one EM step) is a lower bound on the group-local refit's LR,
  # and that on each step's exact LR
  expect_true(all(st$score <= st$local_LR + 1e-8))
  expect_true(all(st$local_LR <= st$LR + 1e-6))
  # the final model: the three pairs free, 3 x K(C - 1) parameters more
  base <- inv$fits[["invariant k=3"]]
  expect_equal(inv$partial$npar, base$npar + 3 * 3)
  expect_equal(inv$partial$loglik, st$loglik[3])
  expect_equal(sum(st$LR[1:3]), 2 * (inv$partial$loglik - base$loglik), tolerance = 1e-8)
  expect_identical(inv$partial$free, inv$free)
  expect_output(print(inv), "one group and item freed at a time")
  # against the invariant model alone, one pair at a time (the first step's
  # scores, each a lower bound on its LR, with a Bonferroni bound) many
  # more pairs look different: every council gains from freeing the items
  # whose shared probabilities council A's difference pulls away
  crit <- qchisq(1 - 0.05 / 42, 3)
  expect_gt(sum(inv$group_gain > crit), 3)
})

test_that("the search frees nothing when no council differs", {
  for (s in c(100, 200, 300)) {
    inv <- quiet_starts(lca_invariance(six_councils(s), k = 3, group = "la", starts = 20,
                                       seed = 1, search = TRUE, verbose = FALSE))
    expect_equal(nrow(inv$free), 0L)
    expect_equal(nrow(inv$search), 1L)
    expect_false(inv$search$freed)
    expect_equal(inv$partial$loglik, inv$table$loglik[1])
  }
  expect_output(print(inv), "None: the invariant model holds")
})

test_that("each step's refit reaches the many-start maximum of its model", {
  d <- six_councils(20, three_pairs[1:2])
  inv <- quiet_starts(lca_invariance(d, k = 3, group = "la", starts = 20, seed = 1,
                                     search = TRUE, search_refit = 3, verbose = FALSE))
  pt <- inv$fits[["invariant k=3"]]$patterns
  J <- length(pt$items)
  G <- length(pt$group_levels)
  so <- set_map(J, G)
  for (s in seq_len(nrow(inv$search))) {
    j <- match(inv$search$item[s], pt$items)
    g <- match(inv$search$group[s], pt$group_levels)
    so_s <- free_pair(so, j, g)
    many <- quiet_starts(fit_lca_patterns(pt, 3L, starts = 40L, seed = 2, threads = 1L,
                                          control = lca_control(tol = 1e-12), verbose = FALSE,
                                          set_of = so_s))
    expect_gt(inv$search$loglik[s], many$loglik - 1e-6)
    if (inv$search$freed[s]) so <- so_s
  }
  expect_setequal(paste(inv$free$group, inv$free$item), c("A item5", "A item2"))
})

test_that("the search stops at search_max with a classed warning", {
  d <- six_councils(10, three_pairs)
  expect_warning(
    inv <- quiet_starts(lca_invariance(d, k = 3, group = "la", starts = 20, seed = 1,
                                       search = TRUE, search_max = 1, verbose = FALSE)),
    class = "cscdemand_warning_search")
  expect_equal(nrow(inv$free), 1L)
  expect_error(lca_invariance(d, k = 3, group = "la", search = TRUE, search_alpha = 2,
                              verbose = FALSE), class = "cscdemand_error_input")
})

test_that("the pair score is twice the one-EM-step gain computed in plain R", {
  d <- permuted_groups(n = c(600, 500, 400), seed = 91)
  inv <- quiet_starts(lca(d, 3, group = "la", starts = 10, seed = 1, verbose = FALSE))
  pt <- inv$patterns
  sc <- pair_scores(pt, inv)
  post <- inv$posterior
  for (j in c(1L, 5L)) {
    byhand <- vapply(seq_along(pt$group_levels), function(g) {
      sel <- pt$group == g & !is.na(pt$y[, j])
      e <- rbind(colSums(pt$n[sel] * post[sel, ] * (pt$y[sel, j] == 1)),
                 colSums(pt$n[sel] * post[sel, ] * (pt$y[sel, j] == 2)))
      phat <- sweep(e, 2, colSums(e), "/")
      rho <- t(inv$probs[[j]])
      2 * sum(ifelse(e > 0, e * (log(phat) - log(rho)), 0))
    }, numeric(1))
    expect_equal(unname(sc$gain[j, ]), byhand, tolerance = 1e-10)
  }
  # one EM step from the invariant solution (item 5 free in group 2) reaches
  # at least the score's gain
  st <- sc$start(5L, 2L)
  expect_equal(st$set_of[5, ], c(0L, 1L, 0L))
  ll1 <- sum(pt$n * cpp_lca_posterior(pt$y, pt$ncat, pt$group, length(pt$group_levels),
                                      st$set_of, st$par$logpi, st$par$logrho)$ll_pattern)
  expect_gte(2 * (ll1 - inv$loglik), sc$gain[5, 2] - 1e-8)
  # a pair already free scores 0 and is not offered again
  fr <- quiet_starts(fit_lca_patterns(pt, 3L, starts = 1L, seed = 1, threads = 1L,
                                      control = lca_control(), verbose = FALSE,
                                      set_of = st$set_of, init = list(st$par)))
  sc2 <- pair_scores(pt, fr)
  expect_true(sc2$own[5, 2])
  expect_equal(sum(sc2$own), 1L)
  expect_equal(sc2$gain[5, 2], 0)
})

test_that("the group-local refit maximises over the group's class sizes and the item alone", {
  d <- permuted_groups(n = c(600, 500, 400), seed = 91)
  d$item3[d$la == "B"] <- rbinom(sum(d$la == "B"), 1, 0.5)  # item 3 differs in B
  set.seed(4)
  d$item6[sample(nrow(d), 60)] <- NA
  inv <- quiet_starts(lca(d, 3, group = "la", starts = 10, seed = 1, verbose = FALSE))
  pt <- inv$patterns
  sc <- pair_scores(pt, inv)
  ctl <- search_control(lca_control())
  # by hand: group B's log-likelihood as a function of its class sizes and
  # item 3's probabilities, every other probability at the invariant maximum
  sel <- pt$group == 2L
  y <- pt$y[sel, , drop = FALSE]
  n <- pt$n[sel]
  rho <- lapply(inv$probs, function(m) unname(m))
  ll_b <- function(pi, p3) {
    r <- rho
    r[[3]] <- p3
    lk <- matrix(rep(log(pi), each = nrow(y)), nrow(y))
    for (j in seq_along(r)) {
      ok <- !is.na(y[, j])
      lk[ok, ] <- lk[ok, ] + t(log(r[[j]]))[y[ok, j], , drop = FALSE]
    }
    m <- apply(lk, 1, max)
    sum(n * (m + log(rowSums(exp(lk - m)))))
  }
  nll <- function(th) {
    pi <- exp(c(0, th[1:2]))
    p1 <- plogis(th[3:5])
    -ll_b(pi / sum(pi), cbind(p1, 1 - p1))
  }
  pi0 <- inv$class_size_group[2, ]
  p30 <- rho[[3]][, 1]
  op <- optim(c(log(pi0[2:3] / pi0[1]), qlogis(p30)), nll, method = "BFGS",
              control = list(reltol = 1e-15, maxit = 5000))
  byhand <- 2 * (-op$value - ll_b(pi0, rho[[3]]))
  loc <- local_refit_pair(pt, inv, sc, (2L - 1L) * 7L + 3L, ctl)
  expect_equal(loc$lr, byhand, tolerance = 1e-6)
  expect_gt(loc$lr, sc$gain[3, 2])
  # the parameters it returns give that gain in the whole model's likelihood
  ll1 <- sum(pt$n * cpp_lca_posterior(pt$y, pt$ncat, pt$group, 3L, loc$set_of, loc$par$logpi,
                                      loc$par$logrho)$ll_pattern)
  expect_equal(2 * (ll1 - inv$loglik), loc$lr, tolerance = 1e-6)
  expect_equal(loc$set_of[3, ], c(0L, 1L, 0L))
  # only group B's sizes moved
  expect_equal(loc$par$logpi[-2, ], unname(inv$par$logpi[-2, ]))
  # the exact refit keeps the better of the local and the one-step starts
  ctl1 <- search_control(lca_control())
  both <- refit_pair(pt, 3L, loc, 0L, 1L, 1L, ctl1)
  from <- function(par) {
    quiet_starts(fit_lca_patterns(pt, 3L, starts = 1L, seed = 1, threads = 1L, control = ctl1,
                                  verbose = FALSE, set_of = loc$set_of, init = list(par),
                                  trace = FALSE))$loglik
  }
  expect_gte(both$loglik, max(from(loc$par), from(loc$onestep)) - 1e-8)
  expect_gte(2 * (both$loglik - inv$loglik), loc$lr - 1e-6)
})

test_that("groups too small for K classes are pooled as 'other councils', said and counted", {
  d <- permuted_groups(n = c(1200, 1000, 1000), seed = 101)
  small <- lapply(1:3, function(i) {
    e <- simulate_lca(60, probs = truth_probs, class_size = c(.4, .3, .3), seed = 200 + i)
    e$la <- paste0("S", i)
    e
  })
  d <- rbind(d, do.call(rbind, small))
  # 10 per parameter of one council's 3-class model on 7 yes/no items: 10 * (3 * 7 + 2)
  expect_equal(min_group_size(rep(2L, 7), 3), 230)
  expect_message(
    inv <- quiet_starts(lca_invariance(d, k = 3, group = "la", starts = 10, seed = 1,
                                       verbose = TRUE)),
    class = "cscdemand_message_pooled")
  expect_identical(inv$pooled, c("S1", "S2", "S3"))
  expect_identical(inv$groups, c("A", "B", "C", "other councils"))
  con <- inv$fits[["configural k=3"]]
  expect_equal(con$groups$n, c(1200, 1000, 1000, 180))
  expect_output(print(inv), "three councils pooled as \"other councils\"")
  # the pooled models are the models of the data with the small councils relabelled
  d2 <- d
  d2$la[d2$la %in% c("S1", "S2", "S3")] <- "other councils"
  ref <- quiet_starts(lca(d2, 3, group = "la", starts = 10, seed = 1, verbose = FALSE))
  expect_equal(inv$table$loglik[1], ref$loglik, tolerance = 1e-8)
  expect_equal(sum(inv$fits[["invariant k=3"]]$patterns$n), nrow(d))
  # min_group = 0 pools none
  none <- quiet_starts(lca_invariance(d, k = 3, group = "la", starts = 10, seed = 1,
                                      min_group = 0, verbose = FALSE))
  expect_length(none$pooled, 0)
  expect_length(none$groups, 6)
})

test_that("the invariant model from the pooled maximum reaches the random starts' maximum", {
  d <- six_councils(30, three_pairs[1])
  items <- paste0("item", 1:7)
  a <- quiet_starts(lca_invariance(d, k = 3, group = "la", starts = 20, seed = 1,
                                   verbose = FALSE))
  b <- quiet_starts(lca_invariance(d, k = 3, group = "la", starts = 20, seed = 1,
                                   invariant_start = "pooled", verbose = FALSE))
  fa <- a$fits[["invariant k=3"]]
  fb <- b$fits[["invariant k=3"]]
  expect_equal(fb$loglik, fa$loglik, tolerance = 1e-8)
  expect_equal(unname(fb$class_size_group), unname(fa$class_size_group), tolerance = 1e-4)
  expect_identical(fb$start_from, "pooled")
  expect_identical(fb$invariance, "invariant")
  expect_equal(fb$npar, fa$npar)
  # its starts are the pooled model's: the same fit as lca() without groups
  pooled <- quiet_starts(lca(d, 3, items = items, starts = 20, seed = 1, verbose = FALSE))
  expect_equal(fb$starts$loglik, pooled$starts$loglik)
  # EM from the pooled maximum only climbs: the invariant model nests the pooled one
  expect_gt(fb$loglik, pooled$loglik)
  expect_equal(b$table$loglik, a$table$loglik, tolerance = 1e-8)
  expect_error(lca_invariance(d, k = 3, group = "la", invariant_start = "nope", verbose = FALSE))
})
