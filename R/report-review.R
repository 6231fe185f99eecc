# Checks of a knitted report, as a reviewer reads it: used by `make review`
# (tools/review.R knits the example report for two councils and runs them as
# tests, tools/review/test-review.R) and unit-tested on small crafted
# documents (tests/testthat/test-report-review.R). Each check returns a data
# frame of problems, one row each with a sentence in `problem`; no rows is a
# pass.

review_problems <- function(where = character(), problem = character()) {
  data.frame(where = as.character(where), problem = as.character(problem), stringsAsFactors = FALSE)
}

# -- reading a report -------------------------------------------------------

# The parts of a Word report: its document (and the XML of every part, by name).
review_read_docx <- function(path) {
  rlang::check_installed("xml2", reason = "to read the Word report.")
  dir <- docx_unzip(path)
  on.exit(unlink(dir, recursive = TRUE), add = TRUE)
  files <- list.files(file.path(dir, "word"), pattern = "\\.xml$", full.names = TRUE)
  parts <- stats::setNames(lapply(files, xml2::read_xml), basename(files))
  rels <- file.path(dir, "word", "_rels", "document.xml.rels")
  list(doc = parts[["document.xml"]], parts = parts,
       rels = if (file.exists(rels)) xml2::read_xml(rels) else NULL)
}

# A report read once: its tables, its text (paragraphs) and, for Word, the
# column widths and the document parts.
review_read <- function(path) {
  if (grepl("\\.docx$", path, ignore.case = TRUE)) {
    d <- review_read_docx(path)
    tbls <- xml2::xml_find_all(d$doc, "//w:tbl", docx_ns)
    paras <- xml2::xml_find_all(d$doc, "//w:body/w:p", docx_ns)
    text <- vapply(paras, docx_text, "")
    grid <- lapply(tbls, function(t) as.numeric(xml2::xml_attr(xml2::xml_find_all(t, "w:tblGrid/w:gridCol", docx_ns), "w")))
    # a compact table's text size (points) and cell margin (twips), else NA
    size <- vapply(tbls, function(t) as.numeric(xml2::xml_attr(xml2::xml_find_first(t, ".//w:r/w:rPr/w:sz", docx_ns), "val")) / 2, 0)
    margin <- vapply(tbls, function(t) as.numeric(xml2::xml_attr(xml2::xml_find_first(t, "w:tblPr/w:tblCellMar/w:left", docx_ns), "w")), 0)
    return(list(kind = "docx", tables = lapply(tbls, docx_table_cells), text = text, widths = grid,
                sizes = size, margins = margin, docx = d))
  }
  rlang::check_installed("xml2", reason = "to read the HTML report.")
  h <- xml2::read_html(path)
  tbls <- xml2::xml_find_all(h, "//table")
  cells <- lapply(tbls, function(t) {
    rows <- lapply(xml2::xml_find_all(t, ".//tr"), function(tr) trimws(xml2::xml_text(xml2::xml_find_all(tr, "./th|./td"))))
    n <- max(lengths(rows), 0L)
    do.call(rbind, lapply(rows, function(x) c(x, rep("", n - length(x)))))
  })
  text <- trimws(xml2::xml_text(xml2::xml_find_all(h, "//body//p|//body//li|//body//h1|//body//h2|//body//h3|//body//caption")))
  list(kind = "html", tables = cells, text = text)
}

# -- layout (Word) ----------------------------------------------------------

# Every word of every cell fits its column (in Arial at the cell's size, with
# the cell margins), so none is broken across lines.
review_words_fit <- function(report, size = 9) {
  if (is.character(report)) report <- review_read(report)
  out <- review_problems()
  for (i in seq_along(report$tables)) {
    cells <- report$tables[[i]]
    width <- report$widths[[i]]
    if (!length(cells) || length(width) != ncol(cells)) next
    sz <- if (length(report$sizes) >= i && !is.na(report$sizes[i])) report$sizes[i] else size
    mar <- if (length(report$margins) >= i && !is.na(report$margins[i])) report$margins[i] else docx_page$cell_margin
    need <- docx_cell_widths(cells, sz, mar)$word
    bad <- which(need > rep(width, each = nrow(cells)) + 1, arr.ind = TRUE)
    for (k in seq_len(nrow(bad))) {
      r <- bad[k, 1]
      j <- bad[k, 2]
      words <- strsplit(cells[r, j], "\\s+")[[1]]
      out <- rbind(out, review_problems(sprintf("table %d, row %d, column %d", i, r, j),
        sprintf("\"%s\" needs %.2f inch but its column is %.2f inch", words[which.max(nchar(words))],
                need[r, j] / 1440, width[j] / 1440)))
    }
  }
  out
}

