#pragma once
// Row-major GEMM through OpenBLAS for the image ops: C = A' @ B' + beta * C.
#include <cblas.h>

#include <cstdint>

namespace soma::nn::functional::detail {

inline void gemm(bool ta, bool tb, int64_t m, int64_t n, int64_t k, const float* a, int64_t lda,
                 const float* b, int64_t ldb, float beta, float* c, int64_t ldc) {
  cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans,
              blasint(m), blasint(n), blasint(k), 1.0f, a, blasint(lda), b, blasint(ldb), beta, c,
              blasint(ldc));
}

inline void gemm(bool ta, bool tb, int64_t m, int64_t n, int64_t k, const double* a, int64_t lda,
                 const double* b, int64_t ldb, double beta, double* c, int64_t ldc) {
  cblas_dgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans,
              blasint(m), blasint(n), blasint(k), 1.0, a, blasint(lda), b, blasint(ldb), beta, c,
              blasint(ldc));
}

// Keeps OpenBLAS single-threaded while it lives. The image ops split the batch over
// soma's own threads and call BLAS once per image inside; a threaded BLAS there would
// start a second pool of threads on the same cores (oversubscription: each pool spins
// while the other one works).
// With `active` false (one thread of soma's: BLAS may use the others) it does nothing.
class SerialBlas {
 public:
  explicit SerialBlas(bool active) : saved_(active ? openblas_get_num_threads() : 1) {
    if (saved_ > 1) openblas_set_num_threads(1);
  }
  ~SerialBlas() {
    if (saved_ > 1) openblas_set_num_threads(saved_);
  }
  SerialBlas(const SerialBlas&) = delete;
  SerialBlas& operator=(const SerialBlas&) = delete;

 private:
  int saved_;
};

}  // namespace soma::nn::functional::detail
