#' Item-probability heatmap and class-size chart
#'
#' `plot_item_probs()` draws the Kingston class descriptions: a heatmap of the
#' probability that each factor is present in each class, with the
#' percentage printed in each tile. `plot_class_sizes()` draws the estimated
#' class sizes as a bar chart labelled with percentages. Both use the class
#' names set by [name_classes()].
#'
#' A probability is a count in disguise: a factor's probability in a class
#' times the class's estimated size is an expected number of episodes, of the
#' kind the tables of counts suppress. So the heatmap hides (a grey tile
#' marked `"c"`) every probability whose expected count, or the count of the
#' class's episodes without the factor, is from 1 to `threshold - 1` (rounded
#' to whole episodes, as the tables print them), or whose printed whole
#' percentage, read back as its rounding interval times the class's size,
#' says fewer than `threshold` episodes have (or lack) the factor, with the
#' further cells of that factor that stop it being worked out from the
#' factor's published total. `"0%"` and `"100%"` are printed only for an
#' estimate of exactly 0 or 1; a shown one that rounds to them reads `"<1%"`
#' or `">99%"`. The plot's data keep the expected count of each tile as column `n`.
#' Every hidden tile reads `"c"`, one notation explained once in the
#' chart's caption (a chart of `"c"`, `"<1%"`, `"<2%"`, `"0-10%"` and
#' `"10-20%"` side by side asked the reader to learn five). Where a range
#' cannot give a small count back, the plot's data keep it as column `range`
#' (`"<5%"` for a small count, the bound the smallest of 1, 2, 5, 10, 20, 30
#' or 50% that is at least `threshold` episodes of the category; `">95%"` for
#' a small count without the factor; a ten-point band such as `"20-30%"` for a
#' tile hidden to protect another; `NA` otherwise): the table of category
#' names prints these ranges ([class_name_table()]).
#'
#' A class share
#' times the number of episodes is an estimated count, so `plot_class_sizes()`
#' hides the share (no bar, label `"c"`) of a class whose estimated size is
#' under `threshold`, and of one more class where the shares adding up to 100%
#' would give it back, as [class_name_table()] does.
#'
#' @inheritParams suggest_class_names
#' @inheritParams class_name_table
#' @param order `"model"` keeps the items in model order; `"prevalence"`
#'   sorts them by their overall probability.
#' @param threshold Suppression threshold for the expected counts behind the
#'   probabilities (default 10; 0 shows every probability).
#' @return A ggplot object.
#' @family profiling
#' @export
#' @examples
#' d <- simulate_lca(n = 1000, seed = 3)
#' fit <- lca(d, k = 3, seed = 1, verbose = FALSE)
#' plot_item_probs(fit)
#' plot_class_sizes(fit)
plot_item_probs <- function(fit, labels = NULL, order = c("model", "prevalence"), threshold = 10,
                            sizes = NULL) {
  check_lca_fit(fit)
  order <- rlang::arg_match(order)
  check_threshold(threshold)
  lab <- item_labels(fit$items, labels)
  pres <- presence_probs(fit)
  cl <- class_labels(fit)
  d <- data.frame(class = factor(rep(unname(cl), ncol(pres)), levels = unname(cl)),
                  item = rep(unname(lab), each = nrow(pres)),
                  probability = as.vector(pres),
                  n = round(as.vector(pres * unname(fit$class_size) * fit$nobs)), stringsAsFactors = FALSE)
  size <- item_prob_sizes(fit, sizes)
  hid_m <- item_probs_hidden(fit, threshold, pres, sizes = sizes)
  hid <- as.vector(hid_m)
  band <- as.vector(item_probs_bands(pres, size, threshold, hid_m))
  d$probability[hid] <- NA
  lev <- unname(lab)
  if (order == "prevalence") lev <- lev[order(as.vector(fit$class_size %*% pres))]
  else lev <- rev(lev)
  d$item <- factor(d$item, levels = lev)
  # one notation for a hidden tile, whatever could be said of it (the range,
  # where one protects, stays in the data for the names table)
  d$range <- ifelse(hid, band, NA_character_)
  d$label <- ifelse(hid, "c", prob_pct_text(d$probability))
  lay <- item_probs_layout(length(cl))
  ggplot2::ggplot(d, ggplot2::aes(x = .data$class, y = .data$item, fill = .data$probability)) +
    ggplot2::geom_tile(colour = "white") +
    ggplot2::geom_text(ggplot2::aes(label = .data$label), size = lay$tile_size) +
    # three labels on the key: five ran together under the chart ("75%100%")
    ggplot2::scale_fill_gradient(low = "white", high = "#cb181d", limits = c(0, 1), na.value = "grey80",
                                 breaks = c(0, 0.5, 1), labels = function(v) paste0(100 * v, "%")) +
    ggplot2::scale_x_discrete(position = "top", labels = function(v) wrap_labels(v, lay$wrap),
                              guide = ggplot2::guide_axis(n.dodge = lay$dodge)) +
    ggplot2::scale_y_discrete(labels = function(v) wrap_labels(v, 60)) +
    ggplot2::labs(x = NULL, y = NULL, fill = "Probability\nin the\ncategory",
                  title = "Probability of each factor by category",
                  caption = if (any(hid)) paste0("c (grey): not shown, as it would give back a number of episodes ",
                                                 "under ", threshold, " (or let one be worked out)")) +
    ggplot2::theme_minimal() +
    ggplot2::theme(panel.grid = ggplot2::element_blank(),
                   axis.text.x = if (lay$vertical) ggplot2::element_text(angle = 90, hjust = 0, vjust = 0.5, size = lay$name_size) else
                     ggplot2::element_text(vjust = 0),
                   legend.position = lay$legend)
}

