#' Read, audit and prepare a council's extract for the report
#'
#' The first step of [demand_report()], usable on its own: reads the extract
#' ([read_cin_assessments()]), builds one row per episode
#' ([episode_factors()]), keeps the years asked for, names every council in
#' the data (names, never codes, in everything published) and picks the
#' council the report is about. It also adds the columns the report tables
#' use: `council` (name), `age_group` (0-4, 5-9, 10-15, 16+), `threshold_reached`
#' ([episode_threshold()]) where the data allow.
#'
#' @inheritParams demand_report
#' @return A list of class `cscdemand_report_data`: `title`, `subtitle` (the
#'   source and the years read: "CIN census returns 2022-23 to 2024-25",
#'   "Simulated example data, reporting years ..."), `episodes` (every
#'   council's episodes, in an order that does not depend on how they were
#'   read: council, year, referral date, factors), `own` (logical: the chosen council's episodes),
#'   `items` (factor columns), `council` (name), `council_row` (its row of
#'   [context_councils], or `NULL` for a council not in England's list),
#'   `councils` (names of the councils in the data, by number of episodes),
#'   `all_councils` ("both councils", "all 3 councils"),
#'   `years`, `years_text` (the reporting years as published, such as
#'   "2022-23 to 2024-25"), `source` (where the data came from, as a phrase
#'   such as "the council's CIN census returns" or "simulated example
#'   data"), `example` (logical: simulated data), `lsoa_lookup` (logical: an LSOA lookup
#'   was given), `audit` (a publishable audit table:
#'   counts under `threshold` are shown as "c", also inside the detail text;
#'   with several councils in the data, of the chosen council's episodes
#'   only, so that no other council's counts are published) and `audit_own`
#'   (logical: the audit is of the council's episodes alone; `FALSE` only
#'   when several councils' episodes were given as a `cin_episodes` table,
#'   whose assessments are not at hand), with attributes `threshold` and the unpublished audit counts. When
#'   `data` is such an object already, its audit is published again under
#'   `threshold` (which may differ from the one it was built with); a
#'   `council` or `years` other than its own is an error.
#' @family report
#' @export
#' @examples
#' rd <- report_data("example", council = "Leicestershire")
#' rd$council
#' rd$councils
#' sum(rd$own)
#' rd$audit
report_data <- function(data = "example", council = NULL, years = NULL, threshold = 10,
                        lsoa = NULL) {
  check_count(threshold)
  if (inherits(data, "cscdemand_report_data")) {
    if (!is.null(lsoa)) {
      abort_input(c("{.arg lsoa} cannot be added to report data built already.",
                    i = "Build them again with {.code report_data(data, lsoa = ...)}."),
                  class = "cscdemand_error_data")
    }
    return(report_data_recheck(data, council, years, threshold))
  }
  rin <- report_read(data, lsoa)
  episodes <- rin$episodes
  items <- factor_columns(episodes)
  if (!length(items) || !nrow(episodes)) {
    n_ep <- nrow(episodes)
    n_txt <- fmt_count_public(n_ep, threshold)
    abort_input(c("No factor is left to analyse: every factor was dropped, as present in fewer than 10 episodes or excluded (the exclusions of Kingston University's study, the defaults of {.fn episode_factors}).",
                  x = "The extract you supplied in {.arg data} gives {n_txt} episode{cli::qty(n_ep)}{?s} with factors.",
                  i = "A latent class analysis needs a few hundred episodes at least: give a longer period or more councils in {.arg data}, or drop or widen {.arg years}."),
                class = "cscdemand_error_data")
  }
  au <- as.data.frame(audit(episodes), stringsAsFactors = FALSE)
  if (is.null(au$unit)) au$unit <- "rows"
  au <- au[c("stage", "step", "n", "detail", "unit")]
  if (!is.null(years)) {
    if (!"year" %in% names(episodes)) {
      abort_input(c("{.arg years} needs a {.field year} column in the extract, and it has none.",
                    x = "You supplied {.code years = {deparse(years)}} with an extract without {.field year}.",
                    i = "Drop {.arg years} to use every episode, or add a {.field year} column (the DfE reporting year, such as 2024 for 2023-24) to the extract."),
                  class = "cscdemand_error_column")
    }
    keep <- !is.na(episodes$year) & episodes$year %in% years
    n_outside <- sum(!keep)
    episodes <- episodes[keep, , drop = FALSE]
    if (!nrow(episodes)) {
      abort_input(c("No episode is in the years chosen ({.val {years}}).",
                    i = "The extract has years {.val {sort(unique(audit_years(rin$episodes)))}}."),
                  class = "cscdemand_error_data")
    }
  }
  au <- report_audit_close(au, if (!is.null(years)) n_outside, nrow(episodes), years)
  who <- report_councils(episodes, council)
  # a council's report audits its own episodes, not the other councils'
  au_own <- report_council_audit(rin, unique(as.character(episodes$la[who$names == who$council])),
                                 sum(who$names == who$council), items, years)
  if (!is.null(au_own)) au <- au_own
  episodes$council <- who$names
  # other councils' episodes fewer than the threshold in all cannot be
  # pooled: the fit's statistics (log-likelihood and BIC give the number of
  # episodes fitted) less the council's published count would give their
  # count back. They are left out of the model, and the report says so.
  others <- who$names != who$council
  others_left_out <- any(others) && sum(others) < threshold
  if (others_left_out) {
    cli::cli_inform(c("!" = "The other councils' episodes number fewer than {threshold} in all: too few to pool without giving their count away, so the model is fitted to {who$council}'s episodes alone."))
    episodes <- episodes[!others, , drop = FALSE]
  }
  episodes <- report_order(report_columns(episodes), items)
  yrs <- if ("year" %in% names(episodes)) sort(unique(episodes$year)) else NULL
  subtitle <- report_subtitle(rin$kind, rin$source, yrs)
  codes <- unique(report_council_codes(rin, unique(as.character(episodes$la[episodes$council == who$council]))))
  structure(list(title = paste0("Categories of demand in children's social care: ", who$council),
                 subtitle = subtitle,
                 episodes = episodes, own = episodes$council == who$council, items = items,
                 council = who$council, council_row = who$row,
                 councils = names(sort(table(episodes$council), decreasing = TRUE)),
                 all_councils = councils_phrase(length(unique(episodes$council))),
                 years = yrs, years_text = report_years_text(yrs),
                 source = report_source_text(rin$kind, rin$source),
                 example = rin$kind == "simulated", lsoa_lookup = !is.null(lsoa),
                 audit = report_audit(au, threshold, report_source_text(rin$kind, rin$source), yrs, codes = codes),
                 audit_own = !is.null(au_own) || length(unique(who$names)) == 1L,
                 others_left_out = others_left_out),
            class = "cscdemand_report_data", threshold = threshold, audit_counts = au, audit_codes = codes)
}

