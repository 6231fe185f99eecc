# The factor columns of episode_factors() are integer vectors held as masks
# (src/rcpp_episodes.cpp, "cscdemand_flag"): every way R reads them must give
# the values of plain integer columns, and no change may reach another column
# or copy.

plain_flags <- function(...) {
  withr::local_options(cscdemand.lazy_flags = FALSE)
  episode_factors(...)
}

test_that("flag columns held as masks equal plain integer columns", {
  a <- read_cin_assessments(test_path("fixtures", "cin", "long_basic.csv"))
  for (args in list(list(min_count = 0), list(exclude = NULL, min_count = 0),
                    list(merge = list(physical = c("18A", "18B")), min_count = 0))) {
    lazy <- do.call(episode_factors, c(list(a), args))
    plain <- do.call(plain_flags, c(list(a), args))
    f <- factor_columns(lazy)
    expect_true(all(vapply(f, function(k) cpp_is_mask_flag(lazy[[k]]), TRUE)))
    expect_false(any(vapply(f, function(k) cpp_is_mask_flag(plain[[k]]), TRUE)))
    expect_identical(lazy, plain)
  }
  # the bundled example, with NA-free flags of 29 factors
  lazy <- episode_factors(cin_example)
  plain <- plain_flags(cin_example)
  expect_identical(lazy, plain)
})

test_that("reading by element, region and subset leaves the masks in place", {
  withr::local_seed(3)
  ep <- episode_factors(cin_example)
  ref <- plain_flags(cin_example)
  f <- factor_columns(ep)
  n <- nrow(ep)
  idx <- c(sample.int(n, 200), 1L, n, NA, n + 1L, 0L)
  for (k in f[c(1, 7, 29)]) {
    r <- ref[[k]]
    expect_identical(ep[[k]][idx], r[idx])                 # Extract_subset (NA beyond the end)
    expect_identical(ep[[k]][-1], r[-1])
    expect_identical(ep[[k]][c(1, 3e9)], c(r[1], NA))       # a double index above INT_MAX
    expect_identical(sum(ep[[k]]), sum(r))                 # by region
    expect_equal(mean(ep[[k]]), mean(r))
    expect_identical(as.vector(table(ep[[k]])), as.vector(table(r)))
    expect_identical(head(ep[[k]], 3), head(r, 3))
    expect_identical(vapply(c(1L, 17L, n), function(i) ep[[k]][[i]], 1L), r[c(1L, 17L, n)])
    expect_identical(anyNA(ep[[k]]), FALSE)
    expect_identical(is.na(ep[[k]]), is.na(r))
    expect_true(cpp_is_mask_flag(ep[[k]]))                 # none of these made it plain
  }
  # a row subset of the table is plain integers with the same values
  sub <- ep[ep$la == ep$la[1], ]
  expect_identical(sub[[f[2]]], ref[[f[2]]][ref$la == ref$la[1]])
  expect_false(cpp_is_mask_flag(sub[[f[2]]]))
  expect_true(cpp_is_mask_flag(ep[[f[2]]]))
  expect_identical(rbind(ep[1:5, ], ep[6:10, ])[f], ref[1:10, f])
  # whole-column work makes the column plain, once, with the same values
  x <- ep[[f[3]]]
  expect_identical(x == 1L, ref[[f[3]]] == 1L)
  expect_false(cpp_is_mask_flag(ep[[f[3]]]))
  expect_identical(ep[[f[3]]], ref[[f[3]]])
  expect_identical(as.matrix(ep[f]), as.matrix(ref[f]))
})

