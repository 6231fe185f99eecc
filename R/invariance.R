#' Test whether one class solution holds across groups
#'
#' Fits, for each number of classes, the *invariant* model (item-response
#' probabilities shared by all groups, class sizes per group) and the
#' *configural* model (item-response probabilities free in every group), and
#' compares them by log-likelihood ratio test, AIC and BIC, as in the
#' Kingston 2020 report (Table 3). Groups may be councils or years.
#'
#' The configural model is fitted group by group (see [lca()]): its classes
#' are matched to the invariant model's, and `fits` holds, per configural
#' fit, `alignment` (which classes of which groups match only weakly) and
#' `groups`.
#'
#' **Small groups.** A configural model fits a K-class model in every group,
#' which a group of a few hundred episodes cannot identify. Groups with
#' fewer than `min_group` episodes (by default 10 per parameter of one
#' group's K-class model at the largest K: \eqn{10 (K \sum_j (C_j - 1) + K -
#' 1)}, 3,590 episodes for 29 yes/no factors and K = 12) are pooled into one
#' group, "other councils", for every model of the comparison (so the models
#' stay nested). A message says so, the print method names how many, and
#' `pooled` lists them.
#'
#' **Item search.** Freeing one item's probabilities in every group is
#' scored for every item at once: one EM step from the invariant solution
#' with that item free (the E-step's expected counts, one pass over the
#' patterns, in C++). Twice the step's gain in expected complete-data
#' log-likelihood is the score; by the EM inequality it is a lower bound on
#' the item's likelihood-ratio statistic. The `search_refit` items with the
#' largest scores are then refitted exactly (the partial model, with EM
#' started from that step, run until the log-likelihood still to gain is
#' below 1e-7, so each LR is within 2e-7 of the maximum); the others keep
#' their score, and no p-value.
#'
#' @inheritParams lca
#' @param k Numbers of classes to compare (default 6 and 7).
#' @param group Grouping column (e.g. `"la"` or `"year"`).
#' @param search Also look for the items that differ most between groups
#'   (partial invariance) at the largest K: every item scored, the
#'   `search_refit` best refitted (table `items`, see Details).
#' @param search_starts Random starts added to the warm start of each
#'   refitted item in the search (default 0).
#' @param search_refit How many of the best-scoring items the search refits
#'   exactly (default 5).
#' @param min_group Groups with fewer episodes than this are pooled into one
#'   group (see Details). `NULL` (default): 10 per parameter of one group's
#'   K-class model; `0`: no pooling.
#' @param ... Must be empty.
#' @return An object of class `cscdemand_invariance`: a list with `table`
#'   (one row per model: K, model, log-likelihood, parameters, AIC, BIC, and
#'   per K the likelihood-ratio statistic, df and p-value of invariant against
#'   configural, and which model each criterion prefers), `fits`, `group`,
#'   `groups` (the groups compared, "other councils" last when groups were
#'   pooled), `pooled` (the groups pooled), `seed`, and with `search = TRUE`
#'   `items` (per item: `score`, `refitted`, and for refitted items the
#'   log-likelihood and parameters of the model with the item free, `LR`,
#'   `df`, change in BIC and p-value; `top_group` the group that gains most;
#'   refitted items first, by LR) and `group_gain` (items x groups: twice each
#'   group's gain in log-likelihood when the item is freed, exact for
#'   refitted items and the one-step bound for the others; it names the
#'   groups where an item differs).
#' @family latent class models
#' @export
#' @examples
#' d <- rbind(simulate_lca(n = 800, seed = 1), simulate_lca(n = 800, seed = 2))
#' d$la <- rep(c("A", "B"), each = 800)
#' inv <- lca_invariance(d, k = 2:3, group = "la", starts = 10, seed = 1)
#' inv
lca_invariance <- function(data, k = 6:7, group, items = NULL, weights = NULL, starts = NULL,
                           seed = NULL, threads = NULL, control = lca_control(),
                           search = FALSE, search_starts = 0L, search_refit = 5L,
                           min_group = NULL, verbose = TRUE, ...) {
  rlang::check_dots_empty()
  check_counts(k)
  check_count(search_starts, min = 0)
  check_count(search_refit, min = 1)
  if (!is.null(min_group)) check_number(min_group, min = 0)
  if (missing(group) || !is.character(group) || length(group) != 1L) {
    abort_input("{.arg group} must name the grouping column, e.g. {.code group = \"la\"}.")
  }
  seed <- resolve_seed(seed)
  threads <- resolve_threads(threads)
  pt <- lca_patterns_for_fit(data, items, weights, group = group, verbose = verbose)
  if (length(pt$group_levels) < 2L) {
    abort_input(c("Grouping column {.field {group}} has only one group.",
                  i = "Invariance needs at least two councils or years."))
  }
  pt <- pool_small_groups(pt, max(k), min_group, group, verbose)
  warn_small_groups(pt, max(k))
  warn_constant_in_group(pt)
  fits <- list()
  for (kk in sort(unique(as.integer(k)))) {
    inv <- lca(pt, k = kk, group = group, invariance = "invariant", starts = starts, seed = seed,
               threads = threads, control = control, verbose = verbose)
    fits[[paste0("invariant k=", kk)]] <- inv
    fits[[paste0("configural k=", kk)]] <- lca_fit_pt(
      pt, kk, "configural", NULL, starts = starts, seed = seed, threads = threads,
      control = control, verbose = verbose, reference = inv)
  }
  tab <- invariance_table(fits)
  items_tab <- gain <- NULL
  if (search) {
    kk <- max(k)
    s <- search_items(pt, kk, fits[[paste0("invariant k=", kk)]], search_starts, seed, threads,
                      control, search_refit)
    items_tab <- s$items
    gain <- s$group_gain
  }
  structure(list(table = tab, fits = fits, items = items_tab, group_gain = gain, group = group,
                 groups = pt$group_levels, pooled = pt$pooled %||% character(), seed = seed),
            class = "cscdemand_invariance")
}

