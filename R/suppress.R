# Small-number suppression: the one engine behind every published table.
#
# Rules (also in ?suppress_small, "Rules"):
# * primary: a count c with 0 < c < threshold is suppressed. True zeros are
#   kept, as in DfE practice (a zero discloses nothing about an individual),
#   unless the caller asks otherwise. Expected counts from posterior weights
#   are treated the same way.
# * secondary: the counts of one table are read as a matrix whose row sums
#   and/or column sums are treated as published (they usually are, or can be
#   derived from other columns such as class totals). Whenever a line with a
#   published total holds exactly one suppressed cell, another cell of that
#   line is suppressed too: the one that loses least, that is the smallest
#   positive cell, costed with the complement its crossing line will need if
#   it exposes that line, and with the whole crossing line if it would leave
#   that line mostly suppressed (so a large row never disappears to protect a
#   small one); a zero only if nothing else is left. Then the linear system
#   "suppressed cells add up to the published totals" is solved: any suppressed
#   cell whose value is fixed by it (a bridge between otherwise protected
#   blocks) triggers one more complementary suppression.
# * by interval: hiding a cell is not enough when the published totals pin it
#   to a narrow range (two hidden cells of 3 and 4 in a row whose total is
#   published lie between 0 and 7 each). Every primary cell must be able to
#   take, consistently with everything published in the table (totals, shown
#   cells, non-negativity), a range of values at least `threshold` wide (so
#   it includes values of at least `threshold`). The exact range is worked
#   out (a maximum-flow problem when row and column totals are published; the
#   sum of the line's hidden cells when only one of them is), and a cell whose
#   range is too narrow gets one more complement, the one that protects it
#   at the least loss. A cell whose own line total is under the threshold
#   cannot be protected by hiding cells (the total itself bounds it); it is
#   reported as `unprotected`, for the caller to merge or hide that total.
# * shown again: complements that nothing needs any more are shown, the
#   largest first, when every line and range still holds without them.
#
# Users: publish_table() (profile tables), suppress_small() (any data frame,
# the report), suppress_text() (counts written inside text, such as the
# audit's "8D (1), 9A (6)"), context_suppress() (context_table()).

