# Shared machinery of the profiling tables: confidence intervals for
# proportions and input checks on the episode table. Small-number
# suppression (publish_table(), suppress_matrix()) lives in R/suppress.R.

# Wilson score interval (as stats::prop.test(correct = FALSE)) for x of n.
wilson_ci <- function(x, n, level = 0.95) {
  z <- stats::qnorm(1 - (1 - level) / 2)
  p <- ifelse(n > 0, x / n, NA_real_)
  den <- 1 + z^2 / n
  centre <- (p + z^2 / (2 * n)) / den
  half <- z * sqrt(p * (1 - p) / n + z^2 / (4 * n^2)) / den
  lo <- pmax(0, centre - half)
  hi <- pmin(1, centre + half)
  lo[!(n > 0)] <- NA_real_
  hi[!(n > 0)] <- NA_real_
  list(lower = lo, upper = hi)
}

# The class column as a factor: factors keep their levels, numbers are sorted,
# text in order of first appearance sorted. Rows with a missing class are
# dropped with a warning (reported, never silently).
class_factor <- function(episodes, class, call = rlang::caller_env()) {
  x <- episodes[[class]]
  f <- if (is.factor(x)) droplevels(x) else if (is.numeric(x)) {
    factor(x, levels = sort(unique(x[!is.na(x)])),
           labels = paste("Class", sort(unique(x[!is.na(x)]))))
  } else factor(as.character(x))
  if (nlevels(f) < 1L) {
    abort_input(c("The class column {.field {class}} has no values.",
                  i = "Assign classes first, e.g. with {.fn class_assign}."),
                class = "cscdemand_error_class", call = call)
  }
  f
}

drop_missing_class <- function(episodes, cls, class) {
  miss <- is.na(cls)
  if (any(miss)) {
    warn_cscdemand(c("{sum(miss)} episode{?s} with no class in {.field {class}} {?was/were} left out.",
                     i = "Episodes with every factor missing get no modal class."),
                   class = "cscdemand_warning_missing_class")
  }
  list(episodes = episodes[!miss, , drop = FALSE], class = droplevels(cls[!miss]))
}

# A characteristic as a factor with missing values as their own level.
missing_label <- "(missing)"

characteristic_factor <- function(x) {
  if (is.logical(x)) x <- ifelse(x, "1", "0")
  f <- if (is.factor(x)) x else if (is.numeric(x)) {
    factor(x, levels = sort(unique(x[!is.na(x)])))
  } else factor(as.character(x))
  if (anyNA(f)) {
    levels(f) <- c(levels(f), missing_label)
    f[is.na(f)] <- missing_label
  }
  f
}

is_binary_var <- function(x) {
  if (is.logical(x)) return(TRUE)
  v <- unique(x[!is.na(x)])
  if (is.factor(x)) v <- as.character(v)
  length(v) && all(as.character(v) %in% c("0", "1"))
}

# 0/1 matrix of factor levels (one column per level, empty levels kept).
indicator_matrix <- function(f) {
  m <- 1 * outer(as.integer(f), seq_len(nlevels(f)), `==`)
  m[is.na(m)] <- 0
  colnames(m) <- levels(f)
  m
}

# Rows of a levels-by-classes count matrix that say something: levels and
# classes with no episode at all are dropped (a row of "0 (0.0%)" or a
# "Not known 0" says nothing), and residual levels (not known, missing,
# other) holding a small count are merged into one row, so that their
# suppression needs no complement from a large row: every small residual
# row, and, when only one is small, the residual row it is merged with (a
# not-known or missing one before "Other", which is often a group of its
# own, then the smallest). A row whose own total is under the threshold
# cannot be protected by hiding cells while its total is printed: a known
# level is counted with its smaller neighbour ("Under 1 or unborn"), a
# residual row still that small with the smallest known level. Returns the
# matrix, the levels merged into the residual row and a sentence per merge
# of a small row with a neighbour (`notes`).
tidy_levels <- function(tab, threshold, residual, drop_cols = TRUE) {
  tab <- tab[rowSums(tab) > 0, !drop_cols | colSums(tab) > 0, drop = FALSE]
  fam <- merge_sparse_families(tab, threshold)
  tab <- fam$tab
  out <- tidy_residual(tab, threshold, residual)
  out$families <- fam$note
  out
}

