#' Simulate a national CIN extract with known categories
#'
#' Synthetic assessments for every council in England over seven census
#' years, drawn from a twelve-class latent class model over the 29 factors
#' the Kingston analysis keeps, shaped like the national follow-up of the
#' Kingston work (about 2.9 million episodes and 3.6 million assessments
#' from 152 councils). Category shares vary between councils, and a few
#' named councils record some factors more or less often than the others
#' (different item probabilities), so that measurement invariance can be
#' tested against a known answer. At `scale = 1` the extract is written
#' council by council to a CSV file and/or a database table, because the
#' whole of it does not need to be in memory at once; a small `scale` gives
#' a data frame for examples, tests and the vignette.
#'
#' @section Model:
#' Councils are the 152 children's services authorities of the 2022-23 CIN
#' census (table C3 in [national_factor_rates]); each council's share of
#' the episodes is its mean published number of episodes with assessment
#' factors over 2018-2025, and each year's share is England's published
#' number for that year (years after 2025 use 2025's). Episodes belong to
#' one of the classes of [national_categories()]. A council's category
#' shares are the national sizes times \eqn{\exp(\sigma z_{gk})}, renormalised,
#' with \eqn{z_{gk}} standard normal and \eqn{\sigma} = `share_sd`. Given its
#' class, each of the 29 factors is present independently with the class's
#' probability (the `probs` of [national_categories()]), except in the
#' councils of `differ`, where the named factor's probability is shifted by
#' `shift` on the log-odds scale in every class. Episodes with none of the
#' 29 factors are written with code 21 ("no factors identified"). The
#' factors of an episode are spread over its one to three assessments (1.24
#' on average): each factor goes to one assessment, and to each other one
#' with probability 0.3. The simulation does not follow the census's history
#' of codes: the legacy (18A, 19A) and the split abuse codes (18B, 18C, 19B,
#' 19C) and 24A occur in every year.
#'
#' The model the data follow is a latent class model over all episodes,
#' those with no factor included, so read it back with
#' `episode_factors(a, no_factors = "keep", drop_empty = FALSE)`: dropping
#' the episodes with no factor (the Kingston default) would fit the model to
#' a truncated sample, whose classes are not the simulated ones.
#'
#' @param scale Size relative to the national analysis: `1` (default) is
#'   2.9 million episodes; `0.01` is 29,000.
#' @param years Census years, as the year the collection ends (default
#'   2019-2025, seven years), between 2018 and 2027.
#' @param n_episodes Total number of episodes; `NULL` (default) is
#'   2,900,000 times `scale`. Every council has at least one episode a year.
#' @param share_sd Standard deviation \eqn{\sigma} of the councils' log
#'   category shares around the national sizes (default 0.25).
#' @param differ Councils whose item probabilities differ, a data frame
#'   with columns `la` (ONS code), `item` (factor code) and `shift`
#'   (log-odds shift); default [national_differences()]. `NULL` or a data
#'   frame with no rows makes every council the same.
#' @param true_class Add the column `true_class`, each episode's simulated
#'   class (default `FALSE`: a real extract has no such column).
#' @param file Optional path of a CSV file to write (comma-separated, one
#'   row per assessment and factor, the layout [read_cin_assessments()]
#'   reads with `layout = "long"`). Needs the data.table package above
#'   200,000 rows (it writes 9 million rows in seconds).
#' @param con,table Optional DBI connection and table name: the rows are
#'   also appended to that table (created if needed), council by council.
#' @param seed Optional seed; the user's random-number state is restored
#'   afterwards. `NULL` draws one from the current state. Each council has
#'   its own random stream from the seed, so the extract is the same
#'   whichever outputs are asked for.
#' @return Without `file` and `con`: a data frame in the long layout with
#'   columns `la` (ONS code), `child_id`, `episode_id`, `assessment_id`
#'   (integers, unique in the extract), `referral_date`, `assessment_date`,
#'   `year` and `factor` (and `true_class` when asked for), and the attribute
#'   `truth`. With
#'   `file` or `con`: (invisibly) a list with `rows`, `assessments`,
#'   `episodes` and `truth`. The truth is a list: `classes` (the class
#'   names), `probs` (12 x 29 matrix of item probabilities, classes in rows),
#'   `class_sizes` (the expected national sizes over the councils'
#'   simulated episodes), `council_shares` (152 x 12 matrix, councils in
#'   rows by ONS code), `councils` (the councils with their names, weights
#'   and numbers of episodes per year), `episodes` (council-year counts),
#'   `differ` (the councils and items that differ, with their names) and
#'   `council_probs` (for each differing council, its 12 x 29 matrix).
#' @family CIN data
#' @export
#' @examples
#' d <- simulate_cin_national(scale = 0.001, seed = 1)
#' head(d)
#' length(unique(d$la))
#' tr <- attr(d, "truth")
#' round(tr$class_sizes, 3)
#' tr$differ
#' a <- read_cin_assessments(d, layout = "long")
#' ep <- episode_factors(a, no_factors = "keep", drop_empty = FALSE)
#' length(factor_columns(ep))
simulate_cin_national <- function(scale = 1, years = 2019:2025, n_episodes = NULL,
                                  share_sd = 0.25, differ = national_differences(),
                                  true_class = FALSE, file = NULL, con = NULL,
                                  table = "cin_national", seed = NULL) {
  check_number(scale, min = 1e-6)
  check_count(n_episodes, min = 1, allow_null = TRUE)
  check_number(share_sd, min = 0)
  check_flag(true_class)
  if (!is.numeric(years) || !length(years) || anyNA(years) || any(years < 2018 | years > 2027) ||
      any(years != round(years)) || anyDuplicated(years)) {
    abort_input(c("{.arg years} must be distinct census years between 2018 and 2027.",
                  x = "You supplied {.val {format(years)}}."))
  }
  councils <- nat_councils()
  differ <- nat_check_differ(differ, councils)
  nat_check_outputs(file, con, table)
  # one stream per council (and one for the shares), so what else runs
  # between councils (a database driver) cannot change the draws
  seed <- resolve_seed(seed)
  total <- if (is.null(n_episodes)) max(1, round(2.9e6 * scale)) else n_episodes
  cells <- nat_cells(councils, sort(as.integer(years)), total)
  councils$episodes <- as.numeric(tapply(cells$n, factor(cells$la, levels = councils$la_code), sum))
  kc <- national_categories()
  P <- kc$probs
  G <- nrow(councils)
  z <- with_local_seed(stream_seed(seed, 0), matrix(stats::rnorm(G * nrow(P)), G, nrow(P)))
  shares <- sweep(exp(share_sd * z), 2, kc$categories$size, `*`)
  shares <- shares / rowSums(shares)
  dimnames(shares) <- list(councils$la_code, kc$categories$class)
  sizes <- colSums(shares * councils$episodes) / sum(councils$episodes)
  council_probs <- nat_council_probs(P, differ)
  truth <- list(classes = kc$categories$class, probs = P, class_sizes = sizes,
                council_shares = shares, councils = councils, episodes = cells,
                differ = differ, council_probs = council_probs)
  to_return <- is.null(file) && is.null(con)
  parts <- if (to_return) vector("list", G) else NULL
  counts <- c(rows = 0, assessments = 0, episodes = 0)
  ids <- c(child = 0L, episode = 0L, assessment = 0L)
  if (!is.null(file) && file.exists(file)) unlink(file)
  for (g in seq_len(G)) {
    Pg <- council_probs[[councils$la_code[g]]] %||% P
    cg <- cells[cells$la == councils$la_code[g], , drop = FALSE]
    out <- with_local_seed(stream_seed(seed, g),
                           nat_draw_council(cg, Pg, shares[g, ], councils$la_code[g], ids,
                                            true_class))
    ids <- out$ids
    counts <- counts + c(nrow(out$rows), out$n_assessments, out$n_episodes)
    if (to_return) {
      parts[[g]] <- out$rows
    } else {
      nat_write_chunk(out$rows, file, con, table, first = g == 1L)
    }
  }
  if (to_return) {
    d <- lapply(stats::setNames(nm = names(parts[[1]])),
                function(col) do.call(c, lapply(parts, `[[`, col)))
    d <- structure(d, class = "data.frame", row.names = .set_row_names(length(d[[1]])))
    attr(d, "truth") <- truth
    return(d)
  }
  invisible(list(rows = counts[["rows"]], assessments = counts[["assessments"]],
                 episodes = counts[["episodes"]], truth = truth))
}

