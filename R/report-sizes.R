#' The council's category shares as the report prints them, and their chart
#'
#' One number, one value: the report prints each category's estimated share
#' of the council's episodes (the mean of the episodes' probabilities of
#' belonging to it) in the summary, the table of names, the stability table
#' and a chart, and its tables of counts give each category a total of
#' estimated episodes, rounded to whole episodes so that the totals add up
#' to the episodes. `report_shares_counted()` makes the printed share the
#' category's rounded total over the episodes, so that a reader who divides
#' a table's category total by the episodes gets the share printed (a share
#' of 12.64% beside a total of 210 of 1,659, 12.66%, printed 12.6% and
#' 12.7%, is the case it prevents). The change is under half an episode.
#'
#' `plot_category_shares()` draws the shares as bars with their intervals,
#' largest category at the top; a hidden share (`NA`) has no bar and is
#' labelled "c". `report_shares_caption()` says so only when a share is
#' hidden.
#'
#' @param shares A data frame with columns `name`, `share`, `lower` and
#'   `upper` (percentages; `NA` where hidden), one row per category in the
#'   model's order, such as [class_shares()] or [report_stability()]'s
#'   `shares`.
#' @param posterior The council's episodes' probabilities of belonging to
#'   each category (episodes by categories, columns in the order of
#'   `shares`).
#' @param council The council's name (for the axis and the caption).
#' @param interval How the interval is described ("bootstrap 95%
#'   interval").
#' @return `report_shares_counted()`: `shares` with `share` replaced
#'   (hidden shares stay `NA`) and a column `episodes` (the rounded totals;
#'   `NA` where hidden). `plot_category_shares()`: a ggplot.
#'   `report_shares_caption()`: one string.
#' @family report
#' @export
#' @examples
#' post <- matrix(c(0.7, 0.2, 0.1, 0.2, 0.5, 0.3), ncol = 2, byrow = FALSE)
#' post <- rbind(post, post, c(0.5, 0.5))
#' post <- post / rowSums(post)
#' sh <- data.frame(name = c("A", "B"), share = 100 * colMeans(post), lower = c(40, 30),
#'                  upper = c(60, 55))
#' report_shares_counted(sh, post)
#' plot_category_shares(sh, "Sunderland")
#' report_shares_caption(sh, "Sunderland", "bootstrap 95% interval")
report_shares_counted <- function(shares, posterior) {
  check_data_frame(shares)
  check_column(shares, "share")
  if (!is.matrix(posterior) || ncol(posterior) != nrow(shares)) {
    abort_input(c("{.arg posterior} must be a matrix with one column per category of {.arg shares}.",
                  x = "It has {NCOL(posterior)} column{?s} and {.arg shares} {nrow(shares)} row{?s}."),
                class = "cscdemand_error_data")
  }
  n <- nrow(posterior)
  cnt <- round_to_total(colSums(posterior), n)
  hidden <- is.na(shares$share)
  shares$share <- ifelse(hidden, NA_real_, 100 * cnt / max(n, 1))
  shares$episodes <- ifelse(hidden, NA_real_, cnt)
  shares
}

#' @rdname report_shares_counted
#' @export
plot_category_shares <- function(shares, council) {
  check_data_frame(shares)
  check_string(council)
  for (col in c("name", "share", "lower", "upper")) check_column(shares, col)
  sz <- data.frame(name = factor(shares$name, levels = rev(shares$name)), share = shares$share,
                   lower = shares$lower, upper = shares$upper)
  sz$label <- ifelse(is.na(sz$share), "c", paste0(format_pct(sz$share), "%"))
  sz$at <- ifelse(is.na(sz$upper), 0, sz$upper)
  shown <- sz[!is.na(sz$share), , drop = FALSE]
  ggplot2::ggplot(sz, ggplot2::aes(x = .data$share, y = .data$name)) +
    ggplot2::geom_col(data = shown, fill = "#3182bd", width = 0.7) +
    ggplot2::geom_errorbar(data = shown, ggplot2::aes(xmin = .data$lower, xmax = .data$upper), width = 0.25,
                           orientation = "y") +
    ggplot2::geom_text(ggplot2::aes(x = .data$at, label = .data$label), hjust = -0.15, size = 3.5) +
    ggplot2::scale_y_discrete(labels = function(x) vapply(x, function(v) paste(strwrap(v, 22), collapse = "\n"), "")) +
    ggplot2::scale_x_continuous(labels = function(v) paste0(v, "%"), expand = ggplot2::expansion(mult = c(0, 0.2))) +
    ggplot2::labs(x = paste0("Estimated share of ", council, "'s episodes"), y = NULL) +
    ggplot2::theme_minimal()
}

#' @rdname report_shares_counted
#' @export
report_shares_caption <- function(shares, council, interval) {
  check_data_frame(shares)
  n_hidden <- sum(is.na(shares$share))
  paste0("Estimated share of ", council, "'s episodes in each category, with its ", interval, ", as in the summary",
         if (n_hidden == 1) " (the hidden share, c, has no bar)" else if (n_hidden > 1) " (the hidden shares, c, have no bar)" else "")
}

#' Percentages as the report prints them: one rounding rule
#'
#' Every percentage the report prints is rounded half away from zero (13.45
#' is 13.5, 13.5 is 14), not by the binary floating point of `sprintf()`,
#' which prints 0.125 as 0.12 and 13.45 as 13.4 or 13.5 depending on how the
#' number is stored. A percentage printed with fewer decimals than the
#' tables (the summary's whole numbers) is the tables' printed value
#' rounded again, so that a reader who rounds a table's 13.5 gets the
#' summary's 14, not 13 (the unrounded 13.46).
#'
#' @param x Percentages (`NA` stays `NA`).
#' @param digits Decimals printed.
#' @param table_digits Decimals of the report's tables: a value printed
#'   with fewer is rounded to these first.
#' @return A character vector (`NA` where `x` is `NA`).
#' @family report
#' @export
#' @examples
#' format_pct(c(13.46, 25.45, 0.125, -2.5, NA))
#' format_pct(c(13.46, 25.45), digits = 0)
format_pct <- function(x, digits = 1, table_digits = 1) {
  check_count(digits, min = 0)
  r <- if (digits < table_digits) round_half_away(round_half_away(x, table_digits), digits) else round_half_away(x, digits)
  r[!is.na(r) & r == 0] <- 0  # no "-0.0"
  out <- formatC(r, format = "f", digits = digits)
  out[is.na(x)] <- NA_character_
  out
}

# round half away from zero, with a relative tolerance so that a half
# stored just under it (13.45 as 13.4499999...) still rounds up
round_half_away <- function(x, digits = 0) {
  m <- 10^digits
  z <- abs(x) * m
  sign(x) * floor(z + 0.5 + 1e-9 * pmax(1, z)) / m
}