#' Small-number suppression for published tables
#'
#' Replaces counts from 1 to `threshold - 1` (and, optionally, columns derived
#' from them, such as rates or percentages) so that small numbers are not
#' published, as every table meant for publication should. Zeros are kept
#' unless `zero = TRUE`. With `totals`, a further (secondary) count is
#' suppressed wherever a published total would let a reader recover a
#' suppressed count by subtraction.
#'
#' @section Rules:
#' This is the package's one suppression engine (the profile tables,
#' [context_table()] and [suppress_text()] use the same one). Primary: a count
#' `c` with `0 < c < threshold`. Secondary (when `totals` is not `"none"`):
#' the chosen count columns form a matrix whose column sums (`"columns"`), row
#' sums (`"rows"`) or both are taken to be published; any line with a
#' published total and exactly one suppressed cell gets a second one, the one
#' that loses least: the smallest positive cell, counting the complement its
#' crossing line then needs, and avoiding any cell that would leave a large
#' row or column mostly suppressed. Cells whose value still follows from the
#' totals are protected the same way. Cells that are already `NA` count as
#' hidden.
#'
#' Hiding is not enough when the totals pin a hidden cell to a narrow range
#' (two hidden cells of 3 and 4 in a row whose total is published both lie
#' between 0 and 7). So every count under the threshold must keep a range of
#' possible values, given everything the table publishes (the totals, the
#' shown cells and that counts are not negative), at least `threshold` wide:
#' it could be any value from its lowest possible one to at least `threshold`
#' above it. The engine works out each range exactly and, where one is too
#' narrow, hides the further cell that widens it enough at the least loss. In
#' a single line with a published total, this means the hidden counts add up
#' to at least the threshold. Cells that are already `NA` add nothing to the
#' range (their value is unknown).
#'
#' Last, a complement that nothing needs any more (a later complement
#' protects the cells it was hidden for) is shown again, the largest first,
#' when every line and every range still holds without it: a hidden count
#' that protects nothing is only a loss. A row or column counts as large
#' from ten times the threshold (without its own total): a small line
#' mostly hidden loses less than a larger cell hidden beside it.
#'
#' A line whose own published total is under the threshold cannot be
#' protected by hiding cells: the total bounds every cell of it. Its total
#' must be withheld (with the smallest further totals of that dimension, so
#' that it cannot be worked out from the grand total); attribute `withheld`
#' lists them, with a sentence to print under the table, and the engine
#' protects the cells knowing only the sum of the withheld lines. Merging
#' such a line with a neighbour (or into "Other") before calling is the other
#' way, and usually tells the reader more.
#'
#' Choose `cols` to be counts of people or records only: a column counting
#' something else (columns of a file, codes, years) is not a count of
#' children and must not be suppressed; name the count columns explicitly
#' whenever a table holds such numbers.
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
#' @param totals Which totals of the `cols` matrix are published, so that
#'   secondary suppression protects them: `"none"` (default; primary only),
#'   `"columns"` (column totals, for example a table of counts with a total
#'   row), `"rows"` or `"both"`.
#' @return `table` with small counts replaced, and attributes `suppressed`:
#'   a data frame of the cells replaced (`row`, `column`, `reason`:
#'   `"primary"`, `"secondary"` or `"linked"`); `withheld`: a data frame of
#'   the published totals that must be withheld (`margin` `"row"` or
#'   `"column"`, `index` the row number or column name; see "Rules"), with a
#'   sentence for a note under the table as attribute `note`. When it is not
#'   empty, a warning of class `cscdemand_warning_withheld` says so.
#' @family suppression
#' @export
#' @examples
#' t <- data.frame(la = c("A", "B", "C"), n = c(4, 25, 0), pct = c(1.2, 7.5, 0))
#' suppress_small(t, linked = c(pct = "n"))
#' suppress_small(t, replace = "c")
#' # The column total is published: the 4 could be recovered from it and the 25,
#' # so the 25 is suppressed too (the 0 is kept: it is smaller but discloses nothing).
#' suppress_small(t, cols = "n", totals = "columns")
suppress_small <- function(table, threshold = 10, cols = NULL, linked = NULL, zero = FALSE,
                           replace = NA, totals = c("none", "columns", "rows", "both")) {
  check_data_frame(table)
  check_number(threshold, min = 1)
  check_flag(zero)
  totals <- rlang::arg_match(totals)
  if (length(replace) != 1L || !(is.na(replace) || is.character(replace) || is.numeric(replace))) {
    abort_input("{.arg replace} must be a single value such as {.code NA} or {.val c}.")
  }
  cols <- suppress_count_columns(table, cols)
  suppress_check_linked(table, linked)
  hide <- list()
  reason <- list()
  withheld <- withheld_totals(list(rows = logical(), cols = logical()), character())
  if (length(cols) && nrow(table)) {
    x <- as.matrix(table[cols])
    storage.mode(x) <- "double"
    na <- is.na(x)
    x[na] <- 0
    margins <- c(rows = totals %in% c("rows", "both"), cols = totals %in% c("columns", "both"))
    m <- suppress_matrix(x, threshold, primary = na | (zero & x == 0), margins = margins,
                         protect = !na & ((x > 0 & x < threshold) | (zero & x == 0)),
                         withhold = TRUE)
    for (j in seq_along(cols)) {
      hide[[cols[j]]] <- m$suppressed[, j] & !na[, j]
      reason[[cols[j]]] <- m$reason[, j]
    }
    withheld <- withheld_totals(m$withheld, cols)
  }
  for (i in seq_along(linked)) {
    tgt <- names(linked)[i]
    h <- hide[[linked[[i]]]] %||% rep(FALSE, nrow(table))
    old <- hide[[tgt]] %||% rep(FALSE, nrow(table))
    reason[[tgt]] <- ifelse(old, reason[[tgt]] %||% NA_character_, ifelse(h, "linked", NA_character_))
    hide[[tgt]] <- old | h
  }
  cells <- list()
  for (cl in names(hide)) {
    h <- hide[[cl]]
    if (!any(h)) next
    v <- table[[cl]]
    if (is.character(replace)) v <- as.character(v)
    v[h] <- replace
    table[[cl]] <- v
    cells[[cl]] <- data.frame(row = which(h), column = cl, reason = reason[[cl]][h],
                              stringsAsFactors = FALSE)
  }
  sup <- do.call(rbind, c(list(data.frame(row = integer(), column = character(),
                                          reason = character())), cells))
  rownames(sup) <- NULL
  attr(table, "suppressed") <- sup
  attr(table, "withheld") <- withheld
  if (nrow(withheld)) {
    warn_cscdemand(c("{nrow(withheld)} total{?s} of this table must not be published: {attr(withheld, 'note')}",
                     i = "See {.code attr(x, \"withheld\")}; or merge the small rows or columns with a neighbour first."),
                   class = "cscdemand_warning_withheld")
  }
  table
}

# The totals a caller must withhold, as a data frame (`margin`: "row" or
# "column", `index`: row number or column name) with a sentence as attribute
# `note`.
withheld_totals <- function(held, cols) {
  r <- which(held$rows)
  k <- cols[which(held$cols)]
  out <- data.frame(margin = rep(c("row", "column"), c(length(r), length(k))),
                    index = c(as.character(r), k), stringsAsFactors = FALSE)
  parts <- c(if (length(r)) paste0("the total", if (length(r) > 1L) "s", " of row", if (length(r) > 1L) "s",
                                   " ", and_list(as.character(r))),
             if (length(k)) paste0("the total", if (length(k) > 1L) "s", " of column", if (length(k) > 1L) "s",
                                   " ", and_list(k)))
  sentence <- and_list(parts)
  attr(out, "note") <- if (nrow(out)) paste0(
    toupper(substr(sentence, 1, 1)), substring(sentence, 2), " ", if (nrow(out) > 1L) "are" else "is",
    " withheld: a line whose total is under the threshold cannot be protected by hiding its ",
    "cells, and the further totals stop it being worked out from the grand total.")
  out
}

