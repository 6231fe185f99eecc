# Build a cin_assessments object from census tables (from XML returns or the
# sector's CSV and database tables): stack the files, check, merge episodes
# seen in several returns, derive the episode fields, and hand one long table
# to read_cin_assessments().

cin_census_build <- function(tabs, on_unknown, legacy, salt, source, verbose,
                             implausible_dates = "keep", call = rlang::caller_env()) {
  if (!length(tabs)) {
    abort_input(c("Nothing to analyse in {source}: it holds no rows.",
                  i = "Check the file or table is the full extract."),
                class = "cscdemand_error_empty", call = call)
  }
  st <- cin_census_stack(tabs, call = call)
  audit <- cin_audit_new()
  audit <- cin_audit_add(audit, "read", "census returns read", length(tabs), source)
  audit <- cin_audit_add(audit, "read", "child records read", nrow(st$children), "")
  audit <- cin_audit_add(audit, "read", "episodes read (CINdetails)", nrow(st$episodes), "")
  audit <- cin_audit_add(audit, "read", "assessments read", nrow(st$assessments), "")
  chk <- cin_census_check(st, legacy = legacy, implausible_dates = implausible_dates, call = call)
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
    n_ep <- nrow(st$episodes)
    n_files <- length(tabs)
    gone <- audit$step[startsWith(audit$step, "episodes dropped: ")]
    why <- if (n_ep == 0L && length(gone)) {
      c(x = "Every episode was dropped: {sub('^episodes dropped: ', '', gone)}.",
        i = "See the policies {.arg on_unknown} and {.arg implausible_dates}.")
    } else {
      c(x = "{cli::qty(n_files)}The return{?s} hold{?s/} {n_ep} episode{?s} that could be read, and no {.code <Assessments>} in them (factors are recorded at assessment).",
        i = "Check the file is the full return; episodes with no assessment are read only with others that have one.")
    }
    abort_input(c("Nothing to analyse in {source}: no assessment.", why),
                class = "cscdemand_error_empty", call = call)
  }
  # the reader's table builder itself (not the public API, which dispatches XML here)
  # dates were checked above, by place in the return ("checked": the table
  # builder neither flags nor drops them again by internal row)
  a <- cin_assessments_from_table(cin_read_table(long, call = call), layout = "long",
                                  columns = NULL, la = "LA", on_unknown = on_unknown,
                                  legacy = legacy, date_format = NULL, verbose = FALSE,
                                  implausible_dates = "checked", call = call)
  a <- cin_census_attach(a, ep)
  a$audit <- cin_census_row_places(a$audit, as.integer(long$episode_id), ep)
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

# Positions for messages: "file 1 child 12 episode 2" (never identifiers).
cin_pos_label <- function(ep, idx, max = 5L) {
  idx <- unique(idx)  # each place once, however many values it holds
  if (!length(idx)) return("")
  lab <- paste0("file ", ep$file[idx], " child ", ep$child_pos[idx], " episode ", ep$ep_pos[idx])
  if (length(lab) > max) {
    paste0(paste(lab[seq_len(max)], collapse = "; "), " and ", length(lab) - max, " more")
  } else {
    paste(lab, collapse = "; ")
  }
}

# Check the stacked tables; returns cleaned tables, a problem list and audit.
# Episodes with no child id or referral date cannot be keyed (on_unknown);
# every date element, and ReferralNFA, follows `implausible_dates`
# (read-dates.R), episode by episode.
cin_census_check <- function(st, legacy, implausible_dates = "keep", call = rlang::caller_env()) {
  ch <- st$children
  ep <- st$episodes
  ep$file <- ch$file[ep$child]
  ep$child_pos <- ch$child[ep$child]
  problems <- list()
  summ <- data.frame(step = character(), n = numeric(), detail = character(),
                     stringsAsFactors = FALSE)
  add <- function(kind, step, idx, detail = "", n = length(idx), values = NULL) {
    if (!length(idx)) return(invisible())
    problems[[length(problems) + 1L]] <<- list(kind = kind, step = step, n = n,
                                                where = cin_pos_label(ep, idx), values = values)
    summ[nrow(summ) + 1L, ] <<- list(step, n, paste0(detail, cin_pos_label(ep, idx)))
  }
  note <- function(step, n, detail = "") summ[nrow(summ) + 1L, ] <<- list(step, n, detail)
  ep$referral_date <- cin_census_date(ep$referral_raw)
  no_child <- which(is.na(ch$child_id[ep$child]) | !nzchar(trimws(ch$child_id[ep$child])))
  add("missing", "episodes dropped: child has no LAchildID", no_child)
  no_ref <- which(is.na(ep$referral_date))
  add("missing", "episodes dropped: no CINreferralDate (or not a date)", setdiff(no_ref, no_child))
  drop_ep <- unique(c(no_child, no_ref))
  st$episodes <- ep
  dc <- cin_census_dates(st)
  st <- dc$tables
  nfa <- cin_xml_bool(st$episodes$nfa_raw)
  bad_nfa <- which(attr(nfa, "unknown"))
  flags <- rbind(dc$flags, data.frame(episode = bad_nfa, element = rep("ReferralNFA", length(bad_nfa)),
                                      reason = rep("not true or false", length(bad_nfa)),
                                      stringsAsFactors = FALSE))
  flags <- flags[!flags$episode %in% drop_ep, , drop = FALSE]
  pol <- cin_date_policy_apply(flags, implausible_dates, function(i) cin_pos_label(ep, i),
                               call = call)
  summ <- rbind(summ, pol$audit)
  st$episodes$nfa_raw[bad_nfa] <- NA  # counted once, here
  drop_ep <- unique(c(drop_ep, pol$drop))
  f <- cin_census_factor_values(st$factors, st$assessments$episode, legacy)
  note("factor codes read", f$n_read, "AssessmentFactors values split at commas")
  if (f$n_unknown > 0L) {
    # the values themselves are shown: codes, never identifiers
    bad <- f$bad_values
    add("code", "factor codes dropped: not a CIN factor code", f$unknown_episodes,
        paste0("values ", paste0("\"", utils::head(bad, 10), "\"", collapse = ", "),
               if (length(bad) > 10) paste0(" and ", length(bad) - 10, " more"), "; "),
        n = f$n_unknown, values = utils::head(bad, 8))
  }
  if (length(f$emptied)) {
    note("assessments left with no factor code: every code dropped as not a CIN factor code",
         length(f$emptied), paste0("kept as assessments with no factors; ",
                                   cin_pos_label(ep, unique(st$assessments$episode[f$emptied]))))
  }
  # Drop the episodes (and their parts) that cannot be keyed.
  keep_ep <- !seq_len(nrow(ep)) %in% drop_ep
  st$factors <- f$factors
  n_as0 <- nrow(st$assessments)
  n_f0 <- nrow(st$factors)
  st <- cin_census_subset(st, keep_ep)
  if (any(!keep_ep)) {
    note("assessments dropped with their episode", n_as0 - nrow(st$assessments))
    note("factor codes dropped with their episode", n_f0 - nrow(st$factors))
  }
  list(tables = st, problems = problems, summary = summ)
}

