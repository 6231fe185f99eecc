// Rcpp glue for episode_factors(): type conversion only; the loops are in
// inst/include/cscdemand/episodes.h. Masks travel through R as raw vectors
// of 8 bytes per episode (R has no 64-bit integer), which only these
// functions read.
#include <Rcpp.h>
#include <R_ext/Altrep.h>
#include <R_ext/Rdynload.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <vector>

#include <cscdemand/episodes.h>
#include <cscdemand/memory.h>

using namespace Rcpp;
using cscdemand::EpMask;

static EpMask* mask_ptr(RawVector m) { return reinterpret_cast<EpMask*>(RAW(m)); }

static std::size_t mask_len(RawVector m) {
  if (m.size() % sizeof(EpMask) != 0) stop("episode masks: length is not a multiple of 8");
  return static_cast<std::size_t>(m.size()) / sizeof(EpMask);
}

static RawVector mask_new(std::size_t n) {
  RawVector out(Rcpp::no_init(n * sizeof(EpMask)));
  cscdemand::advise_huge_pages(RAW(out), n * sizeof(EpMask));
  std::memset(RAW(out), 0, n * sizeof(EpMask));
  return out;
}

static void check_column(int col) {
  if (col < 1 || col > cscdemand::kMaskColumns) stop("episode masks: column out of range");
}

// Masks of the episodes from (assessment, column) pairs; `ep_of` is each
// assessment's episode. Returns the masks, with the number of pairs skipped
// (missing or out of range) as attribute "skipped".
// [[Rcpp::export]]
RawVector cpp_ep_masks(IntegerVector ep_of, IntegerVector assess, IntegerVector col, int n_ep) {
  if (assess.size() != col.size()) stop("cpp_ep_masks: pairs of different lengths");
  RawVector out = mask_new(static_cast<std::size_t>(n_ep));
  const std::size_t skipped = cscdemand::masks_from_pairs(
      ep_of.begin(), static_cast<std::size_t>(ep_of.size()), assess.begin(), col.begin(),
      static_cast<std::size_t>(assess.size()), static_cast<std::size_t>(n_ep), mask_ptr(out));
  out.attr("skipped") = static_cast<double>(skipped);
  return out;
}

// Code 21 beside other codes, no factors, Other only (episodes.h,
// mask_no_factors()): new masks and alive flags (the inputs are not
// changed), the number of factors per episode, and the counts.
// [[Rcpp::export]]
List cpp_ep_no_factors(RawVector m, LogicalVector alive, int col21, int col20, bool drop_none,
                       bool drop_other) {
  check_column(col21);
  check_column(col20);
  const std::size_t n = mask_len(m);
  if (static_cast<std::size_t>(alive.size()) != n) stop("cpp_ep_no_factors: `alive` length");
  RawVector out = clone(m);
  LogicalVector al = clone(alive);
  IntegerVector n_factors(Rcpp::no_init(n));
  NumericVector counts(4);
  cscdemand::mask_no_factors(mask_ptr(out), n, col21, col20, drop_none, drop_other, al.begin(),
                             n_factors.begin(), counts.begin());
  counts.names() = CharacterVector::create("with_21", "none", "none_21", "other_only");
  return List::create(_["mask"] = out, _["alive"] = al, _["n_factors"] = n_factors,
                      _["counts"] = counts);
}

// Alive flags without the episodes left with no factor (a copy), with the
// number dropped as attribute "dropped".
// [[Rcpp::export]]
LogicalVector cpp_ep_drop_emptied(RawVector m, LogicalVector alive, IntegerVector n_factors) {
  const std::size_t n = mask_len(m);
  if (static_cast<std::size_t>(alive.size()) != n ||
      static_cast<std::size_t>(n_factors.size()) != n) {
    stop("cpp_ep_drop_emptied: lengths differ");
  }
  LogicalVector al = clone(alive);
  const std::size_t d = cscdemand::mask_drop_emptied(mask_ptr(m), n, n_factors.begin(), al.begin());
  al.attr("dropped") = static_cast<double>(d);
  return al;
}

// A copy of the masks without the columns `cols`.
// [[Rcpp::export]]
RawVector cpp_ep_mask_clear(RawVector m, IntegerVector cols) {
  EpMask clear = 0;
  for (int k : cols) {
    check_column(k);
    clear |= cscdemand::mask_bit(k);
  }
  RawVector out = clone(m);
  cscdemand::mask_clear(mask_ptr(out), mask_len(m), clear);
  return out;
}

