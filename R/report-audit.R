# The audit as the report prints it: in plain English. Factor names come
# first with the code in brackets, census element names and the extract's
# column names stay out of the text, numbers have thousands separators, and
# counts of children under the threshold are "c" (counts of files, columns
# and codes are not about children and are always shown).

# The publishable audit table of the report, from the audit counts
# (columns stage, step, n, detail and unit). Every line about children is
# a count of its unit ("Unit" column); the returns read are counted, with
# the years they cover (`years`), never named by file. Hidden steps that lie
# between the same two published lines are one line with their sum (the
# difference of those lines, published anyway), so every chain balances in
# print and a "c" is never a step that hides 30. Lines that repeat another
# line's count are one line. Factors recorded fewer than `threshold` times
# are counted, not named. Attribute `steps`: the audit step(s) behind each
# line.
report_audit <- function(au, threshold, source = NULL, years = NULL, codes = NULL) {
  au <- report_audit_codes_note(au, codes)
  # the extract's columns the report does not use are the analyst's
  # business (audit()), not a step of what happened to the children's rows
  au <- au[!grepl("^columns not used", au$step), , drop = FALSE]
  unit <- if (is.null(au$unit)) rep("rows", nrow(au)) else au$unit
  files <- grepl("returns read", au$step)  # census files: not about children
  not_children <- files | unit != "rows" | grepl("columns|factors excluded", au$step)
  hidden <- is.na(suppress_small(data.frame(n = round(au$n)), threshold = threshold, cols = "n")$n)
  # a step that is a difference of published lines is protected with them
  hidden <- audit_chain_hide(au$step, round(au$n), hidden & !not_children, threshold)
  n <- ifelse(not_children | !hidden, fmt_int(round(au$n)), "c")
  raw <- report_audit_detail(au$step, au$detail, source)
  detail <- as.character(audit_public_text(raw, threshold, hide_all = hidden & !not_children))
  detail <- report_big_marks(report_rare_factors(detail, threshold, raw))
  detail <- report_audit_plain_detail(au$step, round(au$n), detail, hidden & !not_children)
  detail[files] <- if (length(years)) paste("reporting years", report_years_text(years)) else ""
  step <- report_audit_step(au$step)
  step[files] <- sub("^(Census )?returns read", "CIN census returns read", step[files])
  out <- data.frame(Step = step, Number = n,
                    Unit = ifelse(files, "returns", ifelse(not_children, audit_unit_noun(au$step, unit),
                                                           audit_count_noun(au$step))),
                    Detail = detail, stringsAsFactors = FALSE)
  attr(out, "steps") <- au$step
  out <- report_audit_join(out, au, hidden & !not_children, threshold)
  out <- report_audit_dedupe(out, not_children[match(attr(out, "steps"), au$step)])
  out$Detail <- report_audit_matched(out)
  # a unit agrees with its number: "1 factor", not "1 factors" (reader 10)
  out$Unit <- ifelse(out$Number == "1", unit_singular(out$Unit), out$Unit)
  out
}

# One of a unit: "factors" -> "factor", "children" -> "child", "child
# records" -> "child record".
unit_singular <- function(x) {
  irregular <- c(children = "child", returns = "return", categories = "category")
  out <- ifelse(x %in% names(irregular), irregular[x], sub("s$", "", x))
  unname(out)
}

# Child records read, then children kept: the step between is the matching
# of a child's records in several returns (by the child's id), which the
# audit counts nowhere else; the line of children kept says so, so a reader
# can follow 7,252 records to 5,317 children (reader 10).
report_audit_matched <- function(out) {
  rec <- which(out$Unit == "child records" & out$Number != "c")
  kept <- which(grepl("^Children kept", out$Step) & out$Number != "c")
  d <- out$Detail
  if (length(rec) != 1L || length(kept) != 1L) return(d)
  nr <- as.numeric(gsub(",", "", out$Number[rec]))
  nk <- as.numeric(gsub(",", "", out$Number[kept]))
  if (is.na(nr) || is.na(nk) || nr <= nk) return(d)
  all_kept <- grepl("every child in the returns had an assessment", d[kept], fixed = TRUE)
  what <- paste0("a child with records in two or more returns is counted once (the records matched by the child's id)",
                 if (all_kept) paste0(", so the ", out$Number[rec], " child records are ", out$Number[kept], " children") else "")
  d[kept] <- if (nzchar(d[kept])) paste0(d[kept], "; ", what) else what
  d
}

