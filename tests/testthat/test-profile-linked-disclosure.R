# Tables that share margins across the report (pathway_tables()): no hidden
# cell under the threshold can be narrowed below a range of the threshold's
# width by reading the tables together, checked by an attacker's linear
# program over the episodes' combinations of values (helper-disclosure.R).

linked_values <- function(ep, pm, flags) {
  out <- list(threshold = ep$threshold_reached, cp_category = ep$cp_category)
  for (nm in names(pm)) out[[nm]] <- pm[[nm]]
  for (f in flags) out[[paste0("outcome_", f)]] <- ifelse(is.na(ep[[f]]), "Missing", ifelse(ep[[f]] == 1, "yes", "no"))
  lapply(out, as.character)
}

outcome_flags <- c("nfa", "step_down", "not_in_need", "cin_plan", "s47", "icpc", "cp_plan", "looked_after")

for (council in c("Kingston upon Thames", "Sunderland")) test_that(paste0("the outcomes table is suppressed with the tables it shares margins with (the example's ", council, ")"), {
  d <- example_council(council)
  ep <- d$episodes
  post <- d$posterior
  pm <- pathway_measures(ep)
  flags <- intersect(outcome_flags, names(ep))
  tabs <- pathway_tables(ep, post, pm, threshold = 10, outcomes = ep[flags])
  expect_true(all(paste0("outcome_", flags) %in% names(tabs)))
  links <- attr(tabs, "links")
  # the links the reader found are found from the episodes
  expect_true(any(links$table == "outcome_s47" & links$row == "yes" &
                    links$sum_of_rows == "CP plan + ICPC + Section 47"))
  expect_true(any(links$table == "icpc_timeliness" & links$row == "total" &
                    links$sum_of_rows == "CP plan + ICPC"))
  vals <- linked_values(ep, pm, flags)[names(tabs)]
  w <- linked_atom_widths(tabs, vals, post)
  expect_gt(length(w), 0)
  expect_true(all(w >= 10 - 1e-6), info = paste(names(w)[w < 10 - 1e-6], round(w[w < 10 - 1e-6], 1), collapse = "; "))
  # the same episode set prints one number in every table
  th <- attr(tabs$threshold, "counts")
  s47 <- attr(tabs$outcome_cp_plan, "counts")
  shown <- !is.na(th["CP plan", ]) & !is.na(s47["yes", ])
  expect_equal(th["CP plan", shown], s47["yes", shown])
  # every table suppressed on its own, as the report built them before
  # pathway_tables(): some small cells come back
  specs <- c(pathway_table_specs(ep, pm), outcome_table_specs(ep[flags]))
  old <- lapply(specs, linked_table, W = post, threshold = 10, hide = list())
  w_old <- linked_atom_widths(old, vals[names(old)], post)
  expect_true(any(w_old < 10 - 1e-6))
})

test_that("the table of likelihood ratios hides an outcome's ratio where the jointly suppressed table hides its count", {
  d <- example_council("Kingston upon Thames")
  ep <- d$episodes
  post <- d$posterior
  flags <- intersect(outcome_flags, names(ep))
  tabs <- pathway_tables(ep, post, pathway_measures(ep), outcomes = ep[flags])
  given <- stats::setNames(tabs[paste0("outcome_", flags)], flags)
  prof <- class_profile(ep, vars = flags, posterior = post, crosstabs = given)
  old <- class_profile(ep, vars = flags, posterior = post)
  newly <- 0
  for (f in flags) {
    p <- prof[prof$variable == f & prof$level == "yes", ]
    # a category the table counts with others has no cell of its own: hidden
    hid <- profile_crosstab_hidden(given[[f]], "yes", as.character(p$class))["yes", ]
    expect_equal(p$display == "c", unname(hid), info = f)
    o <- old[old$variable == f & old$level == "yes", ]
    newly <- newly + sum(hid & o$display != "c")
  }
  # the profile built on its own shows ratios whose counts the joint suppression hides
  expect_gt(newly, 0)
  expect_error(class_profile(ep, vars = "s47", posterior = post, crosstabs = list(s47 = tabs$threshold)),
               class = "cscdemand_error_input")
  expect_error(class_profile(ep, vars = "s47", posterior = post, crosstabs = list(s47 = 1)),
               class = "cscdemand_error_input")
})

