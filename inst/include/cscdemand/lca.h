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

#include "rng.h"

namespace cscdemand {

// Runs fn(begin, end) over [0, n), possibly in parallel. The R glue supplies
// an RcppParallel implementation; the default runs serially.
using ParallelFor =
    std::function<void(std::size_t n, const std::function<void(std::size_t, std::size_t)>& fn)>;

inline void serial_for(std::size_t n, const std::function<void(std::size_t, std::size_t)>& fn) {
  fn(0, n);
}

enum StartStatus { kConverged = 0, kMaxIter = 1, kFailed = 2, kEmptyClass = 3, kNotRun = 4 };

// The pattern table in compressed form: for pattern p, the rows of the
// parameter table that its observed items use are
// rows[row_ptr[p] .. row_ptr[p + 1]).
struct Design {
  int P = 0, J = 0, G = 1, K = 1;
  int R = 0;                    // rows of the parameter table
  std::vector<int> row_ptr;     // P + 1
  std::vector<int> rows;        // observed (item, set, category) rows
  std::vector<double> n;        // P pattern counts (frequency weights)
  std::vector<int> group;       // P, 0-based
  // Blocks: one per (item, set). Block b covers parameter rows
  // [block_start[b], block_start[b] + block_ncat[b]).
  std::vector<int> block_start, block_ncat;
  std::vector<double> group_n;  // G, total count per group
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
  // block index of (j, s): block_of[j][s]
  std::vector<std::vector<int>> block_of(J);
  int R = 0;
  for (int j = 0; j < J; ++j) {
    int nset = 0;
    for (int g = 0; g < G; ++g) nset = std::max(nset, set_of[j * G + g] + 1);
    for (int s = 0; s < nset; ++s) {
      block_of[j].push_back(static_cast<int>(d.block_start.size()));
      d.block_start.push_back(R);
      d.block_ncat.push_back(ncat[j]);
      R += ncat[j];
    }
  }
  d.R = R;
  d.n.assign(n, n + P);
  d.group.resize(P);
  d.group_n.assign(G, 0.0);
  d.row_ptr.resize(P + 1);
  d.rows.reserve(static_cast<std::size_t>(P) * J);
  d.row_ptr[0] = 0;
  for (int p = 0; p < P; ++p) {
    const int g = group ? group[p] : 0;
    d.group[p] = g;
    d.group_n[g] += n[p];
    for (int j = 0; j < J; ++j) {
      const int c = y[static_cast<std::size_t>(p) * J + j];
      if (c < 0) continue;
      const int b = block_of[j][set_of[j * G + g]];
      d.rows.push_back(d.block_start[b] + c);
    }
    d.row_ptr[p + 1] = static_cast<int>(d.rows.size());
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
  double tol = 1e-10;      // stop when the log-likelihood gains less than tol * (1 + |LL|)
  int init_iter = 0;       // stage-one iterations for every start (0: no stage one)
  int final_starts = 0;    // starts carried to stage two (<= 0 or >= starts: all)
  double empty_class = 1e-8;  // a class whose size is below this fraction is empty
};

inline double log_sum_exp(const double* x, int K) {
  double m = -std::numeric_limits<double>::infinity();
  for (int k = 0; k < K; ++k) m = std::max(m, x[k]);
  if (!std::isfinite(m)) return m;
  double s = 0.0;
  for (int k = 0; k < K; ++k) s += std::exp(x[k] - m);
  return m + std::log(s);
}

// Log joint log f(p, k) for one pattern into acc (length K).
inline void pattern_log_joint(const Design& d, const Params& th, int p, double* acc) {
  const int K = d.K;
  const double* lp = &th.logpi[static_cast<std::size_t>(d.group[p]) * K];
  for (int k = 0; k < K; ++k) acc[k] = lp[k];
  for (int i = d.row_ptr[p]; i < d.row_ptr[p + 1]; ++i) {
    const double* lr = &th.logrho[static_cast<std::size_t>(d.rows[i]) * K];
    for (int k = 0; k < K; ++k) acc[k] += lr[k];
  }
}

// Log-likelihood, and optionally the posterior (P x K, row-major) and the
// per-pattern log-likelihood contributions log f(p).
inline double loglik(const Design& d, const Params& th, double* post = nullptr,
                     double* ll_pattern = nullptr) {
  const int K = d.K;
  std::vector<double> acc(K);
  double ll = 0.0;
  for (int p = 0; p < d.P; ++p) {
    pattern_log_joint(d, th, p, acc.data());
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
struct EmWork {
  std::vector<double> acc, num, pisum;
  explicit EmWork(const Design& d)
      : acc(d.K), num(static_cast<std::size_t>(d.R) * d.K), pisum(static_cast<std::size_t>(d.G) * d.K) {}
};

// One E-step fused with the M-step accumulation: returns LL at th and fills
// the expected counts. Then updates th in place. Returns NaN on failure.
inline double em_step(const Design& d, Params& th, EmWork& w) {
  const int K = d.K;
  std::fill(w.num.begin(), w.num.end(), 0.0);
  std::fill(w.pisum.begin(), w.pisum.end(), 0.0);
  double ll = 0.0;
  double* acc = w.acc.data();
  for (int p = 0; p < d.P; ++p) {
    const double np = d.n[p];
    if (np <= 0) continue;
    pattern_log_joint(d, th, p, acc);
    const double lse = log_sum_exp(acc, K);
    if (!std::isfinite(lse)) return std::numeric_limits<double>::quiet_NaN();
    ll += np * lse;
    for (int k = 0; k < K; ++k) acc[k] = np * std::exp(acc[k] - lse);
    double* ps = &w.pisum[static_cast<std::size_t>(d.group[p]) * K];
    for (int k = 0; k < K; ++k) ps[k] += acc[k];
    for (int i = d.row_ptr[p]; i < d.row_ptr[p + 1]; ++i) {
      double* nr = &w.num[static_cast<std::size_t>(d.rows[i]) * K];
      for (int k = 0; k < K; ++k) nr[k] += acc[k];
    }
  }
  // M-step: class sizes per group.
  for (int g = 0; g < d.G; ++g) {
    if (d.group_n[g] <= 0) continue;
    for (int k = 0; k < K; ++k) {
      const double v = w.pisum[static_cast<std::size_t>(g) * K + k] / d.group_n[g];
      th.logpi[static_cast<std::size_t>(g) * K + k] = std::log(v);
    }
  }
  // M-step: item-response probabilities; each block normalised over categories
  // (only cases observed on the item contribute: MAR). A block with no
  // expected mass keeps its previous values.
  const std::size_t nb = d.block_start.size();
  for (std::size_t b = 0; b < nb; ++b) {
    const int r0 = d.block_start[b], C = d.block_ncat[b];
    for (int k = 0; k < K; ++k) {
      double tot = 0.0;
      for (int c = 0; c < C; ++c) tot += w.num[static_cast<std::size_t>(r0 + c) * K + k];
      if (!(tot > 0)) continue;
      const double ltot = std::log(tot);
      for (int c = 0; c < C; ++c) {
        const double v = w.num[static_cast<std::size_t>(r0 + c) * K + k];
        th.logrho[static_cast<std::size_t>(r0 + c) * K + k] =
            v > 0 ? std::log(v) - ltot : -std::numeric_limits<double>::infinity();
      }
    }
  }
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

struct RunResult {
  Params par;
  double ll = -std::numeric_limits<double>::infinity();
  int iter = 0;
  int status = kNotRun;
  std::vector<double> trace;
};

// Runs EM from th for at most maxiter iterations. The returned LL is the
// log-likelihood at the returned parameters.
inline RunResult run_em(const Design& d, Params th, int maxiter, double tol, double empty_class,
                        bool keep_trace, int iter0 = 0) {
  RunResult r;
  EmWork w(d);
  Params prev = th;
  double ll_prev = -std::numeric_limits<double>::infinity();
  int it = 0;
  r.status = kMaxIter;
  for (; it <= maxiter; ++it) {
    prev.logpi = th.logpi;
    prev.logrho = th.logrho;
    const double ll = em_step(d, th, w);  // ll is at `prev`; th now updated
    if (!std::isfinite(ll)) {
      r.status = kFailed;
      r.par = prev;
      r.ll = -std::numeric_limits<double>::infinity();
      r.iter = iter0 + it;
      return r;
    }
    if (keep_trace) r.trace.push_back(ll);
    if (it > 0 && ll - ll_prev < tol * (1.0 + std::fabs(ll))) {
      r.status = kConverged;
      r.par = prev;
      r.ll = ll;
      r.iter = iter0 + it;
      break;
    }
    ll_prev = ll;
    if (it == maxiter) {
      r.par = prev;
      r.ll = ll;
      r.iter = iter0 + it;
    }
  }
  // Empty class: a class with (near) zero size in every group.
  for (int k = 0; k < d.K; ++k) {
    double mass = 0.0, tot = 0.0;
    for (int g = 0; g < d.G; ++g) {
      mass += d.group_n[g] * std::exp(r.par.logpi[static_cast<std::size_t>(g) * d.K + k]);
      tot += d.group_n[g];
    }
    if (!(mass > empty_class * tot)) {
      if (r.status != kFailed) r.status = kEmptyClass;
    }
  }
  return r;
}

struct MultiStartResult {
  std::vector<double> stage1_ll, final_ll;
  std::vector<int> stage1_iter, final_iter, status;
  int best = -1;
  RunResult best_run;
};

// All random starts and all iterations of one fit. `init` (optional) holds
// user-supplied starting values used by the first starts. `on_chunk(done)` is
// called on the calling thread between chunks of starts (progress and user
// interrupts); it may throw to abort.
inline MultiStartResult multi_start(const Design& d, int starts, std::uint64_t seed,
                                    const Control& ctl, const std::vector<Params>& init,
                                    const ParallelFor& pfor, std::size_t chunk,
                                    const std::function<void(int, int)>& on_chunk) {
  MultiStartResult out;
  out.stage1_ll.assign(starts, std::numeric_limits<double>::quiet_NaN());
  out.final_ll.assign(starts, std::numeric_limits<double>::quiet_NaN());
  out.stage1_iter.assign(starts, 0);
  out.final_iter.assign(starts, 0);
  out.status.assign(starts, kNotRun);
  const bool two_stage =
      ctl.init_iter > 0 && ctl.final_starts > 0 && ctl.final_starts < starts;
  std::vector<RunResult> runs(starts);
  if (chunk < 1) chunk = 1;
  const int total_steps = two_stage ? starts + ctl.final_starts : starts;

  auto start_values = [&](int s) {
    if (s < static_cast<int>(init.size())) return init[s];
    Rng rng(seed, static_cast<std::uint64_t>(s));
    return random_start(d, rng);
  };

  // Stage one (or the only stage).
  const int iter1 = two_stage ? ctl.init_iter : ctl.maxiter;
  for (int a = 0; a < starts; a += static_cast<int>(chunk)) {
    const int b = std::min(starts, a + static_cast<int>(chunk));
    pfor(static_cast<std::size_t>(b - a), [&](std::size_t lo, std::size_t hi) {
      for (std::size_t i = lo; i < hi; ++i) {
        const int s = a + static_cast<int>(i);
        runs[s] = run_em(d, start_values(s), iter1, ctl.tol, ctl.empty_class, !two_stage);
      }
    });
    for (int s = a; s < b; ++s) {
      out.stage1_ll[s] = runs[s].ll;
      out.stage1_iter[s] = runs[s].iter;
      if (!two_stage) {
        out.final_ll[s] = runs[s].ll;
        out.final_iter[s] = runs[s].iter;
        out.status[s] = runs[s].status;
      }
    }
    if (on_chunk) on_chunk(b, total_steps);
  }

  std::vector<int> carried;
  if (two_stage) {
    // Best stage-one starts (failed ones last; ties by start index).
    std::vector<int> ord(starts);
    std::iota(ord.begin(), ord.end(), 0);
    auto key = [&](int s) {
      return runs[s].status == kFailed ? -std::numeric_limits<double>::infinity() : runs[s].ll;
    };
    std::stable_sort(ord.begin(), ord.end(), [&](int x, int y) { return key(x) > key(y); });
    carried.assign(ord.begin(), ord.begin() + ctl.final_starts);
    for (int s = 0; s < starts; ++s)
      if (runs[s].status == kFailed) out.status[s] = kFailed;
    const int nc = static_cast<int>(carried.size());
    for (int a = 0; a < nc; a += static_cast<int>(chunk)) {
      const int b = std::min(nc, a + static_cast<int>(chunk));
      pfor(static_cast<std::size_t>(b - a), [&](std::size_t lo, std::size_t hi) {
        for (std::size_t i = lo; i < hi; ++i) {
          const int s = carried[a + static_cast<int>(i)];
          if (runs[s].status == kFailed) continue;
          runs[s] = run_em(d, runs[s].par, ctl.maxiter, ctl.tol, ctl.empty_class, true,
                           runs[s].iter);
        }
      });
      for (int i = a; i < b; ++i) {
        const int s = carried[i];
        out.final_ll[s] = runs[s].ll;
        out.final_iter[s] = runs[s].iter;
        out.status[s] = runs[s].status;
      }
      if (on_chunk) on_chunk(starts + b, total_steps);
    }
  }

  // Best start: highest final LL among usable starts; empty-class or failed
  // starts only if nothing else exists. Serial, in start order: thread-free.
  auto usable = [&](int s, bool strict) {
    const int st = out.status[s];
    if (st == kNotRun || st == kFailed) return false;
    if (strict && st == kEmptyClass) return false;
    return std::isfinite(out.final_ll[s]);
  };
  for (int pass = 0; pass < 2 && out.best < 0; ++pass) {
    for (int s = 0; s < starts; ++s) {
      if (!usable(s, pass == 0)) continue;
      if (out.best < 0 || out.final_ll[s] > out.final_ll[out.best]) out.best = s;
    }
  }
  if (out.best >= 0) out.best_run = runs[out.best];
  return out;
}

}  // namespace cscdemand

#endif
