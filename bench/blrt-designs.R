# The designs of the BLRT calibration (bench/accuracy-blrt.R) and its search
# diagnosis (bench/diag-blrt-search.R): data simulated from a latent class
# model with a known number of classes.
#
# Kingston-shaped: the seven classes of kingston_classes() with their default
# sizes, and the item probabilities simulate_cin() draws from (the Kingston
# class profiles calibrated to DfE table C3 for 2023-24) for the 24 most
# common factors (factor 20, "other", which is the same in every class, and
# 21, "no factors", left out). Simple: three classes, eight binary items.
blrt_kingston_probs <- function(year = 2024) {
  kc <- cscdemand::kingston_classes()
  P <- cscdemand:::cin_sim_probs(year, kc$size)
  P <- P[setdiff(rownames(P), c("20", "21")), , drop = FALSE]
  rate <- drop(P %*% kc$size)
  top <- names(sort(rate, decreasing = TRUE))[1:24]
  p <- t(P[top, , drop = FALSE])
  colnames(p) <- paste0("f", top)
  list(probs = p, size = kc$size)
}
blrt_simple_probs <- function() {
  p <- rbind(c(.9, .85, .8, .8, .2, .15, .1, .1),
             c(.1, .15, .2, .2, .85, .9, .8, .75),
             c(.8, .75, .2, .15, .8, .8, .15, .2))
  colnames(p) <- paste0("item", 1:8)
  list(probs = p, size = c(.5, .3, .2))
}
blrt_designs <- function() {
  list(kingston = c(blrt_kingston_probs(), list(n = 3000, k = 8L, label = "Kingston-shaped, 7 classes, 24 factors, n = 3,000: 8 vs 7")),
       simple = c(blrt_simple_probs(), list(n = 1000, k = 4L, label = "3 classes, 8 items, n = 1,000: 4 vs 3")))
}
blrt_data <- function(design, seed) {
  cscdemand::simulate_lca(n = design$n, probs = design$probs, class_size = design$size,
                          seed = seed)
}
