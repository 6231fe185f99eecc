#' DfE code lists used to label CIN census fields
#'
#' The code lists of the Children in Need census that [read_cin_assessments()]
#' uses to derive labelled episode fields from a census return: referral
#' source, primary need, reason for closure, category of abuse, ethnicity (with
#' its major group) and sex.
#'
#' @param field One of `"referral_source"`, `"primary_need"`,
#'   `"closure_reason"`, `"cp_category"`, `"ethnicity"`, `"gender"`.
#' @return A data frame with `code` and `label` (and `group` for ethnicity).
#' @family CIN data
#' @export
#' @examples
#' cin_code_labels("referral_source")
#' cin_code_labels("ethnicity")
cin_code_labels <- function(field = c("referral_source", "primary_need", "closure_reason",
                                      "cp_category", "ethnicity", "gender")) {
  field <- rlang::arg_match(field)
  d <- switch(field,
    referral_source = list(
      c("1A", "Individual: family member, relative or carer"),
      c("1B", "Individual: acquaintance"), c("1C", "Individual: self"),
      c("1D", "Individual: other"), c("2A", "Schools"), c("2B", "Education services"),
      c("3A", "Health: GP"), c("3B", "Health: health visitor"), c("3C", "Health: school nurse"),
      c("3D", "Health: other primary health services"), c("3E", "Health: A&E"),
      c("3F", "Health: other"), c("4", "Housing"), c("5A", "LA services: social care"),
      c("5B", "LA services: other internal"), c("5C", "LA services: external"),
      c("5D", "LA services: early help"), c("6", "Police"), c("7", "Other legal agency"),
      c("8", "Other"), c("9", "Anonymous"), c("10", "Unknown")),
    primary_need = list(
      c("N0", "Not stated"), c("N1", "Abuse or neglect"),
      c("N2", "Child's disability or illness"), c("N3", "Parental disability or illness"),
      c("N4", "Family in acute stress"), c("N5", "Family dysfunction"),
      c("N6", "Socially unacceptable behaviour"), c("N7", "Low income"),
      c("N8", "Absent parenting"), c("N9", "Cases other than children in need")),
    closure_reason = list(
      c("RC1", "Adopted"), c("RC2", "Died"), c("RC3", "Child arrangements order"),
      c("RC4", "Special guardianship order"),
      c("RC5", "Transferred to services of another local authority"),
      c("RC6", "Transferred to adult social services"),
      c("RC7", "Services ceased for any other reason"),
      c("RC8", "Case closed after assessment, no further action"),
      c("RC9", "Case closed after assessment, referred to early help")),
    cp_category = list(
      c("NEG", "Neglect"), c("PHY", "Physical abuse"), c("SAB", "Sexual abuse"),
      c("EMO", "Emotional abuse"), c("MUL", "Multiple")),
    gender = list(
      c("1", "Male"), c("2", "Female"), c("0", "Unknown"), c("9", "Unknown"),
      c("M", "Male"), c("F", "Female"), c("U", "Unknown")),
    ethnicity = list(
      c("WBRI", "White British"), c("WIRI", "White Irish"),
      c("WIRT", "Traveller of Irish heritage"), c("WOTH", "Any other White background"),
      c("WROM", "Gypsy/Roma"), c("MWBC", "White and Black Caribbean"),
      c("MWBA", "White and Black African"), c("MWAS", "White and Asian"),
      c("MOTH", "Any other Mixed background"), c("AIND", "Indian"), c("APKN", "Pakistani"),
      c("ABAN", "Bangladeshi"), c("AOTH", "Any other Asian background"),
      c("BCRB", "Black Caribbean"), c("BAFR", "Black African"),
      c("BOTH", "Any other Black background"), c("CHNE", "Chinese"),
      c("OOTH", "Any other ethnic group"), c("REFU", "Refused"),
      c("NOBT", "Information not yet obtained")))
  out <- data.frame(code = vapply(d, `[`, "", 1L), label = vapply(d, `[`, "", 2L),
                    stringsAsFactors = FALSE)
  if (field == "ethnicity") {
    g <- substr(out$code, 1L, 1L)
    out$group <- c(W = "White", M = "Mixed", A = "Asian", B = "Black", C = "Other",
                   O = "Other", R = "Not known", N = "Not known")[g]
    out$group <- unname(out$group)
  }
  out
}

