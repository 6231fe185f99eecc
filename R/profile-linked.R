#' Tables of what happens next by category, suppressed together
#'
#' The report's tables of the highest threshold reached, the category of
#' abuse of child protection plans, the pathway measures
#' ([pathway_measures()]) and the outcomes (section 47 enquiry, conference,
#' plan, no further action, ...) by category, each from [class_crosstab()]
#' with proportional assignment, and suppressed *together*: these tables
#' share margins, so a cell hidden in one could be worked out from the
#' others.
#'
#' Which tables share what is found from the episodes, not listed by hand: a
#' row of one table (or its total) that counts exactly the episodes of some
#' rows of another table (or of its total) is the sum of those rows in every
#' category. For example the episodes with a section 47 enquiry are those
#' whose highest threshold is "Section 47", "ICPC" or "CP plan"; the
#' conferences are the "ICPC" and "CP plan" episodes; every table of child
#' protection plans has the "CP plan" episodes as its total. For each such
#' link and each category (or group of categories a table counts together),
#' the sum must be either published in both tables or withheld in both: a
#' sum the one table lets a reader work out (printed, or by subtraction from
#' printed totals) while the other hides it would give the other's hidden
#' cells back. Where one side hides it, the other hides it too: the cell of
#' the row, or, when the row is a sum of several, its smallest part, with the
#' complementary cells that then need. This is repeated until no link is
#' published on one side only (a fixed point). A row printed merged with
#' another ("CP plan or ICPC") counts as the sum of its levels. Should hiding
#' more cells of a table change nothing while a sum it shares is still
#' published on one side only, that table hides every number by category,
#' and as a last resort is withheld whole (attribute `withheld` `TRUE`, every
#' cell "c"), its note saying why: the result is always safe.
#'
#' Sums published on both sides or neither are not enough: the tables read
#' together can still pin a hidden count to a narrow range (a hidden 5 in
#' the episodes with no further action, inside a printed 12 of those
#' assessed not in need, lies between 0 and 12). So, at the fixed point,
#' every hidden count under the threshold is audited as an attacker would:
#' its lowest and highest possible value, by linear programming over the
#' numbers, by category, of the episodes of each combination of the
#' tables' values, given every number the tables publish and that no count
#' is negative. The rule: each such range is at least `threshold` wide.
#' Where one is narrower, the shown cell that widens it enough at the least
#' loss (the smallest, counting the complement its own table then needs) is
#' hidden too, the joint suppression runs again to its fixed point, and the
#' audit again, until every range is wide enough. Each round hides for good
#' a cell that was shown, so this ends; a count no shown cell bounds has its
#' tables withheld whole, as above. Rows that are the same
#' episodes in two tables are never chosen as complementary cells while
#' others can protect. The printed counts are decided together (one number,
#' one value): the same episodes print one value in every table, a row that
#' is the sum of rows of other tables prints the sum of their printed
#' values (the conferences are the printed "ICPC" and "CP plan" cells added
#' up), and each table's columns add up to its totals.
#'
#' @inheritParams class_crosstab
#' @param episodes The council's episodes, with `threshold_reached` (the
#'   highest threshold, see [episode_threshold()]) and, when the data hold
#'   it, `cp_category` (the category of abuse of a plan).
#' @param measures Optional result of [pathway_measures()] for the same
#'   episodes (one row per episode).
#' @param outcomes Optional data frame of 0/1 (or logical) outcome flags of
#'   the same episodes, one column per outcome (such as `s47`, `icpc`,
#'   `cp_plan`, `nfa`): each becomes a table of "no" and "yes" by category,
#'   named `outcome_<column>`, suppressed with the others.
#' @return A named list of tables from [class_crosstab()]: `threshold`,
#'   `cp_category`, one per column of `measures` and one per column of
#'   `outcomes`, each present only when the data hold it. Attributes
#'   `rounds` (how many rounds the joint suppression took), `links` (the
#'   links found: a data frame with the table and row on each side) and
#'   `audit` (the attacker's audit: `rounds`, and `added`, the cells it
#'   hid, each a list of `table`, `row` and `cats`).
#' @family profiling
#' @export
#' @examples
#' ep <- episode_factors(simulate_cin(las = "Richmond upon Thames", years = 2024, seed = 7))
#' ep$threshold_reached <- episode_threshold(ep)
#' fit <- lca(ep, k = 3, seed = 1)
#' post <- predict(fit, ep, type = "posterior")
#' tabs <- pathway_tables(ep, post, pathway_measures(ep), outcomes = ep[c("s47", "icpc")])
#' names(tabs)
#' tabs$threshold
#' attr(tabs, "links")
pathway_tables <- function(episodes, posterior, measures = NULL, threshold = 10, outcomes = NULL) {
  check_episodes(episodes)
  check_threshold(threshold)
  W <- check_posterior(posterior, nrow(episodes))
  hint <- c(measures = "Give the result of {.code pathway_measures(episodes)} for the same episodes.",
            outcomes = "Give the episodes' 0/1 outcome columns, such as {.code episodes[c(\"s47\", \"icpc\")]}.")
  for (arg in c("measures", "outcomes")) {
    m <- get(arg)
    if (is.null(m)) next
    check_data_frame(m, arg = arg, hint = hint[[arg]], class = "cscdemand_error_column",
                     what = paste0("a data frame with one row per episode (", nrow(episodes), ")"))
    if (nrow(m) != nrow(episodes)) {
      abort_input(c("{.arg {arg}} must be a data frame with one row per episode ({nrow(episodes)}).",
                    x = "It has {nrow(m)} rows.",
                    i = hint[[arg]]),
                  class = "cscdemand_error_column")
    }
  }
  specs <- c(pathway_table_specs(episodes, measures), outcome_table_specs(outcomes))
  if (!length(specs)) return(structure(list(), rounds = 0L, links = linked_links_frame(list())))
  links <- linked_relations(specs)
  specs <- linked_plain_rounding(specs, links)
  specs <- linked_rounded(specs, links, W)
  # two ways to choose complementary cells, each suppressed jointly to its
  # fixed point (and with categories counted together where that helps):
  # table by table, or keeping the sums other tables print workable where
  # that loses least; the one that loses less across all the tables is kept
  best <- NULL
  unpin <- specs
  if (!is.null(unpin$threshold)) unpin$threshold$published <- setdiff(unpin$threshold$published, "ICPC")
  # (the conferences' row of the thresholds may be a complement: hiding it
  # hides the conferences held in another table, which can lose less)
  for (v in list(specs, unpin, linked_row_sets(unpin, links))) {
    tabs <- linked_with_pools(v, links, W, threshold)
    if (is.null(best) || linked_loss(tabs, threshold) < linked_loss(best, threshold)) best <- tabs
  }
  # no hidden small cell narrowed below the threshold by all the tables
  # read together (an attacker's linear programme)
  frame <- linked_lp_frame(specs, W)
  used <- attr(best, "specs")
  best <- linked_protect(best, used, links, W, threshold, frame)
  # then shown again, largest first, what need not be hidden
  best <- linked_relax(best, frame, threshold)
  # and categories counted together shown apart where everything published
  # allows it (their counts are often printed in another table)
  best <- linked_unpool(best, used, W, threshold, frame)
  attr(best, "links_found") <- links
  best <- linked_explain(best, specs, threshold)
  attr(best, "links_found") <- NULL
  attr(best, "specs") <- NULL
  structure(best, links = linked_links_frame(links))
}

# The joint suppression, then, while it loses less, categories counted
# together in a table whose large row is mostly hidden because of cells the
# links hide (linked_pools()).
linked_with_pools <- function(specs, links, W, threshold) {
  tabs <- linked_fixed_point(specs, links, W, threshold)
  used <- specs
  for (pass in 1:3) {
    pools <- linked_pools(tabs, colnames(W), threshold)
    if (!length(pools)) break
    why <- attr(tabs, "why")
    for (nm in names(pools)) {
      specs[[nm]]$pool <- pools[[nm]]
      # the tables whose links hide the cells that made the pool (its note names them)
      froms <- vapply(Filter(function(m) identical(m$table, nm), why), `[[`, "", "from")
      specs[[nm]]$pool_from <- unique(c(specs[[nm]]$pool_from, froms))
    }
    pooled <- linked_fixed_point(specs, links, W, threshold)
    if (linked_loss(pooled, threshold) >= linked_loss(tabs, threshold)) break
    tabs <- pooled
    used <- specs
  }
  attr(tabs, "specs") <- used
  tabs
}

