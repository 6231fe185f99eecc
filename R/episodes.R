#' One row per episode with a 0/1 flag per factor
#'
#' Combines the assessments of each episode (a factor is present if any
#' assessment of the episode identified it), applies the exclusions and
#' merges, and returns the episode-by-factor table the latent class models use,
#' with the episode characteristics carried along and an audit of everything
#' dropped or recoded.
#'
#' Steps, in order (each counted in [audit()]):
#' 1. assessments are combined into episodes;
#' 2. code 21 ("no factors") is removed from episodes that also have other
#'    codes (CIN validation rule 8869 says 21 must stand alone);
#' 3. episodes with no factor or only 21 are dropped (`no_factors = "drop"`);
#'    episodes whose only factor is 20 ("Other") are dropped
#'    (`other_only = "drop"`);
#' 4. `merge` combines codes into one column;
#' 5. the codes in `exclude` are removed; episodes left with no factor are
#'    dropped (`drop_empty = TRUE`);
#' 6. factors present in fewer than `min_count` episodes are removed.
#'
#' The Kingston defaults (2020 final report, section 2.3.4) are
#' `exclude = kingston_exclusions()`, `min_count = 10`. Leicestershire dropped
#' no-factor and "Other"-only assessments before clustering, as
#' `no_factors = "drop"`, `other_only = "drop"` do.
#'
#' Characteristics are taken from the first assessment of the episode;
#' outcome flags are 1 if any assessment of the episode has them.
#'
#' @param assessments A `cin_assessments` object from
#'   [read_cin_assessments()], or anything it reads (a path or data frame).
#' @param exclude Codes to remove (default [kingston_exclusions()]); `NULL`
#'   keeps all.
#' @param min_count Remove factors present in fewer than this many episodes
#'   (default 10); 0 keeps all.
#' @param merge Optional named list; each element is a set of codes combined
#'   into one column named by the element, e.g. [legacy_abuse_merges()].
#' @param no_factors `"drop"` (default) or `"keep"` episodes with no factors
#'   or only code 21.
#' @param other_only `"drop"` (default) or `"keep"` episodes whose only
#'   factor is 20 ("Other").
#' @param drop_empty Drop episodes left with no factor after `exclude`
#'   (default `TRUE`).
#' @param ... Passed to [read_cin_assessments()] when `assessments` is not
#'   already read.
#' @return A data frame of class `cin_episodes`, one row per episode:
#'   `.episode`, `la`, the identifiers, dates and `year`, the characteristics,
#'   `n_assessments`, `n_factors` (number of factors before exclusions, 21
#'   not counted), the plan, conference and pre-proceedings fields where the
#'   data hold them (`cin_plan_days`, `cp_plan_days`, `repeat_cp_plan`,
#'   `icpc_timely`, `pre_proceedings`, ...; see [read_cin_census_xml()],
#'   "Derived fields"; in a table they are read from columns of those
#'   names), then one integer 0/1 column per kept factor, named by code
#'   (or merge name). Attributes: `factors` (the factor column names, see
#'   [factor_columns()]) and `audit`.
#'
#'   The factor columns are ordinary integer vectors to every R function, but
#'   they are stored compactly: all of them read their values from one 64-bit
#'   set of factors per episode, so the table of 3 million episodes by 29
#'   factors takes 24 MB instead of 0.34 GB. Reading values (printing,
#'   subsetting, `sum()`, `mean()`, `table()`, `is.na()`) keeps them compact;
#'   a column is made into plain integers, once, when R needs all of it at
#'   once (arithmetic, comparisons, `order()`, `as.matrix()`, `identical()`,
#'   saving with `saveRDS()`, most compiled code) or when a value is changed.
#'   Fitting a model with [lca()] reads them without making them plain. A saved table holds plain
#'   integers, so it reads anywhere. Set `options(cscdemand.lazy_flags =
#'   FALSE)` for plain integer columns from the start.
#' @family CIN data
#' @export
#' @examples
#' ep <- episode_factors(cin_example)
#' ep
#' audit(ep)
#' factor_columns(ep)
#'
#' # keep every code, merge the legacy abuse codes
#' ep2 <- episode_factors(cin_example, exclude = NULL, min_count = 0,
#'                        merge = legacy_abuse_merges())
episode_factors <- function(assessments, exclude = kingston_exclusions(), min_count = 10,
                            merge = NULL, no_factors = c("drop", "keep"),
                            other_only = c("drop", "keep"), drop_empty = TRUE, ...) {
  no_factors <- rlang::arg_match(no_factors)
  other_only <- rlang::arg_match(other_only)
  check_count(min_count, min = 0)
  check_flag(drop_empty)
  if (!inherits(assessments, "cin_assessments")) {
    assessments <- read_cin_assessments(assessments, ...)
  }
  if (!is.null(exclude)) exclude <- cin_check_codes(exclude, "exclude")
  merge <- ep_check_merge(merge)
  e <- ep_stage_pairs(assessments)
  e <- ep_stage_characteristics(e, assessments$assessments)
  e <- ep_stage_no_factors(e, no_factors, other_only)
  e <- ep_stage_merge(e, merge)
  e <- ep_stage_exclude(e, exclude, drop_empty)
  e <- ep_stage_rare(e, min_count, drop_empty)
  ep_stage_build(e, assessments$assessments)
}

