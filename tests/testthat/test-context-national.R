test_that("compare_to_national on the hand-made fixture", {
  a <- read_cin_assessments(test_path("fixtures", "cin", "long_basic.csv"))
  cmp <- compare_to_national(a, neighbour_edition = 2021)
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
  # The package's one neighbour comparator: the mean of the neighbours' rates (it was
  # the pooled rate here before the comparators were unified).
  expect_equal(cmp$neighbours_rate[cmp$code == "16A"], mean(nb$count / nb$episodes))
  expect_equal(cmp$n_neighbours[cmp$code == "16A"], nrow(nb))
  # Region: DfE's published London figure.
  expect_equal(cmp$region_rate[cmp$code == "16A"],
               n$rate[n$year == 2024 & n$geographic_level == "Regional" &
                        n$region_code %in% "E12000007" & n$code == "16A"])
})

test_that("compare_to_national uses the 2025 neighbours model by default, checked against the source files", {
  a <- read_cin_assessments(test_path("fixtures", "cin", "long_basic.csv"))
  cmp <- compare_to_national(a)
  sn <- sn25_from_csv(314)$neighbour_number
  expect_equal(attr(cmp, "neighbours"), as.character(sn))
  expect_equal(attr(cmp, "neighbour_edition"), 2025L)
  c3 <- utils::read.csv(shared_data_file("c3_factors_identified_at_end_of_assessment_2018_to_2025.csv"),
                        colClasses = "character", check.names = FALSE)
  r <- c3[c3$time_period == "2024" & c3$old_la_code %in% as.character(sn), ]
  v <- suppressWarnings(as.numeric(r$Neglect)) / as.numeric(r$Episodes_with_assessment_factor)
  expect_equal(cmp$neighbours_rate[cmp$code == "16A"], mean(v, na.rm = TRUE))
  e <- c3[c3$time_period == "2024" & c3$geographic_level == "National", ]
  expect_equal(cmp$england_rate[cmp$code == "16A"],
               as.numeric(e$Neglect) / as.numeric(e$Episodes_with_assessment_factor))
  expect_error(compare_to_national(a, neighbour_edition = 2020), class = "cscdemand_error_edition")
  # A plain data frame of episodes with factor columns named by code works too.
  df <- data.frame(la = "Kingston upon Thames", year = 2024, f_16A = c(1, 0, 1, 0), `3B` = c(0, 1, 1, 0),
                   check.names = FALSE)
  d <- compare_to_national(df)
  expect_equal(d$count[match(c("16A", "3B", "1A"), d$code)], c(2L, 2L, 0L))
  expect_equal(d$neighbours_rate, cmp$neighbours_rate)
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

test_that("plot() of compare_to_national() draws the council against its comparators", {
  a <- read_cin_assessments(cin_example)
  cmp <- compare_to_national(a, la = "E09000021", year = 2024)
  expect_s3_class(cmp, "cscdemand_national_comparison")
  expect_s3_class(cmp, "data.frame")
  pdf(NULL)
  on.exit(grDevices::dev.off())
  p <- plot(cmp, top = 5)
  expect_s3_class(p, "ggplot")
  d <- p$data
  expect_setequal(levels(d$who), c("The council's data", "England", "Region",
                                   "Statistical neighbours (mean)"))
  # the five factors with the highest council shares, each with the council's share
  top5 <- utils::head(cmp[order(-cmp$rate, cmp$code), ], 5)
  own <- d[d$who == "The council's data", ]
  expect_equal(sort(own$pct), sort(100 * top5$rate))
  eng <- d[d$who == "England", ]
  expect_equal(eng$pct[match(as.character(own$name), as.character(eng$name))],
               100 * top5$england_rate[match(as.character(own$name), top5$label)])
})
