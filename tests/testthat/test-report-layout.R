# Layout of both formats (issue 23, finding 13): ranges that never break at
# their hyphen, notes kept with their tables, no page left blank for a table.

LW <- c(w = "http://schemas.openxmlformats.org/wordprocessingml/2006/main")
wdoc <- function(body) {
  xml2::read_xml(sprintf('<w:document xmlns:w="%s"><w:body>%s<w:sectPr><w:pgSz w:w="11906" w:h="16838"/></w:sectPr></w:body></w:document>',
                         LW[["w"]], body))
}
wp <- function(text, style = NULL) {
  sprintf("<w:p>%s<w:r><w:t>%s</w:t></w:r></w:p>",
          if (is.null(style)) "" else sprintf('<w:pPr><w:pStyle w:val="%s"/></w:pPr>', style), text)
}
wtbl <- function(n, cols = 2) {
  row <- function(i) paste0("<w:tr>", paste(rep(sprintf("<w:tc>%s</w:tc>", wp(paste("r", i))), cols), collapse = ""), "</w:tr>")
  paste0("<w:tbl><w:tblPr/><w:tblGrid/>", paste(vapply(seq_len(n), row, ""), collapse = ""), "</w:tbl>")
}
kept <- function(tbl) {
  vapply(xml2::xml_find_all(tbl, "w:tr", LW), function(r) {
    !inherits(xml2::xml_find_first(r, ".//w:pPr/w:keepNext", LW), "xml_missing")
  }, logical(1))
}

test_that("Word: a short table moves whole with its caption and note, a long one keeps only its ends", {
  skip_if_not_installed("xml2")
  doc <- wdoc(paste0(wp("Table 1. Short", "TableCaption"), wtbl(5), wp("Note: small numbers are hidden."),
                     wp("Table 2. Long", "TableCaption"), wtbl(30), wp("Note under the long table."),
                     wp("Table 3. No note", "TableCaption"), wtbl(4), wp("Next section", "Heading1")))
  docx_keep_tables(doc)
  tb <- xml2::xml_find_all(doc, "//w:body/w:tbl", LW)
  caps <- xml2::xml_find_all(doc, "//w:p[w:pPr/w:pStyle/@w:val='TableCaption']", LW)
  for (cp in caps) expect_false(inherits(xml2::xml_find_first(cp, "w:pPr/w:keepNext", LW), "xml_missing"))
  # short: every row, including the last (held to its note)
  expect_equal(kept(tb[[1]]), rep(TRUE, 5))
  expect_true(table_is_short(12, 1000))
  expect_false(table_is_short(13, 200))
  expect_false(table_is_short(3, 1500))
  # long: the first two and the last two rows only, so it flows across pages
  expect_equal(which(kept(tb[[2]])), c(1, 2, 29, 30))
  # no note (a heading follows): the last row is not tied to the heading
  expect_equal(kept(tb[[3]]), c(TRUE, TRUE, TRUE, FALSE))
  # keepNext sits before the style's successors in the schema order (after pStyle)
  ppr <- xml2::xml_find_first(caps[[1]], "w:pPr", LW)
  expect_equal(xml2::xml_name(xml2::xml_children(ppr)), c("pStyle", "keepNext"))
})

test_that("Word: a landscape table's note stays on its landscape page", {
  skip_if_not_installed("xml2")
  wide <- paste0("<w:tr>", paste(rep(sprintf("<w:tc>%s</w:tc>", wp("Extraordinarily")), 14), collapse = ""), "</w:tr>")
  doc <- wdoc(paste0(wp("Before"), wp("Table 4. Fit", "TableCaption"),
                     "<w:tbl><w:tblPr/><w:tblGrid/>", wide, wide, "</w:tbl>", wp("Note: BIC is ..."), wp("After")))
  tbl <- xml2::xml_find_all(doc, "//w:body/w:tbl", LW)
  land <- vapply(tbl, docx_table_layout, logical(1))
  expect_true(land)
  docx_landscape(doc, land)
  kids <- xml2::xml_children(xml2::xml_find_first(doc, "//w:body", LW))
  what <- vapply(kids, function(k) {
    if (xml2::xml_name(k) != "p") return(xml2::xml_name(k))
    if (!inherits(xml2::xml_find_first(k, "w:pPr/w:sectPr", LW), "xml_missing")) return("break")
    xml2::xml_text(k)
  }, "")
  expect_equal(what, c("Before", "break", "Table 4. Fit", "tbl", "Note: BIC is ...", "break", "After", "sectPr"))
})

