# Knits the report about one council in HTML and Word (small settings) and
# reads both as a head of service would: sections and table titles, the
# council and its neighbours by name, no codes as labels, distinct category
# names, no count under the threshold, no identifiers, real Word tables.

small_settings <- list(k = 1:3, starts = 2, seed = 1, blrt_reps = 2, blrt_sample = 600,
                       boot_reps = 3, cv_folds = 2)

knit_small <- function(out, ...) {
  args <- c(list("example", council = "Leicestershire", output_file = out), small_settings,
            list(...))
  suppressMessages(do.call(demand_report, args))
}

strip_html <- function(path) {
  h <- paste(readLines(path, warn = FALSE), collapse = " ")
  h <- gsub("<img[^>]*>", " ", h)
  h <- gsub("<script.*?</script>|<style.*?</style>", " ", h, perl = TRUE)
  h
}

html_tables <- function(html) {
  tabs <- regmatches(html, gregexpr("<table.*?</table>", html))[[1]]
  lapply(tabs, function(t) {
    cap <- trimws(gsub("<[^>]+>", "", regmatches(t, regexpr("<caption>.*?</caption>", t))))
    cells <- regmatches(t, gregexpr("<t[dh][^>]*>(.*?)</t[dh]>", t))[[1]]
    list(caption = if (length(cap)) cap else "", cells = trimws(gsub("&nbsp;|\u00a0", " ", gsub("<[^>]+>", "", cells))))
  })
}

# counts in cells "1,234 (45.6%)" or a bare count in a count table
cell_counts <- function(cells) {
  cc <- cells[grepl("^[0-9][0-9,]* \\([0-9.]+%\\)$", cells)]
  as.numeric(gsub(",", "", sub(" .*", "", cc)))
}

report_words <- c("Data and audit", "Context: Leicestershire", "Factors identified at assessment",
                  "Choosing the number of categories", "How stable are the categories?",
                  "The categories", "Categories across councils", "Who is in each category",
                  "What happens next", "Deprivation", "Methods and caveats")
table_titles <- c("Audit of Leicestershire", "Fit of models with different numbers of categories (as Table 3 of Kingston University, 2020)",
                  "Bootstrap stability", "why they have their names",
                  "(likelihood ratios)", "(as Table 14 of Kingston University, 2020)", "(as Table 15 of Kingston University, 2020)",
                  "(as Table 16 of Kingston University, 2020)", "(as Table 12 of Kingston University, 2020)", "(as Table 13 of Kingston University, 2020")

