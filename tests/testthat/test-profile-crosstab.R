# class_crosstab(), episode_threshold() and class_deprivation_effect() against
# hand computation.

test_that("class_crosstab counts, percentages and totals match a hand count", {
  ep <- data.frame(class = rep(c("A", "B"), c(60, 40)),
                   src = c(rep("Police", 30), rep("Schools", 20), rep(NA, 10),
                           rep("Police", 10), rep("Unknown", 15), rep("Schools", 15)))
  tab <- class_crosstab(ep, "class", "src", label = "Source")
  expect_s3_class(tab, "cscdemand_crosstab")
  expect_equal(names(tab), c("Source", "A", "B", "All episodes"))
  # known levels first, then "Unknown", then "Missing" (SafeLives: never dropped)
  expect_equal(tab$Source, c("Police", "Schools", "Unknown", "Missing", "All episodes"))
  cnt <- attr(tab, "counts")
  expect_equal(unname(cnt[, "A"]), c(30, 20, 0, 10, 60))
  expect_equal(unname(cnt[, "B"]), c(10, 15, 15, 0, 40))
  expect_equal(unname(cnt[, "All episodes"]), c(40, 35, 15, 10, 100))
  expect_equal(tab$A[1], "30 (50.0%)")
  expect_equal(tab$B[3], "15 (37.5%)")
  expect_equal(tab$`All episodes`[2], "35 (35.0%)")
  expect_equal(tab$A[5], "60")
  # the default label is a plain-words heading
  expect_equal(names(class_crosstab(transform(ep, age_group = "0-4"), "class", "age_group"))[1], "Age")
})

test_that("class_crosstab suppresses small counts and any cell a total would reveal", {
  ep <- data.frame(class = rep(c("A", "B", "C"), c(50, 50, 50)),
                   v = c(rep("x", 47), rep("y", 3), rep("x", 30), rep("y", 20),
                         rep("x", 25), rep("y", 25)))
  tab <- class_crosstab(ep, "class", "v")
  s <- attr(tab, "suppressed")
  expect_true(s["y", "A"])
  expect_equal(tab$A[2], "c")
  # A's column total (50) is published, so x in A must be hidden too, and
  # another class in row y (row total published)
  expect_true(s["x", "A"])
  expect_gte(sum(s["y", c("A", "B", "C")]), 2)
  cnt <- attr(tab, "counts")
  shown <- cnt[!is.na(cnt)]
  expect_true(all(shown == 0 | shown >= 10))
  # no hidden cell can be recovered: every row and column of the class
  # cells has 0 or at least 2 hidden cells
  body <- s[1:2, 1:3]
  expect_true(all(rowSums(body) != 1))
  expect_true(all(colSums(body) != 1))
  # threshold 0: nothing hidden
  expect_false(any(attr(class_crosstab(ep, "class", "v", threshold = 0), "suppressed")))
})

test_that("a small total is suppressed together with a complement", {
  ep <- data.frame(class = rep(c("A", "B", "C"), c(5, 40, 40)), v = "x")
  tab <- class_crosstab(ep, "class", "v")
  s <- attr(tab, "suppressed")
  expect_true(s["All episodes", "A"])
  expect_equal(sum(s["All episodes", c("A", "B", "C")]), 2)
  expect_false(s["All episodes", "All episodes"])
})

test_that("episode_threshold takes the highest flag, or the threshold column", {
  ep <- data.frame(not_in_need = c(1, 0, 0, 0, 0, NA), cin_plan = c(0, 0, 1, 1, 0, NA),
                   s47 = c(0, 0, 0, 1, 1, NA), icpc = c(0, 0, 0, 0, 1, NA),
                   cp_plan = c(0, 0, 0, 0, 1, NA))
  th <- episode_threshold(ep)
  expect_true(is.ordered(th))
  expect_equal(as.character(th), c("Assessed not in need", "In need, no plan", "CIN plan",
                                   "Section 47", "CP plan", NA))
  given <- data.frame(threshold = factor(c("ICPC", "CIN plan"),
                                         levels = c("Assessed not in need", "CIN plan", "Section 47", "ICPC", "CP plan")))
  expect_equal(as.character(episode_threshold(given)), c("ICPC", "CIN plan"))
  expect_error(episode_threshold(data.frame(x = 1)), class = "cscdemand_error_column")
})

