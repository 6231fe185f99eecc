// Rcpp glue for the CSV structure check and field parser: type conversion
// only; the state machines are in inst/include/cscdemand/csv_scan.h and
// csv_parse.h.
#include <Rcpp.h>
#include <R_ext/Altrep.h>
#include <R_ext/Rdynload.h>

#include <algorithm>
#include <climits>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include <cscdemand/csv_delim.h>
#include <cscdemand/csv_parse.h>
#include <cscdemand/csv_scan.h>
#include <cscdemand/memory.h>
#include <cscdemand/read_keys.h>

#include "progress_adaptor.h"

using namespace Rcpp;

// ---------------------------------------------------------------------------
// Lazy text: a character vector whose values stay in a parser dictionary
// (csv_parse.h) as codes, and become R strings only when one is asked for.
// Making millions of distinct R strings costs R's string cache and garbage
// collector seconds per million, so the identifier columns of a big file
// stay lazy through the reader and into its result. data1 = list(external
// pointer to the dictionary, integer codes, 1-based, NA = missing); data2 =
// the R strings once a whole vector is needed (DATAPTR, or a value set).

static R_altrep_class_t lazy_chr_class;

static void lazy_dict_finalize(SEXP xp) {
  delete static_cast<cscdemand::StringDict*>(R_ExternalPtrAddr(xp));
  R_ClearExternalPtr(xp);
}

static SEXP lazy_new(SEXP xp, SEXP codes) {
  SEXP d1 = PROTECT(Rf_allocVector(VECSXP, 2));
  SET_VECTOR_ELT(d1, 0, xp);
  SET_VECTOR_ELT(d1, 1, codes);
  SEXP out = R_new_altrep(lazy_chr_class, d1, R_NilValue);
  UNPROTECT(1);
  return out;
}

static SEXP lazy_xp(SEXP x) { return VECTOR_ELT(R_altrep_data1(x), 0); }
static SEXP lazy_codes(SEXP x) { return VECTOR_ELT(R_altrep_data1(x), 1); }
static const cscdemand::StringDict* lazy_dict(SEXP x) {
  return static_cast<const cscdemand::StringDict*>(R_ExternalPtrAddr(lazy_xp(x)));
}

// The dictionary and codes of a lazy vector whose values were never set,
// else NULL.
static const cscdemand::StringDict* lazy_parts(SEXP x, const int** codes) {
  if (!ALTREP(x) || !R_altrep_inherits(x, lazy_chr_class) || R_altrep_data2(x) != R_NilValue) {
    return nullptr;
  }
  *codes = INTEGER(lazy_codes(x));
  return lazy_dict(x);
}

static SEXP lazy_make_elt(SEXP x, R_xlen_t i) {
  const int k = INTEGER(lazy_codes(x))[i];
  if (k == NA_INTEGER) return NA_STRING;
  const cscdemand::StringDict* d = lazy_dict(x);
  return Rf_mkCharLenCE(d->data(k - 1), static_cast<int>(d->size(k - 1)), CE_UTF8);
}

static SEXP lazy_materialize(SEXP x) {
  SEXP d2 = R_altrep_data2(x);
  if (d2 != R_NilValue) return d2;
  const R_xlen_t n = XLENGTH(lazy_codes(x));
  d2 = PROTECT(Rf_allocVector(STRSXP, n));
  for (R_xlen_t i = 0; i < n; ++i) SET_STRING_ELT(d2, i, lazy_make_elt(x, i));
  R_set_altrep_data2(x, d2);
  UNPROTECT(1);
  return d2;
}

static R_xlen_t lazy_length(SEXP x) { return XLENGTH(lazy_codes(x)); }

static SEXP lazy_elt(SEXP x, R_xlen_t i) {
  SEXP d2 = R_altrep_data2(x);
  return d2 != R_NilValue ? STRING_ELT(d2, i) : lazy_make_elt(x, i);
}

static void lazy_set_elt(SEXP x, R_xlen_t i, SEXP v) {
  SET_STRING_ELT(lazy_materialize(x), i, v);
}

static void* lazy_dataptr(SEXP x, Rboolean) { return DATAPTR(lazy_materialize(x)); }

