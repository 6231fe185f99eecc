# Repeat plans, plan lengths, conference timeliness and pre-proceedings by
# category: closed-form fixtures, suppression, and the report.

pathway_fixture <- function() {
  # 2 classes x 40 episodes; in class A 20 CP plans (5 repeats), in B 30 (12)
  cls <- rep(c("A", "B"), each = 40)
  repeat_cp <- c(rep(1L, 5), rep(0L, 15), rep(NA, 20), rep(1L, 12), rep(0L, 18), rep(NA, 10))
  days <- c(rep(c(30, 91, 200, 400, 800), 4), rep(NA, 20), rep(c(90, 181, 364, 729, 730), 6), rep(NA, 10))
  data.frame(class = cls, cin = 1L, cp_plan = as.integer(!is.na(repeat_cp)), looked_after = 0L,
             repeat_cp_plan = repeat_cp, cp_plan_days = days, stringsAsFactors = FALSE)
}

test_that("pathway_measures(): bands and bases as defined, nothing the data do not hold", {
  ep <- pathway_fixture()
  pm <- pathway_measures(ep)
  expect_identical(names(pm), c("cp_plan_repeat", "cp_plan_length"))
  expect_equal(as.vector(table(pm$cp_plan_repeat[ep$class == "A"])), c(15, 5))
  expect_equal(sum(is.na(pm$cp_plan_repeat)), 30)
  # DfE's bands, at their edges: 90 < 3 months <= 91 days, 729 < 2 years <= 730
  expect_equal(as.vector(table(pm$cp_plan_length)), c(4 + 6, 4 + 6, 4 + 6, 4 + 6, 4 + 6))
  b <- ep$class == "B"
  expect_identical(as.character(pm$cp_plan_length[b][1:5]),
                   c("Under 3 months", "3 to under 6 months", "6 months to under 1 year",
                     "1 to under 2 years", "2 years or more"))
  expect_match(attr(pm, "titles")[["cp_plan_repeat"]], "second or subsequent")
  # a column missing for every episode says nothing
  ep$icpc_timely <- NA_integer_
  expect_false("icpc_timeliness" %in% names(pathway_measures(ep)))
  expect_identical(ncol(pathway_measures(data.frame(class = "A"))), 0L)
  ep$fgdm_held <- "yes"
  expect_error(pathway_measures(ep), class = "cscdemand_error_column")
})

test_that("class_pathways(): the measures by class, hand-computed, through suppression", {
  ep <- pathway_fixture()
  pw <- class_pathways(ep, "class", threshold = 0)
  m <- attr(pw, "measures")
  r <- m[m$measure == "cp_plan_repeat", ]
  expect_equal(r$n, c(15, 5, 18, 12))
  expect_equal(r$n_class, c(20, 20, 30, 30))
  expect_equal(r$pct, 100 * c(15, 5, 18, 12) / c(20, 20, 30, 30))
  ci <- wilson_ci(5, 20, 0.95)
  expect_equal(r$lower[2], 100 * ci$lower)
  l <- m[m$measure == "cp_plan_length", ]
  expect_equal(l$n, c(4, 4, 4, 4, 4, 6, 6, 6, 6, 6))
  # published (threshold 10): class A's repeats (5) are suppressed, and so is
  # its complement (15 = 20 - 5 would give it back)
  pub <- attr(class_pathways(ep, "class"), "measures")
  rp <- pub[pub$measure == "cp_plan_repeat", ]
  expect_true(all(rp$suppressed[rp$class == "A"]))
  expect_true(all(is.na(rp$n[rp$class == "A"])))
  ln <- pub[pub$measure == "cp_plan_length", ]
  expect_true(all(ln$suppressed))  # every count is under 10
  shown <- pub$n[!pub$suppressed]
  expect_true(all(shown == 0 | shown >= 10))
  # the main table is as before, and measures = FALSE leaves them out
  expect_null(attr(class_pathways(ep, "class", measures = FALSE), "measures"))
  plain <- function(x) { attr(x, "measures") <- NULL; x }
  expect_identical(plain(pw), class_pathways(ep, "class", threshold = 0, measures = FALSE))
  expect_null(attr(class_pathways(ep[c("class", "cin", "cp_plan", "looked_after")], "class"), "measures"))
})

test_that("the measures of simulated 2026-27 returns: pre-proceedings and FGDM", {
  d <- simulate_cin(years = 2026:2027, n_episodes = 1500, seed = 21, layout = "codes")
  ep <- episode_factors(read_cin_assessments(d), exclude = NULL, min_count = 0,
                        no_factors = "keep", other_only = "keep")
  pm <- pathway_measures(ep)
  expect_true(all(c("pre_proceedings", "fgdm_offered", "fgdm_held", "court_application") %in% names(pm)))
  expect_equal(sum(pm$pre_proceedings == "Pre-proceedings", na.rm = TRUE),
               sum(ep$pre_proceedings == 1, na.rm = TRUE))
  # FGDM counts only episodes in pre-proceedings
  expect_true(all(is.na(pm$fgdm_offered[!ep$pre_proceedings %in% 1L])))
  pw <- class_pathways(transform(ep, cin = cin_plan), "true_class")
  expect_true("pre_proceedings" %in% attr(pw, "measures")$measure)
})

