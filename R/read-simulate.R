# Simulated CIN assessments with known latent classes (simulate_cin()): the
# classes and what differs between them first, as tables, then the
# simulator in stages.

# What differs between the classes of simulate_cin(), one row per class of
# kingston_classes() (same order; test-read-simulate.R checks it). Set by hand
# to look like the research's categories, not estimated: mean age at
# referral (sd cin_sim_constants$age_sd), shares female and disabled, the
# deprivation gradient of where the child lives (LSOAs weighted by
# gradient^(10 - IMD decile)), and the outcome probabilities: section 47
# enquiry; initial child protection conference given an enquiry; CP plan
# given a conference; looked after; assessed not in need (without an
# enquiry, not looked after).
cin_sim_class_traits <- data.frame(
  class = c("neglect", "domestic_violence", "physical_abuse", "out_of_control",
            "complex_needs_1", "complex_needs_2", "disability_mental_health"),
  age_mean = c(5, 6.5, 8, 14.5, 7.5, 6, 11),
  p_female = c(0.49, 0.49, 0.46, 0.56, 0.5, 0.5, 0.39),
  p_disability = c(0.04, 0.03, 0.04, 0.08, 0.06, 0.07, 0.35),
  deprivation_gradient = c(1.35, 1.2, 1.25, 1.25, 1.35, 1.4, 1.1),
  p_s47 = c(0.35, 0.30, 0.55, 0.20, 0.45, 0.65, 0.10),
  p_icpc = c(0.55, 0.35, 0.30, 0.25, 0.50, 0.70, 0.20),
  p_cp_plan = c(0.85, 0.85, 0.80, 0.70, 0.85, 0.92, 0.70),
  p_looked_after = c(0.06, 0.03, 0.05, 0.09, 0.07, 0.12, 0.03),
  p_not_in_need = c(0.25, 0.35, 0.35, 0.35, 0.20, 0.08, 0.45),
  stringsAsFactors = FALSE)

# Referral sources (census codes) in groups: a group is drawn by class
# (cin_sim_referral_probs), then a code within it uniformly.
cin_sim_referral_groups <- list(
  police = "6", education = c("2A", "2B"), health = c("3A", "3B", "3C", "3D", "3E", "3F"),
  la_services_housing = c("5A", "5B", "5C", "5D", "4"), individual = c("1A", "1B", "1C", "1D"),
  other = c("7", "8", "9", "10"))

# Probability of each referral source group, by class (police most often for
# domestic abuse, health for disability).
cin_sim_referral_probs <- matrix(c(
  0.18, 0.30, 0.22, 0.12, 0.10, 0.08,   # neglect
  0.50, 0.13, 0.10, 0.12, 0.08, 0.07,   # domestic_violence
  0.25, 0.30, 0.15, 0.12, 0.10, 0.08,   # physical_abuse
  0.36, 0.26, 0.10, 0.14, 0.07, 0.07,   # out_of_control
  0.28, 0.20, 0.18, 0.16, 0.10, 0.08,   # complex_needs_1
  0.28, 0.18, 0.20, 0.18, 0.08, 0.08,   # complex_needs_2
  0.08, 0.22, 0.40, 0.14, 0.10, 0.06),  # disability_mental_health
  nrow = 7L, byrow = TRUE,
  dimnames = list(cin_sim_class_traits$class, names(cin_sim_referral_groups)))

# Probability of each primary need code N1-N9, by class.
cin_sim_need_probs <- matrix(c(
  0.80, 0.02, 0.03, 0.05, 0.06, 0.01, 0.01, 0.01, 0.01,   # neglect
  0.60, 0.01, 0.04, 0.13, 0.19, 0.01, 0.01, 0.00, 0.01,   # domestic_violence
  0.85, 0.01, 0.02, 0.04, 0.05, 0.01, 0.00, 0.01, 0.01,   # physical_abuse
  0.25, 0.03, 0.02, 0.15, 0.20, 0.30, 0.01, 0.03, 0.01,   # out_of_control
  0.55, 0.02, 0.10, 0.15, 0.15, 0.01, 0.01, 0.00, 0.01,   # complex_needs_1
  0.75, 0.02, 0.05, 0.08, 0.08, 0.01, 0.00, 0.00, 0.01,   # complex_needs_2
  0.15, 0.55, 0.10, 0.08, 0.05, 0.03, 0.01, 0.01, 0.02),  # disability_mental_health
  nrow = 7L, byrow = TRUE, dimnames = list(cin_sim_class_traits$class, paste0("N", 1:9)))

# Probability of each category of abuse of a child protection plan, by class.
cin_sim_cp_category_probs <- matrix(c(
  0.80, 0.03, 0.01, 0.08, 0.08,   # neglect
  0.15, 0.05, 0.01, 0.72, 0.07,   # domestic_violence
  0.15, 0.45, 0.20, 0.12, 0.08,   # physical_abuse
  0.30, 0.15, 0.20, 0.30, 0.05,   # out_of_control
  0.45, 0.08, 0.03, 0.34, 0.10,   # complex_needs_1
  0.45, 0.08, 0.04, 0.18, 0.25,   # complex_needs_2
  0.50, 0.08, 0.04, 0.30, 0.08),  # disability_mental_health
  nrow = 7L, byrow = TRUE,
  dimnames = list(cin_sim_class_traits$class, c("NEG", "PHY", "SAB", "EMO", "MUL")))

