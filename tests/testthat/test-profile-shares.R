# One story of the category shares: class_shares() and the proportional
# counts of class_crosstab(posterior = ) against the truth of simulated data,
# and against modal counting, which inflates the largest class.

test_that("estimated shares are close to the simulated truth; modal counts inflate the largest", {
  truth <- c(0.55, 0.30, 0.15)
  probs <- rbind(c(.75, .70, .65, .30, .30, .25, .70, .30),
                 c(.30, .25, .70, .75, .65, .30, .25, .70),
                 c(.25, .30, .30, .30, .70, .75, .70, .75))
  d <- simulate_lca(n = 4000, probs = probs, class_size = truth, seed = 11)
  items <- setdiff(names(d), ".class")
  fit <- suppressWarnings(lca(d[items], k = 3, starts = 10, seed = 1, verbose = FALSE))
  post <- predict(fit, d, type = "posterior")
  # match fitted classes to true classes by their item profiles
  prof <- t(vapply(fit$items, function(i) fit$probs[[i]][, "1"], numeric(3)))
  map <- apply(prof, 2, function(v) which.min(colSums((t(probs) - v)^2)))
  expect_setequal(map, 1:3)
  true_share <- as.vector(table(factor(d$.class, levels = 1:3)))[map] / nrow(d)
  sh <- class_shares(fit, d)
  expect_equal(attr(sh, "method"), "proportional")
  # the estimated shares are the mean posteriors, and equal the fitted sizes
  expect_equal(sh$share, 100 * unname(colMeans(post)))
  expect_equal(sh$share, 100 * unname(as.vector(fit$class_size)), tolerance = 1e-4)
  # within sampling error of the truth: every interval covers it
  expect_true(all(abs(sh$share - 100 * true_share) < 4))
  expect_true(all(sh$lower <= 100 * true_share & 100 * true_share <= sh$upper))
  # counting each episode in its modal class overstates the largest class
  modal <- as.vector(table(factor(max.col(post), levels = 1:3))) / nrow(d)
  big <- which.max(true_share)
  expect_gt(modal[big] - true_share[big], 0.02)
  expect_gt(abs(modal[big] - true_share[big]), abs(sh$share[big] / 100 - true_share[big]))
  # the model's own sizes, with intervals from the observed information
  own <- class_shares(fit)
  expect_equal(attr(own, "method"), "model")
  se <- lca_se(fit)
  se <- se[se$type == "class size", ]
  expect_equal(own$share, 100 * se$estimate)
  z <- qnorm(0.975)
  p <- se$estimate
  expect_equal(own$lower, 100 * plogis(qlogis(p) - z * se$std.error / (p * (1 - p))))
})

test_that("the crosstab's category totals are the estimated shares (proportional assignment)", {
  d <- simulate_lca(n = 3000, seed = 5)
  items <- setdiff(names(d), ".class")
  fit <- suppressWarnings(lca(d[items], k = 3, starts = 5, seed = 1, verbose = FALSE))
  fit <- name_classes(fit, c("A", "B", "C"))
  post <- predict(fit, d, type = "posterior")
  colnames(post) <- c("A", "B", "C")
  set.seed(2)
  d$age_group <- sample(c("0-4", "5-9", "10-15", NA), nrow(d), TRUE, prob = c(.4, .3, .28, .02))
  tab <- class_crosstab(d, var = "age_group", posterior = post)
  expect_equal(attr(tab, "method"), "proportional")
  cnt <- attr(tab, "counts")
  sh <- class_shares(fit, d, threshold = 0)
  expect_equal(unname(cnt["All episodes", c("A", "B", "C")]), round(sh$share / 100 * nrow(d)))
  # cells: posterior sums by hand, rounded so that each category's cells add
  # up to its rounded total (largest remainder: each cell is its sum rounded
  # down or up, and those rounded up have the larger remainders); row totals
  # are whole counts of episodes
  age <- ifelse(is.na(d$age_group), "Missing", d$age_group)
  lv <- c("0-4", "5-9", "10-15", "Missing")
  for (k in c("A", "B", "C")) {
    e <- vapply(lv, function(a) sum(post[age == a, k]), 0)
    got <- unname(cnt[lv, k])
    expect_equal(sum(got), unname(cnt["All episodes", k]))
    expect_true(all(abs(got - e) < 1))
    up <- got > floor(e)
    if (any(up) && any(!up)) expect_gte(min((e - floor(e))[up]), max((e - floor(e))[!up]))
  }
  expect_equal(unname(cnt[lv, "All episodes"]), as.numeric(table(age)[lv]))
  a1 <- unname(cnt["0-4", "A"])
  expect_equal(tab$A[1], paste0(format(a1, big.mark = ","), " (",
                                sprintf("%.1f", 100 * a1 / round(sum(post[, "A"]))), "%)"), tolerance = 0)
  # categories as rows: by a grouping column
  d$council <- rep(c("North", "South"), length.out = nrow(d))
  byc <- class_crosstab(d, class = "council", posterior = post)
  expect_equal(byc$Category, c("A", "B", "C", "All episodes"))
  expect_lt(abs(unname(attr(byc, "counts")["B", "North"]) - sum(post[d$council == "North", "B"])), 1)
  expect_equal(sum(attr(byc, "counts")[c("A", "B", "C"), "North"]), sum(d$council == "North"))
  expect_equal(unname(attr(byc, "counts")["All episodes", "North"]), sum(d$council == "North"))
  # the same one-hot posterior gives the modal table
  onehot <- 1 * outer(max.col(post), 1:3, `==`)
  colnames(onehot) <- c("A", "B", "C")
  d$modal <- factor(c("A", "B", "C")[max.col(post)], levels = c("A", "B", "C"))
  expect_equal(unclass(class_crosstab(d, var = "age_group", posterior = onehot))[-1],
               unclass(class_crosstab(d, "modal", "age_group"))[-1], ignore_attr = TRUE)
  expect_error(class_crosstab(d, "council", "age_group", posterior = post), class = "cscdemand_error_column")
  expect_error(class_crosstab(d, var = "age_group", posterior = post[1:10, ]), class = "cscdemand_error_posterior")
})