# The footer of every section shows the page number (a PAGE field).
review_page_numbers <- function(report) {
  if (is.character(report)) report <- review_read(report)
  d <- report$docx
  sects <- xml2::xml_find_all(d$doc, "//w:sectPr", docx_ns)
  ids <- unique(xml2::xml_attr(xml2::xml_find_all(sects, "w:footerReference", docx_ns), "id"))
  if (!length(ids)) return(review_problems("footer", "the document has no footer, so no page numbers"))
  rel <- xml2::xml_find_all(d$rels, "//*[local-name()='Relationship']")
  targets <- basename(xml2::xml_attr(rel, "Target")[match(ids, xml2::xml_attr(rel, "Id"))])
  has_page <- vapply(targets, function(f) {
    x <- d$parts[[f]]
    if (is.null(x)) return(FALSE)
    codes <- c(xml2::xml_text(xml2::xml_find_all(x, "//w:instrText", docx_ns)),
               xml2::xml_attr(xml2::xml_find_all(x, "//w:fldSimple", docx_ns), "instr"))
    any(grepl("^\\s*PAGE\\b", codes))
  }, logical(1))
  if (all(has_page)) return(review_problems())
  review_problems(paste("footer", targets[!has_page]), "the footer has no page number field")
}

# The table of contents lists the document's headings (it is not an empty field).
review_contents_filled <- function(report) {
  if (is.character(report)) report <- review_read(report)
  doc <- report$docx$doc
  sdt <- xml2::xml_find_first(doc, "//w:sdt[w:sdtPr/w:docPartObj/w:docPartGallery[@w:val='Table of Contents']]", docx_ns)
  if (inherits(sdt, "xml_missing")) return(review_problems("contents", "the document has no table of contents"))
  entries <- vapply(xml2::xml_find_all(sdt, ".//w:p[not(w:pPr/w:pStyle[@w:val='TOCHeading'])]", docx_ns),
                    docx_text, "")
  entries <- trimws(entries[nzchar(trimws(entries))])
  heads <- vapply(xml2::xml_find_all(doc, "//w:body/w:p[w:pPr/w:pStyle[@w:val='Heading1']]", docx_ns), docx_text, "")
  missing <- setdiff(trimws(heads), entries)
  if (!length(entries)) return(review_problems("contents", "the table of contents is empty"))
  if (length(missing)) {
    return(review_problems("contents", paste0("the contents lack the heading \"", missing, "\"")))
  }
  # its heading as a UK council writes it, not pandoc's "Table of Contents"
  title <- trimws(xml2::xml_text(xml2::xml_find_first(sdt, ".//w:p[w:pPr/w:pStyle[@w:val='TOCHeading']]", docx_ns)))
  if (!is.na(title) && title != "Contents") {
    return(review_problems("contents", paste0("the contents are headed \"", title, "\", not \"Contents\"")))
  }
  review_problems()
}

# -- tables -------------------------------------------------------------------

# The leading count of a cell ("1,234 (5.6%)" is 1234); NA for text and "c".
review_cell_count <- function(x) {
  x <- trimws(x)
  num <- regmatches(x, regexpr("^-?[0-9][0-9,]*(\\.[0-9]+)?", x))
  out <- rep(NA_real_, length(x))
  hit <- grepl("^-?[0-9][0-9,]*(\\.[0-9]+)?", x)
  out[hit] <- as.numeric(gsub(",", "", num))
  out
}

# Rows with a large total and most cells suppressed: a row of hundreds must not
# disappear behind "c". The total is the row's Total / All column, else the sum
# of its visible counts; "large" is at least ten times the threshold, and
# "most" more than half of its cells.
review_suppressed_rows <- function(tables, threshold = 10) {
  out <- review_problems()
  for (i in seq_along(tables)) {
    t <- tables[[i]]
    if (length(t) == 0 || nrow(t) < 2 || ncol(t) < 3) next
    total_col <- grep("^(total|all)\\b", trimws(t[1, ]), ignore.case = TRUE)
    cols <- setdiff(seq_len(ncol(t))[-1], total_col)
    for (r in 2:nrow(t)) {
      v <- t[r, cols]
      sup <- trimws(v) == "c"
      counts <- review_cell_count(v)
      total <- if (length(total_col)) review_cell_count(t[r, total_col[1]]) else sum(counts, na.rm = TRUE)
      cells <- sum(sup | !is.na(counts))
      if (cells >= 2 && !is.na(total) && total >= 10 * threshold && sum(sup) > cells / 2) {
        out <- rbind(out, review_problems(sprintf("table %d, row \"%s\"", i, t[r, 1]),
          sprintf("%d of its %d cells are suppressed although the row holds %s", sum(sup), cells,
                  format(total, big.mark = ","))))
      }
    }
  }
  out
}

