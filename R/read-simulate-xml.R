#' Write synthetic CIN census XML returns
#'
#' Writes the output of [simulate_cin()] (any layout) as Children in Need
#' census XML returns, with the element names and order of the DfE schema:
#' one file per council and census year (`by = "return"`, as councils send
#' them), or one file per council holding every year (`by = "council"`). In
#' returns by year, an episode open at the start of a year is written again
#' in that year's return (as in real returns), without its closure when that
#' happens after the return's reference date, so reading several returns
#' exercises the merging of repeated episodes. The last year's return holds
#' everything simulated. `GenderCurrent` (1/2/0) is written up to 2023-24 and
#' `Sex` (M/F/U) from 2024-25. Plan end dates, conference targets (15
#' working days after the section 47 start), previous and reviewed child
#' protection plans and internal reviews of assessments are written as the
#' simulator made them (an end or review after a return's reference date
#' only in a later return), and the pre-proceedings and FGDM module in
#' returns from 2026-27.
#'
#' The data are synthetic; never write real children's records with this.
#'
#' @param data A data frame from [simulate_cin()].
#' @param dir Folder to write to (created if needed).
#' @param by `"return"` (default) or `"council"`.
#' @param namespace Write the DfE namespace on `<Message>` (default `FALSE`;
#'   both forms are read).
#' @return The paths written, invisibly.
#' @family CIN data
#' @export
#' @examples
#' d <- simulate_cin(years = 2023:2024, n_episodes = 300, seed = 1)
#' paths <- write_cin_census_xml(d, tempfile("cin"))
#' basename(paths)
#' a <- read_cin_assessments(paths)
#' audit(a)
write_cin_census_xml <- function(data, dir, by = c("return", "council"), namespace = FALSE) {
  by <- rlang::arg_match(by)
  check_flag(namespace)
  need <- c("la", "child_id", "episode_id", "assessment_id", "referral_date", "assessment_date",
            "year", "gender", "ethnicity", "referral_source_code", "primary_need_code",
            "birth_date", "closure_date", "closure_reason_code", "s47_date", "icpc_date",
            "cpp_start", "cp_category_code", "cin_plan_start", "disability")
  if (!is.data.frame(data)) {
    abort_input(c("{.arg data} must be the output of {.fn simulate_cin}.",
                  x = "You supplied {.obj_type_friendly {data}}.",
                  i = "Build it with {.code simulate_cin(layout = \"long\")}."))
  }
  miss <- setdiff(need, names(data))
  if (length(miss)) {
    abort_input(c("{.arg data} must be the output of {.fn simulate_cin}.",
                  x = "You supplied a data frame without column{?s} {.field {miss}}.",
                  i = "Build it with {.code simulate_cin(layout = \"long\")}; the writer needs its episode and child fields."))
  }
  check_string(dir, what = "one folder path")
  dir.create(dir, recursive = TRUE, showWarnings = FALSE)
  as <- cin_write_assessments(data)
  ep <- as[!duplicated(as$episode_id), , drop = FALSE]
  paths <- character()
  for (la in unique(ep$la)) {
    e_la <- ep[ep$la == la, , drop = FALSE]
    years <- sort(unique(e_la$year))
    sets <- if (by == "council") list(max(years)) else as.list(years)
    for (y in sets) {
      inc <- if (by == "council") rep(TRUE, nrow(e_la)) else {
        e_la$year == y | (e_la$year < y & (is.na(e_la$closure_date) |
                                             e_la$closure_date >= as.Date(sprintf("%d-04-01", y - 1L))))
      }
      eps <- e_la[inc, , drop = FALSE]
      last <- by == "council" || y == max(years)
      ref_date <- as.Date(sprintf("%d-03-31", y))
      f <- file.path(dir, if (by == "council") sprintf("cin_%s.xml", la) else sprintf("cin_%s_%d.xml", la, y))
      cin_write_return(f, eps, as[as$episode_id %in% eps$episode_id, , drop = FALSE],
                       la = la, year = y, ref_date = ref_date, complete = last,
                       namespace = namespace)
      paths <- c(paths, f)
    }
  }
  invisible(paths)
}

