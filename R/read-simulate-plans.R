# The fields of the return that simulate_cin() draws after everything else
# (so the other columns do not change): plan end dates, previous child
# protection plans and plan reviews, the conference target, internal reviews
# of assessments, and from 2026-27 the pre-proceedings and FGDM module. Each
# comes with its known truth in the columns the reader derives
# (cin_plan_columns()).

cin_sim_return_fields <- function(out) {
  first <- !duplicated(out$episode_id)
  ep <- out[first, c("la", "child_id", "episode_id", "referral_date", "year", "true_class",
                     "s47", "icpc", "cp_plan", "cin_plan", "s47_date", "icpc_date", "cpp_start",
                     "cin_plan_start", "closure_date"), drop = FALSE]
  cap <- as.Date(sprintf("%d-03-31", max(ep$year)))
  n <- nrow(ep)
  # plan lengths: CIN plans about 5 months, CP plans about 9 months (median)
  ends <- function(start, len) {
    end <- start + len
    closed <- !is.na(ep$closure_date)
    end[closed] <- pmin(end[closed], ep$closure_date[closed])
    end[!closed & !is.na(end) & end > cap] <- NA  # still open at the last return
    end
  }
  ep$cin_plan_end <- ends(ep$cin_plan_start, round(stats::rgamma(n, shape = 2, scale = 75)) + 14)
  ep$cpp_end <- ends(ep$cpp_start, round(stats::rgamma(n, shape = 2.5, scale = 110)) + 20)
  ep$previous_cpp <- cin_sim_previous_plans(ep)
  ep$icpc_not_required <- ifelse(ep$s47 == 1L, as.integer(ep$icpc == 0L & stats::runif(n) < 0.9),
                                 NA_integer_)
  truth <- cin_sim_plan_truth(ep, cap)
  ep <- cbind(ep, truth)
  # internal reviews of assessments: about 4%, 10 to 60 days after authorisation
  a_first <- !duplicated(out$assessment_id)
  rv <- stats::runif(sum(a_first)) < 0.04
  rv_date <- out$assessment_date[a_first] + 10 + floor(stats::runif(sum(a_first)) * 51)
  rv_date[!rv] <- NA
  out$assessment_review_date <- rv_date[match(out$assessment_id, out$assessment_id[a_first])]
  ep_rv <- tapply(!is.na(out$assessment_review_date[a_first]), out$episode_id[a_first], any)
  ep$assessment_reviewed <- as.integer(ep_rv[ep$episode_id])
  if (max(ep$year) >= 2027L) ep <- cin_sim_pre_proceedings(ep)
  new <- setdiff(names(ep), names(out))
  cbind(out, ep[match(out$episode_id, ep$episode_id), new, drop = FALSE])
}

# NumberOfPreviousCPP: a plan of a child with an earlier plan in the data
# counts it; a child's first plan in the data had earlier plans with the
# council's rate of second or subsequent plans in DfE table D3 (England's
# where the council's is not published; the latest year after 2025).
cin_sim_previous_plans <- function(ep) {
  n <- nrow(ep)
  has <- ep$cp_plan == 1L
  p <- cin_sim_repeat_rate(ep$la, ep$year)
  prior <- ifelse(stats::runif(n) < p, 1L + stats::rgeom(n, 0.6), 0L)
  key <- paste(ep$la, ep$child_id)
  o <- order(key, ep$cpp_start)
  o <- o[has[o]]
  k <- sequence(rle(key[o])$lengths) - 1L  # earlier plans of the child in the data
  first_prior <- prior[o][match(key[o], key[o])]
  out <- rep(NA_integer_, n)
  out[o] <- as.integer(first_prior + k)
  out
}

cin_sim_repeat_rate <- function(la, year) {
  cp <- cscdemand::context_published
  d3 <- cp[cp$source == "D3" & cp$measure == "cpp_subsequent", c("year", "code", "percent")]
  y <- pmin(year, max(d3$year))
  own <- d3$percent[match(paste(la, y), paste(d3$code, d3$year))]
  nat <- d3$percent[match(paste("E92000001", y), paste(d3$code, d3$year))]
  ifelse(is.na(own), nat, own) / 100
}