test_that("class_deprivation_effect matches glm by hand", {
  set.seed(11)
  ep <- data.frame(imd_decile = sample(1:10, 600, TRUE))
  ep$class <- ifelse(runif(600) < 0.6 - 0.05 * ep$imd_decile, "Neglect", "Other")
  de <- class_deprivation_effect(ep, "class")
  m <- glm(I(class == "Neglect") ~ imd_decile, family = binomial(), data = ep)
  expect_equal(de$odds_ratio[de$class == "Neglect"], exp(unname(coef(m)[2])))
  ci <- exp(coef(m)[2] + c(-1, 1) * qnorm(0.975) * sqrt(vcov(m)[2, 2]))
  expect_equal(c(de$lower[1], de$upper[1]), unname(ci))
  expect_lt(de$odds_ratio[1], 1)
  # a class under the threshold is not modelled
  ep$class[1:5] <- "Tiny"
  de2 <- class_deprivation_effect(ep, "class")
  expect_true(is.na(de2$odds_ratio[de2$class == "Tiny"]))
})

test_that("a fully suppressed table still plots (a one-year, two-council extract)", {
  ep <- data.frame(class = rep(c("A", "B"), c(6, 5)), la = rep(c("X", "Y"), c(5, 6)))
  tab <- class_crosstab(ep, "la", "class")
  expect_true(all(attr(tab, "suppressed")[1:2, 1:2]))
  expect_s3_class(ggplot2::ggplot_build(plot(tab)), "ggplot_built")
  bg <- class_by_group(ep, "class", "la")
  expect_true(all(bg$suppressed))
  expect_s3_class(ggplot2::ggplot_build(plot(bg)), "ggplot_built")
})

test_that("a hidden class total cannot be recovered from its column", {
  # class C is small (primary) and B's total is hidden as its complement; before,
  # B's cell y was shown as "12 (31.6%)", which gives B's total back (12 / 0.316 = 38)
  cnt <- list(A = c(x = 30, y = 20, z = 25), B = c(x = 15, y = 12, z = 11),
              C = c(x = 4, y = 0, z = 0), D = c(x = 40, y = 35, z = 30))
  ep <- do.call(rbind, lapply(names(cnt), function(cl) {
    data.frame(class = cl, src = rep(names(cnt[[cl]]), cnt[[cl]]))
  }))
  tab <- class_crosstab(ep, "class", "src", threshold = 10)
  supp <- attr(tab, "suppressed")
  hidden_tot <- which(supp[nrow(supp), 1:4])
  expect_identical(colnames(supp)[hidden_tot], c("B", "C"))
  for (j in hidden_tot) {
    expect_true(all(supp[, j]))
    expect_true(all(tab[[colnames(supp)[j]]] == "c"))
  }
  # the other classes are shown in full
  expect_identical(tab$A[1], "30 (40.0%)")
})

test_that("class_crosstab keeps only rows and columns that say something", {
  ep <- data.frame(class = factor(rep(c("A", "B"), c(60, 40)), levels = c("A", "B", "Empty")),
                   v = factor(c(rep("x", 30), rep("y", 30), rep("x", 25), rep("y", 15)),
                              levels = c("x", "y", "z", "Not known")))
  tab <- class_crosstab(ep, "class", "v")
  # no all-zero level ("z", "Not known 0") and no empty class column
  expect_equal(tab[[1]], c("x", "y", "All episodes"))
  expect_equal(names(tab), c("v", "A", "B", "All episodes"))
  expect_null(attr(tab, "sentence"))
  expect_null(attr(tab, "note"))
  # Missing kept whenever it is not zero
  ep$v[1:12] <- NA
  expect_true("Missing" %in% class_crosstab(ep, "class", "v")[[1]])
  # one level only: the table becomes a sentence
  one <- class_crosstab(transform(ep, d = "Not disabled"), "class", "d", label = "Disability")
  expect_equal(attr(one, "sentence"),
               "Every one of the 100 episodes has the same disability: Not disabled.")
  small <- class_crosstab(ep[1:6, ], "class", "v", label = "Source")
  expect_equal(attr(small, "sentence"),
               "Every one of fewer than 10 episodes has the same source: Missing.")
})