# Each table that hides cells because of another table says so under it,
# in plain words: which other tables it is read against. It never says which
# hidden cell of either table is the small one (that would narrow a "c" to
# under the threshold, undoing the protection the secondary cells give): the
# reason names tables, not cells. A table with every category hidden says it
# in its sentence too, instead of a general reason.
linked_explain <- function(tabs, specs, threshold) {
  why <- attr(tabs, "why")
  generic <- "on their own, their totals would give away small numbers of another table."
  for (nm in names(tabs)) {
    # categories counted together because of other tables: those tables by name
    t <- tabs[[nm]]
    if (length(attr(t, "pooled")) && any(grepl(generic, attr(t, "note") %||% "", fixed = TRUE))) {
      froms <- setdiff(attr(t, "pool_from") %||% character(), nm)
      if (!length(froms)) froms <- linked_neighbours(attr(tabs, "links_found"), nm)
      named <- unique(vapply(froms, function(b) linked_table_name(b, specs[[b]], nm), ""))
      attr(t, "pool_from") <- named
      if (length(named)) attr(t, "note") <- gsub(generic, paste0("on their own, their totals would give away small numbers of ",
                                                                and_list(named), "."), attr(t, "note"), fixed = TRUE)
      tabs[[nm]] <- t
    }
    mine <- Filter(function(m) identical(m$table, nm) && !identical(m$from, nm), why)
    # a table hiding cells of its own, for no other table, says so too
    sp <- attr(t, "suppressed")
    own_hidden <- !is.null(sp) && any(sp[-nrow(sp), -ncol(sp)]) && !isTRUE(attr(t, "withheld"))
    if (own_hidden && !length(mine) && !any(grepl("hidden|suppressed", attr(t, "note") %||% ""))) {
      attr(t, "note") <- paste(c(attr(t, "note"), paste0("Some numbers by category are hidden here: they are under ", threshold,
                                                        ", or, with the table's totals, would give one away.")), collapse = " ")
      tabs[[nm]] <- t
    }
    # (cells shown again by linked_relax() may leave nothing hidden)
    if (!length(mine) || isTRUE(attr(tabs[[nm]], "withheld")) || !any(attr(tabs[[nm]], "suppressed"))) next
    froms <- unique(vapply(mine, `[[`, "", "from"))
    others <- vapply(froms, function(b) linked_table_name(b, specs[[b]], nm), "")
    # "another row of this table" (or "other rows") first, the other tables after it
    rows_here <- others == "another row of this table"
    others <- unique(c(if (sum(rows_here) > 1L) "other rows of this table" else others[rows_here],
                       others[!rows_here]))
    reason <- paste0("Some numbers by category are hidden here because, set against ", and_list(others),
                     ", they would give away numbers under ", threshold, " hidden there.")
    t <- tabs[[nm]]
    attr(t, "note") <- paste(c(attr(t, "note"), reason), collapse = " ")
    sen <- attr(t, "sentence")
    if (!is.null(sen)) {
      attr(t, "sentence") <- sub("By category these numbers are not shown: they would give away numbers under the threshold, here or with another table.",
                                 paste0("By category these numbers are not shown: set against ", and_list(others),
                                        ", they would give away numbers under ", threshold, " hidden there."),
                                 sen, fixed = TRUE)
    }
    tabs[[nm]] <- t
  }
  attr(tabs, "why") <- NULL
  tabs
}

# The tables a table shares a link with (linked_relations()).
linked_neighbours <- function(links, nm) {
  out <- character()
  for (l in links) {
    sides <- c(l$a, vapply(l$parts, `[[`, "", "b"))
    if (nm %in% sides) out <- c(out, setdiff(sides, nm))
  }
  unique(out)
}

# A table of pathway_tables() named for a sentence under the table `here`.
# The report prints the outcome tables (outcome_*) as the rows of one table,
# "Outcomes by category": under one of them, another outcome is "another row
# of this table"; under any other table, that table is named by its title
# (naming the outcome "assessed not in need" under the table of thresholds,
# whose first row it also is, reads as the table speaking of itself).
linked_table_name <- function(nm, spec, here = NULL) {
  if (startsWith(nm, "outcome_") && !is.null(here)) {
    return(if (startsWith(here, "outcome_")) "another row of this table" else "the table of outcomes by category")
  }
  flags <- c(nfa = "no further action", step_down = "stepped down to early help", not_in_need = "assessed not in need",
             cin_plan = "child in need plan", s47 = "section 47 enquiry", icpc = "initial child protection conference",
             cp_plan = "child protection plan", looked_after = "looked after")
  if (nm == "threshold") return("the table of the highest threshold reached")
  if (nm == "cp_category") return("the table of the category of abuse")
  if (startsWith(nm, "outcome_")) {
    f <- sub("^outcome_", "", nm)
    return(paste0("the outcome \u201c", if (f %in% names(flags)) flags[[f]] else f, "\u201d"))
  }
  # a measure's table by its title ("Initial child protection conferences:
  # held within 15 working days ..."), as the report prints it
  if (!is.null(spec$title)) return(paste0("the table \u201c", sub(" \\(.*$", "", spec$title), "\u201d"))
  paste0("the table of ", tolower(spec$label %||% nm))
}

# The joint suppression: the tables built with the cells to hide, widened
# until no link is published on one side only (a fixed point). Hiding only
# ever grows, and there are finitely many cells, so the loop ends. A round
# that asks for cells hidden already (the sum another table hides is still
# published here) widens, in the tables it names, step by step to what is
# certainly safe: the categories' whole columns; then every category's
# cells; then the whole table withheld (every
# number, its note says why). A withheld table publishes no sum, so it is
# never asked for more and each step adds a table: the loop ends. Only a
# request naming tables withheld already (not possible from
# linked_hide_more(), a bug) is an error, never tables that could give a
# small number back. `hide` (a list by table of the cells to hide, as
# class_crosstab() takes them) and `withheld` (tables withheld whole) are
# where it starts (linked_protect()). Attribute `rounds`.
linked_fixed_point <- function(specs, links, W, threshold, hide = NULL, withheld = character()) {
  start <- hide
  hide <- stats::setNames(rep(list(list()), length(specs)), names(specs))
  for (nm in intersect(names(start), names(specs))) hide[[nm]] <- start[[nm]]
  why <- list()
  size <- function(h) sum(lengths(unlist(h, recursive = FALSE)))
  cats <- colnames(W)
  rnd <- 0L
  repeat {
    rnd <- rnd + 1L
    tabs <- lapply(names(specs), function(nm) linked_table(specs[[nm]], W, threshold, hide[[nm]],
                                                          withheld = nm %in% withheld))
    names(tabs) <- names(specs)
    more <- linked_hide_more(tabs, links, cats)
    if (!length(more)) break
    before <- size(hide)
    why <- c(why, more)
    for (m in more) hide[[m$table]][[m$row]] <- union(hide[[m$table]][[m$row]], m$cats)
    if (size(hide) > before) next
    for (m in more) hide[[m$table]]$total <- union(hide[[m$table]]$total, m$cats)
    if (size(hide) > before) next
    stuck <- setdiff(unique(vapply(more, `[[`, "", "table")), withheld)
    for (nm in stuck) {
      rows <- c(setdiff(rownames(attr(tabs[[nm]], "printed")), "All episodes"), "total")
      for (r in rows) hide[[nm]][[r]] <- union(hide[[nm]][[r]], cats)
    }
    if (size(hide) > before) next
    if (length(stuck)) {
      withheld <- union(withheld, stuck)
      next
    }
    where <- unique(vapply(more, function(m) paste0(m$table, " (", m$row, ")"), ""))
    abort_input(c("The joint suppression of the tables by category could not be finished.",
                  x = "Hiding more cells of {.val {where}} changes nothing, but a sum they share with another table is still published on one side only.",
                  i = "Please report this with the tables' levels; publish these tables one by one only after checking them."),
                class = "cscdemand_error_suppression")
  }
  structure(tabs, rounds = rnd, why = why, withheld = withheld)
}

