# Which rule picks the true number of classes on data shaped like the
# councils'? A simulation study in the style of Nylund, Asparouhov and
# Muthén (2007), issue 25.
#
#   nice -n 10 Rscript bench/study-k-selection.R [out.csv] [seed]
#   Rscript bench/study-k-selection.R --table [out.csv]   (the table only)
#
# Designs (true K), all drawn with simulate_lca() from existing generators:
#   K = 5:  five of the twelve categories of national_categories() (domestic
#           abuse, neglect, parental mental health, child mental health,
#           extra-familial harm), sizes rescaled to sum to 1; 29 factors.
#   K = 7:  the seven Kingston classes with the profiles simulate_cin() draws
#           from, 24 most common factors (blrt_kingston_probs() of
#           bench/blrt-designs.R, the BLRT calibration's design).
#   K = 12: the twelve categories of national_categories() (the generator of
#           simulate_cin_national()); 29 factors.
# n = 3,000, 30,000 and 300,000 episodes. For each data set: K = 1 to true
# K + 3 with the package's default adaptive starts (lca_enumerate()), and the
# K each criterion picks:
#   BIC, SABIC, AIC, CAIC  lowest value;
#   CV        lca_cv(), 5 folds (its default 10 starts per fold and K):
#             highest held-out log-likelihood;
#   CV1SE     the same folds: the smallest K whose held-out log-likelihood
#             is within one standard error of the best (the SE of the
#             difference over the same folds);
#   BLRT      lca_blrt() as on main, 39 replicates (not the report's 99, to
#             fit the budget; the 5% test is exact with 39), tested
#             sequentially from K = 2: the K before the first K whose gain
#             is not significant at 5% (or the largest K tried if none);
#   stability lca_stability() of the fits K = 1 to true K + 3, 10 resamples,
#             each fitted afresh from 10 random starts and matched to the
#             full-data classes by Jaccard agreement: the largest K whose
#             classes all have a mean Jaccard of at least 0.75 (Hennig's
#             "stable"); stability60 and stability50 read the same
#             replicates with thresholds of 0.6 and 0.5. (Until
#             December 2026 this was lca_bootstrap(), whose resamples start
#             from the full-data solution: it picked the largest K tried on
#             every data set, as a split class is found again as readily as
#             a real one; those rows were removed.)
# The BLRT runs on the first data set of the five- and seven-class designs
# at n = 3,000 only (the machine was shared by many jobs: the sequence of
# tests costs more than all the other criteria together there). At 30,000 one test of 39 replicates costs about a
# CPU-minute and the sequence from K = 2 up to the true K + 1 is 5 to 13
# tests. At 300,000 it is not run at all: one test costs tens of
# CPU-minutes, and on that many episodes the test has the power to find the
# smallest departure from the model, so that in real data (never exactly
# latent class) every further class is significant. Cross-validation is not
# run at 300,000 either (five enumerations on 240,000 episodes each).
#
# Results are appended to the CSV one criterion at a time (the information
# criteria mark a data set's main pass complete, its stability row follows);
# a rerun skips what is complete, so a killed run leaves a table and resumes.
# --stability runs only the stability of data sets whose main pass is done.
# Times are CPU seconds (user + system, every thread) of this process.
suppressPackageStartupMessages(library(cscdemand))
source("bench/blrt-designs.R")

args <- commandArgs(trailingOnly = TRUE)
table_only <- "--table" %in% args
args <- setdiff(args, c("--table", "--stability"))
out <- if (length(args) >= 1) args[1] else "inst/extdata/k_selection_study.csv"
base_seed <- if (length(args) >= 2) as.integer(args[2]) else 2007L
threads <- as.integer(Sys.getenv("KSEL_THREADS", "2"))

