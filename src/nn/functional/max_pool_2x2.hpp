#pragma once
// Row kernels of 2x2, stride 2 max pooling (max_pool_2x2.simd.cpp), one table per
// instruction-set level.
#include <cstdint>

#include "core/dispatch.hpp"

namespace soma::nn::functional::detail {

// out[j] = max of r0[2j], r0[2j+1], r1[2j], r1[2j+1] for j < n.
// spill: the caller allows whole-vector loads and stores past the rows' ends, because the
// 16 floats after r1 + 2n (and out + n) lie inside the tensor, in rows it processes later
// (which overwrite what spilled). Rows are short (7 or 14 outputs in a Fashion-MNIST CNN),
// and on AVX2 the masked tail of each row costs as much as the rest of it.
template <class T>
using MaxPoolRowFn = void(const T* r0, const T* r1, T* out, int64_t n, bool spill);
// d0/d1 [0, 2n): g[j] at the maximum of window j, 0 elsewhere. spill as above, for reads
// after r1 + 2n and g + n and writes after d1 + 2n; d1 must follow d0 in memory, since the
// spill of d0 lands at the start of d1 (written after it).
template <class T>
using MaxPoolRowBackwardFn = void(const T* r0, const T* r1, const T* g, T* d0, T* d1, int64_t n,
                                  bool spill);

struct MaxPool2x2Kernels {
  MaxPoolRowFn<float>* row_f32;
  MaxPoolRowFn<double>* row_f64;
  MaxPoolRowBackwardFn<float>* row_backward_f32;
  MaxPoolRowBackwardFn<double>* row_backward_f64;

  template <class T>
  MaxPoolRowFn<T>* row() const {
    return ::soma::detail::by_type<T>(row_f32, row_f64);
  }
  template <class T>
  MaxPoolRowBackwardFn<T>* row_backward() const {
    return ::soma::detail::by_type<T>(row_backward_f32, row_backward_f64);
  }
};
SOMA_DECLARE_KERNELS(MaxPool2x2Kernels, max_pool_2x2_kernels)

}  // namespace soma::nn::functional::detail
