// The one place that knows about RcppParallel: turns it into the core's
// ParallelFor. Swapping the threading backend means changing this file only.
#ifndef CSCDEMAND_PARALLEL_ADAPTOR_H
#define CSCDEMAND_PARALLEL_ADAPTOR_H

#include <memory>

#include <RcppParallel.h>

#include <cscdemand/parallel.h>

struct CscdemandWorker : public RcppParallel::Worker {
  const std::function<void(std::size_t, std::size_t)>& fn;
  explicit CscdemandWorker(const std::function<void(std::size_t, std::size_t)>& f) : fn(f) {}
  void operator()(std::size_t begin, std::size_t end) { fn(begin, end); }
};

// threads <= 1 runs serially on the calling thread. With TBB, one task
// arena of `threads` threads is made for the ParallelFor and reused by every
// call: a fit calls it once per EM iteration when a start runs alone with
// its E-step spread over the threads, and RcppParallel::parallelFor() sets
// up a new arena (and a global stack-size control) on every call, which
// costs more than an E-step of a few thousand patterns.
inline cscdemand::ParallelFor cscdemand_parallel_for(int threads) {
  if (threads <= 1) return cscdemand::serial_for;
#if RCPP_PARALLEL_USE_TBB
  auto arena = std::make_shared<tbb::task_arena>(threads);
  return [arena](std::size_t n, const std::function<void(std::size_t, std::size_t)>& fn) {
    if (n == 0) return;
    arena->execute([&] {
      tbb::parallel_for(tbb::blocked_range<std::size_t>(0, n, 1),
                        [&](const tbb::blocked_range<std::size_t>& r) { fn(r.begin(), r.end()); });
    });
  };
#else
  return [threads](std::size_t n, const std::function<void(std::size_t, std::size_t)>& fn) {
    if (n == 0) return;
    CscdemandWorker w(fn);
    RcppParallel::parallelFor(0, n, w, 1, threads);
  };
#endif
}

#endif
