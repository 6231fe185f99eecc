#' The number of categories a report uses, and the argument for it
#'
#' The rule the report follows, stated once: the number of categories K is
#' the one with the lowest SABIC (the sample-size adjusted BIC) among models
#' with at least two categories, unless the analyst fixed it (`k_use`).
#' The rule was chosen with a simulation study (`bench/study-k-selection.R`,
#' results in `inst/extdata/k_selection_study.csv`; the vignette's section
#' "Choosing the number of categories"): of the information criteria the
#' report always has, the one that picked the true K most often among those
#' that chose too many categories in at most 10% of the data sets. On data
#' shaped like the councils' returns BIC (Kingston University's rule) chose
#' too few categories more often, merging small or similar ones; AIC chose
#' too many. The text quotes the study's rates for the rule and for BIC. The
#' other criteria are reported beside it: BIC, SABIC, AIC and CAIC from the
#' enumeration (in the note for the statistician), cross-validation (the K
#' with the highest held-out log-likelihood) and the bootstrap likelihood
#' ratio test (the K before the first K whose gain over K - 1 is not
#' significant at `alpha`, among the Ks tested; the note names them, as
#' [report_blrt()] tests only next to the chosen K). Where they disagree the
#' text says which measures point where ("BIC, SABIC, CAIC and the bootstrap
#' test point to seven; AIC and cross-validation to eight"), and why the
#' rule still picks K. It says that the evidence favours more categories
#' only when most of the measures other than AIC (which chose too many in
#' the study) point higher, never when one or two do.
#'
#' @param enumeration The table of [lca_enumerate()] (`$table`: columns `k`,
#'   `BIC` and `SABIC`, or `loglik`, `npar` and `nobs` to compute them from,
#'   and optionally `AIC`, `CAIC`, `n_best`, `n_finished`), or the
#'   enumeration itself.
#' @param cv Optional table of [lca_cv()] (columns `k`, `heldout_ll`), or the
#'   object.
#' @param blrt Optional table of [lca_blrt()] results, one row per K
#'   (columns `k`, `p_value`).
#' @param k_use Optional K fixed by the analyst.
#' @param blrt_reps Replicates of the test (for the text).
#' @param blrt_size,blrt_total The test's sample size and the number of
#'   episodes it was drawn from (for the text; equal when no sample).
#' @param seed The seed of the sample (for the text).
#' @param alpha Significance level of the test (default 0.05).
#' @param n_text How the text writes the number of episodes the model was
#'   fitted to (default: the number, from `nobs` or `blrt_total`); a pooled
#'   model's report passes [report_pooled_total()]'s text.
#' @details When that number is outside the sizes of the study's data sets,
#'   the text says so and that the study's figures do not apply, and it
#'   draws no verdict from the study's comparison of the rule with a check.
#'   When the measures (BIC, SABIC, CAIC, cross-validation and the test) are
#'   two or more categories apart, it says so and what that means for how
#'   firm the categories are. Cross-validation whose best number cannot be
#'   told apart from others is not counted as agreeing.
#' @return A list: `k` (the K used), `rule` (the rule's criterion,
#'   `"SABIC"`), `k_rule` (the K the rule gives), `k_bic`, `k_cv`, `k_blrt` (`NA` when
#'   not computed; for the test, the largest K tested when every gain is
#'   significant), `k_ic` (the K with the lowest value of each information
#'   criterion in the table: BIC, SABIC, AIC, CAIC), `agree` (logical:
#'   cross-validation and the test, where computed, point to `k`), `study_range`
#'   (`"below"`, `"inside"` or `"above"` the study's sizes; `NA` when the
#'   number of episodes is not known), `spread` (how many categories apart
#'   the measures are), `text` (a paragraph in plain
#'   English, Markdown) and `note` (the technical detail, a paragraph headed
#'   "For the statistician").
#' @family report
#' @export
#' @examples
#' tab <- data.frame(k = 1:5, BIC = c(500, 450, 440, 445, 452), SABIC = c(490, 441, 428, 426, 430),
#'                   AIC = c(495, 440, 425, 420, 422), n_best = 5, n_finished = 5)
#' cv <- data.frame(k = 1:5, heldout_ll = c(-5, -4.8, -4.7, -4.69, -4.7))
#' bl <- data.frame(k = 2:5, p_value = c(0.01, 0.01, 0.2, 0.5))
#' kc <- report_k_choice(tab, cv, bl, blrt_reps = 99)
#' kc$text
#' kc$note
report_k_choice <- function(enumeration, cv = NULL, blrt = NULL, k_use = NULL, blrt_reps = NULL,
                            blrt_size = NULL, blrt_total = NULL, seed = NULL, alpha = 0.05, n_text = NULL) {
  tb <- if (is.data.frame(enumeration)) enumeration else enumeration$table
  # how clearly cross-validation prefers its number, fold by fold (when the
  # folds are at hand)
  cv_txt <- if (inherits(cv, "cscdemand_lca_cv") && !is.null(cv$folds)) report_cv_text(cv)
  cv_near <- cv_txt$near
  if (!is.null(cv) && !is.data.frame(cv)) cv <- cv$table
  check_data_frame(tb)
  check_column(tb, "k")
  two <- tb$k >= 2
  if (!any(two)) {
    abort_input(c("The categories need at least 2 classes: widen the range of K.",
                  x = "The enumeration holds K = {tb$k} only."), class = "cscdemand_error_data")
  }
  rule <- k_rule_criterion
  tb <- k_rule_column(k_rule_column(tb, "BIC"), rule)
  ics <- intersect(c("BIC", "SABIC", "AIC", "CAIC"), names(tb))
  k_ic <- vapply(ics, function(ic) tb$k[which.min(tb[[ic]])], numeric(1))
  k_bic <- tb$k[which.min(tb$BIC)]
  k_best <- tb$k[which.min(tb[[rule]])]
  k_rule <- if (k_best >= 2) k_best else tb$k[two][which.min(tb[[rule]][two])]
  k <- if (!is.null(k_use)) k_use else k_rule
  k_cv <- if (is.null(cv)) NA else cv$k[which.max(cv$heldout_ll)]
  k_blrt <- NA
  if (!is.null(blrt) && nrow(blrt)) {
    blrt <- blrt[order(blrt$k), ]
    ns <- blrt$k[blrt$p_value > alpha]
    k_blrt <- if (length(ns)) min(ns) - 1 else max(blrt$k)
  }
  agree <- all(c(k_cv, k_blrt)[!is.na(c(k_cv, k_blrt))] == k)
  nobs <- if (!is.null(tb$nobs)) tb$nobs[1] else blrt_total
  study <- k_study_rates()
  crit <- list(k = k, k_bic = k_bic, k_best = k_best, k_rule = k_rule, k_use = k_use, k_ic = k_ic,
               k_cv = k_cv, k_blrt = k_blrt, blrt = blrt, agree = agree, rule = rule,
               study = study, cv_near = cv_near, cv_text = cv_txt$text, nobs = nobs,
               n_text = n_text %||% (if (!is.null(nobs)) format(nobs, big.mark = ",", scientific = FALSE)),
               range = k_study_range(study, nobs),
               total_text = if (!is.null(n_text) && !is.null(blrt_total) && identical(as.numeric(blrt_total), as.numeric(nobs))) n_text)
  txt <- report_k_text(tb, crit, blrt_reps, blrt_size, blrt_total, seed, alpha)
  list(k = k, rule = rule, k_rule = k_rule, k_bic = k_bic, k_cv = k_cv, k_blrt = k_blrt, k_ic = k_ic,
       agree = agree, study_range = crit$range, spread = k_spread(crit), analyst = !is.null(k_use),
       text = txt$text, note = txt$note)
}

#' The summary's clause on how firm the number of categories is
#'
#' The section on choosing the number of categories hedges it when the
#' measures (BIC, SABIC, CAIC, cross-validation, the bootstrap test) are two
#' or more categories apart ("not a firm finding"), and when the model's
#' episodes are outside the sizes of the simulation study that checked the
#' rule. The summary carries the same hedges, from the same quantities
#' ([report_k_choice()]'s `spread` and `study_range`), in one sentence.
#'
#' @param kc The result of [report_k_choice()].
#' @param section The title of the report's section, cited.
#' @return One sentence (Markdown), or `NULL` when the body has no hedge.
#' @family report
#' @export
#' @examples
#' tab <- data.frame(k = 1:5, BIC = c(500, 450, 440, 445, 452), SABIC = c(490, 441, 428, 426, 430),
#'                   AIC = c(495, 440, 425, 420, 422), n_best = 5, n_finished = 5)
#' bl <- data.frame(k = 2:5, p_value = c(0.01, 0.01, 0.01, 0.5))
#' report_k_summary(report_k_choice(tab, blrt = bl, blrt_reps = 99))
report_k_summary <- function(kc, section = "Choosing the number of categories") {
  sp <- kc$spread
  spread <- length(sp) && sp >= 2
  outside <- isTRUE(kc$study_range %in% c("below", "above"))
  if (!spread && !outside) return(NULL)
  picks <- attr(sp, "picks")
  # the body says "not a firm finding" (k_spread_sentence()); the summary
  # says the same in its own words, once (reader 10)
  paste0(cap_first(count_words(kc$k)), " is ", if (isTRUE(kc$analyst)) "the analyst's" else "the rule's", " choice",
         if (spread) paste0(": the data do not settle the number, and the measures range from ", count_words(min(picks)), " to ",
                            count_words(max(picks)), " categories"),
         if (outside) paste0(if (spread) ", and" else ", but", " the study that checked the rule had no data set as ",
                             if (kc$study_range == "below") "small" else "large", " as this one"),
         " (see *", section, "*).")
}

