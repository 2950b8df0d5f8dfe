// Module wrappers of the image ops: Conv2d, pooling, Dropout, BatchNorm.
#include <cmath>
#include <sstream>

#include "soma/core/error.hpp"
#include "soma/nn/batchnorm.hpp"
#include "soma/nn/conv.hpp"
#include "soma/nn/dropout.hpp"
#include "soma/nn/init.hpp"
#include "soma/nn/pooling.hpp"

namespace soma::nn {

namespace {
std::string pair(Size2 s) { return "(" + std::to_string(s[0]) + ", " + std::to_string(s[1]) + ")"; }
}  // namespace

Conv2d::Conv2d(int64_t in_channels, int64_t out_channels, Size2 kernel_size,
               const Conv2dOptions& options, Rng& rng, DType dtype)
    : options_(options) {
  if (in_channels < 1 || out_channels < 1 || kernel_size[0] < 1 || kernel_size[1] < 1)
    throw Error("Conv2d: channels and kernel sizes must be positive, got in_channels=" +
                std::to_string(in_channels) + ", out_channels=" + std::to_string(out_channels) +
                ", kernel_size=" + pair(kernel_size));
  if (!is_floating(dtype))
    throw Error(std::string("Conv2d: dtype must be floating, got ") + dtype_name(dtype));
  weight = register_parameter(
      "weight", empty({out_channels, in_channels, kernel_size[0], kernel_size[1]}, dtype));
  if (options.bias) bias = register_parameter("bias", empty({out_channels}, dtype));
  draw_parameters(rng);
}

void Conv2d::reset_parameters(Rng& rng) {
  init::kaiming_uniform_(weight, std::sqrt(5.0), init::FanMode::FanIn, "leaky_relu", rng);
  if (bias.defined()) {
    const double bound =
        1.0 / std::sqrt(static_cast<double>(init::calculate_fan_in_and_fan_out(weight).first));
    init::uniform_(bias, -bound, bound, rng);
  }
}

Tensor Conv2d::forward(const Tensor& x) {
  return functional::conv2d(x, weight, bias, options_.stride, options_.padding, options_.dilation);
}

std::string Conv2d::name() const {
  return "Conv2d(" + std::to_string(weight.size(1)) + ", " + std::to_string(weight.size(0)) +
         ", kernel_size=" + pair({weight.size(2), weight.size(3)}) +
         ", stride=" + pair(options_.stride) + ", padding=" + pair(options_.padding) +
         ", dilation=" + pair(options_.dilation) + ", bias=" + (bias.defined() ? "true" : "false") +
         ")";
}

std::string MaxPool2d::name() const {
  return "MaxPool2d(kernel_size=" + pair(kernel_) + ", stride=" + pair(stride_) +
         ", padding=" + pair(padding_) + ")";
}

std::string AvgPool2d::name() const {
  return "AvgPool2d(kernel_size=" + pair(kernel_) + ", stride=" + pair(stride_) +
         ", padding=" + pair(padding_) + ")";
}

Dropout::Dropout(double p, Rng& rng) : p_(p), rng_(&rng) {
  if (!(p >= 0.0 && p <= 1.0))
    throw Error("Dropout: probability must be in [0, 1], got " + std::to_string(p));
}

Tensor Dropout::forward(const Tensor& x) {
  return functional::dropout(x, p_, is_training(), *rng_);
}

std::string Dropout::name() const {
  std::ostringstream os;
  os << "Dropout(p=" << p_ << ")";
  return os.str();
}

BatchNorm::BatchNorm(int64_t num_features, const BatchNormOptions& options, DType dtype,
                     int min_dim, int max_dim, const char* kind)
    : features_(num_features),
      options_(options),
      min_dim_(min_dim),
      max_dim_(max_dim),
      kind_(kind) {
  if (num_features < 1) throw Error(std::string(kind) + ": num_features must be positive");
  if (!is_floating(dtype)) throw Error(std::string(kind) + ": dtype must be floating");
  if (options.affine) {
    weight = register_parameter("weight", ones({num_features}, dtype));
    bias = register_parameter("bias", zeros({num_features}, dtype));
  }
  if (options.track_running_stats) {
    running_mean = register_buffer("running_mean", zeros({num_features}, dtype));
    running_var = register_buffer("running_var", ones({num_features}, dtype));
    num_batches_tracked = register_buffer("num_batches_tracked", zeros({}, kInt64));
  }
}

Tensor BatchNorm::forward(const Tensor& x) {
  if (!x.defined() || x.dim() < min_dim_ || x.dim() > max_dim_ || x.size(1) != features_)
    throw Error(std::string(kind_) + ": expected input with " +
                (min_dim_ == max_dim_
                     ? std::to_string(min_dim_)
                     : std::to_string(min_dim_) + " or " + std::to_string(max_dim_)) +
                " dimensions and " + std::to_string(features_) + " channels in dimension 1, got " +
                (x.defined() ? x.shape().str() : std::string("undefined")));
  const bool use_batch = is_training() || !options_.track_running_stats;
  if (is_training() && options_.track_running_stats)
    num_batches_tracked.data_ptr<int64_t>()[0] += 1;
  // Running statistics are updated only in training mode.
  return functional::batch_norm(
      x, is_training() ? running_mean : (use_batch ? Tensor() : running_mean),
      is_training() ? running_var : (use_batch ? Tensor() : running_var), weight, bias, use_batch,
      options_.momentum, options_.eps);
}

std::string BatchNorm::name() const {
  std::ostringstream os;
  os << kind_ << "(" << features_ << ", eps=" << options_.eps << ", momentum=" << options_.momentum
     << ", affine=" << (options_.affine ? "true" : "false")
     << ", track_running_stats=" << (options_.track_running_stats ? "true" : "false") << ")";
  return os.str();
}

}  // namespace soma::nn
