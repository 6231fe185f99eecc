# Write a minimal .xlsx file (one sheet, inline strings) without an Excel
# writer package: `cells` is a character matrix; NA cells are left out, and
# `first_row` puts the first matrix row on that sheet row (rows above stay
# empty). Needs the `zip` program.
write_test_xlsx <- function(cells, path, first_row = 1L, sheet = "extract") {
  esc <- function(s) {
    s <- gsub("&", "&amp;", s, fixed = TRUE)
    s <- gsub("<", "&lt;", s, fixed = TRUE)
    gsub(">", "&gt;", s, fixed = TRUE)
  }
  col_name <- function(j) {
    out <- character()
    while (j > 0) {
      out <- c(LETTERS[(j - 1) %% 26 + 1], out)
      j <- (j - 1) %/% 26
    }
    paste(out, collapse = "")
  }
  rows <- vapply(seq_len(nrow(cells)), function(i) {
    r <- first_row + i - 1L
    cs <- vapply(seq_len(ncol(cells)), function(j) {
      v <- cells[i, j]
      if (is.na(v)) return("")
      sprintf('<c r="%s%d" t="inlineStr"><is><t xml:space="preserve">%s</t></is></c>',
              col_name(j), r, esc(v))
    }, character(1))
    sprintf('<row r="%d">%s</row>', r, paste(cs, collapse = ""))
  }, character(1))
  dir <- tempfile("xlsx")
  dir.create(file.path(dir, "_rels"), recursive = TRUE)
  dir.create(file.path(dir, "xl", "_rels"), recursive = TRUE)
  dir.create(file.path(dir, "xl", "worksheets"), recursive = TRUE)
  w <- function(f, ...) writeLines(paste0(...), file.path(dir, f), useBytes = TRUE)
  w("[Content_Types].xml", '<?xml version="1.0" encoding="UTF-8"?>',
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">',
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>',
    '<Default Extension="xml" ContentType="application/xml"/>',
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>',
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>',
    '</Types>')
  w("_rels/.rels", '<?xml version="1.0" encoding="UTF-8"?>',
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">',
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>',
    '</Relationships>')
  w("xl/workbook.xml", '<?xml version="1.0" encoding="UTF-8"?>',
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" ',
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">',
    '<sheets><sheet name="', sheet, '" sheetId="1" r:id="rId1"/></sheets></workbook>')
  w("xl/_rels/workbook.xml.rels", '<?xml version="1.0" encoding="UTF-8"?>',
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">',
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>',
    '</Relationships>')
  w("xl/worksheets/sheet1.xml", '<?xml version="1.0" encoding="UTF-8"?>',
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>',
    paste(rows, collapse = ""), '</sheetData></worksheet>')
  path <- normalizePath(path, mustWork = FALSE)
  old <- setwd(dir)
  on.exit({ setwd(old); unlink(dir, recursive = TRUE) })
  utils::zip(path, c("[Content_Types].xml", "_rels/.rels", "xl/workbook.xml",
                     "xl/_rels/workbook.xml.rels", "xl/worksheets/sheet1.xml"), flags = "-q")
  invisible(path)
}

# Hand-written returns: a header and children blocks.
cin_test_xml <- function(children, lea = "314", year = 2024, ns = "", root = "Message",
                         collection = "CIN") {
  paste0('<?xml version="1.0" encoding="UTF-8"?>\n<', root, ns, '>\n<Header><CollectionDetails>',
         "<Collection>", collection, "</Collection><Year>", year, "</Year><ReferenceDate>", year,
         "-03-31</ReferenceDate></CollectionDetails><Source><LEA>", lea,
         "</LEA></Source></Header>\n<Children>\n", paste(children, collapse = "\n"),
         "\n</Children>\n</", sub(" .*", "", root), ">\n")
}

cin_test_child <- function(id = "SECRET01", episodes = "", birth = "2015-06-01", gender = "1",
                           eth = "WBRI", dis = "NONE") {
  paste0("<Child><ChildIdentifiers><LAchildID>", id, "</LAchildID><PersonBirthDate>", birth,
         "</PersonBirthDate><GenderCurrent>", gender, "</GenderCurrent></ChildIdentifiers>",
         "<ChildCharacteristics><Ethnicity>", eth, "</Ethnicity><Disabilities><Disability>", dis,
         "</Disability></Disabilities></ChildCharacteristics>\n", episodes, "</Child>")
}

