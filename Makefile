# Two entry points for a fresh clone on a fresh machine (Debian, R 4.2):
#   make demo  - install everything, run the demand analysis on the example data
#   make test  - install everything, R CMD check (no ERROR/WARNING allowed), full test suite
#   make review - knit the example report for two councils in HTML and Word, every
#                page as PNG in review/, and run a reviewer's checks (not part of test)
# Both do all of their own set-up (tools/install-deps.sh) and print one line per
# step; each step's full output is kept in .logs/<step>.log.
# R packages that Debian lacks, and cscdemand itself, go into .Rlib/ inside the
# clone, which every target puts first on R's library path (R_LIBS).

PKG := cscdemand
VERSION := $(shell sed -n 's/^Version: //p' DESCRIPTION)
TARBALL := $(PKG)_$(VERSION).tar.gz
LIB := $(CURDIR)/.Rlib
LOGS := $(CURDIR)/.logs
export R_LIBS := $(LIB)
R := Rscript --vanilla
STEP := bash tools/step.sh

.PHONY: deps install demo test check unit bench document review clean distclean architecture

deps:
	@mkdir -p $(LIB) $(LOGS)
	@$(STEP) "System packages (Debian r-cran-*, pandoc, ...)" $(LOGS)/system.log bash tools/install-deps.sh system
	@$(STEP) "R packages Debian lacks (CRAN -> .Rlib)" $(LOGS)/cran.log bash tools/install-deps.sh cran

install: deps
	@$(STEP) "Compiling and installing cscdemand (.Rlib)" $(LOGS)/install.log \
	  R CMD INSTALL --preclean --no-multiarch --library=$(LIB) .

demo: install
	@$(STEP) "Knitting the demand report" $(LOGS)/demo.log $(R) tools/demo.R
	@$(STEP) "Opening the report in headless Chromium" $(LOGS)/screenshot.log \
	  bash tools/screenshot-report.sh demand-report.html demand-report.png
	@echo ""
	@echo "The report is $(CURDIR)/demand-report.html"
	@echo "Open it in any web browser (for example: xdg-open demand-report.html),"
	@echo "or in RStudio: Files pane > demand-report.html > View in Web Browser."
	@echo "A picture of its first page is demand-report.png."

check: deps
	@rm -rf check && mkdir -p check
	@$(STEP) "Building the package and its vignette" $(LOGS)/build.log \
	  sh -c 'R CMD build --no-manual . && mv $(TARBALL) check/'
	@$(STEP) "R CMD check (no ERROR or WARNING allowed)" $(LOGS)/check.log \
	  sh -c 'cd check && _R_CHECK_FORCE_SUGGESTS_=false R CMD check --no-manual --no-tests $(TARBALL)'
	@$(R) tools/check-status.R check/$(PKG).Rcheck/00check.log

unit: install
	@if $(STEP) "Starting PostgreSQL for the database tests" $(LOGS)/postgres.log \
	    bash tools/start-postgres.sh; then export CSCDEMAND_PG_HOST=localhost; \
	  else echo "PostgreSQL did not start: the database tests will be skipped"; fi; \
	  $(STEP) "Running the tests" $(LOGS)/tests.log $(R) tools/run-tests.R; rc=$$?; \
	  grep -E '^[0-9]+ (skipped|passed)' $(LOGS)/tests.log | tail -n 2; exit $$rc

test: check unit

review: install
	@$(STEP) "LibreOffice, poppler and fonts for the review" $(LOGS)/review-deps.log \
	  bash tools/install-deps.sh review
	@$(STEP) "Knitting 2 councils in HTML and Word, pages as PNG" $(LOGS)/review.log \
	  $(R) tools/review.R review
	@$(STEP) "Checking the reports as a reviewer would" $(LOGS)/review-check.log \
	  $(R) tools/review-check.R review
	@echo "Every page is in $(CURDIR)/review/<council>-<format>/pages/: read each one."

document:
	$(R) -e 'Rcpp::compileAttributes(); roxygen2::roxygenise()'

architecture:
	$(R) -e 'source("tests/testthat/helper-architecture.R"); architecture_rewrite()'

bench: install
	@for f in bench/bench-*.R; do echo "== $$f"; $(R) $$f || exit 1; done

clean:
	rm -rf check .logs review src/*.o src/*.so demand-report.html demand-report.png

distclean: clean
	rm -rf .Rlib
