# Dates of the CIN census on every reading route, and the one policy for
# implausible dates (`implausible_dates = c("keep", "drop", "stop")`), the
# same for read_cin_assessments() (CSV, Excel, data frame), the XML returns
# and the sector's tables (through cin_census_build()).
#
# A date is implausible when it cannot be read as a date, is in the future,
# is before 1990 (most public sample returns date referrals in 1970), or
# comes before the referral of its episode where the return requires it to
# come after. Under the policy:
#   keep  the episode is kept; each flagged date is counted in the audit with
#         its element, its reason and its place (file, child and episode
#         position, never an identifier); a date that cannot be read is set
#         to missing, any other value is kept as written;
#   drop  the episodes holding a flagged date are dropped (with their
#         assessments and plans) and counted;
#   stop  the read stops with an error of class
#         `cscdemand_error_implausible_date` naming the first place.
# Each bad value touches its own episode only: one bad date never blocks the
# others.

cin_date_policies <- function() c("keep", "drop", "stop")

# Check an `implausible_dates` argument (give it the whole default vector to
# get "keep"). The sector readers call this too.
cin_date_policy <- function(x, arg = rlang::caller_arg(x), call = rlang::caller_env()) {
  rlang::arg_match(x, cin_date_policies(), error_arg = arg, error_call = call)
}

# The lower bound of a plausible date (referrals, assessments, plans).
cin_date_floor <- function() as.Date("1990-01-01")

# Dates written as YYYY-MM-DD (the schema; a time after "T", or the time
# zone xs:date allows, "Z" or "+01:00", is dropped: the date as written) or
# DD/MM/YYYY; NA if neither. attr "bad": written but not a date.
cin_census_date <- function(v) {
  v <- as.character(v)
  u <- unique(v)
  d <- rep(as.Date(NA), length(u))
  s <- sub("T.*$", "", trimws(u))
  s <- sub("^([0-9]{4}-[0-9]{1,2}-[0-9]{1,2})(Z|[+-][0-9]{2}:[0-9]{2})$", "\\1", s)
  iso <- grepl("^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}$", s)
  d[iso] <- as.Date(s[iso], format = "%Y-%m-%d")
  uk <- grepl("^[0-9]{1,2}/[0-9]{1,2}/[0-9]{4}$", s)
  d[uk] <- as.Date(s[uk], format = "%d/%m/%Y")
  out <- d[match(v, u)]
  attr(out, "bad") <- !is.na(v) & nzchar(trimws(v)) & is.na(out)
  out
}

# The date elements of the census tables that are checked: table, raw
# column, parsed column, element name, and the rules that apply besides
# "not a date": `future` (may not be after today), `floor` (not before
# 1990), `after_ref` (not before the episode's referral) and `after_col` (not
# before another parsed column of the same table, such as a plan's start).
# A new date element is one more row here; a table or raw column that a
# route does not have is skipped (the parsed column is then missing).
cin_census_date_specs <- function() {
  d <- function(table, raw, col, element, future = TRUE, floor = TRUE, after_ref = FALSE,
                after_col = NA_character_) {
    data.frame(table = table, raw = raw, col = col, element = element, future = future,
               floor = floor, after_ref = after_ref, after_col = after_col,
               stringsAsFactors = FALSE)
  }
  rbind(
    d("children", "birth_raw", "birth_date", "PersonBirthDate", floor = FALSE),
    d("children", "expected_raw", "expected_date", "ExpectedPersonBirthDate", future = FALSE,
      floor = FALSE),
    d("episodes", "referral_raw", "referral_date", "CINreferralDate"),
    d("episodes", "closure_date_raw", "closure_date", "CINclosureDate", after_ref = TRUE),
    d("episodes", "icpc_raw", "icpc_date", "DateOfInitialCPC"),
    d("assessments", "start_raw", "start", "AssessmentActualStartDate"),
    d("assessments", "auth_raw", "auth", "AssessmentAuthorisationDate", after_ref = TRUE),
    d("s47", "start_raw", "start", "S47ActualStartDate"),
    d("s47", "icpc_raw", "icpc_date", "Section47/DateOfInitialCPC"),
    d("cpp", "start_raw", "start", "CPPstartDate"),
    d("cinp", "start_raw", "start", "CINPlanStartDate"),
    # plans, conferences and reviews (cin_derive_plans())
    d("cpp", "end_raw", "end", "CPPendDate", after_col = "start"),
    d("cinp", "end_raw", "end", "CINPlanEndDate", after_col = "start"),
    d("s47", "target_raw", "target", "InitialCPCtarget", future = FALSE),
    d("assessments", "review_raw", "review", "AssessmentInternalReviewDate", after_ref = TRUE),
    # the pre-proceedings and FGDM module (2026-27)
    d("pp", "start_raw", "start", "PPStartDate", after_ref = TRUE),
    d("pp", "letter_raw", "letter", "LBPSentDate", after_col = "start"),
    d("pp", "meeting_raw", "meeting", "InitialPPMeetingDate", after_col = "start"),
    d("pp", "step_raw", "step", "StepDecisionDate", after_col = "start"),
    d("pp", "court_raw", "court", "CourtAppDate", after_col = "step"),
    d("pp", "letter_cp_raw", "letter_cp", "LetterInitCPDate", after_col = "court"))
}

