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

enum StartStatus { kConverged = 0, kMaxIter = 1, kFailed = 2, kEmptyClass = 3, kNotRun = 4 };

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
struct EmWork {
  std::vector<double> acc, num, pisum, missmass;
  Derived dv;
  explicit EmWork(const Design& d)
      : acc(d.K),
        num(static_cast<std::size_t>(d.R) * d.K),
        pisum(static_cast<std::size_t>(d.G) * d.K),
        missmass(d.block_start.size() * d.K) {}
};

// One E-step fused with the M-step: returns the LL at th (NaN on failure)
// and replaces th by the updated parameters.
inline double em_step(const Design& d, Params& th, EmWork& w) {
  const int K = d.K;
  derive(d, th, w.dv);
  std::fill(w.num.begin(), w.num.end(), 0.0);
  std::fill(w.pisum.begin(), w.pisum.end(), 0.0);
  std::fill(w.missmass.begin(), w.missmass.end(), 0.0);
  double ll = 0.0;
  double* acc = w.acc.data();
  for (int p = 0; p < d.P; ++p) {
    const double np = d.n[p];
    if (np <= 0) continue;
    pattern_log_joint(d, th, w.dv, p, acc);
    // log-sum-exp with one exp per class: acc becomes n_p * posterior.
    double m = acc[0];
    for (int k = 1; k < K; ++k) m = acc[k] > m ? acc[k] : m;
    if (!std::isfinite(m)) return std::numeric_limits<double>::quiet_NaN();
    double s = 0.0;
    for (int k = 0; k < K; ++k) s += (acc[k] = std::exp(acc[k] - m));
    ll += np * (m + std::log(s));
    const double scale = np / s;
    for (int k = 0; k < K; ++k) acc[k] *= scale;
    double* ps = &w.pisum[static_cast<std::size_t>(d.group[p]) * K];
    for (int k = 0; k < K; ++k) ps[k] += acc[k];
    for (int i = d.miss_ptr[p]; i < d.miss_ptr[p + 1]; ++i) {
      double* mm = &w.missmass[static_cast<std::size_t>(d.miss[i]) * K];
      for (int k = 0; k < K; ++k) mm[k] += acc[k];
    }
    for (int i = d.nz_ptr[p]; i < d.nz_ptr[p + 1]; ++i) {
      double* nr = &w.num[static_cast<std::size_t>(d.nz[i]) * K];
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
inline RunResult run_em(const Design& d, Params th, int maxiter, const Control& ctl,
                        bool keep_trace, int iter0 = 0, bool accelerate = true) {
  RunResult r;
  EmWork w(d);
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

// Re-runs one start with its trace kept (starts keep no trace while they
// run). The computation is deterministic, so it ends where the start ended.
inline RunResult replay(const Design& d, const Params& start, const Control& ctl,
                        bool two_stage) {
  if (!two_stage) return run_em(d, start, ctl.maxiter, ctl, true);
  RunResult a = run_em(d, start, ctl.init_iter, ctl, true);
  if (a.status == kFailed) return a;
  RunResult b = run_em(d, a.par, ctl.maxiter, ctl, true, a.iter);
  a.trace.insert(a.trace.end(), b.trace.begin(), b.trace.end());
  b.trace.swap(a.trace);
  return b;
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
        runs[s] = run_em(d, start_values(s), iter1, ctl, false);
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
          runs[s] = run_em(d, runs[s].par, ctl.maxiter, ctl, false, runs[s].iter);
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
  if (out.best >= 0) out.best_run = replay(d, start_values(out.best), ctl, two_stage);
  return out;
}

}  // namespace cscdemand

#endif