#' How a pooled model's number of episodes is written
#'
#' A council's report publishes its own number of episodes. When its model is
#' fitted to several councils' episodes together, the number fitted, less the
#' council's, is the other councils' count. The report gives that number
#' exactly: the fit's statistics printed beside it (BIC and AIC with their
#' number of parameters: BIC - AIC = p(ln n - 2)) give it back to within a few
#' episodes anyway, so rounding it would promise a protection the report
#' cannot keep, and a count of many episodes over several councils
#' identifies nobody. A small count would: other councils whose episodes
#' number fewer than the threshold in all are not pooled at all
#' ([report_data()] leaves them out); `safe` says whether that holds.
#'
#' @param n_all Episodes the model was fitted to.
#' @param n_own The council's episodes.
#' @param threshold The small-number threshold (default 10).
#' @return A list: `text` (the number as the report writes it, exact, with
#'   a thousands separator), `pooled` (`TRUE` when the model is fitted to
#'   more episodes than the council's) and `safe` (`FALSE` when the other
#'   councils' episodes are fewer than `threshold` in all).
#' @family report
#' @export
#' @examples
#' report_pooled_total(5284, 1659)$text
#' report_pooled_total(1659, 1659)$text
report_pooled_total <- function(n_all, n_own, threshold = 10) {
  check_count(n_all)
  check_count(n_own)
  fmt <- function(x) format(x, big.mark = ",", scientific = FALSE)
  if (n_all <= n_own) return(list(text = fmt(n_all), pooled = FALSE, safe = TRUE))
  list(text = fmt(n_all), pooled = TRUE, safe = n_all - n_own >= threshold)
}

# The report's rule for K: the lowest value of this criterion among models
# with at least two categories. Chosen from the K-selection study
# (inst/extdata/k_selection_study.csv; the vignette's "Choosing the number
# of categories"); tests/testthat/test-report-text.R checks that the
# study's table still supports it.
k_rule_criterion <- "SABIC"

k_rule_label <- c(BIC = "BIC", SABIC = "SABIC (BIC adjusted for the number of episodes)", AIC = "AIC", CAIC = "CAIC")

# The enumeration table with the rule's column: computed from loglik, npar
# and nobs when absent (an enumeration table made by hand).
k_rule_column <- function(tb, rule, call = rlang::caller_env()) {
  if (rule %in% names(tb)) return(tb)
  if (all(c("loglik", "npar", "nobs") %in% names(tb))) {
    tb[[rule]] <- switch(rule,
      BIC = -2 * tb$loglik + tb$npar * log(tb$nobs),
      SABIC = -2 * tb$loglik + tb$npar * log((tb$nobs + 2) / 24),
      AIC = -2 * tb$loglik + 2 * tb$npar,
      CAIC = -2 * tb$loglik + tb$npar * (log(tb$nobs) + 1))
    return(tb)
  }
  abort_input(c("The enumeration table has no column {.field {rule}}, which the report's choice of K needs.",
                i = "Pass the table of {.fn lca_enumerate} (it has {.field {rule}}), or columns {.field loglik}, {.field npar} and {.field nobs}."),
              class = "cscdemand_error_data", call = call)
}

# How often each criterion picked the true K in the K-selection study that
# ships with the package: per criterion, the data sets it ran on (a data set
# is complete for the information criteria when its CAIC row is written;
# cross-validation and the test may have run on fewer, as the largest data
# sets run only the information criteria) and the shares that picked the
# true K, too few and too many. Attribute `sets`: every data set's true K,
# size and each criterion's pick (NA where it did not run), so that two
# criteria are compared on the data sets both ran on (k_study_pair()).
k_study_rates <- function(path = system.file("extdata", "k_selection_study.csv", package = "cscdemand")) {
  st <- utils::read.csv(path, stringsAsFactors = FALSE)
  st$set <- paste(st$k_true, st$n, st$rep)
  st <- st[st$set %in% st$set[st$criterion == "CAIC"], ]
  out <- do.call(rbind, lapply(split(st, st$criterion), function(d) {
    data.frame(criterion = d$criterion[1], data_sets = nrow(d), hit = mean(d$k_pick == d$k_true),
               under = mean(d$k_pick < d$k_true), over = mean(d$k_pick > d$k_true))
  }))
  rownames(out) <- out$criterion
  sets <- unique(st[c("set", "k_true", "n")])
  for (cr in unique(st$criterion)) {
    d <- st[st$criterion == cr, ]
    sets[[cr]] <- d$k_pick[match(sets$set, d$set)]
  }
  attr(out, "sets") <- sets
  out
}

# Two criteria of the study on the data sets both ran on: how many, how
# often each found the true number and chose too many, and where they
# disagreed, which of them was right.
k_study_pair <- function(study, a, b) {
  sets <- attr(study, "sets")
  if (is.null(sets) || !all(c(a, b) %in% names(sets))) return(NULL)
  s <- sets[!is.na(sets[[a]]) & !is.na(sets[[b]]), ]
  if (!nrow(s)) return(NULL)
  dis <- s[[a]] != s[[b]]
  list(n = nrow(s), hit_a = sum(s[[a]] == s$k_true), hit_b = sum(s[[b]] == s$k_true),
       over_a = sum(s[[a]] > s$k_true), over_b = sum(s[[b]] > s$k_true),
       disagree = sum(dis), right_a = sum(dis & s[[a]] == s$k_true), right_b = sum(dis & s[[b]] == s$k_true),
       k_true = sort(unique(s$k_true)), sizes = range(s$n))
}

# The plain-English paragraph (for the head of service) and the note for the
# statistician. `crit` holds the K of each criterion (report_k_choice()).
# Each point is made once (reader 10, F5): the rule and why it was fixed in
# advance, where the checks point and what the study says of the rule's
# errors in plain words; every count of the study, the checks' comparisons
# with the rule and cross-validation's gaps in the note only.
report_k_text <- function(tb, crit, reps, size, total, seed, alpha) {
  k <- crit$k
  cats <- function(x) paste(count_words(x), if (x == 1) "category" else "categories")
  rule <- if (!is.null(crit$k_use)) {
    paste0("**This report uses ", cats(k), ", as set by the analyst.** The rule the report otherwise ",
           "follows, the lowest ", crit$rule, " with at least two categories, gives ", count_words(crit$k_rule), ".")
  } else {
    paste0("**This report uses ", cats(k), ".** Models with ", count_words(min(tb$k)), " to ", count_words(max(tb$k)),
           " categories were compared, and the report takes the number with the lowest ", k_rule_label[[crit$rule]],
           ", a score that rewards a model for describing the episodes well and charges it for every extra ",
           "category. The rule was fixed before looking at the categories, so that the number is not chosen to suit ",
           "the categories it gives. ", k_study_sentence(crit), k_study_range_sentence(crit))
  }
  out <- c(rule, if (crit$k_best == 1 && is.null(crit$k_use)) {
    paste0("One category fits best by this score, but a single category describes nothing, so the ",
           "report uses the best model with at least two; read the tables with caution.")
  })
  out <- c(out, report_k_disagree(crit, tb, size, total), k_spread_sentence(crit))
  list(text = gsub("  +", " ", paste(out, collapse = " ")),
       note = report_k_note(tb, crit, reps, size, total, seed, alpha))
}

pct <- function(x) paste0(round(100 * x), "%")

# Where the model's number of episodes stands against the study's data
# sets: "below" its smallest, "above" its largest, "inside", NA when unknown.
k_study_range <- function(study, nobs) {
  sets <- attr(study, "sets")
  if (is.null(sets) || is.null(nobs) || !length(nobs) || is.na(nobs)) return(NA_character_)
  r <- range(sets$n)
  if (nobs < r[1]) "below" else if (nobs > r[2]) "above" else "inside"
}

# "the 18,641" but "about 5,300" (a rounded number takes no article)
the_n <- function(x) if (grepl("^about ", x)) x else paste("the", x)

k_outside <- function(crit) isTRUE(crit$range %in% c("below", "above"))

