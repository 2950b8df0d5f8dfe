#include "attractive.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace soma::embed::detail {

void attractive_forces_2d(const SparseP& P, const std::vector<double>& Y,
                          std::vector<double>& attr) {
  const int64_t n = P.n;
  attr.resize(static_cast<size_t>(2 * n));
#pragma omp parallel if (n > kParallelMin)
  {
    // Neighbour offsets are gathered by scalar loads into a contiguous buffer first:
    // the arithmetic (a division per entry) then runs in SIMD without vector gathers,
    // which are slow on AMD cores.
    constexpr int64_t kChunk = 256;
    alignas(64) double dx[kChunk], dy[kChunk];
#pragma omp for schedule(static)
    for (int64_t i = 0; i < n; ++i) {
      const double yi0 = Y[2 * i], yi1 = Y[2 * i + 1];
      double f0 = 0.0, f1 = 0.0;
      for (int64_t e0 = P.row_ptr[i]; e0 < P.row_ptr[i + 1]; e0 += kChunk) {
        const int64_t len = std::min(kChunk, P.row_ptr[i + 1] - e0);
        const int32_t* col = P.col.data() + e0;
        const float* val = P.val.data() + e0;
        for (int64_t e = 0; e < len; ++e) {
          dx[e] = yi0 - Y[2 * col[e]];
          dy[e] = yi1 - Y[2 * col[e] + 1];
        }
#pragma omp simd reduction(+ : f0, f1)
        for (int64_t e = 0; e < len; ++e) {
          const double w = val[e] / (1.0 + dx[e] * dx[e] + dy[e] * dy[e]);
          f0 += w * dx[e];
          f1 += w * dy[e];
        }
      }
      attr[2 * i] = f0;
      attr[2 * i + 1] = f1;
    }
  }
}

double sparse_kl_2d(const SparseP& P, const std::vector<double>& Y, double z) {
  // sklearn clamps both p and q at float32's smallest normal number here.
  constexpr double tiny = std::numeric_limits<float>::min();
  double kl = 0.0;
#pragma omp parallel for reduction(+ : kl) schedule(static) if (P.n > kParallelMin)
  for (int64_t i = 0; i < P.n; ++i)
    for (int64_t e = P.row_ptr[i]; e < P.row_ptr[i + 1]; ++e) {
      const int64_t j = P.col[e];
      const double d0 = Y[2 * i] - Y[2 * j], d1 = Y[2 * i + 1] - Y[2 * j + 1];
      const double q = 1.0 / (1.0 + d0 * d0 + d1 * d1) / z;
      const double p = P.val[e];
      kl += p * std::log(std::max(p, tiny) / std::max(q, tiny));
    }
  return kl;
}

}  // namespace soma::embed::detail
