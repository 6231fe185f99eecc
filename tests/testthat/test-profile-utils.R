test_that("wilson_ci agrees with prop.test(correct = FALSE)", {
  for (xn in list(c(3, 20), c(0, 15), c(15, 15), c(47, 133))) {
    ci <- wilson_ci(xn[1], xn[2], 0.9)
    ref <- suppressWarnings(stats::prop.test(xn[1], xn[2], conf.level = 0.9, correct = FALSE))$conf.int
    expect_equal(c(ci$lower, ci$upper), as.vector(ref), tolerance = 1e-10)
  }
  expect_true(is.na(wilson_ci(0, 0)$lower))
})

# profile-utils.R's own functions: merging small levels and residual rows,
# and the posterior check, on tables worked by hand.

test_that("merge_small_levels() counts a level under the threshold with its smaller neighbour, in place", {
  res <- residual_levels()
  tab <- rbind("0-4" = c(30, 30), "5-9" = c(2, 3), "10-15" = c(40, 40), "16+" = c(50, 50), Unknown = c(1, 0))
  out <- merge_small_levels(tab, 10, res)
  # 5-9 (5 in all) has neighbours 0-4 (60) and 10-15 (80): it goes with 0-4;
  # Unknown is a residual level, left to tidy_residual()
  expect_equal(out$tab, rbind("0-4 or 5-9" = c(32, 33), "10-15" = c(40, 40), "16+" = c(50, 50), Unknown = c(1, 0)))
  expect_equal(out$notes, paste0("5-9 is counted with 0-4 (\u201c0-4 or 5-9\u201d): with fewer than 10 episodes ",
                                 "in all, it could be neither shown nor safely hidden on its own."))
  # the smaller neighbour may be the one after; the merged row keeps the place
  tab2 <- rbind("0-4" = c(60, 40), "5-9" = c(2, 3), "10-15" = c(20, 20), "16+" = c(50, 50))
  expect_equal(rownames(merge_small_levels(tab2, 10, res)$tab), c("0-4", "10-15 or 5-9", "16+"))
  # a merged row still under the threshold is merged again
  tab3 <- rbind("0-4" = c(4, 0), "5-9" = c(2, 1), "10-15" = c(60, 40))
  out3 <- merge_small_levels(tab3, 10, res)
  expect_equal(unname(out3$tab), rbind(c(66, 41)))
  expect_length(out3$notes, 2L)
  # nothing under the threshold: unchanged
  expect_equal(merge_small_levels(tab[-2, ], 10, res), list(tab = tab[-2, ], notes = character()))
})

test_that("tidy_levels() drops empty rows and columns and merges a small residual row with another", {
  res <- residual_levels()
  t3 <- rbind(Female = c(100, 80, 0), Male = c(90, 70, 0), Unknown = c(3, 0, 0), Empty = c(0, 0, 0),
              Missing = c(20, 15, 0))
  colnames(t3) <- paste("Class", 1:3)
  out <- tidy_levels(t3, 10, res)
  # Unknown (3) is small; Missing is not, but is the residual row it joins
  expect_equal(out$tab, rbind(Female = c(`Class 1` = 100, `Class 2` = 80), Male = c(90, 70),
                              `Unknown or missing` = c(23, 15)))
  expect_equal(out$merged, c("Unknown", "Missing"))
  expect_equal(out$label, "Unknown or missing")
  # drop_cols = FALSE keeps the empty category
  expect_equal(colnames(tidy_levels(t3, 10, res, drop_cols = FALSE)$tab), paste("Class", 1:3))
  # threshold 0: only the empty row and column go
  expect_equal(tidy_levels(t3, 0, res)$tab, t3[-4, 1:2])
})

