# The national analysis end to end, in one process (issue 27): a simulated
# national CIN extract with known truth (simulate_cin_national(): 152
# councils, 7 census years, 29 factors, 12 categories, 2.9 million episodes
# and 3.6 million assessments at scale 1) read, flagged, modelled and
# checked against the truth. Prints a table of elapsed time, CPU time and
# peak memory per stage, then the correctness checks.
#
# Usage, from the root of a clone (one command; about 10 minutes on an idle
# 2-core machine, of which about 1 minute setting up the extract):
#   R CMD INSTALL --preclean .      # an optimised build (the bench refuses -O0)
#   bash tools/start-postgres.sh    # optional: stage 2b (else skipped, and said)
#   CSCDEMAND_BENCH_LOAD=installed Rscript bench/bench-national.R
# Needs the packages in DESCRIPTION's Suggests that it uses: clue, DBI,
# RPostgreSQL (stage 2b), glca (the check against glca; skipped, and said,
# without it).
# Settings (environment variables):
#   CSCDEMAND_BENCH_SCALE   size (default 1 = 2.9 million episodes)
#   CSCDEMAND_BENCH_FILE    the CSV extract (default cin-national.csv in the
#                           session's temporary folder; written once, ~0.5 GB)
#   CSCDEMAND_PG_HOST       PostgreSQL server for stage 2b (default localhost, as
#                           tools/start-postgres.sh sets up); no server there:
#                           stage 2b is skipped and the bench says so
#   CSCDEMAND_PG_PORT       its port (default 5432)
#   CSCDEMAND_BENCH_LOAD    "installed" times the installed package
#   CSCDEMAND_BENCH_TABLE   the database table (default cin_national)
#   CSCDEMAND_BENCH_GLCA_K  classes of the glca check (default 12)
#   CSCDEMAND_BENCH_KMAX    largest K of the enumeration (default 15)
#   CSCDEMAND_BENCH_MAXITER EM iterations of a start run to convergence in
#                           stages 3 and 4 (default 1000; models above the
#                           true K stop there, marked as not converged)
#   CSCDEMAND_BENCH_MAX_STARTS  cap on the adaptive starts (default 200)
# Setting up (simulating the extract, loading the database table) is timed
# on its own and is not part of the analysis total.
#
# Peak memory per stage: the process's resident high-water mark (VmHWM),
# reset before each stage through /proc/self/clear_refs, and R's heap
# maximum (gc "max used") since the stage began.
#
# What does not scale, and what the bench uses instead: the bootstrap
# likelihood ratio test (BLRT). At 2.9 million episodes every K against K-1
# up to far beyond the true K is "significant" (the likelihood-ratio
# statistic grows with n while the test only asks whether the extra class
# is exactly zero), and each replicate refits two models on 2.9 million
# simulated episodes. The bench chooses K with BIC, 5-fold cross-validation
# (stage 4) and bootstrap stability of the chosen K (stage 6).
#
# Order: 1, 2, 3 (the enumeration, whose K = 12 fit is the model of stages
# 5-9), 4 (cross-validation started from the enumeration's fits), 5-9, then
# the checks. Each stage's table row is printed as it finishes.

source("bench/bench-process.R")
options(width = 250)
load_pkg()
scale <- as.numeric(Sys.getenv("CSCDEMAND_BENCH_SCALE", "1"))
path <- Sys.getenv("CSCDEMAND_BENCH_FILE", file.path(tempdir(), "cin-national.csv"))
pg_host <- Sys.getenv("CSCDEMAND_PG_HOST", "localhost")
maxiter <- as.integer(Sys.getenv("CSCDEMAND_BENCH_MAXITER", "1000"))
pg_table <- Sys.getenv("CSCDEMAND_BENCH_TABLE", "cin_national")
glca_k <- as.integer(Sys.getenv("CSCDEMAND_BENCH_GLCA_K", "12"))
threads <- min(2L, RcppParallel::defaultNumThreads())
options(cscdemand.threads = threads)
seed <- 2027
K_TRUE <- 12L

