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

test_that("link_imd adds LSOA and council deprivation and an audit", {
  eps <- data.frame(id = 1:5, lsoa11 = c("E01000001", " e01005565 ", "E01033768", NA, ""),
                    stringsAsFactors = FALSE)
  out <- link_imd(eps, edition = 2019)
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
  out <- link_imd(eps, la = "la", edition = 2019)
  expect_equal(out$la_code[1:2], c("E10000016", "E08000005"))
  expect_equal(out$la_code[3], "E08000012")  # from the LSOA when the column is NA
})

test_that("link_imd rejects unknown LSOA codes with a classed error, or keeps them", {
  eps <- data.frame(lsoa11 = c("E01000001", "E01035000", "W01000001", "E01000001"))
  expect_error(link_imd(eps, edition = 2019), class = "cscdemand_error_lsoa")
  expect_snapshot(link_imd(eps, edition = 2019), error = TRUE)
  out <- link_imd(eps, on_unknown = "keep", edition = 2019)
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
  out <- rates_by_decile(link_imd(eps, edition = 2019))
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
  by <- rates_by_decile(link_imd(eps, edition = 2019), by = "cls")
  expect_equal(nrow(by), 20L)
  expect_equal(sum(by$n), nrow(eps))
  own <- rates_by_decile(link_imd(eps, edition = 2019), population = data.frame(lsoa11 = lsoas, children = 100))
  expect_equal(own$children, as.numeric(tabulate(kdec, 10)) * 100)
  expect_error(rates_by_decile(data.frame(imd_decile = 11)), class = "cscdemand_error_decile")
  expect_error(rates_by_decile(link_imd(eps, edition = 2019), by = "nope"), class = "cscdemand_error_column")
  expect_error(rates_by_decile(link_imd(eps, edition = 2019), population = data.frame(lsoa11 = "X", children = 1)),
               class = "cscdemand_error_lsoa")
  expect_error(rates_by_decile(link_imd(eps, edition = 2019), population = data.frame(lsoa11 = lsoas[1], children = -1)),
               class = "cscdemand_error_population")
})

test_that("IMD 2025 is shipped as published, with IoD 2025 child populations", {
  raw <- utils::read.csv(gzfile(shared_data_file("imd2025_lsoa21_england.csv.gz")),
                         colClasses = "character")
  expect_equal(nrow(imd2025_lsoa), nrow(raw))
  i <- match(raw$lsoa_code, imd2025_lsoa$lsoa21)
  expect_false(anyNA(i))
  expect_equal(imd2025_lsoa$imd_rank[i], as.integer(raw$imd_rank))
  expect_equal(imd2025_lsoa$imd_decile[i], as.integer(raw$imd_decile))
  expect_equal(imd2025_lsoa$children_0_15[i], as.integer(raw$pop_children_0_15))
  expect_equal(imd2025_lsoa$lad24_code[i], raw$lad_code)
  # Hand-checked: City of London 001A, rank 26,525, decile 8, 149 children.
  k <- imd2025_lsoa[imd2025_lsoa$lsoa21 == "E01000001", ]
  expect_equal(c(k$imd_rank, k$imd_decile, k$children_0_15), c(26525L, 8L, 149L))
  # Council level: population-weighted mean of LSOA scores, recomputed from the file.
  x <- imd_la[imd_la$edition == 2025, ]
  expect_equal(nrow(x), 153L)
  expect_equal(sort(x$imd_rank), 1:153)
  la <- la_lookup$la_code[match(raw$lad_code, la_lookup$district_code)]
  w <- as.numeric(raw$pop_total)
  sc <- tapply(as.numeric(raw$imd_score) * w, la, sum) / tapply(w, la, sum)
  expect_equal(x$imd_score, unname(as.numeric(sc[x$la_code])), tolerance = 1e-6)
  expect_equal(x$la_code[x$imd_rank == 1], names(sc)[which.max(sc)])
  expect_equal(sum(x$children_0_15), sum(as.numeric(raw$pop_children_0_15)))
})

test_that("link_imd chooses the edition by the codes present and records it per episode", {
  t25 <- imd2025_lsoa
  # 2021 codes (one only in 2021 boundaries): IMD 2025 for all.
  eps <- data.frame(lsoa = c("E01000001", "E01035000", NA))
  out <- link_imd(eps)
  expect_equal(out$imd_edition, c(2025L, 2025L, NA))
  expect_equal(out$imd_decile[1:2], t25$imd_decile[match(eps$lsoa[1:2], t25$lsoa21)])
  expect_equal(out$la_name[1], "City of London")
  i25 <- imd_la[imd_la$edition == 2025, ]
  expect_equal(out$la_imd_decile[1], i25$imd_decile[i25$la_code == "E09000001"])
  a <- attr(out, "imd_audit")
  expect_equal(a$edition, 2025L)
  expect_equal(a$n_by_edition[["2025"]], 2L)
  # 2011 codes with one that no longer exists in 2021: IMD 2019 for all.
  gone <- setdiff(imd2019_lsoa$lsoa11, t25$lsoa21)[1]
  eps11 <- data.frame(lsoa11 = c("E01000001", gone))
  out11 <- link_imd(eps11)
  expect_equal(out11$imd_edition, c(2019L, 2019L))
  expect_equal(out11$imd_rank[1], 29199L)
  expect_equal(attr(out11, "imd_audit")$edition, 2019L)
  # Both kinds: each episode gets the edition of its own code.
  mix <- data.frame(lsoa = c("E01035000", gone, "E01000001"))
  outm <- link_imd(mix)
  expect_equal(outm$imd_edition, c(2025L, 2019L, 2025L))
  expect_equal(outm$imd_rank[2], imd2019_lsoa$imd_rank[imd2019_lsoa$lsoa11 == gone])
  expect_equal(attr(outm, "imd_audit")$n_by_edition[c("2025", "2019")], c(`2025` = 2L, `2019` = 1L))
  # rates_by_decile on two editions warns and uses the 2025 denominators.
  expect_warning(r <- rates_by_decile(outm), class = "cscdemand_warning_imd_edition")
  expect_equal(attr(r, "edition"), 2025L)
  # A given edition is used for every episode; a 2021-only code is then unknown.
  expect_error(link_imd(mix, edition = 2019), class = "cscdemand_error_lsoa")
  expect_error(link_imd(mix, edition = 2025), class = "cscdemand_error_lsoa")
})