cin_test_ep <- function(ref = "2023-05-10", factors = "<AssessmentFactors>3B</AssessmentFactors>",
                        auth = "2023-06-01", extra = "", nfa = "false") {
  paste0("<CINdetails><CINreferralDate>", ref, "</CINreferralDate><ReferralSource>6</ReferralSource>",
         "<PrimaryNeedCode>N1</PrimaryNeedCode><ReferralNFA>", nfa, "</ReferralNFA>\n",
         "<Assessments><AssessmentActualStartDate>", ref, "</AssessmentActualStartDate>",
         "<AssessmentAuthorisationDate>", auth, "</AssessmentAuthorisationDate>",
         "<FactorsIdentifiedAtAssessment>", factors, "</FactorsIdentifiedAtAssessment></Assessments>",
         extra, "</CINdetails>\n")
}

write_xml_file <- function(txt, name = "return.xml") {
  p <- file.path(withr::local_tempdir(.local_envir = parent.frame()), name)
  writeLines(txt, p, useBytes = TRUE)
  p
}

# A table as the reader's first stage returns it (used by test-read-stages.R,
# test-read-codes.R and test-read-assemble.R).
tab_of <- function(df, rows = seq_len(nrow(df))) {
  list(data = df, rows = rows, source = "test", skipped = 0L, multiline = FALSE, unit = "Row")
}

# The sector's tables, built from one simulated data set; each reader must
# give the simulated truth, as the XML route does (test-read-sector.R,
# test-read-lsoa.R).
sector_sim <- function() {
  d <- simulate_cin(years = 2023:2024, n_episodes = 400, layout = "long", seed = 9)
  e <- d[!duplicated(d$episode_id), ]
  a <- d
  ch <- e[!duplicated(e$child_id), ]
  f <- function(x) format(x, "%Y-%m-%d")
  list(
    d = d, e = e,
    CINdetails = data.frame(LAchildID = e$child_id, CINdetailsID = e$episode_id,
                            CINreferralDate = f(e$referral_date),
                            ReferralSource = e$referral_source_code,
                            PrimaryNeedCode = e$primary_need_code,
                            CINclosureDate = f(e$closure_date),
                            ReasonForClosure = e$closure_reason_code,
                            DateOfInitialCPC = f(e$icpc_date), ReferralNFA = "false"),
    Assessments = data.frame(LAchildID = a$child_id, CINdetailsID = a$episode_id,
                             assessment_id = a$assessment_id,
                             AssessmentActualStartDate = f(pmax(a$referral_date, a$assessment_date - 3)),
                             AssessmentAuthorisationDate = f(a$assessment_date),
                             AssessmentInternalReviewDate = f(a$assessment_review_date),
                             AssessmentFactors = a$factor),
    ChildIdentifiers = data.frame(LAchildID = ch$child_id, PersonBirthDate = f(ch$birth_date),
                                  GenderCurrent = c(Male = "1", Female = "2", Unknown = "0")[ch$gender]),
    ChildCharacteristics = data.frame(LAchildID = ch$child_id, Ethnicity = ch$ethnicity),
    Disabilities = data.frame(LAchildID = ch$child_id,
                              Disability = ifelse(ch$disability == 1L, "AUT", "NONE")),
    Section47 = data.frame(LAchildID = e$child_id, CINdetailsID = e$episode_id,
                           S47ActualStartDate = f(e$s47_date),
                           DateOfInitialCPC = f(e$icpc_date),
                           ICPCnotRequired = ifelse(e$icpc_not_required %in% 1L, "true", "false"))[!is.na(e$s47_date), ],
    ChildProtectionPlans = data.frame(LAchildID = e$child_id, CINdetailsID = e$episode_id,
                                      CPPID = 1L, CPPstartDate = f(e$cpp_start),
                                      CPPendDate = f(e$cpp_end),
                                      InitialCategoryOfAbuse = e$cp_category_code,
                                      NumberOfPreviousCPP = e$previous_cpp)[!is.na(e$cpp_start), ],
    CINplanDates = data.frame(LAchildID = e$child_id, CINdetailsID = e$episode_id,
                              CINPlanStartDate = f(e$cin_plan_start),
                              CINPlanEndDate = f(e$cin_plan_end))[!is.na(e$cin_plan_start), ])
}
