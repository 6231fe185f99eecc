# Scoring new episodes against a fitted or frozen model (R/lca-freeze.R).

test_that("lca_score() scores a year in which a model factor is rare, as by hand", {
  items <- c("3A", "4B", "2B", "1B", "18C")
  ep <- episode_factors(cin_example, exclude = NULL, min_count = 0, no_factors = "keep",
                        drop_empty = FALSE)
  fit <- quiet_starts(lca(as.data.frame(ep)[items], k = 2, starts = 10, seed = 1,
                          verbose = FALSE))
  fz <- lca_freeze(fit)
  # the new year: one council-year in which only 3 assessments record factor 3A
  new <- cin_example[cin_example$year == max(cin_example$year), ]
  has <- grepl("(^|,)3A(,|$)", new$factors)
  drop <- which(has)[-(1:3)]
  new$factors[drop] <- vapply(strsplit(new$factors[drop], ","), function(x) {
    paste(setdiff(x, "3A"), collapse = ",")
  }, character(1))
  # the defaults of episode_factors() drop the rare factor, so predict() fails
  expect_false("3A" %in% names(episode_factors(new)))
  expect_error(predict(fz, as.data.frame(episode_factors(new))), class = "cscdemand_error_coding")
  sc <- lca_score(fz, new, type = "posterior")
  new_ep <- episode_factors(new, exclude = NULL, min_count = 0, no_factors = "keep",
                            other_only = "keep", drop_empty = FALSE)
  expect_equal(nrow(sc), nrow(new_ep))
  expect_equal(sum(sc[["3A"]]), 3)
  # posterior by hand: pi_k * prod_j rho_jk(y_j)
  y <- sapply(items, function(it) new_ep[[it]])
  lp <- sapply(1:2, function(k) {
    log(fit$class_size[k]) + rowSums(sapply(items, function(it) {
      log(fit$probs[[it]][k, as.character(y[, it])])
    }))
  })
  hand <- exp(lp - apply(lp, 1, max))
  hand <- hand / rowSums(hand)
  expect_equal(unname(as.matrix(as.data.frame(sc)[c("Class 1", "Class 2")])), unname(hand),
               tolerance = 1e-10)
  expect_identical(as.integer(sc$class), unname(max.col(hand, ties.method = "first")))
  # the unfrozen fit scores the same; class names given to the fit label the classes
  expect_identical(lca_score(fit, new)$class, sc$class)
  named <- name_classes(fit, c("Some", "Other"))
  expect_identical(levels(lca_score(lca_freeze(named), new)$class), c("Some", "Other"))
  expect_identical(as.integer(lca_score(lca_freeze(named), new)$class), as.integer(sc$class))
})

test_that("lca_score() refuses a model whose items are not factor columns", {
  d <- simulate_lca(n = 300, seed = 1)
  fit <- quiet_starts(lca(d, k = 2, starts = 4, seed = 1, verbose = FALSE))
  expect_error(lca_score(lca_freeze(fit), cin_example[1:50, ]), class = "cscdemand_error_coding")
  expect_error(lca_score(list(), cin_example[1:50, ]), class = "cscdemand_error_input")
})
