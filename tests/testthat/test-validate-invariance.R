
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
