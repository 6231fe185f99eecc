#' DfE table C3: factors identified at the end of assessment
#'
#' The number and rate of episodes with each factor identified at the end of
#' assessment, for England, the regions and every council, census years 2018
#' to 2025, from DfE table C3 (Characteristics of children in need), in long
#' form.
#'
#' @format A data frame with one row per year, area and factor (51,168 rows)
#'   and 13 columns:
#' \describe{
#'   \item{year}{Census year, as the year the collection ends (2025 = 2024-25).}
#'   \item{geographic_level}{Factor: National, Regional, Local authority.}
#'   \item{region_code, region_name}{Region (`NA` for England).}
#'   \item{old_la_code, new_la_code, la_name}{Council (`NA` above council level).}
#'   \item{code}{CIN factor code (see [cin_factors]); `"8B-8F"` for private
#'     fostering, which C3 pools. Code 21 is not published.}
#'   \item{dfe_column}{The C3 column name.}
#'   \item{episodes}{Episodes with assessment factor information (the denominator).}
#'   \item{status}{`"published"`, `"suppressed"` (c), `"not collected"` (x),
#'     `"not applicable"` (z) or `"low reliability"` (u).}
#'   \item{count}{Episodes with the factor (`NA` unless published).}
#'   \item{rate}{`count / episodes`.}
#' }
#' @source DfE, Characteristics of children in need, table C3 "Factors
#'   identified at the end of assessment" (Explore Education Statistics),
#'   built by `data-raw/national_factor_rates.R`. Contains public sector
#'   information licensed under the Open Government Licence v3.0.
#' @family CIN data
#' @examples
#' eng <- subset(national_factor_rates, geographic_level == "National" & year == 2025)
#' head(eng[order(-eng$rate), c("code", "dfe_column", "count", "rate")])
"national_factor_rates"

