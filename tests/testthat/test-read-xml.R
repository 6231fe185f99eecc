test_that("simulate -> write XML -> read recovers the simulated truth exactly", {
  d <- simulate_cin(las = c("E09000021", "E08000024"), years = 2023:2024, n_episodes = 1500,
                    layout = "long", seed = 5)
  dir <- withr::local_tempdir()
  paths <- write_cin_census_xml(d, dir)
  expect_length(paths, 4L)
  a <- read_cin_assessments(paths)
  expect_s3_class(a, "cin_assessments")
  au <- audit(a)
  merged <- au$n[au$step == "episodes merged: in two or more returns"]
  expect_gt(merged, 0)
  # records read = distinct episodes + merged copies
  expect_equal(au$n[au$step == "episodes read (CINdetails)"], 1500 + merged)
  n <- function(step) sum(au$n[au$step == step])
  expect_equal(n("assessments read"), n("assessments") + n("assessments merged: in two or more returns"))
  expect_equal(n("factor codes read"), n("factor codes kept") + n("factor codes of merged assessments") +
                 n("codes dropped: duplicate within an assessment"))
  expect_equal(n("children kept (with an assessment)"), length(unique(d$child_id)))
  ep <- episode_factors(a, exclude = NULL, min_count = 0, no_factors = "keep",
                        other_only = "keep")
  tr <- episode_factors(read_cin_assessments(d), exclude = NULL, min_count = 0,
                        no_factors = "keep", other_only = "keep")
  expect_equal(nrow(ep), 1500L)
  m <- match(paste(tr$child_id, tr$referral_date), paste(ep$child_id, ep$referral_date))
  expect_false(anyNA(m))
  fc <- factor_columns(tr)
  expect_identical(factor_columns(ep), fc)
  expect_equal(unname(as.matrix(ep[m, fc])), unname(as.matrix(tr[fc])))
  e1 <- d[!duplicated(d$episode_id), ]
  me <- match(paste(e1$child_id, e1$referral_date), paste(ep$child_id, ep$referral_date))
  for (cl in c("threshold", "cp_category", "rereferral", "nfa", "not_in_need", "cin_plan", "s47",
               "icpc", "cp_plan", "step_down", "age", "gender", "ethnicity", "ethnic_group",
               "disability", "referral_source", "primary_need", "closure_reason")) {
    expect_identical(as.character(ep[[cl]][me]), as.character(e1[[cl]]), label = cl)
  }
  expect_true(is.ordered(ep$threshold))
  expect_identical(levels(ep$threshold), cin_thresholds())
  expect_gt(sum(ep$rereferral), 50)
  # one file per council holds the same episodes
  p2 <- write_cin_census_xml(d, withr::local_tempdir(), by = "council", namespace = TRUE)
  ep2 <- episode_factors(read_cin_assessments(p2), exclude = NULL, min_count = 0,
                         no_factors = "keep", other_only = "keep")
  expect_equal(nrow(ep2), 1500L)
  expect_equal(sort(paste(ep2$child_id, ep2$referral_date, ep2$threshold)),
               sort(paste(ep$child_id, ep$referral_date, ep$threshold)))
})

test_that("each quirk of real returns is read", {
  fac <- paste0("<AssessmentFactors>1b, 3B</AssessmentFactors>",          # comma-joined, lower case
                "<AssessmentFactors>22B</AssessmentFactors>",             # legacy code
                "<AssessmentFactors> 18A </AssessmentFactors>")           # pre-2021 code, spaces
  ch1 <- cin_test_child("SECRET01", paste0(
    cin_test_ep(factors = fac, nfa = "FALSE"),
    "  stray text <!-- a comment -->\n",
    cin_test_ep(ref = "2024-01-10", factors = "", auth = "2024-02-01", nfa = "0")))
  ch2 <- cin_test_child("SECRET02", cin_test_ep(ref = "2023-07-01", auth = "2023-07-20",
                                                factors = "<![CDATA[16A]]>", nfa = "TRUE"),
                        gender = "2", eth = "refu", dis = "AUT")
  ns <- ' xmlns="http://www.dcsf.gov.uk/schemas/cbds"'
  for (form in c("plain", "default ns", "prefixed")) {
    txt <- cin_test_xml(c(ch1, ch2), ns = if (form == "default ns") ns else "")
    if (form == "prefixed") {
      txt <- gsub("<(/?)([A-Za-z])", "<\\1cbds:\\2", sub("<\\?xml[^>]*>", "", txt))
      txt <- sub("<cbds:Message>", "<cbds:Message xmlns:cbds=\"http://www.dcsf.gov.uk/schemas/cbds\">", txt)
    }
    a <- read_cin_assessments(write_xml_file(txt))
    f <- split(as.character(a$factors$code), a$factors$assessment)
    expect_equal(nrow(a$assessments), 3L, label = form)
    expect_equal(f[["1"]], c("1B", "3B", "18A", "23A"), label = form)
    expect_equal(f[["3"]], "16A", label = form)
    expect_false("2" %in% names(f))                      # empty FactorsIdentifiedAtAssessment
    as <- a$assessments
    expect_equal(as$nfa, c(0L, 0L, 1L))
    expect_equal(as$gender, c("Male", "Male", "Female"))
    expect_equal(as.character(as$ethnic_group), c("White", "White", "Not known"))
    expect_equal(as$disability, c(0L, 0L, 1L))
    expect_equal(as$age, c(7L, 8L, 8L))
    expect_equal(as$la, rep("314", 3))
  }
  au <- audit(a)
  expect_true(any(au$step == "codes recoded: legacy 22B -> 23A"))
})

