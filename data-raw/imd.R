# Builds the deprivation and geography reference data shipped in data/:
#   imd2025_lsoa, imd2019_lsoa, imd2015_lsoa, lsoa_population, la_lookup, imd_la
# from the public files described in the shared data README (English Indices of
# Deprivation 2025 with IoD 2025 populations, 2019 and 2015, IoD 2019 File 6
# denominators, ONS LTLA -> UTLA lookup April 2023, DfE table B1 for the DfE
# local authority numbers). la_lookup is the package's one district ->
# authority table (context_districts is a view of it). Contains public sector
# information licensed under the Open Government Licence v3.0.
#
# Run from the package root:  Rscript data-raw/imd.R
# The folder holding the shared files is taken from the environment variable
# CSCDEMAND_SHARED_DATA (default: data-raw/sources, the files as published).

source(file.path("data-raw", "shared-data.R"))
src <- function(f) shared_file(f)
# The IoD files start with a UTF-8 byte-order mark and quote ranks with
# thousands separators ("29,199").
read_iod <- function(f) {
  con <- if (grepl("\\.gz$", f)) gzfile(src(f), encoding = "UTF-8-BOM") else
    file(src(f), encoding = "UTF-8-BOM")

  utils::read.csv(con, check.names = FALSE, stringsAsFactors = FALSE,
                  colClasses = "character")
}
num <- function(x) as.numeric(gsub(",", "", x, fixed = TRUE))

# ---- IMD 2019, File 1 --------------------------------------------------------
f1 <- read_iod("imd2019_lsoa11_file1.csv.gz")
imd2019_lsoa <- data.frame(
  lsoa11 = f1[["LSOA code (2011)"]],
  lad19_code = f1[["Local Authority District code (2019)"]],
  imd_rank = as.integer(num(f1[["Index of Multiple Deprivation (IMD) Rank"]])),
  imd_decile = as.integer(num(f1[["Index of Multiple Deprivation (IMD) Decile"]])),
  stringsAsFactors = FALSE
)
stopifnot(nrow(imd2019_lsoa) == 32844L, !anyDuplicated(imd2019_lsoa$lsoa11),
          !anyNA(imd2019_lsoa), all(imd2019_lsoa$imd_rank %in% 1:32844),
          # 26 ranks appear twice in this copy of File 1 (tied ranks); keep as published
          sum(duplicated(imd2019_lsoa$imd_rank)) < 50,
          all(imd2019_lsoa$imd_decile %in% 1:10),
          # decile 1 = most deprived: decile k ends at rank floor(32844 * k / 10)
          all(imd2019_lsoa$imd_decile ==
                findInterval(imd2019_lsoa$imd_rank - 0.5, floor(32844 * 1:9 / 10)) + 1L))
imd2019_lsoa <- imd2019_lsoa[order(imd2019_lsoa$lsoa11), ]
rownames(imd2019_lsoa) <- NULL

# ---- IMD 2015 ----------------------------------------------------------------
f15 <- read_iod("imd2015_lsoa11_england.csv.gz")
imd2015_lsoa <- data.frame(
  lsoa11 = f15$lsoa11_code,
  lad13_code = f15$lad13_code,
  imd_score = num(f15$IMD_score),
  imd_rank = as.integer(num(f15$IMD_rank)),
  imd_decile = as.integer(num(f15$IMD_decile)),
  stringsAsFactors = FALSE
)
imd2015_lsoa <- imd2015_lsoa[order(imd2015_lsoa$lsoa11), ]
rownames(imd2015_lsoa) <- NULL
stopifnot(nrow(imd2015_lsoa) == 32844L, !anyNA(imd2015_lsoa),
          setequal(imd2015_lsoa$lsoa11, imd2019_lsoa$lsoa11),
          all(imd2015_lsoa$imd_rank %in% 1:32844),
          # rank 1 = highest score (most deprived)
          all(diff(imd2015_lsoa$imd_score[order(imd2015_lsoa$imd_rank)]) <= 0))

