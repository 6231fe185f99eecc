#' Read Children in Need census returns (XML)
#'
#' Reads one or several CIN census XML returns (the file each council sends
#' DfE every year) into a `cin_assessments` object, with the episode fields
#' the profiles and the report use derived from the return (see
#' *Derived fields*). [read_cin_assessments()] calls this for paths ending in
#' `.xml` (or files that start with an XML declaration), so
#' `read_cin_assessments(c("cin2023.xml", "cin2024.xml"))` works too.
#'
#' @section What is read:
#' The council is `Header/Source/LEA`; each `Child` gives `LAchildID`, birth
#' date, `GenderCurrent` (to 2023-24) or `Sex` (from 2024-25), `Ethnicity`
#' and `Disabilities`; each `CINdetails` is an episode, numbered by its
#' position in the child; each `Assessments` element an assessment, numbered
#' by position in the episode, with its `AssessmentFactors`. Files with or
#' without an XML namespace, empty `FactorsIdentifiedAtAssessment`, several
#' codes in one element (`"1B,3B"`), lower-case and legacy codes (22B is read
#' as 23A), booleans written `true`/`false`/`1`/`0`, comments and stray text
#' between elements are all read. Episodes with no assessment are used for
#' re-referrals and counted in the audit, but are not assessments.
#'
#' @section Several returns:
#' An episode open at 31 March appears in two consecutive returns. Episodes
#' are matched on council, child and referral date and counted once (the
#' latest return's values are used; assessments, section 47 enquiries and
#' plans are combined by start date); the audit says how many were merged.
#' The census `year` of an episode is the year (April to March) of its
#' referral.
#'
#' @section Derived fields:
#' `age` (whole years at referral), `gender` (`"Male"`, `"Female"`,
#' `"Unknown"`), `ethnicity` (DfE code), `ethnic_group` (see
#' [cin_ethnic_groups()]; refused and not obtained are `"Not known"`),
#' `disability` (1 when any disability other than `NONE` is recorded),
#' `referral_source` and `primary_need` and `closure_reason` (DfE labels, see
#' [cin_code_labels()]), `nfa` (referral no further action, or closure reason
#' RC8), `not_in_need` (closed after assessment, RC8 or RC9), `step_down`
#' (RC9, referred to early help), `cin_plan`, `s47`, `icpc` (an initial child
#' protection conference date), `cp_plan`, `threshold` (the highest reached,
#' an ordered factor with levels [cin_thresholds()]), `cp_category` (initial
#' category of the episode's first plan) and `rereferral` ([cin_rereferral()],
#' using every return given).
#'
#' Plans, conferences and reviews (`NA` where the episode has none):
#' `cin_plan_days` and `cp_plan_days` (days from the start to the end of the
#' episode's first CIN plan and child protection plan; `NA` while the plan is
#' open), `previous_cp_plans` (`NumberOfPreviousCPP`), `repeat_cp_plan` (1
#' when the plan is a second or subsequent plan as DfE counts them in table
#' D3: previous plans are recorded, or the same child had a plan that started
#' earlier in the returns read), `cp_plan_reviews` (review dates of the
#' plan), `icpc_working_days` (working days, Monday to Friday less England's bank holidays, from the start
#' of the section 47 enquiry to the initial conference), `icpc_timely` (1
#' when the conference was held on or before the return's `InitialCPCtarget`,
#' or where it is not given within 15 working days), `icpc_not_required`
#' (per episode with a section 47 enquiry) and `assessment_reviewed` (an
#' assessment of the episode has an `AssessmentInternalReviewDate`). A plan
#' end before its start is set to missing and counted in the audit.
#'
#' From 2026-27 (returns whose reference date is in 2026-27 or later, or that
#' hold the module), the pre-proceedings and family group decision-making
#' module (`CINdetails/PreProceedingsandFGDM`): `pre_proceedings` (1 when
#' pre-proceedings began; `NA` for episodes in no return that collects the
#' module, and no column at all when no return does), and for episodes in
#' pre-proceedings `pp_letter` (letter before proceedings sent),
#' `fgdm_offered` and `fgdm_held` (a family group decision-making meeting
#' offered in the letter, and facilitated), `court_application` (an
#' application to court made), `pp_outcome` (the outcome code, A, B or C),
#' `pp_days` (days from the start of pre-proceedings to the decision to
#' step up or down) and `pp_review_meetings` (`ReviewMeetingsCount`).
#' Booleans and counts that cannot be read are set to missing and counted in
#' the audit. When an episode is in several returns, the latest return's copy of
#' each plan is used.
#'
#' Looked-after status is not in the CIN census. To add it, read the
#' council's SSDA903 episodes (child id, `DECOM` start and `DEC` end dates),
#' and set `looked_after` to 1 for an episode when the same child was looked
#' after between its referral and closure dates (or within a window you
#' choose) before calling [episode_factors()]; the child identifiers must be
#' the same (hash both with the same `salt`).
#'
#' @section Problems in the file:
#' A file that is not well-formed XML stops with an error of class
#' `cscdemand_error_xml` that gives the line. A file from another collection
#' (SSDA903, School Census, Annex A) stops with an error naming it. Problems
#' are listed by file, child and episode position (never by identifier), and
#' one bad value touches its own episode only:
#' * missing `LAchildID` or `CINreferralDate` (the episode cannot be keyed)
#'   and values that are not factor codes follow `on_unknown`: with
#'   `"error"` the read stops; with `"drop"` the episodes or codes are
#'   dropped and counted in [audit()];
#' * every date element (`PersonBirthDate`, `CINreferralDate`,
#'   `CINclosureDate`, `DateOfInitialCPC`, the assessment, section 47 and
#'   plan start dates, `AssessmentAuthorisationDate`) that is not a date, in
#'   the future, before 1990 (not the birth date), or before the referral
#'   (closure and authorisation), an `ExpectedPersonBirthDate` that is not a
#'   date, and a `ReferralNFA` that is neither true nor false, follow
#'   `implausible_dates`: `"keep"` (default) keeps the
#'   episode (a value that is not a date is set to missing, others are kept
#'   as written) and counts each in the audit with its element, reason and
#'   place; `"drop"` drops those episodes and counts them; `"stop"` stops
#'   with an error of class `cscdemand_error_implausible_date`. Returns
#'   whose referrals are dated 1970 (as many public sample returns are)
#'   read, with the census year of the referral.
#'
#' A return with no factor codes reads (its assessments have no factors);
#' one with no assessment at all stops with an error of class
#' `cscdemand_error_empty` naming the file.
#'
#' @param x Path(s) of CIN census XML files.
#' @inheritParams read_cin_assessments
#' @param hash_ids Replace `LAchildID` with a salted SHA-256 hash on read
#'   (default `FALSE`), so the episode table can be shared. UPNs are never
#'   kept.
#' @param salt A secret string for `hash_ids`; default
#'   `getOption("cscdemand.salt")`. Use the same salt to link other extracts
#'   (see [link_lsoa()]).
#' @return A `cin_assessments` object (see [read_cin_assessments()]) whose
#'   assessments carry the derived fields; `source` names the files.
#' @family CIN data
#' @export
#' @examples
#' path <- system.file("extdata", "cin_census_example.xml", package = "cscdemand")
#' a <- read_cin_census_xml(path)
#' a
#' audit(a)
#' ep <- episode_factors(a, min_count = 0)
#' table(ep$threshold)
read_cin_census_xml <- function(x, on_unknown = c("error", "drop"), legacy = TRUE,
                                hash_ids = FALSE, salt = getOption("cscdemand.salt"),
                                verbose = FALSE, implausible_dates = c("keep", "drop", "stop")) {
  on_unknown <- rlang::arg_match(on_unknown)
  implausible_dates <- cin_date_policy(implausible_dates)
  check_flag(legacy)
  check_flag(hash_ids)
  check_flag(verbose)
  if (!is.character(x) || !length(x) || anyNA(x)) {
    abort_input("{.arg x} must be the path(s) of CIN census XML files.")
  }
  miss <- x[!file.exists(x)]
  if (length(miss)) {
    abort_input(c("File{?s} {.file {basename(miss)}} do{?es/} not exist.",
                  i = "Check the paths and the working directory."),
                class = "cscdemand_error_file")
  }
  cin_check_not_folder(x)
  salt <- cin_check_salt(hash_ids, salt)
  tabs <- lapply(seq_along(x), function(i) {
    plain <- cin_xml_file(x[i])  # by content; UTF-16 or gzipped: a UTF-8 copy, same name
    if (!is.null(plain$dir)) on.exit(unlink(plain$dir, recursive = TRUE), add = TRUE)
    cin_xml_tables(plain$file, i)
  })
  cin_census_build(tabs, on_unknown = on_unknown, legacy = legacy, salt = salt,
                   source = paste(basename(x), collapse = ", "), verbose = verbose,
                   implausible_dates = implausible_dates)
}