// Masks with column k moved to map[k] (a merge when several share one), for
// the episodes flagged by `alive` (NULL: all); the others become empty.
// [[Rcpp::export]]
RawVector cpp_ep_mask_remap(RawVector m, IntegerVector map, Nullable<LogicalVector> alive) {
  const std::size_t n = mask_len(m);
  for (int k : map) check_column(k);
  const int* a = nullptr;
  LogicalVector av;
  if (alive.isNotNull()) {
    av = LogicalVector(alive.get());
    if (static_cast<std::size_t>(av.size()) != n) stop("cpp_ep_mask_remap: `alive` length");
    a = av.begin();
  }
  RawVector out = mask_new(n);
  cscdemand::mask_remap(mask_ptr(m), n, map.begin(), static_cast<int>(map.size()), a,
                        mask_ptr(out));
  return out;
}

// Episodes with each column (1..ncol).
// [[Rcpp::export]]
IntegerVector cpp_ep_mask_counts(RawVector m, int ncol) {
  if (ncol < 0 || ncol > cscdemand::kMaskColumns) stop("cpp_ep_mask_counts: ncol out of range");
  IntegerVector out(ncol);
  cscdemand::mask_counts(mask_ptr(m), mask_len(m), ncol, out.begin());
  return out;
}

// ---------------------------------------------------------------------------
// Flag columns kept as masks: an integer vector whose values are one bit of
// each episode's mask. The 0/1 table of 3 million episodes by 29 factors is
// 0.34 GB as R integers; all its columns share one mask vector (8 bytes per
// episode), so the table costs 24 MB until a column is needed whole. Values
// read one at a time or by region (sum(), mean(), table(), is.na(),
// printing, subsetting) come from the bits; DATAPTR (arithmetic, comparison,
// ordering, saving, most C code) makes the column's integers once and keeps
// them (from then on the column
// is plain integers, plus the shared masks). data1 = list(masks of the kept
// episodes, their missing cells or NULL, the column's bit (1..64), the
// number of missing cells in the column, a double); data2 = the integers
// once made. Values are never changed in place (a change goes to the
// integers), so copies share data1. Saved objects hold plain integers (no
// serialisation method: R writes the values, which makes them, and a file
// read where cscdemand is not installed loses nothing).

static R_altrep_class_t flag_class;

static SEXP flag_masks(SEXP x) { return VECTOR_ELT(R_altrep_data1(x), 0); }
static SEXP flag_na(SEXP x) { return VECTOR_ELT(R_altrep_data1(x), 1); }
static int flag_col(SEXP x) { return INTEGER(VECTOR_ELT(R_altrep_data1(x), 2))[0]; }
static double flag_n_na(SEXP x) { return REAL(VECTOR_ELT(R_altrep_data1(x), 3))[0]; }
static const EpMask* flag_na_ptr(SEXP x) {
  SEXP na = flag_na(x);
  return na == R_NilValue ? nullptr : reinterpret_cast<const EpMask*>(RAW(na));
}

static R_xlen_t flag_length(SEXP x) {
  return XLENGTH(flag_masks(x)) / static_cast<R_xlen_t>(sizeof(EpMask));
}

static void flag_fill(SEXP x, R_xlen_t start, R_xlen_t len, int* out) {
  cscdemand::mask_flag_region(reinterpret_cast<const EpMask*>(RAW(flag_masks(x))), flag_na_ptr(x),
                              static_cast<std::size_t>(start), static_cast<std::size_t>(len),
                              flag_col(x), out);
}

static SEXP flag_materialize(SEXP x) {
  SEXP d2 = R_altrep_data2(x);
  if (d2 != R_NilValue) return d2;
  const R_xlen_t n = flag_length(x);
  d2 = PROTECT(Rf_allocVector(INTSXP, n));
  flag_fill(x, 0, n, INTEGER(d2));
  R_set_altrep_data2(x, d2);
  UNPROTECT(1);
  return d2;
}

static int flag_elt(SEXP x, R_xlen_t i) {
  SEXP d2 = R_altrep_data2(x);
  if (d2 != R_NilValue) return INTEGER(d2)[i];
  int v;
  flag_fill(x, i, 1, &v);
  return v;
}

static R_xlen_t flag_get_region(SEXP x, R_xlen_t i, R_xlen_t n, int* buf) {
  const R_xlen_t len = flag_length(x);
  if (i >= len) return 0;
  const R_xlen_t m = std::min(n, len - i);
  SEXP d2 = R_altrep_data2(x);
  if (d2 != R_NilValue) {
    std::memcpy(buf, INTEGER(d2) + i, static_cast<std::size_t>(m) * sizeof(int));
  } else {
    flag_fill(x, i, m, buf);
  }
  return m;
}