test_that("junk codes and values are counted by position, or stop the read", {
  ch <- cin_test_child("SECRET01", cin_test_ep(
    factors = "<AssessmentFactors>3B</AssessmentFactors><AssessmentFactors>ZZ9</AssessmentFactors>"),
    eth = "XXXX")
  p <- write_xml_file(cin_test_xml(ch))
  err <- expect_error(read_cin_assessments(p), class = "cscdemand_error_unknown_code")
  expect_match(conditionMessage(err), "file 1 child 1 episode 1")
  expect_no_match(conditionMessage(err), "SECRET")
  a <- read_cin_assessments(p, on_unknown = "drop")
  au <- audit(a)
  expect_equal(au$n[au$step == "factor codes dropped: not a CIN factor code"], 1)
  expect_equal(au$n[au$step == "factor codes read"], 2)
  expect_equal(au$n[au$step == "values not in the code list: ethnicity"], 1)
  expect_equal(as.character(a$factors$code), "3B")
  expect_true(is.na(a$assessments$ethnicity))
  expect_no_match(paste(au$detail, collapse = " "), "SECRET")
})

test_that("missing mandatory elements follow on_unknown; impossible dates implausible_dates", {
  no_id <- sub("<LAchildID>SECRET02</LAchildID>", "", cin_test_child("SECRET02", cin_test_ep()))
  no_ref <- cin_test_child("SECRET03", sub("<CINreferralDate>2023-05-10</CINreferralDate>", "",
                                            cin_test_ep()))
  early <- cin_test_child("SECRET04", cin_test_ep(ref = "2023-05-10", auth = "2023-04-01"))
  bad_d <- cin_test_child("SECRET05", cin_test_ep(ref = "2023-05-10", auth = "2023-13-45"))
  ok <- cin_test_child("SECRET01", cin_test_ep())
  p <- write_xml_file(cin_test_xml(c(ok, no_id, no_ref, early, bad_d)))
  err <- expect_error(read_cin_assessments(p), class = "cscdemand_error_missing")
  expect_match(conditionMessage(err), "child 2 episode 1")
  expect_no_match(conditionMessage(err), "SECRET")
  a <- read_cin_assessments(p, on_unknown = "drop")
  au <- audit(a)
  expect_equal(au$n[au$step == "episodes dropped: child has no LAchildID"], 1)
  expect_equal(au$n[au$step == "episodes dropped: no CINreferralDate (or not a date)"], 1)
  # kept (the default): each flagged with its element, reason and place
  dd <- au$step == "dates implausible: AssessmentAuthorisationDate before the referral"
  expect_equal(au$n[dd], 1)
  expect_match(au$detail[dd], "^file 1 child 4 episode 1; the episode is kept")
  nd <- au$step == "dates implausible: AssessmentAuthorisationDate not a date"
  expect_match(au$detail[nd], "^file 1 child 5 episode 1;")
  expect_equal(nrow(a$assessments), 3L)
  expect_equal(sum(is.na(a$assessments$assessment_date)), 1L)  # "2023-13-45" only
  expect_equal(au$n[au$step == "assessments read"],
               au$n[au$step == "assessments"] + au$n[au$step == "assessments dropped with their episode"])
  # episodes read = kept + dropped
  expect_equal(au$n[au$step == "episodes read (CINdetails)"],
               au$n[au$step == "episodes"] + 2)
  d <- read_cin_assessments(p, on_unknown = "drop", implausible_dates = "drop")
  aud <- audit(d)
  expect_equal(nrow(d$assessments), 1L)
  expect_equal(aud$n[aud$step == "episodes dropped: implausible date"], 2)
  expect_equal(aud$n[aud$step == "episodes read (CINdetails)"],
               aud$n[aud$step == "episodes"] + 2 + 2)
  fut <- cin_test_child("SECRET06", cin_test_ep(ref = "2099-01-01", auth = "2099-02-01"))
  pf <- write_xml_file(cin_test_xml(c(ok, fut)))
  expect_equal(nrow(read_cin_assessments(pf)$assessments), 2L)
  e <- expect_error(read_cin_assessments(pf, implausible_dates = "stop"),
                    class = "cscdemand_error_implausible_date")
  expect_s3_class(e, "cscdemand_error_date")
  expect_match(conditionMessage(e), "file 1 child 2 episode 1")
})