test_that("the HTML report is about the council, with every section, table and rule", {
  skip_if_not(rmarkdown::pandoc_available(), "pandoc is needed to knit the report")
  out <- withr::local_tempfile(fileext = ".html")
  knit_small(out)
  html <- strip_html(out)
  text <- gsub("\\s+", " ", gsub("<[^>]+>", " ", html))
  for (s in report_words) expect_match(text, s, fixed = TRUE, info = s)
  for (s in table_titles) expect_match(text, s, fixed = TRUE, info = s)
  # with a deprivation section, the population reference names its rates
  expect_match(text, "the report.s own rates by deprivation decile")
  expect_match(text, "Categories of demand in children.s social care: Leicestershire")
  # the audit is of the council's own episodes; the other councils of the
  # pooled model are neither named nor counted (finding 4 of the s6 reader)
  expect_match(text, "Audit of Leicestershire.s episodes \\(the other councils.? episodes are not counted here\\)")
  for (other in c("Sunderland", "Kingston upon Thames")) expect_no_match(text, other, fixed = TRUE)
  expect_no_match(text, "other councils in the model (%)", fixed = TRUE)
  # counts of councils, years and categories under ten are words in sentences
  # (K = 7 is notation and stays a figure)
  expect_match(text, "two other councils, which this report does not name", fixed = TRUE)
  # one definition of the category shares: the findings and the likelihood
  # ratios share episodes between categories like the tables (a weighted test)
  expect_match(text, "The findings, tables and charts below count episodes the same way", fixed = TRUE)
  expect_match(text, "whose variance allows for episodes shared between categories", fixed = TRUE)
  expect_no_match(text, "a test needs whole episodes", fixed = TRUE)
  expect_false(grepl("(?<!= )\\b[0-9] (other )?(councils?|reporting years?|categories)\\b", text, perl = TRUE))
  # the census fields: category of abuse (CP plans) and disability
  if ("cp_category" %in% names(cin_example)) {
    expect_match(text, "category of abuse by category (as Tables 17 and 18 of Kingston University, 2020)", fixed = TRUE)
  } else {
    expect_match(text, "The data do not hold the category of abuse", fixed = TRUE)
  }
  # what happens next: repeat plans, plan lengths, conference timeliness
  # (the example data hold them; pre-proceedings start in 2026-27, so not shown)
  for (s in c("Child protection plans: first plans and second or subsequent plans by category",
              "Length of child protection plans (ended, or not yet ended at the last return) by category",
              "Length of child in need plans at any step (ended, or not yet ended at the last return) by category",
              "held within 15 working days of the section 47 enquiry by category",
              "were for a second or subsequent plan. For one year,")) {
    expect_match(text, s, fixed = TRUE, info = s)
  }
  expect_no_match(text, "pre-proceedings", ignore.case = TRUE)
  nb <- names(attr(council_context("Leicestershire", years = 2025, verbose = FALSE), "neighbours"))
  for (n in nb) expect_match(text, n, fixed = TRUE)
  # names, not codes
  for (code in unique(cin_example$la)) expect_no_match(text, code, fixed = TRUE)
  expect_no_match(text, "group(s)", fixed = TRUE)
  # numbered tables and figures
  expect_match(text, "Table 1. Audit", fixed = TRUE)
  expect_match(text, "Figure 1. ", fixed = TRUE)
  tabs <- html_tables(html)
  caps <- vapply(tabs, `[[`, "", "caption")
  expect_true(all(grepl("^Table [0-9]+\\. ", caps)))
  # distinct category names
  nt <- tabs[[grep("why they have their names", caps)]]$cells
  # the number of categories, in words under ten ("The three categories")
  k_txt <- sub(".*The ([0-9a-z]+) categories.*", "\\1", caps[grep("why they have", caps)])
  k <- match(k_txt, c("one", "two", "three", "four", "five", "six", "seven", "eight", "nine"))
  if (is.na(k)) k <- as.integer(k_txt)
  nms <- nt[seq(4, by = 3, length.out = k)]
  expect_equal(length(unique(nms)), k)
  expect_false(any(grepl("Class [0-9]", nms)))
  # no published count under the threshold: table cells and sentences
  counts <- unlist(lapply(tabs, function(t) cell_counts(t$cells)))
  expect_gt(length(counts), 50)
  expect_true(all(counts == 0 | counts >= 10))
  prose <- gsub("\\s+", " ", gsub("<[^>]+>", " ", gsub("<table.*?</table>", " ", html, perl = TRUE)))
  said <- as.numeric(gsub(",", "", regmatches(prose, gregexpr("[0-9][0-9,]*(?= episodes)", prose, perl = TRUE))[[1]]))
  expect_true(all(said == 0 | said >= 10), info = paste(said, collapse = " "))
  expect_no_match(text, "could not be computed")
  # one story of the shares (issue 23): the names table's estimated shares are
  # the council's column of the table by council (proportional assignment),
  # and the summary's rounded shares are the same numbers
  nt_cap <- grep("why they have their names", caps)
  nt_cells <- tabs[[nt_cap]]$cells
  nt_share <- as.numeric(sub(" .*", "", nt_cells[seq(5, by = 3, length.out = k)]))
  # the council's shares add up, with no table of the other councils' shares
  expect_equal(sum(nt_share), 100, tolerance = 0.01)
  for (i in seq_len(k)) expect_match(text, paste0(nms[i], " (", round(nt_share[i]), "%, "), fixed = TRUE)
  # findings: ratios in words, a stated test and minimum
  expect_no_match(text, "times less likely")
  expect_no_match(text, "very significantly")
  expect_match(text, "after Holm.s adjustment")
  # no identifiers
  ids <- unique(c(cin_example$child_id, cin_example$episode_id))
  expect_false(any(vapply(ids[seq(1, length(ids), length.out = 400)], grepl, logical(1),
                          x = text, fixed = TRUE)))
  expect_no_match(text, "SUN-|KIN-|LEI-")
  # the page loads in headless Chromium (the script fails on a load error)
  script <- test_path("..", "..", "tools", "screenshot-report.sh")
  if (nzchar(Sys.which("chromium")) && file.exists(script)) {
    png <- withr::local_tempfile(fileext = ".png")
    status <- system2("bash", c(script, out, png), stdout = FALSE, stderr = FALSE)
    expect_equal(status, 0)
    expect_gt(file.size(png), 10000)
  }
})

