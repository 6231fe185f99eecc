#' Class proportions per council, deprivation tertile or any group
#'
#' The Kingston tables of class proportions per council (Table 11) and per
#' deprivation tertile (Table 12): for each group, the number of episodes in
#' each class and the percentage of the group's episodes, with a Wilson
#' confidence interval.
#'
#' Counts are published with small-number suppression: counts from 1 to
#' `threshold - 1` are suppressed, and more cells (secondary suppression) so
#' that none can be recovered from the group totals or class totals; see
#' [class_profile()], section "Small numbers". Suppressed cells have `n`,
#' `pct`, `lower` and `upper` set to `NA`.
#'
#' @inheritParams class_profile
#' @param group Name of the grouping column (council, deprivation tertile,
#'   ...). Missing values form a group `"(missing)"`.
#' @return A data frame of class `cscdemand_by_group` with columns `group`,
#'   `class`, `n`, `n_group`, `pct`, `lower`, `upper` (percentages) and
#'   `suppressed`; `plot()` draws the percentages with their intervals.
#' @family profiling
#' @export
#' @examples
#' set.seed(2)
#' ep <- data.frame(class = sample(c("Low need", "Domestic abuse", "Complex"), 900, TRUE),
#'                  la = sample(c("Kingston", "Richmond", "Leicestershire"), 900, TRUE))
#' tab <- class_by_group(ep, "class", "la")
#' tab
#' plot(tab)
class_by_group <- function(episodes, class, group, level = 0.95, threshold = 10) {
  check_episodes(episodes)
  check_column(episodes, class)
  check_column(episodes, group)
  check_number(level, min = 0.5, max = 0.9999)
  check_threshold(threshold)
  kept <- drop_missing_class(episodes, class_factor(episodes, class), class)
  g <- characteristic_factor(kept$episodes[[group]])
  out <- share_table(g, kept$class, level, threshold)
  names(out)[1:2] <- c("group", "class")
  names(out)[names(out) == "n_row"] <- "n_group"
  structure(out, class = c("cscdemand_by_group", "data.frame"), group_var = group,
            level = level, threshold = threshold)
}

#' Highest threshold of intervention reached per class
#'
#' Kingston Table 14: for each class, the percentage of episodes whose
#' highest threshold was "Assessed, not CIN", "CIN", "CP plan" or "Looked
#' after", from 0/1 flags: looked after if `looked_after` is 1, else CP plan if
#' `cp_plan` is 1, else CIN if `cin` is 1, else assessed only. An episode with
#' a missing flag and no higher flag set is `"(missing)"`. Wilson intervals;
#' small-number suppression as in [class_by_group()].
#'
#' @inheritParams class_profile
#' @param cin,cp_plan,looked_after Names of the 0/1 (or logical) columns
#'   flagging that the episode reached a child in need plan, a child
#'   protection plan, and being looked after.
#' @param measures Add the other measures of the pathway the data hold
#'   (default `TRUE`): repeat child protection plans (DfE's second or
#'   subsequent plans, table D3), the length of child protection and CIN
#'   plans, the timeliness of initial conferences and, for 2026-27 returns,
#'   pre-proceedings and family group decision-making; see
#'   [pathway_measures()].
#' @return A data frame of class `cscdemand_pathways` with columns `class`,
#'   `pathway` (an ordered factor), `n`, `n_class`, `pct`, `lower`, `upper`
#'   and `suppressed`; `plot()` draws stacked bars per class. With
#'   `measures = TRUE`, attribute `measures` holds, for each measure the
#'   data hold, the same columns by `measure` (name), `title` and `value`
#'   (level), the percentages of the class's episodes in the measure's base
#'   (for example episodes with a child protection plan), suppressed in the
#'   same way; `NULL` when the data hold none.
#' @family profiling
#' @export
#' @examples
#' set.seed(3)
#' ep <- data.frame(class = sample(c("Low need", "Complex"), 400, TRUE),
#'                  cin = rbinom(400, 1, 0.5), cp_plan = rbinom(400, 1, 0.2),
#'                  looked_after = rbinom(400, 1, 0.05))
#' pw <- class_pathways(ep, "class")
#' pw
#' plot(pw)
class_pathways <- function(episodes, class, cin = "cin", cp_plan = "cp_plan",
                           looked_after = "looked_after", level = 0.95, threshold = 10,
                           measures = TRUE) {
  check_episodes(episodes)
  check_column(episodes, class)
  check_column(episodes, cin)
  check_column(episodes, cp_plan)
  check_column(episodes, looked_after)
  check_number(level, min = 0.5, max = 0.9999)
  check_threshold(threshold)
  check_flag(measures)
  kept <- drop_missing_class(episodes, class_factor(episodes, class), class)
  ep <- kept$episodes
  fl <- lapply(c(cin, cp_plan, looked_after), function(v) check_flag_column(ep[[v]], v))
  path <- highest_threshold(fl[[1]], fl[[2]], fl[[3]])
  out <- share_table(kept$class, path, level, threshold)
  names(out)[1:2] <- c("class", "pathway")
  names(out)[names(out) == "n_row"] <- "n_class"
  out$pathway <- factor(as.character(out$pathway), levels = levels(path), ordered = TRUE)
  structure(out, class = c("cscdemand_pathways", "data.frame"), level = level,
            threshold = threshold,
            measures = if (measures) pathway_measure_table(ep, kept$class, level, threshold))
}

