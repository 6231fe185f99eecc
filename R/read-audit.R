#' What happened to the data: rows read, dropped, recoded
#'
#' Returns, and prints, the audit of a read ([read_cin_assessments()]) or an
#' episode table ([episode_factors()], [sample_episodes()]): rows read,
#' assessments, episodes, rows dropped and why (missing identifier, duplicate,
#' implausible date), codes recoded (case, leading zeros, legacy numbering, DfE
#' names) or unknown, missing flags, code 21 combined with other codes (rule
#' 8869), episodes with no factors or only "Other", factors excluded, merged or
#' dropped as rare. Nothing is dropped without a line here, and rows read equal
#' rows kept plus rows dropped (the attribute `rows`).
#'
#' The audit is for the analyst: its details list row positions (file lines,
#' sheet rows) and exact counts. For a report, use [audit_table()], which
#' suppresses small counts.
#'
#' @param x A `cin_assessments` or `cin_episodes` object.
#' @param ... Unused.
#' @return A data frame of class `cin_audit` with columns `stage` (read,
#'   codes, episodes, factors, sample), `step`, `n`, `detail` and `unit` (what
#'   `n` counts: `"rows"` for rows, assessments, episodes or codes of
#'   children; `"columns"` or `"factors"` for columns and factor types), and
#'   an attribute `rows`: rows read, kept and dropped by the reader.
#'   Printing it shows the table.
#' @family CIN data
#' @export
#' @examples
#' a <- read_cin_assessments(cin_example)
#' audit(a)
#' attr(audit(a), "rows")
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

