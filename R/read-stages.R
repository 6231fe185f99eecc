# The reader in stages. Each stage takes the state `s` (a list) and returns it
# with its own fields added; each adds its own lines to the audit.
#   columns      -> names mapped, layout chosen, s$std, s$code_cols, s$extra
#   identifiers  -> s$ids (trimmed, blank = missing), s$dup (positions)
#   dates        -> s$ref, s$ass (days), s$implausible (positions)
#   rows         -> rows kept and dropped (counted), s$keep, episode and
#                   assessment keys
#   codes        -> s$pair_row, s$pair_code, s$miss_row, s$miss_code, s$rules
#   assessments  -> s$assessments (ids, dates, year)
#   characteristics -> characteristic columns
#   finish       -> the cin_assessments object and the final audit lines
# Row positions (`s$rows`) are file lines, sheet rows or data frame rows.
# Columns from the CSV parser are factors (codes into distinct values), and
# flagged rows are kept as positions: at millions of rows, every vector as
# long as the file costs time and memory.

cin_assessments_from_table <- function(tab, layout, columns, la, on_unknown, legacy,
                                       date_format, verbose, implausible_dates = "keep",
                                       call = rlang::caller_env()) {
  if (is.environment(tab)) {
    # A box holding the table (see read_cin_assessments()): emptied here.
    box <- tab
    tab <- box$tab
    rm("tab", envir = box)
  }
  s <- cin_stage_columns(tab, layout, columns, legacy, call = call)
  rm(tab)  # the raw table is released as the stages go (memory, GC time)
  s <- cin_stage_identifiers(s, la, call = call)
  s <- cin_stage_dates(s, date_format, call = call)
  s <- cin_stage_rows(s, implausible_dates, call = call)
  s <- cin_stage_codes(s, on_unknown, legacy, call = call)
  s <- cin_stage_assessments(s, call = call)
  s <- cin_stage_characteristics(s, call = call)
  out <- cin_stage_finish(s)
  if (verbose) {
    n_as <- nrow(out$assessments)
    n_ep <- length(unique(out$assessments$.episode))
    cli::cli_inform("Read {n_as} assessment{?s} in {n_ep} episode{?s} ({out$layout} layout).")
  }
  out
}

# ---------------------------------------------------------------------------
# Columns

cin_stage_columns <- function(tab, layout, columns, legacy, call = rlang::caller_env()) {
  df <- tab$data
  audit <- cin_audit_new()
  audit <- cin_audit_add(audit, "read", "rows read", nrow(df),
                         paste0("from ", tab$source,
                                if (tab$skipped > 0) paste0(" (", tab$skipped,
                                                            " rows above the header skipped)")))
  # Text that is not valid UTF-8 (files saved by Excel as "CSV" on Windows)
  # is read as Windows-1252, and counted.
  enc <- cin_fix_encoding(df)
  df <- enc$data
  if (enc$n > 0L) {
    audit <- cin_audit_add(audit, "read", "cells re-encoded from Windows-1252", enc$n,
                           "not valid UTF-8; save the extract as CSV UTF-8 to avoid this")
  }
  nms <- names(df)
  unnamed <- grepl("^\\.{2,3}[0-9]+$", nms) | is.na(nms) | nms == ""
  nms[unnamed] <- paste0("..", which(unnamed))
  names(df) <- nms
  if (anyDuplicated(nms)) {
    dup <- unique(nms[duplicated(nms)])
    abort_input(c("Column name{?s} {.field {dup}} appear{?s/} more than once.",
                  i = "Rename or remove the repeated columns."),
                class = "cscdemand_error_columns", call = call)
  }
  std <- cin_match_columns(nms[!unnamed], columns, call = call)
  col_codes <- cin_match_codes(nms, legacy = legacy)
  is_code_col <- !unnamed & !is.na(col_codes$code) & !nms %in% std &
    !cin_key(nms) %in% c("la", "year")
  extra <- cin_continuation_columns(nms, unnamed, std)
  layout <- cin_choose_layout(layout, df, std, is_code_col, extra, nms[!unnamed], call = call)
  df <- cin_factors_to_text(df, layout, std)
  s <- list(df = df, rows = tab$rows, unit = tab$unit, source = tab$source, audit = audit,
            layout = layout, std = std, extra = extra, n_rows = nrow(df),
            code_cols = data.frame(column = nms[is_code_col], code = col_codes$code[is_code_col],
                                   rule = col_codes$rule[is_code_col], stringsAsFactors = FALSE),
            unused = setdiff(nms, c(unname(std), nms[is_code_col], extra)))
  if (isTRUE(tab$multiline)) cin_check_multiline(s, legacy = legacy, call = call)
  s
}

