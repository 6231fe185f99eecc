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
#' * factors are polytomous, with their levels as categories (in level order);
#' * numeric items with whole values 1, 2, ..., C (the poLCA convention) are
#'   polytomous with categories `1..C`.
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
#'   `.` (such as the true class `.class` of simulated data).
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
  build_patterns(data, items = items, weights = weights, group = group)
}

build_patterns <- function(data, items = NULL, weights = NULL, group = NULL, coding = NULL,
                           call = rlang::caller_env()) {
  if (!is.data.frame(data)) {
    abort_input(c("{.arg data} must be a data frame with one row per episode.",
                  x = "You supplied an object of class {.cls {class(data)}}."), call = call)
  }
  n_rows <- nrow(data)
  if (n_rows == 0L) {
    abort_input(c("{.arg data} has no rows.",
                  i = "Check the file you read or the filter applied before fitting."),
              call = call)
  }
  wname <- if (is.character(weights) && length(weights) == 1L) weights else NULL
  w <- resolve_weights(weights, data, call = call)
  gname <- NULL
  g <- NULL
  glevels <- NULL
  if (!is.null(group)) {
    if (!is.character(group) || length(group) != 1L || !group %in% names(data)) {
      abort_input(c("{.arg group} must name one column of {.arg data}.",
                    x = "{.val {format(group)}} is not a column."), call = call)
    }
    gname <- group
    gv <- data[[group]]
    if (anyNA(gv)) {
      abort_input(c("Grouping column {.field {group}} has missing values.",
                    x = "{rows_label(which(is.na(gv)))}.",
                    i = "Remove those rows or give them a group."), call = call)
    }
    gf <- if (is.factor(gv)) droplevels(gv) else factor(gv)
    glevels <- levels(gf)
    g <- as.integer(gf)
  }
  if (is.null(items) && !is.null(attr(data, "factors"))) {
    items <- intersect(attr(data, "factors"), names(data))  # an episode table
  }
  if (is.null(items)) {
    items <- setdiff(names(data), c(wname, gname))
    items <- items[!startsWith(items, ".")]
  }
  if (!is.character(items) || length(items) < 1L) {
    abort_input("{.arg items} must be a character vector of column names.", call = call)
  }
  missing_cols <- setdiff(items, names(data))
  if (length(missing_cols)) {
    abort_input(c("{cli::qty(missing_cols)}Item column{?s} {.field {missing_cols}} not found in {.arg data}.",
                  i = "Available columns: {.field {names(data)}}."),
              call = call)
  }
  if (anyDuplicated(items)) {
    abort_input("{.arg items} lists {.field {unique(items[duplicated(items)])}} more than once.",
              call = call)
  }
  if (is.null(coding)) {
    coded <- lapply(items, function(it) code_item(data[[it]], it, call = call))
  } else {
    coded <- lapply(items, function(it) recode_item(data[[it]], it, coding[[it]], call = call))
  }
  names(coded) <- items
  cols <- lapply(coded, `[[`, "codes")
  offset <- vapply(coded, `[[`, integer(1), "offset")
  ncat <- vapply(coded, function(x) length(x$levels), integer(1))
  G <- if (is.null(g)) 1L else length(glevels)
  pt <- cpp_patterns(cols, offset, ncat, g, G, w)
  colnames(pt$y) <- items
  levels_list <- lapply(coded, `[[`, "levels")
  type <- vapply(coded, `[[`, character(1), "type")
  audit <- data.frame(
    step = c("rows supplied", "rows with every item missing (dropped)", "rows used"),
    rows = c(n_rows, pt$n_all_missing, n_rows - pt$n_all_missing),
    stringsAsFactors = FALSE
  )
  if (length(pt$n) == 0L) {
    abort_input(c("Every row of {.arg data} has every item missing.",
                  i = "Check that {.arg items} names the factor columns."), call = call)
  }
  if (!(sum(pt$n) > 0)) {
    abort_input(c("Every weight is zero, so there is nothing to fit.",
                  i = "Frequency weights count episodes: give at least one row a positive weight."),
                class = "cscdemand_error_weights", call = call)
  }
  structure(list(
    y = pt$y, n = pt$n, group = pt$group, row_index = pt$row_index,
    items = items, levels = levels_list, ncat = ncat, type = type,
    weights = wname, group_var = gname, group_levels = glevels %||% "all",
    n_rows = n_rows, n_all_missing = pt$n_all_missing, audit = audit
  ), class = "lca_patterns")
}

resolve_weights <- function(weights, data, call = rlang::caller_env()) {
  if (is.null(weights)) return(NULL)
  if (is.character(weights) && length(weights) == 1L) {
    if (!weights %in% names(data)) {
      abort_input(c("{.arg weights} names column {.field {weights}}, which is not in {.arg data}."),
                  call = call)
    }
    what <- paste0("column `", weights, "`")
    weights <- data[[weights]]
  } else {
    what <- "`weights`"
  }
  if (!is.numeric(weights) || length(weights) != nrow(data)) {
    abort_input(c("Weights ({what}) must be numeric with one value per row.",
                  x = "Got {.cls {class(weights)}} of length {length(weights)} for {nrow(data)} rows."),
                call = call)
  }
  bad <- which(is.na(weights) | !is.finite(weights) | weights < 0)
  if (length(bad)) {
    abort_input(c("Weights ({what}) must be finite and non-negative.",
                  x = "{rows_label(bad)}: {.val {format(utils::head(unique(weights[bad]), 3))}}.",
                  i = "Frequency weights count episodes: remove those rows or set a weight of 0 or more."),
                class = "cscdemand_error_weights", call = call)
  }
  as.double(weights)
}

