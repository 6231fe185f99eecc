#' Read the sector's shared CIN tables
#'
#' Siblings of [read_cin_census_xml()] for the tables that the sector's open
#' tools already make from the CIN census, returning the same
#' `cin_assessments` object with the same derived fields, checks and audit:
#'
#' * `read_cin_d2i()`: the CSV tables of the Data to Insight CIN validator's
#'   XML-to-CSV export, in either of its layouts. Since 2024 the validator
#'   writes `Assessments` one row per assessment (`LAchildID`,
#'   `CINdetailsID`, `AssessmentID`, `AssessmentActualStartDate`,
#'   `AssessmentAuthorisationDate`, and the codes as a list in
#'   `AssessmentFactors`, such as `['2A', '2B']`) and the codes one per row in
#'   `AssessmentFactorsList` (`AssessmentFactor`), which is used when given;
#'   before, `Assessments` had one row per code. With them: `CINdetails`
#'   (one row per episode: `LAchildID`, `CINdetailsID`, `CINreferralDate`,
#'   `ReferralSource`, `PrimaryNeedCode`, `CINclosureDate`,
#'   `ReasonForClosure`, `DateOfInitialCPC`, `ReferralNFA`) and
#'   `ChildIdentifiers` (`LAchildID`, `PersonBirthDate`, `GenderCurrent` or
#'   `Sex`); optionally `ChildCharacteristics` (`Ethnicity`), `Disabilities`,
#'   `Section47` (with `InitialCPCtarget`, `ICPCnotRequired`),
#'   `ChildProtectionPlans` (with `CPPendDate`, `NumberOfPreviousCPP` and
#'   `CPPID`), `Reviews` (review dates counted per plan by `CPPID`),
#'   `CINplanDates` (with `CINPlanEndDate`), `PreProceedings` (the 2026-27
#'   pre-proceedings and family group decision-making module) and `Header`
#'   (its `LEA` is the council when `la` is not given): the plan lengths,
#'   repeat plans, conference timeliness and pre-proceedings measures are the
#'   same as from the XML. Tables given but not read are named in the audit.
#'   The row number pandas writes as an unnamed first column is dropped.
#' * `read_cin_liia()`: the CIN log of Social Finance's LIIA tools, one row
#'   per event: `Type` names the event (`CINreferralDate`,
#'   `AssessmentActualStartDate`, `AssessmentAuthorisationDate`,
#'   `S47ActualStartDate`, `CPPstartDate`, `CINPlanStartDate`, ...) and
#'   `Date` its date, and each row carries the child's, the episode's and the
#'   event's fields. An assessment is one assessment however many of its
#'   events are in the log, with its codes comma-joined in `Factors`; the
#'   episode's fields come from its referral event; disability from
#'   `Disabilities` (comma-joined codes, `NONE`); the council from `LA`.
#'   Plan ends (`CPPendDate`, `CINPlanEndDate`), `NumberOfPreviousCPP`,
#'   `InitialCPCtarget`, `ICPCnotRequired` and
#'   `AssessmentInternalReviewDate` are read from the rows of their events, as
#'   from the XML. Columns of the log that are not used (`UPN`, `YEAR`, ...)
#'   are named in the audit. Its factors file (authorisation events only)
#'   reads too.
#' * `read_cin_ssd()`: the Standard Safeguarding Dataset tables in the
#'   council's database, through a DBI connection: `ssd_cin_assessments`
#'   and `ssd_assessment_factors` (the JSON array column
#'   `cinf_assessment_factors_json`, such as `["1A","2B"]`), with
#'   `ssd_cin_episodes`, `ssd_person`, `ssd_disability`, `ssd_s47_enquiry`,
#'   `ssd_initial_cp_conference`, `ssd_cp_plans` (with plan ends),
#'   `ssd_cp_reviews` and `ssd_cin_plans` (with plan ends) when present. The
#'   SSD does not hold the number of previous plans, so repeat plans are not
#'   known from it. Without `ssd_cin_episodes` only the factors are read (the
#'   episode is `cina_referral_id`).
#'
#' @param tables A named list of data frames or CSV paths, named by the
#'   validator's table names (`Assessments`, `CINdetails`, ...); or the
#'   folder holding `Assessments.csv`, `CINdetails.csv`, ...
#' @param la The council. `NULL` (default): `read_cin_d2i()` takes `LEA`
#'   from the `Header` table and `read_cin_liia()` the `LA` column, and
#'   either stops with a classed error when the tables do not name it.
#' @param x Path of the LIIA event-log CSV, or a data frame.
#' @param con A DBI connection.
#' @param schema Optional schema of the SSD tables.
#' @inheritParams read_cin_census_xml
#' @return A `cin_assessments` object, as [read_cin_census_xml()].
#' @family CIN data
#' @name read_cin_sector
#' @examples
#' # The Data to Insight tables, built here from a synthetic return
#' ep <- data.frame(LAchildID = c("C1", "C2"), CINdetailsID = 1,
#'                  CINreferralDate = c("2023-05-01", "2023-06-01"),
#'                  ReferralSource = c("6", "2A"), ReasonForClosure = c("RC8", NA))
#' as <- data.frame(LAchildID = c("C1", "C1", "C2"), CINdetailsID = 1,
#'                  AssessmentActualStartDate = c("2023-05-02", "2023-05-02", "2023-06-02"),
#'                  AssessmentAuthorisationDate = c("2023-05-20", "2023-05-20", "2023-06-20"),
#'                  AssessmentFactors = c("3B", "4B", "16A"))
#' a <- read_cin_d2i(list(CINdetails = ep, Assessments = as), la = "314")
#' a$assessments[, c("referral_source", "threshold")]
NULL