#' The twelve national categories of demand
#'
#' The twelve categories that [simulate_cin_national()] draws from, after
#' the national follow-up of the Kingston work, which found twelve
#' categories of need consistent across councils in England: each with its
#' national size and its probability of each of the 29 factors that the
#' Kingston analysis keeps (codes in [cin_factors] with `kingston_keep`).
#' The profiles are plausible, not estimates: every category is marked by a
#' few factors (domestic abuse by 3A and 3B, neglect by 16A, ...), and
#' every other factor has a small background probability.
#'
#' @return A list: `categories`, a data frame with columns `class` (short
#'   name), `label`, `description` and `size` (national proportion, summing
#'   to 1); and `probs`, the 12 x 29 matrix of factor probabilities (classes
#'   in rows, factor codes in columns).
#' @family CIN data
#' @export
#' @examples
#' nc <- national_categories()
#' nc$categories
#' round(nc$probs[, c("3A", "3B", "4B", "16A")], 2)
national_categories <- function() {
  cats <- data.frame(
    class = c("domestic_abuse", "neglect", "parental_mental_health", "parental_substance_misuse",
              "child_mental_health", "disability", "physical_abuse", "sexual_abuse",
              "extra_familial_harm", "child_behaviour", "complex_parental_needs",
              "young_carers_parental_illness"),
    label = c("Domestic abuse", "Neglect", "Parental mental health",
              "Parental substance misuse", "Child mental health and self-harm",
              "Child disability", "Physical abuse", "Sexual abuse",
              "Extra-familial harm", "Child behaviour", "Multiple complex parental needs",
              "Young carers and parental illness"),
    description = c(
      "domestic abuse between adults, the child exposed; some emotional abuse",
      "neglect, with some parental substance misuse and mental health",
      "a parent's mental health, little else",
      "a parent's drug and alcohol misuse, often with neglect",
      "the child's mental health, self-harm",
      "the child's learning or physical disability",
      "physical abuse by an adult, some emotional abuse",
      "sexual abuse by an adult or another child",
      "going missing, sexual and criminal exploitation, gangs",
      "socially unacceptable behaviour, child on child violence, the child's substance use",
      "domestic abuse, parental mental health, substances and neglect together",
      "young carers: a parent's disability or illness"),
    size = c(0.20, 0.14, 0.10, 0.07, 0.09, 0.07, 0.07, 0.04, 0.06, 0.07, 0.06, 0.03),
    stringsAsFactors = FALSE
  )
  list(categories = cats, probs = nat_profiles(cats$class))
}

