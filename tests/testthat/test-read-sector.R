# The return's plan, conference and review fields (issue 24's new fields)
# give the simulated truth on every route, as from the XML.
sector_plan_columns <- function() {
  c("cin_plan_days", "cp_plan_days", "previous_cp_plans", "repeat_cp_plan",
    "icpc_not_required", "assessment_reviewed")
}

expect_truth <- function(a, s, plans = sector_plan_columns()) {
  ep <- episode_factors(a, exclude = NULL, min_count = 0, no_factors = "keep", other_only = "keep")
  tr <- episode_factors(read_cin_assessments(s$d), exclude = NULL, min_count = 0,
                        no_factors = "keep", other_only = "keep")
  expect_equal(nrow(ep), nrow(tr))
  m <- match(paste(tr$child_id, tr$referral_date), paste(ep$child_id, ep$referral_date))
  expect_false(anyNA(m))
  fc <- factor_columns(tr)
  expect_equal(unname(as.matrix(ep[m, fc])), unname(as.matrix(tr[fc])))
  me <- match(paste(s$e$child_id, s$e$referral_date), paste(ep$child_id, ep$referral_date))
  for (cl in c("threshold", "cp_category", "rereferral", "nfa", "cin_plan", "s47", "icpc",
               "cp_plan", "age", "gender", "ethnic_group", "disability", "referral_source",
               "primary_need", "closure_reason", plans)) {
    expect_identical(as.character(ep[[cl]][me]), as.character(s$e[[cl]]), label = cl)
  }
}

test_that("Data to Insight validator tables give the simulated truth", {
  s <- sector_sim()
  tabs <- s[c("CINdetails", "Assessments", "ChildIdentifiers", "ChildCharacteristics",
              "Disabilities", "Section47", "ChildProtectionPlans", "CINplanDates")]
  tabs$Assessments$assessment_id <- NULL
  a <- read_cin_d2i(tabs, la = "314")
  expect_truth(a, s)
  # the same tables as CSV files in a folder
  dir <- withr::local_tempdir()
  for (nm in names(tabs)) utils::write.csv(tabs[[nm]], file.path(dir, paste0(nm, ".csv")),
                                           row.names = FALSE, na = "")
  b <- read_cin_d2i(dir, la = "314")
  expect_equal(b$factors, a$factors)
  expect_error(read_cin_d2i(tabs["CINdetails"], la = "314"), class = "cscdemand_error_columns")
  # review: every error says what was supplied and the fix, and no identifier
  ids <- unique(tabs$CINdetails$LAchildID)
  msgs <- list(
    expect_error(read_cin_d2i(tabs["CINdetails"], la = "314"), class = "cscdemand_error_columns"),
    expect_error(read_cin_d2i(unname(tabs), la = "314"), class = "cscdemand_error_input"),
    expect_error(read_cin_d2i(tabs, la = c("314", "315")), class = "cscdemand_error_input"),
    expect_error(read_cin_d2i(list(Assessments = file.path(dir, "none.csv"), CINdetails = tabs$CINdetails),
                              la = "314"), class = "cscdemand_error_file"))
  for (e in msgs) {
    m <- conditionMessage(e)
    expect_match(m, "You supplied|You gave", label = m)
    expect_true(any(names(e$body) == "i") || grepl("\\bi\\b", m), label = m)
    expect_false(any(vapply(ids, grepl, logical(1), x = m, fixed = TRUE)))
  }
  expect_match(conditionMessage(msgs[[1]]), "CINdetails", fixed = TRUE)
  expect_match(conditionMessage(msgs[[2]]), "unnamed list", fixed = TRUE)
  expect_match(conditionMessage(msgs[[3]]), "character vector", fixed = TRUE)
})

