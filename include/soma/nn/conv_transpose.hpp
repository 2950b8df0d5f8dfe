#pragma once
// nn::ConvTranspose2d: the transposed ("fractionally strided") convolution decoders use
// to grow images, with torch's names, parameter layout and initialisation.
//
//   nn::ConvTranspose2d up(32, 16, 4, {.stride = {2, 2}, .padding = {1, 1}});  // 7x7 → 14x14
#include <cstdint>

#include "soma/nn/functional.hpp"
#include "soma/nn/module.hpp"

namespace soma::nn {

using functional::Size2;

struct ConvTranspose2dOptions {
  Size2 stride = {1, 1};
  Size2 padding = {0, 0};
  Size2 output_padding = {0, 0};
  int64_t groups = 1;
  bool bias = true;
  Size2 dilation = {1, 1};
};

class ConvTranspose2d : public Module {
 public:
  // Initialised as torch: weight by kaiming_uniform_(a = sqrt(5)) with fan_in =
  // weight.size(1) * kh * kw (torch reads the transposed layout as it is), bias uniform
  // in ±1/sqrt(that fan_in); weight first, then bias.
  ConvTranspose2d(int64_t in_channels, int64_t out_channels, Size2 kernel_size,
                  const ConvTranspose2dOptions& options = {}, Rng& rng = global_rng(),
                  DType dtype = kFloat32);
  ConvTranspose2d(int64_t in_channels, int64_t out_channels, int64_t kernel_size,
                  const ConvTranspose2dOptions& options = {}, Rng& rng = global_rng(),
                  DType dtype = kFloat32)
      : ConvTranspose2d(in_channels, out_channels, Size2{kernel_size, kernel_size}, options, rng,
                        dtype) {}

  Tensor forward(const Tensor& x) override;
  std::string name() const override;
  void reset_parameters(Rng& rng) override;

  Tensor weight;  // [in, out / groups, kh, kw]
  Tensor bias;    // [out] or undefined

 private:
  ConvTranspose2dOptions options_;
};

}  // namespace soma::nn