# Factor values: split, match, count unknowns (by episode). `f` has
# assessment (row of the assessments) and value; `as_ep` the episode of
# each assessment. Zero values (a return with no factor codes) is fine.
cin_census_factor_values <- function(f, as_ep, legacy) {
  v <- as.character(f$value)
  u <- unique(v)
  iu <- match(v, u)
  u[is.na(u)] <- ""
  raw_tok <- lapply(strsplit(u, "[,;|/+&[:space:]]+"), function(p) p[nzchar(p)])
  is_code <- lapply(raw_tok, function(p) !is.na(cin_match_codes(p, legacy = legacy)$code))
  ok_tok <- Map(`[`, raw_tok, is_code)
  n_tok <- lengths(raw_tok)[iu]
  n_unk <- n_tok - lengths(ok_tok)[iu]
  unk_as <- which(n_unk > 0L)
  bad <- unique(unlist(Map(function(p, k) p[!k], raw_tok, is_code)[unique(iu[unk_as])]))
  rows <- rep(seq_along(f$value), lengths(ok_tok)[iu])
  f2 <- data.frame(assessment = f$assessment[rows],
                   value = as.character(unlist(ok_tok[iu], use.names = FALSE)),
                   stringsAsFactors = FALSE)
  list(factors = f2, n_read = sum(n_tok), n_unknown = sum(n_unk),
       unknown_episodes = as_ep[f$assessment[unk_as]], bad_values = as.character(bad),
       emptied = setdiff(unique(f$assessment[unk_as]), f2$assessment))
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
                if (length(p$values)) c(x = "Not CIN factor codes: {.val {p$values}}."),
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
  # no `year` column: the census year is the referral's (any year, 1970
  # too), attached with the derived fields
  out <- data.frame(la = ep$la[e], child_id = ep$child_key[e], episode_id = as.character(e),
                    assessment_id = as.character(rows), referral_date = ep$referral_date[e],
                    assessment_date = adate, factor = val,
                    stringsAsFactors = FALSE)
  out
}

# Add the derived episode fields to the assessments read.
cin_census_attach <- function(a, ep) {
  asm <- a$assessments
  e <- as.integer(asm$episode_id)
  asm$year <- census_year(ep$referral_date[e])
  for (cl in cin_derived_columns()) asm[[cl]] <- ep[[cl]][e]
  asm$episode_id <- NULL
  asm$assessment_id <- NULL
  a$assessments <- asm
  a
}

# The table builder's audit names rows of the long table built here (one per
# assessment and code), which mean nothing to the user: each is replaced by
# the place of its episode in the returns (file, child and episode position;
# each place once). `row_ep`: the episode of each long-table row.
cin_census_row_places <- function(audit, row_ep, ep) {
  k <- which(audit$stage %in% c("read", "codes") & grepl("^rows [0-9]", audit$detail))
  for (i in k) {
    m <- regmatches(audit$detail[i],
                    regexec("^rows ([0-9][0-9, ]*)( and ([0-9]+) more)?(.*)$", audit$detail[i]))[[1]]
    if (!length(m)) next
    rows <- as.integer(strsplit(m[2], ",[[:space:]]*")[[1]])
    rows <- rows[!is.na(rows) & rows >= 1L & rows <= length(row_ep)]
    more <- if (nzchar(m[4])) paste0(" (and ", m[4], " more codes)") else ""
    audit$detail[i] <- paste0(cin_pos_label(ep, row_ep[rows]), more, m[5])
  }
  audit$step[audit$step == "rows with no factor code (blank)"] <- "assessments with no factor code"
  audit
}
