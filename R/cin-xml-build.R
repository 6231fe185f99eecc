# Build a cin_assessments object from census tables (from XML returns or the
# sector's CSV and database tables): stack the files, check, merge episodes
# seen in several returns, derive the episode fields, and hand one long table
# to read_cin_assessments().

cin_census_build <- function(tabs, on_unknown, legacy, salt, source, verbose,
                             call = rlang::caller_env()) {
  st <- cin_census_stack(tabs, call = call)
  audit <- cin_audit_new()
  audit <- cin_audit_add(audit, "read", "census returns read", length(tabs), source)
  audit <- cin_audit_add(audit, "read", "child records read", nrow(st$children), "")
  audit <- cin_audit_add(audit, "read", "episodes read (CINdetails)", nrow(st$episodes), "")
  audit <- cin_audit_add(audit, "read", "assessments read", nrow(st$assessments), "")
  chk <- cin_census_check(st, legacy = legacy)
  cin_census_problems(chk$problems, on_unknown, call = call)
  for (i in seq_len(nrow(chk$summary))) {
    audit <- cin_audit_add(audit, "census", chk$summary$step[i], chk$summary$n[i],
                           chk$summary$detail[i])
  }
  st <- chk$tables
  if (!is.null(salt)) st$children$child_id <- cin_hash_ids(st$children$child_id, salt)
  mg <- cin_census_merge(st)
  st <- mg$tables
  audit <- cin_audit_add(audit, "census", "episodes merged: in two or more returns", mg$merged,
                         "counted once; the latest return's values are used")
  if (mg$merged_as > 0) {
    audit <- cin_audit_add(audit, "census", "assessments merged: in two or more returns",
                           mg$merged_as, "")
    audit <- cin_audit_add(audit, "census", "factor codes of merged assessments", mg$merged_codes,
                           "the latest return's codes are used")
  }
  ep <- cin_census_episodes(st)
  ep <- cin_derive_episodes(ep, st$s47, st$cpp, st$cinp)
  ep <- cin_derive_plans(ep, st)
  unk <- attr(ep, "unknown")
  for (nm in names(unk)) {
    audit <- cin_audit_add(audit, "census", paste0("values not in the code list: ", nm),
                           length(unk[[nm]]), paste0("set to missing; ", cin_pos_label(ep, unk[[nm]])))
  }
  n_age <- sum(is.na(ep$age))
  if (n_age) {
    audit <- cin_audit_add(audit, "census", "episodes with no age at referral", n_age,
                           "birth date missing, unborn at referral, or not a date")
  }
  has_as <- tabulate(st$assessments$episode, nrow(ep)) > 0L
  if (any(!has_as)) {
    audit <- cin_audit_add(audit, "census", "episodes with no assessment: not read as assessments",
                           sum(!has_as), "used only to find re-referrals")
  }
  long <- cin_census_long(ep, st, has_as)
  if (!nrow(long)) {
    abort_input(c("No assessments found in {source}.",
                  i = "The returns hold no {.code <Assessments>} with an episode that could be read."),
                class = "cscdemand_error_empty", call = call)
  }
  # the reader's table builder itself (not the public API, which dispatches XML here)
  a <- cin_assessments_from_table(cin_read_table(long, call = call), layout = "long",
                                  columns = NULL, la = "LA", on_unknown = on_unknown,
                                  legacy = legacy, date_format = NULL, verbose = FALSE,
                                  call = call)
  a <- cin_census_attach(a, ep)
  n_keys <- length(unique(paste(st$children$la, st$children$child_id)))
  n_kept <- length(unique(paste(a$assessments$la, a$assessments$child_id)))
  audit <- cin_audit_add(audit, "census", "children kept (with an assessment)", n_kept,
                         paste0(n_keys, " distinct children in the returns; ", n_keys - n_kept,
                                " with no assessment read"))
  rr <- a$audit$step == "rows read"
  a$audit$detail[rr] <- "one row per assessment and factor code, built from the returns"
  a$audit <- rbind_audit(audit, a$audit)
  a$layout <- "census"
  a$source <- source
  # returns written by write_cin_census_xml() say so in Header/Source/SoftwareCode
  sw <- vapply(tabs, function(t) t$header$software %||% NA_character_, "")
  a$synthetic <- length(sw) > 0L && all(!is.na(sw) & sw == "cscdemand synthetic")
  if (verbose) {
    cli::cli_inform("Read {nrow(a$assessments)} assessment{?s} in {sum(has_as)} episode{?s} from {length(tabs)} return{?s}.")
  }
  a
}

