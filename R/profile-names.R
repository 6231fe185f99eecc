#' Name the classes of a latent class model
#'
#' `suggest_class_names()` proposes a name for each class in the words of the
#' categories-of-demand research ("Neglect", "Domestic abuse", "Parental mental
#' health and substance misuse", "Child mental health and self-harm",
#' "Multiple complex needs", ...). A class is named from the factors that are
#' *over-represented* in it relative to all episodes, not from its most common
#' factor: a factor *defines* a class when its probability in the class is at
#' least `min_presence` and at least `lift` times its overall prevalence (the
#' class-size-weighted mean over classes). Defining factors are ranked by their
#' excess (class probability minus overall prevalence) and grouped into themes
#' ([class_name_themes]: CIN codes 3A and 3B are "Domestic abuse", 1B, 2B
#' "Parental substance misuse", ...). Then:
#' * no defining factor: "Low-level concerns" when every factor is below
#'   `min_presence`, else "Mixed concerns";
#' * `complex` or more defining themes: "Multiple complex needs";
#' * otherwise the leading theme, joined with the second when its excess is at
#'   least half the first's ("Domestic abuse and neglect"; "Parental mental
#'   health" with "Parental substance misuse" reads "Parental mental health and
#'   substance misuse").
#'
#' Names are always distinct: where two classes would share a name, each is
#' extended by the next theme that tells them apart ("Neglect with domestic
#' abuse"), and only if nothing does, by their size order ("Neglect, larger
#' group"). [class_name_table()] explains each name by its defining factors.
#'
#' `name_classes()` stores names in the fit (component `class_names`), where
#' the profiling tables and plots pick them up. In [demand_report()], the
#' `class_names` argument overrides the suggestion.
#'
#' A factor's "presence" is its level `"1"` (or `"TRUE"`, `"yes"`); for a
#' polytomous item, its last level. Items are matched to themes by CIN code
#' (the item name, or the code in `labels` when a data frame with `code` and
#' `label` is given); an item with no theme is a theme of its own, named by its
#' label.
#'
#' @param fit A model from [lca()].
#' @param labels Optional factor labels: a named character vector (names the
#'   item columns, values the labels, e.g. `c(domestic_abuse_parent =
#'   "Domestic abuse (parent)")`) or a data frame with columns `item` (or
#'   `code`) and `label`, such as the data layer's factor dictionary. Items
#'   without a label keep their column name.
#' @param lift Smallest ratio of class probability to overall prevalence for a
#'   factor to define a class (default 1.5).
#' @param min_presence Smallest class probability for a factor to define a
#'   class (default 0.3).
#' @param complex Number of defining themes from which a class is "Multiple
#'   complex needs" (default 4).
#' @param themes A named list of character vectors: theme name to the CIN
#'   codes (or item names) it covers. Default [class_name_themes].
#' @return `suggest_class_names()`: a character vector named by class
#'   (`"Class 1"`, ...), with attribute `defining`, a list (one element per
#'   class) of the defining items in order. `name_classes()`: the fit, with
#'   `class_names` set.
#' @family profiling
#' @export
#' @examples
#' d <- simulate_lca(n = 1000, seed = 3)
#' fit <- lca(d, k = 3, seed = 1, verbose = FALSE)
#' suggest_class_names(fit, labels = c(domestic_abuse = "Domestic abuse",
#'                                     mental_health_parent = "Parental mental health"))
#' fit <- name_classes(fit, suggest_class_names(fit))
#' fit$class_names
#' class_name_table(fit)
suggest_class_names <- function(fit, labels = NULL, lift = 1.5, min_presence = 0.3, complex = 4,
                                themes = class_name_themes) {
  check_lca_fit(fit)
  check_number(lift, min = 1)
  check_number(min_presence, min = 0, max = 1)
  check_count(complex)
  lab <- item_labels(fit$items, labels)
  theme_of <- item_themes(fit$items, labels, lab, themes)
  st <- class_lift(fit)
  cls <- names(fit$class_size)
  info <- lapply(seq_along(cls), function(k) {
    def <- which(st$p[k, ] >= min_presence & st$lift[k, ] >= lift)
    def <- def[order(-st$excess[k, def])]
    tk <- merge_themes(theme_of[def])
    th <- unique(tk)
    ex <- vapply(th, function(t) max(st$excess[k, def[tk == t]]), numeric(1))
    list(defining = fit$items[def], themes = th, excess = ex, low = all(st$p[k, ] < min_presence))
  })
  nm <- vapply(info, function(x) theme_name(x, complex), character(1))
  nm <- distinct_class_names(nm, info, fit$class_size)
  structure(stats::setNames(nm, cls), defining = stats::setNames(lapply(info, `[[`, "defining"), cls))
}

