# Small helpers shared by the whole package: conditions, argument checks,
# threads and seeds. Every check takes `arg` and `call` so errors point at the
# user's call and argument, as in vroom and rlang.

abort_input <- function(message, ..., class = NULL, call = rlang::caller_env()) {
  cli::cli_abort(message, ..., class = c(class, "cscdemand_error_input", "cscdemand_error"),
                 call = call, .envir = parent.frame())
}

warn_cscdemand <- function(message, ..., class = NULL) {
  cli::cli_warn(message, ..., class = c(class, "cscdemand_warning"), .envir = parent.frame())
}

check_count <- function(x, min = 1, arg = rlang::caller_arg(x), call = rlang::caller_env(),
                        allow_null = FALSE) {
  if (allow_null && is.null(x)) return(invisible(x))
  if (!is.numeric(x) || length(x) != 1L || is.na(x) || x != round(x) || x < min) {
    abort_input(c("{.arg {arg}} must be a whole number of at least {min}.",
                  x = "You supplied {.val {format(x)}}."), call = call)
  }
  invisible(x)
}

check_counts <- function(x, min = 1, arg = rlang::caller_arg(x), call = rlang::caller_env()) {
  if (!is.numeric(x) || length(x) < 1L || anyNA(x) || any(x != round(x)) || any(x < min)) {
    abort_input(c("{.arg {arg}} must be whole numbers of at least {min}.",
                  x = "You supplied {.val {format(x)}}."), call = call)
  }
  invisible(x)
}

check_number <- function(x, min = -Inf, max = Inf, arg = rlang::caller_arg(x),
                         call = rlang::caller_env()) {
  if (!is.numeric(x) || length(x) != 1L || is.na(x) || x < min || x > max) {
    abort_input(c("{.arg {arg}} must be a single number between {min} and {max}.",
                  x = "You supplied {.val {format(x)}}."), call = call)
  }
  invisible(x)
}

check_flag <- function(x, arg = rlang::caller_arg(x), call = rlang::caller_env()) {
  if (!is.logical(x) || length(x) != 1L || is.na(x)) {
    abort_input("{.arg {arg}} must be {.code TRUE} or {.code FALSE}.", call = call)
  }
  invisible(x)
}

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
