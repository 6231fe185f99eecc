# The extract side of every comparison with DfE's published table C3: which
# columns of an episode table are which factor codes, the episode flags, and
# the counts in C3's terms. Used by compare_to_national() (context-national.R) and
# compare_published() (context-compare.R).

# The extract, summarised the way table C3 counts: council and year of each episode
# and a 0/1 matrix of C3 measures (8B-8F pooled). One reader of episodes for
# compare_to_national() and compare_published().
c3_extract <- function(episodes, factors = NULL, call = rlang::caller_env()) {
  to_measure <- function(code) ifelse(code %in% c("8B", "8C", "8D", "8E", "8F"), "8B-8F", code)
  if (inherits(episodes, "cin_assessments")) {
    a <- episodes$assessments
    f <- episodes$factors
    ep <- unique(a$.episode)
    first <- match(ep, a$.episode)
    pairs <- unique(data.frame(e = match(a$.episode[f$assessment], ep),
                               code = to_measure(as.character(f$code)),
                               stringsAsFactors = FALSE))
    codes <- sort(unique(pairs$code))
    flags <- matrix(0L, length(ep), length(codes), dimnames = list(NULL, codes))
    flags[cbind(pairs$e, match(pairs$code, codes))] <- 1L
    return(list(la = a$la[first], year = if ("year" %in% names(a)) a$year[first],
                flags = flags))
  }
  check_data_frame(episodes, what = "a data frame of episodes (from read_cin_assessments() or episode_factors())",
                   call = call)
  if (inherits(episodes, "cin_episodes")) {
    cols <- intersect(factor_columns(episodes), cin_codes_all())
    if (!length(cols)) {
      abort_input(c("{.arg episodes} has no factor columns named by code.",
                    i = "Build it with {.code episode_factors(x, exclude = NULL, min_count = 0)}, or pass the {.fn read_cin_assessments} result."),
                  call = call)
    }
    factors <- stats::setNames(cols, cols)
    factors <- factors[to_measure(cols) %in% cscdemand::context_dictionary$measure]
  }
  if (!"la" %in% names(episodes)) {
    abort_input(c("{.arg episodes} has no council column {.field la}.",
                  i = "Add one, or use {.fn compare_published} with {.arg la}."), call = call)
  }
  map <- context_factor_map(episodes, factors, call = call)
  list(la = as.character(episodes$la), year = episodes$year,
       flags = context_factor_flags(episodes, map, call = call))
}

# Named character vector: column -> published measure (CIN code; 8B-8F pooled). Column
# names and codes are read by the package's one mapper, cin_match_codes() (reference-codes.R):
# codes in any case or with a prefix (`3A`, `f_3A`, `factor_3A`, `X3A`), DfE column names
# (`Domestic_Abuse_child`) and labels.
context_factor_map <- function(episodes, factors, call = rlang::caller_env()) {
  dict <- cscdemand::context_dictionary
  published <- dict$measure[!is.na(dict$factor_code)]
  to_measure <- function(code) ifelse(code %in% c("8B", "8C", "8D", "8E", "8F"), "8B-8F", code)
  if (is.null(factors)) {
    nm <- names(episodes)
    code <- to_measure(cin_match_codes(nm)$code)
    hit <- !is.na(code) & code %in% published
    if (!any(hit)) {
      abort_input(c("{.arg episodes} has no factor columns named by CIN code.",
                      i = "Name them {.field 3A}, {.field f_3A}, ..., or map them with {.arg factors}, e.g. {.code factors = c(dv_child = \"3A\")}."),
                    class = "cscdemand_error_column", call = call)
    }
    return(stats::setNames(code[hit], nm[hit]))
  }
  if (!is.character(factors) || is.null(names(factors)) || anyNA(factors) ||
      any(names(factors) == "")) {
    abort_input(c("{.arg factors} must be a named character vector: column name = CIN code.",
                    i = "For example {.code factors = c(dv_child = \"3A\", neglect = \"16A\")}."),
                  class = "cscdemand_error_input", call = call)
  }
  miss <- setdiff(names(factors), names(episodes))
  if (length(miss)) {
    abort_input(c("{.arg factors} names column{?s} not in {.arg episodes}: {.field {miss}}.",
                    i = "Columns of {.arg episodes}: {.field {names(episodes)}}."),
                  class = "cscdemand_error_column", call = call)
  }
  code <- to_measure(cin_match_codes(factors)$code)
  bad <- unname(factors[is.na(code) | !code %in% published])
  if (length(bad)) {
    abort_input(c("{.arg factors} maps to code{?s} DfE does not publish: {.val {bad}}.",
                    i = "Published codes: {.val {published}} (21, no factors, is not published)."),
                  class = "cscdemand_error_input", call = call)
  }
  stats::setNames(code, names(factors))
}

# Matrix of 0/1, one column per published measure (8B-8F pooled by "any").
context_factor_flags <- function(episodes, map, call = rlang::caller_env()) {
  cols <- lapply(names(map), function(col) {
    v <- episodes[[col]]
    if (is.logical(v)) v <- as.integer(v)
    if (is.factor(v)) v <- suppressWarnings(as.integer(as.character(v)))
    ok <- is.numeric(v) && all(is.na(v) | v %in% c(0, 1))
    if (!ok) {
      bad <- utils::head(unique(episodes[[col]][!(episodes[[col]] %in% c(0, 1, TRUE, FALSE, NA))]), 5)
      abort_input(c("Factor column {.field {col}} must hold 0/1 (or TRUE/FALSE, or NA).",
                      x = "Found {.val {format(bad)}}."),
                    class = "cscdemand_error_column", call = call)
    }
    v[is.na(v)] <- 0L
    as.integer(v)
  })
  m <- do.call(cbind, cols)
  colnames(m) <- unname(map)
  measures <- unique(unname(map))
  out <- vapply(measures, function(ms) {
    as.integer(rowSums(m[, colnames(m) == ms, drop = FALSE]) > 0)
  }, integer(nrow(episodes)))
  if (is.null(dim(out))) out <- matrix(out, nrow = nrow(episodes), dimnames = list(NULL, measures))
  out
}
