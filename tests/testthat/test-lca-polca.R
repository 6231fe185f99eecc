# Agreement with poLCA (an independent implementation) on its own example data.

fit_both <- function(data, k, nrep = 30) {
  items <- names(data)
  f <- stats::as.formula(paste0("cbind(", paste(items, collapse = ","), ") ~ 1"))
  set.seed(2024)
  pl <- poLCA_quiet(f, data, nclass = k, nrep = nrep, maxiter = 20000, tol = 1e-13,
                    na.rm = FALSE)
  ours <- lca(data, k = k, starts = 50, seed = 1, verbose = FALSE,
              control = lca_control(init_iter = 0, tol = 1e-13, maxiter = 20000))
  list(pl = pl, ours = ours)
}

compare_params <- function(pl, ours) {
  a <- stack_probs(poLCA_probs(pl))
  b <- stack_probs(lapply(ours$probs, unname))
  perm <- match_classes(a, b)
  expect_equal(b[perm, ], a, tolerance = 1e-4, ignore_attr = TRUE)
  expect_equal(unname(ours$class_size[perm]), pl$P, tolerance = 1e-4)
}

test_that("carcinoma: log-likelihood and parameters agree with poLCA (K = 2, 3)", {
  skip_if_not_installed("poLCA")
  data("carcinoma", package = "poLCA", envir = environment())
  for (k in 2:3) {
    r <- fit_both(carcinoma, k)
    expect_equal(r$ours$loglik, r$pl$llik, tolerance = 1e-6 / abs(r$pl$llik))
    expect_lt(abs(r$ours$loglik - r$pl$llik), 1e-6)
    compare_params(r$pl, r$ours)
    expect_equal(r$ours$npar, r$pl$npar)
    expect_equal(BIC(r$ours), r$pl$bic, tolerance = 1e-8)
    expect_equal(AIC(r$ours), r$pl$aic, tolerance = 1e-8)
    expect_equal(r$ours$fit$Gsq, r$pl$Gsq, tolerance = 1e-5)
    # relative entropy from poLCA's own posteriors
    post <- r$pl$posterior
    ent <- 1 - sum(-post * log(pmax(post, 1e-300))) / (nrow(post) * log(k))
    expect_equal(r$ours$fit$entropy, ent, tolerance = 1e-5)
  }
})

test_that("values: log-likelihood and parameters agree with poLCA (K = 2)", {
  skip_if_not_installed("poLCA")
  data("values", package = "poLCA", envir = environment())
  r <- fit_both(values, 2)
  expect_lt(abs(r$ours$loglik - r$pl$llik), 1e-6)
  compare_params(r$pl, r$ours)
})

test_that("missing item values: agrees with poLCA's full-information fit", {
  skip_if_not_installed("poLCA")
  data("carcinoma", package = "poLCA", envir = environment())
  set.seed(5)
  cm <- carcinoma
  for (j in 1:7) cm[sample(nrow(cm), 8), j] <- NA
  r <- fit_both(cm, 2)
  expect_lt(abs(r$ours$loglik - r$pl$llik), 1e-6)
  compare_params(r$pl, r$ours)
  expect_true(is.na(r$ours$fit$Gsq))
})

test_that("polytomous items: agrees with poLCA on simulated three-category items", {
  skip_if_not_installed("poLCA")
  set.seed(17)
  n <- 1500
  cls <- sample(1:3, n, TRUE, prob = c(.5, .3, .2))
  p <- list(c(.7, .2, .1), c(.2, .6, .2), c(.1, .2, .7))
  d <- as.data.frame(replicate(5, vapply(cls, function(k) sample(1:3, 1, prob = p[[k]]), 1L)))
  names(d) <- paste0("q", 1:5)
  r <- fit_both(d, 3, nrep = 20)
  expect_lt(abs(r$ours$loglik - r$pl$llik), 1e-6)
  compare_params(r$pl, r$ours)
})
