# Build the council context data sets from public DfE and ONS tables.
#
# Run from the package root:  Rscript data-raw/context.R
# The shared reference files are found through the environment variable
# CSCDEMAND_SHARED_DATA (default: data-raw/sources, the files as published).
#
# Output (data/, xz-compressed):
#   context_published   DfE B1 (children in need), C1 (referrals), C4 (section 47
#                       enquiries and ICPCs), D3 (CP plans), long
#   context_factors     DfE C3 (factors identified at the end of assessment), long: the
#                       package's one copy of C3 (national_factor_rates is a view of it)
#   context_population  ONS mid-year estimates of children aged 0-17
#   context_councils    one row per children's services authority (DfE number), with history
#   context_neighbours  DfE statistical neighbours: the 2025 model (default) and the
#                       April 2021 groupings, one row per council, neighbour and edition
#   context_marks       DfE/GSS suppression and availability marks
#   context_dictionary  one row per measure: label, source table, DfE column, base, unit
#
# The district -> authority lookup is built by data-raw/imd.R (la_lookup); the
# package's context_districts is a view of it.
#
# Every DfE mark ("c", "x", "z", "u", "low", ...) is kept in a `*_mark` column; the
# numeric value is NA there. Nothing is turned into zero.

source(file.path("data-raw", "shared-data.R"))
src <- function(f) shared_file(f)

# UTF-8, with or without a byte-order mark; everything read as text so marks survive.
read_text_csv <- function(f) {
  x <- utils::read.csv(src(f), colClasses = "character", check.names = FALSE,
                       fileEncoding = "UTF-8-BOM", na.strings = character(),
                       strip.white = TRUE)
  names(x) <- sub("^\ufeff", "", names(x))
  x
}

# ---- marks --------------------------------------------------------------------
# The mark definitions and the parser live in the package (R/reference-marks.R) so that the
# package's tests exercise exactly the code that built the data.
source(file.path("R", "reference-marks.R"))
context_marks <- context_mark_table()

parse_marked <- function(v, what) {
  p <- context_parse_marked(v)
  if (length(p$unknown)) stop("Unknown mark(s) in ", what, ": ", paste(p$unknown, collapse = ", "))
  p
}

level_of <- function(d) {
  lev <- d$geographic_level
  lev[lev == "Regional" & grepl("^E13", d$region_code)] <- "London sub-region"
  lev
}
code_of <- function(d) {
  ifelse(d$geographic_level == "National", d$country_code,
         ifelse(d$geographic_level == "Regional", d$region_code, d$new_la_code))
}
name_of <- function(d) {
  ifelse(d$geographic_level == "National", d$country_name,
         ifelse(d$geographic_level == "Regional", d$region_name, d$la_name))
}
# Region (one of the nine English regions) of each row; Inner and Outer London -> London.
region_code_of <- function(d) {
  r <- d$region_code
  r[grepl("^E13", r)] <- "E12000007"
  r[d$geographic_level == "National"] <- NA_character_
  r[r == ""] <- NA_character_
  r
}

# Long table from one DfE file: one row per geography, year and measure.
tidy_dfe <- function(file, columns, source) {
  d <- read_text_csv(file)
  stopifnot(all(d$time_identifier == "Reporting year"), all(names(columns) %in% names(d)))
  out <- lapply(names(columns), function(col) {
    p <- parse_marked(d[[col]], paste(file, col))
    data.frame(
      year = as.integer(d$time_period),
      level = level_of(d),
      code = code_of(d),
      la_number = suppressWarnings(as.integer(d$old_la_code)),
      name = name_of(d),
      region_code = region_code_of(d),
      measure = unname(columns[col]),
      count = p$value,
      count_mark = p$mark,
      source = source,
      stringsAsFactors = FALSE
    )
  })
  do.call(rbind, out)
}