# Details that say what their numbers count, and nothing a reader would
# take for something else (reader 9): a detail that only repeats its line's
# number ("1,972 distinct children in the returns" on a line of 1,972
# children kept) says what the equality means; a line of none says "none of"
# its base; the factors named with their counts say the counts are episodes
# (episode_factors() counts the episodes that hold each factor).
report_audit_plain_detail <- function(step, n, detail, hidden) {
  kept <- grepl("^children kept", step) & !hidden &
    grepl("^[0-9,]+ distinct children in the returns$", detail) &
    suppressWarnings(as.numeric(gsub(",", "", sub(" .*$", "", detail)))) == n
  detail[kept] <- "every child in the returns had an assessment"
  none <- !is.na(n) & n == 0 & grepl("^of [0-9,]+$", detail)
  detail[none] <- sub("^of ", "none of ", detail[none])
  fac <- grepl("^factors (excluded|dropped)", step)
  detail[fac] <- gsub("(\\([0-9]{1,2}[A-F]?\\): [0-9,]+)(?=;|$)", "\\1 episodes", detail[fac], perl = TRUE)
  detail
}

# The hidden steps between the same two published lines of a chain, as one
# line with their sum (see audit_hidden_groups()).
report_audit_join <- function(out, au, hidden, threshold) {
  steps <- attr(out, "steps")
  drop <- integer()
  for (g in audit_hidden_groups(au$step, hidden)) {
    tot <- sum(round(au$n[g]))
    if (tot < threshold) next
    i <- g[1]
    out$Step[i] <- report_join_steps(out$Step[g])
    out$Number[i] <- fmt_int(tot)
    out$Detail[i] <- "counted together, so that no small number among them can be worked out"
    steps[i] <- paste(au$step[g], collapse = " + ")
    drop <- c(drop, g[-1])
  }
  audit_drop_lines(out, steps, drop)
}

# The audit table without the lines `drop` (folded into others), its
# "steps" attribute (which audit steps each printed line stands for) kept
# in step.
audit_drop_lines <- function(out, steps, drop) {
  if (length(drop)) {
    out <- out[-drop, , drop = FALSE]
    steps <- steps[-drop]
  }
  rownames(out) <- NULL
  attr(out, "steps") <- steps
  out
}

# "Episodes dropped: only excluded factors" and "Episodes dropped: only rare
# factors" -> "Episodes dropped: only excluded factors or only rare factors".
# Steps of another form are put in that form first ("Episodes with only
# "Other" (20): dropped" -> "Episodes dropped: only "Other" (20)"), so two
# labels are never pasted whole into one.
report_join_steps <- function(x) {
  x <- sub("^Episodes with (.*): dropped$", "Episodes dropped: \\1", x)
  pre <- sub(":.*$", "", x)
  if (all(grepl(":", x)) && length(unique(pre)) == 1L) {
    return(paste0(pre[1], ": ", or_list(sub("^[^:]+: *", "", x))))
  }
  lower <- c(x[1], paste0(tolower(substr(x[-1], 1, 1)), substring(x[-1], 2)))
  or_list(lower)
}

