# Shared machinery of the profiling tables: small-number suppression for
# publication, confidence intervals for proportions, and input checks on the
# episode table.
#
# Suppression rules (documented in ?class_profile, "Small numbers"):
# * primary: a count c with 0 < c < threshold is suppressed. True zeros are
#   kept, as in DfE practice (a zero discloses nothing about an individual).
#   Expected counts from posterior weights are treated the same way.
# * secondary: the counts of one table are read as a matrix whose row sums and
#   column sums are treated as published (they usually are, or can be derived
#   from other columns such as class totals). Whenever a row or column holds
#   exactly one suppressed cell, another cell of that line is suppressed too:
#   preferably one whose crossing line also needs a complement, else one that
#   creates no new exposed line, else the smallest positive cell (a zero only
#   if nothing else is left). Then
#   the linear system "suppressed cells add up to the published totals" is
#   solved: any suppressed cell whose value is fixed by it (a bridge between
#   otherwise protected blocks) triggers one more complementary suppression.
#   This repeats until no suppressed cell is recoverable by subtraction from
#   the totals. It does not protect against narrow intervals when all the
#   suppressed cells of a line are small.

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
#' @return `df` with suppressed counts set to `NA`, and an attribute
#'   `suppressed`: a logical matrix (rows of `df` by `count_cols`) with
#'   attribute `reason` ("primary", "secondary" or `NA`).
#' @noRd
publish_table <- function(df, count_cols, threshold = 10, by = NULL, primary = NULL) {
  check_threshold(threshold)
  supp <- matrix(FALSE, nrow(df), length(count_cols), dimnames = list(NULL, count_cols))
  reason <- matrix(NA_character_, nrow(df), length(count_cols), dimnames = list(NULL, count_cols))
  if (nrow(df) && threshold > 0) {
    groups <- if (is.null(by)) rep(1L, nrow(df)) else
      as.integer(interaction(df[by], drop = TRUE, lex.order = TRUE))
    for (g in unique(groups)) {
      rows <- which(groups == g)
      x <- as.matrix(df[rows, count_cols, drop = FALSE])
      storage.mode(x) <- "double"
      m <- suppress_matrix(x, threshold,
                           if (is.null(primary)) NULL else primary[rows, , drop = FALSE])
      supp[rows, ] <- m$suppressed
      reason[rows, ] <- m$reason
    }
  }
  for (j in seq_along(count_cols)) df[[count_cols[j]]][supp[, j]] <- NA
  attr(supp, "reason") <- reason
  attr(df, "suppressed") <- supp
  df
}

# Primary and secondary suppression of one matrix of counts. Rows and columns
# with a single cell carry no constraint (their total is the cell itself).
suppress_matrix <- function(x, threshold, primary = NULL) {
  if (anyNA(x)) stop("internal: counts for suppression contain NA", call. = FALSE)
  s <- x > 0 & x < threshold
  if (!is.null(primary)) s <- s | primary
  reason <- ifelse(s, "primary", NA_character_)
  # Complement choice: prefer a cell whose crossing line already has exactly
  # one suppressed cell (it protects two lines at once), then one whose
  # crossing line needs nothing (already >= 2, or a single-cell line), then
  # the rest; within that, positive before zero, then the smallest.
  pick <- function(vals, free, cross_supp, cross_len) {
    cand <- which(free)
    grp <- ifelse(cross_supp[cand] == 1L, 1L,
                  ifelse(cross_supp[cand] >= 2L | cross_len == 1L, 2L, 3L))
    cand[order(grp, vals[cand] <= 0, vals[cand])[1L]]
  }
  pick_in_row <- function(i) pick(x[i, ], !s[i, ], colSums(s), nrow(x))
  pick_in_col <- function(j) pick(x[, j], !s[, j], rowSums(s), ncol(x))
  for (iter in seq_len(length(x) + 1L)) {
    changed <- FALSE
    if (ncol(x) > 1L) for (i in seq_len(nrow(x))) {
      if (sum(s[i, ]) == 1L) {
        j <- pick_in_row(i)
        s[i, j] <- TRUE; reason[i, j] <- "secondary"; changed <- TRUE
      }
    }
    if (nrow(x) > 1L) for (j in seq_len(ncol(x))) {
      if (sum(s[, j]) == 1L) {
        i <- pick_in_col(j)
        s[i, j] <- TRUE; reason[i, j] <- "secondary"; changed <- TRUE
      }
    }
    if (!changed) {
      det <- recoverable_cells(s)
      if (any(det)) {
        k <- which(det)[1L]
        i <- row(s)[k]; j <- col(s)[k]
        if (any(!s[i, ]) && ncol(x) > 1L) {
          jj <- pick_in_row(i)
          s[i, jj] <- TRUE; reason[i, jj] <- "secondary"; changed <- TRUE
        } else if (any(!s[, j]) && nrow(x) > 1L) {
          ii <- pick_in_col(j)
          s[ii, j] <- TRUE; reason[ii, j] <- "secondary"; changed <- TRUE
        }
      }
    }
    if (!changed) break
  }
  list(suppressed = s, reason = reason)
}

# Suppressed cells whose value follows exactly from the published row and
# column totals and the unsuppressed cells: those constant over the null space
# of the constraint matrix (one row per line with more than one cell).
recoverable_cells <- function(s) {
  out <- matrix(FALSE, nrow(s), ncol(s))
  u <- which(s)
  if (!length(u)) return(out)
  A <- NULL
  if (ncol(s) > 1L) A <- rbind(A, t(vapply(seq_len(nrow(s)), function(i) as.numeric(row(s)[u] == i),
                                             numeric(length(u)))))
  if (nrow(s) > 1L) A <- rbind(A, t(vapply(seq_len(ncol(s)), function(j) as.numeric(col(s)[u] == j),
                                             numeric(length(u)))))
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

check_threshold <- function(threshold, arg = rlang::caller_arg(threshold),
                            call = rlang::caller_env()) {
  check_number(threshold, min = 0, arg = arg, call = call)
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

# A percentage/count for print: suppressed cells show as "c".
fmt_cell <- function(x, digits = 1) ifelse(is.na(x), "c", fmt_num(x, digits))

# 0/1 matrix of factor levels (one column per level, empty levels kept).
indicator_matrix <- function(f) {
  m <- 1 * outer(as.integer(f), seq_len(nlevels(f)), `==`)
  m[is.na(m)] <- 0
  colnames(m) <- levels(f)
  m
}
