#' Social gradient and inverse intervention models by deprivation decile
#'
#' Fits the deprivation models of the categories-of-demand reports: a
#' generalised linear mixed model with a random intercept per council, with the
#' neighbourhood (LSOA) IMD decile as the child-level deprivation proxy and the
#' council's IMD decile as the council-level measure. Three models are fitted:
#' child decile alone and council decile alone (unadjusted), and both together
#' (adjusted: the "inverse intervention law" is a council-decile effect for
#' equally deprived neighbourhoods). Use `family = "negbin"` for counts per
#' LSOA with the child population as `exposure` (rates per child), and
#' `family = "binomial"` for episode-level outcomes (S47, child protection plan,
#' looked after).
#'
#' Deciles run from 1 (most deprived) to 10 (least deprived). With
#' `decile_as = "linear"` each decile is one step, and the ratio is the change
#' in rate (or odds) per step towards *less* deprivation: a ratio of 0.9 means
#' rates 10% lower per step, i.e. `1 / 0.9` = 1.11 times higher per step
#' towards more deprivation. With `decile_as = "factor"` each decile is compared
#' with the lowest decile present (usually decile 1, the most deprived).
#'
#' @inheritParams glmm_ri
#' @param outcome Name of the outcome column (counts, or 0/1 for binomial).
#' @param exposure Optional name of the exposure column (e.g. children living
#'   in the LSOA); its log is an offset, giving rate ratios.
#' @param child_decile Name of the LSOA (child-level) decile column, or `NULL`.
#'   Default `"imd_decile"` (as added by [link_imd()]).
#' @param la_decile Name of the council-level decile column, or `NULL`.
#'   Default `"la_imd_decile"`.
#' @param covariates Optional character vector of further predictor columns
#'   (age band, gender, ethnicity, demand class, ...), included in every model.
#' @param strata Optional name of a column: the models are refitted within each
#'   of its values and the results stacked. A stratum whose models cannot be
#'   fitted (for example no events) is skipped with a warning.
#' @param decile_as `"linear"` (default: one ratio per decile step) or
#'   `"factor"` (a ratio for each decile against the first).
#' @return An object of class `cscdemand_imd_gradient`: a list with `ratios`
#'   (data frame: `stratum`, `model` = `"child"`, `"council"` or `"adjusted"`,
#'   `variable` (the decile column), `term`, `ratio`, `lower`, `upper`, `p.value`, `n`), `models` (a list by
#'   stratum of lists of [glmm_ri()] fits), `family`, `outcome`,
#'   `child_decile`, `la_decile`, `decile_as`, `strata`, `call`. Methods:
#'   `print`, `summary`, `plot` (forest plot), `tidy`, `glance`, and `coef`,
#'   `vcov`, `confint`, `logLik`, `nobs`, `predict` for one of the fits (by
#'   default the adjusted model of the first stratum).
#' @family deprivation models
#' @export
#' @examples
#' d <- simulate_imd_rates(n_la = 30, seed = 1)
#' g <- imd_gradient(d, "referrals", exposure = "children")
#' g
#' plot(g)
imd_gradient <- function(data, outcome, exposure = NULL,
                         family = c("negbin", "poisson", "binomial"),
                         child_decile = "imd_decile", la_decile = "la_imd_decile",
                         covariates = NULL, random = "la_code", strata = NULL, nagq = 1,
                         decile_as = c("linear", "factor"), trials = NULL,
                         control = glmm_control(), threads = NULL) {
  call <- match.call()
  family <- rlang::arg_match(family)
  decile_as <- rlang::arg_match(decile_as)
  check_data_frame(data)
  if (is.null(child_decile) && is.null(la_decile)) {
    abort_input("At least one of {.arg child_decile} and {.arg la_decile} must be a column name.")
  }
  for (v in c(child_decile, la_decile)) {
    check_column_name(v, data, arg = if (identical(v, child_decile)) "child_decile" else "la_decile")
    x <- data[[v]]
    bad <- which(!is.na(x) & !(x %in% 1:10))
    if (!is.numeric(x) || length(bad)) {
      abort_input(c("Decile column {.field {v}} must hold whole numbers from 1 to 10.",
                    x = "{rows_label(bad)}.", i = "Use {.fn link_imd} to add deciles."),
                  class = "cscdemand_error_decile")
    }
  }
  if (!is.null(strata)) check_column_name(strata, data)
  for (v in covariates) check_column_name(v, data, arg = "covariates")
  if (decile_as == "factor") {
    for (v in c(child_decile, la_decile)) {
      data[[v]] <- factor(data[[v]], levels = sort(unique(data[[v]])))
    }
  }
  specs <- list(child = child_decile, council = la_decile,
                adjusted = if (!is.null(child_decile) && !is.null(la_decile)) c(child_decile, la_decile))
  specs <- specs[!vapply(specs, is.null, logical(1))]
  if (is.null(child_decile) || is.null(la_decile)) specs <- specs[1]

  strata_levels <- if (is.null(strata)) "all" else {
    s <- data[[strata]]
    as.character(if (is.factor(s)) levels(droplevels(s)) else sort(unique(s[!is.na(s)])))
  }
  models <- list()
  ratios <- list()
  for (sl in strata_levels) {
    d <- if (is.null(strata)) data else data[!is.na(data[[strata]]) & as.character(data[[strata]]) == sl, , drop = FALSE]
    fits <- list()
    for (mn in names(specs)) {
      fit <- if (is.null(strata)) {
        glmm_ri(d, outcome, predictors = c(specs[[mn]], covariates), exposure = exposure,
                trials = trials, family = family, random = random, nagq = nagq,
                control = control, threads = threads)
      } else {
        tryCatch(
          glmm_ri(d, outcome, predictors = c(specs[[mn]], covariates), exposure = exposure,
                  trials = trials, family = family, random = random, nagq = nagq,
                  control = control, threads = threads),
          cscdemand_error = function(e) {
            warn_cscdemand(c("Stratum {.val {sl}} of {.field {strata}}: the {mn} model was not fitted.",
                             x = conditionMessage(e)), class = "cscdemand_warning_stratum")
            NULL
          })
      }
      if (is.null(fit)) next
      fit$call <- call
      fits[[mn]] <- fit
      td <- tidy.cscdemand_glmm(fit)
      td <- td[td$effect == "fixed" & is_decile_term(td$term, specs[[mn]]), ]
      if (nrow(td)) {
        ratios[[length(ratios) + 1L]] <- data.frame(
          stratum = sl, model = mn, variable = decile_variable(td$term, specs[[mn]]),
          term = td$term, ratio = exp(td$estimate),
          lower = exp(td$conf.low), upper = exp(td$conf.high), p.value = td$p.value,
          n = fit$nobs, stringsAsFactors = FALSE)
      }
    }
    if (length(fits)) models[[sl]] <- fits
  }
  if (!length(models)) {
    abort_input("No model could be fitted in any stratum of {.field {strata}}.",
                class = "cscdemand_error_outcome")
  }
  ratios <- do.call(rbind, ratios)
  rownames(ratios) <- NULL
  structure(list(ratios = ratios, models = models, family = family, outcome = outcome,
                 child_decile = child_decile, la_decile = la_decile, decile_as = decile_as,
                 strata = strata, call = call),
            class = "cscdemand_imd_gradient")
}

