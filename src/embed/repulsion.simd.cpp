// The Barnes-Hut repulsion's inner loop (repulsion_kernels.hpp), compiled once per
// instruction-set level (src/core/dispatch.hpp): float lanes, the sums in any order.
#include <cstdint>

#include "repulsion_kernels.hpp"

namespace soma::embed::detail::SOMA_ISA_NAMESPACE {
namespace {

void point_sums(const float* lx, const float* ly, const float* lw, int64_t m, float yi0, float yi1,
                float* sums) {
  float lz = 0, l0 = 0, l1 = 0;
#pragma omp simd reduction(+ : lz, l0, l1)
  for (int64_t s = 0; s < m; ++s) {
    const float e0 = yi0 - lx[s], e1 = yi1 - ly[s];
    const float w = 1.0f / (1.0f + e0 * e0 + e1 * e1);
    const float cw = lw[s] * w;
    lz += cw;
    l0 += cw * w * e0;
    l1 += cw * w * e1;
  }
  sums[0] = lz, sums[1] = l0, sums[2] = l1;
}

}  // namespace

SOMA_DEFINE_KERNELS(RepulsionKernels, repulsion_kernels, {.point_sums = point_sums})

}  // namespace soma::embed::detail::SOMA_ISA_NAMESPACE
