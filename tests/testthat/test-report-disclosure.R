# Every count the report publishes about one cross-tab, in a table, a chart or
# a sentence, comes from one suppressed version of it: the checks an attacker
# would make, on Richmond-like simulated returns.

test_that("a crosstab's chart draws the table's published cells and nothing of a hidden one", {
  d <- richmond_like()
  ct <- class_crosstab(d$episodes, var = "threshold_reached", posterior = d$posterior,
                       threshold = 10, published = "CP plan")
  supp <- attr(ct, "suppressed")
  expect_true(any(supp[-nrow(supp), -ncol(supp)]))
  cnt <- attr(ct, "counts")
  pd <- crosstab_plot_data(ct)
  shown <- pd[pd$level != crosstab_hidden_label, ]
  body <- cnt[-nrow(cnt), -ncol(cnt)]
  tot <- cnt[nrow(cnt), -ncol(cnt)]
  # each drawn segment is a shown cell over its category's total, as printed
  for (r in seq_len(nrow(shown))) {
    i <- as.character(shown$level[r])
    j <- as.character(shown$class[r])
    expect_false(supp[i, j])
    expect_equal(shown$pct[r], 100 * body[i, j] / tot[[j]])
  }
  # every shown cell is drawn, and every bar reaches 100%: the grey segment is
  # the category's total less its shown cells, which the table gives already
  expect_equal(nrow(shown), sum(!supp[-nrow(supp), -ncol(supp)]))
  # (expected counts are rounded, so a bar with no hidden cell is 100% within rounding)
  sums <- tapply(pd$pct, pd$class, sum)
  with_hidden <- colnames(body)[colSums(supp[-nrow(supp), -ncol(supp)]) > 0]
  expect_true(all(abs(sums[with_hidden] - 100) < 1e-8))
  expect_true(all(abs(sums - 100) < 1))
  grey <- pd[pd$level == crosstab_hidden_label, ]
  expect_setequal(as.character(grey$class), with_hidden)
  expect_s3_class(plot(ct), "ggplot")
})

test_that("nested plan tables: the plans not yet ended cannot be found by subtraction", {
  d <- richmond_like()
  ep <- d$episodes
  pm <- pathway_measures(ep)
  expect_true(pathway_open_label %in% levels(pm$cp_plan_length))
  one <- function(v) {
    held <- !is.na(pm[[v]])
    base <- ep[held, , drop = FALSE]
    base$m <- droplevels(pm[[v]][held])
    class_crosstab(base, var = "m", posterior = d$posterior[held, , drop = FALSE], threshold = 10)
  }
  all_plans <- one("cp_plan_repeat")   # every plan (first or later)
  lengths <- one("cp_plan_length")
  ca <- attr(all_plans, "counts")
  cl <- attr(lengths, "counts")
  # the same plans: the two tables' category totals agree
  expect_equal(ca[nrow(ca), ], cl[nrow(cl), ])
  # an attacker's difference of the two tables' totals is a row of the length
  # table, suppressed with it: each hidden cell of it keeps a range at least
  # the threshold wide given everything that table publishes
  full <- d$posterior[!is.na(pm$cp_plan_length), , drop = FALSE]
  still <- pm$cp_plan_length[!is.na(pm$cp_plan_length)] == pathway_open_label
  open <- round(colSums(full[still, , drop = FALSE]))
  expect_true(any(open > 0 & open < 10))
  supp <- attr(lengths, "suppressed")
  x <- round(rbind(rowsum(full, as.character(pm$cp_plan_length[!is.na(pm$cp_plan_length)]))))
  x <- x[rownames(cl)[-nrow(cl)], colnames(cl)[-ncol(cl)], drop = FALSE]
  h <- supp[-nrow(supp), -ncol(supp), drop = FALSE]
  expect_true(all(h["Not yet ended", open > 0 & open < 10]))
  w <- attacker_widths(x, h)
  small <- x[h & x > 0] < 10
  expect_true(all(w[small] >= 10))
})