# A line that repeats the published count of another line ("Episodes" and
# "Episodes built", "Episodes kept" and "Episodes analysed", "Rows read" and
# "Factor codes kept", one row per code) is one line: the later one (the
# state reached: "Episodes built", "Episodes analysed", which close the
# chains a reader checks), unless only the earlier has a particular unit
# (codes rather than rows); its detail takes the other's. Steps (dropped,
# merged, excluded) are never folded, nor lines that do not count children.
report_audit_dedupe <- function(out, not_children) {
  state <- !grepl("dropped|merged|implausible|excluded|outside|counted together", out$Step,
                  ignore.case = TRUE) & !grepl("counted together", out$Detail) &
    out$Number != "c" & !not_children
  drop <- integer()
  steps <- attr(out, "steps")
  for (i in which(state)) {
    j <- which(state & out$Number == out$Number[i] & seq_len(nrow(out)) > i & !seq_len(nrow(out)) %in% drop)
    j <- j[out$Unit[j] == out$Unit[i] | out$Unit[j] == "rows" | out$Unit[i] == "rows"]
    if (!length(j) || i %in% drop) next
    j <- j[1]
    keep <- if (out$Unit[j] == "rows" && out$Unit[i] != "rows") i else j
    other <- setdiff(c(i, j), keep)
    out$Detail[keep] <- paste(c(out$Detail[keep], out$Detail[other])[nzchar(c(out$Detail[keep], out$Detail[other]))],
                              collapse = "; ")
    steps[keep] <- paste(steps[sort(c(i, j))], collapse = " + ")
    drop <- c(drop, other)
  }
  audit_drop_lines(out, steps, drop)
}

# A factor named with a suppressed count ("Female genital mutilation (22A):
# c") says that such a case was recorded: rare factors are counted, not
# named ("2 factors, each recorded fewer than 10 times"). `raw` is the text
# before suppression: a factor hidden with them so that their counts cannot
# be worked out was recorded more often, and the phrase says so rather than
# calling it rare.
report_rare_factors <- function(x, threshold, raw = NULL) {
  vapply(seq_along(x), function(i) {
    s <- x[i]
    if (is.na(s)) return(s)
    parts <- strsplit(s, "; ", fixed = TRUE)[[1]]
    rare <- grepl("\\(([0-9]{1,2}[A-F]?|c)\\): c$", parts)
    if (!any(rare)) return(s)
    k <- sum(rare)
    small <- k
    if (!is.null(raw) && !is.na(raw[i])) {
      rp <- strsplit(raw[i], "; ", fixed = TRUE)[[1]]
      codes <- sub("^.*\\(([0-9]{1,2}[A-F]?)\\): [0-9,]+$", "\\1", rp[grepl("\\([0-9]{1,2}[A-F]?\\): [0-9,]+$", rp)])
      cnt <- as.numeric(gsub(",", "", sub("^.*\\): ", "", rp[grepl("\\([0-9]{1,2}[A-F]?\\): [0-9,]+$", rp)])))
      hidden_codes <- sub("^.*\\(([0-9]{1,2}[A-F]?)\\): c$", "\\1", parts[rare])
      small <- sum(cnt[codes %in% hidden_codes] < threshold)
    }
    more <- if (any(!rare & grepl("\\(([0-9]{1,2}[A-F]?|c)\\): ", parts))) " more" else ""
    phrase <- if (small == 0L) {
      paste0(count_words(k), more, " factor", if (k > 1) "s" else "", ", hidden so that ",
             if (k > 1) "their counts" else "its count", " cannot be worked out")
    } else if (small == k) {
      paste0(count_words(k), more, " factor", if (k > 1) "s" else "", ", ",
             if (k > 1) "each " else "", "recorded fewer than ", fmt_int(threshold), " times")
    } else {
      paste0(count_words(k), more, " factors, not counted one by one: ", count_words(small), " recorded fewer than ",
             fmt_int(threshold), " times, the other", if (k - small > 1) "s" else "", " hidden so that ",
             if (k - small > 1) "their counts" else "its count", " cannot be worked out")
    }
    last <- grepl("not recorded in any episode$", parts)
    paste(c(parts[!rare & !last], phrase, parts[last]), collapse = "; ")
  }, "")
}

# Census element names and the package's column names, as words.
report_census_words <- c(
  AssessmentFactors = "factor codes in one field", CINdetails = "episode", LAchildID = "child id",
  CINreferralDate = "referral date", ReferralSource = "referral source",
  PrimaryNeedCode = "primary need", CINclosureDate = "closure date",
  ReasonForClosure = "reason for closure", DateOfInitialCPC = "date of the initial conference",
  ReferralNFA = "no further action", AssessmentActualStartDate = "assessment start date",
  AssessmentAuthorisationDate = "assessment authorisation date", PersonBirthDate = "date of birth",
  GenderCurrent = "gender", UPN = "pupil number"
)