# For class_pathways(): per measure the data hold, the share of each class's
# episodes (in the measure's base) at each level, through the package's
# suppression (share_table()).
pathway_measure_table <- function(episodes, cls, level, threshold) {
  pm <- pathway_measures(episodes)
  if (!length(pm)) return(NULL)
  rows <- lapply(names(pm), function(nm) {
    v <- pm[[nm]]
    ok <- !is.na(v)
    if (!any(ok)) return(NULL)
    v <- v[ok]
    lower <- pathway_measure_defs()[[nm]]$lower
    if (!is.null(lower)) v <- merge_sparse_bands(v, cls[ok], threshold, lower)
    tab <- share_table(cls[ok], v, level, threshold)
    names(tab)[1:2] <- c("class", "value")
    names(tab)[names(tab) == "n_row"] <- "n_class"
    data.frame(measure = nm, title = attr(pm, "titles")[[nm]], tab, stringsAsFactors = FALSE)
  })
  out <- do.call(rbind, rows)
  rownames(out) <- NULL
  out
}

pathway_levels <- c("Assessed, not CIN", "CIN", "CP plan", "Looked after")

highest_threshold <- function(cin, cp, la) {
  out <- rep(NA_character_, length(cin))
  is1 <- function(x) !is.na(x) & x == 1
  is0 <- function(x) !is.na(x) & x == 0
  out[is0(cin) & is0(cp) & is0(la)] <- pathway_levels[1]
  out[is1(cin) & is0(cp) & is0(la)] <- pathway_levels[2]
  out[is1(cp) & is0(la)] <- pathway_levels[3]
  out[is1(la)] <- pathway_levels[4]
  lv <- pathway_levels
  if (anyNA(out)) {
    out[is.na(out)] <- missing_label
    lv <- c(lv, missing_label)
  }
  factor(out, levels = lv)
}

check_flag_column <- function(x, name, call = rlang::caller_env()) {
  if (is.logical(x)) return(as.integer(x))
  v <- unique(x[!is.na(x)])
  if (!is.numeric(x) || !all(v %in% c(0, 1))) {
    bad <- utils::head(setdiff(as.character(v), c("0", "1")), 5)
    abort_input(c("Column {.field {name}} must be a 0/1 (or logical) flag.",
                  x = "It has {.val {bad}}.",
                  i = "Recode it to 1 (reached) and 0 (not reached); leave unknown as NA."),
                class = "cscdemand_error_flag", call = call)
  }
  x
}

