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
#'   over every published row of the profile (every class, characteristic and
#'   level whose ratio is shown);
#' * `flag`: `"higher"` when `p_value < alpha` and `ratio > 1` (and at least
#'   `flags[1]`, 1 by default: no size cut-off), `"much higher"` when also
#'   `ratio >= flags[2]`, and the mirror images (`ratio < 1`, at most
#'   `1/flags[1]`, `1/flags[2]`) `"lower"` and `"much lower"`; `"n/a"` when
#'   the class has no episodes at the level (`a = 0`); `""` otherwise.
#'
#' With modal assignment (a class column), the test is a valid test of "no
#' association between the characteristic and the class": if the
#' characteristic is unrelated to the true class it is unrelated to the
#' modal class too. Misclassified episodes pull the classes together
#' (checked by simulation in the tests, for data simulated from a latent
#' class model), so the ratios tend to be understated.
#'
#' Missing values of a characteristic are a level of their own, `"Missing"`,
#' counted and profiled like any other. A 0/1 or logical characteristic (an
#' outcome flag) is reported by its "yes" level (and `"Missing"` if any)
#' unless `binary = "both"`.
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
#' sides. With 0/1 weights both reduce to the formulas above. This variance
#' is smaller than the binomial one with the expected counts as sizes
#' (\eqn{p_1(1-p_1)/A + p_0(1-p_0)/B}): an episode shared between the class
#' and the others adds to both percentages, so they move together. It is
#' exact under no association given the weights, which are functions of the
#' factors alone (a characteristic unrelated to the classes is unrelated to
#' them); classification uncertainty shows as a smaller difference (less
#' power), not as a larger variance under no association. The tests check by
#' simulation, with the posteriors of a fitted model, that the test holds its
#' level under no association and detects a known difference, and that the
#' binomial variance would make it conservative.
#' Proportional assignment, like modal assignment, pulls the classes together
#' when classification is uncertain; for bias-corrected estimates use
#' [class_outcome()].
#'
#' @section Small numbers:
#' A ratio, percentage or test is worked out from counts, so it is published
#' exactly when the counts it comes from are. For each characteristic the
#' profile uses the suppression of the table of counts of that
#' characteristic by class, [class_crosstab()] with the same `class` or
#' `posterior` and `threshold`: the same levels and the same suppressed
#' cells, one suppression for both, so that the ratios neither give back a
#' cell the table hides nor hide one it shows. In that table every count from
#' 1 to `threshold - 1` is suppressed (primary suppression; true zeros are
#' shown, as in DfE practice), and more cells (secondary suppression) until
#' no suppressed cell can be recovered from the row and column totals, which
#' are published, nor pinned by them to a range narrower than `threshold`
#' (see [suppress_small()], "Rules"). A class that the table counts together
#' with others (`"Other categories"`) has all its cells suppressed here. A
#' class with fewer episodes than `threshold` (and one more class,
#' since the class totals add up to the number of episodes) has its totals
#' `n_class` and `n_other_class` and all its cells suppressed, since a count
#' over its percentage would give the total back.
#' A suppressed cell has `n`, percentages, ratio, interval and test
#' set to `NA`, `flag` `"suppressed"` and `display` `"c"`. Where the table
#' hides a level's total, the count of the other classes at the level
#' (`n_other`) is not published, so the ratio, its interval and test,
#' `n_other` and `pct_other` are `NA` and `display` is `"c"` too. Levels with
#' no episode are left out, and levels are merged as the table merges them
#' (attribute `merged` lists the original levels counted in a merged level,
#' attribute `notes` the table's sentence about it). The adjustment for
#' multiple comparisons is over the published tests. Set `threshold = 0` for
#' unsuppressed figures (not for publication).
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
#' @param crosstabs Optional named list of tables from [class_crosstab()]
#'   (with the same `posterior` and `threshold`), one per variable of `vars`
#'   it names, such as the outcome tables of [pathway_tables()]: the profile
#'   counts and hides those variables as these tables do, so that a ratio
#'   gives back nothing that a table suppressed jointly with others hides. A
#'   0/1 variable's table has levels "no" and "yes".
#' @return A data frame of class `cscdemand_profile`, one row per
#'   characteristic, level and class, with columns `variable`, `level`,
#'   `class`, `n`, `n_class`, `pct`, `n_other`, `n_other_class`, `pct_other`,
#'   `ratio`, `lower`, `upper`, `p_value`, `flag`, `display` (the ratio as
#'   printed, e.g. `"x2.10"`, `"n/a"`, `"c"`), `suppressed`, and the counts
#'   as the table of counts prints them (rounded to whole episodes so that a
#'   category's cells add up to its total): `n_printed`, `n_class_printed`,
#'   `n_other_printed` and `n_other_class_printed`, and the cell's percentage
#'   as printed, `pct_printed`, from which sentences take their percentages. It has
#'   `print()` (a grid of ratios) and `plot()` (a dot chart of ratios on a log
#'   axis) methods. Its attribute `n_tests` is the number of tests in the
#'   adjustment: the two levels of a two-level characteristic (gender, or a
#'   0/1 characteristic with `binary = "both"`) test the same two-by-two
#'   table, so they count once and share one adjusted p-value.
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
                          threshold = 10, crosstabs = NULL) {
  check_episodes(episodes)
  binary <- rlang::arg_match(binary)
  profile_check_crosstabs(crosstabs)
  p_adjust <- rlang::arg_match(p_adjust, stats::p.adjust.methods)
  profile_check_args(episodes, vars, level, alpha, threshold, flags, crosstabs)
  m <- profile_membership(episodes, class, vars, posterior, threshold)
  z <- stats::qnorm(1 - (1 - level) / 2)
  hidden_classes <- hidden_totals(colSums(m$membership), threshold)
  rows <- lapply(vars, function(v) {
    given <- crosstabs[[v]]
    tab <- if (is.null(given)) m$crosstab else function(y, v) {
      profile_given_crosstab(given, y, v, m$membership, threshold, m$method)
    }
    profile_variable(v, episodes = m$episodes, membership = m$membership, binary = binary,
                     threshold = threshold, z = z, hidden_classes = hidden_classes, crosstab = tab)
  })
  merged <- stats::setNames(lapply(rows, attr, "merged"), vars)
  notes <- stats::setNames(lapply(rows, attr, "note"), vars)
  out <- profile_publish(rows, colnames(m$membership), hidden_classes, p_adjust, alpha, flags)
  new_cscdemand_profile(out$rows, method = m$method, level = level, alpha = alpha, flags = flags,
                        p_adjust = p_adjust, n_tests = out$n_tests, threshold = threshold,
                        n_episodes = nrow(m$episodes), merged = merged, notes = notes)
}