test_that("rates_by_decile uses IoD 2025 denominators for IMD 2025 deciles", {
  t25 <- imd2025_lsoa
  lsoas <- t25$lsoa21[t25$lad24_code == "E08000005"]  # Rochdale
  eps <- data.frame(lsoa21 = rep(lsoas[1:30], 1:30))
  out <- rates_by_decile(link_imd(eps), threshold = 0)  # every decile on its own
  dec <- t25$imd_decile[match(eps$lsoa21, t25$lsoa21)]
  expect_equal(out$n, as.numeric(tabulate(dec, 10)))
  kids <- t25$children_0_15[match(lsoas, t25$lsoa21)]
  kdec <- t25$imd_decile[match(lsoas, t25$lsoa21)]
  expect_equal(out$children, as.numeric(tapply(kids, factor(kdec, levels = 1:10), sum,
                                                default = 0)))
  k <- which(out$n > 0)[1]
  pt <- stats::poisson.test(out$n[k], out$children[k] / 10000)
  expect_equal(out$rate[k], unname(pt$estimate))
})

test_that("council columns are resolved by the package's one council resolver", {
  eps <- data.frame(lsoa11 = rep("E01000001", 4), la = c("Kent", "886", "kingston upon hull", "E07000035"))
  out <- link_imd(eps, la = "la", edition = 2019)
  expect_equal(out$la_code, c("E10000016", "E10000016", "E06000010", "E10000007"))
  err <- tryCatch(link_imd(data.frame(lsoa11 = "E01000001", la = "Warwickshre"), la = "la"),
                  error = function(e) e)
  expect_s3_class(err, "cscdemand_error_la")
  expect_match(conditionMessage(err), "Warwickshire")
})

test_that("rates_by_decile merges deciles so no plotted rate rests on a small count", {
  t25 <- imd2025_lsoa
  ro <- t25[t25$lad24_code == "E08000005", ]  # Rochdale
  pick <- function(d, k) rep(ro$lsoa21[ro$imd_decile == d][1], k)
  # 3 episodes in decile 2 and 4 in decile 9: each is merged with its
  # neighbour (the smaller one with episodes), every other decile kept
  dd <- sort(unique(ro$imd_decile))
  k <- stats::setNames(rep(40, length(dd)), dd)
  k["2"] <- 3; k["9"] <- 4; k["10"] <- 25
  eps <- data.frame(lsoa21 = unlist(lapply(dd, function(d) pick(d, k[[as.character(d)]]))))
  raw <- rates_by_decile(link_imd(eps), threshold = 0)
  out <- rates_by_decile(link_imd(eps))
  expect_true(all(out$n == 0 | out$n >= 10))
  expect_equal(sum(out$n), nrow(eps))
  expect_true(attr(out, "merged"))
  b2 <- out[grepl("(^|-)2($|-)", out$deciles) | out$deciles == "1-2", ]
  expect_equal(nrow(b2), 1L)
  expect_equal(out$deciles[out$decile == 9 | grepl("9", out$deciles)], "9-10")
  # the merged bin's rate is its episodes over its children, from the raw deciles
  m <- out[out$deciles == "9-10", ]
  expect_equal(m$n, sum(raw$n[raw$decile %in% 9:10]))
  expect_equal(m$children, sum(raw$children[raw$decile %in% 9:10]))
  expect_equal(m$rate, 10000 * m$n / m$children)
  # no plotted value gives back a count under 10: rate x population / 10,000
  back <- out$rate * out$children / 10000
  expect_true(all(is.na(back) | back < 0.5 | back >= 10 - 1e-9))
  expect_match(attr(out, "note"), "^Deciles 1-2 and 9-10 are shown together, as a decile on its own held fewer than 10 episodes")
  # nothing to merge at threshold 0, or with big counts
  expect_false(attr(raw, "merged"))
  expect_null(attr(raw, "note"))
  expect_equal(raw$deciles, as.character(raw$decile))
})

test_that("a few episodes with no decile cannot be worked out from the total", {
  t25 <- imd2025_lsoa
  ro <- t25$lsoa21[t25$lad24_code == "E08000005"]
  eps <- data.frame(lsoa21 = c(rep(ro[1:20], each = 15), rep(NA, 4)))
  out <- suppressWarnings(rates_by_decile(link_imd(eps, edition = 2025, on_unknown = "keep")))
  expect_equal(attr(out, "n_missing"), 4L)
  # total (published) less the bins shown would give the 4: one bin is hidden
  expect_gte(sum(out$suppressed), 1L)
  expect_true(all(is.na(out$rate[out$suppressed])))
  expect_true(all(is.na(out$n[out$suppressed])))
  expect_match(attr(out, "note"), "cannot be worked out from the total")
})