test_that("sparse members of a family of levels are counted together before suppressing", {
  d <- richmond_like()
  ct <- class_crosstab(d$episodes, var = "referral_source", posterior = d$posterior, threshold = 10)
  cnt <- attr(ct, "counts")
  supp <- attr(ct, "suppressed")
  lv <- rownames(cnt)[-nrow(cnt)]
  # the true (unsuppressed) counts of the published rows
  x <- crosstab_publish_counts(d$episodes$referral_source, d$posterior, lv)
  prim <- x > 0 & x < 10
  fam <- grepl("^[^:]+: ", lv)
  # no member of a family ("Health: ...", "Individual: ...") with a small
  # count is left on its own: it is counted with its sparse siblings
  expect_false(any(prim[fam, ]))
  expect_match(attr(ct, "note"), "are counted together as")
  # what is hidden is hidden safely: an attacker's range of each small hidden
  # cell, from the table's cells and totals, is at least the threshold wide
  h <- supp[-nrow(supp), -ncol(supp)]
  w <- attacker_widths(x, h)
  expect_true(all(w[x[h & x > 0] < 10] >= 10))
  # and far fewer cells are hidden than without the merging (25 of 105 in the
  # reader's table): the same table with only the residual rows merged
  v <- ifelse(is.na(d$episodes$referral_source), "Missing", as.character(d$episodes$referral_source))
  raw <- tidy_residual(round(rowsum(d$posterior, v)), 10, residual_levels())$tab
  old <- suppress_matrix(cbind(raw, rowSums(raw)), 10)$suppressed
  expect_lt(sum(h), sum(old) / 2)
})

test_that("pooled families of referral sources read as English in findings", {
  expect_equal(referral_phrase("Individual"), "a referral from an individual")
  expect_equal(referral_phrase("Health: A&E, GP or other"),
               "a referral from health services (A&E, GP or other)")
})

test_that("the table of likelihood ratios and its findings: no hidden cell can be worked out or is used", {
  d <- richmond_like()
  ep <- d$episodes
  ep$category <- factor(colnames(d$posterior)[max.col(d$posterior)], levels = colnames(d$posterior))
  vars <- intersect(c("age_group", "gender", "ethnic_group", "referral_source", "cp_plan", "s47"), names(ep))
  prof <- class_profile(ep, class = "category", vars = vars, threshold = 10)
  raw0 <- class_profile(ep, class = "category", vars = vars, threshold = 0)
  for (v in vars) {
    p <- prof[prof$variable == v, ]
    lv <- unique(p$level)
    cl <- levels(p$class)
    hidden <- matrix(p$display == "c", length(lv), length(cl), dimnames = list(lv, cl))
    # a shown ratio, with the level's total (printed by the crosstab) and the
    # category's size (given by the findings' two percentages), is a count:
    # the published cells are the shown ones, and both totals are published
    if (is_binary_var(ep[[v]])) next
    # the true counts of the published levels (the levels pooled as the profile pools them)
    raw <- unclass(table(characteristic_factor(ep[[v]]), ep$category))
    storage.mode(raw) <- "double"
    x <- tidy_levels(raw, 10, residual_levels(), drop_cols = FALSE)$tab
    # a not-known row counted with a neighbour ("Female or unknown") is one
    # row of the profile
    for (l in setdiff(lv, rownames(x))) {
      m <- published_rows(x, l)
      if (sum(m) < 2L) next
      x <- rbind(x[!m, , drop = FALSE], stats::setNames(list(colSums(x[m, , drop = FALSE])), l)[[1]])
      rownames(x)[nrow(x)] <- l
    }
    # a not-known row shown in the total column only is not in the profile
    res <- attr(class_crosstab(ep, "category", v, threshold = 10), "residual_total")
    n_res <- sum(x[rownames(x) %in% res, ])
    x <- x[!rownames(x) %in% res, , drop = FALSE]
    expect_setequal(rownames(x), lv)
    x <- x[lv, cl, drop = FALSE]
    expect_equal(sum(x) + n_res, nrow(ep))
    w <- attacker_widths(x, hidden)
    expect_true(all(w[x[hidden & x > 0] < 10] >= 10), info = v)
  }
  # every finding rests on a shown cell of the table, with both counts at least 30
  fi <- profile_findings(prof, min_episodes = 30)
  expect_gt(length(fi), 0)
  shown <- prof[prof$display != "c" & !is.na(prof$ratio), ]
  for (k in unique(names(fi))) {
    expect_true(any(shown$class == k & shown$n >= 30 & shown$n_other >= 30))
  }
})