# A step of the audit as a sentence fragment: no census element names, the
# factor codes 20 and 21 named, the first letter a capital.
report_audit_step <- function(step) {
  # a census element name in brackets says nothing to the reader: dropped
  elements <- paste(names(report_census_words), collapse = "|")
  s <- gsub(paste0("\\s*\\((", elements, ")\\)"), "", step)
  s <- report_plain_words(s)
  s <- gsub("only 21", "only \"No factors identified\" (21)", s, fixed = TRUE)
  s <- gsub("only 20 \\(Other\\)", "only \"Other\" (20)", s)
  s <- gsub("\\(rule [0-9]+\\)", "(a DfE validation rule)", s)
  s <- gsub("\\s*\\(\\s*\\)", "", s)
  # a state, not a bare noun: "Assessments" says what was kept
  s <- sub("^assessments$", "assessments kept", s, ignore.case = TRUE)
  paste0(toupper(substr(s, 1, 1)), substring(s, 2))
}

# The detail of each step in plain English (counts still raw, so the
# suppression that follows sees them). `source` says where the rows came
# from (report_source_text()): "from a data frame" is R's word, not the
# reader's.
report_audit_detail <- function(step, detail, source = NULL) {
  out <- report_no_code(detail)
  # a file name (with the council's code in it) is the analyst's, not the reader's
  out <- gsub("[^ ,;:()]+[.](xml|csv|xlsx|xls|txt|json)\\b(, )?", "", out, ignore.case = TRUE)
  # how codes are counted, true whether or not a return held such a field
  # (a reader took "were split at the commas" for a repair made to these data)
  out <- gsub("\\bAssessmentFactors values split at commas", "every code counted, also where several were recorded in one field", out)
  out <- report_plain_words(out)
  out <- gsub("^from a data frame$", if (is.null(source)) "from a table of the extract" else paste("from", sub("^(simulated)", "the \\1", source)), out)
  # the extract's own column names are not for the report
  out[grepl("^columns not used", step)] <- "columns of the extract the report does not need"
  out <- gsub("([0-9]+) coded 21", "\\1 with only \"No factors identified\" (21)", out)
  # a part of a detail that counts nothing says nothing ("0 with no code",
  # "0 with no assessment read"): left out, with its separator
  out <- gsub("(^|[,;] ?)0 (with|[a-z]+ rows) [^,;]*", "", out)
  out <- sub("^[,;] ?", "", out)
  # a detail that repeats its step ("dropped: only 21" and "946 with only 21") says nothing
  out[grepl("only 21", step) & grepl("^[0-9]+ with only \"No factors identified\" \\(21\\)$", out)] <- ""
  out <- gsub("([0-9]+) factor columns: [0-9A-Z, ]+$", "\\1 factors analysed (listed in the next section)", out)
  out <- gsub("years kept: ([0-9, ]+)", "reporting years kept: \\1", out)
  yrs <- regmatches(out, gregexpr("(?<=reporting years kept: )[0-9, ]+", out, perl = TRUE))
  for (i in which(lengths(yrs) > 0)) {
    y <- as.integer(strsplit(yrs[[i]], ", *")[[1]])
    out[i] <- sub("reporting years kept: [0-9, ]+", paste("reporting years kept:", report_years_text(y)), out[i])
  }
  report_factor_names(out)
}

