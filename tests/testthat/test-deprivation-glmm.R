# The GLMM kernel against glmmTMB, lme4 and MASS, closed-form gradients, bad input.

rel <- 1e-4

test_that("NB random-intercept GLMM matches glmmTMB (coefficients, SEs, logLik, variance, theta)", {
  skip_if_not_installed("glmmTMB")
  d <- sim_counts()
  fit <- glmm_ri(d, "y", c("imd_decile", "la_imd_decile"), exposure = "children",
                 family = "negbin", random = "la")
  ref <- glmmTMB::glmmTMB(y ~ imd_decile + la_imd_decile + (1 | la) + offset(log(children)),
                          family = glmmTMB::nbinom2, data = d)
  expect_equal(unname(coef(fit)), unname(glmmTMB::fixef(ref)$cond), tolerance = rel)
  expect_equal(unname(sqrt(diag(vcov(fit)))), unname(sqrt(diag(vcov(ref)$cond))),
               tolerance = rel)
  expect_equal(as.numeric(logLik(fit)), as.numeric(logLik(ref)), tolerance = rel)
  expect_equal(attr(logLik(fit), "df"), attr(logLik(ref), "df"))
  expect_equal(fit$sigma, sqrt(glmmTMB::VarCorr(ref)$cond$la[1]), tolerance = rel)
  expect_equal(fit$theta, stats::sigma(ref), tolerance = rel)
  expect_equal(fit$convergence$code, 0L)
  expect_equal(names(coef(fit)), c("(Intercept)", "imd_decile", "la_imd_decile"))
})

test_that("Poisson random-intercept GLMM matches glmer (Laplace and AGQ)", {
  skip_if_not_installed("lme4")
  d <- sim_counts()
  for (q in c(1, 5)) {
    fit <- glmm_ri(d, "yp", "imd_decile", exposure = "children", family = "poisson",
                   random = "la", nagq = q)
    ref <- lme4::glmer(yp ~ imd_decile + (1 | la) + offset(log(children)), family = stats::poisson,
                       data = d, nAGQ = q,
                       control = lme4::glmerControl(optimizer = "bobyqa",
                                                    optCtrl = list(rhoend = 1e-10, maxfun = 1e5)))
    expect_equal(unname(coef(fit)), unname(lme4::fixef(ref)), tolerance = rel)
    # glmer's nAGQ > 1 log-likelihood omits the saturated model's constant
    # (for Poisson and binomial counts), so add it back for the comparison.
    sat <- if (q > 1) sum(stats::dpois(d$yp, d$yp, log = TRUE)) else 0
    expect_equal(as.numeric(logLik(fit)) - sat, as.numeric(logLik(ref)), tolerance = rel)
    expect_equal(fit$sigma, sqrt(lme4::VarCorr(ref)$la[1]), tolerance = rel)
  }
})

test_that("binomial GLMM matches glmer with nAGQ = 1 and nAGQ = 7, episodes aggregated", {
  skip_if_not_installed("lme4")
  d <- sim_binary()
  ctl <- lme4::glmerControl(optimizer = "bobyqa",
                            optCtrl = list(rhobeg = 0.2, rhoend = 1e-10, maxfun = 1e5))
  for (q in c(1, 7)) {
    fit <- glmm_ri(d, "y", c("imd_decile", "sex", "age"), family = "binomial",
                   random = "la", nagq = q)
    ref <- lme4::glmer(y ~ imd_decile + sex + age + (1 | la), family = stats::binomial,
                       data = d, nAGQ = q, control = ctl)
    expect_equal(coef(fit), lme4::fixef(ref), tolerance = rel)
    expect_equal(as.numeric(logLik(fit)), as.numeric(logLik(ref)), tolerance = rel)
    expect_equal(fit$sigma, sqrt(lme4::VarCorr(ref)$la[1]), tolerance = rel)
    expect_equal(nobs(fit), nrow(d))
    expect_lt(fit$convergence$aggregated_rows, nrow(d))
    # glmer's nAGQ = 1 standard errors come from a coarser finite-difference
    # Hessian (they differ from glmmTMB's exact ones by ~1e-3); with nAGQ > 1
    # they agree to 1e-4.
    se_tol <- if (q == 1) 1e-2 else rel
    expect_equal(unname(sqrt(diag(vcov(fit)))), unname(sqrt(diag(as.matrix(vcov(ref))))),
                 tolerance = se_tol)
  }
})