# ---- population ---------------------------------------------------------------
pop_raw <- read_text_csv("ons_mid-year_population_estimates_2012_to_2024.csv")
stopifnot(all(pop_raw$age_group == "Children aged 0 to 17 years"))
pp <- parse_marked(pop_raw$population_estimate, "population")
context_population <- data.frame(
  year = as.integer(pop_raw$time_period),
  level = level_of(pop_raw),
  code = code_of(pop_raw),
  la_number = suppressWarnings(as.integer(pop_raw$old_la_code)),
  name = name_of(pop_raw),
  population = pp$value,
  population_mark = pp$mark,
  stringsAsFactors = FALSE
)
context_population <- context_population[order(context_population$year,
                                                match(context_population$level,
                                                      c("National", "Regional", "London sub-region", "Local authority")),
                                                context_population$code), ]
rownames(context_population) <- NULL

# ---- measures -----------------------------------------------------------------
b1 <- tidy_dfe("b1_children_in_need_2013_to_2025.csv", c(
  Anypoint_child = "cin_children_any_point",
  Anypoint_episodes = "cin_episodes_any_point",
  Started_episodes = "cin_episodes_started",
  Ended_episodes = "cin_episodes_ended",
  At31_episodes = "cin_at_31_march"), "B1")
c1 <- tidy_dfe("c1_children_in_need_referrals_and_rereferrals_2013_to_2025.csv", c(
  referral_count = "referrals",
  rereferral_count = "rereferrals",
  no_further_action_count = "referrals_nfa",
  not_in_need_count = "assessed_not_in_need",
  referral_child_count = "referrals_children",
  rereferral_child_count = "rereferrals_children"), "C1")
c4_file <- "c4_children_in_need_section_47s_and_icpcs_2013_to_2025.csv"
c4 <- tidy_dfe(c4_file, c(
  Section47 = "section47",
  Section47_child = "section47_children",
  ICPC = "icpc",
  ICPC_child = "icpc_children",
  # Working days from the strategy discussion to the conference, in DfE's bands.
  `Duration_0-10_days` = "icpc_0_10_days",
  `Duration_11-15_days` = "icpc_11_15_days",
  `Duration_16-20_days` = "icpc_16_20_days",
  `Duration_21+_days` = "icpc_21_days_plus"), "C4")
d3 <- tidy_dfe("d3_cpps_subsequent_plan_2013_to_2025.csv", c(
  CPP_start = "cpp_started",
  CPP_subsequent = "cpp_subsequent"), "D3")

codes <- read_text_csv("cin_assessment_factor_codes.csv")
codes <- codes[codes$ees_c3_column != "(not in C3)", ]
c3_cols <- unique(codes$ees_c3_column)
# One measure per DfE column, named by the CIN code(s) it counts ("8B-8F" for the pooled
# private fostering column).
c3_code <- vapply(c3_cols, function(col) {
  k <- codes$code[codes$ees_c3_column == col]
  if (length(k) > 1) paste0(k[1], "-", k[length(k)]) else k
}, character(1))
c3 <- tidy_dfe("c3_factors_identified_at_end_of_assessment_2018_to_2025.csv",
               c(Episodes_with_assessment_factor = "episodes_with_factors",
                 stats::setNames(c3_code, c3_cols)), "C3")

