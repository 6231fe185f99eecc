# A council's latest published figures as a table a reader can take at its
# word: a figure DfE did not publish is "not available" with a note saying why
# (its DfE mark), never a number; a published zero is kept, with a note saying
# it is DfE's figure; a neighbours' mean over fewer than all the neighbours
# says how many it is over.

#' A council's latest published figures, with notes on what is missing
#'
#' Turns [council_context()] into the table the report prints: one row per
#' measure, one column per comparator (the council, its region, the mean of
#' its statistical neighbours and England), for one year. Figures are never
#' invented: a value DfE withheld or did not publish is `"not available"`
#' with a lettered note giving DfE's reason (its mark, see [context_marks]);
#' a published zero is printed as `0.0` with a note that it is DfE's figure
#' and how many other councils published zero that year; a neighbours' mean
#' over fewer than all the neighbours says over how many.
#'
#' @param ctx A result of [council_context()].
#' @param year The DfE reporting year (the year ending 31 March). `NULL` (the
#'   default) takes the latest year with a published figure for the council.
#' @param digits Decimal places (default 1).
#' @return A data frame of text: `Measure`, `Unit` and one column per
#'   comparator (the council's column is named after it), with attributes
#'   `year`, `note` (the notes in one paragraph, or `NULL`) and `notes` (one
#'   per letter).
#' @family council context
#' @export
#' @examples
#' ctx <- council_context("Sunderland", years = 2025)
#' tab <- context_latest(ctx)
#' tab[c("Measure", "Sunderland", "England")]
#' attr(tab, "notes")
context_latest <- function(ctx, year = NULL, digits = 1) {
  if (!inherits(ctx, "cscdemand_context")) {
    abort_input(c("{.arg ctx} must be a result of {.fn council_context}.",
                  x = "You supplied an object of class {.cls {class(ctx)}}."))
  }
  check_count(digits, min = 0)
  council <- attr(ctx, "council")$name
  own <- ctx$comparator == "Council"
  if (is.null(year)) {
    if (!any(own & !is.na(ctx$value))) {
      abort_input(c("{council} has no published figure for these measures.",
                    i = "Choose other measures or years in {.fn council_context}."),
                  class = "cscdemand_error_years")
    }
    year <- max(ctx$year[own & !is.na(ctx$value)])
  }
  x <- ctx[ctx$year == year, , drop = FALSE]
  measures <- unique(x$measure)
  notes <- context_note_book()
  out <- data.frame(Measure = x$label[match(measures, x$measure)],
                    Unit = x$unit[match(measures, x$measure)], stringsAsFactors = FALSE)
  n_nb <- length(attr(ctx, "neighbours"))
  for (cmp in levels(x$comparator)) {
    out[[if (cmp == "Council") council else cmp]] <- vapply(measures, function(m) {
      r <- x[x$measure == m & x$comparator == cmp, , drop = FALSE]
      context_latest_cell(r, m, year, cmp, n_nb, digits, notes)
    }, "", USE.NAMES = FALSE)
  }
  rownames(out) <- NULL
  txt <- notes$all()
  structure(out, year = year, notes = txt,
            note = if (length(txt)) paste(txt, collapse = " ") else NULL)
}

# One cell: the figure, "not available" with its note, a published zero with
# its note, a mean over fewer neighbours with its note.
context_latest_cell <- function(r, measure, year, comparator, n_nb, digits, notes) {
  if (!nrow(r) || is.na(r$value[1])) {
    mark <- if (nrow(r) && !is.na(r$mark[1])) r$mark[1] else "x"
    return(paste0("not available ", notes$cite(paste("mark", mark), context_mark_note(mark))))
  }
  v <- formatC(r$value[1], format = "f", digits = digits)
  if (r$value[1] == 0 && !is.na(r$count[1]) && r$count[1] == 0) {
    others <- context_zero_councils(measure, year) - (comparator == "Council")
    v <- paste0(v, " ", notes$cite(paste("zero", measure, r$area[1]), paste0(
      "DfE published 0 for ", r$area[1], " (", tolower(r$label[1]), "): the figure in its return, not a missing value",
      if (others > 0) paste0("; ", count_words(others), " other council", if (others > 1) "s", " also published 0 that year") else "",
      ".")))
  }
  if (comparator == "Statistical neighbours" && !is.na(r$n_neighbours[1]) && r$n_neighbours[1] < n_nb) {
    v <- paste0(v, " ", notes$cite(paste("neighbours", r$n_neighbours[1]), paste0(
      "Mean of the ", count_words(r$n_neighbours[1]), " statistical neighbours (of ", count_words(n_nb),
      ") with a published figure.")))
  }
  v
}

# Why DfE did not publish a figure, from its mark.
context_mark_note <- function(mark) {
  m <- cscdemand::context_marks
  why <- m$meaning[match(mark, m$mark)]
  if (is.na(why)) why <- "Not published by DfE."
  paste0("Not available: ", sub("\\.$", "", why), " (DfE mark \"", mark, "\").")
}

# How many councils published a count of 0 for a measure in a year.
context_zero_councils <- function(measure, year) {
  d <- if (measure %in% cscdemand::context_published$measure) cscdemand::context_published else cscdemand::context_factors
  sum(d$level == "Local authority" & d$measure == measure & d$year == year & d$count %in% 0)
}

# Lettered notes: the same note keeps its letter; `all()` lists them.
context_note_book <- function() {
  keys <- character()
  texts <- character()
  list(
    cite = function(key, text) {
      i <- match(key, keys)
      if (is.na(i)) {
        keys <<- c(keys, key)
        texts <<- c(texts, text)
        i <- length(keys)
      }
      paste0("(", letters[(i - 1) %% 26 + 1], ")")
    },
    all = function() if (length(keys)) paste0("(", letters[(seq_along(keys) - 1) %% 26 + 1], ") ", texts) else character()
  )
}
