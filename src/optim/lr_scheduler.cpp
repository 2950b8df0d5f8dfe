// torch.optim.lr_scheduler's chainable (recursive) get_lr formulas.
#include "soma/optim/lr_scheduler.hpp"

#include <cmath>
#include <numbers>

#include "soma/core/error.hpp"

namespace soma::optim {

LRScheduler::LRScheduler(Optimizer& optimizer) : optimizer_(optimizer), base_lr_(optimizer.lr()) {}

void LRScheduler::step() {
  ++last_epoch_;
  optimizer_.set_lr(next_lr(optimizer_.lr()));
}

nn::StateDict LRScheduler::state_dict() const {
  nn::StateDict sd;
  sd.insert("last_epoch", tensor({static_cast<int64_t>(last_epoch_)}).reshape({}));
  sd.insert("base_lr", scalar_tensor(base_lr_, kFloat64));
  return sd;
}

void LRScheduler::load_state_dict(const nn::StateDict& state) {
  const Tensor* epoch = state.find("last_epoch");
  const Tensor* base = state.find("base_lr");
  if (!epoch || epoch->numel() != 1 || epoch->dtype() != kInt64 || !base || base->numel() != 1)
    throw Error(
        "scheduler load_state_dict: expected entries \"last_epoch\" (int64) and \"base_lr\"");
  if (state.size() != 2)
    throw Error("scheduler load_state_dict: unexpected entries besides last_epoch and base_lr");
  last_epoch_ = epoch->item<int64_t>();
  base_lr_ = base->item<double>();
}

StepLR::StepLR(Optimizer& optimizer, int64_t step_size, double gamma)
    : LRScheduler(optimizer), step_size_(step_size), gamma_(gamma) {
  if (step_size < 1)
    throw Error("StepLR: step_size must be at least 1, got " + std::to_string(step_size));
}

double StepLR::next_lr(double current) const {
  if (last_epoch_ == 0 || last_epoch_ % step_size_ != 0) return current;
  return current * gamma_;
}

ExponentialLR::ExponentialLR(Optimizer& optimizer, double gamma)
    : LRScheduler(optimizer), gamma_(gamma) {}

double ExponentialLR::next_lr(double current) const {
  return last_epoch_ == 0 ? current : current * gamma_;
}

CosineAnnealingLR::CosineAnnealingLR(Optimizer& optimizer, int64_t T_max, double eta_min)
    : LRScheduler(optimizer), t_max_(T_max), eta_min_(eta_min) {
  if (T_max < 1)
    throw Error("CosineAnnealingLR: T_max must be at least 1, got " + std::to_string(T_max));
}

double CosineAnnealingLR::next_lr(double current) const {
  constexpr double pi = std::numbers::pi;
  const double e = static_cast<double>(last_epoch_), t = static_cast<double>(t_max_);
  if (last_epoch_ == 0) return current;
  // Python's % is never negative.
  int64_t r = (last_epoch_ - 1 - t_max_) % (2 * t_max_);
  if (r < 0) r += 2 * t_max_;
  if (r == 0) return current + (base_lr_ - eta_min_) * (1 - std::cos(pi / t)) / 2;
  return (1 + std::cos(pi * e / t)) / (1 + std::cos(pi * (e - 1) / t)) * (current - eta_min_) +
         eta_min_;
}

}  // namespace soma::optim