test_that("Word: hyphens in year and age ranges are non-breaking, other hyphens are not", {
  skip_if_not_installed("xml2")
  doc <- wdoc(paste0(wp("2024-25"), wp("Aged 0-4 and 10-15 years"), wp("CIN census returns 2022-23 to 2024-25"),
                     wp("Self-harm and well-being"), wp("-136,340.2")))
  docx_nobreak_ranges(doc)
  ps <- xml2::xml_find_all(doc, "//w:body/w:p", LW)
  nbh <- vapply(ps, function(p) length(xml2::xml_find_all(p, ".//w:noBreakHyphen", LW)), 1L)
  expect_equal(nbh, c(1L, 2L, 2L, 0L, 0L))
  # the text reads the same, the range's hyphen being Word's non-breaking one
  txt <- vapply(ps, function(p) {
    paste(vapply(xml2::xml_find_all(p, ".//w:t | .//w:noBreakHyphen", LW), function(n) {
      if (xml2::xml_name(n) == "noBreakHyphen") "-" else xml2::xml_text(n)
    }, ""), collapse = "")
  }, "")
  expect_equal(txt, c("2024-25", "Aged 0-4 and 10-15 years", "CIN census returns 2022-23 to 2024-25",
                      "Self-harm and well-being", "-136,340.2"))
  expect_false(any(grepl("[0-9]-[0-9]", xml2::xml_text(xml2::xml_find_all(doc, "//w:t", LW)))))
})

test_that("HTML: each table and its note in a wrapper, ranges in nowrap spans, scripts untouched", {
  f <- tempfile(fileext = ".html")
  rows <- function(n) paste(sprintf("<tr><td>0-4</td><td>%d</td></tr>", seq_len(n)), collapse = "\n")
  writeLines(c("<html>", "<head><script>var a = 1-2;</script></head>", "<body>",
               "<p>Returns 2022-23 to 2024-25, self-harm.</p>",
               "<table>", "<caption>Table 1. Short</caption>", "<thead><tr><th>Age</th><th>2024-25</th></tr></thead>",
               rows(3), "</table>", "<p><em>Note: hidden.</em></p>",
               "<table>", "<caption>Table 2. Long</caption>", rows(20), "</table>",
               "<table>", "<caption>Table 3. Few rows, long cells</caption>", rows(2),
               sprintf("<tr><td>%s</td></tr>", strrep("Alcohol misuse - other person (1C): 474; ", 30)), "</table>",
               "<p>Short note.</p>",
               "<h1>Next</h1>", "<script>x = 3-4;</script>", "<img alt=\"ages 5-9\" src=\"data:image/png;base64,AB-12\">",
               "</body>", "</html>"), f)
  before <- paste(readLines(f), collapse = "\n")
  report_html_finish(f)
  h <- paste(readLines(f), collapse = "\n")
  expect_match(h, "<div class=\"table-block short keep\"><table>\n<caption>Table 1. Short</caption>", fixed = TRUE)
  expect_match(h, "</table>\n<p><em>Note: hidden.</em></p></div>", fixed = TRUE)
  expect_match(h, "<div class=\"table-block\"><table>\n<caption>Table 2. Long</caption>", fixed = TRUE)
  # three rows but as tall as a long table: it flows like one, its note kept with its end
  expect_match(h, "<div class=\"table-block\"><table>\n<caption>Table 3. Few rows", fixed = TRUE)
  expect_match(h, "</table>\n<p>Short note.</p></div>", fixed = TRUE)
  expect_match(h, "Returns <span class=\"nowrap\">2022-23</span> to <span class=\"nowrap\">2024-25,</span> self-harm.", fixed = TRUE)
  # a span holds the whole word, so reading tags as spaces adds no space inside a word
  words <- function(z) strsplit(gsub("\\s+", " ", gsub("<[^>]+>", " ", z)), " ")[[1]]
  expect_equal(words(h), words(before))
  expect_match(h, "<th scope=\"col\"><span class=\"nowrap\">2024-25</span></th>", fixed = TRUE)
  expect_match(h, "<td><span class=\"nowrap\">0-4</span></td>", fixed = TRUE)
  # code and attributes are left as they were
  expect_match(h, "<script>var a = 1-2;</script>", fixed = TRUE)
  expect_match(h, "<script>x = 3-4;</script>", fixed = TRUE)
  expect_match(h, "alt=\"ages 5-9\"", fixed = TRUE)
  # the text a reader searches for or copies is unchanged
  expect_equal(gsub("<[^>]+>", "", h), gsub("<[^>]+>", "", before))
  # a second pass changes nothing
  report_html_finish(f)
  expect_identical(paste(readLines(f), collapse = "\n"), h)
})