# Percentages: each percentage measure over its base, recomputed from counts; the
# published percentage is kept beside it so the two can be checked against each other.
add_rates <- function(x, base_of, published = NULL) {
  # population of the matching year: DfE reporting year ending 31 March `year` uses
  # the ONS mid-year estimate for 30 June of `year - 1` (inside the reporting year).
  x$population_year <- x$year - 1L
  key_x <- paste(x$population_year, x$code)
  key_p <- paste(context_population$year, context_population$code)
  i <- match(key_x, key_p)
  # Councils whose code changed keep their DfE number: fall back to the number.
  miss <- is.na(i) & !is.na(x$la_number)
  key_pn <- paste(context_population$year, context_population$la_number)
  i[miss] <- match(paste(x$population_year, x$la_number)[miss], key_pn)
  x$population <- context_population$population[i]
  pop_mark <- context_population$population_mark[i]
  pop_mark[is.na(i)] <- "x"
  x$rate_10k <- x$count / x$population * 1e4
  x$rate_mark <- ifelse(!is.na(x$count_mark), x$count_mark,
                        ifelse(is.na(x$population), pop_mark, NA_character_))
  x$base_measure <- unname(base_of[x$measure])
  key <- paste(x$year, x$code, x$la_number, x$level)
  base_row <- match(paste(key, x$base_measure), paste(key, x$measure))
  base_count <- x$count[base_row]
  x$percent <- ifelse(is.na(x$base_measure), NA_real_, 100 * x$count / base_count)
  x$percent[!is.na(base_count) & base_count == 0] <- NA_real_
  base_mark <- x$count_mark[base_row]
  x$percent_mark <- ifelse(is.na(x$base_measure), NA_character_,
                           ifelse(!is.na(x$count_mark), x$count_mark,
                                  ifelse(!is.na(base_mark), base_mark,
                                         ifelse(!is.na(base_count) & base_count == 0, "z",
                                                NA_character_))))
  # Three decimal places: far beyond what is published (one), and it keeps the shipped
  # data small (full doubles triple the size of the compressed tables).
  x$rate_10k <- round(x$rate_10k, 3)
  x$percent <- round(x$percent, 3)
  x$percent_published <- NA_real_
  x$percent_published_mark <- NA_character_
  if (!is.null(published)) {
    for (m in names(published)) {
      pub <- published[[m]]
      j <- which(x$measure == m)
      k <- match(paste(x$year[j], x$code[j], x$level[j]), paste(pub$year, pub$code, pub$level))
      x$percent_published[j] <- pub$value[k]
      x$percent_published_mark[j] <- pub$mark[k]
    }
  }
  x
}

published_percent <- function(file, col) {
  d <- read_text_csv(file)
  p <- parse_marked(d[[col]], paste(file, col))
  data.frame(year = as.integer(d$time_period), code = code_of(d), level = level_of(d),
             value = p$value, mark = p$mark)
}
c1_file <- "c1_children_in_need_referrals_and_rereferrals_2013_to_2025.csv"
d3_file <- "d3_cpps_subsequent_plan_2013_to_2025.csv"

measures <- rbind(b1, c1, c4, d3)
base_of <- c(rereferrals = "referrals", referrals_nfa = "referrals",
             assessed_not_in_need = "referrals", rereferrals_children = "referrals_children",
             cpp_subsequent = "cpp_started", icpc_0_10_days = "icpc",
             icpc_11_15_days = "icpc", icpc_16_20_days = "icpc", icpc_21_days_plus = "icpc")
context_published <- add_rates(measures, base_of, list(
  rereferrals = published_percent(c1_file, "rereferral_percent"),
  referrals_nfa = published_percent(c1_file, "no_further_action_percent"),
  assessed_not_in_need = published_percent(c1_file, "not_in_need_percent"),
  rereferrals_children = published_percent(c1_file, "rereferral_child_percent"),
  cpp_subsequent = published_percent(d3_file, "CPP_subsequent_percent")))

f_base <- stats::setNames(rep("episodes_with_factors", length(c3_code)), c3_code)
context_factors <- add_rates(c3, f_base)
context_factors$percent_published <- NULL
context_factors$percent_published_mark <- NULL

order_rows <- function(x) {
  x <- x[order(x$source, match(x$measure, unique(x$measure)), -x$year,
               match(x$level, c("National", "Regional", "London sub-region", "Local authority")),
               x$code), ]
  rownames(x) <- NULL
  x
}
context_published <- order_rows(context_published)
context_factors <- order_rows(context_factors)