# ---- IoD 2019 File 6: denominators ------------------------------------------
f6 <- read_iod("iod2019_lsoa11_population_file6.csv.gz")
lsoa_population <- data.frame(
  lsoa11 = f6[["LSOA code (2011)"]],
  children_0_15 = as.integer(num(f6[["Dependent Children aged 0-15: mid 2015 (excluding prisoners)"]])),
  population = as.integer(num(f6[["Total population: mid 2015 (excluding prisoners)"]])),
  stringsAsFactors = FALSE
)
lsoa_population <- lsoa_population[order(lsoa_population$lsoa11), ]
rownames(lsoa_population) <- NULL
stopifnot(nrow(lsoa_population) == 32844L, !anyNA(lsoa_population),
          identical(lsoa_population$lsoa11, imd2019_lsoa$lsoa11),
          all(lsoa_population$children_0_15 >= 0),
          all(lsoa_population$population > lsoa_population$children_0_15))

# ---- IMD 2025 (2021 LSOAs), with IoD 2025 population denominators ----------
f25 <- read_iod("imd2025_lsoa21_england.csv.gz")
imd2025_lsoa <- data.frame(
  lsoa21 = f25$lsoa_code,
  lad24_code = f25$lad_code,
  imd_score = round(num(f25$imd_score), 3),
  imd_rank = as.integer(num(f25$imd_rank)),
  imd_decile = as.integer(num(f25$imd_decile)),
  children_0_15 = as.integer(num(f25$pop_children_0_15)),
  population = as.integer(num(f25$pop_total)),
  stringsAsFactors = FALSE
)
imd2025_lsoa <- imd2025_lsoa[order(imd2025_lsoa$lsoa21), ]
rownames(imd2025_lsoa) <- NULL
stopifnot(nrow(imd2025_lsoa) == 33755L, !anyDuplicated(imd2025_lsoa$lsoa21),
          !anyNA(imd2025_lsoa), setequal(imd2025_lsoa$imd_rank, 1:33755),
          # decile 1 = most deprived: decile k ends at rank floor(33755 * k / 10)
          all(imd2025_lsoa$imd_decile ==
                findInterval(imd2025_lsoa$imd_rank - 0.5, floor(33755 * 1:9 / 10)) + 1L),
          # rank 1 = highest score
          all(diff(imd2025_lsoa$imd_score[order(imd2025_lsoa$imd_rank)]) <= 1e-9),
          all(imd2025_lsoa$population > imd2025_lsoa$children_0_15))

# ---- District -> children's services authority (upper tier, April 2023) -----
lk <- read_iod("LTLA-UTLA_Apr23_Lookup_England-Wales.csv")
lk <- lk[startsWith(lk$LTLA23CD, "E"), ]
utla <- unique(lk[c("UTLA23CD", "UTLA23NM")])
names(utla) <- c("la_code", "la_name")
base <- data.frame(district_code = lk$LTLA23CD, district_name = lk$LTLA23NM,
                   la_code = lk$UTLA23CD, change = "current (April 2023)",
                   stringsAsFactors = FALSE)
