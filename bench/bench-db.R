# National scale benchmark, one process. Needs a PostgreSQL server
# (bash tools/start-postgres.sh) and the package installed.
#   Rscript bench/bench-db.R [n_episodes]
# 1. 3.6 million episodes in a PostgreSQL table -> K = 12 fit, 20 starts:
#    patterns by GROUP BY in the database, against reading all rows into R.
# 2. The in-memory path on the same rows (data frame -> patterns -> fit).
# 3. Scoring 1 million new episodes with a frozen model.
# Reports elapsed time and peak R heap memory (gc "max used").
suppressPackageStartupMessages({
  library(cscdemand)
  library(DBI)
})
source("bench/sim-factors.R")
args <- commandArgs(trailingOnly = TRUE)
n <- if (length(args)) as.numeric(args[1]) else 3.6e6
threads <- min(2L, RcppParallel::defaultNumThreads())
peak <- function(expr) {
  invisible(gc(reset = TRUE))
  t <- system.time(val <- force(expr))[["elapsed"]]
  g <- gc()
  list(time = t, mb = sum(g[, ncol(g)]), value = val)
}
rows <- list()
add <- function(task, r, note = "") {
  rows[[length(rows) + 1L]] <<- data.frame(task = task, seconds = round(r$time, 1),
                                           peak_R_MB = round(r$mb), note = note)
}
d <- sim_factors(n, K = 12)
d$.class <- NULL
items <- names(d)
con <- dbConnect(RPostgreSQL::PostgreSQL(), host = Sys.getenv("CSCDEMAND_PG_HOST", "localhost"),
                 dbname = "cscdemand", user = "cscdemand", password = "cscdemand")
t_load <- system.time(dbWriteTable(con, "bench_episodes", d, overwrite = TRUE,
                                   row.names = FALSE))[["elapsed"]]
cat(sprintf("Loaded %s rows into PostgreSQL in %.1f s\n", format(n, big.mark = ","), t_load))
rm(d)
invisible(gc())
r <- peak({
  pt <- lca_patterns_db(con, items = items, table = "bench_episodes")
  lca(pt, k = 12, starts = 20, seed = 1, threads = threads, verbose = FALSE)
})
add("PostgreSQL GROUP BY -> K = 12, 20 starts", r,
    sprintf("%d patterns; LL %.1f", length(r$value$patterns$n), r$value$loglik))
ll_db <- r$value$loglik
r <- peak({
  all_rows <- dbReadTable(con, "bench_episodes")
  lca(all_rows, k = 12, starts = 20, seed = 1, threads = threads, verbose = FALSE)
})
add("PostgreSQL read all rows -> K = 12, 20 starts", r,
    sprintf("same LL: %s", isTRUE(all.equal(r$value$loglik, ll_db))))
invisible(dbRemoveTable(con, "bench_episodes"))
invisible(dbDisconnect(con))
d <- sim_factors(n, K = 12)
d$.class <- NULL
r <- peak(lca(d, k = 12, starts = 20, seed = 1, threads = threads, verbose = FALSE))
add("in memory: data frame -> K = 12, 20 starts", r, "target < 60 s")
fz <- lca_freeze(r$value)
nd <- sim_factors(1e6, K = 12, seed = 99)
r <- peak(predict(fz, nd))
add("score 1 million episodes, frozen model", r, "target < 5 s")
print(do.call(rbind, rows), row.names = FALSE)
