#' Category shares with bootstrap intervals, and how stable each category is
#'
#' The report's one statement of how uncertain the category shares are, and
#' of whether each category is the same category when the model is refitted
#' to resampled episodes, computed from a [lca_bootstrap()] of the fit.
#'
#' * **Shares.** For every resample, the share of `data`'s episodes in each
#'   category is the mean of their probabilities under the resample's refitted
#'   model (its categories matched to the report's); the interval is the
#'   percentile interval over the resamples. Because the model is refitted,
#'   the interval carries the uncertainty of estimating the categories
#'   (their factors, and so which episodes go where) as well as of sampling;
#'   the model-based interval of [class_shares()] holds the categories'
#'   definitions fixed and leaves that out. Both are returned, and `text`
#'   says which is wider, by how much (the words hold for every category's
#'   ratio of widths: "sometimes narrower and sometimes wider" when the
#'   ratios fall on both sides), and why. Shares [class_shares()] hides are hidden here too.
#' * **Stability.** A category is *recovered* in a resample when the matched
#'   category has a congruence of at least `recovery` with the report's
#'   (Tucker's coefficient of the factor profiles) **and** no factor's
#'   probability moves by `max_change` percentage points or more. The table
#'   gives the share of resamples that recovered each category beside the
#'   movement itself (the largest change in a factor's percentage: median
#'   and 95th percentile over the resamples), so a category whose factors
#'   move by 48 points in some resamples cannot be "recovered in 100%".
#'   Categories recovered in fewer than 95% of the resamples are returned in
#'   `weak`; `text` states that threshold where it judges, and calls a
#'   category within the noise of the resamples either side of it (one
#'   binomial standard error at 95%) borderline rather than stable or not
#'   (`borderline`), so that one resample does not decide.
#'
#' @param fit A model from [lca()] (single group), named with
#'   [name_classes()] or not.
#' @param boot The result of [lca_bootstrap()] on `fit`.
#' @param data Optional episodes (with the model's item columns) whose shares
#'   are wanted, such as one council's episodes of a model fitted to several;
#'   default the episodes the model was fitted to.
#' @param threshold Small-number threshold for the shares (default 10).
#' @param max_change A resample whose matched category moves a factor's
#'   probability by this many percentage points or more does not recover it
#'   (default 20).
#' @param recovery Lowest congruence of a recovered category (default 0.95).
#' @param level Level of the intervals (default 0.95).
#' @param fitted_text How the text writes the number of episodes the model
#'   was fitted to, when `data` are fewer (default "all" and the number); a
#'   pooled model's report passes [report_pooled_total()]'s text.
#' @return A list: `shares` (per category: `class`, `name`, `share`,
#'   `lower`, `upper` (bootstrap), `model_lower`, `model_upper`,
#'   `suppressed`; percentages), `stability` (per category: `recovered`
#'   (share of resamples), `change_median`, `change_p95`, `congruence_p05`),
#'   `weak` (names of the categories recovered in fewer than 95% of the
#'   resamples), `borderline` (names of those within the resamples' noise of
#'   95%, either side), `width_ratio` (bootstrap over model-based width, per
#'   category), `comparison` (the word: for example `"much wider than"`),
#'   `resamples` and `text` (sentences, Markdown).
#' @family report
#' @export
#' @examples
#' d <- simulate_lca(n = 1500, seed = 2)
#' fit <- lca(d[1:8], k = 3, seed = 1, verbose = FALSE)
#' b <- lca_bootstrap(fit, reps = 20, seed = 1, verbose = FALSE)
#' st <- report_stability(fit, b)
#' st$shares
#' st$stability
#' cat(st$text)
report_stability <- function(fit, boot, data = NULL, threshold = 10, max_change = 20,
                             recovery = 0.95, level = 0.95, fitted_text = NULL) {
  check_lca_fit(fit)
  if (!inherits(boot, "cscdemand_lca_boot")) {
    abort_input(c("{.arg boot} must be the result of {.fn lca_bootstrap} on {.arg fit}.",
                  x = "It is {.cls {class(boot)}}."))
  }
  check_number(max_change, min = 0, max = 100)
  check_number(recovery, min = 0, max = 1)
  K <- fit$k
  ok <- boot$replicates$status == "ok"
  if (!any(ok)) abort_input("Every bootstrap resample failed, so the categories' stability cannot be shown.",
                            class = "cscdemand_error_data")
  draws <- boot$draws[ok, , drop = FALSE]
  ref <- stack_item_probs(fit$probs)
  P <- ncol(ref)
  probs_of <- function(d) matrix(d[K + seq_len(K * P)], K, P)
  cong <- t(apply(draws, 1, function(d) congruence(probs_of(d), ref)))
  gap <- t(apply(draws, 1, function(d) 100 * apply(abs(probs_of(d) - ref), 1, max)))
  if (K == 1) {
    cong <- t(cong)
    gap <- t(gap)
  }
  stab <- data.frame(class = names(fit$class_size), name = unname(class_labels(fit)),
                     recovered = colMeans(cong >= recovery & gap < max_change),
                     change_median = apply(gap, 2, stats::median),
                     change_p95 = apply(gap, 2, stats::quantile, 0.95, names = FALSE),
                     congruence_p05 = apply(cong, 2, stats::quantile, 0.05, names = FALSE),
                     row.names = NULL, stringsAsFactors = FALSE)
  shares <- stability_shares(fit, draws, data, threshold, level, boot$seed)
  ratio <- (shares$upper - shares$lower) / (shares$model_upper - shares$model_lower)
  word <- interval_comparison(ratio)
  weak <- stab$name[stab$recovered < 0.95]
  band <- stability_band(stab$recovered, sum(ok))
  list(shares = shares, stability = stab, weak = weak, borderline = stab$name[band == "borderline"],
       width_ratio = ratio, comparison = word,
       resamples = sum(ok),
       text = stability_text(stab, ratio, word, weak, sum(ok), max_change, recovery, level,
                             n = if (is.null(data)) fit$nobs else nrow(data), nobs = fit$nobs,
                             nobs_text = fitted_text))
}