# Sums of hidden cells worked out by subtraction: in a table with a total
# column ("Total", "All ...") and/or a total row, the hidden cells ("c") of a
# row or column add up to its printed total less its printed cells; a reader
# can do that sum, so it must not be under the threshold (each hidden cell
# would be pinned between 0 and that sum). Lines whose cells are percentages
# only ("47.5%") are not counts and are skipped.
review_hidden_sums <- function(tables, threshold = 10) {
  out <- review_problems()
  is_total <- function(x) grepl("^(total|all)\\b", trimws(x), ignore.case = TRUE)
  line <- function(cells, total, where) {
    v <- trimws(cells)
    sup <- v == "c"
    if (!any(sup) || trimws(total) == "c" || any(grepl("^[0-9.]+%$", v))) return(review_problems())
    tot <- review_cell_count(total)
    left <- tot - sum(review_cell_count(v[!sup]), na.rm = TRUE)
    if (is.na(left) || left >= threshold) return(review_problems())
    review_problems(where, sprintf("its %d hidden cell%s add up to %s by subtraction from the total, under %d",
                                   sum(sup), if (sum(sup) > 1) "s" else "", format(left, big.mark = ","), threshold))
  }
  for (i in seq_along(tables)) {
    t <- tables[[i]]
    if (length(t) == 0 || nrow(t) < 3 || ncol(t) < 3) next
    tc <- which(is_total(t[1, ]))[1L]
    tr <- which(is_total(t[, 1]))
    tr <- tr[tr > 1][1L]
    cols <- setdiff(seq_len(ncol(t))[-1], tc)
    rows <- setdiff(seq_len(nrow(t))[-1], tr)
    if (!is.na(tc)) for (r in rows) out <- rbind(out, line(t[r, cols], t[r, tc], sprintf("table %d, row \"%s\"", i, t[r, 1])))
    if (!is.na(tr)) for (j in c(cols, if (!is.na(tc)) tc)) {
      out <- rbind(out, line(t[rows, j], t[tr, j], sprintf("table %d, column \"%s\"", i, gsub("\\s+", " ", t[1, j]))))
    }
  }
  out
}

# A chart drawn from a table by category (its data: level, class, pct, as
# class_crosstab()'s plot draws it) agrees with the table: every segment is a
# cell the table shows, with the same percentage, and no cell the table hides
# ("c") is drawn on its own. The table is the one whose rows hold the chart's
# levels and whose header holds its categories.
review_chart_tables <- function(plots, tables, hidden = crosstab_hidden_label) {
  out <- review_problems()
  # "12 (3.4%)", or "3.4%" in a table of percentages
  pct_of <- function(x) suppressWarnings(as.numeric(sub("^(.*\\()?([0-9.]+)%\\)?$", "\\2", trimws(x))))
  # labels as a reader reads them: a heading wrapped over two lines is one label
  norm <- function(x) gsub("\\s+", " ", trimws(as.character(x)))
  tables <- lapply(tables, function(t) if (length(t)) array(norm(t), dim(t)) else t)
  for (i in seq_along(plots)) {
    p <- plots[[i]]
    d <- if (inherits(p, "ggplot")) p$data else if (is.data.frame(p)) p else p[[1]]
    if (!is.data.frame(d) || !all(c("level", "class", "pct") %in% names(d)) || !nrow(d)) next
    d <- d[as.character(d$level) != hidden, , drop = FALSE]
    d$level <- norm(d$level)
    d$class <- norm(d$class)
    lv <- unique(d$level)
    cl <- unique(d$class)
    match_tab <- Filter(function(t) length(t) && nrow(t) > 1 && all(lv %in% t[-1, 1]) && all(cl %in% t[1, ]), tables)
    if (!length(match_tab)) {
      out <- rbind(out, review_problems(sprintf("plot %d", i), "no table shows the cells this chart draws"))
      next
    }
    t <- match_tab[[1]]
    bad <- character()
    for (r in seq_len(nrow(d))) {
      cell <- t[match(as.character(d$level[r]), t[-1, 1]) + 1L, match(as.character(d$class[r]), t[1, ])]
      if (trimws(cell) == "c") {
        bad <- c(bad, sprintf("%s / %s is drawn but hidden in the table", d$level[r], d$class[r]))
      } else if (is.na(pct_of(cell)) || abs(pct_of(cell) - d$pct[r]) > 0.051) {
        bad <- c(bad, sprintf("%s / %s is drawn at %.1f%%, the table says %s", d$level[r], d$class[r], d$pct[r], cell))
      }
    }
    if (length(bad)) out <- rbind(out, review_problems(sprintf("plot %d", i), paste(utils::head(bad, 5), collapse = "; ")))
  }
  out
}

