pub_row <- function(la_number = NULL, level = "Local authority", year, measure, code = NULL) {
  x <- context_published
  r <- x[x$level == level & x$year == year & x$measure == measure, ]
  if (!is.null(la_number)) r <- r[r$la_number %in% la_number, ]
  if (!is.null(code)) r <- r[r$code == code, ]
  r
}

test_that("council_context() puts the council beside England, region and neighbours", {
  # The April 2021 groupings (the 2025 model, the default, is tested below).
  x <- council_context("Warwickshire", years = 2024:2025,
                       measures = c("referrals", "rereferrals", "16A"), neighbour_edition = 2021)
  context_neighbours <- context_neighbours[context_neighbours$edition == 2021, ]
  expect_s3_class(x, "cscdemand_context")
  expect_equal(nrow(x), 2 * 3 * 4)
  expect_equal(levels(x$comparator), c("Council", "Region", "Statistical neighbours", "England"))

  own <- x[x$comparator == "Council" & x$year == 2025 & x$measure == "referrals", ]
  ref <- pub_row(937, year = 2025, measure = "referrals")
  expect_equal(own$count, ref$count)
  expect_rounded(own$value, ref$count / ref$population * 1e4)
  expect_equal(own$area, "Warwickshire")

  eng <- x[x$comparator == "England" & x$year == 2025 & x$measure == "referrals", ]
  expect_equal(eng$count, 632830)
  reg <- x[x$comparator == "Region" & x$year == 2025 & x$measure == "referrals", ]
  expect_equal(reg$area, "West Midlands")
  expect_equal(reg$count, pub_row(level = "Regional", year = 2025, measure = "referrals",
                                  code = "E12000005")$count)

  # Percentage measures report the percentage of the base.
  rr <- x[x$comparator == "Council" & x$year == 2025 & x$measure == "rereferrals", ]
  base <- pub_row(937, year = 2025, measure = "referrals")$count
  expect_rounded(rr$value, 100 * rr$count / base)
  f <- x[x$comparator == "Council" & x$year == 2025 & x$measure == "16A", ]
  fac <- context_factors[context_factors$la_number %in% 937 & context_factors$year == 2025, ]
  expect_rounded(f$value, 100 * fac$count[fac$measure == "16A"] /
                 fac$count[fac$measure == "episodes_with_factors"])

  # The neighbour mean, recomputed from the neighbour list and the council rows.
  nb <- context_neighbours$neighbour_number[context_neighbours$la_number == 937]
  rates <- pub_row(nb, year = 2025, measure = "referrals")$rate_10k
  sn <- x[x$comparator == "Statistical neighbours" & x$year == 2025 & x$measure == "referrals", ]
  expect_equal(sn$value, mean(rates))
  expect_equal(sn$n_neighbours, 10L)
  expect_equal(attr(x, "neighbours"),
               setNames(nb, context_neighbours$neighbour_name[context_neighbours$la_number == 937]))
  expect_equal(names(attr(x, "neighbours"))[1], "Cheshire West and Chester")
  expect_equal(attr(x, "council")$la_number, 937L)
})

test_that("the default measures and years, and 'factors', expand as documented", {
  x <- council_context(937, verbose = FALSE)
  expect_setequal(unique(x$measure), context_default_measures)
  expect_equal(range(x$year), c(2013L, 2025L))
  f <- council_context(937, years = 2025, measures = "factors")
  expect_equal(length(unique(f$measure)),
               sum(!is.na(context_dictionary$factor_code)))
  expect_equal(unique(council_context(937, years = 2025, measures = "8C")$measure), "8B-8F")
})

