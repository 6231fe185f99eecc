# Shared by the whole-process benchmarks (bench-read.R, bench-xml.R): load the
# package under test and read the process's peak resident memory.

# Set CSCDEMAND_BENCH_LOAD=installed to time the installed package (compiled
# with the usual optimisation; pkgload::load_all() compiles without it).
load_pkg <- function() {
  if (Sys.getenv("CSCDEMAND_BENCH_LOAD") != "installed" && file.exists("DESCRIPTION") &&
      requireNamespace("pkgload", quietly = TRUE)) {
    pkgload::load_all(".", quiet = TRUE)
  } else {
    library(cscdemand)
  }
}

peak_rss_gb <- function() {
  st <- tryCatch(readLines("/proc/self/status"), error = function(e) character())
  hwm <- grep("^VmHWM", st, value = TRUE)
  if (!length(hwm)) return(NA_real_)
  as.numeric(gsub("[^0-9]", "", hwm)) / 1024^2
}
