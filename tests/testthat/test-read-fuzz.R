# Fuzz test: randomly corrupted extracts must give a classed cscdemand error or
# a result whose audit accounts for every episode, and whose flags agree with
# an independent count from the same rows.

corrupt <- function(lines) {
  if (length(lines) < 2L) return(lines)
  op <- sample(c("blank_cell", "junk_cell", "drop_line", "dup_line", "bytes", "truncate",
                 "bom", "header", "semicolon", "empty", "bad_code", "bad_date", "quote",
                 "extra_field", "spaces"), 1)
  pick_line <- function() 1L + sample.int(length(lines) - 1L, 1L)
  cells <- function(l) strsplit(l, ",", fixed = TRUE)[[1]]
  set_cell <- function(v) {
    i <- pick_line()
    cc <- cells(lines[i])
    if (!length(cc)) return(lines)
    cc[sample(length(cc), 1)] <- v
    lines[i] <- paste(cc, collapse = ",")
    lines
  }
  switch(op,
    blank_cell = set_cell(""),
    junk_cell = set_cell(paste(sample(c(letters, LETTERS, 0:9, " ", "-", "/", "."), 6, TRUE),
                               collapse = "")),
    bad_code = set_cell(sample(c("99Z", "3", "A3", "1AB", "22C", "0", "NULL", "n/a"), 1)),
    bad_date = set_cell(sample(c("2023-13-01", "32/01/2023", "yesterday", "2023/02/30"), 1)),
    drop_line = if (length(lines) > 2) lines[-pick_line()] else lines,
    dup_line = { i <- pick_line(); append(lines, lines[i], after = i) },
    bytes = { i <- sample.int(length(lines), 1L)
              lines[i] <- paste0(lines[i], rawToChar(as.raw(sample(c(128:255), 3))))
              lines },
    truncate = { r <- charToRaw(paste(lines, collapse = "\n"))
                 strsplit(rawToChar(r[seq_len(sample(length(r), 1))]), "\n",
                          useBytes = TRUE)[[1]] },
    bom = { lines[1] <- paste0("\ufeff", lines[1]); lines },
    header = { h <- cells(lines[1]); h[sample(length(h), 1)] <- "zz_unknown"
               lines[1] <- paste(h, collapse = ","); lines },
    semicolon = { i <- pick_line(); lines[i] <- gsub(",", ";", lines[i]); lines },
    empty = character(),
    quote = { i <- pick_line(); lines[i] <- paste0("\"", lines[i]); lines },
    extra_field = { i <- pick_line(); lines[i] <- paste0(lines[i], ",extra"); lines },
    spaces = { i <- pick_line(); lines[i] <- gsub(",", " , ", lines[i]); lines }
  )
}

episode_accounting <- function(ep) {
  au <- audit(ep)
  n <- function(pattern) sum(au$n[grepl(pattern, au$step)])
  built <- n("^episodes built$")
  dropped <- n("^episodes with no factors or only 21: dropped") +
    n("^episodes with only 20 \\(Other\\): dropped") +
    n("^episodes dropped: ")
  c(built = built, accounted = dropped + nrow(ep))
}

test_that("corrupted files give a classed error or an audit that accounts for everything", {
  set.seed(20240401)
  files <- c("long_basic.csv", "codes_basic.csv", "wide_basic.csv")
  n_error <- 0L
  n_ok <- 0L
  for (it in seq_len(240)) {
    src <- test_path("fixtures", "cin", files[(it %% 3) + 1])
    lines <- readLines(src, warn = FALSE)
    for (k in seq_len(sample(1:3, 1))) lines <- corrupt(lines)
    path <- tempfile(fileext = ".csv")
    con <- file(path, "wb")
    writeBin(charToRaw(paste0(paste(lines, collapse = "\n"), if (length(lines)) "\n")), con)
    close(con)
    on_unknown <- sample(c("error", "drop"), 1)
    res <- tryCatch({
      a <- read_cin_assessments(path, on_unknown = on_unknown)
      list(a = a, ep = episode_factors(a, min_count = 0),
           all = episode_factors(a, exclude = NULL, min_count = 0, no_factors = "keep",
                                 other_only = "keep"))
    }, error = function(e) e)
    unlink(path)
    if (inherits(res, "error")) {
      n_error <- n_error + 1L
      expect_true(inherits(res, "cscdemand_error"),
                  info = paste("unclassed error:", conditionMessage(res), "\n",
                               paste(lines, collapse = "\n")))
      next
    }
    n_ok <- n_ok + 1L
    acc <- episode_accounting(res$ep)
    expect_equal(acc[["accounted"]], acc[["built"]], info = paste(lines, collapse = "\n"))
    # every episode is kept when nothing is excluded
    expect_equal(nrow(res$all), length(unique(res$a$assessments$.episode)))
    # flags agree with an independent count of the codes per episode
    a <- res$a
    e_of <- a$assessments$.episode[match(a$factors$assessment, a$assessments$.assessment)]
    fc <- factor_columns(res$all)
    m <- as.matrix(res$all[fc])
    ind <- table(factor(e_of, levels = res$all$.episode), factor(a$factors$code, levels = fc)) > 0
    ind[, "21"] <- ind[, "21"] & rowSums(ind[, colnames(ind) != "21", drop = FALSE]) == 0
    expect_equal(unname(m == 1L), unname(unclass(ind)), info = paste(lines, collapse = "\n"))
    # nothing is lost: rows read = rows dropped for ids + rows with a kept
    # code, a blank, an unknown or a duplicate (long layout, one code per cell)
    au <- audit(a)
    if (a$layout == "long") {
      n <- function(s) sum(au$n[au$step == s])
      expect_gte(n("rows dropped: missing identifier") + n("rows with no factor code (blank)") +
                   n("codes dropped: unknown code") +
                   n("codes dropped: duplicate within an assessment") + nrow(a$factors),
                 n("rows read"))
    }
  }
  expect_gt(n_error, 20L)
  expect_gt(n_ok, 60L)
})

