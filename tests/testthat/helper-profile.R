# Tools for the profiling tests: an independent disclosure check (is a
# suppressed cell's value fixed by the published totals?) by rank, not by the
# null space used in the package, and small episode tables built by hand.

# TRUE for each suppressed cell whose unit vector lies in the row space of the
# constraint matrix (rows and columns with more than one cell).
disclosed_by_rank <- function(mask) {
  u <- which(mask)
  out <- logical(length(u))
  if (!length(u)) return(out)
  A <- NULL
  if (ncol(mask) > 1) for (i in seq_len(nrow(mask))) A <- rbind(A, as.numeric(row(mask)[u] == i))
  if (nrow(mask) > 1) for (j in seq_len(ncol(mask))) A <- rbind(A, as.numeric(col(mask)[u] == j))
  if (is.null(A)) return(out)
  r <- qr(A)$rank
  for (k in seq_along(u)) {
    e <- replace(numeric(length(u)), k, 1)
    out[k] <- qr(rbind(A, e))$rank == r
  }
  out
}

# Every line (row or column with more than one cell) has 0 or >= 2 suppressed
# cells, no primary cell survives, and no suppressed cell is recoverable.
expect_safe_suppression <- function(x, mask, threshold) {
  expect_false(any(x > 0 & x < threshold & !mask))
  if (ncol(mask) > 1) expect_false(any(rowSums(mask) == 1))
  if (nrow(mask) > 1) expect_false(any(colSums(mask) == 1))
  expect_false(any(disclosed_by_rank(mask)))
}

# 100 episodes in three classes with hand-countable characteristics.
# Class A: 20 episodes, 12 "x" / 8 "y"; B: 30, 6 x / 24 y; C: 50, 10 x / 40 y.
hand_episodes <- function() {
  data.frame(
    child_id = sprintf("C%03d", 1:100),
    class = rep(c("A", "B", "C"), c(20, 30, 50)),
    kind = c(rep("x", 12), rep("y", 8), rep("x", 6), rep("y", 24), rep("x", 10), rep("y", 40)),
    flag = c(rep(1, 15), rep(0, 5), rep(1, 15), rep(0, 15), rep(1, 10), rep(0, 40)),
    stringsAsFactors = FALSE
  )
}

# The least loss (sum of the complementary cells) of any safe suppression of a
# small table, by trying every set of complementary cells: an independent
# reference for the engine's choice.
best_suppression_loss <- function(x, threshold) {
  prim <- x > 0 & x < threshold
  free <- which(!prim)
  safe <- function(m) {
    !any(rowSums(m) == 1) && !any(colSums(m) == 1) && !any(disclosed_by_rank(m))
  }
  best <- Inf
  for (b in seq(0, 2^length(free) - 1)) {
    m <- prim
    m[free[bitwAnd(b, 2^(seq_along(free) - 1)) > 0]] <- TRUE
    loss <- sum(x[m & !prim])
    if (loss < best && safe(m)) best <- loss
  }
  best
}

# One row per episode from a levels x classes table of counts (rows: the
# levels of `g`, columns: "Class 1", "Class 2", ...).
episodes_from_counts <- function(cnt) {
  grid <- expand.grid(g = rownames(cnt), class = paste("Class", seq_len(ncol(cnt))),
                      stringsAsFactors = FALSE)
  grid[rep(seq_len(nrow(grid)), as.vector(cnt)), ]
}

# The notes of `reps` ethnic-group tables by four categories (600 episodes,
# a small Other and Not known, random posteriors, seed 4): merged and kept
# rows in many combinations, for tests of what the notes say.
ethnic_crosstab_notes <- function(reps = 30) {
  set.seed(4)
  vapply(seq_len(reps), function(i) {
    n <- 600
    ep <- data.frame(v = sample(c("White", "Asian", "Black", "Other", "Not known"), n, TRUE,
                                prob = c(0.6, 0.2, 0.15, 0.03, 0.02)))
    post <- matrix(stats::rexp(n * 4), n, 4)
    post <- post / rowSums(post)
    colnames(post) <- c("A", "B", "C", "D")
    paste(attr(class_crosstab(ep, var = "v", posterior = post, threshold = 10, label = "Ethnic group"), "note"),
          collapse = " ")
  }, "")
}

