# The sector's layouts, as their tools write them: the column names of Data
# to Insight's CIN validator tables (its XML-to-CSV export, both the layout
# before 2024, one row per assessment factor, and the current one, one row
# per assessment with the codes in a list and one per row in
# AssessmentFactorsList), the LIIA CIN event log (Social Finance's liia-tools,
# one row per event) and the Standard Safeguarding Dataset; the names are
# matched whatever their case, spacing or punctuation. Also: which layout a
# table is, from its columns, so that the general reader never misreads one.

# Every column of the validator's tables (Header, ChildIdentifiers,
# ChildCharacteristics, Disabilities, CINdetails, Assessments,
# AssessmentFactorsList, CINplanDates, Section47, ChildProtectionPlans,
# Reviews, PreProceedings).
cin_d2i_columns <- function() {
  c("LAchildID", "CINdetailsID", "AssessmentID", "CPPID",
    "Collection", "Year", "ReferenceDate", "SourceLevel", "LEA", "SoftwareCode", "Release",
    "SerialNo", "DateTime",
    "UPN", "FormerUPN", "UPNunknown", "PersonBirthDate", "ExpectedPersonBirthDate",
    "GenderCurrent", "Sex", "PersonDeathDate", "Ethnicity", "Disability",
    "CINreferralDate", "ReferralSource", "PrimaryNeedCode", "CINclosureDate",
    "ReasonForClosure", "DateOfInitialCPC", "ReferralNFA",
    "AssessmentActualStartDate", "AssessmentInternalReviewDate", "AssessmentAuthorisationDate",
    "AssessmentFactors", "AssessmentFactor",
    "CINPlanStartDate", "CINPlanEndDate", "S47ActualStartDate", "InitialCPCtarget",
    "ICPCnotRequired", "CPPstartDate", "CPPendDate", "InitialCategoryOfAbuse",
    "LatestCategoryOfAbuse", "NumberOfPreviousCPP", "CPPreviewDate",
    "PPStartDate", "LBPSentDate", "FGDMMeetingOffer", "FGDMMeetingFac", "InitialPPMeetingDate",
    "ReviewMeetingsCount", "StepDecisionDate", "PPOutcome", "CourtAppDate", "LetterInitCPDate")
}

# The tables the reader uses; the others are named in the audit.
cin_d2i_tables_read <- function() {
  c("header", "childidentifiers", "childcharacteristics", "disabilities", "cindetails",
    "assessments", "assessmentfactorslist", "cinplandates", "section47", "childprotectionplans",
    "reviews", "preproceedings")
}

# Every column of the LIIA CIN log (liia-tools' CIN census export, with the
# YEAR and LA its pipeline adds), and the ones the reader uses.
cin_liia_columns <- function() {
  c("LAchildID", "Date", "Type", "CINreferralDate", "ReferralSource", "PrimaryNeedCode",
    "CINclosureDate", "ReasonForClosure", "DateOfInitialCPC", "ReferralNFA",
    "CINPlanStartDate", "CINPlanEndDate", "S47ActualStartDate", "InitialCPCtarget",
    "ICPCnotRequired", "AssessmentActualStartDate", "AssessmentInternalReviewDate",
    "AssessmentAuthorisationDate", "Factors", "CPPstartDate", "CPPendDate",
    "InitialCategoryOfAbuse", "LatestCategoryOfAbuse", "NumberOfPreviousCPP", "UPN",
    "FormerUPN", "UPNunknown", "PersonBirthDate", "ExpectedPersonBirthDate", "GenderCurrent",
    "Sex", "PersonDeathDate", "PersonSchoolYear", "Ethnicity", "Disabilities", "YEAR", "LA")
}