# ---------------------------------------------------------------------------
# Hostile extracts, by class (issue 13): each variant knows its right answer.
# Properties checked on every variant: the right result, or a classed error
# naming the line (or sheet row) that was broken; rows read = rows kept +
# rows dropped, each drop on an audit line; no identifier in any message or
# printed object; no count under the threshold in the published audit.

fz_ids <- function(n) {
  vapply(seq_len(n), function(i) paste0("ZQ", paste(sample(LETTERS, 6, TRUE), collapse = "")),
         character(1))
}

fz_extract <- function(n) {
  ids <- fz_ids(n)
  d <- as.Date("2023-04-03") + sample.int(300, n, TRUE)
  data.frame(child_id = ids, referral_date = format(d), assessment_date = format(d + 5L),
             factors = sample(c("1B", "3B", "4B", "16A", "21", "20", "2A", "8D", "9A"), n, TRUE),
             gender = sample(c("F", "M"), n, TRUE), stringsAsFactors = FALSE)
}

fz_lines <- function(d) {
  c(paste(names(d), collapse = ","), do.call(paste, c(unname(as.list(d)), sep = ",")))
}

fz_write <- function(lines, gz = FALSE) {
  p <- tempfile(fileext = if (gz) ".csv.gz" else ".csv")
  con <- if (gz) gzfile(p, "wb") else file(p, "wb")
  writeBin(charToRaw(paste0(paste(lines, collapse = "\n"), "\n")), con)
  close(con)
  p
}

# Properties of a result: rows accounted, ids never shown, nothing small
# published.
fz_check_result <- function(a, ids, n_rows, info) {
  r <- attr(audit(a), "rows")
  au <- audit(a)
  expect_equal(r[["read"]], n_rows, info = info)
  expect_equal(r[["read"]], r[["kept"]] + r[["dropped"]], info = info)
  expect_equal(r[["dropped"]], sum(au$n[grepl("^rows dropped", au$step)]), info = info)
  ep <- episode_factors(a, min_count = 0)
  out <- paste(c(utils::capture.output(print(a), print(ep), print(audit(ep))),
                 unlist(audit_table(ep))), collapse = "\n")
  ids <- ids[!is.na(ids) & nchar(trimws(ids)) > 2]
  expect_false(any(vapply(trimws(ids), grepl, logical(1), x = out, fixed = TRUE)), info = info)
  fz_check_published(audit_table(ep, threshold = 10), info)
  invisible(ep)
}

fz_check_published <- function(t, info) {
  types <- grepl("^(factors excluded|factors dropped|columns|excluded codes)", t$step)
  n <- suppressWarnings(as.numeric(gsub(",", "", t$n[!types])))
  expect_true(all(is.na(n) | n == 0 | n >= 10), info = info)
  txt <- gsub("^[0-9]+ (factors|columns)(: |$)|[0-9]+ (factor columns|distinct codes)|not present: [0-9]+|(20|21) \\(|coded 21", "", t$detail)
  nums <- as.numeric(unlist(regmatches(txt, gregexpr("(?<![A-Za-z0-9_.])[0-9]+(?![0-9A-Za-z_])",
                                                     txt, perl = TRUE))))
  expect_true(all(nums == 0 | nums >= 10), info = info)
}

