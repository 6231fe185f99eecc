test_that("target rates are DfE table C3 national figures", {
  r <- cin_sim_rates(2024)
  # England 2023-24, published C3: Domestic_Abuse_parent 160,600 of 506,370 episodes
  expect_equal(r[["3B"]], 160600 / 506370)
  expect_equal(r[["16A"]], 83380 / 506370)
  expect_equal(r[["8B"]], 2040 / 506370 / 5)      # private fostering pooled over 8B-8F
  expect_equal(r[["21"]], 0)
  expect_equal(cin_sim_rates(2020)[["18B"]], 0)   # not collected before 2020-21
  expect_equal(cin_sim_rates(2021)[["24A"]], 0)   # not collected before 2021-22
  expect_equal(cin_sim_rates(2020)[["18A"]], 70740 / 522990)
})

test_that("class probabilities reproduce the target marginal rates", {
  sizes <- kingston_classes()$size
  for (y in c(2019, 2024)) {
    P <- cin_sim_probs(y, sizes)
    r <- cin_sim_rates(y)
    expect_equal(as.vector(P %*% sizes), as.vector(r), tolerance = 1e-8)
    expect_true(all(P >= 0 & P <= 0.95))
  }
})

test_that("simulated rates match C3 and classes differ as designed", {
  d <- simulate_cin(las = "E10000018", years = 2024, n_episodes = 20000, layout = "codes",
                    seed = 11)
  a <- read_cin_assessments(d)
  ep <- episode_factors(a, exclude = NULL, min_count = 0, no_factors = "keep",
                        other_only = "keep")
  expect_equal(nrow(ep), 20000L)
  r <- cin_sim_rates(2024)
  for (cc in c("3B", "4B", "16A", "17A", "1B", "10A")) {
    obs <- mean(ep[[cc]])
    se <- sqrt(r[[cc]] * (1 - r[[cc]]) / nrow(ep))
    expect_lt(abs(obs - r[[cc]]), 4 * se)
  }
  age <- tapply(ep$age, ep$true_class, mean)
  expect_gt(age[["out_of_control"]], age[["neglect"]] + 4)
  expect_gt(age[["out_of_control"]], age[["domestic_violence"]] + 4)
  cpp <- tapply(ep$cp_plan, ep$true_class, mean)
  expect_equal(names(which.max(cpp)), "complex_needs_2")
  neg <- tapply(ep[["16A"]], ep$true_class, mean)
  expect_equal(names(which.max(neg)), "neglect")
  pol <- tapply(ep$referral_source == "Police", ep$true_class, mean)
  expect_equal(names(which.max(pol)), "domestic_violence")
  expect_gt(mean(ep$rereferral), 0.15)
  expect_lt(mean(ep$rereferral), 0.30)
  # every LSOA is a real 2011 LSOA of Leicestershire
  l <- cin_sim_lsoas()
  expect_true(all(ep$lsoa %in% l$lsoa11[l$la_code == "E10000018"]))
  # more episodes in deprived deciles than children alone would give
  dec <- l$imd_decile[match(ep$lsoa, l$lsoa11)]
  kids <- l[l$la_code == "E10000018", ]
  expect_gt(mean(dec <= 3), sum(kids$children_0_15[kids$imd_decile <= 3]) / sum(kids$children_0_15))
})

test_that("re-referrals are the same child referred again within 12 months", {
  d <- simulate_cin(years = 2023:2024, n_episodes = 3000, layout = "codes", seed = 3)
  ep <- episode_factors(read_cin_assessments(d), exclude = NULL, min_count = 0,
                        no_factors = "keep", other_only = "keep")
  ep <- ep[order(ep$child_id, ep$referral_date), ]
  prev <- c(NA, ep$referral_date[-nrow(ep)])
  same <- c(FALSE, ep$child_id[-1] == ep$child_id[-nrow(ep)])
  gap <- as.numeric(ep$referral_date) - prev
  re <- ep$rereferral == 1L
  expect_true(all(same[re] & gap[re] >= 14 & gap[re] <= 365))
})

