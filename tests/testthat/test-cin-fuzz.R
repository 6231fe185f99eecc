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