# Ethnicity (census codes), the same for every class: a group by `prob`,
# then the group's first code with probability 0.85, its second 0.05, ...
cin_sim_ethnicity <- list(
  groups = list(white = c("WBRI", "WIRI", "WOTH", "WROM"), mixed = c("MWBC", "MWBA", "MWAS", "MOTH"),
                asian = c("AIND", "APKN", "ABAN", "AOTH"), black = c("BCRB", "BAFR", "BOTH"),
                chinese_other = c("CHNE", "OOTH"), refused = c("REFU", "NOBT")),
  prob = c(0.71, 0.09, 0.09, 0.07, 0.03, 0.01),
  within = c(0.85, 0.05, 0.08, 0.02))

# The same for every class: the sd of age at referral, the share of gender
# unknown, of episodes assessed not in need that step down to early help, of
# the other episodes (no plan, not looked after) with a CIN plan, and the
# number of assessments of an episode (1, 2, 3).
cin_sim_constants <- list(age_sd = 4, p_gender_unknown = 0.005, p_step_down = 0.35,
                          p_cin_plan = 0.7, assessments_per_episode = c(0.88, 0.10, 0.02))

#' Simulate CIN assessments with known latent classes
#'
#' Synthetic assessments for one or more councils and census years, drawn
#' from a seven-class latent class model that follows the Kingston categories
#' of demand, with factor rates calibrated to DfE table C3 and characteristics
#' and outcomes that differ by class. The result looks like a council extract
#' and reads with [read_cin_assessments()].
#'
#' @section Model:
#' Each episode belongs to one of the classes of [kingston_classes()] (sizes
#' `class_sizes`). Each class has a profile of relative factor
#' likelihoods (for example neglect in the neglect class, 18A-18C and 19A-19C
#' in physical abuse, missing, exploitation and gangs in out-of-control); the
#' probability of factor *j* in class *k* is \eqn{\min(0.95, c_j L_{jk})},
#' where \eqn{c_j} is solved so that the marginal rate
#' \eqn{\sum_k \pi_k p_{jk}} equals the rate of episodes with factor *j* in
#' table C3 for the census year ([national_factor_rates]; England, or the
#' council where published with `calibrate = "la"`). Codes not collected in a
#' year (18B/18C/19B/19C before 2021, 24A before 2022) get rate 0; C3's
#' pooled private fostering rate is split equally over 8B-8F. Episodes with
#' no factor drawn are coded 21 ("no factors identified").
#'
#' Characteristics: age at referral (youngest in neglect and domestic abuse,
#' oldest in out-of-control), gender, ethnicity, referral source (police most
#' often for domestic abuse, health for disability), LSOA (real 2011 LSOAs of
#' the council, drawn in proportion to children aged 0-15 and more often in
#' deprived deciles, steeper for neglect and complex needs), re-referrals
#' within 12 months (the same child referred again, about 22% of episodes as
#' in DfE table C1), and outcomes (section 47 enquiry, initial child
#' protection conference, CP plan (most likely in multiple complex needs II),
#' looked after, CIN plan, assessed not in need, step down to early help, no
#' further action). About 10% of episodes have two or three assessments, the
#' factors spread over them.
#'
#' @param las Councils to simulate, any of those in [cin_sim_councils()]:
#'   ONS codes, DfE three-digit numbers or names, resolved as [find_council()]
#'   does. Default Kingston upon Thames.
#' @param years Census years, as the year the collection ends (2024 =
#'   2023-24), between 2018 and 2027. Years after the latest published C3
#'   (2025) use its rates. Dates of a year not yet over lie in the future,
#'   which the readers refuse until then.
#' @param n_episodes Total number of episodes, split over councils and years
#'   in proportion to their C3 episode counts. `NULL` (default) uses the C3
#'   counts times `scale`.
#' @param scale Multiplier of the C3 counts when `n_episodes` is `NULL`
#'   (default 1).
#' @param class_sizes Class proportions, in the order of [kingston_classes()]
#'   (default the `size` column there).
#' @param calibrate `"national"` (default) or `"la"` rates.
#' @param layout Output layout: `"long"` (default; one row per assessment and
#'   factor), `"codes"` (one row per assessment) or `"wide"`.
#' @param seed Optional seed; the user's random-number state is restored
#'   afterwards. `NULL` uses the current state.
#' @return A data frame in the chosen layout with columns `la`, `la_name`,
#'   `child_id`, `episode_id`, `assessment_id`, `referral_date`,
#'   `assessment_date`, `year`, the factor column(s), `age`, `gender`,
#'   `ethnicity`, `lsoa`, `referral_source`, `rereferral`, `nfa`,
#'   `not_in_need`, `cin_plan`, `s47`, `icpc`, `cp_plan`, `looked_after`,
#'   `step_down` and `true_class`, and the census fields with their known
#'   truth: `ethnic_group`, `disability`, `birth_date`,
#'   `referral_source_code` (`referral_source` is its DfE label),
#'   `primary_need_code`, `primary_need`, `closure_date`,
#'   `closure_reason_code`, `closure_reason`, `s47_date`, `icpc_date`,
#'   `cpp_start`, `cp_category_code`, `cp_category`, `cin_plan_start` and
#'   `threshold` (the highest reached, as [read_cin_census_xml()] derives it);
#'   the plan fields of the return, `cin_plan_end`, `cpp_end` (plans of
#'   about 5 and 9 months, ending by the episode's closure; open plans have
#'   none), `previous_cpp` (a child's first plan in the data follows earlier
#'   plans with the council's rate of second or subsequent plans in DfE
#'   table D3; a later plan of the same child counts the earlier ones) and
#'   `assessment_review_date` (about 4% of assessments), with their known
#'   truth in the columns [read_cin_census_xml()] derives (`cin_plan_days`,
#'   `cp_plan_days`, `previous_cp_plans`, `repeat_cp_plan`,
#'   `cp_plan_reviews`, `icpc_working_days`, `icpc_timely`,
#'   `icpc_not_required`, `assessment_reviewed`). Conferences are held 4 to
#'   26 days after the section 47 enquiry starts, so some are late. When
#'   `years` include 2027 (2026-27), the pre-proceedings and FGDM module is
#'   drawn for episodes referred in 2026-27 (`pp_start`, `pp_letter_date`,
#'   `fgdm_offer`, `fgdm_fac`, `pp_meeting_date`, `pp_review_meetings`,
#'   `pp_step_date`, `pp_outcome_code`, `court_app_date`, `letter_cp_date`)
#'   with the truth `pre_proceedings`, `pp_letter`, `fgdm_offered`,
#'   `fgdm_held`, `court_application`, `pp_outcome`, `pp_days` and
#'   `pp_review_meetings` (`NA` for episodes in
#'   no 2026-27 return). These fields are drawn after all the others, so the
#'   other columns are as without them.
#'   `ethnicity` is the DfE code (such as `WBRI`). [write_cin_census_xml()]
#'   writes it as census returns. Attribute `truth`: a list with the class
#'   sizes and, per year, the 44 x 7 matrix of item probabilities.
#' @family CIN data
#' @export
#' @examples
#' d <- simulate_cin(years = 2024, n_episodes = 500, seed = 1)
#' head(d)
#' ep <- episode_factors(read_cin_assessments(d), min_count = 5)
#' table(ep$true_class)
simulate_cin <- function(las = "E09000021", years = 2024, n_episodes = NULL, scale = 1,
                         class_sizes = NULL, calibrate = c("national", "la"),
                         layout = c("long", "codes", "wide"), seed = NULL) {
  calibrate <- rlang::arg_match(calibrate)
  layout <- rlang::arg_match(layout)
  councils <- cin_sim_councils()
  if (!(is.character(las) || is.numeric(las)) || !length(las) || anyNA(las)) {
    abort_input("{.arg las} must be council codes, DfE numbers or names.")
  }
  # the package's one council resolver: codes, DfE numbers, names, districts
  codes <- vapply(las, function(x) context_resolve(x, verbose = FALSE)$code, character(1),
                  USE.NAMES = FALSE)
  li <- match(codes, councils$la_code)
  if (anyNA(li)) {
    abort_input(c("Council{?s} {.val {las[is.na(li)]}} cannot be simulated.",
                  i = "Available: {.val {paste(councils$la_code, councils$la_name)}}."))
  }
  if (!is.numeric(years) || !length(years) || anyNA(years) || any(years < 2018 | years > 2027) ||
      any(years != round(years))) {
    abort_input(c("{.arg years} must be census years between 2018 and 2027.",
                  x = "You supplied {.val {format(years)}}."))
  }
  check_number(scale, min = 1e-6)
  check_count(n_episodes, min = 1, allow_null = TRUE)
  kc <- kingston_classes()
  if (is.null(class_sizes)) class_sizes <- kc$size
  if (!is.numeric(class_sizes) || length(class_sizes) != nrow(kc) || anyNA(class_sizes) ||
      any(class_sizes < 0) || sum(class_sizes) <= 0) {
    abort_input("{.arg class_sizes} must be {nrow(kc)} non-negative numbers.")
  }
  class_sizes <- class_sizes / sum(class_sizes)
  if (!is.null(seed)) {
    check_count(seed, min = 0)
    restore_rng <- local_seed(seed)
    on.exit(restore_rng(), add = TRUE)
  }
  cells <- expand.grid(year = as.integer(sort(unique(years))), li = unique(li))
  nfr <- cscdemand::national_factor_rates
  c3n <- vapply(seq_len(nrow(cells)), function(i) {
    r <- nfr[nfr$year == min(cells$year[i], max(nfr$year)) & nfr$new_la_code %in% councils$la_code[cells$li[i]] &
               nfr$code == "1A", "episodes"]
    if (length(r) && !is.na(r[1])) r[1] else 1000
  }, numeric(1))
  if (is.null(n_episodes)) {
    cells$n <- pmax(1L, as.integer(round(c3n * scale)))
  } else {
    w <- c3n / sum(c3n)
    cells$n <- as.integer(floor(w * n_episodes))
    short <- n_episodes - sum(cells$n)
    if (short > 0) {
      add <- order(-(w * n_episodes - cells$n))[seq_len(short)]
      cells$n[add] <- cells$n[add] + 1L
    }
  }
  cells <- cells[cells$n > 0, , drop = FALSE]
  truth <- list(class_sizes = stats::setNames(class_sizes, kc$class), probs = list())
  parts <- vector("list", nrow(cells))
  for (i in seq_len(nrow(cells))) {
    la_row <- councils[cells$li[i], ]
    P <- cin_sim_probs(cells$year[i], class_sizes,
                       la_code = if (calibrate == "la") la_row$la_code else NULL)
    truth$probs[[as.character(cells$year[i])]] <- P
    parts[[i]] <- cin_sim_cell(cells$n[i], P, class_sizes, la_row, cells$year[i])
  }
  ep <- do.call(rbind, lapply(parts, `[[`, "ep"))
  Y <- do.call(rbind, lapply(parts, `[[`, "Y"))
  o <- order(ep$la, ep$referral_date)
  ep <- ep[o, , drop = FALSE]
  Y <- Y[o, , drop = FALSE]
  # Child ids unique within council, re-referrals reuse an earlier child.
  ep <- cin_sim_children(ep)
  out <- cin_sim_assessments(ep, Y, layout)
  # drawn last, so every column above is the same as without them
  out <- cin_sim_return_fields(out)
  attr(out, "truth") <- truth
  out
}

