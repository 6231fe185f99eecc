# simulate_cin_national(): a national extract with known categories.

# Classes of a fit matched to the truth by the Hungarian assignment on the
# item-probability profiles; returns the largest differences.
match_to_truth <- function(fit, truth) {
  est <- t(vapply(fit$probs, function(m) m[, "1"], numeric(fit$k)))  # items x K
  est <- t(est)[, colnames(truth$probs), drop = FALSE]                 # K x items
  K <- nrow(est)
  D <- as.matrix(stats::dist(rbind(est, truth$probs)))[seq_len(K), K + seq_len(K)]
  perm <- as.integer(clue::solve_LSAP(D))
  list(prob = max(abs(est - truth$probs[perm, ])),
       size = max(abs(fit$class_size - truth$class_sizes[perm])), perm = perm)
}

test_that("the councils, years and counts are the published ones, and read back from the CSV", {
  f <- withr::local_tempfile(fileext = ".csv")
  r <- simulate_cin_national(scale = 0.002, seed = 3, file = f)
  tr <- r$truth
  expect_equal(nrow(tr$councils), 152L)
  expect_equal(sum(tr$episodes$n), 5800L)
  expect_equal(r$episodes, 5800)
  expect_true(all(tr$episodes$n >= 1L))
  # every council of the 2022-23 census (C3), ONS codes
  nfr <- national_factor_rates
  c3 <- unique(nfr$new_la_code[nfr$year == 2023 & nfr$geographic_level == "Local authority"])
  expect_setequal(tr$councils$la_code, c3)
  # episodes per council follow the published counts: Kent is about 3.6%
  # of England's episodes, the Isles of Scilly one a year
  kent <- sum(tr$episodes$n[tr$episodes$la == "E10000016"])
  expect_equal(kent / 5800, tr$councils$weight[tr$councils$la_code == "E10000016"] /
                 sum(tr$councils$weight), tolerance = 0.02)
  expect_equal(tr$episodes$n[tr$episodes$la == "E06000053"], rep(1L, 7))
  a <- read_cin_assessments(f, layout = "long")
  expect_equal(nrow(a$assessments), r$assessments)
  expect_equal(audit(a)$n[1], r$rows)
  ep <- episode_factors(a, no_factors = "keep", drop_empty = FALSE)
  expect_equal(nrow(ep), 5800L)
  expect_equal(factor_columns(ep), colnames(tr$probs))
  got <- as.data.frame(table(la = ep$la, year = ep$year), stringsAsFactors = FALSE)
  want <- tr$episodes
  m <- merge(want, got, by = c("la", "year"), all = TRUE)
  expect_equal(nrow(m), 152L * 7L)
  expect_equal(m$Freq, m$n)
  expect_setequal(unique(ep$year), 2019:2025)
  # about 1.24 assessments per episode, as the national extract
  expect_equal(r$assessments / r$episodes, 1.24, tolerance = 0.05)
})

test_that("the same seed gives the same extract and the user's random state is kept", {
  set.seed(99)
  before <- .Random.seed
  a <- simulate_cin_national(scale = 0.001, seed = 5)
  expect_identical(.Random.seed, before)
  b <- simulate_cin_national(scale = 0.001, seed = 5)
  expect_identical(a, b)
  c <- simulate_cin_national(scale = 0.001, seed = 6)
  expect_false(identical(a$factor, c$factor))
  # a file holds the same rows as the data frame
  f <- withr::local_tempfile(fileext = ".csv")
  simulate_cin_national(scale = 0.001, seed = 5, file = f)
  back <- utils::read.csv(f, colClasses = c(la = "character", factor = "character"))
  expect_equal(back$factor, a$factor)
  expect_equal(back$assessment_id, a$assessment_id)
  expect_equal(as.Date(back$assessment_date), a$assessment_date)
})