# Said plainly when the model's episodes are outside the study's range: its
# accuracy figures are of other sizes and do not apply; below the smallest,
# what the study shows of size (how often the rule chose too few categories
# in its smallest data sets against the larger ones), from its table.
k_study_range_sentence <- function(crit) {
  if (!k_outside(crit)) return("")
  sets <- attr(crit$study, "sets")
  fmt <- function(x) format(x, big.mark = ",", scientific = FALSE)
  r <- range(sets$n)
  if (crit$range == "above") {
    return(paste0(" The study's largest data sets had ", fmt(r[2]), " episodes and this model was fitted to ", crit$n_text,
                  ", more than any of them, so its figures are for smaller data sets than this one."))
  }
  rule <- crit$rule
  small <- sets[sets$n == r[1] & !is.na(sets[[rule]]), ]
  large <- sets[sets$n > r[1] & !is.na(sets[[rule]]), ]
  trend <- if (nrow(small) && nrow(large)) {
    u_s <- sum(small[[rule]] < small$k_true)
    u_l <- sum(large[[rule]] < large$k_true)
    if (u_s / nrow(small) > u_l / nrow(large)) {
      paste0(" In the study the rule chose too few categories more often in its smallest data sets (", u_s, " of ",
             nrow(small), " at ", fmt(r[1]), " episodes, against ", if (u_l == 0) "none" else u_l, " of ", nrow(large),
             " in the larger ones); with fewer episodes still, categories that are small or alike are harder to tell apart.")
    } else ""
  } else ""
  paste0(" But the study's smallest data sets had ", fmt(r[1]), " episodes, and this model was fitted to ", crit$n_text,
         ", fewer than any of them: the study's figures do not apply to this report, and nothing here measures how often ",
         "the rule finds the right number with so few episodes.", trend)
}

# The number of categories each measure favours (BIC, SABIC, CAIC,
# cross-validation, the bootstrap test; AIC, which chose too many in the
# study, is in the note only), and how far apart they are.
k_spread <- function(crit) {
  ic <- crit$k_ic[intersect(c("BIC", "SABIC", "CAIC"), names(crit$k_ic))]
  picks <- c(ic, CV = crit$k_cv, BLRT = crit$k_blrt)
  picks <- picks[!is.na(picks)]
  if (!length(picks)) return(0)
  structure(max(picks) - min(picks), picks = picks)
}

# When the measures are two or more categories apart, said in plain words,
# with what it means for how firm the categories are: the number is the
# rule's choice, not a finding; fewer categories would merge some of these,
# more would split some.
k_spread_sentence <- function(crit) {
  sp <- k_spread(crit)
  if (sp < 2) return(character())
  picks <- attr(sp, "picks")
  k <- crit$k
  lo <- min(picks)
  hi <- max(picks)
  who <- c(BIC = "BIC", SABIC = "SABIC", CAIC = "CAIC", CV = "cross-validation", BLRT = "the bootstrap test")
  lab <- who[names(picks)]
  lab[names(picks) == crit$rule] <- paste0(lab[names(picks) == crit$rule], " (the rule)")
  by_k <- split(unname(lab), unname(picks))
  ks <- sort(as.numeric(names(by_k)))
  say <- vapply(ks, function(kk) paste0(and_list(by_k[[as.character(kk)]]), " ", count_words(kk)), "")
  paste0("The measures are ", count_words(sp), " categories apart (", and_list(say), "), so the data do not settle how ",
         "many categories there are: ", count_words(k), " is ", if (!is.null(crit$k_use)) "the analyst's" else "the rule's",
         " choice, not a firm finding.",
         # "one category" agrees with its number (never "one categories")
         if (lo < k) paste0(" With ", cats_word(lo), if (lo == 1) " all" else " some", " of this report's would be merged"),
         if (lo < k && hi > k) ", and w" else if (hi > k) " W" else "",
         if (hi > k) paste0("ith ", count_words(hi), " some would be split"),
         if (lo < k || hi > k) "." else "",
         " Treat the broad division of the episodes as firmer than the distinctions between the most alike ",
         "categories, which other data or another year may not reproduce.")
}

# Which way the rule erred in the simulation study: "down" when it chose too
# few categories more often than too many, "up" the reverse, "" when it
# never erred or erred both ways as often.
k_rule_errs <- function(crit) {
  ru <- crit$study[crit$rule, ]
  if (ru$under > ru$over) "down" else if (ru$over > ru$under) "up" else ""
}

# What the simulation study found for the rule (and against BIC, Kingston
# University's rule, when the rule is another), in plain words: how often
# it found the number, and which way it erred. The counts ("33 of the 45")
# are in the note for the statistician (k_study_note()), once.
k_study_sentence <- function(crit) {
  r <- crit$study
  ru <- r[crit$rule, ]
  n <- ru$data_sets
  hit <- round(ru$hit * n)
  under <- round(ru$under * n)
  over <- round(ru$over * n)
  how_often <- if (hit == n) "in every data set" else if (hit / n >= 0.7) "in most data sets" else
    if (hit / n > 0.5) "in more than half of the data sets" else "in at most half of the data sets"
  bic <- if (crit$rule != "BIC" && "BIC" %in% rownames(r)) {
    gap <- hit - round(r["BIC", "hit"] * n)
    paste0(if (abs(gap) <= 1) ", about as often as" else if (gap > 1) ", more often than" else ", less often than",
           " BIC, the rule of Kingston University's study (2020)")
  } else ""
  few <- "too few (merging small or similar categories with others)"
  errs <- if (under + over == 0) "it never chose too many or too few" else
    if (over == 0) paste0("when it missed, it chose ", few, ", never too many") else
      if (under == 0) "when it missed, it chose too many, never too few" else
        if (under > over) paste0("when it missed, it chose ", few, " more often than too many") else
          if (over > under) "when it missed, it chose too many more often than too few" else
            "when it missed, it chose too few as often as too many"
  paste0("In a simulation study of data shaped like councils' returns (its figures are in the note below), this rule found ",
         "the number of categories the data were made with ", how_often, bic, "; ", errs, ".")
}

# Where every measure points, as a fact: "BIC, SABIC, CAIC and the bootstrap
# test point to seven; cross-validation and AIC to eight" (`meas`: each
# measure's number, named), with a word where one points to the most tried.
k_points_text <- function(meas, k, k_max) {
  ks <- sort(unique(meas))
  said <- vapply(seq_along(ks), function(i) {
    who <- names(meas)[meas == ks[i]]
    paste0(and_list(who), if (i == 1) (if (length(who) > 1) " point to " else " points to ") else " to ",
           count_words(ks[i]), if (ks[i] == k_max && ks[i] > k) " (the most tried: it may favour still more)" else "")
  }, "")
  paste(said, collapse = "; ")
}

# The sentence for a higher number whose best fit few random starts reached
# (it may fit better than the table shows), or NULL.
k_lone_text <- function(tb, hi) {
  nb <- tb$n_best[tb$k == hi]
  nf <- tb$n_finished[tb$k == hi]
  if (length(nb) && length(nf) && !is.na(nb) && nb < 3 && nf > nb) {
    paste0("The best fit with ", count_words(hi), " categories was found by only ", nb, " of ", nf, " random starts, so that model ",
           "may fit better than the table shows, which would favour it more.")
  }
}

