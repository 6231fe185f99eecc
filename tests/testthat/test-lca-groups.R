# The configural model fitted group by group and its class alignment. The
# partial-invariance search and the pooling of small groups (validate-invariance.R)
# are tested in test-validate-invariance.R; the shared fixtures are in helper-lca.R.

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

