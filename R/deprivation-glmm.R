#' Random-intercept GLMM for counts, rates and binary outcomes
#'
#' Fits a generalised linear mixed model with one random intercept per group
#' (usually the council): negative binomial (NB2, log link), Poisson (log link)
#' or binomial (logit link), with an optional exposure (log offset). The fit is
#' done by a C++ kernel: the marginal likelihood factorises over groups, each
#' group's integral is computed around its conditional mode by the Laplace
#' approximation (`nagq = 1`, as in glmmTMB and `lme4::glmer()`) or adaptive
#' Gauss-Hermite quadrature (`nagq > 1`, as `glmer(nAGQ = )`), and the fixed
#' effects, log standard deviation of the random intercept and log NB dispersion
#' are estimated together by quasi-Newton steps with the exact gradient.
#' Standard errors come from the observed information (a finite-difference
#' Hessian of the analytic gradient).
#'
#' Binomial outcomes can be 0/1 (one row per episode) or counts of successes
#' with a `trials` column. Rows of 0/1 data with identical group and predictor
#' values are aggregated into binomial counts before fitting (same likelihood,
#' much faster for episode-level data with few covariate patterns).
#'
#' @param data A data frame.
#' @param outcome Name of the outcome column: counts for `"negbin"` and
#'   `"poisson"`; 0/1 (or logical) or success counts for `"binomial"`.
#' @param predictors Character vector of predictor columns (numeric columns
#'   enter as they are, character, factor and logical columns as indicator
#'   columns against their first level). `NULL` fits an intercept only.
#' @param exposure Optional name of a column of positive exposures (e.g. the
#'   child population of each LSOA); its log is an offset, so coefficients are
#'   log rate ratios.
#' @param trials For binomial counts, the name of the column of numbers of
#'   trials. `NULL` (default) for 0/1 outcomes.
#' @param family `"negbin"` (default), `"poisson"` or `"binomial"`.
#' @param random Name of the grouping column for the random intercept (default
#'   `"la_code"`), or `NULL` for a model without random effects (a GLM; for
#'   `"negbin"` the same model as `MASS::glm.nb()`).
#' @param nagq Number of adaptive Gauss-Hermite quadrature points per group: 1
#'   (default) is the Laplace approximation.
#' @param control Fine settings from [glmm_control()].
#' @param threads Number of threads. `NULL` uses option `cscdemand.threads`,
#'   else at most 2. Results do not depend on the number of threads.
#' @return An object of class `cscdemand_glmm`, a list with components, in
#'   order: `coefficients` (fixed effects, named after the columns),
#'   `vcov` (their covariance matrix), `sigma` (standard deviation of the random
#'   intercept, `NA` without one), `theta` (NB2 dispersion, variance
#'   `mu + mu^2 / theta`; `NA` for other families), `psi` and `vcov_psi` (all
#'   parameters on the optimisation scale: coefficients, log sigma, log theta),
#'   `loglik`, `df`, `nobs` (rows of `data` used), `ngroups`, `ranef` (data
#'   frame of groups with conditional modes and their standard deviations),
#'   `family`, `nagq`, `convergence` (list: `code` 0 = converged, `message`,
#'   `iterations`, `evaluations`, `gradient`), `spec` (columns and factor
#'   levels, for `predict()`), `call`, `threads`.
#' @seealso [imd_gradient()] for the deprivation models built on it.
#' @family deprivation models
#' @export
#' @examples
#' d <- simulate_imd_rates(n_la = 20, seed = 1)
#' fit <- glmm_ri(d, "referrals", predictors = c("imd_decile", "la_imd_decile"),
#'                exposure = "children", family = "negbin", random = "la_code")
#' fit
#' exp(confint(fit))
glmm_ri <- function(data, outcome, predictors = NULL, exposure = NULL, trials = NULL,
                    family = c("negbin", "poisson", "binomial"), random = "la_code",
                    nagq = 1, control = glmm_control(), threads = NULL) {
  call <- match.call()
  family <- rlang::arg_match(family)
  check_count(nagq, min = 1)
  if (nagq > 25) {
    abort_input(c("{.arg nagq} must be at most 25.",
                  i = "Adaptive quadrature is exact to high precision with far fewer points."),
                class = "cscdemand_error_nagq")
  }
  if (!inherits(control, "cscdemand_glmm_control")) {
    abort_input(c("{.arg control} must come from {.fn glmm_control}.",
                  i = "For example {.code control = glmm_control(maxit = 500)}."))
  }
  threads <- resolve_threads(threads)
  prep <- glmm_prepare(data, outcome, predictors, exposure, trials, family, random,
                       aggregate = control$aggregate)
  if (is.null(random) && nagq > 1) nagq <- 1
  out <- glmm_run(prep, family, nagq, control, threads)
  out$call <- call
  out
}