# Stages of episode_factors(). Each takes the state `e` and returns it:
# pairs (episode, code) -> characteristics -> no factors / Other only ->
# merges -> exclusions -> rare factors -> the table. `e$pe`, `e$pk` are the
# episode and column of each pair present; `e$alive` the episodes kept.

ep_check_merge <- function(merge, call = rlang::caller_env()) {
  if (is.null(merge)) return(NULL)
  if (!is.list(merge) || is.null(names(merge)) || any(names(merge) == "") ||
      anyDuplicated(names(merge))) {
    abort_input(c("{.arg merge} must be a named list of code vectors.",
                  i = "For example {.code merge = list(physical_abuse = c(\"18A\", \"18B\", \"18C\"))}."),
                call = call)
  }
  merge_names <- names(merge)
  merge <- lapply(merge_names, function(nm) cin_check_codes(merge[[nm]], paste0("merge$", nm),
                                                             call = call))
  names(merge) <- merge_names
  mm <- unlist(merge)
  if (anyDuplicated(mm)) {
    abort_input(c("A code appears in more than one {.arg merge} group.",
                  x = "Repeated: {.val {unique(mm[duplicated(mm)])}}."), call = call)
  }
  merge
}

# 1. The factor set of each episode, as a bit mask (a factor is present if
# any assessment identified it; a repeated code costs nothing), and the
# codes whose flag is missing (wide files). Columns are the positions in
# cin_codes_all() until the merges stage. The masks are raw vectors that
# only the cpp_ep_*() functions read (R has no 64-bit integer).
ep_stage_pairs <- function(assessments) {
  codes_all <- cin_codes_all()
  a <- assessments$assessments
  f <- assessments$factors
  n_ep <- if (nrow(a)) max(a$.episode) else 0L
  ep_of <- a$.episode
  code_index <- function(code) {  # a factor in cin_codes_all() order is passed as it is
    if (is.factor(code) && identical(levels(code), codes_all)) code
    else match(as.character(code), codes_all)
  }
  mask <- cpp_ep_masks(ep_of, as.integer(f$assessment), code_index(f$code), n_ep)
  m <- assessments$missing
  miss <- if (!is.null(m) && nrow(m)) {
    cpp_ep_masks(ep_of, as.integer(m$assessment), code_index(m$code), n_ep)
  }
  n_assessments <- tabulate(ep_of, n_ep)
  audit <- cin_audit_add(assessments$audit, "episodes", "episodes built", n_ep,
                         paste0("from ", nrow(a), " assessments"))
  # The reader gives only known codes of known assessments; an object edited
  # by hand may not, and what cannot be placed is counted, not lost.
  skipped <- attr(mask, "skipped") + if (is.null(miss)) 0 else attr(miss, "skipped")
  if (skipped > 0) {
    audit <- cin_audit_add(audit, "episodes", "factor codes not used: not a CIN factor code or no assessment",
                           skipped, "check factors$code and factors$assessment")
  }
  list(mask = mask, miss = miss, n_ep = n_ep, ep_of = ep_of,
       n_assessments = n_assessments, audit = audit, alive = rep(TRUE, n_ep))
}

