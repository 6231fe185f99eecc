# The disclosure classes of issue 23's sixth reading, each on data other
# than the bundled example: model outputs that give back small counts (item
# probabilities x category sizes), sums of hidden cells worked out from
# printed totals, large rows mostly hidden behind a small not-known row,
# columns of percentages that do not add up to 100, and the order of the
# grey segment in a stacked chart.

# A fitted model with the item probabilities `q` (classes x items), class
# shares `size` and `n` episodes (the structure of an lca() fit).
fit_with <- function(q, size, n) {
  d <- simulate_lca(n = 300, probs = matrix(c(.8, .2), 2, ncol(q), dimnames = list(NULL, colnames(q))),
                    class_size = c(.5, .5), seed = 1)
  fit <- lca(d[colnames(q)], 2, starts = 2, seed = 1, verbose = FALSE)
  cl <- paste("Class", seq_len(nrow(q)))
  fit$probs <- stats::setNames(lapply(colnames(q), function(it) {
    m <- cbind(`0` = 1 - q[, it], `1` = q[, it])
    rownames(m) <- cl
    m
  }), colnames(q))
  fit$class_size <- stats::setNames(size, cl)
  fit$nobs <- n
  fit
}

# What a reader gets from a chart of probabilities: for each shown tile, the
# expected count of the class with the factor and without it; for each
# factor, its published total less the shown counts (the hidden tiles' sum).
expect_probs_protected <- function(fit, shown, threshold = 10) {
  N <- unname(fit$class_size) * fit$nobs
  p <- presence_probs(fit)
  yes <- round(p * N)
  no <- round((1 - p) * N)
  expect_false(any(shown & ((yes > 0 & yes < threshold) | (no > 0 & no < threshold))))
  total <- round(colSums(p * N))
  for (j in seq_len(ncol(p))) {
    if (all(shown[, j])) next
    expect_gte(total[j] - sum(yes[shown[, j], j]), threshold, label = colnames(p)[j])
    expect_gte(sum(N[!shown[, j]]) - total[j] + sum(yes[shown[, j], j]), threshold, label = colnames(p)[j])
  }
}

test_that("item probabilities that give back a small count are hidden, with their complements (finding 2)", {
  # a rare factor (about 15 episodes in all) at 2% of a category of 450 and
  # near 0 elsewhere; a factor at 99% of a category (its complement is 5)
  q <- rbind(c(.020, .40, .99, .30), c(.001, .55, .50, .30), c(.002, .10, .20, .30))
  colnames(q) <- c("3B", "4B", "2B", "16A")
  set.seed(3)
  for (r in 1:6) {
    n <- sample(c(1500, 3000, 6000), 1)
    size <- as.numeric(prop.table(stats::runif(3, 0.5, 1.5)))
    qq <- pmin(pmax(q + stats::runif(length(q), -0.005, 0.005), 0), 1)
    fit <- fit_with(qq, size, n)
    pl <- plot_item_probs(fit)
    d <- pl$data
    shown <- matrix(!is.na(d$probability), nrow(qq))
    # a hidden tile reads "c" or a range that protects it (test-profile-plots-bands.R)
    expect_true(all(d$label[is.na(d$probability)] == "c"))
    expect_true(all(grepl("^(<[0-9]+%|>[0-9]+%|[0-9]+-[0-9]+%)$", stats::na.omit(d$range))))
    expect_probs_protected(fit, shown)
    # the plot's data carry the counts, and the review's check finds nothing
    expect_equal(nrow(review_plot_counts(list(pl))), 0)
  }
  # the rare factor's 2% (9 of 450) is hidden with the cell that protects it
  fit <- fit_with(q, c(.3, .4, .3), 1500)
  d <- plot_item_probs(fit)$data
  expect_true(is.na(d$probability[d$class == "Class 1" & d$item == "3B"]))
  expect_true(is.na(d$probability[d$class == "Class 1" & d$item == "2B"]))
  expect_gte(sum(is.na(d$probability[d$item == "3B"])), 2)
  expect_false(anyNA(d$probability[d$item == "16A"]))
  # threshold 0 shows every tile
  expect_false(anyNA(plot_item_probs(fit, threshold = 0)$data$probability))
})

