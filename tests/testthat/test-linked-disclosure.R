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
  # as the report built it before: the outcomes each suppressed on its own
  old <- pathway_tables(ep, post, pm, threshold = 10)
  for (f in flags) {
    y <- factor(vals[[paste0("outcome_", f)]], levels = c("no", "yes"))
    old[[paste0("outcome_", f)]] <- class_crosstab(data.frame(.level = y), var = ".level", posterior = post,
                                                   threshold = 10, label = "Outcome")
  }
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
    supp <- attr(given[[f]], "suppressed")
    p <- prof[prof$variable == f & prof$level == "yes", ]
    hid <- supp["yes", as.character(p$class)]
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