test_that("the Word report has real tables, captions and the council's name", {
  skip_if_not(rmarkdown::pandoc_available(), "pandoc is needed to knit the report")
  out <- withr::local_tempfile(fileext = ".docx")
  knit_small(out, class_names = c("First kind", "Second kind", "Third kind"), k_use = 3)
  expect_true(file.exists(out))
  dir <- withr::local_tempdir()
  utils::unzip(out, files = "word/document.xml", exdir = dir)
  xml <- paste(readLines(file.path(dir, "word", "document.xml"), warn = FALSE), collapse = "")
  expect_gte(lengths(regmatches(xml, gregexpr("<w:tbl>", xml))), 12)
  text <- gsub("\\s+", " ", gsub("<[^>]+>", "", gsub("</w:p>", " ", xml)))
  for (s in c("Leicestershire", "Warwickshire", "Data and audit", "What happens next",
              "Table 1. Audit", "(as Table 14 of Kingston University, 2020)", "Figure 1. ")) {
    expect_match(text, s, fixed = TRUE, info = s)
  }
  # the analyst's class names replace the suggestion
  expect_match(text, "Second kind", fixed = TRUE)
  for (code in unique(cin_example$la)) expect_no_match(text, code, fixed = TRUE)
  # a count and its percentage are joined by a no-break space (one word)
  text <- gsub("\u00a0", " ", text)
  cells <- regmatches(text, gregexpr("[0-9][0-9,]* \\([0-9.]+%\\)", text))[[1]]
  counts <- as.numeric(gsub(",", "", sub(" .*", "", cells)))
  expect_gt(length(counts), 50)
  expect_true(all(counts == 0 | counts >= 10))
  # laid out for A4: words fit their columns, numbered pages, filled contents
  r <- review_read(out)
  expect_equal(review_words_fit(r)$problem, character())
  expect_equal(review_page_numbers(r)$problem, character())
  expect_equal(review_contents_filled(r)$problem, character())
  ns <- c(w = "http://schemas.openxmlformats.org/wordprocessingml/2006/main")
  sz <- xml2::xml_find_first(r$docx$doc, "//w:body/w:sectPr/w:pgSz", ns)
  expect_equal(xml2::xml_attr(sz, "w"), "11906")
  expect_length(xml2::xml_find_all(r$docx$doc, "//w:tr[not(w:trPr/w:cantSplit)]", ns), 0)
  # no chart leaves most of a page blank before it (issue 23): each is under
  # 45% of the A4 page's body, so two share a page, the published figures
  # drawn as several charts; only the factor heatmap is taller, under 60%
  ns <- c(ns, wp = "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing")
  body_emu <- (16838 - 2 * 1134) / 1440 * 914400
  pics <- xml2::xml_find_all(r$docx$doc, "//wp:inline", ns)
  expect_gte(length(pics), 5)
  cy <- as.numeric(xml2::xml_attr(xml2::xml_find_first(pics, "wp:extent", ns), "cy")) / body_emu
  cap <- xml2::xml_attr(xml2::xml_find_first(pics, "wp:docPr", ns), "descr")
  heat <- grepl("Probability of each factor", cap, fixed = TRUE)
  expect_equal(sum(heat), 1)
  expect_true(all(cy[!heat] <= 0.45), label = paste(round(cy[!heat], 2), collapse = " "))
  expect_lte(cy[heat], 0.6)
  expect_gte(sum(grepl("Published figures for", cap, fixed = TRUE)), 2)
})

