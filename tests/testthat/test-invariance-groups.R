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
  expect_true(all(it$loglik >= inv$table$loglik[1] - 1e-9))
  # each item's refit from the warm starts reaches the maximum many random starts find
  for (item in it$item) {
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