#' Levels of the derived episode fields
#'
#' `cin_thresholds()` gives the levels of the ordered factor `threshold` (the
#' highest point an episode reached); `cin_ethnic_groups()` the levels of
#' `ethnic_group`; `cin_cp_categories()` the levels of `cp_category`.
#'
#' @return A character vector.
#' @family CIN data
#' @export
#' @examples
#' cin_thresholds()
#' cin_ethnic_groups()
cin_thresholds <- function() {
  c("Assessed not in need", "In need, no plan", "CIN plan", "Section 47", "ICPC", "CP plan")
}

# The highest threshold an episode reached, from its 0/1 flags: the highest flag
# set wins; an assessed episode with none set was found in need with no plan.
# The one rule, used by the census reader, simulate_cin() and episode_threshold().
cin_threshold_from_flags <- function(not_in_need, cin_plan, s47, icpc, cp_plan) {
  lev <- cin_thresholds()
  th <- rep(2L, length(not_in_need))
  th[not_in_need %in% 1L] <- 1L
  th[cin_plan %in% 1L] <- 3L
  th[s47 %in% 1L] <- 4L
  th[icpc %in% 1L] <- 5L
  th[cp_plan %in% 1L] <- 6L
  factor(lev[th], levels = lev, ordered = TRUE)
}

#' @rdname cin_thresholds
#' @export
cin_ethnic_groups <- function() c("White", "Mixed", "Asian", "Black", "Other", "Not known")

#' @rdname cin_thresholds
#' @export
cin_cp_categories <- function() {
  c("Neglect", "Physical abuse", "Sexual abuse", "Emotional abuse", "Multiple")
}

#' Re-referrals within 12 months, as DfE counts them
#'
#' A referral is a re-referral when the same child had an earlier referral
#' within the 12 months before it: the earlier referral date is before the new
#' one, and the new one is on or before the same calendar date one year after
#' the earlier one (a referral on 29 February is followed by 28 February).
#' Every referral given counts as an earlier referral, including those from
#' earlier census returns and those with no assessment; two referrals of one
#' child on the same day are one referral.
#'
#' @param child Child identifier (any type; within one council).
#' @param referral_date Referral dates (`Date`).
#' @param la Optional council, so that identifiers of different councils are
#'   not confused.
#' @return An integer 0/1 vector (`NA` where the referral date is missing).
#' @family CIN data
#' @export
#' @examples
#' cin_rereferral(c("a", "a", "a", "b"),
#'                as.Date(c("2023-01-10", "2024-01-10", "2025-01-11", "2024-01-10")))
cin_rereferral <- function(child, referral_date, la = NULL) {
  if (!inherits(referral_date, "Date")) {
    abort_input(c("{.arg referral_date} must be a {.cls Date} vector.",
                  x = "You supplied {.obj_type_friendly {referral_date}}.",
                  i = "Convert it first, for example with {.code as.Date(referral_date)} (dates as 2024-01-31)."))
  }
  n <- length(child)
  if (length(referral_date) != n || (!is.null(la) && length(la) != n)) {
    abort_input(c("{.arg child}, {.arg referral_date} and {.arg la} must have the same length.",
                  x = paste0("You supplied {length(child)} value{?s} of {.arg child}, ",
                             "{length(referral_date)} of {.arg referral_date}",
                             if (is.null(la)) "." else " and {length(la)} of {.arg la}."),
                  i = "Give one value per referral in each (the columns of one episode table)."))
  }
  key <- if (is.null(la)) match(child, unique(child)) else cin_group(list(la, child))
  d <- as.numeric(referral_date)
  out <- rep(NA_integer_, n)
  ok <- which(!is.na(d) & !is.na(child))
  o <- ok[order(key[ok], d[ok], method = "radix")]
  k <- key[o]
  dd <- d[o]
  # previous distinct referral date of the same child
  same_prev <- c(FALSE, k[-1] == k[-length(k)])
  prev <- c(NA, dd[-length(dd)])
  prev[!same_prev] <- NA
  # equal dates: carry back the last earlier distinct date
  tie <- same_prev & !is.na(prev) & prev == dd
  if (any(tie)) {
    run_start <- !(same_prev & c(FALSE, dd[-1] == dd[-length(dd)]))
    first_of_run <- cummax(ifelse(run_start, seq_along(dd), 0L))
    prev <- prev[first_of_run]
  }
  limit <- as.numeric(cin_add_year(as_date(prev)))
  out[o] <- as.integer(!is.na(prev) & dd > prev & dd <= limit)
  out
}

