#pragma once
// Argument checks and output sizes shared by the image ops.
#include <string>

#include "soma/core/error.hpp"
#include "soma/nn/functional.hpp"

namespace soma::nn::functional::detail {

// conv_transpose2d with one group as the adjoint of conv2d (conv2d.cpp), arguments
// already checked; undefined where the conv2d back does not land on the input's size.
Tensor conv_transpose2d_direct(const Tensor& input, const Tensor& weight, const Tensor& bias,
                               Size2 stride, Size2 padding, Size2 output_padding, Size2 dilation);

inline void require_nchw(const Tensor& x, const char* op) {
  if (!x.defined()) throw Error(std::string(op) + ": input is undefined");
  if (x.dim() != 4)
    throw Error(std::string(op) + ": expected a 4-d input [N, C, H, W], got shape " +
                x.shape().str());
  if (!is_floating(x.dtype()))
    throw Error(std::string(op) + ": expected a floating input, got " + dtype_name(x.dtype()));
}

inline int64_t out_size(const char* op, const char* dim, int64_t in, int64_t kernel, int64_t stride,
                        int64_t pad, int64_t dilation) {
  if (kernel < 1 || stride < 1 || pad < 0 || dilation < 1)
    throw Error(std::string(op) +
                ": kernel, stride and dilation must be positive and padding non-negative (" + dim +
                ": kernel " + std::to_string(kernel) + ", stride " + std::to_string(stride) +
                ", padding " + std::to_string(pad) + ", dilation " + std::to_string(dilation) +
                ")");
  const int64_t span = dilation * (kernel - 1) + 1;
  if (in + 2 * pad < span)
    throw Error(std::string(op) + ": the " + dim + " of the input (" + std::to_string(in) +
                ", padded " + std::to_string(in + 2 * pad) + ") is smaller than the kernel (" +
                std::to_string(span) + ")");
  return (in + 2 * pad - span) / stride + 1;
}

}  // namespace soma::nn::functional::detail
