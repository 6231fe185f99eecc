#' Profile latent classes: characteristics more or less likely than in the other classes
#'
#' The Leicestershire-style profile: for every class and every level of every
#' characteristic (age group, gender, referral source, number of factors,
#' re-referral, outcomes, ...), the number and percentage of the class's
#' episodes with that level, the percentage among the episodes of all the
#' other classes, their ratio ("x N") with a confidence interval and a test,
#' and a flag: "higher" or "lower" when the test is significant at level
#' `alpha` after adjustment for the many comparisons of the table (Holm's
#' method by default), "much higher" or "much lower" when it is also at least
#' twice (at most half) as likely. The flag rests on the test, not on the
#' size of the ratio: a ratio of 1.3 on thousands of episodes can be
#' significant, and one of 3 on a dozen need not be.
#'
#' @section Definitions:
#' For class \eqn{c} and level \eqn{l}, with \eqn{a} episodes of the class at
#' the level out of \eqn{A} in the class, and \eqn{b} of the \eqn{B} episodes
#' of the other classes:
#' * `pct` = \eqn{100 a/A}, `pct_other` = \eqn{100 b/B}, `ratio` =
#'   \eqn{(a/A)/(b/B)} (a risk ratio);
#' * confidence interval on the log scale (Katz):
#'   \eqn{\log r \pm z \sqrt{1/a - 1/A + 1/b - 1/B}};
#' * `p_value`: two-sided two-proportion z test with pooled variance (the
#'   Pearson chi-squared test of the 2 x 2 table without continuity
#'   correction, as `prop.test(correct = FALSE)`), adjusted by `p_adjust`
#'   over every row of the profile (every class, characteristic and level);
#' * `flag`: `"higher"` when `p_value < alpha` and `ratio > 1` (and at least
#'   `flags[1]`, 1 by default: no size cut-off), `"much higher"` when also
#'   `ratio >= flags[2]`, and the mirror images (`ratio < 1`, at most
#'   `1/flags[1]`, `1/flags[2]`) `"lower"` and `"much lower"`; `"n/a"` when
#'   the class has no episodes at the level (`a = 0`); `""` otherwise.
#'
#' With modal assignment (a class column), the test is a valid test of "no
#' association between the characteristic and the class": if the
#' characteristic is unrelated to the true class it is unrelated to the
#' modal class too. Misclassified episodes pull the classes together, so the
#' ratios are if anything understated.
#'
#' Missing values of a characteristic are a level of their own,
#' `"(missing)"`, counted and profiled like any other. A 0/1 or logical
#' characteristic (an outcome flag) is reported by its "yes" level (and
#' `"(missing)"` if any) unless `binary = "both"`.
#'
#' With `posterior`, counts are posterior-weighted (proportional assignment):
#' each episode counts towards every class with its posterior probability, so
#' the class totals are the model's estimated class sizes and the
#' percentages agree with tables of counts by proportional assignment
#' ([class_crosstab()] with `posterior`). The test and interval then carry
#' the weights: with \eqn{w_i} an episode's probability of the class and
#' \eqn{c_i = w_i/A - (1 - w_i)/B}, the difference of the two percentages is
#' \eqn{\sum c_i (y_i - p)} under no association, so the z test uses the
#' variance \eqn{p(1-p)\sum c_i^2} (\eqn{p} the pooled share); the interval
#' uses the delta method with Kish's effective sizes \eqn{A^2/\sum w_i^2},
#' \eqn{B^2/\sum (1-w_i)^2} and the covariance of episodes counted on both
#' sides. With 0/1 weights both reduce to the formulas above. The posterior
#' probabilities are taken as known (their estimation error is small beside
#' the sampling error of a characteristic on thousands of episodes); the test
#' holds its level under no association, checked by simulation in the tests.
#' Proportional assignment, like modal assignment, pulls the classes together
#' when classification is uncertain; for bias-corrected estimates use
#' [class_outcome()].
#'
#' @section Small numbers:
#' Every count from 1 to `threshold - 1` is suppressed (primary suppression;
#' true zeros are shown, as in DfE practice). Then, for each characteristic,
#' the counts are read as a table of levels by classes whose row and column
#' totals are taken as published, and more cells are suppressed (secondary
#' suppression) until no suppressed cell can be recovered by subtraction from
#' the totals: every row and column has either none or at least two
#' suppressed cells, no suppressed cell is fixed by the linear system of
#' totals, and every count under the threshold can take, given the totals and
#' the shown counts, a range of values at least `threshold` wide (see
#' [suppress_small()], "Rules"). A class with fewer episodes than `threshold` (and one more class,
#' since the class totals add up to the number of episodes) has its totals
#' `n_class` and `n_other_class` and all its cells suppressed, since a count
#' over its percentage would give the total back.
#' A suppressed cell has `n`, percentages, ratio, interval and test
#' set to `NA`, `flag` `"suppressed"` and `display` `"c"`. Where the count of
#' the other classes at a level (`n_other`) is under the threshold, the ratio,
#' its interval and test, `n_other` and `pct_other` are `NA` and `display` is
#' `"c"` too, since they would give that count back. Levels with no episode
#' are left out, and the residual levels (not known, `"(missing)"`,
#' `"Other"`) are merged into one level when one of them holds a small count
#' (attribute `merged` lists them per characteristic), and counted with the
#' smallest other level when they would still leave a large level mostly
#' suppressed (not for 0/1 characteristics), as in [class_crosstab()]. Set
#' `threshold = 0` for unsuppressed figures (not for publication).
#'
#' @param episodes A data frame, one row per episode. No identifier columns
#'   are carried into the result.
#' @param class Name of the column holding each episode's class (for example
#'   from [class_assign()]): a factor (levels kept in order), integers or text.
#'   Ignored when `posterior` is given.
#' @param vars Names of the characteristic columns to profile.
#' @param posterior Optional matrix of posterior class probabilities, one row
#'   per row of `episodes` (from `predict(fit, episodes, type = "posterior")`),
#'   for posterior-weighted (proportional) profiles.
#' @param binary `"one"` (the default): report 0/1 and logical characteristics
#'   by their "yes" level; `"both"`: report "no" and "yes".
#' @param level Confidence level of the intervals (default 0.95).
#' @param alpha Significance level of the flags, after adjustment (default
#'   0.05).
#' @param flags Two ratios: the smallest ratio (and its inverse) a
#'   significant difference must reach to be flagged (default 1: any
#'   significant difference), and the ratio from which it is "much" higher or
#'   lower (default 2).
#' @param p_adjust Adjustment of the p-values for the many comparisons, one of
#'   [stats::p.adjust.methods] (default `"holm"`, which controls the
#'   family-wise error rate; `"BH"` controls the false discovery rate;
#'   `"none"` tests each cell on its own), applied over all rows of the
#'   profile before flagging.
#' @param threshold Small-number threshold (default 10): counts from 1 to
#'   `threshold - 1` are suppressed, with secondary suppression; 0 turns it off.
#' @return A data frame of class `cscdemand_profile`, one row per
#'   characteristic, level and class, with columns `variable`, `level`,
#'   `class`, `n`, `n_class`, `pct`, `n_other`, `n_other_class`, `pct_other`,
#'   `ratio`, `lower`, `upper`, `p_value`, `flag`, `display` (the ratio as
#'   printed, e.g. `"x2.10"`, `"n/a"`, `"c"`) and `suppressed`. It has
#'   `print()` (a grid of ratios) and `plot()` (a dot chart of ratios on a log
#'   axis) methods.
#' @family profiling
#' @export
#' @examples
#' set.seed(1)
#' ep <- data.frame(
#'   class = sample(c("Low need", "Domestic abuse", "Complex"), 600, TRUE),
#'   age_group = sample(c("0-4", "5-9", "10-15", "16+"), 600, TRUE),
#'   cp_plan = rbinom(600, 1, 0.2)
#' )
#' ep$cp_plan[ep$class == "Complex"] <- rbinom(sum(ep$class == "Complex"), 1, 0.5)
#' prof <- class_profile(ep, "class", c("age_group", "cp_plan"))
#' prof
#' plot(prof)
class_profile <- function(episodes, class, vars, posterior = NULL, binary = c("one", "both"),
                          level = 0.95, alpha = 0.05, flags = c(1, 2), p_adjust = "holm",
                          threshold = 10) {
  check_episodes(episodes)
  binary <- rlang::arg_match(binary)
  p_adjust <- rlang::arg_match(p_adjust, stats::p.adjust.methods)
  check_number(level, min = 0.5, max = 0.9999)
  check_number(alpha, min = 0, max = 1)
  check_threshold(threshold)
  if (!is.numeric(flags) || length(flags) != 2L || anyNA(flags) || flags[1] < 1 || flags[2] < flags[1]) {
    abort_input(c("{.arg flags} must be two ratios, the second at least the first, both at least 1.",
                  x = "You supplied {.val {format(flags)}}."))
  }
  check_column(episodes, vars, multiple = TRUE)
  if (is.null(posterior)) {
    check_column(episodes, class)
    if (class %in% vars) {
      abort_input(c("The class column {.field {class}} is also in {.arg vars}.",
                    i = "Drop it from {.arg vars}."), class = "cscdemand_error_column")
    }
    cls <- class_factor(episodes, class)
    kept <- drop_missing_class(episodes, cls, class)
    episodes <- kept$episodes
    cls <- kept$class
    W <- indicator_matrix(cls)
    method <- "modal"
  } else {
    W <- check_posterior(posterior, nrow(episodes))
    method <- "proportional"
  }
  if (ncol(W) < 2L) {
    abort_input(c("A profile compares each class with the others, but there is only one class ({.val {colnames(W)}}).",
                  i = "Profile a model with at least 2 classes."), class = "cscdemand_error_class")
  }
  z <- stats::qnorm(1 - (1 - level) / 2)
  hide_class <- hidden_totals(colSums(W), threshold)
  rows <- lapply(vars, profile_variable, episodes = episodes, W = W, binary = binary,
                 threshold = threshold, z = z, hide_class = hide_class,
                 pool = if (method == "proportional") "Other categories")
  merged <- stats::setNames(lapply(rows, attr, "merged"), vars)
  rows <- lapply(rows, function(r) `attr<-`(r, "merged", NULL))
  out <- do.call(rbind, rows)
  out$p_value <- stats::p.adjust(out$p_value, p_adjust)
  out$flag <- profile_flag(out$ratio, out$p_value, out$n, alpha, flags)
  out <- out[c(setdiff(names(out), c("display", "suppressed")), "display", "suppressed")]
  s <- out$suppressed
  out[s, c("n", "pct", "n_other", "pct_other", "ratio", "lower", "upper", "p_value")] <- NA
  out[out$class %in% colnames(W)[hide_class], c("n_class", "n_other_class")] <- NA
  out$flag[s] <- "suppressed"
  out$display[s] <- "c"
  out <- profile_hide_derived(out, threshold)
  out$class <- factor(out$class, levels = colnames(W))
  rownames(out) <- NULL
  structure(out, class = c("cscdemand_profile", "data.frame"),
            method = method, level = level, alpha = alpha, flags = flags, p_adjust = p_adjust,
            threshold = threshold, n_episodes = nrow(episodes),
            merged = merged[lengths(merged) > 0])
}

