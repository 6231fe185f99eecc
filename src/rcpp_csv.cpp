// Rcpp glue for the CSV structure check and field parser: type conversion
// only; the state machines are in inst/include/cscdemand/csv_scan.h and
// csv_parse.h.
#include <Rcpp.h>

#include <cstdio>
#include <string>
#include <vector>

#include <cscdemand/csv_parse.h>
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

// Parse a checked file (no value over several lines) into one factor per
// column: integer codes into the column's distinct values, in first-seen
// order, marked UTF-8 as the file is read as UTF-8. `nrow` is the number of
// data records found by the structure scan. Returns the error code of
// csv_parse.h (0 = none) with the columns.
// [[Rcpp::export]]
List cpp_csv_read_columns(std::string path, int ncol, int nrow) {
  List cols(ncol);
  std::vector<int*> out(ncol);
  for (int c = 0; c < ncol; ++c) {
    IntegerVector v(nrow);
    cols[c] = v;
    out[c] = INTEGER(v);
  }
  cscdemand::CsvColumnParser p(static_cast<std::size_t>(ncol),
                               static_cast<std::size_t>(nrow), out);
  p.parse_file(path.c_str());
  if (p.error != cscdemand::CSVP_OK) {
    return List::create(_["error"] = p.error, _["line"] = static_cast<double>(p.line));
  }
  for (int c = 0; c < ncol; ++c) {
    cscdemand::StringDict& d = p.dicts[c];
    const int k = static_cast<int>(d.count());
    CharacterVector lv(k);
    for (int i = 0; i < k; ++i) {
      SET_STRING_ELT(lv, i, Rf_mkCharLenCE(d.data(i), static_cast<int>(d.size(i)), CE_UTF8));
    }
    d.clear();  // each dictionary goes once its levels are made
    SEXP v = cols[c];
    Rf_setAttrib(v, R_LevelsSymbol, lv);
    Rf_setAttrib(v, R_ClassSymbol, Rf_mkString("factor"));
  }
  return List::create(_["error"] = 0, _["columns"] = cols);
}