test_that("the LIIA event log (factors in one column) gives the simulated truth", {
  s <- sector_sim()
  ci <- s$CINdetails
  as <- s$Assessments
  fac <- tapply(as$AssessmentFactors, as$assessment_id, paste, collapse = ",")
  as1 <- as[!duplicated(as$assessment_id), ]
  as1$Factors <- as.vector(fac[as1$assessment_id])
  ch <- merge(merge(s$ChildIdentifiers, s$ChildCharacteristics), s$Disabilities)
  ep_rows <- merge(ci, ch, by = "LAchildID")
  ep_rows$Type <- "CINreferralDate"
  ep_rows$Date <- ep_rows$CINreferralDate
  as_rows <- merge(as1[c("CINdetailsID", "AssessmentAuthorisationDate", "AssessmentInternalReviewDate",
                         "Factors")],
                   ep_rows[setdiff(names(ep_rows), c("Type", "Date"))], by = "CINdetailsID")
  as_rows$Type <- "AssessmentAuthorisationDate"
  as_rows$Date <- as_rows$AssessmentAuthorisationDate
  # each event's row carries its element's other fields (liia-tools copies them)
  evt <- function(tab, col) {
    x <- merge(tab[setdiff(names(tab), "LAchildID")], ep_rows[setdiff(names(ep_rows), c("Type", "Date", "DateOfInitialCPC"))],
               by = "CINdetailsID")
    x$Type <- col
    x$Date <- x[[col]]
    x[[col]] <- NULL
    x
  }
  s47 <- evt(s$Section47, "S47ActualStartDate")
  icpc <- evt(s$Section47[!is.na(s$Section47$DateOfInitialCPC), ], "DateOfInitialCPC")
  cpp <- evt(s$ChildProtectionPlans, "CPPstartDate")
  cpp$InitialCategoryOfAbuse <- s$ChildProtectionPlans$InitialCategoryOfAbuse[
    match(cpp$CINdetailsID, s$ChildProtectionPlans$CINdetailsID)]
  cinp <- evt(s$CINplanDates, "CINPlanStartDate")
  log <- Reduce(cin_rbind_fill, list(ep_rows, as_rows, s47, icpc, cpp, cinp))
  log$CINdetailsID <- NULL
  log$LA <- "314"
  log <- log[sample(nrow(log)), ]
  p <- file.path(withr::local_tempdir(), "cin_flat.csv")
  utils::write.csv(log, p, row.names = FALSE, na = "")
  a <- read_cin_liia(p)
  expect_truth(a, s)
  expect_error(read_cin_liia(log[c("LAchildID", "Factors")]), class = "cscdemand_error_columns")
  # review: the errors say what was supplied (columns, row positions), never an identifier
  e1 <- expect_error(read_cin_liia(log[c("LAchildID", "Factors")]), class = "cscdemand_error_columns")
  expect_match(conditionMessage(e1), "The file has columns", fixed = TRUE)
  nola <- log
  nola$LA[c(2, 5)] <- NA
  e2 <- expect_error(read_cin_liia(nola), class = "cscdemand_error_missing")
  expect_match(conditionMessage(e2), "Rows 2, 5 of the file have an empty LA", fixed = TRUE)
  e3 <- expect_error(read_cin_liia(log, la = c("314", "315")), class = "cscdemand_error_input")
  expect_match(conditionMessage(e3), "You supplied", fixed = TRUE)
  for (e in list(e1, e2, e3)) {
    expect_false(any(vapply(unique(log$LAchildID), grepl, logical(1), x = conditionMessage(e),
                            fixed = TRUE)))
  }
})

ssd_tables <- function(s) {
  e <- s$e
  f <- function(x) format(x, "%Y-%m-%d")
  as <- s$Assessments
  a1 <- as[!duplicated(as$assessment_id), ]
  js <- tapply(as$AssessmentFactors, as$assessment_id,
               function(z) paste0("[", paste0("\"", z, "\"", collapse = ","), "]"))
  ch <- s$ChildIdentifiers
  list(
    ssd_cin_episodes = data.frame(cine_referral_id = e$episode_id, cine_person_id = e$child_id,
                                  cine_referral_date = f(e$referral_date),
                                  cine_cin_primary_need_code = e$primary_need_code,
                                  cine_referral_source_code = e$referral_source_code,
                                  cine_referral_nfa = "N", cine_close_reason = e$closure_reason_code,
                                  cine_close_date = f(e$closure_date)),
    ssd_cin_assessments = data.frame(cina_assessment_id = a1$assessment_id,
                                     cina_person_id = a1$LAchildID, cina_referral_id = a1$CINdetailsID,
                                     cina_assessment_start_date = a1$AssessmentActualStartDate,
                                     cina_assessment_auth_date = a1$AssessmentAuthorisationDate),
    ssd_assessment_factors = data.frame(cinf_table_id = seq_along(js), cinf_assessment_id = names(js),
                                        cinf_assessment_factors_json = as.vector(js)),
    ssd_person = data.frame(pers_person_id = ch$LAchildID, pers_dob = ch$PersonBirthDate,
                            pers_sex = c("1" = "M", "2" = "F", "0" = "U")[ch$GenderCurrent],
                            pers_ethnicity = s$ChildCharacteristics$Ethnicity),
    ssd_disability = data.frame(disa_person_id = s$Disabilities$LAchildID,
                                disa_disability_code = s$Disabilities$Disability),
    ssd_s47_enquiry = data.frame(s47e_referral_id = s$Section47$CINdetailsID,
                                 s47e_person_id = s$Section47$LAchildID,
                                 s47e_s47_start_date = s$Section47$S47ActualStartDate),
    ssd_initial_cp_conference = with(s$Section47[!is.na(s$Section47$DateOfInitialCPC), ],
      data.frame(icpc_referral_id = CINdetailsID, icpc_person_id = LAchildID,
                 icpc_icpc_date = DateOfInitialCPC)),
    ssd_cp_plans = with(s$ChildProtectionPlans,
      data.frame(cppl_referral_id = CINdetailsID, cppl_person_id = LAchildID,
                 cppl_cp_plan_id = paste0("P", seq_along(CINdetailsID)),
                 cppl_cp_plan_start_date = CPPstartDate, cppl_cp_plan_end_date = CPPendDate,
                 cppl_cp_plan_initial_category = InitialCategoryOfAbuse)),
    # two reviews of the first plan, one of each other
    ssd_cp_reviews = with(s$ChildProtectionPlans,
      data.frame(cppr_cp_plan_id = paste0("P", c(1L, seq_along(CINdetailsID))),
                 cppr_cp_review_date = CPPstartDate[c(1L, seq_along(CINdetailsID))])),
    ssd_cin_plans = with(s$CINplanDates,
      data.frame(cinp_referral_id = CINdetailsID, cinp_person_id = LAchildID,
                 cinp_cin_plan_start_date = CINPlanStartDate, cinp_cin_plan_end_date = CINPlanEndDate)))
}