#' Fine settings for the GLMM kernel
#'
#' @param maxit Maximum number of quasi-Newton (BFGS) plus final Newton
#'   iterations. Default 200.
#' @param tol Convergence tolerance on the Newton decrement (the predicted
#'   gain in log-likelihood from one more Newton step). Default `1e-10`.
#' @param aggregate For binomial 0/1 outcomes, aggregate rows with identical
#'   group and predictor values into binomial counts before fitting (exactly
#'   the same likelihood). Default `TRUE`.
#' @return A list of class `cscdemand_glmm_control`.
#' @family deprivation models
#' @export
#' @examples
#' glmm_control(maxit = 500)
glmm_control <- function(maxit = 200, tol = 1e-10, aggregate = TRUE) {
  check_count(maxit)
  check_number(tol, min = 1e-16, max = 1)
  check_flag(aggregate)
  structure(list(maxit = as.integer(maxit), tol = tol, aggregate = aggregate),
            class = "cscdemand_glmm_control")
}

# ---- preparation: validation, design, aggregation ----------------------------

glmm_prepare <- function(data, outcome, predictors, exposure, trials, family, random,
                         aggregate = TRUE, call = rlang::caller_env()) {
  glmm_check_columns(data, outcome, predictors, exposure, trials, family, random, call)
  n_in <- nrow(data)
  cc <- glmm_complete_rows(data, unique(c(outcome, predictors, exposure, trials, random)), call)
  data <- data[cc, , drop = FALSE]
  rows <- which(cc)
  yt <- glmm_outcome(data, outcome, trials, family, rows, call)
  offset <- glmm_offset(data, exposure, rows, call)
  spec <- list(outcome = outcome, predictors = predictors, exposure = exposure,
               trials = trials, random = random, levels = list())
  X <- glmm_design(data, predictors, spec, call = call)
  spec$levels <- attr(X, "levels")
  gf <- glmm_groups(data, random, call)
  gi <- if (is.null(gf)) rep(1L, length(yt$y)) else as.integer(gf)
  m <- list(X = X, y = yt$y, n_tr = yt$n_tr, offset = offset, gi = gi, aggregated = FALSE)
  if (family == "binomial" && is.null(trials) && aggregate) m <- glmm_aggregate(m)
  out <- glmm_layout(m, gf, family, random, call)
  c(out, list(nobs = nrow(data), n_dropped = n_in - nrow(data), spec = spec, random = random))
}

# Stage 1: the named columns exist and fit their roles.
glmm_check_columns <- function(data, outcome, predictors, exposure, trials, family, random,
                               call) {
  check_data_frame(data, call = call)
  check_column_name(outcome, data, call = call)
  if (!is.null(predictors) && (!is.character(predictors) || anyNA(predictors))) {
    abort_input("{.arg predictors} must be a character vector of column names.", call = call,
                class = "cscdemand_error_column")
  }
  for (v in predictors) check_column_name(v, data, arg = "predictors", call = call)
  if (!is.null(exposure)) check_column_name(exposure, data, call = call)
  if (!is.null(trials)) {
    if (family != "binomial") {
      abort_input("{.arg trials} is only used with {.code family = \"binomial\"}.", call = call)
    }
    check_column_name(trials, data, call = call)
  }
  if (!is.null(random)) check_column_name(random, data, call = call)
  invisible()
}

# Stage 2: rows complete on the model's columns (dropped rows are counted in
# a classed warning).
glmm_complete_rows <- function(data, cols, call) {
  cc <- stats::complete.cases(data[cols])
  if (!all(cc)) {
    bad <- which(!cc)
    warn_cscdemand(c("Dropped {length(bad)} row{?s} with missing values in {.field {cols}}.",
                     i = "{rows_label(bad)}."), class = "cscdemand_warning_missing")
  }
  if (!any(cc)) {
    abort_input("No complete rows to fit.", call = call, class = "cscdemand_error_outcome")
  }
  cc
}

