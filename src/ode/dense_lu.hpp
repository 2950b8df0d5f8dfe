#pragma once
// LU with partial pivoting of a small dense n x n matrix (row-major, in place), real or
// complex: Radau's two iteration matrices, mu_real/h I - J and mu_complex/h I - J, are one
// of each. The pivot is the entry of largest |re| + |im| (LAPACK's izamax for complex; plain
// |x| for real), as the dgetrf/zgetrf that SciPy's lu_factor calls.
#include <cmath>
#include <complex>
#include <cstddef>
#include <span>
#include <utility>
#include <vector>

namespace soma::ode::detail {

inline double pivot_size(double x) { return std::fabs(x); }
inline double pivot_size(std::complex<double> x) {
  return std::fabs(x.real()) + std::fabs(x.imag());
}

// 1 / x without the library's complex division (which guards against overflow that the
// pivot of an iteration matrix does not reach, at several times the cost).
inline double reciprocal(double x) { return 1 / x; }
inline std::complex<double> reciprocal(std::complex<double> x) {
  const double d = x.real() * x.real() + x.imag() * x.imag();
  return {x.real() / d, -x.imag() / d};
}
inline double divide(double x, double d) { return x / d; }
inline std::complex<double> divide(std::complex<double> x, std::complex<double> d) {
  return x * reciprocal(d);
}

// Factors a in place (L below the diagonal, unit diagonal implied; U on and above it).
// False if a pivot is zero (the matrix is singular): a solve then gives non-finite values.
template <class T>
bool lu_factor(std::span<T> a, std::size_t n, std::vector<std::size_t>& pivot) {
  pivot.resize(n);
  bool ok = true;
  for (std::size_t k = 0; k < n; ++k) {
    std::size_t p = k;
    double best = pivot_size(a[k * n + k]);
    for (std::size_t i = k + 1; i < n; ++i)
      if (pivot_size(a[i * n + k]) > best) {
        best = pivot_size(a[i * n + k]);
        p = i;
      }
    pivot[k] = p;
    if (best == 0) {
      ok = false;
      continue;
    }
    if (p != k)
      for (std::size_t j = 0; j < n; ++j) std::swap(a[k * n + j], a[p * n + j]);
    const T inv = reciprocal(a[k * n + k]);
    for (std::size_t i = k + 1; i < n; ++i) {
      const T m = a[i * n + k] *= inv;
      if (m != T(0))
        for (std::size_t j = k + 1; j < n; ++j) a[i * n + j] -= m * a[k * n + j];
    }
  }
  return ok;
}

// Solves a x = b for the factors of lu_factor, b in x.
template <class T>
void lu_solve(std::span<const T> a, std::size_t n, const std::vector<std::size_t>& pivot,
              std::span<T> x) {
  // The row swaps were applied to whole rows (L included), so they all come first.
  for (std::size_t k = 0; k < n; ++k)
    if (pivot[k] != k) std::swap(x[k], x[pivot[k]]);
  for (std::size_t i = 1; i < n; ++i) {
    T s = x[i];
    for (std::size_t j = 0; j < i; ++j) s -= a[i * n + j] * x[j];
    x[i] = s;
  }
  for (std::size_t i = n; i-- > 0;) {
    T s = x[i];
    for (std::size_t j = i + 1; j < n; ++j) s -= a[i * n + j] * x[j];
    x[i] = divide(s, a[i * n + i]);
  }
}

}  // namespace soma::ode::detail
