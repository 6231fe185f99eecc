# The reference-data layer: one copy of each published table (data/, built by
# data-raw/), views of those tables under older names, the statistical neighbours of
# a council, and the one definition of each comparator.
#
# Comparators (used by council_context(), compare_to_national() and the report):
# * England: DfE's published national figure (national counts are rounded to 10).
# * Region: DfE's published regional figure.
#   England and region are totals over every council: a pooled rate.
# * Statistical neighbours: the unweighted mean of the neighbours' published rates
#   (or percentages), over the neighbours with a published value that year, as DfE's
#   benchmarking tools (LAIT) compute the statistical neighbour average. Every
#   neighbour counts the same, whatever its size. The number used is reported.

# Views, bound when the package loads and built on first use (from data/).
.onLoad <- function(libname, pkgname) {
  ns <- topenv()
  reference_bind(ns, "national_factor_rates", c3_national_view)
  reference_bind(ns, "context_districts", districts_view)
}

reference_bind <- function(env, name, build) {
  cache <- NULL
  if (exists(name, envir = env, inherits = FALSE)) return(invisible())
  makeActiveBinding(name, function() {
    if (is.null(cache)) cache <<- build()
    cache
  }, env)
}

#' DfE table C3 in the layout of the data layer (a view of context_factors)
#'
#' The number and rate of episodes with each factor identified at the end of
#' assessment, for England, the regions and every council, census years 2018
#' to 2025, from DfE table C3 (Characteristics of children in need), in long
#' form. The package ships table C3 once, as [context_factors];
#' `national_factor_rates` is the same published figures in the layout used for
#' simulating data ([simulate_cin()]) and [compare_to_national()], built from
#' [context_factors] when first used (it is not a separate data file, so
#' `data(national_factor_rates)` does not find it; use the name directly).
#'
#' @format A data frame with one row per year, area and factor (51,168 rows)
#'   and 13 columns:
#' \describe{
#'   \item{year}{Census year, as the year the collection ends (2025 = 2024-25).}
#'   \item{geographic_level}{Factor: National, Regional, Local authority.}
#'   \item{region_code, region_name}{Region (`NA` for England); Inner and Outer
#'     London are regions here, as in the DfE file.}
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
#' @source Department for Education, "Characteristics of children in need",
#'   table C3 "Factors identified at the end of assessment", 2018 to 2025
#'   (explore education statistics), built by `data-raw/context.R` into
#'   [context_factors]. Contains public sector information licensed under the
#'   Open Government Licence v3.0.
#' @family reference data
#' @name national_factor_rates
#' @rawNamespace export(national_factor_rates)
#' @examples
#' eng <- subset(national_factor_rates, geographic_level == "National" & year == 2025)
#' head(eng[order(-eng$rate), c("code", "dfe_column", "count", "rate")])
NULL

#' Lower-tier districts and their children's services authority (a view of la_lookup)
#'
#' The current (April 2023) rows of [la_lookup], the package's one district to
#' authority lookup, with the columns named as in the other council context data
#' sets. Used to resolve a district's name or code to its council.
#'
#' @format A data frame with columns `district_code`, `district_name`, `code` and `name`
#'   (of the upper-tier authority) and `la_number` (its DfE number).
#' @source Office for National Statistics, "Lower Tier Local Authority to Upper Tier Local
#'   Authority (April 2023) Lookup in England and Wales", built by `data-raw/imd.R` into
#'   [la_lookup]. Contains public sector information licensed under the Open Government
#'   Licence v3.0.
#' @family reference data
#' @name context_districts
#' @rawNamespace export(context_districts)
#' @examples
#' context_districts[context_districts$name == "Warwickshire", ]
NULL

# ---- views --------------------------------------------------------------------