# The heatmap's layout for K categories, so that no label is cut off or runs
# into another on an A4 page (6.5 inches wide) or a screen, and every name
# sits at the same height (names on two alternating rows read as two sets,
# reader 10): up to 2 categories, names across, wrapped at 20 characters;
# 3 or 4, across, wrapped at 12, the legend below the chart (the columns get
# its width); 5 or more, each name upright in its own column (at most two
# lines of 30 characters, smaller from 10 categories), the legend below and
# from 7 the percentages in the tiles smaller.
item_probs_layout <- function(k) {
  vertical <- k > 4L
  list(vertical = vertical, wrap = if (vertical) 30 else if (k <= 2L) 20 else 12,
       dodge = 1L,
       legend = if (k > 2L) "bottom" else "right",
       tile_size = if (k <= 6L) 3 else if (k <= 9L) 2.5 else 2.1,
       name_size = if (k <= 9L) 8.8 else 7)
}

# The height in inches the heatmap needs for these factor labels and
# category names: the tiles' rows (a row per line of the longest label), the
# names above them (upright names as tall as their longest line) and the
# title and caption; at most 9 inches.
item_probs_height <- function(labels, names) {
  lay <- item_probs_layout(length(names))
  lines <- strsplit(wrap_labels(names, lay$wrap), "\n")
  head <- if (lay$vertical) {
    0.085 * lay$name_size / 8.8 * max(nchar(unlist(lines)), 1L) + 0.6 # and the legend below
  } else {
    0.16 * max(lengths(lines), 1L) * lay$dodge + if (lay$legend == "bottom") 0.6 else 0 # the legend below
  }
  rows <- length(labels) * max(lengths(strsplit(wrap_labels(labels, 60), "\n")), 1L)
  min(9, 0.9 + head + 0.12 * rows)
}

#' @rdname plot_item_probs
#' @export
plot_class_sizes <- function(fit, threshold = 10) {
  check_lca_fit(fit)
  check_threshold(threshold)
  cl <- class_labels(fit)
  d <- data.frame(class = factor(unname(cl), levels = rev(unname(cl))),
                  size = unname(fit$class_size), stringsAsFactors = FALSE)
  # a hidden share has no bar (its length would give it back) and the label "c"
  hide <- class_share_hidden(fit, threshold)
  d$size[hide] <- NA
  d$label <- ifelse(hide, "c", paste0(formatC(100 * d$size, format = "f", digits = 1), "%"))
  d$at <- ifelse(hide, 0, d$size)
  ggplot2::ggplot(d, ggplot2::aes(x = .data$size, y = .data$class)) +
    ggplot2::geom_col(data = d[!hide, , drop = FALSE], fill = "#3182bd", width = 0.7) +
    ggplot2::geom_text(ggplot2::aes(x = .data$at, label = .data$label), hjust = -0.1, size = 3.5) +
    ggplot2::scale_y_discrete(labels = wrap_labels) +
    ggplot2::scale_x_continuous(labels = function(v) paste0(100 * v, "%"),
                                expand = ggplot2::expansion(mult = c(0, 0.15))) +
    ggplot2::labs(x = "Estimated share of episodes", y = NULL, title = "Category sizes") +
    ggplot2::theme_minimal()
}

# The height in inches a bar chart of the categories needs: a row per
# category, taller for a name wrapped (at `wrap` characters) over more than
# two lines, and room for the axis and title; at least 3 inches.
class_sizes_height <- function(names, wrap = 22) {
  lines <- lengths(strsplit(wrap_labels(names, wrap), "\n"))
  max(3, 0.8 + sum(pmax(0.45, 0.16 * lines + 0.1)))
}

wrap_labels <- function(x, width = 22) {
  vapply(x, function(s) paste(strwrap(s, width), collapse = "\n"), character(1), USE.NAMES = FALSE)
}
