#pragma once
// The interpreter's passes built on fused multiply-adds (kernel.cpp's kFma, kFms, kFnms,
// and kExp, kExpMul: vecmath::exp is 16 of them), one per instruction-set level
// (fma_passes.simd.cpp). On the baseline level std::fma is a call into libm (16 % of the
// STDP example's run), on AVX2 and AVX-512 one instruction; either way the same
// correctly rounded result, so every level computes the same numbers.
#include "core/dispatch.hpp"

namespace soma::snn {

// out[k] = fma(+-a[k], b[k], +-c[k]) (one rounding), each operand a vector (non-null) or
// the scalar beside it: negate_product gives c - a*b (kFnms), negate_c a*b - c (kFms).
using FmaPassFn = void(double* out, const double* a, double sa, const double* b, double sb,
                       const double* c, double sc, int n, bool negate_product, bool negate_c);
// out[k] = vecmath::exp(x * y), x = a[k] or sa, y = b[k] or sb (kExp: b null, sb 1, and
// x * 1 is x exactly).
using ExpPassFn = void(double* out, const double* a, double sa, const double* b, double sb, int n);

struct FmaPassKernels {
  FmaPassFn* fma;
  ExpPassFn* exp;
};
SOMA_DECLARE_KERNELS(FmaPassKernels, fma_pass_kernels)

}  // namespace soma::snn
