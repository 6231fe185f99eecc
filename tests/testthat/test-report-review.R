# The checks of `make review` (R/report-review.R) and the Word layout
# (R/report-docx.R), on small crafted documents: each check fails on a bad
# document and passes on a good one.

W <- "http://schemas.openxmlformats.org/wordprocessingml/2006/main"

# A minimal .docx: the body XML given, an optional footer (its paragraph XML).
craft_docx <- function(body, footer = NULL) {
  skip_if_not_installed("xml2")
  skip_if(!nzchar(Sys.which(Sys.getenv("R_ZIPCMD", "zip"))) && !requireNamespace("zip", quietly = TRUE),
          "no zip program")
  dir <- withr::local_tempdir(.local_envir = parent.frame())
  dir.create(file.path(dir, "_rels"))
  dir.create(file.path(dir, "word", "_rels"), recursive = TRUE)
  rel <- "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
  writeLines(paste0('<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">',
                    '<Default Extension="xml" ContentType="application/xml"/><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>',
                    '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>',
                    if (!is.null(footer)) '<Override PartName="/word/footer1.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.footer+xml"/>',
                    '<Override PartName="/word/settings.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.settings+xml"/></Types>'),
             file.path(dir, "[Content_Types].xml"))
  writeLines(sprintf('<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="%s/officeDocument" Target="word/document.xml"/></Relationships>', rel),
             file.path(dir, "_rels", ".rels"))
  writeLines(sprintf('<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId2" Type="%s/settings" Target="settings.xml"/>%s</Relationships>',
                     rel, if (!is.null(footer)) sprintf('<Relationship Id="rIdF" Type="%s/footer" Target="footer1.xml"/>', rel) else ""),
             file.path(dir, "word", "_rels", "document.xml.rels"))
  writeLines(sprintf('<?xml version="1.0" encoding="UTF-8"?><w:settings xmlns:w="%s"><w:zoom w:percent="100"/><w:footnotePr/></w:settings>', W),
             file.path(dir, "word", "settings.xml"))
  if (!is.null(footer)) {
    writeLines(sprintf('<?xml version="1.0" encoding="UTF-8"?><w:ftr xmlns:w="%s">%s</w:ftr>', W, footer),
               file.path(dir, "word", "footer1.xml"))
  }
  sect <- sprintf('<w:sectPr>%s<w:pgSz w:w="11906" w:h="16838"/><w:pgMar w:top="1134" w:right="1134" w:bottom="1134" w:left="1134"/></w:sectPr>',
                  if (!is.null(footer)) '<w:footerReference w:type="default" r:id="rIdF"/>' else "")
  writeLines(sprintf('<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="%s" xmlns:r="%s"><w:body>%s%s</w:body></w:document>',
                     W, rel, body, sect), file.path(dir, "word", "document.xml"))
  path <- tempfile(fileext = ".docx", tmpdir = withr::local_tempdir(.local_envir = parent.frame()))
  file.create(path)
  docx_zip(dir, path)
  path
}

para <- function(text, style = NULL) {
  sprintf('<w:p>%s<w:r><w:t xml:space="preserve">%s</w:t></w:r></w:p>',
          if (is.null(style)) "" else sprintf('<w:pPr><w:pStyle w:val="%s"/></w:pPr>', style), text)
}
# A table as pandoc writes it: header row, Compact paragraphs, given grid widths.
craft_table <- function(cells, widths) {
  rows <- vapply(seq_len(nrow(cells)), function(i) {
    paste0("<w:tr>", if (i == 1) '<w:trPr><w:tblHeader w:val="true"/></w:trPr>' else "",
           paste0("<w:tc><w:tcPr/>", vapply(cells[i, ], para, "", style = "Compact"), "</w:tc>", collapse = ""), "</w:tr>")
  }, "")
  paste0('<w:tbl><w:tblPr><w:tblStyle w:val="Table"/><w:tblW w:type="pct" w:w="5000"/><w:tblLook w:firstRow="1"/></w:tblPr><w:tblGrid>',
         paste0('<w:gridCol w:w="', widths, '"/>', collapse = ""), "</w:tblGrid>", paste(rows, collapse = ""), "</w:tbl>")
}
empty_toc <- paste0('<w:sdt><w:sdtPr><w:docPartObj><w:docPartGallery w:val="Table of Contents"/><w:docPartUnique/></w:docPartObj></w:sdtPr><w:sdtContent>',
                    para("Contents", "TOCHeading"),
                    '<w:p><w:r><w:fldChar w:fldCharType="begin" w:dirty="true"/><w:instrText xml:space="preserve">TOC \\o &quot;1-2&quot; \\h \\z \\u</w:instrText><w:fldChar w:fldCharType="separate"/><w:fldChar w:fldCharType="end"/></w:r></w:p></w:sdtContent></w:sdt>')