ssd_check <- function(con) {
  s <- sector_sim()
  tabs <- ssd_tables(s)
  for (nm in names(tabs)) DBI::dbWriteTable(con, nm, tabs[[nm]], overwrite = TRUE)
  a <- read_cin_ssd(con, la = "314")
  expect_truth(a, s, plans = c("cin_plan_days", "cp_plan_days"))
  ep <- episode_factors(a, exclude = NULL, min_count = 0, no_factors = "keep", other_only = "keep")
  e1 <- s$e[match(s$ChildProtectionPlans$CINdetailsID[1], s$e$episode_id), ]
  first <- match(paste(e1$child_id, e1$referral_date), paste(ep$child_id, ep$referral_date))
  expect_equal(ep$cp_plan_reviews[first], 2L)
  expect_true(all(ep$cp_plan_reviews[-first][ep$cp_plan[-first] %in% 1L] == 1L))
  # the SSD does not hold previous plans: a plan is a repeat only when an
  # earlier plan of the child is in the data, and is never said to be a first
  expect_false(any(ep$repeat_cp_plan %in% 0L))
  # only the two assessment tables: the factors still read, by referral id
  DBI::dbRemoveTable(con, "ssd_cin_episodes")
  b <- read_cin_ssd(con, la = "314")
  eb <- episode_factors(b, exclude = NULL, min_count = 0, no_factors = "keep", other_only = "keep")
  expect_equal(nrow(eb), nrow(s$e))
  for (nm in names(tabs)) if (DBI::dbExistsTable(con, nm)) DBI::dbRemoveTable(con, nm)
}

test_that("the Standard Safeguarding Dataset reads through DBI (SQLite)", {
  skip_if_not_installed("RSQLite")
  con <- DBI::dbConnect(RSQLite::SQLite(), ":memory:")
  on.exit(DBI::dbDisconnect(con))
  ssd_check(con)
  expect_error(read_cin_ssd(con, la = "314"), class = "cscdemand_error_columns")
  # review: what the connection holds, and the council check shared with the others
  DBI::dbWriteTable(con, "other_table", data.frame(x = 1))
  e <- expect_error(read_cin_ssd(con, la = "314"), class = "cscdemand_error_columns")
  expect_match(conditionMessage(e), "The database has other_table", fixed = TRUE)
  e <- expect_error(read_cin_ssd(con, la = NA_character_), class = "cscdemand_error_input")
  expect_match(conditionMessage(e), "You supplied", fixed = TRUE)
  expect_identical(cin_json_codes(c('["1A","2B"]', "[]", NA, "1A, 3B", "['2A', '2B']",
                                    "['2A' '2B']", "[null]", " ['21'] ")),
                   list(c("1A", "2B"), character(), character(), c("1A", "3B"), c("2A", "2B"),
                        c("2A", "2B"), character(), "21"))
})

test_that("the Standard Safeguarding Dataset reads from PostgreSQL", {
  con <- local_pg_connection()
  ssd_check(con)
})

# ---------------------------------------------------------------------------
# The sector's layouts as their tools write them (issue 24, classes 3 to 5).
# Fixtures are written here in those layouts, from the simulated truth.

# A CSV as pandas' to_csv() writes it: the row index as an unnamed first
# column, NA as an empty field, quotes only where a field needs them.
write_pandas_csv <- function(d, path, index = TRUE) {
  q <- function(v) {
    v <- ifelse(is.na(v), "", as.character(v))
    need <- grepl("[\",\n]", v)
    v[need] <- paste0("\"", gsub("\"", "\"\"", v[need]), "\"")
    v
  }
  body <- if (nrow(d)) do.call(paste, c(lapply(d, q), sep = ",")) else character()
  hdr <- paste(names(d), collapse = ",")
  if (index) {
    body <- if (nrow(d)) paste0(seq_len(nrow(d)) - 1L, ",", body) else body
    hdr <- paste0(",", hdr)
  }
  writeLines(c(hdr, body), path)
}