# One table of pathway_tables(), with the cells to hide; `withheld`: every
# number hidden (the joint suppression's last resort), its note says why.
# Attribute `members`: the levels each printed row counts (a merged row,
# such as "CP plan or ICPC", counts several).
linked_table <- function(s, W, threshold, hide, withheld = FALSE) {
  base <- data.frame(v = s$values[s$held])
  tab <- class_crosstab(base, var = "v", posterior = W[s$held, , drop = FALSE], threshold = threshold,
                        label = s$label, published = s$published, hide = if (length(hide)) hide, pool = s$pool,
                        totals_published = isTRUE(s$totals_published), linked_rows = s$rows_linked,
                        rounded = s$rounded)
  attr(tab, "members") <- linked_members(tab, s, W)
  if (length(attr(tab, "pooled")) && !is.null(s$pool)) attr(tab, "pool_from") <- s$pool_from
  if (withheld) tab <- linked_withhold(tab, threshold)
  tab
}

# The levels of a table's spec that each printed row counts: a row named
# for a level counts it; the levels left go to the rows left (one merged
# row takes them all; with several, each level goes to the one row whose
# name holds it). A row whose episodes (unrounded) do not add up to its
# levels' is left out (NULL): its sums are then never taken as known.
linked_members <- function(tab, s, W) {
  p <- attr(tab, "printed")
  if (is.null(p)) return(NULL)
  lv <- as.character(crosstab_levels(s$values[s$held], residual_unknown))
  w <- rowSums(W[s$held, , drop = FALSE])
  n <- tapply(w, lv, sum)
  levs <- names(n)[n > 0]
  rows <- setdiff(rownames(p), "All episodes")
  out <- stats::setNames(lapply(rows, function(r) if (r %in% levs) r else character()), rows)
  rest <- setdiff(levs, rows)
  open <- setdiff(rows, levs)
  if (length(open) == 1L) {
    out[[open]] <- rest
  } else {
    for (l in rest) {
      at <- open[vapply(open, function(r) grepl(tolower(l), tolower(r), fixed = TRUE), logical(1))]
      if (length(at) == 1L) out[[at]] <- c(out[[at]], l)
    }
  }
  e <- attr(tab, "expected")
  for (r in rows) {
    m <- out[[r]]
    ok <- length(m) > 0L && (is.null(e) || !(r %in% rownames(e)) || abs(sum(e[r, ]) - sum(n[m])) < 1e-6)
    if (!ok) out[r] <- list(NULL)
  }
  out
}

# Rows `u` (levels of the table's spec) as the printed rows that count
# exactly them; NULL when a printed row counts some of them and other
# levels too, or a level is not found in any printed row.
linked_printed_rows <- function(tab, u) {
  p <- attr(tab, "printed")
  members <- attr(tab, "members")
  if (is.null(members)) return(if (all(u %in% rownames(p))) u)
  rows <- character()
  seen <- character()
  for (r in names(members)) {
    m <- members[[r]]
    if (is.null(m)) {
      if (r %in% u) return(NULL)
      next
    }
    inside <- m %in% u
    if (any(inside) && !all(inside)) return(NULL)
    if (all(inside)) {
      rows <- c(rows, r)
      seen <- c(seen, m)
    }
  }
  if (!all(u %in% seen)) return(NULL)
  rows
}

# The joint suppression's last resort for a table: every number hidden,
# and a note saying why in plain words.
linked_withhold <- function(tab, threshold) {
  supp <- attr(tab, "suppressed")
  supp[] <- TRUE
  cnt <- attr(tab, "counts")
  cnt[] <- NA
  out <- tab
  for (j in names(out)[-1]) out[[j]] <- "c"
  why <- paste0("This table is not shown: read with the other tables of what happens next, any of its numbers ",
                "could give away numbers under ", threshold, " of those tables.")
  attributes(out) <- c(attributes(out)[c("names", "row.names", "class")],
                       attributes(tab)[setdiff(names(attributes(tab)), c("names", "row.names", "class"))])
  attr(out, "suppressed") <- supp
  attr(out, "counts") <- cnt
  attr(out, "note") <- why
  attr(out, "sentence") <- why
  attr(out, "withheld") <- TRUE
  out
}

# Rows of at least ten times the threshold with more than half of their
# category cells hidden, for each table (as a reader counts "c").
linked_crowded <- function(tab, threshold) {
  supp <- attr(tab, "suppressed")
  p <- attr(tab, "printed")
  if (is.null(supp) || ncol(supp) < 3L) return(0L)
  body <- supp[, -ncol(supp), drop = FALSE]
  sum(p[, ncol(p)] >= 10 * threshold & 2 * rowSums(body) > ncol(body))
}

# What a set of tables loses: large rows mostly hidden first, then tables
# with every category hidden, then the counts hidden (the smallest cells
# that protect lose least).
linked_loss <- function(tabs, threshold) {
  crowd <- sum(vapply(tabs, linked_crowded, 0L, threshold = threshold))
  blind <- sum(vapply(tabs, function(t) {
    s <- attr(t, "suppressed")
    as.integer(ncol(s) > 2L && all(s[nrow(s), -ncol(s)]))
  }, 0L))
  # (the cells of categories counted together are not shown apart either)
  counts <- sum(vapply(tabs, function(t) {
    s <- attr(t, "suppressed")
    p <- attr(t, "printed")
    lost <- s[-nrow(s), -ncol(s), drop = FALSE]
    lost[, colnames(lost) == "Other categories"] <- TRUE
    sum(p[-nrow(p), -ncol(p), drop = FALSE][lost])
  }, 0))
  crowd * 1e8 + blind * 1e6 + counts
}

# For each table with a large row mostly hidden, the categories whose cells
# of such a row, or whose totals, are hidden (with any the table pools
# already), to count together: two or more, leaving one apart at least.
linked_pools <- function(tabs, cats, threshold) {
  out <- list()
  for (nm in names(tabs)) {
    t <- tabs[[nm]]
    supp <- attr(t, "suppressed")
    p <- attr(t, "printed")
    if (linked_crowded(t, threshold) == 0L) next
    nr <- nrow(supp)
    big <- p[-nr, ncol(p)] >= 10 * threshold
    # a table of two or three rows (yes and no, a measure's bands) also
    # pools the categories whose cells its large rows hide; a longer table
    # (the thresholds) only those whose totals it hides
    hit <- supp[nr, ] | (nr <= 4L & colSums(supp[-nr, , drop = FALSE][big, , drop = FALSE]) > 0)
    hid <- intersect(colnames(supp)[hit], cats)
    pooled <- attr(t, "pooled") %||% character()
    pool <- union(hid, pooled)
    if (length(hid) + (length(pooled) > 0L) < 2L || length(setdiff(cats, pool)) < 1L) next
    out[[nm]] <- pool
  }
  out
}

# The tables pathway_tables() builds: for each, the values (one per
# episode), the episodes it counts, its label and the rows published
# elsewhere (rounded plainly, never complements while others can protect).
pathway_table_specs <- function(episodes, measures) {
  specs <- list()
  if ("threshold_reached" %in% names(episodes)) {
    th <- episodes$threshold_reached
    specs$threshold <- list(values = th, held = !is.na(th), label = "Highest threshold",
                            published = c("CP plan", "ICPC"))
  }
  if ("cp_category" %in% names(episodes) && any(!is.na(episodes$cp_category))) {
    cc <- episodes$cp_category
    specs$cp_category <- list(values = cc, held = !is.na(cc), label = "Category of abuse", published = NULL)
  }
  heads <- attr(measures, "headings")
  titles <- attr(measures, "titles")
  for (nm in names(measures)) {
    v <- measures[[nm]]
    held <- !is.na(v)
    if (!any(held)) next
    specs[[nm]] <- list(values = droplevels(as.factor(v)), held = held,
                        label = if (!is.null(heads[[nm]])) heads[[nm]] else nm, published = NULL,
                        title = if (!is.null(titles[[nm]])) titles[[nm]])
  }
  specs
}

