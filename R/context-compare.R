# "Our extract" against "our published return": the council's own episode table
# summarised the way DfE table C3 is, beside the published figures.

#' Compare the council's episode extract with its published DfE figures
#'
#' Counts, per council and year, the episodes in `episodes` with each factor identified
#' at the end of assessment, and the episodes with at least one factor, and sets them
#' beside the council's published figures in DfE table C3 ([context_factors]). A
#' difference larger than the tolerance is flagged: an extract that lost records, or a
#' factor column that was mis-mapped, shows up here.
#'
#' The published council figures are unrounded, so small differences come only from
#' records changed after the census return. A difference is flagged when it is larger
#' than both `tolerance` (as a proportion of the published count) and `min_difference`
#' (episodes). Episodes with at least one factor are compared only when the extract has a
#' column for every factor DfE published for the council that year (status
#' `"not comparable ..."` otherwise). Published figures that DfE withheld are not compared: their DfE mark is
#' in `published_mark` and `status` says why.
#'
#' @param episodes A data frame with one row per episode (a referral whose assessment
#'   ended in the year) and 0/1 (or logical) factor columns; `NA` counts as not
#'   identified. A `cin_assessments` object ([read_cin_assessments()]) or a
#'   `cin_episodes` table works too (counted as for [compare_to_national()]).
#' @param factors How the factor columns map to CIN codes: a named character vector
#'   `c(column = "code")`, for example `c(dv_child = "3A", neglect = "16A")`. `NULL` (the
#'   default) finds the columns named by CIN code, with or without a prefix: `3A`,
#'   `f_3A`, `factor_3A`, `X3A` (the name R gives `3A` in a data frame), or by DfE
#'   column name (`Domestic_Abuse_child`), read by the package's one code mapper (the
#'   one [read_cin_assessments()] uses). Codes 8B to 8F count together, as DfE publishes
#'   them.
#' @param la_col Name of the column holding the council (DfE number, ONS code or name; see
#'   [find_council()]), or `NULL` when `la` is given.
#' @param year_col Name of the column holding the DfE reporting year (the year ending 31
#'   March in which the assessment ended).
#' @param la The council, when `episodes` has no council column (`la_col = NULL`).
#' @param tolerance Relative difference to flag (default `0.05`, 5%).
#' @param min_difference Smallest absolute difference, in episodes, to flag (default 10).
#' @param referrals `TRUE` if `episodes` has one row for every referral in the year
#'   (assessed or not): the number of rows is then also compared with the published
#'   number of referrals (DfE table C1). `FALSE` (the default) when the extract holds
#'   only assessed episodes.
#' @inheritParams council_context
#' @return A data frame of class `cscdemand_context_comparison`, one row per council,
#'   year and measure (`referrals` if asked for, `episodes_with_factors`, then each
#'   factor), with columns `la_number`, `name`, `year`, `measure`, `label`, `extract`, `published`,
#'   `published_mark`, `difference` (extract minus published), `relative_difference`,
#'   `extract_percent`, `published_percent` (of episodes with factors), `flag` and
#'   `status` (`"agrees"`, `"differs"`, `"not published (mark)"` or
#'   `"year not published"`).
#' @family council context
#' @export
#' @examples
#' # A made-up extract for Warwickshire in 2025 with three factor columns
#' set.seed(1)
#' n <- 3000
#' episodes <- data.frame(
#'   la = "Warwickshire", year = 2025,
#'   f_3A = rbinom(n, 1, 0.15), f_16A = rbinom(n, 1, 0.2), f_4B = rbinom(n, 1, 0.3)
#' )
#' cmp <- compare_published(episodes)
#' cmp
compare_published <- function(episodes, factors = NULL, la_col = "la", year_col = "year",
                              la = NULL, tolerance = 0.05, min_difference = 10,
                              referrals = FALSE, verbose = TRUE) {
  if (inherits(episodes, c("cin_assessments", "cin_episodes"))) {
    # The package's own episode objects, counted as C3 counts (one reader, c3_extract()).
    ex <- c3_extract(episodes)
    colnames(ex$flags)[colnames(ex$flags) == "8B-8F"] <- "8F"
    episodes <- data.frame(la = ex$la, year = ex$year %||% NA_integer_, ex$flags,
                           check.names = FALSE, stringsAsFactors = FALSE)
    la_col <- "la"
    year_col <- "year"
  }
  check_data_frame(episodes, what = "a data frame with one row per episode")
  check_number(tolerance, min = 0)
  check_number(min_difference, min = 0)
  check_flag(verbose)
  check_flag(referrals)
  if (!is.character(year_col) || length(year_col) != 1L || !year_col %in% names(episodes)) {
    abort_input(c("{.arg year_col} must name the column of {.arg episodes} holding the year.",
                    x = "{.arg episodes} has no column {.field {format(year_col)}}.",
                    i = "Columns: {.field {names(episodes)}}."),
                  class = "cscdemand_error_column")
  }
  yr <- episodes[[year_col]]
  if (!is.numeric(yr) || anyNA(yr) || any(yr != round(yr))) {
    num <- suppressWarnings(as.numeric(as.character(yr)))
    bad <- utils::head(unique(yr[is.na(num) | num != round(num)]), 5)
    abort_input(c("Column {.field {year_col}} must hold whole years (the year ending 31 March).",
                    x = "Found {.val {format(bad)}}."),
                  class = "cscdemand_error_column")
  }
  la_number <- compare_published_councils(episodes, la_col, la, verbose)

  map <- context_factor_map(episodes, factors)
  flags <- context_factor_flags(episodes, map)

  out <- compare_published_counts(la_number, yr, flags, referrals)
  out <- compare_published_status(out, map, tolerance, min_difference)
  dict <- cscdemand::context_dictionary
  out <- out[order(out$la_number, out$year, match(out$measure, dict$measure)),
             c("la_number", "name", "year", "measure", "label", "extract", "published",
               "published_mark", "difference", "relative_difference", "extract_percent",
               "published_percent", "flag", "status")]
  rownames(out) <- NULL
  if (verbose && any(out$flag)) {
    cli::cli_inform(c("!" = "{sum(out$flag)} count{?s} differ{?s/} from the published return by more than {100 * tolerance}% and {min_difference} episodes."),
                    class = "cscdemand_message_context")
  }
  structure(out, class = c("cscdemand_context_comparison", "data.frame"),
            factors = map, tolerance = tolerance, min_difference = min_difference)
}