decile_variable <- function(term, cols) {
  out <- term
  for (v in cols) out[term == v | startsWith(term, v)] <- v
  out
}

is_decile_term <- function(term, cols) {
  out <- rep(FALSE, length(term))
  for (v in cols) out <- out | term == v | startsWith(term, v)
  out
}

#' Simulate LSOA referral counts with a known deprivation gradient
#'
#' Draws negative binomial counts of referrals for the real LSOAs of a
#' sample of children's services authorities, with their real child
#' populations and IMD deciles, a known child-level gradient, a known
#' council-level effect and a normal random intercept per council. For
#' examples, tests and the validation of [imd_gradient()]. Editions 2019 and
#' 2015 use the 2011 LSOAs and the IoD 2019 child populations (mid-2015);
#' edition 2025 the 2021 LSOAs and the IoD 2025 child populations.
#'
#' @param n_la Number of councils (at most 153). Default 150.
#' @param edition IMD edition for the deciles: 2025, 2019 (the default, which
#'   the package's stored glmmTMB and lme4 reference fits were made on) or 2015.
#' @param rate Referral rate per child in the most deprived decile of a
#'   council of the most deprived decile. Default 0.06 (600 per 10,000).
#' @param child_ratio Rate ratio per LSOA decile step (towards less
#'   deprivation). Default 0.88.
#' @param la_ratio Rate ratio per council decile step. Default 1.03 (the
#'   inverse intervention law: higher rates in less deprived councils for
#'   equally deprived neighbourhoods).
#' @param sigma Standard deviation of the council random intercept (log
#'   scale). Default 0.25.
#' @param theta Negative binomial dispersion (variance `mu + mu^2 / theta`).
#'   Default 8.
#' @param seed Optional seed. The caller's random number state is restored
#'   afterwards. `NULL` (default) uses the current state.
#' @return A data frame, one row per LSOA, with `lsoa11` (`lsoa21` for the
#'   2025 edition), `la_code`,
#'   `imd_decile`, `la_imd_decile`, `children` and `referrals`, and an
#'   attribute `"truth"` with the log-scale parameters.
#' @family deprivation models
#' @export
#' @examples
#' d <- simulate_imd_rates(n_la = 5, seed = 1)
#' head(d)
#' attr(d, "truth")
simulate_imd_rates <- function(n_la = 150, edition = 2019, rate = 0.06, child_ratio = 0.88,
                               la_ratio = 1.03, sigma = 0.25, theta = 8, seed = NULL) {
  check_count(n_la)
  edition <- check_edition(edition, allowed = imd_editions)
  check_number(rate, min = 0)
  check_number(child_ratio, min = 1e-6)
  check_number(la_ratio, min = 1e-6)
  check_number(sigma, min = 0)
  check_number(theta, min = 1e-6)
  if (!is.null(seed)) {
    restore_rng <- local_seed(seed)
    on.exit(restore_rng(), add = TRUE)
  }
  ila <- cscdemand::imd_la[cscdemand::imd_la$edition == edition, ]
  las <- sort(sample(ila$la_code, min(n_la, nrow(ila))))
  tab <- imd_lookup(edition)  # lsoa, imd_decile, la_code, children: one layout per edition
  keep <- tab$la_code %in% las
  d <- data.frame(lsoa = tab$lsoa[keep], la_code = tab$la_code[keep],
                  imd_decile = tab$imd_decile[keep], stringsAsFactors = FALSE)
  names(d)[1] <- if (edition == 2025L) "lsoa21" else "lsoa11"
  d$la_imd_decile <- ila$imd_decile[match(d$la_code, ila$la_code)]
  d$children <- tab$children[keep]
  b <- stats::rnorm(length(las), 0, sigma)
  truth <- c(`(Intercept)` = log(rate) - log(child_ratio) - log(la_ratio),
             imd_decile = log(child_ratio), la_imd_decile = log(la_ratio),
             log_sigma = log(sigma), log_theta = log(theta))
  eta <- truth[[1]] + truth[[2]] * d$imd_decile + truth[[3]] * d$la_imd_decile +
    b[match(d$la_code, las)] + log(d$children)
  d$referrals <- stats::rnbinom(nrow(d), mu = exp(eta), size = theta)
  attr(d, "truth") <- truth
  d
}