test_that("small expected counts are suppressed like counts, shares of small classes hidden", {
  d <- simulate_lca(n = 600, seed = 5)
  items <- setdiff(names(d), ".class")
  fit <- suppressWarnings(lca(d[items], k = 3, starts = 5, seed = 1, verbose = FALSE))
  post <- predict(fit, d, type = "posterior")
  colnames(post) <- c("A", "B", "C")
  d$rare <- c(rep("x", 12), rep("y", nrow(d) - 12))
  tab <- class_crosstab(d, var = "rare", posterior = post)
  cnt <- round(rowsum(post, d$rare))
  m <- attr(tab, "suppressed")[c("x", "y"), c("A", "B", "C")]
  expect_true(all(m[cnt > 0 & cnt < 10]))
  expect_safe_suppression(cnt, m, 10)
  # a share whose estimated count is under the threshold is hidden, with one more
  sh <- class_shares(fit, d[1:40, ], threshold = 10)
  n_est <- colMeans(post[1:40, ]) * 40
  if (any(n_est < 10)) expect_gte(sum(sh$suppressed), 2)
  expect_equal(is.na(sh$share), sh$suppressed)
  expect_error(class_shares(fit, level = 2), class = "cscdemand_error")
})

test_that("on simulate_cin() data the printed shares of the recovered categories match the truth", {
  skip_on_cran()
  ep <- episode_factors(simulate_cin(n_episodes = 8000, seed = 7))
  items <- factor_columns(ep)
  fit <- suppressWarnings(lca(ep, k = 7, items = items, starts = 30, seed = 1, verbose = FALSE))
  post <- predict(fit, ep, type = "posterior")
  sh <- class_shares(fit, ep)
  modal <- as.vector(table(factor(max.col(post), levels = 1:7))) / nrow(ep)
  truth <- prop.table(table(ep$true_class))
  # each true category's main fitted class
  tab <- table(ep$true_class, max.col(post))
  main <- apply(tab, 1, which.max)
  # the categories the model recovers (a fitted class mostly made of one true
  # category) have estimated shares within 1.5 points of the truth
  clear <- c("domestic_violence", "disability_mental_health", "out_of_control", "physical_abuse")
  for (cl in clear) {
    k <- main[[cl]]
    expect_gt(tab[cl, k] / sum(tab[, k]), 0.6)
    expect_lt(abs(sh$share[k] - 100 * truth[[cl]]), 1.5)
  }
  # the largest category: counting episodes in their modal class overstates it
  k <- main[["domestic_violence"]]
  expect_gt(modal[k] - truth[["domestic_violence"]], 0.015)
  expect_lt(abs(sh$share[k] / 100 - truth[["domestic_violence"]]), modal[k] - truth[["domestic_violence"]])
  # and the report's proportional tables carry the same shares
  ep$age_group <- ifelse(ep$age < 5, "0-4", "5 and over")
  colnames(post) <- unname(class_labels(fit))
  ct <- class_crosstab(ep, var = "age_group", posterior = post, threshold = 0)
  expect_equal(unname(attr(ct, "counts")["All episodes", seq_len(7)]), round(sh$share / 100 * nrow(ep)))
})