#' Councils that differ in the national simulation
#'
#' The default `differ` of [simulate_cin_national()]: three councils that
#' record one or two factors more or less often than the rest of England
#' in every category, as a difference in recording practice would.
#'
#' @return A data frame with columns `la` (ONS code), `la_name`, `item`
#'   (factor code) and `shift` (log-odds shift of the factor's probability
#'   in every category).
#' @family CIN data
#' @export
#' @examples
#' national_differences()
national_differences <- function() {
  data.frame(la = c("E10000016", "E10000016", "E08000025", "E08000003"),
             la_name = c("Kent", "Kent", "Birmingham", "Manchester"),
             item = c("4B", "7A", "17A", "24A"),
             shift = c(1.2, 1.2, -1.5, 1.5),
             stringsAsFactors = FALSE)
}

# ---------------------------------------------------------------------------
# Helpers

# The 29 Kingston factors, in cin_factors order.
nat_items <- function() cscdemand::cin_factors$code[cscdemand::cin_factors$kingston_keep]

# Class profiles: background probability plus the factors that mark each class.
nat_profiles <- function(classes) {
  items <- nat_items()
  P <- matrix(0.02, length(classes), length(items), dimnames = list(classes, items))
  P[, c("22A", "23A")] <- 0.005
  set <- function(k, v) P[k, names(v)] <<- v
  set("domestic_abuse", c(`3B` = 0.85, `3A` = 0.55, `17A` = 0.25, `4B` = 0.15))
  set("neglect", c(`16A` = 0.85, `2B` = 0.15, `1B` = 0.12, `4B` = 0.18, `17A` = 0.15))
  set("parental_mental_health", c(`4B` = 0.85, `3B` = 0.12, `16A` = 0.10, `5B` = 0.06))
  set("parental_substance_misuse", c(`2B` = 0.80, `1B` = 0.50, `16A` = 0.40, `3B` = 0.25,
                                     `4B` = 0.25))
  set("child_mental_health", c(`4A` = 0.85, `15A` = 0.45, `14A` = 0.12, `5A` = 0.08))
  set("disability", c(`5A` = 0.70, `6A` = 0.50, `4A` = 0.20, `6B` = 0.05))
  set("physical_abuse", c(`18C` = 0.55, `18A` = 0.35, `17A` = 0.20, `22A` = 0.03))
  set("sexual_abuse", c(`19C` = 0.50, `19A` = 0.30, `19B` = 0.25, `17A` = 0.10))
  set("extra_familial_harm", c(`10A` = 0.70, `11A` = 0.45, `24A` = 0.45, `13A` = 0.20,
                               `2A` = 0.30, `14A` = 0.35, `1A` = 0.12))
  set("child_behaviour", c(`14A` = 0.80, `4A` = 0.30, `18B` = 0.25, `2A` = 0.12, `1A` = 0.08))
  set("complex_parental_needs", c(`3B` = 0.70, `3A` = 0.50, `4B` = 0.70, `2B` = 0.60,
                                  `1B` = 0.55, `16A` = 0.70, `17A` = 0.55, `23A` = 0.03))
  set("young_carers_parental_illness", c(`7A` = 0.75, `6B` = 0.45, `5B` = 0.30, `4B` = 0.40))
  P
}

