#pragma once
// nn::Dropout: in training, zeros each element with probability p (drawn from the
// given generator, so a seed fixes the mask sequence) and scales the rest by
// 1 / (1 - p); in evaluation it is the identity.
#include "soma/nn/module.hpp"

namespace soma::nn {

class Dropout : public Module {
 public:
  // The generator must outlive the module.
  explicit Dropout(double p = 0.5, Rng& rng = global_rng());
  Tensor forward(const Tensor& x) override;
  std::string name() const override;

 private:
  double p_;
  Rng* rng_;
};

}  // namespace soma::nn
