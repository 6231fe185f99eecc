#' The Leicestershire table and written findings from a class profile
#'
#' `profile_ratio_table()` turns a [class_profile()] into the Leicestershire
#' table: one row per characteristic and level, one column per class, each
#' cell the ratio "x N" (how many times as likely in the class as in the other
#' classes) with two up arrows (very significantly higher: about x2 or more),
#' one up arrow (significantly higher: about x1.5), and down arrows for lower;
#' suppressed cells show `"c"`.
#'
#' `profile_findings()` writes the flagged rows as short sentences, most
#' marked first: "Episodes in *Neglect* were 2.3 times as likely to involve a
#' child aged 0-4 as episodes in the other categories (very significantly
#' more)." Ratios, not counts, are quoted; suppressed cells are never
#' described.
#'
#' @param x A profile from [class_profile()].
#' @param labels Optional named character vector of headings for the
#'   characteristics (names: the profile's `variable` values).
#' @param max_per_class Most findings per class (default 4).
#' @return `profile_ratio_table()`: a data frame of character cells.
#'   `profile_findings()`: a character vector of sentences (markdown), named
#'   by class.
#' @family profiling
#' @export
#' @examples
#' set.seed(1)
#' ep <- data.frame(class = sample(c("Neglect", "Domestic abuse"), 800, TRUE),
#'                  age_group = sample(c("0-4", "5-9", "10-15"), 800, TRUE))
#' young <- ep$class == "Neglect" & runif(800) < 0.4
#' ep$age_group[young] <- "0-4"
#' prof <- class_profile(ep, "class", "age_group")
#' profile_ratio_table(prof)
#' profile_findings(prof)
profile_ratio_table <- function(x, labels = NULL) {
  check_profile(x)
  arrows <- c("very significantly higher" = "\u2191\u2191", "significantly higher" = "\u2191",
              "significantly lower" = "\u2193", "very significantly lower" = "\u2193\u2193")
  cell <- ifelse(x$suppressed, "c",
                 trimws(paste(x$display, ifelse(x$flag %in% names(arrows), arrows[x$flag], ""))))
  key <- paste(profile_var_label(x$variable, labels), x$level, sep = ": ")
  key <- factor(key, levels = unique(key))
  w <- tapply(cell, list(key, x$class), function(v) v[1])
  w[is.na(w)] <- ""
  out <- data.frame(Characteristic = rownames(w), unclass(w), check.names = FALSE,
                    stringsAsFactors = FALSE)
  rownames(out) <- NULL
  out
}

#' @rdname profile_ratio_table
#' @export
profile_findings <- function(x, labels = NULL, max_per_class = 4) {
  check_profile(x)
  check_count(max_per_class)
  strength <- c("very significantly higher" = 4, "very significantly lower" = 3,
                "significantly higher" = 2, "significantly lower" = 1)
  f <- x[x$flag %in% names(strength) & !x$suppressed & !is.na(x$ratio), , drop = FALSE]
  out <- character()
  for (k in levels(x$class)) {
    d <- f[f$class == k, , drop = FALSE]
    if (!nrow(d)) next
    d <- d[order(-strength[d$flag], -abs(log(d$ratio))), , drop = FALSE]
    d <- utils::head(d, max_per_class)
    s <- vapply(seq_len(nrow(d)), function(i) {
      r <- d$ratio[i]
      how <- if (r >= 1) paste(fmt_num(r, 1), "times as likely") else
        paste(fmt_num(1 / r, 1), "times less likely")
      degree <- if (grepl("^very", d$flag[i])) "very significantly" else "significantly"
      paste0("Episodes in *", k, "* were ", how, " to involve ",
             profile_phrase(d$variable[i], d$level[i], labels),
             " as episodes in the other categories (", degree, " ",
             if (r >= 1) "more" else "less", ").")
    }, character(1))
    out <- c(out, stats::setNames(s, rep(k, length(s))))
  }
  out
}

check_profile <- function(x, arg = rlang::caller_arg(x), call = rlang::caller_env()) {
  if (!inherits(x, "cscdemand_profile")) {
    abort_input(c("{.arg {arg}} must be a profile from {.fn class_profile}.",
                  x = "It is {.cls {class(x)}}."), call = call)
  }
}

# Headings and phrases for the characteristics the report profiles.
profile_var_names <- c(age_group = "Age", gender = "Gender", ethnicity = "Ethnicity",
                       ethnic_group = "Ethnic group", disability = "Disability",
                       referral_source = "Referral source", rereferral = "Re-referral",
                       primary_need = "Primary need", nfa = "No further action",
                       not_in_need = "Assessed not in need", cin_plan = "CIN plan",
                       s47 = "Section 47 enquiry", icpc = "Initial child protection conference",
                       cp_plan = "Child protection plan", looked_after = "Looked after",
                       step_down = "Stepped down to early help",
                       threshold_reached = "Highest threshold", n_factors = "Number of factors")

profile_var_label <- function(v, labels = NULL) {
  lab <- c(profile_var_names, labels)
  out <- unname(lab[v])
  ifelse(is.na(out), v, out)
}

profile_phrase <- function(v, level, labels = NULL) {
  if (!is.null(labels) && v %in% names(labels)) return(paste0(labels[[v]], " ", level))
  yes <- level %in% c("yes", "1", "TRUE")
  switch(v,
    age_group = paste("a child aged", level),
    gender = if (level %in% c("Male", "Female")) paste("a", tolower(level), "child") else paste("a child of gender", sQuote(level, FALSE)),
    ethnicity = , ethnic_group = paste("a child of", level, "ethnicity"),
    disability = if (yes) "a disabled child" else "a child recorded as not disabled",
    referral_source = paste0("a referral from ", level),
    rereferral = if (yes) "a re-referral within 12 months" else "a first referral",
    nfa = if (yes) "no further action" else "further action",
    not_in_need = if (yes) "a child assessed as not in need" else "a child in need",
    cin_plan = if (yes) "a child in need plan" else "no child in need plan",
    s47 = if (yes) "a section 47 enquiry" else "no section 47 enquiry",
    icpc = if (yes) "an initial child protection conference" else "no conference",
    cp_plan = if (yes) "a child protection plan" else "no child protection plan",
    looked_after = if (yes) "the child becoming looked after" else "the child not becoming looked after",
    step_down = if (yes) "a step down to early help" else "no step down",
    threshold_reached = paste("reaching", level, "as the highest threshold"),
    n_factors = paste(level, "factors"),
    paste0(profile_var_label(v), " ", level))
}