#' @export
print.cscdemand_context_comparison <- function(x, ...) {
  cli::cli_text("{.strong Extract against published DfE table C3} ({nrow(x)} row{?s}; tolerance {100 * attr(x, 'tolerance')}% and {attr(x, 'min_difference')} episodes)")
  y <- as.data.frame(unclass(x))[, c("name", "year", "measure", "extract", "published",
                                     "difference", "status")]
  y$published <- ifelse(is.na(x$published), paste0("[", x$published_mark, "]"),
                        format(x$published, big.mark = ","))
  y$difference <- ifelse(is.na(x$difference), "", sprintf("%+.0f (%+.1f%%)", x$difference,
                                                         100 * x$relative_difference))
  print(y, row.names = FALSE, right = FALSE)
  if (any(x$flag)) cli::cli_text("{.strong {sum(x$flag)}} row{?s} differ{?s/} beyond the tolerance.")
  invisible(x)
}

# ---- compare_published() stages -------------------------------------------------

# DfE number of the council of each row (the package's one resolver, find_council()).
compare_published_councils <- function(episodes, la_col, la, verbose, call = rlang::caller_env()) {
  # Council of each row
  if (is.null(la_col) || !la_col %in% names(episodes)) {
    if (is.null(la)) {
      abort_input(c("Give the council: {.arg episodes} has no column {.field {format(la_col)}}.",
                      i = "Set {.arg la_col} to the council column, or {.arg la} to the council."),
                    class = "cscdemand_error_column", call = call)
    }
    la_value <- rep(as.character(la), nrow(episodes))
  } else {
    la_value <- as.character(episodes[[la_col]])
    if (anyNA(la_value)) {
      abort_input(c("Column {.field {la_col}} has missing councils.",
                      x = "{rows_label(which(is.na(la_value)))}."),
                    class = "cscdemand_error_column", call = call)
    }
  }
  keys <- unique(la_value)
  where <- if (is.null(la_col) || !la_col %in% names(episodes)) "{.arg la}" else "Column {.field {la_col}}"
  here <- call
  found <- lapply(keys, function(k) {
    tryCatch(context_resolve(k, verbose = verbose),
             cscdemand_error_council = function(e) {
               closest <- e$closest
               abort_input(c(paste(where, "has a value that is not a council: {.val {k}}."),
                             i = if (length(closest)) "Closest names: {.val {closest}}.",
                             i = "Use DfE numbers, ONS codes or names (see {.code context_councils})."),
                           class = "cscdemand_error_council", closest = closest,
                           call = here)
             })
  })
  vapply(found, function(r) r$la_number, integer(1))[match(la_value, keys)]
}