# ---- methods -----------------------------------------------------------------

gradient_model <- function(x, model = NULL, stratum = NULL, call = rlang::caller_env()) {
  stratum <- stratum %||% names(x$models)[1]
  if (!stratum %in% names(x$models)) {
    abort_input("{.arg stratum} must be one of {.val {names(x$models)}}.", call = call)
  }
  fits <- x$models[[stratum]]
  model <- model %||% (if ("adjusted" %in% names(fits)) "adjusted" else names(fits)[1])
  if (!model %in% names(fits)) {
    abort_input("{.arg model} must be one of {.val {names(fits)}}.", call = call)
  }
  fits[[model]]
}

#' Methods for deprivation gradient models
#'
#' `print()` and `summary()` show the ratios per decile step with confidence
#' intervals; `tidy()` and `glance()` stack all fitted models (by stratum and
#' model); `coef()`, `vcov()`, `confint()`, `logLik()`, `nobs()` and
#' `predict()` apply to one fit, by default the adjusted model (child and
#' council deciles together) of the first stratum.
#'
#' @param x,object An [imd_gradient()] result.
#' @param model Which model: `"child"`, `"council"` or `"adjusted"`. Default:
#'   the adjusted model if fitted, else the only one.
#' @param stratum Which stratum (as in `x$ratios$stratum`). Default the first.
#' @param exponentiate For `tidy()`: ratios instead of log ratios. Default `TRUE`.
#' @param digits Digits to print.
#' @param ... Passed to the [glmm_ri()] methods.
#' @inheritParams glmm-methods
#' @return As the [glmm_ri()] methods; `tidy()` and `glance()` give data frames
#'   with `stratum` and `model` columns first; `summary()` gives an object of
#'   class `summary.cscdemand_imd_gradient`; `print()` returns `x` invisibly.
#' @family deprivation models
#' @name imd-gradient-methods
#' @examples
#' d <- simulate_imd_rates(n_la = 20, seed = 4)
#' g <- imd_gradient(d, "referrals", exposure = "children")
#' summary(g)
#' coef(g, model = "child")
#' generics::tidy(g)
#' generics::glance(g)
NULL