#' @rdname read_cin_sector
#' @export
read_cin_d2i <- function(tables, la = NULL, on_unknown = c("error", "drop"), legacy = TRUE,
                         hash_ids = FALSE, salt = getOption("cscdemand.salt"), verbose = FALSE,
                         implausible_dates = c("keep", "drop", "stop")) {
  on_unknown <- rlang::arg_match(on_unknown)
  implausible_dates <- cin_date_policy(implausible_dates)
  salt <- cin_check_salt(hash_ids, salt)
  if (!is.null(la)) cin_check_la(la)
  tb <- cin_d2i_read(tables)
  la <- cin_d2i_la(la, tb$header)
  as <- cin_d2i_assessments(tb)
  pp <- cin_d2i_pp(tb$preproceedings)
  tb$preproceedings <- pp$data
  ct <- cin_tables_from_frames(
    cindetails = tb$cindetails, assessments = as$data,
    children = tb$childidentifiers, characteristics = tb$childcharacteristics,
    disabilities = tb$disabilities, s47 = tb$section47, cpp = tb$childprotectionplans,
    cinp = tb$cinplandates, reviews = tb$reviews, pp = tb$preproceedings, la = la,
    source = "Data to Insight tables")
  a <- cin_census_build(list(ct), on_unknown = on_unknown, legacy = legacy, salt = salt,
                        source = "Data to Insight CIN validator tables", verbose = verbose,
                        implausible_dates = implausible_dates)
  given <- attr(tb, "given")
  unread <- given[!cin_key(given) %in% cin_d2i_tables_read()]
  more <- cin_audit_bind(cin_audit_bind(as$audit, pp$audit), cin_sector_unplaced(list(ct)))
  if (length(unread)) {
    more <- cin_audit_add(more, "read", "tables present but not read", length(unread),
                          paste(unread, collapse = ", "), unit = "tables")
  }
  cin_sector_note(a, more)
}

