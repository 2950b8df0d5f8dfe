// The interpreter's passes built on fused multiply-adds (fma_passes.hpp), compiled once
// per instruction-set level: std::fma inlines to one instruction where the level has FMA.
#include <cmath>

#include "fma_passes.hpp"
#include "soma/core/vecmath.hpp"

namespace soma::snn::SOMA_ISA_NAMESPACE {
namespace {

template <bool NegateProduct, bool NegateC>
[[gnu::always_inline]] inline double fused(double x, double y, double z) {
  return std::fma(NegateProduct ? -x : x, y, NegateC ? -z : z);
}

// The operand shapes the compiler emits (see kernel.cpp's ternary_loop), each a loop of
// its own so that it vectorises; anything else element by element.
template <bool P, bool C>
void loop(double* out, const double* a, double sa, const double* b, double sb, const double* c,
          double sc, int n) {
  if (a && b && c) {
    for (int k = 0; k < n; ++k) out[k] = fused<P, C>(a[k], b[k], c[k]);
  } else if (a && !b && c) {
    for (int k = 0; k < n; ++k) out[k] = fused<P, C>(a[k], sb, c[k]);
  } else if (a && !b && !c) {
    for (int k = 0; k < n; ++k) out[k] = fused<P, C>(a[k], sb, sc);
  } else if (!a && b && c) {
    for (int k = 0; k < n; ++k) out[k] = fused<P, C>(sa, b[k], c[k]);
  } else if (a && b && !c) {
    for (int k = 0; k < n; ++k) out[k] = fused<P, C>(a[k], b[k], sc);
  } else {
    for (int k = 0; k < n; ++k) out[k] = fused<P, C>(a ? a[k] : sa, b ? b[k] : sb, c ? c[k] : sc);
  }
}

void fma_loop(double* out, const double* a, double sa, const double* b, double sb, const double* c,
              double sc, int n, bool negate_product, bool negate_c) {
  if (negate_product)
    negate_c ? loop<true, true>(out, a, sa, b, sb, c, sc, n)
             : loop<true, false>(out, a, sa, b, sb, c, sc, n);
  else
    negate_c ? loop<false, true>(out, a, sa, b, sb, c, sc, n)
             : loop<false, false>(out, a, sa, b, sb, c, sc, n);
}

void exp_pass(double* out, const double* a, double sa, const double* b, double sb, int n) {
  if (a && b)
    for (int k = 0; k < n; ++k) out[k] = vecmath::exp(a[k] * b[k]);
  else if (a)
    for (int k = 0; k < n; ++k) out[k] = vecmath::exp(a[k] * sb);
  else if (b)
    for (int k = 0; k < n; ++k) out[k] = vecmath::exp(sa * b[k]);
  else
    for (int k = 0; k < n; ++k) out[k] = vecmath::exp(sa * sb);
}

}  // namespace

SOMA_DEFINE_KERNELS(FmaPassKernels, fma_pass_kernels, {.fma = fma_loop, .exp = exp_pass})

}  // namespace soma::snn::SOMA_ISA_NAMESPACE