# Outcome flags as tables of "no" and "yes" (a flag not known stays in the
# table, as "Missing"), as the report's table of outcomes counts them.
outcome_table_specs <- function(outcomes) {
  specs <- list()
  for (nm in names(outcomes)) {
    x <- outcomes[[nm]]
    if (all(is.na(x))) next
    if (!is_binary_var(x)) {
      bad <- utils::head(setdiff(unique(as.character(x[!is.na(x)])), c("0", "1", "TRUE", "FALSE")), 5)
      abort_input(c("Outcome column {.field {nm}} must hold 0/1 (or logical) flags, 1 for yes.",
                    x = "It holds {.val {bad}}{if (length(bad) == 5) ', ...' else ''}.",
                    i = "Recode it to 0/1 first; a measure with more than two values (a plan's length, a band) goes in {.arg measures}, as {.fn pathway_measures} makes them."),
                  class = "cscdemand_error_column")
    }
    yes <- as.character(x) %in% c("1", "TRUE")
    y <- factor(ifelse(is.na(x), NA, ifelse(yes, "yes", "no")), levels = c("no", "yes"))
    specs[[paste0("outcome_", nm)]] <- list(values = y, held = rep(TRUE, length(y)), label = "Outcome",
                                            published = NULL)
  }
  specs
}

# The links between the tables: each row `r` of table `a` ("total": its
# total) that counts exactly the episodes of rows `u` of another table (all
# of them: its total), or of rows of two or three other tables together
# that share no episode (the episodes with no further action and those
# stepped down are those assessed not in need). Each link is
# list(a, r, parts), a part being list(b, u). Levels as class_crosstab()
# makes them (crosstab_levels()).
linked_relations <- function(specs) {
  lv <- lapply(specs, function(s) {
    v <- rep(NA_character_, length(s$held))
    v[s$held] <- as.character(crosstab_levels(s$values[s$held], residual_unknown))
    v
  })
  out <- list()
  for (a in names(specs)) {
    for (r in c(sort(unique(lv[[a]][!is.na(lv[[a]])])), "total")) {
      inr <- if (r == "total") specs[[a]]$held else lv[[a]] %in% r
      if (!any(inr)) next
      within <- list()
      for (b in setdiff(names(specs), a)) {
        u <- linked_union_of(inr, lv[[b]], specs[[b]]$held)
        if (length(u)) {
          out[[length(out) + 1L]] <- list(a = a, r = r, parts = list(list(b = b, u = u)))
        } else {
          sub <- linked_rows_within(inr, lv[[b]], specs[[b]]$held)
          if (length(sub)) within[[b]] <- sub
        }
      }
      for (parts in linked_covers(inr, within, lv)) out[[length(out) + 1L]] <- list(a = a, r = r, parts = parts)
    }
  }
  out
}

# The rows of a table whose episodes all lie in `inr` (none outside it).
linked_rows_within <- function(inr, vb, hb) {
  rows <- unique(vb[hb & inr])
  rows <- rows[!rows %in% vb[hb & !inr]]
  sort(rows)
}

# Two or three tables whose rows inside `inr` (`within`) share no episode
# and together are all of `inr`: each such set as a list of parts.
linked_covers <- function(inr, within, lv) {
  if (length(within) < 2L) return(list())
  sets <- lapply(names(within), function(b) lv[[b]] %in% within[[b]])
  names(sets) <- names(within)
  size <- vapply(sets, sum, 0)
  out <- list()
  for (m in 2:min(3L, length(sets))) {
    for (cmb in utils::combn(names(sets), m, simplify = FALSE)) {
      if (sum(size[cmb]) != sum(inr)) next  # cannot be a partition of `inr`
      cover <- Reduce(`+`, sets[cmb])
      if (all(cover == inr)) out[[length(out) + 1L]] <- lapply(cmb, function(b) list(b = b, u = within[[b]]))
    }
  }
  out
}

# The rows of a table (values `vb`, counted episodes `hb`) whose episodes
# are exactly those of `inr`; "total" when they are all of them; none when
# `inr` is not a union of its rows.
linked_union_of <- function(inr, vb, hb) {
  if (!any(inr) || any(inr & !hb)) return(character())
  inside <- unique(vb[inr])
  if (any(vb[hb & !inr] %in% inside)) return(character())
  if (all(inr == hb)) "total" else sort(inside)
}

# Rows that are the same episodes in two tables (a one-row link, one side
# possibly a table's total) are rounded plainly in both, so that they print
# the same number; totals that are the same episodes in two tables are
# rounded alike already (crosstab_round()).
linked_plain_rounding <- function(specs, links) {
  mark <- function(s, r) {
    if (identical(r, "total")) s$totals_published <- TRUE else s$published <- union(s$published, r)
    s
  }
  for (l in links) {
    if (length(l$parts) != 1L) next
    u <- l$parts[[1]]$u
    if (length(u) != 1L || (l$r == "total" && u == "total")) next
    specs[[l$a]] <- mark(specs[[l$a]], l$r)
    specs[[l$parts[[1]]$b]] <- mark(specs[[l$parts[[1]]$b]], u)
  }
  specs
}

# One number, one value: the printed value, by category, of every row and
# total of the tables, decided together so that a count of the same
# episodes prints one value in every table, a row that a link makes the sum
# of rows of other tables prints the sum of their printed values (the
# episodes with a conference are the "ICPC" and "CP plan" rows of the
# thresholds; those assessed not in need are those with no further action
# and those stepped down), and each table's column still adds up to its
# total. Sets of episodes are keyed by their episodes (the same rows in two
# tables are one set). Each equation is a set and the sets that make it up
# (a table's total and its rows; a link's row and its parts). All the
# episodes start with the categories' totals that add up to the rounded
# number of episodes (crosstab_round()); then, in turn: a set whose parts
# are all decided is their sum; else a decided set with parts not yet
# decided shares what its decided parts leave among them by largest
# remainder (the equation with most parts first: the finest table, the
# thresholds, before the tables of one outcome); else the largest set not
# yet decided is rounded plainly. Each spec gets `rounded` (class_crosstab()).
linked_rounded <- function(specs, links, W) {
  lv <- lapply(specs, function(s) {
    v <- rep(NA_character_, length(s$held))
    v[s$held] <- as.character(crosstab_levels(s$values[s$held], residual_unknown))
    v
  })
  members <- function(b, u) if (identical(u, "total")) specs[[b]]$held else lv[[b]] %in% u
  key <- function(inr) paste(which(inr), collapse = ",")
  est <- list()
  size <- numeric()
  node <- function(inr) {
    k <- key(inr)
    if (is.null(est[[k]])) {
      est[[k]] <<- colSums(W[inr, , drop = FALSE])
      size[[k]] <<- sum(inr)
    }
    k
  }
  all_key <- node(rep(TRUE, nrow(W)))
  eqs <- list()
  add_eq <- function(whole, parts) {
    parts <- unique(parts)
    if (length(parts) < 1L || identical(parts, whole) || whole %in% parts) return()
    eqs[[length(eqs) + 1L]] <<- list(whole = whole, parts = parts)
  }
  for (a in names(specs)) {
    rows <- sort(unique(lv[[a]][!is.na(lv[[a]])]))
    add_eq(node(specs[[a]]$held), vapply(rows, function(r) node(lv[[a]] %in% r), ""))
  }
  for (l in links) {
    add_eq(node(members(l$a, l$r)),
           unlist(lapply(l$parts, function(p) vapply(p$u, function(u) node(members(p$b, u)), ""))))
  }
  val <- lapply(est, function(e) rep(NA_real_, length(e)))
  val[[all_key]] <- stats::setNames(round_to_total(est[[all_key]], round(nrow(W))), colnames(W))
  decided <- function(k) !anyNA(val[[k]])
  repeat {
    free_whole <- Filter(function(q) !decided(q$whole) && all(vapply(q$parts, decided, TRUE)), eqs)
    if (length(free_whole)) {
      for (q in free_whole) if (!decided(q$whole)) val[[q$whole]] <- Reduce(`+`, val[q$parts])
      next
    }
    open <- Filter(function(q) decided(q$whole) && !all(vapply(q$parts, decided, TRUE)), eqs)
    if (length(open)) {
      q <- open[[which.max(vapply(open, function(q) length(q$parts), 0))]]
      fr <- q$parts[!vapply(q$parts, decided, TRUE)]
      left <- val[[q$whole]] - Reduce(`+`, val[setdiff(q$parts, fr)], 0 * val[[q$whole]])
      e <- do.call(rbind, unname(est[fr]))
      got <- vapply(seq_len(ncol(W)), function(j) linked_share(e[, j], left[j]), numeric(length(fr)))
      got <- matrix(got, nrow = length(fr))
      for (i in seq_along(fr)) val[[fr[i]]] <- stats::setNames(got[i, ], colnames(W))
      next
    }
    rest <- names(val)[!vapply(names(val), decided, TRUE)]
    if (!length(rest)) break
    k <- rest[which.max(size[rest])]
    val[[k]] <- round(est[[k]])
  }
  for (a in names(specs)) {
    rows <- sort(unique(lv[[a]][!is.na(lv[[a]])]))
    cells <- do.call(rbind, lapply(rows, function(r) unname(val[[key(lv[[a]] %in% r)]])))
    dimnames(cells) <- list(rows, colnames(W))
    specs[[a]]$rounded <- list(cells = cells, totals = val[[key(specs[[a]]$held)]])
  }
  specs
}