#' @rdname suggest_class_names
#' @format `class_name_themes`: a named list; each element the CIN codes of one
#'   theme of the research's category names.
#' @export
class_name_themes <- list(
  "Domestic abuse" = c("3A", "3B"),
  "Parental mental health" = "4B",
  "Parental substance misuse" = c("1B", "2B"),
  "Child mental health and self-harm" = c("4A", "15A"),
  "Child substance misuse" = c("1A", "2A"),
  "Disability" = c("5A", "6A"),
  "Parental disability or illness" = c("5B", "6B"),
  "Young carer" = "7A",
  "Neglect" = "16A",
  "Emotional abuse" = "17A",
  "Physical abuse" = c("18A", "18B", "18C"),
  "Sexual abuse" = c("19A", "19B", "19C"),
  "Exploitation and going missing" = c("10A", "11A", "12A", "13A", "24A"),
  "Socially unacceptable behaviour" = "14A",
  "Harmful practices" = c("22A", "23A"),
  "Private fostering" = c("8B", "8C", "8D", "8E", "8F"),
  "Unaccompanied asylum seeker" = "9A"
)

# Themes that read as one phrase when both define a class.
merge_themes <- function(th) {
  pair <- c("Parental mental health", "Parental substance misuse")
  if (all(pair %in% th)) th[th %in% pair] <- "Parental mental health and substance misuse"
  th
}

theme_name <- function(x, complex) {
  th <- x$themes
  if (!length(th)) return(if (x$low) "Low-level concerns" else "Mixed concerns")
  if (length(th) >= complex) return("Multiple complex needs")
  if (length(th) >= 2L && x$excess[2] >= 0.5 * x$excess[1]) return(join_themes(th[1], th[2]))
  th[1]
}

join_themes <- function(a, b, sep = " and ") {
  # never "A and B and C": a second "and" becomes "with"
  if (sep == " and " && (grepl(" and ", a, fixed = TRUE) || grepl(" and ", b, fixed = TRUE))) {
    sep <- " with "
  }
  paste0(a, sep, lower_first(b))
}

lower_first <- function(x) {
  # keep acronyms (UASC, CSE) and proper nouns as they are
  ifelse(grepl("^[A-Z][a-z]", x), paste0(tolower(substr(x, 1, 1)), substring(x, 2)), x)
}

# Make names distinct: extend each clash by the first theme of the class not
# already in its name; if that does not separate them, by size order.
distinct_class_names <- function(nm, info, size) {
  for (v in unique(nm[duplicated(nm)])) {
    for (i in which(nm == v)) {
      th <- info[[i]]$themes
      extra <- th[!vapply(tolower(th), grepl, logical(1), x = tolower(v), fixed = TRUE)]
      if (length(extra)) nm[i] <- join_themes(v, extra[1], sep = " with ")
    }
  }
  for (v in unique(nm[duplicated(nm)])) {
    idx <- which(nm == v)
    idx <- idx[order(-size[idx])]
    tag <- if (length(idx) == 2L) c("larger group", "smaller group") else paste("group", seq_along(idx))
    nm[idx] <- paste0(v, ", ", tag)
  }
  nm
}

