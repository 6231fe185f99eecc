# Simulated latent class data: simulate_lca() for examples, tests and
# benchmarks, and the row sampler that simulate() on a fit shares with it.

# Draws n rows: class from `size`, then each item from its class's probabilities.
simulate_from_probs <- function(n, size, probs, levels) {
  k <- length(size)
  cls <- sample.int(k, n, replace = TRUE, prob = size)
  out <- lapply(names(probs), function(it) {
    m <- probs[[it]]
    cum <- t(apply(m, 1, cumsum))
    if (ncol(m) == 1L) cum <- t(cum)
    u <- stats::runif(n)
    cat_idx <- 1L + rowSums(u > cum[cls, -ncol(m), drop = FALSE])
    lv <- levels[[it]]
    if (identical(lv, c("0", "1"))) cat_idx - 1L else cat_idx
  })
  names(out) <- names(probs)
  out <- as.data.frame(out, optional = TRUE)
  out$.class <- cls
  out
}

#' Simulate data from a latent class model
#'
#' Draws episodes from a latent class model with known parameters, for
#' examples, tests and parameter-recovery checks. The default is three classes
#' shaped like social care factors: a large low-need class, a domestic abuse
#' and mental health class, and a complex-needs class.
#'
#' @param n Number of rows.
#' @param probs A K x J matrix of probabilities P(item = 1 | class) for binary
#'   items (rows classes, columns items), or `NULL` for the default.
#' @param class_size Class proportions (length K), or `NULL` for the default.
#' @param seed Seed for R's random number generator (restored afterwards), or
#'   `NULL`.
#' @return A data frame of 0/1 items with the true class in column `.class`.
#' @family latent class models
#' @export
#' @examples
#' d <- simulate_lca(n = 500, seed = 1)
#' head(d)
simulate_lca <- function(n = 1000, probs = NULL, class_size = NULL, seed = NULL) {
  check_count(n)
  if (is.null(probs)) {
    probs <- rbind(
      c(0.05, 0.10, 0.05, 0.10, 0.05, 0.20, 0.05, 0.10),
      c(0.85, 0.60, 0.10, 0.15, 0.10, 0.30, 0.05, 0.20),
      c(0.60, 0.70, 0.70, 0.60, 0.55, 0.65, 0.40, 0.50)
    )
    colnames(probs) <- c("domestic_abuse", "mental_health_parent", "drug_misuse_parent",
                         "alcohol_misuse_parent", "neglect", "emotional_abuse",
                         "physical_abuse", "mental_health_child")
  }
  class_size <- class_size %||% c(0.5, 0.3, 0.2)
  if (!is.matrix(probs) || any(probs < 0 | probs > 1) || nrow(probs) != length(class_size)) {
    abort_input("{.arg probs} must be a K x J matrix of probabilities with one row per class in {.arg class_size}.")
  }
  if (is.null(colnames(probs))) colnames(probs) <- paste0("item", seq_len(ncol(probs)))
  if (!is.null(seed)) {
    restore_rng <- local_seed(seed)
    on.exit(restore_rng(), add = TRUE)
  }
  pl <- lapply(seq_len(ncol(probs)), function(j) cbind(`0` = 1 - probs[, j], `1` = probs[, j]))
  names(pl) <- colnames(probs)
  lv <- rep(list(c("0", "1")), ncol(probs))
  names(lv) <- colnames(probs)
  simulate_from_probs(n, class_size / sum(class_size), pl, lv)
}
