# The configural model fitted group by group, its class alignment, and the
# warm-started partial-invariance search.

truth_probs <- rbind(c(.9, .8, .1, .1, .2, .1, .7), c(.1, .2, .9, .8, .1, .2, .6),
                     c(.1, .1, .2, .1, .9, .9, .1))

# Groups drawn from one set of classes, each group's classes listed in its
# own (permuted) order, with sizes per group.
permuted_groups <- function(n = c(900, 700, 500), seed = 1, order = list(1:3, c(3, 1, 2), c(2, 3, 1)),
                            sizes = list(c(.5, .3, .2), c(.3, .4, .3), c(.2, .3, .5))) {
  out <- lapply(seq_along(n), function(g) {
    o <- order[[g]]
    d <- simulate_lca(n[g], probs = truth_probs[o, ], class_size = sizes[[g]][o], seed = seed + g)
    d$la <- LETTERS[g]
    d
  })
  do.call(rbind, out)
}

test_that("the configural likelihood is the sum of separate fits, and of the definition", {
  d <- permuted_groups(seed = 11)
  set.seed(3)
  d$item2[sample(nrow(d), 150)] <- NA  # missing items are skipped in every group
  items <- paste0("item", 1:7)
  con <- quiet_starts(lca(d, 3, group = "la", invariance = "configural", starts = 20, seed = 1,
                          verbose = FALSE))
  sep <- vapply(c("A", "B", "C"), function(g) {
    lca(d[d$la == g, ], 3, items = items, starts = 20, seed = 2, verbose = FALSE)$loglik
  }, numeric(1))
  expect_equal(con$loglik, sum(sep), tolerance = 1e-8)
  expect_equal(con$groups$loglik, unname(sep), tolerance = 1e-8)
  # the assembled parameters give that likelihood by the model's definition (plain R)
  y <- codes_of(con, d)
  ref <- sum(vapply(seq_len(3), function(g) {
    sel <- d$la == con$patterns$group_levels[g]
    probs <- lapply(con$par$probs_group[[g]], unname)
    ref_loglik(y[sel, , drop = FALSE], con$class_size_group[g, ], probs)
  }, numeric(1)))
  expect_equal(con$loglik, ref, tolerance = 1e-8)
  expect_equal(con$npar, 3 * 2 + 3 * 3 * 7)
  expect_equal(rowSums(con$class_size_group), c(A = 1, B = 1, C = 1))
  expect_equal(rowSums(con$posterior), rep(1, length(con$patterns$n)))
  expect_equal(nrow(con$alignment), 9L)
  expect_true(all(con$starts$group %in% c("A", "B", "C")))
})

test_that("configural fits are identical for 1 and 2 threads", {
  d <- permuted_groups(seed = 21)
  a <- quiet_starts(lca(d, 3, group = "la", invariance = "configural", starts = 12, seed = 7,
                        threads = 1, verbose = FALSE))
  b <- quiet_starts(lca(d, 3, group = "la", invariance = "configural", starts = 12, seed = 7,
                        threads = 2, verbose = FALSE))
  expect_identical(a$par$logrho, b$par$logrho)
  expect_identical(a$par$logpi, b$par$logpi)
  expect_identical(a$starts, b$starts)
  expect_identical(a$alignment, b$alignment)
  expect_identical(a$loglik, b$loglik)
})

test_that("alignment recovers the true classes whatever order each group lists them in", {
  d <- permuted_groups(n = c(1500, 1200, 1000), seed = 31)
  inv <- quiet_starts(lca(d, 3, group = "la", starts = 20, seed = 1, verbose = FALSE))
  con <- quiet_starts(lca(d, 3, group = "la", invariance = "configural", starts = 20, seed = 1,
                          verbose = FALSE))
  bin <- function(pl) vapply(pl, function(m) m[, "1"], numeric(3))
  # the true class behind each invariant class
  lab <- match_classes(bin(inv$probs), truth_probs)
  lab <- order(lab)
  for (g in 1:3) {
    pg <- bin(con$par$probs_group[[g]])
    # each aligned class k of group g is nearest the true class of invariant class k
    near <- apply(pg, 1, function(p) which.min(rowSums(sweep(truth_probs, 2, p)^2)))
    expect_identical(unname(near), lab)
    expect_lt(max(abs(pg - truth_probs[lab, ])), 0.12)
  }
  expect_true(all(con$alignment$matched))
  # class sizes per group follow the truth through the same labels
  truth_size <- rbind(c(.5, .3, .2), c(.3, .4, .3), c(.2, .3, .5))
  expect_equal(unname(con$class_size_group), truth_size[, lab], tolerance = 0.06)
})