# The validator's export since 2024: CINdetailsID and AssessmentID counted
# within the child and the episode, Assessments one row per assessment with
# the codes as a Python list, AssessmentFactorsList one code per row, Header
# with LEA, and the tables the reader does not use.
d2i_current_tables <- function(s) {
  ci <- s$CINdetails
  epn <- ave(seq_len(nrow(ci)), ci$LAchildID, FUN = seq_along)
  ep_ids <- ci$CINdetailsID
  ep_of <- function(id) as.character(epn[match(id, ep_ids)])
  as <- s$Assessments
  a1 <- as[!duplicated(as$assessment_id), ]
  a1$AssessmentID <- ave(seq_len(nrow(a1)), a1$CINdetailsID, FUN = seq_along)
  codes <- split(as$AssessmentFactors, factor(as$assessment_id, levels = a1$assessment_id))
  a1$AssessmentFactors <- vapply(codes, function(z) {
    if (length(z) == 1L) paste0("['", z, "']") else paste0("[", paste0("'", z, "'", collapse = ", "), "]")
  }, "")
  fl <- data.frame(LAchildID = as$LAchildID, CINdetailsID = ep_of(as$CINdetailsID),
                   AssessmentID = a1$AssessmentID[match(as$assessment_id, a1$assessment_id)],
                   AssessmentFactor = as$AssessmentFactors)
  a1$CINdetailsID <- ep_of(a1$CINdetailsID)
  a1 <- a1[c("LAchildID", "CINdetailsID", "AssessmentID", "AssessmentActualStartDate",
             "AssessmentInternalReviewDate", "AssessmentAuthorisationDate", "AssessmentFactors")]
  sub <- function(d) { d$CINdetailsID <- ep_of(d$CINdetailsID); d }
  ci$CINdetailsID <- as.character(epn)
  cpp <- sub(s$ChildProtectionPlans)
  cpp$CPPID <- ave(seq_len(nrow(cpp)), paste(cpp$LAchildID, cpp$CINdetailsID), FUN = seq_along)
  list(
    Header = data.frame(Collection = "CIN", Year = "2024", ReferenceDate = "2024-03-31",
                        SourceLevel = "L", LEA = "314", SoftwareCode = "Local Authority",
                        Release = "ver 3.1.21", SerialNo = "001", DateTime = "2024-05-01T10:00:00"),
    ChildIdentifiers = cbind(s$ChildIdentifiers[1], UPN = NA, FormerUPN = NA, UPNunknown = "UN1",
                             s$ChildIdentifiers[-1], Sex = NA, PersonDeathDate = NA),
    ChildCharacteristics = s$ChildCharacteristics, Disabilities = s$Disabilities,
    CINdetails = ci, Assessments = a1, AssessmentFactorsList = fl,
    CINplanDates = sub(s$CINplanDates), Section47 = sub(s$Section47),
    ChildProtectionPlans = cpp,
    Reviews = data.frame(LAchildID = cpp$LAchildID, CINdetailsID = cpp$CINdetailsID,
                         CPPID = cpp$CPPID, CPPreviewDate = cpp$CPPstartDate),
    PreProceedings = data.frame(LAchildID = character(), CINdetailsID = character(),
                                PPStartDate = character()))
}

write_d2i_folder <- function(tabs, dir) {
  for (nm in names(tabs)) write_pandas_csv(tabs[[nm]], file.path(dir, paste0(nm, ".csv")))
  dir
}

test_that("Data to Insight's current export (one row per assessment, codes listed) reads exactly", {
  s <- sector_sim()
  tabs <- d2i_current_tables(s)
  dir <- write_d2i_folder(tabs, withr::local_tempdir())
  # no `la`: the council comes from Header.csv (LEA)
  a <- read_cin_d2i(dir)
  expect_truth(a, s)
  expect_true(all(a$assessments$la == "314"))
  expect_equal(nrow(a$factors), nrow(s$Assessments))
  # every table of the export is read: Reviews counts each plan's review dates
  au <- audit(a)
  expect_false(any(au$step == "tables present but not read"))
  ep <- episode_factors(a, exclude = NULL, min_count = 0, no_factors = "keep", other_only = "keep")
  expect_true(all(ep$cp_plan_reviews[ep$cp_plan %in% 1L] == 1L))
  expect_true(all(is.na(ep$cp_plan_reviews[!ep$cp_plan %in% 1L])))
  # identifiers as pandas writes them after a missing value ("1.0"), and a
  # table the reader does not use in the odd shape the validator gives it
  fl <- tabs$AssessmentFactorsList
  fl$AssessmentID <- paste0(fl$AssessmentID, ".0")
  write_pandas_csv(fl, file.path(dir, "AssessmentFactorsList.csv"))
  # (its PreProceedings table holds its own field names in a column "0")
  writeLines(c(",0,LAchildID,CINdetailsID,PPStartDate", "0,PPStartDate,,,", "1,LBPSentDate,,,"),
             file.path(dir, "PreProceedings.csv"))
  a2 <- read_cin_d2i(dir)
  expect_equal(a2$factors, a$factors)
  au2 <- audit(a2)
  expect_equal(au2$n[grepl("field names", au2$step)], 2)
  expect_false(any(grepl("pre-proceedings rows with no episode", au2$step)))
  # the codes from the list in Assessments alone (no AssessmentFactorsList)
  file.remove(file.path(dir, "AssessmentFactorsList.csv"))
  b <- read_cin_d2i(dir)
  expect_truth(b, s)
  expect_equal(b$factors, a$factors)
  # the general reader given the folder reads it with read_cin_d2i(), and says so
  r <- read_cin_assessments(dir)
  expect_equal(r$factors, a$factors)
  expect_match(audit(r)$detail[audit(r)$step == "layout recognised"], "read_cin_d2i", fixed = TRUE)
  # column names in another case and spacing, dates as Excel saves them
  tabs2 <- tabs
  names(tabs2$CINdetails) <- c("la child id", "CIN details ID", "cin referral date",
                               names(tabs2$CINdetails)[-(1:3)])
  tabs2$CINdetails$`cin referral date` <- format(as.Date(tabs2$CINdetails$`cin referral date`), "%d/%m/%Y")
  names(tabs2$Assessments) <- toupper(names(tabs2$Assessments))
  c2 <- read_cin_d2i(write_d2i_folder(tabs2, withr::local_tempdir()))
  expect_truth(c2, s)
})

