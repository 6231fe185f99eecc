# The methods of a glmm() fit (deprivation-glmm-methods.R): cbind binomial,
# confint, tidy/glance, simulate, and the formula errors.

test_that("glmm() methods: cbind binomial, confint, tidy/glance, simulate, bad formulas", {
  d <- glmm_ref_data()
  agg <- stats::aggregate(referred ~ la + urban, d, function(v) c(s = sum(v), n = length(v)))
  agg <- data.frame(la = agg$la, urban = agg$urban, s = agg$referred[, "s"],
                    f = agg$referred[, "n"] - agg$referred[, "s"])
  fb <- glmm(cbind(s, f) ~ urban + (1 | la), agg, family = binomial)
  f01 <- glmm(referred ~ urban + (1 | la), d, family = "binomial")
  expect_equal(unname(fixef(fb)), unname(fixef(f01)), tolerance = 1e-6)
  ci <- confint(f01)
  expect_true(all(ci[, 1] < fixef(f01) & fixef(f01) < ci[, 2]))
  expect_true(all(c("fixed", "ran_pars") %in% generics::tidy(f01)$effect))
  expect_equal(generics::glance(f01)$logLik, as.numeric(logLik(f01)))
  # simulate: reproducible, and the simulated mean matches the fitted mean
  nb <- glmm(cases ~ decile + offset(log(children)) + (1 | la), d)
  s1 <- simulate(nb, nsim = 200, seed = 1)
  expect_identical(s1, simulate(nb, nsim = 200, seed = 1))
  expect_equal(dim(s1), c(nrow(d), 200L))
  mu_marg <- exp(predict(nb, d, random = FALSE) + nb$sigma^2 / 2)
  expect_equal(mean(as.matrix(s1)), mean(mu_marg), tolerance = 0.05)
  expect_error(glmm(cases ~ decile + (decile | la), d), class = "cscdemand_error_formula")
  expect_error(glmm(cases ~ decile + (1 | la) + (1 | urban), d), class = "cscdemand_error_formula")
  expect_error(glmm(cases ~ decile:urban + (1 | la), d), class = "cscdemand_error_formula")
  expect_error(glmm(cases ~ decile, d, family = "gamma"), class = "cscdemand_error_family")
  expect_error(glmm(cases ~ nope + (1 | la), d), class = "cscdemand_error_formula")
})