test_that("a group whose classes differ is reported as not matched", {
  d <- permuted_groups(n = c(1500, 1200, 1000), seed = 41)
  other <- rbind(c(.5, .5, .5, .5, .5, .5, .5), c(.9, .9, .9, .9, .1, .1, .1),
                 c(.1, .1, .1, .1, .9, .9, .9))
  e <- simulate_lca(800, probs = other, class_size = c(.4, .3, .3), seed = 5)
  e$la <- "D"
  d <- rbind(d, e)
  expect_warning(
    con <- quiet_starts(lca(d, 3, group = "la", invariance = "configural", starts = 20, seed = 1,
                            verbose = FALSE)),
    class = "cscdemand_warning_alignment")
  al <- con$alignment
  expect_true(any(!al$matched[al$group == "D"]))
  expect_true(all(al$matched[al$group != "D"]))
  expect_true(all(al$distance >= 0 & al$max_diff <= 1))
})

test_that("a configural fit from lca() equals the one lca_invariance() matches to its invariant fit", {
  d <- permuted_groups(seed = 51)
  con <- quiet_starts(lca(d, 3, group = "la", invariance = "configural", starts = 10, seed = 4,
                          verbose = FALSE))
  inv <- quiet_starts(lca_invariance(d, k = 3, group = "la", starts = 10, seed = 4,
                                     configural_starts = NULL, verbose = FALSE))
  expect_identical(inv$fits[["configural k=3"]]$par$logrho, con$par$logrho)
  expect_equal(inv$table$loglik[2], con$loglik)
  # the default (the invariant solution and 4 random starts per group)
  # reaches the same maximum
  few <- quiet_starts(lca_invariance(d, k = 3, group = "la", starts = 10, seed = 4,
                                     verbose = FALSE))
  expect_equal(few$table$loglik[2], con$loglik, tolerance = 1e-8)
})

test_that("each group's configural fit from the invariant solution and 4 random starts reaches the many-start maximum", {
  # four councils with the same three classes in different sizes and
  # orders; in council C item 5 is reversed, so its maximum is far from the
  # invariant solution in that item; in council D the classes differ
  d <- permuted_groups(n = c(1500, 1200, 1000), seed = 61)
  c3 <- d$la == "C"
  d$item5[c3] <- 1L - d$item5[c3]
  other <- rbind(c(.5, .5, .5, .5, .5, .5, .5), c(.9, .9, .9, .9, .1, .1, .1),
                 c(.1, .1, .1, .1, .9, .9, .9))
  e <- simulate_lca(900, probs = other, class_size = c(.4, .3, .3), seed = 6)
  e$la <- "D"
  d <- rbind(d, e)
  items <- paste0("item", 1:7)
  inv <- suppressWarnings(lca_invariance(d, k = 3, group = "la", starts = 20, seed = 1,
                                         verbose = FALSE))
  con <- inv$fits[["configural k=3"]]
  # five starts per group (the first the invariant solution), two finished
  expect_true(all(table(con$starts$group) == 5L))
  expect_true(all(con$groups$n_finished == 2L))
  # each group's maximum is the one 60 random starts find for that council
  # alone (a separate K-class fit: the configural likelihood is their sum)
  many <- vapply(con$groups$group, function(g) {
    quiet_starts(lca(d[d$la == g, ], 3, items = items, starts = 60, seed = 9,
                     verbose = FALSE))$loglik
  }, numeric(1))
  expect_lt(max(abs(con$groups$loglik - many)), 1e-6)
  # and the adaptive starts of lca() (configural_starts = NULL) the same
  all <- suppressWarnings(lca_invariance(d, k = 3, group = "la", starts = 20, seed = 1,
                                         configural_starts = NULL, verbose = FALSE))
  expect_equal(all$table$loglik, inv$table$loglik, tolerance = 1e-8)
  expect_gt(nrow(all$fits[["configural k=3"]]$starts), nrow(con$starts))
  expect_error(lca_invariance(d, k = 3, group = "la", configural_starts = -1, verbose = FALSE))
})

