#' Link episodes to neighbourhood and council deprivation
#'
#' Adds the Index of Multiple Deprivation (IMD) rank and decile of each
#' episode's LSOA (the child-level deprivation proxy) and the deprivation decile
#' of the children's services authority (councils ranked by population-weighted
#' average IMD score, see [imd_la]).
#'
#' @section Editions:
#' The current edition is IMD 2025 ([imd2025_lsoa]), on 2021 LSOA boundaries.
#' IMD 2019 and 2015 ([imd2019_lsoa]) are on 2011 boundaries. About 95% of LSOA
#' codes are the same in both; the rest were split or merged in 2021. With
#' `edition = NULL` (the default) the edition is chosen by the codes present:
#' * an extract with codes that exist only in 2021 boundaries, or only codes
#'   found in both, links to IMD 2025;
#' * an extract with codes that exist only in 2011 boundaries (and none only in
#'   2021) links to IMD 2019, the latest edition on 2011 boundaries;
#' * an extract with both kinds links each episode to the edition of its own
#'   code: IMD 2025 where the code is a 2021 LSOA, IMD 2019 otherwise.
#'
#' Column `imd_edition` says which edition each episode got, and the audit
#' counts episodes per edition (`n_by_edition`). Give `edition` to use one
#' edition for every episode.
#'
#' Missing or blank LSOAs are kept with `NA` deprivation and counted in the
#' audit. Codes not in the lookup (typing errors, Welsh `W01` codes, or codes
#' of the other boundary vintage when `edition` is given) stop with an error
#' that lists them, unless `on_unknown = "keep"`.
#'
#' @param episodes A data frame, one row per episode (or child, or LSOA).
#' @param lsoa Name of the column holding LSOA codes. `NULL` (default) uses the
#'   first of `"lsoa"`, `"lsoa21"` and `"lsoa11"` in `episodes`.
#' @param edition IMD edition: `NULL` (default; chosen by the codes, see
#'   Editions), `2025`, `2019` or `2015`.
#' @param la Optional name of a column holding the council (children's
#'   services authority) of each row: a code (`"E10000016"`), a DfE number or a
#'   name (`"Kent"`), as [find_council()] accepts. `NULL` (default) takes the
#'   council from the LSOA.
#' @param on_unknown What to do with LSOA codes not found in the lookup:
#'   `"error"` (default) or `"keep"` (deprivation set to `NA`, counted in the
#'   audit).
#' @return `episodes` with added columns `imd_rank`, `imd_decile` (1 = most
#'   deprived tenth of LSOAs in England), `imd_edition`, `la_code`, `la_name`,
#'   `la_imd_score`, `la_imd_rank` and `la_imd_decile` (1 = most deprived tenth
#'   of councils, same edition as the LSOA). An attribute `"imd_audit"` (a list)
#'   records the edition (or editions) used, how it was chosen (`chosen`), the
#'   number of rows, how many were linked, missing and unknown, the episodes per
#'   edition (`n_by_edition`), and the unknown codes.
#' @family deprivation
#' @export
#' @examples
#' eps <- data.frame(id = 1:4,
#'                   lsoa11 = c("E01000001", "E01033768", "E01005565", NA))
#' linked <- link_imd(eps)
#' linked[c("lsoa11", "imd_decile", "imd_edition", "la_name", "la_imd_decile")]
#' attr(linked, "imd_audit")$n_by_edition
#' # IMD 2019 for every episode
#' link_imd(eps, edition = 2019)$imd_decile
link_imd <- function(episodes, lsoa = NULL, edition = NULL, la = NULL,
                     on_unknown = c("error", "keep")) {
  check_data_frame(episodes)
  lsoa <- lsoa %||% imd_lsoa_column(episodes)
  check_column_name(lsoa, episodes)
  if (!is.null(edition)) edition <- check_edition(edition, allowed = imd_editions)
  on_unknown <- rlang::arg_match(on_unknown)
  added <- c("imd_rank", "imd_decile", "imd_edition", "la_code", "la_name", "la_imd_score",
             "la_imd_rank", "la_imd_decile")
  clash <- intersect(added, setdiff(names(episodes), la %||% character()))
  if (length(clash)) {
    abort_input(c("{.arg episodes} already has column{?s} {.field {clash}}.",
                    i = "Rename or drop those columns before linking; {.fn link_imd} adds them."),
                  class = "cscdemand_error_column_clash")
  }
  codes <- imd_clean_codes(episodes[[lsoa]], lsoa)
  ed <- imd_choose_editions(codes, edition)
  missing <- is.na(codes)
  unknown <- !missing & is.na(ed)
  if (any(unknown) && on_unknown == "error") imd_abort_unknown(codes, unknown, lsoa, edition)
  out <- episodes
  out$imd_rank <- NA_integer_
  out$imd_decile <- NA_integer_
  out$imd_edition <- ed
  lsoa_la <- rep(NA_character_, length(codes))
  for (e in unique(ed[!is.na(ed)])) {
    tab <- imd_lookup(e)
    i <- which(ed == e)
    j <- match(codes[i], tab$lsoa)
    out$imd_rank[i] <- tab$imd_rank[j]
    out$imd_decile[i] <- tab$imd_decile[j]
    lsoa_la[i] <- tab$la_code[j]
  }
  la_code <- lsoa_la
  if (!is.null(la)) {
    check_column_name(la, episodes)
    la_code <- resolve_la_codes(episodes[[la]], la)
    la_code[is.na(la_code)] <- lsoa_la[is.na(la_code)]
  }
  ila <- cscdemand::imd_la
  primary <- edition %||% if (any(!is.na(ed))) max(ed, na.rm = TRUE) else 2025L
  la_ed <- ifelse(is.na(ed), primary, ed)
  j <- match(paste(la_ed, la_code), paste(ila$edition, ila$la_code))
  out$la_code <- la_code
  out$la_name <- ila$la_name[j]
  out$la_imd_score <- ila$imd_score[j]
  out$la_imd_rank <- ila$imd_rank[j]
  out$la_imd_decile <- ila$imd_decile[j]
  used <- sort(unique(ed[!is.na(ed)]), decreasing = TRUE)
  attr(out, "imd_audit") <- list(
    edition = if (length(used)) used else edition %||% 2025L,
    chosen = if (is.null(edition)) "by the LSOA codes present" else "given",
    n = nrow(episodes), n_linked = sum(!is.na(ed)),
    n_missing = sum(missing), n_unknown = sum(unknown),
    n_by_edition = vapply(stats::setNames(imd_editions, imd_editions),
                          function(e) sum(ed == e, na.rm = TRUE), integer(1)),
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
#' @param population Denominators. `NULL` (default) uses the children aged
#'   0-15 of the edition's LSOAs (IoD 2025 populations for IMD 2025, see
#'   [imd2025_lsoa]; mid-2015 [lsoa_population] for IMD 2019 and 2015),
#'   restricted to the councils in the `la_code` column of `episodes` (all of
#'   England if there is no such column). Or a data frame with an LSOA column
#'   (`lsoa21`, `lsoa11` or `lsoa`) and `children` (your own denominators,
#'   summed within decile).
#' @param by Optional character vector of columns of `episodes` to tabulate by
#'   (for example a demand class or age band). The denominator is the same
#'   child population for every group, except for `"la_code"`, which splits the
#'   denominator by council too.
#' @param decile Name of the decile column. Default `"imd_decile"`.
#' @param edition IMD edition of the deciles (used to place the denominators'
#'   LSOAs into deciles). Default: the edition recorded by [link_imd()], else
#'   2025. When [link_imd()] used two editions (an extract with both 2011-only
#'   and 2021-only codes), the IMD 2025 denominators are used and a warning of
#'   class `cscdemand_warning_imd_edition` says how many episodes have an IMD
#'   2019 decile.
#' @param per Rate multiplier. Default 10,000.
#' @param conf_level Confidence level. Default 0.95.
#' @param threshold Small-number threshold (default 10; 0 turns it off). A
#'   rate and its interval give the count back with the published population,
#'   so deciles are merged with their neighbours (the same bins for every
#'   group) until no bin holds a count from 1 to `threshold - 1`; then, if the
#'   episodes with no known decile are that few, enough bins are suppressed
#'   (rate `NA`, `suppressed` `TRUE`) that they cannot be worked out from the
#'   total either, as in [suppress_small()].
#' @return A data frame with the `by` columns, `decile` (the first decile of
#'   the bin), `deciles` (the bin as text: `"3"`, or `"1-2"` when merged), `n`
#'   (count), `children` (denominator), `rate`, `lower` and `upper` (per `per`
#'   children) and `suppressed`. Rows with a missing decile are not counted;
#'   their number is in attribute `"n_missing"`; attribute `"edition"` gives
#'   the edition of the denominators, `"merged"` whether any deciles were
#'   merged and `"note"` a sentence saying which deciles were merged or hidden
#'   and why (`NULL` when none were), for a report.
#' @family deprivation
#' @export
#' @examples
#' eps <- data.frame(lsoa11 = sample(imd2019_lsoa$lsoa11[1:500], 300, TRUE))
#' rates_by_decile(link_imd(eps))
rates_by_decile <- function(episodes, population = NULL, by = NULL, decile = "imd_decile",
                            edition = NULL, per = 10000, conf_level = 0.95, threshold = 10) {
  check_data_frame(episodes)
  check_column_name(decile, episodes)
  for (b in by) check_column_name(b, episodes, arg = "by")
  check_number(per, min = 1)
  check_number(conf_level, min = 0.5, max = 0.9999)
  check_threshold(threshold)
  edition <- imd_rates_edition(edition, episodes)
  d <- episodes[[decile]]
  if (!is.numeric(d) || any(!is.na(d) & !(d %in% 1:10))) {
    abort_input(c("Column {.field {decile}} must hold deciles 1 to 10.",
                    i = "Use {.fn link_imd} to add {.field imd_decile}."),
                  class = "cscdemand_error_decile")
  }
  tab <- imd_lookup(edition)
  by_la <- "la_code" %in% by
  pop <- imd_population(population, tab, edition, episodes)
  pop$decile <- tab$imd_decile[match(pop$lsoa, tab$lsoa)]
  pop$la_code <- tab$la_code[match(pop$lsoa, tab$lsoa)]
  pkeys <- if (by_la) c("la_code", "decile") else "decile"
  den <- stats::aggregate(pop["children"], pop[pkeys], sum)

  ok <- !is.na(d)
  e <- episodes[ok, by, drop = FALSE]
  e$decile <- as.integer(d[ok])
  e$n <- 1
  keys <- c(by, "decile")
  if (nrow(e) == 0L) {
    abort_input("No rows of {.arg episodes} have a decile.", class = "cscdemand_error_decile")
  }
  cnt <- stats::aggregate(e["n"], e[keys], sum)
  # complete grid: every group x decile 1..10, zero counts included
  grid <- data.frame(decile = 1:10)
  if (length(by)) grid <- merge(unique(e[by]), grid, by = NULL)
  out <- merge(grid, cnt, by = keys, all.x = TRUE)
  out$n[is.na(out$n)] <- 0
  out <- merge(out, den, by = pkeys, all.x = TRUE)
  out$children[is.na(out$children)] <- 0
  out <- out[do.call(order, unname(as.list(out[keys]))), , drop = FALSE]
  miss <- episodes[!ok, by, drop = FALSE]
  out <- decile_bins(out, by, threshold, miss)
  alpha <- 1 - conf_level
  out$rate <- ifelse(out$children > 0, per * out$n / out$children, NA_real_)
  lo <- ifelse(out$n == 0, 0, stats::qchisq(alpha / 2, 2 * out$n) / 2)
  hi <- stats::qchisq(1 - alpha / 2, 2 * (out$n + 1)) / 2
  out$lower <- ifelse(out$children > 0, per * lo / out$children, NA_real_)
  out$upper <- ifelse(out$children > 0, per * hi / out$children, NA_real_)
  out[out$suppressed, c("n", "rate", "lower", "upper")] <- NA
  out <- out[c(by, "decile", "deciles", "n", "children", "rate", "lower", "upper", "suppressed")]
  rownames(out) <- NULL
  attr(out, "n_missing") <- sum(!ok)
  attr(out, "edition") <- edition
  attr(out, "merged") <- any(out$deciles != as.character(out$decile))
  attr(out, "note") <- decile_note(out, threshold)
  out
}

# ---- helpers -----------------------------------------------------------------

# Adjacent deciles merged until no group holds a count from 1 to threshold - 1
# in any bin (the same bins for every group, so no rate of one bin can be
# worked out from another), then the bins' counts, with the episodes of no
# known decile, suppressed as a table whose totals are published (the
# group's episodes, the bin's across groups): a small number of episodes with
# no decile would otherwise come back as the total less the bins' counts, and
# a bin's count comes back from its rate and the published population.
decile_bins <- function(out, by, threshold, miss) {
  g <- if (length(by)) interaction(out[by], drop = TRUE, lex.order = TRUE) else factor(rep(1L, nrow(out)))
  n <- matrix(0, 10, nlevels(g))
  n[cbind(out$decile, as.integer(g))] <- out$n
  bin <- decile_merge(n, threshold)
  from <- as.vector(tapply(1:10, bin, min))
  to <- as.vector(tapply(1:10, bin, max))
  key <- paste(as.integer(g), bin[out$decile])
  first <- !duplicated(key)
  res <- out[first, setdiff(names(out), c("n", "children")), drop = FALSE]
  res$n <- as.numeric(rowsum(out$n, key, reorder = FALSE))
  res$children <- as.numeric(rowsum(out$children, key, reorder = FALSE))
  b <- bin[res$decile]
  res$decile <- as.integer(from[b])
  res$deciles <- ifelse(from[b] == to[b], as.character(from[b]), paste0(from[b], "-", to[b]))
  res$suppressed <- FALSE
  if (threshold > 0) {
    gm <- if (length(by)) interaction(miss[by], drop = FALSE, lex.order = TRUE) else rep(1L, nrow(miss))
    nm <- if (length(by)) as.numeric(table(factor(as.character(gm), levels = levels(g)))) else nrow(miss)
    cells <- rbind(matrix(res$n, ncol = nlevels(g)), nm)
    s <- suppress_matrix(cells, threshold)$suppressed
    res$suppressed <- as.vector(s[-nrow(s), , drop = FALSE])
  }
  res
}

# What a report says under the chart of rates: which deciles are merged and
# which are hidden, and why (NULL when neither).
decile_note <- function(out, threshold) {
  bins <- unique(out$deciles)
  merged <- bins[grepl("-", bins)]
  hidden <- unique(out$deciles[out$suppressed])
  if (!length(merged) && !length(hidden)) return(NULL)
  few <- paste("fewer than", format(threshold, big.mark = ",", scientific = FALSE), "episodes")
  paste0(if (length(merged)) paste0("Deciles ", and_list(merged), " are shown together, as a decile ",
                                    "on its own held ", few, " and its rate would give the number back. "),
         if (length(hidden)) paste0("The rate of decile", if (length(hidden) > 1L || grepl("-", hidden)) "s",
                                    " ", and_list(hidden), " is not shown, so that the ", few,
                                    " with no known decile cannot be worked out from the total."))
}

# Bin (1..) of each decile: the smallest bin with a small count in some
# group is merged with its smaller neighbour (one with episodes, if any),
# until none is left.
decile_merge <- function(n, threshold) {
  bin <- 1:10
  repeat {
    m <- rowsum(n, bin)
    small <- which(apply(m > 0 & m < threshold, 1, any))
    if (!length(small) || nrow(m) == 1L) return(bin)
    k <- small[order(rowSums(m)[small])[1L]]
    nb <- c(k - 1L, k + 1L)
    nb <- nb[nb >= 1L & nb <= nrow(m)]
    j <- nb[order(rowSums(m)[nb] == 0, rowSums(m)[nb])[1L]]
    bin[bin == max(k, j)] <- min(k, j)
    bin <- match(bin, unique(bin))
  }
}

imd_editions <- c(2025L, 2019L, 2015L)

# The shipped LSOA table of an edition (columns as shipped: lsoa11 for 2019/2015).
imd_lsoa_table <- function(edition) {
  switch(as.character(edition),
         "2025" = cscdemand::imd2025_lsoa,
         "2019" = cscdemand::imd2019_lsoa,
         cscdemand::imd2015_lsoa)
}

# One layout for every edition: lsoa, imd_rank, imd_decile, la_code, children (0-15).
imd_lookup <- function(edition) {
  tab <- imd_lsoa_table(edition)
  lk <- cscdemand::la_lookup
  if (edition == 2025L) {
    return(data.frame(lsoa = tab$lsoa21, imd_rank = tab$imd_rank, imd_decile = tab$imd_decile,
                      la_code = lk$la_code[match(tab$lad24_code, lk$district_code)],
                      children = tab$children_0_15, stringsAsFactors = FALSE))
  }
  pop <- cscdemand::lsoa_population
  data.frame(lsoa = tab$lsoa11, imd_rank = tab$imd_rank, imd_decile = tab$imd_decile,
             la_code = lsoa_la_code(tab$lsoa11),
             children = pop$children_0_15[match(tab$lsoa11, pop$lsoa11)],
             stringsAsFactors = FALSE)
}

imd_lsoa_column <- function(episodes, call = rlang::caller_env()) {
  cand <- intersect(c("lsoa", "lsoa21", "lsoa11"), names(episodes))
  if (!length(cand)) {
    abort_input(c("{.arg episodes} has no LSOA column ({.field lsoa}, {.field lsoa21} or {.field lsoa11}).",
                  i = "Name the column with {.arg lsoa}."),
                class = "cscdemand_error_column", call = call)
  }
  cand[1]
}

imd_clean_codes <- function(codes, col, call = rlang::caller_env()) {
  if (is.factor(codes)) codes <- as.character(codes)
  if (!is.character(codes)) {
    abort_input(c("Column {.field {col}} must hold LSOA codes as text.",
                  x = "It is of type {.cls {class(codes)[1]}}."),
                class = "cscdemand_error_lsoa", call = call)
  }
  codes <- toupper(trimws(codes))
  codes[!is.na(codes) & codes == ""] <- NA_character_
  codes
}

# Edition of each row (NA where missing or unknown); see ?link_imd, Editions.
imd_choose_editions <- function(codes, edition = NULL) {
  if (!is.null(edition)) {
    return(ifelse(!is.na(codes) & codes %in% imd_lookup(edition)$lsoa, edition, NA_integer_))
  }
  in21 <- !is.na(codes) & codes %in% cscdemand::imd2025_lsoa$lsoa21
  in11 <- !is.na(codes) & codes %in% cscdemand::imd2019_lsoa$lsoa11
  if (any(in11 & !in21) && !any(in21 & !in11)) {
    return(ifelse(in11, 2019L, NA_integer_))
  }
  ifelse(in21, 2025L, ifelse(in11, 2019L, NA_integer_))
}

imd_abort_unknown <- function(codes, unknown, col, edition, call = rlang::caller_env()) {
  bad <- unique(codes[unknown])
  rows <- which(unknown)
  n21 <- sum(is_lsoa21_code(bad))
  what <- if (is.null(edition)) "LSOA codes (2011 or 2021)" else if (edition == 2025L)
    "LSOA 2021 codes" else "LSOA 2011 codes"
  abort_input(c(
      "{length(bad)} LSOA code{?s} {?is/are} not {what} in England (column {.field {col}}).",
      x = "Unknown: {.val {utils::head(bad, 8)}}{if (length(bad) > 8) ' ...' else ''} ({tolower(rows_label(rows))}).",
      if (n21 > 0 && !is.null(edition) && edition != 2025L)
        c(i = paste0("{n21} of them look{?s/} like {?a 2021 LSOA code/2021 LSOA codes}: map {?it/them} ",
                     "to 2011 codes with the ONS LSOA 2011 to LSOA 2021 lookup first.")),
      i = "Correct the codes, or use {.code on_unknown = \"keep\"} to keep these rows with {.code NA} deprivation."
  ), class = "cscdemand_error_lsoa", call = call)
}

imd_rates_edition <- function(edition, episodes, call = rlang::caller_env()) {
  if (!is.null(edition)) return(check_edition(edition, allowed = imd_editions, call = call))
  used <- attr(episodes, "imd_audit")$edition
  if (is.null(used) && "imd_edition" %in% names(episodes)) {
    used <- sort(unique(stats::na.omit(episodes$imd_edition)), decreasing = TRUE)
  }
  if (length(used) > 1L) {
    n19 <- sum(episodes$imd_edition %in% setdiff(used, 2025L))
    warn_cscdemand(c("The episodes were linked to two IMD editions; denominators are IMD 2025's.",
                     i = "{n19} episode{?s} {?has/have} an IMD 2019 decile (a 2011 LSOA code not in 2021 boundaries)."),
                   class = "cscdemand_warning_imd_edition")
    return(2025L)
  }
  check_edition(used %||% 2025L, allowed = imd_editions, call = call)
}

imd_population <- function(population, tab, edition, episodes, call = rlang::caller_env()) {
  if (is.null(population)) {
    pop <- tab[c("lsoa", "children")]
    if ("la_code" %in% names(episodes)) pop <- pop[tab$la_code %in% unique(episodes$la_code), ]
    return(pop)
  }
  check_data_frame(population, call = call)
  col <- intersect(c("lsoa21", "lsoa11", "lsoa"), names(population))[1]
  if (is.na(col)) col <- "lsoa11"
  for (cl in c(col, "children")) check_column_name(cl, population, arg = "population", call = call)
  pop <- data.frame(lsoa = as.character(population[[col]]), children = population$children,
                    stringsAsFactors = FALSE)
  if (!is.numeric(pop$children) || anyNA(pop$children) || any(pop$children < 0)) {
    abort_input(c("Column {.field children} of {.arg population} must be non-negative numbers.",
                  x = "Problem rows: {format_rows(which(is.na(pop$children) | pop$children < 0))}."),
                class = "cscdemand_error_population", call = call)
  }
  bad <- which(!pop$lsoa %in% tab$lsoa)
  if (length(bad)) {
    abort_input(c("{.arg population} has LSOA codes not in the IMD {edition} lookup.",
                  x = "Rows {format_rows(bad)}, e.g. {.val {pop$lsoa[bad[1]]}}."),
                class = "cscdemand_error_lsoa", call = call)
  }
  pop
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

# Council codes of a column (codes, DfE numbers, names or district codes), by the
# package's one council resolver (find_council()). Values are resolved once each.
resolve_la_codes <- function(x, col, call = rlang::caller_env()) {
  if (is.factor(x)) x <- as.character(x)
  x <- trimws(as.character(x))
  u <- unique(x[!is.na(x) & x != ""])
  res <- lapply(u, function(k) {
    tryCatch(context_resolve(k, verbose = FALSE)$code,
             cscdemand_error_council = function(e) structure(NA_character_, closest = e$closest))
  })
  code <- vapply(res, function(r) as.character(r), character(1))
  bad_u <- u[is.na(code)]
  if (length(bad_u)) {
    bad <- which(x %in% bad_u)
    closest <- unique(unlist(lapply(res[is.na(code)], attr, "closest")))
    abort_input(c("Column {.field {col}} has council{?s} that {?is/are} not children's services authorities in England.",
                  x = "Unknown: {.val {utils::head(bad_u, 8)}} ({tolower(rows_label(bad))}).",
                  i = if (length(closest)) "Closest names: {.val {utils::head(closest, 5)}}.",
                  i = "Use ONS codes (e.g. {.val E10000016}), DfE numbers or names (see {.code context_councils})."),
                class = c("cscdemand_error_la", "cscdemand_error_council"), call = call)
  }
  code[match(x, u)]
}

check_edition <- function(edition, allowed = c(2019L, 2015L), call = rlang::caller_env()) {
  if (!is.numeric(edition) || length(edition) != 1L || !edition %in% allowed) {
    abort_input(c("{.arg edition} must be one of {.val {allowed}}.",
                    x = "You supplied {.val {format(edition)}}."), call = call,
                  class = "cscdemand_error_edition")
  }
  as.integer(edition)
}
