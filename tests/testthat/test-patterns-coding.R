test_that("bad items give classed errors that name the column and the fix", {
  d <- simulate_lca(n = 200, seed = 1)
  bad <- d
  bad$neglect[c(4, 9)] <- c(2, 0.5)
  expect_error(lca(bad, 2, verbose = FALSE), class = "cscdemand_error_item")
  expect_snapshot(lca(bad, 2, verbose = FALSE), error = TRUE)

  const <- d
  const$neglect <- 1
  expect_error(lca(const, 2, verbose = FALSE), class = "cscdemand_error_item")
  expect_snapshot(lca(const, 2, verbose = FALSE), error = TRUE)

  allna <- d
  allna$neglect <- NA_real_
  expect_error(lca(allna, 2, verbose = FALSE), class = "cscdemand_error_item")

  chr <- d
  chr$neglect <- ifelse(chr$neglect == 1, "yes", "no")
  expect_error(lca(chr, 2, verbose = FALSE), class = "cscdemand_error_item")
  expect_snapshot(lca(chr, 2, verbose = FALSE), error = TRUE)

  expect_error(lca(d, 2, items = c("neglect", "nope"), verbose = FALSE),
               class = "cscdemand_error_input")
})

test_that("bad k, starts, weights and data give classed errors", {
  d <- simulate_lca(n = 200, seed = 1)
  expect_error(lca(d, 0, verbose = FALSE), class = "cscdemand_error_input")
  expect_error(lca(d, 2.5, verbose = FALSE), class = "cscdemand_error_input")
  expect_error(lca(d, 2, starts = 0, verbose = FALSE), class = "cscdemand_error_input")
  small <- data.frame(a = c(0, 1, 0), b = c(1, 0, 1))
  expect_error(lca(small, 3, verbose = FALSE), class = "cscdemand_error_k")
  expect_snapshot(lca(small, 3, verbose = FALSE), error = TRUE)

  w <- rep(1, 200)
  w[7] <- -1
  expect_error(lca(d, 2, weights = w, verbose = FALSE), class = "cscdemand_error_weights")
  w[7] <- NA
  expect_error(lca(d, 2, weights = w, verbose = FALSE), class = "cscdemand_error_weights")
  expect_snapshot(lca(d, 2, weights = w, verbose = FALSE), error = TRUE)
  expect_error(lca(d, 2, weights = "nope", verbose = FALSE), class = "cscdemand_error_input")

  expect_error(lca(d[0, ], 2, verbose = FALSE), class = "cscdemand_error_input")
  expect_error(lca(as.matrix(d), 2, verbose = FALSE), class = "cscdemand_error_input")
  expect_error(lca(d, 2, control = list(maxiter = 3), verbose = FALSE),
               class = "cscdemand_error_input")
  expect_error(lca_control(tol = -1), class = "cscdemand_error_input")
})

test_that("rows with every item missing are dropped and counted", {
  d <- simulate_lca(n = 300, seed = 1)
  d[c(2, 5, 9), 1:8] <- NA
  pt <- lca_patterns(d)
  expect_equal(pt$n_all_missing, 3)
  expect_equal(sum(pt$n), 297)
  expect_equal(pt$audit$rows, c(300, 3, 297))
  expect_true(all(is.na(pt$row_index[c(2, 5, 9)])))
  expect_output(print(pt), "3 rows with every item missing")
  fit <- lca(pt, 2, seed = 1, verbose = FALSE)
  expect_equal(fit$nobs, 297)
})

test_that("item coding: logical, 0/1, 1..C integers and factors", {
  d <- data.frame(a = c(TRUE, FALSE, TRUE, NA), b = c(0L, 1L, 1L, 0L), c = c(1, 2, 3, 2),
                  e = factor(c("x", "y", "x", "y")))
  pt <- lca_patterns(d)
  expect_equal(pt$ncat, c(a = 2, b = 2, c = 3, e = 2))
  expect_equal(pt$levels$c, c("1", "2", "3"))
  expect_equal(pt$levels$e, c("x", "y"))
  expect_equal(unname(pt$y[1, ]), c(2L, 1L, 1L, 1L))
  expect_true(is.na(pt$y[4, "a"]))
})

