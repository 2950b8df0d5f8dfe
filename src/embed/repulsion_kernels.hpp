#pragma once
// The Barnes-Hut repulsion's inner loop (kl_barnes_hut.cpp), one table per
// instruction-set level (repulsion.simd.cpp).
#include <cstdint>

#include "core/dispatch.hpp"

namespace soma::embed::detail {

struct RepulsionKernels {
  // For one point at (yi0, yi1) against m interaction entries (x, y, weight), m a
  // multiple of 16 (padded with weightless entries), with w = 1 / (1 + |e|^2), e the
  // difference: sums[0] = sum weight * w, sums[1..2] = sum weight * w^2 * e.
  void (*point_sums)(const float* x, const float* y, const float* weight, int64_t m, float yi0,
                     float yi1, float* sums);
};
SOMA_DECLARE_KERNELS(RepulsionKernels, repulsion_kernels)

}  // namespace soma::embed::detail
