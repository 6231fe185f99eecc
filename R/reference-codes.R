#' CIN census assessment factor codes
#'
#' The dictionary of the 44 factor codes that can be recorded at the end of a
#' children's social care assessment in the Children in Need (CIN) census
#' (`AssessmentFactors`), with the Kingston defaults for latent class analysis.
#'
#' @format A data frame with 44 rows, in code order, and 10 columns:
#' \describe{
#'   \item{code}{Canonical code as in the census, e.g. `"1A"`, `"3B"`, `"20"`.}
#'   \item{label}{Short label, e.g. `"Domestic abuse - parent/carer"`.}
#'   \item{description}{Wording of the DfE guide.}
#'   \item{family}{Family of factors: alcohol, drugs, domestic abuse, mental
#'     health, learning disability, physical disability or illness, young carer,
#'     private fostering, asylum, extra-familial, child behaviour,
#'     abuse/neglect, other, no factors.}
#'   \item{concerns}{Who the factor concerns: `"child"`, `"parent/carer"` or
#'     `"another person"` (the C codes).}
#'   \item{dfe_column}{Column name in the DfE published table C3
#'     (`NA` for 21, which C3 does not publish; 8B-8F share
#'     `Privately_fostered`).}
#'   \item{first_year}{First census year the code was collected, as the year
#'     the collection ends (2014 = 2013-14; 22A and 23A are inferred as
#'     2017-18).}
#'   \item{legacy}{`TRUE` for 18A and 19A, split into 18B/18C and 19B/19C
#'     from 2020-21.}
#'   \item{kingston_keep}{`TRUE` if the Kingston defaults keep the code for
#'     clustering (2020 final report, section 2.3.4).}
#'   \item{kingston_reason}{Why the Kingston defaults drop it, else `NA`.}
#' }
#' @source Compiled from the DfE CIN census guides and validation rules, and
#'   the column names of DfE table C3 (Characteristics of children in need,
#'   Explore Education Statistics); built by `data-raw/cin_factors.R`.
#'   Contains public sector information licensed under the Open Government
#'   Licence v3.0.
#' @family CIN data
#' @examples
#' head(cin_factors[, c("code", "label", "concerns", "kingston_keep")])
#' table(cin_factors$family)
"cin_factors"

#' Normalise CIN factor codes as councils write them
#'
#' Turns factor codes written in any of the usual ways into the canonical
#' census codes of [cin_factors]: any case and spacing (`"3b"`, `" 3 B "`),
#' leading zeros (`"03B"`, `"020"`), prefixes added by spreadsheets or R
#' (`"X3B"`, `"factor_3B"`, `"F3B"`), a trailing `A` on the single codes
#' (`"21A"`), the legacy number 22B for abuse linked to faith or belief (now
#' 23A), the DfE published column names (`"Domestic_Abuse_parent"`, any case)
#' and the short labels of [cin_factors]. The legacy codes 18A and 19A are
#' kept as they are, next to 18B/18C and 19B/19C; merge them in
#' [episode_factors()] with [legacy_abuse_merges()] if needed.
#'
#' The DfE column `Privately_fostered` pools 8B-8F; it is read as 8F
#' ("privately fostered - other").
#'
#' @param x A character vector of codes, one code per element.
#' @param legacy Recode 22B to 23A (default `TRUE`). Set to `FALSE` if 22B in
#'   your data means something else.
#' @param on_unknown `"na"` (default) returns `NA` for values that are not a
#'   code; `"error"` raises a classed error listing them.
#' @return A character vector the length of `x` with canonical codes (or `NA`),
#'   with an attribute `"rule"` saying how each value was read (`"as written"`,
#'   `"case or spacing"`, `"leading zero or prefix"`, `"legacy 22B -> 23A"`,
#'   `"DfE column name"`, `"label"`, `"blank"` or `"unknown"`).
#' @family CIN data
#' @export
#' @examples
#' normalise_cin_codes(c("3b", " 03B", "22B", "Domestic_Abuse_parent", "21", "X16A", "9Z"))
normalise_cin_codes <- function(x, legacy = TRUE, on_unknown = c("na", "error")) {
  on_unknown <- rlang::arg_match(on_unknown)
  check_flag(legacy)
  if (is.factor(x)) x <- as.character(x)
  if (!is.character(x) && !(is.logical(x) && all(is.na(x)))) {
    abort_input(c("{.arg x} must be a character vector of factor codes.",
                  x = "You supplied an object of class {.cls {class(x)}}."))
  }
  x <- as.character(x)
  u <- unique(x)
  m <- cin_match_codes(u, legacy = legacy)
  i <- match(x, u)
  out <- m$code[i]
  if (on_unknown == "error" && any(m$rule == "unknown")) {
    bad <- which(m$rule[i] == "unknown")
    abort_input(c("{length(bad)} value{?s} {?is/are} not CIN factor code{?s}.",
                  x = "Unknown: {.val {unique(x[bad])}} (element{?s} {format_rows(bad)}).",
                  i = "Valid codes are listed in {.code cin_factors$code}."),
                class = "cscdemand_error_unknown_code")
  }
  attr(out, "rule") <- m$rule[i]
  out
}