test_that("malformed files stop with the line number", {
  good <- cin_test_xml(cin_test_child("SECRET01", cin_test_ep()))
  lines <- strsplit(good, "\n")[[1]]
  # unclosed tag on the episode line
  ep_line <- grep("<CINdetails>", lines)
  bad <- lines
  bad[ep_line] <- sub("</ReferralSource>", "", bad[ep_line])
  err <- expect_error(read_cin_assessments(write_xml_file(paste(bad, collapse = "\n"))),
                      class = "cscdemand_error_xml")
  expect_match(conditionMessage(err), paste0("line ", ep_line))
  expect_match(conditionMessage(err), "ReferralSource")
  # truncated download
  cut <- substr(good, 1, nchar(good) - 60)
  err <- expect_error(read_cin_assessments(write_xml_file(cut)), class = "cscdemand_error_xml")
  expect_match(conditionMessage(err), "line [0-9]+")
  cut2 <- substr(good, 1, regexpr("<Assessments>", good) + 5)
  err <- expect_error(read_cin_assessments(write_xml_file(cut2)), class = "cscdemand_error_xml")
  expect_match(conditionMessage(err), "cut off")
  expect_error(read_cin_assessments(write_xml_file("")), class = "cscdemand_error")
})

test_that("returns of other collections are named", {
  s903 <- paste0('<?xml version="1.0"?><Message><Header><CollectionDetails><Collection>SSDA903',
                 "</Collection></CollectionDetails></Header><Children><Child><Episodes><Episode>",
                 "<DECOM>2023-01-01</DECOM><RNE>P</RNE></Episode></Episodes></Child></Children></Message>")
  err <- expect_error(read_cin_assessments(write_xml_file(s903)), class = "cscdemand_error_collection")
  expect_match(conditionMessage(err), "SSDA903")
  sc <- paste0('<?xml version="1.0"?><Message><Header><CollectionDetails><Collection>School Census',
               "</Collection></CollectionDetails></Header><Pupils><PupilOnRoll><UPN>A1</UPN>",
               "</PupilOnRoll></Pupils></Message>")
  err <- expect_error(read_cin_assessments(write_xml_file(sc)), class = "cscdemand_error_collection")
  expect_match(conditionMessage(err), "School Census")
  aa <- paste0('<?xml version="1.0"?><Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet">',
               '<Worksheet><Table><Row><Cell><Data>List 1</Data></Cell></Row></Table></Worksheet></Workbook>')
  err <- expect_error(read_cin_assessments(write_xml_file(aa)), class = "cscdemand_error_collection")
  expect_match(conditionMessage(err), "Annex A")
})

test_that("an episode in two consecutive returns is counted once", {
  open_ep <- cin_test_ep(ref = "2024-02-10", auth = "2024-03-01")
  closed <- sub("<ReferralNFA>", "<CINclosureDate>2024-06-01</CINclosureDate><ReasonForClosure>RC8</ReasonForClosure><ReferralNFA>",
                open_ep)
  p1 <- write_xml_file(cin_test_xml(cin_test_child("SECRET01", open_ep), year = 2024), "a.xml")
  p2 <- write_xml_file(cin_test_xml(cin_test_child("SECRET01", paste0(
    closed, cin_test_ep(ref = "2024-09-01", auth = "2024-09-20"))), year = 2025), "b.xml")
  a <- read_cin_assessments(c(p2, p1))
  au <- audit(a)
  expect_equal(au$n[au$step == "episodes merged: in two or more returns"], 1)
  expect_equal(au$n[au$step == "assessments merged: in two or more returns"], 1)
  expect_equal(nrow(a$assessments), 2L)
  # the later return's closure is used; the second referral is a re-referral
  expect_equal(a$assessments$not_in_need, c(1L, 0L))
  expect_equal(a$assessments$rereferral, c(0L, 1L))
  expect_equal(a$assessments$year, c(2024L, 2025L))
})

test_that("identifiers can be replaced by a salted hash", {
  p <- write_xml_file(cin_test_xml(cin_test_child("SECRET01", cin_test_ep())))
  expect_error(read_cin_census_xml(p, hash_ids = TRUE, salt = NULL), class = "cscdemand_error_input")
  a <- read_cin_census_xml(p, hash_ids = TRUE, salt = "pepper-and-salt")
  b <- read_cin_census_xml(p, hash_ids = TRUE, salt = "pepper-and-salt")
  c2 <- read_cin_census_xml(p, hash_ids = TRUE, salt = "another-salt!")
  expect_false(any(grepl("SECRET", unlist(a$assessments))))
  expect_identical(a$assessments$child_id, b$assessments$child_id)
  expect_false(identical(a$assessments$child_id, c2$assessments$child_id))
  expect_equal(a$assessments$child_id,
               substr(as.character(openssl::sha256(paste0("pepper-and-salt\u001fSECRET01"))), 1, 20))
  expect_no_match(paste(capture.output(print(a), print(audit(a))), collapse = " "), "SECRET")
})

