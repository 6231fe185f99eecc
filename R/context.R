# Council context: a council's published figures beside England, its region and the
# mean of its statistical neighbours, from the DfE and ONS tables shipped as package data
# (see data-raw/context.R and R/reference-data.R).

#' A council's published figures beside England, its region and its statistical neighbours
#'
#' For each year and measure, `council_context()` returns the council's published count,
#' rate per 10,000 children aged 0-17 and percentage, beside the same figures for England,
#' the council's region and the mean of its ten statistical neighbours (DfE's 2025
#' statistical neighbours model by default). The figures come from the DfE tables shipped
#' with the package ([context_published], [context_factors]); nothing is downloaded.
#'
#' @section Comparators:
#' The package uses one definition of each comparator everywhere (here,
#' [compare_to_national()] and the report). *England* and *Region*: DfE's published
#' figures for the whole area (a pooled rate: all the area's children or episodes).
#' *Statistical neighbours*: the unweighted mean of the neighbours' published rates (and
#' percentages), over the neighbours with a published value that year (`n_neighbours`),
#' as in DfE's benchmarking tools; every neighbour counts the same whatever its size, and
#' the figure has no count.
#'
#' Values that DfE withheld are `NA` with the DfE mark in `mark` (see [context_marks]);
#' they are never treated as zero.
#'
#' Councils created by local government reorganisation keep their history: for the years
#' before a council existed its rows are those of its predecessor(s) (for example
#' Northamptonshire before North and West Northamptonshire), with the `area` column naming
#' the predecessor and a `note` saying what changed. Councils abolished by a
#' reorganisation can still be named; their rows stop in their last year.
#'
#' @param la The council: a DfE local authority number (the "old LA code", for example
#'   `937` or `"937"`), an ONS code (current or former, for example `"E10000031"`) or a
#'   name. Names are matched ignoring case, punctuation, "City of" and "County"; a name
#'   that matches one council by whole words (`"Hull"`) is accepted with a message; the
#'   name of a lower-tier district resolves to its children's services authority. A
#'   misspelt name is an error of class `cscdemand_error_council` that lists the closest
#'   names.
#' @param years DfE reporting years (the year ending 31 March; `2025` is 2024-25), or
#'   `NULL` (the default) for every year with published figures for the measures chosen.
#' @param measures Measures from [context_dictionary]`$measure`. `NULL` (the default)
#'   gives the headline measures: referrals, re-referrals, referrals ending in no further
#'   action, assessments finding the child not in need, children in need at 31 March and
#'   at any point, section 47 enquiries and initial child protection conferences (DfE
#'   table C4), child protection plans starting and second or subsequent plans, and
#'   episodes with factors at assessment. `"factors"` stands for every factor at
#'   assessment (CIN codes, as % of episodes with factors); a CIN code such as `"3B"`
#'   picks one factor (codes 8B to 8F are published together as `"8B-8F"`).
#' @param history `TRUE` (the default) to show predecessors' figures for years before a
#'   council was created; `FALSE` to show only the council's own years.
#' @param verbose `TRUE` (the default) to report, as a message, how a name was matched.
#' @param neighbour_edition Statistical neighbours: `2025` (the default; DfE's 2025
#'   statistical neighbours model, with closeness labels) or `2021` (DfE's groupings of
#'   April 2021). See [context_neighbours].
#'
#' @return A data frame of class `cscdemand_context`, one row per year, measure and
#'   comparator, with columns `year`, `measure`, `label`, `unit`, `comparator` (a factor:
#'   `"Council"`, `"Region"`, `"Statistical neighbours"`, `"England"`), `area` (the name
#'   of the area the figures are for), `count`, `rate_10k` (per 10,000 children aged 0-17
#'   in the matching year), `percent` (of the measure's base, see [context_dictionary]),
#'   `value` (the headline figure: `percent` for percentage measures, otherwise
#'   `rate_10k`), `mark` (why `value` is missing: a DfE mark, or `"z"` for a year the
#'   council did not exist), `n_neighbours` and `note`. Attributes `council` (its row of
#'   [context_councils]), `neighbours` (the neighbours' DfE numbers, named),
#'   `closeness` (DfE's closeness label of each neighbour, 2025 model), `neighbour_edition`
#'   and `notes` (the notes that apply).
#'
#' @family council context
#' @export
#' @examples
#' ctx <- council_context("Warwickshire", years = 2021:2025,
#'                        measures = c("referrals", "cin_at_31_march"))
#' ctx
#' # The same council by DfE number or ONS code
#' nrow(council_context(937, years = 2025))
#' # Factors at assessment, as % of episodes with factors
#' head(council_context("E10000031", years = 2025, measures = "factors"))
#' # A council created in 2021 keeps Northamptonshire's history, with a note
#' attr(council_context("West Northamptonshire", measures = "referrals"), "notes")
council_context <- function(la, years = NULL, measures = NULL, history = TRUE,
                            verbose = TRUE, neighbour_edition = 2025) {
  check_flag(history)
  check_flag(verbose)
  neighbour_edition <- check_neighbour_edition(neighbour_edition)
  council <- context_resolve(la, verbose = verbose, call = rlang::current_env())
  measures <- context_check_measures(measures)
  data <- context_data(measures)
  years <- context_check_years(years, data)

  # The council's own rows, with predecessors' rows for the years before it existed.
  ids <- council$la_number
  notes <- character()
  if (!is.na(council$note)) notes <- council$note
  pred <- context_predecessors(council$la_number)
  if (history && length(pred)) ids <- c(ids, pred)
  own <- data[data$level == "Local authority" & data$la_number %in% ids &
                data$year %in% years, ]
  # A predecessor only stands in for years before the council existed.
  own <- own[own$la_number == council$la_number | own$year < council$first_year, ]
  own <- context_pick_area(own, "Council")
  own$note <- ifelse(own$la_number == council$la_number, NA_character_,
                     paste0("Figures for ", own$area, ", a predecessor of ", council$name, "."))
  own$n_neighbours <- NA_integer_
  missing_years <- setdiff(years, own$year)
  if (length(missing_years)) {
    gap <- context_gap_rows(missing_years, measures, council$name,
                            paste0(council$name, " did not exist in this year."))
    own <- rbind(own[, names(gap)], gap)
  }

  region <- data[data$level == "Regional" & data$code %in% council$region_code &
                   data$year %in% years, ]
  region <- context_pick_area(region, "Region")
  england <- data[data$level == "National" & data$year %in% years, ]
  england <- context_pick_area(england, "England")
  region$note <- england$note <- NA_character_
  region$n_neighbours <- england$n_neighbours <- NA_integer_

  nb <- context_neighbour_numbers(council, neighbour_edition)
  if (!is.null(attr(nb, "note"))) notes <- c(notes, attr(nb, "note"))
  sn <- context_neighbour_mean(data, nb, years)

  out <- rbind(own[, names(sn)], region[, names(sn)], sn, england[, names(sn)])
  dict <- cscdemand::context_dictionary
  i <- match(out$measure, dict$measure)
  out$label <- dict$label[i]
  out$unit <- dict$unit[i]
  pct <- !is.na(dict$base_measure[i])
  out$value <- ifelse(pct, out$percent, out$rate_10k)
  out$mark <- ifelse(is.na(out$value), ifelse(pct, out$percent_mark, out$rate_mark),
                     NA_character_)
  out$mark[is.na(out$value) & is.na(out$mark)] <- "x"
  out$comparator <- factor(out$comparator, levels = context_comparators)
  out <- out[order(match(out$measure, measures), out$year, out$comparator, out$area), ]
  out <- out[, c("year", "measure", "label", "unit", "comparator", "area", "count",
                 "rate_10k", "percent", "value", "mark", "n_neighbours", "note")]
  rownames(out) <- NULL
  notes <- unique(notes)
  structure(out, class = c("cscdemand_context", "data.frame"),
            council = council, neighbours = stats::setNames(as.integer(nb), names(nb)),
            closeness = attr(nb, "closeness"), neighbour_edition = neighbour_edition,
            notes = notes)
}