# Stage 3: the outcome (and binomial trials) checked.
glmm_outcome <- function(data, outcome, trials, family, rows, call) {
  y <- data[[outcome]]
  if (is.logical(y)) y <- as.numeric(y)
  if (!is.numeric(y)) {
    abort_input(c("Outcome column {.field {outcome}} must be numeric.",
                  x = "It is of type {.cls {class(y)[1]}}."), call = call,
                class = "cscdemand_error_outcome")
  }
  bad <- which(y < 0 | y != round(y))
  if (length(bad)) {
    abort_input(c("Outcome column {.field {outcome}} must hold whole numbers of at least 0.",
                  x = "{rows_label(rows[bad])}: {.val {utils::head(y[bad], 5)}}."),
                call = call, class = "cscdemand_error_outcome")
  }
  if (family == "binomial") {
    n_tr <- if (is.null(trials)) rep(1, length(y)) else data[[trials]]
    bad <- which(!is.numeric(n_tr) | n_tr < 1 | n_tr != round(n_tr) | y > n_tr)
    if (length(bad)) {
      if (is.null(trials)) {
        abort_input(c("Outcome column {.field {outcome}} must be 0/1 for a binomial model.",
                      x = "{rows_label(rows[bad])}: greater than 1.",
                      i = "For counts of successes, give the number of trials in {.arg trials}."),
                    call = call, class = "cscdemand_error_outcome")
      }
      abort_input(c("Column {.field {trials}} must be whole numbers of at least 1 and at least the outcome.",
                    x = "Problem {tolower(rows_label(rows[bad]))}."),
                  call = call, class = "cscdemand_error_outcome")
    }
    if (sum(y) == 0 || sum(y) == sum(n_tr)) {
      abort_input(c("Outcome {.field {outcome}} is {if (sum(y) == 0) 'never' else 'always'} a success.",
                    i = "A logistic model needs both outcomes."), call = call,
                  class = "cscdemand_error_outcome")
    }
  } else {
    n_tr <- rep(1, length(y))
    if (sum(y) == 0) {
      abort_input(c("Outcome {.field {outcome}} is zero in every row.",
                    i = "A rate model needs at least some events."), call = call,
                  class = "cscdemand_error_outcome")
    }
  }
  list(y = y, n_tr = n_tr)
}

# Stage 4: the log exposure offset.
glmm_offset <- function(data, exposure, rows, call) {
  offset <- rep(0, nrow(data))
  if (!is.null(exposure)) {
    e <- data[[exposure]]
    bad <- which(!is.numeric(e) | !is.finite(e) | e <= 0)
    if (!is.numeric(e) || length(bad)) {
      abort_input(c("Exposure column {.field {exposure}} must be positive numbers.",
                    x = "{rows_label(rows[bad])}: zero, negative or not finite.",
                    i = "Drop rows with no children (e.g. {.code subset(data, {exposure} > 0)}), or fix the denominators."),
                  call = call, class = "cscdemand_error_exposure")
    }
    offset <- log(e)
  }
  offset
}

# Stage 5: the random-effect groups (NULL without a random intercept).
glmm_groups <- function(data, random, call) {
  if (is.null(random)) return(NULL)
  g <- data[[random]]
  gf <- factor(as.character(g))
  if (nlevels(gf) < 3L) {
    abort_input(c("A random intercept needs at least 3 groups in {.field {random}}.",
                  x = "There {?is/are} {nlevels(gf)} group{?s}.",
                  i = "Use {.code random = NULL} for a model without random effects."),
                call = call, class = "cscdemand_error_groups")
  }
  sizes <- tabulate(gf, nlevels(gf))
  if (any(sizes == 1L)) {
    one <- levels(gf)[sizes == 1L]
    warn_cscdemand(c("{length(one)} group{?s} of {.field {random}} {?has/have} a single row: {.val {utils::head(one, 5)}}.",
                     i = "Their random intercepts rest on one observation; estimates are shrunk to the mean."),
                   class = "cscdemand_warning_small_group")
  }
  gf
}

