// Rcpp glue for the CSV structure check: type conversion only; the state
// machine is in inst/include/cscdemand/csv_scan.h.
#include <Rcpp.h>

#include <cscdemand/csv_scan.h>

using namespace Rcpp;

// Scan the chunks of a file (raw vectors, in order) and return the start
// line and field count of each record, whether a quoted value spans lines,
// and the first error (code and line).
// [[Rcpp::export]]
List cpp_csv_scan(SEXP next_chunk) {
  Function next(next_chunk);
  cscdemand::CsvScanner s;
  while (true) {
    RawVector chunk = next();
    if (chunk.size() == 0) break;
    if (!s.feed(RAW(chunk), static_cast<std::size_t>(chunk.size()))) break;
  }
  s.finish();
  return List::create(_["line"] = wrap(s.rec_line), _["fields"] = wrap(s.rec_fields),
                      _["blank"] = wrap(s.blank_line),
                      _["multiline"] = s.multiline, _["error"] = s.error,
                      _["error_line"] = s.error_line);
}

// Identifier check in one pass: 0 = as is, 1 = has white space around it
// (space, tab, CR, LF or a UTF-8 no-break space), 2 = missing (NA, empty,
// all white space, or the text "NA").
// [[Rcpp::export]]
IntegerVector cpp_id_status(CharacterVector x) {
  const R_xlen_t n = x.size();
  IntegerVector out(n);
  for (R_xlen_t i = 0; i < n; ++i) {
    SEXP s = x[i];
    if (s == NA_STRING) {
      out[i] = 2;
      continue;
    }
    const char* p = CHAR(s);
    const std::size_t len = static_cast<std::size_t>(LENGTH(s));
    out[i] = cscdemand::id_status(p, len);
  }
  return out;
}
