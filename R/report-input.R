# What the report reads, and how it says so: every object the readers
# return goes in (files, data frames, `cin_assessments` from any reader,
# `cin_episodes`); the episodes are put in one order that does not depend on
# the route in, so every sample, fold and p-value is the same for the same
# data; the subtitle names the source and the years actually read.

# The episodes of `data`, what kind of source they came from ("simulated",
# "census", "sector", "extract"), the source's own words and the assessments
# read (NULL when episodes were given), from which report_council_audit()
# audits one council of several.
report_read <- function(data, lsoa = NULL, call = rlang::caller_env(), min_count = 10) {
  if (identical(data, "example")) data <- cscdemand::cin_example
  if (inherits(data, "cin_episodes")) {
    episodes <- if (is.null(lsoa)) data else link_lsoa(data, lsoa)
    kind <- report_source_kind(audit(data), source = NULL,
                               simulated = "true_class" %in% names(data))
    return(list(episodes = episodes, kind = kind, source = NULL))
  }
  assessments <- if (inherits(data, "cin_assessments")) data else read_cin_assessments(data)
  # the CIN census has no addresses: the children's LSOAs from a lookup
  if (!is.null(lsoa)) assessments <- link_lsoa(assessments, lsoa)
  simulated <- isTRUE(assessments$synthetic) ||
    "true_class" %in% names(assessments$assessments)
  kind <- report_source_kind(assessments$audit, assessments$source, simulated)
  list(episodes = episode_factors(assessments, min_count = min_count), kind = kind, source = assessments$source,
       assessments = assessments, min_count = min_count)
}

# Simulated data (the bundled example, simulate_cin(), returns written by
# write_cin_census_xml()) carry their true classes or say so in the return.
report_source_kind <- function(au, source, simulated) {
  if (simulated) return("simulated")
  steps <- if (is.null(au)) character() else au$step
  if ("census returns read" %in% steps) {
    sector <- !is.null(source) && grepl("Data to Insight|LIIA|Safeguarding|SSD", source)
    return(if (sector) "sector" else "census")
  }
  "extract"
}

# DfE reporting years as published: 2024 is "2023-24"; a run of years is
# "2022-23 to 2024-25", years with gaps are listed.
report_years_text <- function(years) {
  years <- sort(unique(as.integer(years[!is.na(years)])))
  if (!length(years)) return("")
  fy <- function(y) paste0(y - 1L, "-", substr(y, 3, 4))
  if (length(years) == 1L) return(fy(years))
  if (all(diff(years) == 1L)) return(paste(fy(years[1]), "to", fy(years[length(years)])))
  txt <- fy(years)
  and_list(txt)
}

# Where the data came from, as a phrase for a sentence ("simulated example
# data", "the council's CIN census returns", ...).
report_source_text <- function(kind, source) {
  switch(kind,
    simulated = "simulated example data",
    census = "the council's CIN census returns",
    sector = paste0("the council's ", source),
    "the council's CIN extract")
}

# The subtitle: where the data came from and the years read.
report_subtitle <- function(kind, source, years) {
  yrs <- report_years_text(years)
  what <- switch(kind,
    simulated = "Simulated example data",
    census = "CIN census returns",
    sector = source,
    "The council's CIN extract")
  if (!nzchar(yrs)) return(what)
  paste0(what, if (kind == "census") " " else ", reporting years ", yrs)
}

# One order of the episodes whatever the route in: by council, year,
# referral date and the factor flags. Episodes tied on all of these have the
# same factors, so any sample or fold of the factor columns drawn in this
# order is the same for the same data.
report_order <- function(episodes, items) {
  keys <- intersect(c("council", "year", "referral_date"), names(episodes))
  keys <- c(keys, items)
  o <- do.call(order, c(unname(lapply(episodes[keys], function(v) {
    if (is.factor(v)) as.character(v) else v
  })), list(na.last = TRUE, method = "radix")))
  out <- episodes[o, , drop = FALSE]
  rownames(out) <- NULL
  out
}