test_that("the twelve categories are recovered by a twelve-class model (parameter recovery)", {
  d <- simulate_cin_national(scale = 0.01, seed = 1)
  tr <- attr(d, "truth")
  expect_equal(sum(tr$class_sizes), 1)
  ep <- episode_factors(read_cin_assessments(d, layout = "long"), no_factors = "keep",
                        drop_empty = FALSE)
  fit <- lca(ep, k = 12, seed = 1, verbose = FALSE)
  m <- match_to_truth(fit, tr)
  # 29,000 episodes: the smallest class has about 900, so a probability's
  # standard error is up to 0.017; 348 of them
  expect_lt(m$prob, 0.08)
  expect_lt(m$size, 0.015)
  expect_equal(sort(m$perm), 1:12)
})

test_that("category shares vary by council as the truth says", {
  d <- simulate_cin_national(scale = 0.02, seed = 2, true_class = TRUE, differ = NULL)
  tr <- attr(d, "truth")
  expect_equal(nrow(tr$differ), 0L)
  expect_length(tr$council_probs, 0L)
  ep <- d[!duplicated(d$episode_id), ]
  obs <- table(factor(ep$la, tr$councils$la_code), factor(ep$true_class, tr$classes))
  n_la <- rowSums(obs)
  expected <- tr$council_shares[rownames(obs), ] * n_la
  # national sizes: the councils' shares weighted by their episodes
  expect_equal(tr$class_sizes, colSums(expected) / sum(n_la))
  chi <- sum((obs - expected)^2 / expected)
  expect_lt(chi, stats::qchisq(0.999, length(obs) - nrow(obs)))
  # the shares do vary: a chi-square test against one national share rejects
  flat <- outer(n_la, tr$class_sizes)
  expect_gt(sum((obs - flat)^2 / flat), stats::qchisq(0.999, length(obs) - nrow(obs)))
  # item probabilities given the class are the national ones
  for (it in c("3B", "16A", "4A")) {
    has <- tapply(d$factor == it, d$episode_id, any)
    cls <- ep$true_class[match(names(has), ep$episode_id)]
    p <- tapply(has, cls, mean)[tr$classes]
    n <- as.numeric(table(factor(cls, tr$classes)))
    se <- sqrt(tr$probs[, it] * (1 - tr$probs[, it]) / n)
    expect_true(all(abs(p - tr$probs[, it]) < 4.5 * se + 1e-9))
  }
})

test_that("the named councils record the named factors more or less often", {
  differ <- data.frame(la = c("E10000016", "E08000025"), item = c("4B", "17A"),
                       shift = c(1.5, -2))
  d <- simulate_cin_national(scale = 0.05, seed = 4, differ = differ)
  tr <- attr(d, "truth")
  expect_equal(tr$differ$la_name, c("Kent", "Birmingham"))
  expect_equal(names(tr$council_probs), c("E10000016", "E08000025"))
  kent <- tr$council_probs[["E10000016"]]
  expect_equal(stats::qlogis(kent[, "4B"]) - stats::qlogis(tr$probs[, "4B"]), rep(1.5, 12),
               ignore_attr = TRUE)
  expect_equal(kent[, colnames(kent) != "4B"], tr$probs[, colnames(kent) != "4B"])
  # observed rate of the item in each council against the rate its class
  # shares and (shifted or not) probabilities imply
  rate <- function(la, it) {
    e <- unique(d$episode_id[d$la == la])
    has <- unique(d$episode_id[d$la == la & d$factor == it])
    c(obs = length(has) / length(e), n = length(e))
  }
  implied <- function(la, it, P) sum(tr$council_shares[la, ] * P[, it])
  for (i in seq_len(nrow(differ))) {
    la <- differ$la[i]
    it <- differ$item[i]
    r <- rate(la, it)
    shifted <- implied(la, it, tr$council_probs[[la]])
    plain <- implied(la, it, tr$probs)
    se <- sqrt(shifted * (1 - shifted) / r[["n"]])
    expect_lt(abs(r[["obs"]] - shifted), 4 * se)
    expect_gt(abs(r[["obs"]] - plain), 6 * se)
  }
  # another council, the same item: the national probabilities
  r <- rate("E10000030", "4B")
  plain <- implied("E10000030", "4B", tr$probs)
  expect_lt(abs(r[["obs"]] - plain), 4 * sqrt(plain * (1 - plain) / r[["n"]]))
})