# Districts abolished since 2013, mapped to their successor's authority.
# (Codes and successors from the ONS code history of local authority districts.)
merged <- rbind(
  data.frame(code = c("E07000026", "E07000028", "E07000029"),
             name = c("Allerdale", "Carlisle", "Copeland"),
             la_code = "E06000063", change = "merged 2023 (Cumberland)"),
  data.frame(code = c("E07000027", "E07000030", "E07000031"),
             name = c("Barrow-in-Furness", "Eden", "South Lakeland"),
             la_code = "E06000064", change = "merged 2023 (Westmorland and Furness)"),
  data.frame(code = sprintf("E07000%03d", 163:169),
             name = c("Craven", "Hambleton", "Harrogate", "Richmondshire", "Ryedale",
                      "Scarborough", "Selby"),
             la_code = "E06000065", change = "merged 2023 (North Yorkshire)"),
  data.frame(code = c("E07000187", "E07000188", "E07000189", "E07000246",
                      "E07000190", "E07000191"),
             name = c("Mendip", "Sedgemoor", "South Somerset", "Somerset West and Taunton",
                      "Taunton Deane", "West Somerset"),
             la_code = "E06000066", change = "merged 2023 (Somerset)"),
  data.frame(code = c("E07000150", "E07000152", "E07000153", "E07000156"),
             name = c("Corby", "East Northamptonshire", "Kettering", "Wellingborough"),
             la_code = "E06000061", change = "merged 2021 (North Northamptonshire)"),
  data.frame(code = c("E07000151", "E07000154", "E07000155"),
             name = c("Daventry", "Northampton", "South Northamptonshire"),
             la_code = "E06000062", change = "merged 2021 (West Northamptonshire)"),
  data.frame(code = sprintf("E07000%03d", 4:7),
             name = c("Aylesbury Vale", "Chiltern", "South Bucks", "Wycombe"),
             la_code = "E06000060", change = "merged 2020 (Buckinghamshire)"),
  # 2019 mergers (affect 2013 district codes used by IMD 2015)
  data.frame(code = c("E06000028", "E06000029", "E07000048"),
             name = c("Bournemouth", "Poole", "Christchurch"),
             la_code = "E06000058", change = "merged 2019 (Bournemouth, Christchurch and Poole)"),
  data.frame(code = c("E07000049", "E07000050", "E07000051", "E07000052", "E07000053"),
             name = c("East Dorset", "North Dorset", "Purbeck", "West Dorset",
                      "Weymouth and Portland"),
             la_code = "E06000059", change = "merged 2019 (Dorset)"),
  data.frame(code = c("E07000201", "E07000204", "E07000205", "E07000206"),
             name = c("Forest Heath", "St Edmundsbury", "Suffolk Coastal", "Waveney"),
             la_code = "E10000029", change = "merged 2019 (Suffolk districts)"),
  # 2014 recoding after boundary changes
  data.frame(code = c("E06000048", "E08000020"), name = c("Northumberland", "Gateshead"),
             la_code = c("E06000057", "E08000037"), change = "recoded 2014"),
  data.frame(code = c("E07000097", "E07000100", "E07000101", "E07000104"),
             name = c("East Hertfordshire", "St Albans", "Stevenage", "Welwyn Hatfield"),
             la_code = "E10000015", change = "recoded 2014")
)
merged <- merged[!merged$code %in% base$district_code, ]
la_lookup <- rbind(base, data.frame(district_code = merged$code, district_name = merged$name,
                                    la_code = merged$la_code, change = merged$change,
                                    stringsAsFactors = FALSE))
la_lookup$la_name <- utla$la_name[match(la_lookup$la_code, utla$la_code)]
# DfE local authority number of each authority (DfE table B1, latest year).
b1 <- read_iod("b1_children_in_need_2013_to_2025.csv")
b1 <- b1[b1$geographic_level == "Local authority" & b1$time_period == max(b1$time_period), ]
la_lookup$la_number <- as.integer(b1$old_la_code[match(la_lookup$la_code, b1$new_la_code)])
stopifnot(!anyNA(la_lookup$la_number))
la_lookup <- la_lookup[c("district_code", "district_name", "la_code", "la_name", "la_number",
                         "change")]
la_lookup <- la_lookup[order(la_lookup$district_code), ]
rownames(la_lookup) <- NULL
stopifnot(!anyDuplicated(la_lookup$district_code), !anyNA(la_lookup$la_name),
          all(imd2019_lsoa$lad19_code %in% la_lookup$district_code),
          all(imd2015_lsoa$lad13_code %in% la_lookup$district_code),
          all(imd2025_lsoa$lad24_code %in% la_lookup$district_code))
# Both editions put each LSOA in the same authority.
stopifnot(identical(
  la_lookup$la_code[match(imd2019_lsoa$lad19_code, la_lookup$district_code)],
  la_lookup$la_code[match(imd2015_lsoa$lad13_code, la_lookup$district_code)]))