# Is `x` one or more XML files? (extension, else the first bytes)
cin_is_xml <- function(x) {
  if (!is.character(x) || !length(x) || anyNA(x)) return(FALSE)
  ext <- tolower(tools::file_ext(x))
  if (all(ext == "xml")) return(TRUE)
  if (length(x) != 1L || !file.exists(x) || dir.exists(x) || ext %in% c("xlsx", "xls", "xlsm")) {
    return(FALSE)
  }
  # Bytes, not text: the first bytes of a broken file need not be valid
  # UTF-8 (UTF-16 and gzip are read through, a web page is not XML here).
  isTRUE(file.info(x)$size > 0) && cin_sniff(x)$kind == "xml"
}

# ---------------------------------------------------------------------------
# Tokeniser: one pass of a regular expression over the file finds every tag;
# names, nesting, owners and leaf text are then computed on whole vectors.

cin_xml_tokens <- function(path, call = rlang::caller_env()) {
  size <- file.size(path)
  if (is.na(size) || size == 0) {
    abort_input(c("File {.file {basename(path)}} is empty.",
                  i = "Export the CIN census return again."),
                class = c("cscdemand_error_xml", "cscdemand_error_empty"), call = call)
  }
  s <- suppressWarnings(readChar(path, size, useBytes = TRUE))
  if (nchar(s, type = "bytes") < size) {
    # readChar stops at a NUL byte
    raw <- readBin(path, "raw", size)
    nul <- match(as.raw(0L), raw)
    line <- sum(raw[seq_len(nul)] == as.raw(10L)) + 1L
    cin_xml_abort(path, line, "the file holds NUL bytes (an incomplete download or a binary file)",
                  call = call)
  }
  if (startsWith(s, "\xef\xbb\xbf")) s <- substring(s, 4L)
  Encoding(s) <- "bytes"
  if (grepl("<!", s, fixed = TRUE, useBytes = TRUE)) s <- cin_xml_strip_specials(s)
  m <- gregexpr("<[^<>]*>", s, useBytes = TRUE, perl = TRUE)[[1]]
  if (m[1] == -1L) {
    cin_xml_abort(path, 1L, "no XML elements found", call = call)
  }
  st <- as.integer(m)
  ln <- attr(m, "match.length")
  rm(m)
  tag <- substring(s, st + 1L, st + ln - 2L)
  ut <- unique(tag)
  it <- match(tag, ut)
  rm(tag)
  first <- substr(ut, 1L, 1L)
  kind_u <- ifelse(first %in% c("?", "!"), 0L, ifelse(first == "/", -1L,
                   ifelse(endsWith(ut, "/"), 2L, 1L)))
  name_u <- sub("^/?([^[:space:]/]+).*$", "\\1", ut, useBytes = TRUE)
  name_u <- sub("^[^:]*:", "", name_u, useBytes = TRUE)
  un <- unique(name_u)
  kind <- kind_u[it]
  nid <- match(name_u, un)[it]
  keep <- kind != 0L
  if (!all(keep)) {
    st <- st[keep]; ln <- ln[keep]; kind <- kind[keep]; nid <- nid[keep]
  }
  cin_xml_check_nesting(path, s, st, kind, nid, un, call = call)
  # Text after the last tag must be blank (else the file is cut off).
  tail_txt <- substring(s, st[length(st)] + ln[length(ln)], nchar(s, type = "bytes"))
  if (grepl("<", tail_txt, fixed = TRUE, useBytes = TRUE)) {
    cin_xml_abort(path, cin_xml_line(s, st[length(st)] + ln[length(ln)]),
                  "the file ends inside a tag (the file looks cut off)", call = call)
  }
  # Leaves: an opening tag directly followed by its closing tag, or <x/>.
  nt <- length(kind)
  leaf <- which(kind == 1L & c(kind[-1L] == -1L, FALSE))
  txt <- substring(s, st[leaf] + ln[leaf], st[leaf + 1L] - 1L)
  bad <- grepl("<", txt, fixed = TRUE, useBytes = TRUE)
  if (any(bad)) {
    cin_xml_abort(path, cin_xml_line(s, st[leaf][which(bad)[1]]),
                  "a '<' inside a value (an unclosed tag)", call = call)
  }
  empty <- which(kind == 2L)
  list(kind = kind, nid = nid, names = un, n = nt,
       leaf = c(leaf, empty), text = c(txt, character(length(empty))),
       line_of = function(i) cin_xml_line(s, st[i]))
}

