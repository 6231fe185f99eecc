#!/usr/bin/env bash
# Memory check of the C++ kernels: a small fit and predict under valgrind.
# Usage (from the package root, package installed): bash tools/valgrind.sh
# Fails if valgrind reports invalid reads/writes or uninitialised values.
set -euo pipefail
log=$(mktemp)
R --vanilla -d "valgrind --error-exitcode=0 --track-origins=yes" -q -e '
library(cscdemand)
d <- simulate_lca(n = 300, seed = 1)
d$neglect[c(2, 7)] <- NA
fit <- lca(d, k = 3, starts = 4, seed = 1, threads = 1, verbose = FALSE)
p <- predict(fit, d[1:50, ], type = "posterior")
pt <- lca_patterns(d, group = NULL)
stopifnot(all(abs(rowSums(p) - 1) < 1e-12))
' > "$log" 2>&1 || true
grep -E "ERROR SUMMARY|Invalid (read|write)|uninitialised" "$log" | sort | uniq -c
if grep -qE "Invalid (read|write)|uninitialised" "$log"; then
  echo "valgrind found memory errors; full log: $log"; exit 1
fi
echo "valgrind: no invalid reads or writes"