#' @rdname read_cin_sector
#' @export
read_cin_liia <- function(x, la = NULL, on_unknown = c("error", "drop"), legacy = TRUE,
                          hash_ids = FALSE, salt = getOption("cscdemand.salt"), verbose = FALSE,
                          implausible_dates = c("keep", "drop", "stop")) {
  on_unknown <- rlang::arg_match(on_unknown)
  implausible_dates <- cin_date_policy(implausible_dates)
  salt <- cin_check_salt(hash_ids, salt)
  d <- cin_sector_frame(x, "x", cin_liia_columns(),
                        alias = c(Disability = "Disabilities", AssessmentFactors = "Factors"))
  need <- c("LAchildID", "CINreferralDate", "Factors")
  miss <- setdiff(need, names(d))
  if (length(miss)) {
    abort_input(c("The LIIA event log has no column{?s} {.field {miss}}.",
                  x = "The file has columns {.field {names(d)}}.",
                  i = "Give the CIN flat file made by the LIIA tools (one row per event)."),
                class = "cscdemand_error_columns")
  }
  if (!is.null(la)) cin_check_la(la)
  if (is.null(la)) la <- if ("LA" %in% names(d)) d$LA else NA_character_
  la_v <- rep_len(la, nrow(d))
  if (anyNA(la_v)) {
    abort_input(c("The council is not known for {sum(is.na(la_v))} row{?s}.",
                  x = if ("LA" %in% names(d)) "{rows_label(which(is.na(la_v)))} of the file {cli::qty(sum(is.na(la_v)))}{?has/have} an empty {.field LA}." else
                    "You supplied no {.arg la}, and the file has no {.field LA} column.",
                  i = "Give {.arg la} (the council's LA number or code), or fill the {.field LA} column."),
                class = "cscdemand_error_missing")
  }
  more <- cin_sector_unused(names(d), cin_liia_used(), "LIIA CIN log")
  typ <- if ("Type" %in% names(d)) d$Type else NA_character_
  odd <- !is.na(typ) & !typ %in% cin_liia_types()
  if (any(odd) && any(typ %in% cin_liia_types())) {
    more <- cin_audit_add(more, "read", "log rows of an event type not known: not read", sum(odd),
                          paste0("types ", paste0("\"", utils::head(unique(typ[odd]), 10), "\"",
                                                  collapse = ", "),
                                 "; rows ", format_rows(which(odd), 10L)))
    d <- d[!odd, , drop = FALSE]
    la_v <- la_v[!odd]
  }
  d$CINdetailsID <- paste(la_v, d$LAchildID, d$CINreferralDate, sep = "\r")
  out <- lapply(split(seq_len(nrow(d)), la_v), function(r) {
    cin_liia_tables(d[r, , drop = FALSE], la_v[r][1])
  })
  for (i in seq_along(out)) out[[i]]$file <- i
  a <- cin_census_build(out, on_unknown = on_unknown, legacy = legacy, salt = salt,
                        source = "LIIA CIN event log", verbose = verbose,
                        implausible_dates = implausible_dates)
  n_as <- sum(vapply(out, function(t) nrow(t$assessments), integer(1)))
  more <- cin_audit_add(more, "read", "LIIA log rows read as assessments", n_as,
                        "one per assessment: its start and authorisation events are one assessment")
  cin_sector_note(a, more)
}

