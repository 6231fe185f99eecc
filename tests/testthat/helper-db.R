# A connection to the PostgreSQL server the tests start (tools/start-postgres.sh,
# which sets CSCDEMAND_PG_HOST through make), closed when the calling test ends;
# skips when no server is configured.
local_pg_connection <- function(env = parent.frame()) {
  testthat::skip_if_not_installed("RPostgreSQL")
  host <- Sys.getenv("CSCDEMAND_PG_HOST")
  testthat::skip_if(host == "", "no PostgreSQL server configured (CSCDEMAND_PG_HOST)")
  con <- DBI::dbConnect(RPostgreSQL::PostgreSQL(), host = host,
                        port = as.integer(Sys.getenv("CSCDEMAND_PG_PORT", "5432")),
                        dbname = Sys.getenv("CSCDEMAND_PG_DB", "cscdemand"),
                        user = Sys.getenv("CSCDEMAND_PG_USER", "cscdemand"),
                        password = Sys.getenv("CSCDEMAND_PG_PASSWORD", "cscdemand"))
  withr::defer(DBI::dbDisconnect(con), envir = env)
  con
}
