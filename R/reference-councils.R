# The package's one council resolver: DfE numbers, ONS codes (current,
# former, district) and names to one row of `context_councils`.

#' Find a council by DfE number, ONS code or name
#'
#' Resolves the ways analysts name a council to one row of [context_councils]: the
#' package's one council resolver, used by [council_context()], [compare_published()],
#' [compare_to_national()], [plot_council_rank()] and the `la` column of [link_imd()];
#' call it directly to check a name.
#'
#' @param la The council: a DfE local authority number (the "old LA code", for example
#'   `937` or `"937"`), an ONS code (current or former, for example `"E10000031"`) or a
#'   name. Names are matched ignoring case, punctuation, "City of" and "County"; a name
#'   that matches one council by whole words (`"Hull"`) is accepted with a message; the
#'   name of a lower-tier district resolves to its children's services authority. A
#'   misspelt name is an error of class `cscdemand_error_council` that lists the closest
#'   names.
#' @param verbose `TRUE` (the default) to report, as a message, how a name was matched.
#' @return One row of [context_councils] (a data frame) for the council.
#' @family council context
#' @export
#' @examples
#' find_council(937)$name
#' find_council("E10000031")$name
#' find_council("kingston upon hull")$name
#' # A district resolves to its county
#' find_council("Stratford-on-Avon")$name
#' # A misspelling is a classed error suggesting the closest names
#' try(find_council("Warwickshre"))
find_council <- function(la, verbose = TRUE) {
  context_resolve(la, verbose = verbose, call = rlang::current_env())
}

# The work of find_council(); `call` is the user's function, named in errors.
context_resolve <- function(la, verbose = TRUE, call = rlang::caller_env()) {
  check_flag(verbose, call = call)
  councils <- cscdemand::context_councils
  if (length(la) != 1L || is.na(la) || !(is.character(la) || is.numeric(la)) ||
      !nzchar(trimws(as.character(la)))) {
    abort_input(c("{.arg la} must be one council: a DfE number, an ONS code or a name.",
                  x = "You supplied {.val {format(la)}} (length {length(la)})."),
                class = "cscdemand_error_council", call = call)
  }
  key <- trimws(as.character(la))
  pick <- function(rows, how = NULL) {
    if (!is.null(how) && verbose) cli::cli_inform(how)
    councils[rows[1L], , drop = FALSE]
  }
  # DfE number
  if (grepl("^[0-9]+$", key)) {
    i <- which(councils$la_number == as.integer(key))
    if (length(i)) return(pick(i))
    abort_input(c("{.arg la} = {.val {key}} is not a DfE local authority number.",
                  i = "DfE numbers run from 201 (City of London) to 943; see {.code context_councils$la_number}."),
                class = "cscdemand_error_council", la = key, closest = character(), call = call)
  }
  # ONS code (current or former), or a district's code
  if (grepl("^[EeWwSsNn][0-9]{8}$", key)) {
    key <- toupper(key)
    former <- strsplit(ifelse(is.na(councils$former_codes), "", councils$former_codes), ";")
    i <- which(councils$code == key | vapply(former, function(f) key %in% f, logical(1)))
    if (length(i)) return(pick(i))
    d <- cscdemand::context_districts
    j <- which(d$district_code == key)
    if (length(j)) {
      return(pick(which(councils$la_number == d$la_number[j[1]]),
                  "{.val {key}} is the district {d$district_name[j[1]]}; using its children's services authority, {d$name[j[1]]}."))
    }
    abort_input(c("{.arg la} = {.val {key}} is not the ONS code of an English children's services authority.",
                  i = "See {.code context_councils$code}; district codes (E07...) are accepted too."),
                class = "cscdemand_error_council", la = key, closest = character(), call = call)
  }
  # Names (and the one abbreviation in common use)
  norm <- context_normalise(key)
  if (norm == "bcp") norm <- context_normalise("Bournemouth, Christchurch and Poole")
  cn <- context_normalise(councils$name)
  i <- which(cn == norm)
  if (length(i) > 1L) i <- context_prefer_current(i, councils)
  if (length(i) == 1L) return(pick(i))
  d <- cscdemand::context_districts
  dn <- context_normalise(d$district_name)
  j <- which(dn == norm & d$district_code != d$code)
  if (length(j)) {
    return(pick(which(councils$la_number == d$la_number[j[1]]),
                "{.val {key}} is a district of {d$name[j[1]]}; using {d$name[j[1]]}."))
  }
  # Whole-word match: every word typed is a word of exactly one council's name.
  words <- strsplit(norm, " ", fixed = TRUE)[[1]]
  hit <- which(vapply(strsplit(cn, " ", fixed = TRUE), function(w) all(words %in% w),
                      logical(1)))
  if (length(hit) > 1L) hit <- context_prefer_current(hit, councils)
  if (length(hit) == 1L) {
    return(pick(hit, "Matched {.val {key}} to {.val {councils$name[hit]}}."))
  }
  closest <- if (length(hit) > 1L) councils$name[hit] else context_closest(norm, councils, d)
  abort_input(c("{.arg la} does not name one council.",
                x = if (length(hit) > 1L) "{.val {key}} matches more than one council."
                    else "No council is called {.val {key}}.",
                i = "Closest names: {.val {closest}}.",
                i = "Give the full name, the DfE number or the ONS code (see {.code context_councils})."),
              class = "cscdemand_error_council", la = key, closest = closest, call = call)
}

context_normalise <- function(x) {
  x <- tolower(enc2utf8(x))
  x <- gsub("&", " and ", x, fixed = TRUE)
  x <- gsub("[^a-z0-9 ]", " ", x)
  x <- gsub("\\b(city of|county of|county|council|borough of|the)\\b", " ", x)
  x <- gsub("\\s+", " ", x)
  trimws(x)
}

context_prefer_current <- function(i, councils) {
  cur <- i[councils$current[i]]
  if (length(cur) == 1L) cur else i
}

context_closest <- function(norm, councils, districts, n = 5L) {
  cand <- unique(c(councils$name[councils$current], councils$name))
  d <- utils::adist(norm, context_normalise(cand), partial = FALSE, ignore.case = TRUE)[1, ]
  # A typed prefix ("Warw") is close to the name it begins.
  pre <- startsWith(context_normalise(cand), norm)
  d[pre] <- pmin(d[pre], 1)
  cand[order(d, nchar(cand))][seq_len(min(n, length(cand)))]
}