#' Class prevalence and re-referrals over time
#'
#' The trends of the national study: for each year, the percentage of
#' episodes in each class (prevalence), and, if a re-referral flag is given,
#' the percentage of each class's episodes that were re-referrals within 12
#' months. Wilson intervals; small-number suppression per year as in
#' [class_by_group()] (a re-referral count is also suppressed when the
#' episodes not re-referred, or the class's episodes that year, are).
#' Attribute `trend` holds, per class, the odds ratio of prevalence per year
#' from a logistic regression on year (numeric years only), with interval and
#' p-value.
#'
#' @inheritParams class_profile
#' @param year Name of the year column (numbers, e.g. financial year of
#'   referral as 2021 for 2021-22, or text).
#' @param rereferral Optional name of a 0/1 (or logical) column flagging that
#'   the episode was a re-referral within 12 months of a previous one.
#' @return A data frame of class `cscdemand_trends` with columns `measure`
#'   (`"prevalence"` or `"re-referral"`), `year`, `class`, `n`, `denominator`,
#'   `pct`, `lower`, `upper` and `suppressed`; `plot()` draws lines with
#'   interval ribbons.
#' @family profiling
#' @export
#' @examples
#' set.seed(4)
#' ep <- data.frame(year = rep(2019:2023, each = 300))
#' ep$class <- ifelse(runif(1500) < 0.1 + 0.03 * (ep$year - 2019), "Child mental health", "Other")
#' ep$rereferral <- rbinom(1500, 1, 0.2)
#' tr <- class_trends(ep, "class", "year", rereferral = "rereferral")
#' attr(tr, "trend")
#' plot(tr)
class_trends <- function(episodes, class, year, rereferral = NULL, level = 0.95,
                         threshold = 10) {
  check_episodes(episodes)
  check_column(episodes, class)
  check_column(episodes, year)
  if (!is.null(rereferral)) check_column(episodes, rereferral)
  check_number(level, min = 0.5, max = 0.9999)
  check_threshold(threshold)
  kept <- drop_missing_class(episodes, class_factor(episodes, class), class)
  ep <- kept$episodes
  cls <- kept$class
  yr <- characteristic_factor(ep[[year]])
  prev <- share_table(yr, cls, level, threshold)
  names(prev)[1:3] <- c("year", "class", "n")
  names(prev)[names(prev) == "n_row"] <- "denominator"
  out <- data.frame(measure = "prevalence", prev, stringsAsFactors = FALSE)
  if (!is.null(rereferral)) {
    rr <- check_flag_column(ep[[rereferral]], rereferral)
    ok <- !is.na(rr)
    if (any(!ok)) {
      warn_cscdemand("{sum(!ok)} episode{?s} with a missing {.field {rereferral}} {?is/are} left out of the re-referral rates.",
                     class = "cscdemand_warning_missing")
    }
    yes <- as.vector(table(yr[ok & rr == 1], cls[ok & rr == 1]))
    tot <- as.vector(table(yr[ok], cls[ok]))
    grid <- expand.grid(year = levels(yr), class = levels(cls), stringsAsFactors = FALSE)
    # Published: the re-referral counts (year x class) and denominators. A
    # small count not re-referred, or a suppressed denominator, would disclose
    # through subtraction, so such cells are suppressed as primary too.
    den_supp <- prev$suppressed[match(paste(grid$year, grid$class), paste(prev$year, prev$class))]
    no <- tot - yes
    prim <- (no > 0 & no < threshold) | den_supp
    ymat <- data.frame(matrix(yes, nrow = nlevels(yr)))
    pub <- publish_table(ymat, names(ymat), threshold, primary = matrix(prim, nrow = nlevels(yr)))
    supp <- as.vector(attr(pub, "suppressed"))
    ci <- wilson_ci(yes, tot, level)
    re <- data.frame(measure = "re-referral", year = grid$year, class = grid$class, n = yes,
                     denominator = tot, pct = ifelse(tot > 0, 100 * yes / tot, NA_real_),
                     lower = 100 * ci$lower, upper = 100 * ci$upper, suppressed = supp,
                     stringsAsFactors = FALSE)
    re[supp, c("n", "pct", "lower", "upper")] <- NA
    re$denominator[den_supp] <- NA
    out <- rbind(out, re)
  }
  out$class <- factor(as.character(out$class), levels = levels(cls))
  out$year <- factor(as.character(out$year), levels = levels(yr))
  rownames(out) <- NULL
  structure(out, class = c("cscdemand_trends", "data.frame"), trend = trend_tests(yr, cls, level),
            level = level, threshold = threshold)
}

# Per class: odds ratio per year of being in the class (logistic regression).
trend_tests <- function(yr, cls, level) {
  years <- suppressWarnings(as.numeric(levels(yr)))
  if (anyNA(years) || length(years) < 3L) return(NULL)
  tab <- table(yr, cls)
  z <- stats::qnorm(1 - (1 - level) / 2)
  rows <- lapply(levels(cls), function(k) {
    y <- cbind(tab[, k], rowSums(tab) - tab[, k])
    if (all(y[, 1] == 0) || all(y[, 2] == 0)) return(NULL)
    m <- stats::glm(y ~ years, family = stats::binomial())
    co <- summary(m)$coefficients["years", ]
    data.frame(class = k, odds_ratio = exp(co[[1]]), lower = exp(co[[1]] - z * co[[2]]),
               upper = exp(co[[1]] + z * co[[2]]), p_value = co[[4]], stringsAsFactors = FALSE)
  })
  do.call(rbind, rows)
}

