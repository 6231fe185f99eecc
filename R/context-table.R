# SafeLives-style tables of a council's own episodes: count, % and n for each level of a
# characteristic, with "Missing" and "Don't know" kept as their own levels and small
# numbers suppressed.

#' Count, percentage and n for characteristics of the council's episodes
#'
#' For each variable in `vars` (and each group of `by`), one row per level with the
#' number of episodes (`count`), its percentage of all episodes (`percent`, of `n`) and
#' of episodes with a known value (`percent_known`, of `n_known`), in the style of the
#' SafeLives Insights tables. Missing values (`NA` and empty strings) become the level
#' `"Missing"`; levels named in `unknown` (by default `"Don't know"`, in any case and with
#' or without the apostrophe) are kept as their own level. Both are listed last and are
#' excluded from `n_known`.
#'
#' Small numbers are suppressed before the table leaves the function: a count from 1 to
#' `threshold - 1` is replaced by `NA` with `suppressed = "small"`; where that leaves a
#' single suppressed cell in a variable (which could be recovered from `n` by
#' subtraction), the next smallest count is suppressed too (`suppressed = "secondary"`).
#' Known levels (which add up to `n_known`) and the "Missing" and unknown levels (which
#' add up to `n - n_known`) are suppressed as two sets; when fewer than `threshold`
#' values are missing or unknown, `n_known` and `percent_known` are withheld (`NA`),
#' since `n - n_known` would show that small number, and that number is protected
#' like a small count among the known levels (adding up to `n` with them): one more
#' known count is suppressed, so it cannot be worked out from `n` and the shown counts.
#' A group whose `n` is below `threshold` is suppressed whole. Percentages of suppressed
#' counts are `NA`. Zero counts are shown.
#'
#' @param data A data frame with one row per episode (or child).
#' @param vars Names of the columns to tabulate (character, factor or logical columns;
#'   numeric columns are treated as categories).
#' @param by Optional name of one grouping column (for example a latent class or a year);
#'   `n` and percentages are within each group.
#' @param threshold Counts below this are suppressed (default 10; use 1 to switch
#'   suppression off).
#' @param unknown Levels that mean "not known" (default `"Don't know"`).
#' @return A data frame of class `cscdemand_context_table` with columns `group` (if `by`),
#'   `variable`, `level`, `count`, `percent`, `n`, `percent_known`, `n_known` and
#'   `suppressed` (`NA`, `"small"`, `"secondary"` or `"group"`).
#' @family council context
#' @export
#' @examples
#' episodes <- data.frame(
#'   gender = c(rep("Female", 40), rep("Male", 52), rep(NA, 5), rep("Don't know", 3)),
#'   source = c(rep("Police", 60), rep("School", 30), rep("Health", 10))
#' )
#' context_table(episodes, c("gender", "source"))
context_table <- function(data, vars, by = NULL, threshold = 10, unknown = "Don't know") {
  check_data_frame(data, what = "a data frame with one row per episode")
  if (!is.character(vars) || !length(vars) || anyNA(vars)) {
    abort_input("{.arg vars} must be a character vector of column names of {.arg data}.")
  }
  miss <- setdiff(c(vars, by), names(data))
  if (length(miss)) {
    abort_input(c("{.arg data} has no column{?s} {.field {miss}}.",
                    i = "Columns of {.arg data}: {.field {names(data)}}."),
                  class = "cscdemand_error_column")
  }
  if (!is.null(by) && (!is.character(by) || length(by) != 1L)) {
    abort_input("{.arg by} must be the name of one column of {.arg data}, or {.code NULL}.")
  }
  check_number(threshold, min = 1)
  if (!is.character(unknown)) abort_input("{.arg unknown} must be a character vector of levels.")
  groups <- if (is.null(by)) list(all = seq_len(nrow(data))) else {
    g <- data[[by]]
    g <- ifelse(is.na(g) | trimws(as.character(g)) == "", "Missing", as.character(g))
    g[context_is_unknown(g, unknown)] <- unknown[1]
    split(seq_len(nrow(data)), factor(g, levels = context_levels(data[[by]], g, unknown)))
  }
  out <- list()
  for (gname in names(groups)) {
    rows <- groups[[gname]]
    for (v in vars) {
      t <- context_count_levels(data[[v]][rows], unknown)
      t$variable <- v
      if (!is.null(by)) t$group <- gname
      t$suppressed <- context_suppress_variable(t, threshold)
      # A small number of unknown or missing values would show as n - n_known.
      n_other <- t$n[1] - t$n_known[1]
      if (n_other > 0 && n_other < threshold) {
        t$n_known <- NA_real_
        t$percent_known <- NA_real_
      }
      out[[length(out) + 1L]] <- t
    }
  }
  out <- do.call(rbind, out)
  hide <- !is.na(out$suppressed)
  out$count[hide] <- NA_real_
  out$percent[hide] <- NA_real_
  out$percent_known[hide] <- NA_real_
  small_n <- out$n < threshold
  out$suppressed[small_n] <- "group"
  out[small_n, c("count", "percent", "n", "percent_known", "n_known")] <- NA
  cols <- c(if (!is.null(by)) "group", "variable", "level", "count", "percent", "n",
            "percent_known", "n_known", "suppressed")
  out <- out[, cols]
  rownames(out) <- NULL
  structure(out, class = c("cscdemand_context_table", "data.frame"), threshold = threshold,
            by = by, unknown = unknown[1])
}