#' The audit as a table for a report, small counts suppressed
#'
#' The published form of [audit()]: every count of rows, assessments,
#' episodes or codes under `threshold` is replaced by `"c"` (the DfE symbol),
#' in the `n` column and inside the `detail` text (such as `"8D (1), 9A (6)"`),
#' and record locations (row and line positions, and the file, child and
#' episode positions of a return) are left out. Counts of columns or factor
#' types are not counts of children: they are shown, at the start of the
#' detail text (the `n` column holds counts of children only). A line "rows
#' kept" is added after "rows read". Lines that are differences of other
#' lines (rows read - rows dropped = rows kept; episodes built - episodes
#' dropped = episodes kept) are protected together, so that no hidden count
#' can be found by subtraction: the hidden steps between two published lines
#' add up to at least `threshold` (the smallest other step is hidden too
#' where they do not), or the line they lead to is hidden. A line whose
#' count is hidden hides every count in its detail too.
#'
#' @param x A `cin_assessments` or `cin_episodes` object, or an audit.
#' @param threshold Counts from 1 to `threshold - 1` are suppressed (default
#'   10).
#' @return A data frame with columns `stage`, `step`, `n` (character: a
#'   count, `"c"` if suppressed, or empty for a line that counts columns or
#'   factor types) and `detail`, ready for a report table.
#' @family CIN data
#' @export
#' @examples
#' ep <- episode_factors(cin_example)
#' audit_table(ep)
#' audit_table(ep, threshold = 100)
audit_table <- function(x, threshold = 10) {
  a <- if (inherits(x, "cin_audit")) x else audit(x)
  check_number(threshold, min = 1)
  d <- data.frame(stage = a$stage, step = a$step, n = a$n, detail = a$detail,
                  unit = a$unit %||% rep("rows", nrow(a)), stringsAsFactors = FALSE)
  r <- attr(a, "rows")
  at <- match("rows read", d$step)
  if (!is.null(r) && !is.na(at)) {
    kept <- data.frame(stage = "read", step = "rows kept", n = r[["kept"]], detail = "",
                       unit = "rows", stringsAsFactors = FALSE)
    d <- rbind(d[seq_len(at), ], kept, d[-seq_len(at), ])
  }
  # Primary suppression by the package's engine, on counts of children only.
  is_count <- d$unit == "rows"
  pub <- suppress_small(data.frame(n = ifelse(is_count, d$n, NA_real_)), threshold = threshold,
                        cols = "n", replace = "c")
  hidden <- pub$n %in% "c"
  # Secondary suppression: a step that is the difference of two published
  # lines (rows read - dropped = kept) is protected with them.
  hidden <- audit_chain_hide(d$step, d$n, hidden, threshold) & is_count
  n_txt <- format(d$n, big.mark = ",", scientific = FALSE, trim = TRUE)
  d$n <- ifelse(hidden, "c", ifelse(is_count, n_txt, ""))
  d$detail <- audit_public_text(d$detail, threshold, hide_all = hidden)
  # Counts of columns or factor types go into the text, so the n column
  # holds counts of children only.
  d$detail[!is_count] <- paste0(n_txt[!is_count], " ", d$unit[!is_count],
                                ifelse(d$detail[!is_count] == "", "", ": "),
                                d$detail[!is_count])
  rownames(d) <- NULL
  d[c("stage", "step", "n", "detail")]
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

# ---------------------------------------------------------------------------
# Building an audit.

cin_audit_new <- function() {
  structure(data.frame(stage = character(), step = character(), n = numeric(),
                       detail = character(), unit = character(), stringsAsFactors = FALSE),
            class = c("cin_audit", "data.frame"))
}

# `unit`: what n counts ("rows" for rows, assessments, episodes, codes;
# "columns" or "factors" for types, which are not counts of children).
cin_audit_add <- function(audit, stage, step, n, detail = "", unit = "rows") {
  row <- data.frame(stage = stage, step = step, n = as.numeric(n), detail = detail,
                    unit = unit, stringsAsFactors = FALSE)
  cin_audit_bind(audit, row)
}

cin_audit_bind <- function(audit, more) {
  d <- as.data.frame(unclass(audit), stringsAsFactors = FALSE)
  if (is.null(d$unit)) d$unit <- rep("rows", nrow(d))
  more <- as.data.frame(unclass(more), stringsAsFactors = FALSE)
  if (is.null(more$unit)) more$unit <- rep("rows", nrow(more))
  out <- rbind(d[c("stage", "step", "n", "detail", "unit")],
               more[c("stage", "step", "n", "detail", "unit")])
  rownames(out) <- NULL
  attr(out, "rows") <- attr(audit, "rows")
  class(out) <- c("cin_audit", "data.frame")
  out
}

# Detail text for publication: row positions left out, and every count under
# the threshold replaced by "c" by the package's text suppression. A number
# is a count unless it is part of a code (18A) or a name, a code label
# ("20 (4)", "coded 21"), or a count of columns or code types. A lone small
# count in a cell hides the next smallest too (the counts of a cell can add
# up to its n).
audit_public_text <- function(x, threshold, hide_all = FALSE) {
  x <- audit_strip_positions(x)
  x <- gsub("(; )+", "; ", x)
  x <- gsub("^[;, ]+|[;, ]+$", "", x)
  out <- suppress_text(x, threshold = threshold, pattern = audit_count_pattern, total = TRUE)
  # a line whose count is hidden (as a complement too) hides every count it gives
  hide_all <- rep_len(hide_all, length(x))
  if (any(hide_all)) {
    out[hide_all] <- suppress_text(x[hide_all], threshold = .Machine$integer.max,
                                   pattern = audit_count_pattern)
  }
  attr(out, "n_suppressed") <- NULL
  out
}

# Record locations are for the analyst (audit()), never for a published
# table: row and line positions of the extract ("rows 3, 9 and 2 more",
# "line 12"), and the file, child and episode positions of a return ("file 3
# child 1833 episode 1, file 1 child 2 episode 1 and 4 more").
audit_strip_positions <- function(x) {
  num <- "[0-9]+"
  list_of <- function(item) paste0(item, "(, ", item, ")*( and ", num, " more)?")
  x <- gsub(list_of(paste0("file ", num, " child ", num, "( episode ", num, ")?")), "", x)
  x <- gsub(paste0("\\b(sheet )?(rows?|lines?|Rows?|Lines?) ", list_of(num)), "", x)
  x <- gsub("(; )+", "; ", x)
  x <- gsub("\\(\\s*\\)", "", x)
  gsub("^[;, ]+|[;, ]+$", "", x)
}

# A count in an audit's text: not a code ("coded 21", "Other (20): 508",
# "1C (474)"), a number of factor columns or of distinct codes.
audit_count_pattern <- paste0(
  "(?<![A-Za-z0-9_.])(?<!coded )(?<!code )(?<!only )(?<!present: )[0-9]+",
  "(?![0-9A-Za-z_])(?! \\()(?!\\): )(?! factor column)(?! distinct code)")

# The audit's lines that are differences of other lines: a start, the steps
# taken from it, and the count left (episodes read - merged = episodes;
# episodes built - dropped = episodes kept - outside the years = episodes
# analysed). With the start and the end published, a lone hidden step comes
# back by subtraction, so the steps between two published lines are one
# line of counts whose total is published, protected by the package's
# engine (suppress_matrix()): the hidden steps of each stretch add up to at
# least the threshold, with the smallest other step hidden too where they
# do not. A stretch whose steps add up to less than the threshold cannot be
# protected that way: its closing line (such as "episodes kept") is hidden
# and the stretch joins the next; a last stretch that is still short hides
# the chain's end when the report prints it nowhere else ("rows kept", which
# audit_table() adds), else its start and every line repeating that count.
audit_chains <- list(
  list(start = "^episodes read", part = "^episodes (merged|dropped)", end = "^episodes$"),
  list(start = "^assessments read$", part = "^assessments merged", end = "^assessments$"),
  list(start = "^factor codes read$", part = "^factor codes of merged", end = "^factor codes kept$"),
  list(start = "^rows read$", part = "^rows dropped", end = "^rows kept$", anywhere = TRUE),
  list(start = "^episodes built$", part = "^episodes.*(dropped|outside)", check = "^episodes kept$",
       end = "^episodes analysed$")
)

audit_chain_hide <- function(step, n, hidden, threshold) {
  for (ch in audit_chains) {
    at <- audit_chain_locate(step, ch)
    if (is.null(at)) next
    hidden <- audit_chain_protect(n, hidden, c(at, hide_end = isTRUE(ch$anywhere)), threshold)
  }
  hidden
}

# Where one chain is in the audit: its start and end lines, the positions
# used to order them, the steps between them and the lines that check a
# count on the way (NULL when the audit does not hold the chain).
audit_chain_locate <- function(step, ch) {
  step <- tolower(step)
  s <- which(grepl(ch$start, step))[1L]
  if (is.na(s)) return(NULL)
  pos <- seq_along(step)
  e <- which(pos > s & grepl(ch$end, step))[1L]
  if (is.na(e) && !is.null(ch$check)) e <- utils::tail(which(pos > s & grepl(ch$check, step)), 1L)
  if (!length(e) || is.na(e)) return(NULL)
  # a line added after its start ("rows kept") closes the chain all the same
  if (isTRUE(ch$anywhere)) pos[e] <- Inf
  inside <- pos > s & pos < pos[e]
  list(start = s, end = e, pos = pos, parts = which(inside & grepl(ch$part, step)),
       checks = if (is.null(ch$check)) integer() else which(inside & grepl(ch$check, step)))
}

# The hidden steps that lie between the same two published lines of a
# chain: their sum is the difference of those lines, published anyway, so
# the report prints them as one line with that sum (a lone "c" there would
# read as a small number when it hides 30). One index vector per stretch
# with two or more hidden steps.
audit_hidden_groups <- function(step, hidden) {
  groups <- list()
  for (ch in audit_chains) {
    at <- audit_chain_locate(step, ch)
    if (is.null(at) || hidden[at$start] || hidden[at$end]) next
    open <- at$checks[!hidden[at$checks]]
    bounds <- c(at$start, open[order(at$pos[open])], at$end)
    for (i in seq_len(length(bounds) - 1L)) {
      idx <- at$parts[at$pos[at$parts] > at$pos[bounds[i]] & at$pos[at$parts] < at$pos[bounds[i + 1L]]]
      h <- idx[hidden[idx]]
      if (length(h) >= 2L) groups[[length(groups) + 1L]] <- h
    }
  }
  groups
}

# The stretches of one chain between its published lines; see
# audit_chain_hide(). A stretch that cannot be protected opens the line that
# closes it (or, at the end, the one that opens it) and the stretches are
# worked out again.
audit_chain_protect <- function(n, hidden, ch, threshold) {
  pos <- ch$pos
  repeat {
    open <- ch$checks[!hidden[ch$checks]]
    bounds <- c(ch$start, open[order(pos[open])], ch$end)
    again <- FALSE
    for (i in seq_len(length(bounds) - 1L)) {
      idx <- ch$parts[pos[ch$parts] > pos[bounds[i]] & pos[ch$parts] < pos[bounds[i + 1L]]]
      if (!length(idx) || !any(hidden[idx])) next
      # a lone step is the difference of its two lines
      lost <- TRUE
      if (length(idx) > 1L) {
        m <- suppress_matrix(matrix(as.numeric(n[idx]), ncol = 1L), threshold,
                             primary = matrix(hidden[idx], ncol = 1L), margins = c(rows = FALSE, cols = TRUE))
        hidden[idx] <- m$suppressed[, 1L]
        lost <- any(m$unprotected)
      }
      if (!lost) next
      if (bounds[i + 1L] == ch$end && ch$hide_end) {
        hidden[ch$end] <- TRUE
      } else if (bounds[i + 1L] != ch$end) {
        hidden[bounds[i + 1L]] <- again <- TRUE
      } else if (bounds[i] != ch$start) {
        hidden[bounds[i]] <- again <- TRUE
      } else {
        hidden[idx] <- TRUE
        hidden[n == n[ch$start] & seq_along(n) != ch$end] <- TRUE
      }
      if (again) break
    }
    if (!again) break
  }
  hidden
}
