# Council context plots (ggplot2): trends against comparators, and a ranked dot chart of
# all councils for one measure.

#' Plot a council's trend against England, its region and its statistical neighbours
#'
#' One panel per measure: the council's headline value each year (rate per 10,000
#' children, or percentage) as a thick line, with England, the region and the mean of the
#' statistical neighbours as thinner lines. Years where DfE withheld the council's figure
#' are left as gaps (not drawn as zero); figures of a predecessor council are drawn as
#' hollow points.
#'
#' @param x A council context from [council_context()].
#' @param measures Measures to draw (a subset of `x$measure`); `NULL` (the default) draws
#'   all of them.
#' @param ncol Number of columns of panels; `NULL` (the default) lets ggplot2 choose.
#' @return A ggplot object.
#' @family council context
#' @export
#' @examples
#' ctx <- council_context("Warwickshire", measures = c("referrals", "rereferrals"))
#' plot_council_trend(ctx)
plot_council_trend <- function(x, measures = NULL, ncol = NULL) {
  check_context(x)
  if (!is.null(measures)) {
    bad <- setdiff(measures, x$measure)
    if (length(bad)) {
      abort_input(c("{.arg measures} has measure{?s} not in {.arg x}: {.val {bad}}.",
                      i = "{.arg x} has {.val {unique(x$measure)}}."),
                    class = "cscdemand_error_measure")
    }
    x <- x[x$measure %in% measures, ]
  }
  council <- attr(x, "council")
  x$panel <- paste0(x$label, " (", x$unit, ")")
  x$panel <- factor(x$panel, levels = unique(x$panel))
  x$series <- as.character(x$comparator)
  x$series[x$series == "Council"] <- council$name
  x$series[x$series == "Region"] <- council$region_name
  x$series <- factor(x$series, levels = c(council$name, council$region_name,
                                          "Statistical neighbours", "England"))
  x$own <- x$comparator != "Council" | x$area == council$name
  x$group <- paste(x$series, x$area)
  cols <- stats::setNames(c("#B2182B", "#2166AC", "#4DAC26", "grey35"), levels(x$series))
  sizes <- stats::setNames(c(1.4, 0.7, 0.7, 0.7), levels(x$series))
  # a year without a published figure stays in the data as NA, so that the
  # line breaks there rather than joining the years either side of it; a
  # year missing altogether inside a line's span counts as such a year too
  x <- context_trend_complete(x)
  ggplot2::ggplot(x,
                  ggplot2::aes(x = .data$year, y = .data$value, colour = .data$series,
                               group = .data$group)) +
    ggplot2::geom_line(ggplot2::aes(linewidth = .data$series), na.rm = TRUE) +
    ggplot2::geom_point(ggplot2::aes(shape = .data$own), size = 1.8, fill = "white", na.rm = TRUE) +
    ggplot2::scale_colour_manual(values = cols, name = NULL, drop = FALSE) +
    ggplot2::scale_linewidth_manual(values = sizes, guide = "none") +
    ggplot2::scale_shape_manual(values = c(`TRUE` = 16, `FALSE` = 21), guide = "none") +
    ggplot2::scale_x_continuous(breaks = function(l) unique(floor(pretty(l)))) +
    ggplot2::facet_wrap(ggplot2::vars(.data$panel), scales = "free_y", ncol = ncol,
                        labeller = ggplot2::label_wrap_gen(width = 35)) +
    ggplot2::labs(x = "Year ending 31 March", y = NULL,
                  title = paste0(council$name, " against England, ", council$region_name,
                                 " and statistical neighbours"),
                  caption = "Source: DfE Characteristics of children in need; ONS mid-year estimates.") +
    ggplot2::theme_minimal() +
    ggplot2::theme(legend.position = "bottom")
}

# The rows of a trend chart's data with every year inside each line's span
# (from its first to its last year with a row): a year with no row gets one
# whose value is NA, so geom_line() breaks there.
context_trend_complete <- function(x) {
  parts <- split(x, list(x$panel, x$group), drop = TRUE)
  add <- lapply(parts, function(d) {
    yrs <- setdiff(seq(min(d$year), max(d$year)), d$year)
    if (!length(yrs)) return(NULL)
    out <- d[rep(1L, length(yrs)), , drop = FALSE]
    out$year <- yrs
    out$value <- NA_real_
    if ("mark" %in% names(out)) out$mark <- NA_character_
    out
  })
  x <- rbind(x, do.call(rbind, add))
  x[order(x$panel, x$group, x$year), , drop = FALSE]
}

