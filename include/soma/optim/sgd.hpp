#pragma once
// Stochastic gradient descent, as torch.optim.SGD (1.13):
//   g = grad + weight_decay * p
//   b = g on the first step, else momentum * b + (1 - dampening) * g   (if momentum != 0)
//   g = nesterov ? g + momentum * b : b
//   p -= lr * g
#include "soma/optim/optimizer.hpp"

namespace soma::optim {

struct SGDOptions {
  double lr = 1e-3;
  double momentum = 0.0;
  double dampening = 0.0;
  double weight_decay = 0.0;
  bool nesterov = false;
  bool maximize = false;
};

class SGD : public Optimizer {
 public:
  SGD(std::vector<Tensor> params, const SGDOptions& options = {});
  void step() override;
  const SGDOptions& options() const { return options_; }

 private:
  SGDOptions options_;
  size_t momentum_slot_;
};

}  // namespace soma::optim
