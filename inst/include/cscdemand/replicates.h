// All replicates of a resampling scheme in one call: bootstrap resamples,
// cross-validation folds, data simulated for the bootstrap likelihood ratio
// test, split halves. Pure C++ (no R headers).
//
// Input: a table of unique response patterns (P x J, row-major, 0-based
// categories, -1 missing) and, for every replicate, its pattern counts in
// sparse form (entries sorted by replicate: pattern, group, count). Each
// replicate fits one or more models (a number of classes, starting values
// and a number of random starts) on its own counts, and may score held-out
// counts. Replicates run in parallel; each runs its starts serially from
// its own stream, derived from (seed, replicate), so the result does not
// depend on the number of threads. Every worker writes only its own slots.
#ifndef CSCDEMAND_REPLICATES_H
#define CSCDEMAND_REPLICATES_H

#include <cstdint>
#include <vector>

#include "lca.h"
#include "parallel.h"
#include "patterns.h"
#include "rng.h"

namespace cscdemand {

struct ReplicateModel {
  int K = 1;
  int starts = 1;                // random starts besides `init`
  std::vector<Params> init;      // starting values tried first (may be empty)
  // Per-model overrides of the control (negative: keep the shared value):
  // stage-one iterations, starts carried to stage two, and the convergence
  // tolerances (log-likelihood gain, parameter distance).
  int init_iter = -1, final_starts = -1;
  double tol = -1.0, tol_par = -1.0;
  // Adaptive search (the BLRT): batches of `init` plus `starts` random
  // starts (later batches random only) until the best log-likelihood has
  // been reached by `min_best` starts (within `same_ll`, parameters within
  // `same_par` after matching classes), or `max_starts` starts have run.
  bool adaptive = false;
  int max_starts = -1, min_best = -1;
  double same_ll = -1.0, same_par = -1.0;
  // Also start from model 0's solution on this replicate with each of its
  // classes split in two (model 0 must have K - 1 classes): the BLRT's
  // K-class fit, whose maximum under the null is usually such a split.
  bool split_model0 = false;
};

// A K-class start from a (K-1)-class solution: class j's share halved
// between j and a new last class, whose item probabilities are j's nudged
// by +0.5 on the logit scale and renormalised within each block.
inline Params split_class(const Design& d, const Params& th, int j) {
  const int K0 = d.K - 1, K = d.K;
  Params out;
  out.logpi.resize(static_cast<std::size_t>(d.G) * K);
  for (int g = 0; g < d.G; ++g) {
    for (int k = 0; k < K0; ++k)
      out.logpi[static_cast<std::size_t>(g) * K + k] = th.logpi[static_cast<std::size_t>(g) * K0 + k];
    const double half = th.logpi[static_cast<std::size_t>(g) * K0 + j] - std::log(2.0);
    out.logpi[static_cast<std::size_t>(g) * K + j] = half;
    out.logpi[static_cast<std::size_t>(g) * K + K0] = half;
  }
  out.logrho.resize(static_cast<std::size_t>(d.R) * K);
  for (int r = 0; r < d.R; ++r)
    for (int k = 0; k < K0; ++k)
      out.logrho[static_cast<std::size_t>(r) * K + k] = th.logrho[static_cast<std::size_t>(r) * K0 + k];
  for (std::size_t b = 0; b < d.block_start.size(); ++b) {
    const int r0 = d.block_start[b], C = d.block_ncat[b];
    double tot = 0.0;
    std::vector<double> up(C);
    for (int c = 0; c < C; ++c) {
      const double p = std::min(std::max(std::exp(th.logrho[static_cast<std::size_t>(r0 + c) * K0 + j]), 1e-6), 1 - 1e-6);
      tot += (up[c] = 1.0 / (1.0 + std::exp(-(std::log(p / (1 - p)) + 0.5))));
    }
    for (int c = 0; c < C; ++c)
      out.logrho[static_cast<std::size_t>(r0 + c) * K + K0] = std::log(up[c] / tot);
  }
  return out;
}

// The control of one model: the shared control with the model's overrides.
inline Control model_control(const Control& ctl, const ReplicateModel& mod) {
  Control c = ctl;
  if (mod.init_iter >= 0) c.init_iter = mod.init_iter;
  if (mod.final_starts >= 0) c.final_starts = mod.final_starts;
  if (mod.tol >= 0) c.tol = mod.tol;
  if (mod.tol_par >= 0) c.tol_par = mod.tol_par;
  c.adaptive = mod.adaptive;
  if (mod.max_starts >= 0) c.max_starts = mod.max_starts;
  if (mod.min_best >= 0) c.min_best = mod.min_best;
  if (mod.same_ll >= 0) c.same_ll = mod.same_ll;
  if (mod.same_par >= 0) c.same_par = mod.same_par;
  return c;
}

// A parametric bootstrap (the BLRT): every replicate draws its own data
// from a fitted model instead of taking counts. K = 0: no simulation.
struct SimSpec {
  int K = 0;
  Params par;                      // generating model, in the layout of the full design
  std::vector<double> group_rows;  // rows to draw per group (G)
  const double* obs_n = nullptr;   // observed pattern counts (P): missing-item masks
  const int* obs_group = nullptr;  // group of each observed pattern (P, 0-based)
  std::uint64_t seed = 0;
  int first = 0;                   // stream of replicate 0 (replicate r uses first + r)
};

struct ReplicateInput {
  const int* y = nullptr;        // P x J, row-major
  int P = 0, J = 0, G = 1;
  const int* ncat = nullptr;     // J
  const int* set_of = nullptr;   // J x G (set_of[j * G + g])
  int R = 0;                     // replicates
  std::vector<int> ptr;          // R + 1: entries of replicate r are [ptr[r], ptr[r + 1])
  std::vector<int> pattern, group;
  std::vector<double> count;
  std::vector<int> test_ptr, test_pattern, test_group;  // optional held-out counts
  std::vector<double> test_count;
  SimSpec sim;
};

struct ReplicateOutput {
  // R x M (row-major): log-likelihood of each replicate's fit of each model,
  // its status (StartStatus), how many starts reached the best solution, and
  // the held-out log-likelihood (NaN without held-out counts).
  std::vector<double> loglik, heldout;
  std::vector<int> status, n_best;
  std::vector<int> iter;  // EM iterations of all starts of the replicate's fit (stage one and two)
  std::vector<int> n_starts;  // starts run (more than the first batch when adaptive)
  // Parameters of model 0 per replicate: logpi (G x K) and logrho (R x K), row-major.
  std::vector<Params> par0;
};

inline Design replicate_design(const ReplicateInput& in, int K, const std::vector<int>& ptr,
                               const std::vector<int>& pat, const std::vector<int>& grp,
                               const std::vector<double>& cnt, int r) {
  const int a = ptr[r], b = ptr[r + 1], m = b - a, J = in.J;
  std::vector<int> yy(static_cast<std::size_t>(m) * J), g(m);
  std::vector<double> n(m);
  for (int e = a; e < b; ++e) {
    const int p = pat[e];
    std::copy(in.y + static_cast<std::size_t>(p) * J, in.y + static_cast<std::size_t>(p + 1) * J,
              yy.begin() + static_cast<std::size_t>(e - a) * J);
    g[e - a] = grp[e];
    n[e - a] = cnt[e];
  }
  return make_design(yy.data(), m, J, in.ncat, n.data(), g.data(), in.G, K, in.set_of);
}

// Cumulative probabilities of the generating model, and the rows (with
// their counts) whose missing-item masks the simulated rows copy.
struct SimTables {
  std::vector<double> cumpi, cumrho;  // G x K; rows x K, cumulative within each block
  std::vector<int> row0;              // J x G: first parameter row of item j in group g
  std::vector<std::vector<int>> src;  // per group: observed patterns with a missing item
  std::vector<std::vector<double>> src_cum;  // their cumulative counts (of all the group's rows)
  std::vector<double> group_tot;      // observed count per group
};

inline SimTables sim_tables(const ReplicateInput& in) {
  const SimSpec& sp = in.sim;
  const int K = sp.K, G = in.G, J = in.J;
  SimTables t;
  t.cumpi.resize(static_cast<std::size_t>(G) * K);
  for (int g = 0; g < G; ++g) {
    double c = 0.0;
    for (int k = 0; k < K; ++k)
      t.cumpi[g * K + k] = (c += std::exp(sp.par.logpi[static_cast<std::size_t>(g) * K + k]));
  }
  t.row0.assign(static_cast<std::size_t>(J) * G, 0);
  int R = 0;
  for (int j = 0; j < J; ++j) {  // the block order of make_design()
    int nset = 0;
    for (int g = 0; g < G; ++g) nset = std::max(nset, in.set_of[j * G + g] + 1);
    for (int g = 0; g < G; ++g) t.row0[j * G + g] = R + in.set_of[j * G + g] * in.ncat[j];
    R += nset * in.ncat[j];
  }
  t.cumrho.assign(static_cast<std::size_t>(R) * K, 0.0);
  for (int j = 0; j < J; ++j)
    for (int g = 0; g < G; ++g) {
      const int r0 = t.row0[j * G + g];
      for (int k = 0; k < K; ++k) {
        double c = 0.0;
        for (int cc = 0; cc < in.ncat[j]; ++cc) {
          const std::size_t i = static_cast<std::size_t>(r0 + cc) * K + k;
          t.cumrho[i] = (c += std::exp(sp.par.logrho[i]));
        }
      }
    }
  // Missing-item masks: a row copies the mask of an observed row of its
  // group, drawn by count; rows with no missing item give no mask.
  t.src.assign(G, std::vector<int>());
  t.src_cum.assign(G, std::vector<double>());
  t.group_tot.assign(G, 0.0);
  for (int p = 0; p < in.P; ++p) {
    const int g = sp.obs_group[p];
    t.group_tot[g] += sp.obs_n[p];
    bool miss = false;
    for (int j = 0; j < J && !miss; ++j) miss = in.y[static_cast<std::size_t>(p) * J + j] < 0;
    if (miss && sp.obs_n[p] > 0) {
      t.src[g].push_back(p);
      t.src_cum[g].push_back(t.group_tot[g]);
    }
  }
  return t;
}

// Index of the first cumulative value at or above u (the last if none).
inline int draw_cum(const double* cum, int n, int stride, double u) {
  int c = 0;
  while (c < n - 1 && u > cum[static_cast<std::size_t>(c) * stride]) ++c;
  return c;
}

// Replicate r of a parametric bootstrap, collapsed to patterns: each row's
// class drawn from its group's class sizes, each item from its class's
// probabilities, and its missing items copied from an observed row of the
// group. Stream (sim.seed, sim.first + r), so a replicate's data depend on
// neither the batch nor the thread.
inline PatternTable simulate_replicate(const ReplicateInput& in, const SimTables& t, int r) {
  const SimSpec& sp = in.sim;
  const int K = sp.K, G = in.G, J = in.J;
  std::size_t N = 0;
  for (double v : sp.group_rows) N += static_cast<std::size_t>(v);
  std::vector<std::vector<int>> cols(J, std::vector<int>(N));
  std::vector<int> grp(N);
  Rng rng(sp.seed, static_cast<std::uint64_t>(sp.first) + static_cast<std::uint64_t>(r));
  std::size_t i = 0;
  for (int g = 0; g < G; ++g) {
    const std::size_t ng = static_cast<std::size_t>(sp.group_rows[g]);
    const std::vector<double>& sc = t.src_cum[g];
    for (std::size_t a = 0; a < ng; ++a, ++i) {
      grp[i] = g;
      const int k = draw_cum(&t.cumpi[static_cast<std::size_t>(g) * K], K, 1, rng.uniform());
      const int* mask = nullptr;
      if (!sc.empty()) {
        const double u = rng.uniform() * t.group_tot[g];
        const std::size_t w = std::lower_bound(sc.begin(), sc.end(), u) - sc.begin();
        // u falls on a row with a missing item only when it lies within that pattern's count
        if (w < sc.size() && u > sc[w] - sp.obs_n[t.src[g][w]])
          mask = in.y + static_cast<std::size_t>(t.src[g][w]) * J;
      }
      for (int j = 0; j < J; ++j) {
        const double u = rng.uniform();  // drawn for every item, so masks do not shift the stream
        if (mask && mask[j] < 0) {
          cols[j][i] = -1;
          continue;
        }
        const int r0 = t.row0[j * G + g];
        cols[j][i] = draw_cum(&t.cumrho[static_cast<std::size_t>(r0) * K + k], in.ncat[j], K, u);
      }
    }
  }
  std::vector<const int*> cp(J);
  for (int j = 0; j < J; ++j) cp[j] = cols[j].data();
  std::vector<int> offset(J, 0), nc(in.ncat, in.ncat + J);
  return collapse_patterns(cp, offset, nc, -1, N, grp.data(), G, nullptr);
}

inline ReplicateOutput run_replicates(const ReplicateInput& in,
                                      const std::vector<ReplicateModel>& models,
                                      std::uint64_t seed, const Control& ctl,
                                      const ParallelFor& pfor) {
  const int R = in.R, M = static_cast<int>(models.size());
  ReplicateOutput out;
  const double nan = std::numeric_limits<double>::quiet_NaN();
  out.loglik.assign(static_cast<std::size_t>(R) * M, nan);
  out.heldout.assign(static_cast<std::size_t>(R) * M, nan);
  out.status.assign(static_cast<std::size_t>(R) * M, kNotRun);
  out.n_best.assign(static_cast<std::size_t>(R) * M, 0);
  out.iter.assign(static_cast<std::size_t>(R) * M, 0);
  out.n_starts.assign(static_cast<std::size_t>(R) * M, 0);
  std::vector<Control> mctl;
  for (const ReplicateModel& mod : models) mctl.push_back(model_control(ctl, mod));
  out.par0.resize(R);
  const bool scored = !in.test_ptr.empty();
  const bool simulated = in.sim.K > 0;
  const SimTables tabs = simulated ? sim_tables(in) : SimTables();
  pfor(static_cast<std::size_t>(R), [&](std::size_t lo, std::size_t hi) {
    for (std::size_t rr = lo; rr < hi; ++rr) {
      const int r = static_cast<int>(rr);
      std::uint64_t x = seed ^ (0x9E3779B97F4A7C15ULL * (static_cast<std::uint64_t>(r) + 1));
      PatternTable sim;
      if (simulated) sim = simulate_replicate(in, tabs, r);
      Params par0;  // model 0's solution on this replicate
      for (int m = 0; m < M; ++m) {
        const ReplicateModel& mod = models[m];
        Design d = simulated ? make_design(sim.y.data(), sim.P, in.J, in.ncat, sim.n.data(),
                                           sim.group.data(), in.G, mod.K, in.set_of)
                             : replicate_design(in, mod.K, in.ptr, in.pattern, in.group,
                                                in.count, r);
        const std::uint64_t sr = splitmix64(x);  // this replicate's stream for model m
        std::vector<Params> init = mod.init;
        if (mod.split_model0 && m > 0 && !par0.logpi.empty() && models[0].K == mod.K - 1)
          for (int j = 0; j < mod.K - 1; ++j) init.push_back(split_class(d, par0, j));
        const int starts = std::max(1, static_cast<int>(init.size()) + mod.starts);
        Control c = mctl[m];
        c.batch = starts;  // adaptive: the first batch is every start above, later ones as many random
        MultiStartResult ms = multi_start(d, starts, sr, c, init, serial_for, 1, nullptr, false);
        const std::size_t slot = static_cast<std::size_t>(r) * M + m;
        int it = 0;
        for (std::size_t s = 0; s < ms.stage1_iter.size(); ++s)
          it += std::max(ms.stage1_iter[s], ms.final_iter[s]);
        out.iter[slot] = it;
        out.n_starts[slot] = static_cast<int>(ms.stage1_iter.size());
        if (ms.best < 0) {
          out.status[slot] = kFailed;
          continue;
        }
        const RunResult& best = ms.best_run;
        out.loglik[slot] = best.ll;
        out.status[slot] = best.status;
        int nb = 0;
        for (int v : ms.same) nb += v;
        out.n_best[slot] = nb;
        if (m == 0) {
          out.par0[r] = best.par;
          par0 = best.par;
        }
        if (scored) {
          Design t = replicate_design(in, mod.K, in.test_ptr, in.test_pattern, in.test_group,
                                      in.test_count, r);
          out.heldout[slot] = t.P > 0 ? loglik(t, best.par) : 0.0;
        }
      }
    }
  });
  return out;
}

}  // namespace cscdemand

#endif
