# Figure 4 in a small council (issue 23): a hidden probability is shown as a
# range when the range cannot give a small count back, checked by linear
# programming against the factor's published total.

band_fit <- function(p, size, nobs) {
  d <- simulate_lca(n = 400, probs = matrix(c(.8, .2), 2, ncol(p), dimnames = list(NULL, colnames(p))),
                    class_size = c(.5, .5), seed = 1)
  # (a scaffold: its probabilities are replaced below, so its warnings do not matter)
  fit <- suppressWarnings(lca(d[colnames(p)], 2, starts = 2, seed = 1, verbose = FALSE))
  cl <- paste("Class", seq_len(nrow(p)))
  fit$probs <- lapply(stats::setNames(colnames(p), colnames(p)), function(it) {
    matrix(c(1 - p[, it], p[, it]), nrow(p), dimnames = list(cl, c("0", "1")))
  })
  fit$class_size <- stats::setNames(size / sum(size), cl)
  fit$nobs <- nobs
  fit
}

# The range a tile's label allows, as a probability interval.
label_range <- function(lab, p) {
  if (grepl("^<", lab)) return(c(0, as.numeric(sub("<([0-9]+)%", "\\1", lab)) / 100))
  if (grepl("^>", lab)) return(c(as.numeric(sub(">([0-9]+)%", "\\1", lab)) / 100, 1))
  if (grepl("^[0-9]+-[0-9]+%$", lab)) return(as.numeric(strsplit(sub("%", "", lab), "-")[[1]]) / 100)
  c(p, p)
}

# For every small count behind a range: the largest value a reader can reach
# (lpSolve: the factor's counts add up to its total, each in its printed range)
expect_ranges_protect <- function(fit, threshold = 10) {
  skip_if_not_installed("lpSolve")
  g <- plot_item_probs(fit, threshold = threshold)
  d <- g$data
  pres <- presence_probs(fit)
  size <- unname(fit$class_size) * fit$nobs
  cl <- unname(class_labels(fit))
  n_checked <- 0
  for (it in unique(as.character(d$item))) {
    r <- d[d$item == it, ]
    r <- r[match(cl, as.character(r$class)), ]
    if (!any(grepl("[<>-]", r$range))) next
    j <- match(it, colnames(pres))
    p <- pres[, j]
    rng <- t(vapply(seq_along(cl), function(k) label_range(if (is.na(r$range[k])) "" else r$range[k], p[k]), numeric(2)))
    total <- sum(p * size)
    K <- length(cl)
    for (k in which(grepl("[<>]", r$range))) {
      yes <- grepl("^<", r$range[k])
      # maximise y_k (or minimise it, for a small count without the factor)
      obj <- replace(numeric(K), k, 1)
      sol <- lpSolve::lp(if (yes) "max" else "min", obj, rbind(rep(1, K), diag(K), diag(K)),
                         c("=", rep(">=", K), rep("<=", K)), c(total, rng[, 1] * size, rng[, 2] * size))
      expect_equal(sol$status, 0)
      most <- if (yes) sol$objval else size[k] - sol$objval
      expect_gte(most, threshold - 0.5)
      n_checked <- n_checked + 1
    }
  }
  n_checked
}

