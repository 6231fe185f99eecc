# The pattern table built from a data frame: item coding, weights and the
# one C++ pass that collapses rows to unique response patterns. The lowest
# layer of the latent class models: patterns.R (the public
# lca_patterns()), patterns-db.R (tables counted in a database), lca.R and
# validate.R build on it, and it calls none of them.

build_patterns <- function(data, items = NULL, weights = NULL, group = NULL, coding = NULL,
                           verbose = FALSE, call = rlang::caller_env()) {
  check_data_frame(data, what = "a data frame with one row per episode", call = call)
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
  if (is.null(items)) items <- default_items(data, c(wname, gname), verbose, call = call)
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
  if (is.null(coding)) warn_many_categories(coded)
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
    y = pt$y, n = pt$n, group = pt$group, row_index = pt$row_index, row_group = g,
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
# The rule (documented in ?lca_patterns):
# * logical: binary 0/1;
# * factor: polytomous, its levels that occur are the categories (in level
#   order; levels that never occur are dropped with a message);
# * whole numbers 0 and 1 only: binary 0/1 (the CIN factor flags);
# * whole numbers 1..C with every category observed: categories 1..C (poLCA's
#   convention; 1/2 is binary);
# * anything else is an error naming the fix, never a silent recode or an
#   empty category: 0..C (C >= 2) is not a broken binary but needs + 1 or a
#   factor; codes that leave a category of 1..C unobserved (3..5, or 1, 2, 4)
#   would create empty categories, each adding K parameters at the boundary.
code_item <- function(x, name, call = rlang::caller_env()) {
  if (!is.logical(x) && !is.factor(x) && !is.numeric(x)) {
    abort_input(c("Item {.field {name}} is {.cls {class(x)[1]}}, not numeric, logical or factor.",
                  i = "Convert it with {.code factor()} for a polytomous item, or leave it out of {.arg items}."),
                class = "cscdemand_error_item", call = call)
  }
  fast <- if (!is.factor(x) && is.null(attributes(x))) code_item_scanned(x)
  if (!is.null(fast)) return(fast)
  # the full check, which also words the errors
  seen <- !is.na(x)
  if (!any(seen)) {
    abort_input(c("Item {.field {name}} is missing on every row.", i = "Drop it from {.arg items}."),
                class = "cscdemand_error_item", call = call)
  }
  first <- x[seen][1]
  if (all(x[seen] == first)) {
    abort_input(c("Item {.field {name}} is constant: every observed value is {.val {format(first)}}.",
                  i = "A constant item carries no information about classes; drop it from {.arg items}."),
                class = "cscdemand_error_item", call = call)
  }
  if (is.logical(x)) {
    return(list(codes = as.integer(x), offset = 0L, levels = c("0", "1"), type = "binary"))
  }
  if (is.factor(x)) {
    unused <- setdiff(levels(x), levels(x)[unique(as.integer(x[seen]))])
    if (length(unused)) {  # an empty category would add K parameters at the boundary
      x <- droplevels(x)
      cli::cli_inform(c(i = "Item {.field {name}}: level{?s} {.val {unused}} never occur{?s/}, so {?it is/they are} not {?a category/categories}."),
                      class = c("cscdemand_message_levels", "cscdemand_message"))
    }
    return(list(codes = as.integer(x), offset = 1L, levels = levels(x), type = "polytomous"))
  }
  code_numeric_item(x, seen, name, call)
}

# A plain numeric or logical item that passes every check, coded from one
# C++ pass (cpp_item_scan(): no R vector as long as the item is made, and
# the episode table's compact factor flags stay compact); NULL when the item
# needs the full check (missing on every row, constant, not whole numbers
# from 0, 0..C, or a gap in 1..C), which also words the error.
code_item_scanned <- function(x) {
  s <- cpp_item_scan(x)
  if (s[["n_seen"]] == 0 || s[["constant"]] == 1 || s[["bad"]] == 1 || is.na(s[["n_distinct"]])) {
    return(NULL)
  }
  if (is.logical(x)) {
    return(list(codes = as.integer(x), offset = 0L, levels = c("0", "1"), type = "binary"))
  }
  hi <- s[["max"]]
  codes <- if (is.integer(x)) x else as.integer(x)
  if (hi <= 1) return(list(codes = codes, offset = 0L, levels = c("0", "1"), type = "binary"))
  if (s[["min"]] == 0 || s[["n_distinct"]] < hi) return(NULL)
  list(codes = codes, offset = 1L, levels = as.character(seq_len(hi)),
       type = if (hi == 2) "binary" else "polytomous")
}

code_numeric_item <- function(x, seen, name, call) {
  bad <- which(seen & (!is.finite(x) | x != round(x) | x < 0))
  if (length(bad)) {
    abort_input(c("Item {.field {name}} must hold whole numbers from 0: the category codes.",
                  x = "{rows_label(bad)}: {.val {format(utils::head(unique(x[bad]), 5))}}.",
                  i = "Code a binary item 0/1 (or TRUE/FALSE), and a polytomous one 1, 2, ..., C or as a factor."),
                class = "cscdemand_error_item", call = call)
  }
  codes <- if (is.integer(x)) x else as.integer(x)
  r <- range(codes[seen])
  if (r[2] <= 1L) return(list(codes = codes, offset = 0L, levels = c("0", "1"), type = "binary"))
  if (r[1] == 0L) {
    abort_input(c("Item {.field {name}} is coded 0 to {r[2]}: 0 is a category only of a 0/1 binary item.",
                  x = "You supplied the codes {.val {sort(unique(codes[seen]))}}.",
                  i = "Number the categories 1 to {r[2] + 1} (poLCA's rule), for example {.code {name} + 1}, or make it a factor."),
                class = "cscdemand_error_item", call = call)
  }
  n_seen <- length(unique(codes[seen]))
  if (n_seen < r[2]) {
    empty <- if (r[2] <= 1e5) setdiff(seq_len(r[2]), codes[seen]) else integer()
    abort_input(c("Item {.field {name}} has {cli::qty(length(empty))}categor{?y/ies} {.val {utils::head(empty, 10)}} of 1 to {r[2]} never observed{if (length(empty) > 10) ' (and more)' else ''}.",
                  x = "You supplied {n_seen} distinct code{?s} from {r[1]} to {r[2]}; a numeric item's categories are 1 to its largest code, so the missing ones would be empty categories.",
                  i = "Number the categories 1, 2, ..., C with no gap (for example {.code match({name}, sort(unique({name})))}), or make it a factor."),
                class = "cscdemand_error_item", call = call)
  }
  list(codes = codes, offset = 1L, levels = as.character(seq_len(r[2])),
       type = if (r[2] == 2L) "binary" else "polytomous")
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

# Items when none are named: the factor columns of an episode table, else
# every column except `exclude` (weights, group) and columns starting with
# ".". Identifier-like columns (a name such as child_id, UPN or LAchildID, or
# a different value on every row) are refused, and the choice is announced.
default_items <- function(data, exclude = NULL, verbose = TRUE, call = rlang::caller_env()) {
  f <- attr(data, "factors")
  if (!is.null(f)) {
    items <- setdiff(intersect(f, names(data)), exclude)  # an episode table
  } else {
    items <- setdiff(names(data), exclude)
    items <- items[!startsWith(items, ".")]
    ids <- items[vapply(items, function(it) is_identifier_like(it, data[[it]]), logical(1))]
    if (length(ids)) {
      abort_input(c("{cli::qty(length(ids))}Column{?s} {.field {ids}} look{?s/} like identifiers, not items.",
                    i = "Name the item columns with {.arg items}, e.g. {.code items = c({toString(encodeString(utils::head(setdiff(items, ids), 3), quote = '\"'))})}."),
                  class = "cscdemand_error_item", call = call)
    }
  }
  if (verbose && length(items)) {
    cli::cli_inform(c(i = "Using {length(items)} item{?s}: {.field {items}}.",
                      " " = "Name them with {.arg items} to choose."),
                    class = "cscdemand_message_items")
  }
  items
}

is_identifier_like <- function(name, x) {
  if (grepl("(^|[_.])(id|upn|uln|urn|ref)([_.]|$)", name, ignore.case = TRUE) ||
      grepl("(Id|ID)$", name) || grepl("child.?id|episode.?id", name, ignore.case = TRUE)) {
    return(TRUE)
  }
  n <- sum(!is.na(x))
  if (n < 20L || is.logical(x)) return(FALSE)
  if (is.character(x) || is.factor(x) || (is.numeric(x) && all(x == round(x), na.rm = TRUE))) {
    return(length(unique(x[!is.na(x)])) == n)  # a different value on every row
  }
  FALSE
}

# Items with many categories are usually not indicators (an age in years, a
# score): each category adds K parameters.
warn_many_categories <- function(coded, max = 10L) {
  nc <- vapply(coded, function(x) length(x$levels), integer(1))
  big <- names(nc)[nc > max]
  if (length(big)) {
    counts <- paste(nc[big], collapse = ", ")
    warn_cscdemand(c("{cli::qty(length(big))}Item{?s} {.field {big}} {?has/have} more than {max} categories ({counts}).",
                     i = "Each category adds one parameter per class. Leave {cli::qty(length(big))}{?it/them} out of {.arg items}, or group the categories into a factor with fewer levels."),
                   class = "cscdemand_warning_categories")
  }
  invisible(big)
}