test_that("small residual rows are merged before suppressing, and a large row keeps its cells", {
  # Gender by 7 categories as in the bundled Sunderland data: Unknown is
  # small in most categories; Other adds a few more.
  cnt <- rbind(Female = c(515, 351, 687, 956, 711, 579, 576),
               Male = c(496, 336, 1108, 1068, 713, 522, 638),
               Unknown = c(11, 2, 8, 11, 4, 7, 3))
  ep <- episodes_from_counts(cnt)
  ep0 <- ep
  tab <- class_crosstab(ep, "class", "g", label = "Gender")
  # Unknown (46 episodes, 1% of Female) is small in most categories: hiding
  # it there would hide cells of Female and Male, so it is counted with the
  # smallest known level, of which it is a small part, before any cell is
  # suppressed (one rule: issue 23, reader 10); the note says so
  expect_equal(tab$Gender, c("Female or unknown", "Male", "All episodes"))
  expect_false(any(attr(tab, "suppressed")))
  expect_equal(unname(attr(tab, "counts")["Female or unknown", 1:7]), unname(cnt["Female", ] + cnt["Unknown", ]))
  expect_match(attr(tab, "note"), "^Unknown \\(46 episodes\\) is counted with female \\(\u201cFemale or unknown\u201d\\): it has fewer than 10 episodes in some categories")
  expect_equal(review_suppressed_rows(list(as.matrix(rbind(names(tab), as.matrix(tab))))), review_problems())
  # the engine alone (no merging) spreads the complements: safe, no row mostly hidden
  body <- cbind(cnt, rowSums(cnt))
  s <- suppress_matrix(body, 10)$suppressed
  expect_safe_suppression(body, s, 10)
  expect_true(all(rowSums(s[1:2, 1:7]) <= 4))
  # Other and Unknown (and Missing) become one row, and the table says so
  ep$g[ep$g == "Unknown"][1:5] <- "Other"
  ep$g[ep$g == "Unknown"][1:3] <- NA
  tab2 <- class_crosstab(ep, "class", "g", label = "Gender")
  # merged, they are still small in most categories: shown in the total only
  expect_equal(tab2$Gender, c("Female", "Male", "Other, unknown or missing (not shown by category)", "All episodes"))
  expect_equal(attr(tab2, "counts")[1, "All episodes"], sum(cnt["Female", ]))
  expect_match(attr(tab2, "note"), "^Other, unknown and missing are merged into one row")
  expect_match(attr(tab2, "note"), "Other, unknown or missing \\(46 episodes\\) is not shown by category")
  expect_no_match(attr(tab2, "note"), "kept as a row of its own")
  # with a catch-all row ("Indeterminate"), a costly small Unknown is counted with it
  ep3 <- rbind(ep0, data.frame(g = "Indeterminate", class = rep(paste("Class", 1:7), each = 12)))
  tab3 <- class_crosstab(ep3, "class", "g", label = "Gender")
  expect_equal(tab3$Gender, c("Female", "Indeterminate or unknown", "Male", "All episodes"))
  expect_match(attr(tab3, "note"), "Unknown \\(46 episodes\\) is counted with indeterminate")
  # residual rows without a small count keep their own rows
  big <- rbind(ep0, data.frame(g = rep(c("Other", "Unknown"), each = 70),
                              class = rep(paste("Class", 1:7), 20)))
  expect_true(all(c("Other", "Unknown") %in% class_crosstab(big, "class", "g")$g))
  # a large "Other" (a group of its own) stays apart when a small "Unknown"
  # can be merged with "Missing" into a row of at least the threshold
  mix <- rbind(big, data.frame(g = NA, class = rep("Class 1", 5)),
               data.frame(g = "Unknown", class = rep("Class 2", 6)))
  mix <- mix[!(mix$g %in% "Unknown") | seq_len(nrow(mix)) > nrow(mix) - 6, ]
  t3 <- class_crosstab(mix, "class", "g")
  expect_equal(t3$g, c("Female", "Male", "Other", "Unknown or missing", "All episodes"))
  # merged, still under the threshold in all (2 episodes): a printed total of
  # 2 would bound each hidden cell to 0..2, so the row joins "Other"
  mix2 <- rbind(big, data.frame(g = NA, class = "Class 1"), data.frame(g = "Unknown", class = "Class 2"))
  mix2 <- mix2[!(mix2$g %in% "Unknown") | seq_len(nrow(mix2)) == nrow(mix2), ]
  t4 <- class_crosstab(mix2, "class", "g")
  expect_equal(t4$g, c("Female", "Male", "Other, unknown or missing", "All episodes"))
  expect_match(attr(t4, "note"), "Unknown or missing is counted with other")
})