static const void* lazy_dataptr_or_null(SEXP x) {
  SEXP d2 = R_altrep_data2(x);
  return d2 == R_NilValue ? nullptr : DATAPTR(d2);
}

// Subsets stay lazy: the codes are subset, the dictionary shared.
static SEXP lazy_extract_subset(SEXP x, SEXP indx, SEXP) {
  if (R_altrep_data2(x) != R_NilValue) return nullptr;
  const int t = TYPEOF(indx);
  if (t != INTSXP && t != REALSXP) return nullptr;
  const R_xlen_t n = XLENGTH(indx), len = lazy_length(x);
  const int* codes = INTEGER(lazy_codes(x));
  SEXP out = PROTECT(Rf_allocVector(INTSXP, n));
  int* o = INTEGER(out);
  for (R_xlen_t j = 0; j < n; ++j) {
    double idx;
    if (t == INTSXP) {
      const int v = INTEGER(indx)[j];
      idx = v == NA_INTEGER ? -1.0 : static_cast<double>(v);
    } else {
      idx = REAL(indx)[j];
      if (std::isnan(idx)) idx = -1.0;
    }
    o[j] = (idx >= 1.0 && idx <= static_cast<double>(len))
               ? codes[static_cast<R_xlen_t>(idx) - 1] : NA_INTEGER;
  }
  SEXP res = lazy_new(lazy_xp(x), out);
  UNPROTECT(1);
  return res;
}

static SEXP lazy_duplicate(SEXP x, Rboolean) {
  // The codes are never changed in place, so a copy can share them.
  if (R_altrep_data2(x) != R_NilValue) return nullptr;
  return lazy_new(lazy_xp(x), lazy_codes(x));
}

static Rboolean lazy_inspect(SEXP x, int, int, int, void (*)(SEXP, int, int, int)) {
  Rprintf(" cscdemand lazy text (%s)\n",
          R_altrep_data2(x) == R_NilValue ? "codes" : "materialised");
  return TRUE;
}

// [[Rcpp::init]]
void cscdemand_init_lazy_text(DllInfo* dll) {
  lazy_chr_class = R_make_altstring_class("cscdemand_lazy_text", "cscdemand", dll);
  R_set_altrep_Length_method(lazy_chr_class, lazy_length);
  R_set_altrep_Inspect_method(lazy_chr_class, lazy_inspect);
  R_set_altrep_Duplicate_method(lazy_chr_class, lazy_duplicate);
  R_set_altvec_Dataptr_method(lazy_chr_class, lazy_dataptr);
  R_set_altvec_Dataptr_or_null_method(lazy_chr_class, lazy_dataptr_or_null);
  R_set_altvec_Extract_subset_method(lazy_chr_class, lazy_extract_subset);
  R_set_altstring_Elt_method(lazy_chr_class, lazy_elt);
  R_set_altstring_Set_elt_method(lazy_chr_class, lazy_set_elt);
}

// The text of a factor: lazy when its levels are (no R string is made),
// else NULL (the caller uses as.character()).
// [[Rcpp::export]]
SEXP cpp_lazy_factor_text(SEXP f) {
  SEXP lv = Rf_getAttrib(f, R_LevelsSymbol);
  const int* lcodes = nullptr;
  if (TYPEOF(f) != INTSXP || !lazy_parts(lv, &lcodes)) return R_NilValue;
  const R_xlen_t n = XLENGTH(f), nl = XLENGTH(lv);
  SEXP out = PROTECT(Rf_allocVector(INTSXP, n));
  const int* k = INTEGER(f);
  int* o = INTEGER(out);
  for (R_xlen_t i = 0; i < n; ++i) {
    o[i] = (k[i] == NA_INTEGER || k[i] < 1 || k[i] > nl) ? NA_INTEGER : lcodes[k[i] - 1];
  }
  SEXP res = lazy_new(lazy_xp(lv), out);
  UNPROTECT(1);
  return res;
}

