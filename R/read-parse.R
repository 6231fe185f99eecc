# Parsers for the reader's columns (each works on unique values, as the
# vectors can have millions of rows), identifiers, grouping and names.

cin_parse_dates <- function(v, col, rows, format = NULL, call = rlang::caller_env()) {
  if (inherits(v, "Date")) return(as.numeric(unclass(v)))
  if (is.numeric(v)) {
    # Excel day numbers read as numbers.
    bad <- which(!is.na(v) & (v <= 20000 | v >= 80000))
    if (length(bad)) {
      abort_input(c("Column {.field {col}} has {length(bad)} number{?s} that {?is/are} not a date.",
                    x = "{cli::qty(length(bad))}Row{?s} {format_rows(rows[bad])}: {.val {utils::head(unique(v[bad]), 5)}}.",
                    i = "Write dates as YYYY-MM-DD or DD/MM/YYYY."),
                  class = "cscdemand_error_date", call = call)
    }
    return(floor(as.numeric(v)) - 25569)  # days since 1899-12-30 -> since 1970-01-01
  }
  if (is.factor(v)) {
    # Column from the C++ parser: parse each distinct value once. If one
    # cannot be read, the text route below gives the error (with its rows).
    d <- tryCatch(cin_parse_dates(levels(v), col, seq_len(nlevels(v)), format, call = call),
                  cscdemand_error_date = function(e) NULL)
    if (is.null(d)) return(cin_parse_dates(as.character(v), col, rows, format, call = call))
    # Whole days, so stored as integers (half the memory of doubles).
    return(as.integer(d)[as.integer(v)])
  }
  u <- unique(v)
  u <- u[!is.na(u) & !trimws(u) %in% c("", "NA")]
  out_u <- rep(as.Date(NA), length(u))
  # A time of day, and an offset or zone after it, are dropped: the date is
  # the local date as written (2024-04-01T00:30:00+01:00 is 1 April).
  s <- trimws(sub(paste0("[T ][0-9]{1,2}:[0-9]{2}(:[0-9]{2})?([.,][0-9]+)?",
                         "[[:space:]]*(Z|UTC|GMT|BST|[+-][0-9]{2}(:?[0-9]{2})?)?$"), "",
                  trimws(u)))
  if (!is.null(format)) {
    out_u <- as.Date(s, format = format)
  } else {
    fmts <- c("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%Y/%m/%d", "%d.%m.%Y")
    pats <- c("^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}$", "^[0-9]{1,2}/[0-9]{1,2}/[0-9]{4}$",
              "^[0-9]{1,2}-[0-9]{1,2}-[0-9]{4}$", "^[0-9]{4}/[0-9]{1,2}/[0-9]{1,2}$",
              "^[0-9]{1,2}\\.[0-9]{1,2}\\.[0-9]{4}$")
    for (k in seq_along(fmts)) {
      hit <- is.na(out_u) & grepl(pats[k], s)
      if (any(hit)) out_u[hit] <- as.Date(s[hit], format = fmts[k])
    }
    serial <- is.na(out_u) & grepl("^[0-9]{5}(\\.[0-9]+)?$", s)
    if (any(serial)) {
      n <- floor(as.numeric(s[serial]))
      ok <- n > 20000 & n < 80000
      d <- as.Date(n, origin = "1899-12-30")
      d[!ok] <- NA
      out_u[serial] <- d
    }
  }
  bad_u <- u[is.na(out_u)]
  if (length(bad_u)) {
    bad <- which(v %in% bad_u)
    abort_input(c("Column {.field {col}} has {length(bad)} date{?s} that cannot be read.",
                  x = "{cli::qty(length(bad))}Row{?s} {format_rows(rows[bad])}: {.val {utils::head(unique(v[bad]), 5)}}.",
                  i = "Write dates as YYYY-MM-DD or DD/MM/YYYY, or give {.arg date_format} (e.g. {.code \"%d %b %Y\"})."),
                class = "cscdemand_error_date", call = call)
  }
  as.numeric(unclass(out_u))[match(v, u)]
}

as_date <- function(x) structure(as.numeric(x), class = "Date")

