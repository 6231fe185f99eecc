#' Collapse items to the table of unique response patterns
#'
#' Every latent class model in cscdemand works on the table of unique response
#' patterns with their counts rather than on the rows: millions of episodes
#' collapse to a few thousand patterns. `lca_patterns()` builds that table in
#' one pass in C++ and records how each item is coded, so that [lca()],
#' [lca_enumerate()] and `predict()` all use the same coding.
#'
#' Item coding:
#' * logical items and numeric items taking only the values 0 and 1 are
#'   binary, with categories `"0"` and `"1"`;
#' * factors are polytomous, with their levels as categories (in level order;
#'   a level that never occurs is dropped, with a message, since it would be an
#'   empty category);
#' * numeric items with whole values 1, 2, ..., C (the poLCA convention) are
#'   polytomous with categories `1..C` (`1..2` is binary);
#' * any other numeric coding is an error that names the fix, never a silent
#'   recode: `0..C` with C of 2 or more (0 is a category only of a 0/1
#'   item: add 1, or use a factor); codes that leave a category of `1..C`
#'   unobserved, such as `3..5` or `1, 2, 4` (these would be empty categories:
#'   renumber them `1..C`, or use a factor); negative or fractional values.
#'
#' Missing item values (`NA`) are kept: the models use every observed item of
#' every row (full-information maximum likelihood, missing at random). Rows
#' with every item missing carry no information; they are dropped and counted
#' in the audit.
#'
#' @param data A data frame with one row per episode, a dbplyr lazy table
#'   (the counts are computed inside the database by [lca_patterns_db()]), or
#'   an `lca_patterns` table (returned unchanged).
#' @param items Character vector of item columns. `NULL` (default) uses the
#'   factor columns of an episode table from [episode_factors()], otherwise
#'   every column except `weights`, `group` and columns whose names start with
#'   `.` (such as the true class `.class` of simulated data); the items used
#'   are announced, and columns that look like identifiers (names such as
#'   `child_id`, `UPN` or `LAchildID`, or a different value on every row) are
#'   refused. Items with more than 10 categories give a warning.
#' @param weights Optional frequency weights: the name of a column of `data`,
#'   or a numeric vector with one non-negative value per row.
#' @param group Optional grouping column (a council or a year), as a column
#'   name. Used by multi-group models.
#' @return An object of class `lca_patterns`: a list with the pattern matrix
#'   `y` (integer category codes, `NA` = missing), the counts `n`, the group of
#'   each pattern, the pattern of each input row (`row_index`), the item coding
#'   and an audit of rows used and dropped.
#' @family latent class models
#' @export
#' @examples
#' d <- simulate_lca(n = 500, seed = 1)
#' pt <- lca_patterns(d)
#' pt
lca_patterns <- function(data, items = NULL, weights = NULL, group = NULL) {
  if (inherits(data, "lca_patterns")) return(data)
  if (inherits(data, "tbl_lazy")) {
    if (!is.null(weights)) abort_input("{.arg weights} is not supported for database tables.")
    return(lca_patterns_db(data, items = items, group = group))
  }
  build_patterns(data, items = items, weights = weights, group = group, verbose = TRUE)
}

#' @export
print.lca_patterns <- function(x, ...) {
  cat(sprintf("<lca_patterns> %s unique %s of %d %s from %s %s (weighted)\n",
              fmt_num(length(x$n), 0), ngettext(length(x$n), "pattern", "patterns"),
              length(x$items), ngettext(length(x$items), "item", "items"),
              fmt_num(sum(x$n), 0), ngettext(sum(x$n), "row", "rows")))
  if (!is.null(x$group_var)) {
    cat(sprintf("Groups (%s): %s\n", x$group_var, paste(x$group_levels, collapse = ", ")))
  }
  if (x$n_all_missing > 0) {
    cat(sprintf("%s %s with every item missing dropped (see $audit)\n",
                fmt_num(x$n_all_missing, 0), ngettext(x$n_all_missing, "row", "rows")))
  }
  invisible(x)
}
