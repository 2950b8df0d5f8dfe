// Module bookkeeping: registration, recursive traversal, train/eval, state dicts.
#include "soma/nn/module.hpp"

#include <unordered_set>

#include "soma/core/atomic_file.hpp"
#include "soma/core/error.hpp"

namespace soma::nn {

Tensor Module::register_parameter(std::string name, Tensor value) {
  if (value.defined() && !value.requires_grad()) value.requires_grad_(true);
  parameters_.emplace_back(std::move(name), value);
  return value;
}

Tensor Module::register_buffer(std::string name, Tensor value) {
  buffers_.emplace_back(std::move(name), value);
  return value;
}

void Module::collect(const std::string& prefix, bool recurse, bool buffers,
                     std::vector<std::pair<std::string, Tensor>>& out) const {
  for (const auto& [n, t] : buffers ? buffers_ : parameters_)
    if (t.defined()) out.emplace_back(prefix + n, t);
  if (!recurse) return;
  for (const auto& [n, child] : children_) child->collect(prefix + n + ".", true, buffers, out);
}

std::vector<std::pair<std::string, Tensor>> Module::named_parameters(bool recurse) const {
  std::vector<std::pair<std::string, Tensor>> out;
  collect("", recurse, false, out);
  return out;
}

std::vector<std::pair<std::string, Tensor>> Module::named_buffers(bool recurse) const {
  std::vector<std::pair<std::string, Tensor>> out;
  collect("", recurse, true, out);
  return out;
}

std::vector<Tensor> Module::parameters(bool recurse) const {
  std::vector<Tensor> out;
  for (auto& [n, t] : named_parameters(recurse)) out.push_back(t);
  return out;
}

void Module::reset_parameters_in_order() {
  if (init_rng_) reset_parameters(*init_rng_);
  for (auto& [n, child] : children_) child->reset_parameters_in_order();
}

void Module::train(bool on) {
  training_ = on;
  for (auto& [n, child] : children_) child->train(on);
}

void Module::zero_grad(bool set_to_none) {
  for (auto& p : parameters()) {
    if (set_to_none) {
      p.set_grad(Tensor());
    } else if (Tensor g = p.grad(); g.defined()) {
      g.zero_();
    }
  }
}

StateDict Module::state_dict() const {
  StateDict sd;
  for (auto& [n, t] : named_parameters()) sd.insert(n, t.detach());
  for (auto& [n, t] : named_buffers()) sd.insert(n, t.detach());
  return sd;
}

void Module::load_state_dict(const StateDict& state, bool strict) {
  auto own = named_parameters();
  for (auto& b : named_buffers()) own.push_back(b);
  std::vector<std::string> missing;
  std::unordered_set<std::string> known;
  for (const auto& [n, t] : own) {
    known.insert(n);
    if (!state.find(n)) missing.push_back(n);
  }
  std::vector<std::string> unexpected;
  for (const auto& [n, t] : state)
    if (!known.count(n)) unexpected.push_back(n);
  if (strict && (!missing.empty() || !unexpected.empty())) {
    std::string msg = "load_state_dict: the state does not match the module";
    auto list = [&](const char* what, const std::vector<std::string>& names) {
      if (names.empty()) return;
      msg += std::string("; ") + what + ":";
      for (const auto& n : names) msg += " \"" + n + "\"";
    };
    list("missing", missing);
    list("unexpected", unexpected);
    throw Error(msg);
  }
  // Check every shape before copying anything, so a failed load changes nothing.
  for (const auto& [n, t] : own)
    if (const Tensor* src = state.find(n); src && src->shape() != t.shape())
      throw Error("load_state_dict: \"" + n + "\" has shape " + src->shape().str() +
                  " in the state but " + t.shape().str() + " in the module");
  NoGradGuard no_grad;
  for (auto& [n, t] : own)
    if (const Tensor* src = state.find(n)) t.copy_(*src);
}

std::string Module::str() const {
  std::string out;
  describe(out, 0);
  return out;
}

void Module::describe(std::string& out, int indent) const {
  out += name();
  if (children_.empty()) return;
  out += "(\n";
  for (const auto& [n, child] : children_) {
    out += std::string(indent + 2, ' ') + "(" + n + "): ";
    child->describe(out, indent + 2);
    out += "\n";
  }
  out += std::string(indent, ' ') + ")";
}

void save(const Module& module, const std::filesystem::path& path) {
  save(module.state_dict(), path);
}

void load(Module& module, const std::filesystem::path& path, bool strict) {
  const StateDict sd = load_state_dict_file(path);
  try {
    module.load_state_dict(sd, strict);
  } catch (const Error& e) {
    throw Error(path.string() + ": " + e.what());
  }
}

}  // namespace soma::nn