# The 152 councils of the 2022-23 census, with their mean published number
# of episodes with assessment factors (C3, 2018-2025) as the weight.
nat_councils <- function() {
  nfr <- cscdemand::national_factor_rates
  la <- nfr[nfr$geographic_level == "Local authority" & nfr$code == "1A", ]
  now <- la[la$year == 2023, c("new_la_code", "la_name")]
  w <- tapply(la$episodes, la$new_la_code, mean, na.rm = TRUE)
  out <- data.frame(la_code = now$new_la_code, la_name = now$la_name,
                    weight = as.numeric(w[now$new_la_code]), stringsAsFactors = FALSE)
  out$weight[is.na(out$weight) | out$weight <= 0] <- 1
  out <- out[order(out$la_code), ]
  rownames(out) <- NULL
  out
}

# Council-year episode counts: proportional to council weight times the
# year's published national count, rounded by largest remainders, at least
# one per cell.
nat_cells <- function(councils, years, total) {
  nfr <- cscdemand::national_factor_rates
  nat <- nfr[nfr$geographic_level == "National" & nfr$code == "1A", ]
  ny <- vapply(years, function(y) nat$episodes[nat$year == min(y, max(nat$year))][1], numeric(1))
  cells <- expand.grid(la = councils$la_code, year = years, stringsAsFactors = FALSE)
  w <- councils$weight[match(cells$la, councils$la_code)] * ny[match(cells$year, years)]
  w <- w / sum(w)
  target <- w * max(total, nrow(cells))
  n <- pmax(1, floor(target))
  short <- max(total, nrow(cells)) - sum(n)
  if (short > 0) {
    add <- order(-(target - n))[seq_len(short)]
    n[add] <- n[add] + 1
  }
  cells$n <- as.integer(n)
  cells$year <- as.integer(cells$year)
  cells
}