# Stage 6: 0/1 binomial rows with the same group, predictors and offset
# become binomial counts (the same likelihood).
glmm_aggregate <- function(m) {
  k <- row_groups(cbind(m$gi, m$X, m$offset))
  u <- match(seq_len(max(k)), k)
  list(X = m$X[u, , drop = FALSE], y = as.numeric(rowsum(m$y, k, reorder = TRUE)),
       n_tr = as.numeric(rowsum(m$n_tr, k, reorder = TRUE)), offset = m$offset[u],
       gi = m$gi[u], aggregated = TRUE)
}

# Stage 7: identifiability checks and the kernel's layout (rows by group).
glmm_layout <- function(m, gf, family, random, call) {
  X <- m$X
  y <- m$y
  n_tr <- m$n_tr
  gi <- m$gi
  offset <- m$offset
  aggregated <- m$aggregated
  w <- rep(1, length(y))
  p <- ncol(X)
  qrX <- qr(X)
  if (qrX$rank < p) {
    alias <- colnames(X)[qrX$pivot[(qrX$rank + 1):p]]
    abort_input(c("The predictors are collinear: {.field {alias}} {?is/are} a combination of the others.",
                  i = "Drop one of the columns, or check that each predictor varies in the data."),
                call = call, class = "cscdemand_error_collinear")
  }
  if (family == "binomial") check_separation(X, y, n_tr, call = call)
  o <- order(gi)
  ng <- if (is.null(random)) max(1L, min(64L, length(y) %/% 2048L)) else nlevels(gf)
  if (is.null(random)) {
    gi2 <- rep(seq_len(ng), length.out = length(y))
    gi2 <- sort(gi2)
    cstart <- c(0L, cumsum(tabulate(gi2, ng)))
  } else {
    cstart <- c(0L, cumsum(tabulate(gi, ng)))
  }
  lchoose_const <- if (family == "binomial" && !aggregated) sum(lchoose(n_tr, y)) else 0
  list(X = X[o, , drop = FALSE], y = y[o], trials = n_tr[o], offset = offset[o], w = w[o],
       cstart = as.integer(cstart), group_levels = if (is.null(gf)) NULL else levels(gf),
       ngroups = if (is.null(gf)) 0L else nlevels(gf),
       aggregated = aggregated, n_rows_fit = length(y), lchoose = lchoose_const,
       group_size = if (is.null(gf)) NULL else tabulate(gf, nlevels(gf)))
}

# Group ids (1..G, in order of first appearance) of identical rows of a numeric
# matrix: mixed-radix codes of the per-column value ids while they fit in a
# double exactly, else pasted keys.
row_groups <- function(M) {
  key <- rep(0, nrow(M))
  radix <- 1
  for (k in seq_len(ncol(M))) {
    ux <- unique(M[, k])
    if (length(ux) == 1L) next
    if (radix * length(ux) > 2^52) {
      key <- do.call(paste, c(as.data.frame(M), sep = "\r"))
      break
    }
    key <- key + radix * (match(M[, k], ux) - 1)
    radix <- radix * length(ux)
  }
  match(key, unique(key))
}

# Model matrix: intercept, numeric columns as they are, categorical columns as
# indicators against the first level (names: column + level, as model.matrix).
glmm_design <- function(data, predictors, spec, levels = NULL, call = rlang::caller_env()) {
  n <- nrow(data)
  cols <- list(`(Intercept)` = rep(1, n))
  lev_out <- list()
  for (v in predictors) {
    x <- data[[v]]
    if (is.logical(x)) x <- factor(x, levels = c(FALSE, TRUE))
    if (is.character(x)) x <- factor(x)
    if (is.factor(x)) {
      lv <- if (!is.null(levels[[v]])) levels[[v]] else levels(droplevels(x))
      if (!is.null(levels[[v]])) {
        bad <- which(!is.na(x) & !as.character(x) %in% lv)
        if (length(bad)) {
          abort_input(c("Column {.field {v}} of {.arg newdata} has level{?s} not in the fitted model: {.val {unique(as.character(x[bad]))}}.",
                        x = "{rows_label(bad)}."),
                      call = call, class = "cscdemand_error_newdata")
        }
      }
      lev_out[[v]] <- lv
      xc <- as.character(x)
      for (l in lv[-1]) cols[[paste0(v, l)]] <- as.numeric(xc == l)
    } else if (is.numeric(x)) {
      cols[[v]] <- as.numeric(x)
    } else {
      abort_input(c("Predictor column {.field {v}} must be numeric, logical, character or factor.",
                    x = "It is of type {.cls {class(x)[1]}}."), call = call,
                  class = "cscdemand_error_column")
    }
  }
  X <- do.call(cbind, cols)
  if (is.null(dim(X))) X <- matrix(X, ncol = 1)
  colnames(X) <- names(cols)
  attr(X, "levels") <- lev_out
  X
}

