// Large buffers (data layer): ask Linux to back a buffer with 2 MB pages
// when it is about to be filled. A 4 KB page costs one page fault on first
// touch and one TLB entry; the reader and episode_factors() fill hundreds of
// megabytes once and hash into tables of tens of megabytes, where faults and
// TLB misses are a large share of the time. Only the part of the buffer
// that covers whole 2 MB pages is advised; elsewhere (other systems, small
// buffers, transparent huge pages off) this does nothing. No R types here.
#ifndef CSCDEMAND_MEMORY_H
#define CSCDEMAND_MEMORY_H

#include <cstddef>
#include <cstdint>

#if defined(__linux__)
#include <sys/mman.h>
#endif

namespace cscdemand {

inline void advise_huge_pages(void* p, std::size_t bytes) {
#if defined(__linux__) && defined(MADV_HUGEPAGE)
  const std::uintptr_t huge = std::uintptr_t(1) << 21;
  if (!p || bytes < 4 * huge) return;
  const std::uintptr_t a = reinterpret_cast<std::uintptr_t>(p);
  const std::uintptr_t lo = (a + huge - 1) & ~(huge - 1);
  const std::uintptr_t hi = (a + bytes) & ~(huge - 1);
  if (hi > lo) madvise(reinterpret_cast<void*>(lo), hi - lo, MADV_HUGEPAGE);
#else
  (void)p;
  (void)bytes;
#endif
}

}  // namespace cscdemand

#endif
