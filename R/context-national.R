#' A council's factor rates beside England, its region and its statistical neighbours
#'
#' Computes, for one council and census year, the proportion of episodes with
#' each factor in the council's own data, and sets it beside DfE table C3
#' ([context_factors], here in the layout of [national_factor_rates]): England,
#' the council's region, the mean of its statistical neighbours and the
#' council's own published figure. Rates are episodes with the factor over all
#' episodes in the data (including episodes with no factors, as C3's
#' denominator).
#'
#' The comparators are defined once for the package (see [council_context()],
#' "Comparators"): England and region are DfE's published figures for the whole
#' area (pooled rates); the statistical neighbour rate is the unweighted mean of
#' the neighbours' published rates, over the neighbours with a published figure
#' (`n_neighbours`).
#'
#' @param episodes A `cin_assessments` object ([read_cin_assessments()]), a
#'   `cin_episodes` table built with `exclude = NULL, min_count = 0`, or any
#'   data frame with one row per episode and 0/1 factor columns named by code
#'   (`3A`, `f_3A`, ...; see [compare_published()]).
#' @param la The council, as in the `la` column of the data (DfE number, ONS
#'   code or name, see [find_council()]). Default: the only council in the data.
#' @param year Census year of the data to use (default the latest in the
#'   data).
#' @param national_year Census year of the benchmark (default `year`, or the
#'   latest published year before it).
#' @param neighbours Include statistical neighbours (default `TRUE`).
#' @param neighbour_edition Statistical neighbours: `2025` (default, DfE's 2025
#'   model) or `2021` (April 2021 groupings); see [context_neighbours].
#' @return A data frame (class `cscdemand_national_comparison`, with a [plot()]
#'   method) with one row per C3 factor: `code`, `label`, `count`,
#'   `episodes`, `rate` (the council's, from the data), `england_rate`,
#'   `region_rate`, `neighbours_rate` and `n_neighbours`, `la_published_rate`
#'   (the council's own C3 figure), `ratio_england` (`rate / england_rate`).
#'   Attributes: `la`, `year`, `national_year`, `neighbours` (their DfE
#'   numbers, as text), `neighbour_edition`.
#' @family reference data
#' @export
#' @examples
#' a <- read_cin_assessments(cin_example)
#' cmp <- compare_to_national(a, la = "E09000021", year = 2024)
#' head(cmp[order(-cmp$rate), ])
#' plot(cmp, top = 12)
compare_to_national <- function(episodes, la = NULL, year = NULL, national_year = NULL,
                                neighbours = TRUE, neighbour_edition = 2025) {
  check_flag(neighbours)
  neighbour_edition <- check_neighbour_edition(neighbour_edition)
  ex <- c3_extract(episodes)
  las <- unique(ex$la)
  if (is.null(la)) {
    if (length(las) != 1L) {
      abort_input(c("The data holds {length(las)} councils; choose one with {.arg la}.",
                    i = "Councils: {.val {utils::head(las, 10)}}."))
    }
    la <- las
  }
  if (!la %in% las) {
    abort_input(c("Council {.val {la}} is not in the data.",
                  i = "Councils in the data: {.val {utils::head(las, 10)}}."))
  }
  if (is.null(ex$year) || all(is.na(ex$year))) {
    abort_input(c("The data has no census year.",
                  i = "Add a {.field year} or date column when reading."))
  }
  in_la <- ex$la == la
  if (is.null(year)) year <- max(ex$year[in_la], na.rm = TRUE)
  check_number(year, min = 1990, max = 2100)
  sel <- in_la & !is.na(ex$year) & ex$year == year
  if (!any(sel)) {
    abort_input(c("Council {.val {la}} has no episodes in census year {year}.",
                  i = "Years in the data: {.val {sort(unique(ex$year[in_la]))}}."))
  }
  avail <- sort(unique(cscdemand::context_factors$year))
  if (is.null(national_year)) {
    national_year <- if (year %in% avail) year else max(c(avail[avail <= year], min(avail)))
  }
  if (!national_year %in% avail) {
    abort_input(c("{.arg national_year} must be a year of DfE table C3 ({.code context_factors}).",
                  i = "Available: {.val {avail}}."))
  }
  council <- tryCatch(context_resolve(la, verbose = FALSE),
                      cscdemand_error_council = function(e) NULL)
  ref <- c3_comparators(council, national_year, neighbours, neighbour_edition)
  out <- data.frame(code = ref$code, stringsAsFactors = FALSE)
  cf <- cscdemand::cin_factors
  out$label <- cf$label[match(out$code, cf$code)]
  out$label[out$code == "8B-8F"] <- "Privately fostered"
  flags <- ex$flags[sel, , drop = FALSE]
  out$count <- vapply(out$code, function(k) {
    if (k %in% colnames(flags)) sum(flags[, k]) else 0L
  }, integer(1), USE.NAMES = FALSE)
  out$episodes <- sum(sel)
  out$rate <- out$count / out$episodes
  out <- cbind(out, ref[setdiff(names(ref), "code")])
  out$ratio_england <- out$rate / out$england_rate
  attr(out, "la") <- la
  attr(out, "year") <- year
  attr(out, "national_year") <- national_year
  attr(out, "neighbours") <- attr(ref, "neighbours")
  attr(out, "neighbour_edition") <- neighbour_edition
  class(out) <- c("cscdemand_national_comparison", "data.frame")
  out
}

