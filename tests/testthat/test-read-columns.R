# The reader's column dictionary (R/read-columns.R).

test_that("the data dictionary and the reader accept the same column names", {
  d <- utils::read.csv(system.file("templates", "cin_data_dictionary.csv", package = "cscdemand"),
                       colClasses = "character", check.names = FALSE)
  al <- cin_column_aliases()
  std_of <- function(col) if (col == "factors") "factor" else col
  for (i in seq_len(nrow(d))) {
    std <- std_of(d$column[i])
    if (!std %in% names(al)) next  # the wide code columns
    names_i <- trimws(strsplit(d$also_accepted_names[i], ",")[[1]])
    # every name the dictionary promises is recognised by the reader
    expect_true(all(cin_key(names_i) %in% c(al[[std]], cin_key(std))), info = d$column[i])
    # every name the reader recognises is in the dictionary
    rows <- d$also_accepted_names[vapply(d$column, std_of, "") == std]
    listed <- cin_key(trimws(unlist(strsplit(rows, ","))))
    expect_equal(setdiff(al[[std]], c(listed, cin_key(d$column[vapply(d$column, std_of, "") == std]))),
                 character(), info = d$column[i])
  }
  expect_true(all(c("la", "child_id", "episode_id", "referral_date", "factor") %in% d$column))
})

test_that("each accepted name belongs to one standard column, and is written as a key", {
  al <- cin_column_aliases()
  keys <- unlist(al, use.names = FALSE)
  owner <- rep(names(al), lengths(al))
  shared <- unique(keys[duplicated(keys)])
  expect_identical(vapply(shared, function(k) paste(owner[keys == k], collapse = " & "), ""),
                   stats::setNames(character(), character()))
  expect_identical(keys[cin_key(keys) != keys], character())
  # a standard name is also accepted as written, as its own first alias
  expect_identical(vapply(al, `[`, "", 1L), cin_key(names(al)), ignore_attr = TRUE)
  expect_identical(cin_key(c("LA Child-ID", "Referral_Date", " S47 ")), c("lachildid", "referraldate", "s47"))
  # the groups of columns are standard columns, outcomes among the characteristics
  expect_true(all(c(cin_characteristics(), cin_identifier_columns()) %in% names(al)))
  expect_true(all(cin_outcomes() %in% cin_characteristics()))
  expect_identical(names(cin_plan_columns(type = TRUE)), cin_plan_columns())
  expect_true(all(cin_plan_columns(type = TRUE) %in% c("days", "count", "flag", "code")))
})