# "1C (474)" -> "Alcohol misuse - other person (1C): 474", listed with
# semicolons (factor names hold commas).
report_factor_names <- function(x) {
  labels <- stats::setNames(cscdemand::cin_factors$label, cscdemand::cin_factors$code)
  labels <- report_plain_labels(labels)
  named <- function(code) ifelse(is.na(labels[code]), code, paste0(labels[code], " (", code, ")"))
  vapply(x, function(s) {
    m <- gregexpr("\\b([0-9]{1,2}[A-F]?) \\(([0-9]+)\\)", s, perl = TRUE)
    hits <- regmatches(s, m)[[1]]
    if (length(hits)) {
      code <- sub(" .*$", "", hits)
      n <- sub("^.*\\(([0-9]+)\\)$", "\\1", hits)
      ok <- code %in% names(labels)
      regmatches(s, m) <- list(ifelse(ok, paste0(named(code), ": ", n), hits))
      s <- gsub("(: [0-9]+), ", "\\1; ", s)  # factor names hold commas: list them with semicolons
    }
    n_absent <- suppressWarnings(as.integer(sub("^.*; not present: ([0-9]+)$", "\\1", s)))
    if (is.na(n_absent)) return(s)
    sub("; not present: [0-9]+$", paste0("; ", count_words(n_absent), " more excluded factor",
                                         if (n_absent == 1) " is" else "s are", " not recorded in any episode"), s)
  }, "", USE.NAMES = FALSE)
}

# Factor labels that are acronyms in DfE's list, in the words the report's
# own text uses ("UASC" is "unaccompanied asylum seekers" in the report's
# first paragraph).
report_plain_labels <- function(labels) {
  plain <- c(UASC = "Unaccompanied asylum-seeking child")
  at <- labels %in% names(plain)
  labels[at] <- plain[labels[at]]
  labels
}

# Advice to the analyst written in code (an argument and its value, a
# function call) is no part of a published table: each clause (between
# semicolons) that holds code is dropped.
report_no_code <- function(x) {
  vapply(x, function(s) {
    if (is.na(s)) return(s)
    parts <- strsplit(s, "; ", fixed = TRUE)[[1]]
    keep <- !grepl(report_code_pattern, parts, perl = TRUE)
    paste(parts[keep], collapse = "; ")
  }, "", USE.NAMES = FALSE)
}

# What code looks like in a sentence: a backtick, a call "f()", an argument
# set to a value ("arg = \"drop\"", "reps = 19"), a snake_case name.
report_code_pattern <- "`|[A-Za-z0-9_.]\\(\\)|\\b[a-z][a-z0-9_.]+ ?= ?[\"'0-9A-Za-z]|\\b[a-z][a-z0-9]*_[a-z0-9_]+\\b"

# Census element names as words.
report_plain_words <- function(x) {
  for (w in names(report_census_words)) {
    x <- gsub(paste0("\\b", w, "\\b"), report_census_words[[w]], x)
  }
  x <- gsub("\\s*\\(\\s*\\)", "", x)
  x
}

# Thousands separators for the counts in a text: not in codes, file names
# or ranges, nor in a year (a four-digit number from 1990 to 2099 after the
# word "year" or "years", or in a list that follows it).
report_big_marks <- function(x) {
  vapply(x, function(s) {
    m <- gregexpr("(?<![A-Za-z0-9_.,-])[0-9]{4,}(?![A-Za-z0-9_.-])", s, perl = TRUE)[[1]]
    if (m[1] < 0) return(s)
    v <- regmatches(s, list(m))[[1]]
    n <- as.numeric(v)
    year_ctx <- vapply(m, function(at) {
      before <- substr(s, max(1, at - 40), at - 1)
      grepl("years?:? ([0-9]{4}(, | and | to ))*$", before)
    }, logical(1))
    is_year <- nchar(v) == 4 & n >= 1990 & n <= 2099 & year_ctx
    regmatches(s, list(m)) <- list(ifelse(is_year, v, formatC(n, format = "d", big.mark = ",")))
    s
  }, "", USE.NAMES = FALSE)
}

# What a line that is not about children counts: the reader's own unit
# ("columns", "factors", "tables"), never a catch-all.
audit_unit_noun <- function(step, unit) {
  nouns <- c(columns = "columns", factors = "factors", tables = "tables", layout = "layouts")
  out <- unname(nouns[unit])
  guess <- ifelse(grepl("factor", step, ignore.case = TRUE), "factors",
                  ifelse(grepl("column", step, ignore.case = TRUE), "columns", "items"))
  ifelse(is.na(out), guess, out)
}

