# lca_enumerate(): fits over a range of K, the fit table and elbow plot (R/lca-enumerate.R).

test_that("lca_enumerate builds the fit table and elbow plot", {
  d <- simulate_lca(n = 2000, seed = 1)
  en <- lca_enumerate(d, k = 1:4, starts = 6, seed = 1, verbose = FALSE)
  expect_equal(en$table$k, 1:4)
  expect_equal(en$table$loglik[2], en$fits[["k=2"]]$loglik)
  expect_equal(en$table$BIC, vapply(en$fits, BIC, 0), ignore_attr = TRUE)
  expect_true(all(diff(en$table$loglik) > 0))
  expect_equal(en$table$k[which.min(en$table$BIC)], 3)
  expect_output(print(en), "Lowest")
  expect_s3_class(plot(en), "ggplot")
})