// Whether a vector is lazy text (for tests).
// [[Rcpp::export]]
bool cpp_is_lazy_text(SEXP x) {
  const int* codes = nullptr;
  return lazy_parts(x, &codes) != nullptr;
}

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
IntegerVector cpp_non_ascii(SEXP x) {
  const R_xlen_t n = XLENGTH(x);
  std::vector<int> out;
  const int* codes = nullptr;
  if (const cscdemand::StringDict* d = lazy_parts(x, &codes)) {
    for (R_xlen_t i = 0; i < n; ++i) {
      if (codes[i] == NA_INTEGER) continue;
      const unsigned char* p = reinterpret_cast<const unsigned char*>(d->data(codes[i] - 1));
      const std::size_t len = d->size(codes[i] - 1);
      for (std::size_t j = 0; j < len; ++j) {
        if (p[j] > 127) {
          out.push_back(static_cast<int>(i + 1));
          break;
        }
      }
    }
    return wrap(out);
  }
  SEXP last_ascii = R_NilValue;
  for (R_xlen_t i = 0; i < n; ++i) {
    SEXP s = STRING_ELT(x, i);
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
List cpp_id_positions(SEXP x) {
  const R_xlen_t n = XLENGTH(x);
  std::vector<double> pad, miss;
  const int* codes = nullptr;
  if (const cscdemand::StringDict* d = lazy_parts(x, &codes)) {
    for (R_xlen_t i = 0; i < n; ++i) {
      int st = 2;
      if (codes[i] != NA_INTEGER) st = cscdemand::id_status(d->data(codes[i] - 1), d->size(codes[i] - 1));
      if (st == 1) pad.push_back(static_cast<double>(i + 1));
      if (st == 2) miss.push_back(static_cast<double>(i + 1));
    }
    return List::create(_["pad"] = wrap(pad), _["miss"] = wrap(miss));
  }
  SEXP last_ok = R_NilValue;  // sorted extracts repeat a value on consecutive rows
  for (R_xlen_t i = 0; i < n; ++i) {
    SEXP s = STRING_ELT(x, i);
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


// The parser's columns as factors: levels from each column's dictionary,
// lazy (no R string made) when a column has more than `lazy_min` distinct
// values. `nrow` is the number of rows read: columns allocated longer (the
// fast path allocates for every line) are cut to it.
static List parsed_factors(cscdemand::CsvColumnParser& p, List cols, R_xlen_t nrow,
                           double lazy_min) {
  const int ncol = cols.size();
  for (int c = 0; c < ncol; ++c) {
    if (Rf_xlength(cols[c]) != nrow) cols[c] = Rf_xlengthgets(cols[c], nrow);
    cscdemand::StringDict& d = p.dicts[c];
    const int k = static_cast<int>(d.count());
    SEXP lv;
    if (k > 0 && static_cast<double>(k) > lazy_min) {
      d.freeze();
      SEXP xp = PROTECT(R_MakeExternalPtr(new cscdemand::StringDict(std::move(d)),
                                          R_NilValue, R_NilValue));
      R_RegisterCFinalizerEx(xp, lazy_dict_finalize, TRUE);
      SEXP codes = PROTECT(Rf_allocVector(INTSXP, k));
      for (int i = 0; i < k; ++i) INTEGER(codes)[i] = i + 1;
      lv = PROTECT(lazy_new(xp, codes));
    } else {
      lv = PROTECT(Rf_allocVector(STRSXP, k));
      for (int i = 0; i < k; ++i) {
        SET_STRING_ELT(lv, i, Rf_mkCharLenCE(d.data(i), static_cast<int>(d.size(i)), CE_UTF8));
      }
      d.clear();  // each dictionary goes once its levels are made
    }
    SEXP v = cols[c];
    Rf_setAttrib(v, R_LevelsSymbol, lv);
    Rf_setAttrib(v, R_ClassSymbol, Rf_mkString("factor"));
    UNPROTECT(k > 0 && static_cast<double>(k) > lazy_min ? 3 : 1);
  }
  return cols;
}

static List alloc_columns(int ncol, R_xlen_t nrow, std::vector<int*>& out) {
  List cols(ncol);
  out.assign(ncol, nullptr);
  for (int c = 0; c < ncol; ++c) {
    IntegerVector v(Rcpp::no_init(nrow));  // every row is written by the parser
    cols[c] = v;
    out[c] = INTEGER(v);
    cscdemand::advise_huge_pages(out[c], static_cast<std::size_t>(nrow) * sizeof(int));
  }
  return cols;
}

// Runs the parse, checking for an interrupt after each block of the file and,
// when asked, showing a cli progress bar over its `total` bytes (cli shows
// it only if the read lasts a few seconds).
static void parse_with_progress(cscdemand::CsvColumnParser& p, const std::string& path,
                                double total, bool progress) {
  with_cli_progress("Reading the CSV file", total, progress, [&](auto tick) {
    p.on_block = [&](std::size_t done) { tick(static_cast<double>(done)); };
    p.parse_file(path.c_str());
    p.on_block = nullptr;  // it refers to this call's bar
  });
}

// Parse a checked file (no value over several lines) into one factor per
// column: integer codes into the column's distinct values, in first-seen
// order, marked UTF-8 as the file is read as UTF-8. `nrow` is the number of
// data records found by the structure scan. A column with more than
// `lazy_min` distinct values gets lazy levels (no R string made). Returns
// the error code of csv_parse.h (0 = none) with the columns. `bytes` (the
// file's size) is the progress bar's total.
// [[Rcpp::export]]
List cpp_csv_read_columns(std::string path, int ncol, int nrow, double lazy_min, double bytes,
                          bool progress) {
  std::vector<int*> out;
  List cols = alloc_columns(ncol, nrow, out);
  cscdemand::CsvColumnParser p(static_cast<std::size_t>(ncol),
                               static_cast<std::size_t>(nrow), out);
  parse_with_progress(p, path, bytes, progress);
  if (p.error != cscdemand::CSVP_OK) {
    return List::create(_["error"] = p.error, _["line"] = static_cast<double>(p.line));
  }
  return List::create(_["error"] = 0, _["columns"] = parsed_factors(p, cols, nrow, lazy_min));
}

// The fast path: the same parse without the structure scan (an
// uncompressed file). A first pass counts the lines and checks the header;
// the parse then checks each line as it reads it, and gives up (error 6) at
// anything the scan would have to look at. Returns the columns, the header
// line, the number of physical lines and the blank lines, or an error code
// (the caller then scans and parses as usual).
// [[Rcpp::export]]
List cpp_csv_read_fast(std::string path, double lazy_min, bool progress) {
  cscdemand::CsvPrepass pre;
  if (!pre.run(path.c_str()) || pre.header_fields < 1 || pre.lines <= pre.header_line ||
      pre.lines - pre.header_line > static_cast<std::size_t>(INT_MAX)) {
    return List::create(_["error"] = static_cast<int>(cscdemand::CSVP_UNCHECKED));
  }
  const int ncol = pre.header_fields;
  // Room for every line after the header, but never more cells than the
  // file has bytes: a record of ncol fields takes at least ncol bytes (its
  // commas and its line end), so a header far wider than the data lines
  // cannot make a huge allocation (the parse then gives way to the scan).
  const std::size_t by_bytes = pre.bytes / static_cast<std::size_t>(ncol) + 2;
  const R_xlen_t cap = static_cast<R_xlen_t>(std::min(pre.lines - pre.header_line, by_bytes));
  std::vector<int*> out;
  List cols = alloc_columns(ncol, cap, out);
  cscdemand::CsvColumnParser p(static_cast<std::size_t>(ncol), static_cast<std::size_t>(cap),
                               out);
  p.checked = true;
  parse_with_progress(p, path, static_cast<double>(pre.bytes), progress);
  if (p.error != cscdemand::CSVP_OK || p.rows() == 0) {
    return List::create(_["error"] = p.error == cscdemand::CSVP_OK
                                         ? static_cast<int>(cscdemand::CSVP_UNCHECKED)
                                         : p.error);
  }
  const R_xlen_t nrow = static_cast<R_xlen_t>(p.rows());
  return List::create(_["error"] = 0,
                      _["columns"] = parsed_factors(p, cols, nrow, lazy_min),
                      _["header_line"] = static_cast<double>(pre.header_line),
                      _["lines"] = static_cast<double>(pre.lines),
                      _["blank"] = wrap(p.blank_lines));
}

// The text of physical lines first..last of a file (see csv_parse.h), as
// one UTF-8 string: the header of a CSV file, found where the scan found it.
// [[Rcpp::export]]
SEXP cpp_csv_line_range(std::string path, double first, double last) {
  std::string out;
  if (first < 1 || last < first ||
      !cscdemand::read_line_range(path.c_str(), static_cast<std::size_t>(first),
                                  static_cast<std::size_t>(last), out)) {
    stop("cannot read the header lines");
  }
  if (out.find('\0') != std::string::npos) stop("the header holds a NUL byte");
  return Rf_ScalarString(Rf_mkCharLenCE(out.data(), static_cast<int>(out.size()), CE_UTF8));
}

// The separator of a header line (csv_delim.h), as a one-byte string.
// [[Rcpp::export]]
std::string cpp_csv_header_delim(std::string line) {
  return std::string(1, cscdemand::header_delimiter(line.data(), line.data() + line.size()));
}

// Rewrites a file separated by `delim` as comma-separated text in `out`
// (csv_delim.h): same lines, same values. With `blank_first`, the first
// line (Excel's "sep=;" line) is written empty, so the lines keep their
// numbers.
// [[Rcpp::export]]
void cpp_csv_redelimit(std::string path, std::string out_path, std::string delim,
                       bool blank_first = false) {
  if (delim.size() != 1) stop("cpp_csv_redelimit: the separator must be one byte");
  std::unique_ptr<std::FILE, cscdemand::FileCloser> out(std::fopen(out_path.c_str(), "wb"));
  if (!out) stop("cannot write a temporary file");
  cscdemand::CsvRedelimiter rd(delim[0]);
  std::string buf;
  bool ok = true;
  bool skipping = blank_first;
  const bool opened = cscdemand::for_each_block(path.c_str(), 4u << 20, [&](const char* p, const char* e) {
    buf.clear();
    if (skipping) {
      const char* nl = cscdemand::find_byte(p, e, '\n');
      if (!nl) return true;  // the first line goes on into the next block
      p = nl;
      skipping = false;
    }
    rd.feed(p, e, buf);
    ok = std::fwrite(buf.data(), 1, buf.size(), out.get()) == buf.size();
    return ok;
  });
  buf.clear();
  rd.finish(buf);
  if (ok) ok = std::fwrite(buf.data(), 1, buf.size(), out.get()) == buf.size();
  if (!opened) stop("cannot open the file");
  if (!ok || std::fflush(out.get()) != 0) stop("cannot write a temporary file (is the disk full?)");
}

// First rows (1-based) of the runs of an integer key.
// [[Rcpp::export]]
IntegerVector cpp_run_starts(IntegerVector g) {
  std::vector<int> s = cscdemand::run_starts(g.begin(), static_cast<std::size_t>(g.size()));
  for (int& v : s) ++v;
  return wrap(s);
}

// Positions (1-based) of pairs repeating a code within their group, or NULL
// when the groups are not sorted.
// [[Rcpp::export]]
SEXP cpp_repeated_in_groups(IntegerVector g, IntegerVector code, int ncode) {
  std::vector<int> dup;
  if (g.size() != code.size() ||
      !cscdemand::repeated_in_sorted_groups(g.begin(), code.begin(),
                                            static_cast<std::size_t>(g.size()), ncode, dup)) {
    return R_NilValue;
  }
  for (int& v : dup) ++v;
  return wrap(dup);
}

// Rows (1-based) where any / every vector of `parts` is missing (character,
// factor or other integer, logical or double vectors of equal length).
// [[Rcpp::export]]
IntegerVector cpp_na_rows(List parts, bool all) {
  const std::size_t ncol = parts.size();
  const R_xlen_t n = ncol ? Rf_xlength(parts[0]) : 0;
  std::vector<SEXP> cols(ncol);
  for (std::size_t c = 0; c < ncol; ++c) {
    cols[c] = parts[c];
    const int t = TYPEOF(cols[c]);
    if (Rf_xlength(cols[c]) != n || (t != STRSXP && t != INTSXP && t != LGLSXP && t != REALSXP)) {
      stop("cpp_na_rows: columns must be atomic vectors of equal length");
    }
  }
  auto is_na = [&](std::size_t c, std::size_t i) -> bool {
    SEXP x = cols[c];
    switch (TYPEOF(x)) {
      case STRSXP: return STRING_ELT(x, i) == NA_STRING;
      case INTSXP:
      case LGLSXP: return INTEGER(x)[i] == NA_INTEGER;
      default: return std::isnan(REAL(x)[i]);
    }
  };
  std::vector<int> r = cscdemand::na_rows(static_cast<std::size_t>(n), ncol, all, is_na);
  for (int& v : r) ++v;
  return wrap(r);
}

// Rows (1-based) with an implausible date: out of [lo, hi] in either
// column, or the first date after the second. Dates are integer or double
// days; NULL when the column is absent.
// [[Rcpp::export]]
List cpp_date_flags(SEXP a, SEXP b, double lo, double hi) {
  std::vector<int> range, order;
  const bool has_a = !Rf_isNull(a), has_b = !Rf_isNull(b);
  const R_xlen_t n = has_a ? Rf_xlength(a) : (has_b ? Rf_xlength(b) : 0);
  if ((has_a && Rf_xlength(a) != n) || (has_b && Rf_xlength(b) != n)) {
    stop("cpp_date_flags: date columns of different lengths");
  }
  const bool ints = (!has_a || TYPEOF(a) == INTSXP) && (!has_b || TYPEOF(b) == INTSXP);
  if (ints) {
    cscdemand::date_flags(has_a ? INTEGER(a) : nullptr, has_b ? INTEGER(b) : nullptr,
                          static_cast<std::size_t>(n), lo, hi,
                          [](int x) { return x == NA_INTEGER; }, range, order);
  } else {
    NumericVector da = has_a ? NumericVector(a) : NumericVector(0);
    NumericVector db = has_b ? NumericVector(b) : NumericVector(0);
    cscdemand::date_flags(has_a ? da.begin() : nullptr, has_b ? db.begin() : nullptr,
                          static_cast<std::size_t>(n), lo, hi,
                          [](double x) { return std::isnan(x); }, range, order);
  }
  for (int& v : range) ++v;
  for (int& v : order) ++v;
  return List::create(_["range"] = wrap(range), _["order"] = wrap(order));
}

// Order (1-based) of pairs by group then code when the groups are sorted,
// else NULL. Codes must not be missing.
// [[Rcpp::export]]
SEXP cpp_order_pairs(IntegerVector g, IntegerVector code) {
  std::vector<int> ord;
  if (g.size() != code.size()) return R_NilValue;
  for (R_xlen_t i = 0; i < code.size(); ++i) {
    if (code[i] == NA_INTEGER || g[i] == NA_INTEGER) return R_NilValue;
  }
  if (!cscdemand::order_sorted_groups(g.begin(), code.begin(),
                                      static_cast<std::size_t>(g.size()), ord)) {
    return R_NilValue;
  }
  for (int& v : ord) ++v;
  return wrap(ord);
}

// Distinct codes of a factor in first-seen order (NA as nlevels + 1) and the
// position of each row's value in that order.
// [[Rcpp::export]]
List cpp_first_seen_index(IntegerVector k, int ncode) {
  IntegerVector iu(Rcpp::no_init(k.size()));  // every row is written
  cscdemand::advise_huge_pages(iu.begin(), static_cast<std::size_t>(k.size()) * sizeof(int));
  std::vector<int> seen = cscdemand::first_seen_index(
      k.begin(), static_cast<std::size_t>(k.size()), ncode, iu.begin());
  return List::create(_["seen"] = wrap(seen), _["iu"] = iu);
}

// Rows (1-based) whose distinct value `iu` is flagged (which(flag[iu])).
// [[Rcpp::export]]
IntegerVector cpp_rows_where(IntegerVector iu, LogicalVector flag) {
  std::vector<int> r = cscdemand::rows_where(iu.begin(), static_cast<std::size_t>(iu.size()),
                                             flag.begin(), static_cast<std::size_t>(flag.size()));
  for (int& v : r) ++v;
  return wrap(r);
}

// val[iu[at]] without the intermediate vector (all 1-based, in range).
// [[Rcpp::export]]
IntegerVector cpp_lookup_at(IntegerVector iu, IntegerVector at, IntegerVector val) {
  const R_xlen_t n = at.size();
  IntegerVector out(n);
  for (R_xlen_t j = 0; j < n; ++j) {
    const int r = at[j], u = (r >= 1 && r <= iu.size()) ? iu[r - 1] : NA_INTEGER;
    out[j] = (u != NA_INTEGER && u >= 1 && u <= val.size()) ? val[u - 1] : NA_INTEGER;
  }
  return out;
}
