# An extract that reproduces a council's published C3 counts exactly.
fake_extract <- function(la_number = 937, year = 2025) {
  p <- context_factors[context_factors$la_number %in% la_number & context_factors$year == year, ]
  n <- p$count[p$measure == "episodes_with_factors"]
  f <- p[p$measure != "episodes_with_factors" & !is.na(p$count), ]
  # Each factor fills count_k consecutive episodes, wrapping round: every episode gets a
  # factor (the counts add up to more than n) and none gets the same factor twice.
  start <- cumsum(c(0, f$count))[seq_len(nrow(f))]
  cols <- lapply(seq_len(nrow(f)), function(k) {
    v <- integer(n)
    if (f$count[k] > 0) v[((start[k] + seq_len(f$count[k]) - 1) %% n) + 1] <- 1L
    v
  })
  names(cols) <- paste0("f_", sub("8B-8F", "8B", f$measure))
  stopifnot(sum(f$count) >= n, all(f$count <= n))
  data.frame(la = la_number, year = year, cols, check.names = FALSE)
}

test_that("an extract that matches the published return agrees on every count", {
  e <- fake_extract()
  cmp <- compare_published(e, verbose = FALSE)
  expect_s3_class(cmp, "cscdemand_context_comparison")
  expect_equal(cmp$measure[1], "episodes_with_factors")
  expect_true(all(cmp$status == "agrees"))
  expect_true(all(cmp$difference == 0))
  expect_false(any(cmp$flag))
  pub <- context_factors[context_factors$la_number %in% 937 & context_factors$year == 2025, ]
  expect_equal(cmp$published, pub$count[match(cmp$measure, pub$measure)])
  expect_rounded(cmp$published_percent[-1], cmp$extract_percent[-1])
})

test_that("an extract that lost records is flagged beyond the tolerance", {
  e <- fake_extract()
  lost <- e[-seq_len(round(0.1 * nrow(e))), ]
  expect_message(cmp <- compare_published(lost), "differ")
  top <- cmp[cmp$measure == "episodes_with_factors", ]
  expect_true(top$flag)
  expect_equal(top$difference, -round(0.1 * nrow(e)))
  expect_equal(top$relative_difference, top$difference / top$published)
  # A tolerance wider than the loss flags nothing.
  cmp2 <- compare_published(lost, tolerance = 0.5, verbose = FALSE)
  expect_false(cmp2$flag[cmp2$measure == "episodes_with_factors"])
  # min_difference guards small counts.
  cmp3 <- compare_published(lost, tolerance = 0, min_difference = 1e6, verbose = FALSE)
  expect_false(any(cmp3$flag))
})

test_that("columns can be mapped by argument, by bare code or by R's X-prefixed code", {
  e <- fake_extract()
  e2 <- e[, c("la", "year", "f_3A", "f_16A")]
  names(e2)[3:4] <- c("dv_child", "neglect")
  cmp <- compare_published(e2, factors = c(dv_child = "3A", neglect = "16A"), verbose = FALSE)
  expect_equal(cmp$measure, c("episodes_with_factors", "3A", "16A"))
  expect_equal(cmp$status[2:3], c("agrees", "agrees"))
  expect_match(cmp$status[1], "not comparable")
  expect_false(cmp$flag[1])

  e3 <- data.frame(la = "Warwickshire", year = 2025, `3A` = e$f_3A, check.names = TRUE)
  expect_equal(names(e3)[3], "X3A")
  cmp <- compare_published(e3, verbose = FALSE)
  expect_equal(cmp$measure[2], "3A")
  expect_equal(cmp$status[2], "agrees")

  # Council given by argument instead of a column; logical flags.
  e4 <- data.frame(year = 2025, f_3A = as.logical(e$f_3A))
  cmp <- compare_published(e4, la_col = NULL, la = "E10000031", verbose = FALSE)
  expect_equal(cmp$status[2], "agrees")
})