fz_check_error <- function(e, line, ids, info, class = "cscdemand_error") {
  expect_s3_class(e, class)
  msg <- conditionMessage(e)
  expect_match(msg, paste0("(Line|line|Row|Rows) ([0-9]+, )*", line, "\\b"), info = info)
  ids <- ids[!is.na(ids) & nchar(trimws(ids)) > 2]
  expect_false(any(vapply(trimws(ids), grepl, logical(1), x = msg, fixed = TRUE)), info = info)
}

fz_read <- function(...) tryCatch(read_cin_assessments(...), error = identity)

test_that("hostile CSV structure: each broken line is named, never read shifted", {
  set.seed(13013)
  for (it in seq_len(25)) for (kind in c("malformed", "stray", "unclosed", "comma", "short", "long")) {
    d <- fz_extract(sample(12:60, 1))
    lines <- fz_lines(d)
    k <- 1L + sample.int(nrow(d), 1)  # the broken file line
    cells <- strsplit(lines[k], ",", fixed = TRUE)[[1]]
    switch(kind,
      malformed = cells[1] <- paste0("\"", cells[1], " \"Jo\" x\""),
      stray = cells[sample(2:5, 1)] <- paste0(substr(cells[2], 1, 2), "\"", "x"),
      unclosed = cells[sample(1:5, 1)] <- paste0("\"", cells[1]),
      comma = cells[4] <- paste0(cells[4], ",", sample(c("3B", "4B", "1 8B"), 1)),
      short = cells <- cells[-sample(1:5, 1)],
      long = cells <- c(cells, "extra"))
    lines[k] <- paste(cells, collapse = ",")
    gz <- it %% 4 == 0
    e <- fz_read(fz_write(lines, gz = gz))
    info <- paste(kind, it, "line", k)
    expect_s3_class(e, "cscdemand_error_csv")
    if (inherits(e, "error")) fz_check_error(e, k, d$child_id, info)
  }
})

test_that("hostile content: spaced codes, offsets, padded ids, implausible dates, NA flags", {
  set.seed(13014)
  for (it in seq_len(20)) {
    d <- fz_extract(sample(15:60, 1))
    n <- nrow(d)
    # codes with a space between digits: reported with their rows
    k <- sample.int(n, sample(1:3, 1))
    d2 <- d
    d2$factors[k] <- sample(c("2 1", "1 2A", "1 8B", "0 3B"), length(k), TRUE)
    p <- fz_write(fz_lines(d2), gz = it %% 3 == 0)
    e <- fz_read(p)
    fz_check_error(e, min(k) + 1L, d$child_id, paste("spaced", it),
                   class = "cscdemand_error_unknown_code")
    a <- read_cin_assessments(p, on_unknown = "drop")
    expect_equal(audit(a)$n[audit(a)$step == "codes dropped: unknown code"], length(k))
    fz_check_result(a, d$child_id, n, paste("spaced drop", it))
    # datetimes with offsets are the local date written
    d3 <- d
    tm <- sprintf("T%02d:%02d:00%s", sample(0:23, n, TRUE), sample(0:59, n, TRUE),
                  sample(c("Z", "+01:00", "-05:00", "+0100", ""), n, TRUE))
    d3$referral_date <- paste0(d$referral_date, tm)
    a <- read_cin_assessments(fz_write(fz_lines(d3)))
    expect_equal(format(a$assessments$referral_date[order(a$assessments$.row)]),
                 d$referral_date, info = paste("offset", it))
    # padded identifiers are one child; all-space ids are missing, counted
    d4 <- d
    pad <- sample.int(n, 3)
    d4$child_id[pad] <- paste0("\"  ", d$child_id[pad], "   \"")
    blank <- sample(setdiff(seq_len(n), pad), 2)
    d4$child_id[blank] <- sample(c("\"   \"", "", " \t "), 2, TRUE)
    a <- read_cin_assessments(fz_write(fz_lines(d4)))
    expect_equal(audit(a)$n[audit(a)$step == "rows dropped: missing identifier"], 2)
    expect_setequal(a$assessments$child_id, d$child_id[-blank])
    fz_check_result(a, d$child_id, n, paste("ids", it))
    # implausible dates: flagged, or dropped on request
    d5 <- d
    bad <- sample.int(n, 3)
    d5$referral_date[bad[1]] <- "0024-05-01"
    d5$referral_date[bad[2]] <- "2042-05-01"
    d5$assessment_date[bad[2]] <- "2042-05-06"
    d5$referral_date[bad[3]] <- format(as.Date(d5$assessment_date[bad[3]]) + 3L)
    p <- fz_write(fz_lines(d5))
    a <- read_cin_assessments(p)
    au <- audit(a)
    expect_equal(sum(au$n[grepl("^rows with a", au$step)]), 3, info = paste("implausible", it))
    fz_check_result(a, d$child_id, n, paste("implausible", it))
    a <- read_cin_assessments(p, implausible_dates = "drop")
    expect_equal(attr(audit(a), "rows")[["dropped"]], 3)
    expect_false(any(a$assessments$child_id %in% d$child_id[bad]))
    fz_check_result(a, d$child_id, n, paste("implausible drop", it))
    # wide files with NA flags: missing, counted, never 0
    w <- data.frame(child_id = d$child_id, referral_date = d$referral_date,
                    `1B` = sample(c("1", "0"), n, TRUE), `3B` = sample(c("1", "0"), n, TRUE),
                    `4B` = sample(c("1", "0", ""), n, TRUE), check.names = FALSE)
    na_cells <- cbind(sample.int(n, 4), sample(3:5, 4, TRUE))
    na_cells <- na_cells[!duplicated(na_cells), , drop = FALSE]
    w[na_cells] <- "NA"
    a <- read_cin_assessments(fz_write(fz_lines(w)))
    expect_equal(audit(a)$n[audit(a)$step == "flags missing (NA): kept as missing"],
                 nrow(na_cells), info = paste("wide", it))
    ep <- fz_check_result(a, d$child_id, n, paste("wide", it))
    all_ep <- episode_factors(a, exclude = NULL, min_count = 0, no_factors = "keep")
    m <- as.matrix(all_ep[c("1B", "3B", "4B")])
    expect_equal(sum(is.na(m)), sum(w[na_cells] == "NA" & TRUE), info = paste("wide", it))
  }
})