# Characteristics that differ between the assessments of an episode: the
# first assessment's value is used, and the audit says how often. Outcomes
# are 1 if any assessment has them.
ep_stage_characteristics <- function(e, a) {
  n_ep <- e$n_ep
  ep_of <- e$ep_of
  if (any(e$n_assessments > 1L)) {
    sorted <- !is.unsorted(ep_of)
    # (la and child_id are part of the episode key, so they cannot differ.)
    for (cl in intersect(c("age", "gender", "ethnicity", "lsoa", "referral_source",
                           "referral_date", "year"), names(a))) {
      n_diff <- ep_n_differ(a[[cl]], ep_of, n_ep, sorted)
      if (n_diff) {
        e$audit <- cin_audit_add(e$audit, "episodes",
                                 paste0("episodes whose ", cl, " differs between assessments"),
                                 n_diff, "the first assessment's value is used")
      }
    }
  }
  outcome_cols <- intersect(c(cin_outcomes(), "rereferral"), names(a))
  e$outcomes <- lapply(outcome_cols, function(s) {
    x <- a[[s]]
    if (!is.integer(x)) x <- as.integer(x == 1)
    cpp_ep_any_one(ep_of, x, n_ep)
  })
  names(e$outcomes) <- outcome_cols
  e
}

# The number of episodes in which v takes more than one value (NA counts as
# a value). Assessments sorted by episode (as the reader leaves them): an
# episode's values differ exactly when two consecutive rows of it do, so one
# comparison with the row before (in C++) replaces hashing every
# (episode, value).
ep_n_differ <- function(v, ep_of, n_ep, sorted) {
  if (is.factor(v)) v <- as.integer(v)  # codes: no text made
  if (inherits(v, "Date")) v <- unclass(v)  # days: no method dispatch per subset
  if (sorted && typeof(v) %in% c("integer", "logical", "double", "character")) {
    return(cpp_ep_n_differ(v, ep_of))
  }
  vid <- match(v, unique(v))
  vid[is.na(v)] <- 0L
  key <- as.numeric(ep_of) * (max(vid) + 1) + vid
  sum(tabulate(ep_of[!duplicated(key)], n_ep) > 1L)
}

# 2. 21 with other codes; 3. no factors, Other only (one pass in C++).
ep_stage_no_factors <- function(e, no_factors, other_only) {
  codes_all <- cin_codes_all()
  r <- cpp_ep_no_factors(e$mask, e$alive, match("21", codes_all), match("20", codes_all),
                         no_factors == "drop", other_only == "drop")
  cnt <- r$counts
  storage.mode(cnt) <- "integer"
  e$mask <- r$mask
  e$alive <- r$alive
  e$n_factors <- r$n_factors
  if (cnt[["with_21"]] > 0) {
    e$audit <- cin_audit_add(e$audit, "episodes", "code 21 removed: combined with other codes",
                             cnt[["with_21"]], "episodes with 21 and other factors (rule 8869); the other factors are kept")
  }
  if (cnt[["none"]] > 0) {
    e$audit <- cin_audit_add(e$audit, "episodes",
                             paste0("episodes with no factors or only 21: ",
                                    if (no_factors == "drop") "dropped" else "kept"),
                             cnt[["none"]], paste0(cnt[["none_21"]], " coded 21, ",
                                                   cnt[["none"]] - cnt[["none_21"]], " with no code"))
  }
  if (cnt[["other_only"]] > 0) {
    e$audit <- cin_audit_add(e$audit, "episodes",
                             paste0("episodes with only 20 (Other): ",
                                    if (other_only == "drop") "dropped" else "kept"),
                             cnt[["other_only"]], "")
  }
  e
}