test_that("the table of categories prints no percentage that gives back a small count (finding 2)", {
  # class 1 is named for 2B (99%), whose complement is 4.5 episodes of 450
  q <- rbind(c(.99, .10, .05), c(.05, .90, .05), c(.05, .05, .80))
  colnames(q) <- c("2B", "3B", "16A")
  fit <- fit_with(q, c(.3, .4, .3), 1500)
  fit <- name_classes(fit, suggest_class_names(fit))
  tab <- class_name_table(fit)
  # shown as Figure 4 shows the tile (a range, here ">95%"), never exactly
  tile <- plot_item_probs(fit)$data
  tile <- tile$range[tile$class == fit$class_names[[1]] & tile$item == "2B"]
  expect_match(tile, "^>[0-9]+%$")
  expect_match(tab$defining[1], paste0("^Parental substance misuse: ", tile, " v [0-9]+% overall"))
  expect_no_match(tab$defining[1], "99%")
  # a large council: the same figures are printed
  fit$nobs <- 1e5
  expect_match(class_name_table(fit)$defining[1], "^Parental substance misuse: 99% v")
})

# Random tables of expected counts (a not-known row small in most categories,
# a sparse level) as the report's cross-tabs count them.
random_crosstab <- function(seed, n = 3000, k = 6) {
  set.seed(seed)
  W <- matrix(stats::rgamma(n * k, 0.6), n, k)
  W <- W / rowSums(W)
  colnames(W) <- paste("Category", LETTERS[seq_len(k)])
  lv <- sample(c("Level 1", "Level 2", "Level 3", "Level 4", "Unknown"), n, TRUE,
               prob = c(.5, .3, .15, .045, .005))
  list(episodes = data.frame(v = lv), posterior = W)
}

as_read <- function(tab) as.matrix(rbind(names(tab), as.matrix(tab)))

test_that("printed columns add up to their totals, and no sum of hidden cells is pinned under the threshold (finding 3)", {
  for (s in 1:12) {
    d <- random_crosstab(s)
    tab <- class_crosstab(d$episodes, var = "v", posterior = d$posterior)
    t <- as_read(tab)
    # a reader's subtraction of printed cells from printed totals
    expect_equal(nrow(review_hidden_sums(list(t))), 0, info = paste("seed", s))
    cnt <- attr(tab, "printed")
    body <- cnt[-nrow(cnt), -ncol(cnt), drop = FALSE]
    expect_equal(colSums(body), cnt[nrow(cnt), -ncol(cnt)], info = paste("seed", s))
    # printed percentages of a column add up to 100 within their rounding
    # (a not-known row shown in the total only has empty cells by category)
    cells <- t[2:(nrow(t) - 1), 2:(ncol(t) - 1), drop = FALSE]
    cells <- cells[rowSums(cells != "") > 0, , drop = FALSE]
    pct <- matrix(suppressWarnings(as.numeric(sub("^(.*\\()?([0-9.]+)%\\)?$", "\\2", cells))), nrow(cells))
    full <- colSums(cells != "c") == nrow(cells)
    expect_false(anyNA(pct[, full]))
    if (any(full)) expect_true(all(abs(colSums(pct[, full, drop = FALSE]) - 100) <= 0.05 * nrow(cells) + 1e-9))
  }
  # the reader's Table 17: two hidden cells of a column that add up to 10
  # by subtraction are fine (10 is not under the threshold), 9 is not
  t <- rbind(c("Plan", "A", "B", "All"), c("First", "75", "c", "100"), c("Second", "c", "c", "20"),
             c("All", "85", "c", "120"))
  expect_equal(nrow(review_hidden_sums(list(t))), 0)
  t[4, 2] <- "84"
  expect_match(review_hidden_sums(list(t))$problem, "add up to 9 by subtraction")
})

