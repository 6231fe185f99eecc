#' Publishable table of a characteristic by class
#'
#' The Kingston tables of thresholds reached (Table 14), re-referrals (15),
#' referral source (16) and category of abuse (17/18) by class, and of class
#' shares by council (11) or deprivation tertile (12): for each level of `var`
#' (rows) and each class (columns), the number of episodes and their
#' percentage of the class's episodes, with an "All episodes" column and row.
#'
#' Missing values are never dropped (the SafeLives rule): `NA` and empty
#' values form a row `"Missing"`, and levels meaning "not known" (`unknown`)
#' keep their own rows; both come last. Rows and class columns with no
#' episode at all are left out (they say nothing). When one of the residual
#' rows (`unknown`, `"Missing"`, `"Other"`) holds a count under the threshold
#' and there are two or more of them, they are merged into one row (such as
#' `"Unknown or missing"`) before suppression, so their small numbers do not
#' need complementary cells from the large rows. A not-known row (or the
#' merged row) that still holds a count under the threshold in some category
#' follows one rule, whatever the number of categories: it is never
#' protected with cells of the other rows when a neighbour can take it.
#' Before any cell is suppressed it is counted with the smallest catch-all
#' row (such as `"Indeterminate or unknown"`; "Other", "Any other ...") if
#' hiding its small cells would hide any cell of another row, else with the
#' smallest known level of which it is at most a twentieth (such as
#' `"Female or unknown"`; never a row holding "Other", a group of its own)
#' if they would hide cells of a row of at least ten times the threshold.
#' Otherwise it stays a row, with the complementary cells that lose least.
#' With `posterior` and `var`, when a small row (an
#' "Unknown" row, or the rarer answer of a yes/no measure) under the
#' threshold in several categories would need so many complementary cells
#' that a row of at least ten times the threshold lost more than half its
#' cells, the smallest of those categories are counted together as
#' `"Other categories"` (as few as needed, chosen to lose least), and the
#' large rows are shown. Attribute `note` says what was merged, in a
#' sentence for the report; [class_profile()] hides the same cells (and the
#' pooled categories), so the two tables of one characteristic cannot be
#' set against each other. A small not-known row (Unknown, Not known,
#' Missing) that no neighbour could take and that would still leave a row
#' of at least ten times the threshold with most of its cells suppressed is
#' shown in the total column only
#' (`"Unknown (not shown by category)"`), and the categories' columns give
#' the other rows as percentages of the category's episodes with a known
#' value, without their counts (with the categories' totals, which every
#' table prints, the counts would give the not-known row back by
#' subtraction); attribute `residual_total` names that row, and the note
#' says so. [class_profile()] then compares the episodes with a known value.
#' A table that hides cells says why in its note (cells shown as "c" hold
#' fewer than `threshold` episodes, or are hidden so that such a number
#' cannot be worked out from the totals).
#'
#' Every count passes through small-number suppression before it is
#' formatted: counts from 1 to `threshold - 1` are suppressed, then more
#' cells (secondary suppression) so that none can be recovered by subtraction
#' from the row and column totals, which are published, nor pinned by them to
#' a range narrower than the threshold (see [suppress_small()], "Rules"). A suppressed cell, and its percentage, shows `"c"`. A
#' total under the threshold is suppressed too.
#'
#' With `posterior` (a matrix of posterior class probabilities, one row per
#' episode, columns named by category, as from `predict(fit, episodes, type =
#' "posterior")`), the categories are counted by *proportional assignment*:
#' each episode counts towards every category with its probability of
#' belonging to it, so the counts are expected numbers of episodes, carry the
#' classification error, and a category's total is its estimated share of
#' the episodes ([class_shares()]) times their number. Counting each episode
#' in its most likely category instead inflates the largest categories.
#' Give `var` (categories as columns) or `class` (categories as rows, for
#' example `class = "council"`), not both. Cells and totals are computed
#' unrounded and then rounded to whole episodes: the categories' totals so
#' that they add up to the rounded number of episodes (largest remainder,
#' so every table of the same episodes prints the same category totals, and
#' they add up), and each category's cells so that they add up to its total
#' exactly (largest remainder), so the percentages of a column add up to 100
#' within their rounding; a row may not add up exactly to its total. Suppression works on
#' the rounded counts shown (a printed 10 is an expected count of at least
#' 9.5), and the hidden cells of every row and column add up, by subtracting
#' its printed cells from its printed total, to at least the threshold.
#'
#' @inheritParams class_profile
#' @param class Name of the class (column) variable; with `posterior`, the
#'   grouping shown as columns (council, deprivation tertile), or `NULL`.
#' @param var Name of the characteristic column (rows of the table); with
#'   `posterior` and `class`, `NULL` (the categories are the rows).
#' @param unknown Levels that mean "not known", kept as their own rows after
#'   the known levels (matched ignoring case).
#' @param label Heading of the first column (default: a plain-words name for
#'   the report's columns, such as "Age" for `age_group`, else `var`;
#'   "Category" when the categories are the rows).
#' @param posterior Optional matrix of posterior class probabilities for
#'   proportional assignment (see above).
#' @param focus With `posterior` and `class` (categories by council), the one
#'   level of `class` whose counts are printed (the report's council). Every
#'   other level is pooled into one column, `others` (default "Other councils
#'   in the model"), that shows percentages only (suppressed where the pooled
#'   count is under the threshold), and there is no "All episodes" column: a
#'   council's report does not print other councils' counts, by name or by
#'   subtraction from a total. `NULL` (default): one column per level.
#' @param others Heading of the pooled column with `focus`.
#' @param hide Optional named list of cells to suppress because another
#'   published table would give them back (tables that share a margin, such
#'   as conferences held by category, which add up to the ICPC and CP plan
#'   cells of the table of thresholds): element `total` the categories whose
#'   totals are hidden (with their whole columns), any other element, named
#'   by a level of `var`, the categories whose cell at that level is hidden.
#'   Complementary cells are added as for any suppressed cell. Categories
#'   counted together as "Other categories" hide that column's cell.
#' @param pool Optional categories (two or more) to count together as
#'   "Other categories" instead of those the table would pool for itself
#'   (with `var` and `posterior`; used by [pathway_tables()] when other
#'   tables force the totals of several categories to be hidden).
#' @param published Optional levels of `var` whose counts by class are
#'   published elsewhere (for example "CP plan" in a table of the highest
#'   threshold reached, when another table gives the number of plans in each
#'   category as its totals). Their cells are not chosen as complementary
#'   cells: hiding a count here that another table prints would let a small
#'   cell be worked out by subtraction. They are rounded plainly, as the
#'   other table rounds them.
#' @param linked_rows Optional list of sets of levels (character vectors)
#'   whose sums by category another published table prints (for example
#'   "Section 47", "ICPC" and "CP plan" are the episodes with a section 47
#'   enquiry of a table of outcomes). Complementary cells are then chosen,
#'   where that loses least, so that each such sum can still be worked out
#'   from this table (its hidden cells in a category all inside the set or
#'   all outside it), so the other table need not hide it (used by
#'   [pathway_tables()]).
#' @param totals_published `TRUE` when the category totals are a row of
#'   another published table (for example the plans of each category, the
#'   "CP plan" row of a table of thresholds): they are then rounded plainly,
#'   as that table rounds them. Default `FALSE`: rounded to add up to the
#'   rounded number of episodes.
#' @param rounded Optional printed values decided across tables, so that a
#'   count of the same episodes prints one value in every table (used by
#'   [pathway_tables()]): a list of `cells`, a matrix of levels (rows) by
#'   categories (columns, as the posterior's), and `totals`, a vector by
#'   category, `NA` where the table rounds as usual. A column of categories
#'   counted together prints the sum of its categories' values.
#' @return A data frame of character cells (`"1,234 (45.6%)"`, `"c"`), one row
#'   per level plus `"All episodes"`, one column per class plus `"All
#'   episodes"`, of class `cscdemand_crosstab`. Attribute `counts` holds the
#'   published counts as a numeric matrix (suppressed cells `NA`, totals in
#'   the last row and column) and `suppressed` the logical matrix of
#'   suppressed cells; `expected` the unrounded counts of its rows, one
#'   column per class before any are counted together (what
#'   [class_profile()] computes its ratios from); `method` `"modal"` (a class column) or
#'   `"proportional"`; `note` a sentence saying which rows were merged (or
#'   `NULL`); `sentence` a sentence that replaces the table when it has one
#'   row only (every episode has the same level), or when every category is
#'   suppressed (its levels' totals in words), else `NULL`; `pooled` the
#'   categories counted together as "Other categories" (or none).
#'   `plot()` draws, for each class, the percentage of its episodes at each
#'   level as stacked bars, from the published cells only: the suppressed
#'   cells of a class are one grey segment (its total less its shown
#'   cells, which the table gives already), so every bar reaches 100% and
#'   the chart hides exactly what the table hides (class names wrapped).
#' @family profiling
#' @export
#' @examples
#' set.seed(4)
#' ep <- data.frame(class = sample(c("Neglect", "Domestic abuse"), 300, TRUE),
#'                  source = sample(c("Police", "Schools", "Health", NA), 300, TRUE,
#'                                  prob = c(.5, .3, .17, .03)))
#' tab <- class_crosstab(ep, "class", "source")
#' tab
#' plot(tab)
#' post <- cbind(Neglect = runif(300))
#' post <- cbind(post, `Domestic abuse` = 1 - post[, 1])
#' class_crosstab(ep, var = "source", posterior = post)
class_crosstab <- function(episodes, class = NULL, var = NULL, threshold = 10,
                           unknown = c("Unknown", "Not known", "Don't know", "Not stated",
                                       "Not recorded", "Refused"),
                           label = NULL, posterior = NULL, published = NULL, focus = NULL,
                           others = "Other councils in the model", hide = NULL, pool = NULL,
                           totals_published = FALSE, linked_rows = NULL, rounded = NULL) {
  check_episodes(episodes)
  check_threshold(threshold)
  check_crosstab_hide(hide)
  check_flag(totals_published)
  if (!is.null(linked_rows) && (!is.list(linked_rows) ||
                                !all(vapply(linked_rows, function(r) is.character(r) && !anyNA(r), logical(1))))) {
    abort_input(c("{.arg linked_rows} must be a list of sets of levels (character vectors).",
                  i = "For example {.code list(c(\"Section 47\", \"ICPC\", \"CP plan\"))}."),
                class = "cscdemand_error_hide")
  }
  if (is.null(posterior)) {
    check_column(episodes, class)
    check_column(episodes, var)
    if (is.null(label)) label <- profile_var_label(var)
    kept <- drop_missing_class(episodes, class_factor(episodes, class), class)
    v <- crosstab_levels(kept$episodes[[var]], unknown)
    tab <- unclass(table(v, kept$class))
    storage.mode(tab) <- "double"
    return(crosstab_publish(tab, label, threshold, unknown, "modal", published, hide = hide,
                            totals = totals_published))
  }
  W <- check_posterior(posterior, nrow(episodes))
  if (is.null(class) == is.null(var)) {
    abort_input(c("With {.arg posterior}, give one of {.arg class} and {.arg var}: the categories take the place of the other.",
                  i = "{.arg var} for a characteristic by category, {.arg class} for categories by council."),
                class = "cscdemand_error_column")
  }
  if (!is.null(var)) {
    check_column(episodes, var)
    v <- crosstab_levels(episodes[[var]], unknown)
    tab <- rowsum(W, v, reorder = FALSE)[levels(v)[levels(v) %in% v], , drop = FALSE]
    if (is.null(label)) label <- profile_var_label(var)
  } else {
    check_column(episodes, class)
    grp <- crosstab_focus(episodes[[class]], focus, others, class)
    g <- crosstab_levels(grp, if (is.null(focus)) unknown else character())
    tab <- t(rowsum(W, g, reorder = FALSE)[levels(g)[levels(g) %in% g], , drop = FALSE])
    if (is.null(label)) label <- "Category"
    if (!is.null(focus)) {
      tab <- tab[, c(focus, intersect(others, colnames(tab))), drop = FALSE]
      return(crosstab_focus_only(crosstab_publish(tab, label, threshold, character(), "proportional"),
                                 focus))
    }
  }
  crosstab_publish(tab, label, threshold, unknown, "proportional", published,
                   merge_columns = if (!is.null(var)) "Other categories", hide = hide, pool = pool,
                   totals = totals_published, groups = linked_rows, rounded = rounded)
}