# Rows whose every count is zero ("0 (0.0%)" across a row) say nothing.
review_zero_rows <- function(tables) {
  out <- review_problems()
  for (i in seq_along(tables)) {
    t <- tables[[i]]
    if (length(t) == 0 || nrow(t) < 2 || ncol(t) < 2) next
    for (r in 2:nrow(t)) {
      v <- trimws(t[r, -1])
      v <- v[nzchar(v)]
      counts <- review_cell_count(v)
      if (length(v) && all(!is.na(counts)) && all(counts == 0)) {
        out <- rbind(out, review_problems(sprintf("table %d, row \"%s\"", i, t[r, 1]), "every cell of the row is zero"))
      }
    }
  }
  out
}

# -- text ---------------------------------------------------------------------

# Phrases a statistician would not sign: "x times less likely" (a ratio under 1
# is "about a third as likely") and councils by position ("first council");
# a count under ten written as a figure in a sentence ("2 other councils",
# "8 of the 10 statistical neighbours"; "K = 7" is notation); R's own print
# of an empty value ("NULL", "[1]") left in the text.
review_phrasing <- function(text) {
  pats <- c("times less likely" = "[0-9.]+ times less (likely|common)",
            "a council by position" = "\\b(first|second|third) council\\b",
            "a number under ten as a figure" = paste0(
              "(?<![=.,0-9] )(?<![=.,0-9])\\b[0-9] (of the [0-9]+ )?(other )?",
              "(councils?|reporting years?|categories|statistical neighbours|neighbours|years)\\b"),
            "R output in the text" = "^\\s*(NULL|NA|\\[1\\].*)\\s*$")
  out <- review_problems()
  for (k in names(pats)) {
    hit <- grep(pats[[k]], text, ignore.case = TRUE, perl = TRUE)
    if (length(hit)) {
      out <- rbind(out, review_problems(paste("paragraph", hit),
        paste0(k, ": \"", regmatches(text[hit], regexpr(pats[[k]], text[hit], ignore.case = TRUE, perl = TRUE)), "\"")))
    }
  }
  out
}

# Another council's name used as a label ("the Leicestershire table",
# "(Kingston model)"); a citation "Kingston Table 3" needs a references section.
# A research group named after a place is not a council: "Kingston" (Kingston
# University's study) used as a label ("Kingston defaults", "the Kingston
# study") is found whatever the report's council, even Kingston upon Thames,
# and the council's own name ("Kingston upon Thames categories") is not
# taken for the research group.
review_label_words <- "(tables?|models?|categories|method|defaults|study|exclusions|rule|approach)"
review_research_groups <- c(Kingston = "Kingston University, 2020",
                            Leicestershire = "Leicestershire County Council's needs analysis")
review_council_labels <- function(text, council, councils = NULL) {
  if (is.null(councils)) councils <- unique(cscdemand::context_councils$name)
  esc <- function(x) gsub("([.()\\[\\]])", "\\\\\\1", x)
  others <- setdiff(councils, c(council, names(review_research_groups)))
  others <- others[!is.na(others) & nzchar(others)]
  out <- review_problems()
  find <- function(rx, what) {
    hit <- grep(rx, text, perl = TRUE)
    if (!length(hit)) return(review_problems())
    review_problems(paste("paragraph", hit),
                    paste0(what, ": \"", regmatches(text[hit], regexpr(rx, text[hit], perl = TRUE)), "\""))
  }
  if (length(others)) {
    out <- rbind(out, find(paste0("\\b(", paste(esc(others), collapse = "|"), ")\\s+", review_label_words, "\\b"),
                           "another council's name as a label"))
  }
  # a research group's place name as a label, unless it is the start of a
  # longer name ("Kingston upon Thames", "Kingston University", "Leicestershire County Council")
  for (g in names(review_research_groups)) {
    if (identical(g, council)) next
    rx <- paste0("\\b", g, "(?!\\s+(upon|University|County))\\s+", review_label_words, "\\b")
    out <- rbind(out, find(rx, paste0("a research group's place name as a label (cite it as ",
                                      review_research_groups[[g]], ")")))
  }
  cites <- c(others, names(review_research_groups))
  cite_rx <- paste0("\\b(", paste(esc(cites), collapse = "|"), ")\\s+Tables?\\s+[0-9]+")
  hit <- grep(cite_rx, text, perl = TRUE)
  if (length(hit) && !any(grepl("^\\s*References\\s*$", text))) {
    out <- rbind(out, review_problems(paste("paragraph", hit[1]),
      paste0("\"", regmatches(text[hit[1]], regexpr(cite_rx, text[hit[1]], perl = TRUE)),
             "\" is cited but the report has no references section")))
  }
  out
}