# Row-by-column shares with Wilson intervals and publication suppression:
# rows of the output are (row level, column level) pairs; pct is the share of
# the row's total. Counts are suppressed on the rows x columns matrix. The
# row totals (n_row) add up to the number of episodes: a small one is hidden
# with a complement (the engine), and so is its whole row, since a shown count
# over its percentage, or the row's sum, would give it back.
share_table <- function(r, k, level, threshold) {
  tab <- table(r, k)
  cnt <- as.data.frame.matrix(tab)
  hide_row <- hidden_totals(rowSums(tab), threshold)
  pub <- publish_table(cnt, colnames(cnt), threshold,
                       primary = matrix(hide_row, nrow(tab), ncol(tab)), withhold = c(TRUE, FALSE))
  supp <- attr(pub, "suppressed")
  n <- as.vector(tab)
  tot <- rep(rowSums(tab), ncol(tab))
  ci <- wilson_ci(n, tot, level)
  out <- data.frame(r = rep(rownames(tab), ncol(tab)), k = rep(colnames(tab), each = nrow(tab)),
                    n = n, n_row = tot, pct = ifelse(tot > 0, 100 * n / tot, NA_real_),
                    lower = 100 * ci$lower, upper = 100 * ci$upper,
                    suppressed = as.vector(supp), stringsAsFactors = FALSE)
  out[out$suppressed, c("n", "pct", "lower", "upper")] <- NA
  out$n_row[rep(hide_row, ncol(tab))] <- NA
  out$r <- factor(out$r, levels = levels(r))
  out$k <- factor(out$k, levels = levels(k))
  out <- out[order(out$r, out$k), , drop = FALSE]
  rownames(out) <- NULL
  out
}

#' @rdname class_by_group
#' @param x A table from `class_by_group()`.
#' @param ... Unused.
#' @export
plot.cscdemand_by_group <- function(x, ...) {
  d <- as.data.frame(unclass(x), stringsAsFactors = FALSE)
  d <- d[!d$suppressed, , drop = FALSE]
  if (!nrow(d)) return(suppressed_plot())
  ggplot2::ggplot(d, ggplot2::aes(x = .data$pct, y = .data$group)) +
    ggplot2::geom_col(fill = "#3182bd", width = 0.7) +
    ggplot2::geom_errorbarh(ggplot2::aes(xmin = .data$lower, xmax = .data$upper), height = 0.3) +
    ggplot2::facet_wrap(ggplot2::vars(.data$class),
                        labeller = ggplot2::as_labeller(function(v) wrap_labels(v, 28))) +
    ggplot2::scale_y_discrete(labels = wrap_labels) +
    ggplot2::labs(x = "% of the group's episodes", y = NULL,
                  title = "Class proportions by group") +
    ggplot2::theme_minimal()
}

#' @rdname class_pathways
#' @param x A table from `class_pathways()`.
#' @param ... Unused.
#' @export
plot.cscdemand_pathways <- function(x, ...) {
  d <- as.data.frame(unclass(x), stringsAsFactors = FALSE)
  d <- d[!d$suppressed, , drop = FALSE]
  if (!nrow(d)) return(suppressed_plot())
  ggplot2::ggplot(d, ggplot2::aes(x = .data$pathway, y = .data$pct)) +
    ggplot2::geom_col(ggplot2::aes(fill = .data$pathway), width = 0.7) +
    ggplot2::geom_errorbar(ggplot2::aes(ymin = .data$lower, ymax = .data$upper), width = 0.2) +
    ggplot2::facet_wrap(ggplot2::vars(.data$class),
                        labeller = ggplot2::as_labeller(function(v) wrap_labels(v, 28))) +
    ggplot2::scale_fill_brewer(palette = "YlOrRd") +
    ggplot2::labs(x = NULL, y = "% of the class's episodes", fill = "Highest threshold",
                  title = "Highest threshold reached by class") +
    ggplot2::theme_minimal() +
    ggplot2::theme(axis.text.x = ggplot2::element_blank())
}