# One level kept by name, every other pooled under `others`.
crosstab_focus <- function(x, focus, others, class) {
  if (is.null(focus)) return(x)
  if (!is.character(focus) || length(focus) != 1L || is.na(focus) || !focus %in% x) {
    abort_input(c("{.arg focus} must be one value of column {.field {class}}.",
                  x = "{.val {focus}} is not among its values.",
                  i = "Values: {.val {utils::head(sort(unique(as.character(x))), 10)}}."),
                class = "cscdemand_error_column")
  }
  if (!is.character(others) || length(others) != 1L || is.na(others) || others == focus) {
    abort_input("{.arg others} must be one heading, other than {.arg focus}.")
  }
  ifelse(!is.na(x) & x == focus, focus, others)
}

# The published form of a table with a focus: the focus column as counts and
# percentages, the pooled column as percentages only (its counts and the "All
# episodes" column, which would give them back, are left out).
crosstab_focus_only <- function(tab, focus) {
  keep <- setdiff(names(tab), "All episodes")
  pooled <- setdiff(keep[-1], focus)
  out <- as.data.frame(unclass(tab), check.names = FALSE, stringsAsFactors = FALSE)[keep]
  for (cl in pooled) {
    v <- out[[cl]]
    pct <- sub("^.*\\(([0-9.]+%)\\)$", "\\1", v)
    out[[cl]] <- ifelse(v == "c", "c", ifelse(grepl("%\\)$", v), pct, "100.0%"))
  }
  cnt <- attr(tab, "counts")[, c(focus, pooled), drop = FALSE]
  cnt[, pooled] <- NA
  structure(out, class = class(tab), counts = cnt,
            suppressed = attr(tab, "suppressed")[, c(focus, pooled), drop = FALSE],
            threshold = attr(tab, "threshold"), method = attr(tab, "method"),
            note = attr(tab, "note"), sentence = NULL, focus = focus)
}