# --- timing ---------------------------------------------------------------
reset_peak <- function() {
  tryCatch(cat("5", file = "/proc/self/clear_refs"), error = function(e) NULL)
  invisible(gc(reset = TRUE))
}
stages <- list()
stage <- function(id, name, target = "", fun) {
  reset_peak()
  cpu0 <- proc.time()
  t0 <- Sys.time()
  val <- tryCatch(fun(), error = function(e) {
    note("Stage ", id, " failed: ", conditionMessage(e))
    NULL
  })
  el <- as.numeric(difftime(Sys.time(), t0, units = "secs"))
  cpu <- proc.time() - cpu0
  g <- gc()
  stages[[length(stages) + 1L]] <<- data.frame(
    stage = id, task = name, seconds = round(el, 1),
    cpu = round(sum(cpu[c("user.self", "sys.self", "user.child", "sys.child")], na.rm = TRUE), 1),
    peak_rss_GB = round(peak_rss_gb(), 2), R_heap_GB = round(sum(g[, ncol(g)]) / 1024, 2),
    target = target, stringsAsFactors = FALSE)
  cat(sprintf("[%s] %-62s %7.1f s (CPU %.1f s, peak %.2f GB, load %s)\n", id, name, el,
              sum(cpu[c("user.self", "sys.self")]), peak_rss_gb(),
              scan("/proc/loadavg", what = "", n = 1, quiet = TRUE)))
  val
}
checks <- list()
check <- function(what, ok, detail) {
  checks[[length(checks) + 1L]] <<- data.frame(check = what, result = if (isTRUE(ok)) "PASS" else "FAIL",
                                               detail = detail, stringsAsFactors = FALSE)
}
notes <- character()
note <- function(...) notes <<- c(notes, paste0(...))
pg_connect <- function() {
  DBI::dbConnect(RPostgreSQL::PostgreSQL(), host = pg_host,
            port = as.integer(Sys.getenv("CSCDEMAND_PG_PORT", "5432")),
            dbname = Sys.getenv("CSCDEMAND_PG_DB", "cscdemand"),
            user = Sys.getenv("CSCDEMAND_PG_USER", "cscdemand"),
            password = Sys.getenv("CSCDEMAND_PG_PASSWORD", "cscdemand"))
}
use_pg <- nzchar(pg_host) && requireNamespace("RPostgreSQL", quietly = TRUE) &&
  requireNamespace("DBI", quietly = TRUE)
con <- if (use_pg) tryCatch(pg_connect(), error = function(e) NULL)
if (is.null(con)) {
  msg <- paste0("Stage 2b skipped: no PostgreSQL server at ", pg_host, ":",
                Sys.getenv("CSCDEMAND_PG_PORT", "5432"),
                if (!requireNamespace("RPostgreSQL", quietly = TRUE)) " (RPostgreSQL not installed)",
                " (start one with tools/start-postgres.sh, or set CSCDEMAND_PG_HOST).")
  cat(msg, "\n", sep = "")
}
use_pg <- !is.null(con)

# --- helpers ----------------------------------------------------------------
# Classes of a fit matched to the truth (Hungarian assignment on profiles).
match_truth <- function(fit, truth) {
  est <- t(vapply(fit$probs, function(m) m[, "1"], numeric(fit$k)))
  est <- t(est)[, colnames(truth$probs), drop = FALSE]
  K <- nrow(est)
  D <- as.matrix(stats::dist(rbind(est, truth$probs)))[seq_len(K), K + seq_len(K)]
  perm <- as.integer(clue::solve_LSAP(D))
  list(prob = max(abs(est - truth$probs[perm, ])),
       size = max(abs(fit$class_size - truth$class_sizes[perm])), perm = perm)
}