# What an audit line about children counts, from the first noun of its step
# ("child records read" counts children, "episodes kept" episodes, "factor
# codes kept" codes); rows of the extract otherwise.
audit_count_noun <- function(step) {
  # records of a child in several returns are records, not children (the
  # children are counted on the line of children kept)
  if (any(rec <- grepl("^child records\\b", tolower(step)))) {
    out <- character(length(step))
    out[rec] <- "child records"
    out[!rec] <- audit_count_noun(step[!rec])
    return(out)
  }
  w <- sub("^(factor |census |exact )?([a-z]+).*$", "\\2", tolower(step))
  nouns <- c(child = "children", children = "children", episode = "episodes",
             episodes = "episodes", assessment = "assessments", assessments = "assessments",
             code = "codes", codes = "codes", flags = "cells", cells = "cells",
             values = "values", rows = "rows", row = "rows")
  out <- unname(nouns[w])
  out[is.na(out)] <- "rows"
  out
}

# The audit of the council's own episodes, when the data hold several
# councils: a council's report publishes what was read, combined and dropped
# of its own episodes, never counts of the other councils' (pooled with its
# own or not). The council's assessments go through the same episode stages
# as the pooled read (`episode_factors()` with its defaults); every stage but
# the rare-factor one works episode by episode, so they give the council's
# episodes of the pooled run. A factor is rare by its count over every
# council (the data the model is fitted to): those factors and the
# council's episodes that held only them are counted on lines of their own.
# Lines of reading that cannot be put to a council (rows dropped or merged
# before the council was known) are kept, marked as of the whole extract.
# `rin` is report_read()'s result, `la` the council's codes in the `la`
# column, `n_analysed` its episodes analysed, `items` the factors analysed,
# `years` the years kept (or NULL). NULL when there is nothing to split:
# one council, or episodes given without their assessments. The rare-factor
# line names the threshold the pooled read used (`rin$min_count`).
report_council_audit <- function(rin, la, n_analysed, items, years = NULL) {
  a <- rin$assessments
  if (is.null(a) || !"la" %in% names(a$assessments)) return(NULL)
  all_la <- unique(as.character(a$assessments$la[!is.na(a$assessments$la)]))
  if (length(setdiff(all_la, la)) == 0L) return(NULL)
  sub <- report_assessments_subset(a, as.character(a$assessments$la) %in% la)
  ep <- episode_factors(sub, min_count = 0)
  au <- as.data.frame(audit(ep), stringsAsFactors = FALSE)
  if (is.null(au$unit)) au$unit <- "rows"
  au <- au[c("stage", "step", "n", "detail", "unit")]
  n_kept <- sum(as.character(rin$episodes$la) %in% la)
  rare <- setdiff(factor_columns(ep), items)
  kept <- which(au$step == "episodes kept")
  if (length(rare) && length(kept)) {
    min_count <- rin$min_count
    if (is.null(min_count)) stop("internal: report_read() did not say which min_count it used", call. = FALSE)
    cnt <- vapply(rare, function(code) sum(ep[[code]] == 1, na.rm = TRUE), numeric(1))
    more <- data.frame(stage = "factors", step = c(paste0("factors dropped: fewer than ", min_count, " episodes"),
                                                   "episodes dropped: only rare factors"),
                       n = c(length(rare), nrow(ep) - n_kept),
                       detail = c(paste0(paste0(rare, " (", cnt, ")", collapse = ", "),
                                         "; rare in all the councils' episodes together"), ""),
                       unit = c("factors", "rows"), stringsAsFactors = FALSE)
    au <- rbind(au[seq_len(kept - 1), ], more, au[kept:nrow(au), ])
    kept <- kept + 2L
  }
  if (length(kept)) {
    au$n[kept] <- n_kept
    au$detail[kept] <- paste0(length(items), " factor columns: ", paste(items, collapse = ", "))
  }
  rownames(au) <- NULL
  report_audit_close(au, n_kept - n_analysed, n_analysed, years)
}