# The same calendar date one year later (29 February -> 28 February).
cin_add_year <- function(d) {
  lt <- as.POSIXlt(d)
  leap <- !is.na(lt$mon) & lt$mon == 1L & lt$mday == 29L
  lt$year <- lt$year + 1L
  lt$mday[leap] <- 28L
  as.Date(lt)
}

# Whole years between birth and a date.
cin_age_years <- function(birth, at) {
  b <- as.POSIXlt(birth)
  a <- as.POSIXlt(at)
  age <- a$year - b$year - ((a$mon < b$mon) | (a$mon == b$mon & a$mday < b$mday))
  as.integer(age)
}

# Look up codes in a code list: cleaned code -> label; unknown values are NA
# and returned in attr "unknown" (logical).
cin_label <- function(v, field) {
  tab <- cin_code_labels(field)
  u <- unique(v)
  key <- toupper(gsub("[[:space:]]+", "", u))
  if (field == "referral_source") key <- sub("^0+([1-9])", "\\1", key)
  if (field == "gender") key <- sub("^(MALE)$", "M", sub("^(FEMALE)$", "F", key))
  lab <- tab$label[match(key, tab$code)]
  out <- lab[match(v, u)]
  attr(out, "unknown") <- !is.na(v) & nzchar(trimws(v)) & is.na(out)
  out
}

# Booleans as written in returns: true/false/TRUE/1/0/Y/N.
cin_xml_bool <- function(v) {
  k <- tolower(trimws(v))
  out <- rep(NA_integer_, length(v))
  out[k %in% c("true", "1", "1.0", "y", "yes", "t")] <- 1L
  out[k %in% c("false", "0", "0.0", "n", "no", "f")] <- 0L
  attr(out, "unknown") <- !is.na(k) & nzchar(k) & is.na(out)
  out
}

# Derive the episode fields from the census tables (one row per episode).
# `ep` has raw text columns from the return; `sub` are the episode's S47,
# CP plan and CIN plan rows. Returns `ep` with the derived columns and attr
# "unknown": named counts of values not in the code lists.
cin_derive_episodes <- function(ep, s47, cpp, cinp) {
  n <- nrow(ep)
  unk <- list()
  note <- function(nm, x) {
    u <- attr(x, "unknown")
    if (!is.null(u) && any(u)) unk[[nm]] <<- which(u)
    attr(x, "unknown") <- NULL
    x
  }
  ep$age <- cin_age_years(ep$birth_date, ep$referral_date)
  ep$age[!is.na(ep$age) & (ep$age < 0L | ep$age > 25L)] <- NA_integer_
  g <- ifelse(is.na(ep$sex_raw) | !nzchar(trimws(ep$sex_raw)), ep$gender_raw, ep$sex_raw)
  ep$gender <- note("gender", cin_label(g, "gender"))
  eth <- toupper(trimws(ep$ethnicity_raw))
  et <- cin_code_labels("ethnicity")
  ok_eth <- eth %in% et$code
  if (any(!ok_eth & !is.na(eth) & nzchar(eth))) unk$ethnicity <- which(!ok_eth & !is.na(eth) & nzchar(eth))
  ep$ethnicity <- ifelse(ok_eth, eth, NA_character_)
  ep$ethnic_group <- factor(et$group[match(ep$ethnicity, et$code)], levels = cin_ethnic_groups())
  ep$referral_source <- note("referral_source", cin_label(ep$source_raw, "referral_source"))
  ep$primary_need <- note("primary_need", cin_label(ep$need_raw, "primary_need"))
  ep$closure_reason <- note("closure_reason", cin_label(ep$closure_raw, "closure_reason"))
  rc <- toupper(trimws(ep$closure_raw))
  nfa <- note("nfa", cin_xml_bool(ep$nfa_raw))
  ep$nfa <- as.integer(nfa %in% 1L | rc %in% "RC8")
  ep$step_down <- as.integer(rc %in% "RC9")
  ep$not_in_need <- as.integer(rc %in% c("RC8", "RC9"))
  has <- function(tab, col) {
    v <- integer(n)
    if (!is.null(tab) && nrow(tab)) v[unique(tab$episode[!is.na(tab[[col]])])] <- 1L
    v
  }
  ep$cin_plan <- has(cinp, "start")
  ep$s47 <- has(s47, "start")
  ep$icpc <- as.integer(has(s47, "icpc_date") == 1L | !is.na(ep$icpc_date))
  ep$cp_plan <- has(cpp, "start")
  ep$threshold <- cin_threshold_from_flags(ep$not_in_need, ep$cin_plan, ep$s47, ep$icpc,
                                           ep$cp_plan)
  ep$cp_category <- factor(rep(NA_character_, n), levels = cin_cp_categories())
  if (!is.null(cpp) && nrow(cpp)) {
    o <- order(cpp$episode, cpp$start, method = "radix")
    first <- o[!duplicated(cpp$episode[o])]
    cat_raw <- ifelse(is.na(cpp$initial_cat[first]) | !nzchar(trimws(cpp$initial_cat[first])),
                      cpp$latest_cat[first], cpp$initial_cat[first])
    lab <- cin_label(cat_raw, "cp_category")
    if (any(attr(lab, "unknown"))) unk$cp_category <- cpp$episode[first][attr(lab, "unknown")]
    ep$cp_category[cpp$episode[first]] <- factor(as.vector(lab), levels = cin_cp_categories())
  }
  dis <- ep$disability_raw
  ep$disability <- ifelse(is.na(dis), NA_integer_, as.integer(dis))
  ep$rereferral <- cin_rereferral(ep$child_key, ep$referral_date, la = ep$la)
  attr(ep, "unknown") <- unk
  ep
}