# Validation, stage 1: `crosstabs` is NULL or a named list of class_crosstab() tables.
profile_check_crosstabs <- function(crosstabs, call = rlang::caller_env()) {
  if (!is.null(crosstabs) && (!is.list(crosstabs) || is.null(names(crosstabs)) ||
                              !all(vapply(crosstabs, inherits, logical(1), "cscdemand_crosstab")))) {
    abort_input(c("{.arg crosstabs} must be a named list of tables from {.fn class_crosstab}.",
                  i = "Name each table by its variable, for example {.code list(s47 = tab)}."),
                class = "cscdemand_error_input", call = call)
  }
}

# Validation, stage 2: the numbers, the characteristics' columns, and a
# table in `crosstabs` for each named variable only.
profile_check_args <- function(episodes, vars, level, alpha, threshold, flags, crosstabs,
                               call = rlang::caller_env()) {
  check_number(level, min = 0.5, max = 0.9999, call = call)
  check_number(alpha, min = 0, max = 1, call = call)
  check_threshold(threshold, call = call)
  if (!is.numeric(flags) || length(flags) != 2L || anyNA(flags) || flags[1] < 1 || flags[2] < flags[1]) {
    abort_input(c("{.arg flags} must be two ratios, the second at least the first, both at least 1.",
                  x = "You supplied {.val {format(flags)}}."), call = call)
  }
  check_column(episodes, vars, multiple = TRUE, call = call)
  unknown_tabs <- setdiff(names(crosstabs), vars)
  if (length(unknown_tabs)) {
    abort_input(c("{.arg crosstabs} names {cli::qty(unknown_tabs)}{?a table/tables} for {?a variable/variables} not in {.arg vars}: {.val {unknown_tabs}}.",
                  i = "Name each table by one of {.arg vars}: {.val {vars}} (a table of {.fn pathway_tables} named {.val outcome_s47} goes in as {.code s47 = })."),
                class = "cscdemand_error_input", call = call)
  }
}