# Another council's figures printed by name in a table: a column heading or a
# row label that is the name of a council other than the report's (its counts
# belong in its own report; pooled, they are "the other councils").
review_council_tables <- function(tables, council, councils = NULL) {
  if (is.null(councils)) councils <- cscdemand::context_councils$name
  others <- setdiff(unique(councils[!is.na(councils) & nzchar(councils)]), council)
  out <- review_problems()
  for (i in seq_along(tables)) {
    t <- tables[[i]]
    if (length(t) == 0 || !nrow(t)) next
    labels <- trimws(c(t[1, ], if (nrow(t) > 1) t[-1, 1]))
    hit <- unique(labels[labels %in% others])
    if (length(hit)) {
      out <- rbind(out, review_problems(sprintf("table %d", i),
        paste0("another council's figures by name: \"", hit, "\"")))
    }
  }
  out
}

# The figure captions of a report ("Figure 3. ..."), in the order printed:
# their numbers and their text (spaces and hyphens as review_norm_text()
# reads them, so a Word and an HTML caption compare equal).
review_figure_captions <- function(text) {
  text <- review_norm_text(text)
  hit <- grepl("^Figure [0-9]+\\. ", text)
  data.frame(number = as.integer(sub("^Figure ([0-9]+)\\..*$", "\\1", text[hit])), caption = text[hit],
             stringsAsFactors = FALSE)
}

# Figures numbered 1, 2, 3, ... in the order printed, and the same figures
# under the same numbers in the Word and the HTML report of one council.
review_figure_numbers <- function(docx_text, html_text) {
  w <- review_figure_captions(docx_text)
  h <- review_figure_captions(html_text)
  out <- review_problems()
  for (f in list(list("Word", w), list("HTML", h))) {
    if (!identical(f[[2]]$number, seq_len(nrow(f[[2]])))) {
      out <- rbind(out, review_problems(f[[1]], paste0("the figures are numbered ", paste(f[[2]]$number, collapse = ", "),
                                                      ", not 1 to ", nrow(f[[2]]))))
    }
  }
  if (nrow(w) != nrow(h)) {
    out <- rbind(out, review_problems("Word and HTML", sprintf("Word has %d figures, HTML %d", nrow(w), nrow(h))))
  }
  n <- min(nrow(w), nrow(h))
  diff <- which(w$caption[seq_len(n)] != h$caption[seq_len(n)])
  if (length(diff)) {
    out <- rbind(out, review_problems(paste("figure", diff), paste0("Word: \"", substr(w$caption[diff], 1, 60),
                                                                   "\"; HTML: \"", substr(h$caption[diff], 1, 60), "\"")))
  }
  out
}

# -- plots ----------------------------------------------------------------------

# No plotted value rests on a count under the threshold: in the data of every
# plot (a ggplot, a data frame, or a list of the data of a plot and its
# layers, as tools/review.R keeps them), a row with a count column (n, count,
# episodes) from 1 to threshold - 1 must have no plotted value (every other
# numeric column NA).
review_plot_counts <- function(plots, threshold = 10) {
  out <- review_problems()
  for (i in seq_along(plots)) {
    p <- plots[[i]]
    datas <- if (inherits(p, "ggplot")) c(list(p$data), lapply(p$layers, function(l) l$data)) else
      if (is.data.frame(p)) list(p) else p
    for (d in datas) {
      # DfE's published figures (a comparator column: council, region, England)
      # are public already
      if (!is.data.frame(d) || !nrow(d) || "comparator" %in% names(d)) next
      ncol_ <- grep("^(n|count|episodes|n_episodes)$", names(d), value = TRUE)
      for (nc in ncol_) {
        n <- suppressWarnings(as.numeric(d[[nc]]))
        vals <- setdiff(names(d)[vapply(d, is.numeric, logical(1))], c(ncol_, "decile", "year", "k"))
        small <- which(!is.na(n) & n > 0 & n < threshold)
        shown <- small[vapply(small, function(r) any(!is.na(unlist(d[r, vals]))), logical(1))]
        if (length(shown)) {
          out <- rbind(out, review_problems(sprintf("plot %d", i),
            sprintf("%d plotted value%s rest on a count under %d (%s = %s)", length(shown),
                    if (length(shown) > 1) "s" else "", threshold, nc,
                    paste(utils::head(n[shown], 5), collapse = ", "))))
        }
      }
    }
  }
  out
}