# Columns of the derived episode table handed on to the assessments.
cin_derived_columns <- function() {
  c("age", "gender", "ethnicity", "ethnic_group", "disability", "referral_source",
    "primary_need", "nfa", "closure_reason", "threshold", "not_in_need", "cin_plan", "s47",
    "icpc", "cp_plan", "cp_category", "step_down", "rereferral", cin_plan_columns())
}

# Working days after `from` up to and including `to`: Monday to Friday, less
# the bank holidays of England (cin_bank_holidays()), as DfE counts the 15
# working days to an initial child protection conference.
cin_working_days <- function(from, to) {
  from <- as_date(from)
  to <- as_date(to)
  out <- cin_weekdays_to(to) - cin_weekdays_to(from)
  ok <- !is.na(from) & !is.na(to)
  if (any(ok)) {
    hol <- as.numeric(cin_bank_holidays(cin_year_span(c(from[ok], to[ok]))))
    # holidays fall on weekdays, so each one in (from, to] is a weekday lost
    out[ok] <- out[ok] - (findInterval(as.numeric(to[ok]), hol) - findInterval(as.numeric(from[ok]), hol))
  }
  as.integer(out)
}

# Weekdays from Monday 5 January 1970 to `d` (a step function of the date).
cin_weekdays_to <- function(d) {
  x <- as.numeric(d) - 4
  5 * ((x + 1) %/% 7) + pmin((x + 1) %% 7, 5)
}

# The date `k` working days after `from` (the target date of an initial
# child protection conference: 15 working days after the section 47 start):
# `k` weekdays on, then one more weekday for each bank holiday passed, until
# no holiday is left uncounted.
cin_add_working_days <- function(from, k) {
  from <- as_date(from)
  weekday_at <- function(G) as_date(7 * ((G - 1) %/% 5) + (G - 1) %% 5 + 4)
  G0 <- cin_weekdays_to(from)
  k <- rep_len(k, length(G0))
  G <- G0 + k
  ok <- !is.na(G)
  if (!any(ok)) return(weekday_at(G))
  hol <- as.numeric(cin_bank_holidays(cin_year_span(c(from[ok], weekday_at(G[ok]) + 60))))
  repeat {
    n_hol <- findInterval(as.numeric(weekday_at(G[ok])), hol) - findInterval(as.numeric(from[ok]), hol)
    target <- G0[ok] + k[ok] + n_hol
    if (all(target == G[ok])) break
    G[ok] <- target
  }
  weekday_at(G)
}

