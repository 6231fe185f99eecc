#' Random-intercept GLMM with a formula, as in lme4 and glmmTMB
#'
#' The formula interface to the GLMM kernel of [glmm_ri()]: write the model
#' as you would for `lme4::glmer()` or `glmmTMB::glmmTMB()`,
#' `cases ~ imd_decile + offset(log(children)) + (1 | la)`. One random
#' intercept term `(1 | group)` is supported (or none, for a GLM). Fixed
#' terms are columns (numeric, or character/factor/logical as indicators) or
#' expressions of columns such as `log(age)`; `offset()` takes any
#' expression; a binomial outcome is a 0/1 column, or `cbind(successes,
#' failures)`.
#'
#' The methods lme4 and glmmTMB users expect work on the fit: `fixef()`,
#' `ranef()`, `VarCorr()` (re-exported from nlme, the generics lme4 and
#' glmmTMB use), `sigma()` (the NB2 dispersion theta for `"nbinom2"`, as in
#' glmmTMB; 1 for Poisson and binomial), `confint()`, `predict()`,
#' `simulate()`, `tidy()`, `glance()`, `logLik()`, `AIC()`, `BIC()`.
#'
#' @param formula A model formula, e.g. `cases ~ x + offset(log(children)) + (1 | la)`.
#' @param data A data frame.
#' @param family `"nbinom2"` (negative binomial, variance `mu + mu^2 / theta`;
#'   `"negbin"` is the same), `"poisson"` or `"binomial"`; a family object such
#'   as `poisson()` or `binomial()`, or `glmmTMB::nbinom2`, also works.
#' @inheritParams glmm_ri
#' @return A `cscdemand_glmm` fit (see [glmm_ri()]) with the `formula`, and the
#'   model's columns in `data` (used by `simulate()`).
#' @family deprivation models
#' @export
#' @examples
#' d <- simulate_imd_rates(n_la = 20, seed = 1)
#' fit <- glmm(referrals ~ imd_decile + offset(log(children)) + (1 | la_code), d,
#'             family = "nbinom2")
#' fixef(fit)
#' VarCorr(fit)
#' sigma(fit)
#' head(ranef(fit)$la_code)
glmm <- function(formula, data, family = "nbinom2", nagq = 1, control = glmm_control(),
                 threads = NULL) {
  call <- match.call()
  fam <- glmm_family_name(family)
  if (!inherits(formula, "formula") || length(formula) != 3L) {
    abort_input(c("{.arg formula} must be a two-sided formula.",
                  i = "For example {.code cases ~ imd_decile + offset(log(children)) + (1 | la)}."),
                class = "cscdemand_error_formula")
  }
  check_data_frame(data)
  mf <- glmm_frame(formula, data, fam)
  fit <- glmm_ri(mf$data, outcome = ".y", predictors = mf$predictors,
                 exposure = if (mf$has_offset) ".exposure" else NULL,
                 trials = mf$trials, family = fam, random = mf$group, nagq = nagq,
                 control = control, threads = threads)
  fit$formula <- formula
  fit$data <- mf$data
  fit$call <- call
  fit
}

glmm_family_name <- function(family, call = rlang::caller_env()) {
  if (is.function(family)) family <- tryCatch(family(), error = function(e) NULL)
  if (is.list(family) && !is.null(family$family)) family <- family$family
  if (!is.character(family) || length(family) != 1L) family <- "<not a family>"
  out <- switch(family, nbinom2 = , negbin = , negative.binomial = "negbin",
                poisson = "poisson", binomial = "binomial", NA_character_)
  if (is.na(out)) {
    abort_input(c("{.arg family} must be \"nbinom2\", \"poisson\" or \"binomial\".",
                  x = "You supplied {.val {family}}."), class = "cscdemand_error_family", call = call)
  }
  out
}