# Share of council x category 95% intervals that cover the true shares
# (class_shares(by = "la"): one row per council and class), over the
# intervals shown (a suppressed one has no bounds) of councils with a true
# share (a row of councils pooled for their size has none); attribute
# `compared`: how many intervals that is.
shares_coverage <- function(shares, truth, perm) {
  cls <- as.integer(sub("Class ", "", shares$class))
  tru <- truth$council_shares[cbind(match(shares$la, rownames(truth$council_shares)), perm[cls])] * 100
  ok <- !is.na(shares$lower) & !is.na(shares$upper) & !is.na(tru)
  structure(mean(tru[ok] >= shares$lower[ok] & tru[ok] <= shares$upper[ok]), compared = sum(ok))
}

# The multi-group model on 10 councils against glca: glca's EM started from
# our solution must stay at the same log-likelihood (to 1e-6), for the
# invariant and the configural model.
glca_check <- function(ep, items, truth, K, seed) {
  if (!requireNamespace("glca", quietly = TRUE)) {
    note("glca check skipped: glca is not installed.")
    return(data.frame(model = character(), ours = numeric(), glca = numeric(), diff = numeric(),
                      n = numeric(), glca_s = numeric()))
  }
  # glca's formula interface evaluates item() in the model frame: attached
  suppressPackageStartupMessages(library(glca))
  # the 10 councils nearest 2,500 episodes (or the median council, if smaller)
  size <- truth$councils$episodes
  target <- min(2500, stats::median(size))
  las <- sort(truth$councils$la_code[order(abs(size - target))[1:10]])
  sub <- as.data.frame(ep[ep$la %in% las, c("la", items)])
  names(sub) <- c("la", paste0("f", items))
  its <- paste0("f", items)
  ctl <- lca_control(tol = 1e-12, maxiter = 20000)
  rows <- lapply(c("invariant", "configural"), function(inv) {
    f <- suppressWarnings(lca(sub, k = K, items = its, group = "la", invariance = inv,
                              seed = seed, control = ctl, verbose = FALSE))
    gd <- sub
    for (it in its) gd[[it]] <- gd[[it]] + 1L
    gd$la <- factor(gd$la, levels = f$patterns$group_levels)
    form <- stats::as.formula(paste0("item(", paste(its, collapse = ","), ") ~ 1"))
    rho <- lapply(seq_along(f$patterns$group_levels), function(g) {
      lapply(seq_along(its), function(j) {
        s <- f$par$set_of[j, g] + 1L
        unname(f$par$probs_group[[s]][[its[j]]])
      })
    })
    init <- list(gamma = unname(f$class_size_group), rho = rho)
    t0 <- Sys.time()
    g <- glca::glca(form, group = la, data = gd, nclass = K, measure.inv = inv == "invariant",
                    init.param = init, maxiter = 5000, eps = 1e-10, std.err = FALSE,
                    verbose = FALSE)
    data.frame(model = inv, ours = f$loglik, glca = g$gof$loglik, diff = f$loglik - g$gof$loglik,
               n = nrow(sub), glca_s = as.numeric(difftime(Sys.time(), t0, units = "secs")))
  })
  do.call(rbind, rows)
}

# --- setting up: the extract (CSV) and the database table -----------------
truth_path <- sub("\\.csv$", "-truth.rds", path)
t_setup <- system.time({
  if (!file.exists(path) || !file.exists(truth_path)) {
    sim <- simulate_cin_national(scale = scale, seed = seed, file = path,
                                 con = if (use_pg) con, table = pg_table)
    saveRDS(sim, truth_path)
  } else {
    sim <- readRDS(truth_path)
    if (use_pg && (!DBI::dbExistsTable(con, pg_table) ||
                   DBI::dbGetQuery(con, paste("SELECT COUNT(*) AS n FROM", pg_table))$n != sim$rows)) {
      sim <- simulate_cin_national(scale = scale, seed = seed, con = con, table = pg_table)
    }
  }
})[["elapsed"]]
truth <- sim$truth
cat(sprintf("Extract: %s rows, %s assessments, %s episodes, %d councils, %.0f MB (setup %.0f s)\n",
            format(sim$rows, big.mark = ","), format(sim$assessments, big.mark = ","),
            format(sim$episodes, big.mark = ","), nrow(truth$councils),
            file.size(path) / 1024^2, t_setup))
