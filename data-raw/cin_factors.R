# Build `cin_factors`, the dictionary of CIN census assessment factor codes,
# from the public code list (cin_assessment_factor_codes.csv).
# Run from the package root: Rscript data-raw/cin_factors.R
source(file.path("data-raw", "shared-data.R"))

raw <- utils::read.csv(shared_file("cin_assessment_factor_codes.csv"),
                       colClasses = "character", encoding = "UTF-8", check.names = FALSE)
stopifnot(nrow(raw) == 44L, !anyDuplicated(raw$code))

code <- raw$code
letter <- sub("^[0-9]+", "", code)
number <- as.integer(sub("[A-Z]$", "", code))

# Who the factor concerns: 1-6 have A (child), B (parent/carer), C (another person).
concerns <- ifelse(number <= 6 & letter == "B", "parent/carer",
            ifelse(number <= 6 & letter == "C", "another person", "child"))

# Finer family than the source's `group` (which pools alcohol and drugs).
family <- c(`1` = "alcohol", `2` = "drugs", `3` = "domestic abuse", `4` = "mental health",
            `5` = "learning disability", `6` = "physical disability or illness",
            `7` = "young carer", `8` = "private fostering", `9` = "asylum",
            `10` = "extra-familial", `11` = "extra-familial", `12` = "extra-familial",
            `13` = "extra-familial", `14` = "child behaviour", `15` = "child behaviour",
            `16` = "abuse/neglect", `17` = "abuse/neglect", `18` = "abuse/neglect",
            `19` = "abuse/neglect", `20` = "other", `21` = "no factors",
            `22` = "abuse/neglect", `23` = "abuse/neglect", `24` = "extra-familial")[as.character(number)]

# First census year as the year the collection ends (2013-14 -> 2014).
first_year <- as.integer(sub("^.*?([0-9]{4})-([0-9]{2}).*$", "20\\2", raw$first_collected_census_year))
stopifnot(!anyNA(first_year))

# Kingston defaults (2020 final report, section 2.3.4).
kingston_reason <- ifelse(concerns == "another person", "concerns another person",
                   ifelse(number == 8, "private fostering",
                   ifelse(code == "9A", "unaccompanied asylum-seeking child",
                   ifelse(code == "12A", "trafficking",
                   ifelse(code == "20", "Other",
                   ifelse(code == "21", "no factors identified", NA_character_))))))

dfe <- raw$ees_c3_column
dfe[dfe == "(not in C3)"] <- NA_character_

cin_factors <- data.frame(
  code = code,
  label = raw$short_label,
  description = raw$description,
  family = unname(family),
  concerns = concerns,
  dfe_column = dfe,
  first_year = first_year,
  legacy = code %in% c("18A", "19A"),
  kingston_keep = is.na(kingston_reason),
  kingston_reason = kingston_reason,
  stringsAsFactors = FALSE
)
# Canonical order: by number, then letter.
cin_factors <- cin_factors[order(number, letter), ]
rownames(cin_factors) <- NULL

save(cin_factors, file = file.path("data", "cin_factors.rda"), compress = "xz", version = 2)