nat_check_differ <- function(differ, councils, call = rlang::caller_env()) {
  empty <- data.frame(la = character(), la_name = character(), item = character(),
                      shift = numeric(), stringsAsFactors = FALSE)
  if (is.null(differ)) return(empty)
  check_data_frame(differ, arg = "differ", call = call)
  miss <- setdiff(c("la", "item", "shift"), names(differ))
  if (length(miss)) {
    abort_input(c("{.arg differ} lacks column{?s} {.field {miss}}.",
                  i = "Give {.field la} (ONS code), {.field item} (factor code) and {.field shift} (log-odds)."),
                call = call)
  }
  if (!nrow(differ)) return(empty)
  bad_la <- which(!differ$la %in% councils$la_code)
  bad_item <- which(!differ$item %in% nat_items())
  bad_shift <- which(!is.numeric(differ$shift) | !is.finite(differ$shift))
  if (length(bad_la) || length(bad_item) || length(bad_shift)) {
    abort_input(c("{.arg differ} has rows that cannot be simulated.",
                  x = if (length(bad_la)) "Column {.field la}, {rows_label(bad_la)}: not a council of the simulation (ONS codes such as {.val E10000016}).",
                  x = if (length(bad_item)) "Column {.field item}, {rows_label(bad_item)}: not one of the 29 factors ({.val {nat_items()}}).",
                  x = if (length(bad_shift)) "Column {.field shift}, {rows_label(bad_shift)}: must be a finite number."),
                call = call)
  }
  if (anyDuplicated(paste(differ$la, differ$item))) {
    abort_input("{.arg differ} names a council and item twice; give each pair once.", call = call)
  }
  data.frame(la = differ$la, la_name = councils$la_name[match(differ$la, councils$la_code)],
             item = differ$item, shift = as.numeric(differ$shift), stringsAsFactors = FALSE)
}

nat_check_outputs <- function(file, con, table, call = rlang::caller_env()) {
  if (!is.null(file) && (!is.character(file) || length(file) != 1L || is.na(file) ||
                         !dir.exists(dirname(file)))) {
    abort_input(c("{.arg file} must be one path in an existing folder.",
                  i = "For example {.code file = tempfile(fileext = \".csv\")}."), call = call)
  }
  if (!is.null(con)) {
    rlang::check_installed("DBI", reason = "to write the extract to a database.")
    if (!inherits(con, "DBIConnection")) {
      abort_input("{.arg con} must be a DBI connection.", call = call)
    }
    if (!is.character(table) || length(table) != 1L || is.na(table) || !nzchar(table)) {
      abort_input("{.arg table} must be one table name.", call = call)
    }
  }
}

# Item probabilities of each differing council (log-odds shift in every class).
nat_council_probs <- function(P, differ) {
  out <- list()
  for (la in unique(differ$la)) {
    Pg <- P
    di <- differ[differ$la == la, , drop = FALSE]
    for (i in seq_len(nrow(di))) {
      Pg[, di$item[i]] <- stats::plogis(stats::qlogis(P[, di$item[i]]) + di$shift[i])
    }
    out[[la]] <- Pg
  }
  out
}