# Each episode's membership of each class: 0/1 from the class column (modal
# assignment; episodes with no class dropped, with a warning) or the
# posterior probabilities (proportional assignment). Returns the episodes
# kept, `membership` (episodes x classes), `method`, and `crosstab`, the
# function that tables a characteristic `y` (named `v`) by class the same way.
profile_membership <- function(episodes, class, vars, posterior, threshold, call = rlang::caller_env()) {
  if (is.null(posterior)) {
    check_column(episodes, class, call = call)
    if (class %in% vars) {
      abort_input(c("The class column {.field {class}} is also in {.arg vars}.",
                    i = "Drop it from {.arg vars}."), class = "cscdemand_error_column", call = call)
    }
    kept <- drop_missing_class(episodes, class_factor(episodes, class, call = call), class)
    modal_class <- kept$class
    membership <- indicator_matrix(modal_class)
    method <- "modal"
    crosstab <- function(y, v) {
      class_crosstab(data.frame(.class = modal_class, .level = y), class = ".class", var = ".level",
                     threshold = threshold, label = profile_var_label(v))
    }
    episodes <- kept$episodes
  } else {
    membership <- check_posterior(posterior, nrow(episodes), call = call)
    method <- "proportional"
    crosstab <- function(y, v) {
      class_crosstab(data.frame(.level = y), var = ".level", posterior = membership, threshold = threshold,
                     label = profile_var_label(v))
    }
  }
  if (ncol(membership) < 2L) {
    abort_input(c("A profile compares each class with the others, but there is only one class ({.val {colnames(membership)}}).",
                  i = "Profile a model with at least 2 classes."), class = "cscdemand_error_class", call = call)
  }
  list(episodes = episodes, membership = membership, method = method, crosstab = crosstab)
}

# Suppression and adjustment over the whole profile: the characteristics'
# rows bound together, suppressed cells blanked, the totals of classes too
# small to publish blanked, derived figures of hidden level totals hidden,
# p-values adjusted over the published tests, and the flags.
profile_publish <- function(rows, classes, hidden_classes, p_adjust, alpha, flags) {
  rows <- lapply(rows, function(r) `attr<-`(`attr<-`(r, "merged", NULL), "note", NULL))
  out <- do.call(rbind, rows)
  out <- out[c(setdiff(names(out), c("display", "suppressed")), "display", "suppressed")]
  suppressed <- out$suppressed
  out[suppressed, c("n", "pct", "n_other", "pct_other", "ratio", "lower", "upper", "p_value",
                    "n_printed", "n_other_printed", "pct_printed")] <- NA
  out[out$class %in% classes[hidden_classes], c("n_class", "n_other_class", "n_class_printed",
                                                "n_other_class_printed")] <- NA
  out$display[suppressed] <- "c"
  out <- profile_hide_derived(out)
  out$total_hidden <- NULL
  adjusted <- profile_adjust_p(out, p_adjust)
  out$p_value <- adjusted$p_value
  out$flag <- profile_flag(out$ratio, out$p_value, out$n, alpha, flags)
  out$flag[suppressed] <- "suppressed"
  out$class <- factor(out$class, levels = classes)
  rownames(out) <- NULL
  list(rows = out, n_tests = adjusted$n_tests)
}