test_that("the print style keeps short tables whole and notes with tables, and never breaks a range", {
  css <- readLines(system.file("rmarkdown", "templates", "demand-report", "skeleton", "skeleton.Rmd", package = "cscdemand"))
  css <- paste(css, collapse = "\n")
  expect_match(css, ".table-block.short > table, .table-block.keep { break-inside: avoid", fixed = TRUE)
  expect_match(css, ".table-block > p { break-before: avoid", fixed = TRUE)
  expect_match(css, ".nowrap { white-space: nowrap; }", fixed = TRUE)
  # no rule keeps every table whole (a long table moved to a new page left
  # most of a page blank)
  expect_no_match(css, "\n  table { break-inside: avoid", fixed = TRUE)
})

test_that("Word: a table too wide at 9 points is set compact on a portrait page before going landscape", {
  skip_if_not_installed("xml2")
  # ten columns of words that need about 10,000 twips at 9 points, about 9,400 compact
  words <- c("Categories", "Log-likelihood", "Parameters", "-129,717.8", "261,490.7", "classification",
             "category", "Random", "held-out", "p-value")
  cell <- function(x) sprintf("<w:tc>%s</w:tc>", wp(x))
  row <- paste0("<w:tr>", paste(vapply(words, cell, ""), collapse = ""), "</w:tr>")
  doc <- wdoc(paste0(wp("Table 4. Fit", "TableCaption"), "<w:tbl><w:tblPr/><w:tblGrid/>", row, row, "</w:tbl>"))
  tbl <- xml2::xml_find_first(doc, "//w:body/w:tbl", LW)
  cells <- docx_table_cells(tbl)
  portrait <- docx_page$width - 2 * docx_page$margin
  expect_gt(sum(apply(docx_cell_widths(cells, 9)$word, 2, max)), portrait)
  expect_false(docx_table_layout(tbl))
  # read back as Word would read the file
  tbl <- xml2::xml_find_first(xml2::read_xml(as.character(doc)), "//w:body/w:tbl", LW)
  # every run at 8 points, narrower margins, and the words fit their columns at that size
  expect_true(all(xml2::xml_attr(xml2::xml_find_all(tbl, ".//w:r/w:rPr/w:sz", LW), "val") == "16"))
  expect_equal(xml2::xml_attr(xml2::xml_find_first(tbl, "w:tblPr/w:tblCellMar/w:left", LW), "w"), "45")
  grid <- as.numeric(xml2::xml_attr(xml2::xml_find_all(tbl, "w:tblGrid/w:gridCol", LW), "w"))
  expect_lte(sum(grid), portrait)
  need <- apply(docx_cell_widths(cells, 8, 45)$word, 2, max)
  expect_true(all(grid >= floor(need)))
  # a table that fits at 9 points is left as it was
  small <- wdoc(paste0("<w:tbl><w:tblPr/><w:tblGrid/>", paste0("<w:tr>", cell("Age"), cell("0-4"), "</w:tr>"), "</w:tbl>"))
  t2 <- xml2::xml_find_first(small, "//w:body/w:tbl", LW)
  expect_false(docx_table_layout(t2))
  expect_length(xml2::xml_find_all(t2, ".//w:sz", LW), 0)
})

