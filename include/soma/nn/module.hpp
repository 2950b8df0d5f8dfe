#pragma once
// nn::Module: the base of every layer. A module owns named parameters (tensors that
// learn), named buffers (state that does not learn, such as BatchNorm's running
// statistics) and named child modules; it maps one tensor to another in forward().
//
//   struct Affine : nn::Module {
//     Tensor w;
//     Affine() { w = register_parameter("w", ones({3})); }
//     Tensor forward(const Tensor& x) override { return x * w; }
//   };
//
// Registered tensors are handles shared with the layer's members: load_state_dict
// and the optimizers update them in place, so both always see the same values.
// Names of nested entries are joined with dots ("0.weight"), as in PyTorch.
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "soma/core/random.hpp"
#include "soma/core/std_function.hpp"
#include "soma/core/std_memory.hpp"
#include "soma/nn/state_dict.hpp"
#include "soma/tensor/tensor.hpp"

namespace soma::nn {

class Module {
 public:
  Module() = default;
  virtual ~Module() = default;
  Module(const Module&) = default;
  Module(Module&&) = default;
  Module& operator=(const Module&) = default;
  Module& operator=(Module&&) = default;

  virtual Tensor forward(const Tensor& x) = 0;
  Tensor operator()(const Tensor& x) { return forward(x); }

  // A short description, "Linear(in_features=3, out_features=4, bias=true)".
  virtual std::string name() const = 0;
  // The module and its children, one per line, indented.
  std::string str() const;

  // Draws the parameters again from `rng` as the constructor did (no-op for modules
  // without parameters of their own; children are not visited).
  virtual void reset_parameters(Rng& /*rng*/) {}
  // reset_parameters for this module and all its children, each from the generator
  // it was constructed with (see Sequential). That generator must still be alive.
  // A module whose parameters are no longer what its constructor drew (set, loaded or
  // trained since) is kept as it is, as torch keeps the modules it is given.
  void reset_parameters_in_order();

  std::vector<Tensor> parameters(bool recurse = true) const;
  std::vector<std::pair<std::string, Tensor>> named_parameters(bool recurse = true) const;
  std::vector<std::pair<std::string, Tensor>> named_buffers(bool recurse = true) const;
  const std::vector<std::pair<std::string, std::shared_ptr<Module>>>& named_children() const {
    return children_;
  }
  // This module and every descendant, depth first, this one first (torch's modules());
  // named: "" for this one, dotted paths below ("0", "1.conv").
  std::vector<Module*> modules();
  std::vector<std::pair<std::string, Module*>> named_modules();
  // fn on every descendant, children before their parent, then on this one (torch's
  // apply, e.g. a custom initialisation); returns *this.
  Module& apply(const std::function<void(Module&)>& fn);

  // Training mode switches the behaviour of Dropout and BatchNorm; recursive.
  virtual void train(bool on = true);
  void eval() { train(false); }
  bool is_training() const { return training_; }

  // Sets every parameter's gradient to undefined (set_to_none, as torch 2) or to zero.
  void zero_grad(bool set_to_none = true);

  // Parameters and buffers by name, detached handles sharing the module's storage.
  StateDict state_dict() const;
  // Copies values into the module's tensors. With `strict`, missing and unexpected
  // names are errors; shapes must always match. Throws soma::Error naming the entry.
  void load_state_dict(const StateDict& state, bool strict = true);

 protected:
  Tensor register_parameter(std::string name, Tensor value);
  Tensor register_buffer(std::string name, Tensor value);
  template <class M>
  std::shared_ptr<M> register_module(std::string name, std::shared_ptr<M> module) {
    children_.emplace_back(std::move(name), module);
    return module;
  }
  // A constructor's draw: reset_parameters(rng), remembering `rng` for
  // reset_parameters_in_order and a fingerprint of what was drawn.
  void draw_parameters(Rng& rng);
  // For containers that replace their children.
  std::vector<std::pair<std::string, std::shared_ptr<Module>>>& mutable_children() {
    return children_;
  }

 private:
  void collect(const std::string& prefix, bool recurse, bool buffers,
               std::vector<std::pair<std::string, Tensor>>& out) const;
  void describe(std::string& out, int indent) const;

  std::vector<std::pair<std::string, Tensor>> parameters_;
  std::vector<std::pair<std::string, Tensor>> buffers_;
  std::vector<std::pair<std::string, std::shared_ptr<Module>>> children_;
  // Hash of the own parameters' bytes as last drawn: equal means "never changed since".
  uint64_t own_parameters_hash() const;
  Rng* init_rng_ = nullptr;
  uint64_t drawn_hash_ = 0;
  bool training_ = true;
};

// A module's state_dict to a file (atomic) and back.
void save(const Module& module, const std::string& path);
void load(Module& module, const std::string& path, bool strict = true);
// state_dict_sha256(module.state_dict()): the digest of the file save() writes.
std::string state_dict_sha256(const Module& module);

}  // namespace soma::nn