test_that("a row of hundreds is never mostly hidden to protect a small not-known row (finding 4)", {
  for (s in 1:8) {
    d <- random_crosstab(100 + s)
    # gender-like: two large rows and a small Unknown row
    d$episodes$v <- ifelse(d$episodes$v == "Unknown", "Unknown", ifelse(d$episodes$v == "Level 1", "Female", "Male"))
    tab <- class_crosstab(d$episodes, var = "v", posterior = d$posterior, label = "Gender")
    expect_equal(nrow(review_suppressed_rows(list(as_read(tab)))), 0, info = paste("seed", s))
    # the not-known row is shown in the total only, and nothing it protects can be worked out:
    # no category's count of known episodes is printed
    if (!is.null(attr(tab, "residual_total"))) {
      expect_match(attr(tab, "note"), "not shown by category")
      expect_false(any(grepl("^[0-9,]+ \\(", unlist(tab[1:2, 2:(ncol(tab) - 1)]))))
      # the ratios of the profile are of the known episodes, as the table's percentages
      prof <- class_profile(d$episodes, vars = "v", posterior = d$posterior)
      expect_false("Unknown" %in% prof$level)
      f <- prof[prof$level == "Female" & !prof$suppressed, ]
      cell <- vapply(as.character(f$class), function(k) tab[[k]][tab[[1]] == "Female"], "")
      expect_equal(sprintf("%.1f%%", f$pct_printed), unname(cell))
    }
  }
})

test_that("the grey suppressed segment is drawn last in each bar, as the legend lists it (finding 11)", {
  d <- random_crosstab(7, n = 500)
  tab <- class_crosstab(d$episodes, var = "v", posterior = d$posterior)
  pd <- crosstab_plot_data(tab)
  skip_if(!any(pd$level == crosstab_hidden_label), "nothing suppressed")
  b <- ggplot2::ggplot_build(plot(tab))$data[[1]]
  grey <- b$fill == "grey80"
  for (y in unique(b$y[grey])) {
    expect_equal(max(b$xmax[b$y == y]), b$xmax[grey & b$y == y])
  }
  expect_equal(levels(pd$level)[1], crosstab_hidden_label)
})

test_that("the tables of people by category, read together, narrow no hidden small cell below the threshold (simulated councils)", {
  # These tables share only the categories' totals: for each category, any
  # column of one table and any of another with the same total fit together
  # (a table with those margins always exists), so reading them together
  # adds nothing to what each gives alone, and each keeps every hidden small
  # count's range at least the threshold wide on its own (its engine's
  # exact ranges). Checked by the attacker's linear programme over the
  # episodes' combinations of values across all the tables at once
  # (including a 2 x 2 hidden rectangle with a small opposite corner).
  for (s in list(list(la = "E09000027", years = 2023:2024, seed = 77), list(la = "E09000021", years = 2024, seed = 5))) {
    d <- simulated_council(s$la, s$years, s$seed)
    ep <- d$episodes
    vars <- intersect(c("age_group", "gender", "ethnic_group", "disability", "referral_source"), names(ep))
    tabs <- lapply(stats::setNames(vars, vars), function(v) class_crosstab(ep, var = v, posterior = d$posterior, threshold = 10))
    # (a not-known row shown by its total only prints percentages, not counts, by category)
    tabs <- Filter(function(t) is.null(attr(t, "residual_total")), tabs)
    expect_gt(length(tabs), 2)
    # each episode's printed row: its level, the family of levels printed
    # together ("Health" for "Health: A&E"), or the merged row that names it
    # ("Other or not known")
    vals <- lapply(names(tabs), function(v) {
      x <- as.character(ep[[v]])
      x <- ifelse(is.na(x) | !nzchar(trimws(x)), "Missing", x)
      rows <- rownames(attr(tabs[[v]], "counts"))
      fam <- sub(":.*$", "", x)
      merged <- rows[grepl(" or ", rows, fixed = TRUE)]
      into <- vapply(x, function(l) merged[grepl(tolower(l), tolower(merged), fixed = TRUE)][1], "")
      ifelse(x %in% rows, x, ifelse(fam %in% rows, fam, into))
    })
    names(vals) <- names(tabs)
    w <- linked_atom_widths(tabs, vals, d$posterior)
    expect_gt(length(w), 0)
    expect_true(all(w >= 10 - 1e-6), info = paste(names(w)[w < 10 - 1e-6], round(w[w < 10 - 1e-6], 1), collapse = "; "))
  }
})