test_that("withheld figures stay NA with DfE's mark, never zero", {
  cell <- context_published[context_published$level == "Local authority" &
                              context_published$measure == "referrals_nfa" &
                              context_published$count_mark %in% "c", ][1, ]
  x <- council_context(cell$la_number, years = cell$year, measures = "referrals_nfa",
                       verbose = FALSE)
  own <- x[x$comparator == "Council", ]
  expect_true(is.na(own$count))
  expect_true(is.na(own$value))
  expect_equal(own$mark, "c")
  # A neighbour with a withheld figure is left out of the mean, and counted out.
  year <- 2025
  m <- context_published[context_published$level == "Local authority" &
                           context_published$measure == "referrals_nfa" &
                           context_published$year == year, ]
  context_neighbours <- context_neighbours[context_neighbours$edition == 2021, ]
  hit <- context_neighbours[context_neighbours$neighbour_number %in%
                              m$la_number[!is.na(m$count_mark)], ][1, ]
  y <- council_context(hit$la_number, years = year, measures = "referrals_nfa", verbose = FALSE,
                       neighbour_edition = 2021)
  sn <- y[y$comparator == "Statistical neighbours", ]
  nb <- context_neighbours$neighbour_number[context_neighbours$la_number == hit$la_number]
  vals <- m$percent[match(nb, m$la_number)]
  expect_equal(sn$n_neighbours, sum(!is.na(vals)))
  expect_lt(sn$n_neighbours, 10L)
  expect_equal(sn$value, mean(vals, na.rm = TRUE))
})

test_that("merged and split councils keep their history with a note", {
  x <- council_context("West Northamptonshire", years = 2020:2023, measures = "referrals")
  own <- x[x$comparator == "Council", ]
  expect_equal(own$area, c("Northamptonshire", "Northamptonshire", "West Northamptonshire",
                           "West Northamptonshire"))
  expect_equal(own$count[1], pub_row(928, year = 2020, measure = "referrals")$count)
  expect_match(own$note[1], "predecessor")
  expect_match(attr(x, "notes")[1], "former Northamptonshire")

  # Without history the early years are marked not applicable.
  y <- council_context("West Northamptonshire", years = 2020:2023, measures = "referrals",
                       history = FALSE)
  own <- y[y$comparator == "Council", ]
  expect_equal(own$mark[1:2], c("z", "z"))
  expect_true(all(is.na(own$value[1:2])))

  # Two predecessors: Bournemouth and Poole before Bournemouth, Christchurch and Poole.
  b <- council_context(839, years = 2019:2020, measures = "referrals")
  expect_setequal(b$area[b$comparator == "Council" & b$year == 2019], c("Bournemouth", "Poole"))
  expect_match(attr(b, "notes")[1], "Christchurch")

  # A council abolished in 2023: its rows stop; later years are marked.
  c <- council_context("Cumbria", years = 2023:2024, measures = "referrals")
  own <- c[c$comparator == "Council", ]
  expect_equal(own$mark[own$year == 2024], "z")
  expect_match(attr(c, "notes")[1], "Cumberland")

  # A council created in 2023 borrows its predecessor's neighbours, with a note.
  w <- council_context("Cumberland", years = 2025, measures = "referrals", neighbour_edition = 2021)
  expect_true(any(grepl("neighbours of Cumbria", attr(w, "notes"))))
  expect_equal(w$n_neighbours[w$comparator == "Statistical neighbours"], 10L)
  # The 2025 model has Cumberland's own neighbours.
  w25 <- council_context("Cumberland", years = 2025, measures = "referrals")
  expect_false(any(grepl("neighbours of Cumbria", attr(w25, "notes"))))
  expect_equal(unname(attr(w25, "neighbours")),
               sn25_from_csv(942)$neighbour_number)
})

