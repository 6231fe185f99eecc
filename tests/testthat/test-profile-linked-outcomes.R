# The outcome tables of what happens next (reader 10, F2-F4): categories are
# counted together ("Other categories") only where showing them apart would
# give a small number away; the outcomes print as one table with one set of
# columns; a note under a table that hides or merges for another table
# names that table.

# The example's Kingston upon Thames as the report reads it, with the
# report's own posterior (its fitted model, to three decimals: a fixture),
# and its tables of what happens next.
kingston_report_tables <- local({
  cache <- NULL
  function() {
    if (!is.null(cache)) return(cache)
    rd <- report_data("example", council = "Kingston upon Thames")
    ep <- rd$episodes[rd$own, , drop = FALSE]
    fx <- readRDS(test_path("fixtures", "kingston-report-posterior.rds"))
    post <- fx$posterior / rowSums(fx$posterior)
    ep$category <- factor(colnames(post)[fx$category], levels = colnames(post))
    flags <- intersect(c("nfa", "step_down", "not_in_need", "cin_plan", "s47", "icpc", "cp_plan", "looked_after"), names(ep))
    pm <- pathway_measures(ep, class = "category", threshold = 10)
    tabs <- pathway_tables(ep, post, pm, threshold = 10, outcomes = ep[flags])
    cache <<- list(episodes = ep, posterior = post, tabs = tabs, flags = flags)
    cache
  }
})

test_that("an outcome's counts printed in the table of thresholds are not merged into \"Other categories\" in the outcome's table (Kingston, F2)", {
  k <- kingston_report_tables()
  tabs <- k$tabs
  th <- attr(tabs$threshold, "counts")
  nin <- tabs$outcome_not_in_need
  # the outcome "assessed not in need" is the thresholds' first row: where
  # that row prints a category's count, the outcome's table prints it too
  # (on the old code it counted four categories together, among them
  # Neglect (40) and Multiple complex needs (18), printed in the thresholds)
  printed <- colnames(th)[!is.na(th["Assessed not in need", ])]
  printed <- setdiff(printed, c("All episodes", "Other categories"))
  expect_gt(length(printed), 0)
  expect_true(all(printed %in% colnames(attr(nin, "printed"))), info = paste(attr(nin, "pooled"), collapse = "; "))
  cnt <- attr(nin, "counts")
  expect_equal(cnt["yes", printed], th["Assessed not in need", printed])
  # no table of outcomes counts categories together here
  for (f in k$flags) expect_length(attr(tabs[[paste0("outcome_", f)]], "pooled") %||% character(), 0)
})

test_that("the outcomes are one table with one set of columns, the merged one when their tables pool differently (F3)", {
  k <- kingston_report_tables()
  out <- k$tabs[paste0("outcome_", k$flags)]
  labels <- stats::setNames(paste("Outcome", seq_along(out)), names(out))
  one <- pathway_outcome_table(out, labels)
  expect_equal(nrow(one), length(out))
  expect_null(attr(one, "sentence"))
  # one reason for the hidden cells, not one per row
  expect_lte(length(grep("Some numbers by category are hidden", attr(one, "note"))), 1)
  # the same rows, as printed, one per outcome
  for (i in seq_along(out)) {
    r <- out[[i]][out[[i]][[1]] == "yes", , drop = FALSE]
    expect_equal(unlist(one[i, -1]), unlist(r[1, names(one)[-1]]), ignore_attr = TRUE)
  }
  # tables that count different categories together: the merged set, and
  # the merged cell is printed only where its table lets a reader work it out
  ep <- k$episodes
  post <- k$posterior
  specs <- outcome_table_specs(ep[c("s47", "cp_plan")])
  specs$outcome_s47$pool <- colnames(post)[6:7]
  pooled <- linked_table(specs$outcome_s47, post, 10, list())
  plain <- linked_table(specs$outcome_cp_plan, post, 10, list())
  expect_setequal(attr(pooled, "pooled"), colnames(post)[6:7])
  both <- pathway_outcome_table(list(outcome_s47 = pooled, outcome_cp_plan = plain),
                                c(outcome_s47 = "Section 47 enquiry", outcome_cp_plan = "Child protection plan"))
  expect_equal(names(both), c("Outcome", colnames(post)[1:5], "Other categories", "All episodes"))
  p <- attr(plain, "printed")
  s <- attr(plain, "suppressed")
  other <- sum(p["yes", colnames(post)[6:7]])
  if (!any(s[c("yes", "All episodes"), colnames(post)[6:7]])) {
    expect_equal(both[["Other categories"]][2],
                 paste0(other, " (", formatC(100 * other / sum(p["All episodes", colnames(post)[6:7]]), format = "f", digits = 1), "%)"))
  }
  expect_match(paste(attr(both, "note"), collapse = " "), "counted together as .Other categories. in this table, so that every row has the same columns")
  # one outcome: a sentence, no table of one row
  single <- pathway_outcome_table(list(outcome_cp_plan = plain), c(outcome_cp_plan = "Child protection plan"))
  expect_match(attr(single, "sentence"), "^Child protection plan, by category")
})

test_that("a note under a table that merges or hides cells for another table names it, and every table that hides cells says why (F4)", {
  k <- kingston_report_tables()
  for (nm in names(k$tabs)) {
    t <- k$tabs[[nm]]
    note <- paste(attr(t, "note"), collapse = " ")
    expect_false(grepl("small numbers of another table", note, fixed = TRUE), info = nm)
    s <- attr(t, "suppressed")
    if (any(s[-nrow(s), -ncol(s)]) && !isTRUE(attr(t, "withheld"))) expect_match(note, "hidden|suppressed", info = nm)
  }
  # the table of conferences counts categories together because of the
  # table of thresholds, and says so by its title
  ic <- attr(k$tabs$icpc_timeliness, "note")
  if (length(attr(k$tabs$icpc_timeliness, "pooled"))) expect_match(ic, "the table of the highest threshold reached", fixed = TRUE)
})
