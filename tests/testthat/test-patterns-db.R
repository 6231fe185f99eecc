pattern_key <- function(pt) {
  k <- apply(pt$y, 1, paste, collapse = ",")
  if (!is.null(pt$group_var)) k <- paste(pt$group_levels[pt$group], k)
  stats::setNames(pt$n, k)[order(k)]
}

test_that("SQLite: pattern table equals the one built in R, and so do the fits", {
  skip_if_not_installed("RSQLite")
  d <- simulate_lca(n = 4000, seed = 1)
  d$.class <- NULL
  d$neglect[c(3, 8, 20)] <- NA
  d[c(5, 9), 1:8] <- NA
  d$la <- rep(c("A", "B"), 2000)
  con <- DBI::dbConnect(RSQLite::SQLite(), ":memory:")
  on.exit(DBI::dbDisconnect(con))
  DBI::dbWriteTable(con, "episodes", d)
  items <- names(d)[1:8]
  pdb <- lca_patterns_db(con, items = items, table = "episodes")
  pr <- lca_patterns(d, items = items)
  expect_equal(pattern_key(pdb), pattern_key(pr))
  expect_equal(pdb$n_all_missing, 2)
  expect_equal(pdb$audit$rows, c(4000, 2, 3998))
  f_db <- lca(pdb, 3, seed = 1, verbose = FALSE)
  f_r <- lca(d, 3, items = items, seed = 1, verbose = FALSE)
  expect_equal(f_db$loglik, f_r$loglik, tolerance = 1e-8)
  expect_equal(f_db$probs, f_r$probs, tolerance = 1e-6)
  # grouped, filtered
  pg <- lca_patterns_db(con, items = items, table = "episodes", group = "la")
  expect_equal(pattern_key(pg), pattern_key(lca_patterns(d, items = items, group = "la")))
  pw <- lca_patterns_db(con, items = items, table = "episodes", where = "la = 'A'")
  expect_equal(sum(pw$n), sum(d$la == "A" & rowSums(!is.na(d[items])) > 0))
  # dbplyr lazy table
  skip_if_not_installed("dbplyr")
  lazy <- dplyr::tbl(con, "episodes")
  pl <- lca_patterns_db(lazy, items = items)
  expect_equal(pattern_key(pl), pattern_key(pr))
  expect_error(lca_patterns_db(con, items = c(items, "nope"), table = "episodes"),
               class = "cscdemand_error_input")
})

test_that("SQLite: episode flags from the long layout, built in the database", {
  skip_if_not_installed("RSQLite")
  long <- data.frame(episode = c(1, 1, 1, 2, 3, 3, 4, 5, 5),
                     factor = c("3A", "4b", "3A", "3A", "4B", " 6a", "6A", "3a", "4B"),
                     la = c(rep("X", 4), rep("Y", 5)))
  con <- DBI::dbConnect(RSQLite::SQLite(), ":memory:")
  on.exit(DBI::dbDisconnect(con))
  DBI::dbWriteTable(con, "factors", long)
  pt <- lca_patterns_db_long(con, "factors", codes = c("3A", "4B", "6A"), episode = "episode",
                             code = "factor")
  # episodes: 1 = {3A,4B}, 2 = {3A}, 3 = {4B,6A}, 4 = {6A}, 5 = {3A,4B}
  expect_equal(sum(pt$n), 5)
  key <- pattern_key(pt)
  expect_equal(unname(key[c("1,1,2", "2,1,1", "1,2,2", "2,2,1")]), c(1, 1, 1, 2))
  expect_equal(pt$items, c("f_3A", "f_4B", "f_6A"))
  pg <- lca_patterns_db_long(con, "factors", codes = c("3A", "4B", "6A"), episode = "episode",
                             code = "factor", group = "la")
  expect_equal(pg$group_levels, c("X", "Y"))
})

# A long table of random episodes with `J` codes (some rows repeat a code,
# some carry spaces or lower case, some codes are not items) and the same
# episodes' flags built in R.
long_and_wide <- function(n = 400, J = 35, seed = 1) {
  set.seed(seed)
  codes <- paste0(seq_len(J), "X")
  rows <- lapply(seq_len(n), function(e) {
    k <- sample(0:4, 1)
    cd <- c(sample(codes, k, replace = TRUE), if (runif(1) < .2) "99Z")
    if (!length(cd)) cd <- NA_character_
    data.frame(episode = e, la = if (e %% 3 == 0) "A" else "B", factor = cd)
  })
  long <- do.call(rbind, rows)
  long$factor[seq(1, nrow(long), 7)] <- tolower(paste0(" ", long$factor[seq(1, nrow(long), 7)]))
  wide <- data.frame(la = ifelse(seq_len(n) %% 3 == 0, "A", "B"))
  clean <- toupper(trimws(long$factor))
  for (cd in codes) {
    wide[[paste0("f_", cd)]] <- as.integer(seq_len(n) %in% long$episode[clean %in% cd])
  }
  list(long = long, wide = wide, codes = codes)
}

test_that("long-layout patterns with more than 30 codes (two keys) equal patterns built in R", {
  skip_if_not_installed("RSQLite")
  lw <- long_and_wide()
  con <- DBI::dbConnect(RSQLite::SQLite(), ":memory:")
  on.exit(DBI::dbDisconnect(con))
  DBI::dbWriteTable(con, "long", lw$long)
  pt <- lca_patterns_db_long(con, "long", codes = lw$codes, episode = "episode",
                             code = "factor", group = "la")
  expect_match(pt$sql, "key1_")
  ref <- lca_patterns(lw$wide, items = paste0("f_", lw$codes), group = "la")
  expect_equal(pattern_key(pt), pattern_key(ref))
  expect_equal(sum(pt$n), 400)
  expect_error(lca_patterns_db_long(con, "long", codes = c("1X", "1x"), episode = "episode",
                                    code = "factor"), class = "cscdemand_error_item")
  expect_error(lca_patterns_db_long(con, "long", codes = c("1X", NA), episode = "episode",
                                    code = "factor"), "no missing values", class = "cscdemand_error_item")
  expect_error(lca_patterns_db_long(con, "long", codes = 1:3, episode = "episode",
                                    code = "factor"), "character vector", class = "cscdemand_error_item")
})

