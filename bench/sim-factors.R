# Simulated episode factor flags shaped like CIN assessment factors:
# J binary items with low base rates and K classes, each class marked by a
# few factors with high probability (as in the Kingston categories).
sim_factor_probs <- function(K = 7, J = 24, seed = 1) {
  set.seed(seed)
  p <- matrix(stats::runif(K * J, 0.005, 0.08), K, J)
  for (k in seq_len(K)) {
    hi <- sample.int(J, sample(2:4, 1))
    p[k, hi] <- stats::runif(length(hi), 0.45, 0.9)
  }
  colnames(p) <- sprintf("f%02d", seq_len(J))
  p
}
sim_factors <- function(n, K = 7, J = 24, seed = 1) {
  p <- sim_factor_probs(K, J, seed)
  size <- seq(K, 1) / sum(seq(K, 1))
  cscdemand::simulate_lca(n = n, probs = p, class_size = size, seed = seed + 1)
}
