// GramAccumulator's inner loop: lane-wise partial sums of column products.
// The accumulators are 8-wide vectors (core/simd_vec.hpp: four SSE2, two AVX2 or one
// AVX-512 register each, by the level this file is compiled for) so that they stay in
// registers across a block: for a few parameters every product of a row is
// updated from one load of each column, for many a product at a time.
#include "soma/fit/gram.hpp"
#include "core/simd_vec.hpp"
#include "gram_kernels.hpp"

namespace soma::fit::detail::SOMA_ISA_NAMESPACE {
namespace {

using namespace soma::simd::SOMA_ISA_NAMESPACE;

constexpr size_t kWidth = 8;
static_assert(GramAccumulator::kLanes % kWidth == 0);
using V8 = Vec<double, kWidth>;

// Vectors wider than the level's registers pass by a different ABI on other levels;
// these helpers are inlined within this file, so no call crosses such a boundary.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wpsabi"

// C columns known at compile time: all C(C+1)/2 products in registers.
template <size_t C>
void add_fixed(double* acc, const double* cols, size_t stride, size_t len) {
  constexpr size_t P = C * (C + 1) / 2;
  V8 s[P];
  for (size_t q = 0; q < P; ++q) s[q] = load<double, kWidth>(acc + q * kWidth);
  for (size_t i = 0; i < len; i += kWidth) {
    V8 c[C];
    for (size_t a = 0; a < C; ++a) c[a] = load<double, kWidth>(cols + a * stride + i);
    size_t q = 0;
    for (size_t a = 0; a < C; ++a)
      for (size_t b = a; b < C; ++b, ++q) s[q] += c[a] * c[b];
  }
  for (size_t q = 0; q < P; ++q) store<double, kWidth>(acc + q * kWidth, s[q]);
}

void add(double* acc, size_t n, const double* cols, size_t stride, size_t len) {
  switch (n + 1) {
    case 2:
      return add_fixed<2>(acc, cols, stride, len);
    case 3:
      return add_fixed<3>(acc, cols, stride, len);
    case 4:
      return add_fixed<4>(acc, cols, stride, len);
    case 5:
      return add_fixed<5>(acc, cols, stride, len);
    default:
      break;
  }
  for (size_t a = 0; a <= n; ++a) {
    const double* ca = cols + a * stride;
    for (size_t b = a; b <= n; ++b, acc += kWidth) {
      const double* cb = cols + b * stride;
      V8 s = load<double, kWidth>(acc);
      for (size_t i = 0; i < len; i += kWidth)
        s += load<double, kWidth>(ca + i) * load<double, kWidth>(cb + i);
      store<double, kWidth>(acc, s);
    }
  }
}

#pragma GCC diagnostic pop

}  // namespace

SOMA_DEFINE_KERNELS(GramKernels, gram_kernels, {.add = add})

}  // namespace soma::fit::detail::SOMA_ISA_NAMESPACE