# -- the audit table ----------------------------------------------------------

# The audit table cannot be differenced: in each chain of its lines (episodes
# built - the steps dropped = episodes kept - ... = episodes analysed, and the
# others of audit_chains), the hidden steps between two published lines add
# up, by subtraction of what the table prints, to at least the threshold, so
# none of them is pinned under it. Found by its header ("Step", "Number").
review_audit_differences <- function(tables, threshold = 10) {
  out <- review_problems()
  for (i in seq_along(tables)) {
    t <- tables[[i]]
    if (length(t) == 0 || nrow(t) < 3 || !all(c("Step", "Number") %in% trimws(t[1, ]))) next
    step <- tolower(trimws(t[-1, match("Step", trimws(t[1, ]))]))
    num <- trimws(t[-1, match("Number", trimws(t[1, ]))])
    val <- review_cell_count(num)
    for (ch in audit_chains) {
      s <- which(grepl(ch$start, step))[1L]
      if (is.na(s) || is.na(val[s])) next
      pos <- seq_along(step)
      e <- which(pos > s & grepl(ch$end, step))[1L]
      if (is.na(e)) next
      if (isTRUE(ch$anywhere)) pos[e] <- Inf
      inside <- pos > s & pos < pos[e]
      parts <- which(inside & grepl(ch$part, step))
      checks <- if (is.null(ch$check)) integer() else which(inside & grepl(ch$check, step) & !is.na(val))
      bounds <- c(s, checks[order(pos[checks])], e)
      bounds <- bounds[!is.na(val[bounds])]
      for (b in seq_len(length(bounds) - 1L)) {
        idx <- parts[pos[parts] > pos[bounds[b]] & pos[parts] < pos[bounds[b + 1L]]]
        hid <- idx[num[idx] == "c"]
        if (!length(hid)) next
        left <- val[bounds[b]] - val[bounds[b + 1L]] - sum(val[setdiff(idx, hid)], na.rm = TRUE)
        if (left < threshold) {
          out <- rbind(out, review_problems(sprintf("table %d, \"%s\"", i, t[-1, 1][hid[1]]),
            sprintf("the hidden step%s add up to %s by subtraction, under %d", if (length(hid) > 1) "s" else "",
                    format(left, big.mark = ","), threshold)))
        }
      }
    }
  }
  out
}

# No record location (a return's file, child and episode positions, or rows
# of the extract) in the text or the tables of a published report.
review_record_locations <- function(text, tables = list()) {
  pat <- "\\bfile [0-9c]+,? child [0-9c]+|\\bchild [0-9c]+,? episode [0-9c]+|\\b[Rr]ows? [0-9]+(, [0-9]+)+"
  cells <- unlist(lapply(tables, as.vector))
  hit <- c(text[grepl(pat, text)], cells[grepl(pat, cells)])
  if (!length(hit)) return(review_problems())
  review_problems(rep("report", length(hit)),
                  paste0("a record location is printed: \"", substr(hit, 1, 80), "\""))
}

# -- pages ----------------------------------------------------------------------

# How much of each printed page is blank at its foot: the share of the body
# (the page less its top and bottom margins, `margin` inches) below the last
# line of ink, read from the pages of a PDF (the Word report as LibreOffice
# prints it) in grey at `dpi` dots per inch (pdftoppm). A data frame, one row
# per page: `page`, `blank` (0 to 1).
review_page_blank <- function(pdf, margin = docx_page$margin / 1440, dpi = 20) {
  if (!nzchar(Sys.which("pdftoppm"))) abort_input("Measuring blank pages needs {.code pdftoppm} (poppler).")
  dir <- tempfile("pages")
  dir.create(dir)
  on.exit(unlink(dir, recursive = TRUE), add = TRUE)
  system2("pdftoppm", c("-gray", "-r", dpi, shQuote(pdf), shQuote(file.path(dir, "p"))))
  files <- sort(list.files(dir, "\\.pgm$", full.names = TRUE))
  blank <- vapply(files, function(f) {
    img <- review_read_pgm(f)
    m <- round(margin * dpi)
    body <- img[seq(m + 1L, nrow(img) - m), , drop = FALSE]
    ink <- which(apply(body < 160L, 1, any))
    if (!length(ink)) return(1)
    (nrow(body) - max(ink)) / nrow(body)
  }, 0)
  data.frame(page = seq_along(files), blank = unname(blank))
}

