#' Tables of what happens next by category, suppressed together
#'
#' The report's tables of the highest threshold reached, the category of
#' abuse of child protection plans and the pathway measures
#' ([pathway_measures()]) by category, each from [class_crosstab()] with
#' proportional assignment, and suppressed *together*: these tables share
#' margins, so a cell hidden in one could be worked out from the others.
#'
#' * Every table of child protection plans (first or later plans, plan
#'   lengths with the plans not yet ended, category of abuse) has as its
#'   category totals the number of plans in each category, which is also the
#'   "CP plan" row of the table of thresholds. A category whose number of
#'   plans is hidden in any of them is hidden in all.
#' * The conferences held in each category (the totals of the table of
#'   conference timeliness) are the ICPC and CP plan cells of the table of
#'   thresholds together, so the ICPC cell is the difference of two published
#'   numbers. A category whose ICPC cell is small, or hidden, has its number
#'   of conferences hidden (with its column), and a category whose number of
#'   conferences is hidden has its ICPC cell hidden.
#'
#' The hidden sets are widened until no table hides a shared margin that
#' another prints (a fixed point, usually reached in one or two rounds).
#' In the table of thresholds, the "ICPC" and "CP plan" rows are never
#' chosen as complementary cells while others can protect.
#'
#' @inheritParams class_crosstab
#' @param episodes The council's episodes, with `threshold_reached` (the
#'   highest threshold, see [episode_threshold()]) and, when the data hold
#'   it, `cp_category` (the category of abuse of a plan).
#' @param measures Optional result of [pathway_measures()] for the same
#'   episodes (one row per episode).
#' @return A named list of tables from [class_crosstab()]: `threshold`,
#'   `cp_category` and one per column of `measures`, each present only when
#'   the data hold it. Attribute `rounds` says how many rounds the joint
#'   suppression took.
#' @family profiling
#' @export
#' @examples
#' ep <- episode_factors(simulate_cin(las = "Richmond upon Thames", years = 2024, seed = 7))
#' ep$threshold_reached <- episode_threshold(ep)
#' fit <- lca(ep, k = 3, seed = 1)
#' post <- predict(fit, ep, type = "posterior")
#' tabs <- pathway_tables(ep, post, pathway_measures(ep))
#' names(tabs)
#' tabs$threshold
pathway_tables <- function(episodes, posterior, measures = NULL, threshold = 10) {
  check_episodes(episodes)
  check_threshold(threshold)
  W <- check_posterior(posterior, nrow(episodes))
  if (!is.null(measures) && (!is.data.frame(measures) || nrow(measures) != nrow(episodes))) {
    abort_input(c("{.arg measures} must be the result of {.fn pathway_measures} for the same episodes.",
                  x = "It has {if (is.data.frame(measures)) nrow(measures) else 'no'} rows; the episodes have {nrow(episodes)}."),
                class = "cscdemand_error_column")
  }
  specs <- pathway_table_specs(episodes, measures)
  if (!length(specs)) return(structure(list(), rounds = 0L))
  plans <- names(specs)[vapply(specs, function(s) s$kind == "plans", logical(1))]
  confs <- names(specs)[vapply(specs, function(s) s$kind == "conferences", logical(1))]
  h_cp <- character()
  h_conf <- if ("threshold" %in% names(specs) && length(confs)) {
    icpc <- round(colSums(W[specs$threshold$values %in% "ICPC", , drop = FALSE]))
    colnames(W)[icpc > 0 & icpc < threshold]
  } else character()
  for (rnd in 1:6) {
    tabs <- lapply(names(specs), function(nm) {
      s <- specs[[nm]]
      hide <- switch(s$kind,
                     threshold = list(`CP plan` = h_cp, ICPC = if (length(confs)) h_conf else character()),
                     plans = list(total = h_cp), conferences = list(total = union(h_conf, h_cp)), NULL)
      base <- data.frame(v = s$values[s$held])
      class_crosstab(base, var = "v", posterior = W[s$held, , drop = FALSE], threshold = threshold,
                     label = s$label, published = s$published, hide = hide)
    })
    names(tabs) <- names(specs)
    new_cp <- union(h_cp, unlist(lapply(tabs[plans], crosstab_hidden_in, row = "All episodes")))
    if ("threshold" %in% names(tabs)) new_cp <- union(new_cp, crosstab_hidden_in(tabs$threshold, "CP plan"))
    new_conf <- union(h_conf, unlist(lapply(tabs[confs], crosstab_hidden_in, row = "All episodes")))
    if ("threshold" %in% names(tabs) && length(confs)) {
      new_conf <- union(new_conf, crosstab_hidden_in(tabs$threshold, "ICPC"))
    }
    if (setequal(new_cp, h_cp) && setequal(new_conf, h_conf)) break
    h_cp <- new_cp
    h_conf <- new_conf
  }
  structure(tabs, rounds = rnd)
}

# The tables pathway_tables() builds: for each, the values (one per
# episode), the episodes it counts, its label, the rows published elsewhere
# and which margin it shares ("threshold", "plans", "conferences", "other").
pathway_table_specs <- function(episodes, measures) {
  specs <- list()
  if ("threshold_reached" %in% names(episodes)) {
    th <- episodes$threshold_reached
    specs$threshold <- list(values = th, held = !is.na(th), label = "Highest threshold",
                            published = c("CP plan", "ICPC"), kind = "threshold")
  }
  if ("cp_category" %in% names(episodes) && any(!is.na(episodes$cp_category))) {
    cc <- episodes$cp_category
    specs$cp_category <- list(values = cc, held = !is.na(cc), label = "Category of abuse",
                              published = NULL, kind = "plans")
  }
  heads <- attr(measures, "headings")
  for (nm in names(measures)) {
    v <- measures[[nm]]
    held <- !is.na(v)
    if (!any(held)) next
    kind <- if (nm %in% c("cp_plan_repeat", "cp_plan_length")) "plans" else
      if (nm == "icpc_timeliness") "conferences" else "other"
    specs[[nm]] <- list(values = droplevels(as.factor(v)), held = held,
                        label = if (!is.null(heads[[nm]])) heads[[nm]] else nm,
                        published = NULL, kind = kind)
  }
  specs
}

# The categories whose cell in `row` of a crosstab is hidden ("All
# episodes": whose total is), a pooled column standing for its categories.
crosstab_hidden_in <- function(tab, row) {
  supp <- attr(tab, "suppressed")
  if (is.null(supp) || !row %in% rownames(supp)) return(character())
  cols <- setdiff(colnames(supp)[supp[row, ]], "All episodes")
  pooled <- attr(tab, "pooled")
  unique(c(setdiff(cols, "Other categories"), if ("Other categories" %in% cols) pooled))
}