cin_year_span <- function(d) {
  y <- as.integer(format(d[!is.na(d)], "%Y"))
  if (!length(y)) return(integer())
  seq.int(min(y) - 1L, max(y) + 1L)
}

# The bank holidays of England (and Wales), sorted, for the years given: the
# fixed rules (New Year's Day, Good Friday, Easter Monday, the early May,
# spring and summer holidays, Christmas and Boxing Day, each moved to the
# next weekday when it falls at a weekend) and the holidays the government
# moved or added by proclamation since 1990.
cin_bank_holidays <- function(years) {
  years <- as.integer(years)
  if (!length(years)) return(as_date(numeric()))
  ymd <- function(y, m, d) as.Date(sprintf("%04d-%02d-%02d", y, m, d))
  wday <- function(d) as.integer(format(d, "%u"))  # 1 = Monday
  first_monday <- function(y, m) { d <- ymd(y, m, 1); d + (8 - wday(d)) %% 7 }
  last_monday <- function(y, m) { d <- ymd(y, m + 1L, 1) - 1; d - (wday(d) - 1L) }
  special <- cin_bank_holiday_changes()
  out <- list()
  for (y in years) {
    ny <- ymd(y, 1, 1)
    ny <- ny + c(0, 0, 0, 0, 0, 2, 1)[wday(ny)]
    easter <- cin_easter_sunday(y)
    may <- first_monday(y, 5)
    spring <- last_monday(y, 5)
    xmas <- ymd(y, 12, 25)
    box <- switch(wday(xmas), NULL, NULL, NULL, NULL, xmas + c(0, 3), xmas + c(2, 3), xmas + c(2, 1))
    box <- if (is.null(box)) xmas + c(0, 1) else box
    moved <- special[special$year == y, , drop = FALSE]
    d <- c(ny, easter - 2, easter + 1, may, spring, last_monday(y, 8), box)
    for (i in seq_len(nrow(moved))) {
      if (!is.na(moved$from[i])) d <- d[d != moved$from[i]]
      d <- c(d, moved$to[i])
    }
    out[[length(out) + 1L]] <- d
  }
  sort(unique(do.call(c, out)))
}

# Holidays moved (`from` -> `to`) or added (`from` NA) in England since 1990.
cin_bank_holiday_changes <- function() {
  d <- as.Date
  data.frame(
    year = c(1995L, 1999L, 2002L, 2002L, 2011L, 2012L, 2012L, 2020L, 2022L, 2022L, 2022L, 2023L),
    from = d(c("1995-05-01", NA, "2002-05-27", NA, NA, "2012-05-28", NA, "2020-05-04",
               "2022-05-30", NA, NA, NA)),
    to = d(c("1995-05-08", "1999-12-31", "2002-06-04", "2002-06-03", "2011-04-29", "2012-06-04",
             "2012-06-05", "2020-05-08", "2022-06-02", "2022-06-03", "2022-09-19", "2023-05-08")),
    why = c("VE Day 50th anniversary", "Millennium", "Golden Jubilee (spring holiday moved)",
            "Golden Jubilee", "Royal wedding", "Diamond Jubilee (spring holiday moved)",
            "Diamond Jubilee", "VE Day 75th anniversary", "Platinum Jubilee (spring holiday moved)",
            "Platinum Jubilee", "State funeral of Queen Elizabeth II", "Coronation of King Charles III"),
    stringsAsFactors = FALSE)
}

# Easter Sunday (Gregorian calendar; the anonymous algorithm of Meeus).
cin_easter_sunday <- function(y) {
  a <- y %% 19L; b <- y %/% 100L; c <- y %% 100L
  d <- b %/% 4L; e <- b %% 4L; f <- (b + 8L) %/% 25L; g <- (b - f + 1L) %/% 3L
  h <- (19L * a + b - d - g + 15L) %% 30L; i <- c %/% 4L; k <- c %% 4L
  l <- (32L + 2L * e + 2L * i - h - k) %% 7L; m <- (a + 11L * h + 22L * l) %/% 451L
  month <- (h + l - 7L * m + 114L) %/% 31L
  day <- (h + l - 7L * m + 114L) %% 31L + 1L
  as.Date(sprintf("%04d-%02d-%02d", y, month, day))
}