# Groups too small for a K-class model of their own (fewer episodes than
# `min_group`, by default min_group_size()) pooled into one group, "other
# councils", so that the configural model and the item search compare groups
# that can identify K classes; said in a message, counted in the result
# (`pooled`). Nothing is pooled when fewer than two groups would be left
# (warn_small_groups() then warns) or when `min_group = 0`.
pool_small_groups <- function(pt, k, min_group, group, verbose) {
  limit <- min_group %||% min_group_size(pt$ncat, k)
  gN <- tapply(pt$n, factor(pt$group, levels = seq_along(pt$group_levels)), sum)
  gN[is.na(gN)] <- 0
  small <- pt$group_levels[gN < limit]
  if (!length(small) || length(small) == length(pt$group_levels)) {
    return(pt)
  }
  label <- paste("other", group_noun(group, 2, count = FALSE))
  if (label %in% pt$group_levels) label <- paste0(label, " (pooled)")
  if (verbose) {
    cli::cli_inform(c("i" = "{length(small)} {group_noun(group, length(small), count = FALSE)} with fewer than {format(limit, big.mark = ',')} episodes (10 per parameter of a {k}-class model) pooled as {.val {label}} for the multi-group models.",
                      " " = "Set {.arg min_group} to change the limit; {.code min_group = 0} pools none."),
                    class = "cscdemand_message_pooled")
  }
  pool_groups(pt, small, label)
}

warn_small_groups <- function(pt, k) {
  gN <- tapply(pt$n, pt$group, sum)
  small <- pt$group_levels[gN < 10 * k]
  if (length(small)) {
    limit <- 10 * k
    warn_cscdemand(c("{cli::qty(length(small))}Group{?s} {.val {small}} {?has/have} fewer than {limit} episodes (10 per class).",
                     i = "Estimates for small groups are unstable; consider merging them."),
                   class = "cscdemand_warning_small_group")
  }
  invisible(small)
}

