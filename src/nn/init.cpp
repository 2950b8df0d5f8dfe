// torch.nn.init, drawing from soma's Rng.
#include "soma/nn/init.hpp"

#include <cmath>
#include <string>

#include "soma/core/error.hpp"

namespace soma::nn::init {

std::pair<int64_t, int64_t> calculate_fan_in_and_fan_out(const Tensor& t) {
  if (t.dim() < 2)
    throw Error(
        "init: fan in and fan out cannot be computed for a tensor with fewer than 2 dimensions "
        "(shape " +
        t.shape().str() + ")");
  int64_t receptive = 1;
  for (int d = 2; d < t.dim(); ++d) receptive *= t.size(d);
  return {t.size(1) * receptive, t.size(0) * receptive};
}

double calculate_gain(std::string_view nonlinearity, double param) {
  if (nonlinearity == "linear" || nonlinearity == "conv1d" || nonlinearity == "conv2d" ||
      nonlinearity == "conv3d" || nonlinearity == "sigmoid")
    return 1.0;
  if (nonlinearity == "tanh") return 5.0 / 3.0;
  if (nonlinearity == "relu") return std::sqrt(2.0);
  if (nonlinearity == "leaky_relu") return std::sqrt(2.0 / (1.0 + param * param));
  if (nonlinearity == "selu") return 3.0 / 4.0;
  throw Error("calculate_gain: unknown nonlinearity \"" + std::string(nonlinearity) +
              "\" (expected linear, conv2d, sigmoid, tanh, relu, leaky_relu or selu)");
}

namespace {
double kaiming_std(const Tensor& t, double a, FanMode mode, std::string_view nonlinearity) {
  const auto [fan_in, fan_out] = calculate_fan_in_and_fan_out(t);
  const int64_t fan = mode == FanMode::FanIn ? fan_in : fan_out;
  if (fan == 0) return 0.0;  // torch warns and leaves a zero-element tensor alone
  return calculate_gain(nonlinearity, a) / std::sqrt(static_cast<double>(fan));
}
}  // namespace

Tensor& kaiming_uniform_(Tensor& t, double a, FanMode mode, std::string_view nonlinearity,
                         Rng& rng) {
  const double bound = std::sqrt(3.0) * kaiming_std(t, a, mode, nonlinearity);
  return uniform_(t, -bound, bound, rng);
}

Tensor& kaiming_normal_(Tensor& t, double a, FanMode mode, std::string_view nonlinearity,
                        Rng& rng) {
  return normal_(t, 0.0, kaiming_std(t, a, mode, nonlinearity), rng);
}

Tensor& xavier_uniform_(Tensor& t, double gain, Rng& rng) {
  const auto [fan_in, fan_out] = calculate_fan_in_and_fan_out(t);
  const double stddev =
      fan_in + fan_out > 0 ? gain * std::sqrt(2.0 / static_cast<double>(fan_in + fan_out)) : 0.0;
  const double bound = std::sqrt(3.0) * stddev;
  return uniform_(t, -bound, bound, rng);
}

Tensor& xavier_normal_(Tensor& t, double gain, Rng& rng) {
  const auto [fan_in, fan_out] = calculate_fan_in_and_fan_out(t);
  const double stddev =
      fan_in + fan_out > 0 ? gain * std::sqrt(2.0 / static_cast<double>(fan_in + fan_out)) : 0.0;
  return normal_(t, 0.0, stddev, rng);
}

Tensor& uniform_(Tensor& t, double lo, double hi, Rng& rng) {
  NoGradGuard no_grad;
  t.uniform_(lo, hi, rng);
  return t;
}

Tensor& normal_(Tensor& t, double mean, double stddev, Rng& rng) {
  NoGradGuard no_grad;
  t.normal_(mean, stddev, rng);
  return t;
}

Tensor& constant_(Tensor& t, double value) {
  NoGradGuard no_grad;
  t.fill_(value);
  return t;
}

Tensor& zeros_(Tensor& t) { return constant_(t, 0.0); }
Tensor& ones_(Tensor& t) { return constant_(t, 1.0); }

}  // namespace soma::nn::init