# Comments, CDATA and DOCTYPE (rare in returns) are removed before tokenising.
cin_xml_strip_specials <- function(s) {
  s <- gsub("<!--.*?-->", "", s, perl = TRUE, useBytes = TRUE)
  s <- gsub("<!\\[CDATA\\[(.*?)\\]\\]>", "\\1", s, perl = TRUE, useBytes = TRUE)
  gsub("<!DOCTYPE[^>]*>", "", s, perl = TRUE, useBytes = TRUE)
}

cin_xml_line <- function(s, pos) {
  if (pos <= 1) return(1L)
  pre <- substring(s, 1L, pos - 1L)
  m <- gregexpr("\n", pre, fixed = TRUE, useBytes = TRUE)[[1]]
  as.integer(sum(m > 0L) + 1L)
}

cin_xml_abort <- function(path, line, what, call = rlang::caller_env()) {
  abort_input(c("{.file {basename(path)}} is not well-formed XML: line {line}: {what}.",
                i = "Export the return again from the case management system; a download that stopped part-way gives this error."),
              class = "cscdemand_error_xml", line = line, call = call)
}

# Every closing tag must close the element opened last at its level.
cin_xml_check_nesting <- function(path, s, st, kind, nid, un, call) {
  delta <- c(-1L, 0L, 1L, 0L)[kind + 2L]
  depth <- cumsum(delta)
  neg <- which(depth < 0L)
  if (length(neg)) {
    cin_xml_abort(path, cin_xml_line(s, st[neg[1]]),
                  paste0("closing tag </", un[nid[neg[1]]], "> has no opening tag"), call = call)
  }
  oc <- which(kind == 1L | kind == -1L)
  lvl <- depth[oc] + (kind[oc] == -1L)
  ol <- order(lvl, method = "radix")
  o <- oc[ol]
  lo <- lvl[ol]
  k <- kind[o]
  n <- length(o)
  # fast path: each open is followed, at its level, by its own closing tag
  A <- which(k == 1L)
  if (length(A) * 2L == n && all(A < n)) {
    B <- A + 1L
    if (all(k[B] == -1L) && all(lo[B] == lo[A]) && all(nid[o[B]] == nid[o[A]])) {
      if (depth[length(depth)] == 0L) return(invisible(TRUE))
    }
  }
  nxt_same <- c(lo[-1L] == lo[-n], FALSE)
  # an open must be followed (at its level) by a close of the same name
  bad_open <- k == 1L & (!nxt_same | c(k[-1L], 0L) != -1L |
                         c(nid[o][-1L], 0L) != nid[o])
  prv_same <- c(FALSE, lo[-1L] == lo[-n])
  bad_close <- k == -1L & (!prv_same | c(0L, k[-n]) != 1L | c(0L, nid[o][-n]) != nid[o])
  if (any(bad_close)) {
    # the first closing tag (in file order) that does not close the element
    # open at its level: that element is the one left unclosed
    j <- which(bad_close)[which.min(o[bad_close])]
    pos <- o[j]
    if (j > 1L && prv_same[j] && k[j - 1L] == 1L) {
      op <- o[j - 1L]
      what <- paste0("element <", un[nid[op]], "> is not closed (its closing tag is missing)")
      cin_xml_abort(path, cin_xml_line(s, st[op]), what, call = call)
    }
    cin_xml_abort(path, cin_xml_line(s, st[pos]),
                  paste0("closing tag </", un[nid[pos]], "> does not match the element open there"),
                  call = call)
  }
  if (any(bad_open)) {
    pos <- max(o[bad_open])
    cin_xml_abort(path, cin_xml_line(s, st[pos]),
                  paste0("the file ends before <", un[nid[pos]], "> is closed (the file looks cut off)"),
                  call = call)
  }
  if (depth[length(depth)] != 0L) {
    cin_xml_abort(path, cin_xml_line(s, st[length(st)]), "the file ends before the last element is closed",
                  call = call)
  }
  invisible(TRUE)
}