# Levels of one family ("Health: GP", "Health: A&E", "Individual: self": the
# part before the colon) that hold a count under the threshold in some class
# are counted together, as ethnic groups are: "Health: A&E, GP or other", or
# the family's name alone ("Individual") when every member is pooled. A lone
# sparse member is pooled with the family's smallest other member. Hiding
# each member's small cells would take complementary cells from the large
# rows, and the pooled row tells more than the hidden cells did. Returns the
# table and a note (or NULL).
merge_sparse_families <- function(tab, threshold) {
  family <- function(lv) ifelse(grepl("^[^:]+: .", lv), sub(":.*$", "", lv), NA_character_)
  fams <- unique(stats::na.omit(family(rownames(tab))))
  if (threshold <= 0 || !length(fams)) return(list(tab = tab))
  notes <- character()
  for (f in fams) {
    mem <- which(family(rownames(tab)) %in% f)
    sparse <- apply(tab[mem, , drop = FALSE] > 0 & tab[mem, , drop = FALSE] < threshold, 1, any)
    if (length(mem) < 2L || !any(sparse)) next
    pool <- mem[sparse]
    rest <- setdiff(mem, pool)
    if (length(pool) == 1L) pool <- sort(c(pool, rest[which.min(rowSums(tab[rest, , drop = FALSE]))]))
    name <- if (length(pool) == length(mem)) f else
      paste0(f, ": ", or_list(sub("^[^:]+: ", "", rownames(tab)[pool])))
    notes <- c(notes, paste0(and_list(rownames(tab)[pool]), " are counted together as \u201c", name, "\u201d"))
    tab[pool[1], ] <- colSums(tab[pool, , drop = FALSE])
    rownames(tab)[pool[1]] <- name
    tab <- tab[-pool[-1], , drop = FALSE]
  }
  # one note per family, each a sentence of its own: a family's list can hold
  # semicolons (and_list() of levels with commas), so families are not
  # joined with them
  list(tab = tab, note = if (length(notes) == 1L) paste0(notes, ": on their own, their small numbers would hide cells of the large rows.")
                         else if (length(notes)) paste0(paste(notes, collapse = ". "),
                                                        ". On their own, their small numbers would hide cells of the large rows."))
}

or_list <- function(x) and_list(x, conj = "or")

# The residual rows (not known, missing, other) of tidy_levels(), and rows
# whose own total is under the threshold.
tidy_residual <- function(tab, threshold, residual) {
  none <- list(tab = tab, merged = character(), notes = character())
  if (threshold <= 0) return(none)
  nb <- merge_small_levels(tab, threshold, residual)
  tab <- nb$tab
  res <- rownames(tab)[tolower(rownames(tab)) %in% tolower(residual)]
  if (length(res) < 2L) return(merge_small_residual(tab, threshold, res, nb$notes, residual))
  small <- res[apply(tab[res, , drop = FALSE] > 0 & tab[res, , drop = FALSE] < threshold, 1, any)]
  if (!length(small)) return(list(tab = tab, merged = character(), notes = nb$notes))
  if (length(small) == 1L) {
    rest <- setdiff(res, small)
    rest <- rest[order(tolower(rest) == "other", rowSums(tab[rest, , drop = FALSE]))]
    small <- c(small, rest[1L])
  }
  small <- res[res %in% small]
  keep <- tab[!rownames(tab) %in% small, , drop = FALSE]
  merged <- rbind(keep, colSums(tab[small, , drop = FALSE]))
  rownames(merged)[nrow(merged)] <- residual_label(small)
  out <- merge_small_residual(merged, threshold, residual_label(small), nb$notes, residual, small)
  out$merged <- small
  out$label <- residual_label(small)
  out
}

# Known levels whose own total is under the threshold, each counted with its
# smaller neighbour among the known levels (levels keep their order, so an
# ordered characteristic is merged with an adjacent band).
merge_small_levels <- function(tab, threshold, residual) {
  notes <- character()
  repeat {
    known <- which(!tolower(rownames(tab)) %in% tolower(residual))
    tot <- rowSums(tab)
    tiny <- known[tot[known] < threshold]
    if (!length(tiny) || length(known) < 2L) break
    i <- tiny[which.min(tot[tiny])]
    at <- match(i, known)
    nbr <- known[c(at - 1L, at + 1L)[c(at > 1L, at < length(known))]]
    j <- nbr[which.min(tot[nbr])]
    pair <- sort(c(i, j))
    name <- residual_label(rownames(tab)[c(j, i)])
    notes <- c(notes, small_row_note(rownames(tab)[i], rownames(tab)[j], name, threshold))
    tab[pair[1], ] <- tab[i, ] + tab[j, ]
    rownames(tab)[pair[1]] <- name
    tab <- tab[-pair[2], , drop = FALSE]
  }
  list(tab = tab, notes = notes)
}

