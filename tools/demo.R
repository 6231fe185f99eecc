# The main job: the full demand analysis on the bundled example data, knitted
# into an HTML report (demand-report.html in the current folder), going
# through the councils' own route: the example is written as CIN census XML
# returns (one per council and year), and the report reads those files.
if (dir.exists(".Rlib")) .libPaths(c(normalizePath(".Rlib"), .libPaths()))
library(cscdemand)
dir <- file.path(tempdir(), "cin-returns")
paths <- write_cin_census_xml(cin_example, dir)
cat("Wrote", length(paths), "synthetic CIN census returns:", basename(paths), "\n")
out <- demand_report(paths, "demand-report.html", quiet = TRUE)
cat("Report written to", out, "\n")