# The derived fields, as the reader computes them from the return.
cin_sim_plan_truth <- function(ep, cap) {
  cp <- ep$cp_plan == 1L
  rev_end <- ifelse(is.na(ep$cpp_end), cap, ep$cpp_end)
  # reviews three months after the start, then every six months
  reviews <- ifelse(cp, pmax(0, floor((rev_end - as.numeric(ep$cpp_start) - 90) / 180) + 1), NA)
  wd <- cin_working_days(ep$s47_date, ep$icpc_date)
  data.frame(
    cin_plan_days = as.integer(ep$cin_plan_end - ep$cin_plan_start),
    cp_plan_days = as.integer(ep$cpp_end - ep$cpp_start),
    previous_cp_plans = ep$previous_cpp,
    repeat_cp_plan = ifelse(cp, as.integer(ep$previous_cpp > 0L), NA_integer_),
    cp_plan_reviews = as.integer(reviews),
    icpc_working_days = ifelse(ep$icpc == 1L, wd, NA_integer_),
    icpc_timely = ifelse(ep$icpc == 1L,
                         as.integer(ep$icpc_date <= cin_add_working_days(ep$s47_date, 15)), NA_integer_),
    stringsAsFactors = FALSE)
}

# Review dates of child protection plans, as written in the return.
cin_sim_review_dates <- function(start, end) {
  if (is.na(start) || is.na(end) || end < start + 90) return(as.Date(character()))
  start + seq(90, as.numeric(end - start), by = 180)
}

# Pre-proceedings (from 2026-27): more often for children on a plan; a
# letter before proceedings for most, with a family group decision-making
# meeting offered in it and often facilitated; a decision to step up or
# down, and for some an application to court. Dates within the census year.
cin_sim_pre_proceedings <- function(ep) {
  n <- nrow(ep)
  u <- function() stats::runif(n)
  day <- function(lo, hi) lo + floor(u() * (hi - lo + 1))
  on <- ep$year >= 2027L | (is.na(ep$closure_date) | ep$closure_date >= as.Date("2026-04-01"))
  p_cls <- c(neglect = 0.3, domestic_violence = 0.2, physical_abuse = 0.3, out_of_control = 0.1,
             complex_needs_1 = 0.3, complex_needs_2 = 0.45, disability_mental_health = 0.1)
  p <- p_cls[ep$true_class] * ifelse(ep$cp_plan == 1L, 1, ifelse(ep$cin_plan == 1L, 0.1, 0))
  pp <- ep$year >= 2027L & u() < p
  end_year <- as.Date("2027-03-31")
  in_year <- function(d) {
    d <- as_date(d)
    d[!is.na(d) & d > end_year] <- NA
    d
  }
  base <- as_date(pmax(as.numeric(ep$referral_date),
                       ifelse(is.na(ep$cpp_start), ep$referral_date, ep$cpp_start)))
  start <- in_year(ifelse(pp, base + day(20, 90), NA))
  pp <- pp & !is.na(start)
  letter <- in_year(ifelse(pp & u() < 0.9, start + day(3, 14), NA))
  offer <- ifelse(pp & !is.na(letter), as.integer(u() < 0.7), NA_integer_)
  fac <- ifelse(offer %in% 1L, as.integer(u() < 0.6), NA_integer_)
  meeting <- in_year(ifelse(!is.na(letter), letter + day(7, 21), NA))
  reviews <- ifelse(!is.na(meeting), sample.int(4L, n, replace = TRUE) - 1L, NA_integer_)
  step <- in_year(ifelse(pp & u() < 0.6, start + day(60, 120), NA))
  outcome <- ifelse(!is.na(step), sample(c("A", "B", "C"), n, replace = TRUE, prob = c(0.3, 0.5, 0.2)), NA)
  court <- in_year(ifelse(!is.na(step) & u() < 0.4, step + day(1, 14), NA))
  letter_cp <- in_year(ifelse(!is.na(court), court + day(0, 7), NA))
  ep$pp_start <- start
  ep$pp_letter_date <- letter
  ep$fgdm_offer <- offer
  ep$fgdm_fac <- fac
  ep$pp_meeting_date <- meeting
  ep$pp_review_meetings <- reviews
  ep$pp_step_date <- step
  ep$pp_outcome_code <- outcome
  ep$court_app_date <- court
  ep$letter_cp_date <- letter_cp
  among <- function(v) ifelse(on & pp, as.integer(v), NA_integer_)
  ep$pre_proceedings <- ifelse(on, as.integer(pp), NA_integer_)
  ep$pp_letter <- among(!is.na(letter))
  ep$fgdm_offered <- among(offer %in% 1L)
  ep$fgdm_held <- among(fac %in% 1L)
  ep$court_application <- among(!is.na(court))
  ep$pp_outcome <- ifelse(on, outcome, NA_character_)
  ep$pp_days <- among(as.integer(step - start))
  ep$pp_review_meetings <- among(reviews)
  ep
}