# The adjustment for multiple comparisons (Holm's by default) is over the
# tests the profile publishes (a hidden cell's test is not reported), so a
# reader can repeat it from the p-values shown; the two levels of a
# two-level characteristic are one test, counted once (`n_tests`).
profile_adjust_p <- function(out, p_adjust) {
  same <- profile_same_test(out)
  once <- !is.na(out$p_value) & is.na(same)
  p_value <- out$p_value
  p_value[once] <- stats::p.adjust(p_value[once], p_adjust)
  p_value[!is.na(same)] <- p_value[same[!is.na(same)]]
  list(p_value = p_value, n_tests = sum(once))
}

new_cscdemand_profile <- function(rows, method, level, alpha, flags, p_adjust, n_tests, threshold,
                                  n_episodes, merged, notes) {
  structure(rows, class = c("cscdemand_profile", "data.frame"),
            method = method, level = level, alpha = alpha, flags = flags, p_adjust = p_adjust,
            n_tests = n_tests,
            threshold = threshold, n_episodes = n_episodes,
            merged = merged[lengths(merged) > 0], notes = unlist(notes))
}

# One characteristic's rows of the profile. Its counts and their
# suppression are those of the table of counts of the same characteristic
# by class (class_crosstab(), through `crosstab`): the same levels (residual
# and sparse levels merged as there), the same suppressed cells. A ratio,
# percentage or test is computed from the class's count, the level's total
# and the class totals, so it is published exactly when those counts are:
# hidden with its cell, and hidden across the row when the level's total is.
# A class that the table pools with others ("Other categories") has no cell
# of its own there, so its ratios are hidden too.
profile_variable <- function(v, episodes, membership, binary, threshold, z, hidden_classes, crosstab) {
  x <- episodes[[v]]
  y <- profile_levels(x, v)
  ct <- crosstab(y, v)
  classes <- colnames(membership)
  counts <- profile_crosstab_counts(ct, classes)
  hidden <- profile_crosstab_hidden(ct, rownames(counts), classes)
  hidden[, hidden_classes] <- TRUE
  # a table that shows its not-known row in the total column only prints the
  # other rows as rounded percentages of the known episodes, checked so that
  # they do not pin a category's not-known count; a ratio, to two decimals,
  # with the categories' totals that every table prints, pins it to a few
  # episodes (a reader worked out 14 unknown genders by category, each within
  # 1 to 5): such a characteristic's ratios are not published
  known_only <- length(attr(ct, "residual_total")) > 0L
  if (known_only) hidden[] <- TRUE
  out <- profile_cells(v, counts, membership, z)
  out$suppressed <- as.vector(hidden)
  out$total_hidden <- rep(attr(hidden, "total_hidden"), ncol(counts))
  out[c("n_printed", "n_class_printed", "n_other_printed", "n_other_class_printed", "pct_printed")] <-
    crosstab_printed_counts(ct, rownames(counts), classes)
  if (is_binary_var(x) && binary == "one") out <- out[out$level != "no", , drop = FALSE]
  attr(out, "merged") <- setdiff(levels(crosstab_levels(y, residual_unknown)), rownames(counts))
  attr(out, "note") <- paste(c(attr(ct, "note"), if (known_only)
    paste0("Its likelihood ratios are not shown: with the categories' totals they would give back the ",
           tolower(and_list(attr(ct, "residual_total"))), " episodes of each category.")), collapse = " ")
  if (!nzchar(attr(out, "note"))) attr(out, "note") <- NULL
  out
}

# A characteristic as the profile counts it: at least two levels (fewer is
# an error, more than 50 a warning), a 0/1 or logical one as "no"/"yes".
profile_levels <- function(x, v, call = rlang::caller_env()) {
  f <- characteristic_factor(x)
  if (nlevels(f) < 2L) {
    abort_input(c("Characteristic {.field {v}} has only one level ({.val {levels(f)}}), so it cannot differ between classes.",
                  i = "Drop {.field {v}} from {.arg vars}."),
                class = "cscdemand_error_one_level", call = call)
  }
  if (nlevels(f) > 50L) {
    warn_cscdemand(c("Characteristic {.field {v}} has {nlevels(f)} levels; each is profiled separately.",
                     i = "Group it first (e.g. age in years into age groups)."),
                   class = "cscdemand_warning_levels")
  }
  if (!is_binary_var(x)) return(x)
  factor(ifelse(is.na(x), NA, ifelse(as.character(x) %in% c("1", "TRUE"), "yes", "no")),
         levels = c("no", "yes"))
}

