#!/usr/bin/env bash
# Installs what cscdemand needs on a fresh Debian machine (R 4.2).
#   bash tools/install-deps.sh system   Debian packages: r-cran-* for every R
#                                       package Debian has, pandoc, chromium,
#                                       postgresql (skips what is installed)
#   bash tools/install-deps.sh cran     the R packages Debian lacks (poLCA and
#                                       glca), from the CRAN repository this
#                                       machine's R profiles configure, into
#                                       .Rlib/ inside the clone
#   bash tools/install-deps.sh review   what `make review` needs besides: LibreOffice
#                                       (Writer, no GUI), poppler (pdftoppm) and
#                                       the Liberation fonts (Arial's metrics)
# With no argument it does system and cran. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."
what=${1:-all}

DEB_PKGS="r-cran-rcpp r-cran-rcppeigen r-cran-rcppparallel r-cran-cli r-cran-rlang
  r-cran-generics r-cran-ggplot2 r-cran-testthat r-cran-knitr r-cran-rmarkdown
  r-cran-roxygen2 r-cran-pkgload r-cran-readxl r-cran-mass r-cran-lme4 r-cran-glmmtmb
  r-cran-data.table r-cran-dbi r-cran-rsqlite r-cran-scatterplot3d r-cran-withr
  r-cran-clue r-cran-dplyr r-cran-dbplyr r-cran-rpostgresql r-cran-xml2
  r-cran-digest r-cran-jsonlite r-cran-nlme r-cran-pkgbuild r-cran-openssl r-cran-zip
  r-cran-lpsolve
  postgresql chromium pandoc"

REVIEW_PKGS="libreoffice-writer-nogui poppler-utils fonts-liberation2 chromium"

system_packages() {
  local missing="" p
  for p in ${1:-$DEB_PKGS}; do
    dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"
  done
  if [ -z "$missing" ]; then
    echo "All Debian packages are installed."
    return 0
  fi
  local sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then sudo="sudo"; else
      echo "These Debian packages are missing:$missing"
      echo "Installing them needs administrator rights (root or sudo)."
      echo "Without them, install the package from RStudio instead: see README.md."
      return 1
    fi
  fi
  echo "Installing Debian packages:$missing"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends $missing
}

cran_packages() {
  mkdir -p .Rlib
  # Not --vanilla: the site and user profiles are where the repository is set.
  Rscript -e '
lib <- normalizePath(".Rlib")
have <- function(p) length(find.package(p, lib.loc = lib, quiet = TRUE)) > 0L
pkgs <- c("poLCA", "glca")
need <- pkgs[!vapply(pkgs, have, logical(1))]
if (!length(need)) {
  message("Already in .Rlib: ", paste(pkgs, collapse = ", "))
  quit(status = 0)
}
repos <- getOption("repos")
repos <- repos[!is.na(repos) & nzchar(repos) & repos != "@CRAN@"]
if (!length(repos)) {
  message("No CRAN repository is configured for R on this machine, so ",
          paste(need, collapse = " and "), " cannot be installed.\n",
          "Set one in your R profile (for example options(repos = c(CRAN = \"<your mirror>\")) ",
          "in ~/.Rprofile or the site Rprofile.site) and run this again.")
  quit(status = 1)
}
message("Installing ", paste(need, collapse = ", "), " into .Rlib from ", paste(names(repos), collapse = ", "))
.libPaths(c(lib, .libPaths()))
install.packages(need, lib = lib, repos = repos, Ncpus = 2L)
ok <- vapply(need, have, logical(1))
if (!all(ok)) {
  message("Could not install: ", paste(need[!ok], collapse = ", "))
  quit(status = 1)
}
'
}

case "$what" in
  system) system_packages ;;
  cran) cran_packages ;;
  all) system_packages && cran_packages ;;
  review) system_packages "$REVIEW_PKGS" ;;
  *) echo "usage: bash tools/install-deps.sh [system|cran|review]"; exit 2 ;;
esac