# The years in a trend chart's lines without a published figure, between
# years with one (where plot_council_trend() breaks the line): a data frame
# of measure, label, series ("Council", "Region", ...) and year, empty when
# every line is whole.
context_trend_gaps <- function(x, measures = NULL) {
  if (!is.null(measures)) x <- x[x$measure %in% measures, ]
  x <- as.data.frame(x)
  if (!nrow(x)) return(data.frame(measure = character(), label = character(), comparator = character(), year = numeric()))
  x$panel <- x$measure
  x$group <- paste(x$comparator, x$area)
  x <- context_trend_complete(x)
  gap <- unlist(lapply(split(seq_len(nrow(x)), list(x$panel, x$group), drop = TRUE), function(i) {
    seen <- which(!is.na(x$value[i]))
    if (length(seen) < 2L) return(integer())
    inner <- i[seq(min(seen), max(seen))]
    inner[is.na(x$value[inner])]
  }))
  out <- x[sort(gap), intersect(c("measure", "label", "comparator", "area", "year", "mark"), names(x)), drop = FALSE]
  rownames(out) <- NULL
  out
}

#' Where a council's trend chart breaks its lines, in a sentence
#'
#' [plot_council_trend()] breaks a line at a year without a published figure
#' (DfE withheld it, `"c"`, or it is not available) rather than joining the
#' years either side of it. This sentence, for the chart's caption, names the
#' measures and years where the council's line breaks and why, and says when
#' a comparator's line breaks.
#'
#' @inheritParams plot_council_trend
#' @return One sentence beginning with a space, or `""` when no line breaks.
#' @family council context
#' @export
#' @examples
#' ctx <- council_context("Kingston upon Thames", measures = "referrals_nfa", verbose = FALSE)
#' context_gap_caption(ctx)
context_gap_caption <- function(x, measures = NULL) {
  g <- context_trend_gaps(x, measures)
  if (!nrow(g)) return("")
  council <- attr(x, "council")$name
  yr <- function(y) paste0(y - 1, "-", substr(y, 3, 4))
  listing <- function(v) if (length(v) < 2L) v else paste(paste(v[-length(v)], collapse = ", "), "and", v[length(v)])
  own <- g[g$comparator == "Council", , drop = FALSE]
  bits <- character()
  if (nrow(own)) {
    by_m <- split(own$year, factor(own$label, levels = unique(own$label)))
    bits <- paste0(council, "'s line for ", tolower(substr(names(by_m), 1, 1)), substring(names(by_m), 2),
                   " breaks at ", vapply(by_m, function(y) listing(yr(sort(unique(y)))), ""))
  }
  if (any(g$comparator != "Council")) bits <- c(bits, "a comparator's line breaks where it has no figure")
  why <- if ("mark" %in% names(g) && nrow(own) && all(own$mark %in% "c", na.rm = FALSE))
    "DfE withheld those figures (\"c\") to protect small numbers" else
    "DfE published no figure for those years (withheld, \"c\", to protect small numbers, or not available)"
  paste0(" A line breaks at a year without a published figure, rather than joining the years either side: ",
         paste(bits, collapse = "; "), " (", why, ").")
}

#' @rdname plot_council_trend
#' @param ... Passed to [plot_council_trend()].
#' @export
plot.cscdemand_context <- function(x, ...) {
  p <- plot_council_trend(x, ...)
  print(p)
  invisible(p)
}

