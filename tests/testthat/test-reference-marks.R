# DfE marks in published tables (R/reference-marks.R).

test_that("every DfE mark is parsed to NA with the mark kept, never to zero", {
  p <- context_parse_marked(c("1,234", "0", "c", "[c]", "x", "z", "u", "low", "[low]", "k",
                              ":", "..", " 12 "))
  expect_equal(p$value, c(1234, 0, rep(NA, 10), 12))
  expect_equal(p$mark, c(NA, NA, "c", "c", "x", "z", "u", "low", "low", "k", ":", "..", NA))
  expect_length(p$unknown, 0)
  expect_setequal(context_marks$mark, c("c", "x", "z", "u", "low", "k", ":", ".."))
  expect_true(all(nzchar(context_marks$meaning)))

  # Unknown text is reported, not turned into NA silently.
  p <- context_parse_marked(c("12", "n/a", "c"))
  expect_equal(p$unknown, "n/a")
  expect_equal(p$mark, c(NA, NA, "c"))

  # In the shipped tables: every mark is a known mark, marked cells have no number, and
  # the marks DfE uses in these files are all there.
  for (tab in list(context_published, context_factors)) {
    marked <- !is.na(tab$count_mark)
    expect_true(all(tab$count_mark[marked] %in% context_marks$mark))
    expect_true(all(is.na(tab$count[marked])))
    expect_true(all(!is.na(tab$count[!marked])))
    expect_true(all(is.na(tab$rate_10k[marked])))
    expect_true(all(tab$rate_mark[marked] == tab$count_mark[marked]))
  }
  expect_setequal(unique(stats::na.omit(context_published$count_mark)), c("c", "u", "x"))
  expect_setequal(unique(stats::na.omit(context_factors$count_mark)), c("c", "u", "x", "z"))
  expect_setequal(unique(stats::na.omit(context_population$population_mark)), "x")
  # Missing population: the rate is withheld with the population's mark.
  bp <- context_published[context_published$la_number %in% 837 &
                            context_published$year == 2019 &
                            context_published$measure == "referrals", ]
  expect_false(is.na(bp$count))
  expect_true(is.na(bp$rate_10k))
  expect_equal(bp$rate_mark, "x")
})
