# Richmond-like data for the disclosure tests: the simulated returns a second
# reader read (simulate_cin(las = "Richmond upon Thames", years = 2023:2025,
# seed = 7)), as the report reads them, with a posterior built from the true
# categories (most weight on the true one), so counts are expected numbers
# of episodes as in the report, without fitting a model. Built once.
richmond_like <- local({
  cache <- NULL
  function() {
    if (!is.null(cache)) return(cache)
    sim <- simulate_cin(las = "Richmond upon Thames", years = 2023:2025, seed = 7)
    rd <- report_data(sim, council = "Richmond upon Thames")
    ep <- rd$episodes[rd$own, , drop = FALSE]
    cl <- factor(ep$true_class)
    post <- 0.85 * indicator_matrix(cl) + 0.15 / nlevels(cl)
    # the smallest true categories together, so some cells are small
    colnames(post) <- levels(cl)
    cache <<- list(rd = rd, episodes = ep, posterior = post)
    cache
  }
})

# An attacker's range of every hidden cell of a published table of counts
# (levels by categories, its row and column totals published): the lowest and
# highest value consistent with everything published (shown cells, totals,
# counts not negative), by linear programming (lpSolve), independently of the
# package's max-flow bounds. Returns the width for each hidden positive cell.
attacker_widths <- function(x, hidden) {
  testthat::skip_if_not_installed("lpSolve")
  u <- which(hidden)
  if (!length(u)) return(numeric())
  shown <- x
  shown[hidden] <- 0
  A <- rbind(t(vapply(seq_len(nrow(x)), function(i) as.numeric(row(x)[u] == i), numeric(length(u)))),
             t(vapply(seq_len(ncol(x)), function(j) as.numeric(col(x)[u] == j), numeric(length(u)))))
  b <- c(rowSums(x) - rowSums(shown), colSums(x) - colSums(shown))
  k <- which(x[u] > 0)
  vapply(k, function(kk) {
    obj <- replace(numeric(length(u)), kk, 1)
    lo <- lpSolve::lp("min", obj, A, rep("=", nrow(A)), b)$objval
    hi <- lpSolve::lp("max", obj, A, rep("=", nrow(A)), b)$objval
    hi - lo
  }, 0)
}

# The expected counts (rounded, as published) of each published level of a
# crosstab by proportional assignment, from the raw column: a published level
# pools the raw levels it names ("Health: A&E, GP or other", "Individual",
# "Other or unknown").
crosstab_publish_counts <- function(v, posterior, levels) {
  v <- ifelse(is.na(v), "Missing", as.character(v))
  raw <- rowsum(posterior, v)
  members <- function(l) {
    if (l %in% rownames(raw)) return(l)
    fam <- sub(":.*$", "", l)
    infam <- rownames(raw)[startsWith(rownames(raw), paste0(fam, ": "))]
    if (l == fam) return(infam)
    parts <- strsplit(sub(" or ", ", ", sub("^[^:]+: ", "", l)), ", ")[[1]]
    hit <- infam[sub("^[^:]+: ", "", infam) %in% parts]
    if (length(hit)) return(hit)
    rownames(raw)[tolower(rownames(raw)) %in% tolower(trimws(strsplit(sub(" or ", ", ", l), ",")[[1]]))]
  }
  round(t(vapply(levels, function(l) colSums(raw[members(l), , drop = FALSE]), numeric(ncol(raw)))))
}


# An attacker's range of every small cell of a table of counts `x` (levels by
# categories) given several published tables of it at once: `known` is a
# list of logical masks of `x`, each a sum of cells that some table prints
# (a shown cell, a pooled cell, a row or column total). By linear
# programming (lpSolve): the lowest and highest value of each cell with
# 0 < x < threshold over every table of non-negative counts that agrees with
# all of them. Returns the widths (named by "level / category").
attacker_widths_linked <- function(x, known, threshold = 10) {
  testthat::skip_if_not_installed("lpSolve")
  A <- t(vapply(known, function(m) as.numeric(m), numeric(length(x))))
  b <- vapply(known, function(m) sum(x[m]), 0)
  small <- which(x > 0 & x < threshold)
  if (!length(small)) return(numeric())
  w <- vapply(small, function(k) {
    obj <- replace(numeric(length(x)), k, 1)
    lpSolve::lp("max", obj, A, rep("=", nrow(A)), b)$objval -
      lpSolve::lp("min", obj, A, rep("=", nrow(A)), b)$objval
  }, 0)
  names(w) <- paste(rownames(x)[row(x)[small]], "/", colnames(x)[col(x)[small]])
  w
}

# The masks of `x` (levels by categories) a class_crosstab() of it publishes:
# its shown cells (a pooled column is the sum of its categories) and its
# totals (each level's, each category's, a pooled column's).
crosstab_known <- function(x, tab) {
  cnt <- attr(tab, "counts")
  pooled <- attr(tab, "pooled")
  known <- list()
  for (i in rownames(x)) known[[length(known) + 1L]] <- rownames(x) == i & matrix(TRUE, nrow(x), ncol(x))
  for (j in colnames(x)) known[[length(known) + 1L]] <- col(x) == match(j, colnames(x))
  for (i in intersect(rownames(x), rownames(cnt))) {
    for (j in setdiff(colnames(cnt), "All episodes")) {
      if (is.na(cnt[i, j])) next
      cols <- if (j %in% colnames(x)) j else pooled
      known[[length(known) + 1L]] <- row(x) == match(i, rownames(x)) & col(x) %in% match(cols, colnames(x))
    }
  }
  known
}

# The published sums of a class_crosstab() of counts `x` whose cells sit at
# `at` (indices into one vector of all the linked tables' cells, of length
# `n`): its shown cells (a pooled column is the sum of its categories), and
# its shown row and category totals. As logical masks of that vector.
crosstab_known_at <- function(x, tab, at, n) {
  cnt <- attr(tab, "counts")
  pooled <- attr(tab, "pooled")
  pos <- matrix(at, nrow(x), ncol(x), dimnames = dimnames(x))
  mask <- function(cells) replace(logical(n), cells, TRUE)
  cols_of <- function(j) if (j %in% colnames(x)) j else pooled
  known <- list()
  for (i in intersect(rownames(x), rownames(cnt))) {
    for (j in setdiff(colnames(cnt), "All episodes")) {
      if (!is.na(cnt[i, j])) known[[length(known) + 1L]] <- mask(pos[i, cols_of(j)])
    }
    if (!is.na(cnt[i, "All episodes"])) known[[length(known) + 1L]] <- mask(pos[i, ])
  }
  for (j in setdiff(colnames(cnt), "All episodes")) {
    if (!is.na(cnt["All episodes", j])) known[[length(known) + 1L]] <- mask(pos[, cols_of(j)])
  }
  known[[length(known) + 1L]] <- mask(pos)
  known
}

# An attacker's range of each small cell of a vector `x` of counts given
# linear equalities: `A` (one row per published sum or identity) with `b`.
attacker_widths_lp <- function(x, A, b, small) {
  testthat::skip_if_not_installed("lpSolve")
  vapply(small, function(k) {
    obj <- replace(numeric(length(x)), k, 1)
    lpSolve::lp("max", obj, A, rep("=", nrow(A)), b)$objval -
      lpSolve::lp("min", obj, A, rep("=", nrow(A)), b)$objval
  }, 0)
}