# A small export with known counts: 2 children, 3 episodes, 4 assessments
# (one with no factors), 5 codes.
d2i_small <- function(factors = c("['2A', '2B']", "['21']", NA, "['3B', '4A']")) {
  list(
    CINdetails = data.frame(LAchildID = c("C1", "C1", "C2"), CINdetailsID = c(1, 2, 1),
                            CINreferralDate = c("2023-05-01", "2023-09-01", "2023-06-01"),
                            ReferralSource = "1A", PrimaryNeedCode = "N1",
                            ReasonForClosure = "RC8", ReferralNFA = "0"),
    Assessments = data.frame(LAchildID = c("C1", "C1", "C1", "C2"), CINdetailsID = c(1, 1, 2, 1),
                             AssessmentID = c(1, 2, 1, 1),
                             AssessmentActualStartDate = c("2023-05-02", "2023-05-02", "2023-09-02", "2023-06-02"),
                             AssessmentAuthorisationDate = c("2023-05-20", "2023-06-20", "2023-09-20", "2023-06-21"),
                             AssessmentFactors = factors))
}

test_that("the current Data to Insight layout: counts, unknown codes shown, nothing dropped silently", {
  tabs <- d2i_small()
  a <- read_cin_d2i(tabs, la = "314")
  expect_equal(nrow(a$assessments), 4)
  expect_equal(length(unique(a$assessments$referral_date)), 3)
  expect_setequal(a$factors$code, c("2A", "2B", "21", "3B", "4A"))
  expect_equal(nrow(a$factors), 5)
  # same-day assessments of one episode stay two (AssessmentID)
  expect_equal(sum(a$assessments$child_id == "C1" & a$assessments$referral_date == as.Date("2023-05-01")), 2)
  # unknown codes: the error shows the values
  bad <- d2i_small(c("['2A', 'ZZ9']", "['QQ']", NA, "['3B', '4A']"))
  e <- expect_error(read_cin_d2i(bad, la = "314"), class = "cscdemand_error_unknown_code")
  expect_match(conditionMessage(e), "ZZ9", fixed = TRUE)
  expect_match(conditionMessage(e), "QQ", fixed = TRUE)
  expect_false(grepl("C1|C2", conditionMessage(e)))
  # the drop path counts each value dropped, shows it, and counts the
  # assessment left with no factor code
  d <- read_cin_d2i(bad, la = "314", on_unknown = "drop")
  au <- audit(d)
  dr <- au[au$step == "factor codes dropped: not a CIN factor code", ]
  expect_equal(dr$n, 2)
  expect_match(dr$detail, "\"ZZ9\"", fixed = TRUE)
  expect_match(dr$detail, "\"QQ\"", fixed = TRUE)
  left <- au[grepl("^assessments left with no factor code", au$step), ]
  expect_equal(left$n, 1)
  expect_equal(nrow(d$factors), 3)
  expect_equal(nrow(d$assessments), 4)
  # no `la` and no Header: a classed error saying to give it
  e <- expect_error(read_cin_d2i(tabs), class = "cscdemand_error_missing")
  expect_match(conditionMessage(e), "la", fixed = TRUE)
  expect_match(conditionMessage(e), "Header", fixed = TRUE)
  # rows that name no episode are counted, codes shown, never lost silently
  orph <- tabs
  orph$Assessments <- rbind(orph$Assessments, transform(orph$Assessments[1, ], CINdetailsID = 9))
  orph$AssessmentFactorsList <- data.frame(LAchildID = c("C1", "C1", "C2"), CINdetailsID = c(1, 8, 1),
                                           AssessmentID = c(1, 1, 1), AssessmentFactor = c("2A", "7A", "3B"))
  o2 <- read_cin_d2i(orph, la = "314")
  au <- audit(o2)
  expect_equal(au$n[au$step == "assessment rows with no episode: not read"], 1)
  fl_orph <- au[au$step == "factor codes in AssessmentFactorsList with no assessment: not read", ]
  expect_equal(fl_orph$n, 1)
  expect_match(fl_orph$detail, "7A", fixed = TRUE)
  expect_equal(nrow(o2$assessments), 4)
  expect_equal(sort(as.character(o2$factors$code)), c("2A", "3B"))
  # the earlier layout (one row per code) of the same assessments reads the same
  old <- tabs$Assessments[c(1, 1, 2, 3, 4, 4), ]
  old$AssessmentID <- NULL
  old$AssessmentFactors <- c("2A", "2B", "21", NA, "3B", "4A")
  o <- read_cin_d2i(list(CINdetails = tabs$CINdetails, Assessments = old), la = "314")
  expect_equal(o$factors, a$factors)
})