# Tidying (empty rows out, small residual rows merged), totals, rounding,
# suppression and formatting of a levels x classes table of counts (whole or
# expected).
crosstab_publish <- function(tab, label, threshold, unknown, method, published = NULL,
                             merge_columns = NULL, hide = NULL, pool = NULL, totals = FALSE, groups = NULL,
                             rounded = NULL) {
  out <- crosstab_publish_cells(tab, label, threshold, unknown, method, published, merge_columns, hide, pool, totals,
                                groups, rounded)
  out <- crosstab_residual_total(out, label, threshold, unknown, method, published, merge_columns, hide, pool, totals,
                                 groups, rounded) %||% out
  crosstab_with_hidden_note(out, threshold)
}

# Every table that hides cells says why under it (reader 10: a table hid 11
# of 30 cells with no note). The reason is said of the table, never of a
# cell (naming the small cells would undo the protection the others give);
# where another table is the reason, pathway_tables() adds a sentence naming
# it (linked_explain()).
crosstab_hidden_note <- function(threshold) {
  paste0("Cells shown as \u201cc\u201d are suppressed: each holds fewer than ", threshold,
         " episodes, or is hidden so that such a number cannot be worked out from the totals.")
}

crosstab_with_hidden_note <- function(tab, threshold) {
  supp <- attr(tab, "suppressed")
  note <- attr(tab, "note")
  say <- crosstab_hidden_note(threshold)
  note <- trimws(sub(say, "", paste(note, collapse = " "), fixed = TRUE))
  if (threshold > 0 && !is.null(supp) && any(supp)) note <- paste(c(if (nzchar(note)) note, say), collapse = " ")
  attr(tab, "note") <- if (nzchar(note)) note
  tab
}

