# The published layout of a table by category, one rule for every table
# of a characteristic by category (class_crosstab(), class_profile()): which
# rows are merged, which sparse categories are counted together, and which
# cells are suppressed.

# The rows and columns a levels-by-categories table is published with, one
# rule for class_crosstab() and class_profile(), so that the two tables of a
# characteristic show the same cells: empty levels out, small residual rows
# merged (tidy_levels(), merge_costly_residual()), then, with
# `merge_columns` (the name of the pooled column), sparse categories counted
# together (merge_sparse_columns()), or the categories `pool` names.
# Returns the table before (`rows_tab`) and after (`tab`) the columns are
# pooled, the categories pooled (`pooled`), tidy_levels()' result and a note.
crosstab_layout <- function(tab, threshold, unknown, merge_columns = NULL, drop_cols = TRUE, pool = NULL) {
  residual <- residual_levels(unknown)
  tidy <- tidy_levels(tab, threshold, residual, drop_cols = drop_cols)
  body_supp <- function(t) crosstab_suppress(t, threshold)$supp[-(nrow(t) + 1L), , drop = FALSE]
  into <- merge_costly_residual(tidy$tab, threshold, c(residual, tidy$label), body_supp)
  rows_tab <- into$tab
  pooled <- character()
  if (!is.null(merge_columns)) {
    pool <- intersect(pool, colnames(into$tab))
    cols <- if (length(pool) >= 2L && length(pool) < ncol(into$tab)) {
      list(tab = pool_columns(into$tab, match(pool, colnames(into$tab)), merge_columns), pooled = pool,
           note = paste0(and_list(pool), " are counted together as \u201c", merge_columns, "\u201d in this table: ",
                         "on their own, their totals would give away small numbers of another table."))
    } else merge_sparse_columns(into$tab, threshold, body_supp, merge_columns)
    into <- list(tab = cols$tab, note = paste(c(into$note, cols$note), collapse = " "))
    if (!nzchar(into$note)) into$note <- NULL
    pooled <- cols$pooled %||% character()
  }
  list(tidy = tidy, rows_tab = rows_tab, tab = into$tab, note = into$note, pooled = pooled)
}

# Totals, rounding and suppression of a levels-by-categories table: the
# level rows with their totals column, then the row of category totals
# (which add up to the grand total), each with secondary suppression; a
# hidden category total hides its whole column (it would come back as the
# column's sum, or as a count over its percentage). `hide`: cells to hide
# as primary (a logical matrix of the same shape), those another table would
# give back. The counts are rounded as printed (crosstab_round()), and the
# threshold applies to the printed counts. A reader can subtract a line's
# printed cells from its printed total: the hidden cells of each row and
# column must add up, that way, to at least the threshold, or one more cell
# of the line is hidden (the engine checks its own view of the table, in
# which rounded cells may not add up to rounded totals exactly). Returns the
# rounded table with its totals (`full`) and the suppressed cells (`supp`,
# same shape).
crosstab_suppress <- function(tab, threshold, published = NULL, hide = NULL, totals = FALSE, groups = NULL,
                              fixed = NULL) {
  full <- crosstab_round(tab, published, totals, fixed)
  body <- full[-nrow(full), , drop = FALSE]
  groups <- lapply(groups, function(g) rownames(body) %in% g)
  groups <- groups[vapply(groups, function(g) any(g) && !all(g), logical(1))]
  pinned <- matrix(rownames(body) %in% published, nrow(body), ncol(body))
  # the levels' totals of linked tables are printed by the other tables too
  # (their "yes" totals, their rows): never complements while others protect
  if (length(groups)) pinned[, ncol(body)] <- TRUE
  if (is.null(hide)) hide <- matrix(FALSE, nrow(full), ncol(full))
  hide <- hide & threshold > 0
  for (iter in seq_len(length(full) + 1L)) {
    s1 <- attr(publish_table(as.data.frame(body, optional = TRUE), colnames(body), threshold,
                             primary = hide[-nrow(full), , drop = FALSE], fixed = pinned, row_groups = groups,
                             last_total = TRUE),
               "suppressed")
    s2 <- attr(publish_table(as.data.frame(full[nrow(full), -ncol(full), drop = FALSE], optional = TRUE),
                             colnames(tab), threshold, primary = hide[nrow(full), -ncol(full), drop = FALSE]),
               "suppressed")
    supp <- rbind(unclass(s1)[, , drop = FALSE], c(unclass(s2)[1, ], FALSE))
    attributes(supp) <- list(dim = dim(full), dimnames = dimnames(full))
    N <- full[nrow(full), ncol(full)]
    supp[nrow(full), ncol(full)] <- threshold > 0 && N > 0 && N < threshold
    hid <- which(supp[nrow(full), -ncol(full)])
    supp[-nrow(full), hid] <- TRUE
    more <- line_sums_exposed(full, supp, threshold, rbind(pinned, FALSE))
    if (!any(more)) break
    hide <- hide | more
  }
  list(full = full, supp = supp)
}

