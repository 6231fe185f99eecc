# The codes stage of the reader: factor codes of the kept rows, as pairs
# (row within the kept rows, code index in cin_factors), the missing flags of
# a wide file as pairs too, and the recoding rules with their row counts.

cin_stage_codes <- function(s, on_unknown, legacy, call = rlang::caller_env()) {
  if (s$layout %in% c("long", "codes")) {
    fv <- s$at_keep(cin_factor_cells(s))
    r <- cin_codes_from_cells(fv, s$rows_k, s$std[["factor"]], on_unknown, legacy, call = call)
    s$audit <- cin_audit_bind(s$audit, r$audit)
    if (length(s$extra)) {
      n_extra <- sum(rowSums(!is.na(as.matrix(s$df[s$extra])) & s$df[s$extra] != "") > 0)
      if (n_extra) {
        s$audit <- cin_audit_add(s$audit, "codes", "rows with codes in unnamed cells next to the factor column",
                                 n_extra, "read as codes of the same row")
      }
    }
    s$df[c(s$std[["factor"]], s$extra)] <- NULL
  } else {
    r <- cin_codes_from_flags(s, call = call)
    s$audit <- cin_audit_bind(s$audit, r$audit)
    if ("factor" %in% names(s$std)) {
      fv <- s$at_keep(cin_factor_cells(s))
      if (any(!is.na(fv) & trimws(fv) != "")) {
        f <- cin_codes_from_cells(fv, s$rows_k, s$std[["factor"]], on_unknown, legacy, call = call)
        s$audit <- cin_audit_bind(s$audit, f$audit[f$audit$step != "rows with no factor code (blank)", ])
        s$audit <- cin_audit_add(s$audit, "codes", "codes read from the factor column of a wide file",
                                 length(f$pair_row), paste0("column ", s$std[["factor"]],
                                                            "; combined with the code columns"))
        r$pair_row <- c(r$pair_row, f$pair_row)
        r$pair_code <- c(r$pair_code, f$pair_code %||% cin_codes_all()[f$pair_idx])
        r$pair_idx <- NULL
        r$rules <- rbind(r$rules, f$rules)
      }
      s$df[[s$std[["factor"]]]] <- NULL
    }
  }
  rules <- r$rules[r$rules$rule != "blank", , drop = FALSE]
  s$audit <- cin_audit_recodes(s$audit, rules)
  # Duplicate codes within an assessment.
  pc <- r$pair_idx %||% match(r$pair_code, cin_codes_all())
  dup <- cin_repeated_codes(s$as_num[r$pair_row], pc)
  if (length(dup)) {
    s$audit <- cin_audit_add(s$audit, "codes", "codes dropped: duplicate within an assessment",
                             length(dup), paste0("rows ", format_rows(s$rows_k[r$pair_row[dup]], 10L)))
    r$pair_row <- r$pair_row[-dup]
    pc <- pc[-dup]
  }
  s$pair_row <- r$pair_row
  s$pair_code <- pc
  s$miss_row <- r$miss_row %||% integer()
  s$miss_code <- match(r$miss_code %||% character(), cin_codes_all())
  s$rules <- rules
  s
}

# Positions of the pairs (assessment, code index) that repeat a pair before
# them. Pairs in assessment order (a sorted extract) are checked in one pass
# in C++; otherwise by hashing the pairs.
cin_repeated_codes <- function(as_of, pc) {
  if (!length(pc)) return(integer())
  dup <- cpp_repeated_in_groups(as.integer(as_of), as.integer(pc), length(cin_codes_all()))
  dup %||% which(duplicated(cin_pair_key(as_of, pc)))
}

# The factor cell of each row, with the unnamed cells beside it joined on.
cin_factor_cells <- function(s) {
  fv <- s$df[[s$std[["factor"]]]]
  for (cl in s$extra) {
    v <- s$df[[cl]]
    has <- !is.na(v) & trimws(v) != ""
    if (!any(has)) next
    fv[has] <- ifelse(is.na(fv[has]) | trimws(fv[has]) == "", v[has], paste(fv[has], v[has], sep = ","))
  }
  fv
}

