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


# An attacker's range of every hidden cell when a table of counts and the
# statistics derived from it are read together: the crosstab (shown cells
# and totals, each its rounded value +-0.5), the ratios of a profile printed
# to two decimals ("x1.04": (a/A)/(b/B) within +-0.005, with b the rest of
# the level's row) and the percentages of findings (pct, pct_other to one
# decimal). The class totals A and the grand total N are given to the
# attacker exactly (stronger than what is published). `x`: the true
# (unrounded) counts, levels by classes; `hidden`: the crosstab's hidden
# cells; `hidden_total`: its hidden row totals; `ratio`, `pct`, `pct_other`:
# matrices like `x` with NA where nothing is published. Returns the width of
# every hidden cell (NA for shown cells).
union_widths <- function(x, hidden, hidden_total = rep(FALSE, nrow(x)), ratio = NULL,
                         pct = NULL, pct_other = NULL) {
  testthat::skip_if_not_installed("lpSolve")
  L <- nrow(x)
  K <- ncol(x)
  nv <- L * K
  idx <- function(l, k) (k - 1L) * L + l
  A <- colSums(x)
  N <- sum(x)
  rows <- list()
  rhs <- numeric()
  dir <- character()
  add <- function(coef, d, b) {
    rows[[length(rows) + 1L]] <<- coef
    dir <<- c(dir, d)
    rhs <<- c(rhs, b)
  }
  band <- function(coef, lo, hi) {
    add(coef, ">=", lo)
    add(coef, "<=", hi)
  }
  for (l in seq_len(L)) for (k in seq_len(K)) {
    if (!hidden[l, k]) band(replace(numeric(nv), idx(l, k), 1), round(x[l, k]) - 0.5, round(x[l, k]) + 0.5)
  }
  for (l in seq_len(L)) {
    if (!hidden_total[l]) band(replace(numeric(nv), idx(l, seq_len(K)), 1),
                               round(sum(x[l, ])) - 0.5, round(sum(x[l, ])) + 0.5)
  }
  for (k in seq_len(K)) band(replace(numeric(nv), idx(seq_len(L), k), 1), A[k], A[k])
  for (l in seq_len(L)) for (k in seq_len(K)) {
    others <- idx(l, setdiff(seq_len(K), k))
    if (!is.null(ratio) && !is.na(ratio[l, k])) {
      # a (N - A) - r A b, with b the other classes' cells of the row
      for (r in ratio[l, k] + c(-0.005, 0.005)) {
        co <- numeric(nv)
        co[idx(l, k)] <- N - A[k]
        co[others] <- -r * A[k]
        add(co, if (r < ratio[l, k]) ">=" else "<=", 0)
      }
    }
    # a finding's percentage is of rounded counts: round(a) / round(A)
    if (!is.null(pct) && !is.na(pct[l, k])) {
      band(replace(numeric(nv), idx(l, k), 1), (pct[l, k] - 0.05) / 100 * round(A[k]) - 0.5,
           (pct[l, k] + 0.05) / 100 * round(A[k]) + 0.5)
    }
    if (!is.null(pct_other) && !is.na(pct_other[l, k])) {
      co <- numeric(nv)
      co[others] <- 1
      band(co, (pct_other[l, k] - 0.05) / 100 * round(N - A[k]) - 0.5,
           (pct_other[l, k] + 0.05) / 100 * round(N - A[k]) + 0.5)
    }
  }
  M <- do.call(rbind, rows)
  out <- matrix(NA_real_, L, K, dimnames = dimnames(x))
  for (u in which(hidden)) {
    obj <- replace(numeric(nv), u, 1)
    lo <- lpSolve::lp("min", obj, M, dir, rhs)
    hi <- lpSolve::lp("max", obj, M, dir, rhs)
    out[u] <- if (lo$status == 0 && hi$status == 0) hi$objval - lo$objval else NA_real_
  }
  out
}