# The first row (by start date) of a part of the return for each episode.
cin_first_part <- function(d, n) {
  out <- rep(NA_integer_, n)
  if (is.null(d) || !nrow(d)) return(out)
  o <- order(d$episode, cin_num(d$start), method = "radix")
  first <- o[!duplicated(d$episode[o])]
  out[d$episode[first]] <- first
  out
}

# The plan, conference and pre-proceedings fields of each episode (see
# read_cin_census_xml(), "Derived fields"). `st` holds the parts of the
# returns (s47, cpp, cinp, pp, assessments) numbered by episode.
cin_derive_plans <- function(ep, st) {
  n <- nrow(ep)
  unk <- attr(ep, "unknown") %||% list()
  # an end before its start is flagged when the dates are read; it gives no length
  days <- function(a, b) {
    x <- as.integer(b - a)
    x[!is.na(x) & x < 0L] <- NA_integer_
    x
  }
  ci <- cin_first_part(st$cinp, n)
  if (!is.null(st$cinp)) ep$cin_plan_days <- days(st$cinp$start[ci], st$cinp$end[ci])
  cp <- cin_first_part(st$cpp, n)
  if (!is.null(st$cpp)) {
    d <- st$cpp
    ep$cp_plan_days <- days(d$start[cp], d$end[cp])
    prev <- suppressWarnings(as.numeric(trimws(d$previous_raw %||% rep(NA_character_, nrow(d)))))
    bad <- !is.na(d$previous_raw %||% NA) & nzchar(trimws(d$previous_raw %||% "")) &
      (is.na(prev) | prev < 0 | prev != round(prev))
    if (any(bad)) unk$previous_cp_plans <- unique(d$episode[bad])
    prev[bad] <- NA
    ep$previous_cp_plans <- as.integer(prev[cp])
    ep$cp_plan_reviews <- ifelse(is.na(cp), NA_integer_, as.integer(d$reviews %||% NA)[cp])
    ep$repeat_cp_plan <- cin_repeat_plan(ep, d, cp, prev)
  }
  ep <- cin_derive_icpc(ep, st$s47)
  unk <- c(unk, attr(ep, "unknown_s47"))
  attr(ep, "unknown_s47") <- NULL
  a <- st$assessments
  if (!is.null(a$review)) {
    ep$assessment_reviewed <- ifelse(tabulate(a$episode, n) > 0L,
                                     as.integer(tabulate(a$episode[!is.na(a$review)], n) > 0L),
                                     NA_integer_)
  }
  if (any(ep$pp_collected %in% TRUE)) {
    ep <- cin_derive_pp(ep, st$pp)
    unk <- c(unk, attr(ep, "unknown_pp"))
    attr(ep, "unknown_pp") <- NULL
  }
  attr(ep, "unknown") <- unk
  ep
}

# A child protection plan is a repeat (DfE's "second or subsequent plan",
# table D3) when the return gives previous plans (NumberOfPreviousCPP > 0)
# or the same child had a plan that started earlier in the returns read.
# NA for episodes with no plan.
cin_repeat_plan <- function(ep, d, cp, prev) {
  has <- !is.na(cp)
  start <- d$start[cp]
  child <- cin_group(list(ep$la, ep$child_key))
  pc <- child[d$episode]
  ok <- !is.na(d$start)
  first_start <- rep(Inf, max(child, 0L))
  if (any(ok)) {
    m <- tapply(as.numeric(d$start[ok]), pc[ok], min)
    first_start[as.integer(names(m))] <- m
  }
  earlier <- !is.na(start) & first_start[child] < as.numeric(start)
  out <- as.integer((!is.na(prev[cp]) & prev[cp] > 0) | earlier)
  out[!has] <- NA_integer_
  out[has & is.na(prev[cp]) & !earlier] <- NA_integer_
  out
}

