#' The table of likelihood ratios and written findings from a class profile
#'
#' `profile_ratio_table()` turns a [class_profile()] into a table of
#' likelihood ratios (the layout of the Leicestershire needs analysis): one
#' row per characteristic and level, one column per class, each cell the
#' ratio "x N" (how many times as likely in the class as in the other
#' classes), with an up arrow where the profile's test finds it significantly
#' higher, two where it is also at least twice as likely, and down arrows
#' for lower; suppressed cells show `"c"`. A row with no ratio to show
#' (every cell suppressed, or no such episode in any class) is left out, and
#' attribute `note` names it. With `what = "p_value"` or `"interval"` it is
#' the same table of the adjusted p-values or intervals, so that every arrow
#' can be checked.
#'
#' `profile_findings()` writes the flagged rows as sentences: "Episodes in
#' the *Neglect* category were 2.3 times as likely to involve a child aged
#' 0-4 as episodes in the other categories (38.0% against 16.0%)." The
#' percentages are those the tables of counts print ([class_crosstab()]: of
#' the expected counts rounded to whole episodes), so a sentence and its
#' table cell always agree. Within a class, findings come in order of the
#' number of the class's episodes they concern: the class's episodes times
#' the difference between the two percentages (so a large difference on a
#' large group leads, not a large ratio on a handful); attribute `rows` gives
#' the rows behind the sentences. A finding is written only when
#' * the profile's test is significant (its `flag`: at level `alpha` after
#'   the profile's adjustment for multiple comparisons, see
#'   [class_profile()]), and
#' * at least `min_episodes` episodes have the characteristic both in the
#'   class and in the other classes, so that no headline rests on a handful
#'   of episodes; suppressed cells are never described.
#'
#' Ratios are written as English a reader can repeat ([ratio_phrase()]):
#' "2.3 times as likely", "twice as likely", "about half as likely", "less
#' than a third as likely", never "times less likely". Levels are written
#' as phrases ("a referral from the police", "a child whose gender is not
#' known"), not pasted labels.
#'
#' @param x A profile from [class_profile()].
#' @param labels Optional named character vector of headings for the
#'   characteristics (names: the profile's `variable` values).
#' @param what What each cell of `profile_ratio_table()` holds: `"ratio"` (the
#'   default: the ratio and its arrows), `"p_value"` (the adjusted p-value of
#'   the test behind the arrows, as [class_profile()] computes it: an arrow
#'   means it is under the profile's `alpha`) or `"interval"` (the confidence
#'   interval of the ratio). Suppressed cells are `"c"` in every form.
#' @param max_per_class Most findings per class (default 4).
#' @param min_episodes Fewest episodes with the characteristic, in the class
#'   and in the other classes alike, for a finding to be written (default
#'   30).
#' @param distinct At most one finding per characteristic in each class
#'   (default `TRUE`): the other levels of the same characteristic (the other
#'   age groups, Male beside Female) say the same difference again.
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
#' profile_ratio_table(prof, what = "p_value")
#' profile_findings(prof)
profile_ratio_table <- function(x, labels = NULL, what = c("ratio", "p_value", "interval")) {
  check_profile(x)
  what <- rlang::arg_match(what)
  arrows <- c("much higher" = "\u2191\u2191", "higher" = "\u2191",
              "lower" = "\u2193", "much lower" = "\u2193\u2193")
  ratio <- ifelse(x$suppressed, "c",
                  trimws(paste(x$display, ifelse(x$flag %in% names(arrows), arrows[x$flag], ""))))
  cell <- switch(what, ratio = ratio,
                 p_value = ifelse(is.na(x$p_value), ratio, format_p_adjusted(x$p_value, attr(x, "alpha"))),
                 interval = ifelse(is.na(x$lower) | x$display == "c", ratio,
                                   paste(formatC(x$lower, format = "f", digits = 2), "to",
                                         formatC(x$upper, format = "f", digits = 2))))
  key <- paste(profile_var_label(x$variable, labels), x$level, sep = ": ")
  key <- factor(key, levels = unique(key))
  w <- tapply(cell, list(key, x$class), function(v) v[1])
  w[is.na(w)] <- ""
  # a row that shows no ratio (every cell suppressed, or none in the class)
  # says nothing: it is left out, and the note says so
  says <- tapply(!ratio %in% c("c", "n/a", ""), key, any)
  gone <- rownames(w)[!says[rownames(w)]]
  w <- w[says[rownames(w)], , drop = FALSE]
  out <- data.frame(Characteristic = rownames(w), unclass(w), check.names = FALSE,
                    stringsAsFactors = FALSE)
  rownames(out) <- NULL
  attr(out, "note") <- if (length(gone)) ratio_gone_note(gone, ratio, key)
  out
}