test_that("PostgreSQL: long-layout patterns (BIT_OR keys) equal patterns built in R", {
  con <- local_pg_connection()
  lw <- long_and_wide(seed = 2)
  DBI::dbWriteTable(con, "lca_test_long", lw$long, overwrite = TRUE, row.names = FALSE)
  on.exit(DBI::dbRemoveTable(con, "lca_test_long"), add = TRUE, after = FALSE)
  pt <- lca_patterns_db_long(con, "lca_test_long", codes = lw$codes, episode = "episode",
                             code = "factor", group = "la")
  expect_match(pt$sql, "BIT_OR")
  ref <- lca_patterns(lw$wide, items = paste0("f_", lw$codes), group = "la")
  expect_equal(pattern_key(pt), pattern_key(ref))
})

test_that("PostgreSQL: patterns in the database equal patterns in R", {
  con <- local_pg_connection()
  d <- simulate_lca(n = 3000, seed = 2)
  d$.class <- NULL
  d$neglect[c(3, 8)] <- NA
  DBI::dbWriteTable(con, "lca_test_episodes", d, overwrite = TRUE, row.names = FALSE)
  on.exit(DBI::dbRemoveTable(con, "lca_test_episodes"), add = TRUE, after = FALSE)
  items <- names(d)
  pdb <- lca_patterns_db(con, items = items, table = "lca_test_episodes")
  expect_equal(pattern_key(pdb), pattern_key(lca_patterns(d)))
  f_db <- lca(pdb, 3, seed = 1, verbose = FALSE)
  f_r <- lca(d, 3, seed = 1, verbose = FALSE)
  expect_equal(f_db$loglik, f_r$loglik, tolerance = 1e-8)
})

test_that("frozen models score new data identically, survive saveRDS, and check coding", {
  d <- simulate_lca(n = 3000, seed = 3)
  fit <- lca(d, 3, seed = 1, verbose = FALSE)
  fz <- lca_freeze(fit, codes = c(domestic_abuse = "3A"))
  nd <- simulate_lca(n = 1000, seed = 4)
  nd$neglect[1:5] <- NA
  f <- tempfile(fileext = ".rds")
  saveRDS(fz, f)
  fz2 <- readRDS(f)
  expect_equal(predict(fz2, nd, type = "posterior"), predict(fit, nd, type = "posterior"))
  expect_equal(predict(fz2, nd, batch_size = 77), predict(fit, nd))
  expect_null(fz$posterior)
  expect_null(fz$patterns)
  expect_lt(as.numeric(object.size(fz)), 50000)
  expect_error(predict(fz2, nd[, 1:3]), class = "cscdemand_error_coding")
  nd$neglect[9] <- 5
  expect_error(predict(fz2, nd), class = "cscdemand_error_coding")
  expect_output(print(fz2), "Frozen latent class model")
})

test_that("SQLite: where = is parsed into bound parameters; a hostile string runs nothing", {
  skip_if_not_installed("RSQLite")
  d <- simulate_lca(n = 600, seed = 2)
  d$.class <- NULL
  d$la <- rep(c("A", "B", "C"), 200)
  d$year <- rep(2022:2023, 300)
  items <- names(d)[1:8]
  con <- DBI::dbConnect(RSQLite::SQLite(), ":memory:")
  on.exit(DBI::dbDisconnect(con))
  DBI::dbWriteTable(con, "episodes", d)
  n_of <- function(...) sum(lca_patterns_db(con, items = items, table = "episodes", ...)$n)
  expect_equal(n_of(where = "la = 'A' AND year >= 2023"), sum(d$la == "A" & d$year >= 2023))
  expect_equal(n_of(where = list(la = c("A", "B"), year = 2022)),
               sum(d$la %in% c("A", "B") & d$year == 2022))
  pw <- lca_patterns_db(con, items = items, table = "episodes", where = "la = 'B'")
  expect_match(pw$sql, "WHERE .la. = \\?")
  # hostile text: refused before any SQL runs
  for (bad in c("la = 'A'; DROP TABLE episodes", "1 = 1; DELETE FROM episodes",
                "la = 'A' OR 1 = 1", "la = (SELECT 1)", "la = 'A' --")) {
    expect_error(lca_patterns_db(con, items = items, table = "episodes", where = bad),
                 class = "cscdemand_error_where")
  }
  # hostile values: bound, so they match nothing and run nothing
  hostile <- "A'; DROP TABLE episodes; --"
  expect_error(lca_patterns_db(con, items = items, table = "episodes",
                               where = list(la = hostile)), class = "cscdemand_error_input")
  expect_error(lca_patterns_db(con, items = items, table = "episodes",
                               where = "la = 'A''; DROP TABLE episodes; --'"),
               class = "cscdemand_error_input")
  expect_error(lca_patterns_db(con, items = items, table = "episodes",
                               where = list(nope = 1)), class = "cscdemand_error_where")
  expect_true(DBI::dbExistsTable(con, "episodes"))
  expect_equal(DBI::dbGetQuery(con, "SELECT COUNT(*) AS n FROM episodes")$n, 600)
})