# Pages of the Word report (as LibreOffice prints it, `pdf`) more than
# `limit` blank at the foot, other than those that end where the report ends
# a page by design: the last page, the contents page (a page break follows
# the contents), the page before a paragraph with "page break before" and
# the page before a landscape table's section. A page is found to end by design when the next
# page starts with the text that follows such a break in the document. One
# row per page left blank for what was pushed over.
review_blank_pages <- function(pdf, report, limit = 0.4) {
  if (is.character(report)) report <- review_read(report)
  b <- review_page_blank(pdf)
  over <- b$page[b$blank > limit & b$page < nrow(b)]
  if (!length(over)) return(review_problems())
  starts <- review_designed_starts(report)
  norm <- review_norm_text
  out <- review_problems()
  for (p in over) {
    nxt <- system2("pdftotext", c("-f", p + 1, "-l", p + 1, shQuote(pdf), "-"), stdout = TRUE)
    nxt <- norm(paste(nxt[nzchar(trimws(nxt))], collapse = " "))
    if (any(startsWith(nxt, starts))) next
    out <- rbind(out, review_problems(sprintf("page %d", p),
      sprintf("%.0f%% of the page is blank at its foot, and the next page starts \"%s\"",
              100 * b$blank[p], substr(nxt, 1, 60))))
  }
  out
}

# The text that starts a page by design in a Word report: the first words of
# the paragraph after a page break, after a section break, or of a
# paragraph with "page break before".
review_designed_starts <- function(report) {
  doc <- report$docx$doc
  norm <- review_norm_text
  after <- function(nodes) {
    vapply(nodes, function(n) {
      nx <- xml2::xml_find_first(n, "following-sibling::*[normalize-space(.) != ''][1]")
      if (inherits(nx, "xml_missing")) "" else norm(docx_text(nx))
    }, "")
  }
  brk <- xml2::xml_find_all(doc, "//w:body/w:p[.//w:br[@w:type='page']] | //w:body/w:p[w:pPr/w:sectPr]", docx_ns)
  own <- xml2::xml_find_all(doc, "//w:body/w:p[w:pPr/w:pageBreakBefore]", docx_ns)
  x <- c(after(brk), vapply(own, function(n) norm(docx_text(n)), ""))
  x <- substr(x[nzchar(x)], 1, 30)
  unique(x)
}

# Text compared between a document and its PDF: spaces of any kind as one
# space, hyphens of any kind as "-".
review_norm_text <- function(x) {
  x <- gsub("[\u2010\u2011\u2012\u2013]", "-", x)
  gsub("[\\s\u00a0]+", " ", trimws(x), perl = TRUE)
}

# A binary greyscale PGM (P5, 8 bits) as an integer matrix, rows top to bottom.
review_read_pgm <- function(path) {
  con <- file(path, "rb")
  on.exit(close(con), add = TRUE)
  head <- character()
  while (length(head) < 4L) {
    line <- readLines(con, n = 1L, warn = FALSE)
    line <- sub("#.*$", "", line)
    head <- c(head, strsplit(trimws(line), "\\s+")[[1]])
    head <- head[nzchar(head)]
  }
  w <- as.integer(head[2])
  h <- as.integer(head[3])
  px <- readBin(con, "raw", n = w * h)
  matrix(as.integer(px), nrow = h, ncol = w, byrow = TRUE)
}

# -- figures --------------------------------------------------------------------

# Text of a chart that a reader cannot read whole: drawn on the device that
# knits the report (png, in the device's own font) at `width` x `height`
# inches, every label of every text element (titles, captions, axis labels,
# legend keys, labels in the panels) must lie inside the figure, a label in a
# panel inside its panel (which clips it), and the labels of one axis must
# not run into each other. One row per problem.
review_figure_text <- function(p, width, height, dpi = 72, tol = 0.01) {
  boxes <- figure_text_boxes(p, width, height, dpi)
  out <- review_problems()
  if (is.null(boxes) || !nrow(boxes)) return(out)
  short <- function(x) paste0("\"", substr(gsub("\\s+", " ", x), 1, 40), "\"")
  off <- boxes$left < boxes$clip_left - tol | boxes$right > boxes$clip_right + tol |
    boxes$bottom < boxes$clip_bottom - tol | boxes$top > boxes$clip_top + tol
  if (any(off)) {
    b <- boxes[off, ]
    out <- rbind(out, review_problems(b$element, paste0(short(b$label), " is cut off at the ",
      ifelse(b$left < b$clip_left - tol, "left", ifelse(b$right > b$clip_right + tol, "right",
             ifelse(b$top > b$clip_top + tol, "top", "bottom"))),
      " edge of the ", ifelse(b$in_panel, "panel", "figure"))))
  }
  # labels of one axis (one text element outside the panels) that overlap
  for (g in unique(boxes$grob[!boxes$in_panel])) {
    b <- boxes[boxes$grob == g, ]
    if (nrow(b) < 2) next
    for (i in seq_len(nrow(b) - 1L)) for (j in seq(i + 1L, nrow(b))) {
      ov_x <- min(b$right[i], b$right[j]) - max(b$left[i], b$left[j])
      ov_y <- min(b$top[i], b$top[j]) - max(b$bottom[i], b$bottom[j])
      if (ov_x > 0.02 && ov_y > 0.02) {
        out <- rbind(out, review_problems(b$element[i], paste0(short(b$label[i]), " and ", short(b$label[j]),
                                                                " run into each other")))
      }
    }
  }
  out
}

