# Pattern tables computed inside a database. The latent class models need
# only the counts of unique response patterns, which is one GROUP BY: the
# database does it where the data live and only the pattern rows come to R.

#' Pattern counts from a database table
#'
#' Computes the table of unique response patterns inside a database, with one
#' `GROUP BY` query, and returns the same `lca_patterns` table that
#' [lca_patterns()] builds from a data frame. Only the pattern counts (a few
#' thousand rows) are collected into R, so millions of episodes never leave
#' the database. Works with any DBI backend (SQLite, PostgreSQL, SQL Server,
#' Spark SQL) or a dbplyr lazy table.
#'
#' Items must be stored as 0/1 (or `NULL` for missing); polytomous items as
#' integer codes 1, 2, ..., C.
#'
#' @param x A DBI connection (then give `table`) or a dbplyr lazy table
#'   (`dplyr::tbl(con, "episodes")`, possibly filtered).
#' @param items Item columns.
#' @param table Name of the table (or a `DBI::Id()`), when `x` is a connection.
#' @param group Optional grouping column (council or year).
#' @param where Optional filter for the rows to use (connection only). Either
#'   a named list of values, `list(year = 2023, la = c("A", "B"))` (equality,
#'   or `IN` for several values; conditions joined by `AND`), or a simple
#'   condition as text: comparisons of a column with a number or a quoted
#'   string, joined by `AND`, for example `"year >= 2022 AND la = 'A'"`. The
#'   text is parsed, never pasted into SQL: column names are quoted and
#'   values are sent as bound parameters, so a value cannot run a statement
#'   of its own. Anything else (functions, `OR`, sub-queries) is refused; use
#'   a dbplyr lazy table with `dplyr::filter()` for those.
#' @return An `lca_patterns` table; `$sql` holds the query that was run.
#' @family national scale
#' @export
#' @examples
#' if (requireNamespace("RSQLite", quietly = TRUE)) {
#'   con <- DBI::dbConnect(RSQLite::SQLite(), ":memory:")
#'   d <- simulate_lca(n = 5000, seed = 1)
#'   DBI::dbWriteTable(con, "episodes", d)
#'   pt <- lca_patterns_db(con, items = names(d)[1:8], table = "episodes")
#'   pt
#'   fit <- lca(pt, k = 3, seed = 1)
#'   DBI::dbDisconnect(con)
#' }
lca_patterns_db <- function(x, items, table = NULL, group = NULL, where = NULL) {
  rlang::check_installed("DBI", reason = "to compute patterns in a database.")
  if (!is.character(items) || length(items) < 1L) {
    abort_input("{.arg items} must name the item columns of the table.")
  }
  cols <- c(items, group)
  if (inherits(x, "tbl_lazy")) {
    rlang::check_installed(c("dplyr", "dbplyr"), reason = "to use lazy tables.")
    missing_cols <- setdiff(cols, colnames(x))
    if (length(missing_cols)) {
      abort_input(c("Columns missing from the table: {.field {missing_cols}}.",
                    i = "Available: {.field {colnames(x)}}."))
    }
    q <- dplyr::count(x, dplyr::across(dplyr::all_of(cols)), name = "n_")
    sql <- as.character(dbplyr::sql_render(q))
    agg <- as.data.frame(dplyr::collect(q))
  } else if (inherits(x, "DBIConnection")) {
    if (is.null(table)) abort_input("Give the table name in {.arg table}.")
    fields <- DBI::dbListFields(x, table)
    missing_cols <- setdiff(cols, fields)
    if (length(missing_cols)) {
      abort_input(c("Columns missing from table {.val {format(table)}}: {.field {missing_cols}}.",
                    i = "Available: {.field {fields}}."))
    }
    qc <- paste(DBI::dbQuoteIdentifier(x, cols), collapse = ", ")
    flt <- db_where(x, where, fields)
    sql <- paste0("SELECT ", qc, ", COUNT(*) AS n_ FROM ", DBI::dbQuoteIdentifier(x, table),
                  flt$sql, " GROUP BY ", qc)
    agg <- if (length(flt$params)) {
      DBI::dbGetQuery(x, sql, params = flt$params)
    } else {
      DBI::dbGetQuery(x, sql)
    }
  } else {
    abort_input(c("{.arg x} must be a DBI connection or a dbplyr lazy table.",
                  i = "For a data frame use {.fn lca_patterns}."))
  }
  agg$n_ <- as.numeric(agg$n_)
  for (it in items) {
    x <- agg[[it]]
    if (is.double(x) && all(x == round(x), na.rm = TRUE)) agg[[it]] <- as.integer(x)
  }
  pt <- finish_db_patterns(agg, items, group)
  pt$sql <- sql
  pt
}