# Whole numbers for estimates `e` that add up to `total` (largest remainder
# of the estimates scaled to it); plain rounding when `total` is negative
# (the decided parts already exceed it: the sets' values then disagree).
linked_share <- function(e, total) {
  if (total < 0) return(round(e))
  if (sum(e) > 0) e <- e * total / sum(e) else e <- rep(total / length(e), length(e))
  round_to_total(e, total)
}

# The sets of rows of each table whose sums by category another table
# prints (a link's row, or its parts' rows; a table's total is not a set):
# the table's complementary cells are chosen, where that loses least, so
# that these sums can still be worked out from it, and the other table need
# not hide them (class_crosstab(linked_rows = )).
linked_row_sets <- function(specs, links) {
  add <- function(nm, u) {
    if (identical(u, "total")) return()
    have <- specs[[nm]]$rows_linked
    if (!any(vapply(have, function(h) setequal(h, u), logical(1)))) specs[[nm]]$rows_linked <<- c(have, list(u))
  }
  for (l in links) {
    add(l$a, l$r)
    for (p in l$parts) add(p$b, p$u)
  }
  specs
}

# The links as a data frame (one row each).
linked_links_frame <- function(links) {
  data.frame(table = vapply(links, `[[`, "", "a"), row = vapply(links, `[[`, "", "r"),
             sum_of_table = vapply(links, function(l) paste(vapply(l$parts, `[[`, "", "b"), collapse = " + "), ""),
             sum_of_rows = vapply(links, function(l) paste(vapply(l$parts, function(p) paste(p$u, collapse = " + "), ""),
                                                            collapse = " + "), ""),
             stringsAsFactors = FALSE)
}

# The cells to hide next: each link is an equation between sums (the row of
# one table, and its parts in the others), for each group of categories the
# tables count apart (a table's pooled column joins its categories). When a
# reader can work out all of them but one, that one follows from the
# others: the smallest of those that can be worked out is hidden too (a
# row's cell, or the smallest row of a part). A list of list(table, row, cats).
linked_hide_more <- function(tabs, links, cats) {
  more <- list()
  for (l in links) {
    sides <- c(list(list(b = l$a, u = l$r)), l$parts)
    pools <- lapply(sides, function(p) attr(tabs[[p$b]], "pooled"))
    for (g in linked_groups(cats, pools)) {
      known <- vapply(sides, function(p) crosstab_sum_known(tabs[[p$b]], p$u, g), logical(1))
      if (sum(!known) != 1L) next
      size <- vapply(sides, function(p) linked_sum(tabs[[p$b]], p$u, g), 0)
      pick <- which(known)[order(size[known] <= 0, size[known])][1L]
      p <- sides[[pick]]
      from <- sides[[which(!known)]]
      more[[length(more) + 1L]] <- list(table = p$b, row = linked_smallest(tabs[[p$b]], p$u, g), cats = g,
                                        from = from$b, from_rows = from$u)
    }
  }
  more
}

# The printed sum of rows `u` ("total") of a table over categories `g`.
linked_sum <- function(tab, u, g) {
  p <- attr(tab, "printed")
  rows <- if (identical(u, "total")) "All episodes" else linked_printed_rows(tab, u) %||% intersect(u, rownames(p))
  cols <- crosstab_columns_of(tab, g)
  if (!length(rows) || anyNA(cols)) return(0)
  sum(p[rows, cols])
}

# Groups of categories: each alone, except those a table pools (its
# "Other categories" column), together (pools that overlap, as one).
linked_groups <- function(cats, pools) {
  groups <- list()
  for (p in pools) {
    p <- intersect(p %||% character(), cats)
    if (!length(p)) next
    hit <- vapply(groups, function(g) length(intersect(g, p)) > 0L, logical(1))
    groups <- c(groups[!hit], list(union(p, unlist(groups[hit]))))
  }
  c(groups, as.list(setdiff(cats, unlist(groups))))
}

# Of rows `u` of a table, the one whose cells in categories `g` add up to the
# least (positive first): the part of a sum to hide.
linked_smallest <- function(tab, u, g) {
  if (identical(u, "total")) return("total")
  p <- attr(tab, "printed")
  cols <- crosstab_columns_of(tab, g)
  rows <- linked_printed_rows(tab, u) %||% intersect(u, rownames(p))
  if (!length(rows)) return(u[1])
  n <- rowSums(p[rows, cols, drop = FALSE])
  rows[order(n <= 0, n)][1L]
}

# The table's columns that count categories `g`.
crosstab_columns_of <- function(tab, g) {
  p <- attr(tab, "printed")
  pooled <- attr(tab, "pooled") %||% character()
  unique(ifelse(g %in% colnames(p), g, ifelse(g %in% pooled, "Other categories", NA_character_)))
}

# Whether a reader can work out, from a crosstab as published (its shown
# cells and totals), the sum of rows `rows` ("total": its total row) over
# the categories `g`: the sum's hidden part must lie in the span of the
# published lines' equations (each row and column adds up to its total).
# Rows are the levels of the table's spec: a printed row that merges some
# of them with levels outside `rows`, or a level not printed, is taken as
# not worked out (linked_printed_rows()).
crosstab_sum_known <- function(tab, rows, g) {
  supp <- attr(tab, "suppressed")
  if (is.null(supp)) return(FALSE)
  rows <- if (identical(rows, "total")) "All episodes" else linked_printed_rows(tab, rows)
  if (!length(rows)) return(FALSE)
  cols <- crosstab_columns_of(tab, g)
  if (anyNA(cols)) return(FALSE)
  target <- matrix(0, nrow(supp), ncol(supp), dimnames = dimnames(supp))
  target[rows, cols] <- 1
  h <- which(supp)
  if (!any(target[h] != 0)) return(TRUE)
  nr <- nrow(supp)
  nc <- ncol(supp)
  eq <- rbind(t(vapply(seq_len(nr), function(i) as.vector((row(supp) == i) * ifelse(col(supp) == nc, -1, 1)), numeric(length(supp)))),
              t(vapply(seq_len(nc), function(j) as.vector((col(supp) == j) * ifelse(row(supp) == nr, -1, 1)), numeric(length(supp)))))
  eq <- eq[, h, drop = FALSE]
  eq <- eq[rowSums(eq != 0) > 0, , drop = FALSE]
  if (!nrow(eq)) return(FALSE)
  res <- qr.resid(qr(t(eq)), target[h])
  max(abs(res)) < 1e-8
}

# ---- the attacker's range across the tables -------------------------------

# The unknowns an attacker of the tables read together works with: by
# category, the episodes of each combination of the tables' values (every
# combination seen; an episode outside a table has none there). Returns the
# combinations' values in each table (`levels`, one vector per table), their
# true (expected) numbers by category as one vector `x` (combination within
# category), and the categories.
linked_lp_frame <- function(specs, W) {
  lv <- lapply(specs, function(s) {
    v <- rep(NA_character_, length(s$held))
    v[s$held] <- as.character(crosstab_levels(s$values[s$held], residual_unknown))
    v
  })
  key <- do.call(paste, c(lapply(lv, function(v) ifelse(is.na(v), "\r", v)), sep = "\t"))
  atoms <- unique(key)
  g <- match(key, atoms)
  x <- rowsum(W, g, reorder = TRUE)
  at <- match(seq_along(atoms), g)
  list(levels = lapply(lv, function(v) v[at]), x = as.vector(x), n = length(atoms), cats = colnames(W))
}