test_that("complements chosen across the linked tables leave no large row mostly hidden, and each table says which tables it is read against, never which cell is small", {
  # before, the example's Kingston upon Thames (episodes shared between the
  # categories) left 4 rows of at least 100 episodes mostly "c", and
  # Sunderland (whole episodes) 2; the tables hid 61 and 57 cells
  crowd <- function(tabs) sum(vapply(tabs, linked_crowded, 0L, threshold = 10))
  hidden <- function(tabs) sum(vapply(tabs, function(t) sum(attr(t, "suppressed")), 0))
  d <- example_council("Kingston upon Thames")
  ep <- d$episodes
  flags <- intersect(outcome_flags, names(ep))
  post <- 0.8 * d$posterior + 0.2 / ncol(d$posterior)
  tabs <- pathway_tables(ep, post, pathway_measures(ep, class = "true_class"), outcomes = ep[flags])
  expect_equal(crowd(tabs), 0)
  expect_lt(hidden(tabs), 61)
  d <- example_council("Sunderland")
  ep <- d$episodes
  flags <- intersect(outcome_flags, names(ep))
  pm <- pathway_measures(ep, class = "true_class")
  tabs <- pathway_tables(ep, d$posterior, pm, outcomes = ep[flags])
  expect_equal(crowd(tabs), 0)
  expect_lt(hidden(tabs), 57)
  # and still no small cell can be narrowed by reading the tables together
  w <- linked_atom_widths(tabs, linked_values(ep, pm, flags)[names(tabs)], d$posterior)
  expect_gt(length(w), 0)
  expect_true(all(w >= 10 - 1e-6), info = paste(names(w)[w < 10 - 1e-6], collapse = "; "))
  # a table hiding cells for another says which tables it is read against,
  # never only that every cell is suppressed, and never which hidden cell is
  # the small one (naming it would pin that "c" under 10 and, with the row
  # total, its complement: the third reading found "stepped down to early
  # help in Multiple complex needs" named under two tables)
  said <- Filter(function(t) grepl("set against", attr(t, "note") %||% ""), tabs)
  expect_gt(length(said), 0)
  cats <- unique(unlist(lapply(tabs, function(t) colnames(attr(t, "printed")))))
  cats <- setdiff(cats, c("All episodes", "Total"))
  for (t in said) {
    reason <- sub(".*Some numbers by category are hidden here because, ", "", attr(t, "note"))
    expect_match(reason, "would give away numbers under 10 hidden there")
    for (cl in cats) expect_false(grepl(cl, reason, fixed = TRUE), info = paste(cl, "named in:", reason))
  }
  for (t in tabs) expect_false(grepl("here or with another table", attr(t, "sentence") %||% "", fixed = TRUE))
})

test_that("a small council's section 47 enquiries stay published by category (the reader's Richmond upon Thames)", {
  # the second reader's report: 1,659 episodes, six categories; the outcome
  # "section 47 enquiry" had every category cell hidden
  sim <- simulate_cin(las = "E09000027", years = 2023:2024, scale = 0.7, seed = 77)
  rd <- report_data(sim)
  ep <- rd$episodes
  fit <- lca(ep, k = 6, items = rd$items, seed = 77, verbose = FALSE)
  post <- predict(fit, ep, type = "posterior")
  colnames(post) <- paste("Category", seq_len(ncol(post)))
  ep$category <- factor(colnames(post)[max.col(post, "first")], levels = colnames(post))
  flags <- intersect(outcome_flags, names(ep))
  tabs <- pathway_tables(ep, post, pathway_measures(ep, class = "category"), outcomes = ep[flags])
  s47 <- attr(tabs$outcome_s47, "suppressed")
  expect_false(all(s47["yes", -ncol(s47)]))
  expect_lte(sum(vapply(tabs, linked_crowded, 0L, threshold = 10)), 6)
  # a table that hides its levels' totals column hides what every other table prints
  for (t in tabs) {
    s <- attr(t, "suppressed")
    expect_false(any(s[-nrow(s), ncol(s)]))
  }
})

test_that("every hidden cell of at least the threshold is needed: shown, it would narrow a small one below the threshold (a simulated Richmond upon Thames)", {
  # the complements that lose least: the joint suppression, link by link
  # and table by table, hid cells that the tables read together did not
  # need (on the old code, whole episodes of this council: 35 hidden, among
  # them 6 of the section 47 outcome); each is now tried for showing again,
  # largest first, and shown when the attacker's linear programme still
  # finds every hidden small cell a range of the threshold's width
  d <- simulated_council("E09000027", 2023:2024, 77)
  ep <- d$episodes
  post <- d$posterior
  pm <- pathway_measures(ep)
  flags <- intersect(outcome_flags, names(ep))
  tabs <- pathway_tables(ep, post, pm, outcomes = ep[flags])
  vals <- linked_values(ep, pm, flags)[names(tabs)]
  w <- linked_atom_widths(tabs, vals, post)
  expect_gt(length(w), 0)
  expect_true(all(w >= 10 - 1e-6))
  expect_identical(linked_spare_cells(tabs, vals, post), character())
  expect_equal(sum(vapply(tabs, linked_crowded, 0L, threshold = 10)), 0)
  # and no printed count is small
  for (t in tabs) {
    cnt <- attr(t, "counts")
    expect_false(any(!is.na(cnt) & cnt > 0 & cnt < 10))
  }
})
