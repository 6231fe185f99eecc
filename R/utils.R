# Small helpers shared by the whole package: threads, seeds and formatting.
# (Conditions and argument checks are in conditions.R.)

# Threads: argument, else option `cscdemand.threads`, else at most 2
# (a conservative default that also satisfies R CMD check).
resolve_threads <- function(threads, call = rlang::caller_env()) {
  if (is.null(threads)) {
    threads <- getOption("cscdemand.threads",
                         min(2L, RcppParallel::defaultNumThreads()))
  }
  check_count(threads, arg = "threads", call = call)
  if (threads > 1024) {
    abort_input(c("{.arg threads} must be at most 1024.",
                  x = "You supplied {.val {format(threads)}}; this machine has {RcppParallel::defaultNumThreads()} core{?s}.",
                  i = "Use {.code threads = NULL} for the default."), call = call)
  }
  as.integer(threads)
}

# Seeds: NULL draws one from R's generator, so set.seed() governs the fit and
# the user's random-number state is never reset.
resolve_seed <- function(seed, call = rlang::caller_env()) {
  if (is.null(seed)) return(sample.int(.Machine$integer.max, 1L))
  check_count(seed, min = 0, arg = "seed", call = call)
  if (!is.finite(seed)) abort_input("{.arg seed} must be a finite whole number.", call = call)
  as.numeric(seed)
}

# Rows listed in an error message: the first few, then "and N more".
format_rows <- function(rows, max = 5L) {
  rows <- as.integer(rows)
  if (length(rows) <= max) return(paste(rows, collapse = ", "))
  paste0(paste(rows[seq_len(max)], collapse = ", "), " and ", length(rows) - max, " more")
}

# "Row 3" or "Rows 3, 9 and 12 more", for messages.
rows_label <- function(rows) {
  paste0(if (length(rows) == 1L) "Row " else "Rows ", format_rows(rows))
}

# "a, b and c": a list for a sentence (one item stays as it is). When an
# item holds a comma of its own (a category "Disability, some with child
# mental health", a referral source "Individual: family member, relative or
# carer"), commas would not show where one item ends: the items are joined
# with semicolons ("a, x; b; and c"), so the reader counts them right. A
# comma inside quotation marks (a quoted name) is the name's own and needs
# no semicolons.
and_list <- function(x, conj = "and") {
  if (length(x) < 2L) return(x)
  unquoted <- gsub("\u201c[^\u201d]*\u201d|\"[^\"]*\"", "", x)
  if (any(grepl(",", unquoted, fixed = TRUE))) {
    return(paste0(paste(x[-length(x)], collapse = "; "), "; ", conj, " ", x[length(x)]))
  }
  paste(paste(x[-length(x)], collapse = ", "), conj, x[length(x)])
}

# A count in a sentence: whole numbers under ten in words ("two other
# councils", "three reporting years"), larger ones with thousands separators.
count_words <- function(n) {
  words <- c("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
  ifelse(n >= 0 & n < 10 & n == round(n), words[pmin(pmax(n, 0), 9) + 1],
         formatC(n, format = "d", big.mark = ","))
}

fmt_num <- function(x, digits = 2) formatC(x, format = "f", digits = digits, big.mark = ",")

fmt_int <- function(x) formatC(x, format = "d", big.mark = ",")

`%||%` <- function(x, y) if (is.null(x)) y else x

#' Write p-values as a report does
#'
#' p-values for a report: two decimals from 0.1, two significant figures below,
#' with small values written as `"< 0.01"` or `"< 0.001"`; never `"0"` and
#' never `"1"` (values from 0.995 are `"> 0.99"`). A bootstrap test has a
#' floor (`floor = 1 / (reps + 1)`): a p-value there is written with what it
#' means, `"0.01 (the lowest 99 replicates can give)"`.
#'
#' @param p Numeric p-values (missing values give `""`).
#' @param floor The smallest p-value the test can give (for a bootstrap or
#'   permutation test with `reps` replicates, `1 / (reps + 1)`), one or one
#'   per p-value; or `NULL`.
#'   A p-value at the floor (no replicate reached the observed statistic) is
#'   the floor itself, a valid p-value: the test is significant at that level
#'   and can say no more. It is written as the floor followed by what it
#'   means, `"0.01 (the lowest 99 replicates can give)"` (a reader took
#'   `"\u2264 0.01"` for a typing slip), so no p-value claims more precision
#'   than the test has.
#' @param short For a table: a p-value at the floor is written
#'   `"0.01 (lowest possible)"`, to be explained in a sentence beside the
#'   table (default `FALSE`).
#' @return A character vector.
#' @family report
#' @export
#' @examples
#' format_p(c(0.5, 0.0312, 0.004, 1e-9, 1, NA))
#' format_p(c(0.01, 0.2), floor = 1 / 100)
#' format_p(c(0.01, 0.2), floor = 1 / 100, short = TRUE)
format_p <- function(p, floor = NULL, short = FALSE) {
  if (!is.numeric(p)) {
    abort_input(c("{.arg p} must be numeric p-values.",
                  x = "You supplied an object of class {.cls {class(p)}}."))
  }
  out <- ifelse(p >= 0.995, "> 0.99",
                ifelse(p < 0.001, "< 0.001",
                       ifelse(p < 0.01, "< 0.01",
                              ifelse(p >= 0.1, sprintf("%.2f", p),
                                     # two significant figures, trailing zero kept ("0.050", not "0.05")
                                     formatC(signif(p, 2), format = "fg", digits = 2, flag = "#")))))
  if (!is.null(floor)) {
    if (!is.numeric(floor) || !length(floor) %in% c(1L, length(p)) || anyNA(floor) || any(floor < 0)) {
      abort_input(c("{.arg floor} must be one non-negative number, or one per p-value.",
                    x = "You supplied {length(floor)} value{?s} for {length(p)} p-value{?s}."))
    }
    floor <- rep_len(floor, length(p))
    at <- !is.na(p) & p <= floor * (1 + 1e-8)
    reps <- 1 / floor[at] - 1
    whole <- abs(reps - round(reps)) < 1e-6 & reps >= 1
    out[at] <- paste0(formatC(signif(floor[at], 2), format = "fg", digits = 2),
                      if (isTRUE(short)) " (lowest possible)" else
                        paste0(" (the lowest ", ifelse(whole, paste(format(round(reps), big.mark = ","), "replicates"),
                                                       "this test"), " can give)"))
  }
  out[is.na(p)] <- ""
  out
}