# Why rows of the table of likelihood ratios are left out, from what their
# cells hold: every cell suppressed ("c"), no episode with the
# characteristic in any category ("n/a" or empty), or some of each. Rows
# with the same reason are named together.
ratio_gone_note <- function(gone, ratio, key) {
  why <- vapply(gone, function(g) {
    cells <- ratio[key == g]
    supp <- cells == "c"
    if (all(supp)) "every cell is suppressed to protect confidentiality"
    else if (!any(supp)) "no category has an episode with that characteristic"
    else "each cell is either suppressed or has no such episode"
  }, "")
  parts <- vapply(unique(why), function(w) {
    g <- gone[why == w]
    paste0(and_list(paste0("\u201c", g, "\u201d")), if (length(g) == 1) " is" else " are",
           " left out: ", if (length(g) == 1) "in its row " else "in their rows ", w)
  }, "")
  paste0(paste(parts, collapse = "; "), ".")
}

# Adjusted p-values in the report's one style (format_p(): two decimals from
# 0.1, two significant figures below, "< 0.01", "< 0.001", "> 0.99", never
# "1" or "1.000"; reader 10: the appendix printed "0.702" beside "0.30" and
# "0.041" elsewhere), with one more significant figure where two would round
# across the level ("0.0496", not "0.050", for a p-value under 0.05), and
# "< 0.01" written "0.0043" where the level is 0.01 or lower.
format_p_adjusted <- function(p, alpha = 0.05) {
  out <- format_p(p)
  shown <- suppressWarnings(as.numeric(out))
  cross <- !is.na(p) & !is.na(shown) & (p < alpha) != (shown < alpha)
  out[cross] <- formatC(signif(p[cross], 3), format = "fg", digits = 3)
  low <- !is.na(p) & p >= 0.001 & p < 0.01 & alpha <= 0.01
  out[low] <- formatC(signif(p[low], 2), format = "fg", digits = 2)
  out
}

flag_marks <- c("much higher" = "++", "higher" = "+", "lower" = "-", "much lower" = "--")

#' @rdname profile_ratio_table
#' @export
profile_findings <- function(x, labels = NULL, max_per_class = 4, min_episodes = 30, distinct = TRUE) {
  check_profile(x)
  check_count(max_per_class)
  check_flag(distinct)
  check_number(min_episodes, min = 0)
  ok <- x$flag %in% names(flag_marks) & !x$suppressed & !is.na(x$ratio) &
    !is.na(x$n) & x$n >= min_episodes & !is.na(x$n_other) & x$n_other >= min_episodes
  f <- x[ok, , drop = FALSE]
  # the percentages as the tables of counts print them: of the expected
  # counts rounded to whole episodes, computed and formatted once
  f$pct_shown <- f$pct_printed %||% published_pct(f$n, f$n_class)
  f$pct_other_shown <- published_pct(f$n_other_printed %||% f$n_other, f$n_other_class_printed %||% f$n_other_class)
  # importance: the episodes of the category that differ from what the
  # other categories' rate would give (size and absolute difference together)
  f$weight <- abs(f$pct - f$pct_other) * f$n_class / 100
  out <- character()
  src <- f[0, , drop = FALSE]
  for (k in levels(x$class)) {
    d <- f[f$class == k, , drop = FALSE]
    if (!nrow(d)) next
    d <- d[order(-d$weight, d$p_value), , drop = FALSE]
    # one finding per characteristic: the other levels of an age split, or
    # Male beside Female, say the same difference again
    if (distinct) d <- d[!duplicated(d$variable), , drop = FALSE]
    d <- utils::head(d, max_per_class)
    # the words follow the two percentages the sentence prints (a reader
    # divides them): 47.8% against 30.9% is 1.547, "1.5 times", even when
    # the unrounded ratio is 1.5502
    shown <- as.numeric(formatC(d$pct_shown, format = "f", digits = 1)) /
      as.numeric(formatC(d$pct_other_shown, format = "f", digits = 1))
    s <- paste0(category_in_text(k), " were ", ratio_phrase(ifelse(is.finite(shown), shown, d$ratio)), " to involve ",
                vapply(seq_len(nrow(d)), function(i) profile_phrase(d$variable[i], d$level[i], labels), ""),
                " as episodes in the other categories (", fmt_pct(d$pct_shown), " against ",
                fmt_pct(d$pct_other_shown), ").")
    out <- c(out, stats::setNames(s, rep(k, length(s))))
    src <- rbind(src, d)
  }
  rownames(src) <- NULL
  # a plain data frame: rows of a profile without its attributes are not a profile
  rows <- src[c("class", "variable", "level", "pct_shown", "pct_other_shown", "weight")]
  class(rows) <- "data.frame"
  attr(out, "rows") <- rows
  out
}