test_that("bad input and failures: classed errors, nothing left behind", {
  skip_if_not(rmarkdown::pandoc_available(), "pandoc is needed to knit the report")
  bad <- withr::local_tempfile(fileext = ".csv")
  writeLines(c("ChildID,Factors", "A1,\"3A,99Z\"", "A2,4B"), bad)
  out <- withr::local_tempfile(fileext = ".html")
  expect_error(suppressMessages(demand_report(bad, output_file = out)), class = "cscdemand_error")
  expect_false(file.exists(out))
  expect_error(demand_report(tempfile(fileext = ".csv"), output_file = out), class = "cscdemand_error_file")
  expect_error(demand_report("example", output_file = file.path(tempfile(), "no", "r.html")),
               class = "cscdemand_error_file")
  expect_error(demand_report("example", council = "Leicestershre", output_file = out),
               class = "cscdemand_error_council")
  expect_error(demand_report("example", output_file = "r.html", output_format = "word"),
               class = "cscdemand_error_format")
  expect_error(demand_report("example", output_file = out, colour = "red"), class = "cscdemand_error")
  # a failure while knitting leaves no *_files folder and no report
  dir <- withr::local_tempdir()
  target <- file.path(dir, "fails.html")
  expect_error(suppressMessages(knit_small(target, k_use = 99)))
  expect_false(file.exists(target))
  expect_false(dir.exists(file.path(dir, "fails_files")))
  # a read-only folder is refused before any work (root can write anywhere)
  if (.Platform$OS.type == "unix" && Sys.info()[["user"]] != "root") {
    ro <- withr::local_tempdir()
    Sys.chmod(ro, "0555")
    expect_error(demand_report("example", output_file = file.path(ro, "r.html")),
                 class = "cscdemand_error_file")
    Sys.chmod(ro, "0755")
  }
})

test_that("the format comes from the extension or output_format", {
  f <- report_format("a/b.docx", NULL)
  expect_equal(f$kind, "word")
  expect_equal(report_format(NULL, "docx")$file, "demand-report.docx")
  expect_equal(report_format("x", "html")$file, "x.html")
  expect_equal(report_format("x.htm", NULL)$kind, "html")
  if (!nzchar(Sys.which("pdflatex")) && !nzchar(Sys.which("xelatex"))) {
    expect_error(report_format("x.pdf", NULL), class = "cscdemand_error_format")
  }
})

test_that("a small one-year extract of two councils still gives a whole report", {
  skip_if_not(rmarkdown::pandoc_available(), "pandoc is needed to knit the report")
  small <- cin_example[cin_example$year == 2023 & cin_example$la %in% c("E09000021", "E08000024"), ]
  small <- small[small$episode_id %in% unique(small$episode_id)[1:400], ]
  small$true_class <- NULL  # as a council's own extract
  out <- withr::local_tempfile(fileext = ".html")
  # what a reader returns goes straight in (it used to fail: "`x` must be a file path or a data frame")
  suppressMessages(demand_report(read_cin_assessments(small), council = "Sunderland", output_file = out, k = 1:3,
                                 starts = 2, seed = 1, blrt_reps = 2, boot_reps = 2, cv_folds = 2))
  text <- gsub("\\s+", " ", gsub("<[^>]+>", " ", strip_html(out)))
  expect_match(text, "social care: Sunderland", fixed = TRUE)
  expect_match(text, "This report uses (two|three) categories")
  expect_match(text, "Methods and caveats", fixed = TRUE)
  expect_no_match(text, "Simulated example data", fixed = TRUE)
  expect_match(text, "The council.s CIN extract, reporting years 2022-23")
  expect_no_match(text, "Leicestershire table|Kingston Table|groups of la")
  counts <- unlist(lapply(html_tables(strip_html(out)), function(t) cell_counts(t$cells)))
  expect_true(all(counts == 0 | counts >= 10))
})

