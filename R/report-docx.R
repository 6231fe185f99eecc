# The Word report's layout, finished after pandoc has written it. Pandoc takes
# the page (A4), fonts, styles and footer from the reference document shipped in
# the template (built by data-raw/reference-docx.R), but cannot size table
# columns to their words, keep rows whole across pages, turn a wide table's page
# to landscape or fill the table of contents: report_docx_finish() does these in
# the document's XML.

# Page geometry of the reference document, in twips (1/1440 inch).
docx_page <- list(width = 11906, height = 16838, margin = 1134, cell_margin = 85)
docx_ns <- c(w = "http://schemas.openxmlformats.org/wordprocessingml/2006/main",
             r = "http://schemas.openxmlformats.org/officeDocument/2006/relationships")

# The reference document shipped with the report template.
report_reference_docx <- function() {
  system.file("rmarkdown", "templates", "demand-report", "skeleton", "reference.docx",
              package = "cscdemand")
}

#' Finish the layout of a knitted Word report
#'
#' Sizes each table's columns so that its longest word fits (tables too wide
#' for an A4 portrait page get a landscape page of their own), keeps every
#' row on one page and repeats the header row on each page, gives the cells
#' the reference document's table styles, and writes the list of headings
#' into the table of contents (Word updates its page numbers on opening).
#' @param path The `.docx` file, rewritten in place.
#' @return `path`, invisibly.
#' @noRd
report_docx_finish <- function(path) {
  rlang::check_installed("xml2", reason = "to lay out the Word report.")
  dir <- docx_unzip(path)
  on.exit(unlink(dir, recursive = TRUE), add = TRUE)
  doc_path <- file.path(dir, "word", "document.xml")
  doc <- xml2::read_xml(doc_path)
  land <- vapply(xml2::xml_find_all(doc, "//w:body/w:tbl", docx_ns), docx_table_layout, logical(1))
  docx_landscape(doc, land)
  docx_keep_tables(doc)
  docx_nobreak_ranges(doc)
  docx_fill_toc(doc)
  docx_image_text(doc)
  xml2::write_xml(doc, doc_path, options = "as_xml")
  docx_update_fields(file.path(dir, "word", "settings.xml"))
  docx_zip(dir, path)
  invisible(path)
}

# Each picture's description (its alternative text) is its figure caption:
# pandoc writes the image file's path (a build folder of the machine that
# knitted it) into the inner description, which a screen reader reads out and
# which is no part of a published report. Any other description that is a
# path is emptied.
docx_image_text <- function(doc) {
  ns <- c(docx_ns, wp = "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing",
          pic = "http://schemas.openxmlformats.org/drawingml/2006/picture")
  for (d in xml2::xml_find_all(doc, "//wp:inline | //wp:anchor", ns)) {
    outer <- xml2::xml_find_first(d, "wp:docPr", ns)
    cap <- if (inherits(outer, "xml_missing")) "" else xml2::xml_attr(outer, "descr")
    if (is.na(cap) || docx_is_path(cap)) cap <- ""
    if (!inherits(outer, "xml_missing")) xml2::xml_set_attr(outer, "descr", cap)
    for (inner in xml2::xml_find_all(d, ".//pic:cNvPr", ns)) xml2::xml_set_attr(inner, "descr", cap)
  }
  for (node in xml2::xml_find_all(doc, "//*[@descr or @title]")) {
    for (a in c("descr", "title")) {
      v <- xml2::xml_attr(node, a)
      if (!is.na(v) && docx_is_path(v)) xml2::xml_set_attr(node, a, "")
    }
  }
  invisible(doc)
}

# A file path or a picture's file name, not words.
docx_is_path <- function(x) {
  grepl("(^|[\\s\"'(])(/|~/|[A-Za-z]:[\\\\/])[^ ]*[/\\\\]|\\.(png|jpe?g|svg|pdf|emf)$|_files[/\\\\]", x, perl = TRUE)
}

docx_unzip <- function(path) {
  dir <- tempfile("docx")
  utils::unzip(path, exdir = dir)
  dir
}

# A zip program writes the file back: the one R finds (R_ZIPCMD, zip), else
# the zip package when installed.
docx_zip <- function(dir, path) {
  files <- list.files(dir, recursive = TRUE, all.files = TRUE)
  files <- c("[Content_Types].xml", setdiff(files, "[Content_Types].xml"))
  tmp <- tempfile(fileext = ".docx")
  zip_cmd <- Sys.getenv("R_ZIPCMD", "zip")
  if (nzchar(Sys.which(zip_cmd))) {
    old <- setwd(dir)
    on.exit(setwd(old), add = TRUE)
    status <- utils::zip(tmp, files, flags = "-X -q -D")
    setwd(old)
    ok <- identical(as.integer(status), 0L)
  } else if (requireNamespace("zip", quietly = TRUE)) {
    zip::zip(tmp, files, root = dir)
    ok <- TRUE
  } else {
    ok <- FALSE
  }
  if (!ok || !file.exists(tmp)) {
    warn_cscdemand(c("The Word report's tables keep pandoc's layout: no zip program was found to rewrite it.",
                     i = "Install the {.pkg zip} package, or put a {.code zip} program on the PATH."),
                   class = "cscdemand_warning_docx")
    return(invisible(FALSE))
  }
  file.copy(tmp, path, overwrite = TRUE)
  unlink(tmp)
  invisible(TRUE)
}

# Text of each cell of a table, a character matrix (rows x columns).
docx_table_cells <- function(tbl) {
  rows <- xml2::xml_find_all(tbl, "w:tr", docx_ns)
  cells <- lapply(rows, function(tr) {
    vapply(xml2::xml_find_all(tr, "w:tc", docx_ns), docx_text, "")
  })
  n <- max(lengths(cells), 0L)
  do.call(rbind, lapply(cells, function(x) c(x, rep("", n - length(x)))))
}

# The text of a part of the document as a reader sees it: its runs' text,
# with Word's non-breaking hyphen (w:noBreakHyphen) read as a hyphen.
docx_text <- function(node) {
  bits <- xml2::xml_find_all(node, ".//w:t | .//w:noBreakHyphen", docx_ns)
  paste(ifelse(xml2::xml_name(bits) == "noBreakHyphen", "-", xml2::xml_text(bits)), collapse = "")
}

