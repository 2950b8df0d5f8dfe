#pragma once
// nn::LayerNorm: normalises over the last dimensions (normalized_shape) of each sample,
// y = (x - mean) / sqrt(var + eps) * weight + bias with the biased variance, as
// torch.nn.LayerNorm; weight (ones) and bias (zeros) have normalized_shape.
//
//   nn::LayerNorm norm({256});
#include "soma/nn/module.hpp"

namespace soma::nn {

namespace functional {
// weight and bias may be undefined (no affine transform). Composed of differentiable ops.
Tensor layer_norm(const Tensor& input, const Shape& normalized_shape,
                  const Tensor& weight = Tensor(), const Tensor& bias = Tensor(),
                  double eps = 1e-5);
}  // namespace functional

struct LayerNormOptions {
  double eps = 1e-5;
  bool elementwise_affine = true;
};

class LayerNorm : public Module {
 public:
  explicit LayerNorm(const Shape& normalized_shape, const LayerNormOptions& options = {},
                     DType dtype = kFloat32);

  Tensor forward(const Tensor& x) override;
  std::string name() const override;

  Tensor weight, bias;  // normalized_shape, or undefined without elementwise_affine

 private:
  Shape shape_;
  LayerNormOptions options_;
};

}  // namespace soma::nn