test_that("masks with missing cells read alike by element, region and subset at any offset", {
  withr::local_seed(8)
  n <- 3000
  m <- as.raw(sample(0:255, n * 8, replace = TRUE))
  miss <- as.raw(sample(c(0:255, rep(0, 200)), n * 8, replace = TRUE))
  alive <- sample(c(TRUE, TRUE, FALSE), n, replace = TRUE)
  cols <- c(1:12, 40L, 64L)
  lazy <- cpp_ep_mask_flags(m, miss, alive, cols, lazy = TRUE)
  plain <- cpp_ep_mask_flags(m, miss, alive, cols, lazy = FALSE)
  expect_identical(attr(lazy, "n_na"), attr(plain, "n_na"))
  expect_gt(attr(plain, "n_na"), 0)
  i <- c(sample.int(sum(alive)), NA, 0L)
  for (j in seq_along(cols)) {
    x <- lazy[[j]]
    y <- plain[[j]]
    expect_true(cpp_is_mask_flag(x))
    expect_identical(sum(x, na.rm = TRUE), sum(y, na.rm = TRUE))
    expect_identical(sum(x), sum(y))
    expect_identical(is.na(x), is.na(y))
    expect_identical(x[i], y[i])
    expect_identical(vapply(c(1L, 513L, 1025L, length(y)), function(k) x[[k]], 1L),
                     y[c(1L, 513L, 1025L, length(y))])
    expect_identical(as.vector(table(x, useNA = "always")), as.vector(table(y, useNA = "always")))
    expect_true(cpp_is_mask_flag(x))
    expect_identical(x, y)                                  # whole column, then plain
  }
  # no missing cell among the columns asked for: no second set of masks kept
  none <- cpp_ep_mask_flags(m, as.raw(rep(0, n * 8)), alive, cols, lazy = TRUE)
  expect_identical(attr(none, "n_na"), 0)
  expect_identical(unlist(none), unlist(cpp_ep_mask_flags(m, NULL, alive, cols, lazy = FALSE)))
})

test_that("a change to one flag column reaches neither its copies nor the other columns", {
  ep <- episode_factors(cin_example)
  ref <- plain_flags(cin_example)
  f <- factor_columns(ep)
  y <- ep[[f[1]]]
  y[1] <- 5L
  expect_identical(y[1], 5L)
  expect_identical(y[-1], ref[[f[1]]][-1])
  expect_true(cpp_is_mask_flag(ep[[f[1]]]))             # the table's column is unchanged
  expect_identical(ep[[f[1]]], ref[[f[1]]])
  ep2 <- ep
  ep2[[f[3]]][2] <- 7L
  ep2[3, f[4]] <- 9L
  expect_identical(ep[f], ref[f])                        # the original table is unchanged
  expect_identical(ep2[[f[3]]][2], 7L)
  expect_identical(ep2[[f[4]]][3], 9L)
  expect_identical(ep2[[f[5]]], ref[[f[5]]])             # columns sharing the masks
  z <- ep[[f[6]]]
  z <- z + 1L                                            # arithmetic makes the integers once
  expect_identical(z, ref[[f[6]]] + 1L)
})

test_that("missing flags read as NA by every route, and saved tables hold plain integers", {
  d <- data.frame(child_id = c("a", "b", "c", "d"), referral_date = "2023-05-01",
                  `1B` = c("1", "0", "1", "1"), `3B` = c("0", "1", NA, "1"),
                  `4B` = c(NA, "0", "0", "1"), check.names = FALSE)
  a <- read_cin_assessments(d)
  ep <- episode_factors(a, exclude = NULL, min_count = 0)
  ref <- plain_flags(a, exclude = NULL, min_count = 0)
  expect_true(cpp_is_mask_flag(ep[["3B"]]))
  expect_identical(ep[["3B"]][3], NA_integer_)
  expect_identical(ep[["4B"]][c(1, 4)], c(NA, 1L))
  expect_identical(sum(ep[["3B"]]), NA_integer_)
  expect_identical(sum(ep[["3B"]], na.rm = TRUE), 2L)
  expect_identical(anyNA(ep[["3B"]]), TRUE)
  expect_identical(anyNA(ep[["1B"]]), FALSE)
  expect_identical(is.na(ep[["4B"]]), c(TRUE, FALSE, FALSE, FALSE))
  expect_identical(ep, ref)
  p <- tempfile(fileext = ".rds")
  saveRDS(episode_factors(a, exclude = NULL, min_count = 0), p)
  back <- readRDS(p)
  expect_false(cpp_is_mask_flag(back[["3B"]]))
  expect_identical(back, ref)
})

test_that("models fitted on flag columns held as masks equal those on plain columns", {
  ep <- episode_factors(cin_example)
  ref <- plain_flags(cin_example)
  items <- factor_columns(ep)[1:8]
  m1 <- suppressMessages(lca(ep, items = items, k = 2, starts = 2, seed = 4, verbose = FALSE))
  m2 <- suppressMessages(lca(ref, items = items, k = 2, starts = 2, seed = 4, verbose = FALSE))
  expect_identical(m1$loglik, m2$loglik)
  expect_identical(m1$probs, m2$probs)
})
