# The report read as a second reader read it (issue 23): no code, element
# names or machine paths in the published text (HTML and the Word document's
# XML), one number for one quantity, each interval and each published
# comparison named with its method, base and period, abbreviations spelled
# out at first use, and a Word layout that prints (no orphan heading before a
# landscape table, charts at print resolution, titles that fit).

W_NS <- "http://schemas.openxmlformats.org/wordprocessingml/2006/main"

# Width in pixels of a PNG file, from its header.
png_width <- function(f) {
  b <- readBin(f, "raw", 24)
  sum(as.integer(b[17:20]) * 256^(3:0))
}

# The top folders of a path on a build machine (a pattern, built here).
path_roots <- paste0("/(", paste(c("tmp", "home", "Users", "var", "private", "mnt", "work"), collapse = "|"), ")/")

# What code looks like in a published text.
leaks_in <- function(text) {
  pats <- c(backtick = "`", call = "[A-Za-z0-9_.]\\(\\)",
            assignment = "\\b[a-z][a-z0-9_.]+ ?= ?[\"'0-9A-Za-z]",
            snake_case = "\\b[a-z][a-z0-9]*_[a-z0-9_]+\\b",
            path = paste0("(^|[\\s\"'(])(~/|", path_roots, "|[A-Za-z]:\\\\)|_files/|\\.png\\b"),
            markdown = "\\*\\*|(^|\\s)\\*(\\s|$)")
  hits <- lapply(pats, function(p) regmatches(text, gregexpr(p, text, perl = TRUE))[[1]])
  unlist(hits[lengths(hits) > 0])
}

test_that("the leak scan finds each kind of leak and passes plain English", {
  expect_length(leaks_in("Counts under 10 are shown as \"c\" (K = 7; p = 0.30), per 10,000 children."), 0)
  expect_length(leaks_in("See https://doi.org/10.1093/bjsw/bcad141 and Table 3 (2022-23 to 2024-25)."), 0)
  for (bad in c("drop them with implausible_dates = \"drop\"", "give it to demand_report() as lsoa",
                "use `lsoa`", paste("see", file.path(tempdir(), "report_files", "figure-docx", "a-1.png")),
                paste0("C:", "\\", "Reports", "\\", "r.docx"),
                "Note **", "values of child_id")) {
    expect_gt(length(leaks_in(bad)), 0, label = bad)
  }
})

test_that("the audit drops code, element names and says how many factors it names", {
  au <- data.frame(
    step = c("Episodes read (CINdetails)", "dates implausible: closure date in the future",
             "factor codes read", "factors excluded"),
    n = c(5741, 3, 17436, 15),
    detail = c("", "file c child c episode c; the episode is kept (a value that is not a date is set to missing); drop them with implausible_dates = \"drop\"",
               "AssessmentFactors values split at commas",
               "1C (89), 2C (115), 3C (191), 4C (184), 5C (58), 6C (37), 8B (3), 8C (2), 8D (1), 8E (4), 8F (2), 9A (45), 12A (21), 20 (633); not present: 1"),
    unit = c("rows", "rows", "rows", "factors"), stringsAsFactors = FALSE)
  out <- report_audit(au, threshold = 10)
  txt <- paste(unlist(out), collapse = " | ")
  expect_length(leaks_in(txt), 0)
  expect_no_match(txt, "(episode)", fixed = TRUE)
  expect_no_match(txt, "CINdetails|AssessmentFactors|implausible_dates")
  expect_equal(out$Step[1], "Episodes read")
  expect_match(out$Detail[3], "also where several were recorded in one field", fixed = TRUE)
  # the count of the line is the factors it names and the ones it counts
  named <- lengths(regmatches(out$Detail[4], gregexpr("\\([0-9]+[A-F]?\\):", out$Detail[4])))
  words <- c("one", "two", "three", "four", "five", "six")
  rare <- match(sub(".*; ([a-z]+) more factors?, each recorded.*", "\\1", out$Detail[4]), words)
  more <- match(sub(".*; ([a-z]+) more excluded factor.*", "\\1", out$Detail[4]), words)
  expect_equal(named + rare + more, as.numeric(gsub(",", "", out$Number[4])))
  # the rare ones are counted, not named
  expect_no_match(out$Detail[4], "Privately fostered")
})

