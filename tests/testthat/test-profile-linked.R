# pathway_tables(): the joint suppression itself is tested against an
# attacker's linear program in test-report-disclosure.R.

test_that("pathway_tables checks its input and builds only the tables the data hold", {
  ep <- data.frame(threshold_reached = factor(rep(c("CIN plan", "ICPC", "CP plan"), c(60, 30, 40))))
  post <- indicator_matrix(factor(rep(c("A", "B"), 65)))
  tabs <- pathway_tables(ep, post)
  expect_named(tabs, "threshold")
  expect_s3_class(tabs$threshold, "cscdemand_crosstab")
  expect_equal(attr(tabs, "rounds"), 1L)
  expect_error(pathway_tables(ep, post, measures = data.frame(x = 1:3)), class = "cscdemand_error_column")
  expect_error(pathway_tables(ep, post, outcomes = data.frame(x = 1:3)), class = "cscdemand_error_column")
  expect_error(pathway_tables(ep, post, outcomes = data.frame(x = letters[rep(1:2, 65)])), class = "cscdemand_error_column")
  expect_error(pathway_tables(ep, post[1:5, ]), class = "cscdemand_error_input")
  expect_error(class_crosstab(ep, var = "threshold_reached", posterior = post, hide = list("A")),
               class = "cscdemand_error_hide")
  # a cell another table would give back is hidden, with its complements
  ep$v <- factor(rep(c("In time", "Late"), c(100, 30)))
  ct <- class_crosstab(ep, var = "v", posterior = post, hide = list(total = "A"))
  expect_true(all(attr(ct, "suppressed")[, "A"]))
  expect_true(all(attr(ct, "suppressed")[, "B"]))
  expect_false(crosstab_sum_known(ct, "total", "A"))
  expect_true(crosstab_sum_known(ct, "total", c("A", "B")))
  expect_true(crosstab_sum_known(class_crosstab(ep, var = "v", posterior = post), "In time", "A"))
  # a table with every category hidden says its totals in a sentence instead
  expect_match(attr(ct, "sentence"), "^v, all categories together: In time: 100 \\(76.9%\\); Late: 30 \\(23.1%\\), of 130 in all\\.")
  expect_null(attr(class_crosstab(ep, var = "v", posterior = post), "sentence"))
})

test_that("links between tables are found from the episodes, and a sum published on one side only is hidden", {
  # thresholds: the episodes with an enquiry (outcome s47) are the last two
  # steps; those with a plan are one step; "a" and "b" split the not-in-need
  th <- factor(rep(c("Not in need", "Section 47", "CP plan"), c(60, 40, 30)))
  ep <- data.frame(threshold_reached = th)
  out <- data.frame(s47 = as.integer(th != "Not in need"), cp_plan = as.integer(th == "CP plan"),
                    a = as.integer(seq_along(th) <= 25), b = as.integer(seq_along(th) > 25 & th == "Not in need"))
  cls <- factor(rep(c("A", "B", "C"), length.out = length(th)))
  post <- indicator_matrix(cls)
  colnames(post) <- levels(cls)
  tabs <- pathway_tables(ep, post, outcomes = out)
  links <- attr(tabs, "links")
  expect_true(any(links$table == "outcome_s47" & links$row == "yes" & links$sum_of_rows == "CP plan + Section 47"))
  expect_true(any(links$table == "threshold" & links$row == "CP plan" & links$sum_of_table == "outcome_cp_plan" &
                    links$sum_of_rows == "yes"))
  # a three-table link: "Not in need" is a's episodes and b's together
  expect_true(any(links$table == "threshold" & links$row == "Not in need" &
                    links$sum_of_table == "outcome_a + outcome_b" & links$sum_of_rows == "yes + yes"))
  # at the fixed point no link is published on one side and worked out on
  # the other only, and an attacker's linear program narrows no small cell
  specs <- c(pathway_table_specs(ep, NULL), outcome_table_specs(out))
  expect_length(linked_hide_more(tabs, linked_relations(specs), levels(cls)), 0)
  vals <- c(list(threshold = as.character(th)),
            lapply(stats::setNames(out, paste0("outcome_", names(out))), function(x) ifelse(x == 1, "yes", "no")))
  w <- linked_atom_widths(tabs, vals[names(tabs)], post)
  expect_true(all(w >= 10 - 1e-6))
})