#' The seven Kingston categories of demand
#'
#' The classes of the Kingston seven-class invariant model (2020 final
#' report), as used by [simulate_cin()], with the default simulated class
#' sizes.
#'
#' @return A data frame with columns `class` (short name), `label`,
#'   `description` and `size` (default proportion in [simulate_cin()]).
#' @family CIN data
#' @export
#' @examples
#' kingston_classes()
kingston_classes <- function() {
  data.frame(
    class = c("neglect", "domestic_violence", "physical_abuse", "out_of_control",
              "complex_needs_1", "complex_needs_2", "disability_mental_health"),
    label = c("Neglect", "Domestic violence", "Physical abuse",
              "Out of control / highly vulnerable", "Multiple complex needs I",
              "Multiple complex needs II", "Disability and mental health"),
    description = c(
      "neglect, often with parental substance misuse",
      "domestic abuse of the parent or carer, the child exposed",
      "physical (and some sexual) abuse, emotional abuse",
      "older children: going missing, exploitation, gangs, behaviour, substance misuse",
      "several parental factors: mental health, substances, domestic abuse",
      "many co-occurring parental and child factors; child protection plans most likely",
      "child's disability, illness or mental health, young carers, self-harm"),
    size = c(0.16, 0.22, 0.13, 0.12, 0.11, 0.07, 0.19),
    stringsAsFactors = FALSE
  )
}