# One row per assessment with its codes joined by commas, sorted by council,
# child, referral date and assessment date.
cin_write_assessments <- function(data) {
  if ("factors" %in% names(data)) {
    codes <- data$factors
    a <- data
  } else if ("factor" %in% names(data)) {
    first <- !duplicated(data$assessment_id)
    j <- vapply(split(data$factor, factor(data$assessment_id, levels = unique(data$assessment_id))),
                paste, "", collapse = ",")
    a <- data[first, , drop = FALSE]
    codes <- unname(j[a$assessment_id])
  } else {
    cc <- intersect(cin_codes_all(), names(data))
    M <- as.matrix(data[cc]) == 1L
    codes <- apply(M, 1L, function(r) paste(cc[r], collapse = ","))
    a <- data
  }
  a$codes <- codes
  a$la_code <- cin_write_lea(a$la)
  o <- order(a$la, a$child_id, a$referral_date, a$episode_id, a$assessment_date)
  a <- a[o, , drop = FALSE]
  rownames(a) <- NULL
  a
}

# Three-digit LA numbers for the LEA element (old codes of simulated councils).
cin_write_lea <- function(la) {
  co <- cin_sim_councils()
  old <- co$old_la_code[match(la, co$la_code)]
  ifelse(is.na(old), la, old)
}

cin_xml_el <- function(tag, v) {
  v <- as.character(v)
  ifelse(is.na(v) | !nzchar(v), "", paste0("<", tag, ">", v, "</", tag, ">"))
}