test_that("categories whose totals other tables force hidden are counted together instead of hiding most of a large row", {
  # six categories; ICPC under the threshold in four, so their numbers of
  # conferences (ICPC + CP plan) would give it back and are hidden
  cats <- paste("Category", 1:6)
  icpc <- c(20, 25, 3, 4, 5, 6)
  th <- unlist(lapply(1:6, function(k) rep(c("Not in need", "Section 47", "ICPC", "CP plan"), c(100, 50, icpc[k], 40))))
  cl <- unlist(lapply(1:6, function(k) rep(cats[k], 190 + icpc[k])))
  conf <- th %in% c("ICPC", "CP plan")
  timely <- ifelse(conf, as.integer(stats::ave(seq_along(th), cl, conf, FUN = seq_along) %% 5 != 0), NA)
  ep <- data.frame(threshold_reached = factor(th, levels = c("Not in need", "Section 47", "ICPC", "CP plan")),
                   icpc_timely = timely)
  post <- indicator_matrix(factor(cl, levels = cats))
  colnames(post) <- cats
  pm <- pathway_measures(ep)
  tabs <- pathway_tables(ep, post, pm)
  ct <- tabs$icpc_timeliness
  # the four categories with few conferences are counted together; a large
  # category keeps its own column
  expect_true(all(cats[3:6] %in% attr(ct, "pooled")))
  expect_true(any(cats[1:2] %in% colnames(attr(ct, "printed"))))
  expect_equal(linked_crowded(ct, 10), 0L)
  # without pooling, the four hidden totals hide both large rows mostly
  specs <- linked_plain_rounding(pathway_table_specs(ep, pm), linked_relations(pathway_table_specs(ep, pm)))
  apart <- linked_fixed_point(specs, linked_relations(specs), post, 10)
  expect_gt(linked_crowded(apart$icpc_timeliness, 10), 0L)
  # and the pooled tables still give no small cell away
  vals <- list(threshold = th, icpc_timeliness = ifelse(is.na(timely), NA, ifelse(timely == 1, "Within 15 working days", "Later")))
  w <- linked_atom_widths(tabs, vals[names(tabs)], post)
  expect_gt(length(w), 0)
  expect_true(all(w >= 10 - 1e-6))
})

test_that("the joint suppression runs to its fixed point however many rounds it takes, and never returns it unfinished", {
  ep <- data.frame(threshold_reached = factor(rep(c("CIN plan", "ICPC", "CP plan"), c(600, 300, 400))))
  post <- indicator_matrix(factor(rep(LETTERS[1:10], 130)))
  colnames(post) <- LETTERS[1:10]
  specs <- pathway_table_specs(ep, NULL)
  # a chain of links that asks for one more cell a round, for 20 rounds
  calls <- 0L
  swap_binding("linked_hide_more", function(tabs, links, cats) {
    calls <<- calls + 1L
    if (calls > 20L) return(list())
    list(list(table = "threshold", row = if (calls %% 2L) "CIN plan" else "CP plan", cats = cats[(calls + 1L) %/% 2L]))
  })
  tabs <- linked_fixed_point(specs, list(), post, 10)
  expect_equal(attr(tabs, "rounds"), 21L)
  # a request that hides nothing new widens to the categories' columns ...
  calls <- 0L
  swap_binding("linked_hide_more", function(tabs, links, cats) {
    calls <<- calls + 1L
    if (calls > 1L && all(attr(tabs$threshold, "suppressed")[, "A"])) return(list())
    list(list(table = "threshold", row = "No such row", cats = "A"))
  })
  tabs <- linked_fixed_point(specs, list(), post, 10)
  expect_true(all(attr(tabs$threshold, "suppressed")[, "A"]))
  # ... and if even that changes nothing, it is an error, not a result
  swap_binding("linked_hide_more", function(tabs, links, cats) {
    list(list(table = "threshold", row = "No such row", cats = "A"))
  })
  expect_error(linked_fixed_point(specs, list(), post, 10), class = "cscdemand_error_suppression")
})

test_that("outcomes must be 0/1 flags, and bad measures say where they come from", {
  ep <- data.frame(threshold_reached = factor(rep(c("CIN plan", "ICPC", "CP plan"), c(60, 30, 40))))
  post <- indicator_matrix(factor(rep(c("A", "B"), 65)))
  # a 2 is not a "no"
  expect_error(pathway_tables(ep, post, outcomes = data.frame(s47 = rep(0:2, length.out = 130))),
               class = "cscdemand_error_column", regexp = "0/1")
  expect_error(pathway_tables(ep, post, outcomes = data.frame(s47 = rep(c(0, 0.5), 65))),
               class = "cscdemand_error_column")
  # 0/1 as text or logical are flags
  expect_named(pathway_tables(ep, post, outcomes = data.frame(s47 = rep(c("0", "1"), 65))), c("threshold", "outcome_s47"))
  expect_named(pathway_tables(ep, post, outcomes = data.frame(s47 = rep(c(TRUE, FALSE), 65))), c("threshold", "outcome_s47"))
  err <- tryCatch(pathway_tables(ep, post, measures = data.frame(x = 1:3)), error = identity)
  expect_match(conditionMessage(err), "pathway_measures", fixed = TRUE)
})