# The cells (true K, n), the data sets in each, and on how many of them the
# costly BLRT runs. Tier 1 (five and seven classes at 3,000) runs first,
# round-robin (the cell with the smallest share of its plan done next, so a
# run stopped early leaves every cell represented); then tier 2 (the same
# at 30,000), then tier 3 (twelve classes; 300,000 episodes).
# Then (December 2026) tier 4: twelve classes at 300,000; tier 5: three more
# twelve-class data sets at 30,000 (where the first one separated SABIC from
# cross-validation); tier 6: three more at 3,000.
plan <- data.frame(k = c(5, 7, 5, 7, 12, 12, 5, 7, 12),
                   n = as.integer(c(3000, 3000, 30000, 30000, 3000, 30000, 300000, 300000, 300000)),
                   reps = c(6, 6, 10, 10, 6, 4, 1, 1, 1),
                   blrt_reps = c(1, 1, 0, 0, 0, 0, 0, 0, 0),
                   cv = c(TRUE, TRUE, TRUE, TRUE, TRUE, TRUE, FALSE, FALSE, FALSE),
                   tier = c(1, 1, 2, 2, 6, 5, 3, 3, 4))
# KSEL_BLRT_DATA_SETS=m: the BLRT on the first m data sets of each cell at
# 3,000 with K = 5 or 7.
if (nzchar(Sys.getenv("KSEL_BLRT_DATA_SETS"))) {
  plan$blrt_reps[plan$blrt_reps > 0] <- as.integer(Sys.getenv("KSEL_BLRT_DATA_SETS"))
}
# The enumeration's fits are kept (one .rds per data set) for the stability
# pass, which runs separately (--stability) after or between main passes.
fit_dir <- Sys.getenv("KSEL_FIT_DIR", file.path(tempdir(), "ksel-fits"))
# KSEL_STABILITY_MAX_N=m: the main pass leaves the stability of data sets
# of more than m episodes for a later --stability run (on a loaded machine
# the stability of 300,000 episodes, twelve classes, costs about as much as
# several smaller data sets' main passes).
stab_max_n <- as.numeric(Sys.getenv("KSEL_STABILITY_MAX_N", "Inf"))
blrt_boot <- 39L
stab_boot <- 10L
criteria <- c("BIC", "SABIC", "AIC", "CAIC", "CV", "CV1SE", "BLRT", "stability", "stability60", "stability50")

study_designs <- function() {
  nc <- national_categories()
  five <- c("domestic_abuse", "neglect", "parental_mental_health", "child_mental_health",
            "extra_familial_harm")
  s5 <- nc$categories$size[match(five, nc$categories$class)]
  kc <- blrt_kingston_probs()
  list(`5` = list(k = 5L, probs = nc$probs[five, ], size = s5 / sum(s5),
                  label = "5 national categories, 29 factors"),
       `7` = list(k = 7L, probs = kc$probs, size = kc$size,
                  label = "7 Kingston classes, 24 factors"),
       `12` = list(k = 12L, probs = nc$probs, size = nc$categories$size,
                   label = "12 national categories, 29 factors"))
}

cpu <- function() sum(proc.time()[c("user.self", "sys.self", "user.child", "sys.child")], na.rm = TRUE)
timed <- function(expr) {
  t0 <- cpu()
  val <- force(expr)
  list(value = val, cpu = cpu() - t0)
}
first_stop <- function(ks, ok) {
  # the K before the first K (in order) that fails; the largest K when none fails
  bad <- ks[!ok]
  if (length(bad)) min(bad) - 1L else max(ks)
}

# The one-standard-error rule on the same cross-validation: the smallest K
# whose held-out log-likelihood is within one standard error of the best
# K's, the standard error of the paired (same folds) difference.
cv_one_se <- function(cv) {
  f <- cv$folds
  best <- cv$table$k[which.max(cv$table$heldout_ll)]
  fb <- f$heldout_ll[f$k == best]
  ok <- vapply(cv$table$k, function(kk) {
    d <- f$heldout_ll[f$k == kk] - fb
    mean(d) >= -stats::sd(d) / sqrt(length(d))
  }, logical(1))
  min(cv$table$k[ok])
}

