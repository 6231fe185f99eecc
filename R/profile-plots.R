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
#' to whole episodes, as the tables print them), with the further cells of
#' that factor that stop it being worked out from the factor's published
#' total. The plot's data keep the expected count of each tile as column `n`.
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
plot_item_probs <- function(fit, labels = NULL, order = c("model", "prevalence"), threshold = 10) {
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
  hid <- as.vector(item_probs_hidden(fit, threshold, pres))
  d$probability[hid] <- NA
  lev <- unname(lab)
  if (order == "prevalence") lev <- lev[order(as.vector(fit$class_size %*% pres))]
  else lev <- rev(lev)
  d$item <- factor(d$item, levels = lev)
  d$label <- ifelse(hid, "c", paste0(round(100 * d$probability), "%"))
  ggplot2::ggplot(d, ggplot2::aes(x = .data$class, y = .data$item, fill = .data$probability)) +
    ggplot2::geom_tile(colour = "white") +
    ggplot2::geom_text(ggplot2::aes(label = .data$label), size = 3) +
    ggplot2::scale_fill_gradient(low = "white", high = "#cb181d", limits = c(0, 1), na.value = "grey80",
                                 labels = function(v) paste0(100 * v, "%")) +
    ggplot2::scale_x_discrete(position = "top",
                              labels = function(v) wrap_labels(v, max(12, 70 %/% length(cl))),
                              # many categories: labels on two alternating rows
                              guide = ggplot2::guide_axis(n.dodge = if (length(cl) > 4) 2 else 1)) +
    ggplot2::labs(x = NULL, y = NULL, fill = "Probability\nin the\ncategory",
                  title = "Probability of each factor by category",
                  caption = if (any(hid)) paste0("c (grey): not shown, as it would give back a number of episodes ",
                                                 "under ", threshold, " (or let one be worked out)")) +
    ggplot2::theme_minimal() +
    ggplot2::theme(panel.grid = ggplot2::element_blank(),
                   axis.text.x = ggplot2::element_text(vjust = 0))
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

wrap_labels <- function(x, width = 22) {
  vapply(x, function(s) paste(strwrap(s, width), collapse = "\n"), character(1), USE.NAMES = FALSE)
}

# The item probabilities of a fit that can be published (see
# prob_cells_hidden()): TRUE where a category's probability of a factor must
# be hidden.
item_probs_hidden <- function(fit, threshold, probs = presence_probs(fit)) {
  prob_cells_hidden(probs, unname(fit$class_size) * fit$nobs, threshold)
}
