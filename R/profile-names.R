#' Name the classes of a latent class model
#'
#' `suggest_class_names()` proposes a plain-words name for each class from its
#' dominant factors: the items whose probability of being present in the class
#' is at least `dominant`, most likely first. A class with one dominant factor
#' and every other factor below `low` is "X only"; one with more dominant
#' factors than `max_factors` is "Multiple factors: X, Y, Z and more"; one with
#' none is "No dominant factor" (or "Low level of factors" when every factor is
#' below `low`). Repeated names get " (2)", " (3)" appended.
#'
#' `name_classes()` stores names in the fit (component `class_names`), where
#' the profiling tables and plots pick them up.
#'
#' A factor's "presence" is its level `"1"` (or `"TRUE"`, `"yes"`); for a
#' polytomous item, its last level.
#'
#' @param fit A model from [lca()].
#' @param labels Optional factor labels: a named character vector (names the
#'   item columns, values the labels, e.g. `c(domestic_abuse_parent =
#'   "Domestic abuse (parent)")`) or a data frame with columns `item` (or
#'   `code`) and `label`, such as the data layer's factor dictionary. Items
#'   without a label keep their column name.
#' @param dominant Probability at which a factor counts as dominant (default
#'   0.5).
#' @param low Probability below which a factor counts as absent (default 0.2).
#' @param max_factors Most factors named in one class name (default 3).
#' @return `suggest_class_names()`: a character vector named by class
#'   (`"Class 1"`, ...). `name_classes()`: the fit, with `class_names` set.
#' @family profiling
#' @export
#' @examples
#' d <- simulate_lca(n = 1000, seed = 3)
#' fit <- lca(d, k = 3, seed = 1, verbose = FALSE)
#' suggest_class_names(fit, labels = c(domestic_abuse = "Domestic abuse",
#'                                     mental_health_parent = "Parental mental health"))
#' fit <- name_classes(fit, suggest_class_names(fit))
#' fit$class_names
suggest_class_names <- function(fit, labels = NULL, dominant = 0.5, low = 0.2, max_factors = 3) {
  check_lca_fit(fit)
  check_number(dominant, min = 0, max = 1)
  check_number(low, min = 0, max = 1)
  check_count(max_factors)
  lab <- item_labels(fit$items, labels)
  pres <- presence_probs(fit)
  nm <- vapply(seq_len(nrow(pres)), function(k) {
    p <- pres[k, ]
    ord <- order(-p)
    dom <- ord[p[ord] >= dominant]
    if (!length(dom)) {
      return(if (all(p < low)) "Low level of factors" else "No dominant factor")
    }
    others <- setdiff(seq_along(p), dom)
    if (length(dom) == 1L) {
      return(if (all(p[others] < low)) paste(lab[dom], "only") else lab[dom])
    }
    if (length(dom) > max_factors) {
      return(paste0("Multiple factors: ", paste(lab[dom[seq_len(max_factors)]], collapse = ", "),
                    " and more"))
    }
    paste(paste(lab[dom[-length(dom)]], collapse = ", "), "and", lab[dom[length(dom)]])
  }, character(1))
  nm <- make_unique_names(nm)
  stats::setNames(nm, names(fit$class_size))
}

#' @rdname suggest_class_names
#' @param names Class names: a character vector with one unique, non-empty
#'   name per class, in class order or named by class (`"Class 1"`, ...).
#' @export
name_classes <- function(fit, names) {
  check_lca_fit(fit)
  cl <- names(fit$class_size)
  if (!is.character(names) || length(names) != length(cl) || anyNA(names) || any(!nzchar(names))) {
    abort_input(c("{.arg names} must be {length(cl)} non-empty name{?s}, one per class.",
                  x = "You supplied {length(names)} value{?s}: {.val {names}}."),
                class = "cscdemand_error_names")
  }
  if (anyDuplicated(names)) {
    abort_input(c("Class names must be unique.",
                  x = "{.val {unique(names[duplicated(names)])}} {?is/are} repeated."),
                class = "cscdemand_error_names")
  }
  if (!is.null(base::names(names)) && all(nzchar(base::names(names)))) {
    bad <- setdiff(base::names(names), cl)
    if (length(bad) || anyDuplicated(base::names(names))) {
      abort_input(c("The names of {.arg names} must be the classes {.val {cl}}.",
                    x = "Unknown: {.val {bad}}."), class = "cscdemand_error_names")
    }
    names <- names[cl]
  }
  fit$class_names <- stats::setNames(unname(names), cl)
  fit
}

# Class labels of a fit: its names if set, else "Class 1", ...
class_labels <- function(fit) {
  cl <- names(fit$class_size)
  nm <- fit$class_names
  if (is.null(nm)) stats::setNames(cl, cl) else nm[cl]
}

item_labels <- function(items, labels, call = rlang::caller_env()) {
  if (is.null(labels)) return(stats::setNames(items, items))
  if (is.data.frame(labels)) {
    key <- intersect(c("item", "code"), names(labels))[1]
    if (is.na(key) || !"label" %in% names(labels)) {
      abort_input(c("A data frame of {.arg labels} needs columns {.field item} (or {.field code}) and {.field label}.",
                    x = "It has {.field {names(labels)}}."), class = "cscdemand_error_labels",
                  call = call)
    }
    labels <- stats::setNames(as.character(labels$label), as.character(labels[[key]]))
  }
  if (!is.character(labels) || is.null(names(labels))) {
    abort_input(c("{.arg labels} must be a named character vector (names are item columns).",
                  i = "For example {.code c(neglect = \"Neglect\")}."),
                class = "cscdemand_error_labels", call = call)
  }
  out <- stats::setNames(items, items)
  hit <- items[items %in% names(labels)]
  out[hit] <- labels[hit]
  out
}

# K x J matrix: probability that each item is "present" in each class.
presence_probs <- function(fit) {
  m <- vapply(fit$items, function(it) {
    p <- fit$probs[[it]]
    lv <- colnames(p)
    yes <- which(tolower(lv) %in% c("1", "true", "yes"))
    col <- if (length(yes)) yes[1] else ncol(p)
    p[, col]
  }, numeric(length(fit$class_size)))
  if (!is.matrix(m)) m <- matrix(m, nrow = 1L, dimnames = list(NULL, fit$items))
  rownames(m) <- names(fit$class_size)
  m
}

make_unique_names <- function(x) {
  out <- x
  for (v in unique(x[duplicated(x)])) {
    idx <- which(x == v)
    out[idx[-1]] <- paste0(v, " (", seq_along(idx)[-1], ")")
  }
  out
}
