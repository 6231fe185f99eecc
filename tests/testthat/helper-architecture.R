# The machinery of test-architecture.R and of `make architecture`: the layers,
# the call graph between R files, and the file map of ARCHITECTURE.md. One home
# for the list of layers (the tests and the map generator both read it).
#
# A file's layer is the prefix of its name ("read-xml.R" and "read.R" are in
# the read layer); the layers, lowest first, are `arch_layers`. The
# cross-cutting files are below every layer: any file may call them, and they
# call only each other. A call is any use of a name defined at the top level
# of another file: in code, inside a cli/glue string ("{rows_label(i)}"), or as
# `cscdemand::name` of a view bound in .onLoad (reference_bind()).

arch_layers <- c("reference", "read", "episodes", "patterns", "lca", "validate", "profile",
                 "deprivation", "context", "report")
arch_cross_cutting <- c("conditions.R", "suppress.R", "suppress-audit.R", "random.R", "utils.R",
                        "RcppExports.R", "reexports.R", "cscdemand-package.R")

arch_root <- function() {
  root <- testthat::test_path("..", "..")
  if (!dir.exists(file.path(root, "R"))) testthat::skip("the package's sources are not beside the tests")
  root
}

r_sources <- function(dir = file.path(arch_root(), "R")) {
  list.files(dir, pattern = "[.]R$", full.names = TRUE)
}

# Every top-level expression of the files: its file, the name it defines (NA for
# other expressions), whether that is a function, and its length in lines.
r_definitions <- function(files) {
  out <- list()
  for (f in files) {
    ex <- parse(f, keep.source = TRUE)
    sr <- attr(ex, "srcref")
    for (i in seq_along(ex)) {
      e <- ex[[i]]
      named <- is.call(e) && as.character(e[[1]])[1] %in% c("<-", "=") &&
        (is.name(e[[2]]) || is.character(e[[2]]))
      is_fun <- named && is.call(e[[3]]) && identical(e[[3]][[1]], as.name("function"))
      out[[length(out) + 1L]] <- list(
        file = basename(f), name = if (named) as.character(e[[2]]) else NA_character_,
        is_fun = is_fun, lines = sr[[i]][3] - sr[[i]][1] + 1L, expr = if (named) e[[3]] else e)
    }
  }
  out
}

# The R code inside the cli/glue strings of an expression: "{f(x)}" and the
# inner "{f(x)}" of "{.cls {f(x)}}"; not "{.code f()}" (literal) or "{?s}".
glue_code <- function(s) {
  ch <- strsplit(s, "")[[1]]
  n <- length(ch)
  out <- character()
  i <- 1L
  while (i <= n) {
    if (ch[i] != "{") { i <- i + 1L; next }
    if (i < n && ch[i + 1L] == "{") { i <- i + 2L; next }   # "{{" is a literal brace
    depth <- 0L
    j <- i
    repeat {
      if (ch[j] == "{") depth <- depth + 1L else if (ch[j] == "}") depth <- depth - 1L
      if (depth == 0L || j == n) break
      j <- j + 1L
    }
    inner <- if (j > i + 1L) paste(ch[(i + 1L):(j - 1L)], collapse = "") else ""
    if (startsWith(inner, ".")) {
      out <- c(out, glue_code(sub("^\\.[A-Za-z_]+\\s?", "", inner)))
    } else if (nzchar(inner) && !startsWith(inner, "?")) {
      out <- c(out, inner)
    }
    i <- j + 1L
  }
  out
}

strings_in <- function(e) {
  if (is.character(e)) return(e)
  if (is.function(e)) return(c(strings_in(formals(e)), strings_in(body(e))))
  if (is.call(e) || is.pairlist(e) || is.expression(e) || is.list(e)) {
    return(unlist(lapply(as.list(e), function(x) if (!missing(x)) strings_in(x))))
  }
  NULL
}

# `cscdemand::x` and `cscdemand:::x` anywhere in an expression.
own_namespace_names <- function(e) {
  if (!is.call(e) && !is.pairlist(e) && !is.expression(e)) return(NULL)
  if (is.call(e) && (identical(e[[1]], as.name("::")) || identical(e[[1]], as.name(":::"))) &&
      identical(as.character(e[[2]]), "cscdemand")) {
    return(as.character(e[[3]]))
  }
  unlist(lapply(as.list(e), function(x) if (!missing(x)) own_namespace_names(x)))
}

