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
  check_optimised_build()
}

# A timing of C++ compiled without optimisation (pkgload::load_all()'s -O0,
# or an R CMD INSTALL that reused the -O0 objects load_all() left in src/)
# is about four times the real one (2026-12-07: the BLRT bench 17.9 s CPU
# against 4.3 s for the same 10 replicates). Benchmarks refuse such a build
# unless CSCDEMAND_BENCH_ALLOW_O0=1 (then they say so). To get an optimised
# build: rm -f src/*.o src/*.so; R CMD INSTALL --preclean --library=<lib> .
check_optimised_build <- function() {
  known <- get0("cpp_build_optimised", envir = asNamespace("cscdemand"), inherits = FALSE)
  if (is.null(known)) {
    message("NOTE: this cscdemand build cannot say whether it was optimised (an older version).")
    return(invisible(NA))
  }
  if (isTRUE(known())) return(invisible(TRUE))
  msg <- paste("cscdemand's C++ was compiled without optimisation (-O0): timings are about",
               "four times too slow. Install with R CMD INSTALL --preclean (after removing",
               "src/*.o and src/*.so) and set CSCDEMAND_BENCH_LOAD=installed.")
  if (Sys.getenv("CSCDEMAND_BENCH_ALLOW_O0") == "1") {
    message("NOTE: ", msg)
    return(invisible(FALSE))
  }
  stop(msg, " (CSCDEMAND_BENCH_ALLOW_O0=1 runs anyway.)", call. = FALSE)
}

peak_rss_gb <- function() {
  st <- tryCatch(readLines("/proc/self/status"), error = function(e) character())
  hwm <- grep("^VmHWM", st, value = TRUE)
  if (!length(hwm)) return(NA_real_)
  as.numeric(gsub("[^0-9]", "", hwm)) / 1024^2
}
