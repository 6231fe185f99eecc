test_that("observed-information SEs match a numerical Hessian of a plain-R likelihood", {
  d <- simulate_lca(n = 800, probs = rbind(c(.8, .7, .2, .3, .6), c(.2, .3, .7, .8, .4)),
                    class_size = c(.6, .4), seed = 9)
  fit <- lca(d, 2, starts = 10, seed = 1, verbose = FALSE,
             control = lca_control(tol = 1e-14, maxiter = 50000))
  se <- lca_se(fit)
  y <- codes_of(fit, d)
  # theta: class-2 logit, then per item the logit of category 2 for class 1 and 2
  ll <- function(th) {
    size <- c(1, exp(th[1])) / (1 + exp(th[1]))
    probs <- lapply(seq_len(5), function(j) {
      b <- th[1 + (j - 1) * 2 + 1:2]
      p1 <- stats::plogis(b)
      cbind(1 - p1, p1)
    })
    ref_loglik(y, size, probs)
  }
  th <- c(qlogis(fit$class_size[2]),
          unlist(lapply(fit$probs, function(m) qlogis(m[, "1"]))))
  H <- stats::optimHess(th, ll)
  V <- solve(-H)
  expect_equal(unname(attr(se, "vcov")), unname(V), tolerance = 1e-4)
  # delta method for P(item1 = 1 | class 1)
  p <- fit$probs$item1[1, "1"]
  row <- se[se$term == "item1=1|Class 1", ]
  expect_equal(row$std.error, p * (1 - p) * sqrt(V[2, 2]), tolerance = 1e-4)
  expect_true(row$conf.low < p && p < row$conf.high)
  s2 <- se[se$term == "size[Class 2]", ]
  q <- fit$class_size[2]
  expect_equal(s2$std.error, unname(q * (1 - q) * sqrt(V[1, 1])), tolerance = 1e-4)
})

test_that("one-class SEs are binomial; boundary estimates get NA", {
  d <- simulate_lca(n = 2000, seed = 3)
  fit <- lca(d, 1, verbose = FALSE)
  se <- lca_se(fit)
  p <- mean(d$neglect)
  expect_equal(se$std.error[se$term == "neglect=1|Class 1"], sqrt(p * (1 - p) / 2000),
               tolerance = 1e-5)
  b <- data.frame(a = rep(c(0, 1), each = 50), b = rep(c(0, 1), each = 50),
                  c = rep(c(0, 1, 0, 1), 25), e = rep(c(0, 0, 1, 1), 25))
  fb <- suppressWarnings(lca(b, 2, starts = 10, seed = 1, verbose = FALSE))
  sb <- suppressWarnings(lca_se(fb))
  expect_true(any(is.na(sb$std.error)))
})

# Our classes matched to poLCA's by their item profiles (classes x items),
# with the package's own distance between profiles, as align_classes() does.
match_polca <- function(fit, ref) {
  ours <- sapply(fit$items, function(it) fit$probs[[it]][, "2"])
  theirs <- t(sapply(seq_len(fit$k), function(c) {
    ref$estimate[ref$item != "size" & ref$category == "2" & ref$polca_class == c]
  }))
  as.integer(clue::solve_LSAP(class_distance(ours, theirs)))  # our class a <-> poLCA class m[a]
}

