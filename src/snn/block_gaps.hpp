#pragma once
// The draws of connect(p=...) (synapses.cpp), one per instruction-set level
// (block_gaps.simd.cpp): Philox4x32-10 blocks and the geometric gaps made from them.
// The Philox words are integers, the same at every level; the gaps are computed with
// every multiply and add rounded on its own (no fused multiply-add), so every level
// gives the same gaps, bit for bit, and so the same synapses.
#include <cstdint>

#include "core/dispatch.hpp"

namespace soma::snn {

// For block b = b0 + bb (bb < blocks) of synapse row `row` and Philox call c
// (first <= c < first + calls), the counter {c, row, b, 0} under `key` gives two
// uniforms u; out[(2 (c - first) + h) * blocks + bb] (h = 0, 1) is the gap
// floor(log(1 - u) * scale) (scale = 1 / log(1 - p)), clamped at 2^52.
using BlockGapsFn = void(const uint32_t* key, uint32_t row, uint32_t b0, int64_t blocks,
                         uint32_t first, int64_t calls, double scale, double* out);

struct BlockGapKernels {
  BlockGapsFn* gaps;
};
SOMA_DECLARE_KERNELS(BlockGapKernels, block_gap_kernels)

}  // namespace soma::snn