# One council's episodes over all its years: classes, factors, assessments,
# and the long rows (one per assessment and factor; code 21 for an
# assessment of an episode with no factor).
nat_draw_council <- function(cg, P, share, la, ids, true_class) {
  n <- sum(cg$n)
  K <- nrow(P)
  items <- colnames(P)
  cls <- sample.int(K, n, replace = TRUE, prob = share)
  Y <- matrix(stats::runif(n * ncol(P)), n, ncol(P)) < P[cls, , drop = FALSE]
  year <- rep(cg$year, cg$n)
  n_as <- sample.int(3L, n, replace = TRUE, prob = c(0.80, 0.16, 0.04))
  # the last assessment ends in the census year; earlier ones 20-80 days apart
  april <- as.integer(as.Date(sprintf("%d-04-01", cg$year - 1L)))
  end <- rep(april, cg$n) + sample.int(365L, n, replace = TRUE) - 1L
  ai <- rep(seq_len(n), n_as)
  k <- sequence(n_as)
  m <- length(ai)
  first <- cumsum(c(1L, n_as))[seq_len(n)]
  last <- first + n_as - 1L
  gap <- sample(20:80, m, replace = TRUE)  # to the next assessment
  gap[last] <- 0L
  cs <- cumsum(gap)
  ass_date <- end[ai] - (cs[last[ai]] - cs + gap)
  ref_date <- ass_date[first] - sample(3:40, n, replace = TRUE)
  # factors to assessments: one home assessment each, the others with p = 0.3
  pr <- which(Y, arr.ind = TRUE)
  pe <- pr[, 1]
  pc <- pr[, 2]
  na_e <- n_as[pe]
  home <- 1L + floor(stats::runif(length(pe)) * na_e)
  rows_e <- rep(seq_along(pe), na_e)
  kk <- sequence(na_e)
  keep <- kk == home[rows_e] | stats::runif(length(rows_e)) < 0.3
  pa <- first[pe[rows_e][keep]] + kk[keep] - 1L
  code <- items[pc[rows_e][keep]]
  empty <- setdiff(seq_len(m), pa)  # assessments with no factor of their own
  if (length(empty)) {
    ee <- ai[empty]
    has <- rowSums(Y[ee, , drop = FALSE]) > 0L
    pick <- vapply(seq_along(ee), function(i) {
      if (!has[i]) return("21")
      cc <- which(Y[ee[i], ])
      items[cc[1L + floor(stats::runif(1) * length(cc))]]
    }, character(1))
    pa <- c(pa, empty)
    code <- c(code, pick)
  }
  o <- order(pa, match(code, c(items, "21")))
  pa <- pa[o]
  ep_of <- ai[pa]
  rows <- data.frame(
    la = la,
    child_id = ids[["child"]] + ep_of, episode_id = ids[["episode"]] + ep_of,
    assessment_id = ids[["assessment"]] + pa,
    referral_date = as.Date(ref_date[ep_of], origin = "1970-01-01"),
    assessment_date = as.Date(ass_date[pa], origin = "1970-01-01"),
    year = year[ep_of], factor = code[o], stringsAsFactors = FALSE)
  if (true_class) rows$true_class <- rownames(P)[cls[ep_of]]
  ids <- ids + c(n, n, m)
  list(rows = rows, ids = ids, n_assessments = m, n_episodes = n)
}

nat_write_chunk <- function(rows, file, con, table, first) {
  if (!is.null(file)) {
    if (requireNamespace("data.table", quietly = TRUE)) {
      data.table::fwrite(rows, file, append = !first, dateTimeAs = "ISO")
    } else if (nrow(rows) <= 2e5) {
      utils::write.table(rows, file, sep = ",", row.names = FALSE, col.names = first,
                         append = !first, qmethod = "double")
    } else {
      rlang::check_installed("data.table", reason = "to write a large extract quickly.")
    }
  }
  if (!is.null(con)) {
    if (first && DBI::dbExistsTable(con, table)) DBI::dbRemoveTable(con, table)
    DBI::dbWriteTable(con, table, rows, append = !first, row.names = FALSE)
  }
  invisible(NULL)
}