# The LIIA CIN log as liia-tools writes it: one row per event (Type, Date),
# each row carrying the child's, the episode's and the event's own fields;
# an assessment is two events (start and authorisation) with the same
# fields; the disability codes comma-joined in Disabilities; the pipeline's
# YEAR and LA (the council's name) last.
liia_columns <- c("LAchildID", "Date", "Type", "CINreferralDate", "ReferralSource",
                  "PrimaryNeedCode", "CINclosureDate", "ReasonForClosure", "DateOfInitialCPC",
                  "ReferralNFA", "CINPlanStartDate", "CINPlanEndDate", "S47ActualStartDate",
                  "InitialCPCtarget", "ICPCnotRequired", "AssessmentActualStartDate",
                  "AssessmentInternalReviewDate", "AssessmentAuthorisationDate", "Factors",
                  "CPPstartDate", "CPPendDate", "InitialCategoryOfAbuse", "LatestCategoryOfAbuse",
                  "NumberOfPreviousCPP", "UPN", "FormerUPN", "UPNunknown", "PersonBirthDate",
                  "ExpectedPersonBirthDate", "GenderCurrent", "PersonDeathDate",
                  "PersonSchoolYear", "Ethnicity", "Disabilities", "YEAR", "LA")

liia_event <- function(base, type, date, extra = list()) {
  b <- base
  for (nm in names(extra)) b[[nm]] <- extra[[nm]]
  b$Type <- rep(type, nrow(b))
  b$Date <- date
  b[!is.na(date), , drop = FALSE]
}

liia_log_from_sim <- function(s) {
  ci <- s$CINdetails
  ch <- merge(s$ChildIdentifiers, s$ChildCharacteristics)
  dis <- s$Disabilities$Disability
  dis[dis == "AUT"] <- "AUT,HAND"  # several codes, joined as the log does
  ch$Disabilities <- dis[match(ch$LAchildID, s$Disabilities$LAchildID)]
  ch$UPN <- sprintf("A%012d", seq_len(nrow(ch)))
  ch$UPNunknown <- NA
  ch$PersonSchoolYear <- "2010"
  ep <- cbind(ci, ch[match(ci$LAchildID, ch$LAchildID), setdiff(names(ch), "LAchildID")])
  of <- function(d) ep[match(d$CINdetailsID, ep$CINdetailsID), , drop = FALSE]
  as <- s$Assessments
  a1 <- as[!duplicated(as$assessment_id), ]
  a1$Factors <- as.vector(tapply(as$AssessmentFactors, as$assessment_id, paste, collapse = ",")[a1$assessment_id])
  ax <- list(AssessmentActualStartDate = a1$AssessmentActualStartDate,
             AssessmentInternalReviewDate = a1$AssessmentInternalReviewDate,
             AssessmentAuthorisationDate = a1$AssessmentAuthorisationDate, Factors = a1$Factors)
  s47 <- s$Section47
  sx <- list(S47ActualStartDate = s47$S47ActualStartDate, DateOfInitialCPC = s47$DateOfInitialCPC,
             InitialCPCtarget = s47$S47ActualStartDate,
             ICPCnotRequired = ifelse(s47$ICPCnotRequired == "true", "1.0", "0.0"))
  cpp <- s$ChildProtectionPlans
  cx <- list(CPPstartDate = cpp$CPPstartDate, CPPendDate = cpp$CPPendDate,
             InitialCategoryOfAbuse = cpp$InitialCategoryOfAbuse,
             LatestCategoryOfAbuse = cpp$InitialCategoryOfAbuse,
             NumberOfPreviousCPP = ifelse(is.na(cpp$NumberOfPreviousCPP), NA,
                                          paste0(cpp$NumberOfPreviousCPP, ".0")))
  cinp <- s$CINplanDates
  review <- format(as.Date(cpp$CPPstartDate) + 90, "%Y-%m-%d")
  log <- Reduce(cin_rbind_fill, list(
    liia_event(ep, "CINreferralDate", ep$CINreferralDate),
    liia_event(ep, "CINclosureDate", ep$CINclosureDate),
    liia_event(of(a1), "AssessmentActualStartDate", a1$AssessmentActualStartDate, ax),
    liia_event(of(a1), "AssessmentAuthorisationDate", a1$AssessmentAuthorisationDate, ax),
    liia_event(of(cinp), "CINPlanStartDate", cinp$CINPlanStartDate,
               list(CINPlanStartDate = cinp$CINPlanStartDate, CINPlanEndDate = cinp$CINPlanEndDate)),
    liia_event(of(s47), "S47ActualStartDate", s47$S47ActualStartDate, sx),
    liia_event(of(cpp), "CPPstartDate", cpp$CPPstartDate, cx),
    liia_event(of(cpp), "CPPreviewDate", review, cx)))
  log$YEAR <- "2024"
  log$LA <- "Barking and Dagenham"
  for (nm in setdiff(liia_columns, names(log))) log[[nm]] <- NA
  log[sample(nrow(log)), liia_columns]
}