rbind_audit <- function(a, b) {
  out <- rbind(as.data.frame(unclass(a), stringsAsFactors = FALSE),
               as.data.frame(unclass(b), stringsAsFactors = FALSE))
  class(out) <- c("cin_audit", "data.frame")
  out
}

# Stack the files: global row numbers for children, episodes, assessments.
cin_census_stack <- function(tabs, call) {
  yr <- vapply(tabs, function(t) suppressWarnings(as.numeric(t$header$year)), numeric(1))
  rank <- order(order(ifelse(is.na(yr), -Inf, yr), seq_along(tabs)))
  off <- function(k) cumsum(c(0L, vapply(tabs, function(t) nrow(t[[k]]), integer(1))))
  o_ch <- off("children")
  o_ep <- off("episodes")
  o_as <- off("assessments")
  grab <- function(k, shift = NULL, by = NULL) {
    do.call(rbind, lapply(seq_along(tabs), function(i) {
      d <- tabs[[i]][[k]]
      if (!is.null(shift)) d[[shift]] <- d[[shift]] + by[i]
      d
    }))
  }
  ch <- grab("children")
  ch$rank <- rep(rank, vapply(tabs, function(t) nrow(t$children), integer(1)))
  lea <- vapply(tabs, function(t) if (is.null(t$header$lea)) NA_character_ else t$header$lea, "")
  if (anyNA(lea) || any(!nzchar(lea))) {
    bad <- vapply(tabs[is.na(lea) | !nzchar(lea)], `[[`, "", "path")
    abort_input(c("The council is not given in {.file {bad}}.",
                  x = "{.code Header/Source/LEA} is missing or empty.",
                  i = "Add the three-digit LA number in {.code <LEA>} (as sent to DfE)."),
                class = "cscdemand_error_missing", call = call)
  }
  ch$la <- rep(lea, vapply(tabs, function(t) nrow(t$children), integer(1)))
  # the parts of an episode carry their return's rank (the latest return's
  # copy is kept when episodes are merged)
  part <- function(k) {
    if (any(vapply(tabs, function(t) is.null(t[[k]]), logical(1)))) return(NULL)
    d <- grab(k, "episode", o_ep)
    d$rank <- rep(rank, vapply(tabs, function(t) nrow(t[[k]]), integer(1)))
    d
  }
  ep <- grab("episodes", "child", o_ch)
  # an episode is in a return that collects the pre-proceedings module
  # (2026-27 on, or any return holding one)
  pp_on <- vapply(tabs, cin_census_pp_collected, logical(1))
  ep$pp_collected <- rep(pp_on, vapply(tabs, function(t) nrow(t$episodes), integer(1)))
  list(children = ch, episodes = ep,
       assessments = grab("assessments", "episode", o_ep),
       factors = grab("factors", "assessment", o_as),
       s47 = part("s47"), cpp = part("cpp"), cinp = part("cinp"), pp = part("pp"))
}

# Does a return collect the pre-proceedings and FGDM module? From 2026-27
# (the year of its reference date, else its Year), or when it holds one.
cin_census_pp_collected <- function(t) {
  if (isTRUE(t$header$pp_module)) return(TRUE)
  ref <- cin_census_date(t$header$reference_date %||% NA_character_)
  yr <- if (!is.na(ref)) census_year(ref) else suppressWarnings(as.integer(t$header$year %||% NA))
  isTRUE(yr >= 2027L)
}