# Each resample's shares of `data`'s episodes (the episodes' own class sizes
# by maximum likelihood with the resample's item probabilities held, as
# class_shares() and class_posterior() define them: not the mean posterior
# under the resample's pooled sizes, which pulls a council of a pooled model
# towards the pooled shares), their percentile intervals, and the
# model-based intervals of class_shares() beside them.
stability_shares <- function(fit, draws, data, threshold, level, seed) {
  K <- fit$k
  model <- if (is.null(data)) class_shares(fit, threshold = threshold, level = level) else
    class_shares(fit, data, threshold = threshold, level = level)
  est <- model$share / 100
  if (!is.null(data) && length(fit$patterns$group_levels) > 1) {
    abort_input(c("{.arg data} needs a model fitted without groups.",
                  i = "Leave {.arg data} out to use the fitted class sizes."), class = "cscdemand_error_data")
  }
  if (is.null(data)) {
    # the fitted episodes: a resample's share is its class size
    boot <- draws[, seq_len(K), drop = FALSE]
    if (is.null(data)) est <- unname(fit$class_size)
  } else {
    # one pass per resample over the distinct patterns of `data`
    key <- do.call(paste, c(unname(as.list(data[fit$items])), sep = "\r"))
    first <- !duplicated(key)
    w <- tabulate(match(key, key[first]), sum(first))
    u <- data[first, fit$items, drop = FALSE]
    rows <- boot_layout(fit)$rows
    P <- ncol(stack_item_probs(fit$probs))
    # the episodes of `data` are resampled too (as the model-based interval
    # treats them as a sample), with the bootstrap's seed
    wr <- with_local_seed(seed, stats::rmultinom(nrow(draws), sum(w), w / sum(w)))
    boot <- t(vapply(seq_len(nrow(draws)), function(r) {
      d <- draws[r, ]
      f <- fit
      f$par$logpi[1, ] <- log(d[seq_len(K)])
      f$par$logrho[rows, ] <- t(log(matrix(d[K + seq_len(K * P)], K)))
      own_sizes(stats::predict(f, u, type = "posterior"), model_prior(f, u), n = wr[, r])
    }, numeric(K)))
    if (K == 1) boot <- t(boot)
    est <- own_sizes(stats::predict(fit, u, type = "posterior"), model_prior(fit, u), n = w)
  }
  a <- (1 - level) / 2
  out <- data.frame(class = model$class, name = model$name, share = 100 * est,
                    lower = 100 * apply(boot, 2, stats::quantile, a, names = FALSE),
                    upper = 100 * apply(boot, 2, stats::quantile, 1 - a, names = FALSE),
                    model_lower = model$lower, model_upper = model$upper,
                    suppressed = model$suppressed, row.names = NULL, stringsAsFactors = FALSE)
  out[out$suppressed, c("share", "lower", "upper", "model_lower", "model_upper")] <- NA
  out
}

