#!/usr/bin/env bash
# Installs everything cscdemand needs on a fresh Debian machine: R packages
# from Debian (r-cran-*) where Debian has them, CRAN only for the rest, and
# pandoc for knitting. Safe to run again: it skips what is installed.
set -euo pipefail
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

DEB_PKGS="r-cran-rcpp r-cran-rcppeigen r-cran-rcppparallel r-cran-cli r-cran-rlang
  r-cran-generics r-cran-ggplot2 r-cran-testthat r-cran-knitr r-cran-rmarkdown
  r-cran-roxygen2 r-cran-readxl r-cran-mass r-cran-lme4 r-cran-glmmtmb
  r-cran-data.table r-cran-dbi r-cran-rsqlite r-cran-scatterplot3d r-cran-withr r-cran-clue r-cran-dplyr r-cran-dbplyr r-cran-rpostgresql
  postgresql chromium pandoc"

missing=""
for p in $DEB_PKGS; do
  dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"
done
if [ -n "$missing" ]; then
  echo "Installing Debian packages:$missing"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing
fi

# CRAN-only packages (reference implementations used in tests and benchmarks),
# from the repository the machine has configured.
Rscript --vanilla -e '
pkgs <- c("poLCA", "glca")
need <- pkgs[!vapply(pkgs, requireNamespace, logical(1), quietly = TRUE)]
if (length(need)) {
  repos <- getOption("repos")
  if (is.null(repos) || identical(unname(repos["CRAN"]), "@CRAN@")) {
    stop("No CRAN repository is configured; set options(repos = ...) in Rprofile.site")
  }
  install.packages(need, Ncpus = 2L, quiet = TRUE)
  ok <- vapply(need, requireNamespace, logical(1), quietly = TRUE)
  if (!all(ok)) stop("Could not install: ", paste(need[!ok], collapse = ", "))
}
'
