by_group_data <- function() {
  data.frame(id = seq_len(128),
             la = rep(c("A", "B", "C"), c(50, 50, 28)),
             class = c(rep(c("X", "Y"), c(30, 20)), rep(c("X", "Y"), c(10, 40)),
                       rep(c("X", "Y"), c(3, 25))))
}

test_that("class_by_group: hand-computed shares and Wilson intervals", {
  tab <- class_by_group(by_group_data(), "class", "la", threshold = 0)
  expect_s3_class(tab, "cscdemand_by_group")
  expect_equal(as.character(tab$group), rep(c("A", "B", "C"), each = 2))
  expect_equal(tab$n, c(30, 20, 10, 40, 3, 25))
  expect_equal(tab$n_group, rep(c(50, 50, 28), each = 2))
  expect_equal(tab$pct, 100 * c(30, 20, 10, 40, 3, 25) / rep(c(50, 50, 28), each = 2))
  ci <- prop.test(30, 50, correct = FALSE)$conf.int
  expect_equal(c(tab$lower[1], tab$upper[1]), 100 * as.vector(ci))
})

test_that("class_by_group suppresses small and recoverable cells", {
  tab <- class_by_group(by_group_data(), "class", "la")
  # C-X = 3 is primary; C-Y is its row complement; the X column then needs a
  # complement (B-X = 10, the smallest), and so does the Y column (B-Y).
  expect_equal(tab$suppressed, c(FALSE, FALSE, TRUE, TRUE, TRUE, TRUE))
  expect_true(all(is.na(tab[tab$suppressed, c("n", "pct", "lower", "upper")])))
  x <- matrix(c(30, 20, 10, 40, 3, 25), ncol = 2, byrow = TRUE)
  expect_safe_suppression(x, matrix(tab$suppressed, ncol = 2, byrow = TRUE), 10)
  expect_false("id" %in% names(tab))
  p <- plot(tab)
  expect_s3_class(p, "ggplot")
  expect_equal(nrow(p$data), 2)
  expect_snapshot(class_by_group(by_group_data(), "class", "region"), error = TRUE)
})

test_that("highest threshold: looked after > CP plan > CIN > assessed; missing kept", {
  cin <- c(0, 1, 1, 0, 1, NA, NA, 0)
  cp  <- c(0, 0, 1, 0, 1, 1, 0, NA)
  la  <- c(0, 0, 0, 1, 1, 0, 0, 0)
  h <- highest_threshold(cin, cp, la)
  expect_equal(as.character(h), c("Assessed, not CIN", "CIN", "CP plan", "Looked after",
                                  "Looked after", "CP plan", "(missing)", "(missing)"))
  expect_equal(levels(h), c(pathway_levels, "(missing)"))
})

test_that("class_pathways: hand-computed table", {
  ep <- data.frame(class = rep(c("K1", "K2"), c(40, 60)),
                   cin = c(rep(0, 10), rep(1, 30), rep(0, 30), rep(1, 30)),
                   cp_plan = c(rep(0, 20), rep(1, 20), rep(0, 40), rep(1, 20)),
                   looked_after = c(rep(0, 30), rep(1, 10), rep(0, 50), rep(1, 10)))
  pw <- class_pathways(ep, "class", threshold = 0)
  expect_s3_class(pw, "cscdemand_pathways")
  expect_equal(as.character(pw$pathway), rep(pathway_levels, 2))
  # K1: 10 assessed, 10 CIN, 10 CP plan, 10 looked after;
  # K2: 30 assessed, 10 CIN, 10 CP, 10 LA
  expect_equal(pw$n, c(10, 10, 10, 10, 30, 10, 10, 10))
  expect_equal(pw$pct, c(25, 25, 25, 25, 50, 100 / 6, 100 / 6, 100 / 6))
  expect_true(is.ordered(pw$pathway))
  p <- plot(pw)
  expect_s3_class(p, "ggplot")
  expect_true(inherits(p$facet, "FacetWrap"))
  bad <- ep
  bad$cin[3] <- 2
  expect_snapshot(class_pathways(bad, "class"), error = TRUE)
  # with small numbers: everything published is >= 10 or 0
  ep2 <- ep
  ep2$looked_after[1:8] <- 1
  pub <- class_pathways(ep2, "class")
  expect_false(any(!is.na(pub$n) & pub$n > 0 & pub$n < 10))
  raw <- class_pathways(ep2, "class", threshold = 0)
  expect_safe_suppression(matrix(raw$n, nrow = 2, byrow = TRUE),
                          matrix(pub$suppressed, nrow = 2, byrow = TRUE), 10)
})

test_that("a class with fewer episodes than the threshold shows no total in the pathways (review)", {
  ep <- data.frame(class = rep(c("K1", "K2", "K3"), c(40, 60, 6)),
                   cin = c(rep(0, 10), rep(1, 30), rep(0, 30), rep(1, 30), rep(1, 6)),
                   cp_plan = c(rep(0, 20), rep(1, 20), rep(0, 40), rep(1, 20), rep(0, 6)),
                   looked_after = c(rep(0, 30), rep(1, 10), rep(0, 50), rep(1, 10), rep(0, 6)))
  pub <- class_pathways(ep, "class")
  # K3 (6) is small, K1 (40) its complement: the class totals add up to 106
  hid <- pub$class %in% c("K1", "K3")
  expect_true(all(is.na(pub$n_class[hid])))
  expect_equal(unique(pub$n_class[!hid]), 60)
  expect_true(all(pub$suppressed[hid]))
  raw <- class_pathways(ep, "class", threshold = 0)
  expect_equal(unique(raw$n_class), c(40, 60, 6))
  expect_safe_suppression(matrix(raw$n, nrow = 3, byrow = TRUE),
                          matrix(pub$suppressed, nrow = 3, byrow = TRUE), 10)
  # per council: a council of 6 episodes is not shown either
  ep$la <- rep(c("A", "B", "C"), c(50, 50, 6))
  bg <- class_by_group(ep, "class", "la")
  expect_true(all(is.na(bg$n_group[bg$group %in% c("C", "A")])))
})