#' @rdname imd-gradient-methods
#' @export
print.cscdemand_imd_gradient <- function(x, digits = 3, ...) {
  what <- if (x$family == "binomial") "Odds" else "Rate"
  cat("Deprivation gradient:", x$family, "GLMM of", x$outcome,
      if (!is.null(x$models[[1]][[1]]$spec$random)) paste0("with a random intercept for ", x$models[[1]][[1]]$spec$random), "\n")
  cat(what, " ratios ", if (x$decile_as == "linear") "per decile step towards less deprivation" else
    "against the first decile", " (decile 1 = most deprived), 95% CI:\n", sep = "")
  r <- x$ratios
  show <- cbind(data.frame(stratum = r$stratum, model = r$model, term = r$term),
                format_ratios(r, digits, "ratio"))
  if (is.null(x$strata)) show$stratum <- NULL
  print(show, row.names = FALSE, right = FALSE)
  invisible(x)
}

#' @rdname imd-gradient-methods
#' @export
summary.cscdemand_imd_gradient <- function(object, ...) {
  structure(list(ratios = object$ratios, fits = glance.cscdemand_imd_gradient(object),
                 object = object), class = "summary.cscdemand_imd_gradient")
}

#' @rdname imd-gradient-methods
#' @export
print.summary.cscdemand_imd_gradient <- function(x, digits = 3, ...) {
  print.cscdemand_imd_gradient(x$object, digits = digits)
  cat("\nModels:\n")
  f <- x$fits
  f$sigma <- round(f$sigma, 4)
  f$theta <- round(f$theta, 3)
  f$logLik <- round(f$logLik, 2)
  f$AIC <- round(f$AIC, 2)
  f$BIC <- round(f$BIC, 2)
  print(f, row.names = FALSE)
  invisible(x)
}

#' @rdname imd-gradient-methods
#' @export
coef.cscdemand_imd_gradient <- function(object, model = NULL, stratum = NULL, ...) {
  coef(gradient_model(object, model, stratum))
}

#' @rdname imd-gradient-methods
#' @export
vcov.cscdemand_imd_gradient <- function(object, model = NULL, stratum = NULL, ...) {
  vcov(gradient_model(object, model, stratum))
}

#' @rdname imd-gradient-methods
#' @export
confint.cscdemand_imd_gradient <- function(object, parm, level = 0.95, model = NULL,
                                           stratum = NULL, ...) {
  fit <- gradient_model(object, model, stratum)
  if (missing(parm)) confint(fit, level = level) else confint(fit, parm, level = level)
}

#' @rdname imd-gradient-methods
#' @export
logLik.cscdemand_imd_gradient <- function(object, model = NULL, stratum = NULL, ...) {
  logLik(gradient_model(object, model, stratum))
}

#' @rdname imd-gradient-methods
#' @export
nobs.cscdemand_imd_gradient <- function(object, model = NULL, stratum = NULL, ...) {
  nobs(gradient_model(object, model, stratum))
}

#' @rdname imd-gradient-methods
#' @export
predict.cscdemand_imd_gradient <- function(object, newdata, type = c("link", "response"),
                                           random = TRUE, model = NULL, stratum = NULL, ...) {
  fit <- gradient_model(object, model, stratum)
  if (object$decile_as == "factor" && !missing(newdata) && is.data.frame(newdata)) {
    for (v in c(object$child_decile, object$la_decile)) {
      if (v %in% names(newdata)) newdata[[v]] <- factor(newdata[[v]])
    }
  }
  predict.cscdemand_glmm(fit, newdata, type = type, random = random)
}