# The counts of a levels-by-categories table as printed, with its totals
# column and row: the categories' totals rounded to whole episodes so that
# they add up to the rounded grand total (largest remainder: every table of
# the same episodes then prints the same category totals, and they add up;
# plain rounding when `totals` is TRUE, the totals being a row of another
# table), and each category's cells rounded so that they add up
# to its total exactly (largest remainder; the levels `published` elsewhere
# keep their plain rounding, so that both tables print the same number), so
# that the percentages of a column add up to 100. The levels' totals and the
# grand total are rounded as they are (a level's total is a whole number of
# episodes when the categories are the columns). `fixed`: printed values
# decided across tables (crosstab_fixed(): a matrix like `tab` and a vector
# of category totals, NA where free), which they keep.
crosstab_round <- function(tab, published = NULL, totals = FALSE, fixed = NULL) {
  pin <- rownames(tab) %in% published
  tot <- if (isTRUE(totals)) round(colSums(tab)) else round_to_total(colSums(tab), round(sum(tab)))
  if (!is.null(fixed$totals)) tot <- ifelse(is.na(fixed$totals), tot, fixed$totals)
  cells <- tab
  for (j in seq_len(ncol(tab))) {
    fj <- if (!is.null(fixed$cells)) fixed$cells[, j] else rep(NA_real_, nrow(tab))
    x <- ifelse(is.na(fj), tab[, j], fj)
    cells[, j] <- round_to_total(x, tot[j], pin | !is.na(fj))
  }
  # the rows' totals as the categories' totals are rounded when the categories
  # are the rows (class = ...): a category prints one total in every table
  # (a level's total, a whole number of episodes, keeps its value)
  rbind(cbind(cells, `All episodes` = round_to_total(rowSums(tab), round(sum(tab)))),
        `All episodes` = c(tot, round(sum(tab))))
}

# Non-negative numbers `x` rounded to whole numbers that add up to `total`:
# each is rounded down, and the units left go to the largest remainders
# (`fixed` ones keep their plain rounding; a zero stays zero). Plain rounding
# when that cannot reach `total`.
round_to_total <- function(x, total, fixed = rep(FALSE, length(x))) {
  out <- ifelse(fixed, round(x), floor(x + 1e-9))
  free <- which(!fixed & x - out > 1e-9)
  left <- total - sum(out)
  if (left < 0 || left > length(free)) return(round(x))
  up <- free[order(-(x[free] - out[free]), -x[free])][seq_len(left)]
  out[up] <- out[up] + 1
  out
}