# Codes from cells holding one or several codes (long and codes layouts).
cin_codes_from_cells <- function(fv, rows, col, on_unknown, legacy, call = rlang::caller_env()) {
  audit <- cin_audit_new()
  ui <- cin_unique_index(fv)
  u <- ui$u
  iu <- ui$iu
  rm(ui)
  tk <- cin_tokenise(u, legacy = legacy)
  len <- lengths(tk$codes)
  # Flags are worked out per distinct cell, then looked up once per row.
  if (all(len <= 1L)) {
    pair_row <- cpp_rows_where(iu, len == 1L)
    cu <- vapply(tk$codes, function(z) if (length(z)) z[1] else NA_character_, character(1))
    # The code's index in cin_factors, found once per distinct cell; the
    # codes as text are made only if asked for.
    pair_idx <- cpp_lookup_at(iu, pair_row, match(cu, cin_codes_all()))
    pair_code <- NULL
  } else {
    pair_row <- rep(seq_along(fv), len[iu])
    pair_code <- unlist(tk$codes[iu], use.names = FALSE)
    pair_idx <- NULL
  }
  ulen <- lengths(tk$unknown)
  cnt <- tabulate(iu, length(u))
  unk_rows <- cpp_rows_where(iu, ulen > 0L)
  if (length(unk_rows)) {
    bad_vals <- unique(unlist(tk$unknown[iu[unk_rows]]))
    if (on_unknown == "error") {
      abort_input(c("Column {.field {col}} has {length(unk_rows)} row{?s} with values that are not CIN factor codes.",
                    x = "{cli::qty(length(unk_rows))}Row{?s} {format_rows(rows[unk_rows])}: {.val {utils::head(bad_vals, 8)}}.",
                    i = if (any(grepl("[0-9][[:space:]._-]+[0-9]", bad_vals))) "A space between digits (as in {.val 1 8B}) is ambiguous: write the code as it should be read.",
                    i = "Correct them (valid codes are in {.code cin_factors$code}), or use {.code on_unknown = \"drop\"} to drop them and count them in the audit."),
                  class = "cscdemand_error_unknown_code", call = call)
    }
    audit <- cin_audit_add(audit, "codes", "codes dropped: unknown code", sum(ulen * cnt),
                           paste0(paste(utils::head(bad_vals, 10), collapse = ", "),
                                  "; rows ", format_rows(rows[unk_rows], 10L)))
  }
  blank <- cpp_rows_where(iu, len == 0L & ulen == 0L)
  if (length(blank)) {
    audit <- cin_audit_add(audit, "codes", "rows with no factor code (blank)", length(blank),
                           paste0("rows ", format_rows(rows[blank], 10L),
                                  "; the assessment is kept with no factors from these rows"))
  }
  rules <- tk$rules
  # Rows per token (a token inside a multi-code cell counts once per row).
  parts <- lapply(cin_split_cells(u), unique)
  tok_n <- tapply(rep(cnt, lengths(parts)), unlist(parts), sum)
  rules$rows <- as.integer(tok_n[rules$value])
  list(pair_row = pair_row, pair_code = pair_code, pair_idx = pair_idx, rules = rules,
       audit = audit)
}

# Codes from one 0/1 column per code (wide layout). A missing value (NA) is
# a missing flag, kept as missing and counted; a blank cell is 0.
cin_codes_from_flags <- function(s, call = rlang::caller_env()) {
  audit <- cin_audit_new()
  cc <- s$code_cols
  pr <- mr <- vector("list", nrow(cc))
  for (j in seq_len(nrow(cc))) {
    fl <- cin_parse_flags(s$at_keep(s$df[[cc$column[j]]]), cc$column[j], s$rows_k, na = NA_integer_,
                          call = call)
    pr[[j]] <- which(fl == 1L)
    mr[[j]] <- which(is.na(fl))
  }
  n_miss <- lengths(mr)
  if (any(n_miss > 0L)) {
    audit <- cin_audit_add(audit, "codes", "flags missing (NA): kept as missing", sum(n_miss),
                           paste0(paste0(cc$column[n_miss > 0], " (", n_miss[n_miss > 0], ")",
                                         collapse = ", "),
                                  "; the factor is NA (not 0) unless another row identifies it"))
  }
  if (anyDuplicated(cc$code)) {
    d <- unique(cc$code[duplicated(cc$code)])
    audit <- cin_audit_add(audit, "codes", "columns combined: same code", sum(cc$code %in% d),
                           paste0(paste(cc$column[cc$code %in% d], collapse = ", "),
                                  " (flags combined with OR)"), unit = "columns")
  }
  pair_row <- unlist(pr, use.names = FALSE)
  none <- setdiff(seq_along(s$keep), pair_row)
  if (length(none)) {
    audit <- cin_audit_add(audit, "codes", "rows with no factor flagged", length(none),
                           "kept as assessments with no factors")
  }
  rules <- data.frame(value = cc$column, code = cc$code, rule = cc$rule, rows = lengths(pr),
                      stringsAsFactors = FALSE)
  list(pair_row = pair_row, pair_code = rep(cc$code, lengths(pr)),
       miss_row = unlist(mr, use.names = FALSE), miss_code = rep(cc$code, n_miss),
       rules = rules, audit = audit)
}

# Audit lines for codes recoded, one per rule.
cin_audit_recodes <- function(audit, rules) {
  recoded <- rules[!rules$rule %in% c("as written", "unknown", "several codes in one cell"), ,
                   drop = FALSE]
  for (r in unique(recoded$rule)) {
    rr <- recoded[recoded$rule == r, ]
    audit <- cin_audit_add(audit, "codes", paste0("codes recoded: ", r), sum(rr$rows, na.rm = TRUE),
                           paste(utils::head(paste0(rr$value, " -> ", rr$code), 12), collapse = ", "))
  }
  audit
}
