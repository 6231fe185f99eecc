# What a reader can work out from a published context table: for each
# variable, a hidden set of counts whose total follows from n (and n_known,
# where shown) and the shown counts is recoverable when it is one cell, or
# when its total is a small number (the number not known, n - n_known).
context_recoverable <- function(t, threshold) {
  any(vapply(split(seq_len(nrow(t)), t$variable), function(r) {
    x <- t[r, ]
    if (all(is.na(x$n))) return(FALSE)  # the whole group is hidden
    known <- !x$level %in% c("Missing", "Don't know")
    lines <- list(list(cells = rep(TRUE, nrow(x)), total = x$n[1]))
    if (!is.na(x$n_known[1])) {
      lines <- c(lines, list(list(cells = known, total = x$n_known[1]),
                             list(cells = !known, total = x$n[1] - x$n_known[1])))
    }
    # the hidden cells that are not known, and their total, follow from n when
    # every known count is shown
    if (all(!is.na(x$count[known]))) {
      rest <- x$n[1] - sum(x$count[known])
      if (rest > 0 && rest < threshold) return(TRUE)
    }
    any(vapply(lines, function(l) {
      hid <- l$cells & is.na(x$count)
      sum(hid) == 1L
    }, logical(1)))
  }, logical(1)))
}

test_that("context_suppress() hides small counts and one more where one would be recoverable", {
  # 5 and 3 hidden together would be pinned to 0..8 by the total: 40 goes too
  expect_equal(context_suppress(c(40, 52, 5, 3)), c("secondary", NA, "small", "small"))
  expect_equal(context_suppress(c(40, 52, 5, 6)), c(NA, NA, "small", "small"))
  expect_equal(context_suppress(c(40, 52, 5)), c("secondary", NA, "small"))
  expect_equal(context_suppress(c(40, 52, 0)), rep(NA_character_, 3)) # zero is shown
  expect_equal(context_suppress(c(9, 10), threshold = 10), c("small", "secondary"))
  expect_equal(context_suppress(c(9, 10), threshold = 9), rep(NA_character_, 2))
  expect_equal(context_suppress(c(1, 2, 3), threshold = 1), rep(NA_character_, 3))
  expect_equal(context_suppress(c(5, NA, 20)), c("small", NA, "secondary"))
  expect_equal(context_suppress(7), "small")
})

test_that("context_table() gives count, % and n with Missing and Don't know as levels", {
  d <- data.frame(
    gender = c(rep("Female", 40), rep("Male", 45), rep(NA, 12), rep("don't know", 3)),
    source = factor(c(rep("Police", 60), rep("School", 30), rep("Health", 10)),
                    levels = c("School", "Police", "Health")),
    stringsAsFactors = FALSE)
  t <- context_table(d, c("gender", "source"))
  expect_s3_class(t, "cscdemand_context_table")
  g <- t[t$variable == "gender", ]
  expect_equal(g$level, c("Female", "Male", "Don't know", "Missing"))
  # Don't know (3) is small; Missing (12) is withheld too, or it would give Don't know
  # away as n - n_known - 12.
  expect_equal(g$count, c(40, 45, NA, NA))
  expect_equal(g$suppressed, c(NA, NA, "small", "secondary"))
  expect_equal(g$n, rep(100, 4))
  expect_equal(g$percent, c(40, 45, NA, NA))
  # 15 unknown or missing: n_known can be shown (15 >= 10).
  expect_equal(unique(g$n_known), 85)
  expect_equal(g$percent_known[1:2], 100 * c(40, 45) / 85)
  expect_true(all(is.na(g$percent_known[3:4])))
  s <- t[t$variable == "source", ]
  expect_equal(s$level, c("School", "Police", "Health")) # factor order kept
  expect_equal(s$count, c(30, 60, 10))
  expect_equal(sum(s$percent), 100)
})

test_that("a lone small unknown level forces its partner and n_known to be withheld", {
  d <- data.frame(x = c(rep("a", 50), rep("b", 30), rep(NA, 15), rep("Don't know", 5)))
  t <- context_table(d, "x")
  expect_equal(t$suppressed, c(NA, NA, "small", "secondary"))
  expect_true(all(is.na(t$count[3:4])))
  # n - n_known = 20 >= 10, so n_known stays
  expect_equal(unique(t$n_known), 80)
  d2 <- data.frame(x = c(rep("a", 50), rep("b", 30), rep(NA, 4)))
  t2 <- context_table(d2, "x")
  expect_true(all(is.na(t2$n_known)))
  expect_true(all(is.na(t2$percent_known)))
  # n - a - b would give the 4 missing: the engine hides b as well
  expect_equal(t2$count, c(50, NA, NA))
  expect_equal(t2$suppressed, c(NA, "secondary", "small"))
  expect_false(context_recoverable(t2, 10))
})

