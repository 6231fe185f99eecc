#' Small-number suppression for published tables
#'
#' Replaces counts from 1 to `threshold - 1` (and, optionally, columns derived
#' from them, such as rates or percentages) so that small numbers are not
#' published, as every table meant for publication should. Zeros are kept
#' unless `zero = TRUE`.
#'
#' @param table A data frame.
#' @param threshold Counts below this are suppressed (default 10).
#' @param cols Count columns to check. Default: every integer-valued numeric
#'   column.
#' @param linked Optional named character vector: `c(rate = "n")` suppresses
#'   column `rate` wherever count column `n` is suppressed.
#' @param zero Also suppress zeros (default `FALSE`).
#' @param replace Value put in suppressed cells: `NA` (default) keeps the
#'   columns numeric; a string such as `"c"` (the DfE symbol) turns the
#'   affected columns into character.
#' @return `table` with small counts replaced, and an attribute `suppressed`:
#'   a data frame of the cells replaced (`row`, `column`).
#' @family CIN data
#' @export
#' @examples
#' t <- data.frame(la = c("A", "B", "C"), n = c(4, 25, 0), pct = c(1.2, 7.5, 0))
#' suppress_small(t, linked = c(pct = "n"))
#' suppress_small(t, replace = "c")
suppress_small <- function(table, threshold = 10, cols = NULL, linked = NULL, zero = FALSE,
                           replace = NA) {
  if (!is.data.frame(table)) {
    abort_input(c("{.arg table} must be a data frame.",
                  x = "You supplied an object of class {.cls {class(table)}}."))
  }
  check_number(threshold, min = 1)
  check_flag(zero)
  if (length(replace) != 1L || !(is.na(replace) || is.character(replace) || is.numeric(replace))) {
    abort_input("{.arg replace} must be a single value such as {.code NA} or {.val c}.")
  }
  is_count <- function(v) is.numeric(v) && all(is.na(v) | v == round(v))
  if (is.null(cols)) {
    cols <- names(table)[vapply(table, is_count, logical(1))]
  } else {
    miss <- setdiff(cols, names(table))
    if (length(miss)) {
      abort_input(c("Column{?s} {.field {miss}} {?is/are} not in {.arg table}.",
                    i = "Columns: {.field {names(table)}}."))
    }
    notnum <- cols[!vapply(table[cols], is.numeric, logical(1))]
    if (length(notnum)) {
      abort_input(c("Count column{?s} {.field {notnum}} must be numeric.",
                    i = "Convert them with {.fn as.numeric} first."))
    }
  }
  if (!is.null(linked)) {
    if (!is.character(linked) || is.null(names(linked)) ||
        !all(c(names(linked), linked) %in% names(table))) {
      abort_input(c("{.arg linked} must be a named character vector of columns of {.arg table}.",
                    i = "For example {.code linked = c(rate = \"n\")}."))
    }
  }
  cells <- list()
  hide <- list()
  for (cl in cols) {
    v <- table[[cl]]
    h <- !is.na(v) & v < threshold & (v > 0 | (zero & v == 0))
    hide[[cl]] <- h
  }
  for (i in seq_along(linked)) {
    tgt <- names(linked)[i]
    src <- linked[[i]]
    h <- hide[[src]] %||% rep(FALSE, nrow(table))
    hide[[tgt]] <- (hide[[tgt]] %||% rep(FALSE, nrow(table))) | h
  }
  for (cl in names(hide)) {
    h <- hide[[cl]]
    if (!any(h)) next
    v <- table[[cl]]
    if (is.character(replace)) v <- as.character(v)
    v[h] <- replace
    table[[cl]] <- v
    cells[[cl]] <- data.frame(row = which(h), column = cl, stringsAsFactors = FALSE)
  }
  sup <- do.call(rbind, c(list(data.frame(row = integer(), column = character())), cells))
  rownames(sup) <- NULL
  attr(table, "suppressed") <- sup
  table
}