# One characteristic's rows of the profile: counts of each level by class
# (residual levels merged when small, empty levels dropped), suppression,
# percentages, ratios, intervals and unadjusted tests.
profile_variable <- function(v, episodes, W, binary, threshold, z, hide_class, pool = NULL) {
  x <- episodes[[v]]
  f <- characteristic_factor(x)
  if (nlevels(f) < 2L) {
    abort_input(c("Characteristic {.field {v}} has only one level ({.val {levels(f)}}), so it cannot differ between classes.",
                  i = "Drop {.field {v}} from {.arg vars}."),
                class = "cscdemand_error_one_level")
  }
  if (nlevels(f) > 50L) {
    warn_cscdemand(c("Characteristic {.field {v}} has {nlevels(f)} levels; each is profiled separately.",
                     i = "Group it first (e.g. age in years into age groups)."),
                   class = "cscdemand_warning_levels")
  }
  bin <- is_binary_var(x)
  if (bin) levels(f)[levels(f) == "0"] <- "no"
  if (bin) levels(f)[levels(f) == "1"] <- "yes"
  cnt <- rowsum(W, f, reorder = FALSE)
  cnt <- cnt[match(levels(f), rownames(cnt)), , drop = FALSE]
  cnt[is.na(cnt)] <- 0
  rownames(cnt) <- levels(f)
  if (bin) {
    td <- tidy_levels(cnt, threshold, residual_levels(), drop_cols = FALSE)
    cnt <- td$tab
    supp <- attr(publish_table(as.data.frame(cnt, optional = TRUE), colnames(W), threshold), "suppressed")
  } else {
    # the same rows, and the same hidden cells, as class_crosstab() of this
    # characteristic: two tables hiding different cells of one table of
    # counts would give each other's hidden cells away
    lay <- crosstab_layout(cnt, threshold, residual_unknown, merge_columns = pool, drop_cols = FALSE)
    td <- lay$tidy
    cnt <- lay$rows_tab
    supp <- profile_layout_suppressed(lay, cnt, threshold)
  }
  supp[, hide_class] <- TRUE
  A <- colSums(cnt)
  Tl <- rowSums(cnt)
  N <- sum(A)
  out <- expand.grid(level = rownames(cnt), class = colnames(W), stringsAsFactors = FALSE)
  a <- as.vector(cnt)
  Ac <- rep(A, each = nrow(cnt))
  b <- rep(Tl, ncol(cnt)) - a
  B <- N - Ac
  out <- data.frame(variable = v, out, n = a, n_class = Ac, pct = 100 * a / Ac, n_other = b,
                    n_other_class = B, pct_other = 100 * b / B, stringsAsFactors = FALSE)
  p1 <- a / Ac
  p0 <- b / B
  out$ratio <- ifelse(a > 0, p1 / p0, NA_real_)
  pp <- (a + b) / (Ac + B)
  wv <- profile_weight_sums(W, nrow(cnt))
  se <- sqrt(pmax(profile_log_ratio_var(p1, p0, pp, Ac, B, wv), 0))
  ok <- a > 0 & b > 0 & se > 0
  out$lower <- ifelse(ok, exp(log(p1 / p0) - z * se), NA_real_)
  out$upper <- ifelse(ok, exp(log(p1 / p0) + z * se), NA_real_)
  zz <- (p1 - p0) / sqrt(pp * (1 - pp) * wv$c2)
  out$p_value <- ifelse(pp > 0 & pp < 1 & wv$c2 > 0, 2 * stats::pnorm(-abs(zz)), NA_real_)
  out$display <- profile_display(out$ratio, a, b)
  out$suppressed <- as.vector(supp)
  if (bin && binary == "one") out <- out[out$level != "no", , drop = FALSE]
  attr(out, "merged") <- td$merged
  out
}

