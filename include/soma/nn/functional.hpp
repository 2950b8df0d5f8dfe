#pragma once
// Functional forms of the convolution, pooling, normalisation and dropout layers,
// each with its backward formula (torch.nn.functional's names and semantics).
// Images are NCHW: [batch, channels, height, width]. Output sizes follow torch:
//   out = floor((in + 2 * padding - dilation * (kernel - 1) - 1) / stride) + 1
#include <array>
#include <cstdint>
#include <string>

#include "soma/core/random.hpp"
#include "soma/tensor/tensor.hpp"

namespace soma::nn::functional {

using Size2 = std::array<int64_t, 2>;  // {height, width}

// input [N, C, H, W], weight [O, C, kh, kw], bias [O] or undefined → [N, O, OH, OW].
// Float32 with 16 or more channels in and out: oneDNN's kernels, where soma is built with
// it (convolution_library()); otherwise im2col + one GEMM per image, the batch split over
// soma's threads.
Tensor conv2d(const Tensor& input, const Tensor& weight, const Tensor& bias = Tensor(),
              Size2 stride = {1, 1}, Size2 padding = {0, 0}, Size2 dilation = {1, 1});

// Maximum over each window; stride {0, 0} means stride = kernel. Padding counts as
// -infinity. The backward pass routes each gradient to the first maximal element.
Tensor max_pool2d(const Tensor& input, Size2 kernel, Size2 stride = {0, 0}, Size2 padding = {0, 0});

// Mean over each window, padding counted as zeros (count_include_pad = true).
Tensor avg_pool2d(const Tensor& input, Size2 kernel, Size2 stride = {0, 0}, Size2 padding = {0, 0});

// Batch normalisation over dimension 1 of input [N, C] or [N, C, *]. In training,
// normalises by the batch's mean and biased variance and updates the running
// statistics in place (running = (1 - momentum) * running + momentum * batch, the
// variance unbiased); in evaluation, uses the running statistics. weight and bias
// [C] may be undefined (no affine transform); the running tensors may be undefined
// in training (not tracked).
Tensor batch_norm(const Tensor& input, const Tensor& running_mean, const Tensor& running_var,
                  const Tensor& weight, const Tensor& bias, bool training, double momentum = 0.1,
                  double eps = 1e-5);

// Zeros each element with probability p and scales the rest by 1 / (1 - p) in
// training; the identity otherwise.
Tensor dropout(const Tensor& input, double p, bool training, Rng& rng = global_rng());

}  // namespace soma::nn::functional

namespace soma::nn::functional {

// Transposed convolution (the gradient of conv2d with respect to its input), as torch's
// conv_transpose2d: input [N, C_in, H, W], weight [C_in, C_out / groups, kh, kw], bias
// [C_out] or undefined → [N, C_out, OH, OW] with
//   OH = (H - 1) * stride - 2 * padding + dilation * (kh - 1) + output_padding + 1
// (OW alike). output_padding must be smaller than stride or dilation (torch's rule).
// Computed as conv2d's input gradient (no zeros inserted between input pixels); float32
// with one group and 16 or more channels in and out through oneDNN, as conv2d.
Tensor conv_transpose2d(const Tensor& input, const Tensor& weight, const Tensor& bias = Tensor(),
                        Size2 stride = {1, 1}, Size2 padding = {0, 0},
                        Size2 output_padding = {0, 0}, int64_t groups = 1, Size2 dilation = {1, 1});

// What runs float32 conv2d / conv_transpose2d: "oneDNN 2.6.3, jit:avx512_core" (the
// library and the kernel it dispatched to on this CPU), "oneDNN 2.6.3, turned off by
// SOMA_ONEDNN=off", or "" when soma was built without oneDNN (soma's im2col + BLAS path
// then runs every convolution).
std::string convolution_library();

enum class InterpolateMode { Nearest, Bilinear };

// Resizes the H and W of input [N, C, H, W] to `size`, or by `scale_factor` (output =
// floor(in * scale_factor)) when size is {0, 0}, as torch.nn.functional.interpolate with
// recompute_scale_factor unset: nearest takes source index floor(dst * scale) with
// scale = 1 / scale_factor (or in / out given a size); bilinear follows torch's
// align_corners convention. Composed from index_select and element-wise ops.
Tensor interpolate(const Tensor& input, Size2 size, std::array<double, 2> scale_factor = {0, 0},
                   InterpolateMode mode = InterpolateMode::Nearest, bool align_corners = false);

}  // namespace soma::nn::functional