#' Councils that simulate_cin() can simulate
#'
#' @return A data frame with `la_code`, `old_la_code`, `la_name` and the
#'   number of 2011 LSOAs shipped for each council.
#' @family CIN data
#' @export
#' @examples
#' cin_sim_councils()
cin_sim_councils <- function() {
  l <- cin_sim_lsoas()
  u <- l[!duplicated(l$la_code), c("la_code", "old_la_code", "la_name")]
  u$n_lsoa <- as.integer(table(l$la_code)[u$la_code])
  rownames(u) <- NULL
  u
}

# ---------------------------------------------------------------------------
# Helpers

cin_sim_lsoas <- function() {
  path <- system.file("extdata", "cin_sim_lsoas.csv", package = "cscdemand")
  utils::read.csv(path, colClasses = c("character", "character", "character", "character",
                                       "integer", "integer"))
}

# Relative factor likelihoods per class (rows = codes, columns = classes).
cin_sim_lift <- function() {
  codes <- cin_codes_all()
  kc <- kingston_classes()$class
  L <- matrix(0.45, length(codes), length(kc), dimnames = list(codes, kc))
  set <- function(k, cc, v) L[cc, k] <<- v
  set("neglect", c("16A"), 5)
  set("neglect", c("1B", "2B"), 1.6)
  set("neglect", c("4B", "5B"), 1.2)
  set("domestic_violence", c("3B"), 4)
  set("domestic_violence", c("3A"), 3)
  set("domestic_violence", c("3C", "17A"), 1.8)
  set("physical_abuse", c("18A", "18B", "18C"), 5.5)
  set("physical_abuse", c("19A", "19B", "19C"), 3)
  set("physical_abuse", c("22A", "23A"), 3)
  set("physical_abuse", c("17A"), 1.3)
  set("out_of_control", c("10A", "11A", "13A", "24A", "12A"), 5.5)
  set("out_of_control", c("1A", "2A", "14A"), 5)
  set("out_of_control", c("15A"), 2.5)
  set("out_of_control", c("4A"), 1.4)
  set("complex_needs_1", c("1B", "2B", "4B"), 2.6)
  set("complex_needs_1", c("3B", "5B", "1C", "2C", "4C"), 1.8)
  set("complex_needs_1", c("16A", "17A"), 1.6)
  set("complex_needs_2", c("1B", "2B", "3B", "4B", "16A", "17A", "3A"), 3.5)
  set("complex_needs_2", c("6B", "5B", "1C", "2C", "3C", "4C", "4A", "14A"), 2.2)
  set("disability_mental_health", c("5A", "6A"), 5)
  set("disability_mental_health", c("7A"), 3.5)
  set("disability_mental_health", c("4A", "15A"), 2.6)
  set("disability_mental_health", c("6B", "4B"), 1.3)
  L["20", ] <- 1
  L["21", ] <- 0
  L
}

