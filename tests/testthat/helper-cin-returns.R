# CIN census returns in the layout of the sector's public sample returns
# (Data to Insight's validator fake_data, the LIIA tools' samples): Header
# with CollectionDetails and Source, each Child with ChildIdentifiers,
# ChildCharacteristics and its CINdetails; each episode with Assessments,
# CINPlanDates, Section47, ReferralNFA and ChildProtectionPlans. Written
# here from parts, with known counts (no file copied).

rt_el <- function(name, value) {
  if (is.null(value) || (length(value) == 1L && is.na(value))) return("")
  paste0("<", name, ">", value, "</", name, ">")
}

# One assessment: start and authorisation dates, factor codes (one element
# each; character() for none, NULL for no FactorsIdentifiedAtAssessment).
rt_assessment <- function(start = "2023-05-12", auth = "2023-06-20", factors = c("3B", "4B")) {
  fac <- if (is.null(factors)) "" else paste0(
    "<FactorsIdentifiedAtAssessment>",
    paste0(vapply(factors, function(f) rt_el("AssessmentFactors", f), ""), collapse = ""),
    "</FactorsIdentifiedAtAssessment>")
  paste0("<Assessments>", rt_el("AssessmentActualStartDate", start),
         rt_el("AssessmentAuthorisationDate", auth), fac, "</Assessments>")
}

rt_episode <- function(ref = "2023-05-10", assessments = rt_assessment(), closure = NA,
                       reason = NA, icpc = NA, nfa = "false", s47 = NA, s47_icpc = NA,
                       cpp = NA, cinp = NA, source = "1A", need = "N1") {
  paste0("<CINdetails>", rt_el("CINreferralDate", ref), rt_el("ReferralSource", source),
         rt_el("PrimaryNeedCode", need), rt_el("CINclosureDate", closure),
         rt_el("ReasonForClosure", reason), rt_el("DateOfInitialCPC", icpc),
         paste(assessments, collapse = ""),
         if (!is.na(cinp)) paste0("<CINPlanDates>", rt_el("CINPlanStartDate", cinp), "</CINPlanDates>"),
         if (!is.na(s47)) paste0("<Section47>", rt_el("S47ActualStartDate", s47),
                                 rt_el("DateOfInitialCPC", s47_icpc),
                                 "<ICPCnotRequired>false</ICPCnotRequired></Section47>"),
         rt_el("ReferralNFA", nfa),
         if (!is.na(cpp)) paste0("<ChildProtectionPlans>", rt_el("CPPstartDate", cpp),
                                 "<InitialCategoryOfAbuse>NEG</InitialCategoryOfAbuse>",
                                 "</ChildProtectionPlans>"),
         "</CINdetails>")
}

rt_child <- function(id, episodes = rt_episode(), birth = "2012-03-27", gender = "1") {
  paste0("<Child><ChildIdentifiers>", rt_el("LAchildID", id), "<UPN>A123456789123</UPN>",
         rt_el("PersonBirthDate", birth), rt_el("GenderCurrent", gender),
         "</ChildIdentifiers><ChildCharacteristics><Ethnicity>WBRI</Ethnicity>",
         "<Disabilities><Disability>NONE</Disability></Disabilities></ChildCharacteristics>\n",
         paste(episodes, collapse = "\n"), "\n</Child>")
}

rt_return <- function(children, lea = "201", year = 2023) {
  paste0("<Message>\n<Header><CollectionDetails><Collection>CIN</Collection><Year>", year,
         "</Year><ReferenceDate>", year, "-03-31</ReferenceDate></CollectionDetails>",
         "<Source><SourceLevel>L</SourceLevel><LEA>", lea, "</LEA>",
         "<SoftwareCode>Local Authority</SoftwareCode></Source></Header>\n<Children>\n",
         paste(children, collapse = "\n"), "\n</Children>\n</Message>\n")
}

rt_write <- function(txt, name = "return.xml", env = parent.frame()) {
  p <- file.path(withr::local_tempdir(.local_envir = env), name)
  writeLines(txt, p, useBytes = TRUE)
  p
}
