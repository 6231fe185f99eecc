// Rcpp glue for episode_factors(): type conversion only; the loops are in
// inst/include/cscdemand/episodes.h. Masks travel through R as raw vectors
// of 8 bytes per episode (R has no 64-bit integer), which only these
// functions read.
#include <Rcpp.h>

#include <cmath>
#include <cstring>

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

// The 0/1 columns `cols` for the episodes kept (NA where the flag is
// missing and no assessment has the factor), with the number of NA cells as
// attribute "n_na".
// [[Rcpp::export]]
List cpp_ep_mask_flags(RawVector m, Nullable<RawVector> miss, LogicalVector alive,
                       IntegerVector cols) {
  const std::size_t n = mask_len(m);
  if (static_cast<std::size_t>(alive.size()) != n) stop("cpp_ep_mask_flags: `alive` length");
  const EpMask* mi = nullptr;
  RawVector mv;
  if (miss.isNotNull()) {
    mv = RawVector(miss.get());
    if (mask_len(mv) != n) stop("cpp_ep_mask_flags: `miss` length");
    mi = mask_ptr(mv);
  }
  std::size_t n_keep = 0;
  for (std::size_t i = 0; i < n; ++i) n_keep += alive[i] != 0;
  List out(cols.size());
  double n_na = 0;
  for (R_xlen_t j = 0; j < cols.size(); ++j) {
    check_column(cols[j]);
    IntegerVector v(Rcpp::no_init(n_keep));
    cscdemand::advise_huge_pages(v.begin(), n_keep * sizeof(int));
    n_na += static_cast<double>(
        cscdemand::mask_flag_column(mask_ptr(m), mi, n, alive.begin(), cols[j], v.begin()));
    out[j] = v;
  }
  out.attr("n_na") = n_na;
  return out;
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