# Target rate of episodes with each code in a census year (C3).
cin_sim_rates <- function(year, la_code = NULL) {
  nfr <- cscdemand::national_factor_rates
  year <- min(year, max(nfr$year))  # years after the latest C3: its rates
  nat <- nfr[nfr$year == year & nfr$geographic_level == "National", ]
  r <- stats::setNames(nat$rate, nat$code)
  if (!is.null(la_code)) {
    lr <- nfr[nfr$year == year & nfr$new_la_code %in% la_code & nfr$status == "published", ]
    r[lr$code] <- lr$rate
  }
  r[is.na(r)] <- 0
  codes <- cin_codes_all()
  out <- stats::setNames(numeric(length(codes)), codes)
  hit <- intersect(names(r), codes)
  out[hit] <- r[hit]
  pf <- r[["8B-8F"]]
  out[c("8B", "8C", "8D", "8E", "8F")] <- pf / 5
  out
}

cin_sim_probs <- function(year, sizes, la_code = NULL, cap = 0.95) {
  L <- cin_sim_lift()
  r <- cin_sim_rates(year, la_code)
  P <- L * 0
  for (j in seq_len(nrow(L))) {
    if (r[j] <= 0) next
    f <- function(cj) sum(sizes * pmin(cap, cj * L[j, ])) - r[j]
    hi <- 1 / min(L[j, L[j, ] > 0])
    if (f(hi) < 0) {
      P[j, ] <- pmin(cap, hi * L[j, ])
    } else {
      cj <- stats::uniroot(f, c(0, hi), tol = 1e-10)$root
      P[j, ] <- pmin(cap, cj * L[j, ])
    }
  }
  P
}

# One council and year of simulate_cin(): `n` episodes, factor probabilities
# `P` (factor by class), class sizes `sizes`. The stages draw in a fixed
# order (class and factors, characteristics, LSOA, outcomes, CP category,
# dates), so a seed gives the same extract as before the stages were named.
cin_sim_cell <- function(n, P, sizes, la_row, year) {
  traits <- cin_sim_class_traits
  drawn <- cin_sim_factors(n, P, sizes)
  cls <- drawn$class
  person <- cin_sim_characteristics(cls, traits)
  lsoa <- cin_sim_lsoa(cls, la_row$la_code, traits$deprivation_gradient)
  outcome <- cin_sim_outcomes(cls, no_factors = drawn$Y[, "21"], traits)
  cp_category_code <- cin_sim_cp_category(cls, outcome$cp_plan)
  dates <- cin_sim_referral_dates(n, year)
  ep <- data.frame(
    la = la_row$la_code, la_name = la_row$la_name, year = as.integer(year),
    referral_date = dates$referral_date, n_as = dates$n_assessments, age = person$age,
    gender = person$gender, ethnicity = person$ethnicity, lsoa = lsoa,
    referral_source = person$referral_source, nfa = as.integer(outcome$nfa),
    not_in_need = as.integer(outcome$not_in_need), cin_plan = as.integer(outcome$cin_plan),
    s47 = as.integer(outcome$s47), icpc = as.integer(outcome$icpc),
    cp_plan = as.integer(outcome$cp_plan), looked_after = as.integer(outcome$looked_after),
    step_down = as.integer(outcome$step_down), true_class = traits$class[cls],
    disability = person$disability, referral_source_code = person$referral_source_code,
    primary_need_code = person$primary_need_code, cp_category_code = cp_category_code,
    stringsAsFactors = FALSE
  )
  list(ep = ep, Y = drawn$Y)
}

# Each episode's class (by `sizes`) and its factors (by `P`, factor by
# class); an episode with no factor drawn gets "21" (no factors identified).
cin_sim_factors <- function(n, P, sizes) {
  cls <- sample.int(nrow(cin_sim_class_traits), n, replace = TRUE, prob = sizes)
  Y <- matrix(stats::runif(n * nrow(P)), n, nrow(P)) < t(P)[cls, , drop = FALSE]
  colnames(Y) <- rownames(P)
  Y[rowSums(Y) == 0L, "21"] <- TRUE
  list(class = cls, Y = Y)
}

