# The shipped reference views and lookups bound in R/reference.R.

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

test_that("districts map to children's services authorities, mergers included", {
  la_of <- function(code) la_lookup$la_code[match(code, la_lookup$district_code)]
  expect_equal(la_of(c("E07000026", "E07000027")), c("E06000063", "E06000064"))  # Cumbria 2023
  expect_equal(la_of("E07000163"), "E06000065")                                   # North Yorkshire
  expect_equal(la_of("E07000246"), "E06000066")                                   # Somerset
  expect_equal(la_of(c("E07000150", "E07000154")), c("E06000061", "E06000062"))   # Northants 2021
  expect_equal(la_of("E07000004"), "E06000060")                                   # Bucks 2020
  expect_equal(la_of("E07000035"), "E10000007")                                   # Derbyshire Dales
  expect_equal(la_of("E09000001"), "E09000001")
  expect_true(all(imd2019_lsoa$lad19_code %in% la_lookup$district_code))
  expect_true(all(imd2015_lsoa$lad13_code %in% la_lookup$district_code))
  for (ed in c(2015, 2019)) {
    x <- imd_la[imd_la$edition == ed, ]
    expect_equal(nrow(x), 153L)
    expect_equal(sort(x$imd_rank), 1:153)
    expect_true(all(table(x$imd_decile) %in% 15:16))
    expect_equal(sum(x$n_lsoa), 32844L)
    # decile 1 holds the highest average scores
    expect_true(min(x$imd_score[x$imd_decile == 1]) > max(x$imd_score[x$imd_decile == 2]))
  }
  # Blackpool is the most deprived authority on the average score (IMD 2019)
  x <- imd_la[imd_la$edition == 2019, ]
  expect_equal(x$la_name[x$imd_rank == 1], "Blackpool")
})

test_that("context_neighbour_numbers() reads DfE's neighbours, closest first, in both editions", {
  sn <- context_neighbours
  k <- find_council("Kingston upon Thames")
  for (ed in c(2021L, 2025L)) {
    own <- sn[sn$edition == ed & sn$la_number == 314L, ]
    own <- own[order(own$rank), ]
    nb <- context_neighbour_numbers(k, ed)
    expect_equal(as.integer(nb), own$neighbour_number, ignore_attr = TRUE)
    expect_equal(names(nb), context_councils$name[match(own$neighbour_number, context_councils$la_number)])
    expect_equal(attr(nb, "closeness"), own$closeness)
    expect_equal(attr(nb, "edition"), ed)
    expect_null(attr(nb, "note"))
    expect_length(nb, 10)
  }
  # the April 2021 groupings as DfE published them (also used by compare_to_national())
  expect_equal(as.integer(context_neighbour_numbers(k, 2021)),
               c(302L, 319L, 315L, 318L, 868L, 870L, 936L, 919L, 867L, 305L))
  # the two editions differ
  expect_false(identical(as.integer(context_neighbour_numbers(k, 2021)),
                         as.integer(context_neighbour_numbers(k, 2025))))
  expect_equal(as.integer(context_neighbour_numbers(k)), as.integer(context_neighbour_numbers(k, 2025)))
})

test_that("a council new since the 2021 groupings borrows its predecessor's neighbours, with a note", {
  sn <- context_neighbours
  cumbria <- sn[sn$edition == 2021 & sn$la_number == 909L, ]
  cumbria <- cumbria[order(cumbria$rank), ]
  for (la in c(942L, 943L)) {  # Cumberland, Westmorland and Furness (from Cumbria, 2023)
    expect_false(la %in% sn$la_number[sn$edition == 2021])
    nb <- context_neighbour_numbers(find_council(la), 2021)
    expect_equal(as.integer(nb), cumbria$neighbour_number, ignore_attr = TRUE)
    expect_match(attr(nb, "note"), "the neighbours of Cumbria are used", fixed = TRUE)
    # their own 2025 neighbours need no borrowing
    expect_null(attr(context_neighbour_numbers(find_council(la), 2025), "note"))
  }
})

test_that("a neighbour abolished since the groupings is followed by its successors", {
  # North Northamptonshire's 2021 neighbours include Cumbria (909), split in 2023
  nn <- find_council("North Northamptonshire")
  own <- context_neighbours[context_neighbours$edition == 2021 & context_neighbours$la_number == nn$la_number, ]
  own <- own[order(own$rank), ]
  expect_true(909L %in% own$neighbour_number)
  nb <- context_neighbour_numbers(nn, 2021)
  expect_equal(as.integer(nb), c(own$neighbour_number, 942L, 943L), ignore_attr = TRUE)
  expect_equal(attr(nb, "closeness"), c(own$closeness, NA, NA))
  expect_match(attr(nb, "note"), "(Cumbria) are followed by their successor councils", fixed = TRUE)
})