test_that("no small number of unknown or missing values can be worked out from n (review)", {
  # Don't know alone and small: n - Female - Male gave it back
  d1 <- data.frame(g = c(rep("Female", 45), rep("Male", 50), rep("Don't know", 5)))
  t1 <- context_table(d1, "g")
  expect_false(context_recoverable(t1, 10))
  expect_equal(t1$count, c(NA, 50, NA))
  expect_true(all(is.na(t1$n_known)))
  # Missing 3 and Don't know 4, both hidden: their total 7 was n - shown counts
  d2 <- data.frame(g = c(rep("a", 40), rep("b", 33), rep("Don't know", 4), rep(NA, 3)))
  t2 <- context_table(d2, "g")
  expect_false(context_recoverable(t2, 10))
  expect_equal(t2$count, c(40, NA, NA, NA))
  # with a threshold of 5, the 7 not known is no small number: n_known is shown
  # and the 4 and the 3 protect each other
  t3 <- context_table(d2, "g", threshold = 5)
  expect_false(context_recoverable(t3, 5))
  expect_equal(t3$count, c(40, 33, NA, NA))
  expect_equal(unique(t3$n_known), 73)
  # 12 not known: n_known is shown and the two sets are protected apart
  d4 <- data.frame(g = c(rep("a", 40), rep("b", 33), rep("Don't know", 4), rep(NA, 8)))
  t4 <- context_table(d4, "g")
  expect_false(context_recoverable(t4, 10))
  expect_equal(t4$count, c(40, 33, NA, NA))
  expect_equal(unique(t4$n_known), 73)
})

test_that("context_table() works within groups and suppresses small groups", {
  d <- data.frame(g = c(rep("A", 60), rep("B", 6)), x = c(rep(c("p", "q"), 30), rep("p", 6)))
  t <- context_table(d, "x", by = "g")
  a <- t[t$group == "A", ]
  expect_equal(a$count, c(30, 30))
  expect_equal(a$n, c(60, 60))
  b <- t[t$group == "B", ]
  expect_true(all(b$suppressed == "group"))
  expect_true(all(is.na(b$n)))
  out <- expect_output(print(t), "c", fixed = TRUE) |> suppressMessages()
})

test_that("context tables print suppressed figures as c, with the threshold in the note (review)", {
  d <- data.frame(x = c(rep("a", 40), rep("b", 33), rep("Don't know", 4), rep(NA, 3)))
  for (th in c(5, 10, 20)) {
    t <- context_table(d, "x", threshold = th)
    msg <- NULL
    out <- withCallingHandlers(capture.output(print(t)), message = function(m) {
      msg <<- c(msg, conditionMessage(m))
      invokeRestart("muffleMessage")
    })
    # no hard-coded 10 and no other mark than the package's "c"
    expect_false(any(grepl("<|\\*", out)))
    expect_match(paste(msg, collapse = " "), paste0("counts below ", th), fixed = TRUE)
    from <- regexpr("count", out[1])
    to <- regexpr("percent ", out[1]) - 1L
    expect_equal(trimws(substring(out[-1], from, to)) == "c", !is.na(t$suppressed))
    # n_known is withheld (10 and 20) or shown (5)
    nk <- trimws(substring(out[-1], regexpr("n_known", out[1])))
    expect_equal(nk == "c", is.na(t$n_known))
  }
})

test_that("context_table() checks its input", {
  d <- data.frame(x = 1:3)
  expect_error(context_table(list(x = 1), "x"), class = "cscdemand_error_input")
  expect_error(context_table(d, "y"), class = "cscdemand_error_column")
  err <- expect_error(context_table(d, "y"))
  expect_match(conditionMessage(err), "y")
  expect_error(context_table(d, "x", threshold = 0), class = "cscdemand_error_input")
  expect_error(context_table(d, "x", by = c("x", "x")), class = "cscdemand_error_input")
})