test_that("the extract can go into a database table", {
  skip_if_not_installed("RSQLite")
  con <- DBI::dbConnect(RSQLite::SQLite(), ":memory:")
  withr::defer(DBI::dbDisconnect(con))
  r <- simulate_cin_national(scale = 0.001, seed = 7, con = con, table = "nat")
  d <- simulate_cin_national(scale = 0.001, seed = 7)
  expect_equal(DBI::dbGetQuery(con, "SELECT COUNT(*) AS n FROM nat")$n, nrow(d))
  expect_equal(r$rows, nrow(d))
  pt <- lca_patterns_db_long(con, "nat", codes = colnames(r$truth$probs),
                             episode = "episode_id", code = "factor", group = "la")
  ep <- episode_factors(read_cin_assessments(d, layout = "long"), no_factors = "keep",
                        drop_empty = FALSE)
  pr <- lca_patterns(as.data.frame(ep)[c("la", factor_columns(ep))],
                     items = factor_columns(ep), group = "la")
  expect_equal(sum(pt$n), nrow(ep))
  expect_equal(logLik(lca(pt, k = 2, seed = 1, verbose = FALSE)),
               logLik(lca(pr, k = 2, seed = 1, verbose = FALSE)), tolerance = 1e-8,
               ignore_attr = TRUE)
  # writing again replaces the table
  simulate_cin_national(scale = 0.001, seed = 7, con = con, table = "nat")
  expect_equal(DBI::dbGetQuery(con, "SELECT COUNT(*) AS n FROM nat")$n, nrow(d))
})

test_that("bad arguments are refused with classed errors", {
  expect_error(simulate_cin_national(scale = 0.001, years = 2030), class = "cscdemand_error_input")
  expect_error(simulate_cin_national(scale = 0.001, years = c(2020, 2020)),
               class = "cscdemand_error_input")
  expect_error(simulate_cin_national(scale = 0.001, differ = data.frame(la = "X", item = "4B",
                                                                        shift = 1)),
               "Column .*la.*Row 1", class = "cscdemand_error_input")
  expect_error(simulate_cin_national(scale = 0.001, differ = data.frame(la = "E10000016",
                                                                        item = "8B", shift = 1)),
               "Column .*item.*Row 1", class = "cscdemand_error_input")
  expect_error(simulate_cin_national(scale = 0.001, differ = data.frame(la = "E10000016")),
               "shift", class = "cscdemand_error_input")
  expect_error(simulate_cin_national(scale = 0.001, file = file.path(tempdir(), "no", "x.csv")),
               class = "cscdemand_error_input")
  expect_error(simulate_cin_national(scale = 0.001, con = "db"), class = "cscdemand_error_input")
  expect_error(simulate_cin_national(scale = -1), class = "cscdemand_error_input")
})

test_that("the national categories are a proper model", {
  nc <- national_categories()
  expect_equal(nrow(nc$categories), 12L)
  expect_equal(sum(nc$categories$size), 1)
  expect_equal(dim(nc$probs), c(12L, 29L))
  expect_equal(colnames(nc$probs), cin_factors$code[cin_factors$kingston_keep])
  expect_true(all(nc$probs > 0 & nc$probs < 1))
  # the categories are well apart: every pair differs by at least 0.3 in
  # some factor
  d <- as.matrix(stats::dist(nc$probs, method = "maximum"))
  expect_gt(min(d[upper.tri(d)]), 0.3)
  nd <- national_differences()
  expect_true(all(nd$la %in% nat_councils()$la_code))
  expect_true(all(nd$item %in% colnames(nc$probs)))
})