# ---- dictionary ---------------------------------------------------------------
lab_pub <- c(
  cin_children_any_point = "Children in need at any point in the year",
  cin_episodes_any_point = "Episodes of need open at any point in the year",
  cin_episodes_started = "Episodes of need starting in the year",
  cin_episodes_ended = "Episodes of need ending in the year",
  cin_at_31_march = "Children in need at 31 March (episodes)",
  referrals = "Referrals",
  rereferrals = "Re-referrals within 12 months of a previous referral",
  referrals_nfa = "Referrals ending in no further action",
  assessed_not_in_need = "Referrals assessed as not in need",
  referrals_children = "Children referred",
  rereferrals_children = "Children re-referred within 12 months",
  cpp_started = "Child protection plans starting",
  cpp_subsequent = "Child protection plans that are a second or subsequent plan",
  section47 = "Section 47 enquiries",
  section47_children = "Children subject to a section 47 enquiry",
  icpc = "Initial child protection conferences",
  icpc_children = "Children subject to an initial child protection conference",
  icpc_0_10_days = "Initial child protection conferences 0-10 working days after the strategy discussion",
  icpc_11_15_days = "Initial child protection conferences 11-15 working days after the strategy discussion",
  icpc_16_20_days = "Initial child protection conferences 16-20 working days after the strategy discussion",
  icpc_21_days_plus = "Initial child protection conferences 21 or more working days after the strategy discussion")
dfe_col <- c("Anypoint_child", "Anypoint_episodes", "Started_episodes", "Ended_episodes",
             "At31_episodes", "referral_count", "rereferral_count", "no_further_action_count",
             "not_in_need_count", "referral_child_count", "rereferral_child_count",
             "CPP_start", "CPP_subsequent", "Section47", "Section47_child", "ICPC",
             "ICPC_child", "Duration_0-10_days", "Duration_11-15_days", "Duration_16-20_days",
             "Duration_21+_days")
dict_pub <- data.frame(
  measure = names(lab_pub), label = unname(lab_pub),
  source = c(rep("B1", 5), rep("C1", 6), rep("D3", 2), rep("C4", 8)),
  dfe_column = dfe_col, factor_code = NA_character_,
  base_measure = unname(base_of[names(lab_pub)]),
  stringsAsFactors = FALSE)
lab_f <- vapply(c3_cols, function(col) {
  k <- codes$short_label[codes$ees_c3_column == col]
  if (length(k) > 1) "Privately fostered" else k
}, character(1))
dict_f <- data.frame(
  measure = c("episodes_with_factors", unname(c3_code)),
  label = c("Episodes with factors identified at the end of assessment", unname(lab_f)),
  source = "C3",
  dfe_column = c("Episodes_with_assessment_factor", c3_cols),
  factor_code = c(NA_character_, unname(c3_code)),
  base_measure = c(NA_character_, rep("episodes_with_factors", length(c3_code))),
  stringsAsFactors = FALSE)
context_dictionary <- rbind(dict_pub, dict_f)
context_dictionary$unit <- ifelse(is.na(context_dictionary$base_measure),
                                  "rate per 10,000 children",
                                  ifelse(context_dictionary$source == "C3",
                                         "% of episodes with factors",
                                         paste0("% of ", gsub("_", " ", context_dictionary$base_measure))))
context_dictionary$unit[context_dictionary$measure == "cpp_subsequent"] <- "% of child protection plans starting"
context_dictionary$unit[startsWith(context_dictionary$measure, "icpc_") &
                          context_dictionary$measure != "icpc_children"] <- "% of initial child protection conferences"
context_dictionary$first_year <- vapply(context_dictionary$measure, function(m) {
  x <- rbind(context_published[, c("measure", "year", "count")],
             context_factors[, c("measure", "year", "count")])
  y <- x$year[x$measure == m & !is.na(x$count)]
  if (length(y)) min(y) else NA_integer_
}, integer(1))
rownames(context_dictionary) <- NULL

