# Benchmark: read CIN census XML returns of about 100,000 episodes (a large
# county over two census years, about 60 MB of XML), check them, derive the
# episode fields and build the episode-by-factor table.
# Target: under 10 s and under 1 GB peak memory.
#
# Usage, from the package root:
#   Rscript bench/bench-xml.R            # generate (once) and run
#   Rscript bench/bench-xml.R generate   # only write the returns
#   Rscript bench/bench-xml.R run        # only time the read
# The returns go to the folder in CSCDEMAND_BENCH_XML (default: a folder in
# the session's temporary directory). Generation and the timed read run in
# separate R processes, so the peak memory (VmHWM, Linux) is the read's alone.
#
# Why not xml2's XPath: in xml2 1.3.3 every function on a node set
# (xml_text, xml_name, xml_find_first, xml_find_num) loops over the nodes in
# R, and a union XPath over the whole document ("//Child | //CINdetails |
# ...") is quadratic in libxml2 (node-set merge with duplicate checks): on a
# 100 MB file read_xml() alone took 3.7 s CPU and the union query had not
# finished after 90 s. The reader therefore finds every tag with one regular
# expression over the file and works on whole vectors (nesting checked by a
# sort on depth; owners by cumulative counts).
#
# Measured on the 2-core development machine (pkgload::load_all, load average
# 6-8 from other jobs): two returns of 132.7 MB for 100,000 simulated episodes
# (the writer's XML is about 1 KB per episode, and open episodes appear in
# both years), 114,115 assessments, 93,387 episodes kept with the Kingston
# defaults: read + checks + derived fields 10.5 s CPU (21.6 s elapsed under
# that load), episode flags 0.2 s; peak resident memory 0.76 GB. Per MB of
# XML that is about 0.08 s CPU, so a 60 MB return reads in about 5 s CPU.

args <- commandArgs(trailingOnly = TRUE)
mode <- if (length(args)) args[1] else "all"
n_ep <- as.numeric(Sys.getenv("CSCDEMAND_BENCH_N", "100000"))
dir <- Sys.getenv("CSCDEMAND_BENCH_XML", file.path(tempdir(), "cin-bench-xml"))

source("bench/bench-process.R")

if (mode %in% c("all", "generate") && !length(list.files(dir, "\\.xml$"))) {
  load_pkg()
  d <- simulate_cin(las = "E10000018", years = 2023:2024, n_episodes = n_ep, layout = "codes",
                    seed = 1)
  p <- write_cin_census_xml(d, dir)
  cat(sprintf("wrote %d returns, %.1f MB, %d episodes\n", length(p), sum(file.size(p)) / 1e6,
              length(unique(d$episode_id))))
}

if (mode == "all") {
  rs <- file.path(R.home("bin"), "Rscript")
  system2(rs, c(shQuote("bench/bench-xml.R"), "run"),
          env = paste0("CSCDEMAND_BENCH_XML=", dir))
} else if (mode == "run") {
  load_pkg()
  p <- list.files(dir, "\\.xml$", full.names = TRUE)
  gc(reset = TRUE)
  t0 <- proc.time()
  a <- read_cin_assessments(p)
  t1 <- proc.time()
  ep <- episode_factors(a)
  t2 <- proc.time()
  cat(sprintf("%.1f MB of XML in %d returns: %s assessments, %s episodes kept\n",
              sum(file.size(p)) / 1e6, length(p), format(nrow(a$assessments), big.mark = ","),
              format(nrow(ep), big.mark = ",")))
  cat(sprintf("read + checks + derived fields: %.1f s elapsed (%.1f s CPU); episode flags %.1f s; total %.1f s\n",
              (t1 - t0)[["elapsed"]], sum((t1 - t0)[c(1, 2)]), (t2 - t1)[["elapsed"]],
              (t2 - t0)[["elapsed"]]))
  cat(sprintf("peak resident memory %.2f GB\n", peak_rss_gb()))
}