test_that("an episode table's factor columns are the default items", {
  ep <- episode_factors(read_cin_assessments(cin_example[cin_example$year == 2022, ]))
  pt <- lca_patterns(ep)
  expect_equal(pt$items, factor_columns(ep))
  expect_equal(sum(pt$n), nrow(ep))
})

test_that("numeric item coding: 0/1 binary or 1..C, anything else a clear error (review)", {
  d <- simulate_lca(n = 300, seed = 2)
  items <- c("neglect", "domestic_abuse", "mental_health_parent")
  # 0..2: a polytomous item coded from 0 is not a 'broken binary'
  z <- d[items]
  z$neglect <- z$neglect + rep(0:1, 150) # values 0, 1, 2
  e <- expect_error(lca(z, 2, verbose = FALSE), class = "cscdemand_error_item")
  m <- conditionMessage(e)
  expect_false(grepl("binary but", m, fixed = TRUE))
  expect_match(m, "coded 0 to 2", fixed = TRUE)
  expect_match(m, "neglect + 1", fixed = TRUE)
  # the fix offered works and gives the same model as the factor
  z1 <- z
  z1$neglect <- z1$neglect + 1
  f1 <- lca(z1, 2, starts = 3, seed = 1, verbose = FALSE)
  zf <- z
  zf$neglect <- factor(zf$neglect)
  ff <- lca(zf, 2, starts = 3, seed = 1, verbose = FALSE)
  expect_equal(f1$loglik, ff$loglik, tolerance = 1e-8)
  expect_equal(ncol(f1$probs$neglect), 3)
  # 3..5: no silent empty categories 1 and 2
  t3 <- d[items]
  t3$neglect <- 3 + t3$neglect + rep(0:1, 150)
  e <- expect_error(lca(t3, 2, verbose = FALSE), class = "cscdemand_error_item")
  m <- conditionMessage(e)
  expect_match(m, "categories 1 and 2", fixed = TRUE)
  expect_match(m, "never observed", fixed = TRUE)
  # a category in the middle never observed: the same rule
  gap <- d[items]
  gap$neglect <- ifelse(gap$neglect == 1, 3, 1)
  e <- expect_error(lca(gap, 2, verbose = FALSE), class = "cscdemand_error_item")
  expect_match(conditionMessage(e), "category 2", fixed = TRUE)
  # 0/1 and 1..C are accepted as before; 1/2 is binary
  ok <- d[items]
  ok$neglect <- ok$neglect + 1
  expect_equal(lca_patterns(ok)$type[["neglect"]], "binary")
  expect_equal(lca_patterns(d[items])$levels$neglect, c("0", "1"))
  # non-whole and negative values: what was supplied, by row position
  fr <- d[items]
  fr$neglect[c(4, 9)] <- c(0.5, 1.5)
  e <- expect_error(lca(fr, 2, verbose = FALSE), class = "cscdemand_error_item")
  expect_match(conditionMessage(e), "Rows 4, 9", fixed = TRUE)
  expect_match(conditionMessage(e), "whole numbers", fixed = TRUE)
  neg <- d[items]
  neg$neglect[3] <- -1
  e <- expect_error(lca(neg, 2, verbose = FALSE), class = "cscdemand_error_item")
  expect_match(conditionMessage(e), "Row 3", fixed = TRUE)
})