test_that("binomial Laplace standard errors match glmmTMB to 1e-4", {
  skip_if_not_installed("glmmTMB")
  d <- sim_binary()
  fit <- glmm_ri(d, "y", c("imd_decile", "sex", "age"), family = "binomial", random = "la")
  ref <- glmmTMB::glmmTMB(y ~ imd_decile + sex + age + (1 | la), family = stats::binomial,
                          data = d)
  expect_equal(unname(coef(fit)), unname(glmmTMB::fixef(ref)$cond), tolerance = rel)
  expect_equal(unname(sqrt(diag(vcov(fit)))), unname(sqrt(diag(vcov(ref)$cond))),
               tolerance = rel)
  expect_equal(as.numeric(logLik(fit)), as.numeric(logLik(ref)), tolerance = rel)
})

test_that("binomial counts with a trials column match glmer(cbind()) including the constant", {
  skip_if_not_installed("lme4")
  d <- sim_binary()
  agg <- stats::aggregate(cbind(y, n = 1) ~ la + imd_decile + sex, data = d, FUN = sum)
  fit <- glmm_ri(agg, "y", c("imd_decile", "sex"), trials = "n", family = "binomial",
                 random = "la", nagq = 5)
  ref <- lme4::glmer(cbind(y, n - y) ~ imd_decile + sex + (1 | la), family = stats::binomial,
                     data = agg, nAGQ = 5,
                     control = lme4::glmerControl(optimizer = "bobyqa",
                                                  optCtrl = list(rhoend = 1e-10, maxfun = 1e5)))
  expect_equal(coef(fit), lme4::fixef(ref), tolerance = rel)
  # glmer(nAGQ > 1) reports the log-likelihood minus the saturated one
  sat <- sum(stats::dbinom(agg$y, agg$n, agg$y / agg$n, log = TRUE))
  expect_equal(as.numeric(logLik(fit)) - sat, as.numeric(logLik(ref)), tolerance = rel)
  expect_equal(unname(sqrt(diag(vcov(fit)))), unname(sqrt(diag(as.matrix(vcov(ref))))),
               tolerance = rel)
})

test_that("without a random effect the fit is MASS::glm.nb / glm", {
  skip_if_not_installed("MASS")
  d <- sim_counts()
  fit <- glmm_ri(d, "y", c("imd_decile", "group"), exposure = "children", family = "negbin",
                 random = NULL)
  ref <- MASS::glm.nb(y ~ imd_decile + group + offset(log(children)), data = d,
                      control = stats::glm.control(epsilon = 1e-12, maxit = 100))
  expect_equal(coef(fit), coef(ref), tolerance = rel)
  expect_equal(fit$theta, ref$theta, tolerance = rel)
  expect_equal(as.numeric(logLik(fit)), as.numeric(logLik(ref)), tolerance = rel)
  expect_equal(sqrt(fit$vcov_psi["log_theta", "log_theta"]) * fit$theta, ref$SE.theta,
               tolerance = 1e-2)
  # glm.nb's vcov() treats theta as known and uses the expected information;
  # ours is the observed information with theta estimated jointly, as glmmTMB's.
  skip_if_not_installed("glmmTMB")
  tmb <- glmmTMB::glmmTMB(y ~ imd_decile + group + offset(log(children)),
                          family = glmmTMB::nbinom2, data = d)
  expect_equal(unname(sqrt(diag(vcov(fit)))), unname(sqrt(diag(vcov(tmb)$cond))),
               tolerance = rel)
  pfit <- glmm_ri(d, "yp", "imd_decile", exposure = "children", family = "poisson", random = NULL)
  pref <- stats::glm(yp ~ imd_decile + offset(log(children)), family = stats::poisson, data = d)
  expect_equal(coef(pfit), coef(pref), tolerance = 1e-6)
  expect_equal(unname(sqrt(diag(vcov(pfit)))), unname(sqrt(diag(vcov(pref)))), tolerance = rel)
  expect_equal(as.numeric(logLik(pfit)), as.numeric(logLik(pref)), tolerance = 1e-8)
  b <- sim_binary()
  bfit <- glmm_ri(b, "y", c("imd_decile", "sex"), family = "binomial", random = NULL)
  bref <- stats::glm(y ~ imd_decile + sex, family = stats::binomial, data = b)
  expect_equal(coef(bfit), coef(bref), tolerance = 1e-6)
  expect_equal(as.numeric(logLik(bfit)), as.numeric(logLik(bref)), tolerance = 1e-8)
})

