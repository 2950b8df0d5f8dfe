#include "soma/nn/activation.hpp"

#include <sstream>

#include "soma/core/error.hpp"

namespace soma::nn {

namespace {
std::string number(double v) {
  std::ostringstream os;
  os << v;
  return os.str();
}
}  // namespace

std::string LeakyReLU::name() const { return "LeakyReLU(negative_slope=" + number(slope_) + ")"; }

PReLU::PReLU(int64_t num_parameters, double init, DType dtype) {
  if (num_parameters < 1)
    throw Error("PReLU: num_parameters must be at least 1, got " + std::to_string(num_parameters));
  weight = register_parameter("weight", full({num_parameters}, init, dtype));
}

std::string PReLU::name() const {
  return "PReLU(num_parameters=" + std::to_string(weight.numel()) + ")";
}
std::string Softmax::name() const { return "Softmax(dim=" + std::to_string(dim_) + ")"; }
std::string LogSoftmax::name() const { return "LogSoftmax(dim=" + std::to_string(dim_) + ")"; }
std::string Flatten::name() const {
  return "Flatten(start_dim=" + std::to_string(start_) + ", end_dim=" + std::to_string(end_) + ")";
}

}  // namespace soma::nn
