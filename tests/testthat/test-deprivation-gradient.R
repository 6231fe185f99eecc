# imd_gradient(): the three deprivation models, strata, factor deciles, methods.

test_that("imd_gradient fits child, council and adjusted models that match glmm_ri", {
  d <- sim_counts()
  g <- imd_gradient(d, "y", exposure = "children", random = "la")
  expect_s3_class(g, "cscdemand_imd_gradient")
  expect_equal(unique(g$ratios$model), c("child", "council", "adjusted"))
  adj <- glmm_ri(d, "y", c("imd_decile", "la_imd_decile"), exposure = "children", random = "la")
  expect_equal(coef(g), coef(adj))
  r <- g$ratios[g$ratios$model == "adjusted", ]
  expect_equal(r$ratio, unname(exp(coef(adj)[2:3])))
  expect_equal(r$lower, unname(exp(confint(adj)[2:3, 1])))
  expect_equal(coef(g, model = "child"), coef(glmm_ri(d, "y", "imd_decile",
                                                      exposure = "children", random = "la")))
  expect_equal(nobs(g), nrow(d))
  expect_s3_class(logLik(g), "logLik")
  expect_equal(dim(vcov(g)), c(3L, 3L))
  expect_equal(dim(confint(g, model = "council")), c(2L, 2L))
  expect_length(predict(g, newdata = d), nrow(d))
  td <- tidy(g)
  expect_equal(unique(td$model), c("child", "council", "adjusted"))
  expect_equal(nrow(glance(g)), 3L)
  expect_output(print(g), "Rate ratios per decile step")
  expect_output(print(summary(g)), "Models")
  expect_s3_class(plot(g), "ggplot")
  expect_error(coef(g, model = "other"), class = "cscdemand_error_input")
})

test_that("factor deciles give one ratio per decile against the first", {
  d <- sim_counts()
  g <- imd_gradient(d, "y", exposure = "children", random = "la", la_decile = NULL,
                    decile_as = "factor")
  expect_equal(unique(g$ratios$model), "child")
  expect_equal(g$ratios$term, paste0("imd_decile", 2:10))
  expect_s3_class(plot(g), "ggplot")
  expect_length(predict(g, newdata = d, type = "response"), nrow(d))
})

test_that("strata refit and stack; a stratum that cannot be fitted is skipped with a warning", {
  d <- sim_counts()
  g <- imd_gradient(d, "y", exposure = "children", random = "la", strata = "group",
                    la_decile = NULL)
  expect_equal(g$ratios$stratum, c("A", "B"))
  a <- glmm_ri(d[d$group == "A", ], "y", "imd_decile", exposure = "children", random = "la")
  expect_equal(g$ratios$ratio[1], unname(exp(coef(a)[2])))
  expect_s3_class(plot(g), "ggplot")
  d$y[d$group == "B"] <- 0
  expect_warning(g2 <- imd_gradient(d, "y", exposure = "children", random = "la",
                                    strata = "group", la_decile = NULL),
                 class = "cscdemand_warning_stratum")
  expect_equal(unique(g2$ratios$stratum), "A")
})

test_that("episode-level logistic models with covariates", {
  b <- sim_binary()
  b$la_imd_decile <- as.integer(factor(b$la)) %% 10 + 1
  g <- imd_gradient(b, "y", family = "binomial", random = "la", covariates = c("sex", "age"))
  expect_output(print(g), "Odds ratios")
  ref <- glmm_ri(b, "y", c("imd_decile", "la_imd_decile", "sex", "age"), family = "binomial",
                 random = "la")
  expect_equal(coef(g), coef(ref))
  expect_false(any(g$ratios$term %in% c("sexM")))
})

test_that("imd_gradient checks its deciles", {
  d <- sim_counts()
  d$imd_decile[3] <- 12
  expect_error(imd_gradient(d, "y", exposure = "children", random = "la"),
               class = "cscdemand_error_decile")
  expect_error(imd_gradient(d, "y", child_decile = NULL, la_decile = NULL),
               class = "cscdemand_error_input")
})

test_that("simulate_imd_rates uses real LSOAs and keeps the caller's random state", {
  set.seed(1)
  before <- stats::runif(1)
  set.seed(1)
  d <- simulate_imd_rates(n_la = 3, seed = 99)
  expect_equal(stats::runif(1), before)
  expect_true(all(d$lsoa11 %in% imd2019_lsoa$lsoa11))
  expect_equal(length(unique(d$la_code)), 3L)
  expect_identical(d, simulate_imd_rates(n_la = 3, seed = 99))
  expect_named(attr(d, "truth"), c("(Intercept)", "imd_decile", "la_imd_decile", "log_sigma",
                                   "log_theta"))
})

test_that("imd_thresholds stacks adjusted logistic models per outcome", {
  b <- sim_binary()
  b$la_imd_decile <- as.integer(factor(b$la)) %% 10 + 1
  b$cp <- with_seed_glmm(3, stats::rbinom(nrow(b), 1, 0.3))
  th <- imd_thresholds(b, c("y", "cp"), covariates = "sex", random = "la")
  expect_s3_class(th, "cscdemand_imd_thresholds")
  expect_equal(unique(th$ratios$outcome), c("y", "cp"))
  ref <- glmm_ri(b, "cp", c("imd_decile", "la_imd_decile", "sex"), family = "binomial",
                 random = "la")
  r <- th$ratios[th$ratios$outcome == "cp", ]
  expect_equal(r$ratio, unname(exp(coef(ref)[-1])))
  expect_output(print(th), "Odds ratios")
  expect_s3_class(plot(th), "ggplot")
  expect_equal(tidy(th), th$ratios)
  expect_error(imd_thresholds(b, "nope", random = "la"), class = "cscdemand_error_column")
})

test_that("simulate_imd_rates() draws on the 2021 LSOAs and IoD 2025 populations, and its gradient is recovered", {
  d <- simulate_imd_rates(n_la = 40, edition = 2025, seed = 3)
  expect_true("lsoa21" %in% names(d))
  i <- match(d$lsoa21, imd2025_lsoa$lsoa21)
  expect_false(anyNA(i))
  expect_equal(d$imd_decile, imd2025_lsoa$imd_decile[i])
  expect_equal(d$children, imd2025_lsoa$children_0_15[i])
  expect_equal(length(unique(d$la_code)), 40L)
  lk <- la_lookup  # each LSOA's council is its 2024 district's
  expect_equal(d$la_code, lk$la_code[match(imd2025_lsoa$lad24_code[i], lk$district_code)])
  fit <- glmm(referrals ~ imd_decile + la_imd_decile + offset(log(children)) + (1 | la_code), d,
              family = "nbinom2")
  tr <- attr(d, "truth")
  est <- fixef(fit)
  se <- sqrt(diag(vcov(fit)))[names(est)]
  expect_lt(abs(est[["imd_decile"]] - tr[["imd_decile"]]), 4 * se[["imd_decile"]])
  expect_lt(abs(est[["la_imd_decile"]] - tr[["la_imd_decile"]]), 4 * se[["la_imd_decile"]])
  expect_error(simulate_imd_rates(n_la = 3, edition = 2011), class = "cscdemand_error_edition")
})