cin_liia_used <- function() {
  c("LAchildID", "Date", "Type", "CINreferralDate", "ReferralSource", "PrimaryNeedCode",
    "CINclosureDate", "ReasonForClosure", "DateOfInitialCPC", "ReferralNFA",
    "CINPlanStartDate", "CINPlanEndDate", "S47ActualStartDate", "InitialCPCtarget",
    "ICPCnotRequired", "AssessmentActualStartDate", "AssessmentInternalReviewDate",
    "AssessmentAuthorisationDate", "Factors", "CPPstartDate", "CPPendDate",
    "NumberOfPreviousCPP", "InitialCategoryOfAbuse",
    "LatestCategoryOfAbuse", "PersonBirthDate", "ExpectedPersonBirthDate", "GenderCurrent",
    "Sex", "Ethnicity", "Disabilities", "LA")
}

# The log's event types (its Type column).
cin_liia_types <- function() {
  c("CINreferralDate", "CINclosureDate", "AssessmentActualStartDate",
    "AssessmentAuthorisationDate", "CINPlanStartDate", "CINPlanEndDate", "S47ActualStartDate",
    "DateOfInitialCPC", "CPPstartDate", "CPPendDate", "CPPreviewDate")
}

# Names as the tool writes them, whatever their case or spacing
# ("la child id", "LACHILDID", "Cin Referral Date"); others unchanged.
cin_std_names <- function(n, std, alias = character()) {
  k <- cin_key(n)
  key <- c(stats::setNames(std, cin_key(std)), stats::setNames(alias, cin_key(names(alias))))
  hit <- k %in% names(key)
  n[hit] <- key[k[hit]]
  n
}

# The row number pandas writes as an unnamed first column (to_csv() with
# its index): dropped when it is 0, 1, 2, ... or 1, 2, 3, ...
cin_drop_index <- function(d) {
  if (!ncol(d)) return(d)
  k <- cin_key(names(d)[1])
  if (!k %in% c("", "1", "x", "x1", "unnamed0", "index", "v1")) return(d)
  v <- suppressWarnings(as.numeric(d[[1]]))
  if (!nrow(d) || (!anyNA(v) && (all(v == seq_along(v) - 1) || all(v == seq_along(v))))) {
    d <- d[-1L]
  }
  d
}

# One table of the sector's exports, as text, with its names standardised.
cin_sector_frame <- function(t, arg, std, alias = character(), call = rlang::caller_env()) {
  d <- if (is.data.frame(t)) cin_chr_frame(t) else cin_read_csv_chr(t, arg = arg, call = call)
  d <- cin_drop_index(d)
  names(d) <- cin_std_names(names(d), std, alias)
  d
}

# The validator's tables: a named list of frames or paths, or the folder.
cin_d2i_read <- function(tables, call = rlang::caller_env()) {
  if (is.character(tables) && length(tables) == 1L && !is.na(tables) && dir.exists(tables)) {
    f <- list.files(tables, "\\.csv$", full.names = TRUE, ignore.case = TRUE)
    tables <- stats::setNames(as.list(f), tools::file_path_sans_ext(basename(f)))
  }
  if (!is.list(tables) || is.null(names(tables)) || !all(nzchar(names(tables)))) {
    what <- if (is.list(tables) && !is.data.frame(tables)) "an unnamed list" else
      cli::format_inline("{.obj_type_friendly {tables}}")
    abort_input(c("{.arg tables} must be a named list of data frames or CSV paths, or a folder.",
                  x = "You supplied {what}.",
                  i = "Name each table as the validator does, for example {.code list(CINdetails = ep, Assessments = as)}, or give the folder of its CSV export."),
                call = call)
  }
  # only the tables read are opened (the others are named in the audit)
  use <- cin_key(names(tables)) %in% cin_d2i_tables_read()
  tb <- lapply(names(tables)[use], function(nm) {
    d <- cin_sector_frame(tables[[nm]], paste0("tables$", nm), cin_d2i_columns(), call = call)
    # identifiers counted by the validator, as pandas may write them ("1.0")
    for (id in intersect(c("CINdetailsID", "AssessmentID", "CPPID"), names(d))) {
      d[[id]] <- sub("^([0-9]+)\\.0+$", "\\1", trimws(d[[id]]))
    }
    d
  })
  names(tb) <- cin_key(names(tables))[use]
  for (req in c("assessments", "cindetails")) {
    if (is.null(tb[[req]])) {
      need <- c(assessments = "Assessments", cindetails = "CINdetails")[[req]]
      abort_input(c("The Data to Insight tables need {.field {need}}.",
                    x = "You supplied table{?s} {.field {names(tables)}}.",
                    i = "Give the {.file Assessments.csv} and {.file CINdetails.csv} made by the validator's XML-to-CSV export."),
                  class = "cscdemand_error_columns", call = call)
    }
  }
  attr(tb, "given") <- names(tables)
  tb
}

