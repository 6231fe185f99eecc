// Episode factor sets as bit masks (data layer): one 64-bit word per episode,
// bit k - 1 set when column k (a factor code, or a merge of codes) is
// present. Combining an episode's assessments is an OR, a repeated code
// costs nothing, and every later stage of episode_factors() (code 21 with
// others, merges, exclusions, rare factors, the 0/1 table) is a pass over
// the words instead of R vectors as long as the file. No R types here;
// missing values are INT_MIN (R's NA_integer_).
#ifndef CSCDEMAND_EPISODES_H
#define CSCDEMAND_EPISODES_H

#include <climits>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace cscdemand {

using EpMask = std::uint64_t;
constexpr int kMaskColumns = 64;

inline EpMask mask_bit(int col) { return EpMask(1) << (col - 1); }

inline int mask_popcount(EpMask m) { return __builtin_popcountll(m); }

// OR the pairs (assessment, column) into the masks of their episodes:
// `ep_of[a - 1]` is assessment a's episode (1..n_ep). Pairs with a missing
// or out-of-range assessment or column are skipped and counted.
inline std::size_t masks_from_pairs(const int* ep_of, std::size_t n_assess, const int* assess,
                                    const int* col, std::size_t n_pairs, std::size_t n_ep,
                                    EpMask* out) {
  std::size_t skipped = 0;
  for (std::size_t i = 0; i < n_pairs; ++i) {
    const int a = assess[i], k = col[i];
    if (a == INT_MIN || a < 1 || static_cast<std::size_t>(a) > n_assess || k == INT_MIN ||
        k < 1 || k > kMaskColumns) {
      ++skipped;
      continue;
    }
    const int e = ep_of[a - 1];
    if (e == INT_MIN || e < 1 || static_cast<std::size_t>(e) > n_ep) {
      ++skipped;
      continue;
    }
    out[e - 1] |= mask_bit(k);
  }
  return skipped;
}

// Code 21 ("no factors", column `col21`) with other codes, no factors, and
// code 20 ("Other", column `col20`) alone, in one pass: 21 is cleared where
// it stands beside other codes; `n_factors` gets the columns other than 21;
// episodes with none (or only 21) and, if `drop_other`, those with only 20
// lose their `alive` flag when `drop_none` / `drop_other` say so. Counts:
// [0] episodes with 21 and others, [1] with no factor or only 21, [2] of
// those, coded 21, [3] with only 20.
inline void mask_no_factors(EpMask* m, std::size_t n, int col21, int col20, bool drop_none,
                            bool drop_other, int* alive, int* n_factors, double* counts) {
  const EpMask b21 = mask_bit(col21), b20 = mask_bit(col20);
  counts[0] = counts[1] = counts[2] = counts[3] = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const int others = mask_popcount(m[i] & ~b21);
    const bool has21 = (m[i] & b21) != 0;
    n_factors[i] = others;
    if (has21 && others > 0) {
      m[i] &= ~b21;
      ++counts[0];
    }
    if (others == 0) {
      ++counts[1];
      if (has21) ++counts[2];
      if (drop_none) alive[i] = 0;
    } else if (others == 1 && (m[i] & b20)) {
      ++counts[3];
      if (drop_other) alive[i] = 0;
    }
  }
}

// Episodes alive whose every factor has been removed (empty mask, but some
// factor before): no longer alive. Returns how many.
inline std::size_t mask_drop_emptied(const EpMask* m, std::size_t n, const int* n_factors,
                                     int* alive) {
  std::size_t dropped = 0;
  for (std::size_t i = 0; i < n; ++i) {
    if (alive[i] && m[i] == 0 && n_factors[i] > 0) {
      alive[i] = 0;
      ++dropped;
    }
  }
  return dropped;
}

// Clear the bits of `clear` in every episode.
inline void mask_clear(EpMask* m, std::size_t n, EpMask clear) {
  for (std::size_t i = 0; i < n; ++i) m[i] &= ~clear;
}

