#pragma once
// optim::Optimizer: updates a list of parameters from their gradients.
//
//   optim::Adam opt(model.parameters(), {.lr = 1e-3, .weight_decay = 1e-4});
//   opt.zero_grad(); loss.backward(); opt.step();
//
// Each step is one fused pass over each parameter's data, with no tensors made per
// step; the update rules are PyTorch 1.13's (single-tensor path), operation for
// operation, so results agree with torch to rounding. Parameters whose grad() is
// undefined are skipped, as in torch.
//
// state_dict() holds everything a resumed run needs to continue bit for bit: the
// learning rate, step counts and moment buffers (exact copies, in the parameters'
// dtype). load_state_dict checks that it fits these parameters.
#include <cstdint>
#include <vector>

#include "soma/nn/state_dict.hpp"
#include "soma/tensor/tensor.hpp"

namespace soma::optim {

class Optimizer {
 public:
  explicit Optimizer(std::vector<Tensor> params, double lr);
  virtual ~Optimizer() = default;
  Optimizer(const Optimizer&) = delete;
  Optimizer& operator=(const Optimizer&) = delete;

  virtual void step() = 0;
  // set_to_none = true (the default, as in torch 2) leaves gradients undefined, which
  // costs nothing and lets the next backward write them fresh; false fills them with 0.
  void zero_grad(bool set_to_none = true);

  double lr() const { return lr_; }
  void set_lr(double lr);
  const std::vector<Tensor>& params() const { return params_; }

  nn::StateDict state_dict() const;
  // Throws soma::Error naming the entry if the state does not fit these parameters.
  void load_state_dict(const nn::StateDict& state);

 protected:
  // Per-parameter state buffers, by name ("exp_avg"...). Subclasses declare them once.
  struct Slot {
    const char* name{};
    std::vector<Tensor> buffers{};  // one per parameter; undefined until first used
  };
  size_t add_slot(const char* name);
  // The buffer of `slot` for parameter i; undefined until set or made.
  Tensor& buffer(size_t slot, size_t i) { return slots_[slot].buffers[i]; }
  // Same, made (zeros, like the parameter) if absent.
  Tensor& buffer_or_zeros(size_t slot, size_t i);

  std::vector<Tensor> params_;
  std::vector<int64_t> steps_;  // steps taken per parameter (as torch's state["step"])
  double lr_;

 private:
  std::vector<Slot> slots_;
};

}  // namespace soma::optim