cin_write_return <- function(path, eps, as, la, year, ref_date, complete, namespace) {
  fmt <- function(d) format(d, "%Y-%m-%d")
  el <- cin_xml_el
  e <- match(as$episode_id, eps$episode_id)
  n <- nrow(as)
  first_ep <- !duplicated(e)
  last_ep <- !duplicated(e, fromLast = TRUE)
  ckey <- paste(as$child_id)
  first_ch <- !duplicated(ckey)
  last_ch <- !duplicated(ckey, fromLast = TRUE)
  g <- as$gender[first_ch]
  gender_el <- if (year <= 2024) {
    el("GenderCurrent", c(Male = "1", Female = "2", Unknown = "0")[g])
  } else {
    el("Sex", c(Male = "M", Female = "F", Unknown = "U")[g])
  }
  dis <- ifelse(as$disability[first_ch] == 1L, "AUT", "NONE")
  child_head <- character(n)
  child_head[first_ch] <- paste0(
    "<Child><ChildIdentifiers>", el("LAchildID", as$child_id[first_ch]),
    "<UPNunknown>UN1</UPNunknown>", el("PersonBirthDate", fmt(as$birth_date[first_ch])),
    gender_el, "</ChildIdentifiers><ChildCharacteristics>",
    el("Ethnicity", as$ethnicity[first_ch]), "<Disabilities>", el("Disability", dis),
    "</Disabilities></ChildCharacteristics>\n")
  # closure only if it happened by the reference date (or in the last return)
  shown <- complete | (!is.na(eps$closure_date) & eps$closure_date <= ref_date)
  close_d <- ifelse(shown, fmt(eps$closure_date), NA)
  close_r <- ifelse(shown, eps$closure_reason_code, NA)
  # a date after the reference date is not yet known in that year's return
  known <- function(d) {
    d <- as_date(d %||% rep(NA_real_, nrow(eps)))
    if (!complete) d[!is.na(d) & d > ref_date] <- NA
    d
  }
  ep_head <- paste0(
    "<CINdetails>", el("CINreferralDate", fmt(eps$referral_date)),
    el("ReferralSource", eps$referral_source_code), el("PrimaryNeedCode", eps$primary_need_code),
    el("CINclosureDate", close_d), el("ReasonForClosure", close_r),
    el("DateOfInitialCPC", fmt(eps$icpc_date)), "<ReferralNFA>false</ReferralNFA>",
    ifelse(is.na(eps$cin_plan_start), "",
           paste0("<CINPlanDates>", el("CINPlanStartDate", fmt(eps$cin_plan_start)),
                  el("CINPlanEndDate", fmt(known(eps$cin_plan_end))), "</CINPlanDates>")),
    "\n")
  not_req <- eps$icpc_not_required %||% as.integer(is.na(eps$icpc_date))
  s47 <- ifelse(is.na(eps$s47_date), "", paste0(
    "<Section47>", el("S47ActualStartDate", fmt(eps$s47_date)),
    el("InitialCPCtarget", fmt(cin_add_working_days(eps$s47_date, 15))),
    el("DateOfInitialCPC", fmt(eps$icpc_date)),
    "<ICPCnotRequired>", ifelse(not_req %in% 1L, "true", "false"), "</ICPCnotRequired>",
    "</Section47>"))
  cpp_end <- known(eps$cpp_end)
  reviews <- vapply(seq_len(nrow(eps)), function(i) {
    r <- cin_sim_review_dates(eps$cpp_start[i], if (is.na(cpp_end[i])) ref_date else cpp_end[i])
    if (!length(r)) "" else paste0("<Reviews>", paste0(el("CPPreviewDate", fmt(r)), collapse = ""),
                                   "</Reviews>")
  }, "")
  cpp <- ifelse(is.na(eps$cpp_start), "", paste0(
    "<ChildProtectionPlans>", el("CPPstartDate", fmt(eps$cpp_start)),
    el("CPPendDate", fmt(cpp_end)),
    el("InitialCategoryOfAbuse", eps$cp_category_code),
    el("LatestCategoryOfAbuse", eps$cp_category_code),
    el("NumberOfPreviousCPP", eps$previous_cpp %||% rep(0L, nrow(eps))), reviews,
    "</ChildProtectionPlans>"))
  pp <- if (year >= 2027L) cin_write_pp(eps) else ""
  ep_tail <- paste0(s47, cpp, pp, "</CINdetails>\n")
  start <- pmax(as$referral_date, as$assessment_date - 3)
  fx <- ifelse(is.na(as$codes) | !nzchar(as$codes), "<FactorsIdentifiedAtAssessment/>",
               paste0("<FactorsIdentifiedAtAssessment><AssessmentFactors>",
                      gsub(",", "</AssessmentFactors><AssessmentFactors>", as$codes, fixed = TRUE),
                      "</AssessmentFactors></FactorsIdentifiedAtAssessment>"))
  review <- as_date(as$assessment_review_date %||% rep(NA_real_, n))
  if (!complete) review[!is.na(review) & review > ref_date] <- NA
  ass <- paste0("<Assessments>", el("AssessmentActualStartDate", fmt(start)),
                el("AssessmentInternalReviewDate", fmt(review)),
                el("AssessmentAuthorisationDate", fmt(as$assessment_date)), fx, "</Assessments>\n")
  lines <- paste0(child_head, ifelse(first_ep, ep_head[e], ""), ass,
                  ifelse(last_ep, ep_tail[e], ""), ifelse(last_ch, "</Child>\n", ""))
  ns <- if (namespace) " xmlns=\"http://www.dcsf.gov.uk/schemas/cbds\"" else ""
  header <- paste0(
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Message", ns, ">\n<Header>",
    "<CollectionDetails><Collection>CIN</Collection><Year>", year, "</Year><ReferenceDate>",
    fmt(ref_date), "</ReferenceDate></CollectionDetails><Source><SourceLevel>L</SourceLevel><LEA>",
    as$la_code[1], "</LEA><SoftwareCode>cscdemand synthetic</SoftwareCode><Release>1</Release>",
    "<SerialNo>1</SerialNo><DateTime>", fmt(ref_date), "T00:00:00</DateTime></Source></Header>\n<Children>\n")
  con <- file(path, "wb")
  on.exit(close(con))
  writeChar(header, con, eos = NULL)
  writeChar(paste(lines, collapse = ""), con, eos = NULL)
  writeChar("</Children>\n</Message>\n", con, eos = NULL)
  invisible(path)
}

# The pre-proceedings and FGDM block of each episode (returns from 2026-27).
cin_write_pp <- function(eps) {
  if (is.null(eps$pp_start)) return(rep("", nrow(eps)))
  fmt <- function(d) format(d, "%Y-%m-%d")
  el <- cin_xml_el
  ifelse(is.na(eps$pp_start), "", paste0(
    "<PreProceedingsandFGDM>", el("PPStartDate", fmt(eps$pp_start)),
    el("LBPSentDate", fmt(eps$pp_letter_date)), el("FGDMMeetingOffer", eps$fgdm_offer),
    el("FGDMMeetingFac", eps$fgdm_fac), el("InitialPPMeetingDate", fmt(eps$pp_meeting_date)),
    el("ReviewMeetingsCount", eps$pp_review_meetings), el("StepDecisionDate", fmt(eps$pp_step_date)),
    el("PPOutcome", eps$pp_outcome_code), el("CourtAppDate", fmt(eps$court_app_date)),
    el("LetterInitCPDate", fmt(eps$letter_cp_date)), "</PreProceedingsandFGDM>"))
}