#' Suppress small counts written inside text
#'
#' Some published cells hold counts inside text, such as an audit line
#' `"8D (1), 9A (6)"` (codes with the number of episodes) or `"4 episodes had
#' no date"`. `suppress_text()` finds those counts and replaces each from 1 to
#' `threshold - 1` with `replace`, using the same engine as [suppress_small()].
#'
#' By default a count is a whole number in brackets, `"(6)"`, or a number
#' followed by a word for people or records (`episodes`, `children`,
#' `referrals`, `assessments`, `rows`, `records`, `people`). Other numbers are
#' left alone: a count of columns, codes or years (`"3 columns unused"`) is not
#' a count of children. Give your own `pattern` (a Perl regular expression
#' whose whole match is the number) for other layouts.
#'
#' @param x A character vector (other types are turned into text).
#' @param threshold Counts below this are suppressed (default 10).
#' @param pattern Perl regular expression matching the counts, or `NULL` for
#'   the default described above.
#' @param replace Text put in place of a suppressed count (default `"c"`, the
#'   DfE symbol).
#' @param total `TRUE` if the counts of one cell add up to a total published
#'   elsewhere: then a lone small count in a cell is protected by suppressing
#'   the next smallest count of that cell too (secondary suppression). Default
#'   `FALSE`.
#' @return `x` with small counts replaced, and an attribute `n_suppressed`
#'   (counts replaced in each element).
#' @family suppression
#' @export
#' @examples
#' suppress_text(c("8D (1), 9A (6), 3A (40)", "4 episodes had no date", "3 columns unused"))
#' suppress_text("8D (1), 9A (26), 3A (40)", total = TRUE)
suppress_text <- function(x, threshold = 10, pattern = NULL, replace = "c", total = FALSE) {
  check_number(threshold, min = 1)
  check_flag(total)
  if (!is.character(replace) || length(replace) != 1L || is.na(replace)) {
    abort_input("{.arg replace} must be one string, such as {.val c}.")
  }
  pattern <- pattern %||% suppress_text_pattern
  if (!is.character(pattern) || length(pattern) != 1L || is.na(pattern)) {
    abort_input("{.arg pattern} must be one regular expression.")
  }
  was_na <- is.na(x)
  x <- as.character(x)
  hits <- gregexpr(pattern, x, perl = TRUE)
  n_sup <- integer(length(x))
  for (i in which(!was_na)) {
    at <- hits[[i]]
    if (at[1] < 0) next
    len <- attr(at, "match.length")
    v <- as.numeric(gsub(",", "", substring(x[i], at, at + len - 1L), fixed = TRUE))
    m <- suppress_matrix(matrix(v, ncol = 1L), threshold,
                         margins = c(rows = FALSE, cols = total))
    h <- which(m$suppressed[, 1])
    for (k in rev(h)) {
      x[i] <- paste0(substr(x[i], 1L, at[k] - 1L), replace,
                     substr(x[i], at[k] + len[k], nchar(x[i])))
    }
    n_sup[i] <- length(h)
  }
  x[was_na] <- NA_character_
  attr(x, "n_suppressed") <- n_sup
  x
}

suppress_text_pattern <- paste0(
  "(?<=\\()[0-9][0-9,]*(?=\\))",
  "|\\b[0-9][0-9,]*(?= (?:episodes?|child(?:ren)?|referrals?|assessments?|rows?|records?|",
  "people|persons?|young people|families)\\b)")

#' Small-number suppression of a publication table (internal)
#'
#' @param df A data frame.
#' @param count_cols Names of the count columns. Within each `by` group, the
#'   cells `df[rows, count_cols]` form a matrix whose row and column totals are
#'   taken to be published.
#' @param threshold Counts `0 < c < threshold` are suppressed (0 turns
#'   suppression off).
#' @param by Columns splitting `df` into separate tables (for example one per
#'   variable or per year).
#' @param primary Optional logical matrix (rows of `df` by `count_cols`) of
#'   further cells to suppress as primary (for example where a complementary
#'   count that is not published is small).
#' @param fixed Optional logical matrix (rows of `df` by `count_cols`) of
#'   cells published elsewhere (for example as the totals of another table):
#'   they are never chosen as complementary cells, since hiding them here
#'   would protect nothing.
#' @param withhold `TRUE` (or one flag for row totals and one for column
#'   totals) when the caller can withhold totals: a line whose own total is
#'   under the threshold cannot be protected by hiding cells, so its total
#'   (and the complementary totals that stop it coming back from the grand
#'   total) is withheld instead, and the caller must not publish it. `FALSE`
#'   (default): every total is published; such a line's cells are reported
#'   `unprotected` by the engine, and the caller must merge the line first.
#' @return `df` with suppressed counts set to `NA`, and attributes
#'   `suppressed`: a logical matrix (rows of `df` by `count_cols`) with
#'   attribute `reason` ("primary", "secondary" or `NA`); `withheld`: a list
#'   with `rows` (rows of `df` whose total must not be published) and `cols`
#'   (one named logical vector per `by` group: columns whose total must not
#'   be published).
#' @noRd
publish_table <- function(df, count_cols, threshold = 10, by = NULL, primary = NULL, fixed = NULL,
                          withhold = FALSE, row_groups = NULL, last_total = FALSE) {
  check_threshold(threshold)
  supp <- matrix(FALSE, nrow(df), length(count_cols), dimnames = list(NULL, count_cols))
  reason <- matrix(NA_character_, nrow(df), length(count_cols), dimnames = list(NULL, count_cols))
  held <- list(rows = rep(FALSE, nrow(df)), cols = list())
  if (nrow(df) && threshold > 0) {
    groups <- if (is.null(by)) rep(1L, nrow(df)) else
      as.integer(interaction(df[by], drop = TRUE, lex.order = TRUE))
    for (g in unique(groups)) {
      rows <- which(groups == g)
      x <- as.matrix(df[rows, count_cols, drop = FALSE])
      storage.mode(x) <- "double"
      m <- suppress_matrix(x, threshold,
                           if (is.null(primary)) NULL else primary[rows, , drop = FALSE],
                           fixed = if (is.null(fixed)) NULL else fixed[rows, , drop = FALSE],
                           withhold = withhold, groups = row_groups, last_total = last_total)
      supp[rows, ] <- m$suppressed
      reason[rows, ] <- m$reason
      held$rows[rows] <- m$withheld$rows
      held$cols[[length(held$cols) + 1L]] <- stats::setNames(m$withheld$cols, count_cols)
    }
  }
  for (j in seq_along(count_cols)) df[[count_cols[j]]][supp[, j]] <- NA
  attr(supp, "reason") <- reason
  attr(df, "suppressed") <- supp
  attr(df, "withheld") <- held
  df
}