#' @rdname class_trends
#' @param x A table from `class_trends()`.
#' @param ... Unused.
#' @export
plot.cscdemand_trends <- function(x, ...) {
  d <- as.data.frame(unclass(x), stringsAsFactors = FALSE)
  if (!any(!d$suppressed)) return(suppressed_plot())
  # a suppressed year stays as NA, so the line (and its band) breaks there
  # rather than joining the years either side of it
  d[d$suppressed, intersect(c("pct", "lower", "upper"), names(d))] <- NA
  ggplot2::ggplot(d, ggplot2::aes(x = .data$year, y = .data$pct, colour = .data$class,
                                  group = .data$class)) +
    ggplot2::geom_ribbon(ggplot2::aes(ymin = .data$lower, ymax = .data$upper, fill = .data$class),
                         alpha = 0.15, colour = NA, na.rm = TRUE) +
    ggplot2::geom_line(na.rm = TRUE) +
    ggplot2::geom_point(na.rm = TRUE) +
    ggplot2::facet_wrap(ggplot2::vars(.data$measure), scales = "free_y") +
    ggplot2::labs(x = "Year", y = "%", colour = "Class", fill = "Class",
                  title = "Class prevalence and re-referrals over time") +
    ggplot2::theme_minimal()
}

# A chart whose every cell is suppressed says so instead of failing.
suppressed_plot <- function() {
  ggplot2::ggplot() +
    ggplot2::annotate("text", x = 0, y = 0, size = 5,
                      label = "Every count is below the suppression threshold:\nnothing can be shown.") +
    ggplot2::theme_void()
}

#' Flag re-referrals within 12 months
#'
#' Adds a 0/1 column saying whether each episode's referral came within 12
#' months of the same child's previous referral (the CIN census definition of
#' a re-referral), for [class_trends()] and [class_profile()]. A child's first
#' referral in the data is 0, although an earlier referral before the
#' extract's start may exist: use an extract that starts at least a year
#' before the period reported, or set those episodes to `NA`. Episodes with a
#' missing child or date get `NA`. The child identifier is only used here;
#' the profiling tables never carry it.
#'
#' @param episodes A data frame, one row per episode (referral).
#' @param child Name of the child identifier column.
#' @param date Name of the referral date column (`Date`, or text `"YYYY-MM-DD"`).
#' @param months Window in months (default 12).
#' @param column Name of the new column (default `"rereferral"`).
#' @return `episodes` with the new 0/1 column, rows in their original order.
#' @family profiling
#' @export
#' @examples
#' ep <- data.frame(child = c("a", "a", "a", "b"),
#'                  referral_date = as.Date(c("2021-01-10", "2021-06-01", "2023-01-01", "2021-03-03")))
#' flag_rereferral(ep, "child", "referral_date")
flag_rereferral <- function(episodes, child, date, months = 12, column = "rereferral") {
  check_episodes(episodes)
  check_column(episodes, child)
  check_column(episodes, date)
  check_count(months)
  d <- episodes[[date]]
  if (!inherits(d, "Date")) {
    d2 <- suppressWarnings(as.Date(as.character(d), optional = TRUE))
    bad <- which(!is.na(d) & is.na(d2))
    if (length(bad) || (!is.character(d) && !is.factor(d) && !all(is.na(d)))) {
      abort_input(c("Column {.field {date}} must hold dates ({.cls Date}, or text like {.val 2021-04-01}).",
                    x = if (length(bad)) "Rows {format_rows(bad)} are not dates." else
                      "It is {.cls {class(d)[1]}}."),
                  class = "cscdemand_error_date")
    }
    d <- d2
  }
  id <- as.character(episodes[[child]])
  ord <- order(id, d, na.last = TRUE, method = "radix")
  # Sorted by child then date (missing dates last within a child), each
  # episode is compared with the one before it.
  n <- length(d)
  ids <- id[ord]
  ds <- d[ord]
  prev_same <- c(FALSE, ids[-1] == ids[-n])
  prev_same[is.na(prev_same)] <- FALSE
  prev_date <- c(as.Date(NA), ds[-n])
  lt <- as.POSIXlt(prev_date)
  lt$mon <- lt$mon + months
  within <- !is.na(prev_date) & ds <= as.Date(lt)
  flag <- ifelse(prev_same, as.integer(within), 0L)
  flag[is.na(ids) | is.na(ds)] <- NA_integer_
  out <- integer(n)
  out[ord] <- flag
  episodes[[column]] <- out
  episodes
}