# Widths in twips of strings in Arial (Helvetica metrics, which Arial and
# Liberation Sans share) at `size` points.
text_twips <- function(x, size = 9, bold = FALSE) {
  if (!length(x)) return(numeric())
  # characters outside Latin-1 (arrows) measured as an M, about their width
  x <- gsub("[^\\x{01}-\\x{ff}]", "M", enc2utf8(x), perl = TRUE)
  grDevices::pdf(NULL)
  on.exit(grDevices::dev.off(), add = TRUE)
  gp <- grid::gpar(fontfamily = "Helvetica", fontsize = size, fontface = if (bold) 2 else 1)
  grid::pushViewport(grid::viewport(gp = gp))
  w <- vapply(x, function(s) grid::convertWidth(grid::stringWidth(s), "inches", valueOnly = TRUE), 0)
  unname(w) * 1440
}

# The widest word of each cell, and each cell's whole text, in twips
# (header row bold), plus the cell margins.
docx_cell_widths <- function(cells, size = 9, margin = docx_page$cell_margin) {
  pad <- 2 * margin + 40
  words <- strsplit(cells, "\\s+")
  bold <- row(cells) == 1
  measure <- function(keep, b) {
    u <- unique(c(unlist(words[keep]), cells[keep]))
    list(u = u, w = text_twips(u, size, bold = b))
  }
  plain <- measure(!bold, FALSE)
  head <- measure(bold, TRUE)
  width_of <- function(x, b) {
    m <- if (b) head else plain
    if (length(x)) max(m$w[match(x, m$u)]) else 0
  }
  word_w <- full_w <- array(0, dim(cells))
  word_w[] <- mapply(width_of, words, bold) + pad
  full_w[] <- mapply(width_of, as.list(cells), bold) + pad
  list(word = word_w, full = full_w)
}

# Column widths for a table: each column at least its widest word; the room
# left goes where it makes the table shortest (docx_share_room(): a column of
# long text gets the room its rows need, rather than an equal share with
# columns of short labels, which left Table 6 of the Sunderland report a third
# of the page wide in its long column and its rows half a page tall). A table
# whose words do not fit the portrait page at 9 points is set compact (8
# points, narrower cell margins) when that fits: a landscape page of its own
# leaves most of the page before it blank. Landscape only when the words do
# not fit even then.
docx_column_widths <- function(cells, size = 9) {
  portrait <- docx_page$width - 2 * docx_page$margin
  landscape <- docx_page$height - 2 * docx_page$margin
  margin <- docx_page$cell_margin
  cw <- docx_cell_widths(cells, size)
  need <- apply(cw$word, 2, max)
  compact <- FALSE
  # the body's cells on one line each, but for the first column's labels
  # (the header's words and the labels may wrap)
  one_line <- function(w) {
    body <- if (nrow(cells) > 1) apply(w$full[-1, , drop = FALSE], 2, max) else 0
    body[1] <- 0
    sum(pmax(apply(w$word, 2, max), body))
  }
  # compact first with the usual compact margins, then with the tight ones: a
  # short table a few points too wide for the first (Leicestershire's
  # three-row Table 12, 16 twips over) took a landscape page of its own and
  # left most of the page before it blank (reader12 N4)
  for (cm in c(docx_compact$margin, docx_compact$tight)) {
    # (the tight margins only where the words would need a landscape page)
    if (!(sum(need) > portrait || (cm == docx_compact$margin && one_line(cw) > portrait))) break
    small <- docx_cell_widths(cells, docx_compact$size, cm)
    if (sum(apply(small$word, 2, max)) <= portrait && (sum(need) > portrait || one_line(small) <= portrait)) {
      cw <- small
      need <- apply(cw$word, 2, max)
      compact <- TRUE
      size <- docx_compact$size
      margin <- cm
    }
  }
  want <- apply(cw$full, 2, max)
  land <- sum(need) > portrait
  avail <- if (land) landscape else portrait
  width <- if (sum(want) <= avail) want else if (sum(need) <= avail) {
    # the shortest of three shares of the room, by the rows' heights as
    # set: by rows (docx_share_room()), by steps to the column that gains
    # most (docx_share_steps()), and in proportion to what each column
    # lacks (its longest cell at most 2.5 inches, the old share)
    capped <- pmax(need, pmin(want, 3600))
    ways <- list(rows = docx_share_room(cw$full, need, want, avail, size, margin),
                 steps = docx_share_steps(cw$full, need, want, avail, margin),
                 prop = if (sum(capped) <= avail) capped else
                   need + (avail - sum(need)) * (capped - need) / max(sum(capped - need), 1))
    tall <- vapply(ways, function(w) sum(docx_header_weight(nrow(cells)) * docx_row_heights(cells, w, size, margin)), 0)
    ways[[which.min(tall)]]
  } else {
    # the words do not fit even a landscape page: every column gives up the
    # same share of its words' width (the old share of the shortfall by
    # want - need took it all from the widest cells, down to zero or below)
    need * avail / sum(need)
  }
  list(width = floor(width), landscape = land, compact = compact, margin = margin)
}

