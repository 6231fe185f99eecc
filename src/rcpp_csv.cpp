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
