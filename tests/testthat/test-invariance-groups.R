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
                                     verbose = FALSE))
  expect_identical(inv$fits[["configural k=3"]]$par$logrho, con$par$logrho)
  expect_equal(inv$table$loglik[2], con$loglik)
})

test_that("the warm-started item search reaches the many-start maxima and names the group", {
  d <- permuted_groups(n = c(1200, 1000, 1000), seed = 61)
  c3 <- d$la == "C"
  d$item5[c3] <- 1L - d$item5[c3]  # item 5 differs in council C only
  inv <- quiet_starts(lca_invariance(d, k = 3, group = "la", starts = 20, seed = 1,
                                     search = TRUE, verbose = FALSE))
  it <- inv$items
  expect_equal(it$item[1], "item5")
  expect_equal(it$top_group[1], "C")
  expect_equal(names(which.max(inv$group_gain["item5", ])), "C")
  expect_equal(sum(inv$group_gain["item5", ]), it$LR[1], tolerance = 1e-8)
  expect_true(all(it$loglik[it$refitted] >= inv$table$loglik[1] - 1e-9))
  expect_equal(sum(it$refitted), 5L)
  # each refitted item's fit from the warm start reaches the maximum many random starts find
  for (item in it$item[it$refitted]) {
    many <- quiet_starts(lca(d, 3, group = "la", invariance = "partial", free = item,
                             starts = 40, seed = 2, verbose = FALSE))
    expect_gt(it$loglik[it$item == item], many$loglik - 1e-6)
  }
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

test_that("the item score ranks like exact refits, bounds their LR, and the refits match full fits", {
  d <- permuted_groups(n = c(1200, 1000, 1000), seed = 81)
  c3 <- d$la == "B"
  d$item2[c3] <- 1L - d$item2[c3]  # item 2 differs in council B only
  all <- quiet_starts(lca_invariance(d, k = 3, group = "la", starts = 20, seed = 1,
                                     search = TRUE, search_refit = 7, verbose = FALSE))
  it <- all$items
  expect_true(all(it$refitted))
  # the score is a lower bound on the exact LR (EM inequality), and ranks the same item first
  expect_true(all(it$score <= it$LR + 1e-8))
  expect_equal(it$item[which.max(it$score)], it$item[1])
  expect_equal(it$item[1], "item2")
  expect_equal(it$top_group[1], "B")
  # refitting the top 2 only: the same LR for those, the rest scored, not refitted
  two <- quiet_starts(lca_invariance(d, k = 3, group = "la", starts = 20, seed = 1,
                                     search = TRUE, search_refit = 2, verbose = FALSE))
  top2 <- it$item[order(-it$score)][1:2]
  expect_setequal(two$items$item[two$items$refitted], top2)
  expect_true(all(is.na(two$items$LR[!two$items$refitted])))
  expect_equal(two$items$LR[two$items$refitted], it$LR[match(two$items$item[two$items$refitted], it$item)],
               tolerance = 1e-9)
  # the refit's LR equals that of a full partial fit with many random starts (1e-6)
  full <- quiet_starts(lca(d, 3, group = "la", invariance = "partial", free = "item2",
                           starts = 40, seed = 2, control = lca_control(tol = 1e-12),
                           verbose = FALSE))
  inv <- all$fits[["invariant k=3"]]
  expect_lt(abs(it$LR[1] - 2 * (full$loglik - inv$loglik)), 1e-6)
  # group gains: exact for refitted items, the one-step bound otherwise
  expect_equal(sum(two$group_gain[top2[1], ]), two$items$LR[two$items$item == top2[1]],
               tolerance = 1e-8)
  rest <- two$items$item[!two$items$refitted]
  expect_equal(rowSums(two$group_gain[rest, , drop = FALSE]),
               two$items$score[match(rest, two$items$item)], ignore_attr = TRUE)
  expect_output(print(two), "not refitted")
})

test_that("the item score is twice the one-EM-step gain computed in plain R", {
  d <- permuted_groups(n = c(600, 500, 400), seed = 91)
  inv <- quiet_starts(lca(d, 3, group = "la", starts = 10, seed = 1, verbose = FALSE))
  pt <- inv$patterns
  sc <- item_scores(pt, inv)
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
  # one EM step from the invariant solution reaches at least the score's gain
  st <- sc$start(5L)
  so <- set_map(length(pt$items), length(pt$group_levels), 5L)
  ll1 <- sum(pt$n * cpp_lca_posterior(pt$y, pt$ncat, pt$group, length(pt$group_levels), so,
                                      st$logpi, st$logrho)$ll_pattern)
  expect_gte(2 * (ll1 - inv$loglik), sc$score[5] - 1e-8)
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