test_that("report_fit_titles() breaks a title into lines that fit the figure", {
  long <- "Richmond upon Thames against England, London and statistical neighbours over ten years"
  p <- ggplot2::ggplot() + ggplot2::labs(title = long, subtitle = long, caption = "Source: DfE.")
  q <- report_fit_titles(p, width = 6.5)
  size <- 11 * 1.2  # theme_grey's title size
  lines <- strsplit(q$labels$title, "\n", fixed = TRUE)[[1]]
  expect_gt(length(lines), 1)
  expect_true(all(text_twips(lines, size) <= (6.5 - 0.3) * 1440))
  expect_equal(paste(lines, collapse = " "), long)
  expect_identical(q$labels$caption, "Source: DfE.")
  # at a small width the same title takes more lines; a short one is left alone
  expect_gt(length(strsplit(report_fit_titles(p, 3)$labels$title, "\n")[[1]]), length(lines))
  expect_identical(report_fit_titles(ggplot2::ggplot() + ggplot2::labs(title = "Short"), 6.5)$labels$title, "Short")
  expect_identical(report_fit_titles("not a plot", 6.5), "not a plot")
})

test_that("a heading above a landscape table goes to the table's page, not the foot of the last", {
  skip_if_not_installed("xml2")
  wide <- paste(rep("Extraordinarily", 12), collapse = " ")
  cell <- function(x) sprintf("<w:tc><w:p><w:r><w:t>%s</w:t></w:r></w:p></w:tc>", x)
  row <- paste0("<w:tr>", paste(vapply(strsplit(wide, " ")[[1]], cell, ""), collapse = ""), "</w:tr>")
  body <- paste0('<w:p><w:r><w:t>Before</w:t></w:r></w:p>',
                 '<w:p><w:pPr><w:pStyle w:val="Heading1"/></w:pPr><w:r><w:t>Choosing</w:t></w:r></w:p>',
                 '<w:p><w:pPr><w:pStyle w:val="TableCaption"/></w:pPr><w:r><w:t>Table 4. Fit</w:t></w:r></w:p>',
                 '<w:tbl><w:tblPr/><w:tblGrid/>', row, row, '</w:tbl>',
                 '<w:sectPr><w:pgSz w:w="11906" w:h="16838"/></w:sectPr>')
  doc <- xml2::read_xml(sprintf('<w:document xmlns:w="%s"><w:body>%s</w:body></w:document>', W_NS, body))
  tbl <- xml2::xml_find_all(doc, "//w:body/w:tbl", c(w = W_NS))
  land <- vapply(tbl, docx_table_layout, logical(1))
  expect_true(land)
  docx_landscape(doc, land)
  kids <- xml2::xml_children(xml2::xml_find_first(doc, "//w:body", c(w = W_NS)))
  what <- vapply(kids, function(k) {
    if (xml2::xml_name(k) != "p") return(xml2::xml_name(k))
    if (!inherits(xml2::xml_find_first(k, "w:pPr/w:sectPr", c(w = W_NS)), "xml_missing")) return("break")
    paste(xml2::xml_text(k), collapse = "")
  }, "")
  expect_equal(what, c("Before", "break", "Choosing", "Table 4. Fit", "tbl", "break", "sectPr"))
})

# The figures' captions of each format's knit, so the second test can
# compare them with the first's (figure numbers are the same in Word and
# HTML: s8 reader, finding 11)
figures_seen <- new.env()
figure_captions <- function(text) unique(regmatches(text, gregexpr("Figure [0-9]+\\. [A-Z][a-z]+ [a-z]+", text))[[1]])

# One small report from census returns (XML), in HTML and in Word.
knit_returns <- function(format, env = parent.frame()) {
  one <- cin_example[cin_example$la == "E08000024" & cin_example$year %in% 2023:2024, ]
  dir <- withr::local_tempdir(.local_envir = env)
  paths <- write_cin_census_xml(one, dir)
  out <- file.path(dir, paste0("report.", if (format == "word") "docx" else "html"))
  suppressMessages(demand_report(paths, council = "Sunderland", output_file = out, k = 1:3, starts = 2,
                                 seed = 1, blrt_reps = 2, blrt_sample = 600, boot_reps = 3, cv_folds = 2))
  out
}