test_that("the default neighbours are DfE's 2025 model, read straight from the published file", {
  x <- council_context("Warwickshire", years = 2025, measures = c("referrals", "rereferrals"))
  expect_equal(attr(x, "neighbour_edition"), 2025L)
  raw <- sn25_from_csv(937)
  expect_equal(unname(attr(x, "neighbours")), raw$neighbour_number)
  expect_equal(attr(x, "closeness"), raw$closeness)
  # Neighbour mean of rates, recomputed from the DfE referral counts and ONS populations.
  p <- context_published[context_published$level == "Local authority" &
                           context_published$year == 2025 &
                           context_published$measure == "referrals", ]
  pop <- context_population[context_population$year == 2024 &
                              context_population$level == "Local authority", ]
  i <- match(raw$neighbour_number, p$la_number)
  rates <- p$count[i] / pop$population[match(p$code[i], pop$code)] * 1e4
  sn <- x[x$comparator == "Statistical neighbours" & x$measure == "referrals", ]
  expect_rounded(sn$value, mean(rates))
  expect_equal(sn$n_neighbours, 10L)
  # Percentages: mean of the neighbours' percentages (not the pooled percentage).
  rr <- context_published[context_published$level == "Local authority" &
                            context_published$year == 2025 &
                            context_published$measure == "rereferrals", ]
  pct <- 100 * rr$count[match(raw$neighbour_number, rr$la_number)] / p$count[i]
  sn <- x[x$comparator == "Statistical neighbours" & x$measure == "rereferrals", ]
  expect_rounded(sn$value, mean(pct))
  expect_error(council_context(937, neighbour_edition = 2019), class = "cscdemand_error_edition")
})

test_that("C4 section 47 enquiries and ICPCs are in the context, as published", {
  x <- council_context("Warwickshire", years = 2025,
                       measures = c("section47", "icpc", "icpc_0_10_days"))
  c4 <- utils::read.csv(shared_data_file("c4_children_in_need_section_47s_and_icpcs_2013_to_2025.csv"),
                        colClasses = "character", check.names = FALSE)
  r <- c4[c4$time_period == "2025" & c4$old_la_code == "937", ]
  e <- c4[c4$time_period == "2025" & c4$geographic_level == "National", ]
  own <- x[x$comparator == "Council", ]
  expect_equal(own$count[own$measure == "section47"], as.numeric(r$Section47))
  expect_equal(own$count[own$measure == "icpc"], as.numeric(r$ICPC))
  expect_rounded(own$value[own$measure == "icpc_0_10_days"],
                 100 * as.numeric(r[["Duration_0-10_days"]]) / as.numeric(r$ICPC))
  eng <- x[x$comparator == "England" & x$measure == "section47", ]
  expect_equal(eng$count, 230590)
  expect_equal(eng$count, as.numeric(e$Section47))
  expect_true(all(c("section47", "icpc") %in% context_default_measures))
})

test_that("bad measures and years are classed errors naming the argument", {
  expect_error(council_context(937, measures = "referals"), class = "cscdemand_error_measure")
  err <- expect_error(council_context(937, measures = "referals"))
  expect_match(conditionMessage(err), "referrals", fixed = TRUE)
  expect_error(council_context(937, measures = 1), class = "cscdemand_error_input")
  expect_error(council_context(937, years = 2010), class = "cscdemand_error_years")
  expect_error(council_context(937, years = 2020, measures = "3A"), NA)
  expect_error(council_context(937, years = 2017, measures = "3A"), class = "cscdemand_error_years")
  expect_error(council_context(937, years = 2020.5), class = "cscdemand_error_input")
  expect_error(council_context(937, history = NA), class = "cscdemand_error_input")
})

test_that("the print method shows one table per measure and the notes", {
  x <- council_context("West Northamptonshire", years = 2021:2022, measures = "referrals")
  msgs <- character()
  out <- withCallingHandlers(
    utils::capture.output(res <- print(x)),
    message = function(m) {
      msgs <<- c(msgs, conditionMessage(m))
      invokeRestart("muffleMessage")
    })
  expect_identical(res, x)
  expect_true(any(grepl("West Northamptonshire (DfE 941", msgs, fixed = TRUE)))
  expect_true(any(grepl("Note:", msgs)))
  expect_true(any(grepl("Council*", out, fixed = TRUE)))
  expect_true(any(grepl("^2021", out)))
})