# The bootstrap interval beside the model-based one, in words that follow
# every category's ratio of widths, not their median: a word is true of the
# whole range quoted beside it ("from 0.9 to 2.7 times as wide" is
# "sometimes narrower and sometimes wider", never "a little wider"). Bands:
# under 0.9 narrower, 0.9 to 1.15 about as wide, 1.15 or more wider.
interval_comparison <- function(ratio) {
  r <- ratio[is.finite(ratio)]
  if (!length(r)) return(NA_character_)
  band <- function(x) if (x < 0.9) "narrower" else if (x < 1.15) "about" else "wider"
  lo <- band(min(r))
  hi <- band(max(r))
  if (lo == "narrower" && hi == "wider") return("sometimes narrower and sometimes wider than")
  if (lo == "narrower" && hi == "about") return("narrower than or about as wide as")
  if (lo == "about" && hi == "wider") return("about as wide as or wider than")
  if (lo == "narrower") return("narrower than")
  if (lo == "about") return("about as wide as")
  # every category wider: the word of the least wide
  if (min(r) >= 2) "much wider than" else if (max(r) < 1.5) "a little wider than" else "wider than"
}

# How a category's share of resamples that recovered it stands against the
# report's threshold for a stable category (`stable`, 95%), allowing for the
# noise of `reps` resamples: within one binomial standard error at the
# threshold (sqrt(0.95 x 0.05 / reps)) either side, a category is
# "borderline" (94% and 96% of 50 resamples are one resample apart, and
# both borderline), under that "unstable", over it "stable". Returns the
# band per category and, as attribute `margin`, the standard error.
stability_band <- function(recovered, reps, stable = 0.95) {
  margin <- sqrt(stable * (1 - stable) / max(1, reps))
  # compare in whole resamples' worth of rounding, so 94.9% is not read as a
  # different side from 95% by floating point
  band <- ifelse(recovered < stable - margin - 1e-9, "unstable",
                 ifelse(recovered < stable + margin - 1e-9, "borderline", "stable"))
  structure(band, margin = margin)
}

# The sentences under the stability table, from its numbers. `nobs_text`:
# how the episodes the model was fitted to are written when they are not
# the council's (a pooled model: report_pooled_total()'s text).
stability_text <- function(stab, ratio, word, weak, reps, max_change, recovery, level, n, nobs,
                           stable = 0.95, nobs_text = NULL) {
  subset <- n < nobs
  r <- ratio[is.finite(ratio)]
  pc <- paste0(100 * level, "%")
  nobs_text <- nobs_text %||% paste("all", format(nobs, big.mark = ","))
  some_narrower <- !is.na(word) && grepl("narrower", word)
  widths <- if (length(r) && !is.na(word)) {
    span <- if (length(r) > 1 && diff(range(r)) >= 0.05) {
      paste0(" (from ", format_pct(min(r)), " to ", format_pct(max(r)),
             " times as wide, category by category)")
    } else paste0(" (", format_pct(stats::median(r)), " times as wide)")
    paste0("The bootstrap ", pc, " intervals of the shares are ", word, " the model-based ones", span,
           ". The report quotes the bootstrap intervals: they come from refitting the model to each resample ",
           "of the episodes, so they measure directly the uncertainty of estimating the categories themselves (their ",
           "factors, and so which episodes they hold) as well as of sampling; ",
           # what the numbers show, no more: no claim which interval is right
           if (some_narrower && subset) paste0("the model-based intervals estimate the shares of the ",
                                              format(n, big.mark = ","), " episodes here with the categories' ",
                                              "definitions taken from the model fitted to ", nobs_text,
                                              " episodes; which of the two is right ",
                                              "is not settled here.")
           else if (some_narrower) paste0("the model-based intervals hold the categories' definitions fixed; that the ",
                                          "bootstrap's come out narrower", if (word != "narrower than") " for some categories" else "",
                                          " is within the noise of ", reps, " resamples.")
           else "the model-based intervals hold the categories' definitions fixed and leave that out.")
  } else ""
  rec <- paste0("A category is *recovered* in a resample when the category matched to it has much the same profile of ",
                "factors as this report's (a likeness of at least ", recovery, " on a scale where 1 is the same profile; ",
                "for the statistician, Tucker's coefficient of congruence) and none of its factors' percentages moves by ", max_change, " points or more. The table gives, beside the share of resamples ",
                "that recovered it, the largest change in a factor's percentage: its median and 95th percentile over ",
                "the resamples.")
  paste0(widths, if (nzchar(widths)) " " else "", rec, " ", stability_judgement(stab, reps, stable), " The intervals and percentiles come from ", reps,
         " resamples, so their ends are approximate.")
}

