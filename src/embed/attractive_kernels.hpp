#pragma once
// attractive_range's loop (attractive.hpp), one table per instruction-set level
// (attractive.simd.cpp).
#include <cstdint>

#include "core/dispatch.hpp"
#include "soma/embed/affinities.hpp"

namespace soma::embed::detail {

struct AttractiveKernels {
  void (*range)(const SparseP& P, const float* Y, double* attr, int64_t begin, int64_t end);
};
SOMA_DECLARE_KERNELS(AttractiveKernels, attractive_kernels)

}  // namespace soma::embed::detail