#' Codes the Kingston defaults leave out of clustering
#'
#' The factor codes dropped before clustering in the Kingston study (2020
#' final report, section 2.3.4): factors about another person in the household
#' (1C-6C), private fostering (8B-8F), unaccompanied asylum-seeking child (9A),
#' trafficking (12A), "Other" (20) and "No factors identified" (21).
#'
#' @return A character vector of codes, in [cin_factors] order.
#' @family CIN data
#' @export
#' @examples
#' kingston_exclusions()
kingston_exclusions <- function() {
  cscdemand::cin_factors$code[!cscdemand::cin_factors$kingston_keep]
}

#' Merges of the legacy physical and sexual abuse codes
#'
#' From 2020-21 the census split physical abuse (18A) into child on child
#' (18B) and adult on child (18C), and sexual abuse (19A) into 19B and 19C.
#' Data spanning the change can merge them back, one column each.
#'
#' @return A named list for the `merge` argument of [episode_factors()]:
#'   `physical_abuse = c("18A", "18B", "18C")`,
#'   `sexual_abuse = c("19A", "19B", "19C")`.
#' @family CIN data
#' @export
#' @examples
#' legacy_abuse_merges()
legacy_abuse_merges <- function() {
  list(physical_abuse = c("18A", "18B", "18C"), sexual_abuse = c("19A", "19B", "19C"))
}

# ---------------------------------------------------------------------------
# Helpers

cin_codes_all <- function() cscdemand::cin_factors$code

# One number per (row, code) pair, for finding repeated pairs: codes are
# indices 1..length(cin_codes_all()).
cin_pair_key <- function(row, code, n_codes = length(cin_codes_all())) {
  as.numeric(row) * (n_codes + 1) + code
}

# The codes of each cell (one or several, separated by , ; | / + &).
cin_split_cells <- function(u) {
  u <- as.character(u)  # zero-length or all-NA input stays character
  u[is.na(u)] <- ""
  parts <- strsplit(u, "[,;|/+&\r\n]+")
  lapply(parts, function(p) {
    p <- trimws(p)
    p[p != ""]
  })
}