heading <- function(text, level, id) {
  paste0(sprintf('<w:bookmarkStart w:id="%d" w:name="h%d"/>', id, id), para(text, paste0("Heading", level)),
         sprintf('<w:bookmarkEnd w:id="%d"/>', id))
}
page_footer <- paste0('<w:p><w:r><w:t xml:space="preserve">Page </w:t></w:r><w:r><w:fldChar w:fldCharType="begin"/></w:r>',
                      '<w:r><w:instrText xml:space="preserve"> PAGE </w:instrText></w:r><w:r><w:fldChar w:fldCharType="separate"/></w:r>',
                      '<w:r><w:t>1</w:t></w:r><w:r><w:fldChar w:fldCharType="end"/></w:r></w:p>')

test_that("words that do not fit their Word column are found, and the layout makes them fit", {
  cells <- rbind(c("Category", "Domestic abuse", "Neglect"),
                 c("Episodes", "27296 (5.6%)", "1,204 (12.5%)"))
  path <- craft_docx(craft_table(cells, c(500, 500, 500)))
  bad <- review_words_fit(path)
  expect_gt(nrow(bad), 0)
  expect_true(any(grepl("Domestic|27296|Category|Episodes", bad$problem)))
  report_docx_finish(path)
  expect_equal(nrow(review_words_fit(path)), 0)
  r <- review_read(path)
  # the text is untouched, but for the no-break space that now joins a
  # count and its percentage (one word, never wrapped)
  expect_equal(gsub("\u00a0", " ", r$tables[[1]]), cells)
  expect_true(any(grepl("27296\u00a0(5.6%)", r$tables[[1]], fixed = TRUE)))
  # every row kept whole, the header repeated, cells in the table styles
  doc <- r$docx$doc
  ns <- c(w = W)
  expect_length(xml2::xml_find_all(doc, "//w:tr/w:trPr/w:cantSplit", ns), 2)
  expect_length(xml2::xml_find_all(doc, "//w:tr[1]/w:trPr/w:tblHeader", ns), 1)
  expect_setequal(xml2::xml_attr(xml2::xml_find_all(doc, "//w:tc//w:pStyle", ns), "val"), c("TableHeading", "TableText"))
  # no column is wider than needed: the narrow table does not fill the page
  expect_lt(sum(r$widths[[1]]), 11906 - 2 * 1134)
})

test_that("the width of a word follows the font's metrics", {
  w <- text_twips(c("i", "W", "Domestic", "Domestic abuse"))
  expect_lt(w[1], w[2])
  expect_lt(w[3], w[4])
  # Helvetica/Arial: "W" is 0.944 em; at 9 pt an em is 180 twips
  expect_equal(w[2], 0.944 * 180, tolerance = 0.02)
  # arrows (outside Latin-1) are measured, not dropped
  expect_gt(text_twips("\u2191\u2191"), 0)
})

test_that("a table too wide for portrait gets a landscape page of its own", {
  cells <- rbind(c("Characteristic", paste("Extraordinarily", c("complicated", "multifaceted", "interdependent", "uncharacteristic",
                                                             "incomprehensible", "disproportionate", "counterproductive"))),
                 c("Female", rep("1,234 (45.6%)", 7)))
  body <- paste0(para("Before"), para("Table 1. Wide", "TableCaption"), craft_table(cells, rep(1000, 8)), para("After"))
  path <- craft_docx(body)
  report_docx_finish(path)
  r <- review_read(path)
  ns <- c(w = W)
  sects <- xml2::xml_find_all(r$docx$doc, "//w:p/w:pPr/w:sectPr", ns)
  expect_length(sects, 2)
  orient <- xml2::xml_attr(xml2::xml_find_first(sects, "w:pgSz", ns), "orient")
  expect_equal(orient, c(NA, "landscape"))
  # the caption goes with the table onto the landscape page
  kids <- xml2::xml_name(xml2::xml_children(xml2::xml_find_first(r$docx$doc, "//w:body", ns)))
  expect_equal(kids, c("p", "p", "p", "tbl", "p", "p", "sectPr"))
  expect_lte(sum(r$widths[[1]]), 16838 - 2 * 1134)
  expect_equal(nrow(review_words_fit(r)), 0)
})

