// LayerNorm composed from reductions and element-wise ops; autograd differentiates it.
#include "soma/nn/layer_norm.hpp"

#include <sstream>

#include "soma/core/error.hpp"

namespace soma::nn {

namespace functional {

Tensor layer_norm(const Tensor& input, const Shape& normalized_shape, const Tensor& weight,
                  const Tensor& bias, double eps) {
  const int k = normalized_shape.size();
  if (k == 0) throw Error("layer_norm: normalized_shape must not be empty");
  bool fits = input.defined() && input.dim() >= k;
  for (int i = 0; fits && i < k; ++i) fits = input.size(input.dim() - k + i) == normalized_shape[i];
  if (!fits)
    throw Error("layer_norm: input of shape " +
                (input.defined() ? input.shape().str() : std::string("undefined")) +
                " does not end in normalized_shape " + normalized_shape.str());
  if (!is_floating(input.dtype()))
    throw Error(std::string("layer_norm: expected a floating input, got ") +
                dtype_name(input.dtype()));
  for (const Tensor* t : {&weight, &bias})
    if (t->defined() && t->shape() != normalized_shape)
      throw Error("layer_norm: " + std::string(t == &weight ? "weight" : "bias") + " has shape " +
                  t->shape().str() + ", expected " + normalized_shape.str());
  Shape dims;
  for (int i = 0; i < k; ++i) dims.push_back(input.dim() - k + i);
  const Tensor centred = input - input.mean(dims, true);
  const Tensor variance = mean(centred * centred, dims, true);  // biased, as torch
  Tensor y = centred / sqrt(variance + eps);
  if (weight.defined()) y = y * weight;
  if (bias.defined()) y = y + bias;
  return y;
}

}  // namespace functional

LayerNorm::LayerNorm(const Shape& normalized_shape, const LayerNormOptions& options, DType dtype)
    : shape_(normalized_shape), options_(options) {
  if (normalized_shape.empty()) throw Error("LayerNorm: normalized_shape must not be empty");
  for (int64_t d : normalized_shape)
    if (d < 1)
      throw Error("LayerNorm: normalized_shape " + normalized_shape.str() + " has a size below 1");
  if (!(options.eps > 0.0)) throw Error("LayerNorm: eps must be positive");
  if (!is_floating(dtype))
    throw Error(std::string("LayerNorm: dtype must be floating, got ") + dtype_name(dtype));
  if (options.elementwise_affine) {
    weight = register_parameter("weight", ones(normalized_shape, dtype));
    bias = register_parameter("bias", zeros(normalized_shape, dtype));
  }
}

Tensor LayerNorm::forward(const Tensor& x) {
  return functional::layer_norm(x, shape_, weight, bias, options_.eps);
}

std::string LayerNorm::name() const {
  // torch prints the shape as a Python tuple: (4,) or (3, 4).
  std::ostringstream os;
  os << "LayerNorm((";
  for (int i = 0; i < shape_.size(); ++i) os << (i ? ", " : "") << shape_[i];
  os << (shape_.size() == 1 ? ",)" : ")") << ", eps=" << options_.eps
     << ", elementwise_affine=" << (options_.elementwise_affine ? "true" : "false") << ")";
  return os.str();
}

}  // namespace soma::nn
