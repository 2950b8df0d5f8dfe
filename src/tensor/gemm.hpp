#pragma once
// Row-major GEMM on raw buffers: C = alpha * op(A) @ op(B) + beta * C.
// Large products go to BLAS; tiny ones (the per-sample networks of the tutorials)
// run in a plain loop, which beats the cost of a BLAS call at that size.
#include <cstdint>

namespace soma {

void gemm(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, float alpha, const float* a,
          int64_t lda, const float* b, int64_t ldb, float beta, float* c, int64_t ldc);
void gemm(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, double alpha,
          const double* a, int64_t lda, const double* b, int64_t ldb, double beta, double* c,
          int64_t ldc);

// Whether gemm hands this product to BLAS (true) or runs soma's own loops (false): what a
// benchmark names when it credits a figure.
bool gemm_uses_blas(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k);

}  // namespace soma
