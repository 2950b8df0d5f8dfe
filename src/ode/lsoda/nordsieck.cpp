#include "ode/lsoda/nordsieck.hpp"

namespace soma::ode::detail::lsoda {

void Nordsieck::predict(int q) {
  // After pass k (k = 1..q) column j (j >= q - k) has absorbed column j + 1; q passes build
  // the binomial sums sum_{i>=j} C(i, j) z_i without a matrix.
  for (int k = q - 1; k >= 0; --k)
    for (int j = k; j < q; ++j) {
      double* a = z_.data() + static_cast<std::size_t>(j) * n_;
      const double* b = a + n_;
      for (std::size_t i = 0; i < n_; ++i) a[i] += b[i];
    }
}

void Nordsieck::retract(int q) {
  for (int k = q - 1; k >= 0; --k)
    for (int j = k; j < q; ++j) {
      double* a = z_.data() + static_cast<std::size_t>(j) * n_;
      const double* b = a + n_;
      for (std::size_t i = 0; i < n_; ++i) a[i] -= b[i];
    }
}

void Nordsieck::rescale(int q, double r) {
  double f = 1;
  for (int j = 1; j <= q; ++j) {
    f *= r;
    for (double& v : col(j)) v *= f;
  }
}

void Nordsieck::interpolate(int q, double s, std::span<double> out) const {
  const std::span<const double> top = col(q);
  for (std::size_t i = 0; i < n_; ++i) out[i] = top[i];
  for (int j = q - 1; j >= 0; --j) {
    const std::span<const double> c = col(j);
    for (std::size_t i = 0; i < n_; ++i) out[i] = c[i] + s * out[i];
  }
}

}  // namespace soma::ode::detail::lsoda