test_that("ratios and findings are published exactly where the count table is, and the union holds under LP", {
  d <- richmond_like()
  ep <- d$episodes
  post <- d$posterior
  # as the report's tables print it
  ep$disability <- ifelse(ep$disability == 1, "Disabled", "Not recorded as disabled")
  vars <- intersect(c("age_group", "gender", "ethnic_group", "referral_source", "disability"), names(ep))
  prof <- class_profile(ep, vars = vars, posterior = post, threshold = 10)
  fi <- profile_findings(prof, min_episodes = 30)
  n_checked <- 0
  for (v in vars) {
    ct <- class_crosstab(ep, var = v, posterior = post, threshold = 10)
    x <- attr(ct, "expected")
    # a table with categories counted together is checked with the pooled
    # column in "the table of likelihood ratios hides what the crosstab ... hides"
    if (length(attr(ct, "pooled")) || !identical(colnames(x), colnames(post)) || nrow(x) < 2) next
    s <- attr(ct, "suppressed")
    hidden <- s[rownames(x), colnames(x), drop = FALSE]
    hidden_total <- unname(s[rownames(x), ncol(s)])
    p <- prof[prof$variable == v, ]
    # one suppression per cross-tab: a ratio shows exactly when its count and
    # the level's total show
    expect_setequal(unique(p$level), rownames(x))
    shown_ratio <- p$display != "c"
    shown_count <- !hidden[cbind(p$level, as.character(p$class))] & !hidden_total[match(p$level, rownames(x))]
    expect_equal(shown_ratio, shown_count, info = v)
    pub <- profile_published(prof, v, rownames(x), colnames(x))
    w <- union_widths(x, hidden, hidden_total, pub$ratio, pub$pct, pub$pct_other)
    small <- hidden & x > 0 & round(x) < 10
    expect_true(all(w[small] >= 10 - 1e-6), info = v)
    n_checked <- n_checked + sum(small)
  }
  expect_gt(n_checked, 0)
  # every finding's percentages are those of a published cell
  for (k in unique(names(fi))) {
    shown <- prof[prof$class == k & prof$display != "c" & !is.na(prof$ratio), ]
    txt <- fi[names(fi) == k]
    pcts <- regmatches(txt, regexpr("[0-9.]+%(?= against)", txt, perl = TRUE))
    expect_true(all(sub("%", "", pcts) %in% formatC(shown$pct_printed, format = "f", digits = 1)))
  }
})

# A gender table as in the Sunderland example: Female and Male rows of
# hundreds in seven categories, and a small Unknown row (34 episodes) under
# the threshold in every category.
gender_like <- function() {
  n_cat <- c(1683, 1593, 1416, 941, 890, 613, 491)
  unk <- c(8, 8, 8, 4, 1, 3, 2)
  fem <- round((n_cat - unk) * c(.49, .41, .5, .49, .48, .52, .48))
  cls <- rep(seq_along(n_cat), n_cat)
  g <- unlist(lapply(seq_along(n_cat), function(k) {
    rep(c("Female", "Male", "Unknown"), c(fem[k], n_cat[k] - unk[k] - fem[k], unk[k]))
  }))
  post <- diag(7)[cls, ]
  colnames(post) <- paste("Category", LETTERS[1:7])
  x <- unclass(table(factor(g), factor(cls, labels = colnames(post))))
  storage.mode(x) <- "double"
  list(episodes = data.frame(gender = g), posterior = post, x = x)
}