# A residual row (after merging) whose own total is still under the
# threshold: counted with another residual row ("Other") if there is one,
# else with the smallest known level.
merge_small_residual <- function(tab, threshold, res, notes, residual = res, parts = res) {
  tot <- rowSums(tab)
  r <- res[res %in% rownames(tab)]
  r <- r[tot[r] < threshold]
  other_res <- setdiff(rownames(tab)[tolower(rownames(tab)) %in% tolower(residual)], r)
  pool <- if (length(other_res)) other_res else setdiff(rownames(tab), r)
  if (length(r) && length(pool)) {
    r <- r[1L]
    k <- pool[which.min(tot[pool])]
    name <- if (length(other_res)) residual_label(c(k, parts)) else paste(k, "or", tolower(r))
    notes <- c(notes, small_row_note(r, k, name, threshold))
    tab[k, ] <- tab[k, ] + tab[r, ]
    rownames(tab)[rownames(tab) == k] <- name
    tab <- tab[rownames(tab) != r, , drop = FALSE]
  }
  list(tab = tab, merged = character(), notes = notes)
}

small_row_note <- function(small, with, name, threshold) {
  paste0(small, " is counted with ", tolower_label(with), " (\u201c", name, "\u201d): with fewer than ",
         threshold, " episodes in all, it could be neither shown nor safely hidden on its own.")
}

# A label inside a sentence: lower case unless it starts with an acronym or digit.
tolower_label <- function(x) ifelse(grepl("^[A-Z]{2}", x), x, paste0(tolower(substr(x, 1, 1)), substring(x, 2)))

# One rule for a not-known row (Unknown, Not known, Missing, or those
# already merged with Other) that holds a count under the threshold in some
# category: its small cells are not protected with cells of the other rows
# when a neighbour can take it. Before any cell is suppressed, it is counted
# with the smallest row that is itself a catch-all ("Other", "Any other
# ethnic group", "Indeterminate": "Indeterminate or unknown") if hiding its
# small cells would hide any cell of another row; else with the smallest
# known level of which it is a small part (at most a twentieth of that
# level: "Female or unknown", as a not-known row under the threshold in all
# is counted, merge_small_residual()) if they would hide cells of a large
# row (ten times the threshold or more). A row that holds "Other" (a group
# of its own) is never counted with a known level. Otherwise it stays a row,
# its complements the cells that lose least, and only if a large row would
# still be mostly hidden is it shown in the total column only
# (crosstab_residual_total()). So a row of hundreds never loses cells to a
# small not-known row, whatever the number of categories (reader 10: a
# gender table of six categories kept Unknown, 36 episodes, as a row and
# hid Female in three categories and Male in three, cells of 280-790, while
# one of seven categories showed Unknown in its total only: the route
# turned on whether three hidden cells of six or four of seven are "most").
# The note says what was merged and why. `suppress(tab)` gives the
# suppression of a levels-by-classes matrix (its first ncol(tab) columns are
# the classes).
merge_costly_residual <- function(tab, threshold, residual, suppress) {
  notes <- character()
  for (round in 1:2) {
    if (threshold <= 0 || nrow(tab) < 3L) break
    small <- tab > 0 & tab < threshold
    res <- tolower(rownames(tab)) %in% tolower(residual)
    cand <- res & rowSums(small) > 0
    if (!any(cand) || sum(!res) < 2L) break
    r <- which(cand)[which.min(rowSums(tab)[cand])]
    cost <- residual_cost(tab, r, threshold, suppress)
    into <- !res & catch_all_level(rownames(tab))
    # (a row holding "Other", a group of its own, is never counted with a known level)
    part_of <- !res & rowSums(tab) >= residual_share_max * sum(tab[r, ]) &
      !grepl("\\bother\\b", rownames(tab)[r], ignore.case = TRUE)
    pick <- if (any(into) && any(cost)) into else if (any(part_of) && any(cost[rowSums(tab)[-r] >= 10 * threshold, ]))
      part_of else break
    i <- which(pick)[which.min(rowSums(tab)[pick])]
    name <- paste(rownames(tab)[i], "or", tolower(rownames(tab)[r]))
    n_r <- round(sum(tab[r, ]))
    notes <- c(notes, paste0(rownames(tab)[r], if (n_r >= threshold) paste0(" (", fmt_int(n_r), " episodes)"),
                             " is counted with ", tolower_label(rownames(tab)[i]), " (\u201c", name,
                             "\u201d): it has fewer than ", threshold, " episodes in some categories, and hiding ",
                             "those would hide numbers of the other rows with them."))
    tab[i, ] <- tab[i, ] + tab[r, ]
    rownames(tab)[i] <- name
    tab <- tab[-r, , drop = FALSE]
  }
  list(tab = tab, note = if (length(notes)) paste(notes, collapse = " "))
}