# ---------------------------------------------------------------------------
# From tokens to the census tables (one data frame per level).

# The elements that hold the fields the reader looks up (a field is found by
# its own name and the name of the element that holds it).
cin_xml_containers <- function() {
  c("Header", "CollectionDetails", "Source", "Child", "ChildIdentifiers", "ChildCharacteristics", "Disabilities", "CINdetails",
    "Assessments", "FactorsIdentifiedAtAssessment", "CINPlanDates", "Section47",
    "ChildProtectionPlans", "Reviews", "PreProceedingsandFGDM")
}

# The census tables of one return: one data frame per level, each row the
# element's fields as text (dates and codes are checked later, in
# cin_census_build()). Stages: the tokens, the collection check, an index of
# the document, then each level read from the index.
cin_xml_tables <- function(path, file_no = 1L, call = rlang::caller_env()) {
  tokens <- cin_xml_tokens(path, call = call)
  root <- tokens$names[tokens$nid[which(tokens$kind != -1L)[1]]]
  cin_xml_check_collection(path, tokens, root, call = call)
  doc <- cin_xml_index(tokens)
  header <- cin_xml_header(doc)
  children <- cin_xml_children(doc, file_no)
  episodes <- cin_xml_episodes(doc, n_children = nrow(children))
  assessments <- cin_xml_assessments(doc, n_episodes = nrow(episodes))
  factors <- cin_xml_factors(doc)
  parts <- cin_xml_parts(doc)
  header$pp_module <- nrow(parts$pp) > 0L
  c(list(file = file_no, path = basename(path), header = header, children = children,
         episodes = episodes, assessments = assessments, factors = factors), parts)
}

