// GramAccumulator: lane-wise partial sums of column products (gram.hpp).
// The accumulators are 8-wide vectors (GCC/Clang vector extensions; two
// AVX2 or one AVX-512 register each) so that they stay in registers across
// a block: for a few parameters every product of a row is updated from one
// load of each column, for many a product at a time.
#include "soma/fit/gram.hpp"

#include <algorithm>
#include <cstring>

namespace soma::fit::detail {
namespace {

constexpr size_t kWidth = 8;
static_assert(GramAccumulator::kLanes % kWidth == 0);
typedef double V8 __attribute__((vector_size(kWidth * sizeof(double))));

inline V8 load(const double* p) {
  V8 v;
  std::memcpy(&v, p, sizeof v);
  return v;
}
inline void store(double* p, V8 v) { std::memcpy(p, &v, sizeof v); }

// C columns known at compile time: all C(C+1)/2 products in registers.
template <size_t C>
void add_fixed(double* acc, const double* cols, size_t stride, size_t len) {
  constexpr size_t P = C * (C + 1) / 2;
  V8 s[P];
  for (size_t q = 0; q < P; ++q) s[q] = load(acc + q * kWidth);
  for (size_t i = 0; i < len; i += kWidth) {
    V8 c[C];
    for (size_t a = 0; a < C; ++a) c[a] = load(cols + a * stride + i);
    size_t q = 0;
    for (size_t a = 0; a < C; ++a)
      for (size_t b = a; b < C; ++b, ++q) s[q] += c[a] * c[b];
  }
  for (size_t q = 0; q < P; ++q) store(acc + q * kWidth, s[q]);
}

}  // namespace

GramAccumulator::GramAccumulator(size_t n_params)
    : n_(n_params), acc_((n_params + 1) * (n_params + 2) / 2 * kWidth, 0.0) {}

void GramAccumulator::reset() { std::fill(acc_.begin(), acc_.end(), 0.0); }

void GramAccumulator::add(const double* cols, size_t stride, size_t len) {
  switch (n_ + 1) {
    case 2:
      return add_fixed<2>(acc_.data(), cols, stride, len);
    case 3:
      return add_fixed<3>(acc_.data(), cols, stride, len);
    case 4:
      return add_fixed<4>(acc_.data(), cols, stride, len);
    case 5:
      return add_fixed<5>(acc_.data(), cols, stride, len);
    default:
      break;
  }
  double* acc = acc_.data();
  for (size_t a = 0; a <= n_; ++a) {
    const double* ca = cols + a * stride;
    for (size_t b = a; b <= n_; ++b, acc += kWidth) {
      const double* cb = cols + b * stride;
      V8 s = load(acc);
      for (size_t i = 0; i < len; i += kWidth) s += load(ca + i) * load(cb + i);
      store(acc, s);
    }
  }
}

void GramAccumulator::finish(double& ssr, std::span<double> jtj, std::span<double> jtr) const {
  const double* acc = acc_.data();
  for (size_t a = 0; a <= n_; ++a)
    for (size_t b = a; b <= n_; ++b, acc += kWidth) {
      double s[kWidth];
      std::copy(acc, acc + kWidth, s);
      for (size_t w = kWidth / 2; w > 0; w /= 2)
        for (size_t l = 0; l < w; ++l) s[l] += s[l + w];
      if (b == n_ && a == n_)
        ssr = s[0];
      else if (b == n_)
        jtr[a] = s[0];
      else
        jtj[a + b * n_] = jtj[b + a * n_] = s[0];
    }
}

}  // namespace soma::fit::detail
