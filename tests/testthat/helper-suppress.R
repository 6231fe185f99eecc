# Independent audits of suppression by interval: the lowest and highest value
# each hidden cell can take in a table of non-negative counts that agrees with
# everything published (the shown cells and the published row and/or column
# totals). Two references, neither using the package's max-flow: every integer
# table enumerated (small tables), and linear programming (lpSolve).

# Every integer completion of the hidden cells, by recursion over them with
# the remaining row and column totals; a cell that is the last hidden one of a
# line with a published total takes what is left.
brute_ranges <- function(x, mask, margins = c(TRUE, TRUE)) {
  use_r <- margins[[1]] && ncol(x) > 1
  use_c <- margins[[2]] && nrow(x) > 1
  h <- which(mask)
  hi <- row(x)[h]; hj <- col(x)[h]
  rrem <- if (use_r) rowSums(x * mask) else rep(Inf, nrow(x))
  crem <- if (use_c) colSums(x * mask) else rep(Inf, ncol(x))
  last_r <- vapply(seq_along(h), function(t) use_r && !any(hi[-seq_len(t)] == hi[t]), TRUE)
  last_c <- vapply(seq_along(h), function(t) use_c && !any(hj[-seq_len(t)] == hj[t]), TRUE)
  lo <- rep(Inf, length(h)); up <- rep(-Inf, length(h))
  vals <- numeric(length(h))
  rec <- function(t, rrem, crem) {
    if (t > length(h)) {
      lo <<- pmin(lo, vals); up <<- pmax(up, vals)
      return(invisible())
    }
    i <- hi[t]; j <- hj[t]
    ub <- min(rrem[i], crem[j], sum(x))
    cand <- if (last_r[t]) rrem[i] else if (last_c[t]) crem[j] else 0:ub
    cand <- cand[cand >= 0 & cand <= ub]
    if (last_r[t] && last_c[t]) cand <- cand[cand == crem[j]]
    for (v in cand) {
      vals[t] <<- v
      r2 <- rrem; c2 <- crem
      r2[i] <- r2[i] - v; c2[j] <- c2[j] - v
      rec(t + 1L, r2, c2)
    }
  }
  rec(1L, rrem, crem)
  out <- matrix(NA_real_, length(x), 2)
  out[h, ] <- cbind(lo, up)
  out
}

# The same ranges by linear programming. `withheld` (list of `rows`, `cols`
# flags): lines whose total is not published; only their sum is (from the
# grand total), as one constraint per dimension.
lp_ranges <- function(x, mask, margins = c(TRUE, TRUE), withheld = NULL) {
  h <- which(mask)
  out <- matrix(NA_real_, length(x), 2)
  if (!length(h)) return(out)
  wr <- if (is.null(withheld)) rep(FALSE, nrow(x)) else withheld$rows
  wc <- if (is.null(withheld)) rep(FALSE, ncol(x)) else withheld$cols
  A <- NULL; b <- NULL
  add <- function(cells) {
    if (!any(cells[h])) return()
    A <<- rbind(A, as.numeric(cells[h])); b <<- c(b, sum(x[cells & mask]))
  }
  if (margins[[1]] && ncol(x) > 1) {
    for (i in which(!wr)) add(row(x) == i)
    if (any(wr)) add(row(x) %in% which(wr))
  }
  if (margins[[2]] && nrow(x) > 1) {
    for (j in which(!wc)) add(col(x) == j)
    if (any(wc)) add(col(x) %in% which(wc))
  }
  for (t in seq_along(h)) {
    obj <- replace(numeric(length(h)), t, 1)
    if (is.null(A)) { out[h[t], ] <- c(0, Inf); next }
    lo <- lpSolve::lp("min", obj, A, rep("=", nrow(A)), b)
    up <- lpSolve::lp("max", obj, A, rep("=", nrow(A)), b)
    out[h[t], ] <- c(lo$objval, if (up$status == 3) Inf else up$objval)
  }
  out
}

# Every primary cell (0 < x < threshold) is hidden and can take a range of
# values at least `threshold` wide, by the audit `ranges`.
expect_interval_protected <- function(x, mask, threshold, ranges, margins = c(TRUE, TRUE),
                                      unprotected = NULL) {
  prim <- x > 0 & x < threshold
  expect_false(any(prim & !mask))
  r <- ranges(x, mask, margins)
  w <- r[, 2] - r[, 1]
  ok <- !prim | w >= threshold - 1e-6
  if (!is.null(unprotected)) ok <- ok | unprotected
  expect_true(all(ok[prim]), info = paste(deparse(x), collapse = ""))
  # the audit agrees the hidden cells hold their true values
  expect_true(all(r[mask, 1] <= x[mask] + 1e-6 & r[mask, 2] >= x[mask] - 1e-6))
  invisible(w)
}

# The least loss (sum of the complementary cells) of any suppression of a
# small table that protects every primary cell by interval, by trying the
# sets of complementary cells in order of loss (linear programming audit).
best_interval_loss <- function(x, threshold) {
  prim <- x > 0 & x < threshold
  free <- which(!prim)
  sets <- lapply(seq(0, 2^length(free) - 1), function(b) free[bitwAnd(b, 2^(seq_along(free) - 1)) > 0])
  loss <- vapply(sets, function(f) sum(x[f]), 0)
  for (o in order(loss)) {
    m <- prim
    m[sets[[o]]] <- TRUE
    if (any(rowSums(m) == 1) || any(colSums(m) == 1)) next
    r <- lp_ranges(x, m)
    if (all((r[, 2] - r[, 1])[prim] >= threshold - 1e-6)) return(loss[o])
  }
  Inf
}