static void* flag_dataptr(SEXP x, Rboolean) { return DATAPTR(flag_materialize(x)); }

static const void* flag_dataptr_or_null(SEXP x) {
  SEXP d2 = R_altrep_data2(x);
  return d2 == R_NilValue ? nullptr : DATAPTR(d2);
}

static int flag_no_na(SEXP x) { return R_altrep_data2(x) == R_NilValue && flag_n_na(x) == 0.0; }

// A subset is plain integers (a subset of masks would cost more per column).
static SEXP flag_extract_subset(SEXP x, SEXP indx, SEXP) {
  if (R_altrep_data2(x) != R_NilValue) return nullptr;
  const int t = TYPEOF(indx);
  if (t != INTSXP && t != REALSXP) return nullptr;
  const R_xlen_t n = XLENGTH(indx), len = flag_length(x);
  SEXP out = PROTECT(Rf_allocVector(INTSXP, n));
  int* o = INTEGER(out);
  const EpMask* m = reinterpret_cast<const EpMask*>(RAW(flag_masks(x)));
  const EpMask* na = flag_na_ptr(x);
  const int shift = flag_col(x) - 1;
  const int* ii = t == INTSXP ? INTEGER(indx) : nullptr;
  const double* di = t == REALSXP ? REAL(indx) : nullptr;
  for (R_xlen_t j = 0; j < n; ++j) {
    double idx;
    if (ii) {
      idx = ii[j] == NA_INTEGER ? -1.0 : static_cast<double>(ii[j]);
    } else {
      idx = std::isnan(di[j]) ? -1.0 : di[j];
    }
    if (idx >= 1.0 && idx < static_cast<double>(len) + 1.0) {
      const R_xlen_t i = static_cast<R_xlen_t>(idx) - 1;
      o[j] = cscdemand::mask_flag_value(m, na, static_cast<std::size_t>(i), shift);
    } else {
      o[j] = NA_INTEGER;
    }
  }
  UNPROTECT(1);
  return out;
}

static SEXP flag_duplicate(SEXP x, Rboolean) {
  if (R_altrep_data2(x) != R_NilValue) return nullptr;
  return R_new_altrep(flag_class, R_altrep_data1(x), R_NilValue);
}

static Rboolean flag_inspect(SEXP x, int, int, int, void (*)(SEXP, int, int, int)) {
  Rprintf(" cscdemand factor flag, bit %d (%s)\n", flag_col(x),
          R_altrep_data2(x) == R_NilValue ? "masks" : "materialised");
  return TRUE;
}

// [[Rcpp::init]]
void cscdemand_init_flags(DllInfo* dll) {
  flag_class = R_make_altinteger_class("cscdemand_flag", "cscdemand", dll);
  R_set_altrep_Length_method(flag_class, flag_length);
  R_set_altrep_Inspect_method(flag_class, flag_inspect);
  R_set_altrep_Duplicate_method(flag_class, flag_duplicate);
  R_set_altvec_Dataptr_method(flag_class, flag_dataptr);
  R_set_altvec_Dataptr_or_null_method(flag_class, flag_dataptr_or_null);
  R_set_altvec_Extract_subset_method(flag_class, flag_extract_subset);
  R_set_altinteger_Elt_method(flag_class, flag_elt);
  R_set_altinteger_Get_region_method(flag_class, flag_get_region);
  R_set_altinteger_No_NA_method(flag_class, flag_no_na);
}

