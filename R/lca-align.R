# Matching the classes of two solutions: the distance between class
# profiles and the optimal one-to-one assignment (Hungarian algorithm, clue).
# Used by align_classes() and the replicates (R/validate.R) and by the
# configural model's per-group fits (R/lca-groups.R).

# Squared distance between class profiles (rows of a and b).
class_distance <- function(a, b) {
  # |a_i|^2 + |b_j|^2 - 2 a_i . b_j, floored at 0 against rounding
  pmax(outer(rowSums(a^2), rowSums(b^2), `+`) - 2 * tcrossprod(a, b), 0)
}

# Matches the classes (rows) of `profiles` to the classes (rows) of
# `reference`, both K x (stacked item-response probabilities), minimising the
# summed squared distance. Returns `perm` (perm[i]: the row of `profiles`
# matched to reference class i), `distance` (Euclidean distance of each
# match), `max_diff` (largest difference of any probability) and `separation`
# (half the distance from each reference class to its nearest other reference
# class). A class closer to its match than the separation is nearer to it
# than to any other reference class (triangle inequality): the match is
# unambiguous. Otherwise the labels of that class are a guess.
match_profiles <- function(profiles, reference) {
  K <- nrow(reference)
  cost <- class_distance(reference, profiles)
  perm <- if (K == 1L) 1L else as.integer(clue::solve_LSAP(cost))
  dist <- sqrt(cost[cbind(seq_len(K), perm)])
  rr <- sqrt(class_distance(reference, reference))
  diag(rr) <- Inf
  sep <- if (K == 1L) Inf else apply(rr, 1, min) / 2
  maxd <- vapply(seq_len(K), function(i) max(abs(reference[i, ] - profiles[perm[i], ])), numeric(1))
  list(perm = perm, distance = dist, max_diff = maxd, separation = sep)
}