#' @export
print.cscdemand_context <- function(x, ..., digits = 1) {
  council <- attr(x, "council")
  needed <- c("year", "measure", "label", "unit", "comparator", "area", "value", "mark")
  if (is.null(council) || !all(needed %in% names(x))) {
    # Columns were dropped: print as the data frame it now is.
    print(as.data.frame(unclass(x)[names(x)], stringsAsFactors = FALSE), ...)
    return(invisible(x))
  }
  cli::cli_text("{.strong Council context: {council$name}} (DfE {council$la_number}, {council$code}, {council$region_name})")
  nb <- names(attr(x, "neighbours"))
  ed <- attr(x, "neighbour_edition") %||% 2021L
  if (length(nb)) cli::cli_text("Statistical neighbours ({sn_label(ed)}): {nb}")
  for (m in unique(x$measure)) {
    xm <- x[x$measure == m, ]
    cli::cli_text("")
    cli::cli_text("{.emph {xm$label[1]}} ({xm$unit[1]})")
    shown <- ifelse(is.na(xm$value), paste0("[", xm$mark, "]"),
                    formatC(xm$value, format = "f", digits = digits, big.mark = ","))
    col <- as.character(xm$comparator)
    col[col == "Statistical neighbours"] <- "Neighbours"
    col[col == "Council" & xm$area != council$name] <- "Council*"
    tab <- tapply(shown, list(xm$year, factor(col, unique(c("Council", "Council*", col)))),
                  function(v) paste(v, collapse = "; "))
    tab[is.na(tab)] <- ""
    tab <- tab[, colSums(tab != "") > 0, drop = FALSE]
    print(noquote(tab), right = TRUE)
  }
  notes <- attr(x, "notes")
  if (any(x$area != council$name & x$comparator == "Council")) {
    notes <- c("Council*: figures of a predecessor council.", notes)
  }
  if (length(notes)) {
    cli::cli_text("")
    for (n in notes) cli::cli_text("{.emph Note:} {n}")
  }
  invisible(x)
}