# The cells of a profile's characteristic hidden as class_crosstab() hides
# them: each category as in the crosstab, and a category the crosstab counts
# with others ("Other categories") hidden whole, since the crosstab does not
# show it apart (its counts here, with the pooled column there, would give
# the others away).
profile_layout_suppressed <- function(lay, cnt, threshold) {
  supp <- matrix(TRUE, nrow(cnt), ncol(cnt), dimnames = dimnames(cnt))
  if (threshold <= 0) return(supp & FALSE)
  sp <- crosstab_suppress(lay$tab, threshold)$supp
  kept <- setdiff(intersect(colnames(cnt), colnames(sp)), lay$pooled)
  supp[, kept] <- sp[rownames(cnt), kept, drop = FALSE]
  supp
}

# The other classes' count at a level (the denominator of the ratio) is a
# sum of cells; when it is under the threshold the ratio, its interval and
# test would give it back: they are hidden, though the class's count shows.
# Sums of the weights that the variances need, per class (recycled over the
# `n_levels` levels): with w an episode's weight for the class (its posterior
# probability, or 0/1 with a class column), A = sum w, B = sum (1 - w),
# s2 = sum w^2, t2 = sum (1 - w)^2, x = sum w (1 - w); and c2 = sum c_i^2
# where c_i = w_i / A - (1 - w_i) / B, so that p1 - p0 = sum c_i (y_i - p)
# under "no association" (y independent of the weights, variance p(1 - p)).
# With 0/1 weights c2 = 1/A + 1/B (the pooled two-proportion test).
profile_weight_sums <- function(W, n_levels) {
  A <- colSums(W)
  B <- nrow(W) - A
  s2 <- colSums(W^2)
  t2 <- nrow(W) - 2 * A + s2
  x <- A - s2
  rep_l <- function(v) rep(v, each = n_levels)
  list(s2 = rep_l(s2), t2 = rep_l(t2), x = rep_l(x),
       c2 = rep_l(s2 / A^2 + t2 / B^2 - 2 * x / (A * B)))
}