test_that("a row whose own total is under the threshold is merged with a neighbour, never printed", {
  # An "Indeterminate" gender with 5 episodes: its printed total (5) bounds
  # each of its cells to 0..5 however many others are hidden, and hiding it
  # took most of Male. It is counted with its smaller neighbour instead.
  cnt <- rbind(Female = c(101, 69, 66), Indeterminate = c(2, 3, 0), Male = c(97, 78, 54))
  colnames(cnt) <- paste("Class", 1:3)
  ep <- episodes_from_counts(cnt)
  tab <- class_crosstab(ep, "class", "g", label = "Gender")
  expect_equal(tab$Gender, c("Female", "Male or indeterminate", "All episodes"))
  expect_false(any(attr(tab, "suppressed")))
  expect_match(attr(tab, "note"), "^Indeterminate is counted with male .*fewer than 10 episodes")
  # no printed row total under the threshold, in any table built this way
  tot <- attr(tab, "counts")[-nrow(tab), "All episodes"]
  expect_true(all(is.na(tot) | tot >= 10))
  # an ordered characteristic: the small band joins its smaller adjacent band
  age <- rbind(Unborn = c(3, 2, 1), `Under 1` = c(40, 30, 20), `1-4` = c(90, 80, 70),
               `5-9` = c(60, 50, 40))
  colnames(age) <- paste("Class", 1:3)
  ep2 <- episodes_from_counts(age)
  ep2$g <- factor(ep2$g, levels = rownames(age))
  t2 <- class_crosstab(ep2, "class", "g", label = "Age")
  expect_equal(t2$Age, c("Under 1 or unborn", "1-4", "5-9", "All episodes"))
  # a lone small residual row (no other residual to join) goes with the smallest known level
  ep3 <- episodes_from_counts(rbind(Female = c(101, 69, 66), Male = c(97, 78, 54),
                                    Unknown = c(2, 3, 0)))
  t3 <- class_crosstab(ep3, "class", "g", label = "Gender")
  expect_equal(t3$Gender, c("Female", "Male or unknown", "All episodes"))
  # the profile's rows are merged the same way
  p <- class_profile(ep, "class", vars = "g")
  expect_false("Indeterminate" %in% p$level)
})

test_that("focus = prints one council's counts beside the other councils pooled, as percentages", {
  set.seed(21)
  n <- 2400
  ep <- data.frame(council = sample(c("Ashby", "Brill", "Cole"), n, TRUE, prob = c(.5, .3, .2)))
  post <- matrix(rgamma(n * 4, 2), n)
  post[, 4] <- post[, 4] / 40
  post <- post / rowSums(post)
  colnames(post) <- c("Neglect", "Domestic abuse", "Health", "Rare")
  full <- class_crosstab(ep, class = "council", posterior = post)
  f <- class_crosstab(ep, class = "council", posterior = post, focus = "Brill", others = "Others (%)")
  expect_equal(names(f), c("Category", "Brill", "Others (%)"))
  expect_false(any(c("Ashby", "Cole") %in% unlist(f)))
  expect_false("All episodes" %in% names(f))
  # the council's counts: its expected counts, rounded (an independent sum)
  own <- round(colSums(post[ep$council == "Brill", ]))
  cnt <- attr(f, "counts")
  shown <- !is.na(cnt[names(own), "Brill"])
  expect_equal(cnt[names(own), "Brill"][shown], own[shown])
  expect_equal(f$Brill[f$Category == "Neglect"],
               sprintf("%s (%.1f%%)", format(own[["Neglect"]], big.mark = ","),
                       100 * own[["Neglect"]] / sum(ep$council == "Brill")))
  # the others: percentages of their pooled episodes, no counts
  oth <- round(colSums(post[ep$council != "Brill", ]))
  pct <- sprintf("%.1f%%", 100 * oth / sum(ep$council != "Brill"))
  vis <- f$`Others (%)`[match(names(oth), f$Category)] != "c"
  expect_equal(f$`Others (%)`[match(names(oth), f$Category)][vis], pct[vis])
  expect_true(all(is.na(cnt[, "Others (%)"])))
  # small pooled counts are suppressed like any other
  expect_true(oth[["Rare"]] < 10 || own[["Rare"]] < 10)
  expect_equal(f$`Others (%)`[f$Category == "Rare"], "c")
  expect_error(class_crosstab(ep, class = "council", posterior = post, focus = "Dent"),
               class = "cscdemand_error_column")
})