html_body_text <- function(path) {
  h <- paste(readLines(path, warn = FALSE), collapse = " ")
  h <- gsub("<img[^>]*>", " ", h)
  h <- gsub("<script.*?</script>|<style.*?</style>", " ", h, perl = TRUE)
  h <- sub("<div id=\"TOC\">.*?</div>", " ", h, perl = TRUE)
  h <- sub("^.*?<h1", "<h1", sub("^.*<body[^>]*>", "", h, perl = TRUE), perl = TRUE)
  t <- gsub("&quot;", "\"", gsub("&#39;", "'", gsub("&amp;", "&", gsub("<[^>]+>", " ", h))))
  gsub("\\s+", " ", t)
}

test_that("the HTML report reads as English: no code, one number, named intervals, bases and abbreviations", {
  skip_if_not(rmarkdown::pandoc_available(), "pandoc is needed to knit the report")
  out <- knit_returns("html")
  html <- paste(readLines(out, warn = FALSE), collapse = " ")
  text <- html_body_text(out)
  expect_length(leaks_in(text), 0)
  expect_no_match(text, "could not be computed", fixed = TRUE)
  figures_seen$html <- figure_captions(text)
  # no wall of text (s8 reader, finding 7): the "Who is in each category"
  # preamble and the methods are short paragraphs, the methods under plain
  # headings; the preamble says what the tables do with missing values
  paras <- function(from, to) {
    sec <- regmatches(html, regexpr(paste0(">", from, "</h1>.*?<h1[^>]*>[^<]*", to), html, perl = TRUE))
    p <- regmatches(sec, gregexpr("<p>.*?</p>", sec, perl = TRUE))[[1]]
    vapply(p, function(x) length(strsplit(trimws(gsub("<[^>]+>", " ", x)), "\\s+")[[1]]), 0, USE.NAMES = FALSE)
  }
  who <- paras("Who is in each category", "")
  meth <- paras("Methods and caveats", "References")
  expect_gt(length(meth), 3)
  expect_true(all(meth < 110), info = paste(meth, collapse = " "))
  expect_true(all(head(who, 3) < 80), info = paste(head(who, 3), collapse = " "))
  expect_match(text, "Methods and caveats The model Latent class analysis", fixed = TRUE)
  expect_no_match(text, "are kept as rows of their own", fixed = TRUE)
  expect_match(text, "Missing and unknown values are counted, never dropped", fixed = TRUE)
  if (!is.null(figures_seen$word)) expect_identical(figures_seen$html, figures_seen$word)
  # the ratios use unrounded estimates: said, so a reader recomputing one from
  # the rounded counts is not surprised (s8 reader, finding 8)
  expect_match(text, "The ratios are computed from the estimated numbers of episodes before rounding", fixed = TRUE)
  # returns hold no neighbourhoods, so no rates of the report's own to cite
  # populations for; and the methods do not deny the merge a note may report
  expect_no_match(text, "the report.s own rates")
  expect_no_match(text, "never with a group such as Female", fixed = TRUE)
  # fit statistics with thousands separators; the audit names no file
  expect_match(text, "-[0-9]{1,3}(,[0-9]{3})+\\.[0-9] ")
  expect_no_match(text, "-[0-9]{4,}\\.[0-9]")
  expect_no_match(text, "\\.xml\\b")
  # one value, one number: the summary prints the referral rate as the context table does
  said <- sub(".* had ([0-9.,]+) referrals per 10,000 children.*", "\\1", text)
  tab <- sub(".*<td[^>]*>Referrals</td>\\s*<td[^>]*>[^<]*</td>\\s*<td[^>]*>([0-9.,]+)</td>.*", "\\1", html)
  expect_identical(said, tab)
  # the region by its name
  expect_false(grepl("<th[^>]*>Region</th>", html))
  # reader 9: a number that is not a count carries its unit (the stability
  # table's changes are percentage points, never a bare single digit), and
  # no p-value is printed "1.000" or without the space of "< 0.001"
  expect_match(html, "<td[^>]*>[0-9]+ points</td>")
  expect_no_match(html, ">\\s*(1\\.000|&lt;0\\.001)\\s*<")
  expect_match(html, "<th[^>]*>North East</th>")
  # each interval of a share names its method where it appears
  # the headline interval is the bootstrap's, everywhere; the model-based
  # one is beside it in the stability table, compared in a word that is the
  # same in the summary and under the table
  expect_match(text, "95% intervals from refitting the model to [0-9]+ resamples of the episodes \\(bootstrap\\)")
  expect_match(text, "Share of episodes % (bootstrap 95% interval)", fixed = TRUE)
  expect_match(text, "Share 95% interval (bootstrap)", fixed = TRUE)
  expect_match(text, "Share 95% interval (model-based)", fixed = TRUE)
  expect_no_match(text, "differ a little", fixed = TRUE)
  # the summary is for the head of service: no internal logic (the disability
  # rule is said once, with the findings), no comparison of interval methods
  # (that is under the stability table, with the numbers behind it)
  summary <- sub(" Data and audit .*$", "", sub("^.*? Summary ", "", text))
  expect_no_match(summary, "restates how it was formed|model-based|times the gap", perl = TRUE)
  expect_lte(lengths(regmatches(text, gregexpr("restates how it was formed", text, fixed = TRUE))), 1L)
  w_tab <- sub(".*intervals of the shares are (.+?) the model-based ones.*", "\\1", text)
  expect_true(w_tab %in% c("narrower than", "about as wide as", "a little wider than", "wider than", "much wider than",
                           "sometimes narrower and sometimes wider than", "narrower than or about as wide as",
                           "about as wide as or wider than"))
  expect_no_match(text, "overstates", fixed = TRUE)
  # plain words in the main text: the invariance models by what they are
  expect_no_match(text, "(configural)|(invariant)|against configural", perl = TRUE)
  expect_no_match(text, "expected numbers of episodes", fixed = TRUE)
  # the methods say what suppression guarantees, without contradicting itself
  expect_no_match(text, "and so could the hidden cells", fixed = TRUE)
  expect_match(text, "what they add up to (its printed total less its printed cells) is at least 10", fixed = TRUE)
  # the published context is of the last reporting year of the data (2023-24 here), not a later one
  expect_match(text, "Published 2023-24: council %", fixed = TRUE)
  expect_match(text, "In 2023-24 Sunderland had", fixed = TRUE)
  expect_no_match(text, "2024-25", fixed = TRUE)
  # the published percentages name their year; the report's its base
  expect_match(text, "Published 20[0-9]{2}-[0-9]{2}: council %")
  expect_match(text, "This report: % of analysed episodes", fixed = TRUE)
  expect_match(text, "so the two are not the same measure", fixed = TRUE)
  # abbreviations spelled out at their first use, thresholds defined
  for (ab in c("CIN", "ICPC", "CP plan")) {
    first <- regexpr(paste0("\\b", ab, "\\b"), text)
    expect_gt(first, 0)
    expect_identical(substr(text, first - 1, first + nchar(ab)), paste0("(", ab, ")"), info = ab)
  }
  expect_match(text, "The highest threshold of an episode is the furthest step it reached", fixed = TRUE)
  # rows and columns of totals say what they count
  tabs <- regmatches(html, gregexpr("<table.*?</table>", html))[[1]]
  plans <- tabs[grepl("Child protection plans: |Length of |conferences: held", tabs)]
  expect_gt(length(plans), 1)
  for (t in plans) expect_no_match(t, ">All episodes<", fixed = TRUE)
  # the groups of factors in the names are defined by their codes
  expect_match(text, "Groups of factors in the names", fixed = TRUE)
  expect_match(text, "Domestic abuse - parent or carer (3A)|\\(3A\\)")
  # the disability factors of the names are not the child's recorded status
  expect_no_match(text, "Disability: yes", fixed = TRUE)
  expect_match(text, "Disability status in the child.s record")
  # the naming rule promises only what the names do
  expect_match(text, "a name need not mention every factor of the table", fixed = TRUE)
  # issue 23, fifth reading. A section that cannot be shown is not printed,
  # and no sentence speaks of it (the Methods say why it is absent); the
  # analyst's instructions are not in the published text
  expect_no_match(html, "<h1>Deprivation")
  for (gone in c("knit", "LSOA lookup", "model of deprivation", "deprivation deciles")) {
    expect_no_match(text, gone, fixed = TRUE)
  }
  expect_match(text, "The report does not show how demand varies with deprivation", fixed = TRUE)
  # "c" defined as DfE does: suppressed to protect confidentiality, not "under 10"
  expect_match(text, "means suppressed to protect confidentiality", fixed = TRUE)
  expect_no_match(text, "Counts under [0-9]+ are shown as")
  expect_no_match(text, "c suppressed\b")
  # no claim without evidence; a measure of stability that can fail
  expect_no_match(text, "understated", fixed = TRUE)
  expect_match(text, "Largest change in a factor.s %")
  # the error bars of the cross-validation chart are defined, and its choice read with its noise
  expect_match(text, "bars: two standard errors of that mean", fixed = TRUE)
  expect_match(text, "Cross-validation.s highest score, with|Cross-validation (separates|was run for)")
  # the naming rule states the numbers the names come from
  expect_match(text, "by the difference in percentage points between the category and all episodes", fixed = TRUE)
  expect_match(text, "points more, x[0-9]")
  # a category in a sentence has one form; headlines by episodes concerned
  expect_no_match(text, "Episodes in some ", fixed = TRUE)
  if (grepl(" times as likely| as likely to involve", text)) expect_match(text, "Episodes in the .{3,80} category were")
  # totals say what they count: no "that ended" over a "Not yet ended" row
  expect_no_match(text, "with a plan that ended|with a CIN plan that ended")
  expect_no_match(text, "in a row of their own", fixed = TRUE)
  # HTML for screen readers and print
  expect_match(html, "<html[^>]* lang=\"en-GB\"")
  ths <- regmatches(html, gregexpr("<th(\\s[^>]*)?>", html))[[1]]
  expect_gt(length(ths), 10)
  expect_true(all(grepl("scope=", ths)))
  expect_match(html, "caption \\{ break-after: avoid")
})