items <- colnames(truth$probs)

# --- 1. read + episode flags ----------------------------------------------
ep <- stage("1", "read the extract + episode flags", "< 15 s, < 1 GB", function() {
  a <- read_cin_assessments(path, layout = "long")
  episode_factors(a, no_factors = "keep", drop_empty = FALSE)
})
check("episodes read back", nrow(ep) == sim$episodes && identical(factor_columns(ep), items),
      sprintf("%s episodes, %d factors", format(nrow(ep), big.mark = ","), length(factor_columns(ep))))

# --- 2. patterns ----------------------------------------------------------
pts <- stage("2a", "patterns in R (pooled, and by council)", "", function() {
  list(pool = lca_patterns(ep, items = items), la = lca_patterns(ep, items = items, group = "la"))
})
pt <- pts$la
pt_pool <- pts$pool
rm(pts)
if (use_pg) {
  pt_db <- stage("2b", "patterns inside PostgreSQL (only patterns return)", "< 30 s", function() {
    lca_patterns_db_long(con, pg_table, codes = items, episode = "episode_id",
                         code = "factor", group = "la")
  })
  same <- sum(pt_db$n) == sum(pt$n) && length(pt_db$n) == length(pt$n)
  check("PostgreSQL patterns = R patterns", same,
        sprintf("%s patterns, %s episodes in the database; %s, %s in R",
                format(length(pt_db$n), big.mark = ","), format(sum(pt_db$n), big.mark = ","),
                format(length(pt$n), big.mark = ","), format(sum(pt$n), big.mark = ",")))
} else {
  note(msg)
}

# --- 3. enumerate K = 1..15 -----------------------------------------------
# The same fits as lca_enumerate(pt_pool, k = 1:15, control =
# lca_control(maxiter = 1000)): adaptive starts with its patience rule (a K
# stops adding batches of starts after one that did not improve its best)
# and its screening of the starts run to convergence (lca_control(screen_tol
# = 1e-9)), one K at a time so that each K's time and EM work are printed as
# it finishes. Above the true K the likelihood is flat and EM crawls:
# maxiter (CSCDEMAND_BENCH_MAXITER) bounds those fits, which the table marks
# as not converged. CSCDEMAND_BENCH_MAX_STARTS caps the adaptive starts
# (package default 200).
max_starts <- as.integer(Sys.getenv("CSCDEMAND_BENCH_MAX_STARTS", "200"))
k_max <- as.integer(Sys.getenv("CSCDEMAND_BENCH_KMAX", "15"))
work <- list()
en <- stage("3", sprintf("enumerate K = 1..%d, adaptive starts (screened; maxiter %d)", k_max,
                         maxiter), "< 2 min", function() {
  fits <- list()
  ctl <- lca_control(max_starts = max_starts, patience = 1, screen_tol = 1e-9, maxiter = maxiter)
  for (kk in seq_len(k_max)) {
    t0 <- proc.time()
    f <- suppressWarnings(lca(pt_pool, k = kk, seed = seed, threads = threads, control = ctl,
                              verbose = FALSE))
    tt <- proc.time() - t0
    st <- f$starts
    it <- sum(st$iterations, na.rm = TRUE) + sum(st$iter_stage1[is.na(st$iterations)], na.rm = TRUE)
    work[[kk]] <<- data.frame(K = kk, seconds = round(tt[["elapsed"]], 1),
                              cpu = round(tt[["user.self"]] + tt[["sys.self"]], 1),
                              starts = NROW(st), screened = sum(st$status == "screened"),
                              finished = f$n_finished, best = f$n_best, stopped = f$stopped,
                              converged = f$converged, em_iterations = it)
    cat(sprintf("  K = %2d: %6.1f s (CPU %6.1f), %3d starts (stopped: %s), %2d screened out, %2d to convergence, best by %d, %s, %d EM iterations in all\n",
                kk, tt[["elapsed"]], work[[kk]]$cpu, NROW(st), f$stopped, work[[kk]]$screened,
                as.integer(f$n_finished), as.integer(f$n_best),
                if (f$converged) "converged" else "NOT converged (maxiter)", as.integer(it)))
    fits[[paste0("k=", kk)]] <- f
  }
  structure(list(fits = fits, table = do.call(rbind, lapply(fits, function(f) f$fit)), seed = seed),
            class = "cscdemand_lca_enum")
})
# The chosen model (K = 12) is the enumeration's; fitted on its own if the
# enumeration failed.
fit <- if (!is.null(en)) en$fits[[paste0("k=", K_TRUE)]]
if (is.null(fit)) {
  fit <- stage("3a", "fit K = 12, adaptive starts", "", function() {
    lca(pt_pool, k = K_TRUE, seed = seed, threads = threads, verbose = FALSE)
  })
}
cat(sprintf("K = 12: LL %.4f, %d starts, best reached by %d of %d, %s\n", fit$loglik,
            NROW(fit$starts), fit$n_best, fit$n_finished,
            if (fit$converged) "converged" else "not converged"))

