test_that("the classification error matrix is computed as defined", {
  post <- rbind(c(.9, .1), c(.6, .4), c(.2, .8), c(.3, .7))
  D <- error_matrix(post, max.col(post))
  # modal: 1, 1, 2, 2. Row t: sum of P(t) over episodes with modal s, normalised.
  expect_equal(unname(D), rbind(c(1.5, 0.5) / 2, c(0.5, 1.5) / 2))
})

test_that("with perfect classification every method gives the observed proportions", {
  z <- factor(c("a", "b", "a", "a", "b", "b", "b", "a"))
  post <- cbind(c(1, 1, 1, 1, 0, 0, 0, 0), c(0, 0, 0, 0, 1, 1, 1, 1))
  res <- three_step(post, z, c("modal", "proportional", "bch", "ml"))
  for (m in unique(res$method)) {
    r <- res[res$method == m, ]
    expect_equal(r$estimate[r$outcome == "a"], c(3 / 4, 1 / 4), tolerance = 1e-8)
  }
  r <- res[res$method == "modal" & res$outcome == "a", ]
  expect_equal(r$se, sqrt(c(3 / 4 * 1 / 4, 1 / 4 * 3 / 4) / 4))
})

test_that("BCH solves the misclassification equations, and ML agrees when just-identified", {
  set.seed(3)
  n <- 400
  post <- matrix(runif(n * 3), n, 3)
  post <- post^3 / rowSums(post^3)
  z <- factor(sample(c("none", "cin", "cp"), n, TRUE))
  res <- three_step(post, z, c("bch", "ml", "proportional"))
  W <- max.col(post, ties.method = "first")
  D <- error_matrix(post, W)
  # P(W, Z) = t(D) P(X, Z)  =>  P(X, Z) = solve(t(D), P(W, Z))
  PXZ <- solve(t(D), unclass(table(W, z)))
  ref <- PXZ / rowSums(PXZ)
  bch <- res[res$method == "bch", ]
  expect_equal(bch$estimate, as.vector(ref[, levels(z)]), tolerance = 1e-10)
  ml <- res[res$method == "ml", ]
  expect_equal(ml$estimate, bch$estimate, tolerance = 1e-5)
  expect_true(all(ml$se > 0))
  # proportional: posterior-weighted means, by hand
  pr <- res[res$method == "proportional" & res$outcome == "cp", ]
  expect_equal(pr$estimate, as.vector(colSums(post * (z == "cp")) / colSums(post)))
})

test_that("ML standard errors match the binomial SE when classification is perfect", {
  z <- factor(rep(c("y", "n", "y", "n"), c(30, 70, 60, 40)))
  post <- cbind(rep(c(1, 0), c(100, 100)), rep(c(0, 1), c(100, 100)))
  ml <- three_step(post, z, "ml")
  r <- ml[ml$outcome == "y", ]
  expect_equal(r$estimate, c(.3, .6), tolerance = 1e-6)
  expect_equal(r$se, sqrt(c(.3 * .7, .6 * .4) / 100), tolerance = 1e-3)
})

test_that("bias-corrected estimates recover a known class-outcome relation better than modal", {
  probs <- rbind(c(.8, .7, .2, .2, .3), c(.2, .3, .8, .7, .3), c(.2, .2, .2, .3, .8))
  d <- simulate_lca(n = 3000, probs = probs, class_size = c(.5, .3, .2), seed = 7)
  truth <- c(.05, .30, .60)
  set.seed(8)
  d$cp_plan <- rbinom(nrow(d), 1, truth[d$.class])
  fit <- lca(d[1:5], 3, starts = 10, seed = 1, verbose = FALSE)
  est <- class_outcome(fit, d, "cp_plan")
  expect_s3_class(est, "cscdemand_class_outcome")
  ord <- vapply(1:3, function(t) which.max(tabulate(predict(fit, d)[d$.class == t], 3)), 1L)
  bias <- vapply(c("modal", "proportional", "bch", "ml"), function(mm) {
    e <- est[est$method == mm & est$outcome == "1", ]
    mean(abs(e$estimate[ord] - truth))
  }, 1)
  expect_lt(bias[["bch"]], bias[["modal"]])
  expect_lt(bias[["ml"]], bias[["modal"]])
  expect_lt(bias[["bch"]], bias[["proportional"]])
  p <- plot(est)
  expect_s3_class(p, "ggplot")
  expect_setequal(unique(as.character(p$data$method)), c("modal", "proportional", "bch", "ml"))
})

test_that("class_assign labels the modal class with the class names", {
  d <- simulate_lca(n = 500, seed = 3)
  fit <- lca(d[1:8], 3, starts = 5, seed = 1, verbose = FALSE)
  fit <- name_classes(fit, c("Low", "DA", "Complex"))
  out <- class_assign(fit, d[1:8], posterior = TRUE)
  expect_equal(levels(out$class), c("Low", "DA", "Complex"))
  expect_equal(as.integer(out$class), predict(fit, d[1:8]))
  expect_equal(out$.prob_2, predict(fit, d[1:8], type = "posterior")[, 2])
  expect_error(class_outcome(fit, d, "nope"), class = "cscdemand_error_column")
  d$const <- 1
  expect_error(class_outcome(fit, d, "const"), class = "cscdemand_error_one_level")
})

test_that("class_outcome suppresses estimates resting on small modal counts", {
  d <- simulate_lca(n = 400, seed = 3)
  fit <- lca(d[1:8], 3, starts = 5, seed = 1, verbose = FALSE)
  W <- predict(fit, d[1:8])
  d$rare <- 0
  d$rare[which(W == 3)[1:4]] <- 1
  d$rare[which(W == 1)[1:30]] <- 1
  d$rare[which(W == 2)[1:30]] <- 1
  raw <- class_outcome(fit, d, "rare", threshold = 0)
  pub <- class_outcome(fit, d, "rare")
  expect_false(any(raw$suppressed))
  # modal counts (rare = 1): 30, 30, 4 -> class 3 suppressed in both levels
  # (rows add to 1) and one complement in each column
  mask <- matrix(pub$suppressed[pub$method == "modal"], 3)
  expect_true(all(mask[3, ]))
  expect_equal(sum(mask), 4)
  expect_true(all(is.na(pub$estimate[pub$suppressed])))
  expect_equal(pub$estimate[!pub$suppressed], raw$estimate[!pub$suppressed])
  expect_safe_suppression(unclass(table(W, d$rare)), mask, 10)
})

test_that("the ML three-step warns when its EM stops before converging", {
  set.seed(3)
  K <- 3
  post <- prop.table(matrix(runif(300 * K), ncol = K), 1)
  W <- max.col(post)
  z <- factor(sample(c("a", "b", "c"), 300, replace = TRUE))
  D <- error_matrix(post, W)
  expect_warning(early <- three_step_ml(W, z, D, post, maxiter = 2),
                 class = "cscdemand_warning_convergence")
  expect_no_warning(full <- three_step_ml(W, z, D, post))
  # the warning is deserved: two iterations are far from the estimate
  expect_gt(max(abs(early$est - full$est)), 1e-4)
})
