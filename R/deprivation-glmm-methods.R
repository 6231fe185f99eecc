#' Methods for random-intercept GLMM fits
#'
#' Standard methods for [glmm_ri()] fits. `coef()` and `vcov()` give the
#' fixed effects on the link scale (log rate ratios or log odds ratios);
#' `confint()` gives Wald intervals (exponentiate them for ratios);
#' `logLik()` carries `df` and `nobs`, so `AIC()` and `BIC()` work.
#'
#' @param object,x A `cscdemand_glmm` fit.
#' @param parm Coefficients (names or indices); default all.
#' @param level Confidence level. Default 0.95.
#' @param newdata For `predict()`: a data frame with the predictor columns,
#'   the exposure column (if the model has one) and, for `random = TRUE`, the
#'   group column.
#' @param type `"link"` (default) or `"response"` (expected counts, including
#'   the exposure, or probabilities).
#' @param random Include the fitted random intercept of each row's group
#'   (`TRUE`, default; groups not in the fit get 0), or not (`FALSE`,
#'   population-average prediction for a typical group).
#' @param digits Digits to print.
#' @param ... Not used.
#' @return `coef()`: named numeric vector. `vcov()`: matrix. `confint()`:
#'   matrix with columns for the lower and upper limits. `logLik()`: a
#'   `logLik` object. `nobs()`: number of rows used. `predict()`: numeric
#'   vector, one value per row of `newdata`. `summary()`: an object of class
#'   `summary.cscdemand_glmm` with the coefficient table. `print()` returns
#'   `x` invisibly.
#' @family deprivation models
#' @name glmm-methods
#' @examples
#' d <- simulate_imd_rates(n_la = 15, seed = 2)
#' fit <- glmm_ri(d, "referrals", "imd_decile", exposure = "children")
#' coef(fit)
#' summary(fit)
#' AIC(fit)
#' head(predict(fit, newdata = d, type = "response"))
NULL

#' @rdname glmm-methods
#' @export
coef.cscdemand_glmm <- function(object, ...) object$coefficients

#' @rdname glmm-methods
#' @export
vcov.cscdemand_glmm <- function(object, ...) object$vcov

#' @rdname glmm-methods
#' @export
confint.cscdemand_glmm <- function(object, parm, level = 0.95, ...) {
  cf <- object$coefficients
  if (missing(parm)) parm <- names(cf)
  if (is.numeric(parm)) parm <- names(cf)[parm]
  se <- sqrt(diag(object$vcov))[parm]
  z <- stats::qnorm(1 - (1 - level) / 2)
  out <- cbind(cf[parm] - z * se, cf[parm] + z * se)
  pct <- paste(format(100 * c((1 - level) / 2, 1 - (1 - level) / 2), trim = TRUE,
                      scientific = FALSE, digits = 3), "%")
  dimnames(out) <- list(parm, pct)
  out
}

#' @rdname glmm-methods
#' @export
logLik.cscdemand_glmm <- function(object, ...) {
  structure(object$loglik, df = object$df, nobs = object$nobs, class = "logLik")
}

#' @rdname glmm-methods
#' @export
nobs.cscdemand_glmm <- function(object, ...) object$nobs

#' @rdname glmm-methods
#' @export
predict.cscdemand_glmm <- function(object, newdata, type = c("link", "response"),
                                   random = TRUE, ...) {
  type <- rlang::arg_match(type)
  check_flag(random)
  if (missing(newdata)) {
    abort_input(c("{.arg newdata} must be a data frame with the model's columns.",
                  i = "Pass the data used to fit for fitted values."),
                class = "cscdemand_error_newdata")
  }
  check_data_frame(newdata, what = "a data frame with the model's columns", class = "cscdemand_error_newdata")
  if (!is.null(object$formula)) {
    newdata <- glmm_frame(object$formula, newdata, object$family, need_y = FALSE)$data
  }
  spec <- object$spec
  for (v in c(spec$predictors, spec$exposure)) {
    check_column_name(v, newdata, arg = "newdata")
  }
  X <- glmm_design(newdata, spec$predictors, spec, levels = spec$levels)
  eta <- drop(X %*% object$coefficients)
  if (!is.null(spec$exposure)) eta <- eta + log(newdata[[spec$exposure]])
  if (random && !is.null(spec$random)) {
    check_column_name(spec$random, newdata, arg = "newdata")
    re <- object$ranef$mode[match(as.character(newdata[[spec$random]]), object$ranef$group)]
    re[is.na(re)] <- 0
    eta <- eta + re
  }
  if (type == "link") return(eta)
  if (object$family == "binomial") stats::plogis(eta) else exp(eta)
}

