// conv_transpose2d: one group goes to conv2d.cpp's direct form (the adjoint of conv2d);
// groups are composed from differentiable ops: a transposed convolution with
// stride s equals a stride-1 convolution, with the kernel flipped and its in/out axes
// swapped, over the input with s - 1 zeros between neighbouring pixels, padded by
// dilation * (k - 1) - padding on each side (plus output_padding at the bottom/right).
#include <string>
#include <vector>

#include "check.hpp"
#include "soma/core/error.hpp"
#include "soma/nn/functional.hpp"

namespace soma::nn::functional {

namespace {

// Zeros added (`before`/`after` > 0) or rows cut (< 0) at both ends of dimension `dim`.
Tensor pad_or_crop(Tensor x, int64_t dim, int64_t before, int64_t after) {
  auto zeros_of = [&](int64_t n) {
    Shape s = x.shape();
    s[static_cast<size_t>(dim)] = n;
    return zeros(s, x.dtype());
  };
  if (before < 0) x = x.slice(dim, -before, x.size(dim));
  if (after < 0) x = x.slice(dim, 0, x.size(dim) + after);
  std::vector<Tensor> parts;
  if (before > 0) parts.push_back(zeros_of(before));
  parts.push_back(x);
  if (after > 0) parts.push_back(zeros_of(after));
  return parts.size() == 1 ? x : concat(parts, dim);
}

// s - 1 zeros between neighbours along dimension `dim` (2 or 3) of x [N, C, H, W].
Tensor dilate(const Tensor& x, int64_t dim, int64_t s) {
  if (s == 1) return x;
  const int64_t n = x.size(dim);
  const Tensor col = x.unsqueeze(dim + 1);  // [.., n, 1, ..]
  Shape zs = col.shape();
  zs[static_cast<size_t>(dim + 1)] = s - 1;
  Shape merged = x.shape();
  merged[static_cast<size_t>(dim)] = n * s;
  return concat({col, zeros(zs, x.dtype())}, dim + 1)
      .reshape(merged)
      .slice(dim, 0, (n - 1) * s + 1);
}

Tensor reversed(const Tensor& w, int64_t dim) {
  const int64_t n = w.size(dim);
  return w.index_select(dim, arange(double(n - 1), -1.0, -1.0, kInt64));
}

}  // namespace

Tensor conv_transpose2d(const Tensor& input, const Tensor& weight, const Tensor& bias, Size2 stride,
                        Size2 padding, Size2 output_padding, int64_t groups, Size2 dilation) {
  const char* op = "conv_transpose2d";
  detail::require_nchw(input, op);
  if (!weight.defined() || weight.dim() != 4)
    throw Error(std::string(op) + ": expected a 4-d weight [C_in, C_out / groups, kh, kw], got " +
                (weight.defined() ? weight.shape().str() : std::string("undefined")));
  if (groups < 1)
    throw Error(std::string(op) + ": groups must be positive, got " + std::to_string(groups));
  const int64_t c_in = input.size(1);
  if (weight.size(0) != c_in || c_in % groups != 0)
    throw Error(std::string(op) + ": the input has " + std::to_string(c_in) +
                " channels; expected weight.size(0) (" + std::to_string(weight.size(0)) +
                ") equal to it and divisible by groups (" + std::to_string(groups) + ")");
  if (input.dtype() != weight.dtype())
    throw Error(std::string(op) + ": input and weight dtypes differ (" + dtype_name(input.dtype()) +
                ", " + dtype_name(weight.dtype()) + ")");
  const int64_t c_out = weight.size(1) * groups;
  if (bias.defined() && (bias.dim() != 1 || bias.size(0) != c_out))
    throw Error(std::string(op) + ": expected bias of shape [" + std::to_string(c_out) + "], got " +
                bias.shape().str());
  const char* names[2] = {"height", "width"};
  int64_t before[2], after[2];
  for (int k = 0; k < 2; ++k) {
    const int64_t kernel = weight.size(2 + k);
    if (stride[k] < 1 || dilation[k] < 1 || padding[k] < 0 || output_padding[k] < 0)
      throw Error(std::string(op) + ": stride and dilation must be positive, padding and " +
                  "output_padding non-negative (" + names[k] + ")");
    if (output_padding[k] >= std::max(stride[k], dilation[k]))
      throw Error(std::string(op) + ": output_padding (" + std::to_string(output_padding[k]) +
                  ") must be smaller than either stride or dilation (" + names[k] + ")");
    const int64_t out = (input.size(2 + k) - 1) * stride[k] - 2 * padding[k] +
                        dilation[k] * (kernel - 1) + output_padding[k] + 1;
    if (out < 1)
      throw Error(std::string(op) + ": the output " + names[k] + " would be " +
                  std::to_string(out) + "; expected at least 1");
    before[k] = dilation[k] * (kernel - 1) - padding[k];
    after[k] = before[k] + output_padding[k];
  }
  if (groups == 1)
    if (Tensor y = detail::conv_transpose2d_direct(input, weight, bias, stride, padding,
                                                   output_padding, dilation);
        y.defined())
      return y;
  // Groups (and an output_padding as large as the stride): composed from differentiable
  // ops. Zeros between pixels, then the border: positive pads and crops alike.
  Tensor x = dilate(dilate(input, 2, stride[0]), 3, stride[1]);
  x = pad_or_crop(pad_or_crop(x, 2, before[0], after[0]), 3, before[1], after[1]);
  // Kernel [C_in, C_out/g, kh, kw] → per group [C_out/g, C_in/g, kh, kw], flipped.
  const Tensor flipped = reversed(reversed(weight, 2), 3);
  const int64_t in_g = c_in / groups;
  std::vector<Tensor> outs;
  for (int64_t g = 0; g < groups; ++g) {
    const Tensor w = flipped.slice(0, g * in_g, (g + 1) * in_g).transpose(0, 1).contiguous();
    const Tensor xg = groups == 1 ? x : x.slice(1, g * in_g, (g + 1) * in_g);
    outs.push_back(conv2d(xg, w, Tensor(), {1, 1}, {0, 0}, dilation));
  }
  Tensor y = groups == 1 ? outs[0] : concat(outs, 1);
  if (bias.defined()) y = y + bias.reshape({1, c_out, 1, 1});
  return y;
}

}  // namespace soma::nn::functional