test_that("configural and invariant log-likelihoods agree with glca to 1e-6 on three groups", {
  skip_if_not_installed("glca")
  suppressPackageStartupMessages(library(glca))
  d <- permuted_groups(n = c(500, 400, 300), seed = 71)
  items <- paste0("item", 1:7)
  gd <- d
  for (it in items) gd[[it]] <- gd[[it]] + 1L
  f <- stats::as.formula(paste0("item(", paste(items, collapse = ","), ") ~ 1"))
  fit_glca <- function(inv) {
    glca::glca(f, group = la, data = gd, nclass = 3, measure.inv = inv, n.init = 30,
               maxiter = 20000, eps = 1e-12, seed = 1, verbose = FALSE)
  }
  gi <- fit_glca(TRUE)
  gc <- fit_glca(FALSE)
  ctl <- lca_control(tol = 1e-13, tol_par = 1e-9)
  inv <- quiet_starts(lca(d, 3, group = "la", starts = 30, seed = 1, control = ctl,
                          verbose = FALSE))
  con <- quiet_starts(lca(d, 3, group = "la", invariance = "configural", starts = 30, seed = 1,
                          control = ctl, verbose = FALSE))
  expect_lt(abs(inv$loglik - gi$gof$loglik), 1e-6)
  expect_lt(abs(con$loglik - gc$gof$loglik), 1e-6)
  expect_equal(con$npar, gc$model$npar)
  expect_equal(BIC(con), gc$gof$BIC, tolerance = 1e-8)
})

# Six councils from one set of classes; `differ` gives (group, item, the
# item's probabilities in that group for classes 1-3) for the pairs that differ.
six_councils <- function(seed, differ = list(), n = c(1500, 1200, 1000, 900, 800, 700)) {
  do.call(rbind, lapply(seq_along(n), function(g) {
    p <- truth_probs
    for (dd in differ) if (dd$g == g) p[, dd$j] <- dd$p
    d <- simulate_lca(n[g], probs = p, class_size = c(.5, .3, .2), seed = seed + g)
    d$la <- LETTERS[g]
    d
  }))
}
three_pairs <- list(list(g = 1, j = 5, p = c(.6, .5, .95)), list(g = 1, j = 2, p = c(.5, .6, .5)),
                    list(g = 3, j = 7, p = c(.3, .9, .5)))

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

test_that("a configural group's adaptive starts stop after a batch that does not improve its best", {
  set.seed(2)  # noise: 4-class models of each group have many nearly equal maxima
  d <- as.data.frame(matrix(rbinom(2400 * 10, 1, 0.3), 2400, 10))
  d$la <- rep(c("A", "B"), each = 1200)
  its <- paste0("V", 1:10)
  fit <- function(ctl) {
    suppressWarnings(lca(d, 4, items = its, group = "la", invariance = "configural", seed = 1,
                         control = ctl, verbose = FALSE))
  }
  a <- fit(lca_control(batch = 5, max_starts = 40))
  b <- fit(lca_control(batch = 5, max_starts = 40, patience = 0))
  # patience: a group whose best was not replicated stopped after a batch that
  # did not improve it; without patience it went on (here until replicated)
  na <- table(a$starts$group)
  nb <- table(b$starts$group)
  expect_true(all(na <= nb))
  stopped <- names(na)[na < nb]
  expect_gt(length(stopped), 0)
  expect_true(all(a$groups$n_best[a$groups$group %in% stopped] < 3))
  expect_true(all(na %% 5 == 0))
  # the starts are the same streams: patience only stops them earlier
  for (g in c("A", "B")) {
    expect_identical(a$starts$loglik[a$starts$group == g],
                     b$starts$loglik[b$starts$group == g][seq_len(na[[g]])])
  }
  expect_gte(b$loglik, a$loglik - 1e-8)
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