// Map each column k to column map[k - 1] (several may share one: a merge),
// in the episodes flagged by `alive` (every one when null); the others get
// no column.
inline void mask_remap(const EpMask* in, std::size_t n, const int* map, int n_in,
                       const int* alive, EpMask* out) {
  for (std::size_t i = 0; i < n; ++i) {
    EpMask m = (alive && !alive[i]) ? 0 : in[i], r = 0;
    while (m) {
      const int k = __builtin_ctzll(m) + 1;
      m &= m - 1;
      if (k <= n_in) r |= mask_bit(map[k - 1]);
    }
    out[i] = r;
  }
}

// Number of episodes with each column (counts[k - 1], k = 1..ncol).
inline void mask_counts(const EpMask* m, std::size_t n, int ncol, int* counts) {
  std::vector<std::size_t> c(kMaskColumns, 0);
  for (std::size_t i = 0; i < n; ++i) {
    EpMask v = m[i];
    while (v) {
      ++c[__builtin_ctzll(v)];
      v &= v - 1;
    }
  }
  for (int k = 0; k < ncol; ++k) counts[k] = static_cast<int>(c[k]);
}

// The masks of the kept episodes (those with `alive`), in order, into
// `out`; with `miss` (may be null), the missing cells that stay missing (the
// flag was missing and no assessment has the factor) into `out_na`, and the
// number of such cells per column into na_counts[k - 1] (k = 1..64).
// Returns the number of episodes kept.
inline std::size_t mask_compact(const EpMask* m, const EpMask* miss, std::size_t n,
                                const int* alive, EpMask* out, EpMask* out_na,
                                std::size_t* na_counts) {
  std::size_t j = 0;
  for (std::size_t i = 0; i < n; ++i) {
    if (!alive[i]) continue;
    out[j] = m[i];
    if (miss) {
      EpMask na = miss[i] & ~m[i];
      out_na[j] = na;
      while (na) {
        ++na_counts[__builtin_ctzll(na)];
        na &= na - 1;
      }
    }
    ++j;
  }
  return j;
}

// The flag of compacted episode i (mask_compact()) in the column of bit
// `shift` (col - 1): 1, 0, or NA (INT_MIN) where `na` (may be null) has it.
inline int mask_flag_value(const EpMask* m, const EpMask* na, std::size_t i, int shift) {
  return (na && ((na[i] >> shift) & 1)) ? INT_MIN : static_cast<int>((m[i] >> shift) & 1);
}

// The 0/1 flags of column `col` for episodes start .. start + len - 1 of
// compacted masks (mask_compact()), NA (INT_MIN) where `na` (may be null)
// has the column.
inline void mask_flag_region(const EpMask* m, const EpMask* na, std::size_t start,
                             std::size_t len, int col, int* out) {
  const int shift = col - 1;
  for (std::size_t i = 0; i < len; ++i) out[i] = mask_flag_value(m, na, start + i, shift);
}

// The number of episodes (1..n_ep, sorted rows) in which a value differs
// between rows: `same(i)` says whether rows i - 1 and i hold equal values.
template <class Same>
int episodes_differing(const int* ep_of, std::size_t n, Same same) {
  int count = 0, last = INT_MIN;
  for (std::size_t i = 1; i < n; ++i) {
    if (ep_of[i] != ep_of[i - 1] || ep_of[i] == last) continue;
    if (!same(i)) {
      ++count;
      last = ep_of[i];
    }
  }
  return count;
}

// Whether any row of each episode has value 1 (out[e - 1], 1..n_ep).
inline void episodes_any_one(const int* ep_of, const int* x, std::size_t n, std::size_t n_ep,
                             int* out) {
  for (std::size_t i = 0; i < n; ++i) {
    const int e = ep_of[i];
    if (x[i] == 1 && e != INT_MIN && e >= 1 && static_cast<std::size_t>(e) <= n_ep) out[e - 1] = 1;
  }
}

}  // namespace cscdemand

#endif