test_that("Word: a table whose words do not fit even landscape keeps every column a positive share of its words", {
  skip_if_not_installed("xml2")
  # 30 columns: one of long cells (want far above need), 29 of long words;
  # the old share of the shortfall took it from the long-cell column down to
  # a negative width
  long <- paste(rep("word", 60), collapse = " ")
  cells <- rbind(c("Head", rep("Extraordinarily", 29)), c(long, rep("Characteristics", 29)))
  lay <- docx_column_widths(cells)
  landscape <- docx_page$height - 2 * docx_page$margin
  need <- apply(docx_cell_widths(cells)$word, 2, max)
  expect_true(lay$landscape)
  expect_gt(sum(need), landscape)
  expect_true(all(lay$width > 0))
  expect_lte(sum(lay$width), landscape)
  # every column the same share of its words' width
  r <- lay$width / need
  expect_lt(max(r) - min(r), 0.01)
})

test_that("Word: a long table of one or two rows is kept without an index error", {
  skip_if_not_installed("xml2")
  big <- paste(rep("many words in a very long cell", 40), collapse = " ")
  one <- sprintf("<w:tbl><w:tblPr/><w:tblGrid/><w:tr><w:tc>%s</w:tc></w:tr></w:tbl>", wp(big))
  doc <- wdoc(paste0(wp("Table 9. Audit", "TableCaption"), one, wp("Note.")))
  expect_no_error(docx_keep_tables(doc))
  expect_equal(kept(xml2::xml_find_first(doc, "//w:body/w:tbl", LW)), TRUE)
})

test_that("Word: two landscape tables in a row share landscape pages, with no blank portrait page between", {
  skip_if_not_installed("xml2")
  wide <- paste0("<w:tr>", paste(rep(sprintf("<w:tc>%s</w:tc>", wp("Extraordinarily")), 14), collapse = ""), "</w:tr>")
  tb <- paste0("<w:tbl><w:tblPr/><w:tblGrid/>", wide, wide, "</w:tbl>")
  doc <- wdoc(paste0(wp("Before"), wp("Table 4. Fit", "TableCaption"), tb, wp("Table 5. More", "TableCaption"), tb, wp("After")))
  tbl <- xml2::xml_find_all(doc, "//w:body/w:tbl", LW)
  land <- vapply(tbl, docx_table_layout, logical(1))
  expect_equal(land, c(TRUE, TRUE))
  docx_landscape(doc, land)
  kids <- xml2::xml_children(xml2::xml_find_first(doc, "//w:body", LW))
  what <- vapply(kids, function(k) {
    if (xml2::xml_name(k) != "p") return(xml2::xml_name(k))
    sz <- xml2::xml_find_first(k, "w:pPr/w:sectPr/w:pgSz", LW)
    if (!inherits(sz, "xml_missing")) return(if (identical(xml2::xml_attr(sz, "orient"), "landscape")) "L" else "P")
    xml2::xml_text(k)
  }, "")
  # one portrait break before the first, one landscape break after the second
  # (the paragraph after the second is read as its note)
  expect_equal(what, c("Before", "P", "Table 4. Fit", "tbl", "Table 5. More", "tbl", "After", "L", "sectPr"))
})

test_that("Word: the contents are written even when the contents block has no field paragraph", {
  skip_if_not_installed("xml2")
  toc <- '<w:sdt><w:sdtPr><w:docPartObj><w:docPartGallery w:val="Table of Contents"/></w:docPartObj></w:sdtPr><w:sdtContent></w:sdtContent></w:sdt>'
  doc <- wdoc(paste0(toc, wp("Summary", "Heading1"), wp("Text"), wp("Method", "Heading2")))
  expect_no_error(docx_fill_toc(doc))
  entries <- xml2::xml_find_all(doc, "//w:sdtContent/w:p", LW)
  expect_equal(vapply(entries, function(p) xml2::xml_text(xml2::xml_find_first(p, ".//w:t", LW)), ""), c("Summary", "Method"))
})

