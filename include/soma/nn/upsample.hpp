#pragma once
// nn::Upsample: resizes images [N, C, H, W] by nearest-neighbour or bilinear
// interpolation, as torch.nn.Upsample (functional::interpolate does the work).
//
//   nn::Upsample up({.scale_factor = {2, 2}, .mode = nn::InterpolateMode::Bilinear});
#include "soma/nn/functional.hpp"
#include "soma/nn/module.hpp"

namespace soma::nn {

using functional::Size2;

using functional::InterpolateMode;

struct UpsampleOptions {
  Size2 size = {0, 0};  // output {H, W}; {0, 0}: use scale_factor
  std::array<double, 2> scale_factor = {0, 0};
  InterpolateMode mode = InterpolateMode::Nearest;
  bool align_corners = false;  // bilinear only
};

class Upsample : public Module {
 public:
  explicit Upsample(const UpsampleOptions& options);
  Tensor forward(const Tensor& x) override;
  std::string name() const override;

 private:
  UpsampleOptions options_;
};

}  // namespace soma::nn