test_that("a small council's heatmap shows ranges for most hidden tiles, and no range gives a small count back", {
  set.seed(23)
  codes <- c("3B", "4B", "2B", "16A", "5A", "14A", "15A", "4A", "17A", "18C", "10A", "24A")
  checked <- 0
  fewer <- 0
  for (r in 1:12) {
    K <- sample(4:7, 1)
    q <- matrix(stats::rbeta(K * length(codes), 0.5, 2.5), K, length(codes), dimnames = list(NULL, codes))
    q[q > .97] <- .97
    fit <- band_fit(q, stats::runif(K, 0.5, 2), nobs = sample(c(300, 600, 1200), 1))
    hid <- item_probs_hidden(fit, 10)
    g <- plot_item_probs(fit, threshold = 10)
    lab <- g$data$label
    # a tile shown keeps its percentage: neither "c" nor a range
    expect_false(any(lab[!hid] == "c" | grepl("^<|^>|-", lab[!hid])))
    # every hidden tile reads "c", one notation (reader 10, F8); the range
    # that protects stays in the data (the names table prints it)
    expect_true(all(lab[hid] == "c"))
    expect_true(all(is.na(g$data$range[!hid])))
    # with ranges, fewer hidden tiles are "c" alone in most small councils
    fewer <- fewer + (sum(is.na(g$data$range[hid])) < sum(hid))
    checked <- checked + expect_ranges_protect(fit)
  }
  expect_gte(fewer, 8)
  expect_gte(checked, 20)
})

test_that("ranges that would let a small count be worked out from the total stay 'c'", {
  # two categories of 50 and 60 episodes: 3 of 50 have the factor (6%), 27 of
  # 60 (45%). A range "<20%" for the first and "40-50%" for the second: the
  # total (30) minus the second's least (24) gives the first at most 6, under
  # 10, so both stay "c"
  q <- cbind(`16A` = c(.06, .45), `3B` = c(.5, .5))
  fit <- band_fit(q, c(50, 60), nobs = 110)
  hid <- item_probs_hidden(fit, 10)
  expect_true(all(hid[, "16A"]))
  lab <- plot_item_probs(fit, threshold = 10)$data
  expect_equal(lab$label[lab$item == "16A"], c("c", "c"))
  expect_equal(lab$range[lab$item == "16A"], c(NA_character_, NA_character_))
  # with a larger second category the range protects it: total minus the
  # second's least leaves room for 10 or more
  fit2 <- band_fit(cbind(`16A` = c(.06, .45), `3B` = c(.5, .5)), c(50, 400), nobs = 450)
  l2 <- plot_item_probs(fit2, threshold = 10)$data
  expect_equal(l2$range[l2$item == "16A"], c("<20%", "40-50%"))
  expect_equal(l2$label[l2$item == "16A"], c("c", "c"))
  expect_ranges_protect(fit2)
  # and a small count without the factor: 47 of 50 have it
  fit3 <- band_fit(cbind(`16A` = c(.94, .45), `3B` = c(.5, .5)), c(50, 400), nobs = 450)
  l3 <- plot_item_probs(fit3, threshold = 10)$data
  expect_equal(l3$range[l3$item == "16A"], c(">80%", "40-50%"))
  expect_ranges_protect(fit3)
})

