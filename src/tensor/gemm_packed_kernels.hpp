#pragma once
// The packed-matrix GEMM kernel, one per instruction-set level (gemm_packed.simd.cpp).
#include <cstdint>

#include "core/dispatch.hpp"

namespace soma {

// C[:, 0:ncols] = A P + beta C for one panel P (k×panel, row-major) of a PackedMatrix,
// A row-major m×k.
template <class T>
using PanelGemmFn = void(int64_t m, int64_t k, const T* a, int64_t lda, const T* panel, int ncols,
                         T beta, T* c, int64_t ldc);

struct PackedGemmKernels {
  int panel_f32, panel_f64;  // columns per panel, as the kernel's registers hold them
  PanelGemmFn<float>* panel_gemm_f32;
  PanelGemmFn<double>* panel_gemm_f64;

  template <class T>
  int panel() const {
    return detail::by_type<T>(panel_f32, panel_f64);
  }
  template <class T>
  PanelGemmFn<T>* panel_gemm() const {
    return detail::by_type<T>(panel_gemm_f32, panel_gemm_f64);
  }
};
SOMA_DECLARE_KERNELS(PackedGemmKernels, packed_gemm_kernels)

}  // namespace soma