# A WHERE clause with bound parameters from `where` (a named list of values,
# or simple text conditions parsed by parse_where()). Column names must be
# fields of the table; they are quoted as identifiers. Returns the SQL
# fragment (with a ? for each bound parameter) and the list of parameters.
db_where <- function(con, where, fields, call = rlang::caller_env()) {
  if (is.null(where)) return(list(sql = "", params = list()))
  conds <- if (is.character(where)) parse_where(where, call = call) else where_list(where, call)
  bad <- setdiff(vapply(conds, `[[`, "", "col"), fields)
  if (length(bad)) {
    abort_input(c("{.arg where} names column{?s} {.field {bad}}, not in the table.",
                  i = "Available: {.field {fields}}."), class = "cscdemand_error_where",
                call = call)
  }
  parts <- vapply(conds, function(cd) {
    id <- as.character(DBI::dbQuoteIdentifier(con, cd$col))
    if (cd$op == "IN") {
      paste0(id, " IN (", paste(rep("?", length(cd$value)), collapse = ", "), ")")
    } else {
      paste(id, cd$op, "?")
    }
  }, character(1))
  params <- unlist(lapply(conds, function(cd) as.list(cd$value)), recursive = FALSE)
  list(sql = paste0(" WHERE ", paste(parts, collapse = " AND ")), params = unname(params))
}

where_list <- function(where, call) {
  ok <- is.list(where) && length(where) > 0L && !is.null(names(where)) && all(nzchar(names(where))) &&
    all(vapply(where, function(v) (is.numeric(v) || is.character(v)) && length(v) > 0L && !anyNA(v),
               logical(1)))
  if (!ok) {
    abort_input(c("{.arg where} must be a named list of values or a simple condition.",
                  i = "For example {.code where = list(year = 2023, la = c(\"A\", \"B\"))}."),
                class = "cscdemand_error_where", call = call)
  }
  Map(function(col, v) list(col = col, op = if (length(v) > 1L) "IN" else "=", value = v),
      names(where), where)
}

# Parses "col op value [AND col op value ...]": op one of = <> != < <= > >=,
# value a number or a single-quoted string ('' for a quote). Nothing else.
parse_where <- function(text, call = rlang::caller_env()) {
  if (length(text) != 1L || is.na(text)) text <- "<not one string>"
  re <- paste0("^\\s*([A-Za-z_][A-Za-z0-9_]*)\\s*(<=|>=|<>|!=|=|<|>)\\s*",
               "('(?:[^']|'')*'|-?[0-9]+(?:\\.[0-9]+)?)\\s*(?:$|AND\\s+)")
  rest <- text
  out <- list()
  while (nzchar(trimws(rest))) {
    m <- regmatches(rest, regexec(re, rest, perl = TRUE, ignore.case = TRUE))[[1]]
    if (!length(m)) {
      abort_input(c("{.arg where} is not a simple condition, so it was not run.",
                    x = "Could not read {.val {substr(rest, 1, 40)}}.",
                    i = "Use comparisons such as {.code year >= 2022 AND la = 'A'}, a named list, or a dbplyr lazy table with {.fn dplyr::filter}."),
                  class = "cscdemand_error_where", call = call)
    }
    v <- m[4]
    value <- if (startsWith(v, "'")) gsub("''", "'", substr(v, 2, nchar(v) - 1)) else as.numeric(v)
    out[[length(out) + 1L]] <- list(col = m[2], op = m[3], value = value)
    rest <- substr(rest, nchar(m[1]) + 1L, nchar(rest))
  }
  if (!length(out)) {
    abort_input("{.arg where} is empty.", class = "cscdemand_error_where", call = call)
  }
  out
}

# Pattern table from aggregated counts (column n_); the audit counts
# episodes, not aggregated rows.
finish_db_patterns <- function(agg, items, group) {
  pt <- build_patterns(agg, items = items, weights = "n_", group = group)
  allmiss <- rowSums(!is.na(agg[items])) == 0L
  total <- sum(agg$n_)
  dropped <- sum(agg$n_[allmiss])
  pt$weights <- NULL
  pt$row_index <- NULL
  pt$n_rows <- total
  pt$n_all_missing <- dropped
  pt$audit$rows <- c(total, dropped, total - dropped)
  pt
}