test_that("CIN census returns: the LSOA lookup feeds the deprivation section, and without it the report says how to add it", {
  skip_if_not(rmarkdown::pandoc_available(), "pandoc is needed to knit the report")
  small <- cin_example[cin_example$year == 2023 & cin_example$la %in% c("E09000021", "E08000024"), ]
  small <- small[small$episode_id %in% unique(small$episode_id)[1:400], ]
  dir <- withr::local_tempdir()
  paths <- write_cin_census_xml(small, dir)
  lk <- unique(small[c("child_id", "lsoa")])
  lk <- lk[!duplicated(lk$child_id), ]
  lk_path <- file.path(dir, "child-lsoa.csv")
  utils::write.csv(lk[-(1:5), ], lk_path, row.names = FALSE)  # five children missing from it
  rd <- suppressMessages(report_data(paths, council = "Sunderland", lsoa = lk_path))
  expect_true("lsoa" %in% names(rd$episodes))
  n_miss <- sum(rd$episodes$child_id %in% lk$child_id[1:5])
  expect_equal(sum(is.na(rd$episodes$lsoa)), n_miss)
  au <- attr(rd, "audit_counts")
  a <- suppressMessages(read_cin_assessments(paths))
  expect_equal(au$n[grepl("with no LSOA in the lookup", au$step)],
               sum(a$assessments$child_id %in% lk$child_id[1:5]))
  expect_gt(n_miss, 0)
  linked <- link_imd(rd$episodes, on_unknown = "keep")
  expect_identical(rd$episodes$lsoa, lk$lsoa[-(1:5)][match(rd$episodes$child_id, lk$child_id[-(1:5)])])
  expect_gt(sum(!is.na(linked$imd_decile)), 300)
  expect_error(report_data(rd, lsoa = lk_path), class = "cscdemand_error_data")
  # without the lookup: the section explains, nothing fails
  # (issue 23, fifth reading: the instruction goes to the analyst's console,
  # the published report only says the section is not there, and why)
  out <- withr::local_tempfile(fileext = ".html")
  said <- character()
  suppressMessages(withCallingHandlers(
    demand_report(paths, council = "Sunderland", output_file = out, k = 1:2,
                  starts = 2, seed = 1, blrt_reps = 2, boot_reps = 2, cv_folds = 2),
    message = function(m) said <<- c(said, conditionMessage(m))))
  expect_true(any(grepl("export from the case management system", said, fixed = TRUE)))
  text <- gsub("\\s+", " ", gsub("<[^>]+>", " ", strip_html(out)))
  expect_match(text, "The report does not show how demand varies with deprivation: the census return holds no addresses", fixed = TRUE)
  for (gone in c("knit", "LSOA lookup", "case management system", "model of deprivation", "Deprivation: not shown")) {
    expect_no_match(text, gone, fixed = TRUE)
  }
  expect_no_match(text, "could not be computed", fixed = TRUE)
  expect_no_match(text, "(as Table 12 of Kingston University, 2020)", fixed = TRUE)
  # a lookup whose ids match none of the children: the report says so
  wrong <- data.frame(child_id = paste0("ZZ", lk$child_id), lsoa = lk$lsoa)
  rd0 <- suppressMessages(report_data(paths, council = "Sunderland", lsoa = wrong))
  expect_true(rd0$lsoa_lookup)
  expect_true(all(is.na(rd0$episodes$lsoa)))
  said <- character()
  suppressMessages(withCallingHandlers(
    demand_report(paths, council = "Sunderland", output_file = out, k = 1:2,
                  starts = 2, seed = 1, blrt_reps = 2, boot_reps = 2, cv_folds = 2, lsoa = wrong),
    message = function(m) said <<- c(said, conditionMessage(m))))
  expect_true(any(grepl("was found in the LSOA lookup given", said, fixed = TRUE)))
  text <- gsub("\\s+", " ", gsub("<[^>]+>", " ", strip_html(out)))
  expect_match(text, "the list of the children.s neighbourhoods given matched none of the children")
  expect_no_match(text, "Check that the lookup", fixed = TRUE)
  expect_no_match(text, "could not be computed", fixed = TRUE)
})
