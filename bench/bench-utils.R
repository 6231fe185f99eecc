# Shared by the benchmark scripts: timing and a results table.
threads <- min(2L, RcppParallel::defaultNumThreads())
tm <- function(expr) {
  t <- system.time(val <- force(expr))[["elapsed"]]
  list(time = t, value = val)
}
rows <- list()
add <- function(task, impl, time, starts, ll, note = "") {
  rows[[length(rows) + 1L]] <<- data.frame(task = task, implementation = impl,
    seconds = round(time, 2), starts = starts, sec_per_start = round(time / starts, 4),
    loglik = round(ll, 3), note = note, stringsAsFactors = FALSE)
}