# Parse every date element of the stacked census tables (`st`, with
# st$episodes$referral_date parsed already) and flag the implausible ones.
# Returns list(tables, flags): flags is one row per flagged value with the
# episode (row of st$episodes) it belongs to, the element and the reason.
cin_census_dates <- function(st, today = cin_today(), sp = cin_census_date_specs()) {
  ref <- st$episodes$referral_date
  flags <- list()
  for (i in seq_len(nrow(sp))) {
    tab <- st[[sp$table[i]]]
    if (is.null(tab)) next
    if (is.null(tab[[sp$raw[i]]]) && sp$col[i] != "referral_date") {
      tab[[sp$col[i]]] <- as.Date(rep(NA_real_, nrow(tab)))
      st[[sp$table[i]]] <- tab
      next
    }
    d <- if (sp$col[i] == "referral_date") tab$referral_date else cin_census_date(tab[[sp$raw[i]]])
    bad <- attr(d, "bad") %||% logical(length(d))
    attr(d, "bad") <- NULL
    ep <- switch(sp$table[i], episodes = seq_len(nrow(tab)), children = NULL, tab$episode)
    why <- list("not a date" = which(bad))
    if (sp$future[i]) why[["in the future"]] <- which(!is.na(d) & d > today)
    if (sp$floor[i]) why[["before 1990"]] <- which(!is.na(d) & d < cin_date_floor())
    if (sp$after_ref[i]) {
      r <- ref[ep]
      why[["before the referral"]] <- which(!is.na(d) & !is.na(r) & d < r)
    }
    if (!is.na(sp$after_col[i]) && !is.null(tab[[sp$after_col[i]]])) {
      s0 <- tab[[sp$after_col[i]]]
      why[[paste0("before its ", sp$after_col[i])]] <- which(!is.na(d) & !is.na(s0) & d < s0)
    }
    for (reason in names(why)) {
      at <- why[[reason]]
      if (!length(at)) next
      # a child's date belongs to each of the child's episodes
      e <- if (is.null(ep)) which(st$episodes$child %in% at) else ep[at]
      flags[[length(flags) + 1L]] <- data.frame(episode = e, element = rep(sp$element[i], length(e)),
                                                reason = rep(reason, length(e)),
                                                stringsAsFactors = FALSE)
    }
    tab[[sp$col[i]]] <- d
    st[[sp$table[i]]] <- tab
  }
  flags <- do.call(rbind, c(list(data.frame(episode = integer(), element = character(),
                                            reason = character(), stringsAsFactors = FALSE)),
                            flags))
  list(tables = st, flags = flags)
}

# Apply the policy to flagged values (one row per value: episode, element,
# reason). `where(idx)` labels episode positions. Returns list(drop =
# episodes to drop, audit = data frame of step, n, detail); stops under
# "stop".
cin_date_policy_apply <- function(flags, policy, where, call = rlang::caller_env()) {
  audit <- data.frame(step = character(), n = numeric(), detail = character(),
                      stringsAsFactors = FALSE)
  if (!nrow(flags)) return(list(drop = integer(), audit = audit))
  key <- paste0(flags$element, " ", flags$reason)
  groups <- split(flags$episode, factor(key, levels = unique(key)))
  if (policy == "stop") {
    first <- names(groups)[1]
    others <- vapply(names(groups)[-1], function(k) paste0(k, " (", length(groups[[k]]), ")"), "")
    abort_input(c("The return has {nrow(flags)} implausible date{?s}: {first}.",
                  x = "At {where(unique(groups[[1]]))}.",
                  if (length(others)) c("*" = "Also: {paste(others, collapse = '; ')}."),
                  i = "Correct the return, or read it with {.code implausible_dates = \"keep\"} (flag them in {.fn audit}) or {.code \"drop\"} (drop those episodes and count them)."),
                class = c("cscdemand_error_implausible_date", "cscdemand_error_date"),
                call = call)
  }
  suffix <- if (policy == "keep") {
    "; the episode is kept (a value that is not a date is set to missing); drop them with implausible_dates = \"drop\""
  } else {
    "; the episode is dropped"
  }
  for (k in names(groups)) {
    audit[nrow(audit) + 1L, ] <- list(paste0("dates implausible: ", k), length(groups[[k]]),
                                      paste0(where(unique(groups[[k]])), suffix))
  }
  drop <- if (policy == "drop") sort(unique(flags$episode)) else integer()
  if (length(drop)) {
    audit[nrow(audit) + 1L, ] <- list("episodes dropped: implausible date", length(drop),
                                      where(drop))
  }
  list(drop = drop, audit = audit)
}

# The CSV route's rows with implausible dates under "stop": name the rows.
cin_date_stop_rows <- function(why, at, rows, unit = "Line", call = rlang::caller_env()) {
  lab <- paste0(unit, if (length(at) > 1L) "s", " ", format_rows(rows[at]))
  abort_input(c("{length(at)} row{?s} {cli::qty(length(at))}{?has/have} a {why}.",
                x = "{lab}.",
                i = "Correct the dates, or read with {.code implausible_dates = \"keep\"} (flag them in {.fn audit}) or {.code \"drop\"} (drop those rows and count them)."),
              class = c("cscdemand_error_implausible_date", "cscdemand_error_date"), call = call)
}