# Where the two checks of the report point, in plain words, and what that
# means for the number the rule picked: said once, with the one reason the
# report keeps it (its rule was fixed in advance); the study's comparisons
# of each check with the rule are for the statistician (report_k_note()).
# Which measures point where is said as a fact; the text says that the
# evidence shown favours more categories only when most of the measures
# (BIC, SABIC, AIC, CAIC, cross-validation, the bootstrap test: those the
# report has) point higher (reader 12, N1).
report_k_disagree <- function(crit, tb, size, total) {
  k <- crit$k
  k_max <- max(tb$k)
  checks <- c(`cross-validation` = crit$k_cv, `the bootstrap test` = crit$k_blrt)
  checks <- checks[!is.na(checks)]
  if (!length(checks)) return(character())
  what <- c(`cross-validation` = "cross-validation (how well a model fitted to part of the episodes predicts the rest)",
            `the bootstrap test` = "a bootstrap test (whether one more category improves the fit by more than chance)")
  intro <- paste0("The report also ran ", and_list(what[names(checks)]), ".")
  # cross-validation's best number among others it cannot tell apart from
  # it is no agreement: the text says what it can and cannot tell
  loose <- !is.na(crit$k_cv) && length(crit$cv_near) > 1
  if (crit$agree && !loose) {
    return(c(intro, if (length(checks) > 1) "Both point to the same number." else "It points to the same number."))
  }
  if (crit$agree) {
    near <- setdiff(crit$cv_near, crit$k_cv)
    return(c(intro, paste0("Cross-validation scores ", count_words(k), " categories highest, but cannot tell ", count_words(k),
                           " apart from ", and_list(vapply(near, count_words, "")), " (see the note), so it does not single ",
                           "out a number: it is consistent with ", count_words(k), ", not evidence for it",
                           if (!is.na(crit$k_blrt)) paste0("; the bootstrap test points to ", count_words(crit$k_blrt)) else "", ".")))
  }
  off <- checks[checks != k]
  # where every measure points, said as a fact (reader 12, N1): "BIC, SABIC,
  # CAIC and the bootstrap test point to seven; cross-validation and AIC to
  # eight"
  meas <- k_measures(crit)
  points <- k_points_text(meas, k, k_max)
  # the evidence favours more categories only when most of the measures
  # point higher, not when one or two do; AIC, which chose too many in the
  # study, is named but not counted
  cnt <- meas[names(meas) != "AIC"]
  aic <- if ("AIC" %in% names(meas)) " other than AIC" else ""
  n_up <- sum(cnt > k)
  most_up <- n_up > length(cnt) / 2
  most_at <- sum(cnt == k) > length(cnt) / 2
  up <- names(off)[off > k]
  down <- names(off)[off < k]
  sampled <- !is.null(size) && !is.null(total) && size < total
  outside <- k_outside(crit)
  # how clear each higher check is: cross-validation beyond the noise of its
  # folds, the test significant beyond K (its K is past the rule's)
  cv_clear <- "cross-validation" %in% up && !is.null(crit$cv_near) && !k %in% crit$cv_near
  cv_loose <- "cross-validation" %in% up && !is.null(crit$cv_near) && k %in% crit$cv_near
  hi <- if (length(up)) max(off[up]) else k
  lone <- if (length(up)) k_lone_text(tb, hi)
  verdict <- if (length(up) && !outside) k_up_verdict(crit, up, off) else character()
  favour_more <- length(up) && most_up && !outside
  why <- c(
    if (cv_clear) paste0("Cross-validation's preference for ", count_words(off[["cross-validation"]]),
                         " is clear: the difference is more than twice its standard error."),
    if (cv_loose) paste0("Cross-validation cannot tell ", count_words(k), " categories from ", count_words(off[["cross-validation"]]),
                         " apart: the difference is within the noise of its folds."),
    lone,
    # a test on a sample that agrees with the rule weighs little against a
    # check on every episode that points higher
    if (length(up) && !is.na(crit$k_blrt) && crit$k_blrt == k && sampled) {
      paste0("The bootstrap test, which agrees with ", count_words(k), ", was run on a sample of ",
             format(size, big.mark = ","), " of ", the_n(crit$total_text %||% format(total, big.mark = ",")), " episodes, where it has less ",
             "power to find one more category.")
    },
    if (favour_more) {
      paste0(cap_first(count_words(n_up)), " of the ", count_words(length(cnt)), " measures", aic, " point to more than ",
             count_words(k), " categories, so the evidence shown here favours more than ", count_words(k), ".",
             if (is.null(crit$k_use)) paste0(" The report keeps ", count_words(k),
                                             " only because its rule was fixed in advance, and the model with ",
                                             cats_word(hi), " deserves a look."))
    } else if (length(up) && outside) {
      paste0("The simulation study's data sets are all ", if (crit$range == "below") "larger" else "smaller",
             " than this one, so it cannot say whether to trust the rule or ", and_list(up), " here; the report keeps ",
             count_words(k), " because its rule was fixed in advance, and the extra ",
             if (hi - k == 1) "category" else "categories", " may be real.")
    } else if (length(up)) {
      paste0("The report keeps ", count_words(k), " because its rule was fixed in advance",
             if (most_at) paste0(", and most of the measures", aic, " point to ", count_words(k), " too") else
               ", and the measures are divided",
             if (any(verdict == "rule")) "; in the study the rule did better than the check when the two disagreed" else
               paste0("; the extra ", if (hi - k == 1) "category" else "categories",
                      " may still be real rather than an existing category split in two"), ".")
    },
    if (length(down) && crit$k_best >= 2) {
      # what each check found, not a claim that it is stricter
      why_down <- c(`cross-validation` = "cross-validation finds that the extra categories do not predict held-out episodes better",
                    `the bootstrap test` = if (sampled) paste0("the bootstrap test, run on a sample of the episodes, has less power than ",
                                                               crit$rule, " on all of them") else
                      "the bootstrap test finds no gain from the extra categories beyond what chance gives")
      paste0(cap_first(paste(why_down[down], collapse = ", and ")), ": read the smallest categories with care.")
    })
  keep <- if (!is.null(crit$k_use)) paste0(" The report keeps ", count_words(k), " because the analyst chose it.") else
    if (!length(up)) paste0(" The report keeps ", count_words(k), " because its rule was fixed in advance.") else ""
  if (!is.null(crit$k_use)) why <- why[!grepl("^(So the evidence|The report keeps|The simulation study's data sets)", why)]
  c(intro, gsub("  +", " ", paste0("They disagree: ", points, ".", keep,
                                    if (length(why)) " ", trimws(paste(why, collapse = " ")))))
}

cats_word <- function(x) paste(count_words(x), if (x == 1) "category" else "categories")

# The number of categories each measure the report has points to, named as
# the text names them: the information criteria in the table (BIC, SABIC,
# CAIC, AIC), cross-validation and the bootstrap test.
k_measures <- function(crit) {
  ic <- crit$k_ic %||% numeric()
  if (!is.null(crit$rule) && !crit$rule %in% names(ic)) ic[[crit$rule]] <- crit$k_rule
  ic <- ic[intersect(c("BIC", "SABIC", "CAIC", "AIC"), names(ic))]
  m <- c(ic, `cross-validation` = crit$k_cv, `the bootstrap test` = crit$k_blrt)
  m[!is.na(m)]
}

# What the study says of the rule against each check that points higher, on
# the data sets both ran on: "rule" (the rule did better), "check" (the
# check did), "tie" (little to choose), "none" (too few data sets, or they
# never disagreed). The same comparison the note quotes (k_up_study()).
k_up_verdict <- function(crit, up, off) {
  vapply(up, function(who) {
    code <- c(`cross-validation` = "CV", `the bootstrap test` = "BLRT")[[who]]
    pr <- k_study_pair(crit$study, crit$rule, code)
    if (is.null(pr) || pr$n < 5 || pr$disagree == 0) return("none")
    a_better <- (pr$hit_a - pr$hit_b >= 2 && pr$over_a <= pr$over_b) || (pr$over_b - pr$over_a >= 2 && pr$hit_a >= pr$hit_b)
    b_better <- (pr$hit_b - pr$hit_a >= 2 && pr$over_b <= pr$over_a) || (pr$over_a - pr$over_b >= 2 && pr$hit_b >= pr$hit_a)
    if (a_better) "rule" else if (b_better) "check" else "tie"
  }, "")
}

cap_first <- function(x) paste0(toupper(substr(x, 1, 1)), substring(x, 2))

# The bootstrap test's "supports K" rests on the fit with K + 1 categories:
# when the table's best fit of that model was reached by one start only (not
# replicated: a better maximum may exist, which would lower the p-value),
# the note says so beside the claim.
blrt_lone <- function(tb, k_next) {
  nb <- tb$n_best[tb$k == k_next]
  if (!length(nb) || is.na(nb) || nb != 1) return("")
  paste0("; but the best fit with ", count_words(k_next), " categories was reached by one start only (the table's column of ",
         "random starts), so it may not be that model's best, and a better fit would give a lower p-value: ",
         "that support is less firm than the p-value suggests")
}

# The study's comparison of the rule with a check that points to more
# categories, for the statistician (report_k_note()), from its own table
# (k_study_pair()): how the rule and the check did on the data sets both ran
# on, where they disagreed which was right, and what follows (the same
# verdict as k_up_verdict(), which the plain text uses).
k_up_study <- function(crit, who) {
  rule <- crit$rule
  code <- c(`cross-validation` = "CV", `the bootstrap test` = "BLRT")[[who]]
  pr <- k_study_pair(crit$study, rule, code)
  of <- function(x) if (x == 0) "none" else as.character(x)
  if (is.null(pr) || pr$n < 5) {
    return(paste0("The simulation study ", if (is.null(pr)) paste0("did not run ", who) else
                    paste0("ran ", who, " on only ", count_words(pr$n), " data sets"),
                  ", so it cannot say which of ", rule, " and ", who, " to trust when they disagree."))
  }
  found <- paste0("In the simulation study, on the ", pr$n, " data sets where both were run, ", rule,
                  " found the number of categories the data were made with in ", pr$hit_a, " and ", who, " in ",
                  pr$hit_b, "; ", rule, " chose too many in ", of(pr$over_a), " and ", who, " in ", of(pr$over_b),
                  if (pr$disagree) paste0("; in the ", of(pr$disagree), " where they disagreed, ", rule, " was right in ",
                                          of(pr$right_a), " and ", who, " in ", of(pr$right_b)) else
                    "; they never disagreed", ".")
  v <- k_up_verdict(crit, who, stats::setNames(crit$k + 1, who))
  close <- abs(pr$hit_a - pr$hit_b) <= 1 && abs(pr$over_a - pr$over_b) <= 1
  verdict <- switch(v,
    none = " So the study cannot say which to trust when they disagree.",
    rule = paste0(" So the study gives a reason to prefer ", rule, " when the two disagree."),
    check = paste0(" So in the study ", who, " did better."),
    tie = paste0(" So the study gives ", if (close) "little to choose between them (at most one data set apart)" else
                   "no clear answer which to trust", "."))
  paste0(found, verdict)
}

