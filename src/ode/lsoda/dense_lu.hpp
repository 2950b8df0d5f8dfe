#pragma once
// LU with partial pivoting of LSODA's iteration matrix P = I - h el_0 J (row-major, n x n),
// in place, as LAPACK's dgetrf/dgetrs that ODEPACK calls; LSODA's systems are small and
// dense, and one factorisation serves many Newton iterations.
#include <cmath>
#include <cstddef>
#include <span>
#include <utility>
#include <vector>

namespace soma::ode::detail::lsoda {

// False if P is singular (a zero pivot).
inline bool lu_factor(std::span<double> a, std::size_t n, std::vector<std::size_t>& pivot) {
  pivot.resize(n);
  bool ok = true;
  for (std::size_t k = 0; k < n; ++k) {
    std::size_t p = k;
    double best = std::fabs(a[k * n + k]);
    for (std::size_t i = k + 1; i < n; ++i)
      if (std::fabs(a[i * n + k]) > best) {
        best = std::fabs(a[i * n + k]);
        p = i;
      }
    pivot[k] = p;
    if (best == 0) {
      ok = false;
      continue;
    }
    if (p != k)
      for (std::size_t j = 0; j < n; ++j) std::swap(a[k * n + j], a[p * n + j]);
    const double inv = 1 / a[k * n + k];
    for (std::size_t i = k + 1; i < n; ++i) {
      const double m = a[i * n + k] *= inv;
      if (m != 0)
        for (std::size_t j = k + 1; j < n; ++j) a[i * n + j] -= m * a[k * n + j];
    }
  }
  return ok;
}

inline void lu_solve(std::span<const double> a, std::size_t n,
                     const std::vector<std::size_t>& pivot, std::span<double> x) {
  // The row swaps were applied to whole rows (L included), so they all come first.
  for (std::size_t k = 0; k < n; ++k)
    if (pivot[k] != k) std::swap(x[k], x[pivot[k]]);
  for (std::size_t k = 0; k < n; ++k)
    for (std::size_t i = k + 1; i < n; ++i) x[i] -= a[i * n + k] * x[k];
  // Column by column, as the reference dtrsm, so that the rounding is LAPACK's.
  for (std::size_t k = n; k-- > 0;) {
    x[k] /= a[k * n + k];
    for (std::size_t i = 0; i < k; ++i) x[i] -= x[k] * a[i * n + k];
  }
}

}  // namespace soma::ode::detail::lsoda
