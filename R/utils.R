# Small helpers shared by the whole package: threads, seeds and formatting.
# (Conditions and argument checks are in conditions.R.)

# Threads: argument, else option `cscdemand.threads`, else at most 2
# (a conservative default that also satisfies R CMD check).
resolve_threads <- function(threads, call = rlang::caller_env()) {
  if (is.null(threads)) {
    threads <- getOption("cscdemand.threads",
                         min(2L, RcppParallel::defaultNumThreads()))
  }
  check_count(threads, arg = "threads", call = call)
  if (threads > 1024) {
    abort_input(c("{.arg threads} must be at most 1024.",
                  x = "You supplied {.val {format(threads)}}; this machine has {RcppParallel::defaultNumThreads()} core{?s}.",
                  i = "Use {.code threads = NULL} for the default."), call = call)
  }
  as.integer(threads)
}

# Seeds: NULL draws one from R's generator, so set.seed() governs the fit and
# the user's random-number state is never reset.
resolve_seed <- function(seed, call = rlang::caller_env()) {
  if (is.null(seed)) return(sample.int(.Machine$integer.max, 1L))
  check_count(seed, min = 0, arg = "seed", call = call)
  if (!is.finite(seed)) abort_input("{.arg seed} must be a finite whole number.", call = call)
  as.numeric(seed)
}

# Rows listed in an error message: the first few, then "and N more".
format_rows <- function(rows, max = 5L) {
  rows <- as.integer(rows)
  if (length(rows) <= max) return(paste(rows, collapse = ", "))
  paste0(paste(rows[seq_len(max)], collapse = ", "), " and ", length(rows) - max, " more")
}

# "Row 3" or "Rows 3, 9 and 12 more", for messages.
rows_label <- function(rows) {
  paste0(if (length(rows) == 1L) "Row " else "Rows ", format_rows(rows))
}

fmt_num <- function(x, digits = 2) formatC(x, format = "f", digits = digits, big.mark = ",")

`%||%` <- function(x, y) if (is.null(x)) y else x