# One row per model (invariant, configural) and K, with the likelihood-ratio
# test of invariant against configural and the model each criterion prefers.
invariance_table <- function(fits) {
  tab <- do.call(rbind, lapply(fits, function(f) {
    data.frame(k = f$k, model = f$invariance, loglik = f$loglik, npar = f$npar, AIC = AIC(f),
               BIC = BIC(f), stringsAsFactors = FALSE)
  }))
  rownames(tab) <- NULL
  tab$LR <- NA_real_
  tab$df <- NA_real_
  tab$p_value <- NA_real_
  tab$preferred_AIC <- tab$preferred_BIC <- tab$preferred_LR <- NA_character_
  for (kk in unique(tab$k)) {
    i <- which(tab$k == kk & tab$model == "invariant")
    c <- which(tab$k == kk & tab$model == "configural")
    lr <- max(0, 2 * (tab$loglik[c] - tab$loglik[i]))
    df <- tab$npar[c] - tab$npar[i]
    p <- stats::pchisq(lr, df, lower.tail = FALSE)
    tab$LR[c] <- lr
    tab$df[c] <- df
    tab$p_value[c] <- p
    tab$preferred_AIC[c(i, c)] <- tab$model[c(i, c)][which.min(tab$AIC[c(i, c)])]
    tab$preferred_BIC[c(i, c)] <- tab$model[c(i, c)][which.min(tab$BIC[c(i, c)])]
    tab$preferred_LR[c(i, c)] <- if (p < 0.05) "configural" else "invariant"
  }
  tab
}

# The partial-invariance search in two steps. (1) Every item is ranked by
# its score (item_scores()): twice the gain of one EM step that frees the
# item's probabilities in every group, starting at the invariant maximum.
# By the EM inequality this is a lower bound on the likelihood-ratio
# statistic of freeing the item, and it costs one pass over the patterns
# for all items. (2) The `refit` items with the largest scores are refitted
# exactly, each from that EM step (plus `extra` random starts), to the
# search tolerance (search_control()). Returns the items table (refitted
# items first, largest LR first; then the rest by score) and the gain per
# group (items x groups: twice the change of the group's log-likelihood;
# exact for refitted items, the one-step bound for the others), which names
# the groups where an item differs.
search_items <- function(pt, k, base, extra, seed, threads, control, refit) {
  J <- length(pt$items)
  sc <- item_scores(pt, base)
  gain <- sc$gain
  top <- order(-sc$score)[seq_len(min(refit, J))]
  ctl <- search_control(control)
  rows <- lapply(seq_len(J), function(j) {
    row <- data.frame(item = pt$items[j], score = sc$score[j], refitted = j %in% top,
                      loglik = NA_real_, npar = NA_real_, LR = NA_real_,
                      df = (length(pt$group_levels) - 1) * k * (pt$ncat[j] - 1),
                      BIC_change = NA_real_, top_group = pt$group_levels[which.max(gain[j, ])],
                      stringsAsFactors = FALSE)
    if (!row$refitted) return(row)
    f <- withCallingHandlers(
      fit_lca_patterns(pt, k = k, starts = 1L + as.integer(extra), seed = seed,
                       threads = threads, control = ctl, verbose = FALSE,
                       set_of = set_map(J, length(pt$group_levels), j),
                       init = list(sc$start(j)), trace = FALSE),
      cscdemand_warning_starts = function(w) invokeRestart("muffleWarning"),
      cscdemand_warning_convergence = function(w) invokeRestart("muffleWarning"))
    gg <- 2 * tapply(pt$n * (f$par$ll_pattern - base$par$ll_pattern),
                     factor(pt$group, levels = seq_along(pt$group_levels)), sum)
    gain[j, ] <<- ifelse(is.na(gg), 0, gg)
    row$loglik <- f$loglik
    row$npar <- f$npar
    row$LR <- max(0, 2 * (f$loglik - base$loglik))
    row$BIC_change <- BIC(f) - BIC(base)
    row$top_group <- pt$group_levels[which.max(gain[j, ])]
    row
  })
  items_tab <- do.call(rbind, rows)
  items_tab$p_value <- stats::pchisq(items_tab$LR, items_tab$df, lower.tail = FALSE)
  items_tab <- items_tab[order(!items_tab$refitted, -items_tab$LR, -items_tab$score), ]
  rownames(items_tab) <- NULL
  list(items = items_tab, group_gain = gain)
}