test_that("the Word report has no path in its XML, charts at print resolution and no orphan heading", {
  skip_if_not(rmarkdown::pandoc_available(), "pandoc is needed to knit the report")
  skip_if_not_installed("xml2")
  out <- knit_returns("word")
  dir <- withr::local_tempdir()
  utils::unzip(out, exdir = dir)
  xml <- paste(readLines(file.path(dir, "word", "document.xml"), warn = FALSE), collapse = "\n")
  doc <- xml2::read_xml(file.path(dir, "word", "document.xml"))
  # no machine path anywhere in the document: text, descriptions, titles
  expect_no_match(xml, paste0("(", path_roots, "|_files/|figure-docx|\\.png\")"))
  expect_no_match(xml, tempdir(), fixed = TRUE)
  text <- paste(xml2::xml_text(xml2::xml_find_all(doc, "//w:t", c(w = W_NS))), collapse = " ")
  expect_length(leaks_in(text), 0)
  # every picture described by its caption
  ns <- c(w = W_NS, wp = "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing",
          pic = "http://schemas.openxmlformats.org/drawingml/2006/picture",
          a = "http://schemas.openxmlformats.org/drawingml/2006/main")
  inner <- xml2::xml_attr(xml2::xml_find_all(doc, "//pic:cNvPr", ns), "descr")
  expect_gt(length(inner), 3)
  expect_true(all(grepl("^Figure [0-9]+\\. ", inner)))
  figures_seen$word <- figure_captions(paste(inner, collapse = " "))
  if (!is.null(figures_seen$html)) expect_identical(figures_seen$word, figures_seen$html)
  # charts at 150 dots per inch or more at their printed size
  ext <- xml2::xml_find_all(doc, "//wp:inline/wp:extent", ns)
  blip <- xml2::xml_attr(xml2::xml_find_all(doc, "//wp:inline//a:blip", ns), "embed")
  rels <- xml2::read_xml(file.path(dir, "word", "_rels", "document.xml.rels"))
  rel_ids <- xml2::xml_attr(xml2::xml_children(rels), "Id")
  targets <- xml2::xml_attr(xml2::xml_children(rels), "Target")[match(blip, rel_ids)]
  widths_in <- as.numeric(xml2::xml_attr(ext, "cx")) / 914400
  px <- vapply(file.path(dir, "word", targets), png_width, 0)
  expect_true(all(px / widths_in >= 150), info = paste(round(px / widths_in), collapse = " "))
  # no heading left alone before the section break of a landscape table
  breaks <- xml2::xml_find_all(doc, "//w:body/w:p[w:pPr/w:sectPr]", ns)
  before <- vapply(breaks, function(b) {
    prev <- xml2::xml_find_first(b, "preceding-sibling::w:p[1]", ns)
    st <- xml2::xml_attr(xml2::xml_find_first(prev, "w:pPr/w:pStyle", ns), "val")
    if (is.na(st)) "" else st
  }, "")
  expect_false(any(grepl("^Heading", before)), info = paste(before, collapse = " "))
})