# An index of the document, built once: where each element opens, and every
# leaf (a field) with its position, its container (index into
# cin_xml_containers(), 0 for any other parent), its name (id into `names`)
# and its text; leaves are grouped by (container, name) for the look-ups.
cin_xml_index <- function(tokens) {
  containers <- cin_xml_containers()
  container_id <- match(containers, tokens$names)  # name id of each container
  opens <- tokens$kind == 1L | tokens$kind == 2L
  opened_at <- which(opens)
  leaves <- cin_xml_leaves(tokens, container_id)
  n_names <- length(tokens$names)
  list(names = tokens$names, containers = containers, container_id = container_id,
       openings = split(opened_at, tokens$nid[opened_at]),
       leaf_at = leaves$leaf_at, leaf_container = leaves$container, leaf_name = leaves$name,
       leaf_text = leaves$text,
       leaves_by_key = split(seq_along(leaves$leaf_at),
                             cin_xml_leaf_key(leaves$container, leaves$name, n_names)))
}

# One integer per (container, name) pair, distinct for every pair: names are
# 1..n_names and containers 0..15 (integer range holds 134 million names,
# more than a file of several gigabytes has). A key of container * 10000 +
# name let a file with over 10,000 distinct element names read one field as
# another.
cin_xml_leaf_key <- function(container, name, n_names) {
  container * (n_names + 1L) + name
}

# Token positions where `element` opens (integer() if it never does, or is
# not a container).
cin_xml_openings <- function(doc, element) {
  id <- doc$container_id[match(element, doc$containers)]
  if (is.na(id)) return(integer())
  at <- doc$openings[[as.character(id)]]
  if (is.null(at)) integer() else at
}

