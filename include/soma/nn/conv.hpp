#pragma once
// nn::Conv2d: 2-d convolution (cross-correlation, as torch) over NCHW images.
//
//   nn::Conv2d conv(1, 32, 3, {.padding = {1, 1}});
#include <cstdint>

#include "soma/nn/functional.hpp"
#include "soma/nn/module.hpp"

namespace soma::nn {

using functional::Size2;

struct Conv2dOptions {
  Size2 stride = {1, 1};
  Size2 padding = {0, 0};
  Size2 dilation = {1, 1};
  bool bias = true;
};

class Conv2d : public Module {
 public:
  // Initialised as torch: weight by kaiming_uniform_(a = sqrt(5)), bias uniform in
  // ±1/sqrt(fan_in), fan_in = in_channels * kh * kw; weight first, then bias.
  Conv2d(int64_t in_channels, int64_t out_channels, Size2 kernel_size,
         const Conv2dOptions& options = {}, Rng& rng = global_rng(), DType dtype = kFloat32);
  Conv2d(int64_t in_channels, int64_t out_channels, int64_t kernel_size,
         const Conv2dOptions& options = {}, Rng& rng = global_rng(), DType dtype = kFloat32)
      : Conv2d(in_channels, out_channels, Size2{kernel_size, kernel_size}, options, rng, dtype) {}

  Tensor forward(const Tensor& x) override;
  std::string name() const override;
  void reset_parameters(Rng& rng) override;

  Tensor weight;  // [out, in, kh, kw]
  Tensor bias;    // [out] or undefined

 private:
  Conv2dOptions options_;
};

}  // namespace soma::nn