names_used <- function(d) {
  code <- if (d$is_fun) {
    codetools::findGlobals(eval(d$expr, baseenv()), merge = TRUE)
  } else {
    all.names(d$expr)
  }
  s <- strings_in(d$expr)
  glue <- unlist(lapply(unlist(lapply(s[grepl("{", s, fixed = TRUE)], glue_code)), function(x) {
    tryCatch(all.names(parse(text = x, keep.source = FALSE)), error = function(e) character())
  }))
  unique(c(code, glue, own_namespace_names(d$expr)))
}

# Names bound by reference_bind(env, "name", build) (views made in .onLoad).
bound_views <- function(defs) {
  find <- function(e) {
    if (!is.call(e)) return(NULL)
    here <- if (identical(e[[1]], as.name("reference_bind")) && is.character(e[[3]])) e[[3]]
    c(here, unlist(lapply(as.list(e)[-1], function(x) if (!missing(x)) find(x))))
  }
  out <- character()
  for (d in defs) {
    v <- find(if (d$is_fun) body(eval(d$expr, baseenv())) else d$expr)
    out[v] <- d$file
  }
  out
}

# One row per use of another file's top-level name: from (file, definition), to.
arch_edges <- function(defs) {
  named <- Filter(function(d) !is.na(d$name), defs)
  owner <- stats::setNames(vapply(named, `[[`, "", "file"), vapply(named, `[[`, "", "name"))
  owner <- c(owner, bound_views(defs))
  rows <- lapply(defs, function(d) {
    used <- intersect(names_used(d), names(owner))
    used <- used[owner[used] != d$file]
    if (length(used)) {
      data.frame(from = d$file, fun = if (is.na(d$name)) "<top level>" else d$name,
                 callee = used, to = unname(owner[used]), stringsAsFactors = FALSE)
    }
  })
  out <- do.call(rbind, rows)
  if (is.null(out)) data.frame(from = character(), fun = character(), callee = character(),
                               to = character()) else out
}

# The package's own call graph, computed once per test run (findGlobals() over
# every function takes a few seconds).
arch_graph <- local({
  cache <- NULL
  function() {
    if (is.null(cache)) cache <<- arch_edges(r_definitions(r_sources()))
    cache
  }
})

# The layer of a file: 0 for the cross-cutting files, else the position of its
# prefix in `layers`; NA for a file with no known prefix.
arch_layer <- function(file, layers = arch_layers, cross = arch_cross_cutting) {
  ifelse(file %in% cross, 0L, match(sub("[-.].*$", "", file), layers))
}

arch_up_calls <- function(edges, layers = arch_layers, cross = arch_cross_cutting) {
  up <- edges[arch_layer(edges$to, layers, cross) > arch_layer(edges$from, layers, cross), ]
  sprintf("%s: %s() uses %s (%s)", up$from, up$fun, up$callee, up$to)
}

arch_cycles <- function(edges) {
  e <- unique(edges[c("from", "to")])
  reach <- function(s) {
    seen <- s
    frontier <- s
    while (length(frontier)) {
      frontier <- setdiff(unique(e$to[e$from %in% frontier]), seen)
      seen <- c(seen, frontier)
    }
    setdiff(seen, s)
  }
  files <- unique(c(e$from, e$to))
  Filter(function(f) f %in% unlist(lapply(reach(f), reach)), files)
}

# -- the file map of ARCHITECTURE.md (generated; `make architecture` rewrites it) --

architecture_markers <- c("<!-- file map: generated by `make architecture` (tests/testthat/helper-architecture.R); do not edit -->",
                          "<!-- end of file map -->")