test_that("a footer without a page number, and an empty contents list, are found", {
  no_footer <- craft_docx(paste0(empty_toc, heading("Summary", 1, 1), para("Text")))
  expect_match(review_page_numbers(no_footer)$problem, "no footer")
  plain_footer <- craft_docx(para("x"), footer = para("Children's services"))
  expect_match(review_page_numbers(plain_footer)$problem, "no page number")
  numbered <- craft_docx(para("x"), footer = page_footer)
  expect_equal(nrow(review_page_numbers(numbered)), 0)

  expect_match(review_contents_filled(no_footer)$problem, "empty")
  # pandoc's heading "Table of Contents" is found
  us_toc <- craft_docx(paste0(sub(">Contents<", ">Table of Contents<", empty_toc, fixed = TRUE),
                              heading("Summary", 1, 1), para("Text")))
  report_docx_finish(us_toc)
  expect_match(review_contents_filled(us_toc)$problem, "headed \"Table of Contents\"")
  no_toc <- craft_docx(para("x"))
  expect_match(review_contents_filled(no_toc)$problem, "no table of contents")
})

test_that("the layout fills the contents with every heading, linked, with a page field LibreOffice works out", {
  body <- paste0(empty_toc, heading("Summary", 1, 1), para("Text"), heading("Data &amp; audit", 1, 2),
                 heading("How stable?", 2, 3), para("More"))
  path <- craft_docx(body)
  report_docx_finish(path)
  r <- review_read(path)
  expect_equal(nrow(review_contents_filled(r)), 0)
  ns <- c(w = W)
  sdt <- xml2::xml_find_first(r$docx$doc, "//w:sdt", ns)
  entries <- xml2::xml_find_all(sdt, ".//w:p[w:pPr/w:pStyle[starts-with(@w:val, 'TOC') and @w:val != 'TOCHeading']]", ns)
  expect_equal(xml2::xml_attr(xml2::xml_find_first(entries, "w:pPr/w:pStyle", ns), "val"), c("TOC1", "TOC1", "TOC2"))
  expect_match(xml2::xml_text(entries[[2]]), "Data & audit", fixed = TRUE)
  # each entry links to a bookmark inside its heading's paragraph, and has a
  # PAGEREF field of its own to it; no TOC field whose cached text would be
  # printed as it is (LibreOffice printed the contents without page numbers)
  anchors <- xml2::xml_attr(xml2::xml_find_first(entries, "w:hyperlink", ns), "anchor")
  heads <- xml2::xml_find_all(r$docx$doc, "//w:body/w:p[w:pPr/w:pStyle[starts-with(@w:val, 'Heading')]]", ns)
  expect_equal(xml2::xml_attr(xml2::xml_find_first(heads, "w:bookmarkStart", ns), "name"), anchors)
  instr <- xml2::xml_text(xml2::xml_find_all(sdt, ".//w:instrText", ns))
  expect_equal(trimws(instr), paste("PAGEREF", anchors, "\\h"))
  ids <- xml2::xml_attr(xml2::xml_find_all(r$docx$doc, "//w:bookmarkStart", ns), "id")
  expect_false(anyDuplicated(ids) > 0)
  # Word refreshes the page numbers on opening
  settings <- xml2::read_xml(unz(path, "word/settings.xml"))
  expect_length(xml2::xml_find_all(settings, "//w:updateFields[@w:val='true']", ns), 1)
})

test_that("LibreOffice prints the contents with page numbers, also for a heading after a table", {
  skip_on_cran()
  skip_if(!nzchar(Sys.which("libreoffice")) || !nzchar(Sys.which("pdftotext")), "LibreOffice or pdftotext not installed")
  tbl <- craft_table(rbind(c("A", "B"), c("1", "2")), c(2000, 2000))
  body <- paste0(empty_toc, heading("Summary", 1, 1), para("Text"), tbl,
                 heading("After a table", 1, 2), para("More"),
                 strrep(para("Filler"), 120), heading("Later", 1, 3), para("End"))
  path <- craft_docx(body)
  report_docx_finish(path)
  out <- withr::local_tempdir()
  prof <- withr::local_tempdir()
  system2("env", c("-u", "LD_LIBRARY_PATH", "libreoffice", paste0("-env:UserInstallation=file://", prof),
                   "--headless", "--convert-to", "pdf", "--outdir", shQuote(out), shQuote(path)),
          stdout = FALSE, stderr = FALSE)
  pdf <- file.path(out, sub("docx$", "pdf", basename(path)))
  skip_if(!file.exists(pdf), "LibreOffice could not convert the document")
  txt <- system2("pdftotext", c("-layout", shQuote(pdf), "-"), stdout = TRUE)
  expect_false(any(grepl("Reference source not found", txt)))
  line <- function(h) trimws(grep(paste0("^\\s*", h, "[ .]"), txt, value = TRUE)[1])
  expect_match(line("Summary"), "[0-9]+$")
  expect_match(line("After a table"), "[0-9]+$")
  expect_match(line("Later"), "[0-9]+$")
  expect_gt(as.integer(sub("^.*?([0-9]+)$", "\\1", line("Later"))),
            as.integer(sub("^.*?([0-9]+)$", "\\1", line("Summary"))))
})