# Variance of log(p1 / p0) by the delta method with the weights (Kish's
# effective sizes A^2/s2 and B^2/t2, and the covariance of p1 and p0 from
# episodes that count towards both). With 0/1 weights it is Katz's
# 1/a - 1/A + 1/b - 1/B.
profile_log_ratio_var <- function(p1, p0, pp, A, B, wv) {
  (1 - p1) / p1 * wv$s2 / A^2 + (1 - p0) / p0 * wv$t2 / B^2 -
    2 * pp * (1 - pp) * wv$x / (A * B * p1 * p0)
}

profile_hide_derived <- function(out, threshold) {
  few <- !out$suppressed & !is.na(out$n_other) & out$n_other > 0 & out$n_other < threshold
  out[few, c("n_other", "pct_other", "ratio", "lower", "upper", "p_value")] <- NA
  out$flag[few] <- ""
  out$display[few] <- "c"
  out
}

profile_flag <- function(ratio, p, a, alpha, flags) {
  sig <- !is.na(p) & p < alpha & !is.na(ratio)
  out <- rep("", length(ratio))
  out[sig & ratio > 1 & ratio >= flags[1]] <- "higher"
  out[sig & ratio > 1 & ratio >= flags[2]] <- "much higher"
  out[sig & ratio < 1 & ratio <= 1 / flags[1]] <- "lower"
  out[sig & ratio < 1 & ratio <= 1 / flags[2]] <- "much lower"
  out[!is.na(a) & a == 0] <- "n/a"
  out
}

