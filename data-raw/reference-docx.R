# Builds the Word reference document of the demand report,
# inst/rmarkdown/templates/demand-report/skeleton/reference.docx, from pandoc's
# own default reference.docx: A4 paper with 2 cm margins, Arial throughout, dark
# blue headings, numbered pages ("Page N of M") in the footer, a plain table style
# with a shaded, bold header row, and two paragraph styles for table cells
# (TableText, TableHeading) that the report's post-processing
# (report_docx_finish()) gives every cell. Run from the package root:
#   Rscript data-raw/reference-docx.R
# It needs pandoc, xml2 and a zip program; the result depends only on pandoc's
# default file (the zip entries carry a fixed date).
library(xml2)
pandoc <- rmarkdown::pandoc_exec()
work <- tempfile("refdocx")
dir.create(work)
src <- file.path(work, "default.docx")
stopifnot(system2(pandoc, c("-o", shQuote(src), "--print-default-data-file", "reference.docx")) == 0)
dir <- file.path(work, "x")
utils::unzip(src, exdir = dir)
part <- function(...) file.path(dir, ...)
W <- "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
ns <- c(w = W)
font <- "Arial"
dark <- "1F3864" # headings
shade <- "D9E2F3" # table header row

# -- styles -----------------------------------------------------------------
# every themed font becomes Arial (the theme's too), so Word and LibreOffice
# agree on the face whose widths size the table columns
sty <- readLines(part("word", "styles.xml"), warn = FALSE, encoding = "UTF-8")
sty <- gsub(' w:(asciiTheme|eastAsiaTheme|hAnsiTheme|cstheme)="[^"]*"', "", sty)
writeLines(sty, part("word", "styles.xml"), useBytes = TRUE)
th <- readLines(part("word", "theme", "theme1.xml"), warn = FALSE, encoding = "UTF-8")
th <- gsub('<a:latin typeface="[^"]*"', sprintf('<a:latin typeface="%s"', font), th)
writeLines(th, part("word", "theme", "theme1.xml"), useBytes = TRUE)
st <- read_xml(part("word", "styles.xml"))
for (rf in xml_find_all(st, ".//w:rFonts", ns)) {
  xml_set_attrs(rf, c("w:ascii" = font, "w:hAnsi" = font, "w:eastAsia" = font, "w:cs" = font))
}
def <- xml_find_first(st, ".//w:docDefaults/w:rPrDefault/w:rPr", ns)
xml_set_attr(xml_find_first(def, "w:sz", ns), "w:val", "22")   # 11 pt body text
xml_set_attr(xml_find_first(def, "w:szCs", ns), "w:val", "22")
xml_set_attrs(xml_find_first(def, "w:lang", ns), c("w:val" = "en-GB", "w:eastAsia" = "en-GB"))
style <- function(id) xml_find_first(st, sprintf(".//w:style[@w:styleId='%s']", id), ns)
set_run <- function(id, size = NULL, colour = NULL) {
  rpr <- xml_find_first(style(id), "w:rPr", ns)
  if (inherits(rpr, "xml_missing")) rpr <- xml_add_child(style(id), "w:rPr")
  if (!is.null(colour)) {
    col <- xml_find_first(rpr, "w:color", ns)
    if (inherits(col, "xml_missing")) col <- xml_add_child(rpr, "w:color")
    xml_attrs(col) <- c("w:val" = colour)
  }
  if (!is.null(size)) {
    for (tag in c("w:sz", "w:szCs")) {
      s <- xml_find_first(rpr, tag, ns)
      if (inherits(s, "xml_missing")) s <- xml_add_child(rpr, tag)
      xml_attrs(s) <- c("w:val" = as.character(2 * size))
    }
  }
}
set_run("Title", size = 20, colour = dark)
set_run("Subtitle", size = 14, colour = dark)
set_run("Heading1", size = 16, colour = dark)
set_run("Heading2", size = 13, colour = dark)
set_run("Heading3", size = 12, colour = dark)
set_run("TOCHeading", size = 16, colour = dark)
add_style <- function(xml) xml_add_child(st, xml_child(read_xml(sprintf('<w:styles xmlns:w="%s">%s</w:styles>', W, xml))))
# cell text: 9 pt, no space around paragraphs; the header row bold
add_style('<w:style w:type="paragraph" w:customStyle="1" w:styleId="TableText"><w:name w:val="Table Text"/><w:basedOn w:val="Normal"/><w:qFormat/><w:pPr><w:spacing w:before="20" w:after="20" w:line="240" w:lineRule="auto"/></w:pPr><w:rPr><w:sz w:val="18"/><w:szCs w:val="18"/></w:rPr></w:style>')
add_style('<w:style w:type="paragraph" w:customStyle="1" w:styleId="TableHeading"><w:name w:val="Table Heading"/><w:basedOn w:val="TableText"/><w:qFormat/><w:pPr><w:keepNext/></w:pPr><w:rPr><w:b/><w:bCs/></w:rPr></w:style>')
# table of contents entries
add_style('<w:style w:type="paragraph" w:styleId="TOC1"><w:name w:val="toc 1"/><w:basedOn w:val="Normal"/><w:next w:val="Normal"/><w:uiPriority w:val="39"/><w:unhideWhenUsed/><w:pPr><w:tabs><w:tab w:val="right" w:leader="dot" w:pos="9628"/></w:tabs><w:spacing w:before="60" w:after="60"/></w:pPr></w:style>')
add_style('<w:style w:type="paragraph" w:styleId="TOC2"><w:name w:val="toc 2"/><w:basedOn w:val="Normal"/><w:next w:val="Normal"/><w:uiPriority w:val="39"/><w:unhideWhenUsed/><w:pPr><w:tabs><w:tab w:val="right" w:leader="dot" w:pos="9628"/></w:tabs><w:spacing w:before="0" w:after="40"/><w:ind w:left="284"/></w:pPr></w:style>')
add_style('<w:style w:type="paragraph" w:styleId="Footer"><w:name w:val="footer"/><w:basedOn w:val="Normal"/><w:pPr><w:jc w:val="center"/><w:spacing w:after="0"/></w:pPr><w:rPr><w:sz w:val="18"/><w:szCs w:val="18"/></w:rPr></w:style>')
# the table style: thin grey rules, a shaded bold header row
tbl <- style("Table")
invisible(xml_replace(xml_find_first(tbl, "w:tblPr", ns), read_xml(sprintf(
  '<w:tblPr xmlns:w="%s"><w:tblInd w:w="0" w:type="dxa"/><w:tblBorders><w:top w:val="single" w:sz="4" w:space="0" w:color="808080"/><w:bottom w:val="single" w:sz="4" w:space="0" w:color="808080"/><w:insideH w:val="single" w:sz="2" w:space="0" w:color="BFBFBF"/></w:tblBorders><w:tblCellMar><w:top w:w="0" w:type="dxa"/><w:left w:w="85" w:type="dxa"/><w:bottom w:w="0" w:type="dxa"/><w:right w:w="85" w:type="dxa"/></w:tblCellMar></w:tblPr>', W))))
