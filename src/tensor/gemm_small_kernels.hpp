#pragma once
// The small-matrix GEMM loops, one table per instruction-set level (gemm_small.simd.cpp).
#include <cstdint>

#include "core/dispatch.hpp"

namespace soma {

// C = alpha * op(A) B + beta * C with B row-major k×n (op(A) = A^T when ta).
template <class T>
using GemmRowsFn = void(bool ta, int64_t m, int64_t n, int64_t k, T alpha, const T* a, int64_t lda,
                        const T* b, int64_t ldb, T beta, T* c, int64_t ldc);
// C = alpha * A B^T + beta * C with A (m×k) and B (n×k) row-major: dot products of rows.
template <class T>
using GemmDotsFn = void(int64_t m, int64_t n, int64_t k, T alpha, const T* a, int64_t lda,
                        const T* b, int64_t ldb, T beta, T* c, int64_t ldc);

struct SmallGemmKernels {
  GemmRowsFn<float>* rows_f32;
  GemmRowsFn<double>* rows_f64;
  GemmDotsFn<float>* dots_f32;
  GemmDotsFn<double>* dots_f64;

  template <class T>
  GemmRowsFn<T>* rows() const {
    return detail::by_type<T>(rows_f32, rows_f64);
  }
  template <class T>
  GemmDotsFn<T>* dots() const {
    return detail::by_type<T>(dots_f32, dots_f64);
  }
};
SOMA_DECLARE_KERNELS(SmallGemmKernels, small_gemm_kernels)

}  // namespace soma
