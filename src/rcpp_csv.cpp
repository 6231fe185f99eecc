// Rcpp glue for the CSV structure check: type conversion only; the state
// machine is in inst/include/cscdemand/csv_scan.h.
#include <Rcpp.h>

#include <cstdio>
#include <string>
#include <vector>

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

// The same scan reading the file itself (an uncompressed file): no chunk is
// copied into R. A UTF-8 byte-order mark at the start is skipped, as it is
// not part of the first value.
// [[Rcpp::export]]
List cpp_csv_scan_file(std::string path) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) stop("cannot open the file");
  cscdemand::CsvScanner s;
  std::vector<unsigned char> buf(1 << 20);
  bool first = true;
  while (true) {
    const std::size_t n = std::fread(buf.data(), 1, buf.size(), f);
    if (n == 0) break;
    std::size_t off = 0;
    if (first && n >= 3 && buf[0] == 0xEF && buf[1] == 0xBB && buf[2] == 0xBF) off = 3;
    first = false;
    if (!s.feed(buf.data() + off, n - off)) break;
  }
  std::fclose(f);
  s.finish();
  return List::create(_["line"] = wrap(s.rec_line), _["fields"] = wrap(s.rec_fields),
                      _["blank"] = wrap(s.blank_line),
                      _["multiline"] = s.multiline, _["error"] = s.error,
                      _["error_line"] = s.error_line);
}

// Positions (1-based) of the strings holding a byte above 127: only those
// can be invalid UTF-8, so only those are checked by validUTF8() in R.
// Equal strings share one cached pointer, so a repeated value is checked once.
// [[Rcpp::export]]
IntegerVector cpp_non_ascii(CharacterVector x) {
  const R_xlen_t n = x.size();
  std::vector<int> out;
  SEXP last_ascii = R_NilValue;
  for (R_xlen_t i = 0; i < n; ++i) {
    SEXP s = x[i];
    if (s == NA_STRING || s == last_ascii) continue;
    const unsigned char* p = reinterpret_cast<const unsigned char*>(CHAR(s));
    const R_xlen_t len = LENGTH(s);
    bool ascii = true;
    for (R_xlen_t j = 0; j < len; ++j) {
      if (p[j] > 127) {
        ascii = false;
        break;
      }
    }
    if (ascii) {
      last_ascii = s;
    } else {
      out.push_back(static_cast<int>(i + 1));
    }
  }
  return wrap(out);
}

// The same check, returning only the positions (1-based) of the values to
// trim and of the missing values: no vector as long as the column is made.
// [[Rcpp::export]]
List cpp_id_positions(CharacterVector x) {
  const R_xlen_t n = x.size();
  std::vector<double> pad, miss;
  SEXP last_ok = R_NilValue;  // sorted extracts repeat a value on consecutive rows
  for (R_xlen_t i = 0; i < n; ++i) {
    SEXP s = x[i];
    if (s == last_ok) continue;
    int st = 2;
    if (s != NA_STRING) {
      st = cscdemand::id_status(CHAR(s), static_cast<std::size_t>(LENGTH(s)));
    }
    if (st == 0) {
      last_ok = s;
    } else if (st == 1) {
      pad.push_back(static_cast<double>(i + 1));
    } else {
      miss.push_back(static_cast<double>(i + 1));
    }
  }
  return List::create(_["pad"] = wrap(pad), _["miss"] = wrap(miss));
}
