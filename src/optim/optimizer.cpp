// The parts every optimizer shares: parameters, lr, step counts, state buffers and
// their (de)serialisation.
#include "soma/optim/optimizer.hpp"

#include <cmath>
#include <string>

#include "soma/core/error.hpp"

namespace soma::optim {

Optimizer::Optimizer(std::vector<Tensor> params, double lr) : params_(std::move(params)), lr_(lr) {
  for (size_t i = 0; i < params_.size(); ++i) {
    const Tensor& p = params_[i];
    const std::string where = "optimizer: parameter " + std::to_string(i);
    if (!p.defined()) throw Error(where + " is undefined");
    if (!is_floating(p.dtype()))
      throw Error(where + " has dtype " + dtype_name(p.dtype()) + ", expected a floating type");
    if (!p.is_contiguous())
      throw Error(where + " (shape " + p.shape().str() + ") is not contiguous");
    if (!p.is_leaf())
      throw Error(where + " is not a leaf tensor (optimize leaves, e.g. model.parameters())");
  }
  set_lr(lr);
  steps_.assign(params_.size(), 0);
}

void Optimizer::set_lr(double lr) {
  if (!(lr >= 0.0) || !std::isfinite(lr))
    throw Error("optimizer: invalid learning rate " + std::to_string(lr));
  lr_ = lr;
}

void Optimizer::zero_grad(bool set_to_none) {
  for (auto& p : params_) {
    if (set_to_none) {
      p.set_grad(Tensor());
    } else if (Tensor g = p.grad(); g.defined()) {
      g.zero_();
    }
  }
}

size_t Optimizer::add_slot(const char* name) {
  slots_.push_back({name, std::vector<Tensor>(params_.size())});
  return slots_.size() - 1;
}

Tensor& Optimizer::buffer_or_zeros(size_t slot, size_t i) {
  Tensor& b = slots_[slot].buffers[i];
  if (!b.defined()) b = zeros(params_[i].shape(), params_[i].dtype());
  return b;
}

nn::StateDict Optimizer::state_dict() const {
  nn::StateDict sd;
  sd.insert("lr", scalar_tensor(lr_, kFloat64));
  for (size_t i = 0; i < params_.size(); ++i) {
    const std::string prefix = "param." + std::to_string(i) + ".";
    if (steps_[i] > 0)
      sd.insert(prefix + "step", tensor({static_cast<int64_t>(steps_[i])}).reshape({}));
    for (const auto& slot : slots_)
      if (slot.buffers[i].defined()) sd.insert(prefix + slot.name, slot.buffers[i].clone());
  }
  return sd;
}

void Optimizer::load_state_dict(const nn::StateDict& state) {
  auto fail = [](const std::string& msg) { throw Error("optimizer load_state_dict: " + msg); };
  const Tensor* lr = state.find("lr");
  if (!lr || lr->numel() != 1) fail("missing \"lr\"");
  // Parse everything first; assign only when all of it fits.
  std::vector<int64_t> steps(params_.size(), 0);
  std::vector<std::vector<Tensor>> buffers(slots_.size(), std::vector<Tensor>(params_.size()));
  for (const auto& [name, t] : state) {
    if (name == "lr") continue;
    const std::string bad = "unexpected entry \"" + name + "\"";
    if (name.rfind("param.", 0) != 0) fail(bad);
    const size_t dot = name.find('.', 6);
    if (dot == std::string::npos || dot == 6) fail(bad);
    size_t i = 0;
    for (size_t k = 6; k < dot; ++k) {
      if (name[k] < '0' || name[k] > '9' || i > params_.size()) fail(bad);
      i = i * 10 + static_cast<size_t>(name[k] - '0');
    }
    if (i >= params_.size())
      fail("\"" + name + "\" refers to parameter " + std::to_string(i) + " but there are " +
           std::to_string(params_.size()));
    const std::string field = name.substr(dot + 1);
    if (field == "step") {
      if (t.numel() != 1 || t.dtype() != kInt64 || t.item<int64_t>() < 0)
        fail("\"" + name + "\" is not a step count");
      steps[i] = t.item<int64_t>();
      continue;
    }
    size_t s = 0;
    while (s < slots_.size() && field != slots_[s].name) ++s;
    if (s == slots_.size()) fail(bad);
    if (t.shape() != params_[i].shape())
      fail("\"" + name + "\" has shape " + t.shape().str() + ", the parameter " +
           params_[i].shape().str());
    buffers[s][i] = t.to(params_[i].dtype()).clone();
  }
  set_lr(lr->item<double>());
  steps_ = std::move(steps);
  for (size_t s = 0; s < slots_.size(); ++s) slots_[s].buffers = std::move(buffers[s]);
}

}  // namespace soma::optim