#' @rdname read_cin_sector
#' @export
read_cin_ssd <- function(con, la, schema = NULL, on_unknown = c("error", "drop"), legacy = TRUE,
                         hash_ids = FALSE, salt = getOption("cscdemand.salt"), verbose = FALSE,
                         implausible_dates = c("keep", "drop", "stop")) {
  rlang::check_installed("DBI", reason = "to read the Standard Safeguarding Dataset.")
  on_unknown <- rlang::arg_match(on_unknown)
  implausible_dates <- cin_date_policy(implausible_dates)
  salt <- cin_check_salt(hash_ids, salt)
  cin_check_la(la)
  tabs <- tolower(DBI::dbListTables(con))
  get <- function(t, cols) {
    if (!t %in% tabs) return(NULL)
    nm <- if (is.null(schema)) DBI::dbQuoteIdentifier(con, t) else
      DBI::dbQuoteIdentifier(con, DBI::Id(schema = schema, table = t))
    have <- tolower(DBI::dbListFields(con, if (is.null(schema)) t else DBI::Id(schema = schema, table = t)))
    cols <- intersect(cols, have)
    q <- paste0("SELECT ", paste(DBI::dbQuoteIdentifier(con, cols), collapse = ", "), " FROM ", nm)
    cin_chr_frame(DBI::dbGetQuery(con, q))
  }
  for (t in c("ssd_cin_assessments", "ssd_assessment_factors")) {
    if (!t %in% tabs) {
      abort_input(c("The database has no table {.field {t}}.",
                    x = if (length(tabs)) "The database has {.field {utils::head(tabs, 12)}}{if (length(tabs) > 12) ' and more' else ''}." else "The database has no tables.",
                    i = "Connect to the database holding the Standard Safeguarding Dataset (or give {.arg schema})."),
                  class = "cscdemand_error_columns")
    }
  }
  as <- get("ssd_cin_assessments", c("cina_assessment_id", "cina_person_id", "cina_referral_id",
                                     "cina_assessment_start_date", "cina_assessment_auth_date"))
  fa <- get("ssd_assessment_factors", c("cinf_assessment_id", "cinf_assessment_factors_json"))
  codes <- cin_json_codes(fa$cinf_assessment_factors_json)
  fl <- data.frame(cinf_assessment_id = rep(fa$cinf_assessment_id, pmax(1L, lengths(codes))),
                   AssessmentFactors = unlist(lapply(codes, function(z) if (length(z)) z else NA_character_)),
                   stringsAsFactors = FALSE)
  long <- merge(as, fl, by.x = "cina_assessment_id", by.y = "cinf_assessment_id", all.x = TRUE,
                sort = FALSE)
  names(long)[match(c("cina_person_id", "cina_referral_id", "cina_assessment_start_date",
                      "cina_assessment_auth_date"), names(long))] <-
    c("LAchildID", "CINdetailsID", "AssessmentActualStartDate", "AssessmentAuthorisationDate")
  ep <- get("ssd_cin_episodes", c("cine_referral_id", "cine_person_id", "cine_referral_date",
                                  "cine_cin_primary_need_code", "cine_referral_source_code",
                                  "cine_referral_nfa", "cine_close_reason", "cine_close_date"))
  if (is.null(ep)) {
    d <- data.frame(la = la, child_id = long$LAchildID, episode_id = long$CINdetailsID,
                    assessment_id = long$cina_assessment_id,
                    assessment_date = substr(long$AssessmentAuthorisationDate, 1, 10),
                    factor = long$AssessmentFactors, stringsAsFactors = FALSE)
    if (!is.null(salt)) d$child_id <- cin_hash_ids(d$child_id, salt)
    # the reader's table builder (read_cin_assessments() dispatches here)
    return(cin_assessments_from_table(cin_read_table(d), layout = "long", columns = NULL,
                                      la = "la", on_unknown = on_unknown, legacy = legacy,
                                      date_format = NULL, verbose = FALSE,
                                      implausible_dates = implausible_dates))
  }
  ren <- cin_ssd_rename
  ep <- ren(ep, c("cine_referral_id", "cine_person_id", "cine_referral_date",
                  "cine_cin_primary_need_code", "cine_referral_source_code", "cine_referral_nfa",
                  "cine_close_reason", "cine_close_date"),
            c("CINdetailsID", "LAchildID", "CINreferralDate", "PrimaryNeedCode", "ReferralSource",
              "ReferralNFA", "ReasonForClosure", "CINclosureDate"))
  pe <- ren(get("ssd_person", c("pers_person_id", "pers_dob", "pers_sex", "pers_ethnicity")),
            c("pers_person_id", "pers_dob", "pers_sex", "pers_ethnicity"),
            c("LAchildID", "PersonBirthDate", "Sex", "Ethnicity"))
  di <- ren(get("ssd_disability", c("disa_person_id", "disa_disability_code")),
            c("disa_person_id", "disa_disability_code"), c("LAchildID", "Disability"))
  pt <- cin_ssd_parts(get)
  ct <- cin_tables_from_frames(cindetails = ep, assessments = long, children = pe,
                               characteristics = pe, disabilities = di, s47 = pt$s47, cpp = pt$cpp,
                               cinp = pt$cinp, reviews = pt$reviews, la = la, source = "SSD")
  a <- cin_census_build(list(ct), on_unknown = on_unknown, legacy = legacy, salt = salt,
                        source = "Standard Safeguarding Dataset", verbose = verbose,
                        implausible_dates = implausible_dates)
  cin_sector_note(a, cin_sector_unplaced(list(ct)))
}

