// The configural multi-group model as G separate single-group fits.
// Pure C++ (no R headers).
//
// A configural model frees the class sizes and every item's probabilities in
// every group, so its likelihood is a product over groups of single-group
// K-class likelihoods with no parameter in common: its maximum is the sum of
// the groups' maxima. Each group is fitted on its own patterns (a small
// design), the groups in parallel; within a group the starts run serially
// from the group's own stream, derived from (seed, group), so the result is
// the same for any number of threads. Every worker writes only its group's
// slots. The classes of different groups are not matched here (the R layer
// aligns them to a reference solution).
#ifndef CSCDEMAND_GROUPS_H
#define CSCDEMAND_GROUPS_H

#include <algorithm>
#include <cstdint>
#include <numeric>
#include <vector>

#include "lca.h"
#include "parallel.h"
#include "rng.h"

namespace cscdemand {

struct GroupFits {
  // Per group: the best start's log-likelihood, status (StartStatus), EM
  // iterations, and how many starts reached the best solution / finished.
  std::vector<double> loglik;
  std::vector<int> status, iter, n_best, n_finished;
  std::vector<Params> par;  // per group: logpi (1 x K), logrho (rows x K), row-major
  std::vector<MultiStartResult> starts;  // per group: every start (best_run emptied)
};

// The design of group g alone: its patterns with a positive count, one
// parameter set (single-group layout).
inline Design group_design(const int* y, int P, int J, const int* ncat, const double* n,
                           const int* group, int g, int K) {
  std::vector<int> yy, none(J, 0);
  std::vector<double> nn;
  for (int p = 0; p < P; ++p) {
    if (group[p] != g || !(n[p] > 0)) continue;
    yy.insert(yy.end(), y + static_cast<std::size_t>(p) * J, y + static_cast<std::size_t>(p + 1) * J);
    nn.push_back(n[p]);
  }
  const int m = static_cast<int>(nn.size());
  return make_design(yy.data(), m, J, ncat, nn.data(), nullptr, 1, K, none.data());
}

// Fits every group. `init[g]` holds group g's starting values tried first
// (may be empty); `starts` counts them. The largest groups are handed out
// first, so two threads finish together.
inline GroupFits fit_groups(const int* y, int P, int J, const int* ncat, const double* n,
                            const int* group, int G, int K, int starts, std::uint64_t seed,
                            const Control& ctl, const std::vector<std::vector<Params>>& init,
                            const ParallelFor& pfor) {
  GroupFits out;
  out.loglik.assign(G, -std::numeric_limits<double>::infinity());
  out.status.assign(G, kFailed);
  out.iter.assign(G, 0);
  out.n_best.assign(G, 0);
  out.n_finished.assign(G, 0);
  out.par.resize(G);
  out.starts.resize(G);
  std::vector<double> size(G, 0.0);
  for (int p = 0; p < P; ++p) size[group[p]] += n[p] > 0 ? n[p] : 0.0;
  std::vector<int> order(G);
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return size[a] > size[b]; });
  const std::vector<Params> none;
  pfor(static_cast<std::size_t>(G), [&](std::size_t lo, std::size_t hi) {
    for (std::size_t i = lo; i < hi; ++i) {
      const int g = order[i];
      if (!(size[g] > 0)) continue;
      const Design d = group_design(y, P, J, ncat, n, group, g, K);
      std::uint64_t x = seed ^ (0x9E3779B97F4A7C15ULL * (static_cast<std::uint64_t>(g) + 1));
      const std::uint64_t sg = splitmix64(x);
      const std::vector<Params>& in = g < static_cast<int>(init.size()) ? init[g] : none;
      MultiStartResult ms = multi_start(d, std::max(starts, static_cast<int>(in.size())), sg,
                                        ctl, in, serial_for, 1, nullptr, false);
      if (ms.best >= 0) {
        out.loglik[g] = ms.best_run.ll;
        out.status[g] = ms.best_run.status;
        out.iter[g] = ms.best_run.iter;
        out.par[g] = ms.best_run.par;
        int nb = 0, nf = 0;
        for (int v : ms.same) nb += v;
        for (int v : ms.status) nf += v == kConverged || v == kMaxIter || v == kEmptyClass;
        out.n_best[g] = nb;
        out.n_finished[g] = nf;
      }
      ms.best_run = RunResult();
      out.starts[g] = std::move(ms);
    }
  });
  return out;
}

// Expected counts of the E-step by group, item, category and class: for
// every pattern p of group g, n[p] * post[p, k] is added to the cell
// (item j, category y[p, j], group g, class k). The result is laid out as
// the configural parameter table (rows: item by item, group by group within
// an item, categories within a group; K columns, row-major). From these
// counts one M-step frees an item's probabilities in every group, which
// gives the score-type ranking of the partial-invariance search (the
// R layer computes the gains; missing answers add nothing).
inline std::vector<double> expected_counts(const int* y, int P, int J, const int* ncat,
                                           const double* n, const int* group, int G, int K,
                                           const double* post) {
  std::vector<int> off(J + 1, 0);
  for (int j = 0; j < J; ++j) off[j + 1] = off[j] + G * ncat[j];
  std::vector<double> out(static_cast<std::size_t>(off[J]) * K, 0.0);
  for (int p = 0; p < P; ++p) {
    if (!(n[p] > 0)) continue;
    const double* pk = post + static_cast<std::size_t>(p) * K;
    const int g = group[p];
    for (int j = 0; j < J; ++j) {
      const int c = y[static_cast<std::size_t>(p) * J + j];
      if (c < 0) continue;
      double* cell = out.data() + static_cast<std::size_t>(off[j] + g * ncat[j] + c) * K;
      for (int k = 0; k < K; ++k) cell[k] += n[p] * pk[k];
    }
  }
  return out;
}

}  // namespace cscdemand

#endif