test_that("a yes/no measure whose rarer answer is small in several categories keeps its large row", {
  # 7 categories, hard assignment as posterior; "Later" under 10 in four of them
  n_cat <- c(200, 180, 150, 120, 90, 60, 40)
  later <- c(40, 30, 25, 4, 3, 6, 2)
  cls <- rep(seq_along(n_cat), n_cat)
  v <- unlist(lapply(seq_along(n_cat), function(k) rep(c("Later", "Within"), c(later[k], n_cat[k] - later[k]))))
  post <- diag(7)[cls, ]
  colnames(post) <- paste("Category", LETTERS[1:7])
  ep <- data.frame(timely = v)
  t <- class_crosstab(ep, var = "timely", posterior = post, label = "Conference held")
  cnt <- attr(t, "counts")
  # the four sparse categories are counted together; the large row is shown whole
  expect_equal(colnames(cnt), c(paste("Category", LETTERS[1:3]), "Other categories", "All episodes"))
  expect_equal(unname(cnt["Within", "Other categories"]), sum(n_cat[4:7] - later[4:7]))
  expect_equal(unname(cnt["Later", "Other categories"]), sum(later[4:7]))
  expect_false(any(attr(t, "suppressed")["Within", ]))
  expect_match(attr(t, "note"), "Category D, Category E, Category F and Category G are counted together")
  # nothing under the threshold is printed
  shown <- cnt[!is.na(cnt)]
  expect_false(any(shown > 0 & shown < 10))
  # with the old rule (no merging) most of the Within row was hidden
  old <- crosstab_publish(rowsum(post, factor(v)), "Conference held", 10, character(), "proportional")
  expect_gt(sum(attr(old, "suppressed")["Within", ]), 3)
  # a table with a single sparse category is left as it is
  later2 <- c(40, 30, 25, 20, 30, 6, 20)
  v2 <- unlist(lapply(seq_along(n_cat), function(k) rep(c("Later", "Within"), c(later2[k], n_cat[k] - later2[k]))))
  t2 <- class_crosstab(data.frame(timely = v2), var = "timely", posterior = post)
  expect_false("Other categories" %in% names(t2))
})

test_that("a merged residual row has the same name in the profile and in the tables", {
  # "Other" sorts after "Not known" in one table and before it in another:
  # the merged row is "Other or not known" in both
  set.seed(3)
  ep <- data.frame(class = sample(c("A", "B", "C"), 900, TRUE),
                   eth = sample(c("Asian", "White", "Other", "Not known"), 900, TRUE,
                                prob = c(.3, .64, .03, .03)))
  ct <- class_crosstab(ep, "class", "eth")
  pr <- class_profile(ep, "class", vars = "eth")
  expect_true("Other or not known" %in% ct$eth)
  expect_true("Other or not known" %in% pr$level)
  expect_equal(residual_label(c("Unknown", "Other", "Missing")), "Other, unknown or missing")
  expect_equal(residual_label(c("Missing", "Female")), "Female or missing")
})