trend_data <- function() {
  set.seed(21)
  ep <- data.frame(year = rep(2019:2023, each = 200))
  ep$class <- ifelse(runif(1000) < 0.15 + 0.05 * (ep$year - 2019), "MH", "Other")
  ep$rereferral <- rbinom(1000, 1, ifelse(ep$class == "MH", 0.3, 0.15))
  ep
}

test_that("class_trends: prevalence, re-referral and trend test by hand", {
  ep <- trend_data()
  tr <- class_trends(ep, "class", "year", rereferral = "rereferral", threshold = 0)
  expect_s3_class(tr, "cscdemand_trends")
  prev <- tr[tr$measure == "prevalence" & tr$class == "MH", ]
  expect_equal(prev$n, as.vector(tapply(ep$class == "MH", ep$year, sum)))
  expect_equal(prev$denominator, rep(200, 5))
  re <- tr[tr$measure == "re-referral" & tr$class == "MH", ]
  expect_equal(re$n, as.vector(tapply(ep$rereferral[ep$class == "MH"], ep$year[ep$class == "MH"], sum)))
  expect_equal(re$pct, 100 * re$n / prev$n)
  # trend: logistic regression on the episode rows (independent of the
  # aggregated fit used inside)
  ref <- glm(I(class == "MH") ~ year, family = binomial, data = ep)
  trend <- attr(tr, "trend")
  expect_equal(trend$odds_ratio[trend$class == "MH"], exp(unname(coef(ref)[2])), tolerance = 1e-6)
  expect_gt(trend$lower[trend$class == "MH"], 1)
  p <- plot(tr)
  expect_s3_class(p, "ggplot")
  expect_equal(nrow(p$data), nrow(tr))
})

test_that("class_trends suppression: counts, complements and denominators", {
  ep <- trend_data()
  ep$rereferral[ep$class == "MH" & ep$year == 2019] <- 0
  ep$rereferral[which(ep$class == "MH" & ep$year == 2019)[1:3]] <- 1
  raw <- class_trends(ep, "class", "year", rereferral = "rereferral", threshold = 0)
  pub <- class_trends(ep, "class", "year", rereferral = "rereferral")
  re_raw <- raw[raw$measure == "re-referral", ]
  re_pub <- pub[pub$measure == "re-referral", ]
  expect_false(any(!is.na(re_pub$n) & re_pub$n > 0 & re_pub$n < 10))
  shown <- !is.na(re_pub$n)
  # the count not re-referred is never small where the count is shown
  no <- re_raw$denominator - re_raw$n
  expect_false(any(shown & no > 0 & no < 10))
  mask <- matrix(re_pub$suppressed, nrow = 5)
  expect_true(mask[1, 1])
  expect_safe_suppression(matrix(re_raw$n, nrow = 5), mask, 10)
  expect_error(class_trends(ep, "class", "year", rereferral = "class"), class = "cscdemand_error_flag")
  ep$rereferral[1] <- NA
  expect_warning(class_trends(ep, "class", "year", rereferral = "rereferral"),
                 class = "cscdemand_warning_missing")
})

test_that("class_trends' chart breaks a line at a suppressed year (the class of reader 10's Kingston Figure 1)", {
  ep <- trend_data()
  ep$rereferral[ep$class == "MH" & ep$year == 2019] <- 0
  ep$rereferral[which(ep$class == "MH" & ep$year == 2019)[1:3]] <- 1
  pub <- class_trends(ep, "class", "year", rereferral = "rereferral")
  hid <- pub[pub$suppressed & pub$measure == "re-referral" & pub$class == "MH", ]
  expect_true(nrow(hid) > 0)
  p <- plot(pub)
  # the plotted line holds the suppressed year as NA (a break), not skipped
  d <- p$data[p$data$measure == "re-referral" & p$data$class == "MH", ]
  expect_setequal(d$year[is.na(d$pct)], hid$year)
  expect_equal(sort(d$year), sort(unique(pub$year)))
  expect_true(all(is.na(d$lower[d$year %in% hid$year])))
})

test_that("flag_rereferral: within 12 months of the same child's previous referral", {
  ep <- data.frame(child = c("a", "b", "a", "a", "a", "c", NA),
                   referral_date = as.Date(c("2021-01-10", "2021-03-03", "2021-06-01", "2022-06-01",
                                             "2023-06-02", NA, "2021-01-01")))
  out <- flag_rereferral(ep, "child", "referral_date")
  # a: first (0), 2021-06-01 within a year of 2021-01-10 (1), 2022-06-01 exactly
  # 12 months after 2021-06-01 (1), 2023-06-02 a year and a day later (0)
  expect_equal(out$rereferral, c(0L, 0L, 1L, 1L, 0L, NA, NA))
  expect_equal(out[names(ep)], ep)
  txt <- ep
  txt$referral_date <- as.character(txt$referral_date)
  expect_equal(flag_rereferral(txt, "child", "referral_date")$rereferral, out$rereferral)
  txt$referral_date[2] <- "not a date"
  expect_error(flag_rereferral(txt, "child", "referral_date"), class = "cscdemand_error_date")
  expect_equal(flag_rereferral(ep, "child", "referral_date", months = 6)$rereferral[3], 1L)
})
