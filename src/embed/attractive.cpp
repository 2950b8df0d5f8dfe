#include "attractive.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>

#include "attractive_kernels.hpp"
#include "soma/core/threads.hpp"
#include "soma/core/vecmath.hpp"

namespace soma::embed::detail {

void attractive_range(const SparseP& P, const float* Y, double* attr, int64_t begin, int64_t end) {
  attractive_kernels().range(P, Y, attr, begin, end);
}

void to_float(const std::vector<double>& Y, std::vector<float>& out) {
  out.resize(Y.size());
  for (size_t m = 0; m < Y.size(); ++m) out[m] = static_cast<float>(Y[m]);
}

void attractive_forces_2d(const SparseP& P, const std::vector<double>& Y,
                          std::vector<double>& attr) {
  attr.resize(static_cast<size_t>(2 * P.n));
  thread_local std::vector<float> yf_buffer;
  std::vector<float>& yf = yf_buffer;
  to_float(Y, yf);
  constexpr int64_t kRows = 256;
#pragma omp parallel for schedule(static) if (P.n > kParallelMin)
  for (int64_t r0 = 0; r0 < P.n; r0 += kRows)
    attractive_range(P, yf.data(), attr.data(), r0, std::min(P.n, r0 + kRows));
}

double sparse_kl_2d(const SparseP& P, const std::vector<double>& Y, double z) {
  // sklearn clamps both p and q at float32's smallest normal number here.
  constexpr double tiny = std::numeric_limits<float>::min();
  // Rows split evenly among soma's threads (the pool the gradients run on), each
  // thread's sum kept apart and added in thread order: the same result on every run.
  const int nt = P.n > kParallelMin ? num_threads() : 1;
  std::vector<double> partial(static_cast<size_t>(nt), 0.0);
  parallel_run(nt, [&](int t, int parts) {
    const int64_t begin = P.n * t / parts, end = P.n * (t + 1) / parts;
    double kl = 0.0;
    // In SIMD (gathers of the neighbours, logarithms by vecmath::log), in double.
    for (int64_t i = begin; i < end; ++i) {
      const int32_t* col = P.col.data();
      const float* val = P.val.data();
#pragma omp simd reduction(+ : kl)
      for (int64_t e = P.row_ptr[i]; e < P.row_ptr[i + 1]; ++e) {
        const double a = Y[2 * i] - Y[2 * col[e]], b = Y[2 * i + 1] - Y[2 * col[e] + 1];
        // p / q with q = 1 / u, u = (1 + d^2) z, both clamped at tiny: one logarithm
        // per entry instead of two.
        const double u = (1.0 + a * a + b * b) * z;
        const double p = val[e];
        const double ratio = std::max(p, tiny) * (u <= 1.0 / tiny ? u : 1.0 / tiny);
        kl += p * vecmath::log(ratio);
      }
    }
    partial[t] = kl;
  });
  double kl = 0.0;
  for (const double part : partial) kl += part;
  return kl;
}

}  // namespace soma::embed::detail