#' @export
print.cscdemand_context_table <- function(x, ..., digits = 1) {
  th <- attr(x, "threshold")
  y <- as.data.frame(unclass(x), stringsAsFactors = FALSE)
  attr(y, "threshold") <- attr(y, "by") <- attr(y, "unknown") <- NULL
  hidden <- !is.na(x$suppressed)
  known <- !x$level %in% c("Missing", attr(x, "unknown"))
  # every suppressed or withheld figure shows the package's mark "c" (as the
  # profile tables and the report); a figure that does not exist is left empty
  mark <- function(v, d, hide) {
    ifelse(hide, "c", ifelse(is.na(v), "", formatC(v, format = "f", digits = d, big.mark = ",")))
  }
  withheld <- is.na(x$n_known) & !is.na(x$n)
  y$count <- mark(x$count, 0, hidden)
  y$percent <- mark(x$percent, digits, hidden)
  y$n <- mark(x$n, 0, is.na(x$n))
  y$percent_known <- mark(x$percent_known, digits, known & (hidden | withheld))
  y$n_known <- mark(x$n_known, 0, is.na(x$n_known))
  y$suppressed <- NULL
  print(y, row.names = FALSE, right = FALSE)
  if (any(hidden | withheld)) {
    cli::cli_text("c: suppressed (counts below {th}, and further figures from which one could be worked out).")
  }
  invisible(x)
}

# ---- helpers ------------------------------------------------------------------

# Counts per level, with "Missing" and unknown levels last.
context_count_levels <- function(v, unknown) {
  lv <- as.character(v)
  lv[is.na(lv) | trimws(lv) == ""] <- "Missing"
  is_unknown <- context_is_unknown(lv, unknown)
  lv[is_unknown] <- unknown[1]
  levels <- context_levels(v, lv, unknown)
  count <- as.numeric(table(factor(lv, levels = levels)))
  known <- !(levels %in% c("Missing", unknown))
  n <- length(lv)
  n_known <- sum(count[known])
  data.frame(level = levels, count = count, percent = 100 * count / n, n = n,
             percent_known = ifelse(known, 100 * count / n_known, NA_real_),
             n_known = n_known, stringsAsFactors = FALSE)
}

context_is_unknown <- function(lv, unknown) {
  norm <- function(s) gsub("[^a-z]", "", tolower(s))
  norm(lv) %in% norm(unknown)
}

context_levels <- function(v, lv, unknown) {
  base <- if (is.factor(v)) levels(v) else sort(unique(as.character(v[!is.na(v)])))
  base <- base[trimws(base) != "" & !context_is_unknown(base, unknown)]
  tail <- c(if (any(context_is_unknown(lv, unknown))) unknown[1],
            if (any(lv == "Missing")) "Missing")
  unique(c(base, tail))
}

# Suppression of the levels of one variable. Known levels add up to n_known
# and the "Missing" and unknown levels to n - n_known. When n - n_known is
# 10 or more (or 0), both totals are published and each set is protected on
# its own. When it is a small number, n_known is withheld, so the published
# total is n alone: the known counts and the (hidden) number not known form
# one line adding up to n, and that number is protected like a small count
# (the engine hides one known count as its complement), so that neither it
# nor a lone missing or unknown count follows from n and the shown counts.
context_suppress_variable <- function(t, threshold) {
  known <- !is.na(t$percent_known)
  out <- rep(NA_character_, nrow(t))
  n_other <- sum(t$count[!known])
  if (n_other > 0 && n_other < threshold) {
    line <- context_suppress(c(t$count[known], n_other), threshold)
    out[known] <- line[-length(line)]
  } else {
    out[known] <- context_suppress(t$count[known], threshold)
  }
  out[!known] <- context_suppress(t$count[!known], threshold)
  out
}

# Small-number suppression of one set of counts that add up to a published total, by
# the package's one engine (R/suppress.R). Returns NA (shown), "small" (1 to
# threshold - 1) or "secondary" (the next smallest count, suppressed so that a lone
# small cell cannot be recovered by subtraction). Missing counts are left alone.
context_suppress <- function(count, threshold = 10) {
  out <- rep(NA_character_, length(count))
  ok <- !is.na(count)
  if (!any(ok)) return(out)
  m <- suppress_matrix(matrix(as.numeric(count[ok]), ncol = 1L), threshold,
                       margins = c(rows = FALSE, cols = TRUE))
  r <- m$reason[, 1L]
  r[!is.na(r) & r == "primary"] <- "small"
  out[ok] <- r
  out
}
