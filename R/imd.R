#' Link episodes to neighbourhood and council deprivation
#'
#' Adds the Index of Multiple Deprivation (IMD) rank and decile of each
#' episode's LSOA (the child-level deprivation proxy) and the deprivation decile
#' of the children's services authority (councils ranked by population-weighted
#' average IMD score, see [imd_la]).
#'
#' LSOAs must be 2011 codes (`E01...`), as used by the 2015 and 2019 indices.
#' Missing or blank LSOAs are kept with `NA` deprivation and counted in the
#' audit. Codes not in the lookup (typing errors, Welsh `W01` codes, or
#' 2021-vintage LSOA codes) stop with an error that lists them, unless
#' `on_unknown = "keep"`.
#'
#' @param episodes A data frame, one row per episode (or child, or LSOA).
#' @param lsoa Name of the column holding LSOA 2011 codes. Default `"lsoa11"`.
#' @param edition IMD edition: `2019` (default) or `2015`.
#' @param la Optional name of a column holding the council (children's
#'   services authority) of each row, as a 9-character code (`"E10000016"`) or
#'   a name (`"Kent"`). `NULL` (default) takes the council from the LSOA.
#' @param on_unknown What to do with LSOA codes not found in the lookup:
#'   `"error"` (default) or `"keep"` (deprivation set to `NA`, counted in the
#'   audit).
#' @return `episodes` with added columns `imd_rank`, `imd_decile` (1 = most
#'   deprived tenth of LSOAs in England), `la_code`, `la_name`, `la_imd_score`,
#'   `la_imd_rank` and `la_imd_decile` (1 = most deprived tenth of councils). An
#'   attribute `"imd_audit"` (a list) records the edition, the number of rows,
#'   how many were linked, missing and unknown, and the unknown codes.
#' @family deprivation
#' @export
#' @examples
#' eps <- data.frame(id = 1:4,
#'                   lsoa11 = c("E01000001", "E01033768", "E01005565", NA))
#' linked <- link_imd(eps)
#' linked[c("lsoa11", "imd_decile", "la_name", "la_imd_decile")]
#' attr(linked, "imd_audit")$n_missing
link_imd <- function(episodes, lsoa = "lsoa11", edition = 2019, la = NULL,
                     on_unknown = c("error", "keep")) {
  check_data_frame(episodes)
  check_column_name(lsoa, episodes)
  edition <- check_edition(edition)
  on_unknown <- rlang::arg_match(on_unknown)
  added <- c("imd_rank", "imd_decile", "la_code", "la_name", "la_imd_score",
             "la_imd_rank", "la_imd_decile")
  clash <- intersect(added, setdiff(names(episodes), la %||% character()))
  if (length(clash)) {
    abort_imd(c("{.arg episodes} already has column{?s} {.field {clash}}.",
                  i = "Rename or drop those columns before linking; {.fn link_imd} adds them."),
                class = "cscdemand_error_column_clash")
  }

  codes <- episodes[[lsoa]]
  if (is.factor(codes)) codes <- as.character(codes)
  if (!is.character(codes)) {
    abort_imd(c("Column {.field {lsoa}} must hold LSOA codes as text.",
                  x = "It is of type {.cls {class(codes)[1]}}."),
                class = "cscdemand_error_lsoa")
  }
  codes <- toupper(trimws(codes))
  codes[!is.na(codes) & codes == ""] <- NA_character_
  tab <- imd_lsoa_table(edition)
  idx <- match(codes, tab$lsoa11)
  missing <- is.na(codes)
  unknown <- !missing & is.na(idx)
  if (any(unknown) && on_unknown == "error") {
    bad <- unique(codes[unknown])
    rows <- which(unknown)
    n21 <- sum(is_lsoa21_code(bad))
    abort_imd(c(
      "{length(bad)} LSOA code{?s} {?is/are} not LSOA 2011 code{?s} in England (column {.field {lsoa}}).",
      x = "Unknown: {.val {utils::head(bad, 8)}}{if (length(bad) > 8) ' ...' else ''} ({tolower(rows_label(rows))}).",
      if (n21 > 0) c(i = paste0("{n21} of them look{?s/} like {?a 2021 LSOA code/2021 LSOA codes}: map {?it/them} ",
                                "to 2011 codes with the ONS LSOA 2011 to LSOA 2021 lookup first.")),
      i = "Correct the codes, or use {.code on_unknown = \"keep\"} to keep these rows with {.code NA} deprivation."
    ), class = "cscdemand_error_lsoa")
  }
  out <- episodes
  out$imd_rank <- tab$imd_rank[idx]
  out$imd_decile <- tab$imd_decile[idx]
  lsoa_la <- lsoa_la_code(tab$lsoa11[idx])
  if (is.null(la)) {
    la_code <- lsoa_la
  } else {
    check_column_name(la, episodes)
    la_code <- resolve_la_codes(episodes[[la]], la)
    la_code[is.na(la_code)] <- lsoa_la[is.na(la_code)]
  }
  ila <- cscdemand::imd_la[cscdemand::imd_la$edition == edition, ]
  j <- match(la_code, ila$la_code)
  out$la_code <- la_code
  out$la_name <- ila$la_name[j]
  out$la_imd_score <- ila$imd_score[j]
  out$la_imd_rank <- ila$imd_rank[j]
  out$la_imd_decile <- ila$imd_decile[j]
  attr(out, "imd_audit") <- list(
    edition = edition, n = nrow(episodes), n_linked = sum(!is.na(idx)),
    n_missing = sum(missing), n_unknown = sum(unknown),
    unknown = unique(codes[unknown])
  )
  out
}

