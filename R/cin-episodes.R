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
#'   not counted), then one integer 0/1 column per kept factor, named by code
#'   (or merge name). Attributes: `factors` (the factor column names, see
#'   [factor_columns()]) and `audit`.
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
  codes_all <- cin_codes_all()
  if (!is.null(exclude)) {
    exclude <- cin_check_codes(exclude, "exclude")
  }
  if (!is.null(merge)) {
    if (!is.list(merge) || is.null(names(merge)) || any(names(merge) == "") ||
        anyDuplicated(names(merge))) {
      abort_input(c("{.arg merge} must be a named list of code vectors.",
                    i = "For example {.code merge = list(physical_abuse = c(\"18A\", \"18B\", \"18C\"))}."))
    }
    merge_names <- names(merge)
    merge <- lapply(merge_names, function(nm) cin_check_codes(merge[[nm]], paste0("merge$", nm)))
    names(merge) <- merge_names
    mm <- unlist(merge)
    if (anyDuplicated(mm)) {
      abort_input(c("A code appears in more than one {.arg merge} group.",
                    x = "Repeated: {.val {unique(mm[duplicated(mm)])}}."))
    }
  }
  a <- assessments$assessments
  f <- assessments$factors
  audit <- assessments$audit
  n_ep <- max(a$.episode)
  ep_of <- a$.episode
  # 1. Episode-code pairs (sparse: one row per episode and code present).
  pe <- ep_of[f$assessment]
  pc <- if (is.factor(f$code) && identical(levels(f$code), codes_all)) {
    as.integer(f$code)
  } else {
    match(as.character(f$code), codes_all)
  }
  n_assessments <- tabulate(ep_of, n_ep)
  # A code can repeat only in episodes with several assessments.
  multi <- which(n_assessments[pe] > 1L)
  if (length(multi)) {
    dup <- multi[duplicated(pe[multi] * 64 + pc[multi])]
    if (length(dup)) {
      pe <- pe[-dup]
      pc <- pc[-dup]
    }
  }
  first <- match(seq_len(n_ep), ep_of)
  ep_cols <- setdiff(names(a), c(".assessment", ".row", "assessment_id", "assessment_date"))
  # Characteristics that differ between the assessments of an episode: the
  # first assessment's value is used, and the audit says how often.
  if (any(n_assessments > 1L)) {
    # (la and child_id are part of the episode key, so they cannot differ.)
    for (cl in intersect(c("age", "gender", "ethnicity", "lsoa", "referral_source",
                           "referral_date", "year"), ep_cols)) {
      v <- a[[cl]]
      vid <- match(v, unique(v))
      vid[is.na(v)] <- 0L
      key <- as.numeric(ep_of) * (max(vid) + 1) + vid
      n_val <- tabulate(ep_of[!duplicated(key)], n_ep)
      n_diff <- sum(n_val > 1L)
      if (n_diff) {
        audit <- cin_audit_add(audit, "episodes",
                               paste0("episodes whose ", cl, " differs between assessments"),
                               n_diff, "the first assessment's value is used")
      }
    }
  }
  outcome_cols <- intersect(c(cin_outcomes(), "rereferral"), names(a))
  outcomes <- lapply(outcome_cols, function(s) {
    v <- integer(n_ep)
    v[unique(ep_of[a[[s]] == 1L])] <- 1L
    v
  })
  names(outcomes) <- outcome_cols
  audit <- cin_audit_add(audit, "episodes", "episodes built", n_ep,
                         paste0("from ", nrow(a), " assessments"))
  i21 <- match("21", codes_all)
  i20 <- match("20", codes_all)
  # 2. 21 with other codes.
  others <- tabulate(pe[pc != i21], n_ep)
  has21 <- logical(n_ep)
  has21[pe[pc == i21]] <- TRUE
  viol <- has21 & others > 0L
  if (any(viol)) {
    rm21 <- pc == i21 & viol[pe]
    pe <- pe[!rm21]
    pc <- pc[!rm21]
    audit <- cin_audit_add(audit, "episodes", "code 21 removed: combined with other codes", sum(viol),
                           "episodes with 21 and other factors (rule 8869); the other factors are kept")
  }
  n_factors <- as.integer(others)
  # 3. No factors / Other only.
  has20 <- logical(n_ep)
  has20[pe[pc == i20]] <- TRUE
  none <- others == 0L
  other1 <- others == 1L & has20
  drop <- rep(FALSE, n_ep)
  if (any(none)) {
    n21 <- sum(has21 & none)
    audit <- cin_audit_add(audit, "episodes",
                           paste0("episodes with no factors or only 21: ",
                                  if (no_factors == "drop") "dropped" else "kept"),
                           sum(none), paste0(n21, " coded 21, ", sum(none) - n21, " with no code"))
    if (no_factors == "drop") drop <- drop | none
  }
  if (any(other1)) {
    audit <- cin_audit_add(audit, "episodes",
                           paste0("episodes with only 20 (Other): ",
                                  if (other_only == "drop") "dropped" else "kept"),
                           sum(other1), "")
    if (other_only == "drop") drop <- drop | other1
  }
  # 4. Merges: map codes to columns.
  cols <- codes_all
  col_of <- seq_along(codes_all)
  if (length(merge)) {
    for (nm in names(merge)) {
      g <- merge[[nm]]
      pos <- min(which(cols %in% g))
      before <- setdiff(cols[seq_len(pos - 1L)], g)
      after <- setdiff(cols[pos:length(cols)], g)
      new_cols <- c(before, nm, after)
      # recode existing column indices to the new order
      old_name <- cols[col_of]
      old_name[old_name %in% g] <- nm
      col_of <- match(old_name, new_cols)
      cols <- new_cols
    }
  }
  pk <- col_of[pc]
  keep_p <- !drop[pe]
  pe <- pe[keep_p]
  pk <- pk[keep_p]
  if (length(merge)) {
    dupk <- duplicated(pe * 64 + pk)
    pe <- pe[!dupk]
    pk <- pk[!dupk]
  }
  for (nm in names(merge)) {
    k <- match(nm, cols)
    audit <- cin_audit_add(audit, "factors", paste0("codes merged into ", nm), sum(pk == k),
                           paste0(paste(merge[[nm]], collapse = " + "), " (episodes with any)"))
  }
  alive <- !drop
  # 5. Exclusions.
  # Episodes whose every factor has been removed: dropped and counted.
  drop_emptied <- function(why, detail) {
    empty <- alive & tabulate(pe, n_ep) == 0L & n_factors > 0L
    if (any(empty)) {
      audit <<- cin_audit_add(audit, "episodes", paste("episodes dropped:", why), sum(empty), detail)
      alive <<- alive & !empty
    }
    invisible(sum(empty))
  }
  if (length(exclude)) {
    ex <- intersect(cols, exclude)
    ex_merged <- setdiff(exclude, cols)
    if (length(ex)) {
      exk <- match(ex, cols)
      cnt <- tabulate(pk, length(cols))[exk]
      present <- ex[cnt > 0]
      audit <- cin_audit_add(audit, "factors", "factors excluded", length(ex),
                             paste0(if (length(present)) paste0(present, " (", cnt[cnt > 0], ")", collapse = ", ")
                                    else "none present in the data",
                                    if (length(setdiff(ex, present))) paste0("; not present: ", length(setdiff(ex, present))) else ""))
      rmx <- pk %in% exk
      pe <- pe[!rmx]
      pk <- pk[!rmx]
    }
    if (length(ex_merged)) {
      audit <- cin_audit_add(audit, "factors", "excluded codes already merged (kept in merge)",
                             length(ex_merged), paste(ex_merged, collapse = ", "))
    }
    kept_cols <- setdiff(seq_along(cols), match(ex, cols))
    if (drop_empty) {
      drop_emptied("only excluded factors", "no factor left after exclusions")
    }
  } else {
    kept_cols <- seq_along(cols)
  }
  # 6. Rare factors.
  cnt <- tabulate(pk, length(cols))[kept_cols]
  rare <- cnt < min_count
  if (any(rare)) {
    audit <- cin_audit_add(audit, "factors",
                           paste0("factors dropped: fewer than ", min_count, " episodes"),
                           sum(rare), paste0(cols[kept_cols][rare], " (", cnt[rare], ")", collapse = ", "))
    rmr <- pk %in% kept_cols[rare]
    pe <- pe[!rmr]
    pk <- pk[!rmr]
    kept_cols <- kept_cols[!rare]
    if (drop_empty) {
      drop_emptied("only rare factors", "no factor left after removing rare factors")
    }
  }
  # Build the 0/1 columns for the episodes kept.
  new_idx <- cumsum(alive)
  n_keep <- sum(alive)
  ok <- alive[pe]
  pe <- new_idx[pe[ok]]
  pk <- pk[ok]
  o <- order(pk, method = "radix")
  pe_o <- pe[o]
  cnt_k <- tabulate(pk, length(cols))
  end_k <- cumsum(cnt_k)
  flags <- lapply(kept_cols, function(k) {
    v <- integer(n_keep)
    if (cnt_k[k] > 0L) v[pe_o[(end_k[k] - cnt_k[k] + 1L):end_k[k]]] <- 1L
    v
  })
  names(flags) <- cols[kept_cols]
  # Episode columns: the first assessment's values, for the episodes kept.
  rows <- first[alive]
  ep <- lapply(ep_cols, function(cl) a[[cl]][rows])
  names(ep) <- ep_cols
  for (s in outcome_cols) ep[[s]] <- outcomes[[s]][alive]
  ep$n_assessments <- n_assessments[alive]
  ep$n_factors <- n_factors[alive]
  audit <- cin_audit_add(audit, "episodes", "episodes kept", n_keep,
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
  if (length(f)) {
    prev <- colMeans(as.matrix(x[f]))
    cat("Factors (% of episodes): ",
        paste0(f, " ", formatC(100 * prev, format = "f", digits = 1), collapse = ", "),
        "\n", sep = "")
  }
  cat("See audit() for what was read, combined and dropped.\n")
  d <- x
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

#' What happened to the data: rows read, dropped, recoded
#'
#' Returns, and prints, the audit of a read ([read_cin_assessments()]) or an
#' episode table ([episode_factors()], [sample_episodes()]): rows read,
#' assessments, episodes, rows dropped and why (missing identifier, duplicate,
#' unknown code), codes recoded (case, leading zeros, legacy numbering, DfE
#' names), code 21 combined with other codes (rule 8869), episodes with no
#' factors or only "Other", factors excluded, merged or dropped as rare.
#' Nothing is dropped without a line here.
#'
#' @param x A `cin_assessments` or `cin_episodes` object.
#' @param ... Unused.
#' @return A data frame of class `cin_audit` with columns `stage` (read,
#'   codes, episodes, factors, sample), `step`, `n` and `detail`; printing it
#'   shows the table.
#' @family CIN data
#' @export
#' @examples
#' a <- read_cin_assessments(cin_example)
#' audit(a)
#' audit(episode_factors(a))
audit <- function(x, ...) UseMethod("audit")

#' @export
audit.cin_assessments <- function(x, ...) x$audit

#' @export
audit.cin_episodes <- function(x, ...) attr(x, "audit")

#' @export
audit.default <- function(x, ...) {
  a <- attr(x, "audit")
  if (is.null(a)) {
    abort_input(c("No audit found for an object of class {.cls {class(x)}}.",
                  i = "Use {.fn read_cin_assessments} or {.fn episode_factors} first."))
  }
  a
}

#' @export
print.cin_audit <- function(x, ...) {
  cat("<cin_audit> ", nrow(x), " steps\n", sep = "")
  n <- format(x$n, big.mark = ",", scientific = FALSE)
  w_step <- max(nchar(x$step), 4L)
  w_n <- max(nchar(n), 1L)
  lines <- sprintf(paste0("%-8s %-", w_step, "s %", w_n, "s  %s"), x$stage, x$step, n,
                   ifelse(nchar(x$detail) > 90, paste0(substr(x$detail, 1, 87), "..."), x$detail))
  cat(trimws(lines, "right"), sep = "\n")
  invisible(x)
}

# Audit helpers.
cin_audit_new <- function() {
  structure(data.frame(stage = character(), step = character(), n = numeric(),
                       detail = character(), stringsAsFactors = FALSE),
            class = c("cin_audit", "data.frame"))
}

cin_audit_add <- function(audit, stage, step, n, detail = "") {
  row <- data.frame(stage = stage, step = step, n = as.numeric(n), detail = detail,
                    stringsAsFactors = FALSE)
  out <- rbind(as.data.frame(unclass(audit), stringsAsFactors = FALSE), row)
  class(out) <- c("cin_audit", "data.frame")
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
  if (!is.data.frame(episodes)) {
    abort_input(c("{.arg episodes} must be a data frame of episodes.",
                  x = "You supplied an object of class {.cls {class(episodes)}}."))
  }
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
