# The report's template runs in a fresh environment whose parent is the global
# environment, so it sees only cscdemand's exports. Under load_all() every
# function is visible, which hid two unexported helpers the template called
# (session 10: report_blrt_p() and report_grey_clause() stopped every knit of
# an installed package while the report tests passed). Every function the
# template calls -- in its chunks, its chunk options (fig.cap) and its inline
# code -- is defined in the template, exported by cscdemand, or another
# package's.

template_function_calls <- function(path) {
  lines <- readLines(path, warn = FALSE)
  starts <- grep("^```\\{r", lines)
  fences <- grep("^```\\s*$", lines)
  ends <- vapply(starts, function(s) min(fences[fences > s]), numeric(1))
  code <- unlist(Map(function(s, e) if (e > s + 1) lines[(s + 1):(e - 1)], starts, ends))
  header <- lines[starts]
  opts <- sub("^```\\{r[ ,]*([^ ,=}]+[ ,]*)?", "", sub("\\}\\s*$", "", header))
  opts <- opts[grepl("=", opts)]
  inline <- unlist(regmatches(lines, gregexpr("`r [^`]+`", lines)))
  inline <- substring(inline, 4, nchar(inline) - 1)
  texts <- c(code, paste0("list(", opts, ")"), inline)
  pd <- utils::getParseData(parse(text = texts, keep.source = TRUE))
  pd <- pd[pd$terminal, ]
  pd <- pd[order(pd$line1, pd$col1), ]
  is_call <- pd$token == "SYMBOL_FUNCTION_CALL"
  qualified <- c(FALSE, pd$token[-nrow(pd)] %in% c("NS_GET", "NS_GET_INT"))
  calls <- unique(pd$text[is_call & !qualified])
  defined <- unique(pd$text[which(pd$token %in% c("LEFT_ASSIGN", "EQ_ASSIGN")) - 1])
  setdiff(calls, defined)
}

package_exports <- function() {
  root <- dirname(system.file("NAMESPACE", package = "cscdemand"))
  parseNamespaceFile(basename(root), dirname(root))$exports
}

test_that("every cscdemand function the report template calls is exported", {
  sk <- list.files(system.file("rmarkdown", "templates", package = "cscdemand"),
                   "skeleton\\.Rmd$", recursive = TRUE, full.names = TRUE)
  expect_gt(length(sk), 0)
  ns <- asNamespace("cscdemand")
  for (f in sk) {
    calls <- template_function_calls(f)
    expect_gt(length(calls), 50)
    ours <- calls[vapply(calls, exists, logical(1), envir = ns, inherits = FALSE)]
    expect_gt(length(ours), 10)
    missing <- setdiff(ours, package_exports())
    expect(length(missing) == 0,
           sprintf("%s calls unexported %s", basename(dirname(dirname(f))), paste(missing, collapse = ", ")))
  }
})

test_that("the template check finds a call in a chunk option and in inline code", {
  f <- tempfile(fileext = ".Rmd")
  writeLines(c("Text `r hidden_inline(1)`.", "",
               "```{r one, fig.cap = hidden_caption(2)}",
               "helper <- function() 1", "x <- helper() + stats::median(hidden_body(3))", "```"), f)
  calls <- template_function_calls(f)
  expect_true(all(c("hidden_inline", "hidden_caption", "hidden_body") %in% calls))
  expect_false(any(c("helper", "median") %in% calls))
})