#' Draw the sample of episodes a report test runs on
#'
#' The bootstrap likelihood ratio test in [demand_report()] runs on a
#' sample of episodes, as the research fitted samples of about 2,500 episodes
#' per council. The sample is a simple random sample without replacement,
#' drawn with `seed` from the episodes in the order [report_data()] puts
#' them in (council, year, referral date, factors), which does not depend on
#' how the data were read: a data frame, CIN census XML returns or a
#' `cin_assessments` object give the same sample, so the same p-values. The
#' user's random-number state is left as it was.
#'
#' @param x A [report_data()] object, or a data frame of episodes in that
#'   order.
#' @param size Number of episodes to draw. All of them (in order) when
#'   there are no more than `size`.
#' @param seed The seed (recorded in the report).
#' @return Sorted row numbers of the episodes drawn.
#' @family report
#' @export
#' @examples
#' rd <- report_data("example")
#' rows <- report_sample(rd, 3000, seed = 2020)
#' length(rows)
#' identical(rows, report_sample(rd, 3000, seed = 2020))
report_sample <- function(x, size, seed) {
  if (inherits(x, "cscdemand_report_data")) x <- x$episodes
  check_data_frame(x)
  n <- nrow(x)
  check_count(size)
  check_number(seed)
  if (n <= size) return(seq_len(n))
  sort(with_local_seed(seed, sample.int(n, size)))
}


#' The report's bootstrap likelihood ratio tests
#'
#' Runs [lca_blrt()] as [demand_report()] does: on a sample of the episodes
#' drawn by [report_sample()] with `seed` (all of them when there are no more
#' than `sample`), leaving out factors that do not vary in the sample, and
#' testing K-1 against K classes only next to the K the report uses: first
#' at `k_use` (the gain of the chosen K over one fewer); when that gain is
#' significant, upwards (K = `k_use` + 1, ...) until the first test that is
#' not; when it is not, downwards until the first test that is. So the
#' tests give the same answer as testing every K in `k` from the smallest
#' (the K before the first non-significant test) whenever the tests below
#' the first one run are significant, as the gains of a few categories on
#' thousands of episodes are; the Ks far from the choice, which cost most of
#' the time and do not bear on it, are not tested (their rows are absent).
#' The episodes must be in the
#' order [report_data()] puts them in, which does not depend on how the data
#' were read, and [lca_blrt()] puts the response patterns in a canonical
#' order, so the same data give the same p-values and the same K whatever
#' the route in: a data frame, CIN census XML returns or an object a reader
#' returned.
#'
#' @param x A [report_data()] object, or a data frame of episodes in that
#'   order.
#' @param items The factor columns.
#' @param k The numbers of classes that may be tested (each at least 2).
#' @param k_use The number of classes the report uses: the tests start at
#'   the K in `k` nearest to it.
#' @param sample Number of episodes in the sample.
#' @param seed The report's seed: it draws the sample and seeds the tests.
#' @inheritParams lca_blrt
#' @return The tests' table (one row per K tested, in increasing K, as in
#'   [lca_blrt()]), with attributes `sample` (the episodes tested), `total`
#'   (the episodes in `x`), `seed` and `items` (the factors tested).
#' @family report
#' @export
#' @examples
#' rd <- report_data("example")
#' report_blrt(rd, rd$items[1:6], k = 2:3, k_use = 2, reps = 9, sample = 500, seed = 2020)
report_blrt <- function(x, items, k, k_use, reps = 99, starts = 4, sample = 3000, seed,
                        alpha = 0.05, threads = NULL) {
  if (inherits(x, "cscdemand_report_data")) x <- x$episodes
  check_data_frame(x)
  check_counts(k, min = 2)
  check_count(k_use)
  n <- min(nrow(x), sample)
  d <- x[report_sample(x, n, seed = seed), items, drop = FALSE]
  # a rare factor can be absent from the sample: the test leaves it out
  d <- d[vapply(d, function(v) length(unique(v[!is.na(v)])) > 1, logical(1))]
  k <- sort(unique(as.integer(k)))
  test <- function(kk) {
    lca_blrt(d, k = kk, reps = reps, starts = starts, seed = seed, alpha = alpha,
             threads = threads, verbose = FALSE)$table
  }
  i <- which.min(abs(k - k_use))  # the first test: the gain of the chosen K
  out <- test(k[i])
  up <- out$p_value <= alpha
  step <- if (up) 1L else -1L
  while (i + step >= 1L && i + step <= length(k)) {  # on until the answer changes
    i <- i + step
    b <- test(k[i])
    out <- rbind(out, b)
    if ((b$p_value <= alpha) != up) break
  }
  out <- out[order(out$k), , drop = FALSE]
  rownames(out) <- NULL
  structure(out, sample = n, total = nrow(x), seed = seed, items = names(d))
}