# The room a table has beyond its columns' longest words, shared out where
# it shortens the table most for the room it takes: at each step, for every
# row, the widths that take one line off it (every cell of the row at its
# most lines made a line shorter: a row of counts "364 (68.4%)" across the
# category columns is one line shorter only when all of them are), and the
# step that saves the most height (docx_lines_estimate(), over all rows) per
# twip of room is taken. The room left when no row can be shortened goes to
# the columns whose longest cell is still broken over lines, in proportion
# to what they lack. No column gets more than its longest cell on one line.
docx_share_room <- function(full, need, want, avail, size = 9, margin = docx_page$cell_margin) {
  width <- need
  pad <- 2 * margin + 40
  text <- pmax(full - pad, 0)
  height <- function(w) sum(docx_header_weight(nrow(full)) * apply(docx_lines_estimate(full, w, margin), 1, max))
  # the width of a column at which a cell takes at most t lines
  width_for <- function(x, t, j) min(want[j], if (t <= 1) x + pad else 1.1 * x / (t + 0.05) + pad + 1)
  repeat {
    left <- avail - sum(width)
    if (left < 1) break
    lines <- docx_lines_estimate(full, width, margin)
    h0 <- height(width)
    best <- NULL
    best_rate <- 0
    for (r in seq_len(nrow(full))) {
      top <- max(lines[r, ])
      if (top <= 1) next
      w <- width
      for (j in which(lines[r, ] == top)) w[j] <- max(w[j], width_for(text[r, j], top - 1, j))
      cost <- sum(w - width)
      if (cost <= 0 || cost > left) next
      rate <- (h0 - height(w)) / cost
      if (rate > best_rate) {
        best_rate <- rate
        best <- w
      }
    }
    if (is.null(best)) break
    width <- best
  }
  open <- which(width < want)
  left <- avail - sum(width)
  if (length(open) && left > 0) {
    lack <- want[open] - width[open]
    width[open] <- width[open] + pmin(lack, left * lack / sum(lack))
  }
  # what is left (columns at their longest cell) is shared by every column,
  # so the table is as wide as the page
  left <- avail - sum(width)
  if (left > 0) width <- width + left * width / sum(width)
  width
}

# The room shared in `steps` equal steps, each to the column where it
# shortens the table most (a column of long text beside columns of labels),
# else to the columns still broken over lines in proportion to what they
# lack; no column over its longest cell on one line.
docx_share_steps <- function(full, need, want, avail, margin = docx_page$cell_margin, steps = 60L) {
  width <- need
  step <- (avail - sum(need)) / steps
  height <- function(w) sum(docx_header_weight(nrow(full)) * apply(docx_lines_estimate(full, w, margin), 1, max))
  for (s in seq_len(steps)) {
    open <- which(width < want)
    if (!length(open)) break
    h0 <- height(width)
    gain <- vapply(open, function(j) {
      w <- width
      w[j] <- min(want[j], w[j] + step)
      h0 - height(w)
    }, 0)
    if (max(gain) > 0) {
      j <- open[which.max(gain)]
      width[j] <- min(want[j], width[j] + step)
    } else {
      lack <- want[open] - width[open]
      width[open] <- pmin(want[open], width[open] + step * lack / sum(lack))
    }
  }
  left <- avail - sum(width)
  if (left > 0) width <- width + left * width / sum(width)
  width
}

# How much each row's height counts when the room is shared: the header row
# half as much as a row of the table's body, so that counts and their
# percentages ("364 (68.4%)") stay on one line before a heading is made
# shorter (a heading of long category names may take a few lines).
docx_header_weight <- function(n) c(0.5, rep(1, max(n - 1L, 0L)))[seq_len(n)]

# Lines each cell needs in columns of `width` twips, estimated from the cell's
# text on one line (`full`, with the cell margins and air of
# docx_cell_widths()): its length over the room, a tenth more for the ends
# of lines a word does not fill.
docx_lines_estimate <- function(full, width, margin = docx_page$cell_margin) {
  pad <- 2 * margin + 40
  room <- pmax(rep(width, each = nrow(full)) - pad, 1)
  text <- pmax(full - pad, 0)
  out <- array(pmax(1, ceiling(1.1 * text / room - 0.05)), dim(full))
  out[text <= room] <- 1
  out
}

# The height in twips of each row of a table as LibreOffice and Word set it:
# every cell's words wrapped into its column (greedy, in Arial at `size`
# points, bold in the header row), a row as tall as its cell of most lines,
# with the TableText style's space above and below (1 point each) and its
# rule.
docx_row_heights <- function(cells, width, size = 9, margin = docx_page$cell_margin) {
  if (!length(cells)) return(numeric())
  room <- pmax(width - 2 * margin - 20, 1)
  words <- strsplit(trimws(cells), "\\s+")
  bold <- row(cells) == 1
  meas <- function(b) {
    u <- unique(c(unlist(words[if (b) bold else !bold]), " "))
    stats::setNames(text_twips(u, size, bold = b), u)
  }
  m <- list(plain = meas(FALSE), bold = if (any(bold)) meas(TRUE) else NULL)
  lines <- array(1, dim(cells))
  for (k in seq_along(cells)) {
    w <- words[[k]]
    if (length(w) < 2L) next
    mw <- if (bold[k]) m$bold else m$plain
    r <- room[col(cells)[k]]
    n <- 1
    used <- mw[[w[1]]]
    for (x in w[-1]) {
      add <- mw[[" "]] + mw[[x]]
      if (used + add > r) {
        n <- n + 1
        used <- mw[[x]]
      } else {
        used <- used + add
      }
    }
    lines[k] <- n
  }
  apply(lines, 1, max) * docx_line_twips(size) + 40 + 10
}

# The height of a line of Arial at `size` points, in twips (LibreOffice's
# single spacing of Arial is 1.15 times the size).
docx_line_twips <- function(size) size * 20 * 1.15

# The body of the A4 page (less its top and bottom margins), in twips.
docx_body_height <- function() docx_page$height - 2 * docx_page$margin

# A compact table: its text size in points and its cells' left and right
# margins in twips.
# margins in twips (`tight`: the narrower margins tried before a landscape page).
docx_compact <- list(size = 8, margin = 45, tight = 20)

