test_that("item-probability heatmap shows P(factor | class) for every class and item", {
  d <- simulate_lca(n = 600, seed = 3)
  fit <- lca(d[1:8], 3, starts = 5, seed = 1, verbose = FALSE)
  fit <- name_classes(fit, c("Low", "DA and MH", "Complex"))
  p <- plot_item_probs(fit, labels = c(domestic_abuse = "Domestic abuse"))
  expect_s3_class(p, "ggplot")
  expect_equal(nrow(p$data), 3 * 8)
  expect_equal(levels(p$data$class), c("Low", "DA and MH", "Complex"))
  expect_true("Domestic abuse" %in% p$data$item)
  da <- p$data[p$data$item == "Domestic abuse", ]
  expect_equal(da$probability, unname(fit$probs$domestic_abuse[, "1"]))
  expect_equal(da$label, paste0(round(100 * fit$probs$domestic_abuse[, "1"]), "%"))
  geoms <- vapply(p$layers, function(l) class(l$geom)[1], "")
  expect_equal(geoms, c("GeomTile", "GeomText"))
  po <- plot_item_probs(fit, order = "prevalence")
  prev <- colSums(fit$class_size * presence_probs(fit))
  expect_equal(levels(po$data$item), names(sort(prev)))
})

test_that("class-size chart shows the estimated sizes", {
  d <- simulate_lca(n = 600, seed = 3)
  fit <- lca(d[1:8], 3, starts = 5, seed = 1, verbose = FALSE)
  p <- plot_class_sizes(fit)
  expect_s3_class(p, "ggplot")
  expect_equal(p$data$size, unname(fit$class_size))
  expect_equal(p$data$label, paste0(formatC(100 * unname(fit$class_size), format = "f", digits = 1), "%"))
  expect_equal(as.character(p$data$class), paste("Class", 1:3))
  expect_equal(class(p$layers[[1]]$geom)[1], "GeomCol")
})

test_that("class-size chart hides a small class and its complement (review)", {
  d <- simulate_lca(n = 600, seed = 3)
  fit <- lca(d[1:8], 3, starts = 5, seed = 1, verbose = FALSE)
  fit$class_size[] <- c(.9, .09, .01)  # estimated 540, 54 and 6 episodes
  p <- plot_class_sizes(fit)
  expect_equal(p$data$label, c("90.0%", "c", "c"))
  # no bar gives a hidden share back
  expect_equal(p$data$size, c(.9, NA, NA))
  # the chart draws without warnings, with the "c" labels at the axis
  b <- expect_silent(ggplot2::ggplot_build(p))
  expect_equal(b$data[[2]]$label, c("90.0%", "c", "c"))
  expect_equal(b$data[[2]]$x[2:3], c(0, 0))
  p5 <- plot_class_sizes(fit, threshold = 5)
  expect_equal(p5$data$label, c("90.0%", "9.0%", "1.0%"))
})