data_key <- function(k, n, r) sprintf("k%d-n%d-r%d", as.integer(k), as.integer(n), as.integer(r))
study_seed <- function(k, n, r) base_seed + 100000L * as.integer(k) + 1000L * as.integer(log10(n)) + as.integer(r)
study_data <- function(des, n, seed) {
  d <- simulate_lca(n = n, probs = des$probs, class_size = des$size, seed = seed)
  lca_patterns(d, items = colnames(des$probs))
}

study_one <- function(des, n, rep, seed, run_blrt, run_cv, write_row) {
  pt <- study_data(des, n, seed)
  ks <- seq_len(des$k + 3L)
  en <- timed(suppressWarnings(lca_enumerate(pt, k = ks, seed = seed, threads = threads,
                                              verbose = FALSE)))
  dir.create(fit_dir, showWarnings = FALSE, recursive = TRUE)
  saveRDS(list(fits = en$value$fits, cpu = en$cpu), file.path(fit_dir, paste0(data_key(des$k, n, rep), ".rds")))
  tb <- en$value$table
  if (run_cv) {
    cv <- timed(suppressWarnings(lca_cv(pt, k = ks, folds = 5, seed = seed, threads = threads,
                                       verbose = FALSE)))
    write_row("CV", cv$value$table$k[which.max(cv$value$table$heldout_ll)], cv$cpu)
    write_row("CV1SE", cv_one_se(cv$value), 0)
  }
  if (run_blrt) {
    t0 <- cpu()
    kk <- 2L
    repeat {
      b <- suppressWarnings(lca_blrt(pt, k = kk, reps = blrt_boot, seed = seed, threads = threads,
                                     verbose = FALSE))
      if (b$table$p_value[1] > 0.05 || kk == max(ks)) break
      kk <- kk + 1L
    }
    write_row("BLRT", if (b$table$p_value[1] > 0.05) kk - 1L else kk, cpu() - t0)
  }
  # the information criteria last: their rows mark the data set complete
  for (cr in c("BIC", "SABIC", "AIC", "CAIC")) {
    write_row(cr, tb$k[which.min(tb[[cr]])], en$cpu / 4)
  }
}

# Bootstrap stability of one data set (lca_stability(): every resample
# fitted from random starts, classes matched to the full-data fit by their
# Jaccard agreement): the largest K whose categories are all stable. Uses
# the enumeration's fits if kept, else refits them.
stability_one <- function(des, n, rep, seed, write_row) {
  f <- file.path(fit_dir, paste0(data_key(des$k, n, rep), ".rds"))
  ks <- seq_len(des$k + 3L)
  fits <- if (file.exists(f)) readRDS(f)$fits else {
    pt <- study_data(des, n, seed)
    en <- suppressWarnings(lca_enumerate(pt, k = ks, seed = seed, threads = threads, verbose = FALSE))
    dir.create(fit_dir, showWarnings = FALSE, recursive = TRUE)
    saveRDS(list(fits = en$fits), f)
    en$fits
  }
  st <- timed(suppressWarnings(lca_stability(fits, reps = stab_boot, seed = seed,
                                             threads = threads, verbose = FALSE)))
  saveRDS(st$value$table, file.path(fit_dir, paste0(data_key(des$k, n, rep), "-stability.rds")))
  # the same replicates read with a lower threshold: a class is unstable
  # only when its mean Jaccard is under 0.6 or 0.5 (Hennig: 0.5 or less,
  # dissolved); the last row (the default, 0.75) marks the data set done
  tb <- st$value$table
  for (thr in c(0.5, 0.6)) {
    ok <- tb$k == 1L | (!is.na(tb$min_jaccard) & tb$min_jaccard >= thr)
    write_row(sprintf("stability%02d", round(100 * thr)), max(tb$k[ok]), 0)
  }
  write_row("stability", st$value$k, st$cpu)
}
study_table <- function(res) {
  res$under <- res$k_pick < res$k_true
  res$over <- res$k_pick > res$k_true
  res$hit <- res$k_pick == res$k_true
  key <- interaction(res$k_true, res$n, res$criterion, drop = TRUE, lex.order = TRUE)
  tab <- do.call(rbind, lapply(split(res, key), function(x) {
    data.frame(true_k = x$k_true[1], n = x$n[1], criterion = x$criterion[1], data_sets = nrow(x),
               pct_true = round(100 * mean(x$hit)), pct_under = round(100 * mean(x$under)),
               pct_over = round(100 * mean(x$over)),
               picks = paste(sort(x$k_pick), collapse = " "),
               cpu_s = round(mean(x$cpu_s), 1))
  }))
  tab$criterion <- factor(tab$criterion, criteria)
  tab <- tab[order(tab$true_k, tab$n, tab$criterion), ]
  rownames(tab) <- NULL
  tab
}

