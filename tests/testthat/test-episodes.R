fx <- function(f) test_path("fixtures", "cin", f)

test_that("episodes from the hand-made fixture match the hand count (Kingston defaults)", {
  # E1 3B 4B 16A; E2 21 only; E3 20 only; E4 1B 3C; E5 9A only; E6 21 + 16A
  for (f in c("long_basic.csv", "codes_basic.csv", "wide_basic.csv", "wide_dfe_names.csv",
              "codes_variants.csv")) {
    ep <- episode_factors(read_cin_assessments(fx(f)), min_count = 0)
    expect_s3_class(ep, "cin_episodes")
    expect_equal(ep$episode_id, c("E1", "E4", "E6"), info = f)
    fc <- factor_columns(ep)
    expect_equal(length(fc), 29L, info = f)
    expect_false(any(kingston_exclusions() %in% fc))
    m <- as.matrix(ep[fc])
    expect_equal(colSums(m)[c("1B", "3B", "4B", "16A")], c(`1B` = 1, `3B` = 1, `4B` = 1, `16A` = 2))
    expect_equal(sum(m), 5)
    expect_equal(ep$n_assessments, c(2L, 1L, 1L))
    expect_equal(ep$n_factors, c(3L, 2L, 1L))   # 21 not counted; 3C counted before exclusion
    au <- audit(ep)
    n <- function(step) au$n[au$step == step]
    expect_equal(n("episodes built"), 6)
    expect_equal(n("code 21 removed: combined with other codes"), 1)
    expect_equal(n("episodes with no factors or only 21: dropped"), 1)
    expect_equal(n("episodes with only 20 (Other): dropped"), 1)
    expect_equal(n("episodes dropped: only excluded factors"), 1)
    expect_equal(n("episodes kept"), 3)
  }
})

test_that("outcomes are combined over assessments and characteristics carried", {
  ep <- episode_factors(read_cin_assessments(fx("long_basic.csv")), min_count = 0)
  expect_equal(ep$cp_plan, c(1L, 0L, 0L))   # E1: only its second assessment has a plan
  expect_equal(ep$age, c(4L, 4L, 2L))
  expect_equal(ep$child_id, c("C1", "C1", "C5"))
})

test_that("min_count drops rare factors and then episodes left empty", {
  ep <- episode_factors(fx("long_basic.csv"), min_count = 2)
  expect_equal(factor_columns(ep), "16A")
  expect_equal(ep$episode_id, c("E1", "E6"))
  au <- audit(ep)
  expect_equal(au$n[au$step == "factors dropped: fewer than 2 episodes"], 28)
  expect_equal(au$n[au$step == "episodes dropped: only rare factors"], 1)
})

test_that("no-factor and Other-only episodes can be kept; exclusions can be switched off", {
  ep <- episode_factors(fx("long_basic.csv"), exclude = NULL, min_count = 0,
                        no_factors = "keep", other_only = "keep")
  expect_equal(nrow(ep), 6L)
  expect_equal(length(factor_columns(ep)), 44L)
  expect_equal(ep[["21"]], c(0L, 1L, 0L, 0L, 0L, 0L))   # E6's 21 removed (rule 8869)
  expect_equal(ep[["20"]], c(0L, 0L, 1L, 0L, 0L, 0L))
  expect_equal(ep[["9A"]], c(0L, 0L, 0L, 0L, 1L, 0L))
})

test_that("merges combine codes into one column", {
  d <- data.frame(child_id = c("a", "b", "c", "d"), referral_date = "2021-05-01",
                  factors = c("18A", "18B,18C", "19B", "16A"))
  ep <- episode_factors(d, exclude = NULL, min_count = 0, merge = legacy_abuse_merges())
  fc <- factor_columns(ep)
  expect_true(all(c("physical_abuse", "sexual_abuse") %in% fc))
  expect_false(any(c("18A", "18B", "18C", "19A", "19B", "19C") %in% fc))
  expect_equal(ep$physical_abuse, c(1L, 1L, 0L, 0L))
  expect_equal(ep$sexual_abuse, c(0L, 0L, 1L, 0L))
  expect_equal(which(fc == "physical_abuse"), which(cin_factors$code == "18A"))
  expect_error(episode_factors(d, merge = list(x = c("18A", "99Z"))),
               class = "cscdemand_error_unknown_code")
  expect_error(episode_factors(d, merge = list(x = "18A", y = "18A")),
               class = "cscdemand_error_input")
  expect_error(episode_factors(d, merge = c("18A")), class = "cscdemand_error_input")
})