# Dates written as YYYY-MM-DD (the schema; a time after "T", or the time
# zone xs:date allows, "Z" or "+01:00", is dropped: the date as written) or
# DD/MM/YYYY; NA if neither.
cin_census_date <- function(v) {
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

# Positions for messages: "file 1 child 12 episode 2" (never identifiers).
cin_pos_label <- function(ep, idx, max = 5L) {
  if (!length(idx)) return("")
  lab <- paste0("file ", ep$file[idx], " child ", ep$child_pos[idx], " episode ", ep$ep_pos[idx])
  if (length(lab) > max) {
    paste0(paste(lab[seq_len(max)], collapse = "; "), " and ", length(lab) - max, " more")
  } else {
    paste(lab, collapse = "; ")
  }
}

# Check the stacked tables; returns cleaned tables, a problem list and audit.
cin_census_check <- function(st, legacy) {
  ch <- st$children
  ep <- st$episodes
  as <- st$assessments
  ep$file <- ch$file[ep$child]
  ep$child_pos <- ch$child[ep$child]
  today <- cin_today()
  problems <- list()
  summ <- data.frame(step = character(), n = numeric(), detail = character(),
                     stringsAsFactors = FALSE)
  add <- function(kind, step, idx, detail = "", n = length(idx)) {
    if (!length(idx)) return(invisible())
    problems[[length(problems) + 1L]] <<- list(kind = kind, step = step, n = n,
                                                where = cin_pos_label(ep, idx))
    summ[nrow(summ) + 1L, ] <<- list(step, n, paste0(detail, cin_pos_label(ep, idx)))
  }
  note <- function(step, n, detail = "") summ[nrow(summ) + 1L, ] <<- list(step, n, detail)
  ep$referral_date <- cin_census_date(ep$referral_raw)
  no_child <- which(is.na(ch$child_id[ep$child]) | !nzchar(trimws(ch$child_id[ep$child])))
  add("missing", "episodes dropped: child has no LAchildID", no_child)
  no_ref <- which(is.na(ep$referral_date))
  add("missing", "episodes dropped: no CINreferralDate (or not a date)", setdiff(no_ref, no_child))
  fut <- which(!is.na(ep$referral_date) & ep$referral_date > today)
  add("date", "episodes dropped: referral date in the future", fut)
  drop_ep <- unique(c(no_child, no_ref, fut))
  as$start <- cin_census_date(as$start_raw)
  as$auth <- cin_census_date(as$auth_raw)
  ref_a <- ep$referral_date[as$episode]
  bad_a <- (!is.na(as$auth) & !is.na(ref_a) & as$auth < ref_a) |
    (!is.na(as$auth) & as$auth > today) | attr(as$auth, "bad")
  bad_a <- bad_a & !as$episode %in% drop_ep
  add("date", "assessment dates set to missing: impossible (before the referral, in the future or not a date)",
      as$episode[bad_a])
  as$auth[bad_a] <- NA
  # Factor values: split, match, count unknowns by position.
  f <- st$factors
  u <- unique(f$value)
  tk <- cin_tokenise(u, legacy = legacy)
  iu <- match(f$value, u)
  raw_tok <- lapply(strsplit(u, "[,;|/+&[:space:]]+"), function(p) p[nzchar(p)])
  ok_tok <- lapply(seq_along(u), function(i) {
    p <- raw_tok[[i]]
    p[!is.na(cin_match_codes(p, legacy = legacy)$code)]
  })
  n_tok <- lengths(raw_tok)[iu]
  n_unk <- n_tok - lengths(ok_tok)[iu]
  note("factor codes read", sum(n_tok), "AssessmentFactors values split at commas")
  unk_as <- which(n_unk > 0L)
  if (length(unk_as)) {
    add("code", "factor codes dropped: not a CIN factor code",
        as$episode[f$assessment[unk_as]], "", n = sum(n_unk))
  }
  rows <- rep(seq_along(f$value), lengths(ok_tok)[iu])
  f2 <- data.frame(assessment = f$assessment[rows],
                   value = unlist(ok_tok[iu], use.names = FALSE), stringsAsFactors = FALSE)
  # Drop the episodes (and their parts) that cannot be keyed.
  keep_ep <- !seq_len(nrow(ep)) %in% drop_ep
  st$episodes <- ep
  st$assessments <- as
  st$factors <- f2
  n_as0 <- nrow(as)
  n_f0 <- nrow(f2)
  st <- cin_census_subset(st, keep_ep)
  if (any(!keep_ep)) {
    note("assessments dropped with their episode", n_as0 - nrow(st$assessments))
    note("factor codes dropped with their episode", n_f0 - nrow(st$factors))
  }
  for (k in c("s47", "cpp", "cinp", "pp")) {
    d <- st[[k]]
    if (is.null(d)) next
    d$start <- cin_census_date(d$start_raw)
    if (k == "s47") d$icpc_date <- cin_census_date(d$icpc_raw)
    st[[k]] <- d
  }
  st$episodes$icpc_date <- cin_census_date(st$episodes$icpc_raw)
  st$episodes$closure_date <- cin_census_date(st$episodes$closure_date_raw)
  pl <- cin_census_check_plans(st)
  for (i in seq_len(nrow(pl$summary))) note(pl$summary$step[i], pl$summary$n[i], pl$summary$detail[i])
  list(tables = pl$tables, problems = problems, summary = summ)
}

# A date column of a part of the return, NA when the part has no such column
# (the sector's tables).
cin_census_date_col <- function(d, raw) {
  v <- d[[raw]]
  cin_census_date(if (is.null(v)) rep(NA_character_, nrow(d)) else v)
}

# Plan end dates and the other dates of the parts of an episode: read, and
# an end before its start (or a date not a date) set to missing and counted.
cin_census_check_plans <- function(st) {
  summ <- data.frame(step = character(), n = numeric(), detail = character(),
                     stringsAsFactors = FALSE)
  for (k in c("cpp", "cinp")) {
    d <- st[[k]]
    if (is.null(d)) next
    d$end <- cin_census_date_col(d, "end_raw")
    bad <- which(attr(d$end, "bad") | (!is.na(d$end) & !is.na(d$start) & d$end < d$start))
    if (length(bad)) {
      what <- if (k == "cpp") "child protection plan" else "CIN plan"
      summ[nrow(summ) + 1L, ] <- list(
        paste0(what, " end dates set to missing: before the plan's start or not a date"),
        length(bad), cin_pos_label(st$episodes, d$episode[bad]))
      d$end[bad] <- NA
    }
    st[[k]] <- d
  }
  if (!is.null(st$s47)) st$s47$target <- cin_census_date_col(st$s47, "target_raw")
  st$assessments$review <- cin_census_date_col(st$assessments, "review_raw")
  if (!is.null(st$pp)) {
    for (nm in c("letter", "meeting", "step", "court", "letter_cp")) {
      st$pp[[nm]] <- cin_census_date_col(st$pp, paste0(nm, "_raw"))
    }
  }
  list(tables = st, summary = summ)
}

# Keep a subset of episodes, renumbering the tables below them.
cin_census_subset <- function(st, keep_ep) {
  new_ep <- cumsum(keep_ep)
  new_ep[!keep_ep] <- NA
  st$episodes <- st$episodes[keep_ep, , drop = FALSE]
  for (k in c("assessments", "s47", "cpp", "cinp", "pp")) {
    d <- st[[k]]
    if (is.null(d)) next
    d$episode <- new_ep[d$episode]
    st[[k]] <- d[!is.na(d$episode), , drop = FALSE]
    if (k == "assessments") {
      old_as <- which(!is.na(d$episode))
      new_as <- rep(NA_integer_, nrow(d))
      new_as[old_as] <- seq_along(old_as)
      f <- st$factors
      f$assessment <- new_as[f$assessment]
      st$factors <- f[!is.na(f$assessment), , drop = FALSE]
    }
  }
  rownames(st$episodes) <- NULL
  st
}

cin_census_problems <- function(problems, on_unknown, call) {
  if (!length(problems) || on_unknown == "drop") return(invisible())
  p <- problems[[1]]
  cls <- switch(p$kind, missing = "cscdemand_error_missing", date = "cscdemand_error_date",
                code = "cscdemand_error_unknown_code")
  others <- vapply(problems[-1], function(q) paste0(q$step, " (", q$n, ")"), "")
  abort_input(c("The census return has {p$n} problem{?s}: {p$step}.",
                x = "At {p$where}.",
                if (length(others)) c("*" = "Also: {paste(others, collapse = '; ')}."),
                i = "Correct the return, or use {.code on_unknown = \"drop\"} to drop or blank these and count them in {.fn audit}."),
              class = cls, call = call)
}

# Episodes seen in several returns: one copy (the latest return's), with the
# assessments, S47 enquiries and plans of every copy, de-duplicated.
cin_census_merge <- function(st) {
  ch <- st$children
  ep <- st$episodes
  ep$la <- ch$la[ep$child]
  ep$child_key <- ch$child_id[ep$child]
  ep$rank <- ch$rank[ep$child]
  key <- cin_group(list(ep$la, ep$child_key, as.numeric(ep$referral_date)))
  o <- order(key, -ep$rank, method = "radix")
  keep_row <- o[!duplicated(key[o])]
  keep_row <- sort(keep_row)
  merged <- nrow(ep) - length(keep_row)
  to <- match(key, key[keep_row])
  as <- st$assessments
  as$episode <- to[as$episode]
  as$rank <- ep$rank[st$assessments$episode]
  # an assessment is its episode, start date and rank among same-day starts
  sk <- ifelse(is.na(as$start), -as$as_pos, as.numeric(as$start))
  g0 <- cin_group(list(st$assessments$episode, sk))
  og <- order(g0, method = "radix")
  k <- integer(length(g0))
  k[og] <- sequence(rle(g0[og])$lengths)
  akey <- cin_group(list(as$episode, sk, k))
  oa <- order(akey, -as$rank, method = "radix")
  keep_as <- sort(oa[!duplicated(akey[oa])])
  merged_as <- nrow(as) - length(keep_as)
  new_as <- rep(NA_integer_, nrow(as))
  new_as[keep_as] <- seq_along(keep_as)
  f <- st$factors
  f$assessment <- new_as[f$assessment]
  merged_codes <- sum(is.na(f$assessment))
  f <- f[!is.na(f$assessment), , drop = FALSE]
  as <- as[keep_as, , drop = FALSE]
  ord <- order(as$episode, cin_num(as$start), as$as_pos, method = "radix")
  as <- as[ord, , drop = FALSE]
  f$assessment <- match(f$assessment, ord)
  for (k in c("s47", "cpp", "cinp", "pp")) {
    d <- st[[k]]
    if (is.null(d)) next
    d$episode <- to[d$episode]
    # the latest return's copy of a plan (its end date, reviews) is kept
    if (!is.null(d$rank)) d <- d[order(-d$rank, method = "radix"), , drop = FALSE]
    d <- d[!duplicated(cbind(d$episode, as.numeric(d$start))) | is.na(d$start), , drop = FALSE]
    d <- d[order(d$episode, cin_num(d$start), method = "radix"), , drop = FALSE]
    rownames(d) <- NULL
    st[[k]] <- d
  }
  ep2 <- ep[keep_row, , drop = FALSE]
  # in a return collecting the module: any copy of the episode
  if (!is.null(ep$pp_collected)) {
    ep2$pp_collected <- tabulate(to[ep$pp_collected], length(keep_row)) > 0L
  }
  rownames(ep2) <- NULL
  rownames(as) <- NULL
  st$episodes <- ep2
  st$assessments <- as
  st$factors <- f
  list(tables = st, merged = merged, merged_as = merged_as, merged_codes = merged_codes)
}


# One row per episode with the child's fields (latest return of the child).
cin_census_episodes <- function(st) {
  ch <- st$children
  ep <- st$episodes
  ckey <- cin_group(list(ch$la, ch$child_id))
  o <- order(ckey, -ch$rank, method = "radix")
  latest <- o[!duplicated(ckey[o])]
  src <- latest[match(ckey[ep$child], ckey[latest])]
  birth <- cin_census_date(ch$birth_raw)
  ep$birth_date <- birth[src]
  for (cl in c("gender_raw", "sex_raw", "ethnicity_raw", "disability_raw")) ep[[cl]] <- ch[[cl]][src]
  ep
}

# The long table for read_cin_assessments(): one row per assessment and code.
cin_census_long <- function(ep, st, has_as) {
  as <- st$assessments
  f <- st$factors
  n_f <- tabulate(f$assessment, nrow(as))
  rows <- c(rep(seq_len(nrow(as)), n_f), which(n_f == 0L))
  val <- c(f$value[order(f$assessment, method = "radix")], rep(NA_character_, sum(n_f == 0L)))
  o <- order(rows, method = "radix")
  rows <- rows[o]
  val <- val[o]
  e <- as$episode[rows]
  adate <- as$auth[rows]
  yr <- census_year(ep$referral_date[e])
  out <- data.frame(la = ep$la[e], child_id = ep$child_key[e], episode_id = as.character(e),
                    assessment_id = as.character(rows), referral_date = ep$referral_date[e],
                    assessment_date = adate, year = yr, factor = val,
                    stringsAsFactors = FALSE)
  out
}

# Add the derived episode fields to the assessments read.
cin_census_attach <- function(a, ep) {
  asm <- a$assessments
  e <- as.integer(asm$episode_id)
  for (cl in cin_derived_columns()) asm[[cl]] <- ep[[cl]][e]
  asm$episode_id <- NULL
  asm$assessment_id <- NULL
  a$assessments <- asm
  a
}