# The SSD's columns renamed to the return's (NULL stays NULL).
cin_ssd_rename <- function(d, from, to) {
  if (is.null(d)) return(NULL)
  i <- match(from, names(d))
  names(d)[i[!is.na(i)]] <- to[!is.na(i)]
  d
}

# The parts of an SSD episode, named as the return names them: section 47
# enquiries and conferences, child protection plans with their review dates
# (ssd_cp_reviews, by plan id), CIN plans. `get(table, columns)` reads a table.
cin_ssd_parts <- function(get) {
  ren <- cin_ssd_rename
  s47 <- cin_rbind_fill(
    ren(get("ssd_s47_enquiry", c("s47e_referral_id", "s47e_person_id", "s47e_s47_start_date")),
        c("s47e_referral_id", "s47e_person_id", "s47e_s47_start_date"),
        c("CINdetailsID", "LAchildID", "S47ActualStartDate")),
    ren(get("ssd_initial_cp_conference", c("icpc_referral_id", "icpc_person_id", "icpc_icpc_date")),
        c("icpc_referral_id", "icpc_person_id", "icpc_icpc_date"),
        c("CINdetailsID", "LAchildID", "DateOfInitialCPC")))
  cpp_from <- c("cppl_referral_id", "cppl_person_id", "cppl_cp_plan_id", "cppl_cp_plan_start_date",
                "cppl_cp_plan_end_date", "cppl_cp_plan_initial_category",
                "cppl_cp_plan_latest_category")
  cpp <- ren(get("ssd_cp_plans", cpp_from), cpp_from,
             c("CINdetailsID", "LAchildID", "CPPID", "CPPstartDate", "CPPendDate",
               "InitialCategoryOfAbuse", "LatestCategoryOfAbuse"))
  # review dates of each plan (ssd_cp_reviews, by plan id)
  rv <- ren(get("ssd_cp_reviews", c("cppr_cp_plan_id", "cppr_cp_review_date")),
            c("cppr_cp_plan_id", "cppr_cp_review_date"), c("CPPID", "CPPreviewDate"))
  if (!is.null(rv) && !is.null(cpp) && "CPPID" %in% names(cpp)) {
    at <- match(rv$CPPID, cpp$CPPID)
    rv$LAchildID <- cpp$LAchildID[at]
    rv$CINdetailsID <- cpp$CINdetailsID[at]
  }
  cinp_from <- c("cinp_referral_id", "cinp_person_id", "cinp_cin_plan_start_date",
                 "cinp_cin_plan_end_date")
  cinp <- ren(get("ssd_cin_plans", cinp_from), cinp_from,
              c("CINdetailsID", "LAchildID", "CINPlanStartDate", "CINPlanEndDate"))
  list(s47 = s47, cpp = cpp, reviews = rv, cinp = cinp)
}

# ---------------------------------------------------------------------------
# Helpers

cin_check_la <- function(la, call = rlang::caller_env()) {
  check_string(la, what = "the council (LA number or code, as text)", arg = "la", call = call)
}

