# `make review`, step 1: knits the example report for two councils of the
# bundled data (neither is the demo's), in HTML and in Word, and saves every
# page as PNG (HTML through headless Chromium to PDF, Word through LibreOffice
# to PDF, then pdftoppm), with the data behind every plot the report printed,
# the problems of each plot's text as drawn at its chunk's size (cut off, or
# running together: review_figure_text()) and, for Word, the number of pages
# more than 40% blank at the foot.
# Step 2 (tools/review-check.R) runs the checks on them. Usage:
#   Rscript tools/review.R [folder]        (default: review/, git-ignored)
# The councils can be changed with CSCDEMAND_REVIEW_COUNCILS="A;B".
if (dir.exists(".Rlib")) .libPaths(c(normalizePath(".Rlib"), .libPaths()))
library(cscdemand)
args <- commandArgs(trailingOnly = TRUE)
out <- if (length(args)) args[1] else "review"
councils <- strsplit(Sys.getenv("CSCDEMAND_REVIEW_COUNCILS", "Sunderland;Kingston upon Thames"), ";")[[1]]
unlink(out, recursive = TRUE)
dir.create(out, showWarnings = FALSE)

# Every plot the report prints is kept: its data and each layer's.
plots <- list()
invisible(loadNamespace("ggplot2"))
print_ggplot <- utils::getS3method("print", "ggplot", envir = asNamespace("ggplot2"))
# and each chart's text drawn at the chunk's size: what is cut off or runs together
figure_problems <- NULL
registerS3method("print", "ggplot", function(x, ...) {
  plots[[length(plots) + 1L]] <<- c(list(x$data), lapply(x$layers, function(l) l$data))
  opts <- knitr::opts_current$get()
  if (is.numeric(opts$fig.width) && is.numeric(opts$fig.height)) {
    pr <- asNamespace("cscdemand")$review_figure_text(x, opts$fig.width, opts$fig.height)
    if (nrow(pr)) figure_problems <<- rbind(figure_problems, cbind(chunk = if (is.null(opts$label)) "" else opts$label, pr))
  }
  print_ggplot(x, ...)
}, envir = asNamespace("ggplot2"))

Sys.setenv(PAGES_DPI = "80") # small table text stays readable
manifest <- NULL
for (council in councils) {
  for (fmt in c("html", "docx")) {
    slug <- paste0(gsub("[^a-z0-9]+", "-", tolower(council)), "-", fmt)
    dir.create(file.path(out, slug), showWarnings = FALSE)
    file <- file.path(out, slug, paste0("report.", fmt))
    plots <- list()
    figure_problems <- data.frame(chunk = character(), where = character(), problem = character())
    # CPU seconds (this process and its children, pandoc's included): elapsed
    # time depends on what else the machine runs
    t0 <- proc.time()
    demand_report("example", council = council, output_file = file)
    t1 <- proc.time() - t0
    secs <- t1[["elapsed"]]
    cpu <- sum(t1[c("user.self", "sys.self", "user.child", "sys.child")], na.rm = TRUE)
    saveRDS(plots, file.path(out, slug, "plots.rds"))
    saveRDS(figure_problems, file.path(out, slug, "figure-text.rds"))
    status <- system2("bash", c("tools/screenshot-report.sh", shQuote(file),
                                shQuote(file.path(out, slug, "first-page.png")),
                                shQuote(file.path(out, slug, "pages"))))
    # pages more than 40% blank at the foot, as LibreOffice prints the Word report
    pdf <- file.path(out, slug, "pages", "report.pdf")
    blank <- if (fmt == "docx" && file.exists(pdf)) sum(asNamespace("cscdemand")$review_page_blank(pdf)$blank > 0.4) else NA
    cat(sprintf("%s (%s): knitted in %.0f s CPU (%.0f s elapsed), %d plots, %d pages%s\n", council, fmt, cpu, secs, length(plots),
                length(list.files(file.path(out, slug, "pages"), "\\.png$")),
                if (is.na(blank)) "" else sprintf(", %d more than 40%% blank at the foot", blank)))
    manifest <- rbind(manifest, data.frame(council = council, format = fmt, dir = slug,
                                           seconds = round(secs), cpu_seconds = round(cpu), pages_ok = status == 0,
                                           blank_pages = blank))
  }
}
utils::write.csv(manifest, file.path(out, "manifest.csv"), row.names = FALSE)