# The settings of the search's refits. The search reports likelihood-ratio
# statistics, not parameters, so a refit stops when the log-likelihood it
# could still gain is below 1e-7 (the LR is then within 2e-7 of its
# maximum, far below any threshold a test uses), whatever the distance of
# the small groups' freed probabilities to their maximum.
search_control <- function(control) {
  control$tol <- min(control$tol, 1e-7)
  control$tol_par <- 1
  control
}

# Score of freeing each item in every group, from the expected counts of the
# E-step at the invariant maximum (one C++ pass, groups.h):
# `gain` (items x groups) twice each group's gain of the expected
# complete-data log-likelihood when the item's probabilities take their
# M-step values in that group; `score` its row sums, a lower bound on the
# item's likelihood-ratio statistic; `start(j)` the parameters after that
# EM step (the layout of set_map(J, G, j)), where the refit of item j starts.
item_scores <- function(pt, base) {
  G <- length(pt$group_levels)
  J <- length(pt$items)
  k <- ncol(base$par$logrho)
  e <- cpp_lca_expected_counts(pt$y, pt$ncat, pt$n, pt$group, G, base$posterior)
  off <- c(0L, cumsum(G * pt$ncat))
  roff <- c(0L, cumsum(pt$ncat))
  rho_of <- function(j) base$par$logrho[roff[j] + seq_len(pt$ncat[j]), , drop = FALSE]
  # item j: the M-step's log-probabilities [category, group, class] (the
  # invariant ones where a group has no expected count in a class)
  step <- function(j) {
    nc <- pt$ncat[j]
    ej <- array(e[off[j] + seq_len(G * nc), ], c(nc, G, k))
    tot <- apply(ej, c(2, 3), sum)
    rho <- aperm(array(rho_of(j), c(nc, k, G)), c(1L, 3L, 2L))
    lp <- log(ej) - rep(log(tot), each = nc)
    lp[rep(tot > 0, each = nc) == FALSE] <- rho[rep(tot > 0, each = nc) == FALSE]
    list(e = ej, lp = lp, rho = rho)
  }
  gain <- t(vapply(seq_len(J), function(j) {
    s <- step(j)
    term <- ifelse(s$e > 0, s$e * (s$lp - s$rho), 0)
    2 * apply(term, 2L, sum)
  }, numeric(G)))
  if (G == 1L) gain <- matrix(gain, J, 1L)
  dimnames(gain) <- list(pt$items, pt$group_levels)
  start <- function(j) {
    lp <- step(j)$lp
    blocks <- lapply(seq_len(J), function(i) {
      if (i != j) return(rho_of(i))
      do.call(rbind, lapply(seq_len(G), function(g) matrix(lp[, g, ], pt$ncat[j], k)))
    })
    list(logpi = base$par$logpi, logrho = do.call(rbind, blocks))
  }
  list(score = rowSums(gain), gain = gain, start = start)
}