# Item coding: returns integer codes (read in place where possible), the
# offset that maps a code to its 0-based category, the category labels and type.
code_item <- function(x, name, call = rlang::caller_env()) {
  if (is.logical(x)) {
    out <- list(codes = as.integer(x), offset = 0L, levels = c("0", "1"), type = "binary")
  } else if (is.factor(x)) {
    out <- list(codes = as.integer(x), offset = 1L, levels = levels(x), type = "polytomous")
  } else if (is.numeric(x)) {
    obs <- x[!is.na(x)]
    if (length(obs) == 0L) {
      abort_input(c("Item {.field {name}} is missing on every row.",
                    i = "Drop it from {.arg items}."), class = "cscdemand_error_item", call = call)
    }
    r <- range(obs)
    whole <- is.integer(x) || all(obs == floor(obs))
    if (whole && r[1] >= 0 && r[2] <= 1) {
      codes <- if (is.integer(x)) x else as.integer(x)
      out <- list(codes = codes, offset = 0L, levels = c("0", "1"), type = "binary")
    } else if (whole && r[1] >= 1 && r[2] <= 1000) {
      codes <- if (is.integer(x)) x else as.integer(x)
      out <- list(codes = codes, offset = 1L, levels = as.character(seq_len(r[2])),
                  type = if (r[2] == 2) "binary" else "polytomous")
    } else {
      bad <- which(!is.na(x) & (x != floor(x) | x < 0 | x > 1))
      abort_input(c("Item {.field {name}} is binary but has values other than 0 and 1.",
                    x = "{rows_label(bad)}: {.val {format(utils::head(unique(x[bad]), 5))}}.",
                    i = "Recode it to 0/1 (or TRUE/FALSE); for a polytomous item use a factor or the codes 1, 2, ..., C."),
                  class = "cscdemand_error_item", call = call)
    }
  } else {
    abort_input(c("Item {.field {name}} is {.cls {class(x)[1]}}, not numeric, logical or factor.",
                  i = "Convert it with {.code factor()} for a polytomous item, or leave it out of {.arg items}."),
                class = "cscdemand_error_item", call = call)
  }
  obs <- out$codes[!is.na(out$codes)]
  if (length(obs) == 0L) {
    abort_input(c("Item {.field {name}} is missing on every row.", i = "Drop it from {.arg items}."),
                class = "cscdemand_error_item", call = call)
  }
  if (all(obs == obs[1])) {
    abort_input(c("Item {.field {name}} is constant: every observed value is {.val {out$levels[obs[1] - out$offset + 1]}}.",
                  i = "A constant item carries no information about classes; drop it from {.arg items}."),
                class = "cscdemand_error_item", call = call)
  }
  out
}

# Recode an item of new data with the coding of a fitted model.
recode_item <- function(x, name, levels, call = rlang::caller_env()) {
  binary01 <- identical(levels, c("0", "1"))
  if (is.factor(x)) {
    unknown <- setdiff(levels(x)[unique(as.integer(x[!is.na(x)]))], levels)
    if (length(unknown)) {
      abort_input(c("Item {.field {name}} has categories the model was not fitted with: {.val {unknown}}.",
                    i = "The model knows {.val {levels}}."), class = "cscdemand_error_coding",
                  call = call)
    }
    codes <- match(as.character(x), levels)
    return(list(codes = codes, offset = 1L, levels = levels, type = "polytomous"))
  }
  if (is.logical(x)) x <- as.integer(x)
  if (!is.numeric(x)) {
    abort_input("Item {.field {name}} must be numeric, logical or factor, as in the fitted data.",
                class = "cscdemand_error_coding", call = call)
  }
  allowed <- if (binary01) c(0, 1) else seq_along(levels)
  bad <- which(!is.na(x) & !x %in% allowed)
  if (length(bad)) {
    abort_input(c("Item {.field {name}} has values the model does not know.",
                  x = "{rows_label(bad)}: {.val {format(utils::head(unique(x[bad]), 5))}}.",
                  i = "Allowed: {.val {allowed}}."), class = "cscdemand_error_coding", call = call)
  }
  list(codes = as.integer(x), offset = if (binary01) 0L else 1L, levels = levels,
       type = if (length(levels) == 2) "binary" else "polytomous")
}

#' @export
print.lca_patterns <- function(x, ...) {
  cat(sprintf("<lca_patterns> %s unique patterns of %d items from %s rows (weighted)\n",
              fmt_num(length(x$n), 0), length(x$items), fmt_num(sum(x$n), 0)))
  if (!is.null(x$group_var)) {
    cat(sprintf("Groups (%s): %s\n", x$group_var, paste(x$group_levels, collapse = ", ")))
  }
  if (x$n_all_missing > 0) {
    cat(sprintf("%s rows with every item missing dropped (see $audit)\n",
                fmt_num(x$n_all_missing, 0)))
  }
  invisible(x)
}