# ---- helpers ------------------------------------------------------------------

# Primary and secondary suppression of one matrix of counts. `margins` says
# which totals are published (row sums, column sums). Rows and columns with a
# single cell carry no constraint (their total is the cell itself). `protect`
# marks the cells that must be protected by interval (default: the primary
# cells); `fixed` the cells published elsewhere (never complements while
# others can protect; read as published when the intervals are worked out).
#
# Two stages, repeated until both hold: (1) no line with a published total
# holds a single hidden cell and no hidden cell follows exactly from the totals
# (suppress_close()); (2) every protected cell can take, consistently with
# everything published (margins, shown cells, non-negativity), a range of
# values at least `threshold` wide, so it could be anything from its lowest
# possible value to at least `threshold` above it (cell_range()). A cell that
# fails (2) gets the complement, with what stage (1) then adds, that protects
# it at the least loss (interval_complement()). A cell that cannot be
# protected even with every other cell hidden (its line's total is under the
# threshold) is returned in `unprotected`: only merging or hiding that total
# protects it.
suppress_matrix <- function(x, threshold, primary = NULL,
                            margins = c(rows = TRUE, cols = TRUE), fixed = NULL, protect = NULL,
                            withhold = FALSE, groups = NULL, last_total = FALSE) {
  if (anyNA(x)) stop("internal: counts for suppression contain NA", call. = FALSE)
  s <- x > 0 & x < threshold
  if (!is.null(primary)) s <- s | primary
  prim <- s
  if (is.null(protect)) protect <- prim
  ctx <- suppress_context(x, margins, fixed, threshold, withhold)
  ctx$groups <- suppress_groups(groups, x)
  # a row's size: its total (the last column when that is the rows' totals)
  if (isTRUE(last_total) && ncol(x) > 1L) ctx$row_size <- x[, ncol(x)]
  # with linked sums, the last column is the levels' totals, which the
  # other tables print too
  if (length(ctx$groups)) ctx$never <- col(x) == ncol(x)
  fixed <- ctx$fixed
  lost <- matrix(FALSE, nrow(x), ncol(x))
  # hiding more cells only widens ranges: a protected cell stays protected
  safe <- !protect
  repeat {
    s <- suppress_close(ctx, s)
    todo <- which(!safe & !lost)
    weak <- todo[cell_widths(ctx, s, todo) < threshold - 1e-9]
    safe[setdiff(todo, weak)] <- TRUE
    if (!length(weak)) break
    k <- weak[1L]
    if (cell_widths(ctx, !fixed | s, k) < threshold - 1e-9) {
      lost[k] <- TRUE
      next
    }
    s <- interval_complement(ctx, s, k, threshold)
  }
  s <- suppress_show_again(ctx, s, prim, protect & !lost, threshold)
  reason <- ifelse(prim, "primary", ifelse(s, "secondary", NA_character_))
  list(suppressed = s, reason = reason, unprotected = lost, withheld = ctx$withheld)
}

# Stage (3): complements chosen on the way that nothing needs any more
# (a later complement protects the cells an earlier one was hidden for) are
# shown again, the largest first: a cell is shown when, without it, no line
# with a published total holds a single hidden cell, no hidden cell follows
# exactly from the totals, and every protected cell keeps a range at least
# `threshold` wide. A hidden count that protects nothing is a loss (reader
# 10), as the pathway tables' "shown again" pass says for linked tables.
suppress_show_again <- function(ctx, s, keep, protect, threshold) {
  cand <- which(s & !keep)
  if (!length(cand)) return(s)
  cand <- cand[order(-ctx$x[cand])]
  for (k in cand) {
    s2 <- s
    s2[k] <- FALSE
    if (!identical(suppress_close(ctx, s2), s2)) next
    p <- which(protect & s2)
    if (length(p) && any(cell_widths(ctx, s2, p) < threshold - 1e-9)) next
    s <- s2
  }
  s
}