test_that("class_shares(by = ) equals one call per group, suppression per group", {
  d <- simulate_lca(n = 3000, seed = 8)
  items <- setdiff(names(d), ".class")
  fit <- suppressWarnings(lca(d[items], k = 3, starts = 5, seed = 1, verbose = FALSE))
  # a small group, whose estimated counts fall under the threshold, and an
  # unused factor level
  d$council <- factor(c(rep("Tiny", 25), rep(c("North", "South", "East"), length.out = nrow(d) - 25)),
                      levels = c("South", "Tiny", "North", "East", "Empty"))
  by <- class_shares(fit, d, by = "council")
  expect_equal(unique(by$council), c("South", "Tiny", "North", "East"))
  expect_equal(attr(by, "n"), c(South = sum(d$council == "South"), Tiny = 25L,
                                North = sum(d$council == "North"), East = sum(d$council == "East")))
  for (g in c("South", "Tiny", "North", "East")) {
    one <- class_shares(fit, d[d$council == g, ])
    got <- by[by$council == g, names(one)]
    rownames(got) <- NULL
    expect_equal(got, one, ignore_attr = TRUE)
    # by hand: the group's maximum-likelihood sizes, which the mean
    # posterior under those sizes returns
    post <- predict(fit, d[d$council == g, ], type = "posterior")
    w <- got$share / 100
    if (!any(got$suppressed)) {
      q <- sweep(post, 2, w / fit$class_size, `*`)
      expect_equal(unname(colMeans(q / rowSums(q))), w, tolerance = 1e-8)
    }
  }
  expect_true(any(by$suppressed[by$council == "Tiny"]))
  expect_false(any(by$suppressed[by$council != "Tiny"]))
  # character groups are sorted; the fitted data's own shares
  d$council <- as.character(d$council)
  expect_equal(unique(class_shares(fit, d, by = "council")$council), c("East", "North", "South", "Tiny"))
  expect_error(class_shares(fit, by = "council"), class = "cscdemand_error_column")
  expect_error(class_shares(fit, d, by = "councl"), class = "cscdemand_error_column")
  d$council[c(4, 90)] <- NA
  expect_error(class_shares(fit, d, by = "council"), "Rows 4, 90", class = "cscdemand_error_column")
})

test_that("each council's shares from a model of all councils cover the council's truth (pooled model, known truth)", {
  # 24 councils of 3,000 episodes whose category shares differ widely, one
  # model of them all: the posteriors under the overall sizes pull every
  # council's shares towards the overall ones (by more than their standard
  # error); the council's own maximum-likelihood sizes do not
  probs <- rbind(c(.80, .75, .70, .25, .25, .20, .70, .30),
                 c(.25, .20, .70, .75, .70, .25, .25, .70),
                 c(.20, .25, .25, .30, .75, .80, .70, .75))
  G <- 24
  set.seed(7)
  shares <- matrix(rgamma(G * 3, 2), G, 3)
  shares <- shares / rowSums(shares)
  d <- do.call(rbind, lapply(seq_len(G), function(g) {
    x <- simulate_lca(n = 3000, probs = probs, class_size = shares[g, ], seed = 100 + g)
    x$council <- sprintf("C%02d", g)
    x
  }))
  items <- paste0("item", 1:8)
  fit <- suppressWarnings(lca(d[items], k = 3, starts = 10, seed = 1, verbose = FALSE))
  prof <- t(vapply(fit$items, function(i) fit$probs[[i]][, "1"], numeric(3)))
  map <- apply(prof, 2, function(v) which.min(colSums((t(probs) - v)^2)))
  expect_setequal(map, 1:3)
  sh <- class_shares(fit, d, by = "council", threshold = 0)
  k <- as.integer(sub("Class ", "", sh$class))
  truth <- 100 * shares[cbind(match(sh$council, sprintf("C%02d", seq_len(G))), map[k])]
  cover <- mean(sh$lower <= truth & truth <= sh$upper)
  expect_gt(cover, 0.88)
  # the estimates are each council's maximum-likelihood sizes: the mean
  # posterior under those sizes returns them (a fixed point of EM)
  post <- predict(fit, d[d$council == "C03", ], type = "posterior")
  w <- sh$share[sh$council == "C03"] / 100
  q <- sweep(post, 2, w / fit$class_size, `*`)
  expect_equal(unname(colMeans(q / rowSums(q))), w, tolerance = 1e-8)
  # the mean posterior under the overall sizes is pulled towards them
  mp <- colMeans(post)
  tr <- shares[3, map]
  expect_true(all(abs(w - tr) <= abs(mp - tr) + 0.002))
})

test_that("the standard error of a council's shares matches their spread over simulated councils", {
  probs <- rbind(c(.80, .75, .70, .25, .25, .20, .70, .30),
                 c(.25, .20, .70, .75, .70, .25, .25, .70),
                 c(.20, .25, .25, .30, .75, .80, .70, .75))
  big <- simulate_lca(n = 20000, probs = probs, class_size = c(.5, .3, .2), seed = 1)
  items <- paste0("item", 1:8)
  fit <- suppressWarnings(lca(big[items], k = 3, starts = 5, seed = 1, verbose = FALSE))
  # 300 councils of 400 episodes with other shares, scored against the model
  reps <- lapply(1:300, function(r) {
    x <- simulate_lca(n = 400, probs = probs, class_size = c(.2, .3, .5), seed = 1000 + r)
    sh <- class_shares(fit, x[items], threshold = 0)
    cbind(est = sh$share, se = (qlogis(sh$upper / 100) - qlogis(sh$lower / 100)) /
            (2 * qnorm(0.975)) * sh$share / 100 * (1 - sh$share / 100) * 100)
  })
  est <- sapply(reps, function(x) x[, "est"])
  se <- sapply(reps, function(x) x[, "se"])
  ratio <- rowMeans(se) / apply(est, 1, sd)
  # 300 replicates: the spread's own error is about 4%
  expect_true(all(ratio > 0.88 & ratio < 1.12))
})