# For token positions `at`, the number of the `owner` element that holds
# each: the last `owner` opened before it (0 before the first).
cin_xml_owner_number <- function(doc, owner, at) {
  findInterval(at, cin_xml_openings(doc, owner))
}

# For each `element`, the number of the `owner` element that holds it.
cin_xml_parent_number <- function(doc, element, owner) {
  cin_xml_owner_number(doc, owner, cin_xml_openings(doc, element))
}

# The leaves named any of `fields` directly inside any of `containers`, in
# the order of the index.
cin_xml_leaves_in <- function(doc, containers, fields) {
  name_id <- stats::na.omit(match(fields, doc$names))
  if (!length(name_id)) return(integer())
  container <- match(containers, doc$containers)
  keys <- cin_xml_leaf_key(rep(container, times = length(name_id)),
                           rep(name_id, each = length(container)), length(doc$names))
  sort(unlist(doc$leaves_by_key[as.character(keys)], use.names = FALSE))
}

# One value of `field` per `owner` element (NA where it has none; the last
# one where it has several).
cin_xml_value_per <- function(doc, containers, field, owner) {
  out <- rep(NA_character_, length(cin_xml_openings(doc, owner)))
  hit <- cin_xml_leaves_in(doc, containers, field)
  if (length(hit)) out[cin_xml_owner_number(doc, owner, doc$leaf_at[hit])] <- doc$leaf_text[hit]
  out
}

# One row per `element`: the number of its episode (CINdetails) and each of
# `fields` (output column = name, XML field = value).
cin_xml_level_table <- function(doc, element, fields) {
  out <- data.frame(episode = cin_xml_parent_number(doc, element, "CINdetails"))
  for (column in names(fields)) out[[column]] <- cin_xml_value_per(doc, element, fields[[column]], element)
  out
}

# The return's header: the first value of each field in Header,
# CollectionDetails or Source.
cin_xml_header <- function(doc) {
  first <- function(field) {
    hit <- cin_xml_leaves_in(doc, c("Header", "CollectionDetails", "Source"), field)
    if (length(hit)) doc$leaf_text[hit[1]] else NA_character_
  }
  list(lea = first("LEA"), year = first("Year"), reference_date = first("ReferenceDate"),
       collection = first("Collection"), software = first("SoftwareCode"))
}

# One row per Child: identifiers, characteristics, and disability (1 with a
# disability code other than NONE, 0 with only NONE or blank, NA with none).
cin_xml_children <- function(doc, file_no) {
  n_children <- length(cin_xml_openings(doc, "Child"))
  identifiers <- c("ChildIdentifiers", "Child")
  characteristics <- c("ChildCharacteristics", "Child")
  children <- data.frame(
    file = rep(file_no, n_children), child = seq_len(n_children),
    child_id = cin_xml_value_per(doc, identifiers, "LAchildID", "Child"),
    birth_raw = cin_xml_value_per(doc, identifiers, "PersonBirthDate", "Child"),
    expected_raw = cin_xml_value_per(doc, identifiers, "ExpectedPersonBirthDate", "Child"),
    gender_raw = cin_xml_value_per(doc, identifiers, "GenderCurrent", "Child"),
    sex_raw = cin_xml_value_per(doc, identifiers, "Sex", "Child"),
    ethnicity_raw = cin_xml_value_per(doc, characteristics, "Ethnicity", "Child"),
    stringsAsFactors = FALSE)
  disability_leaves <- cin_xml_leaves_in(doc, c("Disabilities", "ChildCharacteristics"), "Disability")
  disability_child <- cin_xml_owner_number(doc, "Child", doc$leaf_at[disability_leaves])
  disabled <- !toupper(doc$leaf_text[disability_leaves]) %in% c("NONE", "")
  child_no <- seq_len(n_children)
  children$disability_raw <- ifelse(child_no %in% disability_child[disabled], 1L,
                                    ifelse(child_no %in% disability_child, 0L, NA_integer_))
  children
}

