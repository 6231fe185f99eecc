# The attacker's range of hidden counts, by linear programming: the check
# behind every set of tables published together (pathway_tables()).
#
# The unknowns are non-negative counts `x` (for example, by category, the
# episodes of each combination of values across the tables); each published
# number is the sum of some of them (a set of indices), known exactly; each
# hidden count is a sum too. Its range is the lowest and highest value it can
# take over every non-negative `x` that gives the published sums. Giving the
# attacker the exact (unrounded) sums makes the range no wider than the one a
# reader of rounded tables can work out, so a range found wide enough is wide
# enough for the printed tables too.

# The lowest and highest value of each target sum (`targets`: a list of
# index vectors into `x`) given the published sums (`pub`: a list of index
# vectors, each known to equal its sum of `x`) and x >= 0. `x`: the true
# values (the published sums are worked out from it, so the system is always
# consistent). Returns a matrix with columns `lo` and `hi`, one row per
# target; a target whose programme fails gets the range of width 0 (it is
# then treated as pinned, the safe side), one nothing bounds an upper end
# of Inf.
lp_target_ranges <- function(x, pub, targets) {
  sys <- lp_system(x, pub)
  out <- matrix(0, length(targets), 2L, dimnames = list(NULL, c("lo", "hi")))
  for (t in seq_along(targets)) out[t, ] <- lp_range(sys, x, targets[[t]])
  out
}

# The published sums as lpSolve's sparse constraints (each set once).
lp_system <- function(x, pub) {
  pub <- lp_unique_sets(pub)
  list(trip = if (length(pub)) cbind(rep(seq_along(pub), lengths(pub)), unlist(pub), 1),
       rhs = vapply(pub, function(i) sum(x[i]), 0), dir = rep("=", length(pub)), n = length(x))
}

# The range of one target sum (indices `target`) under a system. With
# `solutions`, a list of `range` and the two solutions (`lo`, `hi`: values
# of every unknown) that reach its ends.
lp_range <- function(sys, x, target, solutions = FALSE) {
  v <- sum(x[target])
  if (!length(sys$rhs)) return(if (solutions) list(range = c(0, Inf), lo = NULL, hi = NULL) else c(0, Inf))
  obj <- numeric(sys$n)
  obj[target] <- 1
  # (const.mat left out, not NULL: lp() reads the sparse constraints only then)
  lo <- lpSolve::lp("min", obj, const.dir = sys$dir, const.rhs = sys$rhs, dense.const = sys$trip)
  hi <- lpSolve::lp("max", obj, const.dir = sys$dir, const.rhs = sys$rhs, dense.const = sys$trip)
  # (an unbounded maximum: nothing published bounds it; any other failure
  # is taken as a pinned value, the safe side)
  # (lpSolve reports an unbounded maximum as 1e30)
  r <- c(if (lo$status == 0) lo$objval else v,
         if (hi$status == 0 && hi$objval < 1e29) hi$objval else if (hi$status %in% c(0, 3) && lo$status == 0) Inf else v)
  if (!solutions) return(r)
  list(range = r, lo = if (lo$status == 0) lo$solution, hi = if (hi$status == 0) hi$solution)
}

# Whether publishing one more sum (indices `idx`, value `v`) can change a
# range found with solutions `s` (lp_range(solutions = TRUE)): not when both
# solutions already give it that value (each stays the optimum of a smaller
# set that still holds it).
lp_range_kept <- function(s, idx, v) {
  !is.null(s$lo) && !is.null(s$hi) && abs(sum(s$lo[idx]) - v) < 1e-7 && abs(sum(s$hi[idx]) - v) < 1e-7
}

# Published sums as sets of indices, each once (the same episodes printed in
# two tables are one equation).
lp_unique_sets <- function(pub) {
  pub <- lapply(pub, function(i) sort(unique(as.integer(i))))
  pub <- pub[lengths(pub) > 0L]
  pub[!duplicated(vapply(pub, paste, "", collapse = ","))]
}