# ---- councils and their history ------------------------------------------------
la_rows <- b1[b1$level == "Local authority" & b1$measure == "cin_at_31_march", ]
keys <- unique(la_rows[, c("la_number", "code", "name", "region_code")])
councils <- do.call(rbind, lapply(split(la_rows, la_rows$la_number), function(r) {
  r <- r[order(r$year), ]
  last <- r[nrow(r), ]
  data.frame(la_number = last$la_number, code = last$code, name = last$name,
             region_code = last$region_code,
             former_codes = paste(setdiff(unique(r$code), last$code), collapse = ";"),
             first_year = min(r$year), last_year = max(r$year), stringsAsFactors = FALSE)
}))
regions <- unique(b1[b1$level == "Regional", c("code", "name")])
councils$region_name <- regions$name[match(councils$region_code, regions$code)]
# London councils: inner or outer London as published by DfE.
lon <- unique(read_text_csv("b1_children_in_need_2013_to_2025.csv")[, c("old_la_code", "region_name")])
lon <- lon[lon$region_name %in% c("Inner London", "Outer London"), ]
councils$london <- lon$region_name[match(councils$la_number, as.integer(lon$old_la_code))]

# Local government reorganisations since 2013 (public record). `history` marks the
# predecessor(s) whose figures stand in for a new council's earlier years: whole councils,
# or the larger part of a split one. Christchurch (part of the former Dorset county) joined
# Bournemouth, Christchurch and Poole, but Dorset's figures stand in for the new Dorset only.
lineage <- data.frame(
  from = c(836L, 837L, 835L, 835L, 928L, 928L, 909L, 909L),
  to   = c(839L, 839L, 839L, 838L, 940L, 941L, 942L, 943L),
  history = c(TRUE, TRUE, FALSE, TRUE, TRUE, TRUE, TRUE, TRUE))
change <- c(
  "839" = "Formed on 1 April 2019 from Bournemouth, Poole and Christchurch (a district of the former Dorset county); figures before 2020 are for Bournemouth and for Poole, without Christchurch.",
  "838" = "Formed on 1 April 2019 from the former Dorset county council area without Christchurch; figures before 2020 are for the former Dorset, a larger area.",
  "940" = "Formed on 1 April 2021 from the north of the former Northamptonshire; figures before 2022 are for the whole of the former Northamptonshire.",
  "941" = "Formed on 1 April 2021 from the west of the former Northamptonshire; figures before 2022 are for the whole of the former Northamptonshire.",
  "942" = "Formed on 1 April 2023 from the west of the former Cumbria; figures before 2024 are for the whole of the former Cumbria.",
  "943" = "Formed on 1 April 2023 from the south and east of the former Cumbria; figures before 2024 are for the whole of the former Cumbria.")
collapse_or_na <- function(x) if (length(x)) paste(sort(x), collapse = ";") else NA_character_
councils$predecessors <- vapply(councils$la_number, function(n) {
  collapse_or_na(lineage$from[lineage$to == n & lineage$history])
}, character(1))
councils$successors <- vapply(councils$la_number, function(n) {
  collapse_or_na(lineage$to[lineage$from == n])
}, character(1))
councils$note <- unname(change[as.character(councils$la_number)])
old <- !is.na(councils$successors)
councils$note[old] <- paste0(
  "Abolished on 31 March ", councils$last_year[old], "; succeeded by ",
  vapply(councils$successors[old], function(s) {
    paste(councils$name[match(as.integer(strsplit(s, ";")[[1]]), councils$la_number)],
          collapse = " and ")
  }, character(1)), ".")
chg <- councils$former_codes != ""
councils$note[chg] <- paste0("ONS code changed from ", councils$former_codes[chg], " to ",
                             councils$code[chg], " (same council and DfE number).")