# What the engine knows of a table: its counts, the cells published elsewhere,
# which lines have a published total (`rows`, `cols`: one flag per line) and
# whether that dimension has totals at all (`rows_on`, `cols_on`). With
# `withhold` (TRUE, or one flag for rows and one for columns), a line whose
# own total is under the threshold has that total withheld (hiding its cells
# cannot protect them while the total shows), together with the complementary
# totals that stop it coming back from the grand total (hidden_totals()). The
# withheld lines of a dimension then add up to a known sum only, as one line.
suppress_context <- function(x, margins, fixed, threshold, withhold = FALSE) {
  rows_on <- isTRUE(margins[[1]]) && ncol(x) > 1L
  cols_on <- isTRUE(margins[[2]]) && nrow(x) > 1L
  withhold <- rep_len(as.logical(withhold), 2L) & threshold > 0
  wr <- if (rows_on && withhold[1]) small_line_totals(rowSums(x), threshold) else rep(FALSE, nrow(x))
  wc <- if (cols_on && withhold[2]) small_line_totals(colSums(x), threshold) else rep(FALSE, ncol(x))
  list(x = x, fixed = if (is.null(fixed)) matrix(FALSE, nrow(x), ncol(x)) else fixed,
       large = 10 * threshold, row_size = rowSums(x), col_size = colSums(x), rows_on = rows_on, cols_on = cols_on, rows = rows_on & !wr, cols = cols_on & !wc,
       withheld = list(rows = wr, cols = wc))
}

# Line totals to withhold: those under the threshold, and their complements.
small_line_totals <- function(tot, threshold) {
  if (!any(tot > 0 & tot < threshold)) return(rep(FALSE, length(tot)))
  hidden_totals(tot, threshold)
}

# Stage (1): a complement for every line with a published total that holds one
# hidden cell, then for every hidden cell that the totals fix exactly, until
# neither is left.
suppress_close <- function(ctx, s) {
  for (iter in seq_len(length(s) + 1L)) {
    changed <- FALSE
    for (i in which(ctx$rows)) {
      if (sum(s[i, ]) == 1L && any(!s[i, ])) {
        s[i, pick_in_row(ctx, s, i)] <- TRUE
        changed <- TRUE
      }
    }
    for (j in which(ctx$cols)) {
      if (sum(s[, j]) == 1L && any(!s[, j])) {
        s[pick_in_col(ctx, s, j), j] <- TRUE
        changed <- TRUE
      }
    }
    if (!changed) {
      det <- recoverable_cells(s, c(ctx$rows_on, ctx$cols_on), ctx$rows, ctx$cols)
      if (any(det)) {
        k <- which(det)[1L]
        i <- row(s)[k]; j <- col(s)[k]
        if (any(!s[i, ]) && ctx$rows[i]) {
          s[i, pick_in_row(ctx, s, i)] <- TRUE; changed <- TRUE
        } else if (any(!s[, j]) && ctx$cols[j]) {
          s[pick_in_col(ctx, s, j), j] <- TRUE; changed <- TRUE
        } else {
          g <- pick_in_withheld(ctx, s, i, j)
          if (length(g)) { s[g] <- TRUE; changed <- TRUE }
        }
      }
    }
    if (!changed) break
  }
  s
}

# Complement choice, the cell that loses least: the smallest positive cell,
# costed with what it brings on. A cell whose crossing line has a published
# total and no suppressed cell yet exposes that line, which will need a
# complement of its own (its smallest other free positive cell is added to
# the cost); a cell that would leave its crossing line mostly suppressed
# costs that line's total too, so a large row or column never disappears
# while smaller cells can protect. Zeros come last (they protect little).
# A line is large from ten times the threshold (`large`): a small line
# (a row of 39 episodes, most of them in cells under the threshold) mostly
# hidden loses less than a cell of 42 hidden beside it (reader 10, Table 17).
line_cost <- function(v, cand, cross_supp, cross_n, cross_total, cross_next, cross_free, large = 0,
                      cross_size = cross_total) {
  fresh <- !cross_free & cross_supp[cand] == 0L
  needy <- !cross_free & cross_supp[cand] == 1L
  crowd <- cross_supp[cand] >= 2L & 2L * (cross_supp[cand] + 1L) > cross_n & cross_size[cand] >= large
  v[cand] + ifelse(fresh, cross_next, 0) - ifelse(needy & is.finite(cross_next), cross_next, 0) +
    ifelse(crowd, cross_total[cand], 0)
}

# cells published elsewhere are complements only when nothing else is left;
# cells `never` (a table's totals column when other tables print its
# levels' totals) only when not even those are
free_cells <- function(open, pinned, never = NULL) {
  if (!is.null(never) && any(open & !never)) open <- open & !never
  if (any(open & !pinned)) which(open & !pinned) else which(open)
}

pick_in_row <- function(ctx, s, i) {
  x <- ctx$x
  cand <- free_cells(!s[i, ], ctx$fixed[i, ], ctx$never[i, ])
  nxt <- vapply(cand, function(j) min_free(x[-i, j], s[-i, j]), 0)
  cost <- line_cost(x[i, ], cand, colSums(s), nrow(x), colSums(x), nxt, !ctx$cols[cand], ctx$large, ctx$col_size) +
    vapply(cand, function(j) group_cost(ctx, s, i, j), 0)
  cand[order(x[i, cand] <= 0, cost, x[i, cand])[1L]]
}

