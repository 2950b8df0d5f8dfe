#pragma once
// The kernel behind GramAccumulator::add, compiled per instruction-set level
// (gram.simd.cpp, src/core/dispatch.hpp).
#include <cstddef>

#include "core/dispatch.hpp"

namespace soma::fit::detail {

struct GramKernels {
  // acc: (n+1)(n+2)/2 products x kLanes partial sums; columns c = 0..n at
  // cols[c * stride .. + len), len a multiple of kLanes.
  void (*add)(double* acc, size_t n_params, const double* cols, size_t stride, size_t len);
};
SOMA_DECLARE_KERNELS(GramKernels, gram_kernels)

}  // namespace soma::fit::detail