# Every cell of every table (its totals too) as a set of the frame's
# unknowns: table, printed row and column, the unknowns it adds up
# (`idx`), the value printed (before suppression), whether it is hidden and
# whether it is a cell of the body (not a total).
linked_lp_cells <- function(tabs, frame) {
  out <- list()
  for (nm in names(tabs)) {
    tab <- tabs[[nm]]
    p <- attr(tab, "printed")
    supp <- attr(tab, "suppressed")
    if (is.null(p) || is.null(supp) || is.null(frame$levels[[nm]])) next
    v <- frame$levels[[nm]]
    members <- attr(tab, "members")
    pooled <- attr(tab, "pooled") %||% character()
    for (r in rownames(p)) {
      a <- if (r == "All episodes") which(!is.na(v)) else which(v %in% linked_row_levels(r, members, v))
      if (!length(a)) next
      for (j in colnames(p)) {
        cats <- if (j == "All episodes") frame$cats else if (j == "Other categories") pooled else j
        k <- match(cats, frame$cats)
        if (anyNA(k) || !length(k)) next
        out[[length(out) + 1L]] <- list(table = nm, row = r, col = j, cats = cats,
                                        idx = as.vector(outer(a, (k - 1L) * frame$n, "+")),
                                        value = p[r, j], hidden = supp[r, j],
                                        body = r != "All episodes" && j != "All episodes")
      }
    }
  }
  out
}

# The same cells over fewer unknowns: unknowns that every cell counts
# together or not at all (combinations told apart only by levels a table
# prints merged, or categories it counts together) are one, their sum. The
# ranges are the same. Returns list(cells, frame) with the frame's `x`
# summed to match.
linked_lp_compress <- function(cells, frame) {
  if (!length(cells)) return(list(cells = cells, frame = frame))
  var <- unlist(lapply(cells, `[[`, "idx"))
  cid <- rep(seq_along(cells), vapply(cells, function(c) length(c$idx), 0L))
  sig <- vapply(split(cid, factor(var, levels = seq_along(frame$x))), function(i) paste(sort(i), collapse = ","), "")
  new <- match(sig, unique(sig))
  frame$x <- as.vector(rowsum(frame$x, new, reorder = TRUE))
  for (k in seq_along(cells)) cells[[k]]$idx <- unique(new[cells[[k]]$idx])
  list(cells = cells, frame = frame)
}

# The levels a printed row counts: its members (linked_members()), else a
# level of its name, else the levels its name holds ("CP plan or ICPC").
linked_row_levels <- function(r, members, v) {
  m <- members[[r]]
  if (length(m)) return(m)
  lv <- unique(v[!is.na(v)])
  if (r %in% lv) return(r)
  lv[vapply(lv, function(l) grepl(tolower(l), tolower(r), fixed = TRUE), logical(1))]
}

# The hidden cells under the threshold whose range, given every number the
# tables publish, is narrower than the threshold: the first one found
# (`first`), or all of them. Each as its cell with `lo` and `hi`.
linked_weak_cells <- function(cells, frame, threshold, first = TRUE) {
  sys <- lp_system(frame$x, lapply(Filter(function(c) !c$hidden, cells), `[[`, "idx"))
  small <- Filter(function(c) c$hidden && c$value > 0 && c$value < threshold, cells)
  weak <- list()
  for (c in small) {
    r <- lp_range(sys, frame$x, c$idx)
    if (r[2] - r[1] < threshold - 1e-6) {
      c$lo <- r[1]
      c$hi <- r[2]
      weak[[length(weak) + 1L]] <- c
      if (first) break
    }
  }
  weak
}

# The cell to hide next for a hidden cell `weak` whose range is too narrow:
# among the shown cells of the body that bound it (its table's row and
# column, and the cells of other tables that count some of its episodes in
# its categories), the one that widens its range to the threshold at the
# least loss; if none does on its own, the one that widens it most. Each
# candidate is tried with the complement its table's row or column then
# needs (the line's smallest other shown cell, when the candidate would be
# its only hidden cell), as the suppression of that table will add one; the
# loss is what they count together. The smallest candidates are tried
# first (at most `tries`). NULL when no shown cell bounds it.
linked_repair_pick <- function(cells, frame, weak, threshold, tries = 12L) {
  shown <- which(!vapply(cells, `[[`, TRUE, "hidden"))
  near <- function(c) c$body && c$value > 0 &&
    ((c$table == weak$table && (c$row == weak$row || c$col == weak$col)) ||
       (c$table != weak$table && any(c$idx %in% weak$idx)))
  cand <- shown[vapply(cells[shown], near, TRUE)]
  if (!length(cand)) return(NULL)
  cand <- cand[order(vapply(cells[cand], `[[`, 0, "value"))][seq_len(min(tries, length(cand)))]
  res <- t(vapply(cand, function(d) {
    gone <- c(d, linked_repair_partners(cells, d))
    sys <- lp_system(frame$x, lapply(cells[setdiff(shown, gone)], `[[`, "idx"))
    r <- lp_range(sys, frame$x, weak$idx)
    c(width = r[2] - r[1], loss = sum(vapply(cells[gone], `[[`, 0, "value")))
  }, numeric(2)))
  ok <- res[, "width"] >= threshold - 1e-6
  best <- if (any(ok)) which(ok)[order(res[ok, "loss"])[1L]] else order(-res[, "width"], res[, "loss"])[1L]
  d <- cells[[cand[best]]]
  list(table = d$table, row = d$row, cats = d$cats, from = weak$table, from_rows = weak$row)
}

# The complements the table of cell `d` needs when `d` is hidden: in its row
# and in its column, when `d` would be the line's only hidden cell, the
# line's smallest other shown positive cell (indices into `cells`).
linked_repair_partners <- function(cells, d) {
  me <- cells[[d]]
  out <- integer()
  for (by in c("row", "col")) {
    line <- which(vapply(cells, function(c) c$table == me$table && c$body && c[[by]] == me[[by]], TRUE))
    line <- setdiff(line, d)
    if (!length(line) || any(vapply(cells[line], `[[`, TRUE, "hidden"))) next
    free <- line[vapply(cells[line], function(c) c$value > 0, TRUE)]
    if (length(free)) out <- c(out, free[order(vapply(cells[free], `[[`, 0, "value"))][1L])
  }
  out
}

# The joint suppression made safe against an attacker who reads every table
# at once: while a hidden cell under the threshold has a range (given every
# number the tables publish, counts not negative; lp_range()) narrower than
# the threshold, the cell that widens it at the least loss
# (linked_repair_pick()) is hidden too, and the joint suppression runs again
# to its fixed point. Each round hides a cell that was shown, for good (it
# is asked for from then on), so the rounds are at most the number of cells;
# a cell that no shown cell bounds has its tables withheld whole (their
# notes say why), and should the rounds run out every table is withheld:
# the result is always safe. Attribute `audit`: the rounds and the cells
# hidden for the attacker's ranges.
linked_protect <- function(tabs, specs, links, W, threshold, frame = linked_lp_frame(specs, W)) {
  if (threshold <= 0 || !length(tabs)) return(tabs)
  extra <- list()
  withheld <- attr(tabs, "withheld") %||% character()
  added <- list()
  lpc <- linked_lp_compress(linked_lp_cells(tabs, frame), frame)
  cells <- lpc$cells
  limit <- length(cells) + length(tabs) + 1L
  for (round in seq_len(limit + 1L)) {
    weak <- linked_weak_cells(cells, lpc$frame, threshold)
    if (!length(weak)) break
    w <- weak[[1]]
    pick <- if (round <= limit) linked_repair_pick(cells, lpc$frame, w, threshold)
    have <- if (!is.null(pick)) extra[[pick$table]][[pick$row]]
    if (round > limit) {
      withheld <- names(tabs)
    } else if (is.null(pick) || all(pick$cats %in% have)) {
      hit <- unique(vapply(Filter(function(c) !c$hidden && any(c$idx %in% w$idx), cells), `[[`, "", "table"))
      withheld <- union(withheld, if (w$table %in% withheld) hit else w$table)
    } else {
      extra[[pick$table]][[pick$row]] <- union(have, pick$cats)
      added[[length(added) + 1L]] <- pick
    }
    tabs <- linked_fixed_point(specs, links, W, threshold, hide = extra, withheld = withheld)
    lpc <- linked_lp_compress(linked_lp_cells(tabs, frame), frame)
    cells <- lpc$cells
  }
  attr(tabs, "why") <- c(attr(tabs, "why"), added)
  attr(tabs, "audit") <- list(rounds = round - 1L, added = added)
  tabs
}

