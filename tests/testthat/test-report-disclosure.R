# Every count the report publishes about one cross-tab, in a table, a chart or
# a sentence, comes from one suppressed version of it: the checks an attacker
# would make, on Richmond-like simulated returns.

test_that("a crosstab's chart draws the table's published cells and nothing of a hidden one", {
  d <- richmond_like()
  ct <- class_crosstab(d$episodes, var = "threshold_reached", posterior = d$posterior,
                       threshold = 10, published = "CP plan")
  supp <- attr(ct, "suppressed")
  expect_true(any(supp[-nrow(supp), -ncol(supp)]))
  cnt <- attr(ct, "counts")
  pd <- crosstab_plot_data(ct)
  shown <- pd[pd$level != crosstab_hidden_label, ]
  body <- cnt[-nrow(cnt), -ncol(cnt)]
  tot <- cnt[nrow(cnt), -ncol(cnt)]
  # each drawn segment is a shown cell over its category's total, as printed
  for (r in seq_len(nrow(shown))) {
    i <- as.character(shown$level[r])
    j <- as.character(shown$class[r])
    expect_false(supp[i, j])
    expect_equal(shown$pct[r], 100 * body[i, j] / tot[[j]])
  }
  # every shown cell is drawn, and every bar reaches 100%: the grey segment is
  # the category's total less its shown cells, which the table gives already
  expect_equal(nrow(shown), sum(!supp[-nrow(supp), -ncol(supp)]))
  # (expected counts are rounded, so a bar with no hidden cell is 100% within rounding)
  sums <- tapply(pd$pct, pd$class, sum)
  with_hidden <- colnames(body)[colSums(supp[-nrow(supp), -ncol(supp)]) > 0]
  expect_true(all(abs(sums[with_hidden] - 100) < 1e-8))
  expect_true(all(abs(sums - 100) < 1))
  grey <- pd[pd$level == crosstab_hidden_label, ]
  expect_setequal(as.character(grey$class), with_hidden)
  expect_s3_class(plot(ct), "ggplot")
})