#' Plot a council's profile of factors at assessment against its comparators
#'
#' A dot chart for one year: each factor identified at the end of assessment (as % of
#' episodes with factors) for the council, its region, the mean of its statistical
#' neighbours and England, factors ordered by the council's percentage. Factors DfE
#' withheld for the council are listed at the bottom without a council dot.
#'
#' @param x A council context from [council_context()] with factor measures, for
#'   example `council_context(la, measures = "factors")`.
#' @param year The year to show; `NULL` (the default) for the latest year in `x` with a
#'   published figure for the council.
#' @param top Show only the `top` factors with the highest council percentages; `NULL`
#'   (the default) shows all.
#' @return A ggplot object.
#' @family council context
#' @export
#' @examples
#' ctx <- council_context("Warwickshire", years = 2025, measures = "factors")
#' plot_council_profile(ctx, top = 15)
plot_council_profile <- function(x, year = NULL, top = NULL) {
  check_context(x)
  dict <- cscdemand::context_dictionary
  factors <- dict$measure[!is.na(dict$factor_code)]
  x <- x[x$measure %in% factors, ]
  if (!nrow(x)) {
    abort_input(c("{.arg x} has no factors at assessment.",
                  i = "Use {.code council_context(la, measures = \"factors\")}."),
                class = "cscdemand_error_measure")
  }
  council <- attr(x, "council")
  own <- x$comparator == "Council"
  if (is.null(year)) {
    year <- if (any(own & !is.na(x$value))) max(x$year[own & !is.na(x$value)]) else max(x$year)
  }
  if (!is.numeric(year) || length(year) != 1L || !year %in% x$year) {
    abort_input(c("{.arg year} must be one of the years in {.arg x}.",
                  x = "You supplied {.val {format(year)}}; {.arg x} has {.val {sort(unique(x$year))}}."),
                class = "cscdemand_error_years")
  }
  if (!is.null(top)) check_count(top)
  x <- x[x$year == year, ]
  # Order factors by the council's percentage (withheld ones last, at the bottom).
  cv <- x[x$comparator == "Council", ]
  cv <- stats::aggregate(list(v = cv$value), cv["label"], function(v) sum(v, na.rm = TRUE))
  shown_any <- unique(x$label[!is.na(x$value)])
  cv <- cv[cv$label %in% shown_any, ]
  cv <- cv[order(cv$v), ]
  if (!is.null(top)) cv <- utils::tail(cv, top)
  x <- x[x$label %in% cv$label & !is.na(x$value), ]
  x$label <- factor(x$label, levels = cv$label)
  x$series <- as.character(x$comparator)
  x$series[x$series == "Council"] <- council$name
  x$series[x$series == "Region"] <- council$region_name
  lev <- c(council$name, council$region_name, "Statistical neighbours", "England")
  x$series <- factor(x$series, levels = lev)
  cols <- stats::setNames(c("#B2182B", "#2166AC", "#4DAC26", "grey35"), lev)
  sizes <- stats::setNames(c(3, 1.8, 1.8, 1.8), lev)
  x <- x[order(x$comparator == "Council"), ] # the council's dots on top
  ggplot2::ggplot(x, ggplot2::aes(x = .data$value, y = .data$label, colour = .data$series)) +
    ggplot2::geom_point(ggplot2::aes(size = .data$series)) +
    ggplot2::scale_colour_manual(values = cols, name = NULL, drop = FALSE) +
    ggplot2::scale_size_manual(values = sizes, guide = "none") +
    ggplot2::labs(x = "% of episodes with factors", y = NULL,
                  title = paste0("Factors at the end of assessment: ", council$name),
                  subtitle = paste0("Year ending 31 March ", year),
                  caption = "Source: DfE Characteristics of children in need, table C3.") +
    ggplot2::theme_minimal() +
    ggplot2::theme(legend.position = "bottom")
}

#' Rank all councils on one measure
#'
#' A ranked dot chart of every council with a published figure for `measure` in `year`,
#' lowest at the bottom, with the chosen council (and, optionally, its statistical
#' neighbours) highlighted and England as a dashed line. `context_rank()` returns the
#' data behind it.
#'
#' @param measure One measure from [context_dictionary]`$measure`.
#' @param year The DfE reporting year (year ending 31 March); `NULL` (the default) for the
#'   latest year with published figures for `measure`.
#' @param la The council to highlight (see [council_context()]); `NULL` for none.
#' @param neighbours `TRUE` (the default) to highlight the council's statistical
#'   neighbours too.
#' @inheritParams council_context
#' @return `plot_council_rank()`: a ggplot object. `context_rank()`: a data frame with one
#'   row per council (`la_number`, `code`, `name`, `region_code`, `value`, `mark`,
#'   `rank` (1 = highest), `highlight`), councils without a published figure last with
#'   their DfE mark, and attributes `england` (England's value), `measure`, `year`.
#' @family council context
#' @export
#' @examples
#' plot_council_rank("cpp_started", year = 2025, la = "Warwickshire")
#' head(context_rank("referrals", 2025))
plot_council_rank <- function(measure, year = NULL, la = NULL, neighbours = TRUE,
                              verbose = TRUE) {
  r <- context_rank(measure, year = year, la = la, neighbours = neighbours, verbose = verbose)
  dict <- cscdemand::context_dictionary
  d <- dict[dict$measure == attr(r, "measure"), ]
  shown <- r[!is.na(r$value), ]
  shown$position <- rank(shown$value, ties.method = "first")
  hl <- shown[shown$highlight != "Other", ]
  cols <- c(Council = "#B2182B", `Statistical neighbour` = "#4DAC26", Other = "grey70")
  p <- ggplot2::ggplot(shown, ggplot2::aes(x = .data$value, y = .data$position,
                                           colour = .data$highlight)) +
    ggplot2::geom_vline(xintercept = attr(r, "england"), linetype = "dashed",
                        colour = "grey35") +
    ggplot2::geom_point(data = shown[shown$highlight == "Other", ], size = 1.2) +
    ggplot2::geom_point(data = hl, size = 2.4) +
    ggplot2::geom_text(data = hl, ggplot2::aes(label = .data$name), hjust = -0.15,
                       size = 3, show.legend = FALSE) +
    ggplot2::scale_colour_manual(values = cols, name = NULL) +
    ggplot2::labs(x = d$unit, y = paste0("Councils ranked (", nrow(shown), " with published figures)"),
                  title = paste0(d$label, ", year ending 31 March ", attr(r, "year")),
                  caption = "Dashed line: England. Source: DfE; ONS mid-year estimates.") +
    ggplot2::theme_minimal() +
    ggplot2::theme(axis.text.y = ggplot2::element_blank(),
                   panel.grid.major.y = ggplot2::element_blank(),
                   panel.grid.minor.y = ggplot2::element_blank(),
                   legend.position = "bottom")
  p
}

