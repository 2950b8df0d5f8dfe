#pragma once
// The element-wise loops of FusedModel::run (fit's expression models), one table per
// instruction-set level (fused_loops.simd.cpp).
#include <cstddef>

#include "core/dispatch.hpp"

namespace soma::fit::detail {

enum class FusedBinary { add, sub, mul, div, pow };
enum class FusedUnary { neg, exp, abs, sqrt };

struct FusedLoops {
  // o[i] = a[i] op b[i]; a null a (or b) stands for the scalar sa (sb). o aliases neither.
  void (*binary)(FusedBinary op, const double* a, double sa, const double* b, double sb, double* o,
                 size_t len);
  void (*unary)(FusedUnary op, const double* a, double* o, size_t len);
};
SOMA_DECLARE_KERNELS(FusedLoops, fused_loops)

}  // namespace soma::fit::detail
