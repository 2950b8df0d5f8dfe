// Module wrappers of the decoder ops: ConvTranspose2d and Upsample.
#include <cmath>
#include <sstream>

#include "soma/core/error.hpp"
#include "soma/nn/conv_transpose.hpp"
#include "soma/nn/init.hpp"
#include "soma/nn/upsample.hpp"

namespace soma::nn {

namespace {
std::string pair(Size2 s) { return "(" + std::to_string(s[0]) + ", " + std::to_string(s[1]) + ")"; }
}  // namespace

ConvTranspose2d::ConvTranspose2d(int64_t in_channels, int64_t out_channels, Size2 kernel_size,
                                 const ConvTranspose2dOptions& options, Rng& rng, DType dtype)
    : options_(options) {
  if (in_channels < 1 || out_channels < 1 || kernel_size[0] < 1 || kernel_size[1] < 1 ||
      options.groups < 1)
    throw Error(
        "ConvTranspose2d: channels, kernel sizes and groups must be positive, got "
        "in_channels=" +
        std::to_string(in_channels) + ", out_channels=" + std::to_string(out_channels) +
        ", kernel_size=" + pair(kernel_size) + ", groups=" + std::to_string(options.groups));
  if (in_channels % options.groups != 0 || out_channels % options.groups != 0)
    throw Error("ConvTranspose2d: in_channels (" + std::to_string(in_channels) +
                ") and out_channels (" + std::to_string(out_channels) +
                ") must be divisible by groups (" + std::to_string(options.groups) + ")");
  if (!is_floating(dtype))
    throw Error(std::string("ConvTranspose2d: dtype must be floating, got ") + dtype_name(dtype));
  weight = register_parameter(
      "weight",
      empty({in_channels, out_channels / options.groups, kernel_size[0], kernel_size[1]}, dtype));
  if (options.bias) bias = register_parameter("bias", empty({out_channels}, dtype));
  draw_parameters(rng);
}

void ConvTranspose2d::reset_parameters(Rng& rng) {
  init::kaiming_uniform_(weight, std::sqrt(5.0), init::FanMode::FanIn, "leaky_relu", rng);
  if (bias.defined()) {
    const double bound =
        1.0 / std::sqrt(static_cast<double>(init::calculate_fan_in_and_fan_out(weight).first));
    init::uniform_(bias, -bound, bound, rng);
  }
}

Tensor ConvTranspose2d::forward(const Tensor& x) {
  return functional::conv_transpose2d(x, weight, bias, options_.stride, options_.padding,
                                      options_.output_padding, options_.groups, options_.dilation);
}

std::string ConvTranspose2d::name() const {
  return "ConvTranspose2d(" + std::to_string(weight.size(0)) + ", " +
         std::to_string(weight.size(1) * options_.groups) +
         ", kernel_size=" + pair({weight.size(2), weight.size(3)}) +
         ", stride=" + pair(options_.stride) + ", padding=" + pair(options_.padding) +
         ", output_padding=" + pair(options_.output_padding) +
         ", groups=" + std::to_string(options_.groups) + ", dilation=" + pair(options_.dilation) +
         ", bias=" + (bias.defined() ? "true" : "false") + ")";
}

Upsample::Upsample(const UpsampleOptions& options) : options_(options) {
  const bool by_size = options.size[0] != 0 || options.size[1] != 0;
  const bool by_scale = options.scale_factor[0] != 0 || options.scale_factor[1] != 0;
  if (by_size == by_scale)
    throw Error(std::string("Upsample: expected either size or scale_factor, not ") +
                (by_size ? "both" : "neither"));
}

Tensor Upsample::forward(const Tensor& x) {
  return functional::interpolate(x, options_.size, options_.scale_factor, options_.mode,
                                 options_.align_corners);
}

std::string Upsample::name() const {
  std::ostringstream os;
  os << "Upsample(";
  if (options_.size[0] != 0 || options_.size[1] != 0)
    os << "size=" << pair(options_.size);
  else
    os << "scale_factor=(" << options_.scale_factor[0] << ", " << options_.scale_factor[1] << ")";
  os << ", mode='" << (options_.mode == InterpolateMode::Nearest ? "nearest" : "bilinear") << "'";
  if (options_.mode == InterpolateMode::Bilinear)
    os << ", align_corners=" << (options_.align_corners ? "true" : "false");
  os << ")";
  return os.str();
}

}  // namespace soma::nn