#' @describeIn compare_to_national A dot chart: each factor's share of the
#'   council's episodes against England, the region and the mean of the
#'   statistical neighbours, factors ordered by the council's share. `top`
#'   keeps the factors with the highest council shares. Returns the ggplot.
#' @param x A result of `compare_to_national()`.
#' @param top Number of factors to show (highest council share first);
#'   `NULL` shows all.
#' @param ... Not used.
#' @export
plot.cscdemand_national_comparison <- function(x, top = NULL, ...) {
  d <- as.data.frame(unclass(x), stringsAsFactors = FALSE)
  d$name <- ifelse(is.na(d$label), d$code, d$label)
  d <- d[order(-d$rate, d$code), , drop = FALSE]
  if (!is.null(top)) {
    check_count(top, min = 1)
    d <- utils::head(d, top)
  }
  series <- c(rate = "The council's data", england_rate = "England",
              region_rate = "Region", neighbours_rate = "Statistical neighbours (mean)")
  series <- series[names(series) %in% names(d)]
  long <- do.call(rbind, lapply(names(series), function(col) {
    data.frame(name = d$name, who = series[[col]], pct = 100 * d[[col]], stringsAsFactors = FALSE)
  }))
  long <- long[!is.na(long$pct), , drop = FALSE]
  long$name <- factor(long$name, levels = rev(d$name))
  long$who <- factor(long$who, levels = unname(series))
  p <- ggplot2::ggplot(long, ggplot2::aes(x = .data$pct, y = .data$name, colour = .data$who,
                                          shape = .data$who)) +
    ggplot2::geom_point(size = 2.2) +
    ggplot2::scale_y_discrete(labels = function(v) wrap_labels(v, 40)) +
    ggplot2::labs(x = "% of episodes with factors", y = NULL, colour = NULL, shape = NULL,
                  title = paste0("Factors identified at assessment, ", attr(x, "year"),
                                 " (England and comparators: DfE ", attr(x, "national_year"), ")")) +
    ggplot2::theme_minimal() +
    ggplot2::theme(legend.position = "bottom")
  print(p)
  invisible(p)
}

# ---- helpers ------------------------------------------------------------------

# England, region, statistical neighbours and the council's own C3 rates for one year,
# by the package's one definition of each comparator (see R/reference.R).
c3_comparators <- function(council, year, neighbours = TRUE, edition = 2025L) {
  nfr <- cscdemand::national_factor_rates
  ny <- nfr[nfr$year == year, ]
  nat <- ny[ny$geographic_level == "National", ]
  out <- data.frame(code = nat$code, england_rate = nat$rate, stringsAsFactors = FALSE)
  reg <- ny[ny$geographic_level == "Regional" & ny$region_code %in% council$region_code, ]
  out$region_rate <- reg$rate[match(out$code, reg$code)]
  cr <- ny[ny$geographic_level == "Local authority", ]
  own <- cr[cr$old_la_code %in% as.character(council$la_number), ]
  out$la_published_rate <- own$rate[match(out$code, own$code)]
  sn <- character()
  if (neighbours) {
    out$neighbours_rate <- NA_real_
    out$n_neighbours <- 0L
    if (!is.null(council)) {
      sn <- as.character(context_neighbour_numbers(council, edition))
      nb <- cr[cr$old_la_code %in% sn, ]
      by_code <- split(nb$rate, nb$code)
      out$neighbours_rate <- vapply(out$code, function(k) neighbour_mean(by_code[[k]] %||% NA_real_),
                                    numeric(1), USE.NAMES = FALSE)
      out$n_neighbours <- vapply(out$code, function(k) sum(!is.na(by_code[[k]])), integer(1),
                                 USE.NAMES = FALSE)
    }
  }
  attr(out, "neighbours") <- sn
  out
}