test_that("the analytic gradient matches finite differences of the log-likelihood", {
  d <- sim_counts(J = 8, m = 10)
  X <- cbind(1, d$imd_decile)
  cs <- c(0L, cumsum(as.integer(table(d$la))))
  for (fam in 0:2) for (q in c(1L, 4L)) {
    yy <- if (fam == 2) pmin(d$y, 5) else d$y
    tr <- rep(5, nrow(d))
    off <- if (fam == 2) rep(0, nrow(d)) else log(d$children)
    psi <- c(if (fam == 2) -0.5 else -3.5, -0.1, log(0.4), if (fam == 1) log(4))
    f <- function(p) cpp_glmm_loglik(X, yy, tr, off, rep(1, nrow(d)), cs, fam, TRUE, q, p)$loglik
    g <- cpp_glmm_loglik(X, yy, tr, off, rep(1, nrow(d)), cs, fam, TRUE, q, psi)$grad
    num <- vapply(seq_along(psi), function(k) {
      h <- 1e-5
      e <- replace(numeric(length(psi)), k, h)
      (f(psi + e) - f(psi - e)) / (2 * h)
    }, numeric(1))
    expect_equal(g, num, tolerance = 1e-6)
  }
})

test_that("a one-cluster Poisson model with no covariates has the closed-form Laplace value", {
  # Intercept only, one row per cluster and known beta: h(b) concave, the
  # Laplace approximation at the mode; check against direct numerical integration
  # with AGQ at many points (exact to quadrature accuracy).
  d <- data.frame(y = c(3, 0, 5, 2, 7, 1), la = c("a", "a", "b", "b", "c", "c"))
  X <- matrix(1, nrow(d), 1)
  cs <- c(0L, 2L, 4L, 6L)
  psi <- c(0.5, log(0.8))
  agq <- cpp_glmm_loglik(X, d$y, rep(1, 6), rep(0, 6), rep(1, 6), cs, 0L, TRUE, 25L, psi)$loglik
  direct <- sum(vapply(split(d$y, d$la), function(yy) {
    log(stats::integrate(function(b) vapply(b, function(bb) prod(stats::dpois(yy, exp(0.5 + bb))),
                                            numeric(1)) * stats::dnorm(b, 0, 0.8),
                         -Inf, Inf, rel.tol = 1e-12)$value)
  }, numeric(1)))
  expect_equal(agq, direct, tolerance = 1e-9)
})

test_that("results are identical with 1 and 2 threads", {
  d <- sim_counts()
  f1 <- glmm_ri(d, "y", "imd_decile", exposure = "children", random = "la", threads = 1)
  f2 <- glmm_ri(d, "y", "imd_decile", exposure = "children", random = "la", threads = 2)
  expect_identical(f1$psi, f2$psi)
  expect_identical(f1$loglik, f2$loglik)
})

test_that("methods: confint, predict, tidy, glance, summary, print", {
  d <- sim_counts()
  fit <- glmm_ri(d, "y", c("imd_decile", "group"), exposure = "children", random = "la")
  ci <- confint(fit)
  expect_equal(dim(ci), c(3L, 2L))
  expect_true(all(ci[, 1] < coef(fit) & coef(fit) < ci[, 2]))
  expect_equal(unname(ci[2, ]), unname(coef(fit)[2] + c(-1, 1) * stats::qnorm(0.975) *
                                         sqrt(vcov(fit)[2, 2])))
  eta <- predict(fit, newdata = d)
  re <- fit$ranef$mode[match(d$la, fit$ranef$group)]
  expect_equal(eta, drop(cbind(1, d$imd_decile, d$group == "B") %*% coef(fit)) +
                 log(d$children) + re)
  expect_equal(predict(fit, newdata = d, type = "response"), exp(eta))
  expect_equal(predict(fit, newdata = d, random = FALSE), eta - re)
  td <- tidy(fit, exponentiate = TRUE)
  expect_equal(td$term, c("(Intercept)", "imd_decile", "groupB", "sd__(Intercept)", "theta"))
  expect_equal(td$estimate[1:3], unname(exp(coef(fit))))
  gl <- glance(fit)
  expect_equal(gl$AIC, stats::AIC(fit))
  expect_equal(gl$BIC, stats::BIC(fit))
  expect_true(gl$converged)
  expect_output(print(fit), "random intercept for la")
  expect_output(print(summary(fit)), "Ratio")
  expect_error(predict(fit), class = "cscdemand_error_newdata")
  nd <- d[1:2, ]
  nd$group <- "Z"
  expect_error(predict(fit, newdata = nd), class = "cscdemand_error_newdata")
})