# Columns from the C++ parser are factors (codes into distinct values). The
# long layout's identifier, date and factor columns stay so (the stages use
# the codes); every other column becomes text, as the other routes give it.
cin_factors_to_text <- function(df, layout, std) {
  keep <- c("la", "child_id", "episode_id", "assessment_id", "referral_date",
            "assessment_date", "factor")
  coded <- if (layout == "long") unname(std[intersect(names(std), keep)]) else character()
  for (cl in names(df)) {
    if (is.factor(df[[cl]]) && !cl %in% coded) df[[cl]] <- as.character(df[[cl]])
  }
  df
}

# Header-less cells directly to the right of the factor column hold more
# codes of the same row (3B | 4B | 16A): they are read as part of the cell.
cin_continuation_columns <- function(nms, unnamed, std) {
  if (!"factor" %in% names(std)) return(character())
  j <- match(std[["factor"]], nms) + 1L
  out <- character()
  while (j <= length(nms) && unnamed[j]) {
    out <- c(out, nms[j])
    j <- j + 1L
  }
  out
}

cin_choose_layout <- function(layout, df, std, is_code_col, extra, nms,
                              call = rlang::caller_env()) {
  if (layout == "auto") {
    if (sum(is_code_col) >= 3L) {
      layout <- "wide"
    } else if ("factor" %in% names(std)) {
      fv <- df[[std[["factor"]]]]
      several <- any(grepl("[[:alnum:]][[:space:]]*[,;|/+&\r\n][[:space:]]*[[:alnum:]]",
                           utils::head(fv[!is.na(fv)], 10000L)))
      filled <- length(extra) &&
        any(vapply(df[extra], function(v) any(!is.na(v) & trimws(v) != ""), logical(1)))
      layout <- if (several || filled) "codes" else "long"
    } else {
      abort_input(c("Cannot tell the layout: no factor column and fewer than three factor-code columns.",
                    x = "Columns found: {.field {nms}}.",
                    i = "Name the factor column {.field factor} (long or codes layout), or name one column per code such as {.field 1B}, {.field 3B} (wide layout).",
                    i = "Or map your names with {.arg columns}, e.g. {.code columns = c(factor = \"Code\")}."),
                  class = "cscdemand_error_columns", call = call)
    }
  }
  if (layout %in% c("long", "codes") && !"factor" %in% names(std)) {
    abort_input(c("The {layout} layout needs a factor column.",
                  x = "None of the columns {.field {nms}} is a factor column.",
                  i = "Name it {.field factor}, or map it with {.code columns = c(factor = \"YourName\")}."),
                class = "cscdemand_error_columns", call = call)
  }
  if (layout == "wide" && !any(is_code_col)) {
    abort_input(c("The wide layout needs one column per factor code.",
                  x = "No column is named by a factor code.",
                  i = "Name the columns by code ({.field 1B}, {.field 3B}) or DfE name ({.field Domestic_Abuse_parent})."),
                class = "cscdemand_error_columns", call = call)
  }
  layout
}

# A quoted value over several lines (RFC 4180; Excel writes one for a cell
# with Alt+Enter) is read. In the factor column (and the unnamed cells
# beside it) a line break separates codes, so a cell whose every line holds
# codes is read. Anywhere else in a column that is read (an identifier, a
# date, a characteristic), and in a codes cell holding text that is not
# codes, it means a quote was opened by mistake and closed lines later,
# swallowing rows: name the line, never the text. Line breaks at the start
# or end of a value are white space, trimmed as ever.
cin_check_multiline <- function(s, legacy = TRUE, call = rlang::caller_env()) {
  codes <- c(if ("factor" %in% names(s$std)) s$std[["factor"]], s$extra)
  used <- intersect(c(unname(s$std), s$code_cols$column, s$extra), names(s$df))
  for (cl in used) {
    v <- s$df[[cl]]
    bad <- which(grepl("[^[:space:]][[:space:]]*[\r\n][[:space:]]*[^[:space:]]", v))
    if (length(bad) && cl %in% codes) {
      u <- unique(v[bad])
      tk <- cin_tokenise(u, legacy = legacy)
      swallowed <- u[lengths(tk$unknown) > 0L]
      bad <- bad[v[bad] %in% swallowed]
    }
    if (length(bad)) {
      what <- if (cl %in% codes) ", holding text that is not factor codes" else ""
      abort_input(c("Column {.field {cl}} has a value over several lines, at line {s$rows[bad[1]]}{what}.",
                    i = "A double quote opens that value and another one, lines later, closes it: correct the quotes on that line.",
                    i = "Codes on several lines of one cell (Alt+Enter in Excel) are read, one or more per line."),
                  class = c("cscdemand_error_csv", "cscdemand_error_file"), call = call)
    }
  }
  invisible(s)
}

