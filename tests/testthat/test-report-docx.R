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
  # (the column of numbers under it is right-aligned, its heading too: html_number_columns())
  expect_match(h, "<th align=\"right\" style=\"text-align: right;\" scope=\"col\"><span class=\"nowrap\">2024-25</span></th>", fixed = TRUE)
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
  for (K in c(3, 4, 5, 6, 7, 12)) for (nl in c(12, 60)) {
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

# -- the Word report's pages: no page left mostly blank (issue 23, class 11) --

test_that("Word: the room beyond the longest words goes to the column of long text (the names table)", {
  skip_if_not_installed("xml2")
  # Table 6 of the Sunderland report: two columns of labels, one of long
  # text; the old share (in proportion to each column's longest cell, at most
  # 2.5 inches) gave each about 2.2 inches, its rows half a page tall
  set.seed(6)
  words <- c("Parental", "mental", "health:", "67%", "v", "34%", "overall", "(33", "points", "more,", "x1.9),", "in",
             "the", "name,", "second", "to", "category", "Multiple", "complex", "needs", "(94%),", "at", "most")
  long <- function(n) paste(sample(words, n, TRUE), collapse = " ")
  cells <- rbind(c("Category", "Share of episodes % (bootstrap 95% interval)",
                   "Factors that define it (% of the category's episodes v % of all episodes the model was fitted to)"),
                 cbind(c("Domestic abuse", "Disability, some with child mental health",
                         "Parental mental health and substance misuse", "Harm outside the home", "Physical abuse",
                         "Neglect", "Multiple complex needs"),
                       "21.9 (20.2 to 22.9)", vapply(c(15, 45, 65, 40, 15, 15, 110), long, "")))
  portrait <- docx_page$width - 2 * docx_page$margin
  lay <- docx_column_widths(cells)
  need <- apply(docx_cell_widths(cells)$word, 2, max)
  expect_true(all(lay$width >= floor(need)))
  expect_lte(sum(lay$width), portrait)
  expect_gt(lay$width[3], 0.55 * portrait)
  # shorter than the old share by more than a third
  old <- need + (portrait - sum(need)) * (pmin(apply(docx_cell_widths(cells)$full, 2, max), 3600) - need) /
    sum(pmin(apply(docx_cell_widths(cells)$full, 2, max), 3600) - need)
  expect_lt(sum(docx_row_heights(cells, lay$width)), 2 / 3 * sum(docx_row_heights(cells, old)))
})

test_that("Word: counts across the category columns stay on one line when the page has room for them", {
  # Tables 9-18 of the Richmond report: long category names as headings, a
  # count and its percentage in each cell; the room went to the headings in
  # proportion to their length, and "364 (68.4%)" broke over two lines in
  # some columns while others had room to spare
  heads <- c("Ethnic group", "Parental substance misuse, some with neglect", "Domestic abuse",
             "Disability, some with child mental health", "Physical abuse", "Harm outside the home",
             "Multiple complex needs", "All episodes")
  vals <- function(n) c(n, "415 (70.6%)", "364 (68.4%)", "354 (70.8%)", "229 (74.4%)", "158 (67.2%)", "150 (69.4%)",
                        "1,670 (70.2%)")
  cells <- rbind(heads, vals("White"), vals("Other or not known"), vals("All episodes"))
  one_line <- function(cells) {
    lay <- docx_column_widths(cells)
    size <- if (lay$compact) docx_compact$size else 9
    mar <- if (lay$compact) docx_compact$margin else docx_page$cell_margin
    expect_lte(sum(lay$width), docx_page$width - 2 * docx_page$margin)
    # every count on one line (the labels of the first column may wrap)
    h <- docx_row_heights(cells[, -1], lay$width[-1], size, mar)
    expect_equal(h[-1], rep(docx_line_twips(size) + 50, nrow(cells) - 1), info = ncol(cells))
    lay$compact
  }
  # five and six categories at 9 points
  expect_false(one_line(cells[, -(6:7)]))
  expect_false(one_line(cells[, -7]))
  # eight categories only at 8 points (compact)
  expect_true(one_line(cbind(cells[, 1:7], c("Neglect", "12 (2.0%)", "15 (2.5%)", "27 (1.1%)"), cells[, 8])))
})

test_that("Word: numbers are right-aligned and a count never breaks from its percentage (reader 10, F8)", {
  skip_if_not_installed("xml2")
  # Table 9 of a Nottingham-shaped report: "382 / (26.1%)" broke in the
  # category columns, and every number was left-aligned
  heads <- c("Age", "Neglect or parental substance misuse", "Domestic abuse", "Disability, some with child mental health",
             "Harm outside the home", "Physical abuse", "Multiple complex needs", "All episodes")
  rows <- rbind(heads,
                c("0-4", "428 (26.3%)", "382 (26.1%)", "164 (13.0%)", "73 (10.8%)", "126 (19.1%)", "164 (27.5%)", "1,336 (21.2%)"),
                c("5-9", "650 (40.0%)", "c", "454 (36.0%)", "171 (25.2%)", "282 (42.7%)", "250 (41.9%)", "2,430 (38.6%)"),
                c("All episodes", "1,627", "1,465", "1,261", "678", "660", "597", "6,288"))
  tc <- function(x) sprintf('<w:tc><w:tcPr/><w:p><w:pPr><w:pStyle w:val="Compact"/><w:jc w:val="left"/></w:pPr><w:r><w:t xml:space="preserve">%s</w:t></w:r></w:p></w:tc>', x)
  xml <- paste0("<w:tbl><w:tblPr/><w:tblGrid/>", paste0("<w:tr>", apply(rows, 1, function(r) paste(tc(r), collapse = "")),
                                                         "</w:tr>", collapse = ""), "</w:tbl>")
  doc <- wdoc(xml)
  tbl <- xml2::xml_find_first(doc, "//w:tbl", LW)
  docx_table_layout(tbl)
  jc <- t(vapply(xml2::xml_find_all(tbl, "w:tr", LW), function(r) {
    xml2::xml_attr(xml2::xml_find_all(r, "w:tc/w:p/w:pPr/w:jc", LW), "val")
  }, character(ncol(rows))))
  # the labels' column stays left, every column of numbers (and its heading) is right-aligned
  expect_true(all(jc[, 1] == "left"))
  expect_true(all(jc[, -1] == "right"))
  # the count and its percentage are joined by a no-break space
  cells <- docx_table_cells(tbl)
  expect_equal(cells[2, 3], "382\u00a0(26.1%)")
  expect_false(any(grepl("[0-9] \\(", cells)))
  # and each column is at least as wide as its widest count on one line
  w <- as.numeric(docx_attr(xml2::xml_find_all(tbl, "w:tblGrid/w:gridCol", LW), "w"))
  compact <- !inherits(xml2::xml_find_first(tbl, "w:tblPr/w:tblCellMar", LW), "xml_missing")
  size <- if (compact) docx_compact$size else 9
  mar <- if (compact) docx_compact$margin else docx_page$cell_margin
  widest <- apply(matrix(text_twips(rows[-1, -1], size), nrow(rows) - 1), 2, max)
  expect_true(all(w[-1] >= widest + 2 * mar), info = paste(w[-1] - widest - 2 * mar, collapse = " "))
  # what counts as a column of numbers
  expect_equal(docx_number_columns(rbind(c("Factor", "Code", "Episodes", "Ratio", "p"),
                                         c("Neglect", "21", "2,199", "x0.85 \u2193", "< 0.001"),
                                         c("Self-harm", "3C", "c", "x1.75 \u2191\u2191", "0.041"))),
               c(FALSE, FALSE, TRUE, TRUE, TRUE))
  expect_equal(docx_number_columns(rbind(c("K", "Share (95% interval)", "Years"), c("1", "25.9 (20.6 to 31.5)", "2023-24"))),
               c(FALSE, TRUE, FALSE))
})

test_that("Word: a row's height is its cell of most lines, words wrapped as they fit the column", {
  # a word and a space measured, a column with room for exactly k words: n words take ceiling(n / k) lines
  w <- text_twips("abcd", 9)
  sp <- text_twips("abcd abcd", 9) - 2 * w
  pad <- 2 * docx_page$cell_margin + 20
  for (k in c(1, 3, 5)) {
    width <- pad + k * w + (k - 1) * sp + sp / 2
    for (n in c(1, 4, 11)) {
      cells <- rbind(c("a", "b"), c("x", paste(rep("abcd", n), collapse = " ")))
      h <- docx_row_heights(cells, c(2000, width))
      expect_equal(h[2], ceiling(n / k) * docx_line_twips(9) + 50, info = paste(k, n))
      expect_equal(h[1], docx_line_twips(9) + 50)
    }
  }
})

test_that("Word: a table is kept whole only when it and its caption are at most 40% of the page", {
  skip_if_not_installed("xml2")
  # ten rows of 45 characters in columns of 0.7 inch: under 12 rows and 1,000
  # characters (the old rule kept it whole) but about 7 inches tall
  cell <- function(x) sprintf("<w:tc>%s</w:tc>", wp(x))
  txt <- "many short words set in a narrow column here"
  row <- paste0("<w:tr>", cell(txt), cell(txt), "</w:tr>")
  tall <- paste0("<w:tbl><w:tblPr/><w:tblGrid><w:gridCol w:w=\"1000\"/><w:gridCol w:w=\"1000\"/></w:tblGrid>",
                 paste(rep(row, 10), collapse = ""), "</w:tbl>")
  # fifteen one-line rows: over 12 rows (the old rule let it flow), 3 inches
  short <- paste0("<w:tbl><w:tblPr/><w:tblGrid><w:gridCol w:w=\"4000\"/><w:gridCol w:w=\"4000\"/></w:tblGrid>",
                  paste(rep(paste0("<w:tr>", cell("Age"), cell("12 (3.4%)"), "</w:tr>"), 15), collapse = ""), "</w:tbl>")
  doc <- xml2::read_xml(as.character(wdoc(paste0(wp("Table 1. Tall", "TableCaption"), tall, wp("Note: a note."),
                                                wp("Table 2. Short", "TableCaption"), short, wp("Note: a note.")))))
  tb <- xml2::xml_find_all(doc, "//w:body/w:tbl", LW)
  expect_gt(sum(docx_table_row_heights(tb[[1]])), 0.4 * docx_body_height())
  expect_lt(sum(docx_table_row_heights(tb[[2]])), 0.4 * docx_body_height())
  docx_keep_tables(doc)
  expect_equal(which(kept(tb[[1]])), c(1, 2, 9, 10))
  expect_equal(kept(tb[[2]]), rep(TRUE, 15))
})

test_that("Word: a row taller than 40% of the page may split across pages, others may not", {
  skip_if_not_installed("xml2")
  big <- paste(rep("a long cell of many words that runs down the page", 90), collapse = " ")
  doc <- wdoc(paste0("<w:tbl><w:tblPr/><w:tblGrid/><w:tr><w:tc>", wp("Head"), "</w:tc></w:tr><w:tr><w:tc>", wp(big),
                     "</w:tc></w:tr><w:tr><w:tc>", wp("short"), "</w:tc></w:tr></w:tbl>"))
  tbl <- xml2::xml_find_first(doc, "//w:body/w:tbl", LW)
  docx_table_layout(tbl)
  tbl <- xml2::xml_find_first(xml2::read_xml(as.character(doc)), "//w:body/w:tbl", LW)
  split <- vapply(xml2::xml_find_all(tbl, "w:tr", LW), function(r) {
    inherits(xml2::xml_find_first(r, "w:trPr/w:cantSplit", LW), "xml_missing")
  }, TRUE)
  expect_equal(split, c(FALSE, TRUE, FALSE))
  expect_gt(docx_table_row_heights(tbl)[2], 0.4 * docx_body_height())
})

test_that("the blank-page check passes a page that ends before a designed break and flags one left blank in the flow", {
  skip_if_not_installed("xml2")
  skip_if(!nzchar(Sys.which("pdftoppm")) || !nzchar(Sys.which("pdftotext")), "poppler is needed")
  # an A4 PDF: page 1 inked at its top only, page 2 starting with a heading, page 3 inked to its foot
  pdf <- withr::local_tempfile(fileext = ".pdf")
  grDevices::pdf(pdf, width = 8.27, height = 11.69)
  for (first in c("Intro", "The categories", "Tail")) {
    graphics::plot.new()
    graphics::par(mar = c(0, 0, 0, 0))
    graphics::text(0.1, 0.97, first, adj = 0)
    if (first == "The categories") graphics::text(0.1, 0.05, "page foot", adj = 0)
  }
  grDevices::dev.off()
  b <- review_page_blank(pdf)
  expect_gt(b$blank[1], 0.8)
  expect_lt(b$blank[2], 0.1)
  designed <- list(docx = list(doc = wdoc(paste0(wp("Intro"), "<w:p><w:pPr><w:pStyle w:val=\"Heading1\"/><w:pageBreakBefore/></w:pPr><w:r><w:t>The categories</w:t></w:r></w:p>"))))
  flow <- list(docx = list(doc = wdoc(paste0(wp("Intro"), wp("The categories", "Heading1")))))
  expect_equal(review_designed_starts(designed), "The categories")
  expect_equal(nrow(review_blank_pages(pdf, designed)), 0L)
  pr <- review_blank_pages(pdf, flow)
  expect_equal(pr$where, "page 1")
  expect_match(pr$problem, "blank at its foot, and the next page starts \"The categories", fixed = TRUE)
  # the last page (page 3, blank below its first line) is never a problem
  expect_gt(review_page_blank(pdf)$blank[3], 0.8)
})

test_that("the figure numbering check finds figures missing from one format and gaps in the numbers", {
  caps <- c("Figure 1. Published figures", "Figure 2. Fit", "Figure 3. Heatmap")
  expect_equal(nrow(review_figure_numbers(c("Text", caps), c(caps, "More text"))), 0L)
  # last session: Word drew the context charts in one more chart than HTML
  html <- c("Figure 1. Published figures", "Figure 2. Heatmap")
  pr <- review_figure_numbers(caps, html)
  expect_true(any(pr$problem == "Word has 3 figures, HTML 2"))
  expect_true(any(pr$where == "figure 2"))
  # a number taken by a figure that was not drawn
  pr <- review_figure_numbers(caps[-2], caps[-2])
  expect_true(all(grepl("numbered 1, 3, not 1 to 2", pr$problem)))
  # Word's non-breaking hyphen and HTML's hyphen are the same caption
  expect_equal(nrow(review_figure_numbers("Figure 1. Years 2022\u201123", "Figure 1. Years 2022-23")), 0L)
})

test_that("a context panel's y axis has two to four ticks inside its range (reader 10, F8: Figure 3's one tick)", {
  # Figure 3's bottom panel ran from about 530 to 690: breaks_extended(n = 3)
  # gave 500, 600 and 700, and only "600" was drawn
  f <- report_axis_breaks(3)
  inside <- function(l) {
    b <- f(l)
    sum(b >= l[1] & b <= l[2])
  }
  expect_gte(inside(c(530, 690)), 2)
  expect_gte(inside(c(555, 640)), 2)
  set.seed(10)
  for (i in 1:500) {
    lo <- exp(stats::runif(1, -2, 9))
    l <- c(lo, lo * (1 + exp(stats::runif(1, -4, 1))))
    expect_true(inside(l) %in% 2:4, info = paste(signif(l, 4), collapse = " to "))
  }
  # the report's context charts use it
  sk <- readLines(system.file("rmarkdown", "templates", "demand-report", "skeleton", "skeleton.Rmd", package = "cscdemand"))
  expect_true(any(grepl("breaks = report_axis_breaks(3)", sk, fixed = TRUE)))
})

test_that("the heatmap's category names all sit at one height, at any number of categories (reader 10, F8: Figure 6)", {
  # from 3 categories the names alternated between two rows (n.dodge = 2),
  # so the columns' labels sat at staggered heights
  for (K in 2:12) {
    f <- layout_fit(K, name_len = 40)
    p <- plot_item_probs(f$fit, labels = f$labels)
    g <- ggplot2::ggplot_build(p)$layout$panel_scales_x[[1]]$guide
    expect_equal(g$n.dodge %||% 1L, 1L, info = K)
  }
})

test_that("HTML: columns of numbers right-aligned, counts kept with their percentages, as in Word", {
  html <- paste0("<html><body><table><thead><tr class=\"header\"><th scope=\"col\" align=\"left\">Age</th>",
                 "<th scope=\"col\" align=\"left\">Domestic abuse</th><th align=\"left\">Code</th></tr></thead><tbody>",
                 "<tr class=\"odd\"><td align=\"left\">0-4</td><td align=\"left\">161 (25.4%)</td><td align=\"left\">4B</td></tr>",
                 "<tr><td align=\"left\">5-9</td><td align=\"left\">c</td><td align=\"left\">3A</td></tr></tbody></table>",
                 "<script>var a = '<table><tr><td align=\"left\">1</td></tr><tr><td>2</td></tr></table>';</script></body></html>")
  f <- tempfile(fileext = ".html")
  writeLines(html, f)
  report_html_finish(f)
  out <- paste(readLines(f), collapse = "\n")
  expect_match(out, "<th align=\"right\" style=\"text-align: right;\" scope=\"col\">Domestic abuse</th>", fixed = TRUE)
  expect_match(out, "<td align=\"right\">161&nbsp;(25.4%)</td>", fixed = TRUE)
  expect_match(out, "<td align=\"right\">c</td>", fixed = TRUE)
  # labels and codes stay left; scripts untouched
  expect_match(out, "<th scope=\"col\" align=\"left\">Age</th>", fixed = TRUE)
  expect_match(out, "<td align=\"left\">4B</td>", fixed = TRUE)
  expect_match(out, "<td align=\"left\">1</td>", fixed = TRUE)
  # a row whose label and number read the same: each cell keeps its own alignment
  two <- "<table><tr><th>K</th><th>Value</th></tr><tr><td align=\"left\">2</td><td align=\"left\">2</td></tr><tr><td align=\"left\">b</td><td align=\"left\">3</td></tr></table>"
  expect_equal(html_number_columns(two),
               "<table><tr><th>K</th><th align=\"right\" style=\"text-align: right;\">Value</th></tr><tr><td align=\"left\">2</td><td align=\"right\">2</td></tr><tr><td align=\"left\">b</td><td align=\"right\">3</td></tr></table>")
  # a second pass changes nothing
  expect_equal(html_number_columns(html_number_columns(two)), html_number_columns(two))
})

test_that("Word: a short table a little too wide compact goes portrait with tight margins, not to a landscape page of its own (reader12 N4)", {
  skip_if_not_installed("xml2")
  # Leicestershire's Table 12: three rows, nine columns; at 8 points with the
  # usual compact margins its words were 16 twips wider than the page
  rows <- list(c("Disability status in the child\u2019s record", "Parental mental health and substance misuse",
                 "Domestic abuse", "Disability, some with child mental health", "Harm outside the home",
                 "Physical abuse", "Neglect", "Multiple complex needs", "All episodes"),
               c("Disabled", "209 (9.2%)", "132 (6.5%)", "451 (23.2%)", "134 (11.0%)", "95 (8.1%)", "63 (8.4%)",
                 "54 (9.9%)", "1,139 (11.5%)"),
               c("Not recorded as disabled", "2,057 (90.8%)", "1,891 (93.5%)", "1,494 (76.8%)", "1,079 (89.0%)",
                 "1,073 (91.9%)", "684 (91.6%)", "494 (90.1%)", "8,771 (88.5%)"),
               c("All episodes", "2,266", "2,023", "1,945", "1,213", "1,168", "747", "548", "9,910"))
  cell <- function(x) sprintf("<w:tc>%s</w:tc>", wp(x))
  tb <- paste0("<w:tbl><w:tblPr/><w:tblGrid/>",
               paste(vapply(rows, function(r) paste0("<w:tr>", paste(vapply(r, cell, ""), collapse = ""), "</w:tr>"), ""),
                     collapse = ""), "</w:tbl>")
  doc <- wdoc(paste0(wp("Before"), wp("Table 12. Disability", "TableCaption"), tb, wp("Note."), wp("After")))
  tbl <- xml2::xml_find_all(doc, "//w:body/w:tbl", LW)
  docx_glue_numbers(tbl[[1]]) # (as docx_table_layout() does first: "209 (9.2%)" one word)
  cells <- docx_table_cells(tbl[[1]])
  portrait <- docx_page$width - 2 * docx_page$margin
  # the case: too wide with the usual compact margins
  expect_gt(sum(apply(docx_cell_widths(cells, docx_compact$size, docx_compact$margin)$word, 2, max)), portrait)
  land <- vapply(tbl, docx_table_layout, logical(1))
  expect_false(land)
  docx_landscape(doc, land)
  # no section break at all: the body's one portrait section
  expect_length(xml2::xml_find_all(doc, "//w:body/w:p/w:pPr/w:sectPr", LW), 0)
  expect_length(xml2::xml_find_all(doc, "//w:pgSz[@w:orient='landscape']", LW), 0)
  t1 <- xml2::xml_find_first(xml2::read_xml(as.character(doc)), "//w:body/w:tbl", LW)
  m <- as.numeric(xml2::xml_attr(xml2::xml_find_first(t1, "w:tblPr/w:tblCellMar/w:left", LW), "w"))
  grid <- as.numeric(xml2::xml_attr(xml2::xml_find_all(t1, "w:tblGrid/w:gridCol", LW), "w"))
  expect_lte(sum(grid), portrait)
  # every word still fits its column at the margins written
  expect_true(all(grid >= floor(apply(docx_cell_widths(cells, docx_compact$size, m)$word, 2, max))))
})