first <- xml_find_first(tbl, "w:tblStylePr[@w:type='firstRow']/w:tcPr", ns)
xml_add_child(first, read_xml(sprintf('<w:shd xmlns:w="%s" w:val="clear" w:color="auto" w:fill="%s"/>', W, shade)))
xml_add_child(xml_find_first(tbl, "w:tblStylePr[@w:type='firstRow']", ns),
              read_xml(sprintf('<w:rPr xmlns:w="%s"><w:b/><w:bCs/></w:rPr>', W)), .where = 1)
set_run("TableCaption", size = 10)
write_xml(st, part("word", "styles.xml"))

# -- the footer: "Page N of M", centred ---------------------------------------
fld <- function(code) sprintf('<w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText xml:space="preserve"> %s </w:instrText></w:r><w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>1</w:t></w:r><w:r><w:fldChar w:fldCharType="end"/></w:r>', code)
writeLines(sprintf('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:ftr xmlns:w="%s" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><w:p><w:pPr><w:pStyle w:val="Footer"/></w:pPr><w:r><w:t xml:space="preserve">Page </w:t></w:r>%s<w:r><w:t xml:space="preserve"> of </w:t></w:r>%s</w:p></w:ftr>',
               W, fld("PAGE"), fld("NUMPAGES")), part("word", "footer1.xml"), useBytes = TRUE)
rels <- read_xml(part("word", "_rels", "document.xml.rels"))
xml_add_child(rels, "Relationship", Type = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/footer",
              Id = "rIdFooter1", Target = "footer1.xml")
write_xml(rels, part("word", "_rels", "document.xml.rels"))
ct <- read_xml(part("[Content_Types].xml"))
xml_add_child(ct, "Override", PartName = "/word/footer1.xml",
              ContentType = "application/vnd.openxmlformats-officedocument.wordprocessingml.footer+xml")
write_xml(ct, part("[Content_Types].xml"))

# -- page: A4 portrait, 2 cm margins, the footer on every page --------------------
doc <- read_xml(part("word", "document.xml"))
sect <- xml_find_first(doc, "//w:body/w:sectPr", ns)
invisible(xml_replace(sect, read_xml(sprintf(
  '<w:sectPr xmlns:w="%s" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><w:footerReference w:type="default" r:id="rIdFooter1"/><w:pgSz w:w="11906" w:h="16838"/><w:pgMar w:top="1134" w:right="1134" w:bottom="1134" w:left="1134" w:header="567" w:footer="567" w:gutter="0"/></w:sectPr>', W))))
write_xml(doc, part("word", "document.xml"))

# -- settings: British English ----------------------------------------------
se <- read_xml(part("word", "settings.xml"))
xml_set_attr(xml_find_first(se, ".//w:themeFontLang", ns), "w:val", "en-GB")
write_xml(se, part("word", "settings.xml"))

# -- zip with a fixed date, in a fixed order ------------------------------------
files <- sort(list.files(dir, recursive = TRUE, all.files = TRUE))
files <- c("[Content_Types].xml", setdiff(files, "[Content_Types].xml"))
Sys.setFileTime(file.path(dir, files), as.POSIXct("2025-01-01 00:00:00", tz = "UTC"))
out <- normalizePath(file.path("inst", "rmarkdown", "templates", "demand-report", "skeleton"), mustWork = TRUE)
target <- file.path(out, "reference.docx")
unlink(target)
old <- setwd(dir)
utils::zip(target, files, flags = "-X -q -D")
setwd(old)
cat("Wrote", target, "\n")