# One table: fixed column widths, rows that do not split, a repeated header
# row, the TableText / TableHeading paragraph styles. TRUE if landscape.
docx_table_layout <- function(tbl) {
  docx_glue_numbers(tbl)
  cells <- docx_table_cells(tbl)
  if (!length(cells)) return(FALSE)
  right <- docx_number_columns(cells)
  lay <- docx_column_widths(cells)
  w <- as.character(lay$width)
  tblpr <- xml2::xml_find_first(tbl, "w:tblPr", docx_ns)
  docx_set_child(tblpr, "w:tblW", c("w:type" = "dxa", "w:w" = as.character(sum(lay$width))))
  docx_set_child(tblpr, "w:tblLayout", c("w:type" = "fixed"), before = c("w:tblCellMar", "w:tblLook", "w:tblCaption"))
  grid <- xml2::xml_find_first(tbl, "w:tblGrid", docx_ns)
  for (g in xml2::xml_find_all(grid, "w:gridCol", docx_ns)) xml2::xml_remove(g)
  for (x in w) xml2::xml_add_child(grid, "w:gridCol", "w:w" = x)
  if (isTRUE(lay$compact)) docx_compact_table(tbl, tblpr, lay$margin)
  rows <- xml2::xml_find_all(tbl, "w:tr", docx_ns)
  # a row as tall as 40% of the page may split across pages: kept whole, it
  # would leave that much of the page before it blank
  tall <- docx_row_heights(cells, lay$width, if (isTRUE(lay$compact)) docx_compact$size else 9,
                           if (isTRUE(lay$compact)) lay$margin else docx_page$cell_margin) >
    docx_keep_limit * docx_body_height()
  for (i in seq_along(rows)) {
    trpr <- xml2::xml_find_first(rows[[i]], "w:trPr", docx_ns)
    if (inherits(trpr, "xml_missing")) trpr <- xml2::xml_add_child(rows[[i]], "w:trPr", .where = 0)
    if (!isTRUE(tall[i])) docx_set_child(trpr, "w:cantSplit", c("w:val" = "true"), first = TRUE)
    if (i == 1) docx_set_child(trpr, "w:tblHeader", c("w:val" = "true"))
    tcs <- xml2::xml_find_all(rows[[i]], "w:tc", docx_ns)
    for (j in seq_along(tcs)) {
      tcpr <- xml2::xml_find_first(tcs[[j]], "w:tcPr", docx_ns)
      if (inherits(tcpr, "xml_missing")) tcpr <- xml2::xml_add_child(tcs[[j]], "w:tcPr", .where = 0)
      docx_set_child(tcpr, "w:tcW", c("w:type" = "dxa", "w:w" = w[min(j, length(w))]), first = TRUE)
      for (ps in xml2::xml_find_all(tcs[[j]], ".//w:pStyle", docx_ns)) {
        xml2::xml_set_attr(ps, "w:val", if (i == 1) "TableHeading" else "TableText")
      }
      # a column of numbers right-aligned, its heading too, as council
      # tables set them (percentages to one decimal then line up on the point)
      if (isTRUE(right[j])) for (pp in xml2::xml_find_all(tcs[[j]], ".//w:p/w:pPr", docx_ns)) {
        docx_set_child(pp, "w:jc", c("w:val" = "right"), before = docx_ppr_after_jc)
      }
    }
  }
  lay$landscape
}

# The elements of a paragraph's properties that come after w:jc in the
# schema's order.
docx_ppr_after_jc <- c("w:textDirection", "w:textAlignment", "w:textboxTightWrap", "w:outlineLvl", "w:divId",
                       "w:cnfStyle", "w:rPr", "w:sectPr", "w:pPrChange")

# A cell of a table of numbers: a count or a figure, with or without a
# percentage or an interval in brackets after it and significance arrows
# ("382 (26.1%)", "x0.85 \u2193", "25.9 (20.6 to 31.5)", "< 0.001"), or a mark that
# stands for one ("c", a dash, empty).
docx_number_pattern <- "^(c|\u2013|\u2014|-|)$|^[x<>\u2248~\u2264\u2265]?\\s*-?[0-9][0-9,]*(\\.[0-9]+)?%?(\\s*\\([^()]*\\))?(\\s*[\u2191\u2193]+)?$"

# Which columns of a table (a character matrix, header row first) hold
# numbers in every cell of the body, with at least one number: those are
# right-aligned. The first column (the rows' labels) never is.
docx_number_columns <- function(cells) {
  if (nrow(cells) < 2L) return(rep(FALSE, ncol(cells)))
  body <- gsub("\u00a0", " ", cells[-1, , drop = FALSE])
  body <- trimws(body)
  num <- array(grepl(docx_number_pattern, body, perl = TRUE), dim(body))
  mark <- array(grepl("^(c|\u2013|\u2014|-|)$", body, perl = TRUE), dim(body))
  out <- colSums(!num) == 0 & colSums(num & !mark) > 0
  out[1] <- FALSE
  out
}

# A count and its percentage ("382 (26.1%)"), a figure and its interval's
# bracket, or a ratio and its arrows never break across lines: the space
# between them becomes a no-break space in the table's text (the column
# widths, docx_column_widths(), then count the pair as one word).
docx_glue_numbers <- function(tbl) {
  for (t in xml2::xml_find_all(tbl, ".//w:tc//w:t", docx_ns)) {
    v <- xml2::xml_text(t)
    w <- gsub("(?<=[0-9%]) +(?=\\([0-9<>c])|(?<=[0-9%)]) +(?=[\u2191\u2193])", "\u00a0", v, perl = TRUE)
    if (!identical(w, v)) xml2::xml_text(t) <- w
  }
  invisible(tbl)
}

# Keep each table with its caption and its note (the paragraph after it), so
# a page never ends on a caption or starts with a note cut off from its
# table: "keep with next" on the caption, on the paragraphs of a short table's
# rows (the whole table moves to the next page rather than splits), and on
# the first and last `edge` rows of a longer one (a longer table still flows
# across pages, so no page is left mostly blank for it).
# A table is short (kept whole) in HTML when it has at most 12 rows below its
# header and 1,000 characters: a table of few rows but long cells (the audit)
# is as tall as a long one, and moving it whole would leave most of a page
# blank. In Word, where the rows' heights can be worked out from the column
# widths (docx_row_heights()), a table is kept whole when what moves with it
# (the headings just above, its caption, its rows and the first two lines of
# its note) is at most `limit` of the page's body, so that moving it to the
# next page leaves at most that share of a page blank.
table_is_short <- function(rows, chars) rows <= 12L & chars <= 1000L

docx_keep_limit <- 0.4