test_that("a small residual row in every category costs no large row most of its cells", {
  d <- gender_like()
  tab <- class_crosstab(d$episodes, var = "gender", posterior = d$posterior)
  supp <- attr(tab, "suppressed")
  body <- supp[-nrow(supp), -ncol(supp), drop = FALSE]
  # Unknown (34 episodes, under 10 in every category) is counted with
  # Female before suppressing (issue 23: one rule for a small not-known
  # row), so no row loses a cell and no category is pooled
  expect_equal(tab$Gender, c("Female or unknown", "Male", "All episodes"))
  expect_false(any(body))
  expect_false("Other categories" %in% names(tab))
  expect_match(attr(tab, "note"), "Unknown (34 episodes) is counted with female", fixed = TRUE)
  cnt <- attr(tab, "counts")
  shown <- cnt[!is.na(cnt)]
  expect_false(any(shown > 0 & shown < 10))
  expect_equal(unname(cnt["Female or unknown", 1:7]), unname(d$x["Female", ] + d$x["Unknown", ]))
  # the attacker, with every total (Female's and Unknown's too) and the
  # merged row, cannot narrow a small cell
  w <- attacker_widths_linked(d$x, crosstab_known(d$x, tab))
  expect_true(all(w >= 10), info = paste(names(w)[w < 10], collapse = "; "))
  # without merging, suppression alone hides most of a large row
  os <- crosstab_suppress(d$x, 10)$supp
  expect_gt(sum(os[c("Female", "Male"), 1:7]), 3)
})

test_that("the table of likelihood ratios hides what the crosstab of the same characteristic hides", {
  # one suppression for the two tables of a characteristic: a cell shown in
  # one and hidden in the other would give the other's hidden cells away
  d <- gender_like()
  tab <- class_crosstab(d$episodes, var = "gender", posterior = d$posterior)
  prof <- class_profile(d$episodes, vars = "gender", posterior = d$posterior)
  known <- crosstab_known(d$x, tab)
  lr <- prof[prof$display != "c", ]
  expect_gt(nrow(lr), 0)
  for (i in seq_len(nrow(lr))) {
    known[[length(known) + 1L]] <- published_rows(d$x, lr$level[i])[row(d$x)] &
      col(d$x) == match(as.character(lr$class[i]), colnames(d$x))
  }
  w <- attacker_widths_linked(d$x, known)
  expect_true(all(w >= 10), info = paste(names(w)[w < 10], collapse = "; "))
  # and on Richmond-like data, for every characteristic of both tables
  r <- richmond_like()
  for (v in intersect(c("age_group", "gender", "ethnic_group", "referral_source"), names(r$episodes))) {
    tab <- class_crosstab(r$episodes, var = v, posterior = r$posterior)
    prof <- class_profile(r$episodes, vars = v, posterior = r$posterior)
    lv <- setdiff(attr(tab, "counts") |> rownames(), "All episodes")
    x <- crosstab_publish_counts(r$episodes[[v]], r$posterior, lv)
    # the profile names a missing row "(missing)", the crosstab "Missing"
    pl <- ifelse(prof$level == "(missing)", "Missing", prof$level)
    expect_setequal(unique(pl), rownames(x))
    known <- crosstab_known(x, tab)
    lr <- prof[prof$display != "c", ]
    for (i in seq_len(nrow(lr))) {
      known[[length(known) + 1L]] <- row(x) == match(pl[prof$display != "c"][i], rownames(x)) &
        col(x) == match(as.character(lr$class[i]), colnames(x))
    }
    w <- attacker_widths_linked(x, known)
    expect_true(all(w >= 10), info = paste(v, ":", paste(names(w)[w < 10], collapse = "; ")))
  }
})