# The printed values `rounded` (from pathway_tables(): a list of `cells`, a
# matrix of levels by categories, and `totals`, by category; NA where free)
# laid out as `tab` is after crosstab_layout(): a pooled column is the sum
# of its categories' values (NA if any is free), a row not in `rounded` free.
crosstab_fixed <- function(rounded, tab, pooled, pool_name) {
  if (is.null(rounded)) return(NULL)
  col_of <- function(v, j) {
    cats <- if (!is.null(pool_name) && identical(j, pool_name)) pooled else j
    if (!all(cats %in% names(v))) return(NA_real_)
    sum(v[cats])
  }
  cells <- matrix(NA_real_, nrow(tab), ncol(tab), dimnames = dimnames(tab))
  for (i in intersect(rownames(tab), rownames(rounded$cells))) {
    v <- rounded$cells[i, ]
    cells[i, ] <- vapply(colnames(tab), function(j) col_of(v, j), 0)
  }
  totals <- if (!is.null(rounded$totals)) vapply(colnames(tab), function(j) col_of(rounded$totals, j), 0)
  list(cells = cells, totals = totals)
}

crosstab_publish_cells <- function(tab, label, threshold, unknown, method, published = NULL,
                                    merge_columns = NULL, hide = NULL, pool = NULL, totals = FALSE, groups = NULL,
                                    rounded = NULL) {
  lay <- crosstab_layout(tab, threshold, unknown, merge_columns, pool = pool)
  tidy <- lay$tidy
  tab <- lay$tab
  sp <- crosstab_suppress(tab, threshold, published, crosstab_hide_cells(hide, tab, lay$pooled, merge_columns),
                          totals = totals, groups = groups,
                          fixed = crosstab_fixed(rounded, tab, lay$pooled, merge_columns))
  full <- sp$full
  supp <- sp$supp
  body <- full[-nrow(full), , drop = FALSE]
  counts <- full
  counts[supp] <- NA
  # percentages of the printed counts, whose columns add up to their totals
  # (crosstab_round()): each recomputes from its cell, and a column adds up
  # to 100 within the rounding of its percentages
  denom <- matrix(full[nrow(full), ], nrow(full), ncol(full), byrow = TRUE)
  pct <- round(ifelse(denom > 0, published_pct(full, denom), 0), 1)
  cells <- ifelse(supp, "c", paste0(fmt_int(full), " (", formatC(pct, format = "f", digits = 1), "%)"))
  cells[nrow(full), ] <- ifelse(supp[nrow(full), ], "c", fmt_int(full[nrow(full), ]))
  out <- data.frame(rownames(full), cells, check.names = FALSE, stringsAsFactors = FALSE)
  names(out) <- c(label, colnames(full))
  rownames(out) <- NULL
  structure(out, class = c("cscdemand_crosstab", "data.frame"), counts = counts, printed = full, printed_pct = pct,
            suppressed = supp, threshold = threshold, method = method, expected = lay$rows_tab,
            note = crosstab_note(tidy$merged, c(tidy$notes, lay$note, kept <- crosstab_kept_note(
              supp[-nrow(full), -ncol(full), drop = FALSE], rownames(body),
              c(residual_levels(unknown), tidy$label), label), tidy$families), still_hides = !is.null(kept)),
            sentence = crosstab_sentence(full, label, threshold) %||% crosstab_hidden_sentence(supp, cells, label),
            pooled = lay$pooled)
}

# A small not-known row (Unknown, Not known, Missing) under the threshold in
# many categories needs a complementary cell in each of them, and, with the
# category totals published, these must link up through a large row: a row
# of hundreds then loses most of its cells (a gender table whose Unknown row
# holds 17 episodes), which loses more than it protects. Then the not-known
# row is shown in the total column only, and the categories' columns give
# the other rows as percentages of the category's episodes with a known
# value, without their counts (with the category totals, the counts would
# give the not-known row back by subtraction); the known rows are suppressed
# on their own (a percentage that gives back a small count is hidden).
# Returns NULL when no large row is mostly hidden because of such a row.
crosstab_residual_total <- function(res, label, threshold, unknown, method, published, merge_columns, hide,
                                    pool = NULL, totals = FALSE, groups = NULL, rounded = NULL) {
  supp <- attr(res, "suppressed")
  e <- attr(res, "expected")
  nr <- nrow(supp)
  nc <- ncol(supp)
  if (threshold <= 0 || nr < 4L || nc < 3L || is.null(e)) return(NULL)
  lv <- rownames(supp)[-nr]
  resid <- tolower(lv) %in% tolower(c(unknown, "Missing", "(missing)")) |
    grepl("\\b(unknown|not known|missing)\\b", lv, ignore.case = TRUE)
  hid <- supp[-nr, -nc, drop = FALSE]
  rt <- round(rowSums(e))[lv]
  crowded <- !resid & rt >= 10 * threshold & 2 * rowSums(hid) > ncol(hid)
  if (!any(crowded) || !any(resid) || sum(!resid) < 2L || !any(hid[resid, ]) ||
      !all(rownames(e) == lv)) return(NULL)
  # the known rows' totals are their printed values added up (when decided)
  if (!is.null(rounded)) {
    known <- rownames(e)[!resid]
    rounded$totals <- if (all(known %in% rownames(rounded$cells))) colSums(rounded$cells[known, , drop = FALSE])
  }
  k <- crosstab_publish_cells(e[!resid, , drop = FALSE], label, threshold, unknown, method, published,
                               merge_columns, hide, pool, totals, groups, rounded)
  # what the full table's note said of merged rows still holds; that the
  # not-known row is kept with hidden cells, or that categories are counted
  # together (the known rows' table pools its own), no longer does
  before <- gsub("[^.]*( (is|are) kept as a row of its own| counted together as )[^.]*\\.", "",
                 attr(res, "note") %||% "")
  before <- sub(": some still are, so that those numbers cannot be worked out.", ".", before, fixed = TRUE)
  crosstab_known_only(k, e, resid, label, trimws(before), threshold)
}

