// Exact KL divergence and gradient over all pairs (sklearn's _kl_divergence with
// one degree of freedom): O(n^2 dims), for small n and as the reference for checks.
#include <algorithm>
#include <cmath>
#include <limits>

#include "soma/core/error.hpp"
#include "soma/embed/gradient.hpp"

namespace soma::embed {

namespace {
constexpr double kMachineEpsilon = std::numeric_limits<double>::epsilon();
}

double kl_divergence_exact(const DenseP& P, const std::vector<double>& Y, int dims,
                           std::vector<double>* grad, bool compute_error) {
  const int64_t n = P.n;
  if (static_cast<int64_t>(Y.size()) != n * dims)
    throw Error("kl_divergence_exact: Y has " + std::to_string(Y.size()) + " values, expected " +
                std::to_string(n * dims));
  // Student-t kernel w_ij = 1 / (1 + |y_i - y_j|^2) and Z = sum_{i != j} w_ij.
  std::vector<double> w(static_cast<size_t>(n * n));
  double z = 0.0;
#pragma omp parallel for reduction(+ : z) schedule(static) if (n * n > 1 << 20)
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = 0; j < n; ++j) {
      if (i == j) {
        w[i * n + j] = 0.0;
        continue;
      }
      double d2 = 0.0;
      for (int c = 0; c < dims; ++c) {
        const double t = Y[i * dims + c] - Y[j * dims + c];
        d2 += t * t;
      }
      w[i * n + j] = 1.0 / (1.0 + d2);
      z += w[i * n + j];
    }
  double kl = 0.0;
  if (grad) grad->assign(static_cast<size_t>(n * dims), 0.0);
#pragma omp parallel for reduction(+ : kl) schedule(static) if (n * n > 1 << 20)
  for (int64_t i = 0; i < n; ++i) {
    for (int64_t j = 0; j < n; ++j) {
      if (i == j) continue;
      const double q = std::max(w[i * n + j] / z, kMachineEpsilon);
      const double p = P.p[i * n + j];
      if (compute_error) kl += p * std::log(std::max(p, kMachineEpsilon) / q);
      if (grad) {
        // dKL/dy_i = 4 sum_j (p_ij - q_ij) w_ij (y_i - y_j)
        const double f = 4.0 * (p - q) * w[i * n + j];
        for (int c = 0; c < dims; ++c)
          (*grad)[i * dims + c] += f * (Y[i * dims + c] - Y[j * dims + c]);
      }
    }
  }
  return kl;
}

double kl_divergence_sparse_exact(const SparseP& P, const std::vector<double>& Y, int dims) {
  const int64_t n = P.n;
  double z = 0.0;
#pragma omp parallel for reduction(+ : z) schedule(dynamic, 64)
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = 0; j < n; ++j) {
      if (i == j) continue;
      double d2 = 0.0;
      for (int c = 0; c < dims; ++c) {
        const double t = Y[i * dims + c] - Y[j * dims + c];
        d2 += t * t;
      }
      z += 1.0 / (1.0 + d2);
    }
  double kl = 0.0;
#pragma omp parallel for reduction(+ : kl) schedule(static)
  for (int64_t i = 0; i < n; ++i)
    for (int64_t e = P.row_ptr[i]; e < P.row_ptr[i + 1]; ++e) {
      const int64_t j = P.col[e];
      double d2 = 0.0;
      for (int c = 0; c < dims; ++c) {
        const double t = Y[i * dims + c] - Y[j * dims + c];
        d2 += t * t;
      }
      const double q = std::max(1.0 / (1.0 + d2) / z, kMachineEpsilon);
      const double p = P.val[e];
      kl += p * std::log(std::max(p, kMachineEpsilon) / q);
    }
  return kl;
}

}  // namespace soma::embed
