# Conditions and argument checks: the one home for the package's classed
# errors and warnings and its small check_*() helpers. Every check takes `arg`
# and `call` so errors point at the user's call and argument, as in vroom and
# rlang; `.envir` is where cli finds the `{}` values, so a check can raise an
# error on behalf of its caller.

abort_input <- function(message, ..., class = NULL, call = rlang::caller_env(),
                        .envir = parent.frame()) {
  cli::cli_abort(message, ..., class = c(class, "cscdemand_error_input", "cscdemand_error"),
                 call = call, .envir = .envir)
}

warn_cscdemand <- function(message, ..., class = NULL, .envir = parent.frame()) {
  cli::cli_warn(message, ..., class = c(class, "cscdemand_warning"), .envir = .envir)
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

check_threshold <- function(threshold, arg = rlang::caller_arg(threshold),
                            call = rlang::caller_env()) {
  check_number(threshold, min = 0, arg = arg, call = call)
}

check_flag <- function(x, arg = rlang::caller_arg(x), call = rlang::caller_env()) {
  if (!is.logical(x) || length(x) != 1L || is.na(x)) {
    abort_input(c("{.arg {arg}} must be {.code TRUE} or {.code FALSE}.",
                  x = "You supplied {.obj_type_friendly {x}}."), call = call)
  }
  invisible(x)
}

# One non-empty string (a council code, a folder, a column name). `what` says
# what it should be; the error says what was supplied by type, never by value
# (the value could be an identifier).
check_string <- function(x, what = "a single string", arg = rlang::caller_arg(x),
                         call = rlang::caller_env()) {
  if (!is.character(x) || length(x) != 1L || is.na(x) || !nzchar(trimws(x))) {
    abort_input(c("{.arg {arg}} must be {what}: one non-empty string.",
                  x = "You supplied {.obj_type_friendly {x}}.",
                  i = "Give it in quotes, for example {.code {arg} = \"...\"}."), call = call)
  }
  invisible(x)
}

# A data frame (optionally with rows). `what` says what it should be (plain
# text: it is inserted as a value); `hint`, if given, is an `i` bullet with the
# fix (cli markup allowed).
check_data_frame <- function(x, arg = rlang::caller_arg(x), call = rlang::caller_env(),
                             what = "a data frame", rows = FALSE, class = NULL, hint = NULL) {
  if (!is.data.frame(x)) {
    abort_input(c("{.arg {arg}} must be {what}.",
                  x = "You supplied {.cls {class(x)[1]}}.",
                  if (!is.null(hint)) c(i = hint)), class = class, call = call)
  }
  if (rows && !nrow(x)) {
    abort_input("{.arg {arg}} has no rows.", class = class, call = call)
  }
  invisible(x)
}

check_episodes <- function(episodes, arg = rlang::caller_arg(episodes),
                           call = rlang::caller_env()) {
  check_data_frame(episodes, arg = arg, call = call, what = "a data frame with one row per episode",
                   rows = TRUE, class = "cscdemand_error_data")
}

# A column (or several) named by a string must be in the data.
check_column <- function(data, col, arg = rlang::caller_arg(col), call = rlang::caller_env(),
                         multiple = FALSE,
                         hint = "Check the spelling, or add the missing column (e.g. the modal class from {.fn class_assign}).") {
  if (!is.character(col) || (!multiple && length(col) != 1L) || !length(col) || anyNA(col)) {
    abort_input(c("{.arg {arg}} must be {if (multiple) 'column names' else 'one column name'} (a character {if (multiple) 'vector' else 'string'}).",
                  x = "You supplied {.obj_type_friendly {col}}."),
                class = "cscdemand_error_column", call = call)
  }
  miss <- setdiff(col, names(data))
  if (length(miss)) {
    near <- utils::head(names(data), 12)
    abort_input(c("{cli::qty(length(miss))}Column{?s} {.field {miss}} named in {.arg {arg}} {cli::qty(length(miss))}{?is/are} not in the data.",
                  i = "The data have {.field {near}}{if (ncol(data) > 12) ' and more' else ''}.",
                  i = hint),
                class = "cscdemand_error_column", call = call)
  }
  invisible(col)
}

# The same check with the arguments the other way round (column, data).
check_column_name <- function(col, data, arg = rlang::caller_arg(col),
                              data_arg = rlang::caller_arg(data), call = rlang::caller_env()) {
  check_column(data, col, arg = arg, call = call,
               hint = paste0("Check the spelling of the column of {.arg ", data_arg, "}."))
}

# The one check that an argument is a fitted latent class model.
check_lca_fit <- function(fit, arg = rlang::caller_arg(fit), call = rlang::caller_env()) {
  if (!inherits(fit, "cscdemand_lca")) {
    abort_input(c("{.arg {arg}} must be a latent class model from {.fn lca}.",
                  x = "You supplied {.cls {class(fit)}}."), call = call)
  }
  invisible(fit)
}