# The validator's PreProceedings table. Its export writes the module's field
# names as rows of a column "0" with no child or episode (the table is made
# from a list of names); those rows are not data: they are dropped and
# counted, and every other row is read.
cin_d2i_pp <- function(pp) {
  audit <- cin_audit_new()
  if (is.null(pp) || !nrow(pp)) return(list(data = pp, audit = audit))
  key <- function(nm) if (nm %in% names(pp)) trimws(pp[[nm]]) else rep(NA_character_, nrow(pp))
  none <- function(v) is.na(v) | !nzchar(v)
  named <- unname(cin_xml_pp_fields())
  own <- setdiff(names(pp), c("LAchildID", "CINdetailsID", named))
  is_name <- Reduce(`|`, lapply(own, function(nm) key(nm) %in% named), FALSE)
  drop <- none(key("LAchildID")) & none(key("CINdetailsID")) & is_name
  if (any(drop)) {
    audit <- cin_audit_add(audit, "read", "rows of PreProceedings holding the module's field names: not data, not read",
                           sum(drop), paste0("rows ", format_rows(which(drop), 10L), " of PreProceedings"))
  }
  list(data = pp[!drop, , drop = FALSE], audit = audit)
}

# The council: `la`, else Header's LEA (one council), else an error.
cin_d2i_la <- function(la, header, call = rlang::caller_env()) {
  if (!is.null(la)) return(la)
  lea <- if (!is.null(header) && "LEA" %in% names(header)) header$LEA else NULL
  lea <- unique(sub("\\.0+$", "", trimws(lea[!is.na(lea)])))
  if (length(lea) == 1L) return(lea)
  abort_input(c("The council is not known: give {.arg la}.",
                x = if (length(lea) > 1L) "{.file Header} names {length(lea)} councils in {.field LEA}." else
                  if (is.null(header)) "You supplied no {.arg la}, and no {.file Header} table." else
                    "You supplied no {.arg la}, and {.file Header} has no {.field LEA}.",
                i = "Give {.arg la} (the council's LA number, such as {.code la = \"314\"}), or the validator's {.file Header.csv} with {.field LEA}."),
              class = "cscdemand_error_missing", call = call)
}

