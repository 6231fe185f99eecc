fx <- function(f) test_path("fixtures", "cin", f)

# The six fixture episodes (see fixtures/cin/make-fixtures.R), as sets of codes.
expected_codes <- list(E1 = c("16A", "3B", "4B"), E2 = "21", E3 = "20", E4 = c("1B", "3C"),
                       E5 = "9A", E6 = c("16A", "21"))

episode_code_sets <- function(a) {
  ep <- a$assessments$episode_id[match(a$factors$assessment, a$assessments$.assessment)]
  out <- lapply(split(as.character(a$factors$code), ep), function(z) sort(unique(z)))
  out[order(names(out))]
}

test_that("long, codes and wide layouts give the same assessments and codes", {
  for (f in c("long_basic.csv", "codes_basic.csv", "wide_basic.csv", "wide_dfe_names.csv",
              "codes_variants.csv", "long_bom.csv")) {
    a <- read_cin_assessments(fx(f))
    expect_s3_class(a, "cin_assessments")
    expect_equal(nrow(a$assessments), 7L, info = f)
    expect_equal(length(unique(a$assessments$.episode)), 6L, info = f)
    got <- episode_code_sets(a)
    expect_equal(got, lapply(expected_codes, sort), info = f)
  }
  expect_equal(read_cin_assessments(fx("long_basic.csv"))$layout, "long")
  expect_equal(read_cin_assessments(fx("codes_basic.csv"))$layout, "codes")
  expect_equal(read_cin_assessments(fx("wide_basic.csv"))$layout, "wide")
  expect_equal(read_cin_assessments(fx("wide_dfe_names.csv"))$layout, "wide")
})

test_that("a data frame reads like the file", {
  d <- utils::read.csv(fx("long_basic.csv"), colClasses = "character")
  a <- read_cin_assessments(d)
  expect_equal(episode_code_sets(a), lapply(expected_codes, sort))
  expect_equal(a$source, "a data frame")
})

test_that("the byte-order mark does not hide the first column", {
  a <- read_cin_assessments(fx("long_bom.csv"))
  expect_true("la" %in% names(a$assessments))
  expect_equal(unique(a$assessments$la), "E09000021")
})

test_that("recoded codes are counted in the audit", {
  a <- read_cin_assessments(fx("codes_variants.csv"))
  au <- audit(a)
  expect_s3_class(au, "cin_audit")
  expect_equal(au$n[au$step == "codes recoded: leading zero or prefix"], 4) # 04B, 016a, 020, X16A
  expect_equal(au$n[au$step == "codes recoded: case or spacing"], 4)        # 3b, 4 b, 9a, 21A
  expect_equal(au$n[au$step == "assessments with 21 combined with other codes (rule 8869)"], 1)
})

test_that("census column names, UK dates, 22B and the 18A/18C split are read", {
  a <- read_cin_assessments(fx("long_census_names.csv"))
  expect_equal(a$assessments$referral_date, as.Date(c("2023-05-02", "2023-06-10", "2023-07-01")))
  expect_equal(a$assessments$year, c(2024L, 2024L, 2024L))
  expect_equal(as.character(a$factors$code), c("3B", "23A", "18A", "18C", "3B"))
  expect_equal(levels(a$factors$code), cin_factors$code)
  au <- audit(a)
  expect_equal(au$n[au$step == "codes recoded: legacy 22B -> 23A"], 1)
  expect_equal(au$n[au$step == "codes recoded: DfE column name"], 1)
})

test_that("Excel sheets with rows above the header are read", {
  skip_if_not_installed("readxl")
  a <- read_cin_assessments(fx("long_header_rows.xlsx"), sheet = "extract")
  expect_equal(episode_code_sets(a), lapply(expected_codes, sort))
  expect_equal(a$assessments$referral_date[1], as.Date("2023-05-02"))
  expect_match(audit(a)$detail[1], "3 rows above the header skipped")
  # row numbers are sheet rows: header on row 4, first data row 5
  expect_equal(a$assessments$.row[1], 5L)
})

test_that("empty files and files without a factor column give classed errors", {
  expect_error(read_cin_assessments(fx("empty.csv")), class = "cscdemand_error_empty")
  expect_error(read_cin_assessments(fx("header_only.csv")), class = "cscdemand_error_empty")
  expect_error(read_cin_assessments(fx("no_factor_column.csv")), class = "cscdemand_error_columns")
  expect_error(read_cin_assessments(fx("does_not_exist.csv")), class = "cscdemand_error_file")
  expect_error(read_cin_assessments(data.frame()), class = "cscdemand_error_empty")
  expect_error(read_cin_assessments(42), class = "cscdemand_error_input")
})