read_results <- function(path) {
  if (!file.exists(path)) return(NULL)
  utils::read.csv(path, stringsAsFactors = FALSE)
}

row_writer <- function(path, k, n, r, seed) {
  function(criterion, k_pick, cpu_s) {
    row <- data.frame(k_true = as.integer(k), n = as.integer(n), rep = r, seed = seed, criterion = criterion,
                      k_pick = k_pick, cpu_s = round(cpu_s, 1))
    utils::write.table(row, path, sep = ",", append = file.exists(path), row.names = FALSE,
                       col.names = !file.exists(path))
  }
}

# Round-robin order of (cell, data set): the cell with the smallest share of
# its planned data sets done next.
schedule <- function(plan) {
  left <- plan$reps
  idx <- integer()
  while (sum(left)) {
    frac <- (plan$reps - left) / plan$reps
    frac[left == 0] <- Inf
    frac[plan$tier > min(plan$tier[left > 0])] <- Inf
    i <- which.min(frac)
    idx <- c(idx, i)
    left[i] <- left[i] - 1L
  }
  data.frame(cell = idx, rep = ave(idx, idx, FUN = seq_along))
}

# Each data set: the main pass (enumeration, CV, BLRT), then its stability;
# with stability = TRUE only the stability of data sets already complete.
run_study <- function(path, stability = FALSE) {
  designs <- study_designs()
  res <- read_results(path)
  key <- function(x) paste(x$k_true, as.integer(x$n), x$rep)
  done <- if (is.null(res)) character() else key(res[res$criterion == "CAIC", ])
  stab_done <- if (is.null(res)) character() else key(res[res$criterion == "stability", ])
  if (!is.null(res) && !stability) {
    # rows of an unfinished data set are dropped and the data set rerun
    keep <- key(res) %in% done
    utils::write.csv(res[keep, ], path, row.names = FALSE)
  }
  sch <- schedule(plan)
  for (j in seq_len(nrow(sch))) {
    p <- plan[sch$cell[j], ]
    r <- sch$rep[j]
    des <- designs[[as.character(p$k)]]
    id <- paste(des$k, as.integer(p$n), r)
    seed <- study_seed(des$k, p$n, r)
    if (stability) {
      if (!id %in% done || id %in% stab_done) next
      message(format(Sys.time(), "%H:%M:%S"), " stability: K = ", des$k, ", n = ", format(p$n, big.mark = ","), ", data set ", r)
      stability_one(des, p$n, r, seed, row_writer(path, des$k, p$n, r, seed))
      next
    }
    if (!id %in% done) {
      message(format(Sys.time(), "%H:%M:%S"), " K = ", des$k, ", n = ", format(p$n, big.mark = ","), ", data set ", r)
      study_one(des, p$n, r, seed, run_blrt = r <= p$blrt_reps, run_cv = p$cv,
                row_writer(path, des$k, p$n, r, seed))
    }
    if (!id %in% stab_done && p$n <= stab_max_n) {
      message(format(Sys.time(), "%H:%M:%S"), " stability")
      stability_one(des, p$n, r, seed, row_writer(path, des$k, p$n, r, seed))
    }
  }
}

if (!table_only) run_study(out, stability = "--stability" %in% commandArgs(TRUE))
res <- read_results(out)
if (!is.null(res)) {
  st <- res[res$criterion == "CAIC", ]
  res <- res[paste(res$k_true, res$n, res$rep) %in% paste(st$k_true, st$n, st$rep), ]
  print(study_table(res), row.names = FALSE)
}