# Complete separation on an indicator column: all successes or all failures
# among the rows where it is 1 (or 0), so its coefficient is infinite.
check_separation <- function(X, y, n, call = rlang::caller_env()) {
  for (k in seq_len(ncol(X))[-1]) {
    x <- X[, k]
    if (!all(x %in% c(0, 1))) next
    for (val in c(1, 0)) {
      s <- x == val
      if (!any(s)) next
      ys <- sum(y[s])
      if (ys == 0 || ys == sum(n[s])) {
        nm <- colnames(X)[k]
        abort_input(c("Perfect separation: the outcome is {if (ys == 0) 'never' else 'always'} a success when {.field {nm}} is {val}.",
                      i = "Its odds ratio would be infinite. Merge that category with another, or drop the predictor."),
                    call = call, class = "cscdemand_error_separation")
      }
    }
  }
  invisible()
}

# ---- fitting ---------------------------------------------------------------------

glmm_family_code <- function(family) {
  switch(family, poisson = 0L, negbin = 1L, binomial = 2L)
}

glmm_start <- function(prep, family) {
  X <- prep$X
  fam <- if (family == "binomial") stats::binomial() else stats::poisson()
  yy <- if (family == "binomial") prep$y / prep$trials else prep$y
  wt <- if (family == "binomial") prep$trials else rep(1, length(yy))
  g <- suppressWarnings(stats::glm.fit(X, yy, weights = wt, offset = prep$offset,
                                       family = fam, control = list(maxit = 50)))
  beta <- g$coefficients
  beta[!is.finite(beta)] <- 0
  psi <- beta
  mu <- g$fitted.values * if (family == "binomial") prep$trials else 1
  if (!is.null(prep$random)) {
    # spread of group-level log ratios of observed to expected
    gi <- rep(seq_len(length(prep$cstart) - 1L), diff(prep$cstart))
    o <- as.numeric(rowsum(prep$y, gi))
    e <- as.numeric(rowsum(mu, gi))
    sdv <- stats::sd(log((o + 0.5) / (e + 0.5)))
    psi <- c(psi, log(min(2, max(0.1, if (is.finite(sdv)) sdv else 0.3))))
  }
  if (family == "negbin") {
    r <- sum((prep$y - mu)^2 - mu)
    th <- if (r > 0) sum(mu^2) / r else 100
    psi <- c(psi, log(min(1e4, max(0.05, th))))
  }
  unname(psi)
}