test_that("the tables of what happens next share margins and are suppressed together", {
  r <- richmond_like()
  ep <- r$episodes
  # whole episodes (hard assignment), so the shared margins hold exactly
  post <- indicator_matrix(factor(ep$true_class))
  pm <- pathway_measures(ep)
  tabs <- pathway_tables(ep, post, pm, threshold = 10)
  expect_true(all(c("threshold", "cp_category", "cp_plan_repeat", "cp_plan_length", "icpc_timeliness") %in% names(tabs)))
  # the raw counts of each table, in one vector
  raw <- function(v) {
    x <- rowsum(post[!is.na(v), , drop = FALSE], droplevels(as.factor(v[!is.na(v)])))
    x[rowSums(x) > 0, , drop = FALSE]
  }
  xs <- list(threshold = raw(ep$threshold_reached), cp_category = raw(ep$cp_category),
             cp_plan_repeat = raw(pm$cp_plan_repeat), cp_plan_length = raw(pm$cp_plan_length),
             icpc_timeliness = raw(pm$icpc_timeliness))
  # each table's rows as published (no row merged here, or the test must pool it)
  for (nm in names(xs)) expect_setequal(setdiff(rownames(attr(tabs[[nm]], "counts")), "All episodes"), rownames(xs[[nm]]))
  n <- sum(lengths(xs))
  at <- split(seq_len(n), rep(names(xs), lengths(xs)))[names(xs)]
  x <- unlist(lapply(xs, as.vector), use.names = FALSE)
  known <- unlist(lapply(names(xs), function(nm) crosstab_known_at(xs[[nm]], tabs[[nm]], at[[nm]], n)), recursive = FALSE)
  A <- t(vapply(known, as.numeric, numeric(n)))
  b <- as.vector(A %*% x)
  # what the attacker knows besides: the conferences of a category are its
  # ICPC and CP plan episodes, and every table of plans counts the same plans
  pos <- function(nm, lv) matrix(at[[nm]], nrow(xs[[nm]]), dimnames = dimnames(xs[[nm]]))[lv, ]
  ident <- NULL
  cats <- colnames(post)
  for (k in seq_along(cats)) {
    conf <- replace(numeric(n), matrix(at$icpc_timeliness, nrow(xs$icpc_timeliness))[, k], 1)
    conf[pos("threshold", "ICPC")[k]] <- -1
    conf[pos("threshold", "CP plan")[k]] <- -1
    ident <- rbind(ident, conf)
    for (nm in c("cp_category", "cp_plan_repeat", "cp_plan_length")) {
      pl <- replace(numeric(n), matrix(at[[nm]], nrow(xs[[nm]]))[, k], 1)
      pl[pos("threshold", "CP plan")[k]] <- -1
      ident <- rbind(ident, pl)
    }
  }
  expect_equal(as.vector(ident %*% x), rep(0, nrow(ident)))
  small <- which(x > 0 & x < 10)
  expect_gt(length(small), 0)
  widths <- function(tabs) {
    known <- unlist(lapply(names(xs), function(nm) crosstab_known_at(xs[[nm]], tabs[[nm]], at[[nm]], n)), recursive = FALSE)
    A <- rbind(t(vapply(known, as.numeric, numeric(n))), ident)
    attacker_widths_lp(x, A, as.vector(A %*% x), small)
  }
  w <- widths(tabs)
  expect_true(all(w >= 10 - 1e-6), info = paste(round(w[w < 10], 1), collapse = ", "))
  # each table suppressed on its own (as the report did) let some be narrowed
  apart <- lapply(names(xs), function(nm) {
    v <- switch(nm, threshold = ep$threshold_reached, cp_category = ep$cp_category, pm[[nm]])
    base <- data.frame(v = droplevels(as.factor(v[!is.na(v)])))
    class_crosstab(base, var = "v", posterior = post[!is.na(v), , drop = FALSE],
                   published = if (nm == "threshold") "CP plan")
  })
  names(apart) <- names(xs)
  expect_true(any(widths(apart) < 10))
})