#' @rdname glmm-methods
#' @export
print.cscdemand_glmm <- function(x, digits = 4, ...) {
  fam <- c(negbin = "Negative binomial (NB2, log link)", poisson = "Poisson (log link)",
           binomial = "Binomial (logit link)")[[x$family]]
  cat(fam, "GLMM", if (!is.null(x$spec$random)) paste0("with a random intercept for ", x$spec$random) else "without random effects", "\n")
  cat("Integration: ", if (is.null(x$spec$random)) "none" else if (x$nagq == 1) "Laplace" else
    paste0("adaptive Gauss-Hermite, ", x$nagq, " points"), "\n", sep = "")
  cat("Observations: ", x$nobs, if (x$ngroups > 0) paste0(";  groups: ", x$ngroups), "\n", sep = "")
  cat("Log-likelihood: ", format(x$loglik, digits = 10), ";  AIC: ",
      format(-2 * x$loglik + 2 * x$df, digits = 10), "\n", sep = "")
  cat("\nFixed effects (link scale):\n")
  print(round(x$coefficients, digits))
  if (!is.na(x$sigma)) cat("\nRandom intercept SD:", format(x$sigma, digits = digits),
                           " (variance", format(x$sigma^2, digits = digits), ")\n")
  if (!is.na(x$theta)) cat("NB dispersion theta:", format(x$theta, digits = digits), "\n")
  if (x$convergence$code != 0) cat("\nWarning: ", x$convergence$message, "\n", sep = "")
  invisible(x)
}

#' @rdname glmm-methods
#' @export
summary.cscdemand_glmm <- function(object, level = 0.95, ...) {
  cf <- object$coefficients
  se <- sqrt(diag(object$vcov))
  z <- cf / se
  ci <- confint(object, level = level)
  tab <- cbind(Estimate = cf, `Std. Error` = se, Ratio = exp(cf),
               Lower = exp(ci[, 1]), Upper = exp(ci[, 2]), `z value` = z,
               `Pr(>|z|)` = 2 * stats::pnorm(-abs(z)))
  structure(list(coefficients = tab, fit = object, level = level),
            class = "summary.cscdemand_glmm")
}

#' @rdname glmm-methods
#' @export
print.summary.cscdemand_glmm <- function(x, digits = 4, ...) {
  f <- x$fit
  print.cscdemand_glmm(f, digits = digits)
  cat("\nCoefficients (Ratio = ", if (f$family == "binomial") "odds" else "rate",
      " ratio with ", 100 * x$level, "% Wald interval):\n", sep = "")
  stats::printCoefmat(x$coefficients, digits = digits, has.Pvalue = TRUE,
                      P.values = TRUE, cs.ind = 1:2, tst.ind = 6)
  invisible(x)
}

#' Tidy and glance a GLMM fit
#'
#' @param x A `cscdemand_glmm` fit.
#' @param conf.int Add Wald confidence limits. Default `TRUE`.
#' @param conf.level Confidence level. Default 0.95.
#' @param exponentiate Report ratios (`exp(estimate)`, limits exponentiated) for
#'   the fixed effects. Default `FALSE`.
#' @param ... Not used.
#' @return `tidy()`: a data frame with one row per fixed effect (`effect =
#'   "fixed"`) and per variance parameter (`effect = "ran_pars"`: random
#'   intercept SD `sd__(Intercept)`; and `theta` for negative binomial), with
#'   `term`, `estimate`, `std.error`, `statistic`, `p.value`, `conf.low`,
#'   `conf.high`. `glance()`: a one-row data frame with `nobs`, `ngroups`,
#'   `sigma`, `theta`, `logLik`, `AIC`, `BIC`, `df`, `converged`.
#' @family deprivation models
#' @name glmm-tidiers
#' @examples
#' d <- simulate_imd_rates(n_la = 15, seed = 3)
#' fit <- glmm_ri(d, "referrals", "imd_decile", exposure = "children")
#' generics::tidy(fit, exponentiate = TRUE)
#' generics::glance(fit)
NULL