test_that("a not-known row shown only in the total cannot be narrowed below the threshold by the known percentages", {
  # 1 and 6 known episodes print 14.3% and 85.7%: with a category total of 20
  # and 15 not known in all, the known episodes are 7 or 14, so its not-known
  # episodes 13 or 6: a range of 7, under the threshold
  expect_equal(unknown_feasible(c(14.3, 85.7), 20, 15), c(6, 13))
  expect_equal(unknown_feasible(c(NA, NA), 20, 15), 0:15)
  # percentages of a large known count pin nothing
  expect_gte(diff(range(unknown_feasible(c(40.4, 59.6), 520, 20))), 10)
  # in a table: category C (20 female, 37 male, 3 not known) would print
  # 35.1% and 64.9% of its 57 known episodes; with its total of 60 and 12 not
  # known in all, only 57 known fits, so its 3 not known would come back
  # (one of A's not known is "Other": "Other or unknown", a row holding a
  # group of its own, is never counted with Female, so it is shown in the
  # total column only)
  n <- c(300, 310, 2, 1, 280, 290, 4, 0, 20, 37, 3, 0, 150, 160, 2, 0)
  v <- rep(rep(c("Female", "Male", "Unknown", "Other"), 4), n)
  cl <- rep(rep(c("A", "B", "C", "D"), each = 4), n)
  post <- indicator_matrix(factor(cl))
  colnames(post) <- c("A", "B", "C", "D")
  ct <- class_crosstab(data.frame(v = v), var = "v", posterior = post)
  expect_equal(attr(ct, "residual_total"), "Other or unknown")
  expect_equal(unknown_feasible(c(35.1, 64.9), 60, 12), 3)
  expect_equal(ct$C[1:2], c("c", "c"))
  expect_true(all(attr(ct, "suppressed")[c("Female", "Male"), "C"]))
  sizes <- tapply(n, rep(c("A", "B", "C", "D"), each = 4), sum)
  for (k in c("A", "B", "C", "D")) {
    pct <- suppressWarnings(as.numeric(sub("%$", "", ct[[k]][1:2])))
    can <- unknown_feasible(pct, sizes[[k]], 12)
    expect_gte(max(can) - min(can), 10)
  }
})

test_that("a merged row that still hides cells is said in one sentence, never 'merged' and then 'kept as a row of its own' (reader 9, R5)", {
  kept <- "Other or unknown is kept as a row of its own, not counted with another referral source: its small numbers are suppressed with some cells of the other rows, so they cannot be worked out."
  n1 <- crosstab_note(c("Other", "Unknown"), c(kept, "Health: GP and Health: A&E are counted together as \u201cHealth\u201d."),
                      still_hides = TRUE)
  expect_no_match(n1, "kept as a row of its own", fixed = TRUE)
  expect_match(n1, "^Other and unknown are merged into one row \\(\u201cOther or unknown\u201d\\), so that fewer cells of the other rows are hidden with their small numbers: some still are")
  expect_match(n1, "counted together as \u201cHealth\u201d.", fixed = TRUE)
  # on tables: a note that says a row was merged never says a row was kept apart
  seen <- 0
  for (note in ethnic_crosstab_notes()) {
    if (grepl("merged into one row", note, fixed = TRUE)) {
      expect_no_match(note, "kept as a row of its own", fixed = TRUE)
      seen <- seen + grepl("some still are", note, fixed = TRUE)
    }
  }
  expect_gt(seen, 0)
})

test_that("a category's total prints one value whether the categories are the columns or the rows (reader 9, R2)", {
  # three categories of 33.4, 33.4 and 33.2 expected episodes: plain rounding
  # gives 33 each (99 of 100), the tables of categories as columns 34, 33, 33
  n <- 100
  ep <- data.frame(v = rep(c("a", "b"), each = 50), g = rep(c("x", "y"), 50))
  post <- matrix(c(0.334, 0.334, 0.332), n, 3, byrow = TRUE, dimnames = list(NULL, c("A", "B", "C")))
  by_var <- class_crosstab(ep, var = "v", posterior = post, threshold = 0)
  by_class <- class_crosstab(ep, class = "g", posterior = post, threshold = 0, label = "Category")
  cols <- attr(by_var, "printed")["All episodes", c("A", "B", "C")]
  rows <- attr(by_class, "printed")[c("A", "B", "C"), "All episodes"]
  expect_equal(unname(cols), c(34, 33, 33))
  expect_equal(unname(rows), unname(cols))
})