docx_keep_tables <- function(doc, edge = 2L, limit = docx_keep_limit) {
  most <- limit * docx_body_height()
  for (tbl in xml2::xml_find_all(doc, "//w:body/w:tbl", docx_ns)) {
    prev <- xml2::xml_find_first(tbl, "preceding-sibling::*[1]", docx_ns)
    if (identical(docx_style(prev), "TableCaption")) docx_keep_next(prev)
    rows <- xml2::xml_find_all(tbl, "w:tr", docx_ns)
    n <- length(rows)
    nxt <- xml2::xml_find_first(tbl, "following-sibling::*[1]", docx_ns)
    note <- docx_is_note(nxt)
    h <- docx_table_row_heights(tbl)
    above <- docx_heights_above(tbl)
    below <- if (note) docx_para_height(nxt, lines = 2L) else 0
    whole <- above + sum(h) + below <= most
    keep <- if (whole) seq_len(n) else {
      # the first rows go with the caption, as few as make a block under the limit
      e <- edge
      while (e > 1L && above + sum(h[seq_len(min(e + 1L, n))]) > most) e <- e - 1L
      unique(c(seq_len(min(e, n)), seq(max(n - edge + 1L, 1L), n)))
    }
    # the last row holds on to the note only when there is one
    if (!note) keep <- setdiff(keep, n)
    for (r in rows[keep]) for (p in xml2::xml_find_all(r, ".//w:p", docx_ns)) docx_keep_next(p)
  }
  invisible(doc)
}

# The rows' heights of a laid-out table (docx_table_layout()), in twips, from
# its grid and its text size.
docx_table_row_heights <- function(tbl) {
  cells <- docx_table_cells(tbl)
  if (!length(cells)) return(numeric())
  w <- as.numeric(docx_attr(xml2::xml_find_all(tbl, "w:tblGrid/w:gridCol", docx_ns), "w"))
  if (length(w) != ncol(cells) || anyNA(w)) w <- rep((docx_page$width - 2 * docx_page$margin) / ncol(cells), ncol(cells))
  sz <- as.numeric(docx_attr(xml2::xml_find_first(tbl, ".//w:r/w:rPr/w:sz", docx_ns), "val")) / 2
  mar <- as.numeric(docx_attr(xml2::xml_find_first(tbl, "w:tblPr/w:tblCellMar/w:left", docx_ns), "w"))
  docx_row_heights(cells, w, if (is.na(sz)) 9 else sz, if (is.na(mar)) docx_page$cell_margin else mar)
}

# A w: attribute of nodes, whether read from a file (namespaced) or set in
# this session by docx_set_child() (held by its prefixed name until the
# document is written and read again).
docx_attr <- function(nodes, name) {
  a <- xml2::xml_attr(nodes, name)
  b <- xml2::xml_attr(nodes, paste0("w:", name))
  ifelse(is.na(a), b, a)
}

# The height in twips of a paragraph of the report (its first `lines` lines
# only, when given): its text wrapped to the page's width at its style's
# size, and the style's space above and below (as the reference document
# sets them: body text 11 points, captions 10, headings 16, 13 and 12).
docx_para_height <- function(p, lines = NULL) {
  st <- docx_style(p)
  if (is.na(st)) st <- ""
  spec <- switch(st,
    Heading1 = c(16, 480, 0), Heading2 = c(13, 200, 0), Heading3 = c(12, 200, 0),
    TableCaption = c(10, 0, 120), ImageCaption = c(11, 0, 120), Caption = c(11, 0, 120),
    Compact = c(11, 36, 36), c(11, 180, 180))
  text <- docx_text(p)
  n <- if (nzchar(trimws(text))) {
    ceiling(text_twips(text, spec[1], bold = grepl("^Heading", st)) / (docx_page$width - 2 * docx_page$margin))
  } else 1
  if (!is.null(lines)) n <- min(n, lines)
  n * docx_line_twips(spec[1]) + spec[2] + spec[3]
}

# What is kept with a table from above it: its caption and the headings just
# above that.
docx_heights_above <- function(tbl) {
  h <- 0
  node <- xml2::xml_find_first(tbl, "preceding-sibling::*[1]", docx_ns)
  if (identical(docx_style(node), "TableCaption")) {
    h <- h + docx_para_height(node)
    node <- xml2::xml_find_first(node, "preceding-sibling::*[1]", docx_ns)
  }
  repeat {
    st <- docx_style(node)
    if (is.na(st) || !grepl("^Heading[0-9]$", st)) break
    h <- h + docx_para_height(node)
    node <- xml2::xml_find_first(node, "preceding-sibling::*[1]", docx_ns)
  }
  h
}

# A table's note: the paragraph just after it, unless that is a heading, a
# caption or a section break.
docx_is_note <- function(p) {
  if (inherits(p, "xml_missing") || !identical(xml2::xml_name(p), "p") || docx_is_section_break(p)) return(FALSE)
  st <- docx_style(p)
  is.na(st) || !grepl("^(Heading|TableCaption|ImageCaption|CaptionedFigure)", st)
}

docx_style <- function(p) {
  if (inherits(p, "xml_missing")) return(NA_character_)
  xml2::xml_attr(xml2::xml_find_first(p, "w:pPr/w:pStyle", docx_ns), "val")
}

docx_is_section_break <- function(p) {
  !inherits(xml2::xml_find_first(p, "w:pPr/w:sectPr", docx_ns), "xml_missing")
}

# "Keep with next" in a paragraph's properties (after its style, as the
# schema orders them).
docx_keep_next <- function(p) {
  ppr <- xml2::xml_find_first(p, "w:pPr", docx_ns)
  if (inherits(ppr, "xml_missing")) ppr <- xml2::xml_add_child(p, "w:pPr", .where = 0)
  docx_set_child(ppr, "w:keepNext", character(),
                 before = c("w:keepLines", "w:pageBreakBefore", "w:framePr", "w:widowControl", "w:numPr",
                            "w:suppressLineNumbers", "w:pBdr", "w:shd", "w:tabs", "w:suppressAutoHyphens",
                            "w:kinsoku", "w:wordWrap", "w:overflowPunct", "w:topLinePunct", "w:autoSpaceDE",
                            "w:autoSpaceDN", "w:bidi", "w:adjustRightInd", "w:snapToGrid", "w:spacing",
                            "w:ind", "w:contextualSpacing", "w:mirrorIndents", "w:suppressOverlap", "w:jc",
                            "w:textDirection", "w:textAlignment", "w:textboxTightWrap", "w:outlineLvl",
                            "w:divId", "w:cnfStyle", "w:rPr", "w:sectPr", "w:pPrChange"))
}

