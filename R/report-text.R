#' The number of categories a report uses, and the argument for it
#'
#' The rule the report follows, stated once: the number of categories K is
#' the one with the lowest BIC among models with at least two categories (the
#' rule of Kingston University's study), unless the analyst fixed it (`k_use`).
#' Cross-validation (the K with the highest held-out log-likelihood) and the
#' bootstrap likelihood ratio test (the K before the first K whose gain over
#' K - 1 is not significant at `alpha`, among the Ks tested; the text names
#' them, as [report_blrt()] tests only next to the chosen K) are reported
#' beside it; where they
#' disagree the text says so, and says why the rule still picks K.
#'
#' @param enumeration The table of [lca_enumerate()] (`$table`: columns `k`,
#'   `BIC`, `n_best`, `n_finished`), or the enumeration itself.
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
#' @return A list: `k` (the K used), `k_bic`, `k_cv`, `k_blrt` (`NA` when
#'   not computed; for the test, the largest K tested when every gain is
#'   significant), `agree` (logical) and `text` (a paragraph in Markdown).
#' @family report
#' @export
#' @examples
#' tab <- data.frame(k = 1:5, BIC = c(500, 450, 440, 445, 452), n_best = 5, n_finished = 5)
#' cv <- data.frame(k = 1:5, heldout_ll = c(-5, -4.8, -4.7, -4.69, -4.7))
#' bl <- data.frame(k = 2:5, p_value = c(0.01, 0.01, 0.2, 0.5))
#' report_k_choice(tab, cv, bl, blrt_reps = 99)$text
report_k_choice <- function(enumeration, cv = NULL, blrt = NULL, k_use = NULL, blrt_reps = NULL,
                            blrt_size = NULL, blrt_total = NULL, seed = NULL, alpha = 0.05) {
  tb <- if (is.data.frame(enumeration)) enumeration else enumeration$table
  if (!is.null(cv) && !is.data.frame(cv)) cv <- cv$table
  check_data_frame(tb)
  for (col in c("k", "BIC")) check_column(tb, col)
  k_bic <- tb$k[which.min(tb$BIC)]
  two <- tb$k >= 2
  if (!any(two)) {
    abort_input(c("The categories need at least 2 classes: widen the range of K.",
                  x = "The enumeration holds K = {tb$k} only."), class = "cscdemand_error_data")
  }
  k_rule <- if (k_bic >= 2) k_bic else tb$k[two][which.min(tb$BIC[two])]
  k <- if (!is.null(k_use)) k_use else k_rule
  k_cv <- if (is.null(cv)) NA else cv$k[which.max(cv$heldout_ll)]
  k_blrt <- NA
  if (!is.null(blrt) && nrow(blrt)) {
    blrt <- blrt[order(blrt$k), ]
    ns <- blrt$k[blrt$p_value > alpha]
    k_blrt <- if (length(ns)) min(ns) - 1 else max(blrt$k)
  }
  agree <- all(c(k_cv, k_blrt)[!is.na(c(k_cv, k_blrt))] == k)
  txt <- report_k_text(tb, k, k_bic, k_rule, k_use, k_cv, k_blrt, blrt, agree,
                       blrt_reps, blrt_size, blrt_total, seed, alpha)
  list(k = k, k_bic = k_bic, k_cv = k_cv, k_blrt = k_blrt, agree = agree, text = txt)
}