# The first sentence of a file's opening comment (roxygen title or plain comment).
file_summary <- function(path) {
  x <- readLines(path, warn = FALSE)
  x <- x[seq_len(max(which(cumsum(!grepl("^\\s*(#|//|$)", x)) == 0L), 0L))]  # leading comments
  x <- trimws(sub("^\\s*(#'|#|//)\\s?", "", x))
  if (any(grepl("^Generated by", x))) return("Generated by Rcpp::compileAttributes(): the R side of the `cpp_*` glue.")
  x <- x[!grepl("^@", x)]
  if (!length(x) || all(x == "")) return("Re-exports and package documentation.")
  x <- x[cumsum(x != "") > 0]                                   # from the first non-blank line
  para <- paste(x[seq_len(if (any(x == "")) which(x == "")[1] - 1L else length(x))], collapse = " ")
  s <- sub("^(.*?[.])\\s.*$", "\\1", paste0(para, " "), perl = TRUE)
  trimws(gsub("\\|", "/", s))
}

architecture_map <- function(root = ".") {
  r <- list.files(file.path(root, "R"), pattern = "[.]R$")
  layer <- ifelse(r %in% arch_cross_cutting, "cross-cutting",
                  arch_layers[match(sub("[-.].*$", "", r), arch_layers)])
  ord <- order(match(layer, c(arch_layers, "cross-cutting")), r, method = "radix")  # C-locale order
  ns <- readLines(file.path(root, "NAMESPACE"))
  exports <- sub("^export\\((.*)\\)$", "\\1", grep("^export\\(", ns, value = TRUE))
  exported_in <- function(f) {
    defs <- Filter(function(d) !is.na(d$name) && d$name %in% exports,
                   r_definitions(file.path(root, "R", f)))
    if (!length(defs)) return("")
    paste0("`", vapply(defs, `[[`, "", "name"), ifelse(vapply(defs, `[[`, TRUE, "is_fun"), "()", ""), "`",
           collapse = ", ")
  }
  rows <- vapply(ord, function(i) sprintf("| %s | `R/%s` | %s | %s |", layer[i], r[i],
                                          file_summary(file.path(root, "R", r[i])), exported_in(r[i])), "")
  h <- c(file.path("inst/include/cscdemand", list.files(file.path(root, "inst/include/cscdemand"), pattern = "[.]h$")),
         file.path("src", list.files(file.path(root, "src"), pattern = "[.]h$")))
  hrows <- vapply(h, function(p) sprintf("| kernels | `%s` | %s | |", p, file_summary(file.path(root, p))), "")
  c(architecture_markers[1], "", "| layer | file | what it holds | exported |", "|---|---|---|---|",
    rows, unname(hrows), "", architecture_markers[2])
}

architecture_rewrite <- function(root = ".", check = FALSE) {
  path <- file.path(root, "ARCHITECTURE.md")
  x <- readLines(path)
  at <- match(architecture_markers, x)
  if (anyNA(at)) stop("ARCHITECTURE.md lacks the file map's marker lines")
  new <- c(x[seq_len(at[1] - 1L)], architecture_map(root), x[-seq_len(at[2])])
  if (check) return(identical(new, x))
  writeLines(new, path)
  invisible(TRUE)
}

# Claims "`R/x.R` (`f()`, `g()`, ...)" in ARCHITECTURE.md, as (file, fn): the
# functions named in the brackets right after a file, within one table cell.
arch_placements <- function(lines) {
  out <- list(data.frame(file = character(), fn = character()))
  for (ln in lines) for (cell in strsplit(ln, "|", fixed = TRUE)[[1]]) {
    m <- gregexpr("`R/[A-Za-z0-9_.-]+[.]R` [(]", cell)[[1]]
    if (m[1] < 0) next
    for (k in seq_along(m)) {
      file <- sub("^`R/([^`]+)`.*$", "\\1", substring(cell, m[k]))
      ch <- strsplit(substring(cell, m[k] + attr(m, "match.length")[k] - 1L), "")[[1]]
      depth <- cumsum((ch == "(") - (ch == ")"))
      inside <- paste(ch[seq_len(match(0L, depth, nomatch = length(ch)))], collapse = "")
      fns <- gsub("[`()]", "", regmatches(inside, gregexpr("`[A-Za-z_.][A-Za-z0-9_.]*[(][)]`", inside))[[1]])
      if (length(fns)) out[[length(out) + 1L]] <- data.frame(file = file, fn = fns)
    }
  }
  do.call(rbind, out)
}