# --- 4. fit table with 5-fold cross-validation ----------------------------
# Each fold's model starts from the full-data fit of the same K (the
# enumeration's; lca_cv(fits = )), the standard warm start, with one random
# start beside it (starts = 1), and the same iteration limit. Cold random starts in every
# fold (5 per fold and K) did not finish in 18 minutes in the fourth pass.
cv_k <- 10:k_max
cv <- stage("4", sprintf("5-fold cross-validation, K = 10..%d, warm starts", max(cv_k)), "",
            function() {
  lca_cv(pt_pool, k = cv_k, folds = 5, starts = 1, seed = seed, threads = threads,
         control = lca_control(maxiter = maxiter), fits = en$fits[paste0("k=", cv_k)],
         verbose = FALSE)
})
k_cv <- if (!is.null(cv)) cv$table$k[which.max(cv$table$heldout_ll)] else NA
note("BLRT not run: at ", format(sim$episodes, big.mark = ","), " episodes every K v K-1 test ",
     "is significant well past the true K and each replicate refits two models on the full ",
     "size; K is chosen by BIC, cross-validation and bootstrap stability.")
# --- 5. multi-group across councils ---------------------------------------
inv <- stage("5", "invariant + configural + partial-invariance search, K = 12", "< 3 min",
             function() {
  suppressWarnings(lca_invariance(pt, k = K_TRUE, group = "la", search = TRUE, seed = seed,
                                  threads = threads, invariant_start = "pooled",
                                  verbose = FALSE))
})
if (!is.null(inv)) print(inv$search, row.names = FALSE)
# the search frees (council, item) pairs one at a time, with Holm's
# thresholds over all council x item pairs (lca_invariance(), Details)
freed <- if (!is.null(inv)) inv$free else data.frame(group = character(), item = character())
freed$la_name <- truth$councils$la_name[match(freed$group, truth$councils$la_code)]
want <- paste(truth$differ$la, truth$differ$item)
got <- paste(freed$group, freed$item)
check("the partial-invariance search frees exactly the differing (council, item) pairs",
      setequal(got, want),
      sprintf("freed %s; truth %s", paste(freed$la_name, freed$item, collapse = "; "),
              paste(truth$differ$la_name, truth$differ$item, collapse = "; ")))

# --- 6. bootstrap stability -----------------------------------------------
bt <- stage("6", "bootstrap stability of K = 12, 100 replicates", "< 2 min", function() {
  lca_bootstrap(fit, reps = 100, seed = seed, threads = threads, verbose = FALSE)
})
check("bootstrap: every class recovered", bt$failed == 0 && all(bt$recovery$recovered >= 0.95),
      sprintf("%d failed; recovery %s", bt$failed,
              paste(round(bt$recovery$recovered, 2), collapse = " ")))