# Age, gender, ethnicity, referral source, primary need and disability of
# each episode's child, by class.
cin_sim_characteristics <- function(cls, traits) {
  n <- length(cls)
  constants <- cin_sim_constants
  age <- as.integer(pmin(17, pmax(0, round(stats::rnorm(n, traits$age_mean[cls], constants$age_sd)))))
  gender <- ifelse(stats::runif(n) < traits$p_female[cls], "Female", "Male")
  ethnicity <- cin_sim_draw_codes(n, cin_sim_ethnicity$groups, cin_sim_ethnicity$prob,
                                  within = cin_sim_ethnicity$within)
  referral_source_code <- character(n)
  primary_need_code <- character(n)
  for (k in unique(cls)) {
    in_class <- which(cls == k)
    referral_source_code[in_class] <- cin_sim_draw_codes(length(in_class), cin_sim_referral_groups,
                                                         cin_sim_referral_probs[k, ])
    primary_need_code[in_class] <- paste0("N", sample.int(9L, length(in_class), replace = TRUE,
                                                          prob = cin_sim_need_probs[k, ]))
  }
  referral_source <- cin_label(referral_source_code, "referral_source")
  attr(referral_source, "unknown") <- NULL
  disability <- as.integer(stats::runif(n) < traits$p_disability[cls])
  gender[stats::runif(n) < constants$p_gender_unknown] <- "Unknown"
  list(age = age, gender = gender, ethnicity = ethnicity, referral_source = referral_source,
       referral_source_code = referral_source_code, primary_need_code = primary_need_code,
       disability = disability)
}

# Where each episode's child lives: a 2011 LSOA of the council, drawn in
# proportion to its children aged 0-15, more often in deprived deciles (by
# the class's deprivation `gradient`).
cin_sim_lsoa <- function(cls, la_code, gradient) {
  lsoas <- cin_sim_lsoas()
  lsoas <- lsoas[lsoas$la_code == la_code, ]
  out <- character(length(cls))
  for (k in unique(cls)) {
    weight <- lsoas$children_0_15 * gradient[k]^(10 - lsoas$imd_decile)
    in_class <- which(cls == k)
    out[in_class] <- lsoas$lsoa11[sample.int(nrow(lsoas), length(in_class), replace = TRUE, prob = weight)]
  }
  out
}

# The outcomes of each episode, by class. Each probability is drawn for
# every episode (`&`, not `&&`), so the random stream does not depend on
# the outcomes. An episode with no factor identified is assessed not in
# need unless it had an enquiry or the child is looked after.
cin_sim_outcomes <- function(cls, no_factors, traits) {
  n <- length(cls)
  draw <- function() stats::runif(n)
  s47 <- draw() < traits$p_s47[cls]
  icpc <- s47 & draw() < traits$p_icpc[cls]
  cp_plan <- icpc & draw() < traits$p_cp_plan[cls]
  looked_after <- draw() < traits$p_looked_after[cls]
  not_in_need <- !s47 & !looked_after & draw() < traits$p_not_in_need[cls]
  not_in_need[no_factors] <- !s47[no_factors] & !looked_after[no_factors]
  step_down <- not_in_need & draw() < cin_sim_constants$p_step_down
  nfa <- not_in_need & !step_down
  cin_plan <- !not_in_need & !cp_plan & !looked_after & draw() < cin_sim_constants$p_cin_plan
  list(s47 = s47, icpc = icpc, cp_plan = cp_plan, looked_after = looked_after,
       not_in_need = not_in_need, step_down = step_down, nfa = nfa, cin_plan = cin_plan)
}

# The category of abuse of each CP plan (NA without a plan), by class.
cin_sim_cp_category <- function(cls, cp_plan) {
  out <- rep(NA_character_, length(cls))
  for (k in unique(cls[cp_plan])) {
    in_class <- which(cp_plan & cls == k)
    out[in_class] <- sample(colnames(cin_sim_cp_category_probs), length(in_class), replace = TRUE,
                            prob = cin_sim_cp_category_probs[k, ])
  }
  out
}

# Referral dates within the census year (April to March) and the number of
# assessments of each episode.
cin_sim_referral_dates <- function(n, year) {
  start <- as.Date(sprintf("%d-04-01", year - 1L))
  referral_date <- start + sample.int(365L, n, replace = TRUE) - 1L
  n_assessments <- sample(1:3, n, replace = TRUE, prob = cin_sim_constants$assessments_per_episode)
  list(referral_date = referral_date, n_assessments = n_assessments)
}