#' Episode factor patterns from a long table inside a database
#'
#' For a table in the CIN census long layout (one row per assessment and
#' factor code), builds each episode's 0/1 factor flags by conditional
#' aggregation and counts the unique patterns, all in one SQL query; only the
#' pattern counts come back to R. Codes are compared after trimming spaces and
#' upper-casing, so `" 3b"` counts as `3B`.
#'
#' @param con A DBI connection.
#' @param table The long table.
#' @param codes Factor codes to flag (the items), e.g. `c("1B", "2B", "3A")`.
#' @param episode Column identifying the episode.
#' @param code Column holding the factor code.
#' @param group Optional grouping column (constant within an episode).
#' @return An `lca_patterns` table with items named `f_<code>`; `$sql` holds
#'   the query.
#' @family national scale
#' @export
#' @examples
#' if (requireNamespace("RSQLite", quietly = TRUE)) {
#'   con <- DBI::dbConnect(RSQLite::SQLite(), ":memory:")
#'   long <- data.frame(episode = c(1, 1, 2, 3, 3, 3),
#'                      factor = c("3A", "4b", "6A", "4B", " 3a", "6A"))
#'   DBI::dbWriteTable(con, "factors", long)
#'   lca_patterns_db_long(con, "factors", codes = c("3A", "4B", "6A"),
#'                        episode = "episode", code = "factor")
#'   DBI::dbDisconnect(con)
#' }
lca_patterns_db_long <- function(con, table, codes, episode, code, group = NULL) {
  rlang::check_installed("DBI", reason = "to compute patterns in a database.")
  if (!inherits(con, "DBIConnection")) abort_input("{.arg con} must be a DBI connection.")
  if (!is.character(codes) || !length(codes) || anyNA(codes)) {
    abort_input(c("{.arg codes} must be a character vector of CIN factor codes, with no missing values.",
                  i = "For example {.code codes = cin_factors$code}."),
                class = "cscdemand_error_item")
  }
  codes <- toupper(trimws(codes))
  if (anyDuplicated(codes)) {
    abort_input(c("{.arg codes} must list distinct factor codes.",
                  x = "Given more than once (after upper-casing): {.val {unique(codes[duplicated(codes)])}}.",
                  i = "Give each code once."),
                class = "cscdemand_error_item")
  }
  fields <- DBI::dbListFields(con, table)
  need <- c(episode, code, group)
  if (length(setdiff(need, fields))) {
    abort_input(c("Columns missing from table {.val {format(table)}}: {.field {setdiff(need, fields)}}.",
                  i = "Available: {.field {fields}}."))
  }
  items <- paste0("f_", codes)
  sql <- long_pattern_sql(con, table, codes, episode, code, group)
  agg <- DBI::dbGetQuery(con, sql)
  agg <- decode_pattern_keys(agg, items, group)
  const <- items[vapply(items, function(it) length(unique(agg[[it]])) < 2L, logical(1))]
  if (length(const)) {
    abort_input(c("These factors are never (or always) present: {.val {sub('^f_', '', const)}}.",
                  i = "Leave them out of {.arg codes}."), class = "cscdemand_error_item")
  }
  pt <- finish_db_patterns(agg, items, group)
  pt$sql <- sql
  pt
}

# The query of lca_patterns_db_long(). Each row's code is read once
# (UPPER(TRIM()) inside one simple CASE) and turned into its bit (code i of
# every 30 -> 2^(i-1) of key i %/% 30); an episode's flags are the OR of its
# rows' bits (BIT_OR where the database has it, PostgreSQL and DuckDB;
# else SUM(DISTINCT), the same for distinct powers of two), and the outer
# query counts episodes by key(s) and group: one or two integer columns to
# group by instead of one per factor.
long_pattern_sql <- function(con, table, codes, episode, code, group) {
  q <- function(x) as.character(DBI::dbQuoteIdentifier(con, x))
  bit_or <- if (inherits(con, c("PostgreSQLConnection", "PqConnection", "duckdb_connection"))) {
    function(x) paste0("BIT_OR(", x, ")")
  } else {
    function(x) paste0("SUM(DISTINCT ", x, ")")
  }
  key_of <- (seq_along(codes) - 1L) %/% 30L
  keys <- vapply(sort(unique(key_of)), function(k) {
    i <- which(key_of == k)
    whens <- paste0(" WHEN ", vapply(codes[i], function(cd) as.character(DBI::dbQuoteString(con, cd)),
                                     character(1)),
                    " THEN ", format(2^(seq_along(i) - 1L), scientific = FALSE), collapse = "")
    paste0(bit_or(paste0("CASE UPPER(TRIM(", q(code), "))", whens, " ELSE 0 END")), " AS ",
           q(paste0("key", k, "_")))
  }, character(1))
  key_cols <- paste0("key", sort(unique(key_of)), "_")
  gsel <- if (is.null(group)) "" else paste0(", MAX(", q(group), ") AS ", q(group))
  inner <- paste0("SELECT ", q(episode), gsel, ", ", paste(keys, collapse = ", "), " FROM ", q(table),
                  " GROUP BY ", q(episode))
  cols <- paste(vapply(c(key_cols, group), q, character(1)), collapse = ", ")
  paste0("SELECT ", cols, ", COUNT(*) AS n_ FROM (", inner, ") ep GROUP BY ", cols)
}

# The factor flags of each aggregated row from its keys (code i of every 30
# is bit i of its key); returns the items, the group and n_.
decode_pattern_keys <- function(agg, items, group) {
  key_of <- (seq_along(items) - 1L) %/% 30L
  out <- lapply(seq_along(items), function(j) {
    key <- as.integer(agg[[paste0("key", key_of[j], "_")]])
    as.integer(bitwAnd(key, as.integer(2^((j - 1L) %% 30L))) > 0L)
  })
  names(out) <- items
  out <- as.data.frame(out, check.names = FALSE)
  if (!is.null(group)) out[[group]] <- agg[[group]]
  out$n_ <- as.numeric(agg$n_)
  out
}