# --- 7. per-council shares with intervals ---------------------------------
shares <- stage("7", "per-council category shares with intervals (class_shares(by = ))", "",
                function() {
  class_shares(fit, as.data.frame(ep[c("la", items)]), by = "la", threshold = 10)
})

# --- 8. freeze, score one council's new year -------------------------------
# The new year's council: the largest whose item probabilities are the
# national ones (a council of truth$differ is scored against a model that
# is wrong for it by construction). Its truth is the new year's simulation's
# own (another seed, so other council shares than the extract's).
fz <- lca_freeze(fit)
same <- truth$councils[!truth$councils$la_code %in% truth$differ$la, ]
new_la <- same$la_code[which.max(same$episodes)]
new_path <- tempfile(fileext = ".csv")
nd <- simulate_cin_national(years = 2026, n_episodes = round(2.9e6 * scale / 7), seed = seed + 1)
new_truth <- attr(nd, "truth")$council_shares[new_la, ]
utils::write.csv(nd[nd$la == new_la, ], new_path, row.names = FALSE)
scored <- stage("8", "lca_freeze() + score one council's new year (lca_score())", "", function() {
  lca_score(fz, new_path, layout = "long", other_only = "drop")
})
new_cls <- as.integer(scored$class)

# --- 9. one council's report tables against the national model ------------
rep_set <- stage("9", "one council's report tables, national model", "", function() {
  f <- name_classes(fit, suggest_class_names(fit))
  mine <- ep[ep$la == new_la, ]
  post <- predict(f, as.data.frame(mine), type = "posterior")
  list(shares = class_shares(f, as.data.frame(mine)[items]),
       names = class_name_table(f),
       by_year = class_crosstab(mine, var = "year", posterior = post))
})

# --- correctness at scale ---------------------------------------------------
m <- match_truth(fit, truth)
check("12 categories recovered: item probabilities within 0.02", m$prob < 0.02,
      sprintf("largest difference %.4f", m$prob))
check("12 categories recovered: class sizes within 0.005", m$size < 0.005,
      sprintf("largest difference %.4f", m$size))
if (!is.null(shares)) {
  cover <- shares_coverage(shares, truth, m$perm)
  check("per-council shares: 95% intervals cover the true shares", isTRUE(cover > 0.9),
        sprintf("%.1f%% of %d council x category intervals compared (of %d: %d suppressed, %d without a true share)",
                100 * cover, attr(cover, "compared"), nrow(shares), sum(is.na(shares$lower)),
                nrow(shares) - attr(cover, "compared") - sum(is.na(shares$lower))))
}
# The scored year against its truth: the council's shares as the report
# estimates them (class_shares(): proportional, by maximum likelihood with
# the national item probabilities), their 95% intervals against the new
# year's true shares. Modal shares (each episode in its most likely class)
# are not an estimate of the shares: they move episodes from the classes
# they are least distinct in towards the largest, so they are printed, not
# checked.
new_true_perm <- new_truth[m$perm]
new_sh <- class_shares(fit, as.data.frame(scored)[items], threshold = 0)
new_cov <- mean(100 * new_true_perm >= new_sh$lower & 100 * new_true_perm <= new_sh$upper)
new_modal <- tabulate(new_cls, K_TRUE) / length(new_cls)
check("new year scored: proportional shares' 95% intervals cover the council's true shares",
      new_cov >= 10 / K_TRUE && max(abs(new_sh$share / 100 - new_true_perm)) < 0.02,
      sprintf("%s, %s episodes; %d of %d intervals cover; largest difference %.3f (modal shares: %.3f)",
              truth$councils$la_name[truth$councils$la_code == new_la],
              format(length(new_cls), big.mark = ","), round(K_TRUE * new_cov), K_TRUE,
              max(abs(new_sh$share / 100 - new_true_perm)), max(abs(new_modal - new_true_perm))))
