# Benchmark: knit the demand report about one council from a 200,000-episode
# extract (simulated: the four councils simulate_cin() knows, three years), with the report's default
# settings, to HTML and to Word. Target: under 3 minutes each.
# Also times the example report (target: under 60 s to either format).
#
# Usage, from the package root:
#   Rscript bench/bench-report.R            # both benchmarks
#   Rscript bench/bench-report.R example    # only the example report
#   Rscript bench/bench-report.R large      # only the 200,000-episode report
# Set CSCDEMAND_BENCH_LOAD=installed to time the installed package (compiled
# with the usual optimisation; pkgload::load_all() compiles without it), and
# CSCDEMAND_BENCH_N to change the number of episodes, CSCDEMAND_BENCH_FORMATS
# (default "html,docx") to knit one format only, CSCDEMAND_BENCH_COUNCIL the
# example's council (default Sunderland, as the target is stated).
#
# Measured on the 2-core development machine, 2026-11-29, installed package
# (report branch, before the engine speed-ups), load average about 8 (six
# agents sharing two cores), default settings (K = 1..8, 20 starts, BLRT
# with 99 replicates from K = 2 on a 3,000-episode sample, 50 bootstrap
# replicates, 5-fold cross-validation):
#   example, 18,682 episodes      html  245 s elapsed,  89 s CPU
#   example, 18,682 episodes      docx  248 s elapsed,  97 s CPU
#   200,000 episodes (4 councils) html  509 s elapsed, 210 s CPU
#   200,000 episodes (4 councils) docx  372 s elapsed, 198 s CPU
# Most of that was the bootstrap likelihood ratio test, cross-validation and
# the bootstrap (lca_blrt, lca_cv, lca_bootstrap).
#
# Measured again on main after the engine's replicate kernels were merged,
# same machine with nothing else running (load average about 1), installed
# package, 2 threads, default settings:
#   example (make demo, XML route) html   55 s knitting (make demo's step)
#   example, Sunderland            docx   47 s elapsed
#   200,000 episodes (4 councils)  html  116.9 s elapsed (182.2 s CPU)
#   200,000 episodes (4 councils)  docx  129.5 s elapsed (196.1 s CPU)
# Both targets are met (example under 60 s, 200,000 episodes under 3 minutes,
# in either format).
#
# 2026-12-07, after the exact lca_se() information, class_shares(by = ) and
# lca_cv(fits = ): example (Sunderland) html 66.0 s CPU (load average 12 to
# 15, so 273 s elapsed), 39 s of it in the BLRT; see bench/RESULTS.md.
#
# 2026-12-08, session 10 (main 9414514, with the session-9 audit of the
# pathway tables; installed -O2 build, CSCDEMAND_BENCH_PROFILE=1), 200,000
# episodes (4 councils), load average 4 to 12 (five engineers on two cores,
# so elapsed times mean nothing): html 119.2 s CPU (625.5 s elapsed), docx
# 114.0 s CPU (386.3 s elapsed), both under the 3-minute target in CPU.
# Where the docx knit's CPU went: lca_blrt 28.2 s, lca_invariance 19.8,
# lca_enumerate 13.2, lca_cv 8.6, lca_bootstrap 6.8, the deprivation
# regression 5.0, report_data 4.0, class_shares 3.5, drawing the charts 2.7,
# class_crosstab 1.8 (the table audits are inside it and class_profile).

args <- commandArgs(trailingOnly = TRUE)
mode <- if (length(args)) args[1] else "all"
n_episodes <- as.numeric(Sys.getenv("CSCDEMAND_BENCH_N", "200000"))
formats <- strsplit(Sys.getenv("CSCDEMAND_BENCH_FORMATS", "html,docx"), ",")[[1]]

if (Sys.getenv("CSCDEMAND_BENCH_LOAD") != "installed" && file.exists("DESCRIPTION") &&
    requireNamespace("pkgload", quietly = TRUE)) {
  pkgload::load_all(quiet = TRUE)
} else {
  library(cscdemand)
}
source("bench/bench-process.R")
check_optimised_build()

out_dir <- Sys.getenv("CSCDEMAND_BENCH_OUT", tempfile("bench-report"))
dir.create(out_dir, showWarnings = FALSE)

# With CSCDEMAND_BENCH_PROFILE=1, where the time goes: R's profiler samples the
# knit, and the time spent inside each of the report's heavy steps (their C++
# kernels count to the R function that called them) is printed after it.
profiling <- Sys.getenv("CSCDEMAND_BENCH_PROFILE") == "1"
report_steps <- c("report_data", "lca_enumerate", "lca_cv", "lca_blrt", "lca_bootstrap",
                  "lca_invariance", "class_profile", "class_crosstab", "class_shares", "link_imd",
                  "class_deprivation_effect", "rates_by_decile", "pathway_measures",
                  "council_context", "report_docx_finish", "print.ggplot", "pandoc_convert")
print_profile <- function(prof, total) {
  s <- utils::summaryRprof(prof)$by.total
  s <- s[intersect(paste0("\"", report_steps, "\""), rownames(s)), "total.time", drop = FALSE]
  s <- s[order(-s$total.time), , drop = FALSE]
  # the profiler's clock is the process's CPU time (all threads)
  cat(sprintf("    %-28s %6.1f s CPU (%2.0f%% of the knit's CPU)\n", gsub("\"", "", rownames(s)), s$total.time,
              100 * s$total.time / total), sep = "")
}

time_report <- function(label, ...) {
  for (fmt in formats) {
    out <- file.path(out_dir, paste0(gsub("[^a-z0-9]+", "-", tolower(label)), ".", fmt))
    prof <- tempfile(fileext = ".Rprof")
    if (profiling) utils::Rprof(prof, interval = 0.05)
    t <- system.time(suppressMessages(demand_report(..., output_file = out)))
    if (profiling) {
      utils::Rprof(NULL)
      on.exit(unlink(prof), add = TRUE)
    }
    cat(sprintf("%-28s %-5s %7.1f s elapsed (%6.1f s CPU), %5.1f MB\n", label, fmt, t[["elapsed"]],
                t[["user.self"]] + t[["sys.self"]] + t[["user.child"]] + t[["sys.child"]],
                file.size(out) / 1e6))
    if (profiling) print_profile(prof, t[["user.self"]] + t[["sys.self"]])
    flush(stdout())
  }
}

cat(sprintf("load average at start: %s\n",
            tryCatch(readLines("/proc/loadavg"), error = function(e) "n/a")))

if (mode %in% c("all", "example")) {
  time_report("example (18,682 episodes)", data = "example", council = Sys.getenv("CSCDEMAND_BENCH_COUNCIL", "Sunderland"))
}

if (mode %in% c("all", "large")) {
  las <- c("E10000018", "E08000024", "E09000021", "E09000027")
  sim <- simulate_cin(las = las, years = 2022:2024, n_episodes = n_episodes, seed = 42)
  cat(sprintf("simulated extract: %s rows\n", format(nrow(sim), big.mark = ",")))
  time_report(sprintf("%s episodes", format(n_episodes, big.mark = ",", scientific = FALSE)), data = sim,
              council = "Leicestershire")
}
