# pathway_tables(): the joint suppression itself is tested against an
# attacker's linear program in test-report-disclosure.R.

test_that("pathway_tables checks its input and builds only the tables the data hold", {
  ep <- data.frame(threshold_reached = factor(rep(c("CIN plan", "ICPC", "CP plan"), c(60, 30, 40))))
  post <- indicator_matrix(factor(rep(c("A", "B"), 65)))
  tabs <- pathway_tables(ep, post)
  expect_named(tabs, "threshold")
  expect_s3_class(tabs$threshold, "cscdemand_crosstab")
  expect_equal(attr(tabs, "rounds"), 1L)
  expect_error(pathway_tables(ep, post, measures = data.frame(x = 1:3)), class = "cscdemand_error_column")
  expect_error(pathway_tables(ep, post[1:5, ]), class = "cscdemand_error_input")
  expect_error(class_crosstab(ep, var = "threshold_reached", posterior = post, hide = list("A")),
               class = "cscdemand_error_hide")
  # a cell another table would give back is hidden, with its complements
  ep$v <- factor(rep(c("In time", "Late"), c(100, 30)))
  ct <- class_crosstab(ep, var = "v", posterior = post, hide = list(total = "A"))
  expect_true(all(attr(ct, "suppressed")[, "A"]))
  expect_true(all(attr(ct, "suppressed")[, "B"]))
  expect_equal(crosstab_hidden_in(ct, "All episodes"), c("A", "B"))
  # a table with every category hidden says its totals in a sentence instead
  expect_match(attr(ct, "sentence"), "^v, all categories together: In time: 100 \\(76.9%\\); Late: 30 \\(23.1%\\), of 130 in all\\.")
  expect_null(attr(class_crosstab(ep, var = "v", posterior = post), "sentence"))
})
