# Reference data, link_imd() and rates_by_decile().

test_that("shipped IMD and population tables are complete and consistent", {
  expect_equal(nrow(imd2019_lsoa), 32844L)
  expect_equal(nrow(imd2015_lsoa), 32844L)
  expect_identical(imd2019_lsoa$lsoa11, lsoa_population$lsoa11)
  expect_setequal(imd2015_lsoa$lsoa11, imd2019_lsoa$lsoa11)
  expect_true(all(imd2019_lsoa$imd_decile %in% 1:10))
  # deciles are tenths of the ranking: about 3,284 LSOAs each
  expect_true(all(abs(table(imd2019_lsoa$imd_decile) - 3284.4) < 2))
  expect_true(all(abs(table(imd2015_lsoa$imd_decile) - 3284.4) < 2))
  # published values (File 1): City of London 001A rank 29,199, decile 9
  i <- match("E01000001", imd2019_lsoa$lsoa11)
  expect_equal(imd2019_lsoa$imd_rank[i], 29199L)
  expect_equal(imd2019_lsoa$imd_decile[i], 9L)
  expect_equal(lsoa_population$children_0_15[i], 175L)
  # England's children aged 0-15 (ONS mid-2015): about 10.4 million
  expect_equal(sum(lsoa_population$children_0_15), 10.4e6, tolerance = 0.02)
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

test_that("link_imd adds LSOA and council deprivation and an audit", {
  eps <- data.frame(id = 1:5, lsoa11 = c("E01000001", " e01005565 ", "E01033768", NA, ""),
                    stringsAsFactors = FALSE)
  out <- link_imd(eps)
  expect_equal(out$imd_rank[1:3], imd2019_lsoa$imd_rank[match(c("E01000001", "E01005565",
                                                                 "E01033768"), imd2019_lsoa$lsoa11)])
  expect_equal(out$la_name[1:2], c("City of London", "Rochdale"))
  i19 <- imd_la[imd_la$edition == 2019, ]
  expect_equal(out$la_imd_decile[2], i19$imd_decile[i19$la_name == "Rochdale"])
  expect_true(all(is.na(out$imd_decile[4:5])))
  a <- attr(out, "imd_audit")
  expect_equal(c(a$n, a$n_linked, a$n_missing, a$n_unknown), c(5L, 3L, 2L, 0L))
  out15 <- link_imd(eps, edition = 2015)
  expect_equal(out15$imd_decile[1], imd2015_lsoa$imd_decile[imd2015_lsoa$lsoa11 == "E01000001"])
  # the council of the episode can come from a column (code or name)
  eps$la <- c("Kent", "E08000005", NA, NA, NA)
  out <- link_imd(eps, la = "la")
  expect_equal(out$la_code[1:2], c("E10000016", "E08000005"))
  expect_equal(out$la_code[3], "E08000012")  # from the LSOA when the column is NA
})

test_that("link_imd rejects unknown LSOA codes with a classed error, or keeps them", {
  eps <- data.frame(lsoa11 = c("E01000001", "E01035000", "W01000001", "E01000001"))
  expect_error(link_imd(eps), class = "cscdemand_error_lsoa")
  expect_snapshot(link_imd(eps), error = TRUE)
  out <- link_imd(eps, on_unknown = "keep")
  expect_equal(attr(out, "imd_audit")$n_unknown, 2L)
  expect_equal(attr(out, "imd_audit")$unknown, c("E01035000", "W01000001"))
  expect_true(all(is.na(out$imd_decile[2:3])))
  expect_error(link_imd(eps, lsoa = "code"), class = "cscdemand_error_column")
  expect_error(link_imd(eps, edition = 2010), class = "cscdemand_error_edition")
  expect_error(link_imd(list(1)), class = "cscdemand_error_input")
  expect_error(link_imd(data.frame(lsoa11 = 1:3)), class = "cscdemand_error_lsoa")
  expect_error(link_imd(data.frame(lsoa11 = "E01000001", imd_decile = 1)),
               class = "cscdemand_error_column_clash")
  expect_error(link_imd(data.frame(lsoa11 = "E01000001", la = "Narnia"), la = "la"),
               class = "cscdemand_error_la")
})

test_that("rates_by_decile gives counts, denominators and exact Poisson intervals", {
  lsoas <- imd2019_lsoa$lsoa11[imd2019_lsoa$lad19_code == "E08000005"]  # Rochdale
  eps <- data.frame(lsoa11 = rep(lsoas[1:40], 1:40), cls = rep(c("a", "b"), 410))
  out <- rates_by_decile(link_imd(eps))
  expect_equal(out$decile, 1:10)
  dec <- imd2019_lsoa$imd_decile[match(eps$lsoa11, imd2019_lsoa$lsoa11)]
  expect_equal(out$n, as.numeric(tabulate(dec, 10)))
  # denominators: all Rochdale LSOAs (the council in the data) by decile
  kids <- lsoa_population$children_0_15[match(lsoas, lsoa_population$lsoa11)]
  kdec <- imd2019_lsoa$imd_decile[match(lsoas, imd2019_lsoa$lsoa11)]
  expect_equal(out$children, as.numeric(tabulate(rep(kdec, kids), 10)))
  k <- which(out$n > 0)[1]
  pt <- stats::poisson.test(out$n[k], out$children[k] / 10000)
  expect_equal(out$rate[k], unname(pt$estimate))
  expect_equal(c(out$lower[k], out$upper[k]), as.numeric(pt$conf.int))
  by <- rates_by_decile(link_imd(eps), by = "cls")
  expect_equal(nrow(by), 20L)
  expect_equal(sum(by$n), nrow(eps))
  own <- rates_by_decile(link_imd(eps), population = data.frame(lsoa11 = lsoas, children = 100))
  expect_equal(own$children, as.numeric(tabulate(kdec, 10)) * 100)
  expect_error(rates_by_decile(data.frame(imd_decile = 11)), class = "cscdemand_error_decile")
  expect_error(rates_by_decile(link_imd(eps), by = "nope"), class = "cscdemand_error_column")
  expect_error(rates_by_decile(link_imd(eps), population = data.frame(lsoa11 = "X", children = 1)),
               class = "cscdemand_error_lsoa")
  expect_error(rates_by_decile(link_imd(eps), population = data.frame(lsoa11 = lsoas[1], children = -1)),
               class = "cscdemand_error_population")
})