pick_in_col <- function(ctx, s, j) {
  x <- ctx$x
  cand <- free_cells(!s[, j], ctx$fixed[, j], ctx$never[, j])
  nxt <- vapply(cand, function(i) min_free(x[i, -j], s[i, -j]), 0)
  cost <- line_cost(x[, j], cand, rowSums(s), ncol(x), rowSums(x), nxt, !ctx$rows[cand], ctx$large, ctx$row_size) +
    vapply(cand, function(i) group_cost(ctx, s, i, j), 0)
  cand[order(x[cand, j] <= 0, cost, x[cand, j])[1L]]
}

# Groups of rows whose sums, column by column, another table publishes
# (`groups`: a list of logical vectors over the rows of `x`): a column's
# group sum can be worked out from the column's total while its hidden cells
# lie all inside the group or all outside it. Hiding a cell that stops that
# costs the group's sum twice over (the other table must hide it, and a cell
# beside it); hiding one that makes it so again saves as much. Returns the
# groups as a list of list(rows, weight), weight per column.
suppress_groups <- function(groups, x) {
  if (!length(groups)) return(list())
  lapply(groups, function(g) {
    g <- rep_len(as.logical(g), nrow(x))
    list(rows = g, weight = 2 * colSums(x[g, , drop = FALSE]))
  })
}

# What hiding cell (i, j) on top of `s` costs (or saves) in the groups' sums.
group_cost <- function(ctx, s, i, j) {
  if (!length(ctx$groups)) return(0)
  h0 <- s[, j]
  h1 <- replace(h0, i, TRUE)
  lost <- function(h, g) any(h) && any(h & g) && any(h & !g)
  sum(vapply(ctx$groups, function(g) (lost(h1, g$rows) - lost(h0, g$rows)) * g$weight[j], 0))
}

# What the cells hidden in `s2` beyond `s` cost in the groups' sums.
groups_loss <- function(ctx, s, s2) {
  if (!length(ctx$groups)) return(0)
  lost <- function(h, g) any(h) && any(h & g) && any(h & !g)
  sum(vapply(seq_len(ncol(s)), function(j) {
    sum(vapply(ctx$groups, function(g) (lost(s2[, j], g$rows) - lost(s[, j], g$rows)) * g$weight[j], 0))
  }, 0))
}

# A hidden cell of a withheld line that the withheld lines' known sum fixes:
# one more cell of those lines, the smallest positive one not yet hidden.
pick_in_withheld <- function(ctx, s, i, j) {
  grp <- if (ctx$rows_on && !ctx$rows[i]) !ctx$rows[row(s)] else
    if (ctx$cols_on && !ctx$cols[j]) !ctx$cols[col(s)] else return(integer())
  cand <- free_cells(grp & !s, ctx$fixed)
  cand <- cand[grp[cand] & !s[cand]]
  if (!length(cand)) return(integer())
  cand[order(ctx$x[cand] <= 0, ctx$x[cand])[1L]]
}

# Stage (2): one more complement for protected cell `k`, whose range is too
# narrow. Each free cell is tried with what stage (1) then adds; among those
# that protect `k`, the one losing least (the counts hidden, plus the total of
# any row or column it leaves mostly hidden) wins; if none protects it alone,
# the one that widens its range most. Cells are tried smallest first, and the
# search stops at a cell larger than the least loss found (its loss can only
# be larger).
interval_complement <- function(ctx, s, k, threshold) {
  x <- ctx$x
  cand <- free_cells(!s, ctx$fixed, ctx$never)
  cand <- cand[order(x[cand])]
  tried <- vector("list", length(cand))
  width <- loss <- rep(NA_real_, length(cand))
  best <- Inf
  for (t in seq_along(cand)) {
    # (a cell that lets another table publish a sum can cost less than its count)
    if (!length(ctx$groups) && x[cand[t]] > best) break
    tried[[t]] <- suppress_close(ctx, replace(s, cand[t], TRUE))
    width[t] <- cell_widths(ctx, tried[[t]], k)
    loss[t] <- suppress_loss(ctx, s, tried[[t]])
    if (width[t] >= threshold - 1e-9) best <- min(best, loss[t])
  }
  ok <- !is.na(width) & width >= threshold - 1e-9
  pick <- if (any(ok)) which(ok)[order(loss[ok], x[cand[ok]])[1L]] else
    order(-width, loss, x[cand], na.last = TRUE)[1L]
  tried[[pick]]
}

# What hiding the cells of `s2` beyond `s` costs: their counts, plus the total
# of every line with a published total that they leave mostly hidden.
suppress_loss <- function(ctx, s, s2) {
  x <- ctx$x
  crowded <- function(h, n) h >= 3L & 2L * h > n
  big_r <- ctx$row_size >= ctx$large
  big_c <- ctx$col_size >= ctx$large
  loss <- sum(x[s2 & !s]) + groups_loss(ctx, s, s2)
  if (ctx$rows_on) loss <- loss + sum(rowSums(x)[big_r & crowded(rowSums(s2), ncol(x)) & !crowded(rowSums(s), ncol(x))])
  if (ctx$cols_on) loss <- loss + sum(colSums(x)[big_c & crowded(colSums(s2), nrow(x)) & !crowded(colSums(s), nrow(x))])
  loss
}

# Width of the range of values each cell `k` (logical mask or indices) can
# take given the published margins, the shown cells and non-negativity, when
# the cells `s` are hidden (cells published elsewhere count as shown).
cell_widths <- function(ctx, s, k) {
  if (is.logical(k)) k <- which(k)
  vapply(k, function(kk) {
    h <- s & !ctx$fixed
    h[kk] <- TRUE
    r <- cell_range(ctx, h, kk)
    r[2] - r[1]
  }, 0)
}