test_that("the LIIA CIN log as liia-tools writes it gives the simulated truth, disability included", {
  s <- sector_sim()
  log <- liia_log_from_sim(s)
  p <- file.path(withr::local_tempdir(), "cin_census_clean.csv")
  write_pandas_csv(log, p, index = FALSE)
  a <- read_cin_liia(p)
  expect_truth(a, s)  # disability from Disabilities ("AUT,HAND"), thresholds from the events
  expect_true(all(a$assessments$la == "Barking and Dagenham"))
  au <- audit(a)
  un <- au[au$step == "columns present but not used (LIIA CIN log)", ]
  expect_setequal(strsplit(un$detail, ", ", fixed = TRUE)[[1]],
                  c("UPN", "FormerUPN", "UPNunknown", "PersonDeathDate", "PersonSchoolYear", "YEAR"))
  expect_equal(un$n, 6)
  # the general reader recognises the log and reads it the same way
  r <- read_cin_assessments(p)
  expect_equal(r$factors, a$factors)
  expect_equal(nrow(r$assessments), nrow(a$assessments))
  expect_match(audit(r)$detail[audit(r)$step == "layout recognised"], "read_cin_liia", fixed = TRUE)
  # the names in other cases and spacing read the same
  log2 <- log
  names(log2) <- tolower(names(log2))
  names(log2)[names(log2) == "disabilities"] <- "Dis abilities"
  b <- read_cin_liia(log2)
  expect_equal(b$factors, a$factors)
  expect_identical(b$assessments$disability, a$assessments$disability)
})

# Two children, two assessments, seven other events.
liia_small <- function() {
  row <- function(...) {
    v <- list(...)
    d <- as.data.frame(stats::setNames(rep(list(NA_character_), length(liia_columns)), liia_columns),
                       stringsAsFactors = FALSE)
    for (nm in names(v)) d[[nm]] <- v[[nm]]
    d
  }
  c1 <- list(LAchildID = "C1", CINreferralDate = "2023-05-01", ReferralSource = "1A",
             PrimaryNeedCode = "N1", CINclosureDate = "2023-08-01", ReasonForClosure = "RC1",
             DateOfInitialCPC = "2023-05-15", ReferralNFA = "0", PersonBirthDate = "2015-03-01",
             GenderCurrent = "1", Ethnicity = "WBRI", Disabilities = "HAND,HEAR", YEAR = "2025",
             LA = "314")
  c2 <- utils::modifyList(c1, list(LAchildID = "C2", CINreferralDate = "2023-06-01",
                                   CINclosureDate = NA, ReasonForClosure = NA,
                                   DateOfInitialCPC = NA, Disabilities = "NONE"))
  as1 <- list(AssessmentActualStartDate = "2023-05-02", AssessmentAuthorisationDate = "2023-05-20",
              Factors = "2A,2B")
  as2 <- list(AssessmentActualStartDate = "2023-06-02", AssessmentAuthorisationDate = "2023-06-21",
              Factors = "21")
  ev <- function(base, type, date, ...) do.call(row, c(base, list(Type = type, Date = date), list(...)))
  rbind(ev(c1, "CINreferralDate", "2023-05-01"), ev(c1, "CINclosureDate", "2023-08-01"),
        do.call(ev, c(list(c1, "AssessmentActualStartDate", "2023-05-02"), as1)),
        do.call(ev, c(list(c1, "AssessmentAuthorisationDate", "2023-05-20"), as1)),
        ev(c1, "S47ActualStartDate", "2023-05-03", S47ActualStartDate = "2023-05-03"),
        ev(c1, "CPPstartDate", "2023-05-16", CPPstartDate = "2023-05-16", InitialCategoryOfAbuse = "NEG"),
        ev(c1, "CPPreviewDate", "2023-07-01", CPPstartDate = "2023-05-16", InitialCategoryOfAbuse = "NEG"),
        ev(c2, "CINreferralDate", "2023-06-01"),
        do.call(ev, c(list(c2, "AssessmentActualStartDate", "2023-06-02"), as2)),
        do.call(ev, c(list(c2, "AssessmentAuthorisationDate", "2023-06-21"), as2)),
        ev(c2, "CINPlanStartDate", "2023-06-25", CINPlanStartDate = "2023-06-25"))
}