test_that("the shipped reference document is A4 with page numbers and the table styles", {
  ref <- report_reference_docx()
  skip_if(!nzchar(ref), "package not installed with its template")
  r <- review_read(ref)
  ns <- c(w = W)
  sz <- xml2::xml_find_first(r$docx$doc, "//w:body/w:sectPr/w:pgSz", ns)
  expect_equal(as.numeric(xml2::xml_attr(sz, "w")), 11906)
  expect_equal(as.numeric(xml2::xml_attr(sz, "h")), 16838)
  expect_equal(nrow(review_page_numbers(r)), 0)
  styles <- xml2::xml_attr(xml2::xml_find_all(r$docx$parts[["styles.xml"]], "//w:style", ns), "styleId")
  expect_true(all(c("TableText", "TableHeading", "TOC1", "TOC2", "Table", "Heading1") %in% styles))
})

test_that("rows of large totals hidden behind c, and all-zero rows, are found", {
  bad <- rbind(c("Gender", "Neglect", "Domestic abuse", "Disability", "Total"),
               c("Female", "c", "c", "412 (40.1%)", "2,310 (51.0%)"),
               c("Male", "c", "c", "601 (59.9%)", "2,210 (48.8%)"),
               c("Unknown", "c", "0 (0.0%)", "c", "c"),
               c("Not known", "0 (0.0%)", "0 (0.0%)", "0 (0.0%)", "0 (0.0%)"))
  sup <- review_suppressed_rows(list(bad), threshold = 10)
  expect_equal(sup$where, c("table 1, row \"Female\"", "table 1, row \"Male\""))
  expect_match(sup$problem[1], "2 of its 3 cells are suppressed although the row holds 2,310")
  zero <- review_zero_rows(list(bad))
  expect_equal(zero$where, "table 1, row \"Not known\"")
  good <- rbind(c("Gender", "Neglect", "Domestic abuse", "Total"),
                c("Female", "1,200 (52.0%)", "1,110 (50.0%)", "2,310 (51.0%)"),
                c("Unknown", "c", "c", "12 (0.3%)"))
  expect_equal(nrow(review_suppressed_rows(list(good))), 0)
  expect_equal(nrow(review_zero_rows(list(good))), 0)
  # without a total column the visible counts are the total
  nototal <- rbind(c("Gender", "A", "B", "C"), c("Female", "c", "c", "900 (40%)"))
  expect_equal(nrow(review_suppressed_rows(list(nototal))), 1)
  expect_equal(review_cell_count(c("1,234 (5.6%)", "c", "x1.5", "0", "12.5")), c(1234, NA, NA, 0, 12.5))
})

