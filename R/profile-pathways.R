#' What happens after assessment: repeat plans, plan lengths, conferences
#'
#' The measures of an episode's pathway that the CIN census return holds
#' beyond the highest threshold, as factors ready for tables by category
#' ([class_crosstab()], [class_pathways()]). Each is `NA` for the episodes
#' outside its base, so a table of it counts only those:
#'
#' * `cp_plan_repeat`: child protection plans that are a second or
#'   subsequent plan for the child, as DfE counts them in table D3 (base:
#'   episodes with a plan whose status is known; from `repeat_cp_plan`);
#' * `cp_plan_length` and `cin_plan_length`: the length of child protection
#'   and CIN plans that have ended, in DfE's bands (under 3 months, 3 to 6
#'   months, 6 months to a year, 1 to 2 years, 2 years or more, counted as
#'   91, 182, 365 and 730 days; from `cp_plan_days` and `cin_plan_days`),
#'   and `"Not yet ended"` for a plan (`cp_plan` or `cin_plan` 1) with no
#'   end by the last return, so that a table's totals are all the plans, as
#'   in the other tables of plans (the plans not yet ended cannot then be
#'   found by subtracting the ended plans from the plans another table
#'   prints: the suppression of the one table sees them); with `class`,
#'   plans not yet ended that are fewer than `threshold` in some category
#'   are counted with the longest band ("6 months or more, or not yet
#'   ended") instead of a row of their own, whose hidden cells would hide
#'   most of a large row;
#' * `icpc_timeliness`: initial child protection conferences held within 15
#'   working days of the start of the section 47 enquiry (from
#'   `icpc_timely`);
#' * from 2026-27 returns: `pre_proceedings` (base: episodes in a return
#'   that collects the module), `fgdm_offered`, `fgdm_held` and
#'   `court_application` (base: episodes in pre-proceedings).
#'
#' A measure whose column is absent, or missing for every episode, is left
#' out: the data do not hold it.
#'
#' @param episodes An episode table from [episode_factors()] (or any data
#'   frame with the columns named above).
#' @param class Optional: the name of a column of `episodes` holding each
#'   episode's category. When given, a plan-length band at either end that
#'   holds fewer than `threshold` episodes (but some) in any category is
#'   merged with its neighbour ("6 months or more", "Under 6 months"), so a
#'   table by category needs no complementary suppression from a large
#'   band. The merge is written into the levels, so a table says it.
#' @param threshold The suppression threshold used with `class`.
#' @return A data frame with one factor column per measure the data hold
#'   (possibly none), one row per episode, and attributes `titles` (a plain
#'   English title per measure) and `headings` (a heading for the column of
#'   levels in a table).
#' @family profiling
#' @export
#' @examples
#' ep <- episode_factors(cin_example)
#' pm <- pathway_measures(ep)
#' names(pm)
#' table(pm$cp_plan_length)
#' fit <- lca(ep, k = 3, seed = 1)
#' ep$category <- predict(fit, ep)
#' table(pathway_measures(ep, class = "category")$cp_plan_length)
pathway_measures <- function(episodes, class = NULL, threshold = 10) {
  check_episodes(episodes)
  if (!is.null(class)) {
    check_string(class)
    check_threshold(threshold)
    if (!class %in% names(episodes)) {
      abort_input(c("Column {.field {class}} is not in the episode table.",
                    i = "Give the name of the column that holds each episode's category."),
                  class = "cscdemand_error_column")
    }
  }
  defs <- pathway_measure_defs()
  out <- list()
  for (nm in names(defs)) {
    src <- defs[[nm]]$column
    if (!src %in% names(episodes)) next
    v <- episodes[[src]]
    if (!is.numeric(v) && !is.logical(v)) {
      abort_input(c("Column {.field {src}} must be numeric.",
                    x = "It is {.obj_type_friendly {v}}.",
                    i = "Read the extract with {.fn read_cin_assessments}, which derives it."),
                  class = "cscdemand_error_column")
    }
    if (all(is.na(v))) next
    out[[nm]] <- defs[[nm]]$make(as.numeric(v))
    if (!is.null(class) && !is.null(defs[[nm]]$lower)) {
      ok <- !is.na(out[[nm]])
      merged <- merge_sparse_bands(out[[nm]][ok], episodes[[class]][ok], threshold, defs[[nm]]$lower)
      out[[nm]] <- factor(rep(NA_character_, length(ok)), levels = levels(merged))
      out[[nm]][ok] <- merged
    }
    out[[nm]] <- pathway_open_plans(out[[nm]], episodes[[defs[[nm]]$open %||% ""]],
                                    if (!is.null(class)) episodes[[class]], threshold)
  }
  titles <- vapply(defs[names(out)], `[[`, "", "title")
  headings <- vapply(defs[names(out)], `[[`, "", "heading")
  structure(as.data.frame(out, stringsAsFactors = FALSE), names = names(out),
            row.names = seq_len(nrow(episodes)), titles = titles, headings = headings)
}