# The ggplot element a grob path belongs to ("caption", "axis-l", "guide-box",
# "panel"): the first part of its path below the plot's layout.
figure_element_name <- function(gp) {
  gp <- gp[nzchar(gp) & gp != "layout"]
  if (!length(gp)) return("figure")
  sub("(\\.[0-9]+)?(-[0-9]+)*$", "", gp[1])
}

# The box of every label of every text grob of a drawn ggplot, in inches from
# the device's bottom left corner, with the box that clips it (its panel,
# else the figure).
figure_text_boxes <- function(p, width, height, dpi = 72) {
  if (!inherits(p, "ggplot")) return(NULL)
  old <- grDevices::dev.cur()
  f <- tempfile(fileext = ".png")
  grDevices::png(f, width = width, height = height, units = "in", res = dpi)
  on.exit({
    grDevices::dev.off()
    if (old > 1) grDevices::dev.set(old)
    unlink(f)
  }, add = TRUE)
  # drawn as print() draws it, without print() (the review's print hook calls this)
  grid::grid.newpage()
  grid::grid.draw(ggplot2::ggplotGrob(p))
  grid::grid.force()
  full <- grid::grid.ls(viewports = TRUE, print = FALSE, fullNames = TRUE)
  bare <- grid::grid.ls(viewports = TRUE, print = FALSE, fullNames = FALSE)
  at <- which(startsWith(full$name, "text[") & full$type == "grobListing")
  loc <- function(x, y) grid::deviceLoc(x, y, valueOnly = TRUE)
  out <- list()
  for (i in at) {
    grid::upViewport(0)
    parts <- strsplit(bare$vpPath[i], "::", fixed = TRUE)[[1]]
    parts <- parts[nzchar(parts) & parts != "ROOT"]
    if (length(parts)) grid::downViewport(do.call(grid::vpPath, as.list(parts)), strict = TRUE)
    gp <- c(strsplit(bare$gPath[i], "::", fixed = TRUE)[[1]], bare$name[i])
    g <- grid::grid.get(do.call(grid::gPath, as.list(gp[nzchar(gp)])))
    lab <- as.character(g$label)
    if (!length(lab)) next
    # the panel (clipping) viewport the text sits in, if any
    panel <- grep("^panel", parts)
    clip <- if (length(panel)) {
      grid::upViewport(0)
      grid::downViewport(do.call(grid::vpPath, as.list(parts[seq_len(max(panel))])), strict = TRUE)
      a <- loc(grid::unit(0, "npc"), grid::unit(0, "npc"))
      b <- loc(grid::unit(1, "npc"), grid::unit(1, "npc"))
      grid::upViewport(0)
      grid::downViewport(do.call(grid::vpPath, as.list(parts)), strict = TRUE)
      c(a$x, b$x, a$y, b$y)
    } else c(0, width, 0, height)
    n <- length(lab)
    rep_n <- function(u) rep(u, length.out = n)
    xs <- rep_n(g$x)
    ys <- rep_n(g$y)
    for (k in seq_len(n)) {
      if (is.na(lab[k]) || !nzchar(trimws(lab[k]))) next
      one <- grid::editGrob(g, label = lab[k], x = xs[k], y = ys[k],
                            hjust = if (length(g$hjust)) rep_len(g$hjust, n)[k] else NULL,
                            vjust = if (length(g$vjust)) rep_len(g$vjust, n)[k] else NULL,
                            rot = rep_len(g$rot, n)[k])
      lo <- loc(grid::grobX(one, "west"), grid::grobY(one, "south"))
      hi <- loc(grid::grobX(one, "east"), grid::grobY(one, "north"))
      out[[length(out) + 1L]] <- data.frame(
        grob = i, element = figure_element_name(gp),
        label = lab[k], left = lo$x, right = hi$x, bottom = lo$y, top = hi$y,
        in_panel = length(panel) > 0, clip_left = clip[1], clip_right = clip[2],
        clip_bottom = clip[3], clip_top = clip[4], stringsAsFactors = FALSE)
    }
  }
  grid::upViewport(0)
  do.call(rbind, out)
}