# The technical detail: each criterion's number of categories, the test with
# its replicates and sample, and whether the chosen model's best fit was
# replicated; in words ("with seven categories"), not "K".
report_k_note <- function(tb, crit, reps, size, total, seed, alpha) {
  n <- function(x) format(x, big.mark = ",", scientific = FALSE)
  k <- crit$k
  ic <- crit$k_ic
  top <- function(x) if (x == max(tb$k)) " (the most fitted)" else ""
  cats <- function(x) paste(count_words(x), if (x == 1) "category" else "categories")
  ic_name <- c(BIC = "BIC", SABIC = "SABIC", AIC = "AIC", CAIC = "CAIC (the consistent AIC)")
  out <- paste0("Lowest ", and_list(paste0(ic_name[names(ic)], " with ", vapply(ic, cats, ""), vapply(ic, top, ""))), ".")
  if (!is.na(crit$k_cv)) {
    out <- c(out, paste0("The cross-validated log-likelihood per held-out episode is highest with ",
                         cats(crit$k_cv), top(crit$k_cv), "."))
  }
  if (!is.na(crit$k_blrt)) {
    on <- if (!is.null(size) && !is.null(total) && size < total) {
      paste0(", on a random sample of ", n(size), " of ", the_n(crit$total_text %||% n(total)), " episodes")
    } else ""
    blrt <- crit$blrt
    early <- !is.null(blrt$reps) && !is.null(reps) && any(blrt$reps < reps)
    reps_txt <- if (is.null(reps)) "" else paste0(", ", if (early) "up to " else "", reps, " replicates",
                                                  if (early) ", fewer where the answer was already clear" else "")
    # report_blrt() tests only next to the chosen number: say which
    kt <- range(blrt$k)
    tested <- paste0("of one category fewer against ", if (kt[2] > kt[1]) paste0("each number of categories from ",
                     count_words(kt[1]), " to ", count_words(kt[2])) else cats(kt[1]))
    all_sig <- !any(blrt$p_value > alpha)
    out <- c(out, paste0("The bootstrap likelihood ratio test (", tested, reps_txt, on, ") ",
                         if (all_sig) paste0("finds a gain significant at the ", 100 * alpha, "% level at every number tested, up to ",
                                             cats(crit$k_blrt), ", so it sets no upper limit")
                         else paste0("first finds no gain significant at the ", 100 * alpha, "% level with ",
                                     cats(crit$k_blrt + 1), ", so it supports ", count_words(crit$k_blrt),
                                     blrt_lone(tb, crit$k_blrt + 1)), "."))
  }
  best <- tb$n_best[tb$k == k]
  if (length(best) && !is.null(tb$n_finished)) {
    out <- c(out, paste0("The best log-likelihood of the model with ", cats(k), " was reached by ", best, " of ",
                         tb$n_finished[tb$k == k], " random starts",
                         if (best >= 2 && best * 2 >= tb$n_finished[tb$k == k]) ", so the same best fit was found more than once."
                         else if (best >= 2) paste0(", so the same best fit was found more than once, but by fewer than half of them: the ",
                                                    "fit has other maxima close by, so the categories depend on where the fit starts more ",
                                                    "than those of a model whose best fit most starts reach.")
                         else "; it was not replicated, so treat the model with caution."))
  }
  # the rule's margin: how much lower its criterion is at the chosen number
  # than at the next best, so a near tie is not read as a clear choice
  rv <- tb[[crit$rule]]
  two <- tb$k >= 2 & tb$k != crit$k_rule & !is.na(rv)
  if (is.null(crit$k_use) && any(two)) {
    j <- which(two)[which.min(rv[two])]
    gap <- rv[j] - rv[tb$k == crit$k_rule]
    out <- c(out, paste0(crit$rule, " is lower with ", cats(crit$k_rule), " than with the next best, ", cats(tb$k[j]), ", by ",
                         formatC(gap, format = "f", digits = 1, big.mark = ","),
                         if (gap < 2) ": a near tie, which the rule breaks but the data hardly do." else "."))
  }
  out <- c(out, k_study_note(crit))
  # each check that points higher, against the rule in the study (the
  # plain text draws on it without its counts)
  up <- c(`cross-validation` = crit$k_cv, `the bootstrap test` = crit$k_blrt)
  up <- names(up)[!is.na(up) & up > k]
  if (length(up) && !k_outside(crit)) out <- c(out, vapply(up, function(who) k_up_study(crit, who), ""))
  if (!is.null(crit$cv_text)) out <- c(out, crit$cv_text)
  paste0("*For the statistician: ", paste(out, collapse = " "), "*")
}

# The study behind the rule, for the statistician, every number from its
# table: the classes and sizes of its data sets, and for the rule and each
# other criterion the true number found and too many chosen, out of the
# data sets that criterion ran on.
k_study_note <- function(crit) {
  r <- crit$study
  sets <- attr(r, "sets")
  nd <- r[crit$rule, "data_sets"]
  cnt <- function(x, n) { m <- round(x * n); if (m == 0) "none" else as.character(m) }
  others <- intersect(setdiff(c("BIC", "SABIC", "CV", "AIC"), crit$rule), rownames(r))
  oname <- c(BIC = "BIC", SABIC = "SABIC", CV = "cross-validation", AIC = "AIC")
  fmt <- function(x) format(x, big.mark = ",", scientific = FALSE)
  sizes <- sort(unique(sets$n))
  paste0("The rule (lowest ", crit$rule, ", at least two categories) follows a simulation study run with the ",
         "package that wrote this report (cscdemand; see References): ", nd, " data sets from latent class models with ",
         and_list(sort(unique(sets$k_true))), " classes, shaped like the categories of Kingston University's study and of the ",
         "national data, of ", if (length(sizes) > 1) paste(fmt(min(sizes)), "to", fmt(max(sizes))) else fmt(sizes),
         " episodes, in which it picked the true number of categories in ", cnt(r[crit$rule, "hit"], nd), " of the ", nd,
         " data sets, too few in ", cnt(r[crit$rule, "under"], nd), " and too many in ", cnt(r[crit$rule, "over"], nd), " (",
         # each criterion in words, with the data sets it ran on when fewer
         # (s8 reader: "cross-validation: 31 and 1 of 42" was cryptic)
         paste0(oname[others], ifelse(r[others, "data_sets"] != nd, paste0(", run on ", r[others, "data_sets"], " of them,"), ""),
                " found it in ", vapply(others, function(o) cnt(r[o, "hit"], r[o, "data_sets"]), ""), " and chose too many in ",
                vapply(others, function(o) cnt(r[o, "over"], r[o, "data_sets"]), ""), collapse = "; "), ").")
}

#' The deprivation effect in words, pooled and the council's own
#'
#' Writes what the logistic regressions of [class_deprivation_effect()] show,
#' without passing off a pooled estimate as the council's: the model fitted
#' to every council in the data (council as a fixed effect) is called
#' pooled, and the council's own model is set beside it. A category is
#' called more common in more (or less) deprived neighbourhoods only when its
#' Holm-adjusted p-value, across the categories of the model, is under
#' `alpha`.
#'
#' @param own The result of [class_deprivation_effect()] on the council's
#'   own episodes.
#' @param pooled Optional: the result on every council's episodes, or
#'   `NULL` when the data hold one council.
#' @param council The council's name.
#' @param n_councils Number of councils pooled.
#' @param alpha Significance level after the Holm adjustment (default 0.05).
#' @return A character vector of sentences (Markdown).
#' @family report
#' @export
#' @examples
#' own <- data.frame(class = c("Neglect", "Domestic abuse"), n = 500,
#'                   odds_ratio = c(0.9, 1.01), lower = c(0.85, 0.95),
#'                   upper = c(0.95, 1.07), p_value = c(0.0004, 0.7))
#' deprivation_sentences(own, council = "Sunderland")
deprivation_sentences <- function(own, pooled = NULL, council, n_councils = 1, alpha = 0.05) {
  check_data_frame(own)
  check_string(council)
  describe <- function(de) {
    p <- stats::p.adjust(de$p_value, "holm")
    ok <- !is.na(p) & p < alpha
    list(more = de$class[ok & de$odds_ratio < 1], less = de$class[ok & de$odds_ratio > 1],
         flat = de$class[!is.na(p) & !ok])
  }
  italic_list <- function(x) and_list(paste0("*", x, "*"))
  say <- function(who, d, none) {
    parts <- c(if (length(d$more)) paste0(italic_list(d$more), if (length(d$more) == 1) " is" else " are",
                                          " more common in more deprived neighbourhoods"),
               if (length(d$less)) paste0(italic_list(d$less), if (length(d$less) == 1) " is" else " are",
                                          " more common in less deprived neighbourhoods"))
    if (!length(parts)) return(paste0(who, ", ", none, "."))
    paste0(who, ", ", paste(parts, collapse = ", and "), "; ",
           if (length(d$flat)) "the other categories show no clear pattern." else "every category shows a pattern.")
  }
  level <- paste0(" (Holm-adjusted across the categories, ", 100 * alpha, "% level)")
  out <- character()
  if (!is.null(pooled)) {
    out <- c(out, say(paste0("In ", councils_phrase(n_councils), " together (pooled, with the council as a fixed effect)"),
                      describe(pooled), paste0("no category's chance changes clearly with deprivation", level)))
  }
  out <- c(out, say(paste0("In ", council, if (!is.null(pooled)) " alone" else ""), describe(own),
                    paste0("no category's chance changes clearly with deprivation", level)))
  if (!is.null(pooled)) {
    out <- c(out, paste0("The pooled estimates describe the councils together, not ", council,
                         "; its own pattern is the one to quote for ", council, "."))
  }
  out
}