#' A council's factor rates beside England and its statistical neighbours
#'
#' Computes, for one council and census year, the proportion of episodes with
#' each factor, and sets it beside the rate in England and the pooled rate of
#' the council's ten DfE statistical neighbours (April 2021 groupings) from
#' [national_factor_rates]. Rates are episodes with the factor over all
#' episodes in the data (including episodes with no factors, as C3's
#' denominator).
#'
#' @param episodes A `cin_assessments` object ([read_cin_assessments()]) or
#'   a `cin_episodes` table built with `exclude = NULL, min_count = 0` (factor
#'   columns named by code).
#' @param la The council: new (`E09000021`) or old (`314`) code, or name, as
#'   in the `la` column of the data. Default: the only council in the data.
#' @param year Census year of the data to use (default the latest in the
#'   data).
#' @param national_year Census year of the benchmark (default `year`, or the
#'   latest published year before it).
#' @param neighbours Include statistical neighbours (default `TRUE`).
#' @return A data frame with one row per C3 factor: `code`, `label`, `count`,
#'   `episodes`, `rate` (the council's, from the data), `england_rate`,
#'   `neighbours_rate` (neighbours with the factor suppressed are left out),
#'   `la_published_rate` (the council's own C3 figure, where it is a C3
#'   council), `ratio_england` (`rate / england_rate`). Attributes: `la`,
#'   `year`, `national_year`, `neighbours`.
#' @family CIN data
#' @export
#' @examples
#' a <- read_cin_assessments(cin_example)
#' cmp <- compare_to_national(a, la = "E09000021", year = 2024)
#' head(cmp[order(-cmp$rate), ])
compare_to_national <- function(episodes, la = NULL, year = NULL, national_year = NULL,
                                neighbours = TRUE) {
  check_flag(neighbours)
  if (inherits(episodes, "cin_assessments")) {
    a <- episodes$assessments
    f <- episodes$factors
    ep_la <- a$la
    ep_year <- a$year
    ep_id <- a$.episode
    pairs <- unique(data.frame(e = ep_id[f$assessment], code = as.character(f$code),
                               stringsAsFactors = FALSE))
    ep_tab <- a[!duplicated(ep_id), c(".episode", "la", intersect("year", names(a))), drop = FALSE]
  } else if (inherits(episodes, "cin_episodes")) {
    fc <- factor_columns(episodes)
    codes <- intersect(fc, cin_codes_all())
    if (!length(codes)) {
      abort_input(c("{.arg episodes} has no factor columns named by code.",
                    i = "Build it with {.code episode_factors(x, exclude = NULL, min_count = 0)}, or pass the {.fn read_cin_assessments} result."))
    }
    ep_tab <- data.frame(.episode = seq_len(nrow(episodes)), la = episodes$la,
                         stringsAsFactors = FALSE)
    if ("year" %in% names(episodes)) ep_tab$year <- episodes$year
    w <- which(as.matrix(episodes[codes]) == 1L, arr.ind = TRUE)
    pairs <- data.frame(e = w[, 1], code = codes[w[, 2]], stringsAsFactors = FALSE)
  } else {
    abort_input(c("{.arg episodes} must come from {.fn read_cin_assessments} or {.fn episode_factors}.",
                  x = "You supplied an object of class {.cls {class(episodes)}}."))
  }
  las <- unique(ep_tab$la)
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
  if (!"year" %in% names(ep_tab) || all(is.na(ep_tab$year))) {
    abort_input(c("The data has no census year.",
                  i = "Add a {.field year} or date column when reading."))
  }
  in_la <- ep_tab$la == la
  if (is.null(year)) year <- max(ep_tab$year[in_la], na.rm = TRUE)
  check_number(year, min = 1990, max = 2100)
  sel <- in_la & !is.na(ep_tab$year) & ep_tab$year == year
  if (!any(sel)) {
    abort_input(c("Council {.val {la}} has no episodes in census year {year}.",
                  i = "Years in the data: {.val {sort(unique(ep_tab$year[in_la]))}}."))
  }
  nfr <- cscdemand::national_factor_rates
  avail <- sort(unique(nfr$year))
  if (is.null(national_year)) {
    national_year <- if (year %in% avail) year else max(c(avail[avail <= year], min(avail)))
  }
  if (!national_year %in% avail) {
    abort_input(c("{.arg national_year} must be a year of {.code national_factor_rates}.",
                  i = "Available: {.val {avail}}."))
  }
  n_ep <- sum(sel)
  ids <- ep_tab$.episode[sel]
  pk <- pairs[pairs$e %in% ids, ]
  pk$code[pk$code %in% c("8B", "8C", "8D", "8E", "8F")] <- "8B-8F"
  pk <- unique(pk)
  nat <- nfr[nfr$year == national_year & nfr$geographic_level == "National", ]
  out <- data.frame(code = nat$code, stringsAsFactors = FALSE)
  cf <- cscdemand::cin_factors
  out$label <- cf$label[match(out$code, cf$code)]
  out$label[out$code == "8B-8F"] <- "Privately fostered"
  out$count <- as.integer(table(factor(pk$code, levels = out$code)))
  out$episodes <- n_ep
  out$rate <- out$count / n_ep
  out$england_rate <- nat$rate
  # The council in C3 (matched by new code, old code or name).
  cr <- nfr[nfr$year == national_year & nfr$geographic_level == "Local authority", ]
  key <- tolower(la)
  own <- cr[tolower(cr$new_la_code) == key | tolower(cr$old_la_code) == key |
              tolower(cr$la_name) == key, ]
  out$la_published_rate <- if (nrow(own)) own$rate[match(out$code, own$code)] else NA_real_
  sn_codes <- character()
  if (neighbours) {
    out$neighbours_rate <- NA_real_
    if (nrow(own)) {
      sn <- cin_statistical_neighbours()
      sn_codes <- sn$neighbour_old_code[sn$old_la_code == own$old_la_code[1]]
      nb <- cr[cr$old_la_code %in% sn_codes & cr$status == "published", ]
      if (nrow(nb)) {
        s_c <- tapply(nb$count, nb$code, sum)
        s_e <- tapply(nb$episodes, nb$code, sum)
        out$neighbours_rate <- as.numeric((s_c / s_e)[out$code])
      }
    }
  }
  out$ratio_england <- out$rate / out$england_rate
  attr(out, "la") <- la
  attr(out, "year") <- year
  attr(out, "national_year") <- national_year
  attr(out, "neighbours") <- sn_codes
  out
}

cin_statistical_neighbours <- function() {
  utils::read.csv(system.file("extdata", "statistical_neighbours_2021.csv", package = "cscdemand"),
                  colClasses = c("character", "character", "integer", "character", "character"))
}