test_that("a row of ten times the threshold with most of its cells hidden is found, and a chart that disagrees with its table", {
  # 120 episodes in seven categories, four of them hidden
  t7 <- rbind(c("Gender", LETTERS[1:7], "All episodes"),
              c("Female", "c", "c", "c", "c", "30 (50.0%)", "25 (50.0%)", "20 (50.0%)", "120 (50.0%)"),
              c("Unknown", "c", "c", "c", "c", "0 (0.0%)", "0 (0.0%)", "0 (0.0%)", "14 (5.8%)"))
  expect_equal(review_suppressed_rows(list(t7), 10)$where, "table 1, row \"Female\"")
  t7[2, 6:8] <- c("c", "c", "c")
  t7[2, 2:5] <- c("20 (50.0%)", "20 (50.0%)", "10 (50.0%)", "20 (50.0%)")
  expect_equal(nrow(review_suppressed_rows(list(t7), 10)), 0)
  # the chart of a crosstab against its table
  ep <- data.frame(class = rep(c("Neglect", "Domestic abuse"), c(200, 150)),
                   src = c(rep(c("Police", "Schools", "Health"), c(120, 75, 5)), rep(c("Police", "Schools", "Health"), c(60, 70, 20))))
  ct <- class_crosstab(ep, "class", "src")
  tab <- rbind(names(ct), as.matrix(as.data.frame(unclass(ct), check.names = FALSE)))
  dimnames(tab) <- NULL
  pd <- crosstab_plot_data(ct)
  expect_equal(nrow(review_chart_tables(list(list(pd)), list(tab))), 0)
  # a hidden cell drawn, a percentage that differs, and a chart with no table
  leak <- rbind(pd, data.frame(level = "Health", class = "Neglect", pct = 2.5))
  expect_match(review_chart_tables(list(list(leak)), list(tab))$problem, "Health / Neglect is drawn but hidden")
  off <- pd
  off$pct[off$level == "Police" & off$class == "Neglect"] <- 61
  expect_match(review_chart_tables(list(list(off)), list(tab))$problem, "drawn at 61.0%")
  expect_match(review_chart_tables(list(list(pd)), list(tab[, 1:2]))$problem, "no table")
})

test_that("a table labelled with another council's name is found", {
  bad <- rbind(c("Category", "Sunderland", "Kingston upon Thames", "All episodes"),
               c("Neglect", "120 (30.0%)", "90 (25.0%)", "210 (27.6%)"))
  p <- review_council_tables(list(bad), council = "Sunderland")
  expect_equal(p$where, "table 1")
  expect_match(p$problem, "Kingston upon Thames")
  rows <- rbind(c("Council", "Episodes"), c("Sunderland", "400"), c("Barnsley", "300"))
  expect_match(review_council_tables(list(bad[, 1:2], rows), "Sunderland")$problem, "Barnsley")
  good <- rbind(c("Category", "Sunderland", "The other council in the model (%)"),
                c("Neglect", "120 (30.0%)", "25.0%"))
  expect_equal(nrow(review_council_tables(list(good), council = "Sunderland")), 0)
  # the council's own name, a region or England are not other councils
  ctx <- rbind(c("Measure", "Sunderland", "North East", "Statistical neighbours", "England"))
  expect_equal(nrow(review_council_tables(list(ctx), council = "Sunderland")), 0)
})

test_that("'times less likely', councils by position and other councils as labels are found", {
  text <- c("Neglect is 2.2 times less likely in this category.",
            "The first council has the most episodes.",
            "It is about a third as likely.",
            "The ratios (Leicestershire table) compare categories.",
            "Kingston Table 3 shows the fit.",
            "Its statistical neighbours are Barnsley and Rochdale.")
  ph <- review_phrasing(text)
  expect_equal(ph$where, c("paragraph 1", "paragraph 2"))
  expect_match(ph$problem[1], "2.2 times less likely", fixed = TRUE)
  lab <- review_council_labels(text, council = "Sunderland")
  expect_equal(lab$where, c("paragraph 4", "paragraph 5"))
  expect_match(lab$problem[1], "Leicestershire table")
  expect_match(lab$problem[2], "no references section")
  ok <- c(text[c(3, 5, 6)], "References", "Kingston upon Thames (2020) ...")
  expect_equal(nrow(review_phrasing(ok)), 0)
  expect_equal(nrow(review_council_labels(ok, council = "Sunderland")), 0)
  # counts under ten as figures, and R's print of an empty value
  more <- c("It uses 7,628 episodes and 11,013 of 2 other councils.",
            "(b) Mean of the 8 of the 10 statistical neighbours with a published figure.",
            "NULL",
            "This report uses K = 7 categories, in 12 councils over 3.5 years; 1 of 10 starts.",
            "two other councils; eight of the ten statistical neighbours; 10 councils")
  ph2 <- review_phrasing(more)
  expect_equal(ph2$where, c("paragraph 1", "paragraph 2", "paragraph 3"))
  expect_match(ph2$problem[1], "\"2 other councils\"", fixed = TRUE)
  expect_match(ph2$problem[2], "\"8 of the 10 statistical neighbours\"", fixed = TRUE)
  expect_match(ph2$problem[3], "R output", fixed = TRUE)
})