gl <- tryCatch(glca_check(ep, items, truth, glca_k, seed), error = function(e) {
  note("glca check failed: ", conditionMessage(e))
  data.frame(model = character(), ours = numeric(), glca = numeric(), diff = numeric(),
             n = numeric(), glca_s = numeric())
})
for (r in seq_len(nrow(gl))) {
  check(sprintf("multi-group %s model = glca (10 councils, K = %d)", gl$model[r], glca_k),
        abs(gl$diff[r]) < 1e-6,
        sprintf("LL %.6f v glca %.6f (difference %.1e; %s episodes; glca %.0f s)", gl$ours[r],
                gl$glca[r], gl$diff[r], format(gl$n[r], big.mark = ","), gl$glca_s[r]))
}

# --- the fit table: BIC (stage 3) and held-out log-likelihood (stage 4) ------
if (!is.null(en)) {
  tb <- en$table
  k_bic <- tb$k[which.min(tb$BIC)]
  check("BIC chooses the true K", k_bic == K_TRUE, sprintf("lowest BIC at K = %d", k_bic))
  fit_table <- if (!is.null(cv)) merge(tb[c("k", "loglik", "npar", "BIC", "converged")], cv$table,
                                       by = "k", all.x = TRUE)
               else cbind(tb[c("k", "loglik", "npar", "BIC", "converged")], heldout_ll = NA)
  check("K = 1..12 converged (models above the true K may stop at maxiter, and are marked)",
        all(tb$converged[tb$k <= K_TRUE]),
        sprintf("not converged: K = %s", if (all(tb$converged)) "none"
                else paste(tb$k[!tb$converged], collapse = ", ")))
}

# --- results ----------------------------------------------------------------
res <- do.call(rbind, stages)
total <- sum(res$seconds)
cat("\n== The national analysis:", format(sim$episodes, big.mark = ","), "episodes,",
    nrow(truth$councils), "councils, 2 threads; load average",
    paste(scan("/proc/loadavg", what = "", n = 3, quiet = TRUE), collapse = " "), "==\n")
print(res, row.names = FALSE)
cat(sprintf("\nWhole analysis: %.1f s (target < 600 s); peak resident %.2f GB (target < 4 GB)\n",
            total, max(res$peak_rss_GB)))
if (!is.null(en)) cat("\nFit table (K chosen: BIC", k_bic, ", cross-validation", k_cv, ")\n")
if (!is.null(en)) print(data.frame(K = fit_table$k, LL = round(fit_table$loglik, 2), npar = fit_table$npar,
                 BIC = round(fit_table$BIC, 1), converged = fit_table$converged,
                 heldout_ll = round(fit_table$heldout_ll, 5)),
      row.names = FALSE)
if (length(work)) {
  cat("\nStage 3 per K (CPU seconds, starts, EM iterations):\n")
  print(do.call(rbind, work), row.names = FALSE)
}
cat("\nMulti-group, K = 12:\n")
if (!is.null(inv)) print(inv$table[c("model", "loglik", "npar", "BIC", "LR", "df", "p_value")], row.names = FALSE)
cat("\nItems that differ (partial invariance: (council, item) pairs freed one at a time, Holm):\n")
if (!is.null(inv)) {
  st <- inv$search
  st$la_name <- truth$councils$la_name[match(st$group, truth$councils$la_code)]
  print(st[c("step", "la_name", "item", "score", "LR", "df", "p_value", "threshold", "freed")],
        row.names = FALSE)
}
if (!is.null(inv) && length(inv$pooled)) cat(length(inv$pooled), "councils pooled as \"other councils\":",
                                             paste(truth$councils$la_name[match(inv$pooled, truth$councils$la_code)], collapse = ", "), "\n")
cat("\nCorrectness:\n")
print(do.call(rbind, checks), row.names = FALSE, right = FALSE)
if (length(notes)) cat("\nNotes:\n", paste0("* ", notes, "\n"), sep = "")
if (use_pg) invisible(DBI::dbDisconnect(con))
