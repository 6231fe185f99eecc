// The core's threading interface, declared once for every kernel.
//
// A kernel takes a ParallelFor and calls it with a range [0, n) and a body
// fn(begin, end). The R glue supplies an RcppParallel implementation
// (src/parallel_adaptor.h); serial_for runs on the calling thread, so the
// core can be compiled and tested without any threading library.
#ifndef CSCDEMAND_PARALLEL_H
#define CSCDEMAND_PARALLEL_H

#include <cstddef>
#include <functional>

namespace cscdemand {

using ParallelBody = std::function<void(std::size_t, std::size_t)>;
using ParallelFor = std::function<void(std::size_t n, const ParallelBody& fn)>;

inline void serial_for(std::size_t n, const ParallelBody& fn) { fn(0, n); }

}  // namespace cscdemand

#endif