#' @rdname imd-gradient-methods
#' @export
tidy.cscdemand_imd_gradient <- function(x, exponentiate = TRUE, ...) {
  out <- list()
  for (s in names(x$models)) for (m in names(x$models[[s]])) {
    td <- tidy.cscdemand_glmm(x$models[[s]][[m]], exponentiate = exponentiate, ...)
    out[[length(out) + 1L]] <- cbind(data.frame(stratum = s, model = m), td)
  }
  out <- do.call(rbind, out)
  rownames(out) <- NULL
  out
}

#' @rdname imd-gradient-methods
#' @export
glance.cscdemand_imd_gradient <- function(x, ...) {
  out <- list()
  for (s in names(x$models)) for (m in names(x$models[[s]])) {
    out[[length(out) + 1L]] <- cbind(data.frame(stratum = s, model = m),
                                     glance.cscdemand_glmm(x$models[[s]][[m]]))
  }
  out <- do.call(rbind, out)
  rownames(out) <- NULL
  out
}

#' Forest plot of deprivation ratios
#'
#' Rate or odds ratios with confidence intervals on a log axis, one panel per
#' model (child decile, council decile, adjusted), a reference line at 1, and
#' a line joining the categories (deciles, or strata).
#'
#' @param x An [imd_gradient()] result.
#' @param models Which models to show. Default all.
#' @param ... Not used.
#' @return A ggplot object.
#' @family deprivation models
#' @export
#' @examples
#' d <- simulate_imd_rates(n_la = 20, seed = 5)
#' g <- imd_gradient(d, "referrals", exposure = "children", decile_as = "factor")
#' plot(g)
plot.cscdemand_imd_gradient <- function(x, models = NULL, ...) {
  r <- x$ratios
  if (!is.null(models)) r <- r[r$model %in% models, ]
  r$model <- factor(r$model, levels = intersect(c("child", "council", "adjusted"), unique(r$model)),
                    labels = c(child = "Child (LSOA) decile", council = "Council decile",
                               adjusted = "Adjusted (both)")[intersect(c("child", "council", "adjusted"), unique(r$model))])
  stratified <- !is.null(x$strata)
  r$label <- if (stratified) paste(r$stratum, r$term, sep = ": ") else r$term
  r$label <- factor(r$label, levels = rev(unique(r$label)))
  r$group <- if (stratified && x$decile_as == "linear") paste(r$model, r$term) else
    paste(r$model, r$stratum, r$variable)
  lab <- if (x$family == "binomial") "Odds ratio" else "Rate ratio"
  ggplot2::ggplot(r, ggplot2::aes(x = .data$ratio, y = .data$label)) +
    ggplot2::geom_vline(xintercept = 1, linetype = 2, colour = "grey40") +
    ggplot2::geom_path(ggplot2::aes(group = .data$group), colour = "grey60") +
    ggplot2::geom_errorbarh(ggplot2::aes(xmin = .data$lower, xmax = .data$upper), height = 0.2) +
    ggplot2::geom_point(size = 2) +
    ggplot2::scale_x_log10() +
    ggplot2::facet_wrap(~model, scales = "free_y") +
    ggplot2::labs(x = paste0(lab, " (log scale, 95% CI)"), y = NULL,
                  title = paste("Deprivation and", x$outcome)) +
    ggplot2::theme_minimal()
}