# A prebuilt report_data() object: the audit is published again under the
# threshold the caller asks for now (it may differ from the one it was built
# with), from the counts kept with it; a council or years other than its own
# are an error, since the episodes were chosen for those.
report_data_recheck <- function(rd, council, years, threshold, call = rlang::caller_env()) {
  au <- attr(rd, "audit_counts")
  if (is.null(au)) {
    abort_input(c("This {.cls cscdemand_report_data} object has no audit counts, so its small numbers cannot be checked against {.arg threshold}.",
                  x = "You supplied an object made by hand or by an older version of cscdemand.",
                  i = "Build it again with {.code report_data(data, council, years, threshold = {threshold})}."),
                class = "cscdemand_error_data", call = call)
  }
  if (!is.null(council)) {
    target <- find_council(council, verbose = FALSE)$name
    if (!identical(target, rd$council)) {
      abort_input(c("The report data are about {.val {rd$council}}, not {.val {target}}.",
                    x = "You supplied {.arg council} = {.val {format(council)}} with report data built for another council.",
                    i = "Build them again with {.code report_data(data, council = {deparse(council)})}, or leave {.arg council} out."),
                  class = "cscdemand_error_council", call = call)
    }
  }
  if (!is.null(years) && !all(rd$years %in% years)) {
    abort_input(c("The report data hold years {.val {rd$years}}, not only the years asked for.",
                  x = "You supplied {.code years = {deparse(years)}}.",
                  i = "Build them again with {.code report_data(data, years = {deparse(years)})}, or leave {.arg years} out."),
                class = "cscdemand_error_data", call = call)
  }
  rd$audit <- report_audit(au, threshold, rd$source, rd$years, codes = attr(rd, "audit_codes"))
  attr(rd, "threshold") <- threshold
  rd
}