# Splits the formula into outcome, fixed terms, offset and the one (1 | group)
# term, and evaluates them in `data`: returns the data with columns .y,
# .trials, .exposure (exp of the offset) and one column per fixed term.
glmm_frame <- function(formula, data, family, need_y = TRUE, call = rlang::caller_env()) {
  rhs <- formula[[3]]
  terms_list <- list()
  split_plus <- function(e) {
    if (is.call(e) && identical(e[[1]], as.name("+")) && length(e) == 3L) {
      split_plus(e[[2]])
      split_plus(e[[3]])
    } else {
      terms_list[[length(terms_list) + 1L]] <<- e
    }
  }
  split_plus(rhs)
  is_bar <- function(e) is.call(e) && identical(e[[1]], as.name("(")) && is.call(e[[2]]) &&
    identical(e[[2]][[1]], as.name("|"))
  is_off <- function(e) is.call(e) && identical(e[[1]], as.name("offset"))
  bars <- Filter(is_bar, terms_list)
  offs <- Filter(is_off, terms_list)
  fixed <- Filter(function(e) !is_bar(e) && !is_off(e), terms_list)
  bad <- function(msg, what = "", why = "") {
    abort_input(c(msg, i = "Supported: {.code y ~ x1 + x2 + offset(log(n)) + (1 | group)}."),
                class = "cscdemand_error_formula", call = call)
  }
  if (length(bars) > 1L) bad("Only one random-effect term is supported.")
  group <- NULL
  if (length(bars)) {
    b <- bars[[1]][[2]]
    if (!identical(b[[2]], 1) && !identical(b[[2]], 1L)) bad("Only random intercepts {.code (1 | group)} are supported.")
    group <- deparse(b[[3]])
    if (!group %in% names(data)) bad("The grouping column {.field {what}} is not in {.arg data}.", group)
  }
  ev <- function(e) {
    v <- tryCatch(eval(e, data, environment(formula)), error = function(err) {
      bad("Could not evaluate {.code {what}}: {why}", deparse(e), conditionMessage(err))
    })
    if (length(v) != nrow(data)) bad("{.code {what}} does not give one value per row.", deparse(e))
    v
  }
  out <- data.frame(row.names = seq_len(nrow(data)))
  lhs <- formula[[2]]
  trials <- NULL
  if (!need_y) {
    out$.y <- rep(0, nrow(data))  # prediction: the outcome is not needed
    if (is.call(lhs) && identical(lhs[[1]], as.name("cbind"))) {
      out$.trials <- rep(1, nrow(data))
      trials <- ".trials"
    }
  } else if (is.call(lhs) && identical(lhs[[1]], as.name("cbind"))) {
    if (family != "binomial" || length(lhs) != 3L) bad("{.code cbind(successes, failures)} is for binomial outcomes.")
    s <- ev(lhs[[2]])
    out$.y <- s
    out$.trials <- s + ev(lhs[[3]])
    trials <- ".trials"
  } else {
    out$.y <- ev(lhs)
  }
  preds <- character()
  for (e in fixed) {
    if (identical(e, 1) || identical(e, 1L)) next
    if (identical(e, 0) || identical(e, 0L) || (is.call(e) && identical(e[[1]], as.name("-")))) {
      bad("Models without an intercept are not supported.")
    }
    nm <- deparse(e)
    if (grepl(":|\\*|\\^", nm)) bad("Interactions ({.code {what}}) are not supported; build the column first.", nm)
    out[[nm]] <- ev(e)
    preds <- c(preds, nm)
  }
  has_offset <- length(offs) > 0L
  if (has_offset) {
    off <- Reduce(`+`, lapply(offs, function(o) ev(o[[2]])))
    out$.exposure <- exp(off)
  }
  if (!is.null(group)) out[[group]] <- data[[group]]
  list(data = out, predictors = if (length(preds)) preds else NULL, group = group,
       trials = trials, has_offset = has_offset)
}

#' @importFrom nlme fixef ranef VarCorr
#' @export
nlme::fixef
#' @export
nlme::ranef
#' @export
nlme::VarCorr

#' Methods for lme4 and glmmTMB users
#'
#' `fixef()` gives the fixed effects; `ranef()` a list with one data frame
#' (named after the grouping column) of conditional modes of the random
#' intercept, with their conditional standard deviations in attribute
#' `"condsd"`; `VarCorr()` the variance and standard deviation of the random
#' intercept; `sigma()` the NB2 dispersion theta (as glmmTMB) or 1;
#' `simulate()` new outcomes from the fitted model with new random
#' intercepts drawn for every group (as `lme4::simulate(re.form = NA)`).
#'
#' @param object,x A fit from [glmm()] or [glmm_ri()].
#' @param nsim Number of simulated outcome vectors.
#' @param seed Seed for R's generator (the user's state is restored).
#' @param ... Unused.
#' @return See the description; `simulate()` returns a data frame with one
#'   column per simulation.
#' @name glmm-lme4-methods
#' @family deprivation models
#' @examples
#' d <- simulate_imd_rates(n_la = 12, seed = 4)
#' fit <- glmm(referrals ~ imd_decile + offset(log(children)) + (1 | la_code), d)
#' fixef(fit)
#' VarCorr(fit)
#' head(simulate(fit, nsim = 2, seed = 1))
NULL

