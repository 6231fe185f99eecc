test_that("the trend plot draws the council and its comparators, leaving gaps for withheld values", {
  x <- council_context("Warwickshire", years = 2021:2025, measures = c("referrals", "rereferrals"))
  p <- plot_council_trend(x)
  expect_s3_class(p, "ggplot")
  b <- ggplot2::ggplot_build(p)
  expect_equal(sum(!is.na(b$data[[1]]$y)), sum(!is.na(x$value)))
  expect_setequal(levels(p$data$series), c("Warwickshire", "West Midlands",
                                           "Statistical neighbours", "England"))
  expect_equal(length(unique(p$data$panel)), 2)
  p1 <- plot_council_trend(x, measures = "referrals")
  expect_equal(length(unique(p1$data$panel)), 1)
  expect_error(plot_council_trend(x, measures = "cpp_started"), class = "cscdemand_error_measure")
  expect_error(plot_council_trend(data.frame()), class = "cscdemand_error_context")
})

test_that("a line breaks at a withheld year, and the caption says where and why (reader 10, Kingston Figure 1)", {
  # Kingston's share of referrals ending in no further action: DfE "c" in
  # 2019-20, 2021-22 and 2023-24; the line ran unbroken through those years
  x <- council_context("Kingston upon Thames", years = 2019:2025, measures = c("referrals_nfa", "referrals"),
                       verbose = FALSE)
  own <- x[x$comparator == "Council" & x$measure == "referrals_nfa", ]
  withheld <- own$year[is.na(own$value)]
  expect_true(2024 %in% withheld)
  panel_line <- function(p, measure_label, colour) {
    b <- ggplot2::ggplot_build(p)
    lay <- b$layout$layout
    k <- lay$PANEL[startsWith(as.character(lay$panel), measure_label)]
    d <- b$data[[1]]
    d[d$PANEL == k & d$colour == colour, ]
  }
  p <- plot_council_trend(x)
  red <- panel_line(p, "Referrals ending", "#B2182B")
  # the plotted line holds the withheld years as NA (a break), not skipped
  expect_setequal(red$x[is.na(red$y)], withheld)
  expect_equal(sort(red$x), sort(own$year))
  # a year with no row at all inside a line's span breaks it too
  y <- x[!(x$comparator == "England" & x$measure == "referrals" & x$year == 2022), ]
  g <- context_trend_gaps(y)
  expect_true(any(g$comparator == "England" & g$year == 2022))
  eng <- panel_line(plot_council_trend(y), "Referrals (", "grey35")
  expect_true(is.na(eng$y[eng$x == 2022]))
  # the caption names the measure and the years where the council's line breaks
  cap <- context_gap_caption(x)
  expect_match(cap, "no further action breaks at 2019-20, 2021-22 and 2023-24", fixed = TRUE)
  expect_match(cap, "\"c\"")
  expect_identical(context_gap_caption(x, "referrals"), "")
})

test_that("the ranked dot chart ranks every council and highlights the council", {
  r <- context_rank("referrals", 2025, la = "Warwickshire")
  ref <- context_published[context_published$level == "Local authority" &
                             context_published$year == 2025 &
                             context_published$measure == "referrals", ]
  expect_equal(nrow(r), nrow(ref))
  expect_equal(r$rank[r$name == "Warwickshire"],
               sum(ref$rate_10k > ref$rate_10k[ref$la_number == 937], na.rm = TRUE) + 1)
  expect_equal(sum(r$highlight == "Council"), 1)
  expect_equal(sum(r$highlight == "Statistical neighbour"), 10)
  expect_rounded(attr(r, "england"), 632830 / 12183016 * 1e4)
  expect_true(all(diff(r$value[!is.na(r$value)]) <= 0))
  p <- plot_council_rank("referrals", 2025, la = "Warwickshire")
  expect_s3_class(p, "ggplot")
  expect_silent(ggplot2::ggplot_build(p))
  # Latest year by default; percentage measures rank the percentage.
  r2 <- context_rank("rereferrals")
  expect_equal(attr(r2, "year"), 2025L)
  expect_error(context_rank(c("referrals", "rereferrals")), class = "cscdemand_error_measure")
  expect_error(context_rank("factors"), class = "cscdemand_error_measure")
  expect_warning(context_rank("referrals", 2025, la = "Cumbria"), class = "cscdemand_warning_context")
})

test_that("the factor profile shows each factor's percentage for the council and comparators", {
  x <- council_context("Warwickshire", years = 2024:2025, measures = c("factors", "referrals"))
  p <- plot_council_profile(x)
  expect_s3_class(p, "ggplot")
  d <- p$data
  expect_true(all(d$year == 2025))
  expect_false("referrals" %in% d$measure)
  own <- d[d$comparator == "Council", ]
  # Ordered by the council's percentage, highest at the top.
  expect_equal(levels(d$label)[nlevels(d$label)], as.character(own$label[which.max(own$value)]))
  fac <- context_factors[context_factors$la_number %in% 937 & context_factors$year == 2025, ]
  expect_equal(own$value[own$measure == "4B"], fac$percent[fac$measure == "4B"])
  expect_silent(ggplot2::ggplot_build(p))
  p5 <- plot_council_profile(x, year = 2024, top = 5)
  expect_equal(nlevels(p5$data$label), 5)
  expect_true(all(p5$data$year == 2024))
  expect_error(plot_council_profile(x, year = 2019), class = "cscdemand_error_years")
  expect_error(plot_council_profile(council_context(937, years = 2025, measures = "referrals")),
               class = "cscdemand_error_measure")
})
