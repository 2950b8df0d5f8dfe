#pragma once
// Activation modules: thin wrappers of the element-wise functions of soma::Tensor.
#include <cstdint>

#include "soma/nn/module.hpp"

namespace soma::nn {

class Sigmoid : public Module {
 public:
  Tensor forward(const Tensor& x) override { return sigmoid(x); }
  std::string name() const override { return "Sigmoid()"; }
};

class Tanh : public Module {
 public:
  Tensor forward(const Tensor& x) override { return tanh(x); }
  std::string name() const override { return "Tanh()"; }
};

class ReLU : public Module {
 public:
  Tensor forward(const Tensor& x) override { return relu(x); }
  std::string name() const override { return "ReLU()"; }
};

// max(0, x) + negative_slope * min(0, x)
class LeakyReLU : public Module {
 public:
  explicit LeakyReLU(double negative_slope = 0.01) : slope_(negative_slope) {}
  Tensor forward(const Tensor& x) override { return leaky_relu(x, slope_); }
  std::string name() const override;
  double negative_slope() const { return slope_; }

 private:
  double slope_;
};

// LeakyReLU whose slope is learnt: one slope shared by all channels
// (num_parameters = 1) or one per channel (dimension 1 of the input).
class PReLU : public Module {
 public:
  explicit PReLU(int64_t num_parameters = 1, double init = 0.25, DType dtype = kFloat32);
  Tensor forward(const Tensor& x) override { return prelu(x, weight); }
  std::string name() const override;

  Tensor weight;  // [num_parameters]
};

class Softmax : public Module {
 public:
  explicit Softmax(int64_t dim) : dim_(dim) {}
  Tensor forward(const Tensor& x) override { return softmax(x, dim_); }
  std::string name() const override;

 private:
  int64_t dim_;
};

class LogSoftmax : public Module {
 public:
  explicit LogSoftmax(int64_t dim) : dim_(dim) {}
  Tensor forward(const Tensor& x) override { return log_softmax(x, dim_); }
  std::string name() const override;

 private:
  int64_t dim_;
};

class Identity : public Module {
 public:
  Tensor forward(const Tensor& x) override { return x; }
  std::string name() const override { return "Identity()"; }
};

// Flattens dimensions start_dim..end_dim (by default all but the batch dimension).
class Flatten : public Module {
 public:
  explicit Flatten(int64_t start_dim = 1, int64_t end_dim = -1)
      : start_(start_dim), end_(end_dim) {}
  Tensor forward(const Tensor& x) override { return x.flatten(start_, end_); }
  std::string name() const override;

 private:
  int64_t start_, end_;
};

}  // namespace soma::nn
