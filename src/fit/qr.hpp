#pragma once
// Dense kernels behind the solvers (internal): Euclidean norm without overflow,
// Householder QR with column pivoting (MINPACK's qrfac), and the singular values
// and right vectors of a small square matrix by one-sided Jacobi rotations.
// Matrices are column-major: a[i + j*lda].
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <vector>

namespace soma::fit::detail {

// sum a[i]*b[i] with partial sums: without them each addition waits for
// the previous one (the compiler may not reassociate), which dominates a fit
// of a few parameters to a thousand points.
template <class T>
T dot(size_t n, const T* a, const T* b) {
  // 32 partial sums: four 8-wide vector accumulators, enough to hide the
  // latency of a fused multiply-add.
  constexpr size_t kLanes = 32;
  if (n < kLanes) {  // the n-vectors of lmpar: no partial sums to set up and fold
    T s = 0;
    for (size_t i = 0; i < n; ++i) s += a[i] * b[i];
    return s;
  }
  T acc[kLanes] = {};
  size_t i = 0;
  for (; i + kLanes <= n; i += kLanes)
    for (size_t l = 0; l < kLanes; ++l) acc[l] += a[i + l] * b[i + l];
  T s = 0;
  for (; i < n; ++i) s += a[i] * b[i];
  for (size_t w = kLanes / 2; w > 0; w /= 2)
    for (size_t l = 0; l < w; ++l) acc[l] += acc[l + w];
  return s + acc[0];
}

// ||x||_2; squares are summed directly and the sum is redone scaled only when
// it over- or underflowed (rare), so the common case costs one pass.
template <class T>
T enorm(size_t n, const T* x) {
  T s = dot(n, x, x);
  if (std::isfinite(s) && (s > T(1e-280) || s == T(0))) return std::sqrt(s);
  // A NaN must come out as NaN: std::max below skips NaN, and an all-NaN vector
  // would otherwise have norm 0 (LM once accepted such a trial point as perfect).
  if (std::isnan(s)) return s;
  T big = 0;
  for (size_t i = 0; i < n; ++i) big = std::max(big, std::abs(x[i]));
  if (big == T(0) || !std::isfinite(big)) return big;
  s = 0;
  for (size_t i = 0; i < n; ++i) {
    const T t = x[i] / big;
    s += t * t;
  }
  return big * std::sqrt(s);
}

// MINPACK qrfac with pivoting: on return the strict upper triangle of a holds
// R (its diagonal is in rdiag), the lower trapezoid the Householder vectors,
// ipvt the permutation (column j of A P is column ipvt[j] of A) and acnorm the
// norms of A's columns.
template <class T>
void qrfac(size_t m, size_t n, T* a, size_t lda, size_t* ipvt, T* rdiag, T* acnorm, T* wa) {
  const T epsmch = std::numeric_limits<T>::epsilon();
  for (size_t j = 0; j < n; ++j) {
    acnorm[j] = enorm(m, a + j * lda);
    rdiag[j] = acnorm[j];
    wa[j] = rdiag[j];
    ipvt[j] = j;
  }
  const size_t minmn = std::min(m, n);
  for (size_t j = 0; j < minmn; ++j) {
    size_t kmax = j;
    for (size_t k = j; k < n; ++k)
      if (rdiag[k] > rdiag[kmax]) kmax = k;
    if (kmax != j) {
      for (size_t i = 0; i < m; ++i) std::swap(a[i + j * lda], a[i + kmax * lda]);
      rdiag[kmax] = rdiag[j];
      wa[kmax] = wa[j];
      std::swap(ipvt[j], ipvt[kmax]);
    }
    T* aj = a + j * lda;
    T ajnorm = enorm(m - j, aj + j);
    if (ajnorm != T(0)) {
      if (aj[j] < T(0)) ajnorm = -ajnorm;
      const T inv = T(1) / ajnorm;  // one division, then multiplies
      for (size_t i = j; i < m; ++i) aj[i] *= inv;
      aj[j] += T(1);
      for (size_t k = j + 1; k < n; ++k) {
        T* ak = a + k * lda;
        const T temp = dot(m - j, aj + j, ak + j) / aj[j];
        for (size_t i = j; i < m; ++i) ak[i] -= temp * aj[i];
        if (rdiag[k] != T(0)) {
          const T t = ak[j] / rdiag[k];
          rdiag[k] *= std::sqrt(std::max(T(0), T(1) - t * t));
          const T r = rdiag[k] / wa[k];
          if (T(0.05) * r * r <= epsmch) {
            rdiag[k] = enorm(m - j - 1, ak + j + 1);
            wa[k] = rdiag[k];
          }
        }
      }
    }
    rdiag[j] = -ajnorm;
  }
}

// Pivoted Cholesky of a symmetric n x n matrix a = J^T J (column-major, read
// only): P^T A P = R^T R with R upper triangular in r (r[i + j*n], i <= j; the
// strict lower triangle is zeroed). The pivot is the largest remaining
// diagonal, as qrfac pivots on the largest remaining column norm, so R is
// qrfac's R up to the signs of its rows. Returns false (r unusable) when a
// pivot's remaining diagonal is not above min_fraction times the column's own
// squared norm: that column lies so close to the span of the earlier ones
// that forming J^T J has lost the digits that separate them, and the caller
// should factor J itself. NaN or inf in a also return false.
inline bool cholesky_pivoted(size_t n, const double* a, double* r, size_t* ipvt,
                             double min_fraction, double* work) {
  // work: n*n, the remaining (Schur complement) matrix in pivoted order.
  std::copy(a, a + n * n, work);
  for (size_t j = 0; j < n; ++j) ipvt[j] = j;
  std::fill(r, r + n * n, 0.0);
  for (size_t j = 0; j < n; ++j) {
    size_t kmax = j;
    for (size_t k = j + 1; k < n; ++k)
      if (work[k + k * n] > work[kmax + kmax * n]) kmax = k;
    if (kmax != j) {
      for (size_t i = 0; i < n; ++i) std::swap(work[i + j * n], work[i + kmax * n]);
      for (size_t i = 0; i < n; ++i) std::swap(work[j + i * n], work[kmax + i * n]);
      std::swap(ipvt[j], ipvt[kmax]);
      for (size_t i = 0; i < j; ++i) std::swap(r[i + j * n], r[i + kmax * n]);
    }
    const double d = work[j + j * n], own = a[ipvt[j] + ipvt[j] * n];
    if (!(d > min_fraction * own) || !std::isfinite(d)) return false;
    const double rjj = std::sqrt(d);
    r[j + j * n] = rjj;
    for (size_t k = j + 1; k < n; ++k) r[j + k * n] = work[j + k * n] / rjj;
    for (size_t k = j + 1; k < n; ++k)
      for (size_t i = j + 1; i < n; ++i) work[i + k * n] -= r[j + i * n] * r[j + k * n];
  }
  return true;
}

// Applies Q^T (from qrfac's Householder vectors, before the diagonal of a is
// overwritten) to b (m values) in place.
template <class T>
void apply_qt(size_t m, size_t n, const T* a, size_t lda, T* b) {
  for (size_t j = 0; j < std::min(m, n); ++j) {
    const T* aj = a + j * lda;
    if (aj[j] == T(0)) continue;
    const T temp = -dot(m - j, aj + j, b + j) / aj[j];
    for (size_t i = j; i < m; ++i) b[i] += temp * aj[i];
  }
}

// One-sided Jacobi SVD of a small n x n matrix a (column-major, overwritten):
// on return s holds the singular values (descending) and v (n x n column-major)
// the right singular vectors, so that a_in = U diag(s) V^T.
template <class T>
void jacobi_svd(size_t n, T* a, T* s, T* v) {
  std::fill(v, v + n * n, T(0));
  for (size_t i = 0; i < n; ++i) v[i + i * n] = T(1);
  const T eps = std::numeric_limits<T>::epsilon();
  for (int sweep = 0; sweep < 60; ++sweep) {
    bool rotated = false;
    for (size_t p = 0; p + 1 < n; ++p)
      for (size_t q = p + 1; q < n; ++q) {
        T alpha = 0, beta = 0, gamma = 0;
        for (size_t i = 0; i < n; ++i) {
          alpha += a[i + p * n] * a[i + p * n];
          beta += a[i + q * n] * a[i + q * n];
          gamma += a[i + p * n] * a[i + q * n];
        }
        if (gamma == T(0) || std::abs(gamma) <= eps * std::sqrt(alpha * beta)) continue;
        rotated = true;
        const T zeta = (beta - alpha) / (T(2) * gamma);
        const T t = (zeta >= 0 ? T(1) : T(-1)) / (std::abs(zeta) + std::sqrt(T(1) + zeta * zeta));
        const T c = T(1) / std::sqrt(T(1) + t * t), sn = c * t;
        for (size_t i = 0; i < n; ++i) {
          const T ap = a[i + p * n], aq = a[i + q * n];
          a[i + p * n] = c * ap - sn * aq;
          a[i + q * n] = sn * ap + c * aq;
          const T vp = v[i + p * n], vq = v[i + q * n];
          v[i + p * n] = c * vp - sn * vq;
          v[i + q * n] = sn * vp + c * vq;
        }
      }
    if (!rotated) break;
  }
  std::vector<size_t> order(n);
  std::vector<T> norms(n);
  for (size_t j = 0; j < n; ++j) {
    norms[j] = enorm(n, a + j * n);
    order[j] = j;
  }
  std::sort(order.begin(), order.end(), [&](size_t x, size_t y) { return norms[x] > norms[y]; });
  std::vector<T> vs(v, v + n * n);
  for (size_t j = 0; j < n; ++j) {
    s[j] = norms[order[j]];
    for (size_t i = 0; i < n; ++i) v[i + j * n] = vs[i + order[j] * n];
  }
}

}  // namespace soma::fit::detail