# The exact lowest and highest value of hidden cell `k` over every table of
# non-negative counts that agrees with what is published: the shown cells and
# the published row and/or column totals. With both, it is a transportation
# problem: the cell can rise by the largest flow from its column to its row
# through the other hidden cells (a hidden cell lets flow from its column to
# its row up to its value, by being lowered, and from its row to its column
# without limit, by being raised) and fall by the largest flow the other way.
# Withheld lines (ctx$rows / ctx$cols FALSE) are one node: only their sum is
# known (from the grand total).
cell_range <- function(ctx, hidden, k) {
  x <- ctx$x
  i0 <- row(x)[k]; j0 <- col(x)[k]; v <- x[k]
  nr <- nrow(x); nc <- ncol(x)
  if (ctx$rows_on && ctx$cols_on) {
    rnode <- ifelse(ctx$rows, seq_len(nr), nr + nc + 1L)
    cnode <- ifelse(ctx$cols, nr + seq_len(nc), nr + nc + 2L)
    h <- hidden
    h[k] <- FALSE
    at <- which(h, arr.ind = TRUE)
    n <- nr + nc + 2L
    cap <- matrix(0, n, n)
    cap[cbind(rnode[at[, 1]], cnode[at[, 2]])] <- sum(x) + 1
    down <- rowsum(x[at], (rnode[at[, 1]] - 1L) * n + cnode[at[, 2]])
    cap[as.numeric(rownames(down))] <- cap[as.numeric(rownames(down))] + down[, 1]
    return(c(v - min(v, max_flow(cap, rnode[i0], cnode[j0])), v + max_flow(cap, cnode[j0], rnode[i0])))
  }
  line <- if (ctx$rows_on) {
    if (ctx$rows[i0]) row(x) == i0 else !ctx$rows[row(x)]
  } else if (ctx$cols_on) {
    if (ctx$cols[j0]) col(x) == j0 else !ctx$cols[col(x)]
  } else return(c(0, Inf))
  line <- line & hidden
  if (sum(line) < 2L) c(v, v) else c(0, sum(x[line]))
}

# Largest flow from node `from` to node `to` of a graph given by its matrix of
# capacities (Edmonds-Karp: shortest augmenting paths found by breadth-first
# search).
max_flow <- function(cap, from, to) {
  flow <- 0
  tol <- 1e-9 * max(1, max(cap))
  repeat {
    prev <- integer(nrow(cap))
    prev[from] <- from
    queue <- from
    while (length(queue) && !prev[to]) {
      u <- queue[1L]
      queue <- queue[-1L]
      nx <- which(cap[u, ] > tol & !prev)
      prev[nx] <- u
      queue <- c(queue, nx)
    }
    if (!prev[to]) return(flow)
    path <- to
    while (path[1L] != from) path <- c(prev[path[1L]], path)
    arcs <- cbind(path[-length(path)], path[-1L])
    b <- min(cap[arcs])
    cap[arcs] <- cap[arcs] - b
    cap[arcs[, 2:1, drop = FALSE]] <- cap[arcs[, 2:1, drop = FALSE]] + b
    flow <- flow + b
  }
}

# The smallest positive cell of a line not yet suppressed (what protecting the
# line would cost next); Inf when there is none.
min_free <- function(v, s) {
  v <- v[!s & v > 0]
  if (length(v)) min(v) else Inf
}

# Suppressed cells whose value follows exactly from the published row and
# column totals and the unsuppressed cells: those constant over the null space
# of the constraint matrix (one row per published line with more than one
# cell; the withheld lines of a dimension, `rows`/`cols` FALSE, together as one).
recoverable_cells <- function(s, margins = c(TRUE, TRUE), rows = NULL, cols = NULL) {
  out <- matrix(FALSE, nrow(s), ncol(s))
  u <- which(s)
  if (!length(u)) return(out)
  line_rows <- function(pub, at) {
    g <- ifelse(pub, seq_along(pub), length(pub) + 1L)[at]
    1 * outer(sort(unique(g)), g, "==")
  }
  A <- NULL
  if (margins[[1]] && ncol(s) > 1L) {
    A <- rbind(A, line_rows(if (is.null(rows)) rep(TRUE, nrow(s)) else rows, row(s)[u]))
  }
  if (margins[[2]] && nrow(s) > 1L) {
    A <- rbind(A, line_rows(if (is.null(cols)) rep(TRUE, ncol(s)) else cols, col(s)[u]))
  }
  if (is.null(A)) return(out)
  A <- A[rowSums(A) > 0, , drop = FALSE]
  if (!nrow(A)) return(out)
  sv <- svd(A, nu = 0, nv = length(u))
  rank <- sum(sv$d > 1e-9 * max(sv$d))
  if (rank == length(u)) {
    out[u] <- TRUE
    return(out)
  }
  N <- sv$v[, (rank + 1L):length(u), drop = FALSE]
  out[u] <- apply(abs(N), 1L, max) < 1e-9
  out
}