# A known level takes a costly not-known row only when the not-known row is
# at most a twentieth of the level's episodes: its percentages then move by
# under 5%.
residual_share_max <- 20

# The cells of the other rows (a logical matrix: the rows of `tab` but `r`,
# by classes) that the small cells of row `r` hide: hidden in the table,
# shown when the table is suppressed without row `r`.
residual_cost <- function(tab, r, threshold, suppress) {
  k <- seq_len(ncol(tab))
  s1 <- suppress(tab)[-r, k, drop = FALSE]
  s0 <- suppress(tab[-r, , drop = FALSE])[, k, drop = FALSE]
  s1 & !s0
}

# Levels that hold whatever the others do not ("Other", "Any other ethnic
# group", "Other or unknown", "Indeterminate"): the only ones a small
# not-known row may be counted with.
catch_all_level <- function(x) {
  grepl("^(other|any other|all other|indeterminate|not specified)\\b|\\bor (other|unknown|not known)$",
        tolower(trimws(x)))
}

# "Unknown, Other or Missing" -> "Other, unknown or missing": known levels
# first, then "Other", the not-known levels and "Missing", whatever order the
# table had them in (so every table names the same merged row alike).
residual_label <- function(levels) {
  lo <- tolower(levels)
  rank <- ifelse(lo %in% c("missing", "(missing)"), 3L,
                 ifelse(lo %in% tolower(residual_unknown), 2L, ifelse(lo == "other", 1L, 0L)))
  levels <- levels[order(rank)]
  lv <- c(levels[1], tolower(levels[-1]))
  if (length(lv) < 2L) return(lv)
  paste(paste(lv[-length(lv)], collapse = ", "), "or", lv[length(lv)])
}

residual_levels <- function(unknown = residual_unknown) {
  unique(c(unknown, "Missing", "(missing)", "Other"))
}
residual_unknown <- c("Unknown", "Not known", "Don't know", "Not stated", "Not recorded", "Refused")

# A matrix of posterior class probabilities, one row per episode (class_profile(),
# class_crosstab()); columns named "Class 1", ... when unnamed.
check_posterior <- function(posterior, n, arg = rlang::caller_arg(posterior),
                            call = rlang::caller_env()) {
  if (!is.matrix(posterior) || !is.numeric(posterior) || nrow(posterior) != n) {
    abort_input(c("{.arg {arg}} must be a numeric matrix with one row per episode ({n}).",
                  i = "Use {.code predict(fit, episodes, type = \"posterior\")}."),
                class = "cscdemand_error_posterior", call = call)
  }
  if (anyNA(posterior) || any(posterior < -1e-8) || any(abs(rowSums(posterior) - 1) > 1e-6)) {
    negative <- rowSums(posterior < -1e-8, na.rm = TRUE) > 0
    bad <- which(rowSums(is.na(posterior)) > 0 | negative | abs(rowSums(posterior) - 1) > 1e-6)
    rows <- if (length(bad) == 1) "Row {format_rows(bad)} does not." else "Rows {format_rows(bad)} do not."
    abort_input(c("{.arg {arg}} must hold probabilities (from 0 to 1) that add up to 1 in every row.",
                  x = rows,
                  i = "Use {.code predict(fit, episodes, type = \"posterior\")}, which gives such rows."),
                class = "cscdemand_error_posterior", call = call)
  }
  if (is.null(colnames(posterior))) colnames(posterior) <- paste("Class", seq_len(ncol(posterior)))
  posterior
}