#' Rates per 10,000 children by deprivation decile
#'
#' Counts rows (episodes, referrals, children) per IMD decile and divides by
#' the child population living in LSOAs of that decile, giving rates per
#' 10,000 children with exact Poisson confidence intervals (Garwood).
#'
#' @param episodes A data frame with a decile column, usually the output of
#'   [link_imd()].
#' @param population Denominators. `NULL` (default) uses the mid-2015 children
#'   aged 0-15 of [lsoa_population], restricted to the councils in the
#'   `la_code` column of `episodes` (all of England if there is no such
#'   column). Or a data frame with columns `lsoa11` and `children` (your own
#'   denominators, summed within decile).
#' @param by Optional character vector of columns of `episodes` to tabulate by
#'   (for example a demand class or age band). The denominator is the same
#'   child population for every group, except for `"la_code"`, which splits the
#'   denominator by council too.
#' @param decile Name of the decile column. Default `"imd_decile"`.
#' @param edition IMD edition of the deciles (used to place the denominators'
#'   LSOAs into deciles). Default: the edition recorded by [link_imd()], else
#'   2019.
#' @param per Rate multiplier. Default 10,000.
#' @param conf_level Confidence level. Default 0.95.
#' @return A data frame with the `by` columns, `decile`, `n` (count), `children`
#'   (denominator), `rate`, `lower` and `upper` (per `per` children). Rows with a
#'   missing decile are not counted; their number is in attribute `"n_missing"`.
#' @family deprivation
#' @export
#' @examples
#' eps <- data.frame(lsoa11 = sample(imd2019_lsoa$lsoa11[1:500], 300, TRUE))
#' rates_by_decile(link_imd(eps))
rates_by_decile <- function(episodes, population = NULL, by = NULL, decile = "imd_decile",
                            edition = NULL, per = 10000, conf_level = 0.95) {
  check_data_frame(episodes)
  check_column_name(decile, episodes)
  for (b in by) check_column_name(b, episodes, arg = "by")
  check_number(per, min = 1)
  check_number(conf_level, min = 0.5, max = 0.9999)
  edition <- check_edition(edition %||% attr(episodes, "imd_audit")$edition %||% 2019)
  d <- episodes[[decile]]
  if (!is.numeric(d) || any(!is.na(d) & !(d %in% 1:10))) {
    abort_imd(c("Column {.field {decile}} must hold deciles 1 to 10.",
                  i = "Use {.fn link_imd} to add {.field imd_decile}."),
                class = "cscdemand_error_decile")
  }
  tab <- imd_lsoa_table(edition)
  by_la <- "la_code" %in% by
  if (is.null(population)) {
    pop <- data.frame(lsoa11 = cscdemand::lsoa_population$lsoa11,
                      children = cscdemand::lsoa_population$children_0_15)
    if ("la_code" %in% names(episodes)) {
      keep <- lsoa_la_code(pop$lsoa11) %in% unique(episodes$la_code)
      pop <- pop[keep, ]
    }
  } else {
    check_data_frame(population)
    for (cl in c("lsoa11", "children")) check_column_name(cl, population, arg = "population")
    pop <- population[c("lsoa11", "children")]
    if (!is.numeric(pop$children) || anyNA(pop$children) || any(pop$children < 0)) {
      abort_imd(c("Column {.field children} of {.arg population} must be non-negative numbers.",
                    x = "Problem rows: {format_rows(which(is.na(pop$children) | pop$children < 0))}."),
                  class = "cscdemand_error_population")
    }
    bad <- which(!pop$lsoa11 %in% tab$lsoa11)
    if (length(bad)) {
      abort_imd(c("{.arg population} has LSOA codes not in the IMD {edition} lookup.",
                    x = "Rows {format_rows(bad)}, e.g. {.val {pop$lsoa11[bad[1]]}}."),
                  class = "cscdemand_error_lsoa")
    }
  }
  pop$decile <- tab$imd_decile[match(pop$lsoa11, tab$lsoa11)]
  pop$la_code <- lsoa_la_code(pop$lsoa11)
  pkeys <- if (by_la) c("la_code", "decile") else "decile"
  den <- stats::aggregate(pop["children"], pop[pkeys], sum)

  ok <- !is.na(d)
  e <- episodes[ok, by, drop = FALSE]
  e$decile <- as.integer(d[ok])
  e$n <- 1
  keys <- c(by, "decile")
  if (nrow(e) == 0L) {
    abort_imd("No rows of {.arg episodes} have a decile.", class = "cscdemand_error_decile")
  }
  cnt <- stats::aggregate(e["n"], e[keys], sum)
  # complete grid: every group x decile 1..10, zero counts included
  grid <- data.frame(decile = 1:10)
  if (length(by)) grid <- merge(unique(e[by]), grid, by = NULL)
  out <- merge(grid, cnt, by = keys, all.x = TRUE)
  out$n[is.na(out$n)] <- 0
  out <- merge(out, den, by = pkeys, all.x = TRUE)
  out$children[is.na(out$children)] <- 0
  alpha <- 1 - conf_level
  out$rate <- ifelse(out$children > 0, per * out$n / out$children, NA_real_)
  lo <- ifelse(out$n == 0, 0, stats::qchisq(alpha / 2, 2 * out$n) / 2)
  hi <- stats::qchisq(1 - alpha / 2, 2 * (out$n + 1)) / 2
  out$lower <- ifelse(out$children > 0, per * lo / out$children, NA_real_)
  out$upper <- ifelse(out$children > 0, per * hi / out$children, NA_real_)
  out <- out[do.call(order, unname(as.list(out[keys]))), c(keys, "n", "children", "rate",
                                                           "lower", "upper")]
  rownames(out) <- NULL
  attr(out, "n_missing") <- sum(!ok)
  out
}

