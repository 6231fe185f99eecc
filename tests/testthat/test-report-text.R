# The argued choice of K and the deprivation sentences (issue 23: items 7, 10).

test_that("the K rule is stated, and disagreement between the criteria is said", {
  tab <- data.frame(k = 1:6, BIC = c(500, 450, 440, 445, 452, 460), n_best = 5, n_finished = 5)
  cv <- data.frame(k = 1:6, heldout_ll = c(-5, -4.8, -4.7, -4.65, -4.6, -4.7))
  bl <- data.frame(k = 2:5, p_value = c(0.01, 0.01, 0.01, 0.4))
  r <- report_k_choice(tab, cv, bl, blrt_reps = 99, blrt_size = 3000, blrt_total = 18641, seed = 2020)
  expect_identical(r$k, 3L)
  expect_identical(r$k_cv, 5L)
  expect_equal(r$k_blrt, 4)
  expect_false(r$agree)
  expect_match(r$text, "The rule, fixed before looking at the categories", fixed = TRUE)
  expect_match(r$text, "The criteria disagree: the likelihood ratio test points to K = 4 and cross-validation points to K = 5", fixed = TRUE)
  r5 <- report_k_choice(tab, data.frame(k = 1:6, heldout_ll = c(-5, -4.8, -4.7, -4.6, -4.65, -4.7)), bl)
  expect_match(r5$text, "cross-validation and the likelihood ratio test both point to K = 4", fixed = TRUE)
  expect_match(r$text, "random sample of 3,000 of the 18,641 episodes drawn with seed 2020", fixed = TRUE)
  # agreement
  bl2 <- data.frame(k = 2:4, p_value = c(0.01, 0.01, 0.3))
  cv2 <- data.frame(k = 1:6, heldout_ll = c(-5, -4.8, -4.6, -4.65, -4.66, -4.7))
  r2 <- report_k_choice(tab, cv2, bl2, blrt_reps = 99)
  expect_true(r2$agree)
  expect_match(r2$text, "The criteria agree.", fixed = TRUE)
  # a significant gain at every K: the test sets no upper limit, and says so
  r3 <- report_k_choice(tab, NULL, data.frame(k = 2:6, p_value = 0.01), blrt_reps = 99)
  expect_match(r3$text, "at every K tested, up to K = 6, so it sets no upper limit", fixed = TRUE)
  # the lowest BIC at K = 1: the best model with two or more classes
  tab1 <- data.frame(k = 1:3, BIC = c(100, 120, 130), n_best = 3, n_finished = 3)
  expect_identical(report_k_choice(tab1)$k, 2L)
  # the analyst's K
  r4 <- report_k_choice(tab, cv, k_use = 5)
  expect_identical(r4$k, 5)
  expect_match(r4$text, "as set by the analyst", fixed = TRUE)
  expect_error(report_k_choice(data.frame(k = 1, BIC = 3)), class = "cscdemand_error_data")
})

test_that("pooled deprivation results are labelled pooled, with the council's own beside them", {
  own <- data.frame(class = c("Neglect", "Domestic abuse", "Disability"), n = 500,
                    odds_ratio = c(0.98, 1.01, 1.2), lower = NA, upper = NA,
                    p_value = c(0.3, 0.7, 0.0001))
  pooled <- data.frame(class = c("Neglect", "Domestic abuse", "Disability"), n = 5000,
                       odds_ratio = c(0.9, 1.01, 1.1), lower = NA, upper = NA,
                       p_value = c(0.0001, 0.7, 0.001))
  s <- deprivation_sentences(own, pooled, council = "Sunderland", n_councils = 3)
  expect_match(s[1], "^In all three councils together \\(pooled")
  expect_match(deprivation_sentences(own, pooled, council = "Sunderland", n_councils = 2)[1],
               "^In both councils together \\(pooled")
  expect_match(s[1], "*Neglect* is more common in more deprived", fixed = TRUE)
  expect_match(s[2], "^In Sunderland alone, \\*Disability\\* is more common in less deprived")
  expect_no_match(s[2], "Neglect", fixed = TRUE)
  expect_match(s[3], "not Sunderland", fixed = TRUE)
  # one council: no pooled sentence
  s1 <- deprivation_sentences(own, council = "Sunderland")
  expect_length(s1, 1)
  expect_match(s1, "^In Sunderland, ")
  # Holm across the categories: 0.02 with three categories is not significant
  own2 <- own
  own2$p_value <- c(0.02, 0.5, 0.6)
  expect_match(deprivation_sentences(own2, council = "X"), "no category's chance changes clearly", fixed = TRUE)
})

test_that("the K text agrees in number and does not contradict itself about cross-validation", {
  tb <- data.frame(k = 1:4, bic = c(100, 90, 95, 99), n_best = c(5, 3, 1, 1), n_finished = 5)
  txt <- report_k_text(tb, k = 2, k_bic = 2, k_rule = 2, k_use = NULL, k_cv = 4, k_blrt = NA,
                       blrt = NULL, agree = FALSE, reps = NULL, size = NULL, total = NULL,
                       seed = 1, alpha = 0.05)
  expect_match(txt, "cross-validation keeps finding", fixed = TRUE)
  expect_no_match(txt, "sets no upper limit", fixed = TRUE)
  expect_match(txt, "largest K tried: it may favour still more categories", fixed = TRUE)
  expect_match(txt, "found more than once", fixed = TRUE)
})

test_that("the deprivation text names the editions used, and 'Not known' only when the row is there", {
  # 2011 codes only link to IMD 2019 (link_imd()), and the sentence says so, with no IMD 2025
  linked <- link_imd(data.frame(lsoa = c("E01000001", "E01000002", "E01999999")), lsoa = "lsoa",
                     on_unknown = "keep")
  eds <- unique(stats::na.omit(linked$imd_edition))
  t19 <- imd_edition_text(eds, not_known = FALSE)
  expect_match(t19$sentence, paste0("IMD ", eds, " decile"))
  expect_no_match(t19$sentence, "Not known")
  expect_match(t19$reference, paste("English Indices of Deprivation", eds))
  expect_equal(lengths(regmatches(t19$reference, gregexpr("English Indices of Deprivation 20[0-9]{2}", t19$reference))), 1)
  if (identical(as.integer(eds), 2019L)) expect_no_match(t19$reference, "Deprivation 2025")
  # both vintages: both editions, each cited
  both <- imd_edition_text(c(2025, 2019, NA), not_known = TRUE)
  expect_match(both$sentence, "IMD 2019 and IMD 2025")
  expect_match(both$sentence, "\"Not known\"")
  expect_equal(sum(grepl("English Indices of Deprivation 20(19|25)", both$reference)), 2)
  expect_error(imd_edition_text(2010), class = "cscdemand_error_data")
})
