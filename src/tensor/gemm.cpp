#include "gemm.hpp"

#include <cblas.h>

#include <algorithm>
#include <cstring>
#include <vector>

#include "gemm_small_kernels.hpp"

namespace soma {

namespace {
// m*n*k below which the loops here win; row-vector products (m == 1, one sample per
// step) and outer products (k == 1) always take them, since BLAS would repack a whole
// weight matrix for a single row. Measured on bench/nn's layer shapes (AVX-512): the
// loops beat OpenBLAS by 2-10x below ~4k multiply-adds and lose above ~16k.
constexpr int64_t kSmallWork = 16 * 1024;

// Scratch for packing op(B) = B^T (one per thread: gemm runs inside parallel loops).
template <class T>
std::vector<T>& pack_buffer() {
  thread_local std::vector<T> buf;
  return buf;
}

template <class T>
void small_gemm(bool ta, bool tb, int64_t m, int64_t n, int64_t k, T alpha, const T* a, int64_t lda,
                const T* b, int64_t ldb, T beta, T* c, int64_t ldc) {
  const SmallGemmKernels& kernels = small_gemm_kernels();
  if (!tb) return kernels.rows<T>()(ta, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
  // op(B) = B^T with B stored n×k: the Linear layer's x @ W^T. A few rows of A, or a
  // few columns of C with enough depth k: dot products of contiguous rows (no copy).
  // Otherwise transpose B once into k×n and run the row kernel, which vectorises across
  // outputs (or, for very short k, simply has less overhead per output).
  if (!ta && (m < 4 || (n < 8 && k >= 4))) {
    return kernels.dots<T>()(m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
  }
  std::vector<T>& bt = pack_buffer<T>();
  bt.resize(static_cast<size_t>(k * n));
  for (int64_t j = 0; j < n; ++j)
    for (int64_t p = 0; p < k; ++p) bt[static_cast<size_t>(p * n + j)] = b[j * ldb + p];
  kernels.rows<T>()(ta, m, n, k, alpha, a, lda, bt.data(), n, beta, c, ldc);
}

bool use_small(bool ta, bool tb, int64_t m, int64_t n, int64_t k) {
  if (ta && tb) return false;
  return m * n * k <= kSmallWork || m == 1 || k == 1;
}
}  // namespace

bool gemm_uses_blas(bool ta, bool tb, int64_t m, int64_t n, int64_t k) {
  return !use_small(ta, tb, m, n, k);
}

void gemm(bool ta, bool tb, int64_t m, int64_t n, int64_t k, float alpha, const float* a,
          int64_t lda, const float* b, int64_t ldb, float beta, float* c, int64_t ldc) {
  if (use_small(ta, tb, m, n, k))
    return small_gemm(ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
  cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans,
              static_cast<blasint>(m), static_cast<blasint>(n), static_cast<blasint>(k), alpha, a,
              static_cast<blasint>(lda), b, static_cast<blasint>(ldb), beta, c,
              static_cast<blasint>(ldc));
}

void gemm(bool ta, bool tb, int64_t m, int64_t n, int64_t k, double alpha, const double* a,
          int64_t lda, const double* b, int64_t ldb, double beta, double* c, int64_t ldc) {
  if (use_small(ta, tb, m, n, k))
    return small_gemm(ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
  cblas_dgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans,
              static_cast<blasint>(m), static_cast<blasint>(n), static_cast<blasint>(k), alpha, a,
              static_cast<blasint>(lda), b, static_cast<blasint>(ldb), beta, c,
              static_cast<blasint>(ldc));
}

}  // namespace soma