# The validator's assessments, one row per assessment and code, from either
# layout: the codes one per row (before 2024), or one row per assessment with
# the codes in a list ("['2A', '2B']") and one per row in
# AssessmentFactorsList (used when given). Returns the rows and audit lines.
cin_d2i_assessments <- function(tb) {
  as <- tb$assessments
  fl <- tb$assessmentfactorslist
  audit <- cin_audit_new()
  if (!"AssessmentFactors" %in% names(as) && "AssessmentFactor" %in% names(as)) {
    names(as)[names(as) == "AssessmentFactor"] <- "AssessmentFactors"
  }
  fv <- if ("AssessmentFactors" %in% names(as)) as$AssessmentFactors else rep(NA_character_, nrow(as))
  ak <- function(d) paste(d$LAchildID, d$CINdetailsID, d$AssessmentID, sep = "\r")
  use_list <- !is.null(fl) && all(c("AssessmentID", "LAchildID", "CINdetailsID") %in% names(as)) &&
    all(c("AssessmentID", "AssessmentFactor") %in% names(fl))
  if (use_list) {
    m <- match(ak(fl), ak(as))
    orphan <- which(is.na(m) & !is.na(fl$AssessmentFactor))
    if (length(orphan)) {
      audit <- cin_audit_add(audit, "read", "factor codes in AssessmentFactorsList with no assessment: not read",
                             length(orphan), paste0("codes ", paste(utils::head(unique(fl$AssessmentFactor[orphan]), 10), collapse = ", "),
                                                    "; rows ", format_rows(orphan, 10L),
                                                    " of AssessmentFactorsList (no row in Assessments with their LAchildID, CINdetailsID and AssessmentID)"))
    }
    ok <- !is.na(m) & !is.na(fl$AssessmentFactor)
    codes <- split(trimws(fl$AssessmentFactor[ok]), factor(m[ok], levels = seq_len(nrow(as))))
    codes <- unname(codes)
    detail <- "one row per assessment in Assessments; the codes from AssessmentFactorsList"
  } else {
    lst <- !is.na(fv) & startsWith(trimws(fv), "[")
    codes <- as.list(fv)
    codes[lst] <- cin_json_codes(fv[lst])
    codes[!lst & is.na(fv)] <- list(character())
    detail <- if (any(lst)) "one row per assessment, the codes listed in AssessmentFactors" else
      "one row per assessment factor (AssessmentFactors)"
  }
  n <- lengths(codes)
  long <- as[rep(seq_len(nrow(as)), pmax(1L, n)), , drop = FALSE]
  long$AssessmentFactors <- unlist(lapply(codes, function(z) if (length(z)) z else NA_character_),
                                   use.names = FALSE)
  audit <- cin_audit_add(audit, "read", "Data to Insight assessment rows read", nrow(as), detail)
  list(data = long, audit = audit)
}

# The audit lines of a sector reader, put after its "read" lines.
cin_sector_note <- function(a, more) {
  if (!nrow(more)) return(a)
  rows <- attr(a$audit, "rows")
  a$audit <- cin_audit_bind(more, a$audit)
  attr(a$audit, "rows") <- rows
  a
}

# Rows of the sector's tables that name no known child or episode (an
# episode with no child in the tables, an assessment, enquiry or plan whose
# LAchildID and episode id match no episode): counted in the audit.
cin_sector_unplaced <- function(tabs) {
  lost <- Reduce(`+`, lapply(tabs, function(t) t$unplaced %||% 0))
  audit <- cin_audit_new()
  what <- c(episodes = "episodes with no child: not read",
            assessments = "assessment rows with no episode: not read",
            s47 = "section 47 rows with no episode: not read",
            cpp = "child protection plan rows with no episode: not read",
            cinp = "CIN plan rows with no episode: not read",
            pp = "pre-proceedings rows with no episode: not read")
  for (k in names(lost)[lost > 0]) {
    audit <- cin_audit_add(audit, "read", what[[k]], lost[[k]],
                           "their child and episode identifiers match no episode in the tables")
  }
  audit
}

# Columns present but not used, one audit line.
cin_sector_unused <- function(nms, used, what) {
  un <- setdiff(nms[!is.na(nms) & nzchar(nms)], used)
  audit <- cin_audit_new()
  if (!length(un)) return(audit)
  cin_audit_add(audit, "read", paste0("columns present but not used (", what, ")"), length(un),
                paste(un, collapse = ", "), unit = "columns")
}