test_that("plan-length bands too small at either end are merged with their neighbour", {
  # 3 categories; the last band ("1 to under 2 years") holds 3 episodes in
  # category b: merged into "6 months or more"; the first band is large.
  days <- c(rep(30, 60), rep(120, 60), rep(200, 60), rep(400, 23), rep(800, 0))
  cls <- factor(c(rep(c("a", "b", "c"), 20), rep(c("a", "b", "c"), 20), rep(c("a", "b", "c"), 20),
                  rep("a", 10), rep("b", 3), rep("c", 10)))
  lv <- c("Under 3 months", "3 to under 6 months", "6 months to under 1 year",
          "1 to under 2 years", "2 years or more")
  v <- factor(lv[findInterval(days, c(0, 91, 182, 365, 730))], levels = lv)
  lower <- c("", "3 months", "6 months", "1 year", "2 years")
  m <- merge_sparse_bands(v, cls, 10, lower)
  expect_equal(levels(m), c("Under 3 months", "3 to under 6 months", "6 months or more"))
  expect_equal(as.vector(table(m)), c(60, 60, 83))
  # nothing small: unchanged (empty end bands only are dropped)
  m2 <- merge_sparse_bands(v[days < 300], cls[days < 300], 10, lower)
  expect_equal(levels(m2), lv[1:3])
  # a small first band merges upwards
  d3 <- c(rep(30, 5), rep(120, 60), rep(200, 60), rep(400, 60))
  c3 <- factor(rep(c("a", "b", "c"), length.out = length(d3)))
  v3 <- factor(lv[findInterval(d3, c(0, 91, 182, 365, 730))], levels = lv)
  m3 <- merge_sparse_bands(v3, c3, 10, lower)
  expect_equal(levels(m3), c("Under 6 months", "6 months to under 1 year", "1 to under 2 years"))
  expect_equal(sum(m3 == "Under 6 months"), 65)
})

test_that("pathway_measures(class = ) merges sparse plan-length bands and checks the column", {
  ep <- data.frame(cp_plan_days = c(rep(30, 40), rep(120, 40), rep(400, 4)),
                   category = factor(c(rep(c("a", "b"), 40), rep("a", 4))))
  pm <- pathway_measures(ep, class = "category")
  expect_equal(levels(pm$cp_plan_length), c("Under 3 months", "3 months or more"))
  expect_equal(as.vector(table(pm$cp_plan_length)), c(40, 44))
  expect_equal(levels(pathway_measures(ep)$cp_plan_length)[4], "1 to under 2 years")
  expect_error(pathway_measures(ep, class = "nope"), class = "cscdemand_error_column")
})

test_that("pathway_measures(class = ) counts a small row of plans not yet ended with the longest plans", {
  # 13 plans not yet ended over 6 categories: each of their cells is hidden,
  # and the table's large rows lose most of theirs (review of Kingston upon Thames)
  cats <- paste("Category", 1:6)
  ep <- data.frame(cp_plan = 1, cp_plan_days = c(rep(rep(c(60, 300), each = 30), 6), rep(NA, 13)),
                   category = c(rep(cats, each = 60), rep(cats, length.out = 13)))
  pm <- pathway_measures(ep, class = "category")
  expect_equal(levels(pm$cp_plan_length), c("Under 3 months", "6 months to under 1 year, or not yet ended"))
  expect_equal(as.vector(table(pm$cp_plan_length)), c(180, 193))
  post <- indicator_matrix(factor(ep$category))
  colnames(post) <- cats
  merged <- class_crosstab(data.frame(v = pm$cp_plan_length), var = "v", posterior = post)
  expect_false(any(attr(merged, "suppressed")))
  # without the merge every cell of the small row is hidden, and one large row mostly
  alone <- pathway_measures(ep)
  expect_true(pathway_open_label %in% levels(alone$cp_plan_length))
  split <- class_crosstab(data.frame(v = droplevels(alone$cp_plan_length)), var = "v", posterior = post)
  s <- attr(split, "suppressed")[c("Under 3 months", "6 months to under 1 year"), cats]
  expect_true(any(rowSums(s) > length(cats) / 2))
  # enough in every category: a row of their own
  ep2 <- rbind(ep, data.frame(cp_plan = 1, cp_plan_days = NA, category = rep(cats, 10)))
  expect_true(pathway_open_label %in% levels(pathway_measures(ep2, class = "category")$cp_plan_length))
})

test_that("conference timeliness comes from the dates, not from whether the conference led to a plan", {
  # a reader saw the example's Kingston upon Thames table of timeliness with
  # "Later" 81 and "Within 15 working days" 400, the numbers of ICPC and CP
  # plan episodes: a coincidence of that council (the two off-diagonal
  # counts are both 66), not a derivation from the plan
  x <- cin_example
  ok <- !is.na(x$s47_date) & !is.na(x$icpc_date)
  timely <- as.integer(as.Date(x$icpc_date[ok]) <= cin_add_working_days(as.Date(x$s47_date[ok]), 15))
  expect_identical(as.integer(x$icpc_timely[ok]), timely)
  d <- example_council("Kingston upon Thames")$episodes
  tab <- table(d$threshold_reached, d$icpc_timely)[c("ICPC", "CP plan"), ]
  expect_true(all(tab > 0))
  expect_equal(as.vector(tab), c(15, 66, 66, 334))
  # elsewhere the margins differ, and timeliness is about as common with and without a plan
  for (council in c("Sunderland", "Leicestershire")) {
    e <- example_council(council)$episodes
    t2 <- table(e$threshold_reached, e$icpc_timely)[c("ICPC", "CP plan"), ]
    expect_false(isTRUE(all.equal(unname(rowSums(t2)), unname(colSums(t2)))))
    expect_gt(stats::chisq.test(t2)$p.value, 0.01)
  }
})
