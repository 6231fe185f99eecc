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