suppress_count_columns <- function(table, cols, call = rlang::caller_env()) {
  is_count <- function(v) is.numeric(v) && all(is.na(v) | v == round(v))
  if (is.null(cols)) return(names(table)[vapply(table, is_count, logical(1))])
  miss <- setdiff(cols, names(table))
  if (length(miss)) {
    abort_input(c("Column{?s} {.field {miss}} {?is/are} not in {.arg table}.",
                  i = "Columns: {.field {names(table)}}."), call = call)
  }
  notnum <- cols[!vapply(table[cols], is.numeric, logical(1))]
  if (length(notnum)) {
    abort_input(c("Count column{?s} {.field {notnum}} must be numeric.",
                  i = "Convert them with {.fn as.numeric} first."), call = call)
  }
  cols
}

suppress_check_linked <- function(table, linked, call = rlang::caller_env()) {
  if (is.null(linked)) return(invisible())
  if (!is.character(linked) || is.null(names(linked)) ||
      !all(c(names(linked), linked) %in% names(table))) {
    abort_input(c("{.arg linked} must be a named character vector of columns of {.arg table}.",
                  i = "For example {.code linked = c(rate = \"n\")}."), call = call)
  }
  invisible()
}

# Class (or group) totals add up to the number of episodes: a small one is
# hidden with a complement by the engine. The caller hides each such class's
# whole column too, since a shown count over its percentage, or the column's
# sum, would give the total back.
hidden_totals <- function(totals, threshold) {
  if (threshold <= 0 || !length(totals)) return(rep(FALSE, length(totals)))
  suppress_matrix(matrix(as.numeric(totals), ncol = 1L), threshold,
                  margins = c(rows = FALSE, cols = TRUE))$suppressed[, 1L]
}

# A count for text: "fewer than <threshold>" when it is under the threshold
# (and not zero), else the number with thousands separators.
fmt_count_public <- function(n, threshold) {
  if (n > 0 && n < threshold) paste("fewer than", format(threshold, big.mark = ",", scientific = FALSE))
  else format(n, big.mark = ",", scientific = FALSE)
}

# Item probabilities are counts in disguise: a factor's probability in a
# category times the category's expected size (its share times the episodes
# the model was fitted to) is an expected number of episodes, of the kind the
# tables of counts suppress; so is its complement (the episodes of the
# category without the factor). The expected counts are read as a table of
# factors by categories whose factor totals are published (the count of each
# factor), and pass through the package's one suppression engine, rounded to
# whole episodes as the tables print them: a cell whose count, or whose
# complement's, is from 1 to `threshold - 1` is hidden, with the further
# cells that stop it being worked out from the factor's total (so no group
# of hidden cells of one factor adds up to under the threshold). `probs` is
# a categories-by-factors matrix of probabilities (presence_probs(), or the
# probabilities of groups of factors); `size` the categories' expected sizes.
# Returns a logical matrix of the same shape: TRUE where the probability
# must not be shown.
# The cells that must be hidden for themselves (before the cells that protect
# them): the expected count with the factor, or without it, rounded to whole
# episodes, is from 1 to `threshold - 1`; or the printed (whole) percentage,
# read back as its rounding interval times the category's size, says the
# count with the factor (or without it) is under the threshold, unless the
# estimate is exactly 0 (or 1). So "0%" and "100%" are printed only for an
# exact 0 or 1 (prob_pct_text() labels the rest "<1%" / ">99%"), and a
# category of 1,000 episodes shows no "0%" standing for 0-4 episodes.
prob_cells_small <- function(probs, size, threshold) {
  size <- matrix(size, nrow(probs), ncol(probs))
  small <- function(x) x > 0 & x < threshold
  r <- round(100 * probs)
  hi <- pmin(r + 0.5, 100) / 100
  lo <- pmax(r - 0.5, 0) / 100
  tol <- sqrt(.Machine$double.eps)
  small(round(probs * size)) | small(round((1 - probs) * size)) |
    (probs > tol & hi * size < threshold) | (probs < 1 - tol & (1 - lo) * size < threshold)
}

# A shown probability as printed in the heat map and the names table: a whole
# percentage, but "<1%" (">99%") for one that rounds to 0% (100%) and is not
# exactly 0 (1), so "0%" and "100%" always mean exactly none and all.
prob_pct_text <- function(p) {
  tol <- sqrt(.Machine$double.eps)
  r <- round(100 * p)
  out <- paste0(r, "%")
  out[r == 0 & p > tol] <- "<1%"
  out[r == 100 & p < 1 - tol] <- ">99%"
  out
}

prob_cells_hidden <- function(probs, size, threshold) {
  hide <- matrix(FALSE, nrow(probs), ncol(probs), dimnames = dimnames(probs))
  if (threshold <= 0 || !length(probs)) return(hide)
  yes <- round(t(probs * size))
  no <- round(t((1 - probs) * size))
  s <- t(prob_cells_small(probs, size, threshold))
  # a cell hidden for one side is hidden for the other: repeat until neither adds one
  for (i in seq_len(length(s) + 1L)) {
    s1 <- suppress_matrix(yes, threshold, primary = s, margins = c(rows = TRUE, cols = FALSE))$suppressed
    s2 <- suppress_matrix(no, threshold, primary = s1, margins = c(rows = TRUE, cols = FALSE))$suppressed
    if (identical(s2, s)) break
    s <- s2
  }
  hide[] <- t(s)
  hide
}
