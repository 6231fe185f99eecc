# One number, one value: a count of the same episodes prints one value in
# every table of pathway_tables(), whether a table prints it as a row, as its
# total, or as the sum of some of its rows (the second reader's Richmond upon
# Thames: conferences 111 in one table, ICPC 14 + CP plan 98 = 112 in
# another; section 47 enquiries 215 against 104 + 14 + 98 = 216).

# Every printed value of each linked quantity: for each link and each set of
# categories (one category, or the categories a table counts together), the
# row (or total) of one table and the sum of its parts' printed rows in the
# others, each added over the columns that make up the set, when none of
# them is hidden.
linked_printed_values <- function(tabs) {
  links <- attr(tabs, "links")
  pool_name <- "Other categories"
  columns <- function(t) {
    p <- attr(tabs[[t]], "printed")
    cols <- colnames(p)[-ncol(p)]
    out <- as.list(cols)
    names(out) <- cols
    if (pool_name %in% cols) out[[pool_name]] <- attr(tabs[[t]], "pooled")
    out
  }
  printed <- function(t, rows, cats) {
    p <- attr(tabs[[t]], "printed")
    s <- attr(tabs[[t]], "suppressed")
    cols <- columns(t)
    if (identical(cats, "All episodes")) use <- ncol(p) else {
      inside <- vapply(cols, function(k) all(k %in% cats), logical(1))
      if (!setequal(unlist(cols[inside]), cats)) return(NA_real_)
      use <- match(names(cols)[inside], colnames(p))
    }
    rows <- if (identical(rows, "total")) nrow(p) else match(rows, rownames(p))
    if (anyNA(rows) || any(s[rows, use])) return(NA_real_)
    sum(p[rows, use])
  }
  out <- list()
  for (i in seq_len(nrow(links))) {
    a <- links$table[i]
    bs <- strsplit(links$sum_of_table[i], " + ", fixed = TRUE)[[1]]
    us <- strsplit(links$sum_of_rows[i], " + ", fixed = TRUE)[[1]]
    # parts: one table's rows, or one row of each of two or three tables
    if (length(bs) == 1L) parts <- list(list(b = bs, u = us)) else {
      if (length(us) != length(bs)) next
      parts <- Map(function(b, u) list(b = b, u = u), bs, us)
    }
    if (!all(c(a, bs) %in% names(tabs))) next
    involved <- c(a, bs)
    sets <- unique(c(list("All episodes"), unlist(lapply(involved, columns), recursive = FALSE)))
    for (cats in sets) {
      one <- printed(a, links$row[i], cats)
      two <- sum(vapply(parts, function(p) printed(p$b, p$u, cats), 0))
      if (is.na(one) || is.na(two)) next
      key <- paste(a, links$row[i], paste(cats, collapse = "+"), sep = " | ")
      out[[key]] <- unique(c(out[[key]], one, two))
    }
  }
  out
}

test_that("every count of the same episodes prints one value in every table (simulated Richmond upon Thames)", {
  sim <- simulate_cin(las = "E09000027", years = 2023:2024, seed = 77)
  rd <- report_data(sim)
  ep <- rd$episodes
  fit <- lca(ep, k = 6, items = rd$items, seed = 77, verbose = FALSE)
  post <- class_posterior(fit, ep)
  colnames(post) <- paste("Category", seq_len(ncol(post)))
  ep$category <- factor(colnames(post)[max.col(post, "first")], levels = colnames(post))
  flags <- intersect(c("nfa", "step_down", "not_in_need", "cin_plan", "s47", "icpc", "cp_plan", "looked_after"), names(ep))
  tabs <- pathway_tables(ep, post, pathway_measures(ep, class = "category"), outcomes = ep[flags])
  vals <- linked_printed_values(tabs)
  # the check sees the sums a reader would make (conferences, section 47)
  expect_gt(length(vals), 20)
  expect_true(any(grepl("^outcome_s47 \\| yes", names(vals))))
  two <- vals[lengths(vals) > 1L]
  expect_identical(two, stats::setNames(list(), character()),
                   label = paste(names(two), vapply(two, paste, "", collapse = " v "), sep = ": ", collapse = "; "))
  # each table's columns still add up to their totals (the tables' rows and
  # the links are decided together), and the categories' totals to the
  # rounded number of episodes where a table counts all of them
  for (t in tabs) {
    p <- attr(t, "printed")
    expect_equal(colSums(p[-nrow(p), , drop = FALSE]), p[nrow(p), ])
  }
  tot <- attr(tabs$outcome_s47, "printed")
  expect_equal(sum(tot[nrow(tot), -ncol(tot)]), round(nrow(ep)))
})
