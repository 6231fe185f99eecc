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
