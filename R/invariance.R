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
#' `groups`. The item search starts every refit from the invariant solution
#' (and from the same with the freed item's probabilities taken from the
#' configural model), so it needs no random starts: freeing an item can only
#' raise the likelihood, and EM climbs from the invariant maximum.
#'
#' @inheritParams lca
#' @param k Numbers of classes to compare (default 6 and 7).
#' @param group Grouping column (e.g. `"la"` or `"year"`).
#' @param search Also look for the items that differ most between groups:
#'   for the largest K, refit with each item's probabilities free in every
#'   group in turn (partial invariance) and rank the items by likelihood-ratio
#'   gain (table `items`).
#' @param search_starts Random starts added to the two warm starts of each
#'   item's refit in the search (default 0).
#' @param ... Passed to [lca()] for the invariant model.
#' @return An object of class `cscdemand_invariance`: a list with `table`
#'   (one row per model: K, model, log-likelihood, parameters, AIC, BIC, and
#'   per K the likelihood-ratio statistic, df and p-value of invariant against
#'   configural, and which model each criterion prefers), `fits`, and with
#'   `search = TRUE` `items` (per item: log-likelihood and parameters of the
#'   model with the item free, LR gain of freeing it, df, change in BIC,
#'   `top_group` the group that gains most, p-value) and `group_gain` (items
#'   x groups: twice each group's gain in log-likelihood when the item is
#'   freed, which names the groups where an item differs).
#' @family latent class models
#' @export
#' @examples
#' d <- rbind(simulate_lca(n = 800, seed = 1), simulate_lca(n = 800, seed = 2))
#' d$la <- rep(c("A", "B"), each = 800)
#' inv <- lca_invariance(d, k = 2:3, group = "la", starts = 10, seed = 1)
#' inv
lca_invariance <- function(data, k = 6:7, group, items = NULL, weights = NULL, starts = NULL,
                           seed = NULL, threads = NULL, control = lca_control(),
                           search = FALSE, search_starts = 0L, verbose = TRUE, ...) {
  check_counts(k)
  check_count(search_starts, min = 0)
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
  warn_small_groups(pt, max(k))
  warn_constant_in_group(pt)
  fits <- list()
  for (kk in sort(unique(as.integer(k)))) {
    inv <- lca(pt, k = kk, group = group, invariance = "invariant", starts = starts, seed = seed,
               threads = threads, control = control, verbose = verbose, ...)
    fits[[paste0("invariant k=", kk)]] <- inv
    fits[[paste0("configural k=", kk)]] <- lca_fit_pt(
      pt, kk, "configural", NULL, starts = starts, seed = seed, threads = threads,
      control = control, verbose = verbose, reference = inv)
  }
  tab <- invariance_table(fits)
  items_tab <- gain <- NULL
  if (search) {
    kk <- max(k)
    s <- search_items(pt, kk, fits[[paste0("invariant k=", kk)]],
                      fits[[paste0("configural k=", kk)]], search_starts, seed, threads, control)
    items_tab <- s$items
    gain <- s$group_gain
  }
  structure(list(table = tab, fits = fits, items = items_tab, group_gain = gain, group = group,
                 groups = pt$group_levels, seed = seed), class = "cscdemand_invariance")
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

# The partial-invariance search: each item freed in every group in turn and
# refitted from two warm starts (partial_starts()) plus `extra` random
# starts. Freeing an item can only raise the likelihood, and the invariant
# solution is a point of every partial model, so EM from it climbs from the
# invariant maximum. Returns the items table (largest gain first) and the
# gain per group (items x groups: twice the change of the group's
# log-likelihood), which names the groups where an item differs.
search_items <- function(pt, k, base, conf, extra, seed, threads, control) {
  J <- length(pt$items)
  G <- length(pt$group_levels)
  gain <- matrix(NA_real_, J, G, dimnames = list(pt$items, pt$group_levels))
  rows <- lapply(seq_len(J), function(j) {
    set_of <- set_map(J, G, j)
    init <- partial_starts(pt, base, conf, set_of, j)
    f <- withCallingHandlers(
      fit_lca_patterns(pt, k = k, starts = length(init) + as.integer(extra), seed = seed,
                       threads = threads, control = control, verbose = FALSE, set_of = set_of,
                       init = init, trace = FALSE),
      cscdemand_warning_starts = function(w) invokeRestart("muffleWarning"))
    gg <- 2 * tapply(pt$n * (f$par$ll_pattern - base$par$ll_pattern),
                     factor(pt$group, levels = seq_len(G)), sum)
    gain[j, ] <<- ifelse(is.na(gg), 0, gg)
    data.frame(item = pt$items[j], loglik = f$loglik, npar = f$npar,
               LR = max(0, 2 * (f$loglik - base$loglik)), df = f$npar - base$npar,
               BIC_change = BIC(f) - BIC(base), top_group = pt$group_levels[which.max(gg)],
               stringsAsFactors = FALSE)
  })
  items_tab <- do.call(rbind, rows)
  items_tab$p_value <- stats::pchisq(items_tab$LR, items_tab$df, lower.tail = FALSE)
  items_tab <- items_tab[order(-items_tab$LR), ]
  rownames(items_tab) <- NULL
  list(items = items_tab, group_gain = gain)
}

# Two starting values of the model with item j free in every group (layout of
# param_blocks(set_of)): the invariant solution, and the same with item j's
# probabilities in each group taken from the configural model (whose classes
# are matched to the invariant model's).
partial_starts <- function(pt, base, conf, set_of, j) {
  nc <- pt$ncat
  pb <- param_blocks(nc, set_of)
  bb <- param_blocks(nc, base$par$set_of)
  cb <- param_blocks(nc, conf$par$set_of)
  rows_of <- function(blocks, item, set) {
    blocks$start[blocks$item == item & blocks$set == set] + seq_len(nc[item])
  }
  pick <- function(from_conf) {
    do.call(rbind, lapply(seq_len(nrow(pb)), function(b) {
      i <- pb$item[b]
      if (from_conf && i == j) return(conf$par$logrho[rows_of(cb, i, pb$set[b]), , drop = FALSE])
      base$par$logrho[rows_of(bb, i, 0L), , drop = FALSE]
    }))
  }
  list(list(logpi = base$par$logpi, logrho = pick(FALSE)),
       list(logpi = base$par$logpi, logrho = pick(TRUE)))
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
  best <- tb[which.min(tb$BIC), ]
  cat(sprintf("Lowest BIC: %s model with K = %d\n", best$model, best$k))
  if (!is.null(x$items)) {
    cat("\nItems that differ most between ", group_noun(x$group, 2, count = FALSE),
        " (partial invariance, one item free at a time):\n", sep = "")
    it <- utils::head(x$items, 10)
    print(data.frame(item = it$item, LR = round(it$LR, 2), df = it$df,
                     p = format_p(it$p_value),
                     `BIC change` = round(it$BIC_change, 1), check.names = FALSE),
          row.names = FALSE)
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
