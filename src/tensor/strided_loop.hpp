#pragma once
// One loop nest for every strided traversal (copies, broadcasting element-wise
// ops): the outer dimensions are walked with an index counter, the innermost
// dimension is handed to a kernel as (pointers, inner strides, count) so it runs
// as a tight loop the compiler can vectorise.
#include <array>
#include <cstdint>

#include "soma/tensor/shape.hpp"

namespace soma {

// Merges adjacent dimensions that are contiguous with each other in every operand,
// so that e.g. a contiguous [64, 784] becomes one run of 50176 elements.
template <size_t N>
void coalesce(Shape& shape, std::array<Shape, N>& strides) {
  if (shape.size() <= 1) return;
  Shape out_shape;
  std::array<Shape, N> out_strides;
  out_shape.push_back(shape[0]);
  for (size_t k = 0; k < N; ++k) out_strides[k].push_back(strides[k][0]);
  for (int d = 1; d < shape.size(); ++d) {
    bool mergeable = true;
    const int last = out_shape.size() - 1;
    for (size_t k = 0; k < N; ++k)
      mergeable = mergeable && out_strides[k][last] == strides[k][d] * shape[d];
    if (mergeable) {
      out_shape[last] *= shape[d];
      for (size_t k = 0; k < N; ++k) out_strides[k][last] = strides[k][d];
    } else {
      out_shape.push_back(shape[d]);
      for (size_t k = 0; k < N; ++k) out_strides[k].push_back(strides[k][d]);
    }
  }
  shape = out_shape;
  strides = out_strides;
}

// Calls inner(ptrs, inner_strides, n) for every innermost run. Strides and pointers
// are in bytes so that operands of different types can share one traversal.
template <size_t N, class Inner>
void strided_loop(Shape shape, std::array<Shape, N> strides, std::array<char*, N> ptrs,
                  Inner&& inner) {
  if (shape.numel() == 0) return;
  coalesce(shape, strides);
  const int nd = shape.size();
  if (nd == 0) {
    std::array<int64_t, N> s{};
    inner(ptrs, s, int64_t{1});
    return;
  }
  std::array<int64_t, N> inner_strides;
  for (size_t k = 0; k < N; ++k) inner_strides[k] = strides[k][nd - 1];
  const int64_t n = shape[nd - 1];
  int64_t counter[Shape::kMaxDims] = {};
  const int64_t outer = shape.numel() / n;
  for (int64_t o = 0; o < outer; ++o) {
    inner(ptrs, inner_strides, n);
    // Advance the outer index like an odometer.
    for (int d = nd - 2; d >= 0; --d) {
      ++counter[d];
      for (size_t k = 0; k < N; ++k) ptrs[k] += strides[k][d];
      if (counter[d] < shape[d]) break;
      for (size_t k = 0; k < N; ++k) ptrs[k] -= strides[k][d] * shape[d];
      counter[d] = 0;
    }
  }
}

}  // namespace soma