# ---- shown again what need not be hidden -----------------------------------

# Complements chosen table by table and link by link can hide more than the
# tables need together (a section 47 row of hundreds hidden in a category
# because of a link, a table of conferences with every category hidden).
# Each hidden cell that is not itself small (zero, or at least the
# threshold) is tried for showing again, cells of the largest rows left
# mostly hidden first, then the categories' totals, then the largest
# counts: it is shown when every hidden small cell still has a range at
# least the threshold wide given everything then published (the attacker's
# linear programme), and in its table every line with hidden cells still
# hides, by its printed total less its printed cells, at least the
# threshold. A cell is shown only where its category's total is (its
# percentage of the total would give that back). So each step keeps the
# tables safe. Withheld tables, and tables that show a not-known row by
# its total only, are left as they are. Returns the tables, attribute
# `shown` the cells shown again.
linked_relax <- function(tabs, frame, threshold, only = names(tabs)) {
  if (threshold <= 0 || !length(tabs)) return(tabs)
  lpc <- linked_lp_compress(linked_lp_cells(tabs, frame), frame)
  cells <- lpc$cells
  frame <- lpc$frame
  hidden <- vapply(cells, `[[`, TRUE, "hidden")
  value <- vapply(cells, `[[`, 0, "value")
  small <- which(hidden & value > 0 & value < threshold)
  pub <- lapply(cells[!hidden], `[[`, "idx")
  sys <- lp_system(frame$x, pub)
  sol <- lapply(small, function(t) lp_range(sys, frame$x, cells[[t]]$idx, solutions = TRUE))
  fixed <- vapply(names(tabs), function(nm) isTRUE(attr(tabs[[nm]], "withheld")) ||
                    length(attr(tabs[[nm]], "residual_total")) > 0L, TRUE)
  shown <- list()
  # (showing cells only narrows ranges: a cell refused stays refused)
  refused <- rep(FALSE, length(cells))
  repeat {
    tab_of <- vapply(cells, `[[`, "", "table")
    cand <- which(hidden & !refused & !(value > 0 & value < threshold) & !fixed[tab_of] & tab_of %in% only)
    cand <- cand[order(-vapply(cells[cand], linked_relax_rank, 0, tabs = tabs, threshold = threshold),
                       -value[cand])]
    done <- FALSE
    for (d in cand) {
      c <- cells[[d]]
      tab <- tabs[[c$table]]
      ok <- linked_relax_table_ok(tab, c$row, c$col, threshold)
      if (is.na(ok)) next
      if (ok) {
        v <- sum(frame$x[c$idx])
        sys2 <- lp_system(frame$x, c(pub, list(c$idx)))
        sol2 <- sol
        for (t in seq_along(small)) {
          if (lp_range_kept(sol[[t]], c$idx, v)) next
          sol2[[t]] <- lp_range(sys2, frame$x, cells[[small[t]]]$idx, solutions = TRUE)
          if (diff(sol2[[t]]$range) < threshold - 1e-6) {
            ok <- FALSE
            break
          }
        }
      }
      if (!ok) {
        refused[d] <- TRUE
        next
      }
      tabs[[c$table]] <- crosstab_unhide(tab, c$row, c$col)
      hidden[d] <- FALSE
      pub <- c(pub, list(c$idx))
      sys <- sys2
      sol <- sol2
      shown[[length(shown) + 1L]] <- c[c("table", "row", "col")]
      done <- done || c$row == "All episodes"
    }
    # a category's total shown again: its column's cells are tried again
    if (!done) break
  }
  attr(tabs, "shown") <- shown
  tabs
}

# Categories a table counts together ("Other categories", linked_pools())
# shown apart again where the tables read together allow it: the pooling
# chose, link by link, to merge categories whose totals other tables force
# hidden, but those counts are often printed in another table (the episodes
# assessed not in need by category are the first row of the table of
# thresholds), so merging them there protects nothing and loses the
# category's row. Each pooled table is rebuilt with every category apart,
# the pooled categories' cells (and the cells hidden already) hidden; it
# replaces the pooled one only when no hidden cell under the threshold is
# then narrowed below the threshold (the attacker's linear programme over
# every table), and linked_relax() then shows again, largest first, what
# need not be hidden. Withheld tables, and tables that show a not-known row
# by its total only, are left as they are.
linked_unpool <- function(tabs, specs, W, threshold, frame) {
  if (threshold <= 0 || !length(tabs) || is.null(specs)) return(tabs)
  cats <- colnames(W)
  changed <- FALSE
  unpooled <- character()
  safe <- function(tabs2) {
    lpc <- linked_lp_compress(linked_lp_cells(tabs2, frame), frame)
    !length(linked_weak_cells(lpc$cells, lpc$frame, threshold))
  }
  for (nm in names(tabs)) {
    t <- tabs[[nm]]
    pooled <- attr(t, "pooled") %||% character()
    if (!length(pooled) || is.null(specs[[nm]]) || isTRUE(attr(t, "withheld")) ||
        length(attr(t, "residual_total")) > 0L) next
    # every category apart (showing some apart, the others pooled, tried
    # category by category, left whole columns hidden: no better to read)
    tries <- list(character())
    cur <- pooled
    cur_t <- t
    for (k in seq_along(tries)) {
      pool2 <- if (k == 1L) character() else setdiff(cur, tries[[k]])
      if (k > 1L && (length(pool2) < 2L || !tries[[k]] %in% cur)) next
      t2 <- linked_unpool_table(cur_t, specs[[nm]], W, threshold, pool2, cats)
      if (is.null(t2)) next
      tabs2 <- tabs
      tabs2[[nm]] <- t2
      if (!safe(tabs2)) next
      # kept only when the categories apart are shown: every category's
      # total, and no large row left mostly hidden (else "Other categories"
      # reads better than whole columns of "c")
      tabs2 <- linked_relax(tabs2, frame, threshold, only = nm)
      t2 <- tabs2[[nm]]
      s2 <- attr(t2, "suppressed")
      if (any(s2[nrow(s2), -ncol(s2)]) || linked_crowded(t2, threshold) > linked_crowded(t, threshold)) next
      attr(tabs2, "shown") <- c(attr(tabs, "shown"), attr(tabs2, "shown"))
      attr(t2, "unpooled") <- setdiff(pooled, pool2)
      # the cells it still hides are hidden for the tables that made the pool
      froms <- setdiff(attr(t, "pool_from") %||% character(), nm)
      attr(tabs2, "why") <- c(attr(tabs2, "why"), lapply(froms, function(b) list(table = nm, row = "total", cats = pooled,
                                                                                from = b, from_rows = "total")))
      tabs <- tabs2
      changed <- TRUE
      unpooled <- union(unpooled, nm)
      cur <- pool2
      cur_t <- t2
      if (!length(pool2)) break
    }
  }
  tabs
}

# A pooled table of pathway_tables() rebuilt with fewer categories counted
# together (`pool`: none, or two or more): the cells it hid stay hidden, and
# the cells of the categories now apart are hidden too (linked_relax()
# shows them again where it can). NULL when the table would pool otherwise.
linked_unpool_table <- function(t, s, W, threshold, pool, cats) {
  pooled <- attr(t, "pooled")
  s$pool <- if (length(pool)) pool
  p <- attr(t, "printed")
  supp <- attr(t, "suppressed")
  apart <- setdiff(pooled, pool)
  hide <- list()
  for (r in rownames(p)) {
    key <- if (r == "All episodes") "total" else r
    kept <- setdiff(colnames(p)[supp[r, ]], "All episodes")
    kept <- unique(unlist(lapply(kept, function(j) if (j == "Other categories") pool else j)))
    hide[[key]] <- union(intersect(kept, cats), apart)
  }
  t2 <- tryCatch(linked_table(s, W, threshold, hide), error = function(e) NULL)
  if (is.null(t2) || !setequal(attr(t2, "pooled") %||% character(), pool)) return(NULL)
  t2
}