# Plans not yet ended by the last return: a row of their own in the table of
# plan lengths, so its totals are all the plans of each category, as in the
# other tables of plans. Without it, the plans that had ended, subtracted
# from the plans another table prints, would give the plans not yet ended,
# however few. `open` is the 0/1 flag of having a plan (cp_plan, cin_plan);
# absent, the lengths are of ended plans only. With the categories `cls`,
# plans not yet ended that are fewer than `threshold` (but some) in any
# category are counted with the longest plans ("6 months or more, or not yet
# ended"): a row of their own would need every cell hidden, and, its total
# being under twice the threshold, complementary cells that hide most of a
# large row (no split of the categories into groups whose hidden cells each
# add up to the threshold exists).
pathway_open_plans <- function(len, open, cls = NULL, threshold = 10) {
  if (is.null(open)) return(len)
  still <- !is.na(open) & open == 1 & is.na(len)
  if (!any(still)) return(len)
  n <- if (!is.null(cls)) table(cls[still]) else integer()
  held <- levels(len)[levels(len) %in% len]
  if (length(held) && any(n > 0 & n < threshold)) {
    top <- held[length(held)]
    lv <- levels(len)
    lv[lv == top] <- paste0(top, ", or ", tolower(pathway_open_label))
    out <- factor(as.character(len), levels = levels(len), labels = lv)
    out[still] <- lv[levels(len) == top]
    return(droplevels(out))
  }
  lv <- c(levels(len), pathway_open_label)
  out <- factor(as.character(len), levels = lv)
  out[still] <- pathway_open_label
  out
}

pathway_open_label <- "Not yet ended"

# The measures: source column, title and how values become levels.
pathway_measure_defs <- function() {
  yes_no <- function(yes, no) {
    function(v) factor(ifelse(is.na(v), NA, ifelse(v == 1, yes, no)), levels = c(no, yes))
  }
  length_bands <- function(v) {
    lv <- c("Under 3 months", "3 to under 6 months", "6 months to under 1 year",
            "1 to under 2 years", "2 years or more")
    factor(lv[findInterval(v, c(0, 91, 182, 365, 730))], levels = lv)
  }
  band_lower <- c("", "3 months", "6 months", "1 year", "2 years")
  list(
    cp_plan_repeat = list(column = "repeat_cp_plan", title = "Child protection plans: first plans and second or subsequent plans",
                          heading = "Plan", make = yes_no("Second or subsequent plan", "First plan")),
    cp_plan_length = list(column = "cp_plan_days", title = "Length of child protection plans (ended, or not yet ended at the last return)",
                          heading = "Length of plan", make = length_bands, lower = band_lower, open = "cp_plan"),
    cin_plan_length = list(column = "cin_plan_days", title = "Length of child in need plans at any step (ended, or not yet ended at the last return)",
                           heading = "Length of plan", make = length_bands, lower = band_lower, open = "cin_plan"),
    icpc_timeliness = list(column = "icpc_timely", title = "Initial child protection conferences: held within 15 working days of the section 47 enquiry",
                           heading = "Conference held", make = yes_no("Within 15 working days", "Later")),
    pre_proceedings = list(column = "pre_proceedings", title = "Pre-proceedings (from 2026-27 returns)",
                           heading = "Pre-proceedings", make = yes_no("Pre-proceedings", "No pre-proceedings")),
    fgdm_offered = list(column = "fgdm_offered", title = "Pre-proceedings: family group decision-making meeting offered",
                        heading = "Meeting", make = yes_no("Offered", "Not offered")),
    fgdm_held = list(column = "fgdm_held", title = "Pre-proceedings: family group decision-making meeting held",
                     heading = "Meeting", make = yes_no("Held", "Not held")),
    court_application = list(column = "court_application", title = "Pre-proceedings: application to court",
                             heading = "Application to court", make = yes_no("Made", "Not made"))
  )
}

# Ordered bands (plan lengths) whose first or last band holds a count under
# the threshold in some class are merged with their neighbour ("6 months or
# more", "Under 6 months") before suppression: hiding a small band's cells
# would otherwise take complementary cells from a large neighbouring band.
# `lower` names each band's lower bound. Empty bands at either end go first.
merge_sparse_bands <- function(v, cls, threshold, lower) {
  # only the bands are merged: other levels ("Not yet ended") stay as they are
  if (nlevels(v) > length(lower)) {
    band <- as.character(v) %in% levels(v)[seq_along(lower)]
    mb <- merge_sparse_bands(factor(as.character(v[band]), levels = levels(v)[seq_along(lower)]),
                             cls[band], threshold, lower)
    out <- factor(as.character(v), levels = c(levels(mb), levels(v)[-seq_along(lower)]))
    out[band] <- mb
    return(droplevels(out))
  }
  lv <- levels(v)
  tab <- table(cls, factor(as.character(v), levels = lv))
  held <- which(colSums(tab) > 0)
  if (length(held) < 3L) return(droplevels(v))
  first <- min(held)
  last <- max(held)
  top <- last
  bottom <- first
  sparse <- function(cols) {
    n <- rowSums(tab[, cols, drop = FALSE])
    any(n > 0 & n < threshold)
  }
  while (last - first > 1L && sparse(last:top)) last <- last - 1L
  while (last - first > 1L && sparse(bottom:first)) first <- first + 1L
  idx <- pmin(pmax(match(as.character(v), lv), first), last)
  new_lv <- lv[first:last]
  if (last < top) new_lv[length(new_lv)] <- paste(lower[last], "or more")
  if (first > bottom) new_lv[1] <- paste("Under", lower[first + 1L])
  factor(new_lv[idx - first + 1L], levels = new_lv)
}
