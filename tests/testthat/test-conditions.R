test_that("errors and warnings carry the package classes and find values in the caller", {
  f <- function(col) abort_input("Column {.field {col}} is bad.", class = "cscdemand_error_x")
  e <- tryCatch(f("age"), error = identity)
  expect_s3_class(e, c("cscdemand_error_x", "cscdemand_error_input", "cscdemand_error"))
  expect_match(conditionMessage(e), "Column age is bad")
  w <- tryCatch(warn_cscdemand("careful {1 + 1}"), warning = identity)
  expect_s3_class(w, "cscdemand_warning")
  expect_match(conditionMessage(w), "careful 2")
})

test_that("argument checks name the argument of the caller", {
  g <- function(n) check_count(n, min = 2)
  expect_error(g(1), "`n` must be a whole number of at least 2", class = "cscdemand_error_input")
  expect_error(g(2.5), class = "cscdemand_error_input")
  expect_silent(g(3))
  h <- function(flag) check_flag(flag)
  expect_error(h(NA), "`flag` must be `TRUE` or `FALSE`")
  k <- function(p) check_number(p, min = 0, max = 1)
  expect_error(k(2), "between 0 and 1")
  expect_error(check_counts(c(1, -1)), class = "cscdemand_error_input")
})

test_that("data frame and column checks: one implementation, both argument orders", {
  d <- data.frame(a = 1, b = 2)
  f <- function(episodes) check_episodes(episodes)
  expect_error(f(list()), "one row per episode", class = "cscdemand_error_data")
  expect_error(f(d[0, ]), "`episodes` has no rows", class = "cscdemand_error_data")
  g <- function(data) check_data_frame(data)
  expect_error(g(1:3), "`data` must be a data frame", class = "cscdemand_error_input")
  expect_silent(g(d[0, ]))
  h <- function(data, col) check_column_name(col, data)
  e <- tryCatch(h(d, "z"), error = identity)
  expect_s3_class(e, "cscdemand_error_column")
  expect_match(conditionMessage(e), "Column z named in `col` is not in the data")
  expect_match(conditionMessage(e), "column of `data`")
  expect_error(h(d, c("a", "b")), "one column name", class = "cscdemand_error_column")
  k <- function(data, vars) check_column(data, vars, multiple = TRUE)
  expect_error(k(d, c("a", "y", "z")), "Columns y and z named in `vars` are not in the data")
  expect_silent(k(d, c("a", "b")))
})

test_that("check_string(): one string, with what was supplied and the caller's argument (review)", {
  f <- function(la) check_string(la, what = "the council (LA number or code)")
  expect_silent(f("314"))
  for (bad in list(NULL, NA_character_, "", c("314", "315"), 314)) {
    err <- expect_error(f(bad), class = "cscdemand_error_input")
    msg <- conditionMessage(err)
    expect_match(msg, "`la` must be the council (LA number or code)", fixed = TRUE)
    expect_match(msg, "You supplied", fixed = TRUE)
  }
  expect_match(conditionMessage(expect_error(f(c("314", "315")))), "character vector")
  expect_match(conditionMessage(expect_error(f(314))), "number")
  expect_equal(expect_error(f(NULL))$call, quote(f(NULL)))
})

test_that("a data frame argument is checked by check_data_frame(): the error names the argument and what was supplied", {
  # issue 26: one data-frame check instead of hand-written ones that named
  # the class in several ways, or not at all
  calls <- list(
    episodes = quote(sample_episodes(list(1))),
    episodes = quote(compare_published(list(1), verbose = FALSE)),
    episodes = quote(c3_extract(list(1))),
    data = quote(context_table(list(1), "gender")),
    data = quote(glmm(cases ~ x + (1 | la), data = list(1))),
    data = quote(build_patterns(list(1))))
  for (i in seq_along(calls)) {
    e <- tryCatch(eval(calls[[i]]), error = identity)
    label <- deparse(calls[[i]])
    expect_s3_class(e, "cscdemand_error_input")
    msg <- cli::ansi_strip(conditionMessage(e))
    expect_match(msg, paste0("`", names(calls)[i], "` must be a data frame"), fixed = TRUE, info = label)
    expect_match(msg, "You supplied <list>", fixed = TRUE, info = label)
  }
})

test_that("the last hand-written data-frame checks raise check_data_frame()'s error, naming the argument", {
  # issue 26 (plan 5.3): suppress_small(), pathway_tables(), report_invariance_starts(),
  # lca_cv() and lca_replicate() had their own wording ("an object of class",
  # "It has no rows", "It is <list>", "`group` must name a column", no "You
  # supplied"). Each must now give the error check_data_frame() gives any caller.
  ep <- data.frame(threshold_reached = factor(rep(c("CIN plan", "CP plan"), c(3, 3))))
  post <- indicator_matrix(factor(rep(c("A", "B"), 3)))
  n6 <- "a data frame with one row per episode (6)"
  hints <- c(measures = "Give the result of {.code pathway_measures(episodes)} for the same episodes.",
             outcomes = "Give the episodes' 0/1 outcome columns, such as {.code episodes[c(\"s47\", \"icpc\")]}.")
  cases <- list(
    list(quote(suppress_small(list(n = 1))), "table", list()),
    list(quote(pathway_tables(ep, post, measures = list(1))), "measures",
         list(what = n6, hint = hints[["measures"]], class = "cscdemand_error_column")),
    list(quote(pathway_tables(ep, post, outcomes = list(1))), "outcomes",
         list(what = n6, hint = hints[["outcomes"]], class = "cscdemand_error_column")),
    list(quote(report_invariance_starts(list(table = list(1), fits = list()), 2)), "inv$table",
         list(what = "a data frame (as lca_invariance() returns it)",
              hint = "Give {.arg inv} as {.fn lca_invariance} returned it.")),
    list(quote(lca_cv(list(la = 1), k = 1:2, group = "la", verbose = FALSE)), "data", list()),
    list(quote(lca_replicate(list(1), k = 2)), "data", list()))
  for (cs in cases) {
    label <- deparse(cs[[1]])
    e <- tryCatch(eval(cs[[1]]), error = identity)
    ref <- tryCatch(do.call(check_data_frame, c(list(list(1), arg = cs[[2]]), cs[[3]])), error = identity)
    expect_s3_class(e, "cscdemand_error_input")
    expect_identical(class(e), class(ref), info = label)
    msg <- cli::ansi_strip(conditionMessage(e))
    expect_identical(msg, cli::ansi_strip(conditionMessage(ref)), info = label)
    expect_match(msg, paste0("`", cs[[2]], "` must be a data frame"), fixed = TRUE, info = label)
    expect_match(msg, "You supplied <list>", fixed = TRUE, info = label)
    expect_identical(e$call[[1]], cs[[1]][[1]], info = label)
  }
})