cin_rbind_fill <- function(a, b) {
  if (is.null(a)) return(b)
  if (is.null(b)) return(a)
  cols <- union(names(a), names(b))
  for (cl in setdiff(cols, names(a))) a[[cl]] <- NA_character_
  for (cl in setdiff(cols, names(b))) b[[cl]] <- NA_character_
  rbind(a[cols], b[cols])
}

# One council's part of the LIIA log as census tables. Each assessment is
# two events (start, authorisation) carrying the same fields; an episode's
# fields are read from its referral event (an S47 event carries the
# enquiry's own DateOfInitialCPC). A log without Type (such as the factors
# file) is one row per assessment.
cin_liia_tables <- function(dd, la) {
  typ <- if ("Type" %in% names(dd)) dd$Type else rep(NA_character_, nrow(dd))
  has_types <- any(typ %in% cin_liia_types())
  ev <- function(type) !is.na(typ) & typ == type
  col <- function(nm) if (nm %in% names(dd)) dd[[nm]] else rep(NA_character_, nrow(dd))
  o <- order(!ev("CINreferralDate"), seq_len(nrow(dd)))
  eps <- dd[o, , drop = FALSE][!duplicated(dd$CINdetailsID[o]), , drop = FALSE]
  starts <- c("AssessmentActualStartDate", "AssessmentAuthorisationDate")
  is_as <- if (has_types) typ %in% starts else
    !is.na(dd$Factors) | !is.na(col("AssessmentAuthorisationDate"))
  g <- paste(dd$CINdetailsID, col(starts[1]), col(starts[2]), dd$Factors, sep = "\r")[is_as]
  ug <- unique(g)
  f <- match(g, ug)
  # the same assessment in several collection years (YEAR) is one
  yk <- paste(f, col("YEAR")[is_as], sep = "\r")
  uy <- unique(yk)
  fy <- match(yk, uy)
  n_y <- if (has_types) pmax(tabulate(fy[typ[is_as] == starts[1]], length(uy)),
                             tabulate(fy[typ[is_as] == starts[2]], length(uy))) else
    tabulate(fy, length(uy))
  n_g <- as.vector(tapply(n_y, f[match(seq_along(uy), fy)], max))
  asr <- dd[is_as, , drop = FALSE][match(seq_along(ug), f), , drop = FALSE]
  asr <- asr[rep(seq_along(ug), n_g), , drop = FALSE]
  asr$AssessmentID <- seq_len(nrow(asr))
  fac <- strsplit(ifelse(is.na(asr$Factors), "", asr$Factors), ",", fixed = TRUE)
  fac <- lapply(fac, function(z) trimws(z[nzchar(trimws(z))]))
  long <- asr[rep(seq_len(nrow(asr)), pmax(1L, lengths(fac))), , drop = FALSE]
  long$AssessmentFactors <- unlist(lapply(fac, function(z) if (length(z)) z else NA_character_))
  evt <- function(type) {
    if (has_types) {
      e <- dd[ev(type), , drop = FALSE]
      if ("Date" %in% names(e)) e[[type]] <- ifelse(is.na(e$Date), col(type)[ev(type)], e$Date)
    } else {
      e <- dd[!is.na(col(type)), , drop = FALSE]
      e <- e[!duplicated(paste(e$CINdetailsID, e[[type]])), , drop = FALSE]
    }
    if (nrow(e)) e
  }
  ch <- dd[!duplicated(dd$LAchildID), , drop = FALSE]
  dis <- strsplit(ifelse(is.na(col("Disabilities")), "", col("Disabilities")), ",", fixed = TRUE)
  dis <- lapply(dis[!duplicated(dd$LAchildID)], function(z) trimws(z[nzchar(trimws(z))]))
  dis_t <- data.frame(LAchildID = rep(ch$LAchildID, lengths(dis)),
                      Disability = unlist(dis, use.names = FALSE), stringsAsFactors = FALSE)
  cin_tables_from_frames(
    cindetails = eps, assessments = long, children = ch, characteristics = ch,
    disabilities = dis_t,
    s47 = cin_rbind_fill(evt("S47ActualStartDate"), if (has_types) evt("DateOfInitialCPC")),
    cpp = evt("CPPstartDate"), cinp = evt("CINPlanStartDate"), la = la, source = "LIIA event log")
}

