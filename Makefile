# Two entry points for a fresh clone on a fresh machine (Debian, R 4.2):
#   make demo  - install everything, run the demand analysis on the example data
#   make test  - install everything, R CMD check (no ERROR/WARNING allowed), full test suite
# Both do all of their own set-up (tools/install-deps.sh).

PKG := cscdemand
VERSION := $(shell sed -n 's/^Version: //p' DESCRIPTION)
TARBALL := $(PKG)_$(VERSION).tar.gz
R := Rscript --vanilla

.PHONY: deps install demo test check unit bench clean

deps:
	bash tools/install-deps.sh

install: deps
	R CMD INSTALL --preclean --no-multiarch .

demo: install
	$(R) tools/demo.R
	bash tools/screenshot-report.sh demand-report.html demand-report.png

check: deps
	rm -rf check && mkdir -p check
	R CMD build --no-manual . && mv $(TARBALL) check/
	cd check && _R_CHECK_FORCE_SUGGESTS_=false R CMD check --no-manual --no-tests $(TARBALL)
	$(R) tools/check-status.R check/$(PKG).Rcheck/00check.log

unit: install
	if bash tools/start-postgres.sh; then export CSCDEMAND_PG_HOST=localhost; fi; \
	$(R) tools/run-tests.R

test: check unit

bench: install
	$(R) bench/bench-lca.R

clean:
	rm -rf check src/*.o src/*.so demand-report.html demand-report.png