#' @export
print.cscdemand_invariance <- function(x, ...) {
  tb <- x$table
  cat("Measurement invariance across ", group_noun(x$group, length(x$groups)), "\n", sep = "")
  out <- data.frame(K = tb$k, model = tb$model, LL = fmt_num(tb$loglik, 2), npar = tb$npar,
                    AIC = fmt_num(tb$AIC, 1), BIC = fmt_num(tb$BIC, 1),
                    LR = ifelse(is.na(tb$LR), "", fmt_num(tb$LR, 2)),
                    df = ifelse(is.na(tb$df), "", tb$df),
                    p = ifelse(is.na(tb$p_value), "", format_p(tb$p_value)))
  print(out, row.names = FALSE)
  if (length(x$pooled)) {
    cat(sprintf("%s pooled as \"%s\" (too few episodes for a model of their own)\n",
                group_noun(x$group, length(x$pooled)), utils::tail(x$groups, 1)))
  }
  best <- tb[which.min(tb$BIC), ]
  cat(sprintf("Lowest BIC: %s model with K = %d\n", best$model, best$k))
  if (!is.null(x$items)) {
    cat("\nItems that differ most between ", group_noun(x$group, 2, count = FALSE),
        " (partial invariance, one item free at a time):\n", sep = "")
    it <- utils::head(x$items[x$items$refitted, , drop = FALSE], 10)
    print(data.frame(item = it$item, score = round(it$score, 2), LR = round(it$LR, 2),
                     df = it$df, p = format_p(it$p_value),
                     `BIC change` = round(it$BIC_change, 1), check.names = FALSE),
          row.names = FALSE)
    rest <- sum(!x$items$refitted)
    if (rest) {
      cat(sprintf("%d other item%s not refitted: %s score%s at most %s (a lower bound on the LR).\n",
                  rest, if (rest == 1) "" else "s", if (rest == 1) "its" else "their",
                  if (rest == 1) "" else "s", fmt_num(max(x$items$score[!x$items$refitted]), 2)))
    }
  }
  invisible(x)
}

#' @rdname lca_invariance
#' @param x An object from `lca_invariance()`.
#' @export
plot.cscdemand_invariance <- function(x, ...) {
  tb <- x$table
  long <- rbind(data.frame(k = tb$k, model = tb$model, criterion = "AIC", value = tb$AIC),
                data.frame(k = tb$k, model = tb$model, criterion = "BIC", value = tb$BIC))
  ggplot2::ggplot(long, ggplot2::aes(x = .data$k, y = .data$value, colour = .data$model)) +
    ggplot2::geom_line() +
    ggplot2::geom_point() +
    ggplot2::facet_wrap(~criterion, scales = "free_y") +
    ggplot2::scale_x_continuous(breaks = unique(tb$k)) +
    ggplot2::labs(x = "Number of classes (K)", y = "Information criterion (lower is better)",
                  colour = NULL) +
    ggplot2::theme_minimal()
}

# Warns when an item takes a single value within a group: its probabilities
# cannot be estimated separately for that group (configural or partial).
warn_constant_in_group <- function(pt) {
  bad <- character()
  for (g in seq_along(pt$group_levels)) {
    sel <- pt$group == g
    for (j in seq_along(pt$items)) {
      v <- pt$y[sel, j]
      v <- unique(v[!is.na(v) & pt$n[sel][!is.na(v)] > 0])
      if (length(v) < 2L) bad <- c(bad, paste0(pt$items[j], " in ", pt$group_levels[g]))
    }
  }
  if (length(bad)) {
    warn_cscdemand(c("Some items take one value only within a group: {.val {bad}}.",
                     i = "Their group-specific probabilities sit at 0 or 1 in the configural model; consider merging small groups or dropping the item."),
                   class = "cscdemand_warning_group_item")
  }
  invisible(bad)
}

# The groups of an invariance model in words: "three councils", "two reporting
# years", or "four groups of <column>" for a column without a known name.
group_noun <- function(group, n, count = TRUE) {
  nouns <- c(la = "council", council = "council", la_code = "council", la_name = "council",
             la_number = "council", region = "region", year = "reporting year",
             gender = "gender", age_group = "age group", ethnic_group = "ethnic group",
             ethnicity = "ethnicity")
  noun <- nouns[tolower(group)]
  if (is.na(noun)) {
    return(if (count) paste0(count_words(n), " groups of ", group) else paste0("groups of ", group))
  }
  plural <- if (n == 1) noun else if (grepl("y$", noun)) sub("y$", "ies", noun) else paste0(noun, "s")
  if (count) paste(count_words(n), plural) else plural
}