#' Odds of reaching each threshold after referral, by deprivation
#'
#' Episode-level multilevel logistic models (random intercept per council) of
#' the chance of reaching each threshold after referral (for example a section
#' 47 enquiry, a child protection plan, becoming looked after), with LSOA and
#' council deprivation deciles and covariates such as demand class, age band,
#' gender and ethnicity, as in the Kingston odds-ratio figures. Each outcome
#' column is fitted by [imd_gradient()] with `family = "binomial"`; the results
#' are stacked.
#'
#' @inheritParams imd_gradient
#' @param data A data frame, one row per episode, with 0/1 (or logical)
#'   outcome columns.
#' @param outcomes Character vector of outcome columns.
#' @param ... Further arguments to [imd_gradient()] (`child_decile`,
#'   `la_decile`, `strata`, `nagq`, `decile_as`, `control`, `threads`).
#' @return An object of class `cscdemand_imd_thresholds`: a list with `ratios`
#'   (the stacked odds-ratio tables, with an `outcome` column first, covering
#'   deprivation and covariate terms of the adjusted models) and `fits` (the
#'   [imd_gradient()] result per outcome). `print()` shows the table, `plot()`
#'   a forest plot with one panel per outcome, `tidy()` the table.
#' @family deprivation models
#' @export
#' @examples
#' set.seed(1)
#' n <- 3000
#' ep <- data.frame(la_code = sample(sprintf("LA%02d", 1:20), n, TRUE),
#'                  imd_decile = sample(1:10, n, TRUE),
#'                  class = sample(c("Domestic abuse", "Neglect", "Other"), n, TRUE))
#' ep$la_imd_decile <- match(ep$la_code, sprintf("LA%02d", 1:20)) %% 10 + 1
#' ep$s47 <- rbinom(n, 1, plogis(-1 - 0.05 * ep$imd_decile))
#' ep$cp_plan <- rbinom(n, 1, plogis(-2 - 0.08 * ep$imd_decile))
#' th <- imd_thresholds(ep, c("s47", "cp_plan"), covariates = "class")
#' th
#' plot(th)
imd_thresholds <- function(data, outcomes, covariates = NULL, random = "la_code", ...) {
  check_data_frame(data)
  if (!is.character(outcomes) || length(outcomes) < 1L) {
    abort_input("{.arg outcomes} must be a character vector of outcome columns.",
                class = "cscdemand_error_column")
  }
  for (v in outcomes) check_column_name(v, data, arg = "outcomes")
  fits <- list()
  ratios <- list()
  for (v in outcomes) {
    g <- imd_gradient(data, v, family = "binomial", covariates = covariates, random = random,
                      ...)
    fits[[v]] <- g
    td <- tidy.cscdemand_imd_gradient(g)
    td <- td[td$effect == "fixed" & td$term != "(Intercept)" &
               td$model == (if ("adjusted" %in% td$model) "adjusted" else td$model[1]), ]
    ratios[[v]] <- data.frame(outcome = v, stratum = td$stratum, term = td$term,
                              ratio = td$estimate, lower = td$conf.low, upper = td$conf.high,
                              p.value = td$p.value, stringsAsFactors = FALSE)
  }
  ratios <- do.call(rbind, ratios)
  rownames(ratios) <- NULL
  structure(list(ratios = ratios, fits = fits, call = match.call()),
            class = "cscdemand_imd_thresholds")
}

#' @rdname imd_thresholds
#' @param x An `imd_thresholds()` result.
#' @param digits Digits to print.
#' @export
print.cscdemand_imd_thresholds <- function(x, digits = 3, ...) {
  cat("Odds ratios (95% CI) of reaching each threshold, adjusted models with a council random intercept\n")
  r <- x$ratios
  show <- cbind(data.frame(outcome = r$outcome, stratum = r$stratum, term = r$term),
                format_ratios(r, digits, "OR"))
  if (all(show$stratum == "all")) show$stratum <- NULL
  print(show, row.names = FALSE, right = FALSE)
  invisible(x)
}

#' @rdname imd_thresholds
#' @export
tidy.cscdemand_imd_thresholds <- function(x, ...) x$ratios

#' @rdname imd_thresholds
#' @export
plot.cscdemand_imd_thresholds <- function(x, ...) {
  r <- x$ratios
  r$label <- factor(r$term, levels = rev(unique(r$term)))
  r$outcome <- factor(r$outcome, levels = unique(r$outcome))
  ggplot2::ggplot(r, ggplot2::aes(x = .data$ratio, y = .data$label)) +
    ggplot2::geom_vline(xintercept = 1, linetype = 2, colour = "grey40") +
    ggplot2::geom_errorbarh(ggplot2::aes(xmin = .data$lower, xmax = .data$upper), height = 0.2) +
    ggplot2::geom_point(size = 2) +
    ggplot2::scale_x_log10() +
    ggplot2::facet_wrap(~outcome) +
    ggplot2::labs(x = "Odds ratio (log scale, 95% CI)", y = NULL) +
    ggplot2::theme_minimal()
}

# Ratio, 95% interval and p-value columns of a ratios table, for printing.
format_ratios <- function(r, digits, label) {
  f <- function(x) formatC(x, digits = digits, format = "f")
  out <- data.frame(f(r$ratio), paste0(f(r$lower), " - ", f(r$upper)),
                    format.pval(r$p.value, digits = 2))
  names(out) <- c(label, "95% CI", "p")
  out
}