#' @rdname plot_council_rank
#' @export
context_rank <- function(measure, year = NULL, la = NULL, neighbours = TRUE, verbose = TRUE) {
  if (!is.character(measure) || length(measure) != 1L) {
    abort_input(c("{.arg measure} must be one measure name.",
                    i = "See {.code context_dictionary$measure}."),
                  class = "cscdemand_error_measure")
  }
  measure <- context_check_measures(measure)
  if (length(measure) != 1L) {
    abort_input("{.arg measure} must be one measure, not {.val factors}.",
                  class = "cscdemand_error_measure")
  }
  check_flag(neighbours)
  data <- context_data(measure)
  has <- data$year[data$level == "Local authority" & !is.na(data$count)]
  if (is.null(year)) year <- max(has)
  year <- context_check_years(year, data)
  if (length(year) != 1L) abort_input("{.arg year} must be one year.")
  dict <- cscdemand::context_dictionary
  pct <- !is.na(dict$base_measure[dict$measure == measure])
  x <- data[data$level == "Local authority" & data$year == year, ]
  x$value <- if (pct) x$percent else x$rate_10k
  x$mark <- ifelse(is.na(x$value), if (pct) x$percent_mark else x$rate_mark, NA_character_)
  x$mark[is.na(x$value) & is.na(x$mark)] <- "x"
  x$rank <- NA_integer_
  ok <- !is.na(x$value)
  x$rank[ok] <- rank(-x$value[ok], ties.method = "min")
  x$highlight <- "Other"
  if (!is.null(la)) {
    council <- context_resolve(la, verbose = verbose, call = rlang::current_env())
    if (neighbours) {
      nb <- context_neighbour_numbers(council)
      x$highlight[x$la_number %in% nb] <- "Statistical neighbour"
    }
    x$highlight[x$la_number == council$la_number] <- "Council"
    if (!any(x$la_number == council$la_number)) {
      warn_cscdemand("{council$name} has no row in {year}; it is not highlighted.",
                     class = "cscdemand_warning_context")
    }
  }
  x <- x[order(is.na(x$rank), x$rank, x$name),
         c("la_number", "code", "name", "region_code", "value", "mark", "rank", "highlight")]
  rownames(x) <- NULL
  eng <- data[data$level == "National" & data$year == year, ]
  structure(x, england = if (pct) eng$percent else eng$rate_10k, measure = measure,
            year = year)
}

check_context <- function(x, arg = rlang::caller_arg(x), call = rlang::caller_env()) {
  needed <- c("year", "measure", "label", "unit", "comparator", "area", "value")
  if (!inherits(x, "cscdemand_context") || is.null(attr(x, "council")) ||
      !all(needed %in% names(x))) {
    abort_input(c("{.arg {arg}} must be a council context from {.fn council_context}.",
                    x = "You supplied an object of class {.cls {class(x)}} with column{?s} {.field {names(x)}}."),
                  class = "cscdemand_error_context", call = call)
  }
  invisible(x)
}