councils$former_codes[!chg] <- NA_character_
councils$current <- councils$last_year == max(councils$last_year)
context_councils <- councils[order(councils$name), c(
  "la_number", "code", "name", "region_code", "region_name", "london", "first_year",
  "last_year", "current", "former_codes", "predecessors", "successors", "note")]
rownames(context_councils) <- NULL

# ---- statistical neighbours ----------------------------------------------------
sn_lines <- readLines(src("New_Statistical_Neighbour_Groupings_April_2021.csv"),
                      encoding = "UTF-8", warn = FALSE)
sn_lines[1] <- sub("^\ufeff", "", sn_lines[1])
sn_lines[1] <- sub("^\xef\xbb\xbf", "", sn_lines[1], useBytes = TRUE)
old_at <- grep("Old SNs", sn_lines)
sn <- utils::read.csv(text = sn_lines, header = FALSE, skip = 1, colClasses = "character")
sn$block <- ifelse(seq_len(nrow(sn)) + 1 > old_at, "pre-reorganisation", "current")
sn <- sn[grepl("^[0-9]+$", sn$V1), ]
sn21 <- do.call(rbind, lapply(seq_len(10), function(k) {
  data.frame(edition = 2021L, la_number = as.integer(sn$V1),
             rank = k,
             neighbour_number = as.integer(sn[[paste0("V", 4 + 2 * k)]]),
             closeness = sn[[paste0("V", 5 + 2 * k)]],
             grouping = ifelse(sn$block == "current", "April 2021",
                               "April 2021 (councils before reorganisation)"),
             stringsAsFactors = FALSE)
}))
# The 2025 model: keyed by DfE number; closeness labels carry trailing spaces.
sn25 <- read_text_csv("sn_model_2025_wide.csv")
stopifnot(nrow(sn25) == 153L, setequal(as.integer(sn25$old_la_code),
                                       context_councils$la_number[context_councils$current]))
sn25 <- do.call(rbind, lapply(seq_len(10), function(k) {
  data.frame(edition = 2025L, la_number = as.integer(sn25$old_la_code), rank = k,
             neighbour_number = as.integer(sn25[[paste0("SN_", k)]]),
             closeness = trimws(sn25[[paste0("SN_", k, "P")]]),
             grouping = "2025 model", stringsAsFactors = FALSE)
}))
stopifnot(all(sn25$closeness %in% c("Extremely close", "Very close", "Close",
                                     "Somewhat close", "Not close")))
context_neighbours <- rbind(sn25, sn21)
context_neighbours$name <- context_councils$name[match(context_neighbours$la_number,
                                                       context_councils$la_number)]
context_neighbours$neighbour_name <- context_councils$name[
  match(context_neighbours$neighbour_number, context_councils$la_number)]
stopifnot(!anyNA(context_neighbours$neighbour_number), !anyNA(context_neighbours$name),
          !anyNA(context_neighbours$neighbour_name))
context_neighbours <- context_neighbours[order(-context_neighbours$edition,
                                               context_neighbours$la_number, context_neighbours$rank),
                                         c("edition", "la_number", "name", "rank", "neighbour_number",
                                           "neighbour_name", "closeness", "grouping")]
rownames(context_neighbours) <- NULL

# ---- checks against the published tables ---------------------------------------
pub_ok <- with(context_published, !is.na(percent) & !is.na(percent_published))
stopifnot(all(abs(context_published$percent[pub_ok] -
                    context_published$percent_published[pub_ok]) < 0.051 + 1e-9 |
                context_published$level[pub_ok] != "Local authority"))

save_xz <- function(...) {
  nm <- as.character(substitute(list(...)))[-1]
  for (n in nm) save(list = n, file = file.path("data", paste0(n, ".rda")),
                     compress = "xz", version = 2)
}
save_xz(context_published, context_factors, context_population, context_councils,
        context_neighbours, context_marks, context_dictionary)
