# Matching the classes of two solutions (R/lca-align.R): class_distance() and
# match_profiles(), checked against distances and assignments computed by brute force.

test_that("class_distance() is the squared Euclidean distance between rows, 0 on the diagonal", {
  set.seed(41)
  a <- matrix(runif(4 * 6), 4)
  b <- matrix(runif(3 * 6), 3)
  by_hand <- outer(seq_len(4), seq_len(3), Vectorize(function(i, j) sum((a[i, ] - b[j, ])^2)))
  expect_equal(class_distance(a, b), by_hand, tolerance = 1e-12)
  expect_equal(diag(class_distance(a, a)), rep(0, 4))
  expect_true(all(class_distance(a, a) >= 0))
  expect_equal(class_distance(a, a), t(class_distance(a, a)), tolerance = 1e-12)
})

test_that("match_profiles() undoes a permutation of the classes", {
  set.seed(42)
  ref <- matrix(runif(5 * 8), 5)
  p <- c(3, 5, 1, 2, 4)
  noisy <- ref[p, ] + matrix(rnorm(40, sd = 0.01), 5)
  m <- match_profiles(noisy, ref)
  # perm[i] is the row of `profiles` matched to reference class i
  expect_lt(max(abs(noisy[m$perm, ] - ref)), 0.05)
  expect_equal(m$perm, order(p))
  expect_equal(m$distance, sqrt(rowSums((ref - noisy[m$perm, ])^2)), tolerance = 1e-12)
  expect_equal(m$max_diff, apply(abs(ref - noisy[m$perm, ]), 1, max), tolerance = 1e-12)
  # separation: half the distance to the nearest other reference class
  d <- as.matrix(stats::dist(ref))
  diag(d) <- Inf
  expect_equal(m$separation, unname(apply(d, 1, min)) / 2, tolerance = 1e-12)
  expect_true(all(m$distance < m$separation))
  # an exact permutation is matched at distance 0
  expect_equal(match_profiles(ref[p, ], ref)$distance, rep(0, 5), tolerance = 1e-7)
})

test_that("match_profiles() finds the assignment of least total distance (brute force over 4!)", {
  perms <- function(v) {
    if (length(v) <= 1) return(list(v))
    unlist(lapply(seq_along(v), function(i) lapply(perms(v[-i]), function(q) c(v[i], q))),
           recursive = FALSE)
  }
  set.seed(43)
  for (rep in 1:20) {
    ref <- matrix(runif(4 * 5), 4)
    prof <- matrix(runif(4 * 5), 4)  # unrelated: the greedy choice is often wrong
    cost <- vapply(perms(1:4), function(q) sum((ref - prof[q, ])^2), numeric(1))
    m <- match_profiles(prof, ref)
    expect_equal(sum(m$distance^2), min(cost), tolerance = 1e-10)
  }
})

test_that("one class is matched to itself with an infinite separation", {
  ref <- matrix(c(.2, .7, .5), 1)
  m <- match_profiles(ref + 0.1, ref)
  expect_equal(m$perm, 1L)
  expect_equal(m$distance, sqrt(3 * 0.01), tolerance = 1e-12)
  expect_equal(m$separation, Inf)
})