# Initial child protection conferences: working days from the start of the
# section 47 enquiry to the conference, and whether it was held in time: on
# or before the return's InitialCPCtarget, or where it is not given the 15th
# working day after the start.
cin_derive_icpc <- function(ep, s47) {
  if (is.null(s47)) return(ep)
  n <- nrow(ep)
  with_icpc <- s47[!is.na(s47$icpc_date) & !is.na(s47$start), , drop = FALSE]
  k <- cin_first_part(with_icpc, n)
  wd <- cin_working_days(with_icpc$start[k], with_icpc$icpc_date[k])
  target <- with_icpc$target[k] %||% rep(as.Date(NA), n)
  no_target <- is.na(target)
  target[no_target] <- cin_add_working_days(with_icpc$start[k][no_target], 15)
  ep$icpc_working_days <- wd
  ep$icpc_timely <- ifelse(is.na(k), NA_integer_, as.integer(with_icpc$icpc_date[k] <= target))
  nr <- cin_xml_bool(s47$not_required_raw %||% rep(NA_character_, nrow(s47)))
  if (any(attr(nr, "unknown"))) {
    attr(ep, "unknown_s47") <- list(icpc_not_required = unique(s47$episode[attr(nr, "unknown")]))
  }
  has_s47 <- tabulate(s47$episode, n) > 0L
  ep$icpc_not_required <- ifelse(has_s47, as.integer(tabulate(s47$episode[nr %in% 1L], n) > 0L),
                                 NA_integer_)
  ep
}

# The pre-proceedings and FGDM module: NA for episodes in no return that
# collects it; else whether pre-proceedings began, and for those that did
# the letter before proceedings, a family group decision-making meeting
# offered (in the letter) and facilitated, the outcome code (A, B or C) and
# an application to court.
cin_derive_pp <- function(ep, pp) {
  n <- nrow(ep)
  on <- ep$pp_collected %in% TRUE
  pp <- pp %||% data.frame(episode = integer())
  any_of <- function(hit) as.integer(tabulate(pp$episode[hit], n) > 0L)
  has <- any_of(rep(TRUE, nrow(pp)))
  ep$pre_proceedings <- ifelse(on, has, NA_integer_)
  among <- function(v) ifelse(on & has == 1L, v, NA_integer_)
  ep$pp_letter <- among(any_of(!is.na(pp$letter)))
  offer <- cin_xml_bool(pp$fgdm_offer_raw)
  fac <- cin_xml_bool(pp$fgdm_fac_raw)
  # yes if any block says yes; unknown (and counted) if a value cannot be read
  yes_unknown <- function(b) {
    ifelse(any_of(b %in% 1L) == 1L, 1L, ifelse(any_of(attr(b, "unknown")) == 1L, NA_integer_, 0L))
  }
  ep$fgdm_offered <- among(yes_unknown(offer))
  ep$fgdm_held <- among(yes_unknown(fac))
  ep$court_application <- among(any_of(!is.na(pp$court)))
  # the first block: days from the start to the decision to step up or down,
  # and review meetings after the first meeting
  k <- cin_first_part(pp, n)
  pp_days <- as.integer(pp$step[k] - pp$start[k])
  pp_days[!is.na(pp_days) & pp_days < 0L] <- NA_integer_  # flagged when read
  ep$pp_days <- among(pp_days)
  rv <- suppressWarnings(as.numeric(trimws(pp$reviews_raw %||% character())))
  bad_rv <- !is.na(pp$reviews_raw %||% NA) & nzchar(trimws(pp$reviews_raw %||% "")) &
    (is.na(rv) | rv < 0 | rv != round(rv))
  rv[bad_rv] <- NA
  ep$pp_review_meetings <- among(as.integer(rv[k]))
  oc <- toupper(trimws(pp$outcome_raw %||% character()))
  bad <- !is.na(oc) & nzchar(oc) & !oc %in% c("A", "B", "C")
  oc[bad | (!is.na(oc) & !nzchar(oc))] <- NA
  last <- rep(NA_character_, n)
  o <- order(pp$episode, cin_num(pp$start), method = "radix")
  keep <- o[!is.na(oc[o])]
  last[pp$episode[keep]] <- oc[keep]  # the latest block with an outcome
  ep$pp_outcome <- ifelse(on, last, NA_character_)
  u <- list(pp_outcome = pp$episode[bad], fgdm_offered = pp$episode[attr(offer, "unknown")],
            fgdm_held = pp$episode[attr(fac, "unknown")], pp_review_meetings = pp$episode[bad_rv])
  u <- lapply(u[lengths(u) > 0L], unique)
  if (length(u)) attr(ep, "unknown_pp") <- u
  ep
}