test_that("a research group named after a place is not a council: its name as a label is found for every council", {
  text <- c("Factors are left out as the Kingston defaults do.",
            "The rule is the one of the Kingston study.",
            "Episodes of Kingston upon Thames categories are shown.",
            "Kingston University's study (Kingston University, 2020) left them out.",
            "Leicestershire County Council's needs analysis gives the ratios.")
  for (council in c("Sunderland", "Kingston upon Thames", "Kingston upon Hull, City of")) {
    lab <- review_council_labels(text, council = council)
    expect_equal(lab$where[grepl("research group", lab$problem)], c("paragraph 1", "paragraph 2"), info = council)
    expect_match(lab$problem[grepl("research group", lab$problem)][1], "Kingston University, 2020.*\"Kingston defaults\"", info = council)
  }
  # the report's own council, named in full, is not taken for the research group
  expect_false(any(review_council_labels(text[3:5], council = "Kingston upon Thames")$where == "paragraph 1"))
  expect_equal(nrow(review_council_labels(text[4:5], council = "Kingston upon Thames")), 0)
  # "Kingston upon Thames categories" in another council's report is another council as a label
  expect_equal(review_council_labels(text[3], council = "Sunderland")$where, "paragraph 1")
})

test_that("a plotted value resting on a count under the threshold is found", {
  rates <- data.frame(decile = 1:3, n = c(3, 40, 0), children = c(900, 1500, 800),
                      rate = c(33, 267, 0), lower = c(7, 190, 0), upper = c(97, 363, 46))
  bad <- review_plot_counts(list(rates), threshold = 10)
  expect_equal(nrow(bad), 1)
  expect_match(bad$problem, "1 plotted value rest on a count under 10 (n = 3)", fixed = TRUE)
  hidden <- rates
  hidden[1, c("rate", "lower", "upper", "children")] <- NA
  expect_equal(nrow(review_plot_counts(list(hidden))), 0)
  p <- ggplot2::ggplot(rates, ggplot2::aes(factor(decile), rate)) + ggplot2::geom_col()
  expect_equal(nrow(review_plot_counts(list(p))), 1)
  # a layer's own data are checked too
  p2 <- ggplot2::ggplot() + ggplot2::geom_col(data = rates, ggplot2::aes(factor(decile), rate))
  expect_equal(review_plot_counts(list(hidden, p2))$where, "plot 2")
  # as tools/review.R keeps them: the data of a plot and of its layers
  expect_equal(review_plot_counts(list(list(hidden, NULL), list(NULL, rates)))$where, "plot 2")
  # DfE's published figures are public already
  published <- data.frame(year = 2024, comparator = "Council", count = 7, percent = 0.2)
  expect_equal(nrow(review_plot_counts(list(published))), 0)
})

test_that("tables and text are read alike from HTML", {
  skip_if_not_installed("xml2")
  html <- withr::local_tempfile(fileext = ".html")
  writeLines(c("<html><body><h1>Summary</h1><p>It is 2.2 times less likely.</p>",
               "<table><caption>Table 1.</caption><tr><th>Gender</th><th>A</th><th>Total</th></tr>",
               "<tr><td>Female</td><td>0 (0.0%)</td><td>0 (0.0%)</td></tr></table></body></html>"), html)
  r <- review_read(html)
  expect_equal(r$tables[[1]], rbind(c("Gender", "A", "Total"), c("Female", "0 (0.0%)", "0 (0.0%)")))
  expect_equal(nrow(review_phrasing(r$text)), 1)
  expect_equal(nrow(review_zero_rows(r$tables)), 1)
})

test_that("review_page_blank() measures the blank share of each page's body below its last ink", {
  skip_if(!nzchar(Sys.which("pdftoppm")), "pdftoppm (poppler) is not installed")
  pdf <- tempfile(fileext = ".pdf")
  grDevices::pdf(pdf, width = 8.27, height = 11.69)
  # page 1: one line an inch below the top margin; page 2: a block ending an
  # inch above the bottom margin; page 3: empty
  for (y in c(11.69 - 0.79 - 1, 0.79 + 1)) {
    grid::grid.newpage()
    grid::grid.rect(x = grid::unit(2, "in"), y = grid::unit(y, "in"), width = grid::unit(3, "in"),
                    height = grid::unit(0.2, "in"), just = c("left", "top"), gp = grid::gpar(fill = "black"))
  }
  grid::grid.newpage()
  grDevices::dev.off()
  b <- review_page_blank(pdf, dpi = 40)
  body <- 11.69 - 2 * 0.79
  expect_equal(b$page, 1:3)
  expect_equal(b$blank[1], (body - 1.2) / body, tolerance = 0.02)
  expect_equal(b$blank[2], 1 / body, tolerance = 0.1)
  expect_equal(b$blank[3], 1)
})