# ---- helpers ------------------------------------------------------------------

context_comparators <- c("Council", "Region", "Statistical neighbours", "England")

context_default_measures <- c("referrals", "rereferrals", "referrals_nfa",
                              "assessed_not_in_need", "cin_at_31_march",
                              "cin_children_any_point", "section47", "icpc",
                              "cpp_started", "cpp_subsequent", "episodes_with_factors")

context_check_measures <- function(measures, arg = "measures", call = rlang::caller_env()) {
  dict <- cscdemand::context_dictionary
  if (is.null(measures)) return(context_default_measures)
  if (!is.character(measures) || length(measures) < 1L || anyNA(measures)) {
    abort_input(c("{.arg {arg}} must be a character vector of measure names.",
                  i = "See {.code context_dictionary$measure}."), call = call)
  }
  factors <- dict$measure[dict$source == "C3" & !is.na(dict$factor_code)]
  measures <- unlist(lapply(measures, function(m) if (identical(m, "factors")) factors else m))
  # CIN codes inside the pooled private fostering column
  measures[measures %in% c("8B", "8C", "8D", "8E", "8F")] <- "8B-8F"
  bad <- setdiff(measures, dict$measure)
  if (length(bad)) {
    near <- unique(unlist(lapply(bad, function(b) {
      d <- utils::adist(tolower(b), tolower(dict$measure))
      dict$measure[order(d)[1:3]]
    })))
    abort_input(c("{.arg {arg}} has unknown measure{?s} {.val {bad}}.",
                  i = "Did you mean {.val {near}}?",
                  i = "Known measures are in {.code context_dictionary$measure}; {.val factors} picks every factor."),
                class = "cscdemand_error_measure", call = call)
  }
  unique(measures)
}

context_data <- function(measures) {
  cols <- c("year", "level", "code", "la_number", "name", "region_code", "measure",
            "count", "count_mark", "rate_10k", "rate_mark", "percent", "percent_mark")
  pub <- cscdemand::context_published
  fac <- cscdemand::context_factors
  rbind(pub[pub$measure %in% measures, cols], fac[fac$measure %in% measures, cols])
}

context_check_years <- function(years, data, arg = "years", call = rlang::caller_env()) {
  have <- sort(unique(data$year))
  if (is.null(years)) return(have)
  if (!is.numeric(years) || length(years) < 1L || anyNA(years) || any(years != round(years))) {
    abort_input(c("{.arg {arg}} must be whole years (the year ending 31 March).",
                  x = "You supplied {.val {format(years)}}."), call = call)
  }
  bad <- setdiff(years, have)
  if (length(bad)) {
    abort_input(c("{.arg {arg}} has year{?s} without published figures for these measures: {.val {bad}}.",
                  i = "Published years: {min(have)} to {max(have)} (the year ending 31 March)."),
                class = "cscdemand_error_years", call = call)
  }
  sort(unique(as.integer(years)))
}

context_pick_area <- function(x, comparator) {
  x$comparator <- rep(comparator, nrow(x))
  x$area <- x$name
  x
}

context_gap_rows <- function(years, measures, area, note) {
  g <- expand.grid(year = as.integer(years), measure = measures, stringsAsFactors = FALSE)
  data.frame(year = g$year, measure = g$measure, comparator = "Council", area = area,
             la_number = NA_integer_, count = NA_real_, count_mark = "z", rate_10k = NA_real_,
             rate_mark = "z", percent = NA_real_, percent_mark = "z", n_neighbours = NA_integer_,
             note = note, stringsAsFactors = FALSE)
}

context_neighbour_mean <- function(data, nb, years) {
  x <- data[data$level == "Local authority" & data$la_number %in% nb & data$year %in% years, ]
  key <- paste(x$year, x$measure)
  groups <- split(seq_len(nrow(x)), key)
  res <- lapply(groups, function(i) {
    xi <- x[i, ]
    data.frame(year = xi$year[1], measure = xi$measure[1], comparator = "Statistical neighbours",
               area = "Mean of statistical neighbours", la_number = NA_integer_,
               count = NA_real_, count_mark = NA_character_,
               rate_10k = neighbour_mean(xi$rate_10k), rate_mark = context_mark(xi$rate_mark),
               percent = neighbour_mean(xi$percent), percent_mark = context_mark(xi$percent_mark),
               n_neighbours = sum(!is.na(xi$rate_10k) | !is.na(xi$percent)),
               note = NA_character_, stringsAsFactors = FALSE)
  })
  if (!length(res)) {
    return(data.frame(year = integer(), measure = character(), comparator = character(),
                      area = character(), la_number = integer(), count = numeric(),
                      count_mark = character(), rate_10k = numeric(), rate_mark = character(),
                      percent = numeric(), percent_mark = character(), n_neighbours = integer(),
                      note = character()))
  }
  do.call(rbind, res)
}

context_mark <- function(m) {
  m <- m[!is.na(m)]
  if (!length(m)) return(NA_character_)
  names(sort(table(m), decreasing = TRUE))[1]
}

