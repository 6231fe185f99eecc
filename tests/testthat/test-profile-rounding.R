# One number, one value: the category totals of every table add up to the
# number of episodes, and the same episodes print the same number in every
# table (reader's finding: 257 in one table and 256 in the others; category
# totals adding to 3,009 against 3,010 printed; 90 against 89).

test_that("category totals add up to the episodes and agree across tables of the same episodes", {
  # expected sizes 10.4, 10.4 and 10.2: rounded one by one they give 30, of 31
  post <- rbind(matrix(c(1, 0, 0), 10, 3, byrow = TRUE), matrix(c(0, 1, 0), 10, 3, byrow = TRUE),
                matrix(c(0, 0, 1), 10, 3, byrow = TRUE), c(0.4, 0.4, 0.2))
  colnames(post) <- c("A", "B", "C")
  expect_equal(colSums(post), c(A = 10.4, B = 10.4, C = 10.2))
  ep <- data.frame(v = rep(c("x", "y"), length.out = 31), council = "Here")
  ct <- class_crosstab(ep, var = "v", posterior = post, threshold = 0)
  cnt <- attr(ct, "counts")
  tot <- cnt["All episodes", c("A", "B", "C")]
  expect_equal(sum(tot), 31)
  expect_equal(unname(cnt["All episodes", "All episodes"]), 31)
  expect_equal(sort(unname(tot)), c(10, 10, 11))
  # the table of categories by council prints the same category numbers
  by_council <- attr(class_crosstab(ep, class = "council", posterior = post, threshold = 0), "counts")
  expect_equal(by_council[c("A", "B", "C"), "Here"], tot)
  # totals that are a row of another table keep that table's plain rounding
  plain <- attr(class_crosstab(ep, var = "v", posterior = post, threshold = 0, totals_published = TRUE), "counts")
  expect_equal(unname(plain["All episodes", c("A", "B", "C")]), c(10, 10, 10))
  # that is said by an argument, not by a label among the published levels
  # (a level's name cannot change how the totals are rounded)
  lab <- attr(class_crosstab(ep, var = "v", posterior = post, threshold = 0, published = "All episodes"), "counts")
  expect_equal(lab["All episodes", c("A", "B", "C")], tot)
  expect_error(class_crosstab(ep, var = "v", posterior = post, totals_published = NA), class = "cscdemand_error_input")
})

test_that("rows that are the same episodes in two linked tables print the same number", {
  d <- example_council("Kingston upon Thames")
  ep <- d$episodes
  # episodes shared between the categories, so rounding matters
  post <- 0.8 * d$posterior + 0.2 / ncol(d$posterior)
  flags <- intersect(c("not_in_need", "cp_plan", "s47", "icpc"), names(ep))
  tabs <- pathway_tables(ep, post, pathway_measures(ep), threshold = 0, outcomes = ep[flags])
  links <- attr(tabs, "links")
  one <- links[!grepl(" + ", links$sum_of_table, fixed = TRUE) & !grepl(" + ", links$sum_of_rows, fixed = TRUE), ]
  expect_gt(nrow(one), 3)
  printed <- function(t, r) {
    p <- attr(tabs[[t]], "printed")
    p[if (r == "total") "All episodes" else r, colnames(post)]
  }
  for (i in seq_len(nrow(one))) {
    expect_equal(printed(one$table[i], one$row[i]), printed(one$sum_of_table[i], one$sum_of_rows[i]),
                 info = paste(one$table[i], one$row[i], "=", one$sum_of_table[i], one$sum_of_rows[i]))
  }
  # each table rounded on its own, as the report did, prints some differently
  th <- attr(class_crosstab(data.frame(v = ep$threshold_reached), var = "v", posterior = post, threshold = 0,
                            published = c("CP plan", "ICPC")), "printed")
  nin <- attr(class_crosstab(data.frame(v = factor(ifelse(ep$not_in_need == 1, "yes", "no"), levels = c("no", "yes"))),
                             var = "v", posterior = post, threshold = 0), "printed")
  expect_false(isTRUE(all.equal(th["Assessed not in need", colnames(post)], nin["yes", colnames(post)])))
})