# One row per CINdetails (episode), with its child and its position among
# the child's episodes.
cin_xml_episodes <- function(doc, n_children) {
  field <- function(name) cin_xml_value_per(doc, "CINdetails", name, "CINdetails")
  episodes <- data.frame(
    child = cin_xml_parent_number(doc, "CINdetails", "Child"),
    referral_raw = field("CINreferralDate"), source_raw = field("ReferralSource"),
    need_raw = field("PrimaryNeedCode"), closure_date_raw = field("CINclosureDate"),
    closure_raw = field("ReasonForClosure"), nfa_raw = field("ReferralNFA"),
    icpc_raw = field("DateOfInitialCPC"), stringsAsFactors = FALSE)
  episodes$ep_pos <- sequence(tabulate(episodes$child, n_children))
  episodes
}

# One row per Assessments block, with its episode and its position among the
# episode's assessments.
cin_xml_assessments <- function(doc, n_episodes) {
  field <- function(name) cin_xml_value_per(doc, "Assessments", name, "Assessments")
  assessments <- data.frame(
    episode = cin_xml_parent_number(doc, "Assessments", "CINdetails"),
    start_raw = field("AssessmentActualStartDate"), auth_raw = field("AssessmentAuthorisationDate"),
    review_raw = field("AssessmentInternalReviewDate"), stringsAsFactors = FALSE)
  assessments$as_pos <- sequence(tabulate(assessments$episode, n_episodes))
  assessments
}

# One row per factor value (as written: one code, or several joined), with
# its assessment; blank values are dropped.
cin_xml_factors <- function(doc) {
  factor_leaves <- cin_xml_leaves_in(doc, c("FactorsIdentifiedAtAssessment", "Assessments"),
                                     c("AssessmentFactors", "FactorsIdentifiedAtAssessment"))
  factors <- data.frame(assessment = cin_xml_owner_number(doc, "Assessments", doc$leaf_at[factor_leaves]),
                        value = doc$leaf_text[factor_leaves], stringsAsFactors = FALSE)
  factors[nzchar(factors$value), , drop = FALSE]
}

# The parts of an episode: section 47 enquiries, child protection plans
# (with the number of review dates of each), CIN plans and the
# pre-proceedings module.
cin_xml_parts <- function(doc) {
  s47 <- cin_xml_level_table(doc, "Section47", c(
    start_raw = "S47ActualStartDate", icpc_raw = "DateOfInitialCPC",
    target_raw = "InitialCPCtarget", not_required_raw = "ICPCnotRequired"))
  cpp <- cin_xml_level_table(doc, "ChildProtectionPlans", c(
    start_raw = "CPPstartDate", initial_cat = "InitialCategoryOfAbuse",
    latest_cat = "LatestCategoryOfAbuse", end_raw = "CPPendDate",
    previous_raw = "NumberOfPreviousCPP"))
  cpp$reviews <- tabulate(cin_xml_plan_reviews(doc), nrow(cpp))
  cinp <- cin_xml_level_table(doc, "CINPlanDates", c(start_raw = "CINPlanStartDate",
                                                     end_raw = "CINPlanEndDate"))
  pp <- cin_xml_level_table(doc, "PreProceedingsandFGDM", cin_xml_pp_fields())
  list(s47 = s47, cpp = cpp, cinp = cinp, pp = pp)
}

# The plan (number of its ChildProtectionPlans) of each non-blank review
# date (Reviews/CPPreviewDate).
cin_xml_plan_reviews <- function(doc) {
  review <- cin_xml_leaves_in(doc, c("Reviews", "ChildProtectionPlans"), "CPPreviewDate")
  review <- review[nzchar(doc$leaf_text[review])]
  cin_xml_owner_number(doc, "ChildProtectionPlans", doc$leaf_at[review])
}

# The pre-proceedings and family group decision-making module (from
# 2026-27): CINdetails/PreProceedingsandFGDM, one block per pre-proceedings.
cin_xml_pp_fields <- function() {
  c(start_raw = "PPStartDate", letter_raw = "LBPSentDate", fgdm_offer_raw = "FGDMMeetingOffer",
    fgdm_fac_raw = "FGDMMeetingFac", meeting_raw = "InitialPPMeetingDate",
    reviews_raw = "ReviewMeetingsCount", step_raw = "StepDecisionDate", outcome_raw = "PPOutcome",
    court_raw = "CourtAppDate", letter_cp_raw = "LetterInitCPDate")
}

