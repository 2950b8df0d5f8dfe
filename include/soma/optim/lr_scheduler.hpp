#pragma once
// Learning-rate schedules, as torch.optim.lr_scheduler (1.13): call step() once per
// epoch after the optimizer's steps; each sets the optimizer's lr by the same
// (recursive) formulas as torch, so the sequences agree to rounding.
#include <cstdint>

#include "soma/nn/state_dict.hpp"
#include "soma/optim/optimizer.hpp"

namespace soma::optim {

class LRScheduler {
 public:
  explicit LRScheduler(Optimizer& optimizer);
  virtual ~LRScheduler() = default;
  LRScheduler(const LRScheduler&) = delete;
  LRScheduler& operator=(const LRScheduler&) = delete;

  void step();
  int64_t last_epoch() const { return last_epoch_; }
  double base_lr() const { return base_lr_; }
  double get_last_lr() const { return optimizer_.lr(); }

  // last_epoch and base_lr (the optimizer's lr is in the optimizer's own state).
  nn::StateDict state_dict() const;
  void load_state_dict(const nn::StateDict& state);

 protected:
  // The lr for last_epoch_ (already advanced), given the current one.
  virtual double next_lr(double current) const = 0;

  Optimizer& optimizer_;
  double base_lr_;
  int64_t last_epoch_ = 0;
  int64_t step_count_ = 1;
};

// lr *= gamma every step_size epochs.
class StepLR : public LRScheduler {
 public:
  StepLR(Optimizer& optimizer, int64_t step_size, double gamma = 0.1);

 private:
  double next_lr(double current) const override;
  int64_t step_size_;
  double gamma_;
};

// lr *= gamma every epoch.
class ExponentialLR : public LRScheduler {
 public:
  ExponentialLR(Optimizer& optimizer, double gamma);

 private:
  double next_lr(double current) const override;
  double gamma_;
};

// lr = eta_min + (base_lr - eta_min) * (1 + cos(pi * epoch / T_max)) / 2, computed
// recursively from the current lr as torch does.
class CosineAnnealingLR : public LRScheduler {
 public:
  CosineAnnealingLR(Optimizer& optimizer, int64_t T_max, double eta_min = 0.0);

 private:
  double next_lr(double current) const override;
  int64_t t_max_;
  double eta_min_;
};

}  // namespace soma::optim