test_that("bad arguments give classed errors", {
  a <- read_cin_assessments(fx("long_basic.csv"))
  expect_error(episode_factors(a, min_count = -1), class = "cscdemand_error_input")
  expect_error(episode_factors(a, exclude = "ZZ"), class = "cscdemand_error_unknown_code")
  expect_error(factor_columns(data.frame(x = 1)), class = "cscdemand_error_input")
  expect_error(audit(data.frame(x = 1)), class = "cscdemand_error_input")
})

test_that("episode counts on the example data agree with a direct count", {
  a <- read_cin_assessments(cin_example)
  ep <- episode_factors(a, exclude = NULL, min_count = 0, no_factors = "keep",
                        other_only = "keep")
  expect_equal(nrow(ep), length(unique(cin_example$episode_id)))
  # direct count of episodes with neglect, from the raw strings
  has16 <- tapply(grepl("(^|,)16A(,|$)", cin_example$factors), cin_example$episode_id, any)
  expect_equal(sum(ep[["16A"]]), sum(has16))
  kept <- episode_factors(a)
  expect_true(all(colSums(as.matrix(kept[factor_columns(kept)])) >= 10))
  expect_equal(audit(kept)$n[audit(kept)$step == "episodes kept"], nrow(kept))
})

test_that("sample_episodes draws balanced samples without touching the user's seed", {
  ep <- episode_factors(cin_example)
  set.seed(99)
  before <- .Random.seed
  s1 <- sample_episodes(ep, per_group = 1000, seed = 5)
  expect_identical(.Random.seed, before)
  s2 <- sample_episodes(ep, per_group = 1000, seed = 5)
  expect_identical(s1, s2)
  expect_equal(as.vector(table(s1$la)), c(1000L, 1000L, 1000L))
  big <- sample_episodes(ep, per_group = 1e6, seed = 1)
  expect_equal(nrow(big), nrow(ep))
  expect_match(utils::tail(audit(big)$detail, 1), "kept whole")
  expect_s3_class(s1, "cin_episodes")
  expect_error(sample_episodes(ep, group = "nope"), class = "cscdemand_error_input")
  expect_error(sample_episodes(ep, per_group = 0), class = "cscdemand_error_input")
})

test_that("print shows a header and rows", {
  ep <- episode_factors(fx("long_basic.csv"), min_count = 2)
  expect_snapshot(print(ep))
  expect_snapshot(print(audit(ep)))
})

test_that("characteristics that differ within an episode are counted in the audit", {
  d <- data.frame(child_id = "a", episode_id = "E1", assessment_id = c("A1", "A2", "B1"),
                  referral_date = "2023-05-01", factor = c("1B", "3B", "16A"),
                  age = c(4, 5, 7), gender = c("F", "F", "M"))
  d$episode_id[3] <- "E2"
  ep <- episode_factors(d, min_count = 0)
  au <- audit(ep)
  expect_equal(au$n[au$step == "episodes whose age differs between assessments"], 1)
  expect_false(any(au$step == "episodes whose gender differs between assessments"))
  expect_equal(ep$age, c(4L, 7L))
})

test_that("episode stages on their own: pairs, 21 and Other, merges, exclusions, rare factors", {
  d <- data.frame(episode_id = c("e1", "e1", "e2", "e3", "e4", "e4", "e5"),
                  assessment_id = c("a1", "a2", "a3", "a4", "a5", "a5", "a6"),
                  factor = c("18B", "18C", "21", "20", "21", "1B", "9A"))
  a <- read_cin_assessments(d)
  e <- ep_stage_pairs(a)
  expect_equal(e$n_ep, 5L)
  expect_equal(e$n_assessments, c(2L, 1L, 1L, 1L, 1L))
  e <- ep_stage_characteristics(e, a$assessments)
  e <- ep_stage_no_factors(e, "drop", "drop")
  expect_equal(e$alive, c(TRUE, FALSE, FALSE, TRUE, TRUE))   # e2 only 21, e3 only 20
  expect_equal(e$n_factors, c(2L, 0L, 1L, 1L, 1L))
  has <- function(e, cols) {  # episodes x columns, 0/1, from the masks
    m <- cpp_ep_mask_flags(e$mask, NULL, rep(TRUE, e$n_ep), seq_along(cols))
    matrix(unlist(m), e$n_ep, dimnames = list(NULL, cols))
  }
  h <- has(e, cin_codes_all())
  expect_equal(h[[4, "21"]], 0L)  # 21 removed beside 1B
  expect_equal(h[[4, "1B"]], 1L)
  expect_equal(h[[2, "21"]], 1L)  # 21 alone is kept (the episode is dropped)
  e <- ep_stage_merge(e, list(physical = c("18A", "18B", "18C")))
  h <- has(e, e$cols)
  expect_equal(h[, "physical"], c(1L, 0L, 0L, 0L, 0L))  # e1 once, not twice
  expect_equal(sum(h[2:3, ]), 0L)  # dropped episodes hold no factor
  expect_false("18B" %in% e$cols)
  e <- ep_stage_exclude(e, "9A", drop_empty = TRUE)
  expect_equal(e$alive, c(TRUE, FALSE, FALSE, TRUE, FALSE))  # e5 had only 9A
  e <- ep_stage_rare(e, 2, drop_empty = TRUE)
  expect_equal(e$alive, c(FALSE, FALSE, FALSE, FALSE, FALSE))
  expect_equal(e$audit$n[e$audit$step == "factors dropped: fewer than 2 episodes"],
               length(e$cols) - 1)
  expect_equal(e$audit$unit[e$audit$step == "factors excluded"], "factors")
  expect_error(ep_check_merge(list(a = "1B", b = "1B")))
})

