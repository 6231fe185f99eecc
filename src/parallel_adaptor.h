// The one place that knows about RcppParallel: turns it into the core's
// ParallelFor. Swapping the threading backend means changing this file only.
#ifndef CSCDEMAND_PARALLEL_ADAPTOR_H
#define CSCDEMAND_PARALLEL_ADAPTOR_H

#include <RcppParallel.h>

#include <cscdemand/parallel.h>

struct CscdemandWorker : public RcppParallel::Worker {
  const std::function<void(std::size_t, std::size_t)>& fn;
  explicit CscdemandWorker(const std::function<void(std::size_t, std::size_t)>& f) : fn(f) {}
  void operator()(std::size_t begin, std::size_t end) { fn(begin, end); }
};

// threads <= 1 runs serially on the calling thread.
inline cscdemand::ParallelFor cscdemand_parallel_for(int threads) {
  if (threads <= 1) return cscdemand::serial_for;
  return [threads](std::size_t n, const std::function<void(std::size_t, std::size_t)>& fn) {
    if (n == 0) return;
    CscdemandWorker w(fn);
    RcppParallel::parallelFor(0, n, w, 1, threads);
  };
}

#endif