# The judgement of each category's stability, with the threshold stated
# where it is made and no cliff at it: a category within the noise of the
# resamples either side of the threshold is "close to" it, whichever side
# (stability_band()).
stability_judgement <- function(stab, reps, stable = 0.95) {
  band <- stability_band(stab$recovered, reps, stable)
  pc <- function(x) paste0(format_pct(100 * x, 0, table_digits = 0), "%")  # one rounding rule
  thr <- paste0("the ", pc(stable), " of resamples this report asks of a stable category")
  margin <- paste0("with ", reps, " resamples, a share of resamples is uncertain by about ",
                   max(1, round(100 * attr(band, "margin"))), " points")
  out <- character()
  un <- stab[band == "unstable", , drop = FALSE]
  if (nrow(un)) {
    out <- c(out, paste0("Read ", and_list(paste0("*", un$name, "* (recovered in ", pc(un$recovered), "; ",
                                                  "its factors move by up to ", round(un$change_p95), " points at the 95th percentile)")),
                         " with care: ", if (nrow(un) == 1) "it is" else "they are", " not the same category in every resample, ",
                         "and fall", if (nrow(un) == 1) "s" else "", " short of ", thr, "."))
  }
  bd <- stab[band == "borderline", , drop = FALSE]
  if (nrow(bd)) {
    out <- c(out, paste0(and_list(paste0("*", bd$name, "* (recovered in ", pc(bd$recovered), ")")),
                         if (nrow(bd) == 1) " is" else " are", " close to ", if (nrow(un)) "that threshold" else thr,
                         ": ", margin, ", so ", if (nrow(bd) == 1) "it is" else "they are", " borderline, whichever side of ",
                         pc(stable), if (nrow(bd) == 1) " it falls" else " they fall", "; read ",
                         if (nrow(bd) == 1) "its" else "their", " findings with some care."))
  }
  if (!nrow(un) && !nrow(bd)) {
    out <- paste0("Every category was recovered in ", if (min(stab$recovered) >= 1) "all the resamples" else
                    paste0("at least ", pc(min(stab$recovered)), " of the resamples"), ", above ", thr, ".")
  } else if (any(band == "stable")) {
    m <- min(stab$recovered[band == "stable"])
    out <- c(out, paste0("The other ", if (sum(band == "stable") == 1) "category was" else "categories were", " recovered in ",
                         if (m >= 1) "every resample." else paste0("at least ", pc(m), " of the resamples.")))
  }
  paste(out, collapse = " ")
}

#' The summary's sentence on the categories that are not stable
#'
#' The report's summary names the categories that refitting the model to
#' resamples of the episodes does not reproduce reliably, with the
#' threshold ("the 95% of resamples this report asks of a stable
#' category"), and, so that one resample either side of the threshold does
#' not decide between "stable" and "not stable", calls a category within
#' the resamples' noise of it (one binomial standard error at 95%)
#' borderline, whichever side it falls.
#'
#' @param stab The result of [report_stability()].
#' @param section The title of the report's section on stability, cited.
#' @return One sentence (Markdown), or `NULL` when every category is
#'   clearly stable.
#' @family report
#' @export
#' @examples
#' d <- simulate_lca(n = 1500, seed = 2)
#' fit <- lca(d[1:8], k = 3, seed = 1, verbose = FALSE)
#' b <- lca_bootstrap(fit, reps = 20, seed = 1, verbose = FALSE)
#' report_stability_summary(report_stability(fit, b))
report_stability_summary <- function(stab, section = "How stable are the categories?") {
  sb <- stab$stability
  band <- stability_band(sb$recovered, stab$resamples)
  pc <- function(x) paste0(format_pct(100 * x, 0, table_digits = 0), "%")  # one rounding rule
  un <- sb[band == "unstable", , drop = FALSE]
  # the summary carries the section's hedges: every borderline category,
  # whichever side of the threshold (the section says "read with some care"
  # of all of them)
  bd <- sb[band == "borderline", , drop = FALSE]
  if (!nrow(un) && !nrow(bd)) return(NULL)
  it <- function(d, a, b) if (nrow(d) == 1) a else b
  parts <- c(
    if (nrow(un)) paste0(and_list(paste0("*", un$name, "*")), it(un, " is", " are"), " not stable: refitted to ",
                         "resamples of the episodes, ", it(un, "it was", "they were"), " recovered in only ",
                         and_list(pc(un$recovered)), " of them, short of the 95% this report asks of a stable category"),
    if (nrow(bd)) paste0(if (nrow(un)) "and " else "", and_list(paste0("*", bd$name, "*")), it(bd, " is", " are"),
                         " borderline: recovered in ", and_list(pc(bd$recovered)), " of the resamples, close to ",
                         if (nrow(un)) "that threshold" else "the 95% this report asks of a stable category",
                         " given the noise of ", stab$resamples, " resamples"))
  paste0(paste(parts, collapse = "; "), " (see *", section, "*). Read ",
         if (nrow(un) + nrow(bd) == 1) "its" else "their", " findings with care.")
}