# 130 episodes in two categories, A and B: 60 with a CIN plan, 30 with a
# section 47 enquiry and 40 with a plan; `s47` flags the enquiries (the last
# two steps). The data of the two tests of class_profile(crosstabs =) below.
s47_fixture <- function() {
  ep <- data.frame(threshold_reached = factor(rep(c("CIN plan", "Section 47", "CP plan"), c(60, 30, 40))))
  ep$s47 <- as.integer(ep$threshold_reached != "CIN plan")
  post <- indicator_matrix(factor(rep(c("A", "B"), 65)))
  colnames(post) <- c("A", "B")
  list(ep = ep, post = post)
}

test_that("class_profile() refuses tables it would not use, or that count other episodes", {
  fx <- s47_fixture()
  ep <- fx$ep
  post <- fx$post
  tabs <- pathway_tables(ep, post, outcomes = ep["s47"])
  ok <- class_profile(ep, vars = "s47", posterior = post, crosstabs = list(s47 = tabs$outcome_s47))
  expect_s3_class(ok, "cscdemand_profile")
  # misnamed: the table of pathway_tables() keeps its own name
  err <- tryCatch(class_profile(ep, vars = "s47", posterior = post, crosstabs = list(outcome_s47 = tabs$outcome_s47)),
                  error = identity)
  expect_s3_class(err, "cscdemand_error_input")
  expect_match(conditionMessage(err), "for a variable not in `vars`: \"outcome_s47\"", fixed = TRUE)
  # the fix: the valid names, and how a table of pathway_tables() goes in
  expect_match(conditionMessage(err), "one of `vars`: \"s47\"", fixed = TRUE)
  expect_match(conditionMessage(err), "goes in as `s47 = `", fixed = TRUE)
})

test_that("class_profile() refuses a table built with another threshold, posterior or method", {
  fx <- s47_fixture()
  ep <- fx$ep
  post <- fx$post
  y <- data.frame(.level = factor(ifelse(ep$s47 == 1, "yes", "no"), levels = c("no", "yes")))
  post2 <- cbind(A = rep(c(1, 1, 0), length.out = 130))
  post2 <- cbind(post2, B = 1 - post2[, 1])
  expect_error(class_profile(ep, vars = "s47", posterior = post,
                             crosstabs = list(s47 = class_crosstab(y, var = ".level", posterior = post, threshold = 5))),
               class = "cscdemand_error_input", regexp = "threshold")
  expect_error(class_profile(ep, vars = "s47", posterior = post,
                             crosstabs = list(s47 = class_crosstab(y, var = ".level", posterior = post2))),
               class = "cscdemand_error_input", regexp = "weights")
  ep$cl <- rep(c("A", "B"), 65)
  expect_error(class_profile(ep, vars = "s47", posterior = post,
                             crosstabs = list(s47 = class_crosstab(cbind(y, cl = ep$cl), class = "cl", var = ".level"))),
               class = "cscdemand_error_input", regexp = "another way")
})

test_that("a note under a table names another table by its title and a row of its own table as such (reader 9, R5)", {
  # the report prints the outcome tables as the rows of one table: under the
  # thresholds, the outcome "assessed not in need" (also the thresholds' first
  # row) read as the table speaking of itself; under an outcome, another
  # outcome is a row of the same printed table
  one <- function() structure(data.frame(a = 1), suppressed = matrix(TRUE))
  tabs <- list(threshold = one(), outcome_step_down = one(), outcome_not_in_need = one())
  attr(tabs, "why") <- list(list(table = "threshold", from = "outcome_not_in_need"),
                            list(table = "threshold", from = "outcome_step_down"),
                            list(table = "outcome_step_down", from = "outcome_not_in_need"),
                            list(table = "outcome_not_in_need", from = "outcome_step_down"),
                            list(table = "outcome_not_in_need", from = "outcome_nfa"),
                            list(table = "outcome_not_in_need", from = "threshold"))
  e <- linked_explain(tabs, list(), 10)
  notes <- vapply(e, function(t) attr(t, "note"), "")
  for (n in notes) expect_no_match(n, "the outcome", fixed = TRUE)
  expect_match(notes[["threshold"]], "set against the table of outcomes by category, they", fixed = TRUE)
  expect_match(notes[["outcome_step_down"]], "set against another row of this table, they", fixed = TRUE)
  expect_match(notes[["outcome_not_in_need"]],
               "set against other rows of this table and the table of the highest threshold reached, they", fixed = TRUE)
})