test_that("episode masks agree with a plain R reference on random pairs", {
  set.seed(11)
  for (rep in 1:25) {
    n_ep <- sample(1:40, 1)
    ep_of <- sort(sample.int(n_ep, sample(n_ep:(3 * n_ep), 1), replace = TRUE))
    ep_of <- match(ep_of, unique(ep_of))  # episodes 1..n, no gap
    n_ep <- max(ep_of)
    n_pairs <- sample(0:150, 1)
    assess <- sample.int(length(ep_of), n_pairs, replace = TRUE)
    col <- sample.int(44, n_pairs, replace = TRUE)
    m <- cpp_ep_masks(ep_of, assess, col, n_ep)
    ref <- matrix(0L, n_ep, 44)
    ref[unique(cbind(ep_of[assess], col))] <- 1L
    got <- matrix(unlist(cpp_ep_mask_flags(m, NULL, rep(TRUE, n_ep), 1:44)), n_ep)
    expect_identical(got, ref)
    expect_identical(cpp_ep_mask_counts(m, 44), as.integer(colSums(ref)))
    # merge columns 1-3 into 1, keep the rest in order, only alive episodes
    map <- c(1L, 1L, 1L, 2:42)
    alive <- sample(c(TRUE, FALSE), n_ep, replace = TRUE)
    r <- cpp_ep_mask_remap(m, map, alive)
    ref2 <- cbind(pmax(ref[, 1], ref[, 2], ref[, 3]), ref[, 4:44]) * alive
    got2 <- matrix(unlist(cpp_ep_mask_flags(r, NULL, rep(TRUE, n_ep), 1:42)), n_ep)
    expect_identical(got2, ref2)
    # NA where missing and absent, only kept rows
    miss <- cpp_ep_masks(ep_of, assess, rev(col), n_ep)
    refm <- matrix(0L, n_ep, 44)
    refm[unique(cbind(ep_of[assess], rev(col)))] <- 1L
    fl <- cpp_ep_mask_flags(m, miss, alive, 1:44)
    want <- ref
    want[refm == 1L & ref == 0L] <- NA
    expect_identical(matrix(unlist(fl), sum(alive)), want[alive, , drop = FALSE])
    expect_identical(attr(fl, "n_na"), as.numeric(sum(is.na(want[alive, ]))))
    # 21 (column 5 here) beside others, no factors, 20 (column 7) alone
    nf <- cpp_ep_no_factors(m, alive, 5L, 7L, TRUE, FALSE)
    others <- rowSums(ref[, -5, drop = FALSE])
    expect_identical(nf$n_factors, as.integer(others))
    with21 <- ref[, 5] == 1L & others > 0
    expect_equal(unname(nf$counts), c(sum(with21), sum(others == 0),
                                          sum(others == 0 & ref[, 5] == 1L),
                                          sum(others == 1 & ref[, 7] == 1L)))
    expect_identical(nf$alive, alive & others > 0)
    ref21 <- ref
    ref21[with21, 5] <- 0L
    got21 <- matrix(unlist(cpp_ep_mask_flags(nf$mask, NULL, rep(TRUE, n_ep), 1:44)), n_ep)
    expect_identical(got21, ref21)
    expect_identical(cpp_ep_no_factors(m, alive, 5L, 7L, FALSE, TRUE)$alive,
                     alive & !(others == 1 & ref[, 7] == 1L))
    # episodes emptied by a removal are dropped, those empty from the start are not
    cleared <- cpp_ep_mask_clear(m, 1:10)
    dr <- cpp_ep_drop_emptied(cleared, alive, as.integer(others))
    emptied <- alive & rowSums(ref[, 11:44, drop = FALSE]) == 0 & others > 0
    expect_identical(as.vector(dr), alive & !emptied)
    expect_identical(attr(dr, "dropped"), as.numeric(sum(emptied)))
  }
  # pairs with a missing or impossible code or assessment are skipped, and counted
  m <- cpp_ep_masks(c(1L, 2L), c(1L, NA, 3L, 2L, 2L), c(5L, 5L, 5L, NA, 65L), 2L)
  expect_identical(attr(m, "skipped"), 4)
  expect_identical(cpp_ep_mask_counts(m, 5), c(0L, 0L, 0L, 0L, 1L))
})

