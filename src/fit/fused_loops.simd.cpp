// FusedModel's element-wise loops (fused_loops.hpp), compiled once per instruction-set
// level (src/core/dispatch.hpp): one loop per operation over a block of rows.
#include <cmath>

#include "fit/fused_loops.hpp"
#include "soma/core/vecmath.hpp"

namespace soma::fit::detail::SOMA_ISA_NAMESPACE {
namespace {

template <class F>
void unary_loop(const double* a, double* __restrict o, size_t len, F f) {
  for (size_t i = 0; i < len; ++i) o[i] = f(a[i]);
}
template <class F>
void binary_loop(const double* a, double sa, const double* b, double sb, double* __restrict o,
                 size_t len, F f) {
  if (a && b)
    for (size_t i = 0; i < len; ++i) o[i] = f(a[i], b[i]);
  else if (a)
    for (size_t i = 0; i < len; ++i) o[i] = f(a[i], sb);
  else
    for (size_t i = 0; i < len; ++i) o[i] = f(sa, b[i]);
}

void binary(FusedBinary op, const double* a, double sa, const double* b, double sb,
            double* __restrict o, size_t len) {
  switch (op) {
    case FusedBinary::add:
      return binary_loop(a, sa, b, sb, o, len, [](double u, double v) { return u + v; });
    case FusedBinary::sub:
      return binary_loop(a, sa, b, sb, o, len, [](double u, double v) { return u - v; });
    case FusedBinary::mul:
      return binary_loop(a, sa, b, sb, o, len, [](double u, double v) { return u * v; });
    case FusedBinary::div:
      return binary_loop(a, sa, b, sb, o, len, [](double u, double v) { return u / v; });
    case FusedBinary::pow:
      return binary_loop(a, sa, b, sb, o, len, [](double u, double v) { return std::pow(u, v); });
  }
}

void unary(FusedUnary op, const double* a, double* __restrict o, size_t len) {
  switch (op) {
    case FusedUnary::neg:
      return unary_loop(a, o, len, [](double u) { return -u; });
    case FusedUnary::exp:
      return unary_loop(a, o, len, [](double u) { return vecmath::exp(u); });
    case FusedUnary::abs:
      return unary_loop(a, o, len, [](double u) { return std::abs(u); });
    case FusedUnary::sqrt:
      return unary_loop(a, o, len, [](double u) { return std::sqrt(u); });
  }
}

}  // namespace

SOMA_DEFINE_KERNELS(FusedLoops, fused_loops, {.binary = binary, .unary = unary})

}  // namespace soma::fit::detail::SOMA_ISA_NAMESPACE