test_that("an item missing on every row: one check, whatever its type (review)", {
  d <- simulate_lca(n = 100, seed = 2)[c("neglect", "domestic_abuse")]
  for (v in list(NA_real_, NA_integer_, NA, factor(NA, levels = c("a", "b")))) {
    x <- d
    x$neglect <- rep(v, 100)
    e <- expect_error(lca(x, 2, verbose = FALSE), class = "cscdemand_error_item")
    expect_match(conditionMessage(e), "missing on every row", fixed = TRUE)
  }
  # the check is written once in the coding code
  src <- paste(deparse(code_item), collapse = "\n")
  expect_equal(lengths(regmatches(src, gregexpr("missing on every row", src, fixed = TRUE))), 1L)
})

test_that("a factor item's levels that never occur are dropped with a message, not made empty categories", {
  d <- simulate_lca(n = 600, seed = 2)
  d$neglect <- factor(ifelse(d$neglect == 1, "yes", "no"), levels = c("no", "maybe", "yes"))
  items <- setdiff(names(d), ".class")
  expect_message(pt <- lca_patterns(d, items = items), class = "cscdemand_message_levels")
  expect_identical(pt$levels$neglect, c("no", "yes"))
  expect_identical(pt$ncat[["neglect"]], 2L)
  d2 <- d
  d2$neglect <- droplevels(d2$neglect)
  f1 <- suppressMessages(lca(d, 2, items = items, seed = 1, verbose = FALSE))
  f2 <- lca(d2, 2, items = items, seed = 1, verbose = FALSE)
  expect_equal(f1$loglik, f2$loglik)
  expect_identical(f1$npar, f2$npar)
})

test_that("items coded from one C++ pass equal the full check, errors included", {
  withr::local_seed(21)
  slow <- function(x) {  # an attribute sends the item through the full R check
    attr(x, "probe") <- TRUE
    r <- tryCatch(code_item(x, "it"), error = identity)
    if (!inherits(r, "error")) attributes(r$codes) <- NULL
    r
  }
  same <- function(x) {
    a <- tryCatch(code_item(x, "it"), error = identity)
    b <- slow(x)
    if (inherits(b, "error")) {
      expect_s3_class(a, "cscdemand_error_item")
      expect_identical(conditionMessage(a), conditionMessage(b))
    } else {
      expect_identical(a, b)
    }
  }
  n <- 300
  with_na <- function(v) { v[sample.int(n, 20)] <- NA; v }
  cases <- list(
    sample(0:1, n, TRUE), with_na(sample(0:1, n, TRUE)), as.numeric(sample(0:1, n, TRUE)),
    with_na(sample(c(TRUE, FALSE), n, TRUE)), sample(1:4, n, TRUE), with_na(as.numeric(sample(1:3, n, TRUE))),
    sample(1:2, n, TRUE), c(NaN, sample(0:1, n - 1, TRUE)),
    rep(1L, n), with_na(rep(0, n)), rep(NA_integer_, n), rep(TRUE, n),     # constant or missing
    sample(0:3, n, TRUE), sample(c(1L, 2L, 4L), n, TRUE), c(0.5, sample(0:1, n - 1, TRUE)),
    c(-1, sample(0:1, n - 1, TRUE)), c(Inf, sample(0:1, n - 1, TRUE)), sample(c(1, 2, 3e6), n, TRUE),
    sample(c(1L, 1000001L), n, TRUE))
  for (x in cases) same(x)
  # the episode table's compact flags stay compact and code as their integers do
  ep <- episode_factors(cin_example)
  f <- factor_columns(ep)[1]
  r <- code_item(ep[[f]], f)
  expect_true(cpp_is_mask_flag(ep[[f]]))
  expect_identical(r$levels, c("0", "1"))
  pt <- suppressMessages(lca_patterns(ep))
  expect_true(all(vapply(factor_columns(ep), function(k) cpp_is_mask_flag(ep[[k]]), TRUE)))
  withr::local_options(cscdemand.lazy_flags = FALSE)
  expect_identical(pt, suppressMessages(lca_patterns(episode_factors(cin_example))))
})