# The cells of one characteristic, a row per level and class (levels
# fastest): `n` of the class's `n_class` episodes at the level, `n_other` of
# the other classes' `n_other_class`, their percentages, the ratio of the
# two shares with its interval, the test, and the ratio as printed.
profile_cells <- function(v, counts, membership, z) {
  n_class_total <- colSums(counts)
  n_level <- rowSums(counts)
  n_total <- sum(n_class_total)
  cells <- expand.grid(level = rownames(counts), class = colnames(membership), stringsAsFactors = FALSE)
  n <- as.vector(counts)
  n_class <- rep(n_class_total, each = nrow(counts))
  n_other <- rep(n_level, ncol(counts)) - n
  n_other_class <- n_total - n_class
  out <- data.frame(variable = v, cells, n = n, n_class = n_class, pct = 100 * n / n_class,
                    n_other = n_other, n_other_class = n_other_class,
                    pct_other = 100 * n_other / n_other_class, stringsAsFactors = FALSE)
  p_class <- n / n_class
  p_other <- n_other / n_other_class
  p_pooled <- (n + n_other) / (n_class + n_other_class)
  weight_sums <- profile_weight_sums(membership, nrow(counts))
  out[c("ratio", "lower", "upper")] <- profile_katz_interval(n, n_other, p_class, p_other, p_pooled,
                                                             n_class, n_other_class, weight_sums, z)
  out$p_value <- profile_z_test(p_class, p_other, p_pooled, weight_sums)
  out$display <- profile_display(out$ratio, n, n_other)
  out
}

# The ratio of the class's share to the other classes' (NA with none in the
# class) and its interval on the log scale, Katz's with 0/1 weights (the
# standard error of profile_log_ratio_var()); no interval when either count
# is 0.
profile_katz_interval <- function(n, n_other, p_class, p_other, p_pooled, n_class, n_other_class,
                                  weight_sums, z) {
  se <- sqrt(pmax(profile_log_ratio_var(p_class, p_other, p_pooled, n_class, n_other_class, weight_sums), 0))
  ok <- n > 0 & n_other > 0 & se > 0
  list(ratio = ifelse(n > 0, p_class / p_other, NA_real_),
       lower = ifelse(ok, exp(log(p_class / p_other) - z * se), NA_real_),
       upper = ifelse(ok, exp(log(p_class / p_other) + z * se), NA_real_))
}

# Two-sided z test of "the same share in the class as in the others", with
# the pooled share's variance carried by the weights (profile_weight_sums());
# NA when the level holds no episode or every episode.
profile_z_test <- function(p_class, p_other, p_pooled, weight_sums) {
  z_stat <- (p_class - p_other) / sqrt(p_pooled * (1 - p_pooled) * weight_sums$c2)
  ifelse(p_pooled > 0 & p_pooled < 1 & weight_sums$c2 > 0, 2 * stats::pnorm(-abs(z_stat)), NA_real_)
}

