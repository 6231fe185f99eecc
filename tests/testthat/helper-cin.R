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