test_that("bad input gives classed errors that name the column and rows", {
  d <- sim_counts(J = 6, m = 8)
  z <- d
  z$children[c(3, 9)] <- c(0, -2)
  expect_error(glmm_ri(z, "y", "imd_decile", exposure = "children", random = "la"),
               class = "cscdemand_error_exposure")
  expect_snapshot(glmm_ri(z, "y", "imd_decile", exposure = "children", random = "la"),
                  error = TRUE)
  z <- d
  z$y <- 0
  expect_error(glmm_ri(z, "y", "imd_decile", random = "la"), class = "cscdemand_error_outcome")
  z <- d
  z$y[2] <- 1.5
  expect_error(glmm_ri(z, "y", "imd_decile", random = "la"), class = "cscdemand_error_outcome")
  expect_error(glmm_ri(d, "nope", "imd_decile", random = "la"), class = "cscdemand_error_column")
  expect_error(glmm_ri(d, "y", "imd_decile", random = "la", nagq = 30), class = "cscdemand_error_nagq")
  expect_error(glmm_ri(d, "y", "imd_decile", random = "la", nagq = 0), class = "cscdemand_error_input")
  expect_error(glmm_ri(d, "y", "imd_decile", random = "la", control = list()),
               class = "cscdemand_error_input")
  z <- d[d$la %in% c("LA01", "LA02"), ]
  expect_error(glmm_ri(z, "y", "imd_decile", random = "la"), class = "cscdemand_error_groups")
  z <- d
  z$dec2 <- 2 * z$imd_decile
  expect_error(glmm_ri(z, "y", c("imd_decile", "dec2"), random = "la"),
               class = "cscdemand_error_collinear")
  b <- sim_binary(n = 400, J = 10)
  b$y[b$sex == "M"] <- 0
  expect_error(glmm_ri(b, "y", c("imd_decile", "sex"), family = "binomial", random = "la"),
               class = "cscdemand_error_separation")
  b <- sim_binary(n = 400, J = 10)
  b$y[1] <- 2
  expect_error(glmm_ri(b, "y", "imd_decile", family = "binomial", random = "la"),
               class = "cscdemand_error_outcome")
})

test_that("problems in the fit give classed warnings and are stored", {
  d <- sim_counts(J = 10, m = 10)
  one <- rbind(d, transform(d[1, ], la = "LONE"))
  expect_warning(glmm_ri(one, "y", "imd_decile", exposure = "children", random = "la"),
                 class = "cscdemand_warning_small_group")
  expect_warning(fit <- glmm_ri(d, "y", "imd_decile", exposure = "children", random = "la",
                                control = glmm_control(maxit = 1)),
                 class = "cscdemand_warning_convergence")
  expect_false(fit$convergence$code == 0L)
  expect_false(glance(fit)$converged)
  na <- d
  na$y[4] <- NA
  expect_warning(fit <- glmm_ri(na, "y", "imd_decile", exposure = "children", random = "la"),
                 class = "cscdemand_warning_missing")
  expect_equal(nobs(fit), nrow(d) - 1L)
  # identical councils (same counts in each): sigma on its lower bound, flagged
  flat <- d
  flat$yp <- rep(c(30, 45, 60, 52, 41, 38, 70, 44, 50, 49), times = 10)
  expect_warning(fit <- glmm_ri(flat, "yp", NULL, family = "poisson", random = "la"),
                 class = "cscdemand_warning_singular")
  expect_equal(fit$convergence$code, 0L)
  # the fixed effects then are those of the GLM, with finite standard errors
  ref <- stats::glm(yp ~ 1, family = stats::poisson, data = flat)
  expect_equal(unname(coef(fit)), unname(coef(ref)), tolerance = 1e-6)
  expect_true(is.finite(vcov(fit)[1, 1]))
})
