# Fails when R CMD check reported an ERROR or a WARNING.
args <- commandArgs(trailingOnly = TRUE)
log <- readLines(args[1], warn = FALSE)
status <- grep("^Status:", log, value = TRUE)
cat("R CMD check", status, "\n")
bad <- grep("(ERROR|WARNING)$", log, value = TRUE)
if (length(bad) || any(grepl("ERROR|WARNING", status))) {
  cat("R CMD check problems:\n", paste(bad, collapse = "\n"), "\n")
  quit(status = 1)
}
