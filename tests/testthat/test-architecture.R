# The house rules of ARCHITECTURE.md, checked on the package's R sources: no R
# function over 100 lines, no cycles between R files, no R file calling up a
# layer, and a file map that is the tree's. The machinery is in
# helper-architecture.R.

test_that("no R function is over 100 lines", {
  defs <- Filter(function(d) d$is_fun, r_definitions(r_sources()))
  long <- Filter(function(d) d$lines > 100, defs)
  expect_identical(vapply(long, function(d) paste0(d$file, ": ", d$name), ""), character())
  expect_gt(length(defs), 100)  # the parse found the package's functions
})

test_that("every R file is in a layer, named by its prefix, or is cross-cutting", {
  files <- basename(r_sources())
  expect_identical(files[is.na(arch_layer(files))], character())
})

test_that("no R file calls up a layer", {
  edges <- arch_graph()
  expect_identical(arch_up_calls(edges), character())
  expect_gt(nrow(edges), 50)  # the call graph was found
})

test_that("there are no cycles between R files", {
  expect_identical(arch_cycles(arch_graph()), character())
})

test_that("the checks fail on files that call up a layer or round a cycle (a test of the test)", {
  dir <- withr::local_tempdir()
  put <- function(file, ...) writeLines(c(...), file.path(dir, file))
  put("read-a.R", "read_a <- function(x) profile_b(x)")                           # up: read -> profile
  put("profile-b.R", "profile_b <- function(x) read_c(x)",                          # down: allowed
      "profile_d <- function(x) cli::cli_abort('{.val {read_a(x)}} and {.code lca_e()}')")
  put("read-c.R", "read_c <- function(x) x")
  put("utils.R", "util_f <- function(x) lca_e(x)")                                  # up: cross-cutting -> lca
  put("lca-e.R", "lca_e <- function(x) x", "lca_g <- function(x) lca_labels[x]")
  put("lca-h.R", "lca_labels <- c('a', 'b')", "lca_i <- function() lca_g(1)")       # cycle through an object
  put("misc.R", "misc <- function() NULL")                                         # no layer
  edges <- arch_edges(r_definitions(list.files(dir, full.names = TRUE)))
  expect_setequal(arch_up_calls(edges), c("read-a.R: read_a() uses profile_b (profile-b.R)",
                                          "utils.R: util_f() uses lca_e (lca-e.R)"))
  # a call inside a glue string is a call; a name inside {.code } is not
  expect_true(any(edges$fun == "profile_d" & edges$callee == "read_a"))
  expect_false(any(edges$fun == "profile_d" & edges$callee == "lca_e"))
  expect_setequal(arch_cycles(edges), c("read-a.R", "profile-b.R", "lca-e.R", "lca-h.R"))
  expect_identical(basename(list.files(dir))[is.na(arch_layer(basename(list.files(dir))))], "misc.R")
})

test_that("ARCHITECTURE.md's file map is the tree's (after moving files: make architecture)", {
  root <- arch_root()
  expect_true(architecture_rewrite(root, check = TRUE))
})

test_that("every file ARCHITECTURE.md names exists, and each function it places is in that file", {
  root <- arch_root()
  txt <- readLines(file.path(root, "ARCHITECTURE.md"))
  named <- unique(unlist(regmatches(txt, gregexpr("(R|src|inst/include/cscdemand)/[A-Za-z0-9_.-]+[.](R|h|cpp)", txt))))
  expect_identical(named[!file.exists(file.path(root, named))], character())
  defs <- Filter(function(d) !is.na(d$name), r_definitions(r_sources()))
  owner <- stats::setNames(vapply(defs, `[[`, "", "file"), vapply(defs, `[[`, "", "name"))
  p <- arch_placements(txt)
  wrong <- p[is.na(owner[p$fn]) | owner[p$fn] != p$file, , drop = FALSE]
  expect_identical(sprintf("%s() is not in R/%s", wrong$fn, wrong$file), character())
})

test_that("the map check fails when a file is added or renamed (a test of the test)", {
  root <- withr::local_tempdir()
  dir.create(file.path(root, "R"))
  dir.create(file.path(root, "src"))
  dir.create(file.path(root, "inst", "include", "cscdemand"), recursive = TRUE)
  writeLines("export(read_a)", file.path(root, "NAMESPACE"))
  writeLines(c("# Reads a.", "read_a <- function() 1"), file.path(root, "R", "read-a.R"))
  writeLines(c("# map", architecture_markers), file.path(root, "ARCHITECTURE.md"))
  expect_false(architecture_rewrite(root, check = TRUE))
  architecture_rewrite(root)
  expect_true(architecture_rewrite(root, check = TRUE))
  expect_true(any(grepl("| read | `R/read-a.R` | Reads a. | `read_a()` |", readLines(file.path(root, "ARCHITECTURE.md")), fixed = TRUE)))
  file.rename(file.path(root, "R", "read-a.R"), file.path(root, "R", "read-b.R"))
  expect_false(architecture_rewrite(root, check = TRUE))
})