profile_display <- function(ratio, a, b) {
  out <- paste0("x", formatC(ratio, format = "f", digits = 2))
  out[a > 0 & b == 0] <- "only here"
  out[a == 0] <- "n/a"
  out
}

flag_marks <- c("much higher" = "++", "higher" = "+", "lower" = "-", "much lower" = "--")

check_posterior <- function(posterior, n, arg = rlang::caller_arg(posterior),
                            call = rlang::caller_env()) {
  if (!is.matrix(posterior) || !is.numeric(posterior) || nrow(posterior) != n) {
    abort_input(c("{.arg {arg}} must be a numeric matrix with one row per episode ({n}).",
                  i = "Use {.code predict(fit, episodes, type = \"posterior\")}."),
                class = "cscdemand_error_posterior", call = call)
  }
  if (anyNA(posterior) || any(posterior < -1e-8) || any(abs(rowSums(posterior) - 1) > 1e-6)) {
    bad <- which(rowSums(is.na(posterior)) > 0 | abs(rowSums(posterior) - 1) > 1e-6)
    abort_input(c("{.arg {arg}} must hold probabilities that add up to 1 in every row.",
                  x = "Rows {format_rows(bad)} do not."),
                class = "cscdemand_error_posterior", call = call)
  }
  if (is.null(colnames(posterior))) colnames(posterior) <- paste("Class", seq_len(ncol(posterior)))
  posterior
}

#' @rdname class_profile
#' @param x A profile from `class_profile()`.
#' @param ... Unused.
#' @export
print.cscdemand_profile <- function(x, ...) {
  cli::cli_text("{.strong Class profile}: {attr(x, 'n_episodes')} episode{?s}, {nlevels(x$class)} classes, {attr(x, 'method')} assignment.")
  thr <- attr(x, "threshold")
  cli::cli_text("Ratio of the % in the class to the % in the other classes; {if (thr > 0) paste('counts below', thr, 'suppressed') else 'no small-number suppression (not for publication)'}.")
  lab <- paste0(x$variable, ": ", x$level)
  cell <- paste0(x$display, ifelse(x$flag %in% names(flag_marks), paste0(" ", flag_marks[x$flag]), ""))
  rows <- unique(lab)
  m <- matrix("", length(rows), nlevels(x$class), dimnames = list(rows, levels(x$class)))
  m[cbind(match(lab, rows), as.integer(x$class))] <- cell
  print(noquote(m), right = TRUE)
  cli::cli_text("{.emph + significantly higher, ++ also at least x{attr(x, 'flags')[2]} (test at {attr(x, 'alpha')}, {attr(x, 'p_adjust')} adjustment); -/-- lower; n/a: none in the class; c: suppressed.}")
  invisible(x)
}