test_that("no tile or names-table cell prints 0%/100% unless exact, nor a percentage standing for under 10 episodes (reader12 N2)", {
  # category 1 has 1,000 expected episodes, 2 and 3 have 3,000
  p <- cbind(A = c(1e-6, .3, .4), B = c(0.999999, .6, .5), C = c(.004, .2, .3), D = c(.996, .7, .6),
             E = c(0, .3, .5), F = c(.5, .0001, .4), G = c(.5, .9999, .4))
  fit <- band_fit(p, size = c(1000, 3000, 3000), nobs = 7000)
  size <- unname(fit$class_size) * fit$nobs
  d <- plot_item_probs(fit)$data
  cl <- unname(class_labels(fit))
  k <- match(as.character(d$class), cl)
  j <- match(as.character(d$item), colnames(p))
  truth <- p[cbind(k, j)]
  # "0%" / "100%" only for an exact 0 / 1: here only E in category 1
  expect_true(all(truth[d$label == "0%"] == 0))
  expect_true(all(truth[d$label == "100%"] == 1))
  expect_equal(d$label[j == 5 & k == 1], "0%")
  # a large category's non-zero 0.01% reads "<1%", not "0%" (0-15 episodes is not under 10)
  expect_equal(d$label[j == 6 & k == 2], "<1%")
  expect_equal(d$label[j == 7 & k == 2], ">99%")
  # every printed whole percentage, read back as its rounding interval times
  # the category's size, allows at least 10 episodes with and without the factor
  num <- grepl("^[0-9]+%$", d$label) & truth > 0 & truth < 1
  r <- as.numeric(sub("%", "", d$label[num]))
  s <- size[k[num]]
  expect_true(all(pmin(r + 0.5, 100) / 100 * s >= 10))
  expect_true(all((1 - pmax(r - 0.5, 0) / 100) * s >= 10))
  # the four small cells of category 1 are hidden
  expect_true(all(d$label[k == 1 & j %in% 1:4] == "c"))
  # the names table (Table 6) reads the same: its ranges allow 10 episodes
  u <- unit_display(fit, as.list(stats::setNames(colnames(p), colnames(p))), 10)
  expect_true(all(u$p[u$text == "0%"] == 0))
  expect_true(all(u$p[u$text == "100%"] == 1))
  expect_false(any(u$text[1, 1:4] %in% c("0%", "100%")))
  for (kk in 1:3) for (jj in seq_len(ncol(p))) {
    rg <- label_range(u$text[kk, jj], p[kk, jj])
    if (u$text[kk, jj] == "c" || p[kk, jj] %in% c(0, 1)) next
    if (grepl("^[0-9]+%$", u$text[kk, jj])) rg <- c(max(p[kk, jj] * 100 - 0.5, 0), min(round(100 * p[kk, jj]) + 0.5, 100)) / 100
    expect_gte(rg[2] * size[kk], 10)
    expect_gte((1 - rg[1]) * size[kk], 10)
  }
})

test_that("a pooled model's percentages are checked against the council's own category sizes too", {
  # reader 13: a model fitted to three councils printed "1%" of a category of
  # 2,500 episodes (25 with the factor), which read against the council's own
  # 612 episodes of that category stands for about 6
  q <- cbind(`16A` = c(.01, .30), `3B` = c(.50, .004), `4B` = c(.2, .6))
  fit <- band_fit(q, c(2500, 2500), nobs = 5000)
  own <- c(612, 494)
  pooled <- plot_item_probs(fit, threshold = 10)$data
  mine <- plot_item_probs(fit, threshold = 10, sizes = own)$data
  # against the model's sizes the 1% and 0.4% tiles are shown
  expect_equal(pooled$label[pooled$item == "16A"][1], "1%")
  expect_equal(pooled$label[pooled$item == "3B"][2], "<1%")
  # against the council's, they stand for 6 and 2 episodes: hidden
  expect_equal(mine$label[mine$item == "16A"][1], "c")
  expect_equal(mine$label[mine$item == "3B"][2], "c")
  # every other tile is unchanged, and the hidden set only grows
  expect_true(all(mine$label[pooled$label == "c"] == "c"))
  expect_identical(mine$label[!(mine$item %in% c("16A", "3B"))], pooled$label[!(pooled$item %in% c("16A", "3B"))])
  # sizes as large as the model's change nothing
  expect_identical(plot_item_probs(fit, threshold = 10, sizes = c(2500, 2500))$data, pooled)
  expect_equal(unname(item_probs_hidden(fit, 10, sizes = own)), matrix(mine$label == "c", 2))
  # the names table follows the same sizes
  nt_pooled <- class_name_table(fit, threshold = 10)
  nt <- class_name_table(fit, threshold = 10, sizes = own)
  expect_match(nt_pooled$defining[2], "at most 1% in categories not named for it", fixed = TRUE)
  expect_no_match(nt$defining[2], "\\b1%")
  expect_match(nt_pooled$defining[1], "^Domestic abuse: 50% v ")
  expect_match(nt$defining[1], "^Domestic abuse: c v ")
  expect_error(plot_item_probs(fit, sizes = 612), class = "cscdemand_error_input")
})