test_that("tidy_levels() pools a family's sparse member with its smallest other member, with a note", {
  t4 <- rbind("Health: GP" = c(50, 40), "Health: A&E" = c(3, 20), "Health: Other" = c(30, 30), School = c(60, 70))
  out <- tidy_levels(t4, 10, residual_levels())
  # A&E (3 in one category) goes with Other (60), smaller than GP (90)
  expect_equal(out$tab, rbind("Health: GP" = c(50, 40), "Health: A&E or Other" = c(33, 50), School = c(60, 70)))
  expect_match(out$families, "Health: A&E and Health: Other are counted together as \u201cHealth: A&E or Other\u201d",
               fixed = TRUE)
})

# A stand-in suppression: cells 1-9 hidden, and in a column with one hidden
# cell the smallest other non-zero cell with it.
stub_suppress <- function(tab) {
  s <- tab > 0 & tab < 10
  for (j in seq_len(ncol(s))) {
    if (sum(s[, j]) == 1) {
      cand <- which(!s[, j] & tab[, j] > 0)
      s[cand[which.min(tab[cand, j])], j] <- TRUE
    }
  }
  s
}

test_that("merge_costly_residual() counts a costly not-known row with a catch-all row first", {
  res <- residual_levels()
  t5 <- rbind(White = c(200, 150), Asian = c(100, 120), "Any other ethnic group" = c(40, 50), Unknown = c(5, 30))
  out <- merge_costly_residual(t5, 10, res, stub_suppress)
  # hiding Unknown's 5 would hide the 40 of "Any other ethnic group"
  expect_equal(out$tab, rbind(White = c(200, 150), Asian = c(100, 120),
                              "Any other ethnic group or unknown" = c(45, 80)))
  expect_match(out$note, "^Unknown \\(35 episodes\\) is counted with any other ethnic group")
})

test_that("merge_costly_residual() counts it with a known level 20 times its size only if a large row would lose cells", {
  res <- residual_levels()
  t6 <- rbind(Female = c(400, 300), Male = c(380, 290), Unknown = c(3, 30))
  out <- merge_costly_residual(t6, 10, res, stub_suppress)
  # Unknown (33) is under a twentieth of both; the smaller, Male, takes it
  expect_equal(out$tab, rbind(Female = c(400, 300), "Male or unknown" = c(383, 320)))
  # a suppression that hides nothing else costs nothing: no merge, no note
  keep <- merge_costly_residual(t6, 10, res, function(tab) tab > 0 & tab < 10)
  expect_equal(keep, list(tab = t6, note = NULL))
  # the cell lost is in a row under 10 x the threshold: no merge
  t8 <- rbind(Female = c(400, 300), Male = c(380, 290), "Non-binary" = c(12, 40), Unknown = c(3, 30))
  expect_equal(merge_costly_residual(t8, 10, res, stub_suppress)$tab, t8)
  # a row holding "Other" (a group of its own) never joins a known level
  t7 <- rbind(Female = c(400, 300), Male = c(380, 290), "Other or unknown" = c(3, 30))
  expect_equal(merge_costly_residual(t7, 10, c(res, "Other or unknown"), stub_suppress)$tab, t7)
  # a not-known row larger than a twentieth of every known level stays
  t9 <- rbind(Female = c(400, 300), Male = c(380, 290), Unknown = c(3, 60))
  expect_equal(merge_costly_residual(t9, 10, res, stub_suppress)$tab, t9)
})