# The table of the known rows (`k`, from crosstab_publish_cells()) as
# percentages of each category's known episodes, the not-known rows of `e`
# added with their totals only, and the categories' whole totals.
crosstab_known_only <- function(k, e, resid, label, before = "", threshold = 10) {
  out <- as.data.frame(unclass(k), check.names = FALSE, stringsAsFactors = FALSE)
  cats <- setdiff(names(out)[-1], "All episodes")
  n <- nrow(out)
  size <- colSums(e)
  pooled <- attr(k, "pooled") %||% character()
  supp <- attr(k, "suppressed")
  unknown_total <- sum(round(rowSums(e))[resid])
  for (cl in cats) {
    v <- out[[cl]][-n]
    out[[cl]][-n] <- ifelse(v == "c", "c", sub("^.*\\(([0-9.]+%)\\)$", "\\1", v))
    whole <- if (cl %in% names(size)) size[[cl]] else sum(size[pooled])
    if (out[[cl]][n] != "c") out[[cl]][n] <- fmt_int(round(whole))
    # the percentages of the known episodes, with the category's total and
    # the not-known total, must not pin the category's not-known episodes
    pct <- suppressWarnings(as.numeric(sub("%$", "", out[[cl]][-n])))
    can <- unknown_feasible(pct, round(whole), unknown_total)
    if (length(can) && max(can) - min(can) < threshold) {
      out[[cl]][-n] <- "c"
      supp[-n, cl] <- TRUE
    }
  }
  N <- round(sum(e))
  tot <- c(round(rowSums(e))[!resid], round(rowSums(e))[resid])
  pct <- if (N > 0) round(100 * tot / N, 1) else 0 * tot
  all_cells <- paste0(fmt_int(tot), " (", formatC(pct, format = "f", digits = 1), "%)")
  res_rows <- data.frame(paste0(rownames(e)[resid], " (not shown by category)"),
                         matrix("", sum(resid), length(cats)), all_cells[-seq_len(n - 1L)],
                         stringsAsFactors = FALSE)
  names(res_rows) <- names(out)
  out[["All episodes"]][-n] <- all_cells[seq_len(n - 1L)]
  out[["All episodes"]][n] <- fmt_int(N)
  out <- rbind(out[-n, , drop = FALSE], res_rows, out[n, , drop = FALSE])
  rownames(out) <- NULL
  what <- tolower_label(label)
  note <- paste0(and_list(rownames(e)[resid]), " (", fmt_int(sum(round(rowSums(e))[resid])),
                 " episodes) ", if (sum(resid) > 1) "are" else "is", " not shown by category: hiding its small ",
                 "numbers by category would hide most of the cells of a large row. The categories' percentages are ",
                 "of their episodes with a known ", what, "; their counts are not shown, since with the categories' ",
                 "totals they would give the ", tolower(and_list(rownames(e)[resid])), " episodes back.")
  attrs <- attributes(k)
  attrs$names <- names(out)
  attrs$row.names <- seq_len(nrow(out))
  attrs$note <- paste(c(if (nzchar(before)) before, attr(k, "note"), note), collapse = " ")
  attrs$residual_total <- rownames(e)[resid]
  attrs$suppressed <- supp
  attributes(out) <- attrs
  out
}

# The numbers of not-known episodes a category can have, given what a reader
# sees: the category's total `whole`, the not-known total of all categories
# `unknown_total` (the category's share of it is from 0 to all of it), and
# the percentages `pct` (one decimal; NA where hidden) of the category's
# known episodes: a number of known episodes is possible when every shown
# percentage is a whole number of episodes of it, rounded.
unknown_feasible <- function(pct, whole, unknown_total) {
  pct <- pct[!is.na(pct)]
  u <- seq.int(0, min(unknown_total, whole))
  if (!length(pct)) return(u)
  ok <- vapply(whole - u, function(K) {
    if (K <= 0) return(FALSE)
    all(vapply(pct, function(p) {
      m <- round(p * K / 100)
      any(abs(round(100 * (m + -1:1) / K, 1) - p) < 1e-6 & m + -1:1 >= 0 & m + -1:1 <= K)
    }, logical(1)))
  }, logical(1))
  u[ok]
}

# The counts of a crosstab as it prints them (rounded, before suppression),
# for each level and class in the order of expand.grid(levels, classes): the
# cell, the class's total, and what a reader gets by subtraction, the level's
# total less the cell and the grand total less the class's total (NA for a
# class the table pools with others), and the cell's percentage as printed.
# The percentages of a sentence come from these, so they agree with the table.
crosstab_printed_counts <- function(ct, levels, classes) {
  p <- attr(ct, "printed")
  nr <- nrow(p)
  nc <- ncol(p)
  i <- match(rep(levels, length(classes)), rownames(p))
  j <- match(rep(classes, each = length(levels)), colnames(p)[-nc])
  n <- p[cbind(i, j)]
  n_class <- p[nr, j]
  list(n, n_class, p[i, nc] - n, p[nr, nc] - n_class, attr(ct, "printed_pct")[cbind(i, j)])
}