# ---- Authority-level IMD: population-weighted average score -----------------
# The published district "average score" is the population-weighted mean of
# LSOA scores. Authorities are ranked by the same measure, computed from the
# district averages (2021 districts) weighted by the district's total population
# (File 6), and cut into deciles (1 = most deprived).
lsoa_la <- la_lookup$la_code[match(imd2019_lsoa$lad19_code, la_lookup$district_code)]
la_level <- function(edition) {
  d <- read.csv(src(sprintf("imd%d_lad21_england.csv", edition)), stringsAsFactors = FALSE)
  # population of each 2021 district: 2019 districts merged into 2021 ones
  lad21_of_lad19 <- imd2019_lsoa$lad19_code
  to21 <- la_lookup$change %in% c("merged 2020 (Buckinghamshire)",
                                  "merged 2021 (North Northamptonshire)",
                                  "merged 2021 (West Northamptonshire)")
  m <- match(lad21_of_lad19, la_lookup$district_code[to21])
  lad21_of_lad19[!is.na(m)] <- la_lookup$la_code[to21][m[!is.na(m)]]
  pop21 <- tapply(lsoa_population$population, lad21_of_lad19, sum)
  stopifnot(setequal(names(pop21), d$ltla21_code))
  d$pop <- as.numeric(pop21[d$ltla21_code])
  d$la_code <- la_lookup$la_code[match(d$ltla21_code, la_lookup$district_code)]
  stopifnot(!anyNA(d$la_code))
  score <- tapply(d$Score * d$pop, d$la_code, sum) / tapply(d$pop, d$la_code, sum)
  rank_authorities(edition, score, lsoa_la, lsoa_population$children_0_15)
}
# Authorities ranked by score (1 = most deprived), cut into deciles, with their LSOAs
# and children (`lsoa_of`: the authority of each LSOA of `children`).
rank_authorities <- function(edition, score, lsoa_of, children) {
  out <- data.frame(edition = as.integer(edition), la_code = names(score),
                    imd_score = as.numeric(score), stringsAsFactors = FALSE)
  out$la_name <- la_lookup$la_name[match(out$la_code, la_lookup$la_code)]
  out$imd_rank <- as.integer(rank(-out$imd_score, ties.method = "first"))
  out$imd_decile <- as.integer(ceiling(out$imd_rank * 10 / nrow(out)))
  f <- factor(lsoa_of, levels = out$la_code)
  out$n_lsoa <- as.integer(table(f))
  out$children_0_15 <- as.integer(tapply(children, f, sum))
  out[order(out$imd_rank), c("edition", "la_code", "la_name", "imd_score", "imd_rank",
                             "imd_decile", "n_lsoa", "children_0_15")]
}
# IMD 2025: the same measure (population-weighted average LSOA score) computed
# directly from the LSOA scores and IoD 2025 total populations; child counts are
# IoD 2025 children aged 0-15.
la_level_2025 <- function() {
  la <- la_lookup$la_code[match(imd2025_lsoa$lad24_code, la_lookup$district_code)]
  w <- imd2025_lsoa$population
  score <- tapply(imd2025_lsoa$imd_score * w, la, sum) / tapply(w, la, sum)
  rank_authorities(2025L, score, la, imd2025_lsoa$children_0_15)
}
imd_la <- rbind(la_level_2025(), la_level(2019), la_level(2015))
rownames(imd_la) <- NULL
stopifnot(!anyNA(imd_la), all(table(imd_la$edition) == length(unique(lsoa_la))))

# Cross-check for 2015, where LSOA scores are published: the authority averages
# from the district file agree with those computed from the LSOA scores
# (population weights are mid-2015 in both, so the agreement is close, not exact).
chk <- tapply(imd2015_lsoa$imd_score * lsoa_population$population, lsoa_la, sum) /
  tapply(lsoa_population$population, lsoa_la, sum)
i15 <- imd_la[imd_la$edition == 2015, ]
stopifnot(max(abs(chk[i15$la_code] - i15$imd_score)) < 1.5,
          cor(chk[i15$la_code], i15$imd_score) > 0.999)

usethis_save <- function(...) {
  save_one <- function(name) {
    obj <- get(name, envir = parent.frame(2))
    env <- new.env()
    assign(name, obj, envir = env)
    save(list = name, envir = env, file = file.path("data", paste0(name, ".rda")),
         compress = "xz", version = 2)
  }
  for (n in c(...)) save_one(n)
}
usethis_save("imd2025_lsoa", "imd2019_lsoa", "imd2015_lsoa", "lsoa_population", "la_lookup", "imd_la")
