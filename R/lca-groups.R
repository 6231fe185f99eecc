# The configural multi-group model fitted group by group. Its likelihood is
# a product over groups of single-group K-class likelihoods with no
# parameter in common, so its maximum is the sum of the groups' maxima: each
# group is fitted on its own patterns in C++ (groups in parallel, one random
# stream per group; inst/include/cscdemand/groups.h), its classes are matched
# to a reference solution (the invariant model), and the result is put in the
# parameter layout of a joint configural fit (items in order, one block per
# group), so every method of a fit works on it.

status_labels <- c("converged", "maxiter", "failed", "empty class", "stage 1 only", "screened")

# `ref_par`: the reference fit's `par` (logpi G x K, logrho in the
# single-set layout); its classes give the order of the result and its
# parameters the first start of every group. `set_of`: the configural map;
# `ctl`: core_control() settings. Returns the fields of cpp_lca_fit() plus
# `groups` (one row per group) and `alignment` (one row per group and class).
fit_lca_groups <- function(pt, k, ref_par, set_of, starts, seed, threads, ctl) {
  G <- length(pt$group_levels)
  init <- lapply(seq_len(G), function(g) {
    list(list(logpi = ref_par$logpi[g, , drop = FALSE], logrho = ref_par$logrho))
  })
  res <- cpp_lca_fit_groups(pt$y, pt$ncat, pt$n, pt$group, G, k, starts, seed, ctl, init, threads)
  gN <- as.numeric(tapply(pt$n, factor(pt$group, levels = seq_len(G)), sum))
  gN[is.na(gN)] <- 0
  failed <- which(gN > 0 & res$status == 2L)
  if (length(failed)) {
    cli::cli_abort(c("Every start failed in group{?s} {.val {pt$group_levels[failed]}} of the configural model.",
                     i = "Try fewer classes, or merge small groups."),
                   class = c("cscdemand_error_fit", "cscdemand_error"))
  }
  ref <- t(exp(ref_par$logrho))
  logpi <- matrix(-Inf, G, k)
  logrho <- vector("list", G)
  align <- vector("list", G)
  for (g in seq_len(G)) {
    if (!(gN[g] > 0)) {
      logpi[g, ] <- ref_par$logpi[g, ]
      logrho[[g]] <- ref_par$logrho
      next
    }
    m <- match_profiles(t(exp(res$logrho[[g]])), ref)
    logpi[g, ] <- res$logpi[g, m$perm]
    logrho[[g]] <- res$logrho[[g]][, m$perm, drop = FALSE]
    align[[g]] <- data.frame(group = pt$group_levels[g], class = paste("Class", seq_len(k)),
                             share = exp(logpi[g, ]), n = gN[g] * exp(logpi[g, ]),
                             distance = m$distance, max_diff = m$max_diff,
                             separation = m$separation, matched = m$distance < m$separation,
                             stringsAsFactors = FALSE)
  }
  full <- configural_layout(logrho, pt$ncat)
  sc <- cpp_lca_posterior(pt$y, pt$ncat, pt$group, G, set_of, logpi, full)
  out <- group_starts(res, G)
  out$logpi <- logpi
  out$logrho <- full
  out$loglik <- sum(pt$n * sc$ll_pattern)
  out$posterior <- sc$posterior
  out$ll_pattern <- sc$ll_pattern
  st <- res$status[gN > 0]
  out$status <- if (any(st == 1L)) 1L else if (any(st == 3L)) 3L else 0L
  out$iter <- max(res$iter)
  out$best <- 1L
  out$trace <- numeric()
  out$groups <- data.frame(group = pt$group_levels, n = gN, loglik = res$loglik,
                           starts = lengths(res$final_ll), n_best = res$n_best,
                           n_finished = res$n_finished, iterations = res$iter,
                           status = status_labels[res$status + 1L], stringsAsFactors = FALSE)
  out$alignment <- do.call(rbind, align)
  rownames(out$alignment) <- NULL
  out
}

# Every group's starts, one after another (group in `start_group`).
group_starts <- function(res, G) {
  list(stage1_ll = unlist(res$stage1_ll), final_ll = unlist(res$final_ll),
       stage1_iter = unlist(res$stage1_iter), final_iter = unlist(res$final_iter),
       start_status = unlist(res$start_status), same = unlist(res$same),
       start_group = rep(seq_len(G), lengths(res$final_ll)))
}

# The per-group item parameters (single-set layout, rows x K each) in the
# configural layout of param_blocks(): item by item, group by group.
configural_layout <- function(logrho, ncat) {
  off <- c(0L, cumsum(ncat))
  rows <- unlist(lapply(seq_along(ncat), function(j) {
    lapply(seq_along(logrho), function(g) list(g = g, r = off[j] + seq_len(ncat[j])))
  }), recursive = FALSE)
  do.call(rbind, lapply(rows, function(x) logrho[[x$g]][x$r, , drop = FALSE]))
}

# The fewest episodes a group needs for a K-class model of its own (the
# configural model fits one per group): `per_par` episodes for every
# parameter of a single-group K-class model, K - 1 class sizes and
# K * sum(categories - 1) item probabilities. With 29 yes/no factors and
# K = 12 that is 3,590 episodes; with 6 items and K = 3, 200.
min_group_size <- function(ncat, k, per_par = 10) {
  per_par * (k * sum(ncat - 1L) + k - 1L)
}

# The pattern table with the groups in `small` (levels) pooled into one
# group called `label`, last; patterns that coincide within the pooled group
# are collapsed (one C++ pass) and the row map follows. Returns the table
# with `pooled` (the levels pooled) added.
pool_groups <- function(pt, small, label) {
  keep <- setdiff(pt$group_levels, small)
  levels <- c(keep, label)
  map <- match(pt$group_levels, keep)
  map[is.na(map)] <- length(levels)
  J <- length(pt$items)
  cols <- lapply(seq_len(J), function(j) pt$y[, j])
  new <- cpp_patterns(cols, rep(1L, J), pt$ncat, map[pt$group], length(levels), pt$n)
  colnames(new$y) <- pt$items
  out <- pt
  out$y <- new$y
  out$n <- new$n
  out$group <- new$group
  out$row_index <- new$row_index[pt$row_index]
  if (!is.null(pt$row_group)) out$row_group <- map[pt$row_group]
  out$group_levels <- levels
  out$pooled <- small
  out
}