test_that("a table's rows are in the same order whether a column came as text (data frame) or as the reader's factor (XML) (reader 9, S6)", {
  set.seed(3)
  n <- 400
  eth <- sample(c("White", "Mixed", "Asian", "Black", "Other"), n, TRUE)
  cp <- sample(c("Neglect", "Physical abuse", "Sexual abuse", "Emotional abuse", "Multiple"), n, TRUE)
  post <- matrix(stats::rexp(n * 3), n, 3, dimnames = list(NULL, c("A", "B", "C")))
  post <- post / rowSums(post)
  for (v in list(list(eth, cin_ethnic_groups()), list(cp, cin_cp_categories()))) {
    as_text <- class_crosstab(data.frame(x = v[[1]]), var = "x", posterior = post, threshold = 0)
    as_factor <- class_crosstab(data.frame(x = factor(v[[1]], levels = v[[2]])), var = "x", posterior = post, threshold = 0)
    expect_identical(as_text[[1]], as_factor[[1]])
    expect_identical(as_text[[1]][-nrow(as_text)], intersect(v[[2]], v[[1]]))
  }
})

test_that("a small not-known row goes one way whatever the number of categories, and no cell of hundreds is hidden for it (issue 23, reader 10)", {
  # Nottingham-shaped gender counts (reader 10, Table 10): six categories,
  # Unknown 35 episodes, under 10 in five of them. The old rule kept it as a
  # row and hid Female in three categories and Male in three (cells of
  # 280-790: three of six is not "most"), while the same data with seven
  # categories showed Unknown in the total only: two routes for one case
  cnt6 <- rbind(Female = c(778, 719, 547, 371, 306, 311),
                Male = c(837, 739, 706, 303, 353, 283),
                Unknown = c(12, 7, 8, 4, 1, 3))
  cnt7 <- cbind(cnt6, c(290, 310, 5))
  for (cnt in list(cnt6, cnt7)) {
    K <- ncol(cnt)
    post <- indicator_matrix(factor(rep(rep(seq_len(K), each = 3), as.vector(cnt)), levels = seq_len(K)))
    colnames(post) <- paste("Category", seq_len(K))
    g <- rep(rep(rownames(cnt), K), as.vector(cnt))
    tab <- class_crosstab(data.frame(gender = g), var = "gender", posterior = post)
    p <- attr(tab, "printed")
    s <- attr(tab, "suppressed")
    # one route: counted with Female before suppressing, the note says so
    expect_equal(tab$Gender, c("Female or unknown", "Male", "All episodes"))
    expect_null(attr(tab, "residual_total"))
    expect_match(attr(tab, "note"), paste0("^Unknown \\(", sum(cnt["Unknown", ]), " episodes\\) is counted with female"))
    # no cell of 100 or more is hidden: nothing is
    expect_false(any(s & p >= 100))
    expect_false(any(s))
    # the unknown episodes of a category cannot be worked out: a reader
    # knows Female or unknown by category and the unknown in all (the
    # note), so each category's unknown count is anywhere from 0 to that
    expect_equal(unname(p["Female or unknown", seq_len(K)]), unname(cnt["Female", ] + cnt["Unknown", ]))
    expect_gte(min(sum(cnt["Unknown", ]), p["Female or unknown", seq_len(K)]), 10)
    # the profile compares the same rows, and shows every ratio
    prof <- class_profile(data.frame(gender = g), vars = "gender", posterior = post)
    expect_equal(unique(prof$level), c("Female or unknown", "Male"))
    expect_false(any(prof$suppressed))
  }
  # a not-known row too large a part of every known level (over a twentieth)
  # is not counted with one: with no catch-all row either, it stays a row
  # (its complements the cells that lose least) or, if a large row would
  # still be mostly hidden, is shown in the total column only
  big <- rbind(Female = c(78, 72, 55, 37, 31, 31), Male = c(84, 74, 71, 30, 35, 28),
               Unknown = c(12, 7, 8, 4, 1, 3))
  post <- indicator_matrix(factor(rep(rep(1:6, each = 3), as.vector(big)), levels = 1:6))
  colnames(post) <- paste("Category", 1:6)
  tb <- class_crosstab(data.frame(g = rep(rep(rownames(big), 6), as.vector(big))), var = "g", posterior = post)
  expect_false("Female or unknown" %in% tb$g)
})