test_that("OPG standard errors equal poLCA's on carcinoma (stored reference)", {
  car <- utils::read.csv(test_path("fixtures", "lca", "carcinoma.csv"))
  ref_all <- utils::read.csv(test_path("fixtures", "lca", "polca-carcinoma-se.csv"),
                             colClasses = c(category = "character"))
  for (K in 2:3) {
    ref <- ref_all[ref_all$k == K, ]
    fit <- suppressWarnings(lca(car, K, starts = 40, seed = 1, verbose = FALSE,
                                control = lca_control(tol = 1e-12)))
    expect_equal(fit$loglik, ref$loglik[1], tolerance = 1e-8)
    m <- match_polca(fit, ref)
    se <- suppressMessages(lca_se(fit, type = "opg"))
    probs <- se[se$type != "class size", ]
    key <- paste(probs$item, probs$category, m[match(probs$class, names(fit$class_size))])
    rk <- paste(ref$item, ref$category, ref$polca_class)
    r <- ref[match(key, rk), ]
    expect_equal(probs$estimate, r$estimate, tolerance = 1e-5)
    inside <- !is.na(probs$std.error)
    expect_gt(sum(inside), 5)
    expect_equal(probs$std.error[inside], r$se[inside], tolerance = 1e-3)
    sizes <- se[se$type == "class size", ]
    rs <- ref[ref$item == "size", ][m, ]
    expect_equal(sizes$std.error, rs$se, tolerance = 1e-3)
    # observed information differs from OPG in this small sample, the
    # sandwich differs from both, and all agree on which estimates are NA
    ob <- suppressMessages(lca_se(fit))
    sw <- suppressMessages(lca_se(fit, type = "sandwich"))
    expect_identical(is.na(ob$std.error), is.na(se$std.error))
    expect_identical(is.na(sw$std.error), is.na(se$std.error))
    expect_gt(max(abs(ob$std.error / se$std.error - 1), na.rm = TRUE), 0.01)
  }
})

test_that("OPG equals poLCA live, where poLCA is installed", {
  skip_if_not_installed("poLCA")
  data("carcinoma", package = "poLCA", envir = environment())
  f <- poLCA_quiet(cbind(A, B, C, D, E, F, G) ~ 1, carcinoma, nclass = 2, nrep = 5,
                   maxiter = 50000, tol = 1e-13)
  fit <- lca(carcinoma, 2, starts = 20, seed = 1, verbose = FALSE,
             control = lca_control(tol = 1e-12))
  se <- suppressMessages(lca_se(fit, type = "opg"))
  a <- se$std.error[se$item == "A" & se$category == "1"]
  expect_equal(sort(a[!is.na(a)]), sort(f$probs.se$A[, 1][f$probs.se$A[, 1] > 1e-8]),
               tolerance = 1e-3)
})

test_that("OPG and sandwich match their definitions from plain-R scores", {
  d <- simulate_lca(n = 600, probs = rbind(c(.8, .7, .2, .3), c(.2, .3, .7, .8)),
                    class_size = c(.6, .4), seed = 4)
  fit <- lca(d, 2, starts = 10, seed = 1, verbose = FALSE, control = lca_control(tol = 1e-12))
  y <- codes_of(fit, d)
  th <- c(qlogis(fit$class_size[2]), unlist(lapply(fit$probs, function(m) qlogis(m[, "1"]))))
  ll_i <- function(th, i) {
    size <- c(1, exp(th[1])) / (1 + exp(th[1]))
    probs <- lapply(seq_len(4), function(j) {
      p1 <- stats::plogis(th[1 + (j - 1) * 2 + 1:2])
      cbind(1 - p1, p1)
    })
    ref_loglik(y[i, , drop = FALSE], size, probs)
  }
  # numerical per-episode scores, by unique row
  key <- apply(y, 1, paste, collapse = "")
  u <- !duplicated(key)
  S <- t(sapply(which(u), function(i) {
    sapply(seq_along(th), function(a) {
      h <- 1e-5
      e <- replace(numeric(length(th)), a, h)
      (ll_i(th + e, i) - ll_i(th - e, i)) / (2 * h)
    })
  }))
  n <- as.numeric(table(factor(key, levels = key[u])))
  B <- crossprod(S, S * n)
  expect_equal(unname(attr(lca_se(fit, type = "opg"), "vcov")), unname(solve(B)),
               tolerance = 1e-4)
  Vo <- attr(lca_se(fit), "vcov")
  expect_equal(unname(attr(lca_se(fit, type = "sandwich"), "vcov")), unname(Vo %*% B %*% Vo),
               tolerance = 1e-4)
})

