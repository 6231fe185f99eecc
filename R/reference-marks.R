# DfE/GSS marks that stand in for a number in published tables. Base R only: this file is
# also sourced by data-raw/context.R, so the package data and the package's tests use the
# same definitions.

context_mark_table <- function() {
  data.frame(
    mark = c("c", "x", "z", "u", "low", "k", ":", ".."),
    meaning = c(
      "Suppressed to protect confidentiality (small numbers or disclosive).",
      "Not available: not collected, not returned or not reliable enough to publish.",
      "Not applicable: the measure does not apply to this geography or year.",
      "Low reliability: withheld because of data quality.",
      "Rounds to zero but is not zero.",
      "Rounds to zero but is not zero (older DfE mark, same as 'low').",
      "Not available (older DfE mark, same as 'x').",
      "Not available (older DfE mark, same as 'x')."
    ),
    stringsAsFactors = FALSE
  )
}

# Split published text into a number and a mark. "1,234" -> 1234; "c" or "[c]" -> NA with
# mark "c". Text that is neither a number nor a known mark is returned in `unknown`, for
# the caller to report; it is never turned into NA or zero silently.
context_parse_marked <- function(v) {
  v <- trimws(as.character(v))
  bare <- gsub("^\\[|\\]$", "", v)
  num <- suppressWarnings(as.numeric(gsub(",", "", bare, fixed = TRUE)))
  is_mark <- is.na(num)
  known <- bare %in% context_mark_table()$mark
  list(value = num,
       mark = ifelse(is_mark & known, bare, NA_character_),
       unknown = unique(v[is_mark & !known]))
}
