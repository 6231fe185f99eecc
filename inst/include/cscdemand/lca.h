// Latent class analysis by EM on a table of unique response patterns.
//
// Pure C++ (no R headers). The R layer validates every input; this core only
// asserts invariants. All arithmetic is in log space (log-sum-exp), so long
// patterns and probabilities at the boundary never underflow.
//
// Model: pattern p (count n_p, group g_p) has likelihood
//   f(p) = sum_k pi[g_p, k] prod_{j observed in p} rho[set(j, g_p), j, k, y_pj]
// Missing items are skipped (full-information ML under MAR). `set(j, g)` maps
// an item and group to a parameter set: 0 for every group when item
// probabilities are shared (invariant), g when they are free (configural).
#ifndef CSCDEMAND_LCA_H
#define CSCDEMAND_LCA_H

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <functional>
#include <limits>
#include <numeric>
#include <vector>

#include "parallel.h"
#include "rng.h"

namespace cscdemand {

enum StartStatus {
  kConverged = 0, kMaxIter = 1, kFailed = 2, kEmptyClass = 3, kNotRun = 4,
  kScreened = 5  // stopped by the screening rule and not run on (Control::screen_tol)
};

// Log-probabilities are floored here, so that a probability of exactly 0
// (a boundary estimate) never produces -inf - (-inf). exp(-1000) is 0 in
// double precision, so the likelihood is unchanged.
constexpr double kLogFloor = -1000.0;

inline double floor_log(double x) { return x > kLogFloor ? x : kLogFloor; }

// The pattern table in sparse form. Category 0 of each item is the reference:
// the log joint of pattern p and class k is
//   base[g_p, k] - sum_{b in miss(p)} logrho[ref(b), k]
//                + sum_{r in nz(p)} (logrho[r, k] - logrho[ref(r), k]),
// where base[g, k] = logpi[g, k] + sum over the blocks group g uses of
// logrho[ref(b), k]. Social care factors are sparse (most are 0), so a
// pattern touches a handful of rows instead of all J items.
struct Design {
  int P = 0, J = 0, G = 1, K = 1;
  int R = 0;                    // rows of the parameter table
  std::vector<int> nz_ptr, nz;  // non-reference rows observed in each pattern
  std::vector<int> miss_ptr, miss;  // blocks missing in each pattern
  std::vector<int> ref_of_row;  // reference row of the block of each row
  std::vector<double> n;        // P pattern counts (frequency weights)
  std::vector<int> group;       // P, 0-based
  // Blocks: one per (item, set). Block b covers parameter rows
  // [block_start[b], block_start[b] + block_ncat[b]); its first row is the reference.
  std::vector<int> block_start, block_ncat;
  std::vector<std::vector<int>> group_blocks;  // blocks used by each group
  std::vector<std::vector<int>> block_groups;  // groups using each block
  std::vector<double> group_n;  // G, total count per group
  int max_nz = 0, max_miss = 0; // most non-reference rows / missing blocks of any pattern
};

// Builds the design from a row-major P x J matrix of 0-based categories
// (-1 = missing), categories per item, and set_of[j * G + g].
inline Design make_design(const int* y, int P, int J, const int* ncat, const double* n,
                          const int* group, int G, int K, const int* set_of) {
  Design d;
  d.P = P;
  d.J = J;
  d.G = G;
  d.K = K;
  std::vector<std::vector<int>> block_of(J);
  int R = 0;
  for (int j = 0; j < J; ++j) {
    int nset = 0;
    for (int g = 0; g < G; ++g) nset = std::max(nset, set_of[j * G + g] + 1);
    for (int s = 0; s < nset; ++s) {
      block_of[j].push_back(static_cast<int>(d.block_start.size()));
      d.block_start.push_back(R);
      d.block_ncat.push_back(ncat[j]);
      for (int c = 0; c < ncat[j]; ++c) d.ref_of_row.push_back(R);
      R += ncat[j];
    }
  }
  d.R = R;
  const std::size_t nb = d.block_start.size();
  d.group_blocks.assign(G, std::vector<int>());
  d.block_groups.assign(nb, std::vector<int>());
  for (int g = 0; g < G; ++g)
    for (int j = 0; j < J; ++j) {
      const int b = block_of[j][set_of[j * G + g]];
      d.group_blocks[g].push_back(b);
      d.block_groups[b].push_back(g);
    }
  d.n.assign(n, n + P);
  d.group.resize(P);
  d.group_n.assign(G, 0.0);
  d.nz_ptr.assign(P + 1, 0);
  d.miss_ptr.assign(P + 1, 0);
  for (int p = 0; p < P; ++p) {
    const int g = group ? group[p] : 0;
    d.group[p] = g;
    d.group_n[g] += n[p];
    for (int j = 0; j < J; ++j) {
      const int c = y[static_cast<std::size_t>(p) * J + j];
      const int b = block_of[j][set_of[j * G + g]];
      if (c < 0) {
        d.miss.push_back(b);
      } else if (c > 0) {
        d.nz.push_back(d.block_start[b] + c);
      }
    }
    d.nz_ptr[p + 1] = static_cast<int>(d.nz.size());
    d.miss_ptr[p + 1] = static_cast<int>(d.miss.size());
    d.max_nz = std::max(d.max_nz, d.nz_ptr[p + 1] - d.nz_ptr[p]);
    d.max_miss = std::max(d.max_miss, d.miss_ptr[p + 1] - d.miss_ptr[p]);
  }
  return d;
}

// Parameters in log scale: logpi is G x K (row-major), logrho is R x K.
struct Params {
  std::vector<double> logpi;
  std::vector<double> logrho;
};

struct Control {
  int maxiter = 5000;      // EM iterations for a start run to convergence
  double tol = 1e-9;       // log-likelihood still to gain (absolute), see check_step
  double tol_par = 1e-7;   // distance to the maximum (largest probability), see check_step
  int init_iter = 0;       // stage-one iterations for every start (0: no stage one)
  int final_starts = 0;    // starts carried to stage two (<= 0 or >= starts: all)
  double empty_class = 1e-8;  // a class whose size is below this fraction is empty
  int start_type = 2;      // 0: Dirichlet, 1: data-seeded (k-means++), 2: the two in turn
  bool adaptive = false;   // add batches of starts until the best is replicated
  int batch = 20;          // starts per batch (adaptive)
  int max_starts = 200;    // cap on starts (adaptive)
  int min_best = 3;        // replications of the best solution wanted (adaptive)
  int patience = 0;        // adaptive: stop after this many batches in a row that did not
                           // raise the best LL by more than same_ll (0: never)
  double same_ll = 1e-3;   // same solution: LL within this (absolute) ...
  double same_par = 1e-3;  // ... and every probability within this after matching
  // Screening of the starts carried to convergence (0: off). Each first runs
  // until one EM step gains less than screen_tol * |LL|; then only those
  // whose screened LL is within screen_margin * |LL| of the best screened LL
  // so far (in any batch) run on to convergence (tol, tol_par, maxiter).
  double screen_tol = 0.0;
  double screen_margin = 0.0;
  // Threads of the fit. When fewer starts are left to run than threads (a
  // single start run on to convergence), each such
  // start spreads its E-step over the threads instead (EmWork::pfor).
  int threads = 1;
};

inline double log_sum_exp(const double* x, int K) {
  double m = -std::numeric_limits<double>::infinity();
  for (int k = 0; k < K; ++k) m = std::max(m, x[k]);
  if (!std::isfinite(m)) return m;
  double s = 0.0;
  for (int k = 0; k < K; ++k) s += std::exp(x[k] - m);
  return m + std::log(s);
}

// Per-iteration tables derived from the parameters: base (G x K) and the
// log-ratios to the reference category (R x K; zero on reference rows).
struct Derived {
  std::vector<double> base, ratio;
};

inline void derive(const Design& d, const Params& th, Derived& dv) {
  const int K = d.K;
  dv.base.assign(static_cast<std::size_t>(d.G) * K, 0.0);
  dv.ratio.resize(static_cast<std::size_t>(d.R) * K);
  for (int r = 0; r < d.R; ++r) {
    const double* lr = &th.logrho[static_cast<std::size_t>(r) * K];
    const double* l0 = &th.logrho[static_cast<std::size_t>(d.ref_of_row[r]) * K];
    double* out = &dv.ratio[static_cast<std::size_t>(r) * K];
    for (int k = 0; k < K; ++k) out[k] = floor_log(lr[k]) - floor_log(l0[k]);
  }
  for (int g = 0; g < d.G; ++g) {
    double* bg = &dv.base[static_cast<std::size_t>(g) * K];
    for (int k = 0; k < K; ++k) bg[k] = floor_log(th.logpi[static_cast<std::size_t>(g) * K + k]);
    for (int b : d.group_blocks[g]) {
      const double* l0 = &th.logrho[static_cast<std::size_t>(d.block_start[b]) * K];
      for (int k = 0; k < K; ++k) bg[k] += floor_log(l0[k]);
    }
  }
}

// Log joint log f(p, k) for one pattern into acc (length K).
inline void pattern_log_joint(const Design& d, const Params& th, const Derived& dv, int p,
                              double* acc) {
  const int K = d.K;
  const double* bg = &dv.base[static_cast<std::size_t>(d.group[p]) * K];
  for (int k = 0; k < K; ++k) acc[k] = bg[k];
  for (int i = d.miss_ptr[p]; i < d.miss_ptr[p + 1]; ++i) {
    const double* l0 = &th.logrho[static_cast<std::size_t>(d.block_start[d.miss[i]]) * K];
    for (int k = 0; k < K; ++k) acc[k] -= floor_log(l0[k]);
  }
  for (int i = d.nz_ptr[p]; i < d.nz_ptr[p + 1]; ++i) {
    const double* lr = &dv.ratio[static_cast<std::size_t>(d.nz[i]) * K];
    for (int k = 0; k < K; ++k) acc[k] += lr[k];
  }
}

// Log-likelihood, and optionally the posterior (P x K, row-major) and the
// per-pattern log-likelihood contributions log f(p).
inline double loglik(const Design& d, const Params& th, double* post = nullptr,
                     double* ll_pattern = nullptr) {
  const int K = d.K;
  Derived dv;
  derive(d, th, dv);
  std::vector<double> acc(K);
  double ll = 0.0;
  for (int p = 0; p < d.P; ++p) {
    pattern_log_joint(d, th, dv, p, acc.data());
    const double lse = log_sum_exp(acc.data(), K);
    if (ll_pattern) ll_pattern[p] = lse;
    if (d.n[p] > 0) ll += d.n[p] * lse;
    if (post) {
      double* pp = post + static_cast<std::size_t>(p) * K;
      for (int k = 0; k < K; ++k) pp[k] = std::exp(acc[k] - lse);
    }
  }
  return ll;
}

// Workspace for one EM run; reused across iterations, never shared between threads.
// Linear-scale tables of one E-step (see em_step): exp of the log tables,
// each group's base shifted by its largest entry, and the largest absolute
// log entry of every row, block and group, which bound how far a pattern's
// running product can stray from 1.
struct Linear {
  std::vector<double> ebase, shift, eratio, emiss;
  std::vector<double> gmax, rowmax, blockmax;
};

// Beyond this bound on a pattern's summed absolute log terms the E-step
// works in log space (exp(+-700) is the edge of double precision).
constexpr double kLinearBound = 600.0;

// Expected counts of one E-step (or of one block of its patterns): the
// class weights' scratch (acc), and the sums the M-step needs.
struct EmSums {
  std::vector<double> acc, num, pisum, missmass;
  double ll = 0.0;
  explicit EmSums(const Design& d)
      : acc(d.K),
        num(static_cast<std::size_t>(d.R) * d.K),
        pisum(static_cast<std::size_t>(d.G) * d.K),
        missmass(d.block_start.size() * d.K) {}
  void clear() {
    std::fill(num.begin(), num.end(), 0.0);
    std::fill(pisum.begin(), pisum.end(), 0.0);
    std::fill(missmass.begin(), missmass.end(), 0.0);
    ll = 0.0;
  }
  void add(const EmSums& o) {
    for (std::size_t i = 0; i < num.size(); ++i) num[i] += o.num[i];
    for (std::size_t i = 0; i < pisum.size(); ++i) pisum[i] += o.pisum[i];
    for (std::size_t i = 0; i < missmass.size(); ++i) missmass[i] += o.missmass[i];
    ll += o.ll;
  }
};

// Patterns per block of a blocked E-step (em_blocks()): at least 2,048, and
// at least 8 times the sums a block keeps (rows, groups and missing-item
// blocks), so that adding the blocks' sums costs little beside the E-step
// even in a design with many parameter rows (a multi-group model).
constexpr int kEmBlock = 2048;
inline int em_block_size(const Design& d) {
  const std::size_t sums = static_cast<std::size_t>(d.R) + d.G + d.block_start.size();
  return static_cast<int>(std::max<std::size_t>(kEmBlock, 8 * sums));
}

// The E-step of a design with many patterns runs in blocks of
// em_block_size() patterns (the last takes the rest), each with its own
// sums, added in block order: the blocks depend only on the design, so the
// result is the same whether they run on one thread or several
// (EmWork::pfor). Fewer than two full blocks: one pass, as before blocks
// existed.
inline int em_blocks(const Design& d) {
  const int b = em_block_size(d);
  return d.P < 2 * b ? 1 : d.P / b;
}

// Workspace for one EM run; reused across iterations, never shared between
// threads (its blocks' sums are written by one thread each).
struct EmWork : EmSums {
  Derived dv;
  Linear lin;
  std::vector<EmSums> part;             // one per block (em_blocks() > 1)
  const ParallelFor* pfor = nullptr;    // runs the blocks; nullptr: serially
  explicit EmWork(const Design& d) : EmSums(d) {}
};

// Adds pattern p's class weights wk (length K, summing to n_p) to the
// expected counts of the M-step. K is a compile-time constant when KK > 0
// (em_pass), else d.K.
template <int KK>
inline void accumulate_k(const Design& d, int p, const double* wk, EmSums& w) {
  const int K = KK > 0 ? KK : d.K;
  double* ps = &w.pisum[static_cast<std::size_t>(d.group[p]) * K];
  for (int k = 0; k < K; ++k) ps[k] += wk[k];
  for (int i = d.miss_ptr[p]; i < d.miss_ptr[p + 1]; ++i) {
    double* mm = &w.missmass[static_cast<std::size_t>(d.miss[i]) * K];
    for (int k = 0; k < K; ++k) mm[k] += wk[k];
  }
  for (int i = d.nz_ptr[p]; i < d.nz_ptr[p + 1]; ++i) {
    double* nr = &w.num[static_cast<std::size_t>(d.nz[i]) * K];
    for (int k = 0; k < K; ++k) nr[k] += wk[k];
  }
}

inline void accumulate(const Design& d, int p, const double* wk, EmSums& w) {
  accumulate_k<0>(d, p, wk, w);
}

// The M-step from the expected counts in w (pisum, num, missmass).
inline void m_step(const Design& d, Params& th, EmSums& w) {
  const int K = d.K;
  // M-step: class sizes per group.
  for (int g = 0; g < d.G; ++g) {
    if (d.group_n[g] <= 0) continue;
    for (int k = 0; k < K; ++k) {
      const double v = w.pisum[static_cast<std::size_t>(g) * K + k] / d.group_n[g];
      th.logpi[static_cast<std::size_t>(g) * K + k] = std::log(v);
    }
  }
  // M-step: item-response probabilities, each block normalised over the
  // cases observed on the item (MAR). The reference category's expected
  // count is the observed mass minus the other categories. A block with no
  // expected mass keeps its previous values.
  const std::size_t nb = d.block_start.size();
  for (std::size_t b = 0; b < nb; ++b) {
    const int r0 = d.block_start[b], C = d.block_ncat[b];
    for (int k = 0; k < K; ++k) {
      double tot = 0.0;
      for (int g : d.block_groups[b]) tot += w.pisum[static_cast<std::size_t>(g) * K + k];
      tot -= w.missmass[b * K + k];
      double rest = 0.0;
      for (int c = 1; c < C; ++c) rest += w.num[static_cast<std::size_t>(r0 + c) * K + k];
      double ref = tot - rest;
      if (ref < 0) ref = 0;
      w.num[static_cast<std::size_t>(r0) * K + k] = ref;
      const double all = ref + rest;
      if (!(all > 0)) continue;
      const double ltot = std::log(all);
      for (int c = 0; c < C; ++c) {
        const double v = w.num[static_cast<std::size_t>(r0 + c) * K + k];
        th.logrho[static_cast<std::size_t>(r0 + c) * K + k] =
            v > 0 ? std::log(v) - ltot : -std::numeric_limits<double>::infinity();
      }
    }
  }
}

// The linear-scale tables of the current parameters (derived tables in dv).
inline void derive_linear(const Design& d, const Params& th, const Derived& dv, Linear& lin) {
  const int K = d.K;
  const std::size_t nb = d.block_start.size();
  lin.ebase.resize(dv.base.size());
  lin.shift.assign(d.G, 0.0);
  lin.gmax.assign(d.G, 0.0);
  for (int g = 0; g < d.G; ++g) {
    const double* bg = &dv.base[static_cast<std::size_t>(g) * K];
    double m = bg[0];
    for (int k = 1; k < K; ++k) m = std::max(m, bg[k]);
    lin.shift[g] = m;
    for (int k = 0; k < K; ++k) {
      lin.ebase[static_cast<std::size_t>(g) * K + k] = std::exp(bg[k] - m);
      lin.gmax[g] = std::max(lin.gmax[g], m - bg[k]);
    }
  }
  lin.eratio.resize(dv.ratio.size());
  lin.rowmax.assign(d.R, 0.0);
  for (int r = 0; r < d.R; ++r)
    for (int k = 0; k < K; ++k) {
      const double v = dv.ratio[static_cast<std::size_t>(r) * K + k];
      lin.eratio[static_cast<std::size_t>(r) * K + k] = std::exp(v);
      lin.rowmax[r] = std::max(lin.rowmax[r], std::fabs(v));
    }
  lin.emiss.resize(nb * K);
  lin.blockmax.assign(nb, 0.0);
  for (std::size_t b = 0; b < nb; ++b)
    for (int k = 0; k < K; ++k) {
      const double v = floor_log(th.logrho[static_cast<std::size_t>(d.block_start[b]) * K + k]);
      lin.emiss[b * K + k] = std::exp(-v);
      lin.blockmax[b] = std::max(lin.blockmax[b], std::fabs(v));
    }
}

// Whether every pattern can be scored on the linear scale this iteration:
// the largest bound any pattern could have (the group term plus the most
// non-reference rows and missing blocks any pattern has, each at its
// largest) is inside kLinearBound. Then no per-pattern check is needed.
inline bool all_linear(const Design& d, const Linear& lin, double limit) {
  double g = 0.0, r = 0.0, b = 0.0;
  for (double v : lin.gmax) g = std::max(g, v);
  for (double v : lin.rowmax) r = std::max(r, v);
  for (double v : lin.blockmax) b = std::max(b, v);
  const double bound = g + d.max_nz * r + d.max_miss * b;
  return bound < limit;  // NaN parameters give a NaN LL either way
}

// One pass of the E-step over all patterns with the M-step's expected counts
// accumulated; K is a compile-time constant when KK > 0 (so the loops over
// classes unroll), else d.K. Each pattern is scored on the linear scale
// (the product of its factors from the linear tables, no exp per class)
// when its bound, or the iteration's (all_lin), keeps every partial product
// within [exp(-600), exp(600)], so the result equals the log-space one to
// rounding; otherwise in log space with one exp per class. Returns the LL,
// or NaN when a pattern has no finite class.
template <int KK>
inline double em_pass(const Design& d, const Params& th, const EmWork& w, EmSums& out,
                      bool all_lin, double limit, int p0, int p1) {
  const int K = KK > 0 ? KK : d.K;
  const Linear& lin = w.lin;
  double* acc = out.acc.data();
  double ll = 0.0;
  for (int p = p0; p < p1; ++p) {
    const double np = d.n[p];
    if (np <= 0) continue;
    const int g = d.group[p];
    const int* nz0 = d.nz.data() + d.nz_ptr[p];
    const int* nz1 = d.nz.data() + d.nz_ptr[p + 1];
    const int* ms0 = d.miss.data() + d.miss_ptr[p];
    const int* ms1 = d.miss.data() + d.miss_ptr[p + 1];
    bool linear = all_lin;
    if (!linear) {
      double bound = lin.gmax[g];
      for (const int* q = nz0; q < nz1; ++q) bound += lin.rowmax[*q];
      for (const int* q = ms0; q < ms1; ++q) bound += lin.blockmax[*q];
      linear = bound < limit;
    }
    double s = 0.0, lf;
    if (linear) {
      const double* eb = &lin.ebase[static_cast<std::size_t>(g) * K];
      for (int k = 0; k < K; ++k) acc[k] = eb[k];
      for (const int* q = nz0; q < nz1; ++q) {
        const double* er = &lin.eratio[static_cast<std::size_t>(*q) * K];
        for (int k = 0; k < K; ++k) acc[k] *= er[k];
      }
      for (const int* q = ms0; q < ms1; ++q) {
        const double* em = &lin.emiss[static_cast<std::size_t>(*q) * K];
        for (int k = 0; k < K; ++k) acc[k] *= em[k];
      }
      for (int k = 0; k < K; ++k) s += acc[k];
      lf = lin.shift[g] + std::log(s);
    } else {
      pattern_log_joint(d, th, w.dv, p, acc);
      double m = acc[0];
      for (int k = 1; k < K; ++k) m = acc[k] > m ? acc[k] : m;
      if (!std::isfinite(m)) return std::numeric_limits<double>::quiet_NaN();
      for (int k = 0; k < K; ++k) s += (acc[k] = std::exp(acc[k] - m));
      lf = m + std::log(s);
    }
    ll += np * lf;
    const double scale = np / s;  // acc becomes n_p * posterior
    for (int k = 0; k < K; ++k) acc[k] *= scale;
    accumulate_k<KK>(d, p, acc, out);
  }
  return ll;
}

// One E-step pass over patterns [p0, p1) into `out`, with K a compile-time
// constant up to 16 (the loops over classes unroll).
inline double em_pass_range(const Design& d, const Params& th, const EmWork& w, EmSums& out,
                            bool all_lin, double limit, int p0, int p1) {
  switch (d.K) {
    case 2: return em_pass<2>(d, th, w, out, all_lin, limit, p0, p1);
    case 3: return em_pass<3>(d, th, w, out, all_lin, limit, p0, p1);
    case 4: return em_pass<4>(d, th, w, out, all_lin, limit, p0, p1);
    case 5: return em_pass<5>(d, th, w, out, all_lin, limit, p0, p1);
    case 6: return em_pass<6>(d, th, w, out, all_lin, limit, p0, p1);
    case 7: return em_pass<7>(d, th, w, out, all_lin, limit, p0, p1);
    case 8: return em_pass<8>(d, th, w, out, all_lin, limit, p0, p1);
    case 9: return em_pass<9>(d, th, w, out, all_lin, limit, p0, p1);
    case 10: return em_pass<10>(d, th, w, out, all_lin, limit, p0, p1);
    case 11: return em_pass<11>(d, th, w, out, all_lin, limit, p0, p1);
    case 12: return em_pass<12>(d, th, w, out, all_lin, limit, p0, p1);
    case 13: return em_pass<13>(d, th, w, out, all_lin, limit, p0, p1);
    case 14: return em_pass<14>(d, th, w, out, all_lin, limit, p0, p1);
    case 15: return em_pass<15>(d, th, w, out, all_lin, limit, p0, p1);
    case 16: return em_pass<16>(d, th, w, out, all_lin, limit, p0, p1);
    default: return em_pass<0>(d, th, w, out, all_lin, limit, p0, p1);
  }
}

// One E-step fused with the M-step: returns the LL at th (NaN on failure)
// and replaces th by the updated parameters. linear = false scores every
// pattern in log space (for tests of the linear scale).
inline double em_step(const Design& d, Params& th, EmWork& w, bool linear = true) {
  derive(d, th, w.dv);
  derive_linear(d, th, w.dv, w.lin);
  w.clear();
  const double limit = linear ? kLinearBound : -1.0;
  const bool all_lin = all_linear(d, w.lin, limit);
  const int nb = em_blocks(d);
  const int bs = em_block_size(d);
  double ll;
  if (nb == 1) {
    ll = em_pass_range(d, th, w, w, all_lin, limit, 0, d.P);
  } else {
    if (static_cast<int>(w.part.size()) != nb) w.part.assign(nb, EmSums(d));
    const ParallelBody body = [&](std::size_t lo, std::size_t hi) {
      for (std::size_t b = lo; b < hi; ++b) {
        EmSums& s = w.part[b];
        s.clear();
        const int p0 = static_cast<int>(b) * bs;
        const int p1 = b + 1 == static_cast<std::size_t>(nb) ? d.P : p0 + bs;
        s.ll = em_pass_range(d, th, w, s, all_lin, limit, p0, p1);
      }
    };
    if (w.pfor) (*w.pfor)(static_cast<std::size_t>(nb), body);
    else body(0, static_cast<std::size_t>(nb));
    for (const EmSums& s : w.part) w.add(s);  // in block order: any thread count
    ll = w.ll;
  }
  if (!(ll == ll)) return ll;
  m_step(d, th, w);
  return ll;
}

// Random starting values: uniform class sizes, each item's category
// probabilities drawn from Dirichlet(1, ..., 1) per class and set.
inline Params random_start(const Design& d, Rng& rng) {
  Params th;
  const int K = d.K;
  th.logpi.assign(static_cast<std::size_t>(d.G) * K, -std::log(static_cast<double>(K)));
  th.logrho.assign(static_cast<std::size_t>(d.R) * K, 0.0);
  const std::size_t nb = d.block_start.size();
  std::vector<double> e;
  for (std::size_t b = 0; b < nb; ++b) {
    const int r0 = d.block_start[b], C = d.block_ncat[b];
    e.resize(C);
    for (int k = 0; k < K; ++k) {
      double tot = 0.0;
      for (int c = 0; c < C; ++c) tot += (e[c] = rng.exponential());
      for (int c = 0; c < C; ++c)
        th.logrho[static_cast<std::size_t>(r0 + c) * K + k] = std::log(e[c] / tot);
    }
  }
  return th;
}

// Number of items on which two patterns differ, both observed (sparse form:
// the sorted lists of non-reference rows; a missing item counts as agreeing).
inline int pattern_distance(const Design& d, int p, int q) {
  int i = d.nz_ptr[p], ie = d.nz_ptr[p + 1], j = d.nz_ptr[q], je = d.nz_ptr[q + 1], n = 0;
  while (i < ie && j < je) {
    if (d.nz[i] == d.nz[j]) {
      ++i;
      ++j;
    } else if (d.nz[i] < d.nz[j]) {
      ++i;
      ++n;
    } else {
      ++j;
      ++n;
    }
  }
  return n + (ie - i) + (je - j);
}

inline void normalise(const Design& d, Params& th);

// Data-seeded start (k-means++ on the patterns): K seed patterns, the first
// drawn by count and each next one by count x squared distance to the
// nearest seed so far; every pattern then goes to its nearest seed (weight
// 1 - eps, eps spread over the other classes), and one M-step gives the
// starting values. Seeds far apart in the data give classes that EM does
// not have to pull apart from a near-uniform start.
inline Params seeded_start(const Design& d, Rng& rng, double eps = 0.25) {
  const int K = d.K, P = d.P;
  std::vector<int> seeds;
  std::vector<double> dist(P, std::numeric_limits<double>::infinity()), wt(P);
  auto draw = [&](const std::vector<double>& w) {
    double tot = 0.0;
    for (double v : w) tot += v;
    if (!(tot > 0)) return -1;
    double u = rng.uniform() * tot;
    for (int p = 0; p < P; ++p) {
      u -= w[p];
      if (u <= 0 && w[p] > 0) return p;
    }
    for (int p = P - 1; p >= 0; --p)
      if (w[p] > 0) return p;
    return -1;
  };
  for (int k = 0; k < K; ++k) {
    for (int p = 0; p < P; ++p)
      wt[p] = d.n[p] > 0 ? d.n[p] * (k == 0 ? 1.0 : dist[p] * dist[p]) : 0.0;
    int s = draw(wt);
    if (s < 0) {  // every pattern coincides with a seed: draw by count
      for (int p = 0; p < P; ++p) wt[p] = std::max(d.n[p], 0.0);
      s = draw(wt);
    }
    seeds.push_back(s);
    for (int p = 0; p < P; ++p)
      dist[p] = std::min(dist[p], static_cast<double>(pattern_distance(d, p, s)));
  }
  EmWork w(d);
  w.clear();
  std::vector<double> wk(K);
  for (int p = 0; p < P; ++p) {
    if (!(d.n[p] > 0)) continue;
    int best = 0, bd = std::numeric_limits<int>::max();
    for (int k = 0; k < K; ++k) {
      const int dd = pattern_distance(d, p, seeds[k]);
      if (dd < bd) {
        bd = dd;
        best = k;
      }
    }
    for (int k = 0; k < K; ++k)
      wk[k] = d.n[p] * (K == 1 ? 1.0 : (k == best ? 1.0 - eps : eps / (K - 1)));
    accumulate(d, p, wk.data(), w);
  }
  Params th;
  th.logpi.assign(static_cast<std::size_t>(d.G) * K, -std::log(static_cast<double>(K)));
  th.logrho.assign(static_cast<std::size_t>(d.R) * K, -std::log(2.0));
  m_step(d, th, w);
  normalise(d, th);  // floors any zero probability, so EM can move it
  return th;
}

struct RunResult {
  Params par;
  double ll = -std::numeric_limits<double>::infinity();
  int iter = 0;
  int status = kNotRun;
  std::vector<double> trace;
};

// Normalises log-parameters in place: class sizes per group and each
// block's category probabilities per class (log-sum-exp), flooring -inf.
inline void normalise(const Design& d, Params& th) {
  const int K = d.K;
  for (double& v : th.logpi) v = floor_log(v);
  for (double& v : th.logrho) v = floor_log(v);
  std::vector<double> tmp(std::max(K, 1));
  for (int g = 0; g < d.G; ++g) {
    double* lp = &th.logpi[static_cast<std::size_t>(g) * K];
    const double l = log_sum_exp(lp, K);
    for (int k = 0; k < K; ++k) lp[k] -= l;
  }
  for (std::size_t b = 0; b < d.block_start.size(); ++b) {
    const int r0 = d.block_start[b], C = d.block_ncat[b];
    tmp.resize(C);
    for (int k = 0; k < K; ++k) {
      for (int c = 0; c < C; ++c) tmp[c] = th.logrho[static_cast<std::size_t>(r0 + c) * K + k];
      const double l = log_sum_exp(tmp.data(), C);
      for (int c = 0; c < C; ++c) th.logrho[static_cast<std::size_t>(r0 + c) * K + k] -= l;
    }
  }
}

// SQUAREM extrapolation (Varadhan and Roland 2008, scheme S3) on the
// probability scale: out = th0 - 2 a r + a^2 v with r = th1 - th0,
// v = th2 - 2 th1 + th0 and a = -|r| / |v| (at most -1). A step that would
// leave the parameter space is shrunk towards a = -1 (which gives th2), so a
// probability is never pushed to exactly 0 (EM could not bring it back).
inline bool squarem_point(const Design& d, const Params& th0, const Params& th1,
                          const Params& th2, Params& out) {
  double rr = 0.0, vv = 0.0;
  auto acc = [&](const std::vector<double>& a0, const std::vector<double>& a1,
                 const std::vector<double>& a2) {
    for (std::size_t i = 0; i < a0.size(); ++i) {
      const double x0 = std::exp(a0[i]), x1 = std::exp(a1[i]), x2 = std::exp(a2[i]);
      const double r = x1 - x0, v = x2 - 2.0 * x1 + x0;
      rr += r * r;
      vv += v * v;
    }
  };
  acc(th0.logpi, th1.logpi, th2.logpi);
  acc(th0.logrho, th1.logrho, th2.logrho);
  if (!(vv > 0) || !std::isfinite(rr) || !std::isfinite(vv)) return false;
  double a = -std::sqrt(rr / vv);
  if (a > -1.0) a = -1.0;
  auto step = [&](const std::vector<double>& a0, const std::vector<double>& a1,
                  const std::vector<double>& a2, std::vector<double>& o) {
    o.resize(a0.size());
    bool ok = true;
    for (std::size_t i = 0; i < a0.size(); ++i) {
      const double x0 = std::exp(a0[i]), x1 = std::exp(a1[i]), x2 = std::exp(a2[i]);
      const double r = x1 - x0, v = x2 - 2.0 * x1 + x0;
      const double x = x0 - 2.0 * a * r + a * a * v;
      // Keep a positive probability positive: never more than 1000-fold down.
      if (!(x > 1e-3 * x2) && x2 > 0) ok = false;
      o[i] = x > 0 ? std::log(x) : kLogFloor;
    }
    return ok;
  };
  for (int tries = 0; tries < 8; ++tries) {
    const bool ok1 = step(th0.logpi, th1.logpi, th2.logpi, out.logpi);
    const bool ok2 = step(th0.logrho, th1.logrho, th2.logrho, out.logrho);
    if (ok1 && ok2) {
      normalise(d, out);
      return true;
    }
    if (a >= -1.0) return false;
    a = std::min(-1.0, (a - 1.0) / 2.0);
  }
  return false;
}

// The convergence rule, checked over two plain EM steps th0 -> th1 -> th2
// with log-likelihoods ll0 (at th0) and ll1 (at th1). Near the maximum EM
// contracts linearly at a rate r, estimated as |th2 - th1| / |th1 - th0| on
// the probability scale, so the log-likelihood still to be gained from th1
// is about (ll1 - ll0) r^2 / (1 - r^2), and the distance to the maximum about
// max|th2 - th1| / (1 - r). The run has converged when both are below their
// tolerances (absolute, whatever the size of the data). A gain below the
// rounding level of the log-likelihood counts as no gain.
struct StepCheck {
  double gain_left = 0.0, dist_left = 0.0;
};

inline StepCheck check_step(const Params& th0, const Params& th1, const Params& th2, double ll0,
                            double ll1) {
  double n01 = 0.0, n12 = 0.0, m12 = 0.0;
  auto acc = [&](const std::vector<double>& a0, const std::vector<double>& a1,
                 const std::vector<double>& a2) {
    for (std::size_t i = 0; i < a0.size(); ++i) {
      const double x0 = std::exp(a0[i]), x1 = std::exp(a1[i]), x2 = std::exp(a2[i]);
      n01 += (x1 - x0) * (x1 - x0);
      n12 += (x2 - x1) * (x2 - x1);
      m12 = std::max(m12, std::fabs(x2 - x1));
    }
  };
  acc(th0.logpi, th1.logpi, th2.logpi);
  acc(th0.logrho, th1.logrho, th2.logrho);
  StepCheck c;
  const double inf = std::numeric_limits<double>::infinity();
  const double noise = 1e-13 * (1.0 + std::fabs(ll1));
  double gain = ll1 - ll0;
  if (gain < noise) gain = 0.0;
  if (n12 == 0.0) return c;  // a fixed point
  const double r = n01 > 0 ? std::sqrt(n12 / n01) : inf;
  if (!(r < 1.0)) {
    c.gain_left = c.dist_left = inf;
    return c;
  }
  c.gain_left = gain * r * r / (1.0 - r * r);
  c.dist_left = m12 / (1.0 - r);
  return c;
}

// Runs EM (SQUAREM-accelerated when `accelerate`) from th for about maxiter
// EM steps (a cycle may end one or two steps beyond). Every cycle starts with
// two plain EM steps, on which the convergence rule (check_step) is tested.
// The returned LL is the log-likelihood at the returned parameters; with
// keep_trace, the trace holds the LL at the start of each cycle.
// `inner` (optional) runs the E-step's blocks of patterns on several threads
// (em_blocks()); the result does not depend on it.
inline RunResult run_em(const Design& d, Params th, int maxiter, const Control& ctl,
                        bool keep_trace, int iter0 = 0, bool accelerate = true,
                        const ParallelFor* inner = nullptr) {
  RunResult r;
  EmWork w(d);
  w.pfor = inner;
  Params th0, th1, th2, thx;
  int it = 0;
  r.status = kMaxIter;
  auto finish = [&](int status, const Params& at, double ll) {
    r.status = status;
    r.par = at;
    r.ll = status == kFailed ? -std::numeric_limits<double>::infinity() : ll;
    r.iter = iter0 + it;
  };
  for (;;) {
    th0 = th;
    const double ll0 = em_step(d, th, w);  // LL at th0; th = F(th0)
    ++it;
    if (!std::isfinite(ll0)) {
      finish(kFailed, th0, ll0);
      return r;
    }
    if (keep_trace) r.trace.push_back(ll0);
    th1 = th;
    const double ll1 = em_step(d, th, w);  // LL at th1; th = F(th1)
    ++it;
    if (!std::isfinite(ll1)) {
      finish(kFailed, th1, ll1);
      return r;
    }
    th2 = th;
    const StepCheck chk = check_step(th0, th1, th2, ll0, ll1);
    if (chk.gain_left < ctl.tol && chk.dist_left < ctl.tol_par) {
      finish(kConverged, th1, ll1);
      break;
    }
    if (ctl.screen_tol > 0 && ll1 - ll0 < ctl.screen_tol * std::fabs(ll1)) {
      finish(kScreened, th1, ll1);
      break;
    }
    if (it >= maxiter) {
      finish(kMaxIter, th1, ll1);
      break;
    }
    if (!accelerate || !squarem_point(d, th0, th1, th2, thx)) continue;  // th = th2
    Params th3 = thx;
    const double llx = em_step(d, th3, w);  // LL at the extrapolated point
    ++it;
    if (std::isfinite(llx) && llx >= ll1) {
      th = th3;  // one stabilising EM step beyond the extrapolated point
    }  // else fall back to th2 (two plain EM steps)
    if (it >= maxiter) {
      if (std::isfinite(llx) && llx >= ll1) finish(kMaxIter, thx, llx);
      else finish(kMaxIter, th1, ll1);
      break;
    }
  }
  // Empty class: a class with (near) zero size in every group.
  for (int k = 0; k < d.K; ++k) {
    double mass = 0.0, tot = 0.0;
    for (int g = 0; g < d.G; ++g) {
      mass += d.group_n[g] * std::exp(r.par.logpi[static_cast<std::size_t>(g) * d.K + k]);
      tot += d.group_n[g];
    }
    if (!(mass > ctl.empty_class * tot)) r.status = kEmptyClass;
  }
  return r;
}

// The run to convergence of a start from `par` (at iteration iter0): with
// screening (ctl.screen_tol > 0), first until the screening rule, then, if
// `polish`, on with the tight rule, the two together within ctl.maxiter
// iterations.
inline RunResult run_final(const Design& d, const Params& par, const Control& ctl,
                           bool keep_trace, int iter0, bool polish = true,
                           const ParallelFor* inner = nullptr) {
  RunResult a = run_em(d, par, ctl.maxiter, ctl, keep_trace, iter0, true, inner);
  if (a.status != kScreened || !polish) return a;
  Control tight = ctl;
  tight.screen_tol = 0.0;
  const int used = a.iter - iter0;
  RunResult b = run_em(d, a.par, std::max(1, ctl.maxiter - used), tight, keep_trace, a.iter,
                       true, inner);
  if (keep_trace) {
    a.trace.insert(a.trace.end(), b.trace.begin(), b.trace.end());
    b.trace.swap(a.trace);
  }
  return b;
}

struct MultiStartResult {
  std::vector<double> stage1_ll, final_ll;
  std::vector<double> screen_ll;  // LL where the screening rule stopped the start (NaN: not screened)
  std::vector<int> stage1_iter, final_iter, status;
  std::vector<int> same;  // 1: the start reached the best solution (LL and parameters)
  int best = -1;
  int batches = 0;
  bool stalled = false;  // adaptive: stopped because the best stopped improving (patience)
  RunResult best_run;
};

// Whether two solutions are the same after matching their classes: group
// by group (in a configural model each group may label its classes its own
// way), classes matched greedily on the group's class size and the
// probabilities of the blocks it uses; every probability within tol.
inline bool same_solution(const Design& d, const Params& a, const Params& b, double tol) {
  const int K = d.K;
  auto diff = [&](int g, int k, int l) {
    double m = std::fabs(std::exp(a.logpi[static_cast<std::size_t>(g) * K + k]) -
                         std::exp(b.logpi[static_cast<std::size_t>(g) * K + l]));
    for (int blk : d.group_blocks[g]) {
      const int r0 = d.block_start[blk];
      for (int r = r0; r < r0 + d.block_ncat[blk]; ++r)
        m = std::max(m, std::fabs(std::exp(a.logrho[static_cast<std::size_t>(r) * K + k]) -
                                  std::exp(b.logrho[static_cast<std::size_t>(r) * K + l])));
    }
    return m;
  };
  for (int g = 0; g < d.G; ++g) {
    std::vector<int> used(K, 0);
    for (int k = 0; k < K; ++k) {
      int best = -1;
      double bd = std::numeric_limits<double>::infinity();
      for (int l = 0; l < K; ++l) {
        if (used[l]) continue;
        const double m = diff(g, k, l);
        if (m < bd) {
          bd = m;
          best = l;
        }
      }
      if (best < 0 || bd > tol) return false;
      used[best] = 1;
    }
  }
  return true;
}

// Starting values of start s: user-supplied values first, then random
// starts from stream (seed, s): Dirichlet draws, data-seeded (k-means++)
// ones, or the two in turn (Control::start_type 0, 1, 2).
inline Params start_values(const Design& d, int s, std::uint64_t seed, const Control& ctl,
                           const std::vector<Params>& init) {
  if (s < static_cast<int>(init.size())) return init[s];
  Rng rng(seed, static_cast<std::uint64_t>(s));
  const bool seeded = ctl.start_type == 1 || (ctl.start_type == 2 && s % 2 == 1);
  return seeded ? seeded_start(d, rng) : random_start(d, rng);
}

// All random starts and all iterations of one fit, in batches. Each batch
// runs `batch` new starts for ctl.init_iter iterations (stage one; 0: to
// convergence) and carries its best `carry` to convergence. With `adaptive`,
// batches continue until the best log-likelihood has been reached by
// ctl.min_best starts (same LL within ctl.same_ll, same parameters within
// ctl.same_par after matching classes), or `max_starts` starts have run;
// otherwise exactly one batch of `starts` runs. `on_chunk(done, total)` is
// called on the calling thread between chunks (progress and user
// interrupts); it may throw to abort. Every start's stream depends only on
// (seed, start), and reductions run serially in start order, so the result
// is the same for any number of threads.
inline MultiStartResult multi_start(const Design& d, int starts, std::uint64_t seed,
                                    const Control& ctl, const std::vector<Params>& init,
                                    const ParallelFor& pfor, std::size_t chunk,
                                    const std::function<void(int, int)>& on_chunk,
                                    bool keep_trace = true) {
  MultiStartResult out;
  const bool adaptive = ctl.adaptive && starts > 1;
  const int batch = adaptive ? std::max(1, ctl.batch) : starts;
  const int cap = adaptive ? std::max(batch, ctl.max_starts) : starts;
  const bool two_stage = ctl.init_iter > 0 && ctl.final_starts > 0 && ctl.final_starts < batch;
  const int carry = two_stage ? ctl.final_starts : batch;
  std::vector<RunResult> runs;
  if (chunk < 1) chunk = 1;
  const double nan = std::numeric_limits<double>::quiet_NaN();
  int done_steps = 0;

  const bool screen = ctl.screen_tol > 0;
  Control tight = ctl;  // stage one and the runs on from screening
  tight.screen_tol = 0.0;
  // mode 0: stage one (iters iterations from the start); 1: from the start
  // to convergence (screened first when `screen`); 2: on from stage one to
  // convergence (screened first); 3: on from screening to convergence.
  // Starts run side by side, one per thread; when fewer are left than
  // threads, each of the rest runs alone with its E-step spread over the
  // threads (identical results either way: em_blocks()).
  const std::size_t threads = static_cast<std::size_t>(std::max(1, ctl.threads));
  // With keep_trace every start records its trace as it runs (the LL at the
  // start of each cycle; a few thousand numbers at most), each stage's
  // appended to the stages before, so the best start's trace is there when
  // the starts end (it used to be run again from its start to record it).
  auto run_start = [&](int s, int iters, int mode, const ParallelFor* inner) {
    if (mode == 0) {
      runs[s] = run_em(d, start_values(d, s, seed, ctl, init), iters, tight, keep_trace, 0, true,
                       inner);
    } else if (mode == 1) {
      runs[s] = run_final(d, start_values(d, s, seed, ctl, init), ctl, keep_trace, 0, false, inner);
    } else if (runs[s].status != kFailed) {
      RunResult next;
      if (mode == 2) {
        next = run_final(d, runs[s].par, ctl, keep_trace, runs[s].iter, false, inner);
      } else {  // what is left of maxiter after stage one and screening
        const int used = runs[s].iter - (two_stage ? out.stage1_iter[s] : 0);
        next = run_em(d, runs[s].par, std::max(1, iters - used), tight, keep_trace, runs[s].iter,
                      true, inner);
      }
      if (keep_trace) next.trace.insert(next.trace.begin(), runs[s].trace.begin(), runs[s].trace.end());
      runs[s] = std::move(next);
    }
  };
  auto run_range = [&](const std::vector<int>& which, int iters, int mode) {
    for (std::size_t a = 0; a < which.size(); a += chunk) {
      const std::size_t b = std::min(which.size(), a + chunk);
      const std::size_t side = threads > 1 ? (b - a) / threads * threads : b - a;
      pfor(side, [&](std::size_t lo, std::size_t hi) {
        for (std::size_t i = lo; i < hi; ++i) run_start(which[a + i], iters, mode, nullptr);
      });
      for (std::size_t i = side; i < b - a; ++i) run_start(which[a + i], iters, mode, &pfor);
      done_steps += static_cast<int>(b - a);
      if (on_chunk) on_chunk(done_steps, adaptive ? -1 : starts + (two_stage ? carry : 0));
    }
  };

  int n_best = 0, stall = 0;
  double best_so_far = -std::numeric_limits<double>::infinity();
  double best_screen = -std::numeric_limits<double>::infinity();
  for (int first = 0; first < cap; first += batch) {
    const int last = std::min(cap, first + batch);
    runs.resize(last);
    out.stage1_ll.resize(last, nan);
    out.final_ll.resize(last, nan);
    out.stage1_iter.resize(last, 0);
    out.final_iter.resize(last, 0);
    out.status.resize(last, kNotRun);
    out.screen_ll.resize(last, nan);
    std::vector<int> idx(last - first);
    std::iota(idx.begin(), idx.end(), first);
    run_range(idx, ctl.init_iter, two_stage ? 0 : 1);
    for (int s = first; s < last; ++s) {
      out.stage1_ll[s] = runs[s].ll;
      out.stage1_iter[s] = runs[s].iter;
      if (runs[s].status == kFailed) out.status[s] = kFailed;
    }
    std::vector<int> carried = idx;
    if (two_stage) {
      // Best stage-one starts of the batch (failed ones last; ties by index).
      auto key = [&](int s) {
        return runs[s].status == kFailed ? -std::numeric_limits<double>::infinity() : runs[s].ll;
      };
      std::stable_sort(carried.begin(), carried.end(),
                       [&](int x, int y) { return key(x) > key(y); });
      carried.resize(std::min<std::size_t>(carried.size(), carry));
      run_range(carried, ctl.maxiter, 2);
    }
    if (screen) {
      // Screened starts within the margin of the best screened LL so far
      // (this batch's and earlier ones') run on to convergence; the others
      // stop there (status kScreened, no final LL).
      for (int s : carried) {
        if (runs[s].status == kFailed || !std::isfinite(runs[s].ll)) continue;
        if (runs[s].status == kScreened) out.screen_ll[s] = runs[s].ll;
        if (runs[s].ll > best_screen) best_screen = runs[s].ll;
      }
      std::vector<int> on;
      for (int s : carried)
        if (runs[s].status == kScreened &&
            runs[s].ll >= best_screen - ctl.screen_margin * std::fabs(best_screen))
          on.push_back(s);
      if (!on.empty()) run_range(on, ctl.maxiter, 3);
    }
    for (int s : carried) {
      out.final_ll[s] = runs[s].status == kScreened ? nan : runs[s].ll;
      out.final_iter[s] = runs[s].iter;
      out.status[s] = runs[s].status;
    }
    ++out.batches;
    // Best start so far: highest final LL among usable starts; empty-class
    // starts only if nothing else works. Serial, in start order.
    out.best = -1;
    for (int pass = 0; pass < 2 && out.best < 0; ++pass) {
      for (int s = 0; s < last; ++s) {
        const int st = out.status[s];
        if (st == kNotRun || st == kFailed || !std::isfinite(out.final_ll[s])) continue;
        if (pass == 0 && st == kEmptyClass) continue;
        if (out.best < 0 || out.final_ll[s] > out.final_ll[out.best]) out.best = s;
      }
    }
    out.same.assign(last, 0);
    n_best = 0;
    if (out.best >= 0) {
      const double top = out.final_ll[out.best];
      for (int s = 0; s < last; ++s) {
        if (!std::isfinite(out.final_ll[s]) || top - out.final_ll[s] > ctl.same_ll) continue;
        if (s == out.best || same_solution(d, runs[s].par, runs[out.best].par, ctl.same_par)) {
          out.same[s] = 1;
          ++n_best;
        }
      }
    }
    if (!adaptive || n_best >= ctl.min_best) break;
    // Patience: a batch that did not raise the best log-likelihood counts
    // towards stopping; one that did starts the count again.
    const double top = out.best >= 0 ? out.final_ll[out.best] : best_so_far;
    if (top > best_so_far + ctl.same_ll) {
      best_so_far = top;
      stall = 0;
    } else if (ctl.patience > 0 && ++stall >= ctl.patience && last < cap) {
      out.stalled = true;
      break;
    }
  }
  if (out.best >= 0) {
    out.best_run = runs[out.best];
  }
  return out;
}

}  // namespace cscdemand

#endif
