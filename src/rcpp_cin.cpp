// Rcpp glue for the data layer: type conversion only; the loop is in
// inst/include/cscdemand/runs.h.
#include <Rcpp.h>

#include <cmath>
#include <cstring>
#include <vector>

#include <cscdemand/memory.h>
#include <cscdemand/runs.h>

using namespace Rcpp;

// Run ids of rows over key columns (character, integer, logical or double
// vectors of equal length), and the first row of each run (1-based).
// Equal strings are detected by their cached pointer, else by their bytes.
// [[Rcpp::export]]
List cpp_run_ids(List parts) {
  const std::size_t ncol = parts.size();
  const R_xlen_t n = ncol ? Rf_xlength(parts[0]) : 0;
  std::vector<SEXP> cols(ncol);
  for (std::size_t c = 0; c < ncol; ++c) {
    SEXP x = parts[c];
    const int t = TYPEOF(x);
    if (Rf_xlength(x) != n || (t != STRSXP && t != INTSXP && t != LGLSXP && t != REALSXP)) {
      stop("cpp_run_ids: key columns must be atomic vectors of equal length");
    }
    cols[c] = x;
  }
  IntegerVector id(Rcpp::no_init(n));  // run_ids() writes every row
  cscdemand::advise_huge_pages(id.begin(), static_cast<std::size_t>(n) * sizeof(int));
  auto same = [&](std::size_t c, std::size_t i) -> bool {
    SEXP x = cols[c];
    switch (TYPEOF(x)) {
      case STRSXP: {
        SEXP a = STRING_ELT(x, i - 1), b = STRING_ELT(x, i);
        if (a == b) return true;
        if (a == NA_STRING || b == NA_STRING) return false;
        return std::strcmp(CHAR(a), CHAR(b)) == 0;
      }
      case INTSXP:
      case LGLSXP:
        return INTEGER(x)[i - 1] == INTEGER(x)[i];
      default: {
        const double a = REAL(x)[i - 1], b = REAL(x)[i];
        return a == b || (std::isnan(a) && std::isnan(b));
      }
    }
  };
  const int runs = cscdemand::run_ids(static_cast<std::size_t>(n), ncol, same, id.begin());
  IntegerVector starts(runs);
  int k = 0;
  for (R_xlen_t i = 0; i < n; ++i) {
    if (i == 0 || id[i] != id[i - 1]) starts[k++] = static_cast<int>(i + 1);
  }
  return List::create(Named("id") = id, Named("starts") = starts);
}

// Whether the integer values x[at] (1-based positions) are all distinct
// (NA counts as a value): anyDuplicated(x[at]) == 0 without the subset or a
// hash table. Values are usually codes (factor levels, run ids), so a
// bitmap over their range is small; NA when the range is too wide for one
// (the caller then hashes).
// [[Rcpp::export]]
LogicalVector cpp_distinct_at(IntegerVector x, IntegerVector at) {
  int lo = 0, hi = 0;
  bool any = false;
  for (int v : x) {
    if (v == NA_INTEGER) continue;
    if (!any || v < lo) lo = v;
    if (!any || v > hi) hi = v;
    any = true;
  }
  const double range = any ? static_cast<double>(hi) - lo + 2 : 1;
  if (range > 4.0 * static_cast<double>(x.size()) + 65536) return LogicalVector::create(NA_LOGICAL);
  std::vector<bool> seen(static_cast<std::size_t>(range), false);
  const std::size_t na_slot = seen.size() - 1;
  for (int p : at) {
    if (p == NA_INTEGER || p < 1 || p > x.size()) stop("cpp_distinct_at: position out of range");
    const int v = x[p - 1];
    const std::size_t slot = v == NA_INTEGER ? na_slot : static_cast<std::size_t>(v - lo);
    if (seen[slot]) return LogicalVector::create(false);
    seen[slot] = true;
  }
  return LogicalVector::create(true);
}