# Flags: 1/0, Y/N, yes/no, TRUE/FALSE; blank is 0; a missing value (NA) is
# `na` (0 for outcomes, NA for the factor columns of a wide file).
cin_parse_flags <- function(v, col, rows, na = 0L, call = rlang::caller_env()) {
  u <- unique(v)
  k <- tolower(trimws(u))
  val <- rep(-1L, length(u))
  val[k %in% c("1", "1.0", "y", "yes", "true", "t", "x")] <- 1L
  val[!is.na(k) & k %in% c("0", "0.0", "n", "no", "false", "f", "")] <- 0L
  val[is.na(k) | k == "na"] <- na
  bad_u <- u[!is.na(val) & val == -1L]
  if (length(bad_u)) {
    bad <- which(v %in% bad_u)
    abort_input(c("Column {.field {col}} must hold 0/1 flags.",
                  x = "{cli::qty(length(bad))}Row{?s} {format_rows(rows[bad])}: {.val {utils::head(unique(v[bad]), 5)}}.",
                  i = "Use 1 (or Y, yes, TRUE) for yes and 0 (or N, no, FALSE, blank) for no."),
                class = "cscdemand_error_flag", call = call)
  }
  val[match(v, u)]
}

cin_parse_int <- function(v, col, rows, min = 0, max = Inf, call = rlang::caller_env()) {
  u <- unique(v)
  su <- trimws(u)
  su[!is.na(su) & su == ""] <- NA
  nu <- suppressWarnings(as.numeric(su))
  bad_u <- (!is.na(su) & is.na(nu)) | (!is.na(nu) & (nu != round(nu) | nu < min | nu > max))
  iu <- match(v, u)
  if (any(bad_u)) {
    bad <- which(bad_u[iu])
    abort_input(c("Column {.field {col}} must hold whole numbers between {min} and {max}.",
                  x = "{cli::qty(length(bad))}Row{?s} {format_rows(rows[bad])}: {.val {utils::head(unique(v[bad]), 5)}}.",
                  i = "Correct those cells or leave them blank."),
                class = "cscdemand_error_number", call = call)
  }
  as.integer(nu)[iu]
}

# Census year (ending year) of a date: April to March.
census_year <- function(d) {
  u <- unique(d)
  lt <- as.POSIXlt(u)
  as.integer(lt$year + 1900L + (lt$mon >= 3L))[match(d, u)]
}

# Identifiers, one rule for every route (CSV, Excel, data frame): surrounding
# white space (spaces, tabs, no-break spaces, line breaks) is removed, and a
# value that is blank, all white space or "NA" is missing. The cheap checks
# come first, as the vectors can have millions of rows.
cin_id <- function(v, trim = TRUE) {
  if (is.null(v)) return(NULL)
  if (is.factor(v)) {
    # Column from the C++ parser: the rule applies to its distinct values.
    lv <- cin_id(levels(v), trim = trim)
    return(if (identical(lv, levels(v))) v else cin_relevel(v, lv))
  }
  if (!is.character(v)) v <- as.character(v)
  if (!identical(Encoding(v[1]), "unknown") || !all(validUTF8(v[1]))) v <- enc2utf8(v)
  # One pass in C++: the positions of the values to trim and of the missing
  # ones (no vector as long as the column: at millions of rows every such
  # vector costs a garbage collection over all the identifiers).
  st <- cpp_id_positions(v)
  pad <- st$pad
  if (trim && length(pad)) {
    v[pad] <- gsub("^[[:space:]\u00a0]+|[[:space:]\u00a0]+$", "", v[pad], perl = TRUE)
  }
  miss <- st$miss
  if (length(miss)) v[miss] <- NA
  v
}

# A factor with its levels replaced by `lv` (same length; NA makes the values
# missing, and equal new levels are merged).
cin_relevel <- function(f, lv) {
  u <- unique(lv[!is.na(lv)])
  structure(match(lv, u)[as.integer(f)], levels = u, class = "factor")
}

# Distinct values in first-seen order (`u`, NA included) and each value's
# position in them (`iu`): unique() and match() for text, the codes for a
# factor (no hashing of text).
cin_unique_index <- function(v) {
  if (!is.factor(v)) {
    u <- unique(v)
    return(list(u = u, iu = match(v, u)))
  }
  r <- cpp_first_seen_index(v, nlevels(v))  # NA counted as code nlevels + 1
  list(u = c(levels(v), NA_character_)[r$seen], iu = r$iu)
}

