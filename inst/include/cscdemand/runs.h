// Runs of equal keys in a sequence of rows (data layer). No R types here.
#ifndef CSCDEMAND_RUNS_H
#define CSCDEMAND_RUNS_H

#include <cstddef>

namespace cscdemand {

// Gives each row the 1-based id of its run: row i starts a new run when any
// key column differs from row i - 1. `same(c, i)` must say whether column c
// holds equal values in rows i - 1 and i. Writes n ids to `out` and returns
// the number of runs.
template <class Same>
int run_ids(std::size_t n, std::size_t ncol, Same same, int* out) {
  if (n == 0) return 0;
  int id = 1;
  out[0] = 1;
  for (std::size_t i = 1; i < n; ++i) {
    bool eq = true;
    for (std::size_t c = 0; c < ncol && eq; ++c) eq = same(c, i);
    if (!eq) ++id;
    out[i] = id;
  }
  return id;
}

}  // namespace cscdemand

#endif