# The published numbers of a profile for one characteristic, as matrices of
# the crosstab's levels by classes: the ratio as printed (two decimals) and
# the percentages of its findings (of rounded counts, one decimal), NA where
# hidden.
profile_published <- function(prof, v, levels, classes) {
  p <- prof[prof$variable == v, ]
  m <- function(val) {
    out <- matrix(NA_real_, length(levels), length(classes), dimnames = list(levels, classes))
    i <- cbind(match(p$level, levels), match(as.character(p$class), classes))
    ok <- !is.na(i[, 1]) & !is.na(val)
    out[i[ok, , drop = FALSE]] <- val[ok]
    out
  }
  shown <- p$display != "c" & !is.na(p$ratio)
  list(ratio = m(ifelse(shown, round(p$ratio, 2), NA)),
       pct = m(ifelse(shown, round(published_pct(p$n, p$n_class), 1), NA)),
       pct_other = m(ifelse(shown, round(published_pct(p$n_other, p$n_other_class), 1), NA)))
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
# A row merged by the table ("Female or unknown") counts the rows of `x` it
# names; a row of `x` the table does not print by category is in none.
crosstab_known <- function(x, tab) {
  cnt <- attr(tab, "counts")
  pooled <- attr(tab, "pooled")
  known <- list()
  for (i in rownames(x)) known[[length(known) + 1L]] <- rownames(x) == i & matrix(TRUE, nrow(x), ncol(x))
  for (j in colnames(x)) known[[length(known) + 1L]] <- col(x) == match(j, colnames(x))
  for (i in setdiff(rownames(cnt), "All episodes")) {
    rows <- published_rows(x, i)
    if (!any(rows)) next
    for (j in setdiff(colnames(cnt), "All episodes")) {
      if (is.na(cnt[i, j])) next
      cols <- if (j %in% colnames(x)) j else pooled
      known[[length(known) + 1L]] <- rows[row(x)] & col(x) %in% match(cols, colnames(x))
    }
  }
  known
}

# The rows of `x` a published level counts: itself, or the levels a merged
# row names ("Female or unknown", "Other, unknown or missing").
published_rows <- function(x, l) {
  if (l %in% rownames(x)) return(rownames(x) == l)
  parts <- tolower(trimws(strsplit(sub(" or ", ", ", l), ",")[[1]]))
  tolower(rownames(x)) %in% parts
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

# An attacker's range of every small hidden cell of a set of tables by
# category built from the same episodes (pathway_tables()), read together:
# the unknowns are the counts, by category, of the episodes' combinations of
# values across all the tables (every combination seen in the data), not
# negative; each published cell of each table (shown cells, a pooled column
# as the sum of its categories, totals) is the sum of the combinations it
# counts. By linear programming (lpSolve), independently of the package's
# rules: no link between the tables is given, the arithmetic finds them.
# `values`: a named list (one per table) of each episode's row (NA outside
# the table); `post`: whole episodes (an indicator matrix). Returns the
# widths of the hidden cells under the threshold, named "table / row / column".
linked_atom_widths <- function(tabs, values, post, threshold = 10) {
  testthat::skip_if_not_installed("lpSolve")
  key <- do.call(paste, c(lapply(values, function(v) ifelse(is.na(v), "<none>", as.character(v))), sep = "\r"))
  atoms <- unique(key)
  cat_of <- max.col(post)
  K <- ncol(post)
  x <- as.vector(table(factor(key, atoms), factor(cat_of, seq_len(K))))
  at <- match(atoms, key)
  rows <- list(); b <- numeric(); small <- list(); nm <- character()
  for (t in names(tabs)) {
    cnt <- attr(tabs[[t]], "counts")
    pooled <- attr(tabs[[t]], "pooled")
    v <- values[[t]][at]
    # a level merged into a published row ("Not yet ended or 2 years or more")
    lv <- setdiff(rownames(cnt), "All episodes")
    into <- vapply(unique(v[!is.na(v)]), function(l) if (l %in% lv) l else lv[vapply(tolower(lv), grepl, TRUE, pattern = tolower(l), fixed = TRUE)][1], "")
    v <- unname(into[v])
    for (i in rownames(cnt)) for (j in colnames(cnt)) {
      in_row <- if (i == "All episodes") !is.na(v) else v %in% i
      cats <- if (j == "All episodes") seq_len(K) else match(if (j == "Other categories") pooled else j, colnames(post))
      coef <- as.numeric(outer(in_row, seq_len(K) %in% cats))
      truth <- sum(coef * x)
      if (!is.na(cnt[i, j])) {
        rows[[length(rows) + 1L]] <- coef
        b <- c(b, cnt[i, j])
      } else if (truth > 0 && truth < threshold) {
        small[[length(small) + 1L]] <- coef
        nm <- c(nm, paste(t, "/", i, "/", j))
      }
    }
  }
  A <- do.call(rbind, rows)
  stopifnot(isTRUE(all.equal(as.vector(A %*% x), b)))
  w <- vapply(small, function(obj) {
    lpSolve::lp("max", obj, A, rep("=", nrow(A)), b)$objval - lpSolve::lp("min", obj, A, rep("=", nrow(A)), b)$objval
  }, 0)
  stats::setNames(w, nm)
}

# The example data's episodes of one council as the report reads them, with
# whole episodes in their true categories.
example_council <- local({
  cache <- list()
  function(council) {
    if (!is.null(cache[[council]])) return(cache[[council]])
    rd <- report_data("example", council = council)
    ep <- rd$episodes[rd$own, , drop = FALSE]
    cl <- factor(ep$true_class)
    post <- indicator_matrix(cl)
    colnames(post) <- levels(cl)
    cache[[council]] <<- list(episodes = ep, posterior = post)
    cache[[council]]
  }
})

# A simulated council's episodes as the report reads them, with whole
# episodes in their true categories (simulate_cin(): `la`, `years`, `seed`).
simulated_council <- local({
  cache <- list()
  function(la, years, seed) {
    id <- paste(la, paste(years, collapse = ","), seed)
    if (!is.null(cache[[id]])) return(cache[[id]])
    sim <- simulate_cin(las = la, years = years, seed = seed)
    rd <- suppressMessages(report_data(sim))
    ep <- rd$episodes
    cl <- factor(ep$true_class)
    post <- indicator_matrix(cl)
    colnames(post) <- levels(cl)
    cache[[id]] <<- list(episodes = ep, posterior = post)
    cache[[id]]
  }
})

# Whether a printed table with hidden cells `supp` lets a reader work out,
# by its printed total less its printed cells, that a line's hidden cells add
# up to under the threshold (rows against the totals column, columns
# against the totals row, the totals row against the grand total).
printed_line_exposed <- function(p, supp, threshold = 10) {
  nr <- nrow(p)
  nc <- ncol(p)
  bad <- function(cells, total) {
    h <- supp[cells]
    !supp[total] && any(h & p[cells] > 0) && p[total] - sum(p[cells][!h]) < threshold
  }
  for (i in seq_len(nr)) if (bad(cbind(i, seq_len(nc - 1L)), cbind(i, nc))) return(TRUE)
  for (j in seq_len(nc)) if (bad(cbind(seq_len(nr - 1L), j), cbind(nr, j))) return(TRUE)
  FALSE
}

# The hidden cells of at least the threshold (whole episodes) that could be
# shown: with the cell shown, the attacker's linear programme over all the
# tables still leaves every hidden small cell a range of the threshold's
# width, no line's printed remainder is under the threshold, and its
# category's total is shown (its percentage would give a hidden total back).
# As "table / row / column (count)".
linked_spare_cells <- function(tabs, values, post, threshold = 10) {
  spare <- character()
  for (nm in names(tabs)) {
    t <- tabs[[nm]]
    if (isTRUE(attr(t, "withheld"))) next
    p <- attr(t, "printed")
    s <- attr(t, "suppressed")
    nr <- nrow(p)
    for (k in which(s & p >= threshold)) {
      i <- row(p)[k]
      j <- col(p)[k]
      if (i < nr && s[nr, j]) next
      s2 <- s
      s2[k] <- FALSE
      if (printed_line_exposed(p, s2, threshold)) next
      cnt <- attr(t, "counts")
      cnt[k] <- p[k]
      t2 <- t
      attr(t2, "counts") <- cnt
      tabs2 <- tabs
      tabs2[[nm]] <- t2
      if (all(linked_atom_widths(tabs2, values, post, threshold) >= threshold - 1e-6)) {
        spare <- c(spare, paste0(nm, " / ", rownames(p)[i], " / ", colnames(p)[j], " (", p[k], ")"))
      }
    }
  }
  spare
}