# One integer id per distinct combination of the vectors in `parts`. Uses
# data.table's radix grouping when available (fast on millions of strings),
# else base R hashing.
cin_group <- function(parts) {
  n <- length(parts[[1]])
  # Extracts are usually sorted, so each key is one run of rows: find the
  # runs in one pass, and use them if the last part differs between runs
  # (then no key can come back in a later run).
  if (n > 1L) {
    r <- cpp_run_ids(parts)
    last <- parts[[length(parts)]]
    distinct <- if (typeof(last) == "integer") cpp_distinct_at(last, r$starts) else NA  # codes: no subset
    if (is.na(distinct)) distinct <- !anyDuplicated(last[r$starts])
    if (distinct) return(r$id)
  }
  if (requireNamespace("data.table", quietly = TRUE)) {
    return(as.integer(data.table::frankv(parts, ties.method = "dense")))
  }
  do.call(group_id, parts)
}

# Combine several vectors into one integer group id (first-seen order).
group_id <- function(...) {
  vs <- list(...)
  g <- NULL
  for (v in vs) {
    h <- match(v, unique(v))
    if (is.null(g)) {
      g <- h
    } else {
      key <- as.numeric(g) * (max(h) + 1) + h
      g <- match(key, unique(key))
    }
  }
  g
}

cin_fix_encoding <- function(df) {
  n <- 0L
  fix <- function(v, w = NULL) {
    # Only values with a byte above 127 can be invalid (found in C++).
    cand <- cpp_non_ascii(v)
    if (!length(cand)) return(v)
    bad <- logical(length(v))
    bad[cand] <- !validUTF8(v[cand])
    if (any(bad)) {
      # w: the rows holding each value (the levels of a factor).
      n <<- n + if (is.null(w)) sum(bad) else sum(w[bad])
      v[bad] <- iconv(v[bad], from = "CP1252", to = "UTF-8", sub = "?")
      still <- !is.na(v) & !validUTF8(v)
      v[still] <- iconv(v[still], from = "latin1", to = "UTF-8", sub = "?")
    }
    v
  }
  fix_col <- function(v) {
    if (!is.factor(v)) return(fix(v))
    lv <- fix(levels(v), w = tabulate(v, nlevels(v)))
    if (identical(lv, levels(v))) v else cin_relevel(v, lv)
  }
  names(df) <- fix(names(df))
  for (i in seq_along(df)) if (is.character(df[[i]]) || is.factor(df[[i]])) df[[i]] <- fix_col(df[[i]])
  list(data = df, n = n)
}

cin_match_columns <- function(nms, columns, call = rlang::caller_env()) {
  al <- cin_column_aliases()
  keys <- cin_key(nms)
  std <- character()
  if (!is.null(columns)) {
    bad_std <- setdiff(names(columns), names(al))
    if (length(bad_std)) {
      abort_input(c("{.arg columns} names {.val {bad_std}} {?is/are} not standard column names.",
                    i = "Standard names: {.val {names(al)}}."),
                  class = "cscdemand_error_columns", call = call)
    }
    miss <- setdiff(columns, nms)
    if (length(miss)) {
      abort_input(c("Column{?s} {.field {miss}} given in {.arg columns} {?is/are} not in the data.",
                    i = "Columns found: {.field {nms}}."),
                  class = "cscdemand_error_columns", call = call)
    }
    std <- columns
  }
  for (s in setdiff(names(al), names(std))) {
    hit <- which(keys %in% c(cin_key(s), al[[s]]) & !nms %in% std)
    if (length(hit) > 1L) {
      # Prefer an exact standard name, else the first alias in order.
      pref <- hit[keys[hit] == cin_key(s)]
      if (!length(pref)) pref <- hit[order(match(keys[hit], al[[s]]))][1]
      hit <- pref[1]
    }
    if (length(hit)) std[[s]] <- nms[hit]
  }
  std
}

# Today, for the checks of dates in the future: one place, and an internal
# option (`cscdemand.today`) so tests can read returns of a year not over yet.
cin_today <- function() as.Date(getOption("cscdemand.today", Sys.Date()))

# Dates as numbers with missing last (for ordering).
cin_num <- function(d) ifelse(is.na(d), Inf, as.numeric(d))
