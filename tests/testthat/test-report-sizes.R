# The council's category shares as printed, and their chart (issue 23: one
# number, one value; the chart drawn by a function, not by hand in the
# template).

test_that("a printed share is its category's rounded total over the episodes (s7 reader: 12.6% against 210/1,659)", {
  # the reader's case: a share of 12.64% of 1,659 episodes, whose table total
  # rounds to 210 (12.66%, printed 12.7%)
  n <- 1659
  post <- cbind(rep(c(1, 0), c(209, n - 209)), rep(c(0, 1), c(209, n - 209)))
  post[210, ] <- c(0.7, 0.3)   # 209.7 expected episodes in the first category
  post[211, ] <- c(0, 1)
  sh <- data.frame(name = c("A", "B"), share = 100 * colMeans(post), lower = c(10, 80), upper = c(15, 90))
  expect_identical(sprintf("%.1f", sh$share[1]), "12.6")
  got <- report_shares_counted(sh, post)
  expect_equal(got$episodes, c(210, n - 210))
  expect_identical(sprintf("%.1f", got$share[1]), sprintf("%.1f", 100 * 210 / n))
  # the totals of the report's table of counts are those episodes
  ep <- data.frame(v = rep(c("x", "y"), length.out = n))
  ct <- class_crosstab(ep, var = "v", posterior = `colnames<-`(post, c("A", "B")), threshold = 10)
  tot <- attr(ct, "printed")
  expect_equal(unname(tot[nrow(tot), c("A", "B")]), got$episodes)
  # on random posteriors: printed share x episodes / 100 is a whole number
  # that adds to the episodes, and it moves the share by under half an episode
  set.seed(3)
  for (i in 1:50) {
    k <- sample(2:8, 1)
    m <- sample(30:3000, 1)
    p <- matrix(stats::rexp(m * k), m, k)
    p <- p / rowSums(p)
    s <- data.frame(name = LETTERS[1:k], share = 100 * colMeans(p), lower = NA, upper = NA)
    g <- report_shares_counted(s, p)
    expect_equal(g$share * m / 100, round(g$share * m / 100))
    expect_equal(sum(g$episodes), m)
    expect_lt(max(abs(g$share - s$share) * m / 100), 1)
  }
  # a hidden share stays hidden
  sh$share[2] <- NA
  expect_true(is.na(report_shares_counted(sh, post)$share[2]))
  expect_error(report_shares_counted(sh, post[, 1, drop = FALSE]), class = "cscdemand_error_data")
})

test_that("the size chart draws the shown shares only, and its caption mentions a hidden share only when there is one", {
  sh <- data.frame(name = c("Neglect", "Domestic abuse", "Harm outside the home"), share = c(50, 30, NA),
                   lower = c(45, 25, NA), upper = c(55, 35, NA))
  p <- plot_category_shares(sh, "Richmond upon Thames")
  expect_s3_class(p, "ggplot")
  b <- ggplot2::ggplot_build(p)
  bars <- b$data[[1]]
  expect_equal(sort(bars$xmax), c(30, 50))
  labels <- b$data[[3]]$label
  expect_setequal(labels, c("50.0%", "30.0%", "c"))
  expect_identical(p$labels$x, "Estimated share of Richmond upon Thames's episodes")
  # largest first from the top: the first category is the top row
  expect_identical(levels(p$data$name)[3], "Neglect")
  # the caption
  expect_match(report_shares_caption(sh, "X", "bootstrap 95% interval"), "(the hidden share, c, has no bar)", fixed = TRUE)
  none <- sh
  none$share[3] <- 20
  expect_no_match(report_shares_caption(none, "X", "bootstrap 95% interval"), "hidden", fixed = TRUE)
  two <- sh
  two$share[2] <- NA
  expect_match(report_shares_caption(two, "X", "i"), "(the hidden shares, c, have no bar)", fixed = TRUE)
})