test_that("read_cin_assessments() reads a LIIA log as one: 2 assessments, not 11 rows or 4", {
  log <- liia_small()
  p <- file.path(withr::local_tempdir(), "cin.csv")
  write_pandas_csv(log, p, index = FALSE)
  for (a in list(read_cin_assessments(p), read_cin_assessments(log), read_cin_liia(p))) {
    expect_equal(nrow(a$assessments), 2)
    expect_equal(sort(as.character(a$factors$code)), c("21", "2A", "2B"))
    # the census year of the referral (to March 2024), not the log's YEAR
    expect_equal(as.integer(a$assessments$year), c(2024L, 2024L))
    expect_equal(a$assessments$disability[order(a$assessments$child_id)], c(1L, 0L))
    expect_equal(as.character(a$assessments$threshold[order(a$assessments$child_id)]),
                 c("CP plan", "CIN plan"))
  }
  # rows of an event type the reader does not know are counted, type shown
  odd <- rbind(log, transform(log[1, ], Type = "ContactDate"))
  o <- read_cin_liia(odd)
  expect_equal(nrow(o$assessments), 2)
  ln <- audit(o)[audit(o)$step == "log rows of an event type not known: not read", ]
  expect_equal(ln$n, 1)
  expect_match(ln$detail, "ContactDate", fixed = TRUE)
  # the same events in two collection years (a log merged over years) are
  # the same assessments
  two <- rbind(log, transform(log, YEAR = "2024"))
  expect_equal(nrow(read_cin_liia(two)$assessments), 2)
  # the factors file (authorisation events only, a 0/1 column per code)
  fx <- log[log$Type == "AssessmentAuthorisationDate", ]
  fx$`2A` <- c(1, 0)
  fx$`21` <- c(0, 1)
  f <- read_cin_liia(fx)
  expect_equal(nrow(f$assessments), 2)
  un <- audit(f)$detail[audit(f)$step == "columns present but not used (LIIA CIN log)"]
  expect_match(un, "2A, 21", fixed = TRUE)
})

test_that("a table of Data to Insight's export or of the SSD is refused by the general reader, naming its reader", {
  tabs <- d2i_small()
  e <- expect_error(read_cin_assessments(tabs$Assessments), class = "cscdemand_error_layout")
  expect_match(conditionMessage(e), "read_cin_d2i", fixed = TRUE)
  p <- file.path(withr::local_tempdir(), "Assessments.csv")
  write_pandas_csv(tabs$Assessments, p)
  e <- expect_error(read_cin_assessments(p), class = "cscdemand_error_layout")
  expect_match(conditionMessage(e), "read_cin_d2i", fixed = TRUE)
  ssd <- data.frame(cina_assessment_id = c("A1", "A2"), cina_person_id = c("P1", "P2"),
                    cina_assessment_auth_date = c("2023-05-20", "2023-06-21"),
                    cinf_assessment_factors_json = c('["2A","2B"]', '["21"]'))
  e <- expect_error(read_cin_assessments(ssd), class = "cscdemand_error_layout")
  expect_match(conditionMessage(e), "read_cin_ssd", fixed = TRUE)
  expect_false(grepl("P1|A1", conditionMessage(e)))
  # a council's own extract with census-like names is still read as one
  own <- data.frame(LAchildID = c("C1", "C2"), CINreferralDate = c("2023-05-01", "2023-06-01"),
                    AssessmentFactors = c("2A,2B", "21"))
  expect_equal(nrow(read_cin_assessments(own)$factors), 3)
})

test_that("the sector readers follow the one implausible_dates policy", {
  tabs <- d2i_small()
  tabs$CINdetails$CINreferralDate[3] <- "1970-06-01"  # child C2, as public samples date them
  tabs$Assessments$AssessmentActualStartDate[4] <- "1970-06-02"
  tabs$Assessments$AssessmentAuthorisationDate[4] <- "1970-06-21"
  k <- read_cin_d2i(tabs, la = "314")
  expect_equal(nrow(k$assessments), 4)
  d <- read_cin_d2i(tabs, la = "314", implausible_dates = "drop")
  expect_equal(nrow(d$assessments), 3)
  expect_false("C2" %in% d$assessments$child_id)
  expect_error(read_cin_d2i(tabs, la = "314", implausible_dates = "stop"),
               class = "cscdemand_error_implausible_date")
  log <- liia_small()
  c2 <- log$LAchildID == "C2"
  for (cl in c("CINreferralDate", "AssessmentActualStartDate", "AssessmentAuthorisationDate", "Date")) {
    log[[cl]][c2] <- sub("^2023", "1970", log[[cl]][c2])
  }
  expect_equal(nrow(read_cin_liia(log)$assessments), 2)
  expect_equal(nrow(read_cin_liia(log, implausible_dates = "drop")$assessments), 1)
  expect_equal(nrow(read_cin_assessments(log, implausible_dates = "drop")$assessments), 1)
  expect_error(read_cin_liia(log, implausible_dates = "stop"),
               class = "cscdemand_error_implausible_date")
})