# 4. Merges: map codes to columns. From here the masks hold columns (codes
# or merges), and only the episodes alive.
ep_stage_merge <- function(e, merge) {
  cols <- cin_codes_all()
  col_of <- seq_along(cols)
  for (nm in names(merge)) {
    g <- merge[[nm]]
    pos <- min(which(cols %in% g))
    new_cols <- c(setdiff(cols[seq_len(pos - 1L)], g), nm, setdiff(cols[pos:length(cols)], g))
    old_name <- cols[col_of]
    old_name[old_name %in% g] <- nm
    col_of <- match(old_name, new_cols)
    cols <- new_cols
  }
  e$mask <- cpp_ep_mask_remap(e$mask, col_of, e$alive)
  if (!is.null(e$miss)) e$miss <- cpp_ep_mask_remap(e$miss, col_of, NULL)
  if (length(merge)) {
    cnt <- cpp_ep_mask_counts(e$mask, length(cols))
    for (nm in names(merge)) {
      e$audit <- cin_audit_add(e$audit, "factors", paste0("codes merged into ", nm),
                               cnt[match(nm, cols)],
                               paste0(paste(merge[[nm]], collapse = " + "), " (episodes with any)"))
    }
  }
  e$cols <- cols
  e$kept_cols <- seq_along(cols)
  e
}

# Episodes whose every factor has been removed: dropped and counted.
ep_drop_emptied <- function(e, why, detail) {
  alive <- cpp_ep_drop_emptied(e$mask, e$alive, e$n_factors)
  n <- as.integer(attr(alive, "dropped"))
  attr(alive, "dropped") <- NULL
  if (n > 0) {
    e$audit <- cin_audit_add(e$audit, "episodes", paste("episodes dropped:", why), n, detail)
    e$alive <- alive
  }
  e
}

# 5. Exclusions.
ep_stage_exclude <- function(e, exclude, drop_empty) {
  if (!length(exclude)) return(e)
  cols <- e$cols
  ex <- intersect(cols, exclude)
  ex_merged <- setdiff(exclude, cols)
  if (length(ex)) {
    exk <- match(ex, cols)
    cnt <- cpp_ep_mask_counts(e$mask, length(cols))[exk]
    present <- ex[cnt > 0]
    absent <- setdiff(ex, present)
    e$audit <- cin_audit_add(e$audit, "factors", "factors excluded", length(ex),
                             paste0(if (length(present)) paste0(present, " (", cnt[cnt > 0], ")", collapse = ", ")
                                    else "none present in the data",
                                    if (length(absent)) paste0("; not present: ", length(absent)) else ""),
                             unit = "factors")
    e$mask <- cpp_ep_mask_clear(e$mask, exk)
  }
  if (length(ex_merged)) {
    e$audit <- cin_audit_add(e$audit, "factors", "excluded codes already merged (kept in merge)",
                             length(ex_merged), paste(ex_merged, collapse = ", "), unit = "factors")
  }
  e$kept_cols <- setdiff(seq_along(cols), match(ex, cols))
  if (drop_empty) e <- ep_drop_emptied(e, "only excluded factors", "no factor left after exclusions")
  e
}

# 6. Rare factors.
ep_stage_rare <- function(e, min_count, drop_empty) {
  kept_cols <- e$kept_cols
  cnt <- cpp_ep_mask_counts(e$mask, length(e$cols))[kept_cols]
  rare <- cnt < min_count
  if (!any(rare)) return(e)
  e$audit <- cin_audit_add(e$audit, "factors",
                           paste0("factors dropped: fewer than ", min_count, " episodes"),
                           sum(rare), paste0(e$cols[kept_cols][rare], " (", cnt[rare], ")",
                                             collapse = ", "), unit = "factors")
  e$mask <- cpp_ep_mask_clear(e$mask, kept_cols[rare])
  e$kept_cols <- kept_cols[!rare]
  if (drop_empty) {
    e <- ep_drop_emptied(e, "only rare factors", "no factor left after removing rare factors")
  }
  e
}