#' @rdname class_profile
#' @export
plot.cscdemand_profile <- function(x, ...) {
  d <- as.data.frame(unclass(x), stringsAsFactors = FALSE)
  d <- d[!d$suppressed & is.finite(d$ratio), , drop = FALSE]
  key <- function(v, l) paste0(profile_var_label(v), ": ", l)
  d$label <- factor(key(d$variable, d$level), levels = rev(unique(key(x$variable, x$level))))
  d$flag[d$flag == ""] <- "not flagged"
  d$flag <- factor(d$flag, levels = c("much lower", "lower", "not flagged", "higher", "much higher"))
  fl <- attr(x, "flags")
  ggplot2::ggplot(d, ggplot2::aes(x = .data$ratio, y = .data$label, colour = .data$flag)) +
    ggplot2::geom_vline(xintercept = 1, colour = "grey40") +
    ggplot2::geom_vline(xintercept = c(1 / fl, fl), colour = "grey80", linetype = "dashed") +
    ggplot2::geom_errorbarh(ggplot2::aes(xmin = .data$lower, xmax = .data$upper), height = 0,
                            na.rm = TRUE) +
    ggplot2::geom_point() +
    ggplot2::scale_x_log10() +
    ggplot2::scale_colour_manual(values = c("much lower" = "#08519c", "lower" = "#6baed6",
                                            "not flagged" = "grey50", "higher" = "#fb6a4a",
                                            "much higher" = "#a50f15"),
                                 labels = c("much lower" = "significantly lower, x0.5 or less",
                                            "lower" = "significantly lower",
                                            "not flagged" = "not significant",
                                            "higher" = "significantly higher",
                                            "much higher" = "significantly higher, x2 or more"),
                                 drop = FALSE) +
    ggplot2::facet_wrap(ggplot2::vars(.data$class),
                        labeller = ggplot2::as_labeller(function(v) wrap_labels(v, 28))) +
    ggplot2::guides(colour = ggplot2::guide_legend(nrow = 2, byrow = TRUE)) +
    ggplot2::labs(x = "Ratio to the other classes (log scale)", y = NULL, colour = NULL,
                  title = "Characteristics by class") +
    ggplot2::theme_minimal() +
    ggplot2::theme(legend.position = "bottom", strip.text = ggplot2::element_text(lineheight = 0.9))
}

#' @rdname class_profile
#' @param object A profile from `class_profile()`.
#' @return `summary()`: a data frame of class `summary.cscdemand_profile`, one
#'   row per flagged characteristic (class, `direction` "higher"/"lower",
#'   `strength` "much" (at least twice, or at most half, as likely) or "",
#'   `characteristic`,
#'   `ratio`, `display`), strongest first within each class; its print method
#'   lists them per class, as in the Leicestershire report.
#' @export
summary.cscdemand_profile <- function(object, ...) {
  x <- as.data.frame(unclass(object), stringsAsFactors = FALSE)
  x <- x[x$flag %in% names(flag_marks), , drop = FALSE]
  out <- data.frame(
    class = factor(as.character(x$class), levels = levels(object$class)),
    direction = ifelse(grepl("higher", x$flag), "higher", "lower"),
    strength = ifelse(startsWith(x$flag, "much"), "much", ""),
    characteristic = paste0(x$variable, ": ", x$level),
    ratio = x$ratio, display = x$display, stringsAsFactors = FALSE
  )
  out <- out[order(out$class, out$direction, -abs(log(out$ratio))), , drop = FALSE]
  rownames(out) <- NULL
  structure(out, class = c("summary.cscdemand_profile", "data.frame"),
            classes = levels(object$class))
}

#' @export
print.summary.cscdemand_profile <- function(x, ...) {
  for (k in attr(x, "classes")) {
    cli::cli_text("{.strong {k}}")
    rows <- x[as.character(x$class) == k, , drop = FALSE]
    if (!nrow(rows)) {
      cli::cli_bullets(c(" " = "No characteristic flagged."))
      next
    }
    for (dir in c("higher", "lower")) {
      r <- rows[rows$direction == dir, , drop = FALSE]
      if (!nrow(r)) next
      items <- paste0(r$characteristic, " (", r$display,
                      ifelse(r$strength == "much", paste0(", much ", dir), ""), ")")
      cli::cli_bullets(c("*" = paste0("More likely: " [dir == "higher"], "Less likely: " [dir == "lower"],
                                       paste(items, collapse = "; "))))
    }
  }
  invisible(x)
}