# "both councils" or "all 3 councils".
councils_phrase <- function(n) if (n == 2) "both councils" else paste("all", count_words(n), "councils")

#' The deprivation measure in words, from the editions actually used
#'
#' The report's sentence about deprivation and its reference to the English
#' Indices of Deprivation are written from what [link_imd()] did, not
#' assumed: the editions named are those of the council's episodes
#' (`imd_edition`), and "Not known" is mentioned only when the table holds
#' such a row.
#'
#' @param editions The IMD editions of the council's linked episodes (for
#'   example `unique(linked$imd_edition)`; `NA` ignored).
#' @param not_known `TRUE` when the report's table has a "Not known" row
#'   (episodes with no neighbourhood in the IMD lists).
#' @return A list: `sentence` (Markdown) and `reference` (the References
#'   entry for the editions used).
#' @family report
#' @export
#' @examples
#' imd_edition_text(2019, not_known = FALSE)$sentence
#' imd_edition_text(c(2019, 2025), not_known = TRUE)$reference
imd_edition_text <- function(editions, not_known = FALSE) {
  check_flag(not_known)
  eds <- sort(unique(as.integer(editions[!is.na(editions)])))
  if (!length(eds) || !all(eds %in% c(2015L, 2019L, 2025L))) {
    abort_input(c("{.arg editions} must be IMD editions 2015, 2019 or 2025.",
                  x = "You supplied {.val {format(editions)}}."), class = "cscdemand_error_data")
  }
  names_ed <- paste0("IMD ", eds)
  sentence <- paste0(
    "Deprivation is the ", paste(names_ed, collapse = " and "), " decile (English Indices of Deprivation ",
    paste(eds, collapse = " and "), ") of the neighbourhood (LSOA) of the child's address: decile 1 is ",
    "the most deprived tenth of neighbourhoods in England.",
    if (length(eds) > 1) paste0(" The extract mixes 2011 and 2021 neighbourhood codes, so each episode has ",
                                "the edition of its own code; deciles of the editions are close but not the same measure.")
    else if (identical(eds, 2019L)) paste0(" The neighbourhood codes are of 2011, so the edition is IMD 2019, the ",
                                           "latest on 2011 boundaries (IMD 2025 uses 2021 codes).") else "",
    if (not_known) " Episodes with no known neighbourhood, or one not in the IMD lists, are shown as \"Not known\"." else "")
  publisher <- ifelse(eds == 2015L, "Department for Communities and Local Government",
                      "Ministry of Housing, Communities and Local Government")
  reference <- paste0(publisher, " (", eds, "). *English Indices of Deprivation ", eds, "*",
                      if (length(eds) > 1) ifelse(eds >= 2025L, ", for 2021 neighbourhood codes", ", for 2011 neighbourhood codes") else "",
                      ". Contains public sector information licensed under the Open Government Licence v3.0.")
  list(sentence = sentence, reference = reference)
}

#' Break a chart's titles into lines that fit the figure
#'
#' A long title, subtitle or caption of a ggplot is cut off at the edge of
#' the picture. The report aligns them with the whole figure (not its panel,
#' which a legend or long axis labels make narrower) and breaks each into
#' lines no wider than the figure less its margins, measured in the font the
#' figure is drawn in (the graphics device's, as knitr draws it) at the
#' theme's sizes. A word wider than the figure is broken.
#'
#' The axis titles are broken too: the x axis's to the figure's width, the y
#' axis's (drawn upright) to its height less room for the x axis, when the
#' height is given.
#'
#' @param p A ggplot (anything else is returned as it is).
#' @param width The figure's width in inches (knitr's `fig.width`).
#' @param height The figure's height in inches (knitr's `fig.height`), or
#'   `NULL` to leave the y axis's title as it is.
#' @return `p`, its titles with line breaks.
#' @family report
#' @export
#' @examples
#' p <- ggplot2::ggplot() + ggplot2::labs(title = paste(rep("A long title", 12), collapse = " "))
#' cat(report_fit_titles(p, width = 6.5)$labels$title)
report_fit_titles <- function(p, width, height = NULL) {
  if (!inherits(p, "ggplot") || is.null(width)) return(p)
  p <- p + ggplot2::theme(plot.title.position = "plot", plot.caption.position = "plot")
  th <- ggplot2::theme_get() + p$theme
  base <- th$text$size %||% 11
  el_of <- function(el) {
    e <- ggplot2::calc_element(el, th)
    list(size = if (is.numeric(e$size)) e$size else base, face = e$face %||% "plain", family = e$family %||% "")
  }
  margin <- ggplot2::calc_element("plot.margin", th)
  # (in points, converted by hand: grid would open a device to convert)
  margin <- if (inherits(margin, "unit") && all(grid::unitType(margin) == "pt")) sum(as.numeric(margin)[c(2, 4)]) / 72.27 else 0.3
  room <- width - margin - 0.1 # inches, less the plot margins and a little air
  for (el in c("title", "subtitle", "caption")) {
    txt <- p$labels[[el]]
    if (!is.character(txt) || !length(txt)) next
    e <- el_of(paste0("plot.", el))
    p$labels[[el]] <- fig_wrap_width(txt, room, e$size, e$face, e$family)
  }
  # axis titles: x across the figure, y up its height (less the x axis's labels and title)
  rooms <- c(x = room, y = if (is.numeric(height)) height - margin - 0.9 else NA)
  for (el in c("x", "y")) {
    txt <- p$labels[[el]]
    if (!is.character(txt) || length(txt) != 1L || is.na(rooms[[el]]) || rooms[[el]] <= 0) next
    e <- el_of(paste0("axis.title.", el))
    p$labels[[el]] <- fig_wrap_width(txt, rooms[[el]], e$size, e$face, e$family)
  }
  p
}

