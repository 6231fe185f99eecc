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
};

// The control of one model: the shared control with the model's overrides.
inline Control model_control(const Control& ctl, const ReplicateModel& mod) {
  Control c = ctl;
  if (mod.init_iter >= 0) c.init_iter = mod.init_iter;
  if (mod.final_starts >= 0) c.final_starts = mod.final_starts;
  if (mod.tol >= 0) c.tol = mod.tol;
  if (mod.tol_par >= 0) c.tol_par = mod.tol_par;
  c.adaptive = false;
  return c;
}

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
};

struct ReplicateOutput {
  // R x M (row-major): log-likelihood of each replicate's fit of each model,
  // its status (StartStatus), how many starts reached the best solution, and
  // the held-out log-likelihood (NaN without held-out counts).
  std::vector<double> loglik, heldout;
  std::vector<int> status, n_best;
  std::vector<int> iter;  // EM iterations of all starts of the replicate's fit (stage one and two)
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
  std::vector<Control> mctl;
  for (const ReplicateModel& mod : models) mctl.push_back(model_control(ctl, mod));
  out.par0.resize(R);
  const bool scored = !in.test_ptr.empty();
  pfor(static_cast<std::size_t>(R), [&](std::size_t lo, std::size_t hi) {
    for (std::size_t rr = lo; rr < hi; ++rr) {
      const int r = static_cast<int>(rr);
      std::uint64_t x = seed ^ (0x9E3779B97F4A7C15ULL * (static_cast<std::uint64_t>(r) + 1));
      for (int m = 0; m < M; ++m) {
        const ReplicateModel& mod = models[m];
        Design d = replicate_design(in, mod.K, in.ptr, in.pattern, in.group, in.count, r);
        const std::uint64_t sr = splitmix64(x);  // this replicate's stream for model m
        const int starts = std::max(1, static_cast<int>(mod.init.size()) + mod.starts);
        MultiStartResult ms =
            multi_start(d, starts, sr, mctl[m], mod.init, serial_for, 1, nullptr, false);
        const std::size_t slot = static_cast<std::size_t>(r) * M + m;
        int it = 0;
        for (std::size_t s = 0; s < ms.stage1_iter.size(); ++s)
          it += std::max(ms.stage1_iter[s], ms.final_iter[s]);
        out.iter[slot] = it;
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
        if (m == 0) out.par0[r] = best.par;
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