# The report's last lines of an audit (the pooled one or a council's), written
# in one place: the episodes outside the years chosen (with `years`) and the
# episodes analysed.
report_audit_close <- function(au, n_outside, n_analysed, years = NULL) {
  if (!is.null(years)) {
    au <- rbind(au, data.frame(stage = "report", step = "episodes outside the years chosen: dropped",
                               n = n_outside, detail = paste("years kept:", paste(years, collapse = ", ")),
                               unit = "rows"))
  }
  au <- rbind(au, data.frame(stage = "report", step = "episodes analysed", n = n_analysed, detail = "", unit = "rows"))
  rownames(au) <- NULL
  au
}

# The audit's count of distinct factor codes says when "No factors
# identified" (21) is among them: it is a code but not a factor, so without
# it the count is one more than the factors the audit accounts for.
report_audit_codes_note <- function(au, codes) {
  at <- au$step == "factor codes kept" & grepl("^[0-9]+ distinct codes$", au$detail)
  if (any(at) && "21" %in% as.character(codes)) {
    au$detail[at] <- paste0(au$detail[at], ", one of them \"No factors identified\" (21), which is not a factor")
  }
  au
}

# The factor codes read of the council's assessments (all of them when the
# assessments hold no council); NULL when episodes were given.
report_council_codes <- function(rin, la) {
  a <- rin$assessments
  if (is.null(a) || is.null(a$factors)) return(NULL)
  if (!length(la) || !"la" %in% names(a$assessments) || is.null(a$factors$assessment)) return(a$factors$code)
  a$factors$code[as.character(a$assessments$la[a$factors$assessment]) %in% la]
}

# The assessments of `keep` (a logical over the rows of
# `a$assessments`) as a `cin_assessments` object of their own: factor codes
# and missing flags follow their assessments, assessments and episodes are
# numbered afresh, and the read audit counts what the subset holds. Lines of
# reading about rows that cannot be put to the subset (dropped or merged
# while reading) are kept, marked as of the whole extract; lines that do not
# count children (columns, files) are kept as they are.
report_assessments_subset <- function(a, keep) {
  rows <- which(keep)
  idx <- integer(nrow(a$assessments))
  idx[rows] <- seq_along(rows)
  renumber <- function(d) {
    if (is.null(d) || !nrow(d)) return(d)
    d <- d[idx[d$assessment] > 0L, , drop = FALSE]
    d$assessment <- idx[d$assessment]
    rownames(d) <- NULL
    d
  }
  out <- a
  s <- a$assessments[rows, , drop = FALSE]
  s$.episode <- match(s$.episode, unique(s$.episode))
  if (".assessment" %in% names(s)) s$.assessment <- seq_along(rows)
  rownames(s) <- NULL
  out$assessments <- s
  out$factors <- renumber(a$factors)
  out$missing <- renumber(a$missing)
  au <- as.data.frame(unclass(a$audit), stringsAsFactors = FALSE)
  if (is.null(au$unit)) au$unit <- rep("rows", nrow(au))
  counts <- c(assessments = nrow(s), episodes = length(unique(s$.episode)), `factor codes kept` = nrow(out$factors))
  own <- au$step %in% names(counts)
  au$n[own] <- counts[au$step[own]]
  codes <- au$step == "factor codes kept" & grepl("distinct codes", au$detail)
  au$detail[codes] <- paste(length(unique(as.character(out$factors$code))), "distinct codes")
  whole <- !own & au$unit == "rows"
  au$detail[whole] <- ifelse(nzchar(au$detail[whole]), paste0("whole extract, all councils: ", au$detail[whole]),
                             "whole extract, all councils")
  # the rows read are the whole extract's: their line goes, its detail (where
  # the rows came from) moves to the council's assessments
  read <- au$step == "rows read" & au$unit == "rows"
  to <- which(au$step == "assessments" & !nzchar(au$detail))
  if (any(read) && length(to)) au$detail[to[1]] <- sub("^whole extract, all councils(: )?", "", au$detail[which(read)[1]])
  au <- au[!read, , drop = FALSE]
  rownames(au) <- NULL
  attr(au, "rows") <- NULL
  class(au) <- c("cin_audit", "data.frame")
  out$audit <- au
  out
}