# One row per council, year and measure: the extract's count beside the published one.
compare_published_counts <- function(la_number, yr, flags, referrals) {
  dict <- cscdemand::context_dictionary
  pub <- cscdemand::context_factors
  ref <- cscdemand::context_published
  ref <- ref[ref$level == "Local authority" & ref$measure == "referrals", ]
  groups <- split(seq_along(la_number), list(la_number, yr), drop = TRUE)
  out <- lapply(groups, function(i) {
    n_la <- la_number[i[1]]
    y <- yr[i[1]]
    measures <- c("episodes_with_factors", colnames(flags))
    any_factor <- rowSums(flags[i, , drop = FALSE] == 1L) > 0
    extract <- c(sum(any_factor), colSums(flags[i, , drop = FALSE] == 1L))
    p <- pub[pub$level == "Local authority" & pub$la_number == n_la & pub$year == y, ]
    j <- match(measures, p$measure)
    res <- data.frame(la_number = n_la, year = as.integer(y), measure = measures,
                      extract = unname(extract), published = p$count[j],
                      published_mark = if (nrow(p)) p$count_mark[j] else "z",
                      published_percent = p$percent[j], stringsAsFactors = FALSE)
    if (referrals) {
      r <- ref[ref$la_number %in% n_la & ref$year == y, ]
      res <- rbind(data.frame(la_number = n_la, year = as.integer(y), measure = "referrals",
                              extract = length(i),
                              published = if (nrow(r)) r$count else NA_real_,
                              published_mark = if (nrow(r)) r$count_mark else "z",
                              published_percent = NA_real_, stringsAsFactors = FALSE), res)
    }
    res
  })
  do.call(rbind, out)
}

# Differences, flags and the status of each row.
compare_published_status <- function(out, map, tolerance, min_difference) {
  dict <- cscdemand::context_dictionary
  pub <- cscdemand::context_factors
  councils <- cscdemand::context_councils
  out$name <- councils$name[match(out$la_number, councils$la_number)]
  out$label <- dict$label[match(out$measure, dict$measure)]
  out$difference <- out$extract - out$published
  out$relative_difference <- out$difference / out$published
  base <- out$extract[out$measure == "episodes_with_factors"][
    match(paste(out$la_number, out$year),
          paste(out$la_number, out$year)[out$measure == "episodes_with_factors"])]
  out$extract_percent <- ifelse(out$measure == "episodes_with_factors", NA_real_,
                                100 * out$extract / base)
  out$flag <- !is.na(out$difference) & abs(out$difference) > min_difference &
    abs(out$difference) > tolerance * abs(out$published)
  # Episodes with factors can only be compared when the extract has every factor DfE
  # published that year.
  n_pub <- stats::aggregate(list(n = !is.na(pub$count) & pub$measure != "episodes_with_factors"),
                            pub[c("la_number", "year")], sum)
  k_pub <- n_pub$n[match(paste(out$la_number, out$year), paste(n_pub$la_number, n_pub$year))]
  partial <- out$measure == "episodes_with_factors" & !is.na(k_pub) &
    length(unique(map)) < k_pub
  out$flag[partial] <- FALSE
  out$status <- ifelse(is.na(out$published),
                       ifelse(is.na(out$published_mark) | out$published_mark == "z",
                              "year not published",
                              paste0("not published (", out$published_mark, ")")),
                       ifelse(out$flag, "differs", "agrees"))
  out$status[partial & !is.na(out$published)] <- paste0(
    "not comparable (extract has ", length(unique(map)), " of ", k_pub[partial & !is.na(out$published)],
    " published factors)")
  out
}

# ---- helpers ------------------------------------------------------------------

