# The figure helpers of report-figures.R: text measured on the png device
# knitr draws on, lines wrapped to a width in inches, chart heights and axis
# breaks.

# Widths measured independently: base graphics' strwidth() on a png device
# of the same size and resolution, at `size` points.
base_inches <- function(x, size = 11) {
  tmp <- tempfile(fileext = ".png")
  old <- grDevices::dev.cur()
  grDevices::png(tmp, width = 7, height = 7, units = "in", res = 72)
  on.exit({
    grDevices::dev.off()
    if (old > 1) grDevices::dev.set(old)
    unlink(tmp)
  })
  graphics::par(ps = size)
  graphics::strwidth(x, units = "inches")
}

test_that("fig_text_inches() measures text as the png device draws it", {
  x <- c("Hello world", "W", "Children in need, by category of demand")
  expect_equal(fig_text_inches(x), base_inches(x), tolerance = 1e-6)
  expect_equal(fig_text_inches(x, size = 8), base_inches(x, size = 8), tolerance = 1e-6)
  # twice the size, about twice the width (hinting moves it a little)
  expect_equal(fig_text_inches(x[3], size = 22) / fig_text_inches(x[3], size = 11), 2, tolerance = 0.05)
  expect_equal(fig_text_inches(""), 0)
  expect_identical(fig_text_inches(character()), numeric())
})

test_that("with_fig_measure() leaves the current device current and no device open", {
  # two devices open, the last one current: closing the png device alone
  # would make the first one current
  grDevices::pdf(NULL)
  first <- grDevices::dev.cur()
  grDevices::pdf(NULL)
  dev <- grDevices::dev.cur()
  open <- grDevices::dev.list()
  on.exit({
    grDevices::dev.off(dev)
    grDevices::dev.off(first)
  })
  w <- fig_text_inches("abc")
  expect_equal(grDevices::dev.cur(), dev)
  expect_equal(grDevices::dev.list(), open)
  expect_gt(w, 0)
})

test_that("fig_wrap_width() fills each line as far as the room allows, and no further", {
  x <- "The quick brown fox jumps over the lazy dog and keeps running far away"
  room <- 1.2
  out <- fig_wrap_width(x, room)
  lines <- strsplit(out, "\n")[[1]]
  expect_gt(length(lines), 1L)
  # every line fits, measured independently
  expect_true(all(base_inches(lines) <= room))
  # nothing lost or reordered
  expect_identical(strsplit(gsub("\n", " ", out), " ")[[1]], strsplit(x, " ")[[1]])
  # greedy: the next line's first word would not have fitted on the line before
  nxt <- vapply(lines[-1], function(l) strsplit(l, " ")[[1]][1], "")
  expect_true(all(base_inches(paste(lines[-length(lines)], nxt)) > room))
  # line breaks in the input are spaces; a line that fits is left alone
  expect_identical(fig_wrap_width("short\ntext", 5), "short text")
})

test_that("fig_wrap_width() breaks a word wider than the room into pieces that fit", {
  w <- "Supercalifragilisticexpialidocious"
  room <- 0.8
  expect_gt(base_inches(w), room)
  out <- fig_wrap_width(paste(w, "is long"), room)
  lines <- strsplit(out, "\n")[[1]]
  expect_true(all(base_inches(lines) <= room))
  expect_identical(gsub("\n", "", sub("\nis long$", "", out)), w)
  expect_gt(length(lines), 2L)
})

test_that("report_figure_height() gives the heights worked out from the layout rules", {
  d <- simulate_lca(n = 600, seed = 3)
  fit <- lca(d, k = 3, seed = 1, verbose = FALSE)
  # bar chart: a row of at least 0.45 in per category (0.16 in a line + 0.1),
  # 0.8 in for the axis and title, at least 3 in
  expect_equal(report_figure_height(fit, "class_sizes"), 3)
  long <- c("Domestic abuse and parental mental health with neglect and emotional abuse of the child",
            "Drug and alcohol misuse by a parent or carer together with domestic abuse in the home",
            "Physical abuse and emotional abuse of the child with mental health needs of the child")
  lines <- lengths(strsplit(vapply(long, function(s) paste(strwrap(s, 22), collapse = "\n"), ""), "\n"))
  expect_equal(unname(lines), c(5L, 5L, 5L))
  fit_named <- name_classes(fit, long)
  expect_equal(report_figure_height(fit_named, "class_sizes"), 0.8 + 3 * (0.16 * 5 + 0.1))
  # heatmap of 3 categories: names across on one line (0.16 in) with the
  # legend below (0.6 in), 0.12 in per factor row (8 one-line labels), 0.9 in
  # for title and caption
  expect_equal(report_figure_height(fit, "item_probs"), 0.9 + 0.16 + 0.6 + 0.12 * 8)
  # a label over two lines (60 characters a line) gives every row two lines
  lab <- c(domestic_abuse = paste("Domestic abuse in the household, the child a witness or a victim,",
                                  "recorded at assessment"))
  expect_equal(report_figure_height(fit, "item_probs", labels = lab), 0.9 + 0.16 + 0.6 + 0.12 * 16)
  expect_error(report_figure_height(fit, "pie"))
  expect_error(report_figure_height(list(), "class_sizes"))
})

test_that("report_axis_breaks() takes the fewest breaks that put two or more inside, worked by hand", {
  # pretty() with n = 1 gives 400, 600, 800 and with n = 2 gives 500, 600,
  # 700: one break inside 530-690 each; n = 3 gives steps of 50, three inside
  expect_equal(report_axis_breaks(3)(c(530, 690)), seq(500, 700, by = 50))
  # 0-35: n = 1 gives 0, 50 (one inside), n = 2 gives 0, 20, 40 (two inside:
  # enough), n = 3 steps of 10 (four inside: more than needed)
  expect_equal(report_axis_breaks(3)(c(0, 35)), c(0, 20, 40))
  # 0-100: n = 1 already gives both ends
  expect_equal(report_axis_breaks(3)(c(0, 100)), c(0, 100))
  # a range of zero width or with a missing end: pretty()'s breaks
  expect_equal(report_axis_breaks(3)(c(5, 5)), pretty(c(5, 5), n = 3))
  expect_equal(report_axis_breaks(3)(c(NA, 5)), pretty(c(NA, 5), n = 3))
  # other n: two to n + 1 inside, on random ranges
  set.seed(26)
  for (n in c(2, 4, 5)) {
    f <- report_axis_breaks(n)
    for (i in 1:50) {
      lo <- exp(stats::runif(1, -2, 9))
      l <- c(lo, lo * (1 + exp(stats::runif(1, -4, 1))))
      b <- f(l)
      expect_true(sum(b >= l[1] & b <= l[2]) %in% 2:(n + 1), info = paste(n, signif(l, 4), collapse = " "))
    }
  }
})
