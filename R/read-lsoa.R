#' Add each child's LSOA from a separate lookup
#'
#' The CIN census has no addresses. Councils can export a child-to-LSOA
#' lookup from their case management system (child id and the LSOA of the
#' child's address); `link_lsoa()` joins it onto the assessments or episodes
#' by child id, so that [link_imd()] can then add deprivation. Rows whose
#' child is not in the lookup keep a missing `lsoa`, and are counted in the
#' audit; so are children with several different LSOAs in the lookup (the
#' first is used).
#'
#' @param x A `cin_assessments` object or a `cin_episodes` table.
#' @param lookup A data frame (or CSV path) with a child id column and an
#'   LSOA column.
#' @param child_id,lsoa Column names in `lookup`; by default found by name
#'   (`child_id`, `LAchildID`, `person_id`; `lsoa`, `lsoa11cd`, `lsoa21cd`,
#'   `lsoa_code`).
#' @param salt If the identifiers of `x` were hashed on read
#'   (`hash_ids = TRUE`), the same salt, so that the lookup's ids are hashed
#'   the same way before matching.
#' @return `x` with its `lsoa` column set, and the audit extended.
#' @family CIN data
#' @export
#' @examples
#' a <- read_cin_assessments(cin_example[1:200, ])
#' ids <- unique(a$assessments$child_id)
#' lk <- data.frame(child_id = ids[-1], lsoa = "E01002925")
#' a2 <- link_lsoa(a, lk)
#' tail(audit(a2), 1)
link_lsoa <- function(x, lookup, child_id = NULL, lsoa = NULL, salt = NULL) {
  is_as <- inherits(x, "cin_assessments")
  if (!is_as && !inherits(x, "cin_episodes")) {
    abort_input(c("{.arg x} must come from {.fn read_cin_assessments} or {.fn episode_factors}.",
                  x = "You supplied an object of class {.cls {class(x)}}."))
  }
  if (is.character(lookup) && length(lookup) == 1L) lookup <- cin_read_csv_chr(lookup)
  check_data_frame(lookup, what = "a data frame or a CSV path")
  nm <- names(lookup)
  find <- function(given, keys, what) {
    if (!is.null(given)) {
      if (!is.character(given) || length(given) != 1L || !given %in% nm) {
        abort_input(c("Column {.field {given}} is not in {.arg lookup}.", i = "Columns: {.field {nm}}."),
                    class = "cscdemand_error_columns")
      }
      return(given)
    }
    hit <- nm[cin_key(nm) %in% keys]
    if (!length(hit)) {
      abort_input(c("{.arg lookup} has no {what} column.",
                    i = "Columns: {.field {nm}}; name it with {.arg {if (what == 'LSOA') 'lsoa' else 'child_id'}}."),
                  class = "cscdemand_error_columns")
    }
    hit[1]
  }
  al <- cin_column_aliases()
  cid <- find(child_id, al$child_id, "child id")
  lcol <- find(lsoa, al$lsoa, "LSOA")
  ids <- cin_id(lookup[[cid]])  # the reader's one identifier rule
  if (!is.null(salt)) ids <- cin_hash_ids(ids, cin_check_salt(TRUE, salt))
  ls <- toupper(trimws(as.character(lookup[[lcol]])))
  ok <- !is.na(ids) & !is.na(ls) & nzchar(ls)
  ids <- ids[ok]
  ls <- ls[ok]
  first <- !duplicated(ids)
  n_multi <- length(unique(ids[!first][ls[!first] != ls[first][match(ids[!first], ids[first])]]))
  tab <- if (is_as) x$assessments else x
  if (is.null(tab$child_id)) {
    abort_input("{.arg x} has no {.field child_id} column to join on.", class = "cscdemand_error_columns")
  }
  v <- ls[first][match(tab$child_id, ids[first])]
  tab$lsoa <- v
  audit <- if (is_as) x$audit else attr(x, "audit")
  what <- if (is_as) "assessments" else "episodes"
  audit <- cin_audit_add(audit, "lsoa", paste0(what, " with no LSOA in the lookup"), sum(is.na(v)),
                         paste0("of ", nrow(tab), "; ", sum(!ok), " lookup rows blank"))
  if (n_multi) {
    audit <- cin_audit_add(audit, "lsoa", "children with several LSOAs in the lookup", n_multi,
                           "the first row's LSOA is used")
  }
  if (is_as) {
    x$assessments <- tab
    x$audit <- audit
    return(x)
  }
  attr(tab, "audit") <- audit
  tab
}