# Give episodes child ids; about 22% are re-referrals of a child referred in
# the previous 12 months (more in the complex needs classes).
cin_sim_children <- function(ep) {
  p_re <- c(neglect = 0.24, domestic_violence = 0.27, physical_abuse = 0.17,
            out_of_control = 0.24, complex_needs_1 = 0.28, complex_needs_2 = 0.33,
            disability_mental_health = 0.13)
  n <- nrow(ep)
  child <- integer(n)
  re <- integer(n)
  want <- stats::runif(n) < p_re[ep$true_class]
  next_id <- 0L
  for (la in unique(ep$la)) {
    idx <- which(ep$la == la)
    d <- as.numeric(ep$referral_date[idx])  # sorted within council
    ids <- integer(length(idx))
    # Candidate earlier episodes: referred 14 to 365 days before.
    lo <- findInterval(d - 365 - 0.5, d) + 1L
    hi <- findInterval(d - 14, d)
    ok <- want[idx] & hi >= lo
    pick <- ifelse(ok, lo + floor(stats::runif(length(d)) * (hi - lo + 1)), 0L)
    last <- numeric(length(idx))  # last referral date per child (local ids)
    local_n <- 0L
    for (m in seq_along(idx)) {
      if (ok[m]) {
        cid <- ids[pick[m]]
        # The child's latest referral must be 14 to 365 days before.
        if (d[m] - last[cid] >= 14) {
          ids[m] <- cid
          last[cid] <- d[m]
          re[idx[m]] <- 1L
          next
        }
      }
      local_n <- local_n + 1L
      ids[m] <- local_n
      last[local_n] <- d[m]
    }
    ids <- ids + next_id
    next_id <- next_id + local_n
    child[idx] <- ids
  }
  # Age of a re-referred child follows the earlier episode (age at first + gap).
  key <- paste(ep$la, child)
  first <- match(key, key)
  gap <- as.numeric(ep$referral_date - ep$referral_date[first]) / 365.25
  # Birth dates: age at the first referral plus a random day in that year of
  # life; later ages follow from the birth date.
  birth <- ep$referral_date[first] - round(ep$age[first] * 365.25) -
    floor(stats::runif(n) * 365)[first]
  ep$birth_date <- birth
  ep$age <- cin_age_years(birth, ep$referral_date)
  ep$gender <- ep$gender[first]
  ep$ethnicity <- ep$ethnicity[first]
  ep$disability <- ep$disability[first]
  same_area <- stats::runif(n) < 0.8
  ep$lsoa[same_area] <- ep$lsoa[first][same_area]
  ep$rereferral <- re
  short <- substr(gsub("[^A-Z]", "", toupper(ep$la_name)), 1, 3)
  ep$child_id <- sprintf("%s-C%06d", short, child)
  ep$episode_id <- sprintf("%s-E%07d", short, seq_len(n))
  ep
}

cin_sim_assessments <- function(ep, Y, layout) {
  n <- nrow(ep)
  codes <- colnames(Y)
  ai <- rep(seq_len(n), ep$n_as)
  k <- sequence(ep$n_as)
  m <- length(ai)
  gap <- pmax(5L, as.integer(round(stats::rgamma(m, shape = 3, scale = 8))))
  later <- (k - 1L) * as.integer(round(stats::runif(m, 30, 90)))
  ass_date <- ep$referral_date[ai] + gap + later
  ep <- cin_sim_episode_dates(ep, ass_date[cumsum(ep$n_as)])
  # Spread factors over the assessments of an episode: each factor goes to a
  # random assessment, and to each other one with probability 0.5.
  pr <- which(Y, arr.ind = TRUE)
  pe <- pr[, 1]
  pc <- pr[, 2]
  na_e <- ep$n_as[pe]
  home <- 1L + floor(stats::runif(length(pe)) * na_e)
  rows_e <- rep(seq_along(pe), na_e)
  kk <- sequence(na_e)
  keep <- kk == home[rows_e] | stats::runif(length(rows_e)) < 0.5
  pe2 <- pe[rows_e][keep]
  pc2 <- pc[rows_e][keep]
  pk2 <- kk[keep]
  first_as <- cumsum(c(1L, ep$n_as))[seq_len(n)]
  pa <- first_as[pe2] + pk2 - 1L
  # Assessments left with no factor get one of the episode's factors.
  empty <- setdiff(seq_len(m), pa)
  if (length(empty)) {
    ee <- ai[empty]
    pick <- vapply(ee, function(e) {
      cc <- which(Y[e, ])
      cc[sample.int(length(cc), 1L)]
    }, integer(1))
    pa <- c(pa, empty)
    pc2 <- c(pc2, pick)
  }
  o <- order(pa, pc2)
  pa <- pa[o]
  pc2 <- pc2[o]
  as_tab <- ep[ai, setdiff(names(ep), "n_as"), drop = FALSE]
  as_tab$assessment_id <- sprintf("%s-A%02d", ep$episode_id[ai], k)
  as_tab$assessment_date <- ass_date
  front <- c("la", "la_name", "child_id", "episode_id", "assessment_id", "referral_date",
             "assessment_date", "year")
  chars <- c("age", "gender", "ethnicity", "lsoa", "referral_source", "rereferral", "nfa",
             "not_in_need", "cin_plan", "s47", "icpc", "cp_plan", "looked_after", "step_down",
             "true_class", cin_sim_extra_columns())
  as_tab <- as_tab[, c(front, chars)]
  rownames(as_tab) <- NULL
  if (layout == "long") {
    out <- as_tab[pa, front, drop = FALSE]
    out$factor <- codes[pc2]
    out <- cbind(out, as_tab[pa, chars, drop = FALSE])
  } else if (layout == "codes") {
    txt <- tapply(codes[pc2], pa, paste, collapse = ",")
    out <- as_tab[, front, drop = FALSE]
    out$factors <- as.vector(txt[as.character(seq_len(m))])
    out <- cbind(out, as_tab[, chars, drop = FALSE])
  } else {
    W <- matrix(0L, m, length(codes), dimnames = list(NULL, codes))
    W[cbind(pa, pc2)] <- 1L
    out <- cbind(as_tab[, front, drop = FALSE], as.data.frame(W, check.names = FALSE),
                 as_tab[, chars, drop = FALSE])
  }
  rownames(out) <- NULL
  out
}