test_that("the three layouts hold the same data; seeds reproduce without side effects", {
  set.seed(1)
  before <- .Random.seed
  l <- simulate_cin(n_episodes = 300, layout = "long", seed = 7)
  expect_identical(.Random.seed, before)
  co <- simulate_cin(n_episodes = 300, layout = "codes", seed = 7)
  w <- simulate_cin(n_episodes = 300, layout = "wide", seed = 7)
  el <- episode_factors(l, exclude = NULL, min_count = 0, no_factors = "keep", other_only = "keep")
  ec <- episode_factors(co, exclude = NULL, min_count = 0, no_factors = "keep", other_only = "keep")
  ew <- episode_factors(w, exclude = NULL, min_count = 0, no_factors = "keep", other_only = "keep")
  fc <- factor_columns(el)
  expect_equal(as.matrix(el[fc]), as.matrix(ec[fc]))
  expect_equal(as.matrix(el[fc]), as.matrix(ew[fc]))
  expect_equal(nrow(el), 300L)
  expect_true(all(el$n_assessments >= 1L))
  expect_equal(attr(l, "truth")$class_sizes, stats::setNames(kingston_classes()$size,
                                                             kingston_classes()$class))
})

test_that("codes follow the census year (split abuse codes, 24A)", {
  d <- simulate_cin(years = c(2020, 2022), n_episodes = 4000, layout = "long", seed = 2)
  expect_false(any(d$factor %in% c("18B", "18C", "19B", "19C", "24A") & d$year == 2020))
  expect_true(any(d$factor == "24A" & d$year == 2022))
})

test_that("bad arguments give classed errors", {
  expect_error(simulate_cin(las = "E06000001"), class = "cscdemand_error_input")
  expect_error(simulate_cin(years = 2010), class = "cscdemand_error_input")
  expect_error(simulate_cin(class_sizes = 1:3), class = "cscdemand_error_input")
  expect_error(simulate_cin(n_episodes = 0), class = "cscdemand_error_input")
})

test_that("cin_example is about 20,000 episodes in three councils and three years", {
  expect_equal(length(unique(cin_example$episode_id)), 20000L)
  expect_setequal(unique(cin_example$la), c("E09000021", "E10000018", "E08000024"))
  expect_setequal(unique(cin_example$year), 2022:2024)
  expect_equal(sort(unique(cin_example$true_class)), sort(kingston_classes()$class))
  expect_equal(nrow(cin_sim_councils()), 4L)
})

test_that("simulate_cin() resolves councils as find_council() does", {
  by_name <- simulate_cin(las = c("Leicestershire", "314"), n_episodes = 40, seed = 3)
  by_code <- simulate_cin(las = c("E10000018", "E09000021"), n_episodes = 40, seed = 3)
  expect_identical(by_name, by_code)
  expect_error(simulate_cin(las = "Warwickshire"), "cannot be simulated")
  expect_error(simulate_cin(las = "Warwickshre"), class = "cscdemand_error_council")
})

test_that("the simulator's class tables follow kingston_classes(), and each row of probabilities sums to 1", {
  classes <- kingston_classes()$class
  expect_identical(cin_sim_class_traits$class, classes)
  for (m in list(cin_sim_referral_probs, cin_sim_need_probs, cin_sim_cp_category_probs)) {
    expect_identical(rownames(m), classes)
    expect_equal(unname(rowSums(m)), rep(1, length(classes)), tolerance = 1e-12)
  }
  expect_identical(colnames(cin_sim_referral_probs), names(cin_sim_referral_groups))
  expect_setequal(unlist(cin_sim_referral_groups),
                  c("1A", "1B", "1C", "1D", "2A", "2B", paste0("3", LETTERS[1:6]), "4",
                    paste0("5", LETTERS[1:4]), "6", "7", "8", "9", "10"))
  expect_equal(sum(cin_sim_ethnicity$prob), 1)
  expect_equal(sum(cin_sim_constants$assessments_per_episode), 1)
  probs <- as.matrix(cin_sim_class_traits[startsWith(names(cin_sim_class_traits), "p_")])
  expect_true(all(probs > 0 & probs < 1))
})