test_that("multi-group class-share SEs are given; boundary NAs are explained", {
  d <- simulate_lca(n = 1200, probs = rbind(c(.8, .7, .2, .3, .6), c(.2, .3, .7, .8, .4)),
                    class_size = c(.6, .4), seed = 9)
  d$la <- rep(c("A", "B"), 600)
  fit <- lca(d, 2, group = "la", starts = 10, seed = 1, verbose = FALSE)
  se <- lca_se(fit)
  sz <- se[se$type == "class size", ]
  expect_false(anyNA(sz$std.error))
  # with equal-size groups the overall share of class 2 is the mean of the
  # two groups' shares plogis(theta_g): delta method by hand
  V <- attr(se, "vcov")
  p <- exp(fit$par$logpi)
  J <- c(p[1, 2] * p[1, 1], p[2, 2] * p[2, 1]) / 2
  expect_equal(sz$std.error[2], sqrt(drop(t(J) %*% V[1:2, 1:2] %*% J)), tolerance = 1e-6)
  b <- data.frame(a = rep(c(0, 1), each = 50), b = rep(c(0, 1), each = 50),
                  c = rep(c(0, 1, 0, 1), 25), e = rep(c(0, 0, 1, 1), 25))
  fb <- suppressWarnings(lca(b, 2, starts = 10, seed = 1, verbose = FALSE))
  expect_message(sb <- suppressWarnings(lca_se(fb)), class = "cscdemand_message_boundary")
  expect_true(all(nzchar(sb$note[is.na(sb$std.error) & sb$type != "class size"])))
  expect_true(all(!nzchar(sb$note[!is.na(sb$std.error)])))
})

test_that("the exact observed information equals a numerical Hessian (groups, partial, polytomous, missing)", {
  d <- simulate_lca(n = 3000, seed = 4)
  set.seed(1)
  d$grp <- sample(c("a", "b", "c"), nrow(d), TRUE)
  d[sample(nrow(d), 200), 2] <- NA
  d$poly <- factor(ifelse(d[[1]] == 1,
                          sample(c("x", "y", "z"), nrow(d), TRUE, prob = c(.6, .3, .1)),
                          sample(c("x", "y", "z"), nrow(d), TRUE, prob = c(.2, .3, .5))))
  items <- setdiff(names(d), c(".class", "grp"))
  fits <- list(
    lca(d[items], k = 3, seed = 1, verbose = FALSE),
    suppressWarnings(lca(d, k = 3, items = items, group = "grp", invariance = "partial",
                         free = items[c(1, 9)], seed = 1, verbose = FALSE)),
    suppressWarnings(lca(d, k = 2, items = items, group = "grp", invariance = "configural",
                         seed = 1, verbose = FALSE)),
    lca(d[items], k = 1, verbose = FALSE))
  for (fit in fits) {
    pt <- fit$patterns
    blocks <- param_blocks(pt$ncat, fit$par$set_of)
    theta <- lca_theta(fit$par$logpi, fit$par$logrho, blocks, pt$ncat)
    free <- is.finite(theta) & abs(theta) <= 15
    theta[!is.finite(theta)] <- sign(theta[!is.finite(theta)]) * 30
    # central differences of the analytic score (the old route)
    H <- stats::optimHess(theta, function(t) 0,
                          function(t) lca_gradient(t, pt, fit$k, fit$par$set_of, blocks))
    info <- lca_info_observed(theta, pt, fit$k, fit$par$set_of, blocks)
    expect_equal(info[free, free], -H[free, free], tolerance = 1e-6)
    V <- attr(suppressMessages(lca_se(fit)), "vcov")
    expect_equal(V[free, free], solve(-H[free, free]), tolerance = 1e-5)
  }
})

test_that("standard errors from rows equal those from a table of pattern counts", {
  d <- simulate_lca(n = 2000, seed = 6)
  items <- setdiff(names(d), ".class")
  fr <- lca(d[items], k = 3, seed = 1, verbose = FALSE, control = lca_control(tol = 1e-12))
  agg <- stats::aggregate(list(w = rep(1, nrow(d))), d[items], sum)
  fw <- lca(agg, k = 3, items = items, weights = "w", seed = 1, verbose = FALSE,
            control = lca_control(tol = 1e-12))
  expect_lt(nrow(fr$patterns$y), nrow(d))
  sr <- lca_se(fr)
  sw <- lca_se(fw)
  # the same model up to class order: compare sorted by estimate
  expect_equal(sort(sr$std.error), sort(sw$std.error), tolerance = 1e-5)
})