# A category in a sentence, one form everywhere: its name as the tables
# print it, in italics, as "Episodes in the *Name* category".
category_in_text <- function(k) paste0("Episodes in the *", k, "* category")

# A published percentage of expected counts: of the counts rounded to whole
# episodes, as every table prints them (so a sentence and its table cell agree).
published_pct <- function(a, A) {
  a <- round(a)
  A <- round(A)
  ifelse(A > 0, 100 * a / A, NA_real_)
}

fmt_pct <- function(x) paste0(formatC(x, format = "f", digits = 1), "%")

#' A ratio of two chances in words
#'
#' Writes a risk ratio as a reader would say it: ratios of 1 or more as
#' "1.3 times as likely", "twice as likely" (2.0 to one decimal), "12 times as
#' likely" (the ratio rounded once, to one decimal: 1.547 is "1.5 times");
#' ratios under 1 as a fraction of the chance, never as "times less
#' likely": "about half as likely" when the ratio, to the two decimals a table
#' of ratios prints, is within 6% of a simple fraction (nine-tenths, four-fifths, three-quarters, two-thirds,
#' three-fifths, a half, two-fifths, a third, a quarter, a fifth, a sixth, an
#' eighth, a tenth), else "less than" the nearest such fraction above it
#' ("less than a third as likely"), or "less than a tenth as likely". Ratios
#' from 0.95 to under 1.05 are "about as likely". Every phrase is true of the
#' ratio it describes, and ratios that print the same get the same words.
#'
#' @param ratio Positive numbers (risk ratios).
#' @return A character vector, one phrase per ratio (`NA` for `NA` or
#'   non-positive ratios).
#' @family profiling
#' @export
#' @examples
#' ratio_phrase(c(2.3, 2.01, 1.34, 1, 0.5, 0.45, 0.34, 0.29, 0.05))
ratio_phrase <- function(ratio) {
  if (!is.numeric(ratio)) {
    abort_input(c("{.arg ratio} must be numeric.", x = "It is {.cls {class(ratio)}}."))
  }
  vapply(ratio, ratio_phrase1, character(1))
}

ratio_fractions <- c("nine-tenths" = 9 / 10, "four-fifths" = 4 / 5, "three-quarters" = 3 / 4,
                     "two-thirds" = 2 / 3, "three-fifths" = 3 / 5, "half" = 1 / 2,
                     "two-fifths" = 2 / 5, "a third" = 1 / 3, "a quarter" = 1 / 4,
                     "a fifth" = 1 / 5, "a sixth" = 1 / 6, "an eighth" = 1 / 8, "a tenth" = 1 / 10)