// The 0/1 columns `cols` for the episodes kept (NA where the flag is
// missing and no assessment has the factor), with the number of NA cells as
// attribute "n_na". With `lazy`, the columns are flag vectors over the
// kept episodes' masks (above); else plain integers.
// [[Rcpp::export]]
List cpp_ep_mask_flags(RawVector m, Nullable<RawVector> miss, LogicalVector alive,
                       IntegerVector cols, bool lazy = true) {
  const std::size_t n = mask_len(m);
  if (static_cast<std::size_t>(alive.size()) != n) stop("cpp_ep_mask_flags: `alive` length");
  for (int k : cols) check_column(k);
  const EpMask* mi = nullptr;
  RawVector mv;
  if (miss.isNotNull()) {
    mv = RawVector(miss.get());
    if (mask_len(mv) != n) stop("cpp_ep_mask_flags: `miss` length");
    mi = mask_ptr(mv);
  }
  std::size_t n_keep = 0;
  for (std::size_t i = 0; i < n; ++i) n_keep += alive[i] != 0;
  RawVector km = mask_new(n_keep);
  RawVector kna;
  if (mi) kna = mask_new(n_keep);
  std::vector<std::size_t> na_counts(cscdemand::kMaskColumns, 0);
  cscdemand::mask_compact(mask_ptr(m), mi, n, alive.begin(), mask_ptr(km),
                          mi ? mask_ptr(kna) : nullptr, na_counts.data());
  bool any_na = false;
  for (int k : cols) any_na = any_na || na_counts[k - 1] > 0;
  if (!any_na) mi = nullptr;  // no missing cell left: no second set of masks to keep
  SEXP na_sexp = mi ? static_cast<SEXP>(kna) : R_NilValue;
  List out(cols.size());
  double n_na = 0;
  for (R_xlen_t j = 0; j < cols.size(); ++j) {
    const std::size_t col_na = na_counts[cols[j] - 1];
    n_na += static_cast<double>(col_na);
    if (lazy) {
      List d1 = List::create(km, na_sexp, IntegerVector::create(cols[j]),
                             NumericVector::create(static_cast<double>(col_na)));
      out[j] = R_new_altrep(flag_class, d1, R_NilValue);
    } else {
      IntegerVector v(Rcpp::no_init(n_keep));
      cscdemand::advise_huge_pages(v.begin(), n_keep * sizeof(int));
      cscdemand::mask_flag_region(mask_ptr(km), mi ? mask_ptr(kna) : nullptr, 0, n_keep, cols[j],
                                  v.begin());
      out[j] = v;
    }
  }
  out.attr("n_na") = n_na;
  return out;
}

// Whether `x` is a flag vector still held as masks (for tests and the
// benchmark).
// [[Rcpp::export]]
bool cpp_is_mask_flag(SEXP x) {
  return ALTREP(x) && R_altrep_inherits(x, flag_class) && R_altrep_data2(x) == R_NilValue;
}

// The number of episodes (sorted rows) in which `x` takes more than one
// value; NA counts as a value. Equal strings are detected by their cached
// pointer, else by their bytes.
// [[Rcpp::export]]
int cpp_ep_n_differ(SEXP x, IntegerVector ep_of) {
  const std::size_t n = static_cast<std::size_t>(ep_of.size());
  if (static_cast<std::size_t>(Rf_xlength(x)) != n) stop("cpp_ep_n_differ: lengths differ");
  const int* e = ep_of.begin();
  switch (TYPEOF(x)) {
    case INTSXP:
    case LGLSXP: {
      const int* v = INTEGER(x);
      return cscdemand::episodes_differing(e, n, [&](std::size_t i) { return v[i] == v[i - 1]; });
    }
    case REALSXP: {
      const double* v = REAL(x);
      return cscdemand::episodes_differing(e, n, [&](std::size_t i) {
        return v[i] == v[i - 1] || (std::isnan(v[i]) && std::isnan(v[i - 1]));
      });
    }
    case STRSXP:
      // R's own string equality: "bytes" text equals only "bytes" text with
      // the same bytes; other text is compared in UTF-8 (the memory of a
      // translation is released at once).
      return cscdemand::episodes_differing(e, n, [&](std::size_t i) {
        SEXP a = STRING_ELT(x, i - 1), b = STRING_ELT(x, i);
        if (a == b) return true;
        if (a == NA_STRING || b == NA_STRING) return false;
        const bool ba = Rf_getCharCE(a) == CE_BYTES, bb = Rf_getCharCE(b) == CE_BYTES;
        if (ba || bb) return ba && bb && std::strcmp(CHAR(a), CHAR(b)) == 0;
        const void* vmax = vmaxget();
        const bool same = std::strcmp(Rf_translateCharUTF8(a), Rf_translateCharUTF8(b)) == 0;
        vmaxset(vmax);
        return same;
      });
    default:
      stop("cpp_ep_n_differ: unsupported column type");
  }
}

// Whether any row of each episode (1..n_ep) has the value 1.
// [[Rcpp::export]]
IntegerVector cpp_ep_any_one(IntegerVector ep_of, IntegerVector x, int n_ep) {
  if (ep_of.size() != x.size()) stop("cpp_ep_any_one: lengths differ");
  IntegerVector out(n_ep);
  cscdemand::episodes_any_one(ep_of.begin(), x.begin(), static_cast<std::size_t>(x.size()),
                              static_cast<std::size_t>(n_ep), out.begin());
  return out;
}
