// Collapse an N x J table of categorical items to unique response patterns.
//
// One pass over the rows; columns are read in place (no N x J copy). Patterns
// are numbered in order of first appearance, so the result is deterministic.
#ifndef CSCDEMAND_PATTERNS_H
#define CSCDEMAND_PATTERNS_H

#include <cmath>
#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

namespace cscdemand {

struct PatternTable {
  int P = 0, J = 0;
  std::vector<int> y;          // P x J row-major, 0-based categories, -1 missing
  std::vector<double> n;       // summed weights
  std::vector<int> group;      // 0-based group of each pattern
  std::vector<int> row_index;  // N: pattern of each row, -1 if every item is missing
  long long n_all_missing = 0;
};

// cols[j][i]: code of row i on item j; the 0-based category is code - offset[j];
// na_code marks a missing value. ncat[j] is the number of categories.
// group (0-based, may be null), weights (may be null).
inline PatternTable collapse_patterns(const std::vector<const int*>& cols,
                                      const std::vector<int>& offset,
                                      const std::vector<int>& ncat, int na_code, std::size_t N,
                                      const int* group, int G, const double* weights) {
  PatternTable out;
  const int J = static_cast<int>(cols.size());
  out.J = J;
  out.row_index.assign(N, -1);
  // Mixed-radix integer key when it fits in 62 bits, else a byte-string key.
  double bits = std::log2(static_cast<double>(G > 0 ? G : 1));
  for (int j = 0; j < J; ++j) bits += std::log2(static_cast<double>(ncat[j] + 1));
  const bool int_key = bits < 62.0;
  std::unordered_map<std::uint64_t, int> map_int;
  std::unordered_map<std::string, int> map_str;
  std::vector<int> row(J);
  std::string skey;
  if (int_key) map_int.reserve(1024); else map_str.reserve(1024);
  for (std::size_t i = 0; i < N; ++i) {
    bool any = false;
    for (int j = 0; j < J; ++j) {
      const int v = cols[j][i];
      row[j] = (v == na_code) ? -1 : v - offset[j];
      any = any || row[j] >= 0;
    }
    if (!any) {
      ++out.n_all_missing;
      continue;
    }
    const int g = group ? group[i] : 0;
    int idx;
    if (int_key) {
      std::uint64_t key = static_cast<std::uint64_t>(g);
      for (int j = 0; j < J; ++j)
        key = key * static_cast<std::uint64_t>(ncat[j] + 1) + static_cast<std::uint64_t>(row[j] + 1);
      auto it = map_int.find(key);
      if (it == map_int.end()) {
        idx = out.P;
        map_int.emplace(key, idx);
      } else {
        idx = it->second;
      }
    } else {
      skey.assign(reinterpret_cast<const char*>(&g), sizeof(int));
      skey.append(reinterpret_cast<const char*>(row.data()), sizeof(int) * J);
      auto it = map_str.find(skey);
      if (it == map_str.end()) {
        idx = out.P;
        map_str.emplace(skey, idx);
      } else {
        idx = it->second;
      }
    }
    if (idx == out.P) {
      out.y.insert(out.y.end(), row.begin(), row.end());
      out.n.push_back(0.0);
      out.group.push_back(g);
      ++out.P;
    }
    out.n[idx] += weights ? weights[i] : 1.0;
    out.row_index[i] = idx;
  }
  return out;
}

// One pass over a numeric item's observed values (missing ones are not
// given): how many, whether they are all equal, whether any is not a whole
// number from 0, the range, and how many distinct codes (while the codes stay
// at most kMaxCode; else `too_many`). Enough to code an item, or to know that
// it needs the full check and its error.
struct ItemScan {
  static constexpr double kMaxCode = 1e6;
  double n_seen = 0, first = 0, lo = 0, hi = 0;
  bool constant = true, bad = false, too_many = false;
  std::vector<char> present;
  int n_distinct = 0;

  void add(double v) {
    if (n_seen == 0) {
      first = lo = hi = v;
    } else {
      constant = constant && v == first;
      lo = v < lo ? v : lo;
      hi = v > hi ? v : hi;
    }
    ++n_seen;
    if (!std::isfinite(v) || v < 0 || v != std::floor(v)) {
      bad = true;
      return;
    }
    if (v > kMaxCode) {
      too_many = true;
      return;
    }
    const std::size_t k = static_cast<std::size_t>(v);
    if (k >= present.size()) present.resize(k + 1, 0);
    if (!present[k]) {
      present[k] = 1;
      ++n_distinct;
    }
  }
};

}  // namespace cscdemand

#endif
