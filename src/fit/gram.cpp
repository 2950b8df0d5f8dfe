// GramAccumulator (gram.hpp); the inner loop is gram.simd.cpp, one per instruction set.
#include "soma/fit/gram.hpp"

#include <algorithm>

#include "gram_kernels.hpp"

namespace soma::fit::detail {

GramAccumulator::GramAccumulator(size_t n_params)
    : n_(n_params), acc_((n_params + 1) * (n_params + 2) / 2 * kLanes, 0.0) {}

void GramAccumulator::reset() { std::fill(acc_.begin(), acc_.end(), 0.0); }

void GramAccumulator::add(const double* cols, size_t stride, size_t len) {
  gram_kernels().add(acc_.data(), n_, cols, stride, len);
}

void GramAccumulator::finish(double& ssr, std::span<double> jtj, std::span<double> jtr) const {
  const double* acc = acc_.data();
  for (size_t a = 0; a <= n_; ++a)
    for (size_t b = a; b <= n_; ++b, acc += kLanes) {
      double s[kLanes];
      std::copy(acc, acc + kLanes, s);
      for (size_t w = kLanes / 2; w > 0; w /= 2)
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