# ---- helpers -----------------------------------------------------------------

imd_lsoa_table <- function(edition) {
  if (edition == 2019) cscdemand::imd2019_lsoa else cscdemand::imd2015_lsoa
}

# Council (children's services authority) of LSOA 2011 codes, via the 2019 district.
lsoa_la_code <- function(lsoa11) {
  t19 <- cscdemand::imd2019_lsoa
  lad <- t19$lad19_code[match(lsoa11, t19$lsoa11)]
  lk <- cscdemand::la_lookup
  lk$la_code[match(lad, lk$district_code)]
}

# 2011 LSOA codes run to E01033768; later E01 codes are 2021 vintage.
is_lsoa21_code <- function(x) {
  grepl("^E01[0-9]{6}$", x) & suppressWarnings(as.integer(substr(x, 4, 9))) > 33768L
}

resolve_la_codes <- function(x, col, call = rlang::caller_env()) {
  if (is.factor(x)) x <- as.character(x)
  x <- trimws(as.character(x))
  lk <- cscdemand::la_lookup
  ila <- unique(cscdemand::imd_la[c("la_code", "la_name")])
  code <- ifelse(x %in% ila$la_code, x, NA_character_)
  by_name <- match(tolower(x), tolower(ila$la_name))
  code[is.na(code)] <- ila$la_code[by_name[is.na(code)]]
  by_district <- match(x, lk$district_code)
  code[is.na(code)] <- lk$la_code[by_district[is.na(code)]]
  bad <- which(!is.na(x) & x != "" & is.na(code))
  if (length(bad)) {
    abort_imd(c("Column {.field {col}} has council{?s} that {?is/are} not children's services authorities in England.",
                  x = "Unknown: {.val {utils::head(unique(x[bad]), 8)}} ({tolower(rows_label(bad))}).",
                  i = "Use April 2023 codes (e.g. {.val E10000016}) or names as in {.code imd_la$la_name}."),
                class = "cscdemand_error_la", call = call)
  }
  code
}

check_edition <- function(edition, call = rlang::caller_env()) {
  if (!is.numeric(edition) || length(edition) != 1L || !edition %in% c(2015, 2019)) {
    abort_imd(c("{.arg edition} must be 2019 or 2015.",
                  x = "You supplied {.val {format(edition)}}."), call = call,
                class = "cscdemand_error_edition")
  }
  as.integer(edition)
}
