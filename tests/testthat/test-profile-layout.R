# The layout of a table by category: rows merged, sparse categories pooled,
# cells suppressed (one rule for the crosstab and the table of likelihood ratios).

test_that("sparse categories are pooled only when a large row would be mostly hidden, and as few as needed", {
  # two rows of hundreds; a rare answer under the threshold in every
  # category (a small not-known row would be counted with a neighbour
  # first: merge_costly_residual())
  x <- rbind(Female = c(818, 661, 714, 460, 425, 316, 236),
             Male = c(857, 925, 694, 476, 464, 295, 252),
             Rare = c(8, 8, 8, 4, 1, 3, 2))
  colnames(x) <- paste("Category", LETTERS[1:7])
  lay <- crosstab_layout(x, 10, residual_unknown, merge_columns = "Other categories")
  expect_gte(length(lay$pooled), 2)
  expect_lt(length(lay$pooled), 7)
  # the smallest categories go first
  expect_setequal(lay$pooled, utils::tail(colnames(x), length(lay$pooled)))
  expect_equal(unname(lay$tab[, "Other categories"]), unname(rowSums(x[, lay$pooled, drop = FALSE])))
  # the note gives the true reason: the pooled categories hold hundreds of
  # episodes; it is some of their cells here that are small (reader 12, N5)
  expect_true(all(colSums(x[, lay$pooled, drop = FALSE]) >= 100))
  expect_match(lay$note, "some of their cells in this table are fewer than 10, and hiding those would hide most of a large row.", fixed = TRUE)
  expect_no_match(lay$note, "their small numbers", fixed = TRUE)
  sp <- crosstab_suppress(lay$tab, 10)$supp
  body <- sp[1:2, seq_len(ncol(lay$tab))]
  expect_true(all(2 * rowSums(body) <= ncol(lay$tab)))
  # the columns are the same table: every episode is still counted
  expect_equal(sum(lay$tab), sum(x))
  # with no small cell, or no large row at risk, nothing is pooled
  big <- x
  big["Rare", ] <- c(18, 18, 18, 14, 11, 13, 12)
  expect_length(crosstab_layout(big, 10, residual_unknown, merge_columns = "Other categories")$pooled, 0)
  one <- x
  one["Rare", ] <- c(18, 18, 18, 14, 11, 3, 12)
  expect_length(crosstab_layout(one, 10, residual_unknown, merge_columns = "Other categories")$pooled, 0)
  # no pooling asked for: none done
  expect_length(crosstab_layout(x, 10, residual_unknown)$pooled, 0)
})

test_that("crosstab_suppress hides a small category total with its whole column", {
  x <- rbind(a = c(50, 40, 3), b = c(60, 45, 4))
  colnames(x) <- c("A", "B", "C")
  sp <- crosstab_suppress(x, 10)
  expect_true(all(sp$supp[, "C"]))
  expect_equal(sp$full["All episodes", "All episodes"], sum(x))
})
