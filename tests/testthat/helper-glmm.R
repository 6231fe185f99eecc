# Small simulated data sets for the GLMM tests (fixed seeds, restored state).
with_seed_glmm <- function(seed, code) {
  old <- get0(".Random.seed", envir = globalenv(), inherits = FALSE)
  on.exit(if (is.null(old)) rm(".Random.seed", envir = globalenv()) else
    assign(".Random.seed", old, envir = globalenv()))
  set.seed(seed)
  code
}

sim_counts <- function(J = 25, m = 20, sigma = 0.4, theta = 4, seed = 11) {
  with_seed_glmm(seed, {
    la <- rep(sprintf("LA%02d", seq_len(J)), each = m)
    b <- stats::rnorm(J, 0, sigma)
    dec <- sample(1:10, J * m, TRUE)
    la_dec <- rep(sample(1:10, J, TRUE), each = m)
    kids <- stats::rpois(J * m, 300) + 40
    mu <- exp(-3.5 - 0.1 * dec + 0.03 * la_dec + b[rep(seq_len(J), each = m)]) * kids
    data.frame(la = la, imd_decile = dec, la_imd_decile = la_dec, children = kids,
               group = sample(c("A", "B"), J * m, TRUE),
               y = stats::rnbinom(J * m, mu = mu, size = theta),
               yp = stats::rpois(J * m, mu), stringsAsFactors = FALSE)
  })
}

sim_binary <- function(n = 2500, J = 30, sigma = 0.7, seed = 12) {
  with_seed_glmm(seed, {
    la <- sample(sprintf("LA%02d", seq_len(J)), n, TRUE)
    b <- stats::setNames(stats::rnorm(J, 0, sigma), sprintf("LA%02d", seq_len(J)))
    dec <- sample(1:10, n, TRUE)
    sex <- sample(c("F", "M"), n, TRUE)
    age <- sample(c("0-4", "5-9", "10-15"), n, TRUE)
    y <- stats::rbinom(n, 1, stats::plogis(-1 + 0.08 * dec + 0.3 * (sex == "M") + b[la]))
    data.frame(y = y, imd_decile = dec, sex = sex, age = age, la = la,
               stringsAsFactors = FALSE)
  })
}

# The stored data behind the glmmTMB/lme4 reference fits (fixtures/glmm,
# make-reference.R): test-deprivation-glmm-formula.R and -methods.R.
glmm_ref_data <- function() {
  d <- utils::read.csv(test_path("fixtures", "glmm", "glmm-data.csv"))
  d
}
