# The main job: the full demand analysis on the bundled example data, knitted
# into an HTML report (demand-report.html in the current folder), going
# through the councils' own route: the example is written as CIN census XML
# returns (one per council and year) with a child-to-LSOA lookup beside them,
# and the report reads those files.
if (dir.exists(".Rlib")) .libPaths(c(normalizePath(".Rlib"), .libPaths()))
library(cscdemand)
dir <- file.path(tempdir(), "cin-returns")
paths <- write_cin_census_xml(cin_example, dir)
cat("Wrote", length(paths), "synthetic CIN census returns:", basename(paths), "\n")
# The return holds no addresses: councils export each child's neighbourhood
# (LSOA) from their case management system. Here, each child's latest LSOA.
ex <- cin_example[order(cin_example$referral_date), c("child_id", "lsoa")]
lookup <- ex[!duplicated(ex$child_id, fromLast = TRUE), ]
lookup_path <- file.path(dir, "child-lsoa.csv")
utils::write.csv(lookup, lookup_path, row.names = FALSE)
cat("Wrote a child-to-LSOA lookup of", nrow(lookup), "children\n")
out <- demand_report(paths, "demand-report.html", lsoa = lookup_path, quiet = TRUE)
cat("Report written to", out, "\n")