#' What cross-validation can and cannot tell apart, in words
#'
#' Cross-validation scores each number of categories on the same held-out
#' folds, so two numbers are compared fold by fold: the difference between
#' the best number's held-out log-likelihood per episode and another's, in
#' each fold, has a mean and a standard error (the spread of the paired
#' differences over the square root of the number of folds). A number whose
#' mean difference from the best is under twice that standard error cannot
#' be told apart from the best. The sentence names the numbers that cannot
#' be told apart ("cannot tell models with five to eight categories
#' apart"), or says
#' that the best stands out, with the smallest gap and its standard error,
#' so that no choice is read from a difference within the noise.
#'
#' @param cv The result of [lca_cv()].
#' @return A list: `text`, one or two sentences (Markdown), `best`, the
#'   number of categories with the highest mean, and `near`, every number
#'   not told apart from it (`best` included).
#' @family report
#' @export
#' @examples
#' d <- simulate_lca(n = 600, seed = 3)
#' cv <- lca_cv(d, k = 1:3, folds = 4, starts = 3, seed = 1, verbose = FALSE)
#' report_cv_text(cv)$text
report_cv_text <- function(cv) {
  if (!inherits(cv, "cscdemand_lca_cv")) {
    abort_input(c("{.arg cv} must be the result of {.fn lca_cv}.", x = "It is {.cls {class(cv)}}."))
  }
  fr <- cv$folds
  means <- tapply(fr$heldout_ll, fr$k, mean, na.rm = TRUE)
  means <- means[is.finite(means)]
  best <- as.integer(names(means)[which.max(means)])
  gap <- lapply(setdiff(as.integer(names(means)), best), function(k) {
    a <- fr$heldout_ll[fr$k == best]
    b <- fr$heldout_ll[fr$k == k][match(fr$fold[fr$k == best], fr$fold[fr$k == k])]
    d <- (a - b)[!is.na(a - b)]
    se <- if (length(d) > 1) stats::sd(d) / sqrt(length(d)) else NA_real_
    data.frame(k = k, diff = mean(d), se = se)
  })
  gap <- do.call(rbind, c(list(data.frame(k = integer(), diff = numeric(), se = numeric())), gap))
  tied <- gap$k[is.na(gap$se) | gap$diff < 2 * gap$se]
  near <- sort(c(best, tied))
  cats <- function(x) paste(count_words(x), if (x == 1) "category" else "categories")
  n_folds <- length(unique(fr$fold))
  how <- paste0("(compared fold by fold on the same held-out episodes: a difference under twice its ",
                "standard error over the ", count_words(n_folds), " folds is within the noise)")
  text <- if (length(near) > 1) {
    span <- if (all(diff(near) == 1)) paste(count_words(min(near)), "to", count_words(max(near))) else
      and_list(vapply(near, count_words, ""))
    others <- vapply(setdiff(near, best), count_words, "")
    # a number inside that span that is told apart (it scores clearly lower
    # than the best) is said, so the list does not read as an omission
    gaps <- setdiff(seq(min(near), max(near)), near)
    gaps <- gaps[gaps %in% as.integer(names(means))]
    paste0("Cross-validation's highest score, with ", cats(best), ", is not clearly better than with ",
           # one colon to a sentence (reader 9: "seven: compared fold by fold ...: a difference")
           and_list(others), ": ", sub(": a difference", ", a difference", sub("^\\(", "", sub("\\)$", "", how)), fixed = TRUE),
           ", so cross-validation cannot tell ",
           "models with ", span, " categories apart.",
           if (length(gaps)) {
             gd <- gap$diff[gap$k %in% gaps]
             td <- gap$diff[gap$k %in% tied]
             one <- length(gaps) == 1
             paste0(" ", cap_first(and_list(vapply(gaps, count_words, ""))), " categories, inside that range, ",
                    if (one) "is" else "are", " told apart from ", count_words(best), " while numbers on either side ",
                    "are not", if (length(td) && max(gd) < max(td))
                      paste0(", although ", if (one) "its difference is" else "their differences are", " smaller than ",
                             "some of theirs: ", if (one) "it varies" else "they vary", " less from fold to fold") else "",
                    "; so cross-validation does not single out one number between ", count_words(min(near)), " and ",
                    count_words(max(near)), ".")
           } else "")
  } else if (nrow(gap)) {
    g <- gap[which.min(gap$diff), ]
    paste0("Cross-validation separates ", cats(best), " from the other numbers tried ", how, ": the ",
           "smallest gap, to ", cats(g$k), ", is ", formatC(g$diff, format = "f", digits = 4),
           " per episode with a standard error of ", formatC(g$se, format = "f", digits = 4), ".")
  } else paste0("Cross-validation was run for ", cats(best), " only.")
  # the chart's bars are each number's own spread between folds (unpaired);
  # when a number told apart here has a bar overlapping the best's, the text
  # says why the two do not disagree (s8 reader: bars overlap from four to
  # eight, the text tells six from five)
  ses <- tapply(fr$heldout_ll, fr$k, function(v) {
    v <- v[!is.na(v)]
    if (length(v) > 1) stats::sd(v) / sqrt(length(v)) else NA_real_
  })[names(means)]
  apart <- setdiff(as.integer(names(means)), near)
  ov <- apart[vapply(apart, function(k) {
    i <- as.character(k)
    j <- as.character(best)
    isTRUE(abs(means[[j]] - means[[i]]) < 2 * (ses[[i]] + ses[[j]]))
  }, logical(1))]
  if (length(ov)) {
    text <- paste0(text, " The chart's bars show each number's own spread between folds; the comparison here is of paired ",
                   "differences across the same folds, which vary less (a fold that is hard to predict is hard for every ",
                   "model), so ", and_list(vapply(ov, count_words, "")), ", whose bar", if (length(ov) == 1) "" else "s",
                   " overlap", if (length(ov) == 1) "s" else "", " the best's, ", if (length(ov) == 1) "is" else "are",
                   " still told apart from ", count_words(best), ".")
  }
  list(text = text, best = best, near = near)
}

#' The note under the report's table of fit, in words
#'
#' Sentences for the statistician under the table of models with different
#' numbers of categories: how the penalties of BIC (ln n per parameter) and
#' SABIC (ln((n + 2)/24)) compare on these data, so that SABIC is not taken
#' for the stricter rule; how the random starts were run (what the counts
#' "5 of 5", "7 of 10" mean, from the [lca_control()] settings); how clear the
#' chosen model's classification is (relative entropy, read on the scale of
#' Clark and Muthen, 2009: 0.4 low, 0.6 medium, 0.8 high); and, when the
#' bootstrap likelihood ratio test ran on a sample, its size, its seed and
#' why.
#'
#' @param tb The table of [lca_enumerate()] (columns `k`, `entropy` and
#'   optionally `nobs`).
#' @param k The number of categories the report uses.
#' @param starts The fixed number of random starts, or `NULL` for the
#'   adaptive default.
#' @param control The [lca_control()] settings of the starts.
#' @param blrt_size,blrt_total The test's sample size and the number of
#'   episodes it was drawn from (`NULL`: the test did not run).
#' @param seed The seed of the sample.
#' @param n_text How the number of episodes fitted is written (default the
#'   number); a pooled model's report passes [report_pooled_total()]'s text.
#' @return One string (plain sentences).
#' @family report
#' @export
#' @examples
#' tb <- data.frame(k = 1:3, entropy = c(NA, 0.71, 0.63), nobs = 18641)
#' report_fit_note(tb, k = 3, blrt_size = 3000, blrt_total = 18641, seed = 2020)
report_fit_note <- function(tb, k, starts = NULL, control = lca_control(), blrt_size = NULL,
                            blrt_total = NULL, seed = NULL, n_text = NULL) {
  nobs <- if (!is.null(tb$nobs)) tb$nobs[1] else blrt_total
  fmt <- function(x) format(x, big.mark = ",", scientific = FALSE)
  pen <- if (!is.null(nobs)) {
    paste0("With ", n_text %||% fmt(nobs), " episodes, BIC charges ln n = ", sprintf("%.1f", log(nobs)), " per parameter and SABIC ",
           "ln((n + 2)/24) = ", sprintf("%.1f", log((nobs + 2) / 24)), ", so SABIC is the more lenient of the two: it ",
           "can favour more categories than BIC, never fewer.")
  }
  final <- control$final_starts %||% max(4L, ceiling(control$batch / 4))
  # the enumeration screens the starts it runs on (lca_enumerate(): screen_tol
  # 1e-9 unless set), so the column's second number is the starts run to the
  # end, which varies from model to model, not a fixed number per batch
  scr <- control$screen_tol %||% 1e-9
  scr_txt <- if (isTRUE(all.equal(scr, 1e-9))) "a billionth" else paste0(format(scr, scientific = FALSE), " times")
  st <- if (is.null(starts)) {
    paste0("The one-category model has a single solution, so it needs one start. For the others, random starts ",
           "were drawn in batches of ", control$batch, "; each was run briefly and the ", count_words(final), " best of each batch ",
           "were run on",
           if (scr > 0) paste0(" until one step gained less than ", scr_txt, " of the log-likelihood; only those then close to ",
                               "the best so far were run to the end, the others (heading for a poorer fit) were stopped there") else
             " to the end",
           ". The column counts the starts run to the end (its second number: at most ", final, " per batch", if (scr > 0) ", fewer when some were stopped early" else "",
           ") and, of those, the ones that reached the best fit (its first number). ",
           "Batches went on until ", count_words(control$min_best), " finished starts reached the same best fit, or until ",
           "a batch no longer improved it.")
  } else paste0("Each model with two or more categories was fitted from ", starts, " random starts, as set by the analyst.")
  e <- tb$entropy[tb$k == k]
  ent <- if (length(e) && !is.na(e)) {
    band <- if (e < 0.6) "low (under 0.6): many episodes are not clearly in one category, which is why the tables share each episode between the categories"
            else if (e < 0.8) "medium (0.6 to 0.8): a good part of the episodes are not clearly in one category, which is why the tables share each episode between the categories"
            else "high (0.8 or more): most episodes are clearly in one category"
    paste0("The chosen model's clarity of classification, ", sprintf("%.2f", e), ", is ", band,
           " (on the scale of Clark and Muth\u00e9n, 2009: 0.4 low, 0.6 medium, 0.8 high).")
  }
  smp <- if (!is.null(blrt_size) && !is.null(blrt_total) && blrt_size < blrt_total) {
    paste0("The bootstrap test was run on a random sample of ", fmt(blrt_size), " of ", the_n(n_text %||% fmt(blrt_total)),
           " episodes, because each replicate refits two models and the test on every episode would take too long; ",
           "the sample is drawn with the report's random-number seed (", seed, "), so the same data give the same ",
           "sample and the same p-values.")
  }
  paste(c(pen, st, ent, smp), collapse = " ")
}

