test_that("national_factor_rates holds DfE table C3 as published", {
  n <- national_factor_rates
  eng <- n[n$geographic_level == "National" & n$year == 2025, ]
  expect_equal(eng$episodes[1], 513250L)
  expect_equal(eng$count[eng$code == "3B"], 162890L)
  expect_equal(eng$count[eng$code == "16A"], 90370L)
  expect_equal(eng$count[eng$code == "8B-8F"], 1950L)
  expect_equal(eng$rate[eng$code == "4B"], 171780 / 513250)
  expect_equal(n$status[n$geographic_level == "National" & n$year == 2021 & n$code == "24A"],
               "not collected")
  expect_setequal(unique(n$year), 2018:2025)
  expect_equal(sort(unique(n$code)), sort(c(setdiff(cin_factors$code, c("8B", "8C", "8D", "8E", "8F", "21")), "8B-8F")))
  k <- n[n$old_la_code %in% "314" & n$year == 2024 & n$code == "1A", ]
  expect_equal(k$la_name, "Kingston upon Thames")
  expect_equal(k$episodes, 1379L)
  expect_true(all(is.na(n$count[n$status != "published"])))
})

test_that("compare_to_national on the hand-made fixture", {
  a <- read_cin_assessments(test_path("fixtures", "cin", "long_basic.csv"))
  cmp <- compare_to_national(a)
  expect_equal(attr(cmp, "year"), 2024L)
  expect_equal(cmp$episodes[1], 6L)
  # E1 and E6 have 16A; E4 has 1B and 3C; E5 has 9A
  expect_equal(cmp$count[match(c("16A", "1B", "3C", "9A", "20", "3B", "4B", "2B"), cmp$code)],
               c(2L, 1L, 1L, 1L, 1L, 1L, 1L, 0L))
  expect_equal(cmp$rate[cmp$code == "16A"], 2 / 6)
  expect_equal(cmp$england_rate[cmp$code == "16A"], 83380 / 506370)
  expect_equal(cmp$ratio_england[cmp$code == "16A"], (2 / 6) / (83380 / 506370))
  # Kingston's own C3 figure and its ten statistical neighbours (DfE 2021 groupings)
  expect_equal(cmp$la_published_rate[cmp$code == "1A"], 38 / 1379)
  sn <- c("302", "319", "315", "318", "868", "870", "936", "919", "867", "305")
  expect_setequal(attr(cmp, "neighbours"), sn)
  n <- national_factor_rates
  nb <- n[n$year == 2024 & n$old_la_code %in% sn & n$code == "16A" & n$status == "published", ]
  expect_equal(cmp$neighbours_rate[cmp$code == "16A"], sum(nb$count) / sum(nb$episodes))
})

test_that("compare_to_national works from episodes and checks its arguments", {
  ep <- episode_factors(cin_example, exclude = NULL, min_count = 0, no_factors = "keep",
                        other_only = "keep")
  a <- read_cin_assessments(cin_example)
  c1 <- compare_to_national(ep, la = "E08000024", year = 2023)
  c2 <- compare_to_national(a, la = "E08000024", year = 2023)
  expect_equal(c1$count, c2$count)
  expect_error(compare_to_national(a), class = "cscdemand_error_input")   # 3 councils
  expect_error(compare_to_national(a, la = "nowhere"), class = "cscdemand_error_input")
  expect_error(compare_to_national(a, la = "E08000024", year = 2019), class = "cscdemand_error_input")
  expect_error(compare_to_national(data.frame()), class = "cscdemand_error_input")
  expect_error(compare_to_national(episode_factors(cin_example), la = "E08000024"), NA)
})