# The 0/1 columns (NA where a flag is missing and no assessment has the
# factor) and the episode columns, for the episodes kept.
ep_stage_build <- function(e, a) {
  alive <- e$alive
  n_keep <- sum(alive)
  cols <- e$cols
  kept_cols <- e$kept_cols
  flags <- cpp_ep_mask_flags(e$mask, e$miss, alive, kept_cols,
                             lazy = isTRUE(getOption("cscdemand.lazy_flags", TRUE)))
  n_na <- as.integer(attr(flags, "n_na"))
  attr(flags, "n_na") <- NULL
  names(flags) <- cols[kept_cols]
  if (n_na > 0) {
    e$audit <- cin_audit_add(e$audit, "episodes", "factor flags missing (NA)", n_na,
                             "episode and factor cells left missing: the flag was NA and no assessment identified the factor")
  }
  # Episode columns: the first assessment's values, for the episodes kept.
  ep_cols <- setdiff(names(a), c(".assessment", ".row", "assessment_id", "assessment_date"))
  first <- if (!is.unsorted(e$ep_of)) cpp_run_starts(e$ep_of)  # sorted: where the episode changes
  if (length(first) != e$n_ep) first <- match(seq_len(e$n_ep), e$ep_of)  # unsorted, or a gap
  rows <- first[alive]
  ep <- lapply(ep_cols, function(cl) a[[cl]][rows])
  names(ep) <- ep_cols
  for (s in names(e$outcomes)) ep[[s]] <- e$outcomes[[s]][alive]
  ep$n_assessments <- e$n_assessments[alive]
  ep$n_factors <- e$n_factors[alive]
  audit <- cin_audit_add(e$audit, "episodes", "episodes kept", n_keep,
                         paste0(length(kept_cols), " factor columns: ",
                                paste(cols[kept_cols], collapse = ", ")))
  out <- c(ep, flags)
  out <- structure(out, names = c(names(ep), names(flags)), row.names = c(NA, -n_keep),
                   class = "data.frame")
  structure(out, factors = cols[kept_cols], audit = audit,
            class = c("cin_episodes", "data.frame"))
}

#' The factor columns of an episode table
#'
#' @param episodes A `cin_episodes` table from [episode_factors()].
#' @return A character vector of the factor column names, for the `items`
#'   argument of [lca()].
#' @family CIN data
#' @export
#' @examples
#' ep <- episode_factors(cin_example)
#' factor_columns(ep)
factor_columns <- function(episodes) {
  f <- attr(episodes, "factors")
  if (is.null(f)) {
    abort_input(c("{.arg episodes} must come from {.fn episode_factors}.",
                  x = "It has no {.code factors} attribute."))
  }
  f
}

#' @export
print.cin_episodes <- function(x, ...) {
  f <- attr(x, "factors")
  cat("<cin_episodes> ", format(nrow(x), big.mark = ","), " episodes, ", length(f),
      " factors", if (length(unique(x$la)) > 1) paste0(", ", length(unique(x$la)), " councils"),
      "\n", sep = "")
  if (length(f) && nrow(x)) {
    prev <- vapply(x[f], mean, numeric(1))  # by region: flags held as masks stay so
    cat("Factors (% of episodes): ",
        paste0(f, " ", formatC(100 * prev, format = "f", digits = 1), collapse = ", "),
        "\n", sep = "")
  }
  cat("See audit() for what was read, combined and dropped.\n")
  # Rows are shown by position; identifier values are never printed.
  ids <- intersect(cin_identifier_columns(), names(x))
  if (length(ids)) cat("Identifier columns (values not shown): ", paste(ids, collapse = ", "), "\n", sep = "")
  d <- x[setdiff(names(x), ids)]
  class(d) <- "data.frame"
  print(utils::head(d, 6L))
  if (nrow(x) > 6L) cat("... ", format(nrow(x) - 6L, big.mark = ","), " more rows\n", sep = "")
  invisible(x)
}

