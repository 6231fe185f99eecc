# Text in the report's figures, measured as the figure is drawn: knitr draws
# each chart on a png device (in the device's own font: Arial on Windows,
# fontconfig's sans on Linux, often DejaVu Sans, wider than Arial), so lines
# are measured on that device, not in a font's published metrics.

# Run `f(measure)` with a png device open, `measure(x)` giving the widths in
# inches of strings drawn on it at `size` points; the device that was current
# stays current.
with_fig_measure <- function(f, size = 11, face = "plain", family = "") {
  old <- grDevices::dev.cur()
  tmp <- tempfile(fileext = ".png")
  grDevices::png(tmp, width = 7, height = 7, units = "in", res = 72)
  on.exit({
    grDevices::dev.off()
    if (old > 1) grDevices::dev.set(old)
    unlink(tmp)
  }, add = TRUE)
  faces <- c(plain = 1, bold = 2, italic = 3, bold.italic = 4)
  fc <- if (is.character(face)) faces[[face]] %||% 1 else face
  grid::pushViewport(grid::viewport(gp = grid::gpar(fontfamily = family, fontsize = size, fontface = fc)))
  on.exit(grid::popViewport(), add = TRUE, after = FALSE)
  f(function(x) unname(vapply(x, function(s) grid::convertWidth(grid::stringWidth(s), "inches", valueOnly = TRUE), 0)))
}

# Widths in inches of strings drawn on the png device at `size` points.
fig_text_inches <- function(x, size = 11, face = "plain", family = "") {
  if (!length(x)) return(numeric())
  with_fig_measure(function(measure) measure(x), size, face, family)
}

# Words joined into lines no wider than `room` inches as the device draws
# them; a word wider than the room on its own is broken where it must be.
fig_wrap_width <- function(x, room, size = 11, face = "plain", family = "") {
  with_fig_measure(function(measure) {
    fits <- function(s) measure(s) <= room
    words <- strsplit(gsub("\n", " ", x), " +")[[1]]
    words <- words[nzchar(words)]
    # a word too wide for a line: broken into pieces that fit
    words <- unlist(lapply(words, function(w) {
      if (fits(w)) return(w)
      out <- character()
      while (nchar(w) > 1L && !fits(w)) {
        n <- nchar(w) - 1L
        while (n > 1L && !fits(substr(w, 1L, n))) n <- n - 1L
        out <- c(out, substr(w, 1L, n))
        w <- substring(w, n + 1L)
      }
      c(out, w)
    }))
    lines <- character()
    cur <- ""
    for (w in words) {
      try <- if (nzchar(cur)) paste(cur, w) else w
      if (nzchar(cur) && !fits(try)) {
        lines <- c(lines, cur)
        cur <- w
      } else {
        cur <- try
      }
    }
    paste(c(lines, cur), collapse = "\n")
  }, size, face, family)
}

#' Height of a chart of the categories, so that no label is cut off
#'
#' The report sizes its category charts to what they hold: the heatmap of
#' [plot_item_probs()] gets a row per factor (more for a label over two
#' lines) and room for the category names above it (upright from seven
#' categories, as tall as the longest name); a bar chart of the categories
#' ([plot_class_sizes()] and the report's chart of shares) gets a row per
#' category, taller for a long name. Used in the report template's chunk
#' options (`fig.height`).
#'
#' @param fit A latent class model from [lca()], named with [name_classes()]
#'   or not.
#' @param kind `"item_probs"` (the heatmap) or `"class_sizes"` (the bar chart).
#' @inheritParams plot_item_probs
#' @return The figure's height in inches.
#' @family report
#' @export
#' @examples
#' d <- simulate_lca(n = 1000, seed = 3)
#' fit <- lca(d, k = 3, seed = 1, verbose = FALSE)
#' report_figure_height(fit, "item_probs")
#' report_figure_height(fit, "class_sizes")
report_figure_height <- function(fit, kind = c("item_probs", "class_sizes"), labels = NULL) {
  check_lca_fit(fit)
  kind <- rlang::arg_match(kind)
  names <- unname(class_labels(fit))
  if (kind == "class_sizes") return(class_sizes_height(names))
  item_probs_height(unname(item_labels(fit$items, labels)), names)
}

#' Axis breaks for a small panel: few, but at least two inside the range
#'
#' About `n` breaks (few enough that the labels of a panel under an inch tall
#' do not run together) of which two to `n + 1` fall inside the axis's range,
#' so that a reader can read a scale off every panel (`n = 3` breaks of
#' [pretty()] or of `scales::breaks_extended()` can leave one tick inside a
#' panel, "600" on a panel whose data run from 530 to 690). The report's
#' context charts use it.
#'
#' @param n The number of breaks wished for.
#' @return A function of the axis's limits returning the breaks, for the
#'   `breaks` argument of a ggplot2 continuous scale.
#' @family report
#' @export
#' @examples
#' report_axis_breaks(3)(c(530, 690))
report_axis_breaks <- function(n = 3) {
  force(n)
  function(limits) {
    if (!all(is.finite(limits)) || diff(range(limits)) <= 0) return(pretty(limits, n = n))
    lo <- min(limits)
    hi <- max(limits)
    tol <- 1e-9 * (hi - lo)
    inside <- function(b) sum(b >= lo - tol & b <= hi + tol)
    # the fewest breaks that put two to n + 1 inside the range (base
    # pretty(), whose n is only a wish)
    cand <- lapply(seq_len(n + 4L), function(m) pretty(limits, n = m))
    k <- vapply(cand, inside, 0)
    ok <- which(k >= 2L & k <= n + 1L)
    if (length(ok)) return(cand[[ok[which.min(k[ok])]]])
    ok <- which(k >= 2L)
    if (length(ok)) {
      # too many: every second one, the pair that keeps more inside
      b <- cand[[ok[which.min(k[ok])]]]
      thin <- list(b[c(TRUE, FALSE)], b[c(FALSE, TRUE)])
      kt <- vapply(thin, inside, 0)
      return(if (max(kt) >= 2L) thin[[which.max(kt)]] else b)
    }
    # none of those: the range's ends, rounded to a figure that stays inside
    d <- 10^floor(log10(hi - lo))
    c(ceiling(lo / d) * d, floor(hi / d) * d)
  }
}