# Match unique raw strings to canonical codes. Returns list(code, rule).
cin_match_codes <- function(u, legacy = TRUE) {
  cf <- cscdemand::cin_factors
  n <- length(u)
  code <- rep(NA_character_, n)
  rule <- rep("unknown", n)
  s <- trimws(u)
  blank <- is.na(s) | s == ""
  rule[blank] <- "blank"
  # 1. DfE column names (case-insensitive, spaces as underscores).
  key <- gsub("[[:space:]]+", "_", tolower(s))
  dfe <- tolower(cf$dfe_column)
  hit <- !blank & key %in% dfe[!is.na(dfe)]
  if (any(hit)) {
    # Privately_fostered pools 8B-8F: read as 8F.
    last <- !duplicated(dfe, fromLast = TRUE) & !is.na(dfe)
    code[hit] <- cf$code[last][match(key[hit], dfe[last])]
    rule[hit] <- "DfE column name"
  }
  # 2. Codes as written, in any case/spacing, with zeros or prefixes. A space
  # between two digits ("2 1", "1 8B") is ambiguous: never guessed.
  todo <- !blank & is.na(code) & !grepl("[0-9][[:space:]._-]+[0-9]", s)
  if (any(todo)) {
    t <- toupper(gsub("[[:space:]._-]+", "", s[todo]))
    as_written <- s[todo] %in% cf$code
    core <- sub("^(FACTOR|CODE|FAC|F|X|C)(?=[0-9])", "", t, perl = TRUE)
    ok <- grepl("^0*[0-9]{1,2}[A-F]?$", core)
    num <- suppressWarnings(as.integer(sub("[A-F]$", "", core)))
    let <- ifelse(grepl("[A-F]$", core), sub("^[0-9]+", "", core), "")
    single <- !is.na(num) & num %in% c(20L, 21L) & let == "A"
    let[single] <- ""
    cand <- ifelse(ok, paste0(num, let), NA_character_)
    leg <- legacy & !is.na(cand) & cand == "22B"
    cand[leg] <- "23A"
    valid <- !is.na(cand) & cand %in% cf$code
    r <- ifelse(as_written, "as written",
         ifelse(leg, "legacy 22B -> 23A",
         ifelse(t == cand | t == paste0(cand, "A"), "case or spacing", "leading zero or prefix")))
    idx <- which(todo)
    code[idx[valid]] <- cand[valid]
    rule[idx[valid]] <- r[valid]
  }
  # 3. Short labels (case-insensitive).
  todo <- !blank & is.na(code)
  if (any(todo)) {
    lab <- match(tolower(s[todo]), tolower(cf$label))
    idx <- which(todo)[!is.na(lab)]
    code[idx] <- cf$code[lab[!is.na(lab)]]
    rule[idx] <- "label"
  }
  list(code = code, rule = rule)
}

# Split cells holding one or several codes ("1B, 3B,4B") into codes.
# Works on unique values; returns list(codes = list of character, unknown =
# list of character, rules = data frame of raw token -> code, rule).
cin_tokenise <- function(u, legacy = TRUE) {
  parts <- cin_split_cells(u)
  tok <- unique(unlist(parts, use.names = FALSE))
  m <- cin_match_codes(tok, legacy = legacy)
  # Tokens that fail as a whole but hold several space-separated codes.
  bad <- which(m$rule == "unknown" & grepl("[[:space:]]", tok))
  split_map <- list()
  if (length(bad)) {
    for (b in bad) {
      sub_tok <- strsplit(tok[b], "[[:space:]]+")[[1]]
      sm <- cin_match_codes(sub_tok, legacy = legacy)
      if (all(!is.na(sm$code))) split_map[[tok[b]]] <- sm
    }
  }
  codes <- vector("list", length(u))
  unknown <- vector("list", length(u))
  for (i in seq_along(parts)) {
    p <- parts[[i]]
    if (!length(p)) {
      codes[[i]] <- character()
      unknown[[i]] <- character()
      next
    }
    j <- match(p, tok)
    cc <- m$code[j]
    out <- character()
    unk <- character()
    for (k in seq_along(p)) {
      if (!is.na(cc[k])) {
        out <- c(out, cc[k])
      } else if (!is.null(split_map[[p[k]]])) {
        out <- c(out, split_map[[p[k]]]$code)
      } else {
        unk <- c(unk, p[k])
      }
    }
    codes[[i]] <- out
    unknown[[i]] <- unk
  }
  rules <- data.frame(value = tok, code = m$code, rule = m$rule, stringsAsFactors = FALSE)
  for (nm in names(split_map)) {
    rules$code[rules$value == nm] <- paste(split_map[[nm]]$code, collapse = " ")
    rules$rule[rules$value == nm] <- "several codes in one cell"
  }
  list(codes = codes, unknown = unknown, rules = rules)
}