# Census tables (as cin_xml_tables() makes) from data frames keyed by
# LAchildID and an episode id (CINdetailsID).
cin_tables_from_frames <- function(cindetails, assessments, children = NULL,
                                   characteristics = NULL, disabilities = NULL, s47 = NULL,
                                   cpp = NULL, cinp = NULL, reviews = NULL, pp = NULL, la,
                                   source) {
  col <- function(d, nm) if (!is.null(d) && nm %in% names(d)) d[[nm]] else rep(NA_character_, NROW(d))
  ids <- unique(c(col(children, "LAchildID"), col(cindetails, "LAchildID")))
  ids <- ids[!is.na(ids)]
  ch <- data.frame(file = rep(1L, length(ids)), child = seq_along(ids), child_id = ids, stringsAsFactors = FALSE)
  ci <- match(ids, col(children, "LAchildID"))
  ch$birth_raw <- col(children, "PersonBirthDate")[ci]
  ch$birth_raw <- substr(ch$birth_raw, 1, 10)
  ch$expected_raw <- substr(col(children, "ExpectedPersonBirthDate")[ci], 1, 10)
  ch$gender_raw <- col(children, "GenderCurrent")[ci]
  ch$sex_raw <- col(children, "Sex")[ci]
  ch$ethnicity_raw <- col(characteristics, "Ethnicity")[match(ids, col(characteristics, "LAchildID"))]
  dis <- rep(NA_integer_, length(ids))
  if (!is.null(disabilities) && nrow(disabilities)) {
    own <- match(col(disabilities, "LAchildID"), ids)
    real <- !toupper(col(disabilities, "Disability")) %in% c("NONE", NA)
    dis[unique(stats::na.omit(own))] <- 0L
    dis[unique(stats::na.omit(own[real]))] <- 1L
  }
  ch$disability_raw <- dis
  ekey <- paste(col(cindetails, "LAchildID"), col(cindetails, "CINdetailsID"), sep = "\r")
  d10 <- function(v) substr(v, 1, 10)
  ep <- data.frame(child = match(col(cindetails, "LAchildID"), ids),
                   referral_raw = d10(col(cindetails, "CINreferralDate")),
                   source_raw = col(cindetails, "ReferralSource"),
                   need_raw = col(cindetails, "PrimaryNeedCode"),
                   closure_date_raw = d10(col(cindetails, "CINclosureDate")),
                   closure_raw = col(cindetails, "ReasonForClosure"),
                   nfa_raw = col(cindetails, "ReferralNFA"),
                   icpc_raw = d10(col(cindetails, "DateOfInitialCPC")), stringsAsFactors = FALSE)
  ok <- !is.na(ep$child)
  lost <- c(episodes = sum(!ok), assessments = 0, s47 = 0, cpp = 0, cinp = 0, pp = 0)
  ep <- ep[ok, , drop = FALSE]
  ekey <- ekey[ok]
  ep$ep_pos <- sequence(tabulate(ep$child, length(ids)))
  of_ep <- function(d) match(paste(col(d, "LAchildID"), col(d, "CINdetailsID"), sep = "\r"), ekey)
  a_ep <- of_ep(assessments)
  lost[["assessments"]] <- sum(is.na(a_ep))
  st <- d10(col(assessments, "AssessmentActualStartDate"))
  au <- d10(col(assessments, "AssessmentAuthorisationDate"))
  aid <- col(assessments, "AssessmentID")
  if (all(is.na(aid))) aid <- col(assessments, "cina_assessment_id")
  akey <- paste(a_ep, st, au, aid, sep = "\r")
  first <- !duplicated(akey) & !is.na(a_ep)
  as <- data.frame(episode = a_ep[first], start_raw = st[first], auth_raw = au[first],
                   review_raw = d10(col(assessments, "AssessmentInternalReviewDate"))[first],
                   stringsAsFactors = FALSE)
  o <- order(as$episode, as$start_raw, method = "radix")
  as <- as[o, , drop = FALSE]
  as$as_pos <- sequence(tabulate(as$episode, nrow(ep)))
  a_of <- match(akey, akey[first][o])
  fv <- col(assessments, "AssessmentFactors")
  keep_f <- !is.na(a_of) & !is.na(fv)
  fa <- data.frame(assessment = a_of[keep_f], value = trimws(fv[keep_f]), stringsAsFactors = FALSE)
  sub_tab <- function(d, start, extra = list(), what) {
    if (is.null(d) || !nrow(d)) {
      return(as.data.frame(c(list(episode = integer(), start_raw = character()),
                             lapply(extra, function(e) character())), stringsAsFactors = FALSE))
    }
    e <- of_ep(d)
    out <- data.frame(episode = e, start_raw = d10(col(d, start)), stringsAsFactors = FALSE)
    for (nm in names(extra)) out[[nm]] <- col(d, extra[[nm]])
    lost[[what]] <<- sum(is.na(e))
    out[!is.na(e), , drop = FALSE]
  }
  # the same fields as the XML's parts (cin_xml_parts()), dates cut to the day
  s47t <- sub_tab(s47, "S47ActualStartDate", list(icpc_raw = "DateOfInitialCPC",
                                                  target_raw = "InitialCPCtarget",
                                                  not_required_raw = "ICPCnotRequired"), "s47")
  cppt <- sub_tab(cpp, "CPPstartDate", list(initial_cat = "InitialCategoryOfAbuse",
                                            latest_cat = "LatestCategoryOfAbuse",
                                            end_raw = "CPPendDate",
                                            previous_raw = "NumberOfPreviousCPP"), "cpp")
  cppt$reviews <- cin_frames_plan_reviews(cpp, reviews, col)[!is.na(of_ep(cpp))]
  cinpt <- sub_tab(cinp, "CINPlanStartDate", list(end_raw = "CINPlanEndDate"), "cinp")
  ppf <- cin_xml_pp_fields()
  ppt <- sub_tab(pp, ppf[["start_raw"]], as.list(ppf[names(ppf) != "start_raw"]), "pp")
  for (nm in c("icpc_raw", "target_raw")) s47t[[nm]] <- d10(s47t[[nm]])
  cppt$end_raw <- d10(cppt$end_raw)
  cinpt$end_raw <- d10(cinpt$end_raw)
  for (nm in grep("^(letter|meeting|step|court|letter_cp)_raw$", names(ppt), value = TRUE)) {
    ppt[[nm]] <- d10(ppt[[nm]])
  }
  # rows that cannot be placed (no child, no episode) are counted, not lost
  list(file = 1L, path = source, header = list(lea = la, year = NA_character_,
                                               pp_module = nrow(ppt) > 0L),
       children = ch, episodes = ep, assessments = as, factors = fa, s47 = s47t,
       cpp = cppt, cinp = cinpt, pp = ppt, unplaced = lost)
}

# The number of review dates of each plan: the validator's Reviews table
# keys them by LAchildID, CINdetailsID and CPPID. Without the table (or the
# plan ids) the count is not known (NA), never 0.
cin_frames_plan_reviews <- function(cpp, reviews, col) {
  n <- NROW(cpp)
  if (is.null(reviews) || !n || !"CPPID" %in% names(cpp) || !"CPPID" %in% names(reviews)) {
    return(rep(NA_integer_, n))
  }
  key <- function(d) paste(col(d, "LAchildID"), col(d, "CINdetailsID"), col(d, "CPPID"), sep = "\r")
  dated <- !is.na(col(reviews, "CPPreviewDate")) & nzchar(trimws(col(reviews, "CPPreviewDate")))
  tabulate(match(key(reviews)[dated], key(cpp)), n)
}