test_that("values over several lines and blank lines keep file line numbers", {
  set.seed(13015)
  for (it in seq_len(20)) {
    d <- fz_extract(sample(10:30, 1))
    d$note <- "x"
    lines <- fz_lines(d)
    ml <- sample(2:(length(lines) - 1L), 2)
    extra <- integer(length(lines))
    for (k in ml) {
      nl <- sample(1:3, 1)
      lines[k] <- sub(",x$", paste0(",\"", paste(rep("note", nl + 1), collapse = "\n"), "\""),
                      lines[k])
      extra[k] <- nl
    }
    bl <- sample(2:length(lines), 1)
    lines <- append(lines, "   ", after = bl - 1L)
    extra <- append(extra, 0L, after = bl - 1L)
    # physical line where each record starts
    phys <- cumsum(c(1L, 1L + extra[-length(extra)]))
    rec <- which(lines != "   ")[-1]
    bad <- sample(rec, 1)
    lines[bad] <- sub("^([^,]*,[^,]*,[^,]*,)[^,]*", "\\19Z", lines[bad])
    e <- fz_read(fz_write(lines))
    fz_check_error(e, phys[bad], d$child_id, paste("multiline", it),
                   class = "cscdemand_error_unknown_code")
  }
})

test_that("Excel quirks: leading blank rows and codes in header-less cells", {
  skip_if_not_installed("readxl")
  skip_if(!nzchar(Sys.which("zip")))
  set.seed(13016)
  for (it in seq_len(8)) {
    d <- fz_extract(sample(10:25, 1))
    n <- nrow(d)
    more <- matrix(NA_character_, n, 2)
    k <- sample.int(n, 3)
    more[k, 1] <- "16A"
    more[k[1], 2] <- "4B"
    cells <- rbind(c(names(d)[1:4], NA, NA, "gender"),
                   cbind(as.matrix(d[1:4]), more, d$gender))
    first <- sample(1:4, 1)
    bad <- sample.int(n, 1)
    cells[bad + 1L, 2] <- "31/02/2023"
    p <- tempfile(fileext = ".xlsx")
    write_test_xlsx(cells, p, first_row = first)
    fz_check_error(fz_read(p), first + bad, d$child_id, paste("excel", it),
                   class = "cscdemand_error_date")
    cells[bad + 1L, 2] <- d$referral_date[bad]
    write_test_xlsx(cells, p, first_row = first)
    a <- read_cin_assessments(p)
    expect_equal(a$layout, "codes")
    expect_equal(nrow(a$factors),
                 n + 3L + 1L - sum(d$factors[k] == "16A") - (d$factors[k[1]] == "4B"),
                 info = paste("excel", it))
    expect_equal(sort(a$assessments$.row), first + seq_len(n))
    fz_check_result(a, d$child_id, n, paste("excel", it))
  }
})