glmm_run <- function(prep, family, nagq, control, threads) {
  start <- glmm_start(prep, family)
  random <- !is.null(prep$random)
  r <- cpp_glmm_fit(prep$X, prep$y, prep$trials, prep$offset, prep$w, prep$cstart,
                    glmm_family_code(family), random, as.integer(nagq), start,
                    control$maxit, control$tol, threads)
  p <- ncol(prep$X)
  nm <- colnames(prep$X)
  psi <- r$psi
  pnames <- c(nm, if (random) "log_sigma", if (family == "negbin") "log_theta")
  names(psi) <- pnames
  H <- r$hessian
  dimnames(H) <- list(pnames, pnames)
  # parameters on a bound (log sigma or log theta) are left out of the
  # information matrix; their variances are NA
  bound <- glmm_at_bound(psi, random, family)
  free <- !bound
  V <- matrix(NA_real_, length(psi), length(psi), dimnames = list(pnames, pnames))
  Vf <- tryCatch(solve(-H[free, free, drop = FALSE]), error = function(e) NULL)
  info_ok <- !is.null(Vf) && all(is.finite(Vf)) && all(diag(Vf) > 0)
  if (info_ok) V[free, free] <- Vf
  loglik <- r$loglik + prep$lchoose
  code <- r$status
  msg <- switch(as.character(code), `0` = "converged",
                `1` = "iteration limit reached", `2` = "line search failed",
                `3` = "non-finite log-likelihood")
  if (code == 2L && (any(bound) || (is.finite(r$decrement) && r$decrement < 1e-6))) {
    code <- 0L
    msg <- "converged (at the limit of numerical precision)"
  }
  sigma <- if (random) exp(psi[["log_sigma"]]) else NA_real_
  theta <- if (family == "negbin") exp(psi[["log_theta"]]) else NA_real_
  ranef <- if (random) {
    data.frame(group = prep$group_levels, n = prep$group_size, mode = r$bhat, sd = r$bsd,
               stringsAsFactors = FALSE)
  } else NULL
  fit <- structure(list(
    coefficients = stats::setNames(psi[seq_len(p)], nm),
    vcov = V[seq_len(p), seq_len(p), drop = FALSE],
    sigma = sigma,
    theta = theta,
    psi = psi,
    vcov_psi = V,
    loglik = loglik,
    df = length(psi),
    nobs = prep$nobs,
    ngroups = prep$ngroups,
    ranef = ranef,
    family = family,
    nagq = as.integer(nagq),
    convergence = list(code = code, message = msg, iterations = r$iterations,
                       evaluations = r$evaluations, gradient = stats::setNames(r$grad, pnames),
                       decrement = r$decrement, modes_unconverged = r$modes_unconverged,
                       aggregated_rows = if (prep$aggregated) prep$n_rows_fit else NA_integer_),
    spec = prep$spec,
    call = NULL,
    threads = threads
  ), class = "cscdemand_glmm")
  glmm_diagnose(fit, info_ok)
  fit
}

# Bounds of the kernel (glmm.h Control): log sigma in [-9, 4], log theta in [-7, 14].
glmm_at_bound <- function(psi, random, family) {
  b <- rep(FALSE, length(psi))
  if (random) {
    k <- which(names(psi) == "log_sigma")
    b[k] <- psi[k] <= -9 + 1e-8 || psi[k] >= 4 - 1e-8
  }
  if (family == "negbin") {
    k <- which(names(psi) == "log_theta")
    b[k] <- psi[k] <= -7 + 1e-8 || psi[k] >= 14 - 1e-8
  }
  b
}

# Classed warnings for fits that need a second look; the state is stored too.
glmm_diagnose <- function(fit, info_ok) {
  if (fit$convergence$code != 0L) {
    warn_cscdemand(c("The GLMM did not converge: {fit$convergence$message}.",
                     i = "Try {.code control = glmm_control(maxit = 1000)}, fewer predictors, or rescaled predictors."),
                   class = "cscdemand_warning_convergence")
  }
  if (fit$convergence$modes_unconverged > 0L) {
    warn_cscdemand(c("The conditional mode of {fit$convergence$modes_unconverged} group{?s} did not converge in 200 Newton steps.",
                     i = "The Laplace or quadrature approximation is unreliable there; check for groups with extreme counts."),
                   class = "cscdemand_warning_convergence")
  }
  if (!info_ok) {
    warn_cscdemand(c("The observed information is not positive definite, so standard errors are {.code NA}.",
                     i = "The model may be over-parameterised or a parameter is on its boundary."),
                   class = "cscdemand_warning_hessian")
  }
  if (!is.na(fit$sigma) && fit$sigma < 1e-3) {
    warn_cscdemand(c("The random intercept standard deviation is estimated at (close to) zero.",
                     i = "The groups do not differ beyond chance; a model with {.code random = NULL} gives the same fit."),
                   class = "cscdemand_warning_singular")
  }
  if (!is.na(fit$theta) && fit$theta > 1e5) {
    warn_cscdemand(c("The negative binomial dispersion {.field theta} is at its upper limit: there is no over-dispersion.",
                     i = "Use {.code family = \"poisson\"}."), class = "cscdemand_warning_boundary")
  }
  if (fit$family == "binomial" && any(abs(fit$coefficients[-1]) > 15)) {
    big <- names(fit$coefficients)[-1][abs(fit$coefficients[-1]) > 15]
    warn_cscdemand(c("Coefficient{?s} {.field {big}} {?is/are} very large on the logit scale: quasi-separation.",
                     i = "Merge sparse categories or drop the predictor."),
                   class = "cscdemand_warning_separation")
  }
  invisible()
}