test_that("unknown codes are listed with rows, or dropped and counted", {
  expect_snapshot(read_cin_assessments(fx("long_unknown_codes.csv")), error = TRUE)
  err <- tryCatch(read_cin_assessments(fx("long_unknown_codes.csv")), error = identity)
  expect_s3_class(err, "cscdemand_error_unknown_code")
  expect_match(conditionMessage(err), "4, 9")  # lines 4 and 9 (header is line 1)
  a <- read_cin_assessments(fx("long_unknown_codes.csv"), on_unknown = "drop")
  au <- audit(a)
  expect_equal(au$n[au$step == "codes dropped: unknown code"], 2)
  expect_equal(nrow(a$factors), 9L)
})

test_that("missing identifiers and duplicates are dropped and counted", {
  a <- read_cin_assessments(fx("long_missing_ids.csv"))
  au <- audit(a)
  expect_equal(au$n[au$step == "rows dropped: missing identifier"], 2)
  expect_match(au$detail[au$step == "rows dropped: missing identifier"], "rows 3, 6")
  expect_equal(nrow(a$factors), 9L)
  d <- read_cin_assessments(fx("long_duplicates.csv"))
  expect_equal(audit(d)$n[audit(d)$step == "codes dropped: duplicate within an assessment"], 2)
  expect_equal(nrow(d$factors), 11L)
})

test_that("unparseable dates name the column, rows and fix", {
  expect_snapshot(read_cin_assessments(fx("long_bad_dates.csv")), error = TRUE)
  expect_error(read_cin_assessments(fx("long_bad_dates.csv")), class = "cscdemand_error_date")
})

test_that("columns can be mapped by hand and la given as an argument", {
  d <- data.frame(PersonRef = c("a", "a", "b"), RefDate = c("2023-04-03", "2023-04-03", "2023-05-01"),
                  Fac = c("1B", "3B", "16A"))
  a <- read_cin_assessments(d, columns = c(child_id = "PersonRef", referral_date = "RefDate",
                                           factor = "Fac"), la = "Kingston")
  expect_equal(a$assessments$la, c("Kingston", "Kingston"))
  expect_equal(nrow(a$factors), 3L)
  expect_error(read_cin_assessments(d, columns = c(child_id = "Nope")),
               class = "cscdemand_error_columns")
  expect_error(read_cin_assessments(d, columns = c(nonsense = "PersonRef")),
               class = "cscdemand_error_columns")
  expect_error(read_cin_assessments(d[, "Fac", drop = FALSE], columns = c(factor = "Fac")),
               class = "cscdemand_error_columns")
})

test_that("bad flags and ages give classed errors", {
  d <- utils::read.csv(fx("long_basic.csv"), colClasses = "character")
  d$cp_plan[2] <- "maybe"
  expect_error(read_cin_assessments(d), class = "cscdemand_error_flag")
  d <- utils::read.csv(fx("long_basic.csv"), colClasses = "character")
  d$age[3] <- "four"
  expect_error(read_cin_assessments(d), class = "cscdemand_error_number")
})

test_that("as.data.frame gives the long layout back", {
  a <- read_cin_assessments(fx("codes_basic.csv"))
  d <- as.data.frame(a)
  expect_equal(nrow(d), 11L)
  expect_equal(sort(d$factor), sort(utils::read.csv(fx("long_basic.csv"))$factor))
})

test_that("print methods work", {
  a <- read_cin_assessments(fx("long_basic.csv"))
  expect_snapshot(print(a))
  expect_snapshot(print(audit(a)))
})

test_that("Excel day numbers and dates given as Date are read", {
  d <- data.frame(child_id = c("a", "b"), referral_date = c("45000", "45001"), factor = "1B")
  a <- read_cin_assessments(d)
  expect_equal(a$assessments$referral_date, as.Date(c(45000, 45001), origin = "1899-12-30"))
  d$referral_date <- as.Date(c("2023-04-01", "2023-03-31"))
  a <- read_cin_assessments(d)
  expect_equal(a$assessments$year, c(2024L, 2023L))
})

test_that("the base R reader refuses lines with the wrong number of fields", {
  p <- tempfile(fileext = ".csv")
  writeLines(c("child_id,referral_date,factor", "a,2023-05-01,1B", "b,2023-05-02,3B,extra"), p)
  expect_error(cin_read_csv(p, engine = "base"), "Line 3 of .+ has 4 fields")
  writeLines(c("child_id,referral_date,factor", "a,2023-05-01,1B"), p)
  expect_equal(nrow(cin_read_csv(p, engine = "base")), 1L)
  unlink(p)
})
