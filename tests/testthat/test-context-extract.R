# c3_extract() and context_factor_map() (context-extract.R): the extract
# counted as DfE's table C3 counts, checked on small tables worked by hand.

# Four episodes in two councils: E1 has 8B and 8D in one assessment and 3A in
# another; E2 has 8F in two assessments; E3 has only 21 (no factors); E4 has
# 3A and 8C.
c3_test_assessments <- function() {
  csv <- tempfile(fileext = ".csv")
  on.exit(unlink(csv))
  writeLines(c(
    '"la","child_id","episode_id","assessment_id","referral_date","assessment_date","factor"',
    '"E09000021","C1","E1","A1","2023-05-02","2023-05-30","8B"',
    '"E09000021","C1","E1","A1","2023-05-02","2023-05-30","8D"',
    '"E09000021","C1","E1","A2","2023-05-02","2023-08-01","3A"',
    '"E09000021","C2","E2","A3","2023-06-10","2023-07-01","8F"',
    '"E09000021","C2","E2","A4","2023-06-10","2023-09-01","8F"',
    '"E09000021","C3","E3","A5","2023-07-01","2023-07-20","21"',
    '"E08000021","C4","E4","A6","2023-08-09","2023-09-01","3A"',
    '"E08000021","C4","E4","A6","2023-08-09","2023-09-01","8C"'), csv)
  read_cin_assessments(csv, verbose = FALSE)
}

test_that("c3_extract() of assessments: one row per episode, 8B-8F pooled, an episode counted once per measure", {
  ex <- c3_extract(c3_test_assessments())
  expect_equal(ex$la, c("E09000021", "E09000021", "E09000021", "E08000021"))
  expect_equal(ex$year, rep(2024, 4))
  # no column of its own for 8B, 8C, 8D or 8F: C3 publishes them as one
  expect_setequal(colnames(ex$flags), c("21", "3A", "8B-8F"))
  expected <- cbind(`21` = c(0L, 0L, 1L, 0L), `3A` = c(1L, 0L, 0L, 1L), `8B-8F` = c(1L, 1L, 0L, 1L))
  expect_equal(ex$flags[, colnames(expected)], expected)
  # column sums are episodes with at least one of the measure's codes (E1's
  # two 8B-8F codes and E2's two assessments with 8F count once each)
  expect_equal(colSums(ex$flags)[["8B-8F"]], 3)
})

test_that("c3_extract() of episode_factors() pools 8B-8F the same way, and needs code-named columns", {
  a <- c3_test_assessments()
  e <- episode_factors(a, exclude = NULL, min_count = 0)
  ex <- c3_extract(e)
  expect_false(any(c("8B", "8C", "8D", "8E", "8F") %in% colnames(ex$flags)))
  expect_equal(unname(ex$flags[, "8B-8F"]), as.integer(rowSums(as.matrix(e[, c("8B", "8C", "8D", "8E", "8F")])) > 0))
  expect_equal(unname(ex$flags[, "8B-8F"]), c(1L, 1L, 1L))
  expect_equal(unname(ex$flags[, "3A"]), c(1L, 0L, 1L))
  expect_equal(ex$la, as.character(e$la))
  # an episode table whose factor columns have lost their code names
  e2 <- e
  names(e2)[names(e2) %in% cin_codes_all()] <- paste0("x", seq_len(sum(names(e2) %in% cin_codes_all())))
  expect_error(c3_extract(e2), class = "cscdemand_error_input")
})

test_that("c3_extract() of a data frame reads renamed columns, pools 8B-8F by 'any', NA as 0", {
  d <- data.frame(la = "X", year = 2024, dv_child = c(1, 0, 1, 0), f_8B = c(1, 0, 0, 0),
                  Factor_8E = c(TRUE, TRUE, FALSE, FALSE), X16A = c(0, 1, 0, NA), notes = 1:4)
  ex <- c3_extract(d)
  expect_equal(ex$la, rep("X", 4))
  expect_equal(ex$year, rep(2024, 4))
  expect_equal(unname(ex$flags[, "8B-8F"]), c(1L, 1L, 0L, 0L))
  expect_equal(unname(ex$flags[, "16A"]), c(0L, 1L, 0L, 0L))
  expect_setequal(colnames(ex$flags), c("8B-8F", "16A"))
  # with a map, only the mapped columns are read
  ex2 <- c3_extract(d, factors = c(dv_child = "3A"))
  expect_equal(colnames(ex2$flags), "3A")
  expect_equal(unname(ex2$flags[, 1]), c(1L, 0L, 1L, 0L))
})

test_that("context_factor_map() reads codes in any case or with a prefix, and maps 8B-8F to one measure", {
  d <- data.frame(la = "X", f_8B = 0, Factor_8E = 0, X16A = 0, factor_3a = 0, notes = 0, dv_child = 0)
  expect_equal(context_factor_map(d, NULL),
               c(f_8B = "8B-8F", Factor_8E = "8B-8F", X16A = "16A", factor_3a = "3A"))
  # a map names the columns; codes may be written in lower case
  expect_equal(context_factor_map(d, c(dv_child = "3a", f_8B = "8b")), c(dv_child = "3A", f_8B = "8B-8F"))
})

test_that("bad input to the extract: classed errors that say what to do", {
  expect_error(c3_extract(list(1)), "must be a data frame", class = "cscdemand_error_input")
  d <- data.frame(la = "X", year = 2024, dv_child = c(1, 0), notes = c(5, 6))
  # no column named by a code
  expect_error(context_factor_map(d, NULL), "no factor columns", class = "cscdemand_error_column")
  # a map that is not a named character vector, names a missing column, or an unpublished code
  expect_error(context_factor_map(d, "3A"), "named character vector", class = "cscdemand_error_input")
  expect_error(context_factor_map(d, c(nope = "3A")), "nope", class = "cscdemand_error_column")
  expect_error(context_factor_map(d, c(dv_child = "21")), "does not publish", class = "cscdemand_error_input")
  # a factor column that is not 0/1 names the column and the values found
  e <- expect_error(c3_extract(d, factors = c(notes = "3A")), class = "cscdemand_error_column")
  expect_match(cli::ansi_strip(conditionMessage(e)), "notes.*must hold 0/1")
  expect_match(cli::ansi_strip(conditionMessage(e)), "5")
  # no council column
  expect_error(c3_extract(d[, -1], factors = c(dv_child = "3A")), "council column", class = "cscdemand_error_input")
})