audit_years <- function(a) if ("year" %in% names(a)) a$year else NA

# Council names for every episode and the council the report is about.
report_councils <- function(episodes, council) {
  n <- nrow(episodes)
  la <- if ("la" %in% names(episodes)) as.character(episodes$la) else rep(NA_character_, n)
  codes <- unique(la[!is.na(la)])
  rows <- lapply(codes, function(x) tryCatch(find_council(x, verbose = FALSE), error = function(e) NULL))
  nm <- vapply(seq_along(codes), function(i) if (is.null(rows[[i]])) codes[i] else rows[[i]]$name,
               character(1))
  names_all <- unname(stats::setNames(nm, codes)[la])
  target <- if (is.null(council)) NULL else find_council(council, verbose = FALSE)
  if (!length(codes)) {
    # no council column: every episode is the council's
    name <- if (is.null(target)) "The council" else target$name
    return(list(names = rep(name, n), council = name, row = target))
  }
  if (is.null(target)) {
    tab <- sort(table(names_all), decreasing = TRUE)
    name <- names(tab)[1]
    row <- rows[[match(name, nm)]]
    return(list(names = names_all, council = name, row = row))
  }
  if (!target$name %in% nm) {
    abort_input(c("{.val {target$name}} is not in the data.",
                  i = "The data hold {.val {sort(unique(nm))}}; give one of them as {.arg council}."),
                class = "cscdemand_error_council")
  }
  list(names = names_all, council = target$name, row = target)
}

# Columns the report tables use, derived where the data allow.
report_columns <- function(episodes) {
  if ("age" %in% names(episodes)) {
    episodes$age_group <- cut(episodes$age, c(-Inf, 4, 9, 15, Inf),
                              labels = c("0-4", "5-9", "10-15", "16 and over"))
  }
  if ("disability" %in% names(episodes) && !is.numeric(episodes$disability)) {
    d <- tolower(trimws(as.character(episodes$disability)))
    episodes$disability <- ifelse(d %in% c("1", "true", "yes"), 1L,
                                  ifelse(d %in% c("0", "false", "no"), 0L, NA_integer_))
  }
  th <- tryCatch(episode_threshold(episodes), error = function(e) NULL)
  if (!is.null(th)) episodes$threshold_reached <- th
  episodes
}

#' @export
print.cscdemand_report_data <- function(x, ...) {
  thr <- attr(x, "threshold") %||% 10
  n_show <- function(n) fmt_count_public(n, thr)
  cat("<cscdemand_report_data> ", x$title, "\n", sep = "")
  cat(x$subtitle, "\n", sep = "")
  cat("Episodes: ", n_show(sum(x$own)), " in ", x$council, ", ",
      n_show(nrow(x$episodes)), " in all ", length(x$councils), " council",
      if (length(x$councils) != 1) "s", "\n", sep = "")
  if (length(x$years)) cat("Reporting years: ", paste(x$years, collapse = ", "), "\n", sep = "")
  cat("Factors: ", length(x$items), " (", paste(utils::head(x$items, 8), collapse = ", "),
      if (length(x$items) > 8) ", ...", ")\n", sep = "")
  cat("Audit (counts under ", format(thr, big.mark = ",", scientific = FALSE),
      " shown as \"c\"):\n", sep = "")
  print(x$audit, row.names = FALSE)
  cat("Episode rows are not printed (they hold identifiers): use x$episodes with care.\n")
  invisible(x)
}
