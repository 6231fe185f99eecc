# Move one top-level definition, with the comment or roxygen block directly
# above it, from whichever R file holds it to another (issue 26, step 3 of
# dev/one-house-plan.md; run by dev/one-house-moves.sh).
#
# Usage: Rscript dev/one-house-move-def.R <Rdir> <name> <to-file> [--after NAME | --top] [--dry-run]
#   default: appended at the end of <to-file> (created if missing)
#   --after NAME: placed after the definition NAME in <to-file>
#   --top: placed after <to-file>'s opening comment block (plain comments, not roxygen)
args <- commandArgs(TRUE)
dir <- args[1]
name <- args[2]
to <- file.path(dir, args[3])
dry <- "--dry-run" %in% args
after <- if ("--after" %in% args) args[match("--after", args) + 1L] else NULL
top <- "--top" %in% args

# Lines (first with its comments, last) of the top-level definition of `nm` in file `f`, or NULL.
def_lines <- function(f, nm) {
  ex <- parse(f, keep.source = TRUE)
  sr <- attr(ex, "srcref")
  lines <- readLines(f)
  for (i in seq_along(ex)) {
    e <- ex[[i]]
    if (is.call(e) && as.character(e[[1]])[1] %in% c("<-", "=") && identical(as.character(e[[2]]), nm)) {
      start <- sr[[i]][1]
      while (start > 1 && grepl("^\\s*#", lines[start - 1])) start <- start - 1
      return(c(start, sr[[i]][3]))
    }
  }
  NULL
}

from <- NULL
for (f in list.files(dir, pattern = "[.]R$", full.names = TRUE)) {
  at <- def_lines(f, name)
  if (!is.null(at)) { from <- f; break }
}
if (is.null(from)) stop("no top-level definition of ", name, " in ", dir)
cat(sprintf("%s: %s lines %d-%d -> %s%s\n", name, basename(from), at[1], at[2], basename(to),
            if (!is.null(after)) paste0(" after ", after) else if (top) " (top)" else ""))
if (dry) quit(save = "no")

lines <- readLines(from)
block <- lines[at[1]:at[2]]
drop <- at[1]:at[2]
if (at[2] < length(lines) && lines[at[2] + 1] == "") drop <- c(drop, at[2] + 1)
writeLines(lines[-drop], from)

old <- if (file.exists(to)) readLines(to) else character()
if (!is.null(after)) {
  where <- def_lines(to, after)
  if (is.null(where)) stop("no definition of ", after, " in ", to)
  pos <- where[2]
} else if (top) {
  pos <- 0L
  # the file's opening comment (plain comments, not a roxygen block)
  while (pos < length(old) && grepl("^\\s*#($|[^'])", old[pos + 1])) pos <- pos + 1L
} else {
  pos <- length(old)
}
head <- old[seq_len(pos)]
tail <- old[-seq_len(pos)]
if (length(head) && head[length(head)] != "") head <- c(head, "")
if (length(tail) && tail[1] != "") block <- c(block, "")
writeLines(c(head, block, tail), to)