# A hyphen between two digits (years "2024-25", ages "0-4", "10-15") is
# Word's non-breaking hyphen (w:noBreakHyphen, drawn with the font's own
# hyphen), so a range never breaks across lines.
docx_nobreak_ranges <- function(doc) {
  for (t in xml2::xml_find_all(doc, "//w:body//w:t[contains(., '-')]", docx_ns)) {
    s <- xml2::xml_text(t)
    if (!grepl("[0-9]-[0-9]", s)) next
    parts <- strsplit(s, "(?<=[0-9])-(?=[0-9])", perl = TRUE)[[1]]
    xml2::xml_text(t) <- parts[1]
    xml2::xml_set_attr(t, "xml:space", "preserve")
    at <- t
    for (piece in parts[-1]) {
      at <- xml2::xml_add_sibling(at, "w:noBreakHyphen", .where = "after")
      at <- xml2::xml_add_sibling(at, "w:t", piece, "xml:space" = "preserve", .where = "after")
    }
  }
  invisible(doc)
}

# Set a table compact: narrower left and right cell margins, and every run
# at the compact size (w:sz is in half-points).
docx_compact_table <- function(tbl, tblpr, margin = docx_compact$margin) {
  mar <- docx_set_child(tblpr, "w:tblCellMar", character(), before = c("w:tblLook", "w:tblCaption", "w:tblDescription"))
  for (side in c("w:left", "w:right")) xml2::xml_add_child(mar, side, "w:w" = as.character(margin), "w:type" = "dxa")
  half <- as.character(2 * docx_compact$size)
  for (r in xml2::xml_find_all(tbl, ".//w:r", docx_ns)) {
    rpr <- xml2::xml_find_first(r, "w:rPr", docx_ns)
    if (inherits(rpr, "xml_missing")) rpr <- xml2::xml_add_child(r, "w:rPr", .where = 0)
    docx_set_child(rpr, "w:sz", c("w:val" = half), before = c("w:szCs", "w:highlight", "w:u", "w:effect", "w:bdr",
                                                             "w:shd", "w:fitText", "w:vertAlign", "w:rtl", "w:cs",
                                                             "w:em", "w:lang", "w:eastAsianLayout", "w:specVanish", "w:oMath"))
  }
  invisible(tbl)
}

# Set a child element with these attributes: an old one is replaced in place,
# a new one goes before the first of `before` (the schema's order of
# elements, which Word enforces), else first (`first = TRUE`) or last.
docx_set_child <- function(parent, name, attrs, before = character(), first = FALSE) {
  kids <- xml2::xml_children(parent)
  tags <- paste0("w:", xml2::xml_name(kids))
  at <- match(name, tags)
  if (!is.na(at)) {
    xml2::xml_remove(kids[[at]])
    where <- at - 1L
  } else {
    hit <- which(tags %in% before)
    where <- if (length(hit)) hit[1] - 1L else if (first) 0L else length(kids)
  }
  node <- xml2::xml_add_child(parent, name, .where = where)
  xml2::xml_set_attrs(node, attrs)
  invisible(node)
}

# Each landscape table, with its caption, on landscape pages of its own: a
# section ends before it (the body's page) and after it (turned).
docx_landscape <- function(doc, land) {
  if (!any(land)) return(invisible(doc))
  body_sect <- xml2::xml_find_first(doc, "//w:body/w:sectPr", docx_ns)
  tbls <- xml2::xml_find_all(doc, "//w:body/w:tbl", docx_ns)[land]
  for (tbl in tbls) {
    first <- tbl
    prev <- xml2::xml_find_first(tbl, "preceding-sibling::*[1]", docx_ns)
    if (identical(xml2::xml_attr(xml2::xml_find_first(prev, "w:pPr/w:pStyle", docx_ns), "val"), "TableCaption")) first <- prev
    # the headings just above go to the table's page with it (keep with next
    # cannot cross a section break: they would be left at the foot of a page)
    repeat {
      up <- xml2::xml_find_first(first, "preceding-sibling::*[1]", docx_ns)
      st <- xml2::xml_attr(xml2::xml_find_first(up, "w:pPr/w:pStyle", docx_ns), "val")
      if (inherits(up, "xml_missing") || is.na(st) || !grepl("^Heading[0-9]$", st)) break
      first <- up
    }
    # and its note (the paragraph just after it) stays on its page
    last <- tbl
    nxt <- xml2::xml_find_first(tbl, "following-sibling::*[1]", docx_ns)
    if (docx_is_note(nxt)) last <- nxt
    # a landscape table just after another shares its pages: no portrait
    # section (a page holding only the break) between them
    up <- xml2::xml_find_first(first, "preceding-sibling::*[1]", docx_ns)
    if (!docx_is_landscape_break(up)) {
      xml2::xml_add_sibling(first, docx_section_break(body_sect, landscape = FALSE), .where = "before")
    } else {
      xml2::xml_remove(up)
    }
    xml2::xml_add_sibling(last, docx_section_break(body_sect, landscape = TRUE), .where = "after")
  }
  invisible(doc)
}

# The paragraph that ends a landscape section.
docx_is_landscape_break <- function(p) {
  if (inherits(p, "xml_missing")) return(FALSE)
  sz <- xml2::xml_find_first(p, "w:pPr/w:sectPr/w:pgSz", docx_ns)
  !inherits(sz, "xml_missing") && identical(xml2::xml_attr(sz, "orient"), "landscape")
}

# An empty paragraph that ends a section with the body's page settings
# (turned for landscape).
docx_section_break <- function(body_sect, landscape) {
  p <- xml2::read_xml(sprintf('<w:p xmlns:w="%s" xmlns:r="%s"><w:pPr><w:spacing w:before="0" w:after="0"/></w:pPr></w:p>',
                              docx_ns[["w"]], docx_ns[["r"]]))
  sect <- xml2::xml_add_child(xml2::xml_find_first(p, "w:pPr", docx_ns), body_sect)
  sz <- xml2::xml_find_first(sect, "w:pgSz", docx_ns)
  if (landscape && !inherits(sz, "xml_missing")) {
    xml2::xml_set_attrs(sz, c("w:w" = as.character(docx_page$height), "w:h" = as.character(docx_page$width),
                              "w:orient" = "landscape"))
  }
  p
}

