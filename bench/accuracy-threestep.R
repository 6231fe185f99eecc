# Validation study (not a unit test): do the bias-corrected three-step
# estimators (BCH, Vermunt's ML correction) recover a known class-outcome
# relation better than modal or proportional assignment?
#
# Data: 3 latent classes (sizes .5/.3/.2) and 6 binary factors, in three
# scenarios of class separation (clear, modest, weak; the mean relative
# entropy is printed); a binary outcome (e.g. CP plan) with known
# P(outcome | class) = .05, .30, .60 that is not in the latent class model. Each replicate fits the model, aligns the
# fitted classes to the true ones (Hungarian assignment on the cross-table of
# modal and true class), and estimates P(outcome | class) by each method.
#
# Rscript bench/accuracy-threestep.R [replications]   (default 50)
suppressPackageStartupMessages(library(cscdemand))
args <- commandArgs(trailingOnly = TRUE)
R <- if (length(args)) as.integer(args[1]) else 50L
n <- 2000L
truth <- c(0.05, 0.30, 0.60)
scenarios <- list(
  clear = rbind(c(.90, .85, .80, .10, .10, .15), c(.10, .15, .10, .85, .85, .20),
                c(.80, .20, .85, .80, .15, .90)),
  modest = rbind(c(.80, .75, .70, .20, .15, .25), c(.15, .20, .20, .80, .75, .25),
                 c(.75, .25, .80, .75, .25, .80)),
  weak = rbind(c(.70, .65, .60, .25, .25, .30), c(.25, .30, .25, .70, .65, .30),
               c(.65, .30, .70, .65, .30, .75))
)
methods <- c("modal", "proportional", "bch", "ml")
rows <- list()
for (sc in names(scenarios)) {
  for (r in seq_len(R)) {
    d <- simulate_lca(n, probs = scenarios[[sc]], class_size = c(.5, .3, .2), seed = 1000 * r + 1)
    set.seed(r)
    d$outcome <- stats::rbinom(n, 1, truth[d$.class])
    fit <- lca(d[1:6], 3, starts = 10, seed = r, verbose = FALSE)
    # fitted class f corresponds to true class map[f]
    tab <- table(factor(predict(fit, d), levels = 1:3), factor(d$.class, levels = 1:3))
    map <- as.integer(clue::solve_LSAP(unclass(tab), maximum = TRUE))
    est <- class_outcome(fit, d, "outcome", method = methods, threshold = 0)
    est <- est[est$outcome == "1", ]
    est$true_class <- map[as.integer(est$class)]
    est$truth <- truth[est$true_class]
    rows[[length(rows) + 1L]] <- data.frame(scenario = sc, rep = r, entropy = fit$fit$entropy,
                                            method = est$method, class = est$true_class,
                                            truth = est$truth, estimate = est$estimate,
                                            covered = est$lower <= est$truth & est$truth <= est$upper)
  }
  cat(sprintf("scenario %s done (%d replicates)\n", sc, R))
}
res <- do.call(rbind, rows)
res$error <- res$estimate - res$truth
key <- interaction(res$scenario, res$method, res$class, drop = TRUE, lex.order = TRUE)
bias <- do.call(rbind, lapply(split(res, key), function(x) {
  data.frame(scenario = x$scenario[1], method = x$method[1], class = x$class[1], truth = x$truth[1],
             mean_estimate = mean(x$estimate), bias = mean(x$error),
             rmse = sqrt(mean(x$error^2)), coverage_95 = mean(x$covered, na.rm = TRUE))
}))
bias$method <- factor(bias$method, levels = methods)
bias <- bias[order(bias$scenario, bias$class, bias$method), ]
rownames(bias) <- NULL
cat("\nMean relative entropy by scenario:\n")
print(round(tapply(res$entropy, res$scenario, mean), 3))
cat("\nBias of P(outcome | class), by scenario, class and method:\n")
print(bias, digits = 3)
cat("\nMean absolute bias over classes:\n")
print(round(tapply(abs(bias$bias), list(bias$scenario, bias$method), mean), 4))