ratio_phrase1 <- function(r) {
  if (is.na(r) || !is.finite(r) || r <= 0) return(NA_character_)
  if (r >= 0.95 && r < 1.05) return("about as likely")
  if (r >= 1) {
    txt <- if (r >= 10) formatC(r, format = "f", digits = 0) else formatC(r, format = "f", digits = 1)
    return(if (txt == "2.0") "twice as likely" else paste(txt, "times as likely"))
  }
  # the words follow the ratio as printed (two decimals), so one printed
  # ratio always gets one phrase
  r <- max(as.numeric(formatC(r, format = "f", digits = 2)), 0.01)
  near <- abs(log(r / ratio_fractions)) <= log(1.06)
  if (any(near)) {
    i <- which(near)[which.min(abs(log(r / ratio_fractions[near])))]
    return(paste("about", names(ratio_fractions)[i], "as likely"))
  }
  above <- ratio_fractions[ratio_fractions > r]
  paste("less than", names(above)[which.min(above)], "as likely")
}

check_profile <- function(x, arg = rlang::caller_arg(x), call = rlang::caller_env()) {
  if (!inherits(x, "cscdemand_profile")) {
    abort_input(c("{.arg {arg}} must be a profile from {.fn class_profile}.",
                  x = "It is {.cls {class(x)}}."), call = call)
  }
}

# Headings and phrases for the characteristics the report profiles.
profile_var_names <- c(age_group = "Age", gender = "Gender", ethnicity = "Ethnicity",
                       ethnic_group = "Ethnic group", disability = "Disability status in the child's record",
                       referral_source = "Referral source", rereferral = "Re-referral",
                       primary_need = "Primary need", nfa = "No further action",
                       not_in_need = "Assessed not in need", cin_plan = "Child in need plan, at any step",
                       s47 = "Section 47 enquiry", icpc = "Initial child protection conference",
                       cp_plan = "Child protection plan", looked_after = "Looked after",
                       step_down = "Stepped down to early help",
                       threshold_reached = "Highest threshold", n_factors = "Number of factors")

profile_var_label <- function(v, labels = NULL) {
  lab <- c(profile_var_names, labels)
  out <- unname(lab[v])
  ifelse(is.na(out), v, out)
}

# A level of a characteristic as a noun phrase that reads in "were ... as
# likely to involve <phrase>". Known characteristics have phrase tables; a
# level the table does not know, and any other characteristic, is written
# as '<characteristic> recorded as "<level>"', never a bare label.
profile_phrase <- function(v, level, labels = NULL) {
  if (level %in% c("(missing)", "Missing")) {
    return(paste0("an episode with no ", tolower(profile_var_label(v, labels)), " recorded"))
  }
  if (!is.null(labels) && v %in% names(labels)) return(recorded_as(labels[[v]], level))
  yes <- level %in% c("yes", "1", "TRUE")
  no <- level %in% c("no", "0", "FALSE")
  yn <- function(a, b) if (yes) a else if (no) b else recorded_as(profile_var_label(v), level)
  switch(v,
    age_group = age_phrase(level),
    gender = switch(level, Male = "a boy", Female = "a girl",
                    Unknown = , "Not known" = "a child whose gender is not known",
                    recorded_as("the child's gender", level)),
    ethnicity = , ethnic_group = ethnicity_phrase(level),
    disability = if (yes || level == "Disabled") "a disabled child" else
      if (no || level == "Not recorded as disabled") "a child not recorded as disabled" else
        recorded_as("disability", level),
    referral_source = referral_phrase(level),
    primary_need = if (level %in% c("Not stated", "N0")) "no primary need stated" else
      paste("a primary need of", lower_first(level)),
    rereferral = yn("a re-referral within 12 months", "a first referral"),
    nfa = yn("no further action", "further action"),
    not_in_need = yn("a child assessed as not in need", "a child assessed as in need"),
    cin_plan = yn("a child in need plan", "no child in need plan"),
    s47 = yn("a section 47 enquiry", "no section 47 enquiry"),
    icpc = yn("an initial child protection conference", "no initial child protection conference"),
    cp_plan = yn("a child protection plan", "no child protection plan"),
    looked_after = yn("the child becoming looked after", "the child not becoming looked after"),
    step_down = yn("a step down to early help", "no step down to early help"),
    threshold_reached = threshold_phrase(level),
    n_factors = if (grepl("^[0-9]+$", level)) paste(level, if (level == "1") "factor" else "factors") else
      recorded_as("the number of factors", level),
    if (yes) paste0("\"", profile_var_label(v), "\"") else recorded_as(profile_var_label(v), level))
}

