// Integer helpers for the reader's stages (data layer): first rows of sorted
// keys, first-seen order of codes, and repeated codes within a group. They
// replace R idioms (c(TRUE, g[-1] != g[-n]), duplicated()) that allocate
// several vectors as long as the file. No R types here; missing values are
// INT_MIN (R's NA_integer_).
#ifndef CSCDEMAND_READ_KEYS_H
#define CSCDEMAND_READ_KEYS_H

#include <climits>
#include <cstddef>
#include <vector>

namespace cscdemand {

// Positions (0-based) where a key differs from the row before (and 0).
inline std::vector<int> run_starts(const int* g, std::size_t n) {
  std::vector<int> out;
  for (std::size_t i = 0; i < n; ++i) {
    if (i == 0 || g[i] != g[i - 1]) out.push_back(static_cast<int>(i));
  }
  return out;
}

// Distinct codes (1..ncode; INT_MIN, or any code out of range, read as
// ncode + 1) in first-seen order, with each value's position in that order
// (1-based) written to `iu`: unique() and match() of a factor's codes in one
// pass.
inline std::vector<int> first_seen_index(const int* k, std::size_t n, int ncode, int* iu) {
  std::vector<int> map(static_cast<std::size_t>(ncode) + 2, 0);
  std::vector<int> out;
  for (std::size_t i = 0; i < n; ++i) {
    int v = k[i] == INT_MIN ? ncode + 1 : k[i];
    if (v < 1 || v > ncode + 1) v = ncode + 1;
    if (!map[v]) {
      out.push_back(v);
      map[v] = static_cast<int>(out.size());
    }
    iu[i] = map[v];
  }
  return out;
}

// Rows (0-based) whose distinct value (1-based `iu`) is flagged.
inline std::vector<int> rows_where(const int* iu, std::size_t n, const int* flag,
                                   std::size_t nflag) {
  std::vector<int> out;
  for (std::size_t i = 0; i < n; ++i) {
    const int v = iu[i];
    if (v >= 1 && static_cast<std::size_t>(v) <= nflag && flag[v - 1]) {
      out.push_back(static_cast<int>(i));
    }
  }
  return out;
}

// For pairs (group, code) with groups in non-decreasing order and codes in
// 1..ncode: marks each pair whose code already appeared in its group.
// Returns false (nothing marked) if the groups are not sorted or a code is
// out of range; the caller then uses a general method.
inline bool repeated_in_sorted_groups(const int* g, const int* code, std::size_t n, int ncode,
                                      std::vector<int>& dup) {
  std::vector<int> last(static_cast<std::size_t>(ncode) + 1, INT_MIN);
  dup.clear();
  for (std::size_t i = 0; i < n; ++i) {
    if (i > 0 && g[i] < g[i - 1]) return false;
    if (g[i] == INT_MIN || code[i] < 1 || code[i] > ncode) return false;
    if (last[code[i]] == g[i]) {
      dup.push_back(static_cast<int>(i));
    } else {
      last[code[i]] = g[i];
    }
  }
  return true;
}

// Rows (0-based) where any (all = false) or every (all = true) column is
// missing; `is_na(c, i)` says whether column c is missing in row i.
template <class IsNa>
std::vector<int> na_rows(std::size_t n, std::size_t ncol, bool all, IsNa is_na) {
  std::vector<int> out;
  if (ncol == 0) return out;
  for (std::size_t i = 0; i < n; ++i) {
    bool hit = all;
    for (std::size_t c = 0; c < ncol; ++c) {
      const bool m = is_na(c, i);
      if (all && !m) {
        hit = false;
        break;
      }
      if (!all && m) {
        hit = true;
        break;
      }
    }
    if (hit) out.push_back(static_cast<int>(i));
  }
  return out;
}

// Implausible dates (days since 1970-01-01; `missing(x)` says a value is
// missing, and a missing date is never flagged): rows (0-based) with a
// date before `lo` or after `hi` in either column, and rows whose first
// date is after the second. Either column may be absent (null).
template <class T, class Missing>
void date_flags(const T* a, const T* b, std::size_t n, double lo, double hi, Missing missing,
                std::vector<int>& range, std::vector<int>& order) {
  auto out = [&](T x) { return !missing(x) && (x < lo || x > hi); };
  for (std::size_t i = 0; i < n; ++i) {
    if ((a && out(a[i])) || (b && out(b[i]))) range.push_back(static_cast<int>(i));
    if (a && b && !missing(a[i]) && !missing(b[i]) && a[i] > b[i]) {
      order.push_back(static_cast<int>(i));
    }
  }
}

// Order (0-based) of pairs (group, code) by group then code, for groups in
// non-decreasing order: each run of a group is sorted by insertion (runs
// are short: the codes of one assessment). Returns false if the groups are
// not sorted; the caller then uses a general sort. Ties keep their order.
inline bool order_sorted_groups(const int* g, const int* code, std::size_t n,
                                std::vector<int>& ord) {
  ord.resize(n);
  std::size_t start = 0;
  for (std::size_t i = 0; i < n; ++i) {
    if (i > 0 && g[i] < g[i - 1]) return false;
    if (i > 0 && g[i] != g[i - 1]) start = i;
    std::size_t j = i;
    const int v = static_cast<int>(i);
    while (j > start && code[ord[j - 1]] > code[v]) {
      ord[j] = ord[j - 1];
      --j;
    }
    ord[j] = v;
  }
  return true;
}

}  // namespace cscdemand

#endif