test_that("check_posterior() accepts probabilities, names the columns, and names the bad rows", {
  p <- matrix(c(0.2, 0.8, 0.5, 0.5, 1, 0), 3, byrow = TRUE)
  out <- check_posterior(p, 3)
  expect_equal(colnames(out), c("Class 1", "Class 2"))
  expect_equal(unname(out), p)
  named <- p
  colnames(named) <- c("A", "B")
  expect_equal(colnames(check_posterior(named, 3)), c("A", "B"))
  # wrong shape: not a matrix, not numeric, or not one row per episode
  expect_error(check_posterior(as.data.frame(p), 3), "one row per episode \\(3\\)", class = "cscdemand_error_posterior")
  expect_error(check_posterior(p, 4), class = "cscdemand_error_posterior")
  expect_error(check_posterior(matrix("a", 3, 2), 3), class = "cscdemand_error_posterior")
  # rows that do not add up to 1, or hold NA, are named
  bad <- p
  bad[2, 2] <- 0.4
  bad[3, 1] <- NA
  e <- expect_error(check_posterior(bad, 3), class = "cscdemand_error_posterior")
  expect_match(cli::ansi_strip(conditionMessage(e)), "Rows 2, 3 do not")
  expect_match(cli::ansi_strip(conditionMessage(e)), "`bad` must hold probabilities")
  # a negative probability is refused too
  # a row with a negative value that still adds up to 1 is named (it was left out: "Rows  do not.")
  expect_error(check_posterior(rbind(c(0.5, 0.5), c(-0.5, 1.5)), 2), "Row 2 does not",
               class = "cscdemand_error_posterior")
})

test_that("class_factor() and drop_missing_class(): numbers sorted and named, missing classes left out with a warning", {
  ep <- data.frame(c = c(3, 1, NA, 3), x = 1:4)
  f <- class_factor(ep, "c")
  expect_equal(levels(f), c("Class 1", "Class 3"))
  expect_equal(as.character(f), c("Class 3", "Class 1", NA, "Class 3"))
  expect_equal(levels(class_factor(data.frame(c = c("b", "a")), "c")), c("a", "b"))
  # a factor keeps its order, less its empty levels
  expect_equal(levels(class_factor(data.frame(c = factor("z", levels = c("z", "y", "a"))), "c")), "z")
  expect_error(class_factor(data.frame(c = c(NA, NA)), "c"), class = "cscdemand_error_class")
  expect_warning(out <- drop_missing_class(ep, f, "c"), "1 episode", class = "cscdemand_warning_missing_class")
  expect_equal(out$episodes$x, c(1L, 2L, 4L))
  expect_equal(as.character(out$class), c("Class 3", "Class 1", "Class 3"))
  expect_no_warning(drop_missing_class(ep[-3, ], f[-3], "c"))
})

test_that("characteristic_factor(), is_binary_var() and indicator_matrix() on small vectors", {
  # missing values become a level of their own, last; numbers in numeric order
  expect_equal(characteristic_factor(c(10, 2, NA)), factor(c("10", "2", "(missing)"), levels = c("2", "10", "(missing)")))
  expect_equal(characteristic_factor(c(TRUE, NA, FALSE)), factor(c("1", "(missing)", "0"), levels = c("0", "1", "(missing)")))
  expect_equal(characteristic_factor(c("b", "a")), factor(c("b", "a")))
  expect_true(is_binary_var(c(0, 1, NA)))
  expect_true(is_binary_var(c(TRUE, FALSE)))
  expect_true(is_binary_var(factor(c("1", "0"))))
  expect_false(is_binary_var(c(0, 1, 2)))
  expect_false(is_binary_var(c("yes", "no")))
  expect_false(is_binary_var(c(NA_real_, NA_real_)))
  # one column per level, empty levels kept, a missing value a row of zeros
  m <- indicator_matrix(factor(c("a", "c", NA), levels = c("a", "b", "c")))
  expect_equal(m, rbind(c(a = 1, b = 0, c = 0), c(0, 0, 1), c(0, 0, 0)))
})

test_that("catch_all_level() knows the rows that hold whatever the others do not", {
  expect_equal(catch_all_level(c("Other", "Any other ethnic group", "All other", "Female or unknown",
                                 "Other or not known", "Indeterminate", "Not specified")), rep(TRUE, 7))
  expect_equal(catch_all_level(c("Mother", "White and other Asian heritage", "Female", "Unknown", "Brother or other")),
               c(FALSE, FALSE, FALSE, FALSE, TRUE))
})