# The order cells are tried in: a cell of a row of at least ten times the
# threshold with most of its cells hidden first (2), then a category's
# total (1), then the others (0).
linked_relax_rank <- function(c, tabs, threshold) {
  tab <- tabs[[c$table]]
  if (c$row == "All episodes") return(1)
  if (c$col == "All episodes") return(0)
  p <- attr(tab, "printed")
  s <- attr(tab, "suppressed")
  body <- s[c$row, -ncol(s)]
  if (p[c$row, ncol(p)] >= 10 * threshold && 2 * sum(body) > length(body)) 2 else 0
}

# Whether a hidden cell of a table can be shown as far as the table itself
# goes: its category's total is shown (or it is that total; NA while it is
# not), and then no line of the table hides, by its printed total less its
# printed cells, under the threshold.
linked_relax_table_ok <- function(tab, r, j, threshold) {
  supp <- attr(tab, "suppressed")
  p <- attr(tab, "printed")
  nr <- nrow(supp)
  if (r != "All episodes" && supp[nr, j]) return(NA)
  supp[r, j] <- FALSE
  pinned <- matrix(FALSE, nrow(supp), ncol(supp))
  !any(line_sums_exposed(p, supp, threshold, pinned))
}

#' One table of the outcomes by category
#'
#' The outcome tables of [pathway_tables()] (`outcome_<flag>`, each "no" and
#' "yes" by category, suppressed together with the other tables of what
#' happens next) as one table: the row `row` of each, one row per outcome,
#' with one set of columns. When the tables count different categories
#' together ("Other categories"), the table takes the merged set: every
#' category some table pools is counted in "Other categories" in every row,
#' its value the sum of that row's cells of those categories, printed only
#' where the table it comes from lets a reader work that sum out (its shown
#' cells and totals; so it publishes nothing the tables do not), else "c".
#' One note: what is counted together and why, and each table's own note
#' once. With a single outcome, the table is a sentence (attribute
#' `sentence`), as a table of one row says one thing.
#'
#' @param tabs A named list of outcome tables from [pathway_tables()].
#' @param labels The name of each outcome as its row prints it (same names
#'   as `tabs`).
#' @param row The level of each table to show (default `"yes"`).
#' @param label Heading of the column of outcomes.
#' @return A data frame of class `cscdemand_crosstab`: one row per outcome,
#'   columns the categories ("Other categories" for those counted together)
#'   and the total; attributes `note`, `pooled` (the categories counted
#'   together), `suppressed` and `sentence` (one outcome only).
#' @seealso [pathway_tables()]
#' @keywords internal
#' @export
#' @examples
#' ep <- episode_factors(simulate_cin(las = "Richmond upon Thames", years = 2024, seed = 7))
#' ep$threshold_reached <- episode_threshold(ep)
#' fit <- lca(ep, k = 3, seed = 1)
#' post <- predict(fit, ep, type = "posterior")
#' tabs <- pathway_tables(ep, post, outcomes = ep[c("s47", "icpc")])
#' pathway_outcome_table(tabs[c("outcome_s47", "outcome_icpc")],
#'                       c(outcome_s47 = "Section 47 enquiry", outcome_icpc = "Conference"))
pathway_outcome_table <- function(tabs, labels, row = "yes", label = "Outcome") {
  tabs <- tabs[!vapply(tabs, is.null, logical(1))]
  if (!length(tabs)) return(NULL)
  labels <- labels[names(tabs)]
  other <- "Other categories"
  total <- "All episodes"
  pools <- lapply(tabs, function(t) attr(t, "pooled") %||% character())
  pool <- unique(unlist(pools))
  cats <- unique(unlist(lapply(tabs, function(t) {
    cn <- setdiff(colnames(attr(t, "printed")), c(total, other))
    c(cn, attr(t, "pooled"))
  })))
  cols <- c(setdiff(cats, pool), if (length(pool)) other)
  cell <- function(t, g) {
    p <- attr(t, "printed")
    tc <- crosstab_columns_of(t, g)
    if (anyNA(tc) || !row %in% rownames(p)) return(list(text = "c", hidden = TRUE))
    if (!crosstab_sum_known(t, row, g) || !crosstab_sum_known(t, "total", g)) return(list(text = "c", hidden = TRUE))
    v <- sum(p[row, tc])
    d <- sum(p[total, tc])
    list(text = paste0(fmt_int(v), " (", formatC(round(published_pct(v, d), 1), format = "f", digits = 1), "%)"),
         hidden = FALSE)
  }
  out <- list()
  supp <- matrix(FALSE, length(tabs), length(cols) + 1L, dimnames = list(unname(labels), c(cols, total)))
  for (i in seq_along(tabs)) {
    t <- tabs[[i]]
    p <- attr(t, "printed")
    r <- match(row, t[[1]])
    vals <- vapply(cols, function(j) {
      g <- if (j == other) pool else j
      # a column the table prints as it is: its cell, as printed
      if (j != other && j %in% colnames(p)) return(t[[j]][r])
      if (j == other && setequal(pools[[i]], pool)) return(t[[other]][r])
      cell(t, g)$text
    }, "")
    vals <- c(vals, t[[total]][r])
    supp[i, ] <- vals == "c"
    out[[i]] <- vals
  }
  df <- data.frame(unname(labels), do.call(rbind, out), check.names = FALSE, stringsAsFactors = FALSE)
  names(df) <- c(label, cols, total)
  rownames(df) <- NULL
  pool_re <- "[^.]* are counted together as \u201cOther categories\u201d in this table: [^.]*\\."
  notes <- unique(trimws(unlist(lapply(tabs, function(t) gsub(pool_re, "", attr(t, "note") %||% character())))))
  # sentence by sentence, each once (the tables' notes repeat one another)
  notes <- unique(trimws(unlist(strsplit(notes, "(?<=\\.)\\s+(?=[A-Z])", perl = TRUE))))
  notes <- notes[nzchar(notes)]
  # the rows' reasons as one sentence: the tables they are set against, each once
  against <- "^Some numbers by category are hidden here because, set against (.*), they would give away numbers under ([0-9]+) hidden there\\.$"
  own <- "^Some numbers by category are hidden here: they are under ([0-9]+), or, with the table's totals, would give one away\\.$"
  hit <- grepl(against, notes)
  if (sum(hit) + sum(grepl(own, notes)) > 1L && any(hit)) {
    named <- unique(trimws(unlist(strsplit(gsub("; and |, and | and |; ", "\r", sub(against, "\\1", notes[hit])), "\r"))))
    named <- c(intersect(named, c("another row of this table", "other rows of this table")),
               setdiff(named, c("another row of this table", "other rows of this table")))
    if (sum(grepl("rows? of this table", named)) > 1L) named <- c("other rows of this table", named[!grepl("rows? of this table", named)])
    n_thr <- sub(against, "\\2", notes[hit][1])
    one <- paste0("Some numbers by category are hidden here: they are under ", n_thr, ", or, set against ", and_list(named),
                  " or the table's totals, they would give away numbers under ", n_thr, ".")
    notes <- c(one, notes[!hit & !grepl(own, notes)])
  }
  why <- NULL
  if (length(pool)) {
    pooled_in <- names(tabs)[lengths(pools) > 0L]
    from <- unique(unlist(lapply(tabs[pooled_in], function(t) attr(t, "pool_from"))))
    why <- paste0(and_list(pool), " are counted together as \u201c", other, "\u201d in this table, so that every row has ",
                  "the same columns: in the ", if (length(pooled_in) > 1L) "rows" else "row", " of ",
                  and_list(paste0("\u201c", labels[pooled_in], "\u201d")), ", on their own, their totals would give away small numbers of ",
                  if (length(from)) and_list(from) else "another table", ".")
  }
  sentence <- NULL
  if (nrow(df) == 1L) {
    shown <- paste0(c(cols, "all episodes"), ": ", unlist(df[1, -1]))
    sentence <- paste0(df[[1]][1], ", by category (estimated numbers of episodes and % of the category's episodes): ",
                       paste(shown, collapse = "; "), ".")
  }
  structure(df, class = c("cscdemand_crosstab", "data.frame"), note = c(why, notes), pooled = pool,
            suppressed = supp, sentence = sentence)
}
