# The main job: the full demand analysis on the bundled example data,
# knitted into an HTML report (demand-report.html in the current folder).
if (dir.exists(".Rlib")) .libPaths(c(normalizePath(".Rlib"), .libPaths()))
library(cscdemand)
out <- demand_report("example", "demand-report.html", quiet = TRUE)
cat("Report written to", out, "\n")
