# Helper for the data-raw scripts: where the shared public reference files are.
# They are kept, as published, in data-raw/sources/ (see its README.md); set the
# environment variable CSCDEMAND_SHARED_DATA, or pass `dir`, to use another folder.
shared_data_dir <- function(dir = Sys.getenv("CSCDEMAND_SHARED_DATA",
                                              file.path("data-raw", "sources"))) {
  if (!dir.exists(dir)) {
    stop("Shared reference data folder not found: ", dir,
         ". Set CSCDEMAND_SHARED_DATA to the folder holding the public files.",
         call. = FALSE)
  }
  normalizePath(dir)
}
shared_file <- function(name, dir = shared_data_dir()) {
  path <- file.path(dir, name)
  if (!file.exists(path)) stop("Missing reference file: ", name, call. = FALSE)
  path
}