# The table of contents written out: one entry per heading of levels 1 and 2,
# linked to it, with a PAGEREF field for its page. The entries are plain
# paragraphs in the contents block, not the cached result of a TOC field:
# LibreOffice prints a TOC field's cached text as it is (no page numbers),
# but works out every PAGEREF when it lays the pages out, and Word updates
# them on opening (w:updateFields). Each heading gets a bookmark of its own
# inside its paragraph (pandoc's section bookmarks start before the heading,
# and after a table LibreOffice loses them: "Reference source not found").
# A page break follows the contents.
docx_fill_toc <- function(doc) {
  sdt <- xml2::xml_find_first(doc, "//w:sdt[w:sdtPr/w:docPartObj/w:docPartGallery[@w:val='Table of Contents']]", docx_ns)
  if (inherits(sdt, "xml_missing")) return(invisible(doc))
  content <- xml2::xml_find_first(sdt, "w:sdtContent", docx_ns)
  field <- xml2::xml_find_first(content, "w:p[.//w:instrText]", docx_ns)
  heads <- xml2::xml_find_all(doc, "//w:body/w:p[w:pPr/w:pStyle[@w:val='Heading1' or @w:val='Heading2']]", docx_ns)
  if (!length(heads)) return(invisible(doc))
  ids <- suppressWarnings(as.integer(xml2::xml_attr(xml2::xml_find_all(doc, "//w:bookmarkStart", docx_ns), "id")))
  first_id <- max(c(0L, ids), na.rm = TRUE) + 1L
  entries <- vapply(seq_along(heads), function(i) {
    h <- heads[[i]]
    level <- if (xml2::xml_attr(xml2::xml_find_first(h, "w:pPr/w:pStyle", docx_ns), "val") == "Heading1") 1 else 2
    text <- docx_escape(docx_text(h))
    bm <- sprintf("_Toc%08d", i)
    docx_bookmark_heading(h, bm, first_id + i - 1L)
    sprintf('<w:p><w:pPr><w:pStyle w:val="TOC%d"/></w:pPr><w:hyperlink w:anchor="%s" w:history="1"><w:r><w:t xml:space="preserve">%s</w:t></w:r><w:r><w:tab/></w:r><w:r><w:fldChar w:fldCharType="begin" w:dirty="true"/></w:r><w:r><w:instrText xml:space="preserve"> PAGEREF %s \\h </w:instrText></w:r><w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t></w:t></w:r><w:r><w:fldChar w:fldCharType="end"/></w:r></w:hyperlink></w:p>',
            level, bm, text, bm)
  }, "")
  frag <- xml2::read_xml(sprintf('<w:sdtContent xmlns:w="%s">%s</w:sdtContent>', docx_ns[["w"]], paste(entries, collapse = "")))
  if (inherits(field, "xml_missing")) {
    # no field paragraph to replace: the entries go at the end of the block
    for (p in xml2::xml_children(frag)) xml2::xml_add_child(content, p)
  } else {
    for (p in xml2::xml_children(frag)) xml2::xml_add_sibling(field, p, .where = "before")
    xml2::xml_remove(field)
  }
  brk <- xml2::read_xml(sprintf('<w:p xmlns:w="%s"><w:r><w:br w:type="page"/></w:r></w:p>', docx_ns[["w"]]))
  xml2::xml_add_sibling(sdt, brk, .where = "after")
  invisible(doc)
}

# A bookmark around a heading's text, inside its paragraph.
docx_bookmark_heading <- function(h, name, id) {
  ppr <- xml2::xml_find_first(h, "w:pPr", docx_ns)
  start <- xml2::read_xml(sprintf('<w:bookmarkStart xmlns:w="%s" w:id="%d" w:name="%s"/>', docx_ns[["w"]], id, name))
  end <- xml2::read_xml(sprintf('<w:bookmarkEnd xmlns:w="%s" w:id="%d"/>', docx_ns[["w"]], id))
  if (inherits(ppr, "xml_missing")) xml2::xml_add_child(h, start, .where = 0) else xml2::xml_add_sibling(ppr, start, .where = "after")
  xml2::xml_add_child(h, end)
  invisible(h)
}

docx_escape <- function(x) {
  x <- gsub("&", "&amp;", x, fixed = TRUE)
  x <- gsub("<", "&lt;", x, fixed = TRUE)
  gsub(">", "&gt;", x, fixed = TRUE)
}

# Word refreshes the contents' page numbers when the document is opened.
docx_update_fields <- function(settings_path) {
  se <- xml2::read_xml(settings_path)
  docx_set_child(se, "w:updateFields", c("w:val" = "true"),
                 before = c("w:hdrShapeDefaults", "w:footnotePr", "w:endnotePr", "w:compat", "w:rsids"))
  xml2::write_xml(se, settings_path, options = "as_xml")
  invisible(settings_path)
}

# The HTML report: the html_document format with a finishing step
# (report_html_finish()) after pandoc.
report_html_format <- function() {
  fmt <- rmarkdown::html_document(toc = TRUE, toc_depth = 2, self_contained = TRUE,
                                  fig_caption = TRUE, df_print = "default")
  report_format_finish(fmt, report_html_finish)
}

# An rmarkdown output format whose file gets `finish(output_file)` after
# pandoc (and after the format's own post-processor, if it has one).
report_format_finish <- function(fmt, finish) {
  pandoc_post <- fmt$post_processor
  fmt$post_processor <- function(metadata, input_file, output_file, clean, verbose) {
    if (is.function(pandoc_post)) output_file <- pandoc_post(metadata, input_file, output_file, clean, verbose)
    finish(output_file)
    output_file
  }
  fmt
}