# Which of the sector's layouts a table is, from its columns (and, for the
# LIIA log, its event types): "liia", "d2i", "ssd" or "" (none of them).
cin_sector_layout <- function(d) {
  nms <- names(d)
  k <- cin_key(nms)
  if (all(c("lachildid", "type", "date") %in% k)) {
    typ <- d[[match("type", k)]]
    if (any(as.character(typ) %in% cin_liia_types())) return("liia")
  }
  if (all(c("lachildid", "cindetailsid") %in% k)) return("d2i")
  if (any(grepl("^(cina|cinf|cine)_", tolower(trimws(nms))))) return("ssd")
  ""
}

# A folder of the validator's CSV export (Assessments.csv and CINdetails.csv).
cin_is_d2i_folder <- function(x) {
  if (!is.character(x) || length(x) != 1L || is.na(x) || !dir.exists(x)) return(FALSE)
  f <- cin_key(tools::file_path_sans_ext(list.files(x, "\\.csv$", ignore.case = TRUE)))
  all(c("assessments", "cindetails") %in% f)
}

# A table of the Data to Insight export or of the SSD given to the general
# reader: a classed error naming the reader that reads it.
cin_sector_refuse <- function(layout, nms, call = rlang::caller_env()) {
  what <- cli::format_inline(switch(layout,
                 d2i = "a table of Data to Insight's CIN validator export (it has {.field LAchildID} and {.field CINdetailsID})",
                 ssd = "a table of the Standard Safeguarding Dataset (its columns start {.field cina_}, {.field cinf_} or {.field cine_})"))
  fix <- cli::format_inline(switch(layout,
                d2i = "Read the export's folder (or its tables as a named list) with {.code read_cin_d2i(folder)}: the episodes, children and factors are in separate tables.",
                ssd = "Read the SSD tables from the database with {.code read_cin_ssd(con, la = ...)}."))
  abort_input(c("This looks like {what}, which {.fn read_cin_assessments} would misread.",
                x = "The table has columns {.field {utils::head(nms, 12)}}{if (length(nms) > 12) ' and more' else ''}.",
                i = "{fix}",
                i = "To read it as a council extract anyway, name its columns in {.arg columns}."),
              class = c("cscdemand_error_layout", "cscdemand_error_columns"), call = call)
}

# ---------------------------------------------------------------------------
# Reading the sector's tables as text

cin_chr_frame <- function(d) {
  d <- as.data.frame(d, stringsAsFactors = FALSE)
  for (i in seq_along(d)) {
    v <- d[[i]]
    if (inherits(v, "Date")) v <- format(v, "%Y-%m-%d")
    else if (inherits(v, "POSIXt")) v <- format(v, "%Y-%m-%d")
    else if (!is.character(v)) v <- as.character(v)
    v[!is.na(v) & !nzchar(trimws(v))] <- NA
    d[[i]] <- v
  }
  d
}

cin_read_csv_chr <- function(path, arg = "path", call = rlang::caller_env()) {
  check_string(path, what = "the path of a CSV file", arg = arg, call = call)
  if (!file.exists(path)) {
    abort_input(c("File {.file {path}} does not exist.",
                  x = "You supplied a path that is not there.",
                  i = "Check the folder and the file name (the tables of the validator's CSV export)."),
                class = "cscdemand_error_file")
  }
  cin_check_not_folder(path, call = call)
  # the reader's checked CSV route: structure scan (a wrong field count or a
  # stray quote is an error naming the file and line), UTF-8, byte-order mark
  d <- cin_read_csv(path, call = call)
  attr(d, "lines") <- NULL
  attr(d, "multiline") <- NULL
  cin_chr_frame(d)
}

# '["1A","2B"]' -> c("1A", "2B"); also 1A,2B, [1A, 2B], Python's
# ['1A', '2B'] and NumPy's ['1A' '2B'] (codes hold no spaces).
cin_json_codes <- function(x) {
  u <- unique(x)
  s <- trimws(gsub("[][\"']", " ", ifelse(is.na(u), "", u)))
  p <- strsplit(s, "[,[:space:]]+")
  p <- lapply(p, function(z) z[nzchar(z) & z != "null"])
  p[match(x, u)]
}