test_that("a complement is not a cell of 42 beside a small row of 39: a small row mostly hidden loses less (reader 10, Table 17)", {
  # Nottingham's category of abuse by category (reader 10, Table 17): to
  # protect Sexual abuse x Multiple complex needs (7), the old engine hid
  # Emotional abuse x Multiple complex needs (42, worked out to be 38-53)
  # rather than Physical abuse x Multiple complex needs (13), because that
  # left the row of Physical abuse (88 episodes) mostly hidden: the row
  # counted as large with its totals column added in (176). Rows are large
  # from ten times the threshold, counted without their totals
  cnt <- rbind(Neglect = c(143, 48, 41, 15, 16, 89), `Physical abuse` = c(24, 9, 10, 5, 27, 13),
               `Sexual abuse` = c(7, 4, 3, 4, 14, 7), `Emotional abuse` = c(45, 75, 17, 13, 12, 42),
               Multiple = c(20, 14, 10, 1, 3, 29))
  colnames(cnt) <- c("Neglect", "Domestic abuse", "Disability", "Harm outside the home", "Physical abuse",
                     "Multiple complex needs")
  post <- indicator_matrix(factor(rep(rep(colnames(cnt), each = 5), as.vector(cnt)), levels = colnames(cnt)))
  colnames(post) <- colnames(cnt)
  v <- rep(rep(rownames(cnt), 6), as.vector(cnt))
  tab <- class_crosstab(data.frame(v = v), var = "v", posterior = post, label = "Category of abuse")
  s <- attr(tab, "suppressed")[rownames(cnt), colnames(cnt)]
  expect_false(s["Emotional abuse", "Multiple complex needs"])
  prim <- cnt > 0 & cnt < 10
  expect_true(all(s[prim]))
  # less hidden than the old 84 episodes of complements
  expect_lt(sum(cnt[s & !prim]), 84)
  # every small cell keeps an attacker's range (linear programming) at least 10 wide
  r <- lp_ranges(cnt, s)
  expect_true(all((r[, 2] - r[, 1])[prim] >= 10 - 1e-6))
  # and the table says why cells are hidden
  expect_match(attr(tab, "note"), "Cells shown as \u201cc\u201d are suppressed: each holds fewer than 10 episodes",
               fixed = TRUE)
})

test_that("every table that hides cells says why under it (reader 10: a table hid 11 of 30 cells with no note)", {
  set.seed(8)
  seen <- c(hid = 0, none = 0)
  for (i in 1:25) {
    n <- 400
    v <- sample(c("a", "b", "c", "d"), n, TRUE, prob = c(.6, .3, .07, .03))
    post <- matrix(stats::rexp(n * 4), n, 4, dimnames = list(NULL, paste("Category", 1:4)))
    post <- post / rowSums(post)
    tab <- class_crosstab(data.frame(v = v), var = "v", posterior = post)
    note <- paste(attr(tab, "note"), collapse = " ")
    if (any(attr(tab, "suppressed"))) {
      seen["hid"] <- seen["hid"] + 1
      expect_match(note, "Cells shown as \u201cc\u201d are suppressed", fixed = TRUE)
    } else {
      seen["none"] <- seen["none"] + 1
      expect_no_match(note, "Cells shown as", fixed = TRUE)
    }
  }
  expect_gt(seen[["hid"]], 0)
  # a cell shown again (pathway_tables()) that leaves nothing hidden takes the sentence away
  cnt <- rbind(a = c(50, 40), b = c(5, 30))
  tab <- class_crosstab(episodes_from_counts(cnt), "class", "g")
  expect_true(any(attr(tab, "suppressed")))
  for (k in which(attr(tab, "suppressed"))) {
    p <- attr(tab, "printed")
    tab <- crosstab_unhide(tab, rownames(p)[row(p)[k]], colnames(p)[col(p)[k]])
  }
  expect_no_match(paste(attr(tab, "note"), collapse = " "), "Cells shown as", fixed = TRUE)
})
