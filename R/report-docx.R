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
    vapply(xml2::xml_find_all(tr, "w:tc", docx_ns), function(tc) {
      paste(xml2::xml_text(xml2::xml_find_all(tc, ".//w:t", docx_ns)), collapse = "")
    }, "")
  })
  n <- max(lengths(cells), 0L)
  do.call(rbind, lapply(cells, function(x) c(x, rep("", n - length(x)))))
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
docx_cell_widths <- function(cells, size = 9) {
  pad <- 2 * docx_page$cell_margin + 40
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
# left is shared in proportion to what each column needs to hold its longest
# cell on one line (at most 2.5 inches). Landscape when the words do not fit
# the portrait page.
docx_column_widths <- function(cells, size = 9) {
  cw <- docx_cell_widths(cells, size)
  need <- apply(cw$word, 2, max)
  want <- pmax(need, pmin(apply(cw$full, 2, max), 3600))
  portrait <- docx_page$width - 2 * docx_page$margin
  landscape <- docx_page$height - 2 * docx_page$margin
  land <- sum(need) > portrait
  avail <- if (land) landscape else portrait
  width <- if (sum(want) <= avail) want else need + (avail - sum(need)) * (want - need) / max(sum(want - need), 1)
  list(width = floor(pmax(width, need * (sum(need) <= avail))), landscape = land)
}

# One table: fixed column widths, rows that do not split, a repeated header
# row, the TableText / TableHeading paragraph styles. TRUE if landscape.
docx_table_layout <- function(tbl) {
  cells <- docx_table_cells(tbl)
  if (!length(cells)) return(FALSE)
  lay <- docx_column_widths(cells)
  w <- as.character(lay$width)
  tblpr <- xml2::xml_find_first(tbl, "w:tblPr", docx_ns)
  docx_set_child(tblpr, "w:tblW", c("w:type" = "dxa", "w:w" = as.character(sum(lay$width))))
  docx_set_child(tblpr, "w:tblLayout", c("w:type" = "fixed"), before = c("w:tblCellMar", "w:tblLook", "w:tblCaption"))
  grid <- xml2::xml_find_first(tbl, "w:tblGrid", docx_ns)
  for (g in xml2::xml_find_all(grid, "w:gridCol", docx_ns)) xml2::xml_remove(g)
  for (x in w) xml2::xml_add_child(grid, "w:gridCol", "w:w" = x)
  rows <- xml2::xml_find_all(tbl, "w:tr", docx_ns)
  for (i in seq_along(rows)) {
    trpr <- xml2::xml_find_first(rows[[i]], "w:trPr", docx_ns)
    if (inherits(trpr, "xml_missing")) trpr <- xml2::xml_add_child(rows[[i]], "w:trPr", .where = 0)
    docx_set_child(trpr, "w:cantSplit", c("w:val" = "true"), first = TRUE)
    if (i == 1) docx_set_child(trpr, "w:tblHeader", c("w:val" = "true"))
    tcs <- xml2::xml_find_all(rows[[i]], "w:tc", docx_ns)
    for (j in seq_along(tcs)) {
      tcpr <- xml2::xml_find_first(tcs[[j]], "w:tcPr", docx_ns)
      if (inherits(tcpr, "xml_missing")) tcpr <- xml2::xml_add_child(tcs[[j]], "w:tcPr", .where = 0)
      docx_set_child(tcpr, "w:tcW", c("w:type" = "dxa", "w:w" = w[min(j, length(w))]), first = TRUE)
      for (ps in xml2::xml_find_all(tcs[[j]], ".//w:pStyle", docx_ns)) {
        xml2::xml_set_attr(ps, "w:val", if (i == 1) "TableHeading" else "TableText")
      }
    }
  }
  lay$landscape
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
    xml2::xml_add_sibling(first, docx_section_break(body_sect, landscape = FALSE), .where = "before")
    xml2::xml_add_sibling(tbl, docx_section_break(body_sect, landscape = TRUE), .where = "after")
  }
  invisible(doc)
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
    text <- docx_escape(paste(xml2::xml_text(xml2::xml_find_all(h, ".//w:t", docx_ns)), collapse = ""))
    bm <- sprintf("_Toc%08d", i)
    docx_bookmark_heading(h, bm, first_id + i - 1L)
    sprintf('<w:p><w:pPr><w:pStyle w:val="TOC%d"/></w:pPr><w:hyperlink w:anchor="%s" w:history="1"><w:r><w:t xml:space="preserve">%s</w:t></w:r><w:r><w:tab/></w:r><w:r><w:fldChar w:fldCharType="begin" w:dirty="true"/></w:r><w:r><w:instrText xml:space="preserve"> PAGEREF %s \\h </w:instrText></w:r><w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t></w:t></w:r><w:r><w:fldChar w:fldCharType="end"/></w:r></w:hyperlink></w:p>',
            level, bm, text, bm)
  }, "")
  frag <- xml2::read_xml(sprintf('<w:sdtContent xmlns:w="%s">%s</w:sdtContent>', docx_ns[["w"]], paste(entries, collapse = "")))
  for (p in xml2::xml_children(frag)) xml2::xml_add_sibling(field, p, .where = "before")
  xml2::xml_remove(field)
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
  }
  writeLines(h, path, useBytes = TRUE)
  invisible(path)
}