# Every leaf with its container (index into `container_id`, 0 if its parent
# is not a container), its element name id and its trimmed, decoded text.
cin_xml_leaves <- function(tokens, container_id) {
  kind <- tokens$kind
  leaf_at <- tokens$leaf
  # the parent of each leaf: the last element opened one level up before it,
  # found by sorting the openings by (depth, position) in one number
  depth <- cumsum(c(-1L, 0L, 1L, 0L)[kind + 2L])
  opened_at <- which(kind == 1L)
  span <- length(kind) + 1  # > every position, so the number is exact for any file
  open_key <- depth[opened_at] * span + opened_at
  ord <- order(open_key, method = "radix")
  parent_depth <- ifelse(kind[leaf_at] == 2L, depth[leaf_at], depth[leaf_at] - 1L)
  parent <- opened_at[ord][findInterval(parent_depth * span + leaf_at, open_key[ord])]
  container <- match(tokens$nid[parent], container_id)
  container[is.na(container)] <- 0L
  text <- tokens$text
  pad <- grepl("^[[:space:]]|[[:space:]]$", text, perl = TRUE)
  if (any(pad)) text[pad] <- trimws(text[pad])
  if (any(grepl("&", text, fixed = TRUE))) text <- cin_xml_entities(text)
  Encoding(text) <- "UTF-8"
  list(leaf_at = leaf_at, container = container, name = tokens$nid[leaf_at], text = text)
}

cin_xml_entities <- function(x) {
  u <- unique(x)
  v <- u
  has <- grepl("&", v, fixed = TRUE)
  if (any(has)) {
    w <- v[has]
    w <- gsub("&lt;", "<", w, fixed = TRUE)
    w <- gsub("&gt;", ">", w, fixed = TRUE)
    w <- gsub("&quot;", "\"", w, fixed = TRUE)
    w <- gsub("&apos;", "'", w, fixed = TRUE)
    w <- gsub("&#0*44;", ",", w)
    w <- gsub("&amp;", "&", w, fixed = TRUE)
    v[has] <- w
  }
  v[match(x, u)]
}

# Which collection does the file belong to?
cin_xml_check_collection <- function(path, tk, root, call) {
  nm <- tk$names
  hdr_coll <- NA_character_
  coll_leaf <- tk$leaf[tk$names[tk$nid[tk$leaf]] == "Collection"]
  if (length(coll_leaf)) hdr_coll <- trimws(tk$text[match(coll_leaf[1], tk$leaf)])
  is_cin <- all(c("Children", "Child") %in% nm) &&
    any(c("CINdetails", "ChildIdentifiers") %in% nm) &&
    (is.na(hdr_coll) || grepl("^CIN", toupper(hdr_coll)))
  if (is_cin) return(invisible(TRUE))
  guess <- if (!is.na(hdr_coll) && grepl("903|SSDA", toupper(hdr_coll)) ||
               any(c("Episodes", "Episode", "DECOM", "CLA", "LookedAfter", "PLACE", "RNE") %in% nm)) {
    "an SSDA903 (children looked after) return"
  } else if (!is.na(hdr_coll) && grepl("SCHOOL|CENSUS", toupper(hdr_coll)) &&
             !grepl("CIN", toupper(hdr_coll)) ||
             any(c("Pupils", "Pupil", "PupilOnRoll", "SchoolCensus", "School", "UPNs") %in% nm)) {
    "a School Census return"
  } else if (any(grepl("^(Workbook|worksheet|Worksheet|List)", nm))) {
    "an Annex A workbook or another spreadsheet saved as XML"
  } else if (!is.na(hdr_coll)) {
    paste0("a return of another collection (", hdr_coll, ")")
  } else {
    paste0("not a CIN census return (its root element is <", root, ">)")
  }
  abort_input(c("{.file {basename(path)}} is not a Children in Need census return: it appears to be {guess}.",
                i = "Give the CIN census XML file (root {.code <Message>}, with {.code <Children>} holding {.code <Child>} and {.code <CINdetails>})."),
              class = "cscdemand_error_collection", call = call)
}
