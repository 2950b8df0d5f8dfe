#include "gemm.hpp"

#include <cblas.h>

#include "gemm_kernel.hpp"
#include "soma/core/threads.hpp"

namespace soma {

namespace {
// OpenBLAS follows soma's thread count.
const bool g_blas_threads_hooked = [] {
  on_num_threads_changed([](int n) { openblas_set_num_threads(n); });
  return true;
}();

// m*n*k below which a plain loop wins; row-vector products (m == 1, one sample per
// step) and outer products (k == 1) always take it, since BLAS would repack a whole
// weight matrix for a single row.
constexpr int64_t kSmallWork = 16 * 1024;

template <class T>
void small_gemm(bool ta, bool tb, int64_t m, int64_t n, int64_t k, T alpha, const T* a, int64_t lda,
                const T* b, int64_t ldb, T beta, T* c, int64_t ldc) {
  if (tb && !ta) {  // rows of A against rows of B: contiguous dot products
    for (int64_t i = 0; i < m; ++i)
      for (int64_t j = 0; j < n; ++j) {
        const T* ai = a + i * lda;
        const T* bj = b + j * ldb;
        T acc = T(0);
// Lanes may sum in any order here: without it the loop stays scalar.
#pragma omp simd reduction(+ : acc)
        for (int64_t p = 0; p < k; ++p) acc += ai[p] * bj[p];
        T& cij = c[i * ldc + j];
        cij = alpha * acc + (beta == T(0) ? T(0) : beta * cij);
      }
    return;
  }
  for (int64_t i = 0; i < m; ++i) {
    T* ci = c + i * ldc;
    if (beta == T(0)) {
      for (int64_t j = 0; j < n; ++j) ci[j] = T(0);
    } else if (beta != T(1)) {
      for (int64_t j = 0; j < n; ++j) ci[j] *= beta;
    }
    for (int64_t p = 0; p < k; ++p) {
      const T av = alpha * (ta ? a[p * lda + i] : a[i * lda + p]);
      if (!tb) {
        const T* bp = b + p * ldb;
        for (int64_t j = 0; j < n; ++j) ci[j] += av * bp[j];
      } else {
        for (int64_t j = 0; j < n; ++j) ci[j] += av * b[j * ldb + p];
      }
    }
  }
}
}  // namespace

void gemm(bool ta, bool tb, int64_t m, int64_t n, int64_t k, float alpha, const float* a,
          int64_t lda, const float* b, int64_t ldb, float beta, float* c, int64_t ldc) {
  (void)g_blas_threads_hooked;
  (void)blas_kernel_name();  // make sure the AVX-512 table is chosen before the first call
  if ((m * n * k <= kSmallWork || m == 1 || k == 1) && !(ta && tb))
    return small_gemm(ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
  cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans,
              static_cast<blasint>(m), static_cast<blasint>(n), static_cast<blasint>(k), alpha, a,
              static_cast<blasint>(lda), b, static_cast<blasint>(ldb), beta, c,
              static_cast<blasint>(ldc));
}

void gemm(bool ta, bool tb, int64_t m, int64_t n, int64_t k, double alpha, const double* a,
          int64_t lda, const double* b, int64_t ldb, double beta, double* c, int64_t ldc) {
  (void)g_blas_threads_hooked;
  (void)blas_kernel_name();
  if ((m * n * k <= kSmallWork || m == 1 || k == 1) && !(ta && tb))
    return small_gemm(ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
  cblas_dgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans,
              static_cast<blasint>(m), static_cast<blasint>(n), static_cast<blasint>(k), alpha, a,
              static_cast<blasint>(lda), b, static_cast<blasint>(ldb), beta, c,
              static_cast<blasint>(ldc));
}

}  // namespace soma
