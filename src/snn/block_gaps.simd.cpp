// connect(p=...)'s draws (block_gaps.hpp), compiled once per instruction-set level. No
// contraction of a*b + c into one fused operation: the baseline level has none, and the
// gaps (and so the synapses) must not depend on the machine.
#if defined(__clang__)
#pragma clang fp contract(off)
#else
#pragma GCC optimize("fp-contract=off")
#endif
#include "block_gaps.hpp"

#include "soma/core/vecmath.hpp"

namespace soma::snn::SOMA_ISA_NAMESPACE {
namespace {

// Philox4x32-10 (soma/core/philox.hpp), written on plain words so that a loop over
// blocks vectorises (32 x 32 -> 64-bit products).
[[gnu::always_inline]] inline void philox(uint32_t& x0, uint32_t& x1, uint32_t& x2, uint32_t& x3,
                                          uint32_t k0, uint32_t k1) {
  for (int round = 0; round < 10; ++round) {
    if (round > 0) {
      k0 += 0x9E3779B9u;
      k1 += 0xBB67AE85u;
    }
    const uint64_t p0 = static_cast<uint64_t>(0xD2511F53u) * x0;
    const uint64_t p1 = static_cast<uint64_t>(0xCD9E8D57u) * x2;
    const auto y0 = static_cast<uint32_t>(p1 >> 32) ^ x1 ^ k0;
    const auto y2 = static_cast<uint32_t>(p0 >> 32) ^ x3 ^ k1;
    x1 = static_cast<uint32_t>(p1);
    x3 = static_cast<uint32_t>(p0);
    x0 = y0;
    x2 = y2;
  }
}

[[gnu::always_inline]] inline double gap(double u1, double scale) {
  // u1 = 1 - u in (0, 1], exact. GCC 12 does not vectorise std::floor (nor conversions
  // to integers): for 0 <= x < 2^52, adding and subtracting 2^52 rounds to an integer,
  // and one comparison makes it floor. Larger gaps end the block anyway.
  double x = vecmath::log(u1) * scale;
  x = x < 0x1p52 ? x : 0x1p52;
  const double t = (x + 0x1p52) - 0x1p52;
  return t > x ? t - 1.0 : t;
}

void block_gaps(const uint32_t* key, uint32_t row, uint32_t b0, int64_t blocks, uint32_t first,
                int64_t calls, double scale, double* out) {
  for (int64_t c = 0; c < calls; ++c) {
    double* lo = out + 2 * c * blocks;
    double* hi = lo + blocks;
    for (int64_t bb = 0; bb < blocks; ++bb) {
      uint32_t x0 = first + static_cast<uint32_t>(c), x1 = row, x2 = b0 + static_cast<uint32_t>(bb),
               x3 = 0;
      philox(x0, x1, x2, x3, key[0], key[1]);
      // Uniforms from the top 53 bits of words (1, 0) and (3, 2), as philox_u64x2 and
      // philox_uniform: 1 - (w >> 11) 2^-53.
      lo[bb] = 1.0 - static_cast<double>((static_cast<uint64_t>(x1) << 21) | (x0 >> 11)) * 0x1p-53;
      hi[bb] = 1.0 - static_cast<double>((static_cast<uint64_t>(x3) << 21) | (x2 >> 11)) * 0x1p-53;
    }
  }
  for (int64_t k = 0; k < 2 * calls * blocks; ++k) out[k] = gap(out[k], scale);
}

}  // namespace

SOMA_DEFINE_KERNELS(BlockGapKernels, block_gap_kernels, {.gaps = block_gaps})

}  // namespace soma::snn::SOMA_ISA_NAMESPACE
