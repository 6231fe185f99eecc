# Build `cin_example`: simulated assessments for three councils, census years
# 2022-2024, about 20,000 episodes, in the codes layout, with every census
# field simulate_cin() makes (codes, dates, closure reasons, CP categories,
# plan ends, previous plans, conference timeliness, with their truth).
# Also writes the small example return inst/extdata/cin_census_example.xml
# (Kingston upon Thames, 2023-24, 300 episodes; synthetic).
# Needs the package's own data (national_factor_rates) and inst/extdata, so
# run from the package root after data-raw/national_factor_rates.R and
# data-raw/cin_sim_lsoas.R: Rscript data-raw/cin_example.R
pkgload::load_all(".", quiet = TRUE)
cin_example <- simulate_cin(las = c("E09000021", "E10000018", "E08000024"),
                            years = 2022:2024, n_episodes = 20000,
                            layout = "codes", seed = 20240331)
attr(cin_example, "truth") <- NULL
save(cin_example, file = file.path("data", "cin_example.rda"), compress = "xz", version = 2)
message(nrow(cin_example), " assessments, ",
        length(unique(cin_example$episode_id)), " episodes")

small <- simulate_cin(las = "E09000021", years = 2024, n_episodes = 300, layout = "codes",
                      seed = 2024)
tmp <- tempfile("cin")
p <- write_cin_census_xml(small, tmp)
file.copy(p, file.path("inst", "extdata", "cin_census_example.xml"), overwrite = TRUE)
unlink(tmp, recursive = TRUE)