# ---------------------------------------------------------------------------
# Identifiers: one rule for every route (trimmed; blank, all-space or "NA"
# is missing). Exact duplicate rows are found here, before the identifier
# columns are released.

cin_stage_identifiers <- function(s, la, call = rlang::caller_env()) {
  std <- s$std
  has <- function(x) x %in% names(std)
  if (!has("episode_id") && !(has("child_id") && has("referral_date"))) {
    nms <- setdiff(names(s$df), grep("^\\.\\.", names(s$df), value = TRUE))
    abort_input(c("Cannot identify episodes.",
                  x = "Need an {.field episode_id} column, or both {.field child_id} and {.field referral_date}.",
                  i = "Columns found: {.field {nms}}.",
                  i = "Map your names with {.arg columns}, e.g. {.code columns = c(child_id = \"LAchildID\", referral_date = \"CINreferralDate\")}."),
                class = "cscdemand_error_columns", call = call)
  }
  ids <- lapply(c(la = "la", child_id = "child_id", episode_id = "episode_id",
                  assessment_id = "assessment_id"),
                function(x) if (has(x)) cin_id(s$df[[std[[x]]]]) else NULL)
  # Rows with no value at all (a blank sheet row, a line of commas).
  cand <- cpp_na_rows(unname(ids[!vapply(ids, is.null, logical(1))]), all = TRUE)
  s$blank <- if (length(cand)) {
    cand[rowSums(!is.na(s$df[cand, , drop = FALSE]) &
                   trimws(as.matrix(s$df[cand, , drop = FALSE])) != "") == 0]
  } else integer()
  if (is.null(ids$la)) ids$la <- rep(la, s$n_rows)
  # Exact duplicate rows (codes and wide layouts; in the long layout a
  # duplicate row is a duplicate factor, counted with the codes).
  s$dup <- if (s$layout != "long") which(duplicated(s$df)) else integer()
  for (x in c("la", "child_id", "episode_id", "assessment_id")) {
    if (has(x)) s$df[[std[[x]]]] <- NULL
  }
  s$ids <- ids
  s
}

# ---------------------------------------------------------------------------
# Dates: local dates as written (a time and an offset are ignored); dates
# before 1990, in the future, or a referral after its assessment are flagged.

cin_stage_dates <- function(s, date_format, call = rlang::caller_env()) {
  std <- s$std
  get <- function(x) {
    if (x %in% names(std)) {
      cin_parse_dates(s$df[[std[[x]]]], std[[x]], s$rows, date_format, call = call)
    }
  }
  s$ref <- get("referral_date")
  s$ass <- get("assessment_date")
  # The text of the dates is not used again: release it.
  for (x in intersect(c("referral_date", "assessment_date"), names(std))) s$df[[std[[x]]]] <- NULL
  # Rows flagged, as positions (one pass in C++; NA is never flagged).
  fl <- cpp_date_flags(s$ref, s$ass, as.numeric(as.Date("1990-01-01")), as.numeric(cin_today()))
  s$implausible <- list("date before 1990 or in the future" = fl$range,
                        "referral after its assessment" = fl$order)
  s
}

# ---------------------------------------------------------------------------
# Rows kept and dropped: rows read = rows kept + rows dropped, each drop
# counted with its reason.