report_k_text <- function(tb, k, k_bic, k_rule, k_use, k_cv, k_blrt, blrt, agree,
                          reps, size, total, seed, alpha) {
  n <- function(x) format(x, big.mark = ",", scientific = FALSE)
  rule <- if (!is.null(k_use)) {
    paste0("**This report uses K = ", k, " categories, as set by the analyst** (the rule the report ",
           "otherwise follows, the lowest BIC with at least two categories, gives K = ", k_rule, ").")
  } else {
    paste0("**This report uses K = ", k, " categories.** The rule, fixed before looking at the ",
           "categories, is the one of Kingston University's study (2020): the number with the lowest BIC (the Bayesian information criterion, a measure of fit that charges for the size of the model), with at least two.")
  }
  out <- c(rule, paste0("BIC is lowest at K = ", k_bic, "."))
  if (k_bic == 1 && is.null(k_use)) {
    out <- c(out, paste0("A single category describes nothing, so the report uses the best model with at least two ",
                         "categories, K = ", k, "; read the tables with caution."))
  }
  if (!is.na(k_cv)) {
    top <- k_cv == max(tb$k)
    out <- c(out, paste0("Cross-validation (how well a model fitted to part of the data predicts the rest) is best at K = ",
                         k_cv, if (top) ", the largest K tried: it may favour still more categories" else "", "."))
  }
  if (!is.na(k_blrt)) {
    on <- if (!is.null(size) && !is.null(total) && size < total) {
      paste0(", on a random sample of ", n(size), " of the ", n(total), " episodes drawn with seed ", seed)
    } else ""
    early <- !is.null(blrt$reps) && !is.null(reps) && any(blrt$reps < reps)
    reps_txt <- if (is.null(reps)) "" else paste0(", ", if (early) "up to " else "", reps, " replicates",
                                                  if (early) ", fewer where the answer was already clear" else "")
    # report_blrt() tests only next to the chosen K: say which Ks
    kt <- range(blrt$k)
    tested <- paste0("of K - 1 against K categories for K = ", kt[1],
                     if (kt[2] > kt[1]) paste0(" to ", kt[2]) else "")
    all_sig <- !any(blrt$p_value > alpha)
    out <- c(out, paste0("The bootstrap likelihood ratio test (", tested, reps_txt, on, ") ",
                         if (all_sig) paste0("finds a significant gain at the ", 100 * alpha, "% level at every K tested, up to K = ", k_blrt,
                                             ", so it sets no upper limit")
                         else paste0("first finds no significant gain at the ", 100 * alpha, "% level at K = ", k_blrt + 1,
                                     ", so it supports K = ", k_blrt), "."))
  }
  others <- c(`cross-validation` = k_cv, `the likelihood ratio test` = k_blrt)
  others <- others[!is.na(others)]
  if (length(others) && agree) {
    out <- c(out, "The criteria agree.")
  } else if (length(others)) {
    off <- others[others != k]
    up <- off[off > k]
    down <- off[off < k]
    why <- c(
      if (length(up)) paste0("On thousands of episodes ", paste(names(up), collapse = " and "),
                             if (length(up) > 1) " keep" else " keeps", " finding small gains from further categories, which mostly split an existing ",
                             "category rather than describe a new pattern; BIC charges for the extra parameters."),
      if (length(down)) paste0(paste(names(down), collapse = " and "),
                               " supports fewer categories: run on a sample, it has less power than BIC on all the episodes."))
    by_k <- split(names(off), off)
    points <- vapply(names(by_k), function(kk) {
      who <- by_k[[kk]]
      paste0(paste(who, collapse = " and "), if (length(who) > 1) " both point" else " points", " to K = ", kk)
    }, "")
    out <- c(out, paste0("The criteria disagree: ", paste(points, collapse = " and "), ". ",
                         "The report keeps K = ", k, " because ",
                         if (!is.null(k_use)) "the analyst chose it." else "the rule was fixed in advance.",
                         " ", paste(why, collapse = " ")))
  }
  best <- tb$n_best[tb$k == k]
  if (length(best) && !is.null(tb$n_finished)) {
    rep_ok <- best >= 2
    out <- c(out, paste0("The best log-likelihood of the chosen model was reached by ", best, " of ",
                         tb$n_finished[tb$k == k], " random starts",
                         if (rep_ok) ", so the same best fit was found more than once." else "; it was not replicated, so treat the model with caution."))
  }
  paste(out, collapse = " ")
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
councils_phrase <- function(n) if (n == 2) "both councils" else paste("all", n, "councils")

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