# `hide` of class_crosstab(): a named list of character vectors.
check_crosstab_hide <- function(hide, call = rlang::caller_env()) {
  if (is.null(hide)) return(invisible())
  if (!is.list(hide) || is.null(names(hide)) || any(!nzchar(names(hide))) ||
      !all(vapply(hide, function(h) is.character(h) && !anyNA(h), logical(1)))) {
    abort_input(c("{.arg hide} must be a named list of categories (character vectors).",
                  i = "For example {.code hide = list(total = c(\"Neglect\"), ICPC = \"Physical abuse\")}: element {.val total} for category totals, others named by a level of the table."),
                class = "cscdemand_error_hide", call = call)
  }
  invisible()
}

# The cells `hide` asks for, as a logical matrix of the table with its
# totals (rows: levels then "All episodes"; columns: categories then "All
# episodes"); a category counted in a pooled column hides that column's
# cell. Levels or categories the table does not have are ignored.
crosstab_hide_cells <- function(hide, tab, pooled = character(), pool_name = NULL) {
  if (is.null(hide)) return(NULL)
  out <- matrix(FALSE, nrow(tab) + 1L, ncol(tab) + 1L,
                dimnames = list(c(rownames(tab), "All episodes"), c(colnames(tab), "All episodes")))
  for (lv in names(hide)) {
    cats <- hide[[lv]]
    cats <- unique(ifelse(cats %in% pooled & length(pool_name), pool_name %||% "", cats))
    cats <- intersect(cats, colnames(tab))
    row <- if (lv == "total") "All episodes" else lv
    if (row %in% rownames(out)) out[row, cats] <- TRUE
  }
  out
}

# What the report says under a table whose residual rows were merged.
# `still_hides`: the merged row's small numbers still hide cells of other
# rows (crosstab_kept_note() says so), so the merge is not said to spare them.
# The merged row is the row crosstab_kept_note() speaks of: one sentence says
# both (that it is merged, and that its small numbers still hide cells), never
# "merged into one row" and then "kept as a row of its own".
crosstab_note <- function(merged, more = NULL, still_hides = FALSE) {
  more <- if (length(more)) paste(more, collapse = " ")
  if (!length(merged)) return(more)
  if (still_hides && length(more)) {
    more <- trimws(gsub("[^.]* (is|are) kept as a row of its own[^.]*\\.", "", more))
    if (!nzchar(more)) more <- NULL
  }
  lv <- c(merged[1], tolower(merged[-1]))
  paste0(and_list(lv), " are merged into one row (\u201c", residual_label(merged), "\u201d), ",
         if (still_hides) paste0("so that fewer cells of the other rows are hidden with their small numbers: ",
                                 "some still are, so that those numbers cannot be worked out.")
         else "so that their small numbers need not hide cells of the other rows.",
         if (length(more)) paste0(" ", paste(more, collapse = " ")))
}

# A small not-known row that no catch-all row could take stays a row of its
# own (counting it with a substantive level such as Female would change what
# that row means); its suppressed cells need complements in the other rows,
# and the note says why they are hidden.
crosstab_kept_note <- function(supp, levels, residual, label) {
  res <- tolower(levels) %in% tolower(residual)
  if (!any(res) || !any(supp[res, ]) || !any(supp[!res, colSums(supp[res, , drop = FALSE]) > 0])) return(NULL)
  paste0(and_list(levels[res]), " ", if (sum(res) > 1) "are" else "is",
         " kept as a row of its own, not counted with another ", tolower(label),
         ": its small numbers are suppressed with some cells of the other rows, so they cannot be worked out.")
}

# A table whose every category is hidden (its totals would give away small
# numbers of another table) says only its levels' totals: a sentence.
crosstab_hidden_sentence <- function(supp, cells, label) {
  nr <- nrow(supp)
  nc <- ncol(supp)
  if (nc < 2L || !all(supp[nr, -nc])) return(NULL)
  lv <- paste0(rownames(supp)[-nr], ": ", ifelse(supp[-nr, nc], "c", cells[-nr, nc]))
  paste0(label, ", all categories together: ", paste(lv, collapse = "; "), ", of ",
         if (supp[nr, nc]) "c" else cells[nr, nc], " in all. ",
         "By category these numbers are not shown: they would give away numbers under the ",
         "threshold, here or with another table.")
}

# A table with one level says one thing: a sentence instead of the table.
crosstab_sentence <- function(full, label, threshold) {
  if (nrow(full) != 2L) return(NULL)
  n <- full[nrow(full), ncol(full)]
  paste0(if (n > 0 && n < threshold) "Every one of fewer than " else "Every one of the ",
         if (n > 0 && n < threshold) format(threshold) else fmt_int(n),
         " episodes has the same ", tolower(label), ": ", rownames(full)[1], ".")
}

#' @export
print.cscdemand_crosstab <- function(x, ...) {
  print(as.data.frame(unclass(x), stringsAsFactors = FALSE, check.names = FALSE), row.names = FALSE)
  invisible(x)
}