cin_stage_rows <- function(s, implausible_dates, call = rlang::caller_env()) {
  ids <- s$ids
  # Rows as positions (sorted): no logical vector as long as the file.
  need <- if (!is.null(ids$episode_id)) list(ids$la, ids$episode_id) else
    list(ids$la, ids$child_id, s$ref)
  if (!is.null(ids$assessment_id)) need <- c(need, list(ids$assessment_id))
  miss <- cpp_na_rows(need, all = FALSE)
  dup <- setdiff(s$dup, miss)
  drop <- sort(c(miss, dup))
  s$audit <- cin_audit_rows_line(s$audit, "rows dropped: blank row", s$blank, s$rows)
  s$audit <- cin_audit_rows_line(s$audit, "rows dropped: missing identifier",
                                 setdiff(miss, s$blank), s$rows)
  s$audit <- cin_audit_rows_line(s$audit, "rows dropped: exact duplicate", dup, s$rows)
  # "checked": the census route applied the policy by place in the return
  checks <- if (implausible_dates == "checked") list() else s$implausible
  for (why in names(checks)) {
    bad <- setdiff(checks[[why]], drop)
    if (!length(bad)) next
    if (implausible_dates == "stop") {
      cin_date_stop_rows(why, bad, s$rows, unit = s$unit %||% "Row", call = call)
    }
    if (implausible_dates == "drop") {
      s$audit <- cin_audit_rows_line(s$audit, paste0("rows dropped: ", why), bad, s$rows)
      drop <- sort(c(drop, bad))
    } else {
      s$audit <- cin_audit_rows_line(s$audit, paste0("rows with a ", why, " (kept)"), bad,
                                     s$rows, "; drop them with implausible_dates = \"drop\"")
    }
  }
  keep <- if (length(drop)) seq_len(s$n_rows)[-drop] else seq_len(s$n_rows)
  attr(s$audit, "rows") <- c(read = s$n_rows, kept = length(keep), dropped = length(drop))
  if (!length(keep)) {
    need <- if (is.null(ids$episode_id)) c("child_id", "referral_date") else "episode_id"
    abort_input(c("No rows left after dropping rows with missing identifiers, duplicates or implausible dates.",
                  x = "Every row lacks {.field {need}} or {.field la}, or was dropped.",
                  i = "Check the identifier columns are filled in, and see {.code audit()}."),
                class = "cscdemand_error_empty", call = call)
  }
  s$at_keep <- cin_keeper(keep, length(keep) == s$n_rows)
  s$keep <- keep
  s$rows_k <- s$at_keep(s$rows)
  s$ids <- lapply(ids, s$at_keep)
  s$ref_k <- s$at_keep(s$ref)
  s$ass_k <- s$at_keep(s$ass)
  s[c("ref", "ass", "dup", "implausible", "blank")] <- NULL
  cin_stage_keys(s)
}

# A function taking the kept rows of a vector. Made here, not inside the
# rows stage, so that it holds only `keep` (a closure over the stage would
# hold all its per-row vectors as long as it lives).
cin_keeper <- function(keep, all_kept) {
  force(keep)
  force(all_kept)
  function(v) if (is.null(v) || all_kept) v else v[keep]
}

# Episode and assessment keys of the kept rows.
cin_stage_keys <- function(s) {
  ids <- s$ids
  ep_parts <- list(ids$la)
  if (!is.null(ids$episode_id)) {
    if (!is.null(ids$child_id)) ep_parts <- c(ep_parts, list(ids$child_id))
    ep_parts <- c(ep_parts, list(ids$episode_id))
  } else {
    ep_parts <- c(ep_parts, list(ids$child_id, as.numeric(s$ref_k)))
  }
  ep_id <- cin_group(ep_parts)
  as_id <- if (!is.null(ids$assessment_id)) {
    cin_group(list(ep_id, ids$assessment_id))
  } else if (!is.null(s$ass_k)) {
    ad <- as.numeric(s$ass_k)
    ad[is.na(ad)] <- -1
    cin_group(list(ep_id, ad))
  } else if (s$layout == "long") {
    ep_id
  } else {
    seq_along(ep_id)  # codes/wide: one row per assessment
  }
  # First rows of each id. Ids in sorted order (the usual case: run ids of a
  # sorted extract): a first occurrence is a change from the row before,
  # found in one pass in C++ without hashing.
  first_rows <- function(g) {
    if (is.unsorted(g)) return(which(!duplicated(g)))
    cpp_run_starts(as.integer(g))
  }
  s$fi <- first_rows(as_id)
  # Identifiers at the first row of each assessment; the full vectors go.
  s$ids <- lapply(ids, function(v) {
    v <- v[s$fi]
    if (is.factor(v)) cpp_lazy_factor_text(v) %||% as.character(v) else v
  })
  in_order <- function(g, n_distinct) {
    g[1L] == 1L && g[length(g)] == n_distinct && !is.unsorted(g)
  }
  n_as <- length(s$fi)
  n_ep <- length(first_rows(ep_id[s$fi]))
  # Assessments and episodes numbered 1..n in first-seen order.
  s$as_num <- if (in_order(as_id, n_as)) as_id else match(as_id, as_id[s$fi])
  s$ep_num <- if (in_order(ep_id, n_ep)) ep_id else match(ep_id, unique(ep_id))
  s
}

# An audit line for the rows at positions `at` (sorted).
cin_audit_rows_line <- function(audit, step, at, rows, suffix = "") {
  if (!length(at)) return(audit)
  cin_audit_add(audit, "read", step, length(at),
                paste0("rows ", format_rows(rows[at], 10L), suffix))
}