# Cells to hide so that no line's hidden cells add up, by subtracting its
# printed cells from its printed total, to less than `threshold` (a reader's
# arithmetic on the printed table): for each row of levels (against the
# totals column), each category's column (against the totals row) and the
# row of category totals (against the grand total) holding a hidden
# positive cell, whose printed total is shown and whose hidden cells add up
# to under the threshold, the smallest positive shown cell of that line that
# is not published elsewhere (`pinned`). Returns a logical matrix.
line_sums_exposed <- function(full, supp, threshold, pinned) {
  more <- matrix(FALSE, nrow(full), ncol(full))
  if (threshold <= 0) return(more)
  nr <- nrow(full)
  nc <- ncol(full)
  check <- function(cells, total) {
    h <- supp[cells]
    if (supp[total] || !any(h & full[cells] > 0)) return(integer())
    if (full[total] - sum(full[cells][!h]) >= threshold) return(integer())
    cand <- cells[!h & full[cells] > 0 & !pinned[cells]]
    if (!length(cand)) cand <- cells[!h & full[cells] > 0]
    cand[order(full[cand])][1L]
  }
  at <- function(i, j) (j - 1L) * nr + i
  for (i in seq_len(nr)) {
    k <- check(at(i, seq_len(nc - 1L)), at(i, nc))
    more[k[!is.na(k)]] <- TRUE
  }
  for (j in seq_len(nc)) {
    k <- check(at(seq_len(nr - 1L), j), at(nr, j))
    more[k[!is.na(k)]] <- TRUE
  }
  more
}

# When a row of ten times the threshold or more would lose most of its cells
# (its own small cells in sparse categories, or complements: a small
# "Unknown" row, or the rarer answer of a yes/no measure, under the threshold
# in several categories, each needing a complementary cell in a large row), some of the categories with small
# counts are counted together in one column (`name`), so that the large
# rows are shown. The smallest such categories are pooled first; among the
# numbers of categories pooled (two or more, leaving at least one category
# apart), the one that leaves fewest large rows mostly suppressed wins, then
# the one that loses least (the counts hidden plus the counts of the pooled
# categories, no longer shown apart). Nothing is pooled when no large row
# would be mostly suppressed. Returns the table, the categories pooled
# (`pooled`) and a note.
merge_sparse_columns <- function(tab, threshold, suppress, name) {
  none <- list(tab = tab, pooled = character())
  if (threshold <= 0 || ncol(tab) < 3L || nrow(tab) < 2L) return(none)
  # a large row mostly hidden, whether for its own small cells or as
  # complements (as a reader counts its "c" cells)
  crowded <- function(t, s) sum(rowSums(t) >= 10 * threshold & 2 * rowSums(s) > ncol(t))
  s0 <- suppress(tab)[, seq_len(ncol(tab)), drop = FALSE]
  best <- list(crowd = crowded(tab, s0), loss = sum(tab[s0]), m = 0L)
  sparse <- which(colSums(tab > 0 & tab < threshold) > 0)
  top <- min(length(sparse), ncol(tab) - 1L)
  if (best$crowd == 0L || top < 2L) return(none)
  ord <- sparse[order(colSums(tab)[sparse])]
  for (m in seq.int(2L, top)) {
    merged <- pool_columns(tab, ord[seq_len(m)], name)
    s <- suppress(merged)[, seq_len(ncol(merged)), drop = FALSE]
    cand <- list(crowd = crowded(merged, s), loss = sum(merged[s]) + sum(tab[, ord[seq_len(m)]]), m = m)
    if (cand$crowd < best$crowd || (cand$crowd == best$crowd && cand$loss < best$loss)) best <- cand
  }
  if (best$m == 0L) return(none)
  pool <- sort(ord[seq_len(best$m)])
  lv <- colnames(tab)[pool]
  list(tab = pool_columns(tab, pool, name), pooled = lv,
       # the categories may be large; it is their cells in this table that
       # are small (reader 12, N5: Disability with 106 plans)
       note = paste0(and_list(lv),
                     " are counted together as \u201c", name, "\u201d in this table: on their own, ",
                     "some of their cells in this table are fewer than ", threshold,
                     ", and hiding those would hide most of a large row."))
}

# The columns `pool` of a table counted together as one last column `name`.
pool_columns <- function(tab, pool, name) {
  merged <- cbind(tab[, -pool, drop = FALSE], rowSums(tab[, pool, drop = FALSE]))
  colnames(merged)[ncol(merged)] <- name
  merged
}
