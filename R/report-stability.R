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
#'   says which is wider, by how much (the word follows the ratio of the
#'   widths), and why. Shares [class_shares()] hides are hidden here too.
#' * **Stability.** A category is *recovered* in a resample when the matched
#'   category has a congruence of at least `recovery` with the report's
#'   (Tucker's coefficient of the factor profiles) **and** no factor's
#'   probability moves by `max_change` percentage points or more. The table
#'   gives the share of resamples that recovered each category beside the
#'   movement itself (the largest change in a factor's percentage: median
#'   and 95th percentile over the resamples), so a category whose factors
#'   move by 48 points in some resamples cannot be "recovered in 100%".
#'   Categories recovered in fewer than 95% of the resamples are named in
#'   `text` and returned in `weak`.
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
#' @return A list: `shares` (per category: `class`, `name`, `share`,
#'   `lower`, `upper` (bootstrap), `model_lower`, `model_upper`,
#'   `suppressed`; percentages), `stability` (per category: `recovered`
#'   (share of resamples), `change_median`, `change_p95`, `congruence_p05`),
#'   `weak` (names of the categories recovered in fewer than 95% of the
#'   resamples), `width_ratio` (bootstrap over model-based width, per
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
                             recovery = 0.95, level = 0.95) {
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
  list(shares = shares, stability = stab, weak = weak, width_ratio = ratio, comparison = word,
       resamples = sum(ok),
       text = stability_text(stab, ratio, word, weak, sum(ok), max_change, recovery, level,
                             n = if (is.null(data)) fit$nobs else nrow(data), nobs = fit$nobs))
}

# Each resample's shares of `data`'s episodes (mean posterior under the
# resample's parameters), their percentile intervals, and the model-based
# intervals of class_shares() beside them.
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
      colSums(stats::predict(f, u, type = "posterior") * wr[, r]) / sum(w)
    }, numeric(K)))
    if (K == 1) boot <- t(boot)
    est <- colSums(stats::predict(fit, u, type = "posterior") * w) / sum(w)
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

# The bootstrap interval beside the model-based one, in a word that follows
# the ratio of their widths (the median over the categories shown).
interval_comparison <- function(ratio) {
  r <- stats::median(ratio[is.finite(ratio)])
  if (is.na(r)) return(NA_character_)
  if (r < 0.9) "narrower than" else if (r < 1.15) "about as wide as" else if (r < 1.5) "a little wider than"
  else if (r < 2) "wider than" else "much wider than"
}

# The sentences under the stability table, from its numbers.
stability_text <- function(stab, ratio, word, weak, reps, max_change, recovery, level, n, nobs) {
  subset <- n < nobs
  r <- ratio[is.finite(ratio)]
  pc <- paste0(100 * level, "%")
  widths <- if (length(r) && !is.na(word)) {
    span <- if (length(r) > 1 && diff(range(r)) >= 0.05) {
      paste0(" (from ", format(round(min(r), 1), nsmall = 1), " to ", format(round(max(r), 1), nsmall = 1),
             " times as wide, category by category)")
    } else paste0(" (", format(round(stats::median(r), 1), nsmall = 1), " times as wide)")
    paste0("The bootstrap ", pc, " intervals of the shares are ", word, " the model-based ones", span,
           ". The report quotes the bootstrap intervals: they come from refitting the model to each resample ",
           "of the episodes, so they measure directly the uncertainty of estimating the categories themselves (their ",
           "factors, and so which episodes they hold) as well as of sampling; ",
           # what the numbers show, no more: no claim which interval is right
           if (word == "narrower than" && subset) paste0("the model-based intervals estimate the shares of the ",
                                              format(n, big.mark = ","), " episodes here with the categories' ",
                                              "definitions taken from the model fitted to all ",
                                              format(nobs, big.mark = ","), " episodes; which of the two is right ",
                                              "is not settled here.")
           else if (word == "narrower than") paste0("the model-based intervals hold the categories' definitions fixed; that the ",
                                                    "bootstrap's come out narrower is within the noise of ", reps, " resamples.")
           else "the model-based intervals hold the categories' definitions fixed and leave that out.")
  } else ""
  rec <- paste0("A category is *recovered* in a resample when the category matched to it has a congruence of at ",
                "least ", recovery, " with this report's (1 = the same profile of factors) and none of its factors' ",
                "percentages moves by ", max_change, " points or more. The table gives, beside the share of resamples ",
                "that recovered it, the largest change in a factor's percentage: its median and 95th percentile over ",
                "the resamples.")
  care <- if (length(weak)) {
    s <- stab[stab$name %in% weak, , drop = FALSE]
    paste0(" Read ", and_list(paste0("*", s$name, "* (recovered in ", round(100 * s$recovered), "%; ",
                                     "its factors move by up to ", round(s$change_p95), " points at the 95th percentile)")),
           " with care: ", if (nrow(s) == 1) "it is" else "they are", " not the same category in every resample.")
  } else paste0(" Every category was recovered in at least 95% of the resamples.")
  paste0(widths, if (nzchar(widths)) " " else "", rec, care, " The intervals and percentiles come from ", reps,
         " resamples, so their ends are approximate.")
}