#' Say which model of the invariance check may be short of its maximum
#'
#' [lca_invariance()] compares a model with the same categories in every
#' council (invariant) with one whose categories are free in each council
#' (configural), and warns (class `cscdemand_warning_starts`) when a fit's
#' best log-likelihood was reached by one random start only. The warning
#' quotes that log-likelihood, so the model concerned is the one whose fit
#' (or, for the free model, one of whose councils' fits) has it: the report
#' names that model, never assuming which, and says what it can do to the
#' comparison. A fit short of its maximum can only make its model look
#' worse, so BIC's preference for it stands, and a preference for its rival
#' holds unless its log-likelihood rises by half the BIC gap.
#'
#' @param inv The result of [lca_invariance()].
#' @param k The number of categories compared.
#' @param warnings The messages of the `cscdemand_warning_starts` warnings
#'   the call of [lca_invariance()] gave (see the example).
#' @return A character vector of sentences in plain English, one per model
#'   named (empty when no warning matches a model).
#' @family report
#' @export
#' @examples
#' d <- simulate_lca(n = 600, seed = 3)
#' d$council <- rep(c("A", "B"), 300)
#' msgs <- character()
#' inv <- withCallingHandlers(
#'   lca_invariance(d, k = 2, group = "council", starts = 3, seed = 1, verbose = FALSE),
#'   cscdemand_warning_starts = function(w) {
#'     msgs <<- c(msgs, conditionMessage(w))
#'     invokeRestart("muffleWarning")
#'   })
#' report_invariance_starts(inv, k = 2, warnings = msgs)
report_invariance_starts <- function(inv, k, warnings = character()) {
  if (!is.list(inv) || is.null(inv$fits)) {
    abort_input(c("{.arg inv} must be the result of {.fn lca_invariance}.", x = "It is {.cls {class(inv)}}."))
  }
  check_data_frame(inv$table, arg = "inv$table", what = "a data frame (as lca_invariance() returns it)",
                   hint = "Give {.arg inv} as {.fn lca_invariance} returned it.")
  check_count(k)
  if (!is.null(warnings) && !is.character(warnings)) {
    abort_input(c("{.arg warnings} must be the warnings' messages (a character vector).",
                  x = "It is {.cls {class(warnings)}}."))
  }
  words <- c(invariant = "the model with the same categories in every council",
             configural = "the model with categories free in each council")
  tb <- inv$table[inv$table$k == k, , drop = FALSE]
  if (nrow(tb) < 2 || !length(warnings)) return(character())
  # the log-likelihoods the warnings quote ("The best log-likelihood (-1,234.567) ...")
  quoted <- regmatches(warnings, regexpr("(?<=best log-likelihood \\()-?[0-9,]+\\.?[0-9]*", warnings, perl = TRUE))
  quoted <- as.numeric(gsub(",", "", quoted))
  if (!length(quoted)) return(character())
  pick <- tb$model[which.min(tb$BIC)]
  gap <- abs(diff(tb$BIC[match(c("invariant", "configural"), tb$model)]))
  out <- character()
  for (m in intersect(c("invariant", "configural"), tb$model)) {
    f <- inv$fits[[paste0(m, " k=", k)]]
    if (is.null(f)) next
    ll <- c(f$loglik, if (is.data.frame(f$groups)) f$groups$loglik)
    if (!any(vapply(quoted, function(q) any(abs(ll - q) < 0.0015), logical(1)))) next
    other <- setdiff(c("invariant", "configural"), m)
    out <- c(out, paste0(
      "The best fit of ", words[[m]], " (", format(tb$npar[tb$model == m], big.mark = ","), " parameters",
      if (m == "configural") ", a set per council" else "", ") was not found by more than one random start",
      ", so its log-likelihood may be below the model's maximum. That can only make it look worse than it is",
      if (pick == m) paste0(": BIC's preference for it stands.") else
        paste0(": BIC prefers ", words[[other]], " by ", format(round(gap), big.mark = ","), ", and the log-likelihood of ",
               words[[m]], " would have to be ", format(round(gap / 2), big.mark = ","),
               " higher to reverse that; the likelihood ratio test's p-value may be too ",
               if (m == "configural") "high." else "low.")))
  }
  out
}

#' The bootstrap likelihood ratio test's p-values as the report prints them
#'
#' A p-value at its own floor, 1 / (replicates run + 1), says only that no
#' replicate reached the data's statistic. After all `reps_max` replicates it
#' is printed as the lowest value the test can give ("0.01 (lowest
#' possible)"); after fewer (the test stopped early because its answer was
#' already clear) it is an upper bound, rounded up to one significant figure
#' ("< 0.03 (stopped after 40 replicates)"), never a value that looks exact.
#' Any other p-value is printed in the report's one style (two significant
#' figures).
#'
#' @param p p-values (as [lca_blrt()] gives them; `NA` for a test not run).
#' @param reps Replicates each test ran.
#' @param reps_max The most replicates a test may run.
#' @param short Print the floor without its explanation.
#' @return A character vector, one entry per p-value.
#' @family report
#' @export
#' @examples
#' report_blrt_p(c(1 / 41, 1 / 100, 0.31), reps = c(40, 99, 99), reps_max = 99)
report_blrt_p <- function(p, reps, reps_max, short = TRUE) {
  reps <- rep_len(reps, length(p))
  floor <- 1 / (reps + 1)
  at <- !is.na(p) & p <= floor * (1 + 1e-8)
  early <- at & reps < reps_max
  out <- format_p(p, floor = ifelse(early, 0, 1 / (reps_max + 1)), short = short)
  out[early] <- paste0("< ", formatC(ceiling_signif(floor[early], 1), format = "fg", digits = 1),
                       " (stopped after ", reps[early], " replicates)")
  out
}

# x rounded up to `digits` significant figures (0.0244 -> 0.03): a bound
# that stays a bound when printed.
ceiling_signif <- function(x, digits = 1) {
  e <- 10^(floor(log10(x)) - digits + 1)
  ceiling(x / e - 1e-9) * e
}

#' What the report says of the bootstrap test's replicates
#'
#' The words the report's Methods and its table of fit use: up to `reps_max`
#' replicates, which give p-values down to 1 / (`reps_max` + 1); and, when a
#' test stopped early with no replicate reaching the data's statistic, that its
#' p-value is then an upper bound, so that the Methods and the table agree
#' (see [report_blrt_p()]).
#'
#' @param blrt The tests: a data frame with columns `p_value` and `reps`
#'   (as [lca_blrt()] gives), or `NULL`.
#' @inheritParams report_blrt_p
#' @return One string.
#' @family report
#' @export
#' @examples
#' report_blrt_reps_text(data.frame(p_value = c(1 / 41, 0.4), reps = c(40, 99)), 99)
report_blrt_reps_text <- function(blrt, reps_max) {
  lo <- formatC(signif(1 / (reps_max + 1), 2), format = "fg", digits = 2)
  out <- paste0("up to ", reps_max, " replicates, which give p-values down to ", lo)
  if (is.null(blrt) || !nrow(blrt) || is.null(blrt$reps)) return(out)
  at <- !is.na(blrt$p_value) & blrt$p_value <= (1 / (blrt$reps + 1)) * (1 + 1e-8) & blrt$reps < reps_max
  if (!any(at)) return(out)
  r <- sort(unique(blrt$reps[at]))
  paste0(out, "; a test whose answer is already clear stops early, and one stopped after ", and_list(r),
         " replicates with none as large as the data's gives only an upper bound, ",
         and_list(paste0("under ", formatC(ceiling_signif(1 / (r + 1), 1), format = "fg", digits = 1))))
}

#' Factors whose share here differs from the published share
#'
#' The factors whose percentage in the council's data and published
#' percentage differ by `points` or more, judged on the values as printed
#' (the council's rounded as the report rounds them, the published as the DfE
#' prints them), so that the note under the table says what a reader can
#' check in the table itself.
#'
#' @param pct The council's percentages (unrounded).
#' @param published The published percentages, as printed (text or numbers;
#'   a DfE mark such as "c" counts as not available).
#' @param points The gap, in percentage points, that counts.
#' @return The positions of the factors that differ by `points` or more.
#' @family report
#' @export
#' @examples
#' # 12.8 against 17.8 as printed is a gap of 5 points
#' report_published_gaps(c(12.84, 30), c("17.8", "c"))
report_published_gaps <- function(pct, published, points = 5) {
  shown <- suppressWarnings(as.numeric(format_pct(pct)))
  pub <- suppressWarnings(as.numeric(published))
  which(!is.na(shown) & !is.na(pub) & round(abs(shown - pub), 6) >= points)
}

#' The caption's word on the grey of a cross-tabulation's chart
#'
#' A caption describes what is drawn: the clause about grey cells is given
#' only when the chart of the table draws grey, that is when the table
#' suppresses some of its cells.
#'
#' @param x A cross-tabulation from [class_crosstab()].
#' @param clause The words for the grey cells.
#' @return `"; "` and `clause`, or `""` when the chart draws no grey.
#' @family report
#' @export
#' @examples
#' set.seed(4)
#' ep <- data.frame(class = sample(c("Neglect", "Domestic abuse"), 300, TRUE),
#'                  source = sample(c("Police", "Schools", "Health", "Courts"), 300, TRUE,
#'                                  prob = c(.5, .3, .18, .02)))
#' report_grey_clause(class_crosstab(ep, "class", "source"))
report_grey_clause <- function(x, clause = "grey: the cells the table suppresses, together") {
  d <- crosstab_plot_data(x)
  if (any(d$level == crosstab_hidden_label)) paste0("; ", clause) else ""
}
