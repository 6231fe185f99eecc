# Build `national_factor_rates` (DfE table C3, factors identified at the end of
# assessment, England, regions and councils, 2018-2025) in long form, and the
# statistical neighbour lookup used by compare_to_national().
# Run from the package root: Rscript data-raw/national_factor_rates.R
source(file.path("data-raw", "shared-data.R"))
load(file.path("data", "cin_factors.rda"))

c3 <- utils::read.csv(shared_file("c3_factors_identified_at_end_of_assessment_2018_to_2025.csv"),
                      colClasses = "character", fileEncoding = "UTF-8-BOM", check.names = FALSE)
id_cols <- c("time_period", "geographic_level", "region_code", "region_name",
             "old_la_code", "new_la_code", "la_name", "Episodes_with_assessment_factor")
factor_cols <- setdiff(names(c3), c(id_cols, "time_identifier", "country_code",
                                    "country_name", "category"))
stopifnot(all(factor_cols %in% cin_factors$dfe_column))

# DfE column -> code (Privately_fostered pools 8B-8F).
col_code <- vapply(factor_cols, function(cl) {
  codes <- cin_factors$code[cin_factors$dfe_column %in% cl]
  if (length(codes) > 1L) paste0(codes[1], "-", codes[length(codes)]) else codes
}, character(1))

n <- nrow(c3)
long <- data.frame(
  year = rep(as.integer(c3$time_period), times = length(factor_cols)),
  geographic_level = rep(c3$geographic_level, times = length(factor_cols)),
  region_code = rep(c3$region_code, times = length(factor_cols)),
  region_name = rep(c3$region_name, times = length(factor_cols)),
  old_la_code = rep(c3$old_la_code, times = length(factor_cols)),
  new_la_code = rep(c3$new_la_code, times = length(factor_cols)),
  la_name = rep(c3$la_name, times = length(factor_cols)),
  code = rep(unname(col_code), each = n),
  dfe_column = rep(factor_cols, each = n),
  episodes = rep(suppressWarnings(as.integer(c3$Episodes_with_assessment_factor)),
                 times = length(factor_cols)),
  value = unlist(c3[factor_cols], use.names = FALSE),
  stringsAsFactors = FALSE
)
status_map <- c(x = "not collected", c = "suppressed", z = "not applicable",
                u = "low reliability")
long$status <- ifelse(grepl("^[0-9]+$", long$value), "published",
                      unname(status_map[long$value]))
stopifnot(!anyNA(long$status))
long$count <- suppressWarnings(as.integer(long$value))
long$value <- NULL
long$rate <- long$count / long$episodes
for (cl in c("region_code", "region_name", "old_la_code", "new_la_code", "la_name")) {
  long[[cl]][long[[cl]] == ""] <- NA_character_
}
long$geographic_level <- factor(long$geographic_level,
                                levels = c("National", "Regional", "Local authority"))
long <- long[order(-long$year, long$geographic_level, long$region_code,
                   long$old_la_code, match(long$dfe_column, cin_factors$dfe_column)), ]
rownames(long) <- NULL
national_factor_rates <- long
save(national_factor_rates, file = file.path("data", "national_factor_rates.rda"),
     compress = "xz", version = 2)

# Statistical neighbours (DfE, April 2021): one row per council and neighbour.
sn <- utils::read.csv(shared_file("New_Statistical_Neighbour_Groupings_April_2021.csv"),
                      colClasses = "character", fileEncoding = "UTF-8-BOM", check.names = FALSE)
sn_cols <- which(grepl("^SN[0-9]+$", names(sn)))
out <- do.call(rbind, lapply(seq_along(sn_cols), function(i) {
  data.frame(old_la_code = sn[["LA number"]], la_name = sn[["LA Name"]], rank = i,
             neighbour_old_code = sn[[sn_cols[i]]], closeness = sn[[sn_cols[i] + 1L]],
             stringsAsFactors = FALSE)
}))
out <- out[out$old_la_code != "" & out$neighbour_old_code != "", ]
out <- out[order(as.integer(out$old_la_code), out$rank), ]
utils::write.csv(out, file.path("inst", "extdata", "statistical_neighbours_2021.csv"),
                 row.names = FALSE)