# Theme of each item: by CIN code (item name or the code column of a label
# table), else the item's own label.
item_themes <- function(items, labels, lab, themes) {
  code <- items
  if (is.data.frame(labels) && all(c("code", "item") %in% names(labels))) {
    code <- as.character(labels$code)[match(items, labels$item)]
    code[is.na(code)] <- items[is.na(code)]
  }
  code <- sub("^(f_|factor_|X)", "", code)
  th <- rep(NA_character_, length(items))
  for (t in names(themes)) th[code %in% themes[[t]]] <- t
  th[is.na(th)] <- unname(lab[is.na(th)])
  stats::setNames(th, items)
}

# Presence probability, overall prevalence, lift and excess of every item in
# every class (K x J matrices; overall a vector).
class_lift <- function(fit) {
  p <- presence_probs(fit)
  w <- as.vector(fit$class_size)
  overall <- as.vector(w %*% p)
  q <- matrix(overall, nrow(p), ncol(p), byrow = TRUE)
  lift <- p / q
  lift[q <= 0] <- 0
  list(p = p, overall = stats::setNames(overall, colnames(p)), lift = lift, excess = p - q)
}

#' Why each class has its name
#'
#' For each class: its name, its estimated share of episodes, and the factors
#' that define it (see [suggest_class_names()]), each with its probability in
#' the class, its overall prevalence and their ratio (lift), most
#' over-represented first.
#'
#' A share times the number of episodes is an estimated count of episodes, so
#' it is published only where that count is not small: a class whose
#' estimated size is from 0 to `threshold` (exclusive) has its `share` set to
#' `NA`, and so has one more class where the shares adding up to 100% would
#' give a lone hidden share back (the package's suppression engine, see
#' [suppress_small()]). The probabilities in `defining` are proportions within
#' a class, not counts.
#'
#' @inheritParams suggest_class_names
#' @param max_factors Most defining factors listed per class (default 4).
#' @param threshold Small-number threshold (default 10): shares of classes
#'   whose estimated size is under it are hidden, with secondary suppression;
#'   0 turns it off (not for publication).
#' @return A data frame with columns `class`, `name`, `share` (%, `NA` where
#'   suppressed) and `defining` (text such as `"Neglect: 81% v 24% overall
#'   (x3.4)"`).
#' @family profiling
#' @export
#' @examples
#' d <- simulate_lca(n = 1000, seed = 3)
#' fit <- lca(d, k = 3, seed = 1, verbose = FALSE)
#' class_name_table(name_classes(fit, suggest_class_names(fit)))
class_name_table <- function(fit, labels = NULL, lift = 1.5, min_presence = 0.3,
                             max_factors = 4, threshold = 10) {
  check_lca_fit(fit)
  check_count(max_factors)
  check_threshold(threshold)
  lab <- item_labels(fit$items, labels)
  st <- class_lift(fit)
  cls <- names(fit$class_size)
  defining <- vapply(seq_along(cls), function(k) {
    def <- which(st$p[k, ] >= min_presence & st$lift[k, ] >= lift)
    def <- def[order(-st$excess[k, def])]
    if (!length(def)) return("no factor over-represented")
    def <- utils::head(def, max_factors)
    paste0(lab[def], ": ", round(100 * st$p[k, def]), "% v ", round(100 * st$overall[def]),
           "% overall (x", formatC(st$lift[k, def], format = "f", digits = 1), ")",
           collapse = "; ")
  }, character(1))
  share <- round(100 * unname(fit$class_size), 1)
  share[class_share_hidden(fit, threshold)] <- NA
  data.frame(class = cls, name = unname(class_labels(fit)), share = share, defining = defining,
             stringsAsFactors = FALSE)
}

# Classes whose share must not be published: the estimated size (share times
# the number of episodes, nobs) is a count, so the package's one suppression
# engine hides sizes under the threshold and, because the sizes add up to the
# number of episodes (the shares to 100%), one more where a lone hidden size
# could be recovered by subtraction.
class_share_hidden <- function(fit, threshold) {
  hidden_totals(unname(fit$class_size) * fit$nobs, threshold)
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