#' Finish a knitted HTML report for screen readers
#'
#' Sets the document's language to British English on the `<html>` element
#' (when pandoc has not) and gives every table header cell a `scope`: `col`
#' for the cells of a header row, so a screen reader reads each data cell
#' with its column's heading.
#' @param path The `.html` file, rewritten in place.
#' @return `path`, invisibly.
#' @noRd
report_html_finish <- function(path) {
  h <- readLines(path, warn = FALSE, encoding = "UTF-8")
  top <- grep("^\\s*<html\\b", h)[1]
  if (!is.na(top)) h[top] <- sub("<html(?![^>]*\\blang=)", "<html lang=\"en-GB\"", h[top], perl = TRUE)
  # header cells of the document's tables only (after <body>, outside scripts)
  body <- grep("<body\\b", h)[1]
  if (!is.na(body)) {
    at <- seq(body, length(h))
    h[at] <- gsub("<th(?=[\\s>])(?![^>]*\\bscope=)", "<th scope=\"col\"", h[at], perl = TRUE)
    h <- c(h[seq_len(body - 1L)], html_outside_code(paste(h[at], collapse = "\n"),
                                                    function(z) html_print_layout(html_number_columns(z))))
  }
  writeLines(h, path, useBytes = TRUE)
  invisible(path)
}

# The HTML report's tables as the Word report's (docx_number_columns()):
# a column of numbers right-aligned, its heading too, and a count never
# broken from its percentage (a no-break space between them).
html_number_columns <- function(x) {
  m <- gregexpr("(?s)<table\\b.*?</table>", x, perl = TRUE)
  regmatches(x, m) <- list(vapply(regmatches(x, m)[[1]], function(t) {
    rows <- regmatches(t, gregexpr("(?s)<tr\\b.*?</tr>", t, perl = TRUE))[[1]]
    if (length(rows) < 2L) return(t)
    cells <- lapply(rows, function(r) regmatches(r, gregexpr("(?s)<(td|th)\\b[^>]*>.*?</\\1>", r, perl = TRUE))[[1]])
    n <- lengths(cells)
    if (length(unique(n)) != 1L || n[1] < 2L) return(t)
    text <- t(vapply(cells, function(cs) trimws(gsub("&nbsp;|&#160;", " ", gsub("<[^>]+>", "", cs))), character(n[1])))
    right <- docx_number_columns(text)
    if (!any(right)) return(t)
    out <- vapply(seq_along(rows), function(i) {
      r <- rows[i]
      cs <- cells[[i]]
      for (j in which(right)) {
        new <- sub("^<(td|th)\\b([^>]*?)\\s*align=\"[a-z]+\"", "<\\1\\2", cs[j], perl = TRUE)
        new <- sub("^<(td|th)\\b", "<\\1 align=\"right\"", new, perl = TRUE)
        # (the style sheet sets th's alignment, which outranks the attribute)
        if (startsWith(new, "<th") && !grepl("^<th\\b[^>]*style=", new, perl = TRUE)) {
          new <- sub("^<th align=\"right\"", "<th align=\"right\" style=\"text-align: right;\"", new)
        }
        new <- gsub("(?<=[0-9%]) +(?=\\([0-9<>c])", "&nbsp;", new, perl = TRUE)
        cs[j] <- new
      }
      # each cell in its place (two cells of a row can have the same text)
      at <- gregexpr("(?s)<(td|th)\\b[^>]*>.*?</\\1>", r, perl = TRUE)
      regmatches(r, at) <- list(cs)
      r
    }, "")
    at <- gregexpr("(?s)<tr\\b.*?</tr>", t, perl = TRUE)
    regmatches(t, at) <- list(out)
    t
  }, "", USE.NAMES = FALSE))
  x
}

# Apply `f` to the parts of an HTML text outside <script> and <style> blocks.
html_outside_code <- function(x, f) {
  m <- gregexpr("(?s)<(script|style)\\b.*?</\\1>", x, perl = TRUE)[[1]]
  if (m[1] == -1L) return(f(x))
  starts <- c(1L, m + attr(m, "match.length"))
  ends <- c(m - 1L, nchar(x))
  keep <- regmatches(x, list(m))[[1]]
  out <- vapply(seq_along(starts), function(i) f(substr(x, starts[i], ends[i])), "")
  paste0(c(rbind(out, c(keep, ""))), collapse = "")
}

# The print layout of the HTML report's body: each table with the paragraph
# just after it (its note) in a wrapper, `table-block`, with `short` when the
# table is short (table_is_short(): the print style keeps it whole) and
# `keep` when its note is short too (table and note kept together; a note
# always starts on the table's page); and a hyphen between digits (years
# "2024-25", ages "0-4", "10-15") in a `nowrap` span, so a range never breaks
# across lines (the hyphen stays a hyphen, for search and copy).
html_print_layout <- function(x) {
  # (a second pass changes nothing: wrapped tables and spans are left alone)
  m <- gregexpr("(?s)(?<!<div class=\"table-block\">)(?<!<div class=\"table-block short\">)(?<!<div class=\"table-block short keep\">)<table\\b.*?</table>(\\s*<p\\b[^>]*>.*?</p>)?",
                x, perl = TRUE)
  regmatches(x, m) <- list(vapply(regmatches(x, m)[[1]], function(t) {
    tab <- sub("(?s)</table>.*$", "</table>", t, perl = TRUE)
    rows <- lengths(regmatches(tab, gregexpr("<tr\\b", tab))) - grepl("<thead", tab, fixed = TRUE)
    chars <- function(z) nchar(gsub("\\s+", " ", gsub("<[^>]+>", "", z)))
    short <- table_is_short(rows, chars(tab))
    # the whole block (table and note) kept together only when the note is short too
    keep <- short && chars(t) - chars(tab) <= 400L
    paste0("<div class=\"table-block", if (short) " short" else "", if (keep) " keep" else "", "\">", t, "</div>")
  }, "", USE.NAMES = FALSE))
  txt <- gregexpr("(?<!<span class=\"nowrap\")>[^<>]*[0-9]-[0-9][^<>]*<", x, perl = TRUE)
  # the whole word around the range goes in the span ("(2022-23", "2024-25:"),
  # so the span adds no break where the text had none
  regmatches(x, txt) <- list(gsub("([^\\s<>]*[0-9]-[0-9][^\\s<>]*)", "<span class=\"nowrap\">\\1</span>",
                                  regmatches(x, txt)[[1]], perl = TRUE))
  x
}