# A table given for a variable (class_profile(crosstabs =)) must count the
# levels the profile counts, of the same episodes, with the same weights
# (`membership`: each level's total is its number of episodes, each category's total
# the category's weight) and the same threshold and method: otherwise its
# hidden cells are not those of the profile's own counts.
profile_given_crosstab <- function(ct, y, v, membership, threshold, method) {
  lv <- levels(crosstab_levels(y, residual_unknown))
  got <- rownames(attr(ct, "expected"))
  if (is.null(got) || !all(got %in% lv)) {
    abort_input(c("The table given in {.arg crosstabs} for {.field {v}} does not count its levels.",
                  x = "It has rows {.val {got}}; {.field {v}} has levels {.val {lv}}.",
                  i = "Give the table of {.field {v}} by category (a 0/1 variable as \"no\" and \"yes\")."),
                class = "cscdemand_error_input")
  }
  thr <- attr(ct, "threshold")
  if (!is.numeric(thr) || length(thr) != 1L || !isTRUE(all.equal(thr, threshold))) {
    abort_input(c("The table given in {.arg crosstabs} for {.field {v}} was suppressed with another threshold.",
                  x = "It used {.val {format(thr)}}; the profile uses {.val {threshold}}.",
                  i = "Build the table with {.code threshold = {threshold}}, as the profile."),
                class = "cscdemand_error_input")
  }
  if (!identical(attr(ct, "method"), method)) {
    abort_input(c("The table given in {.arg crosstabs} for {.field {v}} counts the categories another way.",
                  x = "It is {.val {format(attr(ct, 'method'))}}; the profile is {.val {method}}.",
                  i = "Build it with the profile's {.arg posterior} (or, without one, its class column)."),
                class = "cscdemand_error_input")
  }
  e <- attr(ct, "expected")
  yl <- as.character(crosstab_levels(y, residual_unknown))
  n_level <- table(factor(yl, levels = got))
  # a table that shows a small not-known row in its total only counts the
  # other levels by category
  w_class <- colSums(membership[yl %in% got, , drop = FALSE])
  same <- all(colnames(e) %in% names(w_class)) &&
    isTRUE(all.equal(unname(rowSums(e)), as.vector(n_level), tolerance = 1e-6)) &&
    isTRUE(all.equal(unname(colSums(e)), unname(w_class[colnames(e)]), tolerance = 1e-6)) &&
    all(abs(w_class[setdiff(names(w_class), colnames(e))]) < 1e-6)
  if (!same) {
    abort_input(c("The table given in {.arg crosstabs} for {.field {v}} does not count the profile's episodes with its weights.",
                  x = "Its levels' or categories' totals differ from those of {.field {v}} with the profile's {.arg posterior}.",
                  i = "Build it from the same episodes and {.arg posterior}, as {.fn pathway_tables} does for the report."),
                class = "cscdemand_error_input")
  }
  ct
}

# The unrounded counts of a crosstab's published rows, one column per class
# (a class with no episode at all, left out by the table, has zeros).
profile_crosstab_counts <- function(ct, classes) {
  e <- attr(ct, "expected")
  cnt <- matrix(0, nrow(e), length(classes), dimnames = list(rownames(e), classes))
  have <- intersect(classes, colnames(e))
  cnt[, have] <- e[, have, drop = FALSE]
  cnt
}

# The crosstab's suppressed cells for each level and class: a class the
# table does not show on its own (pooled, or with no episode) is hidden.
# Attribute `total_hidden`: the levels whose total the table hides.
profile_crosstab_hidden <- function(ct, levels, classes) {
  s <- attr(ct, "suppressed")
  hid <- matrix(TRUE, length(levels), length(classes), dimnames = list(levels, classes))
  have <- intersect(classes, colnames(s))
  hid[, have] <- s[levels, have, drop = FALSE]
  structure(hid, total_hidden = unname(s[levels, ncol(s)]))
}

# Sums of the weights that the variances need, per class (recycled over the
# `n_levels` levels): with w an episode's weight for the class (its posterior
# probability, or 0/1 with a class column), n_class = sum w (A in the
# formulas of ?class_profile), n_other_class = sum (1 - w) (B),
# s2 = sum w^2, t2 = sum (1 - w)^2, x = sum w (1 - w); and c2 = sum c_i^2
# where c_i = w_i / A - (1 - w_i) / B, so that p1 - p0 = sum c_i (y_i - p)
# under "no association" (y independent of the weights, variance p(1 - p)).
# With 0/1 weights c2 = 1/A + 1/B (the pooled two-proportion test).
profile_weight_sums <- function(membership, n_levels) {
  n_class <- colSums(membership)
  n_other_class <- nrow(membership) - n_class
  s2 <- colSums(membership^2)
  t2 <- nrow(membership) - 2 * n_class + s2
  x <- n_class - s2
  per_level <- function(v) rep(v, each = n_levels)
  list(s2 = per_level(s2), t2 = per_level(t2), x = per_level(x),
       c2 = per_level(s2 / n_class^2 + t2 / n_other_class^2 - 2 * x / (n_class * n_other_class)))
}