c3_national_view <- function() {
  f <- cscdemand::context_factors
  dict <- cscdemand::context_dictionary
  councils <- cscdemand::context_councils
  base <- f[f$measure == "episodes_with_factors", ]
  x <- f[f$measure != "episodes_with_factors", ]
  key <- function(d) paste(d$year, d$level, d$code, d$la_number)
  episodes <- as.integer(base$count[match(key(x), key(base))])
  areas <- unique(f[f$level %in% c("Regional", "London sub-region"), c("code", "name")])
  la <- x$level == "Local authority"
  region <- ifelse(la | x$level == "National", x$region_code, x$code)
  lon <- councils$london[match(x$la_number, councils$la_number)]
  sub <- la & !is.na(lon)
  region[sub] <- areas$code[match(lon[sub], areas$name)]
  status_of <- c(x = "not collected", c = "suppressed", z = "not applicable",
                 u = "low reliability")
  count <- as.integer(x$count)
  out <- data.frame(
    year = as.integer(x$year),
    geographic_level = factor(ifelse(x$level == "London sub-region", "Regional", x$level),
                              levels = c("National", "Regional", "Local authority")),
    region_code = region,
    region_name = areas$name[match(region, areas$code)],
    old_la_code = ifelse(la, as.character(x$la_number), NA_character_),
    new_la_code = ifelse(la, x$code, NA_character_),
    la_name = ifelse(la, x$name, NA_character_),
    code = x$measure,
    dfe_column = dict$dfe_column[match(x$measure, dict$measure)],
    episodes = episodes,
    status = ifelse(is.na(x$count_mark), "published", unname(status_of[x$count_mark])),
    count = count,
    rate = count / episodes,
    stringsAsFactors = FALSE)
  cf <- cscdemand::cin_factors
  out <- out[order(-out$year, out$geographic_level, out$region_code, out$old_la_code,
                   match(out$dfe_column, cf$dfe_column)), ]
  rownames(out) <- NULL
  out
}

districts_view <- function() {
  lk <- cscdemand::la_lookup
  d <- lk[lk$change == "current (April 2023)", ]
  out <- data.frame(district_code = d$district_code, district_name = d$district_name,
                    code = d$la_code, name = d$la_name, la_number = d$la_number,
                    stringsAsFactors = FALSE)
  out <- out[order(out$district_code), ]
  rownames(out) <- NULL
  out
}

# ---- statistical neighbours -----------------------------------------------------

sn_editions <- c(2025L, 2021L)

check_neighbour_edition <- function(edition, arg = rlang::caller_arg(edition),
                                    call = rlang::caller_env()) {
  if (!is.numeric(edition) || length(edition) != 1L || !edition %in% sn_editions) {
    abort_input(c("{.arg {arg}} must be 2025 (DfE's 2025 statistical neighbours model) or 2021 (the April 2021 groupings).",
                  x = "You supplied {.val {format(edition)}}."),
                class = "cscdemand_error_edition", call = call)
  }
  as.integer(edition)
}

# Neighbour DfE numbers of a council (a row of context_councils), named, closest first.
# A council without neighbours of its own in the edition borrows its predecessor's;
# neighbours abolished since are followed by their successors in later years. Attributes:
# `note` (what was done) and `closeness` (DfE's label for each neighbour).
context_neighbour_numbers <- function(council, edition = 2025L) {
  sn <- cscdemand::context_neighbours
  sn <- sn[sn$edition == edition, ]
  councils <- cscdemand::context_councils
  own <- sn[sn$la_number == council$la_number, ]
  note <- NULL
  if (!nrow(own)) {
    pred <- context_predecessors(council$la_number)
    own <- sn[sn$la_number %in% pred & sn$neighbour_number != council$la_number, ]
    own <- own[!duplicated(own$neighbour_number), ]
    if (nrow(own)) {
      note <- paste0(council$name, " has no DfE statistical neighbours of its own (",
                     sn_label(edition), "); the neighbours of ",
                     paste(councils$name[match(pred, councils$la_number)], collapse = " and "),
                     " are used.")
    }
  }
  nb <- own$neighbour_number
  closeness <- own$closeness
  succ <- councils$successors[match(nb, councils$la_number)]
  if (any(!is.na(succ))) {
    later <- as.integer(unlist(strsplit(succ[!is.na(succ)], ";", fixed = TRUE)))
    note <- c(note, paste0(
      "Neighbours reorganised since the groupings (",
      paste(councils$name[match(nb[!is.na(succ)], councils$la_number)], collapse = ", "),
      ") are followed by their successor councils in later years."))
    add <- setdiff(later, c(nb, council$la_number))
    nb <- c(nb, add)
    closeness <- c(closeness, rep(NA_character_, length(add)))
  }
  structure(nb, names = councils$name[match(nb, councils$la_number)], note = note,
            closeness = closeness, edition = edition)
}

sn_label <- function(edition) {
  if (edition == 2025L) "DfE statistical neighbours model 2025" else "DfE groupings of April 2021"
}

# The statistical neighbour comparator: the unweighted mean of the neighbours' values
# (NA when none is published). The one definition, used everywhere.
neighbour_mean <- function(v) if (all(is.na(v))) NA_real_ else mean(v, na.rm = TRUE)

context_predecessors <- function(la_number) {
  councils <- cscdemand::context_councils
  p <- councils$predecessors[councils$la_number == la_number]
  if (!length(p) || is.na(p)) return(integer())
  as.integer(strsplit(p, ";", fixed = TRUE)[[1]])
}
