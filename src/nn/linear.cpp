#include "soma/nn/linear.hpp"

#include <cmath>

#include "soma/core/error.hpp"
#include "soma/nn/init.hpp"

namespace soma::nn {

Linear::Linear(int64_t in_features, int64_t out_features, bool bias, Rng& rng, DType dtype)
    : in_(in_features), out_(out_features) {
  if (in_features < 0 || out_features < 0)
    throw Error("Linear: sizes must be non-negative, got in_features=" +
                std::to_string(in_features) + ", out_features=" + std::to_string(out_features));
  if (!is_floating(dtype))
    throw Error(std::string("Linear: dtype must be floating, got ") + dtype_name(dtype));
  weight = register_parameter("weight", empty({out_features, in_features}, dtype));
  if (bias) this->bias = register_parameter("bias", empty({out_features}, dtype));
  draw_parameters(rng);
}

void Linear::reset_parameters(Rng& rng) {
  // kaiming_uniform_(a = sqrt(5)) gives bound sqrt(6 / (6 * fan_in)) = 1 / sqrt(fan_in).
  init::kaiming_uniform_(weight, std::sqrt(5.0), init::FanMode::FanIn, "leaky_relu", rng);
  if (bias.defined()) {
    const double bound = in_ > 0 ? 1.0 / std::sqrt(static_cast<double>(in_)) : 0.0;
    init::uniform_(bias, -bound, bound, rng);
  }
}

Tensor Linear::forward(const Tensor& x) {
  if (x.dim() == 0 || x.size(-1) != in_)
    throw Error("Linear: input of shape " + x.shape().str() +
                " does not end in in_features=" + std::to_string(in_));
  return linear(x, weight, bias);
}

std::string Linear::name() const {
  return "Linear(in_features=" + std::to_string(in_) + ", out_features=" + std::to_string(out_) +
         ", bias=" + (bias.defined() ? "true" : "false") + ")";
}

}  // namespace soma::nn
