# The house rules of ARCHITECTURE.md, checked on the package's R sources:
# no R function over 100 lines, and no cycles between R files.

r_sources <- function() {
  dir <- testthat::test_path("..", "..", "R")
  if (!dir.exists(dir)) testthat::skip("the package's R sources are not beside the tests")
  list.files(dir, pattern = "[.]R$", full.names = TRUE)
}

r_functions <- function(files) {
  out <- list()
  for (f in files) {
    ex <- parse(f, keep.source = TRUE)
    sr <- attr(ex, "srcref")
    for (i in seq_along(ex)) {
      e <- ex[[i]]
      if (is.call(e) && as.character(e[[1]]) %in% c("<-", "=") && is.call(e[[3]]) &&
          identical(e[[3]][[1]], as.name("function"))) {
        out[[length(out) + 1L]] <- list(file = basename(f), name = as.character(e[[2]]),
                                        lines = sr[[i]][3] - sr[[i]][1] + 1L,
                                        fun = eval(e[[3]], baseenv()))
      }
    }
  }
  out
}

test_that("no R function is over 100 lines", {
  fns <- r_functions(r_sources())
  long <- Filter(function(f) f$lines > 100, fns)
  expect_identical(vapply(long, function(f) paste0(f$file, ": ", f$name), ""), character())
  expect_gt(length(fns), 100)  # the parse found the package's functions
})

test_that("there are no cycles between R files", {
  fns <- r_functions(r_sources())
  owner <- stats::setNames(vapply(fns, `[[`, "", "file"), vapply(fns, `[[`, "", "name"))
  edges <- unique(do.call(rbind, lapply(fns, function(f) {
    used <- intersect(codetools::findGlobals(f$fun, merge = TRUE), names(owner))
    to <- unique(owner[used])
    to <- to[to != f$file]
    if (length(to)) cbind(f$file, to)
  })))
  reach <- function(s) {
    seen <- s
    frontier <- s
    while (length(frontier)) {
      nxt <- unique(edges[edges[, 1] %in% frontier, 2])
      frontier <- setdiff(nxt, seen)
      seen <- c(seen, frontier)
    }
    setdiff(seen, s)
  }
  files <- unique(owner)
  cyc <- Filter(function(f) f %in% unlist(lapply(reach(f), reach)), files)
  expect_identical(cyc, character())
  expect_gt(nrow(edges), 50)  # the call graph was found
})