test_that("the bundled example return reads", {
  p <- system.file("extdata", "cin_census_example.xml", package = "cscdemand")
  skip_if(!nzchar(p))
  a <- read_cin_assessments(p)
  expect_gt(nrow(a$assessments), 100)
})

test_that("a non-XML file whose first bytes are not valid UTF-8 is not sniffed as XML", {
  f <- withr::local_tempfile(fileext = ".csv")
  # a multibyte character cut by the 200-byte sniffing window, then bad bytes
  writeBin(c(charToRaw(strrep("a", 199)), as.raw(c(0xc3, 0xa9, 0xff, 0xfe)), charToRaw(",b\n")), f)
  expect_false(cin_is_xml(f))
  g <- withr::local_tempfile(fileext = ".txt")
  writeBin(c(as.raw(c(0xef, 0xbb, 0xbf)), charToRaw(" \r\n<Message/>")), g)
  expect_true(cin_is_xml(g))
})

test_that("dates with a time or a time zone, CDATA identifiers, padded codes and attributes read as the plain return", {
  path <- system.file("extdata", "cin_census_example.xml", package = "cscdemand")
  ref <- read_cin_assessments(path)
  txt <- paste(readLines(path, encoding = "UTF-8"), collapse = "\n")
  dates <- "(CINreferralDate|AssessmentActualStartDate|AssessmentAuthorisationDate)"
  variants <- list(
    datetime = gsub(paste0("<", dates, ">([0-9-]+)</"), "<\\1>\\2T00:00:00</", txt),
    zone_z = gsub(paste0("<", dates, ">([0-9-]+)</"), "<\\1>\\2Z</", txt),
    zone_offset = gsub(paste0("<", dates, ">([0-9-]+)</"), "<\\1>\\2+01:00</", txt),
    zone_minus = gsub(paste0("<", dates, ">([0-9-]+)</"), "<\\1>\\2-05:00</", txt),
    cdata = gsub("<LAchildID>([^<]*)</", "<LAchildID><![CDATA[\\1]]></", txt),
    padded = gsub("<AssessmentFactors>([^<]*)</", "<AssessmentFactors> \\1 </", txt),
    attrs = sub("<Message>", "<Message xmlns=\"http://www.dfe.gov.uk/CIN\" version=\"1\">",
                gsub("<Child>", "<Child id=\"x\">", txt, fixed = TRUE), fixed = TRUE))
  for (v in names(variants)) {
    expect_true(grepl(variants[[v]], pattern = "<Message", fixed = TRUE))
    expect_false(identical(variants[[v]], txt), info = v)
    p <- file.path(withr::local_tempdir(), "return.xml")
    writeLines(variants[[v]], p, useBytes = TRUE)
    a <- read_cin_assessments(p)
    expect_equal(a$assessments, ref$assessments, info = v)
    expect_identical(a$factors, ref$factors, info = v)
  }
})

test_that("a return with over 10,000 distinct element names reads each field from its own element", {
  # Fields are looked up by (container, name); a packed key container *
  # 10000 + name read the 40,000-somethingth name of an unknown block as
  # the child's identifier, birth date and gender.
  junk <- paste0("<Extra>", paste0("<n", 1:60000, ">junk</n", 1:60000, ">", collapse = ""), "</Extra>")
  txt <- rt_return(c(rt_child("E1", c(rt_episode(), junk), birth = "2014-02-03"),
                     rt_child("E2", rt_episode(ref = "2023-08-01"), gender = "2")))
  tabs <- cin_xml_tables(rt_write(txt))
  expect_identical(tabs$children$child_id, c("E1", "E2"))
  expect_identical(tabs$children$birth_raw, c("2014-02-03", "2012-03-27"))
  expect_identical(tabs$children$gender_raw, c("1", "2"))
  expect_identical(tabs$children$ethnicity_raw, c("WBRI", "WBRI"))
  expect_identical(tabs$header$lea, "201")
  a <- read_cin_assessments(rt_write(txt))
  expect_setequal(unique(a$assessments$child_id), c("E1", "E2"))
})

test_that("the look-up key of a field is distinct for every container and name", {
  n_names <- 60000L
  key <- cin_xml_leaf_key(rep(0:15, each = n_names), rep(seq_len(n_names), 16L), n_names)
  expect_false(anyDuplicated(key) > 0L)
  expect_type(key, "integer")
})