# Variance of log(p_class / p_other) by the delta method with the weights
# (Kish's effective sizes A^2/s2 and B^2/t2, and the covariance of the two
# shares from episodes that count towards both). With 0/1 weights it is
# Katz's 1/a - 1/A + 1/b - 1/B.
profile_log_ratio_var <- function(p_class, p_other, p_pooled, n_class, n_other_class, weight_sums) {
  (1 - p_class) / p_class * weight_sums$s2 / n_class^2 +
    (1 - p_other) / p_other * weight_sums$t2 / n_other_class^2 -
    2 * p_pooled * (1 - p_pooled) * weight_sums$x / (n_class * n_other_class * p_class * p_other)
}

# Where the table of counts hides a level's total, the other classes' count
# at the level (the total less the class's count) is not published: the
# ratio, its interval and test, and the other classes' percentage would give
# it back, so they are hidden, though the class's count shows.
profile_hide_derived <- function(out) {
  few <- !out$suppressed & out$total_hidden
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

#' @rdname class_profile
#' @param x A profile from `class_profile()`.
#' @param ... Unused.
#' @export
print.cscdemand_profile <- function(x, ...) {
  # rows taken out of a profile keep its class but not its settings
  if (is.null(attr(x, "threshold"))) {
    cli::cli_text("{.strong Rows of a class profile}: {nrow(x)} row{?s}, {nlevels(x$class)} classes.")
  } else {
    cli::cli_text("{.strong Class profile}: {attr(x, 'n_episodes')} episode{?s}, {nlevels(x$class)} classes, {attr(x, 'method')} assignment.")
    thr <- attr(x, "threshold")
    cli::cli_text("Ratio of the % in the class to the % in the other classes; {if (thr > 0) paste('counts below', thr, 'suppressed') else 'no small-number suppression (not for publication)'}.")
  }
  lab <- paste0(x$variable, ": ", x$level)
  cell <- paste0(x$display, ifelse(x$flag %in% names(flag_marks), paste0(" ", flag_marks[x$flag]), ""))
  rows <- unique(lab)
  m <- matrix("", length(rows), nlevels(x$class), dimnames = list(rows, levels(x$class)))
  m[cbind(match(lab, rows), as.integer(x$class))] <- cell
  print(noquote(m), right = TRUE)
  if (is.null(attr(x, "flags"))) {
    cli::cli_text("{.emph + significantly higher, ++ much higher; -/-- lower; n/a: none in the class; c: suppressed.}")
  } else {
    cli::cli_text("{.emph + significantly higher, ++ also at least x{attr(x, 'flags')[2]} (test at {attr(x, 'alpha')}, {attr(x, 'p_adjust')} adjustment); -/-- lower; n/a: none in the class; c: suppressed.}")
  }
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

# For each row whose test repeats another row's, that row (else NA): in a
# characteristic with two levels, "A in this class against the others" and
# "B in this class against the others" compare the same two-by-two table
# (B is not-A), so they have one p-value and are one test of the family.
# The repeat is the second level's row, when the first level's test is shown.
profile_same_test <- function(out) {
  n_lev <- tapply(as.character(out$level), out$variable, function(l) length(unique(l)))
  two <- out$variable %in% names(n_lev)[n_lev == 2L] & !is.na(out$p_value)
  key <- paste(out$variable, out$class, sep = "\r")
  first <- match(key, key[two])  # the first shown level of the pair, as an index into `two`
  src <- which(two)[first]
  same <- ifelse(two & src != seq_along(key), src, NA_integer_)
  as.integer(same)
}