#' @rdname class_crosstab
#' @param x A table from `class_crosstab()`.
#' @param ... Unused.
#' @export
plot.cscdemand_crosstab <- function(x, ...) {
  d <- crosstab_plot_data(x)
  if (!nrow(d) || all(d$level == crosstab_hidden_label)) return(suppressed_plot())
  lv <- setdiff(levels(d$level), crosstab_hidden_label)
  pal <- c(stats::setNames(rev(grDevices::colorRampPalette(
    c("#ffffb2", "#fecc5c", "#fd8d3c", "#f03b20", "#bd0026"))(max(length(lv), 1L)))[seq_along(lv)], lv),
    stats::setNames("grey80", crosstab_hidden_label))
  ggplot2::ggplot(d, ggplot2::aes(x = .data$pct, y = .data$class, fill = .data$level)) +
    ggplot2::geom_col(width = 0.7) +
    ggplot2::scale_y_discrete(labels = wrap_labels) +
    ggplot2::scale_fill_manual(values = pal,
                               labels = function(v) wrap_labels(v, 30)) +
    ggplot2::labs(x = "% of the episodes", y = NULL, fill = names(x)[1]) +
    ggplot2::guides(fill = ggplot2::guide_legend(reverse = TRUE, ncol = 1)) +
    ggplot2::theme_minimal(base_size = 12) +
    ggplot2::theme(legend.position = "right")
}

# What the chart of a crosstab draws: its published cells only, as the
# percentages the table prints, and in each category one grey segment for
# its suppressed cells together (the category's total less its shown cells,
# which the table gives already), so every bar reaches 100% and no
# suppressed cell is drawn on its own. A category whose total is hidden is
# one grey bar. One row per segment: level, class, pct.
crosstab_plot_data <- function(x) {
  cnt <- attr(x, "counts")
  supp <- attr(x, "suppressed")
  body <- cnt[-nrow(cnt), -ncol(cnt), drop = FALSE]
  hid <- supp[-nrow(cnt), -ncol(cnt), drop = FALSE]
  tot <- cnt[nrow(cnt), -ncol(cnt)]
  pct <- 100 * body / rep(tot, each = nrow(body))
  pct[hid] <- NA
  rest <- ifelse(is.na(tot), 100, pmax(0, 100 - colSums(pct, na.rm = TRUE)))
  rest[colSums(hid) == 0 & !is.na(tot)] <- 0
  d <- data.frame(level = c(rep(rownames(body), ncol(body)), rep(crosstab_hidden_label, ncol(body))),
                  class = c(rep(colnames(body), each = nrow(body)), colnames(body)),
                  pct = c(as.vector(pct), rest), stringsAsFactors = FALSE)
  d <- d[!is.na(d$pct) & (d$level != crosstab_hidden_label | d$pct > 0), , drop = FALSE]
  # the first level is stacked at the end of the bar: the levels run from 0
  # in table order and the grey segment comes last, as the legend lists them
  d$level <- factor(d$level, levels = c(crosstab_hidden_label, rev(rownames(body))))
  d$class <- factor(d$class, levels = rev(colnames(body)))
  rownames(d) <- NULL
  d
}

crosstab_hidden_label <- "Suppressed (c): to protect confidentiality"

# A characteristic as a factor with "not known" levels and "Missing" last.
crosstab_levels <- function(x, unknown) {
  if (is.factor(x)) lv <- levels(x) else lv <- sort(unique(as.character(x[!is.na(x)])))
  # text holding the values of a column the CIN census reader makes a factor
  # (ethnic group, category of abuse) is in that factor's order: a table's
  # rows do not depend on whether the data came as XML or as a data frame
  if (!is.factor(x) && length(lv)) {
    for (canon in list(cin_ethnic_groups(), cin_cp_categories())) {
      if (all(lv %in% canon)) {
        lv <- canon[canon %in% lv]
        break
      }
    }
  }
  x <- as.character(x)
  x[is.na(x) | !nzchar(trimws(x))] <- "Missing"
  lv <- setdiff(lv[nzchar(trimws(lv))], "Missing")
  unk <- lv[tolower(lv) %in% tolower(unknown)]
  lv <- c(setdiff(lv, unk), unk, if (any(x == "Missing")) "Missing")
  lv <- c(lv, setdiff(unique(x), lv))
  factor(x, levels = lv)
}

#' Thresholds of intervention reached by each episode
#'
#' The highest threshold reached, as an ordered factor: `"Assessed not in
#' need"` < `"In need, no plan"` < `"CIN plan"` < `"Section 47"` < `"ICPC"` <
#' `"CP plan"`. Taken from a `threshold` column when the episode table has
#' one, else derived from the 0/1 flags `cp_plan`, `icpc`, `s47`, `cin_plan`
#' and `not_in_need` (the highest flag set wins; an episode with every flag 0
#' was assessed in need with no plan). An episode whose flags are all missing
#' is `NA`.
#'
#' @param episodes A data frame, one row per episode.
#' @return An ordered factor, one value per row.
#' @family profiling
#' @export
#' @examples
#' ep <- data.frame(not_in_need = c(1, 0, 0, 0), cin_plan = c(0, 1, 1, 0),
#'                  s47 = c(0, 0, 1, 0), icpc = 0, cp_plan = 0)
#' episode_threshold(ep)
episode_threshold <- function(episodes) {
  check_episodes(episodes)
  lv <- cin_thresholds()
  if ("threshold" %in% names(episodes)) {
    th <- as.character(episodes$threshold)
    seen <- unique(th[!is.na(th)])
    return(factor(th, levels = c(lv[lv %in% seen], setdiff(seen, lv)), ordered = TRUE))
  }
  flags <- c(not_in_need = 1, cin_plan = 3, s47 = 4, icpc = 5, cp_plan = 6)
  have <- intersect(names(flags), names(episodes))
  if (!length(have)) {
    abort_input(c("The episodes hold no threshold information.",
                  i = "Give a {.field threshold} column or 0/1 flags {.field {names(flags)}}."),
                class = "cscdemand_error_column")
  }
  out <- rep(NA_integer_, nrow(episodes))
  any_known <- rep(FALSE, nrow(episodes))
  for (f in have) {
    x <- check_flag_column(episodes[[f]], f)
    any_known <- any_known | !is.na(x)
    if (f == "not_in_need") next
    hit <- !is.na(x) & x == 1
    out[hit] <- pmax(out[hit], flags[[f]], na.rm = TRUE)
  }
  nin <- if ("not_in_need" %in% have) episodes$not_in_need else rep(NA, nrow(episodes))
  none <- is.na(out) & any_known
  out[none] <- ifelse(!is.na(nin[none]) & nin[none] == 1, 1L, 2L)
  factor(lv[out], levels = lv, ordered = TRUE)
}

