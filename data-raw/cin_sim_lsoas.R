# Build inst/extdata/cin_sim_lsoas.csv: the real 2011 LSOAs of the councils
# simulate_cin() can simulate, with their IMD 2019 decile and number of
# dependent children aged 0-15 (mid 2015), from IoD 2019 files 1 and 6.
# Run from the package root: Rscript data-raw/cin_sim_lsoas.R
source(file.path("data-raw", "shared-data.R"))

read_iod <- function(name) {
  d <- utils::read.csv(gzfile(shared_file(name)), colClasses = "character",
                       check.names = FALSE, encoding = "UTF-8")
  names(d)[1] <- sub("^\ufeff", "", names(d)[1])
  d
}
imd <- read_iod("imd2019_lsoa11_file1.csv.gz")
pop <- read_iod("iod2019_lsoa11_population_file6.csv.gz")
lookup <- utils::read.csv(shared_file("LTLA-UTLA_Apr23_Lookup_England-Wales.csv"),
                          colClasses = "character", fileEncoding = "UTF-8-BOM")

councils <- data.frame(
  la_code = c("E09000021", "E10000018", "E08000024", "E09000027"),
  old_la_code = c("314", "855", "394", "318"),
  la_name = c("Kingston upon Thames", "Leicestershire", "Sunderland", "Richmond upon Thames"),
  stringsAsFactors = FALSE
)
districts <- lookup[lookup$UTLA23CD %in% councils$la_code, c("LTLA23CD", "UTLA23CD")]
stopifnot(nrow(districts) == 10L)  # 7 Leicestershire districts + 3 unitary

out <- imd[imd[["Local Authority District code (2019)"]] %in% districts$LTLA23CD,
           c("LSOA code (2011)", "Local Authority District code (2019)",
             "Index of Multiple Deprivation (IMD) Decile")]
names(out) <- c("lsoa11", "district", "imd_decile")
out$la_code <- districts$UTLA23CD[match(out$district, districts$LTLA23CD)]
kids <- pop[["Dependent Children aged 0-15: mid 2015 (excluding prisoners)"]]
out$children_0_15 <- as.integer(gsub(",", "", kids))[match(out$lsoa11, pop[["LSOA code (2011)"]])]
out$imd_decile <- as.integer(out$imd_decile)
stopifnot(!anyNA(out$children_0_15), !anyNA(out$imd_decile))
out <- merge(out, councils, by = "la_code")
out <- out[order(out$la_code, out$lsoa11), c("la_code", "old_la_code", "la_name", "lsoa11",
                                              "imd_decile", "children_0_15")]
utils::write.csv(out, file.path("inst", "extdata", "cin_sim_lsoas.csv"), row.names = FALSE)
print(table(out$la_name))