# A latent class model of K categories with names of `name_len` characters and
# J factor labels, made by hand (the layout depends on the labels, not the fit).
layout_fit <- function(K, J = 30, name_len = 60, item_len = 45, seed = 1) {
  set.seed(seed)
  items <- sprintf("item%02d", seq_len(J))
  cls <- paste("Class", seq_len(K))
  probs <- stats::setNames(lapply(items, function(it) {
    p <- stats::runif(K)
    matrix(c(1 - p, p), K, 2, dimnames = list(cls, c("0", "1")))
  }), items)
  words <- c("Parental", "mental", "health", "substance", "misuse", "domestic", "abuse", "neglect",
             "and", "with", "harm", "outside", "the", "home", "disability")
  phrase <- function(n) trimws(substr(paste(sample(words, 25, TRUE), collapse = " "), 1, n))
  fit <- structure(list(items = items, class_size = stats::setNames(rep(1 / K, K), cls), probs = probs,
                        nobs = 5000, k = K,
                        class_names = stats::setNames(make.unique(vapply(seq_len(K), function(k) phrase(name_len), "")), cls)),
                   class = "cscdemand_lca")
  list(fit = fit, labels = stats::setNames(vapply(seq_len(J), function(j) phrase(item_len), ""), items))
}

test_that("the figure check finds text cut off at the figure's edge and labels that run together", {
  p <- ggplot2::ggplot(data.frame(x = c("A label", "Another label"), y = 1:2), ggplot2::aes(x, y)) +
    ggplot2::geom_col() + ggplot2::labs(caption = paste(rep("a caption far too long for its figure", 6), collapse = " "))
  pr <- review_figure_text(p, 4, 3)
  expect_true(any(pr$where == "caption" & grepl("cut off at the left", pr$problem)))
  # narrow: the two axis labels run into each other
  pr <- review_figure_text(p + ggplot2::labs(caption = NULL), 0.9, 3)
  expect_true(any(grepl("run into each other", pr$problem)))
  expect_equal(nrow(review_figure_text(p + ggplot2::labs(caption = NULL), 4, 3)), 0L)
})

test_that("no text of the category charts is cut off or runs together, at 3 to 12 categories and any name length", {
  # second reader: the Word heatmap's key lost its start ("ange (grey)"): the
  # caption was measured in Helvetica metrics for the whole figure's width,
  # but drawn in the device's font, aligned to the panel, left of a legend
  for (K in c(3, 6, 7, 12)) for (nl in c(12, 60)) {
    f <- layout_fit(K, name_len = nl)
    for (w in c(6.5, 8)) {
      heat <- report_fit_titles(plot_item_probs(f$fit, labels = f$labels), w)
      pr <- review_figure_text(heat, w, report_figure_height(f$fit, "item_probs", labels = f$labels))
      expect_equal(nrow(pr), 0L, info = paste("heatmap", K, nl, w, paste(pr$problem, collapse = "; ")))
      sizes <- report_fit_titles(plot_class_sizes(f$fit), w)
      pr <- review_figure_text(sizes, w, report_figure_height(f$fit, "class_sizes"))
      expect_equal(nrow(pr), 0L, info = paste("sizes", K, nl, w, paste(pr$problem, collapse = "; ")))
    }
  }
  # a title or caption of any length, even one word wider than the figure
  long <- ggplot2::ggplot() + ggplot2::labs(title = paste(rep("Title", 40), collapse = " "),
                                            caption = strrep("x", 200))
  expect_equal(nrow(review_figure_text(report_fit_titles(long, 6.5), 6.5, 4)), 0L)
})

test_that("an axis title longer than the figure is broken, not cut off (the deprivation chart's y axis)", {
  d <- data.frame(decile = factor(1:10), rate = seq(100, 550, by = 50))
  p <- ggplot2::ggplot(d, ggplot2::aes(decile, rate)) + ggplot2::geom_col() +
    ggplot2::labs(x = "IMD decile of the child's neighbourhood (1 = most deprived)",
                  y = "Episodes per 10,000 children, three years together (not a yearly rate)") +
    ggplot2::theme_minimal(base_size = 12)
  for (h in c(3.3, 4.5)) {
    expect_true(any(grepl("cut off", review_figure_text(p, 6.5, h)$problem)))
    q <- report_fit_titles(p, 6.5, h)
    expect_equal(nrow(review_figure_text(q, 6.5, h)), 0L, info = paste("height", h))
    expect_match(q$labels$y, "\n", fixed = TRUE)
  }
  # without a height the y title is left as it is
  expect_identical(report_fit_titles(p, 6.5)$labels$y, p$labels$y)
})