#' Effect of the child's neighbourhood deprivation on the chance of each class
#'
#' Kingston Table 13: for each class, a logistic regression of membership of
#' the class (against every other class) on the IMD decile of the child's
#' neighbourhood, as a number (1 = most deprived tenth), with the council as
#' a fixed effect when there are several. The odds ratio is per decile step
#' towards *less* deprivation: below 1, the class is more common in more
#' deprived neighbourhoods.
#'
#' Model estimates, not counts; a class with fewer than `threshold` episodes
#' with a known decile is not modelled (its row says so).
#'
#' @inheritParams class_profile
#' @param decile Name of the IMD decile column (from [link_imd()]).
#' @param group Optional council column, a fixed effect in every model.
#' @return A data frame with columns `class`, `n` (episodes with a known
#'   decile; `NA` when below the threshold), `odds_ratio`, `lower`, `upper`
#'   and `p_value`.
#' @family profiling
#' @export
#' @examples
#' set.seed(5)
#' ep <- data.frame(imd_decile = sample(1:10, 800, TRUE))
#' ep$class <- ifelse(runif(800) < 0.5 - 0.03 * ep$imd_decile, "Neglect", "Other")
#' class_deprivation_effect(ep, "class")
class_deprivation_effect <- function(episodes, class, decile = "imd_decile", group = NULL,
                                     level = 0.95, threshold = 10) {
  check_episodes(episodes)
  check_column(episodes, class)
  check_column(episodes, decile)
  if (!is.null(group)) check_column(episodes, group)
  check_threshold(threshold)
  kept <- drop_missing_class(episodes, class_factor(episodes, class), class)
  ok <- !is.na(kept$episodes[[decile]])
  d <- data.frame(decile = as.numeric(kept$episodes[[decile]][ok]))
  cls <- kept$class[ok]
  if (!is.null(group)) d$group <- factor(kept$episodes[[group]][ok])
  fe <- !is.null(group) && nlevels(droplevels(d$group)) > 1L
  z <- stats::qnorm(1 - (1 - level) / 2)
  rows <- lapply(levels(cls), function(k) {
    y <- as.integer(cls == k)
    if (sum(y) < max(threshold, 1) || sum(1 - y) < max(threshold, 1) || length(unique(d$decile)) < 2L) {
      return(data.frame(class = k, n = NA_real_, odds_ratio = NA_real_, lower = NA_real_,
                        upper = NA_real_, p_value = NA_real_))
    }
    f <- if (fe) y ~ decile + group else y ~ decile
    m <- suppressWarnings(stats::glm(f, family = stats::binomial(), data = cbind(d, y = y)))
    co <- summary(m)$coefficients["decile", ]
    data.frame(class = k, n = sum(y), odds_ratio = exp(co[[1]]),
               lower = exp(co[[1]] - z * co[[2]]), upper = exp(co[[1]] + z * co[[2]]),
               p_value = co[[4]])
  })
  out <- do.call(rbind, rows)
  rownames(out) <- NULL
  out
}

# A crosstab with one hidden cell (row `r`, column `j` of its printed
# counts) shown again, formatted as the table formats its cells, and its
# sentence for a table with every category hidden dropped once a category's
# total shows (used by pathway_tables(), which checks that showing it is
# safe).
crosstab_unhide <- function(tab, r, j) {
  p <- attr(tab, "printed")
  pct <- attr(tab, "printed_pct")
  supp <- attr(tab, "suppressed")
  cnt <- attr(tab, "counts")
  i <- match(r, rownames(p))
  k <- match(j, colnames(p))
  supp[i, k] <- FALSE
  cnt[i, k] <- p[i, k]
  tab[[k + 1L]][i] <- if (i == nrow(p)) fmt_int(p[i, k]) else
    paste0(fmt_int(p[i, k]), " (", formatC(pct[i, k], format = "f", digits = 1), "%)")
  attr(tab, "suppressed") <- supp
  attr(tab, "counts") <- cnt
  tab <- crosstab_with_hidden_note(tab, attr(tab, "threshold"))
  nc <- ncol(supp)
  if (!is.null(attr(tab, "sentence")) && nrow(p) != 2L && !all(supp[nrow(p), -nc])) attr(tab, "sentence") <- NULL
  tab
}