#' @rdname glmm-tidiers
#' @export
tidy.cscdemand_glmm <- function(x, conf.int = TRUE, conf.level = 0.95, exponentiate = FALSE,
                                ...) {
  cf <- x$coefficients
  se <- sqrt(diag(x$vcov))
  z <- stats::qnorm(1 - (1 - conf.level) / 2)
  out <- data.frame(effect = "fixed", term = names(cf), estimate = unname(cf),
                    std.error = unname(se), statistic = unname(cf / se),
                    p.value = unname(2 * stats::pnorm(-abs(cf / se))),
                    conf.low = unname(cf - z * se), conf.high = unname(cf + z * se),
                    stringsAsFactors = FALSE)
  if (exponentiate) {
    out$estimate <- exp(out$estimate)
    out$conf.low <- exp(out$conf.low)
    out$conf.high <- exp(out$conf.high)
    out$std.error <- out$estimate * out$std.error
  }
  vp <- x$vcov_psi
  rp <- NULL
  if (!is.na(x$sigma)) {
    s <- sqrt(vp["log_sigma", "log_sigma"])
    rp <- rbind(rp, data.frame(effect = "ran_pars", term = "sd__(Intercept)",
                               estimate = x$sigma, std.error = x$sigma * s, statistic = NA_real_,
                               p.value = NA_real_, conf.low = x$sigma * exp(-z * s),
                               conf.high = x$sigma * exp(z * s)))
  }
  if (!is.na(x$theta)) {
    s <- sqrt(vp["log_theta", "log_theta"])
    rp <- rbind(rp, data.frame(effect = "ran_pars", term = "theta", estimate = x$theta,
                               std.error = x$theta * s, statistic = NA_real_, p.value = NA_real_,
                               conf.low = x$theta * exp(-z * s), conf.high = x$theta * exp(z * s)))
  }
  out <- rbind(out, rp)
  if (!conf.int) out$conf.low <- out$conf.high <- NULL
  rownames(out) <- NULL
  out
}

#' @rdname glmm-tidiers
#' @export
glance.cscdemand_glmm <- function(x, ...) {
  data.frame(nobs = x$nobs, ngroups = x$ngroups, sigma = x$sigma, theta = x$theta,
             logLik = x$loglik, AIC = -2 * x$loglik + 2 * x$df,
             BIC = -2 * x$loglik + log(x$nobs) * x$df, df = x$df,
             converged = x$convergence$code == 0L)
}

#' @importFrom stats confint vcov
NULL

#' @rdname glmm-lme4-methods
#' @method fixef cscdemand_glmm
#' @export
fixef.cscdemand_glmm <- function(object, ...) object$coefficients

#' @rdname glmm-lme4-methods
#' @method ranef cscdemand_glmm
#' @export
ranef.cscdemand_glmm <- function(object, ...) {
  re <- object$ranef
  if (is.null(re)) return(list())
  df <- data.frame(`(Intercept)` = re$mode, row.names = re$group, check.names = FALSE)
  attr(df, "condsd") <- stats::setNames(re$sd, re$group)
  stats::setNames(list(df), object$spec$random)
}

#' @rdname glmm-lme4-methods
#' @method VarCorr cscdemand_glmm
#' @export
VarCorr.cscdemand_glmm <- function(x, ...) {
  if (is.na(x$sigma)) return(data.frame(grp = character(), var = numeric(), sd = numeric()))
  data.frame(grp = x$spec$random, term = "(Intercept)", var = x$sigma^2, sd = x$sigma,
             stringsAsFactors = FALSE)
}

#' @rdname glmm-lme4-methods
#' @importFrom stats sigma
#' @export
sigma.cscdemand_glmm <- function(object, ...) {
  if (object$family == "negbin") object$theta else 1
}

#' @rdname glmm-lme4-methods
#' @importFrom stats simulate
#' @export
simulate.cscdemand_glmm <- function(object, nsim = 1, seed = NULL, ...) {
  check_count(nsim)
  d <- object$data
  if (is.null(d)) {
    abort_input(c("{.fn simulate} needs a fit from {.fn glmm} (which keeps the model's columns).",
                  i = "Refit with the formula interface."), class = "cscdemand_error_newdata")
  }
  object$formula <- NULL  # d already holds the model's columns
  eta <- predict.cscdemand_glmm(object, d, type = "link", random = FALSE)
  sp <- object$spec
  g <- if (is.null(sp$random)) NULL else as.integer(factor(d[[sp$random]]))
  n_tr <- if (is.null(sp$trials)) rep(1, nrow(d)) else d[[sp$trials]]
  draw <- function(i) {
    e <- eta
    if (!is.null(g)) e <- e + stats::rnorm(max(g), 0, object$sigma)[g]
    switch(object$family,
           negbin = stats::rnbinom(length(e), mu = exp(e), size = object$theta),
           poisson = stats::rpois(length(e), exp(e)),
           binomial = stats::rbinom(length(e), n_tr, stats::plogis(e)))
  }
  sims <- with_local_seed(seed, lapply(seq_len(nsim), draw))
  out <- as.data.frame(sims)
  names(out) <- paste0("sim_", seq_len(nsim))
  out
}