recorded_as <- function(what, level) paste0(lower_first(what), " recorded as \"", level, "\"")

age_phrase <- function(level) {
  if (level %in% c("Unborn", "unborn")) return("an unborn child")
  if (grepl("^[0-9]+-[0-9]+$", level)) return(paste("a child aged", level))
  if (grepl("^[0-9]+\\+$", level)) return(paste("a child aged", sub("+", " or over", level, fixed = TRUE)))
  if (grepl("^[0-9]+ (and|or) (over|older)$", level)) return(paste("a child aged", sub("^([0-9]+).*", "\\1 or over", level)))
  if (grepl("^under [0-9]+$", tolower(level))) return(paste("a child aged", tolower(level)))
  if (tolower(level) %in% c("unknown", "not known")) return("a child whose age is not known")
  recorded_as("the child's age", level)
}

ethnicity_phrase <- function(level) {
  fixed <- c(White = "a White child", Mixed = "a child of mixed ethnicity", Asian = "an Asian child",
             Black = "a Black child", Other = "a child of another ethnic group",
             "Any other ethnic group" = "a child of another ethnic group",
             "Not known" = "a child whose ethnicity is not known",
             Refused = "a child whose family declined to give an ethnicity",
             "Information not yet obtained" = "a child whose ethnicity was not yet obtained",
             "Gypsy/Roma" = "a Gypsy or Roma child",
             "Traveller of Irish heritage" = "a Traveller child of Irish heritage")
  if (level %in% names(fixed)) return(fixed[[level]])
  if (grepl("^Any other ", level)) return(paste("a child of another", sub("^Any other ", "", level)))
  if (grepl("^[A-Z][a-z]+( [A-Z][a-z]+)*$", level) && !grepl(" and ", level)) {
    return(paste0(if (grepl("^[AEIOU]", level)) "an " else "a ", level, " child"))
  }
  if (grepl("^White and ", level)) return(paste("a child of", level, "heritage"))
  recorded_as("the child's ethnicity", level)
}

# The DfE referral sources (cin_code_labels("referral_source")) as phrases.
referral_phrase <- function(level) {
  from <- c("Individual: family member, relative or carer" = "a family member, relative or carer",
            "Individual: acquaintance" = "an acquaintance", "Individual: other" = "another individual",
            "Schools" = "a school", "Education services" = "education services",
            "Health: GP" = "a GP", "Health: health visitor" = "a health visitor",
            "Health: school nurse" = "a school nurse",
            "Health: other primary health services" = "other primary health services",
            "Health: A&E" = "A&E", "Health: other" = "other health services",
            "Housing" = "housing services", "LA services: social care" = "the council's social care",
            "LA services: other internal" = "other services of the council",
            "LA services: external" = "services of another council",
            "LA services: early help" = "early help", "Police" = "the police",
            "Other legal agency" = "another legal agency", "Other" = "another source")
  if (level %in% names(from)) return(paste("a referral from", from[[level]]))
  # a family of sources counted together ("Individual", "Health: A&E, GP or other")
  fam <- c(Individual = "an individual", Health = "health services", "LA services" = "the council's services")
  pre <- sub(":.*$", "", level)
  if (pre %in% names(fam) && (level == pre || grepl(" or ", level))) {
    return(paste0("a referral from ", fam[[pre]],
                  if (level != pre) paste0(" (", sub("^[^:]+: ", "", level), ")")))
  }
  switch(level, "Individual: self" = "a self-referral", Anonymous = "an anonymous referral",
         Unknown = , "Not known" = "a referral from an unknown source",
         recorded_as("the source of referral", level))
}

threshold_phrase <- function(level) {
  ph <- c("Assessed not in need" = "an assessment that the child is not in need",
          "In need, no plan" = "a child found in need with no plan",
          "CIN plan" = "a child in need plan as the highest step",
          "Section 47" = "a section 47 enquiry as the highest step",
          "ICPC" = "an initial child protection conference as the highest step",
          "CP plan" = "a child protection plan")
  if (level %in% names(ph)) ph[[level]] else recorded_as("the highest threshold", level)
}