test_that("withheld published figures and unpublished years are not compared", {
  cell <- context_factors[context_factors$level == "Local authority" &
                            context_factors$year == 2025 &
                            context_factors$count_mark %in% "c", ][1, ]
  e <- data.frame(la = cell$la_number, year = 2025, x = c(1, 0, 1))
  cmp <- compare_published(e, factors = c(x = sub("-8F", "", cell$measure)), verbose = FALSE)
  r <- cmp[cmp$measure == cell$measure, ]
  expect_true(is.na(r$published))
  expect_equal(r$published_mark, "c")
  expect_equal(r$status, "not published (c)")
  expect_false(r$flag)
  old <- compare_published(data.frame(la = 937, year = 2016, f_3A = 1), verbose = FALSE)
  expect_equal(unique(old$status), "year not published")
})

test_that("bad input is a classed error naming the column and values", {
  e <- data.frame(la = 937, year = 2025, f_3A = c(0, 1, 2))
  err <- expect_error(compare_published(e), class = "cscdemand_error_column")
  expect_match(conditionMessage(err), "f_3A")
  expect_match(conditionMessage(err), "2")
  expect_error(compare_published(data.frame(la = 937, year = 2025, z = 1)),
               class = "cscdemand_error_column")
  expect_error(compare_published(data.frame(la = 937, year = "2025/26", f_3A = 1)),
               class = "cscdemand_error_column")
  expect_error(compare_published(data.frame(year = 2025, f_3A = 1)),
               class = "cscdemand_error_column")
  expect_error(compare_published(data.frame(la = "Warwickshre", year = 2025, f_3A = 1)),
               class = "cscdemand_error_council")
  expect_error(compare_published(data.frame(la = 937, year = 2025, a = 1), factors = c(a = "21")),
               class = "cscdemand_error_input")
  expect_error(compare_published(data.frame(la = 937, year = 2025, a = 1), factors = c(b = "3A")),
               class = "cscdemand_error_column")
  expect_error(compare_published(1:3), class = "cscdemand_error_input")
})

test_that("with referrals = TRUE the number of rows is compared with published referrals", {
  ref <- context_published$count[context_published$la_number %in% 937 &
                                   context_published$year == 2024 &
                                   context_published$measure == "referrals"]
  e <- data.frame(la = 937, year = 2024, f_3A = rep(0:1, length.out = ref))
  cmp <- compare_published(e, referrals = TRUE, verbose = FALSE)
  expect_equal(cmp$measure[1], "referrals")
  expect_equal(cmp$extract[1], ref)
  expect_equal(cmp$status[1], "agrees")
  short <- compare_published(e[-(1:500), ], referrals = TRUE, verbose = FALSE)
  expect_equal(short$difference[1], -500)
  expect_true(short$flag[1])
  expect_false("referrals" %in% compare_published(e, verbose = FALSE)$measure)
})

test_that("compare_published() reads columns with the package's one code mapper and takes CIN objects", {
  # DfE column names and codes in any case are read as cin_match_codes() reads them.
  e <- data.frame(la = "Warwickshire", year = 2025, Domestic_Abuse_parent = c(1, 0, 1),
                  f_16a = c(0, 1, 1))
  cmp <- compare_published(e, verbose = FALSE)
  expect_setequal(setdiff(cmp$measure, "episodes_with_factors"), c("3B", "16A"))
  expect_equal(cmp$extract[cmp$measure == "3B"], 2)
  expect_equal(unname(attr(cmp, "factors")), c("3B", "16A"))
  # A cin_assessments object is counted as compare_to_national() counts it.
  a <- read_cin_assessments(test_path("fixtures", "cin", "long_basic.csv"))
  ctn <- compare_to_national(a, neighbours = FALSE)
  cp <- compare_published(a, verbose = FALSE)
  m <- match(cp$measure, ctn$code)
  expect_equal(cp$extract[!is.na(m)], ctn$count[m[!is.na(m)]])
  expect_equal(cp$extract[cp$measure == "16A"], 2)
  expect_error(compare_published(e, factors = c(f_16a = "99Z")), class = "cscdemand_error_input")
})
