// Rcpp glue for the data layer: type conversion only; the loop is in
// inst/include/cscdemand/runs.h.
#include <Rcpp.h>

#include <cmath>
#include <cstring>
#include <vector>

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
  IntegerVector id(n);
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
