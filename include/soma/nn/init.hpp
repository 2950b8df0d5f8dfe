#pragma once
// Parameter initialisation, as torch.nn.init: each function fills a tensor in place
// (outside autograd) from `rng` and returns it.
//
// fan_in = size(1) * receptive field, fan_out = size(0) * receptive field, where the
// receptive field is the product of the sizes after the first two (1 for matrices).
#include <string_view>
#include <utility>

#include "soma/core/random.hpp"
#include "soma/tensor/tensor.hpp"

namespace soma::nn::init {

enum class FanMode { FanIn, FanOut };

// {fan_in, fan_out}; throws soma::Error for tensors with fewer than 2 dimensions.
std::pair<int64_t, int64_t> calculate_fan_in_and_fan_out(const Tensor& t);

// Recommended gain for a nonlinearity: "linear", "conv2d", "sigmoid" → 1, "tanh" → 5/3,
// "relu" → sqrt(2), "leaky_relu" → sqrt(2 / (1 + param^2)), "selu" → 3/4.
double calculate_gain(std::string_view nonlinearity, double param = 0.01);

// uniform(-bound, bound) with bound = gain * sqrt(3 / fan), gain for leaky_relu with slope a.
Tensor& kaiming_uniform_(Tensor& t, double a = 0.0, FanMode mode = FanMode::FanIn,
                         std::string_view nonlinearity = "leaky_relu", Rng& rng = global_rng());
// normal(0, gain / sqrt(fan)).
Tensor& kaiming_normal_(Tensor& t, double a = 0.0, FanMode mode = FanMode::FanIn,
                        std::string_view nonlinearity = "leaky_relu", Rng& rng = global_rng());
// uniform(-bound, bound) with bound = gain * sqrt(6 / (fan_in + fan_out)).
Tensor& xavier_uniform_(Tensor& t, double gain = 1.0, Rng& rng = global_rng());
// normal(0, gain * sqrt(2 / (fan_in + fan_out))).
Tensor& xavier_normal_(Tensor& t, double gain = 1.0, Rng& rng = global_rng());
Tensor& uniform_(Tensor& t, double lo = 0.0, double hi = 1.0, Rng& rng = global_rng());
Tensor& normal_(Tensor& t, double mean = 0.0, double stddev = 1.0, Rng& rng = global_rng());
Tensor& constant_(Tensor& t, double value);
Tensor& zeros_(Tensor& t);
Tensor& ones_(Tensor& t);

}  // namespace soma::nn::init