# Columns added for the census fields (written to XML by
# write_cin_census_xml()).
cin_sim_extra_columns <- function() {
  c("ethnic_group", "disability", "birth_date", "referral_source_code", "primary_need_code",
    "primary_need", "closure_date", "closure_reason_code", "closure_reason", "s47_date",
    "icpc_date", "cpp_start", "cp_category_code", "cp_category", "cin_plan_start", "threshold")
}

# Draw codes: a group by `prob`, then a code within the group (the first
# code with probability within[1], ... when given, else uniformly).
cin_sim_draw_codes <- function(n, groups, prob, within = NULL) {
  g <- sample.int(length(groups), n, replace = TRUE, prob = prob)
  out <- character(n)
  for (j in unique(g)) {
    ij <- which(g == j)
    cc <- groups[[j]]
    w <- if (!is.null(within) && length(cc) <= length(within)) within[seq_along(cc)] else NULL
    out[ij] <- cc[sample.int(length(cc), length(ij), replace = TRUE, prob = w)]
  }
  out
}

# Episode dates and closure from the outcome flags: S47 start, ICPC, CP plan
# start, CIN plan start, closure date and reason (RC8 assessed not in need
# with no further action, RC9 referred to early help, else mostly RC7; 15%
# of the other episodes still open).
cin_sim_episode_dates <- function(ep, last_ass) {
  n <- nrow(ep)
  d <- function(lo, hi) lo + floor(stats::runif(n) * (hi - lo + 1))
  na_date <- as.Date(rep(NA_real_, n))
  s47_date <- ifelse(ep$s47 == 1L, ep$referral_date + d(1, 10), NA)
  icpc_date <- ifelse(ep$icpc == 1L, s47_date + d(4, 26), NA)
  cpp_start <- ifelse(ep$cp_plan == 1L, icpc_date, NA)
  cin_start <- ifelse(ep$cin_plan == 1L, last_ass + d(1, 20), NA)
  code <- sample(c("RC7", "RC5", "RC3", "RC4", "RC6"), n, replace = TRUE,
                 prob = c(0.8, 0.08, 0.05, 0.04, 0.03))
  close <- last_ass + d(60, 500)
  open <- stats::runif(n) < 0.15
  code[open] <- NA
  close[open] <- NA
  nin <- ep$not_in_need == 1L
  code[nin] <- ifelse(ep$step_down[nin] == 1L, "RC9", "RC8")
  close[nin] <- last_ass[nin]
  as_d <- function(v) structure(as.numeric(v), class = "Date")
  ep$s47_date <- as_d(s47_date)
  ep$icpc_date <- as_d(icpc_date)
  ep$cpp_start <- as_d(cpp_start)
  ep$cin_plan_start <- as_d(cin_start)
  ep$closure_date <- as_d(close)
  ep$closure_reason_code <- code
  lab <- function(v, f) {
    x <- cin_label(v, f)
    attr(x, "unknown") <- NULL
    x
  }
  ep$closure_reason <- lab(code, "closure_reason")
  ep$primary_need <- lab(ep$primary_need_code, "primary_need")
  ep$cp_category <- lab(ep$cp_category_code, "cp_category")
  et <- cin_code_labels("ethnicity")
  ep$ethnic_group <- et$group[match(ep$ethnicity, et$code)]
  ep$threshold <- as.character(cin_threshold_from_flags(ep$not_in_need, ep$cin_plan, ep$s47,
                                                        ep$icpc, ep$cp_plan))
  ep
}

#' Example CIN assessments (simulated)
#'
#' Simulated assessments for three councils (Kingston upon Thames,
#' Leicestershire and Sunderland) over census years 2022 to 2024, about 20,000
#' episodes, made by [simulate_cin()] with the seven Kingston classes and
#' factor rates calibrated to DfE table C3. Not real children: identifiers
#' are synthetic; LSOAs are real 2011 LSOAs of the councils.
#'
#' @format A data frame in the codes layout, one row per assessment, with the
#'   columns described in [simulate_cin()]: `la`, `la_name`, `child_id`,
#'   `episode_id`, `assessment_id`, `referral_date`, `assessment_date`,
#'   `year`, `factors` (codes separated by commas), `age`, `gender`,
#'   `ethnicity`, `lsoa`, `referral_source`, `rereferral`, `nfa`,
#'   `not_in_need`, `cin_plan`, `s47`, `icpc`, `cp_plan`, `looked_after`,
#'   `step_down`, `true_class` (the simulated class), and the census fields
#'   listed in [simulate_cin()] (codes, dates, closure reasons, CP categories,
#'   `threshold`), so that [write_cin_census_xml()] can write it as returns.
#' @source `data-raw/cin_example.R`. Factor rates from DfE table C3 and LSOAs
#'   and deprivation deciles from the English Indices of Deprivation 2019.
#'   Contains public sector information licensed under the Open Government
#'   Licence v3.0.
#' @family CIN data
#' @examples
#' head(cin_example)
#' ep <- episode_factors(cin_example)
#' ep
"cin_example"