#' @export
`[.cin_episodes` <- function(x, i, j, ...) {
  out <- NextMethod()
  if (is.data.frame(out)) {
    f <- intersect(attr(x, "factors"), names(out))
    attr(out, "factors") <- f
    attr(out, "audit") <- attr(x, "audit")
    if (!length(f)) class(out) <- setdiff(class(out), "cin_episodes")
  }
  out
}

cin_check_codes <- function(x, arg, call = rlang::caller_env()) {
  if (!is.character(x)) {
    abort_input("{.arg {arg}} must be a character vector of CIN factor codes.", call = call)
  }
  code <- normalise_cin_codes(x)
  if (anyNA(code)) {
    abort_input(c("{.arg {arg}} has value{?s} that {?is/are} not CIN factor code{?s}: {.val {x[is.na(code)]}}.",
                  i = "Valid codes are in {.code cin_factors$code}."),
                class = "cscdemand_error_unknown_code", call = call)
  }
  unique(as.vector(code))
}

#' Balanced samples of episodes per council
#'
#' Draws the same number of episodes from each group (council), as the
#' Kingston pooled model did with 2,500 episodes per council. Groups with
#' fewer episodes are kept whole, and the audit says so.
#'
#' @param episodes A `cin_episodes` table (or any data frame).
#' @param per_group Episodes per group (default 2500).
#' @param group Grouping column (default `"la"`).
#' @param seed Optional seed. The user's random-number state is restored
#'   afterwards, so the sample is reproducible without side effects. `NULL`
#'   (default) uses the current random-number state.
#' @return The sampled rows, in their original order, with the audit extended.
#' @family CIN data
#' @export
#' @examples
#' ep <- episode_factors(cin_example)
#' s <- sample_episodes(ep, per_group = 1000, seed = 1)
#' table(s$la)
sample_episodes <- function(episodes, per_group = 2500, group = "la", seed = NULL) {
  check_data_frame(episodes, what = "a data frame of episodes")
  check_count(per_group, min = 1)
  if (!is.character(group) || length(group) != 1L || !group %in% names(episodes)) {
    abort_input(c("{.arg group} must name one column of {.arg episodes}.",
                  x = "{.val {format(group)}} is not a column.",
                  i = "Columns: {.field {names(episodes)}}."))
  }
  g <- episodes[[group]]
  if (anyNA(g)) {
    abort_input(c("Grouping column {.field {group}} has missing values.",
                  x = "{rows_label(which(is.na(g)))}.",
                  i = "Give every episode a group or remove those rows."))
  }
  if (!is.null(seed)) {
    check_count(seed, min = 0)
    restore_rng <- local_seed(seed)
    on.exit(restore_rng(), add = TRUE)
  }
  idx <- split(seq_len(nrow(episodes)), g)
  small <- names(idx)[lengths(idx) < per_group]
  pick <- unlist(lapply(idx, function(i) {
    if (length(i) <= per_group) i else i[sort(sample.int(length(i), per_group))]
  }), use.names = FALSE)
  pick <- sort(pick)
  out <- episodes[pick, , drop = FALSE]
  rownames(out) <- NULL
  a <- attr(episodes, "audit") %||% cin_audit_new()
  a <- cin_audit_add(a, "sample", paste0("episodes sampled: up to ", per_group, " per ", group),
                     length(pick), paste0(length(idx), " groups; ", nrow(episodes) - length(pick),
                                          " episodes not sampled",
                                          if (length(small)) paste0("; kept whole (fewer episodes): ",
                                                                    paste(small, collapse = ", ")) else ""))
  attr(out, "audit") <- a
  out
}