test_that("episodes whose values differ are counted the same with sorted rows as by hashing", {
  set.seed(5)
  for (rep in 1:20) {
    n_ep <- sample(1:60, 1)
    ep_of <- sort(sample.int(n_ep, sample(1:200, 1), replace = TRUE))
    v <- sample(c(1:3, NA), length(ep_of), replace = TRUE)
    truth <- sum(vapply(split(v, factor(ep_of, levels = seq_len(n_ep))), function(x) {
      length(unique(x)) > 1L
    }, logical(1)))
    expect_identical(as.integer(ep_n_differ(v, ep_of, n_ep, TRUE)), truth)
    expect_identical(as.integer(ep_n_differ(v, ep_of, n_ep, FALSE)), truth)
    f <- factor(c("a", "b", "c")[v])
    expect_identical(as.integer(ep_n_differ(f, ep_of, n_ep, TRUE)), truth)
  }
  expect_identical(as.integer(ep_n_differ(1L, 1L, 1L, TRUE)), 0L)
})

test_that("episode_factors() gives the same table whatever the order of the assessments", {
  a <- read_cin_assessments(cin_example[cin_example$la == "E09000021", ])
  e1 <- episode_factors(a)
  b <- a
  o <- rev(seq_len(nrow(b$assessments)))  # episodes now in descending order
  b$assessments <- b$assessments[o, ]
  inv <- integer(length(o))
  inv[o] <- seq_along(o)  # factor rows point at assessment rows: follow them
  b$factors$assessment <- inv[b$factors$assessment]
  if (!is.null(b$missing) && nrow(b$missing)) b$missing$assessment <- inv[b$missing$assessment]
  e2 <- episode_factors(b)
  expect_identical(as.data.frame(unclass(e1))[order(e1$.episode), ],
                   as.data.frame(unclass(e2))[order(e2$.episode), ], ignore_attr = TRUE)
  expect_identical(audit(e1)$n, audit(e2)$n)
})

test_that("every factor code fits in an episode mask", {
  # episode_factors() keeps an episode's codes as bits of one 64-bit word
  # (episodes.h); a longer code list would need a wider mask.
  expect_lte(length(cin_codes_all()), 64L)
  expect_error(cpp_ep_mask_counts(cpp_ep_masks(1L, 1L, 1L, 1L), 65L), "out of range")
})

test_that("characteristics marked as bytes are compared as R compares them", {
  x <- cin_example[cin_example$la == "E09000021", ]
  d <- which(duplicated(x$episode_id))[1:5]
  v <- x$ethnicity
  v[d] <- "Wh\u00e9te"
  Encoding(v) <- ifelse(seq_along(v) %in% d, "bytes", Encoding(v))
  x$ethnicity <- v
  a <- read_cin_assessments(x)
  ep <- episode_factors(a)
  eth <- a$assessments$ethnicity
  ep_of <- a$assessments$.episode
  truth <- sum(vapply(split(seq_along(eth), ep_of), function(i) {
    any(eth[i][-1] != eth[i][1]) }, logical(1)))
  step <- "episodes whose ethnicity differs between assessments"
  expect_gt(truth, 0)
  expect_equal(audit(ep)$n[audit(ep)$step == step], truth)
  expect_identical(cpp_ep_n_differ(c("a", "a"), c(1L, 1L)), 0L)
  b <- c("\u00e9", "\u00e9")
  Encoding(b) <- c("bytes", "UTF-8")
  expect_identical(cpp_ep_n_differ(b, c(1L, 1L)), as.integer(b[1] != b[2]))
})

test_that("factor codes that cannot be placed in an episode are counted in the audit", {
  a <- read_cin_assessments(cin_example[cin_example$la == "E09000021", ])
  b <- a
  b$factors$code <- as.character(b$factors$code)
  b$factors$code[1:3] <- "99Z"                      # edited by hand: not a code
  b$factors$assessment[4] <- nrow(b$assessments) + 1L  # no such assessment
  ep <- episode_factors(b, exclude = NULL, min_count = 0)
  au <- audit(ep)
  expect_equal(au$n[au$step == "factor codes not used: not a CIN factor code or no assessment"], 4)
  expect_false(any(grepl("factor codes not used", audit(episode_factors(a))$step)))
})

test_that("an empty episode table prints without NaN", {
  ep <- episode_factors(fx("long_basic.csv"), min_count = 2)
  empty <- ep[0, ]
  out <- paste(utils::capture.output(print(empty)), collapse = "\n")
  expect_match(out, "0 episodes")
  expect_false(grepl("NaN", out, fixed = TRUE))
})
