#pragma once
// Adam and AdamW, as torch.optim.Adam / AdamW (1.13, single-tensor path). Per step t:
//   Adam:  g = grad + weight_decay * p          AdamW: p *= 1 - lr * weight_decay; g = grad
//   m = beta1 * m + (1 - beta1) * g
//   v = beta2 * v + (1 - beta2) * g * g          (amsgrad: vmax = max(vmax, v), used below)
//   denom = sqrt(v) / sqrt(1 - beta2^t) + eps
//   p -= lr / (1 - beta1^t) * m / denom
// computed in one pass over each parameter.
#include <utility>

#include "soma/optim/optimizer.hpp"

namespace soma::optim {

struct AdamOptions {
  double lr = 1e-3;
  std::pair<double, double> betas = {0.9, 0.999};
  double eps = 1e-8;
  double weight_decay = 0.0;
  bool amsgrad = false;
  bool maximize = false;
};

struct AdamWOptions {
  double lr = 1e-3;
  std::pair<double, double> betas = {0.9, 0.999};
  double eps = 1e-8;
  double weight_decay = 1e-2;
  bool amsgrad = false;
  bool maximize = false;
};

class Adam : public Optimizer {
 public:
  Adam(std::vector<Tensor> params, const AdamOptions& options = {});
  void step() override;
  const AdamOptions& options() const { return options_; }

 protected:
  // decoupled: AdamW's weight decay on the parameter instead of the gradient.
  Adam(std::vector<Tensor> params, const AdamOptions& options, bool decoupled);

 private:
  AdamOptions options_;
  bool decoupled_ = false;
  size_t exp_avg_, exp_avg_sq_, max_exp_avg_sq_;
};

class AdamW : public Adam {
 public:
  AdamW(std::vector<Tensor> params, const AdamWOptions& options = {});
};

}  // namespace soma::optim
